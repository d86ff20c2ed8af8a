//! Configuration: what is missing or malformed is named; the token never shows.

use waba_auth::SecretString;
use waba_provider_cloud::{CloudConfig, CloudProvider};
use waba_testkit::ReplayTransport;

fn build(c: CloudConfig) -> Result<CloudProvider, waba_core::Error> {
    CloudProvider::with_transport(c, ReplayTransport::new())
}

#[test]
fn missing_and_malformed_settings_are_named() {
    let err = build(CloudConfig::new().with_phone_number_id("1")).unwrap_err();
    assert!(err.to_string().contains("WABA_CLOUD_ACCESS_TOKEN"), "{err}");
    let token = || SecretString::from("t0k3n-secret");
    let err = build(CloudConfig::new().with_access_token(token())).unwrap_err();
    assert!(
        err.to_string().contains("WABA_CLOUD_PHONE_NUMBER_ID"),
        "{err}"
    );
    let err = build(
        CloudConfig::new()
            .with_access_token(token())
            .with_phone_number_id("1/../2"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("is not an id"), "{err}");
    let err = build(
        CloudConfig::new()
            .with_access_token(token())
            .with_phone_number_id("1")
            .with_base_url("nope"),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("takes an http:// or https:// URL"),
        "{err}"
    );
    let err = build(
        CloudConfig::new()
            .with_access_token(token())
            .with_phone_number_id("1")
            .with_api_version("25"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("v25.0"), "{err}");
    assert_eq!(err.kind(), &waba_core::ErrorKind::Config);
}

#[test]
fn from_lookup_reads_every_key_and_debug_hides_the_token() {
    let c = CloudConfig::from_lookup(|k| {
        Some(
            match k {
                "WABA_CLOUD_ACCESS_TOKEN" => "EAAG-very-secret",
                "WABA_CLOUD_PHONE_NUMBER_ID" => "106540352242922",
                "WABA_CLOUD_WABA_ID" => "102290129340398",
                "WABA_CLOUD_BASE_URL" => "http://127.0.0.1:1/cloud",
                "WABA_CLOUD_API_VERSION" => "v24.0",
                _ => return None,
            }
            .to_owned(),
        )
    })
    .unwrap();
    let shown = format!("{c:?}");
    assert!(!shown.contains("very-secret"), "{shown}");
    assert!(
        shown.contains("v24.0") && shown.contains("102290129340398"),
        "{shown}"
    );
    let p = build(c).unwrap();
    assert!(!format!("{p:?}").contains("very-secret"));
    let msg = waba_types::OutboundMessage::new(
        "+16315551002".parse().unwrap(),
        waba_types::Content::text("x"),
    );
    assert_eq!(
        p.codec().encode_send(&msg).unwrap().uri().to_string(),
        "http://127.0.0.1:1/cloud/v24.0/106540352242922/messages"
    );
}
