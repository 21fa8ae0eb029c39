//! The audit log on SQLite and on a real PostgreSQL: recording, reading, tamper detection,
//! concurrent writers in separate processes, crashes, checkpoints and bad input.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::{PgSchema, pg, raw, sample};
use provgate_store::{
    Checkpoint, EntryBody, Filter, GENESIS_PREV, Problem, SigningKey, Store, StoreError,
    VerifyReport, sha256_hex, verify_jsonl,
};

/// A database for one test.
enum Db {
    Sqlite(#[allow(dead_code)] tempfile::TempDir, PathBuf),
    Pg(PgSchema),
}

impl Db {
    fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.sqlite");
        Db::Sqlite(dir, path)
    }
    fn location(&self) -> String {
        match self {
            Db::Sqlite(_, p) => p.display().to_string(),
            Db::Pg(s) => s.url.clone(),
        }
    }
    /// A URL for raw access from outside the store.
    fn raw_url(&self) -> String {
        match self {
            Db::Sqlite(_, p) => format!("sqlite://{}?mode=rw", p.display()),
            Db::Pg(s) => s.url.clone(),
        }
    }
    fn raw(&self, statements: &[&str]) {
        raw(&self.raw_url(), statements)
    }
    /// What a tamperer does first: switch off the append-only triggers.
    fn drop_guards(&self) {
        match self {
            Db::Sqlite(..) => self.raw(&[
                "DROP TRIGGER provgate_audit_no_update",
                "DROP TRIGGER provgate_audit_no_delete",
            ]),
            Db::Pg(_) => self.raw(&["ALTER TABLE provgate_audit DISABLE TRIGGER USER"]),
        }
    }
}

/// Runs `f` on SQLite, then on PostgreSQL when available.
fn both(test: &str, f: impl Fn(Db)) {
    f(Db::sqlite());
    if let Some(s) = pg(test) {
        f(Db::Pg(s));
    }
}

fn filled(db: &Db, n: usize) -> Store {
    let store = Store::open(&db.location()).unwrap();
    for i in 0..n {
        store.append(&sample("t", i)).unwrap();
    }
    store
}

fn bad(report: &VerifyReport) -> (i64, Problem) {
    let b = report
        .first_bad
        .clone()
        .unwrap_or_else(|| panic!("tampering not detected: {report:?}"));
    (b.seq, b.problem)
}

#[test]
fn records_reads_and_verifies() {
    both("records", |db| {
        let store = filled(&db, 10);
        let e = store.get(3).unwrap().unwrap();
        assert_eq!(e.hash, sha256_hex(e.json.as_bytes()));
        assert_eq!(e.body.seq, 3);
        assert_eq!(e.body.prev, store.get(2).unwrap().unwrap().hash);
        assert_eq!(e.body.entry, sample("t", 2));
        assert_eq!(store.get(1).unwrap().unwrap().body.prev, GENESIS_PREV);
        assert!(store.get(11).unwrap().is_none());
        assert_eq!(
            store.head().unwrap(),
            (10, store.get(10).unwrap().unwrap().hash)
        );

        let report = store.verify().unwrap();
        assert!(report.is_intact(), "{report:?}");
        assert_eq!((report.entries, report.verified), (10, 10));
        assert_eq!(report.head.as_ref().unwrap().0, 10);

        // Filters.
        let fails = store
            .list(&Filter {
                verdict: Some(provgate_report::Verdict::Fail),
                ..Filter::default()
            })
            .unwrap();
        assert_eq!(fails.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 6, 9]);
        let newest = store
            .list(&Filter {
                command: Some("check".into()),
                newest_first: true,
                limit: Some(2),
                ..Filter::default()
            })
            .unwrap();
        assert_eq!(newest.iter().map(|e| e.seq).collect::<Vec<_>>(), [9, 7]);
        let subject = &sample("t", 4).subjects[0].id;
        let by_commit = store
            .list(&Filter {
                subject: Some(subject[..12].to_string()),
                ..Filter::default()
            })
            .unwrap();
        assert_eq!(by_commit.iter().map(|e| e.seq).collect::<Vec<_>>(), [5]);
        let by_policy = store
            .list(&Filter {
                policy: Some("9f86d08".into()),
                from_seq: Some(8),
                ..Filter::default()
            })
            .unwrap();
        assert_eq!(by_policy.len(), 3);
        let future = store
            .list(&Filter {
                since: Some(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1)),
                ..Filter::default()
            })
            .unwrap();
        assert!(future.is_empty());

        // The export is the hashed bytes, line by line, and verifies offline.
        let mut out = Vec::new();
        assert_eq!(store.export_jsonl(&mut out).unwrap(), 10);
        let text = String::from_utf8(out.clone()).unwrap();
        for (line, seq) in text.lines().zip(1..) {
            assert_eq!(
                sha256_hex(line.as_bytes()),
                store.get(seq).unwrap().unwrap().hash
            );
        }
        let offline = verify_jsonl(&out[..], &[]).unwrap();
        assert!(offline.is_intact() && offline.entries == 10, "{offline:?}");
        // A line of the export edited, or two swapped: caught offline too.
        let edited = text.replacen("\"verdict\":\"fail\"", "\"verdict\":\"pass\"", 1);
        assert_eq!(bad(&verify_jsonl(edited.as_bytes(), &[]).unwrap()).0, 3);
        let mut lines: Vec<&str> = text.lines().collect();
        lines.swap(6, 7);
        let swapped = lines.join("\n");
        assert_eq!(bad(&verify_jsonl(swapped.as_bytes(), &[]).unwrap()).0, 7);

        // Reopening finds the same log.
        let id = store.log_id().to_string();
        drop(store);
        let again = Store::open_existing(&db.location()).unwrap();
        assert_eq!(again.log_id(), id);
        assert_eq!(again.append(&sample("t", 10)).unwrap().seq, 11);
        assert!(again.verify().unwrap().is_intact());
    });
}

#[test]
fn the_log_is_append_only_through_sql_too() {
    both("append_only", |db| {
        let _store = filled(&db, 3);
        let url = db.raw_url();
        for sql in [
            "UPDATE provgate_audit SET verdict = 'pass' WHERE seq = 2",
            "DELETE FROM provgate_audit WHERE seq = 3",
        ] {
            let err = common::try_raw(&url, &[sql]).expect_err(sql);
            assert!(err.contains("append-only"), "{err}");
        }
    });
}

#[test]
fn tamper_edit() {
    both("tamper_edit", |db| {
        let store = filled(&db, 10);
        db.drop_guards();
        // The verdict of entry 5 changed in place.
        db.raw(&["UPDATE provgate_audit SET body = replace(body, '\"verdict\":\"warn\"', '\"verdict\":\"pass\"'), verdict = 'pass' WHERE seq = 5"]);
        let (seq, problem) = bad(&store.verify().unwrap());
        assert_eq!(seq, 5);
        assert!(matches!(problem, Problem::Edited { .. }), "{problem}");
    });
}

#[test]
fn tamper_edit_with_a_new_hash() {
    both("tamper_rehash", |db| {
        let store = filled(&db, 10);
        db.drop_guards();
        // Entry 5 rewritten by someone who knows the encoding and recomputes its hash.
        let e = store.get(5).unwrap().unwrap();
        let mut body = e.body.clone();
        body.entry.verdict = Some(provgate_report::Verdict::Pass);
        body.entry.findings.clear();
        let json = body.to_canonical().unwrap();
        let hash = sha256_hex(json.as_bytes());
        db.raw(&[&format!(
            "UPDATE provgate_audit SET body = '{}', hash = '{hash}', verdict = 'pass' WHERE seq = 5",
            json.replace('\'', "''")
        )]);
        let (seq, problem) = bad(&store.verify().unwrap());
        assert_eq!(seq, 5, "{problem}");
        assert!(matches!(problem, Problem::Replaced { .. }), "{problem}");
    });
}

#[test]
fn tamper_edit_a_column() {
    both("tamper_column", |db| {
        let store = filled(&db, 10);
        db.drop_guards();
        // Only the filter column: `audit log --verdict` would lie.
        db.raw(&["UPDATE provgate_audit SET verdict = 'pass' WHERE seq = 6"]);
        let (seq, problem) = bad(&store.verify().unwrap());
        assert_eq!(seq, 6);
        assert_eq!(problem, Problem::ColumnEdited { column: "verdict" });
    });
}

#[test]
fn tamper_delete() {
    both("tamper_delete", |db| {
        let store = filled(&db, 10);
        db.drop_guards();
        db.raw(&["DELETE FROM provgate_audit WHERE seq = 4"]);
        let (seq, problem) = bad(&store.verify().unwrap());
        assert_eq!(seq, 4);
        assert_eq!(problem, Problem::Missing { next: 5 });
    });
}

#[test]
fn tamper_delete_and_renumber() {
    both("tamper_renumber", |db| {
        let store = filled(&db, 10);
        db.drop_guards();
        db.raw(&[
            "DELETE FROM provgate_audit WHERE seq = 4",
            "UPDATE provgate_audit SET seq = -seq WHERE seq > 4",
            "UPDATE provgate_audit SET seq = -seq - 1 WHERE seq < 0",
            "UPDATE provgate_audit_head SET seq = 9, hash = (SELECT hash FROM provgate_audit WHERE seq = 9)",
        ]);
        let (seq, problem) = bad(&store.verify().unwrap());
        assert_eq!(seq, 4);
        assert_eq!(problem, Problem::Moved { recorded: 5 });
    });
}

#[test]
fn tamper_insert() {
    both("tamper_insert", |db| {
        let store = filled(&db, 10);
        db.drop_guards();
        // A forged, self-consistent entry slipped in as number 5, later entries renumbered.
        let e4 = store.get(4).unwrap().unwrap();
        let mut forged: EntryBody = store.get(5).unwrap().unwrap().body;
        forged.prev = e4.hash.clone();
        forged.entry.subjects[0].id = "0123456789abcdef0123456789abcdef01234567".into();
        forged.entry.verdict = Some(provgate_report::Verdict::Pass);
        let json = forged.to_canonical().unwrap();
        let hash = sha256_hex(json.as_bytes());
        let p = forged.entry.policy.as_ref().unwrap();
        db.raw(&[
            "UPDATE provgate_audit SET seq = -seq WHERE seq >= 5",
            "UPDATE provgate_audit SET seq = -seq + 1 WHERE seq < 0",
            &format!(
                "INSERT INTO provgate_audit (seq, hash, prev_hash, recorded_at, command, verdict, \
                 policy_name, policy_digest, tool_version, input_sha256, body) VALUES \
                 (5, '{hash}', '{}', '{}', '{}', 'pass', '{}', '{}', '{}', '{}', '{}')",
                forged.prev,
                forged.time,
                forged.entry.command,
                p.name,
                p.digest,
                forged.entry.tool.version,
                forged.entry.input_sha256,
                json.replace('\'', "''")
            ),
            "UPDATE provgate_audit_head SET seq = 11, hash = (SELECT hash FROM provgate_audit WHERE seq = 11)",
        ]);
        let (seq, problem) = bad(&store.verify().unwrap());
        assert_eq!(seq, 5, "{problem}");
        assert_eq!(problem, Problem::Inserted);
    });
}

#[test]
fn tamper_insert_at_the_end() {
    both("tamper_append", |db| {
        let store = filled(&db, 10);
        // A forged entry after the last, chained correctly, but not through provgate.
        let e10 = store.get(10).unwrap().unwrap();
        let mut forged = e10.body.clone();
        forged.seq = 11;
        forged.prev = e10.hash.clone();
        let json = forged.to_canonical().unwrap();
        let hash = sha256_hex(json.as_bytes());
        let p = forged.entry.policy.as_ref().unwrap();
        db.raw(&[&format!(
            "INSERT INTO provgate_audit (seq, hash, prev_hash, recorded_at, command, verdict, \
             policy_name, policy_digest, tool_version, input_sha256, body) VALUES \
             (11, '{hash}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}')",
            forged.prev,
            forged.time,
            forged.entry.command,
            forged.entry.verdict.unwrap().as_str(),
            p.name,
            p.digest,
            forged.entry.tool.version,
            forged.entry.input_sha256,
            json.replace('\'', "''")
        )]);
        let (seq, problem) = bad(&store.verify().unwrap());
        assert_eq!(seq, 11);
        assert_eq!(problem, Problem::PastHead { head: 10 });
        // And a writer refuses to chain onto it.
        let err = store.append(&sample("t", 99)).unwrap_err();
        assert!(matches!(err, StoreError::Inconsistent { .. }), "{err}");
    });
}

#[test]
fn tamper_reorder() {
    both("tamper_reorder", |db| {
        let store = filled(&db, 10);
        db.drop_guards();
        db.raw(&[
            "UPDATE provgate_audit SET seq = -1 WHERE seq = 6",
            "UPDATE provgate_audit SET seq = 6 WHERE seq = 7",
            "UPDATE provgate_audit SET seq = 7 WHERE seq = -1",
        ]);
        let (seq, problem) = bad(&store.verify().unwrap());
        assert_eq!(seq, 6);
        assert_eq!(problem, Problem::Moved { recorded: 7 });
    });
}

#[test]
fn tamper_truncate() {
    both("tamper_truncate", |db| {
        let store = filled(&db, 10);
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let checkpoint = store.checkpoint(&key).unwrap();
        assert_eq!(checkpoint.seq, 10);
        db.drop_guards();
        db.raw(&["DELETE FROM provgate_audit WHERE seq > 7"]);
        let (seq, problem) = bad(&store.verify().unwrap());
        assert_eq!(seq, 8);
        assert_eq!(
            problem,
            Problem::Truncated {
                vouched: 10,
                by: "head"
            }
        );
        // Truncated with the head row rewritten to match: the chain alone looks whole, which is
        // what checkpoints are for.
        db.raw(&[
            "UPDATE provgate_audit_head SET seq = 7, hash = (SELECT hash FROM provgate_audit WHERE seq = 7)",
        ]);
        assert!(store.verify().unwrap().is_intact());
        let report = store
            .verify_checkpoint(&checkpoint, &key.verifying_key())
            .unwrap();
        let (seq, problem) = bad(&report);
        assert_eq!(seq, 8);
        assert_eq!(
            problem,
            Problem::Truncated {
                vouched: 10,
                by: "checkpoint"
            }
        );
        // The export of the truncated log fails against the checkpoint as well.
        let mut out = Vec::new();
        store.export_jsonl(&mut out).unwrap();
        let offline = verify_jsonl(&out[..], std::slice::from_ref(&checkpoint)).unwrap();
        assert_eq!(bad(&offline).0, 8);
    });
}

#[test]
fn tamper_at_chunk_boundaries() {
    // verify reads entries in chunks (100 on SQLite, 1,000 on PostgreSQL): damage on both sides
    // of the boundary after entry 2,000 and at the start of a chunk.
    both("tamper_chunks", |db| {
        let store = Store::open(&db.location()).unwrap();
        let batch: Vec<_> = (0..4500).map(|i| sample("c", i)).collect();
        store.append_many(&batch).unwrap();
        assert!(store.verify().unwrap().is_intact());
        db.drop_guards();
        db.raw(&[
            "UPDATE provgate_audit SET seq = -1 WHERE seq = 2000",
            "UPDATE provgate_audit SET seq = 2000 WHERE seq = 2001",
            "UPDATE provgate_audit SET seq = 2001 WHERE seq = -1",
        ]);
        assert_eq!(
            bad(&store.verify().unwrap()),
            (2000, Problem::Moved { recorded: 2001 })
        );
        db.raw(&[
            "UPDATE provgate_audit SET seq = -1 WHERE seq = 2000",
            "UPDATE provgate_audit SET seq = 2000 WHERE seq = 2001",
            "UPDATE provgate_audit SET seq = 2001 WHERE seq = -1",
            "DELETE FROM provgate_audit WHERE seq = 4001",
        ]);
        let report = store.verify().unwrap();
        assert_eq!(bad(&report), (4001, Problem::Missing { next: 4002 }));
        assert_eq!((report.entries, report.verified), (4499, 4000));
    });
}

#[test]
fn tamper_head_row() {
    both("tamper_head", |db| {
        let store = filled(&db, 4);
        db.raw(&["DELETE FROM provgate_audit_head"]);
        let (seq, problem) = bad(&store.verify().unwrap());
        assert_eq!((seq, problem), (4, Problem::HeadMissing));
        let err = store.append(&sample("t", 9)).unwrap_err();
        assert!(matches!(err, StoreError::Inconsistent { .. }), "{err}");
    });
}

#[test]
fn checkpoints_sign_and_verify() {
    both("checkpoints", |db| {
        let store = filled(&db, 5);
        let dir = tempfile::tempdir().unwrap();
        let (private, public) = (dir.path().join("key.pem"), dir.path().join("key.pub.pem"));
        let verifying = provgate_store::generate_key_pair(&private, &public).unwrap();
        let key = provgate_store::read_signing_key(&private).unwrap();
        assert_eq!(key.verifying_key(), verifying);
        let cp = store.checkpoint(&key).unwrap();
        let file = dir.path().join("head.checkpoint");
        cp.write(&file).unwrap();

        // A third party with the file and the public key only.
        let cp = Checkpoint::read(&file).unwrap();
        let public_key = provgate_store::read_verifying_key(&public).unwrap();
        cp.verify_signature(&public_key).unwrap();
        let report = store.verify_checkpoint(&cp, &public_key).unwrap();
        assert!(report.is_intact() && report.checkpoints == 1, "{report:?}");

        // More entries later: the old checkpoint still holds.
        store.append(&sample("t", 5)).unwrap();
        assert!(
            store
                .verify_checkpoint(&cp, &public_key)
                .unwrap()
                .is_intact()
        );

        // The wrong key is a clear error, not a verdict.
        let other = SigningKey::from_bytes(&[9u8; 32]).verifying_key();
        match store.verify_checkpoint(&cp, &other) {
            Err(StoreError::WrongKey { signed_by, given }) => {
                assert_eq!(signed_by, provgate_store::key_id(&public_key));
                assert_eq!(given, provgate_store::key_id(&other));
            }
            r => panic!("wrong key accepted: {r:?}"),
        }
        // An altered checkpoint does not verify.
        let mut forged = cp.clone();
        forged.seq = 3;
        forged.hash = store.get(3).unwrap().unwrap().hash;
        assert!(matches!(
            forged.verify_signature(&public_key),
            Err(StoreError::BadSignature { .. })
        ));
        // A checkpoint whose entry was rewritten.
        db.drop_guards();
        db.raw(&[
            "UPDATE provgate_audit SET body = replace(body, 'shows', 'showed') WHERE seq = 2",
        ]);
        assert_eq!(
            bad(&store.verify_checkpoint(&cp, &public_key).unwrap()).0,
            2
        );
        // And no checkpoint is signed over a tampered log.
        assert!(matches!(
            store.checkpoint(&key),
            Err(StoreError::Inconsistent { .. })
        ));
        // A checkpoint of another log.
        let other_db = Db::sqlite();
        let other_store = filled(&other_db, 1);
        assert!(matches!(
            other_store.verify_checkpoint(&cp, &public_key),
            Err(StoreError::OtherLog { .. })
        ));
    });
}

#[test]
fn key_files_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let (private, public) = (dir.path().join("k"), dir.path().join("k.pub"));
    provgate_store::generate_key_pair(&private, &public).unwrap();
    // Signing with a public key, a garbage file, an RSA-looking PEM: clear errors.
    let err = provgate_store::read_signing_key(&public).unwrap_err();
    assert!(err.to_string().contains("public key"), "{err}");
    std::fs::write(dir.path().join("junk"), "not a key").unwrap();
    let err = provgate_store::read_verifying_key(&dir.path().join("junk")).unwrap_err();
    assert!(matches!(err, StoreError::Key { .. }), "{err}");
    assert!(!err.hint().is_empty());
    // Never overwritten.
    assert!(provgate_store::generate_key_pair(&private, &dir.path().join("x")).is_err());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&private).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "private key readable by others");
    }
}

#[test]
fn corrupt_and_truncated_sqlite_files() {
    // A file that is not a database.
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, vec![0x42u8; 8192]).unwrap();
    let err = Store::open(&junk.display().to_string()).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");

    // A real log cut in half (as a failed copy would leave it).
    let db = Db::sqlite();
    let store = filled(&db, 300);
    drop(store);
    let Db::Sqlite(_, path) = &db else {
        unreachable!()
    };
    let len = std::fs::metadata(path).unwrap().len();
    assert!(len > 64 * 1024, "{len}");
    let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.set_len(len / 2).unwrap();
    drop(f);
    let result = Store::open_existing(&db.location()).and_then(|s| s.verify());
    match result {
        Err(StoreError::Corrupt { .. }) => {}
        other => panic!("a truncated file must be an error, got {other:?}"),
    }

    // Another application's database is not taken over.
    let foreign = dir.path().join("other.sqlite");
    raw(
        &format!("sqlite://{}?mode=rwc", foreign.display()),
        &["CREATE TABLE t (x INTEGER)"],
    );
    let err = Store::open(&foreign.display().to_string()).unwrap_err();
    assert!(matches!(err, StoreError::NotAnAuditLog { .. }), "{err}");

    // Reading commands do not create a log.
    let missing = dir.path().join("none.sqlite");
    let err = Store::open_existing(&missing.display().to_string()).unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    assert!(!missing.exists());
}

#[test]
fn unreachable_postgres() {
    // Nothing listens on port 1.
    let err = Store::open("postgres://postgres@127.0.0.1:1/test").unwrap_err();
    assert!(matches!(err, StoreError::Unreachable { .. }), "{err}");
    assert!(err.hint().contains("nothing was recorded"));
    // A password never appears in messages.
    let err = Store::open("postgres://u:secret@127.0.0.1:1/test").unwrap_err();
    assert!(!err.to_string().contains("secret"), "{err}");
    // A schema that does not exist.
    if let Some(s) = pg("missing_schema") {
        let url = format!("{}?options[search_path]=no_such_schema_here", s.base);
        let err = Store::open(&url).unwrap_err();
        assert!(matches!(err, StoreError::Schema { .. }), "{err}");
        let err = Store::open_existing(&s.url).unwrap_err();
        assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    }
}

#[test]
fn newer_schema_is_refused() {
    both("newer_schema", |db| {
        drop(filled(&db, 1));
        db.raw(&["INSERT INTO provgate_migrations (version, name, checksum, applied_at) VALUES (99, 'future', 'x', 'now')"]);
        let err = Store::open(&db.location()).unwrap_err();
        assert!(matches!(err, StoreError::Schema { .. }), "{err}");
    });
}

#[test]
fn a_scan_of_5000_commits_is_one_entry() {
    both("big_entry", |db| {
        let store = Store::open(&db.location()).unwrap();
        let mut entry = sample("big", 0);
        entry.subjects = (0..5000)
            .map(|i| provgate_store::SubjectRef {
                id: sha256_hex(format!("{i}").as_bytes())[..40].to_string(),
                verdict: Some(provgate_report::Verdict::Pass),
            })
            .collect();
        let e = store.append(&entry).unwrap();
        assert!(e.json.len() > 300_000);
        assert_eq!(
            store.get(1).unwrap().unwrap().body.entry.subjects.len(),
            5000
        );
        assert!(store.verify().unwrap().is_intact());
    });
}

// ---------------------------------------------------------------------------------------------
// Several processes.

const CHILD_LOCATION: &str = "PROVGATE_STORE_TEST_CHILD_LOCATION";

/// Not a test of its own: the body of the child processes the tests below spawn (this test
/// binary, run again with only this test selected). It appends N entries and prints
/// `ACK seq hash` after each acknowledged one.
#[test]
fn child_appender() {
    let Ok(location) = std::env::var(CHILD_LOCATION) else {
        return;
    };
    let n: usize = std::env::var("PROVGATE_STORE_TEST_CHILD_N")
        .unwrap()
        .parse()
        .unwrap();
    let tag = std::env::var("PROVGATE_STORE_TEST_CHILD_TAG").unwrap();
    let store = Store::open(&location).unwrap();
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for i in 0..n {
        let e = store.append(&sample(&tag, i)).unwrap();
        writeln!(out, "ACK {} {}", e.seq, e.hash).unwrap();
        out.flush().unwrap();
    }
}

fn spawn_child(location: &str, tag: &str, n: usize) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "child_appender",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_LOCATION, location)
        .env("PROVGATE_STORE_TEST_CHILD_N", n.to_string())
        .env("PROVGATE_STORE_TEST_CHILD_TAG", tag)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

fn acks(stdout: impl std::io::Read) -> Vec<(i64, String)> {
    BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| {
            // libtest's `test child_appender ... ` may precede the first one on its line.
            let rest = &l[l.find("ACK ")? + 4..];
            let (seq, hash) = rest.split_once(' ')?;
            Some((seq.parse().ok()?, hash.to_string()))
        })
        .collect()
}

fn four_writers(db: Db) {
    const PER: usize = 1000;
    let location = db.location();
    let started = std::time::Instant::now();
    // The log does not exist yet: the four race to create it as well.
    let children: Vec<_> = (0..4)
        .map(|w| spawn_child(&location, &format!("w{w}"), PER))
        .collect();
    let mut acked = Vec::new();
    for mut child in children {
        let out = child.stdout.take().unwrap();
        acked.extend(acks(out));
        assert!(child.wait().unwrap().success());
    }
    eprintln!(
        "{}: 4 processes x {PER} appends in {:.1?}",
        if matches!(db, Db::Pg(_)) {
            "postgres"
        } else {
            "sqlite"
        },
        started.elapsed()
    );
    assert_eq!(acked.len(), 4 * PER);
    let store = Store::open_existing(&location).unwrap();
    let report = store.verify().unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.entries, 4000);
    // Every acknowledged entry is there, once, under the number it was acknowledged with.
    acked.sort();
    for (seq, hash) in &acked {
        assert_eq!(&store.get(*seq).unwrap().unwrap().hash, hash);
    }
    acked.dedup_by_key(|a| a.0);
    assert_eq!(acked.len(), 4000);
    // And each writer's entries are all there.
    let recorded: std::collections::HashSet<String> = store
        .list(&Filter::default())
        .unwrap()
        .into_iter()
        .map(|e| e.body.entry.subjects[0].id.clone())
        .collect();
    for w in 0..4 {
        for i in 0..PER {
            assert!(recorded.contains(&sample(&format!("w{w}"), i).subjects[0].id));
        }
    }
}

#[test]
fn four_processes_one_chain_sqlite() {
    four_writers(Db::sqlite());
}

#[test]
fn four_processes_one_chain_postgres() {
    if let Some(s) = pg("four_processes") {
        four_writers(Db::Pg(s));
    }
}

fn crash(db: Db) {
    let location = db.location();
    drop(filled(&db, 1));
    let mut child = spawn_child(&location, "crash", 1_000_000);
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut acked = Vec::new();
    while acked.len() < 150 {
        let line = lines.next().unwrap().unwrap();
        if let Some(at) = line.find("ACK ") {
            let rest = &line[at + 4..];
            let (seq, hash) = rest.split_once(' ').unwrap();
            acked.push((seq.parse::<i64>().unwrap(), hash.to_string()));
        }
    }
    // SIGKILL, mid-write most likely.
    child.kill().unwrap();
    child.wait().unwrap();
    let store = Store::open(&location).unwrap();
    let report = store.verify().unwrap();
    assert!(report.is_intact(), "{report:?}");
    for (seq, hash) in &acked {
        assert_eq!(
            &store.get(*seq).unwrap().unwrap().hash,
            hash,
            "acknowledged entry {seq} lost"
        );
    }
    // Recording goes on after the crash.
    let next = store.append(&sample("after", 0)).unwrap();
    assert!(next.seq > acked.last().unwrap().0);
    assert!(store.verify().unwrap().is_intact());
}

#[test]
fn a_killed_writer_loses_nothing_acknowledged_sqlite() {
    crash(Db::sqlite());
}

#[test]
fn a_killed_writer_loses_nothing_acknowledged_postgres() {
    if let Some(s) = pg("crash") {
        crash(Db::Pg(s));
    }
}
