//! `Client` over `StubProvider`: validation, retries, rate limits, broadcast. Time runs on
//! tokio's paused clock, so waits are exact and instant.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use waba_core::*;
use waba_testkit::StubProvider;
use waba_types::{Content, ContentKind, OutboundMessage, PhoneNumber};

fn to(n: u32) -> PhoneNumber {
    PhoneNumber::parse(&format!("+1631555{n:04}")).unwrap()
}

fn text() -> OutboundMessage {
    OutboundMessage::new(to(1), Content::text("hi"))
}

fn client(stub: &StubProvider, retry: RetryPolicy) -> Client {
    Client::builder(stub.shared())
        .retry(retry)
        .no_rate_limit()
        .build()
}

fn exact(attempts: u32) -> RetryPolicy {
    RetryPolicy::attempts(attempts).with_jitter(false)
}

static_assertions::assert_impl_all!(SharedProvider: Send, Sync, Clone, std::fmt::Debug);
static_assertions::assert_impl_all!(Client: Send, Sync, Clone, std::fmt::Debug, Provider);
static_assertions::assert_impl_all!(Error: Send, Sync, std::error::Error);

#[test]
fn provider_ext_futures_are_send() {
    fn is_send<T: Send>(_: &T) {}
    let stub = StubProvider::new_ok();
    let fut = stub.send_text(to(1), "hi");
    is_send(&fut);
    let fut = stub.send_template(to(1), "t", "en", ["a"]);
    is_send(&fut);
}

#[tokio::test(start_paused = true)]
async fn retries_server_errors_and_honours_retry_after() {
    let stub = StubProvider::new_ok();
    stub.push_error(Error::new(ErrorKind::Server));
    stub.push_error(Error::new(ErrorKind::RateLimited {
        retry_after: Some(Duration::from_secs(5)),
    }));
    let start = Instant::now();
    let receipt = client(&stub, exact(3)).send(&text()).await.unwrap();
    // 200 ms backoff after the 500, then the 5 s Retry-After (longer than the 400 ms backoff).
    assert_eq!(start.elapsed(), Duration::from_millis(5200));
    assert_eq!(stub.attempts(), 3);
    assert_eq!(receipt.id.as_str(), "stub-1");
    assert_eq!(stub.sent().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn retries_transport_failures_that_were_not_sent() {
    let stub = StubProvider::new_ok();
    stub.push_error(TransportError::bare(TransportErrorKind::Connect).into());
    let start = Instant::now();
    client(&stub, exact(3)).send(&text()).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_millis(200));
    assert_eq!(stub.attempts(), 2);
}

#[tokio::test(start_paused = true)]
async fn backoff_grows_exponentially_with_jitter_bounds() {
    let stub = StubProvider::new_ok();
    for _ in 0..3 {
        stub.push_error(Error::new(ErrorKind::Server));
    }
    let start = Instant::now();
    client(&stub, RetryPolicy::attempts(4))
        .send(&text())
        .await
        .unwrap();
    // Jittered waits of [100,200] + [200,400] + [400,800] ms.
    let e = start.elapsed();
    assert!(
        e >= Duration::from_millis(700) && e <= Duration::from_millis(1400),
        "{e:?}"
    );
    assert_eq!(stub.attempts(), 4);
}

#[tokio::test(start_paused = true)]
async fn stops_at_the_attempt_limit() {
    let stub = StubProvider::new_ok();
    for _ in 0..5 {
        stub.push_error(Error::new(ErrorKind::Server));
    }
    let err = client(&stub, exact(3)).send(&text()).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Server);
    assert_eq!(stub.attempts(), 3);
    assert!(stub.sent().is_empty());
}

#[tokio::test(start_paused = true)]
async fn never_retries_a_send_that_may_have_been_delivered() {
    let stub = StubProvider::new_ok();
    stub.push_error(TransportError::bare(TransportErrorKind::Timeout).into());
    let err = client(&stub, exact(5)).send(&text()).await.unwrap_err();
    assert!(err.maybe_delivered());
    assert_eq!(stub.attempts(), 1);
}

#[tokio::test(start_paused = true)]
async fn retries_a_maybe_delivered_send_when_the_caller_opts_in() {
    let stub = StubProvider::new_ok();
    stub.push_error(TransportError::bare(TransportErrorKind::Timeout).into());
    client(&stub, exact(5).with_retry_maybe_delivered(true))
        .send(&text())
        .await
        .unwrap();
    assert_eq!(stub.attempts(), 2);
}

#[tokio::test(start_paused = true)]
async fn never_retries_client_errors() {
    for kind in [
        ErrorKind::InvalidRecipient,
        ErrorKind::OutsideCustomerWindow,
        ErrorKind::TemplateNotFound,
        ErrorKind::Auth,
        ErrorKind::InvalidRequest { field: None },
    ] {
        let stub = StubProvider::new_ok();
        stub.push_error(Error::new(kind.clone()));
        let err = client(&stub, exact(5)).send(&text()).await.unwrap_err();
        assert_eq!(err.kind(), &kind);
        assert_eq!(stub.attempts(), 1, "{kind:?} was retried");
    }
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_longer_than_the_cap_fails_at_once() {
    let stub = StubProvider::new_ok();
    stub.push_error(Error::new(ErrorKind::RateLimited {
        retry_after: Some(Duration::from_secs(3600)),
    }));
    let err = client(&stub, exact(5)).send(&text()).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(stub.attempts(), 1);
}

#[tokio::test]
async fn invalid_messages_never_reach_the_provider() {
    let stub = StubProvider::new_ok();
    let msg = OutboundMessage::new(to(1), Content::text("x".repeat(4097)));
    let err = client(&stub, exact(3)).send(&msg).await.unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::InvalidRequest {
            field: Some("content.body".into())
        }
    );
    assert!(
        err.to_string()
            .contains("4097 characters, the limit is 4096"),
        "{err}"
    );
    assert_eq!(stub.attempts(), 0);
}

#[tokio::test]
async fn unsupported_content_fails_locally() {
    let stub = StubProvider::new_ok().with_capabilities(Capabilities::sending(
        ContentKinds::NONE.with(ContentKind::Text),
    ));
    let msg = OutboundMessage::new(to(1), Content::image_link("https://e.com/a.jpg"));
    let err = client(&stub, exact(3)).send(&msg).await.unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::Unsupported {
            capability: "sending image messages".into()
        }
    );
    assert_eq!(stub.attempts(), 0);
}

#[tokio::test(start_paused = true)]
async fn the_rate_limiter_holds_its_rate() {
    let limiter = Arc::new(RateLimiter::new(50, 50));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..550 {
        let l = limiter.clone();
        tasks.push(tokio::spawn(async move {
            l.acquire("+15550001").await;
            start.elapsed()
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.push(t.await.unwrap());
    }
    times.sort();
    // 50 at once (the burst), then 50 a second: the last of 550 at exactly 10 s.
    assert_eq!(times[49], Duration::ZERO);
    assert!(times[50] > Duration::ZERO);
    assert_eq!(*times.last().unwrap(), Duration::from_secs(10));
    // Over any prefix of time, no more than burst + rate × t permits.
    for (i, t) in times.iter().enumerate() {
        assert!(
            (i as f64) < 50.0 + 50.0 * t.as_secs_f64() + 1e-6,
            "permit {i} at {t:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn each_sending_number_has_its_own_bucket() {
    let limiter = RateLimiter::new(1, 1);
    let start = Instant::now();
    let _ = limiter.acquire("+15550001").await;
    limiter.acquire("+15550002").await;
    assert_eq!(start.elapsed(), Duration::ZERO);
    limiter.acquire("+15550001").await;
    assert_eq!(start.elapsed(), Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn client_sends_are_rate_limited() {
    let stub = StubProvider::new_ok();
    let client = Client::builder(stub.shared()).rate_limit(20).build();
    let start = Instant::now();
    for _ in 0..60 {
        client.send(&text()).await.unwrap();
    }
    assert_eq!(start.elapsed(), Duration::from_secs(2));
    assert_eq!(stub.sent().len(), 60);
}

fn throttled() -> Error {
    Error::new(ErrorKind::RateLimited { retry_after: None }).with_api_code(130_429)
}

#[tokio::test(start_paused = true)]
async fn throttles_spend_no_attempt() {
    let stub = StubProvider::new_ok();
    for _ in 0..5 {
        stub.push_error(throttled());
    }
    stub.push_error(Error::new(ErrorKind::Server));
    let receipt = client(&stub, exact(2)).send(&text()).await.unwrap();
    assert_eq!(receipt.id.as_str(), "stub-1");
    // Five throttles and one server error, then the send: one retry spent of one allowed.
    assert_eq!(stub.attempts(), 7);
    assert_eq!(stub.sent().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_send_throttled_past_the_budget_fails_with_the_throttle() {
    let stub = StubProvider::new_ok();
    for _ in 0..100 {
        stub.push_error(Error::new(ErrorKind::RateLimited {
            retry_after: Some(Duration::from_secs(1)),
        }));
    }
    let start = Instant::now();
    let policy = exact(3).with_max_throttle_wait(Duration::from_secs(3));
    let err = client(&stub, policy).send(&text()).await.unwrap_err();
    assert_eq!(err.kind().name(), "rate_limited");
    assert_eq!(stub.attempts(), 4, "throttled at 0, 1, 2 and 3 s");
    assert_eq!(start.elapsed(), Duration::from_secs(3));

    let stub = StubProvider::new_ok();
    stub.push_error(throttled());
    let err = client(&stub, RetryPolicy::none())
        .send(&text())
        .await
        .unwrap_err();
    assert_eq!(err.api_code(), Some(130_429), "no retries at all");
    assert_eq!(stub.attempts(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_limiter_drops_once_per_rate_and_recovers() {
    let limiter = RateLimiter::new(100, 100);
    let mut permits = Vec::new();
    for _ in 0..10 {
        permits.push(limiter.acquire("").await);
    }
    // Ten sends let through at the same rate, all throttled: one decrease, not ten.
    for p in &permits {
        limiter.on_throttled(p, None);
    }
    let stats = limiter.stats("").unwrap();
    assert!((stats.current - 90.0).abs() < 1e-9, "{stats:?}");
    assert_eq!(stats.throttled, 10);
    // A send let through at the new rate and throttled lowers it again.
    let p = limiter.acquire("").await;
    limiter.on_throttled(&p, None);
    assert!((limiter.stats("").unwrap().current - 81.0).abs() < 1e-9);
    // Successes bring it back, gradually, and never above the configured rate.
    limiter.on_success(&p);
    let after_one = limiter.stats("").unwrap().current;
    assert!(after_one > 81.0 && after_one < 82.0, "{after_one}");
    for _ in 0..10_000 {
        limiter.on_success(&p);
    }
    assert!((limiter.stats("").unwrap().current - 100.0).abs() < 1e-9);
    assert!(limiter.stats("+15550009").is_none());
}

#[tokio::test(start_paused = true)]
async fn retry_after_holds_every_send_from_that_number() {
    let limiter = Arc::new(RateLimiter::new(1000, 1000));
    let start = Instant::now();
    let p = limiter.acquire("+15550001").await;
    limiter.on_throttled(&p, Some(Duration::from_secs(2)));
    // Another number is not held.
    limiter.acquire("+15550002").await;
    assert_eq!(start.elapsed(), Duration::ZERO);
    let mut tasks = Vec::new();
    for _ in 0..5 {
        let l = limiter.clone();
        tasks.push(tokio::spawn(async move {
            l.acquire("+15550001").await;
            start.elapsed()
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.push(t.await.unwrap());
    }
    times.sort();
    assert_eq!(times[0], Duration::from_secs(2), "{times:?}");
    // Paced at the lowered rate (900/s) after the wait, not in one burst.
    assert!(times[4] > times[0], "{times:?}");
}

#[tokio::test(start_paused = true)]
async fn a_broadcast_above_the_providers_throughput_fails_no_one() {
    // Configured at 2,000/s against a provider that takes 80/s (Meta's default per number).
    let stub = StubProvider::new_ok()
        .with_latency(Duration::from_millis(5))
        .with_throughput_limit(80);
    let client = Client::builder(stub.shared())
        .rate_limit(2000)
        .retry(exact(3))
        .build();
    let recipients: Vec<_> = (0..2000).map(to).collect();
    let start = Instant::now();
    let outcomes = client.broadcast(&recipients, &Content::text("sale")).await;
    let elapsed = start.elapsed();
    let failed: Vec<_> = outcomes.iter().filter(|o| o.result.is_err()).collect();
    assert!(
        failed.is_empty(),
        "{} failed: {:?}",
        failed.len(),
        failed[0]
    );
    assert_eq!(stub.sent().len(), 2000, "each recipient exactly once");
    let stats = client.rate_limiter().unwrap().stats("").unwrap();
    assert!(stats.throttled > 0 && stub.throttled() == stats.throttled);
    assert!(stats.current < 200.0, "the rate adapted: {stats:?}");
    // The provider's bucket holds 80, then 80 a second: 24 s at best; within 10 %.
    assert!(
        elapsed >= Duration::from_secs(24) && elapsed <= Duration::from_millis(26_400),
        "{elapsed:?}"
    );
    // Throttled requests are a small share of the traffic, not most of it.
    assert!(stub.throttled() < 200, "{} throttled", stub.throttled());
}

#[tokio::test(start_paused = true)]
async fn broadcast_returns_one_outcome_per_recipient() {
    let stub = StubProvider::new_ok();
    let recipients: Vec<_> = (0..1000).map(to).collect();
    for n in (0..1000).step_by(7) {
        stub.fail_recipient(to(n), ErrorKind::InvalidRecipient);
    }
    let client = Client::builder(stub.shared())
        .no_rate_limit()
        .retry(exact(3))
        .build();
    let outcomes = client.broadcast(&recipients, &Content::text("sale")).await;
    assert_eq!(outcomes.len(), 1000);
    for (n, outcome) in outcomes.iter().enumerate() {
        assert_eq!(outcome.to, recipients[n], "order kept");
        if n % 7 == 0 {
            assert_eq!(
                outcome.result.as_ref().unwrap_err().kind(),
                &ErrorKind::InvalidRecipient
            );
        } else {
            assert!(outcome.result.is_ok(), "{n}");
        }
    }
    assert_eq!(stub.sent().len(), 1000 - 143);
}

#[tokio::test]
async fn broadcast_of_invalid_content_fails_every_recipient_locally() {
    let stub = StubProvider::new_ok();
    let recipients: Vec<_> = (0..10).map(to).collect();
    let outcomes = client(&stub, exact(3))
        .broadcast(&recipients, &Content::text(""))
        .await;
    assert_eq!(outcomes.len(), 10);
    assert!(outcomes.iter().all(|o| matches!(
        o.result.as_ref().unwrap_err().kind(),
        ErrorKind::InvalidRequest { .. }
    )));
    assert_eq!(stub.attempts(), 0);
}

/// A provider with its own fan-out that forgets one recipient and answers out of order.
#[derive(Debug)]
struct Sloppy(Capabilities);

#[async_trait]
impl Provider for Sloppy {
    fn id(&self) -> ProviderId {
        ProviderId::new("sloppy")
    }
    fn capabilities(&self) -> &Capabilities {
        &self.0
    }
    async fn send(&self, _: &OutboundMessage) -> Result<SendReceipt, Error> {
        Err(Error::new(ErrorKind::Provider))
    }
    async fn broadcast(
        &self,
        to: &[PhoneNumber],
        _: &Content,
    ) -> Result<Vec<BroadcastOutcome>, Error> {
        Ok(to
            .iter()
            .skip(1)
            .rev()
            .map(|p| BroadcastOutcome {
                to: p.clone(),
                result: Ok(SendReceipt {
                    id: format!("id-{p}").into(),
                    status: waba_types::DeliveryStatus::Accepted,
                    wa_id: None,
                    provider: self.id(),
                }),
            })
            .collect())
    }
}

#[tokio::test]
async fn native_broadcast_outcomes_are_reconciled_with_the_recipients() {
    let mut caps = Capabilities::sending(ContentKinds::all());
    caps.broadcast = true;
    let client = Client::builder(SharedProvider::new(Sloppy(caps)))
        .no_rate_limit()
        .build();
    let recipients: Vec<_> = (0..5).map(to).collect();
    let outcomes = client.broadcast(&recipients, &Content::text("hi")).await;
    assert_eq!(outcomes.len(), 5);
    let first = outcomes[0].result.as_ref().unwrap_err();
    assert_eq!(first.kind(), &ErrorKind::Decode);
    assert!(first.maybe_delivered());
    for (o, r) in outcomes.iter().zip(&recipients).skip(1) {
        assert_eq!(&o.to, r);
        assert_eq!(o.result.as_ref().unwrap().id.as_str(), format!("id-{r}"));
    }
}

#[tokio::test]
async fn client_is_a_provider_with_broadcast() {
    let stub = StubProvider::new_ok();
    let c = client(&stub, exact(1));
    assert!(c.capabilities().broadcast);
    assert!(!stub.capabilities().broadcast);
    let shared = SharedProvider::new(c);
    let r = shared.send_text(to(2), "via the trait").await.unwrap();
    assert_eq!(r.provider, waba_testkit::STUB_ID);
    let err = shared.mark_read(&"wamid.1".into()).await.unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::Unsupported {
            capability: "mark_read".into()
        }
    );
}

mod window {
    use std::sync::Arc;

    use waba_core::*;
    use waba_testkit::StubProvider;
    use waba_types::{
        Content, Event, InboundContent, InboundMessage, OutboundMessage, PhoneNumber, Template,
    };

    fn customer() -> PhoneNumber {
        "+16315551002".parse().unwrap()
    }

    fn wrote_now() -> Event {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        Event::Message(InboundMessage {
            id: "wamid.IN".into(),
            from: "16315551002".into(),
            from_user_id: None,
            from_parent_user_id: None,
            profile_name: None,
            username: None,
            timestamp: now,
            business: waba_types::BusinessRef::default(),
            group_id: None,
            context: None,
            referral: None,
            content: InboundContent::Text { body: "hi".into() },
            errors: Vec::new(),
        })
    }

    fn client(
        stub: &StubProvider,
        window: &Arc<CustomerWindow>,
        fallback: Option<Template>,
    ) -> Client {
        let b = Client::builder(stub.shared())
            .no_rate_limit()
            .customer_window(window.clone());
        match fallback {
            Some(t) => b.fallback_template(t).build(),
            None => b.build(),
        }
    }

    #[tokio::test]
    async fn a_closed_window_fails_locally() {
        let stub = StubProvider::new_ok();
        let window = Arc::new(CustomerWindow::new());
        let err = client(&stub, &window, None)
            .send(&OutboundMessage::new(customer(), Content::text("hi")))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::OutsideCustomerWindow);
        assert!(err.hint().contains("template"));
        assert_eq!(stub.attempts(), 0, "nothing was sent");
        // Templates need no window.
        client(&stub, &window, None)
            .send(&OutboundMessage::new(
                customer(),
                Content::template("hello_world", "en_US", ["x"]),
            ))
            .await
            .unwrap();
        assert_eq!(stub.attempts(), 1);
    }

    #[tokio::test]
    async fn an_inbound_message_opens_the_window() {
        let stub = StubProvider::new_ok();
        let window = Arc::new(CustomerWindow::new());
        window.observe(&wrote_now());
        client(&stub, &window, None)
            .send(&OutboundMessage::new(customer(), Content::text("hi")))
            .await
            .unwrap();
        assert!(matches!(stub.sent()[0].content, Content::Text(_)));
    }

    #[tokio::test]
    async fn the_fallback_template_goes_instead() {
        let stub = StubProvider::new_ok();
        let window = Arc::new(CustomerWindow::new());
        let fallback = Template {
            name: "reopen_conversation".into(),
            language: "en".into(),
            components: vec![],
        };
        let msg =
            OutboundMessage::new(customer(), Content::text("hi")).with_client_reference("r-1");
        client(&stub, &window, Some(fallback.clone()))
            .send(&msg)
            .await
            .unwrap();
        let sent = stub.sent();
        assert_eq!(sent[0].content, Content::Template(fallback));
        assert_eq!(
            sent[0].client_reference.as_deref(),
            Some("r-1"),
            "the rest of the message is kept"
        );
    }

    #[tokio::test]
    async fn the_providers_refusal_closes_the_window() {
        let stub = StubProvider::new_ok();
        let window = Arc::new(CustomerWindow::new());
        window.observe(&wrote_now());
        stub.push_error(Error::new(ErrorKind::OutsideCustomerWindow));
        let c = client(&stub, &window, None);
        assert!(
            c.send(&OutboundMessage::new(customer(), Content::text("hi")))
                .await
                .is_err()
        );
        assert!(!window.is_open(&customer()));
        let err = c
            .send(&OutboundMessage::new(customer(), Content::text("again")))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::OutsideCustomerWindow);
        assert_eq!(stub.attempts(), 1, "the second one never left");
    }
}
