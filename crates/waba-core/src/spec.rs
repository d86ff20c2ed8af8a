//! [`ProviderSpec`]: one adapter described as plain data, the single door through which a
//! provider enters configuration, the CLI, webhook receiving and the sandbox.
//!
//! Every adapter crate exports one `SPEC`; the `waba` facade keeps the one feature-gated
//! list of them. Nothing else needs to know the providers by name: configuration keys,
//! `--help` text, the construction from configuration and how webhooks are decoded and
//! authenticated are all read from here. The webhook part is data (a format name and a
//! [`WebhookAuth`]) so that `waba-core` never depends on `waba-webhook`.

use std::fmt;

use crate::{Error, SharedProvider, SharedTransport};

/// Looks up a configuration value by its environment-variable name
/// (`WABA_CLOUD_ACCESS_TOKEN`); `None` when unset.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Builds a configured adapter from a [`Lookup`] and a transport (`None`: the adapter's
/// default transport).
pub type BuildFn = fn(Lookup<'_>, Option<SharedTransport>) -> Result<SharedProvider, Error>;

/// One provider adapter, as data.
#[derive(Clone, Copy)]
pub struct ProviderSpec {
    /// The configuration name and provider id (`cloud`, `mobile-gateway`): the value of
    /// `provider = …` / `WABA_PROVIDER`, the TOML section, and `--provider` in the CLI.
    pub name: &'static str,
    /// A human name (`Meta Cloud API`).
    pub title: &'static str,
    /// Every configuration key of the provider's section, for validation, docs and `--help`.
    pub keys: &'static [ConfigKey],
    /// Builds the adapter from configuration.
    pub build: BuildFn,
    /// How the provider's webhooks are decoded and authenticated.
    pub webhook: WebhookSpec,
}

impl ProviderSpec {
    /// The environment-variable prefix of this provider's keys: `WABA_MOBILE_GATEWAY_`.
    pub fn env_prefix(&self) -> String {
        format!("WABA_{}_", self.name.replace('-', "_").to_ascii_uppercase())
    }

    /// The environment variable of one of its keys: `WABA_CLOUD_ACCESS_TOKEN`.
    pub fn env_var(&self, key: &ConfigKey) -> String {
        format!("{}{}", self.env_prefix(), key.name.to_ascii_uppercase())
    }

    /// The key named `name` (the TOML spelling, `access_token`).
    pub fn key(&self, name: &str) -> Option<&'static ConfigKey> {
        self.keys.iter().find(|k| k.name == name)
    }

    /// Reads one of its keys through `get` by its variable name and checks the value against
    /// the key's [`KeyKind`]: an adapter's `from_lookup` uses it so that a value outside the
    /// key's words (`WABA_ENABLEX_AUTH=tokn`) is an error naming the variable, never a silent
    /// default. A key the spec does not list reads as unset.
    pub fn read(&self, get: Lookup<'_>, name: &str) -> Result<Option<String>, Error> {
        let Some(key) = self.key(name) else {
            return Ok(None);
        };
        let var = self.env_var(key);
        match get(&var) {
            Some(value) => match key.check(&value) {
                Ok(()) => Ok(Some(value)),
                Err(why) if key.secret => Err(Error::config(format!("{var} {why}"))),
                Err(why) => Err(Error::config(format!("{var} {why}, not {value:?}"))),
            },
            None => Ok(None),
        }
    }

    /// The provider's keys and the webhook settings of the facade's receiver, together.
    pub fn all_keys(&self) -> impl Iterator<Item = &'static ConfigKey> {
        self.keys.iter().chain(self.webhook.auth.keys())
    }
}

impl fmt::Debug for ProviderSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderSpec")
            .field("name", &self.name)
            .field(
                "keys",
                &self.keys.iter().map(|k| k.name).collect::<Vec<_>>(),
            )
            .field("webhook", &self.webhook)
            .finish_non_exhaustive()
    }
}

/// One configuration key of a provider's section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfigKey {
    /// The key as TOML writes it in the provider's section (`access_token`); the variable is
    /// `WABA_<PROVIDER>_<NAME>` in upper case.
    pub name: &'static str,
    /// What it is, one line, for `--help` and errors.
    pub doc: &'static str,
    /// What values it takes.
    pub kind: KeyKind,
    /// Whether the provider cannot be built without it.
    pub required: bool,
    /// Whether the value is a secret: never printed, masked in `Debug` and `config check`.
    pub secret: bool,
}

impl ConfigKey {
    /// A required, non-secret text key.
    pub const fn required(name: &'static str, doc: &'static str) -> Self {
        Self {
            name,
            doc,
            kind: KeyKind::Text,
            required: true,
            secret: false,
        }
    }

    /// An optional, non-secret text key.
    pub const fn optional(name: &'static str, doc: &'static str) -> Self {
        Self {
            name,
            doc,
            kind: KeyKind::Text,
            required: false,
            secret: false,
        }
    }

    /// The same key, holding a secret.
    #[must_use]
    pub const fn secret(mut self) -> Self {
        self.secret = true;
        self
    }

    /// The same key, of another kind.
    #[must_use]
    pub const fn kind(mut self, kind: KeyKind) -> Self {
        self.kind = kind;
        self
    }

    /// Checks a value against the key's kind; the error says what the key takes.
    pub fn check(&self, value: &str) -> Result<(), String> {
        match self.kind {
            KeyKind::Text => Ok(()),
            KeyKind::Url => check_url(value),
            KeyKind::Bool => match value {
                "true" | "false" | "1" | "0" => Ok(()),
                _ => Err("takes true or false".to_owned()),
            },
            KeyKind::Number => value
                .parse::<u64>()
                .map(|_| ())
                .map_err(|_| "takes a whole number".to_owned()),
            KeyKind::OneOf(values) => {
                if values.contains(&value) {
                    Ok(())
                } else {
                    Err(format!("takes one of {}", values.join(", ")))
                }
            }
        }
    }
}

/// What values a [`ConfigKey`] takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Any text.
    Text,
    /// An `http` or `https` URL with a host and no user-info (credentials belong in their own
    /// keys, where they are masked; a URL is printed in logs and errors).
    Url,
    /// `true` or `false` (`1`, `0`).
    Bool,
    /// A whole number.
    Number,
    /// One of these words.
    OneOf(&'static [&'static str]),
}

/// Why a base URL is refused: not a URL, not HTTP(S), no host, or user-info in it.
///
/// User-info (`http://user:secret@host`) is refused because the URL is shown in `Debug`,
/// errors and transport logs, where a secret must never appear; credentials have their own
/// keys, which are masked.
pub fn check_url(value: &str) -> Result<(), String> {
    let uri: http::Uri = value
        .parse()
        .map_err(|_| "takes a URL such as https://host/path".to_owned())?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err("takes an http:// or https:// URL".to_owned()),
    }
    let Some(authority) = uri.authority() else {
        return Err("takes a URL with a host".to_owned());
    };
    if authority.as_str().contains('@') {
        return Err(
            "must not carry credentials (user:password@); put them in their own keys".to_owned(),
        );
    }
    if authority.host().is_empty() {
        return Err("takes a URL with a host".to_owned());
    }
    Ok(())
}

/// A URL for display with any user-info masked (`https://***@host/path`), for messages
/// about URLs that did not pass [`check_url`].
pub fn mask_url(value: &str) -> String {
    match value.split_once("://") {
        Some((scheme, rest)) => {
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            match rest[..end].rfind('@') {
                Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
                None => value.to_owned(),
            }
        }
        None => value.to_owned(),
    }
}

/// Checks an adapter's base URL ([`check_url`]) and returns it without a trailing `/`; the
/// error names the setting (`what`, e.g. `the Cloud base URL (WABA_CLOUD_BASE_URL)`) and
/// shows the URL with any user-info masked. Every adapter's configuration check uses it, so
/// they refuse the same URLs with the same words.
pub fn base_url<'a>(what: &str, value: &'a str) -> Result<&'a str, Error> {
    check_url(value)
        .map(|()| value.trim_end_matches('/'))
        .map_err(|why| Error::config(format!("{what} {:?} {why}", mask_url(value))))
}

/// The words of the error every adapter's [`BuildFn`] returns when it is given no transport
/// and was compiled without its default one.
pub const NO_DEFAULT_TRANSPORT: &str =
    "no default HTTP transport: enable feature `reqwest` or pass a transport";

/// The error of a [`BuildFn`] given no transport by an adapter compiled without its `reqwest`
/// feature: a configuration error saying how to fix it ([`NO_DEFAULT_TRANSPORT`]).
pub fn no_default_transport() -> Error {
    Error::config(NO_DEFAULT_TRANSPORT)
}

/// How a provider's webhooks arrive: the body's format and how the sender is authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookSpec {
    /// The decoder's format name in `waba-webhook` (`cloud`, `onprem`, `enablex`,
    /// `mobile-gateway`); several providers share one format.
    pub format: &'static str,
    /// How the webhook's sender is authenticated.
    pub auth: WebhookAuth,
}

/// How a provider's webhooks can be authenticated, as its documentation states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookAuth {
    /// `X-Hub-Signature-256`: HMAC-SHA256 of the raw body under the app secret (Meta's Cloud
    /// API and APIs that follow it); the `hub.challenge` handshake uses the verify token.
    HubSignature,
    /// Fixed headers the provider adds to every webhook, configured on its side (Tujenge's
    /// `/v1/configs/webhook` `headers`; a proxy in front of an on-prem client).
    Headers,
    /// HTTP Basic credentials ticked in the provider's portal (EnableX).
    Basic,
    /// Nothing is documented: only a secret path or the network can protect the route.
    None,
}

/// The receiver's keys for [`WebhookAuth::HubSignature`].
pub const HUB_SIGNATURE_KEYS: &[ConfigKey] = &[
    ConfigKey::optional(
        "app_secret",
        "app secret: webhooks must carry its X-Hub-Signature-256",
    )
    .secret(),
    ConfigKey::optional(
        "verify_token",
        "verify token answered in the hub.challenge handshake",
    )
    .secret(),
];

/// The receiver's keys for [`WebhookAuth::Headers`].
pub const HEADERS_KEYS: &[ConfigKey] = &[ConfigKey::optional(
    "webhook_headers",
    "headers every webhook must carry, `Name: value` separated by `;`",
)
.secret()];

/// The receiver's keys for [`WebhookAuth::Basic`].
pub const BASIC_KEYS: &[ConfigKey] = &[
    ConfigKey::optional(
        "webhook_user",
        "user name of the webhook's HTTP Basic credentials",
    ),
    ConfigKey::optional(
        "webhook_password",
        "password of the webhook's HTTP Basic credentials",
    )
    .secret(),
];

impl WebhookAuth {
    /// The configuration keys this kind of authentication reads, in the provider's section.
    pub fn keys(self) -> impl Iterator<Item = &'static ConfigKey> {
        match self {
            Self::HubSignature => HUB_SIGNATURE_KEYS,
            Self::Headers => HEADERS_KEYS,
            Self::Basic => BASIC_KEYS,
            Self::None => &[],
        }
        .iter()
    }

    /// A short name for messages: `hmac-sha256`, `headers`, `basic`, `none`.
    pub fn name(self) -> &'static str {
        match self {
            Self::HubSignature => "hmac-sha256",
            Self::Headers => "headers",
            Self::Basic => "basic",
            Self::None => "none",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_user_info_are_refused_and_masked() {
        assert!(check_url("https://graph.facebook.com").is_ok());
        assert!(check_url("http://127.0.0.1:8080/cloud").is_ok());
        let e = check_url("http://user:secret@host/x").unwrap_err();
        assert!(e.contains("credentials"), "{e}");
        assert!(!e.contains("secret@"), "{e}");
        assert!(check_url("ftp://host").is_err());
        assert!(check_url("not a url").is_err());
        assert_eq!(
            mask_url("http://user:secret@host/x?y=1"),
            "http://***@host/x?y=1"
        );
        assert_eq!(mask_url("https://host/a@b"), "https://host/a@b");
        let e = base_url("the base URL", "https://u:hunter2@h/").unwrap_err();
        assert!(!format!("{e} {e:?}").contains("hunter2"), "{e:?}");
        assert_eq!(base_url("x", "https://h/v1/").unwrap(), "https://h/v1");
    }

    #[test]
    fn kinds_say_what_they_take() {
        let auth = ConfigKey::optional("auth", "").kind(KeyKind::OneOf(&["basic", "token"]));
        assert!(auth.check("token").is_ok());
        assert_eq!(auth.check("tokn").unwrap_err(), "takes one of basic, token");
        let b = ConfigKey::optional("groups", "").kind(KeyKind::Bool);
        assert!(b.check("false").is_ok());
        assert!(b.check("no").is_err());
    }
}
