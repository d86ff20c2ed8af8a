//! One test per validation rule; each asserts the field path, the limit and the value.

use waba_testkit::samples;

use waba_types::limits::*;
use waba_types::*;

fn errors_of(content: Content) -> Vec<String> {
    match OutboundMessage::new(samples::to(), content).validate() {
        Ok(()) => Vec::new(),
        Err(e) => e.errors().iter().map(ToString::to_string).collect(),
    }
}

fn text(body: String, preview_url: bool) -> Content {
    Content::Text(Text { body, preview_url })
}

fn buttons(n: usize) -> Content {
    Content::Interactive(Interactive {
        header: None,
        body: "Pick".into(),
        footer: None,
        action: InteractiveAction::Buttons {
            buttons: (0..n)
                .map(|i| ReplyButton {
                    id: format!("b{i}"),
                    title: format!("B{i}"),
                })
                .collect(),
        },
    })
}

fn list(sections: Vec<ListSection>) -> Content {
    Content::Interactive(Interactive {
        header: None,
        body: "Pick".into(),
        footer: None,
        action: InteractiveAction::List {
            button: "Menu".into(),
            sections,
        },
    })
}

fn rows(n: usize, prefix: &str) -> Vec<ListRow> {
    (0..n)
        .map(|i| ListRow {
            id: format!("{prefix}{i}"),
            title: format!("Row {i}"),
            description: None,
        })
        .collect()
}

#[test]
fn every_sample_is_valid() {
    for (name, content) in samples::all_contents() {
        assert_eq!(errors_of(content), Vec::<String>::new(), "{name}");
    }
}

#[test]
fn text_is_at_most_4096_characters() {
    assert!(errors_of(text("é".repeat(TEXT_BODY_MAX), false)).is_empty());
    assert_eq!(
        errors_of(text("a".repeat(TEXT_BODY_MAX + 1), false)),
        ["content.body: 4097 characters, the limit is 4096"]
    );
}

#[test]
fn text_must_not_be_empty() {
    assert_eq!(
        errors_of(text("  ".into(), false)),
        ["content.body: must not be empty"]
    );
}

#[test]
fn preview_url_needs_a_url_in_the_body() {
    assert_eq!(
        errors_of(text("no link here".into(), true)),
        ["content.preview_url: true, but the body has no http(s) URL to preview"]
    );
    assert!(errors_of(text("see (https://example.com)".into(), true)).is_empty());
    assert!(errors_of(text("HTTP://EXAMPLE.COM".into(), true)).is_empty());
}

#[test]
fn caption_is_at_most_1024_characters() {
    let long = "c".repeat(CAPTION_MAX + 1);
    let image = Content::Image(Image {
        media: samples::link("https://e.com/a.jpg"),
        caption: Some(long.clone()),
    });
    assert_eq!(
        errors_of(image),
        ["content.caption: 1025 characters, the limit is 1024"]
    );
    let doc = Content::Document(Document {
        media: samples::link("https://e.com/a.pdf"),
        caption: Some(long),
        filename: None,
    });
    assert_eq!(
        errors_of(doc),
        ["content.caption: 1025 characters, the limit is 1024"]
    );
}

#[test]
fn media_links_are_http_urls_and_ids_are_not_empty() {
    let bad = Content::Video(Video {
        media: samples::link("ftp://e.com/v.mp4"),
        caption: None,
    });
    assert_eq!(
        errors_of(bad),
        [r#"content.media.link: "ftp://e.com/v.mp4" is not an http(s) URL"#]
    );
    let empty = Content::Audio(Audio {
        media: MediaSource::Id("".into()),
    });
    assert_eq!(errors_of(empty), ["content.media.id: must not be empty"]);
}

#[test]
fn template_name_is_at_most_512_characters() {
    let t = Content::template("t".repeat(TEMPLATE_NAME_MAX + 1), "en", ["x"]);
    assert_eq!(
        errors_of(t),
        ["content.name: 513 characters, the limit is 512"]
    );
    assert!(
        errors_of(Content::template(
            "t".repeat(TEMPLATE_NAME_MAX),
            "en",
            ["x"]
        ))
        .is_empty()
    );
}

#[test]
fn template_needs_a_language_and_a_valid_currency() {
    let mut t = Template {
        name: "n".into(),
        language: String::new(),
        components: vec![],
    };
    t.components.push(TemplateComponent::Body {
        parameters: vec![TemplateParameter::Currency {
            fallback_value: "1".into(),
            code: "US".into(),
            amount_1000: 1,
        }],
    });
    assert_eq!(
        errors_of(Content::Template(t)),
        [
            "content.language: must not be empty",
            r#"content.components[0].parameters[0].code: "US" is not a 3-letter ISO 4217 code"#
        ]
    );
}

#[test]
fn template_text_parameters_are_one_line_without_tabs_or_runs_of_spaces() {
    // What Meta refuses with 132018.
    assert_eq!(
        errors_of(Content::template("order_update", "en_US", ["A-1001\nB"])),
        [
            "content.components[0].parameters[0].text: a newline at character 6: template parameters are one line"
        ]
    );
    assert_eq!(
        errors_of(Content::template("order_update", "en_US", ["ok", "a\tb"])),
        [
            "content.components[0].parameters[1].text: a tab at character 1: template parameters have no tabs"
        ]
    );
    assert_eq!(
        errors_of(Content::template("order_update", "en_US", ["a     b"])),
        [
            "content.components[0].parameters[0].text: 5 consecutive spaces at character 1: the limit is 4"
        ]
    );
    // Four spaces, single spaces and other Unicode are fine.
    assert!(
        errors_of(Content::template(
            "order_update",
            "en_US",
            ["a    b", "café – 10 €"]
        ))
        .is_empty()
    );
}

#[test]
fn template_header_text_parameter_is_at_most_60_characters() {
    let header = |text: String| {
        Content::Template(Template {
            name: "order_update".into(),
            language: "en_US".into(),
            components: vec![TemplateComponent::Header {
                parameters: vec![TemplateParameter::Text { text }],
            }],
        })
    };
    assert!(errors_of(header("h".repeat(TEMPLATE_HEADER_PARAMETER_MAX))).is_empty());
    assert_eq!(
        errors_of(header("h".repeat(TEMPLATE_HEADER_PARAMETER_MAX + 1))),
        ["content.components[0].parameters[0].text: 61 characters, the limit is 60"]
    );
}

#[test]
fn at_most_three_reply_buttons() {
    assert!(errors_of(buttons(REPLY_BUTTONS_MAX)).is_empty());
    assert_eq!(
        errors_of(buttons(4)),
        ["content.action.buttons: 4 buttons, the limit is 3"]
    );
    assert_eq!(
        errors_of(buttons(0)),
        ["content.action.buttons: must not be empty"]
    );
}

#[test]
fn button_titles_are_at_most_20_characters_and_ids_unique() {
    let c = Content::Interactive(Interactive {
        header: None,
        body: "Pick".into(),
        footer: None,
        action: InteractiveAction::Buttons {
            buttons: vec![
                ReplyButton {
                    id: "a".into(),
                    title: "x".repeat(BUTTON_TITLE_MAX + 1),
                },
                ReplyButton {
                    id: "a".into(),
                    title: "ok".into(),
                },
            ],
        },
    });
    assert_eq!(
        errors_of(c),
        [
            "content.action.buttons[0].title: 21 characters, the limit is 20",
            r#"content.action.buttons[1].id: "a" appears more than once"#
        ]
    );
}

#[test]
fn interactive_body_header_and_footer_limits() {
    let c = Content::Interactive(Interactive {
        header: Some(InteractiveHeader::Text("h".repeat(HEADER_FOOTER_MAX + 1))),
        body: "b".repeat(INTERACTIVE_BODY_MAX + 1),
        footer: Some("f".repeat(HEADER_FOOTER_MAX + 1)),
        action: InteractiveAction::Buttons {
            buttons: vec![ReplyButton {
                id: "a".into(),
                title: "A".into(),
            }],
        },
    });
    assert_eq!(
        errors_of(c),
        [
            "content.body: 1025 characters, the limit is 1024",
            "content.footer: 61 characters, the limit is 60",
            "content.header.value: 61 characters, the limit is 60"
        ]
    );
}

#[test]
fn list_limits() {
    assert!(
        errors_of(list(vec![ListSection {
            title: None,
            rows: rows(LIST_ROWS_MAX, "r")
        }]))
        .is_empty()
    );
    assert_eq!(
        errors_of(list(vec![ListSection {
            title: None,
            rows: rows(11, "r")
        }])),
        ["content.action.sections: 11 rows, the limit is 10"]
    );
    let eleven: Vec<_> = (0..11)
        .map(|i| ListSection {
            title: Some(format!("S{i}")),
            rows: rows(1, &format!("s{i}-")),
        })
        .collect();
    let errs = errors_of(list(eleven));
    assert!(
        errs.contains(&"content.action.sections: 11 sections, the limit is 10".to_owned()),
        "{errs:?}"
    );
    let long_row = ListRow {
        id: "i".repeat(ROW_ID_MAX + 1),
        title: "t".repeat(ROW_TITLE_MAX + 1),
        description: Some("d".repeat(ROW_DESCRIPTION_MAX + 1)),
    };
    assert_eq!(
        errors_of(list(vec![ListSection {
            title: Some("s".repeat(SECTION_TITLE_MAX + 1)),
            rows: vec![long_row]
        }])),
        [
            "content.action.sections[0].title: 25 characters, the limit is 24",
            "content.action.sections[0].rows[0].id: 201 characters, the limit is 200",
            "content.action.sections[0].rows[0].title: 25 characters, the limit is 24",
            "content.action.sections[0].rows[0].description: 73 characters, the limit is 72"
        ]
    );
}

#[test]
fn list_sections_need_titles_when_several_and_the_button_label_is_short() {
    let c = Content::Interactive(Interactive {
        header: None,
        body: "Pick".into(),
        footer: None,
        action: InteractiveAction::List {
            button: "b".repeat(LIST_BUTTON_MAX + 1),
            sections: vec![
                ListSection {
                    title: None,
                    rows: rows(1, "a"),
                },
                ListSection {
                    title: Some("B".into()),
                    rows: vec![],
                },
            ],
        },
    });
    assert_eq!(
        errors_of(c),
        [
            "content.action.button: 21 characters, the limit is 20",
            "content.action.sections[0].title: required when a list has more than one section",
            "content.action.sections[1].rows: must not be empty"
        ]
    );
}

#[test]
fn latitude_and_longitude_ranges() {
    let loc = |latitude, longitude| {
        Content::Location(Location {
            latitude,
            longitude,
            name: None,
            address: None,
        })
    };
    assert!(errors_of(loc(90.0, -180.0)).is_empty());
    assert_eq!(
        errors_of(loc(90.5, 0.0)),
        ["content.latitude: 90.5 is outside the range -90 to 90"]
    );
    assert_eq!(
        errors_of(loc(0.0, -181.0)),
        ["content.longitude: -181 is outside the range -180 to 180"]
    );
    assert_eq!(
        errors_of(loc(f64::NAN, 0.0)),
        ["content.latitude: NaN is outside the range -90 to 90"]
    );
}

#[test]
fn at_most_256_contacts_each_with_a_name() {
    let card = |n: &str| ContactCard {
        name: ContactName {
            formatted_name: n.into(),
            ..Default::default()
        },
        ..Default::default()
    };
    let ok = Content::Contacts(Contacts {
        contacts: vec![card("A"); CONTACTS_MAX],
    });
    assert!(errors_of(ok).is_empty());
    let too_many = Content::Contacts(Contacts {
        contacts: vec![card("A"); CONTACTS_MAX + 1],
    });
    assert_eq!(
        errors_of(too_many),
        ["content.contacts: 257 contacts, the limit is 256"]
    );
    let nameless = Content::Contacts(Contacts {
        contacts: vec![card("")],
    });
    assert_eq!(
        errors_of(nameless),
        ["content.contacts[0].name.formatted_name: must not be empty"]
    );
}

#[test]
fn reaction_needs_a_message_id_and_allows_an_empty_emoji() {
    let r = Content::Reaction(Reaction {
        message_id: "".into(),
        emoji: String::new(),
    });
    assert_eq!(errors_of(r), ["content.message_id: must not be empty"]);
}

#[test]
fn client_reference_is_at_most_512_characters() {
    let msg = OutboundMessage::new(samples::to(), Content::text("hi"))
        .with_client_reference("r".repeat(CLIENT_REFERENCE_MAX + 1));
    assert_eq!(
        msg.validate().unwrap_err().to_string(),
        "client_reference: 513 characters, the limit is 512"
    );
}

#[test]
fn all_violations_are_reported_together() {
    let c = Content::Image(Image {
        media: samples::link("nope"),
        caption: Some("c".repeat(2000)),
    });
    let err = OutboundMessage::new(samples::to(), c)
        .validate()
        .unwrap_err();
    assert_eq!(err.errors().len(), 2);
    assert_eq!(err.first().field, "content.media.link");
    assert!(
        err.to_string()
            .contains("; content.caption: 2000 characters"),
        "{err}"
    );
}

#[test]
fn list_headers_are_text_only() {
    let c = Content::Interactive(Interactive {
        header: Some(InteractiveHeader::Image(samples::link(
            "https://e.com/a.jpg",
        ))),
        body: "Pick".into(),
        footer: None,
        action: InteractiveAction::List {
            button: "Menu".into(),
            sections: vec![ListSection {
                title: None,
                rows: rows(1, "r"),
            }],
        },
    });
    assert_eq!(
        errors_of(c),
        ["content.header: a list message takes a text header only"]
    );
}
