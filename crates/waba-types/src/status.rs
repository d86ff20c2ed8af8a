//! Delivery and template statuses.

use crate::open_enum::open_enum;

open_enum! {
    /// Where an outbound message is in its life, as providers report it.
    ///
    /// The common states are `accepted → sent → delivered → read`, or `failed`. Some providers
    /// report states of their own; they are kept as their own variants (never silently
    /// renamed) and [`DeliveryStatus::normalized`] maps them onto the common ones.
    pub enum DeliveryStatus {
        /// The provider took the message (the send response, Cloud `accepted`, EnableX
        /// `processing`, Mobile Gateway's 202 `accepted`, generic v2 `success`).
        Accepted = "accepted" | "processing" | "success",
        /// Meta is holding the message for a quality check (Cloud `held_for_quality_assessment`).
        HeldForQualityAssessment = "held_for_quality_assessment",
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
        /// Mobile Gateway DLR `received`: the carrier reports it received; normalises to delivered.
        Received = "received",
        /// Mobile Gateway DLR `rejected`: the carrier refused it; normalises to failed.
        Rejected = "rejected",
        /// Mobile Gateway DLR `expired`: not deliverable in time; normalises to failed.
        Expired = "expired",
    }
}

impl DeliveryStatus {
    /// Maps provider-specific states onto the common ones: received → delivered, rejected
    /// and expired → failed. The common states map to themselves.
    #[must_use]
    pub fn normalized(&self) -> Self {
        match self {
            Self::Received => Self::Delivered,
            Self::Rejected | Self::Expired => Self::Failed,
            other => other.clone(),
        }
    }

    /// The message can move no further: failed (in any provider's words) or deleted.
    pub fn is_terminal(&self) -> bool {
        matches!(self.normalized(), Self::Failed | Self::Deleted)
    }

    /// The position on the happy path (`accepted` 0 … `read` 4); `None` for terminal and
    /// unknown states, which are not ordered against the others.
    pub fn progress(&self) -> Option<u8> {
        match self.normalized() {
            Self::Accepted => Some(0),
            Self::HeldForQualityAssessment => Some(1),
            Self::Sent => Some(2),
            Self::Delivered => Some(3),
            Self::Read => Some(4),
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
    fn provider_specific_statuses_normalise() {
        assert_eq!(
            DeliveryStatus::parse("received").normalized(),
            DeliveryStatus::Delivered
        );
        assert_eq!(
            DeliveryStatus::parse("rejected").normalized(),
            DeliveryStatus::Failed
        );
        assert_eq!(
            DeliveryStatus::parse("expired").normalized(),
            DeliveryStatus::Failed
        );
        assert_eq!(
            DeliveryStatus::parse("processing"),
            DeliveryStatus::Accepted
        );
        assert!(DeliveryStatus::Expired.is_terminal());
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
