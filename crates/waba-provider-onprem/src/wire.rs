//! The on-prem API's JSON: the send body (Meta's message objects in their on-prem flavour)
//! and the `{payload, meta, errors}` response envelope. Tujenge speaks the same.

use serde::{Deserialize, Serialize};
pub(crate) use waba_meta_wire::{ContextRef, TypeObject};

/// `POST /v1/messages`.
#[derive(Serialize)]
pub(crate) struct SendBody<'a> {
    pub(crate) to: &'a str,
    pub(crate) recipient_type: &'static str,
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    /// Beside the type object on-prem (inside `text` on Cloud).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) preview_url: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) context: Option<ContextRef<'a>>,
    #[serde(flatten)]
    pub(crate) object: TypeObject<'a>,
}

/// `PUT /v1/messages/{id}`.
#[derive(Serialize)]
pub(crate) struct StatusBody {
    pub(crate) status: &'static str,
}

/// `POST /v1/contacts`.
#[derive(Serialize)]
pub(crate) struct ContactsBody<'a> {
    pub(crate) blocking: &'static str,
    pub(crate) contacts: Vec<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) force_check: bool,
}

/// Every response: a payload named after the resource, `meta`, and `errors` on failure.
#[derive(Deserialize, Default)]
pub(crate) struct Envelope {
    #[serde(default)]
    pub(crate) messages: Option<Vec<IdW>>,
    #[serde(default)]
    pub(crate) media: Option<Vec<IdW>>,
    #[serde(default)]
    pub(crate) contacts: Option<Vec<ContactW>>,
    #[serde(default)]
    pub(crate) users: Option<Vec<UserW>>,
    #[serde(default)]
    pub(crate) health: Option<serde_json::Value>,
    #[serde(default)]
    pub(crate) meta: Option<MetaW>,
    #[serde(default)]
    pub(crate) errors: Option<Vec<ErrorW>>,
}

#[derive(Deserialize)]
pub(crate) struct IdW {
    pub(crate) id: String,
}

#[derive(Deserialize)]
pub(crate) struct ContactW {
    #[serde(default)]
    pub(crate) input: String,
    #[serde(default)]
    pub(crate) status: String,
    #[serde(default)]
    pub(crate) wa_id: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct UserW {
    pub(crate) token: String,
    #[serde(default)]
    pub(crate) expires_after: Option<String>,
}

#[derive(Deserialize, Default)]
pub(crate) struct MetaW {
    #[serde(default)]
    pub(crate) version: Option<String>,
    #[serde(default)]
    pub(crate) api_status: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct ErrorW {
    #[serde(default)]
    pub(crate) code: i64,
    #[serde(default)]
    pub(crate) title: Option<String>,
    #[serde(default)]
    pub(crate) details: Option<String>,
}
