//! `waba webhook decode` and `waba webhook listen`.
//!
//! `listen` answers a webhook only after its events are printed: it uses the library's
//! decoders and verifiers but not the queued receiver (`waba::webhook::receiver`), which
//! acknowledges at once and would acknowledge events a closed stdout never took. An event
//! that could not be printed is answered 503, so the provider sends it again.

use std::collections::HashSet;
use std::io::Read as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use clap::Subcommand;
use tokio::sync::watch;
use waba::webhook::{
    Deduplicator, HubSignature, RequiredHeaders, Unverified, Verifier, WebhookDecoder,
    WebhookRequest, decoder_for, verify_challenge,
};

use crate::Failure;
use crate::exit::Exit;
use crate::out::{self, echo};

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Decodes a saved webhook body; prints one JSON event per line. An item that could
    /// not be typed is printed too, as an `unknown` event with its location and reason.
    Decode {
        /// The provider the body came from (its webhook format follows); `waba --help`
        /// lists this build's providers.
        #[arg(long)]
        provider: String,
        /// Print each event as `{"event": …, "raw": …}`, with the provider's JSON it came
        /// from beside the typed form.
        #[arg(long)]
        raw: bool,
        /// The raw body; `-` reads stdin.
        file: PathBuf,
    },
    /// Runs a webhook receiver; prints decoded events as JSON lines, and answers the
    /// provider only once they are printed.
    Listen {
        /// The port on 127.0.0.1.
        #[arg(long)]
        port: u16,
        /// The provider sending the webhooks (its webhook format and authentication follow);
        /// default: the configured `provider`. `waba --help` lists this build's providers.
        /// Without --secret, --header or --basic, the configured provider's webhook keys
        /// (`app_secret`, `verify_token`, `webhook_headers`, `webhook_user`/`webhook_password`)
        /// verify requests.
        #[arg(long)]
        provider: Option<String>,
        /// The path webhooks are posted to.
        #[arg(long, default_value = "/")]
        path: String,
        /// The app secret for `X-Hub-Signature-256`, for a provider whose webhooks are signed
        /// (its `app_secret` key); repeat to accept an old and a new one while rotating.
        #[arg(long = "secret", value_name = "SECRET", conflicts_with_all = ["headers", "basic"])]
        secrets: Vec<String>,
        /// A header every webhook must carry, `NAME:VALUE`, for a provider told to add headers
        /// to its webhooks; repeat for several.
        #[arg(long = "header", value_name = "NAME:VALUE")]
        headers: Vec<String>,
        /// The HTTP Basic credentials every webhook must carry, `USER:PASSWORD`, for a
        /// provider that authenticates its webhooks with Basic.
        #[arg(long, value_name = "USER:PASSWORD")]
        basic: Option<String>,
        /// Accept unsigned requests for a provider whose webhooks are signed: anyone who can
        /// reach the port can forge events. For local
        /// experiments only; a warning is printed.
        #[arg(long)]
        insecure: bool,
        /// The token of the `hub.challenge` handshake.
        #[arg(long)]
        verify_token: Option<String>,
        /// Receive into the durable Redis inbox at this URL (shared by every listener on
        /// it) instead of memory; default: `WABA_REDIS_URL` when `WABA_STATE=redis`.
        #[arg(long)]
        redis_url: Option<String>,
    },
}

/// The spec of `provider`, or a usage error listing this build's providers.
fn spec(provider: &str) -> Result<&'static waba::ProviderSpec, Failure> {
    waba::spec(provider).ok_or_else(|| {
        Failure::usage(format!(
            "unknown provider {}; one of {}",
            echo(provider),
            waba::provider_names()
        ))
    })
}

/// Refuses credentials of the wrong kind for the provider's webhooks, as its spec says they
/// are authenticated: an app secret for a provider that never signs would reject every real
/// webhook, and a header or Basic check for one that signs would quietly replace the
/// signature check.
fn matching_credentials(
    spec: &waba::ProviderSpec,
    secret: bool,
    headers: bool,
) -> Result<(), Failure> {
    use waba::core::WebhookAuth;
    let auth = spec.webhook.auth;
    if secret && auth != WebhookAuth::HubSignature {
        return Err(Failure::usage(format!(
            "{} webhooks are not signed (they are authenticated by {}): --secret does not \
             apply; {}",
            spec.name,
            auth.name(),
            match auth {
                WebhookAuth::Basic => "give --basic USER:PASSWORD",
                WebhookAuth::Headers => "give the --header the provider was told to add",
                _ => "keep the port private",
            }
        )));
    }
    if headers && auth == WebhookAuth::HubSignature {
        return Err(Failure::usage(format!(
            "{} webhooks are signed: give --secret <app secret>; --header/--basic would replace \
             the signature check",
            spec.name
        )));
    }
    Ok(())
}

/// The decoder of `provider`'s webhook format, from its spec.
fn decoder(provider: &str) -> Result<Box<dyn WebhookDecoder>, Failure> {
    let spec = spec(provider)?;
    decoder_for(spec.webhook.format)
        .map_err(|e| Failure::usage(format!("{} webhooks: {e}", spec.name)))
}

pub(crate) async fn run(
    command: Command,
    config: Option<&std::path::Path>,
) -> Result<ExitCode, Failure> {
    match command {
        Command::Decode {
            provider,
            raw,
            file,
        } => decode(&provider, raw, &file),
        Command::Listen {
            port,
            provider,
            path,
            secrets,
            headers,
            basic,
            insecure,
            verify_token,
            redis_url,
        } => {
            let flags = !secrets.is_empty() || !headers.is_empty() || basic.is_some();
            // The configuration (waba.toml and WABA_* variables) gives what no flag gave: the
            // provider, and that provider's own webhook keys (its section is read even when
            // the configured `provider` is another one).
            let config = waba::Config::load(config)?;
            let provider = match provider {
                Some(p) => p,
                None => config.provider_name()?.to_owned(),
            };
            let spec = spec(&provider)?;
            matching_credentials(
                spec,
                !secrets.is_empty(),
                !headers.is_empty() || basic.is_some(),
            )?;
            let mut verifier = verifier(&secrets, &headers, basic.as_deref())?;
            let mut verify_token = verify_token;
            let receiving = config
                .with("WABA_PROVIDER", spec.name)
                .receiver_insecure()?;
            if !flags && receiving.verified {
                verifier = Some(receiving.verifier);
            }
            verify_token = verify_token.or(receiving.verify_token);
            let signed = spec.webhook.auth == waba::core::WebhookAuth::HubSignature;
            if verifier.is_none() && signed && !insecure {
                return Err(Failure::usage(format!(
                    "{provider} webhooks are signed: give --secret <app secret> (or --insecure \
                     to accept unsigned requests, for local experiments only)"
                )));
            }
            let auth = Some(spec.webhook.auth);
            if verifier.is_none() && signed {
                out::warn(format!(
                    "warning: --insecure: {provider} webhooks are signed, but signatures are \
                     not checked; anyone who can reach the port can forge events"
                ));
            } else if verifier.is_none() {
                use waba::core::WebhookAuth;
                out::warn(format!(
                    "warning: webhooks are not verified: anyone who can reach the port can post \
                     events ({})",
                    match auth {
                        Some(WebhookAuth::HubSignature) => "give --secret",
                        Some(WebhookAuth::Headers) => {
                            "give the --header the provider was told to add"
                        }
                        Some(WebhookAuth::Basic) => {
                            "give --basic when the provider's HTTP authentication is on"
                        }
                        _ => "this provider does not sign: keep the port private",
                    }
                ));
            }
            let redis_url = match redis_url {
                Some(url) => Some(url),
                None => match waba::Config::from_env()?.state()? {
                    waba::StateBackend::Redis { url } => Some(url),
                    _ => None,
                },
            };
            if let Some(url) = redis_url {
                let decoder: Arc<dyn WebhookDecoder> = Arc::from(decoder(&provider)?);
                let verifier = verifier.unwrap_or_else(|| Arc::new(Unverified));
                return listen_durable(port, &path, decoder, verifier, verify_token, &url).await;
            }
            let listener = Listener {
                decoder: Arc::from(decoder(&provider)?),
                verifier: verifier.unwrap_or_else(|| Arc::new(Unverified)),
                verify_token,
                printed: Mutex::new(HashSet::new()),
                stop: watch::channel(None).0,
            };
            listen(port, &path, Arc::new(listener)).await
        }
    }
}

fn decode(provider: &str, raw: bool, file: &std::path::Path) -> Result<ExitCode, Failure> {
    let decoder = decoder(provider)?;
    let (name, body) = if file.as_os_str() == "-" {
        let mut body = Vec::new();
        std::io::stdin()
            .read_to_end(&mut body)
            .map_err(|e| Failure::io(format!("cannot read stdin: {e}")))?;
        ("stdin".to_owned(), body)
    } else {
        let body = std::fs::read(file)
            .map_err(|e| Failure::io(format!("cannot read {}: {e}", file.display())))?;
        (file.display().to_string(), body)
    };
    let headers = HeaderMap::new();
    let result = decoder
        .decode(&WebhookRequest::post(&headers, &body))
        .map_err(|e| Failure::new(Exit::Data, format!("decode: {name}: {e}")))?;
    for e in &result.errors {
        out::warn(format!("warning: {e}"));
    }
    out::lines(
        result
            .events
            .iter()
            .map(|e| {
                if raw {
                    // The provider's exact JSON beside the typed event.
                    let raw_json = serde_json::from_str::<serde_json::Value>(e.raw().get())
                        .unwrap_or(serde_json::Value::Null);
                    out::to_json(&serde_json::json!({ "event": e.event, "raw": raw_json }))
                } else {
                    out::to_json(&e.event)
                }
            })
            .collect::<Result<Vec<_>, _>>()?,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The verifier the flags ask for; `None` when they ask for none.
fn verifier(
    secrets: &[String],
    headers: &[String],
    basic: Option<&str>,
) -> Result<Option<Arc<dyn Verifier>>, Failure> {
    if let Some((first, rest)) = secrets.split_first() {
        let v = HubSignature::new(first)
            .and_then(|v| rest.iter().try_fold(v, HubSignature::with_secret))
            .map_err(|e| Failure::usage(format!("--secret: {e}")))?;
        return Ok(Some(Arc::new(v)));
    }
    let mut pairs = Vec::new();
    for h in headers {
        let (name, value) = h
            .split_once(':')
            .ok_or_else(|| Failure::usage(format!("--header takes NAME:VALUE, not {}", echo(h))))?;
        pairs.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let v = match basic {
        Some(b) => {
            let (user, password) = b
                .split_once(':')
                .ok_or_else(|| Failure::usage("--basic takes USER:PASSWORD"))?;
            RequiredHeaders::basic(user, password)
                .and_then(|v| pairs.into_iter().try_fold(v, |v, (n, val)| v.with(&n, val)))
        }
        None if pairs.is_empty() => return Ok(None),
        None => RequiredHeaders::new(pairs),
    }
    .map_err(|e| Failure::usage(format!("--header/--basic: {e}")))?;
    Ok(Some(Arc::new(v)))
}

/// The most event keys remembered for de-duplication; past it the memory starts over
/// (a redelivery older than that prints twice, which is safe).
const REMEMBERED: usize = 100_000;

struct Listener {
    decoder: Arc<dyn WebhookDecoder>,
    verifier: Arc<dyn Verifier>,
    verify_token: Option<String>,
    /// The keys of events printed, to drop provider redeliveries; a key is added only once
    /// its event is out. The lock also keeps each body's lines together on stdout.
    printed: Mutex<HashSet<String>>,
    /// Set once stdout failed: why the listener stops.
    stop: watch::Sender<Option<Failure>>,
}

async fn listen(port: u16, path: &str, listener: Arc<Listener>) -> Result<ExitCode, Failure> {
    let path = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    let mut stopped = listener.stop.subscribe();
    let router = Router::new()
        .route(&path, get(handshake).post(events))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(
            waba::webhook::receiver::DEFAULT_BODY_LIMIT,
        ))
        .with_state(listener.clone());
    let socket = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| Failure::new(Exit::Io, format!("io: cannot listen on port {port}: {e}")))?;
    let addr = socket
        .local_addr()
        .map_err(|e| Failure::io(e.to_string()))?;
    out::warn(format!(
        "listening on http://{addr}{path} for {} webhooks (Ctrl-C to stop)",
        listener.decoder.format()
    ));
    let shutdown = async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = stopped.wait_for(Option::is_some) => {}
        }
    };
    axum::serve(
        socket,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(|e| Failure::io(format!("the listener failed: {e}")))?;
    match listener.stop.send_replace(None) {
        None | Some(Failure::StdoutClosed) => Ok(ExitCode::SUCCESS),
        Some(e) => Err(e),
    }
}

fn reject(from: SocketAddr, method: &Method, uri: &Uri, status: StatusCode, why: &str) -> Response {
    out::warn(format!(
        "rejected {method} {} from {from}: {} {why}",
        out::shorten(&uri.to_string(), out::ECHO_LIMIT),
        status.as_u16()
    ));
    (status, why.to_owned()).into_response()
}

async fn not_found(
    ConnectInfo(from): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
) -> Response {
    reject(
        from,
        &method,
        &uri,
        StatusCode::NOT_FOUND,
        "no webhook at this path",
    )
}

async fn handshake(
    State(l): State<Arc<Listener>>,
    ConnectInfo(from): ConnectInfo<SocketAddr>,
    uri: Uri,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(token) = &l.verify_token else {
        return reject(
            from,
            &Method::GET,
            &uri,
            StatusCode::FORBIDDEN,
            "no --verify-token given",
        );
    };
    match verify_challenge(query.as_deref().unwrap_or(""), token) {
        Ok(challenge) => ([(header::CONTENT_TYPE, "text/plain")], challenge).into_response(),
        Err(e) => reject(
            from,
            &Method::GET,
            &uri,
            StatusCode::FORBIDDEN,
            &e.to_string(),
        ),
    }
}

async fn events(
    State(l): State<Arc<Listener>>,
    ConnectInfo(from): ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        // Over the size limit, or cut short: logged like every other rejection.
        Err(e) => return reject(from, &Method::POST, &uri, e.status(), &e.body_text()),
    };
    let request = WebhookRequest {
        method: &Method::POST,
        headers: &headers,
        query: query.as_deref(),
        body: &body,
    };
    if let Err(e) = l.verifier.verify(&request) {
        return reject(
            from,
            &Method::POST,
            &uri,
            StatusCode::UNAUTHORIZED,
            &e.to_string(),
        );
    }
    let decoded = match l.decoder.decode(&request) {
        Ok(d) => d,
        Err(e) => {
            return reject(
                from,
                &Method::POST,
                &uri,
                StatusCode::BAD_REQUEST,
                &e.to_string(),
            );
        }
    };
    for e in &decoded.errors {
        out::warn(format!(
            "warning: item skipped in a webhook from {from}: {e}"
        ));
    }
    let format = l.decoder.format();
    let Ok(mut printed) = l.printed.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut keys = Vec::new();
    let mut text = String::new();
    for e in &decoded.events {
        let key = Deduplicator::key(format, &e.event);
        if key
            .as_ref()
            .is_some_and(|k| printed.contains(k) || keys.contains(k))
        {
            continue;
        }
        match out::to_json(&e.event) {
            Ok(line) => {
                text.push_str(&line);
                text.push('\n');
            }
            Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
        keys.extend(key);
    }
    if text.is_empty() {
        return StatusCode::OK.into_response();
    }
    match out::write_bytes(text.as_bytes()) {
        Ok(()) => {
            if printed.len() + keys.len() > REMEMBERED {
                printed.clear();
            }
            printed.extend(keys);
            StatusCode::OK.into_response()
        }
        Err(e) => {
            drop(printed);
            if let Failure::Error { message, .. } = &e {
                out::warn(format!("error: {message}; stopping"));
            }
            l.stop.send_replace(Some(e));
            // Not acknowledged: the provider delivers it again to the next listener.
            let mut r = (StatusCode::SERVICE_UNAVAILABLE, "cannot print events").into_response();
            r.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
            r
        }
    }
}

/// `webhook listen` into the durable Redis inbox: the receiver answers 200 only once the
/// webhook is stored there, and a worker prints each event and acknowledges it after; an
/// event it could not print stays pending and is claimed again.
async fn listen_durable(
    port: u16,
    path: &str,
    decoder: Arc<dyn WebhookDecoder>,
    verifier: Arc<dyn Verifier>,
    verify_token: Option<String>,
    url: &str,
) -> Result<ExitCode, Failure> {
    let state = waba::redis::RedisState::connect(url)
        .await
        .map_err(|e| Failure::new(Exit::Config, format!("config: {e}")))?;
    let inbox = Arc::new(state.inbox(waba::redis::InboxConfig::default()));
    let mut builder =
        waba::webhook::receiver::Receiver::builder(decoder, verifier).inbox(inbox.clone());
    if let Some(t) = verify_token {
        builder = builder.verify_token(t);
    }
    let worker = inbox
        .worker(&format!("waba-cli-{}", std::process::id()))
        .await
        .map_err(|e| Failure::new(Exit::Temporary, format!("redis: {e}")))?;
    let (router, _events) = builder.build();
    let router = if path == "/" {
        router
    } else {
        axum::Router::new().nest(path, router)
    };
    tokio::spawn(worker.run(1, |r| async move {
        let line = serde_json::to_string(&r.event).map_err(|e| e.to_string())?;
        out::lines([line]).map_err(|_| "stdout is closed".to_owned())
    }));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| Failure::io(format!("cannot listen on port {port}: {e}")))?;
    out::warn(format!(
        "listening on http://{}{path} into the Redis inbox at {} (Ctrl-C to stop)",
        listener
            .local_addr()
            .map_err(|e| Failure::io(e.to_string()))?,
        waba::core::spec::mask_url(url)
    ));
    tokio::spawn(async move { axum::serve(listener, router).await });
    let _ = tokio::signal::ctrl_c().await;
    Ok(ExitCode::SUCCESS)
}
