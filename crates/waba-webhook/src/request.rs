//! [`WebhookRequest`]: what a decoder and a verifier see of an HTTP request.

/// An incoming webhook request, borrowed from whatever web framework received it. The body
/// is the raw bytes as they arrived: signatures are checked over exactly these.
#[derive(Debug, Clone, Copy)]
pub struct WebhookRequest<'a> {
    /// The method (`GET` for handshakes, `POST` for events).
    pub method: &'a http::Method,
    /// The headers.
    pub headers: &'a http::HeaderMap,
    /// The query string, without `?`.
    pub query: Option<&'a str>,
    /// The raw body.
    pub body: &'a [u8],
}

impl<'a> WebhookRequest<'a> {
    /// A POST request with `headers` and `body`.
    pub fn post(headers: &'a http::HeaderMap, body: &'a [u8]) -> Self {
        Self {
            method: &http::Method::POST,
            headers,
            query: None,
            body,
        }
    }

    /// Borrows an `http::Request` whose body is bytes.
    pub fn from_http<B: AsRef<[u8]>>(request: &'a http::Request<B>) -> Self {
        Self {
            method: request.method(),
            headers: request.headers(),
            query: request.uri().query(),
            body: request.body().as_ref(),
        }
    }

    /// A header's value, when present and valid text.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}
