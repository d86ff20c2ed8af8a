//! The [`Provider`] trait every adapter implements, and what its operations return.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use waba_types::{
    Content, ContentKind, DeliveryStatus, MediaId, MediaKind, MessageId, OutboundMessage,
    PhoneNumber, ValidationError, WaId,
};

use crate::error::Error;

/// Which provider an adapter speaks to: the name of its spec (`ProviderSpec::name`).
///
/// Each adapter crate owns its id (`waba_provider_x::ID`); this crate knows none of them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProviderId(Cow<'static, str>);

impl ProviderId {
    /// A provider id known at compile time.
    pub const fn from_static(name: &'static str) -> Self {
        Self(Cow::Borrowed(name))
    }

    /// A provider id.
    pub fn new(name: impl Into<Cow<'static, str>>) -> Self {
        Self(name.into())
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A set of [`ContentKind`]s.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ContentKinds(u16);

impl ContentKinds {
    /// No kind.
    pub const NONE: Self = Self(0);

    /// Every kind.
    pub fn all() -> Self {
        ContentKind::ALL.into_iter().collect()
    }

    /// Whether `kind` is in the set.
    pub fn contains(self, kind: ContentKind) -> bool {
        self.0 & Self::bit(kind) != 0
    }

    /// The set with `kind` added.
    #[must_use]
    pub fn with(self, kind: ContentKind) -> Self {
        Self(self.0 | Self::bit(kind))
    }

    /// The set with `kind` removed.
    #[must_use]
    pub fn without(self, kind: ContentKind) -> Self {
        Self(self.0 & !Self::bit(kind))
    }

    /// The kinds in the set, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = ContentKind> {
        ContentKind::ALL
            .into_iter()
            .filter(move |k| self.contains(*k))
    }

    fn bit(kind: ContentKind) -> u16 {
        let i = ContentKind::ALL
            .iter()
            .position(|k| *k == kind)
            .unwrap_or(0);
        1 << i
    }
}

impl FromIterator<ContentKind> for ContentKinds {
    fn from_iter<T: IntoIterator<Item = ContentKind>>(iter: T) -> Self {
        iter.into_iter().fold(Self::NONE, Self::with)
    }
}

impl fmt::Debug for ContentKinds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// What a provider can do. Every optional [`Provider`] operation returns
/// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) exactly when its flag here is
/// `false`; the conformance suite checks that.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent capability flags are the point"
)]
pub struct Capabilities {
    /// The content kinds `send` accepts.
    pub content: ContentKinds,
    /// `broadcast` fans out on the provider's side (one request for many recipients).
    pub broadcast: bool,
    /// `upload_media`.
    pub upload_media: bool,
    /// `download_media`.
    pub download_media: bool,
    /// `mark_read`.
    pub mark_read: bool,
    /// `typing_indicator`.
    pub typing_indicator: bool,
    /// `message` (fetch a message's record by id).
    pub message_lookup: bool,
    /// `check_contacts`.
    pub check_contacts: bool,
    /// `list_templates`.
    pub list_templates: bool,
    /// `create_template` (submit a template for review).
    pub create_template: bool,
    /// `send_raw` (a message type waba does not model, as the provider's JSON).
    pub send_raw: bool,
    /// `health` (the provider's own health report).
    pub health: bool,
    /// `set_webhook` and `webhook` (where the provider sends webhooks, set through its API).
    pub webhook_settings: bool,
    /// `OutboundMessage::client_reference` reaches the provider and comes back in status
    /// updates.
    pub client_reference: bool,
    /// Messages to groups (`Recipient::Group`).
    pub groups: bool,
    /// `OutboundMessage::from` reaches the provider as the sending number of that message
    /// (EnableX's `from`). Where `false`, the adapter sends from its configured number only
    /// and refuses a message naming another sender ([`Capabilities::admits`]).
    pub sender_per_message: bool,
    /// Messages to customers by business-scoped user id (`Recipient::User`); Meta Cloud
    /// takes them as `recipient` in place of `to`. Without it, such a recipient is refused
    /// locally with `Unsupported`.
    pub user_ids: bool,
    /// The content kinds whose `OutboundMessage::reply_to` reaches the provider (quoted as
    /// a reply). [`sending`](Self::sending) sets it to every kind sent; adapters whose
    /// provider has no reply field for some kinds (generic v2's media and template routes,
    /// Mobile Gateway) narrow it, and [`admits`](Self::admits) refuses such a reply.
    pub reply_to: ContentKinds,
}

impl Capabilities {
    /// Refuses, as [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported), a message
    /// this provider could not send as written: a content kind it does not declare, a
    /// group recipient without [`groups`](Self::groups), a client reference without
    /// [`client_reference`](Self::client_reference), a sender without
    /// [`sender_per_message`](Self::sender_per_message). Adapters call it before encoding,
    /// so no field of the unified message is dropped on the way to the wire.
    pub fn admits(&self, message: &OutboundMessage) -> Result<(), Error> {
        let kind = message.content.kind();
        if !self.content.contains(kind) {
            return Err(Error::unsupported(format!("sending {kind} messages")));
        }
        if matches!(message.to, waba_types::Recipient::Group(_)) && !self.groups {
            return Err(Error::unsupported("group messages"));
        }
        if matches!(message.to, waba_types::Recipient::User(_)) && !self.user_ids {
            return Err(Error::unsupported(
                "messages to a business-scoped user id (only a phone number)",
            ));
        }
        if message.reply_to.is_some() && !self.reply_to.contains(kind) {
            return Err(
                Error::unsupported(format!("replies (reply_to) with {kind} messages"))
                    .with_message(
                        "this provider has nowhere to carry OutboundMessage::reply_to for this kind; \
                         send it without reply_to",
                    ),
            );
        }
        if message.client_reference.is_some() && !self.client_reference {
            return Err(Error::unsupported("client references").with_message(
                "this provider has nowhere to carry OutboundMessage::client_reference; \
                 keep the reference with the returned message id instead",
            ));
        }
        if let Some(from) = &message.from
            && !self.sender_per_message
        {
            return Err(
                Error::unsupported("choosing the sending number per message").with_message(
                    format!(
                        "this provider sends from its configured number only, not {}",
                        from.as_str()
                    ),
                ),
            );
        }
        Ok(())
    }

    /// Nothing but sending the given kinds.
    pub fn sending(content: ContentKinds) -> Self {
        Self {
            content,
            reply_to: content,
            ..Self::default()
        }
    }
}

/// The provider's acknowledgement of a sent message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendReceipt {
    /// The id the provider gave the message; status webhooks carry it.
    pub id: MessageId,
    /// Its state at acceptance (usually accepted).
    pub status: DeliveryStatus,
    /// The recipient's WhatsApp id, when the provider resolved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<WaId>,
    /// Who accepted it.
    pub provider: ProviderId,
}

/// The result of a broadcast for one recipient: every recipient gets exactly one.
#[derive(Debug)]
pub struct BroadcastOutcome {
    /// The recipient.
    pub to: PhoneNumber,
    /// Its receipt or its error.
    pub result: Result<SendReceipt, Error>,
}

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the business to a customer (mobile-terminated, "MT").
    Outbound,
    /// From a customer to the business (mobile-originated, "MO").
    Inbound,
}

/// A message as the provider stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageRecord {
    /// Its id.
    pub id: MessageId,
    /// Which way it went, when the provider says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// The sender, as the provider writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The recipient, as the provider writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Its last known state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DeliveryStatus>,
    /// Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    /// The caller's reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_reference: Option<String>,
    /// The message body in the provider's JSON, decoded where the provider nests it in a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<serde_json::Value>,
}

/// A file to upload.
#[derive(Clone)]
pub struct MediaUpload {
    /// What it will be sent as.
    pub kind: MediaKind,
    /// Its MIME type.
    pub mime_type: String,
    /// Its file name, where the provider wants one.
    pub filename: Option<String>,
    /// Its bytes.
    pub data: Bytes,
}

impl MediaUpload {
    /// A file to upload.
    pub fn new(kind: MediaKind, mime_type: impl Into<String>, data: impl Into<Bytes>) -> Self {
        Self {
            kind,
            mime_type: mime_type.into(),
            filename: None,
            data: data.into(),
        }
    }

    /// Checks the MIME type and size against the limits for its kind.
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.kind.check(&self.mime_type, self.data.len() as u64)
    }
}

impl fmt::Debug for MediaUpload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MediaUpload")
            .field("kind", &self.kind)
            .field("mime_type", &self.mime_type)
            .field("filename", &self.filename)
            .field("len", &self.data.len())
            .finish()
    }
}

/// Downloaded media.
#[derive(Clone)]
pub struct MediaDownload {
    /// Its MIME type, when the provider says.
    pub mime_type: Option<String>,
    /// Its bytes.
    pub data: Bytes,
}

impl fmt::Debug for MediaDownload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MediaDownload")
            .field("mime_type", &self.mime_type)
            .field("len", &self.data.len())
            .finish()
    }
}

/// A message template as the provider lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateInfo {
    /// The provider's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its name.
    pub name: String,
    /// Its language.
    pub language: String,
    /// Its review state.
    pub status: waba_types::TemplateStatus,
    /// `MARKETING`, `UTILITY`, `AUTHENTICATION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Its components in the provider's definition format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<serde_json::Value>,
}

/// Where a provider sends webhooks, as set through its API
/// ([`Provider::set_webhook`]): the URL and the extra headers it adds to each webhook (which
/// a receiver can require, as its way of authenticating them).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WebhookSettings {
    /// The URL webhooks are posted to.
    pub url: String,
    /// Header names and values added to every webhook.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
}

/// Whether a number can receive WhatsApp messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactStatus {
    /// It can; `wa_id` is set.
    Valid,
    /// It cannot.
    Invalid,
    /// Not known yet; ask again later.
    Processing,
}

/// The answer for one number of [`Provider::check_contacts`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactCheck {
    /// The number as asked.
    pub input: String,
    /// The answer.
    pub status: ContactStatus,
    /// The WhatsApp id to send to, when valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<WaId>,
}

/// A WhatsApp Business provider. One adapter crate implements it per provider.
///
/// Object safe, used as [`SharedProvider`] (`Arc<dyn Provider>`). Only `send` is required;
/// every other operation has a default that returns
/// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported), and an adapter overrides it
/// exactly when it sets the matching [`Capabilities`] flag.
///
/// Adapters do not validate, retry or rate-limit: [`crate::Client`] does that once for all.
#[async_trait]
pub trait Provider: fmt::Debug + Send + Sync + 'static {
    /// Which provider this is.
    fn id(&self) -> ProviderId;

    /// What it can do.
    fn capabilities(&self) -> &Capabilities;

    /// Sends one message.
    async fn send(&self, message: &OutboundMessage) -> Result<SendReceipt, Error>;

    /// Sends `content` to many recipients in the provider's own fan-out, returning one
    /// outcome per recipient in order. (`Client::broadcast` fans out itself when the provider
    /// cannot.) Capability: `broadcast`.
    async fn broadcast(
        &self,
        to: &[PhoneNumber],
        content: &Content,
    ) -> Result<Vec<BroadcastOutcome>, Error> {
        let _ = (to, content);
        Err(Error::unsupported("broadcast").with_provider(self.id()))
    }

    /// Uploads media for sending by id. Capability: `upload_media`.
    async fn upload_media(&self, upload: MediaUpload) -> Result<MediaId, Error> {
        let _ = upload;
        Err(Error::unsupported("upload_media").with_provider(self.id()))
    }

    /// Downloads media by id (inbound media, or earlier uploads). Capability: `download_media`.
    async fn download_media(&self, id: &MediaId) -> Result<MediaDownload, Error> {
        let _ = id;
        Err(Error::unsupported("download_media").with_provider(self.id()))
    }

    /// Marks an inbound message (and those before it) read. Capability: `mark_read`.
    async fn mark_read(&self, id: &MessageId) -> Result<(), Error> {
        let _ = id;
        Err(Error::unsupported("mark_read").with_provider(self.id()))
    }

    /// Marks an inbound message read and shows "typing…" to its sender until the next reply
    /// (at most 25 seconds). Capability: `typing_indicator`.
    async fn typing_indicator(&self, id: &MessageId) -> Result<(), Error> {
        let _ = id;
        Err(Error::unsupported("typing_indicator").with_provider(self.id()))
    }

    /// Fetches a message's record. Capability: `message_lookup`.
    async fn message(&self, id: &MessageId) -> Result<MessageRecord, Error> {
        let _ = id;
        Err(Error::unsupported("message_lookup").with_provider(self.id()))
    }

    /// Asks which numbers can receive WhatsApp messages. Capability: `check_contacts`.
    async fn check_contacts(&self, numbers: &[PhoneNumber]) -> Result<Vec<ContactCheck>, Error> {
        let _ = numbers;
        Err(Error::unsupported("check_contacts").with_provider(self.id()))
    }

    /// Lists the account's message templates with their review state. Capability:
    /// `list_templates`.
    async fn list_templates(&self) -> Result<Vec<TemplateInfo>, Error> {
        Err(Error::unsupported("list_templates").with_provider(self.id()))
    }

    /// Submits a message template for review, in Meta's definition format (`name`,
    /// `category`, `language`, `components`); returns the provider's answer as JSON (its id
    /// and review state). Approval comes later, by webhook. Capability: `create_template`.
    async fn create_template(
        &self,
        definition: &serde_json::Value,
    ) -> Result<serde_json::Value, Error> {
        let _ = definition;
        Err(Error::unsupported("create_template").with_provider(self.id()))
    }

    /// Sends a message type waba does not model yet, written in the provider's own JSON:
    /// `{"type": kind, kind: object}` to `to`. Not validated beyond the recipient, and not
    /// retried once it may have been sent. Capability: `send_raw`.
    async fn send_raw(
        &self,
        to: &PhoneNumber,
        kind: &str,
        object: &serde_json::Value,
    ) -> Result<SendReceipt, Error> {
        let _ = (to, kind, object);
        Err(Error::unsupported("send_raw").with_provider(self.id()))
    }

    /// The provider's own health report, as its JSON. Capability: `health`.
    async fn health(&self) -> Result<serde_json::Value, Error> {
        Err(Error::unsupported("health").with_provider(self.id()))
    }

    /// Sets where the provider sends webhooks and the headers it adds to each; returns the
    /// settings as the provider stored them. Capability: `webhook_settings`.
    async fn set_webhook(&self, settings: &WebhookSettings) -> Result<WebhookSettings, Error> {
        let _ = settings;
        Err(Error::unsupported("set_webhook").with_provider(self.id()))
    }

    /// Where the provider sends webhooks now. Capability: `webhook_settings`.
    async fn webhook(&self) -> Result<WebhookSettings, Error> {
        Err(Error::unsupported("webhook").with_provider(self.id()))
    }
}

/// A shared handle to any provider, chosen at run time.
#[derive(Debug, Clone)]
pub struct SharedProvider(Arc<dyn Provider>);

impl SharedProvider {
    /// Wraps a provider.
    pub fn new(provider: impl Provider) -> Self {
        Self(Arc::new(provider))
    }

    /// Wraps an already shared provider.
    pub fn from_arc(provider: Arc<dyn Provider>) -> Self {
        Self(provider)
    }
}

impl From<Arc<dyn Provider>> for SharedProvider {
    fn from(p: Arc<dyn Provider>) -> Self {
        Self(p)
    }
}

#[async_trait]
#[deny(clippy::missing_trait_methods)]
impl Provider for SharedProvider {
    fn id(&self) -> ProviderId {
        self.0.id()
    }
    fn capabilities(&self) -> &Capabilities {
        self.0.capabilities()
    }
    async fn send(&self, message: &OutboundMessage) -> Result<SendReceipt, Error> {
        self.0.send(message).await
    }
    async fn broadcast(
        &self,
        to: &[PhoneNumber],
        content: &Content,
    ) -> Result<Vec<BroadcastOutcome>, Error> {
        self.0.broadcast(to, content).await
    }
    async fn upload_media(&self, upload: MediaUpload) -> Result<MediaId, Error> {
        self.0.upload_media(upload).await
    }
    async fn download_media(&self, id: &MediaId) -> Result<MediaDownload, Error> {
        self.0.download_media(id).await
    }
    async fn mark_read(&self, id: &MessageId) -> Result<(), Error> {
        self.0.mark_read(id).await
    }
    async fn typing_indicator(&self, id: &MessageId) -> Result<(), Error> {
        self.0.typing_indicator(id).await
    }
    async fn message(&self, id: &MessageId) -> Result<MessageRecord, Error> {
        self.0.message(id).await
    }
    async fn check_contacts(&self, numbers: &[PhoneNumber]) -> Result<Vec<ContactCheck>, Error> {
        self.0.check_contacts(numbers).await
    }
    async fn list_templates(&self) -> Result<Vec<TemplateInfo>, Error> {
        self.0.list_templates().await
    }
    async fn create_template(
        &self,
        definition: &serde_json::Value,
    ) -> Result<serde_json::Value, Error> {
        self.0.create_template(definition).await
    }
    async fn send_raw(
        &self,
        to: &PhoneNumber,
        kind: &str,
        object: &serde_json::Value,
    ) -> Result<SendReceipt, Error> {
        self.0.send_raw(to, kind, object).await
    }
    async fn health(&self) -> Result<serde_json::Value, Error> {
        self.0.health().await
    }
    async fn set_webhook(&self, settings: &WebhookSettings) -> Result<WebhookSettings, Error> {
        self.0.set_webhook(settings).await
    }
    async fn webhook(&self) -> Result<WebhookSettings, Error> {
        self.0.webhook().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use waba_types::{Content, Recipient, UserId};

    fn message(content: Content) -> OutboundMessage {
        OutboundMessage::new("+16315551002".parse().unwrap(), content)
    }

    /// A reply the provider cannot carry for that kind is refused, not sent without it.
    #[test]
    fn replies_and_user_ids_are_refused_where_they_would_be_dropped() {
        let mut caps = Capabilities::sending(ContentKinds::all());
        caps.reply_to = ContentKinds::NONE.with(ContentKind::Text);
        let mut text = message(Content::text("hi"));
        text.reply_to = Some("wamid.A".into());
        assert!(caps.admits(&text).is_ok());
        let mut image = message(Content::image_link("https://example.com/a.png"));
        image.reply_to = Some("wamid.A".into());
        let e = caps.admits(&image).unwrap_err();
        assert!(
            matches!(e.kind(), crate::ErrorKind::Unsupported { .. }),
            "{e}"
        );
        assert!(e.to_string().contains("reply_to"), "{e}");
        image.reply_to = None;
        assert!(caps.admits(&image).is_ok());

        let mut to_user = message(Content::text("hi"));
        to_user.to = Recipient::User(UserId::from("US.13491208655302741918"));
        assert!(caps.admits(&to_user).is_err());
        caps.user_ids = true;
        assert!(caps.admits(&to_user).is_ok());
    }
}
