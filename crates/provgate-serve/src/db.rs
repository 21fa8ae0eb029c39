//! The service's database: SQLite (one process, the default) or PostgreSQL (several worker
//! processes), one schema and one code path through sqlx's `Any` driver.
//!
//! Times are milliseconds since the Unix epoch (`BIGINT`), booleans are `0`/`1`: the types both
//! backends decode alike through `Any`.

use std::path::Path;
use std::time::Duration;

use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use sqlx::{AssertSqlSafe, Executor};

use crate::config::is_url;
use crate::error::ServeError;

/// Which database holds the service's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One SQLite file.
    Sqlite,
    /// A PostgreSQL database.
    Postgres,
}

/// The open database.
#[derive(Clone)]
pub struct Db {
    /// The connection pool.
    pub pool: AnyPool,
    /// Which database it is.
    pub backend: Backend,
    /// Where it is, for messages (a password replaced by `***`).
    pub location: String,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .field("location", &self.location)
            .finish()
    }
}

/// The schema, oldest first; each step's statements per backend.
struct Migration {
    sqlite: &'static [&'static str],
    postgres: &'static [&'static str],
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        sqlite: &[
            "CREATE TABLE serve_messages (
            id INTEGER PRIMARY KEY NOT NULL, project TEXT NOT NULL, message_id TEXT NOT NULL,
            digest TEXT NOT NULL, source TEXT NOT NULL, received_at BIGINT NOT NULL,
            raw BLOB NOT NULL, series_id BIGINT, part BIGINT,
            UNIQUE (project, message_id, digest))",
            "CREATE INDEX serve_messages_series ON serve_messages (series_id)",
            "CREATE TABLE serve_series (
            id INTEGER PRIMARY KEY NOT NULL, project TEXT NOT NULL, key TEXT NOT NULL,
            origin TEXT NOT NULL, subject TEXT NOT NULL, sender TEXT NOT NULL,
            version BIGINT NOT NULL, total BIGINT, state TEXT NOT NULL,
            first_seen BIGINT NOT NULL, updated_at BIGINT NOT NULL, superseded_by BIGINT,
            verdict TEXT, ai_assisted BIGINT, report_id BIGINT, meta TEXT NOT NULL,
            UNIQUE (project, key))",
            "CREATE INDEX serve_series_state ON serve_series (state, first_seen)",
            "CREATE TABLE serve_reports (
            id INTEGER PRIMARY KEY NOT NULL, series_id BIGINT NOT NULL, created_at BIGINT NOT NULL,
            verdict TEXT, base TEXT, base_note TEXT NOT NULL, missing TEXT NOT NULL,
            report TEXT NOT NULL, duration_ms BIGINT NOT NULL)",
            "CREATE TABLE serve_jobs (
            id INTEGER PRIMARY KEY NOT NULL, kind TEXT NOT NULL, project TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE, payload TEXT NOT NULL, state TEXT NOT NULL,
            attempts BIGINT NOT NULL, run_after BIGINT NOT NULL, lease_until BIGINT,
            worker TEXT, last_error TEXT, created_at BIGINT NOT NULL, finished_at BIGINT)",
            "CREATE INDEX serve_jobs_ready ON serve_jobs (state, run_after)",
            "CREATE TABLE serve_deliveries (
            id INTEGER PRIMARY KEY NOT NULL, series_id BIGINT NOT NULL, report_id BIGINT,
            kind TEXT NOT NULL, target TEXT NOT NULL, key TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL, attempts BIGINT NOT NULL, detail TEXT,
            payload TEXT NOT NULL, updated_at BIGINT NOT NULL)",
            "CREATE INDEX serve_deliveries_series ON serve_deliveries (series_id)",
            "CREATE TABLE serve_cursors (
            project TEXT NOT NULL, source TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
            PRIMARY KEY (project, source, key))",
            "CREATE TABLE serve_audit_outbox (
            id INTEGER PRIMARY KEY NOT NULL, project TEXT NOT NULL, report_id BIGINT NOT NULL,
            entry TEXT NOT NULL)",
            "CREATE TABLE serve_webhooks (
            forge TEXT NOT NULL, delivery TEXT NOT NULL, received_at BIGINT NOT NULL,
            PRIMARY KEY (forge, delivery))",
        ],
        postgres: &[
            "CREATE TABLE serve_messages (
            id BIGSERIAL PRIMARY KEY, project TEXT NOT NULL, message_id TEXT NOT NULL,
            digest TEXT NOT NULL, source TEXT NOT NULL, received_at BIGINT NOT NULL,
            raw BYTEA NOT NULL, series_id BIGINT, part BIGINT,
            UNIQUE (project, message_id, digest))",
            "CREATE INDEX serve_messages_series ON serve_messages (series_id)",
            "CREATE TABLE serve_series (
            id BIGSERIAL PRIMARY KEY, project TEXT NOT NULL, key TEXT NOT NULL,
            origin TEXT NOT NULL, subject TEXT NOT NULL, sender TEXT NOT NULL,
            version BIGINT NOT NULL, total BIGINT, state TEXT NOT NULL,
            first_seen BIGINT NOT NULL, updated_at BIGINT NOT NULL, superseded_by BIGINT,
            verdict TEXT, ai_assisted BIGINT, report_id BIGINT, meta TEXT NOT NULL,
            UNIQUE (project, key))",
            "CREATE INDEX serve_series_state ON serve_series (state, first_seen)",
            "CREATE TABLE serve_reports (
            id BIGSERIAL PRIMARY KEY, series_id BIGINT NOT NULL, created_at BIGINT NOT NULL,
            verdict TEXT, base TEXT, base_note TEXT NOT NULL, missing TEXT NOT NULL,
            report TEXT NOT NULL, duration_ms BIGINT NOT NULL)",
            "CREATE TABLE serve_jobs (
            id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, project TEXT NOT NULL,
            key TEXT NOT NULL UNIQUE, payload TEXT NOT NULL, state TEXT NOT NULL,
            attempts BIGINT NOT NULL, run_after BIGINT NOT NULL, lease_until BIGINT,
            worker TEXT, last_error TEXT, created_at BIGINT NOT NULL, finished_at BIGINT)",
            "CREATE INDEX serve_jobs_ready ON serve_jobs (state, run_after)",
            "CREATE TABLE serve_deliveries (
            id BIGSERIAL PRIMARY KEY, series_id BIGINT NOT NULL, report_id BIGINT,
            kind TEXT NOT NULL, target TEXT NOT NULL, key TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL, attempts BIGINT NOT NULL, detail TEXT,
            payload TEXT NOT NULL, updated_at BIGINT NOT NULL)",
            "CREATE INDEX serve_deliveries_series ON serve_deliveries (series_id)",
            "CREATE TABLE serve_cursors (
            project TEXT NOT NULL, source TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
            PRIMARY KEY (project, source, key))",
            "CREATE TABLE serve_audit_outbox (
            id BIGSERIAL PRIMARY KEY, project TEXT NOT NULL, report_id BIGINT NOT NULL,
            entry TEXT NOT NULL)",
            "CREATE TABLE serve_webhooks (
            forge TEXT NOT NULL, delivery TEXT NOT NULL, received_at BIGINT NOT NULL,
            PRIMARY KEY (forge, delivery))",
        ],
    },
    Migration {
        sqlite: SECOND,
        postgres: SECOND,
    },
];

/// What a maintainer's dashboard and a failed job need: the mail's own date, the author's
/// name, which part titled the series, the error of a check that failed for good; when a
/// delivery was planned (the daily cap); each source's last poll.
const SECOND: &[&str] = &[
    "ALTER TABLE serve_series ADD COLUMN sent_at BIGINT",
    "ALTER TABLE serve_series ADD COLUMN author TEXT",
    "ALTER TABLE serve_series ADD COLUMN title_part BIGINT",
    "ALTER TABLE serve_series ADD COLUMN error TEXT",
    "ALTER TABLE serve_deliveries ADD COLUMN created_at BIGINT",
    "CREATE TABLE serve_sources (
        project TEXT NOT NULL, source TEXT NOT NULL, last_poll BIGINT, last_error TEXT,
        counts TEXT NOT NULL, PRIMARY KEY (project, source))",
];

impl Db {
    /// Opens (and creates or upgrades) the database at `location`: a SQLite file path or a
    /// `postgres://` URL.
    pub async fn open(location: &str, max_connections: u32) -> Result<Db, ServeError> {
        sqlx::any::install_default_drivers();
        let (url, backend, shown) = if is_url(location) {
            (
                location.to_string(),
                Backend::Postgres,
                hide_password(location),
            )
        } else {
            let path = Path::new(location);
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|source| ServeError::Io {
                    what: format!("creating {}", dir.display()),
                    source,
                })?;
            }
            (
                format!("sqlite://{}?mode=rwc", encode_path(location)),
                Backend::Sqlite,
                location.to_string(),
            )
        };
        let fail = |source| ServeError::Database {
            location: shown.clone(),
            source,
        };
        let mut options = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30));
        if backend == Backend::Sqlite {
            // One writer at a time is SQLite's rule; WAL lets the dashboard read meanwhile, and
            // the busy timeout makes writers queue instead of failing.
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA busy_timeout = 30000; PRAGMA journal_mode = WAL; \
                         PRAGMA synchronous = NORMAL;",
                    )
                    .await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(&url).await.map_err(fail)?;
        let db = Db {
            pool,
            backend,
            location: shown,
        };
        db.migrate().await?;
        Ok(db)
    }

    /// Wraps a driver error with the database's location.
    pub fn error(&self, source: sqlx::Error) -> ServeError {
        ServeError::Database {
            location: self.location.clone(),
            source,
        }
    }

    async fn migrate(&self) -> Result<(), ServeError> {
        let mut tx = self.pool.begin().await.map_err(|e| self.error(e))?;
        if self.backend == Backend::Postgres {
            // Several workers starting at once create the schema once.
            sqlx::query("SELECT pg_advisory_xact_lock(7262747)")
                .execute(&mut *tx)
                .await
                .map_err(|e| self.error(e))?;
        }
        sqlx::query("CREATE TABLE IF NOT EXISTS serve_schema (version BIGINT NOT NULL)")
            .execute(&mut *tx)
            .await
            .map_err(|e| self.error(e))?;
        let version: Option<i64> = sqlx::query_scalar("SELECT max(version) FROM serve_schema")
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| self.error(e))?;
        let version = version.unwrap_or(0);
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(ServeError::SchemaTooNew {
                location: self.location.clone(),
                found: version,
                known,
            });
        }
        for (i, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let statements = match self.backend {
                Backend::Sqlite => migration.sqlite,
                Backend::Postgres => migration.postgres,
            };
            for statement in statements {
                sqlx::query(AssertSqlSafe(*statement))
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| self.error(e))?;
            }
            sqlx::query("INSERT INTO serve_schema (version) VALUES ($1)")
                .bind(i as i64 + 1)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.error(e))?;
        }
        tx.commit().await.map_err(|e| self.error(e))
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn encode_path(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' => encoded.push_str("%25"),
            '?' => encoded.push_str("%3F"),
            '#' => encoded.push_str("%23"),
            ' ' => encoded.push_str("%20"),
            c => encoded.push(c),
        }
    }
    encoded
}

/// A URL with its password replaced by `***`, for messages and logs.
pub fn hide_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            hide_password("postgres://u:secret@db:5432/x?a=b"),
            "postgres://u:***@db:5432/x?a=b"
        );
        assert_eq!(hide_password("postgres://u@db/x"), "postgres://u@db/x");
    }
}
