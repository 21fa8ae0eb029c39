//! Moving verdicts into the projects' hash-chained audit logs.
//!
//! A check writes its audit entry into an outbox table in the same transaction as its report;
//! this task appends the outbox's entries to the project's log in order and then deletes them.
//! If the service dies between the append and the delete, the entries are in the log but still
//! in the outbox: each entry names its report (`serve-report:N` among its inputs), so those
//! already at the log's end are recognised and not appended again.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use sqlx::Row;
use tokio::sync::watch;

use crate::db::Backend;
use crate::error::ServeError;
use crate::service::Service;

/// Entries moved at a time.
const CHUNK: i64 = 200;

/// Moves outbox entries into the audit logs until `shutdown`, then once more.
pub async fn run(service: Arc<Service>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let stopping = *shutdown.borrow();
        for project in &service.config.projects {
            if let Err(e) = drain(&service, &project.name).await {
                tracing::warn!(project = %project.name, error = %e, "cannot append to the audit log; retrying");
            }
        }
        if stopping {
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// Moves the outbox entries of `project` into its audit log; how many were appended.
pub async fn drain(service: &Arc<Service>, project: &str) -> Result<usize, ServeError> {
    let db = &service.db;
    let mut appended = 0;
    loop {
        let mut tx = db.pool.begin().await.map_err(|e| db.error(e))?;
        match db.backend {
            // One process at a time drains a project's outbox; the others find it taken.
            Backend::Postgres => {
                let got: bool =
                    sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(7262748, hashtext($1))")
                        .bind(project)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(|e| db.error(e))?;
                if !got {
                    return Ok(appended);
                }
            }
            // A write first, so the transaction holds SQLite's write lock from the start.
            Backend::Sqlite => {
                sqlx::query("DELETE FROM serve_audit_outbox WHERE id < 0")
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| db.error(e))?;
            }
        }
        let rows = sqlx::query(
            "SELECT id, report_id, entry FROM serve_audit_outbox WHERE project = $1 ORDER BY id LIMIT $2",
        )
        .bind(project)
        .bind(CHUNK)
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| db.error(e))?;
        if rows.is_empty() {
            return Ok(appended);
        }
        let mut entries = Vec::new();
        let mut last_id = 0i64;
        for row in &rows {
            last_id = row.try_get(0).map_err(|e| db.error(e))?;
            let report_id: i64 = row.try_get(1).map_err(|e| db.error(e))?;
            let text: String = row.try_get(2).map_err(|e| db.error(e))?;
            match serde_json::from_str::<provgate_store::NewEntry>(&text) {
                Ok(entry) => entries.push((report_id, entry)),
                Err(e) => {
                    tracing::error!(report = report_id, error = %e, "an outbox entry cannot be read; dropped")
                }
            }
        }
        let n = {
            let service = service.clone();
            let project = service.project(project)?.clone();
            tokio::task::spawn_blocking(move || -> Result<usize, ServeError> {
                let log = service.audit_log(&project)?;
                let recent = log.list(&provgate_store::Filter {
                    newest_first: true,
                    limit: Some(CHUNK as usize),
                    command: Some("serve".into()),
                    ..provgate_store::Filter::default()
                })?;
                let logged: HashSet<String> = recent
                    .iter()
                    .flat_map(|e| e.body.entry.inputs.iter())
                    .filter(|i| i.kind == "service")
                    .map(|i| i.name.clone())
                    .collect();
                let fresh: Vec<provgate_store::NewEntry> = entries
                    .into_iter()
                    .filter(|(id, _)| !logged.contains(&format!("serve-report:{id}")))
                    .map(|(_, e)| e)
                    .collect();
                log.append_many(&fresh)?;
                Ok(fresh.len())
            })
            .await
            .map_err(|e| ServeError::Gone(e.to_string()))??
        };
        sqlx::query("DELETE FROM serve_audit_outbox WHERE project = $1 AND id <= $2")
            .bind(project)
            .bind(last_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| db.error(e))?;
        tx.commit().await.map_err(|e| db.error(e))?;
        appended += n;
        if (rows.len() as i64) < CHUNK {
            return Ok(appended);
        }
    }
}
