#![doc = include_str!("../README.md")]
// docs.rs builds with `--cfg docsrs` (see Cargo.toml): items behind a feature get a badge.
#![cfg_attr(docsrs, feature(doc_cfg))]

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
