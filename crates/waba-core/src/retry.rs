//! When and how long to wait before trying an operation again.

use std::time::Duration;

use crate::error::Error;

/// The retry policy of a [`crate::Client`].
///
/// Only errors whose kind is retryable are retried ([`Error::is_retryable`]), at most
/// `max_attempts` times in all, waiting an exponentially growing, jittered backoff, or
/// `Retry-After` when the provider gave a longer one. Being throttled
/// ([`ErrorKind::RateLimited`](crate::ErrorKind::RateLimited)) is not a failure of the
/// request and spends no attempt: the client waits (`Retry-After`, or the rate limiter's
/// lowered rate) and tries again, for at most `max_throttle_wait`. A message send whose failure
/// [`maybe_delivered`](Error::maybe_delivered) is not retried unless
/// `retry_maybe_delivered` is set, since it could reach the customer twice.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included. Default 3; 1 disables retries.
    pub max_attempts: u32,
    /// The wait before the first retry. Default 200 ms.
    pub initial_backoff: Duration,
    /// The longest wait between attempts. Default 10 s.
    pub max_backoff: Duration,
    /// Randomise each wait between half and all of it, so that many clients do not retry
    /// in step. Default on.
    pub jitter: bool,
    /// The longest `Retry-After` honoured; a longer one fails the operation at once.
    /// Default 60 s.
    pub max_retry_after: Duration,
    /// Retry sends that may already have been delivered (a possible duplicate message).
    /// Default off.
    pub retry_maybe_delivered: bool,
    /// How long one operation keeps waiting and retrying after its first throttle before it
    /// fails with the rate-limit error. Default 5 minutes; zero fails at the first throttle.
    pub max_throttle_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            jitter: true,
            max_retry_after: Duration::from_secs(60),
            retry_maybe_delivered: false,
            max_throttle_wait: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// No retries at all, not even after a throttle.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            max_throttle_wait: Duration::ZERO,
            ..Self::default()
        }
    }

    /// The default policy with `max_attempts` attempts.
    pub fn attempts(max_attempts: u32) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            ..Self::default()
        }
    }

    /// Sets whether possibly delivered sends are retried.
    #[must_use]
    pub fn with_retry_maybe_delivered(mut self, yes: bool) -> Self {
        self.retry_maybe_delivered = yes;
        self
    }

    /// Sets the backoff bounds.
    #[must_use]
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// Sets how long an operation keeps retrying after being throttled.
    #[must_use]
    pub fn with_max_throttle_wait(mut self, wait: Duration) -> Self {
        self.max_throttle_wait = wait;
        self
    }

    /// Sets jitter.
    #[must_use]
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// How long to wait after failed attempt number `attempt` (1-based) before the next,
    /// or `None` when the operation must not be retried. `idempotent` operations may be
    /// retried even when their request may have been acted on.
    pub fn next_delay(&self, error: &Error, attempt: u32, idempotent: bool) -> Option<Duration> {
        if attempt >= self.max_attempts || !error.is_retryable() {
            return None;
        }
        if error.maybe_delivered() && !idempotent && !self.retry_maybe_delivered {
            return None;
        }
        let backoff = self.backoff(attempt);
        match error.retry_after() {
            Some(after) if after > self.max_retry_after => None,
            Some(after) => Some(after.max(backoff)),
            None => Some(backoff),
        }
    }

    /// The backoff after attempt `attempt` (1-based): `initial × 2^(attempt−1)`, capped,
    /// and with jitter between half and all of it.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(30);
        let base = self
            .initial_backoff
            .saturating_mul(1 << exp)
            .min(self.max_backoff);
        if self.jitter {
            let half = base / 2;
            half + half.mul_f64(fastrand::f64())
        } else {
            base
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::transport::TransportErrorKind;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = RetryPolicy::default().with_jitter(false);
        assert_eq!(p.backoff(1), Duration::from_millis(200));
        assert_eq!(p.backoff(2), Duration::from_millis(400));
        assert_eq!(p.backoff(3), Duration::from_millis(800));
        assert_eq!(p.backoff(40), Duration::from_secs(10));
    }

    #[test]
    fn jitter_stays_between_half_and_all() {
        let p = RetryPolicy::default();
        for _ in 0..1000 {
            let d = p.backoff(2);
            assert!(
                d >= Duration::from_millis(200) && d <= Duration::from_millis(400),
                "{d:?}"
            );
        }
    }

    #[test]
    fn what_is_retried() {
        let p = RetryPolicy::attempts(3).with_jitter(false);
        let server = Error::new(ErrorKind::Server);
        assert_eq!(
            p.next_delay(&server, 1, false),
            Some(Duration::from_millis(200))
        );
        assert_eq!(p.next_delay(&server, 3, false), None, "attempt limit");
        assert_eq!(p.next_delay(&Error::new(ErrorKind::Auth), 1, false), None);
        let timeout = Error::new(ErrorKind::Transport(TransportErrorKind::Timeout))
            .with_maybe_delivered(true);
        assert_eq!(p.next_delay(&timeout, 1, false), None, "maybe delivered");
        assert!(p.next_delay(&timeout, 1, true).is_some(), "idempotent");
        assert!(
            p.clone()
                .with_retry_maybe_delivered(true)
                .next_delay(&timeout, 1, false)
                .is_some()
        );
        let throttled = Error::new(ErrorKind::RateLimited {
            retry_after: Some(Duration::from_secs(5)),
        });
        assert_eq!(
            p.next_delay(&throttled, 1, false),
            Some(Duration::from_secs(5))
        );
        let too_long = Error::new(ErrorKind::RateLimited {
            retry_after: Some(Duration::from_secs(600)),
        });
        assert_eq!(p.next_delay(&too_long, 1, false), None);
    }
}
