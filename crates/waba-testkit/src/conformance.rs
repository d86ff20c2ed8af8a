//! The conformance suite every adapter runs against the sandbox: ours, and third parties'.
//!
//! Each check is a public async function over a [`Target`], so a failing check names
//! itself; [`run`] runs them all in order. Checks change the sandbox's faults, contacts and
//! rate limit while they run and put them back after.
//!
//! # Running it against your adapter
//! 1. Add a module for your provider to `waba-sandbox` (or run the suite against a sandbox
//!    that already emulates the API your adapter speaks).
//! 2. In your crate's `tests/conformance.rs`, start a sandbox, build two providers pointed
//!    at it (one with its credentials, one with wrong ones), and call [`run`]:
//!
//! ```no_run
//! # async fn t(provider: waba_core::SharedProvider, bad: waba_core::SharedProvider) {
//! use waba_testkit::conformance::{self, Target};
//! let sandbox = waba_sandbox::Sandbox::builder().start().await.unwrap();
//! let target = Target {
//!     sandbox: &sandbox,
//!     emulation: "cloud",
//!     provider,
//!     bad_credentials: bad,
//!     decoder: std::sync::Arc::new(waba_webhook::CloudDecoder),
//!     verifier: std::sync::Arc::new(waba_webhook::HubSignature::new(&sandbox.cloud().app_secret).unwrap()),
//! };
//! conformance::run(&target).await;
//! # }
//! ```

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use waba_core::{
    Client, CustomerWindow, Error, ErrorKind, MediaUpload, Provider, RetryPolicy, SharedProvider,
};
use waba_sandbox::{FaultBody, Faults, SandboxHandle};
use waba_types::{
    Content, ContentKind, DeliveryStatus, Event, MediaKind, OutboundMessage, PhoneNumber,
    Recipient, Text, UserId,
};
use waba_webhook::{Verifier, WebhookDecoder};

use crate::samples;

/// What the suite runs against.
pub struct Target<'a> {
    /// A running sandbox.
    pub sandbox: &'a SandboxHandle,
    /// The sandbox emulation the adapter talks to (`cloud`).
    pub emulation: &'static str,
    /// The adapter, configured with the sandbox's credentials.
    pub provider: SharedProvider,
    /// The same adapter with wrong credentials.
    pub bad_credentials: SharedProvider,
    /// The decoder for the provider's webhooks.
    pub decoder: Arc<dyn WebhookDecoder>,
    /// The verifier for the provider's webhooks, as the sandbox signs or labels them.
    pub verifier: Arc<dyn Verifier>,
}

impl std::fmt::Debug for Target<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("emulation", &self.emulation)
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

/// Runs every check.
pub async fn run(t: &Target<'_>) {
    content_kinds_are_accepted(t).await;
    validation_errors_never_reach_the_network(t).await;
    rules_surface_as_error_kinds(t).await;
    retries_recover_without_duplicates(t).await;
    resets_are_not_retried_blindly(t).await;
    faults_are_classified_and_never_resend_a_maybe_delivered_message(t).await;
    per_message_sender_is_honoured_or_refused(t).await;
    client_reference_is_carried_or_refused(t).await;
    template_parameter_rules_hold_before_and_at_the_provider(t).await;
    broadcast_returns_one_outcome_per_recipient(t).await;
    optional_operations_match_capabilities(t).await;
    status_webhooks_arrive_for_sent_ids(t).await;
    user_id_customers_are_received_answered_and_tracked(t).await;
}

fn customer(n: u32) -> PhoneNumber {
    PhoneNumber::parse(&format!("+1631555{n:04}")).expect("a valid number")
}

fn client(t: &Target<'_>, attempts: u32) -> Client {
    let retry = RetryPolicy::attempts(attempts)
        .with_backoff(Duration::from_millis(5), Duration::from_millis(50));
    Client::builder(t.provider.clone())
        .no_rate_limit()
        .retry(retry)
        .build()
}

async fn open_window(t: &Target<'_>, who: &PhoneNumber) {
    t.sandbox
        .inject_inbound(t.emulation, who, "hello")
        .await
        .expect("the emulation exists");
}

fn outbound_count(t: &Target<'_>) -> usize {
    t.sandbox
        .messages_of(t.emulation)
        .iter()
        .filter(|m| m.direction == "outbound")
        .count()
}

fn expect_kind<T: std::fmt::Debug>(
    what: &str,
    result: Result<T, Error>,
    kind: &ErrorKind,
) -> Error {
    match result {
        Ok(v) => panic!("{what}: expected {kind:?}, got success {v:?}"),
        Err(e) => {
            assert_eq!(e.kind(), kind, "{what}: wrong kind for {e}");
            e
        }
    }
}

/// Every content kind the provider declares is accepted, stored under the returned id with
/// its type; every kind it does not declare fails locally as unsupported.
pub async fn content_kinds_are_accepted(t: &Target<'_>) {
    let to = customer(100);
    open_window(t, &to).await;
    let client = client(t, 1);
    let caps = t.provider.capabilities().clone();
    let mut accepted = BTreeSet::new();
    for (name, content) in samples::all_contents() {
        let kind = content.kind();
        // Media ids come from uploads: a provider without uploads sends media by link only.
        if !caps.upload_media && uses_media_id(&content) {
            continue;
        }
        if let Content::Template(template) = &content {
            let body_parameters = template
                .components
                .iter()
                .map(|c| match c {
                    waba_types::TemplateComponent::Body { parameters } => parameters.len(),
                    _ => 0,
                })
                .sum();
            t.sandbox.add_template_with_parameters(
                &template.name,
                &template.language,
                body_parameters,
            );
        }
        let before = outbound_count(t);
        let result = client
            .send(&OutboundMessage::new(to.clone(), content))
            .await;
        if caps.content.contains(kind) {
            let receipt = result.unwrap_or_else(|e| panic!("{name}: declared but refused: {e}"));
            let stored = t
                .sandbox
                .message(receipt.id.as_str())
                .unwrap_or_else(|| panic!("{name}: id {} not stored", receipt.id));
            assert_eq!(
                stored.kind,
                kind.as_str(),
                "{name}: stored with another type"
            );
            if caps.message_lookup {
                let record = t
                    .provider
                    .message(&receipt.id)
                    .await
                    .unwrap_or_else(|e| panic!("{name}: lookup failed: {e}"));
                assert_eq!(record.id, receipt.id);
            }
            accepted.insert(kind);
        } else {
            let e = result.expect_err("an undeclared kind must fail");
            assert!(
                matches!(e.kind(), ErrorKind::Unsupported { .. }),
                "{name}: {e}"
            );
            assert_eq!(
                outbound_count(t),
                before,
                "{name}: an unsupported kind reached the sandbox"
            );
        }
    }
    assert_eq!(
        accepted.len(),
        caps.content.iter().count(),
        "every declared kind was exercised"
    );
}

fn uses_media_id(content: &Content) -> bool {
    use waba_types::MediaSource::Id;
    matches!(
        content,
        Content::Image(waba_types::Image { media: Id(_), .. })
            | Content::Video(waba_types::Video { media: Id(_), .. })
            | Content::Audio(waba_types::Audio { media: Id(_) })
            | Content::Document(waba_types::Document { media: Id(_), .. })
            | Content::Sticker(waba_types::Sticker { media: Id(_) })
    ) || matches!(content, Content::Template(t) if t.components.iter().any(|c| matches!(c,
        waba_types::TemplateComponent::Header { parameters } if parameters.iter().any(|p| matches!(p,
            waba_types::TemplateParameter::Image { media: Id(_) }
            | waba_types::TemplateParameter::Video { media: Id(_) }
            | waba_types::TemplateParameter::Document { media: Id(_), .. })))))
}

/// Invalid messages fail with `InvalidRequest` naming the field, before any request: a
/// scripted fault stays unconsumed.
pub async fn validation_errors_never_reach_the_network(t: &Target<'_>) {
    t.sandbox.set_faults(Faults {
        fail_next: 1,
        ..Faults::default()
    });
    let long = OutboundMessage::new(customer(101), Content::text("x".repeat(4097)));
    let e = expect_kind(
        "text over 4096",
        client(t, 1).send(&long).await,
        &ErrorKind::InvalidRequest {
            field: Some("content.body".into()),
        },
    );
    assert!(e.to_string().contains("the limit is 4096"), "{e}");
    let preview = OutboundMessage::new(
        customer(101),
        Content::Text(Text {
            body: "no link".into(),
            preview_url: true,
        }),
    );
    let e = client(t, 1)
        .send(&preview)
        .await
        .expect_err("preview_url without a URL");
    assert!(matches!(e.kind(), ErrorKind::InvalidRequest { .. }), "{e}");
    assert_eq!(
        t.sandbox.faults().fail_next,
        1,
        "an invalid message reached the network"
    );
    t.sandbox.set_faults(Faults::default());
}

/// Each sandbox rule surfaces as the right [`ErrorKind`].
pub async fn rules_surface_as_error_kinds(t: &Target<'_>) {
    let c = client(t, 1);
    let to = customer(102);
    let bad = Client::builder(t.bad_credentials.clone())
        .no_rate_limit()
        .retry(RetryPolicy::none())
        .build();
    expect_kind(
        "bad credentials",
        bad.send(&OutboundMessage::new(to.clone(), Content::text("hi")))
            .await,
        &ErrorKind::Auth,
    );

    expect_kind(
        "outside the window",
        c.send(&OutboundMessage::new(customer(103), Content::text("hi")))
            .await,
        &ErrorKind::OutsideCustomerWindow,
    );
    expect_kind(
        "unknown template",
        c.send(&OutboundMessage::new(
            to.clone(),
            Content::template("no_such_template", "en_US", ["x"]),
        ))
        .await,
        &ErrorKind::TemplateNotFound,
    );

    let gone = customer(104);
    t.sandbox.set_on_whatsapp(&gone, false);
    expect_kind(
        "not on WhatsApp",
        c.send(&OutboundMessage::new(
            gone.clone(),
            Content::template("hello_world", "en_US", Vec::<String>::new()),
        ))
        .await,
        &ErrorKind::InvalidRecipient,
    );
    t.sandbox.set_on_whatsapp(&gone, true);

    open_window(t, &to).await;
    let unchecked = Client::builder(t.provider.clone())
        .no_rate_limit()
        .retry(RetryPolicy::none())
        .validate(false)
        .build();
    let e = unchecked
        .send(&OutboundMessage::new(
            to.clone(),
            Content::text("y".repeat(4097)),
        ))
        .await
        .expect_err("oversized");
    assert!(
        matches!(e.kind(), ErrorKind::InvalidRequest { .. }),
        "oversized text: {e}"
    );

    t.sandbox.set_faults(Faults {
        throttle_next: 1,
        retry_after_secs: 2,
        ..Faults::default()
    });
    let e = expect_kind(
        "throughput",
        unchecked
            .send(&OutboundMessage::new(to, Content::text("hi")))
            .await,
        &ErrorKind::RateLimited {
            retry_after: Some(Duration::from_secs(2)),
        },
    );
    assert!(e.is_retryable());
    t.sandbox.set_faults(Faults::default());
}

/// A 5xx or 429 that struck before the provider acted is retried to success when the
/// caller accepts retrying possibly delivered sends (a 5xx is maybe-delivered: the client
/// cannot know it came before), and a 429 with the default policy; the message is stored
/// once.
pub async fn retries_recover_without_duplicates(t: &Target<'_>) {
    let to = customer(105);
    open_window(t, &to).await;
    for (faults, accept_maybe) in [
        (
            Faults {
                fail_next: 2,
                error_status: 503,
                ..Faults::default()
            },
            true,
        ),
        (
            Faults {
                fail_next: 1,
                error_status: 500,
                ..Faults::default()
            },
            true,
        ),
        (
            Faults {
                throttle_next: 1,
                retry_after_secs: 0,
                ..Faults::default()
            },
            false,
        ),
    ] {
        t.sandbox.set_faults(faults.clone());
        let before = outbound_count(t);
        let retry = RetryPolicy::attempts(3)
            .with_backoff(Duration::from_millis(5), Duration::from_millis(50))
            .with_retry_maybe_delivered(accept_maybe);
        let client = Client::builder(t.provider.clone())
            .no_rate_limit()
            .retry(retry)
            .build();
        let r = client
            .send(&OutboundMessage::new(to.clone(), Content::text("retry me")))
            .await;
        let receipt = r.unwrap_or_else(|e| panic!("{faults:?}: not recovered: {e}"));
        assert_eq!(
            outbound_count(t),
            before + 1,
            "{faults:?}: stored more or less than once"
        );
        assert!(t.sandbox.message(receipt.id.as_str()).is_some());
    }
    t.sandbox.set_faults(Faults::default());
}

/// A connection reset after the request was written may have delivered the message: the
/// error says so and the send is not retried.
pub async fn resets_are_not_retried_blindly(t: &Target<'_>) {
    let to = customer(106);
    open_window(t, &to).await;
    t.sandbox.set_faults(Faults {
        reset_next: 1,
        ..Faults::default()
    });
    let e = client(t, 3)
        .send(&OutboundMessage::new(to, Content::text("maybe")))
        .await
        .expect_err("reset");
    assert!(
        e.maybe_delivered(),
        "a reset must be reported as maybe delivered: {e}"
    );
    assert!(matches!(e.kind(), ErrorKind::Transport(_)), "{e}");
    t.sandbox.set_faults(Faults::default());
}

/// What one fault case must end in.
#[derive(Debug)]
enum Expect {
    /// The send fails with this kind (any transport kind for `Transport`), with this
    /// `maybe_delivered()`, after exactly `requests` requests, `stored` messages stored.
    Fails {
        kind: fn(&ErrorKind) -> bool,
        maybe_delivered: bool,
        requests: u64,
        stored: usize,
    },
    /// The send succeeds after exactly `requests` requests, the message stored once.
    Recovers { requests: u64 },
    /// A 401 once: a refreshable credential is fetched again and the send succeeds after
    /// three requests (401, token, resend); a fixed one fails as `Auth` after one.
    AuthOnce,
}

/// The fault cases: what the sandbox does, and what the send must end in.
#[allow(clippy::too_many_lines, reason = "a table of cases, one per fault")]
fn fault_cases() -> Vec<(&'static str, Faults, Expect)> {
    let server = |k: &ErrorKind| matches!(k, ErrorKind::Server);
    let after = |faults: Faults| Faults {
        after_handling: true,
        ..faults
    };
    vec![
        (
            "504 with the provider's error code, after the message was stored",
            after(Faults {
                fail_next: 1,
                error_status: 504,
                ..Faults::default()
            }),
            Expect::Fails {
                kind: server,
                maybe_delivered: true,
                requests: 1,
                stored: 1,
            },
        ),
        (
            "504 without a body, after the message was stored",
            after(Faults {
                fail_next: 1,
                error_status: 504,
                error_body: FaultBody::Empty,
                ..Faults::default()
            }),
            Expect::Fails {
                kind: server,
                maybe_delivered: true,
                requests: 1,
                stored: 1,
            },
        ),
        (
            "500 with the provider's error code, after the message was stored",
            after(Faults {
                fail_next: 1,
                error_status: 500,
                ..Faults::default()
            }),
            Expect::Fails {
                kind: server,
                maybe_delivered: true,
                requests: 1,
                stored: 1,
            },
        ),
        (
            "503 before the provider acted (the client cannot tell)",
            Faults {
                fail_next: 1,
                error_status: 503,
                ..Faults::default()
            },
            Expect::Fails {
                kind: server,
                maybe_delivered: true,
                requests: 1,
                stored: 0,
            },
        ),
        (
            "429 with Retry-After and no body",
            Faults {
                throttle_next: 1,
                retry_after_secs: 1,
                error_body: FaultBody::Empty,
                ..Faults::default()
            },
            Expect::Recovers { requests: 2 },
        ),
        (
            "429 with the provider's rate-limit code",
            Faults {
                throttle_next: 1,
                retry_after_secs: 0,
                ..Faults::default()
            },
            Expect::Recovers { requests: 2 },
        ),
        (
            "connection closed after the request was read and acted on",
            after(Faults {
                reset_next: 1,
                ..Faults::default()
            }),
            Expect::Fails {
                kind: |k| matches!(k, ErrorKind::Transport(_)),
                maybe_delivered: true,
                requests: 1,
                stored: 1,
            },
        ),
        (
            "401 once",
            Faults {
                unauthorized_next: 1,
                ..Faults::default()
            },
            Expect::AuthOnce,
        ),
        (
            "200 whose body is not the documented JSON, after the message was stored",
            after(Faults {
                fail_next: 1,
                error_status: 200,
                error_body: FaultBody::Garbage,
                ..Faults::default()
            }),
            Expect::Fails {
                kind: |k| matches!(k, ErrorKind::Decode),
                maybe_delivered: true,
                requests: 1,
                stored: 1,
            },
        ),
    ]
}

/// Every adapter under the faults that follow or precede an accepted message, with the
/// default retry policy: how many requests reach the provider, the error kind, and
/// `maybe_delivered()`. A 5xx or a broken connection after the request was written is
/// maybe-delivered whatever code the body carries, and is never resent.
pub async fn faults_are_classified_and_never_resend_a_maybe_delivered_message(t: &Target<'_>) {
    let cases = fault_cases();
    let client = client(t, 3);
    // A first send fetches any token, so that each case counts its own requests only.
    let warm = customer(120);
    open_window(t, &warm).await;
    client
        .send(&OutboundMessage::new(warm, Content::text("warm up")))
        .await
        .expect("a send without faults");
    for (n, (name, faults, expect)) in cases.into_iter().enumerate() {
        let to = customer(121 + n as u32);
        open_window(t, &to).await;
        t.sandbox.set_faults(faults);
        let (requests, stored) = (t.sandbox.requests_of(t.emulation), outbound_count(t));
        let result = client
            .send(&OutboundMessage::new(to, Content::text(name)))
            .await;
        t.sandbox.set_faults(Faults::default());
        let requests = t.sandbox.requests_of(t.emulation) - requests;
        let stored = outbound_count(t) - stored;
        let (want_requests, want_stored) = match (&expect, &result) {
            (
                Expect::Fails {
                    kind,
                    maybe_delivered,
                    requests,
                    stored,
                },
                Err(e),
            ) => {
                assert!(kind(e.kind()), "{name}: wrong kind: {e:?}");
                assert_eq!(
                    e.maybe_delivered(),
                    *maybe_delivered,
                    "{name}: maybe_delivered of {e:?}"
                );
                (*requests, *stored)
            }
            (Expect::Recovers { requests }, Ok(receipt)) => {
                assert!(
                    t.sandbox.message(receipt.id.as_str()).is_some(),
                    "{name}: unstored id"
                );
                (*requests, 1)
            }
            (Expect::AuthOnce, Ok(receipt)) => {
                assert!(
                    t.sandbox.message(receipt.id.as_str()).is_some(),
                    "{name}: unstored id"
                );
                (3, 1)
            }
            (Expect::AuthOnce, Err(e)) => {
                assert_eq!(e.kind(), &ErrorKind::Auth, "{name}: {e:?}");
                assert!(
                    !e.maybe_delivered(),
                    "{name}: a 401 delivered nothing: {e:?}"
                );
                (1, 0)
            }
            (_, r) => panic!("{name}: expected {expect:?}, got {r:?}"),
        };
        assert_eq!(
            requests, want_requests,
            "{name}: requests that reached the provider"
        );
        assert_eq!(stored, want_stored, "{name}: messages stored");
    }
    throttling_is_refused_not_maybe_delivered(t).await;
}

/// The kind of a throttling answer, seen by the adapter itself (no retry in between): the
/// provider's rate-limit code is `RateLimited` with its `Retry-After`, and nothing was sent.
pub async fn throttling_is_refused_not_maybe_delivered(t: &Target<'_>) {
    let to = customer(140);
    open_window(t, &to).await;
    t.sandbox.set_faults(Faults {
        throttle_next: 1,
        retry_after_secs: 3,
        ..Faults::default()
    });
    let e = t
        .provider
        .send(&OutboundMessage::new(to, Content::text("throttled")))
        .await
        .expect_err("throttled");
    t.sandbox.set_faults(Faults::default());
    assert_eq!(
        e.kind(),
        &ErrorKind::RateLimited {
            retry_after: Some(Duration::from_secs(3))
        },
        "the provider's rate-limit code: {e:?}"
    );
    assert!(!e.maybe_delivered(), "a throttled send was refused: {e:?}");
}

/// `OutboundMessage::from` is honoured on the wire (the provider receives that number) or
/// refused as `Unsupported` before any request, by the adapter itself.
pub async fn per_message_sender_is_honoured_or_refused(t: &Target<'_>) {
    let to = customer(141);
    open_window(t, &to).await;
    let from = PhoneNumber::parse("+918041234567").expect("a valid number");
    let message =
        OutboundMessage::new(to, Content::text("from another number")).with_from(from.clone());
    let requests = t.sandbox.requests_of(t.emulation);
    let declared = t.provider.capabilities().sender_per_message;
    match t.provider.send(&message).await {
        Ok(receipt) => {
            assert!(declared, "a sender was accepted but not declared");
            let stored = t
                .sandbox
                .message(receipt.id.as_str())
                .expect("the message is stored");
            assert!(
                stored.body.to_string().contains(from.digits()),
                "the sender did not reach the provider: {}",
                stored.body
            );
        }
        Err(e) => {
            assert!(!declared, "a declared sender was refused: {e}");
            assert!(matches!(e.kind(), ErrorKind::Unsupported { .. }), "{e:?}");
            assert_eq!(
                t.sandbox.requests_of(t.emulation),
                requests,
                "a refused sender reached the network"
            );
        }
    }
}

/// `OutboundMessage::client_reference` reaches the provider where
/// `Capabilities::client_reference` says so, and is refused as `Unsupported` before any
/// request where it does not.
pub async fn client_reference_is_carried_or_refused(t: &Target<'_>) {
    let to = customer(143);
    open_window(t, &to).await;
    let message = OutboundMessage::new(to, Content::text("with a reference"))
        .with_client_reference("conformance-ref-1");
    let requests = t.sandbox.requests_of(t.emulation);
    let declared = t.provider.capabilities().client_reference;
    match t.provider.send(&message).await {
        Ok(receipt) => {
            assert!(declared, "a client reference was accepted but not declared");
            let stored = t
                .sandbox
                .message(receipt.id.as_str())
                .expect("the message is stored");
            assert_eq!(
                stored.client_reference.as_deref(),
                Some("conformance-ref-1"),
                "the reference did not reach the provider"
            );
        }
        Err(e) => {
            assert!(!declared, "a declared client reference was refused: {e}");
            assert!(matches!(e.kind(), ErrorKind::Unsupported { .. }), "{e:?}");
            assert_eq!(
                t.sandbox.requests_of(t.emulation),
                requests,
                "a refused reference reached the network"
            );
        }
    }
}

/// Template text parameters WhatsApp refuses (a newline, a tab, more than four consecutive
/// spaces: Meta's 132018) fail validation before any request, and the provider refuses
/// them too when validation is off; so does a number of body parameters the registered
/// template does not take (Meta's 132000).
pub async fn template_parameter_rules_hold_before_and_at_the_provider(t: &Target<'_>) {
    if !t
        .provider
        .capabilities()
        .content
        .contains(ContentKind::Template)
    {
        return;
    }
    let to = customer(142);
    let requests = t.sandbox.requests_of(t.emulation);
    let e = expect_kind(
        "newline in a parameter",
        client(t, 1)
            .send(&OutboundMessage::new(
                to.clone(),
                Content::template("order_update", "en_US", ["line one\nline two"]),
            ))
            .await,
        &ErrorKind::InvalidRequest {
            field: Some("content.components[0].parameters[0].text".into()),
        },
    );
    assert!(e.to_string().contains("newline"), "{e}");
    assert_eq!(
        t.sandbox.requests_of(t.emulation),
        requests,
        "an invalid template parameter reached the network"
    );
    let unchecked = Client::builder(t.provider.clone())
        .no_rate_limit()
        .retry(RetryPolicy::none())
        .validate(false)
        .build();
    t.sandbox
        .add_template_with_parameters("conformance_two", "en_US", 2);
    for (what, parameters) in [
        ("a newline", vec!["line one\nline two", "x"]),
        ("a tab", vec!["a\tb", "x"]),
        ("five spaces", vec!["a     b", "x"]),
        ("one body parameter of two", vec!["x"]),
        ("three body parameters of two", vec!["x", "y", "z"]),
    ] {
        let before = outbound_count(t);
        let e = unchecked
            .send(&OutboundMessage::new(
                to.clone(),
                Content::template("conformance_two", "en_US", parameters),
            ))
            .await
            .expect_err(what);
        assert!(
            matches!(e.kind(), ErrorKind::InvalidRequest { .. }),
            "{what}: {e:?}"
        );
        assert_eq!(outbound_count(t), before, "{what}: stored");
    }
    unchecked
        .send(&OutboundMessage::new(
            to,
            Content::template("conformance_two", "en_US", ["x", "y    z"]),
        ))
        .await
        .expect("two body parameters, four spaces");
}

/// A broadcast of 500 recipients with injected failures returns 500 outcomes, in order;
/// every success is stored.
pub async fn broadcast_returns_one_outcome_per_recipient(t: &Target<'_>) {
    let rate = t.sandbox.rate_limit();
    t.sandbox.set_rate_limit(None);
    let recipients: Vec<_> = (1000..1500).map(customer).collect();
    let content = Content::template("hello_world", "en_US", Vec::<String>::new());
    let native = t.provider.capabilities().broadcast;
    // A fan-out fails per recipient; the provider's own fan-out is one request, which fails whole.
    let faults = if native {
        Faults {
            fail_next: 1,
            error_status: 503,
            ..Faults::default()
        }
    } else {
        Faults {
            error_rate: 0.1,
            error_status: 503,
            ..Faults::default()
        }
    };
    t.sandbox.set_faults(faults);
    let outcomes = client(t, 1).broadcast(&recipients, &content).await;
    let failed = check_outcomes(t, &recipients, &outcomes);
    if native {
        assert_eq!(
            failed, 500,
            "the injected failure fails the one broadcast request"
        );
        t.sandbox.set_faults(Faults::default());
        let outcomes = client(t, 1).broadcast(&recipients, &content).await;
        assert_eq!(check_outcomes(t, &recipients, &outcomes), 0);
    } else {
        assert!(
            failed > 0 && failed < 500,
            "the injected failures show: {failed}"
        );
    }
    t.sandbox.set_faults(Faults::default());
    t.sandbox.set_rate_limit(rate);
}

/// Checks one outcome per recipient, in order, successes stored; returns the failures.
fn check_outcomes(
    t: &Target<'_>,
    recipients: &[PhoneNumber],
    outcomes: &[waba_core::BroadcastOutcome],
) -> usize {
    assert_eq!(outcomes.len(), recipients.len());
    let mut failed = 0;
    for (o, r) in outcomes.iter().zip(recipients) {
        assert_eq!(&o.to, r, "outcomes out of order");
        match &o.result {
            Ok(receipt) => assert!(
                t.sandbox.message(receipt.id.as_str()).is_some(),
                "unstored id {}",
                receipt.id
            ),
            Err(e) => {
                assert_eq!(e.kind(), &ErrorKind::Server, "{e}");
                failed += 1;
            }
        }
    }
    failed
}

/// Each optional operation works when declared and is `Unsupported` when not.
pub async fn optional_operations_match_capabilities(t: &Target<'_>) {
    let caps = t.provider.capabilities().clone();
    let p = &t.provider;
    let inbound = t
        .sandbox
        .inject_inbound(t.emulation, &customer(107), "read me")
        .await
        .expect("inbound");
    let inbound_id = waba_types::MessageId::from(inbound.id.as_str());
    let unsupported = |r: Result<(), Error>, flag: bool, op: &str| match (flag, r) {
        (true, Ok(())) => {}
        (true, Err(e)) => panic!("{op}: declared but failed: {e}"),
        (false, Ok(())) => panic!("{op}: not declared but worked"),
        (false, Err(e)) => assert!(
            matches!(e.kind(), ErrorKind::Unsupported { .. }),
            "{op}: {e}"
        ),
    };
    unsupported(p.mark_read(&inbound_id).await, caps.mark_read, "mark_read");
    unsupported(
        p.typing_indicator(&inbound_id).await,
        caps.typing_indicator,
        "typing_indicator",
    );
    let data = Bytes::from_static(b"\x89PNG\r\n\x1a\n sandbox image");
    let uploaded = p
        .upload_media(MediaUpload::new(
            MediaKind::Image,
            "image/png",
            data.clone(),
        ))
        .await;
    match (caps.upload_media, uploaded) {
        (true, Ok(id)) => {
            let downloaded = p.download_media(&id).await;
            match (caps.download_media, downloaded) {
                (true, Ok(d)) => assert_eq!(d.data, data, "downloaded bytes differ"),
                (true, Err(e)) => panic!("download_media: declared but failed: {e}"),
                (false, r) => assert!(r.is_err()),
            }
        }
        (true, Err(e)) => panic!("upload_media: declared but failed: {e}"),
        (false, Ok(_)) => panic!("upload_media: not declared but worked"),
        (false, Err(e)) => assert!(
            matches!(e.kind(), ErrorKind::Unsupported { .. }),
            "upload_media: {e}"
        ),
    }
    let checked = p.check_contacts(&[customer(108)]).await;
    assert_eq!(
        caps.check_contacts,
        checked.is_ok(),
        "check_contacts vs capability: {checked:?}"
    );
    match (caps.list_templates, p.list_templates().await) {
        (true, Ok(_)) => {}
        (true, Err(e)) => panic!("list_templates: declared but failed: {e}"),
        (false, Ok(_)) => panic!("list_templates: not declared but worked"),
        (false, Err(e)) => assert!(
            matches!(e.kind(), ErrorKind::Unsupported { .. }),
            "list_templates: {e}"
        ),
    }
    match (caps.health, p.health().await) {
        (true, Ok(_)) => {}
        (true, Err(e)) => panic!("health: declared but failed: {e}"),
        (false, r) => undeclared("health", r),
    }
    // The others change the account (a template, a message, where webhooks go): checked
    // here only where undeclared, which must refuse before any request.
    if !caps.create_template {
        undeclared(
            "create_template",
            p.create_template(&serde_json::json!({"name": "x", "language": "en"}))
                .await,
        );
    }
    if !caps.send_raw {
        let raw = serde_json::json!({"body": "hi"});
        undeclared("send_raw", p.send_raw(&customer(109), "text", &raw).await);
    }
    if !caps.webhook_settings {
        undeclared("webhook", p.webhook().await);
        let settings = waba_core::WebhookSettings {
            url: "https://bot.example.com/wa".into(),
            headers: Vec::new(),
        };
        undeclared("set_webhook", p.set_webhook(&settings).await);
    }
}

/// An operation the capabilities leave out answered `Unsupported`.
fn undeclared<T: std::fmt::Debug>(operation: &str, result: Result<T, Error>) {
    match result {
        Err(e) if matches!(e.kind(), ErrorKind::Unsupported { .. }) => {}
        other => panic!("{operation}: not declared, expected unsupported, got {other:?}"),
    }
}

/// The provider's status webhooks, decoded with `waba-webhook`, arrive for a sent id, in
/// order, up to delivered (or read, where the provider reports reads).
pub async fn status_webhooks_arrive_for_sent_ids(t: &Target<'_>) {
    let (router, mut events) =
        waba_webhook::receiver::Receiver::builder(t.decoder.clone(), t.verifier.clone()).build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    t.sandbox
        .set_webhook(t.emulation, url, Vec::new())
        .expect("the emulation exists");
    let to = customer(109);
    open_window(t, &to).await;
    let receipt = client(t, 1)
        .send(&OutboundMessage::new(to, Content::text("track me")))
        .await
        .expect("sent");
    let mut seen: Vec<DeliveryStatus> = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let delivered = DeliveryStatus::Delivered.progress();
    while !seen
        .iter()
        .any(|s: &DeliveryStatus| s.progress() >= delivered)
    {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "no read status for {} within 10 s; saw {seen:?}",
                    receipt.id
                )
            })
            .expect("the receiver runs");
        if let Event::Status(s) = event.event
            && s.message_id == receipt.id
        {
            seen.push(s.status.clone());
        }
    }
    let order: Vec<_> = seen.iter().filter_map(DeliveryStatus::progress).collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "statuses out of order: {seen:?}"
    );
    server.abort();
}

fn to_user(user: &UserId, content: Content) -> OutboundMessage {
    OutboundMessage {
        to: Recipient::User(user.clone()),
        from: None,
        content,
        reply_to: None,
        client_reference: None,
    }
}

/// A customer known only by a business-scoped user id (a username, no phone number): where
/// the provider has user ids and the sandbox emulates them, the customer's message arrives
/// with the user id, opens the customer window for that id, can be answered by user id, and
/// the answer's status names the customer by user id. Where the provider has no user ids, a
/// message to one is refused locally as unsupported and nothing reaches the provider.
pub async fn user_id_customers_are_received_answered_and_tracked(t: &Target<'_>) {
    let caps = t.provider.capabilities().clone();
    let user = UserId::from("US.13491208655302741918");
    if !caps.user_ids || t.sandbox.check_user_id(t.emulation, &user).is_err() {
        // Without user ids (or, for generic v2, outside its template route), a free-form
        // message to a user id never leaves the process.
        let before = outbound_count(t);
        let result = client(t, 1)
            .send(&to_user(&user, Content::text("hello")))
            .await;
        match result {
            Err(e) if matches!(e.kind(), ErrorKind::Unsupported { .. }) => {}
            other => panic!("a text to a user id: expected unsupported, got {other:?}"),
        }
        assert_eq!(outbound_count(t), before, "refused locally, nothing sent");
        return;
    }
    let (router, mut events) =
        waba_webhook::receiver::Receiver::builder(t.decoder.clone(), t.verifier.clone()).build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    t.sandbox
        .set_webhook(t.emulation, url, Vec::new())
        .expect("the emulation exists");
    let window = Arc::new(CustomerWindow::new());
    let client = Client::builder(t.provider.clone())
        .no_rate_limit()
        .customer_window(window.clone())
        .build();

    // Before the customer writes, the window for the user id is closed: refused locally.
    let before = outbound_count(t);
    let closed = client
        .send(&to_user(&user, Content::text("too early")))
        .await;
    expect_kind(
        "a text to a user id that never wrote",
        closed,
        &ErrorKind::OutsideCustomerWindow,
    );
    assert_eq!(outbound_count(t), before, "refused locally, nothing sent");

    // Received: the message names the customer by user id only.
    let inbound = t
        .sandbox
        .inject_inbound_from_user(t.emulation, &user, "hi, I have no phone number here")
        .await
        .expect("the emulation has user ids");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let message = loop {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .unwrap_or_else(|_| panic!("no message {} within 10 s", inbound.id))
            .expect("the receiver runs");
        if let Event::Message(m) = &event.event
            && m.id.as_str() == inbound.id
        {
            break event.event;
        }
    };
    let customer = message.customer().expect("the message names its sender");
    assert_eq!(customer.user_id.as_ref(), Some(&user), "{message:?}");
    assert_eq!(
        customer.wa_id, None,
        "a username-only customer has no phone id"
    );

    // Tracked and answered: the window opens for the user id, and the answer goes by it.
    window.observe(&message);
    assert!(window.is_open_for(&Recipient::User(user.clone())));
    let receipt = client
        .send(&to_user(&user, Content::text("thanks, on it")))
        .await
        .expect("an answer by user id is sent");
    let stored = t
        .sandbox
        .messages_of(t.emulation)
        .into_iter()
        .find(|m| m.id == receipt.id.as_str())
        .expect("the sandbox stored the answer");
    assert_eq!(stored.customer, user.as_str(), "addressed by user id");

    // The answer's status names the customer by user id, so it is matched to them.
    let status = loop {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .unwrap_or_else(|_| panic!("no status for {} within 10 s", receipt.id))
            .expect("the receiver runs");
        if let Event::Status(s) = &event.event
            && s.message_id == receipt.id
        {
            break event.event;
        }
    };
    assert_eq!(
        status.customer().and_then(|c| c.user_id),
        Some(user),
        "{status:?}"
    );
    server.abort();
}
