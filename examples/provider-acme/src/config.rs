//! [`AcmeConfig`] and [`SPEC`], the adapter as data.

use std::fmt;

use waba_auth::SecretString;
use waba_core::{ConfigKey, Error, KeyKind, ProviderId, ProviderSpec, WebhookAuth, WebhookSpec};

/// Acme's provider id, in errors and receipts: its spec's name.
pub const ID: ProviderId = ProviderId::from_static(SPEC.name);

/// The adapter as data: its name, configuration keys, construction and webhooks. An
/// application registers it with one line, `waba::Providers::builtin().with(&SPEC)`.
pub const SPEC: ProviderSpec = ProviderSpec {
    name: "acme",
    title: "Acme (example)",
    keys: &[
        ConfigKey::required("api_key", "API key, sent as X-Acme-Key").secret(),
        ConfigKey::optional("base_url", "base URL").kind(KeyKind::Url),
    ],
    build: crate::build,
    // Acme posts the on-prem flat format, with the headers configured in its portal: the
    // receiver checks them when `webhook_headers` (WABA_ACME_WEBHOOK_HEADERS) is set.
    webhook: WebhookSpec {
        format: "onprem",
        auth: WebhookAuth::Headers,
    },
};

/// Where Acme's API would be. Acme is fictional: point `base_url` at the sandbox.
pub const DEFAULT_BASE_URL: &str = "https://api.acme.example";

/// Acme's settings.
///
/// | setting | environment variable | default |
/// |---|---|---|
/// | API key | `WABA_ACME_API_KEY` | required |
/// | base URL | `WABA_ACME_BASE_URL` | [`DEFAULT_BASE_URL`] |
#[derive(Clone, Default)]
#[must_use]
pub struct AcmeConfig {
    pub(crate) api_key: Option<SecretString>,
    pub(crate) base_url: Option<String>,
}

impl AcmeConfig {
    /// Settings with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Settings from any lookup by variable name, each value checked against its
    /// [`ConfigKey`] in [`SPEC`].
    pub fn from_lookup(get: waba_core::spec::Lookup<'_>) -> Result<Self, Error> {
        Ok(Self {
            api_key: SPEC.read(get, "api_key")?.map(SecretString::from),
            base_url: SPEC.read(get, "base_url")?,
        })
    }

    /// The API key.
    pub fn with_api_key(mut self, key: SecretString) -> Self {
        self.api_key = Some(key);
        self
    }

    /// The base URL (`https://host`).
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The key and the base URL without a trailing `/`, or what is missing or wrong.
    pub(crate) fn check(&self) -> Result<(SecretString, String), Error> {
        let key = self
            .api_key
            .clone()
            .ok_or_else(|| Error::config("the Acme API key is missing (WABA_ACME_API_KEY)"))?;
        let base = self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL);
        let base = waba_core::spec::base_url("the Acme base URL (WABA_ACME_BASE_URL)", base)?;
        Ok((key, base.to_owned()))
    }
}

impl fmt::Debug for AcmeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcmeConfig")
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.base_url)
            .finish()
    }
}
