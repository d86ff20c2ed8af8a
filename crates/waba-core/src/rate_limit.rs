//! An adaptive rate limiter, one state per sending number: GCRA spacing at a rate that drops
//! when the provider throttles and recovers gradually while sends succeed.
//!
//! The limiter is ours rather than the `governor` crate's: governor's quota is fixed when the
//! limiter is built (changing it means a new limiter and lost state; governor issues #39 and
//! #273), while this one lowers and raises each key's rate on every provider answer. Its
//! waits also reserve their slot, so callers are served in arrival order without polling.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use crate::error::Error;

/// How much a throttled rate is multiplied by. With the recovery below, a simulated provider
/// bucket (80/s, and 200/s and 400/s) is kept full within 1 % over long runs; 0.8 and below
/// fell further under the provider's rate after each throttle than the recovery made up.
pub const DECREASE: f64 = 0.9;
/// How much one success raises the rate, messages a second. Successes arrive at the current
/// rate `r`, so the rate grows by this share of itself each second (5 % a second: from a
/// quarter of the configured rate back to all of it in about 28 s).
pub const RECOVERY_PER_SUCCESS: f64 = 0.05;
/// The lowest rate a throttled key drops to, messages a second.
pub const FLOOR: f64 = 1.0;

/// Limits sends per sending number (the key), adapting to the provider's own limit.
///
/// - [`acquire`](Self::acquire) waits until a message may go from `key` and returns a
///   [`Permit`]. Spacing follows GCRA (the generic cell rate algorithm): at most `burst`
///   messages at once after a pause, then one every `1 / rate` seconds. Waiting callers
///   reserve their slot before they sleep, so the limit holds under any concurrency and
///   callers are served in arrival order.
/// - [`on_throttled`](Self::on_throttled) after a provider's rate-limit answer: the key's rate
///   drops to 90 % and the burst allowance is used up (once per rate: throttles of sends let through at an older, higher rate
///   are already accounted for), never below 1 a second, and a `Retry-After` holds every
///   send from that key until it has passed.
/// - [`on_success`](Self::on_success) after an accepted send: the rate climbs back by 5 % a
///   second of successes, up to the configured rate.
///
/// All of a key's state lives in one record (rate, GCRA's theoretical
/// arrival time, the `Retry-After` deadline, a generation counted up on each decrease), so
/// that a shared store can hold it. Uses tokio's clock, so tests run it on a paused clock.
#[derive(Debug)]
pub struct RateLimiter {
    ceiling: f64,
    /// GCRA's tolerance: how far ahead of now reservations are let through at once. Kept in
    /// time rather than in messages, so that a lowered rate also lowers the burst.
    tolerance: Duration,
    keys: Mutex<HashMap<String, KeyState>>,
}

/// One key's state.
#[derive(Debug, Clone)]
struct KeyState {
    /// The current rate, messages a second: between [`FLOOR`] and the configured rate.
    rate: f64,
    /// GCRA's theoretical arrival time: when the last reserved permit's interval ends.
    tat: Instant,
    /// No send before this (the provider's `Retry-After`).
    blocked_until: Option<Instant>,
    /// Counted up at each decrease; a permit remembers the generation it was granted in.
    generation: u64,
    throttled: u64,
}

/// Leave to send one message (or `n`, from [`RateLimiter::acquire_n`]) from a key. Hand it
/// back to [`RateLimiter::on_success`] or [`RateLimiter::on_throttled`] with the provider's
/// answer so the rate adapts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permit {
    key: String,
    generation: u64,
}

impl Permit {
    /// A permit for `key` granted at `generation` (the count of rate decreases the key had
    /// then); for [`RateLimitStore`] implementations.
    pub fn new(key: impl Into<String>, generation: u64) -> Self {
        Self {
            key: key.into(),
            generation,
        }
    }

    /// The key (sending number) the permit is for.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The generation it was granted in.
    pub fn generation(&self) -> u64 {
        self.generation
    }
}

/// What a key's limiter currently does, from [`RateLimiter::stats`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct RateStats {
    /// The configured rate, messages a second.
    pub configured: f64,
    /// The rate now, after adapting to throttles, messages a second.
    pub current: f64,
    /// How many provider rate-limit answers the key has had.
    pub throttled: u64,
}

impl RateLimiter {
    /// `per_second` messages a second, in bursts of at most `burst`. Both at least 1.
    pub fn new(per_second: u32, burst: u32) -> Self {
        let ceiling = f64::from(per_second.max(1));
        Self {
            ceiling,
            tolerance: Duration::from_secs_f64(f64::from(burst.max(1) - 1) / ceiling),
            keys: Mutex::new(HashMap::new()),
        }
    }

    /// The configured rate.
    pub fn per_second(&self) -> u32 {
        self.ceiling as u32
    }

    /// The configured and current rate of `key` and how often it was throttled; `None` for a
    /// key that has sent nothing.
    pub fn stats(&self, key: &str) -> Option<RateStats> {
        self.lock().get(key).map(|s| RateStats {
            configured: self.ceiling,
            current: s.rate,
            throttled: s.throttled,
        })
    }

    /// Waits until one message may be sent from `key` (the sending number; `""` for the
    /// adapter's default number).
    pub async fn acquire(&self, key: &str) -> Permit {
        self.acquire_n(key, 1).await
    }

    /// Waits until `n` messages may be sent from `key`.
    pub async fn acquire_n(&self, key: &str, n: u32) -> Permit {
        loop {
            let (wait, generation) = self.reserve(key, f64::from(n.max(1)));
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            // A `Retry-After` that arrived while this caller slept holds it too.
            if self.blocked_for(key).is_zero() {
                return Permit {
                    key: key.to_owned(),
                    generation,
                };
            }
        }
    }

    /// The provider accepted what `permit` let through: the rate recovers a little.
    pub fn on_success(&self, permit: &Permit) {
        if let Some(s) = self.lock().get_mut(&permit.key) {
            s.rate = (s.rate + RECOVERY_PER_SUCCESS).min(self.ceiling);
        }
    }

    /// The provider throttled what `permit` let through: the rate drops (once per
    /// generation), and with `retry_after` no send leaves the key until it has passed.
    pub fn on_throttled(&self, permit: &Permit, retry_after: Option<Duration>) {
        let now = Instant::now();
        let mut keys = self.lock();
        let Some(s) = keys.get_mut(&permit.key) else {
            return;
        };
        s.throttled += 1;
        if permit.generation == s.generation {
            s.rate = (s.rate * DECREASE).max(FLOOR);
            s.generation += 1;
            // The provider's own allowance is spent, so ours is too: without this, the time
            // reserved ahead within the tolerance would still go out at once, and keep
            // throttling whatever the rate.
            s.tat = s.tat.max(now + self.tolerance);
        }
        if let Some(after) = retry_after {
            let until = now + after;
            s.blocked_until = Some(s.blocked_until.map_or(until, |b| b.max(until)));
            // Sends resume paced at the rate, not in one burst, once the wait is over.
            s.tat = s.tat.max(until + self.tolerance);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, KeyState>> {
        self.keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn blocked_for(&self, key: &str) -> Duration {
        let now = Instant::now();
        self.lock()
            .get(key)
            .and_then(|s| s.blocked_until)
            .map_or(Duration::ZERO, |b| b.saturating_duration_since(now))
    }

    /// Reserves `n` permits: how long to wait for them, and the generation they belong to.
    fn reserve(&self, key: &str, n: f64) -> (Duration, u64) {
        let now = Instant::now();
        let mut keys = self.lock();
        let s = if let Some(s) = keys.get_mut(key) {
            s
        } else {
            keys.entry(key.to_owned()).or_insert(KeyState {
                rate: self.ceiling,
                tat: now,
                blocked_until: None,
                generation: 0,
                throttled: 0,
            })
        };
        if s.blocked_until.is_some_and(|b| b <= now) {
            s.blocked_until = None;
        }
        let start = s.tat.max(now);
        s.tat = start + Duration::from_secs_f64(n / s.rate);
        // The permit may go once its interval begins within the tolerance of now.
        let mut allowed = (s.tat - Duration::from_secs_f64(1.0 / s.rate))
            .checked_sub(self.tolerance)
            .unwrap_or(now)
            .max(now);
        if let Some(b) = s.blocked_until {
            allowed = allowed.max(b);
        }
        (allowed - now, s.generation)
    }
}

/// Where rate-limit state lives: in this process ([`RateLimiter`]) or shared by every
/// replica sending from the same numbers (the `waba-redis` crate's GCRA in one Lua script),
/// so that three senders allowed R messages a second send R between them, not 3R.
///
/// Implementations adapt as [`RateLimiter`] does: [`DECREASE`] on a throttle (once per
/// generation), [`RECOVERY_PER_SUCCESS`] per success, never below [`FLOOR`], a
/// `Retry-After` holding the key. A store that cannot answer fails
/// [`acquire_n`](Self::acquire_n) with a retryable error (kind `Transport(Connect)`): the caller sends
/// nothing rather than send unthrottled.
#[async_trait]
pub trait RateLimitStore: std::fmt::Debug + Send + Sync + 'static {
    /// The configured rate, messages a second.
    fn per_second(&self) -> u32;
    /// Waits until `n` messages may go from `key`.
    async fn acquire_n(&self, key: &str, n: u32) -> Result<Permit, Error>;
    /// The provider accepted what `permit` let through.
    async fn on_success(&self, permit: &Permit);
    /// The provider throttled what `permit` let through.
    async fn on_throttled(&self, permit: &Permit, retry_after: Option<Duration>);
}

#[async_trait]
impl RateLimitStore for RateLimiter {
    fn per_second(&self) -> u32 {
        RateLimiter::per_second(self)
    }

    async fn acquire_n(&self, key: &str, n: u32) -> Result<Permit, Error> {
        Ok(RateLimiter::acquire_n(self, key, n).await)
    }

    async fn on_success(&self, permit: &Permit) {
        RateLimiter::on_success(self, permit);
    }

    async fn on_throttled(&self, permit: &Permit, retry_after: Option<Duration>) {
        RateLimiter::on_throttled(self, permit, retry_after);
    }
}
