//! The service's records as typed rows: series, reports and deliveries, read for the API and
//! the dashboard, and written when a check ends.

use provgate_report::Verdict;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::db::Db;
use crate::error::ServeError;

/// What a series knows of where it came from, beyond its messages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesMeta {
    /// The Patchwork series it was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patchwork: Option<PatchworkMeta>,
    /// The GitHub pull request it stands for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github: Option<PullRequest>,
    /// The GitLab merge request it stands for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gitlab: Option<PullRequest>,
}

/// A Patchwork series and its patches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchworkMeta {
    /// The series id.
    pub series: i64,
    /// Each patch's Message-ID (without angle brackets) and Patchwork id, in order.
    pub patches: Vec<(String, i64)>,
}

/// A pull or merge request at one head.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    /// `owner/name` (GitHub) or the project path (GitLab).
    pub repository: String,
    /// The request's number (GitLab: its iid).
    pub number: u64,
    /// The head commit.
    pub head_sha: String,
    /// The head branch.
    pub head_ref: String,
    /// The branch it targets.
    pub base_ref: String,
    /// The base commit, when the event names it.
    pub base_sha: Option<String>,
    /// Its title, as the forge shows it.
    #[serde(default)]
    pub title: String,
    /// Who opened it (a forge login).
    #[serde(default)]
    pub author: String,
}

/// A series as the API and the dashboard show it.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesRow {
    /// Its id.
    pub id: i64,
    /// Its project.
    pub project: String,
    /// `mail`, `patchwork`, `api`, `github` or `gitlab`.
    pub origin: String,
    /// Its subject without the prefix.
    pub subject: String,
    /// Its sender's address.
    pub sender: String,
    /// Its version.
    pub version: i64,
    /// The announced number of patches.
    pub total: Option<i64>,
    /// `collecting`, `queued`, `checked` or `superseded`.
    pub state: String,
    /// When its first message arrived (ms since the epoch).
    pub first_seen: i64,
    /// The series that superseded it.
    pub superseded_by: Option<i64>,
    /// Its verdict, once checked.
    pub verdict: Option<Verdict>,
    /// Whether any patch shows AI use, once checked.
    pub ai_assisted: Option<bool>,
    /// Its newest report.
    pub report_id: Option<i64>,
    /// Where it came from, beyond its messages.
    pub meta: SeriesMeta,
}

const SERIES_COLUMNS: &str = "id, project, origin, subject, sender, version, total, state, \
                              first_seen, superseded_by, verdict, ai_assisted, report_id, meta";

fn series_row(row: &sqlx::any::AnyRow) -> Result<SeriesRow, sqlx::Error> {
    let verdict: Option<String> = row.try_get(10)?;
    let ai: Option<i64> = row.try_get(11)?;
    let meta: String = row.try_get(13)?;
    Ok(SeriesRow {
        id: row.try_get(0)?,
        project: row.try_get(1)?,
        origin: row.try_get(2)?,
        subject: row.try_get(3)?,
        sender: row.try_get(4)?,
        version: row.try_get(5)?,
        total: row.try_get(6)?,
        state: row.try_get(7)?,
        first_seen: row.try_get(8)?,
        superseded_by: row.try_get(9)?,
        verdict: verdict.as_deref().and_then(parse_verdict),
        ai_assisted: ai.map(|a| a != 0),
        report_id: row.try_get(12)?,
        meta: serde_json::from_str(&meta).unwrap_or_default(),
    })
}

/// The verdict stored as text.
pub fn parse_verdict(text: &str) -> Option<Verdict> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
}

/// The text a verdict is stored as.
pub fn verdict_text(verdict: Option<Verdict>) -> Option<String> {
    verdict.map(|v| {
        serde_json::to_value(v)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    })
}

/// Which series a listing shows.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SeriesFilter {
    /// Only this project.
    pub project: Option<String>,
    /// Only this verdict (`pass`, `warn`, `fail`).
    pub verdict: Option<String>,
    /// Only series with (`true`) or without (`false`) AI use.
    pub ai: Option<bool>,
    /// Only series first seen on or after this day (`YYYY-MM-DD`).
    pub since: Option<String>,
    /// Only series first seen before the day after this one (`YYYY-MM-DD`).
    pub until: Option<String>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<i64>,
    /// Skip this many, newest first.
    pub offset: Option<i64>,
}

/// A day as milliseconds since the epoch at its UTC midnight.
fn day_ms(day: &str) -> Option<i64> {
    let date: jiff::civil::Date = day.parse().ok()?;
    Some(
        date.to_zoned(jiff::tz::TimeZone::UTC)
            .ok()?
            .timestamp()
            .as_millisecond(),
    )
}

/// Series matching `filter`, newest first.
pub async fn list_series(db: &Db, filter: &SeriesFilter) -> Result<Vec<SeriesRow>, ServeError> {
    let since = filter.since.as_deref().and_then(day_ms);
    let until = filter
        .until
        .as_deref()
        .and_then(day_ms)
        .map(|ms| ms + 86_400_000);
    let ai = filter.ai.map(i64::from);
    let sql = format!(
        "SELECT {SERIES_COLUMNS} FROM serve_series WHERE \
         ($1 IS NULL OR project = $1) AND ($2 IS NULL OR verdict = $2) AND \
         ($3 IS NULL OR ai_assisted = $3) AND ($4 IS NULL OR first_seen >= $4) AND \
         ($5 IS NULL OR first_seen < $5) ORDER BY id DESC LIMIT $6 OFFSET $7"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(filter.project.clone())
        .bind(filter.verdict.clone())
        .bind(ai)
        .bind(since)
        .bind(until)
        .bind(filter.limit.unwrap_or(100).clamp(1, 1000))
        .bind(filter.offset.unwrap_or(0).max(0))
        .fetch_all(&db.pool)
        .await
        .map_err(|e| db.error(e))?;
    rows.iter()
        .map(series_row)
        .collect::<Result<_, _>>()
        .map_err(|e| db.error(e))
}

/// One series.
pub async fn get_series(db: &Db, id: i64) -> Result<Option<SeriesRow>, ServeError> {
    let sql = format!("SELECT {SERIES_COLUMNS} FROM serve_series WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&db.pool)
        .await
        .map_err(|e| db.error(e))?;
    row.as_ref()
        .map(series_row)
        .transpose()
        .map_err(|e| db.error(e))
}

/// A stored report.
#[derive(Debug, Clone, Serialize)]
pub struct ReportRow {
    /// Its id.
    pub id: i64,
    /// The series it judged.
    pub series_id: i64,
    /// When (ms since the epoch).
    pub created_at: i64,
    /// The verdict.
    pub verdict: Option<Verdict>,
    /// The commit the code was read at.
    pub base: Option<String>,
    /// How the base was chosen.
    pub base_note: String,
    /// Parts of the series that had not arrived.
    pub missing: Vec<i64>,
    /// The report itself (provgate's JSON report).
    pub report: serde_json::Value,
    /// How long the check took.
    pub duration_ms: i64,
}

/// One report.
pub async fn get_report(db: &Db, id: i64) -> Result<Option<ReportRow>, ServeError> {
    let row = sqlx::query(
        "SELECT id, series_id, created_at, verdict, base, base_note, missing, report, duration_ms \
         FROM serve_reports WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await
    .map_err(|e| db.error(e))?;
    let Some(row) = row else { return Ok(None) };
    let read = || -> Result<ReportRow, sqlx::Error> {
        let verdict: Option<String> = row.try_get(3)?;
        let missing: String = row.try_get(6)?;
        let report: String = row.try_get(7)?;
        Ok(ReportRow {
            id: row.try_get(0)?,
            series_id: row.try_get(1)?,
            created_at: row.try_get(2)?,
            verdict: verdict.as_deref().and_then(parse_verdict),
            base: row.try_get(4)?,
            base_note: row.try_get(5)?,
            missing: serde_json::from_str(&missing).unwrap_or_default(),
            report: serde_json::from_str(&report).unwrap_or_default(),
            duration_ms: row.try_get(8)?,
        })
    };
    read().map(Some).map_err(|e| db.error(e))
}

/// A delivery as the dashboard shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryRow {
    /// Its id.
    pub id: i64,
    /// What kind (`email`, `patchwork`, …).
    pub kind: String,
    /// Where to.
    pub target: String,
    /// `pending`, `sent`, `skipped` or `failed`.
    pub state: String,
    /// Attempts made.
    pub attempts: i64,
    /// What happened last.
    pub detail: Option<String>,
    /// When it last changed (ms since the epoch).
    pub updated_at: i64,
}

/// The deliveries of a series.
pub async fn deliveries_of(db: &Db, series_id: i64) -> Result<Vec<DeliveryRow>, ServeError> {
    let rows = sqlx::query(
        "SELECT id, kind, target, state, attempts, detail, updated_at FROM serve_deliveries \
         WHERE series_id = $1 ORDER BY id",
    )
    .bind(series_id)
    .fetch_all(&db.pool)
    .await
    .map_err(|e| db.error(e))?;
    rows.iter()
        .map(|r| {
            Ok(DeliveryRow {
                id: r.try_get(0)?,
                kind: r.try_get(1)?,
                target: r.try_get(2)?,
                state: r.try_get(3)?,
                attempts: r.try_get(4)?,
                detail: r.try_get(5)?,
                updated_at: r.try_get(6)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(|e| db.error(e))
}

/// Series counts per week and verdict for a project's chart: (week start ms, verdict, count).
pub async fn weekly_verdicts(
    db: &Db,
    project: &str,
) -> Result<Vec<(i64, Option<String>, i64)>, ServeError> {
    let rows = sqlx::query(
        "SELECT (first_seen / 604800000) * 604800000 AS week, verdict, count(*) FROM serve_series \
         WHERE project = $1 AND state = 'checked' GROUP BY week, verdict ORDER BY week",
    )
    .bind(project)
    .fetch_all(&db.pool)
    .await
    .map_err(|e| db.error(e))?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(|e| db.error(e))
}
