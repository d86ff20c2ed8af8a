//! v2 error bodies → [`waba_core::ErrorKind`].
//!
//! The seed's own error table disagrees with Meta's codes (it calls 131030 an expired token,
//! 132000 a bad phone format, 133000 a rate limit, 134000 a missing template; Meta uses
//! 190, 130429 and 132001 for those, and 131030 means "recipient not in the allowed
//! list"). We map by what the provider returns: Meta's table for codes from Meta's ranges,
//! the HTTP status otherwise.

use waba_core::{Error, ProviderId};

use crate::wire::Answer;

/// Classifies an error answer.
pub(crate) fn from_response(response: &http::Response<bytes::Bytes>) -> Error {
    let status = response.status();
    let base = waba_core::classify_status(status, response.headers())
        .with_provider(ProviderId::GENERIC_V2);
    let Ok(answer) = serde_json::from_slice::<Answer>(response.body()) else {
        return base;
    };
    let retry_after = waba_core::retry_after(response.headers());
    let mut err = match answer
        .code
        .and_then(|c| waba_meta_wire::codes::kind_of(c, retry_after))
    {
        Some(kind) => Error::new(kind)
            .with_provider(ProviderId::GENERIC_V2)
            .with_http_status(status.as_u16()),
        None => base,
    };
    if let Some(code) = answer.code {
        err = err.with_api_code(code);
    }
    let message = match (answer.message, answer.details) {
        (Some(m), Some(d)) => format!("{m}: {d}"),
        (Some(m), None) => m,
        (None, Some(d)) => d,
        (None, None) => return err,
    };
    err.with_message(message)
}
