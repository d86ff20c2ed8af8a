//! Sans-IO: unified values → on-prem requests, responses → unified results. Tujenge uses
//! this same codec.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use waba_core::{
    ContactCheck, ContactStatus, Error, ErrorKind, MediaDownload, MediaUpload, ProviderId,
    SendReceipt,
};
use waba_meta_wire::Flavor;
use waba_types::{
    DeliveryStatus, MediaId, MessageId, OutboundMessage, PhoneNumber, Recipient, WaId,
};

use crate::errors;
use crate::wire::{ContactsBody, ContextRef, Envelope, SendBody, StatusBody, TypeObject};

const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// Whether a contacts check waits for the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Blocking {
    /// Answer only when every number is resolved (`blocking: wait`).
    #[default]
    Wait,
    /// Answer at once; unresolved numbers come back `processing` (`blocking: no_wait`).
    NoWait,
}

/// Builds on-prem requests and reads the `{payload, meta, errors}` envelope.
#[derive(Debug, Clone)]
pub struct Codec {
    base: String,
    namespace: Option<String>,
    provider: ProviderId,
    messages: http::Uri,
}

impl Codec {
    /// A codec for the Webapp at `base_url`, with the template `namespace`, reporting
    /// errors as `provider`'s.
    pub fn new(
        base_url: &str,
        namespace: Option<String>,
        provider: ProviderId,
    ) -> Result<Self, Error> {
        let base = base_url.trim_end_matches('/').to_owned();
        let messages = format!("{base}/v1/messages")
            .parse()
            .map_err(|_| Error::config(format!("{base} is not a valid base URL")))?;
        Ok(Self {
            base,
            namespace,
            provider,
            messages,
        })
    }

    /// The provider errors are reported for.
    pub fn provider(&self) -> &ProviderId {
        &self.provider
    }

    fn request(
        &self,
        method: http::Method,
        path: &str,
        body: Bytes,
        content_type: Option<HeaderValue>,
    ) -> Result<http::Request<Bytes>, Error> {
        let uri: http::Uri = format!("{}{path}", self.base)
            .parse()
            .map_err(|_| Error::config(format!("{}{path} is not a valid URL", self.base)))?;
        let mut r = http::Request::new(body);
        *r.method_mut() = method;
        *r.uri_mut() = uri;
        if let Some(ct) = content_type {
            r.headers_mut().insert(CONTENT_TYPE, ct);
        }
        Ok(r)
    }

    fn json<T: serde::Serialize>(
        &self,
        method: http::Method,
        path: &str,
        body: &T,
    ) -> Result<http::Request<Bytes>, Error> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::config(format!("cannot encode the request: {e}")))?;
        self.request(method, path, Bytes::from(bytes), Some(JSON))
    }

    /// `POST /v1/messages`.
    pub fn encode_send(&self, message: &OutboundMessage) -> Result<http::Request<Bytes>, Error> {
        let flavor = Flavor {
            preview_url_in_text: false,
            template_namespace: self.namespace.as_deref(),
            language_policy: Some("deterministic"),
        };
        if message.content.is_template() && self.namespace.is_none() {
            return Err(Error::config(
                "on-prem templates need the template namespace (WABA_ONPREM_NAMESPACE)",
            )
            .with_provider(self.provider.clone()));
        }
        let (kind, object) = TypeObject::new(&message.content, &flavor).ok_or_else(|| {
            Error::unsupported(format!("sending {} messages", message.content.kind()))
                .with_provider(self.provider.clone())
        })?;
        let (to, recipient_type) = match &message.to {
            Recipient::Individual(p) => (p.digits(), "individual"),
            Recipient::Group(g) => (g.as_str(), "group"),
            // The on-prem client (and Tujenge, which forwards it) has no user ids.
            Recipient::User(_) => {
                return Err(Error::unsupported(
                    "messages to a business-scoped user id (only a phone number or a group)",
                )
                .with_provider(self.provider.clone()));
            }
        };
        let preview_url = matches!(&message.content, waba_types::Content::Text(t) if t.preview_url);
        let body = SendBody {
            to,
            recipient_type,
            kind,
            preview_url,
            context: message.reply_to.as_ref().map(|id| ContextRef {
                message_id: id.as_str(),
            }),
            object,
        };
        let bytes = serde_json::to_vec(&body)
            .map_err(|e| Error::config(format!("cannot encode the message: {e}")))?;
        let mut r = http::Request::new(Bytes::from(bytes));
        *r.method_mut() = http::Method::POST;
        *r.uri_mut() = self.messages.clone();
        r.headers_mut().insert(CONTENT_TYPE, JSON);
        Ok(r)
    }

    /// Reads an envelope, surfacing `meta.api_status` and failing on an error status.
    fn envelope(&self, response: &http::Response<Bytes>) -> Result<Envelope, Error> {
        if !response.status().is_success() {
            return Err(errors::from_response(&self.provider, response));
        }
        let envelope: Envelope = serde_json::from_slice(response.body()).map_err(|e| {
            Error::decode(format!("unexpected response: {e}")).with_provider(self.provider.clone())
        })?;
        if let Some(meta) = &envelope.meta {
            match meta.api_status.as_deref() {
                Some("deprecated") => {
                    tracing::warn!(provider = %self.provider, version = ?meta.version, "this API is deprecated on the client");
                }
                Some("experimental") => {
                    tracing::warn!(provider = %self.provider, version = ?meta.version, "this API is experimental on the client");
                }
                _ => {}
            }
        }
        if envelope.errors.as_ref().is_some_and(|e| !e.is_empty()) {
            // A success status with errors: the provider answered and refused; the errors
            // name the kind through the same chain as any error answer.
            return Err(waba_core::classify_response(
                &self.provider,
                response,
                errors::refine(response),
            ));
        }
        Ok(envelope)
    }

    /// Reads a send response.
    pub fn decode_send(&self, response: &http::Response<Bytes>) -> Result<SendReceipt, Error> {
        let envelope = self.envelope(response)?;
        let id = envelope
            .messages
            .and_then(|m| m.into_iter().next())
            .ok_or_else(|| {
                Error::decode("the send response has no message id")
                    .with_provider(self.provider.clone())
            })?;
        Ok(SendReceipt {
            id: MessageId(id.id),
            status: DeliveryStatus::Accepted,
            wa_id: envelope
                .contacts
                .and_then(|c| c.into_iter().next())
                .and_then(|c| c.wa_id)
                .map(WaId),
            provider: self.provider.clone(),
        })
    }

    /// `PUT /v1/messages/{id}` with `{"status": "read"}`.
    pub fn encode_read(&self, id: &MessageId) -> Result<http::Request<Bytes>, Error> {
        check_id(id.as_str(), "message id")?;
        self.json(
            http::Method::PUT,
            &format!("/v1/messages/{}", id.as_str()),
            &StatusBody { status: "read" },
        )
    }

    /// Reads a response with no payload of interest.
    pub fn decode_empty(
        &self,
        response: &http::Response<Bytes>,
        _provider: &ProviderId,
    ) -> Result<(), Error> {
        if response.body().is_empty() && response.status().is_success() {
            return Ok(());
        }
        self.envelope(response).map(|_| ())
    }

    /// `POST /v1/media` with the raw bytes and their content type.
    pub fn encode_upload(&self, upload: &MediaUpload) -> Result<http::Request<Bytes>, Error> {
        let ct = HeaderValue::from_str(&upload.mime_type).map_err(|_| {
            Error::new(ErrorKind::InvalidRequest {
                field: Some("mime_type".into()),
            })
            .with_message(format!("{:?} is not a MIME type", upload.mime_type))
        })?;
        self.request(
            http::Method::POST,
            "/v1/media",
            upload.data.clone(),
            Some(ct),
        )
    }

    /// Reads an upload response: `{"media": [{"id"}]}`.
    pub fn decode_upload(&self, response: &http::Response<Bytes>) -> Result<MediaId, Error> {
        self.envelope(response)?
            .media
            .and_then(|m| m.into_iter().next())
            .map(|m| MediaId(m.id))
            .ok_or_else(|| {
                Error::decode("the upload response has no media id")
                    .with_provider(self.provider.clone())
            })
    }

    /// `GET /v1/media/{id}`.
    pub fn encode_download(&self, id: &MediaId) -> Result<http::Request<Bytes>, Error> {
        check_id(id.as_str(), "media id")?;
        self.request(
            http::Method::GET,
            &format!("/v1/media/{}", id.as_str()),
            Bytes::new(),
            None,
        )
    }

    /// Reads downloaded bytes.
    pub fn decode_download(&self, response: http::Response<Bytes>) -> Result<MediaDownload, Error> {
        if !response.status().is_success() {
            return Err(errors::from_response(&self.provider, &response));
        }
        let mime = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(MediaDownload {
            mime_type: mime,
            data: response.into_body(),
        })
    }

    /// `POST /v1/contacts`.
    pub fn encode_contacts(
        &self,
        numbers: &[PhoneNumber],
        blocking: Blocking,
        force_check: bool,
    ) -> Result<http::Request<Bytes>, Error> {
        let body = ContactsBody {
            blocking: match blocking {
                Blocking::Wait => "wait",
                Blocking::NoWait => "no_wait",
            },
            contacts: numbers.iter().map(PhoneNumber::as_str).collect(),
            force_check,
        };
        self.json(http::Method::POST, "/v1/contacts", &body)
    }

    /// Reads a contacts check.
    pub fn decode_contacts(
        &self,
        response: &http::Response<Bytes>,
    ) -> Result<Vec<ContactCheck>, Error> {
        let contacts = self.envelope(response)?.contacts.unwrap_or_default();
        Ok(contacts
            .into_iter()
            .map(|c| ContactCheck {
                input: c.input,
                status: match c.status.as_str() {
                    "valid" => ContactStatus::Valid,
                    "processing" => ContactStatus::Processing,
                    _ => ContactStatus::Invalid,
                },
                wa_id: c.wa_id.map(WaId),
            })
            .collect())
    }

    /// `GET /v1/health`.
    pub fn encode_health(&self) -> Result<http::Request<Bytes>, Error> {
        self.request(http::Method::GET, "/v1/health", Bytes::new(), None)
    }

    /// Reads the health payload.
    pub fn decode_health(
        &self,
        response: &http::Response<Bytes>,
    ) -> Result<serde_json::Value, Error> {
        Ok(self
            .envelope(response)?
            .health
            .unwrap_or(serde_json::Value::Null))
    }

    /// `POST /v1/users/login` (the executor adds the Basic credentials).
    pub fn encode_login(&self) -> http::Request<Bytes> {
        self.request(
            http::Method::POST,
            "/v1/users/login",
            Bytes::new(),
            Some(JSON),
        )
        .unwrap_or_default()
    }

    /// Reads a login: the token and its `expires_after`.
    pub fn decode_login(
        &self,
        response: &http::Response<Bytes>,
        _provider: &ProviderId,
    ) -> Result<(String, Option<String>), Error> {
        let user = self
            .envelope(response)
            .map_err(|e| {
                if matches!(e.kind(), ErrorKind::InvalidRequest { .. }) {
                    Error::new(ErrorKind::Auth).with_message(e.to_string())
                } else {
                    e
                }
            })?
            .users
            .and_then(|u| u.into_iter().next())
            .ok_or_else(|| {
                Error::decode("the login response has no token")
                    .with_provider(self.provider.clone())
            })?;
        Ok((user.token, user.expires_after))
    }

    /// `POST /v1/users/logout` (the token to revoke goes in `Authorization`).
    pub fn encode_logout(&self) -> http::Request<Bytes> {
        self.request(http::Method::POST, "/v1/users/logout", Bytes::new(), None)
            .unwrap_or_default()
    }
}

/// Ids go into paths: refuse anything that would change the path.
fn check_id(id: &str, what: &str) -> Result<(), Error> {
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'='))
    {
        return Err(Error::new(ErrorKind::InvalidRequest {
            field: Some(what.replace(' ', "_")),
        })
        .with_message(format!("{id:?} is not a valid {what}")));
    }
    Ok(())
}
