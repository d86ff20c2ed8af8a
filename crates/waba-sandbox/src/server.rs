//! The HTTP server: one connection loop, so that faults can close a connection without an
//! answer, which a router alone cannot do.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower::ServiceExt as _;

use crate::engine::{Emulation, Engine};
use crate::faults::{FaultBody, RequestFault};

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
    let Some(emulation) = emulation else {
        return Ok(route(router, request).await);
    };
    let drawn = engine.draw_request_fault(emulation.name());
    if drawn.after_handling {
        // Act, then fail: the message is stored and its webhooks scheduled, but the answer
        // is lost, late or replaced, as when a gateway fails after the provider acted.
        let response = route(router, request).await;
        tokio::time::sleep(drawn.delay).await;
        return match drawn.fault {
            RequestFault::None => Ok(response),
            RequestFault::Reset => Err(InjectedReset),
            other => Ok(fault_response(emulation.as_ref(), other, drawn.body)),
        };
    }
    tokio::time::sleep(drawn.delay).await;
    match drawn.fault {
        RequestFault::None => Ok(route(router, request).await),
        RequestFault::Reset => {
            // Read the request first: the client cannot tell whether it was acted on.
            let _ = axum::body::to_bytes(Body::new(request.into_body()), 64 * 1024 * 1024).await;
            Err(InjectedReset)
        }
        other => Ok(fault_response(emulation.as_ref(), other, drawn.body)),
    }
}

async fn route(router: Router, request: hyper::Request<Incoming>) -> axum::response::Response {
    let response: Result<_, Infallible> = router.oneshot(request.map(Body::new)).await;
    response.unwrap_or_else(|never| match never {})
}

/// The answer to an injected error, throttle or 401, with the body the faults ask for.
fn fault_response(
    emulation: &dyn Emulation,
    fault: RequestFault,
    body: FaultBody,
) -> axum::response::Response {
    let (status, retry_after) = match fault {
        RequestFault::Error(status) => (
            http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
            None,
        ),
        RequestFault::Throttle(secs) => (http::StatusCode::TOO_MANY_REQUESTS, Some(secs)),
        RequestFault::Unauthorized => (http::StatusCode::UNAUTHORIZED, None),
        RequestFault::None | RequestFault::Reset => (http::StatusCode::OK, None),
    };
    let mut response = match body {
        FaultBody::Provider => return emulation.fault_response(fault),
        FaultBody::Empty => axum::response::Response::new(Body::empty()),
        FaultBody::Garbage => {
            let mut r = axum::response::Response::new(Body::from(
                "<html><body><h1>Gateway</h1><p>injected by the sandbox</p></body></html>",
            ));
            r.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("text/html"),
            );
            r
        }
    };
    *response.status_mut() = status;
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert(http::header::RETRY_AFTER, secs.into());
    }
    response
}
