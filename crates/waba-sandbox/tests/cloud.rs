//! The Cloud emulation's rules, faults, lifecycle and control API, over real HTTP.

use std::fmt::Write as _;
use std::time::Duration;

use sha2::Digest as _;

use serde_json::{Value, json};
use waba_sandbox::{FaultBody, Faults, Sandbox, SandboxHandle};
use waba_types::PhoneNumber;

const CUSTOMER: &str = "+16315551002";

fn customer() -> PhoneNumber {
    CUSTOMER.parse().unwrap()
}

async fn send(s: &SandboxHandle, token: &str, body: &Value) -> (u16, Value) {
    let url = format!(
        "{}/v25.0/{}/messages",
        s.url("cloud"),
        s.cloud().phone_number_id
    );
    let r = reqwest::Client::new()
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn text(body: &str) -> Value {
    json!({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "text", "text": {"body": body}})
}

fn code(v: &Value) -> i64 {
    v["error"]["code"].as_i64().unwrap_or(-1)
}

async fn open_window(s: &SandboxHandle) {
    s.inject_inbound("cloud", &customer(), "hi").await.unwrap();
}

#[tokio::test]
async fn rules_answer_with_cloud_codes() {
    let s = Sandbox::builder().lifecycle(None).start().await.unwrap();
    let token = s.cloud().access_token.clone();

    let (status, v) = send(&s, "wrong", &text("hi")).await;
    assert_eq!((status, code(&v)), (401, 190));

    let (status, v) = send(&s, &token, &text("hi")).await;
    assert_eq!((status, code(&v)), (400, 131_047), "no window yet: {v}");

    let template = json!({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "template",
        "template": {"name": "nope", "language": {"code": "en_US"}}});
    let (status, v) = send(&s, &token, &template).await;
    assert_eq!((status, code(&v)), (404, 132_001));

    let known = json!({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "template",
        "template": {"name": "hello_world", "language": {"code": "en_US"}}});
    let (status, v) = send(&s, &token, &known).await;
    assert_eq!(status, 200, "templates need no window: {v}");
    assert!(
        v["messages"][0]["id"]
            .as_str()
            .unwrap()
            .starts_with("wamid.")
    );

    open_window(&s).await;
    let (status, _) = send(&s, &token, &text("now it works")).await;
    assert_eq!(status, 200);

    let (status, v) = send(&s, &token, &text(&"x".repeat(4097))).await;
    assert_eq!((status, code(&v)), (400, 100));
    assert!(
        v["error"]["error_data"]["details"]
            .as_str()
            .unwrap()
            .contains("4096")
    );

    s.set_on_whatsapp(&customer(), false);
    let (status, v) = send(&s, &token, &text("hi")).await;
    assert_eq!((status, code(&v)), (400, 131_026));
    s.set_on_whatsapp(&customer(), true);

    let url = format!(
        "{}/v25.0/{}/messages",
        s.url("cloud"),
        s.cloud().phone_number_id
    );
    let r = reqwest::Client::new()
        .post(url)
        .bearer_auth(&token)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(code(&r.json().await.unwrap()), 100);

    // Two messages were accepted and stored, nothing else.
    let stored = s.messages_of("cloud");
    assert_eq!(
        stored.iter().filter(|m| m.direction == "outbound").count(),
        2
    );
}

#[tokio::test]
async fn throughput_is_limited_per_number() {
    let s = Sandbox::builder()
        .lifecycle(None)
        .enforce_window(false)
        .rate_limit(Some(5))
        .start()
        .await
        .unwrap();
    let token = s.cloud().access_token.clone();
    let mut codes = Vec::new();
    for _ in 0..6 {
        let (status, v) = send(&s, &token, &text("hi")).await;
        codes.push((status, if status == 200 { 0 } else { code(&v) }));
    }
    assert_eq!(codes[..5], [(200, 0); 5]);
    assert_eq!(codes[5], (429, 130_429));
}

#[tokio::test]
async fn injected_faults() {
    let s = Sandbox::builder()
        .lifecycle(None)
        .enforce_window(false)
        .start()
        .await
        .unwrap();
    let token = s.cloud().access_token.clone();
    s.set_faults(Faults {
        fail_next: 1,
        error_status: 503,
        throttle_next: 1,
        retry_after_secs: 4,
        reset_next: 1,
        ..Faults::default()
    });
    let url = format!(
        "{}/v25.0/{}/messages",
        s.url("cloud"),
        s.cloud().phone_number_id
    );
    let client = reqwest::Client::new();
    let reset = client
        .post(&url)
        .bearer_auth(&token)
        .json(&text("a"))
        .send()
        .await;
    assert!(reset.is_err(), "the connection is closed without an answer");
    let r = client
        .post(&url)
        .bearer_auth(&token)
        .json(&text("b"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    let r = client
        .post(&url)
        .bearer_auth(&token)
        .json(&text("c"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "4");
    let r = client
        .post(&url)
        .bearer_auth(&token)
        .json(&text("d"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Only the last one was acted on; the reset one was read but dropped.
    assert_eq!(s.messages_of("cloud").len(), 1);
}

#[tokio::test]
async fn lifecycle_sends_signed_status_webhooks() {
    use waba_webhook::receiver::Receiver;
    use waba_webhook::{CloudDecoder, HubSignature};
    let (router, mut events) = Receiver::builder(
        CloudDecoder,
        HubSignature::new("sandbox-app-secret").unwrap(),
    )
    .build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let s = Sandbox::builder()
        .webhook("cloud", &hook)
        .start()
        .await
        .unwrap();
    let token = s.cloud().access_token.clone();
    open_window(&s).await;
    let (status, v) = send(&s, &token, &text("track me")).await;
    assert_eq!(status, 200);
    let id = v["messages"][0]["id"].as_str().unwrap().to_owned();
    let mut seen = Vec::new();
    while seen.len() < 4 {
        let e = tokio::time::timeout(Duration::from_secs(5), events.recv())
            .await
            .unwrap()
            .unwrap();
        match e.event {
            waba_types::Event::Message(m) => seen.push(format!(
                "inbound:{}",
                m.content == waba_types::InboundContent::Text { body: "hi".into() }
            )),
            waba_types::Event::Status(st) => {
                assert_eq!(st.message_id.as_str(), id);
                seen.push(st.status.to_string());
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(seen, ["inbound:true", "sent", "delivered", "read"]);
    assert_eq!(s.message(&id).unwrap().status, "read");
}

#[tokio::test]
async fn control_api_over_http() {
    let s = Sandbox::builder().lifecycle(None).start().await.unwrap();
    let c = reqwest::Client::new();
    let info: Value = c
        .get(format!("{}/_sandbox/info", s.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        info["providers"]["cloud"]["access_token"],
        "sandbox-cloud-token"
    );
    let m: Value = c
        .post(format!("{}/_sandbox/inbound", s.base_url()))
        .json(&json!({"provider": "cloud", "from": CUSTOMER, "text": "hello"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = m["id"].as_str().unwrap();
    let got: Value = c
        .get(format!("{}/_sandbox/messages/{id}", s.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["direction"], "inbound");
    let r = c
        .put(format!("{}/_sandbox/faults", s.base_url()))
        .json(&json!({"error_rate": 1.0, "error_status": 503}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!((s.faults().error_rate - 1.0).abs() < f64::EPSILON);
    let r = c
        .post(format!("{}/_sandbox/templates", s.base_url()))
        .json(&json!({"name": "shipping", "language": "de"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .post(format!("{}/_sandbox/inbound", s.base_url()))
        .json(&json!({"provider": "nope", "from": CUSTOMER, "text": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

fn outbound(s: &SandboxHandle) -> usize {
    s.messages_of("cloud")
        .iter()
        .filter(|m| m.direction == "outbound")
        .count()
}

#[tokio::test]
async fn faults_after_handling_store_the_message_then_fail() {
    let s = Sandbox::builder().lifecycle(None).start().await.unwrap();
    let token = s.cloud().access_token.clone();
    open_window(&s).await;

    // 504 with Meta's code 2, after the message was stored.
    s.set_faults(Faults {
        fail_next: 1,
        error_status: 504,
        after_handling: true,
        ..Faults::default()
    });
    let (status, v) = send(&s, &token, &text("stored, then 504")).await;
    assert_eq!((status, code(&v)), (504, 2), "{v}");
    assert_eq!(outbound(&s), 1, "acted on before failing");

    // The same fault before handling stores nothing.
    s.set_faults(Faults {
        fail_next: 1,
        error_status: 504,
        ..Faults::default()
    });
    let (status, _) = send(&s, &token, &text("refused")).await;
    assert_eq!(status, 504);
    assert_eq!(outbound(&s), 1);

    // A bare 504 and a 200 that is not JSON, both after storing.
    s.set_faults(Faults {
        fail_next: 1,
        error_status: 504,
        after_handling: true,
        error_body: FaultBody::Empty,
        ..Faults::default()
    });
    let (status, v) = send(&s, &token, &text("stored, then a bare 504")).await;
    assert_eq!((status, v), (504, Value::Null));
    s.set_faults(Faults {
        fail_next: 1,
        error_status: 200,
        after_handling: true,
        error_body: FaultBody::Garbage,
        ..Faults::default()
    });
    let (status, v) = send(&s, &token, &text("stored, then HTML")).await;
    assert_eq!((status, v), (200, Value::Null));
    assert_eq!(outbound(&s), 3);

    // A reset after storing: no answer at all.
    s.set_faults(Faults {
        reset_next: 1,
        after_handling: true,
        ..Faults::default()
    });
    let url = format!(
        "{}/v25.0/{}/messages",
        s.url("cloud"),
        s.cloud().phone_number_id
    );
    let r = reqwest::Client::new()
        .post(&url)
        .bearer_auth(&token)
        .json(&text("stored, then reset"))
        .send()
        .await;
    assert!(r.is_err(), "the connection was closed without an answer");
    assert_eq!(outbound(&s), 4);

    // An answer after the client's timeout: the client gives up, the message is stored.
    s.set_faults(Faults {
        delay_ms: 600,
        after_handling: true,
        ..Faults::default()
    });
    let r = reqwest::Client::new()
        .post(&url)
        .bearer_auth(&token)
        .timeout(Duration::from_millis(200))
        .json(&text("stored, answered too late"))
        .send()
        .await;
    assert!(r.is_err_and(|e| e.is_timeout()));
    assert_eq!(outbound(&s), 5);
    s.set_faults(Faults::default());

    // A 401 once, then the token works again; every API request is counted.
    s.set_faults(Faults {
        unauthorized_next: 1,
        ..Faults::default()
    });
    let (status, v) = send(&s, &token, &text("401")).await;
    assert_eq!((status, code(&v)), (401, 190));
    let (status, _) = send(&s, &token, &text("fine")).await;
    assert_eq!(status, 200);
    assert_eq!(s.requests_of("cloud"), 8);
}

#[tokio::test]
async fn template_parameters_are_checked_as_meta_does() {
    let s = Sandbox::builder().lifecycle(None).start().await.unwrap();
    let token = s.cloud().access_token.clone();
    let template = |params: &[&str]| {
        let parameters: Vec<Value> = params
            .iter()
            .map(|p| json!({"type": "text", "text": p}))
            .collect();
        json!({"messaging_product": "whatsapp", "to": CUSTOMER, "type": "template",
            "template": {"name": "order_update", "language": {"code": "en_US"},
                "components": [{"type": "body", "parameters": parameters}]}})
    };
    for bad in ["a\nb", "a\tb", "a     b"] {
        let (status, v) = send(&s, &token, &template(&[bad])).await;
        assert_eq!((status, code(&v)), (400, 132_018), "{bad:?}: {v}");
    }
    // order_update takes one body parameter.
    let (status, v) = send(&s, &token, &template(&["A-1", "extra"])).await;
    assert_eq!((status, code(&v)), (400, 132_000), "{v}");
    let (status, v) = send(&s, &token, &template(&[])).await;
    assert_eq!((status, code(&v)), (400, 132_000), "{v}");
    let (status, v) = send(&s, &token, &template(&["A-1    ok"])).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(outbound(&s), 1);
}

#[tokio::test]
async fn media_url_answer_carries_every_documented_field() {
    let s = Sandbox::builder().lifecycle(None).start().await.unwrap();
    let token = s.cloud().access_token.clone();
    let http = reqwest::Client::new();
    let data = b"\x89PNG\r\n\x1a\n sandbox image bytes";
    let mut body = Vec::new();
    body.extend_from_slice(b"--b0undary\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n");
    body.extend_from_slice(b"--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n");
    body.extend_from_slice(data);
    body.extend_from_slice(b"\r\n--b0undary--\r\n");
    let up: Value = http
        .post(format!(
            "{}/v25.0/{}/media",
            s.url("cloud"),
            s.cloud().phone_number_id
        ))
        .bearer_auth(&token)
        .header("content-type", "multipart/form-data; boundary=b0undary")
        .body(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = up["id"].as_str().expect("an id").to_owned();
    let got: Value = http
        .get(format!("{}/v25.0/{id}", s.url("cloud")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Meta's GET /{media-id}: messaging_product, url, mime_type, sha256, file_size, id.
    for field in [
        "messaging_product",
        "url",
        "mime_type",
        "sha256",
        "file_size",
        "id",
    ] {
        assert!(!got[field].is_null(), "no {field}: {got}");
    }
    assert_eq!(got["file_size"], data.len());
    assert_eq!(got["mime_type"], "image/png");
    // SHA-256 of the stored bytes, in lower-case hex.
    let want = sha2::Sha256::digest(data)
        .iter()
        .fold(String::new(), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        });
    assert_eq!(got["sha256"], want.as_str());
}
