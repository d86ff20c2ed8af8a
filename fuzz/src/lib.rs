//! The bodies of waba's fuzz targets, one function per untrusted entry point, each taking the
//! fuzzer's bytes and asserting what must hold for any input (more than "no panic" wherever a
//! property exists).
//!
//! They build on stable: `fuzz_targets/*.rs` wrap them for cargo-fuzz (feature `libfuzzer`,
//! nightly, `cargo xtask fuzz`), and `tests/smoke.rs` runs every one over its seeds from
//! `fixtures/` and the committed corpus plus deterministic mutations on every CI run, so the
//! targets never rot.
//!
//! Inputs with several parts (secret, header, body) split them at the first newlines.

use std::sync::OnceLock;

use bytes::Bytes;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use waba::auth::SecretString;
use waba::core::Provider;
use waba::types::{Content, Event, OutboundMessage, PhoneNumber};
use waba::webhook::{
    CloudDecoder, EnableXDecoder, HubSignature, MobileGatewayDecoder, OnPremDecoder, Verifier,
    WebhookDecoder, WebhookRequest, verify_challenge,
};
use waba_testkit::ReplayTransport;

/// A fuzz target: its name (the cargo-fuzz binary), its body, and where its seeds are.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The name, as `cargo fuzz run <name>` takes it.
    pub name: &'static str,
    /// The body: any bytes in, panics only on a broken property.
    pub run: fn(&[u8]),
    /// Seed directories under the repository's `fixtures/`; each file is one seed, as is.
    pub fixtures: &'static [&'static str],
}

/// Every target. `fuzz_targets/` has one file per entry, named after it.
pub const TARGETS: &[Target] = &[
    Target {
        name: "webhook_cloud",
        run: webhook_cloud,
        fixtures: &["cloud/webhooks", "generic-v2/webhooks"],
    },
    Target {
        name: "webhook_onprem",
        run: webhook_onprem,
        fixtures: &["onprem/webhooks", "tujenge/webhooks"],
    },
    Target {
        name: "webhook_enablex",
        run: webhook_enablex,
        fixtures: &["enablex/webhooks"],
    },
    Target {
        name: "webhook_mobile_gateway",
        run: webhook_mobile_gateway,
        fixtures: &["mobile-gateway/webhooks"],
    },
    Target {
        name: "signature",
        run: signature,
        fixtures: &[],
    },
    Target {
        name: "handshake",
        run: handshake,
        fixtures: &[],
    },
    Target {
        name: "phone_parse",
        run: phone_parse,
        fixtures: &[],
    },
    Target {
        name: "phone_region",
        run: phone_region,
        fixtures: &[],
    },
    Target {
        name: "config_toml",
        run: config_toml,
        fixtures: &[],
    },
    Target {
        name: "response_cloud",
        run: response_cloud,
        fixtures: &["cloud/responses"],
    },
    Target {
        name: "response_onprem",
        run: response_onprem,
        fixtures: &["onprem/responses"],
    },
    Target {
        name: "response_tujenge",
        run: response_tujenge,
        fixtures: &["tujenge/responses"],
    },
    Target {
        name: "response_enablex",
        run: response_enablex,
        fixtures: &["enablex/responses"],
    },
    Target {
        name: "response_mobile_gateway",
        run: response_mobile_gateway,
        fixtures: &["mobile-gateway/responses"],
    },
    Target {
        name: "response_generic_v2",
        run: response_generic_v2,
        fixtures: &["generic-v2/responses"],
    },
];

/// Splits `data` at its first `n - 1` newlines into `n` parts (missing parts are empty).
fn parts<const N: usize>(data: &[u8]) -> [&[u8]; N] {
    let mut out = [&[][..]; N];
    let mut rest = data;
    for slot in out.iter_mut().take(N - 1) {
        if let Some(i) = rest.iter().position(|&b| b == b'\n') {
            *slot = &rest[..i];
            rest = &rest[i + 1..];
        } else {
            *slot = rest;
            rest = &[];
        }
    }
    out[N - 1] = rest;
    out
}

/// An id a decoder or adapter returns must be one the input carried: never empty, and, when
/// it is plain text (so JSON writes it as is), found in the input or in one of its base64
/// strings (Mobile Gateway may send a message's content base64-encoded).
fn assert_real_id(id: &str, input: &[u8], what: &str) {
    assert!(!id.is_empty(), "{what}: an empty id");
    let plain = id
        .chars()
        .all(|c| c.is_ascii_graphic() && c != '\\' && c != '"' && c != '/');
    if !plain {
        return;
    }
    let contains = |haystack: &[u8]| haystack.windows(id.len()).any(|w| w == id.as_bytes());
    let mut decoded = Vec::new();
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(input) {
        base64_strings(&json, &mut decoded);
    }
    assert!(
        contains(input) || decoded.iter().any(|d| contains(d)),
        "{what}: id {id:?} is not in the input"
    );
}

/// Every string in `json` that is valid base64, decoded.
fn base64_strings(json: &serde_json::Value, out: &mut Vec<Vec<u8>>) {
    use base64::Engine as _;
    match json {
        serde_json::Value::String(s) => {
            out.extend(base64::engine::general_purpose::STANDARD.decode(s).ok());
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| base64_strings(v, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| base64_strings(v, out)),
        _ => {}
    }
}

fn webhook(decoder: &dyn WebhookDecoder, body: &[u8]) {
    let headers = http::HeaderMap::new();
    let Ok(batch) = decoder.decode(&WebhookRequest::post(&headers, body)) else {
        return;
    };
    for item in &batch.events {
        let json = serde_json::to_value(&item.event).expect("a decoded event serialises");
        let back: Event = serde_json::from_value(json).expect("its JSON form reads back");
        assert_eq!(back, item.event, "the JSON form is lossless");
        if let Some(id) = item.event.message_id() {
            assert_real_id(id.as_str(), body, decoder.format());
        }
    }
    for error in &batch.errors {
        assert!(!error.to_string().is_empty(), "an item error says what");
    }
}

/// `CloudDecoder` over a body (Meta Cloud API, generic v2).
pub fn webhook_cloud(data: &[u8]) {
    webhook(&CloudDecoder, data);
}

/// `OnPremDecoder` over a body (on-prem client, Tujenge).
pub fn webhook_onprem(data: &[u8]) {
    webhook(&OnPremDecoder, data);
}

/// `EnableXDecoder` over a body.
pub fn webhook_enablex(data: &[u8]) {
    webhook(&EnableXDecoder, data);
}

/// `MobileGatewayDecoder` over a body (MO and DLR callbacks).
pub fn webhook_mobile_gateway(data: &[u8]) {
    webhook(&MobileGatewayDecoder, data);
}

/// `secret \n X-Hub-Signature-256 value \n body`: an accepted signature is the HMAC-SHA256
/// of the body under the secret, computed here independently.
pub fn signature(data: &[u8]) {
    let [secret, header, body] = parts::<3>(data);
    // An empty secret is refused when the verifier is built: anyone could sign with it.
    let Ok(verifier) = HubSignature::new(secret) else {
        assert!(secret.is_empty(), "a non-empty secret was refused");
        return;
    };
    let Ok(value) = http::HeaderValue::from_bytes(header) else {
        return;
    };
    let mut headers = http::HeaderMap::new();
    headers.insert(waba::webhook::SIGNATURE_HEADER, value);
    let accepted = verifier
        .verify(&WebhookRequest::post(&headers, body))
        .is_ok();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    let expected = hex(&mac.finalize().into_bytes());
    let given = std::str::from_utf8(header).unwrap_or_default().trim();
    let matches = given
        .strip_prefix("sha256=")
        .is_some_and(|h| h.eq_ignore_ascii_case(&expected));
    if accepted {
        assert!(
            matches,
            "accepted {given:?}, which is not the HMAC of the body"
        );
    }
    if given == format!("sha256={expected}") {
        assert!(accepted, "refused the exact HMAC of the body");
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// `verify token \n query string`: the handshake answers only for the configured token, and
/// then with the query's own `hub.challenge`.
pub fn handshake(data: &[u8]) {
    let [token, query] = parts::<2>(data);
    let (Ok(token), Ok(query)) = (std::str::from_utf8(token), std::str::from_utf8(query)) else {
        return;
    };
    let Ok(challenge) = verify_challenge(query, token) else {
        return;
    };
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let value = |key: &str| {
        pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .next_back()
    };
    assert_eq!(value("hub.mode"), Some("subscribe"));
    assert_eq!(
        value("hub.verify_token"),
        Some(token),
        "accepted another token"
    );
    assert_eq!(value("hub.challenge"), Some(challenge.as_str()));
}

/// `PhoneNumber::parse`: a parsed number is E.164 and re-parses to itself.
pub fn phone_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(number) = PhoneNumber::parse(text) {
        assert_reparses(&number);
    }
    if let Ok(number) = PhoneNumber::from_wa_id(text) {
        assert_reparses(&number);
    }
}

/// `region \n text`: `PhoneNumber::parse_in_region`; a parsed number re-parses to itself.
pub fn phone_region(data: &[u8]) {
    let [region, text] = parts::<2>(data);
    let (Ok(region), Ok(text)) = (std::str::from_utf8(region), std::str::from_utf8(text)) else {
        return;
    };
    if let Ok(number) = PhoneNumber::parse_in_region(text, region) {
        assert_reparses(&number);
    }
}

fn assert_reparses(number: &PhoneNumber) {
    let text = number.as_str();
    assert!(text.starts_with('+'), "{text:?} is not E.164");
    assert!(text.len() <= 16, "{text:?} is longer than E.164 allows");
    assert_eq!(
        PhoneNumber::parse(text).as_ref(),
        Ok(number),
        "does not re-parse to itself"
    );
}

/// `waba::Config::from_toml`, then the provider it names, built: errors, never panics.
pub fn config_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match waba::Config::from_toml(text) {
        Ok(config) => {
            if config.provider_name().is_ok()
                && let Err(e) = config.provider()
            {
                assert!(!e.to_string().is_empty(), "an error says what");
            }
        }
        Err(e) => assert!(!e.to_string().is_empty(), "an error says what"),
    }
}

/// The statuses a response target answers with, chosen by its first byte (low four bits).
pub const STATUSES: [u16; 16] = [
    200, 201, 202, 204, 400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503, 504,
];

/// `status selector byte, body`: one adapter sends a text message and reads that answer
/// (with `Retry-After` when the byte's high bit is set). A success carries an id from the
/// body.
fn response(build: fn(ReplayTransport) -> Option<Box<dyn Provider>>, data: &[u8], login: bool) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let status = STATUSES[usize::from(selector & 15)];
    let mut headers = vec![("content-type", "application/json")];
    if selector & 0x80 != 0 {
        headers.push(("retry-after", "1"));
    }
    let transport = ReplayTransport::new();
    if login {
        transport.push_raw(200, &headers[..1], ONPREM_LOGIN);
    }
    // Twice: a 401 is answered by one refresh and one resend.
    for _ in 0..2 {
        transport.push_raw(status, &headers, Bytes::copy_from_slice(body));
    }
    let provider = build(transport).expect("the adapter's fixed test configuration is valid");
    let to = PhoneNumber::parse("+16315551002").expect("a valid number");
    let message = OutboundMessage::new(to, Content::text("fuzz"));
    if let Ok(receipt) = runtime().block_on(provider.send(&message)) {
        assert_real_id(receipt.id.as_str(), body, provider.id().as_str());
    }
}

const ONPREM_LOGIN: &[u8] =
    br#"{"users":[{"token":"t0k3n","expires_after":"2999-01-01 00:00:00+00:00"}]}"#;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a current-thread runtime")
    })
}

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

fn boxed<P: Provider + 'static>(p: Result<P, waba::Error>) -> Option<Box<dyn Provider>> {
    p.ok().map(|p| Box::new(p) as Box<dyn Provider>)
}

/// The Cloud adapter's answer to a send.
pub fn response_cloud(data: &[u8]) {
    use waba::cloud::{CloudConfig, CloudProvider};
    let build = |t: ReplayTransport| {
        let config = CloudConfig::new()
            .with_access_token(secret("EAAG-token"))
            .with_phone_number_id("106540352242922");
        boxed(CloudProvider::with_transport(config, t))
    };
    response(build, data, false);
}

/// The on-prem adapter's answer to a send (after a scripted login).
pub fn response_onprem(data: &[u8]) {
    use waba::onprem::{OnPremConfig, OnPremProvider};
    let build = |t: ReplayTransport| {
        let config = OnPremConfig::new()
            .with_base_url("https://wa.example.internal:9090")
            .with_login("admin", secret("password"))
            .with_namespace("ns");
        boxed(OnPremProvider::with_transport(config, t))
    };
    response(build, data, true);
}

/// The Tujenge adapter's answer to a send.
pub fn response_tujenge(data: &[u8]) {
    use waba::tujenge::{TujengeConfig, TujengeProvider};
    let build = |t: ReplayTransport| {
        let config = TujengeConfig::new()
            .with_api_key(secret("k-0123456789ab"))
            .with_namespace("ns");
        boxed(TujengeProvider::with_transport(config, t))
    };
    response(build, data, false);
}

/// The EnableX adapter's answer to a send (Basic auth).
pub fn response_enablex(data: &[u8]) {
    use waba::enablex::{EnableXConfig, EnableXProvider};
    let build = |t: ReplayTransport| {
        let config = EnableXConfig::new().with_app("app-id", secret("app-key"));
        boxed(EnableXProvider::with_transport(config, t))
    };
    response(build, data, false);
}

/// The Mobile Gateway adapter's answer to a send.
pub fn response_mobile_gateway(data: &[u8]) {
    use waba::mobile_gateway::{MobileGatewayConfig, MobileGatewayProvider};
    let build = |t: ReplayTransport| {
        let config = MobileGatewayConfig::new()
            .with_base_url("https://api.example.com/rest/wab/v1")
            .with_credentials("user", secret("password"))
            .with_source("1234567890");
        boxed(MobileGatewayProvider::with_transport(config, t))
    };
    response(build, data, false);
}

/// The generic v2 adapter's answer to a send.
pub fn response_generic_v2(data: &[u8]) {
    use waba::generic_v2::{GenericV2Config, GenericV2Provider};
    let build = |t: ReplayTransport| {
        let config = GenericV2Config::new()
            .with_base_url("https://bsp.example.com/v2")
            .with_access_token(secret("token"));
        boxed(GenericV2Provider::with_transport(config, t))
    };
    response(build, data, false);
}
