//! The HTTP server: one connection loop, so that faults can close a connection without an
//! answer, which a router alone cannot do.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower::ServiceExt as _;

use crate::engine::Engine;
use crate::faults::RequestFault;

/// Why the connection is dropped: an injected reset.
#[derive(Debug)]
struct InjectedReset;

impl std::fmt::Display for InjectedReset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset injected by the sandbox")
    }
}

impl std::error::Error for InjectedReset {}

pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    engine: Arc<Engine>,
    mut stop: oneshot::Receiver<()>,
) {
    loop {
        let accepted = tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else { continue };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let engine = engine.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
                let router = router.clone();
                let engine = engine.clone();
                async move { handle(router, engine, request).await }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(
    router: Router,
    engine: Arc<Engine>,
    request: hyper::Request<Incoming>,
) -> Result<axum::response::Response, InjectedReset> {
    let path = request.uri().path();
    // Faults hit provider routes only, never the control API.
    let emulation = path
        .split('/')
        .nth(1)
        .filter(|p| *p != "_sandbox")
        .and_then(|p| engine.emulation(p));
    if let Some(emulation) = emulation {
        let (fault, delay) = engine.draw_request_fault();
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        match fault {
            RequestFault::None => {}
            RequestFault::Reset => {
                // Read the request first: the client cannot tell whether it was acted on.
                let _ =
                    axum::body::to_bytes(Body::new(request.into_body()), 64 * 1024 * 1024).await;
                return Err(InjectedReset);
            }
            other => return Ok(emulation.fault_response(other)),
        }
    }
    let response: Result<_, Infallible> = router.oneshot(request.map(Body::new)).await;
    Ok(response.unwrap_or_else(|never| match never {}))
}
