//! WAB answers → [`waba_core::ErrorKind`]: the 400 body (`error`, `message`, `statusCode`),
//! the 422 body (`errors[{field, code, description}]`), and the Meta codes the seed lists
//! (131026, 131048, 130429, 131047, 131056, 131031, 131042, 132001), found as a number in
//! the error text (`(#131047) …`) and classified by Meta's table.

use waba_core::{Error, ErrorKind, Refinement};

use crate::wire::{BadRequest, Unprocessable};

/// The first Meta error code in a text: `(#131047)`, `code 131047`, or a bare 6-digit number.
pub fn meta_code(text: &str) -> Option<i64> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() >= 6 && w.len() <= 7)
        .find_map(|w| w.parse().ok())
}

/// Classifies an error answer: the status's verdict, refined by the body.
pub(crate) fn from_response(response: &http::Response<bytes::Bytes>) -> Error {
    waba_core::classify_response(&crate::ID, response, refine(response))
}

/// What the body adds to the status: the 422 body's first field, or the Meta code in the
/// 400 body's text (with Meta's "not processed" codes).
fn refine(response: &http::Response<bytes::Bytes>) -> Refinement {
    if let Ok(u) = serde_json::from_slice::<Unprocessable>(response.body())
        && let Some(first) = u.errors.first()
    {
        let field = (!first.field.is_empty()).then(|| first.field.clone());
        let code = if first.code.is_empty() {
            String::new()
        } else {
            format!(" ({})", first.code)
        };
        return Refinement::none()
            .with_kind(Some(ErrorKind::InvalidRequest { field }))
            .with_message(format!("{}{code}", first.description));
    }
    let Ok(b) = serde_json::from_slice::<BadRequest>(response.body()) else {
        return Refinement::none();
    };
    let text = [b.error.as_deref(), b.message.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(": ");
    waba_meta_wire::codes::refine(meta_code(&text)).with_message(text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_in_text() {
        assert_eq!(
            super::meta_code("(#131047) Re-engagement message"),
            Some(131_047)
        );
        assert_eq!(
            super::meta_code("WhatsApp Cloud API error code 130429"),
            Some(130_429)
        );
        assert_eq!(super::meta_code("bad request error message"), None);
        assert_eq!(super::meta_code("+64123456789 is invalid"), None);
    }
}
