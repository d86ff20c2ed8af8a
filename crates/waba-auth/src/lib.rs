#![doc = include_str!("../README.md")]
// docs.rs builds with `--cfg docsrs` (see Cargo.toml): items behind a feature get a badge.
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # Overview
//!
//! Authentication for waba adapters. An adapter chooses a strategy here and never
//! re-implements one.
//!
//! Two small traits, as in smithy: a [`CredentialSource`] yields the current credential
//! (async: it may fetch or refresh it), and an [`AuthScheme`] puts it on a request (sync).
//! [`Auth`] joins the two and implements [`waba_core::RequestAuth`], so the executor
//! authorises every request, and after a 401 refreshes once and resends once.
//!
//! Secrets are `secrecy::SecretString`s: no `Debug`, `Display` or `tracing` output shows
//! one, header values carrying them are marked sensitive, and nothing secret implements
//! `Serialize`.
//!
//! # Which strategy each provider uses
//!
//! | provider | scheme | source | construct |
//! |---|---|---|---|
//! | Meta Cloud API | [`Bearer`] | [`Static`] (system-user token) | `Auth::bearer(token)` |
//! | generic v2 | [`Bearer`] | [`Static`] | `Auth::bearer(token)` |
//! | EnableX, Basic mode | [`Basic`] | [`Static`] (APP ID : APP KEY) | `Auth::basic(app_id, app_key)` |
//! | EnableX, token mode | [`Bearer`] | [`RefreshingToken`] over the adapter's Token API source (`POST /v1/token`, 60-minute tokens) | `Auth::refreshing_bearer(Arc::new(RefreshingToken::new(source)))` |
//! | Mobile Gateway | [`Basic`] | [`Static`] | `Auth::basic(user, password)` |
//! | on-prem client | [`Bearer`] | [`RefreshingToken`] over the adapter's login source (`POST /v1/users/login` with Basic, 7-day tokens; `logout()` revokes) | `Auth::refreshing_bearer(token.clone())` |
//! | on-prem monitoring | [`ApiKeyHeader`] | [`Static`] (`WA_API_KEY`, 12 to 128 characters) | `Auth::api_key(header, key)` |
//! | Tujenge | [`ApiKeyHeader`] `WA-API-KEY` | [`Static`] (one key per phone number) | `Auth::api_key("WA-API-KEY", key)` |
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use secrecy::SecretString;
//! use waba_auth::{Auth, RefreshingToken, Token, TokenSource};
//!
//! // Fixed credentials, checked when given.
//! let cloud = Auth::bearer(SecretString::from("EAAG…"))?;
//! let tujenge = Auth::api_key("WA-API-KEY", SecretString::from("k-0123456789ab"))?;
//! let enablex = Auth::basic("app-id", SecretString::from("app-key"))?;
//! assert!(Auth::basic("bad:user", SecretString::from("x")).is_err());
//! assert!(!format!("{cloud:?}{tujenge:?}{enablex:?}").contains("app-key"));
//!
//! // A token fetched from the provider and refreshed before it expires.
//! #[derive(Debug)]
//! struct Login;
//! #[async_trait::async_trait]
//! impl TokenSource for Login {
//!     async fn fetch(&self) -> Result<Token, waba_core::Error> {
//!         Ok(Token::new(SecretString::from("fresh"), Duration::from_secs(3600)))
//!     }
//! }
//! let token = Arc::new(RefreshingToken::new(Login));
//! let auth = Auth::refreshing_bearer(token.clone()).shared();
//! # Ok::<(), waba_auth::AuthError>(())
//! ```

mod auth;
mod credential;
mod error;
mod refresh;
mod scheme;

pub use auth::Auth;
pub use credential::{Credential, CredentialSource, Static};
pub use error::AuthError;
pub use refresh::{DEFAULT_MARGIN, MAX_MARGIN_SHARE, RefreshingToken, Token, TokenSource};
pub use scheme::{ApiKeyHeader, AuthScheme, Basic, Bearer};
pub use secrecy::{ExposeSecret, SecretString};
