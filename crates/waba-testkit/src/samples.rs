//! One representative value of every content kind: the waba-types JSON-form snapshots, the
//! validation tests, and every adapter's request snapshots encode this same set.

use waba_types::{
    Audio, ButtonSubType, ContactCard, ContactEmail, ContactName, ContactPhone, Contacts, Content,
    Document, Image, Interactive, InteractiveAction, InteractiveHeader, ListRow, ListSection,
    Location, MediaSource, PhoneNumber, Reaction, ReplyButton, Sticker, Template,
    TemplateComponent, TemplateParameter, Text, Video,
};

/// The recipient every sample goes to.
pub fn to() -> PhoneNumber {
    PhoneNumber::parse("+1 (631) 555-1002").expect("a valid number")
}

/// Media by link.
pub fn link(url: &str) -> MediaSource {
    MediaSource::Link(url.to_owned())
}

/// Every content kind, some twice (media by link and by id), each with a name for its snapshot.
#[allow(
    clippy::too_many_lines,
    reason = "one sample per content kind, in one place"
)]
pub fn all_contents() -> Vec<(&'static str, Content)> {
    vec![
        (
            "text",
            Content::Text(Text {
                body: "See https://example.com/track".into(),
                preview_url: true,
            }),
        ),
        (
            "image_link",
            Content::Image(Image {
                media: link("https://example.com/a.jpg"),
                caption: Some("Your receipt".into()),
            }),
        ),
        (
            "image_id",
            Content::Image(Image {
                media: MediaSource::Id("1166846181421424".into()),
                caption: None,
            }),
        ),
        (
            "video",
            Content::Video(Video {
                media: link("https://example.com/v.mp4"),
                caption: Some("Demo".into()),
            }),
        ),
        (
            "audio",
            Content::Audio(Audio {
                media: MediaSource::Id("f043afd0".into()),
            }),
        ),
        (
            "audio_link",
            Content::Audio(Audio {
                media: link("https://example.com/note.ogg"),
            }),
        ),
        (
            "document",
            Content::Document(Document {
                media: link("https://example.com/invoice.pdf"),
                caption: Some("Invoice".into()),
                filename: Some("invoice.pdf".into()),
            }),
        ),
        (
            "sticker",
            Content::Sticker(Sticker {
                media: MediaSource::Id("st-1".into()),
            }),
        ),
        (
            "sticker_link",
            Content::Sticker(Sticker {
                media: link("https://example.com/s.webp"),
            }),
        ),
        (
            "location",
            Content::Location(Location {
                latitude: -36.85,
                longitude: 174.76,
                name: Some("HQ".into()),
                address: Some("1 Queen St".into()),
            }),
        ),
        (
            "contacts",
            Content::Contacts(Contacts {
                contacts: vec![ContactCard {
                    name: ContactName {
                        formatted_name: "John Smith".into(),
                        first_name: Some("John".into()),
                        last_name: Some("Smith".into()),
                        ..ContactName::default()
                    },
                    phones: vec![ContactPhone {
                        phone: "+1 (650) 555-1234".into(),
                        kind: Some("WORK".into()),
                        wa_id: Some("16505551234".into()),
                    }],
                    emails: vec![ContactEmail {
                        email: "john@example.com".into(),
                        kind: Some("WORK".into()),
                    }],
                    ..ContactCard::default()
                }],
            }),
        ),
        (
            "interactive_buttons",
            Content::Interactive(Interactive {
                header: Some(InteractiveHeader::Text("Order A-1001".into())),
                body: "Confirm delivery time?".into(),
                footer: Some("Reply below".into()),
                action: InteractiveAction::Buttons {
                    buttons: vec![
                        ReplyButton {
                            id: "confirm".into(),
                            title: "Confirm".into(),
                        },
                        ReplyButton {
                            id: "change".into(),
                            title: "Change".into(),
                        },
                    ],
                },
            }),
        ),
        (
            "interactive_list",
            Content::Interactive(Interactive {
                header: None,
                body: "Choose shipping".into(),
                footer: None,
                action: InteractiveAction::List {
                    button: "Options".into(),
                    sections: vec![ListSection {
                        title: Some("Speed".into()),
                        rows: vec![ListRow {
                            id: "express".into(),
                            title: "Express".into(),
                            description: Some("1-2 days".into()),
                        }],
                    }],
                },
            }),
        ),
        (
            "interactive_cta_url",
            Content::Interactive(Interactive {
                header: Some(InteractiveHeader::Image(link("https://example.com/h.jpg"))),
                body: "Track your parcel".into(),
                footer: None,
                action: InteractiveAction::CtaUrl {
                    display_text: "Track".into(),
                    url: "https://example.com/t/A-1001".into(),
                },
            }),
        ),
        (
            "template",
            Content::Template(Template {
                name: "order_update".into(),
                language: "en_US".into(),
                components: vec![
                    TemplateComponent::Header {
                        parameters: vec![TemplateParameter::Image {
                            media: link("https://example.com/h.jpg"),
                        }],
                    },
                    TemplateComponent::Body {
                        parameters: vec![
                            TemplateParameter::Text {
                                text: "A-1001".into(),
                            },
                            TemplateParameter::Currency {
                                fallback_value: "$12.34".into(),
                                code: "USD".into(),
                                amount_1000: 12_340,
                            },
                            TemplateParameter::DateTime {
                                fallback_value: "May 1, 2026".into(),
                            },
                        ],
                    },
                    TemplateComponent::Button {
                        sub_type: ButtonSubType::QuickReply,
                        index: 0,
                        parameters: vec![TemplateParameter::Payload {
                            payload: "TRACK_A1001".into(),
                        }],
                    },
                    TemplateComponent::Button {
                        sub_type: ButtonSubType::Url,
                        index: 1,
                        parameters: vec![TemplateParameter::Text {
                            text: "A-1001".into(),
                        }],
                    },
                ],
            }),
        ),
        (
            "template_document_header",
            Content::Template(Template {
                name: "invoice_ready".into(),
                language: "en".into(),
                components: vec![TemplateComponent::Header {
                    parameters: vec![TemplateParameter::Document {
                        media: MediaSource::Id("doc-7".into()),
                        filename: Some("invoice.pdf".into()),
                    }],
                }],
            }),
        ),
        (
            "reaction",
            Content::Reaction(Reaction {
                message_id: "wamid.HBgL".into(),
                emoji: "👍".into(),
            }),
        ),
        (
            "reaction_removed",
            Content::Reaction(Reaction {
                message_id: "wamid.HBgL".into(),
                emoji: String::new(),
            }),
        ),
    ]
}
