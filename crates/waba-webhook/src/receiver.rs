//! An axum receiver: the subscription handshake on GET, verified events on POST, handed to
//! the application through a bounded queue.
//!
//! - GET answers `hub.challenge` when `hub.verify_token` matches (403 otherwise); signature
//!   checks never block it.
//! - POST verifies the raw body (401 on failure), decodes it (400 if it is not this
//!   provider's format), drops duplicates, queues the events and answers 200 at once; the
//!   application's handler runs apart from the provider's request.
//! - When the queue has no room for all of a body's events it answers 503 and queues none of
//!   them, so the provider retries later and nothing is lost; duplicates are only marked seen
//!   once queued.
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

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::value::RawValue;
use tokio::sync::mpsc;
use waba_types::Event;

use crate::decode::WebhookDecoder;
use crate::dedup::Deduplicator;
use crate::handshake::verify_challenge;
use crate::request::WebhookRequest;
use crate::verify::Verifier;

/// The default queue capacity, in events.
pub const DEFAULT_QUEUE: usize = 1024;
/// The default body limit, in bytes.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// An event as the receiver hands it over.
#[derive(Debug)]
pub struct Received {
    /// The unified event.
    pub event: Event,
    /// The provider's JSON for it.
    pub raw: Box<RawValue>,
    /// Which format it came in (the decoder's name).
    pub format: &'static str,
}

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

    /// The largest body accepted. Default [`DEFAULT_BODY_LIMIT`].
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The router (GET and POST on `/`; nest it where you like) and the queue's end.
    pub fn build(self) -> (Router, Events) {
        let (tx, rx) = mpsc::channel(self.queue);
        let state = Arc::new(Shared {
            decoder: self.decoder,
            verifier: self.verifier,
            verify_token: self.verify_token,
            dedup: self.dedup,
            tx,
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
    dedup: Option<Deduplicator>,
    tx: mpsc::Sender<Received>,
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
    // Room for every event first: all of a body is queued, or none of it.
    let Ok(permits) = s.tx.try_reserve_many(decoded.events.len()) else {
        tracing::warn!(
            events = decoded.events.len(),
            "webhook queue full: asking the provider to retry"
        );
        let mut r = (StatusCode::SERVICE_UNAVAILABLE, "queue full, retry later").into_response();
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return r;
    };
    for (permit, decoded_event) in permits.zip(decoded.events) {
        if let Some(dedup) = &s.dedup
            && !dedup.first_time(format, &decoded_event.event).await
        {
            continue;
        }
        // The item's own JSON; the whole body should an item ever not be found again.
        let raw = decoded_event.raw().map_or_else(
            || {
                RawValue::from_string(String::from_utf8_lossy(&body).into_owned())
                    .unwrap_or_default()
            },
            ToOwned::to_owned,
        );
        permit.send(Received {
            event: decoded_event.event,
            raw,
            format,
        });
    }
    StatusCode::OK.into_response()
}
