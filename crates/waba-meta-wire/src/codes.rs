//! Meta's error codes, as the Cloud API returns them and the providers in front of it
//! (generic v2, EnableX, Mobile Gateway) relay them → [`ErrorKind`].
//!
//! Sources: Meta's error-code reference and the codes the seeds relay (Mobile Gateway's
//! table: 131026, 131048, 130429, 131047, 131056, 131031, 131042, 132001); 132000 and
//! 132018 from Meta's error table as netflie's client quotes it.

use std::time::Duration;

use waba_core::{ErrorKind, Refinement};

/// Every code classified, with its meaning. (Codes not listed fall back to the HTTP
/// status: 5xx is a server error, anything else a provider error with its code kept.)
pub const CODES: &[(i64, &str)] = &[
    (0, "AuthException: the app user could not be authenticated"),
    (1, "API unknown"),
    (2, "API service temporarily unavailable"),
    (3, "capability or permission missing"),
    (4, "app API call rate limit"),
    (10, "permission denied"),
    (
        33,
        "parameter value not valid (the business number may be deleted)",
    ),
    (100, "invalid parameter"),
    (190, "access token expired or invalid"),
    (200, "permission missing"),
    (368, "temporarily blocked for a policy violation"),
    (80007, "WhatsApp Business Account rate limit"),
    (130_429, "API message throughput reached"),
    (
        130_497,
        "account restricted from messaging users in this country",
    ),
    (131_009, "parameter value not valid"),
    (131_014, "media URL could not be fetched"),
    (131_026, "message undeliverable"),
    (131_030, "recipient not in the allowed list"),
    (131_031, "account blocked or locked"),
    (131_042, "payment issue"),
    (
        131_047,
        "more than 24 hours since the customer last replied",
    ),
    (131_048, "spam rate limit hit"),
    (
        131_049,
        "marketing message not delivered to keep the ecosystem healthy",
    ),
    (131_053, "media upload or download error"),
    (131_056, "too many messages to the same recipient"),
    (
        132_000,
        "number of template parameters does not match the template",
    ),
    (132_001, "template does not exist in that name or language"),
    (
        132_018,
        "a template parameter has a newline, a tab or more than 4 consecutive spaces",
    ),
    (133_016, "registration rate limit"),
];

/// The kind of a Cloud error code, if the code is one we classify.
pub fn kind_of(code: i64, retry_after: Option<Duration>) -> Option<ErrorKind> {
    Some(match code {
        0 | 3 | 10 | 190 | 200..=299 => ErrorKind::Auth,
        4 | 80007 | 130_429 | 131_056 | 133_016 => ErrorKind::RateLimited { retry_after },
        1 | 2 | 131_053 => ErrorKind::Server,
        131_047 => ErrorKind::OutsideCustomerWindow,
        132_001 => ErrorKind::TemplateNotFound,
        131_026 | 131_030 => ErrorKind::InvalidRecipient,
        368 | 130_497 | 131_031 | 131_042 | 131_048 | 131_049 => ErrorKind::PolicyBlocked,
        33 | 100 | 131_009 | 131_014 => ErrorKind::InvalidRequest { field: None },
        132_000 | 132_018 => ErrorKind::InvalidRequest {
            field: Some("content.components".to_owned()),
        },
        _ => return None,
    })
}

/// Whether Meta documents `code` as a refusal before the message was processed: the
/// throttling codes, which Meta returns *instead of* sending ("the API returns error code
/// 130429 until you are within your allowed level again", Cloud API throughput; 4, 80007,
/// 131056 and 133016 are the same refusal at other scopes). Not 1 or 2 ("temporarily
/// unavailable"), which say nothing of what happened to the request.
pub fn not_processed(code: i64) -> bool {
    matches!(code, 4 | 80007 | 130_429 | 131_056 | 133_016)
}

/// The [`Refinement`] a Meta code brings to the HTTP status's verdict: its kind, the code,
/// and whether it is documented as not processed.
pub fn refine(code: Option<i64>) -> Refinement {
    Refinement::none()
        .with_kind(code.and_then(|c| kind_of(c, None)))
        .with_api_code(code)
        .not_processed(code.is_some_and(not_processed))
}
