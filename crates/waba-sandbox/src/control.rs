//! The control API under `/_sandbox/`: inspect, inject, and break things on purpose.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::json;

use crate::emulation::{digits, json};
use crate::engine::{Engine, WebhookTarget};
use crate::faults::Faults;

pub(crate) fn router(engine: Arc<Engine>) -> Router {
    Router::new()
        .route("/info", get(info))
        .route("/messages", get(messages))
        .route("/messages/{id}", get(message))
        .route("/inbound", post(inbound))
        .route("/faults", get(get_faults).put(set_faults))
        .route("/templates", get(templates).post(add_template))
        .route("/contacts", post(contacts))
        .route("/webhooks/{provider}", put(set_webhook).get(get_webhook))
        .with_state(engine)
}

pub(crate) fn info_value(engine: &Engine) -> serde_json::Value {
    let base = engine.base_url();
    let providers: serde_json::Map<String, serde_json::Value> = engine
        .emulations()
        .iter()
        .map(|e| {
            let mut info = e.info(&base);
            // Beside the configuration keys (strings): how far its status webhooks go.
            if let Some(o) = info.as_object_mut() {
                o.insert("statuses".to_owned(), json!(e.statuses()));
            }
            (e.name().to_owned(), info)
        })
        .collect();
    json!({ "base_url": base, "control": format!("{base}/_sandbox"), "providers": providers })
}

async fn info(State(engine): State<Arc<Engine>>) -> Response {
    json(StatusCode::OK, &info_value(&engine))
}

#[derive(Deserialize)]
struct ProviderFilter {
    provider: Option<String>,
}

async fn messages(State(engine): State<Arc<Engine>>, Query(q): Query<ProviderFilter>) -> Response {
    json(
        StatusCode::OK,
        &json!(engine.messages(q.provider.as_deref())),
    )
}

async fn message(State(engine): State<Arc<Engine>>, Path(id): Path<String>) -> Response {
    match engine.message(&id) {
        Some(m) => json(StatusCode::OK, &json!(m)),
        None => json(
            StatusCode::NOT_FOUND,
            &json!({ "error": format!("no message {id}") }),
        ),
    }
}

#[derive(Deserialize)]
struct Inbound {
    provider: String,
    from: String,
    text: String,
    #[serde(default)]
    name: Option<String>,
}

async fn inbound(
    State(engine): State<Arc<Engine>>,
    axum::Json(i): axum::Json<Inbound>,
) -> Response {
    let Some(emulation) = engine.emulation(&i.provider) else {
        return json(
            StatusCode::NOT_FOUND,
            &json!({ "error": format!("no provider {}", i.provider) }),
        );
    };
    let from = digits(&i.from);
    if from.is_empty() {
        return json(
            StatusCode::BAD_REQUEST,
            &json!({ "error": "from must be a phone number" }),
        );
    }
    let m = engine
        .inbound(
            &emulation,
            &from,
            i.name.as_deref().unwrap_or("Sandbox Customer"),
            &i.text,
        )
        .await;
    json(StatusCode::OK, &json!(m))
}

async fn get_faults(State(engine): State<Arc<Engine>>) -> Response {
    json(StatusCode::OK, &json!(engine.faults()))
}

async fn set_faults(
    State(engine): State<Arc<Engine>>,
    axum::Json(f): axum::Json<Faults>,
) -> Response {
    engine.set_faults(f);
    json(StatusCode::OK, &json!(engine.faults()))
}

async fn templates(State(engine): State<Arc<Engine>>) -> Response {
    let list: Vec<_> = engine
        .templates()
        .into_iter()
        .map(|(name, language, body_parameters)| {
            json!({ "name": name, "language": language, "body_parameters": body_parameters })
        })
        .collect();
    json(StatusCode::OK, &json!(list))
}

#[derive(Deserialize)]
struct NewTemplate {
    name: String,
    language: String,
    /// How many body parameters it takes; absent, any number.
    #[serde(default)]
    body_parameters: Option<usize>,
}

async fn add_template(
    State(engine): State<Arc<Engine>>,
    axum::Json(t): axum::Json<NewTemplate>,
) -> Response {
    engine.add_template(&t.name, &t.language, t.body_parameters);
    json(
        StatusCode::OK,
        &json!({ "name": t.name, "language": t.language, "body_parameters": t.body_parameters }),
    )
}

#[derive(Deserialize)]
struct Contact {
    number: String,
    on_whatsapp: bool,
}

async fn contacts(
    State(engine): State<Arc<Engine>>,
    axum::Json(c): axum::Json<Contact>,
) -> Response {
    engine.set_on_whatsapp(&digits(&c.number), c.on_whatsapp);
    json(
        StatusCode::OK,
        &json!({ "number": digits(&c.number), "on_whatsapp": c.on_whatsapp }),
    )
}

async fn set_webhook(
    State(engine): State<Arc<Engine>>,
    Path(provider): Path<String>,
    axum::Json(t): axum::Json<WebhookTarget>,
) -> Response {
    if engine.emulation(&provider).is_none() {
        return json(
            StatusCode::NOT_FOUND,
            &json!({ "error": format!("no provider {provider}") }),
        );
    }
    engine.set_webhook(&provider, t.clone());
    json(StatusCode::OK, &json!(t))
}

async fn get_webhook(State(engine): State<Arc<Engine>>, Path(provider): Path<String>) -> Response {
    match engine.webhook(&provider) {
        Some(t) => json(StatusCode::OK, &json!(t)),
        None => json(
            StatusCode::NOT_FOUND,
            &json!({ "error": format!("no webhook for {provider}") }),
        ),
    }
}
