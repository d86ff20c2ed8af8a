//! The shared transport suite, over reqwest.

use std::time::Duration;

use waba_transport_reqwest::ReqwestTransport;

#[tokio::test]
async fn passes_the_transport_suite() {
    let transport = ReqwestTransport::new().unwrap();
    let short = ReqwestTransport::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    waba_testkit::transport_suite::run_all(&transport, &short).await;
}
