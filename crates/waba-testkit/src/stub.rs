//! [`StubProvider`]: a provider that records what it is asked to send.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use waba_core::{
    Capabilities, ContentKinds, Error, ErrorKind, Provider, ProviderId, SendReceipt, SharedProvider,
};
use waba_types::{DeliveryStatus, OutboundMessage, PhoneNumber, Recipient, WaId};

/// The provider id of [`StubProvider`]: its receipts and errors carry it.
pub const STUB_ID: ProviderId = ProviderId::from_static("stub");

#[derive(Default)]
struct State {
    sent: Vec<OutboundMessage>,
    attempts: u64,
    script: VecDeque<Error>,
    failing: HashMap<PhoneNumber, ErrorKind>,
    /// The throughput bucket: tokens left and when they were counted.
    bucket: Option<(f64, tokio::time::Instant)>,
    throttled: u64,
}

/// A provider for tests: it accepts messages, records them, and hands out ids
/// `stub-1`, `stub-2`, … . Errors can be scripted (the next sends fail) or tied to a
/// recipient (every send to it fails). Clones share their record.
///
/// For applications testing their own bots without a network, and for waba's own tests of
/// what sits above a provider ([`waba_core::Client`]).
#[derive(Clone)]
pub struct StubProvider {
    state: Arc<Mutex<State>>,
    next_id: Arc<AtomicU64>,
    capabilities: Capabilities,
    latency: Duration,
    throughput: Option<u32>,
}

impl std::fmt::Debug for StubProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StubProvider")
            .field("capabilities", &self.capabilities)
            .finish_non_exhaustive()
    }
}

impl StubProvider {
    /// A stub that accepts every content kind.
    pub fn new_ok() -> Self {
        let mut capabilities = Capabilities::sending(ContentKinds::all());
        capabilities.groups = true;
        // It keeps every field of the messages it records.
        capabilities.client_reference = true;
        capabilities.sender_per_message = true;
        Self {
            state: Arc::default(),
            next_id: Arc::new(AtomicU64::new(1)),
            capabilities,
            latency: Duration::ZERO,
            throughput: None,
        }
    }

    /// Replaces the capabilities it declares.
    #[must_use]
    pub fn with_capabilities(mut self, capabilities: Capabilities) -> Self {
        self.capabilities = capabilities;
        self
    }

    /// Makes each send take `latency` (tokio time).
    #[must_use]
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Accepts at most `per_second` sends a second, in bursts of as many (a token bucket on
    /// tokio's clock, like Meta's per-number throughput); a send over it fails with
    /// [`ErrorKind::RateLimited`] and Cloud code 130429, without `Retry-After`, as Meta's
    /// does. Throttled sends are counted ([`Self::throttled`]), not recorded.
    #[must_use]
    pub fn with_throughput_limit(mut self, per_second: u32) -> Self {
        self.throughput = Some(per_second.max(1));
        self
    }

    /// A shared handle to this stub (clones share the record).
    pub fn shared(&self) -> SharedProvider {
        SharedProvider::new(self.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The next send fails with `error` (errors queue up, one per send).
    pub fn push_error(&self, error: Error) -> &Self {
        self.lock().script.push_back(error);
        self
    }

    /// Every send to `to` fails with an error of `kind`.
    pub fn fail_recipient(&self, to: PhoneNumber, kind: ErrorKind) -> &Self {
        self.lock().failing.insert(to, kind);
        self
    }

    /// The messages accepted so far, in order.
    pub fn sent(&self) -> Vec<OutboundMessage> {
        self.lock().sent.clone()
    }

    /// How many sends the throughput limit refused.
    pub fn throttled(&self) -> u64 {
        self.lock().throttled
    }

    /// How many times `send` was called, failures included.
    pub fn attempts(&self) -> u64 {
        self.lock().attempts
    }
}

#[async_trait]
impl Provider for StubProvider {
    fn id(&self) -> ProviderId {
        STUB_ID
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    async fn send(&self, message: &OutboundMessage) -> Result<SendReceipt, Error> {
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
        let mut state = self.lock();
        state.attempts += 1;
        if let Some(e) = state.script.pop_front() {
            return Err(e.with_provider(STUB_ID));
        }
        if let Some(rate) = self.throughput {
            let rate = f64::from(rate);
            let now = tokio::time::Instant::now();
            let (tokens, last) = state.bucket.get_or_insert((rate, now));
            *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * rate).min(rate);
            *last = now;
            if *tokens < 1.0 {
                state.throttled += 1;
                return Err(Error::new(ErrorKind::RateLimited { retry_after: None })
                    .with_api_code(130_429)
                    .with_provider(STUB_ID));
            }
            *tokens -= 1.0;
        }
        if let Some(kind) = message.to.phone().and_then(|p| state.failing.get(p)) {
            return Err(Error::new(kind.clone()).with_provider(STUB_ID));
        }
        state.sent.push(message.clone());
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        Ok(SendReceipt {
            id: format!("stub-{id}").into(),
            status: DeliveryStatus::Accepted,
            wa_id: match &message.to {
                Recipient::Individual(p) => Some(WaId::from(p)),
                Recipient::Group(_) | Recipient::User(_) => None,
            },
            provider: STUB_ID,
        })
    }
}
