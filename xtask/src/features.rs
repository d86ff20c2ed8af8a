//! `cargo xtask features`: every published crate compiles alone with its default features,
//! with none, and with each feature alone, so a user who picks `waba-webhook` without `axum`,
//! or `waba` with one provider, gets a crate that builds. Run by `cargo xtask ci`.
//!
//! `cargo check -p <crate>` builds only that crate's library and binaries, and resolver 3 does
//! not unify the features of dev-dependencies or of other workspace members into it, so each
//! run sees exactly what a user's build would.

use serde_json::Value;

use crate::release;

/// Checks every published crate with each feature alone; through cargo-hack when it is
/// installed, otherwise with the same `cargo check` runs made here.
pub(crate) fn check() -> Result<(), String> {
    let meta = release::metadata()?;
    if cargo_hack_installed() {
        let mut args = vec!["hack", "check", "--workspace", "--each-feature", "--locked"];
        for name in release::unpublished(&meta) {
            args.extend(["--exclude", name]);
        }
        return crate::cargo(&args, &[]);
    }
    eprintln!(
        "cargo-hack is not installed (`cargo install cargo-hack --locked`): \
         checking each feature with cargo check"
    );
    for package in release::members(&meta) {
        if !release::is_published(package) {
            continue;
        }
        let name = package["name"].as_str().unwrap_or_default();
        for features in feature_sets(package) {
            let mut args = vec!["check", "--locked", "--quiet", "-p", name];
            args.extend(features.iter().map(String::as_str));
            crate::cargo(&args, &[])?;
        }
    }
    Ok(())
}

fn cargo_hack_installed() -> bool {
    std::process::Command::new(release::cargo_bin())
        .args(["hack", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The feature arguments of each run, as `cargo hack --each-feature` makes them: the defaults,
/// none, then each feature but `default` alone.
fn feature_sets(package: &Value) -> Vec<Vec<String>> {
    let mut names: Vec<&str> = package["features"]
        .as_object()
        .map(|f| f.keys().map(String::as_str).collect())
        .unwrap_or_default();
    names.retain(|f| *f != "default");
    names.sort_unstable();
    let mut sets = vec![Vec::new()];
    if names.is_empty() {
        return sets;
    }
    sets.push(vec!["--no-default-features".to_owned()]);
    for feature in names {
        sets.push(vec![
            "--no-default-features".to_owned(),
            "--features".to_owned(),
            feature.to_owned(),
        ]);
    }
    sets
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn each_feature_alone_after_the_defaults_and_none() {
        let package = json!({"features": {"default": ["a"], "b": [], "a": []}});
        let sets = super::feature_sets(&package);
        let sets: Vec<String> = sets.iter().map(|s| s.join(" ")).collect();
        assert_eq!(
            sets,
            [
                "",
                "--no-default-features",
                "--no-default-features --features a",
                "--no-default-features --features b",
            ]
        );
        assert_eq!(super::feature_sets(&json!({"features": {}})).len(), 1);
    }
}
