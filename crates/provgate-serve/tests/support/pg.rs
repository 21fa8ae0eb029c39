//! A PostgreSQL schema of a test's own, on the server `PROVGATE_TEST_POSTGRES` names, dropped
//! when the test ends, passed or failed. Shared by provgate-serve's tests and the command
//! line's SIGKILL test (`crates/provgate/tests/serve_kill.rs`).
#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Executor;
use sqlx::postgres::PgPoolOptions;

/// The server's URL; `None` (with a notice) when `PROVGATE_TEST_POSTGRES` is unset, unless
/// `CI` is set: then the test fails, since CI must run every PostgreSQL test.
pub fn server(test: &str) -> Option<String> {
    match std::env::var("PROVGATE_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but PROVGATE_TEST_POSTGRES is not: .ci/run must start PostgreSQL and set it"
            );
            eprintln!("notice: PROVGATE_TEST_POSTGRES is unset; skipping {test}");
            None
        }
    }
}

/// A schema, dropped with this value (kept when `PROVGATE_TEST_KEEP_SCHEMA` is set).
pub struct Schema {
    base: String,
    /// Its name, also the `application_name` of connections made with [`Schema::url`].
    pub name: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl Schema {
    /// Creates a fresh schema on `base`, named after `label`.
    pub async fn create(base: &str, label: &str) -> Schema {
        let name = format!(
            "pgt_{label}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect(base)
            .await
            .unwrap();
        pool.execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {name}")))
            .await
            .unwrap();
        pool.close().await;
        Schema {
            base: base.to_string(),
            name,
        }
    }

    /// A URL whose connections use the schema, and name themselves after it (so that a test
    /// can find them in `pg_stat_activity`).
    pub fn url(&self) -> String {
        let separator = if self.base.contains('?') { '&' } else { '?' };
        format!(
            "{}{separator}options[search_path]={name}&application_name={name}",
            self.base,
            name = self.name
        )
    }

    /// Ends every connection made with [`Schema::url`], as a server restart would; how many.
    pub async fn drop_connections(&self) -> i64 {
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect(&self.base)
            .await
            .unwrap();
        let ended: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = $1) AS ended",
        )
        .bind(&self.name)
        .fetch_one(&pool)
        .await
        .unwrap();
        pool.close().await;
        ended
    }
}

impl Drop for Schema {
    /// Runs on a thread of its own: this may run inside the test's runtime, which cannot be
    /// blocked on.
    fn drop(&mut self) {
        if std::env::var_os("PROVGATE_TEST_KEEP_SCHEMA").is_some() {
            return;
        }
        let (base, name) = (self.base.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                if let Ok(pool) = PgPoolOptions::new().max_connections(1).connect(&base).await {
                    let sql = format!("DROP SCHEMA IF EXISTS {name} CASCADE");
                    let _ = pool.execute(sqlx::AssertSqlSafe(sql)).await;
                }
            });
        })
        .join();
    }
}
