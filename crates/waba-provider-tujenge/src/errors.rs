//! Tujenge's own error bodies: `{"meta": {"success", "http_code", "developer_message",
//! "details"}}` (and 360dialog's camelCase spelling). Errors from the API behind the proxy
//! keep the on-prem shape and go to `waba-provider-onprem`'s table.

use serde::Deserialize;
use waba_core::{Error, Refinement};

#[derive(Deserialize)]
struct Gateway {
    meta: GatewayMeta,
}

#[derive(Deserialize)]
struct GatewayMeta {
    #[serde(default)]
    success: Option<bool>,
    #[serde(default, alias = "httpCode")]
    http_code: Option<u16>,
    #[serde(default, alias = "developerMessage")]
    developer_message: Option<String>,
    #[serde(default)]
    details: Option<Vec<String>>,
}

/// The proxy's own error, if the response is one: the status's verdict, refined by the
/// status the body names.
pub fn gateway_error(response: &http::Response<bytes::Bytes>) -> Option<Error> {
    let refinement = gateway_refinement(response)?;
    Some(waba_core::classify_response(
        &crate::ID,
        response,
        refinement,
    ))
}

/// What the proxy's own error body adds to the status, if the response is one.
///
/// A body `http_code` of 502 is documented as "the WhatsApp Business stack is not running"
/// ([d360-err]): the proxy answered for a stack that never saw the request, so it was not
/// processed.
fn gateway_refinement(response: &http::Response<bytes::Bytes>) -> Option<Refinement> {
    if response.status().is_success() {
        return None;
    }
    let g: Gateway = serde_json::from_slice(response.body()).ok()?;
    if g.meta.success == Some(true)
        || (g.meta.developer_message.is_none() && g.meta.http_code.is_none())
    {
        return None;
    }
    let named = g
        .meta
        .http_code
        .and_then(|c| http::StatusCode::from_u16(c).ok());
    let mut message = g.meta.developer_message.unwrap_or_default();
    if let Some(details) = g.meta.details.filter(|d| !d.is_empty()) {
        message = format!("{message} ({})", details.join("; "));
    }
    let kind = named.map(|s| {
        waba_core::classify_status(s, response.headers())
            .kind()
            .clone()
    });
    Some(
        Refinement::none()
            .with_kind(kind)
            .not_processed(named == Some(http::StatusCode::BAD_GATEWAY))
            .with_message(message),
    )
}
