//! Receiver benchmark, end to end: signed Cloud webhooks `POST`ed over loopback with
//! keep-alive to (a) the waba receiver (verify the HMAC, decode, de-duplicate, queue, hand to
//! a handler that counts) and (b) a bare axum endpoint that does the same HMAC check and a
//! hand-written typed, borrowed decode (the limit), at each concurrency.
//!
//! ```text
//! cargo xtask bench receive [--bodies 20000] [--n N] [--concurrency 1,64] [--handlers 64] [--sleep-ms 50]
//! ```
//! The load comes from a second process (this binary with `--load`): a reqwest client that
//! sends every body once, `c` at a time, so the server process's counting allocator sees the
//! server's allocations alone. Where the machine has two cores and `taskset` is present,
//! the servers run on core 1 (one runtime thread) and the load generator on core 0. Prints requests/s and events/s of each, their ratio, the
//! events handed over (which must equal the corpus's count: the run fails otherwise) and
//! waba's allocations per event. Then the slow-handler run: 64 concurrent handlers that
//! each sleep `--sleep-ms` (default 50; 0 leaves the run out), the rate they sustain and
//! the number of 503s.

use std::alloc::System;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use waba_webhook::receiver::Receiver;
use waba_webhook::{CloudDecoder, HubSignature};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[allow(
    dead_code,
    clippy::struct_field_names,
    reason = "the fields carry the wire names and are decoded, not read: that is the work measured"
)]
#[path = "common/borrowed.rs"]
mod borrowed;

struct Corpus {
    bodies: Vec<Bytes>,
    signatures: Vec<String>,
    secret: String,
    events: u64,
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn fail(message: &str) -> ! {
    eprintln!("bench_receive: {message}");
    std::process::exit(2)
}

#[allow(
    clippy::too_many_lines,
    reason = "the benchmark's report, read top to bottom"
)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--load") {
        load_generator(&args[1..]);
        return;
    }
    let corpus_path = arg(&args, "--corpus").unwrap_or_else(|| {
        fail("--corpus FILE.jsonl is required (cargo xtask bench receive generates one)")
    });
    let corpus = read_corpus(&corpus_path, arg(&args, "--n").and_then(|n| n.parse().ok()));
    let levels: Vec<usize> = arg(&args, "--concurrency")
        .unwrap_or_else(|| "1,64".to_owned())
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    let bytes: usize = corpus.bodies.iter().map(Bytes::len).sum();
    println!(
        "corpus: {} bodies, {} events, {:.1} MB ({corpus_path})",
        corpus.bodies.len(),
        corpus.events,
        bytes as f64 / 1e6
    );
    let pinned = pin_to_core_1();
    println!(
        "placement: {}",
        if pinned {
            "servers on core 1 (one runtime thread), load generator on core 0 (taskset)"
        } else {
            "not pinned (one core, or no taskset): servers and load share the machine"
        }
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(if pinned { 1 } else { 2 })
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(&format!("no runtime: {e}")));
    // How many handlers run at once (`Events::spawn_concurrent`); 1 is `Events::spawn`.
    let handlers: usize = arg(&args, "--handlers").map_or(64, |h| {
        h.parse()
            .unwrap_or_else(|_| fail("--handlers takes a number"))
    });
    let mut failed = false;
    let mut worst = f64::INFINITY;
    for &c in &levels {
        // Warm-up of both servers, then interleaved rounds, best of three (drift on a shared
        // machine hits both alike). Each run has a fresh server, so a fresh de-duplication
        // store: every event is new to it.
        runtime.block_on(run_bare(&corpus, &corpus_path, c));
        runtime.block_on(run_waba(&corpus, &corpus_path, c, handlers, None));
        let mut bare = runtime.block_on(run_bare(&corpus, &corpus_path, c));
        let mut waba = runtime.block_on(run_waba(&corpus, &corpus_path, c, handlers, None));
        let mut lost = waba.events != corpus.events || waba.refused > 0;
        for _ in 1..3 {
            let b = runtime.block_on(run_bare(&corpus, &corpus_path, c));
            let w = runtime.block_on(run_waba(&corpus, &corpus_path, c, handlers, None));
            if b.elapsed < bare.elapsed {
                bare = b;
            }
            // Every run must hand over every event exactly once: one that did not is the
            // one reported.
            let bad = w.events != corpus.events || w.refused > 0;
            if !lost && (bad || w.elapsed < waba.elapsed) {
                waba = w;
            }
            lost |= bad;
        }
        let ratio = waba.requests_per_sec() / bare.requests_per_sec();
        if c >= 64 {
            worst = worst.min(ratio);
        }
        println!(
            "concurrency {c:>3}: bare axum {:>7.0} req/s {:>7.0} events/s | waba {:>7.0} req/s {:>7.0} events/s | ratio {ratio:.2}",
            bare.requests_per_sec(),
            bare.events_per_sec(),
            waba.requests_per_sec(),
            waba.events_per_sec(),
        );
        println!(
            "                 events handed over: waba {} (expected {}), bare {}; non-200 answers: waba {}, bare {}",
            waba.events, corpus.events, bare.events, waba.refused, bare.refused
        );
        println!(
            "                 allocations per event (server process): waba {:.1} ({:.0} bytes), bare {:.1} ({:.0} bytes)",
            waba.allocs as f64 / corpus.events as f64,
            waba.alloc_bytes as f64 / corpus.events as f64,
            bare.allocs as f64 / corpus.events as f64,
            bare.alloc_bytes as f64 / corpus.events as f64,
        );
        if waba.events != corpus.events || waba.refused > 0 {
            eprintln!(
                "bench_receive: waba handed over {} events with {} refusals; the corpus has {}",
                waba.events, waba.refused, corpus.events
            );
            failed = true;
        }
    }
    if worst.is_finite() {
        println!("receive ratio at concurrency 64: {worst:.2} of the bare endpoint (target 0.8)");
    }
    // The slow-handler run by default; `--sleep-ms 0` leaves it out.
    let sleep_ms: u64 = arg(&args, "--sleep-ms").map_or(50, |m| {
        m.parse()
            .unwrap_or_else(|_| fail("--sleep-ms takes milliseconds"))
    });
    if sleep_ms > 0 {
        let ms = sleep_ms;
        let slow = runtime.block_on(run_waba(
            &corpus,
            &corpus_path,
            64,
            64,
            Some(Duration::from_millis(ms)),
        ));
        let ok = slow.refused == 0 && slow.events == corpus.events && slow.doubled == 0;
        println!(
            "slow handlers ({ms} ms each, 64 concurrent): {:.0} events/s handled, {} of {} events, {} handed over twice, {} answers 503 or other non-200 (target >= 1000 events/s, none refused){}",
            slow.events_per_sec(),
            slow.events,
            corpus.events,
            slow.doubled,
            slow.refused,
            if ok { "" } else { " FAILED" }
        );
        failed |= !ok;
    }
    if failed {
        std::process::exit(1);
    }
}

/// What one run measured.
struct Run {
    requests: usize,
    /// Events the handler (or the bare endpoint) counted.
    events: u64,
    /// Answers other than 200.
    refused: u64,
    /// In the slow-handler run: events whose raw JSON the handler saw more than once. A lost
    /// event and a doubled one would leave the total right; this catches the doubled one.
    doubled: u64,
    /// From the first request to the last event handled.
    elapsed: Duration,
    allocs: usize,
    alloc_bytes: usize,
}

impl Run {
    fn requests_per_sec(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
    fn events_per_sec(&self) -> f64 {
        self.events as f64 / self.elapsed.as_secs_f64()
    }
}

/// The waba receiver with a handler that counts (or sleeps `sleep`, then counts), up to
/// `handlers` at once.
async fn run_waba(
    corpus: &Corpus,
    path: &str,
    c: usize,
    handlers: usize,
    sleep: Option<Duration>,
) -> Run {
    let verifier = HubSignature::new(&corpus.secret).unwrap_or_else(|e| fail(&e.to_string()));
    let (router, events) = Receiver::builder(CloudDecoder, verifier).build();
    let handled = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&handled);
    // Only the slow-handler run records what it saw (a hash of each event's raw JSON): there
    // the cost hides behind the sleep, where in the timed runs it would be measured.
    let seen: Arc<Mutex<HashMap<u64, u32>>> = Arc::default();
    let record = Arc::clone(&seen);
    let hasher = RandomState::new();
    let on_event = move |received: waba_webhook::receiver::Received| {
        let counter = Arc::clone(&counter);
        let record = Arc::clone(&record);
        let hasher = hasher.clone();
        async move {
            if let Some(d) = sleep {
                tokio::time::sleep(d).await;
                let key = hasher.hash_one(received.raw.get());
                *record
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .entry(key)
                    .or_default() += 1;
            }
            std::hint::black_box(&received);
            counter.fetch_add(1, Ordering::Relaxed);
        }
    };
    let task = if handlers > 1 {
        events.spawn_concurrent(handlers, on_event)
    } else {
        events.spawn(on_event)
    };
    let mut run = serve_and_load(router, corpus, path, c, &handled).await;
    task.abort();
    run.doubled = seen
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .values()
        .map(|&n| u64::from(n.saturating_sub(1)))
        .sum();
    run
}

/// The limit: the same HMAC check and a typed, borrowed decode, counting the events.
async fn run_bare(corpus: &Corpus, path: &str, c: usize) -> Run {
    let key = Arc::new(corpus.secret.clone().into_bytes());
    let events = Arc::new(AtomicU64::new(0));
    let tally = Arc::clone(&events);
    let router = axum::Router::new().route(
        "/",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let key = Arc::clone(&key);
            let tally = Arc::clone(&tally);
            async move { bare_endpoint(&key, &headers, &body, &tally) }
        }),
    );
    serve_and_load(router, corpus, path, c, &events).await
}

fn bare_endpoint(key: &[u8], headers: &HeaderMap, body: &[u8], counter: &AtomicU64) -> StatusCode {
    let Some(hex_sig) = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("sha256="))
    else {
        return StatusCode::UNAUTHORIZED;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return StatusCode::UNAUTHORIZED;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return StatusCode::INTERNAL_SERVER_ERROR;
    };
    mac.update(body);
    if mac.verify_slice(&sig).is_err() {
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(env) = serde_json::from_slice::<borrowed::Env<'_>>(body) else {
        return StatusCode::BAD_REQUEST;
    };
    let mut n = 0;
    for e in &env.entry {
        for ch in &e.changes {
            n += ch.value.messages.len() + ch.value.statuses.len();
        }
    }
    std::hint::black_box(&env);
    counter.fetch_add(n as u64, Ordering::Relaxed);
    StatusCode::OK
}

/// Serves `router` on a loopback port, runs the load process against it, and waits until
/// `handled` reaches the corpus's count (or stops moving).
async fn serve_and_load(
    router: axum::Router,
    corpus: &Corpus,
    path: &str,
    c: usize,
    handled: &AtomicU64,
) -> Run {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| fail(&format!("cannot bind: {e}")));
    let addr = listener
        .local_addr()
        .unwrap_or_else(|e| fail(&e.to_string()));
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let exe = std::env::current_exe().unwrap_or_else(|e| fail(&e.to_string()));
    let region = Region::new(GLOBAL);
    let start = Instant::now();
    let n = corpus.bodies.len().to_string();
    let path = path.to_owned();
    let taskset = PINNED.load(Ordering::Relaxed);
    let output = tokio::task::spawn_blocking(move || {
        let mut command = if taskset {
            let mut t = Command::new("taskset");
            t.args(["-c", "0"]).arg(exe);
            t
        } else {
            Command::new(exe)
        };
        command
            .args(["--load", &format!("http://{addr}/"), &c.to_string(), &n])
            .arg(path)
            .stderr(Stdio::inherit())
            .output()
    });
    let output = output
        .await
        .unwrap_or_else(|e| fail(&e.to_string()))
        .unwrap_or_else(|e| fail(&format!("the load process did not run: {e}")));
    if !output.status.success() {
        fail(&format!("the load process failed ({})", output.status));
    }
    let refused: u64 = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|_| fail("the load process printed no count"));
    // The handlers may still be running the last events: wait while the count moves.
    let mut last = handled.load(Ordering::Relaxed);
    let mut still = Instant::now();
    while last < corpus.events && still.elapsed() < Duration::from_secs(2) {
        tokio::time::sleep(Duration::from_millis(1)).await;
        let now = handled.load(Ordering::Relaxed);
        if now != last {
            last = now;
            still = Instant::now();
        }
    }
    let elapsed = start.elapsed();
    let stats = region.change();
    server.abort();
    Run {
        requests: corpus.bodies.len(),
        events: handled.load(Ordering::Relaxed),
        refused,
        doubled: 0,
        elapsed,
        allocs: stats.allocations + stats.reallocations,
        alloc_bytes: stats.bytes_allocated,
    }
}

/// Whether this process runs on core 1 and the load generator on core 0.
static PINNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Puts every thread of this process on core 1 when the machine has two cores and `taskset`
/// is there, so the servers measured and the load generator do not take each other's
/// processor time; the ratio then compares what each server costs per request.
fn pin_to_core_1() -> bool {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let pinned = cores >= 2
        && Command::new("taskset")
            .args(["-a", "-p", "-c", "1", &std::process::id().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    PINNED.store(pinned, Ordering::Relaxed);
    pinned
}

/// `--load URL C N CORPUS`: POSTs the first N bodies once each, C at a time, over
/// keep-alive connections; prints the number of answers other than 200.
fn load_generator(args: &[String]) {
    let [url, c, n, path] = args else {
        fail("--load URL CONCURRENCY N CORPUS")
    };
    let c: usize = c.parse().unwrap_or_else(|_| fail("concurrency"));
    let corpus = read_corpus(path, n.parse().ok());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(&e.to_string()));
    let refused = runtime.block_on(async move {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(c)
            .build()
            .unwrap_or_else(|e| fail(&e.to_string()));
        let corpus = Arc::new(corpus);
        let next = Arc::new(AtomicUsize::new(0));
        let refused = Arc::new(AtomicU64::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..c.max(1) {
            let (client, corpus, next, refused, url) = (
                client.clone(),
                Arc::clone(&corpus),
                Arc::clone(&next),
                Arc::clone(&refused),
                url.clone(),
            );
            tasks.spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = corpus.bodies.get(i) else {
                        break;
                    };
                    let response = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .header("x-hub-signature-256", &corpus.signatures[i])
                        .body(body.clone())
                        .send()
                        .await
                        .unwrap_or_else(|e| fail(&format!("request {i}: {e}")));
                    if response.status() != reqwest::StatusCode::OK {
                        refused.fetch_add(1, Ordering::Relaxed);
                    }
                    let _ = response.bytes().await;
                }
            });
        }
        while tasks.join_next().await.is_some() {}
        refused.load(Ordering::Relaxed)
    });
    println!("{refused}");
}

/// The corpus (`.jsonl`), its signatures (`.sig`) and manifest (`.manifest.json`: the
/// secret and the event count) as `shared/bench/gen_cloud_corpus.py` writes them; the
/// first `n` bodies when given (and then one event per body, as the generator writes).
fn read_corpus(path: &str, n: Option<usize>) -> Corpus {
    let stem = path.trim_end_matches(".jsonl");
    let read = |p: String| std::fs::read(&p).unwrap_or_else(|e| fail(&format!("{p}: {e}")));
    let text = read(path.to_owned());
    let mut bodies: Vec<Bytes> = text
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(Bytes::copy_from_slice)
        .collect();
    let sigs = String::from_utf8(read(format!("{stem}.sig")))
        .unwrap_or_else(|_| fail("the .sig file is not text"));
    let mut signatures: Vec<String> = sigs.lines().map(str::to_owned).collect();
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(format!("{stem}.manifest.json")))
            .unwrap_or_else(|e| fail(&format!("manifest: {e}")));
    let secret = manifest["secret"]
        .as_str()
        .unwrap_or("bench-secret")
        .to_owned();
    let mut events = manifest["events"]
        .as_u64()
        .unwrap_or_else(|| fail("the manifest has no event count"));
    if bodies.len() != signatures.len() {
        fail("one signature per body");
    }
    if let Some(n) = n.filter(|&n| n < bodies.len()) {
        bodies.truncate(n);
        signatures.truncate(n);
        if events != manifest["bodies"].as_u64().unwrap_or(0) {
            fail("--n needs a corpus of one event per body");
        }
        events = n as u64;
    }
    Corpus {
        bodies,
        signatures,
        secret,
        events,
    }
}
