//! Deliveries: where a verdict goes, each recorded so that it is made once per series version.
//!
//! A check plans its deliveries in the transaction that stores its report: one row per
//! destination under a unique key, and a job per row. The job makes the delivery and records
//! the outcome. A delivery that may have been made by a worker that died before recording it is
//! made again only through an idempotent path: Patchwork checks are compared with the newest one
//! posted, a GitHub check run is looked up by its external id, a GitLab note by its marker, and
//! a reply keeps its Message-ID (an outbox Maildir holds one file per Message-ID).

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::config::{GitHubMode, Project, ReplyOn, ReplyTo};
use crate::db::{Backend, Db, now_ms};
use crate::error::ServeError;
use crate::queue::{self, Job, Work};
use crate::records::SeriesRow;
use crate::service::Service;

/// What a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryKind {
    /// A threaded reply by mail.
    Email,
    /// A Patchwork check on one patch.
    Patchwork,
    /// A GitHub check run.
    GithubCheckRun,
    /// A GitHub commit status.
    GithubStatus,
    /// A GitLab commit status.
    GitlabStatus,
    /// A GitLab merge-request note.
    GitlabNote,
}

impl DeliveryKind {
    /// The kind as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryKind::Email => "email",
            DeliveryKind::Patchwork => "patchwork",
            DeliveryKind::GithubCheckRun => "github-check-run",
            DeliveryKind::GithubStatus => "github-status",
            DeliveryKind::GitlabStatus => "gitlab-status",
            DeliveryKind::GitlabNote => "gitlab-note",
        }
    }

    /// The kind stored as `text`.
    pub fn parse(text: &str) -> Option<DeliveryKind> {
        [
            DeliveryKind::Email,
            DeliveryKind::Patchwork,
            DeliveryKind::GithubCheckRun,
            DeliveryKind::GithubStatus,
            DeliveryKind::GitlabStatus,
            DeliveryKind::GitlabNote,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// Delivery states as stored.
pub mod delivery_state {
    /// Not made yet.
    pub const PENDING: &str = "pending";
    /// Made.
    pub const SENT: &str = "sent";
    /// Found made already (an earlier attempt got through before its worker died).
    pub const ALREADY: &str = "already-made";
    /// Given up.
    pub const FAILED: &str = "failed";
    /// Not sent: the project's daily cap of replies was reached.
    pub const CAPPED: &str = "capped";
}

/// What a check came to, as `reply_on` names it. An incomplete series whose arrived parts
/// already fail is `Fail` (its reply still says it is incomplete): a failure found is worth
/// telling whatever is missing, and a list that asks only for failures must hear of it.
pub fn answer_of(outcome: &crate::worker::Outcome) -> ReplyOn {
    use provgate_report::Verdict;
    if !outcome.missing.is_empty() && outcome.report.verdict != Some(Verdict::Fail) {
        return ReplyOn::Incomplete;
    }
    match outcome.report.verdict {
        Some(Verdict::Fail) => ReplyOn::Fail,
        Some(Verdict::Warn) => ReplyOn::Warn,
        Some(Verdict::Pass) | None => ReplyOn::Pass,
    }
}

/// The recipients of a reply to `sender`: the sender and, for `reply_to = "list"`, the
/// configured addresses.
pub fn recipients(sender: &str, email: &crate::config::EmailDelivery) -> (String, Vec<String>) {
    let list = match email.reply_to {
        ReplyTo::List => email.to.clone(),
        ReplyTo::Author => Vec::new(),
    };
    if sender.is_empty() {
        let mut list = list;
        let first = if list.is_empty() {
            String::new()
        } else {
            list.remove(0)
        };
        (first, list)
    } else {
        (sender.to_string(), list)
    }
}

/// Plans the deliveries a checked series calls for, inside the transaction that stores its
/// report.
pub async fn plan(
    service: &Service,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    project: &Project,
    series: &SeriesRow,
    report_id: i64,
    outcome: &crate::worker::Outcome,
) -> Result<(), ServeError> {
    let answer = answer_of(outcome);
    let mut planned = Vec::new();
    for (kind, target) in destinations(project, series, Some(answer)) {
        let payload = crate::send::prepare(service, project, series, outcome, kind, &target)?;
        planned.push((kind, target, payload));
    }
    insert(service, tx, project, series, Some(report_id), planned).await
}

/// Where a series' outcome goes: each destination its project delivers to whose `reply_on`
/// takes `answer`. `None` is a check that failed for good: said on every forge and Patchwork
/// check (a check left pending is a silent failure), never mailed.
fn destinations(
    project: &Project,
    series: &SeriesRow,
    answer: Option<ReplyOn>,
) -> Vec<(DeliveryKind, String)> {
    let wants = |reply_on: &std::collections::BTreeSet<ReplyOn>| match answer {
        Some(answer) => reply_on.contains(&answer),
        None => true,
    };
    let mut planned: Vec<(DeliveryKind, String)> = Vec::new();
    let deliver = &project.deliver;
    let mailed = matches!(series.origin.as_str(), "mail" | "patchwork");
    if mailed
        && answer.is_some()
        && let Some(email) = &deliver.email
        && wants(&email.reply_on)
    {
        let (to, cc) = recipients(&series.sender, email);
        let mut all = vec![to];
        all.extend(cc);
        planned.push((DeliveryKind::Email, all.join(", ")));
    }
    if let Some(delivery) = &deliver.patchwork
        && wants(&delivery.reply_on)
        && let Some(patchwork) = &series.meta.patchwork
    {
        for (_, patch) in &patchwork.patches {
            planned.push((DeliveryKind::Patchwork, patch.to_string()));
        }
    }
    if let (Some(github), Some(request)) = (&deliver.github, &series.meta.github)
        && wants(&github.reply_on)
    {
        let kind = match github.mode {
            GitHubMode::CheckRun => DeliveryKind::GithubCheckRun,
            GitHubMode::Status => DeliveryKind::GithubStatus,
        };
        planned.push((kind, format!("{}@{}", request.repository, request.head_sha)));
    }
    if let (Some(gitlab), Some(request)) = (&deliver.gitlab, &series.meta.gitlab)
        && wants(&gitlab.reply_on)
    {
        let target = format!(
            "{}!{}@{}",
            request.repository, request.number, request.head_sha
        );
        planned.push((DeliveryKind::GitlabStatus, target.clone()));
        planned.push((DeliveryKind::GitlabNote, target));
    }
    planned
}

/// Plans what a check that failed for good tells: the error on each forge or Patchwork check,
/// inside the transaction that marks the series failed.
pub async fn plan_failure(
    service: &Service,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    project: &Project,
    series: &SeriesRow,
    error: &str,
) -> Result<(), ServeError> {
    let mut planned = Vec::new();
    for (kind, target) in destinations(project, series, None) {
        let payload = crate::send::prepare_failure(service, project, series, kind, error)?;
        planned.push((kind, target, payload));
    }
    insert(service, tx, project, series, None, planned).await
}

/// Plans the notice to the sender of a patch mail that could not be read, when the project
/// mails replies and its `reply_on` takes `unreadable`.
pub async fn plan_notice(
    service: &Service,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    project: &Project,
    series: &SeriesRow,
    raw: &[u8],
) -> Result<(), ServeError> {
    let Some(email) = &project.deliver.email else {
        return Ok(());
    };
    if !email.reply_on.contains(&ReplyOn::Unreadable) || series.sender.is_empty() {
        return Ok(());
    }
    let payload = crate::send::prepare_notice(service, project, series, raw)?;
    let planned = vec![(DeliveryKind::Email, series.sender.clone(), payload)];
    insert(service, tx, project, series, None, planned).await
}

/// Records planned deliveries, each once under its key, and queues a job for each; an e-mail
/// over the project's daily cap is recorded as [`delivery_state::CAPPED`] and not sent.
async fn insert(
    service: &Service,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    project: &Project,
    series: &SeriesRow,
    report_id: Option<i64>,
    planned: Vec<(DeliveryKind, String, String)>,
) -> Result<(), ServeError> {
    let db = &service.db;
    let now = now_ms();
    for (kind, target, payload) in planned {
        let key = format!("{}/{}/{}", kind.as_str(), series.id, target);
        let capped =
            kind == DeliveryKind::Email && over_daily_cap(service, tx, project, now).await?;
        let state = if capped {
            delivery_state::CAPPED
        } else {
            delivery_state::PENDING
        };
        let detail = capped.then(|| {
            format!(
                "not sent: deliver.email.daily_cap ({}) replies were sent in the last 24 hours",
                project.deliver.email.as_ref().map_or(0, |e| e.daily_cap)
            )
        });
        let row = sqlx::query(
            "INSERT INTO serve_deliveries (series_id, report_id, kind, target, key, state, attempts, \
             payload, updated_at, created_at, detail) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $8, $9) \
             ON CONFLICT (key) DO NOTHING RETURNING id",
        )
        .bind(series.id)
        .bind(report_id)
        .bind(kind.as_str())
        .bind(&target)
        .bind(&key)
        .bind(state)
        .bind(payload)
        .bind(now)
        .bind(detail)
        .fetch_optional(&mut **tx)
        .await
        .map_err(|e| db.error(e))?;
        if capped {
            service
                .metrics
                .delivered(kind.as_str(), delivery_state::CAPPED);
            continue;
        }
        if let Some(row) = row {
            let delivery_id: i64 = row.try_get(0).map_err(|e| db.error(e))?;
            queue::enqueue(
                db,
                &mut **tx,
                &project.name,
                &format!("deliver/{delivery_id}"),
                &Work::Deliver { delivery_id },
                now,
            )
            .await?;
        }
    }
    Ok(())
}

/// Whether the project's replies of the last 24 hours reached `deliver.email.daily_cap`.
async fn over_daily_cap(
    service: &Service,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    project: &Project,
    now: i64,
) -> Result<bool, ServeError> {
    let cap = project.deliver.email.as_ref().map_or(0, |e| e.daily_cap);
    if cap == 0 {
        return Ok(false);
    }
    let db = &service.db;
    // The count and the delivery planned after it must be one step, or workers planning at
    // once each see room under the cap and all send. The lock is held to the transaction's end.
    match db.backend {
        // Per project, so that other projects' workers are not held up.
        Backend::Postgres => {
            sqlx::query("SELECT pg_advisory_xact_lock(7262749, hashtext($1))")
                .bind(&project.name)
                .execute(&mut **tx)
                .await
                .map_err(|e| db.error(e))?;
        }
        // SQLite has one writer at a time: a write (one that changes nothing) takes the write
        // lock now, before counting, so no other transaction can plan until this one ends;
        // one whose snapshot is stale fails and its job is tried again.
        Backend::Sqlite => {
            sqlx::query("UPDATE serve_deliveries SET id = id WHERE 0 = 1")
                .execute(&mut **tx)
                .await
                .map_err(|e| db.error(e))?;
        }
    }
    let planned: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM serve_deliveries d JOIN serve_series s ON s.id = d.series_id \
         WHERE s.project = $1 AND d.kind = 'email' AND d.state <> 'capped' AND d.created_at > $2",
    )
    .bind(&project.name)
    .bind(now - 86_400_000)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| db.error(e))?;
    Ok(planned >= i64::from(cap))
}

/// One planned delivery, as a job reads it.
#[derive(Debug, Clone)]
pub struct Planned {
    /// Its row.
    pub id: i64,
    /// What it is.
    pub kind: DeliveryKind,
    /// Where to.
    pub target: String,
    /// Its state.
    pub state: String,
    /// The series.
    pub series: SeriesRow,
    /// The report delivered (none for a failed check or an unreadable mail).
    pub report: Option<crate::records::ReportRow>,
    /// What the check prepared for this delivery (see [`crate::send::prepare`]).
    pub payload: String,
}

async fn load(db: &Db, delivery_id: i64) -> Result<Option<Planned>, ServeError> {
    let row = sqlx::query(
        "SELECT kind, target, state, series_id, report_id, payload FROM serve_deliveries WHERE id = $1",
    )
    .bind(delivery_id)
    .fetch_optional(&db.pool)
    .await
    .map_err(|e| db.error(e))?;
    let Some(row) = row else { return Ok(None) };
    let kind: String = row.try_get(0).map_err(|e| db.error(e))?;
    let series_id: i64 = row.try_get(3).map_err(|e| db.error(e))?;
    let report_id: Option<i64> = row.try_get(4).map_err(|e| db.error(e))?;
    let report = match report_id {
        Some(id) => crate::records::get_report(db, id).await?,
        None => None,
    };
    let (Some(kind), Some(series)) = (
        DeliveryKind::parse(&kind),
        crate::records::get_series(db, series_id).await?,
    ) else {
        return Ok(None);
    };
    Ok(Some(Planned {
        id: delivery_id,
        kind,
        target: row.try_get(1).map_err(|e| db.error(e))?,
        state: row.try_get(2).map_err(|e| db.error(e))?,
        payload: row.try_get(5).map_err(|e| db.error(e))?,
        series,
        report,
    }))
}

/// Makes the delivery of a job, and records its outcome with the job's end.
pub async fn run(
    service: &Service,
    worker: &str,
    job: &Job,
    delivery_id: i64,
) -> Result<(), ServeError> {
    let db = &service.db;
    let Some(planned) = load(db, delivery_id).await? else {
        return finish(service, worker, job, delivery_id, None).await;
    };
    if planned.state != delivery_state::PENDING {
        return finish(service, worker, job, delivery_id, None).await;
    }
    let project = service.project(&planned.series.project)?.clone();
    let kind = planned.kind.as_str();
    match crate::send::deliver(service, &project, &planned).await {
        Ok(made) => {
            service.metrics.delivered(kind, made.state);
            finish(
                service,
                worker,
                job,
                delivery_id,
                Some((made.state, made.detail)),
            )
            .await
        }
        Err(error) => {
            service.metrics.delivered(kind, "error");
            let detail = error.to_string();
            sqlx::query(
                "UPDATE serve_deliveries SET attempts = attempts + 1, detail = $1, updated_at = $2 \
                 WHERE id = $3",
            )
            .bind(&detail)
            .bind(now_ms())
            .bind(delivery_id)
            .execute(&db.pool)
            .await
            .map_err(|e| db.error(e))?;
            if error.retryable && job.attempts < queue::MAX_ATTEMPTS {
                Err(ServeError::Delivery(detail))
            } else {
                finish(
                    service,
                    worker,
                    job,
                    delivery_id,
                    Some((delivery_state::FAILED, detail)),
                )
                .await
            }
        }
    }
}

async fn finish(
    service: &Service,
    worker: &str,
    job: &Job,
    delivery_id: i64,
    outcome: Option<(&str, String)>,
) -> Result<(), ServeError> {
    let db = &service.db;
    let mut tx = db.pool.begin().await.map_err(|e| db.error(e))?;
    if !queue::complete(db, &mut tx, job.id, worker).await? {
        tx.rollback().await.map_err(|e| db.error(e))?;
        return Ok(());
    }
    if let Some((state, detail)) = outcome {
        sqlx::query(
            "UPDATE serve_deliveries SET state = $1, attempts = attempts + 1, detail = $2, \
             updated_at = $3 WHERE id = $4",
        )
        .bind(state)
        .bind(detail)
        .bind(now_ms())
        .bind(delivery_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| db.error(e))?;
    }
    tx.commit().await.map_err(|e| db.error(e))
}

/// Announces that the check of a series has started where that is shown (Patchwork's
/// `pending`). Best effort: a failure is logged, the check goes on.
pub async fn pending(service: &Service, project: &Project, series: &SeriesRow) {
    if let Err(e) = crate::send::pending(service, project, series).await {
        tracing::warn!(series = series.id, error = %e, "cannot announce the pending check");
    }
}
