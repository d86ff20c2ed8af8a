//! Conveniences over any [`Provider`], including [`crate::Client`].

use std::future::Future;

use waba_types::{Content, OutboundMessage, PhoneNumber};

use crate::error::Error;
use crate::provider::{Provider, SendReceipt};

/// Shorthands for common sends, for every [`Provider`] (and so for [`crate::Client`]).
///
/// The futures are `Send`, so they can be spawned.
pub trait ProviderExt: Provider {
    /// Sends a text message without link preview.
    fn send_text(
        &self,
        to: PhoneNumber,
        body: impl Into<String>,
    ) -> impl Future<Output = Result<SendReceipt, Error>> + Send {
        let message = OutboundMessage::new(to, Content::text(body));
        async move { self.send(&message).await }
    }

    /// Sends a template whose body parameters are plain text, in order.
    fn send_template<I, S>(
        &self,
        to: PhoneNumber,
        name: impl Into<String>,
        language: impl Into<String>,
        body_parameters: I,
    ) -> impl Future<Output = Result<SendReceipt, Error>> + Send
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let message = OutboundMessage::new(to, Content::template(name, language, body_parameters));
        async move { self.send(&message).await }
    }
}

impl<P: Provider + ?Sized> ProviderExt for P {}
