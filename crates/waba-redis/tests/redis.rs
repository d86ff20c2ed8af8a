//! waba-redis against a real `redis-server` (one per test binary, on a free loopback port),
//! with several receivers, workers and senders in one process.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use waba_redis::{InboxConfig, LocalRedis, RedisInbox, RedisState};
use waba_types::Event;
use waba_webhook::receiver::Receiver;
use waba_webhook::{CloudDecoder, HubSignature};

static SERVER: OnceLock<String> = OnceLock::new();
static PREFIX: AtomicUsize = AtomicUsize::new(0);

/// The shared server's URL; starts it on first use. Fails (never skips) without the binary.
async fn server_url() -> String {
    if let Some(url) = SERVER.get() {
        return url.clone();
    }
    let server = LocalRedis::start().await.unwrap_or_else(|e| panic!("{e}"));
    let url = server.url();
    // Kept for the whole test binary; its watchdog stops it when the binary exits.
    std::mem::forget(server);
    SERVER.get_or_init(|| url).clone()
}

/// A connection with a key prefix no other test uses.
async fn state() -> RedisState {
    let n = PREFIX.fetch_add(1, Ordering::SeqCst);
    RedisState::connect(&server_url().await)
        .await
        .unwrap()
        .with_prefix(format!("t{n}-{}", std::process::id()))
}

const SECRET: &str = "app-secret";

fn body(id: &str, from: &str) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}},"messages":[{{"from":"{from}","id":"{id}","timestamp":"1750000000","type":"text","text":{{"body":"hi"}}}}]}}}}]}}]}}"#
    )
}

async fn post(url: &str, body: &str, secret: &str) -> u16 {
    reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header(
            "x-hub-signature-256",
            HubSignature::new(secret).unwrap().sign(body.as_bytes()),
        )
        .body(body.to_owned())
        .send()
        .await
        .map_or(0, |r| r.status().as_u16())
}

/// A receiver over `inbox`, serving on a free port; its URL.
async fn receiver(inbox: Arc<RedisInbox>, secret: &str) -> String {
    let (router, _events) = Receiver::builder(CloudDecoder, HubSignature::new(secret).unwrap())
        .inbox(inbox)
        .build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

fn message_id(event: &Event) -> String {
    event
        .message_id()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default()
}

type Counts = Arc<Mutex<HashMap<String, usize>>>;

/// Starts a worker counting handled message ids.
async fn counting_worker(
    inbox: &RedisInbox,
    name: &str,
    counts: &Counts,
) -> tokio::task::JoinHandle<()> {
    let worker = inbox.worker(name).await.unwrap();
    let counts = counts.clone();
    tokio::spawn(worker.run(16, move |r| {
        let counts = counts.clone();
        async move {
            *counts
                .lock()
                .unwrap()
                .entry(message_id(&r.event))
                .or_default() += 1;
            Ok::<(), String>(())
        }
    }))
}

async fn wait_for(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn redis_unreachable_at_start_is_an_error_naming_the_url() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("redis://127.0.0.1:{port}");
    let e = RedisState::connect(&url).await.unwrap_err();
    assert!(e.to_string().contains(&url), "{e}");
    let bad = RedisState::connect("http://nope").await.unwrap_err();
    assert!(bad.to_string().contains("http://nope"), "{bad}");
    assert!(bad.to_string().contains("not a valid Redis URL"), "{bad}");
}

#[tokio::test]
async fn dedup_is_shared_by_every_store_on_the_server() {
    use waba_webhook::DedupStore;
    let (a, b) = (state().await, state().await);
    let b = b.with_prefix(a_prefix(&a));
    let (a, b) = (a.dedup_store(), b.dedup_store());
    let ttl = Duration::from_secs(60);
    assert!(a.insert_if_absent("wamid.1", ttl).await.unwrap());
    assert!(!b.insert_if_absent("wamid.1", ttl).await.unwrap());
    assert!(!a.insert_if_absent("wamid.1", ttl).await.unwrap());
    assert!(b.insert_if_absent("wamid.2", ttl).await.unwrap());
}

fn a_prefix(s: &RedisState) -> String {
    format!("{s:?}")
        .split("prefix: \"")
        .nth(1)
        .and_then(|p| p.split('"').next())
        .unwrap()
        .to_owned()
}

/// Three receivers share one Redis behind a balancer that picks one at random; the sandbox
/// delivers each inbound webhook through it and doubles 10% of them. Every event is handled
/// exactly once by two workers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_receivers_deliver_every_event_exactly_once() {
    let state = state().await;
    let sandbox = waba_sandbox::Sandbox::builder()
        .lifecycle(None)
        .seed(7)
        .faults(waba_sandbox::Faults {
            webhook_duplicate_rate: 0.1,
            ..Default::default()
        })
        .start()
        .await
        .unwrap();
    let secret = sandbox.cloud().app_secret.clone();
    let inbox = Arc::new(state.inbox(InboxConfig::default()));
    let mut receivers = Vec::new();
    for _ in 0..3 {
        receivers.push(receiver(inbox.clone(), &secret).await);
    }
    let (balancer, posts) = balancer(receivers).await;
    sandbox.set_webhook("cloud", balancer, Vec::new()).unwrap();
    let counts: Counts = Arc::default();
    let w1 = counting_worker(&inbox, "w1", &counts).await;
    let w2 = counting_worker(&inbox, "w2", &counts).await;
    let n = 200;
    let mut ids = Vec::new();
    let injected = futures_join(
        (0..n)
            .map(|i| {
                let sandbox = &sandbox;
                async move {
                    let from: waba_types::PhoneNumber =
                        format!("+1631555{:04}", i % 40).parse().unwrap();
                    sandbox
                        .inject_inbound("cloud", &from, &format!("m{i}"))
                        .await
                        .unwrap()
                        .id
                }
            })
            .collect(),
    )
    .await;
    ids.extend(injected);
    wait_for("every event", 20, || counts.lock().unwrap().len() == n).await;
    // Late duplicates would show now.
    tokio::time::sleep(Duration::from_millis(300)).await;
    {
        let counts = counts.lock().unwrap();
        for id in &ids {
            assert_eq!(counts.get(id), Some(&1), "{id}");
        }
        assert_eq!(counts.len(), n);
    }
    let posted = posts.load(Ordering::SeqCst);
    assert!(
        posted > n + n / 20,
        "the sandbox doubled about 10%: {posted} posts for {n}"
    );
    assert!(
        inbox.is_empty().await.unwrap(),
        "every event acknowledged and deleted"
    );
    w1.abort();
    w2.abort();
}

/// Runs futures 16 at a time, in order.
async fn futures_join<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut out = Vec::new();
    let mut futures = futures.into_iter().peekable();
    while futures.peek().is_some() {
        let chunk: Vec<F> = futures.by_ref().take(16).collect();
        let mut handles = Vec::new();
        for f in chunk {
            handles.push(Box::pin(f));
        }
        for h in handles {
            out.push(h.await);
        }
    }
    out
}

/// Forwards each request to one of `targets` at random: the load balancer in front of
/// several replicas.
async fn balancer(targets: Vec<String>) -> (String, Arc<AtomicUsize>) {
    use axum::body::Bytes;
    use axum::http::{HeaderMap, StatusCode};
    let client = reqwest::Client::new();
    let posts = Arc::new(AtomicUsize::new(0));
    let counter = posts.clone();
    let app = axum::Router::new().route(
        "/",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let target = targets[fastrand::usize(..targets.len())].clone();
            counter.fetch_add(1, Ordering::SeqCst);
            let client = client.clone();
            async move {
                let mut r = client.post(target).body(body);
                for (k, v) in &headers {
                    if k != "host" && k != "content-length" {
                        r = r.header(k, v);
                    }
                }
                match r.send().await {
                    Ok(resp) => StatusCode::from_u16(resp.status().as_u16()).unwrap(),
                    Err(_) => StatusCode::BAD_GATEWAY,
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, posts)
}

/// A worker dies while handling an event: another worker takes it over after the
/// visibility timeout and handles it, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_of_a_killed_worker_is_handled_once_by_another() {
    let state = state().await;
    let inbox = Arc::new(state.inbox(InboxConfig {
        visibility_timeout: Duration::from_millis(600),
        block: Duration::from_millis(100),
        ..InboxConfig::default()
    }));
    let url = receiver(inbox.clone(), SECRET).await;
    let started = Arc::new(AtomicUsize::new(0));
    let doomed = {
        let worker = inbox.worker("doomed").await.unwrap();
        let started = started.clone();
        tokio::spawn(worker.run(4, move |_r| {
            let started = started.clone();
            async move {
                started.fetch_add(1, Ordering::SeqCst);
                // Hangs until the worker is killed.
                std::future::pending::<()>().await;
                Ok::<(), String>(())
            }
        }))
    };
    assert_eq!(
        post(&url, &body("wamid.K", "16315550001"), SECRET).await,
        200
    );
    wait_for("the first worker to take the event", 5, || {
        started.load(Ordering::SeqCst) == 1
    })
    .await;
    doomed.abort();
    let counts: Counts = Arc::default();
    let rescuer = counting_worker(&inbox, "rescuer", &counts).await;
    wait_for("the rescue", 10, || {
        counts.lock().unwrap().contains_key("wamid.K")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(counts.lock().unwrap().get("wamid.K"), Some(&1));
    assert_eq!(started.load(Ordering::SeqCst), 1);
    assert!(inbox.is_empty().await.unwrap());
    rescuer.abort();
}

/// A handler that keeps failing: retried after the visibility timeout, then moved to the
/// dead letters with its error after `max_attempts`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_that_keeps_failing_goes_to_the_dead_letters() {
    let state = state().await;
    let inbox = Arc::new(state.inbox(InboxConfig {
        visibility_timeout: Duration::from_millis(200),
        block: Duration::from_millis(50),
        max_attempts: 3,
        ..InboxConfig::default()
    }));
    let url = receiver(inbox.clone(), SECRET).await;
    let attempts = Arc::new(AtomicUsize::new(0));
    let worker = {
        let w = inbox.worker("w").await.unwrap();
        let attempts = attempts.clone();
        tokio::spawn(w.run(4, move |_r| {
            let attempts = attempts.clone();
            async move {
                attempts.fetch_add(1, Ordering::SeqCst);
                Err::<(), _>("database down")
            }
        }))
    };
    assert_eq!(
        post(&url, &body("wamid.D", "16315550002"), SECRET).await,
        200
    );
    let probe = inbox.clone();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while probe.dead_letters().await.unwrap() == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never dead-lettered"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    assert!(inbox.is_empty().await.unwrap());
    let mut conn = redis::Client::open(server_url().await)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let entries: redis::streams::StreamRangeReply = redis::cmd("XRANGE")
        .arg(inbox.dead_letter_key())
        .arg("-")
        .arg("+")
        .query_async(&mut conn)
        .await
        .unwrap();
    let entry = &entries.ids[0];
    assert_eq!(
        entry.get::<String>("error").as_deref(),
        Some("database down")
    );
    assert_eq!(entry.get::<u32>("attempts"), Some(3));
    assert!(entry.get::<String>("e").unwrap().contains("wamid.D"));
    worker.abort();
}

/// Redis dies mid-run: the receiver answers 503 (never 200 for what it could not store),
/// and once Redis is back on the same port it stores again without a restart; workers pick
/// up where they were.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losing_redis_answers_503_and_reconnects_without_restart() {
    let mut server = LocalRedis::start().await.unwrap_or_else(|e| panic!("{e}"));
    let state = RedisState::connect(&server.url()).await.unwrap();
    let inbox = Arc::new(state.inbox(InboxConfig {
        block: Duration::from_millis(100),
        ..InboxConfig::default()
    }));
    let url = receiver(inbox.clone(), SECRET).await;
    let counts: Counts = Arc::default();
    let worker = counting_worker(&inbox, "w", &counts).await;
    assert_eq!(
        post(&url, &body("wamid.before", "16315550003"), SECRET).await,
        200
    );
    wait_for("the first event", 5, || {
        counts.lock().unwrap().contains_key("wamid.before")
    })
    .await;

    server.stop().await;
    for i in 0..3 {
        let status = post(
            &url,
            &body(&format!("wamid.down{i}"), "16315550003"),
            SECRET,
        )
        .await;
        assert_eq!(status, 503, "attempt {i} while Redis is down");
    }

    server.restart().await.unwrap();
    let mut status = 0;
    for _ in 0..100 {
        status = post(&url, &body("wamid.after", "16315550003"), SECRET).await;
        if status == 200 {
            break;
        }
        assert_eq!(status, 503);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, 200, "stores again once Redis is back");
    // The restarted server is empty: the worker's group comes back with the next
    // receiver's stream only if the worker recreates it; events after the restart reach it.
    wait_for("the event after the restart", 10, || {
        counts.lock().unwrap().contains_key("wamid.after")
    })
    .await;
    assert!(
        !counts
            .lock()
            .unwrap()
            .keys()
            .any(|k| k.starts_with("wamid.down"))
    );
    worker.abort();
}

fn cloud_client(
    sandbox: &waba_sandbox::SandboxHandle,
    window: Arc<dyn waba_core::WindowStore>,
) -> waba_core::Client {
    let account = sandbox.cloud();
    let config = waba_provider_cloud::CloudConfig::new()
        .with_base_url(sandbox.url("cloud"))
        .with_access_token(waba_auth::SecretString::from(account.access_token.clone()))
        .with_phone_number_id(account.phone_number_id.clone());
    let provider = waba_provider_cloud::CloudProvider::new(config).unwrap();
    waba_core::Client::builder(waba_core::SharedProvider::new(provider))
        .customer_window(window)
        .build()
}

/// The window opened by an inbound message that replica A received lets a free-form send
/// through on replica B; to a customer who never wrote, B refuses locally.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_opened_on_one_replica_lets_a_send_through_on_another() {
    use waba_core::{ErrorKind, ProviderExt, WindowStore};
    let (a, b) = (state().await, state().await);
    let b = b.with_prefix(a_prefix(&a));
    let sandbox = waba_sandbox::Sandbox::builder()
        .lifecycle(None)
        .enforce_window(true)
        .start()
        .await
        .unwrap();
    let business = sandbox.cloud().phone_number_id.clone();
    // Replica A receives webhooks and records windows.
    let window_a = Arc::new(a.window(&business));
    let (router, events) = Receiver::builder(
        CloudDecoder,
        HubSignature::new(&sandbox.cloud().app_secret).unwrap(),
    )
    .build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    sandbox
        .set_webhook(
            "cloud",
            format!("http://{}/", listener.local_addr().unwrap()),
            Vec::new(),
        )
        .unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let recorded = Arc::new(AtomicUsize::new(0));
    let handler = {
        let (window_a, recorded) = (window_a.clone(), recorded.clone());
        events.spawn(move |r| {
            let (window_a, recorded) = (window_a.clone(), recorded.clone());
            async move {
                window_a.record(&r.event).await.unwrap();
                recorded.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    let customer: waba_types::PhoneNumber = "+16315557001".parse().unwrap();
    sandbox
        .inject_inbound("cloud", &customer, "hello")
        .await
        .unwrap();
    wait_for("replica A to record the window", 5, || {
        recorded.load(Ordering::SeqCst) == 1
    })
    .await;

    // Replica B: its own connection, its own client.
    let client_b = cloud_client(&sandbox, Arc::new(b.window(&business)));
    let sent = client_b
        .send_text(customer.clone(), "thanks for writing")
        .await;
    assert!(sent.is_ok(), "{sent:?}");
    let stranger: waba_types::PhoneNumber = "+16315557002".parse().unwrap();
    let before = sandbox.messages().len();
    let refused = client_b.send_text(stranger, "hello?").await.unwrap_err();
    assert_eq!(refused.kind(), &ErrorKind::OutsideCustomerWindow);
    assert_eq!(
        sandbox.messages().len(),
        before,
        "refused locally, nothing sent"
    );
    handler.abort();
}

/// With Redis gone, a send that needs the window fails with a retryable error before
/// anything is sent, and works again once Redis is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_without_its_window_store_fails_retryable_and_sends_nothing() {
    use waba_core::{ProviderExt, WindowStore};
    let mut server = LocalRedis::start().await.unwrap_or_else(|e| panic!("{e}"));
    let state = RedisState::connect(&server.url()).await.unwrap();
    let sandbox = waba_sandbox::Sandbox::builder()
        .lifecycle(None)
        .enforce_window(false)
        .start()
        .await
        .unwrap();
    let window = Arc::new(state.window("b1"));
    let customer: waba_types::PhoneNumber = "+16315557003".parse().unwrap();
    window
        .customer_wrote(customer.digits(), now())
        .await
        .unwrap();
    let client = cloud_client(&sandbox, window.clone());
    client.send_text(customer.clone(), "one").await.unwrap();
    server.stop().await;
    let before = sandbox.messages().len();
    let e = client.send_text(customer.clone(), "two").await.unwrap_err();
    assert!(e.is_retryable(), "{e}");
    assert!(!e.maybe_delivered(), "{e}");
    assert!(e.to_string().contains("nothing was sent"), "{e}");
    assert_eq!(sandbox.messages().len(), before);
    server.restart().await.unwrap();
    // The restarted server is empty; the connection comes back by itself.
    let mut reconnected = false;
    for _ in 0..100 {
        if window
            .customer_wrote(customer.digits(), now())
            .await
            .is_ok()
        {
            reconnected = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(reconnected, "no reconnect within 5 s");
    client.send_text(customer, "three").await.unwrap();
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn limited_client(
    sandbox: &waba_sandbox::SandboxHandle,
    limiter: Arc<dyn waba_core::RateLimitStore>,
) -> waba_core::Client {
    let account = sandbox.cloud();
    let config = waba_provider_cloud::CloudConfig::new()
        .with_base_url(sandbox.url("cloud"))
        .with_access_token(waba_auth::SecretString::from(account.access_token.clone()))
        .with_phone_number_id(account.phone_number_id.clone());
    let provider = waba_provider_cloud::CloudProvider::new(config).unwrap();
    waba_core::Client::builder(waba_core::SharedProvider::new(provider))
        .rate_limit_store(limiter)
        .build()
}

/// Three clients, each on its own connection, share a limit of R messages a second for one
/// number: together they send at R (within 2%), and the provider, which allows R, throttles
/// none of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_senders_share_one_rate() {
    use waba_core::ProviderExt;
    const R: u32 = 100;
    const PER_CLIENT: usize = 200;
    let prefix = a_prefix(&state().await);
    let sandbox = waba_sandbox::Sandbox::builder()
        .lifecycle(None)
        .enforce_window(false)
        .rate_limit(Some(R))
        .start()
        .await
        .unwrap();
    let mut clients = Vec::new();
    for _ in 0..3 {
        let state = RedisState::connect(&server_url().await)
            .await
            .unwrap()
            .with_prefix(prefix.clone());
        clients.push(limited_client(&sandbox, Arc::new(state.rate_limiter(R, 1))));
    }
    let done: Arc<Mutex<Vec<tokio::time::Instant>>> = Arc::default();
    let mut tasks = Vec::new();
    for (c, client) in clients.into_iter().enumerate() {
        // Eight sends in flight per client, so the limiter, not the round trip, sets the pace.
        for lane in 0..8 {
            let (client, done) = (client.clone(), done.clone());
            tasks.push(tokio::spawn(async move {
                let mut failed = Vec::new();
                for i in (lane..PER_CLIENT).step_by(8) {
                    let to: waba_types::PhoneNumber = format!("+1631556{c}{i:03}").parse().unwrap();
                    match client.send_text(to, "sale today").await {
                        Ok(_) => done.lock().unwrap().push(tokio::time::Instant::now()),
                        Err(e) => failed.push(e.to_string()),
                    }
                }
                failed
            }));
        }
    }
    let mut failed = Vec::new();
    for t in tasks {
        failed.extend(t.await.unwrap());
    }
    assert!(failed.is_empty(), "failed sends: {failed:?}");
    let mut done = done.lock().unwrap().clone();
    done.sort();
    assert_eq!(done.len(), 3 * PER_CLIENT);
    // The first message opens the interval; the rest follow at the shared rate.
    let span = (done[done.len() - 1] - done[0]).as_secs_f64();
    let rate = (done.len() - 1) as f64 / span;
    let off = (rate - f64::from(R)).abs() / f64::from(R);
    assert!(
        off <= 0.02,
        "aggregate {rate:.1}/s against {R}/s ({:.1}% off)",
        off * 100.0
    );
    assert_eq!(
        sandbox
            .messages()
            .iter()
            .filter(|m| m.direction == "outbound")
            .count(),
        3 * PER_CLIENT
    );
}

/// With Redis gone, a rate-limited send fails with a retryable error before anything is
/// sent (never unthrottled), and goes through once Redis is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_without_its_rate_limit_store_fails_retryable_and_sends_nothing() {
    use waba_core::ProviderExt;
    let mut server = LocalRedis::start().await.unwrap_or_else(|e| panic!("{e}"));
    let state = RedisState::connect(&server.url()).await.unwrap();
    let sandbox = waba_sandbox::Sandbox::builder()
        .lifecycle(None)
        .enforce_window(false)
        .start()
        .await
        .unwrap();
    let client = limited_client(&sandbox, Arc::new(state.rate_limiter(50, 50)));
    let to: waba_types::PhoneNumber = "+16315557010".parse().unwrap();
    client.send_text(to.clone(), "one").await.unwrap();
    server.stop().await;
    let before = sandbox.messages().len();
    let e = client.send_text(to.clone(), "two").await.unwrap_err();
    assert!(e.is_retryable() && !e.maybe_delivered(), "{e}");
    assert!(e.to_string().contains("rate limit unavailable"), "{e}");
    assert_eq!(sandbox.messages().len(), before, "nothing sent unthrottled");
    server.restart().await.unwrap();
    let mut sent = false;
    for _ in 0..100 {
        if client.send_text(to.clone(), "three").await.is_ok() {
            sent = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(sent, "sends again once Redis is back");
}

/// A provider throttle seen by one sender lowers the rate every sender of that number uses.
#[tokio::test]
async fn a_throttle_lowers_the_shared_rate() {
    use waba_core::RateLimitStore;
    let prefix = a_prefix(&state().await);
    let a = state()
        .await
        .with_prefix(prefix.clone())
        .rate_limiter(100, 1);
    let b = state().await.with_prefix(prefix).rate_limiter(100, 1);
    let permit = a.acquire_n("n1", 1).await.unwrap();
    a.on_throttled(&permit, Some(Duration::from_millis(200)))
        .await;
    // A throttle of the same generation seen again does not lower it twice.
    a.on_throttled(&permit, None).await;
    let started = tokio::time::Instant::now();
    let later = b.acquire_n("n1", 1).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(180),
        "Retry-After held b too"
    );
    assert_eq!(later.generation(), 1);
}
