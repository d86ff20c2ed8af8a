//! [`ReplayTransport`]: scripted responses, recorded requests.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use waba_core::{HttpTransport, TransportError, TransportErrorKind};

enum Reply {
    Response(http::Response<Bytes>),
    Error(TransportErrorKind),
}

#[derive(Default)]
struct State {
    replies: VecDeque<Reply>,
    requests: Vec<RecordedRequest>,
}

/// An [`HttpTransport`] that answers each request with the next scripted reply and records
/// every request. Clones share the script and the record, so a test keeps one clone while
/// the adapter owns another.
///
/// When the script runs out, requests fail with [`TransportErrorKind::Request`] and a
/// message saying so, which makes a missing reply obvious in a test.
#[derive(Clone, Default)]
pub struct ReplayTransport {
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for ReplayTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.lock();
        f.debug_struct("ReplayTransport")
            .field("pending_replies", &s.replies.len())
            .field("recorded_requests", &s.requests.len())
            .finish()
    }
}

impl ReplayTransport {
    /// An empty script.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Queues a response.
    pub fn push_response(&self, response: http::Response<Bytes>) -> &Self {
        self.lock().replies.push_back(Reply::Response(response));
        self
    }

    /// Queues a response with a JSON body.
    pub fn push_json(&self, status: u16, body: &serde_json::Value) -> &Self {
        self.push_raw(
            status,
            &[("content-type", "application/json")],
            body.to_string(),
        )
    }

    /// Queues a response with headers and a raw body.
    pub fn push_raw(&self, status: u16, headers: &[(&str, &str)], body: impl Into<Bytes>) -> &Self {
        let mut builder = http::Response::builder().status(status);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        self.push_response(
            builder
                .body(body.into())
                .expect("a valid scripted response"),
        )
    }

    /// Queues a transport failure.
    pub fn push_error(&self, kind: TransportErrorKind) -> &Self {
        self.lock().replies.push_back(Reply::Error(kind));
        self
    }

    /// The requests sent so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    /// How many scripted replies are left.
    pub fn pending(&self) -> usize {
        self.lock().replies.len()
    }
}

#[async_trait]
impl HttpTransport for ReplayTransport {
    async fn send(
        &self,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, TransportError> {
        let (parts, body) = request.into_parts();
        let mut state = self.lock();
        state.requests.push(RecordedRequest {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body,
        });
        match state.replies.pop_front() {
            Some(Reply::Response(r)) => Ok(r),
            Some(Reply::Error(kind)) => {
                Err(TransportError::new(kind, "scripted transport failure"))
            }
            None => Err(TransportError::new(
                TransportErrorKind::Request,
                "ReplayTransport: no scripted reply left for this request",
            )),
        }
    }
}

/// A request as a transport received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// Its method.
    pub method: http::Method,
    /// Its URI.
    pub uri: http::Uri,
    /// Its headers, credentials included (redact before printing: [`crate::snapshot`]).
    pub headers: http::HeaderMap,
    /// Its body.
    pub body: Bytes,
}

impl RecordedRequest {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the request body is JSON")
    }

    /// The rendering used in snapshots: method, path and query, headers with secrets
    /// redacted, and the body (as JSON when it is).
    pub fn snapshot(&self) -> serde_json::Value {
        crate::snapshot::render(&self.method, &self.uri, &self.headers, &self.body)
    }
}
