#![doc = include_str!("../README.md")]
// docs.rs builds with `--cfg docsrs` (see Cargo.toml): items behind a feature get a badge.
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # Overview
//!
//! WhatsApp Business messaging through any provider: one [`Client`], and switching provider
//! is changing configuration.
//!
//! | provider | feature | crate | auth | webhooks |
//! |---|---|---|---|---|
//! | Meta Cloud API | `cloud` (default) | `waba-provider-cloud` | Bearer | Cloud envelope, `X-Hub-Signature-256` |
//! | Meta on-prem client | `onprem` | `waba-provider-onprem` | login token (refreshed), API key for health | on-prem flat, unsigned |
//! | Tujenge | `tujenge` | `waba-provider-tujenge` | `WA-API-KEY` | on-prem flat, custom headers |
//! | EnableX | `enablex` | `waba-provider-enablex` | Basic or Token API (refreshed) | flat with `business_phone`, optional Basic |
//! | Mobile Gateway | `mobile-gateway` | `waba-provider-mobile-gateway` | Basic | MO and DLR callbacks, unsigned |
//! | generic v2 | `generic-v2` | `waba-provider-generic-v2` | Bearer | Cloud envelope, `X-Hub-Signature-256` |
//!
//! Transports: `reqwest` (default; each adapter's `new` and `Config`'s default) and `hyper`
//! (`Config` uses it when `reqwest` is off); [`transport`] re-exports them. An adapter that
//! lives elsewhere is registered with [`Providers::with`].
//!
//! Other features: `webhook` (default; decoding and verification), `axum` (the receiver),
//! `sandbox` (the local simulator), `redis` (shared state for several replicas: `state =
//! "redis"`, see `waba-redis`), `all-providers`.
//!
//! ```no_run
//! use waba::{Config, ProviderExt};
//!
//! # async fn run() -> Result<(), waba::Error> {
//! // WABA_PROVIDER=cloud WABA_CLOUD_ACCESS_TOKEN=… WABA_CLOUD_PHONE_NUMBER_ID=…
//! let client = Config::load(None)?.client()?;
//! let receipt = client.send_text("+16315551002".parse().unwrap(), "Your order shipped").await?;
//! println!("sent as {}", receipt.id);
//! # Ok(()) }
//! ```

mod config;
mod providers;
#[cfg(feature = "webhook")]
mod receiving;

pub use config::{
    Config, ConfigError, DEFAULT_FILE, Origin, Resolved, StateBackend, provider_names, spec,
};
pub use providers::*;
#[cfg(feature = "webhook")]
pub use receiving::Receiving;
pub use waba_core::{
    BroadcastOutcome, Capabilities, Client, ClientBuilder, CustomerWindow, Error, ErrorKind,
    Provider, ProviderExt, ProviderId, ProviderSpec, RetryPolicy, SendReceipt, SharedProvider,
};
pub use waba_types::{
    Content, DeliveryStatus, Event, InboundContent, MessageId, OutboundMessage, PhoneNumber,
};
pub use {waba_auth as auth, waba_core as core, waba_types as types};

#[cfg(feature = "redis")]
pub use waba_redis as redis;
#[cfg(feature = "sandbox")]
pub use waba_sandbox as sandbox;
#[cfg(feature = "webhook")]
pub use waba_webhook as webhook;

/// HTTP transports: what adapters send through ([`HttpTransport`](transport::HttpTransport)),
/// and the two this crate offers, each behind its feature.
pub mod transport {
    pub use waba_core::{HttpTransport, SharedTransport};
    #[cfg(feature = "hyper")]
    pub use waba_transport_hyper::HyperTransport;
    #[cfg(feature = "reqwest")]
    pub use waba_transport_reqwest::ReqwestTransport;
}
