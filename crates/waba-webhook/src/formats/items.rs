//! The message, status and error items that every Meta-derived format shares (Cloud
//! envelope, on-prem flat, EnableX, Mobile Gateway's MO content), and their conversion to
//! unified events. Field names are Meta's; nothing outside `formats/` sees them.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use waba_types::{
    ApiError, BusinessRef, ContactCard, Conversation, DeliveryStatus, ErrorReport, Event,
    IdentityChange, InboundContent, InboundMedia, InboundMessage, MessageContext, MessageEcho,
    Order, Pricing, Referral, StatusUpdate, SystemKind, UnknownEvent, UserId, WaId,
};

use super::lenient;
use crate::decode::{Decoded, DecodedEvent};
use crate::error::{ItemError, WebhookError};

type Str<'a> = Cow<'a, str>;

fn own(s: Option<Str<'_>>) -> Option<String> {
    s.map(Cow::into_owned)
}

/// `contacts[]` of a webhook: who the profile names belong to.
#[derive(Deserialize)]
pub(crate) struct ContactW<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    pub(crate) wa_id: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    pub(crate) user_id: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    pub(crate) parent_user_id: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) profile: Option<ProfileW<'a>>,
}

#[derive(Deserialize)]
pub(crate) struct ProfileW<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    pub(crate) name: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    pub(crate) username: Option<Str<'a>>,
}

#[derive(Deserialize)]
pub(crate) struct ErrorW<'a> {
    #[serde(default, deserialize_with = "lenient::code")]
    code: i64,
    #[serde(borrow, default)]
    title: Option<Str<'a>>,
    #[serde(borrow, default)]
    message: Option<Str<'a>>,
    #[serde(borrow, default)]
    details: Option<Str<'a>>,
    #[serde(borrow, default)]
    error_data: Option<ErrorDataW<'a>>,
    #[serde(borrow, default)]
    href: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct ErrorDataW<'a> {
    #[serde(borrow, default)]
    details: Option<Str<'a>>,
}

impl ErrorW<'_> {
    pub(crate) fn into_api(self) -> ApiError {
        ApiError {
            code: self.code,
            title: self.title.map(Cow::into_owned).unwrap_or_default(),
            message: own(self.message),
            details: own(self.details.or(self.error_data.and_then(|d| d.details))),
            href: own(self.href.filter(|h| !h.is_empty())),
        }
    }
}

pub(crate) fn api_errors(errors: Option<Vec<ErrorW<'_>>>) -> Vec<ApiError> {
    errors
        .unwrap_or_default()
        .into_iter()
        .map(ErrorW::into_api)
        .collect()
}

#[derive(Deserialize)]
struct TextW<'a> {
    #[serde(borrow)]
    body: Str<'a>,
}

#[derive(Deserialize, Default)]
struct MediaW<'a> {
    #[serde(borrow, default)]
    id: Option<Str<'a>>,
    #[serde(borrow, default)]
    link: Option<Str<'a>>,
    #[serde(borrow, default, alias = "fileLink")]
    url: Option<Str<'a>>,
    #[serde(borrow, default)]
    mime_type: Option<Str<'a>>,
    #[serde(borrow, default)]
    sha256: Option<Str<'a>>,
    #[serde(borrow, default)]
    caption: Option<Str<'a>>,
    #[serde(borrow, default)]
    filename: Option<Str<'a>>,
    #[serde(default)]
    voice: Option<bool>,
    #[serde(default)]
    animated: Option<bool>,
}

impl MediaW<'_> {
    fn into_media(self, voice: bool) -> InboundMedia {
        InboundMedia {
            id: self.id.map(|i| i.into_owned().into()),
            link: own(self.link.or(self.url)),
            mime_type: own(self.mime_type),
            sha256: own(self.sha256),
            caption: own(self.caption),
            filename: own(self.filename),
            voice: voice || self.voice.unwrap_or(false),
            animated: self.animated.unwrap_or(false),
        }
    }
}

#[derive(Deserialize)]
struct LocationW<'a> {
    latitude: f64,
    longitude: f64,
    #[serde(borrow, default)]
    name: Option<Str<'a>>,
    #[serde(borrow, default)]
    address: Option<Str<'a>>,
    #[serde(borrow, default)]
    url: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct ButtonW<'a> {
    #[serde(borrow, default)]
    text: Option<Str<'a>>,
    #[serde(borrow, default)]
    payload: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct ReplyW<'a> {
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(borrow, default)]
    title: Option<Str<'a>>,
    #[serde(borrow, default)]
    description: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct FlowW<'a> {
    #[serde(borrow, default)]
    name: Option<Str<'a>>,
    #[serde(borrow, default)]
    body: Option<Str<'a>>,
    #[serde(borrow, default)]
    response_json: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct InteractiveW<'a> {
    #[serde(borrow, rename = "type")]
    kind: Str<'a>,
    #[serde(borrow, default)]
    button_reply: Option<ReplyW<'a>>,
    #[serde(borrow, default)]
    list_reply: Option<ReplyW<'a>>,
    #[serde(borrow, default)]
    nfm_reply: Option<FlowW<'a>>,
    #[serde(borrow, default)]
    call_permission_reply: Option<CallPermissionW<'a>>,
}

/// `interactive.call_permission_reply` [Meta Cloud API calling: the customer's answer to a
/// call permission request].
#[derive(Deserialize)]
struct CallPermissionW<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    response: Option<Str<'a>>,
    #[serde(default)]
    is_permanent: Option<bool>,
    #[serde(default, deserialize_with = "lenient::timestamp")]
    expiration_timestamp: Option<u64>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    response_source: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct IdentityW<'a> {
    #[serde(default)]
    acknowledged: Option<bool>,
    #[serde(default, deserialize_with = "lenient::timestamp")]
    created_timestamp: Option<u64>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    hash: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct UnsupportedW<'a> {
    #[serde(borrow, default, rename = "type", deserialize_with = "lenient::opt_id")]
    kind: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct ReactionW<'a> {
    #[serde(borrow)]
    message_id: Str<'a>,
    #[serde(borrow, default)]
    emoji: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct SystemW<'a> {
    #[serde(borrow, default)]
    body: Option<Str<'a>>,
    #[serde(borrow, default, rename = "type")]
    kind: Option<Str<'a>>,
    #[serde(borrow, default, alias = "new_wa_id")]
    wa_id: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct ContextW<'a> {
    #[serde(borrow, default)]
    id: Option<Str<'a>>,
    #[serde(borrow, default)]
    from: Option<Str<'a>>,
    #[serde(default)]
    forwarded: Option<bool>,
    #[serde(default)]
    frequently_forwarded: Option<bool>,
    #[serde(borrow, default)]
    referred_product: Option<ReferredProductW<'a>>,
}

#[derive(Deserialize)]
struct ReferredProductW<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    catalog_id: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    product_retailer_id: Option<Str<'a>>,
}

/// One inbound message item.
#[derive(Deserialize)]
pub(crate) struct MessageW<'a> {
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    from: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    from_user_id: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    from_parent_user_id: Option<Str<'a>>,
    #[serde(default, deserialize_with = "lenient::timestamp")]
    timestamp: Option<u64>,
    #[serde(borrow, rename = "type")]
    kind: Str<'a>,
    #[serde(borrow, default)]
    group_id: Option<Str<'a>>,
    #[serde(borrow, default)]
    context: Option<Box<ContextW<'a>>>,
    #[serde(default)]
    referral: Option<Box<Referral>>,
    #[serde(borrow, default)]
    errors: Option<Vec<ErrorW<'a>>>,
    #[serde(borrow, default)]
    text: Option<TextW<'a>>,
    #[serde(borrow, default)]
    image: Option<Box<MediaW<'a>>>,
    #[serde(borrow, default)]
    video: Option<Box<MediaW<'a>>>,
    #[serde(borrow, default)]
    audio: Option<Box<MediaW<'a>>>,
    #[serde(borrow, default)]
    voice: Option<Box<MediaW<'a>>>,
    #[serde(borrow, default)]
    document: Option<Box<MediaW<'a>>>,
    #[serde(borrow, default)]
    sticker: Option<Box<MediaW<'a>>>,
    #[serde(borrow, default)]
    location: Option<Box<LocationW<'a>>>,
    #[serde(default)]
    contacts: Option<Vec<ContactCard>>,
    #[serde(borrow, default)]
    button: Option<Box<ButtonW<'a>>>,
    #[serde(borrow, default)]
    interactive: Option<Box<InteractiveW<'a>>>,
    #[serde(borrow, default)]
    reaction: Option<Box<ReactionW<'a>>>,
    #[serde(default)]
    order: Option<Order>,
    #[serde(borrow, default)]
    system: Option<Box<SystemW<'a>>>,
    #[serde(borrow, default)]
    identity: Option<Box<IdentityW<'a>>>,
    #[serde(borrow, default)]
    unsupported: Option<UnsupportedW<'a>>,
    /// Message echoes (`smb_message_echoes`): the customer the business wrote to.
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    pub(crate) to: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    pub(crate) to_user_id: Option<Str<'a>>,
}

/// What the items of one batch share: the business, and the senders' profiles.
pub(crate) struct Batch<'c, 'a> {
    pub(crate) business: &'c BusinessRef,
    pub(crate) contacts: &'c [ContactW<'a>],
}

/// What the batch's `contacts[]` say about one customer.
#[derive(Default)]
struct ContactInfo {
    user_id: Option<UserId>,
    parent_user_id: Option<UserId>,
    name: Option<String>,
    username: Option<String>,
}

impl<'a> Batch<'_, 'a> {
    /// The contact entry for a customer: the one whose `wa_id` or `user_id` matches, else
    /// the only one there is.
    fn contact(&self, wa_id: Option<&str>, user_id: Option<&str>) -> Option<&ContactW<'a>> {
        let wa_id = wa_id.filter(|w| !w.is_empty());
        let user_id = user_id.filter(|u| !u.is_empty());
        self.contacts
            .iter()
            .find(|c| {
                (wa_id.is_some() && c.wa_id.as_deref() == wa_id)
                    || (user_id.is_some() && c.user_id.as_deref() == user_id)
            })
            .or_else(|| {
                if self.contacts.len() == 1 {
                    self.contacts.first()
                } else {
                    None
                }
            })
    }

    fn info(&self, wa_id: Option<&str>, user_id: Option<&str>) -> ContactInfo {
        let Some(c) = self.contact(wa_id, user_id) else {
            return ContactInfo::default();
        };
        let profile = c.profile.as_ref();
        ContactInfo {
            user_id: c.user_id.as_deref().map(UserId::from),
            parent_user_id: c.parent_user_id.as_deref().map(UserId::from),
            name: profile.and_then(|p| p.name.as_deref().map(str::to_owned)),
            username: profile.and_then(|p| p.username.as_deref().map(str::to_owned)),
        }
    }
}

fn user_id(s: Option<Str<'_>>) -> Option<UserId> {
    s.filter(|u| !u.is_empty()).map(|u| UserId(u.into_owned()))
}

/// Meta's status words onto the unified states; the word is kept when it is not the
/// unified one. `held_for_quality_assessment`: Meta holds the message for a quality check
/// before sending, so it is accepted, not yet sent [meta-cloud.md §7.5].
pub(crate) fn meta_status(word: &str) -> (DeliveryStatus, Option<String>) {
    if word.eq_ignore_ascii_case("held_for_quality_assessment") {
        return (DeliveryStatus::Accepted, Some(word.to_owned()));
    }
    (DeliveryStatus::parse(word), None)
}

fn missing(kind: &str) -> String {
    format!("a message of type {kind} without its {kind} object")
}

/// Content this version does not model, kept as the item's raw JSON. Without the raw item
/// (the one-pass path does not keep it) it is an error, and the caller decodes again with it.
fn unknown(type_name: &str, raw: Option<&RawValue>) -> Result<InboundContent, String> {
    let raw = raw.ok_or("an unknown type, decoded again with its raw JSON")?;
    Ok(InboundContent::Unknown {
        type_name: type_name.to_owned(),
        raw: json(raw),
        reason: None,
    })
}

/// The raw JSON as a value (it was parsed once already, so this does not fail in practice).
pub(crate) fn json(raw: &RawValue) -> serde_json::Value {
    crate::formats::from_str(raw.get()).unwrap_or(serde_json::Value::Null)
}

/// Parses an item strictly, borrowing from the body; when that fails, parses it again with
/// the scalar drift providers are known for accepted ([`lenient::from_value`]), borrowing
/// from `scratch`. The error, if any, is the lenient parse's: what is wrong even then.
pub(crate) fn parse<'s, T: Deserialize<'s>>(
    raw: &'s RawValue,
    scratch: &'s std::cell::OnceCell<serde_json::Value>,
) -> Result<T, String> {
    if let Ok(t) = crate::formats::from_str::<T>(raw.get()) {
        return Ok(t);
    }
    let value = match scratch.get() {
        Some(v) => v,
        None => scratch.get_or_init(|| json(raw)),
    };
    lenient::from_value(value)
}

impl MessageW<'_> {
    /// Takes the type's object out of the item as unified content.
    fn take_content(
        &mut self,
        kind: &str,
        raw: Option<&RawValue>,
    ) -> Result<InboundContent, String> {
        let media = |o: Option<Box<MediaW<'_>>>, voice: bool| {
            o.map(|x| x.into_media(voice)).ok_or_else(|| missing(kind))
        };
        Ok(match kind {
            "text" => InboundContent::Text {
                body: self
                    .text
                    .take()
                    .ok_or_else(|| missing("text"))?
                    .body
                    .into_owned(),
            },
            "image" => InboundContent::Image(media(self.image.take(), false)?),
            "video" => InboundContent::Video(media(self.video.take(), false)?),
            "audio" => InboundContent::Audio(media(self.audio.take(), false)?),
            "voice" => InboundContent::Audio(media(self.voice.take().or(self.audio.take()), true)?),
            "document" => InboundContent::Document(media(self.document.take(), false)?),
            "sticker" => InboundContent::Sticker(media(self.sticker.take(), false)?),
            "location" => {
                let l = self.location.take().ok_or_else(|| missing("location"))?;
                InboundContent::Location {
                    latitude: l.latitude,
                    longitude: l.longitude,
                    name: own(l.name),
                    address: own(l.address),
                    url: own(l.url),
                }
            }
            "contacts" => InboundContent::Contacts {
                contacts: self.contacts.take().ok_or_else(|| missing("contacts"))?,
            },
            "button" => {
                let b = self.button.take().ok_or_else(|| missing("button"))?;
                InboundContent::TemplateButton {
                    text: b.text.map(Cow::into_owned).unwrap_or_default(),
                    payload: own(b.payload),
                }
            }
            "interactive" => {
                let i = self
                    .interactive
                    .take()
                    .ok_or_else(|| missing("interactive"))?;
                if let ("call_permission_reply", Some(c)) =
                    (i.kind.as_ref(), i.call_permission_reply)
                {
                    return Ok(InboundContent::CallPermissionReply {
                        response: c.response.map(Cow::into_owned).unwrap_or_default(),
                        is_permanent: c.is_permanent.unwrap_or(false),
                        expiration_timestamp: c.expiration_timestamp,
                        response_source: own(c.response_source),
                    });
                }
                match (i.kind.as_ref(), i.button_reply, i.list_reply, i.nfm_reply) {
                    ("button_reply", Some(r), _, _) => InboundContent::ButtonReply {
                        id: r.id.into_owned(),
                        title: r.title.map(Cow::into_owned).unwrap_or_default(),
                    },
                    ("list_reply", _, Some(r), _) => InboundContent::ListReply {
                        id: r.id.into_owned(),
                        title: r.title.map(Cow::into_owned).unwrap_or_default(),
                        description: own(r.description),
                    },
                    ("nfm_reply", _, _, Some(f)) => InboundContent::FlowReply {
                        name: own(f.name),
                        body: own(f.body),
                        response_json: f.response_json.map(Cow::into_owned).unwrap_or_default(),
                    },
                    (other, ..) => unknown(&format!("interactive.{other}"), raw)?,
                }
            }
            "reaction" => {
                let r = self.reaction.take().ok_or_else(|| missing("reaction"))?;
                InboundContent::Reaction {
                    message_id: r.message_id.into_owned().into(),
                    // Meta omits the emoji when a reaction is removed; some relays send "".
                    emoji: r.emoji.filter(|e| !e.is_empty()).map(Cow::into_owned),
                }
            }
            "order" => InboundContent::Order(self.order.take().ok_or_else(|| missing("order"))?),
            "system" => {
                let s = self.system.take().ok_or_else(|| missing("system"))?;
                InboundContent::System {
                    system_kind: SystemKind::parse(s.kind.as_deref().unwrap_or("")),
                    body: own(s.body),
                    new_wa_id: s.wa_id.map(|w| WaId(w.into_owned())),
                    identity: self.identity.take().map(|i| IdentityChange {
                        acknowledged: i.acknowledged,
                        created_timestamp: i.created_timestamp,
                        hash: own(i.hash),
                    }),
                }
            }
            "unsupported" | "unknown" => InboundContent::Unsupported {
                type_name: self.unsupported.take().and_then(|u| own(u.kind)),
            },
            other => unknown(other, raw)?,
        })
    }
}

/// Decodes one message item.
pub(crate) fn message(raw: &RawValue, batch: &Batch<'_, '_>) -> Result<Event, String> {
    let scratch = std::cell::OnceCell::new();
    let m: MessageW<'_> = parse(raw, &scratch)?;
    convert_message(m, batch, Some(raw))
}

/// A parsed message item as a unified event; `raw` is needed only for unknown types and
/// for content that does not decode, which is kept as [`InboundContent::Unknown`] with the
/// reason (without `raw`, the one-pass path, that is an error and the caller decodes again).
pub(crate) fn convert_message(
    mut m: MessageW<'_>,
    batch: &Batch<'_, '_>,
    raw: Option<&RawValue>,
) -> Result<Event, String> {
    // An id is what dedup, replies and read receipts key on: an empty one would be invented,
    // so the item is kept as an unknown event with this reason instead.
    if m.id.is_empty() {
        return Err("a message with an empty id".to_owned());
    }
    let kind = std::mem::take(&mut m.kind);
    let body = match (m.take_content(&kind, raw), raw) {
        (Ok(content), _) => content,
        (Err(reason), Some(raw)) => InboundContent::Unknown {
            type_name: kind.clone().into_owned(),
            raw: json(raw),
            reason: Some(reason),
        },
        (Err(reason), None) => return Err(reason),
    };
    let from = m.from.take().unwrap_or_default();
    let contact = batch.info(Some(&from), m.from_user_id.as_deref());
    let reply = m.context.take().map(|c| MessageContext {
        message_id: c.id.map(|i| i.into_owned().into()),
        from: c.from.map(|f| WaId(f.into_owned())),
        forwarded: c.forwarded.unwrap_or(false),
        frequently_forwarded: c.frequently_forwarded.unwrap_or(false),
        referred_catalog_id: c
            .referred_product
            .as_ref()
            .and_then(|p| p.catalog_id.as_deref().map(str::to_owned)),
        referred_product_id: c.referred_product.and_then(|p| own(p.product_retailer_id)),
    });
    Ok(Event::Message(InboundMessage {
        id: m.id.into_owned().into(),
        from: WaId(from.into_owned()),
        // The message's own ids first; `contacts[]` fills what it leaves out.
        from_user_id: user_id(m.from_user_id).or(contact.user_id),
        from_parent_user_id: user_id(m.from_parent_user_id).or(contact.parent_user_id),
        profile_name: contact.name,
        username: contact.username,
        timestamp: m.timestamp.unwrap_or(0),
        business: batch.business.clone(),
        group_id: own(m.group_id),
        context: reply,
        referral: m.referral,
        content: body,
        errors: api_errors(m.errors),
    }))
}

/// Decodes one `smb_message_echoes` item: a message the business sent from the WhatsApp
/// Business app, shaped like an inbound message with `to` (and `to_user_id`).
pub(crate) fn echo(raw: &RawValue, business: &BusinessRef) -> Result<Event, String> {
    let scratch = std::cell::OnceCell::new();
    let mut m: MessageW<'_> = parse(raw, &scratch)?;
    let kind = std::mem::take(&mut m.kind);
    let content =
        m.take_content(&kind, Some(raw))
            .unwrap_or_else(|reason| InboundContent::Unknown {
                type_name: kind.clone().into_owned(),
                raw: json(raw),
                reason: Some(reason),
            });
    Ok(Event::MessageEcho(MessageEcho {
        id: m.id.into_owned().into(),
        to: WaId(m.to.map(Cow::into_owned).unwrap_or_default()),
        to_user_id: user_id(m.to_user_id),
        timestamp: m.timestamp.unwrap_or(0),
        business: business.clone(),
        content,
    }))
}

#[derive(Deserialize)]
struct ConversationW<'a> {
    #[serde(borrow, default)]
    id: Option<Str<'a>>,
    #[serde(default, deserialize_with = "lenient::timestamp")]
    expiration_timestamp: Option<u64>,
    #[serde(borrow, default)]
    origin: Option<OriginW<'a>>,
}

#[derive(Deserialize)]
struct OriginW<'a> {
    #[serde(borrow, default, rename = "type")]
    kind: Option<Str<'a>>,
}

#[derive(Deserialize)]
struct PricingW<'a> {
    #[serde(default)]
    billable: Option<bool>,
    #[serde(borrow, default)]
    pricing_model: Option<Str<'a>>,
    #[serde(borrow, default)]
    category: Option<Str<'a>>,
    #[serde(borrow, default, rename = "type")]
    kind: Option<Str<'a>>,
}

#[derive(Deserialize)]
pub(crate) struct StatusW<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    id: Option<Str<'a>>,
    #[serde(borrow)]
    status: Str<'a>,
    #[serde(default, deserialize_with = "lenient::timestamp")]
    timestamp: Option<u64>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    recipient_id: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    recipient_user_id: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    recipient_parent_user_id: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    recipient_type: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    recipient_participant_id: Option<Str<'a>>,
    /// On-prem 2.45+: the recipient inside `message` rather than at the top.
    #[serde(borrow, default)]
    message: Option<StatusMessageW<'a>>,
    #[serde(borrow, default)]
    biz_opaque_callback_data: Option<Str<'a>>,
    #[serde(borrow, default)]
    conversation: Option<ConversationW<'a>>,
    #[serde(borrow, default)]
    pricing: Option<PricingW<'a>>,
    #[serde(borrow, default)]
    errors: Option<Vec<ErrorW<'a>>>,
}

#[derive(Deserialize)]
struct StatusMessageW<'a> {
    #[serde(borrow, default, deserialize_with = "lenient::opt_id")]
    recipient_id: Option<Str<'a>>,
}

/// Decodes one status item.
pub(crate) fn status(raw: &RawValue, batch: &Batch<'_, '_>) -> Result<Event, String> {
    let scratch = std::cell::OnceCell::new();
    let s: StatusW<'_> = parse(raw, &scratch)?;
    convert_status(s, batch)
}

/// Decodes one out-of-band error item.
fn error_item(raw: &RawValue, business: &BusinessRef) -> Result<Event, String> {
    let scratch = std::cell::OnceCell::new();
    let e: ErrorW<'_> = parse(raw, &scratch)?;
    Ok(Event::Errors(ErrorReport {
        errors: vec![e.into_api()],
        recipient: None,
        business: business.clone(),
    }))
}

/// A parsed status item as a unified event.
pub(crate) fn convert_status(mut s: StatusW<'_>, batch: &Batch<'_, '_>) -> Result<Event, String> {
    let business = batch.business;
    // On-prem 2.45+ puts the recipient inside `message`; both places are read.
    let recipient_id = s
        .recipient_id
        .take()
        .or_else(|| s.message.take().and_then(|m| m.recipient_id));
    let Some(id) = s.id.filter(|id| !id.is_empty()) else {
        // A failure reported for a recipient without the message's id (EnableX does this):
        // the errors are what it says.
        let errors = api_errors(s.errors);
        if errors.is_empty() {
            return Err("a status without an id or errors".to_owned());
        }
        return Ok(Event::Errors(ErrorReport {
            errors,
            recipient: recipient_id.map(|r| WaId(r.into_owned())),
            business: business.clone(),
        }));
    };
    // A group send names the group in `recipient_id` and the person in
    // `recipient_participant_id` [meta-cloud.md §7.5].
    let is_group = s
        .recipient_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("group"));
    let (group_id, recipient) = if is_group {
        (own(recipient_id), own(s.recipient_participant_id))
    } else {
        (None, own(recipient_id))
    };
    let recipient_user_id = user_id(s.recipient_user_id);
    let contact = if is_group && recipient.is_none() {
        ContactInfo::default()
    } else {
        batch.info(
            recipient.as_deref(),
            recipient_user_id.as_ref().map(UserId::as_str),
        )
    };
    let (status, raw_status) = meta_status(&s.status);
    Ok(Event::Status(StatusUpdate {
        message_id: id.into_owned().into(),
        status,
        raw_status,
        timestamp: s.timestamp,
        recipient: recipient.map(WaId),
        recipient_user_id: recipient_user_id.or(contact.user_id),
        recipient_parent_user_id: user_id(s.recipient_parent_user_id).or(contact.parent_user_id),
        profile_name: contact.name,
        username: contact.username,
        group_id,
        business: business.clone(),
        client_reference: own(s.biz_opaque_callback_data),
        errors: api_errors(s.errors),
        conversation: s.conversation.map(|c| Conversation {
            id: c.id.map(Cow::into_owned).unwrap_or_default(),
            expiration_timestamp: c.expiration_timestamp,
            origin: c.origin.and_then(|o| own(o.kind)),
        }),
        pricing: s.pricing.map(|p| Pricing {
            billable: p.billable,
            pricing_model: own(p.pricing_model),
            category: own(p.category),
            kind: own(p.kind),
        }),
    }))
}

/// The item lists of one batch, as the Cloud `value` and the flat formats carry them.
/// Contacts are kept raw and decoded one by one, so one odd contact costs only its profile.
#[derive(Deserialize, Default)]
pub(crate) struct ItemsW<'a> {
    #[serde(borrow, default)]
    pub(crate) contacts: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    pub(crate) messages: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    pub(crate) statuses: Option<Vec<&'a RawValue>>,
    #[serde(borrow, default)]
    pub(crate) errors: Option<Vec<&'a RawValue>>,
}

impl<'a> ItemsW<'a> {
    pub(crate) fn is_empty(&self) -> bool {
        self.messages.is_none() && self.statuses.is_none() && self.errors.is_none()
    }

    /// Decodes every item into `out`; `path` is the JSON Pointer of the object holding the
    /// lists (`""` for a flat body). An item that does not decode becomes an
    /// [`Event::Unknown`] with its location and the reason; a contact that does not decode is
    /// reported in [`Decoded::errors`] and costs only the profile it carried.
    pub(crate) fn decode_into(self, business: &BusinessRef, path: &str, out: &mut Decoded<'a>) {
        let raw_contacts = self.contacts.unwrap_or_default();
        let scratch: Vec<std::cell::OnceCell<serde_json::Value>> = raw_contacts
            .iter()
            .map(|_| std::cell::OnceCell::new())
            .collect();
        let mut contacts = Vec::with_capacity(raw_contacts.len());
        for (i, (raw, cell)) in raw_contacts.iter().zip(&scratch).enumerate() {
            match parse::<ContactW<'_>>(raw, cell) {
                Ok(c) => contacts.push(c),
                Err(reason) => out.errors.push(ItemError {
                    path: format!("{path}/contacts/{i}"),
                    reason,
                }),
            }
        }
        let batch = Batch {
            business,
            contacts: &contacts,
        };
        for (i, raw) in self.messages.unwrap_or_default().into_iter().enumerate() {
            push(out, raw, message(raw, &batch), "messages", || {
                format!("{path}/messages/{i}")
            });
        }
        for (i, raw) in self.statuses.unwrap_or_default().into_iter().enumerate() {
            push(out, raw, status(raw, &batch), "statuses", || {
                format!("{path}/statuses/{i}")
            });
        }
        // One event per error item, so each keeps its own raw JSON.
        for (i, raw) in self.errors.unwrap_or_default().into_iter().enumerate() {
            push(out, raw, error_item(raw, business), "errors", || {
                format!("{path}/errors/{i}")
            });
        }
    }
}

/// Adds the event, or, when the item did not decode, an [`Event::Unknown`] carrying the
/// item's raw JSON, its `name` (the list it sat in, or the provider's name for it), its
/// location (a JSON Pointer) and the reason: an item is never dropped.
pub(crate) fn push<'a>(
    out: &mut Decoded<'a>,
    raw: &'a RawValue,
    result: Result<Event, String>,
    name: &str,
    location: impl FnOnce() -> String,
) {
    let event = result.unwrap_or_else(|reason| {
        Event::Unknown(UnknownEvent {
            name: Some(name.to_owned()),
            location: Some(location()),
            reason: Some(reason),
            raw: json(raw),
        })
    });
    out.events.push(DecodedEvent::new(event, raw));
}

/// Decodes a message item that arrived alone (Mobile Gateway's MO `content`).
pub(crate) fn lone_message(raw: &RawValue, business: &BusinessRef) -> Result<Event, String> {
    message(
        raw,
        &Batch {
            business,
            contacts: &[],
        },
    )
}

pub(crate) fn shape_or_json(e: &serde_json::Error, format: &'static str) -> WebhookError {
    if e.is_data() {
        WebhookError::Shape {
            format,
            reason: e.to_string(),
        }
    } else {
        WebhookError::Json(e.to_string())
    }
}

/// Something this version does not model (no reason: nothing is wrong with it).
pub(crate) fn unknown_event(name: Option<&str>, location: String, raw: &RawValue) -> Event {
    Event::Unknown(UnknownEvent {
        name: name.map(str::to_owned),
        location: Some(location),
        reason: None,
        raw: json(raw),
    })
}
