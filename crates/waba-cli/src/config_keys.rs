//! The configuration keys of each provider, read from its [`waba::ProviderSpec`], for
//! `--help` and `waba sandbox --print-config`.

use std::fmt::Write as _;

use waba::core::ConfigKey;

/// The settings of `provider` (a name in [`waba::PROVIDERS`]) with the receiver's webhook
/// settings; empty for other names.
pub(crate) fn provider_config_keys(provider: &str) -> Vec<&'static ConfigKey> {
    waba::spec(provider).map_or_else(Vec::new, |s| s.all_keys().collect())
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
        "Configuration (--config FILE, else ./waba.toml; WABA_* variables override it):\n  \
         provider        WABA_PROVIDER: one of ",
    );
    s.push_str(&waba::provider_names());
    s.push_str(
        "\n  rate_limit      WABA_RATE_LIMIT: messages a second per sending number\n  \
         retry_attempts  WABA_RETRY_ATTEMPTS\n  \
         throttle_wait   WABA_THROTTLE_WAIT: seconds a send may wait out throttling\n",
    );
    let chosen = chosen.and_then(waba::spec);
    for spec in waba::PROVIDERS
        .iter()
        .filter(|p| chosen.is_none_or(|c| c.name == p.name))
    {
        let _ = writeln!(s, "  [{}] {}", spec.name, spec.title);
        for key in spec.all_keys() {
            let _ = writeln!(
                s,
                "    {:<16} {}: {}{}",
                key.name,
                spec.env_var(key),
                key.doc,
                if key.required { " (required)" } else { "" }
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
        for spec in waba::PROVIDERS {
            assert!(
                !provider_config_keys(spec.name).is_empty(),
                "{} has no keys",
                spec.name
            );
        }
        assert_eq!(
            variable("mobile-gateway", "base_url"),
            "WABA_MOBILE_GATEWAY_BASE_URL"
        );
        let help = help(Some("enablex"));
        assert!(help.contains("WABA_ENABLEX_AUTH"), "{help}");
        assert!(!help.contains("WABA_CLOUD_"), "{help}");
    }
}
