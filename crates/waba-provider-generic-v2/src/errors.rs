//! v2 error bodies → a [`Refinement`] of the HTTP status's verdict.
//!
//! The seed's own error table disagrees with Meta's codes (it calls 131030 an expired token,
//! 132000 a bad phone format, 133000 a rate limit, 134000 a missing template; Meta uses
//! 190, 130429 and 132001 for those, and 131030 means "recipient not in the allowed
//! list"). We map by what the provider returns: Meta's table for codes from Meta's ranges,
//! the HTTP status otherwise. Codes documented as "not processed" are Meta's
//! (`waba_meta_wire::codes::not_processed`).

use waba_core::{Error, Refinement};

use crate::wire::Answer;

/// Classifies an error answer: the status's verdict, refined by the body's code.
pub(crate) fn from_response(response: &http::Response<bytes::Bytes>) -> Error {
    waba_core::classify_response(&crate::ID, response, refine(response))
}

/// What the body adds to the status.
fn refine(response: &http::Response<bytes::Bytes>) -> Refinement {
    let Ok(answer) = serde_json::from_slice::<Answer>(response.body()) else {
        return Refinement::none();
    };
    let message = match (answer.message, answer.details) {
        (Some(m), Some(d)) => format!("{m}: {d}"),
        (Some(m), None) => m,
        (None, Some(d)) => d,
        (None, None) => String::new(),
    };
    waba_meta_wire::codes::refine(answer.code).with_message(message)
}
