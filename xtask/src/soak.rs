//! `cargo xtask soak [--minutes N] [--recipients N] [--rate R] [--concurrency N]`: the sandbox
//! with mixed faults, a `waba broadcast` and a webhook flood against the receiver, all at once
//! for N minutes (5 by default), then checks that no recipient was messaged twice or lost and
//! no acknowledged webhook event was lost or handed over twice, with the resident memory of
//! each process. The run is the `soak` example of waba-cli (release, like the benches); its
//! exit status is this command's.

pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--minutes" | "--recipients" | "--rate" | "--concurrency" => {
                let value = rest.next().ok_or(format!("{arg} needs a number"))?;
                value
                    .parse::<f64>()
                    .ok()
                    .filter(|v| *v > 0.0)
                    .ok_or(format!("{arg} {value:?}: not a positive number"))?;
            }
            _ => {
                return Err(format!(
                    "cargo xtask soak: unexpected {arg:?}\nusage: cargo xtask soak [--minutes N] [--recipients N] [--rate R] [--concurrency N]"
                ));
            }
        }
    }
    crate::build_cli_release()?;
    let mut cmd = vec![
        "run",
        "--release",
        "--quiet",
        "-p",
        "waba-cli",
        "--example",
        "soak",
        "--",
    ];
    cmd.extend(args.iter().map(String::as_str));
    crate::cargo(&cmd, &[])
}
