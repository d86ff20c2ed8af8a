#![doc = include_str!("../README.md")]
// docs.rs builds with `--cfg docsrs` (see Cargo.toml): items behind a feature get a badge.
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # Overview
//!
//! The waba adapter for the Mobile Gateway "WAB" REST API (the same platform as Modica's and
//! ezitxt's WhatsApp APIs), which relays Meta's Cloud API.
//!
//! `POST /messages` (answered 202 with `[{id, status, reference}]`), the provider's own
//! fan-out `POST /messages/broadcast` (one outcome per destination), media upload
//! (`POST /media?source=`, multipart) and download, and `GET /messages?id=` as
//! [`Provider::message`], with the record's JSON-in-a-string `content` decoded. HTTP Basic
//! auth. Webhooks: the MO and DLR callbacks, `waba_webhook::MobileGatewayDecoder` (content
//! as an object, a JSON string, or base64); they are not signed.
//!
//! ```no_run
//! use waba_auth::SecretString;
//! use waba_core::{Client, ProviderExt, SharedProvider};
//! use waba_provider_mobile_gateway::{MobileGatewayConfig, MobileGatewayProvider};
//!
//! # async fn run() -> Result<(), waba_core::Error> {
//! let provider = MobileGatewayProvider::new(
//!     MobileGatewayConfig::new()
//!         .with_base_url("https://api.example.com/rest/wab/v1")
//!         .with_credentials("user", SecretString::from("…"))
//!         .with_source("1234567890"),
//! )?;
//! let client = Client::new(SharedProvider::new(provider));
//! client.send_text("+64123456789".parse().unwrap(), "Hello").await?;
//!
//! // Receiving: the MO and DLR callbacks (unsigned: protect the route), decoded.
//! use waba_webhook::{MobileGatewayDecoder, WebhookDecoder, WebhookRequest};
//! # let (headers, body) = (http::HeaderMap::new(), Vec::<u8>::new());
//! for decoded in MobileGatewayDecoder.decode(&WebhookRequest::post(&headers, &body)).map_err(|e| waba_core::Error::decode(e.to_string()))?.events {
//!     println!("{:?}", decoded.event);
//! }
//! # Ok(()) }
//! ```
//!
//! Not publicly documented (choices made here): the recipient field (`destination` by
//! default, `to` configurable); the bodies of non-text types (Meta's Cloud objects are
//! sent, as the stored records show); whether `reference` can be set in the request (it is
//! sent from `client_reference`); the `/source` and `/status` endpoints (not used); whether
//! DLRs ever report `read` (the decoder keeps any status); callback security and retries;
//! where Meta's error code sits in a 400 (read from the error text).

mod codec;
mod config;
pub mod errors;
mod wire;

use async_trait::async_trait;
use waba_auth::Auth;
use waba_core::{
    BroadcastOutcome, Capabilities, ContentKinds, Error, Executor, HttpTransport, MediaDownload,
    MediaUpload, MessageRecord, Provider, ProviderId, SendReceipt, SharedTransport,
};
#[cfg(feature = "reqwest")]
use waba_transport_reqwest::ReqwestTransport;
use waba_types::{Content, MediaId, MessageId, OutboundMessage, PhoneNumber};

pub use codec::Codec;
pub use config::{ID, MobileGatewayConfig, RecipientField, SPEC};

/// The WAB REST API as a [`Provider`].
#[derive(Debug)]
pub struct MobileGatewayProvider {
    codec: Codec,
    executor: Executor,
    capabilities: Capabilities,
}

impl MobileGatewayProvider {
    /// An adapter over the default transport (reqwest).
    #[cfg(feature = "reqwest")]
    #[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
    pub fn new(config: MobileGatewayConfig) -> Result<Self, Error> {
        Self::with_transport(config, ReqwestTransport::new()?)
    }

    /// An adapter over any transport.
    #[allow(
        clippy::needless_pass_by_value,
        reason = "the same call shape as every adapter's"
    )]
    pub fn with_transport(
        config: MobileGatewayConfig,
        transport: impl HttpTransport,
    ) -> Result<Self, Error> {
        let (base, user, password, source) = config.check()?;
        let executor = Executor::new(crate::ID, SharedTransport::new(transport))
            .with_auth(Auth::basic(user, password)?.shared());
        let mut capabilities = Capabilities::sending(ContentKinds::all());
        capabilities.broadcast = true;
        // The send body (provider notes, section 4) has no reply or context field.
        capabilities.reply_to = ContentKinds::NONE;
        capabilities.upload_media = true;
        capabilities.download_media = true;
        capabilities.message_lookup = true;
        capabilities.client_reference = true;
        Ok(Self {
            codec: Codec::new(&base, &source, config.recipient_field),
            executor,
            capabilities,
        })
    }

    /// The codec.
    pub fn codec(&self) -> &Codec {
        &self.codec
    }
}

#[async_trait]
impl Provider for MobileGatewayProvider {
    fn id(&self) -> ProviderId {
        crate::ID
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

    async fn broadcast(
        &self,
        to: &[PhoneNumber],
        content: &Content,
    ) -> Result<Vec<BroadcastOutcome>, Error> {
        let response = self
            .executor
            .execute(self.codec.encode_broadcast(to, content)?)
            .await?;
        self.codec.decode_broadcast(to, &response)
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
            .execute(self.codec.encode_download(id)?)
            .await?;
        self.codec.decode_download(response)
    }

    async fn message(&self, id: &MessageId) -> Result<MessageRecord, Error> {
        let response = self
            .executor
            .execute(self.codec.encode_message(id)?)
            .await?;
        self.codec.decode_message(&response)
    }
}

/// Builds the adapter from configuration for [`SPEC`]: the default transport (feature
/// `reqwest`) when none is given, else a configuration error saying to pass one.
fn build(
    get: waba_core::spec::Lookup<'_>,
    transport: Option<waba_core::SharedTransport>,
) -> Result<waba_core::SharedProvider, Error> {
    let config = MobileGatewayConfig::from_lookup(get)?;
    Ok(waba_core::SharedProvider::new(match transport {
        Some(transport) => MobileGatewayProvider::with_transport(config, transport)?,
        #[cfg(feature = "reqwest")]
        None => MobileGatewayProvider::new(config)?,
        #[cfg(not(feature = "reqwest"))]
        None => return Err(waba_core::spec::no_default_transport()),
    }))
}
