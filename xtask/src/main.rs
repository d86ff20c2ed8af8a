//! Project automation, run as `cargo xtask <command>`.
//!
//! - `ci`: what CI runs — formatting, clippy with warnings denied, every test, and the docs
//!   with warnings denied.
//! - `tidy`: the repository's own rules (also run as a test).

mod tidy;

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("bench") => bench(&args[1..]),
        Some("tidy") => tidy::check(&workspace_root()).map_err(|problems| problems.join("\n")),
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
  ci     cargo fmt --check, clippy -D warnings, all tests, docs with warnings denied
  tidy   the repository's own rules (no dbg!/todo!, lints inherited, ...)
  bench decode [--corpus FILE.jsonl --signatures FILE.sig --secret S] [--passes N]
         verify and decode a webhook corpus, beside a hand-written baseline
  bench send [--n 5000] [--concurrency 1,64]
         send through Client + the Cloud adapter beside bare reqwest, against the sandbox
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

fn bench(args: &[String]) -> Result<(), String> {
    let (example, package) = match args.first().map(String::as_str) {
        Some("decode") => ("bench_decode", "waba-webhook"),
        Some("send") => ("bench_send", "waba-provider-cloud"),
        Some("broadcast") => {
            // The example runs the CLI binary, which `cargo run --example` does not build.
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
            )?;
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
    cmd.extend(args[1..].iter().map(String::as_str));
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
