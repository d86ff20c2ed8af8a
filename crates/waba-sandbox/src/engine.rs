//! The engine every emulation shares: message store, media, templates, contacts, the
//! 24-hour window, rate limits, webhook targets and delivery, faults.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::response::Response;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::faults::{FaultBody, Faults, RequestFault, WebhookFault};

/// How long the customer-service window stays open after a customer writes.
pub const WINDOW: Duration = Duration::from_secs(24 * 3600);

/// When an accepted message reaches each state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifecycle {
    /// Delay from acceptance to `sent`.
    pub sent: Duration,
    /// Delay from `sent` to `delivered`.
    pub delivered: Duration,
    /// Delay from `delivered` to `read`.
    pub read: Duration,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self {
            sent: Duration::from_millis(20),
            delivered: Duration::from_millis(20),
            read: Duration::from_millis(20),
        }
    }
}

/// A message as the sandbox stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredMessage {
    /// The id the provider emulation gave it.
    pub id: String,
    /// Which emulation (`cloud`, …).
    pub provider: String,
    /// `outbound` (business → customer) or `inbound`.
    pub direction: String,
    /// The customer's number, digits only.
    pub customer: String,
    /// The message type (`text`, `template`, …).
    pub kind: String,
    /// The message as the provider received or sent it.
    pub body: serde_json::Value,
    /// Its current state (`accepted`, `sent`, `delivered`, `read`, `received`).
    pub status: String,
    /// The caller's reference, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_reference: Option<String>,
    /// Every state it went through, with Unix seconds.
    pub history: Vec<(String, u64)>,
}

/// A webhook an emulation wants delivered: posted as `application/json` to the provider's
/// [`WebhookTarget`], with these headers and the target's.
#[derive(Debug, Clone)]
pub struct Webhook {
    /// The body, as the provider sends it.
    pub body: Vec<u8>,
    /// Headers the provider adds (a signature, say).
    pub headers: Vec<(String, String)>,
}

/// Where a provider's webhooks go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookTarget {
    /// The URL.
    pub url: String,
    /// Extra headers sent with every webhook (Tujenge's configured headers).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
}

/// One provider's emulation: its routes, in-process, behind the shared [`Engine`] that keeps
/// the messages, the rules, the faults and the webhooks.
///
/// The sandbox's own emulations implement it, and so can a provider that lives outside this
/// workspace: [`SandboxBuilder::emulation`](crate::SandboxBuilder::emulation) mounts one
/// under `/{name}`, and every control call, fault and the conformance suite of
/// `waba-testkit` then work for it as for the built-in ones. A send route calls
/// [`Engine::check_send`] for the rules, answers a [`Refusal`] in the provider's shape, and
/// stores an accepted message with [`Engine::accept`], which starts its status webhooks.
pub trait Emulation: Send + Sync + 'static {
    /// The path prefix and name (`cloud`).
    fn name(&self) -> &'static str;
    /// Its routes, mounted under `/{name}`.
    fn router(self: Arc<Self>, engine: Arc<Engine>) -> Router;
    /// The webhook telling that `message` reached `status`.
    fn status_webhook(&self, message: &StoredMessage, status: &str) -> Option<Webhook>;
    /// The webhook carrying a customer's message.
    fn inbound_webhook(&self, message: &StoredMessage, profile_name: &str) -> Option<Webhook>;
    /// The answer to an injected fault, in the provider's own error shape.
    fn fault_response(&self, fault: RequestFault) -> Response;
    /// Its base URL, credentials and numbers, for people and tests: every string member is
    /// one of the provider's configuration keys (so `WABA_<PROVIDER>_<KEY>` variables can be
    /// made from it as they are); other facts sit in objects such as `business`.
    fn info(&self, base_url: &str) -> serde_json::Value;
    /// A new message id in the provider's style.
    fn new_id(&self, n: u64) -> String;
    /// The delivery states it sends status webhooks for, in lifecycle order (the last is
    /// as far as a message's reported state goes). By default sent, delivered and read.
    fn statuses(&self) -> &'static [&'static str] {
        &["sent", "delivered", "read"]
    }
    /// Whether `user_id` can be a customer known only by a business-scoped user id here;
    /// the error says why not. By default an emulation has no user ids.
    fn check_user_id(&self, user_id: &str) -> Result<(), String> {
        let _ = user_id;
        Err(format!("{} has no business-scoped user ids", self.name()))
    }
}

#[derive(Default)]
struct State {
    messages: Vec<StoredMessage>,
    index: HashMap<String, usize>,
    media: HashMap<String, (String, Bytes)>,
    /// Approved templates (name, language) → how many body parameters each takes (`None`:
    /// any number, for templates registered without saying).
    templates: HashMap<(String, String), Option<usize>>,
    not_on_whatsapp: HashSet<String>,
    windows: HashMap<(String, String), Instant>,
    webhooks: HashMap<String, WebhookTarget>,
    faults: Faults,
    /// API requests received, per emulation.
    requests: HashMap<String, u64>,
    rate_per_second: Option<u32>,
    buckets: HashMap<String, (f64, Instant)>,
}

/// Settings of the engine.
#[derive(Debug, Clone)]
pub(crate) struct EngineConfig {
    pub(crate) lifecycle: Option<Lifecycle>,
    pub(crate) enforce_window: bool,
}

/// The shared state and rules every [`Emulation`] answers through.
pub struct Engine {
    pub(crate) config: EngineConfig,
    state: Mutex<State>,
    rng: Mutex<fastrand::Rng>,
    counter: AtomicU64,
    http: reqwest::Client,
    pub(crate) base_url: OnceLock<String>,
    emulations: OnceLock<HashMap<&'static str, Arc<dyn Emulation>>>,
}

/// The fault drawn for one API request, with how and when it strikes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DrawnFault {
    pub(crate) fault: RequestFault,
    pub(crate) delay: Duration,
    pub(crate) after_handling: bool,
    pub(crate) body: FaultBody,
}

/// Why a send is refused by a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// Over the throughput limit of the business number.
    RateLimited,
    /// The recipient is not on WhatsApp.
    NotOnWhatsApp,
    /// A free-form message outside the 24-hour customer window.
    OutsideWindow,
    /// No approved template with that name and language.
    UnknownTemplate,
    /// A text parameter WhatsApp refuses (Meta 132018): the reason names it.
    ParameterFormat(String),
    /// Not as many body parameters as the template has (Meta 132000).
    ParameterCount {
        /// What the template takes.
        expected: usize,
        /// What the send gave.
        given: usize,
    },
}

/// A template as a send names it, read from the Meta-format `template` object every
/// emulated provider relays: name, language, and its parameters.
#[derive(Debug, Clone, Copy)]
pub struct TemplateUse<'a> {
    /// The template's name.
    pub name: &'a str,
    /// Its language code.
    pub language: &'a str,
    json: &'a serde_json::Value,
}

impl<'a> TemplateUse<'a> {
    /// Reads a Meta-format `template` object (`name`, `language.code`, `components[]` with
    /// `type` and `parameters[].text`); missing members read as empty.
    pub fn of(template: &'a serde_json::Value) -> Self {
        Self {
            name: template["name"].as_str().unwrap_or(""),
            language: template["language"]["code"].as_str().unwrap_or(""),
            json: template,
        }
    }

    fn components(&self) -> impl Iterator<Item = (&'a str, &'a serde_json::Value)> {
        self.json["components"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| (c["type"].as_str().unwrap_or(""), &c["parameters"]))
    }

    /// How many body parameters it gives.
    fn body_parameters(&self) -> usize {
        self.components()
            .filter(|(kind, _)| kind.eq_ignore_ascii_case("body"))
            .map(|(_, p)| p.as_array().map_or(0, Vec::len))
            .sum()
    }

    /// Why WhatsApp would refuse one of its text parameters: a newline, a tab, more than
    /// four consecutive spaces (132018), or a header parameter over 60 characters. Written
    /// here from Meta's error table, not borrowed from the library under test.
    fn text_fault(&self) -> Option<String> {
        for (kind, parameters) in self.components() {
            for p in parameters.as_array().into_iter().flatten() {
                let Some(text) = p["text"].as_str() else {
                    continue;
                };
                if text.contains(['\n', '\r']) {
                    return Some(format!("{kind} parameter {text:?} has a new line"));
                }
                if text.contains('\t') {
                    return Some(format!("{kind} parameter {text:?} has a tab"));
                }
                if text.contains("     ") {
                    return Some(format!(
                        "{kind} parameter {text:?} has more than 4 consecutive spaces"
                    ));
                }
                if kind.eq_ignore_ascii_case("header") && text.chars().count() > 60 {
                    return Some(format!("header parameter {text:?} is over 60 characters"));
                }
            }
        }
        None
    }
}

/// `YYYY-MM-DD`, `HH:MM:SS` of Unix seconds, UTC.
pub(crate) fn utc_parts(secs: u64) -> ((i64, u32, u32), (u64, u64, u64)) {
    let (days, rem) = (secs / 86_400, secs % 86_400);
    (
        civil_from_days(i64::try_from(days).unwrap_or(0)),
        (rem / 3600, rem % 3600 / 60, rem % 60),
    )
}

/// ISO 8601 in UTC (`2025-04-27T12:00:00Z`).
pub(crate) fn iso8601(secs: u64) -> String {
    let ((y, m, d), (hh, mm, ss)) = utc_parts(secs);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
}

/// The date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
#[allow(clippy::many_single_char_names, reason = "the algorithm's own names")]
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Engine {
    pub(crate) fn new(
        config: EngineConfig,
        rate_per_second: Option<u32>,
        seed: u64,
        faults: Faults,
        templates: &[(String, String, Option<usize>)],
    ) -> Self {
        let state = State {
            faults,
            rate_per_second,
            templates: templates
                .iter()
                .map(|(n, l, p)| ((n.clone(), l.clone()), *p))
                .collect(),
            ..State::default()
        };
        Self {
            config,
            state: Mutex::new(state),
            rng: Mutex::new(fastrand::Rng::with_seed(seed)),
            counter: AtomicU64::new(1),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
            base_url: OnceLock::new(),
            emulations: OnceLock::new(),
        }
    }

    pub(crate) fn set_emulations(&self, list: Vec<Arc<dyn Emulation>>) {
        let _ = self
            .emulations
            .set(list.into_iter().map(|e| (e.name(), e)).collect());
    }

    /// The emulation mounted under `name`: what [`accept`](Self::accept) takes.
    pub fn emulation(&self, name: &str) -> Option<Arc<dyn Emulation>> {
        self.emulations.get()?.get(name).cloned()
    }

    pub(crate) fn emulations(&self) -> Vec<Arc<dyn Emulation>> {
        let mut v: Vec<_> = self
            .emulations
            .get()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        v.sort_by_key(|e| e.name());
        v
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn next_number(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn base_url(&self) -> String {
        self.base_url.get().cloned().unwrap_or_default()
    }

    // --- faults -------------------------------------------------------------

    /// Counts one API request to `emulation` and draws its fault.
    pub(crate) fn draw_request_fault(&self, emulation: &str) -> DrawnFault {
        let mut state = self.lock();
        *state.requests.entry(emulation.to_owned()).or_default() += 1;
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        DrawnFault {
            fault: state.faults.draw_request(&mut rng),
            delay: Duration::from_millis(state.faults.delay_ms),
            after_handling: state.faults.after_handling,
            body: state.faults.error_body,
        }
    }

    /// How many API requests reached `emulation` (the control API is not counted).
    pub(crate) fn requests(&self, emulation: &str) -> u64 {
        self.lock().requests.get(emulation).copied().unwrap_or(0)
    }

    pub(crate) fn faults(&self) -> Faults {
        self.lock().faults.clone()
    }

    pub(crate) fn set_faults(&self, faults: Faults) {
        self.lock().faults = faults;
    }

    // --- rules ----------------------------------------------------------------

    /// Applies the rules for a message from `provider`'s business number to `customer`
    /// (digits): throughput, contacts, and the 24-hour window for free-form messages, or the
    /// approved templates and their parameters for `template`.
    pub fn check_send(
        &self,
        provider: &str,
        customer: &str,
        template: Option<TemplateUse<'_>>,
    ) -> Result<(), Refusal> {
        let mut state = self.lock();
        if let Some(rate) = state.rate_per_second {
            let rate = f64::from(rate.max(1));
            let now = Instant::now();
            let (tokens, last) = state
                .buckets
                .entry(provider.to_owned())
                .or_insert((rate, now));
            *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * rate).min(rate);
            *last = now;
            if *tokens < 1.0 {
                return Err(Refusal::RateLimited);
            }
            *tokens -= 1.0;
        }
        if state.not_on_whatsapp.contains(customer) {
            return Err(Refusal::NotOnWhatsApp);
        }
        match template {
            Some(t) => {
                let Some(expected) = state
                    .templates
                    .get(&(t.name.to_owned(), t.language.to_owned()))
                else {
                    return Err(Refusal::UnknownTemplate);
                };
                let given = t.body_parameters();
                if let Some(expected) = *expected
                    && expected != given
                {
                    return Err(Refusal::ParameterCount { expected, given });
                }
                if let Some(reason) = t.text_fault() {
                    return Err(Refusal::ParameterFormat(reason));
                }
            }
            None if self.config.enforce_window => {
                let open = state
                    .windows
                    .get(&(provider.to_owned(), customer.to_owned()))
                    .is_some_and(|t| t.elapsed() < WINDOW);
                if !open {
                    return Err(Refusal::OutsideWindow);
                }
            }
            None => {}
        }
        Ok(())
    }

    pub(crate) fn set_rate_limit(&self, per_second: Option<u32>) {
        let mut state = self.lock();
        state.rate_per_second = per_second;
        state.buckets.clear();
    }

    pub(crate) fn rate_limit(&self) -> Option<u32> {
        self.lock().rate_per_second
    }

    /// Approves a template taking `body_parameters` body parameters (`None`: any number).
    pub(crate) fn add_template(&self, name: &str, language: &str, body_parameters: Option<usize>) {
        self.lock()
            .templates
            .insert((name.to_owned(), language.to_owned()), body_parameters);
    }

    /// The approved templates: name, language, body parameters.
    pub(crate) fn templates(&self) -> Vec<(String, String, Option<usize>)> {
        let mut v: Vec<_> = self
            .lock()
            .templates
            .iter()
            .map(|((n, l), p)| (n.clone(), l.clone(), *p))
            .collect();
        v.sort();
        v
    }

    pub(crate) fn set_on_whatsapp(&self, digits: &str, on: bool) {
        let mut state = self.lock();
        if on {
            state.not_on_whatsapp.remove(digits);
        } else {
            state.not_on_whatsapp.insert(digits.to_owned());
        }
    }

    pub(crate) fn on_whatsapp(&self, digits: &str) -> bool {
        !self.lock().not_on_whatsapp.contains(digits)
    }

    // --- messages ---------------------------------------------------------------

    /// Stores an accepted outbound message to `customer` (digits, or a user id) of `kind`
    /// (`text`, `template`) with the `body` as the provider received it, gives it an id
    /// ([`Emulation::new_id`]) and starts its lifecycle: status webhooks on the
    /// [`Lifecycle`] schedule.
    pub fn accept(
        self: &Arc<Self>,
        emulation: &Arc<dyn Emulation>,
        customer: &str,
        kind: &str,
        body: serde_json::Value,
        client_reference: Option<String>,
    ) -> StoredMessage {
        let id = emulation.new_id(self.next_number());
        let message = StoredMessage {
            id: id.clone(),
            provider: emulation.name().to_owned(),
            direction: "outbound".to_owned(),
            customer: customer.to_owned(),
            kind: kind.to_owned(),
            body,
            status: "accepted".to_owned(),
            client_reference,
            history: vec![("accepted".to_owned(), now_secs())],
        };
        {
            let mut state = self.lock();
            let i = state.messages.len();
            state.index.insert(id.clone(), i);
            state.messages.push(message.clone());
        }
        if let Some(lifecycle) = self.config.lifecycle {
            let engine = self.clone();
            let emulation = emulation.clone();
            // Reactions only ever get `sent` (Meta's rule).
            let steps: &[&str] = if kind == "reaction" {
                &["sent"]
            } else {
                &["sent", "delivered", "read"]
            };
            tokio::spawn(async move {
                for (step, status) in steps.iter().enumerate() {
                    let delay = [lifecycle.sent, lifecycle.delivered, lifecycle.read][step];
                    tokio::time::sleep(delay).await;
                    if let Some(m) = engine.set_status(&id, status)
                        && let Some(w) = emulation.status_webhook(&m, status)
                    {
                        engine.deliver(emulation.name(), w).await;
                    }
                }
            });
        }
        message
    }

    fn set_status(&self, id: &str, status: &str) -> Option<StoredMessage> {
        let mut state = self.lock();
        let i = *state.index.get(id)?;
        let m = &mut state.messages[i];
        status.clone_into(&mut m.status);
        m.history.push((status.to_owned(), now_secs()));
        Some(m.clone())
    }

    /// A customer writes: store it, open the window, deliver the provider's webhook.
    pub(crate) async fn inbound(
        &self,
        emulation: &Arc<dyn Emulation>,
        customer: &str,
        profile_name: &str,
        text: &str,
    ) -> StoredMessage {
        let id = emulation.new_id(self.next_number());
        let message = StoredMessage {
            id: id.clone(),
            provider: emulation.name().to_owned(),
            direction: "inbound".to_owned(),
            customer: customer.to_owned(),
            kind: "text".to_owned(),
            body: serde_json::json!({ "text": { "body": text } }),
            status: "received".to_owned(),
            client_reference: None,
            history: vec![("received".to_owned(), now_secs())],
        };
        {
            let mut state = self.lock();
            state.windows.insert(
                (emulation.name().to_owned(), customer.to_owned()),
                Instant::now(),
            );
            let i = state.messages.len();
            state.index.insert(id, i);
            state.messages.push(message.clone());
        }
        if let Some(w) = emulation.inbound_webhook(&message, profile_name) {
            self.deliver(emulation.name(), w).await;
        }
        message
    }

    pub(crate) fn message(&self, id: &str) -> Option<StoredMessage> {
        let state = self.lock();
        state.index.get(id).map(|i| state.messages[*i].clone())
    }

    pub(crate) fn messages(&self, provider: Option<&str>) -> Vec<StoredMessage> {
        self.lock()
            .messages
            .iter()
            .filter(|m| provider.is_none_or(|p| m.provider == p))
            .cloned()
            .collect()
    }

    // --- media --------------------------------------------------------------------

    pub(crate) fn store_media(&self, mime: String, data: Bytes) -> String {
        let id = format!("{}", 1_000_000_000_000_000 + self.next_number() * 7919);
        self.lock().media.insert(id.clone(), (mime, data));
        id
    }

    pub(crate) fn media(&self, id: &str) -> Option<(String, Bytes)> {
        self.lock().media.get(id).cloned()
    }

    // --- webhooks -------------------------------------------------------------

    pub(crate) fn set_webhook(&self, provider: &str, target: WebhookTarget) {
        self.lock().webhooks.insert(provider.to_owned(), target);
    }

    pub(crate) fn webhook(&self, provider: &str) -> Option<WebhookTarget> {
        self.lock().webhooks.get(provider).cloned()
    }

    /// Delivers a webhook at least once: faults may drop, delay or double it; a non-2xx
    /// answer is retried with backoff, as providers do.
    pub(crate) async fn deliver(&self, provider: &str, webhook: Webhook) {
        let Some(target) = self.webhook(provider) else {
            return;
        };
        let (fault, delay) = {
            let faults = self.lock().faults.clone();
            let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
            (faults.draw_webhook(&mut rng), faults.webhook_delay_ms)
        };
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        let times = match fault {
            WebhookFault::Drop => return,
            WebhookFault::Deliver => 1,
            WebhookFault::Twice => 2,
        };
        for _ in 0..times {
            self.post_with_retries(&target, &webhook).await;
        }
    }

    async fn post_with_retries(&self, target: &WebhookTarget, webhook: &Webhook) {
        let mut backoff = Duration::from_millis(50);
        for _attempt in 0..6 {
            let mut request = self
                .http
                .post(&target.url)
                .header("content-type", "application/json");
            for (k, v) in webhook.headers.iter().chain(&target.headers) {
                request = request.header(k, v);
            }
            match request.body(webhook.body.clone()).send().await {
                Ok(r) if r.status().is_success() => return,
                Ok(r) => {
                    tracing::debug!(status = %r.status(), url = %target.url, "webhook refused; retrying");
                }
                Err(e) => {
                    tracing::debug!(error = %e, url = %target.url, "webhook failed; retrying");
                }
            }
            tokio::time::sleep(backoff).await;
            backoff *= 2;
        }
        tracing::warn!(url = %target.url, "webhook given up after 6 attempts");
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("base_url", &self.base_url())
            .finish_non_exhaustive()
    }
}
