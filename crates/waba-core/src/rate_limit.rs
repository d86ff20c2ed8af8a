//! A token-bucket rate limiter, one bucket per sending number.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Limits sends to `rate` messages per second per sending number, allowing bursts of
/// `burst` messages.
///
/// Waiting callers reserve their slot before they sleep, so the limit holds under any
/// concurrency and callers are served in arrival order. Uses tokio's clock, so tests run
/// it on a paused clock.
#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug)]
struct Bucket {
    /// May go negative: that many permits are reserved by waiting callers.
    tokens: f64,
    last: Instant,
}

impl RateLimiter {
    /// `per_second` messages a second, in bursts of at most `burst`. Both at least 1.
    pub fn new(per_second: u32, burst: u32) -> Self {
        Self {
            per_second: f64::from(per_second.max(1)),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The configured rate.
    pub fn per_second(&self) -> u32 {
        self.per_second as u32
    }

    /// Waits until one message may be sent from `key` (the sending number; `""` for the
    /// adapter's default number).
    pub async fn acquire(&self, key: &str) {
        self.acquire_n(key, 1).await;
    }

    /// Waits until `n` messages may be sent from `key`.
    pub async fn acquire_n(&self, key: &str, n: u32) {
        let wait = self.reserve(key, f64::from(n));
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    fn reserve(&self, key: &str, n: f64) -> Duration {
        let now = Instant::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let bucket = if let Some(b) = buckets.get_mut(key) {
            b
        } else {
            buckets.entry(key.to_owned()).or_insert(Bucket {
                tokens: self.burst,
                last: now,
            })
        };
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.last = now;
        bucket.tokens -= n;
        if bucket.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-bucket.tokens / self.per_second)
        }
    }
}
