#![doc = include_str!("../README.md")]
// docs.rs builds with `--cfg docsrs` (see Cargo.toml): items behind a feature get a badge.
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # Overview
//!
//! The waba adapter for Meta's on-premises WhatsApp Business API client, and the base of
//! the adapters for proxies in front of it (Tujenge).
//!
//! - Auth: a login token (`POST /v1/users/login` with Basic credentials; 7 days, read from
//!   `expires_after`) through `waba-auth`'s `RefreshingToken`, so it is refreshed before it
//!   expires and once after a 401; [`OnPremProvider::logout`] revokes it. The health route
//!   takes the `WA_API_KEY` instead (12 to 128 characters, checked when configured).
//! - Every content kind the on-prem API documents except reactions (not documented for
//!   on-prem), media by link or by uploaded id, templates with `namespace` and
//!   `language.policy`, group messages where the deployment has them, mark-as-read, media
//!   upload (raw body) and download, the contacts check, and health.
//! - `meta.api_status` of `deprecated` or `experimental` is reported as a `tracing` warning.
//! - Webhooks: `waba_webhook::OnPremDecoder`. The on-prem client does not sign them:
//!   protect the route (a secret path, mTLS).
//!
//! ```no_run
//! use waba_auth::SecretString;
//! use waba_core::{Client, ProviderExt, SharedProvider};
//! use waba_provider_onprem::{OnPremConfig, OnPremProvider};
//!
//! # async fn run() -> Result<(), waba_core::Error> {
//! let provider = OnPremProvider::new(
//!     OnPremConfig::new()
//!         .with_base_url("https://wa.example.internal:9090")
//!         .with_login("admin", SecretString::from("…"))
//!         .with_namespace("abcd_1234_namespace"),
//! )?;
//! let client = Client::new(SharedProvider::new(provider));
//! client.send_text("+16315551002".parse().unwrap(), "Hello from waba").await?;
//! # Ok(()) }
//! ```
//!
//! Not publicly documented (choices made here): how `WA_API_KEY` is presented (default
//! `Authorization: Bearer <key>`, configurable); whether logout revokes one token or all
//! (only the caller's is relied on); reactions on on-prem (not offered); the full
//! 1xxx/2xxx error table (unknown codes keep their code and title).

mod codec;
mod config;
pub mod errors;
mod login;
mod wire;

use std::sync::Arc;

use async_trait::async_trait;
use waba_auth::{Auth, RefreshingToken};
use waba_core::{
    Capabilities, ContactCheck, ContentKinds, Error, Executor, HttpTransport, MediaDownload,
    MediaUpload, Provider, ProviderId, SendReceipt, SharedTransport,
};
#[cfg(feature = "reqwest")]
use waba_transport_reqwest::ReqwestTransport;
use waba_types::{ContentKind, MediaId, MessageId, OutboundMessage, PhoneNumber};

pub use codec::{Blocking, Codec};
pub use config::{API_KEY_MAX, API_KEY_MIN, ID, OnPremConfig, SPEC};
pub use login::{DEFAULT_LIFETIME, LoginSource, parse_datetime};

/// What the on-prem API offers; `groups` as the deployment says.
pub fn capabilities(groups: bool) -> Capabilities {
    let mut c = Capabilities::sending(ContentKinds::all().without(ContentKind::Reaction));
    c.upload_media = true;
    c.download_media = true;
    c.mark_read = true;
    c.check_contacts = true;
    c.groups = groups;
    c
}

/// The on-prem API as a [`Provider`].
#[derive(Debug)]
pub struct OnPremProvider {
    codec: Codec,
    executor: Executor,
    health: Option<Executor>,
    token: Option<Arc<RefreshingToken<LoginSource>>>,
    capabilities: Capabilities,
}

impl OnPremProvider {
    /// An adapter over the default transport (reqwest).
    #[cfg(feature = "reqwest")]
    #[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
    pub fn new(config: OnPremConfig) -> Result<Self, Error> {
        Self::with_transport(config, ReqwestTransport::new()?)
    }

    /// An adapter over any transport.
    pub fn with_transport(
        config: OnPremConfig,
        transport: impl HttpTransport,
    ) -> Result<Self, Error> {
        let transport = SharedTransport::new(transport);
        let base = config.base_url()?;
        let (user, password) = config.login()?;
        let api_key = config.api_key()?;
        let OnPremConfig {
            namespace,
            api_key_header,
            groups,
            ..
        } = config;
        let codec = Codec::new(&base, namespace, crate::ID)?;
        let login = LoginSource::new(codec.clone(), &user, password, transport.clone(), crate::ID)?;
        let token = Arc::new(RefreshingToken::new(login));
        let executor = Executor::new(crate::ID, transport.clone())
            .with_auth(Auth::refreshing_bearer(token.clone()).shared());
        let health = match api_key {
            None => None,
            Some(key) => {
                let auth = match &api_key_header {
                    Some(header) => Auth::api_key(header, key)?,
                    None => Auth::bearer(key)?,
                };
                Some(Executor::new(crate::ID, transport).with_auth(auth.shared()))
            }
        };
        let mut capabilities = capabilities(groups);
        // The health route takes the API key, not the login token.
        capabilities.health = health.is_some();
        Ok(Self {
            codec,
            executor,
            health,
            token: Some(token),
            capabilities,
        })
    }

    /// The codec, for building requests without sending them.
    pub fn codec(&self) -> &Codec {
        &self.codec
    }

    /// The executor the adapter sends through.
    pub fn executor(&self) -> &Executor {
        &self.executor
    }

    /// Revokes the login token (`POST /v1/users/logout`); the next request logs in again.
    pub async fn logout(&self) -> Result<(), Error> {
        match &self.token {
            Some(token) => token.logout().await,
            None => Err(Error::unsupported("logout").with_provider(self.codec.provider().clone())),
        }
    }

    /// The contacts check with its options: `blocking` and `force_check` (bypass the cache).
    pub async fn check_contacts_with(
        &self,
        numbers: &[PhoneNumber],
        blocking: Blocking,
        force_check: bool,
    ) -> Result<Vec<ContactCheck>, Error> {
        let response = self
            .executor
            .execute(self.codec.encode_contacts(numbers, blocking, force_check)?)
            .await?;
        self.codec.decode_contacts(&response)
    }
}

#[async_trait]
impl Provider for OnPremProvider {
    fn id(&self) -> ProviderId {
        self.codec.provider().clone()
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    /// `GET /v1/health` with the API key (`WABA_ONPREM_API_KEY`): without it the capability
    /// is off.
    async fn health(&self) -> Result<serde_json::Value, Error> {
        let executor = self.health.as_ref().ok_or_else(|| {
            Error::unsupported("health")
                .with_provider(self.codec.provider().clone())
                .with_message("the health route needs the API key (WABA_ONPREM_API_KEY)")
        })?;
        let response = executor.execute(self.codec.encode_health()?).await?;
        self.codec.decode_health(&response)
    }

    async fn send(&self, message: &OutboundMessage) -> Result<SendReceipt, Error> {
        // Refuse what the wire cannot carry before encoding: no field is dropped silently.
        self.capabilities()
            .admits(message)
            .map_err(|e| e.with_provider(self.id()))?;
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
            .execute(self.codec.encode_download(id)?)
            .await?;
        self.codec.decode_download(response)
    }

    async fn mark_read(&self, id: &MessageId) -> Result<(), Error> {
        let response = self.executor.execute(self.codec.encode_read(id)?).await?;
        self.codec.decode_empty(&response, self.codec.provider())
    }

    async fn check_contacts(&self, numbers: &[PhoneNumber]) -> Result<Vec<ContactCheck>, Error> {
        self.check_contacts_with(numbers, Blocking::Wait, false)
            .await
    }
}

/// Builds the adapter from configuration for [`SPEC`]: the default transport (feature
/// `reqwest`) when none is given, else a configuration error saying to pass one.
fn build(
    get: waba_core::spec::Lookup<'_>,
    transport: Option<waba_core::SharedTransport>,
) -> Result<waba_core::SharedProvider, Error> {
    let config = OnPremConfig::from_lookup(get)?;
    Ok(waba_core::SharedProvider::new(match transport {
        Some(transport) => OnPremProvider::with_transport(config, transport)?,
        #[cfg(feature = "reqwest")]
        None => OnPremProvider::new(config)?,
        #[cfg(not(feature = "reqwest"))]
        None => return Err(waba_core::spec::no_default_transport()),
    }))
}
