//! `waba broadcast`: a template to every number of a CSV file, with a progress bar and a
//! per-recipient CSV report written as results arrive, so an interrupted broadcast resumes
//! where it stopped (recipients already reported `sent` are skipped, and so are those
//! reported `maybe_sent`: their send failed after it may have reached the provider, and
//! sending again could message them twice; delete their lines to resend).

use std::collections::HashSet;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use waba::{Config, Content, OutboundMessage, PhoneNumber};

use crate::Failure;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// A CSV file whose first column holds the numbers (a header line is skipped).
    #[arg(long)]
    to_file: PathBuf,
    /// The template's name.
    #[arg(long)]
    template: String,
    /// The template's language.
    #[arg(long, default_value = "en_US")]
    lang: String,
    /// A template body parameter (repeat in order).
    #[arg(long = "param")]
    params: Vec<String>,
    /// Where the report goes (`number,status,message_id,error`); read first to resume.
    #[arg(long, default_value = "broadcast-report.csv")]
    report: PathBuf,
    /// Sends in flight at once (the rate limit still applies).
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The numbers a previous run's report shows as sent or maybe sent: not to be sent again.
fn already_done(report: &str) -> HashSet<String> {
    report
        .lines()
        .filter_map(|l| {
            let mut f = l.split(',');
            let number = f.next()?;
            matches!(f.next()?, "sent" | "maybe_sent").then(|| number.to_owned())
        })
        .collect()
}

/// Appends one report line, flushed at once so that an interruption loses nothing; a line
/// the report cannot take goes to stderr instead of nowhere, and the first such error is kept
/// for the exit status.
fn record(report: &mut std::fs::File, line: &str, unwritten: &mut Option<std::io::Error>) {
    if let Err(e) = writeln!(report, "{line}").and_then(|()| report.flush()) {
        eprintln!("{line}");
        unwritten.get_or_insert(e);
    }
}

pub(crate) async fn run(config: Config, args: Args) -> Result<ExitCode, Failure> {
    // With `state = "redis"`, every broadcast sharing the server shares the number's rate.
    let client = config.client_with_state().await?;
    let text = std::fs::read_to_string(&args.to_file)
        .map_err(|e| Failure(format!("io: cannot read {}: {e}", args.to_file.display())))?;
    let done = std::fs::read_to_string(&args.report)
        .map(|r| already_done(&r))
        .unwrap_or_default();
    let mut report = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&args.report)
        .map_err(|e| Failure(format!("io: cannot write {}: {e}", args.report.display())))?;
    let mut unwritten = None;
    let mut to_send = Vec::new();
    let mut invalid = 0;
    for (n, line) in text.lines().enumerate() {
        let raw = line
            .split(',')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('"');
        if raw.is_empty() || raw.starts_with('#') {
            continue;
        }
        match PhoneNumber::parse(raw) {
            Ok(p) if done.contains(p.as_str()) => {}
            Ok(p) => to_send.push(p),
            Err(_) if n == 0 => {} // a header line
            Err(e) => {
                invalid += 1;
                let line = format!("{},invalid,,{}", csv_field(raw), csv_field(&e.to_string()));
                record(&mut report, &line, &mut unwritten);
            }
        }
    }
    let skipped = done.len();
    let bar = ProgressBar::new(to_send.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let content = Content::template(args.template, args.lang, args.params);
    let mut results = futures_util::stream::iter(to_send)
        .map(|to| {
            let client = client.clone();
            let msg = OutboundMessage::new(to.clone(), content.clone());
            async move { (to, client.send(&msg).await) }
        })
        .buffer_unordered(args.concurrency.max(1));
    let (mut sent, mut failed, mut maybe) = (0, 0, 0);
    while let Some((to, result)) = results.next().await {
        let line = match result {
            Ok(r) => {
                sent += 1;
                format!("{},sent,{},", to.as_str(), csv_field(r.id.as_str()))
            }
            Err(e) => {
                let status = if e.maybe_delivered() {
                    maybe += 1;
                    "maybe_sent"
                } else {
                    failed += 1;
                    "failed"
                };
                format!(
                    "{},{status},,{}",
                    to.as_str(),
                    csv_field(&format!("{}: {e}", e.kind().name()))
                )
            }
        };
        bar.suspend(|| record(&mut report, &line, &mut unwritten));
        bar.inc(1);
    }
    bar.finish_and_clear();
    println!(
        "sent {sent}, failed {failed}, maybe sent {maybe}, invalid {invalid}, already done {skipped}; report: {}",
        args.report.display()
    );
    if let Some(e) = unwritten {
        return Err(Failure(format!(
            "io: the report {} missed lines ({e}); they were printed to stderr",
            args.report.display()
        )));
    }
    Ok(if failed + invalid + maybe == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resume_skips_sent_and_maybe_sent_and_retries_the_rest() {
        let report = "+16315550001,sent,wamid.A,\n\
                      +16315550002,maybe_sent,,transport: reset after the request was sent\n\
                      +16315550003,failed,,server: 503\n\
                      not-a-number,invalid,,\"too short\"\n";
        let done = already_done(report);
        assert_eq!(done.len(), 2, "{done:?}");
        assert!(done.contains("+16315550001") && done.contains("+16315550002"));
    }
}
