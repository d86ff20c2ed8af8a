#![doc = include_str!("../README.md")]
// docs.rs builds with `--cfg docsrs` (see Cargo.toml): items behind a feature get a badge.
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # Overview
//!
//! The transport-agnostic core of waba.
//!
//! - [`Provider`]: the one trait every adapter implements (Cloud, on-prem, Tujenge,
//!   EnableX, Mobile Gateway, generic v2, or yours), used as [`SharedProvider`].
//! - [`HttpTransport`]: the one-method HTTP seam ([`SharedTransport`]); reqwest and hyper
//!   implementations live in their own crates.
//! - [`Executor`]: what adapters run their requests through (auth via [`RequestAuth`],
//!   one refresh on 401, tracing with phone numbers masked).
//! - [`Client`]: validation, retries, rate limits and broadcast over any provider.
//! - [`Error`]: one error type whose [`ErrorKind`] tells whose fault it is, whether to retry,
//!   and whether the message may have been delivered.
//!
//! ```
//! use std::sync::Arc;
//! use waba_core::{Capabilities, ContentKinds, Error, Provider, ProviderId, SendReceipt};
//! use waba_types::{DeliveryStatus, OutboundMessage};
//!
//! /// A provider that accepts every text message.
//! #[derive(Debug)]
//! struct Echo(Capabilities);
//!
//! #[async_trait::async_trait]
//! impl Provider for Echo {
//!     fn id(&self) -> ProviderId { ProviderId::new("echo") }
//!     fn capabilities(&self) -> &Capabilities { &self.0 }
//!     async fn send(&self, m: &OutboundMessage) -> Result<SendReceipt, Error> {
//!         Ok(SendReceipt { id: "m-1".into(), status: DeliveryStatus::Accepted, wa_id: None, provider: self.id() })
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Error> {
//! use waba_core::{Client, ProviderExt};
//! let caps = Capabilities::sending(ContentKinds::NONE.with(waba_types::ContentKind::Text));
//! let client = Client::new(waba_core::SharedProvider::new(Echo(caps)));
//! let receipt = client.send_text("+16315551002".parse().unwrap(), "Hello").await?;
//! assert_eq!(receipt.id.as_str(), "m-1");
//! # Ok(()) }
//! ```

mod client;
mod error;
mod executor;
mod ext;
mod provider;
mod rate_limit;
mod retry;
pub mod spec;
mod transport;
mod window;

pub use client::{Client, ClientBuilder, DEFAULT_BROADCAST_CONCURRENCY, DEFAULT_RATE_PER_SECOND};
pub use error::{
    BoxError, Error, ErrorKind, Refinement, classify_response, classify_status, retry_after,
};
pub use executor::{AuthTicket, Executor, RequestAuth};
pub use ext::ProviderExt;
pub use provider::{
    BroadcastOutcome, Capabilities, ContactCheck, ContactStatus, ContentKinds, Direction,
    MediaDownload, MediaUpload, MessageRecord, Provider, ProviderId, SendReceipt, SharedProvider,
    TemplateInfo, WebhookSettings,
};
pub use rate_limit::{
    DECREASE, FLOOR, Permit, RECOVERY_PER_SUCCESS, RateLimitStore, RateLimiter, RateStats,
};
pub use retry::RetryPolicy;
pub use spec::{ConfigKey, KeyKind, ProviderSpec, WebhookAuth, WebhookSpec};
pub use transport::{HttpTransport, SharedTransport, TransportError, TransportErrorKind};
pub use window::{CustomerWindow, WINDOW, WindowStore, window_key};

/// Re-exported so adapters and users name one version.
pub use waba_types as types;
pub use {async_trait::async_trait, bytes, http};
