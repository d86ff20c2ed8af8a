//! The executor: credentials on every request, one refresh and resend on 401, no loop.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use waba_core::*;
use waba_testkit::ReplayTransport;

/// Issues `token-<generation>`; a 401 on the current generation moves to the next.
#[derive(Debug, Default)]
struct Rotating {
    generation: AtomicU64,
    refreshable: bool,
}

#[async_trait]
impl RequestAuth for Rotating {
    async fn authorize(&self, request: &mut http::Request<Bytes>) -> Result<AuthTicket, Error> {
        let g = self.generation.load(Ordering::SeqCst);
        request.headers_mut().insert(
            "authorization",
            format!("Bearer token-{g}").parse().unwrap(),
        );
        Ok(AuthTicket(g))
    }
    fn invalidate(&self, ticket: AuthTicket) -> bool {
        let _ = self.generation.compare_exchange(
            ticket.0,
            ticket.0 + 1,
            Ordering::SeqCst,
            Ordering::SeqCst,
        );
        self.refreshable
    }
    fn refreshable(&self) -> bool {
        self.refreshable
    }
}

fn request() -> http::Request<Bytes> {
    http::Request::post("https://api.example/v1/messages")
        .body(Bytes::from_static(b"{}"))
        .unwrap()
}

fn executor(t: &ReplayTransport, refreshable: bool) -> (Executor, Arc<Rotating>) {
    let auth = Arc::new(Rotating {
        refreshable,
        ..Rotating::default()
    });
    let e = Executor::new(ProviderId::new("test"), SharedTransport::new(t.clone()))
        .with_auth(auth.clone());
    (e, auth)
}

#[tokio::test]
async fn a_401_refreshes_once_and_resends() {
    let t = ReplayTransport::new();
    t.push_raw(401, &[], "expired").push_raw(200, &[], "ok");
    let (e, auth) = executor(&t, true);
    let r = e.execute(request()).await.unwrap();
    assert_eq!(r.status(), 200);
    let sent = t.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].headers["authorization"], "Bearer token-0");
    assert_eq!(sent[1].headers["authorization"], "Bearer token-1");
    assert_eq!(sent[1].body, sent[0].body);
    assert_eq!(auth.generation.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_second_401_is_returned_not_looped() {
    let t = ReplayTransport::new();
    t.push_raw(401, &[], "expired")
        .push_raw(401, &[], "still expired")
        .push_raw(200, &[], "never");
    let (e, _) = executor(&t, true);
    let r = e.execute(request()).await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(t.requests().len(), 2);
    assert_eq!(t.pending(), 1);
}

#[tokio::test]
async fn fixed_credentials_are_not_retried() {
    let t = ReplayTransport::new();
    t.push_raw(401, &[], "bad key").push_raw(200, &[], "never");
    let (e, _) = executor(&t, false);
    assert_eq!(e.execute(request()).await.unwrap().status(), 401);
    assert_eq!(t.requests().len(), 1);
}

#[tokio::test]
async fn transport_errors_are_classified_and_name_the_provider() {
    let t = ReplayTransport::new();
    t.push_error(TransportErrorKind::Timeout);
    let (e, _) = executor(&t, true);
    let err = e.execute(request()).await.unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::Transport(TransportErrorKind::Timeout)
    );
    assert!(err.maybe_delivered());
    assert_eq!(err.provider(), Some(&ProviderId::new("test")));
}
