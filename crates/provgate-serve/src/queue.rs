//! The durable work queue: jobs in the database, taken under a lease.
//!
//! A job is enqueued under a unique key, so the same piece of work offered twice (a message read
//! again, a webhook replayed) is one job. A worker claims a ready job by setting a lease; while
//! it works it renews the lease; it finishes the job in the same transaction as the job's
//! effects, and only while it still holds the lease. A worker that dies stops renewing, its lease
//! expires, and another worker takes the job up again: nothing is lost, and because effects
//! commit together with the job's end, nothing is done twice.
//!
//! On PostgreSQL, claims take `FOR UPDATE SKIP LOCKED`, so several processes share the queue
//! without waiting on each other; SQLite serialises writers itself.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::db::{Backend, Db, now_ms};
use crate::error::ServeError;

/// A piece of work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Work {
    /// Check an assembled mail series.
    Check {
        /// The series row.
        series_id: i64,
    },
    /// Fetch a pull or merge request's commits from the project's remote and check them.
    Forge {
        /// The series row standing for the request at this head.
        series_id: i64,
    },
    /// Make one delivery.
    Deliver {
        /// The delivery row.
        delivery_id: i64,
    },
    /// Plan the notice to the sender of a patch mail that could not be read.
    Notice {
        /// The series row the message is kept as.
        series_id: i64,
    },
}

impl Work {
    /// The kind, as stored and counted.
    pub fn kind(&self) -> &'static str {
        match self {
            Work::Check { .. } => "check",
            Work::Forge { .. } => "forge",
            Work::Deliver { .. } => "deliver",
            Work::Notice { .. } => "notice",
        }
    }
}

/// A claimed job.
#[derive(Debug, Clone)]
pub struct Job {
    /// Its row.
    pub id: i64,
    /// Its project.
    pub project: String,
    /// What to do.
    pub work: Work,
    /// How many times it has been claimed, this time included.
    pub attempts: i64,
}

/// Job states as stored.
pub mod state {
    /// Waiting for `run_after`.
    pub const QUEUED: &str = "queued";
    /// Leased by a worker.
    pub const RUNNING: &str = "running";
    /// Finished.
    pub const DONE: &str = "done";
    /// Given up after too many attempts, or failed for good.
    pub const FAILED: &str = "failed";
}

/// Attempts before a retryable failure becomes final.
pub const MAX_ATTEMPTS: i64 = 8;

/// The delay before attempt `attempts + 1`: 5 s, 10 s, 20 s, … up to 10 min.
pub fn backoff_ms(attempts: i64) -> i64 {
    let exp = attempts.clamp(1, 8) - 1;
    (5_000i64 << exp).min(600_000)
}

/// Enqueues `work` under `key` unless a job with that key exists; whether it was new.
pub async fn enqueue<'e, E>(
    db: &Db,
    executor: E,
    project: &str,
    key: &str,
    work: &Work,
    run_after: i64,
) -> Result<bool, ServeError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let payload = serde_json::to_string(work).expect("work serialises");
    let now = now_ms();
    let done = sqlx::query(
        "INSERT INTO serve_jobs (kind, project, key, payload, state, attempts, run_after, created_at) \
         VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6) ON CONFLICT (key) DO NOTHING",
    )
    .bind(work.kind())
    .bind(project)
    .bind(key)
    .bind(payload)
    .bind(run_after)
    .bind(now)
    .execute(executor)
    .await
    .map_err(|e| db.error(e))?;
    Ok(done.rows_affected() > 0)
}

/// Claims the oldest ready job (queued and due, or running with an expired lease) for
/// `worker`, leased for `lease_ms`.
pub async fn claim(db: &Db, worker: &str, lease_ms: i64) -> Result<Option<Job>, ServeError> {
    let now = now_ms();
    let pick = match db.backend {
        Backend::Postgres => {
            "SELECT id FROM serve_jobs WHERE (state = 'queued' AND run_after <= $3) \
             OR (state = 'running' AND lease_until < $3) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
        }
        Backend::Sqlite => {
            "SELECT id FROM serve_jobs WHERE (state = 'queued' AND run_after <= $3) \
             OR (state = 'running' AND lease_until < $3) ORDER BY id LIMIT 1"
        }
    };
    let sql = format!(
        "UPDATE serve_jobs SET state = 'running', lease_until = $1, worker = $2, \
         attempts = attempts + 1 WHERE id = ({pick}) \
         RETURNING id, project, payload, attempts"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now + lease_ms)
        .bind(worker)
        .bind(now)
        .fetch_optional(&db.pool)
        .await
        .map_err(|e| db.error(e))?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = row.try_get(0).map_err(|e| db.error(e))?;
    let payload: String = row.try_get(2).map_err(|e| db.error(e))?;
    let work = match serde_json::from_str(&payload) {
        Ok(work) => work,
        Err(e) => {
            // A job this version cannot read (written by a newer one) is set aside, not retried.
            fail(db, id, worker, &format!("unreadable job: {e}"), false, 0).await?;
            return Ok(None);
        }
    };
    Ok(Some(Job {
        id,
        project: row.try_get(1).map_err(|e| db.error(e))?,
        work,
        attempts: row.try_get(3).map_err(|e| db.error(e))?,
    }))
}

/// Extends the lease of a job `worker` still holds; false when it no longer holds it.
pub async fn renew(db: &Db, id: i64, worker: &str, lease_ms: i64) -> Result<bool, ServeError> {
    let done = sqlx::query(
        "UPDATE serve_jobs SET lease_until = $1 WHERE id = $2 AND worker = $3 AND state = 'running'",
    )
    .bind(now_ms() + lease_ms)
    .bind(id)
    .bind(worker)
    .execute(&db.pool)
    .await
    .map_err(|e| db.error(e))?;
    Ok(done.rows_affected() > 0)
}

/// Marks the job done inside `tx`, if `worker` still holds it; false when it does not (its
/// lease expired and another worker took it): the caller must then roll back.
pub async fn complete(
    db: &Db,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
    worker: &str,
) -> Result<bool, ServeError> {
    let done = sqlx::query(
        "UPDATE serve_jobs SET state = 'done', finished_at = $1, lease_until = NULL \
         WHERE id = $2 AND worker = $3 AND state = 'running'",
    )
    .bind(now_ms())
    .bind(id)
    .bind(worker)
    .execute(&mut **tx)
    .await
    .map_err(|e| db.error(e))?;
    Ok(done.rows_affected() > 0)
}

/// Records a failed attempt: queued again after `delay_ms` when `retry`, else failed for good.
pub async fn fail(
    db: &Db,
    id: i64,
    worker: &str,
    error: &str,
    retry: bool,
    delay_ms: i64,
) -> Result<(), ServeError> {
    let (state, run_after) = if retry {
        (state::QUEUED, now_ms() + delay_ms)
    } else {
        (state::FAILED, now_ms())
    };
    sqlx::query(
        "UPDATE serve_jobs SET state = $1, run_after = $2, last_error = $3, lease_until = NULL, \
         finished_at = CASE WHEN $1 = 'failed' THEN $2 ELSE NULL END \
         WHERE id = $4 AND worker = $5 AND state = 'running'",
    )
    .bind(state)
    .bind(run_after)
    .bind(error)
    .bind(id)
    .bind(worker)
    .execute(&db.pool)
    .await
    .map_err(|e| db.error(e))?;
    Ok(())
}

/// Gives a job back untouched (shutting down): ready at once for another worker, the attempt
/// not counted.
pub async fn release(db: &Db, id: i64, worker: &str) -> Result<(), ServeError> {
    sqlx::query(
        "UPDATE serve_jobs SET state = 'queued', lease_until = NULL, attempts = attempts - 1 \
         WHERE id = $1 AND worker = $2 AND state = 'running'",
    )
    .bind(id)
    .bind(worker)
    .execute(&db.pool)
    .await
    .map_err(|e| db.error(e))?;
    Ok(())
}

/// Jobs by state, for `/metrics`.
pub async fn depth(db: &Db) -> Result<Vec<(String, i64)>, ServeError> {
    let rows = sqlx::query("SELECT state, count(*) FROM serve_jobs GROUP BY state ORDER BY state")
        .fetch_all(&db.pool)
        .await
        .map_err(|e| db.error(e))?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(|e| db.error(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stops_growing() {
        assert_eq!(backoff_ms(1), 5_000);
        assert_eq!(backoff_ms(2), 10_000);
        assert_eq!(backoff_ms(20), 600_000);
    }

    #[tokio::test]
    async fn a_job_is_enqueued_once_claimed_once_and_taken_up_after_its_lease() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("q.sqlite").to_string_lossy(), 2)
            .await
            .unwrap();
        let work = Work::Check { series_id: 7 };
        assert!(enqueue(&db, &db.pool, "p", "k", &work, 0).await.unwrap());
        assert!(!enqueue(&db, &db.pool, "p", "k", &work, 0).await.unwrap());
        let job = claim(&db, "w1", 1).await.unwrap().unwrap();
        assert_eq!(job.work, work);
        assert_eq!(job.attempts, 1);
        // The lease of 1 ms is over at once: a second worker takes the job up.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let again = claim(&db, "w2", 60_000).await.unwrap().unwrap();
        assert_eq!(again.id, job.id);
        assert_eq!(again.attempts, 2);
        // The first worker can no longer finish it.
        let mut tx = db.pool.begin().await.unwrap();
        assert!(!complete(&db, &mut tx, job.id, "w1").await.unwrap());
        assert!(complete(&db, &mut tx, job.id, "w2").await.unwrap());
        tx.commit().await.unwrap();
        assert!(claim(&db, "w3", 60_000).await.unwrap().is_none());
    }
}
