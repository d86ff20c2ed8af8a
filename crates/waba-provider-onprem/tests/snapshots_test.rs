//! The exact request of every operation, every response fixture, and every error code.

use bytes::Bytes;
use serde_json::json;
use waba_core::MediaUpload;
use waba_provider_onprem::{Blocking, Codec, errors};
use waba_testkit::samples;
use waba_testkit::snapshot::{insta_settings, render_request};
use waba_types::{MediaKind, OutboundMessage, Recipient};

fn codec() -> Codec {
    Codec::new(
        "https://wa.example.internal:9090",
        Some("abcd_1234_namespace".into()),
        waba_provider_onprem::ID,
    )
    .unwrap()
}

fn fixture(dir: &str, name: &str) -> http::Response<Bytes> {
    let path = format!(
        "{}/../../fixtures/onprem/{dir}/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let body = std::fs::read(&path).unwrap();
    let status: u16 = name
        .trim_end_matches(".json")
        .split('_')
        .find_map(|p| p.parse().ok())
        .unwrap_or(200);
    http::Response::builder()
        .status(status)
        .body(Bytes::from(body))
        .unwrap()
}

#[test]
fn send_request_of_every_content_kind() {
    insta_settings().bind(|| {
        for (name, content) in samples::all_contents() {
            let msg = OutboundMessage::new(samples::to(), content).with_reply_to("gBEGPREV");
            let value = match codec().encode_send(&msg) {
                Ok(r) => render_request(&r),
                Err(e) => json!({ "error": e.to_string() }),
            };
            insta::assert_json_snapshot!(format!("send_{name}"), value);
        }
    });
}

#[test]
fn other_requests() {
    let c = codec();
    let mut group = OutboundMessage::new(samples::to(), waba_types::Content::text("hi group"));
    group.to = Recipient::Group("16315558888-1750000000".into());
    let upload = MediaUpload::new(
        MediaKind::Document,
        "application/pdf",
        Bytes::from_static(b"%PDF-1.7 ..."),
    );
    let seed_contacts: serde_json::Value = serde_json::from_slice(
        &std::fs::read(format!(
            "{}/../../fixtures/onprem/requests/contacts_seed.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    let numbers: Vec<waba_types::PhoneNumber> =
        ["+1 631 555 1000", "+1 631 555 1002", "+1 631-555-1005"]
            .iter()
            .map(|n| n.parse().unwrap())
            .collect();
    let contacts = c.encode_contacts(&numbers, Blocking::Wait, false).unwrap();
    let body: serde_json::Value = serde_json::from_slice(contacts.body()).unwrap();
    assert_eq!(
        body["blocking"], seed_contacts["blocking"],
        "the seed's contacts request shape"
    );
    let cases = [
        ("send_group", c.encode_send(&group).unwrap()),
        (
            "mark_read",
            c.encode_read(&"gBEGkYiEB1VXAglK1ZEqA1YKPrU".into())
                .unwrap(),
        ),
        ("media_upload", c.encode_upload(&upload).unwrap()),
        (
            "media_download",
            c.encode_download(&"f043afd0-f0ae-4b9c-ab3d-696fb4c8cd68".into())
                .unwrap(),
        ),
        ("contacts_wait", contacts),
        (
            "contacts_no_wait_force",
            c.encode_contacts(&numbers[..1], Blocking::NoWait, true)
                .unwrap(),
        ),
        ("health", c.encode_health().unwrap()),
        ("login", c.encode_login()),
        ("logout", c.encode_logout()),
    ];
    insta_settings().bind(|| {
        for (name, request) in cases {
            insta::assert_json_snapshot!(name, render_request(&request));
        }
    });
    assert!(
        c.encode_read(&"../users".into()).is_err(),
        "ids cannot change the path"
    );
}

#[test]
fn responses() {
    let c = codec();
    let r = c
        .decode_send(&fixture("responses", "send_201.json"))
        .unwrap();
    assert_eq!(r.id.as_str(), "gBEGkYiEB1VXAglK1ZEqA1YKPrU");
    assert_eq!(r.wa_id.unwrap().as_str(), "16315551234");
    assert_eq!(
        c.decode_upload(&fixture("responses", "media_201.json"))
            .unwrap()
            .as_str(),
        "f043afd0-f0ae-4b9c-ab3d-696fb4c8cd68"
    );
    let (token, expires) = c
        .decode_login(
            &fixture("responses", "login_200.json"),
            &waba_provider_onprem::ID,
        )
        .unwrap();
    assert!(token.starts_with("eyJ"));
    assert_eq!(expires.as_deref(), Some("2018-03-01 15:29:26+00:00"));
    insta_settings().bind(|| {
        for name in [
            "contacts_200_seed.json",
            "contacts_200_invalid_processing.json",
        ] {
            let checks = c.decode_contacts(&fixture("responses", name)).unwrap();
            insta::assert_json_snapshot!(
                format!("response_{}", name.trim_end_matches(".json")),
                checks
            );
        }
    });
}

fn mapped(e: &waba_core::Error) -> serde_json::Value {
    json!({ "kind": e.kind().name(), "api_code": e.api_code(), "retryable": e.is_retryable(), "message": e.message() })
}

#[test]
fn every_documented_code() {
    let table: Vec<_> = errors::CODES
        .iter()
        .map(|(code, meaning)| {
            let body = json!({ "errors": [{ "code": code, "title": meaning }] }).to_string();
            let response = http::Response::builder().status(400).body(Bytes::from(body)).unwrap();
            json!({ "code": code, "meaning": meaning, "mapped": mapped(&codec().decode_send(&response).unwrap_err()) })
        })
        .collect();
    insta::assert_json_snapshot!("error_codes", table);
}

#[test]
fn error_response_fixtures() {
    let dir = format!(
        "{}/../../fixtures/onprem/responses",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.retain(|n| n.starts_with("error_"));
    names.sort();
    for name in names {
        let e = codec()
            .decode_send(&fixture("responses", &name))
            .unwrap_err();
        insta::assert_json_snapshot!(name.trim_end_matches(".json").to_owned(), mapped(&e));
    }
    let k = |c| errors::kind_of(c).map(|k| k.name());
    assert_eq!(k(470), Some("outside_customer_window"));
    assert_eq!(k(2001), Some("template_not_found"));
    assert_eq!(k(408), Some("server"), "408: resend");
    assert!(waba_core::Error::new(errors::kind_of(408).unwrap()).is_retryable());
}
