//! Sans-IO: unified values → `http::Request<Bytes>`, `http::Response<Bytes>` → unified
//! results. No I/O, so every request is snapshot-tested as built.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use waba_core::{Error, MediaDownload, MediaUpload, SendReceipt, TemplateInfo};
use waba_types::{
    DeliveryStatus, MediaId, MessageId, OutboundMessage, PhoneNumber, Recipient, TemplateStatus,
    WaId,
};

use crate::errors;
use crate::wire::{
    Addressee, ContextRef, MediaResponse, RawObject, ReadBody, SendBody, SendResponse,
    SuccessResponse, TemplateList, TypeObject, TypingW,
};

const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// Builds Cloud API requests and reads their responses.
#[derive(Debug, Clone)]
pub struct Codec {
    /// `{base}/{version}`.
    root: String,
    messages: http::Uri,
    media: http::Uri,
}

impl Codec {
    /// A codec for the sender `phone_number_id` at `{base_url}/{api_version}`.
    pub fn new(base_url: &str, api_version: &str, phone_number_id: &str) -> Result<Self, Error> {
        let root = format!("{}/{}", base_url.trim_end_matches('/'), api_version);
        let uri = |path: &str| -> Result<http::Uri, Error> {
            format!("{root}/{path}")
                .parse()
                .map_err(|_| Error::config(format!("{root}/{path} is not a valid URL")))
        };
        Ok(Self {
            messages: uri(&format!("{phone_number_id}/messages"))?,
            media: uri(&format!("{phone_number_id}/media"))?,
            root,
        })
    }

    fn json(uri: http::Uri, body: Vec<u8>) -> http::Request<Bytes> {
        let mut r = http::Request::new(Bytes::from(body));
        *r.method_mut() = http::Method::POST;
        *r.uri_mut() = uri;
        r.headers_mut().insert(CONTENT_TYPE, JSON);
        r
    }

    fn get(url: &str) -> Result<http::Request<Bytes>, Error> {
        let uri: http::Uri = url
            .parse()
            .map_err(|_| Error::decode(format!("{url} is not a valid URL")))?;
        let mut r = http::Request::new(Bytes::new());
        *r.uri_mut() = uri;
        Ok(r)
    }

    /// `to` for a phone number, `recipient` for a business-scoped user id.
    fn to(to: &Recipient) -> Result<Addressee<'_>, Error> {
        Addressee::of(to)
            .ok_or_else(|| Error::unsupported("group messages").with_provider(crate::ID))
    }

    /// `POST /{phone-number-id}/messages` for a unified message.
    pub fn encode_send(&self, message: &OutboundMessage) -> Result<http::Request<Bytes>, Error> {
        let (kind, object) = TypeObject::new(&message.content, &waba_meta_wire::Flavor::GRAPH_API)
            .ok_or_else(|| {
                Error::unsupported(format!("sending {} messages", message.content.kind()))
                    .with_provider(crate::ID)
            })?;
        let body = SendBody {
            messaging_product: "whatsapp",
            recipient_type: "individual",
            to: Self::to(&message.to)?,
            context: message.reply_to.as_ref().map(|id| ContextRef {
                message_id: id.as_str(),
            }),
            biz_opaque_callback_data: message.client_reference.as_deref(),
            kind,
            object,
        };
        let bytes = serde_json::to_vec(&body)
            .map_err(|e| Error::config(format!("cannot encode the message: {e}")))?;
        Ok(Self::json(self.messages.clone(), bytes))
    }

    /// The escape hatch: a message of a type the unified model does not have yet, as
    /// `{"type": kind, kind: object}`.
    pub fn encode_raw(
        &self,
        to: &PhoneNumber,
        kind: &str,
        object: &serde_json::Value,
    ) -> Result<http::Request<Bytes>, Error> {
        let body = SendBody {
            messaging_product: "whatsapp",
            recipient_type: "individual",
            to: Addressee::To(to.digits()),
            context: None,
            biz_opaque_callback_data: None,
            kind,
            object: TypeObject::Raw(RawObject { kind, object }),
        };
        let bytes = serde_json::to_vec(&body)
            .map_err(|e| Error::config(format!("cannot encode the message: {e}")))?;
        Ok(Self::json(self.messages.clone(), bytes))
    }

    /// Reads a send response.
    pub fn decode_send(&self, response: &http::Response<Bytes>) -> Result<SendReceipt, Error> {
        if !response.status().is_success() {
            return Err(errors::from_response(response));
        }
        let body: SendResponse = serde_json::from_slice(response.body()).map_err(|e| {
            Error::decode(format!("unexpected send response: {e}")).with_provider(crate::ID)
        })?;
        let message = body.messages.into_iter().next().ok_or_else(|| {
            Error::decode("the send response has no message id").with_provider(crate::ID)
        })?;
        Ok(SendReceipt {
            id: MessageId(message.id),
            status: message
                .message_status
                .as_deref()
                .map_or(DeliveryStatus::Accepted, DeliveryStatus::parse),
            wa_id: body
                .contacts
                .into_iter()
                .next()
                .and_then(|c| c.wa_id)
                .map(WaId),
            provider: crate::ID,
        })
    }

    /// Marks `id` read, and with `typing` shows the typing indicator.
    pub fn encode_read(&self, id: &MessageId, typing: bool) -> Result<http::Request<Bytes>, Error> {
        let body = ReadBody {
            messaging_product: "whatsapp",
            status: "read",
            message_id: id.as_str(),
            typing_indicator: typing.then_some(TypingW { kind: "text" }),
        };
        let bytes = serde_json::to_vec(&body).map_err(|e| Error::config(e.to_string()))?;
        Ok(Self::json(self.messages.clone(), bytes))
    }

    /// Reads a `{"success": true}` response.
    pub fn decode_success(&self, response: &http::Response<Bytes>) -> Result<(), Error> {
        if !response.status().is_success() {
            return Err(errors::from_response(response));
        }
        match serde_json::from_slice::<SuccessResponse>(response.body()) {
            Ok(SuccessResponse { success: true }) => Ok(()),
            _ => Err(Error::decode("the response does not say success").with_provider(crate::ID)),
        }
    }

    /// `POST /{phone-number-id}/media`, multipart: `messaging_product`, `type`, `file`.
    pub fn encode_upload(&self, upload: &MediaUpload) -> Result<http::Request<Bytes>, Error> {
        let mut boundary = String::from("waba-boundary-7d9b1f");
        while contains(&upload.data, boundary.as_bytes()) {
            boundary.push('x');
        }
        let filename = upload
            .filename
            .as_deref()
            .unwrap_or("upload")
            .replace(['"', '\r', '\n'], "_");
        let mut body = Vec::with_capacity(upload.data.len() + 512);
        for (name, value) in [
            ("messaging_product", "whatsapp"),
            ("type", upload.mime_type.as_str()),
        ] {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {}\r\n\r\n",
                upload.mime_type
            )
            .as_bytes(),
        );
        body.extend_from_slice(&upload.data);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut r = Self::json(self.media.clone(), body);
        let ct = HeaderValue::from_str(&format!("multipart/form-data; boundary={boundary}"))
            .map_err(|_| Error::config("invalid multipart boundary"))?;
        r.headers_mut().insert(CONTENT_TYPE, ct);
        Ok(r)
    }

    /// Reads an upload response.
    pub fn decode_upload(&self, response: &http::Response<Bytes>) -> Result<MediaId, Error> {
        if !response.status().is_success() {
            return Err(errors::from_response(response));
        }
        serde_json::from_slice::<MediaResponse>(response.body())
            .ok()
            .and_then(|m| m.id)
            .map(MediaId)
            .ok_or_else(|| {
                Error::decode("the upload response has no media id").with_provider(crate::ID)
            })
    }

    /// `GET /{media-id}`: where to download the media.
    pub fn encode_media_lookup(&self, id: &MediaId) -> Result<http::Request<Bytes>, Error> {
        if id.as_str().is_empty() || id.as_str().contains('/') {
            return Err(Error::new(waba_core::ErrorKind::InvalidRequest {
                field: Some("media_id".into()),
            })
            .with_message(format!("{:?} is not a media id", id.as_str())));
        }
        Self::get(&format!("{}/{}", self.root, id.as_str()))
    }

    /// Reads the lookup: the short-lived URL and the MIME type.
    pub fn decode_media_lookup(
        &self,
        response: &http::Response<Bytes>,
    ) -> Result<(String, Option<String>), Error> {
        if !response.status().is_success() {
            return Err(errors::from_response(response));
        }
        let m: MediaResponse = serde_json::from_slice(response.body()).map_err(|e| {
            Error::decode(format!("unexpected media response: {e}")).with_provider(crate::ID)
        })?;
        let url = m.url.ok_or_else(|| {
            Error::decode("the media response has no url").with_provider(crate::ID)
        })?;
        Ok((url, m.mime_type))
    }

    /// `GET <url>`, authorised like every call.
    pub fn encode_download(&self, url: &str) -> Result<http::Request<Bytes>, Error> {
        Self::get(url)
    }

    /// Reads the downloaded bytes.
    pub fn decode_download(
        &self,
        response: http::Response<Bytes>,
        mime: Option<String>,
    ) -> Result<MediaDownload, Error> {
        if !response.status().is_success() {
            return Err(errors::from_response(&response));
        }
        let header = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(MediaDownload {
            mime_type: mime.or(header),
            data: response.into_body(),
        })
    }

    /// `GET /{waba-id}/message_templates`.
    pub fn encode_templates(&self, waba_id: &str) -> Result<http::Request<Bytes>, Error> {
        Self::get(&format!(
            "{}/{waba_id}/message_templates?limit=250",
            self.root
        ))
    }

    /// Reads a template list.
    pub fn decode_templates(
        &self,
        response: &http::Response<Bytes>,
    ) -> Result<Vec<TemplateInfo>, Error> {
        if !response.status().is_success() {
            return Err(errors::from_response(response));
        }
        let list: TemplateList = serde_json::from_slice(response.body()).map_err(|e| {
            Error::decode(format!("unexpected template list: {e}")).with_provider(crate::ID)
        })?;
        Ok(list
            .data
            .into_iter()
            .map(|t| TemplateInfo {
                id: t.id,
                name: t.name,
                language: t.language,
                status: TemplateStatus::parse(&t.status),
                category: t.category,
                components: t.components,
            })
            .collect())
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
