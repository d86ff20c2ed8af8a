//! The Cloud API's JSON, field for field. Nothing outside this crate sees these types.

use serde::{Deserialize, Serialize};
use waba_types::{
    ButtonSubType, ContactCard, Content, InteractiveAction, InteractiveHeader, MediaSource,
    TemplateComponent, TemplateParameter,
};

/// `POST /{phone-number-id}/messages`.
#[derive(Serialize)]
pub(crate) struct SendBody<'a> {
    pub(crate) messaging_product: &'static str,
    pub(crate) recipient_type: &'static str,
    pub(crate) to: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) context: Option<ContextRef<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) biz_opaque_callback_data: Option<&'a str>,
    #[serde(rename = "type")]
    pub(crate) kind: &'a str,
    #[serde(flatten)]
    pub(crate) object: TypeObject<'a>,
}

#[derive(Serialize)]
pub(crate) struct ContextRef<'a> {
    pub(crate) message_id: &'a str,
}

/// The object named after the message type (`"text": {...}`, `"image": {...}`).
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum TypeObject<'a> {
    Text(TextW<'a>),
    Image(MediaW<'a>),
    Video(MediaW<'a>),
    Audio(MediaW<'a>),
    Document(MediaW<'a>),
    Sticker(MediaW<'a>),
    Location(LocationW<'a>),
    Contacts(&'a [ContactCard]),
    Interactive(InteractiveW<'a>),
    Template(TemplateW<'a>),
    Reaction(ReactionW<'a>),
    /// The escape hatch: any object under any type name.
    #[serde(untagged)]
    Raw(RawObject<'a>),
}

/// `{"<type>": <object>}` for types the unified model does not have yet.
pub(crate) struct RawObject<'a> {
    pub(crate) kind: &'a str,
    pub(crate) object: &'a serde_json::Value,
}

impl Serialize for RawObject<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(self.kind, self.object)?;
        m.end()
    }
}

#[derive(Serialize)]
pub(crate) struct TextW<'a> {
    pub(crate) body: &'a str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(crate) preview_url: bool,
}

#[derive(Serialize)]
pub(crate) struct MediaW<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) caption: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) filename: Option<&'a str>,
}

impl<'a> MediaW<'a> {
    pub(crate) fn new(
        source: &'a MediaSource,
        caption: Option<&'a String>,
        filename: Option<&'a String>,
    ) -> Self {
        let (id, link) = match source {
            MediaSource::Id(id) => (Some(id.as_str()), None),
            MediaSource::Link(link) => (None, Some(link.as_str())),
        };
        Self {
            id,
            link,
            caption: caption.map(String::as_str),
            filename: filename.map(String::as_str),
        }
    }
}

#[derive(Serialize)]
pub(crate) struct LocationW<'a> {
    pub(crate) latitude: f64,
    pub(crate) longitude: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) address: Option<&'a str>,
}

#[derive(Serialize)]
pub(crate) struct ReactionW<'a> {
    pub(crate) message_id: &'a str,
    pub(crate) emoji: &'a str,
}

#[derive(Serialize)]
pub(crate) struct InteractiveW<'a> {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) header: Option<HeaderW<'a>>,
    pub(crate) body: BodyTextW<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) footer: Option<BodyTextW<'a>>,
    pub(crate) action: ActionW<'a>,
}

#[derive(Serialize)]
pub(crate) struct BodyTextW<'a> {
    pub(crate) text: &'a str,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum HeaderW<'a> {
    Text { text: &'a str },
    Image { image: MediaW<'a> },
    Video { video: MediaW<'a> },
    Document { document: MediaW<'a> },
}

impl<'a> HeaderW<'a> {
    pub(crate) fn new(h: &'a InteractiveHeader) -> Self {
        match h {
            InteractiveHeader::Text(text) => Self::Text { text },
            InteractiveHeader::Image(m) => Self::Image {
                image: MediaW::new(m, None, None),
            },
            InteractiveHeader::Video(m) => Self::Video {
                video: MediaW::new(m, None, None),
            },
            InteractiveHeader::Document(m) => Self::Document {
                document: MediaW::new(m, None, None),
            },
        }
    }
}

#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum ActionW<'a> {
    Buttons {
        buttons: Vec<ButtonW<'a>>,
    },
    List {
        button: &'a str,
        sections: Vec<SectionW<'a>>,
    },
    CtaUrl {
        name: &'static str,
        parameters: CtaParamsW<'a>,
    },
}

#[derive(Serialize)]
pub(crate) struct ButtonW<'a> {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) reply: ReplyW<'a>,
}

#[derive(Serialize)]
pub(crate) struct ReplyW<'a> {
    pub(crate) id: &'a str,
    pub(crate) title: &'a str,
}

#[derive(Serialize)]
pub(crate) struct SectionW<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) title: Option<&'a str>,
    pub(crate) rows: Vec<RowW<'a>>,
}

#[derive(Serialize)]
pub(crate) struct RowW<'a> {
    pub(crate) id: &'a str,
    pub(crate) title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<&'a str>,
}

#[derive(Serialize)]
pub(crate) struct CtaParamsW<'a> {
    pub(crate) display_text: &'a str,
    pub(crate) url: &'a str,
}

impl<'a> ActionW<'a> {
    pub(crate) fn new(a: &'a InteractiveAction) -> (&'static str, Self) {
        match a {
            InteractiveAction::Buttons { buttons } => (
                "button",
                Self::Buttons {
                    buttons: buttons
                        .iter()
                        .map(|b| ButtonW {
                            kind: "reply",
                            reply: ReplyW {
                                id: &b.id,
                                title: &b.title,
                            },
                        })
                        .collect(),
                },
            ),
            InteractiveAction::List { button, sections } => (
                "list",
                Self::List {
                    button,
                    sections: sections
                        .iter()
                        .map(|s| SectionW {
                            title: s.title.as_deref(),
                            rows: s
                                .rows
                                .iter()
                                .map(|r| RowW {
                                    id: &r.id,
                                    title: &r.title,
                                    description: r.description.as_deref(),
                                })
                                .collect(),
                        })
                        .collect(),
                },
            ),
            InteractiveAction::CtaUrl { display_text, url } => (
                "cta_url",
                Self::CtaUrl {
                    name: "cta_url",
                    parameters: CtaParamsW { display_text, url },
                },
            ),
        }
    }
}

#[derive(Serialize)]
pub(crate) struct TemplateW<'a> {
    pub(crate) name: &'a str,
    pub(crate) language: LanguageW<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) components: Vec<ComponentW<'a>>,
}

#[derive(Serialize)]
pub(crate) struct LanguageW<'a> {
    pub(crate) code: &'a str,
}

#[derive(Serialize)]
pub(crate) struct ComponentW<'a> {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) sub_type: Option<&'static str>,
    /// A string: Meta's own samples and production adapters send `"0"`, not `0`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) index: Option<String>,
    pub(crate) parameters: Vec<ParameterW<'a>>,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum ParameterW<'a> {
    Text { text: &'a str },
    Currency { currency: CurrencyW<'a> },
    DateTime { date_time: FallbackW<'a> },
    Image { image: MediaW<'a> },
    Video { video: MediaW<'a> },
    Document { document: MediaW<'a> },
    Payload { payload: &'a str },
    CouponCode { coupon_code: &'a str },
}

#[derive(Serialize)]
pub(crate) struct CurrencyW<'a> {
    pub(crate) fallback_value: &'a str,
    pub(crate) code: &'a str,
    pub(crate) amount_1000: i64,
}

#[derive(Serialize)]
pub(crate) struct FallbackW<'a> {
    pub(crate) fallback_value: &'a str,
}

impl<'a> ComponentW<'a> {
    pub(crate) fn new(c: &'a TemplateComponent) -> Self {
        let params = |ps: &'a [TemplateParameter], copy_code: bool| {
            ps.iter().map(|p| ParameterW::new(p, copy_code)).collect()
        };
        match c {
            TemplateComponent::Header { parameters } => Self {
                kind: "header",
                sub_type: None,
                index: None,
                parameters: params(parameters, false),
            },
            TemplateComponent::Body { parameters } => Self {
                kind: "body",
                sub_type: None,
                index: None,
                parameters: params(parameters, false),
            },
            TemplateComponent::Button {
                sub_type,
                index,
                parameters,
            } => Self {
                kind: "button",
                sub_type: Some(match sub_type {
                    ButtonSubType::QuickReply => "quick_reply",
                    ButtonSubType::Url => "url",
                    ButtonSubType::CopyCode => "copy_code",
                }),
                index: Some(index.to_string()),
                parameters: params(parameters, *sub_type == ButtonSubType::CopyCode),
            },
        }
    }
}

impl<'a> ParameterW<'a> {
    fn new(p: &'a TemplateParameter, copy_code: bool) -> Self {
        match p {
            // A copy-code button's parameter is the code, under its own type name.
            TemplateParameter::Text { text } if copy_code => Self::CouponCode { coupon_code: text },
            TemplateParameter::Text { text } => Self::Text { text },
            TemplateParameter::Currency {
                fallback_value,
                code,
                amount_1000,
            } => Self::Currency {
                currency: CurrencyW {
                    fallback_value,
                    code,
                    amount_1000: *amount_1000,
                },
            },
            TemplateParameter::DateTime { fallback_value } => Self::DateTime {
                date_time: FallbackW { fallback_value },
            },
            TemplateParameter::Image { media } => Self::Image {
                image: MediaW::new(media, None, None),
            },
            TemplateParameter::Video { media } => Self::Video {
                video: MediaW::new(media, None, None),
            },
            TemplateParameter::Document { media, filename } => Self::Document {
                document: MediaW::new(media, None, filename.as_ref()),
            },
            TemplateParameter::Payload { payload } => Self::Payload { payload },
        }
    }
}

impl<'a> TypeObject<'a> {
    /// The type object of a unified content, and the Cloud type name; `None` for a kind
    /// newer than this adapter.
    pub(crate) fn new(content: &'a Content) -> Option<(&'static str, Self)> {
        Some(match content {
            Content::Text(t) => (
                "text",
                Self::Text(TextW {
                    body: &t.body,
                    preview_url: t.preview_url,
                }),
            ),
            Content::Image(m) => (
                "image",
                Self::Image(MediaW::new(&m.media, m.caption.as_ref(), None)),
            ),
            Content::Video(m) => (
                "video",
                Self::Video(MediaW::new(&m.media, m.caption.as_ref(), None)),
            ),
            Content::Audio(m) => ("audio", Self::Audio(MediaW::new(&m.media, None, None))),
            Content::Document(m) => (
                "document",
                Self::Document(MediaW::new(
                    &m.media,
                    m.caption.as_ref(),
                    m.filename.as_ref(),
                )),
            ),
            Content::Sticker(m) => ("sticker", Self::Sticker(MediaW::new(&m.media, None, None))),
            Content::Location(l) => (
                "location",
                Self::Location(LocationW {
                    latitude: l.latitude,
                    longitude: l.longitude,
                    name: l.name.as_deref(),
                    address: l.address.as_deref(),
                }),
            ),
            Content::Contacts(c) => ("contacts", Self::Contacts(&c.contacts)),
            Content::Interactive(i) => {
                let (kind, action) = ActionW::new(&i.action);
                (
                    "interactive",
                    Self::Interactive(InteractiveW {
                        kind,
                        header: i.header.as_ref().map(HeaderW::new),
                        body: BodyTextW { text: &i.body },
                        footer: i.footer.as_deref().map(|text| BodyTextW { text }),
                        action,
                    }),
                )
            }
            Content::Template(t) => (
                "template",
                Self::Template(TemplateW {
                    name: &t.name,
                    language: LanguageW { code: &t.language },
                    components: t.components.iter().map(ComponentW::new).collect(),
                }),
            ),
            Content::Reaction(r) => (
                "reaction",
                Self::Reaction(ReactionW {
                    message_id: r.message_id.as_str(),
                    emoji: &r.emoji,
                }),
            ),
            _ => return None,
        })
    }
}

/// `POST /{phone-number-id}/messages` with `status: read`.
#[derive(Serialize)]
pub(crate) struct ReadBody<'a> {
    pub(crate) messaging_product: &'static str,
    pub(crate) status: &'static str,
    pub(crate) message_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) typing_indicator: Option<TypingW>,
}

#[derive(Serialize)]
pub(crate) struct TypingW {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
}

/// The send response.
#[derive(Deserialize)]
pub(crate) struct SendResponse {
    #[serde(default)]
    pub(crate) contacts: Vec<ContactOut>,
    #[serde(default)]
    pub(crate) messages: Vec<MessageOut>,
}

#[derive(Deserialize)]
pub(crate) struct ContactOut {
    #[serde(default)]
    pub(crate) wa_id: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct MessageOut {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) message_status: Option<String>,
}

/// `{"error": {...}}`.
#[derive(Deserialize)]
pub(crate) struct ErrorEnvelope {
    pub(crate) error: ErrorBody,
}

#[derive(Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default)]
    pub(crate) message: Option<String>,
    #[serde(default)]
    pub(crate) code: Option<i64>,
    #[serde(default)]
    pub(crate) error_data: Option<ErrorData>,
}

#[derive(Deserialize)]
pub(crate) struct ErrorData {
    #[serde(default)]
    pub(crate) details: Option<String>,
}

/// `{"id": "<media id>"}` (upload) and the media URL lookup.
#[derive(Deserialize)]
pub(crate) struct MediaResponse {
    pub(crate) id: Option<String>,
    #[serde(default)]
    pub(crate) url: Option<String>,
    #[serde(default)]
    pub(crate) mime_type: Option<String>,
}

/// `{"success": true}`.
#[derive(Deserialize)]
pub(crate) struct SuccessResponse {
    #[serde(default)]
    pub(crate) success: bool,
}

/// `GET /{waba-id}/message_templates`.
#[derive(Deserialize)]
pub(crate) struct TemplateList {
    #[serde(default)]
    pub(crate) data: Vec<TemplateItem>,
}

#[derive(Deserialize)]
pub(crate) struct TemplateItem {
    #[serde(default)]
    pub(crate) id: Option<String>,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) language: String,
    #[serde(default)]
    pub(crate) status: String,
    #[serde(default)]
    pub(crate) category: Option<String>,
    #[serde(default)]
    pub(crate) components: Option<serde_json::Value>,
}
