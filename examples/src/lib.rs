//! Runnable examples of waba, each a binary: `cargo run -p waba-examples --bin <name>`.
//!
//! - `bot`: an axum bot that answers inbound messages, and falls back to a template for
//!   customers outside the 24-hour window.
//! - `provider_swap`: the same application code over two providers, chosen by configuration.
//! - `broadcast`: a broadcast with one outcome per recipient.
//!
//! Each runs against the built-in sandbox, so it needs no account.
