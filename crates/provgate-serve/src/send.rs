//! The service's side of the remote APIs: what each delivery carries (prepared when the check
//! ends, from the typed report), making it through `provgate-deliver`, and polling Patchwork.

use std::sync::Arc;
use std::time::Duration;

use provgate_deliver::email::{Reply, ReplyOptions, StoredReply};
use provgate_deliver::github::{CheckRun, Status};
use provgate_deliver::gitlab::CommitStatus;
use provgate_deliver::patchwork::{Check, CheckDelivery};
use provgate_deliver::transport::{self, SentOutcome, SmtpTls, Transport};
use provgate_deliver::{DeliverError, PatchworkState, PipelineState, Secret, StatusState};
use provgate_report::Report;
use sqlx::Row;

use crate::config::{self, Project};
use crate::deliveries::{DeliveryKind, Planned, delivery_state};
use crate::error::ServeError;
use crate::ingest::{self, Cursor, Received, origin};
use crate::records::{PatchworkMeta, SeriesRow};
use crate::service::Service;
use crate::worker::Outcome;

/// A delivery made.
#[derive(Debug, Clone)]
pub struct Made {
    /// The state recorded ([`delivery_state::SENT`] or [`delivery_state::ALREADY`]).
    pub state: &'static str,
    /// What happened, for the dashboard.
    pub detail: String,
}

/// A delivery that failed.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SendFailure {
    /// Whether trying again later may help.
    pub retryable: bool,
    /// What happened (never a secret).
    pub message: String,
}

impl From<DeliverError> for SendFailure {
    fn from(e: DeliverError) -> SendFailure {
        SendFailure {
            retryable: e.is_retryable(),
            message: e.to_string(),
        }
    }
}

impl SendFailure {
    fn permanent(message: impl Into<String>) -> SendFailure {
        SendFailure {
            retryable: false,
            message: message.into(),
        }
    }
}

fn secret(name: &str) -> Result<Secret, SendFailure> {
    config::secret(name)
        .map(Secret::new)
        .map_err(|e| SendFailure::permanent(e.to_string()))
}

/// The dashboard page of a series.
pub fn series_url(service: &Service, series_id: i64) -> String {
    format!(
        "{}/series/{series_id}",
        service.config.server.public_url.trim_end_matches('/')
    )
}

/// One line saying what a report found, for checks and statuses.
fn description(report: &Report) -> String {
    let s = &report.summary;
    let verdict = crate::records::verdict_text(report.verdict).unwrap_or_else(|| "none".into());
    format!(
        "provgate: {verdict} ({} error(s), {} warning(s) in {} patch(es))",
        s.deny, s.warn, s.patches
    )
}

/// What a delivery of `kind` to `target` carries, as JSON: prepared from the typed report when
/// the check ends, so that the delivery job — in any process, at any later time — sends exactly
/// this.
pub fn prepare(
    service: &Service,
    project: &Project,
    series: &SeriesRow,
    outcome: &Outcome,
    kind: DeliveryKind,
    target: &str,
) -> Result<String, ServeError> {
    let report = &outcome.report;
    let url = series_url(service, series.id);
    let json = |v: serde_json::Result<String>| v.map_err(|e| ServeError::Gone(e.to_string()));
    match kind {
        DeliveryKind::Email => {
            let email = project.deliver.email.as_ref().ok_or_else(|| {
                ServeError::Gone("e-mail replies are no longer configured".into())
            })?;
            let series_report = report
                .series
                .first()
                .ok_or_else(|| ServeError::Gone("the report holds no series".into()))?;
            let (to, cc) = crate::deliveries::recipients(&series.sender, email);
            let mut lead: Vec<String> = preface(project, email, Some(report)).into_iter().collect();
            lead.push(verdict_line(outcome));
            lead.push(outcome.base_note.clone());
            // The base statement leads the reply; the report's notes repeat it.
            let notes = report
                .notes
                .iter()
                .filter(|n| **n != outcome.base_note)
                .cloned()
                .collect();
            let reply = Reply::for_series(
                report,
                &series_report.id,
                &outcome.references,
                &ReplyOptions {
                    from: email.from.clone(),
                    to,
                    cc,
                    dashboard_url: Some(url),
                    notes,
                    signature: None,
                    original_subject: outcome.original_subject.clone(),
                    lead,
                },
            )
            .map_err(|e| ServeError::Delivery(e.to_string()))?;
            json(serde_json::to_string(&reply.stored()))
        }
        DeliveryKind::Patchwork => {
            let context = project
                .deliver
                .patchwork
                .as_ref()
                .map_or("provgate".into(), |p| p.context.clone());
            // Each patch gets its own verdict; the patch is found by its Message-ID.
            let msgid = series
                .meta
                .patchwork
                .as_ref()
                .and_then(|p| p.patches.iter().find(|(_, id)| id.to_string() == target))
                .map(|(msgid, _)| msgid.clone());
            let patch = msgid.and_then(|m| report.patch(&m));
            let verdict = patch.map_or(report.verdict, |p| p.verdict);
            let mut check = Check::new(PatchworkState::for_verdict(verdict), context);
            check.description = Some(match patch {
                Some(p) => format!(
                    "provgate: {} ({} finding(s))",
                    crate::records::verdict_text(p.verdict).unwrap_or_else(|| "none".into()),
                    p.findings.len()
                ),
                None => description(report),
            });
            check.target_url = Some(url);
            json(serde_json::to_string(&check))
        }
        DeliveryKind::GithubCheckRun => {
            let github = project.deliver.github.as_ref();
            let request = series.meta.github.as_ref();
            let (Some(github), Some(request)) = (github, request) else {
                return Err(ServeError::Gone(
                    "no GitHub delivery for this series".into(),
                ));
            };
            let run = CheckRun::from_report(
                report,
                github.context.clone(),
                request.head_sha.clone(),
                format!("provgate-series-{}", series.id),
                Some(url),
            );
            json(serde_json::to_string(&run))
        }
        DeliveryKind::GithubStatus => {
            let github = project.deliver.github.as_ref();
            let Some(github) = github else {
                return Err(ServeError::Gone(
                    "no GitHub delivery for this series".into(),
                ));
            };
            json(serde_json::to_string(&Status {
                state: StatusState::for_verdict(report.verdict),
                context: github.context.clone(),
                description: Some(description(report)),
                target_url: Some(url),
            }))
        }
        DeliveryKind::GitlabStatus => {
            let name = project
                .deliver
                .gitlab
                .as_ref()
                .map_or("provgate".into(), |g| g.context.clone());
            json(serde_json::to_string(&CommitStatus {
                state: PipelineState::for_verdict(report.verdict),
                name,
                description: Some(description(report)),
                target_url: Some(url),
            }))
        }
        DeliveryKind::GitlabNote => {
            let body = format!(
                "{}\n\n{}\n",
                provgate_report::markdown::render(report),
                format_args!("[The full report]({url})")
            );
            Ok(body)
        }
    }
}

/// The first line of a reply: the configured `preface`, or one saying provgate wrote the mail
/// and naming the policy; none when the preface is set to `""`.
fn preface(
    project: &Project,
    email: &config::EmailDelivery,
    report: Option<&Report>,
) -> Option<String> {
    match &email.preface {
        Some(text) if text.trim().is_empty() => None,
        Some(text) => Some(text.trim().to_string()),
        None => {
            let policy = report
                .and_then(|r| r.policy.as_ref())
                .map_or(project.policy.clone(), |p| p.origin.clone());
            Some(format!(
                "This mail was generated by provgate, a bot that checks {} submissions against the policy {policy}.",
                project.name
            ))
        }
    }
}

/// The verdict in one sentence, before any detail; an incomplete series says so instead of
/// passing.
fn verdict_line(outcome: &Outcome) -> String {
    let s = &outcome.report.summary;
    let verdict =
        crate::records::verdict_text(outcome.report.verdict).unwrap_or_else(|| "none".into());
    let counts = format!(
        "{} error(s), {} warning(s) in {} patch(es)",
        s.deny, s.warn, s.patches
    );
    if outcome.missing.is_empty() {
        format!("Verdict: {verdict} ({counts}).")
    } else {
        format!(
            "Incomplete: patch {} had not arrived after the wait, so this series was not judged whole; \
             the parts that arrived came to {verdict} ({counts}).",
            outcome
                .missing
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// What a check that failed for good tells a forge or Patchwork check: `error` (GitHub),
/// `failed` (GitLab), `fail` (Patchwork), with the error.
pub fn prepare_failure(
    service: &Service,
    project: &Project,
    series: &SeriesRow,
    kind: DeliveryKind,
    error: &str,
) -> Result<String, ServeError> {
    let url = series_url(service, series.id);
    let json = |v: serde_json::Result<String>| v.map_err(|e| ServeError::Gone(e.to_string()));
    // A forge or Patchwork shows this to anyone: the server's paths (a setting's
    // `repository = /srv/…`) are hidden as on the dashboard.
    let error = crate::dashboard::Public::new(&service.config).text(error);
    let line = format!("provgate could not check this: {error}");
    match kind {
        DeliveryKind::Email => Err(ServeError::Gone(
            "a failed check is not mailed; it is shown on the dashboard".into(),
        )),
        DeliveryKind::Patchwork => {
            let context = project
                .deliver
                .patchwork
                .as_ref()
                .map_or("provgate".into(), |p| p.context.clone());
            let mut check = Check::new(PatchworkState::Fail, context);
            check.description = Some(line);
            check.target_url = Some(url);
            json(serde_json::to_string(&check))
        }
        DeliveryKind::GithubCheckRun => {
            let (Some(github), Some(request)) =
                (project.deliver.github.as_ref(), series.meta.github.as_ref())
            else {
                return Err(ServeError::Gone(
                    "no GitHub delivery for this series".into(),
                ));
            };
            json(serde_json::to_string(&CheckRun {
                name: github.context.clone(),
                head_sha: request.head_sha.clone(),
                external_id: format!("provgate-series-{}", series.id),
                details_url: Some(url),
                conclusion: provgate_deliver::CheckConclusion::Failure,
                title: "provgate: the check failed".into(),
                summary: format!("provgate could not check this pull request:\n\n    {error}\n"),
                annotations: Vec::new(),
                findings: 0,
            }))
        }
        DeliveryKind::GithubStatus => {
            let Some(github) = project.deliver.github.as_ref() else {
                return Err(ServeError::Gone(
                    "no GitHub delivery for this series".into(),
                ));
            };
            json(serde_json::to_string(&Status {
                state: StatusState::Error,
                context: github.context.clone(),
                description: Some(line),
                target_url: Some(url),
            }))
        }
        DeliveryKind::GitlabStatus => {
            let name = project
                .deliver
                .gitlab
                .as_ref()
                .map_or("provgate".into(), |g| g.context.clone());
            json(serde_json::to_string(&CommitStatus {
                state: PipelineState::Failed,
                name,
                description: Some(line),
                target_url: Some(url),
            }))
        }
        DeliveryKind::GitlabNote => Ok(format!(
            "provgate could not check this merge request:\n\n    {error}\n\n[The series page]({url})\n"
        )),
    }
}

/// The notice to the sender of a patch mail that could not be read: which line, in a short
/// reply to them alone.
pub fn prepare_notice(
    service: &Service,
    project: &Project,
    series: &SeriesRow,
    raw: &[u8],
) -> Result<String, ServeError> {
    let email = project
        .deliver
        .email
        .as_ref()
        .ok_or_else(|| ServeError::Gone("e-mail replies are no longer configured".into()))?;
    let head = ingest::envelope(raw);
    let message_id = head
        .message_id
        .clone()
        .ok_or_else(|| ServeError::Gone("the message has no Message-ID".into()))?;
    let mut lead: Vec<String> = preface(project, email, None).into_iter().collect();
    lead.push(format!(
        "Not checked: the message could not be read. Its page: {}",
        series_url(service, series.id)
    ));
    let notice = provgate_deliver::email::notice(
        &message_id,
        &head.references,
        series
            .error
            .as_deref()
            .unwrap_or("the message could not be read"),
        &ReplyOptions {
            from: email.from.clone(),
            to: head.from.clone(),
            original_subject: Some(head.subject.clone()),
            lead,
            ..ReplyOptions::default()
        },
    )
    .map_err(|e| ServeError::Delivery(e.to_string()))?;
    serde_json::to_string(&notice.stored()).map_err(|e| ServeError::Gone(e.to_string()))
}

fn transport_of(project: &Project) -> Result<Transport, SendFailure> {
    let email = project
        .deliver
        .email
        .as_ref()
        .ok_or_else(|| SendFailure::permanent("e-mail replies are no longer configured"))?;
    if let Some(dir) = &email.outbox {
        return Ok(Transport::Outbox { dir: dir.clone() });
    }
    let smtp = email
        .smtp
        .as_ref()
        .ok_or_else(|| SendFailure::permanent("no outbox and no SMTP server configured"))?;
    let credentials = match (&smtp.user, &smtp.password_env) {
        (Some(user), Some(env)) => Some((user.clone(), secret(env)?)),
        _ => None,
    };
    Ok(Transport::Smtp {
        host: smtp.host.clone(),
        port: smtp.port,
        tls: match smtp.tls {
            config::SmtpTls::None => SmtpTls::None,
            config::SmtpTls::Starttls => SmtpTls::StartTls,
            config::SmtpTls::Tls => SmtpTls::Tls,
        },
        credentials,
        timeout: Duration::from_secs(60),
    })
}

fn split_repository(repository: &str) -> Result<(&str, &str), SendFailure> {
    repository
        .split_once('/')
        .ok_or_else(|| SendFailure::permanent(format!("`{repository}` is not owner/name")))
}

fn parse<T: serde::de::DeserializeOwned>(payload: &str) -> Result<T, SendFailure> {
    serde_json::from_str(payload)
        .map_err(|e| SendFailure::permanent(format!("the prepared delivery cannot be read: {e}")))
}

/// Makes one planned delivery. Each path is idempotent (see [`crate::deliveries`]).
pub async fn deliver(
    _service: &Service,
    project: &Project,
    planned: &Planned,
) -> Result<Made, SendFailure> {
    let sent = |detail: String| Made {
        state: delivery_state::SENT,
        detail,
    };
    let already = |detail: String| Made {
        state: delivery_state::ALREADY,
        detail,
    };
    match planned.kind {
        DeliveryKind::Email => {
            let reply: StoredReply = parse(&planned.payload)?;
            let outcome = transport::send_stored(&transport_of(project)?, &reply).await?;
            Ok(match outcome.outcome {
                SentOutcome::Accepted(answer) => sent(format!("accepted: {answer}")),
                SentOutcome::Written(path) => sent(format!("written to {}", path.display())),
                SentOutcome::AlreadyInOutbox(path) => {
                    already(format!("already in the outbox: {}", path.display()))
                }
            })
        }
        DeliveryKind::Patchwork => {
            let source = project
                .sources
                .patchwork
                .as_ref()
                .ok_or_else(|| SendFailure::permanent("Patchwork is no longer configured"))?;
            let token = source.token_env.as_deref().map(secret).transpose()?;
            let client = provgate_deliver::patchwork::Client::new(&source.url, token)?;
            let patch: u64 = planned
                .target
                .parse()
                .map_err(|_| SendFailure::permanent("the Patchwork patch id is not a number"))?;
            let check: Check = parse(&planned.payload)?;
            Ok(match client.post_check_once(patch, &check).await? {
                CheckDelivery::Posted(c) => sent(format!("check {} posted", c.id)),
                CheckDelivery::AlreadyPosted(c) => already(format!("check {} was there", c.id)),
            })
        }
        DeliveryKind::GithubCheckRun | DeliveryKind::GithubStatus => {
            let github = project
                .deliver
                .github
                .as_ref()
                .ok_or_else(|| SendFailure::permanent("GitHub is no longer configured"))?;
            let client =
                provgate_deliver::github::Client::new(&github.api_url, secret(&github.token_env)?)?;
            let request = planned
                .series
                .meta
                .github
                .as_ref()
                .ok_or_else(|| SendFailure::permanent("the series is not a pull request"))?;
            let (owner, repo) = split_repository(&request.repository)?;
            if planned.kind == DeliveryKind::GithubCheckRun {
                let run: CheckRun = parse(&planned.payload)?;
                let done = client.deliver_check_run(owner, repo, &run).await?;
                let detail = format!(
                    "check run {}: {} annotation(s) sent",
                    done.id, done.annotations_sent
                );
                Ok(if done.created {
                    sent(detail)
                } else {
                    already(detail)
                })
            } else {
                let status: Status = parse(&planned.payload)?;
                client
                    .create_status(owner, repo, &request.head_sha, &status)
                    .await?;
                Ok(sent(format!("status {} set", status.state.as_str())))
            }
        }
        DeliveryKind::GitlabStatus | DeliveryKind::GitlabNote => {
            let gitlab = project
                .deliver
                .gitlab
                .as_ref()
                .ok_or_else(|| SendFailure::permanent("GitLab is no longer configured"))?;
            let client =
                provgate_deliver::gitlab::Client::new(&gitlab.api_url, secret(&gitlab.token_env)?)?;
            let request = planned
                .series
                .meta
                .gitlab
                .as_ref()
                .ok_or_else(|| SendFailure::permanent("the series is not a merge request"))?;
            if planned.kind == DeliveryKind::GitlabStatus {
                let status: CommitStatus = parse(&planned.payload)?;
                client
                    .set_commit_status(&request.repository, &request.head_sha, &status)
                    .await?;
                Ok(sent(format!("status {} set", status.state.as_str())))
            } else {
                let key = format!("series-{}", planned.series.id);
                Ok(
                    match client
                        .deliver_mr_note(
                            &request.repository,
                            request.number,
                            &key,
                            &planned.payload,
                        )
                        .await?
                    {
                        provgate_deliver::gitlab::NoteDelivery::Posted(id) => {
                            sent(format!("note {id} posted"))
                        }
                        provgate_deliver::gitlab::NoteDelivery::AlreadyPosted => {
                            already("the note was there".into())
                        }
                    },
                )
            }
        }
    }
}

/// Announces that the check of a series has started, where that is shown: a `pending`
/// Patchwork check on each patch.
pub async fn pending(
    service: &Service,
    project: &Project,
    series: &SeriesRow,
) -> Result<(), SendFailure> {
    let (Some(delivery), Some(source), Some(meta)) = (
        &project.deliver.patchwork,
        &project.sources.patchwork,
        &series.meta.patchwork,
    ) else {
        return Ok(());
    };
    let token = source.token_env.as_deref().map(secret).transpose()?;
    let client = provgate_deliver::patchwork::Client::new(&source.url, token)?;
    for (_, patch) in &meta.patches {
        let mut check = Check::new(PatchworkState::Pending, delivery.context.clone());
        check.description = Some("provgate: checking".into());
        check.target_url = Some(series_url(service, series.id));
        client.post_check_once(*patch as u64, &check).await?;
        service.metrics.delivered("patchwork-pending", "sent");
    }
    Ok(())
}

/// Reads the series Patchwork completed since the last poll: each series' mbox is taken in as
/// mail (each message once), the series learns its Patchwork patch ids, and its check is
/// queued — with the event's position, in one transaction.
pub async fn poll_patchwork(
    service: &Arc<Service>,
    project: &Project,
    history_before: Option<i64>,
) -> Result<(), ServeError> {
    let Some(source) = &project.sources.patchwork else {
        return Ok(());
    };
    let classify = project.classify_options();
    let failure = |e: DeliverError| ServeError::Delivery(e.to_string());
    let token = match &source.token_env {
        Some(env) => Some(Secret::new(config::secret(env)?)),
        None => None,
    };
    let client = provgate_deliver::patchwork::Client::new(&source.url, token).map_err(failure)?;
    let cursor_source = format!("patchwork:{}", source.url);
    let db = &service.db;
    let since = ingest::cursor(db, &project.name, &cursor_source, "since").await?;
    let last_id: i64 = ingest::cursor(db, &project.name, &cursor_source, "event")
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let events = client
        .events_series_completed(&source.project, since.as_deref())
        .await
        .map_err(failure)?;
    for event in events.into_iter().filter(|e| e.id as i64 > last_id) {
        let info = client.series(event.series_id).await.map_err(failure)?;
        let mbox = client.fetch_mbox(&info.mbox).await.map_err(failure)?;
        let messages: Vec<Vec<u8>> = provgate_patch::mbox::MboxReader::new(
            &mbox[..],
            provgate_patch::mbox::MboxFlavor::Mboxo,
        )
        .filter_map(Result::ok)
        .map(|m| m.bytes)
        .collect();
        for raw in &messages {
            ingest::message(
                db,
                Received {
                    project: &project.name,
                    source: &cursor_source,
                    origin: origin::PATCHWORK,
                    raw,
                    cursor: None,
                    hold: true,
                    history_before,
                    classify: &classify,
                },
            )
            .await?;
        }
        let anchor = info
            .cover_letter
            .as_ref()
            .or(info.patches.first())
            .map(|p| p.msgid.clone());
        let mut tx = db.pool.begin().await.map_err(|e| db.error(e))?;
        let event_id = event.id.to_string();
        ingest::save_cursor(
            db,
            &mut *tx,
            &project.name,
            Cursor {
                source: &cursor_source,
                key: "event",
                value: &event_id,
            },
        )
        .await?;
        ingest::save_cursor(
            db,
            &mut *tx,
            &project.name,
            Cursor {
                source: &cursor_source,
                key: "since",
                value: &event.date,
            },
        )
        .await?;
        let series_id: Option<i64> = match &anchor {
            Some(msgid) => sqlx::query(
                "SELECT series_id FROM serve_messages WHERE project = $1 AND message_id = $2 \
                 AND series_id IS NOT NULL ORDER BY id LIMIT 1",
            )
            .bind(&project.name)
            .bind(msgid)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| db.error(e))?
            .map(|r| r.try_get(0))
            .transpose()
            .map_err(|e| db.error(e))?,
            None => None,
        };
        if let Some(series_id) = series_id {
            let meta = crate::records::SeriesMeta {
                patchwork: Some(PatchworkMeta {
                    series: info.id as i64,
                    patches: info
                        .patches
                        .iter()
                        .map(|p| (p.msgid.clone(), p.id as i64))
                        .collect(),
                }),
                ..Default::default()
            };
            sqlx::query("UPDATE serve_series SET meta = $1, origin = 'patchwork' WHERE id = $2")
                .bind(serde_json::to_string(&meta).expect("meta serialises"))
                .bind(series_id)
                .execute(&mut *tx)
                .await
                .map_err(|e| db.error(e))?;
            ingest::queue_check(db, &mut tx, &project.name, series_id, crate::db::now_ms()).await?;
        } else {
            tracing::warn!(project = %project.name, series = event.series_id, "a Patchwork series had no readable patch");
        }
        tx.commit().await.map_err(|e| db.error(e))?;
    }
    Ok(())
}
