//! An axum bot: answers every inbound message, and for a customer outside the 24-hour window
//! sends a template instead of failing. Runs against the sandbox; point `Config` at a real
//! provider (and the receiver at a public URL) to run it for real.

use std::sync::Arc;
use std::time::Duration;

use waba::sandbox::Sandbox;
use waba::types::Template;
use waba::webhook::receiver::Receiver;
use waba::webhook::{CloudDecoder, HubSignature};
use waba::{
    Client, Config, Content, CustomerWindow, Event, InboundContent, OutboundMessage, ProviderExt,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::builder().start().await?;
    let account = sandbox.cloud().clone();
    let config = Config::new()
        .with("WABA_PROVIDER", "cloud")
        .with("WABA_CLOUD_BASE_URL", sandbox.url("cloud"))
        .with("WABA_CLOUD_ACCESS_TOKEN", account.access_token.clone())
        .with(
            "WABA_CLOUD_PHONE_NUMBER_ID",
            account.phone_number_id.clone(),
        );

    // The window tracker is fed by the webhooks and consulted before every send.
    let window = Arc::new(CustomerWindow::new());
    let fallback = Template {
        name: "hello_world".into(),
        language: "en_US".into(),
        components: vec![],
    };
    let client: Client = Client::builder(config.provider()?)
        .customer_window(window.clone())
        .fallback_template(fallback)
        .build();

    let (router, events) = Receiver::builder(CloudDecoder, HubSignature::new(&account.app_secret)?)
        .verify_token("my-token")
        .build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    sandbox.set_webhook(
        "cloud",
        format!("http://{}", listener.local_addr()?),
        Vec::new(),
    )?;
    tokio::spawn(async move { axum::serve(listener, router).await });

    let bot = client.clone();
    let tracker = window.clone();
    events.spawn(move |received| {
        let bot = bot.clone();
        let tracker = tracker.clone();
        async move {
            tracker.observe(&received.event);
            if let Event::Message(m) = received.event
                && let (InboundContent::Text { body }, Some(from)) = (&m.content, m.from.phone())
            {
                let reply = format!("You said: {body}");
                match bot.send_text(from, reply).await {
                    Ok(r) => println!("answered {} with {}", m.id, r.id),
                    Err(e) => println!("could not answer: {e} ({})", e.hint()),
                }
            }
        }
    });

    // A customer writes: the bot answers within the window.
    sandbox
        .inject_inbound("cloud", &"+16315551002".parse()?, "Hello bot")
        .await?;
    // Another has never written: the bot's free-form message goes as the template.
    let stranger = "+16315550999".parse()?;
    let r = client
        .send(&OutboundMessage::new(stranger, Content::text("Hi!")))
        .await?;
    let sent_as = sandbox
        .message(r.id.as_str())
        .map(|m| m.kind)
        .unwrap_or_default();
    println!(
        "to a customer outside the window: sent {} as a {sent_as}",
        r.id
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    sandbox.shutdown().await;
    Ok(())
}
