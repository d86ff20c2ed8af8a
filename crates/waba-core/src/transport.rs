//! The HTTP transport seam: [`HttpTransport`], one method, so any HTTP client fits.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;

use crate::error::BoxError;

/// Sends one HTTP request and returns the whole response.
///
/// Implementations: `waba-transport-reqwest` (the default), `waba-transport-hyper`, and
/// `waba-testkit`'s `ReplayTransport` for tests. Adapters never talk to an HTTP client
/// directly, so each of them works over any of these.
#[async_trait]
pub trait HttpTransport: fmt::Debug + Send + Sync + 'static {
    /// Sends `request`; an HTTP error status is a response, not an error.
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError>;
}

/// How a request failed below HTTP, and so whether it may have been sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// No connection was made (refused, DNS, TLS handshake, connect timeout). Nothing was
    /// sent: always safe to retry.
    Connect,
    /// No answer in time after the request was written. It may have been acted on: retried
    /// only for idempotent operations, or when the caller accepts a possible duplicate.
    Timeout,
    /// The connection broke after the request was written (reset, closed early, a
    /// truncated response). As for `Timeout`.
    Interrupted,
    /// The request could not even be built or written (an invalid URI or header). Not retried.
    Request,
}

impl TransportErrorKind {
    /// Whether the request may have reached the server.
    pub fn maybe_sent(self) -> bool {
        matches!(self, Self::Timeout | Self::Interrupted)
    }

    /// Whether trying again may help (subject to [`maybe_sent`](Self::maybe_sent)).
    pub fn is_retryable(self) -> bool {
        !matches!(self, Self::Request)
    }
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "could not connect",
            Self::Timeout => "timed out",
            Self::Interrupted => "connection interrupted",
            Self::Request => "invalid request",
        })
    }
}

/// A failure below HTTP, as a transport reports it.
#[derive(Debug, thiserror::Error)]
#[error("{kind}")]
pub struct TransportError {
    kind: TransportErrorKind,
    #[source]
    source: Option<BoxError>,
}

impl TransportError {
    /// A failure of `kind` caused by `source`.
    pub fn new(kind: TransportErrorKind, source: impl Into<BoxError>) -> Self {
        Self {
            kind,
            source: Some(source.into()),
        }
    }

    /// A failure of `kind` with no underlying error.
    pub fn bare(kind: TransportErrorKind) -> Self {
        Self { kind, source: None }
    }

    /// Its kind.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }
}

/// A shared, cheaply cloned handle to any transport.
#[derive(Debug, Clone)]
pub struct SharedTransport(Arc<dyn HttpTransport>);

impl SharedTransport {
    /// Wraps a transport.
    pub fn new(transport: impl HttpTransport) -> Self {
        Self(Arc::new(transport))
    }

    /// Wraps an already shared transport.
    pub fn from_arc(transport: Arc<dyn HttpTransport>) -> Self {
        Self(transport)
    }
}

#[async_trait]
#[deny(clippy::missing_trait_methods)]
impl HttpTransport for SharedTransport {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        self.0.send(request).await
    }
}
