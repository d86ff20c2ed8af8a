//! The Meta Cloud envelope: `object` / `entry[]` / `changes[]` / `value`. Sent by the Meta
//! Cloud API and the generic v2 API (and relayed by EnableX).

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use waba_types::{BusinessRef, Event, TemplateStatus, TemplateStatusUpdate};

use super::items::{ContactW, ItemsW, push, shape_or_json, unknown_event};
use super::lenient;
use crate::decode::{Decoded, WebhookDecoder};
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
    changes: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct ChangeW<'a> {
    #[serde(borrow)]
    field: Cow<'a, str>,
    #[serde(borrow)]
    value: &'a RawValue,
}

#[derive(Deserialize)]
struct MessagesValueW<'a> {
    #[serde(borrow, default)]
    metadata: Option<MetadataW<'a>>,
    #[serde(borrow, default)]
    contacts: Option<Vec<ContactW<'a>>>,
    #[serde(borrow, default)]
    messages: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    statuses: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    errors: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct MetadataW<'a> {
    #[serde(borrow, default)]
    display_phone_number: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    phone_number_id: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct TemplateW<'a> {
    #[serde(borrow, default)]
    event: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    message_template_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    message_template_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    message_template_language: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    reason: Option<Cow<'a, str>>,
}

/// Decodes `entry[]`; `business_phone` is what a relay (EnableX) adds beside the envelope.
pub(crate) fn decode_entries<'a>(
    entries: Vec<&'a RawValue>,
    business_phone: Option<&str>,
    out: &mut Decoded<'a>,
) {
    for (e, raw_entry) in entries.into_iter().enumerate() {
        let entry: EntryW<'a> = match serde_json::from_str(raw_entry.get()) {
            Ok(entry) => entry,
            Err(err) => {
                out.errors.push(ItemError {
                    path: format!("entry[{e}]"),
                    reason: err.to_string(),
                });
                continue;
            }
        };
        for (c, raw_change) in entry.changes.into_iter().enumerate() {
            let path = format!("entry[{e}].changes[{c}]");
            let change: ChangeW<'a> = match serde_json::from_str(raw_change.get()) {
                Ok(change) => change,
                Err(err) => {
                    out.errors.push(ItemError {
                        path,
                        reason: err.to_string(),
                    });
                    continue;
                }
            };
            let mut business = BusinessRef {
                account_id: entry.id.as_deref().map(str::to_owned),
                display_phone_number: business_phone.map(str::to_owned),
                phone_number_id: None,
            };
            decode_change(change, &mut business, entry.time, &path, out);
        }
    }
}

fn decode_change<'a>(
    change: ChangeW<'a>,
    business: &mut BusinessRef,
    time: Option<u64>,
    path: &str,
    out: &mut Decoded<'a>,
) {
    match change.field.as_ref() {
        "messages" => match serde_json::from_str::<MessagesValueW<'a>>(change.value.get()) {
            Ok(value) => {
                if let Some(m) = value.metadata {
                    business.phone_number_id = m.phone_number_id.map(Cow::into_owned);
                    if let Some(d) = m.display_phone_number {
                        business.display_phone_number = Some(d.into_owned());
                    }
                }
                let items = ItemsW {
                    contacts: value.contacts,
                    messages: value.messages,
                    statuses: value.statuses,
                    errors: value.errors,
                };
                if items.is_empty() {
                    push(
                        out,
                        change.value,
                        Ok(unknown_event("messages", change.value)),
                        String::new,
                    );
                } else {
                    items.decode_into(business, &format!("{path}.value."), out);
                }
            }
            Err(err) => out.errors.push(ItemError {
                path: format!("{path}.value"),
                reason: err.to_string(),
            }),
        },
        "message_template_status_update" => {
            let result = serde_json::from_str::<TemplateW<'_>>(change.value.get())
                .map_err(|e| e.to_string())
                .and_then(|t| {
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
            push(out, change.value, result, || format!("{path}.value"));
        }
        other => push(
            out,
            change.value,
            Ok(unknown_event(other, change.value)),
            String::new,
        ),
    }
}
