//! Taking in mail: each message stored once, patches assembled into series as they arrive.
//!
//! A message is one piece of work per (project, Message-ID, content digest): the same message
//! read again — from a re-read archive, a second source, a restarted service — changes nothing.
//! Patches join the series of their thread root and version, as `provgate check` groups an mbox
//! (see `provgate_patch::series`). A series is queued for checking once every numbered part has
//! arrived (the cover letter is optional), or when the project's wait has passed with what did
//! arrive (see [`queue_overdue`]). A newer version of a series supersedes the older ones: in the
//! same thread, or from the same sender with the same subject.

use provgate_patch::Patch;
use provgate_patch::input::ReadOptions;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::db::{Backend, Db, now_ms};
use crate::error::ServeError;
use crate::queue::{self, Work};

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ingested {
    /// It had been taken in before.
    Duplicate,
    /// Not a submission (a reply, a pull request, a bot's report, a discussion), as the
    /// engine's classifier says: kept out, counted under its reason, never answered.
    NotASubmission(provgate_engine::submission::NotSubmission),
    /// It could not be read as mail; why. When it announced a patch (`[PATCH]`), it is kept
    /// as a series of its own in the state [`series_state::UNREADABLE`], to be shown on the
    /// dashboard and answered to its sender (`series`).
    Unreadable {
        /// Why, with the line the reader stopped at.
        reason: String,
        /// The series row it is kept as, when it announced a patch.
        series_id: Option<i64>,
    },
    /// Mail older than the project's `since`: read (threads and versions need it), neither
    /// checked nor answered.
    History,
    /// A part of a series.
    Part {
        /// The series row.
        series_id: i64,
        /// Whether this message completed the series and queued its check.
        queued: bool,
    },
}

/// Where a series came from, as stored.
pub mod origin {
    /// A list archive or Maildir.
    pub const MAIL: &str = "mail";
    /// A Patchwork project.
    pub const PATCHWORK: &str = "patchwork";
    /// `POST /api/v1/check`.
    pub const API: &str = "api";
    /// A GitHub pull request.
    pub const GITHUB: &str = "github";
    /// A GitLab merge request.
    pub const GITLAB: &str = "gitlab";
}

/// Series states as stored.
pub mod series_state {
    /// Waiting for its parts.
    pub const COLLECTING: &str = "collecting";
    /// Its check is queued or running.
    pub const QUEUED: &str = "queued";
    /// Checked.
    pub const CHECKED: &str = "checked";
    /// A newer version arrived before it was checked.
    pub const SUPERSEDED: &str = "superseded";
    /// Older than the project's `since`: kept for threads and versions, never checked.
    pub const HISTORY: &str = "history";
    /// A patch mail that could not be read: shown, and answered to its sender.
    pub const UNREADABLE: &str = "unreadable";
    /// Its check failed for good; the error is kept with it.
    pub const FAILED: &str = "failed";
}

/// The headers of a message that assembly, the dashboard and replies need, read from the
/// header block alone, so that they are known even when the body cannot be read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Envelope {
    /// The Message-ID, without angle brackets.
    pub message_id: Option<String>,
    /// The `Subject:` as sent (decoded, folds joined).
    pub subject: String,
    /// The `From:` as sent (decoded).
    pub from: String,
    /// The sender's address, lower-case.
    pub address: String,
    /// The sender's display name, or the address.
    pub name: String,
    /// The `Date:`, in ms since the epoch, when it can be read.
    pub date_ms: Option<i64>,
    /// `References`, then `In-Reply-To`, each once.
    pub references: Vec<String>,
}

/// Reads a message's [`Envelope`].
pub fn envelope(raw: &[u8]) -> Envelope {
    let Ok((headers, _)) = mailparse::parse_headers(raw) else {
        return Envelope::default();
    };
    use mailparse::MailHeaderMap;
    let ids = |name: &str| -> Vec<String> {
        headers
            .get_first_value(name)
            .map(|v| {
                v.split(|c: char| c == '<' || c == '>' || c.is_whitespace())
                    .filter(|id| id.contains('@'))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let from = headers.get_first_value("From").unwrap_or_default();
    let (name, address) = match mailparse::addrparse(&from)
        .ok()
        .and_then(|list| list.extract_single_info())
    {
        Some(info) => (
            info.display_name.unwrap_or_else(|| info.addr.clone()),
            info.addr.to_ascii_lowercase(),
        ),
        None => (from.clone(), String::new()),
    };
    let mut references = ids("References");
    for id in ids("In-Reply-To") {
        if !references.contains(&id) {
            references.push(id);
        }
    }
    Envelope {
        message_id: ids("Message-ID").into_iter().next(),
        subject: headers
            .get_first_value("Subject")
            .unwrap_or_default()
            .split(['\r', '\n'])
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        from,
        address,
        name: name.trim().trim_matches('"').to_string(),
        date_ms: headers
            .get_first_value("Date")
            .and_then(|d| provgate_patch::date::parse_mail_date(&d))
            .map(|d| d.date.seconds.saturating_mul(1000)),
        references,
    }
}

/// The facts of one patch message that series assembly needs.
#[derive(Debug, Clone)]
struct Part {
    message_id: String,
    root: String,
    version: i64,
    index: Option<i64>,
    total: Option<i64>,
    subject: String,
    sender: String,
    author: String,
    date_ms: Option<i64>,
}

/// What a message is, by the engine's classifier (the one `provgate check` uses).
enum Read {
    Part(Part),
    Left(provgate_engine::submission::NotSubmission),
    /// Not readable: why, and whether it looked like a patch (to be kept and answered).
    Unreadable(String, bool),
}

fn read_part(raw: &[u8], options: &provgate_engine::submission::ClassifyOptions) -> Read {
    use provgate_engine::submission::{Classified, classify_bytes};
    let classified = classify_bytes("message", raw, ReadOptions::default(), options)
        .into_iter()
        .next();
    let patch: Box<Patch> = match classified {
        None => return Read::Unreadable("an empty message".into(), false),
        Some(Err(e)) => return Read::Unreadable(e.to_string(), false),
        Some(Ok(Classified::NotSubmission(left))) => return Read::Left(left.reason),
        Some(Ok(Classified::Unreadable(bad))) => {
            return Read::Unreadable(format!("line {}: {}", bad.line, bad.describe()), true);
        }
        Some(Ok(Classified::Submission(patch))) => patch,
    };
    match part_of(raw, &patch) {
        Ok(part) => Read::Part(part),
        Err(reason) => Read::Unreadable(reason, false),
    }
}

fn part_of(raw: &[u8], patch: &Patch) -> Result<Part, String> {
    let Some(message_id) = patch.message_id.clone() else {
        return Err("the message has no Message-ID".into());
    };
    let prefix = patch.prefix.clone().unwrap_or_default();
    let head = envelope(raw);
    let root = patch
        .references
        .first()
        .or(patch.in_reply_to.as_ref())
        .unwrap_or(&message_id)
        .clone();
    Ok(Part {
        message_id,
        root,
        version: i64::from(prefix.version.max(1)),
        index: prefix.index.map(i64::from),
        total: prefix.total.map(i64::from),
        subject: patch.subject.clone(),
        sender: patch
            .author
            .as_ref()
            .map(|a| a.email.to_ascii_lowercase())
            .unwrap_or_default(),
        author: patch
            .author
            .as_ref()
            .map(|a| {
                if a.name.is_empty() {
                    a.email.clone()
                } else {
                    a.name.clone()
                }
            })
            .unwrap_or(head.name),
        date_ms: head.date_ms,
    })
}

/// The hex SHA-256 of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A message as a source hands it in.
#[derive(Debug, Clone, Copy)]
pub struct Received<'a> {
    /// The project.
    pub project: &'a str,
    /// The source's name, for the dashboard (`public-inbox:PATH`, `maildir:PATH`, …).
    pub source: &'a str,
    /// The series' origin if this message starts one (see [`origin`]).
    pub origin: &'a str,
    /// The message.
    pub raw: &'a [u8],
    /// The source's position after this message, stored in the same transaction as the
    /// message, so that a restart neither reads it again nor skips the next one.
    pub cursor: Option<Cursor<'a>>,
    /// Whether the series is left collecting even when complete (the source queues its check
    /// itself once it has added what it knows of the series).
    pub hold: bool,
    /// Mail dated before this (ms since the epoch) is history: read, never checked nor
    /// answered (see [`crate::config::Since`]). None: every message counts.
    pub history_before: Option<i64>,
    /// How the project's mail is classified (its configured bot senders).
    pub classify: &'a provgate_engine::submission::ClassifyOptions,
}

/// A source's position.
#[derive(Debug, Clone, Copy)]
pub struct Cursor<'a> {
    /// The source.
    pub source: &'a str,
    /// Which position of the source (an epoch, a Maildir key).
    pub key: &'a str,
    /// The position.
    pub value: &'a str,
}

/// Stores a source's position.
pub async fn save_cursor<'e, E>(
    db: &Db,
    executor: E,
    project: &str,
    cursor: Cursor<'_>,
) -> Result<(), ServeError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO serve_cursors (project, source, key, value) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (project, source, key) DO UPDATE SET value = excluded.value",
    )
    .bind(project)
    .bind(cursor.source)
    .bind(cursor.key)
    .bind(cursor.value)
    .execute(executor)
    .await
    .map_err(|e| db.error(e))?;
    Ok(())
}

/// A source's stored position.
pub async fn cursor(
    db: &Db,
    project: &str,
    source: &str,
    key: &str,
) -> Result<Option<String>, ServeError> {
    sqlx::query_scalar(
        "SELECT value FROM serve_cursors WHERE project = $1 AND source = $2 AND key = $3",
    )
    .bind(project)
    .bind(source)
    .bind(key)
    .fetch_optional(&db.pool)
    .await
    .map_err(|e| db.error(e))
}

/// How far ahead of the moment it is read a message's date may be and still count as new
/// mail: clocks drift and time zones get mislabelled, but not by two days.
pub const FUTURE_SLACK_MS: i64 = 48 * 3600 * 1000;

/// Whether a message dated `date` (none: no readable `Date:`) and read at `now` is history
/// when the project starts at `history_before` (none: `since = "all"`, nothing is). Under a
/// start, a message that cannot show it is new is history: one with no readable date, and one
/// dated more than [`FUTURE_SLACK_MS`] ahead of now (a wrong clock, or a date made up to
/// look new), since answering the archive is worse than missing a badly dated mail.
pub fn is_history(history_before: Option<i64>, date: Option<i64>, now: i64) -> bool {
    match (history_before, date) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(start), Some(date)) => date < start || date > now.saturating_add(FUTURE_SLACK_MS),
    }
}

/// Takes in one message.
pub async fn message(db: &Db, received: Received<'_>) -> Result<Ingested, ServeError> {
    let Received {
        project,
        source,
        origin,
        raw,
        cursor,
        hold,
        history_before,
        classify,
    } = received;
    let is_history = |date: Option<i64>| is_history(history_before, date, crate::db::now_ms());
    let part = match read_part(raw, classify) {
        Read::Part(part) => part,
        Read::Left(reason) => {
            use provgate_engine::submission::NotSubmission;
            if matches!(reason, NotSubmission::Reply | NotSubmission::ReplyWithDiff) {
                keep_reply(db, project, source, raw, cursor).await?;
            } else if let Some(cursor) = cursor {
                save_cursor(db, &db.pool, project, cursor).await?;
            }
            return Ok(Ingested::NotASubmission(reason));
        }
        Read::Unreadable(reason, announces_patch) => {
            let head = envelope(raw);
            let series_id = match &head.message_id {
                Some(message_id) if announces_patch && !is_history(head.date_ms) => {
                    keep_unreadable(db, project, source, raw, message_id, &head, &reason, cursor)
                        .await?
                }
                _ => {
                    if let Some(cursor) = cursor {
                        save_cursor(db, &db.pool, project, cursor).await?;
                    }
                    None
                }
            };
            return Ok(Ingested::Unreadable { reason, series_id });
        }
    };
    let history = is_history(part.date_ms);
    let digest = digest(raw);
    let now = now_ms();
    let mut tx = db.pool.begin().await.map_err(|e| db.error(e))?;
    // The write comes first, so that on SQLite the transaction holds the write lock before it
    // reads (a read-then-write transaction could not upgrade under a concurrent writer).
    if let Some(cursor) = cursor {
        save_cursor(db, &mut *tx, project, cursor).await?;
    }
    let inserted = sqlx::query(
        "INSERT INTO serve_messages (project, message_id, digest, source, received_at, raw, part) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (project, message_id, digest) DO NOTHING \
         RETURNING id",
    )
    .bind(project)
    .bind(&part.message_id)
    .bind(&digest)
    .bind(source)
    .bind(now)
    .bind(raw.to_vec())
    .bind(part.index.unwrap_or(1))
    .fetch_optional(&mut *tx)
    .await
    .map_err(|e| db.error(e))?;
    let Some(row) = inserted else {
        tx.commit().await.map_err(|e| db.error(e))?;
        return Ok(Ingested::Duplicate);
    };
    let message_row: i64 = row.try_get(0).map_err(|e| db.error(e))?;
    let key = format!("{}|v{}", part.root, part.version);
    let series_id = upsert_series(db, &mut tx, project, &key, origin, &part, now, history).await?;
    sqlx::query("UPDATE serve_messages SET series_id = $1 WHERE id = $2")
        .bind(series_id)
        .bind(message_row)
        .execute(&mut *tx)
        .await
        .map_err(|e| db.error(e))?;
    supersede_older(db, &mut tx, project, series_id, &part).await?;
    let queued = if !hold && is_complete(db, &mut tx, series_id).await? {
        queue_check(db, &mut tx, project, series_id, now).await?
    } else {
        false
    };
    tx.commit().await.map_err(|e| db.error(e))?;
    if history {
        return Ok(Ingested::History);
    }
    Ok(Ingested::Part { series_id, queued })
}

/// Part number under which a review reply is kept with the series it answers: never counted as
/// a part, never checked, read with the series so that its trailers (`Reviewed-by`, `Acked-by`)
/// reach the check as `b4 am` collects them.
pub const REPLY_PART: i64 = -1;

/// Keeps a reviewer's reply with the newest series of its thread, if that series is known.
async fn keep_reply(
    db: &Db,
    project: &str,
    source: &str,
    raw: &[u8],
    cursor: Option<Cursor<'_>>,
) -> Result<(), ServeError> {
    let head = envelope(raw);
    let mut tx = db.pool.begin().await.map_err(|e| db.error(e))?;
    if let Some(cursor) = cursor {
        save_cursor(db, &mut *tx, project, cursor).await?;
    }
    if let (Some(message_id), Some(root)) = (&head.message_id, head.references.first()) {
        let prefix = format!("{root}|v");
        let series_id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM serve_series WHERE project = $1 \
             AND substr(key, 1, length(CAST($2 AS TEXT))) = $2 ORDER BY version DESC, id DESC LIMIT 1",
        )
        .bind(project)
        .bind(&prefix)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| db.error(e))?;
        if let Some(series_id) = series_id {
            sqlx::query(
                "INSERT INTO serve_messages (project, message_id, digest, source, received_at, raw, \
                 part, series_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (project, message_id, digest) DO NOTHING",
            )
            .bind(project)
            .bind(message_id)
            .bind(digest(raw))
            .bind(source)
            .bind(now_ms())
            .bind(raw.to_vec())
            .bind(REPLY_PART)
            .bind(series_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| db.error(e))?;
        }
    }
    tx.commit().await.map_err(|e| db.error(e))
}

/// The review replies kept with a series (see [`REPLY_PART`]), in arrival order.
pub async fn series_replies(db: &Db, series_id: i64) -> Result<Vec<Vec<u8>>, ServeError> {
    sqlx::query_scalar(
        "SELECT raw FROM serve_messages WHERE series_id = $1 AND part = $2 ORDER BY id",
    )
    .bind(series_id)
    .bind(REPLY_PART)
    .fetch_all(&db.pool)
    .await
    .map_err(|e| db.error(e))
}

/// Keeps a patch mail that could not be read as a series of its own, and queues the notice
/// to its sender; the series row (none when the message had been kept before).
#[allow(clippy::too_many_arguments)]
async fn keep_unreadable(
    db: &Db,
    project: &str,
    source: &str,
    raw: &[u8],
    message_id: &str,
    head: &Envelope,
    reason: &str,
    cursor: Option<Cursor<'_>>,
) -> Result<Option<i64>, ServeError> {
    let now = now_ms();
    let mut tx = db.pool.begin().await.map_err(|e| db.error(e))?;
    if let Some(cursor) = cursor {
        save_cursor(db, &mut *tx, project, cursor).await?;
    }
    let inserted = sqlx::query(
        "INSERT INTO serve_messages (project, message_id, digest, source, received_at, raw, part) \
         VALUES ($1, $2, $3, $4, $5, $6, 1) ON CONFLICT (project, message_id, digest) DO NOTHING \
         RETURNING id",
    )
    .bind(project)
    .bind(message_id)
    .bind(digest(raw))
    .bind(source)
    .bind(now)
    .bind(raw.to_vec())
    .fetch_optional(&mut *tx)
    .await
    .map_err(|e| db.error(e))?;
    let Some(row) = inserted else {
        tx.commit().await.map_err(|e| db.error(e))?;
        return Ok(None);
    };
    let message_row: i64 = row.try_get(0).map_err(|e| db.error(e))?;
    let series_id: i64 = sqlx::query_scalar(
        "INSERT INTO serve_series (project, key, origin, subject, sender, version, total, state, \
         first_seen, updated_at, meta, sent_at, author, title_part, error) \
         VALUES ($1, $2, 'mail', $3, $4, 1, 1, 'unreadable', $5, $5, '{}', $6, $7, 1, $8) \
         ON CONFLICT (project, key) DO UPDATE SET updated_at = excluded.updated_at RETURNING id",
    )
    .bind(project)
    .bind(format!("unreadable|{message_id}"))
    .bind(strip_prefix(&head.subject))
    .bind(&head.address)
    .bind(now)
    .bind(head.date_ms)
    .bind(&head.name)
    .bind(reason)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| db.error(e))?;
    sqlx::query("UPDATE serve_messages SET series_id = $1 WHERE id = $2")
        .bind(series_id)
        .bind(message_row)
        .execute(&mut *tx)
        .await
        .map_err(|e| db.error(e))?;
    queue::enqueue(
        db,
        &mut *tx,
        project,
        &format!("notice/{series_id}"),
        &Work::Notice { series_id },
        now,
    )
    .await?;
    tx.commit().await.map_err(|e| db.error(e))?;
    Ok(Some(series_id))
}

#[allow(clippy::too_many_arguments)]
async fn upsert_series(
    db: &Db,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    project: &str,
    key: &str,
    origin: &str,
    part: &Part,
    now: i64,
    history: bool,
) -> Result<i64, ServeError> {
    let subject = strip_prefix(&part.subject);
    let state = if history {
        series_state::HISTORY
    } else {
        series_state::COLLECTING
    };
    sqlx::query(
        "INSERT INTO serve_series (project, key, origin, subject, sender, version, total, state, \
         first_seen, updated_at, meta) VALUES ($1, $2, $3, $4, $5, $6, $7, $9, $8, $8, '{}') \
         ON CONFLICT (project, key) DO NOTHING",
    )
    .bind(project)
    .bind(key)
    .bind(origin)
    .bind(&subject)
    .bind(&part.sender)
    .bind(part.version)
    .bind(part.total)
    .bind(now)
    .bind(state)
    .execute(&mut **tx)
    .await
    .map_err(|e| db.error(e))?;
    let lock = match db.backend {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    let id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM serve_series WHERE project = $1 AND key = $2{lock}"
    )))
    .bind(project)
    .bind(key)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| db.error(e))?;
    // The cover letter names the series, whenever it arrives; else its lowest patch does. Its
    // date and author are the series'.
    let position = part.index.unwrap_or(1);
    sqlx::query(
        "UPDATE serve_series SET updated_at = $1, total = COALESCE(total, $2), \
         subject = CASE WHEN title_part IS NULL OR $3 < title_part THEN $4 ELSE subject END, \
         sent_at = CASE WHEN title_part IS NULL OR $3 < title_part THEN $6 ELSE sent_at END, \
         author = CASE WHEN title_part IS NULL OR $3 < title_part THEN $7 ELSE author END, \
         title_part = CASE WHEN title_part IS NULL OR $3 < title_part THEN $3 ELSE title_part END \
         WHERE id = $5",
    )
    .bind(now)
    .bind(part.total)
    .bind(position)
    .bind(&subject)
    .bind(id)
    .bind(part.date_ms)
    .bind(&part.author)
    .execute(&mut **tx)
    .await
    .map_err(|e| db.error(e))?;
    Ok(id)
}

/// The subject without its `[PATCH v2 1/3]` prefix.
pub fn strip_prefix(subject: &str) -> String {
    let mut rest = subject.trim();
    while let Some(stripped) = rest.strip_prefix('[')
        && let Some(end) = stripped.find(']')
    {
        rest = stripped[end + 1..].trim_start();
    }
    rest.to_string()
}

async fn supersede_older(
    db: &Db,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    project: &str,
    series_id: i64,
    part: &Part,
) -> Result<(), ServeError> {
    if part.version < 2 {
        return Ok(());
    }
    let subject = strip_prefix(&part.subject);
    // Older versions in the same thread, or from the same sender under the same subject, that
    // were not checked yet are superseded: their check would be of a version nobody reviews.
    let root_prefix = format!("{}|v", part.root);
    sqlx::query(
        "UPDATE serve_series SET state = 'superseded', superseded_by = $1 \
         WHERE project = $2 AND version < $3 AND state IN ('collecting', 'queued') \
         AND (substr(key, 1, length(CAST($4 AS TEXT))) = $4 OR (sender = $5 AND subject = $6))",
    )
    .bind(series_id)
    .bind(project)
    .bind(part.version)
    .bind(&root_prefix)
    .bind(&part.sender)
    .bind(&subject)
    .execute(&mut **tx)
    .await
    .map_err(|e| db.error(e))?;
    // Their checks, queued but not started, are dropped.
    sqlx::query(
        "UPDATE serve_jobs SET state = 'done', finished_at = $1, last_error = 'superseded' \
         WHERE state = 'queued' AND kind = 'check' AND key IN \
         (SELECT 'check/' || id FROM serve_series WHERE superseded_by = $2)",
    )
    .bind(now_ms())
    .bind(series_id)
    .execute(&mut **tx)
    .await
    .map_err(|e| db.error(e))?;
    Ok(())
}

async fn is_complete(
    db: &Db,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    series_id: i64,
) -> Result<bool, ServeError> {
    let row = sqlx::query(
        "SELECT s.total, s.state, (SELECT count(DISTINCT m.part) FROM serve_messages m \
         WHERE m.series_id = s.id AND m.part >= 1) FROM serve_series s WHERE s.id = $1",
    )
    .bind(series_id)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| db.error(e))?;
    let total: Option<i64> = row.try_get(0).map_err(|e| db.error(e))?;
    let state: String = row.try_get(1).map_err(|e| db.error(e))?;
    let parts: i64 = row.try_get(2).map_err(|e| db.error(e))?;
    Ok(state == series_state::COLLECTING && parts >= total.unwrap_or(1).max(1))
}

/// Queues the check of a collecting series; false when it was queued already.
pub async fn queue_check(
    db: &Db,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    project: &str,
    series_id: i64,
    now: i64,
) -> Result<bool, ServeError> {
    let moved = sqlx::query(
        "UPDATE serve_series SET state = 'queued', updated_at = $1 WHERE id = $2 AND state = 'collecting'",
    )
    .bind(now)
    .bind(series_id)
    .execute(&mut **tx)
    .await
    .map_err(|e| db.error(e))?;
    if moved.rows_affected() == 0 {
        return Ok(false);
    }
    queue::enqueue(
        db,
        &mut **tx,
        project,
        &format!("check/{series_id}"),
        &Work::Check { series_id },
        now,
    )
    .await
}

/// Queues the checks of series that have waited longer than their project's wait, with what
/// arrived; how many.
pub async fn queue_overdue(db: &Db, project: &str, wait_ms: i64) -> Result<usize, ServeError> {
    let now = now_ms();
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM serve_series WHERE project = $1 AND state = 'collecting' AND first_seen <= $2",
    )
    .bind(project)
    .bind(now - wait_ms)
    .fetch_all(&db.pool)
    .await
    .map_err(|e| db.error(e))?;
    let mut queued = 0;
    for id in ids {
        let mut tx = db.pool.begin().await.map_err(|e| db.error(e))?;
        if queue_check(db, &mut tx, project, id, now).await? {
            queued += 1;
        }
        tx.commit().await.map_err(|e| db.error(e))?;
    }
    Ok(queued)
}

/// The raw messages of a series in part order (cover letter first), and the parts missing from
/// its announced total.
pub async fn series_messages(
    db: &Db,
    series_id: i64,
) -> Result<(Vec<Vec<u8>>, Vec<i64>), ServeError> {
    let rows = sqlx::query(
        "SELECT part, raw FROM serve_messages WHERE series_id = $1 AND part >= 0 ORDER BY part, id",
    )
    .bind(series_id)
    .fetch_all(&db.pool)
    .await
    .map_err(|e| db.error(e))?;
    let total: Option<i64> = sqlx::query_scalar("SELECT total FROM serve_series WHERE id = $1")
        .bind(series_id)
        .fetch_one(&db.pool)
        .await
        .map_err(|e| db.error(e))?;
    let mut parts = std::collections::BTreeSet::new();
    let mut raws = Vec::new();
    for row in rows {
        let part: i64 = row.try_get(0).map_err(|e| db.error(e))?;
        // A message sent twice with different bytes (a resend) counts once: the first copy.
        if part >= 1 && !parts.insert(part) {
            continue;
        }
        raws.push(row.try_get(1).map_err(|e| db.error(e))?);
    }
    let missing = (1..=total.unwrap_or(0))
        .filter(|i| !parts.contains(i))
        .collect();
    Ok((raws, missing))
}

/// Messages as one mboxrd file (`>From ` quoting), to read back with
/// [`provgate_patch::mbox::MboxFlavor::Mboxrd`].
pub fn mboxrd(messages: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(messages.iter().map(Vec::len).sum::<usize>() + 64);
    for message in messages {
        out.extend_from_slice(b"From provgate@serve Thu Jan  1 00:00:00 1970\n");
        for line in message.split_inclusive(|&b| b == b'\n') {
            let unquoted = line.iter().position(|&b| b != b'>').unwrap_or(line.len());
            if line[unquoted..].starts_with(b"From ") {
                out.push(b'>');
            }
            out.extend_from_slice(line);
        }
        if !message.ends_with(b"\n") {
            out.push(b'\n');
        }
        out.push(b'\n');
    }
    out
}

/// The announced base of a series: a `base-commit:` line (from `git format-patch --base`), and
/// the `Based-on:` series it depends on, read from its messages.
pub fn announced_base(messages: &[Vec<u8>]) -> (Option<String>, Vec<String>) {
    let mut base = None;
    let mut based_on = Vec::new();
    for message in messages {
        for line in message.split(|&b| b == b'\n') {
            let line = String::from_utf8_lossy(line);
            let line = line.trim_end();
            if let Some(id) = line.strip_prefix("base-commit: ") {
                let id = id.trim();
                if base.is_none()
                    && (7..=64).contains(&id.len())
                    && id.bytes().all(|b| b.is_ascii_hexdigit())
                {
                    base = Some(id.to_string());
                }
            } else if let Some(id) = line.strip_prefix("Based-on: ") {
                let id = id.trim().trim_start_matches('<').trim_end_matches('>');
                if !id.is_empty() && !based_on.iter().any(|b| b == id) {
                    based_on.push(id.to_string());
                }
            }
        }
    }
    (base, based_on)
}

#[cfg(test)]
mod tests {
    #[test]
    fn under_a_start_mail_that_cannot_show_it_is_new_is_history() {
        let (start, now) = (1_000_000, 2_000_000);
        assert!(!super::is_history(None, None, now), "since = \"all\"");
        assert!(
            super::is_history(Some(start), None, now),
            "no readable date"
        );
        assert!(super::is_history(Some(start), Some(start - 1), now));
        assert!(!super::is_history(Some(start), Some(now), now));
        let slack = super::FUTURE_SLACK_MS;
        assert!(!super::is_history(Some(start), Some(now + slack), now));
        assert!(super::is_history(Some(start), Some(now + slack + 1), now));
    }

    use super::*;

    #[test]
    fn prefixes_are_stripped() {
        assert_eq!(strip_prefix("[PATCH v2 1/3] hw: fix"), "hw: fix");
        assert_eq!(strip_prefix("[RFC] [PATCH] x"), "x");
        assert_eq!(strip_prefix("plain"), "plain");
        assert_eq!(strip_prefix("[unterminated"), "[unterminated");
    }

    #[test]
    fn mboxrd_quotes_from_lines_and_reads_back() {
        let messages = vec![
            b"From: a@b\nSubject: x\n\nFrom the start\n>From quoted\n".to_vec(),
            b"From: c@d\nSubject: y\n\nbody".to_vec(),
        ];
        let mbox = mboxrd(&messages);
        let back: Vec<Vec<u8>> = provgate_patch::mbox::MboxReader::new(
            &mbox[..],
            provgate_patch::mbox::MboxFlavor::Mboxrd,
        )
        .map(|m| m.unwrap().bytes)
        .collect();
        assert_eq!(back.len(), 2);
        assert!(String::from_utf8_lossy(&back[0]).contains("\nFrom the start\n>From quoted\n"));
    }

    #[test]
    fn bases_are_read_from_the_messages() {
        let messages = vec![
            b"Subject: [PATCH 0/2] x\n\nBased-on: <dep@x>\n\nbase-commit: 0123456789abcdef\n"
                .to_vec(),
        ];
        assert_eq!(
            announced_base(&messages),
            (Some("0123456789abcdef".into()), vec!["dep@x".to_string()])
        );
        assert_eq!(
            announced_base(&[b"base-commit: not-hex\n".to_vec()]),
            (None, vec![])
        );
    }
}
