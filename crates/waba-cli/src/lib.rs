#![doc = include_str!("../README.md")]
//!
//! # The library
//!
//! The parts of the `waba` command line that other code drives directly: the broadcast
//! input reader, which the fuzz targets run over arbitrary bytes. The command line itself is
//! the `waba` binary; this library is not a stable API.

pub mod recipients;
