//! Releasing: `cargo xtask release --dry-run`, and the rules that keep every published crate
//! packageable on its own (checked by `tidy`, so by every CI run).

use std::fs;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// What `cargo semver-checks` is installed with, printed when it is missing.
const SEMVER_CHECKS_INSTALL: &str = "cargo install cargo-semver-checks --locked";

/// `cargo xtask release --dry-run`: packages every published crate as the registry would
/// receive it (`cargo package`, which also builds each package alone from its packaged
/// sources), then compares the public API with the last release tag (`cargo semver-checks`).
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    if args != ["--dry-run"] {
        return Err("usage: cargo xtask release --dry-run\n\
             (publishing itself is `cargo publish --workspace` by a maintainer, after a green dry run)"
            .to_owned());
    }
    let problems = rules(&crate::workspace_root());
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    let meta = metadata()?;
    let mut package = vec!["package", "--workspace", "--locked"];
    for name in unpublished(&meta) {
        package.extend(["--exclude", name]);
    }
    crate::cargo(&package, &[])?;
    semver_checks(&meta)?;
    eprintln!("xtask release --dry-run: every published crate packages and builds on its own");
    Ok(())
}

/// `cargo semver-checks` against the last `v*` tag, for the semver-stable crates.
fn semver_checks(meta: &Value) -> Result<(), String> {
    if !succeeds(cargo_bin(), &["semver-checks", "--version"]) {
        return Err(format!(
            "cargo-semver-checks is not installed, so the public API was not compared with the \
             last release.\nInstall it with `{SEMVER_CHECKS_INSTALL}` and run this again."
        ));
    }
    let tag = Command::new("git")
        .args(["describe", "--tags", "--abbrev=0", "--match", "v*"])
        .current_dir(crate::workspace_root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let Some(tag) = tag else {
        eprintln!(
            "semver-checks: no release tag (v*) yet, so there is no published API to compare with"
        );
        return Ok(());
    };
    let mut args = vec![
        "semver-checks",
        "check-release",
        "--workspace",
        "--baseline-rev",
        &tag,
    ];
    // waba-testkit is documented as not semver-stable; waba-cli has no library.
    let skipped = ["waba-testkit", "waba-cli"];
    for name in unpublished(meta).into_iter().chain(skipped) {
        args.extend(["--exclude", name]);
    }
    crate::cargo(&args, &[])
}

fn succeeds(program: String, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `cargo metadata` of the workspace (JSON, format 1).
pub(crate) fn metadata() -> Result<Value, String> {
    let out = Command::new(cargo_bin())
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(crate::workspace_root())
        .output()
        .map_err(|e| format!("could not run cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata's output: {e}"))
}

/// The workspace's packages, as `cargo metadata` lists them.
pub(crate) fn members(meta: &Value) -> Vec<&Value> {
    let ids: Vec<&Value> = meta["workspace_members"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| ids.contains(&&p["id"]))
        .collect()
}

/// Whether a package may be published: `publish = false` shows as an empty registry list.
pub(crate) fn is_published(package: &Value) -> bool {
    package["publish"].as_array().is_none_or(|r| !r.is_empty())
}

/// The names of the workspace packages that are never published (`publish = false`).
pub(crate) fn unpublished(meta: &Value) -> Vec<&str> {
    members(meta)
        .into_iter()
        .filter(|p| !is_published(p))
        .filter_map(|p| p["name"].as_str())
        .collect()
}

/// The rules that keep each published crate packageable and documented on its own; every
/// broken one, naming the file. Reads the manifests as TOML, so it is cheap enough for `tidy`.
pub(crate) fn rules(root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let read = |path: &Path| fs::read_to_string(path).unwrap_or_default();
    let licences = ["LICENSE-MIT", "LICENSE-APACHE"];
    root_files(root, &mut problems);
    versioned_dependencies(root, &mut problems);
    let crates_dir = root.join("crates");
    let mut manifests: Vec<_> = fs::read_dir(&crates_dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    manifests.sort();
    // Every package directory under crates/ is a workspace crate; its name is its directory's.
    let workspace_crates: Vec<String> = manifests
        .iter()
        .filter(|d| d.join("Cargo.toml").exists())
        .filter_map(|d| Some(d.file_name()?.to_string_lossy().into_owned()))
        .collect();
    for dir in manifests.iter().filter(|d| d.join("Cargo.toml").exists()) {
        let manifest_path = dir.join("Cargo.toml");
        let at = manifest_path.display();
        let manifest: toml::Table = match read(&manifest_path).parse() {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{at}: not valid TOML: {e}"));
                continue;
            }
        };
        let package = manifest.get("package").and_then(toml::Value::as_table);
        let published = package
            .and_then(|p| p.get("publish"))
            .and_then(toml::Value::as_bool)
            != Some(false);
        dev_dependencies_are_path_only(
            &manifest,
            &workspace_crates,
            &at.to_string(),
            &mut problems,
        );
        if !published {
            continue;
        }
        for key in ["description", "keywords", "categories"] {
            if package.is_none_or(|p| !p.contains_key(key)) {
                problems.push(format!("{at}: a published crate needs `{key}`"));
            }
        }
        let docs_rs = package
            .and_then(|p| p.get("metadata"))
            .and_then(|m| m.get("docs"))
            .and_then(|d| d.get("rs"));
        if docs_rs
            .and_then(|d| d.get("all-features"))
            .and_then(toml::Value::as_bool)
            != Some(true)
        {
            problems.push(format!(
                "{at}: add `[package.metadata.docs.rs] all-features = true` and \
                 `rustdoc-args = [\"--cfg\", \"docsrs\"]`"
            ));
        }
        if read(&dir.join("README.md")).is_empty() {
            problems.push(format!(
                "{}: a published crate needs its README.md",
                dir.display()
            ));
        }
        for licence in licences {
            if read(&dir.join(licence)) != read(&root.join(licence)) {
                problems.push(format!(
                    "{}: must be a copy of the root {licence} (cargo packages it with the crate)",
                    dir.join(licence).display()
                ));
            }
        }
        let lib = dir.join("src/lib.rs");
        if lib.exists() && !read(&lib).starts_with("#![doc = include_str!(\"../README.md\")]") {
            problems.push(format!(
                "{}: open with `#![doc = include_str!(\"../README.md\")]`: the README is the \
                 crate's documentation",
                lib.display()
            ));
        }
    }
    let all_manifests = std::iter::once(root.join("Cargo.toml"))
        .chain(manifests.iter().map(|d| d.join("Cargo.toml")));
    for path in all_manifests {
        if read(&path).contains(".invalid") {
            problems.push(format!(
                "{}: no placeholder URL (`.invalid`): a real one or none",
                path.display()
            ));
        }
    }
    problems
}

/// A dev-dependency on a workspace crate must be path-only: `cargo package` strips it, while
/// a versioned one must resolve from the registry, where `waba-testkit` (which depends on the
/// crates whose tests use it) makes a cycle.
fn dev_dependencies_are_path_only(
    manifest: &toml::Table,
    workspace_crates: &[String],
    at: &str,
    problems: &mut Vec<String>,
) {
    let mut tables: Vec<&toml::Table> = Vec::new();
    tables.extend(
        manifest
            .get("dev-dependencies")
            .and_then(toml::Value::as_table),
    );
    if let Some(targets) = manifest.get("target").and_then(toml::Value::as_table) {
        for target in targets.values() {
            tables.extend(
                target
                    .get("dev-dependencies")
                    .and_then(toml::Value::as_table),
            );
        }
    }
    for (name, spec) in tables.into_iter().flatten() {
        if !workspace_crates.contains(name) {
            continue;
        }
        let path_only = spec.as_table().is_some_and(|t| {
            t.contains_key("path") && !t.contains_key("version") && !t.contains_key("workspace")
        });
        if !path_only {
            problems.push(format!(
                "{at}: dev-dependency `{name}` must be path-only (`{name} = {{ path = \"../{name}\" }}`): \
                 a versioned one (or `workspace = true`) makes `cargo package` meet a cycle"
            ));
        }
    }
}

/// The cargo that runs this xtask (`CARGO`), so nested runs use the same toolchain.
pub(crate) fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// The manifests of the workspace's members outside `xtask`: `crates/*`, `examples/**` and
/// `fuzz`, found on disk (one level under `examples/`).
fn members_manifests(root: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for dir in ["crates", "examples"] {
        let entries = fs::read_dir(root.join(dir)).into_iter().flatten();
        out.extend(
            entries
                .filter_map(Result::ok)
                .map(|e| e.path().join("Cargo.toml"))
                .filter(|p| p.exists()),
        );
    }
    out.extend(
        ["examples/Cargo.toml", "fuzz/Cargo.toml"]
            .iter()
            .map(|p| root.join(p))
            .filter(|p| p.exists()),
    );
    out.sort();
    out
}

/// `cargo package` (of every member, publish = false ones too) strips `path` from a
/// dependency and needs a version to fall back on: a normal or build dependency given by
/// path alone fails packaging, wherever the member lives.
fn versioned_dependencies(root: &Path, problems: &mut Vec<String>) {
    for manifest_path in members_manifests(root) {
        let at = manifest_path.display().to_string();
        let Ok(manifest) = fs::read_to_string(&manifest_path)
            .unwrap_or_default()
            .parse::<toml::Table>()
        else {
            continue;
        };
        for section in ["dependencies", "build-dependencies"] {
            let deps = manifest.get(section).and_then(toml::Value::as_table);
            for (name, dep) in deps.into_iter().flatten() {
                let Some(dep) = dep.as_table() else { continue };
                if dep.contains_key("path") && !dep.contains_key("version") {
                    problems.push(format!(
                        "{at}: [{section}] {name} is given by path alone; `cargo package` needs \
                         a version: use `{name} = {{ workspace = true }}`"
                    ));
                }
            }
        }
    }
}

/// The licence texts and the changelog the packages and releases rely on.
fn root_files(root: &Path, problems: &mut Vec<String>) {
    let read = |path: &Path| fs::read_to_string(path).unwrap_or_default();
    for licence in ["LICENSE-MIT", "LICENSE-APACHE"] {
        if read(&root.join(licence)).is_empty() {
            problems.push(format!(
                "{licence}: the licence text is missing at the root"
            ));
        }
    }
    if !read(&root.join("CHANGELOG.md")).contains("## [Unreleased]") {
        problems.push("CHANGELOG.md: keep an `## [Unreleased]` section".to_owned());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn versioned_dev_dependencies_on_workspace_crates_are_refused() {
        let manifest: toml::Table = r#"
            [dev-dependencies]
            waba-testkit = { workspace = true }
            waba-sandbox = { path = "../waba-sandbox", version = "0.1.0" }
            waba-webhook = { path = "../waba-webhook", features = ["axum"] }
            insta = { workspace = true }
            [target.'cfg(unix)'.dev-dependencies]
            waba-core = "0.1"
        "#
        .parse()
        .unwrap();
        let crates =
            ["waba-testkit", "waba-sandbox", "waba-webhook", "waba-core"].map(String::from);
        let mut problems = Vec::new();
        super::dev_dependencies_are_path_only(&manifest, &crates, "m", &mut problems);
        let named: Vec<&str> = problems
            .iter()
            .map(|p| p.split('`').nth(1).unwrap_or_default())
            .collect();
        assert_eq!(named, ["waba-sandbox", "waba-testkit", "waba-core"]);
    }
}
