//! Cloud API error responses → a [`Refinement`] of the HTTP status's verdict. The code
//! table itself is Meta's and lives in `waba_meta_wire::codes`, shared with the providers
//! that relay it, with the codes Meta documents as "not processed".

use waba_core::{Error, Refinement};

use crate::wire::ErrorEnvelope;

pub use waba_meta_wire::codes::{CODES, kind_of, not_processed};

/// Classifies an error response: the status's verdict, refined by the body's code.
pub(crate) fn from_response(response: &http::Response<bytes::Bytes>) -> Error {
    waba_core::classify_response(&crate::ID, response, refine(response))
}

/// What the body adds to the status: Meta's error envelope, or a snippet of whatever came.
fn refine(response: &http::Response<bytes::Bytes>) -> Refinement {
    let Ok(ErrorEnvelope { error }) = serde_json::from_slice::<ErrorEnvelope>(response.body())
    else {
        let text = String::from_utf8_lossy(response.body());
        return Refinement::none().with_message(text.chars().take(200).collect::<String>());
    };
    let message = match (error.message, error.error_data.and_then(|d| d.details)) {
        (Some(m), Some(d)) => format!("{m}: {d}"),
        (Some(m), None) => m,
        (None, Some(d)) => d,
        (None, None) => String::new(),
    };
    waba_meta_wire::codes::refine(error.code).with_message(message)
}
