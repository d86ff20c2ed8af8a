//! De-duplication of at-least-once webhooks: [`Deduplicator`] over a [`DedupStore`].

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use waba_types::Event;

/// A shared store could not answer (unreachable, timed out, refused the command). Nothing
/// was recorded; the caller must not treat the event as handled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("state store unavailable: {0}")]
pub struct StoreError(pub String);

/// Remembers keys for a while. The in-memory [`MemoryDedupStore`] serves one process; a
/// shared store (Redis `SET NX EX`, a database) serves several.
#[async_trait]
pub trait DedupStore: std::fmt::Debug + Send + Sync + 'static {
    /// Records `key` for `ttl`; `Ok(true)` when it was not already recorded. An `Err` means
    /// the store could not tell, and nothing was recorded.
    async fn insert_if_absent(&self, key: &str, ttl: Duration) -> Result<bool, StoreError>;
}

/// The default number of keys [`MemoryDedupStore`] keeps: at ~100 bytes a key, about 10 MB.
pub const DEFAULT_MAX_KEYS: usize = 100_000;

/// The first of the event's customer's keys ([`waba_types::Customer::keys`]), made alone:
/// this runs for every event received.
pub(crate) fn first_customer_key(event: &Event) -> Option<String> {
    let customer = event.customer()?;
    match (&customer.wa_id, &customer.user_id) {
        (Some(w), _) => Some(waba_types::wa_key(w.as_str())),
        (None, Some(u)) => Some(waba_types::user_key(u)),
        (None, None) => None,
    }
}

/// A [`DedupStore`] in process memory, bounded by time and by count: a key is forgotten
/// after its TTL, or earlier when `max_keys` newer keys have arrived since (oldest first), so
/// a flood of unique ids costs at most `max_keys` entries, never a day's worth.
#[derive(Debug)]
pub struct MemoryDedupStore {
    max_keys: usize,
    inner: Mutex<Seen>,
}

/// Keys with their expiry, and the order they were recorded in (for eviction by count).
#[derive(Debug, Default)]
struct Seen {
    expiry: HashMap<Arc<str>, Instant>,
    order: VecDeque<(Arc<str>, Instant)>,
}

impl Default for MemoryDedupStore {
    fn default() -> Self {
        Self::with_max_keys(DEFAULT_MAX_KEYS)
    }
}

impl MemoryDedupStore {
    /// An empty store keeping at most [`DEFAULT_MAX_KEYS`] keys.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store keeping at most `max_keys` keys (at least 1).
    pub fn with_max_keys(max_keys: usize) -> Self {
        Self {
            max_keys: max_keys.max(1),
            inner: Mutex::new(Seen::default()),
        }
    }

    /// Keys remembered now (expired ones may linger until newer keys push them out).
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .expiry
            .len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Seen {
    /// Drops the oldest record; the key goes only if that record is its latest one (a key
    /// recorded again after expiry has a newer record further back in the queue).
    fn pop_oldest(&mut self) {
        if let Some((key, at)) = self.order.pop_front()
            && self.expiry.get(&key) == Some(&at)
        {
            self.expiry.remove(&key);
        }
    }
}

#[async_trait]
impl DedupStore for MemoryDedupStore {
    async fn insert_if_absent(&self, key: &str, ttl: Duration) -> Result<bool, StoreError> {
        let now = Instant::now();
        let mut seen = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if seen.expiry.get(key).is_some_and(|expires| *expires > now) {
            return Ok(false);
        }
        let expires = now + ttl;
        let key: Arc<str> = Arc::from(key);
        seen.expiry.insert(Arc::clone(&key), expires);
        seen.order.push_back((key, expires));
        // Records leave in the order they came: expired ones at the front go for free, and
        // the count bound drops the oldest live ones. Each record is pushed and popped once,
        // so the cost is O(1) per insert.
        while seen.order.front().is_some_and(|(_, at)| *at <= now)
            || seen.expiry.len() > self.max_keys
        {
            seen.pop_oldest();
        }
        // Superseded records (a key recorded again) are bounded by the count of live ones.
        while seen.order.len() > 2 * self.max_keys {
            seen.pop_oldest();
        }
        Ok(true)
    }
}

/// Drops events already seen. The key is (provider, event kind, message id, status): a
/// message once, each status of a message once, each template state once. Events without
/// an id (errors, unknown events) always pass.
#[derive(Debug, Clone)]
pub struct Deduplicator {
    store: Arc<dyn DedupStore>,
    ttl: Duration,
}

/// The default time an event is remembered: a day covers the providers' retry windows we
/// know of (360dialog's 24 hours; Meta retries for longer but with growing gaps).
pub const DEFAULT_TTL: Duration = Duration::from_secs(24 * 3600);

impl Deduplicator {
    /// In memory, for [`DEFAULT_TTL`], at most [`DEFAULT_MAX_KEYS`] keys.
    pub fn in_memory() -> Self {
        Self::new(Arc::new(MemoryDedupStore::new()), DEFAULT_TTL)
    }

    /// Over any store.
    pub fn new(store: Arc<dyn DedupStore>, ttl: Duration) -> Self {
        Self { store, ttl }
    }

    /// How long keys are remembered.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The key of an event: what makes a redelivery of it recognisable.
    ///
    /// Messages by their id; statuses by message id, status and the customer they are about
    /// (whichever id the event carries: a group message has one status per participant, all
    /// with the same message id and status); template updates by template and status. Every
    /// other event (account updates, preferences, echoes, unknown items with their location)
    /// by a SHA-256 of its unified form, so that a provider's redelivery of it is recognised
    /// too and no kind of event is handed over twice. `None` only if it cannot be
    /// serialised.
    pub fn key(provider: &str, event: &Event) -> Option<String> {
        let customer = || first_customer_key(event).unwrap_or_default();
        match event {
            Event::Message(m) => Some(format!("{provider}|message|{}", m.id)),
            Event::Status(s) => Some(format!(
                "{provider}|status|{}|{}|{}",
                s.message_id,
                s.status,
                customer()
            )),
            Event::TemplateStatus(t) => Some(format!(
                "{provider}|template|{}|{}|{}|{}",
                t.template_id.as_deref().unwrap_or(""),
                t.name,
                t.language.as_deref().unwrap_or(""),
                t.status
            )),
            other => {
                use sha2::Digest as _;
                let json = serde_json::to_vec(other).ok()?;
                let digest = sha2::Sha256::digest(&json);
                let mut key = format!("{provider}|event|");
                for b in digest {
                    use std::fmt::Write as _;
                    let _ = write!(key, "{b:02x}");
                }
                Some(key)
            }
        }
    }

    /// Whether `event` is new (and now remembered); an error when the store cannot tell.
    pub async fn first_time(&self, provider: &str, event: &Event) -> Result<bool, StoreError> {
        match Self::key(provider, event) {
            Some(key) => self.first_time_key(&key).await,
            None => Ok(true),
        }
    }

    /// Whether `key` is new (and now remembered).
    pub async fn first_time_key(&self, key: &str) -> Result<bool, StoreError> {
        self.store.insert_if_absent(key, self.ttl).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: Future>(f: F) -> F::Output {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut f = std::pin::pin!(f);
        loop {
            if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    /// Each participant of a group message has its own status with the same message id and
    /// state: none is taken for a redelivery of another. Events without an id of their own
    /// are still recognised when delivered again.
    #[test]
    fn keys_tell_customers_apart_and_recognise_every_kind_of_event() {
        use waba_types::{DeliveryStatus, StatusUpdate, WaId};
        let status = |who: &str| {
            let mut s = StatusUpdate::new("wamid.G", DeliveryStatus::Delivered);
            s.recipient = Some(WaId::from(who));
            Event::Status(s)
        };
        let a = Deduplicator::key("cloud", &status("16315550001")).unwrap();
        let b = Deduplicator::key("cloud", &status("16315550002")).unwrap();
        assert_ne!(a, b);
        assert_eq!(
            a,
            Deduplicator::key("cloud", &status("16315550001")).unwrap()
        );
        let update: Event = serde_json::from_value(serde_json::json!({
            "kind": "account_update", "event": "ACCOUNT_VIOLATION"
        }))
        .unwrap();
        let k = Deduplicator::key("cloud", &update).expect("a key");
        assert_eq!(Some(k), Deduplicator::key("cloud", &update.clone()));
        let other: Event = serde_json::from_value(serde_json::json!({
            "kind": "account_update", "event": "ACCOUNT_RESTRICTION"
        }))
        .unwrap();
        assert_ne!(
            Deduplicator::key("cloud", &update),
            Deduplicator::key("cloud", &other)
        );
    }

    #[test]
    fn a_flood_of_unique_ids_is_bounded_by_count() {
        let store = MemoryDedupStore::with_max_keys(1_000);
        for i in 0..180_000 {
            assert!(block_on(store.insert_if_absent(&format!("id-{i}"), DEFAULT_TTL)).unwrap());
        }
        assert_eq!(store.len(), 1_000);
        let order = store.inner.lock().unwrap().order.len();
        assert!(order <= 2_000, "{order} records kept");
        // The newest are remembered, the oldest forgotten.
        assert!(!block_on(store.insert_if_absent("id-179999", DEFAULT_TTL)).unwrap());
        assert!(block_on(store.insert_if_absent("id-0", DEFAULT_TTL)).unwrap());
    }

    #[test]
    fn the_default_store_is_bounded_too() {
        let store = MemoryDedupStore::new();
        for i in 0..(DEFAULT_MAX_KEYS + 5_000) {
            block_on(store.insert_if_absent(&format!("wamid.{i}"), DEFAULT_TTL)).unwrap();
        }
        assert_eq!(store.len(), DEFAULT_MAX_KEYS);
    }

    #[test]
    fn expired_keys_are_new_again_and_superseded_records_do_not_evict_them() {
        let store = MemoryDedupStore::with_max_keys(2);
        let short = Duration::from_millis(1);
        assert!(block_on(store.insert_if_absent("a", short)).unwrap());
        std::thread::sleep(Duration::from_millis(5));
        assert!(block_on(store.insert_if_absent("a", DEFAULT_TTL)).unwrap());
        assert!(!block_on(store.insert_if_absent("a", DEFAULT_TTL)).unwrap());
        assert!(block_on(store.insert_if_absent("b", DEFAULT_TTL)).unwrap());
        // "a"'s stale first record left the queue without taking the live "a" with it.
        assert!(!block_on(store.insert_if_absent("a", DEFAULT_TTL)).unwrap());
        assert_eq!(store.len(), 2);
    }
}
