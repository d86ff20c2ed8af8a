//! Soak run: everything at once for N minutes, then checks that nothing was doubled or lost.
//!
//! ```text
//! cargo xtask soak [--minutes 5] [--recipients 100000] [--rate R] [--concurrency 32]
//! ```
//! Three processes run together:
//! - this one: the sandbox (Cloud emulation, on a free loopback port) with mixed faults that
//!   change every five seconds: 5xx answers, connection resets and 429s before the request
//!   is acted on, then 5xx answers and resets after it was (the message stored, the answer
//!   lost); and a webhook flood against the receiver: signed bodies of one to five inbound
//!   messages, redeliveries of bodies already acknowledged, bodies repeating a message of an
//!   earlier one, and forged bodies (a wrong signature), in bursts above what the receiver's
//!   handler takes and calm spells below it; a 503 is retried as a provider would;
//! - `waba broadcast` (the release binary) to `--recipients` numbers, at `--rate` messages a
//!   second (default: scaled so that the broadcast takes 70 % of the minutes given);
//! - a receiver: `waba::webhook::receiver` (the library's, with its defaults: in-memory dedup
//!   and queue) in a child process of this example, whose handler prints each event's message
//!   id and takes about a millisecond an event.
//!
//! Checks, each printed, and the exit status non-zero when one fails: every recipient is
//! reported sent (and the sandbox stored it exactly once) or `maybe_sent` (stored at most
//! once), none failed, none missing; every message the flood sent was handed over at most
//! once, every acknowledged (2xx) one exactly once, no forged one; the resident memory of
//! each process, sampled every second, flat after warm-up (the last third of the run peaks
//! within 10 % + 8 MiB of the middle third; this process holds the sandbox, whose store grows
//! with every message by design, so its growth is printed per stored message instead); and
//! the receiver's answers counted by status.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt::Write as _;
use std::io::{BufRead as _, Write as _};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use waba::sandbox::{Faults, Sandbox, SandboxHandle};

#[path = "common/waba_binary.rs"]
mod waba_binary;
use waba_binary::waba_binary;

/// The app secret the receiver checks and the flood signs with.
const SECRET: &str = "soak-app-secret";
/// The broadcast's sends in flight.
const IN_FLIGHT: u32 = 16;

fn arg<T: std::str::FromStr>(args: &[String], name: &str) -> Option<T> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    if args.first().map(String::as_str) == Some("--receiver") {
        runtime.block_on(receiver());
        return ExitCode::SUCCESS;
    }
    runtime.block_on(driver(&args))
}

// ---------------------------------------------------------------------------------------
// The receiver process.

/// Serves the library receiver on a free port; prints `listening <addr>`, then the message
/// id of each event handed over, one a line; exits when stdin closes, once the queue is
/// empty.
async fn receiver() {
    use waba::webhook::receiver::Receiver;
    use waba::webhook::{CloudDecoder, HubSignature};

    let verifier = HubSignature::new(SECRET).expect("a non-empty secret");
    let (router, events) = Receiver::builder(CloudDecoder, verifier).build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("its address");
    let out = Arc::new(Mutex::new(std::io::BufWriter::new(std::io::stdout())));
    {
        let mut out = out.lock().expect("stdout");
        writeln!(out, "listening {addr}").expect("stdout");
        out.flush().expect("stdout");
    }
    let handed = Arc::new(AtomicU64::new(0));
    let handler = {
        let out = Arc::clone(&out);
        let handed = Arc::clone(&handed);
        events.spawn(move |received| {
            let out = Arc::clone(&out);
            let handed = Arc::clone(&handed);
            async move {
                let id = received
                    .event
                    .message_id()
                    .map_or_else(|| "-".to_owned(), |id| id.as_str().to_owned());
                {
                    let mut out = out.lock().expect("stdout");
                    let _ = writeln!(out, "{id}");
                }
                handed.fetch_add(1, Ordering::Relaxed);
                // The application's work: about a millisecond an event.
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
    };
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    // Flushes what the handler printed every 100 ms; stops once stdin is closed and no event
    // was handed over for a second (the queue is empty).
    let stdin_closed = Arc::new(AtomicBool::new(false));
    {
        let closed = Arc::clone(&stdin_closed);
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
            closed.store(true, Ordering::SeqCst);
        });
    }
    let mut last = (0, Instant::now());
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let _ = out.lock().expect("stdout").flush();
        let now = handed.load(Ordering::Relaxed);
        if now != last.0 {
            last = (now, Instant::now());
        }
        if stdin_closed.load(Ordering::SeqCst) && last.1.elapsed() > Duration::from_secs(1) {
            break;
        }
    }
    server.abort();
    handler.abort();
    let _ = out.lock().expect("stdout").flush();
}

// ---------------------------------------------------------------------------------------
// Memory.

/// `VmRSS` of a process, kB, from `/proc` (Linux).
fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// One process's samples, kB, one a second.
#[derive(Default)]
struct Samples(Vec<u64>);

impl Samples {
    fn mib(kb: u64) -> f64 {
        kb as f64 / 1024.0
    }

    /// Start, peak, end, and the peak of the middle and last thirds.
    fn figures(&self) -> Option<(u64, u64, u64, u64, u64)> {
        let s = &self.0;
        if s.len() < 6 {
            return None;
        }
        let third = s.len() / 3;
        let middle = s[third..2 * third].iter().copied().max()?;
        let last = s[2 * third..].iter().copied().max()?;
        Some((s[0], s.iter().copied().max()?, s[s.len() - 1], middle, last))
    }
}

// ---------------------------------------------------------------------------------------
// The webhook flood.

/// One webhook body the flood posts.
#[derive(Clone)]
struct Body {
    bytes: Arc<Vec<u8>>,
    ids: Vec<String>,
    signature: String,
}

/// What the flood did, for the checks.
#[derive(Default)]
struct Flood {
    /// Every message id sent in a correctly signed body.
    sent: HashSet<String>,
    /// Message ids of bodies answered 2xx.
    acked: HashSet<String>,
    /// Message ids only ever sent in forged bodies.
    forged: HashSet<String>,
    /// Answers by status (0: no answer).
    statuses: HashMap<u16, u64>,
    /// Bodies answered 503 (or not at all), to post again.
    retry: VecDeque<Body>,
    /// Recently acknowledged bodies, for redeliveries.
    recent: VecDeque<Body>,
    /// Redeliveries of acknowledged bodies, and bodies repeating an earlier message.
    redelivered: u64,
    repeated: u64,
    next_id: u64,
}

fn sign(body: &[u8], secret: &str) -> String {
    waba::webhook::HubSignature::new(secret)
        .expect("a non-empty secret")
        .sign(body)
}

fn body(ids: &[String], secret: &str) -> Body {
    let mut messages = String::new();
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            messages.push(',');
        }
        let _ = write!(
            messages,
            r#"{{"from":"1631555{i:04}","id":"{id}","timestamp":"1750000000","type":"text","text":{{"body":"soak"}}}}"#
        );
    }
    let bytes = format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}},"messages":[{messages}]}}}}]}}]}}"#
    )
    .into_bytes();
    Body {
        signature: sign(&bytes, secret),
        bytes: Arc::new(bytes),
        ids: ids.to_vec(),
    }
}

impl Flood {
    /// The next body to post: a retry first, else a new one of a random kind.
    fn next(&mut self, rng: &mut fastrand::Rng) -> (Body, bool) {
        if let Some(b) = self.retry.pop_front() {
            return (b, false);
        }
        let roll = rng.u8(..100);
        if roll < 8 && !self.recent.is_empty() {
            self.redelivered += 1;
            let b = self.recent[rng.usize(..self.recent.len())].clone();
            return (b, false);
        }
        let mut ids: Vec<String> = (0..rng.usize(1..=5))
            .map(|_| {
                self.next_id += 1;
                format!("wamid.soak.{}", self.next_id)
            })
            .collect();
        if roll < 16 {
            // Forged: a body signed with another secret, with ids never sent otherwise.
            self.forged.extend(ids.iter().cloned());
            return (body(&ids, "not-the-secret"), true);
        }
        if roll < 22 && !self.recent.is_empty() {
            let earlier = &self.recent[rng.usize(..self.recent.len())];
            ids.push(earlier.ids[0].clone());
            self.repeated += 1;
        }
        self.sent.extend(ids.iter().cloned());
        (body(&ids, SECRET), false)
    }

    fn answered(&mut self, b: Body, forged: bool, status: u16) {
        *self.statuses.entry(status).or_default() += 1;
        if (200..300).contains(&status) {
            self.acked.extend(b.ids.iter().cloned());
            self.recent.push_back(b);
            if self.recent.len() > 2000 {
                self.recent.pop_front();
            }
        } else if !forged && (status == 503 || status == 0) {
            self.retry.push_back(b);
        }
    }
}

/// Posts bodies until `until`: all `concurrency` posters in bursts of 15 s, one poster
/// with pauses in the calm 15 s between them.
async fn flood(
    url: String,
    state: Arc<Mutex<Flood>>,
    concurrency: usize,
    until: Instant,
    start: Instant,
) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("an HTTP client");
    let mut tasks = Vec::new();
    for n in 0..concurrency {
        let client = client.clone();
        let url = url.clone();
        let state = Arc::clone(&state);
        tasks.push(tokio::spawn(async move {
            let mut rng = fastrand::Rng::with_seed(n as u64);
            while Instant::now() < until {
                let calm = (start.elapsed().as_secs() / 15) % 2 == 1;
                if calm && n > 0 {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
                let (b, forged) = state.lock().expect("flood").next(&mut rng);
                let status = post(&client, &url, &b).await;
                state.lock().expect("flood").answered(b, forged, status);
                if calm {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
}

async fn post(client: &reqwest::Client, url: &str, b: &Body) -> u16 {
    client
        .post(url)
        .header("content-type", "application/json")
        .header("x-hub-signature-256", &b.signature)
        .body(b.bytes.as_ref().clone())
        .send()
        .await
        .map_or(0, |r| r.status().as_u16())
}

/// After the flood: posts every body still unacknowledged until each is, as a provider
/// keeps retrying, for at most `limit`.
async fn drain(url: &str, state: &Mutex<Flood>, limit: Duration) {
    let client = reqwest::Client::new();
    let end = Instant::now() + limit;
    while Instant::now() < end {
        let Some(b) = state.lock().expect("flood").retry.pop_front() else {
            return;
        };
        let status = post(&client, url, &b).await;
        state.lock().expect("flood").answered(b, false, status);
        if status != 200 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

// ---------------------------------------------------------------------------------------
// The sandbox's faults.

/// Faults before the request is acted on (5xx, resets, 429s), or after it (5xx, resets: the
/// message stored and the answer lost). A 429 is only ever drawn before: a provider that
/// throttles has not acted.
fn faults(after_handling: bool) -> Faults {
    Faults {
        error_rate: 0.004,
        error_status: if after_handling { 500 } else { 503 },
        throttle_rate: if after_handling { 0.0 } else { 0.002 },
        retry_after_secs: 1,
        reset_rate: 0.003,
        after_handling,
        ..Faults::default()
    }
}

// ---------------------------------------------------------------------------------------
// The driver.

/// The report's last line for each row: `row → (number, status)`.
fn read_report(path: &std::path::Path) -> HashMap<u64, (String, String)> {
    let mut rows = HashMap::new();
    let Ok(mut reader) = csv::Reader::from_path(path) else {
        return rows;
    };
    for record in reader.records().map_while(Result::ok) {
        let (Some(row), Some(number), Some(status)) = (
            record.get(0).and_then(|r| r.parse().ok()),
            record.get(1),
            record.get(2),
        ) else {
            continue;
        };
        rows.insert(row, (number.to_owned(), status.to_owned()));
    }
    rows
}

struct Check {
    failed: bool,
}

impl Check {
    fn that(&mut self, ok: bool, what: &str) {
        println!("  [{}] {what}", if ok { "ok" } else { "FAILED" });
        self.failed |= !ok;
    }
}

// One run, read top to bottom; the receiver child is waited for at the end (killed with this
// process on an early exit).
#[allow(clippy::too_many_lines, clippy::zombie_processes)]
async fn driver(args: &[String]) -> ExitCode {
    let minutes: f64 = arg(args, "--minutes").unwrap_or(5.0);
    let recipients: u32 = arg(args, "--recipients").unwrap_or(100_000);
    let run = Duration::from_secs_f64(minutes * 60.0);
    let rate: u32 = arg(args, "--rate")
        .unwrap_or_else(|| (f64::from(recipients) / (run.as_secs_f64() * 0.7)).ceil() as u32);
    let concurrency: usize = arg(args, "--concurrency").unwrap_or(32);
    let waba = waba_binary(args);
    if !waba.exists() {
        eprintln!(
            "{} not found: build it (cargo xtask soak does)",
            waba.display()
        );
        return ExitCode::FAILURE;
    }

    let sandbox = Sandbox::builder()
        .rate_limit(None)
        .lifecycle(None)
        .faults(faults(false))
        .seed(17)
        .start()
        .await
        .expect("the sandbox on a loopback port");
    let dir = std::env::temp_dir().join(format!("waba-soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let input = dir.join("numbers.csv");
    let numbers = (0..recipients).fold(String::from("phone\n"), |mut all, i| {
        let _ = writeln!(all, "+1631{:07}", 2_000_000 + i);
        all
    });
    std::fs::write(&input, numbers).expect("the input");
    let report = dir.join("report.csv");

    // The receiver.
    let mut receiver = Command::new(std::env::current_exe().expect("own path"))
        .arg("--receiver")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the receiver process");
    let mut lines = std::io::BufReader::new(receiver.stdout.take().expect("piped"));
    let mut first = String::new();
    lines.read_line(&mut first).expect("the receiver's address");
    let Some(addr) = first.trim().strip_prefix("listening ") else {
        eprintln!("the receiver did not start: {first:?}");
        return ExitCode::FAILURE;
    };
    let url = format!("http://{addr}/");
    let handed: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    let reader = {
        let handed = Arc::clone(&handed);
        std::thread::spawn(move || {
            for line in lines.lines().map_while(Result::ok) {
                *handed.lock().expect("handed").entry(line).or_default() += 1;
            }
        })
    };

    println!(
        "soak: {minutes} min; broadcast of {recipients} at {rate}/s ({IN_FLIGHT} in flight); webhook flood of {concurrency} posters against {url}"
    );
    let start = Instant::now();
    let mut broadcast = Command::new(&waba)
        .env("WABA_PROVIDER", "cloud")
        .env("WABA_CLOUD_BASE_URL", sandbox.url("cloud"))
        .env("WABA_CLOUD_ACCESS_TOKEN", &sandbox.cloud().access_token)
        .env(
            "WABA_CLOUD_PHONE_NUMBER_ID",
            &sandbox.cloud().phone_number_id,
        )
        .env("WABA_RATE_LIMIT", rate.to_string())
        .args(["--output", "json", "broadcast", "--template", "hello_world"])
        .arg("--to-file")
        .arg(&input)
        .arg("--report")
        .arg(&report)
        .args(["--concurrency", &IN_FLIGHT.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("waba broadcast");

    // Memory, every second, of the three processes, until the broadcast and the flood end.
    let pids = [
        ("driver and sandbox", std::process::id()),
        ("waba broadcast", broadcast.id()),
        ("receiver", receiver.id()),
    ];
    let samples: Arc<Mutex<Vec<Samples>>> = Arc::new(Mutex::new(
        pids.iter().map(|_| Samples::default()).collect(),
    ));
    let sampling = Arc::new(AtomicBool::new(true));
    let memory_task = {
        let samples = Arc::clone(&samples);
        let sampling = Arc::clone(&sampling);
        tokio::spawn(async move {
            while sampling.load(Ordering::SeqCst) {
                {
                    let mut s = samples.lock().expect("samples");
                    for (i, (_, pid)) in pids.iter().enumerate() {
                        if let Some(kb) = rss_kb(*pid) {
                            s[i].0.push(kb);
                        }
                    }
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        })
    };

    // Faults that change every five seconds, from before to after handling and back.
    let toggling = Arc::new(AtomicBool::new(true));
    let toggler = {
        let toggling = Arc::clone(&toggling);
        let sandbox: &'static SandboxHandle = Box::leak(Box::new(sandbox));
        let handle = tokio::spawn(async move {
            let mut after = false;
            while toggling.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_secs(5)).await;
                after = !after;
                sandbox.set_faults(faults(after));
            }
        });
        (handle, sandbox)
    };
    let sandbox = toggler.1;

    let state = Arc::new(Mutex::new(Flood::default()));
    let flood_task = tokio::spawn(flood(
        url.clone(),
        Arc::clone(&state),
        concurrency,
        start + run,
        start,
    ));

    // The broadcast ends on its own; give it twice the run before calling it stuck.
    let broadcast_status = loop {
        if let Some(status) = broadcast.try_wait().expect("wait") {
            break Some(status);
        }
        if start.elapsed() > 2 * run + Duration::from_secs(60) {
            let _ = broadcast.kill();
            break None;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let broadcast_time = start.elapsed();
    let _ = flood_task.await;
    toggling.store(false, Ordering::SeqCst);
    let _ = toggler.0.await;
    sandbox.set_faults(Faults::default());
    drain(&url, &state, Duration::from_secs(60)).await;
    sampling.store(false, Ordering::SeqCst);
    let _ = memory_task.await;
    let run_time = start.elapsed();
    // The receiver stops once its queue is empty.
    drop(receiver.stdin.take());
    let _ = tokio::task::spawn_blocking(move || receiver.wait()).await;
    let _ = reader.join();

    let mut summary = String::new();
    if let Some(mut out) = broadcast.stdout.take() {
        let _ = std::io::Read::read_to_string(&mut out, &mut summary);
    }

    // The broadcast against what the sandbox stored.
    println!("\n== broadcast");
    println!(
        "  exit: {}; {:.0} s (rate {rate}/s, so {:.0} s without faults)",
        broadcast_status.map_or_else(|| "killed: still running".to_owned(), |s| s.to_string()),
        broadcast_time.as_secs_f64(),
        f64::from(recipients) / f64::from(rate)
    );
    for line in summary.lines() {
        println!("  summary: {line}");
    }
    let rows = read_report(&report);
    let mut stored: HashMap<String, u32> = HashMap::new();
    for m in sandbox.messages_of("cloud") {
        *stored.entry(format!("+{}", m.customer)).or_default() += 1;
    }
    let mut by_status: HashMap<&str, u64> = HashMap::new();
    let (mut doubled, mut lost, mut missing, mut maybe_stored) = (0, 0, 0, 0);
    for row in 2..=u64::from(recipients) + 1 {
        let Some((number, status)) = rows.get(&row) else {
            missing += 1;
            continue;
        };
        *by_status.entry(status.as_str()).or_default() += 1;
        let times = stored.get(number).copied().unwrap_or(0);
        match status.as_str() {
            "sent" if times == 1 => {}
            "sent" if times == 0 => lost += 1,
            "maybe_sent" if times <= 1 => maybe_stored += u64::from(times),
            "failed" if times == 0 => {}
            "failed" => lost += 1,
            _ => doubled += u64::from(times > 1),
        }
    }
    let mut statuses: Vec<_> = by_status.into_iter().collect();
    statuses.sort_unstable();
    println!(
        "  report: {}; maybe_sent that the sandbox did store: {maybe_stored}",
        statuses
            .iter()
            .map(|(s, n)| format!("{s} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  sandbox stored {} messages for {} numbers",
        stored.values().map(|&n| u64::from(n)).sum::<u64>(),
        stored.len()
    );

    // The flood against what the receiver handed over.
    let flood = state.lock().expect("flood");
    let handed = handed.lock().expect("handed");
    let twice = handed.values().filter(|&&n| n > 1).count();
    let acked_lost = flood
        .acked
        .iter()
        .filter(|id| !handed.contains_key(*id))
        .count();
    let forged_in = flood
        .forged
        .iter()
        .filter(|id| handed.contains_key(*id))
        .count();
    let invented = handed
        .keys()
        .filter(|id| !flood.sent.contains(*id) && !flood.forged.contains(*id))
        .count();
    println!("\n== webhooks");
    let mut answers: Vec<_> = flood.statuses.iter().collect();
    answers.sort_unstable();
    println!(
        "  receiver answers: {} (0: no answer)",
        answers
            .iter()
            .map(|(s, n)| format!("{s} × {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  messages sent {} (in {} redeliveries of acknowledged bodies and {} bodies repeating an earlier message besides), forged {}, acknowledged {}, handed over {}, still unacknowledged bodies {}",
        flood.sent.len(),
        flood.redelivered,
        flood.repeated,
        flood.forged.len(),
        flood.acked.len(),
        handed.len(),
        flood.retry.len()
    );

    println!("\n== resident memory, MiB (start / peak / end; peak of the middle and last thirds)");
    let samples = samples.lock().expect("samples");
    let mut flat = Vec::new();
    for (i, (name, _)) in pids.iter().enumerate() {
        let Some((s, peak, end, middle, tail)) = samples[i].figures() else {
            println!("  {name}: too few samples");
            continue;
        };
        println!(
            "  {name}: {:.1} / {:.1} / {:.1}; {:.1} then {:.1}",
            Samples::mib(s),
            Samples::mib(peak),
            Samples::mib(end),
            Samples::mib(middle),
            Samples::mib(tail)
        );
        if i == 0 {
            let growth = end.saturating_sub(s) * 1024;
            println!(
                "    (holds the sandbox's store: {:.0} bytes of growth per stored message)",
                growth as f64 / stored.values().map(|&n| f64::from(n)).sum::<f64>().max(1.0)
            );
        } else {
            flat.push((*name, tail <= middle + middle / 10 + 8 * 1024));
        }
    }

    println!("\n== checks");
    let mut check = Check { failed: false };
    check.that(
        broadcast_status.is_some(),
        "the broadcast finished (its exit status says whether some are maybe_sent)",
    );
    check.that(
        missing == 0,
        &format!("every recipient reported: {missing} missing"),
    );
    check.that(
        doubled == 0,
        &format!("0 doubled among the recipients: {doubled}"),
    );
    check.that(
        lost == 0,
        &format!("0 lost (reported sent but not stored, or failed and stored): {lost}"),
    );
    check.that(
        rows.values().all(|(_, s)| s == "sent" || s == "maybe_sent"),
        "every recipient sent exactly once or reported maybe_sent",
    );
    check.that(
        twice == 0,
        &format!("every webhook event handed over at most once: {twice} twice"),
    );
    check.that(
        acked_lost == 0,
        &format!("no acknowledged webhook event lost: {acked_lost}"),
    );
    check.that(
        forged_in == 0 && invented == 0,
        &format!(
            "no forged or invented event handed over: {forged_in} forged, {invented} invented"
        ),
    );
    check.that(
        flood.retry.is_empty(),
        &format!(
            "every body acknowledged in the end: {} not",
            flood.retry.len()
        ),
    );
    for (name, ok) in flat {
        check.that(ok, &format!("{name}: resident memory flat after warm-up"));
    }
    println!("\nran {:.0} s", run_time.as_secs_f64());
    let _ = std::fs::remove_dir_all(&dir);
    if check.failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
