//! Sources: where a project's series are read from, polled in turn.
//!
//! Each source remembers its position in the database, in the same transaction as each message
//! it hands in (see [`ingest::Received::cursor`]): a restarted service resumes after the last
//! message taken in, reading nothing twice and skipping nothing.

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use provgate_git::inbox::{InboxEntry, PublicInbox};
use tokio::sync::watch;

use crate::config::Project;
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
        match fetched {
            Ok(Ok(())) => service.forget_gates(&project.name),
            Ok(Err(e)) => {
                tracing::warn!(project = %project.name, error = %e, "cannot update the mirror")
            }
            Err(e) => {
                tracing::warn!(project = %project.name, error = %e, "cannot update the mirror")
            }
        }
    }
    for path in &project.sources.public_inbox {
        if let Err(e) = public_inbox(service, project, path).await {
            tracing::warn!(project = %project.name, inbox = %path.display(), error = %e, "cannot read the archive");
        }
    }
    for path in &project.sources.maildir {
        if let Err(e) = maildir(service, project, path).await {
            tracing::warn!(project = %project.name, maildir = %path.display(), error = %e, "cannot read the Maildir");
        }
    }
    if project.sources.patchwork.is_some()
        && let Err(e) = crate::send::poll_patchwork(service, project).await
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

/// Hands one message in and counts it.
async fn hand_in(service: &Service, received: Received<'_>) -> Result<(), ServeError> {
    let outcome = ingest::message(&service.db, received).await?;
    let label = match &outcome {
        Ingested::Duplicate => "duplicate",
        Ingested::NotAPatch => "not-a-patch",
        Ingested::Unreadable(reason) => {
            tracing::info!(project = %received.project, source = %received.source, %reason, "message not read");
            "unreadable"
        }
        Ingested::Part { .. } => "patch",
    };
    service.metrics.ingested(received.project, label);
    Ok(())
}

/// Reads the new messages of a public-inbox v2 archive, epoch by epoch.
async fn public_inbox(
    service: &Arc<Service>,
    project: &Project,
    path: &Path,
) -> Result<(), ServeError> {
    let source = format!("public-inbox:{}", path.display());
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
            let since = ingest::cursor(&service.db, &project.name, &source, &key).await?;
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
                    source: &source,
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
                                source: &source,
                                origin: origin::MAIL,
                                raw,
                                cursor,
                                hold: false,
                            },
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
                        source: &source,
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
async fn maildir(service: &Arc<Service>, project: &Project, path: &Path) -> Result<(), ServeError> {
    let source = format!("maildir:{}", path.display());
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
            .bind(&source)
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
                source: &source,
                origin: origin::MAIL,
                raw: &raw,
                cursor: Some(Cursor {
                    source: &source,
                    key: &entry.key,
                    value: "read",
                }),
                hold: false,
            },
        )
        .await?;
    }
    Ok(())
}
