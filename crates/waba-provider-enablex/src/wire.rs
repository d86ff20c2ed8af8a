//! EnableX's JSON: an on-prem-style body (Meta's objects, `preview_url` beside `text`,
//! `language.policy`), the token API, and its answers.

use serde::{Deserialize, Serialize};
pub(crate) use waba_meta_wire::{ContextRef, TypeObject};

/// `POST /messages`.
#[derive(Serialize)]
pub(crate) struct SendBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) from: Option<&'a str>,
    pub(crate) to: &'a str,
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) preview_url: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) context: Option<ContextRef<'a>>,
    #[serde(flatten)]
    pub(crate) object: TypeObject<'a>,
}

/// `POST /token`.
#[derive(Serialize)]
pub(crate) struct TokenRequest<'a> {
    pub(crate) app_id: &'a str,
    pub(crate) app_key: &'a str,
}

/// The token answer: `expiry` is Unix seconds, UTC.
#[derive(Deserialize)]
pub(crate) struct TokenAnswer {
    pub(crate) token: String,
    #[serde(default)]
    pub(crate) expiry: Option<u64>,
}

/// The send answer: `{"status": "processing", "message_id": …}`.
#[derive(Deserialize)]
pub(crate) struct SendAnswer {
    #[serde(default)]
    pub(crate) status: Option<String>,
    #[serde(default)]
    pub(crate) message_id: Option<String>,
}

/// Every error shape EnableX is known to answer with: the auth failure (`message`,
/// `status`, `reason`), a failed status carrying Meta's errors (the seed's example), or
/// Meta's own `error` envelope passed through.
#[derive(Deserialize, Default)]
pub(crate) struct ErrorAnswer {
    #[serde(default)]
    pub(crate) message: Option<String>,
    #[serde(default)]
    pub(crate) status: Option<String>,
    #[serde(default)]
    pub(crate) reason: Option<String>,
    #[serde(default)]
    pub(crate) statuses: Vec<FailedStatus>,
    #[serde(default)]
    pub(crate) errors: Vec<MetaError>,
    #[serde(default)]
    pub(crate) error: Option<MetaError>,
}

#[derive(Deserialize, Default)]
pub(crate) struct FailedStatus {
    #[serde(default)]
    pub(crate) errors: Vec<MetaError>,
}

#[derive(Deserialize, Default, Clone)]
pub(crate) struct MetaError {
    #[serde(default)]
    pub(crate) code: Option<i64>,
    #[serde(default)]
    pub(crate) title: Option<String>,
    #[serde(default)]
    pub(crate) message: Option<String>,
}
