//! Signature and header verification over the raw body: fail closed, constant time, rotation.

use proptest::prelude::*;
use waba_webhook::{
    HubSignature, RequiredHeaders, SIGNATURE_HEADER, Unverified, Verifier, VerifierConfigError,
    VerifyError, WebhookRequest,
};

const BODY: &[u8] = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}]}"#;

fn hub(secret: impl AsRef<[u8]>) -> HubSignature {
    HubSignature::new(secret).unwrap()
}

fn check(v: &dyn Verifier, header: Option<&str>, body: &[u8]) -> Result<(), VerifyError> {
    let mut headers = http::HeaderMap::new();
    if let Some(h) = header {
        headers.insert(SIGNATURE_HEADER, h.parse().unwrap());
    }
    v.verify(&WebhookRequest::post(&headers, body))
}

#[test]
fn a_valid_signature_passes() {
    let v = hub("app-secret");
    let sig = v.sign(BODY);
    assert_eq!(sig.len(), 71);
    assert!(sig.starts_with("sha256="));
    assert_eq!(check(&v, Some(&sig), BODY), Ok(()));
    // Upper-case hex is the same digest.
    let upper = format!("sha256={}", sig[7..].to_ascii_uppercase());
    assert_eq!(check(&v, Some(&upper), BODY), Ok(()));
}

#[test]
fn a_known_vector() {
    // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), RFC 4231 style check.
    let v = hub("key");
    assert_eq!(
        v.sign(b"The quick brown fox jumps over the lazy dog"),
        "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    );
}

#[test]
fn a_tampered_body_fails() {
    let v = hub("app-secret");
    let sig = v.sign(BODY);
    let mut tampered = BODY.to_vec();
    tampered[10] ^= 1;
    assert_eq!(
        check(&v, Some(&sig), &tampered),
        Err(VerifyError::Mismatch { what: "signature" })
    );
}

#[test]
fn re_serialised_json_fails() {
    // The mistake the generic v2 seed's sample makes: signing a re-encoding, not the bytes.
    let v = hub("app-secret");
    let body = br#"{"a": "caf\u00e9 \/"}"#;
    let reencoded =
        serde_json::to_vec(&serde_json::from_slice::<serde_json::Value>(body).unwrap()).unwrap();
    assert_ne!(reencoded, body);
    assert!(check(&v, Some(&v.sign(&reencoded)), body).is_err());
}

#[test]
fn a_wrong_secret_fails() {
    let sig = hub("other-secret").sign(BODY);
    assert_eq!(
        check(&hub("app-secret"), Some(&sig), BODY),
        Err(VerifyError::Mismatch { what: "signature" })
    );
}

#[test]
fn a_missing_header_fails_closed() {
    assert_eq!(
        check(&hub("app-secret"), None, BODY),
        Err(VerifyError::MissingHeader {
            header: SIGNATURE_HEADER
        })
    );
}

#[test]
fn malformed_headers_fail() {
    let v = hub("app-secret");
    let good = v.sign(BODY);
    for bad in [
        good.trim_start_matches("sha256=").to_owned(),
        format!("sha1={}", &good[7..]),
        good[..70].to_owned(),
        format!("{good}0"),
        format!("sha256={}", "g".repeat(64)),
        String::new(),
    ] {
        let err = check(&v, Some(&bad), BODY).unwrap_err();
        assert!(
            matches!(err, VerifyError::MalformedHeader { .. }),
            "{bad:?}: {err:?}"
        );
    }
}

#[test]
fn a_second_secret_allows_rotation() {
    let v = hub("new-secret").with_secret("old-secret").unwrap();
    assert_eq!(check(&v, Some(&hub("old-secret").sign(BODY)), BODY), Ok(()));
    assert_eq!(check(&v, Some(&hub("new-secret").sign(BODY)), BODY), Ok(()));
    assert!(check(&v, Some(&hub("third").sign(BODY)), BODY).is_err());
}

#[test]
fn debug_does_not_show_secrets() {
    let v = hub("app-secret-123");
    assert!(!format!("{v:?}").contains("app-secret"));
    let h = RequiredHeaders::new([("x-webhook-token", "tok-secret-1")]).unwrap();
    assert!(!format!("{h:?}").contains("tok-secret"));
}

#[test]
fn required_headers_for_tujenge_and_enablex() {
    // Tujenge's example webhook config: {"headers": {"Authorization": "Basic dGVzdHVzZXI6dGVzdHBhc3M="}}.
    let v = RequiredHeaders::basic("testuser", "testpass").unwrap();
    let mut headers = http::HeaderMap::new();
    assert_eq!(
        v.verify(&WebhookRequest::post(&headers, BODY)),
        Err(VerifyError::MissingHeader {
            header: "configured webhook"
        })
    );
    headers.insert(
        "authorization",
        "Basic dGVzdHVzZXI6dGVzdHBhc3M=".parse().unwrap(),
    );
    assert_eq!(v.verify(&WebhookRequest::post(&headers, BODY)), Ok(()));
    headers.insert(
        "authorization",
        "Basic dGVzdHVzZXI6d3Jvbmc=".parse().unwrap(),
    );
    assert_eq!(
        v.verify(&WebhookRequest::post(&headers, BODY)),
        Err(VerifyError::Mismatch {
            what: "webhook header"
        })
    );

    let two = RequiredHeaders::new([("x-a", "1"), ("x-b", "2")]).unwrap();
    let mut headers = http::HeaderMap::new();
    headers.insert("x-a", "1".parse().unwrap());
    assert!(
        two.verify(&WebhookRequest::post(&headers, BODY)).is_err(),
        "all headers are required"
    );
    headers.insert("x-b", "2".parse().unwrap());
    assert!(two.verify(&WebhookRequest::post(&headers, BODY)).is_ok());
    assert_eq!(
        RequiredHeaders::new([("bad header", "x")]).unwrap_err(),
        VerifierConfigError::InvalidHeaderName {
            name: "bad header".into()
        }
    );
}

#[test]
fn verifiers_that_would_accept_forgeries_refuse_to_be_built() {
    // No header required: every request would pass.
    assert_eq!(
        RequiredHeaders::new(Vec::<(&str, &str)>::new()).unwrap_err(),
        VerifierConfigError::NoHeaders
    );
    assert_eq!(
        RequiredHeaders::new([("x-token", "")]).unwrap_err(),
        VerifierConfigError::EmptyHeaderValue {
            name: "x-token".into()
        }
    );
    assert_eq!(
        RequiredHeaders::basic("", "pw").unwrap_err(),
        VerifierConfigError::EmptyCredentials { which: "user" }
    );
    assert_eq!(
        RequiredHeaders::basic("user", "").unwrap_err(),
        VerifierConfigError::EmptyCredentials { which: "password" }
    );
    // An empty secret: anyone can sign with it.
    assert_eq!(
        HubSignature::new("").unwrap_err(),
        VerifierConfigError::EmptySecret
    );
    assert_eq!(
        hub("s").with_secret(b"").unwrap_err(),
        VerifierConfigError::EmptySecret
    );
    let err = HubSignature::new("").unwrap_err().to_string();
    assert!(err.contains("empty"), "{err}");
}

#[test]
fn unverified_is_named_honestly_and_accepts_all() {
    assert_eq!(
        Unverified.verify(&WebhookRequest::post(&http::HeaderMap::new(), b"x")),
        Ok(())
    );
}

proptest! {
    #[test]
    fn sign_then_verify_holds(body in proptest::collection::vec(any::<u8>(), 0..512), secret in proptest::collection::vec(any::<u8>(), 1..80)) {
        let v = hub(&secret);
        let sig = v.sign(&body);
        prop_assert_eq!(v.verify_signature(&sig, &body), Ok(()));
    }

    #[test]
    fn any_single_byte_change_fails(body in proptest::collection::vec(any::<u8>(), 1..512), secret in "[ -~]{1,40}", at in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let v = hub(&secret);
        let sig = v.sign(&body);
        let mut changed = body.clone();
        let i = at.index(changed.len());
        changed[i] ^= flip;
        prop_assert!(v.verify_signature(&sig, &changed).is_err());
    }

    #[test]
    fn arbitrary_headers_never_panic(header in any::<String>()) {
        let _ = hub("s").verify_signature(&header, b"{}");
    }
}
