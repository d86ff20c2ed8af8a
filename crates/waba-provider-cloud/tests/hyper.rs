//! The adapter without its default transport: built over `waba-transport-hyper`, it sends to
//! the sandbox, and its spec refuses to build with no transport at all when the `reqwest`
//! feature is off. `cargo xtask features` runs this file with `--no-default-features`, so
//! reqwest is then absent from the adapter (the sandbox, a dev-dependency, still has it).

use waba_auth::SecretString;
use waba_core::{Client, ProviderExt, SharedProvider, SharedTransport};
use waba_provider_cloud::{CloudConfig, CloudProvider, SPEC};
use waba_sandbox::{Sandbox, SandboxHandle};
use waba_transport_hyper::HyperTransport;

async fn sandbox() -> SandboxHandle {
    Sandbox::builder()
        .enforce_window(false)
        .lifecycle(None)
        .start()
        .await
        .expect("the sandbox starts")
}

async fn sends_one_text(sandbox: &SandboxHandle, provider: SharedProvider) {
    let client = Client::builder(provider).no_rate_limit().build();
    let receipt = client
        .send_text("+16315551002".parse().expect("a number"), "over hyper")
        .await
        .expect("sent over hyper");
    let stored = sandbox
        .message(receipt.id.as_str())
        .expect("the sandbox stored the message under the returned id");
    assert_eq!(stored.customer, "16315551002");
    assert_eq!(stored.body["text"]["body"], "over hyper");
}

#[tokio::test]
async fn with_transport_sends_over_hyper() {
    let sandbox = sandbox().await;
    let account = sandbox.cloud();
    let provider = CloudProvider::with_transport(
        CloudConfig::new()
            .with_base_url(sandbox.url("cloud"))
            .with_access_token(SecretString::from(account.access_token.clone()))
            .with_phone_number_id(account.phone_number_id.clone()),
        HyperTransport::new(),
    )
    .expect("configured");
    sends_one_text(&sandbox, SharedProvider::new(provider)).await;
}

#[tokio::test]
async fn the_spec_builds_over_a_given_transport() {
    let sandbox = sandbox().await;
    let account = sandbox.cloud().clone();
    let base_url = sandbox.url("cloud");
    let get = |var: &str| match var {
        "WABA_CLOUD_BASE_URL" => Some(base_url.clone()),
        "WABA_CLOUD_ACCESS_TOKEN" => Some(account.access_token.clone()),
        "WABA_CLOUD_PHONE_NUMBER_ID" => Some(account.phone_number_id.clone()),
        _ => None,
    };
    let provider = (SPEC.build)(&get, Some(SharedTransport::new(HyperTransport::new())))
        .expect("built over hyper");
    sends_one_text(&sandbox, provider).await;
}

/// Without the `reqwest` feature there is no default transport: the spec's build says so
/// and how to fix it, as a configuration error, instead of failing to compile or panicking.
#[cfg(not(feature = "reqwest"))]
#[test]
fn without_reqwest_the_spec_asks_for_a_transport() {
    let get = |var: &str| match var {
        "WABA_CLOUD_ACCESS_TOKEN" => Some("token".to_owned()),
        "WABA_CLOUD_PHONE_NUMBER_ID" => Some("106540352242922".to_owned()),
        _ => None,
    };
    let e = (SPEC.build)(&get, None).expect_err("no transport to build over");
    assert_eq!(e.kind(), &waba_core::ErrorKind::Config);
    assert!(
        e.to_string()
            .contains("no default HTTP transport: enable feature `reqwest` or pass a transport"),
        "{e}"
    );
}

/// With the `reqwest` feature the spec builds over reqwest when given no transport.
#[cfg(feature = "reqwest")]
#[test]
fn with_reqwest_the_spec_has_a_default_transport() {
    use waba_core::Provider as _;
    let get = |var: &str| match var {
        "WABA_CLOUD_ACCESS_TOKEN" => Some("token".to_owned()),
        "WABA_CLOUD_PHONE_NUMBER_ID" => Some("106540352242922".to_owned()),
        _ => None,
    };
    let provider = (SPEC.build)(&get, None).expect("built over reqwest");
    assert_eq!(provider.id().as_str(), "cloud");
}
