//! Tujenge against the sandbox: conformance, blocked paths, the webhook route and its
//! custom headers, the proxy's error bodies, the local limits; and snapshots.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::json;
use waba_auth::SecretString;
use waba_core::{Client, ErrorKind, Provider, SharedProvider};
use waba_provider_tujenge::{TujengeConfig, TujengeProvider, WebhookConfig, codec, errors};
use waba_sandbox::{Faults, Sandbox, SandboxHandle};
use waba_testkit::conformance::{self, Target};
use waba_types::{Content, OutboundMessage};

fn provider(s: &SandboxHandle, key: &str) -> TujengeProvider {
    TujengeProvider::new(
        TujengeConfig::new()
            .with_base_url(s.url("tujenge"))
            .with_api_key(SecretString::from(key.to_owned()))
            .with_namespace(s.tujenge().namespace.clone()),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tujenge_passes_the_conformance_suite() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let key = sandbox.tujenge().api_key.clone();
    let target = Target {
        sandbox: &sandbox,
        emulation: "tujenge",
        provider: SharedProvider::new(provider(&sandbox, &key)),
        bad_credentials: SharedProvider::new(provider(&sandbox, "wrong-key")),
        decoder: Arc::new(waba_webhook::OnPremDecoder),
        verifier: Arc::new(waba_webhook::Unverified),
    };
    conformance::run(&target).await;
}

#[tokio::test]
async fn blocked_paths_never_leave() {
    let sandbox = Sandbox::builder().lifecycle(None).start().await.unwrap();
    let p = provider(&sandbox, &sandbox.tujenge().api_key.clone());
    sandbox.set_faults(Faults {
        fail_next: 1,
        ..Faults::default()
    });
    for path in [
        "/v1/health",
        "/v1/users/login",
        "/v1/settings/application",
        "/metrics",
    ] {
        let e = p.request(http::Method::GET, path, None).await.unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Unsupported { .. }), "{e}");
        assert!(e.to_string().contains(path), "{e}");
    }
    assert_eq!(
        sandbox.faults().fail_next,
        1,
        "a blocked request reached the network"
    );
}

#[tokio::test]
async fn webhook_route_and_custom_headers() {
    let sandbox = Sandbox::builder().lifecycle(None).start().await.unwrap();
    let p = provider(&sandbox, &sandbox.tujenge().api_key.clone());
    let e = p
        .set_webhook("http://insecure.example.com/hook", &[])
        .await
        .unwrap_err();
    assert_eq!(
        e.kind(),
        &ErrorKind::InvalidRequest {
            field: Some("url".into())
        }
    );
    assert!(e.to_string().contains("must be an https:// URL"), "{e}");
    let set = p
        .set_webhook(
            "https://bot.example.com/wa",
            &[("Authorization", "Basic dGVzdHVzZXI6dGVzdHBhc3M=")],
        )
        .await
        .unwrap();
    assert_eq!(set.url, "https://bot.example.com/wa");
    assert_eq!(p.webhook().await.unwrap(), set);
    assert!(
        !format!("{set:?}").contains("dGVzdHVzZXI6"),
        "header values are not shown"
    );

    // The configured headers go with every webhook: a receiver that requires them gets it.
    let verifier = waba_webhook::RequiredHeaders::basic("testuser", "testpass").unwrap();
    let (router, mut events) =
        waba_webhook::receiver::Receiver::builder(waba_webhook::OnPremDecoder, verifier).build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    sandbox
        .set_webhook(
            "tujenge",
            url,
            vec![(
                "Authorization".into(),
                "Basic dGVzdHVzZXI6dGVzdHBhc3M=".into(),
            )],
        )
        .unwrap();
    sandbox
        .inject_inbound("tujenge", &"+254712345678".parse().unwrap(), "Habari")
        .await
        .unwrap();
    let got = tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(got.event, waba_types::Event::Message(_)));
}

#[tokio::test]
async fn proxy_errors_and_local_limits() {
    let sandbox = Sandbox::builder()
        .lifecycle(None)
        .enforce_window(false)
        .start()
        .await
        .unwrap();
    let bad = provider(&sandbox, "wrong-key");
    let e = bad
        .send(&OutboundMessage::new(
            "+254712345678".parse().unwrap(),
            Content::text("x"),
        ))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::Auth);
    assert!(e.to_string().contains("Invalid api_key"), "{e}");

    let good = provider(&sandbox, &sandbox.tujenge().api_key.clone());
    let long_params = Content::template("order_update", "en", ["p".repeat(600), "q".repeat(600)]);
    let e = good
        .send(&OutboundMessage::new(
            "+254712345678".parse().unwrap(),
            long_params,
        ))
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid request at content.components (tujenge): content.components: 1200 characters of template content, the limit is 1024"
    );
    let client = Client::new(SharedProvider::new(good));
    let e = client
        .send(&OutboundMessage::new(
            "+254712345678".parse().unwrap(),
            Content::Text(waba_types::Text {
                body: "no link".into(),
                preview_url: true,
            }),
        ))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("preview_url"), "{e}");
}

#[test]
fn snapshots_of_tujenge_requests_and_errors() {
    let fixture = |p: &str| {
        std::fs::read(format!(
            "{}/../../fixtures/tujenge/{p}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    let seed: WebhookConfig =
        serde_json::from_slice(&fixture("requests/webhook_config_seed.json")).unwrap();
    let request = codec::encode_set_webhook("https://waba.tujenge.io", &seed).unwrap();
    insta::assert_json_snapshot!(
        "set_webhook_seed",
        waba_testkit::snapshot::render_request(&request)
    );
    let echoed = http::Response::new(Bytes::from(fixture(
        "responses/webhook_config_200_seed.json",
    )));
    assert_eq!(codec::decode_webhook(&echoed).unwrap(), seed);
    let mut table = Vec::new();
    for (name, status) in [
        ("error_401_seed", 401),
        ("error_500_seed", 500),
        ("error_403_d360_camel_case", 403),
    ] {
        let response = http::Response::builder()
            .status(status)
            .body(Bytes::from(fixture(&format!("responses/{name}.json"))))
            .unwrap();
        let e = errors::gateway_error(&response).unwrap();
        table.push(json!({ "fixture": name, "kind": e.kind().name(), "retryable": e.is_retryable(), "message": e.message() }));
    }
    insta::assert_json_snapshot!("gateway_errors", table);
}

#[tokio::test]
async fn every_request_kind_carries_the_key_header() {
    let replay = waba_testkit::ReplayTransport::new();
    for _ in 0..5 {
        replay.push_json(200, &json!({"messages": [{"id": "gBEG1"}], "media": [{"id": "m1"}], "contacts": [], "meta": {"api_status": "stable"}}));
    }
    let p = TujengeProvider::with_transport(
        TujengeConfig::new()
            .with_api_key(SecretString::from("tujenge-key-0001"))
            .with_namespace("ns"),
        replay.clone(),
    )
    .unwrap();
    let to: waba_types::PhoneNumber = "+254712345678".parse().unwrap();
    p.send(&OutboundMessage::new(to.clone(), Content::text("Habari")))
        .await
        .unwrap();
    p.send(&OutboundMessage::new(
        to.clone(),
        Content::template("order_update", "en", ["A-1"]),
    ))
    .await
    .unwrap();
    p.upload_media(waba_core::MediaUpload::new(
        waba_types::MediaKind::Image,
        "image/png",
        Bytes::from_static(b"png"),
    ))
    .await
    .unwrap();
    p.mark_read(&"gBEG1".into()).await.unwrap();
    p.check_contacts(&[to]).await.unwrap();
    let rendered: Vec<_> = replay
        .requests()
        .iter()
        .map(waba_testkit::RecordedRequest::snapshot)
        .collect();
    for r in &rendered {
        assert_eq!(r["headers"]["wa-api-key"], "[redacted]");
        assert!(!r.to_string().contains("tujenge-key-0001"));
    }
    insta::assert_json_snapshot!("requests_through_the_proxy", rendered);
}
