//! One module per provider emulation, each behind the shared engine.

pub(crate) mod cloud;
pub(crate) mod enablex;
pub(crate) mod generic_v2;
pub(crate) mod mobile_gateway;
pub(crate) mod onprem;

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
