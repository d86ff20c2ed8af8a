#![doc = include_str!("../README.md")]
// docs.rs builds with `--cfg docsrs` (see Cargo.toml): items behind a feature get a badge.
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # Overview
//!
//! The message objects of Meta's WhatsApp APIs (`text`, `image`, `interactive`,
//! `template`, …), serialised from unified [`Content`]. The Cloud API, the on-prem API, and
//! the providers that relay them (EnableX, Mobile Gateway) share these objects and differ
//! only in small ways, which [`Flavor`] names; each adapter's `wire.rs` wraps them in its
//! own envelope.
#![allow(
    missing_docs,
    reason = "the fields are Meta's wire names, documented by Meta"
)]

pub mod codes;

use serde::Serialize;
use waba_types::{
    ButtonSubType, ContactCard, Content, InteractiveAction, InteractiveHeader, MediaSource,
    TemplateComponent, TemplateParameter,
};

/// `context`: the message a reply quotes. Every Meta-derived body carries it the same way.
#[derive(Debug, Serialize)]
pub struct ContextRef<'a> {
    pub message_id: &'a str,
}

/// Who a Meta-style send body addresses, flattened into the body: `"to": "<digits>"` for a
/// phone number, `"recipient": "<user id>"` for a business-scoped user id (Meta Cloud API,
/// for customers known without a phone number; see `docs/providers/cloud.md`).
#[derive(Debug, Serialize)]
pub enum Addressee<'a> {
    #[serde(rename = "to")]
    To(&'a str),
    #[serde(rename = "recipient")]
    Recipient(&'a str),
}

impl<'a> Addressee<'a> {
    /// The addressee of an individual or user-id recipient; `None` for a group.
    pub fn of(to: &'a waba_types::Recipient) -> Option<Self> {
        match to {
            waba_types::Recipient::Individual(p) => Some(Self::To(p.digits())),
            waba_types::Recipient::User(u) => Some(Self::Recipient(u.as_str())),
            waba_types::Recipient::Group(_) => None,
        }
    }
}

/// How a provider's variant of the format differs from the Cloud API's.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flavor<'a> {
    /// `preview_url` inside `text` (Cloud), not beside it (on-prem).
    pub preview_url_in_text: bool,
    /// The template namespace to send (on-prem).
    pub template_namespace: Option<&'a str>,
    /// The template language policy to send (`deterministic`: on-prem, EnableX).
    pub language_policy: Option<&'static str>,
}

impl Flavor<'_> {
    /// The variant of Meta's Graph API, which the others differ from.
    pub const GRAPH_API: Flavor<'static> = Flavor {
        preview_url_in_text: true,
        template_namespace: None,
        language_policy: None,
    };
}

/// The object named after the message type (`"text": {...}`, `"image": {...}`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeObject<'a> {
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
#[derive(Debug)]
pub struct RawObject<'a> {
    pub kind: &'a str,
    pub object: &'a serde_json::Value,
}

impl Serialize for RawObject<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(self.kind, self.object)?;
        m.end()
    }
}

#[derive(Debug, Serialize)]
pub struct TextW<'a> {
    pub body: &'a str,
    /// Inside `text` on the Cloud API; on-prem puts it beside the type object instead.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub preview_url: bool,
}

#[derive(Debug, Serialize)]
pub struct MediaW<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<&'a str>,
}

impl<'a> MediaW<'a> {
    pub fn new(
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

#[derive(Debug, Serialize)]
pub struct LocationW<'a> {
    pub latitude: f64,
    pub longitude: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct ReactionW<'a> {
    pub message_id: &'a str,
    pub emoji: &'a str,
}

#[derive(Debug, Serialize)]
pub struct InteractiveW<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<HeaderW<'a>>,
    pub body: BodyTextW<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub footer: Option<BodyTextW<'a>>,
    pub action: ActionW<'a>,
}

#[derive(Debug, Serialize)]
pub struct BodyTextW<'a> {
    pub text: &'a str,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HeaderW<'a> {
    Text { text: &'a str },
    Image { image: MediaW<'a> },
    Video { video: MediaW<'a> },
    Document { document: MediaW<'a> },
}

impl<'a> HeaderW<'a> {
    pub fn new(h: &'a InteractiveHeader) -> Self {
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

#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum ActionW<'a> {
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

#[derive(Debug, Serialize)]
pub struct ButtonW<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub reply: ReplyW<'a>,
}

#[derive(Debug, Serialize)]
pub struct ReplyW<'a> {
    pub id: &'a str,
    pub title: &'a str,
}

#[derive(Debug, Serialize)]
pub struct SectionW<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'a str>,
    pub rows: Vec<RowW<'a>>,
}

#[derive(Debug, Serialize)]
pub struct RowW<'a> {
    pub id: &'a str,
    pub title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct CtaParamsW<'a> {
    pub display_text: &'a str,
    pub url: &'a str,
}

impl<'a> ActionW<'a> {
    pub fn new(a: &'a InteractiveAction) -> (&'static str, Self) {
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

#[derive(Debug, Serialize)]
pub struct TemplateW<'a> {
    /// The template namespace, which the on-prem API requires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<&'a str>,
    pub name: &'a str,
    pub language: LanguageW<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<ComponentW<'a>>,
}

#[derive(Debug, Serialize)]
pub struct LanguageW<'a> {
    /// `deterministic` on the on-prem API and EnableX; absent on Cloud.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<&'static str>,
    pub code: &'a str,
}

#[derive(Debug, Serialize)]
pub struct ComponentW<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_type: Option<&'static str>,
    /// A string: Meta's own samples and production adapters send `"0"`, not `0`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    pub parameters: Vec<ParameterW<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ParameterW<'a> {
    Text { text: &'a str },
    Currency { currency: CurrencyW<'a> },
    DateTime { date_time: FallbackW<'a> },
    Image { image: MediaW<'a> },
    Video { video: MediaW<'a> },
    Document { document: MediaW<'a> },
    Payload { payload: &'a str },
    CouponCode { coupon_code: &'a str },
}

#[derive(Debug, Serialize)]
pub struct CurrencyW<'a> {
    pub fallback_value: &'a str,
    pub code: &'a str,
    pub amount_1000: i64,
}

#[derive(Debug, Serialize)]
pub struct FallbackW<'a> {
    pub fallback_value: &'a str,
}

impl<'a> ComponentW<'a> {
    pub fn new(c: &'a TemplateComponent) -> Self {
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
    /// The type object of a unified content and its type name, in `flavor`'s variant of
    /// the format; `None` for a kind newer than this crate.
    pub fn new(content: &'a Content, flavor: &Flavor<'a>) -> Option<(&'static str, Self)> {
        Some(match content {
            Content::Text(t) => (
                "text",
                Self::Text(TextW {
                    body: &t.body,
                    preview_url: flavor.preview_url_in_text && t.preview_url,
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
                    namespace: flavor.template_namespace,
                    name: &t.name,
                    language: LanguageW {
                        policy: flavor.language_policy,
                        code: &t.language,
                    },
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
