//! The Mobile Gateway WAB REST API under `/mobile-gateway`: `POST /messages` (202),
//! `POST /messages/broadcast`, `POST /media?source=` (multipart), `GET /media?media_id=`,
//! `GET /messages?id=`, HTTP Basic; MO and DLR callbacks.
#![allow(
    clippy::result_large_err,
    reason = "a refused request is answered with the response, built once per request"
)]

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{digits, json, multipart_file, oversized};
use crate::engine::{Emulation, Engine, Refusal, StoredMessage, TemplateUse, Webhook, now_secs};
use crate::faults::RequestFault;

/// The Mobile Gateway account the sandbox accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MobileGatewayAccount {
    /// The Basic user.
    pub username: String,
    /// Its password.
    pub password: String,
    /// The business number's id.
    pub source: String,
}

impl Default for MobileGatewayAccount {
    fn default() -> Self {
        Self {
            username: "sandbox-mg-user".to_owned(),
            password: "sandbox-mg-password".to_owned(),
            source: "1234567890".to_owned(),
        }
    }
}

pub(crate) struct MobileGateway {
    account: MobileGatewayAccount,
}

impl MobileGateway {
    pub(crate) fn new(account: MobileGatewayAccount) -> Self {
        Self { account }
    }
}

fn bad(status: StatusCode, error: &str) -> Response {
    json(
        status,
        &json!({ "error": error, "message": "WhatsApp Cloud API error", "statusCode": status.as_u16() }),
    )
}

fn unprocessable(field: &str, description: &str) -> Response {
    json(
        StatusCode::UNPROCESSABLE_ENTITY,
        &json!({ "errors": [{ "field": field, "code": "invalid", "description": description }] }),
    )
}

type Shared = (Arc<Engine>, Arc<MobileGateway>);

impl Emulation for MobileGateway {
    fn name(&self) -> &'static str {
        "mobile-gateway"
    }

    fn router(self: Arc<Self>, engine: Arc<Engine>) -> Router {
        Router::new()
            .route("/messages", post(send).get(record))
            .route("/messages/broadcast", post(broadcast))
            .route("/media", post(upload).get(download))
            .with_state((engine, self))
    }

    fn status_webhook(&self, m: &StoredMessage, status: &str) -> Option<Webhook> {
        // The DLR set is the gateway's: sent, received, rejected, expired. No read.
        let dlr = match status {
            "sent" => "sent",
            "delivered" => "received",
            _ => return None,
        };
        let body = json!({ "id": m.id, "status": dlr, "reference": m.client_reference.clone().unwrap_or_default() });
        Some(Webhook {
            body: body.to_string().into_bytes(),
            headers: Vec::new(),
        })
    }

    fn statuses(&self) -> &'static [&'static str] {
        // Delivery reports stop at `received` (delivered): the gateway reports no reads.
        &["sent", "delivered"]
    }

    fn inbound_webhook(&self, m: &StoredMessage, _profile_name: &str) -> Option<Webhook> {
        let content = json!({ "from": format!("+{}", m.customer), "id": format!("wamid.{}", m.id), "timestamp": now_secs().to_string(), "type": "text", "text": m.body["text"] });
        let body = json!({ "id": m.id, "source": format!("+{}", m.customer), "Destination": self.account.source, "content": content });
        Some(Webhook {
            body: body.to_string().into_bytes(),
            headers: Vec::new(),
        })
    }

    fn fault_response(&self, fault: RequestFault) -> Response {
        match fault {
            RequestFault::Throttle(secs) => {
                let mut r = bad(StatusCode::TOO_MANY_REQUESTS, "(#130429) Rate limit hit");
                r.headers_mut().insert(header::RETRY_AFTER, secs.into());
                r
            }
            // Meta's generic 131000 in the text, as the gateway relays Meta's errors.
            RequestFault::Error(status) => bad(
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                "(#131000) Something went wrong",
            ),
            RequestFault::Unauthorized => json(
                StatusCode::UNAUTHORIZED,
                &json!({ "error": "Unauthorized", "message": "invalid credentials", "statusCode": 401 }),
            ),
            RequestFault::Reset | RequestFault::None => StatusCode::OK.into_response(),
        }
    }

    fn info(&self, base_url: &str) -> Value {
        json!({ "base_url": format!("{base_url}/mobile-gateway"), "username": self.account.username, "password": self.account.password, "source": self.account.source })
    }

    fn new_id(&self, n: u64) -> String {
        format!("b95fc11e-37f0-4770-a082-{n:012x}")
    }
}

fn unauthorised(mg: &MobileGateway, headers: &HeaderMap) -> Option<Response> {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", mg.account.username, mg.account.password))
    );
    (headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) != Some(expected.as_str()))
        .then(|| json(StatusCode::UNAUTHORIZED, &json!({ "error": "Unauthorized", "message": "invalid credentials", "statusCode": 401 })))
}

fn refusal(r: &Refusal) -> Response {
    match r {
        Refusal::RateLimited => bad(StatusCode::TOO_MANY_REQUESTS, "(#130429) Rate limit hit"),
        Refusal::NotOnWhatsApp => bad(StatusCode::BAD_REQUEST, "(#131026) Message Undeliverable"),
        Refusal::OutsideWindow => bad(StatusCode::BAD_REQUEST, "(#131047) Re-engagement message"),
        Refusal::UnknownTemplate => bad(
            StatusCode::BAD_REQUEST,
            "(#132001) Template name does not exist in the translation",
        ),
        Refusal::ParameterCount { expected, given } => bad(
            StatusCode::BAD_REQUEST,
            &format!(
                "(#132000) Number of parameters ({given}) does not match the expected number of params ({expected})"
            ),
        ),
        Refusal::ParameterFormat(reason) => {
            bad(StatusCode::BAD_REQUEST, &format!("(#132018) {reason}"))
        }
    }
}

/// Checks one message body for one recipient; `Err` is the refusal.
fn check(engine: &Engine, mg: &MobileGateway, v: &Value, to: &str) -> Result<(), Response> {
    if v["source"].as_str() != Some(mg.account.source.as_str()) {
        return Err(unprocessable("source", "unknown source"));
    }
    let kind = v["type"].as_str().unwrap_or("");
    if let Some(why) = oversized(kind, v) {
        return Err(bad(StatusCode::BAD_REQUEST, &format!("(#100) {why}")));
    }
    let template = (kind == "template").then(|| TemplateUse::of(&v["template"]));
    engine
        .check_send("mobile-gateway", to, template)
        .map_err(|r| refusal(&r))
}

fn recipient(v: &Value) -> Option<&Value> {
    v.get("destination").or_else(|| v.get("to"))
}

async fn send(State((engine, mg)): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(r) = unauthorised(&mg, &headers) {
        return r;
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return bad(StatusCode::BAD_REQUEST, "malformed JSON");
    };
    let to = digits(recipient(&v).and_then(Value::as_str).unwrap_or(""));
    if to.is_empty() {
        return unprocessable("destination", "a destination is required");
    }
    if let Err(r) = check(&engine, &mg, &v, &to) {
        return r;
    }
    let reference = v["reference"].as_str().map(str::to_owned);
    let kind = v["type"].as_str().unwrap_or("text").to_owned();
    let emulation = engine.emulation("mobile-gateway").expect("registered");
    let stored = engine.accept(&emulation, &to, &kind, v, reference.clone());
    json(
        StatusCode::ACCEPTED,
        &json!([{ "id": stored.id, "status": "accepted", "reference": reference.unwrap_or_default() }]),
    )
}

async fn broadcast(
    State((engine, mg)): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(r) = unauthorised(&mg, &headers) {
        return r;
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return bad(StatusCode::BAD_REQUEST, "malformed JSON");
    };
    let Some(list) = recipient(&v).and_then(Value::as_array).cloned() else {
        return unprocessable("destination", "a list of destinations is required");
    };
    let kind = v["type"].as_str().unwrap_or("text").to_owned();
    let emulation = engine.emulation("mobile-gateway").expect("registered");
    let mut out = Vec::with_capacity(list.len());
    for d in list {
        let shown = d.as_str().unwrap_or("").to_owned();
        let to = digits(&shown);
        if check(&engine, &mg, &v, &to).is_err() || to.is_empty() {
            out.push(json!({ "destination": shown, "id": "", "status": "rejected" }));
            continue;
        }
        let mut single = v.clone();
        single["destination"] = json!(shown);
        let stored = engine.accept(&emulation, &to, &kind, single, None);
        out.push(json!({ "destination": shown, "id": stored.id, "status": "accepted" }));
    }
    json(StatusCode::ACCEPTED, &Value::Array(out))
}

async fn upload(
    State((engine, mg)): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    if let Some(r) = unauthorised(&mg, &headers) {
        return r;
    }
    if q.get("source") != Some(&mg.account.source) {
        return unprocessable("source", "unknown source");
    }
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some((mime, data)) = multipart_file(ct, &body) else {
        return unprocessable("file", "a multipart file part is required");
    };
    json(
        StatusCode::OK,
        &json!([{ "id": engine.store_media(mime, data) }]),
    )
}

#[derive(Deserialize)]
struct MediaQuery {
    media_id: Option<String>,
}

async fn download(
    State((engine, mg)): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<MediaQuery>,
) -> Response {
    if let Some(r) = unauthorised(&mg, &headers) {
        return r;
    }
    match q.media_id.and_then(|id| engine.media(&id)) {
        Some((mime, data)) => ([(header::CONTENT_TYPE, mime)], data).into_response(),
        None => unprocessable("media_id", "unknown media"),
    }
}

#[derive(Deserialize)]
struct RecordQuery {
    id: Option<String>,
}

async fn record(
    State((engine, mg)): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<RecordQuery>,
) -> Response {
    if let Some(r) = unauthorised(&mg, &headers) {
        return r;
    }
    let Some(m) = q.id.and_then(|id| engine.message(&id)) else {
        return unprocessable("id", "unknown message");
    };
    let (source, destination, direction) = if m.direction == "inbound" {
        (format!("+{}", m.customer), mg.account.source.clone(), "MO")
    } else {
        (mg.account.source.clone(), format!("+{}", m.customer), "MT")
    };
    json(
        StatusCode::OK,
        &json!({ "id": m.id, "source": source, "destination": destination, "direction": direction,
                 "reference": m.client_reference.unwrap_or_default(), "content": m.body.to_string() }),
    )
}

impl super::Account for MobileGatewayAccount {}

/// Builds the emulation from the sandbox's [`MobileGatewayAccount`].
pub(crate) fn build(accounts: &super::Accounts) -> Arc<dyn Emulation> {
    Arc::new(MobileGateway::new(accounts.get()))
}

impl crate::SandboxBuilder {
    /// The Mobile Gateway account accepted (the default: [`MobileGatewayAccount::default`]).
    pub fn mobile_gateway(self, account: MobileGatewayAccount) -> Self {
        self.account(account)
    }
}

impl crate::SandboxHandle {
    /// The Mobile Gateway account the sandbox accepts.
    pub fn mobile_gateway(&self) -> MobileGatewayAccount {
        self.account()
    }
}
