#![doc = include_str!("../README.md")]
// docs.rs builds with `--cfg docsrs` (see Cargo.toml): items behind a feature get a badge.
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # Overview
//!
//! The waba adapter for the EnableX WhatsApp Business API.
//!
//! Both auth modes: HTTP Basic with the project's APP ID and APP KEY (the default), or a
//! bearer token from the Token API (`POST /token`, a 60-minute token whose `expiry` is read)
//! through `waba-auth`'s `RefreshingToken`. Sends every kind EnableX lists with its
//! on-prem-style body (`language.policy: deterministic`), reads `{"status": "processing",
//! "message_id"}`, passes Meta's codes through to the error kinds, and creates and lists
//! templates. Webhooks: `waba_webhook::EnableXDecoder` (the flat shape with
//! `business_phone`, or the Cloud envelope), optionally checked with
//! `waba_webhook::RequiredHeaders::basic` when the portal's HTTP authentication is on.
//!
//! ```no_run
//! use waba_auth::SecretString;
//! use waba_core::{Client, ProviderExt, SharedProvider};
//! use waba_provider_enablex::{AuthMode, EnableXConfig, EnableXProvider};
//!
//! # async fn run() -> Result<(), waba_core::Error> {
//! let provider = EnableXProvider::new(EnableXConfig::new().with_app("app-id", SecretString::from("…")).with_auth(AuthMode::Token))?;
//! let client = Client::new(SharedProvider::new(provider));
//! client.send_template("+919876543210".parse().unwrap(), "order_update", "en", ["A-1001"]).await?;
//!
//! // Receiving: with the portal's HTTP authentication on, check its Basic credentials.
//! use waba_webhook::{EnableXDecoder, RequiredHeaders, Verifier, WebhookDecoder, WebhookRequest};
//! # let (headers, body) = (http::HeaderMap::new(), Vec::<u8>::new());
//! let request = WebhookRequest::post(&headers, &body);
//! RequiredHeaders::basic("hook-user", "hook-password").map_err(|e| waba_core::Error::config(e.to_string()))?.verify(&request).map_err(|e| waba_core::Error::config(e.to_string()))?;
//! for decoded in EnableXDecoder.decode(&request).map_err(|e| waba_core::Error::decode(e.to_string()))?.events {
//!     println!("{:?}", decoded.event);
//! }
//! # Ok(()) }
//! ```
//!
//! Not publicly documented (choices made here): the webhook payloads (decoded as on-prem
//! flat with `business_phone`, or the Cloud envelope); the per-type session JSON (Meta's
//! on-prem objects); whether `from` is needed (sent only when configured); HTTP statuses of
//! success and failure (any 2xx is success; the auth body is recognised by content); the
//! template list and create answers (read leniently); media routes (not offered);
//! reactions (not listed by EnableX, not offered).

mod codec;
mod config;
mod errors;
mod wire;

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use async_trait::async_trait;
use waba_auth::{Auth, ExposeSecret, RefreshingToken, SecretString, Token, TokenSource};
use waba_core::{
    Capabilities, ContentKinds, Error, Executor, HttpTransport, Provider, ProviderId, SendReceipt,
    SharedTransport, TemplateInfo,
};
#[cfg(feature = "reqwest")]
use waba_transport_reqwest::ReqwestTransport;
use waba_types::{ContentKind, OutboundMessage};

pub use codec::Codec;
pub use config::{AuthMode, DEFAULT_BASE_URL, EnableXConfig, ID, SPEC};

/// The Token API as a [`TokenSource`].
#[derive(Debug)]
pub struct TokenApi {
    codec: Codec,
    transport: SharedTransport,
    app_id: String,
    app_key: SecretString,
}

#[async_trait]
impl TokenSource for TokenApi {
    async fn fetch(&self) -> Result<Token, Error> {
        let request = self
            .codec
            .encode_token(&self.app_id, self.app_key.expose_secret())?;
        let response = Executor::new(crate::ID, self.transport.clone())
            .execute(request)
            .await?;
        let (token, expiry) = self.codec.decode_token(&response)?;
        let value = SecretString::from(token);
        Ok(match expiry {
            Some(at) => Token::expiring_at(value, UNIX_EPOCH + Duration::from_secs(at)),
            None => Token::new(value, Duration::from_secs(3600)),
        })
    }
}

/// EnableX as a [`Provider`].
#[derive(Debug)]
pub struct EnableXProvider {
    codec: Codec,
    executor: Executor,
    capabilities: Capabilities,
}

impl EnableXProvider {
    /// An adapter over the default transport (reqwest).
    #[cfg(feature = "reqwest")]
    #[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
    pub fn new(config: EnableXConfig) -> Result<Self, Error> {
        Self::with_transport(config, ReqwestTransport::new()?)
    }

    /// An adapter over any transport.
    pub fn with_transport(
        config: EnableXConfig,
        transport: impl HttpTransport,
    ) -> Result<Self, Error> {
        let (base, app_id, app_key) = config.check()?;
        let transport = SharedTransport::new(transport);
        let codec = Codec::new(&base, config.from);
        let auth = match config.mode {
            AuthMode::Basic => Auth::basic(app_id, app_key)?,
            AuthMode::Token => {
                let source = TokenApi {
                    codec: codec.clone(),
                    transport: transport.clone(),
                    app_id,
                    app_key,
                };
                Auth::refreshing_bearer(Arc::new(RefreshingToken::new(source)))
            }
        };
        let executor = Executor::new(crate::ID, transport).with_auth(auth.shared());
        let mut capabilities =
            Capabilities::sending(ContentKinds::all().without(ContentKind::Reaction));
        // `from` is a field of every send body: a message's own sender goes there.
        capabilities.sender_per_message = true;
        capabilities.list_templates = true;
        capabilities.create_template = true;
        Ok(Self {
            codec,
            executor,
            capabilities,
        })
    }

    /// The codec.
    pub fn codec(&self) -> &Codec {
        &self.codec
    }

    /// The project's templates.
    pub async fn templates(&self) -> Result<Vec<TemplateInfo>, Error> {
        let response = self
            .executor
            .execute(self.codec.encode_templates()?)
            .await?;
        self.codec.decode_templates(&response)
    }
}

#[async_trait]
impl Provider for EnableXProvider {
    fn id(&self) -> ProviderId {
        crate::ID
    }

    async fn list_templates(&self) -> Result<Vec<TemplateInfo>, Error> {
        self.templates().await
    }

    async fn create_template(
        &self,
        definition: &serde_json::Value,
    ) -> Result<serde_json::Value, Error> {
        let response = self
            .executor
            .execute(self.codec.encode_create_template(definition)?)
            .await?;
        self.codec.decode_json(&response)
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
}

/// Builds the adapter from configuration for [`SPEC`]: the default transport (feature
/// `reqwest`) when none is given, else a configuration error saying to pass one.
fn build(
    get: waba_core::spec::Lookup<'_>,
    transport: Option<waba_core::SharedTransport>,
) -> Result<waba_core::SharedProvider, Error> {
    let config = EnableXConfig::from_lookup(get)?;
    Ok(waba_core::SharedProvider::new(match transport {
        Some(transport) => EnableXProvider::with_transport(config, transport)?,
        #[cfg(feature = "reqwest")]
        None => EnableXProvider::new(config)?,
        #[cfg(not(feature = "reqwest"))]
        None => return Err(waba_core::spec::no_default_transport()),
    }))
}
