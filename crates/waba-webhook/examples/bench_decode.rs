//! Webhook decode benchmark: verifies the signature of and decodes every body of a corpus
//! into unified events, several passes after a warm-up, beside a hand-written baseline that
//! decodes into borrowed structs with the same HMAC check, measured in the same run.
//!
//! ```text
//! cargo xtask bench decode [--corpus FILE.jsonl --signatures FILE.sig --secret S] [--passes N]
//! ```
//! Without a corpus it generates one like `shared/bench/gen_cloud_corpus.py` does (Cloud
//! bodies, one event each, Meta's escaping). The last line is `decode: N events/s, M MB/s`.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use waba_webhook::{CloudDecoder, HubSignature, WebhookDecoder, WebhookRequest};

struct Corpus {
    bodies: Vec<Vec<u8>>,
    signatures: Vec<String>,
    secret: String,
}

/// The verifier for the corpus's secret; an empty secret ends the run with the reason.
fn hub(secret: &str) -> HubSignature {
    HubSignature::new(secret).unwrap_or_else(|e| {
        eprintln!("bench_decode: {e}");
        std::process::exit(2)
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let passes: u32 = get("--passes").and_then(|p| p.parse().ok()).unwrap_or(5);
    let corpus = match get("--corpus") {
        Some(path) => load(&path, get("--signatures"), get("--secret")),
        None => generate(20_000, "bench-secret"),
    };
    // The reference generator writes the expected counts beside the corpus.
    let manifest =
        get("--corpus").map(|p| p.trim_end_matches(".jsonl").to_owned() + ".manifest.json");
    let expected = manifest
        .and_then(|m| std::fs::read_to_string(m).ok())
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["events"].as_u64());
    let bytes: usize = corpus.bodies.iter().map(Vec::len).sum();
    println!(
        "corpus: {} bodies, {:.1} MB",
        corpus.bodies.len(),
        bytes as f64 / 1e6
    );

    let verifier = hub(&corpus.secret);
    // `--profile ours` loops on waba's decoder alone, for a profiler.
    if get("--profile").as_deref() == Some("ours") {
        for _ in 0..passes {
            run_ours(&corpus, &verifier);
        }
        return;
    }
    // Warm-up, and a check that both decoders see the same events.
    let ours = run_ours(&corpus, &verifier);
    let base = run_baseline(&corpus, &verifier);
    assert_eq!(
        ours, base,
        "the baseline and waba disagree on the event count"
    );
    println!("events per pass: {ours}");
    if let Some(expected) = expected {
        assert_eq!(
            ours as u64, expected,
            "the manifest expects {expected} events"
        );
        println!("manifest: {expected} events expected, {ours} decoded");
    }

    let mut t_ours = Vec::new();
    let mut t_base = Vec::new();
    for _ in 0..passes {
        // Interleaved, so drift on a shared machine hits both alike.
        t_base.push(time(|| run_baseline(&corpus, &verifier)));
        t_ours.push(time(|| run_ours(&corpus, &verifier)));
    }
    let best = |t: &[Duration]| t.iter().min().copied().unwrap_or_default().as_secs_f64();
    let (b, o) = (best(&t_base), best(&t_ours));
    let eps = |secs: f64| ours as f64 / secs;
    println!(
        "baseline (hand-written, borrowed structs + HMAC): {:.0} events/s",
        eps(b)
    );
    println!(
        "waba (verify + full unified Events):              {:.0} events/s",
        eps(o)
    );
    println!("ratio: {:.2} of the baseline (target 0.9)", b / o);
    println!(
        "decode: {:.0} events/s, {:.1} MB/s",
        eps(o),
        bytes as f64 / o / 1e6
    );
}

fn time(f: impl FnOnce() -> usize) -> Duration {
    let start = Instant::now();
    std::hint::black_box(f());
    start.elapsed()
}

fn run_ours(c: &Corpus, verifier: &HubSignature) -> usize {
    let headers = http::HeaderMap::new();
    let mut events = 0;
    for (body, sig) in c.bodies.iter().zip(&c.signatures) {
        let request = WebhookRequest::post(&headers, body);
        verifier
            .verify_signature(sig, body)
            .expect("valid signature");
        let decoded = CloudDecoder.decode(&request).expect("decodes");
        events += decoded.events.len();
        std::hint::black_box(decoded);
    }
    events
}

/// A hand-written decoder into borrowed structs: every field of the payload typed, strings
/// borrowed from the body where they have no escapes (`Cow`), nothing converted. What a
/// careful application would write for Cloud webhooks alone, with no unified model.
#[allow(
    dead_code,
    clippy::struct_field_names,
    reason = "the fields carry the wire names and are decoded, not read: that is the work measured"
)]
#[path = "common/borrowed.rs"]
mod borrowed;

fn run_baseline(c: &Corpus, verifier: &HubSignature) -> usize {
    let mut events = 0;
    for (body, sig) in c.bodies.iter().zip(&c.signatures) {
        verifier
            .verify_signature(sig, body)
            .expect("valid signature");
        let env: borrowed::Env<'_> = serde_json::from_slice(body).expect("decodes");
        for e in &env.entry {
            for ch in &e.changes {
                events += ch.value.messages.len() + ch.value.statuses.len();
            }
        }
        std::hint::black_box(env);
    }
    events
}

fn load(path: &str, sigs: Option<String>, secret: Option<String>) -> Corpus {
    let text = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let bodies: Vec<Vec<u8>> = text
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    let secret = secret.unwrap_or_else(|| "bench-secret".to_owned());
    let signatures: Vec<String> = if let Some(p) = sigs {
        std::fs::read_to_string(&p)
            .unwrap_or_else(|e| panic!("cannot read {p}: {e}"))
            .lines()
            .map(str::to_owned)
            .collect()
    } else {
        let v = hub(&secret);
        bodies.iter().map(|b| v.sign(b)).collect()
    };

    assert_eq!(bodies.len(), signatures.len(), "one signature per body");
    Corpus {
        bodies,
        signatures,
        secret,
    }
}

/// A corpus of the reference mix: 50 % text, 5 % image, 5 % document, 5 % button reply,
/// 5 % list reply, 25 % statuses, 5 % reactions; non-ASCII escaped as `\uXXXX` and `/` as `\/`.
fn generate(n: usize, secret: &str) -> Corpus {
    let mut rng = fastrand::Rng::with_seed(20_250_101);
    let names = [
        "Sheena Nelson",
        "José García",
        "Chloé Dubois",
        "Björn Åberg",
        "Zoë O'Brien",
    ];
    let texts = [
        "Hi! Does it come in another color?",
        "Olá, gostaria de saber o preço do frete para São Paulo.",
        "Thanks, that worked 👍",
        "I'd like to cancel https://example.com/account/settings?tab=billing",
        "ok",
    ];
    let verifier = hub(secret);
    let mut bodies = Vec::with_capacity(n);
    for i in 0..n {
        let wa = format!("1631555{:04}", rng.u32(0..10_000));
        let id = format!("wamid.HBgL{i:08}{:016x}", rng.u64(..));
        let ts = 1_750_000_000 + i;
        let pick = rng.u32(0..100);
        let contact = format!(
            r#""contacts":[{{"profile":{{"name":{}}},"wa_id":"{wa}","user_id":"US.{}"}}]"#,
            esc(names[rng.usize(0..names.len())]),
            rng.u64(..)
        );
        let msg = |kind: &str, obj: String| {
            format!(
                r#"{contact},"messages":[{{"from":"{wa}","id":"{id}","timestamp":"{ts}","type":"{kind}",{obj}}}]"#
            )
        };
        let value = match pick {
            0..50 => msg("text", format!(r#""text":{{"body":{}}}"#, esc(texts[rng.usize(0..texts.len())]))),
            50..55 => msg("image", r#""image":{"caption":"Foto do produto 📦","mime_type":"image/jpeg","sha256":"Fp1RdjJl3r5TXh7vgSGXyXzb+5Au6zzoy62clIJqcy4=","id":"1166846181421424"}"#.to_owned()),
            55..60 => msg("document", r#""document":{"filename":"Rechnung März.pdf","mime_type":"application/pdf","sha256":"ZG9j","id":"5566778899"}"#.to_owned()),
            60..65 => msg("interactive", r#""interactive":{"type":"button_reply","button_reply":{"id":"confirm_yes","title":"Yes, confirm"}}"#.to_owned()),
            65..70 => msg("interactive", r#""interactive":{"type":"list_reply","list_reply":{"id":"opt_shipping","title":"Shipping","description":"Track or change a delivery"}}"#.to_owned()),
            70..75 => msg("reaction", format!(r#""reaction":{{"message_id":"wamid.R{i}","emoji":"👍"}}"#)),
            _ => format!(
                r#""contacts":[{{"wa_id":"{wa}"}}],"statuses":[{{"id":"{id}","status":"delivered","timestamp":"{ts}","recipient_id":"{wa}","conversation":{{"id":"c{i:031}","origin":{{"type":"utility"}}}},"pricing":{{"billable":true,"pricing_model":"CBP","category":"utility"}}}}]"#
            ),
        };
        let body = format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}},{value}}},"field":"messages"}}]}}]}}"#
        );
        bodies.push(escape_meta(&body).into_bytes());
    }
    let signatures = bodies.iter().map(|b| verifier.sign(b)).collect();
    Corpus {
        bodies,
        signatures,
        secret: secret.to_owned(),
    }
}

fn esc(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

/// Meta's wire form: non-ASCII as `\uXXXX` (surrogate pairs for emoji) and `/` as `\/`.
fn escape_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '/' => out.push_str("\\/"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out
}
