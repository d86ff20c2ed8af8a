//! Acme's JSON: one send body and one answer.
//!
//! Acme is fictional. Its API (`POST {base}/v1/messages`, key in `X-Acme-Key`) takes the
//! message type object as Meta's Cloud API writes it (`"text": {...}`,
//! `"template": {...}`), as many providers that relay WhatsApp do, so the object comes from
//! `waba-meta-wire` and only the envelope is Acme's own.

use serde::{Deserialize, Serialize};
pub(crate) use waba_meta_wire::TypeObject;

/// `POST /v1/messages`.
#[derive(Serialize)]
pub(crate) struct Send<'a> {
    /// The recipient's number, digits only.
    pub(crate) to: &'a str,
    /// The message type (`text`, `template`), which names the object beside it.
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    /// The caller's reference, echoed in the message's record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reference: Option<&'a str>,
    #[serde(flatten)]
    pub(crate) object: TypeObject<'a>,
}

/// Every answer: `{"id": "acme-…"}` on success, `{"error": {"code", "message"}}` otherwise.
#[derive(Deserialize)]
pub(crate) struct Answer {
    #[serde(default)]
    pub(crate) id: Option<String>,
    #[serde(default)]
    pub(crate) error: Option<ErrorBody>,
}

/// An error: a word code (`outside_window`) and a sentence.
#[derive(Deserialize)]
pub(crate) struct ErrorBody {
    pub(crate) code: String,
    #[serde(default)]
    pub(crate) message: String,
}
