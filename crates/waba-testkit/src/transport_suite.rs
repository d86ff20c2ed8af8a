//! The checks every [`HttpTransport`] passes, run by each transport crate's tests against
//! a [`StubServer`]. Each function panics with a message on failure.
//!
//! ```no_run
//! # async fn f(transport: waba_core::SharedTransport, short_timeout: waba_core::SharedTransport) {
//! waba_testkit::transport_suite::run_all(&transport, &short_timeout).await;
//! # }
//! ```

use bytes::Bytes;
use waba_core::{Error, HttpTransport, TransportErrorKind};

use crate::StubServer;

/// Runs every check. `short_timeout` must be the same transport configured with a request
/// timeout under one second.
pub async fn run_all(transport: &dyn HttpTransport, short_timeout: &dyn HttpTransport) {
    let server = StubServer::start().await.expect("the stub server starts");
    round_trip(transport, &server).await;
    error_statuses_are_responses(transport, &server).await;
    large_bodies_arrive_whole(transport, &server).await;
    connections_are_reused(transport).await;
    reset_after_sending_may_have_been_delivered(transport, &server).await;
    timeout_may_have_been_delivered(short_timeout, &server).await;
    refused_connection_was_not_sent(transport).await;
}

fn post(url: &str, body: &'static [u8]) -> http::Request<Bytes> {
    http::Request::post(url)
        .header("content-type", "application/json")
        .header("x-test", "yes")
        .body(Bytes::from_static(body))
        .expect("a valid request")
}

/// Method, path, query, headers and body arrive, and status, headers and body come back.
pub async fn round_trip(t: &dyn HttpTransport, server: &StubServer) {
    let response = t
        .send(post(&server.url("/echo?x=1"), br#"{"hello":"world"}"#))
        .await
        .expect("echo answers");
    assert_eq!(response.status(), 200);
    let h = response.headers();
    assert_eq!(h["x-echo-method"], "POST");
    assert_eq!(h["x-echo-path"], "/echo?x=1");
    assert_eq!(h["x-echo-test"], "yes");
    assert_eq!(response.body().as_ref(), br#"{"hello":"world"}"#);
}

/// An HTTP error status is a response with its headers, never a transport error.
pub async fn error_statuses_are_responses(t: &dyn HttpTransport, server: &StubServer) {
    for code in [400u16, 401, 429, 500, 503] {
        let response = t
            .send(post(&server.url(&format!("/status/{code}")), b"{}"))
            .await
            .expect("a response");
        assert_eq!(response.status(), code);
        assert_eq!(response.headers()["retry-after"], "7");
        assert_eq!(response.body().as_ref(), br#"{"error":"scripted"}"#);
    }
}

/// A 1 MiB body goes and comes back intact.
pub async fn large_bodies_arrive_whole(t: &dyn HttpTransport, server: &StubServer) {
    let body: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
    let request = http::Request::post(server.url("/echo"))
        .body(Bytes::from(body.clone()))
        .expect("valid");
    let response = t.send(request).await.expect("echo answers");
    assert_eq!(response.headers()["x-echo-length"], "1048576");
    assert!(
        response.body().as_ref() == body.as_slice(),
        "the body came back changed"
    );
}

/// Sequential requests share one pooled connection.
pub async fn connections_are_reused(t: &dyn HttpTransport) {
    let server = StubServer::start().await.expect("the stub server starts");
    for _ in 0..20 {
        let r = t
            .send(post(&server.url("/echo"), b"{}"))
            .await
            .expect("echo answers");
        assert_eq!(r.status(), 200);
    }
    assert_eq!(
        server.connections(),
        1,
        "20 sequential requests should share one connection"
    );
}

/// A connection closed after the request was written is `Interrupted`: it may have been
/// acted on.
pub async fn reset_after_sending_may_have_been_delivered(
    t: &dyn HttpTransport,
    server: &StubServer,
) {
    let err = t
        .send(post(&server.url("/reset"), b"{}"))
        .await
        .expect_err("no answer");
    assert_eq!(err.kind(), TransportErrorKind::Interrupted, "{err:?}");
    assert!(Error::from(err).maybe_delivered());
}

/// No answer within the timeout is `Timeout`: it may have been acted on.
pub async fn timeout_may_have_been_delivered(
    short_timeout: &dyn HttpTransport,
    server: &StubServer,
) {
    let err = short_timeout
        .send(post(&server.url("/delay/3000"), b"{}"))
        .await
        .expect_err("too slow");
    assert_eq!(err.kind(), TransportErrorKind::Timeout, "{err:?}");
    let err = Error::from(err);
    assert!(err.maybe_delivered() && err.is_retryable());
}

/// Nothing listening is `Connect`: nothing was sent, safe to retry.
pub async fn refused_connection_was_not_sent(t: &dyn HttpTransport) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let err = t
        .send(post(&format!("http://{addr}/echo"), b"{}"))
        .await
        .expect_err("refused");
    assert_eq!(err.kind(), TransportErrorKind::Connect, "{err:?}");
    let err = Error::from(err);
    assert!(!err.maybe_delivered() && err.is_retryable());
}
