//! The one error type of every waba operation: [`Error`], classified by [`ErrorKind`].
//!
//! An error answers three questions without string matching:
//! - whose fault is it, and what to do ([`ErrorKind`], [`Error::hint`]);
//! - may it be retried ([`Error::is_retryable`], [`Error::retry_after`]);
//! - may the message have reached WhatsApp anyway ([`Error::maybe_delivered`]).
//!
//! Print errors with their whole chain (`{:#}` isn't special here; walk
//! [`std::error::Error::source`]): the provider's own words are in the message, the
//! transport's in the source.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use waba_types::ValidationErrors;

use crate::provider::ProviderId;
use crate::transport::{TransportError, TransportErrorKind};

/// A boxed error, the source of an [`Error`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong, in terms an application can act on.
///
/// Each variant's documentation gives its retry rule, which [`Error::is_retryable`]
/// implements. Provider codes map onto these in each adapter's `errors.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The credentials were refused (HTTP 401, Cloud code 190). Not retried: the executor
    /// already refreshed the credential once. Fix the credentials.
    Auth,
    /// Throttled (HTTP 429, Cloud 130429/131056/80007/4, on-prem 429/471). Retried after
    /// `retry_after` when the provider says, after backoff otherwise.
    RateLimited {
        /// How long the provider asked to wait.
        retry_after: Option<Duration>,
    },
    /// A free-form message to a customer who has not written in 24 hours (Cloud 131047,
    /// on-prem 470). Not retried: send a template instead.
    OutsideCustomerWindow,
    /// The template does not exist in that name or language, or is not approved
    /// (Cloud 132001, on-prem 2001). Not retried.
    TemplateNotFound,
    /// The recipient cannot receive WhatsApp messages (Cloud 131026). Not retried.
    InvalidRecipient,
    /// The request was malformed or broke a limit (validation, HTTP 400). Not retried.
    InvalidRequest {
        /// The offending field, when known (`content.body`).
        field: Option<String>,
    },
    /// The account is blocked, unpaid or flagged for spam (Cloud 131031, 131042, 131048).
    /// Not retried.
    PolicyBlocked,
    /// The provider failed (HTTP 5xx). Retried with backoff.
    Server,
    /// The request did not complete. Retried when the kind allows; see
    /// [`TransportErrorKind`] and [`Error::maybe_delivered`].
    Transport(TransportErrorKind),
    /// The provider does not offer this operation ([`crate::Capabilities`] says so).
    /// Not retried.
    Unsupported {
        /// The operation, as named in [`crate::Capabilities`].
        capability: Cow<'static, str>,
    },
    /// The provider answered, but not in the shape expected. Not retried: the request was
    /// accepted, so the message may have been delivered.
    Decode,
    /// The client is misconfigured (a bad base URL, a missing setting). Not retried.
    Config,
    /// Any other provider error; the code is kept in [`Error::api_code`]. Not retried.
    Provider,
}

impl ErrorKind {
    /// A short name, stable for logs and the CLI (`rate_limited`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::RateLimited { .. } => "rate_limited",
            Self::OutsideCustomerWindow => "outside_customer_window",
            Self::TemplateNotFound => "template_not_found",
            Self::InvalidRecipient => "invalid_recipient",
            Self::InvalidRequest { .. } => "invalid_request",
            Self::PolicyBlocked => "policy_blocked",
            Self::Server => "server",
            Self::Transport(_) => "transport",
            Self::Unsupported { .. } => "unsupported",
            Self::Decode => "decode",
            Self::Config => "config",
            Self::Provider => "provider",
        }
    }

    fn describe(&self) -> Cow<'static, str> {
        match self {
            Self::Auth => "authentication failed".into(),
            Self::RateLimited {
                retry_after: Some(d),
            } => format!("rate limited, retry after {} ms", d.as_millis()).into(),
            Self::RateLimited { retry_after: None } => "rate limited".into(),
            Self::OutsideCustomerWindow => "outside the 24-hour customer service window".into(),
            Self::TemplateNotFound => "template not found".into(),
            Self::InvalidRecipient => "invalid recipient".into(),
            Self::InvalidRequest { field: Some(f) } => format!("invalid request at {f}").into(),
            Self::InvalidRequest { field: None } => "invalid request".into(),
            Self::PolicyBlocked => "blocked by WhatsApp policy".into(),
            Self::Server => "provider server error".into(),
            Self::Transport(k) => format!("transport error ({k})").into(),
            Self::Unsupported { capability } => format!("{capability} is not supported").into(),
            Self::Decode => "unexpected response from the provider".into(),
            Self::Config => "configuration error".into(),
            Self::Provider => "provider error".into(),
        }
    }
}

/// The error of every waba operation.
pub struct Error {
    kind: ErrorKind,
    provider: Option<ProviderId>,
    api_code: Option<i64>,
    http_status: Option<u16>,
    message: Option<String>,
    maybe_delivered: bool,
    source: Option<BoxError>,
}

impl Error {
    /// An error of `kind`, nothing else known yet.
    pub fn new(kind: ErrorKind) -> Self {
        Self {
            kind,
            provider: None,
            api_code: None,
            http_status: None,
            message: None,
            maybe_delivered: false,
            source: None,
        }
    }

    /// Shorthand for [`ErrorKind::Unsupported`].
    pub fn unsupported(capability: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::Unsupported {
            capability: capability.into(),
        })
    }

    /// Shorthand for [`ErrorKind::Config`] with a message.
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config).with_message(message)
    }

    /// Shorthand for [`ErrorKind::Decode`]: a response that did not parse. Such a response
    /// came with a success status, so the message may have been delivered.
    pub fn decode(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Decode)
            .with_message(message)
            .with_maybe_delivered(true)
    }

    /// Names the provider.
    #[must_use]
    pub fn with_provider(mut self, provider: ProviderId) -> Self {
        self.provider = Some(provider);
        self
    }

    /// Keeps the provider's numeric error code.
    #[must_use]
    pub fn with_api_code(mut self, code: i64) -> Self {
        self.api_code = Some(code);
        self
    }

    /// Keeps the HTTP status.
    #[must_use]
    pub fn with_http_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    /// Adds the provider's (or our) words.
    #[must_use]
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Marks that the request may have reached the provider and been acted on. The flag
    /// only ever goes up: once a step knew the request may have been acted on, no later
    /// step can forget it (`false` leaves it as it is).
    #[must_use]
    pub fn with_maybe_delivered(mut self, maybe: bool) -> Self {
        self.maybe_delivered |= maybe;
        self
    }

    /// Keeps the underlying error.
    #[must_use]
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The provider that reported it.
    pub fn provider(&self) -> Option<&ProviderId> {
        self.provider.as_ref()
    }

    /// The provider's numeric code (`131047`, `470`).
    pub fn api_code(&self) -> Option<i64> {
        self.api_code
    }

    /// The HTTP status of the response, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// The provider's (or our) words.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// Whether trying again may succeed, by the kind's rule. A retryable error that
    /// [`maybe_delivered`](Self::maybe_delivered) is still not retried for a message send
    /// unless the caller opted in, since that could deliver the message twice.
    pub fn is_retryable(&self) -> bool {
        match &self.kind {
            ErrorKind::RateLimited { .. } | ErrorKind::Server => true,
            ErrorKind::Transport(k) => k.is_retryable(),
            _ => false,
        }
    }

    /// How long the provider asked to wait before trying again.
    pub fn retry_after(&self) -> Option<Duration> {
        match &self.kind {
            ErrorKind::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// Whether the request may have been acted on although it failed: the bytes left and no
    /// answer came back (a timeout, a reset connection), the answer was a 5xx (a gateway or
    /// the provider failed after, perhaps, storing the message), or the answer was a success
    /// we could not read. A send with this flag may have delivered the message.
    pub fn maybe_delivered(&self) -> bool {
        self.maybe_delivered
    }

    /// What to do about it, in a few words, for people reading a CLI or a log.
    pub fn hint(&self) -> &'static str {
        match &self.kind {
            ErrorKind::Auth => "check the credentials in the configuration",
            ErrorKind::RateLimited { .. } => "slow down; lower the rate limit in the configuration",
            ErrorKind::OutsideCustomerWindow => {
                "the customer has not written in 24 hours: send a template instead"
            }
            ErrorKind::TemplateNotFound => {
                "check the template's name and language, and that it is approved"
            }
            ErrorKind::InvalidRecipient => "check the number; the recipient may not use WhatsApp",
            ErrorKind::InvalidRequest { .. } => "fix the field named in the message",
            ErrorKind::PolicyBlocked => "the account is restricted: check it with the provider",
            ErrorKind::Server => "the provider failed; try again later",
            ErrorKind::Transport(_) if self.maybe_delivered => {
                "the message may have been sent: check its status before sending it again"
            }
            ErrorKind::Transport(_) => "check the network and the base URL",
            ErrorKind::Unsupported { .. } => "this provider does not offer that operation",
            ErrorKind::Decode => {
                "the provider's answer was unexpected; the message may have been sent"
            }
            ErrorKind::Config => "fix the configuration",
            ErrorKind::Provider => "see the provider's error code and message",
        }
    }

    /// A copy for reporting the same failure in several places (one per broadcast
    /// recipient): everything but the source, whose text is kept in the message.
    #[must_use]
    pub fn replicate(&self) -> Self {
        let message = match (&self.message, &self.source) {
            (Some(m), Some(s)) => Some(format!("{m}: {s}")),
            (None, Some(s)) => Some(s.to_string()),
            (m, None) => m.clone(),
        };
        Self {
            kind: self.kind.clone(),
            provider: self.provider.clone(),
            api_code: self.api_code,
            http_status: self.http_status,
            message,
            maybe_delivered: self.maybe_delivered,
            source: None,
        }
    }

    /// Consumes the error, returning its source.
    pub fn into_source(self) -> Option<BoxError> {
        self.source
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kind.describe())?;
        // "send_raw is not supported by mobile-gateway": the provider is part of the fact.
        if let (ErrorKind::Unsupported { .. }, Some(p)) = (&self.kind, &self.provider) {
            write!(f, " by {p}")?;
            if let Some(c) = self.api_code {
                write!(f, " (code {c})")?;
            }
            if let Some(m) = &self.message {
                write!(f, ": {m}")?;
            }
            return Ok(());
        }
        match (&self.provider, self.api_code) {
            (Some(p), Some(c)) => write!(f, " ({p}, code {c})")?,
            (Some(p), None) => write!(f, " ({p})")?,
            (None, Some(c)) => write!(f, " (code {c})")?,
            (None, None) => {}
        }
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind);
        if let Some(p) = &self.provider {
            d.field("provider", p);
        }
        if let Some(c) = self.api_code {
            d.field("api_code", &c);
        }
        if let Some(s) = self.http_status {
            d.field("http_status", &s);
        }
        if let Some(m) = &self.message {
            d.field("message", m);
        }
        d.field("maybe_delivered", &self.maybe_delivered);
        if let Some(s) = &self.source {
            d.field("source", s);
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<ValidationErrors> for Error {
    fn from(e: ValidationErrors) -> Self {
        let field = Some(e.first().field.clone());
        Self::new(ErrorKind::InvalidRequest { field })
            .with_message(e.to_string())
            .with_source(e)
    }
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        let kind = e.kind();
        Self::new(ErrorKind::Transport(kind))
            .with_maybe_delivered(kind.maybe_sent())
            .with_source(e)
    }
}

/// The first step of classifying a failed HTTP answer: what its status alone says.
///
/// - 401/403 → [`ErrorKind::Auth`]; 429 → [`ErrorKind::RateLimited`] with `Retry-After`;
///   400/422 → [`ErrorKind::InvalidRequest`]; other 4xx → [`ErrorKind::Provider`]. A 4xx is
///   the provider refusing the request: nothing was delivered.
/// - Any 5xx → [`ErrorKind::Server`], and [`Error::maybe_delivered`]: a gateway or proxy
///   may answer 500, 502, 503 or 504 after the provider behind it stored the message, and a
///   send is not idempotent.
///
/// Adapters do not call this alone on a response: [`classify_response`] runs the whole
/// chain, so that the provider's code table can only refine this verdict.
pub fn classify_status(status: http::StatusCode, headers: &http::HeaderMap) -> Error {
    let kind = match status.as_u16() {
        401 | 403 => ErrorKind::Auth,
        429 => ErrorKind::RateLimited {
            retry_after: retry_after(headers),
        },
        400 | 422 => ErrorKind::InvalidRequest { field: None },
        500..=599 => ErrorKind::Server,
        _ => ErrorKind::Provider,
    };
    Error::new(kind)
        .with_http_status(status.as_u16())
        .with_maybe_delivered(status.is_server_error())
}

/// What a provider's error body adds to the verdict of the HTTP status: the second and last
/// step of [`classify_response`], and the only thing an adapter's `errors.rs` returns.
///
/// A refinement can name a more specific kind, keep the provider's code and words, and, for
/// the codes a provider documents as "not processed", say so. It cannot set
/// [`Error::maybe_delivered`], nor turn a 5xx into the caller's fault: see
/// [`classify_response`] for the rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refinement {
    kind: Option<ErrorKind>,
    api_code: Option<i64>,
    message: Option<String>,
    not_processed: bool,
}

impl Refinement {
    /// Nothing to add: the body was empty or not the provider's error shape.
    pub fn none() -> Self {
        Self::default()
    }

    /// A more specific kind, from the provider's code table (`None` leaves the status's).
    #[must_use]
    pub fn with_kind(mut self, kind: Option<ErrorKind>) -> Self {
        self.kind = kind;
        self
    }

    /// The provider's numeric code.
    #[must_use]
    pub fn with_api_code(mut self, code: Option<i64>) -> Self {
        self.api_code = code;
        self
    }

    /// The provider's words; an empty text is ignored.
    #[must_use]
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        let message = message.into();
        if !message.is_empty() {
            self.message = Some(message);
        }
        self
    }

    /// The provider documents this answer as "the request was not processed" (a throttling
    /// refusal, a stack that is not running): the one case where a 5xx is not
    /// maybe-delivered. The adapter's `errors.rs` names the source of each such code.
    #[must_use]
    pub fn not_processed(mut self, yes: bool) -> Self {
        self.not_processed = yes;
        self
    }

    /// The kind it names, if any.
    pub fn kind(&self) -> Option<&ErrorKind> {
        self.kind.as_ref()
    }
}

/// Classifies a failed HTTP answer as one chain where each step only refines the one before
/// (the model is smithy-rs's ordered retry classifiers):
///
/// 1. the HTTP status decides the base kind and whether the request may have been acted on
///    ([`classify_status`]);
/// 2. the provider's body ([`Refinement`], from the adapter's code table) may name a more
///    specific kind and adds the provider's code and words. After a 5xx it may only say
///    *which* server-side failure it was ([`ErrorKind::Server`] or
///    [`ErrorKind::RateLimited`]): a 500 whose code means "invalid parameter" is still the
///    provider's failure, not the caller's. It never clears
///    [`maybe_delivered`](Error::maybe_delivered), except for a code the provider documents
///    as not processed ([`Refinement::not_processed`]).
///
/// Transport failures (no answer at all) are classified by [`TransportErrorKind`] when they
/// become an [`Error`]; a success status whose body cannot be read is [`Error::decode`].
pub fn classify_response(
    provider: &ProviderId,
    response: &http::Response<bytes::Bytes>,
    refinement: Refinement,
) -> Error {
    let status = response.status();
    let base = classify_status(status, response.headers()).with_provider(provider.clone());
    let Refinement {
        kind,
        api_code,
        message,
        not_processed,
    } = refinement;
    let kind = match kind {
        Some(ErrorKind::RateLimited { retry_after: None }) => Some(ErrorKind::RateLimited {
            retry_after: retry_after(response.headers()),
        }),
        other => other,
    };
    let server_side =
        |k: &ErrorKind| matches!(k, ErrorKind::Server | ErrorKind::RateLimited { .. });
    let mut error = match kind {
        Some(k) if !status.is_server_error() || server_side(&k) => Error { kind: k, ..base },
        _ => base,
    };
    if not_processed {
        // The one documented exception to "a 5xx may have been delivered".
        error.maybe_delivered = false;
    }
    error.api_code = api_code.or(error.api_code);
    error.message = message.or(error.message);
    error
}

/// Reads `Retry-After` as seconds or as an HTTP date.
pub fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_kind_provider_code_and_message() {
        let e = Error::new(ErrorKind::OutsideCustomerWindow)
            .with_provider(ProviderId::from_static("cloud"))
            .with_api_code(131_047)
            .with_message("Re-engagement message");
        assert_eq!(
            e.to_string(),
            "outside the 24-hour customer service window (cloud, code 131047): Re-engagement message"
        );
        assert!(e.hint().contains("template"));
        assert!(!e.is_retryable());
    }

    #[test]
    fn retry_rules_follow_the_kind() {
        assert!(Error::new(ErrorKind::Server).is_retryable());
        assert!(Error::new(ErrorKind::RateLimited { retry_after: None }).is_retryable());
        assert!(Error::new(ErrorKind::Transport(TransportErrorKind::Connect)).is_retryable());
        for k in [
            ErrorKind::Auth,
            ErrorKind::TemplateNotFound,
            ErrorKind::InvalidRecipient,
            ErrorKind::PolicyBlocked,
            ErrorKind::Decode,
            ErrorKind::Provider,
        ] {
            assert!(!Error::new(k.clone()).is_retryable(), "{k:?}");
        }
    }

    #[test]
    fn status_classification() {
        let mut h = http::HeaderMap::new();
        h.insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("7"),
        );
        let e = classify_status(http::StatusCode::TOO_MANY_REQUESTS, &h);
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
        let e = classify_status(http::StatusCode::GATEWAY_TIMEOUT, &http::HeaderMap::new());
        assert_eq!(e.kind(), &ErrorKind::Server);
        assert!(e.maybe_delivered());
        for status in [500, 502, 503] {
            let e = classify_status(
                http::StatusCode::from_u16(status).unwrap(),
                &http::HeaderMap::new(),
            );
            assert!(e.maybe_delivered(), "{status} may follow a stored message");
        }
        assert!(!classify_status(http::StatusCode::TOO_MANY_REQUESTS, &h).maybe_delivered());
        assert_eq!(
            classify_status(http::StatusCode::UNAUTHORIZED, &h).kind(),
            &ErrorKind::Auth
        );
        assert_eq!(
            classify_status(http::StatusCode::NOT_FOUND, &h).kind(),
            &ErrorKind::Provider
        );
    }

    fn answer(status: u16) -> http::Response<bytes::Bytes> {
        http::Response::builder()
            .status(status)
            .header(http::header::RETRY_AFTER, "3")
            .body(bytes::Bytes::new())
            .unwrap()
    }

    #[test]
    fn a_body_code_never_clears_maybe_delivered() {
        // generic v2's 504 with Meta's code 2 ("service temporarily unavailable").
        let e = classify_response(
            &ProviderId::from_static("generic-v2"),
            &answer(504),
            Refinement::none()
                .with_kind(Some(ErrorKind::Server))
                .with_api_code(Some(2))
                .with_message("Service temporarily unavailable"),
        );
        assert_eq!(e.kind(), &ErrorKind::Server);
        assert!(e.maybe_delivered());
        assert_eq!(e.api_code(), Some(2));
        assert_eq!(e.http_status(), Some(504));
        assert_eq!(e.message(), Some("Service temporarily unavailable"));
        // Nor can the builder: the flag only goes up.
        assert!(e.with_maybe_delivered(false).maybe_delivered());
    }

    #[test]
    fn a_body_code_cannot_make_a_5xx_the_callers_fault() {
        for kind in [
            ErrorKind::InvalidRequest { field: None },
            ErrorKind::Auth,
            ErrorKind::TemplateNotFound,
            ErrorKind::Provider,
        ] {
            let e = classify_response(
                &ProviderId::from_static("cloud"),
                &answer(500),
                Refinement::none().with_kind(Some(kind.clone())),
            );
            assert_eq!(e.kind(), &ErrorKind::Server, "500 with {kind:?}");
            assert!(e.maybe_delivered());
        }
        // Which server-side failure it was is a refinement; the retry-after comes from the header.
        let e = classify_response(
            &ProviderId::from_static("cloud"),
            &answer(503),
            Refinement::none().with_kind(Some(ErrorKind::RateLimited { retry_after: None })),
        );
        assert_eq!(
            e.kind(),
            &ErrorKind::RateLimited {
                retry_after: Some(Duration::from_secs(3))
            }
        );
        assert!(e.maybe_delivered());
    }

    #[test]
    fn a_4xx_body_code_names_the_kind_and_a_documented_code_clears_the_doubt() {
        let e = classify_response(
            &ProviderId::from_static("cloud"),
            &answer(400),
            Refinement::none()
                .with_kind(Some(ErrorKind::OutsideCustomerWindow))
                .with_api_code(Some(131_047)),
        );
        assert_eq!(e.kind(), &ErrorKind::OutsideCustomerWindow);
        assert!(!e.maybe_delivered());
        let e = classify_response(
            &ProviderId::from_static("tujenge"),
            &answer(502),
            Refinement::none().not_processed(true),
        );
        assert_eq!(e.kind(), &ErrorKind::Server);
        assert!(!e.maybe_delivered());
    }

    #[test]
    fn retry_after_accepts_http_dates() {
        let mut h = http::HeaderMap::new();
        let later = std::time::SystemTime::now() + Duration::from_secs(120);
        h.insert(
            http::header::RETRY_AFTER,
            httpdate::fmt_http_date(later).parse().unwrap(),
        );
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(100) && d <= Duration::from_secs(120),
            "{d:?}"
        );
        h.insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("soon"),
        );
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn validation_errors_name_the_field() {
        let msg = waba_types::OutboundMessage::new(
            "+16315551002".parse().unwrap(),
            waba_types::Content::text("x".repeat(5000)),
        );
        let e = Error::from(msg.validate().unwrap_err());
        assert_eq!(
            e.kind(),
            &ErrorKind::InvalidRequest {
                field: Some("content.body".into())
            }
        );
        assert!(
            e.to_string().contains("5000 characters, the limit is 4096"),
            "{e}"
        );
    }
}
