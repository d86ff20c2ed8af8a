//! Who a customer is: a phone number, a business-scoped user id, or both.
//!
//! Meta identifies WhatsApp users by business-scoped user ids (BSUIDs, `US.13491208655302741918`)
//! as well as by phone number; a user who adopted a username may arrive with no phone number
//! at all, and businesses that share users across a portfolio also get a parent id. Source:
//! Meta Cloud API webhooks `from_user_id`, `from_parent_user_id`, `recipient_user_id`,
//! `recipient_parent_user_id`, `contacts[].user_id`, and the send field `recipient`
//! (see `docs/providers/cloud.md`).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::phone::WaId;

/// A business-scoped user id (BSUID) as the provider sent it, e.g. `US.13491208655302741918`:
/// a two-letter country prefix, a dot and an opaque rest. Kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub String);

/// Why a string is not a business-scoped user id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{value:?} is not a business-scoped user id (two letters, a dot, then letters or digits, e.g. US.13491208655302741918)"
)]
pub struct UserIdError {
    /// The value refused.
    pub value: String,
}

impl UserId {
    /// Parses the documented shape: two ASCII letters, a dot, then one or more ASCII letters
    /// or digits. Used where a user id must be told from a phone number (a send recipient
    /// typed by a person); ids in webhooks are kept verbatim without this check.
    pub fn parse(input: &str) -> Result<Self, UserIdError> {
        let t = input.trim();
        let b = t.as_bytes();
        let ok = b.len() > 3
            && b[0].is_ascii_alphabetic()
            && b[1].is_ascii_alphabetic()
            && b[2] == b'.'
            && b[3..].iter().all(u8::is_ascii_alphanumeric);
        if ok {
            Ok(Self(t.to_owned()))
        } else {
            Err(UserIdError {
                value: input.to_owned(),
            })
        }
    }

    /// The id as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A form safe for logs: the country prefix and the last four characters.
    pub fn masked(&self) -> String {
        let n = self.0.chars().count();
        let keep_end: String = self.0.chars().skip(n.saturating_sub(4)).collect();
        let prefix: String = self.0.chars().take(3).collect();
        format!("{prefix}…{keep_end}")
    }
}

impl From<&str> for UserId {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

impl From<String> for UserId {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A customer as an event names them: by WhatsApp id (phone digits), by user id, or both,
/// with the parent user id when the provider gives one. At least one of `wa_id` and
/// `user_id` is set in what [`crate::Event::customer`] returns.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Customer {
    /// The WhatsApp id (phone digits), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wa_id: Option<WaId>,
    /// The business-scoped user id, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// The portfolio-level parent user id, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_user_id: Option<UserId>,
}

impl Customer {
    /// A customer from optional ids; `None` when neither a WhatsApp id nor a user id is given
    /// (empty strings count as absent).
    pub fn from_ids(
        wa_id: Option<&WaId>,
        user_id: Option<&UserId>,
        parent_user_id: Option<&UserId>,
    ) -> Option<Self> {
        let wa_id = wa_id.filter(|w| !w.as_str().is_empty()).cloned();
        let user_id = user_id.filter(|u| !u.as_str().is_empty()).cloned();
        if wa_id.is_none() && user_id.is_none() {
            return None;
        }
        Some(Self {
            wa_id,
            user_id,
            parent_user_id: parent_user_id.filter(|u| !u.as_str().is_empty()).cloned(),
        })
    }

    /// The keys this customer is known by, for per-customer state (the customer window,
    /// de-duplication): `wa:<digits>` and `user:<user id>`, whichever are known. A state
    /// written under every key is found by either id.
    pub fn keys(&self) -> Vec<String> {
        let mut keys = Vec::with_capacity(2);
        if let Some(w) = &self.wa_id {
            keys.push(wa_key(w.as_str()));
        }
        if let Some(u) = &self.user_id {
            keys.push(user_key(u));
        }
        keys
    }
}

/// The per-customer state key of a WhatsApp id or phone number (digits, no `+`).
pub fn wa_key(wa_id_or_phone: &str) -> String {
    format!("wa:{}", wa_id_or_phone.trim_start_matches('+'))
}

/// The per-customer state key of a user id.
pub fn user_key(user_id: &UserId) -> String {
    format!("user:{}", user_id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_id_shape() {
        assert!(UserId::parse("US.13491208655302741918").is_ok());
        assert!(UserId::parse("BR.8812004471932256").is_ok());
        for bad in [
            "+16315551002",
            "16315551002",
            "US.",
            "U.123",
            "US-123",
            "US.12 3",
        ] {
            assert!(UserId::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(UserId::from("US.13491208655302741918").masked(), "US.…1918");
    }

    #[test]
    fn a_recipient_is_a_user_id_or_a_phone_number() {
        use crate::Recipient;
        let user = Recipient::parse("US.13491208655302741918").unwrap();
        assert_eq!(
            user,
            Recipient::User(UserId::from("US.13491208655302741918"))
        );
        assert_eq!(
            serde_json::to_string(&user).unwrap(),
            "\"US.13491208655302741918\""
        );
        let back: Recipient = serde_json::from_str("\"US.13491208655302741918\"").unwrap();
        assert_eq!(back, user);
        assert!(matches!(
            Recipient::parse("+1 631 555 1002").unwrap(),
            Recipient::Individual(_)
        ));
        assert!(Recipient::parse("US.").is_err());
        assert_eq!(user.customer_key().unwrap(), "user:US.13491208655302741918");
    }

    #[test]
    fn a_customer_is_keyed_by_every_id_it_has() {
        let c = Customer::from_ids(
            Some(&WaId::from("16315551234")),
            Some(&UserId::from("US.1")),
            None,
        )
        .unwrap();
        assert_eq!(c.keys(), ["wa:16315551234", "user:US.1"]);
        assert!(Customer::from_ids(Some(&WaId::from("")), None, None).is_none());
    }
}
