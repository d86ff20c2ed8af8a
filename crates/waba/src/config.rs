//! [`Config`]: one configuration for any provider, from a TOML file and the environment.

use std::collections::BTreeMap;
use std::fmt;

use waba_core::{Client, Error, RetryPolicy, SharedProvider};

/// The providers, by their configuration names.
pub const PROVIDERS: &[&str] = &[
    "cloud",
    "onprem",
    "tujenge",
    "enablex",
    "mobile-gateway",
    "generic-v2",
];

/// One configuration that builds any provider, so that switching provider is changing
/// configuration. Each provider's settings are its `WABA_<PROVIDER>_*` keys (listed in each
/// adapter's `config` documentation); a TOML file writes them as sections:
///
/// ```toml
/// provider = "cloud"          # or WABA_PROVIDER
/// rate_limit = 50             # messages a second per sending number (WABA_RATE_LIMIT)
/// retry_attempts = 3          # (WABA_RETRY_ATTEMPTS)
/// state = "redis"             # where shared state lives: memory (default) or redis (WABA_STATE)
/// redis_url = "redis://cache:6379"  # (WABA_REDIS_URL; feature `redis`)
///
/// [cloud]                     # = WABA_CLOUD_ACCESS_TOKEN, WABA_CLOUD_PHONE_NUMBER_ID, …
/// access_token = "EAAG…"
/// phone_number_id = "106540352242922"
/// ```
///
/// Environment variables override the file. `Debug` shows every key, and the values of
/// none that name a token, key, password or secret.
#[derive(Clone, Default)]
pub struct Config {
    values: BTreeMap<String, String>,
}

/// What is wrong with a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::config(e.0)
    }
}

fn prefix(section: &str) -> String {
    format!("WABA_{}_", section.replace('-', "_").to_ascii_uppercase())
}

/// Where the state replicas must share lives: de-duplication, the rate limit, the customer
/// window and the webhook inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StateBackend {
    /// In this process (the default): one replica.
    Memory,
    /// In Redis at this URL (feature `redis`, crate `waba-redis`): any number of replicas.
    Redis {
        /// The server's URL.
        url: String,
    },
}

fn is_secret(key: &str) -> bool {
    ["TOKEN", "KEY", "PASSWORD", "SECRET"]
        .iter()
        .any(|w| key.contains(w))
}

impl Config {
    /// An empty configuration.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every `WABA_*` environment variable.
    pub fn from_env() -> Self {
        Self::from_vars(std::env::vars())
    }

    /// The `WABA_*` pairs of any variable list.
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            values: vars
                .into_iter()
                .filter(|(k, _)| k.starts_with("WABA_"))
                .collect(),
        }
    }

    /// A TOML document: `provider`, `rate_limit`, `retry_attempts`, and one section per
    /// provider.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let table: toml::Table = toml::from_str(text)
            .map_err(|e| ConfigError(format!("the configuration is not valid TOML: {e}")))?;
        let mut values = BTreeMap::new();
        for (key, value) in table {
            match value {
                toml::Value::Table(section) => {
                    if !PROVIDERS.contains(&key.as_str())
                        && !PROVIDERS.contains(&key.replace('_', "-").as_str())
                    {
                        return Err(ConfigError(format!(
                            "unknown section [{key}]; the providers are {}",
                            PROVIDERS.join(", ")
                        )));
                    }
                    for (k, v) in section {
                        values.insert(
                            format!("{}{}", prefix(&key), k.to_ascii_uppercase()),
                            scalar(&format!("{key}.{k}"), &v)?,
                        );
                    }
                }
                v => {
                    values.insert(
                        format!("WABA_{}", key.to_ascii_uppercase()),
                        scalar(&key, &v)?,
                    );
                }
            }
        }
        Ok(Self { values })
    }

    /// The file at `path` if given, then the environment on top.
    pub fn load(path: Option<&std::path::Path>) -> Result<Self, ConfigError> {
        let mut config = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| ConfigError(format!("cannot read {}: {e}", p.display())))?;
                Self::from_toml(&text)?
            }
            None => Self::new(),
        };
        config.values.extend(Self::from_env().values);
        Ok(config)
    }

    /// Sets one key (`WABA_PROVIDER`, `WABA_CLOUD_ACCESS_TOKEN`, …).
    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.values.insert(key.to_owned(), value.into());
        self
    }

    /// A key's value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// The chosen provider's name.
    pub fn provider_name(&self) -> Result<&str, ConfigError> {
        let name = self.get("WABA_PROVIDER").ok_or_else(|| {
            ConfigError(format!(
                "no provider chosen: set WABA_PROVIDER (or `provider` in the file) to one of {}",
                PROVIDERS.join(", ")
            ))
        })?;
        if PROVIDERS.contains(&name) {
            Ok(name)
        } else {
            Err(ConfigError(format!(
                "unknown provider {name:?}; one of {}",
                PROVIDERS.join(", ")
            )))
        }
    }

    fn number(&self, key: &str) -> Result<Option<u32>, ConfigError> {
        self.get(key)
            .map(|v| {
                v.parse()
                    .map_err(|_| ConfigError(format!("{key} must be a whole number, not {v:?}")))
            })
            .transpose()
    }

    /// The chosen provider, configured.
    pub fn provider(&self) -> Result<SharedProvider, Error> {
        let name = self.provider_name()?;
        let get = |k: &str| self.get(k).map(str::to_owned);
        let missing = |feature: &str| {
            Error::config(format!(
                "provider {name} needs the `{feature}` feature of the waba crate"
            ))
        };
        // Both are unused when no provider feature is on.
        let _ = (&get, &missing);
        match name {
            #[cfg(feature = "cloud")]
            "cloud" => Ok(SharedProvider::new(
                waba_provider_cloud::CloudProvider::new(
                    waba_provider_cloud::CloudConfig::from_lookup(get),
                )?,
            )),
            #[cfg(feature = "onprem")]
            "onprem" => Ok(SharedProvider::new(
                waba_provider_onprem::OnPremProvider::new(
                    waba_provider_onprem::OnPremConfig::from_lookup(get),
                )?,
            )),
            #[cfg(feature = "tujenge")]
            "tujenge" => Ok(SharedProvider::new(
                waba_provider_tujenge::TujengeProvider::new(
                    waba_provider_tujenge::TujengeConfig::from_lookup(get),
                )?,
            )),
            #[cfg(feature = "enablex")]
            "enablex" => Ok(SharedProvider::new(
                waba_provider_enablex::EnableXProvider::new(
                    waba_provider_enablex::EnableXConfig::from_lookup(get),
                )?,
            )),
            #[cfg(feature = "mobile-gateway")]
            "mobile-gateway" => Ok(SharedProvider::new(
                waba_provider_mobile_gateway::MobileGatewayProvider::new(
                    waba_provider_mobile_gateway::MobileGatewayConfig::from_lookup(get),
                )?,
            )),
            #[cfg(feature = "generic-v2")]
            "generic-v2" => Ok(SharedProvider::new(
                waba_provider_generic_v2::GenericV2Provider::new(
                    waba_provider_generic_v2::GenericV2Config::from_lookup(get),
                )?,
            )),
            other => Err(missing(other)),
        }
    }

    /// The state backend: `state` (`WABA_STATE`) `memory` (default) or `redis`, which needs
    /// `redis_url` (`WABA_REDIS_URL`).
    pub fn state(&self) -> Result<StateBackend, ConfigError> {
        match self.get("WABA_STATE").unwrap_or("memory") {
            "memory" => Ok(StateBackend::Memory),
            "redis" => match self.get("WABA_REDIS_URL") {
                Some(url) if !url.trim().is_empty() => Ok(StateBackend::Redis {
                    url: url.trim().to_owned(),
                }),
                _ => Err(ConfigError(
                    "state = \"redis\" needs redis_url (WABA_REDIS_URL), e.g. redis://127.0.0.1:6379"
                        .to_owned(),
                )),
            },
            other => Err(ConfigError(format!(
                "WABA_STATE (state) must be \"memory\" or \"redis\", not {other:?}"
            ))),
        }
    }

    /// With `state = "redis"`, a connection to the server (checked with a `PING`; the
    /// error names the URL when it cannot be reached); `None` with `state = "memory"`.
    #[cfg(feature = "redis")]
    pub async fn redis(&self) -> Result<Option<waba_redis::RedisState>, Error> {
        match self.state()? {
            StateBackend::Memory => Ok(None),
            StateBackend::Redis { url } => waba_redis::RedisState::connect(&url)
                .await
                .map(Some)
                .map_err(|e| Error::config(e.to_string())),
        }
    }

    /// A [`Client`] over the chosen provider, with `rate_limit` and `retry_attempts` applied.
    pub fn client(&self) -> Result<Client, Error> {
        Ok(self.client_builder()?.build())
    }

    /// As [`client`](Self::client), with the rate limit kept where `state` says: with
    /// `state = "redis"` every process using the same server shares each sending number's
    /// rate (connecting first; the error names the URL when Redis cannot be reached).
    #[cfg(feature = "redis")]
    pub async fn client_with_state(&self) -> Result<Client, Error> {
        let mut builder = self.client_builder()?;
        let rate = self
            .number("WABA_RATE_LIMIT")?
            .unwrap_or(waba_core::DEFAULT_RATE_PER_SECOND);
        if rate > 0
            && let Some(state) = self.redis().await?
        {
            builder = builder.rate_limit_store(std::sync::Arc::new(state.rate_limiter(rate, rate)));
        }
        Ok(builder.build())
    }

    fn client_builder(&self) -> Result<waba_core::ClientBuilder, Error> {
        let mut builder = Client::builder(self.provider()?);
        if let Some(rate) = self.number("WABA_RATE_LIMIT")? {
            builder = if rate == 0 {
                builder.no_rate_limit()
            } else {
                builder.rate_limit(rate)
            };
        }
        if let Some(attempts) = self.number("WABA_RETRY_ATTEMPTS")? {
            builder = builder.retry(RetryPolicy::attempts(attempts));
        }
        Ok(builder)
    }
}

fn scalar(key: &str, v: &toml::Value) -> Result<String, ConfigError> {
    match v {
        toml::Value::String(s) => Ok(s.clone()),
        toml::Value::Integer(i) => Ok(i.to_string()),
        toml::Value::Boolean(b) => Ok(b.to_string()),
        other => Err(ConfigError(format!(
            "{key} must be a string, a number or a boolean, not {}",
            other.type_str()
        ))),
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (k, v) in &self.values {
            if is_secret(k) {
                m.entry(k, &"[redacted]");
            } else if k.ends_with("_URL") && v.contains('@') {
                // A URL's userinfo may hold a password (redis://user:password@host).
                m.entry(k, &"[redacted]");
            } else {
                m.entry(k, v);
            }
        }
        m.finish()
    }
}
