//! The configuration keys of each provider, for `--help` and `waba sandbox --print-config`.

use std::fmt::Write as _;

/// One setting of a provider: its key in the provider's TOML section (`access_token` in
/// `[cloud]`; the variable is `WABA_CLOUD_ACCESS_TOKEN`) and what it holds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConfigKey {
    /// The TOML key.
    pub(crate) key: &'static str,
    /// What it holds, and its default.
    pub(crate) about: &'static str,
}

const fn k(key: &'static str, about: &'static str) -> ConfigKey {
    ConfigKey { key, about }
}

/// The settings of `provider` (a name of [`waba::PROVIDERS`]); empty for other names.
///
/// Copied from the settings table of each adapter's `config` module documentation; this is
/// the one function to point at the configuration's own per-provider specification once
/// it lists them.
pub(crate) fn provider_config_keys(provider: &str) -> &'static [ConfigKey] {
    match provider {
        "cloud" => {
            const KEYS: &[ConfigKey] = &[
                k("access_token", "system-user access token (required)"),
                k("phone_number_id", "the sending phone-number id (required)"),
                k(
                    "waba_id",
                    "WhatsApp Business Account id, for templates list",
                ),
                k("base_url", "default https://graph.facebook.com"),
                k("api_version", "Graph API version, default the adapter's"),
            ];
            KEYS
        }
        "onprem" => {
            const KEYS: &[ConfigKey] = &[
                k("base_url", "the Webapp's https://host:port (required)"),
                k("username", "user for /v1/users/login (required)"),
                k("password", "its password (required)"),
                k(
                    "namespace",
                    "template namespace (templates refused without)",
                ),
                k("api_key", "API key for health, 12 to 128 characters"),
                k("api_key_header", "header presenting the API key"),
                k("groups", "groups enabled on this deployment, default true"),
            ];
            KEYS
        }
        "tujenge" => {
            const KEYS: &[ConfigKey] = &[
                k("api_key", "WA-API-KEY (required)"),
                k(
                    "namespace",
                    "template namespace (templates refused without)",
                ),
                k("base_url", "default the adapter's"),
                k("key_header", "the API-key header, default WA-API-KEY"),
            ];
            KEYS
        }
        "enablex" => {
            const KEYS: &[ConfigKey] = &[
                k("app_id", "APP ID (required)"),
                k("app_key", "APP KEY (required)"),
                k("auth", "basic or token, default basic"),
                k("from", "sending number, for projects with several"),
                k("base_url", "base URL with version, default the adapter's"),
            ];
            KEYS
        }
        "mobile-gateway" => {
            const KEYS: &[ConfigKey] = &[
                k("base_url", "https://{apiDomainName}/rest/wab/v1 (required)"),
                k("username", "user name (required)"),
                k("password", "password (required)"),
                k("source", "the business number's id, digits (required)"),
                k("recipient_field", "destination or to, default destination"),
            ];
            KEYS
        }
        "generic-v2" => {
            const KEYS: &[ConfigKey] = &[
                k("access_token", "bearer token (required)"),
                k("base_url", "the service's base URL"),
            ];
            KEYS
        }
        _ => &[],
    }
}

/// The `WABA_…` variable of a provider's key.
pub(crate) fn variable(provider: &str, key: &str) -> String {
    format!(
        "WABA_{}_{}",
        provider.replace('-', "_").to_ascii_uppercase(),
        key.to_ascii_uppercase()
    )
}

/// The configuration part of `waba --help`: the common settings, then the settings of the
/// chosen provider (`WABA_PROVIDER`), or of every provider when none is chosen.
pub(crate) fn help(chosen: Option<&str>) -> String {
    let mut s = String::from(
        "Configuration (--config FILE; WABA_* variables override it):\n  \
         provider        WABA_PROVIDER: one of ",
    );
    s.push_str(&waba::PROVIDERS.join(", "));
    s.push_str(
        "\n  rate_limit      WABA_RATE_LIMIT: messages a second per sending number\n  \
         retry_attempts  WABA_RETRY_ATTEMPTS\n",
    );
    let chosen = chosen.filter(|p| waba::PROVIDERS.contains(p));
    for provider in waba::PROVIDERS
        .iter()
        .filter(|p| chosen.is_none_or(|c| c == **p))
    {
        let _ = writeln!(s, "  [{provider}]");
        for key in provider_config_keys(provider) {
            let _ = writeln!(
                s,
                "    {:<16}{}: {}",
                key.key,
                variable(provider, key.key),
                key.about
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_lists_its_keys() {
        for provider in waba::PROVIDERS {
            assert!(
                !provider_config_keys(provider).is_empty(),
                "{provider} has no keys"
            );
        }
        assert_eq!(
            variable("mobile-gateway", "base_url"),
            "WABA_MOBILE_GATEWAY_BASE_URL"
        );
    }
}
