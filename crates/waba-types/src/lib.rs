#![doc = include_str!("../README.md")]
// docs.rs builds with `--cfg docsrs` (see Cargo.toml): items behind a feature get a badge.
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # Overview
//!
//! Protocol types for waba, the same for every WhatsApp Business provider.
//!
//! - [`PhoneNumber`]: E.164 numbers, parsed from what people type.
//! - [`OutboundMessage`] and [`Content`]: what a business sends.
//! - [`Event`]: what webhooks deliver (inbound messages, status updates, template status).
//! - [`limits`] and [`OutboundMessage::validate`]: the rules every provider enforces, checked
//!   before anything leaves the process.
//! - [`format`](mod@format): WhatsApp text formatting.
//!
//! Pure data: serde, no I/O. The JSON forms are stable; they are the unified format the
//! `waba` CLI reads and writes.
//!
//! ```
//! use waba_types::{format, Content, OutboundMessage, PhoneNumber};
//!
//! let to = PhoneNumber::parse("+64 21 123 4567")?;
//! let msg = OutboundMessage::new(to, Content::text(format!("Order {} shipped", format::bold("A-1001"))));
//! msg.validate()?;
//! assert_eq!(serde_json::to_value(&msg)?["content"]["body"], "Order *A-1001* shipped");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod content;
mod event;
pub mod format;
mod identity;
mod ids;
pub mod limits;
mod media;
mod message;
mod open_enum;
mod phone;
mod status;
mod validate;

pub use content::{
    Audio, ButtonSubType, ContactAddress, ContactCard, ContactEmail, ContactName, ContactOrg,
    ContactPhone, ContactUrl, Contacts, Content, ContentKind, Document, Image, Interactive,
    InteractiveAction, InteractiveHeader, ListRow, ListSection, Location, MediaSource, Reaction,
    ReplyButton, Sticker, Template, TemplateComponent, TemplateParameter, Text, Video,
};
pub use event::{
    AccountRestriction, AccountUpdate, ApiError, BusinessRef, Conversation, ErrorReport, Event,
    IdentityChange, InboundContent, InboundMedia, InboundMessage, MarketingPreferenceUpdate,
    MessageContext, MessageEcho, Order, OrderItem, Pricing, Referral, StatusUpdate,
    TemplateCategoryUpdate, TemplateNotice, TemplateQualityUpdate, TemplateRejection,
    TemplateStatusUpdate, UnknownEvent,
};
pub use identity::{Customer, UserId, UserIdError, user_key, wa_key};
pub use ids::{MediaId, MessageId};
pub use media::MediaKind;
pub use message::{OutboundMessage, Recipient};
pub use phone::{MAX_DIGITS, MIN_DIGITS, PhoneError, PhoneNumber, WaId, mask_digits};
pub use status::{DeliveryStatus, SystemKind, TemplateStatus};
pub use validate::{ValidationError, ValidationErrors, Violation, contains_url};
