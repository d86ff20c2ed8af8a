//! [`Config`]: one configuration for any provider, from a TOML file and the environment.
//!
//! Layering is figment's: the file first, `WABA_*` variables over it, values set in code
//! last. What each provider takes comes from its [`ProviderSpec`] in [`PROVIDERS`], so a key
//! no provider has, a value outside a key's words and a missing required key are errors that
//! name the key the way the user wrote it: `cloud.acess_token` in `waba.toml`, or
//! `WABA_CLOUD_ACESS_TOKEN`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use figment::providers::Format as _;
use figment::value::{Dict, Tag, Value};
use figment::{Figment, Metadata, Profile};
use waba_core::spec::mask_url;
use waba_core::{
    Client, ConfigKey, Error, KeyKind, ProviderSpec, RetryPolicy, SharedProvider, SharedTransport,
    WebhookAuth,
};

use crate::providers::{PROVIDERS, Providers};

/// The file read when no path is given and it exists in the working directory.
pub const DEFAULT_FILE: &str = "waba.toml";

/// The settings outside any provider's section: `(TOML key, what it is, kind)`.
const TOP_LEVEL: &[ConfigKey] = &[
    ConfigKey::optional("provider", "the provider: the name of one of its sections"),
    ConfigKey::optional(
        "rate_limit",
        "messages a second per sending number; 0 turns the limiter off",
    )
    .kind(KeyKind::Number),
    ConfigKey::optional("retry_attempts", "attempts per send, the first included")
        .kind(KeyKind::Number),
    ConfigKey::optional(
        "throttle_wait",
        "seconds a send may spend waiting out the provider's throttling (default 300)",
    )
    .kind(KeyKind::Number),
    ConfigKey::optional(
        "state",
        "where state replicas share lives: memory (default) or redis",
    )
    .kind(KeyKind::OneOf(&["memory", "redis"])),
    ConfigKey::optional(
        "redis_url",
        "the Redis server with state = redis (feature redis)",
    )
    .secret(),
];

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

/// One configuration that builds any provider, so that switching provider is changing
/// configuration. Each provider's settings are the keys of its [`ProviderSpec`], written
/// as a TOML section or as `WABA_<PROVIDER>_<KEY>` variables:
///
/// ```toml
/// provider = "cloud"          # or WABA_PROVIDER
/// rate_limit = 50             # messages a second per sending number (WABA_RATE_LIMIT)
/// retry_attempts = 3          # (WABA_RETRY_ATTEMPTS)
/// throttle_wait = 300         # seconds a send may wait out throttling (WABA_THROTTLE_WAIT)
/// state = "redis"             # where shared state lives: memory (default) or redis (WABA_STATE)
/// redis_url = "redis://cache:6379"  # (WABA_REDIS_URL; feature `redis`)
///
/// [cloud]                     # = WABA_CLOUD_ACCESS_TOKEN, WABA_CLOUD_PHONE_NUMBER_ID, …
/// access_token = "EAAG…"
/// phone_number_id = "106540352242922"
/// app_secret = "…"            # the receiver's: webhooks must be signed with it
/// ```
///
/// Environment variables override the file. Unknown keys in the file, and unknown
/// variables under a provider's prefix (`WABA_CLOUD_…`), are errors with a suggestion;
/// other `WABA_*` variables are left alone unless they look like a misspelt top-level one
/// (`WABA_RATE_LIMT`), since applications use the acronym for their own settings too.
/// `Debug` shows every key, and the values of none that are secrets.
///
/// The providers it knows are [`Providers::builtin`]; one brought by the application is added
/// with [`Providers::with`] and the configuration loaded through that list
/// (`Providers::builtin().with(&acme::SPEC).load(None)`).
#[derive(Clone, Default)]
pub struct Config {
    values: BTreeMap<String, Setting>,
    providers: Providers,
    transport: Option<SharedTransport>,
}

/// Where a setting came from, to name it the way the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A TOML file (`None`: text given in code); `key` as written there (`cloud.access_token`).
    File {
        /// The file.
        path: Option<PathBuf>,
        /// The dotted key.
        key: String,
    },
    /// An environment variable, by name.
    Env(String),
    /// Set in code with [`Config::with`], by variable name.
    Code(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File {
                path: Some(path),
                key,
            } => write!(f, "`{key}` in {}", path.display()),
            Self::File { path: None, key } => write!(f, "`{key}`"),
            Self::Env(var) => f.write_str(var),
            Self::Code(var) => write!(f, "{var} (set in code)"),
        }
    }
}

#[derive(Clone)]
struct Setting {
    value: String,
    origin: Origin,
}

/// One resolved setting, for `waba config check`: the value is masked when it is a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The variable name (`WABA_CLOUD_ACCESS_TOKEN`).
    pub var: String,
    /// The value, or `********` for a secret.
    pub shown: String,
    /// Where it came from.
    pub origin: Origin,
}

/// What is wrong with a configuration: one line naming the key as the user wrote it.
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

/// The spec of a provider of this build ([`PROVIDERS`]), by configuration name.
pub fn spec(name: &str) -> Option<&'static ProviderSpec> {
    PROVIDERS.iter().copied().find(|s| s.name == name)
}

/// The names of this build's providers ([`PROVIDERS`]), for messages.
pub fn provider_names() -> String {
    Providers::builtin().names()
}

/// The closest of `candidates` to `word`, when close enough to be a likely misspelling.
fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

fn did_you_mean(s: Option<&str>) -> String {
    s.map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

/// A section name as TOML may write it (`mobile_gateway`) to the provider's name.
fn section_name(key: &str) -> String {
    key.replace('_', "-")
}

/// A figment provider over a list of `WABA_*` variables, nested by provider section so that
/// the file and the environment merge key by key.
struct Vars {
    pairs: Vec<(String, String)>,
    name: &'static str,
    providers: Providers,
}

impl Vars {
    /// The `WABA_*` pairs of `vars`, read against `providers`.
    fn new(providers: Providers, vars: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            pairs: vars
                .into_iter()
                .filter(|(k, _)| k.starts_with("WABA_"))
                .collect(),
            name: ENV,
            providers,
        }
    }
}

impl figment::Provider for Vars {
    fn metadata(&self) -> Metadata {
        Metadata::named(self.name)
    }

    fn data(&self) -> Result<figment::value::Map<Profile, Dict>, figment::Error> {
        let mut dict = Dict::new();
        for (var, value) in &self.pairs {
            // A variable is read under its own name only: a provider's goes to that
            // provider's section, any other stays one top-level key, dots and all, so that
            // `WABA_CLOUD.ACCESS_TOKEN` is never taken for `WABA_CLOUD_ACCESS_TOKEN`.
            match self.providers.split_var(var) {
                Some((Some(spec), key)) => {
                    let entry = dict
                        .entry(spec.name.to_owned())
                        .or_insert_with(|| Value::from(Dict::new()));
                    if let Value::Dict(_, d) = entry {
                        d.insert(key, Value::from(value.clone()));
                    }
                }
                Some((None, key)) => {
                    dict.insert(key, Value::from(value.clone()));
                }
                None => {}
            }
        }
        Ok(Profile::Default.collect(dict))
    }
}

const ENV: &str = "environment variable";
const CODE: &str = "set in code";

impl Config {
    /// An empty configuration over [`Providers::builtin`].
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty configuration over `providers`.
    pub(crate) fn empty_with(providers: Providers) -> Self {
        Self {
            providers,
            ..Self::default()
        }
    }

    /// Every `WABA_*` environment variable.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars_with(Providers::builtin(), std::env::vars())
    }

    /// The `WABA_*` pairs of any variable list, read as the environment would be.
    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        Self::from_vars_with(Providers::builtin(), vars)
    }

    pub(crate) fn from_vars_with(
        providers: Providers,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let vars = Vars::new(providers.clone(), vars);
        Self::from_figment(providers, &Figment::from(vars))
    }

    /// A TOML document: `provider`, `rate_limit`, `retry_attempts`, and one section per
    /// provider.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        Self::from_toml_with(Providers::builtin(), text)
    }

    pub(crate) fn from_toml_with(providers: Providers, text: &str) -> Result<Self, ConfigError> {
        check_toml(text, None)?;
        Self::from_figment(
            providers,
            &Figment::from(figment::providers::Toml::string(text)),
        )
    }

    /// The file at `path` if given, else `waba.toml` in the working directory if there is
    /// one; then the environment on top. The providers are [`Providers::builtin`]; for an
    /// adapter of your own, [`Providers::load`].
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_with(path, std::env::vars())
    }

    /// As [`load`](Self::load), with `vars` (their `WABA_*` pairs) in place of the process
    /// environment: the file, then the variables on top.
    pub fn load_with(
        path: Option<&Path>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        Self::load_from(Providers::builtin(), path, vars)
    }

    /// As [`load_with`](Self::load_with), checked against `providers`.
    pub(crate) fn load_from(
        providers: Providers,
        path: Option<&Path>,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let default = Path::new(DEFAULT_FILE);
        let path = path.or_else(|| default.is_file().then_some(default));
        let mut figment = Figment::new();
        if let Some(p) = path {
            let text = std::fs::read_to_string(p)
                .map_err(|e| ConfigError(format!("cannot read {}: {e}", p.display())))?;
            check_toml(&text, Some(p))?;
            figment = figment.merge(figment::providers::Toml::file_exact(p));
        }
        figment = figment.merge(Vars::new(providers.clone(), vars));
        Self::from_figment(providers, &figment)
    }

    /// The providers this configuration knows.
    pub fn providers(&self) -> &Providers {
        &self.providers
    }

    /// Builds providers over `transport` instead of the default one (reqwest with the
    /// `reqwest` feature, else hyper with the `hyper` feature): a transport with a proxy,
    /// custom TLS or test doubles.
    #[must_use]
    pub fn with_transport(mut self, transport: SharedTransport) -> Self {
        self.transport = Some(transport);
        self
    }

    fn from_figment(providers: Providers, figment: &Figment) -> Result<Self, ConfigError> {
        let dict: Dict = figment
            .extract()
            .map_err(|e| ConfigError(format!("the configuration cannot be read: {e}")))?;
        let mut values = BTreeMap::new();
        for (key, value) in &dict {
            match value {
                Value::Dict(_, section) => {
                    let name = section_name(key);
                    let spec = providers.get(&name);
                    for (k, v) in section {
                        let origin = origin(figment, v.tag(), spec, Some(key), k);
                        let var = match spec {
                            Some(s) => format!("{}{}", s.env_prefix(), k.to_ascii_uppercase()),
                            None => format!(
                                "WABA_{}_{}",
                                name.replace('-', "_").to_ascii_uppercase(),
                                k.to_ascii_uppercase()
                            ),
                        };
                        let value = scalar(v).ok_or_else(|| {
                            ConfigError(format!("{origin} must be a string, a number or a boolean"))
                        })?;
                        values.insert(var, Setting { value, origin });
                    }
                }
                v => {
                    let origin = origin(figment, v.tag(), None, None, key);
                    let value = scalar(v).ok_or_else(|| {
                        ConfigError(format!("{origin} must be a string, a number or a boolean"))
                    })?;
                    values.insert(
                        format!("WABA_{}", key.to_ascii_uppercase()),
                        Setting { value, origin },
                    );
                }
            }
        }
        let config = Self {
            values,
            providers,
            transport: None,
        };
        config.check_keys()?;
        Ok(config)
    }

    /// Every key is one some provider of this build (or the top level) has, and each value
    /// is one its key takes.
    fn check_keys(&self) -> Result<(), ConfigError> {
        self.values
            .iter()
            .try_for_each(|(var, setting)| check_setting(&self.providers, var, setting))
    }

    /// Sets one key by its variable name (`WABA_PROVIDER`, `WABA_CLOUD_ACCESS_TOKEN`, …), over
    /// the file and the environment. It is checked when the provider is built.
    #[must_use]
    pub fn with(mut self, var: &str, value: impl Into<String>) -> Self {
        self.values.insert(
            var.to_owned(),
            Setting {
                value: value.into(),
                origin: Origin::Code(var.to_owned()),
            },
        );
        self
    }

    /// The configuration that points `provider` at a running sandbox: every setting the
    /// sandbox lists for it (`/_sandbox/info`'s `providers.<name>`) is one of the provider's
    /// keys, and the client's own rate limit is off (the sandbox enforces the provider's).
    #[cfg(feature = "sandbox")]
    #[cfg_attr(docsrs, doc(cfg(feature = "sandbox")))]
    #[must_use]
    pub fn for_sandbox(sandbox: &waba_sandbox::SandboxHandle, provider: &str) -> Self {
        let info = sandbox.info();
        let settings = info["providers"][provider]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())));
        Self::new()
            .with("WABA_PROVIDER", provider)
            .with("WABA_RATE_LIMIT", "0")
            .with_section(provider, settings)
    }

    /// Sets keys of one provider's section by their TOML names (`access_token`), as
    /// [`with`](Self::with) does by variable name.
    #[must_use]
    pub fn with_section(
        self,
        provider: &str,
        settings: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        let prefix = format!("WABA_{}_", provider.replace('-', "_").to_ascii_uppercase());
        settings.into_iter().fold(self, |c, (key, value)| {
            c.with(&format!("{prefix}{}", key.to_ascii_uppercase()), value)
        })
    }

    /// A key's value, by variable name.
    pub fn get(&self, var: &str) -> Option<&str> {
        self.values.get(var).map(|s| s.value.as_str())
    }

    /// Where a key's value came from, by variable name.
    pub fn origin(&self, var: &str) -> Option<&Origin> {
        self.values.get(var).map(|s| &s.origin)
    }

    /// The chosen provider's spec.
    pub fn spec(&self) -> Result<&'static ProviderSpec, ConfigError> {
        let Some(setting) = self.values.get("WABA_PROVIDER") else {
            return Err(ConfigError(format!(
                "no provider chosen: set WABA_PROVIDER (or `provider` in {DEFAULT_FILE}) to one of {}",
                self.providers.names()
            )));
        };
        let name = setting.value.as_str();
        self.providers.get(name).ok_or_else(|| {
            ConfigError(format!(
                "unknown provider {:?} ({}); this build has {}{}",
                shorten(name),
                setting.origin,
                self.providers.names(),
                did_you_mean(suggest(name, self.providers.iter().map(|s| s.name)))
            ))
        })
    }

    /// The chosen provider's name.
    pub fn provider_name(&self) -> Result<&'static str, ConfigError> {
        self.spec().map(|s| s.name)
    }

    /// Every setting of the chosen provider and the top level, resolved, secrets masked: what
    /// `waba config check` prints.
    pub fn resolved(&self) -> Result<Vec<Resolved>, ConfigError> {
        let spec = self.spec()?;
        self.check_keys()?;
        let prefix = spec.env_prefix();
        Ok(self
            .values
            .iter()
            .filter(|(var, _)| {
                var.starts_with(&prefix)
                    || self
                        .providers
                        .split_var(var)
                        .is_some_and(|(s, _)| s.is_none())
            })
            .map(|(var, s)| Resolved {
                var: var.clone(),
                shown: if self.providers.is_secret(var) {
                    "********".to_owned()
                } else {
                    mask_url(&s.value)
                },
                origin: s.origin.clone(),
            })
            .collect())
    }

    /// A required key of the chosen provider that is missing, named both ways.
    fn check_required(&self, spec: &ProviderSpec) -> Result<(), ConfigError> {
        for key in spec.keys.iter().filter(|k| k.required) {
            let var = spec.env_var(key);
            if self.get(&var).is_none_or(str::is_empty) {
                return Err(ConfigError(format!(
                    "{} needs {}: set `{}` in the [{}] section or {var}",
                    spec.name, key.doc, key.name, spec.name
                )));
            }
        }
        Ok(())
    }

    fn number(&self, var: &str) -> Result<Option<u32>, ConfigError> {
        self.values
            .get(var)
            .map(|s| {
                s.value.parse().map_err(|_| {
                    ConfigError(format!(
                        "{} must be a whole number, not {:?}",
                        s.origin,
                        shorten(&s.value)
                    ))
                })
            })
            .transpose()
    }

    /// The chosen provider, configured, over the transport given with
    /// [`with_transport`](Self::with_transport), else the default one: the adapter's own
    /// (reqwest, feature `reqwest`), else hyper (feature `hyper`). Built with neither, and
    /// given none, it is a configuration error saying so.
    pub fn provider(&self) -> Result<SharedProvider, Error> {
        let spec = self.spec()?;
        self.check_keys()?;
        self.check_required(spec)?;
        let get = |var: &str| self.get(var).map(str::to_owned);
        (spec.build)(&get, self.transport.clone().or_else(default_transport))
    }

    /// The state backend: `state` (`WABA_STATE`) `memory` (default) or `redis`, which needs
    /// `redis_url` (`WABA_REDIS_URL`).
    pub fn state(&self) -> Result<StateBackend, ConfigError> {
        self.check_keys()?;
        match self.get("WABA_STATE").unwrap_or("memory") {
            "redis" => match self.get("WABA_REDIS_URL") {
                Some(url) if !url.trim().is_empty() => Ok(StateBackend::Redis {
                    url: url.trim().to_owned(),
                }),
                _ => Err(ConfigError(
                    "state = \"redis\" needs redis_url (WABA_REDIS_URL), e.g. redis://127.0.0.1:6379"
                        .to_owned(),
                )),
            },
            _ => Ok(StateBackend::Memory),
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

    /// A [`Client`] over the chosen provider, with `rate_limit` and `retry_attempts` applied.
    pub fn client(&self) -> Result<Client, Error> {
        Ok(self.client_builder()?.build())
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
        let attempts = self.number("WABA_RETRY_ATTEMPTS")?;
        let throttle_wait = self.number("WABA_THROTTLE_WAIT")?;
        if attempts.is_some() || throttle_wait.is_some() {
            let mut policy = attempts.map_or_else(RetryPolicy::default, RetryPolicy::attempts);
            if let Some(secs) = throttle_wait {
                policy.max_throttle_wait = std::time::Duration::from_secs(u64::from(secs));
            }
            builder = builder.retry(policy);
        }
        Ok(builder)
    }
}

impl Setting {
    fn origin_file(&self) -> String {
        match &self.origin {
            Origin::File {
                path: Some(path), ..
            } => path.display().to_string(),
            _ => "the configuration".to_owned(),
        }
    }
}

/// The transport `Config` passes to a provider's build when none was given: `None` lets
/// the adapter use its own default (reqwest); without the `reqwest` feature, hyper when its
/// feature is on.
#[allow(
    clippy::unnecessary_wraps,
    reason = "always Some in a build with hyper and without reqwest; None in the others"
)]
fn default_transport() -> Option<SharedTransport> {
    #[cfg(all(feature = "hyper", not(feature = "reqwest")))]
    return Some(SharedTransport::new(
        waba_transport_hyper::HyperTransport::new(),
    ));
    #[cfg(not(all(feature = "hyper", not(feature = "reqwest"))))]
    None
}

/// One setting: its key exists where it was written, and its value is one the key takes.
fn check_setting(providers: &Providers, var: &str, setting: &Setting) -> Result<(), ConfigError> {
    let Some((spec, key)) = providers.split_var(var) else {
        return Ok(());
    };
    if spec.is_none()
        && let Origin::File { key: written, .. } = &setting.origin
        && let Some((section, _)) = written.split_once('.')
    {
        return Err(ConfigError(format!(
            "unknown section [{section}] in {}; the providers of this build are {}{}",
            setting.origin_file(),
            providers.names(),
            did_you_mean(suggest(
                &section_name(section),
                providers.iter().map(|s| s.name)
            ))
        )));
    }

    let keys: Vec<&ConfigKey> = match spec {
        Some(s) => s.all_keys().collect(),
        None => TOP_LEVEL.iter().collect(),
    };
    if let Some(k) = keys.iter().find(|k| k.name == key) {
        return k.check(&setting.value).map_err(|why| {
            let value = if k.secret {
                String::new()
            } else {
                format!(", not {:?}", shorten(&mask_url(&setting.value)))
            };
            ConfigError(format!("{} {why}{value}", setting.origin))
        });
    }
    // A webhook key of another kind of authentication than the provider's (an HMAC secret
    // for a provider that never signs): say so and name the keys that do apply.
    if let Some(s) = spec
        && let Some(auth) = [
            WebhookAuth::HubSignature,
            WebhookAuth::Headers,
            WebhookAuth::Basic,
        ]
        .into_iter()
        .find(|a| *a != s.webhook.auth && a.keys().any(|k| k.name == key))
    {
        let instead: Vec<&str> = s.webhook.auth.keys().map(|k| k.name).collect();
        return Err(ConfigError(format!(
            "{} does not apply: {} webhooks are authenticated by {}, not {}{}",
            setting.origin,
            s.name,
            s.webhook.auth.name(),
            auth.name(),
            if instead.is_empty() {
                "; nothing in them can be checked, so keep the webhook route private".to_owned()
            } else {
                format!("; use {}", instead.join(", "))
            }
        )));
    }
    let guess = suggest(&key, keys.iter().map(|k| k.name));
    // A top-level variable unlike any of ours belongs to the application.
    if spec.is_none() && matches!(setting.origin, Origin::Env(_)) && guess.is_none() {
        return Ok(());
    }
    let hint = match (&setting.origin, spec, guess) {
        (Origin::File { .. }, _, g) => did_you_mean(g),
        (_, Some(s), Some(g)) => did_you_mean(Some(&format!(
            "{}{}",
            s.env_prefix(),
            g.to_ascii_uppercase()
        ))),
        (_, None, Some(g)) => did_you_mean(Some(&format!("WABA_{}", g.to_ascii_uppercase()))),
        (_, Some(s), None) => format!(
            "; {} takes {}",
            s.name,
            s.all_keys().map(|k| k.name).collect::<Vec<_>>().join(", ")
        ),
        (_, None, None) => String::new(),
    };
    Err(ConfigError(format!("unknown key {}{hint}", setting.origin)))
}

/// Names a value as the user wrote it, from figment's metadata for its tag.
fn origin(
    figment: &Figment,
    tag: Tag,
    spec: Option<&ProviderSpec>,
    section: Option<&str>,
    key: &str,
) -> Origin {
    let var = match (spec, section) {
        (Some(s), _) => format!("{}{}", s.env_prefix(), key.to_ascii_uppercase()),
        (None, Some(section)) => format!(
            "WABA_{}_{}",
            section_name(section).replace('-', "_").to_ascii_uppercase(),
            key.to_ascii_uppercase()
        ),
        (None, None) => format!("WABA_{}", key.to_ascii_uppercase()),
    };
    let meta = figment.get_metadata(tag);
    match meta {
        Some(m) if m.name == ENV => Origin::Env(var),
        Some(m) if m.name == CODE => Origin::Code(var),
        Some(m) => Origin::File {
            path: m
                .source
                .as_ref()
                .and_then(|s| s.file_path())
                .map(Path::to_path_buf),
            key: match section {
                Some(section) => format!("{section}.{key}"),
                None => key.to_owned(),
            },
        },
        None => Origin::Code(var),
    }
}

/// The TOML text parses; figment would say so too, but without the line and column.
fn check_toml(text: &str, path: Option<&Path>) -> Result<(), ConfigError> {
    toml::from_str::<toml::Table>(text)
        .map(|_| ())
        .map_err(|e| {
            let place = path.map_or_else(String::new, |p| format!(" ({})", p.display()));
            ConfigError(format!("the configuration{place} is not valid TOML: {e}"))
        })
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(_, s) => Some(s.clone()),
        Value::Num(_, n) => n
            .to_u128()
            .map(|n| n.to_string())
            .or_else(|| n.to_i128().map(|n| n.to_string()))
            .or_else(|| n.to_f64().map(|n| n.to_string())),
        Value::Bool(_, b) => Some(b.to_string()),
        _ => None,
    }
}

/// Echoed input is cut, so a 100 KB value gives a short message.
fn shorten(s: &str) -> String {
    const MAX: usize = 64;
    if s.len() <= MAX {
        return s.to_owned();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &s[..end], s.len())
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (k, v) in &self.values {
            if self.providers.is_secret(k) {
                m.entry(k, &"[redacted]");
            } else {
                m.entry(k, &mask_url(&v.value));
            }
        }
        m.finish()
    }
}
