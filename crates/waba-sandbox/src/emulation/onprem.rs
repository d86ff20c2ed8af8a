//! Meta's on-prem API under `/onprem`, and Tujenge (the same API behind an API-key proxy)
//! under `/tujenge`: login and logout with expiring tokens (on-prem), `WA-API-KEY` and
//! blocked paths (Tujenge), messages, media, contacts, health, the webhook config route,
//! and flat-format webhooks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{bearer, digits, json, oversized};
use crate::engine::{
    Emulation, Engine, Refusal, StoredMessage, TemplateUse, Webhook, WebhookTarget, now_secs,
    utc_parts,
};
use crate::faults::RequestFault;

/// The on-prem account the sandbox accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnPremAccount {
    /// The login user.
    pub username: String,
    /// Its password.
    pub password: String,
    /// The `WA_API_KEY` for health.
    pub api_key: String,
    /// The template namespace.
    pub namespace: String,
    /// How long login tokens live, seconds (7 days on a real client).
    pub token_lifetime_secs: u64,
}

impl Default for OnPremAccount {
    fn default() -> Self {
        Self {
            username: "admin".to_owned(),
            password: "sandbox-password".to_owned(),
            api_key: "sandbox-api-key-0001".to_owned(),
            namespace: "sandbox_namespace".to_owned(),
            token_lifetime_secs: 7 * 24 * 3600,
        }
    }
}

/// The Tujenge account the sandbox accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TujengeAccount {
    /// The `WA-API-KEY` (one key, one phone number).
    pub api_key: String,
    /// The template namespace.
    pub namespace: String,
}

impl Default for TujengeAccount {
    fn default() -> Self {
        Self {
            api_key: "sandbox-tujenge-key".to_owned(),
            namespace: "sandbox_namespace".to_owned(),
        }
    }
}

enum Mode {
    OnPrem(OnPremAccount),
    Tujenge(TujengeAccount),
}

pub(crate) struct OnPrem {
    mode: Mode,
    tokens: Mutex<HashMap<String, Instant>>,
}

impl OnPrem {
    pub(crate) fn client(account: OnPremAccount) -> Self {
        Self {
            mode: Mode::OnPrem(account),
            tokens: Mutex::default(),
        }
    }

    pub(crate) fn tujenge(account: TujengeAccount) -> Self {
        Self {
            mode: Mode::Tujenge(account),
            tokens: Mutex::default(),
        }
    }

    fn namespace(&self) -> &str {
        match &self.mode {
            Mode::OnPrem(a) => &a.namespace,
            Mode::Tujenge(a) => &a.namespace,
        }
    }

    /// `None` when the request may proceed; else the refusal.
    fn unauthorised(&self, headers: &HeaderMap) -> Option<Response> {
        let ok = match &self.mode {
            Mode::OnPrem(_) => bearer(headers).is_some_and(|t| {
                let tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
                tokens
                    .get(t)
                    .is_some_and(|expires| Instant::now() < *expires)
            }),
            Mode::Tujenge(a) => {
                headers.get("wa-api-key").and_then(|v| v.to_str().ok()) == Some(a.api_key.as_str())
            }
        };
        (!ok).then(|| {
            self.error(
                StatusCode::UNAUTHORIZED,
                1005,
                "Access denied",
                "invalid or expired credentials",
            )
        })
    }

    fn error(&self, status: StatusCode, code: i64, title: &str, details: &str) -> Response {
        if matches!(self.mode, Mode::Tujenge(_)) && code == 1005 {
            // The proxy answers auth failures itself, in its own shape.
            return json(
                status,
                &json!({ "meta": { "success": false, "http_code": status.as_u16(), "developer_message": "Invalid api_key", "details": [details] } }),
            );
        }
        json(
            status,
            &json!({ "errors": [{ "code": code, "title": title, "details": details }], "meta": meta() }),
        )
    }
}

fn meta() -> Value {
    json!({ "api_status": "stable", "version": "2.51.0" })
}

type Shared = (Arc<Engine>, Arc<OnPrem>);

impl Emulation for OnPrem {
    fn name(&self) -> &'static str {
        match self.mode {
            Mode::OnPrem(_) => "onprem",
            Mode::Tujenge(_) => "tujenge",
        }
    }

    fn router(self: Arc<Self>, engine: Arc<Engine>) -> Router {
        let router = Router::new()
            .route("/v1/messages", post(messages))
            .route("/v1/messages/{id}", put(mark_read))
            .route("/v1/media", post(upload))
            .route("/v1/media/{id}", get(download))
            .route("/v1/contacts", post(contacts));
        let router = match self.mode {
            Mode::OnPrem(_) => router
                .route("/v1/users/login", post(login))
                .route("/v1/users/logout", post(logout))
                .route("/v1/health", get(health)),
            Mode::Tujenge(_) => router
                .route("/v1/configs/webhook", post(set_webhook).get(get_webhook))
                .fallback(blocked),
        };
        router.with_state((engine, self))
    }

    fn status_webhook(&self, m: &StoredMessage, status: &str) -> Option<Webhook> {
        let s = json!({ "id": m.id, "status": status, "timestamp": now_secs().to_string(), "recipient_id": m.customer });
        Some(Webhook {
            body: json!({ "statuses": [s] }).to_string().into_bytes(),
            headers: Vec::new(),
        })
    }

    fn inbound_webhook(&self, m: &StoredMessage, profile_name: &str) -> Option<Webhook> {
        let body = json!({
            "contacts": [{ "profile": { "name": profile_name }, "wa_id": m.customer }],
            "messages": [{ "from": m.customer, "id": m.id, "timestamp": now_secs().to_string(), "type": "text", "text": m.body["text"] }],
        });
        Some(Webhook {
            body: body.to_string().into_bytes(),
            headers: Vec::new(),
        })
    }

    fn fault_response(&self, fault: RequestFault) -> Response {
        match fault {
            RequestFault::Throttle(secs) => {
                let mut r = self.error(
                    StatusCode::TOO_MANY_REQUESTS,
                    429,
                    "Rate limit hit",
                    "injected by the sandbox",
                );
                r.headers_mut().insert(header::RETRY_AFTER, secs.into());
                r
            }
            RequestFault::Error(status) => self.error(
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                1011,
                "Service unavailable",
                "injected by the sandbox",
            ),
            RequestFault::Unauthorized => self.error(
                StatusCode::UNAUTHORIZED,
                1005,
                "Access denied",
                "injected by the sandbox",
            ),
            RequestFault::Reset | RequestFault::None => StatusCode::OK.into_response(),
        }
    }

    fn info(&self, base_url: &str) -> Value {
        match &self.mode {
            Mode::OnPrem(a) => json!({
                "base_url": format!("{base_url}/onprem"),
                "username": a.username, "password": a.password, "api_key": a.api_key, "namespace": a.namespace,
            }),
            Mode::Tujenge(a) => {
                json!({ "base_url": format!("{base_url}/tujenge"), "api_key": a.api_key, "namespace": a.namespace })
            }
        }
    }

    fn new_id(&self, n: u64) -> String {
        let raw = format!("sandbox-{}-{n:010}", self.name());
        format!(
            "gBEG{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw.as_bytes())
        )
    }
}

fn expires_after(lifetime: Duration) -> String {
    let secs = (SystemTime::now() + lifetime)
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let ((y, m, d), (hh, mm, ss)) = utc_parts(secs);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}+00:00")
}

async fn login(State((_engine, op)): State<Shared>, headers: HeaderMap) -> Response {
    let Mode::OnPrem(account) = &op.mode else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", account.username, account.password))
    );
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(expected.as_str())
    {
        return op.error(
            StatusCode::UNAUTHORIZED,
            1005,
            "Access denied",
            "invalid user name or password",
        );
    }
    let lifetime = Duration::from_secs(account.token_lifetime_secs);
    let token = format!("sandbox-token-{:016x}", fastrand::u64(..));
    op.tokens
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(token.clone(), Instant::now() + lifetime);
    json(
        StatusCode::OK,
        &json!({ "users": [{ "token": token, "expires_after": expires_after(lifetime) }], "meta": meta() }),
    )
}

async fn logout(State((_engine, op)): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(r) = op.unauthorised(&headers) {
        return r;
    }
    if let Some(t) = bearer(&headers) {
        op.tokens
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(t);
    }
    json(StatusCode::OK, &json!({ "meta": meta() }))
}

async fn health(State((_engine, op)): State<Shared>, headers: HeaderMap) -> Response {
    let Mode::OnPrem(account) = &op.mode else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if bearer(&headers) != Some(account.api_key.as_str()) {
        return op.error(
            StatusCode::UNAUTHORIZED,
            1005,
            "Access denied",
            "the health route takes the API key",
        );
    }
    json(
        StatusCode::OK,
        &json!({ "health": { "gateway_status": "connected" }, "meta": meta() }),
    )
}

async fn messages(State((engine, op)): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(r) = op.unauthorised(&headers) {
        return r;
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return op.error(
            StatusCode::BAD_REQUEST,
            400,
            "Bad request",
            "the request body is not valid JSON",
        );
    };
    let kind = v["type"].as_str().unwrap_or("text").to_owned();
    let group = v["recipient_type"] == "group";
    let to = if group {
        v["to"].as_str().unwrap_or("").to_owned()
    } else {
        digits(v["to"].as_str().unwrap_or(""))
    };
    if to.is_empty() {
        return op.error(
            StatusCode::BAD_REQUEST,
            1008,
            "Required parameter is missing",
            "to",
        );
    }
    if let Some(r) = limits(&op, &kind, &v) {
        return r;
    }
    let template = (kind == "template").then(|| TemplateUse::of(&v["template"]));
    if template.is_some() && v["template"]["namespace"].as_str() != Some(op.namespace()) {
        return op.error(
            StatusCode::NOT_FOUND,
            2001,
            "Template name does not exist in the translation",
            "unknown namespace",
        );
    }
    let check = if group {
        Ok(())
    } else {
        engine.check_send(op.name(), &to, template)
    };
    if let Err(refusal) = check {
        return match refusal {
            Refusal::RateLimited => op.error(StatusCode::TOO_MANY_REQUESTS, 429, "Rate limit hit", "too many messages"),
            Refusal::NotOnWhatsApp => op.error(StatusCode::NOT_FOUND, 1006, "Resource not found", "unknown contact"),
            Refusal::OutsideWindow => op.error(
                StatusCode::BAD_REQUEST,
                470,
                "Message failed to send because more than 24 hours have passed since the customer last replied to this number",
                "send a template",
            ),
            Refusal::UnknownTemplate => {
                op.error(StatusCode::NOT_FOUND, 2001, "Template name does not exist in the translation", template.map_or("", |t| t.name))
            }
            // The on-prem titles for template parameter errors (2000–2060) are not documented
            // in what we have; 1009 "parameter value is not valid" is, and means the same.
            Refusal::ParameterCount { expected, given } => op.error(
                StatusCode::BAD_REQUEST,
                1009,
                "Parameter value is not valid",
                &format!("template body: {given} parameters given, the template has {expected}"),
            ),
            Refusal::ParameterFormat(reason) => {
                op.error(StatusCode::BAD_REQUEST, 1009, "Parameter value is not valid", &reason)
            }
        };
    }
    let emulation = engine.emulation(op.name()).expect("registered");
    let stored = engine.accept(&emulation, &to, &kind, v, None);
    json(
        StatusCode::CREATED,
        &json!({ "messages": [{ "id": stored.id }], "meta": meta() }),
    )
}

fn limits(op: &OnPrem, kind: &str, v: &Value) -> Option<Response> {
    if let Some(why) = oversized(kind, v) {
        return Some(op.error(
            StatusCode::BAD_REQUEST,
            1009,
            "Parameter value is not valid",
            &why,
        ));
    }
    let latitude_ok = v["location"]["latitude"]
        .as_f64()
        .is_some_and(|l| (-90.0..=90.0).contains(&l));
    (kind == "location" && !latitude_ok).then(|| {
        op.error(
            StatusCode::BAD_REQUEST,
            1009,
            "Invalid latitude",
            "valid range is from -90 to 90",
        )
    })
}

async fn mark_read(
    State((_engine, op)): State<Shared>,
    Path(_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(r) = op.unauthorised(&headers) {
        return r;
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(v) if v["status"] == "read" => json(StatusCode::OK, &json!({ "meta": meta() })),
        _ => op.error(
            StatusCode::BAD_REQUEST,
            1008,
            "Required parameter is missing",
            "status",
        ),
    }
}

async fn upload(State((engine, op)): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(r) = op.unauthorised(&headers) {
        return r;
    }
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let id = engine.store_media(mime, body);
    json(
        StatusCode::CREATED,
        &json!({ "media": [{ "id": id }], "meta": meta() }),
    )
}

async fn download(
    State((engine, op)): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = op.unauthorised(&headers) {
        return r;
    }
    match engine.media(&id) {
        Some((mime, data)) => ([(header::CONTENT_TYPE, mime)], data).into_response(),
        None => op.error(
            StatusCode::NOT_FOUND,
            1006,
            "Resource not found",
            "unknown media",
        ),
    }
}

#[derive(Deserialize)]
struct ContactsRequest {
    #[serde(default)]
    contacts: Vec<String>,
}

async fn contacts(State((engine, op)): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(r) = op.unauthorised(&headers) {
        return r;
    }
    let Ok(req) = serde_json::from_slice::<ContactsRequest>(&body) else {
        return op.error(
            StatusCode::BAD_REQUEST,
            400,
            "Bad request",
            "the request body is not valid JSON",
        );
    };
    let list: Vec<Value> = req
        .contacts
        .iter()
        .map(|input| {
            let d = digits(input);
            if !d.is_empty() && engine.on_whatsapp(&d) {
                json!({ "input": input, "status": "valid", "wa_id": d })
            } else {
                json!({ "input": input, "status": "invalid" })
            }
        })
        .collect();
    json(StatusCode::OK, &json!({ "contacts": list, "meta": meta() }))
}

#[derive(Deserialize)]
struct WebhookConfig {
    url: String,
    #[serde(default)]
    headers: HashMap<String, String>,
}

async fn set_webhook(
    State((engine, op)): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(r) = op.unauthorised(&headers) {
        return r;
    }
    let Ok(config) = serde_json::from_slice::<WebhookConfig>(&body) else {
        return json(
            StatusCode::BAD_REQUEST,
            &json!({ "meta": { "success": false, "http_code": 400, "developer_message": "invalid body", "details": ["url is required"] } }),
        );
    };
    let mut extra: Vec<(String, String)> = config.headers.clone().into_iter().collect();
    extra.sort();
    engine.set_webhook(
        op.name(),
        WebhookTarget {
            url: config.url.clone(),
            headers: extra,
        },
    );
    json(
        StatusCode::OK,
        &json!({ "url": config.url, "headers": config.headers }),
    )
}

async fn get_webhook(State((engine, op)): State<Shared>, headers: HeaderMap) -> Response {
    if let Some(r) = op.unauthorised(&headers) {
        return r;
    }
    let t = engine.webhook(op.name());
    let headers: HashMap<String, String> = t
        .as_ref()
        .map(|t| t.headers.iter().cloned().collect())
        .unwrap_or_default();
    json(
        StatusCode::OK,
        &json!({ "url": t.map(|t| t.url).unwrap_or_default(), "headers": headers }),
    )
}

async fn blocked(uri: axum::http::Uri) -> Response {
    json(
        StatusCode::FORBIDDEN,
        &json!({ "meta": { "success": false, "http_code": 403, "developer_message": format!("path {} is blocked", uri.path()) } }),
    )
}

impl super::Account for OnPremAccount {}

/// Builds the emulation from the sandbox's [`OnPremAccount`].
pub(crate) fn build_client(accounts: &super::Accounts) -> Arc<dyn Emulation> {
    Arc::new(OnPrem::client(accounts.get()))
}

impl crate::SandboxBuilder {
    /// The on-prem account accepted (the default: [`OnPremAccount::default`]).
    pub fn onprem(self, account: OnPremAccount) -> Self {
        self.account(account)
    }
}

impl crate::SandboxHandle {
    /// The on-prem account the sandbox accepts.
    pub fn onprem(&self) -> OnPremAccount {
        self.account()
    }
}

impl super::Account for TujengeAccount {}

/// Builds the emulation from the sandbox's [`TujengeAccount`].
pub(crate) fn build_tujenge(accounts: &super::Accounts) -> Arc<dyn Emulation> {
    Arc::new(OnPrem::tujenge(accounts.get()))
}

impl crate::SandboxBuilder {
    /// The Tujenge account accepted (the default: [`TujengeAccount::default`]).
    pub fn tujenge(self, account: TujengeAccount) -> Self {
        self.account(account)
    }
}

impl crate::SandboxHandle {
    /// The Tujenge account the sandbox accepts.
    pub fn tujenge(&self) -> TujengeAccount {
        self.account()
    }
}
