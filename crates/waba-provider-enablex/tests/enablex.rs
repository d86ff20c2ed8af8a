//! Requests and answers over the seed's examples; both auth modes and the conformance suite
//! against the sandbox.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::json;
use waba_auth::SecretString;
use waba_core::{ErrorKind, Provider, SharedProvider};
use waba_provider_enablex::{AuthMode, Codec, EnableXConfig, EnableXProvider};
use waba_sandbox::{EnableXAccount, Sandbox, SandboxHandle};
use waba_testkit::conformance::{self, Target};
use waba_testkit::samples;
use waba_testkit::snapshot::{insta_settings, render_request};
use waba_types::{Content, OutboundMessage};

fn codec() -> Codec {
    Codec::new("https://api.enablex.io/whatsapp/v1", None)
}

fn fixture(p: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../fixtures/enablex/{p}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn response(status: u16, p: &str) -> http::Response<Bytes> {
    http::Response::builder()
        .status(status)
        .body(Bytes::from(fixture(p)))
        .unwrap()
}

#[test]
fn requests_of_every_kind_and_the_token_and_template_routes() {
    insta_settings().bind(|| {
        for (name, content) in samples::all_contents() {
            let msg = OutboundMessage::new(samples::to(), content).with_reply_to("enxPREV");
            let value = match codec().encode_send(&msg) {
                Ok(r) => render_request(&r),
                Err(e) => json!({ "error": e.to_string() }),
            };
            insta::assert_json_snapshot!(format!("send_{name}"), value);
        }
        let with_from = Codec::new(
            "https://api.enablex.io/whatsapp/v1",
            Some("918297867890".into()),
        );
        insta::assert_json_snapshot!(
            "send_with_from",
            render_request(
                &with_from
                    .encode_send(&OutboundMessage::new(samples::to(), Content::text("hi")))
                    .unwrap()
            )
        );
        // The message's own sender wins over the configured one.
        insta::assert_json_snapshot!(
            "send_with_message_from",
            render_request(
                &with_from
                    .encode_send(
                        &OutboundMessage::new(samples::to(), Content::text("hi"))
                            .with_from("+918041234567".parse().unwrap())
                    )
                    .unwrap()
            )
        );
        let token: serde_json::Value =
            serde_json::from_slice(&fixture("requests/token.json")).unwrap();
        let t = codec()
            .encode_token(
                token["app_id"].as_str().unwrap(),
                token["app_key"].as_str().unwrap(),
            )
            .unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(t.body()).unwrap(),
            token
        );
        insta::assert_json_snapshot!("token", render_request(&t));
        let def: serde_json::Value =
            serde_json::from_slice(&fixture("requests/template_create.json")).unwrap();
        insta::assert_json_snapshot!(
            "template_create",
            render_request(&codec().encode_create_template(&def).unwrap())
        );
        insta::assert_json_snapshot!(
            "templates_list",
            render_request(&codec().encode_templates().unwrap())
        );
    });
    let e = codec()
        .encode_create_template(&json!({"name": "x"}))
        .unwrap_err();
    assert!(e.to_string().contains("needs category"), "{e}");
}

#[test]
fn answers_and_errors() {
    let c = codec();
    let r = c
        .decode_send(&response(200, "responses/send_200_seed.json"))
        .unwrap();
    assert_eq!(r.id.as_str(), "enx0000000000000001");
    assert_eq!(
        r.status,
        waba_types::DeliveryStatus::Accepted,
        "processing is accepted"
    );
    assert_eq!(
        c.decode_token(&response(200, "responses/token_200.json"))
            .unwrap(),
        ("eyJhbGciOi.sandbox".to_owned(), Some(1_735_693_200))
    );
    assert_eq!(
        c.decode_templates(&response(200, "responses/templates_200.json"))
            .unwrap()[0]
            .name,
        "order_update"
    );
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/enablex/responses");
    let table =
        waba_testkit::snapshot::error_fixture_table(&dir, |r| c.decode_send(r).unwrap_err());
    insta::assert_json_snapshot!("error_mapping", table);
    // The seed's example, answered with a success status, is still the 131047 failure.
    let e = c
        .decode_send(&response(200, "responses/error_400_seed_131047.json"))
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::OutsideCustomerWindow);
}

fn provider(s: &SandboxHandle, key: &str, mode: AuthMode) -> SharedProvider {
    let a = s.enablex();
    SharedProvider::new(
        EnableXProvider::new(
            EnableXConfig::new()
                .with_base_url(s.url("enablex"))
                .with_app(a.app_id.clone(), SecretString::from(key.to_owned()))
                .with_auth(mode),
        )
        .unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enablex_passes_the_conformance_suite_in_both_auth_modes() {
    for mode in [AuthMode::Basic, AuthMode::Token] {
        let sandbox = Sandbox::builder().start().await.unwrap();
        let key = sandbox.enablex().app_key.clone();
        let target = Target {
            sandbox: &sandbox,
            emulation: "enablex",
            provider: provider(&sandbox, &key, mode),
            bad_credentials: provider(&sandbox, "wrong-key", mode),
            decoder: Arc::new(waba_webhook::EnableXDecoder),
            verifier: Arc::new(waba_webhook::Unverified),
        };
        conformance::run(&target).await;
    }
}

#[tokio::test]
async fn tokens_are_refreshed_when_they_expire_and_templates_round_trip() {
    let account = EnableXAccount {
        token_lifetime_secs: 1,
        ..EnableXAccount::default()
    };
    let sandbox = Sandbox::builder()
        .enablex(account.clone())
        .enforce_window(false)
        .lifecycle(None)
        .start()
        .await
        .unwrap();
    let p = EnableXProvider::new(
        EnableXConfig::new()
            .with_base_url(sandbox.url("enablex"))
            .with_app(account.app_id, SecretString::from(account.app_key))
            .with_auth(AuthMode::Token),
    )
    .unwrap();
    let msg = OutboundMessage::new("+919876543210".parse().unwrap(), Content::text("hi"));
    p.send(&msg).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    p.send(&msg).await.expect("a fresh token after expiry");
    let def = serde_json::from_slice(&fixture("requests/template_create.json")).unwrap();
    p.create_template(&def).await.unwrap();
    assert!(
        p.templates()
            .await
            .unwrap()
            .iter()
            .any(|t| t.name == "order_update" && t.language == "en")
    );
    p.send(&OutboundMessage::new(
        "+919876543210".parse().unwrap(),
        Content::template("order_update", "en", ["A-1"]),
    ))
    .await
    .unwrap();
}
