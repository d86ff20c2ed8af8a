#![doc = include_str!("../README.md")]
// docs.rs builds with `--cfg docsrs` (see Cargo.toml): items behind a feature get a badge.
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # Overview
//!
//! The waba adapter for Tujenge: Meta's on-prem API behind an API-key proxy. A thin
//! composition over `waba-provider-onprem`, whose codec builds and reads every request;
//! this crate adds only what Tujenge adds:
//! - the `WA-API-KEY` header (one key, one phone number: a multi-number setup is several
//!   clients);
//! - the blocked paths ([`blacklist`]), refused before any request leaves, with an error
//!   naming the path and the rule;
//! - the webhook configuration route ([`TujengeProvider::set_webhook`], HTTPS only) with the
//!   custom headers Tujenge adds to every webhook (verify them with
//!   `waba_webhook::RequiredHeaders`; decode with `waba_webhook::OnPremDecoder`);
//! - Tujenge's own error bodies ([`errors`]);
//! - its limits, checked locally: template name ≤ 512 characters, template content ≤ 1,024,
//!   text ≤ 4,096, `preview_url` only with a URL in the text.
//!
//! ```no_run
//! use waba_auth::SecretString;
//! use waba_core::{Client, ProviderExt, SharedProvider};
//! use waba_provider_tujenge::{TujengeConfig, TujengeProvider};
//!
//! # async fn run() -> Result<(), waba_core::Error> {
//! let provider = TujengeProvider::new(TujengeConfig::new().with_api_key(SecretString::from("…")).with_namespace("ns"))?;
//! provider.set_webhook("https://bot.example.com/wa", &[("Authorization", "Basic dGVzdHVzZXI6dGVzdHBhc3M=")]).await?;
//! let client = Client::new(SharedProvider::new(provider));
//! client.send_text("+254712345678".parse().unwrap(), "Habari").await?;
//! # Ok(()) }
//! ```
//!
//! Not publicly documented (choices made here): the send-response shape (assumed on-prem);
//! whether `GET /v1/configs/webhook` and `/v1/configs/templates` exist (GET is offered;
//! templates are managed by Tujenge's team); the on-prem version behind the proxy.

pub mod blacklist;
pub mod codec;
mod config;
pub mod errors;
mod wire;

use async_trait::async_trait;
use bytes::Bytes;
use waba_auth::Auth;
use waba_core::{
    Capabilities, ContactCheck, Error, ErrorKind, Executor, HttpTransport, MediaDownload,
    MediaUpload, Provider, ProviderId, SendReceipt, SharedTransport, WebhookSettings,
};
use waba_provider_onprem::Codec;
#[cfg(feature = "reqwest")]
use waba_transport_reqwest::ReqwestTransport;
use waba_types::{
    Content, MediaId, MessageId, OutboundMessage, PhoneNumber, TemplateComponent, TemplateParameter,
};

pub use config::{DEFAULT_BASE_URL, DEFAULT_KEY_HEADER, ID, SPEC, TujengeConfig};
pub use wire::WebhookConfig;

/// Tujenge's limit on a template's content, characters (seed tujenge).
pub const TEMPLATE_CONTENT_MAX: usize = 1024;

/// Tujenge as a [`Provider`].
#[derive(Debug)]
pub struct TujengeProvider {
    codec: Codec,
    executor: Executor,
    base: String,
    capabilities: Capabilities,
}

impl TujengeProvider {
    /// An adapter over the default transport (reqwest).
    #[cfg(feature = "reqwest")]
    #[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
    pub fn new(config: TujengeConfig) -> Result<Self, Error> {
        Self::with_transport(config, ReqwestTransport::new()?)
    }

    /// An adapter over any transport.
    pub fn with_transport(
        config: TujengeConfig,
        transport: impl HttpTransport,
    ) -> Result<Self, Error> {
        let key = config.key()?;
        let auth = Auth::api_key(&config.key_header, key)?;
        let base = waba_core::spec::base_url(
            "the Tujenge base URL (WABA_TUJENGE_BASE_URL)",
            &config.base_url,
        )?
        .to_owned();
        let codec = Codec::new(&base, config.namespace, crate::ID)?;
        let executor =
            Executor::new(crate::ID, SharedTransport::new(transport)).with_auth(auth.shared());
        Ok(Self {
            codec,
            executor,
            base,
            capabilities: {
                let mut c = waba_provider_onprem::capabilities(true);
                c.webhook_settings = true;
                c
            },
        })
    }

    /// The on-prem codec it builds requests with.
    pub fn codec(&self) -> &Codec {
        &self.codec
    }

    /// Checks the path against the blocked list, sends, and reads Tujenge's own errors.
    async fn run(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, Error> {
        blacklist::check(request.uri().path())?;
        let response = self.executor.execute(request).await?;
        match errors::gateway_error(&response) {
            Some(e) => Err(e),
            None => Ok(response),
        }
    }

    /// Sets where webhooks go and the headers Tujenge adds to each.
    pub async fn set_webhook(
        &self,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<WebhookConfig, Error> {
        let config = WebhookConfig {
            url: url.to_owned(),
            headers: headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        };
        let response = self
            .run(codec::encode_set_webhook(&self.base, &config)?)
            .await?;
        codec::decode_webhook(&response)
    }

    /// The current webhook configuration.
    pub async fn webhook(&self) -> Result<WebhookConfig, Error> {
        let response = self.run(codec::encode_get_webhook(&self.base)?).await?;
        codec::decode_webhook(&response)
    }

    /// Any other on-prem route the proxy passes (stickerpacks, the business profile), as
    /// JSON; blocked paths never leave.
    pub async fn request(
        &self,
        method: http::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<serde_json::Value, Error> {
        blacklist::check(path)?;
        let uri: http::Uri = format!("{}{path}", self.base)
            .parse()
            .map_err(|_| Error::config(format!("{path} is not a valid path")))?;
        let mut r =
            http::Request::new(body.map_or_else(Bytes::new, |b| Bytes::from(b.to_string())));
        *r.method_mut() = method;
        *r.uri_mut() = uri;
        if body.is_some() {
            r.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
        }
        let response = self.run(r).await?;
        if !response.status().is_success() {
            return Err(waba_provider_onprem::errors::from_response(
                &crate::ID,
                &response,
            ));
        }
        serde_json::from_slice(response.body())
            .map_err(|e| Error::decode(e.to_string()).with_provider(crate::ID))
    }
}

/// Tujenge's template content limit, over a send's text parameters.
fn check_limits(message: &OutboundMessage) -> Result<(), Error> {
    let Content::Template(t) = &message.content else {
        return Ok(());
    };
    let chars: usize = t
        .components
        .iter()
        .flat_map(|c| match c {
            TemplateComponent::Header { parameters }
            | TemplateComponent::Body { parameters }
            | TemplateComponent::Button { parameters, .. } => parameters.iter(),
        })
        .map(|p| match p {
            TemplateParameter::Text { text } => text.chars().count(),
            _ => 0,
        })
        .sum();
    if chars > TEMPLATE_CONTENT_MAX {
        return Err(Error::new(ErrorKind::InvalidRequest { field: Some("content.components".into()) })
            .with_provider(crate::ID)
            .with_message(format!("content.components: {chars} characters of template content, the limit is {TEMPLATE_CONTENT_MAX}")));
    }
    Ok(())
}

#[async_trait]
impl Provider for TujengeProvider {
    fn id(&self) -> ProviderId {
        crate::ID
    }

    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    async fn set_webhook(&self, settings: &WebhookSettings) -> Result<WebhookSettings, Error> {
        let headers: Vec<(&str, &str)> = settings
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        TujengeProvider::set_webhook(self, &settings.url, &headers)
            .await
            .map(WebhookSettings::from)
    }

    async fn webhook(&self) -> Result<WebhookSettings, Error> {
        TujengeProvider::webhook(self)
            .await
            .map(WebhookSettings::from)
    }

    async fn send(&self, message: &OutboundMessage) -> Result<SendReceipt, Error> {
        // Refuse what the wire cannot carry before encoding: no field is dropped silently.
        self.capabilities()
            .admits(message)
            .map_err(|e| e.with_provider(crate::ID))?;
        check_limits(message)?;
        let response = self.run(self.codec.encode_send(message)?).await?;
        self.codec.decode_send(&response)
    }

    async fn upload_media(&self, upload: MediaUpload) -> Result<MediaId, Error> {
        let response = self.run(self.codec.encode_upload(&upload)?).await?;
        self.codec.decode_upload(&response)
    }

    async fn download_media(&self, id: &MediaId) -> Result<MediaDownload, Error> {
        let response = self.run(self.codec.encode_download(id)?).await?;
        self.codec.decode_download(response)
    }

    async fn mark_read(&self, id: &MessageId) -> Result<(), Error> {
        let response = self.run(self.codec.encode_read(id)?).await?;
        self.codec.decode_empty(&response, &crate::ID)
    }

    async fn check_contacts(&self, numbers: &[PhoneNumber]) -> Result<Vec<ContactCheck>, Error> {
        let request =
            self.codec
                .encode_contacts(numbers, waba_provider_onprem::Blocking::Wait, false)?;
        let response = self.run(request).await?;
        self.codec.decode_contacts(&response)
    }
}

/// Builds the adapter from configuration for [`SPEC`]: the default transport (feature
/// `reqwest`) when none is given, else a configuration error saying to pass one.
fn build(
    get: waba_core::spec::Lookup<'_>,
    transport: Option<waba_core::SharedTransport>,
) -> Result<waba_core::SharedProvider, Error> {
    let config = TujengeConfig::from_lookup(get)?;
    Ok(waba_core::SharedProvider::new(match transport {
        Some(transport) => TujengeProvider::with_transport(config, transport)?,
        #[cfg(feature = "reqwest")]
        None => TujengeProvider::new(config)?,
        #[cfg(not(feature = "reqwest"))]
        None => return Err(waba_core::spec::no_default_transport()),
    }))
}
