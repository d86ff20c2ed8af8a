//! Webhook de-duplication shared by every receiver.

use std::time::Duration;

use async_trait::async_trait;
use waba_webhook::{DedupStore, StoreError};

use crate::state::RedisState;

/// A [`DedupStore`] on Redis: one `SET key 1 NX EX ttl` per id, atomic across replicas,
/// so of two receivers given the same webhook exactly one sees it first. Keys expire by
/// themselves; Redis's own memory limit bounds them.
#[derive(Debug, Clone)]
pub struct RedisDedupStore {
    state: RedisState,
}

impl RedisDedupStore {
    pub(crate) fn new(state: RedisState) -> Self {
        Self { state }
    }
}

#[async_trait]
impl DedupStore for RedisDedupStore {
    async fn insert_if_absent(&self, key: &str, ttl: Duration) -> Result<bool, StoreError> {
        let mut conn = self.state.conn.clone();
        let set: Option<String> = redis::cmd("SET")
            .arg(self.state.key(&format!("dedup:{key}")))
            .arg(1)
            .arg("NX")
            .arg("EX")
            .arg(ttl.as_secs().max(1))
            .query_async(&mut conn)
            .await
            .map_err(|e| StoreError(self.state.error("SET NX", &e).to_string()))?;
        Ok(set.is_some())
    }
}
