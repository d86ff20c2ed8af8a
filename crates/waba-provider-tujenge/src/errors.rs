//! Tujenge's own error bodies: `{"meta": {"success", "http_code", "developer_message",
//! "details"}}` (and 360dialog's camelCase spelling). Errors from the API behind the proxy
//! keep the on-prem shape and go to `waba-provider-onprem`'s table.

use serde::Deserialize;
use waba_core::{Error, ProviderId};

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

/// The proxy's own error, if the response is one.
pub fn gateway_error(response: &http::Response<bytes::Bytes>) -> Option<Error> {
    if response.status().is_success() {
        return None;
    }
    let g: Gateway = serde_json::from_slice(response.body()).ok()?;
    if g.meta.success == Some(true)
        || (g.meta.developer_message.is_none() && g.meta.http_code.is_none())
    {
        return None;
    }
    let status = g
        .meta
        .http_code
        .and_then(|c| http::StatusCode::from_u16(c).ok())
        .unwrap_or(response.status());
    let mut message = g.meta.developer_message.unwrap_or_default();
    if let Some(details) = g.meta.details.filter(|d| !d.is_empty()) {
        message = format!("{message} ({})", details.join("; "));
    }
    let err =
        waba_core::classify_status(status, response.headers()).with_provider(ProviderId::TUJENGE);
    Some(if message.is_empty() {
        err
    } else {
        err.with_message(message)
    })
}
