//! `RefreshingToken` on tokio's paused clock, with an in-memory token source.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use waba_auth::*;
use waba_core::{AuthTicket, Error, ErrorKind};

#[derive(Debug, Default)]
struct Counting {
    calls: AtomicU64,
    lifetime_secs: AtomicU64,
    fail_next: AtomicU64,
    revoked: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl TokenSource for Counting {
    async fn fetch(&self) -> Result<Token, Error> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(Duration::from_millis(10)).await;
        if self.fail_next.load(Ordering::SeqCst) > 0 {
            self.fail_next.fetch_sub(1, Ordering::SeqCst);
            return Err(Error::new(ErrorKind::Server).with_message("token endpoint down"));
        }
        let lifetime = Duration::from_secs(self.lifetime_secs.load(Ordering::SeqCst));
        Ok(Token::new(
            SecretString::from(format!("token-{n}")),
            lifetime,
        ))
    }
    async fn revoke(&self, token: &SecretString) -> Result<(), Error> {
        self.revoked
            .lock()
            .unwrap()
            .push(token.expose_secret().to_owned());
        Ok(())
    }
}

fn counting(lifetime_secs: u64) -> Counting {
    let c = Counting::default();
    c.lifetime_secs.store(lifetime_secs, Ordering::SeqCst);
    c
}

fn source(lifetime_secs: u64) -> Arc<RefreshingToken<Counting>> {
    Arc::new(RefreshingToken::new(counting(lifetime_secs)))
}

async fn current(t: &RefreshingToken<Counting>) -> (String, AuthTicket) {
    let (c, ticket) = t.token().await.unwrap();
    match c.as_ref() {
        Credential::Token(s) => (s.expose_secret().to_owned(), ticket),
        Credential::Login { .. } => unreachable!("a token source yields tokens"),
    }
}

#[tokio::test(start_paused = true)]
async fn refreshes_a_margin_before_expiry_for_long_lifetimes() {
    let t = source(3600);
    assert_eq!(current(&t).await.0, "token-1");
    // 60 min token, 5 min margin (less than a tenth of the lifetime): refreshed at 55 min.
    tokio::time::advance(Duration::from_secs(55 * 60 - 2)).await;
    assert_eq!(current(&t).await.0, "token-1");
    tokio::time::advance(Duration::from_secs(3)).await;
    assert_eq!(current(&t).await.0, "token-2");
    assert_eq!(t.source().calls.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn the_margin_shrinks_to_a_tenth_of_a_short_lifetime() {
    let t = RefreshingToken::new(counting(600)).with_margin(Duration::from_secs(300));
    assert_eq!(current(&t).await.0, "token-1");
    // 10 min token, 5 min margin: the margin becomes a tenth (60 s), refreshed at 9 min.
    tokio::time::advance(Duration::from_secs(539)).await;
    assert_eq!(current(&t).await.0, "token-1");
    tokio::time::advance(Duration::from_secs(2)).await;
    assert_eq!(current(&t).await.0, "token-2");
}

/// Steady traffic (one request every fiftieth of the lifetime) over ten lifetimes: one
/// token call per lifetime, not one per request. Each token serves at least 90 % of its
/// lifetime, so ten lifetimes need at most ⌈10 / 0.9⌉ = 12 tokens.
async fn one_token_call_per_lifetime(lifetime: Duration) {
    let t = RefreshingToken::new(counting(lifetime.as_secs().max(1)));
    let lifetime = Duration::from_secs(lifetime.as_secs().max(1));
    let step = lifetime / 50;
    let mut requests = 0;
    let mut last = String::new();
    let mut changes = 0;
    while requests < 500 {
        let (token, _) = current(&t).await;
        if token != last {
            changes += 1;
            last = token;
        }
        requests += 1;
        tokio::time::advance(step).await;
    }
    let calls = t.source().calls.load(Ordering::SeqCst);
    assert!(
        (10..=12).contains(&calls),
        "{lifetime:?}: {calls} token calls for {requests} requests over ten lifetimes"
    );
    assert_eq!(calls, changes, "every token fetched was used");
}

#[tokio::test(start_paused = true)]
async fn two_second_tokens_are_fetched_once_per_lifetime() {
    one_token_call_per_lifetime(Duration::from_secs(2)).await;
}

#[tokio::test(start_paused = true)]
async fn five_minute_tokens_are_fetched_once_per_lifetime() {
    one_token_call_per_lifetime(Duration::from_secs(300)).await;
}

#[tokio::test(start_paused = true)]
async fn seven_day_tokens_are_fetched_once_per_lifetime() {
    one_token_call_per_lifetime(Duration::from_secs(7 * 24 * 3600)).await;
}

#[tokio::test(start_paused = true)]
async fn concurrent_callers_share_one_refresh() {
    let t = source(3600);
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let t = t.clone();
            tokio::spawn(async move { current(&t).await.0 })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), "token-1");
    }
    assert_eq!(t.source().calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn a_failed_refresh_reaches_every_waiter_and_the_next_call_retries() {
    let t = source(3600);
    t.source().fail_next.store(1, Ordering::SeqCst);
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let t = t.clone();
            tokio::spawn(async move { t.token().await.map(|_| ()) })
        })
        .collect();
    for task in tasks {
        let err = task.await.unwrap().unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Auth);
        assert!(err.to_string().contains("token endpoint down"), "{err}");
    }
    assert_eq!(t.source().calls.load(Ordering::SeqCst), 1);
    assert_eq!(current(&t).await.0, "token-2");
    assert_eq!(t.source().calls.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn a_failed_refresh_falls_back_to_a_token_not_yet_expired() {
    let t = source(3600);
    assert_eq!(current(&t).await.0, "token-1");
    tokio::time::advance(Duration::from_secs(55 * 60)).await;
    t.source().fail_next.store(1, Ordering::SeqCst);
    assert_eq!(current(&t).await.0, "token-1", "still valid for 5 minutes");
    tokio::time::advance(Duration::from_secs(6 * 60)).await;
    t.source().fail_next.store(1, Ordering::SeqCst);
    assert_eq!(
        t.token().await.unwrap_err().kind(),
        &ErrorKind::Auth,
        "expired: no fallback"
    );
}

#[tokio::test(start_paused = true)]
async fn invalidate_drops_only_the_token_that_was_refused() {
    let t = source(3600);
    let (_, first) = current(&t).await;
    assert!(t.invalidate(first));
    let (token, second) = current(&t).await;
    assert_eq!(token, "token-2");
    // A late 401 for the first token must not drop the second.
    t.invalidate(first);
    assert_eq!(current(&t).await, (token, second));
    assert_eq!(t.source().calls.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn logout_revokes_the_current_token() {
    let t = source(3600);
    current(&t).await;
    t.logout().await.unwrap();
    assert_eq!(*t.source().revoked.lock().unwrap(), ["token-1"]);
    assert_eq!(current(&t).await.0, "token-2", "logged in again");
}

/// An unreachable token endpoint is a transport error, not refused credentials (before, it
/// was reported as "credentials refused").
#[tokio::test(start_paused = true)]
async fn an_unreachable_token_endpoint_is_a_transport_error() {
    #[derive(Debug)]
    struct Unreachable;
    #[async_trait::async_trait]
    impl TokenSource for Unreachable {
        async fn fetch(&self) -> Result<Token, Error> {
            Err(
                Error::new(ErrorKind::Transport(waba_core::TransportErrorKind::Connect))
                    .with_message("connection refused"),
            )
        }
    }
    let err = RefreshingToken::new(Unreachable).token().await.unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::Transport(waba_core::TransportErrorKind::Connect),
        "{err}"
    );
    assert!(err.to_string().contains("connection refused"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn tokens_without_expiry_are_kept_until_refused() {
    #[derive(Debug)]
    struct Forever(AtomicU64);
    #[async_trait::async_trait]
    impl TokenSource for Forever {
        async fn fetch(&self) -> Result<Token, Error> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(Token::without_expiry(SecretString::from("forever")))
        }
    }
    let t = RefreshingToken::new(Forever(AtomicU64::new(0)));
    t.token().await.unwrap();
    tokio::time::advance(Duration::from_secs(365 * 24 * 3600)).await;
    let (_, ticket) = t.token().await.unwrap();
    assert_eq!(t.source().0.load(Ordering::SeqCst), 1);
    t.invalidate(ticket);
    t.token().await.unwrap();
    assert_eq!(t.source().0.load(Ordering::SeqCst), 2);
}
