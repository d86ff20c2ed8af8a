//! One decoder per wire family, each behind its feature.

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
