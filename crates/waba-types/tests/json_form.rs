//! The unified JSON form of every content kind, pinned by snapshots.

use waba_testkit::samples;

use waba_types::{ContentKind, OutboundMessage, PhoneNumber};

#[test]
fn outbound_message_json_form_of_every_content_kind() {
    let contents = samples::all_contents();
    let covered: std::collections::BTreeSet<_> = contents.iter().map(|(_, c)| c.kind()).collect();
    assert_eq!(
        covered.len(),
        ContentKind::ALL.len(),
        "a content kind has no sample"
    );
    for (name, content) in contents {
        let msg = OutboundMessage::new(samples::to(), content)
            .with_from(PhoneNumber::parse("+15550783881").unwrap())
            .with_reply_to("wamid.PREV")
            .with_client_reference("order-1001");
        msg.validate()
            .unwrap_or_else(|e| panic!("sample {name} is invalid: {e}"));
        let json = serde_json::to_value(&msg).unwrap();
        insta::assert_json_snapshot!(name, json);
        // The form reads back to the same message.
        let back: OutboundMessage = serde_json::from_value(json).unwrap();
        assert_eq!(back, msg, "{name}");
    }
}

#[test]
fn group_recipient_form() {
    let mut msg = OutboundMessage::new(samples::to(), waba_types::Content::text("hi"));
    msg.to = waba_types::Recipient::Group("group-42".into());
    let json = serde_json::to_value(&msg).unwrap();
    assert_eq!(json["to"], serde_json::json!({"group": "group-42"}));
    assert_eq!(
        serde_json::from_value::<OutboundMessage>(json).unwrap(),
        msg
    );
}

#[test]
fn bad_recipient_in_json_says_why() {
    let err = serde_json::from_str::<OutboundMessage>(
        r#"{"to":"555-1002","content":{"type":"text","body":"hi"}}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("no country code"), "{err}");
}

/// The documented examples (`docs/message-json.md`, one file each in `fixtures/messages/`)
/// are valid messages, and read back to the same JSON.
#[test]
fn documented_message_examples_parse_validate_and_round_trip() {
    insta::glob!("../../../fixtures/messages", "*.json", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let msg: OutboundMessage =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        msg.validate()
            .unwrap_or_else(|e| panic!("{} is invalid: {e}", path.display()));
        let json = serde_json::to_value(&msg).unwrap();
        let original: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json, original, "{} does not round-trip", path.display());
        insta::assert_json_snapshot!(json);
    });
}
