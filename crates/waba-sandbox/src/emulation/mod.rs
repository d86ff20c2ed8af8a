//! One module per provider emulation, each behind the shared engine, and [`EMULATIONS`], the
//! one list the sandbox serves them from.
//!
//! An emulation is a value: its name (its path prefix), its routes, its webhooks and its own
//! state, built from its [`Account`]. Adding an emulation is its module (the [`Emulation`]
//! implementation, its account type with [`Account`], a `build` function and, if wanted,
//! typed accessors on [`SandboxBuilder`](crate::SandboxBuilder) and
//! [`SandboxHandle`](crate::SandboxHandle)) and one line in [`EMULATIONS`] (and one in
//! [`accounts`] to export its account type).

pub(crate) mod cloud;
pub(crate) mod enablex;
pub(crate) mod generic_v2;
pub(crate) mod mobile_gateway;
pub(crate) mod onprem;

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::engine::Emulation;

/// Builds one emulation from the sandbox's accounts (its own account, or its default).
pub(crate) type Build = fn(&Accounts) -> Arc<dyn Emulation>;

/// Every emulation the sandbox serves, in the order `GET /_sandbox/info` lists them.
pub(crate) const EMULATIONS: &[Build] = &[
    cloud::build,
    onprem::build_client,
    onprem::build_tujenge,
    generic_v2::build,
    mobile_gateway::build,
    enablex::build,
];

/// The account types of the emulations: the credentials, ids and numbers each accepts.
pub(crate) mod accounts {
    pub use super::cloud::CloudAccount;
    pub use super::enablex::EnableXAccount;
    pub use super::generic_v2::GenericV2Account;
    pub use super::mobile_gateway::MobileGatewayAccount;
    pub use super::onprem::{OnPremAccount, TujengeAccount};
}

/// The account of one emulation: the credentials, ids and numbers it accepts. Each
/// emulation has its own type; [`Default`] is what a sandbox accepts unless told otherwise
/// ([`SandboxBuilder::account`](crate::SandboxBuilder::account)).
pub trait Account: Any + Clone + Default + fmt::Debug + Send + Sync {}

/// An account behind a type-erased box, still printable.
trait AnyAccount: Any + fmt::Debug + Send + Sync {}

impl<A: Account> AnyAccount for A {}

/// The accounts a sandbox was configured with, one per account type; an emulation whose
/// account was not set uses the type's default.
#[derive(Debug, Default)]
pub(crate) struct Accounts(HashMap<TypeId, Box<dyn AnyAccount>>);

impl Accounts {
    /// Sets the account of its type, replacing an earlier one.
    pub(crate) fn set<A: Account>(&mut self, account: A) {
        self.0.insert(TypeId::of::<A>(), Box::new(account));
    }

    /// The account of type `A`: the one set, or the default.
    pub(crate) fn get<A: Account>(&self) -> A {
        self.0
            .get(&TypeId::of::<A>())
            .and_then(|a| (&**a as &dyn Any).downcast_ref::<A>())
            .cloned()
            .unwrap_or_default()
    }
}

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A JSON response.
pub(crate) fn json(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// What is too long in a Meta-style message body (`text.body` over 4,096 characters, a
/// caption over 1,024), in words; every emulation answers it in its own error shape.
pub(crate) fn oversized(kind: &str, v: &serde_json::Value) -> Option<String> {
    let chars = |p: &serde_json::Value| p.as_str().map_or(0, |s| s.chars().count());
    match kind {
        "text" => {
            let n = chars(&v["text"]["body"]);
            (n > 4096).then(|| {
                format!("Param text['body'] must be at most 4096 characters long, got {n}")
            })
        }
        "image" | "video" | "document" => {
            let n = chars(&v[kind]["caption"]);
            (n > 1024).then(|| {
                format!("Param {kind}['caption'] must be at most 1024 characters long, got {n}")
            })
        }
        _ => None,
    }
}

/// The digits of a number as clients send it (`+1 631-555…`, `16315551002`).
pub(crate) fn digits(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

/// The bearer token of a request.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// The file part of a `multipart/form-data` body: its content type and bytes.
pub(crate) fn multipart_file(content_type: &str, body: &[u8]) -> Option<(String, bytes::Bytes)> {
    let boundary = content_type.split("boundary=").nth(1)?.trim_matches('"');
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let mut start = 0;
    let mut parts = Vec::new();
    while let Some(i) = find(&body[start..], d) {
        let at = start + i;
        if start > 0 {
            parts.push(&body[start..at]);
        }
        start = at + d.len();
    }
    for part in parts {
        let head_end = find(part, b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&part[..head_end]).to_ascii_lowercase();
        if !head.contains("name=\"file\"") {
            continue;
        }
        let mime = head
            .lines()
            .find_map(|l| l.trim().strip_prefix("content-type:"))
            .map_or_else(
                || "application/octet-stream".to_owned(),
                |m| m.trim().to_owned(),
            );
        let data = &part[head_end + 4..];
        let data = data.strip_suffix(b"\r\n").unwrap_or(data);
        return Some((mime, bytes::Bytes::copy_from_slice(data)));
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
