#![doc = include_str!("../README.md")]
// docs.rs builds with `--cfg docsrs` (see Cargo.toml): items behind a feature get a badge.
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # Overview
//!
//! Sans-IO decoding of WhatsApp Business webhooks into unified [`waba_types::Event`]s, for
//! every provider's format, with the checks around it done right.
//!
//! - One decoder per wire family, each behind a feature: [`CloudDecoder`] (Meta Cloud API,
//!   generic v2), [`OnPremDecoder`] (on-prem client, Tujenge), [`MobileGatewayDecoder`] (MO
//!   and DLR callbacks), [`EnableXDecoder`].
//! - Lossless and tolerant: unknown fields are ignored, scalars may drift between string and
//!   number or be `null`, unknown message types and statuses become `Unknown` variants
//!   carrying their raw JSON, an item that cannot be typed becomes an `Event::Unknown` with
//!   its location and reason, and every event keeps the exact JSON it came from
//!   ([`DecodedEvent::raw`]).
//! - Verification over the raw bytes, fail-closed and constant-time: [`HubSignature`]
//!   (`X-Hub-Signature-256`, with secret rotation), [`RequiredHeaders`] (Tujenge's custom
//!   headers, EnableX's Basic credentials); [`verify_challenge`] for the `hub.challenge`
//!   handshake.
//! - At-least-once delivery handled: [`Deduplicator`], and [`ordering`] so late status
//!   callbacks do not move a message backwards.
//! - With feature `axum`, a receiver: handshake, verification, dedup, and an `inbox`
//!   (in memory, or durable and shared) filled before the 200; it answers 503 when it
//!   cannot store a body, so the provider retries (see the `receiver` module docs).
//!
//! ```
//! use waba_webhook::{CloudDecoder, HubSignature, Verifier, WebhookDecoder, WebhookRequest};
//! use waba_types::{Event, InboundContent};
//!
//! let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages",
//!   "value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},
//!   "contacts":[{"profile":{"name":"Kerry"},"wa_id":"16315551234"}],
//!   "messages":[{"from":"16315551234","id":"wamid.1","timestamp":"1750000000","type":"text","text":{"body":"Hi"}}]}}]}]}"#;
//! let verifier = HubSignature::new("app-secret")?;
//! let mut headers = http::HeaderMap::new();
//! headers.insert("x-hub-signature-256", verifier.sign(body).parse()?);
//!
//! let request = WebhookRequest::post(&headers, body);
//! verifier.verify(&request)?;
//! let decoded = CloudDecoder.decode(&request)?;
//! let Event::Message(m) = &decoded.events[0].event else { panic!() };
//! assert_eq!(m.content, InboundContent::Text { body: "Hi".into() });
//! assert_eq!(m.profile_name.as_deref(), Some("Kerry"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod decode;
pub mod dedup;
mod error;
mod formats;
mod handshake;
#[cfg(feature = "axum")]
pub mod inbox;
pub mod ordering;
#[cfg(feature = "axum")]
mod raw;
#[cfg(feature = "axum")]
pub mod receiver;
mod request;
mod verify;

pub use decode::{Decoded, DecodedEvent, WebhookDecoder};
pub use dedup::{DedupStore, Deduplicator, MemoryDedupStore, StoreError};
pub use error::{HandshakeError, ItemError, VerifierConfigError, VerifyError, WebhookError};
pub use formats::*;
pub use handshake::verify_challenge;
#[cfg(feature = "axum")]
pub use raw::RawJson;
pub use request::WebhookRequest;
pub use verify::{HubSignature, RequiredHeaders, SIGNATURE_HEADER, Unverified, Verifier};
