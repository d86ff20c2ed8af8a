//! Acme's error codes → a [`Refinement`] of the HTTP status's verdict.
//!
//! The status already says most of it (401 auth, 429 throttled with `Retry-After`, 400
//! invalid, 5xx the provider's failure and maybe delivered); the code names the rules a
//! status cannot tell apart.

use waba_core::{Error, ErrorKind, Refinement};

use crate::wire::Answer;

/// Classifies an error answer: the status's verdict, refined by the body's code.
pub(crate) fn from_response(response: &http::Response<bytes::Bytes>) -> Error {
    waba_core::classify_response(&crate::ID, response, refine(response))
}

/// The kind an Acme error code names, if it is more specific than its status.
pub fn kind_of(code: &str) -> Option<ErrorKind> {
    match code {
        "outside_window" => Some(ErrorKind::OutsideCustomerWindow),
        "unknown_template" => Some(ErrorKind::TemplateNotFound),
        "not_on_whatsapp" => Some(ErrorKind::InvalidRecipient),
        _ => None,
    }
}

fn refine(response: &http::Response<bytes::Bytes>) -> Refinement {
    match serde_json::from_slice::<Answer>(response.body()) {
        Ok(Answer {
            error: Some(error), ..
        }) => Refinement::none()
            .with_kind(kind_of(&error.code))
            .with_message(format!("{}: {}", error.code, error.message)),
        _ => Refinement::none(),
    }
}
