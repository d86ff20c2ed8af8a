//! The queue between the receiver and the application's handlers: the [`Inbox`] trait, the
//! in-memory default behind [`crate::receiver::Events`], and [`Lanes`], which runs handlers
//! concurrently while keeping each customer's events in order.
//!
//! The receiver appends every verified event to the inbox before it answers 200, so what
//! the inbox keeps is what survives: the in-memory queue lives as long as the process; a
//! durable inbox (Redis Streams in the `waba-redis` crate) survives a crash and is shared by
//! several receivers and workers.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use futures_util::FutureExt as _;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::JoinSet;
use waba_types::Event;

use crate::dedup::Deduplicator;
use crate::raw::RawJson;

/// An event as the receiver hands it over.
#[derive(Debug)]
pub struct Received {
    /// The unified event.
    pub event: Event,
    /// The provider's exact JSON for it: a view into the request body, shared, not copied.
    pub raw: RawJson,
    /// Which format it came in (the decoder's name: `cloud`, `onprem`, `enablex`,
    /// `mobile-gateway`).
    pub format: &'static str,
}

/// One event for [`Inbox::append`], with its de-duplication key
/// ([`Deduplicator::key`]; `None`: always stored).
#[derive(Debug)]
pub struct InboxEntry {
    /// The de-duplication key.
    pub key: Option<String>,
    /// The event.
    pub received: Received,
}

/// Why an inbox could not store a body's events. Each maps to the receiver's answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InboxError {
    /// No room within the receiver's wait: answered 503 with `Retry-After`, so the
    /// provider retries; entries stored before are not stored again (their keys are
    /// recorded).
    #[error("the inbox is full")]
    Full,
    /// Nobody will ever read the inbox (the handler side was dropped): answered 500.
    #[error("the handler side is gone: the events receiver was dropped")]
    Closed,
    /// The store could not be reached: answered 503, so the provider retries.
    #[error("the inbox store is unavailable: {0}")]
    Unavailable(String),
}

/// Where the receiver puts events for the handlers.
///
/// Contract: `append` returns `Ok` only when every entry is stored (or skipped as a
/// duplicate); an entry's key is recorded only together with the entry, so after an `Err`
/// a retry of the same body stores exactly the entries that were not stored yet.
#[async_trait]
pub trait Inbox: std::fmt::Debug + Send + Sync + 'static {
    /// Stores `entries` in order, skipping those whose key was stored before. Returns how
    /// many were stored.
    async fn append(&self, entries: Vec<InboxEntry>) -> Result<usize, InboxError>;
}

/// The in-memory inbox: a bounded queue read through [`crate::receiver::Events`]. A body
/// with more events than free room is queued in parts as room frees up, for at most
/// `wait`.
#[derive(Debug)]
pub(crate) struct MemoryInbox {
    pub(crate) tx: mpsc::Sender<Received>,
    pub(crate) dedup: Option<Deduplicator>,
    pub(crate) wait: Duration,
}

#[async_trait]
impl Inbox for MemoryInbox {
    async fn append(&self, entries: Vec<InboxEntry>) -> Result<usize, InboxError> {
        let deadline = tokio::time::Instant::now() + self.wait;
        let mut stored = 0;
        for entry in entries {
            // A slot first, the key second: a key is recorded only for an event that is
            // queued, so an event refused here comes back with the provider's retry.
            let permit = match tokio::time::timeout_at(deadline, self.tx.reserve()).await {
                Err(_elapsed) => return Err(InboxError::Full),
                Ok(Err(_closed)) => return Err(InboxError::Closed),
                Ok(Ok(permit)) => permit,
            };
            if let (Some(dedup), Some(key)) = (&self.dedup, &entry.key) {
                match dedup.first_time_key(key).await {
                    Ok(true) => {}
                    Ok(false) => continue,
                    Err(e) => return Err(InboxError::Unavailable(e.0)),
                }
            }
            permit.send(entry.received);
            stored += 1;
        }
        Ok(stored)
    }
}

/// The customer an event belongs to, for ordering: the sender of a message, the recipient
/// of a status, by [`Event::customer`] (the WhatsApp id when known, else the business-scoped
/// user id, so customers known only by a user id get their own lane too). `None` for events
/// of no one customer (template states, account updates). An item that could not be typed
/// ([`Event::Unknown`]) keeps its customer when its raw JSON still names one (a message's
/// `from`, a status's `recipient_id`, as text or number): it stays in that customer's order.
pub fn customer_key(event: &Event) -> Option<String> {
    if let Event::Unknown(unknown) = event {
        return ["from", "recipient_id"].iter().find_map(|field| {
            let value = unknown.raw.get(field)?;
            let id = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                _ => return None,
            };
            (!id.is_empty()).then(|| waba_types::wa_key(&id))
        });
    }
    crate::dedup::first_customer_key(event)
}

type Job = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;
/// Per customer with a running job, the jobs waiting behind it.
type Waiting = Arc<Mutex<HashMap<String, VecDeque<(Job, Slot)>>>>;

/// A slot for one event in [`Lanes`]; freed when its job finishes.
#[derive(Debug)]
pub struct Slot {
    _permit: OwnedSemaphorePermit,
}

/// Runs jobs concurrently, at most `limit` at once, and the jobs of one key (a customer)
/// one at a time in the order they were given: one customer's events reach the handler in
/// order, different customers' in parallel.
///
/// At most `limit` events are held at once, running or waiting behind their customer's
/// earlier event; take a [`Slot`] before reading the next event, so reading stops while
/// every slot is taken. Dropping `Lanes` aborts the jobs still running.
pub struct Lanes {
    limit: usize,
    slots: Arc<Semaphore>,
    waiting: Waiting,
    tasks: Mutex<JoinSet<()>>,
}

impl std::fmt::Debug for Lanes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lanes")
            .field("limit", &self.limit)
            .field("free", &self.slots.available_permits())
            .finish_non_exhaustive()
    }
}

impl Lanes {
    /// At most `limit` (at least 1) jobs at once.
    pub fn new(limit: usize) -> Self {
        let limit = limit.max(1);
        Self {
            limit,
            slots: Arc::new(Semaphore::new(limit)),
            waiting: Arc::new(Mutex::new(HashMap::new())),
            tasks: Mutex::new(JoinSet::new()),
        }
    }

    /// The limit.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Waits for a free slot.
    pub async fn slot(&self) -> Slot {
        // The semaphore is never closed.
        Slot {
            _permit: Arc::clone(&self.slots)
                .acquire_owned()
                .await
                .unwrap_or_else(|_| unreachable!("the semaphore is never closed")),
        }
    }

    /// A free slot, if there is one now.
    pub fn try_slot(&self) -> Option<Slot> {
        Arc::clone(&self.slots)
            .try_acquire_owned()
            .ok()
            .map(|p| Slot { _permit: p })
    }

    /// Runs `job` in `slot`, after the earlier jobs of `key` (`None`: no ordering).
    pub fn run(
        &self,
        slot: Slot,
        key: Option<String>,
        job: impl Future<Output = ()> + Send + 'static,
    ) {
        // A handler that panics fails its own event only: the panic is caught here, so the
        // customer's lane moves on to its next event and the slot is freed. Uncaught, it
        // would end the lane's task with the customer's later events still queued behind it,
        // holding slots until every slot was taken and no event was handled at all.
        let job: Job = Box::pin(async move {
            if let Err(panic) = std::panic::AssertUnwindSafe(job).catch_unwind().await {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!(panic = %what, "webhook handler panicked; its event is dropped");
            }
        });
        let mut tasks = self.tasks.lock().unwrap_or_else(PoisonError::into_inner);
        while tasks.try_join_next().is_some() {}
        let Some(key) = key else {
            tasks.spawn(async move {
                job.await;
                drop(slot);
            });
            return;
        };
        {
            let mut waiting = self.waiting.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(queue) = waiting.get_mut(&key) {
                // The customer's lane is running: this job goes after the ones before it.
                queue.push_back((job, slot));
                return;
            }
            waiting.insert(key.clone(), VecDeque::new());
        }
        let waiting = Arc::clone(&self.waiting);
        tasks.spawn(async move {
            let (mut job, mut slot) = (job, slot);
            loop {
                job.await;
                drop(slot);
                let next = {
                    let mut w = waiting.lock().unwrap_or_else(PoisonError::into_inner);
                    let next = w.get_mut(&key).and_then(VecDeque::pop_front);
                    if next.is_none() {
                        w.remove(&key);
                    }
                    next
                };
                match next {
                    Some((j, s)) => (job, slot) = (j, s),
                    None => return,
                }
            }
        });
    }

    /// Waits until every job given so far has finished.
    pub async fn idle(&self) {
        let all = self
            .slots
            .acquire_many(self.limit as u32)
            .await
            .unwrap_or_else(|_| unreachable!("the semaphore is never closed"));
        drop(all);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_key_runs_in_order_and_keys_run_in_parallel() {
        let lanes = Lanes::new(8);
        let log = Arc::new(Mutex::new(Vec::new()));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        for i in 0..40_u64 {
            let slot = lanes.slot().await;
            let (log, running, peak) = (log.clone(), running.clone(), peak.clone());
            let key = format!("c{}", i % 4);
            lanes.run(slot, Some(key.clone()), async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(fastrand_ms(i))).await;
                log.lock().unwrap().push((key, i));
                running.fetch_sub(1, Ordering::SeqCst);
            });
        }
        lanes.idle().await;
        let log = log.lock().unwrap();
        assert_eq!(log.len(), 40);
        for c in 0..4 {
            let seq: Vec<u64> = log
                .iter()
                .filter(|(k, _)| *k == format!("c{c}"))
                .map(|(_, i)| *i)
                .collect();
            assert!(seq.is_sorted(), "customer c{c} out of order: {seq:?}");
        }
        let peak = peak.load(Ordering::SeqCst);
        assert!(
            (2..=4).contains(&peak),
            "peak {peak}: 4 customers, one job each"
        );
    }

    /// A handler that panics on one customer's first event fails that event only: the
    /// customer's later events and everyone else's still run (before, the lane stayed taken
    /// and its queued events held every slot, so nothing more was handled).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_panicking_job_fails_alone() {
        let lanes = Lanes::new(2);
        let done = Arc::new(Mutex::new(Vec::new()));
        for i in 0..20_u64 {
            let slot = tokio::time::timeout(Duration::from_secs(5), lanes.slot())
                .await
                .expect("a slot frees up: the panicking lane moved on");
            let done = done.clone();
            let key = if i % 2 == 0 { "a" } else { "b" };
            lanes.run(slot, Some(key.to_owned()), async move {
                assert!(i != 0, "the handler fails on this event");
                done.lock().unwrap().push(i);
            });
        }
        tokio::time::timeout(Duration::from_secs(5), lanes.idle())
            .await
            .expect("every lane finishes");
        let done = done.lock().unwrap();
        let evens: Vec<u64> = done.iter().copied().filter(|i| i % 2 == 0).collect();
        assert_eq!(
            evens,
            (2..20).step_by(2).collect::<Vec<_>>(),
            "a's later events, in order"
        );
        assert_eq!(done.len(), 19, "{done:?}");
    }

    /// An item that did not type (a drifted timestamp) still names its sender: it shares
    /// the typed messages' lane, so one customer's order holds (before, it ran unordered).
    #[test]
    fn an_untyped_item_keeps_its_customers_lane() {
        let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","messages":[
            {"from":"254700000001","id":"wamid.1","timestamp":"1","type":"text","text":{"body":"a"}},
            {"from":"254700000001","id":"wamid.2","timestamp":"soon","type":"text","text":{"body":"b"}},
            {"from":254700000001,"id":"wamid.3","timestamp":[],"type":"text","text":{"body":"c"}}]}}]}]}"#;
        let headers = http::HeaderMap::new();
        let decoded = crate::decoder_for("cloud")
            .unwrap()
            .decode(&crate::WebhookRequest::post(&headers, body))
            .unwrap();
        let keys: Vec<_> = decoded
            .events
            .iter()
            .map(|e| customer_key(&e.event))
            .collect();
        assert_eq!(keys.len(), 3);
        assert!(
            decoded
                .events
                .iter()
                .any(|e| matches!(e.event, Event::Unknown(_))),
            "the case under test: an untyped item"
        );
        assert!(
            keys.iter().all(|k| k.as_deref() == Some("wa:254700000001")),
            "{keys:?}"
        );
    }

    /// A spread of sleeps so that later jobs would overtake earlier ones if allowed.
    fn fastrand_ms(i: u64) -> u64 {
        (i * 7919) % 13 + 1
    }
}
