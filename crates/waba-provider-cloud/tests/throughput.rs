//! A broadcast configured above the provider's throughput, against the sandbox: the rate
//! limiter adapts, and being throttled fails no one.

use waba_auth::SecretString;
use waba_core::{Client, SharedProvider};
use waba_provider_cloud::{CloudConfig, CloudProvider};
use waba_sandbox::Sandbox;
use waba_types::{Content, PhoneNumber};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcast_above_the_providers_rate_fails_no_one() {
    // 1,000 recipients at a configured 2,000/s against a sandbox taking 200/s: a few seconds.
    let sandbox = Sandbox::builder()
        .rate_limit(Some(200))
        .lifecycle(None)
        .start()
        .await
        .unwrap();
    let account = sandbox.cloud();
    let provider = CloudProvider::new(
        CloudConfig::new()
            .with_base_url(sandbox.url("cloud"))
            .with_access_token(SecretString::from(account.access_token.clone()))
            .with_phone_number_id(account.phone_number_id.clone()),
    )
    .unwrap();
    let client = Client::builder(SharedProvider::new(provider))
        .rate_limit(2000)
        .build();
    let recipients: Vec<PhoneNumber> = (0..1000)
        .map(|n| PhoneNumber::parse(&format!("+1631555{n:04}")).unwrap())
        .collect();
    let outcomes = client
        .broadcast(
            &recipients,
            &Content::template("hello_world", "en_US", Vec::<String>::new()),
        )
        .await;
    let failed: Vec<_> = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().err())
        .collect();
    assert!(
        failed.is_empty(),
        "{} failed, first: {}",
        failed.len(),
        failed[0]
    );
    let stats = client.rate_limiter().unwrap().stats("").unwrap();
    assert!(stats.throttled > 0, "the sandbox throttled: {stats:?}");
    assert!(stats.current < 1000.0, "the rate came down: {stats:?}");
    // Every recipient got the message exactly once.
    let mut stored: Vec<String> = sandbox
        .messages_of("cloud")
        .iter()
        .map(|m| m.customer.clone())
        .collect();
    stored.sort();
    let before = stored.len();
    stored.dedup();
    assert_eq!((before, stored.len()), (1000, 1000));
}
