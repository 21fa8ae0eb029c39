//! `provgate serve` on a shared PostgreSQL queue, with processes killed: a front end reading a
//! Maildir is killed with SIGKILL mid-ingestion and restarted; four `--worker` processes drain
//! the backlog while one of them is killed with SIGKILL in the middle of a check. Counted at the
//! SMTP sink and in the database: every message read once, every series checked once (one
//! report, one audit entry), every reply sent once.
//!
//! The size is `PROVGATE_KILL_SERIES` (default 40); `bench/serve-kill.sh` runs it with 5,000
//! in release mode and quotes the figures it prints. Needs `PROVGATE_TEST_POSTGRES` (set by
//! `.ci/run`); without it the test says so and passes, unless `CI` is set.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use provgate_deliver::standin::SmtpSink;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

const WORKERS: usize = 4;

#[path = "../../provgate-serve/tests/support/pg.rs"]
mod pg;

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.org"])
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// The project's repository: the series below add files under `docs/notes/`.
fn repository(dir: &Path) -> PathBuf {
    let repo = dir.join("mirror");
    std::fs::create_dir_all(repo.join("docs")).unwrap();
    std::fs::write(repo.join("docs/index.txt"), "Notes.\n").unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "docs: an index"]);
    repo
}

/// The messages of series `n`: 1 to 3 patches, each adding a note. Every fifth series declares
/// AI help; every seventh leaves its last patch unsigned, so verdicts differ.
fn series_messages(n: usize) -> Vec<(String, String)> {
    let parts = n % 3 + 1;
    let root = format!("s{n}.p1@kill.example.org");
    (1..=parts)
        .map(|part| {
            let id = format!("s{n}.p{part}@kill.example.org");
            let prefix = if parts == 1 {
                "[PATCH]".to_string()
            } else {
                format!("[PATCH {part}/{parts}]")
            };
            let mut trailers = String::new();
            if n.is_multiple_of(5) {
                trailers.push_str("Assisted-by: Claude:claude-opus-4.6\n");
            }
            if !(n.is_multiple_of(7) && part == parts) {
                trailers.push_str("Signed-off-by: Jane Doe <jane@example.org>\n");
            }
            let threading = if part == 1 {
                String::new()
            } else {
                format!("In-Reply-To: <{root}>\nReferences: <{root}>\n")
            };
            let file = format!("docs/notes/s{n}-p{part}.txt");
            let message = format!(
                "From: Jane Doe <jane@example.org>\n\
                 To: devel@lists.example.org\n\
                 Subject: {prefix} docs: note {n}.{part}\n\
                 Date: Wed, 02 Dec 2026 10:00:00 +0000\n\
                 Message-ID: <{id}>\n\
                 {threading}\n\
                 Note {n}.{part}.\n\n\
                 {trailers}---\n\
                 diff --git a/{file} b/{file}\n\
                 new file mode 100644\n\
                 index 0000000..1111111\n\
                 --- /dev/null\n\
                 +++ b/{file}\n\
                 @@ -0,0 +1 @@\n\
                 +Note {n}.{part}.\n"
            );
            (id, message)
        })
        .collect()
}

fn config(
    path: &Path,
    database: &str,
    audit: &str,
    workers: usize,
    port: u16,
    smtp: &SmtpSink,
) -> PathBuf {
    let text = format!(
        r#"
[server]
listen = "127.0.0.1:{port}"
database = "{database}"
workers = {workers}
lease_seconds = 3
poll_seconds = 1
log_format = "text"

[[project]]
name = "demo"
repository = "mirror"
policy = "preset:qemu"
audit = "{audit}"
sources.maildir = ["maildir"]
# Every series is answered, whatever its date and verdict, and however many.
since = "all"
deliver.email = {{ from = "provgate <bot@example.org>", to = ["devel@lists.example.org"], smtp = {{ host = "{host}", port = {smtp_port} }}, reply_on = ["fail", "warn", "pass", "incomplete"], daily_cap = 0 }}
"#,
        host = smtp.host(),
        smtp_port = smtp.port(),
    );
    std::fs::write(path, text).unwrap();
    path.to_path_buf()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `provgate serve` process, killed when dropped, so that a failing test leaves none behind.
struct Served(Child);

impl Served {
    fn id(&self) -> u32 {
        self.0.id()
    }

    /// SIGKILL, and the process reaped.
    fn kill(&mut self) {
        self.0.kill().unwrap();
        self.0.wait().unwrap();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `provgate serve`, its log in `log`; `name` becomes the start of its workers' names.
fn serve(dir: &Path, config: &Path, worker: bool, name: &str, log: &Path) -> Served {
    let mut command = Command::new(env!("CARGO_BIN_EXE_provgate"));
    command
        .current_dir(dir)
        .args(["serve", "--config"])
        .arg(config)
        .env("HOSTNAME", name)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap());
    if worker {
        command.arg("--worker");
    }
    Served(command.spawn().unwrap())
}

fn signal(child: &Served, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{name}");
}

fn terminate(child: &mut Served) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.0.wait();
}

async fn try_count(pool: &PgPool, sql: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(pool)
        .await
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    try_count(pool, sql).await.unwrap()
}

/// Waits until the count `sql` returns satisfies `done`, or panics after `limit` with the
/// processes' logs.
async fn wait_count(
    pool: &PgPool,
    sql: &str,
    done: impl Fn(i64) -> bool,
    limit: Duration,
    logs: &[PathBuf],
) {
    let start = Instant::now();
    loop {
        // Before the front end has created the tables, the query fails: not yet.
        let n = try_count(pool, sql).await.unwrap_or(-1);
        if n >= 0 && done(n) {
            return;
        }
        if start.elapsed() > limit {
            let mut text = String::new();
            for log in logs {
                text.push_str(&format!(
                    "--- {}\n{}\n",
                    log.display(),
                    std::fs::read_to_string(log).unwrap_or_default()
                ));
            }
            panic!("timed out after {limit:?} waiting on `{sql}` (last: {n})\n{text}");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_processes_lose_nothing_and_repeat_nothing() {
    let Some(base) = pg::server("the SIGKILL test") else {
        return;
    };
    let series: usize = std::env::var("PROVGATE_KILL_SERIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    // A generous bound: a debug build on a loaded 2-core machine checks a few series a second.
    let limit = Duration::from_secs(120 + series as u64 / 2);

    let queue = pg::Schema::create(&base, "kill").await;
    let audit = pg::Schema::create(&base, "kill_audit").await;
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(&queue.url())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    repository(dir.path());
    let maildir = dir.path().join("maildir");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    let mut roots = BTreeSet::new();
    let mut messages = 0;
    for n in 1..=series {
        for (id, text) in series_messages(n) {
            if id.ends_with(".p1@kill.example.org") {
                roots.insert(format!("<{id}>"));
            }
            std::fs::write(maildir.join("new").join(format!("{n:06}.{id}")), text).unwrap();
            messages += 1;
        }
    }
    let smtp = SmtpSink::start();
    let port = free_port();
    let front = config(
        &dir.path().join("front.toml"),
        &queue.url(),
        &audit.url(),
        0,
        port,
        &smtp,
    );
    let workers = config(
        &dir.path().join("worker.toml"),
        &queue.url(),
        &audit.url(),
        1,
        port,
        &smtp,
    );
    let log = |name: &str| dir.path().join(format!("{name}.log"));
    let mut logs = vec![log("front-1"), log("front-2")];

    // 1. The front end reads the Maildir; it is killed a third of the way and started again.
    let ingest_start = Instant::now();
    let mut first = serve(dir.path(), &front, false, "front", &log("front-1"));
    let third = (messages as i64 / 3).max(1);
    wait_count(
        &pool,
        "SELECT count(*) FROM serve_messages",
        |n| n >= third,
        limit,
        &logs,
    )
    .await;
    first.kill();
    let taken_at_kill = count(&pool, "SELECT count(*) FROM serve_messages").await;
    let mut front_end = serve(dir.path(), &front, false, "front", &log("front-2"));
    wait_count(
        &pool,
        "SELECT count(*) FROM serve_messages",
        |n| n == messages as i64,
        limit,
        &logs,
    )
    .await;
    let ingest_time = ingest_start.elapsed();
    eprintln!(
        "ingestion: {messages} messages of {series} series in {:.2} s; the front end was killed \
         with {taken_at_kill} read",
        ingest_time.as_secs_f64()
    );

    // 2. Four workers drain the backlog; the first is killed while it holds a check.
    let drain_start = Instant::now();
    let mut children: Vec<Served> = (0..WORKERS)
        .map(|i| {
            let name = format!("worker{i}");
            logs.push(log(&name));
            serve(dir.path(), &workers, true, &name, &log(&name))
        })
        .collect();
    let victim = format!("worker0-{}-0", children[0].id());
    // A third of the backlog is drained first, so the kill lands in a busy queue.
    wait_count(
        &pool,
        "SELECT count(*) FROM serve_series WHERE state = 'checked'",
        |n| n >= (series as i64 / 3),
        limit,
        &logs,
    )
    .await;
    // Frozen with SIGSTOP, the worker is looked at: killed if it holds a check, else let go on
    // and looked at again. So the kill lands in the middle of a check, never between jobs.
    let held_sql = format!(
        "SELECT id FROM serve_jobs WHERE state = 'running' AND kind = 'check' AND worker = '{victim}'"
    );
    let start = Instant::now();
    let held: i64 = loop {
        signal(&children[0], "STOP");
        let held = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(held_sql.clone()))
            .fetch_optional(&pool)
            .await
            .unwrap();
        if let Some(held) = held {
            break held;
        }
        signal(&children[0], "CONT");
        assert!(
            start.elapsed() < limit,
            "worker0 never held a check: {}",
            std::fs::read_to_string(log("worker0")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(3)).await;
    };
    children[0].kill();
    let killed_at = drain_start.elapsed();

    // A delivery is planned with the report: once every series is checked and no job is left,
    // every delivery has been made.
    wait_count(
        &pool,
        "SELECT count(*) FROM serve_series WHERE state = 'checked'",
        |n| n == series as i64,
        limit,
        &logs,
    )
    .await;
    wait_count(
        &pool,
        "SELECT count(*) FROM serve_jobs WHERE state NOT IN ('done', 'failed')",
        |n| n == 0,
        limit,
        &logs,
    )
    .await;
    let drain_time = drain_start.elapsed();
    let metrics = get(port, "/metrics");
    for child in children.iter_mut().skip(1) {
        terminate(child);
    }
    // The front end moves the last verdicts into the audit log as it stops.
    wait_count(
        &pool,
        "SELECT count(*) FROM serve_audit_outbox",
        |n| n == 0,
        limit,
        &logs,
    )
    .await;
    terminate(&mut front_end);

    // Every message read once: the restarted front end found nothing to read again.
    assert_eq!(
        count(&pool, "SELECT count(*) FROM serve_messages").await,
        messages as i64
    );
    assert!(
        !metrics.contains("outcome=\"duplicate\""),
        "a message was read twice after the restart:\n{metrics}"
    );
    // Every series checked once.
    assert_eq!(
        count(&pool, "SELECT count(*) FROM serve_series").await,
        series as i64
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM (SELECT DISTINCT series_id FROM serve_reports) AS s"
        )
        .await,
        series as i64
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM serve_reports").await,
        series as i64,
        "one report per series"
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM serve_jobs WHERE state = 'failed'"
        )
        .await,
        0
    );
    // The killed worker's check was taken up again by another worker and ended once.
    let (attempts, finisher): (i64, String) =
        sqlx::query_as("SELECT attempts, worker FROM serve_jobs WHERE id = $1 AND state = 'done'")
            .bind(held)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(
        attempts >= 2,
        "the killed job was claimed {attempts} time(s)"
    );
    assert_ne!(finisher, victim);
    // Every reply sent once, one per series, each answering its series.
    let sent = smtp.messages();
    let mut answered: BTreeMap<String, usize> = BTreeMap::new();
    for message in &sent {
        let text = String::from_utf8_lossy(&message.data);
        let in_reply_to = text
            .lines()
            .find_map(|l| l.strip_prefix("In-Reply-To: "))
            .unwrap_or_default()
            .trim()
            .to_string();
        *answered.entry(in_reply_to).or_default() += 1;
    }
    let duplicated: Vec<_> = answered.iter().filter(|(_, n)| **n > 1).collect();
    assert!(duplicated.is_empty(), "replied twice: {duplicated:?}");
    assert_eq!(sent.len(), series, "one reply per series");
    assert_eq!(answered.keys().cloned().collect::<BTreeSet<_>>(), roots);
    // Every verdict in the audit log once, the chain intact.
    let provgate = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_provgate"))
            .args(args)
            .args(["--store", &audit.url()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "provgate {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    provgate(&["audit", "verify"]);
    let entries = provgate(&["audit", "export"]).lines().count();
    assert_eq!(entries, series, "one audit entry per series");

    eprintln!(
        "drain: {series} series by {WORKERS} workers in {:.2} s ({:.1} series/s); worker0 \
         killed at {:.2} s holding job {held}, which was taken up again ({attempts} claims); \
         replies at the SMTP sink: {} for {} series; reports {}; audit entries {entries}",
        drain_time.as_secs_f64(),
        series as f64 / drain_time.as_secs_f64(),
        killed_at.as_secs_f64(),
        sent.len(),
        series,
        series,
    );
    pool.close().await;
}

/// A GET on the front end, with no HTTP client crate: one request, `Connection: close`.
fn get(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    text
}
