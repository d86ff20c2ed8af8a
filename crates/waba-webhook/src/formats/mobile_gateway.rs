//! Mobile Gateway (Modica) callbacks: the MO callback `{id, source, Destination, content}`
//! whose `content` is a Meta inbound message as an object, as a JSON string, or base64; and
//! the DLR callback `{id, status, reference}`. One decoder takes both, so both callback URLs
//! may point at one route.

use std::borrow::Cow;

use base64::Engine as _;
use serde::Deserialize;
use serde_json::value::RawValue;
use waba_types::{
    BusinessRef, DeliveryStatus, Event, InboundContent, InboundMessage, StatusUpdate, WaId,
};

use super::items::{lone_message, push, shape_or_json};
use super::lenient;
use crate::decode::{Decoded, WebhookDecoder};
use crate::error::WebhookError;
use crate::request::WebhookRequest;

/// Decodes Mobile Gateway MO and DLR callbacks.
#[derive(Debug, Clone, Copy, Default)]
pub struct MobileGatewayDecoder;

#[derive(Deserialize)]
struct CallbackW<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    source: Option<Cow<'a, str>>,
    // The seed documents a capital D; accept the lower-case spelling too.
    #[serde(
        borrow,
        default,
        rename = "Destination",
        alias = "destination",
        deserialize_with = "lenient::opt_id"
    )]
    destination: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    content: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    status: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    reference: Option<Cow<'a, str>>,
}

/// The DLR words onto the unified states [mobile-gateway.md §9b]: `received` (the carrier
/// reports it received) is delivered, `rejected` and `expired` are failed. Other words are
/// Meta's (`sent`, `delivered`, `read`, `failed`) or unknown and parse as such. Returns the
/// word too when it is not the unified one.
fn dlr_status(word: &str) -> (DeliveryStatus, Option<String>) {
    let unified = if word.eq_ignore_ascii_case("received") {
        DeliveryStatus::Delivered
    } else if word.eq_ignore_ascii_case("rejected") || word.eq_ignore_ascii_case("expired") {
        DeliveryStatus::Failed
    } else {
        return (DeliveryStatus::parse(word), None);
    };
    (unified, Some(word.to_owned()))
}

impl WebhookDecoder for MobileGatewayDecoder {
    fn format(&self) -> &'static str {
        "mobile-gateway"
    }

    fn decode<'a>(&self, request: &WebhookRequest<'a>) -> Result<Decoded<'a>, WebhookError> {
        let raw: &'a RawValue = crate::formats::from_slice(request.body)
            .map_err(|e| shape_or_json(&e, "mobile-gateway"))?;
        let cb: CallbackW<'a> =
            crate::formats::from_str(raw.get()).map_err(|e| shape_or_json(&e, "mobile-gateway"))?;
        let mut out = Decoded::default();
        let business = BusinessRef {
            phone_number_id: cb.destination.as_deref().map(str::to_owned),
            ..BusinessRef::default()
        };
        // A JSON object that fits neither callback is still kept, as an unknown event with
        // the reason: a provider that changed its shape must not lose a message silently.
        let result = match (cb.content, cb.status) {
            (Some(content), _) => mo(content, cb.id.as_deref(), cb.source.as_deref(), &business),
            (None, Some(word)) => match cb.id {
                Some(id) => {
                    let (status, raw_status) = dlr_status(&word);
                    let mut update = StatusUpdate::new(id.into_owned(), status);
                    update.raw_status = raw_status;
                    update.business = business;
                    update.client_reference =
                        cb.reference.filter(|r| !r.is_empty()).map(Cow::into_owned);
                    Ok(Event::Status(update))
                }
                None => Err("a DLR callback (status) without an id".to_owned()),
            },
            (None, None) => {
                Err("neither an MO callback (content) nor a DLR callback (status)".to_owned())
            }
        };
        push(&mut out, raw, result, "mobile-gateway", String::new);
        Ok(out)
    }
}

/// Decodes MO `content`: an object, a string of JSON, or base64 of either or of binary data.
fn mo(
    content: &RawValue,
    id: Option<&str>,
    source: Option<&str>,
    business: &BusinessRef,
) -> Result<Event, String> {
    let text = content.get();
    if text.starts_with('{') {
        return lone_message(content, business);
    }
    let inner: String = crate::formats::from_str(text)
        .map_err(|_| "content is neither an object nor a string".to_owned())?;
    let trimmed = inner.trim_start();
    if trimmed.starts_with('{') {
        let raw: Box<RawValue> = crate::formats::from_str(trimmed)
            .map_err(|e| format!("content string is not JSON: {e}"))?;
        return lone_message(&raw, business);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(trimmed.trim())
        .map_err(|_| "content is a string that is neither JSON nor base64".to_owned())?;
    if let Ok(raw) = crate::formats::from_slice::<Box<RawValue>>(&bytes)
        && raw.get().starts_with('{')
    {
        return lone_message(&raw, business);
    }
    // Binary content: keep it, still base64, as an unknown message from the sender. Its id is
    // the callback's; without one the item stays an unknown event, never one with an
    // invented (empty) id.
    let id = id
        .filter(|i| !i.is_empty())
        .ok_or_else(|| "an MO callback with binary content and no id".to_owned())?;
    Ok(Event::Message(InboundMessage {
        id: id.to_owned().into(),
        from: WaId(source.unwrap_or_default().to_owned()),
        from_user_id: None,
        from_parent_user_id: None,
        profile_name: None,
        username: None,
        timestamp: 0,
        business: business.clone(),
        group_id: None,
        context: None,
        referral: None,
        content: InboundContent::Unknown {
            type_name: "binary".to_owned(),
            raw: serde_json::json!({ "base64": trimmed.trim(), "len": bytes.len() }),
            reason: None,
        },
        errors: Vec::new(),
    }))
}
