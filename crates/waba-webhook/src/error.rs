//! What can go wrong receiving a webhook.

use std::fmt;

/// A body that could not be decoded at all. (One bad item in a good body is an
/// [`ItemError`] instead, and the other items are still decoded.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// Not JSON.
    #[error("the body is not valid JSON: {0}")]
    Json(String),
    /// JSON, but not the shape of this provider's webhooks.
    #[error("the body is not a {format} webhook: {reason}")]
    Shape {
        /// The format expected.
        format: &'static str,
        /// What is missing or wrong.
        reason: String,
    },
}

/// Part of a batch's metadata that could not be decoded (a change's `metadata`, one
/// `contacts[]` entry); the items of the batch were still decoded. (An item that cannot be
/// decoded is not an error but an `Event::Unknown` with its location and reason.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemError {
    /// Where in the body, as a JSON Pointer (`/entry/0/changes/1/value/metadata`).
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for ItemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

impl std::error::Error for ItemError {}

/// Why a request failed verification. Every variant means: answer 401 or 403 and ignore it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The header carrying the signature or credentials is absent.
    #[error("the {header} header is missing")]
    MissingHeader {
        /// Which header.
        header: &'static str,
    },
    /// The header is there but not in the expected form.
    #[error("the {header} header is malformed: {reason}")]
    MalformedHeader {
        /// Which header.
        header: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The signature or credentials do not match any configured secret.
    #[error("the {what} does not match")]
    Mismatch {
        /// What did not match.
        what: &'static str,
    },
}

/// Why a [`crate::Verifier`] refused to be built: a configuration that would accept
/// requests anyone can forge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifierConfigError {
    /// `HubSignature` with an empty secret: anyone can compute an HMAC with the empty key.
    #[error("the webhook signing secret is empty; give the app secret (Meta app settings > Basic)")]
    EmptySecret,
    /// `RequiredHeaders` with no header: it would accept every request.
    #[error("no webhook header is required; give at least one header name and value")]
    NoHeaders,
    /// A header name that is not a valid HTTP header name.
    #[error("{name:?} is not a valid HTTP header name")]
    InvalidHeaderName {
        /// The name given.
        name: String,
    },
    /// A required header whose expected value is empty.
    #[error("the expected value of webhook header {name} is empty")]
    EmptyHeaderValue {
        /// The header's name.
        name: String,
    },
    /// Basic credentials with an empty user or password.
    #[error("the webhook's Basic credentials have an empty {which}")]
    EmptyCredentials {
        /// `user` or `password`.
        which: &'static str,
    },
}

/// Why a subscription handshake was refused (answer 403).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HandshakeError {
    /// `hub.mode` is not `subscribe`.
    #[error("hub.mode is not subscribe")]
    NotSubscribe,
    /// A `hub.*` parameter is missing.
    #[error("the {0} query parameter is missing")]
    Missing(&'static str),
    /// `hub.verify_token` is not ours.
    #[error("hub.verify_token does not match")]
    WrongToken,
    /// The configured verify token is empty: it would match an empty `hub.verify_token`
    /// sent by anyone, so no handshake is answered.
    #[error("no verify token is configured (an empty one would let anyone subscribe)")]
    NoToken,
}
