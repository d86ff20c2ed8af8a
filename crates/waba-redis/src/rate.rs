//! The rate limit per sending number, shared by every sender.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use waba_core::{
    DECREASE, Error, ErrorKind, FLOOR, Permit, RECOVERY_PER_SUCCESS, RateLimitStore,
    TransportErrorKind,
};

use crate::state::RedisState;

/// GCRA with reservation, atomic on the server, on Redis's clock (so replicas' clocks do
/// not matter). Times in microseconds. The hash holds the key's current rate, its
/// theoretical arrival time, the `Retry-After` deadline and the generation, as
/// `waba_core::RateLimiter` keeps them in memory.
/// KEYS: the hash. ARGV: n, configured rate, tolerance µs, idle expiry ms.
/// Returns {wait µs, generation, rate × 1000}.
const ACQUIRE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local h = redis.call('HMGET', KEYS[1], 'rate', 'tat', 'blocked', 'gen')
local rate = tonumber(h[1]) or tonumber(ARGV[2])
local tat = tonumber(h[2]) or now
local blocked = tonumber(h[3])
local gen = tonumber(h[4]) or 0
if blocked and blocked <= now then
  blocked = nil
  redis.call('HDEL', KEYS[1], 'blocked')
end
local interval = 1000000 / rate
tat = math.max(tat, now) + tonumber(ARGV[1]) * interval
local allowed = math.max(tat - interval - tonumber(ARGV[3]), now)
if blocked then allowed = math.max(allowed, blocked) end
redis.call('HSET', KEYS[1], 'rate', string.format('%.6f', rate), 'tat', string.format('%.0f', tat), 'gen', gen)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {math.floor(allowed - now), gen, math.floor(rate * 1000)}
";

/// Microseconds a `Retry-After` still holds the key (0 when none).
const BLOCKED: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local b = tonumber(redis.call('HGET', KEYS[1], 'blocked'))
if b and b > now then return math.floor(b - now) end
return 0
";

/// A success: the rate climbs back. KEYS: the hash. ARGV: step, configured rate.
const SUCCESS: &str = r"
local r = tonumber(redis.call('HGET', KEYS[1], 'rate'))
if not r then return 0 end
r = math.min(r + tonumber(ARGV[1]), tonumber(ARGV[2]))
redis.call('HSET', KEYS[1], 'rate', string.format('%.6f', r))
return math.floor(r * 1000)
";

/// A throttle: the rate drops once per generation, the allowance is spent, and a
/// `Retry-After` holds the key. KEYS: the hash. ARGV: the permit's generation, decrease,
/// floor, tolerance µs, retry-after µs (-1: none).
const THROTTLED: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local h = redis.call('HMGET', KEYS[1], 'rate', 'tat', 'blocked', 'gen')
local rate, tat, blocked, gen = tonumber(h[1]), tonumber(h[2]) or now, tonumber(h[3]), tonumber(h[4]) or 0
if not rate then return 0 end
redis.call('HINCRBY', KEYS[1], 'throttled', 1)
local tolerance = tonumber(ARGV[4])
if tonumber(ARGV[1]) == gen then
  rate = math.max(rate * tonumber(ARGV[2]), tonumber(ARGV[3]))
  gen = gen + 1
  tat = math.max(tat, now + tolerance)
end
local after = tonumber(ARGV[5])
if after >= 0 then
  local untl = now + after
  blocked = math.max(blocked or untl, untl)
  tat = math.max(tat, untl + tolerance)
  redis.call('HSET', KEYS[1], 'blocked', string.format('%.0f', blocked))
end
redis.call('HSET', KEYS[1], 'rate', string.format('%.6f', rate), 'tat', string.format('%.0f', tat), 'gen', gen)
return math.floor(rate * 1000)
";

/// A [`RateLimitStore`] on Redis: every sender using the same key (sending number) shares
/// one limit of `per_second` messages a second, enforced by GCRA in one Lua script per
/// acquisition (no read-modify-write race between replicas), and adapting to the provider's
/// throttling as `waba_core::RateLimiter` does (90 % per throttle, climbing back with
/// successes, `Retry-After` holding every sender of that number).
///
/// Round trips: one per send, plus one per success only while the rate is below the
/// configured one, one per throttle, and one after a wait to check a `Retry-After` that
/// arrived meanwhile.
#[derive(Debug)]
pub struct RedisRateLimiter {
    state: RedisState,
    ceiling: f64,
    tolerance: Duration,
    scripts: [redis::Script; 4],
    /// Keys whose rate was last seen below the ceiling (so successes must raise it).
    lowered: Mutex<HashMap<String, bool>>,
}

impl RedisRateLimiter {
    pub(crate) fn new(state: RedisState, per_second: u32, burst: u32) -> Self {
        let ceiling = f64::from(per_second.max(1));
        Self {
            state,
            ceiling,
            tolerance: Duration::from_secs_f64(f64::from(burst.max(1) - 1) / ceiling),
            scripts: [
                redis::Script::new(ACQUIRE),
                redis::Script::new(BLOCKED),
                redis::Script::new(SUCCESS),
                redis::Script::new(THROTTLED),
            ],
            lowered: Mutex::new(HashMap::new()),
        }
    }

    fn key(&self, key: &str) -> String {
        self.state.key(&format!("rate:{key}"))
    }

    fn error(&self, e: &redis::RedisError) -> Error {
        Error::new(ErrorKind::Transport(TransportErrorKind::Connect)).with_message(format!(
            "rate limit unavailable ({}); nothing was sent",
            self.state.error("rate limit", e)
        ))
    }

    fn note_rate(&self, key: &str, rate_milli: i64) {
        let below = (rate_milli as f64) < self.ceiling * 1000.0 - 0.5;
        let mut lowered = self.lowered.lock().unwrap_or_else(PoisonError::into_inner);
        if below {
            lowered.insert(key.to_owned(), true);
        } else {
            lowered.remove(key);
        }
    }
}

#[async_trait]
impl RateLimitStore for RedisRateLimiter {
    fn per_second(&self) -> u32 {
        self.ceiling as u32
    }

    async fn acquire_n(&self, key: &str, n: u32) -> Result<Permit, Error> {
        let hash = self.key(key);
        let mut conn = self.state.conn.clone();
        loop {
            let (wait, generation, rate): (i64, u64, i64) = self.scripts[0]
                .key(&hash)
                .arg(n.max(1))
                .arg(self.ceiling)
                .arg(self.tolerance.as_micros() as u64)
                // An idle key is forgotten after a minute; its state is then the default.
                .arg(60_000)
                .invoke_async(&mut conn)
                .await
                .map_err(|e| self.error(&e))?;
            self.note_rate(key, rate);
            if wait <= 0 {
                return Ok(Permit::new(key, generation));
            }
            tokio::time::sleep(Duration::from_micros(wait as u64)).await;
            // A `Retry-After` that arrived while this caller slept holds it too.
            let blocked: i64 = self.scripts[1]
                .key(&hash)
                .invoke_async(&mut conn)
                .await
                .map_err(|e| self.error(&e))?;
            if blocked <= 0 {
                return Ok(Permit::new(key, generation));
            }
        }
    }

    async fn on_success(&self, permit: &Permit) {
        let lowered = self
            .lowered
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(permit.key());
        if !lowered {
            return;
        }
        let mut conn = self.state.conn.clone();
        match self.scripts[2]
            .key(self.key(permit.key()))
            .arg(RECOVERY_PER_SUCCESS)
            .arg(self.ceiling)
            .invoke_async::<i64>(&mut conn)
            .await
        {
            Ok(rate) => self.note_rate(permit.key(), rate),
            Err(e) => tracing::warn!(error = %e, "rate limit: a success could not be recorded"),
        }
    }

    async fn on_throttled(&self, permit: &Permit, retry_after: Option<Duration>) {
        let mut conn = self.state.conn.clone();
        let after = retry_after.map_or(-1, |d| d.as_micros() as i64);
        match self.scripts[3]
            .key(self.key(permit.key()))
            .arg(permit.generation())
            .arg(DECREASE)
            .arg(FLOOR)
            .arg(self.tolerance.as_micros() as u64)
            .arg(after)
            .invoke_async::<i64>(&mut conn)
            .await
        {
            Ok(rate) => self.note_rate(permit.key(), rate),
            Err(e) => tracing::warn!(error = %e, "rate limit: a throttle could not be recorded"),
        }
    }
}
