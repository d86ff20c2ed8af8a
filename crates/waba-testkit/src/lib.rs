#![doc = include_str!("../README.md")]
// docs.rs builds with `--cfg docsrs` (see Cargo.toml): items behind a feature get a badge.
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # Overview
//!
//! Test doubles and shared suites for waba. **Not semver-stable**: pin an exact version.
//!
//! - [`ReplayTransport`]: an [`HttpTransport`](waba_core::HttpTransport) that answers from a
//!   script and records every request, for adapter tests and request snapshots.
//! - [`StubProvider`]: a [`Provider`](waba_core::Provider) that records what it is asked to
//!   send, so applications can test their bots with no network.
//! - [`snapshot`]: renders requests for insta snapshots with secrets redacted, and (feature
//!   `snapshot`, which brings insta) the shared insta settings.
//! - [`samples`]: one value of every content kind, which every adapter's snapshots encode.
//! - `conformance` (feature `conformance`, which brings `waba-sandbox`, `waba-webhook` and
//!   axum): the suite every adapter runs against `waba-sandbox`.
//! - [`transport_suite`]: the checks every `HttpTransport` must pass, against a local
//!   server ([`StubServer`]).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use waba_core::{Client, ProviderExt};
//! use waba_testkit::StubProvider;
//!
//! let stub = StubProvider::new_ok();
//! let client = Client::new(stub.shared());
//! client.send_text("+16315551002".parse().unwrap(), "Hi!").await.unwrap();
//! assert_eq!(stub.sent().len(), 1);
//! # }
//! ```

#[cfg(feature = "conformance")]
#[cfg_attr(docsrs, doc(cfg(feature = "conformance")))]
pub mod conformance;
mod replay;
pub mod samples;
pub mod snapshot;
mod stub;
mod stub_server;
pub mod transport_suite;

pub use replay::{RecordedRequest, ReplayTransport};
pub use stub::{STUB_ID, StubProvider};
pub use stub_server::StubServer;
