//! `cargo xtask bench cluster`: receivers × workers × senders against one local Redis.
//!
//! Prints events/s through the durable inbox and the in-memory one, Redis round trips per
//! event, duplicates delivered (goal 0), events lost after killing a worker (goal 0), and the
//! aggregate send rate of three senders against their shared limit (goal within 2%).
//! Options: `--events N` (default 20000), `--rate R` (default 200).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use waba_redis::{InboxConfig, LocalRedis, RedisInbox, RedisState};
use waba_webhook::receiver::{Events, Receiver};
use waba_webhook::{CloudDecoder, HubSignature};

const SECRET: &str = "bench-secret";
const PER_BODY: usize = 50;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn body(start: usize, n: usize) -> String {
    let messages: Vec<String> = (start..start + n)
        .map(|i| {
            format!(
                r#"{{"from":"1631555{:04}","id":"wamid.b{i}","timestamp":"1750000000","type":"text","text":{{"body":"{i}"}}}}"#,
                i % 500
            )
        })
        .collect();
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}},"messages":[{}]}}}}]}}]}}"#,
        messages.join(",")
    )
}

async fn serve(builder: waba_webhook::receiver::ReceiverBuilder) -> (String, Events) {
    let (router, events) = builder.body_limit(4 * 1024 * 1024).build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, events)
}

type Counts = Arc<Mutex<HashMap<String, usize>>>;

fn count(counts: &Counts, event: &waba_types::Event) {
    let id = event
        .message_id()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    *counts.lock().unwrap().entry(id).or_default() += 1;
}

/// Posts `events` events in bodies of [`PER_BODY`] to `targets` at random, 16 at a time,
/// doubling 10% of the bodies; returns when every post got a 200.
async fn post_all(targets: &[String], events: usize) {
    let client = reqwest::Client::new();
    let bodies: Vec<String> = (0..events / PER_BODY)
        .map(|b| body(b * PER_BODY, PER_BODY))
        .collect();
    let next = Arc::new(AtomicUsize::new(0));
    let bodies = Arc::new(bodies);
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (client, next, bodies, targets) = (
            client.clone(),
            next.clone(),
            bodies.clone(),
            targets.to_vec(),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(b) = bodies.get(i) else { break };
                let times = if fastrand::u8(..10) == 0 { 2 } else { 1 };
                for _ in 0..times {
                    loop {
                        let target = &targets[fastrand::usize(..targets.len())];
                        let r = client
                            .post(target)
                            .header(
                                "x-hub-signature-256",
                                HubSignature::new(SECRET).unwrap().sign(b.as_bytes()),
                            )
                            .body(b.clone())
                            .send()
                            .await;
                        if r.is_ok_and(|r| r.status().is_success()) {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

async fn wait_all(counts: &Counts, n: usize, secs: u64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while counts.lock().unwrap().len() < n {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    true
}

async fn round_trips(url: &str) -> u64 {
    let mut conn = redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(&mut conn)
        .await
        .unwrap();
    // The commands clients send in the inbox path; what scripts call inside counts apart.
    ["evalsha", "eval", "xreadgroup", "xautoclaim", "script"]
        .iter()
        .filter_map(|c| {
            info.lines()
                .find(|l| l.starts_with(&format!("cmdstat_{c}:")))
                .and_then(|l| l.split("calls=").nth(1))
                .and_then(|v| v.split(',').next())
                .and_then(|v| v.parse::<u64>().ok())
        })
        .sum()
}

async fn durable(server: &LocalRedis, n: usize, kill: bool) -> (f64, f64, usize, usize) {
    let state = RedisState::connect(&server.url())
        .await
        .unwrap()
        .with_prefix(format!("bench{}", fastrand::u32(..)));
    let inbox = Arc::new(state.inbox(InboxConfig {
        visibility_timeout: Duration::from_secs(1),
        block: Duration::from_millis(100),
        ..InboxConfig::default()
    }));
    let mut receivers = Vec::new();
    for _ in 0..3 {
        let (url, _events) = serve(
            Receiver::builder(CloudDecoder, HubSignature::new(SECRET).unwrap())
                .inbox(inbox.clone()),
        )
        .await;
        receivers.push(url);
    }
    let counts: Counts = Arc::default();
    let mut workers = Vec::new();
    for w in 0..2 {
        workers.push(start_worker(&inbox, &format!("w{w}"), &counts).await);
    }
    let before = round_trips(&server.url()).await;
    let started = Instant::now();
    let poster = {
        let receivers = receivers.clone();
        tokio::spawn(async move { post_all(&receivers, n).await })
    };
    if kill {
        // Kill a worker mid-run, events in hand; a new one takes its place.
        while counts.lock().unwrap().len() < n / 3 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        workers.remove(0).abort();
        workers.push(start_worker(&inbox, "w-new", &counts).await);
    }
    poster.await.unwrap();
    let all = wait_all(&counts, n, 60).await;
    let secs = started.elapsed().as_secs_f64();
    let trips = round_trips(&server.url()).await - before;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let counts = counts.lock().unwrap();
    let lost = if all { 0 } else { n - counts.len() };
    let dups = counts.values().filter(|c| **c > 1).count();
    for w in workers {
        w.abort();
    }
    (n as f64 / secs, trips as f64 / n as f64, dups, lost)
}

async fn start_worker(
    inbox: &RedisInbox,
    name: &str,
    counts: &Counts,
) -> tokio::task::JoinHandle<()> {
    let worker = inbox.worker(name).await.unwrap();
    let counts = counts.clone();
    tokio::spawn(worker.run(64, move |r| {
        let counts = counts.clone();
        async move {
            count(&counts, &r.event);
            Ok::<(), String>(())
        }
    }))
}

async fn in_memory(n: usize) -> f64 {
    let (url, events) = serve(Receiver::builder(
        CloudDecoder,
        HubSignature::new(SECRET).unwrap(),
    ))
    .await;
    let counts: Counts = Arc::default();
    let c = counts.clone();
    let task = events.spawn_concurrent(64, move |r| {
        let c = c.clone();
        async move { count(&c, &r.event) }
    });
    let started = Instant::now();
    post_all(&[url], n).await;
    wait_all(&counts, n, 60).await;
    let rate = n as f64 / started.elapsed().as_secs_f64();
    task.abort();
    rate
}

async fn send_rate(server: &LocalRedis, rate: u32) -> (f64, usize) {
    use waba_core::ProviderExt;
    let sandbox = waba_sandbox::Sandbox::builder()
        .lifecycle(None)
        .enforce_window(false)
        .rate_limit(Some(rate))
        .start()
        .await
        .unwrap();
    let prefix = format!("send{}", fastrand::u32(..));
    let per_client = rate as usize * 5 / 3;
    let done: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let failed = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for c in 0..3 {
        let state = RedisState::connect(&server.url())
            .await
            .unwrap()
            .with_prefix(prefix.clone());
        let account = sandbox.cloud();
        let provider = waba_provider_cloud::CloudProvider::new(
            waba_provider_cloud::CloudConfig::new()
                .with_base_url(sandbox.url("cloud"))
                .with_access_token(waba_auth::SecretString::from(account.access_token.clone()))
                .with_phone_number_id(account.phone_number_id.clone()),
        )
        .unwrap();
        let client = waba_core::Client::builder(waba_core::SharedProvider::new(provider))
            .rate_limit_store(Arc::new(state.rate_limiter(rate, 1)))
            .build();
        for lane in 0..16 {
            let (client, done, failed) = (client.clone(), done.clone(), failed.clone());
            tasks.push(tokio::spawn(async move {
                for i in (lane..per_client).step_by(16) {
                    let to: waba_types::PhoneNumber = format!("+163155{c}{i:04}").parse().unwrap();
                    match client.send_text(to, "sale").await {
                        Ok(_) => done.lock().unwrap().push(Instant::now()),
                        Err(_) => {
                            failed.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                }
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut done = done.lock().unwrap().clone();
    done.sort();
    let span = (done[done.len() - 1] - done[0]).as_secs_f64();
    (
        (done.len() - 1) as f64 / span,
        failed.load(Ordering::SeqCst),
    )
}

#[tokio::main]
async fn main() {
    let n = arg("--events", 20_000) / PER_BODY * PER_BODY;
    let rate = arg("--rate", 200) as u32;
    let server = LocalRedis::start().await.unwrap_or_else(|e| panic!("{e}"));
    println!(
        "cluster bench: 3 receivers × 2 workers (64 handlers each) × 3 senders, one local redis-server"
    );
    println!(
        "{n} events in bodies of {PER_BODY}, 10% of bodies posted twice, to receivers at random\n"
    );
    let memory = in_memory(n).await;
    let (durable_rate, trips, dups, lost) = durable(&server, n, false).await;
    println!("inbox          events/s   Redis round trips/event   duplicates delivered");
    println!("in-memory      {memory:>8.0}   {:>23}   {:>20}", "-", "-");
    println!("redis streams  {durable_rate:>8.0}   {trips:>23.3}   {dups:>20}");
    println!(
        "durable / in-memory: {:.2}; events lost: {lost}\n",
        durable_rate / memory
    );
    let (_, _, kdups, klost) = durable(&server, n, true).await;
    println!(
        "a worker killed at a third of the run: {klost} events lost (goal 0), {kdups} handled twice (events in the killed worker's hands may be)"
    );
    let (aggregate, failed) = send_rate(&server, rate).await;
    let off = (aggregate - f64::from(rate)) / f64::from(rate) * 100.0;
    println!(
        "3 senders sharing {rate} msg/s for ~5 s: aggregate {aggregate:.1} msg/s ({off:+.2}%, goal within 2%), {failed} failed"
    );
}
