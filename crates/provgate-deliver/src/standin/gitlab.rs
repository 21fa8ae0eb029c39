//! A stand-in GitLab API (v4): commit statuses, with GitLab's refusal to set a status to the
//! state it has, and merge-request notes.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::http::{answer, page_answer, serve};
use super::{Controls, Server, controls, lock};

/// A stand-in GitLab API at [`GitLabStandin::url`]. Projects are keyed by what the request
/// names (an id, or a path such as `group/project`).
pub struct GitLabStandin {
    server: Server,
    data: Arc<Mutex<Data>>,
}

#[derive(Default)]
struct Data {
    origin: String,
    token: String,
    statuses: Vec<Value>,
    notes: BTreeMap<(String, u64), Vec<Value>>,
}

impl GitLabStandin {
    /// Starts one that accepts `PRIVATE-TOKEN: <token>`.
    pub fn start(token: &str) -> GitLabStandin {
        let data = Arc::new(Mutex::new(Data {
            token: token.to_string(),
            ..Data::default()
        }));
        let controls = Arc::new(Controls::default());
        let state = data.clone();
        let server = Server::start(controls.clone(), move |addr: SocketAddr| {
            lock(&state).origin = format!("http://{addr}");
            let router = Router::new()
                .route(
                    "/api/v4/projects/{project}/statuses/{sha}",
                    post(create_status),
                )
                .route(
                    "/api/v4/projects/{project}/repository/commits/{sha}/statuses",
                    get(list_statuses),
                )
                .route(
                    "/api/v4/projects/{project}/merge_requests/{iid}/notes",
                    get(list_notes).post(create_note),
                )
                .with_state(state);
            serve(router, controls)
        });
        GitLabStandin { server, data }
    }

    /// The API's base URL (`http://127.0.0.1:PORT/api/v4`).
    pub fn url(&self) -> String {
        format!("http://{}/api/v4", self.server.addr())
    }

    /// The commit statuses set, in order (each with `project`, `sha`, `name`, `status`,
    /// `description`, `target_url`).
    pub fn statuses(&self) -> Vec<Value> {
        lock(&self.data).statuses.clone()
    }

    /// The notes of a merge request, in order.
    pub fn notes(&self, project: &str, iid: u64) -> Vec<Value> {
        lock(&self.data)
            .notes
            .get(&(project.to_string(), iid))
            .cloned()
            .unwrap_or_default()
    }
}

controls!(GitLabStandin);

type Shared = State<Arc<Mutex<Data>>>;

fn refused(data: &Data, headers: &HeaderMap) -> Option<Response> {
    let token = headers.get("private-token").and_then(|v| v.to_str().ok());
    (token != Some(data.token.as_str())).then(|| {
        answer(
            StatusCode::UNAUTHORIZED,
            json!({"message": "401 Unauthorized"}),
        )
    })
}

/// The body as JSON, or GitLab's answer to one that is not.
fn body_json(body: &Bytes) -> Result<Value, Box<Response>> {
    serde_json::from_slice(body).map_err(|_| {
        Box::new(answer(
            StatusCode::BAD_REQUEST,
            json!({"error": "body is not JSON"}),
        ))
    })
}

async fn create_status(
    State(data): Shared,
    Path((project, sha)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut data = lock(&data);
    if let Some(refusal) = refused(&data, &headers) {
        return refusal;
    }
    let body = match body_json(&body) {
        Ok(b) => b,
        Err(refusal) => return *refusal,
    };
    let state = body["state"].as_str().unwrap_or("");
    // The event GitLab's state machine fires to reach each state.
    let event = match state {
        "pending" => "enqueue",
        "running" => "run",
        "success" => "succeed",
        "failed" => "drop",
        "canceled" => "cancel",
        _ => {
            return answer(
                StatusCode::BAD_REQUEST,
                json!({"error": "state does not have a valid value"}),
            );
        }
    };
    let name = body["name"]
        .as_str()
        .or(body["context"].as_str())
        .unwrap_or("default")
        .to_string();
    let current = data
        .statuses
        .iter()
        .rev()
        .find(|s| {
            s["project"] == json!(project) && s["sha"] == json!(sha) && s["name"] == json!(name)
        })
        .and_then(|s| s["status"].as_str().map(str::to_string));
    if let Some(current) = current
        && current == state
        && (state == "pending" || state == "running")
    {
        return answer(
            StatusCode::BAD_REQUEST,
            json!({"message": format!("Cannot transition status via :{event} from :{current} (Reason(s): Status cannot transition via \"{event}\")")}),
        );
    }
    let status = json!({
        "id": data.statuses.len() + 1,
        "project": project,
        "sha": sha,
        "name": name,
        "status": state,
        "description": body.get("description").cloned().unwrap_or(Value::Null),
        "target_url": body.get("target_url").cloned().unwrap_or(Value::Null),
    });
    data.statuses.push(status.clone());
    answer(StatusCode::CREATED, status)
}

async fn list_statuses(
    State(data): Shared,
    Path((project, sha)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let data = lock(&data);
    if let Some(refusal) = refused(&data, &headers) {
        return refusal;
    }
    let items = data
        .statuses
        .iter()
        .filter(|s| s["project"] == json!(project) && s["sha"] == json!(sha))
        .filter(|s| query.get("name").is_none_or(|n| s["name"] == json!(n)))
        .cloned()
        .collect();
    let path = format!(
        "/api/v4/projects/{}/repository/commits/{sha}/statuses",
        project.replace('/', "%2F")
    );
    page_answer(items, &data.origin, &path, &query, 20)
}

async fn list_notes(
    State(data): Shared,
    Path((project, iid)): Path<(String, u64)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let data = lock(&data);
    if let Some(refusal) = refused(&data, &headers) {
        return refusal;
    }
    let items = data
        .notes
        .get(&(project.clone(), iid))
        .cloned()
        .unwrap_or_default();
    let path = format!(
        "/api/v4/projects/{}/merge_requests/{iid}/notes",
        project.replace('/', "%2F")
    );
    page_answer(items, &data.origin, &path, &query, 20)
}

async fn create_note(
    State(data): Shared,
    Path((project, iid)): Path<(String, u64)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut data = lock(&data);
    if let Some(refusal) = refused(&data, &headers) {
        return refusal;
    }
    let body = match body_json(&body) {
        Ok(b) => b,
        Err(refusal) => return *refusal,
    };
    let Some(text) = body["body"].as_str().filter(|t| !t.is_empty()) else {
        return answer(StatusCode::BAD_REQUEST, json!({"error": "body is missing"}));
    };
    let id = data.notes.values().map(Vec::len).sum::<usize>() + 1;
    let note = json!({"id": id, "body": text, "system": false, "noteable_iid": iid});
    data.notes
        .entry((project, iid))
        .or_default()
        .push(note.clone());
    answer(StatusCode::CREATED, note)
}
