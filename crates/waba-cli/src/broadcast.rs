//! `waba broadcast`: a template to every number of a CSV file, with a progress bar and a
//! per-row CSV report written as results arrive, so that an interrupted broadcast resumes
//! where it stopped and never sends a message twice.
//!
//! # Input
//! Read by [`waba_cli::recipients`]: quoting, any line ending, a UTF-8 byte-order mark. The
//! first column holds the number, in any form [`PhoneNumber::parse`] takes (`+16315550001`,
//! `+1 631 555 0001`, `0016315550001`). The first row is a header when its first field has no
//! digit; otherwise it is a recipient like any other. Empty lines are not rows.
//!
//! # Report
//! `row,number,status,message_id,detail`, one CSV line per event, flushed as it happens:
//! - `pending`, written before each send, so that a run killed mid-send leaves a trace;
//! - then one result per input row: `sent` (with the message id), `failed` (with the error),
//!   `maybe_sent` (the send failed after it may have reached the provider), `invalid` (not a
//!   phone number), or `duplicate` (the same number, in E.164, as an earlier row, named in
//!   the detail: each recipient gets the message once).
//!
//! `row` is the row's number as a spreadsheet shows it (a header is row 1; empty lines are not
//! rows). `number` is the E.164 form, or the input as written (cut to 64 characters) when it is
//! not a number.
//!
//! # Resume
//! Run the same command again: numbers whose last line is `sent` or `maybe_sent` are skipped,
//! so are rows already reported `invalid` or `duplicate`, and a `pending` line without a
//! result (the process was killed) is reported `maybe_sent`: the send may have gone out, and
//! sending again could message that customer twice. Delete a number's lines to send to it
//! again. `failed` recipients are sent to again.
//!
//! # Stopping
//! Ctrl-C (SIGINT) or SIGTERM stops taking new rows; the sends in flight finish and are
//! reported, then the summary and the command that resumes are printed (exit 130 or 143).
//! A second signal exits at once; its in-flight rows stay `pending` and resume as
//! `maybe_sent`.

use std::collections::{HashMap, HashSet};
use std::io::{Seek as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use indicatif::{ProgressBar, ProgressStyle};
use waba::{Client, Config, Content, OutboundMessage, PhoneNumber};
use waba_cli::recipients::{ECHO_CHARS, Kind, Recipients, Row, echo};

use crate::Failure;
use crate::out::{self, Output};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// A CSV file whose first column holds the numbers; the first row is a header when its
    /// first field has no digit.
    #[arg(long)]
    to_file: PathBuf,
    /// The template's name.
    #[arg(long)]
    template: String,
    /// The template's language.
    #[arg(long, default_value = "en_US")]
    lang: String,
    /// A template body parameter, the same for every recipient (repeat in order).
    #[arg(long = "param")]
    params: Vec<String>,
    /// A template body parameter taken from each row's column of that header name (repeat
    /// in order; they follow the `--param` values).
    #[arg(long = "param-column")]
    param_columns: Vec<String>,
    /// Where the report goes (`row,number,status,message_id,detail`); read first to resume.
    #[arg(long, default_value = "broadcast-report.csv")]
    report: PathBuf,
    /// Sends in flight at once (the rate limit still applies).
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
}

/// The report's header line.
const HEADER: [&str; 5] = ["row", "number", "status", "message_id", "detail"];
/// The most characters of an error's text in a report line.
const DETAIL_CHARS: usize = 300;

/// What a previous run's report says.
#[derive(Debug, Default)]
struct Previous {
    /// E.164 number → its last status (`pending`, `sent`, `failed`, `maybe_sent`).
    numbers: HashMap<String, String>,
    /// `(row, number as reported)` of rows reported `invalid` or `duplicate`.
    settled_rows: HashSet<(u64, String)>,
    /// The row of each number's last `pending`, for the `maybe_sent` line written on resume.
    pending_lines: HashMap<String, u64>,
    /// Whether the file ends in the middle of a line (the writer was killed).
    torn: bool,
}

impl Previous {
    fn read(path: &Path) -> Result<Self, Failure> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => {
                return Err(Failure::io(format!(
                    "cannot read the report {}: {e}",
                    path.display()
                )));
            }
        };
        Self::parse(&bytes).map_err(|why| {
            Failure::io(format!(
                "{} is not a broadcast report ({why}); give another --report",
                path.display()
            ))
        })
    }

    fn parse(bytes: &[u8]) -> Result<Self, String> {
        let mut previous = Self {
            torn: !bytes.is_empty() && !bytes.ends_with(b"\n"),
            ..Self::default()
        };
        if bytes.is_empty() {
            return Ok(previous);
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(bytes);
        let header = reader.byte_headers().map_err(|e| e.to_string())?;
        if header.iter().ne(HEADER.iter().map(|h| h.as_bytes())) {
            return Err(format!(
                "its first line is {:?}, not {:?}",
                echo(
                    &header
                        .iter()
                        .map(String::from_utf8_lossy)
                        .collect::<Vec<_>>()
                        .join(","),
                    ECHO_CHARS
                ),
                HEADER.join(",")
            ));
        }
        for record in reader.byte_records() {
            // A line torn by a kill is incomplete: what it says is not known, so skip it.
            let Ok(record) = record else { continue };
            let field = |n| String::from_utf8_lossy(record.get(n).unwrap_or_default());
            let Ok(line) = field(0).parse::<u64>() else {
                continue;
            };
            let number = field(1).into_owned();
            match &*field(2) {
                status @ ("pending" | "sent" | "failed" | "maybe_sent") => {
                    if status == "pending" {
                        previous.pending_lines.insert(number.clone(), line);
                    }
                    previous.numbers.insert(number, status.to_owned());
                }
                "invalid" | "duplicate" => {
                    previous.settled_rows.insert((line, number));
                }
                _ => {}
            }
        }
        Ok(previous)
    }
}

/// The report, appended to and flushed line by line.
struct Report {
    writer: csv::Writer<std::fs::File>,
    /// The first line the report could not take; those lines go to stderr instead.
    unwritten: Option<std::io::Error>,
}

impl Report {
    fn open(path: &Path, torn: bool) -> Result<Self, Failure> {
        let cannot =
            |e: std::io::Error| Failure::io(format!("cannot write {}: {e}", path.display()));
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(path)
            .map_err(cannot)?;
        let empty = file.seek(std::io::SeekFrom::End(0)).map_err(cannot)? == 0;
        if torn {
            file.write_all(b"\n").map_err(cannot)?;
        }
        let mut report = Self {
            writer: csv::WriterBuilder::new().flexible(true).from_writer(file),
            unwritten: None,
        };
        if empty {
            report.line(&HEADER);
        }
        Ok(report)
    }

    /// Appends one line and flushes it, so that an interruption loses nothing; a line the
    /// report cannot take goes to stderr instead of nowhere.
    fn line(&mut self, fields: &[&str]) {
        let written = self
            .writer
            .write_record(fields)
            .map_err(std::io::Error::from)
            .and_then(|()| self.writer.flush());
        if let Err(e) = written {
            eprintln!("{}", fields.join(","));
            self.unwritten.get_or_insert(e);
        }
    }

    fn row(&mut self, line: u64, number: &str, status: &str, id: &str, detail: &str) {
        self.line(&[&line.to_string(), number, status, id, detail]);
    }
}

/// How the run ends early.
enum Stop {
    Signal { name: &'static str, code: u8 },
    Input(String),
}

/// SIGINT and SIGTERM as a stream of names.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> Result<Self, Failure> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let listen = |kind| {
                signal(kind).map_err(|e| Failure::io(format!("cannot listen for signals: {e}")))
            };
            Ok(Self {
                interrupt: listen(SignalKind::interrupt())?,
                terminate: listen(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// The next signal: its name and the exit code it asks for (128 + its number).
    async fn next(&mut self) -> (&'static str, u8) {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => ("SIGINT", 130),
                _ = self.terminate.recv() => ("SIGTERM", 143),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            ("Ctrl-C", 130)
        }
    }
}

/// The command line that runs this broadcast again, quoted for a POSIX shell.
fn resume_command() -> String {
    let quote = |arg: String| {
        if !arg.is_empty()
            && arg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./=:+@,%".contains(c))
        {
            arg
        } else {
            format!("'{}'", arg.replace('\'', r"'\''"))
        }
    };
    std::env::args_os()
        .map(|a| quote(a.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The input's rows, the header told apart.
fn open_input(path: &Path) -> Result<Recipients<std::fs::File>, Failure> {
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::io(format!("cannot read {}: {e}", path.display())))?;
    Recipients::new(file).map_err(|e| input_error(path, &e))
}

fn input_error(path: &Path, e: &csv::Error) -> Failure {
    Failure::io(format!(
        "cannot read {}: {}",
        path.display(),
        echo(&e.to_string(), DETAIL_CHARS)
    ))
}

/// Where the input's parameter columns are, and how many rows it has.
struct Layout {
    /// The column of each `--param-column`.
    param_columns: Vec<usize>,
    rows: u64,
}

impl Layout {
    /// Reads the input once: where the parameter columns are (by the header's names), and
    /// how many rows there are (for the progress bar).
    fn scan(path: &Path, param_columns: &[String]) -> Result<Self, Failure> {
        let recipients = open_input(path)?;
        let header = recipients.header().is_some();
        let names = recipients.column_names();
        let param_columns = param_columns
            .iter()
            .map(|wanted| {
                if !header {
                    return Err(Failure::usage(format!(
                        "--param-column {wanted:?} needs a header row naming the columns, and the first row of {} is a recipient",
                        path.display()
                    )));
                }
                names.iter().position(|n| n == wanted).ok_or_else(|| {
                    Failure::usage(format!(
                        "--param-column {:?}: {} has no such column (its columns: {})",
                        echo(wanted, ECHO_CHARS),
                        path.display(),
                        echo(&names.join(", "), DETAIL_CHARS)
                    ))
                })
            })
            .collect::<Result<_, _>>()?;
        let rows = recipients.count_rows().map_err(|e| input_error(path, &e))?;
        Ok(Self {
            param_columns,
            rows,
        })
    }
}

/// Counts for the summary.
#[derive(Default)]
struct Counts {
    sent: u64,
    failed: u64,
    maybe: u64,
    invalid: u64,
    duplicate: u64,
    done: u64,
}

impl Counts {
    fn progress(&self) -> String {
        format!(
            "sent {} · failed {} · maybe sent {}",
            self.sent, self.failed, self.maybe
        )
    }
}

/// What to do with one input row.
enum Plan {
    /// Reported by an earlier run.
    Skip,
    /// Left `pending` by an earlier run, and reported `maybe_sent` at the start of this one.
    Interrupted,
    /// Settled now without a send: one report line.
    Settle {
        number: String,
        status: &'static str,
        detail: String,
    },
    Send {
        to: PhoneNumber,
        message: Box<OutboundMessage>,
    },
}

/// Reports the sends a killed run left `pending` as maybe sent: they may have gone out.
fn settle_interrupted(previous: &Previous, report: &mut Report, counts: &mut Counts) {
    let mut interrupted: Vec<_> = previous
        .numbers
        .iter()
        .filter(|(_, status)| *status == "pending")
        .map(|(number, _)| {
            (
                previous.pending_lines.get(number).copied().unwrap_or(0),
                number,
            )
        })
        .collect();
    interrupted.sort();
    for (row, number) in interrupted {
        counts.maybe += 1;
        report.row(
            row,
            number,
            "maybe_sent",
            "",
            "interrupted while sending: it may have been sent; delete this number's lines to send again",
        );
    }
}

/// Decides what to do with each row, given what an earlier run reported.
struct Planner<'a> {
    previous: &'a Previous,
    args: &'a Args,
    layout: &'a Layout,
}

impl Planner<'_> {
    fn plan(&self, Row { row, kind, record }: &Row) -> Plan {
        let row = *row;
        let number = match kind {
            Kind::Valid(number) => number,
            Kind::Invalid { number, error } => {
                if self.previous.settled_rows.contains(&(row, number.clone())) {
                    return Plan::Skip;
                }
                return Plan::Settle {
                    number: number.clone(),
                    status: "invalid",
                    detail: echo(&format!("invalid_request: {error}"), DETAIL_CHARS),
                };
            }
            Kind::Duplicate { number, first_row } => {
                let e164 = number.as_str().to_owned();
                if self.previous.settled_rows.contains(&(row, e164.clone())) {
                    return Plan::Skip;
                }
                return Plan::Settle {
                    number: e164,
                    status: "duplicate",
                    detail: format!("the same number as row {first_row}: sent once"),
                };
            }
        };
        let e164 = number.as_str().to_owned();
        match self.previous.numbers.get(&e164).map(String::as_str) {
            Some("sent" | "maybe_sent") => return Plan::Skip,
            Some("pending") => return Plan::Interrupted,
            _ => {}
        }
        let mut params = self.args.params.clone();
        for (name, &column) in self
            .args
            .param_columns
            .iter()
            .zip(&self.layout.param_columns)
        {
            let Some(value) = record.get(column) else {
                return Plan::Settle {
                    number: e164,
                    status: "invalid",
                    detail: format!(
                        "invalid_request: --param-column {:?} is column {}, and this row has {} fields",
                        echo(name, ECHO_CHARS),
                        column + 1,
                        record.len()
                    ),
                };
            };
            params.push(String::from_utf8_lossy(value).into_owned());
        }
        let content = Content::template(self.args.template.clone(), self.args.lang.clone(), params);
        Plan::Send {
            message: Box::new(OutboundMessage::new(number.clone(), content)),
            to: number.clone(),
        }
    }
}

/// Reports a send's result.
fn record_result(
    report: &mut Report,
    counts: &mut Counts,
    row: u64,
    to: &PhoneNumber,
    result: Result<waba::SendReceipt, waba::Error>,
) {
    let (status, id, detail) = match result {
        Ok(r) => {
            counts.sent += 1;
            ("sent", r.id.as_str().to_owned(), String::new())
        }
        Err(e) => {
            let status = if e.maybe_delivered() {
                counts.maybe += 1;
                "maybe_sent"
            } else {
                counts.failed += 1;
                "failed"
            };
            let detail = echo(&format!("{}: {e}", e.kind().name()), DETAIL_CHARS);
            (status, String::new(), detail)
        }
    };
    report.row(row, to.as_str(), status, &id, &detail);
}

pub(crate) async fn run(config: Config, args: Args, output: Output) -> Result<ExitCode, Failure> {
    // With `state = "redis"`, every broadcast sharing the server shares the number's rate.
    let client = config.client_with_state().await?;
    let layout = Layout::scan(&args.to_file, &args.param_columns)?;
    let previous = Previous::read(&args.report)?;
    let mut report = Report::open(&args.report, previous.torn)?;
    let mut counts = Counts::default();

    settle_interrupted(&previous, &mut report, &mut counts);

    // Rows a second, the time left, and the sent, failed and maybe-sent counts.
    let bar = ProgressBar::new(layout.rows).with_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} rows · {per_sec} · ETA {eta} · {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut signals = Signals::new()?;
    let mut records = open_input(&args.to_file)?;
    let planner = Planner {
        previous: &previous,
        args: &args,
        layout: &layout,
    };

    let concurrency = args.concurrency.max(1);
    let mut in_flight = FuturesUnordered::new();
    let mut stop: Option<Stop> = None;
    let mut eof = false;
    loop {
        while stop.is_none() && !eof && in_flight.len() < concurrency {
            let row = match records.next() {
                None => {
                    eof = true;
                    break;
                }
                Some(Err(e)) => {
                    stop = Some(Stop::Input(echo(&e.to_string(), DETAIL_CHARS)));
                    break;
                }
                Some(Ok(row)) => row,
            };
            let line = row.row;
            match planner.plan(&row) {
                Plan::Skip => {
                    counts.done += 1;
                    bar.inc(1);
                }
                Plan::Interrupted => bar.inc(1),
                Plan::Settle {
                    number,
                    status,
                    detail,
                } => {
                    *if status == "invalid" {
                        &mut counts.invalid
                    } else {
                        &mut counts.duplicate
                    } += 1;
                    bar.suspend(|| report.row(line, &number, status, "", &detail));
                    bar.inc(1);
                }
                Plan::Send { to, message } => {
                    bar.suspend(|| report.row(line, to.as_str(), "pending", "", ""));
                    let client = client.clone();
                    in_flight.push(async move {
                        let result = client.send(&message).await;
                        (line, to, result)
                    });
                }
            }
        }
        if in_flight.is_empty() && (eof || stop.is_some()) {
            break;
        }
        tokio::select! {
            Some((line, to, result)) = in_flight.next() => {
                bar.suspend(|| record_result(&mut report, &mut counts, line, &to, result));
                bar.inc(1);
                bar.set_message(counts.progress());
            }
            (name, code) = signals.next() => {
                if stop.is_some() {
                    // A second signal: leave now. The rows in flight stay `pending`, and a
                    // resume reports them `maybe_sent`.
                    bar.abandon();
                    eprintln!("{name} again: exiting with {} sends in flight; they resume as maybe_sent", in_flight.len());
                    print_summary(&counts, &args.report, &client, output);
                    say(format!("to resume: {}", resume_command()));
                    return Ok(ExitCode::from(code));
                }
                bar.suspend(|| eprintln!("{name}: no new sends; waiting for the {} in flight (send it again to exit at once)", in_flight.len()));
                stop = Some(Stop::Signal { name, code });
            }
        }
    }
    bar.finish_and_clear();
    print_summary(&counts, &args.report, &client, output);
    finish(stop, &counts, report.unwritten, &args)
}

/// The exit status, or the failure, of a run that ended.
fn finish(
    stop: Option<Stop>,
    counts: &Counts,
    unwritten: Option<std::io::Error>,
    args: &Args,
) -> Result<ExitCode, Failure> {
    if let Some(e) = unwritten {
        return Err(Failure::io(format!(
            "the report {} missed lines ({e}); they were printed to stderr",
            args.report.display()
        )));
    }
    match stop {
        Some(Stop::Signal { name, code }) => {
            say(format!(
                "stopped by {name}; to resume: {}",
                resume_command()
            ));
            Ok(ExitCode::from(code))
        }
        Some(Stop::Input(why)) => Err(Failure::io(format!(
            "cannot read {}: {why}; the rows before it are in the report, and the same command resumes",
            args.to_file.display()
        ))),
        None => Ok(crate::exit::broadcast(
            counts.sent + counts.done,
            counts.failed + counts.invalid + counts.maybe,
        )),
    }
}

/// One line on stdout through the locked writer. A closed stdout (`| head -1`) is not a
/// failure of the broadcast: its outcome is in the report, which is what a resume reads.
fn say(line: String) {
    let _ = out::lines([line]);
}

fn print_summary(counts: &Counts, report: &Path, client: &Client, output: Output) {
    let stats = client
        .rate_limiter()
        .and_then(|l| l.stats(""))
        .filter(|s| s.throttled > 0);
    if output == Output::Json {
        let mut summary = serde_json::json!({
            "sent": counts.sent,
            "failed": counts.failed,
            "maybe_sent": counts.maybe,
            "invalid": counts.invalid,
            "duplicate": counts.duplicate,
            "already_done": counts.done,
            "report": report.display().to_string(),
        });
        if let Some(s) = &stats {
            summary["throttled"] = s.throttled.into();
            summary["rate_per_second"] = s.current.into();
        }
        say(summary.to_string());
        return;
    }
    say(format!(
        "sent {}, failed {}, maybe sent {}, invalid {}, duplicate {}, already done {}; report: {}",
        counts.sent,
        counts.failed,
        counts.maybe,
        counts.invalid,
        counts.duplicate,
        counts.done,
        report.display()
    ));
    if let Some(stats) = stats {
        say(format!(
            "rate limit: throttled {} times by the provider; now {:.0}/s (configured {:.0}/s)",
            stats.throttled, stats.current, stats.configured
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_read_by_number_and_row() {
        let report = "row,number,status,message_id,detail\n\
                      2,+16315550001,pending,,\n\
                      2,+16315550001,sent,wamid.A,\n\
                      3,+16315550002,pending,,\n\
                      4,+16315550003,pending,,\n\
                      4,+16315550003,failed,,server: 503\n\
                      5,not-a-number,invalid,,\"too short, really\"\n\
                      6,+16315550001,duplicate,,the same number as row 2\n\
                      7,+1631555";
        let p = Previous::parse(report.as_bytes()).unwrap();
        assert_eq!(p.numbers["+16315550001"], "sent");
        assert_eq!(p.numbers["+16315550002"], "pending");
        assert_eq!(p.pending_lines["+16315550002"], 3);
        assert_eq!(p.numbers["+16315550003"], "failed");
        assert!(p.settled_rows.contains(&(5, "not-a-number".to_owned())));
        assert!(p.settled_rows.contains(&(6, "+16315550001".to_owned())));
        assert!(p.torn, "the last line was cut off");
        assert!(!p.numbers.contains_key("+1631555"));
    }

    #[test]
    fn a_foreign_file_is_not_taken_for_a_report() {
        let err = Previous::parse(b"number,status\n+16315550001,sent\n").unwrap_err();
        assert!(
            err.contains(
                "first line is \"number,status\", not \"row,number,status,message_id,detail\""
            ),
            "{err}"
        );
    }

    #[test]
    fn echoes_are_cut_and_control_characters_shown() {
        let long = "9".repeat(10_000_000);
        let e = echo(&long, ECHO_CHARS);
        assert!(e.len() < 100, "{}", e.len());
        assert!(e.ends_with("… (10000000 bytes)"), "{e}");
        assert_eq!(echo("a\nb\u{1b}[31m", 10), "a\u{fffd}b\u{fffd}[31m");
    }
}
