//! `waba demo`: every provider against the built-in sandbox. For each: the customer writes
//! (which opens the 24-hour window), a text, a template and an image go out through the
//! provider's adapter, and the provider's own webhooks come back through the `waba-webhook`
//! receiver. Prints one row per provider.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use waba::sandbox::{Sandbox, SandboxHandle};
use waba::webhook::receiver::Receiver;
use waba::webhook::{HubSignature, Unverified, Verifier, decoder_for};
use waba::{
    Config, Content, DeliveryStatus, Event, MessageId, OutboundMessage, PROVIDERS, PhoneNumber,
    types,
};

use crate::Failure;

/// The configuration that points `provider` at the sandbox.
fn config(s: &SandboxHandle, provider: &str) -> Config {
    let info = s.info();
    let p = &info["providers"][provider];
    let v = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
    let c = Config::new()
        .with("WABA_PROVIDER", provider)
        .with("WABA_RATE_LIMIT", "0");
    let prefix = format!("WABA_{}_", provider.replace('-', "_").to_ascii_uppercase());
    let keys: &[(&str, &str)] = match provider {
        "cloud" => &[
            ("BASE_URL", "base_url"),
            ("ACCESS_TOKEN", "access_token"),
            ("PHONE_NUMBER_ID", "phone_number_id"),
        ],
        "onprem" => &[
            ("BASE_URL", "base_url"),
            ("USERNAME", "username"),
            ("PASSWORD", "password"),
            ("NAMESPACE", "namespace"),
        ],
        "tujenge" => &[
            ("BASE_URL", "base_url"),
            ("API_KEY", "api_key"),
            ("NAMESPACE", "namespace"),
        ],
        "enablex" => &[
            ("BASE_URL", "base_url"),
            ("APP_ID", "app_id"),
            ("APP_KEY", "app_key"),
        ],
        "mobile-gateway" => &[
            ("BASE_URL", "base_url"),
            ("USERNAME", "username"),
            ("PASSWORD", "password"),
            ("SOURCE", "source"),
        ],
        _ => &[("BASE_URL", "base_url"), ("ACCESS_TOKEN", "access_token")],
    };
    keys.iter().fold(c, |c, (key, field)| {
        c.with(&format!("{prefix}{key}"), v(field))
    })
}

fn verifier(s: &SandboxHandle, provider: &str) -> Result<Arc<dyn Verifier>, Failure> {
    let hub = |secret: &str| {
        HubSignature::new(secret)
            .map(|v| Arc::new(v) as Arc<dyn Verifier>)
            .map_err(|e| Failure(format!("config: the sandbox's {provider} app secret: {e}")))
    };
    match provider {
        "cloud" => hub(&s.cloud().app_secret),
        "generic-v2" => hub(&s.generic_v2().app_secret),
        _ => Ok(Arc::new(Unverified)),
    }
}

struct Row {
    provider: &'static str,
    first_id: Option<MessageId>,
    sent: Vec<(MessageId, Instant)>,
    status: HashMap<MessageId, (DeliveryStatus, Duration)>,
    reply: bool,
    error: Option<String>,
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

    /// Read, where the provider reports reads; delivered for Mobile Gateway, whose delivery
    /// reports stop at `received`.
    fn done(&self) -> bool {
        let target = if self.provider == "mobile-gateway" {
            DeliveryStatus::Delivered
        } else {
            DeliveryStatus::Read
        };
        self.error.is_some()
            || (self.reply && self.final_status().and_then(|s| s.progress()) >= target.progress())
    }
}

type Events = tokio::sync::mpsc::Receiver<(&'static str, Event)>;

/// One receiver per provider under `/{provider}`, all feeding one queue; returns its base URL.
async fn receivers(sandbox: &SandboxHandle) -> Result<(String, Events), Failure> {
    let (tx, rx) = tokio::sync::mpsc::channel::<(&'static str, Event)>(1024);
    let mut app = axum::Router::new();
    for provider in PROVIDERS {
        let decoder =
            decoder_for(provider).ok_or_else(|| Failure(format!("no decoder for {provider}")))?;
        let decoder: Arc<dyn waba::webhook::WebhookDecoder> = Arc::from(decoder);
        let (router, mut events) = Receiver::builder(decoder, verifier(sandbox, provider)?).build();
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
        .map_err(|e| Failure(format!("io: {e}")))?;
    let url = format!(
        "http://{}",
        listener
            .local_addr()
            .map_err(|e| Failure(format!("io: {e}")))?
    );
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
    };
    if let Err(e) = sandbox
        .inject_inbound(provider, customer, "Hi! Where is my order?")
        .await
    {
        row.error = Some(e.to_string());
    }
    let client = match config(sandbox, provider).client() {
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

pub(crate) async fn run() -> Result<ExitCode, Failure> {
    let sandbox = Sandbox::builder()
        .start()
        .await
        .map_err(|e| Failure(format!("io: cannot start the sandbox: {e}")))?;
    let (hooks, mut rx) = receivers(&sandbox).await?;
    let customer = PhoneNumber::parse("+16315551002").map_err(|e| Failure(e.to_string()))?;
    let mut rows = Vec::new();
    for provider in PROVIDERS {
        let _ = sandbox.set_webhook(provider, format!("{hooks}/{provider}"), Vec::new());
        rows.push(exchange(&sandbox, provider, &customer).await);
    }
    collect(&mut rows, &mut rx).await;
    sandbox.shutdown().await;

    println!(
        "{:<15} {:<42} {:<10} {:<6} {:>8}",
        "provider", "message id", "status", "reply", "rtt"
    );
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
        println!(
            "{:<15} {:<42} {:<10} {:<6} {:>5} ms",
            row.provider,
            id,
            status,
            if row.reply { "yes" } else { "no" },
            rtt.as_millis()
        );
        if let Some(e) = &row.error {
            println!("  error: {e}");
        }
        ok &= row.error.is_none() && row.done();
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
