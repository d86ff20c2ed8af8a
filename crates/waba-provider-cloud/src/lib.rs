#![doc = include_str!("../README.md")]
// docs.rs builds with `--cfg docsrs` (see Cargo.toml): items behind a feature get a badge.
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # Overview
//!
//! The waba adapter for Meta's WhatsApp Cloud API.
//!
//! Sends every content kind (and, through [`CloudProvider::send_raw`], kinds waba does not
//! model yet), uploads and downloads media, marks messages read and shows the typing
//! indicator, and lists templates. Bearer auth from `waba-auth`; the Graph API version is
//! pinned in [`CloudConfig`]. Webhooks: `waba_webhook::CloudDecoder` with
//! `waba_webhook::HubSignature`.
//!
//! ```no_run
//! use waba_auth::SecretString;
//! use waba_core::{Client, ProviderExt, SharedProvider};
//! use waba_provider_cloud::{CloudConfig, CloudProvider};
//!
//! # async fn run() -> Result<(), waba_core::Error> {
//! let provider = CloudProvider::new(
//!     CloudConfig::new()
//!         .with_access_token(SecretString::from("EAAG…"))
//!         .with_phone_number_id("106540352242922"),
//! )?;
//! let client = Client::new(SharedProvider::new(provider));
//! client.send_text("+16315551002".parse().unwrap(), "Hello from waba").await?;
//! # Ok(()) }
//! ```
//!
//! Layout, as every adapter: `wire.rs` (the JSON), `codec.rs` (sans-IO requests and
//! responses), `errors.rs` (codes → kinds), `config.rs`, and this file (the `Provider`).

mod codec;
mod config;
pub mod errors;
mod wire;

use async_trait::async_trait;
use waba_auth::Auth;
use waba_core::{
    Capabilities, ContentKinds, Error, Executor, HttpTransport, MediaDownload, MediaUpload,
    Provider, ProviderId, SendReceipt, SharedTransport, TemplateInfo,
};
#[cfg(feature = "reqwest")]
use waba_transport_reqwest::ReqwestTransport;
use waba_types::{MediaId, MessageId, OutboundMessage, PhoneNumber};

pub use codec::Codec;
pub use config::{CloudConfig, DEFAULT_API_VERSION, DEFAULT_BASE_URL, ID, SPEC};

/// The Cloud API as a [`Provider`].
#[derive(Debug)]
pub struct CloudProvider {
    codec: Codec,
    executor: Executor,
    capabilities: Capabilities,
    waba_id: Option<String>,
}

impl CloudProvider {
    /// An adapter over the default transport (reqwest).
    #[cfg(feature = "reqwest")]
    #[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
    pub fn new(config: CloudConfig) -> Result<Self, Error> {
        Self::with_transport(config, ReqwestTransport::new()?)
    }

    /// An adapter over any transport.
    pub fn with_transport(
        config: CloudConfig,
        transport: impl HttpTransport,
    ) -> Result<Self, Error> {
        let (token, phone_number_id) = config.check()?;
        let codec = Codec::new(&config.base_url, &config.api_version, &phone_number_id)?;
        let executor = Executor::new(crate::ID, SharedTransport::new(transport))
            .with_auth(Auth::bearer(token)?.shared());
        let mut capabilities = Capabilities::sending(ContentKinds::all());
        capabilities.upload_media = true;
        capabilities.download_media = true;
        capabilities.mark_read = true;
        capabilities.typing_indicator = true;
        capabilities.client_reference = true;
        capabilities.list_templates = true;
        capabilities.send_raw = true;
        capabilities.user_ids = true;
        Ok(Self {
            codec,
            executor,
            capabilities,
            waba_id: config.waba_id,
        })
    }

    /// The codec, for building requests without sending them.
    pub fn codec(&self) -> &Codec {
        &self.codec
    }

    /// The business account's templates (needs the WABA id in the configuration).
    pub async fn templates(&self) -> Result<Vec<TemplateInfo>, Error> {
        let waba = self.waba_id.as_deref().ok_or_else(|| {
            Error::config("listing templates needs the WABA id (WABA_CLOUD_WABA_ID)")
        })?;
        let response = self
            .executor
            .execute(self.codec.encode_templates(waba)?)
            .await?;
        self.codec.decode_templates(&response)
    }
}

#[async_trait]
impl Provider for CloudProvider {
    fn id(&self) -> ProviderId {
        crate::ID
    }

    async fn list_templates(&self) -> Result<Vec<TemplateInfo>, Error> {
        self.templates().await
    }

    /// `{"type": kind, kind: object}` on the messages route.
    async fn send_raw(
        &self,
        to: &PhoneNumber,
        kind: &str,
        object: &serde_json::Value,
    ) -> Result<SendReceipt, Error> {
        let response = self
            .executor
            .execute(self.codec.encode_raw(to, kind, object)?)
            .await?;
        self.codec.decode_send(&response)
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    async fn send(&self, message: &OutboundMessage) -> Result<SendReceipt, Error> {
        // Refuse what the wire cannot carry before encoding: no field is dropped silently.
        self.capabilities()
            .admits(message)
            .map_err(|e| e.with_provider(crate::ID))?;
        let response = self
            .executor
            .execute(self.codec.encode_send(message)?)
            .await?;
        self.codec.decode_send(&response)
    }

    async fn upload_media(&self, upload: MediaUpload) -> Result<MediaId, Error> {
        let response = self
            .executor
            .execute(self.codec.encode_upload(&upload)?)
            .await?;
        self.codec.decode_upload(&response)
    }

    async fn download_media(&self, id: &MediaId) -> Result<MediaDownload, Error> {
        let response = self
            .executor
            .execute(self.codec.encode_media_lookup(id)?)
            .await?;
        let (url, mime) = self.codec.decode_media_lookup(&response)?;
        let response = self
            .executor
            .execute(self.codec.encode_download(&url)?)
            .await?;
        self.codec.decode_download(response, mime)
    }

    async fn mark_read(&self, id: &MessageId) -> Result<(), Error> {
        let response = self
            .executor
            .execute(self.codec.encode_read(id, false)?)
            .await?;
        self.codec.decode_success(&response)
    }

    async fn typing_indicator(&self, id: &MessageId) -> Result<(), Error> {
        let response = self
            .executor
            .execute(self.codec.encode_read(id, true)?)
            .await?;
        self.codec.decode_success(&response)
    }
}

/// Builds the adapter from configuration for [`SPEC`]: the default transport (feature
/// `reqwest`) when none is given, else a configuration error saying to pass one.
fn build(
    get: waba_core::spec::Lookup<'_>,
    transport: Option<waba_core::SharedTransport>,
) -> Result<waba_core::SharedProvider, Error> {
    let config = CloudConfig::from_lookup(get)?;
    Ok(waba_core::SharedProvider::new(match transport {
        Some(transport) => CloudProvider::with_transport(config, transport)?,
        #[cfg(feature = "reqwest")]
        None => CloudProvider::new(config)?,
        #[cfg(not(feature = "reqwest"))]
        None => return Err(waba_core::spec::no_default_transport()),
    }))
}
