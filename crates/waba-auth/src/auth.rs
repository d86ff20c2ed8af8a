//! [`Auth`]: a credential source and a scheme together, as the executor uses them.

use std::fmt;
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use bytes::Bytes;
use secrecy::SecretString;
use waba_core::{AuthTicket, Error, RequestAuth};

use crate::credential::{Credential, CredentialSource, Static};
use crate::error::AuthError;
use crate::refresh::{RefreshingToken, TokenSource};
use crate::scheme::{ApiKeyHeader, AuthScheme, Basic, Bearer};

/// A [`CredentialSource`] and an [`AuthScheme`]: what an adapter hands to
/// [`waba_core::Executor::with_auth`]. Every constructor checks its credentials.
#[derive(Clone)]
pub struct Auth {
    source: Arc<dyn CredentialSource>,
    scheme: Arc<dyn AuthScheme>,
    /// The headers a fixed credential produces, built once: every request then only
    /// copies them (a reference-count increment each).
    fixed: Arc<OnceLock<http::HeaderMap>>,
}

impl Auth {
    /// Any source with any scheme.
    pub fn new(source: impl CredentialSource, scheme: impl AuthScheme) -> Self {
        Self {
            source: Arc::new(source),
            scheme: Arc::new(scheme),
            fixed: Arc::default(),
        }
    }

    /// HTTP Basic with fixed credentials (EnableX APP ID : APP KEY, Mobile Gateway).
    pub fn basic(user: impl Into<String>, password: SecretString) -> Result<Self, AuthError> {
        Ok(Self::new(
            Static::new(Credential::login(user, password)?),
            Basic,
        ))
    }

    /// A fixed bearer token (Meta Cloud's system-user token, generic v2).
    pub fn bearer(token: SecretString) -> Result<Self, AuthError> {
        Ok(Self::new(
            Static::new(Credential::token(token, "bearer token")?),
            Bearer,
        ))
    }

    /// A fixed API key in header `header` (Tujenge's `WA-API-KEY`).
    pub fn api_key(header: &str, key: SecretString) -> Result<Self, AuthError> {
        Ok(Self::new(
            Static::new(Credential::token(key, "API key")?),
            ApiKeyHeader::new(header)?,
        ))
    }

    /// A bearer token from a [`RefreshingToken`] (EnableX's Token API, the on-prem login).
    /// Keep a clone of the `Arc` to call [`RefreshingToken::logout`].
    pub fn refreshing_bearer<S: TokenSource>(token: Arc<RefreshingToken<S>>) -> Self {
        Self::new(token, Bearer)
    }

    /// As the executor takes it.
    pub fn shared(self) -> Arc<dyn RequestAuth> {
        Arc::new(self)
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("source", &self.source)
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl RequestAuth for Auth {
    async fn authorize(&self, request: &mut http::Request<Bytes>) -> Result<AuthTicket, Error> {
        if let Some(headers) = self.fixed.get() {
            for (name, value) in headers {
                request.headers_mut().insert(name, value.clone());
            }
            return Ok(AuthTicket(0));
        }
        let (credential, ticket) = self.source.credential().await?;
        if self.source.refreshable() {
            self.scheme.apply(request, &credential)?;
        } else {
            let mut probe = http::Request::new(Bytes::new());
            self.scheme.apply(&mut probe, &credential)?;
            let headers = self
                .fixed
                .get_or_init(|| std::mem::take(probe.headers_mut()));
            for (name, value) in headers {
                request.headers_mut().insert(name, value.clone());
            }
        }
        Ok(ticket)
    }

    fn invalidate(&self, ticket: AuthTicket) -> bool {
        self.source.invalidate(ticket)
    }

    fn refreshable(&self) -> bool {
        self.source.refreshable()
    }
}
