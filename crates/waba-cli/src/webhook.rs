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
    /// Decodes a saved webhook body; prints one JSON event per line.
    Decode {
        /// cloud, generic-v2, onprem, tujenge, enablex or mobile-gateway.
        #[arg(long)]
        provider: String,
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
        /// The app secret for `X-Hub-Signature-256` (Cloud, generic v2). Without it, requests
        /// are not verified.
        #[arg(long)]
        secret: Option<String>,
        /// The token of the `hub.challenge` handshake.
        #[arg(long)]
        verify_token: Option<String>,
        /// Receive into the durable Redis inbox at this URL (shared by every listener on
        /// it) instead of memory; default: `WABA_REDIS_URL` when `WABA_STATE=redis`.
        #[arg(long)]
        redis_url: Option<String>,
    },
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
        Command::Decode { provider, file } => {
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
                println!("{}", serde_json::to_string(&e.event).unwrap_or_default());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Listen {
            port,
            provider,
            secret,
            verify_token,
            redis_url,
        } => {
            let decoder: Arc<dyn waba::webhook::WebhookDecoder> = Arc::from(decoder(&provider)?);
            let verifier: Arc<dyn Verifier> = match secret {
                Some(s) => Arc::new(HubSignature::new(s)),
                None => Arc::new(Unverified),
            };
            let mut builder = Receiver::builder(decoder, verifier);
            if let Some(t) = verify_token {
                builder = builder.verify_token(t);
            }
            let redis_url = match redis_url {
                Some(url) => Some(url),
                None => match waba::Config::from_env().state()? {
                    waba::StateBackend::Redis { url } => Some(url),
                    _ => None,
                },
            };
            let mut worker = None;
            if let Some(url) = redis_url {
                let state = waba::redis::RedisState::connect(&url)
                    .await
                    .map_err(|e| Failure(format!("config: {e}")))?;
                let inbox = Arc::new(state.inbox(waba::redis::InboxConfig::default()));
                builder = builder.inbox(inbox.clone());
                worker = Some(
                    inbox
                        .worker(&format!("waba-cli-{}", std::process::id()))
                        .await
                        .map_err(|e| Failure(format!("config: {e}")))?,
                );
            }
            let (router, mut events) = builder.build();
            let durable = worker.is_some();
            if let Some(worker) = worker {
                tokio::spawn(worker.run(1, |r| async move {
                    println!("{}", serde_json::to_string(&r.event).unwrap_or_default());
                    Ok::<(), std::convert::Infallible>(())
                }));
            }
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
            if durable {
                // Events come from the Redis worker; the in-memory queue stays empty.
                let _ = tokio::signal::ctrl_c().await;
                return Ok(ExitCode::SUCCESS);
            }
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
