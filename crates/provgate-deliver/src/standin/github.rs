//! A stand-in GitHub API: check runs (create, append, list by commit) and commit statuses,
//! with GitHub's limits (50 annotations a request, 65,535-character summaries) and token rules.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use serde_json::{Value, json};

use super::http::{answer, page, serve};
use super::{Controls, Server, controls, lock};

/// A stand-in GitHub API at [`GitHubStandin::url`].
pub struct GitHubStandin {
    server: Server,
    data: Arc<Mutex<Data>>,
}

/// A check run as the stand-in holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCheckRun {
    /// `owner/repo`.
    pub repository: String,
    /// The run as GitHub shows it (`output.annotations_count` included).
    pub run: Value,
    /// Every annotation received for it, in order.
    pub annotations: Vec<Value>,
}

#[derive(Default)]
struct Data {
    origin: String,
    token: String,
    runs: Vec<StoredCheckRun>,
    statuses: Vec<(String, Value)>,
}

impl GitHubStandin {
    /// Starts one that accepts `Authorization: Bearer <token>`.
    pub fn start(token: &str) -> GitHubStandin {
        let data = Arc::new(Mutex::new(Data {
            token: token.to_string(),
            ..Data::default()
        }));
        let controls = Arc::new(Controls::default());
        let state = data.clone();
        let server = Server::start(controls.clone(), move |addr: SocketAddr| {
            lock(&state).origin = format!("http://{addr}");
            let router = Router::new()
                .route("/repos/{owner}/{repo}/check-runs", post(create_run))
                .route("/repos/{owner}/{repo}/check-runs/{id}", patch(update_run))
                .route(
                    "/repos/{owner}/{repo}/commits/{sha}/check-runs",
                    get(list_runs),
                )
                .route("/repos/{owner}/{repo}/statuses/{sha}", post(create_status))
                .with_state(state);
            serve(router, controls)
        });
        GitHubStandin { server, data }
    }

    /// The API's base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.server.addr())
    }

    /// The check runs created, in order.
    pub fn check_runs(&self) -> Vec<StoredCheckRun> {
        lock(&self.data).runs.clone()
    }

    /// The commit statuses set, as `(sha, body)`, in order.
    pub fn statuses(&self) -> Vec<(String, Value)> {
        lock(&self.data).statuses.clone()
    }
}

controls!(GitHubStandin);

type Shared = State<Arc<Mutex<Data>>>;

/// GitHub's answers to a request it does not let through, if any.
fn refused(data: &Data, headers: &HeaderMap) -> Option<Response> {
    if !headers.contains_key(header::USER_AGENT) {
        return Some(answer(
            StatusCode::FORBIDDEN,
            json!({"message": "Request forbidden by administrative rules. Please make sure your request has a User-Agent header"}),
        ));
    }
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let good = [
        format!("Bearer {}", data.token),
        format!("token {}", data.token),
    ];
    if !auth.is_some_and(|a| good.iter().any(|g| g == a)) {
        return Some(answer(
            StatusCode::UNAUTHORIZED,
            json!({"message": "Bad credentials", "status": "401"}),
        ));
    }
    None
}

fn invalid(message: &str) -> Response {
    answer(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({"message": "Validation Failed", "errors": [{"message": message}], "status": "422"}),
    )
}

/// The annotations of an output, or why they are refused.
fn annotations_of(output: &Value) -> Result<Vec<Value>, &'static str> {
    let annotations = output["annotations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if annotations.len() > 50 {
        return Err("Only 50 annotations are allowed per request");
    }
    for a in &annotations {
        let level = a["annotation_level"].as_str().unwrap_or("");
        if a["path"].as_str().is_none()
            || a["start_line"].as_u64().is_none()
            || a["end_line"].as_u64().is_none()
            || a["message"].as_str().is_none()
            || !["notice", "warning", "failure"].contains(&level)
        {
            return Err("Invalid annotation");
        }
        if a["title"].as_str().is_some_and(|t| t.chars().count() > 255) {
            return Err("Annotation title is too long (maximum is 255 characters)");
        }
    }
    if output["summary"]
        .as_str()
        .is_some_and(|s| s.chars().count() > 65_535)
    {
        return Err("Summary is too long (maximum is 65535 characters)");
    }
    Ok(annotations)
}

async fn create_run(
    State(data): Shared,
    Path((owner, repo)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut data = lock(&data);
    if let Some(refusal) = refused(&data, &headers) {
        return refusal;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return answer(
            StatusCode::BAD_REQUEST,
            json!({"message": "Problems parsing JSON"}),
        );
    };
    let (Some(name), Some(head_sha)) = (body["name"].as_str(), body["head_sha"].as_str()) else {
        return invalid("name and head_sha are required");
    };
    let conclusions = [
        "action_required",
        "cancelled",
        "failure",
        "neutral",
        "success",
        "skipped",
        "stale",
        "timed_out",
    ];
    if let Some(c) = body["conclusion"].as_str()
        && !conclusions.contains(&c)
    {
        return invalid("Invalid conclusion");
    }
    let annotations = match annotations_of(&body["output"]) {
        Ok(a) => a,
        Err(message) => return invalid(message),
    };
    let id = data.runs.len() as u64 + 1;
    let run = json!({
        "id": id,
        "name": name,
        "head_sha": head_sha,
        "external_id": body.get("external_id").cloned().unwrap_or(json!("")),
        "details_url": body.get("details_url").cloned().unwrap_or(Value::Null),
        "status": body["status"].as_str().unwrap_or(if body["conclusion"].is_string() { "completed" } else { "queued" }),
        "conclusion": body.get("conclusion").cloned().unwrap_or(Value::Null),
        "url": format!("{}/repos/{owner}/{repo}/check-runs/{id}", data.origin),
        "output": {
            "title": body["output"]["title"].clone(),
            "summary": body["output"]["summary"].clone(),
            "annotations_count": annotations.len(),
        },
    });
    data.runs.push(StoredCheckRun {
        repository: format!("{owner}/{repo}"),
        run: run.clone(),
        annotations,
    });
    answer(StatusCode::CREATED, run)
}

async fn update_run(
    State(data): Shared,
    Path((owner, repo, id)): Path<(String, String, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut data = lock(&data);
    if let Some(refusal) = refused(&data, &headers) {
        return refusal;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return answer(
            StatusCode::BAD_REQUEST,
            json!({"message": "Problems parsing JSON"}),
        );
    };
    let repository = format!("{owner}/{repo}");
    let Some(stored) = data
        .runs
        .iter_mut()
        .find(|r| r.run["id"] == json!(id) && r.repository == repository)
    else {
        return answer(StatusCode::NOT_FOUND, json!({"message": "Not Found"}));
    };
    let output = &body["output"];
    if output.is_object()
        && (output["title"].as_str().is_none() || output["summary"].as_str().is_none())
    {
        return invalid("output needs a title and a summary");
    }
    let annotations = match annotations_of(output) {
        Ok(a) => a,
        Err(message) => return invalid(message),
    };
    stored.annotations.extend(annotations);
    if output.is_object() {
        stored.run["output"]["title"] = output["title"].clone();
        stored.run["output"]["summary"] = output["summary"].clone();
    }
    stored.run["output"]["annotations_count"] = json!(stored.annotations.len());
    for key in ["conclusion", "status", "details_url"] {
        if let Some(value) = body.get(key) {
            stored.run[key] = value.clone();
        }
    }
    answer(StatusCode::OK, stored.run.clone())
}

async fn list_runs(
    State(data): Shared,
    Path((owner, repo, sha)): Path<(String, String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let data = lock(&data);
    if let Some(refusal) = refused(&data, &headers) {
        return refusal;
    }
    let repository = format!("{owner}/{repo}");
    let mut runs: Vec<Value> = data
        .runs
        .iter()
        .filter(|r| r.repository == repository && r.run["head_sha"] == json!(sha))
        .filter(|r| {
            query
                .get("check_name")
                .is_none_or(|n| r.run["name"] == json!(n))
        })
        .map(|r| r.run.clone())
        .rev()
        .collect();
    if query.get("filter").is_none_or(|f| f == "latest") {
        // The newest run of each name only.
        let mut seen = std::collections::HashSet::new();
        runs.retain(|r| seen.insert(r["name"].to_string()));
    }
    let total = runs.len();
    let path = format!("/repos/{owner}/{repo}/commits/{sha}/check-runs");
    let (shown, link) = page(runs, &data.origin, &path, &query, 30);
    (
        StatusCode::OK,
        link,
        axum::Json(json!({"total_count": total, "check_runs": shown})),
    )
        .into_response()
}

async fn create_status(
    State(data): Shared,
    Path((owner, repo, sha)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut data = lock(&data);
    if let Some(refusal) = refused(&data, &headers) {
        return refusal;
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return answer(
            StatusCode::BAD_REQUEST,
            json!({"message": "Problems parsing JSON"}),
        );
    };
    if !["error", "failure", "pending", "success"].contains(&body["state"].as_str().unwrap_or("")) {
        return invalid("state is not included in the list");
    }
    if body["description"]
        .as_str()
        .is_some_and(|d| d.chars().count() > 140)
    {
        return invalid("description is too long (maximum is 140 characters)");
    }
    let mut status = body.clone();
    status["id"] = json!(data.statuses.len() + 1);
    status["url"] = json!(format!(
        "{}/repos/{owner}/{repo}/statuses/{sha}",
        data.origin
    ));
    if status.get("context").is_none() {
        status["context"] = json!("default");
    }
    data.statuses.push((sha, status.clone()));
    answer(StatusCode::CREATED, status)
}
