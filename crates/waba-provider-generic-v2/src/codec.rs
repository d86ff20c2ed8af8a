//! Sans-IO: unified messages → the route that carries them, answers → unified results.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use waba_core::{Error, ErrorKind, MessageRecord, SendReceipt};
use waba_meta_wire::Flavor;
use waba_types::{
    Content, DeliveryStatus, MediaSource, MessageId, OutboundMessage, Recipient, WaId,
};

use crate::errors;
use crate::wire::{Addressee, Answer, SendMedia, SendMessage, TemplateMessage, TypeObject};

/// Builds v2 requests and reads their answers.
#[derive(Debug, Clone)]
pub struct Codec {
    base: String,
}

fn invalid(field: &str, message: String) -> Error {
    Error::new(ErrorKind::InvalidRequest {
        field: Some(field.to_owned()),
    })
    .with_provider(crate::ID)
    .with_message(message)
}

impl Codec {
    /// A codec for the API at `base_url` (version segment included).
    pub fn new(base_url: &str) -> Self {
        Self {
            base: base_url.trim_end_matches('/').to_owned(),
        }
    }

    fn post<T: serde::Serialize>(
        &self,
        path: &str,
        body: &T,
    ) -> Result<http::Request<Bytes>, Error> {
        let uri: http::Uri = format!("{}{path}", self.base)
            .parse()
            .map_err(|_| Error::config(format!("{} is not a valid base URL", self.base)))?;
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::config(format!("cannot encode the request: {e}")))?;
        let mut r = http::Request::new(Bytes::from(bytes));
        *r.method_mut() = http::Method::POST;
        *r.uri_mut() = uri;
        r.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Ok(r)
    }

    /// The request for a message: text → `/send-message`, media by HTTPS link →
    /// `/send-media`, templates → `/messages`.
    pub fn encode_send(&self, message: &OutboundMessage) -> Result<http::Request<Bytes>, Error> {
        let to = match &message.to {
            Recipient::Individual(to) => to,
            // The `/messages` route takes Meta's body, with `recipient` for a user id; the
            // simple routes take only `phone_number` [generic-v2.md §2, §3, §5].
            Recipient::User(u) if message.content.is_template() => {
                return self.template(Addressee::Recipient(u.as_str()), &message.content);
            }
            Recipient::User(_) => {
                return Err(Error::unsupported(
                    "sending other than templates to a business-scoped user id (/send-message and /send-media take only phone_number)",
                )
                .with_provider(crate::ID));
            }
            Recipient::Group(_) => {
                return Err(Error::unsupported("group messages").with_provider(crate::ID));
            }
        };
        match &message.content {
            Content::Text(t) => self.post(
                "/send-message",
                &SendMessage {
                    phone_number: to.as_str(),
                    message: &t.body,
                    preview_url: t.preview_url,
                    reply_to: message.reply_to.as_ref().map(MessageId::as_str),
                },
            ),
            Content::Image(m) => self.media(to.as_str(), "image", &m.media, m.caption.as_deref()),
            Content::Video(m) => self.media(to.as_str(), "video", &m.media, m.caption.as_deref()),
            Content::Document(m) => {
                self.media(to.as_str(), "document", &m.media, m.caption.as_deref())
            }
            Content::Audio(m) => self.media(to.as_str(), "audio", &m.media, None),
            Content::Sticker(m) => self.media(to.as_str(), "sticker", &m.media, None),
            Content::Template(_) => self.template(Addressee::To(to.digits()), &message.content),
            other => Err(
                Error::unsupported(format!("sending {} messages", other.kind()))
                    .with_provider(crate::ID),
            ),
        }
    }

    /// `POST /messages` with Meta's template object.
    fn template(
        &self,
        to: Addressee<'_>,
        content: &Content,
    ) -> Result<http::Request<Bytes>, Error> {
        let (kind, object) = TypeObject::new(content, &Flavor::default())
            .ok_or_else(|| Error::unsupported("templates").with_provider(crate::ID))?;
        self.post("/messages", &TemplateMessage { to, kind, object })
    }

    fn media(
        &self,
        to: &str,
        media_type: &'static str,
        source: &MediaSource,
        caption: Option<&str>,
    ) -> Result<http::Request<Bytes>, Error> {
        let url = match source {
            MediaSource::Link(url) if url.starts_with("https://") => url,
            MediaSource::Link(url) => {
                return Err(invalid(
                    "content.media.link",
                    format!("{url:?}: the v2 API takes public HTTPS URLs only"),
                ));
            }
            MediaSource::Id(_) => {
                return Err(invalid(
                    "content.media",
                    "the v2 API sends media by HTTPS link only, not by uploaded id".to_owned(),
                ));
            }
        };
        check_format(media_type, url)?;
        self.post(
            "/send-media",
            &SendMedia {
                phone_number: to,
                media_type,
                media_url: url,
                caption,
            },
        )
    }

    fn answer(response: &http::Response<Bytes>) -> Result<Answer, Error> {
        if !response.status().is_success() {
            return Err(errors::from_response(response));
        }
        let answer: Answer = serde_json::from_slice(response.body()).map_err(|e| {
            Error::decode(format!("unexpected answer: {e}")).with_provider(crate::ID)
        })?;
        if answer.status.as_deref() == Some("error") {
            return Err(errors::from_response(
                &http::Response::builder()
                    .status(400)
                    .body(response.body().clone())
                    .unwrap_or_default(),
            ));
        }
        Ok(answer)
    }

    /// Reads a send answer.
    pub fn decode_send(&self, response: &http::Response<Bytes>) -> Result<SendReceipt, Error> {
        let a = Self::answer(response)?;
        let id = a.message_id.ok_or_else(|| {
            Error::decode("the answer has no message_id").with_provider(crate::ID)
        })?;
        Ok(SendReceipt {
            id: MessageId(id),
            status: DeliveryStatus::Accepted,
            wa_id: a
                .recipient
                .map(|r| WaId(r.trim_start_matches('+').to_owned())),
            provider: crate::ID,
        })
    }

    /// `GET /message-status?message_id=`.
    pub fn encode_status(&self, id: &MessageId) -> Result<http::Request<Bytes>, Error> {
        let query: String = form_encode(id.as_str());
        let uri: http::Uri = format!("{}/message-status?message_id={query}", self.base)
            .parse()
            .map_err(|_| {
                invalid(
                    "message_id",
                    format!("{:?} cannot go in a URL", id.as_str()),
                )
            })?;
        let mut r = http::Request::new(Bytes::new());
        *r.uri_mut() = uri;
        Ok(r)
    }

    /// Reads a status answer.
    pub fn decode_status(&self, response: &http::Response<Bytes>) -> Result<MessageRecord, Error> {
        let a = Self::answer(response)?;
        let id = a.message_id.ok_or_else(|| {
            Error::decode("the answer has no message_id").with_provider(crate::ID)
        })?;
        Ok(MessageRecord {
            id: MessageId(id),
            direction: Some(waba_core::Direction::Outbound),
            from: None,
            to: a.recipient,
            status: a.status.as_deref().map(DeliveryStatus::parse),
            timestamp: a.timestamp.as_deref().and_then(unix_of_iso8601),
            client_reference: None,
            content: None,
        })
    }
}

/// The seed's format table, enforced where the URL's path shows a file extension (a URL
/// without one is left to the API).
fn check_format(media_type: &str, url: &str) -> Result<(), Error> {
    let allowed: &[&str] = match media_type {
        "image" => &["jpg", "jpeg", "png"],
        "video" => &["mp4", "3gp", "3gpp"],
        "document" => &["pdf", "docx", "xlsx", "pptx", "txt"],
        "audio" => &["mp3", "ogg"],
        _ => return Ok(()),
    };
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let last = path.rsplit('/').next().unwrap_or("");
    let Some((_, ext)) = last.rsplit_once('.') else {
        return Ok(());
    };
    if allowed.iter().any(|a| a.eq_ignore_ascii_case(ext)) {
        Ok(())
    } else {
        Err(invalid(
            "content.media.link",
            format!(
                "{url:?}: .{ext} is not accepted for {media_type}; accepted: {}",
                allowed.join(", ")
            ),
        ))
    }
}

/// Percent-encodes a query value.
fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `2025-04-27T12:00:00Z` → Unix seconds (UTC only, as the API answers).
#[allow(
    clippy::many_single_char_names,
    reason = "y-m-d are the fields' own names"
)]
fn unix_of_iso8601(s: &str) -> Option<u64> {
    let s = s.strip_suffix('Z')?;
    let (date, time) = s.split_once('T')?;
    let mut d = date.split('-').map(str::parse::<i64>);
    let (y, m, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let mut t = time
        .split(':')
        .map(|p| p.split('.').next().unwrap_or("").parse::<i64>());
    let (hh, mm, ss) = (t.next()?.ok()?, t.next()?.ok()?, t.next()?.ok()?);
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    u64::try_from(days * 86_400 + hh * 3600 + mm * 60 + ss).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn media_formats_follow_the_seed_table() {
        assert!(super::check_format("image", "https://e.com/a.JPG?x=1").is_ok());
        assert!(
            super::check_format("image", "https://e.com/photo").is_ok(),
            "no extension: left to the API"
        );
        let e = super::check_format("image", "https://e.com/a.gif").unwrap_err();
        assert!(
            e.to_string().contains(".gif is not accepted for image"),
            "{e}"
        );
        assert!(super::check_format("document", "https://e.com/invoice.pdf").is_ok());
        assert!(super::check_format("audio", "https://e.com/a.wav").is_err());
    }

    #[test]
    fn iso_times() {
        assert_eq!(
            super::unix_of_iso8601("2025-04-27T12:00:00Z"),
            Some(1_745_755_200)
        );
        assert_eq!(super::unix_of_iso8601("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(super::unix_of_iso8601("2025-04-27 12:00:00"), None);
    }
}
