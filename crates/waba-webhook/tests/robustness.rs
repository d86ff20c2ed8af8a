//! Every decoder on arbitrary bytes and arbitrary JSON: an error or events, never a panic.

use proptest::prelude::*;
use serde_json::{Value, json};
use waba_webhook::{WebhookRequest, decoder_for};

const FORMATS: &[&str] = &["cloud", "onprem", "enablex", "mobile-gateway"];

fn decode_all(body: &[u8]) {
    let headers = http::HeaderMap::new();
    for f in FORMATS {
        let d = decoder_for(f).unwrap();
        if let Ok(decoded) = d.decode(&WebhookRequest::post(&headers, body)) {
            // Whatever decodes also serialises.
            for e in decoded.events {
                serde_json::to_string(&e.event).unwrap();
            }
        }
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-z_]{0,12}".prop_map(Value::String),
        // The words decoders dispatch on, so generated JSON reaches deep paths.
        prop::sample::select(vec![
            "messages",
            "text",
            "image",
            "interactive",
            "button_reply",
            "reaction",
            "system",
            "statuses",
            "message_template_status_update",
            "entry",
            "changes",
            "value",
            "field",
            "type",
            "id",
            "status",
            "content",
            "whatsapp_business_account",
            "1750000000",
            "{\"type\":\"text\"}",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "object",
                        "entry",
                        "changes",
                        "field",
                        "value",
                        "messages",
                        "statuses",
                        "errors",
                        "contacts",
                        "metadata",
                        "id",
                        "from",
                        "timestamp",
                        "type",
                        "text",
                        "body",
                        "image",
                        "interactive",
                        "button_reply",
                        "list_reply",
                        "reaction",
                        "emoji",
                        "message_id",
                        "status",
                        "recipient_id",
                        "conversation",
                        "pricing",
                        "content",
                        "source",
                        "Destination",
                        "reference",
                        "business_phone",
                        "event",
                        "message_template_name",
                        "system",
                        "location",
                        "latitude",
                        "code",
                    ]),
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..2048)) {
        decode_all(&body);
    }

    #[test]
    fn arbitrary_json_never_panics(v in json_value()) {
        decode_all(v.to_string().as_bytes());
    }

    #[test]
    fn arbitrary_json_inside_real_envelopes_never_panics(item in json_value()) {
        let cloud = json!({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[item.clone()],"statuses":[item.clone()]}}]}]});
        let flat = json!({"messages":[item.clone()],"statuses":[item.clone()],"errors":[item.clone()]});
        let mo = json!({"id":"1","source":"+64","Destination":"1","content":item});
        for body in [cloud, flat, mo] {
            decode_all(body.to_string().as_bytes());
        }
    }
}

#[test]
fn edge_cases_from_the_wild() {
    for body in [
        &b""[..],
        b"null",
        b"[]",
        b"\"string\"",
        b"{\"entry\":null}",
        b"{\"entry\":[null,1,\"x\",{\"changes\":[null]}]}",
        b"{\"content\":\"\"}",
        b"{\"content\":\"!!!not base64\"}",
        b"{\"status\":\"sent\"}",
        b"{\"messages\":[{\"id\":\"1\",\"type\":\"text\",\"timestamp\":-5}]}",
        b"{\"messages\":[{\"id\":\"1\",\"type\":\"text\",\"timestamp\":\"99999999999999999999\",\"text\":{\"body\":\"x\"}}]}",
        b"\xff\xfe{",
    ] {
        decode_all(body);
    }
}
