//! The Meta Cloud envelope: `object` / `entry[]` / `changes[]` / `value`. Sent by the Meta
//! Cloud API and the generic v2 API (and relayed by EnableX).

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use waba_types::{
    AccountRestriction, AccountUpdate, BusinessRef, Customer, ErrorReport, Event,
    MarketingPreferenceUpdate, TemplateCategoryUpdate, TemplateNotice, TemplateQualityUpdate,
    TemplateRejection, TemplateStatus, TemplateStatusUpdate, UserId, WaId,
};

use super::items::{
    Batch, ContactW, ErrorW, ItemsW, MessageW, StatusW, convert_message, convert_status, echo,
    parse, push, shape_or_json, unknown_event,
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
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    message_template_category: Option<Cow<'a, str>>,
    #[serde(default)]
    rejection_info: Option<TemplateRejection>,
    #[serde(default)]
    other_info: Option<TemplateNotice>,
    #[serde(borrow, default)]
    disable_info: Option<DisableInfoW<'a>>,
}

#[derive(Deserialize)]
struct DisableInfoW<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    disable_date: Option<Cow<'a, str>>,
}

/// `message_template_quality_update` and `template_category_update` values.
#[derive(Deserialize)]
struct TemplateChangeW<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    message_template_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    message_template_name: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    message_template_language: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    previous_quality_score: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    new_quality_score: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    previous_category: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    new_category: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    correct_category: Option<Cow<'a, str>>,
}

/// A `user_preferences` value: one item per customer choice.
#[derive(Deserialize)]
struct PreferencesValueW<'a> {
    #[serde(borrow, default)]
    metadata: Option<&'a RawValue>,
    #[serde(borrow, default)]
    user_preferences: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct PreferenceW<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    wa_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    user_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    parent_user_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    detail: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    category: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    value: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "lenient::timestamp")]
    timestamp: Option<u64>,
}

/// An `account_update` value.
#[derive(Deserialize)]
struct AccountUpdateW<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    event: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    ban_info: Option<BanInfoW<'a>>,
    #[serde(borrow, default)]
    violation_info: Option<ViolationW<'a>>,
    #[serde(default)]
    restriction_info: Option<Vec<AccountRestriction>>,
}

#[derive(Deserialize)]
struct BanInfoW<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    waba_ban_state: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    waba_ban_date: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct ViolationW<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    violation_type: Option<Cow<'a, str>>,
}

/// An `smb_message_echoes` value.
#[derive(Deserialize)]
struct EchoesValueW<'a> {
    #[serde(borrow, default)]
    metadata: Option<&'a RawValue>,
    #[serde(borrow, default)]
    message_echoes: Option<Vec<&'a RawValue>>,
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
    // A change without its `field` is still decoded when its value shows what it is.
    let Some(field) = field.or_else(|| infer_field(value)) else {
        let reason = "a change without a field name".to_owned();
        push(out, value, Err(reason), "changes", at);
        return;
    };
    match field {
        "messages" => match serde_json::from_str::<MessagesValueW<'a>>(value.get()) {
            Ok(v) => {
                metadata(v.metadata, business, path, out);
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
            push(
                out,
                value,
                template_status(value, business, time),
                field,
                at,
            );
        }
        "message_template_quality_update" | "template_category_update" => {
            let result = template_change(field, value, business, time);
            push(out, value, result, field, at);
        }
        "user_preferences" => match serde_json::from_str::<PreferencesValueW<'a>>(value.get()) {
            Ok(v) => {
                metadata(v.metadata, business, path, out);
                for (i, raw) in v
                    .user_preferences
                    .unwrap_or_default()
                    .into_iter()
                    .enumerate()
                {
                    let result = preference(raw, business);
                    push(out, raw, result, field, || {
                        format!("{path}/value/user_preferences/{i}")
                    });
                }
            }
            Err(err) => push(out, value, Err(err.to_string()), field, at),
        },
        "account_update" => {
            push(out, value, account_update(value, business, time), field, at);
        }
        "smb_message_echoes" => match serde_json::from_str::<EchoesValueW<'a>>(value.get()) {
            Ok(v) => {
                metadata(v.metadata, business, path, out);
                for (i, raw) in v.message_echoes.unwrap_or_default().into_iter().enumerate() {
                    push(out, raw, echo(raw, business), field, || {
                        format!("{path}/value/message_echoes/{i}")
                    });
                }
            }
            Err(err) => push(out, value, Err(err.to_string()), field, at),
        },
        other => {
            let event = unknown_event(Some(other), at(), value);
            push(out, value, Ok(event), other, at);
        }
    }
}

fn own(s: Option<Cow<'_, str>>) -> Option<String> {
    s.map(Cow::into_owned)
}

/// Reads a change's `metadata` into `business`; when it does not fit, says so in
/// [`Decoded::errors`] and leaves the items to decode without it.
fn metadata(raw: Option<&RawValue>, business: &mut BusinessRef, path: &str, out: &mut Decoded<'_>) {
    let Some(raw) = raw else { return };
    let scratch = std::cell::OnceCell::new();
    match parse::<MetadataW<'_>>(raw, &scratch) {
        Ok(m) => {
            business.phone_number_id = own(m.phone_number_id);
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

/// One `user_preferences` item: `stop` opts out of marketing messages, `resume` back in.
fn preference(raw: &RawValue, business: &BusinessRef) -> Result<Event, String> {
    let scratch = std::cell::OnceCell::new();
    let p = parse::<PreferenceW<'_>>(raw, &scratch)?;
    let value = own(p.value).ok_or("no value")?;
    let opted_in = if value.eq_ignore_ascii_case("stop") {
        false
    } else if value.eq_ignore_ascii_case("resume") {
        true
    } else {
        return Err(format!("value {value:?} is neither stop nor resume"));
    };
    let wa_id = own(p.wa_id).map(WaId);
    let user_id = own(p.user_id).map(UserId);
    let parent = own(p.parent_user_id).map(UserId);
    let customer = Customer::from_ids(wa_id.as_ref(), user_id.as_ref(), parent.as_ref())
        .ok_or("no wa_id or user_id")?;
    Ok(Event::MarketingPreference(MarketingPreferenceUpdate {
        customer,
        opted_in,
        value,
        detail: own(p.detail),
        category: own(p.category),
        timestamp: p.timestamp,
        business: business.clone(),
    }))
}

/// The field of a change whose `field` is missing, from the lists its value holds.
fn infer_field(value: &RawValue) -> Option<&'static str> {
    #[derive(Deserialize)]
    struct ListsW {
        #[serde(default)]
        messages: Option<serde::de::IgnoredAny>,
        #[serde(default)]
        statuses: Option<serde::de::IgnoredAny>,
        #[serde(default)]
        errors: Option<serde::de::IgnoredAny>,
        #[serde(default)]
        user_preferences: Option<serde::de::IgnoredAny>,
        #[serde(default)]
        message_echoes: Option<serde::de::IgnoredAny>,
    }
    let l: ListsW = serde_json::from_str(value.get()).ok()?;
    if l.messages.is_some() || l.statuses.is_some() || l.errors.is_some() {
        Some("messages")
    } else if l.user_preferences.is_some() {
        Some("user_preferences")
    } else if l.message_echoes.is_some() {
        Some("smb_message_echoes")
    } else {
        None
    }
}

fn template_status(
    value: &RawValue,
    business: &BusinessRef,
    time: Option<u64>,
) -> Result<Event, String> {
    let scratch = std::cell::OnceCell::new();
    let t = parse::<TemplateW<'_>>(value, &scratch)?;
    let name = t.message_template_name.ok_or("no message_template_name")?;
    let status = t.event.ok_or("no event")?;
    Ok(Event::TemplateStatus(TemplateStatusUpdate {
        template_id: own(t.message_template_id),
        name: name.into_owned(),
        language: own(t.message_template_language),
        status: TemplateStatus::parse(&status),
        reason: own(t.reason),
        category: own(t.message_template_category),
        rejection: t.rejection_info,
        notice: t.other_info,
        disable_date: t.disable_info.and_then(|d| own(d.disable_date)),
        timestamp: time,
        business: business.clone(),
    }))
}

/// `message_template_quality_update` or `template_category_update`.
fn template_change(
    field: &str,
    value: &RawValue,
    business: &BusinessRef,
    time: Option<u64>,
) -> Result<Event, String> {
    let scratch = std::cell::OnceCell::new();
    let t = parse::<TemplateChangeW<'_>>(value, &scratch)?;
    let name = own(t.message_template_name).ok_or("no message_template_name")?;
    if field == "template_category_update" {
        return Ok(Event::TemplateCategory(TemplateCategoryUpdate {
            template_id: own(t.message_template_id),
            name,
            language: own(t.message_template_language),
            previous_category: own(t.previous_category),
            new_category: own(t.new_category),
            correct_category: own(t.correct_category),
            timestamp: time,
            business: business.clone(),
        }));
    }
    Ok(Event::TemplateQuality(TemplateQualityUpdate {
        template_id: own(t.message_template_id),
        name,
        language: own(t.message_template_language),
        previous_score: own(t.previous_quality_score),
        new_score: own(t.new_quality_score).ok_or("no new_quality_score")?,
        timestamp: time,
        business: business.clone(),
    }))
}

fn account_update(
    value: &RawValue,
    business: &BusinessRef,
    time: Option<u64>,
) -> Result<Event, String> {
    let scratch = std::cell::OnceCell::new();
    let a = parse::<AccountUpdateW<'_>>(value, &scratch)?;
    let (ban_state, ban_date) = a.ban_info.map_or((None, None), |b| {
        (own(b.waba_ban_state), own(b.waba_ban_date))
    });
    Ok(Event::AccountUpdate(AccountUpdate {
        event: own(a.event).ok_or("no event")?,
        ban_state,
        ban_date,
        violation_type: a.violation_info.and_then(|v| own(v.violation_type)),
        restrictions: a.restriction_info.unwrap_or_default(),
        timestamp: time,
        business: business.clone(),
    }))
}
