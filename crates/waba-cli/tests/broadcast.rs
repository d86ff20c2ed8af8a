//! `waba broadcast` end to end, against the sandbox: every input row ends in the report once,
//! a recipient gets the message once however the run is stopped and resumed, and a rate
//! above the provider's fails no one.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use waba::sandbox::{Faults, Sandbox, SandboxHandle};

/// A sandbox on its own runtime thread, for the CLI to talk to.
struct Running {
    handle: SandboxHandle,
    _rt: tokio::runtime::Runtime,
}

fn sandbox(rate: Option<u32>) -> Running {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let handle = rt
        .block_on(Sandbox::builder().lifecycle(None).rate_limit(rate).start())
        .unwrap();
    Running { handle, _rt: rt }
}

impl Running {
    /// Every recipient (digits) the sandbox stored a message for, with how many it stored.
    fn received(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for m in self.handle.messages_of("cloud") {
            *counts.entry(m.customer).or_insert(0) += 1;
        }
        counts
    }

    fn assert_nobody_got_it_twice(&self) {
        let twice: Vec<_> = self
            .received()
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .collect();
        assert!(twice.is_empty(), "received more than once: {twice:?}");
    }
}

/// A scratch directory of its own for each test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("waba-bc-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `waba broadcast` against the sandbox's Cloud emulation, with `extra` arguments.
fn broadcast(s: &Running, input: &Path, report: &Path, extra: &[&str]) -> std::process::Command {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("waba"));
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("WABA_")) {
        c.env_remove(k);
    }
    let account = s.handle.cloud();
    c.env("WABA_PROVIDER", "cloud")
        .env("WABA_CLOUD_BASE_URL", s.handle.url("cloud"))
        .env("WABA_CLOUD_ACCESS_TOKEN", &account.access_token)
        .env("WABA_CLOUD_PHONE_NUMBER_ID", &account.phone_number_id)
        .env("WABA_RATE_LIMIT", "0")
        .args(["broadcast", "--template", "hello_world", "--to-file"])
        .arg(input)
        .arg("--report")
        .arg(report)
        .args(extra);
    c
}

fn run(c: &mut std::process::Command) -> (Output, String, String) {
    let o = Command::from_std(std::mem::replace(c, std::process::Command::new("true")))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    (o, out, err)
}

/// The report's lines after its header, as `(row, number, status, id, detail)`.
fn report_lines(report: &Path) -> Vec<[String; 5]> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(report)
        .unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["row", "number", "status", "message_id", "detail"]
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            std::array::from_fn(|n| r.get(n).unwrap_or_default().to_owned())
        })
        .collect()
}

/// Each input row's results (every status but `pending`), in order.
fn results(report: &Path) -> BTreeMap<u64, Vec<String>> {
    let mut by_line: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for [line, _, status, _, _] in report_lines(report) {
        if status != "pending" {
            by_line
                .entry(line.parse().unwrap())
                .or_default()
                .push(status);
        }
    }
    by_line
}

/// Every number a send was started for has a result after it.
fn assert_no_pending_left(report: &Path) {
    let mut open = BTreeMap::new();
    for [line, number, status, _, _] in report_lines(report) {
        if status == "pending" {
            open.insert(number, line);
        } else {
            open.remove(&number);
        }
    }
    assert!(open.is_empty(), "pending without a result: {open:?}");
}

fn numbers(n: u32) -> String {
    (0..n).fold(String::new(), |mut all, i| {
        let _ = writeln!(all, "+1631555{i:04}");
        all
    })
}

/// An input file's name, its contents, and the result each row must end with.
type Case = (&'static str, &'static str, &'static [(u64, &'static str)]);

#[test]
fn every_row_ends_in_the_report_exactly_once() {
    let s = sandbox(None);
    let dir = scratch("rows");
    let cases: &[Case] = &[
        // No header, and the first number lacks its `+`: reported, not taken for a header.
        (
            "no-plus",
            "16315550001\n+16315550002\n",
            &[(1, "invalid"), (2, "sent")],
        ),
        // A byte-order mark before a number: the number is read, not taken for a header.
        (
            "bom",
            "\u{feff}+16315550003\n+16315550004\n",
            &[(1, "sent"), (2, "sent")],
        ),
        // A byte-order mark before a header, quoted fields with commas, CRLF, empty lines.
        (
            "bom-header",
            "\u{feff}number,name\r\n\"+1 631 555 0005\",\"Smith, J\"\r\n\r\n+16315550006,\"Lee\"\r\n",
            &[(2, "sent"), (3, "sent")],
        ),
        (
            "invalid-first",
            "+1 631\n+16315550007\n",
            &[(1, "invalid"), (2, "sent")],
        ),
    ];
    for (name, input, expected) in cases {
        let file = dir.join(format!("{name}.csv"));
        std::fs::write(&file, input).unwrap();
        let report = dir.join(format!("{name}-report.csv"));
        let (o, out, err) = run(&mut broadcast(&s, &file, &report, &[]));
        let got: Vec<(u64, String)> = results(&report)
            .into_iter()
            .map(|(line, statuses)| {
                assert_eq!(statuses.len(), 1, "{name}: line {line}: {statuses:?}");
                (line, statuses[0].clone())
            })
            .collect();
        let want: Vec<(u64, String)> = expected
            .iter()
            .map(|(l, st)| (*l, (*st).to_owned()))
            .collect();
        assert_eq!(got, want, "{name}: {out}{err}");
        let failing = expected.iter().any(|(_, st)| *st != "sent");
        assert_eq!(o.status.success(), !failing, "{name}: {out}{err}");
    }
    assert_eq!(s.received().len(), 6);
    s.assert_nobody_got_it_twice();
}

#[test]
fn one_number_written_three_ways_is_sent_once() {
    let s = sandbox(None);
    let dir = scratch("dup");
    let file = dir.join("numbers.csv");
    std::fs::write(
        &file,
        "+16315550001\n+1 631 555 0001\n0016315550001\n+16315550002\n",
    )
    .unwrap();
    let report = dir.join("report.csv");
    let (o, out, err) = run(&mut broadcast(&s, &file, &report, &[]));
    assert!(o.status.success(), "{out}{err}");
    assert!(
        out.contains("sent 2, failed 0, maybe sent 0, invalid 0, duplicate 2, already done 0"),
        "{out}"
    );
    let lines = report_lines(&report);
    for line in ["2", "3"] {
        let dup = lines.iter().find(|l| l[0] == line).unwrap();
        assert_eq!(dup[1], "+16315550001");
        assert_eq!(dup[2], "duplicate");
        assert!(dup[4].contains("row 1"), "{dup:?}");
    }
    assert_eq!(s.received().get("16315550001"), Some(&1));
    // A resume neither sends nor reports them again.
    let (o, out, _) = run(&mut broadcast(&s, &file, &report, &[]));
    assert!(o.status.success(), "{out}");
    assert!(out.contains("duplicate 0, already done 4"), "{out}");
    assert_eq!(report_lines(&report).len(), lines.len());
    s.assert_nobody_got_it_twice();
}

#[test]
fn a_resume_skips_rows_already_reported_invalid() {
    let s = sandbox(None);
    let dir = scratch("invalid");
    let file = dir.join("numbers.csv");
    std::fs::write(
        &file,
        "number\n+16315550001\n+16315550002\nnot-a-number\n+16315550003\n",
    )
    .unwrap();
    let report = dir.join("report.csv");
    let (o, out, _) = run(&mut broadcast(&s, &file, &report, &[]));
    assert!(
        out.contains("sent 3, failed 0, maybe sent 0, invalid 1, duplicate 0, already done 0"),
        "{out}"
    );
    assert_eq!(
        o.status.code(),
        Some(4),
        "an invalid number makes the run partial"
    );
    let before = report_lines(&report);
    assert_eq!(
        before
            .iter()
            .filter(|l| l[1] == "not-a-number" && l[2] == "invalid")
            .count(),
        1
    );
    let (o, out, _) = run(&mut broadcast(&s, &file, &report, &[]));
    assert!(
        out.contains("sent 0, failed 0, maybe sent 0, invalid 0, duplicate 0, already done 4"),
        "{out}"
    );
    assert!(o.status.success(), "nothing left to do: {out}");
    assert_eq!(report_lines(&report), before, "nothing appended");
    s.assert_nobody_got_it_twice();
}

/// Starts a broadcast of 400 recipients whose sends take 300 ms, 16 in flight, and waits
/// until sends are in flight.
fn start_slow_broadcast(s: &Running, name: &str) -> (Child, PathBuf, PathBuf) {
    s.handle.set_faults(Faults {
        delay_ms: 300,
        ..Faults::default()
    });
    let dir = scratch(name);
    let file = dir.join("numbers.csv");
    std::fs::write(&file, numbers(400)).unwrap();
    let report = dir.join("report.csv");
    let child = broadcast(s, &file, &report, &["--concurrency", "16"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        let text = std::fs::read_to_string(&report).unwrap_or_default();
        if text.matches(",pending,").count() >= 40 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no sends: {text}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    (child, file, report)
}

fn signal(child: &Child, name: &str) {
    let ok = std::process::Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

#[test]
fn an_interrupted_broadcast_finishes_its_sends_and_resumes_without_sending_twice() {
    let s = sandbox(None);
    let (child, file, report) = start_slow_broadcast(&s, "sigint");
    signal(&child, "INT");
    let o = child.wait_with_output().unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(130), "{out}{err}");
    assert!(err.contains("SIGINT: no new sends"), "{err}");
    // The sends in flight finished and are reported; the summary and the command follow.
    assert_no_pending_left(&report);
    let sent = results(&report).len();
    assert!((40..400).contains(&sent), "{sent} reported");
    assert!(out.contains(&format!("sent {sent}, failed 0")), "{out}");
    let resume = out
        .lines()
        .find_map(|l| l.strip_prefix("stopped by SIGINT; to resume: "))
        .unwrap_or_else(|| panic!("no resume command: {out}"));
    assert!(
        resume.contains("broadcast") && resume.contains(&*report.to_string_lossy()),
        "{resume}"
    );
    assert_eq!(s.received().len(), sent);

    s.handle.set_faults(Faults::default());
    let (o, out, err) = run(&mut broadcast(&s, &file, &report, &[]));
    assert!(o.status.success(), "{out}{err}");
    assert!(
        out.contains(&format!(
            "sent {}, failed 0, maybe sent 0, invalid 0, duplicate 0, already done {sent}",
            400 - sent
        )),
        "{out}"
    );
    let by_line = results(&report);
    assert_eq!(by_line.len(), 400);
    assert!(by_line.values().all(|st| st == &["sent"]), "{by_line:?}");
    assert_eq!(s.received().len(), 400);
    s.assert_nobody_got_it_twice();
}

#[test]
fn a_killed_broadcast_resumes_its_pending_sends_as_maybe_sent() {
    let s = sandbox(None);
    let (mut child, file, report) = start_slow_broadcast(&s, "sigkill");
    child.kill().unwrap();
    child.wait().unwrap();
    let pending: Vec<String> = {
        let mut open = std::collections::BTreeSet::new();
        for [_, number, status, _, _] in report_lines(&report) {
            if status == "pending" {
                open.insert(number);
            } else {
                open.remove(&number);
            }
        }
        open.into_iter().collect()
    };
    assert!(!pending.is_empty(), "sends were in flight");

    s.handle.set_faults(Faults::default());
    let (o, out, err) = run(&mut broadcast(&s, &file, &report, &[]));
    assert_eq!(
        o.status.code(),
        Some(4),
        "maybe-sent rows make the run partial: {out}{err}"
    );
    assert!(
        out.contains(&format!("maybe sent {}", pending.len())),
        "{out}"
    );
    assert_no_pending_left(&report);
    let lines = report_lines(&report);
    for number in &pending {
        let last = lines.iter().rev().find(|l| &l[1] == number).unwrap();
        assert_eq!(last[2], "maybe_sent", "{last:?}");
    }
    // Every number ends sent or maybe sent; none reached the sandbox twice.
    let mut last_status = BTreeMap::new();
    for [_, number, status, _, _] in &lines {
        last_status.insert(number.clone(), status.clone());
    }
    assert_eq!(last_status.len(), 400);
    assert!(
        last_status
            .values()
            .all(|st| st == "sent" || st == "maybe_sent")
    );
    s.assert_nobody_got_it_twice();
    // A further resume has nothing left to do, and does not add a line.
    let (_, out, _) = run(&mut broadcast(&s, &file, &report, &[]));
    assert!(out.contains("sent 0, failed 0, maybe sent 0"), "{out}");
    assert_eq!(report_lines(&report).len(), lines.len());
}

#[test]
fn a_broadcast_above_the_providers_rate_fails_no_one() {
    // 1,000 recipients at a configured 2,000/s against a sandbox taking 200/s.
    let s = sandbox(Some(200));
    let dir = scratch("rate");
    let file = dir.join("numbers.csv");
    std::fs::write(&file, numbers(1000)).unwrap();
    let report = dir.join("report.csv");
    let mut c = broadcast(&s, &file, &report, &["--concurrency", "16"]);
    c.env("WABA_RATE_LIMIT", "2000");
    let (o, out, err) = run(&mut c);
    assert!(o.status.success(), "{out}{err}");
    assert!(out.contains("sent 1000, failed 0, maybe sent 0"), "{out}");
    let adapted = out
        .lines()
        .find(|l| l.starts_with("rate limit: throttled "))
        .unwrap_or_else(|| panic!("the limiter never adapted: {out}"));
    assert!(adapted.contains("(configured 2000/s)"), "{adapted}");
    assert_eq!(s.received().len(), 1000);
    s.assert_nobody_got_it_twice();
}

#[test]
fn a_huge_field_is_cut_short_in_the_report_and_errors() {
    let s = sandbox(None);
    let dir = scratch("huge");
    let file = dir.join("numbers.csv");
    let mut input = "+16315550001\n".to_owned();
    input.push_str(&"9".repeat(10 * 1024 * 1024));
    input.push_str("\n+16315550002\n");
    std::fs::write(&file, input).unwrap();
    let report = dir.join("report.csv");
    let (o, out, err) = run(&mut broadcast(&s, &file, &report, &[]));
    assert_eq!(o.status.code(), Some(4), "{out}{err}");
    assert!(
        out.len() + err.len() < 4096,
        "{} bytes of output",
        out.len() + err.len()
    );
    let size = std::fs::metadata(&report).unwrap().len();
    assert!(size < 4096, "a {size}-byte report");
    let by_line = results(&report);
    assert_eq!(by_line[&2], ["invalid"]);
    assert_eq!(by_line.len(), 3);
}

#[test]
fn template_parameters_come_from_named_columns() {
    let s = sandbox(None);
    // The template of `broadcast()`, registered here with the three body parameters sent.
    s.handle
        .add_template_with_parameters("hello_world", "en_US", 3);
    let dir = scratch("params");
    let file = dir.join("numbers.csv");
    std::fs::write(
        &file,
        "phone,name,order\n+16315550001,Ana,A-1\n+16315550002,\"Lee, Bo\",B-2\n+16315550003,Cy\n",
    )
    .unwrap();
    let report = dir.join("report.csv");
    let mut c = broadcast(
        &s,
        &file,
        &report,
        &[
            "--param",
            "Shop",
            "--param-column",
            "name",
            "--param-column",
            "order",
        ],
    );
    let (o, out, err) = run(&mut c);
    assert_eq!(o.status.code(), Some(4), "{out}{err}");
    let by_line = results(&report);
    assert_eq!(by_line[&2], ["sent"]);
    assert_eq!(by_line[&3], ["sent"]);
    assert_eq!(by_line[&4], ["invalid"], "a row without the order column");
    let bodies: Vec<String> = s
        .handle
        .messages_of("cloud")
        .iter()
        .map(|m| m.body.to_string())
        .collect();
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("\"Shop\"") && b.contains("\"Lee, Bo\"") && b.contains("\"B-2\"")),
        "{bodies:?}"
    );

    // A column that does not exist is refused before anything is sent.
    let mut c = broadcast(&s, &file, &dir.join("r2.csv"), &["--param-column", "city"]);
    let (o, _, err) = run(&mut c);
    assert!(!o.status.success());
    assert!(
        err.contains("no such column (its columns: phone, name, order)"),
        "{err}"
    );
}

/// `--output json` prints the summary as one JSON object; with stdout closed before the
/// run ends (`| head -0`), the broadcast still finishes, reports every row, and exits
/// without a panic.
#[test]
fn the_summary_prints_as_json_and_a_closed_stdout_loses_nothing() {
    let s = sandbox(None);
    let dir = scratch("json");
    let file = dir.join("numbers.csv");
    std::fs::write(&file, "+16315550001\n+16315550002\n").unwrap();
    let report = dir.join("report.csv");
    let mut c = broadcast(&s, &file, &report, &[]);
    c.args(["--output", "json"]);
    // `--output` is global; clap takes it after the subcommand too.
    let (o, out, err) = run(&mut c);
    assert!(o.status.success(), "{out}{err}");
    let summary: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(summary["sent"], 2, "{summary}");
    assert_eq!(summary["failed"], 0, "{summary}");

    let report = dir.join("report-closed.csv");
    let mut c = broadcast(&s, &file, &report, &[]);
    c.stdout(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_ne!(status.code(), Some(101), "panicked on a closed stdout");
    let by_line = results(&report);
    assert_eq!(by_line.len(), 2, "every row reported");
}
