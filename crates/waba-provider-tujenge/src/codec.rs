//! Tujenge's own route, `/v1/configs/webhook`; every other request is built and read by
//! `waba-provider-onprem`'s codec.

use bytes::Bytes;
use waba_core::{Error, ErrorKind};

use crate::wire::WebhookConfig;

/// `POST /v1/configs/webhook`. The URL must be HTTPS (Tujenge refuses anything else).
pub fn encode_set_webhook(
    base: &str,
    config: &WebhookConfig,
) -> Result<http::Request<Bytes>, Error> {
    let uri: http::Uri = config
        .url
        .parse()
        .map_err(|_| invalid_url(&config.url, "is not a URL"))?;
    if uri.scheme_str() != Some("https") || uri.host().is_none() {
        return Err(invalid_url(
            &config.url,
            "must be an https:// URL with a host",
        ));
    }
    for name in config.headers.keys() {
        http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            Error::new(ErrorKind::InvalidRequest {
                field: Some("headers".into()),
            })
            .with_message(format!("{name:?} is not a valid header name"))
        })?;
    }
    let body = serde_json::to_vec(config).map_err(|e| Error::config(e.to_string()))?;
    let mut r = http::Request::new(Bytes::from(body));
    *r.method_mut() = http::Method::POST;
    *r.uri_mut() = uri_of(base)?;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    Ok(r)
}

/// `GET /v1/configs/webhook`.
pub fn encode_get_webhook(base: &str) -> Result<http::Request<Bytes>, Error> {
    let mut r = http::Request::new(Bytes::new());
    *r.uri_mut() = uri_of(base)?;
    Ok(r)
}

/// Reads the configuration Tujenge echoes.
pub fn decode_webhook(response: &http::Response<Bytes>) -> Result<WebhookConfig, Error> {
    if let Some(e) = crate::errors::gateway_error(response) {
        return Err(e);
    }
    if !response.status().is_success() {
        return Err(waba_core::classify_response(
            &crate::ID,
            response,
            waba_core::Refinement::none(),
        ));
    }
    serde_json::from_slice(response.body()).map_err(|e| {
        Error::decode(format!("unexpected webhook configuration: {e}")).with_provider(crate::ID)
    })
}

fn uri_of(base: &str) -> Result<http::Uri, Error> {
    format!("{}/v1/configs/webhook", base.trim_end_matches('/'))
        .parse()
        .map_err(|_| Error::config(format!("{base} is not a valid base URL")))
}

fn invalid_url(url: &str, why: &str) -> Error {
    Error::new(ErrorKind::InvalidRequest {
        field: Some("url".into()),
    })
    .with_provider(crate::ID)
    .with_message(format!("the webhook URL {url:?} {why}"))
}
