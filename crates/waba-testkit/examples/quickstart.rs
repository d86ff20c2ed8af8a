//! Sends a text, a template and a broadcast through `Client` over a `StubProvider`, and
//! shows how errors classify themselves. No network, no credentials.

use waba_core::{Client, Error, ErrorKind, ProviderExt};
use waba_testkit::StubProvider;
use waba_types::{Content, OutboundMessage, PhoneNumber};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let stub = StubProvider::new_ok();
    let customer =
        PhoneNumber::parse("+1 (631) 555-1002").map_err(|e| Error::config(e.to_string()))?;
    stub.fail_recipient(
        PhoneNumber::parse("+16315550003").map_err(|e| Error::config(e.to_string()))?,
        ErrorKind::InvalidRecipient,
    );
    let client = Client::builder(stub.shared()).rate_limit(50).build();

    let r = client
        .send_text(customer.clone(), "Your order *A-1001* shipped")
        .await?;
    println!("text      -> {} ({})", r.id, r.status);

    let msg = OutboundMessage::new(
        customer,
        Content::template("order_update", "en_US", ["A-1001"]),
    );
    let r = client.send(&msg).await?;
    println!("template  -> {} ({})", r.id, r.status);

    let too_long = OutboundMessage::new(
        msg.to
            .phone()
            .cloned()
            .into_iter()
            .next()
            .ok_or_else(|| Error::config("no phone"))?,
        Content::text("x".repeat(4097)),
    );
    let e = client
        .send(&too_long)
        .await
        .expect_err("validation fails before sending");
    println!("invalid   -> {e} [{}]", e.hint());

    let recipients: Vec<PhoneNumber> = (1..=5)
        .filter_map(|n| PhoneNumber::parse(&format!("+1631555000{n}")).ok())
        .collect();
    for outcome in client
        .broadcast(&recipients, &Content::text("Flash sale today"))
        .await
    {
        match outcome.result {
            Ok(r) => println!("broadcast -> {} {}", outcome.to, r.id),
            Err(e) => println!(
                "broadcast -> {} failed: {} ({})",
                outcome.to,
                e.kind().name(),
                e.hint()
            ),
        }
    }
    println!("the stub recorded {} sent messages", stub.sent().len());
    Ok(())
}
