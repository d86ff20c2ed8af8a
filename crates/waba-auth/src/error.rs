//! Errors in credentials given to constructors.

/// A credential that cannot work, found when it is given (not when a request fails).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// A required secret or name is empty.
    #[error("{what} is empty")]
    Empty {
        /// Which value (`"Basic user name"`, `"API key"`).
        what: &'static str,
    },
    /// HTTP Basic separates user and password with a colon, so a user name cannot hold one.
    #[error(
        "the Basic user name {user:?} contains a colon, which HTTP Basic uses as the separator"
    )]
    ColonInUser {
        /// The user name (not a secret).
        user: String,
    },
    /// Not a valid HTTP header name.
    #[error("{name:?} is not a valid HTTP header name")]
    InvalidHeaderName {
        /// The name given.
        name: String,
    },
    /// A secret that cannot be sent in a header (control characters such as a newline).
    #[error("the {what} contains characters that cannot be sent in an HTTP header")]
    InvalidHeaderValue {
        /// Which value; the value itself is never shown.
        what: &'static str,
    },
    /// A secret outside the length range the provider accepts.
    #[error("the {what} has {len} characters; it must have {min} to {max}")]
    Length {
        /// Which value.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The minimum.
        min: usize,
        /// The maximum.
        max: usize,
    },
}

impl From<AuthError> for waba_core::Error {
    fn from(e: AuthError) -> Self {
        waba_core::Error::config(e.to_string()).with_source(e)
    }
}
