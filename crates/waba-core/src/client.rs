//! [`Client`]: the handle applications send through, over any provider.

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use futures_util::StreamExt;
use tracing::Instrument;
use waba_types::{Content, MediaId, MessageId, OutboundMessage, PhoneNumber, Template};

use crate::error::{Error, ErrorKind};
use crate::provider::{
    BroadcastOutcome, Capabilities, ContactCheck, MediaDownload, MediaUpload, MessageRecord,
    Provider, ProviderId, SendReceipt, SharedProvider, TemplateInfo, WebhookSettings,
};
use crate::rate_limit::{RateLimitStore, RateLimiter};
use crate::retry::RetryPolicy;
use crate::window::{WindowStore, now_secs};

/// The default rate limit per sending number, messages a second (seed generic-v2's 50 msg/s).
pub const DEFAULT_RATE_PER_SECOND: u32 = 50;
/// The default number of sends a fan-out broadcast keeps in flight.
pub const DEFAULT_BROADCAST_CONCURRENCY: usize = 16;

/// Sends through any provider, adding what every application needs once:
/// - validation before anything leaves the process ([`OutboundMessage::validate`]) and a
///   check against the provider's [`Capabilities`];
/// - retries of retryable failures with backoff that honours `Retry-After`, never repeating
///   a send that may have been delivered unless the policy allows it;
/// - a rate limit per sending number that adapts to the provider's: a throttle lowers the
///   rate and is waited out and retried without spending an attempt ([`RateLimiter`]);
/// - broadcasts that return exactly one outcome per recipient.
///
/// `Client` is itself a [`Provider`], so [`crate::ProviderExt`] works on it, and it can be
/// handed to anything that takes a provider. Cloning is cheap.
///
/// ```
/// # async fn demo(provider: waba_core::SharedProvider) -> Result<(), waba_core::Error> {
/// use waba_core::{Client, ProviderExt};
/// let client = Client::new(provider);
/// let receipt = client.send_text("+16315551002".parse().unwrap(), "Hello").await?;
/// println!("sent as {}", receipt.id);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    provider: SharedProvider,
    capabilities: Capabilities,
    retry: RetryPolicy,
    limiter: Option<Arc<dyn RateLimitStore>>,
    /// The same limiter when it is the in-memory one (for its stats).
    memory_limiter: Option<Arc<RateLimiter>>,
    concurrency: usize,
    validate: bool,
    window: Option<Arc<dyn WindowStore>>,
    fallback: Option<Template>,
}

/// Builds a [`Client`]; every setting has a documented default.
#[derive(Debug)]
#[must_use]
pub struct ClientBuilder {
    provider: SharedProvider,
    retry: RetryPolicy,
    rate: Option<(u32, u32)>,
    store: Option<Arc<dyn RateLimitStore>>,
    concurrency: usize,
    validate: bool,
    window: Option<Arc<dyn WindowStore>>,
    fallback: Option<Template>,
}

impl ClientBuilder {
    /// The retry policy. Default: [`RetryPolicy::default`].
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The rate limit per sending number, messages a second, with bursts of as many.
    /// Default [`DEFAULT_RATE_PER_SECOND`].
    pub fn rate_limit(mut self, per_second: u32) -> Self {
        self.rate = Some((per_second, per_second));
        self
    }

    /// The rate limit with an explicit burst size.
    pub fn rate_limit_with_burst(mut self, per_second: u32, burst: u32) -> Self {
        self.rate = Some((per_second, burst));
        self
    }

    /// No rate limit (the provider's own throttling still applies).
    pub fn no_rate_limit(mut self) -> Self {
        self.rate = None;
        self.store = None;
        self
    }

    /// Keeps the rate limit in `store` instead of this process: a shared store (Redis) gives
    /// replicas sending from the same numbers the rate between them. Its rate replaces
    /// [`rate_limit`](Self::rate_limit). When the store cannot answer, sends fail with a
    /// retryable error and nothing is sent.
    pub fn rate_limit_store(mut self, store: Arc<dyn RateLimitStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Sends a fan-out broadcast keeps in flight. Default [`DEFAULT_BROADCAST_CONCURRENCY`].
    pub fn broadcast_concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Whether to validate messages before sending. Default on; turn off only when the
    /// messages were validated already.
    pub fn validate(mut self, yes: bool) -> Self {
        self.validate = yes;
        self
    }

    /// Checks the 24-hour window before free-form sends: to a customer whose window is
    /// closed, they fail locally with [`ErrorKind::OutsideCustomerWindow`] (no request), or
    /// go as the fallback template when one is set. Any [`WindowStore`]: the in-process
    /// [`crate::CustomerWindow`], or a shared one so that replicas see each other's
    /// windows; when the store cannot answer, the send fails with a retryable error and
    /// nothing is sent.
    pub fn customer_window(mut self, window: Arc<dyn WindowStore>) -> Self {
        self.window = Some(window);
        self
    }

    /// The template sent instead of a free-form message when the window is closed.
    pub fn fallback_template(mut self, template: Template) -> Self {
        self.fallback = Some(template);
        self
    }

    /// The client.
    pub fn build(self) -> Client {
        let mut capabilities = self.provider.capabilities().clone();
        // The client fans out itself where the provider cannot.
        capabilities.broadcast = true;
        let memory = match (&self.store, self.rate) {
            (None, Some((r, b))) => Some(Arc::new(RateLimiter::new(r, b))),
            _ => None,
        };
        Client {
            inner: Arc::new(Inner {
                capabilities,
                limiter: self
                    .store
                    .or_else(|| memory.clone().map(|m| m as Arc<dyn RateLimitStore>)),
                memory_limiter: memory,
                provider: self.provider,
                retry: self.retry,
                concurrency: self.concurrency,
                validate: self.validate,
                window: self.window,
                fallback: self.fallback,
            }),
        }
    }
}

impl Client {
    /// A client with the default policy over `provider`.
    pub fn new(provider: impl Into<SharedProvider>) -> Self {
        Self::builder(provider).build()
    }

    /// A builder.
    pub fn builder(provider: impl Into<SharedProvider>) -> ClientBuilder {
        ClientBuilder {
            provider: provider.into(),
            retry: RetryPolicy::default(),
            rate: Some((DEFAULT_RATE_PER_SECOND, DEFAULT_RATE_PER_SECOND)),
            store: None,
            concurrency: DEFAULT_BROADCAST_CONCURRENCY,
            validate: true,
            window: None,
            fallback: None,
        }
    }

    /// The provider it sends through.
    pub fn provider(&self) -> &SharedProvider {
        &self.inner.provider
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The rate limiter sends go through, when there is one; its
    /// [`stats`](RateLimiter::stats) show how it adapted to the provider.
    pub fn rate_limiter(&self) -> Option<&RateLimiter> {
        self.inner.memory_limiter.as_deref()
    }

    /// Validates, rate-limits and sends one message, retrying by the policy.
    pub async fn send(&self, message: &OutboundMessage) -> Result<SendReceipt, Error> {
        let span = tracing::info_span!(
            "waba.send",
            provider = %self.inner.provider.id(),
            to = %message.to.masked(),
            kind = %message.content.kind(),
        );
        async move {
            self.check(message)?;
            let fallback;
            let message = match self.window_check(message).await? {
                Some(template) => {
                    fallback = template;
                    &fallback
                }
                None => message,
            };
            let key = message.from.as_ref().map_or("", PhoneNumber::as_str);
            let result = self
                .with_retry(false, Some((key, 1)), || self.inner.provider.send(message))
                .await;
            // The provider knows better than our tracker: remember that the window is closed.
            if let (Err(e), Some(window), Some(key)) =
                (&result, &self.inner.window, message.to.customer_key())
                && e.kind() == &ErrorKind::OutsideCustomerWindow
                && let Err(store) = window.close(&key).await
            {
                tracing::warn!(error = %store, "the window store could not record a closed window");
            }
            result
        }
        .instrument(span)
        .await
    }

    /// Sends `content` to every recipient and returns exactly one outcome per recipient, in
    /// order. Uses the provider's own fan-out where it has one, else sends with bounded
    /// concurrency. Nothing is dropped: an error for one recipient is that recipient's
    /// outcome.
    pub async fn broadcast(&self, to: &[PhoneNumber], content: &Content) -> Vec<BroadcastOutcome> {
        let probe = to
            .first()
            .map(|p| OutboundMessage::new(p.clone(), content.clone()));
        if let Some(Err(e)) = probe.as_ref().map(|m| self.check(m)) {
            return to
                .iter()
                .map(|p| BroadcastOutcome {
                    to: p.clone(),
                    result: Err(e.replicate()),
                })
                .collect();
        }
        if self.inner.provider.capabilities().broadcast {
            match self.native_broadcast(to, content).await {
                Ok(outcomes) => return outcomes,
                Err(e) => {
                    return to
                        .iter()
                        .map(|p| BroadcastOutcome {
                            to: p.clone(),
                            result: Err(e.replicate()),
                        })
                        .collect();
                }
            }
        }
        // Unordered, then put back in order: a send waiting out a throttle or a backoff must
        // not hold back the others, as it would at the head of an ordered buffer.
        let mut outcomes: Vec<(usize, BroadcastOutcome)> =
            futures_util::stream::iter(to.iter().cloned().enumerate())
                .map(|(n, recipient)| async move {
                    let message = OutboundMessage::new(recipient.clone(), content.clone());
                    let result = self.send_unchecked(&message).await;
                    (
                        n,
                        BroadcastOutcome {
                            to: recipient,
                            result,
                        },
                    )
                })
                .buffer_unordered(self.inner.concurrency)
                .collect()
                .await;
        outcomes.sort_unstable_by_key(|(n, _)| *n);
        outcomes.into_iter().map(|(_, o)| o).collect()
    }

    /// `Some(template message)` when the window is closed and a fallback is set; an error
    /// when it is closed without one; `None` when the message may go as it is.
    async fn window_check(
        &self,
        message: &OutboundMessage,
    ) -> Result<Option<OutboundMessage>, Error> {
        // Groups have no window: only customers (by phone number or user id) do.
        let (Some(window), Some(key)) = (&self.inner.window, message.to.customer_key()) else {
            return Ok(None);
        };
        let to = &message.to;
        if message.content.is_template() || window.is_open_at(&key, now_secs()).await? {
            return Ok(None);
        }
        match &self.inner.fallback {
            Some(t) => {
                tracing::debug!(to = %to.masked(), template = %t.name, "window closed: sending the fallback template");
                Ok(Some(OutboundMessage {
                    content: Content::Template(t.clone()),
                    ..message.clone()
                }))
            }
            None => Err(Error::new(ErrorKind::OutsideCustomerWindow)
                .with_provider(self.inner.provider.id())
                .with_message(format!(
                    "{} has not written in the last 24 hours; nothing was sent",
                    to.masked()
                ))),
        }
    }

    async fn send_unchecked(&self, message: &OutboundMessage) -> Result<SendReceipt, Error> {
        self.with_retry(false, Some(("", 1)), || self.inner.provider.send(message))
            .await
    }

    async fn native_broadcast(
        &self,
        to: &[PhoneNumber],
        content: &Content,
    ) -> Result<Vec<BroadcastOutcome>, Error> {
        let n = u32::try_from(to.len()).unwrap_or(u32::MAX);
        let outcomes = self
            .with_retry(false, Some(("", n)), || {
                self.inner.provider.broadcast(to, content)
            })
            .await?;
        Ok(reconcile(to, outcomes, &self.inner.provider.id()))
    }

    /// Local checks: validation and capabilities. No network.
    fn check(&self, message: &OutboundMessage) -> Result<(), Error> {
        let id = self.inner.provider.id();
        if self.inner.validate {
            message
                .validate()
                .map_err(|e| Error::from(e).with_provider(id.clone()))?;
        }
        self.inner
            .provider
            .capabilities()
            .admits(message)
            .map_err(|e| e.with_provider(id))
    }

    /// Runs `op` until it succeeds, fails for good, or the policy says stop.
    ///
    /// With `limit = Some((key, n))` and a rate limiter, each attempt first takes leave for `n`
    /// messages from the sending number `key`, and hands the answer back so the rate adapts.
    /// A throttle (the provider's rate-limit answer) spends no attempt: nothing was sent, so
    /// the operation waits (the `Retry-After`, the limiter's lowered rate, and a backoff when
    /// the same operation is throttled again) and goes again, for at most the policy's
    /// `max_throttle_wait`.
    async fn with_retry<T, F, Fut>(
        &self,
        idempotent: bool,
        limit: Option<(&str, u32)>,
        mut op: F,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let policy = &self.inner.retry;
        let limiter = self.inner.limiter.as_ref().filter(|_| limit.is_some());
        let mut attempt = 1;
        let mut throttles = 0;
        let mut first_throttle = None;
        loop {
            let permit = match (limiter, limit) {
                (Some(l), Some((key, n))) => Some(l.acquire_n(key, n).await?),
                _ => None,
            };
            let e = match op().await {
                Ok(v) => {
                    if let (Some(l), Some(p)) = (limiter, &permit) {
                        l.on_success(p).await;
                    }
                    return Ok(v);
                }
                Err(e) => e,
            };
            if let ErrorKind::RateLimited { retry_after } = e.kind()
                && !e.maybe_delivered()
            {
                let since = *first_throttle.get_or_insert_with(tokio::time::Instant::now);
                if retry_after.is_some_and(|after| after > policy.max_retry_after)
                    || since.elapsed() >= policy.max_throttle_wait
                {
                    return Err(e);
                }
                throttles += 1;
                let wait = if let (Some(l), Some(p)) = (limiter, &permit) {
                    // The limiter holds the key for the `Retry-After` and paces it at the
                    // lowered rate; a send throttled again also backs off on its own (a
                    // limit on one recipient, not the number, would keep throttling it).
                    l.on_throttled(p, *retry_after).await;
                    (throttles > 1).then(|| policy.backoff(throttles - 1))
                } else {
                    Some(retry_after.unwrap_or_else(|| policy.backoff(throttles)))
                };
                tracing::debug!(throttles, ?wait, error = %e, "throttled; sending again");
                if let Some(wait) = wait {
                    tokio::time::sleep(wait).await;
                }
                continue;
            }
            match policy.next_delay(&e, attempt, idempotent) {
                Some(delay) => {
                    tracing::debug!(attempt, ?delay, error = %e, "retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                None => return Err(e),
            }
        }
    }
}

/// Puts a provider's broadcast outcomes in the order of `to`, one each. A recipient the
/// provider left out gets an error saying so; it may have been sent, so it is marked
/// maybe-delivered.
fn reconcile(
    to: &[PhoneNumber],
    outcomes: Vec<BroadcastOutcome>,
    provider: &ProviderId,
) -> Vec<BroadcastOutcome> {
    if outcomes.len() == to.len() && outcomes.iter().zip(to).all(|(o, t)| &o.to == t) {
        return outcomes;
    }
    let mut pool: Vec<Option<BroadcastOutcome>> = outcomes.into_iter().map(Some).collect();
    to.iter()
        .map(|recipient| {
            let found = pool
                .iter_mut()
                .find(|o| o.as_ref().is_some_and(|o| &o.to == recipient))
                .and_then(Option::take);
            found.unwrap_or_else(|| BroadcastOutcome {
                to: recipient.clone(),
                result: Err(Error::decode(
                    "the provider's broadcast response has no outcome for this recipient",
                )
                .with_provider(provider.clone())),
            })
        })
        .collect()
}

#[async_trait]
impl Provider for Client {
    fn id(&self) -> ProviderId {
        self.inner.provider.id()
    }

    fn capabilities(&self) -> &Capabilities {
        &self.inner.capabilities
    }

    async fn send(&self, message: &OutboundMessage) -> Result<SendReceipt, Error> {
        Client::send(self, message).await
    }

    async fn broadcast(
        &self,
        to: &[PhoneNumber],
        content: &Content,
    ) -> Result<Vec<BroadcastOutcome>, Error> {
        Ok(Client::broadcast(self, to, content).await)
    }

    async fn upload_media(&self, upload: MediaUpload) -> Result<MediaId, Error> {
        upload.validate().map_err(|e| {
            Error::new(ErrorKind::InvalidRequest {
                field: Some(e.field.clone()),
            })
            .with_message(e.to_string())
            .with_provider(self.id())
        })?;
        // An upload that may have gone through only leaves an unused file behind: safe to repeat.
        self.with_retry(true, None, || {
            self.inner.provider.upload_media(upload.clone())
        })
        .await
    }

    async fn download_media(&self, id: &MediaId) -> Result<MediaDownload, Error> {
        self.with_retry(true, None, || self.inner.provider.download_media(id))
            .await
    }

    async fn mark_read(&self, id: &MessageId) -> Result<(), Error> {
        self.with_retry(true, None, || self.inner.provider.mark_read(id))
            .await
    }

    async fn typing_indicator(&self, id: &MessageId) -> Result<(), Error> {
        self.with_retry(true, None, || self.inner.provider.typing_indicator(id))
            .await
    }

    async fn message(&self, id: &MessageId) -> Result<MessageRecord, Error> {
        self.with_retry(true, None, || self.inner.provider.message(id))
            .await
    }

    async fn check_contacts(&self, numbers: &[PhoneNumber]) -> Result<Vec<ContactCheck>, Error> {
        self.with_retry(true, None, || self.inner.provider.check_contacts(numbers))
            .await
    }

    async fn list_templates(&self) -> Result<Vec<TemplateInfo>, Error> {
        self.with_retry(true, None, || self.inner.provider.list_templates())
            .await
    }

    async fn create_template(
        &self,
        definition: &serde_json::Value,
    ) -> Result<serde_json::Value, Error> {
        // Submitted twice, a template is refused as a duplicate at best: not retried once
        // it may have arrived.
        self.with_retry(false, None, || {
            self.inner.provider.create_template(definition)
        })
        .await
    }

    async fn send_raw(
        &self,
        to: &PhoneNumber,
        kind: &str,
        object: &serde_json::Value,
    ) -> Result<SendReceipt, Error> {
        // A send: rate-limited on the configured number, never repeated once it may have
        // gone out.
        self.with_retry(false, Some(("", 1)), || {
            self.inner.provider.send_raw(to, kind, object)
        })
        .await
    }

    async fn health(&self) -> Result<serde_json::Value, Error> {
        self.with_retry(true, None, || self.inner.provider.health())
            .await
    }

    async fn set_webhook(&self, settings: &WebhookSettings) -> Result<WebhookSettings, Error> {
        // Setting the same settings again is harmless.
        self.with_retry(true, None, || self.inner.provider.set_webhook(settings))
            .await
    }

    async fn webhook(&self) -> Result<WebhookSettings, Error> {
        self.with_retry(true, None, || self.inner.provider.webhook())
            .await
    }
}
