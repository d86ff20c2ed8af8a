//! Deserializers for fields providers send as a number one day and a string the next.

use std::borrow::Cow;
use std::fmt;

use serde::Deserializer;
use serde::de::{self, Visitor};

/// Above this, a Unix timestamp is in milliseconds (Meta has sent both).
const MILLIS_THRESHOLD: u64 = 1_000_000_000_000;

struct U64Visitor;

impl<'de> Visitor<'de> for U64Visitor {
    type Value = Option<u64>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a non-negative integer, as a number or a string")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        u64::try_from(v)
            .map(Some)
            .map_err(|_| E::custom(format!("{v} is negative")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v >= 0.0 && v.is_finite() {
            Ok(Some(v as u64))
        } else {
            Err(E::custom(format!("{v} is not a valid integer")))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let t = v.trim();
        if t.is_empty() {
            return Ok(None);
        }
        t.parse()
            .map(Some)
            .map_err(|_| E::custom(format!("{v:?} is not an integer")))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// An optional integer given as a number or a string (`"1750086400"`).
pub(crate) fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    d.deserialize_option(U64Visitor)
}

/// A Unix timestamp as a number or a string, in seconds or milliseconds; returned in seconds.
pub(crate) fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(opt_u64(d)?.map(|t| if t >= MILLIS_THRESHOLD { t / 1000 } else { t }))
}

struct I64Visitor;

impl Visitor<'_> for I64Visitor {
    type Value = i64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, as a number or a string")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::custom(format!("{v} is too large")))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e18 {
            Ok(v as i64)
        } else {
            Err(E::custom(format!("{v} is not an integer")))
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        v.trim()
            .parse()
            .map_err(|_| E::custom(format!("{v:?} is not an integer")))
    }
    // `null` is an absent code: 0, as when the field is missing.
    fn visit_unit<E: de::Error>(self) -> Result<i64, E> {
        Ok(0)
    }
}

/// An error code as a number or a string; `null` reads as 0, like an absent code.
pub(crate) fn code<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    d.deserialize_any(I64Visitor)
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Option<Cow<'de, str>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string or a number")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_string())))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_string())))
    }
    // An id too long for an integer (Mobile Gateway's 24-digit `Destination`) arrives as a
    // float when sent as a number; its digits as far as the float kept them are the best
    // there is.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_string())))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// An id given as a string or a number (Meta's `message_template_id` is an integer).
pub(crate) fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Cow<'de, str>>, D::Error> {
    d.deserialize_option(StrVisitor)
}

/// Decodes `T` from a parsed JSON value with the drift providers are known for accepted at
/// every scalar, whatever the type: a string where a number is expected (`"52.5200"`,
/// `"1750000000"`), a number where a string is expected (`"wa_id": 4915123450001`), `"true"`
/// for a boolean, and `null` wherever a value may be absent (an optional field, a list, a
/// struct whose fields all have defaults). Decoders try the strict, borrowing parse first and
/// this one only when it fails, so the common body pays nothing for it.
pub(crate) fn from_value<'v, T: serde::Deserialize<'v>>(
    value: &'v serde_json::Value,
) -> Result<T, String> {
    T::deserialize(Lenient(value)).map_err(|e| e.to_string())
}

/// A [`Deserializer`] over a borrowed [`serde_json::Value`] that converts scalars between
/// their string and number forms and reads `null` as absent; see [`from_value`].
#[derive(Clone, Copy)]
struct Lenient<'v>(&'v serde_json::Value);

type JsonError = serde_json::Error;

impl<'v> Lenient<'v> {
    fn number_from_str<V: Visitor<'v>>(s: &str, visitor: V) -> Result<V::Value, JsonError> {
        let t = s.trim();
        if let Ok(u) = t.parse::<u64>() {
            visitor.visit_u64(u)
        } else if let Ok(i) = t.parse::<i64>() {
            visitor.visit_i64(i)
        } else if let Ok(f) = t.parse::<f64>()
            && f.is_finite()
        {
            visitor.visit_f64(f)
        } else {
            Err(de::Error::invalid_value(
                de::Unexpected::Str(s),
                &"a number (given as a string)",
            ))
        }
    }

    fn number<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self.0 {
            serde_json::Value::String(s) => Self::number_from_str(s, visitor),
            _ => self.deserialize_any(visitor),
        }
    }
}

impl<'v> de::Deserializer<'v> for Lenient<'v> {
    type Error = JsonError;

    fn deserialize_any<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        use serde_json::Value;
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::Array(items) => visitor.visit_seq(Seq(items.iter())),
            Value::Object(map) => visitor.visit_map(Map {
                iter: Some(map.iter()),
                value: None,
            }),
        }
    }

    fn deserialize_bool<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self.0 {
            serde_json::Value::String(s) if s.eq_ignore_ascii_case("true") => {
                visitor.visit_bool(true)
            }
            serde_json::Value::String(s) if s.eq_ignore_ascii_case("false") => {
                visitor.visit_bool(false)
            }
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_i8<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.number(visitor)
    }
    fn deserialize_i16<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.number(visitor)
    }
    fn deserialize_i32<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.number(visitor)
    }
    fn deserialize_i64<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.number(visitor)
    }
    fn deserialize_u8<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.number(visitor)
    }
    fn deserialize_u16<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.number(visitor)
    }
    fn deserialize_u32<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.number(visitor)
    }
    fn deserialize_u64<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.number(visitor)
    }
    fn deserialize_f32<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.number(visitor)
    }
    fn deserialize_f64<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.number(visitor)
    }

    fn deserialize_str<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self.0 {
            serde_json::Value::Number(n) => visitor.visit_string(n.to_string()),
            _ => self.deserialize_any(visitor),
        }
    }
    fn deserialize_string<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.deserialize_str(visitor)
    }
    fn deserialize_char<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.deserialize_str(visitor)
    }
    fn deserialize_identifier<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self.0 {
            serde_json::Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_seq<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self.0 {
            // `null` for a list is an empty list.
            serde_json::Value::Null => visitor.visit_seq(Seq([].iter())),
            _ => self.deserialize_any(visitor),
        }
    }
    fn deserialize_tuple<V: Visitor<'v>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        self.deserialize_seq(visitor)
    }
    fn deserialize_tuple_struct<V: Visitor<'v>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        match self.0 {
            // `null` for an object is an empty one: fields with defaults take them, and a
            // required field is still reported missing.
            serde_json::Value::Null => visitor.visit_map(Map {
                iter: None,
                value: None,
            }),
            _ => self.deserialize_any(visitor),
        }
    }
    fn deserialize_struct<V: Visitor<'v>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'v>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        use serde::de::IntoDeserializer;
        match self.0 {
            serde_json::Value::String(s) => {
                visitor.visit_enum(IntoDeserializer::<JsonError>::into_deserializer(s.as_str()))
            }
            other => other.deserialize_enum(name, variants, visitor),
        }
    }

    fn deserialize_unit<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.deserialize_any(visitor)
    }
    fn deserialize_unit_struct<V: Visitor<'v>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        self.deserialize_any(visitor)
    }
    fn deserialize_newtype_struct<V: Visitor<'v>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, JsonError> {
        visitor.visit_newtype_struct(self)
    }
    fn deserialize_bytes<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.deserialize_any(visitor)
    }
    fn deserialize_byte_buf<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        self.deserialize_any(visitor)
    }
    fn deserialize_ignored_any<V: Visitor<'v>>(self, visitor: V) -> Result<V::Value, JsonError> {
        visitor.visit_unit()
    }
}

struct Seq<'v>(std::slice::Iter<'v, serde_json::Value>);

impl<'v> de::SeqAccess<'v> for Seq<'v> {
    type Error = JsonError;
    fn next_element_seed<T: de::DeserializeSeed<'v>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, JsonError> {
        self.0
            .next()
            .map(|v| seed.deserialize(Lenient(v)))
            .transpose()
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Map<'v> {
    /// `None` for `null` read as an empty object.
    iter: Option<serde_json::map::Iter<'v>>,
    value: Option<&'v serde_json::Value>,
}

impl<'v> de::MapAccess<'v> for Map<'v> {
    type Error = JsonError;
    fn next_key_seed<K: de::DeserializeSeed<'v>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, JsonError> {
        match self.iter.as_mut().and_then(Iterator::next) {
            Some((k, v)) => {
                self.value = Some(v);
                seed.deserialize(de::value::BorrowedStrDeserializer::new(k))
                    .map(Some)
            }
            None => Ok(None),
        }
    }
    fn next_value_seed<V: de::DeserializeSeed<'v>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, JsonError> {
        let v = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("a map value asked for before its key"))?;
        seed.deserialize(Lenient(v))
    }
}
