//! The 24-hour customer window shared by every sender.

use async_trait::async_trait;
use waba_core::{Error, ErrorKind, TransportErrorKind, WINDOW, WindowStore, window_key};

use crate::state::RedisState;

/// Keeps the later of the stored and the given time, expiring the key when the window
/// closes; a time whose window has already closed stores nothing.
const WROTE: &str = r"
local at = tonumber(ARGV[1])
local ends = at + tonumber(ARGV[2])
local now = tonumber(redis.call('TIME')[1])
if ends <= now then return 0 end
local cur = tonumber(redis.call('GET', KEYS[1]))
if cur and cur >= at then return 0 end
redis.call('SET', KEYS[1], at, 'EXAT', ends)
return 1
";

/// A [`WindowStore`] on Redis: one key per business number and customer holding when the
/// customer last wrote, expiring when the window closes (Redis's clock), so a message
/// received by one replica opens the window for the senders of every replica.
#[derive(Debug, Clone)]
pub struct RedisWindow {
    state: RedisState,
    prefix: String,
    wrote: redis::Script,
}

impl RedisWindow {
    pub(crate) fn new(state: RedisState, business: &str) -> Self {
        let prefix = state.key(&format!("window:{business}:"));
        Self {
            state,
            prefix,
            wrote: redis::Script::new(WROTE),
        }
    }

    fn key(&self, customer: &str) -> String {
        format!("{}{}", self.prefix, window_key(customer))
    }

    fn error(&self, what: &str, e: &redis::RedisError) -> Error {
        Error::new(ErrorKind::Transport(TransportErrorKind::Connect)).with_message(format!(
            "customer window unavailable ({}); nothing was sent",
            self.state.error(what, e)
        ))
    }
}

#[async_trait]
impl WindowStore for RedisWindow {
    async fn customer_wrote(&self, customer: &str, unix_secs: u64) -> Result<(), Error> {
        let mut conn = self.state.conn.clone();
        let _: i64 = self
            .wrote
            .key(self.key(customer))
            .arg(unix_secs)
            .arg(WINDOW.as_secs())
            .invoke_async(&mut conn)
            .await
            .map_err(|e| self.error("window update", &e))?;
        Ok(())
    }

    async fn last_wrote(&self, customer: &str) -> Result<Option<u64>, Error> {
        let mut conn = self.state.conn.clone();
        redis::cmd("GET")
            .arg(self.key(customer))
            .query_async(&mut conn)
            .await
            .map_err(|e| self.error("GET", &e))
    }

    async fn close(&self, customer: &str) -> Result<(), Error> {
        let mut conn = self.state.conn.clone();
        let _: i64 = redis::cmd("DEL")
            .arg(self.key(customer))
            .query_async(&mut conn)
            .await
            .map_err(|e| self.error("DEL", &e))?;
        Ok(())
    }
}
