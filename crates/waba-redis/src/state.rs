//! The connection every store shares.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::dedup::RedisDedupStore;
use crate::inbox::{InboxConfig, RedisInbox};
use crate::rate::RedisRateLimiter;
use crate::window::RedisWindow;

/// How long connecting may take before a call fails (and Redis counts as down).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a command may wait for its answer. Blocking stream reads use their own
/// connection and wait longer.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);

/// Redis could not be used: the URL is malformed, or the server did not answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("redis at {url}: {message}")]
pub struct StateError {
    /// The server's URL, password masked.
    pub url: String,
    /// What failed.
    pub message: String,
}

/// A handle on one Redis server, shared by the stores it makes; cheap to clone.
///
/// Keys are prefixed (default `waba`) so that several applications can share a server.
#[derive(Clone)]
pub struct RedisState {
    pub(crate) client: redis::Client,
    pub(crate) conn: ConnectionManager,
    pub(crate) url: String,
    pub(crate) prefix: String,
}

impl std::fmt::Debug for RedisState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisState")
            .field("url", &self.url)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// `url` with any password replaced by `***`.
pub(crate) fn mask(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or("", |(u, _)| u);
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_owned(),
    }
}

pub(crate) fn manager_config() -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_connection_timeout(Some(CONNECT_TIMEOUT))
        .set_response_timeout(Some(RESPONSE_TIMEOUT))
        .set_number_of_retries(1)
}

impl RedisState {
    /// Connects to `url` (`redis://[user:password@]host:port[/db]`) and checks that the
    /// server answers. Fails with an error naming the URL when it is malformed or the server
    /// cannot be reached now; once connected, a lost connection is re-established by
    /// itself.
    pub async fn connect(url: &str) -> Result<Self, StateError> {
        let masked = mask(url);
        let fail = |message: String| StateError {
            url: masked.clone(),
            message,
        };
        let client =
            redis::Client::open(url).map_err(|e| fail(format!("not a valid Redis URL: {e}")))?;
        let mut conn = tokio::time::timeout(
            CONNECT_TIMEOUT + RESPONSE_TIMEOUT,
            client.get_connection_manager_with_config(manager_config()),
        )
        .await
        .map_err(|_| fail("cannot connect: timed out".to_owned()))?
        .map_err(|e| fail(format!("cannot connect: {e}")))?;
        let _: String = redis::cmd("PING")
            .query_async(&mut conn)
            .await
            .map_err(|e| fail(format!("no answer to PING: {e}")))?;
        Ok(Self {
            client,
            conn,
            url: masked,
            prefix: "waba".to_owned(),
        })
    }

    /// Prefixes every key with `prefix` instead of `waba`.
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// The server's URL, password masked.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A webhook de-duplication store.
    pub fn dedup_store(&self) -> RedisDedupStore {
        RedisDedupStore::new(self.clone())
    }

    /// The customer windows of the business number `business` (its phone number id or
    /// number; any stable name).
    pub fn window(&self, business: &str) -> RedisWindow {
        RedisWindow::new(self.clone(), business)
    }

    /// A rate limit of `per_second` messages a second per sending number, in bursts of at
    /// most `burst`, shared by every sender using this server and prefix.
    pub fn rate_limiter(&self, per_second: u32, burst: u32) -> RedisRateLimiter {
        RedisRateLimiter::new(self.clone(), per_second, burst)
    }

    /// The durable inbox.
    pub fn inbox(&self, config: InboxConfig) -> RedisInbox {
        RedisInbox::new(self.clone(), config)
    }

    /// `prefix:part`.
    pub(crate) fn key(&self, part: &str) -> String {
        format!("{}:{part}", self.prefix)
    }

    /// An error naming this server.
    pub(crate) fn error(&self, what: &str, e: &redis::RedisError) -> StateError {
        StateError {
            url: self.url.clone(),
            message: format!("{what}: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_masked() {
        assert_eq!(
            super::mask("redis://app:s3cret@cache:6379/2"),
            "redis://app:***@cache:6379/2"
        );
        assert_eq!(
            super::mask("redis://:s3cret@cache:6379"),
            "redis://:***@cache:6379"
        );
        assert_eq!(
            super::mask("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379"
        );
    }
}
