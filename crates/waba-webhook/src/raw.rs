//! [`RawJson`]: an event's JSON as a view into the body it arrived in.

use std::fmt;

use bytes::Bytes;
use serde_json::value::RawValue;

use crate::decode::span_of;

/// The provider's exact JSON for one event: the request body's [`Bytes`] and where the
/// event is in it. Making one costs a reference-count increment, not a copy or a parse; the
/// text is read only when asked for ([`get`](Self::get), [`parse`](Self::parse)).
///
/// Always valid JSON: it is made from a value the decoder parsed
/// ([`from_body`](Self::from_body), [`From<Box<RawValue>>`]).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RawJson(Bytes);

impl RawJson {
    /// The view of `raw` in `body` when `raw` is a slice of it (what every decoder of this
    /// crate returns), else a copy of `raw`.
    pub fn from_body(body: &Bytes, raw: &RawValue) -> Self {
        match span_of(raw.get(), body) {
            Some(range) => Self(body.slice(range)),
            None => Self(Bytes::copy_from_slice(raw.get().as_bytes())),
        }
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        // Made only from a `RawValue`'s text, so always UTF-8; the check is the cost of
        // keeping this crate free of `unsafe`.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The JSON bytes, as shared with the body.
    pub fn bytes(&self) -> &Bytes {
        &self.0
    }

    /// Parses the JSON into `T`, borrowing from it where `T` borrows.
    pub fn parse<'a, T: serde::Deserialize<'a>>(&'a self) -> serde_json::Result<T> {
        serde_json::from_slice(&self.0)
    }

    /// An owned [`RawValue`] of the same text (a copy).
    pub fn to_raw_value(&self) -> Box<RawValue> {
        // Valid JSON by construction; `null` should that ever not hold.
        RawValue::from_string(self.get().to_owned()).unwrap_or_else(|_| RawValue::NULL.to_owned())
    }
}

impl From<Box<RawValue>> for RawJson {
    fn from(raw: Box<RawValue>) -> Self {
        Self(Bytes::from(String::from(<Box<str>>::from(raw))))
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RawJson").field(&self.get()).finish()
    }
}

impl fmt::Display for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

impl AsRef<[u8]> for RawJson {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Written verbatim, as JSON (not as a string of it).
impl serde::Serialize for RawJson {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let raw: &RawValue = serde_json::from_slice(&self.0).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

/// Read from any JSON value, kept verbatim.
impl<'de> serde::Deserialize<'de> for RawJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(d).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slice_of_the_body_shares_its_bytes() {
        let body = Bytes::from_static(br#"{"a":[{"id":"x"},{"id":"y"}]}"#);
        let text = std::str::from_utf8(&body).unwrap();
        let item: &RawValue = serde_json::from_str(&text[17..27]).unwrap();
        let raw = RawJson::from_body(&body, item);
        assert_eq!(raw.get(), r#"{"id":"y"}"#);
        assert_eq!(raw.bytes().as_ptr(), body[17..].as_ptr(), "no copy");
        let v: serde_json::Value = raw.parse().unwrap();
        assert_eq!(v["id"], "y");
    }

    #[test]
    fn json_from_elsewhere_is_copied() {
        let body = Bytes::from_static(b"{}");
        let other: Box<RawValue> = serde_json::from_str(r#"{"b":1}"#).unwrap();
        let raw = RawJson::from_body(&body, &other);
        assert_eq!(raw.get(), r#"{"b":1}"#);
    }

    #[test]
    fn serialises_verbatim_and_round_trips() {
        let raw = RawJson::from(RawValue::from_string(r#"{"b" : 1}"#.to_owned()).unwrap());
        let text = serde_json::to_string(&serde_json::json!({ "raw": raw })).unwrap();
        assert_eq!(text, r#"{"raw":{"b":1}}"#);
        let back: RawJson = serde_json::from_str(r#"{"b" : 1}"#).unwrap();
        assert_eq!(back, raw);
    }
}
