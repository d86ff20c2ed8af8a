//! [`EnableXConfig`].

use std::fmt;

use waba_auth::SecretString;
use waba_core::{ConfigKey, Error, KeyKind, ProviderId, ProviderSpec, WebhookAuth, WebhookSpec};

/// The adapter as data: configuration keys, construction and webhooks, for the `waba`
/// facade's provider list (see [`waba_core::ProviderSpec`]).
pub const SPEC: ProviderSpec = ProviderSpec {
    name: "enablex",
    title: "EnableX",
    keys: &[
        ConfigKey::required("app_id", "project APP ID"),
        ConfigKey::required("app_key", "project APP KEY").secret(),
        ConfigKey::optional("auth", "auth mode (default basic)")
            .kind(KeyKind::OneOf(&["basic", "token"])),
        ConfigKey::optional(
            "from",
            "sending number, sent as from (projects with several numbers)",
        ),
        ConfigKey::optional("base_url", "base URL, version included").kind(KeyKind::Url),
    ],
    build: crate::build,
    webhook: WebhookSpec {
        format: "enablex",
        auth: WebhookAuth::Basic,
    },
};

/// The provider id of this adapter: its receipts and errors carry it; it is [`SPEC`]'s name.
pub const ID: ProviderId = ProviderId::from_static(SPEC.name);

/// EnableX's versioned base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.enablex.io/whatsapp/v1";

/// How requests are authenticated; EnableX accepts either on every call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthMode {
    /// HTTP Basic with APP ID : APP KEY. Stateless; the default.
    #[default]
    Basic,
    /// A bearer token from the Token API (60-minute life), refreshed before it expires.
    Token,
}

/// The EnableX adapter's settings.
///
/// | setting | environment variable | default |
/// |---|---|---|
/// | APP ID | `WABA_ENABLEX_APP_ID` | required |
/// | APP KEY | `WABA_ENABLEX_APP_KEY` | required |
/// | auth mode, `basic` or `token` | `WABA_ENABLEX_AUTH` | `basic` |
/// | sending number, sent as `from` (projects with several numbers) | `WABA_ENABLEX_FROM` | none |
/// | base URL, version included | `WABA_ENABLEX_BASE_URL` | [`DEFAULT_BASE_URL`] |
#[derive(Clone, Default)]
#[must_use]
pub struct EnableXConfig {
    pub(crate) app_id: Option<String>,
    pub(crate) app_key: Option<SecretString>,
    pub(crate) mode: AuthMode,
    pub(crate) from: Option<String>,
    pub(crate) base_url: Option<String>,
}

impl EnableXConfig {
    /// Settings with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Settings from `WABA_ENABLEX_*` environment variables.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Settings from any key lookup.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        Ok(Self {
            app_id: get("WABA_ENABLEX_APP_ID"),
            app_key: get("WABA_ENABLEX_APP_KEY").map(SecretString::from),
            mode: match SPEC.read(&get, "auth")?.as_deref() {
                Some("token") => AuthMode::Token,
                _ => AuthMode::Basic,
            },
            from: get("WABA_ENABLEX_FROM"),
            base_url: get("WABA_ENABLEX_BASE_URL"),
        })
    }

    /// The project's APP ID and APP KEY.
    pub fn with_app(mut self, app_id: impl Into<String>, app_key: SecretString) -> Self {
        self.app_id = Some(app_id.into());
        self.app_key = Some(app_key);
        self
    }

    /// The auth mode.
    pub fn with_auth(mut self, mode: AuthMode) -> Self {
        self.mode = mode;
        self
    }

    /// The sending number (digits), sent as `from`.
    pub fn with_from(mut self, number: impl Into<String>) -> Self {
        self.from = Some(number.into());
        self
    }

    /// The base URL, version segment included.
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    pub(crate) fn check(&self) -> Result<(String, String, SecretString), Error> {
        let base = self
            .base_url
            .clone()
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        let base =
            waba_core::spec::base_url("the EnableX base URL (WABA_ENABLEX_BASE_URL)", &base)?
                .to_owned();
        let id = self
            .app_id
            .clone()
            .ok_or_else(|| Error::config("the EnableX APP ID is missing (WABA_ENABLEX_APP_ID)"))?;
        let key = self.app_key.clone().ok_or_else(|| {
            Error::config("the EnableX APP KEY is missing (WABA_ENABLEX_APP_KEY)")
        })?;
        Ok((base, id, key))
    }
}

impl fmt::Debug for EnableXConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnableXConfig")
            .field("app_id", &self.app_id)
            .field("app_key", &self.app_key.as_ref().map(|_| "[redacted]"))
            .field("mode", &self.mode)
            .field("from", &self.from)
            .field("base_url", &self.base_url)
            .finish()
    }
}
