//! The exact request of every operation, and the reading of every response fixture, pinned.

use bytes::Bytes;
use waba_core::{MediaUpload, SendReceipt};
use waba_provider_cloud::Codec;
use waba_testkit::samples;
use waba_testkit::snapshot::{insta_settings, render_request};
use waba_types::{MediaKind, OutboundMessage, PhoneNumber};

fn codec() -> Codec {
    Codec::new("https://graph.facebook.com", "v25.0", "106540352242922").unwrap()
}

fn fixture(name: &str) -> http::Response<Bytes> {
    let path = format!(
        "{}/../../fixtures/cloud/responses/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let body = std::fs::read(&path).unwrap();
    let status: u16 = name.split('_').find_map(|p| p.parse().ok()).unwrap_or(200);
    http::Response::builder()
        .status(status)
        .body(Bytes::from(body))
        .unwrap()
}

#[test]
fn send_request_of_every_content_kind() {
    insta_settings().bind(|| {
        for (name, content) in samples::all_contents() {
            let msg = OutboundMessage::new(samples::to(), content)
                .with_reply_to("wamid.PREV")
                .with_client_reference("order-1001");
            let request = codec().encode_send(&msg).unwrap();
            insta::assert_json_snapshot!(format!("send_{name}"), render_request(&request));
        }
    });
}

#[test]
fn plain_send_has_no_optional_fields() {
    let msg = OutboundMessage::new(samples::to(), waba_types::Content::text("hi"));
    let body: serde_json::Value =
        serde_json::from_slice(codec().encode_send(&msg).unwrap().body()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"messaging_product":"whatsapp","recipient_type":"individual","to":"16315551002","type":"text","text":{"body":"hi"}})
    );
}

#[test]
fn a_user_id_recipient_is_written_as_recipient_not_to() {
    let mut msg = OutboundMessage::new(samples::to(), waba_types::Content::text("hi"));
    msg.to = waba_types::Recipient::User("US.13491208655302741918".into());
    let body: serde_json::Value =
        serde_json::from_slice(codec().encode_send(&msg).unwrap().body()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"messaging_product":"whatsapp","recipient_type":"individual","recipient":"US.13491208655302741918","type":"text","text":{"body":"hi"}})
    );
}

#[test]
fn other_requests() {
    let c = codec();
    let id = "wamid.HBgLIN".into();
    let mut upload = MediaUpload::new(
        MediaKind::Image,
        "image/jpeg",
        Bytes::from_static(b"\xff\xd8\xff\xe0JFIF"),
    );
    upload.filename = Some("receipt.jpg".into());
    let raw = serde_json::json!({"name": "flow", "parameters": {"flow_token": "abc"}});
    let to = PhoneNumber::parse("+16505551234").unwrap();
    let cases = [
        ("mark_read", c.encode_read(&id, false).unwrap()),
        ("typing_indicator", c.encode_read(&id, true).unwrap()),
        ("media_upload", c.encode_upload(&upload).unwrap()),
        (
            "media_lookup",
            c.encode_media_lookup(&"1166846181421424".into()).unwrap(),
        ),
        ("templates", c.encode_templates("102290129340398").unwrap()),
        (
            "raw_escape_hatch",
            c.encode_raw(&to, "interactive", &raw).unwrap(),
        ),
    ];
    insta_settings().bind(|| {
        for (name, request) in cases {
            insta::assert_json_snapshot!(name, render_request(&request));
        }
    });
}

#[test]
fn group_recipients_are_unsupported() {
    let mut msg = OutboundMessage::new(samples::to(), waba_types::Content::text("hi"));
    msg.to = waba_types::Recipient::Group("g1".into());
    let err = codec().encode_send(&msg).unwrap_err();
    assert_eq!(
        err.kind(),
        &waba_core::ErrorKind::Unsupported {
            capability: "group messages".into()
        }
    );
}

#[test]
fn media_ids_with_path_characters_are_refused() {
    assert!(codec().encode_media_lookup(&"../me".into()).is_err());
}

#[test]
fn responses() {
    let c = codec();
    let receipt = |r: Result<SendReceipt, waba_core::Error>| match r {
        Ok(r) => serde_json::to_value(r).unwrap(),
        Err(e) => {
            serde_json::json!({"error": e.to_string(), "kind": e.kind().name(), "retryable": e.is_retryable()})
        }
    };
    insta_settings().bind(|| {
        insta::assert_json_snapshot!(
            "response_send_200",
            receipt(c.decode_send(&fixture("send_200")))
        );
        insta::assert_json_snapshot!(
            "response_send_held",
            receipt(c.decode_send(&fixture("send_200_held_for_quality")))
        );
        let templates = c.decode_templates(&fixture("templates_200")).unwrap();
        insta::assert_json_snapshot!("response_templates", templates);
    });
    assert_eq!(
        c.decode_upload(&fixture("media_upload_200"))
            .unwrap()
            .as_str(),
        "1166846181421424"
    );
    let (url, mime) = c.decode_media_lookup(&fixture("media_url_200")).unwrap();
    assert!(url.starts_with("https://lookaside.fbsbx.com/"));
    assert_eq!(mime.as_deref(), Some("image/jpeg"));
    c.decode_success(&fixture("read_200")).unwrap();
    let empty = http::Response::new(Bytes::from_static(b"{\"messages\":[]}"));
    let err = c.decode_send(&empty).unwrap_err();
    assert_eq!(err.kind(), &waba_core::ErrorKind::Decode);
    assert!(
        err.maybe_delivered(),
        "a 200 we cannot read may still have sent the message"
    );
}
