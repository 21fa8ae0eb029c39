//! Forge webhooks: a pull or merge request becomes a series checked at its head.
//!
//! A webhook is accepted only when it proves it comes from the forge (GitHub's HMAC-SHA256
//! signature of the raw body, GitLab's shared token, both compared in constant time) and names
//! the repository configured for the project; anything else is refused and nothing is stored.
//! A delivery id seen before is answered without doing anything again (forges redeliver).
//! The commits are fetched later, by the worker, from the project's configured remote only.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use crate::config::{Project, secret};
use crate::db::now_ms;
use crate::http::{Shared, error, unavailable};
use crate::ingest::digest;
use crate::queue::{self, Work};
use crate::records::{PullRequest, SeriesMeta};

/// Whether `signature` (`sha256=HEX`) is GitHub's HMAC-SHA256 of `body` under `secret`.
pub fn github_signature_valid(secret: &[u8], body: &[u8], signature: Option<&str>) -> bool {
    let Some(hex) = signature.and_then(|s| s.strip_prefix("sha256=")) else {
        return false;
    };
    let Some(expected) = decode_hex(hex) else {
        return false;
    };
    let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

fn project_of<'a>(state: &'a Shared, name: &str) -> Result<&'a Project, Response> {
    state
        .service
        .config
        .project(name)
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "no such project"))
}

/// `POST /hooks/github/{project}`: `pull_request` events.
pub async fn github(
    State(state): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let project = match project_of(&state, &name) {
        Ok(p) => p.clone(),
        Err(r) => return r,
    };
    let Some(source) = &project.sources.github else {
        return error(
            StatusCode::NOT_FOUND,
            "this project takes no GitHub webhooks",
        );
    };
    let key = match secret(&source.secret_env) {
        Ok(key) => key,
        Err(e) => {
            tracing::error!(project = %name, error = %e, "webhook secret missing");
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the webhook secret is not configured",
            );
        }
    };
    let header = |h: &str| headers.get(h).and_then(|v| v.to_str().ok());
    if !github_signature_valid(key.as_bytes(), &body, header("x-hub-signature-256")) {
        return error(
            StatusCode::UNAUTHORIZED,
            "bad or missing X-Hub-Signature-256",
        );
    }
    let event = header("x-github-event").unwrap_or("");
    if event == "ping" {
        return (StatusCode::OK, axum::Json(json!({ "ok": "pong" }))).into_response();
    }
    if event != "pull_request" {
        return ignored(&format!("event `{event}` is not acted on"));
    }
    let Ok(payload) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "the body is not JSON");
    };
    let action = payload["action"].as_str().unwrap_or("");
    if !matches!(action, "opened" | "synchronize" | "reopened") {
        return ignored(&format!("action `{action}` is not acted on"));
    }
    let repository = payload["repository"]["full_name"].as_str().unwrap_or("");
    if !repository.eq_ignore_ascii_case(&source.repository) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the event is for another repository than the project's",
        );
    }
    let pr = &payload["pull_request"];
    let (Some(number), Some(head_sha), Some(head_ref), Some(base_ref)) = (
        payload["number"].as_u64(),
        pr["head"]["sha"].as_str(),
        pr["head"]["ref"].as_str(),
        pr["base"]["ref"].as_str(),
    ) else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the pull_request event lacks its number, head or base",
        );
    };
    if !is_commit_id(head_sha) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the head is not a commit id",
        );
    }
    let request = PullRequest {
        repository: repository.to_string(),
        number,
        head_sha: head_sha.to_string(),
        head_ref: head_ref.to_string(),
        base_ref: base_ref.to_string(),
        base_sha: pr["base"]["sha"]
            .as_str()
            .filter(|s| is_commit_id(s))
            .map(str::to_string),
    };
    let title = pr["title"].as_str().unwrap_or("").to_string();
    let author = pr["user"]["login"].as_str().unwrap_or("").to_string();
    let delivery = header("x-github-delivery")
        .map(str::to_string)
        .unwrap_or_else(|| digest(&body));
    accept(
        &state, &project, "github", &delivery, request, &title, &author,
    )
    .await
}

/// `POST /hooks/gitlab/{project}`: `Merge Request Hook` events.
pub async fn gitlab(
    State(state): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let project = match project_of(&state, &name) {
        Ok(p) => p.clone(),
        Err(r) => return r,
    };
    let Some(source) = &project.sources.gitlab else {
        return error(
            StatusCode::NOT_FOUND,
            "this project takes no GitLab webhooks",
        );
    };
    let key = match secret(&source.secret_env) {
        Ok(key) => key,
        Err(e) => {
            tracing::error!(project = %name, error = %e, "webhook token missing");
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the webhook token is not configured",
            );
        }
    };
    let header = |h: &str| headers.get(h).and_then(|v| v.to_str().ok());
    let presented = header("x-gitlab-token").unwrap_or("");
    if !bool::from(presented.as_bytes().ct_eq(key.as_bytes())) {
        return error(StatusCode::UNAUTHORIZED, "bad or missing X-Gitlab-Token");
    }
    if header("x-gitlab-event") != Some("Merge Request Hook") {
        return ignored("only Merge Request Hook events are acted on");
    }
    let Ok(payload) = serde_json::from_slice::<Value>(&body) else {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "the body is not JSON");
    };
    let attrs = &payload["object_attributes"];
    let action = attrs["action"].as_str().unwrap_or("");
    if !matches!(action, "open" | "reopen" | "update") {
        return ignored(&format!("action `{action}` is not acted on"));
    }
    let path = payload["project"]["path_with_namespace"]
        .as_str()
        .unwrap_or("");
    if !path.eq_ignore_ascii_case(&source.project) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the event is for another project than the configured one",
        );
    }
    let (Some(iid), Some(head_sha), Some(head_ref), Some(base_ref)) = (
        attrs["iid"].as_u64(),
        attrs["last_commit"]["id"].as_str(),
        attrs["source_branch"].as_str(),
        attrs["target_branch"].as_str(),
    ) else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the merge request event lacks its iid, last commit or branches",
        );
    };
    if !is_commit_id(head_sha) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the head is not a commit id",
        );
    }
    let request = PullRequest {
        repository: path.to_string(),
        number: iid,
        head_sha: head_sha.to_string(),
        head_ref: head_ref.to_string(),
        base_ref: base_ref.to_string(),
        base_sha: None,
    };
    let title = attrs["title"].as_str().unwrap_or("").to_string();
    let author = payload["user"]["username"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let delivery = header("x-gitlab-event-uuid")
        .map(str::to_string)
        .unwrap_or_else(|| digest(&body));
    accept(
        &state, &project, "gitlab", &delivery, request, &title, &author,
    )
    .await
}

fn is_commit_id(text: &str) -> bool {
    matches!(text.len(), 40 | 64) && text.bytes().all(|b| b.is_ascii_hexdigit())
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
    title: &str,
    author: &str,
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
        let subject = if title.is_empty() {
            format!("{} #{}", request.repository, request.number)
        } else {
            title.to_string()
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
        .bind(author)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_signatures_are_checked() {
        // The example of GitHub's documentation on validating webhook deliveries.
        let secret = b"It's a Secret to Everybody";
        let body = b"Hello, World!";
        let good = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert!(github_signature_valid(secret, body, Some(good)));
        assert!(!github_signature_valid(
            secret,
            b"Hello, World?",
            Some(good)
        ));
        assert!(!github_signature_valid(b"other", body, Some(good)));
        assert!(!github_signature_valid(secret, body, None));
        assert!(!github_signature_valid(secret, body, Some("sha1=00")));
        assert!(!github_signature_valid(secret, body, Some("sha256=zz")));
    }
}
