//! A broadcast with one outcome per recipient: failures are reported, never dropped.

use waba::sandbox::Sandbox;
use waba::{Config, Content, PhoneNumber};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::builder().start().await?;
    let info = sandbox.info();
    let p = |field: &str| {
        info["providers"]["mobile-gateway"][field]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let client = Config::new()
        .with("WABA_PROVIDER", "mobile-gateway")
        .with("WABA_MOBILE_GATEWAY_BASE_URL", p("base_url"))
        .with("WABA_MOBILE_GATEWAY_USERNAME", p("username"))
        .with("WABA_MOBILE_GATEWAY_PASSWORD", p("password"))
        .with("WABA_MOBILE_GATEWAY_SOURCE", p("source"))
        .client()?;
    let recipients: Vec<PhoneNumber> = (1..=5)
        .map(|n| format!("+6412345678{n}").parse())
        .collect::<Result<_, _>>()?;
    // One of them is not on WhatsApp.
    sandbox.set_on_whatsapp(&recipients[2], false);
    // Mobile Gateway fans out on its side: one request, one outcome per recipient.
    for outcome in client
        .broadcast(
            &recipients,
            &Content::template("hello_world", "en_US", Vec::<String>::new()),
        )
        .await
    {
        match outcome.result {
            Ok(r) => println!("{} → {}", outcome.to, r.id),
            Err(e) => println!("{} → failed: {e}", outcome.to),
        }
    }
    sandbox.shutdown().await;
    Ok(())
}
