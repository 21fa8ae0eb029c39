//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use provgate_report::Verdict;
use provgate_store::{InputRef, NewEntry, PolicyRef, SubjectRef, ToolRef};
use sqlx::{AnyConnection, AssertSqlSafe, Connection};

/// A realistic entry: a check of one commit with a finding or two.
pub fn sample(tag: &str, i: usize) -> NewEntry {
    let commit = provgate_store::sha256_hex(format!("{tag}/{i}").as_bytes())[..40].to_string();
    let verdict = match i % 3 {
        0 => Verdict::Pass,
        1 => Verdict::Warn,
        _ => Verdict::Fail,
    };
    NewEntry {
        command: if i.is_multiple_of(2) { "check" } else { "scan" }.to_string(),
        tool: ToolRef {
            name: "provgate".into(),
            version: "0.1.0".into(),
        },
        inputs: vec![InputRef {
            name: format!("{commit}^..{commit}"),
            kind: "range".into(),
        }],
        input_sha256: provgate_store::sha256_lines([&commit]),
        subjects: vec![SubjectRef {
            id: commit.clone(),
            verdict: Some(verdict),
        }],
        policy: Some(PolicyRef {
            name: "preset qemu".into(),
            digest: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
            extends: "qemu".into(),
            mode: provgate_report::Mode::Enforce,
            stage: provgate_report::Stage::Submit,
        }),
        findings: (0..(i % 3))
            .map(|k| provgate_report::Finding {
                rule: provgate_report::RuleId::UndisclosedAi,
                level: if verdict == Verdict::Fail {
                    provgate_report::Level::Deny
                } else {
                    provgate_report::Level::Warn
                },
                message: format!(
                    "the patch shows signs of AI help ({tag} {i}/{k}) but declares none"
                ),
                patch_id: Some(commit.clone()),
                path: Some("hw/arm/virt.c".into()),
                line: Some(40 + k as u32),
                help: None,
            })
            .collect(),
        verdict: Some(verdict),
    }
}

/// Runs SQL statements on a database outside the store, as a tamperer would.
pub fn raw(url: &str, statements: &[&str]) {
    if let Err(e) = try_raw(url, statements) {
        panic!("{e}");
    }
}

/// [`raw`], returning the first failure.
pub fn try_raw(url: &str, statements: &[&str]) -> Result<(), String> {
    sqlx::any::install_default_drivers();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut conn = AnyConnection::connect(url)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        for s in statements {
            sqlx::raw_sql(AssertSqlSafe(s.to_string()))
                .execute(&mut conn)
                .await
                .map_err(|e| format!("{s}: {e}"))?;
        }
        conn.close().await.map_err(|e| e.to_string())
    })
}

/// A PostgreSQL schema of its own for one test, dropped at the end.
pub struct PgSchema {
    pub base: String,
    pub schema: String,
    /// The store URL (search_path set to the schema).
    pub url: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh schema on the server `PROVGATE_TEST_POSTGRES` names. `None` (with a notice) when the
/// variable is unset, unless `CI` is set: then it fails.
pub fn pg(test: &str) -> Option<PgSchema> {
    let base = match std::env::var("PROVGATE_TEST_POSTGRES") {
        Ok(v) if !v.is_empty() => v,
        _ => {
            if std::env::var_os("CI").is_some() {
                panic!(
                    "CI is set but PROVGATE_TEST_POSTGRES is not: .ci/run must start PostgreSQL and set it"
                );
            }
            eprintln!(
                "notice: PROVGATE_TEST_POSTGRES is unset; skipping the PostgreSQL part of {test}"
            );
            return None;
        }
    };
    let schema = format!(
        "pgt_{}_{}_{}",
        test.replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    raw(&base, &[&format!("CREATE SCHEMA {schema}")]);
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options[search_path]={schema}");
    Some(PgSchema { base, schema, url })
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if std::env::var_os("PROVGATE_TEST_KEEP_SCHEMA").is_none() {
            raw(
                &self.base,
                &[&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema)],
            );
        }
    }
}
