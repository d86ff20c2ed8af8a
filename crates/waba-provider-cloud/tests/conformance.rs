//! The conformance suite against the sandbox's Cloud emulation.

use std::sync::Arc;

use waba_auth::SecretString;
use waba_core::{Provider, SharedProvider};
use waba_provider_cloud::{CloudConfig, CloudProvider};
use waba_sandbox::Sandbox;
use waba_testkit::conformance::{self, Target};

fn provider(
    base_url: String,
    token: &str,
    sandbox: &waba_sandbox::SandboxHandle,
) -> SharedProvider {
    let account = sandbox.cloud();
    let config = CloudConfig::new()
        .with_base_url(base_url)
        .with_access_token(SecretString::from(token.to_owned()))
        .with_phone_number_id(account.phone_number_id.clone())
        .with_waba_id(account.waba_id.clone());
    SharedProvider::new(CloudProvider::new(config).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_passes_the_conformance_suite() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let target = Target {
        sandbox: &sandbox,
        emulation: "cloud",
        provider: provider(
            sandbox.url("cloud"),
            &sandbox.cloud().access_token,
            &sandbox,
        ),
        bad_credentials: provider(sandbox.url("cloud"), "not-the-token", &sandbox),
        decoder: Arc::new(waba_webhook::CloudDecoder),
        verifier: Arc::new(waba_webhook::HubSignature::new(&sandbox.cloud().app_secret).unwrap()),
    };
    conformance::run(&target).await;
}

#[tokio::test]
async fn templates_are_listed() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let account = sandbox.cloud();
    let config = CloudConfig::new()
        .with_base_url(sandbox.url("cloud"))
        .with_access_token(SecretString::from(account.access_token.clone()))
        .with_phone_number_id(account.phone_number_id.clone())
        .with_waba_id(account.waba_id.clone());
    let p = CloudProvider::new(config).unwrap();
    let list = p.templates().await.unwrap();
    assert!(list.iter().any(|t| t.name == "hello_world"
        && t.language == "en_US"
        && t.status == waba_types::TemplateStatus::Approved));
}

#[tokio::test]
async fn the_raw_escape_hatch_reaches_the_api() {
    let sandbox = Sandbox::builder()
        .enforce_window(false)
        .lifecycle(None)
        .start()
        .await
        .unwrap();
    let account = sandbox.cloud();
    let p = CloudProvider::new(
        CloudConfig::new()
            .with_base_url(sandbox.url("cloud"))
            .with_access_token(SecretString::from(account.access_token.clone()))
            .with_phone_number_id(account.phone_number_id.clone()),
    )
    .unwrap();
    let to = "+16315550999".parse().unwrap();
    let r = p
        .send_raw(&to, "ephemeral", &serde_json::json!({"body": "gone soon"}))
        .await
        .unwrap();
    let stored = sandbox.message(r.id.as_str()).unwrap();
    assert_eq!(stored.kind, "ephemeral");
    assert_eq!(stored.body["ephemeral"]["body"], "gone soon");
}
