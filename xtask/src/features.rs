//! `cargo xtask features`: every published crate compiles alone with its default features,
//! with none, and with each feature alone, so a user who picks `waba-webhook` without `axum`,
//! or `waba` with one provider, gets a crate that builds. Run by `cargo xtask ci`.
//!
//! It then checks what the lean builds leave out ([`bounds`]): no adapter pulls in reqwest
//! without its `reqwest` feature (and one sends over hyper that way), and the test doubles
//! of `waba-testkit` pull in neither the sandbox, axum nor insta.
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
    each_feature(&meta)?;
    bounds(&meta)
}

fn each_feature(meta: &Value) -> Result<(), String> {
    if cargo_hack_installed() {
        let mut args = vec!["hack", "check", "--workspace", "--each-feature", "--locked"];
        for name in release::unpublished(meta) {
            args.extend(["--exclude", name]);
        }
        return crate::cargo(&args, &[]);
    }
    eprintln!(
        "cargo-hack is not installed (`cargo install cargo-hack --locked`): \
         checking each feature with cargo check"
    );
    for package in release::members(meta) {
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

/// A lean build and the crates it must not pull in: `(package, cargo tree arguments,
/// forbidden crates)`. Every adapter (`waba-provider-*`) is added with reqwest forbidden.
const BOUNDS: &[(&str, &[&str], &[&str])] = &[(
    "waba-testkit",
    &["--no-default-features"],
    &["waba-sandbox", "axum", "insta"],
)];

/// Each lean build leaves out what it promises to: `cargo tree -e normal` of each
/// [`BOUNDS`] entry and of every adapter without default features names none of the
/// forbidden crates; then an adapter built without reqwest sends over hyper to the sandbox.
fn bounds(meta: &Value) -> Result<(), String> {
    let adapters: Vec<&str> = release::members(meta)
        .into_iter()
        .filter_map(|p| p["name"].as_str())
        .filter(|n| n.starts_with("waba-provider-"))
        .collect();
    if adapters.is_empty() {
        return Err("no waba-provider-* crate found in the workspace".to_owned());
    }
    let mut problems = Vec::new();
    let adapter_bounds = adapters
        .iter()
        .map(|a| (*a, &["--no-default-features"][..], &["reqwest"][..]));
    for (package, args, forbidden) in BOUNDS.iter().copied().chain(adapter_bounds) {
        let tree = tree(package, args)?;
        let found = forbidden_in(&tree, forbidden);
        if !found.is_empty() {
            problems.push(format!(
                "`cargo tree -p {package} {} -e normal` pulls in {}",
                args.join(" "),
                found.join(", ")
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    // Left out is not enough: an adapter without reqwest must still work, over hyper.
    crate::cargo(
        &[
            "test",
            "--locked",
            "-p",
            "waba-provider-cloud",
            "--no-default-features",
            "--test",
            "hyper",
        ],
        &[],
    )
}

/// The crate names in `cargo tree -p <package> <args> -e normal --prefix none` output.
fn tree(package: &str, args: &[&str]) -> Result<String, String> {
    let mut command = std::process::Command::new(release::cargo_bin());
    command
        .args([
            "tree", "--locked", "-e", "normal", "--prefix", "none", "-p", package,
        ])
        .args(args)
        .current_dir(crate::workspace_root());
    let out = command
        .output()
        .map_err(|e| format!("could not run cargo tree: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo tree -p {package} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The `forbidden` crates that `tree` (one `name vX.Y.Z …` a line) lists.
fn forbidden_in<'a>(tree: &str, forbidden: &[&'a str]) -> Vec<&'a str> {
    forbidden
        .iter()
        .copied()
        .filter(|f| {
            tree.lines()
                .any(|line| line.split_whitespace().next() == Some(*f))
        })
        .collect()
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
    fn forbidden_crates_are_found_by_name_not_by_prefix() {
        let tree = "waba-provider-cloud v0.1.0 (/w/crates/waba-provider-cloud)\n\
                    waba-transport-reqwest v0.1.0 (/w/crates/waba-transport-reqwest)\n\
                    reqwest v0.12.9\n";
        assert_eq!(super::forbidden_in(tree, &["reqwest", "axum"]), ["reqwest"]);
        let lean = "waba-testkit v0.1.0 (/w/crates/waba-testkit)\ninsta-like v1.0.0\n";
        assert!(super::forbidden_in(lean, &["insta", "axum"]).is_empty());
    }

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
