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

/// One event and where its JSON is in the body.
#[derive(Debug)]
pub struct DecodedEvent<'a> {
    /// The unified event.
    pub event: Event,
    raw: RawRef<'a>,
}

impl<'a> DecodedEvent<'a> {
    /// An event whose JSON is `raw`.
    pub fn new(event: Event, raw: &'a RawValue) -> Self {
        Self {
            event,
            raw: RawRef::Item(raw),
        }
    }

    pub(crate) fn located(event: Event, body: &'a [u8], at: Location) -> Self {
        Self {
            event,
            raw: RawRef::Located { body, at },
        }
    }

    /// The provider's exact JSON for this event, borrowed from the body. The fast decoding
    /// path does not keep it; it is found on demand.
    pub fn raw(&self) -> Option<&'a RawValue> {
        match self.raw {
            RawRef::Item(raw) => Some(raw),
            RawRef::Located { body, at } => at.find(body),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum RawRef<'a> {
    Item(&'a RawValue),
    Located { body: &'a [u8], at: Location },
}

/// Which list of a Cloud `value` an item is in.
#[derive(Debug, Clone, Copy)]
pub(crate) enum List {
    Messages,
    Statuses,
    Errors,
}

/// Where a Cloud item is: `entry[entry].changes[change].value.<list>[index]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Location {
    pub(crate) entry: usize,
    pub(crate) change: usize,
    pub(crate) list: List,
    pub(crate) index: usize,
}

impl Location {
    fn find(self, body: &[u8]) -> Option<&RawValue> {
        #[derive(serde::Deserialize)]
        struct Env<'b> {
            #[serde(borrow)]
            entry: Vec<&'b RawValue>,
        }
        #[derive(serde::Deserialize)]
        struct Entry<'b> {
            #[serde(borrow)]
            changes: Vec<&'b RawValue>,
        }
        #[derive(serde::Deserialize)]
        struct Change<'b> {
            #[serde(borrow)]
            value: &'b RawValue,
        }
        #[derive(serde::Deserialize)]
        struct Value<'b> {
            #[serde(borrow, default)]
            messages: Vec<&'b RawValue>,
            #[serde(borrow, default)]
            statuses: Vec<&'b RawValue>,
            #[serde(borrow, default)]
            errors: Vec<&'b RawValue>,
        }
        let env: Env<'_> = serde_json::from_slice(body).ok()?;
        let entry: Entry<'_> = serde_json::from_str(env.entry.get(self.entry)?.get()).ok()?;
        let change: Change<'_> =
            serde_json::from_str(entry.changes.get(self.change)?.get()).ok()?;
        let value: Value<'_> = serde_json::from_str(change.value.get()).ok()?;
        let list = match self.list {
            List::Messages => value.messages,
            List::Statuses => value.statuses,
            List::Errors => value.errors,
        };
        list.get(self.index).copied()
    }
}
