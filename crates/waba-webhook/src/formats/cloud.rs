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
use crate::decode::{Decoded, DecodedEvent, WebhookDecoder};
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
            crate::formats::from_slice(request.body).map_err(|e| shape_or_json(&e, "cloud"))?;
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
/// change is a `messages` change, every item well-formed and of a known type. The envelope
/// is typed down to the item lists, each item is kept as its slice of the body and typed
/// from it, so every event leaves with its raw JSON and nothing is looked up again.
/// Anything else returns `None`, and the caller takes the path that isolates bad items and
/// keeps unknown ones whole.
pub(crate) fn decode_fast(body: &[u8]) -> Option<Decoded<'_>> {
    // Checked once here, so the parser need not check each string and slice again.
    let text = std::str::from_utf8(body).ok()?;
    let envelope: FastEnvelopeW<'_> = crate::formats::from_str(text).ok()?;
    let business_phone = envelope.business_phone.as_deref();
    let mut out = Decoded {
        events: Vec::with_capacity(1),
        errors: Vec::new(),
    };
    for entry in envelope.entry {
        for change in entry.changes {
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
            out.events.reserve(
                v.messages.as_ref().map_or(0, Vec::len)
                    + v.statuses.as_ref().map_or(0, Vec::len)
                    + v.errors.as_ref().map_or(0, Vec::len),
            );
            for raw in v.messages.unwrap_or_default() {
                let m: MessageW<'_> = crate::formats::from_str(raw.get()).ok()?;
                let event = convert_message(m, &batch, None).ok()?;
                out.events.push(DecodedEvent::new(event, raw));
            }
            for raw in v.statuses.unwrap_or_default() {
                let s: StatusW<'_> = crate::formats::from_str(raw.get()).ok()?;
                let event = convert_status(s, &batch).ok()?;
                out.events.push(DecodedEvent::new(event, raw));
            }
            for raw in v.errors.unwrap_or_default() {
                let err: ErrorW<'_> = crate::formats::from_str(raw.get()).ok()?;
                let event = Event::Errors(ErrorReport {
                    errors: vec![err.into_api()],
                    recipient: None,
                    business: business.clone(),
                });
                out.events.push(DecodedEvent::new(event, raw));
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

/// A `messages` value: contacts typed in place, the items kept as their slices of the body.
#[derive(Deserialize)]
struct FastValueW<'a> {
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
        let entry: EntryW<'a> = match crate::formats::from_str(raw_entry.get()) {
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
            let change: ChangeW<'a> = match crate::formats::from_str(raw_change.get()) {
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
        "messages" => match crate::formats::from_str::<MessagesValueW<'a>>(value.get()) {
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
        "user_preferences" => {
            match crate::formats::from_str::<PreferencesValueW<'a>>(value.get()) {
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
            }
        }
        "account_update" => {
            push(out, value, account_update(value, business, time), field, at);
        }
        "smb_message_echoes" => match crate::formats::from_str::<EchoesValueW<'a>>(value.get()) {
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
    let l: ListsW = crate::formats::from_str(value.get()).ok()?;
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

#[cfg(test)]
mod tests {
    use std::ops::Range;

    use waba_types::{Event, InboundContent};

    use super::CloudDecoder;
    use crate::decode::WebhookDecoder;
    use crate::formats::parses;
    use crate::request::WebhookRequest;

    /// A Cloud body of `entries` entries of `changes` changes, each with `per` messages
    /// then `per` statuses; `item` may rewrite the text of an item (by its number). Returns
    /// the body and where each item's text was put, in body order.
    fn batch(
        entries: usize,
        changes: usize,
        per: usize,
        item: impl Fn(usize, String) -> String,
    ) -> (String, Vec<Range<usize>>) {
        let mut body = String::from(r#"{"object":"whatsapp_business_account","entry":["#);
        let mut spans = Vec::new();
        let mut n = 0;
        let mut put = |body: &mut String, text: String| {
            spans.push(body.len()..body.len() + text.len());
            body.push_str(&text);
        };
        for e in 0..entries {
            if e > 0 {
                body.push(',');
            }
            body.push_str(r#"{"id":""#);
            body.push_str(&e.to_string());
            body.push_str(r#"","changes":["#);
            for c in 0..changes {
                if c > 0 {
                    body.push(',');
                }
                body.push_str(r#"{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Kerry"},"wa_id":"16315551234"}],"messages":["#);
                for i in 0..per {
                    if i > 0 {
                        body.push(',');
                    }
                    let text = format!(
                        r#"{{"from":"16315551234","id":"wamid.{n}","timestamp":"1750000000","type":"text","text":{{"body":"m {n} \u00e9"}}}}"#
                    );
                    put(&mut body, item(n, text));
                    n += 1;
                }
                body.push_str(r#"],"statuses":["#);
                for i in 0..per {
                    if i > 0 {
                        body.push(',');
                    }
                    let text = format!(
                        r#"{{"id":"wamid.{n}","status":"delivered","timestamp":"1750000000","recipient_id":"16315551234"}}"#
                    );
                    put(&mut body, item(n, text));
                    n += 1;
                }
                body.push_str("]}}");
            }
            body.push_str("]}");
        }
        body.push_str("]}");
        (body, spans)
    }

    /// Decodes `body`, checks that every event's raw JSON is exactly its item's slice of
    /// the body (the same bytes), and returns the events and the number of parses.
    fn decode_checked(body: &str, spans: &[Range<usize>]) -> (Vec<Event>, usize) {
        let headers = http::HeaderMap::new();
        let request = WebhookRequest::post(&headers, body.as_bytes());
        let (decoded, parses) = parses::during(|| CloudDecoder.decode(&request).unwrap());
        assert_eq!(decoded.events.len(), spans.len());
        for (i, (e, want)) in decoded.events.iter().zip(spans).enumerate() {
            assert_eq!(e.span(body.as_bytes()), Some(want.clone()), "event {i}");
            assert_eq!(e.raw().get(), &body[want.clone()], "event {i}");
        }
        (decoded.into_events(), parses)
    }

    #[test]
    fn a_thousand_event_batch_is_one_pass_with_each_raw_its_slice() {
        let (body, spans) = batch(10, 5, 10, |_, t| t);
        let (events, parses) = decode_checked(&body, &spans);
        assert_eq!(events.len(), 1_000);
        // The envelope, then each item from its slice: nothing is looked up again.
        assert_eq!(parses, 1 + 1_000, "parses");
        let Event::Message(m) = &events[0] else {
            panic!("{:?}", events[0])
        };
        assert_eq!(m.profile_name.as_deref(), Some("Kerry"));
    }

    #[test]
    fn a_lenient_reparse_keeps_every_raw_slice_and_a_linear_parse_count() {
        // Item 505's text body is a number: the strict pass fails, the lenient one reads it.
        let (body, spans) = batch(10, 5, 10, |n, t| {
            if n == 505 {
                t.replace(r#""body":"m 505 \u00e9""#, r#""body":505"#)
            } else {
                t
            }
        });
        let (events, parses) = decode_checked(&body, &spans);
        assert_eq!(events.len(), 1_000);
        let Event::Message(m) = &events[505] else {
            panic!("{:?}", events[505])
        };
        assert_eq!(m.content, InboundContent::Text { body: "505".into() });
        // The one-pass attempt (up to the odd item), then the isolating pass: the envelope,
        // each entry, then per change its object, value, metadata and contact, each item,
        // and the odd item's lenient reading. Linear in the items, whatever their number.
        let bound = (1 + 506) + (1 + 10 + 4 * 50 + 1_000 + 2);
        assert!(parses <= bound, "{parses} parses for 1,000 events");
    }

    #[test]
    fn unknown_items_and_changes_keep_their_slice_of_a_batch() {
        // An unknown message type, and a status that cannot be typed: both kept whole.
        let (body, spans) = batch(3, 2, 4, |n, t| match n {
            2 => t.replace(r#""type":"text""#, r#""type":"hologram""#),
            13 => t.replace(r#""id":"wamid.13","#, ""),
            _ => t,
        });
        let (events, _) = decode_checked(&body, &spans);
        let Event::Message(m) = &events[2] else {
            panic!("{:?}", events[2])
        };
        assert!(
            matches!(&m.content, InboundContent::Unknown { type_name, .. } if type_name == "hologram")
        );
        let Event::Unknown(u) = &events[13] else {
            panic!("{:?}", events[13])
        };
        assert_eq!(
            u.location.as_deref(),
            Some("/entry/0/changes/1/value/statuses/1")
        );
    }

    #[test]
    fn an_unknown_change_keeps_its_value_as_raw() {
        let value = r#"{"weird":[1,2,3]}"#;
        let body = format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"something_new","value":{value}}}]}}]}}"#
        );
        let start = body.find(value).unwrap();
        let span = start..start + value.len();
        let (events, _) = decode_checked(&body, std::slice::from_ref(&span));
        assert!(
            matches!(&events[0], Event::Unknown(u) if u.name.as_deref() == Some("something_new"))
        );
    }
}
