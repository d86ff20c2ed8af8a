//! [`TujengeConfig`].

use std::fmt;

use waba_auth::SecretString;
use waba_core::{ConfigKey, Error, KeyKind, ProviderId, ProviderSpec, WebhookAuth, WebhookSpec};

/// The adapter as data: configuration keys, construction and webhooks, for the `waba`
/// facade's provider list (see [`waba_core::ProviderSpec`]).
pub const SPEC: ProviderSpec = ProviderSpec {
    name: "tujenge",
    title: "Tujenge",
    keys: &[
        ConfigKey::required("api_key", "API key, sent in the key header").secret(),
        ConfigKey::optional(
            "namespace",
            "template namespace (templates are refused without it)",
        ),
        ConfigKey::optional("base_url", "base URL").kind(KeyKind::Url),
        ConfigKey::optional(
            "key_header",
            "header carrying the API key (default WA-API-KEY)",
        ),
    ],
    build: crate::build,
    webhook: WebhookSpec {
        format: "onprem",
        auth: WebhookAuth::Headers,
    },
};

/// The provider id of this adapter: its receipts and errors carry it; it is [`SPEC`]'s name.
pub const ID: ProviderId = ProviderId::from_static(SPEC.name);

/// Tujenge's API host.
pub const DEFAULT_BASE_URL: &str = "https://waba.tujenge.io";
/// The header the API key goes in.
pub const DEFAULT_KEY_HEADER: &str = "WA-API-KEY";

/// The Tujenge adapter's settings. One API key is one phone number: serve several numbers
/// with several clients.
///
/// | setting | environment variable | default |
/// |---|---|---|
/// | API key | `WABA_TUJENGE_API_KEY` | required |
/// | template namespace | `WABA_TUJENGE_NAMESPACE` | none (templates refused) |
/// | base URL | `WABA_TUJENGE_BASE_URL` | [`DEFAULT_BASE_URL`] |
/// | key header (360dialog's legacy API: `D360-API-KEY`) | `WABA_TUJENGE_KEY_HEADER` | [`DEFAULT_KEY_HEADER`] |
#[derive(Clone)]
#[must_use]
pub struct TujengeConfig {
    pub(crate) api_key: Option<SecretString>,
    pub(crate) namespace: Option<String>,
    pub(crate) base_url: String,
    pub(crate) key_header: String,
}

impl Default for TujengeConfig {
    fn default() -> Self {
        Self {
            api_key: None,
            namespace: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            key_header: DEFAULT_KEY_HEADER.to_owned(),
        }
    }
}

impl TujengeConfig {
    /// Settings with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Settings from `WABA_TUJENGE_*` environment variables.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Settings from any key lookup.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let d = Self::default();
        Ok(Self {
            api_key: get("WABA_TUJENGE_API_KEY").map(SecretString::from),
            namespace: get("WABA_TUJENGE_NAMESPACE"),
            base_url: get("WABA_TUJENGE_BASE_URL").unwrap_or(d.base_url),
            key_header: get("WABA_TUJENGE_KEY_HEADER").unwrap_or(d.key_header),
        })
    }

    /// The API key.
    pub fn with_api_key(mut self, key: SecretString) -> Self {
        self.api_key = Some(key);
        self
    }

    /// The template namespace.
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// The base URL.
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The key header.
    pub fn with_key_header(mut self, header: impl Into<String>) -> Self {
        self.key_header = header.into();
        self
    }

    pub(crate) fn key(&self) -> Result<SecretString, Error> {
        self.api_key
            .clone()
            .ok_or_else(|| Error::config("the Tujenge API key is missing (WABA_TUJENGE_API_KEY)"))
    }
}

impl fmt::Debug for TujengeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TujengeConfig")
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("namespace", &self.namespace)
            .field("base_url", &self.base_url)
            .field("key_header", &self.key_header)
            .finish()
    }
}
