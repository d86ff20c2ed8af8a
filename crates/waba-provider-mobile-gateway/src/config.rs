//! [`MobileGatewayConfig`].

use std::fmt;

use waba_auth::SecretString;
use waba_core::{ConfigKey, Error, KeyKind, ProviderId, ProviderSpec, WebhookAuth, WebhookSpec};

/// The adapter as data: configuration keys, construction and webhooks, for the `waba`
/// facade's provider list (see [`waba_core::ProviderSpec`]).
pub const SPEC: ProviderSpec = ProviderSpec {
    name: "mobile-gateway",
    title: "Mobile Gateway WAB",
    keys: &[
        ConfigKey::required("base_url", "base URL, https://{apiDomainName}/rest/wab/v1")
            .kind(KeyKind::Url),
        ConfigKey::required("username", "user name (HTTP Basic)"),
        ConfigKey::required("password", "password (HTTP Basic)").secret(),
        ConfigKey::required("source", "source: the business number's id, digits"),
        ConfigKey::optional("recipient_field", "recipient field (default destination)")
            .kind(KeyKind::OneOf(&["destination", "to"])),
    ],
    build: crate::build,
    webhook: WebhookSpec {
        format: "mobile-gateway",
        auth: WebhookAuth::None,
    },
};

/// The provider id of this adapter: its receipts and errors carry it; it is [`SPEC`]'s name.
pub const ID: ProviderId = ProviderId::from_static(SPEC.name);

/// The JSON field that names the recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecipientField {
    /// `destination`: the seed and the current samples. The default.
    #[default]
    Destination,
    /// `to`: the v1.3.1 HTML reference.
    To,
}

/// The Mobile Gateway adapter's settings.
///
/// | setting | environment variable | default |
/// |---|---|---|
/// | base URL (`https://{apiDomainName}/rest/wab/v1`) | `WABA_MOBILE_GATEWAY_BASE_URL` | required |
/// | user name | `WABA_MOBILE_GATEWAY_USERNAME` | required |
/// | password | `WABA_MOBILE_GATEWAY_PASSWORD` | required |
/// | source (the business number's id, digits) | `WABA_MOBILE_GATEWAY_SOURCE` | required |
/// | recipient field, `destination` or `to` | `WABA_MOBILE_GATEWAY_RECIPIENT_FIELD` | `destination` |
#[derive(Clone, Default)]
#[must_use]
pub struct MobileGatewayConfig {
    pub(crate) base_url: Option<String>,
    pub(crate) username: Option<String>,
    pub(crate) password: Option<SecretString>,
    pub(crate) source: Option<String>,
    pub(crate) recipient_field: RecipientField,
}

impl MobileGatewayConfig {
    /// Settings with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Settings from `WABA_MOBILE_GATEWAY_*` environment variables.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Settings from any key lookup.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        Ok(Self {
            base_url: get("WABA_MOBILE_GATEWAY_BASE_URL"),
            username: get("WABA_MOBILE_GATEWAY_USERNAME"),
            password: get("WABA_MOBILE_GATEWAY_PASSWORD").map(SecretString::from),
            source: get("WABA_MOBILE_GATEWAY_SOURCE"),
            recipient_field: match SPEC.read(&get, "recipient_field")?.as_deref() {
                Some("to") => RecipientField::To,
                _ => RecipientField::Destination,
            },
        })
    }

    /// The base URL, version segment included.
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The Basic credentials.
    pub fn with_credentials(mut self, username: impl Into<String>, password: SecretString) -> Self {
        self.username = Some(username.into());
        self.password = Some(password);
        self
    }

    /// The sending number's id.
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// The recipient field.
    pub fn with_recipient_field(mut self, field: RecipientField) -> Self {
        self.recipient_field = field;
        self
    }

    pub(crate) fn check(&self) -> Result<(String, String, SecretString, String), Error> {
        let base = self.base_url.clone().ok_or_else(|| {
            Error::config("the Mobile Gateway base URL is missing (WABA_MOBILE_GATEWAY_BASE_URL)")
        })?;
        let base = waba_core::spec::base_url(
            "the Mobile Gateway base URL (WABA_MOBILE_GATEWAY_BASE_URL)",
            &base,
        )?
        .to_owned();
        let user = self.username.clone().ok_or_else(|| {
            Error::config("the Mobile Gateway user name is missing (WABA_MOBILE_GATEWAY_USERNAME)")
        })?;
        let password = self.password.clone().ok_or_else(|| {
            Error::config("the Mobile Gateway password is missing (WABA_MOBILE_GATEWAY_PASSWORD)")
        })?;
        let source = self.source.clone().ok_or_else(|| {
            Error::config("the Mobile Gateway source is missing (WABA_MOBILE_GATEWAY_SOURCE)")
        })?;
        // The specification's pattern for source: ^[1-9][0-9]*$, at most 30 characters.
        if source.is_empty()
            || source.len() > 30
            || source.starts_with('0')
            || !source.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(Error::config(format!(
                "the Mobile Gateway source {source:?} must be 1 to 30 digits, not starting with 0"
            )));
        }
        Ok((base, user, password, source))
    }
}

impl fmt::Debug for MobileGatewayConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MobileGatewayConfig")
            .field("base_url", &self.base_url)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("source", &self.source)
            .field("recipient_field", &self.recipient_field)
            .finish()
    }
}
