//! The executor every adapter runs its requests through: auth, transport, one refresh on
//! 401, and tracing. Adapters keep only what is theirs: building requests and reading
//! responses (their codec).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use tracing::Instrument;

use crate::error::Error;
use crate::provider::ProviderId;
use crate::transport::SharedTransport;

/// Which credential authorised a request, so that a 401 invalidates that one and not a
/// newer one another request already fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AuthTicket(pub u64);

/// Puts credentials on requests. `waba-auth` implements it for every scheme and credential
/// source; an adapter picks one and never handles credentials itself.
#[async_trait]
pub trait RequestAuth: fmt::Debug + Send + Sync + 'static {
    /// Adds the current credential to `request`, fetching or refreshing it first if needed.
    async fn authorize(&self, request: &mut http::Request<Bytes>) -> Result<AuthTicket, Error>;

    /// The API answered 401 to a request authorised with `ticket`. Marks that credential
    /// stale and returns whether a fresh one may succeed (false for fixed secrets).
    fn invalidate(&self, ticket: AuthTicket) -> bool;

    /// Whether `invalidate` can ever return true. The executor keeps a copy of a request
    /// for the retry only then.
    fn refreshable(&self) -> bool;
}

/// Runs an adapter's requests: authorise, send, refresh once and resend on 401.
///
/// Retry on throttling and server errors is not here but in [`crate::Client`], which sees
/// whole operations and knows which are safe to repeat.
#[derive(Debug, Clone)]
pub struct Executor {
    provider: ProviderId,
    transport: SharedTransport,
    auth: Option<Arc<dyn RequestAuth>>,
}

impl Executor {
    /// An executor for `provider` over `transport`, without credentials.
    pub fn new(provider: ProviderId, transport: SharedTransport) -> Self {
        Self {
            provider,
            transport,
            auth: None,
        }
    }

    /// Authorises every request with `auth`.
    #[must_use]
    pub fn with_auth(mut self, auth: Arc<dyn RequestAuth>) -> Self {
        self.auth = Some(auth);
        self
    }

    /// The provider it runs requests for.
    pub fn provider(&self) -> &ProviderId {
        &self.provider
    }

    /// The transport it sends through.
    pub fn transport(&self) -> &SharedTransport {
        &self.transport
    }

    /// Sends `request` and returns the response, whatever its status; the codec reads it.
    ///
    /// On 401, when the credential can be refreshed, the credential is invalidated, a new one
    /// fetched, and the request sent once more. A second 401 is returned as is, so the codec
    /// reports [`crate::ErrorKind::Auth`]: there is no loop.
    pub async fn execute(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, Error> {
        let span = tracing::debug_span!(
            "waba.http",
            provider = %self.provider,
            method = %request.method(),
            path = request.uri().path(),
            status = tracing::field::Empty,
        );
        async move {
            let response = match &self.auth {
                None => self.send(request).await?,
                Some(auth) => {
                    let copy = auth.refreshable().then(|| copy_request(&request));
                    let mut request = request;
                    let ticket = auth.authorize(&mut request).await?;
                    let response = self.send(request).await?;
                    match copy {
                        Some(mut again)
                            if response.status() == http::StatusCode::UNAUTHORIZED
                                && auth.invalidate(ticket) =>
                        {
                            tracing::debug!("401: refreshing the credential and retrying once");
                            auth.authorize(&mut again).await?;
                            self.send(again).await?
                        }
                        _ => response,
                    }
                }
            };
            tracing::Span::current().record("status", response.status().as_u16());
            Ok(response)
        }
        .instrument(span)
        .await
    }

    async fn send(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, Error> {
        use crate::transport::HttpTransport;
        // The URL tried goes into the message, so "cannot connect" says where; the query is
        // left out (it may carry ids a log should not), and base URLs never hold user-info.
        let tried = format!(
            "{} {}://{}{}",
            request.method(),
            request.uri().scheme_str().unwrap_or("http"),
            request
                .uri()
                .authority()
                .map_or("", http::uri::Authority::as_str),
            request.uri().path()
        );
        self.transport.send(request).await.map_err(|e| {
            let message = format!("{tried}: {e}");
            Error::from(e)
                .with_message(message)
                .with_provider(self.provider.clone())
        })
    }
}

fn copy_request(request: &http::Request<Bytes>) -> http::Request<Bytes> {
    let mut copy = http::Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    copy
}
