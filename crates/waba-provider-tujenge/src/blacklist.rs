//! The paths Tujenge refuses, checked before any request leaves.

use waba_core::{Error, ErrorKind};

/// The allowed exceptions under `/v1/settings/`.
pub const ALLOWED_SETTINGS: &[&str] = &[
    "/v1/settings/business/profile",
    "/v1/settings/profile/about",
    "/v1/settings/profile/photo",
];

/// Each blocked path prefix and the rule that blocks it (seed tujenge).
pub const BLOCKED: &[(&str, &str)] = &[
    (
        "/v1/settings",
        "settings, except the business profile, about and photo",
    ),
    ("/v1/certificates", "certificates"),
    ("/v1/account", "registration"),
    ("/v1/health", "health check"),
    ("/v1/stats", "stats and metrics"),
    ("/metrics", "stats and metrics"),
    ("/v1/support", "support"),
    ("/v1/users", "users"),
];

/// Refuses a path the proxy blocks, naming the path and the rule.
pub fn check(path: &str) -> Result<(), Error> {
    let path = path.split('?').next().unwrap_or(path);
    if ALLOWED_SETTINGS.contains(&path.trim_end_matches('/')) {
        return Ok(());
    }
    for (prefix, rule) in BLOCKED {
        let hit = path == *prefix
            || path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'));
        if hit {
            return Err(Error::new(ErrorKind::Unsupported {
                capability: format!("{path} on Tujenge").into(),
            })
            .with_provider(crate::ID)
            .with_message(format!(
                "{path} is blocked by Tujenge ({rule}); it never reaches the API"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn blocked_and_allowed_paths() {
        for p in [
            "/v1/settings/application",
            "/v1/settings",
            "/v1/certificates/webhooks/ca",
            "/v1/account",
            "/v1/health",
            "/v1/stats/app",
            "/metrics",
            "/v1/support",
            "/v1/users/login",
        ] {
            let e = check(p).unwrap_err();
            assert!(
                e.to_string().contains(p) && e.to_string().contains("blocked by Tujenge"),
                "{e}"
            );
        }
        for p in [
            "/v1/messages",
            "/v1/media/abc",
            "/v1/contacts",
            "/v1/settings/business/profile",
            "/v1/settings/profile/about",
            "/v1/settings/profile/photo",
            "/v1/configs/webhook",
            "/v1/stickerpacks",
            "/v1/accounts-x",
        ] {
            assert!(check(p).is_ok(), "{p}");
        }
        assert!(check("/v1/health?x=1").is_err());
    }
}
