//! Validation of outbound messages against the limits in [`crate::limits`].
//!
//! Every error names the field path, the limit and the offending value, e.g.
//! `content.body: 4097 characters, the limit is 4096`.

use std::collections::HashSet;
use std::fmt;

use crate::content::{
    Content, Interactive, InteractiveAction, InteractiveHeader, ListSection, MediaSource, Template,
    TemplateComponent, TemplateParameter,
};
use crate::limits as l;
use crate::media::MediaKind;
use crate::message::OutboundMessage;

/// One rule a value broke, and where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {violation}")]
pub struct ValidationError {
    /// The field path in the unified JSON form (`content.action.buttons[3]`).
    pub field: String,
    /// What is wrong.
    pub violation: Violation,
}

impl ValidationError {
    /// An error at `field`.
    pub fn new(field: impl Into<String>, violation: Violation) -> Self {
        Self {
            field: field.into(),
            violation,
        }
    }
}

/// What is wrong with a value.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Violation {
    /// Longer than allowed, in characters.
    TooLong {
        /// Its length.
        actual: usize,
        /// The limit.
        max: usize,
    },
    /// More items than allowed.
    TooMany {
        /// How many were given.
        actual: usize,
        /// The limit.
        max: usize,
        /// What is counted (`buttons`, `rows`).
        what: &'static str,
    },
    /// Must not be empty.
    Empty,
    /// A number outside its range.
    OutOfRange {
        /// The value given.
        value: f64,
        /// The smallest allowed.
        min: f64,
        /// The largest allowed.
        max: f64,
    },
    /// A file larger than allowed.
    TooLarge {
        /// Its size.
        bytes: u64,
        /// The limit.
        max: u64,
    },
    /// A MIME type WhatsApp does not accept for the media kind.
    UnsupportedMimeType {
        /// The type given.
        mime_type: String,
        /// The kind it was given for.
        kind: MediaKind,
    },
    /// The same id twice where ids must be unique.
    Duplicate {
        /// The repeated value.
        value: String,
    },
    /// Anything else, in words.
    Invalid {
        /// Why, naming the offending value.
        reason: String,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong { actual, max } => {
                write!(f, "{actual} characters, the limit is {max}")
            }
            Self::TooMany { actual, max, what } => {
                write!(f, "{actual} {what}, the limit is {max}")
            }
            Self::Empty => f.write_str("must not be empty"),
            Self::OutOfRange { value, min, max } => {
                write!(f, "{value} is outside the range {min} to {max}")
            }
            Self::TooLarge { bytes, max } => {
                write!(f, "{bytes} bytes, the limit is {max} bytes")
            }
            Self::UnsupportedMimeType { mime_type, kind } => write!(
                f,
                "{mime_type} is not accepted for {kind}; accepted: {}",
                kind.mime_types().join(", ")
            ),
            Self::Duplicate { value } => write!(f, "{value:?} appears more than once"),
            Self::Invalid { reason } => f.write_str(reason),
        }
    }
}

/// Every rule a message broke, in field order. Never empty.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationErrors(Vec<ValidationError>);

impl ValidationErrors {
    /// The individual errors.
    pub fn errors(&self) -> &[ValidationError] {
        &self.0
    }

    /// The first error, whose field is the one reported in single-line messages.
    pub fn first(&self) -> &ValidationError {
        &self.0[0]
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            e.fmt(f)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

impl IntoIterator for ValidationErrors {
    type Item = ValidationError;
    type IntoIter = std::vec::IntoIter<ValidationError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// Collects violations under a growing field path.
#[derive(Default)]
struct Checker {
    errors: Vec<ValidationError>,
}

impl Checker {
    fn push(&mut self, field: String, violation: Violation) {
        self.errors.push(ValidationError { field, violation });
    }

    fn max_chars(&mut self, field: impl FnOnce() -> String, value: &str, max: usize) {
        // Byte length bounds the character count from above: skip counting short strings.
        if value.len() > max {
            let actual = value.chars().count();
            if actual > max {
                self.push(field(), Violation::TooLong { actual, max });
            }
        }
    }

    fn non_empty(&mut self, field: impl FnOnce() -> String, value: &str) {
        if value.trim().is_empty() {
            self.push(field(), Violation::Empty);
        }
    }

    fn required(&mut self, field: &str, value: &str, max: usize) {
        self.non_empty(|| field.to_owned(), value);
        self.max_chars(|| field.to_owned(), value, max);
    }

    fn range(&mut self, field: &str, value: f64, (min, max): (f64, f64)) {
        if !(min..=max).contains(&value) {
            self.push(field.to_owned(), Violation::OutOfRange { value, min, max });
        }
    }

    fn count(&mut self, field: &str, actual: usize, max: usize, what: &'static str) {
        if actual > max {
            self.push(field.to_owned(), Violation::TooMany { actual, max, what });
        } else if actual == 0 {
            self.push(field.to_owned(), Violation::Empty);
        }
    }

    fn media(&mut self, field: &str, media: &MediaSource) {
        match media {
            MediaSource::Link(url) => {
                if !is_http_url(url) {
                    self.push(
                        format!("{field}.link"),
                        Violation::Invalid {
                            reason: format!("{url:?} is not an http(s) URL"),
                        },
                    );
                }
            }
            MediaSource::Id(id) => self.non_empty(|| format!("{field}.id"), id.as_str()),
        }
    }

    fn caption(&mut self, field: &str, caption: Option<&String>) {
        if let Some(c) = caption {
            self.max_chars(|| format!("{field}.caption"), c, l::CAPTION_MAX);
        }
    }
}

fn is_http_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return false;
    };
    !rest.is_empty() && !rest.starts_with('/') && !url.chars().any(char::is_whitespace)
}

/// Whether `text` contains an http(s) URL, which `preview_url` needs.
pub fn contains_url(text: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || c == '(' || c == '<' || c == '"')
        .any(is_http_url)
}

impl OutboundMessage {
    /// Checks every limit WhatsApp and the providers state (see [`crate::limits`]) and returns
    /// all violations at once.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut c = Checker::default();
        if let Some(r) = &self.reply_to {
            c.non_empty(|| "reply_to".to_owned(), r.as_str());
        }
        if let Some(r) = &self.client_reference {
            c.max_chars(|| "client_reference".to_owned(), r, l::CLIENT_REFERENCE_MAX);
        }
        self.content.check(&mut c);
        if c.errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(c.errors))
        }
    }
}

impl Content {
    /// Checks the content alone (what [`OutboundMessage::validate`] checks under `content`).
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut c = Checker::default();
        self.check(&mut c);
        if c.errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(c.errors))
        }
    }

    fn check(&self, c: &mut Checker) {
        match self {
            Self::Text(t) => {
                c.required("content.body", &t.body, l::TEXT_BODY_MAX);
                if t.preview_url && !contains_url(&t.body) {
                    c.push(
                        "content.preview_url".to_owned(),
                        Violation::Invalid {
                            reason: "true, but the body has no http(s) URL to preview".to_owned(),
                        },
                    );
                }
            }
            Self::Image(m) => {
                c.media("content.media", &m.media);
                c.caption("content", m.caption.as_ref());
            }
            Self::Video(m) => {
                c.media("content.media", &m.media);
                c.caption("content", m.caption.as_ref());
            }
            Self::Document(m) => {
                c.media("content.media", &m.media);
                c.caption("content", m.caption.as_ref());
                if let Some(f) = &m.filename {
                    c.required("content.filename", f, 240);
                }
            }
            Self::Audio(m) => c.media("content.media", &m.media),
            Self::Sticker(m) => c.media("content.media", &m.media),
            Self::Location(loc) => {
                c.range("content.latitude", loc.latitude, l::LATITUDE);
                c.range("content.longitude", loc.longitude, l::LONGITUDE);
            }
            Self::Contacts(list) => {
                c.count(
                    "content.contacts",
                    list.contacts.len(),
                    l::CONTACTS_MAX,
                    "contacts",
                );
                for (i, card) in list.contacts.iter().enumerate() {
                    c.non_empty(
                        || format!("content.contacts[{i}].name.formatted_name"),
                        &card.name.formatted_name,
                    );
                }
            }
            Self::Interactive(i) => check_interactive(c, i),
            Self::Template(t) => check_template(c, t),
            Self::Reaction(r) => {
                c.non_empty(|| "content.message_id".to_owned(), r.message_id.as_str());
                // One emoji may be several code points (skin tones, ZWJ sequences), but never
                // a sentence; 16 characters covers the longest ZWJ family sequences.
                c.max_chars(|| "content.emoji".to_owned(), &r.emoji, 16);
            }
        }
    }
}

fn check_interactive(c: &mut Checker, i: &Interactive) {
    let is_list = matches!(i.action, InteractiveAction::List { .. });
    let body_max = if is_list {
        l::LIST_BODY_MAX
    } else {
        l::INTERACTIVE_BODY_MAX
    };
    c.required("content.body", &i.body, body_max);
    if let Some(f) = &i.footer {
        c.max_chars(|| "content.footer".to_owned(), f, l::HEADER_FOOTER_MAX);
    }
    match &i.header {
        Some(InteractiveHeader::Text(t)) => {
            c.required("content.header.value", t, l::HEADER_FOOTER_MAX);
        }
        Some(
            InteractiveHeader::Image(m)
            | InteractiveHeader::Video(m)
            | InteractiveHeader::Document(m),
        ) => {
            if is_list {
                c.push(
                    "content.header".to_owned(),
                    Violation::Invalid {
                        reason: "a list message takes a text header only".to_owned(),
                    },
                );
            } else {
                c.media("content.header.value", m);
            }
        }
        None => {}
    }
    match &i.action {
        InteractiveAction::Buttons { buttons } => {
            c.count(
                "content.action.buttons",
                buttons.len(),
                l::REPLY_BUTTONS_MAX,
                "buttons",
            );
            let mut seen = HashSet::new();
            for (n, b) in buttons.iter().enumerate() {
                c.required(
                    &format!("content.action.buttons[{n}].id"),
                    &b.id,
                    l::BUTTON_ID_MAX,
                );
                c.required(
                    &format!("content.action.buttons[{n}].title"),
                    &b.title,
                    l::BUTTON_TITLE_MAX,
                );
                if !seen.insert(b.id.as_str()) {
                    c.push(
                        format!("content.action.buttons[{n}].id"),
                        Violation::Duplicate {
                            value: b.id.clone(),
                        },
                    );
                }
            }
        }
        InteractiveAction::List { button, sections } => check_list(c, button, sections),
        InteractiveAction::CtaUrl { display_text, url } => {
            c.required(
                "content.action.display_text",
                display_text,
                l::BUTTON_TITLE_MAX,
            );
            if !is_http_url(url) {
                c.push(
                    "content.action.url".to_owned(),
                    Violation::Invalid {
                        reason: format!("{url:?} is not an http(s) URL"),
                    },
                );
            }
        }
    }
}

fn check_list(c: &mut Checker, button: &str, sections: &[ListSection]) {
    c.required("content.action.button", button, l::LIST_BUTTON_MAX);
    c.count(
        "content.action.sections",
        sections.len(),
        l::LIST_SECTIONS_MAX,
        "sections",
    );
    let rows: usize = sections.iter().map(|s| s.rows.len()).sum();
    if rows > l::LIST_ROWS_MAX {
        c.push(
            "content.action.sections".to_owned(),
            Violation::TooMany {
                actual: rows,
                max: l::LIST_ROWS_MAX,
                what: "rows",
            },
        );
    }
    let mut seen = HashSet::new();
    for (s, section) in sections.iter().enumerate() {
        let base = format!("content.action.sections[{s}]");
        match &section.title {
            Some(t) => c.max_chars(|| format!("{base}.title"), t, l::SECTION_TITLE_MAX),
            None if sections.len() > 1 => c.push(
                format!("{base}.title"),
                Violation::Invalid {
                    reason: "required when a list has more than one section".to_owned(),
                },
            ),
            None => {}
        }
        if section.rows.is_empty() {
            c.push(format!("{base}.rows"), Violation::Empty);
        }
        for (r, row) in section.rows.iter().enumerate() {
            let at = format!("{base}.rows[{r}]");
            c.required(&format!("{at}.id"), &row.id, l::ROW_ID_MAX);
            c.required(&format!("{at}.title"), &row.title, l::ROW_TITLE_MAX);
            if let Some(d) = &row.description {
                c.max_chars(|| format!("{at}.description"), d, l::ROW_DESCRIPTION_MAX);
            }
            if !seen.insert(row.id.as_str()) {
                c.push(
                    format!("{at}.id"),
                    Violation::Duplicate {
                        value: row.id.clone(),
                    },
                );
            }
        }
    }
}

fn check_template(c: &mut Checker, t: &Template) {
    c.required("content.name", &t.name, l::TEMPLATE_NAME_MAX);
    c.non_empty(|| "content.language".to_owned(), &t.language);
    for (n, component) in t.components.iter().enumerate() {
        let base = format!("content.components[{n}]");
        let parameters = match component {
            TemplateComponent::Header { parameters } => {
                if parameters.len() > 1 {
                    c.push(
                        format!("{base}.parameters"),
                        Violation::TooMany {
                            actual: parameters.len(),
                            max: 1,
                            what: "parameters",
                        },
                    );
                }
                parameters
            }
            TemplateComponent::Body { parameters } => parameters,
            TemplateComponent::Button {
                index, parameters, ..
            } => {
                if *index > 9 {
                    c.push(
                        format!("{base}.index"),
                        Violation::OutOfRange {
                            value: f64::from(*index),
                            min: 0.0,
                            max: 9.0,
                        },
                    );
                }
                parameters
            }
        };
        let header = matches!(component, TemplateComponent::Header { .. });
        for (p, parameter) in parameters.iter().enumerate() {
            let at = format!("{base}.parameters[{p}]");
            match parameter {
                TemplateParameter::Text { text } => {
                    if let Some(reason) = template_text_fault(text) {
                        c.push(format!("{at}.text"), Violation::Invalid { reason });
                    }
                    if header {
                        c.max_chars(
                            || format!("{at}.text"),
                            text,
                            l::TEMPLATE_HEADER_PARAMETER_MAX,
                        );
                    }
                }
                TemplateParameter::Image { media }
                | TemplateParameter::Video { media }
                | TemplateParameter::Document { media, .. } => c.media(&at, media),
                TemplateParameter::Currency { code, .. } => {
                    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
                        c.push(
                            format!("{at}.code"),
                            Violation::Invalid {
                                reason: format!("{code:?} is not a 3-letter ISO 4217 code"),
                            },
                        );
                    }
                }
                TemplateParameter::DateTime { .. } | TemplateParameter::Payload { .. } => {}
            }
        }
    }
}

/// Why WhatsApp refuses a template text parameter (code 132018), if it does: a newline, a
/// tab, or more than [`l::TEMPLATE_PARAMETER_SPACES_MAX`] consecutive spaces. The reason
/// names the offending character and where it is.
fn template_text_fault(text: &str) -> Option<String> {
    let mut spaces = 0;
    for (i, ch) in text.chars().enumerate() {
        match ch {
            '\n' | '\r' => {
                return Some(format!(
                    "a newline at character {i}: template parameters are one line"
                ));
            }
            '\t' => {
                return Some(format!(
                    "a tab at character {i}: template parameters have no tabs"
                ));
            }
            ' ' => {
                spaces += 1;
                if spaces > l::TEMPLATE_PARAMETER_SPACES_MAX {
                    return Some(format!(
                        "{spaces} consecutive spaces at character {}: the limit is {}",
                        i + 1 - spaces,
                        l::TEMPLATE_PARAMETER_SPACES_MAX
                    ));
                }
            }
            _ => spaces = 0,
        }
    }
    None
}
