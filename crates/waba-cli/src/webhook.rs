//! `waba webhook decode` and `waba webhook listen`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Subcommand;
use waba::webhook::receiver::Receiver;
use waba::webhook::{HubSignature, Unverified, Verifier, WebhookRequest, decoder_for};

use crate::Failure;

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Decodes a saved webhook body; prints one JSON event per line. An item that could
    /// not be typed is printed too, as an `unknown` event with its location and reason.
    Decode {
        /// cloud, generic-v2, onprem, tujenge, enablex or mobile-gateway.
        #[arg(long)]
        provider: String,
        /// Print each event as `{"event": …, "raw": …}`, with the provider's JSON it came
        /// from beside the typed form.
        #[arg(long)]
        raw: bool,
        /// The raw body.
        file: PathBuf,
    },
    /// Runs a webhook receiver; prints decoded events as JSON lines.
    Listen {
        /// The port on 127.0.0.1.
        #[arg(long)]
        port: u16,
        /// cloud, generic-v2, onprem, tujenge, enablex or mobile-gateway.
        #[arg(long)]
        provider: String,
        /// The app secret for `X-Hub-Signature-256`. Required for providers whose webhooks
        /// are signed (cloud, generic-v2) unless `--insecure` is given.
        #[arg(long)]
        secret: Option<String>,
        /// Accept unsigned requests for a signed provider (cloud, generic-v2): anyone who
        /// can reach the port can forge events. For local experiments only; a warning is
        /// printed.
        #[arg(long)]
        insecure: bool,
        /// The token of the `hub.challenge` handshake.
        #[arg(long)]
        verify_token: Option<String>,
    },
}

/// The providers whose webhooks carry `X-Hub-Signature-256`.
const SIGNED: &[&str] = &["cloud", "generic-v2"];

/// A verifier for `webhook listen`: a signed provider needs its secret, or `--insecure`
/// (with a warning); a secret is never silently ignored.
fn listen_verifier(
    provider: &str,
    secret: Option<&str>,
    insecure: bool,
) -> Result<Arc<dyn Verifier>, Failure> {
    match secret {
        Some(s) => HubSignature::new(s)
            .map(|v| Arc::new(v) as Arc<dyn Verifier>)
            .map_err(|e| Failure(format!("invalid_request: --secret: {e}"))),
        None if !SIGNED.contains(&provider) => Ok(Arc::new(Unverified)),
        None if insecure => {
            eprintln!(
                "warning: --insecure: {provider} webhooks are signed, but signatures are not checked; anyone who can reach this port can forge events"
            );
            Ok(Arc::new(Unverified))
        }
        None => Err(Failure(format!(
            "invalid_request: {provider} webhooks are signed: give --secret <app secret> (or --insecure to accept unsigned requests, for local experiments only)"
        ))),
    }
}

/// One JSON line for an event; with `raw`, `{"event": …, "raw": …}`.
fn line(e: &waba::webhook::DecodedEvent<'_>, raw: bool) -> String {
    if raw {
        let raw_json = e
            .raw()
            .and_then(|r| serde_json::from_str::<serde_json::Value>(r.get()).ok())
            .unwrap_or(serde_json::Value::Null);
        serde_json::json!({ "event": e.event, "raw": raw_json }).to_string()
    } else {
        serde_json::to_string(&e.event).unwrap_or_default()
    }
}

fn decoder(provider: &str) -> Result<Box<dyn waba::webhook::WebhookDecoder>, Failure> {
    decoder_for(provider).ok_or_else(|| {
        Failure(format!(
            "invalid_request: unknown provider {provider:?}; one of {}",
            waba::PROVIDERS.join(", ")
        ))
    })
}

pub(crate) async fn run(command: Command) -> Result<ExitCode, Failure> {
    match command {
        Command::Decode {
            provider,
            raw,
            file,
        } => {
            let decoder = decoder(&provider)?;
            let body = std::fs::read(&file)
                .map_err(|e| Failure(format!("io: cannot read {}: {e}", file.display())))?;
            let headers = waba::core::http::HeaderMap::new();
            let result = decoder
                .decode(&WebhookRequest::post(&headers, &body))
                .map_err(|e| Failure(format!("decode: {}: {e}", file.display())))?;
            for e in &result.errors {
                eprintln!("warning: {e}");
            }
            for e in result.events {
                println!("{}", line(&e, raw));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Listen {
            port,
            provider,
            secret,
            insecure,
            verify_token,
        } => {
            let decoder: Arc<dyn waba::webhook::WebhookDecoder> = Arc::from(decoder(&provider)?);
            let verifier = listen_verifier(&provider, secret.as_deref(), insecure)?;
            let mut builder = Receiver::builder(decoder, verifier);
            if let Some(t) = verify_token {
                builder = builder.verify_token(t);
            }
            let (router, mut events) = builder.build();
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .map_err(|e| Failure(format!("io: cannot listen on port {port}: {e}")))?;
            eprintln!(
                "listening on http://{}/ (Ctrl-C to stop)",
                listener
                    .local_addr()
                    .map_err(|e| Failure(format!("io: {e}")))?
            );
            tokio::spawn(async move { axum::serve(listener, router).await });
            loop {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => return Ok(ExitCode::SUCCESS),
                    e = events.recv() => match e {
                        Some(r) => println!("{}", serde_json::to_string(&r.event).unwrap_or_default()),
                        None => return Ok(ExitCode::SUCCESS),
                    },
                }
            }
        }
    }
}
