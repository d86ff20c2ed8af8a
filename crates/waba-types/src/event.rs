//! What webhooks deliver, in one shape for every provider: [`Event`].

use serde::{Deserialize, Serialize};

use crate::content::ContactCard;
use crate::identity::{Customer, UserId};
use crate::ids::{MediaId, MessageId};
use crate::phone::WaId;
use crate::status::{DeliveryStatus, SystemKind, TemplateStatus};

/// One thing a provider told us by webhook.
///
/// Decoders never fail a whole batch on something new: an event they do not understand
/// becomes [`Event::Unknown`] with its raw JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// A customer sent a message.
    Message(InboundMessage),
    /// An outbound message changed state.
    Status(StatusUpdate),
    /// A template was approved, rejected, paused, disabled, …
    TemplateStatus(TemplateStatusUpdate),
    /// A template's quality score changed (Cloud `message_template_quality_update`).
    TemplateQuality(TemplateQualityUpdate),
    /// A template's category changed (Cloud `template_category_update`).
    TemplateCategory(TemplateCategoryUpdate),
    /// A customer stopped or resumed marketing messages (Cloud `user_preferences`).
    MarketingPreference(MarketingPreferenceUpdate),
    /// The business account was banned, restricted, reinstated, … (Cloud `account_update`).
    AccountUpdate(AccountUpdate),
    /// A message the business sent from the WhatsApp Business app, echoed so that the
    /// conversation is complete (Cloud `smb_message_echoes`).
    MessageEcho(MessageEcho),
    /// Errors the provider reported outside any message or status.
    Errors(ErrorReport),
    /// Something this version does not model, kept whole.
    Unknown(UnknownEvent),
}

impl Event {
    /// The message id the event is about, when it is about one.
    pub fn message_id(&self) -> Option<&MessageId> {
        match self {
            Self::Message(m) => Some(&m.id),
            Self::Status(s) => Some(&s.message_id),
            _ => None,
        }
    }

    /// The customer the event is about, by whichever ids it carries: the sender of a
    /// message, the recipient of a status (not for a group send: the group is no customer),
    /// the recipient named by an error report. `None` when it names nobody.
    pub fn customer(&self) -> Option<Customer> {
        match self {
            Self::Message(m) => m.customer(),
            Self::Status(s) => s.customer(),
            Self::Errors(e) => Customer::from_ids(e.recipient.as_ref(), None, None),
            Self::MarketingPreference(p) => Some(p.customer.clone()),
            Self::MessageEcho(e) => Customer::from_ids(Some(&e.to), e.to_user_id.as_ref(), None),
            _ => None,
        }
    }
}

/// The business number an event arrived for, as far as the provider says.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BusinessRef {
    /// The provider's id of the business number (Cloud `phone_number_id`, Mobile Gateway `source`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number_id: Option<String>,
    /// The business number as displayed (Cloud `display_phone_number`, EnableX `business_phone`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_phone_number: Option<String>,
    /// The WhatsApp Business Account id (Cloud `entry[].id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
}

impl BusinessRef {
    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        self.phone_number_id.is_none()
            && self.display_phone_number.is_none()
            && self.account_id.is_none()
    }
}

/// An error as WhatsApp reports it in webhooks and response bodies.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiError {
    /// The numeric code (Cloud `131047`, on-prem `470`).
    pub code: i64,
    /// The short title.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// A longer message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Details (Cloud `error_data.details`, on-prem `details`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// A link to documentation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
}

/// An inbound message from a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboundMessage {
    /// The provider's id of the message; the key for de-duplication.
    pub id: MessageId,
    /// The sender's WhatsApp id (empty when only `from_user_id` is known).
    pub from: WaId,
    /// The sender's business-scoped user id (Cloud `from_user_id`, else the matching
    /// `contacts[].user_id`), when the provider sends one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_user_id: Option<UserId>,
    /// The sender's portfolio-level parent user id (Cloud `from_parent_user_id`, else
    /// `contacts[].parent_user_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_parent_user_id: Option<UserId>,
    /// The sender's profile name, from the webhook's `contacts[]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_name: Option<String>,
    /// The sender's WhatsApp username (`contacts[].profile.username`), when they have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Unix seconds.
    pub timestamp: u64,
    /// The business number it was sent to.
    #[serde(default, skip_serializing_if = "BusinessRef::is_empty")]
    pub business: BusinessRef,
    /// The group it was sent in (on-prem groups).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// What it replies to or was forwarded from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<MessageContext>,
    /// How the customer found the business (a click-to-WhatsApp ad, a post).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<Box<Referral>>,
    /// What the message carries.
    pub content: InboundContent,
    /// Errors attached to the message (e.g. for unsupported types).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ApiError>,
}

impl InboundMessage {
    /// The sender, by phone id, user id or both.
    pub fn customer(&self) -> Option<Customer> {
        Customer::from_ids(
            Some(&self.from),
            self.from_user_id.as_ref(),
            self.from_parent_user_id.as_ref(),
        )
    }
}

/// What an inbound message replies to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MessageContext {
    /// The message replied to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<MessageId>,
    /// Who sent the message replied to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<WaId>,
    /// The message was forwarded.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub forwarded: bool,
    /// The message was forwarded many times.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub frequently_forwarded: bool,
    /// The catalog product asked about (Cloud `referred_product.product_retailer_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referred_product_id: Option<String>,
    /// The catalog of that product (Cloud `referred_product.catalog_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referred_catalog_id: Option<String>,
}

/// How a customer came to write: an ad or post they clicked.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Referral {
    /// The ad's or post's URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// `ad` or `post`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    /// The ad's or post's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// The ad's headline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// The ad's body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// `image` or `video`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// The ad's image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// The ad's video.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    /// The video's thumbnail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    /// The click id for conversion tracking.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ctwa_clid: Option<String>,
}

/// What an inbound message carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum InboundContent {
    /// Text.
    Text {
        /// The text.
        body: String,
    },
    /// An image.
    Image(InboundMedia),
    /// A video.
    Video(InboundMedia),
    /// An audio file; `voice` tells a voice note.
    Audio(InboundMedia),
    /// A document.
    Document(InboundMedia),
    /// A sticker.
    Sticker(InboundMedia),
    /// A location.
    Location {
        /// Latitude.
        latitude: f64,
        /// Longitude.
        longitude: f64,
        /// The place's name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// Its address.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        address: Option<String>,
        /// A link about the place.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
    },
    /// Shared contact cards.
    Contacts {
        /// The cards.
        contacts: Vec<ContactCard>,
    },
    /// A tap on a reply button of an interactive message.
    ButtonReply {
        /// The button's id, as sent.
        id: String,
        /// Its label.
        title: String,
    },
    /// A choice from a list message.
    ListReply {
        /// The row's id, as sent.
        id: String,
        /// Its title.
        title: String,
        /// Its description.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        description: Option<String>,
    },
    /// A tap on a template's quick-reply button.
    TemplateButton {
        /// The button label.
        text: String,
        /// The payload set when the template was sent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payload: Option<String>,
    },
    /// A reply from a WhatsApp Flow.
    FlowReply {
        /// The flow's name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// The summary shown in the chat.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
        /// The answers, a JSON document as a string.
        response_json: String,
    },
    /// A reaction to a message; `emoji: None` means the reaction was removed.
    Reaction {
        /// The message reacted to.
        message_id: MessageId,
        /// The emoji, or `None` when removed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        emoji: Option<String>,
    },
    /// An order from the catalog.
    Order(Order),
    /// A change to the customer's account (new number, new identity) or a group event.
    System {
        /// What changed.
        system_kind: SystemKind,
        /// The text WhatsApp shows.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
        /// The customer's new WhatsApp id, after a number change.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        new_wa_id: Option<WaId>,
        /// The new identity, after an identity change (Cloud `identity`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        identity: Option<IdentityChange>,
    },
    /// The customer answered a request for permission to call them (Cloud `interactive`
    /// of type `call_permission_reply`).
    CallPermissionReply {
        /// `accept` or `reject`.
        response: String,
        /// The permission does not expire.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        is_permanent: bool,
        /// When a temporary permission ends, Unix seconds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expiration_timestamp: Option<u64>,
        /// `user_action` or `automatic`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response_source: Option<String>,
    },
    /// WhatsApp could not show the business what was sent (the message's `errors` say why).
    Unsupported {
        /// The type WhatsApp did not support, when it says (Cloud `unsupported.type`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        type_name: Option<String>,
    },
    /// A type this version does not model, or content that did not decode (a known `type`
    /// without its object), with the provider's raw JSON of the message. The envelope (id,
    /// sender, time) is still typed, so the message can be answered and de-duplicated.
    Unknown {
        /// The provider's type name.
        type_name: String,
        /// The message as the provider sent it.
        raw: serde_json::Value,
        /// Why the content was not typed, when the type is one this version knows.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

/// A customer's new identity (a reinstall or a new phone), from a `system` message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IdentityChange {
    /// Whether the business has acknowledged the new identity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<bool>,
    /// When the identity was created, Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_timestamp: Option<u64>,
    /// The identity's hash.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

/// Inbound media; fetch it with the provider's media download.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct InboundMedia {
    /// The media id (absent when the provider could not download it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<MediaId>,
    /// A direct link, where the provider gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Its MIME type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Its SHA-256, as the provider encodes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Its caption.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Its file name (documents).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// A voice note rather than an audio file.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub voice: bool,
    /// An animated sticker.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub animated: bool,
}

/// An order placed from the catalog.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Order {
    /// The catalog.
    pub catalog_id: String,
    /// The customer's note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The items.
    pub product_items: Vec<OrderItem>,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OrderItem {
    /// The product's retailer id.
    pub product_retailer_id: String,
    /// How many.
    pub quantity: u64,
    /// The unit price.
    pub item_price: f64,
    /// ISO 4217 currency.
    pub currency: String,
}

/// A change in an outbound message's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusUpdate {
    /// The id the provider gave the message when it was sent.
    pub message_id: MessageId,
    /// The new state, one of the common states (or `Other` for a word no decoder knows).
    pub status: DeliveryStatus,
    /// The provider's own word for the state, when it is not the unified one (Mobile
    /// Gateway `received`, Cloud `held_for_quality_assessment`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_status: Option<String>,
    /// Unix seconds, when the provider says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    /// The customer's WhatsApp id, when the provider says (Cloud `recipient_id`, on-prem
    /// 2.45+ `message.recipient_id`). For a group send, the participant, never the group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<WaId>,
    /// The customer's business-scoped user id (Cloud `recipient_user_id`, or the status's
    /// `contacts[].user_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_user_id: Option<UserId>,
    /// The customer's parent user id (Cloud `recipient_parent_user_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_parent_user_id: Option<UserId>,
    /// The customer's profile name, from the status's `contacts[]` (Cloud, 2026).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_name: Option<String>,
    /// The customer's username, from the status's `contacts[].profile.username`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The group the message was sent to (Cloud `recipient_type: "group"` with the group in
    /// `recipient_id`); `recipient` is then the participant (`recipient_participant_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// The business number it was sent from.
    #[serde(default, skip_serializing_if = "BusinessRef::is_empty")]
    pub business: BusinessRef,
    /// The caller's reference, echoed (Cloud `biz_opaque_callback_data`, Mobile Gateway `reference`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_reference: Option<String>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ApiError>,
    /// The conversation it is billed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<Conversation>,
    /// How it is priced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pricing: Option<Pricing>,
}

impl StatusUpdate {
    /// A status with only its message id and state; the rest empty.
    pub fn new(message_id: impl Into<MessageId>, status: DeliveryStatus) -> Self {
        Self {
            message_id: message_id.into(),
            status,
            raw_status: None,
            timestamp: None,
            recipient: None,
            recipient_user_id: None,
            recipient_parent_user_id: None,
            profile_name: None,
            username: None,
            group_id: None,
            business: BusinessRef::default(),
            client_reference: None,
            errors: Vec::new(),
            conversation: None,
            pricing: None,
        }
    }

    /// The customer the message went to, by phone id, user id or both.
    pub fn customer(&self) -> Option<Customer> {
        Customer::from_ids(
            self.recipient.as_ref(),
            self.recipient_user_id.as_ref(),
            self.recipient_parent_user_id.as_ref(),
        )
    }
}

/// The conversation a message is billed in.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Conversation {
    /// Its id.
    pub id: String,
    /// When it ends, Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration_timestamp: Option<u64>,
    /// Who opened it (`service`, `marketing`, `utility`, `authentication`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

/// How a message is priced.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Pricing {
    /// Whether it is billed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billable: Option<bool>,
    /// `CBP`, `PMP`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pricing_model: Option<String>,
    /// `service`, `marketing`, `utility`, `authentication`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// `regular`, `free_customer_service`, `free_entry_point`, …
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

/// A template's review state changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateStatusUpdate {
    /// The template's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// Its name.
    pub name: String,
    /// The language whose state changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The new state.
    pub status: TemplateStatus,
    /// Why (a rejection reason, `NONE` on approval).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The template's category (`MARKETING`, `UTILITY`, `AUTHENTICATION`), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Why it was rejected and what to change (Cloud `rejection_info`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection: Option<TemplateRejection>,
    /// Why it was paused, locked or unlocked (Cloud `other_info`, e.g. title `SECOND_PAUSE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<TemplateNotice>,
    /// When it was disabled (Cloud `disable_info.disable_date`), as the provider wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_date: Option<String>,
    /// Unix seconds, when the provider says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    /// The business account.
    #[serde(default, skip_serializing_if = "BusinessRef::is_empty")]
    pub business: BusinessRef,
}

/// Why a template was rejected (Cloud `rejection_info`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TemplateRejection {
    /// The reason, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What to change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<String>,
}

/// A notice about a template's state (Cloud `other_info`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TemplateNotice {
    /// Its title (`FIRST_PAUSE`, `SECOND_PAUSE`, `UNLOCKED`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A template's quality score changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateQualityUpdate {
    /// The template's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// Its name.
    pub name: String,
    /// The language whose score changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The score before (`GREEN`, `YELLOW`, `RED`, `UNKNOWN`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_score: Option<String>,
    /// The score now.
    pub new_score: String,
    /// Unix seconds, when the provider says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    /// The business account.
    #[serde(default, skip_serializing_if = "BusinessRef::is_empty")]
    pub business: BusinessRef,
}

/// A template's category changed (Meta re-categorised it, or will).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateCategoryUpdate {
    /// The template's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// Its name.
    pub name: String,
    /// The language concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The category before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_category: Option<String>,
    /// The category now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_category: Option<String>,
    /// The category Meta says is correct, when it announces a change to come.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct_category: Option<String>,
    /// Unix seconds, when the provider says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    /// The business account.
    #[serde(default, skip_serializing_if = "BusinessRef::is_empty")]
    pub business: BusinessRef,
}

/// A customer's choice about marketing messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketingPreferenceUpdate {
    /// Who chose.
    pub customer: Customer,
    /// Whether they now accept marketing messages: `false` after `stop`, `true` after
    /// `resume`.
    pub opted_in: bool,
    /// The provider's word (`stop`, `resume`).
    pub value: String,
    /// The provider's description (`User requested to stop marketing messages`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// What kind of messages (`marketing_messages`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Unix seconds, when the provider says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    /// The business number.
    #[serde(default, skip_serializing_if = "BusinessRef::is_empty")]
    pub business: BusinessRef,
}

/// A change to the business account: a ban, a restriction, a violation, a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountUpdate {
    /// What happened (`ACCOUNT_VIOLATION`, `ACCOUNT_RESTRICTION`, `DISABLED_UPDATE`, …).
    pub event: String,
    /// The ban state (`DISABLE`, `REINSTATE`, `SCHEDULE_FOR_DISABLE`), when banned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ban_state: Option<String>,
    /// When the ban takes or took effect, as the provider wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ban_date: Option<String>,
    /// The violation, when one is reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violation_type: Option<String>,
    /// Restrictions in force.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub restrictions: Vec<AccountRestriction>,
    /// Unix seconds, when the provider says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    /// The business account.
    #[serde(default, skip_serializing_if = "BusinessRef::is_empty")]
    pub business: BusinessRef,
}

/// One restriction on the business account.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AccountRestriction {
    /// What is restricted (`RESTRICTED_BIZ_INITIATED_MESSAGING`, …).
    pub restriction_type: String,
    /// Until when, as the provider wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiration: Option<String>,
}

/// A message the business sent from the WhatsApp Business app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageEcho {
    /// Its id.
    pub id: MessageId,
    /// The customer it went to (empty when only `to_user_id` is known).
    pub to: WaId,
    /// The customer's business-scoped user id, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_user_id: Option<UserId>,
    /// Unix seconds.
    pub timestamp: u64,
    /// The business number it was sent from.
    #[serde(default, skip_serializing_if = "BusinessRef::is_empty")]
    pub business: BusinessRef,
    /// What it carries.
    pub content: InboundContent,
}

/// Errors reported outside any message or status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorReport {
    /// The errors.
    pub errors: Vec<ApiError>,
    /// The customer concerned, when the provider names one (EnableX reports a failed send
    /// as a status with no message id, only the recipient).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<WaId>,
    /// The business number concerned.
    #[serde(default, skip_serializing_if = "BusinessRef::is_empty")]
    pub business: BusinessRef,
}

/// An event this version does not model, or an item that could not be typed, kept whole.
///
/// Decoders never drop an item: one that does not decode (a required field missing, a value
/// of a shape no provider is known to send) arrives here with `reason` set, so the
/// application can log, alert on or store it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnknownEvent {
    /// What the provider called it (a Cloud `field`, a callback kind), or the list the item
    /// sat in (`messages`, `statuses`, `errors`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where the item sat in the body, as a JSON Pointer (RFC 6901), e.g.
    /// `/entry/0/changes/0/value/messages/1`; `""` is the whole body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Why it was not typed; `None` when it is simply something this version does not model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The raw JSON.
    pub raw: serde_json::Value,
}
