//! `Config`: TOML and environment, errors that name the fix, no secret printed, and the
//! same code sending through different providers by configuration alone.

use proptest::prelude::*;
use waba::{Config, Content, OutboundMessage, Provider, ProviderId, StateBackend};

#[test]
fn toml_sections_become_provider_keys_and_the_environment_wins() {
    let c = Config::from_toml(
        r#"
        provider = "cloud"
        rate_limit = 20
        [cloud]
        access_token = "from-file"
        phone_number_id = "106540352242922"
        [mobile-gateway]
        source = "1234567890"
        "#,
    )
    .unwrap();
    assert_eq!(c.get("WABA_CLOUD_ACCESS_TOKEN"), Some("from-file"));
    assert_eq!(c.get("WABA_MOBILE_GATEWAY_SOURCE"), Some("1234567890"));
    assert_eq!(c.get("WABA_RATE_LIMIT"), Some("20"));
    let c = c.with("WABA_CLOUD_ACCESS_TOKEN", "from-env");
    assert_eq!(c.get("WABA_CLOUD_ACCESS_TOKEN"), Some("from-env"));
    assert_eq!(c.provider().unwrap().id(), ProviderId::CLOUD);
}

#[test]
fn errors_say_what_to_fix() {
    let e = Config::new().provider().unwrap_err();
    assert!(e.to_string().contains("set WABA_PROVIDER"), "{e}");
    let e = Config::new()
        .with("WABA_PROVIDER", "whatsapp-web")
        .provider()
        .unwrap_err();
    assert!(
        e.to_string().contains("unknown provider \"whatsapp-web\""),
        "{e}"
    );
    let e = Config::from_toml("[twilio]\nx = 1").unwrap_err();
    assert!(e.to_string().contains("unknown section [twilio]"), "{e}");
    let e = Config::from_toml("provider = ").unwrap_err();
    assert!(e.to_string().contains("not valid TOML"), "{e}");
    let e = Config::new()
        .with("WABA_PROVIDER", "cloud")
        .provider()
        .unwrap_err();
    assert!(e.to_string().contains("WABA_CLOUD_ACCESS_TOKEN"), "{e}");
    let e = Config::new()
        .with("WABA_PROVIDER", "cloud")
        .with("WABA_CLOUD_ACCESS_TOKEN", "t")
        .with("WABA_CLOUD_PHONE_NUMBER_ID", "1")
        .with("WABA_RATE_LIMIT", "fast")
        .client()
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("WABA_RATE_LIMIT must be a whole number"),
        "{e}"
    );
}

#[test]
fn the_state_backend_is_memory_by_default_and_redis_needs_a_url() {
    assert_eq!(Config::new().state().unwrap(), StateBackend::Memory);
    let c = Config::from_toml("state = \"redis\"\nredis_url = \"redis://cache:6379\"").unwrap();
    assert_eq!(
        c.state().unwrap(),
        StateBackend::Redis {
            url: "redis://cache:6379".to_owned()
        }
    );
    let e = Config::new()
        .with("WABA_STATE", "redis")
        .state()
        .unwrap_err();
    assert!(
        e.to_string().contains("needs redis_url (WABA_REDIS_URL)"),
        "{e}"
    );
    let e = Config::new()
        .with("WABA_STATE", "etcd")
        .state()
        .unwrap_err();
    assert!(e.to_string().contains("not \"etcd\""), "{e}");
}

proptest! {
    #[test]
    fn debug_never_shows_a_secret(secret in "[A-Za-z0-9]{12,40}") {
        let c = Config::new()
            .with("WABA_CLOUD_ACCESS_TOKEN", secret.clone())
            .with("WABA_ONPREM_PASSWORD", secret.clone())
            .with("WABA_ENABLEX_APP_KEY", secret.clone())
            .with("WABA_GENERIC_V2_ACCESS_TOKEN", secret.clone())
            .with("WABA_CLOUD_APP_SECRET", secret.clone())
            .with("WABA_REDIS_URL", format!("redis://app:{secret}@cache:6379"));
        let shown = format!("{c:?}");
        prop_assert!(!shown.contains(&secret), "secret in {}", shown);
    }
}

#[tokio::test]
async fn switching_provider_is_changing_configuration() {
    let sandbox = waba_sandbox::Sandbox::builder()
        .enforce_window(false)
        .lifecycle(None)
        .start()
        .await
        .unwrap();
    let cloud = sandbox.cloud().clone();
    let onprem = sandbox.onprem().clone();
    let configs = [
        Config::new()
            .with("WABA_PROVIDER", "cloud")
            .with("WABA_CLOUD_BASE_URL", sandbox.url("cloud"))
            .with("WABA_CLOUD_ACCESS_TOKEN", cloud.access_token)
            .with("WABA_CLOUD_PHONE_NUMBER_ID", cloud.phone_number_id),
        Config::new()
            .with("WABA_PROVIDER", "onprem")
            .with("WABA_ONPREM_BASE_URL", sandbox.url("onprem"))
            .with("WABA_ONPREM_USERNAME", onprem.username)
            .with("WABA_ONPREM_PASSWORD", onprem.password),
    ];
    for config in configs {
        // The application code: the same for every provider.
        let client = config.client().unwrap();
        let receipt = client
            .send(&OutboundMessage::new(
                "+16315551002".parse().unwrap(),
                Content::text("Hello"),
            ))
            .await
            .unwrap();
        let stored = sandbox.message(receipt.id.as_str()).unwrap();
        assert_eq!(stored.provider, config.provider_name().unwrap());
    }
}
