//! The schema, as versioned migrations compiled into the binary.
//!
//! Our own small runner rather than `sqlx::migrate!`: the two backends need slightly different
//! DDL (SQLite's `INTEGER PRIMARY KEY` row id, PostgreSQL's trigger function), the runner must
//! take the same lock as writers so that several processes opening a new log at once create it
//! once, and it must refuse a file that holds some other application's tables. Each applied
//! migration is recorded with the SHA-256 of its statements; a log whose recorded migrations
//! differ from these, or that has a newer one, is refused.

use sqlx::{AnyConnection, AssertSqlSafe, Connection};

use crate::entry::{GENESIS_PREV, hex, now, sha256_hex};
use crate::error::{Result, StoreError};
use crate::store::{Backend, classify};

pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static [&'static str],
    pub postgres: &'static [&'static str],
}

impl Migration {
    fn statements(&self, backend: Backend) -> &'static [&'static str] {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }
    fn checksum(&self, backend: Backend) -> String {
        sha256_hex(self.statements(backend).join(";\n").as_bytes())
    }
}

pub(crate) const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "audit log: entries, head, meta",
    sqlite: &[
        "CREATE TABLE provgate_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)",
        "CREATE TABLE provgate_audit (
            seq INTEGER PRIMARY KEY NOT NULL,
            hash TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            command TEXT NOT NULL,
            verdict TEXT,
            policy_name TEXT,
            policy_digest TEXT,
            tool_version TEXT NOT NULL,
            input_sha256 TEXT NOT NULL,
            body TEXT NOT NULL
        )",
        "CREATE INDEX provgate_audit_recorded_at ON provgate_audit (recorded_at)",
        "CREATE TABLE provgate_audit_head (
            id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
            seq BIGINT NOT NULL,
            hash TEXT NOT NULL
        )",
        "INSERT INTO provgate_audit_head (id, seq, hash) VALUES (1, 0, \
         '0000000000000000000000000000000000000000000000000000000000000000')",
        "CREATE TRIGGER provgate_audit_no_update BEFORE UPDATE ON provgate_audit \
         BEGIN SELECT RAISE(ABORT, 'provgate_audit is append-only'); END",
        "CREATE TRIGGER provgate_audit_no_delete BEFORE DELETE ON provgate_audit \
         BEGIN SELECT RAISE(ABORT, 'provgate_audit is append-only'); END",
    ],
    postgres: &[
        "CREATE TABLE provgate_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE provgate_audit (
            seq BIGINT PRIMARY KEY,
            hash TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            command TEXT NOT NULL,
            verdict TEXT,
            policy_name TEXT,
            policy_digest TEXT,
            tool_version TEXT NOT NULL,
            input_sha256 TEXT NOT NULL,
            body TEXT NOT NULL
        )",
        "CREATE INDEX provgate_audit_recorded_at ON provgate_audit (recorded_at)",
        "CREATE TABLE provgate_audit_head (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seq BIGINT NOT NULL,
            hash TEXT NOT NULL
        )",
        "INSERT INTO provgate_audit_head (id, seq, hash) VALUES (1, 0, \
         '0000000000000000000000000000000000000000000000000000000000000000')",
        "CREATE FUNCTION provgate_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN RAISE EXCEPTION 'provgate_audit is append-only'; END $$",
        "CREATE TRIGGER provgate_audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE \
         ON provgate_audit FOR EACH STATEMENT EXECUTE FUNCTION provgate_audit_append_only()",
    ],
}];

/// Brings the schema up to date under the writers' lock and returns the log id.
pub(crate) async fn migrate(
    conn: &mut AnyConnection,
    backend: Backend,
    shown: &str,
    create: bool,
) -> Result<String> {
    let fail = |e: sqlx::Error| classify(e, backend, shown);
    let schema_error = |detail: String| StoreError::Schema {
        location: shown.to_string(),
        detail,
    };
    let mut tx = match backend {
        Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => conn.begin().await,
    }
    .map_err(fail)?;
    let has_migrations: i64 = match backend {
        Backend::Sqlite => sqlx::query_scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'provgate_migrations'",
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(fail)?,
        Backend::Postgres => {
            let schema: String = sqlx::query_scalar("SELECT coalesce(current_schema()::text, '')")
                .fetch_one(&mut *tx)
                .await
                .map_err(fail)?;
            if schema.is_empty() {
                return Err(schema_error(
                    "none: the search_path names no existing schema (create it with CREATE \
                     SCHEMA, or fix `options[search_path]` in the URL)"
                        .to_string(),
                ));
            }
            // Several instances opening a new log at once: one creates it.
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtext('provgate:' || current_schema()))) AS l",
            )
            .fetch_one(&mut *tx)
            .await
            .map_err(fail)?;
            sqlx::query_scalar(
                "SELECT CASE WHEN to_regclass('provgate_migrations') IS NULL THEN 0 ELSE 1 END",
            )
            .fetch_one(&mut *tx)
            .await
            .map_err(fail)?
        }
    };
    if has_migrations == 0 {
        if backend == Backend::Sqlite {
            let tables: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!'",
            )
            .fetch_one(&mut *tx)
            .await
            .map_err(fail)?;
            if tables > 0 {
                return Err(StoreError::NotAnAuditLog {
                    location: shown.to_string(),
                    detail: "the database holds other tables and no provgate schema".to_string(),
                });
            }
        }
        if !create {
            return Err(StoreError::NotFound {
                location: shown.to_string(),
            });
        }
        sqlx::raw_sql(
            "CREATE TABLE provgate_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, \
             checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
    }
    let applied: Vec<(i64, String)> =
        sqlx::query_as("SELECT version, checksum FROM provgate_migrations ORDER BY version")
            .fetch_all(&mut *tx)
            .await
            .map_err(fail)?;
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    for (version, checksum) in &applied {
        let Some(m) = MIGRATIONS.iter().find(|m| m.version == *version) else {
            return Err(schema_error(format!(
                "version {version}, newer than this provgate knows ({known})"
            )));
        };
        if m.checksum(backend) != *checksum {
            return Err(schema_error(format!(
                "version {version} with different statements than this provgate's (checksum \
                 {checksum})"
            )));
        }
    }
    for m in MIGRATIONS
        .iter()
        .filter(|m| !applied.iter().any(|(v, _)| *v == m.version))
    {
        for statement in m.statements(backend) {
            sqlx::raw_sql(AssertSqlSafe(*statement))
                .execute(&mut *tx)
                .await
                .map_err(fail)?;
        }
        sqlx::query(
            "INSERT INTO provgate_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(m.checksum(backend))
        .bind(now())
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
    }
    let log_id: Option<String> =
        sqlx::query_scalar("SELECT value FROM provgate_meta WHERE key = 'log_id'")
            .fetch_optional(&mut *tx)
            .await
            .map_err(fail)?;
    let log_id = match log_id {
        Some(id) => id,
        None => {
            let id = new_log_id();
            sqlx::query(
                "INSERT INTO provgate_meta (key, value) VALUES ('log_id', $1), ('created_at', $2)",
            )
            .bind(id.clone())
            .bind(now())
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
            id
        }
    };
    tx.commit().await.map_err(fail)?;
    debug_assert_eq!(GENESIS_PREV.len(), 64);
    Ok(log_id)
}

/// A random UUID (version 4) as the log's id.
fn new_log_id() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        // No OS randomness: still unique enough to tell logs apart.
        let t = jiff::Timestamp::now().as_nanosecond().to_le_bytes();
        b.copy_from_slice(&t);
        b[0] ^= std::process::id() as u8;
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}
