//! The HTTP front: the API, the forge webhooks, the dashboard, `/healthz` and `/metrics`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use provgate_patch::input::ReadOptions;
use serde::Deserialize;
use serde_json::json;

use crate::auth::{Denied, RateLimit, Tokens};
use crate::config::Scope;
use crate::db::now_ms;
use crate::records::{self, SeriesFilter};
use crate::service::Service;
use crate::worker::{Outcome, insert_report};

/// What every handler shares.
pub struct AppState {
    /// The service.
    pub service: Arc<Service>,
    /// The API tokens.
    pub tokens: Tokens,
    /// The per-client rate limit.
    pub limit: RateLimit,
}

/// The shared state as handlers take it.
pub type Shared = Arc<AppState>;

/// The router of the whole HTTP front.
pub fn router(service: Arc<Service>) -> Router {
    let state = Arc::new(AppState {
        tokens: Tokens::new(&service.config.tokens),
        limit: RateLimit::new(service.config.server.rate_limit_per_minute),
        service: service.clone(),
    });
    Router::new()
        .route("/api/v1/check", post(check))
        .route("/api/v1/series", get(list_series))
        .route("/api/v1/series/{id}", get(get_series))
        .route("/api/v1/reports/{id}", get(get_report))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/hooks/github/{project}", post(crate::webhooks::github))
        .route("/hooks/gitlab/{project}", post(crate::webhooks::gitlab))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .merge(crate::dashboard::routes())
        .layer(DefaultBodyLimit::max(service.config.server.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Rate limit, security headers and request metrics around every request.
async fn guard(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_string();
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(client) = client
        && route != "/healthz"
        && !state.limit.check(client)
    {
        return error(
            StatusCode::TOO_MANY_REQUESTS,
            "too many requests from this address; slow down",
        );
    }
    let response = next.run(request).await;
    let mut response = json_errors(response).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:",
        ),
    );
    state.service.metrics.http(
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// An error answered by axum itself (a body over the limit: 413, an unknown route, a query
/// that does not parse) as the API answers its own: `{"error": "…"}`. Pages keep their HTML.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let typed = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || typed {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 << 10)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("the request failed")
            .to_string()
    } else {
        text
    };
    let mut json = error(status, &message);
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            json.headers_mut().insert(name.clone(), value.clone());
        }
    }
    json
}

/// A JSON error body with its status.
pub fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

/// Refuses a request without the scope (when tokens are configured).
// The refusal is the response itself, as every handler returns it; boxing it would only add
// noise to each caller.
#[allow(clippy::result_large_err)]
pub fn authorize(state: &AppState, headers: &HeaderMap, scope: Scope) -> Result<(), Response> {
    let header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if scope == Scope::Read && state.service.config.server.public_read {
        return Ok(());
    }
    match state.tokens.allow(header, scope) {
        Ok(_) => Ok(()),
        Err(Denied::Unauthenticated) => Err(error(
            StatusCode::UNAUTHORIZED,
            "a token is needed: send `Authorization: Bearer TOKEN`",
        )),
        Err(Denied::Forbidden) => Err(error(
            StatusCode::FORBIDDEN,
            "this token does not have the scope this request needs",
        )),
    }
}

#[derive(Deserialize)]
struct CheckQuery {
    project: String,
}

/// `POST /api/v1/check?project=NAME`: an mbox, a patch mail or a diff in the body; the report.
async fn check(
    State(state): State<Shared>,
    Query(query): Query<CheckQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(denied) = authorize(&state, &headers, Scope::Check) {
        return denied;
    }
    let service = state.service.clone();
    let Some(project) = service.config.project(&query.project).cloned() else {
        return error(
            StatusCode::NOT_FOUND,
            &format!("no project `{}` is configured", query.project),
        );
    };
    if body.is_empty() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the body is empty: send an mbox, a patch e-mail or a diff",
        );
    }
    let started = Instant::now();
    let judged = {
        let service = service.clone();
        let project = project.clone();
        let body = body.clone();
        tokio::task::spawn_blocking(move || {
            let gate = service.gate(&project, None, None, true)?;
            let read = provgate_engine::read_bytes("request", &body, ReadOptions::default());
            Ok::<_, crate::error::ServeError>(gate.judge(read))
        })
        .await
    };
    let checked = match judged {
        Ok(Ok(checked)) => checked,
        Ok(Err(e)) => {
            tracing::error!(project = %project.name, error = %e, "cannot check");
            return error(StatusCode::SERVICE_UNAVAILABLE, &e.to_string());
        }
        Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let report = checked.report;
    if report.patches.is_empty() {
        let reason = report
            .errors
            .first()
            .map(|e| e.message.clone())
            .unwrap_or_else(|| "no patch found in the body".into());
        return error(StatusCode::UNPROCESSABLE_ENTITY, &reason);
    }
    let seconds = started.elapsed().as_secs_f64();
    // A submission without a diff never claims a base.
    let has_diff = report.patches.iter().any(|p| !p.files.is_empty());
    let outcome = Outcome {
        report,
        input_sha256: checked.input_sha256,
        base: has_diff.then(|| project.branch.clone()),
        base_note: if has_diff {
            format!("Read against the head of {}.", project.branch)
        } else {
            "The code was not checked: the submission carries no diff, so it applies to no base."
                .into()
        },
        missing: Vec::new(),
        references: Vec::new(),
        original_subject: None,
    };
    let stored = store_api_check(&service, &project.name, &outcome, seconds).await;
    let verdict = records::verdict_text(outcome.report.verdict);
    service.metrics.checked(
        &project.name,
        verdict.as_deref().unwrap_or("none"),
        "api",
        seconds,
    );
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        provgate_report::json::render(&outcome.report),
    )
        .into_response();
    match stored {
        Ok((series_id, report_id)) => {
            let h = response.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/reports/{report_id}")) {
                h.insert(header::LOCATION, v);
            }
            if let Ok(v) = HeaderValue::from_str(&series_id.to_string()) {
                h.insert("x-provgate-series", v);
            }
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot store the report");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the report could not be stored; try again",
            )
        }
    }
}

async fn store_api_check(
    service: &Service,
    project: &str,
    outcome: &Outcome,
    seconds: f64,
) -> Result<(i64, i64), crate::error::ServeError> {
    let db = &service.db;
    let now = now_ms();
    let first = outcome.report.patches.first();
    let subject = first
        .map(|p| crate::ingest::strip_prefix(&p.subject))
        .unwrap_or_default();
    let sender = first
        .and_then(|p| p.author.as_ref())
        .map(|a| a.email.clone())
        .unwrap_or_default();
    let mut nonce = [0u8; 8];
    let _ = getrandom::fill(&mut nonce);
    let key = format!(
        "api|{}|{now}|{}",
        outcome.input_sha256,
        nonce.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let mut tx = db.pool.begin().await.map_err(|e| db.error(e))?;
    let series_id: i64 = sqlx::query_scalar(
        "INSERT INTO serve_series (project, key, origin, subject, sender, version, total, state, \
         first_seen, updated_at, verdict, ai_assisted, meta) \
         VALUES ($1, $2, 'api', $3, $4, 1, NULL, 'checked', $5, $5, $6, $7, '{}') RETURNING id",
    )
    .bind(project)
    .bind(&key)
    .bind(&subject)
    .bind(&sender)
    .bind(now)
    .bind(records::verdict_text(outcome.report.verdict))
    .bind(i64::from(outcome.report.summary.ai_assisted > 0))
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| db.error(e))?;
    let report_id = insert_report(db, &mut tx, series_id, outcome, seconds, now).await?;
    sqlx::query("UPDATE serve_series SET report_id = $1 WHERE id = $2")
        .bind(report_id)
        .bind(series_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| db.error(e))?;
    let mut entry =
        provgate_engine::entry_for_report("serve", &outcome.report, &outcome.input_sha256);
    entry.inputs.push(provgate_store::InputRef {
        name: format!("serve-report:{report_id}"),
        kind: "service".into(),
    });
    sqlx::query("INSERT INTO serve_audit_outbox (project, report_id, entry) VALUES ($1, $2, $3)")
        .bind(project)
        .bind(report_id)
        .bind(serde_json::to_string(&entry).expect("entries serialise"))
        .execute(&mut *tx)
        .await
        .map_err(|e| db.error(e))?;
    tx.commit().await.map_err(|e| db.error(e))?;
    Ok((series_id, report_id))
}

async fn list_series(
    State(state): State<Shared>,
    Query(filter): Query<SeriesFilter>,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = authorize(&state, &headers, Scope::Read) {
        return denied;
    }
    match records::list_series(&state.service.db, &filter).await {
        Ok(rows) => axum::Json(json!({ "series": rows })).into_response(),
        Err(e) => unavailable(e),
    }
}

async fn get_series(
    State(state): State<Shared>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = authorize(&state, &headers, Scope::Read) {
        return denied;
    }
    let db = &state.service.db;
    match records::get_series(db, id).await {
        Ok(Some(series)) => match records::deliveries_of(db, id).await {
            Ok(deliveries) => {
                axum::Json(json!({ "series": series, "deliveries": deliveries })).into_response()
            }
            Err(e) => unavailable(e),
        },
        Ok(None) => error(StatusCode::NOT_FOUND, "no such series"),
        Err(e) => unavailable(e),
    }
}

async fn get_report(
    State(state): State<Shared>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = authorize(&state, &headers, Scope::Read) {
        return denied;
    }
    match records::get_report(&state.service.db, id).await {
        Ok(Some(report)) => axum::Json(report).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, "no such report"),
        Err(e) => unavailable(e),
    }
}

/// A database failure as the client sees it: the service is unavailable, try again.
pub fn unavailable(e: crate::error::ServeError) -> Response {
    tracing::error!(error = %e, "request failed");
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "the service's database is unavailable; try again",
    )
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}

async fn healthz(State(state): State<Shared>) -> Response {
    match sqlx::query("SELECT 1")
        .execute(&state.service.db.pool)
        .await
    {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n").into_response()
        }
    }
}

async fn metrics(State(state): State<Shared>) -> Response {
    let recorded = match records::recorded(&state.service.db).await {
        Ok(recorded) => recorded,
        Err(e) => return unavailable(e),
    };
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.service.metrics.render_recorded(&recorded),
    )
        .into_response()
}
