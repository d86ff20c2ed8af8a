//! The one body Tujenge adds to the on-prem API: the webhook configuration.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Where Tujenge posts webhooks, and the headers it adds to each (how the receiver
/// authenticates Tujenge). `Debug` shows the header names, never their values.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WebhookConfig {
    /// The receiver's URL (HTTPS).
    pub url: String,
    /// Headers added to every webhook.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("url", &self.url)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl From<WebhookConfig> for waba_core::WebhookSettings {
    fn from(c: WebhookConfig) -> Self {
        Self {
            url: c.url,
            headers: c.headers.into_iter().collect(),
        }
    }
}
