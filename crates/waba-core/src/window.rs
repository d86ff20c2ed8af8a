//! The 24-hour customer-service window: who may get free-form messages now.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use waba_types::{Customer, Event, PhoneNumber, Recipient, WaId, wa_key};

use crate::error::Error;

/// How long a customer's message keeps the window open (every provider's rule).
pub const WINDOW: Duration = Duration::from_secs(24 * 3600);

/// Where the 24-hour windows of one business number live: in this process
/// ([`CustomerWindow`]) or shared by several (the `waba-redis` crate's keys with a 24-hour
/// expiry), so that a window opened by a message one replica received lets a free-form send
/// through on another.
///
/// Customers are keyed by the strings [`Customer::keys`] and [`Recipient::customer_key`]
/// give (`wa:<digits>`, `user:<user id>`): a customer who wrote with both ids is found by
/// either, and one known only by a business-scoped user id is tracked too. [`window_key`]
/// turns a bare phone number or WhatsApp id into its key. A store that cannot answer
/// returns a retryable [`Error`] (kind `Transport(Connect)`): nothing was sent.
#[async_trait]
pub trait WindowStore: std::fmt::Debug + Send + Sync + 'static {
    /// Records that `customer` (a key) wrote at `unix_secs`; an older time never moves a
    /// window back.
    async fn customer_wrote(&self, customer: &str, unix_secs: u64) -> Result<(), Error>;
    /// When `customer` (a key) last wrote, if their window may still be open.
    async fn last_wrote(&self, customer: &str) -> Result<Option<u64>, Error>;
    /// Closes `customer`'s window (the provider said it is closed).
    async fn close(&self, customer: &str) -> Result<(), Error>;

    /// Whether free-form messages to `customer` (a key) are allowed at `unix_secs`.
    async fn is_open_at(&self, customer: &str, unix_secs: u64) -> Result<bool, Error> {
        Ok(self
            .last_wrote(customer)
            .await?
            .is_some_and(|at| unix_secs < at.saturating_add(WINDOW.as_secs())))
    }

    /// Opens the window for the sender of an inbound message event, under every id it
    /// carries; other events are ignored. The event's own timestamp counts (now when it has
    /// none).
    async fn record(&self, event: &Event) -> Result<(), Error> {
        if let Some((customer, at)) = message_opening(event) {
            for key in customer.keys() {
                self.customer_wrote(&key, at).await?;
            }
        }
        Ok(())
    }
}

/// The store key of a customer given as a key already (`wa:…`, `user:…`), or as a phone
/// number or WhatsApp id (`+16315551002`, `16315551002` → `wa:16315551002`).
pub fn window_key(customer: &str) -> String {
    if customer.starts_with("wa:") || customer.starts_with("user:") {
        customer.to_owned()
    } else {
        wa_key(customer)
    }
}

/// The customer and time an inbound message opens a window for.
fn message_opening(event: &Event) -> Option<(Customer, u64)> {
    let Event::Message(m) = event else {
        return None;
    };
    let customer = m.customer()?;
    let at = if m.timestamp == 0 {
        now_secs()
    } else {
        m.timestamp
    };
    Some((customer, at))
}

/// The current time, Unix seconds.
pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Tracks, per customer, when their last message arrived, so that free-form messages to a
/// customer who has not written in 24 hours fail locally instead of at the provider (Cloud
/// 131047, on-prem and Tujenge 470). Feed it every inbound [`Event`] with
/// [`observe`](Self::observe); hand it to [`crate::ClientBuilder::customer_window`].
///
/// One tracker serves one business number (one `Client`). A customer is keyed by every id
/// an event carries for them ([`Customer::keys`]: WhatsApp id, business-scoped user id), so
/// a customer known only by a user id is tracked, and one who wrote with both ids is found
/// by either. In memory; the timestamps come from the events, so a late webhook opens the
/// window from when the customer wrote, not from when the webhook arrived. Several
/// replicas share windows through a [`WindowStore`] on a shared engine instead.
#[derive(Debug, Default)]
pub struct CustomerWindow {
    inner: Mutex<Tracked>,
}

/// Customers by when they last wrote, and the size at which expired entries are swept.
#[derive(Debug, Default)]
struct Tracked {
    last_inbound: HashMap<String, u64>,
    sweep_at: usize,
}

/// The smallest map that is swept: below it, expired entries cost less than sweeping.
const MIN_SWEEP: usize = 1024;

impl CustomerWindow {
    /// An empty tracker: every window closed.
    pub fn new() -> Self {
        Self::default()
    }

    /// Opens the window for the sender of an inbound message event, by whichever ids it
    /// carries; other events are ignored.
    pub fn observe(&self, event: &Event) {
        if let Some((customer, at)) = message_opening(event) {
            self.wrote(&customer, at);
        }
    }

    /// Records that the customer with WhatsApp id `customer` wrote at `unix_secs`.
    pub fn customer_wrote(&self, customer: &WaId, unix_secs: u64) {
        self.record_key(wa_key(customer.as_str()), unix_secs);
    }

    /// Records that `customer` wrote at `unix_secs`, under every id it has.
    pub fn wrote(&self, customer: &Customer, unix_secs: u64) {
        for key in customer.keys() {
            self.record_key(key, unix_secs);
        }
    }

    fn record_key(&self, key: String, unix_secs: u64) {
        let mut t = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = t.last_inbound.entry(key).or_insert(unix_secs);
        *entry = (*entry).max(unix_secs);
        // A long-running bot meets millions of customers; forget closed windows, at most
        // once per doubling of the map so that the sweep costs O(1) per message amortised.
        if t.last_inbound.len() >= t.sweep_at.max(MIN_SWEEP) {
            t.last_inbound
                .retain(|_, at| unix_secs < at.saturating_add(WINDOW.as_secs()));
            t.sweep_at = t.last_inbound.len() * 2;
        }
    }

    fn last_at(&self, key: &str) -> Option<u64> {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .last_inbound
            .get(key)
            .copied()
    }

    fn remove(&self, key: &str) {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .last_inbound
            .remove(key);
    }

    /// How many customers have an open window, or had one that has not been swept yet.
    pub fn tracked(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .last_inbound
            .len()
    }

    /// Closes the window (the provider said it is closed).
    pub fn close(&self, customer: &PhoneNumber) {
        self.close_recipient(&Recipient::Individual(customer.clone()));
    }

    /// Closes the window of a send recipient (phone number or user id); groups have none.
    pub fn close_recipient(&self, to: &Recipient) {
        if let Some(key) = to.customer_key() {
            self.remove(&key);
        }
    }

    /// Whether free-form messages to `customer` are allowed now.
    pub fn is_open(&self, customer: &PhoneNumber) -> bool {
        self.is_open_at(customer, now_secs())
    }

    /// Whether free-form messages to `customer` are allowed at `unix_secs`.
    pub fn is_open_at(&self, customer: &PhoneNumber, unix_secs: u64) -> bool {
        self.is_open_for_at(&Recipient::Individual(customer.clone()), unix_secs)
    }

    /// Whether free-form messages to a send recipient (phone number or user id) are allowed
    /// now; a group has no window and is never open here.
    pub fn is_open_for(&self, to: &Recipient) -> bool {
        self.is_open_for_at(to, now_secs())
    }

    /// Whether free-form messages to a send recipient are allowed at `unix_secs`.
    pub fn is_open_for_at(&self, to: &Recipient, unix_secs: u64) -> bool {
        to.customer_key()
            .and_then(|key| self.last_at(&key))
            .is_some_and(|at| unix_secs < at.saturating_add(WINDOW.as_secs()))
    }
}

#[async_trait]
impl WindowStore for CustomerWindow {
    async fn customer_wrote(&self, customer: &str, unix_secs: u64) -> Result<(), Error> {
        self.record_key(window_key(customer), unix_secs);
        Ok(())
    }

    async fn last_wrote(&self, customer: &str) -> Result<Option<u64>, Error> {
        Ok(self.last_at(&window_key(customer)))
    }

    async fn close(&self, customer: &str) -> Result<(), Error> {
        self.remove(&window_key(customer));
        Ok(())
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

    #[tokio::test]
    async fn the_store_trait_sees_what_the_tracker_sees() {
        let w = CustomerWindow::new();
        let store: &dyn WindowStore = &w;
        assert!(!store.is_open_at("16315551003", 2_000).await.unwrap());
        store.customer_wrote("+16315551003", 2_000).await.unwrap();
        let c: PhoneNumber = "+16315551003".parse().unwrap();
        assert!(w.is_open_at(&c, 2_001));
        assert!(store.is_open_at("wa:16315551003", 2_001).await.unwrap());
        assert_eq!(store.last_wrote("16315551003").await.unwrap(), Some(2_000));
        store.close("16315551003").await.unwrap();
        assert!(!w.is_open_at(&c, 2_001));
    }

    #[test]
    fn closed_windows_are_forgotten_as_the_map_grows() {
        let w = CustomerWindow::new();
        for i in 0..MIN_SWEEP as u64 {
            w.customer_wrote(&WaId::from(format!("1631555{i:04}")), 1_000);
        }
        // The sweep ran at the 1,024th customer; none of them had expired yet.
        assert_eq!(w.tracked(), MIN_SWEEP);
        let day_later = 1_000 + WINDOW.as_secs();
        for i in 0..MIN_SWEEP as u64 {
            w.customer_wrote(&WaId::from(format!("1632555{i:04}")), day_later);
        }
        // The sweep at 2,048 dropped the first day's customers and kept the second's.
        assert_eq!(w.tracked(), MIN_SWEEP);
        let first: PhoneNumber = "+16315550000".parse().unwrap();
        let second: PhoneNumber = "+16325550000".parse().unwrap();
        assert!(!w.is_open_at(&first, day_later));
        assert!(w.is_open_at(&second, day_later));
    }

    #[test]
    fn a_customer_known_by_user_id_is_tracked_by_either_id() {
        use waba_types::UserId;
        let w = CustomerWindow::new();
        let user = Recipient::User(UserId::from("US.13491208655302741918"));
        let phone: PhoneNumber = "+16315551002".parse().unwrap();
        // Username-only customer: no phone number at all.
        let only_user = Customer {
            wa_id: None,
            user_id: Some(UserId::from("US.13491208655302741918")),
            parent_user_id: None,
        };
        w.wrote(&only_user, 1_000);
        assert!(w.is_open_for_at(&user, 1_001));
        assert!(!w.is_open_at(&phone, 1_001));
        // Both ids in one event: either opens it.
        let both = Customer {
            wa_id: Some(WaId::from("16315551002")),
            ..only_user
        };
        w.wrote(&both, 2_000);
        assert!(w.is_open_at(&phone, 2_001));
        w.close_recipient(&user);
        assert!(!w.is_open_for_at(&user, 2_001));
        assert!(!w.is_open_for_at(&Recipient::Group("g".into()), 2_001));
    }
}
