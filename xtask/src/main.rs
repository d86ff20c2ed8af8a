//! Project automation, run as `cargo xtask <command>`.
//!
//! - `ci`: what CI runs — formatting, clippy with warnings denied, every test, and the docs
//!   with warnings denied.
//! - `tidy`: the repository's own rules (also run as a test).
//! - `release --dry-run`, `msrv`, `features`, `fuzz`, `soak`: see their modules.

mod features;
mod fuzz;
mod msrv;
mod release;
mod soak;
mod tidy;

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("bench") => bench(&args[1..]),
        Some("tidy") => tidy::check(&workspace_root()).map_err(|problems| problems.join("\n")),
        Some("release") => release::run(&args[1..]),
        Some("msrv") => msrv::run(),
        Some("features") => features::check(),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("soak") => soak::run(&args[1..]),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask <command>

commands:
  ci     cargo fmt --check, tidy, clippy -D warnings, each feature, all tests, docs
  tidy   the repository's own rules (no dbg!/todo!, lints inherited, ...)
  release --dry-run
         cargo package for every published crate, then cargo semver-checks
  msrv   the declared rust-version: edition, locked dependencies, a build with that toolchain
  features
         every published crate checked alone with each of its features (run by ci)
  fuzz [TARGET] [--seconds N]
         the cargo-fuzz targets of fuzz/ (nightly; ci runs their bodies on stable)
  soak [--minutes 5] [--recipients 100000] [--rate R] [--concurrency 32]
         sandbox with mixed faults + waba broadcast + a webhook flood against the receiver,
         at once: 0 doubled, 0 lost, acknowledged webhooks handed over once, flat memory
  bench decode [--corpus FILE.jsonl --signatures FILE.sig --secret S] [--passes N]
         verify and decode a webhook corpus, beside a hand-written baseline
  bench receive [--bodies 20000] [--concurrency 1,64] [--sleep-ms 50]
         signed Cloud webhooks (shared/bench/gen_cloud_corpus.py, written to target/bench/)
         POSTed over loopback to the waba receiver and to a bare axum endpoint (HMAC + typed
         borrowed decode): rates, ratio, events handed over once, allocations per event;
         then 64 handlers that sleep 50 ms each: events/s and 503s
  bench send [--n 5000] [--concurrency 1,64]
         send through Client + the Cloud adapter beside bare reqwest, against a minimal mock
         Cloud server pinned to its own core (taskset), with the SDK's own time per send
  bench cluster [--events 20000] [--rate 200]
         receivers x workers x senders on a local redis-server: inbox events/s (durable vs
         in memory), round trips per event, duplicates, events lost to a killed worker,
         the aggregate rate of three senders sharing one limit

  bench broadcast [--n 20000] [--rate 2000] [--sandbox-rate 80] [--concurrency 16]
         `waba broadcast` (release) above the sandbox's throughput: failed count, wall time
         against N / sandbox rate, resident memory";

fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn cargo(args: &[&str], envs: &[(&str, &str)]) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    eprintln!("$ cargo {}", args.join(" "));
    let status = Command::new(cargo)
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({status})", args.join(" ")))
    }
}

/// Builds the `waba` binary in release: the examples that drive it run it from there, and
/// `cargo run --example` does not build it.
pub(crate) fn build_cli_release() -> Result<(), String> {
    cargo(
        &[
            "build",
            "--release",
            "--quiet",
            "-p",
            "waba-cli",
            "--bin",
            "waba",
        ],
        &[],
    )
}

fn bench(args: &[String]) -> Result<(), String> {
    let (example, package) = match args.first().map(String::as_str) {
        Some("decode") => ("bench_decode", "waba-webhook"),
        Some("send") => ("bench_send", "waba-provider-cloud"),
        Some("receive") => return bench_receive(&args[1..]),
        Some("cluster") => ("bench_cluster", "waba-redis"),
        Some("broadcast") => {
            build_cli_release()?;
            ("bench_broadcast", "waba-cli")
        }
        _ => return Err(USAGE.to_owned()),
    };
    let mut cmd = vec![
        "run",
        "--release",
        "--quiet",
        "-p",
        package,
        "--example",
        example,
        "--",
    ];
    if example == "bench_cluster" {
        cmd.splice(5..5, ["--features", "local-server"]);
    }
    cmd.extend(args[1..].iter().map(String::as_str));
    cargo(&cmd, &[])
}

/// `bench receive`: writes the reference corpus into `target/bench/` with the shared
/// generator, then runs the example on it.
fn bench_receive(args: &[String]) -> Result<(), String> {
    let mut rest: Vec<String> = Vec::new();
    let mut bodies = "20000".to_owned();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--bodies" {
            bodies.clone_from(it.next().ok_or("--bodies needs a number")?);
        } else {
            rest.push(a.clone());
        }
    }
    let root = workspace_root();
    // `shared/` sits beside the repository (or above a worktree of it).
    let generator = root
        .ancestors()
        .map(|dir| dir.join("shared/bench/gen_cloud_corpus.py"))
        .find(|p| p.is_file())
        .ok_or("no shared/bench/gen_cloud_corpus.py beside or above the repository")?;
    let out = root.join("target/bench");
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let prefix = out.join(format!("cloud-{bodies}"));
    let corpus = prefix.with_extension("jsonl");
    if !corpus.is_file() {
        eprintln!(
            "$ python3 {} -n {bodies} --out {}",
            generator.display(),
            prefix.display()
        );
        let status = Command::new("python3")
            .arg(&generator)
            .args(["-n", &bodies, "--out"])
            .arg(&prefix)
            .status()
            .map_err(|e| format!("could not run python3: {e}"))?;
        if !status.success() {
            return Err(format!("the corpus generator failed ({status})"));
        }
    }
    let corpus = corpus.to_string_lossy().into_owned();
    let mut cmd = vec![
        "run",
        "--release",
        "--quiet",
        "-p",
        "waba-webhook",
        "--features",
        "axum",
        "--example",
        "bench_receive",
        "--",
        "--corpus",
        &corpus,
    ];
    cmd.extend(rest.iter().map(String::as_str));
    cargo(&cmd, &[])
}

fn ci() -> Result<(), String> {
    cargo(&["fmt", "--all", "--", "--check"], &[])?;
    tidy::check(&workspace_root()).map_err(|p| p.join("\n"))?;
    cargo(
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    features::check()?;
    // CI=true makes insta fail on a missing or changed snapshot instead of writing it.
    cargo(
        &["test", "--workspace", "--locked"],
        &[("CI", "true"), ("INSTA_UPDATE", "no")],
    )?;
    cargo(
        &["doc", "--workspace", "--no-deps", "--locked"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    eprintln!("xtask ci: all checks passed");
    Ok(())
}
