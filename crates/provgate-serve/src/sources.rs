//! Sources: where a project's series are read from, polled in turn.
//!
//! Each source remembers its position in the database, in the same transaction as each message
//! it hands in (see [`ingest::Received::cursor`]): a restarted service resumes after the last
//! message taken in, reading nothing twice and skipping nothing.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use provgate_git::inbox::{InboxEntry, PublicInbox};
use tokio::sync::watch;

use crate::config::{Project, Since, SourcePath};
use crate::db::now_ms;
use crate::error::ServeError;
use crate::ingest::{self, Cursor, Ingested, Received, origin};
use crate::service::Service;

/// Messages read from an epoch before they are handed in (bounds memory on a large archive).
const BATCH: usize = 256;

/// Polls every project's sources until `shutdown`.
pub async fn run(service: Arc<Service>, mut shutdown: watch::Receiver<bool>) {
    let every = Duration::from_secs(service.config.server.poll_seconds.max(1));
    loop {
        for project in &service.config.projects {
            if *shutdown.borrow() {
                return;
            }
            poll_project(&service, project).await;
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

/// Reads what is new in each source of `project` once, then queues the series that have waited
/// too long. Failures are logged and retried at the next poll.
pub async fn poll_project(service: &Arc<Service>, project: &Project) {
    if let Some(remote) = &project.remote {
        let repo = project.repository.clone();
        let remote = remote.clone();
        let branch = project.branch.clone();
        let fetched = tokio::task::spawn_blocking(move || {
            let refspec = format!("+refs/heads/{branch}:refs/heads/{branch}");
            provgate_git::mirror::fetch(&repo, &remote, &[&refspec])
        })
        .await;
        let fetched = match fetched {
            Ok(Ok(())) => {
                service.forget_gates(&project.name);
                Ok(())
            }
            Ok(Err(source)) => Err(ServeError::Git {
                project: project.name.clone(),
                source,
            }),
            Err(e) => Err(ServeError::Gone(e.to_string())),
        };
        if let Err(e) = &fetched {
            tracing::warn!(project = %project.name, error = %e, "cannot update the mirror from `remote`");
        }
        // The mirror's updates are shown on the sources page beside the mail sources.
        record_poll(service, project, "mirror", &fetched, &BTreeMap::new()).await;
    }
    let history_before = match history_before(service, project).await {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(project = %project.name, error = %e, "cannot read where the project starts; polling later");
            return;
        }
    };
    for inbox in &project.sources.public_inbox {
        let key = inbox.key("public-inbox");
        let mut counts = BTreeMap::new();
        let read = public_inbox(service, project, inbox, &key, history_before, &mut counts).await;
        if let Err(e) = &read {
            tracing::warn!(project = %project.name, inbox = %inbox.path.display(), error = %e, "cannot read the archive");
        }
        record_poll(service, project, &key, &read, &counts).await;
    }
    for dir in &project.sources.maildir {
        let key = dir.key("maildir");
        let mut counts = BTreeMap::new();
        let read = maildir(service, project, dir, &key, history_before, &mut counts).await;
        if let Err(e) = &read {
            tracing::warn!(project = %project.name, maildir = %dir.path.display(), error = %e, "cannot read the Maildir");
        }
        record_poll(service, project, &key, &read, &counts).await;
    }
    if project.sources.patchwork.is_some()
        && let Err(e) = crate::send::poll_patchwork(service, project, history_before).await
    {
        tracing::warn!(project = %project.name, error = %e, "cannot poll Patchwork");
    }
    let wait_ms = (project.wait_seconds as i64).saturating_mul(1000);
    match ingest::queue_overdue(&service.db, &project.name, wait_ms).await {
        Ok(0) => {}
        Ok(n) => {
            tracing::info!(project = %project.name, series = n, "queued incomplete series after the wait")
        }
        Err(e) => {
            tracing::warn!(project = %project.name, error = %e, "cannot queue waiting series")
        }
    }
}

/// The moment before which a project's mail is history (see [`Since`]): for `"now"`, the
/// first time this database saw the project, remembered so that a restart does not move it.
pub async fn history_before(
    service: &Service,
    project: &Project,
) -> Result<Option<i64>, ServeError> {
    match project.since {
        Since::All => Ok(None),
        Since::Day(day) => Ok(day
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp().as_millisecond())),
        Since::Now => {
            let db = &service.db;
            if let Some(start) = ingest::cursor(db, &project.name, "project", "since-now").await?
                && let Ok(start) = start.parse()
            {
                return Ok(Some(start));
            }
            let now = now_ms().to_string();
            // Two processes starting at once keep the first one written.
            sqlx::query(
                "INSERT INTO serve_cursors (project, source, key, value) VALUES ($1, 'project', \
                 'since-now', $2) ON CONFLICT (project, source, key) DO NOTHING",
            )
            .bind(&project.name)
            .bind(&now)
            .execute(&db.pool)
            .await
            .map_err(|e| db.error(e))?;
            Ok(ingest::cursor(db, &project.name, "project", "since-now")
                .await?
                .and_then(|v| v.parse().ok()))
        }
    }
}

/// Keeps what a poll of a source did, for the sources page: when, its error, and the messages
/// read by outcome (added to the counts kept before).
async fn record_poll(
    service: &Service,
    project: &Project,
    source: &str,
    read: &Result<(), ServeError>,
    counts: &BTreeMap<&'static str, i64>,
) {
    let db = &service.db;
    let recorded = async {
        let before: Option<String> = sqlx::query_scalar(
            "SELECT counts FROM serve_sources WHERE project = $1 AND source = $2",
        )
        .bind(&project.name)
        .bind(source)
        .fetch_optional(&db.pool)
        .await
        .map_err(|e| db.error(e))?;
        let mut total: BTreeMap<String, i64> = match before.map(|b| serde_json::from_str(&b)) {
            None => BTreeMap::new(),
            Some(Ok(total)) => total,
            Some(Err(e)) => {
                // Counting starts again; said, so that a drop in the counts is explained.
                tracing::warn!(project = %project.name, source, error = %e, "the stored message counts of a source cannot be read; counting again from zero");
                BTreeMap::new()
            }
        };
        for (outcome, n) in counts {
            *total.entry(outcome.to_string()).or_default() += n;
        }
        sqlx::query(
            "INSERT INTO serve_sources (project, source, last_poll, last_error, counts) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (project, source) DO UPDATE SET \
             last_poll = excluded.last_poll, last_error = excluded.last_error, counts = excluded.counts",
        )
        .bind(&project.name)
        .bind(source)
        .bind(now_ms())
        .bind(read.as_ref().err().map(ToString::to_string))
        .bind(serde_json::to_string(&total).expect("counts serialise"))
        .execute(&db.pool)
        .await
        .map_err(|e| db.error(e))?;
        Ok::<_, ServeError>(())
    };
    if let Err(e) = recorded.await {
        tracing::warn!(project = %project.name, %source, error = %e, "cannot record the poll");
    }
}

/// Moves the positions kept under a source's older key (its path as spelled in the
/// configuration) to its key now, so that an upgraded service does not read it from its start.
async fn adopt_cursors(
    service: &Service,
    project: &Project,
    spelled: &str,
    source: &str,
) -> Result<(), ServeError> {
    if spelled == source {
        return Ok(());
    }
    let db = &service.db;
    sqlx::query(
        "INSERT INTO serve_cursors (project, source, key, value) SELECT project, $1, key, value \
         FROM serve_cursors WHERE project = $2 AND source = $3 \
         ON CONFLICT (project, source, key) DO NOTHING",
    )
    .bind(source)
    .bind(&project.name)
    .bind(spelled)
    .execute(&db.pool)
    .await
    .map_err(|e| db.error(e))?;
    Ok(())
}

/// Hands one message in and counts it.
async fn hand_in(
    service: &Service,
    received: Received<'_>,
    counts: &mut BTreeMap<&'static str, i64>,
) -> Result<(), ServeError> {
    let outcome = ingest::message(&service.db, received).await?;
    let label = match &outcome {
        Ingested::Duplicate => "duplicate",
        Ingested::NotASubmission(reason) => reason.as_str(),
        Ingested::History => "history",
        Ingested::Unreadable { reason, series_id } => {
            // A patch mail that cannot be read is kept and answered, never dropped silently.
            tracing::warn!(
                project = %received.project, source = %received.source, %reason,
                kept_as_series = ?series_id, "a message could not be read"
            );
            "unreadable"
        }
        Ingested::Part { .. } => "patch",
    };
    service.metrics.ingested(received.project, label);
    *counts.entry(label).or_default() += 1;
    Ok(())
}

/// Reads the new messages of a public-inbox v2 archive, epoch by epoch.
async fn public_inbox(
    service: &Arc<Service>,
    project: &Project,
    inbox: &SourcePath,
    source: &str,
    history_before: Option<i64>,
    counts: &mut BTreeMap<&'static str, i64>,
) -> Result<(), ServeError> {
    let path = &inbox.path;
    let classify = project.classify_options();
    adopt_cursors(
        service,
        project,
        &format!("public-inbox:{}", path.display()),
        source,
    )
    .await?;
    let git_error = |source| ServeError::Git {
        project: project.name.clone(),
        source,
    };
    let opened = {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || PublicInbox::open(&path))
            .await
            .map_err(|e| ServeError::Gone(e.to_string()))?
            .map_err(git_error)?
    };
    let inbox = Arc::new(opened);
    for epoch in inbox.epochs().to_vec() {
        let key = epoch.number.to_string();
        loop {
            let since = ingest::cursor(&service.db, &project.name, source, &key).await?;
            let (items, head) = {
                let inbox = inbox.clone();
                let epoch = epoch.clone();
                tokio::task::spawn_blocking(move || {
                    let mut items = Vec::new();
                    let head = inbox.read_epoch(&epoch, since.as_deref(), &mut |item| {
                        items.push(item);
                        if items.len() >= BATCH {
                            ControlFlow::Break(())
                        } else {
                            ControlFlow::Continue(())
                        }
                    });
                    (items, head)
                })
                .await
                .map_err(|e| ServeError::Gone(e.to_string()))?
            };
            let head = head.map_err(git_error)?;
            let full = items.len() >= BATCH;
            for item in &items {
                let position = Cursor {
                    source,
                    key: &key,
                    value: &item.commit,
                };
                let cursor = Some(position);
                match &item.entry {
                    InboxEntry::Message(raw) => {
                        hand_in(
                            service,
                            Received {
                                project: &project.name,
                                source,
                                origin: origin::MAIL,
                                raw,
                                cursor,
                                hold: false,
                                history_before,
                                classify: &classify,
                            },
                            counts,
                        )
                        .await?
                    }
                    // A message removed from the archive after it was checked stays checked;
                    // its removal only moves the cursor.
                    InboxEntry::Deleted(_) => {
                        ingest::save_cursor(&service.db, &service.db.pool, &project.name, position)
                            .await?
                    }
                }
            }
            // Commits that held nothing (purged) still move the cursor to the head read.
            if !full
                && let Some(head) = head
                && items.last().is_none_or(|last| last.commit != head)
            {
                ingest::save_cursor(
                    &service.db,
                    &service.db.pool,
                    &project.name,
                    Cursor {
                        source,
                        key: &key,
                        value: &head,
                    },
                )
                .await?;
            }
            if !full {
                break;
            }
        }
    }
    Ok(())
}

/// Reads the messages of a Maildir not taken in yet (the Maildir is left as it is: the service
/// remembers which it has read by their unique names).
async fn maildir(
    service: &Arc<Service>,
    project: &Project,
    dir: &SourcePath,
    source: &str,
    history_before: Option<i64>,
    counts: &mut BTreeMap<&'static str, i64>,
) -> Result<(), ServeError> {
    let path = &dir.path;
    let classify = project.classify_options();
    adopt_cursors(
        service,
        project,
        &format!("maildir:{}", path.display()),
        source,
    )
    .await?;
    let (maildir, entries) = {
        let dir = path.to_path_buf();
        tokio::task::spawn_blocking(move || {
            let maildir = provgate_patch::maildir::Maildir::open(&dir)?;
            let entries = maildir.list()?;
            Ok::<_, provgate_patch::maildir::MaildirError>((maildir, entries))
        })
        .await
        .map_err(|e| ServeError::Gone(e.to_string()))?
        .map_err(|source| ServeError::Maildir {
            path: path.display().to_string(),
            source,
        })?
    };
    let seen: std::collections::HashSet<String> =
        sqlx::query_scalar("SELECT key FROM serve_cursors WHERE project = $1 AND source = $2")
            .bind(&project.name)
            .bind(source)
            .fetch_all(&service.db.pool)
            .await
            .map_err(|e| service.db.error(e))?
            .into_iter()
            .collect();
    for entry in entries {
        if seen.contains(&entry.key) {
            continue;
        }
        let raw = match maildir.read(&entry) {
            Ok(raw) => raw,
            // Removed by the mail client between listing and reading.
            Err(_) => continue,
        };
        hand_in(
            service,
            Received {
                project: &project.name,
                source,
                origin: origin::MAIL,
                raw: &raw,
                cursor: Some(Cursor {
                    source,
                    key: &entry.key,
                    value: "read",
                }),
                hold: false,
                history_before,
                classify: &classify,
            },
            counts,
        )
        .await?;
    }
    Ok(())
}
