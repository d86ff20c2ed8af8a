//! Sans-IO: unified values → WAB requests, answers → unified results.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use waba_core::{
    BroadcastOutcome, Direction, Error, ErrorKind, MediaDownload, MediaUpload, MessageRecord,
    ProviderId, SendReceipt,
};
use waba_meta_wire::Flavor;
use waba_types::{
    Content, DeliveryStatus, MediaId, MessageId, OutboundMessage, PhoneNumber, Recipient,
};

use crate::config::RecipientField;
use crate::errors;
use crate::wire::{Accepted, Record, SendBody, TypeObject};

/// Builds WAB requests and reads their answers.
#[derive(Debug, Clone)]
pub struct Codec {
    base: String,
    source: String,
    field: RecipientField,
}

fn pid() -> ProviderId {
    crate::ID
}

impl Codec {
    /// A codec for `source` at `base_url`, naming the recipient with `field`.
    pub fn new(base_url: &str, source: &str, field: RecipientField) -> Self {
        Self {
            base: base_url.trim_end_matches('/').to_owned(),
            source: source.to_owned(),
            field,
        }
    }

    fn request(
        &self,
        method: http::Method,
        path_and_query: &str,
        body: Bytes,
        ct: Option<HeaderValue>,
    ) -> Result<http::Request<Bytes>, Error> {
        let uri: http::Uri = format!("{}{path_and_query}", self.base)
            .parse()
            .map_err(|_| Error::config(format!("{} is not a valid base URL", self.base)))?;
        let mut r = http::Request::new(body);
        *r.method_mut() = method;
        *r.uri_mut() = uri;
        r.headers_mut().insert(
            http::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        );
        if let Some(ct) = ct {
            r.headers_mut().insert(CONTENT_TYPE, ct);
        }
        Ok(r)
    }

    fn body<R: serde::Serialize>(
        &self,
        to: R,
        content: &Content,
        reference: Option<&str>,
    ) -> Result<Bytes, Error> {
        let (kind, object) = TypeObject::new(content, &Flavor::GRAPH_API).ok_or_else(|| {
            Error::unsupported(format!("sending {} messages", content.kind())).with_provider(pid())
        })?;
        let (destination, to) = match self.field {
            RecipientField::Destination => (Some(to), None),
            RecipientField::To => (None, Some(to)),
        };
        let body = SendBody {
            destination,
            to,
            source: &self.source,
            reference,
            kind,
            object,
        };
        serde_json::to_vec(&body)
            .map(Bytes::from)
            .map_err(|e| Error::config(format!("cannot encode the message: {e}")))
    }

    /// `POST /messages`; `client_reference` goes as `reference`.
    pub fn encode_send(&self, message: &OutboundMessage) -> Result<http::Request<Bytes>, Error> {
        let Recipient::Individual(to) = &message.to else {
            return Err(Error::unsupported(format!(
                "messages to {} (only a phone number)",
                message.to.addressed_by()
            ))
            .with_provider(pid()));
        };
        let body = self.body(
            to.as_str(),
            &message.content,
            message.client_reference.as_deref(),
        )?;
        self.request(
            http::Method::POST,
            "/messages",
            body,
            Some(HeaderValue::from_static("application/json")),
        )
    }

    fn accepted(response: &http::Response<Bytes>) -> Result<Vec<Accepted>, Error> {
        if !response.status().is_success() {
            return Err(errors::from_response(response));
        }
        serde_json::from_slice(response.body())
            .map_err(|e| Error::decode(format!("unexpected answer: {e}")).with_provider(pid()))
    }

    /// Reads the 202 answer: `[{id, status, reference}]`.
    pub fn decode_send(&self, response: &http::Response<Bytes>) -> Result<SendReceipt, Error> {
        let first = Self::accepted(response)?
            .into_iter()
            .next()
            .ok_or_else(|| Error::decode("the answer has no message id").with_provider(pid()))?;
        Ok(SendReceipt {
            id: MessageId(first.id),
            status: first
                .status
                .as_deref()
                .map_or(DeliveryStatus::Accepted, DeliveryStatus::parse),
            wa_id: None,
            provider: pid(),
        })
    }

    /// `POST /messages/broadcast` with every destination.
    pub fn encode_broadcast(
        &self,
        to: &[PhoneNumber],
        content: &Content,
    ) -> Result<http::Request<Bytes>, Error> {
        let list: Vec<&str> = to.iter().map(PhoneNumber::as_str).collect();
        let body = self.body(list, content, None)?;
        self.request(
            http::Method::POST,
            "/messages/broadcast",
            body,
            Some(HeaderValue::from_static("application/json")),
        )
    }

    /// Reads a broadcast answer: one outcome per destination, matched by number.
    pub fn decode_broadcast(
        &self,
        to: &[PhoneNumber],
        response: &http::Response<Bytes>,
    ) -> Result<Vec<BroadcastOutcome>, Error> {
        let accepted = Self::accepted(response)?;
        Ok(accepted
            .into_iter()
            .filter_map(|a| {
                let dest = a
                    .destination
                    .as_deref()
                    .and_then(|d| PhoneNumber::parse(d).ok())?;
                let status = a
                    .status
                    .as_deref()
                    .map_or(DeliveryStatus::Accepted, DeliveryStatus::parse);
                let result = if status.is_terminal() || a.id.is_empty() {
                    Err(Error::new(ErrorKind::Provider)
                        .with_provider(pid())
                        .with_message(format!("{dest} was not accepted: {status}")))
                } else {
                    Ok(SendReceipt {
                        id: MessageId(a.id),
                        status,
                        wa_id: None,
                        provider: pid(),
                    })
                };
                to.contains(&dest)
                    .then_some(BroadcastOutcome { to: dest, result })
            })
            .collect())
    }

    /// `POST /media?source=`, multipart with part `file`.
    pub fn encode_upload(&self, upload: &MediaUpload) -> Result<http::Request<Bytes>, Error> {
        let mut boundary = String::from("waba-boundary-4c1d2e");
        while upload
            .data
            .windows(boundary.len())
            .any(|w| w == boundary.as_bytes())
        {
            boundary.push('x');
        }
        let name = upload
            .filename
            .as_deref()
            .unwrap_or("upload")
            .replace(['"', '\r', '\n'], "_");
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {}\r\n\r\n",
            upload.mime_type
        )
        .into_bytes();
        body.extend_from_slice(&upload.data);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let ct = HeaderValue::from_str(&format!("multipart/form-data; boundary={boundary}"))
            .map_err(|_| Error::config("invalid boundary"))?;
        self.request(
            http::Method::POST,
            &format!("/media?source={}", self.source),
            Bytes::from(body),
            Some(ct),
        )
    }

    /// Reads the upload answer: `[{id}]`.
    pub fn decode_upload(&self, response: &http::Response<Bytes>) -> Result<MediaId, Error> {
        Self::accepted(response)?
            .into_iter()
            .next()
            .map(|a| MediaId(a.id))
            .ok_or_else(|| Error::decode("the upload answer has no id").with_provider(pid()))
    }

    /// `GET /media?media_id=&source=`.
    pub fn encode_download(&self, id: &MediaId) -> Result<http::Request<Bytes>, Error> {
        // The specification's pattern for media ids: ^[a-zA-Z0-9]+$, at most 255.
        if id.as_str().is_empty()
            || id.as_str().len() > 255
            || !id.as_str().bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(Error::new(ErrorKind::InvalidRequest {
                field: Some("media_id".into()),
            })
            .with_provider(pid())
            .with_message(format!(
                "{:?} is not a media id (letters and digits, at most 255)",
                id.as_str()
            )));
        }
        self.request(
            http::Method::GET,
            &format!("/media?media_id={}&source={}", id.as_str(), self.source),
            Bytes::new(),
            None,
        )
    }

    /// Reads downloaded bytes.
    pub fn decode_download(&self, response: http::Response<Bytes>) -> Result<MediaDownload, Error> {
        if !response.status().is_success() {
            return Err(errors::from_response(&response));
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

    /// `GET /messages?id=`.
    pub fn encode_message(&self, id: &MessageId) -> Result<http::Request<Bytes>, Error> {
        if !id
            .as_str()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            || id.as_str().is_empty()
        {
            return Err(Error::new(ErrorKind::InvalidRequest {
                field: Some("id".into()),
            })
            .with_provider(pid())
            .with_message(format!("{:?} is not a message id", id.as_str())));
        }
        self.request(
            http::Method::GET,
            &format!("/messages?id={}", id.as_str()),
            Bytes::new(),
            None,
        )
    }

    /// Reads a message record, decoding its JSON-in-a-string `content`.
    pub fn decode_message(&self, response: &http::Response<Bytes>) -> Result<MessageRecord, Error> {
        if !response.status().is_success() {
            return Err(errors::from_response(response));
        }
        let r: Record = serde_json::from_slice(response.body())
            .map_err(|e| Error::decode(format!("unexpected record: {e}")).with_provider(pid()))?;
        let content = match r.content.as_deref() {
            Some(text) if !text.is_empty() => Some(
                serde_json::from_str(text)
                    .unwrap_or_else(|_| serde_json::Value::String(text.to_owned())),
            ),
            _ => None,
        };
        Ok(MessageRecord {
            id: MessageId(r.id),
            direction: match r.direction.as_deref() {
                Some("MT") => Some(Direction::Outbound),
                Some("MO") => Some(Direction::Inbound),
                _ => None,
            },
            from: r.source,
            to: r.destination,
            status: None,
            timestamp: content
                .as_ref()
                .and_then(|c| c["timestamp"].as_str())
                .and_then(|t| t.parse().ok()),
            client_reference: r.reference.filter(|x| !x.is_empty()),
            content,
        })
    }
}
