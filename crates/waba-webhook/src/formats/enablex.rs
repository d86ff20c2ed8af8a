//! EnableX webhooks. EnableX documents no payload; the evidence (its own error example, and
//! integrations that read it) points to the on-prem flat shape plus `business_phone`, and
//! EnableX may relay Meta's Cloud envelope as is. Both are accepted; `business_phone`
//! becomes the event's business number.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use waba_types::BusinessRef;

use super::cloud::decode_entries;
use super::items::{ItemsW, shape_or_json};
use super::onprem::decode_flat;
use crate::decode::{Decoded, WebhookDecoder};
use crate::error::WebhookError;
use crate::request::WebhookRequest;

/// Decodes EnableX webhooks (flat with `business_phone`, or the Cloud envelope).
#[derive(Debug, Clone, Copy, Default)]
pub struct EnableXDecoder;

#[derive(Deserialize)]
struct EnableXW<'a> {
    #[serde(borrow, default)]
    entry: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default, deserialize_with = "super::lenient::opt_id")]
    business_phone: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    contacts: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    messages: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    statuses: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    errors: Option<Vec<&'a RawValue>>,
}

impl WebhookDecoder for EnableXDecoder {
    fn format(&self) -> &'static str {
        "enablex"
    }

    fn decode<'a>(&self, request: &WebhookRequest<'a>) -> Result<Decoded<'a>, WebhookError> {
        if let Some(decoded) = super::cloud::decode_fast(request.body) {
            return Ok(decoded);
        }
        let body: EnableXW<'a> =
            crate::formats::from_slice(request.body).map_err(|e| shape_or_json(&e, "enablex"))?;
        let mut out = Decoded::default();
        let phone = body.business_phone.as_deref();
        if let Some(entries) = body.entry {
            decode_entries(entries, phone, &mut out);
        } else {
            let business = BusinessRef {
                display_phone_number: phone.map(str::to_owned),
                ..BusinessRef::default()
            };
            let items = ItemsW {
                contacts: body.contacts,
                messages: body.messages,
                statuses: body.statuses,
                errors: body.errors,
            };
            decode_flat(items, &business, request.body, &mut out);
        }
        Ok(out)
    }
}
