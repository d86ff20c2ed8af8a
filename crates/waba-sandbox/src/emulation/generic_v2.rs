//! The generic "WhatsApp Business API v2" under `/generic-v2`: `POST /send-message`,
//! `POST /send-media`, `POST /messages` (templates), `GET /message-status`, bearer auth,
//! and Cloud-format webhooks signed with `X-Hub-Signature-256`.

#![allow(
    clippy::result_large_err,
    reason = "a refused request is answered with the response, built once per request"
)]

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::cloud::{Cloud, CloudAccount};
use super::{bearer, digits, json};
use crate::engine::{
    Emulation, Engine, Refusal, StoredMessage, TemplateUse, Webhook, iso8601, now_secs,
};
use crate::faults::RequestFault;

/// The generic v2 account the sandbox accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenericV2Account {
    /// The bearer token.
    pub access_token: String,
    /// The app secret webhooks are signed with.
    pub app_secret: String,
}

impl Default for GenericV2Account {
    fn default() -> Self {
        Self {
            access_token: "sandbox-v2-token".to_owned(),
            app_secret: "sandbox-v2-secret".to_owned(),
        }
    }
}

pub(crate) struct GenericV2 {
    account: GenericV2Account,
    /// Webhooks use the Cloud format.
    cloud: Cloud,
}

impl GenericV2 {
    pub(crate) fn new(account: GenericV2Account) -> Self {
        let cloud = Cloud::new(CloudAccount {
            app_secret: account.app_secret.clone(),
            ..CloudAccount::default()
        });
        Self { account, cloud }
    }
}

/// The seed's error body, with Meta's codes.
fn error(status: StatusCode, code: i64, message: &str, details: &str) -> Response {
    json(
        status,
        &json!({ "status": "error", "code": code, "message": message, "details": details }),
    )
}

/// The seed's error body for a request it refuses as malformed (HTTP 400, code 400).
fn invalid(message: &str, details: &str) -> Response {
    error(StatusCode::BAD_REQUEST, 400, message, details)
}

type Shared = (Arc<Engine>, Arc<GenericV2>);

impl Emulation for GenericV2 {
    fn name(&self) -> &'static str {
        "generic-v2"
    }

    fn router(self: Arc<Self>, engine: Arc<Engine>) -> Router {
        Router::new()
            .route("/send-message", post(send_message))
            .route("/send-media", post(send_media))
            .route("/messages", post(send_template))
            .route("/message-status", get(message_status))
            .with_state((engine, self))
    }

    fn status_webhook(&self, m: &StoredMessage, status: &str) -> Option<Webhook> {
        // Its webhooks are the Cloud format, signed with its own secret.
        self.cloud.status_webhook(m, status)
    }

    fn inbound_webhook(&self, m: &StoredMessage, profile_name: &str) -> Option<Webhook> {
        self.cloud.inbound_webhook(m, profile_name)
    }

    fn fault_response(&self, fault: RequestFault) -> Response {
        match fault {
            RequestFault::Throttle(secs) => {
                let mut r = error(
                    StatusCode::TOO_MANY_REQUESTS,
                    130_429,
                    "Rate limit exceeded",
                    "injected by the sandbox",
                );
                r.headers_mut().insert(header::RETRY_AFTER, secs.into());
                r
            }
            // Meta's code 2, as the API relays it (the example of a 504 that must not be resent).
            RequestFault::Error(status) => error(
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                2,
                "Service temporarily unavailable",
                "injected by the sandbox",
            ),
            RequestFault::Unauthorized => error(
                StatusCode::UNAUTHORIZED,
                190,
                "Invalid or expired access token",
                "injected by the sandbox",
            ),
            RequestFault::Reset | RequestFault::None => StatusCode::OK.into_response(),
        }
    }

    fn info(&self, base_url: &str) -> Value {
        json!({ "base_url": format!("{base_url}/generic-v2"), "access_token": self.account.access_token, "app_secret": self.account.app_secret })
    }

    fn new_id(&self, n: u64) -> String {
        format!("wamid.ABGSV2{n:012}")
    }
}

fn unauthorised(v2: &GenericV2, headers: &HeaderMap) -> Option<Response> {
    (bearer(headers) != Some(v2.account.access_token.as_str())).then(|| {
        error(
            StatusCode::UNAUTHORIZED,
            190,
            "Invalid or expired access token",
            "generate a new token",
        )
    })
}

fn refusal(r: &Refusal) -> Response {
    match r {
        Refusal::RateLimited => error(
            StatusCode::TOO_MANY_REQUESTS,
            130_429,
            "Rate limit exceeded",
            "50 messages per second",
        ),
        Refusal::NotOnWhatsApp => error(
            StatusCode::BAD_REQUEST,
            131_026,
            "Message undeliverable",
            "the recipient is not a WhatsApp user",
        ),
        Refusal::OutsideWindow => error(
            StatusCode::BAD_REQUEST,
            131_047,
            "Re-engagement message",
            "more than 24 hours have passed since the customer last replied",
        ),
        Refusal::UnknownTemplate => error(
            StatusCode::NOT_FOUND,
            132_001,
            "Template not approved or not found",
            "check the name and language",
        ),
        Refusal::ParameterCount { expected, given } => error(
            StatusCode::BAD_REQUEST,
            132_000,
            "Number of parameters does not match the expected number of params",
            &format!("{given} body parameters given, the template has {expected}"),
        ),
        Refusal::ParameterFormat(reason) => error(
            StatusCode::BAD_REQUEST,
            132_018,
            "There was an issue with the parameters in your template",
            reason,
        ),
    }
}

fn accepted(engine: &Arc<Engine>, kind: &str, to: &str, body: Value) -> Response {
    let emulation = engine.emulation("generic-v2").expect("registered");
    let stored = engine.accept(&emulation, to, kind, body, None);
    json(
        StatusCode::OK,
        &json!({ "status": "success", "message_id": stored.id, "timestamp": iso8601(now_secs()), "recipient": format!("+{to}") }),
    )
}

/// What every send route checks first: the token, the JSON, the phone number.
fn checked(v2: &GenericV2, headers: &HeaderMap, body: &Bytes) -> Result<(Value, String), Response> {
    if let Some(r) = unauthorised(v2, headers) {
        return Err(r);
    }
    let v = parse(body)?;
    let to = phone(&v)?;
    Ok((v, to))
}

fn parse(body: &Bytes) -> Result<Value, Response> {
    serde_json::from_slice(body)
        .map_err(|_| invalid("Invalid JSON", "the request body is not valid JSON"))
}

fn phone(v: &Value) -> Result<String, Response> {
    let raw = v["phone_number"]
        .as_str()
        .or_else(|| v["to"].as_str())
        .unwrap_or("");
    let d = digits(raw);
    if raw.trim_start().starts_with('+') || v["to"].is_string() {
        if d.is_empty() {
            Err(invalid(
                "Invalid phone number format",
                "Phone number must include country code",
            ))
        } else {
            Ok(d)
        }
    } else {
        Err(invalid(
            "Invalid phone number format",
            "Phone number must include country code",
        ))
    }
}

async fn send_message(
    State((engine, v2)): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (v, to) = match checked(&v2, &headers, &body) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(text) = v["message"].as_str() else {
        return invalid("Missing parameter", "message is required");
    };
    if text.chars().count() > 4096 {
        return invalid("Message too long", "up to 4096 characters");
    }
    if let Err(r) = engine.check_send("generic-v2", &to, None) {
        return refusal(&r);
    }
    accepted(&engine, "text", &to, v)
}

async fn send_media(
    State((engine, v2)): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (v, to) = match checked(&v2, &headers, &body) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let kind = v["media_type"].as_str().unwrap_or("").to_owned();
    if !["image", "video", "document", "audio", "sticker"].contains(&kind.as_str()) {
        return invalid(
            "Invalid media_type",
            "image, video, document, audio or sticker",
        );
    }
    if !v["media_url"]
        .as_str()
        .is_some_and(|u| u.starts_with("https://"))
    {
        return invalid("Invalid media_url", "a public HTTPS URL is required");
    }
    if v["caption"]
        .as_str()
        .is_some_and(|c| c.chars().count() > 1024)
    {
        return invalid("Caption too long", "up to 1024 characters");
    }
    if let Err(r) = engine.check_send("generic-v2", &to, None) {
        return refusal(&r);
    }
    accepted(&engine, &kind, &to, v)
}

async fn send_template(
    State((engine, v2)): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (v, to) = match checked(&v2, &headers, &body) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if v["type"] != "template" {
        return invalid("Unsupported type", "this route sends templates");
    }
    if let Err(r) = engine.check_send("generic-v2", &to, Some(TemplateUse::of(&v["template"]))) {
        return refusal(&r);
    }
    accepted(&engine, "template", &to, v)
}

#[derive(Deserialize)]
struct StatusQuery {
    message_id: Option<String>,
}

async fn message_status(
    State((engine, v2)): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<StatusQuery>,
) -> Response {
    if let Some(r) = unauthorised(&v2, &headers) {
        return r;
    }
    let Some(id) = q.message_id else {
        return invalid("Missing parameter", "message_id is required");
    };
    match engine.message(&id) {
        Some(m) => {
            let ts = m.history.last().map_or(0, |(_, t)| *t);
            // The v2 API knows sent, delivered, read and failed; a just-accepted message is sent.
            let status = if m.status == "accepted" {
                "sent".to_owned()
            } else {
                m.status
            };
            json(
                StatusCode::OK,
                &json!({ "status": status, "message_id": m.id, "timestamp": iso8601(ts), "recipient": format!("+{}", m.customer) }),
            )
        }
        None => error(StatusCode::NOT_FOUND, 404, "Message not found", &id),
    }
}

impl super::Account for GenericV2Account {}

/// Builds the emulation from the sandbox's [`GenericV2Account`].
pub(crate) fn build(accounts: &super::Accounts) -> Arc<dyn Emulation> {
    Arc::new(GenericV2::new(accounts.get()))
}

impl crate::SandboxBuilder {
    /// The generic v2 account accepted (the default: [`GenericV2Account::default`]).
    pub fn generic_v2(self, account: GenericV2Account) -> Self {
        self.account(account)
    }
}

impl crate::SandboxHandle {
    /// The generic v2 account the sandbox accepts.
    pub fn generic_v2(&self) -> GenericV2Account {
        self.account()
    }
}
