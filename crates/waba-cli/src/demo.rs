//! `waba demo`: every provider against the built-in sandbox. For each: the customer writes
//! (which opens the 24-hour window), a text, a template and an image go out through the
//! provider's adapter, and the provider's own webhooks come back through the `waba-webhook`
//! receiver. Prints one row per provider.

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use waba::sandbox::{Sandbox, SandboxHandle};
use waba::webhook::receiver::Receiver;
use waba::{
    Config, Content, DeliveryStatus, Event, MessageId, OutboundMessage, PROVIDERS, PhoneNumber,
    types,
};

use crate::Failure;
use crate::out::{self, Output};

struct Row {
    provider: &'static str,
    first_id: Option<MessageId>,
    sent: Vec<(MessageId, Instant)>,
    status: HashMap<MessageId, (DeliveryStatus, Duration)>,
    reply: bool,
    error: Option<String>,
    /// The last state the sandbox's emulation sends status webhooks for.
    last: Option<DeliveryStatus>,
}

impl Row {
    /// The least advanced of the messages' states.
    fn final_status(&self) -> Option<DeliveryStatus> {
        self.sent
            .iter()
            .map(|(id, _)| {
                self.status
                    .get(id)
                    .map_or(DeliveryStatus::Accepted, |(s, _)| s.clone())
            })
            .min_by_key(|s| s.progress().unwrap_or(0))
    }

    /// The last state the provider reports (read, or delivered where its reports stop
    /// there), as the sandbox lists its status webhooks.
    fn done(&self) -> bool {
        let target = self.last.clone().unwrap_or(DeliveryStatus::Read);
        self.error.is_some()
            || (self.reply && self.final_status().and_then(|s| s.progress()) >= target.progress())
    }
}

type Events = tokio::sync::mpsc::Receiver<(&'static str, Event)>;

/// One receiver per provider under `/{provider}`, all feeding one queue; returns its base URL.
async fn receivers(sandbox: &SandboxHandle) -> Result<(String, Events), Failure> {
    let (tx, rx) = tokio::sync::mpsc::channel::<(&'static str, Event)>(1024);
    let mut app = axum::Router::new();
    for provider in PROVIDERS.iter().map(|s| s.name) {
        let receiving = Config::for_sandbox(sandbox, provider).receiver()?;
        let (router, mut events) = Receiver::builder(receiving.decoder, receiving.verifier).build();
        app = app.nest(&format!("/{provider}"), router);
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Some(r) = events.recv().await {
                let _ = tx.send((provider, r.event)).await;
            }
        });
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(Failure::io)?;
    let url = format!("http://{}", listener.local_addr().map_err(Failure::io)?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((url, rx))
}

/// The customer writes, then a text, a template and an image go out.
async fn exchange(sandbox: &SandboxHandle, provider: &'static str, customer: &PhoneNumber) -> Row {
    let mut row = Row {
        provider,
        first_id: None,
        sent: Vec::new(),
        status: HashMap::new(),
        reply: false,
        error: None,
        last: sandbox.info()["providers"][provider]["statuses"]
            .as_array()
            .and_then(|s| s.last())
            .and_then(|s| serde_json::from_value(s.clone()).ok()),
    };
    if let Err(e) = sandbox
        .inject_inbound(provider, customer, "Hi! Where is my order?")
        .await
    {
        row.error = Some(e.to_string());
    }
    let client = match Config::for_sandbox(sandbox, provider).client() {
        Ok(c) => c,
        Err(e) => {
            row.error = Some(e.to_string());
            return row;
        }
    };
    let contents = [
        Content::text("Your order A-1001 has shipped"),
        Content::template("order_update", "en_US", ["A-1001"]),
        Content::Image(types::Image {
            media: types::MediaSource::Link("https://example.com/receipt.jpg".into()),
            caption: Some("Your receipt".into()),
        }),
    ];
    for content in contents {
        let started = Instant::now();
        match client
            .send(&OutboundMessage::new(customer.clone(), content))
            .await
        {
            Ok(r) => {
                row.first_id.get_or_insert(r.id.clone());
                row.sent.push((r.id, started));
            }
            Err(e) => row.error = Some(format!("{}: {e}", e.kind().name())),
        }
    }
    row
}

/// Takes webhooks until every row is done or 15 seconds pass.
async fn collect(rows: &mut [Row], rx: &mut Events) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !rows.iter().all(Row::done) {
        let Ok(Some((provider, event))) = tokio::time::timeout_at(deadline, rx.recv()).await else {
            break;
        };
        let Some(row) = rows.iter_mut().find(|r| r.provider == provider) else {
            continue;
        };
        match event {
            Event::Message(_) => row.reply = true,
            Event::Status(s) => {
                if let Some((_, started)) = row.sent.iter().find(|(id, _)| *id == s.message_id) {
                    let better = row
                        .status
                        .get(&s.message_id)
                        .is_none_or(|(old, _)| waba::webhook::ordering::advances(old, &s.status));
                    if better {
                        row.status
                            .insert(s.message_id.clone(), (s.status, started.elapsed()));
                    }
                }
            }
            _ => {}
        }
    }
}

pub(crate) async fn run(output: Output) -> Result<ExitCode, Failure> {
    let sandbox = Sandbox::builder()
        .start()
        .await
        .map_err(|e| Failure::io(format!("cannot start the sandbox: {e}")))?;
    let (hooks, mut rx) = receivers(&sandbox).await?;
    let customer = PhoneNumber::parse("+16315551002")
        .map_err(|e| Failure::new(crate::exit::Exit::Failure, e.to_string()))?;
    let mut rows = Vec::new();
    for provider in PROVIDERS.iter().map(|s| s.name) {
        let _ = sandbox.set_webhook(provider, format!("{hooks}/{provider}"), Vec::new());
        rows.push(exchange(&sandbox, provider, &customer).await);
    }
    collect(&mut rows, &mut rx).await;
    sandbox.shutdown().await;

    let mut lines = Vec::new();
    if output == Output::Text {
        lines.push(format!(
            "{:<15} {:<42} {:<10} {:<6} {:>8}",
            "provider", "message id", "status", "reply", "rtt"
        ));
    }
    let mut ok = true;
    for row in &rows {
        let status = row
            .final_status()
            .map_or_else(|| "-".to_owned(), |s| s.to_string());
        let rtt = row
            .status
            .values()
            .map(|(_, d)| *d)
            .max()
            .unwrap_or_default();
        let id = row.first_id.as_ref().map_or("-", MessageId::as_str);
        match output {
            Output::Text => {
                lines.push(format!(
                    "{:<15} {:<42} {:<10} {:<6} {:>5} ms",
                    row.provider,
                    id,
                    status,
                    if row.reply { "yes" } else { "no" },
                    rtt.as_millis()
                ));
                if let Some(e) = &row.error {
                    lines.push(format!("  error: {e}"));
                }
            }
            Output::Json => lines.push(out::to_json(&serde_json::json!({
                "provider": row.provider,
                "message_id": row.first_id,
                "status": status,
                "reply": row.reply,
                "rtt_ms": rtt.as_millis() as u64,
                "error": row.error,
            }))?),
        }
        ok &= row.error.is_none() && row.done();
    }
    out::lines(lines)?;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
