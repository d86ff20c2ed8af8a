//! [`OnPremConfig`]: where the on-prem client is and how to log in.

use std::fmt;

use waba_auth::SecretString;
use waba_core::{ConfigKey, Error, KeyKind, ProviderId, ProviderSpec, WebhookAuth, WebhookSpec};

/// The shortest `WA_API_KEY` the on-prem client accepts.
pub const API_KEY_MIN: usize = 12;
/// The longest `WA_API_KEY` the on-prem client accepts.
pub const API_KEY_MAX: usize = 128;

/// The adapter as data: configuration keys, construction and webhooks, for the `waba`
/// facade's provider list (see [`waba_core::ProviderSpec`]).
pub const SPEC: ProviderSpec = ProviderSpec {
    name: "onprem",
    title: "Meta on-premises client",
    keys: &[
        ConfigKey::required("base_url", "base URL of the Webapp, https://host:port")
            .kind(KeyKind::Url),
        ConfigKey::required("username", "user name for /v1/users/login"),
        ConfigKey::required("password", "password for /v1/users/login").secret(),
        ConfigKey::optional(
            "namespace",
            "template namespace (templates are refused without it)",
        ),
        ConfigKey::optional(
            "api_key",
            "API key for the health route, 12 to 128 characters",
        )
        .secret(),
        ConfigKey::optional(
            "api_key_header",
            "header presenting the API key (default Authorization: Bearer)",
        ),
        ConfigKey::optional(
            "groups",
            "whether groups are enabled on this deployment (default true)",
        )
        .kind(KeyKind::Bool),
    ],
    build: crate::build,
    webhook: WebhookSpec {
        format: "onprem",
        auth: WebhookAuth::Headers,
    },
};

/// The provider id of this adapter: its receipts and errors carry it; it is [`SPEC`]'s name.
pub const ID: ProviderId = ProviderId::from_static(SPEC.name);

/// The on-prem adapter's settings.
///
/// | setting | environment variable | default |
/// |---|---|---|
/// | base URL of the Webapp (`https://host:port`) | `WABA_ONPREM_BASE_URL` | required |
/// | user name for `/v1/users/login` | `WABA_ONPREM_USERNAME` | required |
/// | password | `WABA_ONPREM_PASSWORD` | required |
/// | template namespace | `WABA_ONPREM_NAMESPACE` | none (templates refused) |
/// | API key for health (`WA_API_KEY`, 12 to 128 characters) | `WABA_ONPREM_API_KEY` | none |
/// | header presenting the API key | `WABA_ONPREM_API_KEY_HEADER` | `Authorization` as `Bearer <key>` |
/// | groups enabled on this deployment | `WABA_ONPREM_GROUPS` | `true` |
#[derive(Clone)]
#[must_use]
pub struct OnPremConfig {
    pub(crate) base_url: Option<String>,
    pub(crate) username: Option<String>,
    pub(crate) password: Option<SecretString>,
    pub(crate) namespace: Option<String>,
    pub(crate) api_key: Option<SecretString>,
    pub(crate) api_key_header: Option<String>,
    pub(crate) groups: bool,
}

impl Default for OnPremConfig {
    fn default() -> Self {
        Self {
            base_url: None,
            username: None,
            password: None,
            namespace: None,
            api_key: None,
            api_key_header: None,
            groups: true,
        }
    }
}

impl OnPremConfig {
    /// Settings with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Settings from `WABA_ONPREM_*` environment variables.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Settings from any key lookup.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        Ok(Self {
            base_url: get("WABA_ONPREM_BASE_URL"),
            username: get("WABA_ONPREM_USERNAME"),
            password: get("WABA_ONPREM_PASSWORD").map(SecretString::from),
            namespace: get("WABA_ONPREM_NAMESPACE"),
            api_key: get("WABA_ONPREM_API_KEY").map(SecretString::from),
            api_key_header: get("WABA_ONPREM_API_KEY_HEADER"),
            groups: SPEC
                .read(&get, "groups")?
                .is_none_or(|g| g != "false" && g != "0"),
        })
    }

    /// The Webapp's base URL.
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The login credentials.
    pub fn with_login(mut self, username: impl Into<String>, password: SecretString) -> Self {
        self.username = Some(username.into());
        self.password = Some(password);
        self
    }

    /// The template namespace.
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// The API key for the health route, checked to be 12 to 128 characters.
    pub fn with_api_key(mut self, key: SecretString) -> Self {
        self.api_key = Some(key);
        self
    }

    /// Presents the API key in this header, as is, instead of `Authorization: Bearer`.
    pub fn with_api_key_header(mut self, header: impl Into<String>) -> Self {
        self.api_key_header = Some(header.into());
        self
    }

    /// Whether this deployment supports group messages.
    pub fn with_groups(mut self, yes: bool) -> Self {
        self.groups = yes;
        self
    }

    /// The base URL, checked.
    pub(crate) fn base_url(&self) -> Result<String, Error> {
        let url = self.base_url.clone().ok_or_else(|| {
            Error::config("the on-prem base URL is missing (WABA_ONPREM_BASE_URL)")
        })?;
        waba_core::spec::base_url("the on-prem base URL (WABA_ONPREM_BASE_URL)", &url)
            .map(str::to_owned)
    }

    /// The login credentials, checked.
    pub(crate) fn login(&self) -> Result<(String, SecretString), Error> {
        let user = self.username.clone().ok_or_else(|| {
            Error::config("the on-prem user name is missing (WABA_ONPREM_USERNAME)")
        })?;
        let password = self.password.clone().ok_or_else(|| {
            Error::config("the on-prem password is missing (WABA_ONPREM_PASSWORD)")
        })?;
        Ok((user, password))
    }

    /// The API key, checked against the client's 12-to-128 rule.
    pub(crate) fn api_key(&self) -> Result<Option<SecretString>, Error> {
        use waba_auth::ExposeSecret;
        let Some(key) = &self.api_key else {
            return Ok(None);
        };
        let len = key.expose_secret().chars().count();
        if !(API_KEY_MIN..=API_KEY_MAX).contains(&len) {
            return Err(waba_auth::AuthError::Length {
                what: "on-prem API key",
                len,
                min: API_KEY_MIN,
                max: API_KEY_MAX,
            }
            .into());
        }
        Ok(Some(key.clone()))
    }
}

impl fmt::Debug for OnPremConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnPremConfig")
            .field("base_url", &self.base_url)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("namespace", &self.namespace)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("api_key_header", &self.api_key_header)
            .field("groups", &self.groups)
            .finish()
    }
}
