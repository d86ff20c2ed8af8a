//! The durable inbox on a Redis Stream with a consumer group.

use std::fmt::Display;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use redis::streams::{StreamAutoClaimReply, StreamId, StreamReadOptions, StreamReadReply};
use serde::{Deserialize, Serialize};
use waba_types::Event;
use waba_webhook::RawJson;
use waba_webhook::inbox::{Inbox, InboxEntry, InboxError, Lanes, Received, customer_key};

use crate::state::{RedisState, StateError, manager_config};

/// Stores a body's events in one step: each keyed entry only if its key is new (`SET NX
/// EX`), so a key is never recorded without its event, nor an event stored twice.
/// KEYS: the stream, then the entries' de-duplication keys. ARGV: the TTL in seconds, then
/// per entry the index of its key in KEYS (0 for none) and its payload.
const APPEND: &str = r"
local stored = 0
for i = 2, #ARGV, 2 do
  local k = tonumber(ARGV[i])
  if k == 0 or redis.call('SET', KEYS[k], '1', 'NX', 'EX', ARGV[1]) then
    redis.call('XADD', KEYS[1], '*', 'e', ARGV[i + 1])
    stored = stored + 1
  end
end
return stored
";

/// The handler succeeded: acknowledge, delete, forget the attempts.
/// KEYS: stream, attempts hash. ARGV: group, id.
const ACK: &str = r"
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[2])
return 1
";

/// The handler failed: count the attempt; at the limit, move the event to the dead-letter
/// stream with its error. Otherwise it stays pending and is claimed again after the
/// visibility timeout. KEYS: stream, attempts hash, dead-letter stream. ARGV: group, id,
/// max attempts, error, payload. Returns 1 when the event went to the dead letters.
const FAIL: &str = r"
local n = redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
if n < tonumber(ARGV[3]) then return 0 end
redis.call('XADD', KEYS[3], '*', 'id', ARGV[2], 'attempts', n, 'error', ARGV[4], 'e', ARGV[5])
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[2])
return 1
";

/// How a [`RedisInbox`] behaves. Every field has a default.
#[derive(Debug, Clone)]
pub struct InboxConfig {
    /// The stream's name under the prefix. Default `inbox`.
    pub name: String,
    /// The consumer group every worker joins. Default `workers`.
    pub group: String,
    /// How long an event may stay with a worker before another worker takes it over
    /// (the worker is presumed dead). Longer than the slowest handler. Default 30 s.
    pub visibility_timeout: Duration,
    /// Failures after which an event goes to the dead-letter stream (`<name>:dead`).
    /// Default 5.
    pub max_attempts: u32,
    /// How long de-duplication keys live. Default 24 hours.
    pub dedup_ttl: Duration,
    /// How long one read waits for new events. Default 1 s.
    pub block: Duration,
}

impl Default for InboxConfig {
    fn default() -> Self {
        Self {
            name: "inbox".to_owned(),
            group: "workers".to_owned(),
            visibility_timeout: Duration::from_secs(30),
            max_attempts: 5,
            dedup_ttl: waba_webhook::dedup::DEFAULT_TTL,
            block: Duration::from_secs(1),
        }
    }
}

/// The stored form of an event.
#[derive(Serialize)]
struct StoredRef<'a> {
    event: &'a Event,
    raw: &'a RawJson,
    format: &'a str,
}

#[derive(Deserialize)]
struct Stored {
    event: Event,
    raw: RawJson,
    format: String,
}

/// The decoders' format names, as `'static` strings again: one of
/// [`waba_webhook::FORMATS`], or `other` for a format this build does not decode.
fn format_name(name: &str) -> &'static str {
    waba_webhook::FORMATS
        .iter()
        .find(|f| **f == name)
        .copied()
        .unwrap_or("other")
}

/// An [`Inbox`] on a Redis Stream: receivers append (de-duplicating in the same step),
/// [`Worker`]s of one consumer group read, run the handler, and acknowledge.
///
/// Guarantees: an event the receiver acknowledged with 200 is in Redis; each event is
/// handled to success once (a worker that dies mid-handling leaves it pending, and another
/// worker claims it after `visibility_timeout`); an event whose handler fails
/// `max_attempts` times moves to the dead-letter stream `<prefix>:<name>:dead` with its
/// error. One worker keeps each customer's events in order; across workers, events of one
/// customer may run at the same time.
#[derive(Debug, Clone)]
pub struct RedisInbox {
    state: RedisState,
    config: InboxConfig,
    stream: String,
    attempts: String,
    dead: String,
    dedup_prefix: String,
    scripts: Arc<Scripts>,
}

#[derive(Debug)]
struct Scripts {
    append: redis::Script,
    ack: redis::Script,
    fail: redis::Script,
}

impl RedisInbox {
    pub(crate) fn new(state: RedisState, config: InboxConfig) -> Self {
        let stream = state.key(&config.name);
        Self {
            attempts: format!("{stream}:attempts"),
            dead: format!("{stream}:dead"),
            dedup_prefix: state.key("dedup:"),
            stream,
            state,
            config,
            scripts: Arc::new(Scripts {
                append: redis::Script::new(APPEND),
                ack: redis::Script::new(ACK),
                fail: redis::Script::new(FAIL),
            }),
        }
    }

    /// The stream's key.
    pub fn stream_key(&self) -> &str {
        &self.stream
    }

    /// The dead-letter stream's key: entries with fields `id`, `attempts`, `error` and the
    /// event `e`.
    pub fn dead_letter_key(&self) -> &str {
        &self.dead
    }

    /// Events in the stream not yet handled to success (pending ones included).
    pub async fn len(&self) -> Result<usize, StateError> {
        let mut conn = self.state.conn.clone();
        redis::cmd("XLEN")
            .arg(&self.stream)
            .query_async(&mut conn)
            .await
            .map_err(|e| self.state.error("XLEN", &e))
    }

    /// Whether the stream is empty.
    pub async fn is_empty(&self) -> Result<bool, StateError> {
        Ok(self.len().await? == 0)
    }

    /// Events in the dead-letter stream.
    pub async fn dead_letters(&self) -> Result<usize, StateError> {
        let mut conn = self.state.conn.clone();
        redis::cmd("XLEN")
            .arg(&self.dead)
            .query_async(&mut conn)
            .await
            .map_err(|e| self.state.error("XLEN", &e))
    }

    /// A worker named `consumer` (unique per worker; a restarted worker may reuse its
    /// name), on a connection of its own for blocking reads. Creates the consumer group
    /// when it does not exist.
    pub async fn worker(&self, consumer: &str) -> Result<Worker, StateError> {
        self.create_group()
            .await
            .map_err(|e| self.state.error("XGROUP CREATE", &e))?;
        let config =
            manager_config().set_response_timeout(Some(self.config.block + Duration::from_secs(2)));
        let reader = self
            .state
            .client
            .get_connection_manager_with_config(config)
            .await
            .map_err(|e| self.state.error("worker connection", &e))?;
        Ok(Worker {
            inbox: self.clone(),
            consumer: consumer.to_owned(),
            reader,
        })
    }

    /// Creates the consumer group (and the stream) unless it exists; a server that lost
    /// its data gets them back this way.
    async fn create_group(&self) -> Result<(), redis::RedisError> {
        let mut conn = self.state.conn.clone();
        let created: Result<String, _> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(&self.stream)
            .arg(&self.config.group)
            .arg("0")
            .arg("MKSTREAM")
            .query_async(&mut conn)
            .await;
        match created {
            Err(e) if e.code() != Some("BUSYGROUP") => Err(e),
            _ => Ok(()),
        }
    }

    async fn ack(&self, id: &str) -> Result<(), redis::RedisError> {
        let mut conn = self.state.conn.clone();
        self.scripts
            .ack
            .key(&self.stream)
            .key(&self.attempts)
            .arg(&self.config.group)
            .arg(id)
            .invoke_async::<i64>(&mut conn)
            .await
            .map(drop)
    }

    async fn fail(&self, id: &str, error: &str, payload: &str) -> Result<bool, redis::RedisError> {
        let mut conn = self.state.conn.clone();
        let dead: i64 = self
            .scripts
            .fail
            .key(&self.stream)
            .key(&self.attempts)
            .key(&self.dead)
            .arg(&self.config.group)
            .arg(id)
            .arg(self.config.max_attempts.max(1))
            .arg(error)
            .arg(payload)
            .invoke_async(&mut conn)
            .await?;
        Ok(dead == 1)
    }
}

#[async_trait]
impl Inbox for RedisInbox {
    async fn append(&self, entries: Vec<InboxEntry>) -> Result<usize, InboxError> {
        if entries.is_empty() {
            return Ok(0);
        }
        let mut invocation = self.scripts.append.key(&self.stream);
        invocation.arg(self.config.dedup_ttl.as_secs().max(1));
        let mut keys = 1;
        for entry in &entries {
            let payload = serde_json::to_string(&StoredRef {
                event: &entry.received.event,
                raw: &entry.received.raw,
                format: entry.received.format,
            })
            .map_err(|e| InboxError::Unavailable(format!("event not serialisable: {e}")))?;
            match &entry.key {
                Some(k) => {
                    keys += 1;
                    invocation.key(format!("{}{k}", self.dedup_prefix));
                    invocation.arg(keys);
                }
                None => {
                    invocation.arg(0);
                }
            }
            invocation.arg(payload);
        }
        let mut conn = self.state.conn.clone();
        let stored: usize = invocation
            .invoke_async(&mut conn)
            .await
            .map_err(|e| InboxError::Unavailable(self.state.error("append", &e).to_string()))?;
        Ok(stored)
    }
}

/// Reads a [`RedisInbox`] for one consumer and runs a handler on each event: see
/// [`Worker::run`].
pub struct Worker {
    inbox: RedisInbox,
    consumer: String,
    reader: ConnectionManager,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("consumer", &self.consumer)
            .field("stream", &self.inbox.stream)
            .finish_non_exhaustive()
    }
}

/// One event read from the stream.
struct Delivery {
    id: String,
    payload: String,
}

impl Worker {
    /// Runs `handler` on every event, up to `limit` at once with each customer's events in
    /// order, for ever: `Ok` acknowledges the event, `Err` counts a failed attempt (the
    /// event comes back after the visibility timeout, or goes to the dead letters). Events a
    /// dead worker left pending longer than the visibility timeout are claimed too. While
    /// Redis is unreachable it logs, waits and tries again; drop (abort) the task to stop,
    /// which leaves the events in hand pending for another worker.
    pub async fn run<F, Fut, E>(mut self, limit: usize, handler: F)
    where
        F: Fn(Received) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Display + Send + 'static,
    {
        let handler = Arc::new(handler);
        let lanes = Lanes::new(limit);
        let mut last_claim = tokio::time::Instant::now();
        let mut claim_cursor = "0-0".to_owned();
        let mut backoff = Duration::from_millis(50);
        loop {
            let mut slots = vec![lanes.slot().await];
            while slots.len() < lanes.limit() {
                match lanes.try_slot() {
                    Some(s) => slots.push(s),
                    None => break,
                }
            }
            let claim_due = last_claim.elapsed() >= self.inbox.config.visibility_timeout / 2;
            let read = if claim_due {
                last_claim = tokio::time::Instant::now();
                self.claim(slots.len(), &mut claim_cursor).await
            } else {
                self.read(slots.len()).await
            };
            let deliveries = match read {
                Ok(d) => {
                    backoff = Duration::from_millis(50);
                    d
                }
                Err(e) => {
                    if e.code() == Some("NOGROUP") {
                        // The server lost its data (restarted without persistence).
                        let _ = self.inbox.create_group().await;
                    }
                    tracing::warn!(error = %e, consumer = %self.consumer, "inbox read failed; retrying");
                    drop(slots);
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                    continue;
                }
            };
            for (delivery, slot) in deliveries.into_iter().zip(slots) {
                self.dispatch(&lanes, slot, delivery, &handler);
            }
        }
    }

    fn dispatch<F, Fut, E>(
        &self,
        lanes: &Lanes,
        slot: waba_webhook::inbox::Slot,
        delivery: Delivery,
        handler: &Arc<F>,
    ) where
        F: Fn(Received) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: Display + Send + 'static,
    {
        let inbox = self.inbox.clone();
        let stored: Stored = match serde_json::from_str(&delivery.payload) {
            Ok(s) => s,
            Err(e) => {
                // Not ours to handle: straight to the dead letters, so it is seen.
                let error = format!("undecodable inbox entry: {e}");
                lanes.run(slot, None, async move {
                    let _ = inbox.fail_for_good(&delivery, &error).await;
                });
                return;
            }
        };
        let key = customer_key(&stored.event);
        let handler = Arc::clone(handler);
        lanes.run(slot, key, async move {
            let received = Received {
                event: stored.event,
                raw: stored.raw,
                format: format_name(&stored.format),
            };
            let outcome = handler(received).await.map_err(|e| e.to_string());
            let mut wait = Duration::from_millis(50);
            // Keep trying to record the outcome while Redis is away: an outcome not
            // recorded means the event is handled again after the visibility timeout.
            for _ in 0..8 {
                let recorded = match &outcome {
                    Ok(()) => inbox.ack(&delivery.id).await,
                    Err(e) => inbox
                        .fail(&delivery.id, e, &delivery.payload)
                        .await
                        .map(|dead| {
                            if dead {
                                tracing::error!(id = %delivery.id, error = %e, "event moved to the dead letters");
                            } else {
                                tracing::warn!(id = %delivery.id, error = %e, "handler failed; the event will be retried");
                            }
                        }),
                };
                match recorded {
                    Ok(()) => return,
                    Err(e) => {
                        tracing::warn!(id = %delivery.id, error = %e, "cannot record the outcome yet");
                        tokio::time::sleep(wait).await;
                        wait = (wait * 2).min(Duration::from_secs(2));
                    }
                }
            }
        });
    }

    async fn read(&mut self, count: usize) -> Result<Vec<Delivery>, redis::RedisError> {
        let options = StreamReadOptions::default()
            .group(&self.inbox.config.group, &self.consumer)
            .count(count)
            .block(self.inbox.config.block.as_millis() as usize);
        let reply: Option<StreamReadReply> = redis::cmd("XREADGROUP")
            .arg(&options)
            .arg("STREAMS")
            .arg(&self.inbox.stream)
            .arg(">")
            .query_async(&mut self.reader)
            .await?;
        Ok(reply
            .into_iter()
            .flat_map(|r| r.keys)
            .flat_map(|k| k.ids)
            .filter_map(delivery)
            .collect())
    }

    async fn claim(
        &mut self,
        count: usize,
        cursor: &mut String,
    ) -> Result<Vec<Delivery>, redis::RedisError> {
        let reply: StreamAutoClaimReply = redis::cmd("XAUTOCLAIM")
            .arg(&self.inbox.stream)
            .arg(&self.inbox.config.group)
            .arg(&self.consumer)
            .arg(self.inbox.config.visibility_timeout.as_millis() as u64)
            .arg(cursor.as_str())
            .arg("COUNT")
            .arg(count)
            .query_async(&mut self.reader)
            .await?;
        cursor.clone_from(&reply.next_stream_id);
        let claimed: Vec<Delivery> = reply.claimed.into_iter().filter_map(delivery).collect();
        if !claimed.is_empty() {
            tracing::info!(events = claimed.len(), consumer = %self.consumer, "claimed events a worker left pending");
        }
        Ok(claimed)
    }
}

impl RedisInbox {
    async fn fail_for_good(
        &self,
        delivery: &Delivery,
        error: &str,
    ) -> Result<(), redis::RedisError> {
        let mut conn = self.state.conn.clone();
        let _: i64 = self
            .scripts
            .fail
            .key(&self.stream)
            .key(&self.attempts)
            .key(&self.dead)
            .arg(&self.config.group)
            .arg(&delivery.id)
            .arg(1)
            .arg(error)
            .arg(&delivery.payload)
            .invoke_async(&mut conn)
            .await?;
        Ok(())
    }
}

fn delivery(entry: StreamId) -> Option<Delivery> {
    let payload: String = entry.get("e")?;
    Some(Delivery {
        id: entry.id,
        payload,
    })
}
