//! The providers of this build: the one list in the workspace that names them, and
//! [`Providers`], that list plus the adapters an application brings itself.
//!
//! Adding a provider to this crate is its adapter crate (which exports a [`ProviderSpec`] as
//! `SPEC`), its feature in this crate's `Cargo.toml`, and one line in [`PROVIDERS`]. An
//! adapter that lives elsewhere needs none of that: one line,
//! `Providers::builtin().with(&my_adapter::SPEC)`, gives a list that [`Config`] and its
//! receiver read as they read the built-in one. (The `waba` command line reads the built-in
//! list.)

use std::path::Path;

use waba_core::ProviderSpec;

use crate::config::{Config, ConfigError};

// Each adapter crate, under its provider's name, for its own types (its config, its
// provider, operations only it has).
#[cfg(feature = "cloud")]
pub use waba_provider_cloud as cloud;
#[cfg(feature = "enablex")]
pub use waba_provider_enablex as enablex;
#[cfg(feature = "generic-v2")]
pub use waba_provider_generic_v2 as generic_v2;
#[cfg(feature = "mobile-gateway")]
pub use waba_provider_mobile_gateway as mobile_gateway;
#[cfg(feature = "onprem")]
pub use waba_provider_onprem as onprem;
#[cfg(feature = "tujenge")]
pub use waba_provider_tujenge as tujenge;

/// Every provider compiled into this build, in the order the CLI lists them.
pub static PROVIDERS: &[&ProviderSpec] = &[
    #[cfg(feature = "cloud")]
    &waba_provider_cloud::SPEC,
    #[cfg(feature = "onprem")]
    &waba_provider_onprem::SPEC,
    #[cfg(feature = "tujenge")]
    &waba_provider_tujenge::SPEC,
    #[cfg(feature = "enablex")]
    &waba_provider_enablex::SPEC,
    #[cfg(feature = "mobile-gateway")]
    &waba_provider_mobile_gateway::SPEC,
    #[cfg(feature = "generic-v2")]
    &waba_provider_generic_v2::SPEC,
];

/// The providers a [`Config`] knows: their sections, keys and variables are accepted, and
/// `provider = "<name>"` picks one of them.
///
/// [`Config::load`] and the other `Config` constructors use [`Providers::builtin`]; an
/// application with an adapter of its own adds it with one line and loads through the list:
///
/// ```no_run
/// # fn run(my_spec: &'static waba::ProviderSpec) -> Result<(), waba::Error> {
/// // WABA_PROVIDER=acme WABA_ACME_API_KEY=…
/// let config = waba::Providers::builtin().with(my_spec).load(None)?;
/// let client = config.client()?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Providers {
    specs: Vec<&'static ProviderSpec>,
}

impl Default for Providers {
    /// [`Providers::builtin`].
    fn default() -> Self {
        Self::builtin()
    }
}

impl Providers {
    /// The providers compiled into this build ([`PROVIDERS`]).
    pub fn builtin() -> Self {
        Self {
            specs: PROVIDERS.to_vec(),
        }
    }

    /// No provider at all, for an application that offers only its own.
    pub fn empty() -> Self {
        Self { specs: Vec::new() }
    }

    /// The same list with `spec` added at the end; a spec with the name of one already
    /// listed takes its place (an application's own build of an adapter, say).
    #[must_use]
    pub fn with(mut self, spec: &'static ProviderSpec) -> Self {
        match self.specs.iter_mut().find(|s| s.name == spec.name) {
            Some(slot) => *slot = spec,
            None => self.specs.push(spec),
        }
        self
    }

    /// The spec named `name` (`cloud`).
    pub fn get(&self, name: &str) -> Option<&'static ProviderSpec> {
        self.specs.iter().copied().find(|s| s.name == name)
    }

    /// Every spec, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'static ProviderSpec> + '_ {
        self.specs.iter().copied()
    }

    /// The names, comma-separated, for messages: `cloud, onprem, acme`.
    pub fn names(&self) -> String {
        self.specs
            .iter()
            .map(|s| s.name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// [`Config::load`] over these providers.
    pub fn load(&self, path: Option<&Path>) -> Result<Config, ConfigError> {
        Config::load_from(self.clone(), path, std::env::vars())
    }

    /// [`Config::from_env`] over these providers.
    pub fn from_env(&self) -> Result<Config, ConfigError> {
        Config::from_vars_with(self.clone(), std::env::vars())
    }

    /// [`Config::from_vars`] over these providers.
    pub fn from_vars(
        &self,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        Config::from_vars_with(self.clone(), vars)
    }

    /// [`Config::from_toml`] over these providers.
    pub fn from_toml(&self, text: &str) -> Result<Config, ConfigError> {
        Config::from_toml_with(self.clone(), text)
    }

    /// [`Config::new`] over these providers: empty, to be filled with
    /// [`Config::with`].
    pub fn config(&self) -> Config {
        Config::empty_with(self.clone())
    }

    /// Secrets are masked wherever a value is shown: keys the specs mark secret, and any key
    /// whose name says it holds one (for providers not in this list).
    pub(crate) fn is_secret(&self, var: &str) -> bool {
        let spec_secret = self
            .iter()
            .any(|s| s.all_keys().any(|k| k.secret && s.env_var(k) == var));
        spec_secret
            || ["TOKEN", "KEY", "PASSWORD", "SECRET", "HEADERS"]
                .iter()
                .any(|w| var.contains(w))
    }

    /// `WABA_CLOUD_ACCESS_TOKEN` → `(Some(cloud spec), "access_token")`; a top-level
    /// variable → `(None, "rate_limit")`. The longest provider prefix wins, so
    /// `WABA_GENERIC_V2_…` is never read as a provider called `generic`.
    pub(crate) fn split_var(&self, var: &str) -> Option<(Option<&'static ProviderSpec>, String)> {
        let rest = var.strip_prefix("WABA_")?;
        let spec = self
            .iter()
            .filter(|s| var.starts_with(&s.env_prefix()))
            .max_by_key(|s| s.name.len());
        Some(match spec {
            Some(s) => (Some(s), var[s.env_prefix().len()..].to_ascii_lowercase()),
            None => (None, rest.to_ascii_lowercase()),
        })
    }
}
