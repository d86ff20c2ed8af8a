//! Acme passes the conformance suite every adapter of the workspace passes, against the
//! sandbox with Acme's emulation mounted.

mod emulation;

use std::sync::Arc;

use waba_auth::SecretString;
use waba_core::SharedProvider;
use waba_provider_acme::{AcmeConfig, AcmeProvider};
use waba_sandbox::Sandbox;
use waba_testkit::conformance::{self, Target};

fn provider(base_url: String, key: &str) -> SharedProvider {
    let config = AcmeConfig::new()
        .with_base_url(base_url)
        .with_api_key(SecretString::from(key.to_owned()));
    SharedProvider::new(AcmeProvider::new(&config).expect("configured"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acme_passes_the_conformance_suite() {
    let sandbox = Sandbox::builder()
        .emulation(Arc::new(emulation::Acme))
        .start()
        .await
        .expect("the sandbox starts");
    let (name, value) = emulation::WEBHOOK_HEADER;
    let target = Target {
        sandbox: &sandbox,
        emulation: "acme",
        provider: provider(sandbox.url("acme"), emulation::API_KEY),
        bad_credentials: provider(sandbox.url("acme"), "not-the-key"),
        decoder: Arc::new(waba_webhook::OnPremDecoder),
        verifier: Arc::new(waba_webhook::RequiredHeaders::new([(name, value)]).expect("headers")),
    };
    conformance::run(&target).await;
}
