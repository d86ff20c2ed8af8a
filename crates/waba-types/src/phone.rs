//! E.164 phone numbers and WhatsApp ids.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The fewest digits (country code included) an E.164 number has here.
///
/// E.164 itself allows shorter numbers in a few small numbering plans, but WhatsApp ids in
/// practice carry at least 8 digits; the foundation issue fixes the range at 8 to 15.
pub const MIN_DIGITS: usize = 8;
/// The most digits an E.164 number may have (ITU-T E.164 §6.1).
pub const MAX_DIGITS: usize = 15;

/// A phone number in E.164 form: `+` followed by 8 to 15 digits, the first of which is not `0`.
///
/// Parsing accepts what people type (`+1 (631) 555-1002`, `+64 21 123 4567`, `00 44 20 …`)
/// and keeps only the digits. It rejects, with a [`PhoneError`] that says why, anything that
/// cannot be E.164: no country code, letters, too few or too many digits.
///
/// ```
/// use waba_types::PhoneNumber;
/// let n: PhoneNumber = "+1 (631) 555-1002".parse()?;
/// assert_eq!(n.as_str(), "+16315551002");
/// assert_eq!(n.digits(), "16315551002");
/// # Ok::<(), waba_types::PhoneError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

/// Why a string is not an E.164 phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PhoneError {
    /// Nothing but white space and punctuation was given.
    #[error("phone number is empty")]
    Empty,
    /// The number does not start with `+` or `00`, so its country is unknown.
    #[error("phone number {input:?} has no country code: start it with + (e.g. +16315551002)")]
    MissingCountryCode {
        /// What was given.
        input: String,
    },
    /// A character that is neither a digit nor common phone punctuation.
    #[error(
        "phone number {input:?} has {found:?} at character {position}: only digits, spaces, and + ( ) - . / are allowed"
    )]
    InvalidCharacter {
        /// What was given.
        input: String,
        /// The offending character.
        found: char,
        /// Its position (0-based, in characters).
        position: usize,
    },
    /// Country codes never start with `0`.
    #[error("phone number {input:?} has a country code starting with 0")]
    LeadingZero {
        /// What was given.
        input: String,
    },
    /// Fewer than [`MIN_DIGITS`] digits.
    #[error("phone number {input:?} has {digits} digits, the minimum is {MIN_DIGITS}")]
    TooShort {
        /// What was given.
        input: String,
        /// How many digits it has.
        digits: usize,
    },
    /// More than [`MAX_DIGITS`] digits.
    #[error("phone number {input:?} has {digits} digits, the maximum is {MAX_DIGITS}")]
    TooLong {
        /// What was given.
        input: String,
        /// How many digits it has.
        digits: usize,
    },
    /// No country has the calling code the number starts with (`+999…`). Checked against
    /// libphonenumber's metadata (the `phonenumber` crate), which lists every assigned code.
    #[error("phone number {input:?} starts with no country calling code in use (+{leading})")]
    UnknownCountryCode {
        /// What was given.
        input: String,
        /// Its first three digits, which no calling code prefixes.
        leading: String,
    },
    /// The region-aware parser rejected the number.
    #[error("phone number {input:?} is not a valid number for region {region}: {reason}")]
    Region {
        /// What was given.
        input: String,
        /// The region it was parsed for.
        region: String,
        /// The parser's reason.
        reason: String,
    },
}

impl PhoneNumber {
    /// Parses human input that carries a country code (`+` or an `00` international prefix).
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let trimmed = input.trim();
        let (rest, had_prefix) = if let Some(rest) = trimmed.strip_prefix('+') {
            (rest, true)
        } else if let Some(rest) = trimmed.strip_prefix("00") {
            (rest, true)
        } else {
            (trimmed, false)
        };
        let offset = input.len() - input.trim_start().len() + (trimmed.len() - rest.len());
        let digits = collect_digits(input, rest, offset)?;
        if digits.is_empty() {
            return Err(PhoneError::Empty);
        }
        if !had_prefix {
            return Err(PhoneError::MissingCountryCode {
                input: input.to_owned(),
            });
        }
        Self::from_digit_string(input, &digits)
    }

    /// Builds a number from a WhatsApp id: the bare digits providers put in `wa_id`, `from`
    /// and `recipient_id` (`16315551234`), with or without a leading `+`.
    pub fn from_wa_id(wa_id: &str) -> Result<Self, PhoneError> {
        let rest = wa_id.strip_prefix('+').unwrap_or(wa_id);
        let digits = collect_digits(wa_id, rest, wa_id.len() - rest.len())?;
        if digits.is_empty() {
            return Err(PhoneError::Empty);
        }
        Self::from_digit_string(wa_id, &digits)
    }

    /// Parses a national or international number for a region (ISO 3166 alpha-2, e.g. `"NZ"`)
    /// with libphonenumber's rules, so `021 123 4567` in `NZ` becomes `+64211234567`.
    #[cfg(feature = "phonenumber")]
    pub fn parse_in_region(input: &str, region: &str) -> Result<Self, PhoneError> {
        let region_err = |reason: String| PhoneError::Region {
            input: input.to_owned(),
            region: region.to_owned(),
            reason,
        };
        let id: phonenumber::country::Id = region
            .to_ascii_uppercase()
            .parse()
            .map_err(|_| region_err("unknown region code".to_owned()))?;
        let parsed = phonenumber::parse(Some(id), input).map_err(|e| region_err(e.to_string()))?;
        if !phonenumber::is_valid(&parsed) {
            return Err(region_err("not a valid number in that region".to_owned()));
        }
        Self::parse(&parsed.format().mode(phonenumber::Mode::E164).to_string())
    }

    fn from_digit_string(input: &str, digits: &str) -> Result<Self, PhoneError> {
        let count = digits.len();
        if digits.starts_with('0') {
            return Err(PhoneError::LeadingZero {
                input: input.to_owned(),
            });
        }
        if count < MIN_DIGITS {
            return Err(PhoneError::TooShort {
                input: input.to_owned(),
                digits: count,
            });
        }
        if count > MAX_DIGITS {
            return Err(PhoneError::TooLong {
                input: input.to_owned(),
                digits: count,
            });
        }
        if country_code(digits).is_none() {
            return Err(PhoneError::UnknownCountryCode {
                input: input.to_owned(),
                leading: digits.chars().take(3).collect(),
            });
        }
        let mut e164 = String::with_capacity(count + 1);
        e164.push('+');
        e164.push_str(digits);
        Ok(Self(e164))
    }

    /// The E.164 form, with the leading `+`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digits alone, as WhatsApp ids carry them.
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }

    /// A form safe for logs: the country code and the last two digits, the rest masked.
    ///
    /// ```
    /// # use waba_types::PhoneNumber;
    /// let n = PhoneNumber::parse("+16315551002").unwrap();
    /// assert_eq!(n.masked(), "+16*******02");
    /// ```
    pub fn masked(&self) -> String {
        mask_digits(&self.0)
    }
}

/// Masks all but the first three and the last two characters of an identifier that may be a
/// phone number, for logs and traces.
pub fn mask_digits(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= 5 {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < 3 || i >= chars.len() - 2 {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// The country calling code `digits` start with, if one is assigned. Calling codes are one
/// to three digits and prefix-free (ITU-T E.164), so at most one prefix matches.
fn country_code(digits: &str) -> Option<u16> {
    (1..=3)
        .filter_map(|n| digits.get(..n)?.parse::<u16>().ok())
        .find(|code| phonenumber::metadata::DATABASE.by_code(code).is_some())
}

fn collect_digits(input: &str, rest: &str, offset: usize) -> Result<String, PhoneError> {
    let mut digits = String::with_capacity(rest.len());
    let base = input[..offset].chars().count();
    for (i, c) in rest.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '\t' | '(' | ')' | '-' | '.' | '/' | '\u{a0}' => {}
            other => {
                return Err(PhoneError::InvalidCharacter {
                    input: input.to_owned(),
                    found: other,
                    position: base + i,
                });
            }
        }
    }
    Ok(digits)
}

impl FromStr for PhoneNumber {
    type Err = PhoneError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Debug output ends up in logs; a phone number is personal data.
        write!(f, "PhoneNumber({})", self.masked())
    }
}

impl AsRef<str> for PhoneNumber {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for PhoneNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A WhatsApp user id as a provider sent it: usually the digits of a phone number, but kept
/// verbatim so that no inbound id is ever lost to a stricter parser.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WaId(pub String);

impl WaId {
    /// The id as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as an E.164 number, when it is one.
    pub fn phone(&self) -> Option<PhoneNumber> {
        PhoneNumber::from_wa_id(&self.0).ok()
    }
}

impl From<&str> for WaId {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl From<String> for WaId {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&PhoneNumber> for WaId {
    fn from(n: &PhoneNumber) -> Self {
        Self(n.digits().to_owned())
    }
}

impl fmt::Display for WaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_human_input() {
        for (input, want) in [
            ("+1 (631) 555-1002", "+16315551002"),
            ("+64 21 123 4567", "+64211234567"),
            ("  +44 20 7946 0958 ", "+442079460958"),
            ("0044 20 7946 0958", "+442079460958"),
            ("+49.30.1234567", "+49301234567"),
        ] {
            assert_eq!(PhoneNumber::parse(input).unwrap().as_str(), want, "{input}");
        }
    }

    #[test]
    fn rejects_missing_country_code() {
        let err = PhoneNumber::parse("631-555-1005").unwrap_err();
        assert!(matches!(err, PhoneError::MissingCountryCode { .. }));
        assert!(err.to_string().contains("no country code"), "{err}");
    }

    #[test]
    fn rejects_country_codes_no_country_has() {
        for input in [
            "+999 123 4567",
            "+9991234567",
            "+80 1234 5678",
            "00999 123 4567",
        ] {
            let err = PhoneNumber::parse(input).unwrap_err();
            assert!(
                matches!(err, PhoneError::UnknownCountryCode { .. }),
                "{input}: {err:?}"
            );
            assert!(err.to_string().contains("no country calling code"), "{err}");
        }
        assert!(matches!(
            PhoneNumber::from_wa_id("9991234567"),
            Err(PhoneError::UnknownCountryCode { .. })
        ));
        // One-, two- and three-digit codes, and non-geographic ones, are accepted.
        for input in [
            "+1 631 555 1002",
            "+44 20 7946 0958",
            "+353 1 234 5678",
            "+800 1234 5678",
            "+7 495 123 4567",
        ] {
            assert!(PhoneNumber::parse(input).is_ok(), "{input}");
        }
    }

    #[test]
    fn rejects_letters_and_says_where() {
        let err = PhoneNumber::parse("+1 631 CALL NOW").unwrap_err();
        assert_eq!(
            err,
            PhoneError::InvalidCharacter {
                input: "+1 631 CALL NOW".into(),
                found: 'C',
                position: 7
            }
        );
    }

    #[test]
    fn rejects_too_short_and_too_long() {
        assert!(matches!(
            PhoneNumber::parse("+1234567"),
            Err(PhoneError::TooShort { digits: 7, .. })
        ));
        assert!(PhoneNumber::parse("+12345678").is_ok());
        assert!(PhoneNumber::parse("+123456789012345").is_ok());
        let err = PhoneNumber::parse("+1234567890123456").unwrap_err();
        assert!(matches!(err, PhoneError::TooLong { digits: 16, .. }));
        assert!(err.to_string().contains("the maximum is 15"), "{err}");
    }

    #[test]
    fn rejects_leading_zero_and_empty() {
        assert!(matches!(
            PhoneNumber::parse("+0123456789"),
            Err(PhoneError::LeadingZero { .. })
        ));
        assert_eq!(PhoneNumber::parse(" + ( ) "), Err(PhoneError::Empty));
        assert_eq!(PhoneNumber::parse(""), Err(PhoneError::Empty));
    }

    #[test]
    fn wa_ids_need_no_plus() {
        assert_eq!(
            PhoneNumber::from_wa_id("16315551234").unwrap().as_str(),
            "+16315551234"
        );
        assert_eq!(
            WaId::from("16315551234").phone().unwrap().digits(),
            "16315551234"
        );
        assert_eq!(WaId::from("US.1349120865530274").phone(), None);
    }

    #[test]
    fn debug_masks_the_number() {
        let n = PhoneNumber::parse("+16315551002").unwrap();
        let dbg = format!("{n:?}");
        assert!(!dbg.contains("6315551002"), "{dbg}");
        assert_eq!(mask_digits("abc"), "***");
    }

    #[test]
    fn serde_uses_the_e164_string() {
        let n: PhoneNumber = serde_json::from_str("\"+1 (631) 555-1002\"").unwrap();
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"+16315551002\"");
        let err = serde_json::from_str::<PhoneNumber>("\"6315551002\"").unwrap_err();
        assert!(err.to_string().contains("no country code"), "{err}");
    }

    #[cfg(feature = "phonenumber")]
    #[test]
    fn region_aware_parsing() {
        assert_eq!(
            PhoneNumber::parse_in_region("021 123 4567", "NZ")
                .unwrap()
                .as_str(),
            "+64211234567"
        );
        assert_eq!(
            PhoneNumber::parse_in_region("(631) 555-1002", "us")
                .unwrap()
                .as_str(),
            "+16315551002"
        );
        assert!(matches!(
            PhoneNumber::parse_in_region("12", "US"),
            Err(PhoneError::Region { .. })
        ));
        assert!(matches!(
            PhoneNumber::parse_in_region("021 123 4567", "XX"),
            Err(PhoneError::Region { .. })
        ));
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn parse_never_panics(s in any::<String>()) {
                let _ = PhoneNumber::parse(&s);
                let _ = PhoneNumber::from_wa_id(&s);
            }

            #[test]
            fn accepted_numbers_reparse_to_themselves(s in "[+0-9 ()./-]{0,24}") {
                if let Ok(n) = PhoneNumber::parse(&s) {
                    prop_assert_eq!(PhoneNumber::parse(n.as_str()).unwrap(), n.clone());
                    prop_assert_eq!(PhoneNumber::from_wa_id(n.digits()).unwrap(), n);
                }
            }

            #[test]
            fn valid_digit_strings_are_accepted(d in "(1|7|44|64|91|353|880)[0-9]{7,11}") {
                let n = PhoneNumber::parse(&format!("+{d}")).unwrap();
                prop_assert_eq!(n.digits(), d.as_str());
            }

            #[test]
            fn unassigned_country_codes_are_refused(rest in "[0-9]{7,11}") {
                // 999, 990 and 28x are no country's calling code (ITU-T E.164 spare codes).
                for code in ["999", "990", "28"] {
                    let is_unknown = matches!(
                        PhoneNumber::parse(&format!("+{code}{rest}")),
                        Err(PhoneError::UnknownCountryCode { .. })
                    );
                    prop_assert!(is_unknown);
                }
            }
        }
    }
}
