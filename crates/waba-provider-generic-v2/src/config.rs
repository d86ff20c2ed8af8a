//! [`GenericV2Config`].

use std::fmt;

use waba_auth::SecretString;
use waba_core::{ConfigKey, Error, KeyKind, ProviderId, ProviderSpec, WebhookAuth, WebhookSpec};

/// The adapter as data: configuration keys, construction and webhooks, for the `waba`
/// facade's provider list (see [`waba_core::ProviderSpec`]).
pub const SPEC: ProviderSpec = ProviderSpec {
    name: "generic-v2",
    title: "generic v2 API",
    keys: &[
        ConfigKey::required("access_token", "bearer access token").secret(),
        ConfigKey::optional("base_url", "base URL").kind(KeyKind::Url),
    ],
    build: crate::build,
    webhook: WebhookSpec {
        format: "cloud",
        auth: WebhookAuth::HubSignature,
    },
};

/// The provider id of this adapter: its receipts and errors carry it; it is [`SPEC`]'s name.
pub const ID: ProviderId = ProviderId::from_static(SPEC.name);

/// The base URL the seed gives. No service is known to answer there: set yours.
pub const DEFAULT_BASE_URL: &str = "https://api.whatsapp.com/v2";

/// The v2 adapter's settings.
///
/// | setting | environment variable | default |
/// |---|---|---|
/// | access token | `WABA_GENERIC_V2_ACCESS_TOKEN` | required |
/// | base URL | `WABA_GENERIC_V2_BASE_URL` | [`DEFAULT_BASE_URL`] |
#[derive(Clone, Default)]
#[must_use]
pub struct GenericV2Config {
    pub(crate) access_token: Option<SecretString>,
    pub(crate) base_url: Option<String>,
}

impl GenericV2Config {
    /// Settings with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Settings from `WABA_GENERIC_V2_*` environment variables.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Settings from any key lookup.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        Ok(Self {
            access_token: get("WABA_GENERIC_V2_ACCESS_TOKEN").map(SecretString::from),
            base_url: get("WABA_GENERIC_V2_BASE_URL"),
        })
    }

    /// The access token.
    pub fn with_access_token(mut self, token: SecretString) -> Self {
        self.access_token = Some(token);
        self
    }

    /// The base URL, version segment included (`https://host/v2`).
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    pub(crate) fn check(&self) -> Result<(SecretString, String), Error> {
        let token = self.access_token.clone().ok_or_else(|| {
            Error::config("the v2 access token is missing (WABA_GENERIC_V2_ACCESS_TOKEN)")
        })?;
        let base = self
            .base_url
            .clone()
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        let base = waba_core::spec::base_url("the v2 base URL (WABA_GENERIC_V2_BASE_URL)", &base)?;
        Ok((token, base.to_owned()))
    }
}

impl fmt::Debug for GenericV2Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GenericV2Config")
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "[redacted]"),
            )
            .field("base_url", &self.base_url)
            .finish()
    }
}
