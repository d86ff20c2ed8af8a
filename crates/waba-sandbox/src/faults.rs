//! Fault injection: what the sandbox does wrong on purpose.

use serde::{Deserialize, Serialize};

/// Faults to inject. Rates are probabilities from 0 to 1, drawn per request (or per webhook)
/// from a seeded generator, so a run can be repeated.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Answer this share of API requests with `error_status`.
    pub error_rate: f64,
    /// The status of injected errors: 500 (default), any 5xx, or 200 with
    /// [`FaultBody::Garbage`].
    pub error_status: u16,
    /// Answer the next this many API requests with `error_status`, then behave.
    pub fail_next: u32,
    /// Answer this share of API requests with 429 and `Retry-After`.
    pub throttle_rate: f64,
    /// Answer the next this many API requests with 429 and `Retry-After`.
    pub throttle_next: u32,
    /// The `Retry-After` of injected 429s, seconds.
    pub retry_after_secs: u64,
    /// Delay every API request this long, milliseconds. With `after_handling`, the answer
    /// comes this late after the request was acted on: longer than the client's timeout, the
    /// client times out on a message that was stored.
    pub delay_ms: u64,
    /// Injected errors, resets and delays strike after the request was handled (the message
    /// stored, its webhooks scheduled) instead of before: what a gateway failing after the
    /// provider acted looks like. The client cannot tell the two apart.
    pub after_handling: bool,
    /// The body of injected errors and 429s.
    pub error_body: FaultBody,
    /// Answer the next this many API requests with 401, in the provider's shape.
    pub unauthorized_next: u32,
    /// Close the connection without answering for this share of API requests (after
    /// reading them: the client cannot know whether they were acted on).
    pub reset_rate: f64,
    /// Reset the next this many API requests.
    pub reset_next: u32,
    /// Drop this share of webhooks.
    pub webhook_drop_rate: f64,
    /// Delay every webhook this long, milliseconds.
    pub webhook_delay_ms: u64,
    /// Deliver this share of webhooks twice.
    pub webhook_duplicate_rate: f64,
}

/// The body of an injected error or 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultBody {
    /// The provider's own error shape, with its code (the default).
    #[default]
    Provider,
    /// No body at all, as a bare gateway or load balancer answers.
    Empty,
    /// An HTML page: not the JSON the provider documents (with status 200, a success the
    /// client cannot read).
    Garbage,
}

/// What the sandbox does to one API request, drawn from the [`Faults`]; an [`Emulation`]
/// answers the error, throttle and 401 cases in its provider's own shape
/// ([`Emulation::fault_response`]).
///
/// [`Emulation`]: crate::Emulation
/// [`Emulation::fault_response`]: crate::Emulation::fault_response
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestFault {
    /// Nothing: the request is handled.
    None,
    /// The connection is closed without an answer.
    Reset,
    /// An error with this HTTP status.
    Error(u16),
    /// HTTP 429 with `Retry-After` of this many seconds.
    Throttle(u64),
    /// HTTP 401, as if the credential had expired.
    Unauthorized,
}

/// What to do with one webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WebhookFault {
    Deliver,
    Drop,
    Twice,
}

impl Faults {
    pub(crate) fn status(&self) -> u16 {
        if self.error_status == 0 {
            500
        } else {
            self.error_status
        }
    }

    /// Draws the fault for one request; counts down the `*_next` budgets.
    pub(crate) fn draw_request(&mut self, rng: &mut fastrand::Rng) -> RequestFault {
        if self.unauthorized_next > 0 {
            self.unauthorized_next -= 1;
            return RequestFault::Unauthorized;
        }
        if self.reset_next > 0 {
            self.reset_next -= 1;
            return RequestFault::Reset;
        }
        if self.fail_next > 0 {
            self.fail_next -= 1;
            return RequestFault::Error(self.status());
        }
        if self.throttle_next > 0 {
            self.throttle_next -= 1;
            return RequestFault::Throttle(self.retry_after_secs);
        }
        if self.reset_rate > 0.0 && rng.f64() < self.reset_rate {
            return RequestFault::Reset;
        }
        if self.error_rate > 0.0 && rng.f64() < self.error_rate {
            return RequestFault::Error(self.status());
        }
        if self.throttle_rate > 0.0 && rng.f64() < self.throttle_rate {
            return RequestFault::Throttle(self.retry_after_secs);
        }
        RequestFault::None
    }

    pub(crate) fn draw_webhook(&self, rng: &mut fastrand::Rng) -> WebhookFault {
        if self.webhook_drop_rate > 0.0 && rng.f64() < self.webhook_drop_rate {
            WebhookFault::Drop
        } else if self.webhook_duplicate_rate > 0.0 && rng.f64() < self.webhook_duplicate_rate {
            WebhookFault::Twice
        } else {
            WebhookFault::Deliver
        }
    }
}
