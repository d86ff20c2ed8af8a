//! Every documented error code, and every error response fixture, mapped to its kind.

use bytes::Bytes;
use serde_json::json;
use waba_provider_cloud::{Codec, errors};

fn codec() -> Codec {
    Codec::new("https://graph.facebook.com", "v25.0", "106540352242922").unwrap()
}

fn classify(status: u16, body: &str, retry_after: Option<&str>) -> serde_json::Value {
    let mut b = http::Response::builder().status(status);
    if let Some(r) = retry_after {
        b = b.header("retry-after", r);
    }
    let e = codec()
        .decode_send(&b.body(Bytes::from(body.to_owned())).unwrap())
        .unwrap_err();
    json!({
        "kind": e.kind().name(),
        "api_code": e.api_code(),
        "retryable": e.is_retryable(),
        "retry_after_s": e.retry_after().map(|d| d.as_secs()),
        "maybe_delivered": e.maybe_delivered(),
        "message": e.message(),
    })
}

#[test]
fn every_documented_code() {
    let table: Vec<_> = errors::CODES
        .iter()
        .map(|(code, meaning)| {
            let body = json!({"error": {"message": format!("(#{code}) {meaning}"), "type": "OAuthException", "code": code}});
            json!({"code": code, "meaning": meaning, "mapped": classify(400, &body.to_string(), Some("3"))})
        })
        .collect();
    insta::assert_json_snapshot!("error_codes", table);
}

#[test]
fn error_response_fixtures() {
    let dir = format!(
        "{}/../../fixtures/cloud/responses",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("error_"))
        .collect();
    names.sort();
    for name in names {
        let status: u16 = name.split('_').nth(1).unwrap().parse().unwrap();
        let body = std::fs::read_to_string(format!("{dir}/{name}")).unwrap();
        insta::assert_json_snapshot!(
            name.trim_end_matches(".json").to_owned(),
            classify(status, &body, None)
        );
    }
}

#[test]
fn key_classifications() {
    let kind = |code: i64| errors::kind_of(code, None).map(|k| k.name());
    assert_eq!(kind(131_047), Some("outside_customer_window"));
    assert_eq!(kind(132_001), Some("template_not_found"));
    assert_eq!(kind(131_026), Some("invalid_recipient"));
    assert_eq!(kind(130_429), Some("rate_limited"));
    assert_eq!(kind(190), Some("auth"));
    assert_eq!(kind(131_031), Some("policy_blocked"));
    assert_eq!(kind(999_999), None);
    // Unknown codes fall back to the HTTP status and keep the code.
    let v = classify(503, r#"{"error":{"code":999999,"message":"new"}}"#, None);
    assert_eq!(v["kind"], "server");
    assert_eq!(v["api_code"], 999_999);
}
