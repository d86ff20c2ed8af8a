//! Against a real token server on 127.0.0.1: single-flight refresh, recovery after a failed
//! refresh, and exactly one refresh and resend after a 401.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use bytes::Bytes;
use waba_auth::*;
use waba_core::{
    Error, ErrorKind, Executor, HttpTransport, ProviderId, SharedTransport, classify_status,
};
use waba_transport_reqwest::ReqwestTransport;

#[derive(Default)]
struct Server {
    token_calls: AtomicU64,
    api_calls: AtomicU64,
    fail_token_calls: AtomicU64,
    /// Tokens up to this number are refused with 401.
    revoked_through: AtomicU64,
    refuse_all: AtomicBool,
    /// The lifetime of issued tokens, seconds.
    lifetime: AtomicU64,
}

async fn issue(State(s): State<Arc<Server>>) -> (StatusCode, String) {
    let n = s.token_calls.fetch_add(1, Ordering::SeqCst) + 1;
    // Give concurrent callers time to pile up behind the refresh.
    tokio::time::sleep(Duration::from_millis(20)).await;
    if s.fail_token_calls.load(Ordering::SeqCst) > 0 {
        s.fail_token_calls.fetch_sub(1, Ordering::SeqCst);
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            r#"{"message":"try later"}"#.into(),
        );
    }
    let lifetime = s.lifetime.load(Ordering::SeqCst);
    (
        StatusCode::OK,
        format!(r#"{{"token":"tok-{n}","expires_in":{lifetime}}}"#),
    )
}

async fn api(State(s): State<Arc<Server>>, headers: HeaderMap) -> StatusCode {
    s.api_calls.fetch_add(1, Ordering::SeqCst);
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let n: u64 = auth
        .strip_prefix("Bearer tok-")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    if n == 0
        || s.refuse_all.load(Ordering::SeqCst)
        || n <= s.revoked_through.load(Ordering::SeqCst)
    {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    }
}

async fn start() -> (String, Arc<Server>) {
    let state = Arc::new(Server::default());
    let app = Router::new()
        .route("/token", post(issue))
        .route("/api", post(api))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, state)
}

/// A token source that calls the server's token endpoint, as an adapter's would.
#[derive(Debug)]
struct HttpTokens {
    url: String,
    transport: ReqwestTransport,
}

#[async_trait::async_trait]
impl TokenSource for HttpTokens {
    async fn fetch(&self) -> Result<Token, Error> {
        let request = http::Request::post(&self.url).body(Bytes::new()).unwrap();
        let response = self.transport.send(request).await?;
        if !response.status().is_success() {
            return Err(classify_status(response.status(), response.headers()));
        }
        let body: serde_json::Value =
            serde_json::from_slice(response.body()).map_err(|e| Error::decode(e.to_string()))?;
        let token = body["token"]
            .as_str()
            .ok_or_else(|| Error::decode("no token"))?;
        Ok(Token::new(
            SecretString::from(token.to_owned()),
            Duration::from_secs(body["expires_in"].as_u64().unwrap_or(0)),
        ))
    }
}

fn setup(base: &str) -> (Executor, Arc<RefreshingToken<HttpTokens>>) {
    let transport = ReqwestTransport::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    let tokens = Arc::new(RefreshingToken::new(HttpTokens {
        url: format!("{base}/token"),
        transport: transport.clone(),
    }));
    let executor = Executor::new(ProviderId::new("test"), SharedTransport::new(transport))
        .with_auth(Auth::refreshing_bearer(tokens.clone()).shared());
    (executor, tokens)
}

fn api_request(base: &str) -> http::Request<Bytes> {
    http::Request::post(format!("{base}/api"))
        .body(Bytes::from_static(b"{}"))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_requests_with_an_expired_token_make_one_token_call() {
    let (base, server) = start().await;
    let (executor, tokens) = setup(&base);
    // Tokens are issued with lifetime 0: the first one is already expired at its next use.
    tokens.token().await.unwrap();
    assert_eq!(server.token_calls.load(Ordering::SeqCst), 1);
    let executor = Arc::new(executor);
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let e = executor.clone();
            let base = base.clone();
            tokio::spawn(async move { e.execute(api_request(&base)).await.unwrap().status() })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    assert_eq!(
        server.token_calls.load(Ordering::SeqCst),
        2,
        "exactly one refresh for all 1000"
    );
    assert_eq!(server.api_calls.load(Ordering::SeqCst), 1000);
}

#[tokio::test]
async fn a_token_source_that_fails_once_recovers_on_the_next_request() {
    let (base, server) = start().await;
    let (executor, _) = setup(&base);
    server.fail_token_calls.store(1, Ordering::SeqCst);
    let err = executor.execute(api_request(&base)).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Auth);
    assert_eq!(
        server.api_calls.load(Ordering::SeqCst),
        0,
        "nothing sent without a credential"
    );
    assert_eq!(
        executor.execute(api_request(&base)).await.unwrap().status(),
        200
    );
    assert_eq!(server.token_calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_401_triggers_exactly_one_refresh_and_one_retry() {
    let (base, server) = start().await;
    server.lifetime.store(3600, Ordering::SeqCst);
    let (executor, tokens) = setup(&base);
    tokens.token().await.unwrap();
    // The server revokes tok-1 although it has not expired (a logout elsewhere).
    server.revoked_through.store(1, Ordering::SeqCst);
    let response = executor.execute(api_request(&base)).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(server.token_calls.load(Ordering::SeqCst), 2, "one refresh");
    assert_eq!(
        server.api_calls.load(Ordering::SeqCst),
        2,
        "the refused request and one retry"
    );
    // The new token is kept: the next request needs no refresh.
    assert_eq!(
        executor.execute(api_request(&base)).await.unwrap().status(),
        200
    );
    assert_eq!(server.token_calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_second_401_surfaces_as_an_auth_error_without_a_loop() {
    let (base, server) = start().await;
    let (executor, _) = setup(&base);
    server.refuse_all.store(true, Ordering::SeqCst);
    let response = executor.execute(api_request(&base)).await.unwrap();
    assert_eq!(response.status(), 401);
    // What every codec does with a 401 it has no better words for.
    let err = classify_status(response.status(), response.headers());
    assert_eq!(err.kind(), &ErrorKind::Auth);
    assert_eq!(
        server.api_calls.load(Ordering::SeqCst),
        2,
        "the request and one retry"
    );
    assert_eq!(
        server.token_calls.load(Ordering::SeqCst),
        2,
        "the first token and one refresh"
    );
}
