//! One decoder per webhook format, each behind its feature, and [`decoder_for`], which picks
//! one by the format's name.
//!
//! A format is a wire family, named for the format and not for the providers that use it
//! (each provider's spec says which format its webhooks are in). Adding a format is a module
//! here, its feature, and one arm of [`decoder_for`] with its name in [`FORMATS`].

use crate::decode::WebhookDecoder;

#[cfg(feature = "cloud")]
pub(crate) mod cloud;
#[cfg(feature = "enablex")]
pub(crate) mod enablex;
mod items;
mod lenient;
#[cfg(feature = "mobile-gateway")]
pub(crate) mod mobile_gateway;
#[cfg(feature = "onprem")]
pub(crate) mod onprem;

/// Parses JSON text. Every parse the decoders make goes through here or [`from_slice`], so
/// tests can count them: decoding a body costs a number of parses bounded by its items,
/// never one per item per item.
pub(crate) fn from_str<'a, T: serde::Deserialize<'a>>(text: &'a str) -> serde_json::Result<T> {
    #[cfg(test)]
    parses::count();
    serde_json::from_str(text)
}

/// Parses JSON bytes (a body not yet known to be UTF-8); see [`from_str`].
pub(crate) fn from_slice<'a, T: serde::Deserialize<'a>>(bytes: &'a [u8]) -> serde_json::Result<T> {
    #[cfg(test)]
    parses::count();
    serde_json::from_slice(bytes)
}

/// The parse counter behind [`from_str`] and [`from_slice`], per thread (tests run in
/// parallel threads).
#[cfg(test)]
pub(crate) mod parses {
    use std::cell::Cell;

    thread_local!(static PARSES: Cell<usize> = const { Cell::new(0) });

    pub(super) fn count() {
        PARSES.with(|c| c.set(c.get() + 1));
    }

    /// How many parses `f` made on this thread.
    pub(crate) fn during<R>(f: impl FnOnce() -> R) -> (R, usize) {
        let before = PARSES.with(Cell::get);
        let r = f();
        (r, PARSES.with(Cell::get) - before)
    }
}

#[cfg(feature = "cloud")]
pub use cloud::CloudDecoder;
#[cfg(feature = "enablex")]
pub use enablex::EnableXDecoder;
#[cfg(feature = "mobile-gateway")]
pub use mobile_gateway::MobileGatewayDecoder;
#[cfg(feature = "onprem")]
pub use onprem::OnPremDecoder;

/// The names of the webhook formats this build decodes (one per enabled feature), in the
/// order [`decoder_for`] knows them.
pub const FORMATS: &[&str] = &[
    #[cfg(feature = "cloud")]
    "cloud",
    #[cfg(feature = "onprem")]
    "onprem",
    #[cfg(feature = "enablex")]
    "enablex",
    #[cfg(feature = "mobile-gateway")]
    "mobile-gateway",
];

/// The decoder of a webhook format, by the format's name: a provider spec's
/// `WebhookSpec::format` (`waba_core::WebhookSpec`), one of [`FORMATS`].
///
/// # Errors
///
/// [`UnknownFormat`] for a name that is not a format of this build (a provider's name is not
/// a format name, unless the format is named for it); its message lists [`FORMATS`].
pub fn decoder_for(format: &str) -> Result<Box<dyn WebhookDecoder>, UnknownFormat> {
    match format {
        #[cfg(feature = "cloud")]
        "cloud" => Ok(Box::new(CloudDecoder)),
        #[cfg(feature = "onprem")]
        "onprem" => Ok(Box::new(OnPremDecoder)),
        #[cfg(feature = "enablex")]
        "enablex" => Ok(Box::new(EnableXDecoder)),
        #[cfg(feature = "mobile-gateway")]
        "mobile-gateway" => Ok(Box::new(MobileGatewayDecoder)),
        _ => Err(UnknownFormat(format.to_owned())),
    }
}

/// A webhook format name [`decoder_for`] does not know: not a format, or a format whose
/// feature is off in this build. The message names the known formats.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown webhook format {0:?}; this build decodes {known}", known = known())]
pub struct UnknownFormat(pub String);

fn known() -> String {
    if FORMATS.is_empty() {
        "none (every format feature of waba-webhook is off)".to_owned()
    } else {
        FORMATS.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_format_has_a_decoder_and_nothing_else_does() {
        for f in FORMATS {
            assert!(decoder_for(f).is_ok(), "{f}");
        }
        // Provider names are not format names: a caller goes through the provider's spec.
        for provider in ["generic-v2", "tujenge"] {
            assert!(decoder_for(provider).is_err(), "{provider}");
        }
        let Err(e) = decoder_for("no-such-format") else {
            panic!("an unknown format is refused")
        };
        let text = e.to_string();
        assert!(text.contains("\"no-such-format\""), "{text}");
        for f in FORMATS {
            assert!(text.contains(f), "{text} names {f}");
        }
    }
}
