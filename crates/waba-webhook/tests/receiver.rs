//! The axum receiver end to end, over a real socket with a real HTTP client.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use waba_types::Event;
use waba_webhook::receiver::{DEFAULT_QUEUE, Events, Receiver};
use waba_webhook::{CloudDecoder, HubSignature};

const SECRET: &str = "app-secret";

fn body(id: &str) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}},"messages":[{{"from":"16315551234","id":"{id}","timestamp":"1750000000","type":"text","text":{{"body":"hi"}}}}]}}}}]}}]}}"#
    )
}

/// One body carrying `n` text messages, from `customers` customers in turn.
fn batch(prefix: &str, n: usize, customers: usize) -> String {
    batch_from(prefix, 0, n, customers)
}

/// As [`batch`], numbering the messages from `start`.
fn batch_from(prefix: &str, start: usize, n: usize, customers: usize) -> String {
    let messages: Vec<String> = (start..start + n)
        .map(|i| {
            format!(
                r#"{{"from":"1631555{:04}","id":"{prefix}.{i}","timestamp":"1750000000","type":"text","text":{{"body":"{i}"}}}}"#,
                i % customers
            )
        })
        .collect();
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}},"messages":[{}]}}}}]}}]}}"#,
        messages.join(",")
    )
}

async fn start(queue: usize) -> (String, Events) {
    let builder = Receiver::builder(CloudDecoder, HubSignature::new(SECRET).unwrap())
        .verify_token("verify-me")
        .queue_capacity(queue)
        .queue_wait(Duration::from_millis(200))
        .body_limit(64 * 1024);
    serve(builder).await
}

async fn serve(builder: waba_webhook::receiver::ReceiverBuilder) -> (String, Events) {
    let (router, events) = builder.build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, events)
}

async fn post(url: &str, body: &str, signed: bool) -> reqwest::Response {
    let mut r = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned());
    if signed {
        r = r.header(
            "x-hub-signature-256",
            HubSignature::new(SECRET).unwrap().sign(body.as_bytes()),
        );
    }
    r.send().await.unwrap()
}

async fn next(events: &mut Events) -> Event {
    tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .unwrap()
        .unwrap()
        .event
}

/// Whether the queue is empty now (polls once, without waiting).
fn none_pending(events: &mut Events) -> bool {
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let fut = std::pin::pin!(events.recv());
    matches!(fut.poll(&mut cx), std::task::Poll::Pending)
}

#[tokio::test]
async fn handshake_answers_the_challenge_byte_for_byte() {
    let (url, _events) = start(8).await;
    let ok = reqwest::get(format!(
        "{url}/?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444"
    ))
    .await
    .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    let wrong = reqwest::get(format!(
        "{url}/?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1"
    ))
    .await
    .unwrap();
    assert_eq!(wrong.status(), 403);
    let not_subscribe = reqwest::get(format!(
        "{url}/?hub.mode=unsubscribe&hub.verify_token=verify-me&hub.challenge=1"
    ))
    .await
    .unwrap();
    assert_eq!(not_subscribe.status(), 403);
}

#[tokio::test]
async fn a_signed_post_is_acknowledged_and_delivered() {
    let (url, mut events) = start(8).await;
    let r = post(&url, &body("wamid.A"), true).await;
    assert_eq!(r.status(), 200);
    let Event::Message(m) = next(&mut events).await else {
        panic!("not a message")
    };
    assert_eq!(m.id.as_str(), "wamid.A");
}

#[tokio::test]
async fn unsigned_and_badly_signed_posts_are_rejected() {
    let (url, mut events) = start(8).await;
    assert_eq!(post(&url, &body("wamid.B"), false).await.status(), 401);
    let forged = reqwest::Client::new()
        .post(&url)
        .header(
            "x-hub-signature-256",
            HubSignature::new("wrong")
                .unwrap()
                .sign(body("wamid.B").as_bytes()),
        )
        .body(body("wamid.B"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(none_pending(&mut events), "nothing was queued");
}

#[tokio::test]
async fn a_full_queue_answers_503_and_loses_nothing() {
    let (url, mut events) = start(1).await;
    assert_eq!(post(&url, &body("wamid.1"), true).await.status(), 200);
    let full = post(&url, &body("wamid.2"), true).await;
    assert_eq!(full.status(), 503);
    assert_eq!(full.headers()["retry-after"], "1");
    // The application catches up; the provider's retry then goes through.
    assert_eq!(
        next(&mut events).await.message_id().unwrap().as_str(),
        "wamid.1"
    );
    assert_eq!(post(&url, &body("wamid.2"), true).await.status(), 200);
    assert_eq!(
        next(&mut events).await.message_id().unwrap().as_str(),
        "wamid.2"
    );
}

#[tokio::test]
async fn duplicates_are_delivered_once() {
    let (url, mut events) = start(8).await;
    for _ in 0..3 {
        assert_eq!(post(&url, &body("wamid.DUP"), true).await.status(), 200);
    }
    assert_eq!(
        next(&mut events).await.message_id().unwrap().as_str(),
        "wamid.DUP"
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(none_pending(&mut events), "a duplicate got through");
}

#[tokio::test]
async fn oversized_and_undecodable_bodies_are_refused() {
    let (url, _events) = start(8).await;
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(100 * 1024));
    assert_eq!(post(&url, &big, true).await.status(), 413);
    assert_eq!(post(&url, "not json", true).await.status(), 400);
}

#[tokio::test]
async fn a_body_larger_than_the_queue_is_queued_in_parts_as_room_frees() {
    let (router_url, mut events) = serve(
        Receiver::builder(CloudDecoder, HubSignature::new(SECRET).unwrap()).body_limit(1024 * 1024),
    )
    .await;
    let body = batch("wamid.big", DEFAULT_QUEUE + 1, 50);
    let reader = tokio::spawn(async move {
        let mut ids = Vec::new();
        while ids.len() < DEFAULT_QUEUE + 1 {
            let r = tokio::time::timeout(Duration::from_secs(10), events.recv())
                .await
                .expect("all events arrive")
                .expect("the router lives");
            ids.push(r.event.message_id().unwrap().as_str().to_owned());
        }
        ids
    });
    let r = post(&router_url, &body, true).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let ids = reader.await.unwrap();
    let expected: Vec<String> = (0..=DEFAULT_QUEUE)
        .map(|i| format!("wamid.big.{i}"))
        .collect();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn a_body_that_finds_no_room_in_time_is_retried_for_the_rest_only() {
    let (url, mut events) = start(4).await;
    let r = post(&url, &batch("wamid.part", 6, 3), true).await;
    assert_eq!(r.status(), 503);
    // Four were queued; the provider's retry brings the other two, and nothing twice.
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(
            next(&mut events)
                .await
                .message_id()
                .unwrap()
                .as_str()
                .to_owned(),
        );
    }
    assert_eq!(
        post(&url, &batch("wamid.part", 6, 3), true).await.status(),
        200
    );
    for _ in 0..2 {
        ids.push(
            next(&mut events)
                .await
                .message_id()
                .unwrap()
                .as_str()
                .to_owned(),
        );
    }
    let expected: Vec<String> = (0..6).map(|i| format!("wamid.part.{i}")).collect();
    assert_eq!(ids, expected);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(none_pending(&mut events));
}

#[tokio::test]
async fn a_dropped_handler_side_answers_500_not_queue_full() {
    let (url, events) = start(8).await;
    drop(events);
    let r = post(&url, &body("wamid.GONE"), true).await;
    assert_eq!(r.status(), 500);
    assert!(r.text().await.unwrap().contains("no handler"));
}

/// Issue: handlers ran one at a time, so one slow handler backed the queue up into 503s.
/// 64 handlers that each sleep 50 ms take 2,000 events from 200 customers without a 503,
/// never run two events of one customer at once, and keep each customer's order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_handlers_run_concurrently_in_customer_order_without_503() {
    let (url, events) = serve(
        Receiver::builder(CloudDecoder, HubSignature::new(SECRET).unwrap()).body_limit(1024 * 1024),
    )
    .await;
    let seen: Arc<Mutex<HashMap<String, Vec<u64>>>> = Arc::default();
    let busy: Arc<Mutex<HashMap<String, bool>>> = Arc::default();
    let (running, peak, done) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let task = {
        let (seen, busy, running, peak, done) = (
            seen.clone(),
            busy.clone(),
            running.clone(),
            peak.clone(),
            done.clone(),
        );
        events.spawn_concurrent(64, move |r| {
            let (seen, busy, running, peak, done) = (
                seen.clone(),
                busy.clone(),
                running.clone(),
                peak.clone(),
                done.clone(),
            );
            async move {
                let Event::Message(m) = r.event else { return };
                let customer = m.from.as_str().to_owned();
                assert!(
                    !busy
                        .lock()
                        .unwrap()
                        .insert(customer.clone(), true)
                        .unwrap_or(false),
                    "two events of {customer} at once"
                );
                peak.fetch_max(running.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                running.fetch_sub(1, Ordering::SeqCst);
                let n: u64 = m.id.as_str().rsplit('.').next().unwrap().parse().unwrap();
                seen.lock()
                    .unwrap()
                    .entry(customer.clone())
                    .or_default()
                    .push(n);
                busy.lock().unwrap().insert(customer, false);
                done.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    let client = reqwest::Client::new();
    for b in 0..20 {
        let body = batch_from("wamid.c", b * 100, 100, 200);
        let r = client
            .post(&url)
            .header(
                "x-hub-signature-256",
                HubSignature::new(SECRET).unwrap().sign(body.as_bytes()),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "body {b}");
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while done.load(Ordering::SeqCst) < 2_000 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} handled",
            done.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let peak = peak.load(Ordering::SeqCst);
    assert!(peak > 1 && peak <= 64, "peak concurrency {peak}");
    for (customer, ns) in seen.lock().unwrap().iter() {
        assert!(ns.is_sorted(), "{customer} out of order: {ns:?}");
    }
    assert_eq!(
        seen.lock().unwrap().values().map(Vec::len).sum::<usize>(),
        2_000
    );
    task.abort();
}

/// The handler gets each event's exact JSON from the body beside the typed form.
#[tokio::test]
async fn handlers_get_each_events_raw_json_beside_the_typed_form() {
    let (url, mut events) = start(8).await;
    let body = body("wamid.RAW");
    assert_eq!(post(&url, &body, true).await.status(), 200);
    let received = tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .unwrap()
        .unwrap();
    let raw: serde_json::Value = serde_json::from_str(received.raw.get()).unwrap();
    let Event::Message(m) = &received.event else {
        panic!("{:?}", received.event)
    };
    assert_eq!(raw["id"], m.id.as_str());
    assert_eq!(raw["type"], "text");
    assert!(body.contains(received.raw.get()), "a slice of the body");
}

/// In a batch, each handler gets its own event's slice of the body, in body order.
#[tokio::test]
async fn each_event_of_a_batch_gets_its_own_slice_of_the_body() {
    let (url, mut events) = start(64).await;
    let body = batch_from("wamid.SLICE", 0, 40, 7);
    assert_eq!(post(&url, &body, true).await.status(), 200);
    for i in 0..40 {
        let received = tokio::time::timeout(Duration::from_secs(5), events.recv())
            .await
            .unwrap()
            .unwrap();
        let Event::Message(m) = &received.event else {
            panic!("{:?}", received.event)
        };
        assert_eq!(m.id.as_str(), format!("wamid.SLICE.{i}"));
        let want = format!(
            r#"{{"from":"1631555{:04}","id":"wamid.SLICE.{i}","timestamp":"1750000000","type":"text","text":{{"body":"{i}"}}}}"#,
            i % 7
        );
        assert_eq!(received.raw.get(), want);
        assert!(body.contains(&want));
    }
}
