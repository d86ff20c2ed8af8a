//! EnableX under `/enablex`: `POST /token`, `POST /messages` with Basic or a token,
//! `GET`/`POST /templates`; flat webhooks with `business_phone`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{bearer, digits, json, oversized};
use crate::engine::{Emulation, Engine, Refusal, StoredMessage, TemplateUse, Webhook, now_secs};
use crate::faults::RequestFault;

/// The EnableX project the sandbox accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnableXAccount {
    /// The APP ID.
    pub app_id: String,
    /// The APP KEY.
    pub app_key: String,
    /// The business number, as `business_phone` in webhooks.
    pub business_phone: String,
    /// How long Token API tokens live, seconds (60 minutes on EnableX).
    pub token_lifetime_secs: u64,
}

impl Default for EnableXAccount {
    fn default() -> Self {
        Self {
            app_id: "sandbox-app-id".to_owned(),
            app_key: "sandbox-app-key".to_owned(),
            business_phone: "918297867890".to_owned(),
            token_lifetime_secs: 3600,
        }
    }
}

pub(crate) struct EnableX {
    account: EnableXAccount,
    tokens: Mutex<HashMap<String, Instant>>,
}

impl EnableX {
    pub(crate) fn new(account: EnableXAccount) -> Self {
        Self {
            account,
            tokens: Mutex::default(),
        }
    }

    fn unauthorised(&self, headers: &HeaderMap) -> Option<Response> {
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{}", self.account.app_id, self.account.app_key))
        );
        let ok = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            == Some(basic.as_str())
            || bearer(headers).is_some_and(|t| {
                self.tokens
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .get(t)
                    .is_some_and(|exp| Instant::now() < *exp)
            });
        (!ok).then(auth_failed)
    }

    /// The seed's failed-status answer, carrying Meta's error.
    fn failed(&self, status: StatusCode, to: &str, code: i64, title: &str) -> Response {
        json(
            status,
            &json!({ "statuses": [{ "status": "failed", "timestamp": now_secs().to_string(), "recipient_id": to,
                      "errors": [{ "code": code, "title": title, "href": "" }] }],
                     "business_phone": self.account.business_phone }),
        )
    }
}

fn auth_failed() -> Response {
    json(
        StatusCode::UNAUTHORIZED,
        &json!({ "message": "Authentication failed", "status": "Unauthorized", "reason": "invalid credentials or the account has been deactivated" }),
    )
}

type Shared = (Arc<Engine>, Arc<EnableX>);

impl Emulation for EnableX {
    fn name(&self) -> &'static str {
        "enablex"
    }

    fn router(self: Arc<Self>, engine: Arc<Engine>) -> Router {
        Router::new()
            .route("/token", post(token))
            .route("/messages", post(messages))
            .route("/templates", post(create_template).get(templates))
            .with_state((engine, self))
    }

    fn status_webhook(&self, m: &StoredMessage, status: &str) -> Option<Webhook> {
        let body = json!({ "statuses": [{ "id": m.id, "status": status, "timestamp": now_secs().to_string(), "recipient_id": m.customer }],
                           "business_phone": self.account.business_phone });
        Some(Webhook {
            body: body.to_string().into_bytes(),
            headers: Vec::new(),
        })
    }

    fn inbound_webhook(&self, m: &StoredMessage, profile_name: &str) -> Option<Webhook> {
        let body = json!({
            "contacts": [{ "profile": { "name": profile_name }, "wa_id": m.customer }],
            "messages": [{ "from": m.customer, "id": m.id, "timestamp": now_secs().to_string(), "type": "text", "text": m.body["text"] }],
            "business_phone": self.account.business_phone,
        });
        Some(Webhook {
            body: body.to_string().into_bytes(),
            headers: Vec::new(),
        })
    }

    fn fault_response(&self, fault: RequestFault) -> Response {
        match fault {
            RequestFault::Throttle(secs) => {
                let mut r =
                    self.failed(StatusCode::TOO_MANY_REQUESTS, "", 130_429, "Rate limit hit");
                r.headers_mut().insert(header::RETRY_AFTER, secs.into());
                r
            }
            // EnableX relays Meta's codes: 2, "service temporarily unavailable".
            RequestFault::Error(status) => self.failed(
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                "",
                2,
                "Service temporarily unavailable",
            ),
            RequestFault::Unauthorized => auth_failed(),
            RequestFault::Reset | RequestFault::None => StatusCode::OK.into_response(),
        }
    }

    fn info(&self, base_url: &str) -> Value {
        json!({ "base_url": format!("{base_url}/enablex"), "app_id": self.account.app_id, "app_key": self.account.app_key,
                "business": { "business_phone": self.account.business_phone } })
    }

    fn new_id(&self, n: u64) -> String {
        format!("enx{n:016x}")
    }
}

#[derive(Deserialize)]
struct TokenRequest {
    app_id: String,
    app_key: String,
}

async fn token(State((_engine, enx)): State<Shared>, body: Bytes) -> Response {
    match serde_json::from_slice::<TokenRequest>(&body) {
        Ok(t) if t.app_id == enx.account.app_id && t.app_key == enx.account.app_key => {
            let token = format!("enx-token-{:016x}", fastrand::u64(..));
            let lifetime = Duration::from_secs(enx.account.token_lifetime_secs);
            enx.tokens
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(token.clone(), Instant::now() + lifetime);
            json(
                StatusCode::OK,
                &json!({ "token": token, "expiry": now_secs() + enx.account.token_lifetime_secs }),
            )
        }
        _ => auth_failed(),
    }
}

async fn messages(
    State((engine, enx)): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(r) = enx.unauthorised(&headers) {
        return r;
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return json(
            StatusCode::BAD_REQUEST,
            &json!({ "message": "Invalid JSON", "status": "Bad Request", "reason": "the body is not JSON" }),
        );
    };
    let to = digits(v["to"].as_str().unwrap_or(""));
    if to.is_empty() {
        return enx.failed(StatusCode::BAD_REQUEST, "", 100, "Invalid parameter: to");
    }
    let kind = v["type"].as_str().unwrap_or("text").to_owned();
    if let Some(why) = oversized(&kind, &v) {
        return enx.failed(StatusCode::BAD_REQUEST, &to, 100, &why);
    }
    let template = (kind == "template").then(|| TemplateUse::of(&v["template"]));
    if let Err(r) = engine.check_send("enablex", &to, template) {
        return match r {
            Refusal::RateLimited => enx.failed(StatusCode::TOO_MANY_REQUESTS, &to, 130_429, "Rate limit hit"),
            Refusal::NotOnWhatsApp => enx.failed(StatusCode::BAD_REQUEST, &to, 131_026, "Message undeliverable"),
            Refusal::OutsideWindow => enx.failed(
                StatusCode::BAD_REQUEST,
                &to,
                131_047,
                "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
            ),
            Refusal::UnknownTemplate => enx.failed(StatusCode::NOT_FOUND, &to, 132_001, "Template name does not exist in the translation"),
            Refusal::ParameterCount { expected, given } => enx.failed(
                StatusCode::BAD_REQUEST,
                &to,
                132_000,
                &format!("Number of parameters ({given}) does not match the expected number of params ({expected})"),
            ),
            Refusal::ParameterFormat(reason) => enx.failed(StatusCode::BAD_REQUEST, &to, 132_018, &reason),
        };
    }
    let emulation = engine.emulation("enablex").expect("registered");
    let stored = engine.accept(&emulation, &to, &kind, v, None);
    json(
        StatusCode::OK,
        &json!({ "status": "processing", "message_id": stored.id }),
    )
}

async fn create_template(
    State((engine, enx)): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(r) = enx.unauthorised(&headers) {
        return r;
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return json(
            StatusCode::BAD_REQUEST,
            &json!({ "message": "Invalid JSON", "status": "Bad Request" }),
        );
    };
    let (Some(name), Some(language)) = (v["name"].as_str(), v["language"].as_str()) else {
        return json(
            StatusCode::BAD_REQUEST,
            &json!({ "message": "name and language are required", "status": "Bad Request" }),
        );
    };
    // The sandbox approves at once; EnableX reports approval later by webhook. The body's
    // `{{n}}` placeholders say how many body parameters a send must give.
    let body_parameters = v["components"].as_array().and_then(|cs| {
        cs.iter()
            .find(|c| {
                c["type"]
                    .as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case("body"))
            })
            .and_then(|c| c["text"].as_str())
            .map(|text| text.matches("{{").count())
    });
    engine.add_template(name, language, body_parameters);
    json(
        StatusCode::OK,
        &json!({ "id": format!("tpl-{name}-{language}"), "name": name, "language": language, "status": "APPROVED" }),
    )
}

async fn templates(State((engine, enx)): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(r) = enx.unauthorised(&headers) {
        return r;
    }
    let list: Vec<Value> = engine
        .templates()
        .into_iter()
        .map(|(name, language, _)| json!({ "id": format!("tpl-{name}-{language}"), "name": name, "language": language, "status": "APPROVED", "category": "UTILITY" }))
        .collect();
    json(StatusCode::OK, &json!({ "templates": list }))
}

impl super::Account for EnableXAccount {}

/// Builds the emulation from the sandbox's [`EnableXAccount`].
pub(crate) fn build(accounts: &super::Accounts) -> Arc<dyn Emulation> {
    Arc::new(EnableX::new(accounts.get()))
}

impl crate::SandboxBuilder {
    /// The EnableX project accepted (the default: [`EnableXAccount::default`]).
    pub fn enablex(self, account: EnableXAccount) -> Self {
        self.account(account)
    }
}

impl crate::SandboxHandle {
    /// The EnableX project the sandbox accepts.
    pub fn enablex(&self) -> EnableXAccount {
        self.account()
    }
}
