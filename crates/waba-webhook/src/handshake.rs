//! The subscription handshake: `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`.

use subtle::ConstantTimeEq;

use crate::error::HandshakeError;

/// Checks a handshake query string and returns the challenge to answer with, byte for byte
/// (percent-decoded as any query value). The token is compared in constant time; an empty
/// configured token refuses every handshake ([`HandshakeError::NoToken`]).
///
/// ```
/// use waba_webhook::verify_challenge;
/// let q = "hub.mode=subscribe&hub.verify_token=s3cret&hub.challenge=1158201444";
/// assert_eq!(verify_challenge(q, "s3cret").unwrap(), "1158201444");
/// assert!(verify_challenge(q, "other").is_err());
/// ```
pub fn verify_challenge(query: &str, verify_token: &str) -> Result<String, HandshakeError> {
    // Fail closed: an empty token would match the empty `hub.verify_token` anyone can send.
    if verify_token.is_empty() {
        return Err(HandshakeError::NoToken);
    }
    let (mut mode, mut token, mut challenge) = (None, None, None);
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        match k.as_ref() {
            "hub.mode" => mode = Some(v),
            "hub.verify_token" => token = Some(v),
            "hub.challenge" => challenge = Some(v),
            _ => {}
        }
    }
    let mode = mode.ok_or(HandshakeError::Missing("hub.mode"))?;
    if mode != "subscribe" {
        return Err(HandshakeError::NotSubscribe);
    }
    let token = token.ok_or(HandshakeError::Missing("hub.verify_token"))?;
    let challenge = challenge.ok_or(HandshakeError::Missing("hub.challenge"))?;
    if bool::from(token.as_bytes().ct_eq(verify_token.as_bytes())) {
        Ok(challenge.into_owned())
    } else {
        Err(HandshakeError::WrongToken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `handshake` fuzz target: an empty configured token matched an empty
    /// `hub.verify_token`, so anyone could complete the handshake.
    #[test]
    fn an_empty_configured_token_answers_no_one() {
        let q = "hub.mode=subscribe&hub.verify_token=&hub.challenge=1";
        assert_eq!(verify_challenge(q, ""), Err(HandshakeError::NoToken));
        let q = "hub.mode=subscribe&hub.challenge=1&hub.verify_token";
        assert_eq!(verify_challenge(q, ""), Err(HandshakeError::NoToken));
    }
}
