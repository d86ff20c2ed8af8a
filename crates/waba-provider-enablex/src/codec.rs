//! Sans-IO: unified values → EnableX requests, answers → unified results.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use waba_core::{Error, ProviderId, SendReceipt, TemplateInfo};
use waba_meta_wire::Flavor;
use waba_types::{Content, DeliveryStatus, MessageId, OutboundMessage, Recipient, TemplateStatus};

use crate::errors;
use crate::wire::{ContextRef, SendAnswer, SendBody, TokenAnswer, TokenRequest, TypeObject};

/// Builds EnableX requests and reads their answers.
#[derive(Debug, Clone)]
pub struct Codec {
    base: String,
    from: Option<String>,
}

fn pid() -> ProviderId {
    crate::ID
}

impl Codec {
    /// A codec for the API at `base_url`, sending `from` where set.
    pub fn new(base_url: &str, from: Option<String>) -> Self {
        Self {
            base: base_url.trim_end_matches('/').to_owned(),
            from,
        }
    }

    fn request(
        &self,
        method: http::Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<http::Request<Bytes>, Error> {
        let uri: http::Uri = format!("{}{path}", self.base)
            .parse()
            .map_err(|_| Error::config(format!("{} is not a valid base URL", self.base)))?;
        let json = body.is_some();
        let mut r = http::Request::new(body.map_or_else(Bytes::new, Bytes::from));
        *r.method_mut() = method;
        *r.uri_mut() = uri;
        if json {
            r.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        Ok(r)
    }

    /// `POST /messages`.
    pub fn encode_send(&self, message: &OutboundMessage) -> Result<http::Request<Bytes>, Error> {
        let Recipient::Individual(to) = &message.to else {
            return Err(Error::unsupported(format!(
                "messages to {} (only a phone number)",
                message.to.addressed_by()
            ))
            .with_provider(pid()));
        };
        let flavor = Flavor {
            preview_url_in_text: false,
            template_namespace: None,
            language_policy: Some("deterministic"),
        };
        let (kind, object) = TypeObject::new(&message.content, &flavor).ok_or_else(|| {
            Error::unsupported(format!("sending {} messages", message.content.kind()))
                .with_provider(pid())
        })?;
        let body = SendBody {
            // The message's own sender wins over the configured one (several numbers in one
            // project); EnableX's `from` is the business number in digits.
            from: message
                .from
                .as_ref()
                .map(waba_types::PhoneNumber::digits)
                .or(self.from.as_deref()),
            to: to.digits(),
            kind,
            preview_url: matches!(&message.content, Content::Text(t) if t.preview_url),
            context: message.reply_to.as_ref().map(|id| ContextRef {
                message_id: id.as_str(),
            }),
            object,
        };
        let bytes = serde_json::to_vec(&body)
            .map_err(|e| Error::config(format!("cannot encode the message: {e}")))?;
        self.request(http::Method::POST, "/messages", Some(bytes))
    }

    /// Reads a send answer.
    pub fn decode_send(&self, response: &http::Response<Bytes>) -> Result<SendReceipt, Error> {
        if !response.status().is_success() {
            return Err(errors::from_response(response));
        }
        let a: SendAnswer = serde_json::from_slice(response.body())
            .map_err(|e| Error::decode(format!("unexpected answer: {e}")).with_provider(pid()))?;
        let Some(id) = a.message_id else {
            // A success status carrying an error body (the seed's failed-status example).
            return Err(errors::from_response(
                &http::Response::builder()
                    .status(400)
                    .body(response.body().clone())
                    .unwrap_or_default(),
            ));
        };
        Ok(SendReceipt {
            id: MessageId(id),
            status: a
                .status
                .as_deref()
                .map_or(DeliveryStatus::Accepted, DeliveryStatus::parse),
            wa_id: None,
            provider: pid(),
        })
    }

    /// `POST /token` with the APP ID and APP KEY.
    pub fn encode_token(&self, app_id: &str, app_key: &str) -> Result<http::Request<Bytes>, Error> {
        let bytes = serde_json::to_vec(&TokenRequest { app_id, app_key })
            .map_err(|e| Error::config(e.to_string()))?;
        self.request(http::Method::POST, "/token", Some(bytes))
    }

    /// Reads a token answer: the token and its expiry (Unix seconds).
    pub fn decode_token(
        &self,
        response: &http::Response<Bytes>,
    ) -> Result<(String, Option<u64>), Error> {
        if !response.status().is_success() {
            return Err(errors::from_response(response));
        }
        let a: TokenAnswer = serde_json::from_slice(response.body()).map_err(|e| {
            Error::decode(format!("unexpected token answer: {e}")).with_provider(pid())
        })?;
        Ok((a.token, a.expiry))
    }

    /// `POST /templates` with a template in Meta's definition format.
    pub fn encode_create_template(
        &self,
        definition: &serde_json::Value,
    ) -> Result<http::Request<Bytes>, Error> {
        for field in ["name", "category", "language", "components"] {
            if definition.get(field).is_none() {
                return Err(Error::new(waba_core::ErrorKind::InvalidRequest {
                    field: Some(field.into()),
                })
                .with_provider(pid())
                .with_message(format!("a template definition needs {field}")));
            }
        }
        self.request(
            http::Method::POST,
            "/templates",
            Some(definition.to_string().into_bytes()),
        )
    }

    /// Reads a creation answer as JSON (its shape is not documented).
    pub fn decode_json(
        &self,
        response: &http::Response<Bytes>,
    ) -> Result<serde_json::Value, Error> {
        if !response.status().is_success() {
            return Err(errors::from_response(response));
        }
        serde_json::from_slice(response.body())
            .map_err(|e| Error::decode(format!("unexpected answer: {e}")).with_provider(pid()))
    }

    /// `GET /templates`.
    pub fn encode_templates(&self) -> Result<http::Request<Bytes>, Error> {
        self.request(http::Method::GET, "/templates", None)
    }

    /// Reads a template list: an array, or one under `data` or `templates`.
    pub fn decode_templates(
        &self,
        response: &http::Response<Bytes>,
    ) -> Result<Vec<TemplateInfo>, Error> {
        let v = self.decode_json(response)?;
        let list = v
            .as_array()
            .or_else(|| v["data"].as_array())
            .or_else(|| v["templates"].as_array())
            .cloned()
            .unwrap_or_default();
        Ok(list
            .into_iter()
            .filter_map(|t| {
                Some(TemplateInfo {
                    id: t["id"]
                        .as_str()
                        .map(str::to_owned)
                        .or_else(|| t["id"].as_u64().map(|n| n.to_string())),
                    name: t["name"].as_str()?.to_owned(),
                    language: t["language"].as_str().unwrap_or_default().to_owned(),
                    status: TemplateStatus::parse(t["status"].as_str().unwrap_or("pending")),
                    category: t["category"].as_str().map(str::to_owned),
                    components: t.get("components").cloned(),
                })
            })
            .collect())
    }
}
