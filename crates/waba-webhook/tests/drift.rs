//! Type drift never costs an event: for every webhook fixture of every decoder, replacing any
//! one scalar by its string/number twin (`"52.52"` ↔ `52.52`) or by `null` never reduces the
//! number of events. Checked exhaustively over every scalar of every fixture, and as a
//! proptest that also replaces several scalars at once.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::Value;
use waba_webhook::{WebhookRequest, decoder_for};

/// (fixture directory, decoder format).
const FORMATS: &[(&str, &str)] = &[
    ("cloud", "cloud"),
    ("generic-v2", "cloud"),
    ("onprem", "onprem"),
    ("tujenge", "onprem"),
    ("enablex", "enablex"),
    ("mobile-gateway", "mobile-gateway"),
];

struct Fixture {
    format: &'static str,
    path: PathBuf,
    json: Value,
    events: usize,
    scalars: Vec<String>,
}

fn count(format: &str, body: &[u8]) -> usize {
    let headers = http::HeaderMap::new();
    decoder_for(format)
        .unwrap()
        .decode(&WebhookRequest::post(&headers, body))
        .map_or(0, |d| d.events.len())
}

/// JSON Pointers of every scalar (string, number, bool) in `v`.
fn scalars(v: &Value, at: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let k = k.replace('~', "~0").replace('/', "~1");
                scalars(x, &format!("{at}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                scalars(x, &format!("{at}/{i}"), out);
            }
        }
        Value::Null => {}
        _ => out.push(at.to_owned()),
    }
}

/// What a scalar may drift to: `null`, and its number or string twin when it has one.
fn twins(v: &Value) -> Vec<Value> {
    let mut out = vec![Value::Null];
    match v {
        Value::String(s) => {
            let t = s.trim();
            if let Ok(u) = t.parse::<u64>() {
                out.push(Value::from(u));
            } else if let Ok(i) = t.parse::<i64>() {
                out.push(Value::from(i));
            } else if let Ok(f) = t.parse::<f64>()
                && f.is_finite()
            {
                out.push(Value::from(f));
            }
        }
        Value::Number(n) => out.push(Value::String(n.to_string())),
        _ => {}
    }
    out
}

fn fixtures() -> Vec<Fixture> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut out = Vec::new();
    for (dir, format) in FORMATS {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir).join("webhooks"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for path in files {
            let body = std::fs::read(&path).unwrap();
            let Ok(json) = serde_json::from_slice::<Value>(&body) else {
                continue;
            };
            let mut s = Vec::new();
            scalars(&json, "", &mut s);
            out.push(Fixture {
                format,
                events: count(format, &body),
                path,
                json,
                scalars: s,
            });
        }
    }
    out
}

fn replaced(json: &Value, pointer: &str, with: Value) -> Vec<u8> {
    let mut v = json.clone();
    *v.pointer_mut(pointer).unwrap() = with;
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn replacing_any_scalar_by_its_twin_or_null_never_costs_an_event() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for f in fixtures() {
        for pointer in &f.scalars {
            let original = f.json.pointer(pointer).unwrap();
            for twin in twins(original) {
                let n = count(f.format, &replaced(&f.json, pointer, twin.clone()));
                checked += 1;
                if n < f.events {
                    failures.push(format!(
                        "{}: {pointer} = {twin}: {n} events, {} before",
                        f.path.display(),
                        f.events
                    ));
                }
            }
        }
    }
    assert!(checked > 1000, "only {checked} variants checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Several scalars drifting at once, chosen at random, cost no event either.
    #[test]
    fn several_scalars_drifting_at_once_never_cost_an_event(
        which in any::<prop::sample::Index>(),
        picks in prop::collection::vec((any::<prop::sample::Index>(), any::<bool>()), 1..4),
    ) {
        static ALL: std::sync::OnceLock<Vec<Fixture>> = std::sync::OnceLock::new();
        let f = which.get(ALL.get_or_init(fixtures));
        prop_assume!(!f.scalars.is_empty());
        let mut v = f.json.clone();
        for (at, to_null) in picks {
            let pointer = at.get(&f.scalars);
            let original = v.pointer(pointer).cloned().unwrap_or(Value::Null);
            let options = twins(&original);
            let with = if to_null { Value::Null } else { options.last().cloned().unwrap_or(Value::Null) };
            if let Some(slot) = v.pointer_mut(pointer) {
                *slot = with;
            }
        }
        let n = count(f.format, &serde_json::to_vec(&v).unwrap());
        prop_assert!(n >= f.events, "{}: {} events, {} before: {}", f.path.display(), n, f.events, v);
    }
}
