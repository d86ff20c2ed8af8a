//! The on-prem flat format: top-level `contacts`, `messages`, `statuses`, `errors`. Sent by
//! the on-prem client and forwarded by Tujenge.

use serde_json::value::RawValue;
use waba_types::BusinessRef;

use super::items::{ItemsW, push, shape_or_json, unknown_event};
use crate::decode::{Decoded, WebhookDecoder};
use crate::error::WebhookError;
use crate::request::WebhookRequest;

/// Decodes on-prem flat webhooks (on-prem client, Tujenge).
#[derive(Debug, Clone, Copy, Default)]
pub struct OnPremDecoder;

impl WebhookDecoder for OnPremDecoder {
    fn format(&self) -> &'static str {
        "onprem"
    }

    fn decode<'a>(&self, request: &WebhookRequest<'a>) -> Result<Decoded<'a>, WebhookError> {
        let items: ItemsW<'a> =
            crate::formats::from_slice(request.body).map_err(|e| shape_or_json(&e, "onprem"))?;
        let mut out = Decoded::default();
        decode_flat(items, &BusinessRef::default(), request.body, &mut out);
        Ok(out)
    }
}

/// Decodes a flat batch; a body with none of the item lists is kept whole as unknown.
pub(crate) fn decode_flat<'a>(
    items: ItemsW<'a>,
    business: &BusinessRef,
    body: &'a [u8],
    out: &mut Decoded<'a>,
) {
    if items.is_empty() {
        if let Ok(raw) = crate::formats::from_slice::<&RawValue>(body) {
            let event = unknown_event(Some("onprem"), String::new(), raw);
            push(out, raw, Ok(event), "onprem", String::new);
        }
        return;
    }
    items.decode_into(business, "", out);
}
