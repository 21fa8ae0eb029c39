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
    /// The `Date:` of the message that titles it (the cover letter, else its first patch), in
    /// ms since the epoch, when it could be read.
    pub sent_at: Option<i64>,
    /// Its author's name (the address when the mail gives none).
    pub author: Option<String>,
    /// Why it was not checked: the error of a check that failed for good, or the line of an
    /// unreadable patch mail.
    pub error: Option<String>,
    /// How many of its numbered parts arrived (the cover letter not counted).
    pub arrived: i64,
}

const SERIES_COLUMNS: &str = "id, project, origin, subject, sender, version, total, state, \
                              first_seen, superseded_by, verdict, ai_assisted, report_id, meta, \
                              sent_at, author, error, (SELECT count(DISTINCT m.part) FROM \
                              serve_messages m WHERE m.series_id = serve_series.id AND m.part >= 1)";

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
        sent_at: row.try_get(14)?,
        author: row.try_get(15)?,
        error: row.try_get(16)?,
        arrived: row.try_get(17)?,
    })
}

/// The messages a series was assembled from: (part, Message-ID), in part order.
pub async fn series_message_ids(db: &Db, series_id: i64) -> Result<Vec<(i64, String)>, ServeError> {
    let rows = sqlx::query(
        "SELECT part, message_id FROM serve_messages WHERE series_id = $1 ORDER BY part, id",
    )
    .bind(series_id)
    .fetch_all(&db.pool)
    .await
    .map_err(|e| db.error(e))?;
    let mut ids: Vec<(i64, String)> = Vec::new();
    for row in &rows {
        let part: Option<i64> = row.try_get(0).map_err(|e| db.error(e))?;
        let id: String = row.try_get(1).map_err(|e| db.error(e))?;
        if !ids.iter().any(|(_, known)| *known == id) {
            ids.push((part.unwrap_or(1), id));
        }
    }
    Ok(ids)
}

/// How many distinct numbered parts of a series arrived (the cover letter not counted).
pub async fn parts_arrived(db: &Db, series_id: i64) -> Result<i64, ServeError> {
    sqlx::query_scalar(
        "SELECT count(DISTINCT part) FROM serve_messages WHERE series_id = $1 AND part >= 1",
    )
    .bind(series_id)
    .fetch_one(&db.pool)
    .await
    .map_err(|e| db.error(e))
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

/// What the database holds, for `/metrics` (see [`crate::metrics::Recorded`]).
pub async fn recorded(db: &Db) -> Result<crate::metrics::Recorded, ServeError> {
    let triples = |sql: &'static str| async move {
        let rows = sqlx::query(sql)
            .fetch_all(&db.pool)
            .await
            .map_err(|e| db.error(e))?;
        rows.iter()
            .map(|r| {
                let a: String = r.try_get(0)?;
                let b: Option<String> = r.try_get(1)?;
                let n: i64 = r.try_get(2)?;
                Ok((a, b.unwrap_or_else(|| "none".into()), n))
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(|e| db.error(e))
    };
    Ok(crate::metrics::Recorded {
        jobs: crate::queue::depth(db).await?,
        series: triples(
            "SELECT project, state, count(*) FROM serve_series GROUP BY project, state",
        )
        .await?,
        verdicts: triples(
            "SELECT project, verdict, count(*) FROM serve_series WHERE state = 'checked' \
             GROUP BY project, verdict",
        )
        .await?,
        deliveries: triples(
            "SELECT kind, state, count(*) FROM serve_deliveries GROUP BY kind, state",
        )
        .await?,
    })
}

/// A source as the sources page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRow {
    /// Its project.
    pub project: String,
    /// Its key (`public-inbox:…`, `maildir:…`).
    pub source: String,
    /// When it was last polled (ms since the epoch).
    pub last_poll: Option<i64>,
    /// What went wrong at the last poll.
    pub last_error: Option<String>,
    /// Messages read, by outcome (`patch`, `not-a-patch`, `history`, `unreadable`, …).
    pub counts: std::collections::BTreeMap<String, i64>,
    /// Why the stored counts could not be read (they are shown empty then, and the sources
    /// page says so rather than showing a source that read nothing).
    pub counts_error: Option<String>,
    /// Its position: the last commit read per epoch, or how many Maildir messages were read.
    pub cursor: String,
}

/// Every source polled, with its position.
pub async fn sources(db: &Db) -> Result<Vec<SourceRow>, ServeError> {
    let rows = sqlx::query(
        "SELECT project, source, last_poll, last_error, counts FROM serve_sources ORDER BY project, source",
    )
    .fetch_all(&db.pool)
    .await
    .map_err(|e| db.error(e))?;
    let mut out = Vec::new();
    for row in &rows {
        let text =
            |i: usize| -> Result<String, ServeError> { row.try_get(i).map_err(|e| db.error(e)) };
        let (project, source, counts) = (text(0)?, text(1)?, text(4)?);
        let last_poll: Option<i64> = row.try_get(2).map_err(|e| db.error(e))?;
        let last_error: Option<String> = row.try_get(3).map_err(|e| db.error(e))?;
        let cursors = sqlx::query(
            "SELECT key, value FROM serve_cursors WHERE project = $1 AND source = $2 ORDER BY key",
        )
        .bind(&project)
        .bind(&source)
        .fetch_all(&db.pool)
        .await
        .map_err(|e| db.error(e))?;
        let mut positions: Vec<String> = Vec::new();
        let mut read_keys = 0;
        for c in &cursors {
            let key: String = c.try_get(0).map_err(|e| db.error(e))?;
            let value: String = c.try_get(1).map_err(|e| db.error(e))?;
            if value == "read" {
                read_keys += 1;
            } else {
                positions.push(format!(
                    "epoch {key}: {}",
                    value.get(..12).unwrap_or(&value)
                ));
            }
        }
        if read_keys > 0 {
            positions.push(format!("{read_keys} message(s) read"));
        }
        let (counts, counts_error) = match serde_json::from_str(&counts) {
            Ok(counts) => (counts, None),
            Err(e) => {
                tracing::warn!(project = %project, source = %source, error = %e, "the stored message counts of a source cannot be read");
                (Default::default(), Some(e.to_string()))
            }
        };
        out.push(SourceRow {
            project,
            source,
            last_poll,
            last_error,
            counts,
            counts_error,
            cursor: positions.join("; "),
        });
    }
    Ok(out)
}
