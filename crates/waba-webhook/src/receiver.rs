//! An axum receiver: the subscription handshake on GET, verified events on POST, handed to
//! the application through a bounded queue.
//!
//! - GET answers `hub.challenge` when `hub.verify_token` matches (403 otherwise); signature
//!   checks never block it.
//! - POST verifies the raw body (401 on failure), decodes it (400 if it is not this
//!   provider's format), drops duplicates, queues the events and answers 200 at once; the
//!   application's handler runs apart from the provider's request.
//! - Every event goes to the [`Inbox`] before the 200: in memory by default (a bounded
//!   queue read through [`Events`]), or a durable, shared one ([`ReceiverBuilder::inbox`]).
//!   A body with more events than the queue has room for is queued in parts as room frees
//!   up; when no room frees within the wait (default [`DEFAULT_QUEUE_WAIT`]) it answers 503
//!   with `Retry-After`, and the provider's retry delivers only what was not queued
//!   (duplicates are marked seen only once queued). When the store is unreachable it
//!   answers 503, never 200 for something it could not store; when the handler side is
//!   gone ([`Events`] dropped) it answers 500 and logs why.
//! - Handlers run one at a time ([`Events::spawn`]) or concurrently up to a limit with each
//!   customer's events in order ([`Events::spawn_concurrent`]).
//! - Bodies over the limit (default 1 MiB) get 413.
//!
//! ```no_run
//! use waba_webhook::receiver::Receiver;
//! use waba_webhook::{CloudDecoder, HubSignature};
//!
//! # async fn run() -> std::io::Result<()> {
//! let verifier = HubSignature::new("app-secret").map_err(std::io::Error::other)?;
//! let (router, mut events) = Receiver::builder(CloudDecoder, verifier)
//!     .verify_token("my-verify-token")
//!     .build();
//! tokio::spawn(async move {
//!     while let Some(received) = events.recv().await {
//!         println!("{:?}", received.event);
//!     }
//! });
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! axum::serve(listener, router).await
//! # }
//! ```

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::mpsc;

use crate::decode::WebhookDecoder;
use crate::dedup::Deduplicator;
use crate::handshake::verify_challenge;
use crate::inbox::MemoryInbox;
pub use crate::inbox::{Inbox, InboxEntry, InboxError, Lanes, Received, Slot, customer_key};
use crate::raw::RawJson;
use crate::request::WebhookRequest;
use crate::verify::Verifier;

/// The default queue capacity, in events.
pub const DEFAULT_QUEUE: usize = 1024;
/// The default body limit, in bytes.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// How long a request waits for room in a full in-memory queue before it is answered 503.
/// Well under the providers' webhook timeouts (Meta's is tens of seconds).
pub const DEFAULT_QUEUE_WAIT: Duration = Duration::from_secs(2);

/// The receiving end of the queue.
#[derive(Debug)]
pub struct Events(mpsc::Receiver<Received>);

impl Events {
    /// The next event; `None` once the router is dropped.
    pub async fn recv(&mut self) -> Option<Received> {
        self.0.recv().await
    }

    /// Runs `handler` on every event, one at a time, until the router is dropped.
    pub fn spawn<F, Fut>(mut self, handler: F) -> tokio::task::JoinHandle<()>
    where
        F: Fn(Received) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        tokio::spawn(async move {
            while let Some(e) = self.0.recv().await {
                handler(e).await;
            }
        })
    }

    /// Runs `handler` on every event, up to `limit` at once, until the router is dropped:
    /// the events of one customer ([`customer_key`]) one at a time and in order, different
    /// customers' in parallel. Aborting the returned task aborts the handlers still running.
    pub fn spawn_concurrent<F, Fut>(
        mut self,
        limit: usize,
        handler: F,
    ) -> tokio::task::JoinHandle<()>
    where
        F: Fn(Received) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let handler = Arc::new(handler);
        tokio::spawn(async move {
            let lanes = Lanes::new(limit);
            loop {
                let slot = lanes.slot().await;
                let Some(e) = self.0.recv().await else { break };
                let key = customer_key(&e.event);
                let handler = Arc::clone(&handler);
                lanes.run(slot, key, async move { handler(e).await });
            }
            lanes.idle().await;
        })
    }
}

/// Builds the router.
#[derive(Debug)]
#[must_use]
pub struct ReceiverBuilder {
    decoder: Arc<dyn WebhookDecoder>,
    verifier: Arc<dyn Verifier>,
    verify_token: Option<String>,
    dedup: Option<Deduplicator>,
    queue: usize,
    queue_wait: Duration,
    inbox: Option<Arc<dyn Inbox>>,
    body_limit: usize,
}

/// Entry point: [`Receiver::builder`].
#[derive(Debug)]
pub struct Receiver;

impl Receiver {
    /// A receiver for one provider's format, checked by `verifier`.
    pub fn builder(decoder: impl WebhookDecoder, verifier: impl Verifier) -> ReceiverBuilder {
        ReceiverBuilder {
            decoder: Arc::new(decoder),
            verifier: Arc::new(verifier),
            verify_token: None,
            dedup: Some(Deduplicator::in_memory()),
            queue: DEFAULT_QUEUE,
            queue_wait: DEFAULT_QUEUE_WAIT,
            inbox: None,
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }
}

impl ReceiverBuilder {
    /// Answers the `hub.challenge` handshake for this token. Without one, GET answers 403.
    pub fn verify_token(mut self, token: impl Into<String>) -> Self {
        self.verify_token = Some(token.into());
        self
    }

    /// Replaces the in-memory de-duplication (for a shared store, or another TTL).
    pub fn dedup(mut self, dedup: Deduplicator) -> Self {
        self.dedup = Some(dedup);
        self
    }

    /// Delivers duplicates too.
    pub fn no_dedup(mut self) -> Self {
        self.dedup = None;
        self
    }

    /// The queue's capacity in events. Default [`DEFAULT_QUEUE`].
    pub fn queue_capacity(mut self, n: usize) -> Self {
        self.queue = n.max(1);
        self
    }

    /// How long a request waits for room in a full in-memory queue before it is answered
    /// 503. Default [`DEFAULT_QUEUE_WAIT`].
    pub fn queue_wait(mut self, wait: Duration) -> Self {
        self.queue_wait = wait;
        self
    }

    /// Appends events to `inbox` (a durable, shared one) instead of the in-memory queue.
    /// The inbox de-duplicates by the keys it is given (its own store and TTL); the
    /// builder's [`dedup`](Self::dedup) store then goes unused, and [`no_dedup`](Self::no_dedup)
    /// still turns keys off. The returned [`Events`] then stays empty: read the inbox with
    /// its own workers.
    pub fn inbox(mut self, inbox: Arc<dyn Inbox>) -> Self {
        self.inbox = Some(inbox);
        self
    }

    /// The largest body accepted. Default [`DEFAULT_BODY_LIMIT`].
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The router (GET and POST on `/`; nest it where you like) and the queue's end.
    pub fn build(self) -> (Router, Events) {
        let (tx, rx) = mpsc::channel(self.queue);
        let keyed = self.dedup.is_some();
        let inbox = self.inbox.unwrap_or_else(|| {
            Arc::new(MemoryInbox {
                tx,
                dedup: self.dedup,
                wait: self.queue_wait,
            })
        });
        let state = Arc::new(Shared {
            decoder: self.decoder,
            verifier: self.verifier,
            verify_token: self.verify_token,
            keyed,
            inbox,
        });
        let router = Router::new()
            .route("/", get(handshake).post(events))
            .layer(DefaultBodyLimit::max(self.body_limit))
            .with_state(state);
        (router, Events(rx))
    }
}

struct Shared {
    decoder: Arc<dyn WebhookDecoder>,
    verifier: Arc<dyn Verifier>,
    verify_token: Option<String>,
    /// Whether events carry de-duplication keys to the inbox.
    keyed: bool,
    inbox: Arc<dyn Inbox>,
}

async fn handshake(State(s): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let Some(token) = &s.verify_token else {
        return (StatusCode::FORBIDDEN, "no verify token configured").into_response();
    };
    match verify_challenge(query.as_deref().unwrap_or(""), token) {
        Ok(challenge) => ([(header::CONTENT_TYPE, "text/plain")], challenge).into_response(),
        Err(e) => (StatusCode::FORBIDDEN, e.to_string()).into_response(),
    }
}

async fn events(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let request = WebhookRequest {
        method: &axum::http::Method::POST,
        headers: &headers,
        query: query.as_deref(),
        body: &body,
    };
    if let Err(e) = s.verifier.verify(&request) {
        tracing::warn!(error = %e, "webhook rejected");
        return (StatusCode::UNAUTHORIZED, e.to_string()).into_response();
    }
    let decoded = match s.decoder.decode(&request) {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "webhook body not decodable");
            return (StatusCode::BAD_REQUEST, e.to_string()).into_response();
        }
    };
    for e in &decoded.errors {
        tracing::warn!(error = %e, "webhook item skipped");
    }
    let format = s.decoder.format();
    if decoded.events.is_empty() {
        return StatusCode::OK.into_response();
    }
    let entries = decoded
        .events
        .into_iter()
        .map(|decoded_event| {
            // A view into the body where the decoder found the item: no copy, no parse.
            let raw = RawJson::from_body(&body, decoded_event.raw());
            InboxEntry {
                key: if s.keyed {
                    Deduplicator::key(format, &decoded_event.event)
                } else {
                    None
                },
                received: Received {
                    event: decoded_event.event,
                    raw,
                    format,
                },
            }
        })
        .collect::<Vec<_>>();
    let count = entries.len();
    match s.inbox.append(entries).await {
        Ok(_) => StatusCode::OK.into_response(),
        Err(InboxError::Closed) => {
            tracing::error!(
                events = count,
                "webhook refused with 500: the handler side is gone (the Events receiver was dropped), so nothing can be queued"
            );
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "no handler is reading events",
            )
                .into_response()
        }
        Err(e) => {
            tracing::warn!(events = count, error = %e, "webhook not stored: asking the provider to retry");
            let mut r =
                (StatusCode::SERVICE_UNAVAILABLE, format!("{e}, retry later")).into_response();
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            r
        }
    }
}
