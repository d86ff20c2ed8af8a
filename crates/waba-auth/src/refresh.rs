//! Tokens that expire: [`TokenSource`] fetches one, [`RefreshingToken`] caches it and
//! refreshes it in time, once for any number of concurrent callers.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use secrecy::SecretString;
use tokio::time::Instant;
use waba_core::{AuthTicket, Error, ErrorKind};

use crate::credential::{Credential, CredentialSource};

/// The default refresh margin: refresh this long before the token expires, for tokens that
/// live long enough (see [`MAX_MARGIN_SHARE`]).
pub const DEFAULT_MARGIN: Duration = Duration::from_secs(5 * 60);

/// The largest share of a token's lifetime the margin may take: a tenth. A token is used
/// for at least 90 % of its lifetime whatever it is (2 s or 7 days), so steady traffic
/// fetches one token per lifetime, never one per request.
pub const MAX_MARGIN_SHARE: f64 = 0.1;

/// A token as a [`TokenSource`] returns it.
pub struct Token {
    value: SecretString,
    lifetime: Option<Duration>,
}

impl Token {
    /// A token valid for `lifetime` from now.
    pub fn new(value: SecretString, lifetime: Duration) -> Self {
        Self {
            value,
            lifetime: Some(lifetime),
        }
    }

    /// A token valid until `expires_at` (EnableX's `expiry`, on-prem's `expires_after`).
    /// A time already past gives a token that is refreshed at its next use.
    pub fn expiring_at(value: SecretString, expires_at: SystemTime) -> Self {
        let lifetime = expires_at
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO);
        Self::new(value, lifetime)
    }

    /// A token that does not expire by time (only by a 401).
    pub fn without_expiry(value: SecretString) -> Self {
        Self {
            value,
            lifetime: None,
        }
    }

    /// Its lifetime from when it was fetched.
    pub fn lifetime(&self) -> Option<Duration> {
        self.lifetime
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("value", &"[redacted]")
            .field("lifetime", &self.lifetime)
            .finish()
    }
}

/// Fetches a fresh token from a provider: EnableX's Token API, the on-prem login.
/// The adapter implements it; [`RefreshingToken`] decides when to call it.
#[async_trait]
pub trait TokenSource: fmt::Debug + Send + Sync + 'static {
    /// Fetches a new token.
    async fn fetch(&self) -> Result<Token, Error>;

    /// Revokes `token` on the provider (the on-prem logout). Sources without a logout call
    /// keep this default, which does nothing.
    async fn revoke(&self, token: &SecretString) -> Result<(), Error> {
        let _ = token;
        Ok(())
    }
}

struct Cached {
    credential: Arc<Credential>,
    generation: u64,
    refresh_at: Option<Instant>,
    expires_at: Option<Instant>,
    invalid: bool,
}

impl Cached {
    /// Before the refresh point: use it without asking.
    fn fresh(&self, now: Instant) -> bool {
        !self.invalid && self.refresh_at.is_none_or(|t| now < t)
    }

    /// Not expired: still accepted by the provider, even if due for refresh.
    fn usable(&self, now: Instant) -> bool {
        !self.invalid && self.expires_at.is_none_or(|t| now < t)
    }
}

#[derive(Default)]
struct State {
    current: Option<Cached>,
    /// Refresh attempts finished, successful or not.
    attempts: u64,
    generation: u64,
    last_failure: Option<Error>,
}

/// A cached token from a [`TokenSource`], refreshed before it expires.
///
/// - The refresh point is `margin` before expiry (default [`DEFAULT_MARGIN`]), the margin
///   scaled down to a tenth of the lifetime ([`MAX_MARGIN_SHARE`]) when the token lives less
///   than ten margins: a 7-day token is refreshed 5 minutes before expiry, a 300 s one after
///   270 s, a 2 s one after 1.8 s. Each token serves 90 % of its lifetime or more, so there
///   is one token call per lifetime under any traffic.
/// - Single flight: however many callers find the token stale at once, the source is called
///   once and all of them get its result. A failure reaches every caller that waited for
///   that attempt as an [`ErrorKind::Auth`] error (an [`ErrorKind::Transport`] one when the
///   token endpoint could not be reached); the next call tries again.
/// - If a refresh fails while the old token has not yet expired, the old token is used.
/// - After a 401 ([`CredentialSource::invalidate`]) the token that got it is dropped; a
///   newer one fetched meanwhile is kept.
/// - [`logout`](Self::logout) revokes the token on the provider.
///
/// Times come from tokio's clock, so tests run on a paused clock.
pub struct RefreshingToken<S> {
    source: S,
    margin: Duration,
    state: Mutex<State>,
    refresh: tokio::sync::Mutex<()>,
}

impl<S: TokenSource> RefreshingToken<S> {
    /// A token from `source`, fetched at first use.
    pub fn new(source: S) -> Self {
        Self {
            source,
            margin: DEFAULT_MARGIN,
            state: Mutex::default(),
            refresh: tokio::sync::Mutex::new(()),
        }
    }

    /// Refresh this long before expiry (default [`DEFAULT_MARGIN`]), at most a tenth of the
    /// token's lifetime.
    #[must_use]
    pub fn with_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The token source.
    pub fn source(&self) -> &S {
        &self.source
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// When a token fetched at `now` for `lifetime` is due: a fixed margin alone would put
    /// the refresh point at the fetch itself for a token living less than the margin.
    fn refresh_point(&self, now: Instant, lifetime: Duration) -> Instant {
        let margin = self.margin.min(lifetime.mul_f64(MAX_MARGIN_SHARE));
        // The margin is at most a tenth of the lifetime: this never saturates.
        now + lifetime.saturating_sub(margin)
    }

    /// The current token, refreshed if stale.
    pub async fn token(&self) -> Result<(Arc<Credential>, AuthTicket), Error> {
        let seen = {
            let state = self.lock();
            if let Some(c) = &state.current
                && c.fresh(Instant::now())
            {
                return Ok((c.credential.clone(), AuthTicket(c.generation)));
            }
            state.attempts
        };
        let _flight = self.refresh.lock().await;
        {
            let state = self.lock();
            let now = Instant::now();
            let waited_for_attempt = state.attempts != seen;
            if let Some(c) = &state.current
                && !c.invalid
            {
                // A refresh that finished while this caller waited serves it too, even a
                // token already due again: it was fetched for this very batch of callers.
                let refreshed = waited_for_attempt && state.last_failure.is_none();
                if refreshed || c.fresh(now) || (waited_for_attempt && c.usable(now)) {
                    return Ok((c.credential.clone(), AuthTicket(c.generation)));
                }
            }
            if waited_for_attempt && let Some(e) = &state.last_failure {
                return Err(e.replicate());
            }
        }
        let result = self.source.fetch().await;
        let now = Instant::now();
        let mut state = self.lock();
        state.attempts += 1;
        match result {
            Ok(token) => {
                state.generation += 1;
                let generation = state.generation;
                let credential = Arc::new(Credential::Token(token.value));
                state.current = Some(Cached {
                    credential: credential.clone(),
                    generation,
                    refresh_at: token.lifetime.map(|l| self.refresh_point(now, l)),
                    expires_at: token.lifetime.map(|l| now + l),
                    invalid: false,
                });
                state.last_failure = None;
                tracing::debug!(generation, lifetime = ?token.lifetime, "token refreshed");
                Ok((credential, AuthTicket(generation)))
            }
            Err(e) => {
                // A token call that never reached the provider says nothing about the
                // credentials: it keeps its transport kind (retryable; `config check` reports
                // the provider unreachable). Every other failure is an auth error.
                let kind = match e.kind() {
                    ErrorKind::Transport(k) => ErrorKind::Transport(*k),
                    _ => ErrorKind::Auth,
                };
                let error = Error::new(kind)
                    .with_message(format!("could not obtain a token: {e}"))
                    .with_source(e);
                state.last_failure = Some(error.replicate());
                if let Some(c) = &state.current
                    && c.usable(now)
                {
                    tracing::warn!(error = %error, "token refresh failed; using the current token until it expires");
                    return Ok((c.credential.clone(), AuthTicket(c.generation)));
                }
                Err(error)
            }
        }
    }

    /// Revokes the current token on the provider ([`TokenSource::revoke`]) and forgets it;
    /// the next request logs in again.
    pub async fn logout(&self) -> Result<(), Error> {
        let _flight = self.refresh.lock().await;
        let current = self.lock().current.take();
        match current.as_ref().map(|c| c.credential.as_ref()) {
            Some(Credential::Token(token)) => self.source.revoke(token).await,
            _ => Ok(()),
        }
    }
}

impl<S: fmt::Debug> fmt::Debug for RefreshingToken<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("RefreshingToken")
            .field("source", &self.source)
            .field("margin", &self.margin)
            .field("cached", &state.current.is_some())
            .field("generation", &state.generation)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl<S: TokenSource> CredentialSource for RefreshingToken<S> {
    async fn credential(&self) -> Result<(Arc<Credential>, AuthTicket), Error> {
        self.token().await
    }

    fn invalidate(&self, ticket: AuthTicket) -> bool {
        let mut state = self.lock();
        if let Some(c) = &mut state.current
            && c.generation == ticket.0
        {
            c.invalid = true;
        }
        true
    }

    fn refreshable(&self) -> bool {
        true
    }
}
