//! `Config`: TOML and environment, errors that name the fix, no secret printed, and the
//! same code sending through different providers by configuration alone.

use proptest::prelude::*;
use waba::{Config, Content, OutboundMessage, Provider, ProviderId, StateBackend};

#[test]
fn toml_sections_become_provider_keys_and_the_environment_wins() {
    let c = Config::from_toml(
        r#"
        provider = "cloud"
        rate_limit = 20
        [cloud]
        access_token = "from-file"
        phone_number_id = "106540352242922"
        [mobile-gateway]
        source = "1234567890"
        "#,
    )
    .unwrap();
    assert_eq!(c.get("WABA_CLOUD_ACCESS_TOKEN"), Some("from-file"));
    assert_eq!(c.get("WABA_MOBILE_GATEWAY_SOURCE"), Some("1234567890"));
    assert_eq!(c.get("WABA_RATE_LIMIT"), Some("20"));
    let c = c.with("WABA_CLOUD_ACCESS_TOKEN", "from-env");
    assert_eq!(c.get("WABA_CLOUD_ACCESS_TOKEN"), Some("from-env"));
    assert_eq!(c.provider().unwrap().id(), ProviderId::from_static("cloud"));
}

#[test]
fn errors_say_what_to_fix() {
    let e = Config::new().provider().unwrap_err();
    assert!(e.to_string().contains("set WABA_PROVIDER"), "{e}");
    let e = Config::new()
        .with("WABA_PROVIDER", "whatsapp-web")
        .provider()
        .unwrap_err();
    assert!(
        e.to_string().contains("unknown provider \"whatsapp-web\""),
        "{e}"
    );
    let e = Config::from_toml("[twilio]\nx = 1").unwrap_err();
    assert!(e.to_string().contains("unknown section [twilio]"), "{e}");
    let e = Config::from_toml("provider = ").unwrap_err();
    assert!(e.to_string().contains("not valid TOML"), "{e}");
    let e = Config::new()
        .with("WABA_PROVIDER", "cloud")
        .provider()
        .unwrap_err();
    assert!(e.to_string().contains("WABA_CLOUD_ACCESS_TOKEN"), "{e}");
    assert!(e.to_string().contains("access_token"), "{e}");
    let e = Config::new()
        .with("WABA_PROVIDER", "cloud")
        .with("WABA_CLOUD_ACCESS_TOKEN", "t")
        .with("WABA_CLOUD_PHONE_NUMBER_ID", "1")
        .with("WABA_RATE_LIMIT", "fast")
        .client()
        .unwrap_err();
    assert!(e.to_string().contains("WABA_RATE_LIMIT"), "{e}");
    assert!(e.to_string().contains("whole number"), "{e}");
}

/// A misspelt key in the file is an error naming it as written, with the likely key.
#[test]
fn unknown_keys_in_the_file_are_errors_with_a_suggestion() {
    let e = Config::from_toml(
        "provider = \"cloud\"\n[cloud]\nacess_token = \"t\"\nphone_number_id = \"1\"",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown key `cloud.acess_token`; did you mean `access_token`?"
    );
    let e = Config::from_toml("rate_limt = 5").unwrap_err();
    assert!(e.to_string().contains("did you mean `rate_limit`"), "{e}");
    let e = Config::from_toml("[clod]\naccess_token = \"t\"").unwrap_err();
    assert!(e.to_string().contains("unknown section [clod]"), "{e}");
    assert!(e.to_string().contains("did you mean `cloud`"), "{e}");
    // Sections may be written with `_` for `-`.
    let c = Config::from_toml("[mobile_gateway]\nsource = \"12\"").unwrap();
    assert_eq!(c.get("WABA_MOBILE_GATEWAY_SOURCE"), Some("12"));
}

/// The same mistakes in the environment are named by their variable.
#[test]
fn unknown_variables_are_named_as_variables() {
    let vars = |v: &[(&str, &str)]| {
        Config::from_vars(v.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
    };
    let e = vars(&[("WABA_CLOUD_ACESS_TOKEN", "t")]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown key WABA_CLOUD_ACESS_TOKEN; did you mean `WABA_CLOUD_ACCESS_TOKEN`?"
    );
    let e = vars(&[("WABA_RATE_LIMT", "5")]).unwrap_err();
    assert!(e.to_string().contains("WABA_RATE_LIMIT"), "{e}");
    // The longest provider prefix wins: generic-v2 is not a provider called `generic`.
    let c = vars(&[("WABA_GENERIC_V2_ACCESS_TOKEN", "t")]).unwrap();
    assert_eq!(c.get("WABA_GENERIC_V2_ACCESS_TOKEN"), Some("t"));
    // The application's own WABA_* variables are left alone.
    let c = vars(&[("WABA_ID", "1234"), ("WABA_PROVIDER", "cloud")]).unwrap();
    assert_eq!(c.provider_name().unwrap(), "cloud");
}

/// A value outside a key's words is an error, never a silent default; named as written.
#[test]
fn enum_values_outside_their_words_are_errors() {
    let e = Config::from_vars([("WABA_ENABLEX_AUTH".to_owned(), "tokn".to_owned())]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "WABA_ENABLEX_AUTH takes one of basic, token, not \"tokn\""
    );
    let e = Config::from_toml("[mobile-gateway]\nrecipient_field = \"recipient\"").unwrap_err();
    assert!(
        e.to_string()
            .contains("`mobile-gateway.recipient_field` takes one of destination, to"),
        "{e}"
    );
    let e = Config::from_toml("[onprem]\ngroups = \"maybe\"").unwrap_err();
    assert!(e.to_string().contains("takes true or false"), "{e}");
    // The adapters' own lookups refuse it too, for users who build them by hand.
    let e = waba::enablex::EnableXConfig::from_lookup(|k| {
        (k == "WABA_ENABLEX_AUTH").then(|| "tokn".to_owned())
    })
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("WABA_ENABLEX_AUTH takes one of basic, token"),
        "{e}"
    );
}

/// A base URL with credentials in it is refused, and the secret is shown nowhere.
#[test]
fn a_secret_in_a_base_url_is_refused_and_never_shown() {
    let e = Config::from_toml(
        "provider = \"cloud\"\n[cloud]\nbase_url = \"http://user:hunter2@127.0.0.1:9/\"",
    )
    .unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(shown.contains("must not carry credentials"), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");
    // Set in code, it is caught when the provider is built, still without the secret.
    let c = Config::new()
        .with("WABA_PROVIDER", "cloud")
        .with("WABA_CLOUD_ACCESS_TOKEN", "t")
        .with("WABA_CLOUD_PHONE_NUMBER_ID", "1")
        .with("WABA_CLOUD_BASE_URL", "http://user:hunter2@127.0.0.1:9/");
    assert!(!format!("{c:?}").contains("hunter2"));
    let e = c.provider().unwrap_err();
    assert!(!format!("{e} {e:?}").contains("hunter2"), "{e:?}");
    // The adapter refuses it on its own too.
    let e = waba::cloud::CloudProvider::new(
        waba::cloud::CloudConfig::new()
            .with_access_token("t".to_owned().into())
            .with_phone_number_id("1")
            .with_base_url("https://u:hunter2@graph.example/"),
    )
    .unwrap_err();
    assert!(!format!("{e} {e:?}").contains("hunter2"), "{e:?}");
}

/// The file names where each value came from; the environment wins over it.
#[test]
fn origins_are_tracked_and_waba_toml_is_the_default_file() {
    let dir = std::env::temp_dir().join(format!("waba-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("waba.toml");
    std::fs::write(
        &path,
        "provider = \"cloud\"\n[cloud]\naccess_token = \"secret-token\"\nphone_number_id = 106540352242922\n",
    )
    .unwrap();
    let c = Config::load(Some(&path)).unwrap();
    assert_eq!(c.get("WABA_CLOUD_PHONE_NUMBER_ID"), Some("106540352242922"));
    assert_eq!(
        c.origin("WABA_CLOUD_PHONE_NUMBER_ID").unwrap().to_string(),
        format!("`cloud.phone_number_id` in {}", path.display())
    );
    let resolved = c.resolved().unwrap();
    let token = resolved
        .iter()
        .find(|r| r.var == "WABA_CLOUD_ACCESS_TOKEN")
        .unwrap();
    assert_eq!(token.shown, "********");
    std::fs::write(&path, "provider = \"clod\"\n").unwrap();
    let e = Config::load(Some(&path)).unwrap().provider().unwrap_err();
    assert!(
        e.to_string()
            .contains(&format!("`provider` in {}", path.display())),
        "{e}"
    );
    assert!(e.to_string().contains("did you mean `cloud`"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Receiving follows the same configuration: the decoder and verifier of the provider.
#[test]
fn the_receiver_follows_the_configured_provider() {
    let cloud = Config::new()
        .with("WABA_PROVIDER", "cloud")
        .with("WABA_CLOUD_APP_SECRET", "s3cret")
        .with("WABA_CLOUD_VERIFY_TOKEN", "vt");
    let r = cloud.receiver().unwrap();
    assert_eq!(r.decoder.format(), "cloud");
    assert!(r.verified);
    assert_eq!(r.verify_token.as_deref(), Some("vt"));
    let body = b"{}";
    let mut headers = waba::core::http::HeaderMap::new();
    let request = waba::webhook::WebhookRequest::post(&headers, body);
    assert!(
        r.verifier.verify(&request).is_err(),
        "unsigned must be refused"
    );
    let sig = waba::webhook::HubSignature::new("s3cret")
        .unwrap()
        .sign(body);
    headers.insert("x-hub-signature-256", sig.parse().unwrap());
    assert!(
        r.verifier
            .verify(&waba::webhook::WebhookRequest::post(&headers, body))
            .is_ok()
    );
    // Signed providers need the secret.
    let e = Config::new()
        .with("WABA_PROVIDER", "generic-v2")
        .receiver()
        .unwrap_err();
    assert!(e.to_string().contains("WABA_GENERIC_V2_APP_SECRET"), "{e}");
    // An unsigned provider refuses an HMAC secret instead of ignoring it.
    let e = Config::new()
        .with("WABA_PROVIDER", "onprem")
        .with("WABA_ONPREM_APP_SECRET", "s")
        .receiver()
        .unwrap_err();
    // It says why and what applies instead, from the file as from a variable.
    assert!(
        e.to_string().starts_with("WABA_ONPREM_APP_SECRET")
            && e.to_string().contains(
                "does not apply: onprem webhooks are authenticated by headers, not \
                 hmac-sha256; use webhook_headers"
            ),
        "{e}"
    );
    let e = Config::from_toml("provider = \"enablex\"\n[enablex]\nverify_token = \"t\"")
        .and_then(|c| c.receiver())
        .unwrap_err();
    assert!(e.to_string().contains("does not apply"), "{e}");
    assert!(
        e.to_string().contains("use webhook_user, webhook_password"),
        "{e}"
    );
    // Tujenge: the headers it was told to add.
    let r = Config::new()
        .with("WABA_PROVIDER", "tujenge")
        .with("WABA_TUJENGE_WEBHOOK_HEADERS", "X-Hook: abc; X-Other: d")
        .receiver()
        .unwrap();
    assert_eq!(r.decoder.format(), "onprem");
    assert!(r.verified);
    let mut h = waba::core::http::HeaderMap::new();
    h.insert("x-hook", "abc".parse().unwrap());
    assert!(
        r.verifier
            .verify(&waba::webhook::WebhookRequest::post(&h, b"{}"))
            .is_err()
    );
    h.insert("x-other", "d".parse().unwrap());
    assert!(
        r.verifier
            .verify(&waba::webhook::WebhookRequest::post(&h, b"{}"))
            .is_ok()
    );
    // EnableX: Basic credentials, both or neither.
    let e = Config::new()
        .with("WABA_PROVIDER", "enablex")
        .with("WABA_ENABLEX_WEBHOOK_USER", "u")
        .receiver()
        .unwrap_err();
    assert!(
        e.to_string().contains("WABA_ENABLEX_WEBHOOK_PASSWORD"),
        "{e}"
    );
    let r = Config::new()
        .with("WABA_PROVIDER", "mobile-gateway")
        .receiver()
        .unwrap();
    assert!(!r.verified);
}

#[test]
fn the_state_backend_is_memory_by_default_and_redis_needs_a_url() {
    assert_eq!(Config::new().state().unwrap(), StateBackend::Memory);
    let c = Config::from_toml("state = \"redis\"\nredis_url = \"redis://cache:6379\"").unwrap();
    assert_eq!(
        c.state().unwrap(),
        StateBackend::Redis {
            url: "redis://cache:6379".to_owned()
        }
    );
    let e = Config::new()
        .with("WABA_STATE", "redis")
        .state()
        .unwrap_err();
    assert!(
        e.to_string().contains("needs redis_url (WABA_REDIS_URL)"),
        "{e}"
    );
    let e = Config::new()
        .with("WABA_STATE", "etcd")
        .state()
        .unwrap_err();
    assert!(e.to_string().contains("not \"etcd\""), "{e}");
}

proptest! {
    #[test]
    fn debug_never_shows_a_secret(secret in "[A-Za-z0-9]{12,40}") {
        let c = Config::new()
            .with("WABA_CLOUD_ACCESS_TOKEN", secret.clone())
            .with("WABA_ONPREM_PASSWORD", secret.clone())
            .with("WABA_ENABLEX_APP_KEY", secret.clone())
            .with("WABA_GENERIC_V2_ACCESS_TOKEN", secret.clone())
            .with("WABA_CLOUD_APP_SECRET", secret.clone())
            .with("WABA_REDIS_URL", format!("redis://app:{secret}@cache:6379"));
        let shown = format!("{c:?}");
        prop_assert!(!shown.contains(&secret), "secret in {}", shown);
    }
}

#[tokio::test]
async fn switching_provider_is_changing_configuration() {
    let sandbox = waba_sandbox::Sandbox::builder()
        .enforce_window(false)
        .lifecycle(None)
        .start()
        .await
        .unwrap();
    let cloud = sandbox.cloud().clone();
    let onprem = sandbox.onprem().clone();
    let configs = [
        Config::new()
            .with("WABA_PROVIDER", "cloud")
            .with("WABA_CLOUD_BASE_URL", sandbox.url("cloud"))
            .with("WABA_CLOUD_ACCESS_TOKEN", cloud.access_token)
            .with("WABA_CLOUD_PHONE_NUMBER_ID", cloud.phone_number_id),
        Config::new()
            .with("WABA_PROVIDER", "onprem")
            .with("WABA_ONPREM_BASE_URL", sandbox.url("onprem"))
            .with("WABA_ONPREM_USERNAME", onprem.username)
            .with("WABA_ONPREM_PASSWORD", onprem.password),
    ];
    for config in configs {
        // The application code: the same for every provider.
        let client = config.client().unwrap();
        let receipt = client
            .send(&OutboundMessage::new(
                "+16315551002".parse().unwrap(),
                Content::text("Hello"),
            ))
            .await
            .unwrap();
        let stored = sandbox.message(receipt.id.as_str()).unwrap();
        assert_eq!(stored.provider, config.provider_name().unwrap());
    }
}

/// Found by the `config_toml` fuzz target: a variable with a dot was split into a section and
/// a key, so `WABA_CLOUD.ACCESS_TOKEN` set `WABA_CLOUD_ACCESS_TOKEN`, a variable never set.
#[test]
fn a_variable_is_read_under_its_own_name_only() {
    let c = Config::from_vars([
        ("WABA_CLOUD.ACCESS_TOKEN".to_owned(), "t".to_owned()),
        ("WABA_APP.SETTING".to_owned(), "1".to_owned()),
    ])
    .unwrap();
    assert_eq!(c.get("WABA_CLOUD_ACCESS_TOKEN"), None);
    assert_eq!(c.get("WABA_APP_SETTING"), None);
    assert_eq!(c.get("WABA_APP.SETTING"), Some("1"));
}

/// A provider of the test's own, outside the facade: its build says whether it was given a
/// transport and what its key was, as an error `Config` passes back unchanged.
mod outside {
    use waba::core::spec::Lookup;
    use waba::core::{ConfigKey, SharedTransport, WebhookAuth, WebhookSpec};
    use waba::{Error, ProviderSpec, SharedProvider};

    #[allow(clippy::needless_pass_by_value, reason = "the shape of a spec's build")]
    fn build(get: Lookup<'_>, transport: Option<SharedTransport>) -> Result<SharedProvider, Error> {
        Err(Error::config(format!(
            "built with key {:?}, {}",
            SPEC.read(get, "api_key")?.unwrap_or_default(),
            if transport.is_some() {
                "over the given transport"
            } else {
                "over the default transport"
            }
        )))
    }

    pub(crate) static SPEC: ProviderSpec = ProviderSpec {
        name: "outside",
        title: "a provider outside the facade",
        keys: &[ConfigKey::required("api_key", "its key").secret()],
        build,
        webhook: WebhookSpec {
            format: "cloud",
            auth: WebhookAuth::None,
        },
    };

    /// The same name as a built-in provider, to replace it.
    pub(crate) static CLOUD: ProviderSpec = ProviderSpec {
        name: "cloud",
        ..SPEC
    };
}

#[test]
fn a_provider_outside_the_facade_is_registered_with_one_line() {
    let vars = || {
        [
            ("WABA_PROVIDER", "outside"),
            ("WABA_OUTSIDE_API_KEY", "k-1"),
            ("WABA_RATE_LIMIT", "5"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    };
    // Not built in: its variables belong to no provider, so it is simply unknown.
    let e = Config::from_vars(vars()).unwrap().provider().unwrap_err();
    assert!(
        e.to_string().contains("unknown provider \"outside\""),
        "{e}"
    );

    let providers = waba::Providers::builtin().with(&outside::SPEC);
    assert!(
        providers.names().ends_with(", outside"),
        "{}",
        providers.names()
    );
    let config = providers.from_vars(vars()).unwrap();
    assert_eq!(config.provider_name().unwrap(), "outside");
    let e = config.provider().unwrap_err();
    assert!(
        e.to_string()
            .contains("built with key \"k-1\", over the default transport"),
        "{e}"
    );
    // A secret of its spec is masked like a built-in one's.
    assert!(!format!("{config:?}").contains("k-1"), "{config:?}");

    // The transport given to Config reaches the spec's build.
    let stub = waba::transport::SharedTransport::new(NoNetwork);
    let e = config.with_transport(stub).provider().unwrap_err();
    assert!(e.to_string().contains("over the given transport"), "{e}");

    // Its keys are checked as the built-in ones: a misspelling gets a suggestion.
    let e = providers
        .from_toml("provider = \"outside\"\n[outside]\napi_kye = \"k\"")
        .unwrap_err();
    assert!(e.to_string().contains("did you mean `api_key`"), "{e}");

    // A spec with a built-in name replaces it, in place.
    let replaced = waba::Providers::builtin().with(&outside::CLOUD);
    assert_eq!(replaced.names(), waba::Providers::builtin().names());
    assert_eq!(replaced.get("cloud").unwrap().title, outside::SPEC.title);
}

/// A transport that is never called: the spec above never sends.
#[derive(Debug)]
struct NoNetwork;

#[async_trait::async_trait]
impl waba::transport::HttpTransport for NoNetwork {
    async fn send(
        &self,
        _request: http::Request<bytes::Bytes>,
    ) -> Result<http::Response<bytes::Bytes>, waba::core::TransportError> {
        Err(waba::core::TransportError::new(
            waba::core::TransportErrorKind::Connect,
            "no network in this test",
        ))
    }
}
