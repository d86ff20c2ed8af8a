//! The message, status and error items that every Meta-derived format shares (Cloud
//! envelope, on-prem flat, EnableX, Mobile Gateway's MO content), and their conversion to
//! unified events. Field names are Meta's; nothing outside `formats/` sees them.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use waba_types::{
    ApiError, BusinessRef, ContactCard, Conversation, DeliveryStatus, ErrorReport, Event,
    InboundContent, InboundMedia, InboundMessage, MessageContext, Order, Pricing, Referral,
    StatusUpdate, SystemKind, UnknownEvent, WaId,
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
    #[serde(borrow, default)]
    pub(crate) wa_id: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) user_id: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub(crate) profile: Option<ProfileW<'a>>,
}

#[derive(Deserialize)]
pub(crate) struct ProfileW<'a> {
    #[serde(borrow, default)]
    pub(crate) name: Option<Str<'a>>,
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
    #[serde(borrow, default)]
    product_retailer_id: Option<Str<'a>>,
}

/// One inbound message item.
#[derive(Deserialize)]
pub(crate) struct MessageW<'a> {
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(borrow, default)]
    from: Option<Str<'a>>,
    #[serde(borrow, default)]
    from_user_id: Option<Str<'a>>,
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
}

/// What the items of one batch share: the business, and the senders' profiles.
pub(crate) struct Batch<'c, 'a> {
    pub(crate) business: &'c BusinessRef,
    pub(crate) contacts: &'c [ContactW<'a>],
}

impl Batch<'_, '_> {
    fn profile(&self, wa_id: Option<&str>, user_id: Option<&str>) -> Option<String> {
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
            .and_then(|c| c.profile.as_ref()?.name.as_deref().map(str::to_owned))
    }
}

fn missing(kind: &str) -> String {
    format!("a {kind} message without its {kind} object")
}

/// Content this version does not model, kept as the item's raw JSON. Without the raw item
/// (the one-pass path does not keep it) it is an error, and the caller decodes again with it.
fn unknown(type_name: &str, raw: Option<&RawValue>) -> Result<InboundContent, String> {
    let raw = raw.ok_or("an unknown type, decoded again with its raw JSON")?;
    Ok(InboundContent::Unknown {
        type_name: type_name.to_owned(),
        raw: serde_json::from_str(raw.get()).unwrap_or(serde_json::Value::Null),
    })
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
                }
            }
            "unsupported" | "unknown" => InboundContent::Unsupported,
            other => unknown(other, raw)?,
        })
    }
}

/// Decodes one message item.
pub(crate) fn message(raw: &RawValue, batch: &Batch<'_, '_>) -> Result<Event, String> {
    let m: MessageW<'_> = serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
    convert_message(m, batch, Some(raw))
}

/// A parsed message item as a unified event; `raw` is needed only for unknown types.
pub(crate) fn convert_message(
    mut m: MessageW<'_>,
    batch: &Batch<'_, '_>,
    raw: Option<&RawValue>,
) -> Result<Event, String> {
    let kind = std::mem::take(&mut m.kind);
    let body = m.take_content(&kind, raw)?;
    let from = m.from.take().unwrap_or_default();
    let profile_name = batch.profile(
        Some(&from).filter(|f| !f.is_empty()).map(|f| &**f),
        m.from_user_id.as_deref(),
    );
    let reply = m.context.take().map(|c| MessageContext {
        message_id: c.id.map(|i| i.into_owned().into()),
        from: c.from.map(|f| WaId(f.into_owned())),
        forwarded: c.forwarded.unwrap_or(false),
        frequently_forwarded: c.frequently_forwarded.unwrap_or(false),
        referred_product_id: c.referred_product.and_then(|p| own(p.product_retailer_id)),
    });
    Ok(Event::Message(InboundMessage {
        id: m.id.into_owned().into(),
        from: WaId(from.into_owned()),
        from_user_id: own(m.from_user_id),
        profile_name,
        timestamp: m.timestamp.unwrap_or(0),
        business: batch.business.clone(),
        group_id: own(m.group_id),
        context: reply,
        referral: m.referral,
        content: body,
        errors: api_errors(m.errors),
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
    #[serde(borrow, default)]
    id: Option<Str<'a>>,
    #[serde(borrow)]
    status: Str<'a>,
    #[serde(default, deserialize_with = "lenient::timestamp")]
    timestamp: Option<u64>,
    #[serde(borrow, default)]
    recipient_id: Option<Str<'a>>,
    #[serde(borrow, default)]
    biz_opaque_callback_data: Option<Str<'a>>,
    #[serde(borrow, default)]
    conversation: Option<ConversationW<'a>>,
    #[serde(borrow, default)]
    pricing: Option<PricingW<'a>>,
    #[serde(borrow, default)]
    errors: Option<Vec<ErrorW<'a>>>,
}

/// Decodes one status item.
pub(crate) fn status(raw: &RawValue, business: &BusinessRef) -> Result<Event, String> {
    let s: StatusW<'_> = serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
    convert_status(s, business)
}

/// A parsed status item as a unified event.
pub(crate) fn convert_status(s: StatusW<'_>, business: &BusinessRef) -> Result<Event, String> {
    let Some(id) = s.id else {
        // A failure reported for a recipient without the message's id (EnableX does this):
        // the errors are what it says.
        let errors = api_errors(s.errors);
        if errors.is_empty() {
            return Err("a status without an id or errors".to_owned());
        }
        return Ok(Event::Errors(ErrorReport {
            errors,
            recipient: s.recipient_id.map(|r| WaId(r.into_owned())),
            business: business.clone(),
        }));
    };
    Ok(Event::Status(StatusUpdate {
        message_id: id.into_owned().into(),
        status: DeliveryStatus::parse(&s.status),
        timestamp: s.timestamp,
        recipient: s.recipient_id.map(|r| WaId(r.into_owned())),
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
#[derive(Deserialize, Default)]
pub(crate) struct ItemsW<'a> {
    #[serde(borrow, default)]
    pub(crate) contacts: Option<Vec<ContactW<'a>>>,
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

    /// Decodes every item into `out`; a bad item becomes an error at `path`.
    pub(crate) fn decode_into(self, business: &BusinessRef, path: &str, out: &mut Decoded<'a>) {
        let contacts = self.contacts.unwrap_or_default();
        let batch = Batch {
            business,
            contacts: &contacts,
        };
        for (i, raw) in self.messages.unwrap_or_default().into_iter().enumerate() {
            push(out, raw, message(raw, &batch), || {
                format!("{path}messages[{i}]")
            });
        }
        for (i, raw) in self.statuses.unwrap_or_default().into_iter().enumerate() {
            push(out, raw, status(raw, business), || {
                format!("{path}statuses[{i}]")
            });
        }
        // One event per error item, so each keeps its own raw JSON.
        for (i, raw) in self.errors.unwrap_or_default().into_iter().enumerate() {
            let result = serde_json::from_str::<ErrorW<'_>>(raw.get())
                .map(|e| {
                    Event::Errors(ErrorReport {
                        errors: vec![e.into_api()],
                        recipient: None,
                        business: business.clone(),
                    })
                })
                .map_err(|e| e.to_string());
            push(out, raw, result, || format!("{path}errors[{i}]"));
        }
    }
}

pub(crate) fn push<'a>(
    out: &mut Decoded<'a>,
    raw: &'a RawValue,
    result: Result<Event, String>,
    path: impl FnOnce() -> String,
) {
    match result {
        Ok(event) => out.events.push(DecodedEvent::new(event, raw)),
        Err(reason) => out.errors.push(ItemError {
            path: path(),
            reason,
        }),
    }
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

pub(crate) fn unknown_event(name: &str, raw: &RawValue) -> Event {
    Event::Unknown(UnknownEvent {
        name: Some(name.to_owned()),
        raw: serde_json::from_str(raw.get()).unwrap_or(serde_json::Value::Null),
    })
}
