//! The axum receiver end to end, over a real socket with a real HTTP client.

use std::time::Duration;

use waba_types::Event;
use waba_webhook::receiver::{Events, Receiver};
use waba_webhook::{CloudDecoder, HubSignature};

const SECRET: &str = "app-secret";

fn body(id: &str) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"messages","value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}},"messages":[{{"from":"16315551234","id":"{id}","timestamp":"1750000000","type":"text","text":{{"body":"hi"}}}}]}}}}]}}]}}"#
    )
}

async fn start(queue: usize) -> (String, Events) {
    let (router, events) = Receiver::builder(CloudDecoder, HubSignature::new(SECRET).unwrap())
        .verify_token("verify-me")
        .queue_capacity(queue)
        .body_limit(64 * 1024)
        .build();
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
