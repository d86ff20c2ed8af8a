//! On-prem error codes → [`ErrorKind`]: the only place that knows them.
//!
//! Codes from the on-prem seed and Tujenge's error scenarios (400, 408, 470, 1000, 1009,
//! 1014, 2001, 500) and Meta's on-prem error reference (402, 410, 429, 471, 472, 1006).

use waba_core::{Error, ErrorKind, ProviderId, Refinement};

use crate::wire::Envelope;

/// Every code this adapter classifies, with its meaning.
pub const CODES: &[(i64, &str)] = &[
    (400, "bad request (media download error on old clients)"),
    (402, "business eligibility: payment issue"),
    (408, "message pending for too long: resend it"),
    (410, "message expired (its time to live passed)"),
    (429, "rate limit hit"),
    (
        470,
        "more than 24 hours since the customer last replied: send a template",
    ),
    (471, "spam rate limit hit"),
    (472, "the user's number is part of an experiment"),
    (
        500,
        "generic error, e.g. structure unavailable: the client could not display a structured message",
    ),
    (
        1000,
        "generic: media errors (storage full, MIME type not matching the message type)",
    ),
    (1006, "resource not found (an unknown contact)"),
    (1009, "parameter value not valid (e.g. latitude)"),
    (1014, "internal error: the media URL could not be fetched"),
    (2001, "template name does not exist in the translation"),
];

/// The kind of an on-prem error code, if we classify it.
pub fn kind_of(code: i64) -> Option<ErrorKind> {
    Some(match code {
        408 => ErrorKind::Server,
        429 => ErrorKind::RateLimited { retry_after: None },
        470 => ErrorKind::OutsideCustomerWindow,
        2001 => ErrorKind::TemplateNotFound,
        1006 => ErrorKind::InvalidRecipient,
        402 | 471 | 472 => ErrorKind::PolicyBlocked,
        400 | 1009 => ErrorKind::InvalidRequest { field: None },
        1000 | 1014 => ErrorKind::InvalidRequest {
            field: Some("media".to_owned()),
        },
        500 => ErrorKind::InvalidRequest {
            field: Some("template".to_owned()),
        },
        410 => ErrorKind::Provider,
        _ => return None,
    })
}

/// Codes the on-prem client documents as refusing the request before processing it: the
/// rate limits, 429 ("rate limit hit") and 471 ("spam rate limit hit"), which the client
/// returns instead of sending (Meta's on-prem error reference; courier pauses the channel on
/// both).
pub fn not_processed(code: i64) -> bool {
    matches!(code, 429 | 471)
}

/// Classifies an error response: the status's verdict, refined by the first `errors[]`
/// code.
pub fn from_response(provider: &ProviderId, response: &http::Response<bytes::Bytes>) -> Error {
    waba_core::classify_response(provider, response, refine(response))
}

/// What the body adds to the status: the first `errors[]` entry, or a snippet of the body.
pub fn refine(response: &http::Response<bytes::Bytes>) -> Refinement {
    let envelope: Envelope = serde_json::from_slice(response.body()).unwrap_or_default();
    let Some(first) = envelope.errors.and_then(|e| e.into_iter().next()) else {
        let text = String::from_utf8_lossy(response.body());
        return Refinement::none().with_message(text.chars().take(200).collect::<String>());
    };
    let message = match (first.title, first.details) {
        (Some(t), Some(d)) => format!("{t}: {d}"),
        (Some(t), None) => t,
        (None, Some(d)) => d,
        (None, None) => String::new(),
    };
    Refinement::none()
        .with_kind(kind_of(first.code))
        .with_api_code(Some(first.code))
        .not_processed(not_processed(first.code))
        .with_message(message)
}
