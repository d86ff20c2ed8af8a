//! The Meta Cloud envelope: `object` / `entry[]` / `changes[]` / `value`. Sent by the Meta
//! Cloud API and the generic v2 API (and relayed by EnableX).

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use waba_types::{BusinessRef, ErrorReport, Event, TemplateStatus, TemplateStatusUpdate};

use super::items::{
    Batch, ContactW, ErrorW, ItemsW, MessageW, StatusW, convert_message, convert_status, parse,
    push, shape_or_json, unknown_event,
};
use super::lenient;
use crate::decode::{Decoded, DecodedEvent, List, Location, WebhookDecoder};
use crate::error::{ItemError, WebhookError};
use crate::request::WebhookRequest;

/// Decodes Cloud-envelope webhooks.
#[derive(Debug, Clone, Copy, Default)]
pub struct CloudDecoder;

impl WebhookDecoder for CloudDecoder {
    fn format(&self) -> &'static str {
        "cloud"
    }

    fn decode<'a>(&self, request: &WebhookRequest<'a>) -> Result<Decoded<'a>, WebhookError> {
        if let Some(decoded) = decode_fast(request.body) {
            return Ok(decoded);
        }
        let envelope: EnvelopeW<'a> =
            serde_json::from_slice(request.body).map_err(|e| shape_or_json(&e, "cloud"))?;
        let entries = envelope.entry.ok_or_else(|| WebhookError::Shape {
            format: "cloud",
            reason: "no entry array".to_owned(),
        })?;
        let mut out = Decoded::default();
        decode_entries(entries, None, &mut out);
        Ok(out)
    }
}

#[derive(Deserialize)]
pub(crate) struct EnvelopeW<'a> {
    #[serde(borrow, default)]
    pub(crate) entry: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct EntryW<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    id: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "lenient::timestamp")]
    time: Option<u64>,
    #[serde(borrow, default)]
    changes: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct ChangeW<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    field: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    value: Option<&'a RawValue>,
}

/// A `messages` change's value. Metadata and contacts are kept raw and decoded on their
/// own, so when they do not fit, the items still decode.
#[derive(Deserialize)]
struct MessagesValueW<'a> {
    #[serde(borrow, default)]
    metadata: Option<&'a RawValue>,
    #[serde(borrow, default)]
    contacts: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    messages: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    statuses: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    errors: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct MetadataW<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    display_phone_number: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    phone_number_id: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct TemplateW<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    event: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    message_template_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    message_template_name: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    message_template_language: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    reason: Option<Cow<'a, str>>,
}

/// The common case in one pass (also for EnableX, whose `business_phone` it reads): every
/// change is a `messages` change, every item well-formed and of a known type. Items are
/// decoded where they stand, and an event's raw JSON is found only when asked for. Anything
/// else returns `None`, and the caller takes the path that isolates bad items and keeps
/// unknown ones whole.
pub(crate) fn decode_fast(body: &[u8]) -> Option<Decoded<'_>> {
    let envelope: FastEnvelopeW<'_> = serde_json::from_slice(body).ok()?;
    let business_phone = envelope.business_phone.as_deref();
    let mut out = Decoded {
        events: Vec::with_capacity(1),
        errors: Vec::new(),
    };
    for (e, entry) in envelope.entry.into_iter().enumerate() {
        for (c, change) in entry.changes.into_iter().enumerate() {
            if change.field != "messages" {
                return None;
            }
            let v = change.value;
            if v.messages.is_none() && v.statuses.is_none() && v.errors.is_none() {
                return None;
            }
            let (phone_number_id, display) = v.metadata.map_or((None, None), |m| {
                (m.phone_number_id, m.display_phone_number)
            });
            let business = BusinessRef {
                account_id: entry.id.as_deref().map(str::to_owned),
                display_phone_number: display
                    .map(Cow::into_owned)
                    .or_else(|| business_phone.map(str::to_owned)),
                phone_number_id: phone_number_id.map(Cow::into_owned),
            };
            let contacts = v.contacts.unwrap_or_default();
            let batch = Batch {
                business: &business,
                contacts: &contacts,
            };
            let at = |list, index| Location {
                entry: e,
                change: c,
                list,
                index,
            };
            for (i, m) in v.messages.unwrap_or_default().into_iter().enumerate() {
                let event = convert_message(m, &batch, None).ok()?;
                out.events
                    .push(DecodedEvent::located(event, body, at(List::Messages, i)));
            }
            for (i, s) in v.statuses.unwrap_or_default().into_iter().enumerate() {
                let event = convert_status(s, &batch).ok()?;
                out.events
                    .push(DecodedEvent::located(event, body, at(List::Statuses, i)));
            }
            for (i, err) in v.errors.unwrap_or_default().into_iter().enumerate() {
                let event = Event::Errors(ErrorReport {
                    errors: vec![err.into_api()],
                    recipient: None,
                    business: business.clone(),
                });
                out.events
                    .push(DecodedEvent::located(event, body, at(List::Errors, i)));
            }
        }
    }
    Some(out)
}

#[derive(Deserialize)]
struct FastEnvelopeW<'a> {
    #[serde(borrow)]
    entry: Vec<FastEntryW<'a>>,
    /// EnableX's addition beside the envelope.
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    business_phone: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct FastEntryW<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    changes: Vec<FastChangeW<'a>>,
}

#[derive(Deserialize)]
struct FastChangeW<'a> {
    #[serde(borrow)]
    field: Cow<'a, str>,
    #[serde(borrow)]
    value: FastValueW<'a>,
}

/// A `messages` value with its items typed in place.
#[derive(Deserialize)]
struct FastValueW<'a> {
    #[serde(borrow, default)]
    metadata: Option<MetadataW<'a>>,
    #[serde(borrow, default)]
    contacts: Option<Vec<ContactW<'a>>>,
    #[serde(borrow, default)]
    messages: Option<Vec<MessageW<'a>>>,
    #[serde(borrow, default)]
    statuses: Option<Vec<StatusW<'a>>>,
    #[serde(borrow, default)]
    errors: Option<Vec<ErrorW<'a>>>,
}

/// Decodes `entry[]`; `business_phone` is what a relay (EnableX) adds beside the envelope.
/// An entry or change that does not fit becomes an [`Event::Unknown`] with its location and
/// the reason; metadata that does not fit is reported in [`Decoded::errors`] and the
/// change's items still decode.
pub(crate) fn decode_entries<'a>(
    entries: Vec<&'a RawValue>,
    business_phone: Option<&str>,
    out: &mut Decoded<'a>,
) {
    for (e, raw_entry) in entries.into_iter().enumerate() {
        let entry: EntryW<'a> = match serde_json::from_str(raw_entry.get()) {
            Ok(entry) => entry,
            Err(err) => {
                push(out, raw_entry, Err(err.to_string()), "entry", || {
                    format!("/entry/{e}")
                });
                continue;
            }
        };
        for (c, raw_change) in entry.changes.unwrap_or_default().into_iter().enumerate() {
            let path = format!("/entry/{e}/changes/{c}");
            let change: ChangeW<'a> = match serde_json::from_str(raw_change.get()) {
                Ok(change) => change,
                Err(err) => {
                    push(out, raw_change, Err(err.to_string()), "changes", || path);
                    continue;
                }
            };
            let mut business = BusinessRef {
                account_id: entry.id.as_deref().map(str::to_owned),
                display_phone_number: business_phone.map(str::to_owned),
                phone_number_id: None,
            };
            let Some(value) = change.value else {
                push(
                    out,
                    raw_change,
                    Err("a change without a value".to_owned()),
                    change.field.as_deref().unwrap_or("changes"),
                    || path,
                );
                continue;
            };
            decode_change(
                change.field.as_deref(),
                value,
                &mut business,
                entry.time,
                &path,
                out,
            );
        }
    }
}

fn decode_change<'a>(
    field: Option<&str>,
    value: &'a RawValue,
    business: &mut BusinessRef,
    time: Option<u64>,
    path: &str,
    out: &mut Decoded<'a>,
) {
    let at = || format!("{path}/value");
    // A change without its `field` is still a `messages` change when its value has the lists.
    let parsed = serde_json::from_str::<MessagesValueW<'a>>(value.get());
    let field = match (field, &parsed) {
        (Some(f), _) => f,
        (None, Ok(v)) if v.messages.is_some() || v.statuses.is_some() || v.errors.is_some() => {
            "messages"
        }
        (None, _) => {
            push(
                out,
                value,
                Err("a change without a field name".to_owned()),
                "changes",
                at,
            );
            return;
        }
    };
    match field {
        "messages" => match parsed {
            Ok(v) => {
                if let Some(raw) = v.metadata {
                    let scratch = std::cell::OnceCell::new();
                    match parse::<MetadataW<'_>>(raw, &scratch) {
                        Ok(m) => {
                            business.phone_number_id = m.phone_number_id.map(Cow::into_owned);
                            if let Some(d) = m.display_phone_number {
                                business.display_phone_number = Some(d.into_owned());
                            }
                        }
                        Err(reason) => out.errors.push(ItemError {
                            path: format!("{path}/value/metadata"),
                            reason,
                        }),
                    }
                }
                let items = ItemsW {
                    contacts: v.contacts,
                    messages: v.messages,
                    statuses: v.statuses,
                    errors: v.errors,
                };
                if items.is_empty() {
                    let event = unknown_event(Some("messages"), at(), value);
                    push(out, value, Ok(event), "messages", at);
                } else {
                    items.decode_into(business, &at(), out);
                }
            }
            Err(err) => push(out, value, Err(err.to_string()), "messages", at),
        },
        "message_template_status_update" => {
            let scratch = std::cell::OnceCell::new();
            let result = parse::<TemplateW<'_>>(value, &scratch).and_then(|t| {
                let name = t.message_template_name.ok_or("no message_template_name")?;
                let status = t.event.ok_or("no event")?;
                Ok(Event::TemplateStatus(TemplateStatusUpdate {
                    template_id: t.message_template_id.map(Cow::into_owned),
                    name: name.into_owned(),
                    language: t.message_template_language.map(Cow::into_owned),
                    status: TemplateStatus::parse(&status),
                    reason: t.reason.map(Cow::into_owned),
                    timestamp: time,
                    business: business.clone(),
                }))
            });
            push(out, value, result, field, at);
        }
        other => {
            let event = unknown_event(Some(other), at(), value);
            push(out, value, Ok(event), other, at);
        }
    }
}
