//! The receiving half of [`Config`]: the configured provider's webhook decoder and verifier,
//! from the same file and variables as sending, so that switching provider switches both.

use std::fmt;
use std::sync::Arc;

use waba_core::{ProviderSpec, WebhookAuth};
use waba_webhook::{HubSignature, RequiredHeaders, Unverified, Verifier, WebhookDecoder};

use crate::config::{Config, ConfigError};

/// What a receiver for the configured provider needs.
pub struct Receiving {
    /// The provider.
    pub spec: &'static ProviderSpec,
    /// Its webhook format's decoder.
    pub decoder: Arc<dyn WebhookDecoder>,
    /// Its webhook authentication, as configured ([`Unverified`] when it has none and
    /// none is configured; see [`verified`](Self::verified)).
    pub verifier: Arc<dyn Verifier>,
    /// The `hub.challenge` verify token, for providers that hold the handshake.
    pub verify_token: Option<String>,
    /// Whether requests are authenticated at all; a receiver that is not should say so
    /// when it starts.
    pub verified: bool,
}

impl fmt::Debug for Receiving {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiving")
            .field("provider", &self.spec.name)
            .field("format", &self.decoder.format())
            .field("verifier", &self.verifier)
            .field(
                "verify_token",
                &self.verify_token.as_ref().map(|_| "[redacted]"),
            )
            .field("verified", &self.verified)
            .finish()
    }
}

impl Config {
    /// The decoder and verifier for the configured provider's webhooks.
    ///
    /// Signed providers ([`WebhookAuth::HubSignature`]: Cloud, generic v2) need the app
    /// secret (`app_secret` / `WABA_<PROVIDER>_APP_SECRET`): without it this is an error, since
    /// anyone could post events. Others use their headers or Basic credentials when configured
    /// and are [`Unverified`] otherwise. A key for another kind of authentication (an
    /// `app_secret` for on-prem, whose webhooks are never signed) is refused as an unknown key.
    pub fn receiver(&self) -> Result<Receiving, ConfigError> {
        self.receiver_inner(false)
    }

    /// As [`receiver`](Self::receiver), but a signed provider without its secret is accepted
    /// as [`Unverified`]: for local testing only.
    pub fn receiver_insecure(&self) -> Result<Receiving, ConfigError> {
        self.receiver_inner(true)
    }

    fn receiver_inner(&self, insecure: bool) -> Result<Receiving, ConfigError> {
        let spec = self.spec()?;
        // Unknown keys (an HMAC secret for an unsigned provider among them) are refused here.
        self.resolved()?;
        let format = spec.webhook.format;
        let decoder: Arc<dyn WebhookDecoder> = waba_webhook::decoder_for(format)
            .map_err(|e| {
                ConfigError(format!(
                    "{} webhooks use the {format} format, which this build of waba-webhook lacks (its `{format}` feature): {e}",
                    spec.name
                ))
            })?
            .into();
        let key = |name: &str| {
            spec.all_keys()
                .find(|k| k.name == name)
                .and_then(|k| self.get(&spec.env_var(k)))
                .filter(|v| !v.is_empty())
        };
        let var = |name: &str| format!("{}{}", spec.env_prefix(), name.to_ascii_uppercase());
        let (verifier, authenticated): (Arc<dyn Verifier>, bool) = match spec.webhook.auth {
            WebhookAuth::HubSignature => match key("app_secret") {
                Some(secret) => (
                    Arc::new(
                        HubSignature::new(secret)
                            .map_err(|e| ConfigError(format!("{}: {e}", var("app_secret"))))?,
                    ),
                    true,
                ),
                None if insecure => (Arc::new(Unverified), false),
                None => {
                    return Err(ConfigError(format!(
                        "{} webhooks are signed: set `app_secret` in [{}] or {} so that forged ones are refused",
                        spec.name,
                        spec.name,
                        var("app_secret")
                    )));
                }
            },
            WebhookAuth::Headers => match key("webhook_headers") {
                Some(list) => (Arc::new(headers(list, &var("webhook_headers"))?), true),
                None => (Arc::new(Unverified), false),
            },
            WebhookAuth::Basic => match (key("webhook_user"), key("webhook_password")) {
                (Some(user), Some(password)) => (
                    Arc::new(RequiredHeaders::basic(user, password).map_err(|e| {
                        ConfigError(format!("{} webhook credentials: {e}", spec.name))
                    })?),
                    true,
                ),
                (None, None) => (Arc::new(Unverified), false),
                _ => {
                    return Err(ConfigError(format!(
                        "{} webhook credentials need both {} and {}",
                        spec.name,
                        var("webhook_user"),
                        var("webhook_password")
                    )));
                }
            },
            WebhookAuth::None => (Arc::new(Unverified), false),
        };
        Ok(Receiving {
            spec,
            decoder,
            verifier,
            verify_token: key("verify_token").map(str::to_owned),
            verified: authenticated,
        })
    }
}

/// `Name: value; Other: value` → the headers every webhook must carry.
fn headers(list: &str, var: &str) -> Result<RequiredHeaders, ConfigError> {
    let mut pairs = Vec::new();
    for pair in list.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once(':').ok_or_else(|| {
            ConfigError(format!(
                "{var} takes `Name: value` pairs separated by `;`; one has no `:`"
            ))
        })?;
        pairs.push((name.trim(), value.trim()));
    }
    RequiredHeaders::new(pairs).map_err(|e| ConfigError(format!("{var}: {e}")))
}
