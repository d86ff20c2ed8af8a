//! The 24-hour customer-service window: who may get free-form messages now.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use waba_types::{Event, PhoneNumber, WaId};

/// How long a customer's message keeps the window open (every provider's rule).
pub const WINDOW: Duration = Duration::from_secs(24 * 3600);

/// Tracks, per customer, when their last message arrived, so that free-form messages to a
/// customer who has not written in 24 hours fail locally instead of at the provider (Cloud
/// 131047, on-prem and Tujenge 470). Feed it every inbound [`Event`] with
/// [`observe`](Self::observe); hand it to [`crate::ClientBuilder::customer_window`].
///
/// One tracker serves one business number (one `Client`): customers are keyed by their
/// WhatsApp id alone. In memory; the timestamps come from the events, so a late webhook
/// opens the window from when the customer wrote, not from when the webhook arrived.
#[derive(Debug, Default)]
pub struct CustomerWindow {
    last_inbound: Mutex<HashMap<String, u64>>,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl CustomerWindow {
    /// An empty tracker: every window closed.
    pub fn new() -> Self {
        Self::default()
    }

    /// Opens the window for the sender of an inbound message event; other events are ignored.
    pub fn observe(&self, event: &Event) {
        if let Event::Message(m) = event {
            let at = if m.timestamp == 0 {
                now_secs()
            } else {
                m.timestamp
            };
            self.customer_wrote(&m.from, at);
        }
    }

    /// Records that `customer` wrote at `unix_secs`.
    pub fn customer_wrote(&self, customer: &WaId, unix_secs: u64) {
        let key = customer.as_str().trim_start_matches('+').to_owned();
        let mut map = self
            .last_inbound
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let entry = map.entry(key).or_insert(unix_secs);
        *entry = (*entry).max(unix_secs);
    }

    /// Closes the window (the provider said it is closed).
    pub fn close(&self, customer: &PhoneNumber) {
        self.last_inbound
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(customer.digits());
    }

    /// Whether free-form messages to `customer` are allowed now.
    pub fn is_open(&self, customer: &PhoneNumber) -> bool {
        self.is_open_at(customer, now_secs())
    }

    /// Whether free-form messages to `customer` are allowed at `unix_secs`.
    pub fn is_open_at(&self, customer: &PhoneNumber, unix_secs: u64) -> bool {
        let map = self
            .last_inbound
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        map.get(customer.digits())
            .is_some_and(|at| unix_secs < at.saturating_add(WINDOW.as_secs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_for_24_hours_after_the_customer_writes() {
        let w = CustomerWindow::new();
        let c: PhoneNumber = "+16315551002".parse().unwrap();
        assert!(!w.is_open_at(&c, 1_000));
        w.customer_wrote(&WaId::from("16315551002"), 1_000);
        assert!(w.is_open_at(&c, 1_000 + 24 * 3600 - 1));
        assert!(!w.is_open_at(&c, 1_000 + 24 * 3600));
        // An older, late webhook does not move the window back.
        w.customer_wrote(&WaId::from("16315551002"), 500);
        assert!(w.is_open_at(&c, 1_000 + 24 * 3600 - 1));
        w.close(&c);
        assert!(!w.is_open_at(&c, 1_001));
    }
}
