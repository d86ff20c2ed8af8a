#![doc = include_str!("../README.md")]
// docs.rs builds with `--cfg docsrs` (see Cargo.toml): items behind a feature get a badge.
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # Overview
//!
//! The waba adapter for the generic "WhatsApp Business API v2".
//!
//! Text goes by `POST /send-message`, media (by public HTTPS link) by `POST /send-media`,
//! templates by `POST /messages` with a Cloud-style body; `GET /message-status` is
//! [`Provider::message`]. Bearer auth. Its webhooks are Meta's Cloud format: decode them
//! with `waba_webhook::CloudDecoder` and check `X-Hub-Signature-256` over the raw body with
//! `waba_webhook::HubSignature`. The seed's sample code signs re-serialised JSON, which
//! breaks on the first escaped character: waba never does.
//!
//! Limits checked before sending: text ≤ 4,096 characters, captions ≤ 1,024, HTTPS media
//! URLs; the seed's 50 messages a second is `waba_core::Client`'s default rate limit.
//!
//! ```no_run
//! use waba_auth::SecretString;
//! use waba_core::{Client, ProviderExt, SharedProvider};
//! use waba_provider_generic_v2::{GenericV2Config, GenericV2Provider};
//!
//! # async fn run() -> Result<(), waba_core::Error> {
//! let provider = GenericV2Provider::new(
//!     GenericV2Config::new().with_base_url("https://bsp.example.com/v2").with_access_token(SecretString::from("…")),
//! )?;
//! let client = Client::new(SharedProvider::new(provider));
//! client.send_text("+14155552671".parse().unwrap(), "Hello! This is an *important message*.").await?;
//!
//! // Receiving: the webhook body, checked over its raw bytes, then decoded.
//! use waba_webhook::{CloudDecoder, HubSignature, Verifier, WebhookDecoder, WebhookRequest};
//! # let (headers, body) = (http::HeaderMap::new(), Vec::<u8>::new());
//! let request = WebhookRequest::post(&headers, &body);
//! HubSignature::new("app-secret").map_err(|e| waba_core::Error::config(e.to_string()))?.verify(&request).map_err(|e| waba_core::Error::config(e.to_string()))?;
//! for decoded in CloudDecoder.decode(&request).map_err(|e| waba_core::Error::decode(e.to_string()))?.events {
//!     println!("{:?}", decoded.event);
//! }
//! # Ok(()) }
//! ```
//!
//! Not publicly documented (choices made here): any real host (the seed's
//! `api.whatsapp.com/v2` serves no such API: the base URL is required in practice); the
//! `/send-media` answer (assumed the same as `/send-message`); the name of the error field
//! of a failed status; the full template URL (`{base}/messages`); a file name for documents
//! (the route has none: the URL's is used); `reply_to` for media (the route has none).
//! Error codes follow Meta's meanings, not the seed's table: its 131030 ("invalid or expired
//! access token") is Meta's "recipient not in the allowed list", and its 132000, 133000 and
//! 134000 are not Meta's phone-format, rate-limit and template codes (190, 130429, 132001).
//! We map by what the provider returns: Meta's table for Meta's codes, the HTTP status otherwise.

mod codec;
mod config;
mod errors;
mod wire;

use async_trait::async_trait;
use waba_auth::Auth;
use waba_core::{
    Capabilities, ContentKinds, Error, Executor, HttpTransport, MessageRecord, Provider,
    ProviderId, SendReceipt, SharedTransport,
};
#[cfg(feature = "reqwest")]
use waba_transport_reqwest::ReqwestTransport;
use waba_types::{ContentKind, MessageId, OutboundMessage};

pub use codec::Codec;
pub use config::{DEFAULT_BASE_URL, GenericV2Config, ID, SPEC};

/// The v2 API as a [`Provider`].
#[derive(Debug)]
pub struct GenericV2Provider {
    codec: Codec,
    executor: Executor,
    capabilities: Capabilities,
}

impl GenericV2Provider {
    /// An adapter over the default transport (reqwest).
    #[cfg(feature = "reqwest")]
    #[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
    #[allow(
        clippy::needless_pass_by_value,
        reason = "the same call shape as every adapter's"
    )]
    pub fn new(config: GenericV2Config) -> Result<Self, Error> {
        Self::with_transport(config, ReqwestTransport::new()?)
    }

    /// An adapter over any transport.
    #[allow(
        clippy::needless_pass_by_value,
        reason = "the same call shape as every adapter's"
    )]
    pub fn with_transport(
        config: GenericV2Config,
        transport: impl HttpTransport,
    ) -> Result<Self, Error> {
        let (token, base) = config.check()?;
        let executor = Executor::new(crate::ID, SharedTransport::new(transport))
            .with_auth(Auth::bearer(token)?.shared());
        let kinds = [
            ContentKind::Text,
            ContentKind::Image,
            ContentKind::Video,
            ContentKind::Audio,
            ContentKind::Document,
            ContentKind::Sticker,
            ContentKind::Template,
        ];
        let mut capabilities = Capabilities::sending(kinds.into_iter().collect::<ContentKinds>());
        capabilities.message_lookup = true;
        // Only `/send-message` has a reply field; the media and template routes have none.
        capabilities.reply_to = ContentKinds::NONE.with(ContentKind::Text);
        // Templates only: `/messages` takes Meta's `recipient`; the simple routes do not.
        capabilities.user_ids = true;
        Ok(Self {
            codec: Codec::new(&base),
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
impl Provider for GenericV2Provider {
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

    async fn message(&self, id: &MessageId) -> Result<MessageRecord, Error> {
        let response = self.executor.execute(self.codec.encode_status(id)?).await?;
        self.codec.decode_status(&response)
    }
}

/// Builds the adapter from configuration for [`SPEC`]: the default transport (feature
/// `reqwest`) when none is given, else a configuration error saying to pass one.
fn build(
    get: waba_core::spec::Lookup<'_>,
    transport: Option<waba_core::SharedTransport>,
) -> Result<waba_core::SharedProvider, Error> {
    let config = GenericV2Config::from_lookup(get)?;
    Ok(waba_core::SharedProvider::new(match transport {
        Some(transport) => GenericV2Provider::with_transport(config, transport)?,
        #[cfg(feature = "reqwest")]
        None => GenericV2Provider::new(config)?,
        #[cfg(not(feature = "reqwest"))]
        None => return Err(waba_core::spec::no_default_transport()),
    }))
}
