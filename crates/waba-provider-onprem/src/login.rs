//! The login token: `POST /v1/users/login` with Basic credentials gives a bearer token that
//! expires after `expires_after` (7 days); `POST /v1/users/logout` revokes it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use waba_auth::{Auth, ExposeSecret, SecretString, Token, TokenSource};
use waba_core::{Error, ErrorKind, Executor, ProviderId, SharedTransport};

use crate::codec::Codec;

/// The lifetime assumed when a login response has no readable `expires_after`.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

/// Logs in to the on-prem client for a bearer token.
#[derive(Debug)]
pub struct LoginSource {
    codec: Codec,
    executor: Executor,
    provider: ProviderId,
}

impl LoginSource {
    /// Logs in at `codec`'s base URL with Basic `user:password`, over `transport`.
    pub fn new(
        codec: Codec,
        user: &str,
        password: SecretString,
        transport: SharedTransport,
        provider: ProviderId,
    ) -> Result<Self, Error> {
        let auth = Auth::basic(user, password)?;
        let executor = Executor::new(provider.clone(), transport).with_auth(auth.shared());
        Ok(Self {
            codec,
            executor,
            provider,
        })
    }
}

#[async_trait]
impl TokenSource for LoginSource {
    async fn fetch(&self) -> Result<Token, Error> {
        let response = self.executor.execute(self.codec.encode_login()).await?;
        let (token, expires_after) = self.codec.decode_login(&response, &self.provider)?;
        let value = SecretString::from(token);
        Ok(match expires_after.as_deref().and_then(parse_datetime) {
            Some(at) => Token::expiring_at(value, at),
            None => Token::new(value, DEFAULT_LIFETIME),
        })
    }

    async fn revoke(&self, token: &SecretString) -> Result<(), Error> {
        let mut request = self.codec.encode_logout();
        let value = http::HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
            .map_err(|_| {
                Error::new(ErrorKind::Auth).with_message("the token cannot be sent in a header")
            })?;
        request
            .headers_mut()
            .insert(http::header::AUTHORIZATION, value);
        // Logout carries the token to revoke, not the login credentials.
        let plain = Executor::new(self.provider.clone(), transport_of(&self.executor));
        let response = plain.execute(request).await?;
        self.codec.decode_empty(&response, &self.provider)
    }
}

fn transport_of(executor: &Executor) -> SharedTransport {
    executor.transport().clone()
}

/// Reads `expires_after`: `2018-03-01 15:29:26+00:00` (Meta's example), or RFC 3339.
#[allow(
    clippy::many_single_char_names,
    reason = "y-m-d h:m:s are the fields' own names"
)]
pub fn parse_datetime(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    let (date, rest) = s.split_at(s.find([' ', 'T'])?);
    let rest = &rest[1..];
    let mut d = date.split('-');
    let (y, m, day): (i64, u32, u32) = (
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
        d.next()?.parse().ok()?,
    );
    let tz_at = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (time, tz) = rest.split_at(tz_at);
    let mut t = time.split(':');
    let (h, min): (i64, i64) = (t.next()?.parse().ok()?, t.next()?.parse().ok()?);
    let sec: f64 = t.next().map_or(Some(0.0), |v| v.parse().ok())?;
    let offset = match tz.chars().next() {
        None | Some('Z' | 'z') => 0,
        Some(sign) => {
            let digits: String = tz[1..].chars().filter(char::is_ascii_digit).collect();
            if digits.len() != 4 {
                return None;
            }
            let hh: i64 = digits[..2].parse().ok()?;
            let mm: i64 = digits[2..].parse().ok()?;
            let o = hh * 3600 + mm * 60;
            if sign == '-' { -o } else { o }
        }
    };
    if !(1..=12).contains(&m)
        || !(1..=31).contains(&day)
        || !(0..24).contains(&h)
        || !(0..60).contains(&min)
        || !(0.0..61.0).contains(&sec)
    {
        return None;
    }
    let days = days_from_civil(y, m, day);
    let secs = days * 86_400 + h * 3600 + min * 60 - offset;
    let whole = u64::try_from(secs).ok()?;
    Some(UNIX_EPOCH + Duration::from_secs(whole) + Duration::from_secs_f64(sec))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
#[allow(clippy::many_single_char_names, reason = "the algorithm's own names")]
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: &str) -> Option<u64> {
        parse_datetime(s).map(|t| t.duration_since(UNIX_EPOCH).unwrap().as_secs())
    }

    #[test]
    fn reads_meta_and_rfc3339_forms() {
        assert_eq!(secs("2018-03-01 15:29:26+00:00"), Some(1_519_918_166));
        assert_eq!(secs("2018-03-01T15:29:26Z"), Some(1_519_918_166));
        assert_eq!(secs("2018-03-01T17:29:26+02:00"), Some(1_519_918_166));
        assert_eq!(secs("2018-03-01T10:29:26.5-05:00"), Some(1_519_918_166));
        assert_eq!(secs("1970-01-01 00:00:00"), Some(0));
        assert_eq!(secs("2024-02-29 00:00:00+00:00"), Some(1_709_164_800));
    }

    #[test]
    fn rejects_nonsense() {
        for bad in [
            "",
            "tomorrow",
            "2018-13-01 00:00:00",
            "2018-03-01",
            "2018-03-01 25:00:00",
            "2018-03-01 10:00:00+5",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn never_panics_on_any_string() {
        for s in [
            "2018-03-01 ",
            "-",
            "T",
            "2018-03-01 1:",
            "9999999999-01-01 00:00:00",
            "2018-03-01 00:00:00+",
        ] {
            let _ = parse_datetime(s);
        }
    }
}
