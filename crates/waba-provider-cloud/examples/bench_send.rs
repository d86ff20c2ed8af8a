//! Send benchmark: N text messages through `Client` + the Cloud adapter + the reqwest
//! transport, and the same JSON posted by a bare reqwest client to the same sandbox route,
//! in one run, at each concurrency.
//!
//! ```text
//! cargo xtask bench send [--n 5000] [--concurrency 1,64]
//! ```
//! The sandbox runs with rate limits, the 24-hour window and lifecycle webhooks off. The
//! last line is the lowest ratio of the SDK to bare reqwest.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use waba_auth::SecretString;
use waba_core::{Client, RetryPolicy, SharedProvider};
use waba_provider_cloud::{CloudConfig, CloudProvider};
use waba_sandbox::Sandbox;
use waba_types::{Content, OutboundMessage, PhoneNumber};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let n: usize = get("--n").and_then(|v| v.parse().ok()).unwrap_or(5000);
    let levels: Vec<usize> = get("--concurrency")
        .unwrap_or_else(|| "1,64".to_owned())
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();

    let sandbox = Sandbox::builder()
        .rate_limit(None)
        .lifecycle(None)
        .enforce_window(false)
        .start()
        .await
        .expect("sandbox");
    let account = sandbox.cloud().clone();
    let provider = CloudProvider::new(
        CloudConfig::new()
            .with_base_url(sandbox.url("cloud"))
            .with_access_token(SecretString::from(account.access_token.clone()))
            .with_phone_number_id(account.phone_number_id.clone()),
    )
    .expect("provider");
    let client = Client::builder(SharedProvider::new(provider))
        .no_rate_limit()
        .retry(RetryPolicy::none())
        .build();
    let to = PhoneNumber::parse("+16315551002").expect("number");
    let message = OutboundMessage::new(to, Content::text("Your order A-1001 has shipped"));

    let bare = reqwest::Client::new();
    let url = format!(
        "{}/v25.0/{}/messages",
        sandbox.url("cloud"),
        account.phone_number_id
    );
    let body = r#"{"messaging_product":"whatsapp","recipient_type":"individual","to":"16315551002","type":"text","text":{"body":"Your order A-1001 has shipped"}}"#;
    let auth = format!("Bearer {}", account.access_token);

    let sdk_send = || async {
        client.send(&message).await.expect("sdk send");
    };
    let bare_send = || async {
        let r = bare
            .post(&url)
            .header("authorization", &auth)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("bare send");
        assert!(r.status().is_success());
        r.bytes().await.expect("body");
    };

    let mut worst = f64::INFINITY;
    for &c in &levels {
        // Warm-up: connections, caches.
        run(n / 10, c, bare_send).await;
        run(n / 10, c, sdk_send).await;
        let mut bare_best = Duration::MAX;
        let mut sdk_best = Duration::MAX;
        // Interleaved rounds, best of five: drift on a shared machine hits both alike.
        for _ in 0..5 {
            bare_best = bare_best.min(run(n, c, bare_send).await);
            sdk_best = sdk_best.min(run(n, c, sdk_send).await);
        }
        let rate = |d: Duration| n as f64 / d.as_secs_f64();
        let ratio = rate(sdk_best) / rate(bare_best);
        worst = worst.min(ratio);
        println!(
            "concurrency {c:>3}: bare reqwest {:>8.0} sends/s, waba {:>8.0} sends/s, ratio {ratio:.2}",
            rate(bare_best),
            rate(sdk_best)
        );
    }
    sandbox.shutdown().await;
    println!("send ratio (lowest over concurrencies {levels:?}): {worst:.2} (target 0.9)");
}

#[allow(
    clippy::future_not_send,
    reason = "the benchmark runs on the main task, never spawned"
)]
async fn run<F, Fut>(n: usize, concurrency: usize, send: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let start = Instant::now();
    futures_util::stream::iter(0..n)
        .map(|_| send())
        .buffer_unordered(concurrency.max(1))
        .collect::<Vec<()>>()
        .await;
    start.elapsed()
}
