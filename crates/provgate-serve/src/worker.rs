//! Workers: claim a job, do it under a renewed lease, and commit its effects together with its
//! end.

use std::sync::Arc;
use std::time::{Duration, Instant};

use provgate_engine::{CheckRequest, Input};
use provgate_patch::input::ReadOptions;
use provgate_patch::mbox::MboxFlavor;
use provgate_report::Report;
use sqlx::Row;
use tokio::sync::watch;

use crate::base;
use crate::db::now_ms;
use crate::deliveries;
use crate::error::ServeError;
use crate::ingest::{self, announced_base, mboxrd};
use crate::queue::{self, Job, Work};
use crate::records::{self, verdict_text};
use crate::service::Service;

/// Runs jobs until `shutdown` turns true; the job in hand is finished first.
pub async fn run(service: Arc<Service>, name: String, mut shutdown: watch::Receiver<bool>) {
    let lease_ms = service.config.lease().as_millis() as i64;
    loop {
        if *shutdown.borrow() {
            return;
        }
        let job = match queue::claim(&service.db, &name, lease_ms).await {
            Ok(job) => job,
            Err(e) => {
                tracing::warn!(worker = %name, error = %e, "cannot claim a job; retrying");
                None
            }
        };
        let Some(job) = job else {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                _ = shutdown.changed() => {}
            }
            continue;
        };
        run_job(&service, &name, job, lease_ms).await;
    }
}

/// Runs ready jobs until none is left; how many ran. For tests, and for one-shot runs.
pub async fn run_until_idle(service: &Arc<Service>, name: &str) -> usize {
    let lease_ms = service.config.lease().as_millis() as i64;
    let mut ran = 0;
    while let Ok(Some(job)) = queue::claim(&service.db, name, lease_ms).await {
        run_job(service, name, job, lease_ms).await;
        ran += 1;
    }
    ran
}

async fn run_job(service: &Arc<Service>, worker: &str, job: Job, lease_ms: i64) {
    let (stop_renewing, mut stopped) = watch::channel(false);
    let renewer = {
        let service = service.clone();
        let worker = worker.to_string();
        let id = job.id;
        tokio::spawn(async move {
            let every = Duration::from_millis((lease_ms / 3).max(500) as u64);
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = stopped.changed() => return,
                }
                match queue::renew(&service.db, id, &worker, lease_ms).await {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(e) => tracing::warn!(job = id, error = %e, "cannot renew the lease"),
                }
            }
        })
    };
    let started = Instant::now();
    let outcome = match &job.work {
        Work::Check { series_id } => check_series(service, worker, &job, *series_id).await,
        Work::Forge { series_id } => check_series(service, worker, &job, *series_id).await,
        Work::Deliver { delivery_id } => deliveries::run(service, worker, &job, *delivery_id).await,
        Work::Notice { series_id } => notice(service, worker, &job, *series_id).await,
    };
    let _ = stop_renewing.send(true);
    let _ = renewer.await;
    if let Err(error) = outcome {
        let retry = error.is_retryable() && job.attempts < queue::MAX_ATTEMPTS;
        tracing::warn!(
            job = job.id, kind = job.work.kind(), project = %job.project, attempts = job.attempts,
            retry, error = %error, "job failed"
        );
        let delay = queue::backoff_ms(job.attempts);
        if let Err(e) = queue::fail(
            &service.db,
            job.id,
            worker,
            &error.to_string(),
            retry,
            delay,
        )
        .await
        {
            tracing::warn!(job = job.id, error = %e, "cannot record the failure; the lease will expire");
        } else if !retry {
            service.metrics.failed(&job.project, job.work.kind());
            if let Work::Check { series_id } | Work::Forge { series_id } = &job.work
                && let Err(e) = mark_failed(service, *series_id, &error.to_string()).await
            {
                tracing::error!(job = job.id, error = %e, "cannot mark the series failed");
            }
        }
    } else {
        tracing::info!(
            job = job.id, kind = job.work.kind(), project = %job.project,
            ms = started.elapsed().as_millis() as u64, "job done"
        );
    }
}

/// What a check produced, before it is stored.
pub struct Outcome {
    /// The report.
    pub report: Report,
    /// The digest of what was read.
    pub input_sha256: String,
    /// The commit the code was read at.
    pub base: Option<String>,
    /// How the base was chosen.
    pub base_note: String,
    /// Parts that had not arrived.
    pub missing: Vec<i64>,
    /// The `References` of the message a reply answers (the cover letter, else the first
    /// patch).
    pub references: Vec<String>,
    /// The `Subject:` of that message as sent, for the reply's `Re: `.
    pub original_subject: Option<String>,
}

/// Marks a series whose check failed for good as failed, with the error, and tells its forge
/// and Patchwork checks: a failure is never left looking like a check still to come.
async fn mark_failed(service: &Service, series_id: i64, error: &str) -> Result<(), ServeError> {
    let db = &service.db;
    let Some(series) = records::get_series(db, series_id).await? else {
        return Ok(());
    };
    let project = service.project(&series.project)?;
    let mut tx = db.pool.begin().await.map_err(|e| db.error(e))?;
    sqlx::query(
        "UPDATE serve_series SET state = 'failed', error = $1, updated_at = $2 WHERE id = $3",
    )
    .bind(error)
    .bind(now_ms())
    .bind(series_id)
    .execute(&mut *tx)
    .await
    .map_err(|e| db.error(e))?;
    deliveries::plan_failure(service, &mut tx, project, &series, error).await?;
    tx.commit().await.map_err(|e| db.error(e))
}

/// Plans the notice to the sender of an unreadable patch mail, and ends the job.
async fn notice(
    service: &Service,
    worker: &str,
    job: &Job,
    series_id: i64,
) -> Result<(), ServeError> {
    let db = &service.db;
    let Some(series) = records::get_series(db, series_id).await? else {
        return finish_without_check(service, worker, job).await;
    };
    let project = service.project(&series.project)?;
    let (messages, _) = ingest::series_messages(db, series_id).await?;
    let mut tx = db.pool.begin().await.map_err(|e| db.error(e))?;
    if !queue::complete(db, &mut tx, job.id, worker).await? {
        tx.rollback().await.map_err(|e| db.error(e))?;
        return Ok(());
    }
    if let Some(raw) = messages.first() {
        deliveries::plan_notice(service, &mut tx, project, &series, raw).await?;
    }
    tx.commit().await.map_err(|e| db.error(e))
}

async fn check_series(
    service: &Arc<Service>,
    worker: &str,
    job: &Job,
    series_id: i64,
) -> Result<(), ServeError> {
    let db = &service.db;
    let Some(series) = records::get_series(db, series_id).await? else {
        return finish_without_check(service, worker, job).await;
    };
    if matches!(
        series.state.as_str(),
        ingest::series_state::SUPERSEDED | ingest::series_state::HISTORY
    ) {
        return finish_without_check(service, worker, job).await;
    }
    let project = service.project(&series.project)?.clone();
    deliveries::pending(service, &project, &series).await;
    let started = Instant::now();
    let outcome = match (&series.meta.github, &series.meta.gitlab) {
        (Some(request), _) | (None, Some(request)) => {
            let service = service.clone();
            let request = request.clone();
            let project = project.clone();
            let forge = if series.meta.github.is_some() {
                "github"
            } else {
                "gitlab"
            };
            tokio::task::spawn_blocking(move || check_request(&service, &project, forge, &request))
                .await
                .map_err(|e| ServeError::Gone(format!("the check stopped: {e}")))??
        }
        (None, None) => {
            let (messages, missing) = ingest::series_messages(db, series_id).await?;
            let replies = ingest::series_replies(db, series_id).await?;
            let service = service.clone();
            let project = project.clone();
            tokio::task::spawn_blocking(move || {
                check_mail(&service, &project, series_id, &messages, &replies, missing)
            })
            .await
            .map_err(|e| ServeError::Gone(format!("the check stopped: {e}")))??
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let verdict = verdict_text(outcome.report.verdict);
    let stored = store_outcome(service, worker, job, &series, &outcome, seconds).await?;
    if stored {
        service.metrics.checked(
            &series.project,
            verdict.as_deref().unwrap_or("none"),
            job.work.kind(),
            seconds,
        );
    }
    Ok(())
}

/// Reads a mailed series against the base it applies to, and judges it. Blocking.
///
/// The code rules run only against a base the series applies to: with none found, or no diff
/// to apply, they do not run, and the base statement says so. `replies` are reviewers' replies
/// in its thread: read with it for their trailers, never checked.
pub fn check_mail(
    service: &Service,
    project: &crate::config::Project,
    series_id: i64,
    messages: &[Vec<u8>],
    replies: &[Vec<u8>],
    missing: Vec<i64>,
) -> Result<Outcome, ServeError> {
    let all: Vec<Vec<u8>> = messages.iter().chain(replies).cloned().collect();
    let read = provgate_engine::read_bytes(
        &format!("series {series_id}"),
        &mboxrd(&all),
        ReadOptions {
            mbox_flavor: MboxFlavor::Mboxrd,
        },
    );
    let has_diff = read
        .series
        .iter()
        .flat_map(|s| &s.patches)
        .any(|p| !p.files.is_empty());
    let (announced, based_on) = announced_base(messages);
    let mails: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    let choice = if !project.code {
        base::BaseChoice {
            commit: None,
            note: "The code is not read for this project.".into(),
        }
    } else if !has_diff {
        base::BaseChoice {
            commit: None,
            note: "The code was not checked: the series carries no diff, so it applies to no base."
                .into(),
        }
    } else {
        base::find(
            &project.repository,
            &project.branch,
            announced.as_deref(),
            &based_on,
            &mails,
            project.base_search,
        )
    };
    // The rules come from the branch's tip whatever base the code is read at.
    let gate = service.gate(
        project,
        None,
        choice.commit.as_deref(),
        choice.commit.is_some(),
    )?;
    let head = read
        .series
        .first()
        .and_then(|s| s.cover.as_ref().or(s.patches.first()));
    let references = head.map(|p| p.references.clone()).unwrap_or_default();
    let original_subject = head
        .and_then(|p| p.message_id.as_deref())
        .and_then(|id| {
            messages
                .iter()
                .map(|m| ingest::envelope(m))
                .find(|e| e.message_id.as_deref() == Some(id))
        })
        .map(|e| e.subject);
    let checked = gate.judge(read);
    let mut report = checked.report;
    report.notes.push(choice.note.clone());
    if !missing.is_empty() {
        report.notes.push(format!(
            "Checked with the parts that arrived after the wait; missing: patch {}.",
            missing
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(Outcome {
        report,
        input_sha256: checked.input_sha256,
        base: choice.commit,
        base_note: choice.note,
        missing,
        references,
        original_subject,
    })
}

/// Fetches a pull or merge request's commits from the project's configured remote and judges
/// them. Blocking.
fn check_request(
    service: &Service,
    project: &crate::config::Project,
    forge: &str,
    request: &records::PullRequest,
) -> Result<Outcome, ServeError> {
    let git_error = |source| ServeError::Git {
        project: project.name.clone(),
        source,
    };
    let head_ref = format!("refs/provgate/{forge}/{}", request.number);
    if project.remote.is_none()
        && provgate_git::mirror::recent_commits(&project.repository, &request.head_sha, 1).is_err()
    {
        // Trying again cannot help: nothing will bring the commit into the mirror.
        return Err(ServeError::Setting {
            project: project.name.clone(),
            message: format!(
                "the head {} of {} #{} is not in repository = {}, and no `remote` is set to fetch it from",
                short(&request.head_sha),
                request.repository,
                request.number,
                project.repository.display()
            ),
        });
    }
    if let Some(remote) = &project.remote {
        let source = match forge {
            "github" => format!("refs/pull/{}/head", request.number),
            _ => format!("refs/merge-requests/{}/head", request.number),
        };
        let base = format!("+refs/heads/{0}:refs/heads/{0}", request.base_ref);
        provgate_git::mirror::fetch(
            &project.repository,
            remote,
            &[&format!("+{source}:{head_ref}"), &base],
        )
        .map_err(git_error)?;
    }
    // The head must be what the event named: a push after the event is checked by its own event.
    let base = request
        .base_sha
        .clone()
        .unwrap_or_else(|| request.base_ref.clone());
    // The rules come from the tip of the branch the request targets (fetched above when a
    // remote is set), never from the request's own commits.
    let target = if project.remote.is_some() {
        format!("refs/heads/{}", request.base_ref)
    } else {
        request.base_ref.clone()
    };
    let gate = service.gate(project, Some(&target), Some(&base), true)?;
    let range = format!("{base}..{}", request.head_sha);
    let checked = gate.check(&CheckRequest {
        inputs: vec![Input::Range(range)],
        branch: Some(request.head_ref.clone()),
        ..CheckRequest::default()
    });
    let note = format!(
        "Read the commits of {} #{} from {} to {} against {}.",
        request.repository,
        request.number,
        short(&base),
        short(&request.head_sha),
        short(&base)
    );
    let mut report = checked.report;
    report.notes.push(note.clone());
    Ok(Outcome {
        report,
        input_sha256: checked.input_sha256,
        base: Some(base),
        base_note: note,
        missing: Vec::new(),
        references: Vec::new(),
        original_subject: None,
    })
}

fn short(id: &str) -> &str {
    if id.len() == 40 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        &id[..12]
    } else {
        id
    }
}

async fn finish_without_check(
    service: &Service,
    worker: &str,
    job: &Job,
) -> Result<(), ServeError> {
    let db = &service.db;
    let mut tx = db.pool.begin().await.map_err(|e| db.error(e))?;
    queue::complete(db, &mut tx, job.id, worker).await?;
    tx.commit().await.map_err(|e| db.error(e))
}

/// Stores a check's report, the series' verdict, the deliveries it calls for and its audit
/// entry, and ends the job — all in one transaction, and only while the worker still holds the
/// job: whether it was stored (false: another worker had taken the job over).
async fn store_outcome(
    service: &Service,
    worker: &str,
    job: &Job,
    series: &records::SeriesRow,
    outcome: &Outcome,
    seconds: f64,
) -> Result<bool, ServeError> {
    let db = &service.db;
    let now = now_ms();
    let mut tx = db.pool.begin().await.map_err(|e| db.error(e))?;
    // The job's end comes first: it takes SQLite's write lock, and it tells whether the lease
    // is still ours before anything else is written.
    if !queue::complete(db, &mut tx, job.id, worker).await? {
        tx.rollback().await.map_err(|e| db.error(e))?;
        return Ok(false);
    }
    let report_id = insert_report(db, &mut tx, series.id, outcome, seconds, now).await?;
    let ai = outcome.report.summary.ai_assisted > 0;
    sqlx::query(
        "UPDATE serve_series SET state = 'checked', verdict = $1, ai_assisted = $2, report_id = $3, \
         updated_at = $4 WHERE id = $5",
    )
    .bind(verdict_text(outcome.report.verdict))
    .bind(i64::from(ai))
    .bind(report_id)
    .bind(now)
    .bind(series.id)
    .execute(&mut *tx)
    .await
    .map_err(|e| db.error(e))?;
    let project = service.project(&series.project)?;
    deliveries::plan(service, &mut tx, project, series, report_id, outcome).await?;
    let mut entry =
        provgate_engine::entry_for_report("serve", &outcome.report, &outcome.input_sha256);
    entry.inputs.push(provgate_store::InputRef {
        name: format!("serve-report:{report_id}"),
        kind: "service".into(),
    });
    sqlx::query("INSERT INTO serve_audit_outbox (project, report_id, entry) VALUES ($1, $2, $3)")
        .bind(&series.project)
        .bind(report_id)
        .bind(serde_json::to_string(&entry).expect("entries serialise"))
        .execute(&mut *tx)
        .await
        .map_err(|e| db.error(e))?;
    tx.commit().await.map_err(|e| db.error(e))?;
    Ok(true)
}

/// Inserts a report row; its id.
pub async fn insert_report(
    db: &crate::db::Db,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    series_id: i64,
    outcome: &Outcome,
    seconds: f64,
    now: i64,
) -> Result<i64, ServeError> {
    let row = sqlx::query(
        "INSERT INTO serve_reports (series_id, created_at, verdict, base, base_note, missing, \
         report, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(series_id)
    .bind(now)
    .bind(verdict_text(outcome.report.verdict))
    .bind(outcome.base.clone())
    .bind(&outcome.base_note)
    .bind(serde_json::to_string(&outcome.missing).expect("numbers serialise"))
    .bind(provgate_report::json::render(&outcome.report))
    .bind((seconds * 1000.0) as i64)
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| db.error(e))?;
    row.try_get(0).map_err(|e| db.error(e))
}
