//! Delivery and template statuses.

use crate::open_enum::open_enum;

open_enum! {
    /// Where an outbound message is in its life: one of the states every provider shares.
    ///
    /// The common states are `accepted → sent → delivered → read`, or `failed`, or
    /// `deleted`. A provider's own words are mapped onto them by that provider's webhook
    /// decoder (Mobile Gateway's DLR `received` is delivered, `rejected` and `expired` are
    /// failed; Cloud's `held_for_quality_assessment` is accepted), which keeps the word
    /// itself in [`crate::StatusUpdate::raw_status`]. A word no decoder knows is kept as
    /// `Other` (the unknown state), never guessed.
    pub enum DeliveryStatus {
        /// The provider took the message (the send response, Cloud `accepted`, EnableX
        /// `processing`, Mobile Gateway's 202 `accepted`, generic v2 `success`).
        Accepted = "accepted" | "processing" | "success",
        /// On WhatsApp's servers (one tick).
        Sent = "sent",
        /// On the device (two ticks).
        Delivered = "delivered",
        /// Read (blue ticks).
        Read = "read",
        /// Could not be delivered; the update's `errors` say why.
        Failed = "failed",
        /// The customer deleted the message.
        Deleted = "deleted",
    }
}

impl DeliveryStatus {
    /// The message can move no further: failed or deleted.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Failed | Self::Deleted)
    }

    /// The position on the happy path (`accepted` 0 … `read` 3); `None` for terminal and
    /// unknown states, which are not ordered against the others.
    pub fn progress(&self) -> Option<u8> {
        match self {
            Self::Accepted => Some(0),
            Self::Sent => Some(1),
            Self::Delivered => Some(2),
            Self::Read => Some(3),
            _ => None,
        }
    }
}

open_enum! {
    /// A template's review state, from template status webhooks (Meta sends them upper case).
    pub enum TemplateStatus {
        /// Approved: it can be sent.
        Approved = "approved",
        /// Rejected at review; the update's `reason` says why.
        Rejected = "rejected",
        /// Paused after quality complaints.
        Paused = "paused",
        /// Disabled after repeated complaints.
        Disabled = "disabled",
        /// Waiting for review.
        Pending = "pending",
        /// Flagged for low quality; may be disabled soon.
        Flagged = "flagged",
        /// Under appeal.
        InAppeal = "in_appeal",
        /// Re-enabled after a pause or flag.
        Reinstated = "reinstated",
        /// Deleted.
        Deleted = "deleted",
        /// Being deleted.
        PendingDeletion = "pending_deletion",
        /// Over the account's template limit.
        LimitExceeded = "limit_exceeded",
        /// Archived.
        Archived = "archived",
    }
}

open_enum! {
    /// The kind of a system message (a change to the customer's account, or a group event).
    pub enum SystemKind {
        /// Cloud: the customer moved to a new number; the message carries the new id.
        UserChangedNumber = "user_changed_number" | "customer_changed_number",
        /// On-prem: the customer's identity key changed (a reinstall or a new phone).
        UserIdentityChanged = "user_identity_changed" | "customer_identity_changed",
        /// On-prem: a group member changed number.
        GroupUserChangedNumber = "group_user_changed_number",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_common_states_are_variants() {
        // Provider words are mapped by the provider's decoder, not here.
        assert_eq!(
            DeliveryStatus::parse("received"),
            DeliveryStatus::Other("received".into())
        );
        assert_eq!(
            DeliveryStatus::parse("processing"),
            DeliveryStatus::Accepted
        );
        assert!(DeliveryStatus::Failed.is_terminal());
        assert!(!DeliveryStatus::Read.is_terminal());
    }

    #[test]
    fn unknown_values_are_kept_verbatim() {
        let s = DeliveryStatus::parse("sending");
        assert_eq!(s, DeliveryStatus::Other("sending".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"sending\"");
        assert_eq!(s.progress(), None);
    }

    #[test]
    fn template_status_ignores_case() {
        assert_eq!(TemplateStatus::parse("APPROVED"), TemplateStatus::Approved);
        assert_eq!(TemplateStatus::parse("IN_APPEAL"), TemplateStatus::InAppeal);
        let t: TemplateStatus = serde_json::from_str("\"SECOND_PAUSE\"").unwrap();
        assert_eq!(t, TemplateStatus::Other("SECOND_PAUSE".into()));
    }

    #[test]
    fn progress_orders_the_happy_path() {
        let order = ["accepted", "sent", "delivered", "read"].map(DeliveryStatus::parse);
        let ranks: Vec<_> = order.iter().map(|s| s.progress().unwrap()).collect();
        assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{ranks:?}");
    }
}
