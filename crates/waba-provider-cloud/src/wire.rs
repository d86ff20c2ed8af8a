//! The Cloud API's JSON, field for field: the envelope around Meta's message objects
//! (`waba-meta-wire`), and the responses. Nothing outside this crate sees these types.

use serde::{Deserialize, Serialize};
/// The message objects are Meta's, shared with the on-prem family: one place for them.
pub(crate) use waba_meta_wire::{Addressee, ContextRef, RawObject, TypeObject};

/// `POST /{phone-number-id}/messages`.
#[derive(Serialize)]
pub(crate) struct SendBody<'a> {
    pub(crate) messaging_product: &'static str,
    pub(crate) recipient_type: &'static str,
    /// `to` (phone digits) or `recipient` (a business-scoped user id).
    #[serde(flatten)]
    pub(crate) to: Addressee<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) context: Option<ContextRef<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) biz_opaque_callback_data: Option<&'a str>,
    #[serde(rename = "type")]
    pub(crate) kind: &'a str,
    #[serde(flatten)]
    pub(crate) object: TypeObject<'a>,
}

/// `POST /{phone-number-id}/messages` with `status: read`.
#[derive(Serialize)]
pub(crate) struct ReadBody<'a> {
    pub(crate) messaging_product: &'static str,
    pub(crate) status: &'static str,
    pub(crate) message_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) typing_indicator: Option<TypingW>,
}

#[derive(Serialize)]
pub(crate) struct TypingW {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
}

/// The send response.
#[derive(Deserialize)]
pub(crate) struct SendResponse {
    #[serde(default)]
    pub(crate) contacts: Vec<ContactOut>,
    #[serde(default)]
    pub(crate) messages: Vec<MessageOut>,
}

#[derive(Deserialize)]
pub(crate) struct ContactOut {
    #[serde(default)]
    pub(crate) wa_id: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct MessageOut {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) message_status: Option<String>,
}

/// `{"error": {...}}`.
#[derive(Deserialize)]
pub(crate) struct ErrorEnvelope {
    pub(crate) error: ErrorBody,
}

#[derive(Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default)]
    pub(crate) message: Option<String>,
    #[serde(default)]
    pub(crate) code: Option<i64>,
    #[serde(default)]
    pub(crate) error_data: Option<ErrorData>,
}

#[derive(Deserialize)]
pub(crate) struct ErrorData {
    #[serde(default)]
    pub(crate) details: Option<String>,
}

/// `{"id": "<media id>"}` (upload) and the media URL lookup.
#[derive(Deserialize)]
pub(crate) struct MediaResponse {
    pub(crate) id: Option<String>,
    #[serde(default)]
    pub(crate) url: Option<String>,
    #[serde(default)]
    pub(crate) mime_type: Option<String>,
}

/// `{"success": true}`.
#[derive(Deserialize)]
pub(crate) struct SuccessResponse {
    #[serde(default)]
    pub(crate) success: bool,
}

/// `GET /{waba-id}/message_templates`.
#[derive(Deserialize)]
pub(crate) struct TemplateList {
    #[serde(default)]
    pub(crate) data: Vec<TemplateItem>,
}

#[derive(Deserialize)]
pub(crate) struct TemplateItem {
    #[serde(default)]
    pub(crate) id: Option<String>,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) language: String,
    #[serde(default)]
    pub(crate) status: String,
    #[serde(default)]
    pub(crate) category: Option<String>,
    #[serde(default)]
    pub(crate) components: Option<serde_json::Value>,
}
