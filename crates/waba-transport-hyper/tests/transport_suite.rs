//! The shared transport suite, over hyper.

use std::time::Duration;

use waba_transport_hyper::HyperTransport;

#[tokio::test]
async fn passes_the_transport_suite() {
    let transport = HyperTransport::new();
    let short = HyperTransport::builder()
        .timeout(Duration::from_millis(300))
        .build();
    waba_testkit::transport_suite::run_all(&transport, &short).await;
}
