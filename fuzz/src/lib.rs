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
        name: "receiver",
        run: receiver,
        fixtures: &[],
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
        name: "csv_recipients",
        run: csv_recipients,
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

/// `verify token \n query string`: the handshake answers only for the configured token (never
/// for an empty one: anyone could send it), and then with the query's own `hub.challenge`.
pub fn handshake(data: &[u8]) {
    let [token, query] = parts::<2>(data);
    let (Ok(token), Ok(query)) = (std::str::from_utf8(token), std::str::from_utf8(query)) else {
        return;
    };
    let answer = verify_challenge(query, token).ok();
    let expected = handshake_challenge(query, token);
    assert_eq!(
        answer, expected,
        "the handshake answered other than the query's challenge for the configured token"
    );
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

/// `TOML text`, then optionally a line `---` and `NAME=value` lines (each name read as
/// `WABA_NAME`): `waba::Config::load_with` over a file holding the text and those variables,
/// as `waba` loads its configuration.
///
/// Properties: the file read as text (`Config::from_toml`) is accepted exactly when the file
/// is; an error says where (the file, a variable or a key); an accepted configuration, its
/// resolved settings written back (those from the file as TOML, those from variables as
/// variables), re-reads to the same resolved settings with the same origins; building its
/// provider errors with a message, never panics.
pub fn config_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (toml_text, vars_text) = text.split_once("\n---\n").unwrap_or((text, ""));
    let vars: Vec<(String, String)> = vars_text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (format!("WABA_{k}"), v.to_owned()))
        .collect();
    let path = config_file();
    std::fs::write(&path, toml_text).expect("the temporary directory takes a file");
    let from_file = waba::Config::load_with(Some(&path), Vec::new());
    let from_text = waba::Config::from_toml(toml_text);
    assert_eq!(
        from_file.is_ok(),
        from_text.is_ok(),
        "the same TOML as a file and as text: {from_file:?} / {from_text:?}"
    );
    match waba::Config::load_with(Some(&path), vars) {
        Ok(config) => {
            config_rereads(&config, &path);
            if let Err(e) = config.provider() {
                assert!(!e.to_string().is_empty(), "an error says what");
            }
        }
        Err(e) => assert_says_where(&e.to_string(), &path),
    }
}

/// A file per process (libFuzzer and the smoke test run one input at a time).
fn config_file() -> std::path::PathBuf {
    static PATH: OnceLock<std::path::PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("waba-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("the temporary directory takes a directory");
        dir.join("waba.toml")
    })
    .clone()
}

fn assert_says_where(message: &str, path: &std::path::Path) {
    let names = message.contains(&path.display().to_string())
        || message.contains("WABA_")
        || message.contains('`');
    assert!(names, "the error names no file, variable or key: {message}");
}

/// The resolved settings written back as a file and variables read again: the same values
/// from the same places.
fn config_rereads(config: &waba::Config, path: &std::path::Path) {
    use waba::Origin;
    let Ok(resolved) = config.resolved() else {
        return;
    };
    let mut table = toml::Table::new();
    let mut vars = Vec::new();
    for r in &resolved {
        let value = config
            .get(&r.var)
            .expect("a resolved setting has a value")
            .to_owned();
        match &r.origin {
            Origin::File { key, .. } => match key.split_once('.') {
                Some((section, key)) => {
                    let entry = table
                        .entry(section.to_owned())
                        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                    let toml::Value::Table(section) = entry else {
                        panic!("{section} is both a section and a key");
                    };
                    section.insert(key.to_owned(), toml::Value::String(value));
                }
                None => {
                    table.insert(key.clone(), toml::Value::String(value));
                }
            },
            Origin::Env(var) | Origin::Code(var) => vars.push((var.clone(), value)),
        }
    }
    let text = toml::to_string(&table).expect("a table of strings is TOML");
    std::fs::write(path, &text).expect("the temporary directory takes a file");
    let again = waba::Config::load_with(Some(path), vars).unwrap_or_else(|e| {
        panic!("an accepted configuration, written back, is refused: {e}\n{text}")
    });
    assert_eq!(
        again.resolved().as_ref(),
        Ok(&resolved),
        "re-read to other settings"
    );
    for r in &resolved {
        assert_eq!(again.get(&r.var), config.get(&r.var), "{}", r.var);
    }
}

/// The statuses a response target answers with, chosen by its first byte (low four bits).
pub const STATUSES: [u16; 16] = [
    200, 201, 202, 204, 400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503, 504,
];

/// `selector byte, [status: two bytes], [headers: Name: value lines, then an empty line],
/// body`: one adapter sends a text message and reads that answer. A success carries an id
/// from the body.
///
/// The selector: bits 0-3 a common status ([`STATUSES`]); bit 6 any status instead, from the
/// next two bytes (100 to 999, as HTTP allows); bit 5 header lines before the body in place
/// of `content-type: application/json`; bit 7 a `Retry-After: 1` header.
fn response(build: fn(ReplayTransport) -> Option<Box<dyn Provider>>, data: &[u8], login: bool) {
    let Some((&selector, mut body)) = data.split_first() else {
        return;
    };
    let mut status = STATUSES[usize::from(selector & 15)];
    if selector & 0x40 != 0 {
        let Some((bytes, rest)) = body.split_first_chunk::<2>() else {
            return;
        };
        status = 100 + u16::from_be_bytes(*bytes) % 900;
        body = rest;
    }
    let mut headers = http::HeaderMap::new();
    if selector & 0x20 == 0 {
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
    } else {
        loop {
            let (line, rest) = split_line(body);
            body = rest;
            if line.is_empty() {
                break;
            }
            if let Some(i) = line.iter().position(|&b| b == b':') {
                let name = http::HeaderName::from_bytes(&line[..i]);
                let value = http::HeaderValue::from_bytes(line[i + 1..].trim_ascii());
                if let (Ok(name), Ok(value)) = (name, value) {
                    headers.append(name, value);
                }
            }
        }
    }
    if selector & 0x80 != 0 {
        headers.insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("1"),
        );
    }
    let answer = || {
        let mut response = http::Response::new(Bytes::copy_from_slice(body));
        *response.status_mut() = http::StatusCode::from_u16(status).expect("100 to 999");
        *response.headers_mut() = headers.clone();
        response
    };
    let transport = ReplayTransport::new();
    if login {
        transport.push_raw(200, &[("content-type", "application/json")], ONPREM_LOGIN);
    }
    // Twice: a 401 is answered by one refresh and one resend.
    for _ in 0..2 {
        transport.push_response(answer());
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

/// The secret, verify token and headers the `receiver` target's routers are configured with.
const RECEIVER_SECRET: &[u8] = b"fuzz-app-secret";
const RECEIVER_TOKEN: &str = "fuzz-verify-token";
const RECEIVER_HEADER: (&str, &str) = ("x-fuzz-key", "k3y-0123");
const RECEIVER_BASIC: (&str, &str) = ("fuzz-user", "fuzz-password");
/// The body limit when the selector asks for a small one, to reach the 413 path.
const SMALL_BODY_LIMIT: usize = 256;

/// `selector byte, query \n headers (Name: value lines) \n\n body`, through the real receiver
/// (`waba_webhook::receiver`, the axum router) called in-process.
///
/// The selector: bits 0-1 the method (POST, GET, HEAD, PUT), bits 2-3 the provider family
/// (Cloud with `HubSignature`; on-prem with a required header; `EnableX` with Basic; Mobile
/// Gateway unverified), bit 5 a small body limit, bit 6 a queue of two events with no wait
/// (503 paths), bit 7 the right credentials added (the fuzzer would not find an HMAC).
///
/// Properties: every answer is one the receiver documents; a POST accepted (2xx) carries the
/// HMAC-SHA256 of its body under the configured secret (computed here) or the configured
/// header; a refused one hands over nothing; the events handed over, across the retries a 503
/// asks for, are the body's events each exactly once (duplicate keys once), in order, each
/// with JSON that is a slice of the body; a handshake answers the challenge only for the
/// configured token.
#[allow(clippy::too_many_lines)] // One request, read top to bottom.
pub fn receiver(data: &[u8]) {
    use waba::webhook::receiver::Receiver;
    use waba::webhook::{RequiredHeaders, Unverified};

    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let method = match selector & 3 {
        0 => http::Method::POST,
        1 => http::Method::GET,
        2 => http::Method::HEAD,
        _ => http::Method::PUT,
    };
    let family = (selector >> 2) & 3;
    let small_body = selector & 0x20 != 0;
    let small_queue = selector & 0x40 != 0;
    let credentials = selector & 0x80 != 0;
    let (query, rest) = split_line(rest);
    let mut headers = http::HeaderMap::new();
    let mut rest = rest;
    loop {
        let (line, after) = split_line(rest);
        rest = after;
        if line.is_empty() {
            break;
        }
        if let Some(i) = line.iter().position(|&b| b == b':') {
            let name = http::HeaderName::from_bytes(&line[..i]);
            let value = http::HeaderValue::from_bytes(line[i + 1..].trim_ascii());
            if let (Ok(name), Ok(value)) = (name, value) {
                headers.append(name, value);
            }
        }
    }
    let body = rest;

    let hub = HubSignature::new(RECEIVER_SECRET).expect("a non-empty secret");
    let (decoder, required): (Box<dyn WebhookDecoder>, Option<(http::HeaderName, String)>) =
        match family {
            0 => (Box::new(CloudDecoder), None),
            1 => (
                Box::new(OnPremDecoder),
                Some((
                    http::HeaderName::from_static(RECEIVER_HEADER.0),
                    RECEIVER_HEADER.1.to_owned(),
                )),
            ),
            2 => (
                Box::new(EnableXDecoder),
                Some((http::header::AUTHORIZATION, basic_value())),
            ),
            _ => (Box::new(MobileGatewayDecoder), None),
        };
    if credentials {
        match (&required, family) {
            (Some((name, value)), _) => {
                headers.insert(name, value.parse().expect("an ASCII header value"));
            }
            (None, 0) => {
                headers.insert(
                    waba::webhook::SIGNATURE_HEADER,
                    hub.sign(body).parse().expect("an ASCII header value"),
                );
            }
            _ => {}
        }
    }
    let builder = match family {
        0 => Receiver::builder(CloudDecoder, hub),
        1 => Receiver::builder(
            OnPremDecoder,
            RequiredHeaders::new([RECEIVER_HEADER]).expect("a valid header"),
        ),
        2 => Receiver::builder(
            EnableXDecoder,
            RequiredHeaders::basic(RECEIVER_BASIC.0, RECEIVER_BASIC.1).expect("credentials"),
        ),
        _ => Receiver::builder(MobileGatewayDecoder, Unverified),
    };
    let mut builder = builder.verify_token(RECEIVER_TOKEN);
    let limit = if small_body {
        SMALL_BODY_LIMIT
    } else {
        waba::webhook::receiver::DEFAULT_BODY_LIMIT
    };
    builder = builder.body_limit(limit);
    // The wait for room is real time: short, so that a body of more events than the queue
    // holds costs milliseconds a run, not the default seconds.
    builder = if small_queue {
        builder
            .queue_capacity(2)
            .queue_wait(std::time::Duration::ZERO)
    } else {
        builder.queue_wait(std::time::Duration::from_millis(5))
    };
    let (router, mut events) = builder.build();

    let uri = if query.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{}", String::from_utf8_lossy(query))
    };
    let request = |body: &[u8]| {
        let mut builder = http::Request::builder().method(method.clone()).uri(&uri);
        for (name, value) in &headers {
            builder = builder.header(name, value);
        }
        builder.body(axum::body::Body::from(body.to_vec())).ok()
    };
    let Some(first) = request(body) else {
        // Not a request HTTP can carry (a query no URI takes): no server would see it.
        return;
    };
    // The query as the server sees it (a URI drops a fragment).
    let query = first.uri().query().unwrap_or_default().to_owned();
    let call = |req: http::Request<axum::body::Body>| {
        runtime().block_on(async {
            use http_body_util::BodyExt as _;
            use tower::ServiceExt as _;
            let response = router.clone().oneshot(req).await.expect("infallible");
            let (parts, body) = response.into_parts();
            let bytes = body.collect().await.expect("a body in memory").to_bytes();
            (parts, bytes)
        })
    };
    let (mut parts, mut answer) = call(first);
    let status = parts.status.as_u16();

    if method == http::Method::GET || method == http::Method::HEAD {
        assert!(matches!(status, 200 | 403), "{method}: answered {status}");
        if status == 200 {
            let challenge = handshake_challenge(&query, RECEIVER_TOKEN)
                .expect("answered 200 to a handshake without the token and mode");
            if method == http::Method::GET {
                assert_eq!(answer, challenge.as_bytes(), "echoed something else");
            }
        }
        return;
    }
    if method != http::Method::POST {
        assert_eq!(status, 405, "{method}: answered {status}");
        return;
    }
    assert!(
        matches!(status, 200 | 400 | 401 | 413 | 503),
        "POST answered {status}: {}",
        String::from_utf8_lossy(&answer)
    );
    assert_eq!(
        status == 413,
        body.len() > limit,
        "413 is for bodies over the limit"
    );
    if matches!(status, 200 | 503) {
        let first = headers.get(
            required
                .as_ref()
                .map_or(waba::webhook::SIGNATURE_HEADER, |r| r.0.as_str()),
        );
        match (family, &required) {
            (0, _) => {
                let expected = format!("sha256={}", hmac_hex(RECEIVER_SECRET, body));
                let given = first.and_then(|v| v.to_str().ok()).unwrap_or_default();
                assert!(
                    given.trim().eq_ignore_ascii_case(&expected),
                    "accepted {given:?}, not the HMAC of the body"
                );
            }
            (_, Some((_, value))) => {
                assert_eq!(
                    first.map(http::HeaderValue::as_bytes),
                    Some(value.as_bytes()),
                    "accepted without the configured header"
                );
            }
            _ => {}
        }
    }

    // What the receiver should hand over: the body's events, duplicate keys once.
    let request_for_decode = WebhookRequest {
        method: &http::Method::POST,
        headers: &headers,
        query: Some(query.as_str()).filter(|q| !q.is_empty()),
        body,
    };
    let expected: Vec<Event> = match decoder.decode(&request_for_decode) {
        Ok(batch) if matches!(status, 200 | 503) => {
            let mut seen = std::collections::HashSet::new();
            batch
                .events
                .into_iter()
                .filter(|e| {
                    waba::webhook::Deduplicator::key(decoder.format(), &e.event)
                        .is_none_or(|k| seen.insert(k))
                })
                .map(|e| e.event)
                .collect()
        }
        Ok(_) | Err(_) => Vec::new(),
    };
    let mut delivered = Vec::new();
    let mut attempts = 0;
    loop {
        while let Some(received) = try_recv(&mut events) {
            let raw = received.raw.get().as_bytes();
            assert!(
                raw == b"null" || body.windows(raw.len()).any(|w| w == raw),
                "an event's JSON is not from the body"
            );
            delivered.push(received.event);
        }
        if parts.status.as_u16() != 503 {
            break;
        }
        assert!(
            parts.headers.contains_key(http::header::RETRY_AFTER),
            "a 503 without Retry-After"
        );
        attempts += 1;
        assert!(
            attempts <= expected.len() + 2,
            "a retry after every drain still answered 503"
        );
        let retry = request(body).expect("it was built once");
        (parts, answer) = call(retry);
    }
    let _ = answer;
    let final_status = parts.status.as_u16();
    if final_status == 200 {
        assert_eq!(
            delivered, expected,
            "the events handed over are not the body's, each once"
        );
    } else {
        assert!(
            delivered.is_empty(),
            "answered {final_status} and still handed events over"
        );
    }
}

/// The next event already queued, without waiting.
fn try_recv(
    events: &mut waba::webhook::receiver::Events,
) -> Option<waba::webhook::receiver::Received> {
    // A timeout polls its future once before the clock: a queued event is returned.
    runtime()
        .block_on(async { tokio::time::timeout(std::time::Duration::ZERO, events.recv()).await })
        .ok()
        .flatten()
}

/// The line up to the first `\n`, and what follows it.
fn split_line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

fn basic_value() -> String {
    use base64::Engine as _;
    let pair = format!("{}:{}", RECEIVER_BASIC.0, RECEIVER_BASIC.1);
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

fn hmac_hex(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    hex(&mac.finalize().into_bytes())
}

/// The challenge a correct handshake answers for `query`, computed here from the query's
/// pairs (the last of each name): `None` unless the mode is `subscribe` and the token is
/// `token`.
fn handshake_challenge(query: &str, token: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let value = |key: &str| {
        pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .next_back()
    };
    (!token.is_empty()
        && value("hub.mode").as_deref() == Some("subscribe")
        && value("hub.verify_token").as_deref() == Some(token))
    .then(|| value("hub.challenge"))
    .flatten()
}

/// `mode byte, input`: the broadcast input reader (`waba_cli::recipients`).
///
/// Mode bit 0 clear: the rest is the CSV file as is. Every row the reader yields is numbered
/// as a spreadsheet shows it (1, 2, … after the header), so no row is skipped or reported
/// twice; each is valid (its number parses to that E.164, first seen), invalid (it does not
/// parse) or a duplicate of an earlier valid row with the same number; and counting the rows
/// (the progress bar's pass) gives as many.
///
/// Mode bit 0 set: the rest is records (split at `0x1e`) of fields (split at `0x1f`), written
/// here with the `csv` crate (bit 1: CRLF line ends, bit 2: a byte-order mark, bit 3: empty
/// lines between records). The reader must yield exactly the data rows written, each with
/// its fields and the kind computed here.
pub fn csv_recipients(data: &[u8]) {
    use waba_cli::recipients::Kind;
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        let rows = read_recipients(rest);
        check_recipient_rows(&rows.rows, rows.header);
        if rows.complete {
            let count = waba_cli::recipients::Recipients::new(rest)
                .expect("the first row was read once")
                .count_rows()
                .expect("the rows were read once");
            assert_eq!(count, rows.rows.len() as u64, "the count pass disagrees");
        }
        return;
    }
    let records: Vec<Vec<&[u8]>> = rest
        .split(|&b| b == 0x1e)
        .map(|r| r.split(|&b| b == 0x1f).collect())
        .collect();
    let mut builder = csv::WriterBuilder::new();
    builder.flexible(true).terminator(if mode & 2 == 0 {
        csv::Terminator::Any(b'\n')
    } else {
        csv::Terminator::CRLF
    });
    let mut file = Vec::new();
    if mode & 4 != 0 {
        file.extend_from_slice(b"\xef\xbb\xbf");
    }
    for record in &records {
        let mut writer = builder.from_writer(Vec::new());
        writer.write_record(record).expect("a Vec takes any record");
        file.append(&mut writer.into_inner().expect("a Vec takes any record"));
        if mode & 8 != 0 {
            file.extend_from_slice(b"\n\r\n");
        }
    }
    // Written without a mark, a first field starting with one reads as the file's mark.
    let mut first = records[0][0].to_vec();
    if mode & 4 == 0 && first.starts_with(b"\xef\xbb\xbf") {
        first.drain(..3);
    }
    let header = !first.iter().any(u8::is_ascii_digit);
    let read = read_recipients(&file);
    assert!(
        read.complete,
        "the reader failed on CSV the csv crate wrote"
    );
    assert_eq!(read.header, header, "the header was not told apart");
    let data_rows = &records[usize::from(header)..];
    assert_eq!(read.rows.len(), data_rows.len(), "rows lost or invented");
    let mut seen = std::collections::HashMap::new();
    for (i, (row, fields)) in read.rows.iter().zip(data_rows).enumerate() {
        let index = i + usize::from(header);
        let first_field = if index == 0 { &first[..] } else { fields[0] };
        assert_eq!(row.record.len(), fields.len(), "row {}: fields", row.row);
        for (n, field) in fields.iter().enumerate().skip(usize::from(index == 0)) {
            assert_eq!(
                row.record.get(n),
                Some(*field),
                "row {}: field {n}",
                row.row
            );
        }
        let text = String::from_utf8_lossy(first_field);
        let expected = match PhoneNumber::parse(text.trim()) {
            Err(_) => None,
            Ok(number) => {
                let first_row = seen.get(number.as_str()).copied();
                if first_row.is_none() {
                    seen.insert(number.as_str().to_owned(), row.row);
                }
                Some((number, first_row))
            }
        };
        match (&row.kind, expected) {
            (Kind::Invalid { .. }, None) => {}
            (Kind::Valid(n), Some((e, None))) => assert_eq!(n, &e),
            (Kind::Duplicate { number, first_row }, Some((e, Some(f)))) => {
                assert_eq!((number, *first_row), (&e, f));
            }
            (kind, expected) => panic!("row {}: {kind:?}, expected {expected:?}", row.row),
        }
    }
}

struct RecipientRows {
    header: bool,
    rows: Vec<waba_cli::recipients::Row>,
    /// Whether the input was read to its end without an error.
    complete: bool,
}

fn read_recipients(input: &[u8]) -> RecipientRows {
    let Ok(recipients) = waba_cli::recipients::Recipients::new(input) else {
        return RecipientRows {
            header: false,
            rows: Vec::new(),
            complete: false,
        };
    };
    let header = recipients.header().is_some();
    let mut rows = Vec::new();
    for row in recipients {
        match row {
            Ok(row) => rows.push(row),
            Err(_) => {
                return RecipientRows {
                    header,
                    rows,
                    complete: false,
                };
            }
        }
    }
    RecipientRows {
        header,
        rows,
        complete: true,
    }
}

fn check_recipient_rows(rows: &[waba_cli::recipients::Row], header: bool) {
    use waba_cli::recipients::{Kind, field};
    let mut valid = std::collections::HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        let expected_row = i as u64 + 1 + u64::from(header);
        assert_eq!(row.row, expected_row, "a row skipped or numbered twice");
        let parsed = PhoneNumber::parse(field(&row.record, 0).trim());
        match &row.kind {
            Kind::Valid(number) => {
                assert_eq!(parsed.as_ref(), Ok(number), "row {}", row.row);
                assert!(
                    valid.insert(number.as_str().to_owned(), row.row).is_none(),
                    "row {}: {number} valid twice",
                    row.row
                );
            }
            Kind::Invalid { .. } => assert!(parsed.is_err(), "row {}: a number", row.row),
            Kind::Duplicate { number, first_row } => {
                assert_eq!(parsed.as_ref(), Ok(number), "row {}", row.row);
                assert_eq!(
                    valid.get(number.as_str()),
                    Some(first_row),
                    "row {}: a duplicate of no earlier row",
                    row.row
                );
            }
        }
    }
}
