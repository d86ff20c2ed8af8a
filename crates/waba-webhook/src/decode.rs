//! The [`WebhookDecoder`] trait and what decoders return.

use serde_json::value::RawValue;
use waba_types::Event;

use crate::error::{ItemError, WebhookError};
use crate::request::WebhookRequest;

/// Turns a provider's webhook body into unified [`Event`]s. Sans-IO: no HTTP, no runtime.
///
/// Decoders are lossless and tolerant: unknown fields are ignored, unknown message types and
/// statuses become `Unknown` variants with their raw JSON, and a malformed item costs only
/// itself ([`Decoded::errors`]). They never panic, whatever the bytes.
///
/// Decoding does not verify: run a [`crate::Verifier`] on the same request first.
pub trait WebhookDecoder: std::fmt::Debug + Send + Sync + 'static {
    /// The wire format's name (`cloud`, `onprem`, `mobile-gateway`, `enablex`).
    fn format(&self) -> &'static str;

    /// Decodes the request's body.
    fn decode<'a>(&self, request: &WebhookRequest<'a>) -> Result<Decoded<'a>, WebhookError>;
}

/// What a body decoded into.
#[derive(Debug, Default)]
pub struct Decoded<'a> {
    /// The events, in body order.
    pub events: Vec<DecodedEvent<'a>>,
    /// Items that could not be decoded.
    pub errors: Vec<ItemError>,
}

impl Decoded<'_> {
    /// The events alone, owned.
    pub fn into_events(self) -> Vec<Event> {
        self.events.into_iter().map(|e| e.event).collect()
    }
}

/// One event and the exact JSON it came from.
#[derive(Debug)]
pub struct DecodedEvent<'a> {
    /// The unified event.
    pub event: Event,
    /// The provider's JSON for this item, borrowed from the body.
    pub raw: &'a RawValue,
}
