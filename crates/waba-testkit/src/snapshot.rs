//! Rendering requests for insta snapshots, with every secret redacted.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde_json::{Value, json};

/// What replaces a secret in snapshots.
pub const REDACTED: &str = "[redacted]";

/// Headers whose values are secrets. Matching ignores case.
pub const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "wa-api-key",
    "d360-api-key",
    "x-api-key",
    "api-key",
];

/// Redacts a header value if the header holds a secret. The scheme of an `Authorization`
/// value (`Basic`, `Bearer`) stays visible, because which scheme was used is part of the
/// protocol being pinned.
pub fn redact_header(name: &str, value: &str) -> String {
    if !SECRET_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name)) {
        return value.to_owned();
    }
    match value.split_once(' ') {
        Some((scheme, _)) if name.to_ascii_lowercase().ends_with("authorization") => {
            format!("{scheme} {REDACTED}")
        }
        _ => REDACTED.to_owned(),
    }
}

/// Renders a request as JSON: `method`, `path` (with query), sorted `headers` with secrets
/// redacted, and `body` (JSON when it parses, text otherwise, with bytes that are not UTF-8
/// shown as U+FFFD).
pub fn render(
    method: &http::Method,
    uri: &http::Uri,
    headers: &http::HeaderMap,
    body: &Bytes,
) -> Value {
    let mut h = BTreeMap::new();
    for (name, value) in headers {
        let v = value.to_str().map_or_else(
            |_| "<binary>".to_owned(),
            |v| redact_header(name.as_str(), v),
        );
        h.insert(name.as_str().to_owned(), v);
    }
    let body = if body.is_empty() {
        Value::Null
    } else if let Ok(v) = serde_json::from_slice::<Value>(body) {
        v
    } else {
        Value::String(String::from_utf8_lossy(body).into_owned())
    };
    json!({
        "method": method.as_str(),
        "path": uri.path_and_query().map_or("/", http::uri::PathAndQuery::as_str),
        "headers": h,
        "body": body,
    })
}

/// Renders an `http::Request<Bytes>` (what a sans-IO codec builds).
pub fn render_request(request: &http::Request<Bytes>) -> Value {
    render(
        request.method(),
        request.uri(),
        request.headers(),
        request.body(),
    )
}

/// How every `error_<status>_*.json` response fixture in `dir` classifies, as a table for a
/// snapshot: fixture, kind, code, retryable, message. `decode` reads one response (with the
/// status from the file name) into the adapter's error.
pub fn error_fixture_table(
    dir: &std::path::Path,
    decode: impl Fn(&http::Response<Bytes>) -> waba_core::Error,
) -> Value {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.retain(|n| {
        n.starts_with("error_")
            && std::path::Path::new(n)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    });
    names.sort();
    let rows: Vec<Value> = names
        .iter()
        .map(|name| {
            let status: u16 = name.split('_').nth(1).and_then(|s| s.parse().ok()).unwrap_or(400);
            let body = std::fs::read(dir.join(name)).unwrap_or_default();
            let response = http::Response::builder().status(status).body(Bytes::from(body)).expect("a valid response");
            let e = decode(&response);
            json!({ "fixture": name, "kind": e.kind().name(), "api_code": e.api_code(), "retryable": e.is_retryable(), "message": e.message() })
        })
        .collect();
    Value::Array(rows)
}

#[cfg(feature = "snapshot")]
#[cfg_attr(docsrs, doc(cfg(feature = "snapshot")))]
/// The insta settings every waba snapshot uses: sorted maps, and any value under a key that
/// names a secret (`token`, `password`, `app_key`, `secret`, `api_key`) redacted.
pub fn insta_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_sort_maps(true);
    s.set_prepend_module_to_snapshot(false);
    for key in [
        "token",
        "password",
        "app_key",
        "secret",
        "api_key",
        "access_token",
    ] {
        s.add_redaction(&format!(".**.{key}"), REDACTED);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_and_schemes_kept() {
        assert_eq!(
            redact_header("Authorization", "Bearer abc.def"),
            "Bearer [redacted]"
        );
        assert_eq!(
            redact_header("authorization", "Basic YWRtaW46c2VjcmV0"),
            "Basic [redacted]"
        );
        assert_eq!(redact_header("WA-API-KEY", "k-123456789012"), "[redacted]");
        assert_eq!(
            redact_header("content-type", "application/json"),
            "application/json"
        );
    }

    #[test]
    fn render_keeps_no_secret() {
        let req = http::Request::post("https://h/v1/messages?x=1")
            .header("authorization", "Bearer s3cr3t")
            .header("wa-api-key", "k3y-s3cr3t")
            .body(Bytes::from_static(br#"{"a":1}"#))
            .unwrap();
        let v = render_request(&req);
        let text = v.to_string();
        assert!(!text.contains("s3cr3t"), "{text}");
        assert_eq!(v["path"], "/v1/messages?x=1");
        assert_eq!(v["body"]["a"], 1);
    }
}
