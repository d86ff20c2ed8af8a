//! The v2 API's JSON: its three simple routes, the template route, and its answers.

use serde::{Deserialize, Serialize};
pub(crate) use waba_meta_wire::{Addressee, TypeObject};

/// `POST /send-message`.
#[derive(Serialize)]
pub(crate) struct SendMessage<'a> {
    pub(crate) phone_number: &'a str,
    pub(crate) message: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) preview_url: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reply_to: Option<&'a str>,
}

/// `POST /send-media`.
#[derive(Serialize)]
pub(crate) struct SendMedia<'a> {
    pub(crate) phone_number: &'a str,
    pub(crate) media_type: &'static str,
    pub(crate) media_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) caption: Option<&'a str>,
}

/// `POST /messages`: a Cloud-style template body without `messaging_product`.
#[derive(Serialize)]
pub(crate) struct TemplateMessage<'a> {
    /// `to` (phone digits) or `recipient` (a business-scoped user id), as in the Cloud API.
    #[serde(flatten)]
    pub(crate) to: Addressee<'a>,
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    #[serde(flatten)]
    pub(crate) object: TypeObject<'a>,
}

/// Every answer: success (`message_id`, `timestamp`, `recipient`), a status (`status` is the
/// delivery state), or an error (`code`, `message`, `details`).
#[derive(Deserialize)]
pub(crate) struct Answer {
    #[serde(default)]
    pub(crate) status: Option<String>,
    #[serde(default)]
    pub(crate) message_id: Option<String>,
    #[serde(default)]
    pub(crate) timestamp: Option<String>,
    #[serde(default)]
    pub(crate) recipient: Option<String>,
    #[serde(default)]
    pub(crate) code: Option<i64>,
    #[serde(default)]
    pub(crate) message: Option<String>,
    #[serde(default)]
    pub(crate) details: Option<String>,
}
