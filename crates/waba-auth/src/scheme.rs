//! How a credential goes on a request: [`AuthScheme`], [`Basic`], [`Bearer`], [`ApiKeyHeader`].

use std::fmt;

use base64::Engine as _;
use bytes::Bytes;
use http::header::{AUTHORIZATION, HeaderName, HeaderValue};
use secrecy::ExposeSecret;
use waba_core::Error;

use crate::credential::Credential;
use crate::error::AuthError;

/// Applies a credential to a request. Pure and synchronous: only fetching a credential
/// waits on anything.
pub trait AuthScheme: fmt::Debug + Send + Sync + 'static {
    /// Puts `credential` on `request`. The header values it sets are marked sensitive, so
    /// `Debug` of the request does not show them.
    fn apply(
        &self,
        request: &mut http::Request<Bytes>,
        credential: &Credential,
    ) -> Result<(), Error>;
}

fn sensitive(value: &str, what: &'static str) -> Result<HeaderValue, Error> {
    let mut v = HeaderValue::from_str(value)
        .map_err(|_| Error::from(AuthError::InvalidHeaderValue { what }))?;
    v.set_sensitive(true);
    Ok(v)
}

fn wrong_credential(scheme: &str, wants: &str) -> Error {
    Error::config(format!("the {scheme} scheme needs {wants}"))
}

/// HTTP Basic: `Authorization: Basic base64(user:password)`. Used with a
/// [`Credential::Login`] (EnableX APP ID : APP KEY, Mobile Gateway, the on-prem login).
#[derive(Debug, Clone, Copy, Default)]
pub struct Basic;

impl AuthScheme for Basic {
    fn apply(
        &self,
        request: &mut http::Request<Bytes>,
        credential: &Credential,
    ) -> Result<(), Error> {
        let Credential::Login { user, password } = credential else {
            return Err(wrong_credential("Basic", "a user name and password"));
        };
        let mut raw = String::with_capacity(user.len() + 1 + password.expose_secret().len());
        raw.push_str(user);
        raw.push(':');
        raw.push_str(password.expose_secret());
        let encoded = base64::engine::general_purpose::STANDARD.encode(raw.as_bytes());
        let value = sensitive(&format!("Basic {encoded}"), "Basic credentials")?;
        request.headers_mut().insert(AUTHORIZATION, value);
        Ok(())
    }
}

/// `Authorization: Bearer <token>`, with a [`Credential::Token`] (Meta Cloud, generic v2,
/// EnableX's token, the on-prem login token).
#[derive(Debug, Clone, Copy, Default)]
pub struct Bearer;

impl AuthScheme for Bearer {
    fn apply(
        &self,
        request: &mut http::Request<Bytes>,
        credential: &Credential,
    ) -> Result<(), Error> {
        let Credential::Token(token) = credential else {
            return Err(wrong_credential("Bearer", "a token"));
        };
        let value = sensitive(&format!("Bearer {}", token.expose_secret()), "bearer token")?;
        request.headers_mut().insert(AUTHORIZATION, value);
        Ok(())
    }
}

/// An API key in a header of its own (`WA-API-KEY` for Tujenge, `D360-API-KEY` for
/// 360dialog), with a [`Credential::Token`].
#[derive(Debug, Clone)]
pub struct ApiKeyHeader {
    header: HeaderName,
}

impl ApiKeyHeader {
    /// The key goes in `header`, which must be a valid HTTP header name.
    pub fn new(header: &str) -> Result<Self, AuthError> {
        let header = HeaderName::from_bytes(header.as_bytes()).map_err(|_| {
            AuthError::InvalidHeaderName {
                name: header.to_owned(),
            }
        })?;
        Ok(Self { header })
    }

    /// The header name.
    pub fn header(&self) -> &HeaderName {
        &self.header
    }
}

impl AuthScheme for ApiKeyHeader {
    fn apply(
        &self,
        request: &mut http::Request<Bytes>,
        credential: &Credential,
    ) -> Result<(), Error> {
        let Credential::Token(key) = credential else {
            return Err(wrong_credential("API-key header", "a key"));
        };
        let value = sensitive(key.expose_secret(), "API key")?;
        request.headers_mut().insert(self.header.clone(), value);
        Ok(())
    }
}
