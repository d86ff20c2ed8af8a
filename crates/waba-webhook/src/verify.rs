//! Checking that a webhook comes from the provider: [`Verifier`] and its implementations.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::error::{VerifierConfigError, VerifyError};
use crate::request::WebhookRequest;

/// Decides whether a request comes from the provider. Checks run over the raw body bytes and
/// compare in constant time; a missing or malformed header fails (never skips) the check.
pub trait Verifier: fmt::Debug + Send + Sync + 'static {
    /// `Ok` when the request is authentic.
    fn verify(&self, request: &WebhookRequest<'_>) -> Result<(), VerifyError>;
}

impl<T: Verifier + ?Sized> Verifier for std::sync::Arc<T> {
    fn verify(&self, request: &WebhookRequest<'_>) -> Result<(), VerifyError> {
        (**self).verify(request)
    }
}

/// The header Meta signs with.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// `X-Hub-Signature-256: sha256=<hex>`: HMAC-SHA256 of the raw body with the app secret, as
/// Meta Cloud and the generic v2 API sign. Several secrets may be configured, so a secret
/// can be rotated without dropping webhooks: a signature by any of them passes.
#[derive(Clone)]
pub struct HubSignature {
    keys: Vec<Hmac<Sha256>>,
}

impl HubSignature {
    /// Verifies with `secret` (the Meta app secret). An empty secret is refused
    /// ([`VerifierConfigError::EmptySecret`]): anyone can sign with it.
    pub fn new(secret: impl AsRef<[u8]>) -> Result<Self, VerifierConfigError> {
        Ok(Self {
            keys: vec![key(non_empty(secret.as_ref())?)],
        })
    }

    /// Also accepts signatures by `secret` (for rotation); an empty secret is refused.
    pub fn with_secret(mut self, secret: impl AsRef<[u8]>) -> Result<Self, VerifierConfigError> {
        self.keys.push(key(non_empty(secret.as_ref())?));
        Ok(self)
    }

    /// The header value for `body` signed with the first secret: what Meta would send.
    /// For tests and the sandbox.
    pub fn sign(&self, body: &[u8]) -> String {
        let mut mac = self.keys[0].clone();
        mac.update(body);
        let digest = mac.finalize().into_bytes();
        let mut out = String::with_capacity(71);
        out.push_str("sha256=");
        for b in digest {
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
        out
    }

    /// Checks a header value against `body`.
    pub fn verify_signature(&self, header: &str, body: &[u8]) -> Result<(), VerifyError> {
        let malformed = |reason| VerifyError::MalformedHeader {
            header: SIGNATURE_HEADER,
            reason,
        };
        let hex = header
            .trim()
            .strip_prefix("sha256=")
            .ok_or(malformed("it does not start with sha256="))?;
        let mut expected = [0u8; 32];
        if hex.len() != 64 {
            return Err(malformed("the digest is not 64 hex digits"));
        }
        for (i, pair) in hex.as_bytes().chunks_exact(2).enumerate() {
            let hi = unhex(pair[0]).ok_or(malformed("the digest is not hex"))?;
            let lo = unhex(pair[1]).ok_or(malformed("the digest is not hex"))?;
            expected[i] = hi << 4 | lo;
        }
        let mut ok = subtle::Choice::from(0);
        for k in &self.keys {
            let mut mac = k.clone();
            mac.update(body);
            // Every key is tried, match or not, so timing does not tell which one matched.
            ok |= mac.finalize().into_bytes().as_slice().ct_eq(&expected);
        }
        if bool::from(ok) {
            Ok(())
        } else {
            Err(VerifyError::Mismatch { what: "signature" })
        }
    }
}

fn non_empty(secret: &[u8]) -> Result<&[u8], VerifierConfigError> {
    if secret.is_empty() {
        Err(VerifierConfigError::EmptySecret)
    } else {
        Ok(secret)
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn unhex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn key(secret: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length; this cannot fail.
    Hmac::<Sha256>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
}

impl fmt::Debug for HubSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HubSignature")
            .field("secrets", &self.keys.len())
            .finish()
    }
}

impl Verifier for HubSignature {
    fn verify(&self, request: &WebhookRequest<'_>) -> Result<(), VerifyError> {
        let header = request
            .headers
            .get(SIGNATURE_HEADER)
            .ok_or(VerifyError::MissingHeader {
                header: SIGNATURE_HEADER,
            })?
            .to_str()
            .map_err(|_| VerifyError::MalformedHeader {
                header: SIGNATURE_HEADER,
                reason: "it is not text",
            })?;
        self.verify_signature(header, request.body)
    }
}

/// Static headers the provider adds to every webhook (Tujenge's `/v1/configs/webhook`
/// `headers`, EnableX's HTTP Basic option). All must be present and equal; values are
/// compared in constant time.
#[derive(Clone)]
pub struct RequiredHeaders {
    headers: Vec<(http::HeaderName, Vec<u8>)>,
}

impl RequiredHeaders {
    /// Requires every `(name, value)` given. Refused: no header at all (it would accept
    /// every request, [`VerifierConfigError::NoHeaders`]), an invalid header name, an empty
    /// value.
    pub fn new<N: AsRef<str>, V: Into<Vec<u8>>>(
        headers: impl IntoIterator<Item = (N, V)>,
    ) -> Result<Self, VerifierConfigError> {
        let mut out = Self {
            headers: Vec::new(),
        };
        for (name, value) in headers {
            out = out.with(name.as_ref(), value)?;
        }
        if out.headers.is_empty() {
            return Err(VerifierConfigError::NoHeaders);
        }
        Ok(out)
    }

    /// Also requires `name: value`; an invalid name or an empty value is refused.
    pub fn with(
        mut self,
        name: &str,
        value: impl Into<Vec<u8>>,
    ) -> Result<Self, VerifierConfigError> {
        let header = http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            VerifierConfigError::InvalidHeaderName {
                name: name.to_owned(),
            }
        })?;
        let value = value.into();
        if value.is_empty() {
            return Err(VerifierConfigError::EmptyHeaderValue {
                name: header.as_str().to_owned(),
            });
        }
        self.headers.push((header, value));
        Ok(self)
    }

    /// Requires `Authorization: Basic base64(user:password)`; an empty user or password
    /// is refused.
    pub fn basic(user: &str, password: &str) -> Result<Self, VerifierConfigError> {
        use base64_lite::encode;
        if user.is_empty() {
            return Err(VerifierConfigError::EmptyCredentials { which: "user" });
        }
        if password.is_empty() {
            return Err(VerifierConfigError::EmptyCredentials { which: "password" });
        }
        let value = format!("Basic {}", encode(format!("{user}:{password}").as_bytes()));
        Ok(Self {
            headers: vec![(http::header::AUTHORIZATION, value.into_bytes())],
        })
    }
}

impl fmt::Debug for RequiredHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequiredHeaders")
            .field(
                "names",
                &self
                    .headers
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Verifier for RequiredHeaders {
    fn verify(&self, request: &WebhookRequest<'_>) -> Result<(), VerifyError> {
        let mut ok = subtle::Choice::from(1);
        for (name, expected) in &self.headers {
            let got = request
                .headers
                .get(name)
                .ok_or(VerifyError::MissingHeader {
                    header: "configured webhook",
                })?;
            ok &= got.as_bytes().ct_eq(expected);
        }
        if bool::from(ok) {
            Ok(())
        } else {
            Err(VerifyError::Mismatch {
                what: "webhook header",
            })
        }
    }
}

/// Accepts every request. For providers that neither sign nor add headers (on-prem, Mobile
/// Gateway): protect the route another way (a secret path, mTLS, an allow-list).
#[derive(Debug, Clone, Copy, Default)]
pub struct Unverified;

impl Verifier for Unverified {
    fn verify(&self, _: &WebhookRequest<'_>) -> Result<(), VerifyError> {
        Ok(())
    }
}

/// A dependency-free base64 encoder for the one Basic header we build.
mod base64_lite {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub(super) fn encode(input: &[u8]) -> String {
        let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
        for chunk in input.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(TABLE[(n >> (18 - 6 * i) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[cfg(test)]
    #[test]
    fn encodes_like_the_seed() {
        assert_eq!(encode(b"admin:secret"), "YWRtaW46c2VjcmV0");
        assert_eq!(encode(b"testuser:testpass"), "dGVzdHVzZXI6dGVzdHBhc3M=");
        assert_eq!(encode(b"a"), "YQ==");
    }
}
