//! waba's shared state on Redis, so that several replicas keep the guarantees one process
//! keeps in memory:
//!
//! - [`RedisDedupStore`]: webhook de-duplication, one atomic `SET NX EX` per id;
//! - [`RedisRateLimiter`]: the rate limit per sending number as GCRA in one Lua script,
//!   adapting to the provider's throttling;
//! - [`RedisWindow`]: the 24-hour customer window, one key per business number and
//!   customer that expires with the window;
//! - [`RedisInbox`]: the queue between receivers and handlers on a Redis Stream with a
//!   consumer group: receivers append each verified webhook before they answer 200, workers
//!   acknowledge after the handler succeeds, claim what a dead worker left pending, and move
//!   an event that failed too often to a dead-letter stream with its error.
//!
//! Everything goes through one [`RedisState`], a connection manager that reconnects by
//! itself: while Redis is down every call fails fast with an error (the receiver answers
//! 503, a send fails with a retryable error before anything leaves), and works again once
//! Redis is back, without a restart.
//!
//! ```no_run
//! # async fn run() -> Result<(), waba_redis::StateError> {
//! use std::sync::Arc;
//! use waba_redis::{InboxConfig, RedisState};
//! use waba_webhook::receiver::Receiver;
//! use waba_webhook::{CloudDecoder, HubSignature};
//!
//! let state = RedisState::connect("redis://127.0.0.1:6379").await?;
//! let inbox = Arc::new(state.inbox(InboxConfig::default()));
//! let (router, _) = Receiver::builder(CloudDecoder, HubSignature::new("app-secret"))
//!     .inbox(inbox.clone())
//!     .build();
//! // Any number of processes: workers share the stream's consumer group.
//! let worker = inbox.worker("worker-1").await?;
//! tokio::spawn(worker.run(64, |received| async move {
//!     println!("{:?}", received.event);
//!     Ok::<(), std::io::Error>(())
//! }));
//! # drop(router); Ok(()) }
//! ```

mod dedup;
mod inbox;
#[cfg(feature = "local-server")]
mod local;
mod rate;
mod state;
mod window;

pub use dedup::RedisDedupStore;
pub use inbox::{InboxConfig, RedisInbox, Worker};
#[cfg(feature = "local-server")]
pub use local::LocalRedis;
pub use rate::RedisRateLimiter;
pub use state::{RedisState, StateError};
pub use window::RedisWindow;
