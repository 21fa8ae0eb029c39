//! Forge webhooks: a pull or merge request becomes a series checked at its head.
//!
//! A webhook is accepted only when it proves it comes from the forge (GitHub's HMAC-SHA256
//! signature of the raw body, GitLab's shared token, both compared in constant time by
//! `provgate_deliver::webhook`) and names the repository configured for the project; anything
//! else is refused and nothing is stored. A delivery id seen before is answered without doing
//! anything again (forges redeliver). The commits are fetched later, by the worker, from the
//! project's configured remote only.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use provgate_deliver::Secret;
use provgate_deliver::webhook::{self, GitHubEvent, GitLabEvent};
use serde_json::json;

use crate::config::{Project, secret};
use crate::db::now_ms;
use crate::http::{Shared, error, unavailable};
use crate::ingest::digest;
use crate::queue::{self, Work};
use crate::records::{PullRequest, SeriesMeta};

/// The project named in the path and the secret of its webhook source, or the answer to give.
// The refusal is the response the handler returns.
#[allow(clippy::result_large_err)]
fn secret_of(
    state: &Shared,
    name: &str,
    env: impl Fn(&Project) -> Option<&str>,
) -> Result<(Project, Secret), Response> {
    let project = state
        .service
        .config
        .project(name)
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "no such project"))?;
    let env = env(project)
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "this project takes no such webhooks"))?;
    match secret(env) {
        Ok(key) => Ok((project.clone(), Secret::new(key))),
        Err(e) => {
            tracing::error!(project = %name, error = %e, "webhook secret missing");
            Err(error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the webhook secret is not configured",
            ))
        }
    }
}

/// `POST /hooks/github/{project}`: `pull_request` events.
pub async fn github(
    State(state): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (project, key) = match secret_of(&state, &name, |p| {
        p.sources.github.as_ref().map(|g| g.secret_env.as_str())
    }) {
        Ok(found) => found,
        Err(response) => return response,
    };
    let header = |h: &str| headers.get(h).and_then(|v| v.to_str().ok());
    if let Err(e) = webhook::verify_github(&key, &body, header("x-hub-signature-256")) {
        return error(StatusCode::UNAUTHORIZED, &format!("{e} ({})", e.hint()));
    }
    let event = match webhook::parse_github(header("x-github-event").unwrap_or(""), &body) {
        Ok(GitHubEvent::PullRequest(event)) => event,
        Ok(GitHubEvent::Ignored(why)) => return ignored(&why.to_string()),
        Err(e) => return error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
    };
    let configured = project
        .sources
        .github
        .as_ref()
        .map(|g| g.repository.as_str());
    if !configured.is_some_and(|r| r.eq_ignore_ascii_case(&event.repository)) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the event is for another repository than the project's",
        );
    }
    let delivery = header("x-github-delivery")
        .map(str::to_string)
        .unwrap_or_else(|| digest(&body));
    let request = PullRequest {
        repository: event.repository,
        number: event.number,
        head_sha: event.head_sha,
        head_ref: event.head_ref,
        base_ref: event.base_ref,
        base_sha: Some(event.base_sha).filter(|s| !s.is_empty()),
        title: event.title,
        author: event.author,
    };
    accept(&state, &project, "github", &delivery, request).await
}

/// `POST /hooks/gitlab/{project}`: `Merge Request Hook` events.
pub async fn gitlab(
    State(state): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (project, key) = match secret_of(&state, &name, |p| {
        p.sources.gitlab.as_ref().map(|g| g.secret_env.as_str())
    }) {
        Ok(found) => found,
        Err(response) => return response,
    };
    let header = |h: &str| headers.get(h).and_then(|v| v.to_str().ok());
    if let Err(e) = webhook::verify_gitlab(&key, header("x-gitlab-token")) {
        return error(StatusCode::UNAUTHORIZED, &format!("{e} ({})", e.hint()));
    }
    let event = match webhook::parse_gitlab(header("x-gitlab-event").unwrap_or(""), &body) {
        Ok(GitLabEvent::MergeRequest(event)) => event,
        Ok(GitLabEvent::Ignored(why)) => return ignored(&why.to_string()),
        Err(e) => return error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
    };
    let configured = project.sources.gitlab.as_ref().map(|g| g.project.as_str());
    if !configured.is_some_and(|p| p.eq_ignore_ascii_case(&event.project_path)) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the event is for another project than the configured one",
        );
    }
    let delivery = header("x-gitlab-event-uuid")
        .map(str::to_string)
        .unwrap_or_else(|| digest(&body));
    let request = PullRequest {
        repository: event.project_path,
        number: event.iid,
        head_sha: event.last_commit,
        head_ref: event.source_branch,
        base_ref: event.target_branch,
        base_sha: None,
        title: event.title,
        author: event.author,
    };
    accept(&state, &project, "gitlab", &delivery, request).await
}

fn ignored(reason: &str) -> Response {
    (
        StatusCode::ACCEPTED,
        axum::Json(json!({ "ignored": reason })),
    )
        .into_response()
}

/// Records the delivery and the request's series, and queues its check, in one transaction.
async fn accept(
    state: &Shared,
    project: &Project,
    forge: &str,
    delivery: &str,
    request: PullRequest,
) -> Response {
    let db = &state.service.db;
    let now = now_ms();
    let result = async {
        let mut tx = db.pool.begin().await.map_err(|e| db.error(e))?;
        let fresh = sqlx::query(
            "INSERT INTO serve_webhooks (forge, delivery, received_at) VALUES ($1, $2, $3) \
             ON CONFLICT (forge, delivery) DO NOTHING",
        )
        .bind(forge)
        .bind(delivery)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| db.error(e))?
        .rows_affected()
            > 0;
        if !fresh {
            tx.commit().await.map_err(|e| db.error(e))?;
            return Ok::<_, crate::error::ServeError>(None);
        }
        let key = format!("{forge}|{}#{}@{}", request.repository, request.number, request.head_sha);
        let mut meta = SeriesMeta::default();
        let mark = if forge == "github" { '#' } else { '!' };
        // The title and author come from the forge's payload; like every string from content,
        // the dashboard escapes them.
        let reference = format!("{}{mark}{}", request.repository, request.number);
        let subject = if request.title.trim().is_empty() {
            reference
        } else {
            format!("{} ({reference})", request.title.trim())
        };
        let sender = if request.author.is_empty() {
            request.head_ref.clone()
        } else {
            request.author.clone()
        };
        if forge == "github" {
            meta.github = Some(request);
        } else {
            meta.gitlab = Some(request);
        }
        let row: Option<i64> = sqlx::query_scalar(
            "INSERT INTO serve_series (project, key, origin, subject, sender, version, total, state, \
             first_seen, updated_at, meta) VALUES ($1, $2, $3, $4, $5, 1, NULL, 'queued', $6, $6, $7) \
             ON CONFLICT (project, key) DO NOTHING RETURNING id",
        )
        .bind(&project.name)
        .bind(&key)
        .bind(forge)
        .bind(subject)
        .bind(sender)
        .bind(now)
        .bind(serde_json::to_string(&meta).expect("meta serialises"))
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| db.error(e))?;
        if let Some(series_id) = row {
            queue::enqueue(
                db,
                &mut *tx,
                &project.name,
                &format!("forge/{series_id}"),
                &Work::Forge { series_id },
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(|e| db.error(e))?;
        Ok(Some(row))
    }
    .await;
    match result {
        Ok(None) => (
            StatusCode::OK,
            axum::Json(json!({ "duplicate": "this delivery was received before" })),
        )
            .into_response(),
        Ok(Some(Some(series_id))) => (
            StatusCode::ACCEPTED,
            axum::Json(json!({ "series": series_id })),
        )
            .into_response(),
        Ok(Some(None)) => (
            StatusCode::OK,
            axum::Json(json!({ "duplicate": "this head is checked already" })),
        )
            .into_response(),
        Err(e) => unavailable(e),
    }
}
