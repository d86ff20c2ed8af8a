//! The end-to-end demo on loopback: starts the sandbox, sends a text, a template and an
//! image through `Client` + the Cloud adapter, receives the status webhooks and a
//! simulated customer reply through the `waba-webhook` receiver, and prints a table.
//! No configuration, no network, no account.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use waba_auth::SecretString;
use waba_core::{Client, SharedProvider};
use waba_provider_cloud::{CloudConfig, CloudProvider};
use waba_sandbox::Sandbox;
use waba_types::{Content, DeliveryStatus, Event, InboundContent, OutboundMessage, PhoneNumber};
use waba_webhook::receiver::Receiver;
use waba_webhook::{CloudDecoder, HubSignature};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. A webhook receiver, as an application would mount it.
    let sandbox = Sandbox::builder().start().await?;
    let account = sandbox.cloud().clone();
    let (router, mut events) =
        Receiver::builder(CloudDecoder, HubSignature::new(&account.app_secret)?).build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hook = format!("http://{}/", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, router).await });
    sandbox.set_webhook("cloud", hook, Vec::new())?;

    // 2. The adapter, pointed at the sandbox.
    let provider = CloudProvider::new(
        CloudConfig::new()
            .with_base_url(sandbox.url("cloud"))
            .with_access_token(SecretString::from(account.access_token.clone()))
            .with_phone_number_id(account.phone_number_id.clone()),
    )?;
    let client = Client::new(SharedProvider::new(provider));
    let customer = PhoneNumber::parse("+1 (631) 555-1002")?;

    // 3. The customer writes first, which opens the 24-hour window.
    sandbox
        .inject_inbound("cloud", &customer, "Hi! Where is my order?")
        .await?;

    let messages = [
        ("text", Content::text("Your order A-1001 has shipped")),
        (
            "template",
            Content::template("order_update", "en_US", ["A-1001"]),
        ),
        (
            "image",
            Content::image_link("https://example.com/receipt.jpg"),
        ),
    ];
    let mut sent = Vec::new();
    for (kind, content) in messages {
        let started = Instant::now();
        let receipt = client
            .send(&OutboundMessage::new(customer.clone(), content))
            .await?;
        sent.push((kind, receipt.id, started));
    }

    // 4. Webhooks: statuses for every message, and the customer's message.
    let mut status: HashMap<String, (DeliveryStatus, Duration)> = HashMap::new();
    let mut reply = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while status
        .values()
        .filter(|(s, _)| *s == DeliveryStatus::Read)
        .count()
        < sent.len()
        || reply.is_none()
    {
        let Ok(Some(received)) = tokio::time::timeout_at(deadline, events.recv()).await else {
            break;
        };
        match received.event {
            Event::Status(s) => {
                if let Some((_, _, started)) = sent.iter().find(|(_, id, _)| *id == s.message_id) {
                    status.insert(s.message_id.to_string(), (s.status, started.elapsed()));
                }
            }
            Event::Message(m) => {
                if let InboundContent::Text { body } = m.content {
                    reply = Some(format!("{}: {body:?}", m.profile_name.unwrap_or_default()));
                }
            }
            _ => {}
        }
    }

    println!(
        "{:<10} {:<9} {:<44} {:<10} {:>8}",
        "provider", "kind", "message id", "status", "rtt"
    );
    for (kind, id, _) in &sent {
        let (s, rtt) = status
            .get(id.as_str())
            .cloned()
            .unwrap_or((DeliveryStatus::Accepted, Duration::ZERO));
        println!(
            "{:<10} {:<9} {:<44} {:<10} {:>6} ms",
            "cloud",
            kind,
            id.as_str(),
            s.to_string(),
            rtt.as_millis()
        );
    }
    println!(
        "customer reply received: {}",
        reply.as_deref().unwrap_or("no")
    );
    let all_read = sent.iter().all(|(_, id, _)| {
        status
            .get(id.as_str())
            .is_some_and(|(s, _)| *s == DeliveryStatus::Read)
    });
    sandbox.shutdown().await;
    if all_read && reply.is_some() {
        Ok(())
    } else {
        Err("not every message was read, or no reply arrived".into())
    }
}
