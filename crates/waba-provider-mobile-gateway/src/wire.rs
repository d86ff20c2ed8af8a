//! The WAB REST API's JSON: `destination`/`source` around Meta's Cloud message objects, and
//! its answers.

use serde::{Deserialize, Serialize};
pub(crate) use waba_meta_wire::TypeObject;

/// `POST /messages` and `POST /messages/broadcast`. The recipient is `destination` (the
/// seed and current samples) or `to` (the v1.3.1 reference), as configured.
#[derive(Serialize)]
pub(crate) struct SendBody<'a, R: Serialize> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) destination: Option<R>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) to: Option<R>,
    pub(crate) source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reference: Option<&'a str>,
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    #[serde(flatten)]
    pub(crate) object: TypeObject<'a>,
}

/// One entry of the 202 answer (an array), or of the media answer.
#[derive(Deserialize)]
pub(crate) struct Accepted {
    #[serde(default)]
    pub(crate) destination: Option<String>,
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) status: Option<String>,
}

/// `GET /messages?id=`.
#[derive(Deserialize)]
pub(crate) struct Record {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) source: Option<String>,
    #[serde(default)]
    pub(crate) destination: Option<String>,
    #[serde(default)]
    pub(crate) direction: Option<String>,
    #[serde(default)]
    pub(crate) reference: Option<String>,
    /// A JSON document as a string.
    #[serde(default)]
    pub(crate) content: Option<String>,
}

/// The 400 answer.
#[derive(Deserialize)]
pub(crate) struct BadRequest {
    #[serde(default)]
    pub(crate) error: Option<String>,
    #[serde(default)]
    pub(crate) message: Option<String>,
}

/// The 422 answer.
#[derive(Deserialize)]
pub(crate) struct Unprocessable {
    #[serde(default)]
    pub(crate) errors: Vec<FieldError>,
}

#[derive(Deserialize)]
pub(crate) struct FieldError {
    #[serde(default)]
    pub(crate) field: String,
    #[serde(default)]
    pub(crate) code: String,
    #[serde(default)]
    pub(crate) description: String,
}
