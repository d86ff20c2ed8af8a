#![doc = include_str!("../README.md")]
// docs.rs builds with `--cfg docsrs` (see Cargo.toml): items behind a feature get a badge.
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # Overview
//!
//! A local simulator of WhatsApp Business providers' HTTP APIs, on loopback: the demo, the
//! tests, the benchmarks and your own integration tests run against it with no account,
//! no credentials and no network.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let sandbox = waba_sandbox::Sandbox::builder().start().await?;
//! println!("Cloud API at {}", sandbox.url("cloud"));
//! let account = sandbox.cloud();
//! println!("token {}, phone-number id {}", account.access_token, account.phone_number_id);
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # Emulations
//! Each provider's emulation lives under its own path prefix, behind one shared engine:
//!
//! | prefix | provider | routes |
//! |---|---|---|
//! | `/cloud` | Meta Cloud API | `POST /{version}/{phone-number-id}/messages` (send, mark read, typing), `POST /{version}/{phone-number-id}/media` (multipart), `GET /{version}/{media-id}` (download URL), `GET /_media/{id}`, `GET /{version}/{waba-id}/message_templates` |
//! | `/onprem` | Meta on-prem client | `POST /v1/users/login` (Basic → token with `expires_after`), `POST /v1/users/logout` (revokes), `POST /v1/messages`, `PUT /v1/messages/{id}`, `POST /v1/media` (raw body), `GET /v1/media/{id}`, `POST /v1/contacts`, `GET /v1/health` (API key) |
//! | `/enablex` | EnableX | `POST /token` (app id and key → token with a Unix `expiry`), `POST /messages` (Basic APP ID : APP KEY, or the token until it expires), `GET`/`POST /templates`; flat webhooks with `business_phone`; Meta's codes in failed-status answers |
//! | `/generic-v2` | the generic "v2" API | `POST /send-message`, `POST /send-media` (HTTPS links), `POST /messages` (templates), `GET /message-status?message_id=`; Cloud-format webhooks signed with its app secret |
//! | `/mobile-gateway` | Mobile Gateway WAB REST | `POST /messages` (202), `POST /messages/broadcast`, `POST /media?source=` (multipart), `GET /media?media_id=`, `GET /messages?id=` (records with JSON-in-a-string content); DLR callbacks (`sent`, `received`) and MO callbacks; errors as `{error, message, statusCode}` with Meta's code in the text, or 422 `errors[]` |
//! | `/tujenge` | Tujenge (on-prem behind a proxy) | the on-prem routes with `WA-API-KEY`, `POST`/`GET /v1/configs/webhook` (URL and custom headers sent with every webhook); every other path answered 403 as blocked |
//!
//! A provider whose adapter lives elsewhere brings its own [`Emulation`] and mounts it with
//! [`SandboxBuilder::emulation`]: it answers its routes through the shared [`Engine`]
//! ([`Engine::check_send`], [`Engine::accept`]), so the rules, faults, lifecycle, webhooks
//! and control API below apply to it too (`examples/provider-acme` in the repository).
//!
//! # Rules enforced, with the provider's own error shape and code
//! - Bad credentials: 401 (Cloud code 190; on-prem `errors[]` code 1005; Tujenge's own
//!   `meta` body). On-prem tokens expire after `token_lifetime_secs` and die at logout.
//! - Unknown template (name and language): Cloud 132001 (HTTP 404); on-prem and Tujenge 2001,
//!   also for a missing or wrong `namespace`.
//! - Template parameters: a number of body parameters other than the template's: Meta 132000;
//!   a text parameter with a newline, a tab or more than four consecutive spaces, or a header
//!   parameter over 60 characters: Meta 132018 (HTTP 400 in each provider's shape; on-prem
//!   and Tujenge 1009, "parameter value is not valid").
//! - A free-form message to a customer who has not written in 24 hours: Cloud 131047;
//!   on-prem and Tujenge 470.
//!   A customer "writes" through the control API ([`SandboxHandle::inject_inbound`]),
//!   which opens the window. Turn the rule off with [`SandboxBuilder::enforce_window`].
//! - A recipient not on WhatsApp ([`SandboxHandle::set_on_whatsapp`]): Cloud 131026;
//!   on-prem 1006 (unknown contact), and `invalid` in the contacts check.
//! - On-prem latitude outside −90..90: 1009.
//! - Throughput: a token bucket per business number, 80 messages a second by default;
//!   over it, HTTP 429 with Cloud code 130429.
//! - Text over 4,096 characters, captions over 1,024: HTTP 400, Cloud code 100, on-prem 1009.
//! - Malformed JSON and missing required fields: HTTP 400, Cloud code 100.
//!
//! # Message lifecycle
//! An accepted message moves `sent → delivered → read` on the [`Lifecycle`] schedule (20 ms
//! a step by default; reactions only get `sent`), and each step sends the provider's own
//! status webhook to the registered target: the Cloud envelope signed with
//! `X-Hub-Signature-256`, or the on-prem flat format (with Tujenge's configured headers). Webhooks are delivered at least once: a non-2xx answer is retried with
//! backoff (six attempts).
//!
//! # Faults ([`Faults`], via the builder or `PUT /_sandbox/faults`)
//! A share (or the next *n*) of API requests answered 500/503, answered 429 with
//! `Retry-After`, delayed, or reset (the connection closed after the request was read);
//! webhooks dropped, delayed, or delivered twice. Draws come from a seeded generator.
//!
//! # Control API (JSON over HTTP under `/_sandbox/`)
//! | method and path | does |
//! |---|---|
//! | `GET /_sandbox/info` | base URLs and the credentials each emulation accepts |
//! | `GET /_sandbox/messages[?provider=cloud]` | every stored message, with its status history |
//! | `GET /_sandbox/messages/{id}` | one message |
//! | `POST /_sandbox/inbound` `{"provider","from","text","name"?}` | a customer writes: stores it, opens the window, sends the inbound webhook |
//! | `GET`/`PUT /_sandbox/faults` | read or replace the [`Faults`] |
//! | `GET`/`POST /_sandbox/templates` `{"name","language","body_parameters"?}` | list or register approved templates (without `body_parameters`, any number) |
//! | `POST /_sandbox/contacts` `{"number","on_whatsapp"}` | mark a number as (not) on WhatsApp |
//! | `GET`/`PUT /_sandbox/webhooks/{provider}` `{"url","headers"?}` | where that provider's webhooks go |

mod control;
mod emulation;
mod engine;
mod faults;
mod server;

use std::net::SocketAddr;
use std::sync::Arc;

pub use emulation::Account;
pub use emulation::accounts::*;
pub use engine::{
    Emulation, Engine, Lifecycle, Refusal, StoredMessage, TemplateUse, WINDOW, Webhook,
    WebhookTarget,
};
pub use faults::{FaultBody, Faults, RequestFault};
use tokio::sync::oneshot;
use waba_types::{PhoneNumber, UserId};

use crate::emulation::{Accounts, EMULATIONS};
use crate::engine::EngineConfig;

/// The default throughput limit per business number, messages a second (Meta's Cloud API
/// default tier).
pub const DEFAULT_RATE: u32 = 80;

/// Templates approved from the start: name, language, and how many body parameters each
/// takes (a send with another number is refused, as Meta does with 132000).
pub const DEFAULT_TEMPLATES: &[(&str, &str, usize)] = &[
    ("hello_world", "en_US", 0),
    ("order_update", "en_US", 1),
    ("order_update", "en", 1),
    ("payment_reminder", "en", 2),
];

/// Entry point: [`Sandbox::builder`].
#[derive(Debug)]
pub struct Sandbox;

impl Sandbox {
    /// A sandbox with the defaults: a free port on 127.0.0.1, rules on, lifecycle on, no faults.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder {
            port: 0,
            rate: Some(DEFAULT_RATE),
            lifecycle: Some(Lifecycle::default()),
            enforce_window: true,
            faults: Faults::default(),
            seed: 0x5eed,
            templates: DEFAULT_TEMPLATES
                .iter()
                .map(|(n, l, p)| ((*n).to_owned(), (*l).to_owned(), Some(*p)))
                .collect(),
            accounts: Accounts::default(),
            webhooks: Vec::new(),
            not_on_whatsapp: Vec::new(),
            extra: Extra(Vec::new()),
        }
    }
}

/// Emulations added with [`SandboxBuilder::emulation`]; `Debug` shows their names.
struct Extra(Vec<Arc<dyn Emulation>>);

impl std::fmt::Debug for Extra {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|e| e.name()))
            .finish()
    }
}

/// Configures a sandbox; every setting has a default.
#[derive(Debug)]
#[must_use]
pub struct SandboxBuilder {
    port: u16,
    rate: Option<u32>,
    lifecycle: Option<Lifecycle>,
    enforce_window: bool,
    faults: Faults,
    seed: u64,
    templates: Vec<(String, String, Option<usize>)>,
    accounts: Accounts,
    webhooks: Vec<(String, WebhookTarget)>,
    not_on_whatsapp: Vec<String>,
    extra: Extra,
}

impl SandboxBuilder {
    /// Mounts one more emulation under `/{name}`, for a provider whose emulation lives
    /// outside this crate; one with the name of a built-in emulation replaces it.
    pub fn emulation(mut self, emulation: Arc<dyn Emulation>) -> Self {
        self.extra.0.push(emulation);
        self
    }

    /// The port on 127.0.0.1; 0 (the default) picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The throughput limit per business number; `None` turns it off (benchmarks).
    pub fn rate_limit(mut self, per_second: Option<u32>) -> Self {
        self.rate = per_second;
        self
    }

    /// The lifecycle schedule; `None` leaves messages `accepted` and sends no status webhook.
    pub fn lifecycle(mut self, lifecycle: Option<Lifecycle>) -> Self {
        self.lifecycle = lifecycle;
        self
    }

    /// Whether free-form messages need an open 24-hour window (default on).
    pub fn enforce_window(mut self, yes: bool) -> Self {
        self.enforce_window = yes;
        self
    }

    /// Faults from the start.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// The seed of fault draws.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Approves one more template, taking any number of body parameters.
    pub fn template(mut self, name: &str, language: &str) -> Self {
        self.templates
            .push((name.to_owned(), language.to_owned(), None));
        self
    }

    /// Approves one more template taking exactly `body_parameters` body parameters.
    pub fn template_with_parameters(
        mut self,
        name: &str,
        language: &str,
        body_parameters: usize,
    ) -> Self {
        self.templates
            .push((name.to_owned(), language.to_owned(), Some(body_parameters)));
        self
    }

    /// The account an emulation accepts: every emulation has its own account type
    /// (exported by this crate, each implementing [`Account`]); an emulation whose account
    /// is not set accepts its type's default.
    pub fn account<A: Account>(mut self, account: A) -> Self {
        self.accounts.set(account);
        self
    }

    /// Sends `provider`'s webhooks to `url`.
    pub fn webhook(mut self, provider: &str, url: impl Into<String>) -> Self {
        self.webhooks.push((
            provider.to_owned(),
            WebhookTarget {
                url: url.into(),
                headers: Vec::new(),
            },
        ));
        self
    }

    /// Marks a number as not on WhatsApp.
    pub fn not_on_whatsapp(mut self, number: &PhoneNumber) -> Self {
        self.not_on_whatsapp.push(number.digits().to_owned());
        self
    }

    /// Binds and starts serving.
    pub async fn start(self) -> std::io::Result<SandboxHandle> {
        let config = EngineConfig {
            lifecycle: self.lifecycle,
            enforce_window: self.enforce_window,
        };
        let engine = Arc::new(Engine::new(
            config,
            self.rate,
            self.seed,
            self.faults,
            &self.templates,
        ));
        let mut emulations: Vec<Arc<dyn Emulation>> = EMULATIONS
            .iter()
            .map(|build| build(&self.accounts))
            .collect();
        // Added ones replace a built-in of the same name.
        emulations.retain(|e| !self.extra.0.iter().any(|x| x.name() == e.name()));
        emulations.extend(self.extra.0.iter().cloned());
        engine.set_emulations(emulations.clone());
        for (provider, target) in self.webhooks {
            engine.set_webhook(&provider, target);
        }
        for n in &self.not_on_whatsapp {
            engine.set_on_whatsapp(n, false);
        }
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], self.port))).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let _ = engine.base_url.set(base_url.clone());
        let mut router = axum::Router::new().nest("/_sandbox", control::router(engine.clone()));
        for e in emulations {
            let name = e.name();
            router = router.nest(&format!("/{name}"), e.router(engine.clone()));
        }
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(server::serve(listener, router, engine.clone(), stopped));
        Ok(SandboxHandle {
            base_url,
            addr,
            engine,
            accounts: self.accounts,
            stop: Some(stop),
            task,
        })
    }
}

/// A running sandbox. Dropping it stops the server.
#[derive(Debug)]
pub struct SandboxHandle {
    base_url: String,
    addr: SocketAddr,
    engine: Arc<Engine>,
    accounts: Accounts,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

/// Why a control call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxError(pub String);

impl std::fmt::Display for SandboxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SandboxError {}

impl SandboxHandle {
    /// `http://127.0.0.1:{port}`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL of a provider's emulation (`cloud` → `http://127.0.0.1:{port}/cloud`).
    pub fn url(&self, provider: &str) -> String {
        format!("{}/{provider}", self.base_url)
    }

    /// The account of type `A` the sandbox accepts (see [`SandboxBuilder::account`]).
    pub fn account<A: Account>(&self) -> A {
        self.accounts.get()
    }

    /// Base URLs and credentials of every emulation, as `GET /_sandbox/info` gives them.
    pub fn info(&self) -> serde_json::Value {
        control::info_value(&self.engine)
    }

    /// What a foreground sandbox prints at start: [`Self::info`] as pretty JSON, then
    /// where the control API is.
    pub fn banner(&self) -> String {
        format!(
            "{}\ncontrol API: {}/_sandbox (Ctrl-C to stop)",
            serde_json::to_string_pretty(&self.info()).unwrap_or_default(),
            self.base_url
        )
    }

    /// The names of the emulated providers.
    pub fn providers(&self) -> Vec<&'static str> {
        self.engine.emulations().iter().map(|e| e.name()).collect()
    }

    /// Every stored message, in order.
    pub fn messages(&self) -> Vec<StoredMessage> {
        self.engine.messages(None)
    }

    /// One provider's stored messages.
    pub fn messages_of(&self, provider: &str) -> Vec<StoredMessage> {
        self.engine.messages(Some(provider))
    }

    /// One stored message.
    pub fn message(&self, id: &str) -> Option<StoredMessage> {
        self.engine.message(id)
    }

    /// A customer writes to `provider`'s business number: the message is stored, the
    /// 24-hour window opens, and the inbound webhook goes out.
    pub async fn inject_inbound(
        &self,
        provider: &str,
        from: &PhoneNumber,
        text: &str,
    ) -> Result<StoredMessage, SandboxError> {
        let emulation = self
            .engine
            .emulation(provider)
            .ok_or_else(|| SandboxError(format!("no provider {provider}")))?;
        Ok(self
            .engine
            .inbound(&emulation, from.digits(), "Sandbox Customer", text)
            .await)
    }

    /// Whether `provider`'s emulation has customers known only by a business-scoped user id
    /// (as [`inject_inbound_from_user`](Self::inject_inbound_from_user) needs); the error
    /// says why not.
    pub fn check_user_id(&self, provider: &str, user_id: &UserId) -> Result<(), SandboxError> {
        self.engine
            .emulation(provider)
            .ok_or_else(|| SandboxError(format!("no provider {provider}")))?
            .check_user_id(user_id.as_str())
            .map_err(SandboxError)
    }

    /// Makes a customer known only by a business-scoped user id (a username, no phone
    /// number) send `text` to the business, as [`inject_inbound`](Self::inject_inbound) does
    /// for a phone number. Only the Cloud emulation has user ids: its webhooks carry an
    /// empty `from`, `from_user_id` and `contacts[].user_id`/`profile.username`, and the
    /// customer can be answered with `recipient` in place of `to`.
    pub async fn inject_inbound_from_user(
        &self,
        provider: &str,
        user_id: &UserId,
        text: &str,
    ) -> Result<StoredMessage, SandboxError> {
        let emulation = self
            .engine
            .emulation(provider)
            .ok_or_else(|| SandboxError(format!("no provider {provider}")))?;
        emulation
            .check_user_id(user_id.as_str())
            .map_err(SandboxError)?;
        Ok(self
            .engine
            .inbound(&emulation, user_id.as_str(), "Sandbox Customer", text)
            .await)
    }

    /// The current faults.
    pub fn faults(&self) -> Faults {
        self.engine.faults()
    }

    /// Replaces the faults.
    pub fn set_faults(&self, faults: Faults) {
        self.engine.set_faults(faults);
    }

    /// How many API requests reached `emulation` (`cloud`) since the start, token and login
    /// calls included, the control API not.
    pub fn requests_of(&self, emulation: &str) -> u64 {
        self.engine.requests(emulation)
    }

    /// Changes the throughput limit per business number (`None`: off).
    pub fn set_rate_limit(&self, per_second: Option<u32>) {
        self.engine.set_rate_limit(per_second);
    }

    /// The throughput limit per business number.
    pub fn rate_limit(&self) -> Option<u32> {
        self.engine.rate_limit()
    }

    /// Approves a template, taking any number of body parameters.
    pub fn add_template(&self, name: &str, language: &str) {
        self.engine.add_template(name, language, None);
    }

    /// Approves a template taking exactly `body_parameters` body parameters; a send with
    /// another number is refused (Meta's 132000, in each provider's shape).
    pub fn add_template_with_parameters(&self, name: &str, language: &str, body_parameters: usize) {
        self.engine
            .add_template(name, language, Some(body_parameters));
    }

    /// Marks a number as (not) on WhatsApp.
    pub fn set_on_whatsapp(&self, number: &PhoneNumber, on: bool) {
        self.engine.set_on_whatsapp(number.digits(), on);
    }

    /// Whether a number is on WhatsApp here.
    pub fn is_on_whatsapp(&self, number: &PhoneNumber) -> bool {
        self.engine.on_whatsapp(number.digits())
    }

    /// Sends `provider`'s webhooks to `url` with extra `headers`.
    pub fn set_webhook(
        &self,
        provider: &str,
        url: impl Into<String>,
        headers: Vec<(String, String)>,
    ) -> Result<(), SandboxError> {
        if self.engine.emulation(provider).is_none() {
            return Err(SandboxError(format!("no provider {provider}")));
        }
        self.engine.set_webhook(
            provider,
            WebhookTarget {
                url: url.into(),
                headers,
            },
        );
        Ok(())
    }

    /// Stops the server.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
