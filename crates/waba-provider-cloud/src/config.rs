//! [`CloudConfig`]: what the adapter needs, from code or from the environment.

use std::fmt;

use waba_auth::SecretString;
use waba_core::{ConfigKey, Error, KeyKind, ProviderId, ProviderSpec, WebhookAuth, WebhookSpec};

/// The adapter as data: configuration keys, construction and webhooks, for the `waba`
/// facade's provider list (see [`waba_core::ProviderSpec`]).
pub const SPEC: ProviderSpec = ProviderSpec {
    name: "cloud",
    title: "Meta Cloud API",
    keys: &[
        ConfigKey::required("access_token", "system-user access token").secret(),
        ConfigKey::required("phone_number_id", "phone-number id, the sending number"),
        ConfigKey::optional("waba_id", "WhatsApp Business Account id (template listing)"),
        ConfigKey::optional("base_url", "base URL (default https://graph.facebook.com)")
            .kind(KeyKind::Url),
        ConfigKey::optional("api_version", "Graph API version such as v25.0"),
    ],
    build: crate::build,
    webhook: WebhookSpec {
        format: "cloud",
        auth: WebhookAuth::HubSignature,
    },
};

/// The provider id of this adapter: its receipts and errors carry it; it is [`SPEC`]'s name.
pub const ID: ProviderId = ProviderId::from_static(SPEC.name);

/// Meta's Graph API host.
pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com";
/// The Graph API version this adapter is written and tested against. Meta retires old
/// versions on a schedule; pin it, and move it on purpose.
pub const DEFAULT_API_VERSION: &str = "v25.0";

/// The Cloud adapter's settings.
///
/// | setting | environment variable | default |
/// |---|---|---|
/// | access token (system-user token) | `WABA_CLOUD_ACCESS_TOKEN` | required |
/// | phone-number id (the sender) | `WABA_CLOUD_PHONE_NUMBER_ID` | required |
/// | WhatsApp Business Account id (templates) | `WABA_CLOUD_WABA_ID` | none |
/// | base URL | `WABA_CLOUD_BASE_URL` | [`DEFAULT_BASE_URL`] |
/// | Graph API version | `WABA_CLOUD_API_VERSION` | [`DEFAULT_API_VERSION`] |
#[derive(Clone)]
#[must_use]
pub struct CloudConfig {
    pub(crate) access_token: Option<SecretString>,
    pub(crate) phone_number_id: Option<String>,
    pub(crate) waba_id: Option<String>,
    pub(crate) base_url: String,
    pub(crate) api_version: String,
}

impl Default for CloudConfig {
    fn default() -> Self {
        Self {
            access_token: None,
            phone_number_id: None,
            waba_id: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            api_version: DEFAULT_API_VERSION.to_owned(),
        }
    }
}

impl CloudConfig {
    /// Settings with the defaults; set the token and the phone-number id.
    pub fn new() -> Self {
        Self::default()
    }

    /// Settings from `WABA_CLOUD_*` environment variables.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Settings from any key lookup (for tests, or a config file mapped to the same keys).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let mut c = Self {
            access_token: get("WABA_CLOUD_ACCESS_TOKEN").map(SecretString::from),
            phone_number_id: get("WABA_CLOUD_PHONE_NUMBER_ID"),
            waba_id: get("WABA_CLOUD_WABA_ID"),
            ..Self::default()
        };
        if let Some(b) = get("WABA_CLOUD_BASE_URL") {
            c.base_url = b;
        }
        if let Some(v) = get("WABA_CLOUD_API_VERSION") {
            c.api_version = v;
        }
        Ok(c)
    }

    /// The access token.
    pub fn with_access_token(mut self, token: SecretString) -> Self {
        self.access_token = Some(token);
        self
    }

    /// The sending phone number's id.
    pub fn with_phone_number_id(mut self, id: impl Into<String>) -> Self {
        self.phone_number_id = Some(id.into());
        self
    }

    /// The business account's id, for template listing.
    pub fn with_waba_id(mut self, id: impl Into<String>) -> Self {
        self.waba_id = Some(id.into());
        self
    }

    /// The base URL (the sandbox's, a proxy's).
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The Graph API version (`v25.0`).
    pub fn with_api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = version.into();
        self
    }

    /// Checks the settings: what is missing or malformed, by name.
    pub(crate) fn check(&self) -> Result<(SecretString, String), Error> {
        let token = self.access_token.clone().ok_or_else(|| {
            Error::config("the Cloud access token is missing (WABA_CLOUD_ACCESS_TOKEN)")
        })?;
        let id = self
            .phone_number_id
            .clone()
            .filter(|i| !i.is_empty())
            .ok_or_else(|| {
                Error::config("the Cloud phone-number id is missing (WABA_CLOUD_PHONE_NUMBER_ID)")
            })?;
        if !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(Error::config(format!(
                "the Cloud phone-number id {id:?} is not an id"
            )));
        }
        waba_core::spec::base_url("the Cloud base URL (WABA_CLOUD_BASE_URL)", &self.base_url)?;
        if !self.api_version.starts_with('v') {
            return Err(Error::config(format!(
                "the Graph API version {:?} should look like v25.0",
                self.api_version
            )));
        }
        Ok((token, id))
    }
}

impl fmt::Debug for CloudConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CloudConfig")
            .field(
                "access_token",
                &self.access_token.as_ref().map(|_| "[redacted]"),
            )
            .field("phone_number_id", &self.phone_number_id)
            .field("waba_id", &self.waba_id)
            .field("base_url", &self.base_url)
            .field("api_version", &self.api_version)
            .finish()
    }
}
