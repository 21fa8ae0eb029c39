//! What the HTTP stand-ins share: recording, injected failures, JSON answers and pages.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Controls, Recorded, Serve, lock};

/// The service: `router` behind the recorder, served until shutdown.
pub(crate) fn serve(router: Router, controls: Arc<Controls>) -> Serve {
    let app = router.layer(middleware::from_fn_with_state(controls, record));
    Box::new(move |listener, shutdown| {
        let app = app.clone();
        Box::pin(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await;
        })
    })
}

/// Records the request, then fails it if told to, else passes it on.
async fn record(State(controls): State<Arc<Controls>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 64 << 20)
        .await
        .unwrap_or_default();
    lock(&controls.log).push(Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: bytes.to_vec(),
    });
    if controls.take_failure() {
        return answer(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"message": "stand-in told to fail"}),
        );
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// A JSON answer.
pub(crate) fn answer(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// A page of `items` (`page`, `per_page` as the APIs take them) with a `Link` header to the
/// next page, written as an absolute URL on `origin` like the real services do.
pub(crate) fn page(
    items: Vec<Value>,
    origin: &str,
    path: &str,
    query: &HashMap<String, String>,
    default_per_page: usize,
) -> (Vec<Value>, HeaderMap) {
    let per_page = query
        .get("per_page")
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|&p| p > 0)
        .unwrap_or(default_per_page);
    let page = query
        .get("page")
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|&p| p > 0)
        .unwrap_or(1);
    let start = (page - 1).saturating_mul(per_page);
    let shown: Vec<Value> = items.iter().skip(start).take(per_page).cloned().collect();
    let mut headers = HeaderMap::new();
    if start + per_page < items.len() {
        let mut pairs: Vec<(&String, String)> = query
            .iter()
            .filter(|(k, _)| k.as_str() != "page")
            .map(|(k, v)| (k, v.clone()))
            .collect();
        pairs.sort();
        let mut next = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            next.append_pair(k, &v);
        }
        next.append_pair("page", &(page + 1).to_string());
        let link = format!("<{origin}{path}?{}>; rel=\"next\"", next.finish());
        if let Ok(value) = HeaderValue::from_str(&link) {
            headers.insert(header::LINK, value);
        }
        if let Ok(value) = HeaderValue::from_str(&(page + 1).to_string()) {
            headers.insert("x-next-page", value);
        }
    }
    (shown, headers)
}

/// A page as a JSON array answer.
pub(crate) fn page_answer(
    items: Vec<Value>,
    origin: &str,
    path: &str,
    query: &HashMap<String, String>,
    default_per_page: usize,
) -> Response {
    let (shown, headers) = page(items, origin, path, query, default_per_page);
    (StatusCode::OK, headers, axum::Json(Value::Array(shown))).into_response()
}

/// Whether the request says its body is JSON.
pub(crate) fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}
