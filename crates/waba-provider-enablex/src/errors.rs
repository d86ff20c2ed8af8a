//! EnableX answers → [`waba_core::ErrorKind`]. Meta's codes (131047 in the seed's example)
//! pass through and are classified by Meta's table; the auth failure body
//! (`"status": "Unauthorized"`) is `Auth` whatever the HTTP status.

use waba_core::{Error, ErrorKind, ProviderId};

use crate::wire::ErrorAnswer;

/// Classifies an error answer.
pub(crate) fn from_response(response: &http::Response<bytes::Bytes>) -> Error {
    let status = response.status();
    let base =
        waba_core::classify_status(status, response.headers()).with_provider(ProviderId::ENABLEX);
    let a: ErrorAnswer = serde_json::from_slice(response.body()).unwrap_or_default();
    if a.status.as_deref() == Some("Unauthorized") {
        let text = [a.message, a.reason]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": ");
        return Error::new(ErrorKind::Auth)
            .with_provider(ProviderId::ENABLEX)
            .with_http_status(status.as_u16())
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
        return match a.message {
            Some(m) => base.with_message(m),
            None => base,
        };
    };
    let code = meta.code.unwrap_or_default();
    let retry_after = waba_core::retry_after(response.headers());
    let err = match waba_meta_wire::codes::kind_of(code, retry_after) {
        Some(kind) => Error::new(kind)
            .with_provider(ProviderId::ENABLEX)
            .with_http_status(status.as_u16()),
        None => base,
    }
    .with_api_code(code);
    match meta.title.or(meta.message) {
        Some(t) => err.with_message(t),
        None => err,
    }
}
