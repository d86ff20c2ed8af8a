//! An adapter that lives outside the `waba` facade: the fictional provider **Acme**.
//!
//! It is laid out as every adapter of the workspace, and is what `docs/adding-a-provider.md`
//! walks through:
//!
//! - `wire.rs`: Acme's JSON;
//! - `codec.rs`: sans-IO, unified message → request, answer → receipt or error;
//! - `errors.rs`: Acme's error codes → [`ErrorKind`](waba_core::ErrorKind)s;
//! - `config.rs`: [`AcmeConfig`] and [`SPEC`], the adapter as data;
//! - this file: the [`Provider`], and the `build` function [`SPEC`] points to.
//!
//! An application registers it with one line and configures it as any provider
//! (`WABA_PROVIDER=acme`, `WABA_ACME_API_KEY`, `WABA_ACME_BASE_URL`):
//!
//! ```no_run
//! # fn run() -> Result<(), waba_core::Error> {
//! let config = waba::Providers::builtin()
//!     .with(&waba_provider_acme::SPEC)
//!     .load(None)?;
//! let client = config.client()?;
//! let receiving = config.receiver()?; // its webhooks: decoder and verifier
//! # Ok(()) }
//! ```
//!
//! Its tests run the conformance suite of `waba-testkit` against `waba-sandbox`, with a
//! small emulation of Acme mounted into the sandbox (`tests/emulation/mod.rs`).

mod codec;
mod config;
pub mod errors;
mod wire;

use async_trait::async_trait;
use waba_auth::Auth;
use waba_core::{
    Capabilities, ContentKinds, Error, Executor, HttpTransport, Provider, ProviderId, SendReceipt,
    SharedProvider, SharedTransport,
};
#[cfg(feature = "reqwest")]
use waba_transport_reqwest::ReqwestTransport;
use waba_types::{ContentKind, OutboundMessage};

pub use codec::Codec;
pub use config::{AcmeConfig, DEFAULT_BASE_URL, ID, SPEC};

/// The header Acme reads its API key from.
pub const KEY_HEADER: &str = "X-Acme-Key";

/// Acme as a [`Provider`]: text and template messages, with a client reference.
#[derive(Debug)]
pub struct AcmeProvider {
    codec: Codec,
    executor: Executor,
    capabilities: Capabilities,
}

impl AcmeProvider {
    /// An adapter over the default transport (reqwest).
    #[cfg(feature = "reqwest")]
    pub fn new(config: &AcmeConfig) -> Result<Self, Error> {
        Self::with_transport(config, ReqwestTransport::new()?)
    }

    /// An adapter over any transport.
    pub fn with_transport(
        config: &AcmeConfig,
        transport: impl HttpTransport,
    ) -> Result<Self, Error> {
        let (key, base) = config.check()?;
        let executor = Executor::new(ID, SharedTransport::new(transport))
            .with_auth(Auth::api_key(KEY_HEADER, key)?.shared());
        let mut capabilities = Capabilities::sending(
            [ContentKind::Text, ContentKind::Template]
                .into_iter()
                .collect::<ContentKinds>(),
        );
        // Acme has no reply field.
        capabilities.reply_to = ContentKinds::NONE;
        capabilities.client_reference = true;
        Ok(Self {
            codec: Codec::new(&base)?,
            executor,
            capabilities,
        })
    }
}

#[async_trait]
impl Provider for AcmeProvider {
    fn id(&self) -> ProviderId {
        ID
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    async fn send(&self, message: &OutboundMessage) -> Result<SendReceipt, Error> {
        // Refuse what the wire cannot carry before encoding: no field is dropped silently.
        self.capabilities
            .admits(message)
            .map_err(|e| e.with_provider(ID))?;
        let response = self
            .executor
            .execute(self.codec.encode_send(message)?)
            .await?;
        self.codec.decode_send(&response)
    }
}

/// Builds the adapter from configuration for [`SPEC`]: the default transport (feature
/// `reqwest`) when none is given, else a configuration error saying to pass one.
fn build(
    get: waba_core::spec::Lookup<'_>,
    transport: Option<SharedTransport>,
) -> Result<SharedProvider, Error> {
    let config = AcmeConfig::from_lookup(get)?;
    Ok(SharedProvider::new(match transport {
        Some(transport) => AcmeProvider::with_transport(&config, transport)?,
        #[cfg(feature = "reqwest")]
        None => AcmeProvider::new(&config)?,
        #[cfg(not(feature = "reqwest"))]
        None => return Err(waba_core::spec::no_default_transport()),
    }))
}
