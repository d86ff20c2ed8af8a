//! Secrets never show: not in `Debug` of any scheme, source or credential, nor of a request
//! a scheme built. Snapshots pin the headers each strategy produces.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use proptest::prelude::*;
use waba_auth::*;
use waba_core::RequestAuth;

fn request() -> http::Request<Bytes> {
    http::Request::post("https://api.example/v1/messages")
        .header("content-type", "application/json")
        .body(Bytes::from_static(b"{}"))
        .unwrap()
}

/// A token source holding its secret as sources must: in a `SecretString`.
#[derive(Debug)]
struct Fixed(SecretString);

#[async_trait::async_trait]
impl TokenSource for Fixed {
    async fn fetch(&self) -> Result<Token, waba_core::Error> {
        Ok(Token::new(self.0.clone(), Duration::from_secs(3600)))
    }
}

async fn applied(auth: &Auth) -> http::Request<Bytes> {
    let mut r = request();
    auth.authorize(&mut r).await.unwrap();
    r
}

fn headers_snapshot(r: &http::Request<Bytes>) -> serde_json::Value {
    waba_testkit::snapshot::render_request(r)["headers"].clone()
}

#[tokio::test]
async fn headers_of_every_strategy() {
    let cases = [
        (
            "basic",
            Auth::basic("app-id", SecretString::from("app-key")).unwrap(),
        ),
        (
            "bearer",
            Auth::bearer(SecretString::from("EAAGm0PX4ZCps")).unwrap(),
        ),
        (
            "api_key_header",
            Auth::api_key("WA-API-KEY", SecretString::from("k-0123456789ab")).unwrap(),
        ),
        (
            "refreshing_bearer",
            Auth::refreshing_bearer(Arc::new(RefreshingToken::new(Fixed(SecretString::from(
                "tok-1",
            ))))),
        ),
    ];
    for (name, auth) in cases {
        let r = applied(&auth).await;
        insta::assert_json_snapshot!(format!("headers_{name}"), headers_snapshot(&r));
    }
}

#[tokio::test]
async fn basic_encodes_user_colon_password() {
    let r = applied(&Auth::basic("admin", SecretString::from("secret")).unwrap()).await;
    // The on-prem seed's own example: admin:secret is YWRtaW46c2VjcmV0.
    assert_eq!(r.headers()["authorization"], "Basic YWRtaW46c2VjcmV0");
    assert!(r.headers()["authorization"].is_sensitive());
}

#[test]
fn constructors_reject_bad_credentials_clearly() {
    let e = Auth::basic("app:id", SecretString::from("k")).unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"the Basic user name "app:id" contains a colon, which HTTP Basic uses as the separator"#
    );
    assert_eq!(
        Auth::basic("", SecretString::from("k"))
            .unwrap_err()
            .to_string(),
        "Basic user name is empty"
    );
    assert_eq!(
        Auth::basic("id", SecretString::from(" "))
            .unwrap_err()
            .to_string(),
        "Basic password is empty"
    );
    assert_eq!(
        Auth::bearer(SecretString::from(""))
            .unwrap_err()
            .to_string(),
        "bearer token is empty"
    );
    assert_eq!(
        Auth::api_key("WA API KEY", SecretString::from("k"))
            .unwrap_err()
            .to_string(),
        r#""WA API KEY" is not a valid HTTP header name"#
    );
    assert_eq!(
        Auth::api_key("WA-API-KEY", SecretString::from("a\nb"))
            .unwrap_err()
            .to_string(),
        "the API key contains characters that cannot be sent in an HTTP header"
    );
    let as_core: waba_core::Error = Auth::bearer(SecretString::from("")).unwrap_err().into();
    assert_eq!(as_core.kind(), &waba_core::ErrorKind::Config);
}

fn secret() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_.~+/-]{12,48}"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn debug_never_shows_a_secret(user in "[a-z]{3,12}", s in secret()) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let refreshing = Arc::new(RefreshingToken::new(Fixed(SecretString::from(s.clone()))));
            let auths = [
                Auth::basic(user.clone(), SecretString::from(s.clone())).unwrap(),
                Auth::bearer(SecretString::from(s.clone())).unwrap(),
                Auth::api_key("WA-API-KEY", SecretString::from(s.clone())).unwrap(),
                Auth::refreshing_bearer(refreshing.clone()),
            ];
            for auth in &auths {
                let r = applied(auth).await;
                for text in [format!("{auth:?}"), format!("{r:?}"), format!("{:?}", r.headers()), format!("{refreshing:?}")] {
                    prop_assert!(!text.contains(&s), "secret in {}", text);
                }
            }
            let creds = [
                Credential::token(SecretString::from(s.clone()), "t").unwrap(),
                Credential::login(user.clone(), SecretString::from(s.clone())).unwrap(),
            ];
            for c in creds {
                let shown = format!("{c:?}");
                prop_assert!(!shown.contains(&s), "secret in {}", shown);
                let shown = format!("{:?}", Static::new(c));
                prop_assert!(!shown.contains(&s), "secret in {}", shown);
            }
            let token = Token::new(SecretString::from(s.clone()), Duration::from_secs(1));
            let shown = format!("{token:?}");
            prop_assert!(!shown.contains(&s), "secret in {}", shown);
            Ok(())
        })?;
    }
}
