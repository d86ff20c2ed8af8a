//! Broadcast benchmark: `waba broadcast` to N recipients at a configured rate far above the
//! sandbox's own throughput limit, end to end (the release binary, a CSV file, the report).
//!
//! ```text
//! cargo xtask bench broadcast [--n 20000] [--rate 2000] [--sandbox-rate 80] [--concurrency 16]
//! ```
//! Prints the summary of the run, the failed count (goal 0), the wall time beside the
//! shortest the sandbox allows (N / sandbox rate; goal within 10 %), and the CLI's resident
//! memory sampled every second, with its peak (goal: flat).
//!
//! The `waba` binary is looked for beside this example's directory (`target/release/waba`);
//! `cargo xtask bench broadcast` builds both.

use std::fmt::Write as _;
use std::io::BufRead as _;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use waba::sandbox::Sandbox;

#[path = "common/waba_binary.rs"]
mod waba_binary;
use waba_binary::waba_binary;

fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `VmRSS` and `VmHWM` (peak) of a process, kB, from `/proc` (Linux).
fn memory_kb(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Waits for the child, sampling its resident memory every second: its exit status, the
/// samples (time since start, kB) and the peak (kB).
async fn watch(child: &mut Child) -> (ExitStatus, Vec<(Duration, u64)>, u64) {
    let start = Instant::now();
    let pid = child.id();
    let mut samples = Vec::new();
    let mut peak = 0;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return (status, samples, peak);
        }
        if let Some((rss, hwm)) = memory_kb(pid) {
            samples.push((start.elapsed(), rss));
            peak = peak.max(hwm);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: u32 = arg(&args, "--n", 20_000);
    let rate: u32 = arg(&args, "--rate", 2000);
    let sandbox_rate: u32 = arg(&args, "--sandbox-rate", 80);
    let concurrency: u32 = arg(&args, "--concurrency", 16);
    let waba: PathBuf = waba_binary(&args);
    assert!(
        waba.exists(),
        "{} not found: build it (cargo xtask bench broadcast does)",
        waba.display()
    );

    let sandbox = Sandbox::builder()
        .rate_limit(Some(sandbox_rate))
        .lifecycle(None)
        .start()
        .await
        .expect("sandbox");
    let dir = std::env::temp_dir().join(format!("waba-bench-broadcast-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let input = dir.join("numbers.csv");
    let numbers = (0..n).fold(String::new(), |mut all, i| {
        let _ = writeln!(all, "+1631{:07}", 5_000_000 + i);
        all
    });
    std::fs::write(&input, numbers).expect("input");
    let report = dir.join("report.csv");
    let account = sandbox.cloud();

    println!(
        "broadcast to {n} recipients, configured {rate}/s, sandbox limit {sandbox_rate}/s, {concurrency} in flight"
    );
    let start = Instant::now();
    let mut child = Command::new(&waba)
        .env("WABA_PROVIDER", "cloud")
        .env("WABA_CLOUD_BASE_URL", sandbox.url("cloud"))
        .env("WABA_CLOUD_ACCESS_TOKEN", &account.access_token)
        .env("WABA_CLOUD_PHONE_NUMBER_ID", &account.phone_number_id)
        .env("WABA_RATE_LIMIT", rate.to_string())
        .args(["broadcast", "--template", "hello_world", "--to-file"])
        .arg(&input)
        .arg("--report")
        .arg(&report)
        .args(["--concurrency", &concurrency.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("waba broadcast");
    let (status, samples, peak) = watch(&mut child).await;
    let wall = start.elapsed();
    let mut summary = Vec::new();
    if let Some(out) = child.stdout.take() {
        summary.extend(std::io::BufReader::new(out).lines().map_while(Result::ok));
    }
    for line in &summary {
        println!("  {line}");
    }
    let failed = summary
        .iter()
        .find_map(|l| l.split(", failed ").nth(1))
        .and_then(|rest| rest.split(',').next())
        .unwrap_or("?");
    let ideal = f64::from(n) / f64::from(sandbox_rate);
    println!("exit: {status}");
    println!("failed: {failed} (goal 0)");
    println!(
        "wall time: {:.1} s; {n}/{sandbox_rate} = {ideal:.1} s; ratio {:.3} (goal within 10 %)",
        wall.as_secs_f64(),
        wall.as_secs_f64() / ideal
    );
    let step = (samples.len() / 10).max(1);
    let shown: Vec<String> = samples
        .iter()
        .step_by(step)
        .map(|(t, kb)| format!("{:.0}s {:.1}", t.as_secs_f64(), *kb as f64 / 1024.0))
        .collect();
    println!("resident memory, MiB (at time): {}", shown.join(", "));
    println!("peak resident memory: {:.1} MiB", peak as f64 / 1024.0);
    let stored = sandbox.messages_of("cloud").len();
    println!("messages the sandbox stored: {stored} of {n}");
    let _ = std::fs::remove_dir_all(&dir);
    sandbox.shutdown().await;
}
