//! Cloud API error responses → [`waba_core::ErrorKind`]. The code table itself is Meta's
//! and lives in `waba_meta_wire::codes`, shared with the providers that relay it.

use waba_core::{Error, ProviderId};

use crate::wire::ErrorEnvelope;

pub use waba_meta_wire::codes::{CODES, kind_of};

/// Classifies an error response.
pub(crate) fn from_response(response: &http::Response<bytes::Bytes>) -> Error {
    let status = response.status();
    let retry_after = waba_core::retry_after(response.headers());
    let base =
        waba_core::classify_status(status, response.headers()).with_provider(ProviderId::CLOUD);
    let Ok(ErrorEnvelope { error }) = serde_json::from_slice::<ErrorEnvelope>(response.body())
    else {
        let text = String::from_utf8_lossy(response.body());
        let snippet: String = text.chars().take(200).collect();
        return if snippet.is_empty() {
            base
        } else {
            base.with_message(snippet)
        };
    };
    let message = match (error.message, error.error_data.and_then(|d| d.details)) {
        (Some(m), Some(d)) => format!("{m}: {d}"),
        (Some(m), None) => m,
        (None, Some(d)) => d,
        (None, None) => String::new(),
    };
    let mut err = match error.code.and_then(|c| kind_of(c, retry_after)) {
        Some(kind) => Error::new(kind)
            .with_provider(ProviderId::CLOUD)
            .with_http_status(status.as_u16())
            .with_maybe_delivered(base.maybe_delivered()),
        None => base,
    };
    if let Some(code) = error.code {
        err = err.with_api_code(code);
    }
    if message.is_empty() {
        err
    } else {
        err.with_message(message)
    }
}
