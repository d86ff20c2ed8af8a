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

/// Found by the `webhook_mobile_gateway` fuzz target: an MO callback whose id sits under
/// another key and whose base64 `content` is not JSON became a message with an empty id.
/// Kept now as an unknown event with the reason, and no message with an invented id.
#[test]
fn an_item_without_its_id_is_kept_unknown_never_given_an_empty_id() {
    let headers = http::HeaderMap::new();
    let mobile_gateway = include_bytes!(
        "../../../fuzz/corpus/webhook_mobile_gateway/binary_content_without_id.json"
    );
    let cloud_message = json!({"object": "whatsapp_business_account", "entry": [{"id": "1",
    "changes": [{"field": "messages", "value": {"messaging_product": "whatsapp",
    "messages": [{"from": "16315551181", "id": "", "timestamp": "1", "type": "text",
        "text": {"body": "hi"}}],
    "statuses": [{"id": "", "status": "sent", "timestamp": "1", "recipient_id": "16315551181"}]
    }}]}]});
    let cloud_message = serde_json::to_vec(&cloud_message).unwrap();
    for (format, body, items) in [
        ("mobile-gateway", &mobile_gateway[..], 1),
        ("cloud", &cloud_message[..], 2),
    ] {
        let decoded = decoder_for(format)
            .unwrap()
            .decode(&WebhookRequest::post(&headers, body))
            .unwrap();
        assert_eq!(decoded.events.len(), items, "{format}: every item kept");
        for e in &decoded.events {
            assert!(
                e.event
                    .message_id()
                    .is_none_or(|id| !id.as_str().is_empty()),
                "{format}: {:?}",
                e.event
            );
            let waba_types::Event::Unknown(u) = &e.event else {
                panic!("{format}: {:?} is kept as unknown", e.event)
            };
            assert!(
                u.reason.as_deref().is_some_and(|r| r.contains("id")),
                "{u:?}"
            );
        }
    }
}
