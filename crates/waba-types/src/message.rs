//! [`OutboundMessage`]: what the business sends.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::content::Content;
use crate::identity::UserId;
use crate::ids::MessageId;
use crate::phone::PhoneNumber;

/// A message to send, the same for every provider.
///
/// ```
/// use waba_types::{Content, OutboundMessage, PhoneNumber};
/// let to: PhoneNumber = "+16315551002".parse()?;
/// let msg = OutboundMessage::new(to, Content::text("Your order shipped"))
///     .with_client_reference("order-1001");
/// msg.validate()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboundMessage {
    /// Who receives it.
    pub to: Recipient,
    /// The business number to send from, where the provider serves several with one account
    /// (and the key of the per-number rate limit). `None` uses the adapter's configured number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<PhoneNumber>,
    /// What it carries.
    pub content: Content,
    /// The message it replies to (shown quoted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<MessageId>,
    /// The caller's own reference, echoed in status webhooks where the provider supports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_reference: Option<String>,
}

impl OutboundMessage {
    /// A message to one person.
    pub fn new(to: PhoneNumber, content: Content) -> Self {
        Self {
            to: Recipient::Individual(to),
            from: None,
            content,
            reply_to: None,
            client_reference: None,
        }
    }

    /// Sets the sending number.
    #[must_use]
    pub fn with_from(mut self, from: PhoneNumber) -> Self {
        self.from = Some(from);
        self
    }

    /// Quotes an earlier message.
    #[must_use]
    pub fn with_reply_to(mut self, id: impl Into<MessageId>) -> Self {
        self.reply_to = Some(id.into());
        self
    }

    /// Sets the caller's reference.
    #[must_use]
    pub fn with_client_reference(mut self, reference: impl Into<String>) -> Self {
        self.client_reference = Some(reference.into());
        self
    }
}

/// Who a message goes to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Recipient {
    /// One person, by phone number. Serialised as the E.164 string.
    Individual(PhoneNumber),
    /// A group (on-prem group messaging), by the group id the provider issued.
    /// Serialised as `{"group": "<id>"}`.
    Group(String),
    /// One person, by business-scoped user id (`US.13491208655302741918`), for customers
    /// known without a phone number. Serialised as the id string. Only providers with
    /// `Capabilities::user_ids` take it (Meta Cloud writes it as `recipient`); the others
    /// refuse it locally with `Unsupported`.
    User(UserId),
}

impl Recipient {
    /// Parses what a person types: a business-scoped user id (`US.1349…`) or a phone number.
    pub fn parse(input: &str) -> Result<Self, crate::PhoneError> {
        if let Ok(u) = UserId::parse(input) {
            return Ok(Self::User(u));
        }
        PhoneNumber::parse(input).map(Self::Individual)
    }

    /// The phone number, for individual recipients.
    pub fn phone(&self) -> Option<&PhoneNumber> {
        match self {
            Self::Individual(p) => Some(p),
            Self::Group(_) | Self::User(_) => None,
        }
    }

    /// The user id, for recipients addressed by one.
    pub fn user_id(&self) -> Option<&UserId> {
        match self {
            Self::User(u) => Some(u),
            Self::Individual(_) | Self::Group(_) => None,
        }
    }

    /// The per-customer state key (see [`crate::Customer::keys`]); `None` for a group.
    pub fn customer_key(&self) -> Option<String> {
        match self {
            Self::Individual(p) => Some(crate::identity::wa_key(p.digits())),
            Self::User(u) => Some(crate::identity::user_key(u)),
            Self::Group(_) => None,
        }
    }

    /// What the recipient is addressed by, for messages such as "messages to a group are
    /// not supported": `a phone number`, `a group`, `a business-scoped user id`.
    pub fn addressed_by(&self) -> &'static str {
        match self {
            Self::Individual(_) => "a phone number",
            Self::Group(_) => "a group",
            Self::User(_) => "a business-scoped user id",
        }
    }

    /// A form safe for logs.
    pub fn masked(&self) -> String {
        match self {
            Self::Individual(p) => p.masked(),
            Self::Group(g) => format!("group:{g}"),
            Self::User(u) => u.masked(),
        }
    }
}

impl From<UserId> for Recipient {
    fn from(u: UserId) -> Self {
        Self::User(u)
    }
}

impl From<PhoneNumber> for Recipient {
    fn from(p: PhoneNumber) -> Self {
        Self::Individual(p)
    }
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Individual(p) => p.fmt(f),
            Self::Group(g) => write!(f, "group:{g}"),
            Self::User(u) => u.fmt(f),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct GroupRepr {
    group: String,
}

impl Serialize for Recipient {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Individual(p) => p.serialize(s),
            Self::Group(g) => GroupRepr { group: g.clone() }.serialize(s),
            Self::User(u) => u.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Recipient {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Recipient;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "an E.164 phone number string, a user id string or {\"group\": \"<id>\"}",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Recipient, E> {
                Recipient::parse(v).map_err(E::custom)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Recipient, A::Error> {
                let g = GroupRepr::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Recipient::Group(g.group))
            }
        }
        d.deserialize_any(V)
    }
}
