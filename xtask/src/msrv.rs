//! `cargo xtask msrv`: the `rust-version` the workspace declares is honest.
//!
//! 1. It is at least what the edition needs (2024: Rust 1.85).
//! 2. No dependency a user builds (normal and build dependencies of the published crates,
//!    as locked) declares a newer `rust-version`.
//! 3. The published crates, with all their features, compile with that toolchain, which
//!    rustup installs when it is missing.

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

use serde_json::Value;

use crate::release;

/// The first Rust release of each edition.
const EDITIONS: [(&str, (u64, u64)); 4] = [
    ("2015", (1, 0)),
    ("2018", (1, 31)),
    ("2021", (1, 56)),
    ("2024", (1, 85)),
];

pub(crate) fn run() -> Result<(), String> {
    let root = crate::workspace_root();
    let manifest: toml::Table = std::fs::read_to_string(root.join("Cargo.toml"))
        .map_err(|e| format!("Cargo.toml: {e}"))?
        .parse()
        .map_err(|e| format!("Cargo.toml: {e}"))?;
    let package = &manifest["workspace"]["package"];
    let declared = package
        .get("rust-version")
        .and_then(toml::Value::as_str)
        .ok_or("Cargo.toml: [workspace.package] has no rust-version")?
        .to_owned();
    let msrv = version(&declared)
        .ok_or_else(|| format!("Cargo.toml: rust-version {declared:?} is not a version"))?;
    let edition = package
        .get("edition")
        .and_then(toml::Value::as_str)
        .unwrap_or("2015");
    if let Some((_, needed)) = EDITIONS.iter().find(|(e, _)| *e == edition)
        && msrv < *needed
    {
        return Err(format!(
            "Cargo.toml: rust-version {declared} is older than edition {edition} allows \
             (Rust {}.{} or newer)",
            needed.0, needed.1
        ));
    }
    let meta = release::metadata()?;
    let too_new = dependencies_newer_than(&meta, msrv);
    if !too_new.is_empty() {
        return Err(format!(
            "rust-version {declared} is not honest: these locked dependencies of the published \
             crates need a newer Rust:\n{}",
            too_new.join("\n")
        ));
    }
    eprintln!("msrv: edition {edition} and every locked dependency allow Rust {declared}");
    install(&declared)?;
    let mut args = vec![
        "run",
        declared.as_str(),
        "cargo",
        "check",
        "--workspace",
        "--all-features",
        "--locked",
    ];
    for name in release::unpublished(&meta) {
        args.extend(["--exclude", name]);
    }
    eprintln!("$ rustup {}", args.join(" "));
    // A target directory of its own, so the main one keeps its current-toolchain builds, and
    // none of the variables cargo set for this process (they name the current toolchain).
    let status = Command::new("rustup")
        .args(&args)
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", root.join("target/msrv"))
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC")
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTC_WRAPPER")
        .status()
        .map_err(|e| format!("could not run rustup: {e}"))?;
    if !status.success() {
        return Err(format!(
            "the published crates do not compile with Rust {declared}, their declared \
             rust-version: raise it, or avoid what the newer Rust brought"
        ));
    }
    eprintln!("msrv: the published crates compile with Rust {declared}");
    Ok(())
}

/// Installs the toolchain with rustup unless it is there already.
fn install(toolchain: &str) -> Result<(), String> {
    let present = Command::new("rustup")
        .args(["run", toolchain, "rustc", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if present {
        return Ok(());
    }
    eprintln!("$ rustup toolchain install {toolchain} --profile minimal");
    let installed = Command::new("rustup")
        .args(["toolchain", "install", toolchain, "--profile", "minimal"])
        .status()
        .is_ok_and(|s| s.success());
    if installed {
        Ok(())
    } else {
        Err(format!(
            "Rust {toolchain} is not installed and rustup could not install it (is rustup \
             installed, and can it reach its download server?). Install it with \
             `rustup toolchain install {toolchain} --profile minimal` and run this again."
        ))
    }
}

/// `"1.88"` or `"1.88.0"` as (major, minor).
fn version(text: &str) -> Option<(u64, u64)> {
    let mut parts = text.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().unwrap_or("0").parse().ok()?;
    Some((major, minor))
}

/// The locked packages a user's build of the published crates compiles (normal and build
/// dependencies, transitively) whose own `rust-version` is newer than `msrv`, as
/// `name version: rust-version`.
fn dependencies_newer_than(meta: &Value, msrv: (u64, u64)) -> Vec<String> {
    let packages: HashMap<&str, &Value> = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["id"].as_str()?, p)))
        .collect();
    let nodes: HashMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| Some((n["id"].as_str()?, n)))
        .collect();
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&str> = release::members(meta)
        .into_iter()
        .filter(|p| release::is_published(p))
        .filter_map(|p| p["id"].as_str())
        .collect();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let deps = nodes.get(id).and_then(|n| n["deps"].as_array());
        for dep in deps.into_iter().flatten() {
            // A dependency reached only as a dev-dependency is not in a user's build.
            let for_users = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k["kind"].is_null() || k["kind"] == "build");
            if let (true, Some(dep_id)) = (for_users, dep["pkg"].as_str()) {
                stack.push(dep_id);
            }
        }
    }
    let mut too_new: Vec<String> = seen
        .into_iter()
        .filter_map(|id| packages.get(id))
        .filter_map(|p| {
            let needs = p["rust_version"].as_str()?;
            (version(needs)? > msrv).then(|| {
                format!(
                    "  {} {}: rust-version {needs}",
                    p["name"].as_str().unwrap_or("?"),
                    p["version"].as_str().unwrap_or("?")
                )
            })
        })
        .collect();
    too_new.sort();
    too_new
}

#[cfg(test)]
mod tests {
    #[test]
    fn versions_compare_by_major_then_minor() {
        assert_eq!(super::version("1.88"), Some((1, 88)));
        assert_eq!(super::version("1.85.1"), Some((1, 85)));
        assert!(super::version("1.9").unwrap() < super::version("1.85").unwrap());
        assert_eq!(super::version("one"), None);
    }
}
