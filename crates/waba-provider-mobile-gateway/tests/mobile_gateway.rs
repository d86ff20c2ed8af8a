//! Requests and answers pinned over the seed's examples; the conformance suite against the
//! sandbox.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::json;
use waba_auth::SecretString;
use waba_core::{ErrorKind, Provider, SharedProvider};
use waba_provider_mobile_gateway::{
    Codec, MobileGatewayConfig, MobileGatewayProvider, RecipientField,
};
use waba_sandbox::{Sandbox, SandboxHandle};
use waba_testkit::conformance::{self, Target};
use waba_testkit::samples;
use waba_testkit::snapshot::{insta_settings, render_request};
use waba_types::{Content, OutboundMessage, PhoneNumber};

fn codec() -> Codec {
    Codec::new(
        "https://api.example.com/rest/wab/v1",
        "1234567890",
        RecipientField::Destination,
    )
}

fn fixture(p: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../fixtures/mobile-gateway/{p}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn value(p: &str) -> serde_json::Value {
    serde_json::from_slice(&fixture(p)).unwrap()
}

fn response(status: u16, p: &str) -> http::Response<Bytes> {
    http::Response::builder()
        .status(status)
        .body(Bytes::from(fixture(p)))
        .unwrap()
}

#[test]
fn requests_match_the_seed() {
    let send = codec()
        .encode_send(&OutboundMessage::new(
            PhoneNumber::parse("+64123456879").unwrap(),
            Content::text("Hello"),
        ))
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(send.body()).unwrap(),
        value("requests/send_seed.json")
    );
    let to = [
        PhoneNumber::parse("+64123456789").unwrap(),
        PhoneNumber::parse("+64223456788").unwrap(),
    ];
    let b = codec()
        .encode_broadcast(&to, &Content::text("Hello"))
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(b.body()).unwrap(),
        value("requests/broadcast_seed.json")
    );
    assert_eq!(b.uri().path(), "/rest/wab/v1/messages/broadcast");
    let with_to = Codec::new("https://h/rest/wab/v1", "1", RecipientField::To)
        .encode_send(&OutboundMessage::new(to[0].clone(), Content::text("x")))
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(with_to.body()).unwrap()["to"],
        "+64123456789"
    );
}

#[test]
fn request_of_every_content_kind() {
    insta_settings().bind(|| {
        for (name, content) in samples::all_contents() {
            let msg =
                OutboundMessage::new(samples::to(), content).with_client_reference("order-1001");
            let value = match codec().encode_send(&msg) {
                Ok(r) => render_request(&r),
                Err(e) => json!({ "error": e.to_string() }),
            };
            insta::assert_json_snapshot!(format!("send_{name}"), value);
        }
        let upload = waba_core::MediaUpload::new(
            waba_types::MediaKind::Image,
            "image/png",
            Bytes::from_static(b"png"),
        );
        insta::assert_json_snapshot!(
            "media_upload",
            render_request(&codec().encode_upload(&upload).unwrap())
        );
        insta::assert_json_snapshot!(
            "media_download",
            render_request(&codec().encode_download(&"abc123".into()).unwrap())
        );
        insta::assert_json_snapshot!(
            "message_lookup",
            render_request(
                &codec()
                    .encode_message(&"53a3e147-0cc5-4001-874a-000000000000".into())
                    .unwrap()
            )
        );
    });
}

#[test]
fn answers_and_errors() {
    let c = codec();
    assert_eq!(
        c.decode_send(&response(202, "responses/send_202_seed.json"))
            .unwrap()
            .id
            .as_str(),
        "b95fc11e-37f0-4770-a082-6ea22d4c4d12"
    );
    let to = [
        PhoneNumber::parse("+64123456789").unwrap(),
        PhoneNumber::parse("+64223456788").unwrap(),
    ];
    let outcomes = c
        .decode_broadcast(&to, &response(202, "responses/broadcast_202_seed.json"))
        .unwrap();
    assert_eq!(outcomes.len(), 2);
    assert_eq!(
        outcomes[1].result.as_ref().unwrap().id.as_str(),
        "cd415c6d-2fe8-4cb0-b5d7-135674fcf5e5"
    );
    assert_eq!(
        c.decode_upload(&response(200, "responses/media_200_seed.json"))
            .unwrap()
            .as_str(),
        "string"
    );
    insta_settings().bind(|| {
        insta::assert_json_snapshot!(
            "record_mt",
            c.decode_message(&response(200, "responses/record_mt_200_seed.json"))
                .unwrap()
        );
        insta::assert_json_snapshot!(
            "record_mo",
            c.decode_message(&response(200, "responses/record_mo_200_seed.json"))
                .unwrap()
        );
    });
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/mobile-gateway/responses");
    let table =
        waba_testkit::snapshot::error_fixture_table(&dir, |r| c.decode_send(r).unwrap_err());
    insta::assert_json_snapshot!("error_mapping", table);
    let e = c
        .decode_send(&response(422, "responses/error_422_seed.json"))
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidRequest { .. }));
}

fn provider(s: &SandboxHandle, password: &str) -> SharedProvider {
    let a = s.mobile_gateway();
    SharedProvider::new(
        MobileGatewayProvider::new(
            MobileGatewayConfig::new()
                .with_base_url(s.url("mobile-gateway"))
                .with_credentials(a.username, SecretString::from(password.to_owned()))
                .with_source(a.source),
        )
        .unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mobile_gateway_passes_the_conformance_suite() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let password = sandbox.mobile_gateway().password;
    let target = Target {
        sandbox: &sandbox,
        emulation: "mobile-gateway",
        provider: provider(&sandbox, &password),
        bad_credentials: provider(&sandbox, "wrong"),
        decoder: Arc::new(waba_webhook::MobileGatewayDecoder),
        verifier: Arc::new(waba_webhook::Unverified),
    };
    conformance::run(&target).await;
    // A record reads back with its JSON-in-a-string content decoded and its reference.
    let p = provider(&sandbox, &password);
    let msg = OutboundMessage::new(
        PhoneNumber::parse("+64123456789").unwrap(),
        Content::template("hello_world", "en_US", Vec::<String>::new()),
    )
    .with_client_reference("order-7");
    let r = p.send(&msg).await.unwrap();
    let record = p.message(&r.id).await.unwrap();
    assert_eq!(record.direction, Some(waba_core::Direction::Outbound));
    assert_eq!(record.client_reference.as_deref(), Some("order-7"));
    assert_eq!(record.content.unwrap()["template"]["name"], "hello_world");
}
