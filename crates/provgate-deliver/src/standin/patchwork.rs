//! A stand-in Patchwork (API 1.2): series-completed events, series, mboxes, patches by
//! Message-ID, and checks, with Patchwork's token rules.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::http::{answer, is_json, page_answer, serve};
use super::{Controls, Server, controls, lock};

/// Patchwork's page size.
const PAGE_SIZE: usize = 30;

/// A stand-in Patchwork instance. Its API is at [`PatchworkStandin::url`]; mboxes are served
/// on the same host, outside the API, as Patchwork does.
pub struct PatchworkStandin {
    server: Server,
    data: Arc<Mutex<Data>>,
}

/// A series to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandinSeries {
    /// Its id.
    pub id: u64,
    /// The project's `link_name`.
    pub project: String,
    /// Its name.
    pub name: Option<String>,
    /// Its version.
    pub version: u32,
    /// When it completed (`2026-06-01T12:00:00`); its event's date.
    pub date: String,
    /// Whether all its patches arrived (only then is there a `series-completed` event).
    pub received_all: bool,
    /// Its cover letter.
    pub cover_letter: Option<StandinPatch>,
    /// Its patches.
    pub patches: Vec<StandinPatch>,
    /// The mbox served for it.
    pub mbox: Vec<u8>,
}

/// A patch or cover letter of a [`StandinSeries`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandinPatch {
    /// Its id.
    pub id: u64,
    /// Its Message-ID, without angle brackets (served with them, as Patchwork does).
    pub msgid: String,
    /// Its subject.
    pub name: String,
}

#[derive(Default)]
struct Data {
    origin: String,
    token: String,
    series: Vec<StandinSeries>,
    checks: BTreeMap<u64, Vec<Value>>,
    clock: u64,
}

impl PatchworkStandin {
    /// Starts one that accepts check posts with `Token <token>`.
    pub fn start(token: &str) -> PatchworkStandin {
        let data = Arc::new(Mutex::new(Data {
            token: token.to_string(),
            ..Data::default()
        }));
        let controls = Arc::new(Controls::default());
        let state = data.clone();
        let server = Server::start(controls.clone(), move |addr: SocketAddr| {
            lock(&state).origin = format!("http://{addr}");
            let router = Router::new()
                .route("/api/1.2/events/", get(events))
                .route("/api/1.2/series/{id}/", get(series))
                .route("/api/1.2/patches/", get(patches))
                .route(
                    "/api/1.2/patches/{id}/checks/",
                    get(checks).post(post_check),
                )
                .route("/series/{id}/mbox/", get(mbox))
                .with_state(state);
            serve(router, controls)
        });
        PatchworkStandin { server, data }
    }

    /// The API's base URL (`http://127.0.0.1:PORT/api/1.2`).
    pub fn url(&self) -> String {
        format!("http://{}/api/1.2", self.server.addr())
    }

    /// Adds a series (and, when complete, its `series-completed` event).
    pub fn add_series(&self, series: StandinSeries) {
        lock(&self.data).series.push(series);
    }

    /// The checks posted on a patch, oldest first, as Patchwork lists them.
    pub fn checks(&self, patch_id: u64) -> Vec<Value> {
        lock(&self.data)
            .checks
            .get(&patch_id)
            .cloned()
            .unwrap_or_default()
    }
}

controls!(PatchworkStandin);

type Shared = State<Arc<Mutex<Data>>>;

fn project_json(origin: &str, name: &str) -> Value {
    json!({"id": 1, "url": format!("{origin}/api/1.2/projects/1/"), "name": name, "link_name": name})
}

fn item_json(origin: &str, kind: &str, p: &StandinPatch) -> Value {
    json!({
        "id": p.id,
        "url": format!("{origin}/api/1.2/{kind}/{}/", p.id),
        "msgid": format!("<{}>", p.msgid),
        "name": p.name,
        "mbox": format!("{origin}/{kind}/{}/mbox/", p.id),
    })
}

fn series_link(origin: &str, s: &StandinSeries) -> Value {
    json!({
        "id": s.id,
        "url": format!("{origin}/api/1.2/series/{}/", s.id),
        "name": s.name,
        "date": s.date,
        "version": s.version,
        "mbox": format!("{origin}/series/{}/mbox/", s.id),
    })
}

async fn events(State(data): Shared, Query(query): Query<HashMap<String, String>>) -> Response {
    let data = lock(&data);
    let mut events: Vec<&StandinSeries> = data
        .series
        .iter()
        .filter(|s| s.received_all)
        .filter(|s| query.get("project").is_none_or(|p| *p == s.project))
        .filter(|_| {
            query
                .get("category")
                .is_none_or(|c| c == "series-completed")
        })
        // Patchwork's `since` is inclusive (`date >= since`).
        .filter(|s| {
            query
                .get("since")
                .is_none_or(|since| s.date.as_str() >= since.as_str())
        })
        .collect();
    // Newest first, as Patchwork lists events.
    events.sort_by(|a, b| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));
    let items = events
        .into_iter()
        .map(|s| {
            json!({
                "id": s.id,
                "category": "series-completed",
                "project": project_json(&data.origin, &s.project),
                "date": s.date,
                "actor": null,
                "payload": {"series": series_link(&data.origin, s)},
            })
        })
        .collect();
    page_answer(items, &data.origin, "/api/1.2/events/", &query, PAGE_SIZE)
}

async fn series(State(data): Shared, Path(id): Path<u64>) -> Response {
    let data = lock(&data);
    let Some(s) = data.series.iter().find(|s| s.id == id) else {
        return answer(StatusCode::NOT_FOUND, json!({"detail": "Not found."}));
    };
    let mut body = series_link(&data.origin, s);
    body["project"] = project_json(&data.origin, &s.project);
    body["received_all"] = json!(s.received_all);
    body["total"] = json!(s.patches.len());
    body["received_total"] = json!(s.patches.len());
    body["cover_letter"] = s
        .cover_letter
        .as_ref()
        .map_or(Value::Null, |c| item_json(&data.origin, "covers", c));
    body["patches"] = s
        .patches
        .iter()
        .map(|p| item_json(&data.origin, "patches", p))
        .collect();
    answer(StatusCode::OK, body)
}

async fn patches(State(data): Shared, Query(query): Query<HashMap<String, String>>) -> Response {
    let data = lock(&data);
    let items = data
        .series
        .iter()
        .filter(|s| query.get("project").is_none_or(|p| *p == s.project))
        .flat_map(|s| &s.patches)
        .filter(|p| query.get("msgid").is_none_or(|m| *m == p.msgid))
        .map(|p| item_json(&data.origin, "patches", p))
        .collect();
    page_answer(items, &data.origin, "/api/1.2/patches/", &query, PAGE_SIZE)
}

async fn mbox(State(data): Shared, Path(id): Path<u64>) -> Response {
    let data = lock(&data);
    match data.series.iter().find(|s| s.id == id) {
        Some(s) => ([(header::CONTENT_TYPE, "text/plain")], s.mbox.clone()).into_response(),
        None => answer(StatusCode::NOT_FOUND, json!({"detail": "Not found."})),
    }
}

async fn checks(
    State(data): Shared,
    Path(id): Path<u64>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let data = lock(&data);
    let items = data.checks.get(&id).cloned().unwrap_or_default();
    let path = format!("/api/1.2/patches/{id}/checks/");
    page_answer(items, &data.origin, &path, &query, PAGE_SIZE)
}

async fn post_check(
    State(data): Shared,
    Path(id): Path<u64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut data = lock(&data);
    match headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        None => {
            return answer(
                StatusCode::FORBIDDEN,
                json!({"detail": "Authentication credentials were not provided."}),
            );
        }
        Some(auth) if auth != format!("Token {}", data.token) => {
            return answer(
                StatusCode::UNAUTHORIZED,
                json!({"detail": "Invalid token."}),
            );
        }
        Some(_) => {}
    }
    if !data
        .series
        .iter()
        .flat_map(|s| &s.patches)
        .any(|p| p.id == id)
    {
        return answer(StatusCode::NOT_FOUND, json!({"detail": "Not found."}));
    }
    if !is_json(&headers) {
        return answer(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            json!({"detail": "Unsupported media type in request."}),
        );
    }
    let Ok(check) = serde_json::from_slice::<Value>(&body) else {
        return answer(
            StatusCode::BAD_REQUEST,
            json!({"detail": "JSON parse error"}),
        );
    };
    let state = check["state"].as_str().unwrap_or("");
    if !["pending", "success", "warning", "fail"].contains(&state) {
        return answer(
            StatusCode::BAD_REQUEST,
            json!({"state": ["not a valid choice."]}),
        );
    }
    let context = check["context"].as_str().unwrap_or("default");
    if context.is_empty()
        || !context
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return answer(
            StatusCode::BAD_REQUEST,
            json!({"context": ["Enter a valid slug."]}),
        );
    }
    if check["target_url"]
        .as_str()
        .is_some_and(|u| u.chars().count() > 200)
    {
        return answer(
            StatusCode::BAD_REQUEST,
            json!({"target_url": ["Ensure this field has no more than 200 characters."]}),
        );
    }
    data.clock += 1;
    let number = data.checks.values().map(Vec::len).sum::<usize>() + 1;
    let stored = json!({
        "id": number,
        "url": format!("{}/api/1.2/patches/{id}/checks/{number}/", data.origin),
        "user": {"id": 1, "username": "provgate-bot"},
        "date": format!("2026-06-01T12:00:00.{:06}", data.clock),
        "state": state,
        "target_url": check.get("target_url").cloned().unwrap_or(Value::Null),
        "context": context,
        "description": check.get("description").cloned().unwrap_or(Value::Null),
    });
    data.checks.entry(id).or_default().push(stored.clone());
    answer(StatusCode::CREATED, stored)
}
