//! One line registers Acme: `Config` then sends through it and receives its webhooks from
//! the same `WABA_ACME_*` settings, as for a provider of the facade.

mod emulation;

use std::sync::Arc;

use waba::{Config, Providers};
use waba_core::{ErrorKind, ProviderExt};
use waba_sandbox::{Sandbox, SandboxHandle};
use waba_webhook::WebhookRequest;

async fn sandbox() -> SandboxHandle {
    Sandbox::builder()
        .emulation(Arc::new(emulation::Acme))
        .enforce_window(false)
        .lifecycle(None)
        .start()
        .await
        .expect("the sandbox starts")
}

fn vars(sandbox: &SandboxHandle) -> Vec<(String, String)> {
    let (name, value) = emulation::WEBHOOK_HEADER;
    [
        ("WABA_PROVIDER", "acme".to_owned()),
        ("WABA_ACME_API_KEY", emulation::API_KEY.to_owned()),
        ("WABA_ACME_BASE_URL", sandbox.url("acme")),
        ("WABA_ACME_WEBHOOK_HEADERS", format!("{name}: {value}")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

#[tokio::test]
async fn registered_with_one_line_it_sends_and_receives() {
    let sandbox = sandbox().await;
    let config = Providers::builtin()
        .with(&waba_provider_acme::SPEC)
        .from_vars(vars(&sandbox))
        .expect("a valid configuration");

    let receipt = config
        .client()
        .expect("a client")
        .send_text("+16315551002".parse().expect("a number"), "hello from acme")
        .await
        .expect("sent");
    let stored = sandbox.message(receipt.id.as_str()).expect("stored");
    assert_eq!(stored.provider, "acme");
    assert_eq!(stored.body["text"]["body"], "hello from acme");

    let receiving = config.receiver().expect("a receiver");
    assert_eq!(receiving.decoder.format(), "onprem");
    assert!(receiving.verified, "the configured headers are checked");
    let body = br#"{"statuses":[{"id":"acme-1","status":"read","timestamp":"1","recipient_id":"16315551002"}]}"#;
    let (name, value) = emulation::WEBHOOK_HEADER;
    let header = |v: &'static str| {
        let mut h = http::HeaderMap::new();
        h.insert(name, http::HeaderValue::from_static(v));
        h
    };
    let (signed, forged) = (header(value), header("guess"));
    assert!(
        receiving
            .verifier
            .verify(&WebhookRequest::post(&signed, body))
            .is_ok()
    );
    assert!(
        receiving
            .verifier
            .verify(&WebhookRequest::post(&forged, body))
            .is_err()
    );
}

#[test]
fn without_the_line_acme_is_an_unknown_provider() {
    let e = Config::from_vars([("WABA_PROVIDER".to_owned(), "acme".to_owned())])
        .expect("the variable itself is fine")
        .provider()
        .expect_err("acme is not built in");
    assert_eq!(e.kind(), &ErrorKind::Config);
    assert!(e.to_string().contains("unknown provider \"acme\""), "{e}");
    // Its keys are unknown too, and named as written.
    let e = Config::from_toml("provider = \"acme\"\n[acme]\napi_key = \"k\"").unwrap_err();
    assert!(e.to_string().contains("unknown section [acme]"), "{e}");
    let with = Providers::builtin().with(&waba_provider_acme::SPEC);
    let config = with
        .from_toml("provider = \"acme\"\n[acme]\napi_key = \"k\"")
        .expect("known with the line");
    assert_eq!(config.provider_name().expect("chosen"), "acme");
    let e = with.from_toml("[acme]\napi_kye = \"k\"").unwrap_err();
    assert!(e.to_string().contains("did you mean `api_key`"), "{e}");
}
