//! Status ordering: out-of-order callbacks must not move a message backwards.

use std::collections::HashMap;

use waba_types::{DeliveryStatus, MessageId};

/// Whether a message in state `current` moves on to `next`.
///
/// - Along the happy path only forward: `accepted < sent < delivered < read` (decoders have
///   already mapped provider words onto these: Mobile Gateway's `received` is delivered).
/// - A failure (or deletion) ends the path from any state before it and nothing moves a
///   message out of it; a failure never overrides `read`.
/// - A state nobody knows yet is not ordered: it is reported, and never replaces a known one.
pub fn advances(current: &DeliveryStatus, next: &DeliveryStatus) -> bool {
    if current.is_terminal() {
        return false;
    }
    if next.is_terminal() {
        return *current != DeliveryStatus::Read || *next == DeliveryStatus::Deleted;
    }
    match (current.progress(), next.progress()) {
        (Some(c), Some(n)) => n > c,
        (None, Some(_)) => true,
        (_, None) => false,
    }
}

/// Tracks the furthest state of each message and tells whether an update is news.
#[derive(Debug, Default)]
pub struct StatusTracker {
    latest: HashMap<MessageId, DeliveryStatus>,
}

impl StatusTracker {
    /// An empty tracker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `status` for `id` if it advances the message; returns whether it did.
    pub fn update(&mut self, id: &MessageId, status: &DeliveryStatus) -> bool {
        match self.latest.get_mut(id) {
            Some(current) if advances(current, status) => {
                *current = status.clone();
                true
            }
            Some(_) => false,
            None => {
                if status.progress().is_some() || status.is_terminal() {
                    self.latest.insert(id.clone(), status.clone());
                }
                true
            }
        }
    }

    /// The furthest state seen for `id`.
    pub fn get(&self, id: &MessageId) -> Option<&DeliveryStatus> {
        self.latest.get(id)
    }

    /// Forgets `id` (once the application is done with the message).
    pub fn forget(&mut self, id: &MessageId) {
        self.latest.remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DeliveryStatus as S;

    #[test]
    fn forward_only_on_the_happy_path() {
        assert!(advances(&S::Sent, &S::Delivered));
        assert!(advances(&S::Sent, &S::Read));
        assert!(advances(&S::Accepted, &S::Sent));
        assert!(!advances(&S::Read, &S::Delivered));
        assert!(!advances(&S::Delivered, &S::Sent));
        assert!(!advances(&S::Delivered, &S::Delivered));
        assert!(
            !advances(&S::Sent, &S::parse("received")),
            "a word no decoder mapped is not ordered"
        );
    }

    #[test]
    fn failure_is_terminal() {
        assert!(advances(&S::Sent, &S::Failed));
        assert!(advances(&S::Delivered, &S::Failed));
        assert!(!advances(&S::Failed, &S::Read));
        assert!(!advances(&S::Deleted, &S::Delivered));
        assert!(
            !advances(&S::Read, &S::Failed),
            "a read message did not fail"
        );
        assert!(advances(&S::Read, &S::Deleted));
    }

    #[test]
    fn unknown_states_never_replace_known_ones() {
        assert!(!advances(&S::Delivered, &S::parse("sending")));
        assert!(advances(&S::parse("sending"), &S::Sent));
    }

    #[test]
    fn tracker_drops_late_updates() {
        let mut t = StatusTracker::new();
        let id = MessageId::from("wamid.1");
        assert!(t.update(&id, &S::Read));
        assert!(
            !t.update(&id, &S::Delivered),
            "delivered arrived after read"
        );
        assert!(!t.update(&id, &S::Sent));
        assert_eq!(t.get(&id), Some(&S::Read));
        let other = MessageId::from("wamid.2");
        assert!(t.update(&other, &S::Sent));
        assert!(t.update(&other, &S::Failed));
        assert!(!t.update(&other, &S::Delivered));
    }
}
