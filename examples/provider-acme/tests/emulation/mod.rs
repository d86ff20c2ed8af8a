//! A small emulation of Acme for `waba-sandbox`: its one route, its error shape, its
//! webhooks. Mounted with `Sandbox::builder().emulation(...)`, it shares the sandbox's
//! engine, so the rules (window, templates, contacts, throughput), the faults and the
//! control API work for Acme as for the built-in providers, and the conformance suite runs
//! against it unchanged.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use waba_sandbox::{Emulation, Engine, Refusal, RequestFault, StoredMessage, TemplateUse, Webhook};

/// The key the emulation accepts.
pub(crate) const API_KEY: &str = "acme-sandbox-key";

/// The header Acme adds to every webhook, and its value: what the receiver checks.
pub(crate) const WEBHOOK_HEADER: (&str, &str) =
    ("X-Acme-Webhook-Token", "acme-sandbox-webhook-token");

/// Acme, emulated.
#[derive(Debug, Default)]
pub(crate) struct Acme;

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let mut r = (
        status,
        json!({ "error": { "code": code, "message": message } }).to_string(),
    )
        .into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

fn webhook(body: &Value) -> Webhook {
    Webhook {
        body: body.to_string().into_bytes(),
        headers: vec![(WEBHOOK_HEADER.0.to_owned(), WEBHOOK_HEADER.1.to_owned())],
    }
}

fn now() -> String {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        .to_string()
}

impl Emulation for Acme {
    fn name(&self) -> &'static str {
        "acme"
    }

    fn router(self: Arc<Self>, engine: Arc<Engine>) -> Router {
        Router::new()
            .route("/v1/messages", post(send))
            .with_state(engine)
    }

    /// The on-prem flat format, as Acme posts it.
    fn status_webhook(&self, m: &StoredMessage, status: &str) -> Option<Webhook> {
        Some(webhook(&json!({ "statuses": [{
            "id": m.id, "status": status, "timestamp": now(), "recipient_id": m.customer,
        }] })))
    }

    fn inbound_webhook(&self, m: &StoredMessage, profile_name: &str) -> Option<Webhook> {
        Some(webhook(&json!({
            "contacts": [{ "profile": { "name": profile_name }, "wa_id": m.customer }],
            "messages": [{ "from": m.customer, "id": m.id, "timestamp": now(), "type": "text", "text": m.body["text"] }],
        })))
    }

    fn fault_response(&self, fault: RequestFault) -> Response {
        match fault {
            RequestFault::Throttle(secs) => {
                let mut r = error(StatusCode::TOO_MANY_REQUESTS, "throttled", "injected");
                r.headers_mut().insert(header::RETRY_AFTER, secs.into());
                r
            }
            RequestFault::Error(status) => error(
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                "unavailable",
                "injected",
            ),
            RequestFault::Unauthorized => {
                error(StatusCode::UNAUTHORIZED, "unauthorized", "injected")
            }
            RequestFault::Reset | RequestFault::None => StatusCode::OK.into_response(),
        }
    }

    fn info(&self, base_url: &str) -> Value {
        json!({ "base_url": format!("{base_url}/acme"), "api_key": API_KEY })
    }

    fn new_id(&self, n: u64) -> String {
        format!("acme-{n:010}")
    }
}

fn refusal(r: &Refusal) -> Response {
    match r {
        Refusal::RateLimited => {
            let mut r = error(
                StatusCode::TOO_MANY_REQUESTS,
                "throttled",
                "too many messages",
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            r
        }
        Refusal::NotOnWhatsApp => error(
            StatusCode::BAD_REQUEST,
            "not_on_whatsapp",
            "not a WhatsApp user",
        ),
        Refusal::OutsideWindow => error(
            StatusCode::BAD_REQUEST,
            "outside_window",
            "the customer has not written in 24 hours",
        ),
        Refusal::UnknownTemplate => error(
            StatusCode::NOT_FOUND,
            "unknown_template",
            "no approved template by that name and language",
        ),
        Refusal::ParameterCount { expected, given } => error(
            StatusCode::BAD_REQUEST,
            "template_parameters",
            &format!("{given} body parameters given, the template has {expected}"),
        ),
        Refusal::ParameterFormat(why) => error(StatusCode::BAD_REQUEST, "template_parameters", why),
        // A refusal newer than this emulation: the sandbox's rule, in Acme's shape.
        other => error(StatusCode::BAD_REQUEST, "refused", &format!("{other:?}")),
    }
}

async fn send(State(engine): State<Arc<Engine>>, headers: HeaderMap, body: Bytes) -> Response {
    if headers.get("x-acme-key").and_then(|v| v.to_str().ok()) != Some(API_KEY) {
        return error(StatusCode::UNAUTHORIZED, "unauthorized", "unknown API key");
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::BAD_REQUEST, "invalid", "the body is not JSON");
    };
    let to: String = v["to"]
        .as_str()
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let kind = v["type"].as_str().unwrap_or("");
    if to.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid",
            "to: a phone number is required",
        );
    }
    let template = match kind {
        "text" => {
            let n = v["text"]["body"].as_str().map_or(0, |s| s.chars().count());
            if n == 0 || n > 4096 {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid",
                    &format!("text.body: 1 to 4096 characters, got {n}"),
                );
            }
            None
        }
        "template" => Some(TemplateUse::of(&v["template"])),
        other => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid",
                &format!("type {other:?} is not supported"),
            );
        }
    };
    if let Err(r) = engine.check_send("acme", &to, template) {
        return refusal(&r);
    }
    let Some(emulation) = engine.emulation("acme") else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "unavailable",
            "not mounted",
        );
    };
    let reference = v["reference"].as_str().map(str::to_owned);
    let stored = engine.accept(&emulation, &to, kind, v.clone(), reference);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "id": stored.id }).to_string(),
    )
        .into_response()
}
