//! A hand-written decoder into borrowed structs: every field of the payload typed, strings
//! borrowed from the body where they have no escapes (`Cow`), nothing converted. What a
//! careful application would write for Cloud webhooks alone, with no unified model.
//!
//! Shared by the decode and receive benchmarks (`#[path]`-included by each).

use serde::Deserialize;
use std::borrow::Cow;

type S<'a> = Cow<'a, str>;

#[derive(Deserialize)]
pub(super) struct Env<'a> {
    #[serde(borrow)]
    pub(super) object: S<'a>,
    #[serde(borrow)]
    pub(super) entry: Vec<Entry<'a>>,
}
#[derive(Deserialize)]
pub(super) struct Entry<'a> {
    #[serde(borrow)]
    pub(super) id: S<'a>,
    #[serde(borrow)]
    pub(super) changes: Vec<Change<'a>>,
}
#[derive(Deserialize)]
pub(super) struct Change<'a> {
    #[serde(borrow)]
    pub(super) field: S<'a>,
    #[serde(borrow)]
    pub(super) value: Value<'a>,
}
#[derive(Deserialize)]
pub(super) struct Value<'a> {
    #[serde(borrow)]
    pub(super) messaging_product: S<'a>,
    #[serde(borrow)]
    pub(super) metadata: Metadata<'a>,
    #[serde(borrow, default)]
    pub(super) contacts: Vec<Contact<'a>>,
    #[serde(borrow, default)]
    pub(super) messages: Vec<Msg<'a>>,
    #[serde(borrow, default)]
    pub(super) statuses: Vec<Status<'a>>,
}
#[derive(Deserialize)]
pub(super) struct Metadata<'a> {
    #[serde(borrow)]
    pub(super) display_phone_number: S<'a>,
    #[serde(borrow)]
    pub(super) phone_number_id: S<'a>,
}
#[derive(Deserialize)]
pub(super) struct Contact<'a> {
    #[serde(borrow, default)]
    pub(super) profile: Option<Profile<'a>>,
    #[serde(borrow)]
    pub(super) wa_id: S<'a>,
    #[serde(borrow, default)]
    pub(super) user_id: Option<S<'a>>,
}
#[derive(Deserialize)]
pub(super) struct Profile<'a> {
    #[serde(borrow)]
    pub(super) name: S<'a>,
}
#[derive(Deserialize)]
pub(super) struct Msg<'a> {
    #[serde(borrow)]
    pub(super) from: S<'a>,
    #[serde(borrow, default)]
    pub(super) from_user_id: Option<S<'a>>,
    #[serde(borrow)]
    pub(super) id: S<'a>,
    #[serde(borrow)]
    pub(super) timestamp: S<'a>,
    #[serde(borrow, rename = "type")]
    pub(super) kind: S<'a>,
    #[serde(borrow, default)]
    pub(super) context: Option<Context<'a>>,
    #[serde(borrow, default)]
    pub(super) text: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub(super) image: Option<Media<'a>>,
    #[serde(borrow, default)]
    pub(super) document: Option<Media<'a>>,
    #[serde(borrow, default)]
    pub(super) interactive: Option<Interactive<'a>>,
    #[serde(borrow, default)]
    pub(super) reaction: Option<Reaction<'a>>,
}
#[derive(Deserialize)]
pub(super) struct Context<'a> {
    #[serde(borrow)]
    pub(super) from: S<'a>,
    #[serde(borrow)]
    pub(super) id: S<'a>,
}
#[derive(Deserialize)]
pub(super) struct Text<'a> {
    #[serde(borrow)]
    pub(super) body: S<'a>,
}
#[derive(Deserialize)]
pub(super) struct Media<'a> {
    #[serde(borrow, default)]
    pub(super) caption: Option<S<'a>>,
    #[serde(borrow, default)]
    pub(super) filename: Option<S<'a>>,
    #[serde(borrow)]
    pub(super) mime_type: S<'a>,
    #[serde(borrow)]
    pub(super) sha256: S<'a>,
    #[serde(borrow)]
    pub(super) id: S<'a>,
}
#[derive(Deserialize)]
pub(super) struct Interactive<'a> {
    #[serde(borrow, rename = "type")]
    pub(super) kind: S<'a>,
    #[serde(borrow, default)]
    pub(super) button_reply: Option<Reply<'a>>,
    #[serde(borrow, default)]
    pub(super) list_reply: Option<Reply<'a>>,
}
#[derive(Deserialize)]
pub(super) struct Reply<'a> {
    #[serde(borrow)]
    pub(super) id: S<'a>,
    #[serde(borrow)]
    pub(super) title: S<'a>,
    #[serde(borrow, default)]
    pub(super) description: Option<S<'a>>,
}
#[derive(Deserialize)]
pub(super) struct Reaction<'a> {
    #[serde(borrow)]
    pub(super) message_id: S<'a>,
    #[serde(borrow, default)]
    pub(super) emoji: Option<S<'a>>,
}
#[derive(Deserialize)]
pub(super) struct Status<'a> {
    #[serde(borrow)]
    pub(super) id: S<'a>,
    #[serde(borrow)]
    pub(super) status: S<'a>,
    #[serde(borrow)]
    pub(super) timestamp: S<'a>,
    #[serde(borrow)]
    pub(super) recipient_id: S<'a>,
    #[serde(borrow, default)]
    pub(super) recipient_user_id: Option<S<'a>>,
    #[serde(borrow, default)]
    pub(super) conversation: Option<Conversation<'a>>,
    #[serde(borrow, default)]
    pub(super) pricing: Option<Pricing<'a>>,
    #[serde(borrow, default)]
    pub(super) errors: Vec<Error<'a>>,
}
#[derive(Deserialize)]
pub(super) struct Conversation<'a> {
    #[serde(borrow)]
    pub(super) id: S<'a>,
    #[serde(borrow, default)]
    pub(super) expiration_timestamp: Option<S<'a>>,
    #[serde(borrow)]
    pub(super) origin: Origin<'a>,
}
#[derive(Deserialize)]
pub(super) struct Origin<'a> {
    #[serde(borrow, rename = "type")]
    pub(super) kind: S<'a>,
}
#[derive(Deserialize)]
pub(super) struct Pricing<'a> {
    pub(super) billable: bool,
    #[serde(borrow)]
    pub(super) pricing_model: S<'a>,
    #[serde(borrow)]
    pub(super) category: S<'a>,
}
#[derive(Deserialize)]
pub(super) struct Error<'a> {
    pub(super) code: i64,
    #[serde(borrow)]
    pub(super) title: S<'a>,
    #[serde(borrow, default)]
    pub(super) message: Option<S<'a>>,
    #[serde(borrow, default)]
    pub(super) href: Option<S<'a>>,
}
