//! Meta's WhatsApp Cloud API, under `/cloud`: `/{version}/{phone-number-id}/messages`,
//! `/media`, `/{media-id}`, `/{waba-id}/message_templates`, and signed Cloud-envelope
//! webhooks.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{bearer, digits, json, multipart_file, oversized};
use crate::engine::{Emulation, Engine, Refusal, StoredMessage, TemplateUse, Webhook, now_secs};
use crate::faults::RequestFault;

/// The Cloud account the sandbox accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudAccount {
    /// The bearer token.
    pub access_token: String,
    /// The sender's phone-number id.
    pub phone_number_id: String,
    /// The WhatsApp Business Account id.
    pub waba_id: String,
    /// The business number as shown.
    pub display_phone_number: String,
    /// The app secret webhooks are signed with.
    pub app_secret: String,
}

impl Default for CloudAccount {
    fn default() -> Self {
        Self {
            access_token: "sandbox-cloud-token".to_owned(),
            phone_number_id: "106540352242922".to_owned(),
            waba_id: "102290129340398".to_owned(),
            display_phone_number: "15550783881".to_owned(),
            app_secret: "sandbox-app-secret".to_owned(),
        }
    }
}

pub(crate) struct Cloud {
    pub(crate) account: CloudAccount,
}

/// `sha256=` and the hex HMAC-SHA256 of `body` under `secret`, as Meta signs webhooks.
///
/// Computed here rather than with `waba-webhook`'s verifier: the sandbox exists to test that
/// verifier, so it must not share its code.
pub(crate) fn hub_signature(secret: &str, body: &[u8]) -> String {
    use hmac::Mac as _;
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

impl Cloud {
    pub(crate) fn new(account: CloudAccount) -> Self {
        Self { account }
    }

    /// A Cloud webhook body around `value` (`statuses`, `messages`, …).
    pub(crate) fn envelope(&self, value: Value) -> Vec<u8> {
        let mut v = json!({
            "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": self.account.display_phone_number, "phone_number_id": self.account.phone_number_id },
        });
        if let (Some(v), Value::Object(extra)) = (v.as_object_mut(), value) {
            v.extend(extra);
        }
        json!({
            "object": "whatsapp_business_account",
            "entry": [{ "id": self.account.waba_id, "changes": [{ "value": v, "field": "messages" }] }],
        })
        .to_string()
        .into_bytes()
    }

    /// The body with its `X-Hub-Signature-256` (computed here, not by the library under
    /// test, so a bug there cannot hide behind the same bug in the oracle).
    pub(crate) fn signed(&self, body: Vec<u8>) -> Webhook {
        let signature = hub_signature(&self.account.app_secret, &body);
        Webhook {
            body,
            headers: vec![("x-hub-signature-256".to_owned(), signature)],
        }
    }
}

/// Meta's error envelope.
pub(crate) fn error(status: StatusCode, code: i64, message: &str, details: &str) -> Response {
    json(
        status,
        &json!({ "error": {
            "message": format!("(#{code}) {message}"),
            "type": "OAuthException",
            "code": code,
            "error_data": { "messaging_product": "whatsapp", "details": details },
            "fbtrace_id": "Asandbox",
        }}),
    )
}

type Shared = (Arc<Engine>, Arc<Cloud>);

impl Emulation for Cloud {
    fn name(&self) -> &'static str {
        "cloud"
    }

    fn check_user_id(&self, user_id: &str) -> Result<(), String> {
        if is_user_id(user_id) {
            Ok(())
        } else {
            Err(format!(
                "{user_id} is not a business-scoped user id (two letters, a dot, letters or digits)"
            ))
        }
    }

    fn router(self: Arc<Self>, engine: Arc<Engine>) -> Router {
        Router::new()
            .route("/_media/{id}", get(download))
            .route("/{version}/{id}/messages", post(messages))
            .route("/{version}/{id}/media", post(upload))
            .route("/{version}/{id}/message_templates", get(templates))
            .route("/{version}/{id}", get(media_url))
            .with_state((engine, self))
    }

    fn status_webhook(&self, m: &StoredMessage, status: &str) -> Option<Webhook> {
        let mut s = json!({ "id": m.id, "status": status, "timestamp": now_secs().to_string() });
        // Meta names the recipient by phone (`recipient_id`) or, for a customer known only
        // by a business-scoped user id, by `recipient_user_id` alone; and since 2026 a
        // status carries the customer's `contacts[]` entry, as messages do.
        s[recipient_field(&m.customer)] = json!(m.customer);
        if let Some(r) = &m.client_reference {
            s["biz_opaque_callback_data"] = json!(r);
        }
        if status != "read" {
            let category = if m.kind == "template" {
                "utility"
            } else {
                "service"
            };
            s["conversation"] =
                json!({ "id": format!("conv-{}", m.customer), "origin": { "type": category } });
            s["pricing"] = json!({ "billable": category != "service", "pricing_model": "PMP", "category": category, "type": "regular" });
        }
        let contacts = json!([contact(&m.customer, PROFILE_NAME)]);
        Some(self.signed(self.envelope(json!({ "contacts": contacts, "statuses": [s] }))))
    }

    fn inbound_webhook(&self, m: &StoredMessage, profile_name: &str) -> Option<Webhook> {
        let mut message = json!({ "id": m.id, "timestamp": now_secs().to_string(), "type": "text", "text": m.body["text"] });
        if is_user_id(&m.customer) {
            // A username-only customer: no phone number, `from` is empty [meta-cloud.md §7.6].
            message["from"] = json!("");
            message["from_user_id"] = json!(m.customer);
        } else {
            message["from"] = json!(m.customer);
        }
        let body = self.envelope(json!({
            "contacts": [contact(&m.customer, profile_name)],
            "messages": [message],
        }));
        Some(self.signed(body))
    }

    fn fault_response(&self, fault: RequestFault) -> Response {
        match fault {
            RequestFault::Throttle(secs) => {
                let mut r = error(
                    StatusCode::TOO_MANY_REQUESTS,
                    130_429,
                    "Rate limit hit",
                    "Cloud API message throughput has been reached.",
                );
                r.headers_mut().insert(header::RETRY_AFTER, secs.into());
                r
            }
            RequestFault::Error(status) => error(
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                2,
                "Service temporarily unavailable",
                "injected by the sandbox",
            ),
            RequestFault::Unauthorized => error(
                StatusCode::UNAUTHORIZED,
                190,
                "Error validating access token: Session has expired",
                "injected by the sandbox",
            ),
            RequestFault::Reset | RequestFault::None => StatusCode::OK.into_response(),
        }
    }

    fn info(&self, base_url: &str) -> Value {
        json!({
            "base_url": format!("{base_url}/cloud"),
            "api_version": "v25.0",
            "access_token": self.account.access_token,
            "phone_number_id": self.account.phone_number_id,
            "waba_id": self.account.waba_id,
            "app_secret": self.account.app_secret,
            "business": { "display_phone_number": self.account.display_phone_number },
        })
    }

    fn new_id(&self, n: u64) -> String {
        format!(
            "wamid.HBgLSANDBOX{n:012}{:08X}",
            n.wrapping_mul(2_654_435_761) as u32
        )
    }
}

/// `None` when the bearer token is the account's; else the 401 to answer.
fn unauthorised(cloud: &Cloud, headers: &HeaderMap) -> Option<Response> {
    if bearer(headers) == Some(cloud.account.access_token.as_str()) {
        None
    } else {
        Some(error(
            StatusCode::UNAUTHORIZED,
            190,
            "Error validating access token: The access token could not be decrypted",
            "invalid or expired access token",
        ))
    }
}

fn invalid(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, 100, "Invalid parameter", message)
}

async fn messages(
    State((engine, cloud)): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(r) = unauthorised(&cloud, &headers) {
        return r;
    }
    if id != cloud.account.phone_number_id {
        return invalid(&format!(
            "Unsupported post request. Object with ID '{id}' does not exist"
        ));
    }
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return invalid("the request body is not valid JSON");
    };
    if v["messaging_product"] != "whatsapp" {
        return invalid("The parameter messaging_product is required and must be whatsapp");
    }
    if v["status"] == "read" {
        return match v["message_id"].as_str() {
            Some(m) if !m.is_empty() => json(StatusCode::OK, &json!({ "success": true })),
            _ => invalid("The parameter message_id is required"),
        };
    }
    // `recipient` (a business-scoped user id) stands in for `to` [meta-cloud.md §7.6].
    let to = match (v["to"].as_str(), v["recipient"].as_str()) {
        (Some(to), None) => digits(to),
        (None, Some(user)) if is_user_id(user) => user.to_owned(),
        (None, Some(user)) => {
            return invalid(&format!(
                "The parameter recipient ({user}) is not a valid business-scoped user id"
            ));
        }
        (Some(_), Some(_)) => return invalid("Give either to or recipient, not both"),
        (None, None) => String::new(),
    };
    if to.is_empty() {
        return invalid("The parameter to is required");
    }
    let kind = v["type"].as_str().unwrap_or("text").to_owned();
    if let Some(r) = check_limits(&kind, &v) {
        return r;
    }
    let template = (kind == "template").then(|| TemplateUse::of(&v["template"]));
    if let Err(refusal) = engine.check_send("cloud", &to, template) {
        return match refusal {
            Refusal::RateLimited => error(
                StatusCode::TOO_MANY_REQUESTS,
                130_429,
                "Rate limit hit",
                "Cloud API message throughput has been reached.",
            ),
            Refusal::NotOnWhatsApp => error(
                StatusCode::BAD_REQUEST,
                131_026,
                "Message Undeliverable",
                "the recipient is not a WhatsApp user",
            ),
            Refusal::OutsideWindow => error(
                StatusCode::BAD_REQUEST,
                131_047,
                "Re-engagement message",
                "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
            ),
            Refusal::UnknownTemplate => error(
                StatusCode::NOT_FOUND,
                132_001,
                "Template name does not exist in the translation",
                &format!(
                    "template name ({}) does not exist in {}",
                    template.map_or("", |t| t.name),
                    template.map_or("", |t| t.language)
                ),
            ),
            Refusal::ParameterCount { expected, given } => error(
                StatusCode::BAD_REQUEST,
                132_000,
                "Number of parameters does not match the expected number of params",
                &format!(
                    "body: number of localizable_params ({given}) does not match the expected number of params ({expected})"
                ),
            ),
            Refusal::ParameterFormat(reason) => error(
                StatusCode::BAD_REQUEST,
                132_018,
                "There was an issue with the parameters in your template.",
                &reason,
            ),
        };
    }
    let reference = v["biz_opaque_callback_data"].as_str().map(str::to_owned);
    let emulation = engine.emulation("cloud").expect("registered");
    let stored = engine.accept(&emulation, &to, &kind, v, reference);
    json(
        StatusCode::OK,
        &json!({
            "messaging_product": "whatsapp",
            "contacts": [if is_user_id(&to) { json!({ "input": to, "user_id": to }) } else { json!({ "input": to, "wa_id": to }) }],
            "messages": [{ "id": stored.id, "message_status": "accepted" }],
        }),
    )
}

/// Oversized text and captions, as Meta answers them.
fn check_limits(kind: &str, v: &Value) -> Option<Response> {
    if kind == "text" && v["text"]["body"].as_str().is_none() {
        return Some(invalid("The parameter text['body'] is required"));
    }
    oversized(kind, v).map(|why| invalid(&why))
}

async fn upload(
    State((engine, cloud)): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(r) = unauthorised(&cloud, &headers) {
        return r;
    }
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some((mime, data)) = multipart_file(ct, &body) else {
        return invalid("a multipart body with a file part is required");
    };
    let id = engine.store_media(mime, data);
    json(StatusCode::OK, &json!({ "id": id }))
}

async fn media_url(
    State((engine, cloud)): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = unauthorised(&cloud, &headers) {
        return r;
    }
    match engine.media(&id) {
        Some((mime, data)) => json(
            StatusCode::OK,
            &json!({
                "messaging_product": "whatsapp",
                "url": format!("{}/cloud/_media/{id}", engine.base_url()),
                "mime_type": mime,
                // Every field Meta documents for this answer: clients read them all.
                "sha256": sha256_hex(&data),
                "file_size": data.len(),
                "id": id,
            }),
        ),
        None => invalid(&format!(
            "Unsupported get request. Object with ID '{id}' does not exist"
        )),
    }
}

async fn download(
    State((engine, cloud)): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = unauthorised(&cloud, &headers) {
        return r;
    }
    match engine.media(&id) {
        Some((mime, data)) => ([(header::CONTENT_TYPE, mime)], data).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn templates(
    State((engine, cloud)): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = unauthorised(&cloud, &headers) {
        return r;
    }
    if id != cloud.account.waba_id {
        return invalid(&format!(
            "Unsupported get request. Object with ID '{id}' does not exist"
        ));
    }
    let data: Vec<Value> = engine
        .templates()
        .into_iter()
        .enumerate()
        .map(|(i, (name, language, _))| json!({ "id": (1000 + i).to_string(), "name": name, "language": language, "status": "APPROVED", "category": "UTILITY", "components": [] }))
        .collect();
    json(StatusCode::OK, &json!({ "data": data }))
}

/// The lowercase hex SHA-256 of a media file, as `GET /{media-id}` reports it.
fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(data))
}

/// The profile name the emulated customers have in status `contacts[]`.
const PROFILE_NAME: &str = "Sandbox Customer";

/// Whether a stored customer is a business-scoped user id (`US.1349…`) rather than phone
/// digits: two letters, a dot, then letters or digits.
pub(crate) fn is_user_id(customer: &str) -> bool {
    let b = customer.as_bytes();
    b.len() > 3
        && b[0].is_ascii_alphabetic()
        && b[1].is_ascii_alphabetic()
        && b[2] == b'.'
        && b[3..].iter().all(u8::is_ascii_alphanumeric)
}

/// Where a status names its recipient: `recipient_id` (phone) or `recipient_user_id`.
fn recipient_field(customer: &str) -> &'static str {
    if is_user_id(customer) {
        "recipient_user_id"
    } else {
        "recipient_id"
    }
}

/// A webhook `contacts[]` entry: `wa_id` for a phone customer; `user_id` and a username
/// for a username-only one.
fn contact(customer: &str, profile_name: &str) -> Value {
    if is_user_id(customer) {
        let username = format!("user{}", &customer[customer.len().saturating_sub(4)..]);
        json!({ "profile": { "name": profile_name, "username": username }, "user_id": customer })
    } else {
        json!({ "profile": { "name": profile_name }, "wa_id": customer })
    }
}

impl super::Account for CloudAccount {}

/// Builds the emulation from the sandbox's [`CloudAccount`].
pub(crate) fn build(accounts: &super::Accounts) -> Arc<dyn Emulation> {
    Arc::new(Cloud::new(accounts.get()))
}

impl crate::SandboxBuilder {
    /// The Cloud account accepted (the default: [`CloudAccount::default`]).
    pub fn cloud(self, account: CloudAccount) -> Self {
        self.account(account)
    }
}

impl crate::SandboxHandle {
    /// The Cloud account the sandbox accepts.
    pub fn cloud(&self) -> CloudAccount {
        self.account()
    }
}
