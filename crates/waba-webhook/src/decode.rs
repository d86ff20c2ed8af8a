//! The [`WebhookDecoder`] trait and what decoders return.

use serde_json::value::RawValue;
use waba_types::Event;

use crate::error::{ItemError, WebhookError};
use crate::request::WebhookRequest;

/// Turns a provider's webhook body into unified [`Event`]s. Sans-IO: no HTTP, no runtime.
///
/// Decoders are lossless and tolerant: unknown fields are ignored, scalars drift between
/// string and number (and `null` means absent) without cost, unknown message types and
/// statuses become `Unknown` variants with their raw JSON, and an item that still cannot be
/// typed becomes an `Event::Unknown` with its location and the reason: never nothing. They
/// never panic, whatever the bytes.
///
/// Decoding does not verify: run a [`crate::Verifier`] on the same request first.
pub trait WebhookDecoder: std::fmt::Debug + Send + Sync + 'static {
    /// The wire format's name (`cloud`, `onprem`, `mobile-gateway`, `enablex`).
    fn format(&self) -> &'static str;

    /// Decodes the request's body.
    fn decode<'a>(&self, request: &WebhookRequest<'a>) -> Result<Decoded<'a>, WebhookError>;
}

impl<T: WebhookDecoder + ?Sized> WebhookDecoder for std::sync::Arc<T> {
    fn format(&self) -> &'static str {
        (**self).format()
    }

    fn decode<'a>(&self, request: &WebhookRequest<'a>) -> Result<Decoded<'a>, WebhookError> {
        (**self).decode(request)
    }
}

impl<T: WebhookDecoder + ?Sized> WebhookDecoder for Box<T> {
    fn format(&self) -> &'static str {
        (**self).format()
    }

    fn decode<'a>(&self, request: &WebhookRequest<'a>) -> Result<Decoded<'a>, WebhookError> {
        (**self).decode(request)
    }
}

/// What a body decoded into.
#[derive(Debug, Default)]
pub struct Decoded<'a> {
    /// The events, in body order.
    pub events: Vec<DecodedEvent<'a>>,
    /// Metadata that could not be decoded (the items beside it were).
    pub errors: Vec<ItemError>,
}

impl Decoded<'_> {
    /// The events alone, owned.
    pub fn into_events(self) -> Vec<Event> {
        self.events.into_iter().map(|e| e.event).collect()
    }
}

/// One event and its JSON: the item as it stands in the body, found by the same pass that
/// decoded it (never by searching the body again).
#[derive(Debug)]
pub struct DecodedEvent<'a> {
    /// The unified event.
    pub event: Event,
    raw: &'a RawValue,
}

impl<'a> DecodedEvent<'a> {
    /// An event whose JSON is `raw`.
    pub fn new(event: Event, raw: &'a RawValue) -> Self {
        Self { event, raw }
    }

    /// The provider's exact JSON for this event, borrowed from the body (for a body that
    /// held one event alone, or an item no decoder could type, the whole body or the item).
    pub fn raw(&self) -> &'a RawValue {
        self.raw
    }

    /// Where [`raw`](Self::raw) is in `body`, as a byte range: `None` when the JSON is not a
    /// slice of `body` (a decoder that built it elsewhere, such as Mobile Gateway's base64
    /// `content`). No parsing: the range is where the borrowed JSON points.
    pub fn span(&self, body: &[u8]) -> Option<std::ops::Range<usize>> {
        span_of(self.raw.get(), body)
    }
}

/// Where `part` lies inside `whole`, when it is a slice of it.
pub(crate) fn span_of(part: &str, whole: &[u8]) -> Option<std::ops::Range<usize>> {
    // Addresses compared as integers: no unsafe, and a `part` from elsewhere is simply
    // outside the range.
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    (end <= whole.len()).then_some(start..end)
}
