//! Property: every `Content` and `Event` survives a JSON round trip unchanged.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use waba_types::*;

fn s() -> impl Strategy<Value = String> {
    // Any Unicode, including quotes, escapes and emoji.
    any::<String>().prop_map(|s| s.chars().take(12).collect())
}

fn os() -> impl Strategy<Value = Option<String>> {
    option::of(s())
}

/// Binary fractions round-trip exactly through JSON text.
fn coord(max: i32) -> impl Strategy<Value = f64> {
    (-max * 4..=max * 4).prop_map(|q| f64::from(q) / 4.0)
}

fn media() -> impl Strategy<Value = MediaSource> {
    prop_oneof![
        s().prop_map(MediaSource::Link),
        s().prop_map(|i| MediaSource::Id(i.into()))
    ]
}

fn card() -> impl Strategy<Value = ContactCard> {
    (s(), os(), vec((s(), os(), os()), 0..2), os()).prop_map(
        |(formatted_name, first_name, phones, birthday)| ContactCard {
            name: ContactName {
                formatted_name,
                first_name,
                ..ContactName::default()
            },
            phones: phones
                .into_iter()
                .map(|(phone, kind, wa_id)| ContactPhone { phone, kind, wa_id })
                .collect(),
            birthday,
            ..ContactCard::default()
        },
    )
}

fn parameter() -> impl Strategy<Value = TemplateParameter> {
    prop_oneof![
        s().prop_map(|text| TemplateParameter::Text { text }),
        (s(), s(), any::<i64>()).prop_map(|(fallback_value, code, amount_1000)| {
            TemplateParameter::Currency {
                fallback_value,
                code,
                amount_1000,
            }
        }),
        s().prop_map(|fallback_value| TemplateParameter::DateTime { fallback_value }),
        media().prop_map(|media| TemplateParameter::Image { media }),
        (media(), os())
            .prop_map(|(media, filename)| TemplateParameter::Document { media, filename }),
        s().prop_map(|payload| TemplateParameter::Payload { payload }),
    ]
}

fn component() -> impl Strategy<Value = TemplateComponent> {
    prop_oneof![
        vec(parameter(), 0..3).prop_map(|parameters| TemplateComponent::Header { parameters }),
        vec(parameter(), 0..3).prop_map(|parameters| TemplateComponent::Body { parameters }),
        (any::<u8>(), vec(parameter(), 0..2), any::<bool>()).prop_map(|(index, parameters, q)| {
            TemplateComponent::Button {
                sub_type: if q {
                    ButtonSubType::QuickReply
                } else {
                    ButtonSubType::Url
                },
                index,
                parameters,
            }
        }),
    ]
}

fn action() -> impl Strategy<Value = InteractiveAction> {
    prop_oneof![
        vec((s(), s()), 0..4).prop_map(|b| InteractiveAction::Buttons {
            buttons: b
                .into_iter()
                .map(|(id, title)| ReplyButton { id, title })
                .collect()
        }),
        (s(), vec((os(), vec((s(), s(), os()), 0..3)), 0..3)).prop_map(|(button, sections)| {
            InteractiveAction::List {
                button,
                sections: sections
                    .into_iter()
                    .map(|(title, rows)| ListSection {
                        title,
                        rows: rows
                            .into_iter()
                            .map(|(id, title, description)| ListRow {
                                id,
                                title,
                                description,
                            })
                            .collect(),
                    })
                    .collect(),
            }
        }),
        (s(), s()).prop_map(|(display_text, url)| InteractiveAction::CtaUrl { display_text, url }),
    ]
}

fn header() -> impl Strategy<Value = Option<InteractiveHeader>> {
    option::of(prop_oneof![
        s().prop_map(InteractiveHeader::Text),
        media().prop_map(InteractiveHeader::Image),
        media().prop_map(InteractiveHeader::Video),
        media().prop_map(InteractiveHeader::Document),
    ])
}

fn content() -> impl Strategy<Value = Content> {
    prop_oneof![
        (s(), any::<bool>())
            .prop_map(|(body, preview_url)| Content::Text(Text { body, preview_url })),
        (media(), os()).prop_map(|(media, caption)| Content::Image(Image { media, caption })),
        (media(), os()).prop_map(|(media, caption)| Content::Video(Video { media, caption })),
        media().prop_map(|media| Content::Audio(Audio { media })),
        (media(), os(), os()).prop_map(|(media, caption, filename)| Content::Document(Document {
            media,
            caption,
            filename
        })),
        media().prop_map(|media| Content::Sticker(Sticker { media })),
        (coord(90), coord(180), os(), os()).prop_map(|(latitude, longitude, name, address)| {
            Content::Location(Location {
                latitude,
                longitude,
                name,
                address,
            })
        }),
        vec(card(), 0..3).prop_map(|contacts| Content::Contacts(Contacts { contacts })),
        (header(), s(), os(), action()).prop_map(|(header, body, footer, action)| {
            Content::Interactive(Interactive {
                header,
                body,
                footer,
                action,
            })
        }),
        (s(), s(), vec(component(), 0..3)).prop_map(|(name, language, components)| {
            Content::Template(Template {
                name,
                language,
                components,
            })
        }),
        (s(), s()).prop_map(|(id, emoji)| Content::Reaction(Reaction {
            message_id: id.into(),
            emoji
        })),
    ]
}

fn status() -> impl Strategy<Value = DeliveryStatus> {
    prop_oneof![
        Just(DeliveryStatus::Accepted),
        Just(DeliveryStatus::Sent),
        Just(DeliveryStatus::Delivered),
        Just(DeliveryStatus::Read),
        Just(DeliveryStatus::Failed),
        Just(DeliveryStatus::Deleted),
        "[a-z]{3,12}".prop_map(|s| DeliveryStatus::parse(&s)),
    ]
}

fn api_error() -> impl Strategy<Value = ApiError> {
    (any::<i64>(), s(), os(), os()).prop_map(|(code, title, message, details)| ApiError {
        code,
        title,
        message,
        details,
        href: None,
    })
}

fn business() -> impl Strategy<Value = BusinessRef> {
    (os(), os(), os()).prop_map(
        |(phone_number_id, display_phone_number, account_id)| BusinessRef {
            phone_number_id,
            display_phone_number,
            account_id,
        },
    )
}

fn inbound_media() -> impl Strategy<Value = InboundMedia> {
    (option::of(s()), os(), os(), any::<bool>()).prop_map(|(id, mime_type, caption, voice)| {
        InboundMedia {
            id: id.map(Into::into),
            mime_type,
            caption,
            voice,
            ..InboundMedia::default()
        }
    })
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(Into::into),
        s().prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            vec(("[a-z]{1,6}", inner), 0..4)
                .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn inbound_content() -> impl Strategy<Value = InboundContent> {
    prop_oneof![
        s().prop_map(|body| InboundContent::Text { body }),
        inbound_media().prop_map(InboundContent::Image),
        inbound_media().prop_map(InboundContent::Audio),
        inbound_media().prop_map(InboundContent::Document),
        (coord(90), coord(180), os()).prop_map(|(latitude, longitude, name)| {
            InboundContent::Location {
                latitude,
                longitude,
                name,
                address: None,
                url: None,
            }
        }),
        vec(card(), 0..2).prop_map(|contacts| InboundContent::Contacts { contacts }),
        (s(), s()).prop_map(|(id, title)| InboundContent::ButtonReply { id, title }),
        (s(), s(), os()).prop_map(|(id, title, description)| InboundContent::ListReply {
            id,
            title,
            description
        }),
        (s(), os()).prop_map(|(text, payload)| InboundContent::TemplateButton { text, payload }),
        (s(), os()).prop_map(|(id, emoji)| InboundContent::Reaction {
            message_id: id.into(),
            emoji
        }),
        (s(), os(), vec((s(), any::<u32>(), coord(1000), s()), 0..3)).prop_map(
            |(catalog_id, text, items)| {
                InboundContent::Order(Order {
                    catalog_id,
                    text,
                    product_items: items
                        .into_iter()
                        .map(|(product_retailer_id, q, item_price, currency)| OrderItem {
                            product_retailer_id,
                            quantity: u64::from(q),
                            item_price,
                            currency,
                        })
                        .collect(),
                })
            }
        ),
        ("[a-z_]{1,20}", os(), option::of(s())).prop_map(|(k, body, new)| InboundContent::System {
            system_kind: SystemKind::parse(&k),
            body,
            new_wa_id: new.map(Into::into),
            identity: None,
        }),
        os().prop_map(|type_name| InboundContent::Unsupported { type_name }),
        (s(), json_value()).prop_map(|(type_name, raw)| InboundContent::Unknown {
            type_name,
            raw,
            reason: None
        }),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        (
            s(),
            s(),
            os(),
            any::<u64>(),
            business(),
            option::of(s()),
            inbound_content(),
            vec(api_error(), 0..2)
        )
            .prop_map(
                |(id, from, profile_name, timestamp, business, reply, content, errors)| {
                    Event::Message(InboundMessage {
                        id: id.into(),
                        from: from.into(),
                        from_user_id: None,
                        from_parent_user_id: None,
                        profile_name,
                        username: None,
                        timestamp,
                        business,
                        group_id: None,
                        context: reply.map(|r| MessageContext {
                            message_id: Some(r.into()),
                            ..Default::default()
                        }),
                        referral: None,
                        content,
                        errors,
                    })
                }
            ),
        (
            s(),
            status(),
            option::of(any::<u64>()),
            option::of(s()),
            os(),
            vec(api_error(), 0..2),
            any::<bool>()
        )
            .prop_map(
                |(id, status, timestamp, recipient, client_reference, errors, priced)| {
                    let mut update = StatusUpdate::new(id, status);
                    update.timestamp = timestamp;
                    update.recipient = recipient.map(Into::into);
                    update.client_reference = client_reference;
                    update.errors = errors;
                    update.conversation = priced.then(|| Conversation {
                        id: "c".into(),
                        expiration_timestamp: Some(1),
                        origin: None,
                    });
                    update.pricing = priced.then(|| Pricing {
                        billable: Some(true),
                        ..Default::default()
                    });
                    Event::Status(update)
                }
            ),
        (os(), s(), os(), "[A-Z_]{3,12}", os()).prop_map(
            |(template_id, name, language, status, reason)| {
                Event::TemplateStatus(TemplateStatusUpdate {
                    template_id,
                    name,
                    language,
                    status: TemplateStatus::parse(&status),
                    reason,
                    category: None,
                    rejection: None,
                    notice: None,
                    disable_date: None,
                    timestamp: None,
                    business: BusinessRef::default(),
                })
            }
        ),
        (vec(api_error(), 0..3), option::of(s())).prop_map(|(errors, recipient)| Event::Errors(
            ErrorReport {
                errors,
                recipient: recipient.map(Into::into),
                business: BusinessRef::default()
            }
        )),
        (os(), json_value()).prop_map(|(name, raw)| Event::Unknown(UnknownEvent {
            name,
            location: None,
            reason: None,
            raw
        })),
    ]
}

/// Template statuses compare by canonical form: `APPROVED` reads back as `Approved`.
fn canonical(e: Event) -> Event {
    match e {
        Event::TemplateStatus(mut t) => {
            t.status = TemplateStatus::parse(t.status.as_str());
            Event::TemplateStatus(t)
        }
        other => other,
    }
}

proptest! {
    #[test]
    fn content_round_trips(c in content()) {
        let json = serde_json::to_string(&c).unwrap();
        let back: Content = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, c);
    }

    #[test]
    fn event_round_trips(e in event()) {
        let e = canonical(e);
        let json = serde_json::to_string(&e).unwrap();
        let back: Event = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, e);
    }

    #[test]
    fn validate_never_panics(c in content()) {
        let _ = c.validate();
    }
}
