//! `cargo xtask fuzz [TARGET] [--seconds N]`: runs the cargo-fuzz targets of `fuzz/` (all, or
//! one), each for N seconds (30 by default), with the nightly toolchain and cargo-fuzz,
//! installing either when it is missing.
//!
//! New inputs go to `target/fuzz-corpus/<target>/`, so the committed corpus
//! (`fuzz/corpus/<target>/`) and the fixtures stay read-only seeds; crashes go to
//! `fuzz/artifacts/<target>/`: each one becomes a fixture and a regression test.

use std::path::Path;
use std::process::Command;

const TOOLCHAIN: &str = "nightly";

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut seconds = 30_u64;
    let mut only = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if arg == "--seconds" {
            let value = rest.next().ok_or("--seconds needs a number")?;
            seconds = value
                .parse()
                .map_err(|_| format!("--seconds {value:?}: not a whole number of seconds"))?;
        } else if only.is_none() && !arg.starts_with('-') {
            only = Some(arg.clone());
        } else {
            return Err(format!(
                "cargo xtask fuzz: unexpected {arg:?}\nusage: cargo xtask fuzz [TARGET] [--seconds N]"
            ));
        }
    }
    let root = crate::workspace_root();
    let targets = targets(&root.join("fuzz/fuzz_targets"));
    if let Some(name) = &only
        && !targets.contains(name)
    {
        return Err(format!(
            "no fuzz target {name:?}; the targets are: {}",
            targets.join(", ")
        ));
    }
    install()?;
    for target in targets
        .iter()
        .filter(|t| only.as_ref().is_none_or(|o| o == *t))
    {
        let work = root.join("target/fuzz-corpus").join(target);
        std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
        let mut args: Vec<String> = ["fuzz", "run", "--fuzz-dir", "fuzz", "--features"]
            .into_iter()
            .chain(["libfuzzer", target.as_str()])
            .map(str::to_owned)
            .collect();
        args.push(work.display().to_string());
        args.extend(
            seed_dirs(&root, target)
                .into_iter()
                .map(|d| d.display().to_string()),
        );
        // An input that runs over 10 s is reported as a hang, like a crash.
        args.extend([
            "--".to_owned(),
            format!("-max_total_time={seconds}"),
            "-timeout=10".to_owned(),
        ]);
        eprintln!("$ rustup run {TOOLCHAIN} cargo {}", args.join(" "));
        let status = Command::new("rustup")
            .args(["run", TOOLCHAIN, "cargo"])
            .args(&args)
            .current_dir(&root)
            .env_remove("CARGO")
            .env_remove("RUSTC")
            .env_remove("RUSTUP_TOOLCHAIN")
            .status()
            .map_err(|e| format!("could not run rustup: {e}"))?;
        if !status.success() {
            return Err(format!(
                "fuzz target {target} failed ({status}): the input is in fuzz/artifacts/{target}/; \
                 make it a fixture and a regression test"
            ));
        }
    }
    Ok(())
}

/// The targets: one file each under `fuzz/fuzz_targets/`.
fn targets(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter_map(|e| Some(e.path().file_stem()?.to_str()?.to_owned()))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The committed corpus, and the fixtures of the provider a webhook or response target reads.
fn seed_dirs(root: &Path, target: &str) -> Vec<std::path::PathBuf> {
    let mut dirs = vec![root.join("fuzz/corpus").join(target)];
    let fixture = |kind: &str, provider: &str| {
        root.join("fixtures")
            .join(provider.replace('_', "-"))
            .join(kind)
    };
    if let Some(provider) = target.strip_prefix("webhook_") {
        dirs.push(fixture("webhooks", provider));
    } else if let Some(provider) = target.strip_prefix("response_") {
        dirs.push(fixture("responses", provider));
    }
    dirs.retain(|d| d.is_dir());
    dirs
}

/// The nightly toolchain (rustup) and cargo-fuzz, installed when missing.
fn install() -> Result<(), String> {
    let works = |args: &[&str]| {
        Command::new("rustup")
            .args(["run", TOOLCHAIN])
            .args(args)
            .env_remove("CARGO")
            .env_remove("RUSTUP_TOOLCHAIN")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !works(&["rustc", "--version"]) {
        eprintln!(
            "cargo-fuzz needs the {TOOLCHAIN} toolchain, which is not installed: installing it\n\
             $ rustup toolchain install {TOOLCHAIN} --profile minimal"
        );
        let ok = Command::new("rustup")
            .args(["toolchain", "install", TOOLCHAIN, "--profile", "minimal"])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return Err(format!(
                "cargo-fuzz needs the {TOOLCHAIN} toolchain, and rustup could not install it here. \
                 Install it with `rustup toolchain install {TOOLCHAIN}` where rustup can download, \
                 then run this again. (The targets' bodies still run on stable: \
                 `cargo test -p waba-fuzz`.)"
            ));
        }
    }
    if !works(&["cargo", "fuzz", "--version"]) {
        eprintln!(
            "cargo-fuzz is not installed: installing it (a few minutes, once)\n\
             $ cargo install cargo-fuzz --locked"
        );
        let ok = Command::new(crate::release::cargo_bin())
            .args(["install", "cargo-fuzz", "--locked"])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return Err(
                "cargo-fuzz is not installed and `cargo install cargo-fuzz --locked` \
                        failed; install it, then run this again"
                    .to_owned(),
            );
        }
    }
    Ok(())
}
