//! Every webhook fixture under `fixtures/<provider>/webhooks/` decoded and snapshotted:
//! adding a fixture file adds a test. A second test checks that every message kind is
//! reachable from the fixtures of every format that carries it.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Value, json};
use waba_types::{Event, InboundContent};
use waba_webhook::{WebhookRequest, decoder_for};

fn decode(format: &str, path: &Path) -> (Value, Vec<Event>) {
    let body = std::fs::read(path).unwrap();
    let headers = http::HeaderMap::new();
    let decoder = decoder_for(format).unwrap();
    match decoder.decode(&WebhookRequest::post(&headers, &body)) {
        Ok(d) => {
            let events: Vec<Value> = d
                .events
                .iter()
                .map(|e| serde_json::to_value(&e.event).unwrap())
                .collect();
            // The raw JSON of every event is a slice of the body (the same bytes, not an
            // equal copy), verbatim.
            for e in &d.events {
                let span = e
                    .span(&body)
                    .unwrap_or_else(|| panic!("{}: raw JSON is not from the body", path.display()));
                assert_eq!(&body[span], e.raw().get().as_bytes(), "{}", path.display());
            }
            let errors: Vec<String> = d.errors.iter().map(ToString::to_string).collect();
            (
                json!({ "events": events, "errors": errors }),
                d.into_events(),
            )
        }
        Err(e) => (json!({ "error": e.to_string() }), Vec::new()),
    }
}

fn fixture_files(provider: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(provider)
        .join("webhooks");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    files
}

/// One snapshot per fixture file, named `<provider>__<file stem>`.
fn snapshot_all(provider: &str, format: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for path in fixture_files(provider) {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            let mut s = insta::Settings::clone_current();
            s.set_input_file(&path);
            s.bind(|| {
                insta::assert_json_snapshot!(
                    format!("{provider}__{stem}"),
                    decode(format, &path).0
                );
            });
        }
    });
}

#[test]
fn cloud_fixtures() {
    snapshot_all("cloud", "cloud");
}

#[test]
fn generic_v2_fixtures() {
    snapshot_all("generic-v2", "cloud");
}

#[test]
fn onprem_fixtures() {
    snapshot_all("onprem", "onprem");
}

#[test]
fn tujenge_fixtures() {
    snapshot_all("tujenge", "onprem");
}

#[test]
fn enablex_fixtures() {
    snapshot_all("enablex", "enablex");
}

#[test]
fn mobile_gateway_fixtures() {
    snapshot_all("mobile-gateway", "mobile-gateway");
}

/// The kinds a set of events shows.
fn kinds(events: &[Event]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in events {
        match e {
            Event::Message(m) => {
                let v = serde_json::to_value(&m.content).unwrap();
                out.insert(v["type"].as_str().unwrap().to_owned());
                match &m.content {
                    InboundContent::Audio(a) if a.voice => {
                        out.insert("voice".into());
                    }
                    InboundContent::Reaction { emoji: None, .. } => {
                        out.insert("reaction_removed".into());
                    }
                    _ => {}
                }
                if m.context.is_some() {
                    out.insert("context".into());
                }
                if m.referral.is_some() {
                    out.insert("referral".into());
                }
            }
            Event::Status(s) => {
                out.insert(format!("status_{}", s.status));
                if let Some(word) = &s.raw_status {
                    out.insert(format!("raw_{word}"));
                }
                if !s.errors.is_empty() {
                    out.insert("status_errors".into());
                }
                if s.conversation.is_some() {
                    out.insert("status_conversation".into());
                }
                if s.pricing.is_some() {
                    out.insert("status_pricing".into());
                }
            }
            Event::TemplateStatus(t) => {
                out.insert(format!(
                    "template_{}",
                    t.status.as_str().to_ascii_lowercase()
                ));
            }
            Event::Errors(_) => {
                out.insert("errors".into());
            }
            Event::Unknown(_) => {
                out.insert("unknown_event".into());
            }
            Event::TemplateQuality(_) => {
                out.insert("template_quality".into());
            }
            Event::TemplateCategory(_) => {
                out.insert("template_category".into());
            }
            Event::MarketingPreference(p) => {
                out.insert(format!("marketing_opted_in_{}", p.opted_in));
            }
            Event::AccountUpdate(_) => {
                out.insert("account_update".into());
            }
            Event::MessageEcho(_) => {
                out.insert("message_echo".into());
            }
            _ => {}
        }
    }
    out
}

fn all_events(provider: &str, format: &str) -> Vec<Event> {
    fixture_files(provider)
        .iter()
        .flat_map(|p| decode(format, p).1)
        .collect()
}

const MESSAGE_KINDS: &[&str] = &[
    "text",
    "image",
    "video",
    "audio",
    "voice",
    "document",
    "sticker",
    "location",
    "contacts",
    "button_reply",
    "list_reply",
    "template_button",
    "system",
    "unsupported",
    "unknown",
    "context",
    "referral",
];
const META_ONLY: &[&str] = &["reaction", "reaction_removed", "order", "flow_reply"];
const STATUS_KINDS: &[&str] = &[
    "status_sent",
    "status_delivered",
    "status_read",
    "status_failed",
    "status_errors",
    "status_conversation",
    "status_pricing",
];

fn assert_covers(provider: &str, format: &str, required: &[&[&str]]) {
    let have = kinds(&all_events(provider, format));
    let missing: Vec<_> = required
        .iter()
        .flat_map(|r| r.iter())
        .filter(|k| !have.contains(**k))
        .collect();
    assert!(
        missing.is_empty(),
        "{provider}: no fixture shows {missing:?}; have {have:?}"
    );
}

#[test]
fn every_kind_is_reachable_in_every_format_that_carries_it() {
    let templates: &[&str] = &[
        "template_approved",
        "template_rejected",
        "template_paused",
        "template_disabled",
    ];
    assert_covers(
        "cloud",
        "cloud",
        &[
            MESSAGE_KINDS,
            META_ONLY,
            STATUS_KINDS,
            templates,
            &["errors", "unknown_event", "call_permission_reply"],
            // The other documented notifications applications act on.
            &[
                "template_quality",
                "template_category",
                "marketing_opted_in_false",
                "marketing_opted_in_true",
                "account_update",
                "message_echo",
            ],
        ],
    );
    assert_covers(
        "onprem",
        "onprem",
        &[MESSAGE_KINDS, STATUS_KINDS, &["errors"]],
    );
    assert_covers(
        "enablex",
        "enablex",
        &[
            MESSAGE_KINDS,
            META_ONLY,
            STATUS_KINDS,
            &["template_approved", "template_paused"],
        ],
    );
    assert_covers(
        "mobile-gateway",
        "mobile-gateway",
        &[
            MESSAGE_KINDS,
            META_ONLY,
            // DLR words map onto the common states, the word kept beside them.
            &[
                "status_sent",
                "status_delivered",
                "status_failed",
                "raw_received",
                "raw_rejected",
                "raw_expired",
            ],
        ],
    );
}
