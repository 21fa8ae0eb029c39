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
use provgate_deliver::text::cut_chars;
use provgate_report::{Level, Snippet, Verdict};

use crate::config::{Config, Scope};
use crate::http::{Shared, authorize, unavailable};
use crate::ingest::series_state;
use crate::records::{self, DeliveryRow, SeriesFilter, SeriesRow};
use crate::view::{StoredFinding, StoredReport};

/// The dashboard's routes.
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(index))
        .route("/series/{id}", get(series_page))
        .route("/projects/{name}", get(project_page))
        .route("/sources", get(sources_page))
}

/// Series a list page shows, unless `limit` says otherwise.
const PAGE: i64 = 50;

/// The longest subject a list row shows, in characters (the series page shows it whole,
/// wrapped).
const LIST_SUBJECT_CHARS: usize = 120;

const STYLE: &str = "
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:10px 20px}header a{color:#fff;text-decoration:none;font-weight:600}
main{padding:16px 20px;max-width:1200px}
h1{overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;background:#fff;table-layout:auto}th,td{padding:6px 8px;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top;overflow-wrap:anywhere}
td.subject{max-width:40ch}
th{background:#eef0f3;font-weight:600}
.pass{color:#0a7a32;font-weight:600}.warn{color:#9a6a00;font-weight:600}.fail{color:#b3261e;font-weight:600}.none{color:#6b7280}
form.filters{display:flex;gap:10px;flex-wrap:wrap;align-items:end;margin-bottom:12px}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:#4b5563}
.card{background:#fff;border:1px solid #e3e6ea;border-radius:6px;padding:10px 14px;margin:10px 0;overflow-wrap:anywhere}
.error{border-color:#b3261e;background:#fdf1f0}
pre{background:#f1f3f5;padding:8px;overflow-x:auto;font-size:12.5px;white-space:pre-wrap;overflow-wrap:anywhere}
.target{background:#fde2e1}.muted{color:#6b7280}.tag{display:inline-block;padding:0 6px;border-radius:8px;background:#e8eaf6;font-size:12px}
nav.pages{display:flex;gap:16px;margin:12px 0}
";

fn page(title: &str, body: Markup) -> Html<String> {
    Html(
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (cut_chars(title, LIST_SUBJECT_CHARS)) " — provgate" }
                    style { (PreEscaped(STYLE)) }
                }
                body {
                    header { a href="/" { "provgate" } " · series checked against the projects' AI-contribution policies · " a href="/sources" { "sources" } }
                    main { (body) }
                }
            }
        }
        .into_string(),
    )
}

/// Text shown on a public page with the server's own paths (mirrors, databases, outboxes,
/// policy files, archives) replaced by their last component.
pub struct Public {
    paths: Vec<(String, String)>,
}

impl Public {
    /// The paths of `config` to hide.
    pub fn new(config: &Config) -> Public {
        let mut paths: Vec<std::path::PathBuf> = Vec::new();
        if !crate::config::is_url(&config.server.database) {
            let database = std::path::PathBuf::from(&config.server.database);
            paths.extend(database.parent().map(std::path::Path::to_path_buf));
            paths.push(database);
        }
        for project in &config.projects {
            paths.push(project.repository.clone());
            for source in project
                .sources
                .public_inbox
                .iter()
                .chain(&project.sources.maildir)
            {
                paths.push(source.path.clone());
            }
            if let Some(outbox) = project
                .deliver
                .email
                .as_ref()
                .and_then(|e| e.outbox.clone())
            {
                paths.push(outbox);
            }
            if let Some(file) = project.policy.strip_prefix("file:") {
                paths.push(file.into());
            }
        }
        let mut pairs: Vec<(String, String)> = Vec::new();
        for path in paths {
            let name = path
                .file_name()
                .map(|n| format!("…/{}", n.to_string_lossy()))
                .unwrap_or_else(|| "…".into());
            let mut spellings = vec![path.display().to_string()];
            if let Ok(canonical) = std::fs::canonicalize(&path) {
                spellings.push(canonical.display().to_string());
            }
            for spelling in spellings {
                if spelling.len() > 1 && !pairs.iter().any(|(p, _)| *p == spelling) {
                    pairs.push((spelling, name.clone()));
                }
            }
        }
        // A remote may carry credentials in its URL: it is named by its setting.
        for project in &config.projects {
            if let Some(remote) = &project.remote {
                pairs.push((remote.clone(), "`remote`".into()));
            }
        }
        // The longest first, so that a file inside a hidden directory keeps its own name.
        pairs.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        Public { paths: pairs }
    }

    /// `text` with the server's paths hidden.
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (path, name) in &self.paths {
            if out.contains(path.as_str()) {
                out = out.replace(path.as_str(), name);
            }
        }
        out
    }
}

fn verdict_class(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "pass",
        Verdict::Warn => "warn",
        Verdict::Fail => "fail",
    }
}

fn verdict_cell(verdict: Option<Verdict>) -> Markup {
    match verdict {
        Some(v) => html! { span class=(verdict_class(v)) { (v.as_str()) } },
        None => html! { span class="none" { "—" } },
    }
}

fn when(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// `n/m` parts and whether the series is whole: `3/3`, `2/3 (incomplete)`, `1 patch`.
fn parts(series: &SeriesRow) -> String {
    match series.total {
        Some(total) if series.arrived < total => format!("{}/{total} (incomplete)", series.arrived),
        Some(total) => format!("{}/{total}", series.arrived),
        None if series.arrived == 1 => "1 patch".into(),
        None => format!("{} patches", series.arrived),
    }
}

/// A query string of `filter` at `offset` (values restricted to URL-safe characters).
fn page_query(filter: &SeriesFilter, limit: i64, offset: i64) -> String {
    fn encode(value: &str) -> String {
        value
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    }
    let mut pairs: Vec<String> = Vec::new();
    for (key, value) in [
        ("project", filter.project.clone()),
        ("verdict", filter.verdict.clone()),
        ("ai", filter.ai.map(|a| a.to_string())),
        ("since", filter.since.clone()),
        ("until", filter.until.clone()),
    ] {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            pairs.push(format!("{key}={}", encode(&value)));
        }
    }
    pairs.push(format!("limit={limit}"));
    pairs.push(format!("offset={offset}"));
    format!("/?{}", pairs.join("&"))
}

async fn index(
    State(state): State<Shared>,
    Query(filter): Query<SeriesFilter>,
    headers: HeaderMap,
) -> Response {
    if let Err(denied) = authorize(&state, &headers, Scope::Read) {
        return denied;
    }
    let db = &state.service.db;
    let size = filter.limit.unwrap_or(PAGE).clamp(1, 1000);
    let offset = filter.offset.unwrap_or(0).max(0);
    // One more than the page, to know whether there is a next one.
    let mut query = filter.clone();
    query.limit = Some(size + 1);
    query.offset = Some(offset);
    let mut rows = match records::list_series(db, &query).await {
        Ok(rows) => rows,
        Err(e) => return unavailable(e),
    };
    let has_next = rows.len() as i64 > size;
    rows.truncate(size as usize);
    let mut counts = Vec::with_capacity(rows.len());
    for series in &rows {
        let report = match series.report_id {
            Some(id) => match records::get_report(db, id).await {
                Ok(report) => report,
                Err(e) => return unavailable(e),
            },
            None => None,
        };
        counts.push(
            report
                .and_then(|r| serde_json::from_value::<StoredReport>(r.report).ok())
                .map(|r| r.counts()),
        );
    }
    let public = Public::new(&state.service.config);
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
                        @for v in [Verdict::Pass, Verdict::Warn, Verdict::Fail] {
                            option value=(v.as_str()) selected[selected(filter.verdict.as_deref(), v.as_str())] { (v.as_str()) }
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
                    thead { tr { th { "Series" } th { "Parts" } th { "Author" } th { "Sent" } th { "Project" } th { "State" } th { "AI" } th { "Verdict" } th { "Findings" } } }
                    tbody {
                        @for (s, count) in rows.iter().zip(&counts) {
                            tr {
                                td.subject { a href={ "/series/" (s.id) } title=(s.subject) { (cut_chars(&s.subject, LIST_SUBJECT_CHARS)) } @if s.version > 1 { " " span.tag { "v" (s.version) } } }
                                td { (parts(s)) }
                                td { (cut_chars(s.author.as_deref().unwrap_or(&s.sender), 60)) }
                                td.muted { (s.sent_at.map(when).unwrap_or_else(|| when(s.first_seen))) }
                                td { a href={ "/projects/" (s.project) } { (s.project) } }
                                td {
                                    (s.state)
                                    @if let Some(error) = &s.error { br; span.fail title=(public.text(error)) { (cut_chars(&public.text(error), 80)) } }
                                }
                                td { @match s.ai_assisted { Some(true) => "yes", Some(false) => "no", None => "—" } }
                                td { (verdict_cell(s.verdict)) }
                                td { @if let Some((errors, warnings)) = count { (errors) " error(s), " (warnings) " warning(s)" } @else { "—" } }
                            }
                        }
                    }
                }
            }
            nav.pages {
                @if offset > 0 {
                    a rel="prev" href=(page_query(&filter, size, (offset - size).max(0))) { "← Newer" }
                }
                @if has_next {
                    a rel="next" href=(page_query(&filter, size, offset + size)) { "Older →" }
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
    let messages = match records::series_message_ids(db, id).await {
        Ok(m) => m,
        Err(e) => return unavailable(e),
    };
    let archive = state
        .service
        .config
        .project(&series.project)
        .and_then(|p| p.archive_url.clone());
    let public = Public::new(&state.service.config);
    let typed = report
        .as_ref()
        .map(|r| serde_json::from_value::<StoredReport>(r.report.clone()));
    page(
        &series.subject,
        html! {
            h1 { (series.subject) }
            p {
                span.tag { (series.project) } " "
                span.tag { "v" (series.version) } " "
                span.tag { (series.origin) } " "
                span.tag #parts { (parts(&series)) } " "
                "by " (series.author.as_deref().unwrap_or(&series.sender))
                @if series.author.is_some() && !series.sender.is_empty() { " <" (series.sender) ">" }
                " · sent " (series.sent_at.map(when).unwrap_or_else(|| "at an unknown date".into()))
                " · first seen " (when(series.first_seen)) " · "
                (series.state) " · verdict " (verdict_cell(series.verdict))
            }
            @if let Some(error) = &series.error {
                div.card.error #error {
                    @if series.state == series_state::UNREADABLE {
                        p { strong { "This message could not be read as a patch: " } (public.text(error)) }
                    } @else {
                        p { strong { "The check failed: " } (public.text(error)) }
                    }
                }
            }
            @if let Some(by) = series.superseded_by {
                p { "Superseded by " a href={ "/series/" (by) } { "a newer version" } "." }
            }
            @if !messages.is_empty() {
                div.card #messages {
                    h3 { "Messages" }
                    ul {
                        @for (part, message_id) in &messages {
                            li {
                                @if *part == 0 { "cover letter " } @else { "patch " (part) " " }
                                @if let Some(base) = &archive {
                                    a href={ (base) (message_id) "/" } { "<" (message_id) ">" }
                                } @else {
                                    code { "<" (message_id) ">" }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(report) = &report {
                div.card #base {
                    p { (public.text(&report.base_note)) }
                    @if !report.missing.is_empty() {
                        p.warn { "Incomplete: checked without patch " (report.missing.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")) "." }
                    }
                    p.muted { "Checked " (when(report.created_at)) " in " (report.duration_ms) " ms · "
                        a href={ "/api/v1/reports/" (report.id) } { "JSON report" } }
                }
                @match &typed {
                    Some(Ok(typed)) => (render_report(typed, &public, &report.base_note)),
                    _ => p.muted { "The stored report cannot be read by this version." },
                }
            } @else if series.error.is_none() {
                p.muted { "Not checked yet." }
            }
            h2 { "Deliveries" }
            (render_deliveries(&deliveries, &public))
        },
    )
    .into_response()
}

fn render_report(report: &StoredReport, public: &Public, base_note: &str) -> Markup {
    let series_findings: Vec<&StoredFinding> = report
        .series
        .iter()
        .flat_map(|s| &s.findings)
        .chain(&report.findings)
        .collect();
    html! {
        @if !series_findings.is_empty() {
            div.card {
                h3 { "The series" }
                @for f in &series_findings { (render_finding(f, public)) }
            }
        }
        @for p in &report.patches {
            div.card.patch {
                h3 { (p.subject) " " (verdict_cell(p.verdict)) }
                p.muted {
                    (p.id)
                    @if let Some(author) = &p.author { " · " (author.name) " <" (author.email) ">" }
                    @if p.ai.as_ref().is_some_and(|ai| ai.shows_ai()) { " · " span.tag { "AI-assisted" } }
                }
                @if let Some(proof) = &p.proof {
                    p { "Proof: " strong { (proof.outcome.to_string()) } " — " (proof.summary) }
                }
                @if p.findings.is_empty() {
                    p.muted { "No findings." }
                }
                @for f in &p.findings { (render_finding(f, public)) }
            }
        }
        // The base statement is shown above; the other notes here.
        @let notes: Vec<&String> = report.notes.iter().filter(|n| *n != base_note).collect();
        @if !notes.is_empty() {
            div.card { h3 { "Notes" } ul { @for n in notes { li { (public.text(n)) } } } }
        }
    }
}

fn level_class(level: Level) -> &'static str {
    match level {
        Level::Deny => "fail",
        Level::Warn => "warn",
        Level::Allow => "none",
    }
}

fn render_finding(f: &StoredFinding, public: &Public) -> Markup {
    let finding = &f.finding;
    html! {
        div.finding {
            p {
                span class=(level_class(finding.level)) { (finding.level.as_str()) } " "
                code { (finding.rule.as_str()) } ": "
                (public.text(&finding.message))
                @if let Some(path) = &finding.path {
                    " " span.muted { (path) @if let Some(line) = finding.line { ":" (line) } }
                }
            }
            @if let Some(snippet) = &f.snippet { (code_frame(snippet)) }
            @if let Some(help) = &finding.help { p.muted { "help: " (help) } }
        }
    }
}

/// The lines around a finding, numbered, its own line marked.
fn code_frame(snippet: &Snippet) -> Markup {
    html! {
        pre.frame {
            @for (i, line) in snippet.lines.iter().enumerate() {
                @let number = snippet.first_line + i as u32;
                span class=[(number == snippet.target).then_some("target")] {
                    (format!("{number:>5} | ")) (line) "\n"
                }
            }
        }
    }
}

fn render_deliveries(deliveries: &[DeliveryRow], public: &Public) -> Markup {
    html! {
        @if deliveries.is_empty() {
            p.muted { "None." }
        } @else {
            table #deliveries {
                thead { tr { th { "Kind" } th { "To" } th { "State" } th { "Attempts" } th { "Detail" } th { "When" } } }
                tbody {
                    @for d in deliveries {
                        tr { td { (d.kind) } td { (d.target) } td { (d.state) } td { (d.attempts) }
                             td { (public.text(d.detail.as_deref().unwrap_or(""))) } td.muted { (when(d.updated_at)) } }
                    }
                }
            }
        }
    }
}

async fn sources_page(State(state): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(denied) = authorize(&state, &headers, Scope::Read) {
        return denied;
    }
    let sources = match records::sources(&state.service.db).await {
        Ok(s) => s,
        Err(e) => return unavailable(e),
    };
    let public = Public::new(&state.service.config);
    page(
        "Sources",
        html! {
            h1 { "Sources" }
            @if sources.is_empty() {
                p.muted { "No source polled yet." }
            } @else {
                table #sources {
                    thead { tr { th { "Project" } th { "Source" } th { "Last poll" } th { "Position" } th { "Messages read" } th { "Error" } } }
                    tbody {
                        @for s in &sources {
                            tr {
                                td { (s.project) }
                                td { (public.text(&s.source)) }
                                td.muted { (s.last_poll.map(when).unwrap_or_default()) }
                                td { code { (cut_chars(&s.cursor, 60)) } }
                                td {
                                    @for (outcome, n) in &s.counts { (outcome) ": " (n) br; }
                                    @if let Some(e) = &s.counts_error { span.fail { "counts unreadable: " (e) } }
                                }
                                td { @if let Some(e) = &s.last_error { span.fail { (public.text(e)) } } }
                            }
                        }
                    }
                }
            }
        },
    )
    .into_response()
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
            service.gate(&project, None, None, false).map(|gate| {
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
    let public = Public::new(&service.config);
    let policy = public.text(&policy);
    page(
        &project.name,
        html! {
            h1 { (project.name) }
            p.muted { "Policy " code { (public.text(&project.policy)) } " · branch " code { (project.branch) } }
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
        let slot = match verdict.as_deref().and_then(records::parse_verdict) {
            Some(Verdict::Fail) => 2,
            Some(Verdict::Warn) => 1,
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
