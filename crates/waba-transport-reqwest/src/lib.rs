#![doc = include_str!("../README.md")]
// docs.rs builds with `--cfg docsrs` (see Cargo.toml): items behind a feature get a badge.
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # Overview
//!
//! waba's default [`HttpTransport`]: reqwest with rustls.
//!
//! Connections are pooled and kept alive; connect and request timeouts are set; every
//! failure is classified by whether the request may have reached the server
//! ([`TransportErrorKind`]), which is what [`waba_core::Error::maybe_delivered`] reports.
//!
//! ```
//! use std::time::Duration;
//! use waba_transport_reqwest::ReqwestTransport;
//!
//! let transport = ReqwestTransport::builder()
//!     .connect_timeout(Duration::from_secs(5))
//!     .timeout(Duration::from_secs(30))
//!     .build()?;
//! # Ok::<(), waba_core::Error>(())
//! ```

use std::error::Error as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use waba_core::{Error, HttpTransport, TransportError, TransportErrorKind};

/// The default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default timeout of a whole request, response body included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// [`HttpTransport`] over a pooled [`reqwest::Client`].
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    /// The last URL parsed: an adapter sends to the same few URLs again and again, and
    /// parsing one costs more than comparing it.
    last_url: Arc<Mutex<Option<(http::Uri, reqwest::Url)>>>,
}

impl ReqwestTransport {
    fn url(&self, uri: &http::Uri) -> Result<reqwest::Url, TransportError> {
        let mut last = self
            .last_url
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((cached, url)) = last.as_ref()
            && cached == uri
        {
            return Ok(url.clone());
        }
        let url = reqwest::Url::parse(&uri.to_string())
            .map_err(|e| TransportError::new(TransportErrorKind::Request, e))?;
        *last = Some((uri.clone(), url.clone()));
        Ok(url)
    }
}

impl ReqwestTransport {
    /// A transport with the default timeouts.
    pub fn new() -> Result<Self, Error> {
        Self::builder().build()
    }

    /// A builder.
    pub fn builder() -> ReqwestTransportBuilder {
        ReqwestTransportBuilder {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            pool_idle_timeout: Some(Duration::from_secs(90)),
            pool_max_idle_per_host: usize::MAX,
            user_agent: concat!("waba/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }

    /// Wraps a client configured elsewhere (proxies, custom roots). Its timeouts apply.
    pub fn from_client(client: reqwest::Client) -> Self {
        Self {
            client,
            last_url: Arc::default(),
        }
    }
}

/// Builds a [`ReqwestTransport`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ReqwestTransportBuilder {
    connect_timeout: Duration,
    timeout: Duration,
    pool_idle_timeout: Option<Duration>,
    pool_max_idle_per_host: usize,
    user_agent: String,
}

impl ReqwestTransportBuilder {
    /// How long to wait for a connection. Default [`DEFAULT_CONNECT_TIMEOUT`].
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// How long a whole request may take. Default [`DEFAULT_TIMEOUT`].
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// How long idle pooled connections are kept. Default 90 s; `None` keeps them.
    pub fn pool_idle_timeout(mut self, d: Option<Duration>) -> Self {
        self.pool_idle_timeout = d;
        self
    }

    /// At most this many idle connections per host. Default unlimited.
    pub fn pool_max_idle_per_host(mut self, n: usize) -> Self {
        self.pool_max_idle_per_host = n;
        self
    }

    /// The `User-Agent`. Default `waba/<version>`.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// The transport.
    pub fn build(self) -> Result<ReqwestTransport, Error> {
        let client = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .pool_idle_timeout(self.pool_idle_timeout)
            .pool_max_idle_per_host(self.pool_max_idle_per_host)
            .user_agent(self.user_agent)
            .build()
            .map_err(|e| Error::config("could not build the HTTP client").with_source(e))?;
        Ok(ReqwestTransport::from_client(client))
    }
}

#[async_trait]
impl HttpTransport for ReqwestTransport {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let (parts, body) = request.into_parts();
        let url = self.url(&parts.uri)?;
        let mut request = reqwest::Request::new(parts.method, url);
        *request.headers_mut() = parts.headers;
        *request.version_mut() = parts.version;
        *request.body_mut() = Some(reqwest::Body::from(body));
        let mut response = self.client.execute(request).await.map_err(classify)?;
        let mut out = http::Response::new(Bytes::new());
        *out.status_mut() = response.status();
        *out.version_mut() = response.version();
        // Taking the map avoids copying every header.
        *out.headers_mut() = std::mem::take(response.headers_mut());
        *out.body_mut() = response.bytes().await.map_err(classify)?;
        Ok(out)
    }
}

/// Sorts a reqwest failure by whether the request may have been sent.
fn classify(e: reqwest::Error) -> TransportError {
    let kind = if e.is_connect() || is_connect_cause(&e) {
        TransportErrorKind::Connect
    } else if e.is_timeout() {
        TransportErrorKind::Timeout
    } else if e.is_builder() {
        TransportErrorKind::Request
    } else {
        TransportErrorKind::Interrupted
    };
    TransportError::new(kind, e)
}

/// reqwest reports a connect timeout as a timeout; the connection never existed, so
/// nothing was sent. Look for a connect error further down the chain.
fn is_connect_cause(e: &reqwest::Error) -> bool {
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::AddrNotAvailable
            )
        {
            return true;
        }
        source = s.source();
    }
    false
}
