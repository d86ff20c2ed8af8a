//! The conformance suite, and login, logout, health, contacts and groups, against the
//! sandbox's on-prem emulation.

use std::sync::Arc;

use waba_auth::SecretString;
use waba_core::{ContactStatus, ErrorKind, Provider, SharedProvider};
use waba_provider_onprem::{OnPremConfig, OnPremProvider};
use waba_sandbox::{OnPremAccount, Sandbox, SandboxHandle};
use waba_testkit::conformance::{self, Target};
use waba_types::{Content, OutboundMessage, Recipient};

fn config(s: &SandboxHandle, password: &str) -> OnPremConfig {
    let a = s.onprem();
    OnPremConfig::new()
        .with_base_url(s.url("onprem"))
        .with_login(a.username.clone(), SecretString::from(password.to_owned()))
        .with_namespace(a.namespace.clone())
        .with_api_key(SecretString::from(a.api_key.clone()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onprem_passes_the_conformance_suite() {
    let sandbox = Sandbox::builder().start().await.unwrap();
    let password = sandbox.onprem().password.clone();
    let target = Target {
        sandbox: &sandbox,
        emulation: "onprem",
        provider: SharedProvider::new(OnPremProvider::new(config(&sandbox, &password)).unwrap()),
        bad_credentials: SharedProvider::new(
            OnPremProvider::new(config(&sandbox, "wrong-password")).unwrap(),
        ),
        decoder: Arc::new(waba_webhook::OnPremDecoder),
        verifier: Arc::new(waba_webhook::Unverified),
    };
    conformance::run(&target).await;
}

#[tokio::test]
async fn tokens_expire_and_logout_revokes_them() {
    let account = OnPremAccount {
        token_lifetime_secs: 1,
        ..OnPremAccount::default()
    };
    let sandbox = Sandbox::builder()
        .onprem(account.clone())
        .enforce_window(false)
        .lifecycle(None)
        .start()
        .await
        .unwrap();
    let p = OnPremProvider::new(config(&sandbox, &account.password)).unwrap();
    let msg = OutboundMessage::new("+16315551002".parse().unwrap(), Content::text("hi"));
    p.send(&msg).await.unwrap();
    // The one-second token is due at once (90 % of its life); the next send logs in again.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    p.send(&msg).await.unwrap();
    p.logout().await.unwrap();
    p.send(&msg).await.expect("logged in again after logout");
}

#[tokio::test]
async fn health_contacts_and_groups() {
    let sandbox = Sandbox::builder().lifecycle(None).start().await.unwrap();
    let password = sandbox.onprem().password.clone();
    let p = OnPremProvider::new(config(&sandbox, &password)).unwrap();
    let health = p.health().await.unwrap();
    assert_eq!(health["gateway_status"], "connected");

    let gone: waba_types::PhoneNumber = "+16315550404".parse().unwrap();
    sandbox.set_on_whatsapp(&gone, false);
    let checks = p
        .check_contacts(&["+16315551002".parse().unwrap(), gone])
        .await
        .unwrap();
    assert_eq!(checks[0].status, ContactStatus::Valid);
    assert_eq!(checks[0].wa_id.as_ref().unwrap().as_str(), "16315551002");
    assert_eq!(checks[1].status, ContactStatus::Invalid);

    let mut msg = OutboundMessage::new("+16315551002".parse().unwrap(), Content::text("hi all"));
    msg.to = Recipient::Group("16315558888-1750000000".into());
    let r = p.send(&msg).await.unwrap();
    assert_eq!(
        sandbox.message(r.id.as_str()).unwrap().body["recipient_type"],
        "group"
    );

    let no_groups = OnPremProvider::new(config(&sandbox, &password).with_groups(false)).unwrap();
    let client = waba_core::Client::new(SharedProvider::new(no_groups));
    let err = client.send(&msg).await.unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::Unsupported {
            capability: "group messages".into()
        }
    );
}

#[tokio::test]
async fn configuration_errors_are_clear() {
    let err = OnPremProvider::new(OnPremConfig::new()).unwrap_err();
    assert!(err.to_string().contains("WABA_ONPREM_BASE_URL"), "{err}");
    let err = OnPremProvider::new(OnPremConfig::new().with_base_url("http://h")).unwrap_err();
    assert!(err.to_string().contains("WABA_ONPREM_USERNAME"), "{err}");
    let short = OnPremConfig::new()
        .with_base_url("http://h")
        .with_login("admin", SecretString::from("pw"))
        .with_api_key(SecretString::from("too-short"));
    let err = OnPremProvider::new(short).unwrap_err();
    assert_eq!(
        err.to_string(),
        "configuration error: the on-prem API key has 9 characters; it must have 12 to 128"
    );
    let c = OnPremConfig::new()
        .with_login("admin", SecretString::from("hunter2-secret"))
        .with_api_key(SecretString::from("k".repeat(20)));
    assert!(!format!("{c:?}").contains("hunter2"));
    let no_namespace = OnPremProvider::new(
        OnPremConfig::new()
            .with_base_url("http://h")
            .with_login("a", SecretString::from("p")),
    )
    .unwrap();
    let err = no_namespace
        .codec()
        .encode_send(&OutboundMessage::new(
            "+16315551002".parse().unwrap(),
            Content::template("t", "en", ["x"]),
        ))
        .unwrap_err();
    assert!(err.to_string().contains("WABA_ONPREM_NAMESPACE"), "{err}");
}
