//! Operations beyond `send` that only some providers have, reached from a `Client` built
//! from `Config` alone (no concrete adapter type), against the sandbox: each works where
//! the provider declares it, and is refused as unsupported, naming the provider, where not.

use waba::core::{Capabilities, WebhookSettings};
use waba::{Client, Config, ErrorKind, PROVIDERS, PhoneNumber, Provider};
use waba_sandbox::{Sandbox, SandboxHandle};

/// The configuration pointing `provider` at the sandbox: every string the sandbox lists
/// for it is one of its configuration keys.
fn client(sandbox: &SandboxHandle, provider: &str) -> Client {
    let info = sandbox.info();
    let settings = info["providers"][provider]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())));
    Config::new()
        .with("WABA_PROVIDER", provider)
        .with("WABA_RATE_LIMIT", "0")
        .with_section(provider, settings)
        .client()
        .unwrap_or_else(|e| panic!("{provider}: {e}"))
}

fn customer() -> PhoneNumber {
    "+16315551002".parse().unwrap()
}

/// What each optional operation answers for a client whose capability flag is off.
async fn refused(client: &Client) -> Vec<(&'static str, Option<waba::Error>)> {
    let caps: &Capabilities = client.capabilities();
    let definition =
        serde_json::json!({"name": "x", "language": "en", "category": "UTILITY", "components": []});
    let settings = WebhookSettings {
        url: "https://bot.example.com/wa".into(),
        headers: Vec::new(),
    };
    let mut out = Vec::new();
    if !caps.create_template {
        out.push((
            "create_template",
            client.create_template(&definition).await.err(),
        ));
    }
    if !caps.send_raw {
        let raw = serde_json::json!({"body": "hi"});
        out.push((
            "send_raw",
            client.send_raw(&customer(), "text", &raw).await.err(),
        ));
    }
    if !caps.health {
        out.push(("health", client.health().await.err()));
    }
    if !caps.webhook_settings {
        out.push(("set_webhook", client.set_webhook(&settings).await.err()));
        out.push(("webhook", client.webhook().await.err()));
    }
    out
}

#[tokio::test]
async fn undeclared_operations_are_refused_naming_the_provider_and_nothing_is_sent() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    for spec in PROVIDERS {
        let client = client(&sandbox, spec.name);
        let before = sandbox.requests_of(spec.name);
        for (op, error) in refused(&client).await {
            let e = error.unwrap_or_else(|| panic!("{}: {op} worked undeclared", spec.name));
            assert!(
                matches!(e.kind(), ErrorKind::Unsupported { .. }),
                "{}: {op}: {e}",
                spec.name
            );
            assert!(
                e.to_string()
                    .contains(&format!("{op} is not supported by {}", spec.name)),
                "{}: {e}",
                spec.name
            );
        }
        assert_eq!(
            sandbox.requests_of(spec.name),
            before,
            "{}: refused locally",
            spec.name
        );
    }
    sandbox.shutdown().await;
}

/// Every provider whose client declares `flag`.
fn declaring(sandbox: &SandboxHandle, flag: fn(&Capabilities) -> bool) -> Vec<Client> {
    let clients: Vec<Client> = PROVIDERS
        .iter()
        .map(|s| client(sandbox, s.name))
        .filter(|c| flag(c.capabilities()))
        .collect();
    assert!(!clients.is_empty(), "some provider declares it");
    clients
}

#[tokio::test]
async fn send_raw_sends_the_providers_own_json() {
    let sandbox = Sandbox::builder()
        .enforce_window(false)
        .start()
        .await
        .unwrap();
    for client in declaring(&sandbox, |c| c.send_raw) {
        let object = serde_json::json!({"body": "a raw text", "preview_url": false});
        let receipt = client
            .send_raw(&customer(), "text", &object)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", client.id()));
        assert_eq!(receipt.provider, client.id());
        let stored = sandbox
            .message(receipt.id.as_str())
            .unwrap_or_else(|| panic!("{}: {} stored", client.id(), receipt.id));
        assert_eq!(stored.body["text"]["body"], "a raw text", "{}", client.id());
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn create_template_submits_a_definition_that_can_then_be_sent() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    for client in declaring(&sandbox, |c| c.create_template) {
        let definition = serde_json::json!({
            "name": "shipping_notice", "language": "en", "category": "UTILITY",
            "components": [{"type": "BODY", "text": "Order {{1}} has shipped"}],
        });
        client
            .create_template(&definition)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", client.id()));
        if client.capabilities().list_templates {
            let listed = client.list_templates().await.unwrap();
            assert!(
                listed
                    .iter()
                    .any(|t| t.name == "shipping_notice" && t.language == "en"),
                "{}: {listed:?}",
                client.id()
            );
        }
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn health_reports_the_providers_state() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    for client in declaring(&sandbox, |c| c.health) {
        let health = client
            .health()
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", client.id()));
        assert!(health.is_object(), "{}: {health}", client.id());
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn webhook_settings_are_set_and_read_back() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    for client in declaring(&sandbox, |c| c.webhook_settings) {
        let settings = WebhookSettings {
            url: "https://bot.example.com/wa".into(),
            headers: vec![("X-Bot-Key".into(), "k-1".into())],
        };
        let stored = client
            .set_webhook(&settings)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", client.id()));
        assert_eq!(stored, settings, "{}", client.id());
        assert_eq!(client.webhook().await.unwrap(), settings, "{}", client.id());
    }
    sandbox.shutdown().await;
}
