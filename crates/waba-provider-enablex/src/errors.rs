//! EnableX answers → [`waba_core::ErrorKind`]. Meta's codes (131047 in the seed's example)
//! pass through and are classified by Meta's table; the auth failure body
//! (`"status": "Unauthorized"`) is `Auth` whatever the HTTP status.

use waba_core::{Error, ErrorKind, Refinement};

use crate::wire::ErrorAnswer;

/// Classifies an error answer: the status's verdict, refined by the body.
pub(crate) fn from_response(response: &http::Response<bytes::Bytes>) -> Error {
    waba_core::classify_response(&crate::ID, response, refine(response))
}

/// What the body adds to the status: `Auth` for the auth failure body, else the first Meta
/// code (with Meta's "not processed" codes), else EnableX's message.
fn refine(response: &http::Response<bytes::Bytes>) -> Refinement {
    let a: ErrorAnswer = serde_json::from_slice(response.body()).unwrap_or_default();
    if a.status.as_deref() == Some("Unauthorized") {
        let text = [a.message, a.reason]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": ");
        return Refinement::none()
            .with_kind(Some(ErrorKind::Auth))
            .with_message(text);
    }
    let meta = a
        .statuses
        .into_iter()
        .flat_map(|s| s.errors)
        .chain(a.errors)
        .chain(a.error)
        .find(|e| e.code.is_some());
    let Some(meta) = meta else {
        return Refinement::none().with_message(a.message.unwrap_or_default());
    };
    waba_meta_wire::codes::refine(meta.code)
        .with_message(meta.title.or(meta.message).unwrap_or_default())
}
