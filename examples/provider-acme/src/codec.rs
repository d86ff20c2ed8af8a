//! Sans-IO: a unified message → Acme's request, Acme's answer → a receipt or an error.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use waba_core::{Error, SendReceipt};
use waba_meta_wire::Flavor;
use waba_types::{DeliveryStatus, MessageId, OutboundMessage, Recipient};

use crate::errors;
use crate::wire::{Answer, Send, TypeObject};

/// Builds Acme requests and reads their answers.
#[derive(Debug, Clone)]
pub struct Codec {
    messages: http::Uri,
}

impl Codec {
    /// A codec for the API at `base_url` (checked by the configuration).
    pub fn new(base_url: &str) -> Result<Self, Error> {
        let messages = format!("{base_url}/v1/messages")
            .parse()
            .map_err(|_| Error::config(format!("{base_url:?} is not a valid Acme base URL")))?;
        Ok(Self { messages })
    }

    /// `POST /v1/messages`. The adapter has checked the message against its capabilities
    /// (text and templates, to a phone number), so anything else here is a bug upstream,
    /// refused all the same.
    pub fn encode_send(&self, message: &OutboundMessage) -> Result<http::Request<Bytes>, Error> {
        let Recipient::Individual(to) = &message.to else {
            return Err(Error::unsupported("messages to other than a phone number")
                .with_provider(crate::ID));
        };
        let (kind, object) = TypeObject::new(&message.content, &Flavor::GRAPH_API)
            .ok_or_else(|| Error::unsupported("this content kind").with_provider(crate::ID))?;
        let body = Send {
            to: to.digits(),
            kind,
            reference: message.client_reference.as_deref(),
            object,
        };
        let bytes = serde_json::to_vec(&body)
            .map_err(|e| Error::config(format!("cannot encode the request: {e}")))?;
        let mut r = http::Request::new(Bytes::from(bytes));
        *r.method_mut() = http::Method::POST;
        *r.uri_mut() = self.messages.clone();
        r.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Ok(r)
    }

    /// The receipt of a `2xx` answer with an `id`; the classified error otherwise.
    pub fn decode_send(&self, response: &http::Response<Bytes>) -> Result<SendReceipt, Error> {
        if !response.status().is_success() {
            return Err(errors::from_response(response));
        }
        let id = serde_json::from_slice::<Answer>(response.body())
            .ok()
            .and_then(|a| a.id)
            .ok_or_else(|| {
                Error::decode("Acme's answer has no message id").with_provider(crate::ID)
            })?;
        Ok(SendReceipt {
            id: MessageId(id),
            status: DeliveryStatus::Accepted,
            wa_id: None,
            provider: crate::ID,
        })
    }
}
