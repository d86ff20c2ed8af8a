//! What an outbound message carries: [`Content`] and its parts.

use serde::{Deserialize, Serialize};

use crate::ids::{MediaId, MessageId};

/// The content of an outbound message, one variant per kind WhatsApp knows.
///
/// Its JSON form is internally tagged by `type` and stable: it is the unified format the CLI
/// reads and writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Content {
    /// Plain text, with optional link preview.
    Text(Text),
    /// An image (JPEG or PNG) with an optional caption.
    Image(Image),
    /// A video (MP4 or 3GPP) with an optional caption.
    Video(Video),
    /// An audio file or voice note; no caption.
    Audio(Audio),
    /// A document with optional caption and file name.
    Document(Document),
    /// A sticker (WebP); no caption.
    Sticker(Sticker),
    /// A location pin.
    Location(Location),
    /// One or more contact cards.
    Contacts(Contacts),
    /// Reply buttons, a list, or a call-to-action URL button.
    Interactive(Interactive),
    /// A pre-approved template with its parameters.
    Template(Template),
    /// An emoji reaction to an earlier message; an empty emoji removes the reaction.
    Reaction(Reaction),
}

impl Content {
    /// The kind of content, for capability checks, logs and errors.
    pub fn kind(&self) -> ContentKind {
        match self {
            Self::Text(_) => ContentKind::Text,
            Self::Image(_) => ContentKind::Image,
            Self::Video(_) => ContentKind::Video,
            Self::Audio(_) => ContentKind::Audio,
            Self::Document(_) => ContentKind::Document,
            Self::Sticker(_) => ContentKind::Sticker,
            Self::Location(_) => ContentKind::Location,
            Self::Contacts(_) => ContentKind::Contacts,
            Self::Interactive(_) => ContentKind::Interactive,
            Self::Template(_) => ContentKind::Template,
            Self::Reaction(_) => ContentKind::Reaction,
        }
    }

    /// A text message without link preview.
    pub fn text(body: impl Into<String>) -> Self {
        Self::Text(Text {
            body: body.into(),
            preview_url: false,
        })
    }

    /// A template message with body parameters given as text, in order.
    pub fn template<I, S>(name: impl Into<String>, language: impl Into<String>, body: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let parameters: Vec<TemplateParameter> = body
            .into_iter()
            .map(|s| TemplateParameter::Text { text: s.into() })
            .collect();
        let components = if parameters.is_empty() {
            Vec::new()
        } else {
            vec![TemplateComponent::Body { parameters }]
        };
        Self::Template(Template {
            name: name.into(),
            language: language.into(),
            components,
        })
    }

    /// An image by link, without caption.
    pub fn image_link(url: impl Into<String>) -> Self {
        Self::Image(Image {
            media: MediaSource::Link(url.into()),
            caption: None,
        })
    }

    /// Whether this is a template. Only templates may be sent outside the 24-hour window.
    pub fn is_template(&self) -> bool {
        matches!(self, Self::Template(_))
    }
}

/// The kinds of [`Content`], without their data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ContentKind {
    /// [`Content::Text`].
    Text,
    /// [`Content::Image`].
    Image,
    /// [`Content::Video`].
    Video,
    /// [`Content::Audio`].
    Audio,
    /// [`Content::Document`].
    Document,
    /// [`Content::Sticker`].
    Sticker,
    /// [`Content::Location`].
    Location,
    /// [`Content::Contacts`].
    Contacts,
    /// [`Content::Interactive`].
    Interactive,
    /// [`Content::Template`].
    Template,
    /// [`Content::Reaction`].
    Reaction,
}

impl ContentKind {
    /// Every kind, in declaration order.
    pub const ALL: [Self; 11] = [
        Self::Text,
        Self::Image,
        Self::Video,
        Self::Audio,
        Self::Document,
        Self::Sticker,
        Self::Location,
        Self::Contacts,
        Self::Interactive,
        Self::Template,
        Self::Reaction,
    ];

    /// The wire name (`text`, `image`, …), which every provider shares.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Image => "image",
            Self::Video => "video",
            Self::Audio => "audio",
            Self::Document => "document",
            Self::Sticker => "sticker",
            Self::Location => "location",
            Self::Contacts => "contacts",
            Self::Interactive => "interactive",
            Self::Template => "template",
            Self::Reaction => "reaction",
        }
    }
}

impl std::fmt::Display for ContentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    /// The text, at most 4,096 characters; WhatsApp formatting markers allowed.
    pub body: String,
    /// Ask WhatsApp to render a preview of the first URL; only valid when the body has one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub preview_url: bool,
}

/// Where media comes from: a public link, or an id returned by an upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaSource {
    /// An HTTP(S) URL the provider fetches.
    Link(String),
    /// The id of media uploaded to the provider before.
    Id(MediaId),
}

/// An image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    /// Link or uploaded id.
    pub media: MediaSource,
    /// At most 1,024 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
}

/// A video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Video {
    /// Link or uploaded id.
    pub media: MediaSource,
    /// At most 1,024 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
}

/// An audio file or voice note. WhatsApp shows no caption for audio, so there is none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audio {
    /// Link or uploaded id.
    pub media: MediaSource,
}

/// A document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Link or uploaded id.
    pub media: MediaSource,
    /// At most 1,024 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// The file name the recipient sees, with its extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
}

/// A sticker. No caption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sticker {
    /// Link or uploaded id.
    pub media: MediaSource,
}

/// A location pin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// −90 to 90.
    pub latitude: f64,
    /// −180 to 180.
    pub longitude: f64,
    /// The place's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// Contact cards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contacts {
    /// One to 256 cards.
    pub contacts: Vec<ContactCard>,
}

/// One contact card (vCard-like), as WhatsApp sends and receives it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactCard {
    /// The name; `formatted_name` is required.
    pub name: ContactName,
    /// Phone numbers; put a `wa_id` in one so the recipient can message the contact.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<ContactPhone>,
    /// E-mail addresses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<ContactEmail>,
    /// Postal addresses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<ContactAddress>,
    /// Organisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org: Option<ContactOrg>,
    /// Web sites.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<ContactUrl>,
    /// Birthday, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birthday: Option<String>,
}

/// A contact's name.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactName {
    /// The full name as shown; required.
    pub formatted_name: String,
    /// First name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Middle name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Prefix (`Dr.`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Suffix (`Jr.`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
}

/// A contact's phone.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactPhone {
    /// The number as written.
    pub phone: String,
    /// `HOME`, `WORK`, `CELL`, …
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The WhatsApp id, which lets the recipient message the contact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<String>,
}

/// A contact's e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactEmail {
    /// The address.
    pub email: String,
    /// `HOME`, `WORK`, …
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A contact's postal address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactAddress {
    /// Street.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// City.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State or region.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Postal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    /// Country name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// ISO country code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// `HOME`, `WORK`, …
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A contact's organisation.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactOrg {
    /// Company.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// Department.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// A contact's web site.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactUrl {
    /// The URL.
    pub url: String,
    /// `HOME`, `WORK`, …
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// An interactive message: header, body, footer and one kind of action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interactive {
    /// Optional header: text, or media for buttons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<InteractiveHeader>,
    /// The body text, at most 1,024 characters.
    pub body: String,
    /// Optional footer, at most 60 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer: Option<String>,
    /// What the user can do.
    pub action: InteractiveAction,
}

/// The header of an interactive message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum InteractiveHeader {
    /// Text, at most 60 characters.
    Text(String),
    /// An image (not with lists).
    Image(MediaSource),
    /// A video (not with lists).
    Video(MediaSource),
    /// A document (not with lists).
    Document(MediaSource),
}

/// The action of an interactive message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InteractiveAction {
    /// One to three reply buttons.
    Buttons {
        /// The buttons.
        buttons: Vec<ReplyButton>,
    },
    /// A list the user opens with a button.
    List {
        /// The label of the button that opens the list, at most 20 characters.
        button: String,
        /// One to ten sections, with at most ten rows in all.
        sections: Vec<ListSection>,
    },
    /// A button that opens a URL.
    CtaUrl {
        /// The button label, at most 20 characters.
        display_text: String,
        /// The URL.
        url: String,
    },
}

/// A reply button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyButton {
    /// Sent back when tapped; at most 256 characters, unique within the message.
    pub id: String,
    /// The label, at most 20 characters.
    pub title: String,
}

/// A section of a list message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListSection {
    /// Required when there is more than one section; at most 24 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The rows.
    pub rows: Vec<ListRow>,
}

/// A row of a list message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRow {
    /// Sent back when chosen; at most 200 characters, unique within the message.
    pub id: String,
    /// At most 24 characters.
    pub title: String,
    /// At most 72 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A template message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// The approved template's name, at most 512 characters.
    pub name: String,
    /// Its language code (`en`, `en_US`, `pt_BR`).
    pub language: String,
    /// Parameters, by component.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<TemplateComponent>,
}

/// The parameters of one template component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TemplateComponent {
    /// The header: one text or media parameter.
    Header {
        /// The parameters.
        parameters: Vec<TemplateParameter>,
    },
    /// The body: its `{{n}}` values, in order.
    Body {
        /// The parameters.
        parameters: Vec<TemplateParameter>,
    },
    /// A button's dynamic part.
    Button {
        /// Which kind of button.
        sub_type: ButtonSubType,
        /// The button's position, 0-based.
        index: u8,
        /// Its parameters: a payload for quick replies, text for URL suffixes.
        parameters: Vec<TemplateParameter>,
    },
}

/// The kind of a template button.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ButtonSubType {
    /// A quick-reply button; its parameter is the payload sent back.
    QuickReply,
    /// A URL button; its parameter is the URL suffix.
    Url,
    /// A copy-code button (authentication templates).
    CopyCode,
}

/// One template parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TemplateParameter {
    /// Text.
    Text {
        /// The value.
        text: String,
    },
    /// An amount of money, localised by WhatsApp.
    Currency {
        /// Shown when localisation fails.
        fallback_value: String,
        /// ISO 4217 code.
        code: String,
        /// The amount times 1,000 (`12.34` is `12340`).
        amount_1000: i64,
    },
    /// A date and time, localised by WhatsApp.
    DateTime {
        /// Shown when localisation fails.
        fallback_value: String,
    },
    /// An image (header).
    Image {
        /// Link or uploaded id.
        media: MediaSource,
    },
    /// A video (header).
    Video {
        /// Link or uploaded id.
        media: MediaSource,
    },
    /// A document (header).
    Document {
        /// Link or uploaded id.
        media: MediaSource,
        /// The file name shown.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        filename: Option<String>,
    },
    /// A quick-reply button payload.
    Payload {
        /// The payload.
        payload: String,
    },
}

/// A reaction to an earlier message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    /// The message reacted to.
    pub message_id: MessageId,
    /// One emoji; empty to remove an earlier reaction.
    pub emoji: String,
}
