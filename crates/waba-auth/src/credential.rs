//! Credentials and where they come from: [`Credential`], [`CredentialSource`], [`Static`].

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use waba_core::{AuthTicket, Error};

use crate::error::AuthError;

/// A secret a scheme puts on requests. Its `Debug` never shows the secret, and it has no
/// `Display` and no `Serialize`.
#[derive(Clone)]
pub enum Credential {
    /// A bearer token or an API key.
    Token(SecretString),
    /// A user name and password (HTTP Basic: EnableX's APP ID and APP KEY, Mobile Gateway's
    /// account, the on-prem login).
    Login {
        /// The user name (or APP ID); not a secret.
        user: String,
        /// The password (or APP KEY).
        password: SecretString,
    },
}

impl Credential {
    /// A token or key, checked: not empty, and sendable in a header.
    pub fn token(value: SecretString, what: &'static str) -> Result<Self, AuthError> {
        check_secret(&value, what)?;
        Ok(Self::Token(value))
    }

    /// A user name and password, checked: neither empty, no colon in the user name.
    pub fn login(user: impl Into<String>, password: SecretString) -> Result<Self, AuthError> {
        let user = user.into();
        if user.is_empty() {
            return Err(AuthError::Empty {
                what: "Basic user name",
            });
        }
        if user.contains(':') {
            return Err(AuthError::ColonInUser { user });
        }
        if user.chars().any(char::is_control) {
            return Err(AuthError::InvalidHeaderValue {
                what: "Basic user name",
            });
        }
        check_secret(&password, "Basic password")?;
        Ok(Self::Login { user, password })
    }
}

pub(crate) fn check_secret(value: &SecretString, what: &'static str) -> Result<(), AuthError> {
    let v = value.expose_secret();
    if v.trim().is_empty() {
        return Err(AuthError::Empty { what });
    }
    if v.chars().any(char::is_control) {
        return Err(AuthError::InvalidHeaderValue { what });
    }
    Ok(())
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Token(_) => f.write_str("Credential::Token([redacted])"),
            Self::Login { user, .. } => write!(
                f,
                "Credential::Login {{ user: {user:?}, password: [redacted] }}"
            ),
        }
    }
}

/// Yields the current credential, fetching or refreshing it when needed.
#[async_trait]
pub trait CredentialSource: fmt::Debug + Send + Sync + 'static {
    /// The credential to use now, and the ticket that names it for [`invalidate`](Self::invalidate).
    async fn credential(&self) -> Result<(Arc<Credential>, AuthTicket), Error>;

    /// The API refused the credential named by `ticket` (a 401). Returns whether a new
    /// credential may be had; a fixed secret returns false.
    fn invalidate(&self, ticket: AuthTicket) -> bool;

    /// Whether this source can ever produce a different credential.
    fn refreshable(&self) -> bool;
}

#[async_trait]
impl<T: CredentialSource> CredentialSource for Arc<T> {
    async fn credential(&self) -> Result<(Arc<Credential>, AuthTicket), Error> {
        (**self).credential().await
    }
    fn invalidate(&self, ticket: AuthTicket) -> bool {
        (**self).invalidate(ticket)
    }
    fn refreshable(&self) -> bool {
        (**self).refreshable()
    }
}

/// A fixed credential: an API key, Basic credentials, a long-lived token.
#[derive(Clone)]
pub struct Static(Arc<Credential>);

impl Static {
    /// A fixed credential.
    pub fn new(credential: Credential) -> Self {
        Self(Arc::new(credential))
    }
}

impl fmt::Debug for Static {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Static").field(&self.0).finish()
    }
}

#[async_trait]
impl CredentialSource for Static {
    async fn credential(&self) -> Result<(Arc<Credential>, AuthTicket), Error> {
        Ok((self.0.clone(), AuthTicket(0)))
    }
    fn invalidate(&self, _: AuthTicket) -> bool {
        false
    }
    fn refreshable(&self) -> bool {
        false
    }
}
