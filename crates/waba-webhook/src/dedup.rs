//! De-duplication of at-least-once webhooks: [`Deduplicator`] over a [`DedupStore`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use waba_types::Event;

/// Remembers keys for a while. The in-memory [`MemoryDedupStore`] serves one process; a
/// shared store (Redis `SET NX EX`, a database) serves several.
#[async_trait]
pub trait DedupStore: std::fmt::Debug + Send + Sync + 'static {
    /// Records `key` for `ttl`; returns true when it was not already recorded.
    async fn insert_if_absent(&self, key: &str, ttl: Duration) -> bool;
}

/// A [`DedupStore`] in process memory. Expired keys are purged as new ones arrive.
#[derive(Debug, Default)]
pub struct MemoryDedupStore {
    seen: Mutex<HashMap<String, Instant>>,
}

impl MemoryDedupStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keys remembered now, expired ones included until the next purge.
    pub fn len(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[async_trait]
impl DedupStore for MemoryDedupStore {
    async fn insert_if_absent(&self, key: &str, ttl: Duration) -> bool {
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        // Purge once the map has doubled since the last purge, so the cost stays amortised.
        if seen.len() >= 1024 && seen.len().is_power_of_two() {
            seen.retain(|_, expires| *expires > now);
        }
        match seen.get_mut(key) {
            Some(expires) if *expires > now => false,
            Some(expires) => {
                *expires = now + ttl;
                true
            }
            None => {
                seen.insert(key.to_owned(), now + ttl);
                true
            }
        }
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
    /// In memory, for [`DEFAULT_TTL`].
    pub fn in_memory() -> Self {
        Self::new(Arc::new(MemoryDedupStore::new()), DEFAULT_TTL)
    }

    /// Over any store.
    pub fn new(store: Arc<dyn DedupStore>, ttl: Duration) -> Self {
        Self { store, ttl }
    }

    /// The key of an event, if it has one.
    pub fn key(provider: &str, event: &Event) -> Option<String> {
        match event {
            Event::Message(m) => Some(format!("{provider}|message|{}", m.id)),
            Event::Status(s) => Some(format!("{provider}|status|{}|{}", s.message_id, s.status)),
            Event::TemplateStatus(t) => Some(format!(
                "{provider}|template|{}|{}|{}|{}",
                t.template_id.as_deref().unwrap_or(""),
                t.name,
                t.language.as_deref().unwrap_or(""),
                t.status
            )),
            _ => None,
        }
    }

    /// Whether `event` is new (and now remembered).
    pub async fn first_time(&self, provider: &str, event: &Event) -> bool {
        match Self::key(provider, event) {
            Some(key) => self.store.insert_if_absent(&key, self.ttl).await,
            None => true,
        }
    }
}
