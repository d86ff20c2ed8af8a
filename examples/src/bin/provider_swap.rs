//! The same application code over different providers: only the configuration changes.

use waba::sandbox::Sandbox;
use waba::{Config, Provider, ProviderExt};

/// The application: knows nothing of providers.
async fn notify(config: &Config) -> Result<String, waba::Error> {
    let client = config.client()?;
    let receipt = client
        .send_template(
            "+16315551002".parse().unwrap(),
            "order_update",
            "en_US",
            ["A-1001"],
        )
        .await?;
    Ok(format!("{} accepted {}", client.id(), receipt.id))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::builder().start().await?;
    let info = sandbox.info();
    let p = |provider: &str, field: &str| {
        info["providers"][provider][field]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    // In production these come from a TOML file or WABA_* variables (`Config::load`).
    let configs = [
        Config::new()
            .with("WABA_PROVIDER", "cloud")
            .with("WABA_CLOUD_BASE_URL", p("cloud", "base_url"))
            .with("WABA_CLOUD_ACCESS_TOKEN", p("cloud", "access_token"))
            .with("WABA_CLOUD_PHONE_NUMBER_ID", p("cloud", "phone_number_id")),
        Config::new()
            .with("WABA_PROVIDER", "tujenge")
            .with("WABA_TUJENGE_BASE_URL", p("tujenge", "base_url"))
            .with("WABA_TUJENGE_API_KEY", p("tujenge", "api_key"))
            .with("WABA_TUJENGE_NAMESPACE", p("tujenge", "namespace")),
        Config::new()
            .with("WABA_PROVIDER", "enablex")
            .with("WABA_ENABLEX_BASE_URL", p("enablex", "base_url"))
            .with("WABA_ENABLEX_APP_ID", p("enablex", "app_id"))
            .with("WABA_ENABLEX_APP_KEY", p("enablex", "app_key"))
            .with("WABA_ENABLEX_AUTH", "token"),
    ];
    for config in &configs {
        println!("{}", notify(config).await?);
    }
    sandbox.shutdown().await;
    Ok(())
}
