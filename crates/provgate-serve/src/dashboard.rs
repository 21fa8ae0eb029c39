//! The dashboard: server-rendered pages, no scripts and no external assets.
//!
//! Every string from a mail, a commit or a webhook reaches the page through maud's escaping;
//! nothing is inserted raw but the inline stylesheet and the charts this module draws itself.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde_json::Value;

use crate::config::Scope;
use crate::http::{Shared, authorize, unavailable};
use crate::records::{self, DeliveryRow, SeriesFilter, SeriesRow};

/// The dashboard's routes.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(index))
        .route("/series/{id}", get(series_page))
        .route("/projects/{name}", get(project_page))
}

const STYLE: &str = "
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:10px 20px}header a{color:#fff;text-decoration:none;font-weight:600}
main{padding:16px 20px;max-width:1200px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{padding:6px 8px;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top}
th{background:#eef0f3;font-weight:600}
.pass{color:#0a7a32;font-weight:600}.warn{color:#9a6a00;font-weight:600}.fail{color:#b3261e;font-weight:600}.none{color:#6b7280}
form.filters{display:flex;gap:10px;flex-wrap:wrap;align-items:end;margin-bottom:12px}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:#4b5563}
.card{background:#fff;border:1px solid #e3e6ea;border-radius:6px;padding:10px 14px;margin:10px 0}
pre{background:#f1f3f5;padding:8px;overflow-x:auto;font-size:12.5px}
.target{background:#fde2e1}.muted{color:#6b7280}.tag{display:inline-block;padding:0 6px;border-radius:8px;background:#e8eaf6;font-size:12px}
";

fn page(title: &str, body: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) " — provgate" }
                    style { (PreEscaped(STYLE)) }
                }
                body {
                    header { a href="/" { "provgate" } " · series checked against the projects' AI-contribution policies" }
                    main { (body) }
                }
            }
        }
        .into_string(),
    )
}

fn verdict_cell(verdict: Option<&str>) -> Markup {
    match verdict {
        Some(v @ ("pass" | "warn" | "fail")) => html! { span class=(v) { (v) } },
        Some(other) => html! { span class="none" { (other) } },
        None => html! { span class="none" { "—" } },
    }
}

fn verdict_str(series: &SeriesRow) -> Option<String> {
    records::verdict_text(series.verdict)
}

fn when(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

async fn index(
    State(state): State<Shared>,
    Query(filter): Query<SeriesFilter>,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = authorize(&state, &headers, Scope::Read) {
        return denied;
    }
    let rows = match records::list_series(&state.service.db, &filter).await {
        Ok(rows) => rows,
        Err(e) => return unavailable(e),
    };
    let projects: Vec<&str> = state
        .service
        .config
        .projects
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    let selected = |value: Option<&str>, option: &str| value == Some(option);
    let ai = filter.ai.map(|a| if a { "yes" } else { "no" });
    page(
        "Series",
        html! {
            h1 { "Series" }
            form.filters method="get" action="/" {
                label { "Project"
                    select name="project" {
                        option value="" { "all" }
                        @for p in &projects {
                            option value=(p) selected[selected(filter.project.as_deref(), p)] { (p) }
                        }
                    }
                }
                label { "Verdict"
                    select name="verdict" {
                        option value="" { "any" }
                        @for v in ["pass", "warn", "fail"] {
                            option value=(v) selected[selected(filter.verdict.as_deref(), v)] { (v) }
                        }
                    }
                }
                label { "AI-assisted"
                    select name="ai" {
                        option value="" { "either" }
                        option value="true" selected[ai == Some("yes")] { "yes" }
                        option value="false" selected[ai == Some("no")] { "no" }
                    }
                }
                label { "From" input type="date" name="since" value=[filter.since.as_deref()]; }
                label { "To" input type="date" name="until" value=[filter.until.as_deref()]; }
                button type="submit" { "Filter" }
            }
            @if rows.is_empty() {
                p.muted { "No series match." }
            } @else {
                table #series {
                    thead { tr { th { "Series" } th { "Project" } th { "Version" } th { "From" } th { "State" } th { "AI" } th { "Verdict" } th { "First seen" } } }
                    tbody {
                        @for s in &rows {
                            tr {
                                td { a href={ "/series/" (s.id) } { (s.subject) } }
                                td { a href={ "/projects/" (s.project) } { (s.project) } }
                                td { "v" (s.version) }
                                td { (s.sender) }
                                td { (s.state) }
                                td { @match s.ai_assisted { Some(true) => "yes", Some(false) => "no", None => "—" } }
                                td { (verdict_cell(verdict_str(s).as_deref())) }
                                td.muted { (when(s.first_seen)) }
                            }
                        }
                    }
                }
            }
        },
    )
    .into_response()
}

async fn series_page(
    State(state): State<Shared>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = authorize(&state, &headers, Scope::Read) {
        return denied;
    }
    let db = &state.service.db;
    let series = match records::get_series(db, id).await {
        Ok(Some(series)) => series,
        Ok(None) => {
            return (
                StatusCode::NOT_FOUND,
                page("Not found", html! { p { "No such series." } }),
            )
                .into_response();
        }
        Err(e) => return unavailable(e),
    };
    let report = match series.report_id {
        Some(report_id) => match records::get_report(db, report_id).await {
            Ok(report) => report,
            Err(e) => return unavailable(e),
        },
        None => None,
    };
    let deliveries = match records::deliveries_of(db, id).await {
        Ok(d) => d,
        Err(e) => return unavailable(e),
    };
    page(
        &series.subject,
        html! {
            h1 { (series.subject) }
            p {
                span.tag { (series.project) } " "
                span.tag { "v" (series.version) } " "
                span.tag { (series.origin) } " "
                "from " (series.sender) " · first seen " (when(series.first_seen)) " · "
                (series.state) " · verdict " (verdict_cell(verdict_str(&series).as_deref()))
            }
            @if let Some(by) = series.superseded_by {
                p { "Superseded by " a href={ "/series/" (by) } { "a newer version" } "." }
            }
            @if let Some(report) = &report {
                div.card #base {
                    p { (report.base_note) }
                    @if !report.missing.is_empty() {
                        p.warn { "Checked without parts " (report.missing.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")) "." }
                    }
                    p.muted { "Checked " (when(report.created_at)) " in " (report.duration_ms) " ms · "
                        a href={ "/api/v1/reports/" (report.id) } { "JSON report" } }
                }
                (render_report(&report.report))
            } @else {
                p.muted { "Not checked yet." }
            }
            h2 { "Deliveries" }
            (render_deliveries(&deliveries))
        },
    )
    .into_response()
}

fn render_report(report: &Value) -> Markup {
    let empty = Vec::new();
    let patches = report["patches"].as_array().unwrap_or(&empty);
    let series_findings: Vec<&Value> = report["series"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .flat_map(|s| s["findings"].as_array().unwrap_or(&empty))
        .chain(report["findings"].as_array().unwrap_or(&empty))
        .collect();
    html! {
        @if !series_findings.is_empty() {
            div.card {
                h3 { "The series" }
                @for f in &series_findings { (render_finding(f)) }
            }
        }
        @for p in patches {
            div.card.patch {
                h3 { (p["subject"].as_str().unwrap_or("")) " " (verdict_cell(p["verdict"].as_str())) }
                p.muted {
                    (p["id"].as_str().unwrap_or(""))
                    @if let Some(author) = p["author"]["email"].as_str() { " · " (author) }
                    @if ai_assisted(&p["ai"]) { " · " span.tag { "AI-assisted" } }
                }
                @if let Some(proof) = p["proof"].as_object() {
                    p { "Proof: " strong { (proof.get("outcome").and_then(Value::as_str).unwrap_or("")) } " — "
                        (proof.get("summary").and_then(Value::as_str).unwrap_or("")) }
                }
                @let findings = p["findings"].as_array().unwrap_or(&empty);
                @if findings.is_empty() {
                    p.muted { "No findings." }
                }
                @for f in findings { (render_finding(f)) }
            }
        }
        @let notes = report["notes"].as_array().unwrap_or(&empty);
        @if !notes.is_empty() {
            div.card { h3 { "Notes" } ul { @for n in notes { li { (n.as_str().unwrap_or("")) } } } }
        }
    }
}

/// Whether a patch's AI evidence shows AI use: a disclosure, a fingerprint or authorship notes.
fn ai_assisted(ai: &Value) -> bool {
    let listed = |key: &str| ai[key].as_array().is_some_and(|a| !a.is_empty());
    ai["disclosed"].as_bool() == Some(true) || listed("fingerprints") || listed("authorship")
}

fn render_finding(f: &Value) -> Markup {
    let level = f["level"].as_str().unwrap_or("");
    let class = match level {
        "deny" => "fail",
        "warn" => "warn",
        _ => "none",
    };
    html! {
        div.finding {
            p {
                span class=(class) { (level) } " "
                code { (f["rule"].as_str().unwrap_or("")) } ": "
                (f["message"].as_str().unwrap_or(""))
                @if let Some(path) = f["path"].as_str() {
                    " " span.muted { (path) @if let Some(line) = f["line"].as_u64() { ":" (line) } }
                }
            }
            @if let Some(snippet) = f["snippet"].as_object() {
                @let first = snippet.get("first_line").and_then(Value::as_u64).unwrap_or(1);
                @let target = snippet.get("target").and_then(Value::as_u64).unwrap_or(0);
                pre {
                    @for (i, line) in snippet.get("lines").and_then(Value::as_array).map(|a| a.as_slice()).unwrap_or(&[]).iter().enumerate() {
                        @let number = first + i as u64;
                        span class=[(number == target).then_some("target")] {
                            (format!("{number:>5} | ")) (line.as_str().unwrap_or("")) "\n"
                        }
                    }
                }
            }
            @if let Some(help) = f["help"].as_str() { p.muted { "help: " (help) } }
        }
    }
}

fn render_deliveries(deliveries: &[DeliveryRow]) -> Markup {
    html! {
        @if deliveries.is_empty() {
            p.muted { "None." }
        } @else {
            table #deliveries {
                thead { tr { th { "Kind" } th { "To" } th { "State" } th { "Attempts" } th { "Detail" } th { "When" } } }
                tbody {
                    @for d in deliveries {
                        tr { td { (d.kind) } td { (d.target) } td { (d.state) } td { (d.attempts) }
                             td { (d.detail.as_deref().unwrap_or("")) } td.muted { (when(d.updated_at)) } }
                    }
                }
            }
        }
    }
}

async fn project_page(
    State(state): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = authorize(&state, &headers, Scope::Read) {
        return denied;
    }
    let service = state.service.clone();
    let Some(project) = service.config.project(&name).cloned() else {
        return (
            StatusCode::NOT_FOUND,
            page("Not found", html! { p { "No such project." } }),
        )
            .into_response();
    };
    let weeks = match records::weekly_verdicts(&service.db, &name).await {
        Ok(w) => w,
        Err(e) => return unavailable(e),
    };
    let policy = {
        let service = service.clone();
        let project = project.clone();
        tokio::task::spawn_blocking(move || {
            service.gate(&project, None).map(|gate| {
                provgate_policy::render::render(
                    gate.policy(),
                    provgate_policy::render::Format::Markdown,
                )
            })
        })
        .await
    };
    let policy = match policy {
        Ok(Ok(text)) => text,
        Ok(Err(e)) => format!("The policy cannot be loaded: {e}"),
        Err(e) => format!("The policy cannot be loaded: {e}"),
    };
    page(
        &project.name,
        html! {
            h1 { (project.name) }
            p.muted { "Policy " code { (project.policy) } " · branch " code { (project.branch) } }
            h2 { "Series checked per week" }
            (chart(&weeks))
            p { a href={ "/?project=" (project.name) } { "All series of " (project.name) } }
            h2 { "Policy" }
            pre #policy { (policy) }
        },
    )
    .into_response()
}

/// Stacked bars, one per week: pass, warn and fail counts, drawn as inline SVG.
fn chart(weeks: &[(i64, Option<String>, i64)]) -> Markup {
    let mut by_week: std::collections::BTreeMap<i64, [i64; 3]> = Default::default();
    for (week, verdict, count) in weeks {
        let slot = match verdict.as_deref() {
            Some("fail") => 2,
            Some("warn") => 1,
            _ => 0,
        };
        by_week.entry(*week).or_default()[slot] += count;
    }
    if by_week.is_empty() {
        return html! { p.muted { "Nothing checked yet." } };
    }
    let max = by_week
        .values()
        .map(|c| c.iter().sum::<i64>())
        .max()
        .unwrap_or(1)
        .max(1);
    let (width, height, bar) = (720i64, 180i64, 24i64);
    let step = (width / by_week.len() as i64).clamp(bar + 4, 120);
    let colors = ["#2e9e5b", "#e0a800", "#d33b30"];
    html! {
        svg #chart width=(width) height=(height + 30) viewBox={ "0 0 " (width) " " (height + 30) } role="img" aria-label="series per week by verdict" {
            @for (i, (week, counts)) in by_week.iter().enumerate() {
                @let x = i as i64 * step + 4;
                @let mut y = height;
                @for (slot, count) in counts.iter().enumerate() {
                    @if *count > 0 {
                        @let h = count * (height - 10) / max;
                        @let top = { y -= h; y };
                        rect x=(x) y=(top) width=(bar) height=(h) fill=(colors[slot]) {
                            title { (["pass", "warn", "fail"][slot]) ": " (count) }
                        }
                    }
                }
                text x=(x) y=(height + 16) font-size="10" { (when(*week).get(5..10).unwrap_or("")) }
            }
        }
        p.muted { span style="color:#2e9e5b" { "■ pass " } span style="color:#e0a800" { "■ warn " } span style="color:#d33b30" { "■ fail" } }
    }
}
