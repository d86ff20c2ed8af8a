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

use crate::faults::{Faults, RequestFault, WebhookFault};

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

/// A webhook an emulation wants delivered.
#[derive(Debug, Clone)]
pub(crate) struct Webhook {
    pub(crate) body: Vec<u8>,
    pub(crate) headers: Vec<(String, String)>,
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

/// One provider's emulation.
pub(crate) trait Emulation: Send + Sync + 'static {
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
}

#[derive(Default)]
struct State {
    messages: Vec<StoredMessage>,
    index: HashMap<String, usize>,
    media: HashMap<String, (String, Bytes)>,
    templates: HashSet<(String, String)>,
    not_on_whatsapp: HashSet<String>,
    windows: HashMap<(String, String), Instant>,
    webhooks: HashMap<String, WebhookTarget>,
    faults: Faults,
    rate_per_second: Option<u32>,
    buckets: HashMap<String, (f64, Instant)>,
}

/// Settings of the engine.
#[derive(Debug, Clone)]
pub(crate) struct EngineConfig {
    pub(crate) lifecycle: Option<Lifecycle>,
    pub(crate) enforce_window: bool,
}

/// The shared state and rules.
pub(crate) struct Engine {
    pub(crate) config: EngineConfig,
    state: Mutex<State>,
    rng: Mutex<fastrand::Rng>,
    counter: AtomicU64,
    http: reqwest::Client,
    pub(crate) base_url: OnceLock<String>,
    emulations: OnceLock<HashMap<&'static str, Arc<dyn Emulation>>>,
}

/// Why a send is refused by a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    RateLimited,
    NotOnWhatsApp,
    OutsideWindow,
    UnknownTemplate,
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
        templates: &[(String, String)],
    ) -> Self {
        let state = State {
            faults,
            rate_per_second,
            templates: templates.iter().cloned().collect(),
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

    pub(crate) fn emulation(&self, name: &str) -> Option<Arc<dyn Emulation>> {
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

    pub(crate) fn draw_request_fault(&self) -> (RequestFault, u64) {
        let mut state = self.lock();
        let delay = state.faults.delay_ms;
        let mut rng = self.rng.lock().unwrap_or_else(PoisonError::into_inner);
        (state.faults.draw_request(&mut rng), delay)
    }

    pub(crate) fn faults(&self) -> Faults {
        self.lock().faults.clone()
    }

    pub(crate) fn set_faults(&self, faults: Faults) {
        self.lock().faults = faults;
    }

    // --- rules ----------------------------------------------------------------

    /// Applies the rules for a message from `provider`'s business number to `customer`
    /// (digits). `template` is `Some((name, language))` for template messages.
    pub(crate) fn check_send(
        &self,
        provider: &str,
        customer: &str,
        template: Option<(&str, &str)>,
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
            Some((name, language))
                if !state
                    .templates
                    .contains(&(name.to_owned(), language.to_owned())) =>
            {
                return Err(Refusal::UnknownTemplate);
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
            Some(_) | None => {}
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

    pub(crate) fn add_template(&self, name: &str, language: &str) {
        self.lock()
            .templates
            .insert((name.to_owned(), language.to_owned()));
    }

    pub(crate) fn templates(&self) -> Vec<(String, String)> {
        let mut v: Vec<_> = self.lock().templates.iter().cloned().collect();
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

    /// Stores an accepted outbound message and starts its lifecycle.
    pub(crate) fn accept(
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
