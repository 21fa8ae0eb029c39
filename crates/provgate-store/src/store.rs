//! The audit log: one schema, one code path, on SQLite or PostgreSQL.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ed25519_dalek::{SigningKey, VerifyingKey};
use futures_util::TryStreamExt;
use sqlx::{AnyConnection, AssertSqlSafe, Connection};

use crate::checkpoint::Checkpoint;
use crate::entry::{ENTRY_SCHEMA, Entry, EntryBody, GENESIS_PREV, NewEntry, now};
use crate::error::{Result, StoreError};
use crate::migrations;
use crate::verify::{ChainVerifier, Columns, FILTER_COLUMNS, HeadRow, VerifyReport};

/// Which database holds the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One SQLite file (the embedded default).
    Sqlite,
    /// A PostgreSQL database (shared, several writers).
    Postgres,
}

/// How to open a log.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Create the log (SQLite file and tables, or the tables in the PostgreSQL schema) when it
    /// does not exist. Commands that only read should not.
    pub create: bool,
    /// How long a writer waits for another writer's lock before failing with
    /// [`StoreError::Busy`]. Default 60 s.
    pub busy_timeout: Duration,
    /// How long to wait for PostgreSQL to accept the connection. Default 10 s.
    pub connect_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            create: true,
            busy_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// Which entries [`Store::list`] returns. Every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Recorded at or after.
    pub since: Option<jiff::Timestamp>,
    /// Recorded before.
    pub until: Option<jiff::Timestamp>,
    /// The command (`check`, `scan`, `prove`).
    pub command: Option<String>,
    /// The verdict.
    pub verdict: Option<provgate_report::Verdict>,
    /// The policy: its name, or its digest or a prefix of it.
    pub policy: Option<String>,
    /// A subject: a commit id or a prefix of one, or a Message-ID.
    pub subject: Option<String>,
    /// Sequence numbers from this one on.
    pub from_seq: Option<i64>,
    /// At most this many entries.
    pub limit: Option<usize>,
    /// Newest first (by sequence number) instead of oldest first.
    pub newest_first: bool,
}

/// An open audit log.
///
/// The API is blocking: each `Store` drives its own single-threaded Tokio runtime, so it must not
/// be used from inside an async runtime's worker. A `Store` is `Send + Sync`; calls are
/// serialised on its one connection.
pub struct Store {
    rt: tokio::runtime::Runtime,
    conn: Mutex<Option<AnyConnection>>,
    backend: Backend,
    location: String,
    log_id: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .field("location", &self.location)
            .field("log_id", &self.log_id)
            .finish()
    }
}

const COLUMNS: &str = "seq, hash, prev_hash, recorded_at, command, verdict, policy_name, \
                       policy_digest, tool_version, input_sha256, body";
const NCOLS: usize = 11;
/// The head row, the hash of the entry it names, and the last entry's number.
const HEAD_SQL: &str = "SELECT h.seq, h.hash, \
     (SELECT a.hash FROM provgate_audit a WHERE a.seq = h.seq), \
     (SELECT max(a.seq) FROM provgate_audit a) \
     FROM provgate_audit_head h WHERE h.id = 1";
/// Entries read by one query of `verify`: SQLite answers in-process, so small chunks (that keep
/// the strings it builds small) are cheapest; PostgreSQL pays a round trip per query.
fn verify_chunk(backend: Backend) -> i64 {
    match backend {
        Backend::Sqlite => 100,
        Backend::Postgres => 1000,
    }
}
/// Rows per INSERT statement when appending many entries.
const CHUNK: usize = 200;

impl Store {
    /// Opens the log at `location`, creating it if needed: a `postgres://` or `postgresql://`
    /// URL, a `sqlite:` URL, or a file path (SQLite). A PostgreSQL URL may choose the schema with
    /// `?options[search_path]=NAME` (the schema must exist).
    pub fn open(location: &str) -> Result<Store> {
        Store::open_with(location, &OpenOptions::default())
    }

    /// Opens an existing log; [`StoreError::NotFound`] when there is none. For commands that
    /// only read (`audit log`, `show`, `export`, `verify`).
    pub fn open_existing(location: &str) -> Result<Store> {
        Store::open_with(
            location,
            &OpenOptions {
                create: false,
                ..OpenOptions::default()
            },
        )
    }

    /// Opens a log with options.
    pub fn open_with(location: &str, options: &OpenOptions) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|source| StoreError::Io {
                path: PathBuf::from(location),
                source,
            })?;
        let target = Target::parse(location)?;
        let shown = target.shown();
        let (conn, log_id) = rt.block_on(async {
            match &target {
                Target::Sqlite(path) => open_sqlite(path, &shown, options).await,
                Target::Postgres(url) => open_postgres(url, &shown, options).await,
            }
        })?;
        Ok(Store {
            rt,
            conn: Mutex::new(Some(conn)),
            backend: target.backend(),
            location: shown,
            log_id,
        })
    }

    /// The database kind.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Where the log is, for messages (a PostgreSQL password is replaced by `***`).
    pub fn location(&self) -> &str {
        &self.location
    }

    /// The log's id, fixed when it was created; every entry and checkpoint names it.
    pub fn log_id(&self) -> &str {
        &self.log_id
    }

    fn with_conn<T>(
        &self,
        f: impl AsyncFnOnce(&mut AnyConnection) -> Result<T, sqlx::Error>,
    ) -> Result<T> {
        let mut guard = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let conn = guard.as_mut().expect("connection present until drop");
        self.rt
            .block_on(f(conn))
            .map_err(|e| classify(e, self.backend, &self.location))
    }

    /// Appends one entry and returns it as stored. When this returns `Ok`, the entry is
    /// committed (and, on SQLite, synced to disk); on `Err`, nothing was recorded.
    pub fn append(&self, entry: &NewEntry) -> Result<Entry> {
        Ok(self
            .append_many(std::slice::from_ref(entry))?
            .pop()
            .expect("one entry appended"))
    }

    /// Appends entries in order, in one transaction: all are recorded or none.
    pub fn append_many(&self, entries: &[NewEntry]) -> Result<Vec<Entry>> {
        let backend = self.backend;
        let log_id = self.log_id.clone();
        let location = self.location.clone();
        let mut outcome: Option<StoreError> = None;
        let out = self.with_conn(async |conn| {
            let mut tx = match backend {
                Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await?,
                Backend::Postgres => conn.begin().await?,
            };
            // On PostgreSQL, lock the head row first, then read in a new statement: in READ
            // COMMITTED, a statement that waited for the lock sees the re-read locked row but
            // its sub-queries still see the snapshot from before the wait. On SQLite, BEGIN
            // IMMEDIATE already holds the write lock.
            if backend == Backend::Postgres {
                sqlx::query("SELECT seq FROM provgate_audit_head WHERE id = 1 FOR UPDATE")
                    .execute(&mut *tx)
                    .await?;
            }
            // The head row, the hash of the entry it names, and the last entry's number.
            let head: Option<(i64, String, Option<String>, Option<i64>)> =
                sqlx::query_as(HEAD_SQL).fetch_optional(&mut *tx).await?;
            let Some((head_seq, head_hash, named, last)) = head else {
                outcome = Some(StoreError::Inconsistent {
                    location: location.clone(),
                    head_seq: 0,
                    detail: "the head row is missing".to_string(),
                });
                return Ok(Vec::new());
            };
            let consistent = if head_seq == 0 {
                last.is_none() && head_hash == GENESIS_PREV
            } else {
                last == Some(head_seq) && named.as_deref() == Some(head_hash.as_str())
            };
            if !consistent {
                outcome = Some(StoreError::Inconsistent {
                    location: location.clone(),
                    head_seq,
                    detail: match (last, named) {
                        (None, _) => {
                            format!("the head records entry {head_seq} but the log has no entries")
                        }
                        (Some(l), Some(h)) if l == head_seq => format!(
                            "the head records entry {l} with hash {head_hash}, but entry {l} \
                             hashes to {h}"
                        ),
                        (Some(l), _) => {
                            format!("the head records entry {head_seq} but the last entry is {l}")
                        }
                    },
                });
                return Ok(Vec::new());
            }
            let (mut seq, mut prev) = (head_seq, head_hash);
            let mut out = Vec::with_capacity(entries.len());
            for chunk in entries.chunks(CHUNK) {
                let mut rows = Vec::with_capacity(chunk.len());
                for e in chunk {
                    seq += 1;
                    let body = EntryBody {
                        schema: ENTRY_SCHEMA.to_string(),
                        log: log_id.clone(),
                        seq,
                        prev: prev.clone(),
                        time: now(),
                        entry: e.clone(),
                    };
                    let json = match body.to_canonical() {
                        Ok(j) => j,
                        Err(e) => {
                            outcome = Some(e);
                            return Ok(Vec::new());
                        }
                    };
                    let hash = crate::entry::sha256_hex(json.as_bytes());
                    prev = hash.clone();
                    rows.push(Entry {
                        seq,
                        hash,
                        json,
                        body,
                    });
                }
                let sql = insert_sql(rows.len());
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for r in &rows {
                    let p = r.body.entry.policy.as_ref();
                    q = q
                        .bind(r.seq)
                        .bind(r.hash.clone())
                        .bind(r.body.prev.clone())
                        .bind(r.body.time.clone())
                        .bind(r.body.entry.command.clone())
                        .bind(r.body.entry.verdict.map(|v| v.as_str()))
                        .bind(p.map(|p| p.name.clone()))
                        .bind(p.map(|p| p.digest.clone()))
                        .bind(r.body.entry.tool.version.clone())
                        .bind(r.body.entry.input_sha256.clone())
                        .bind(r.json.clone());
                }
                q.execute(&mut *tx).await?;
                out.extend(rows);
            }
            if !out.is_empty() {
                sqlx::query("UPDATE provgate_audit_head SET seq = $1, hash = $2 WHERE id = 1")
                    .bind(seq)
                    .bind(prev)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(out)
        })?;
        match outcome {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// The head: the last entry's sequence number and hash, as the head row records them
    /// (`(0, zeros)` for an empty log).
    pub fn head(&self) -> Result<(i64, String)> {
        self.with_conn(async |conn| {
            sqlx::query_as("SELECT seq, hash FROM provgate_audit_head WHERE id = 1")
                .fetch_one(&mut *conn)
                .await
        })
    }

    /// The entry with this sequence number.
    pub fn get(&self, seq: i64) -> Result<Option<Entry>> {
        let row: Option<(i64, String, String)> = self.with_conn(async |conn| {
            sqlx::query_as("SELECT seq, hash, body FROM provgate_audit WHERE seq = $1")
                .bind(seq)
                .fetch_optional(&mut *conn)
                .await
        })?;
        row.map(|(seq, hash, body)| Entry::parse(seq, hash, body))
            .transpose()
    }

    /// Entries matching `filter`, in sequence order (or newest first). Entries are returned as
    /// stored: only [`Store::verify`] says whether they are as recorded.
    pub fn list(&self, filter: &Filter) -> Result<Vec<Entry>> {
        let mut sql = String::from("SELECT seq, hash, body FROM provgate_audit WHERE 1 = 1");
        let mut args: Vec<Arg> = Vec::new();
        fn cond(sql: &mut String, args: &mut Vec<Arg>, clause: &str, arg: Arg) {
            args.push(arg);
            sql.push_str(&clause.replace('?', &format!("${}", args.len())));
        }
        if let Some(t) = filter.since {
            let t = Arg::Text(crate::entry::format_time(t));
            cond(&mut sql, &mut args, " AND recorded_at >= ?", t);
        }
        if let Some(t) = filter.until {
            let t = Arg::Text(crate::entry::format_time(t));
            cond(&mut sql, &mut args, " AND recorded_at < ?", t);
        }
        if let Some(c) = &filter.command {
            cond(
                &mut sql,
                &mut args,
                " AND command = ?",
                Arg::Text(c.clone()),
            );
        }
        if let Some(v) = &filter.verdict {
            cond(
                &mut sql,
                &mut args,
                " AND verdict = ?",
                Arg::Text(v.as_str().to_string()),
            );
        }
        if let Some(p) = &filter.policy {
            args.push(Arg::Text(p.clone()));
            let n = args.len();
            args.push(Arg::Text(format!("{}%", like_escape(p))));
            sql.push_str(&format!(
                " AND (policy_name = ${n} OR policy_digest LIKE ${} ESCAPE '!')",
                n + 1
            ));
        }
        if let Some(s) = &filter.subject {
            // A coarse pre-filter on the body; the exact match is made on the parsed entry.
            let quoted = serde_json::to_string(s).unwrap_or_default();
            let quoted = quoted.strip_suffix('"').unwrap_or(&quoted);
            let pattern = Arg::Text(format!("%{{\"id\":{}%", like_escape(quoted)));
            cond(&mut sql, &mut args, " AND body LIKE ? ESCAPE '!'", pattern);
        }
        if let Some(from) = filter.from_seq {
            cond(&mut sql, &mut args, " AND seq >= ?", Arg::Int(from));
        }
        sql.push_str(if filter.newest_first {
            " ORDER BY seq DESC"
        } else {
            " ORDER BY seq"
        });
        if let (Some(limit), None) = (filter.limit, &filter.subject) {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let limit = filter.limit.unwrap_or(usize::MAX);
        let subject = filter.subject.clone();
        let rows: Vec<(i64, String, String)> = self.with_conn(async |conn| {
            let mut q = sqlx::query_as::<_, (i64, String, String)>(AssertSqlSafe(sql));
            for a in args {
                q = match a {
                    Arg::Text(s) => q.bind(s),
                    Arg::Int(i) => q.bind(i),
                };
            }
            let mut stream = q.fetch(&mut *conn);
            let mut out = Vec::new();
            while out.len() < limit
                && let Some(row) = stream.try_next().await?
            {
                if let Some(s) = &subject
                    && !body_has_subject(&row.2, s)
                {
                    continue;
                }
                out.push(row);
            }
            Ok(out)
        })?;
        rows.into_iter()
            .map(|(seq, hash, body)| Entry::parse(seq, hash, body))
            .collect()
    }

    /// Writes every entry, in order, one canonical JSON body per line: each line is exactly the
    /// bytes its hash covers, so `sha256sum` of a line is the entry's hash and the next line's
    /// `prev`. Returns the number of entries written.
    pub fn export_jsonl(&self, out: &mut dyn Write) -> Result<u64> {
        let mut io_error: Option<std::io::Error> = None;
        let n = self.with_conn(async |conn| {
            let mut stream =
                sqlx::query_scalar::<_, String>("SELECT body FROM provgate_audit ORDER BY seq")
                    .fetch(&mut *conn);
            let mut n = 0u64;
            while let Some(body) = stream.try_next().await? {
                if let Err(e) = out
                    .write_all(body.as_bytes())
                    .and_then(|_| out.write_all(b"\n"))
                {
                    io_error = Some(e);
                    break;
                }
                n += 1;
            }
            Ok(n)
        })?;
        if let Some(source) = io_error {
            return Err(StoreError::Io {
                path: "-".into(),
                source,
            });
        }
        out.flush().map_err(|source| StoreError::Io {
            path: "-".into(),
            source,
        })?;
        Ok(n)
    }

    /// Checks every entry: its hash, its place in the chain, its filter columns, and the head
    /// row; names the first bad entry. Reads one consistent snapshot, so concurrent appends do
    /// not disturb it.
    pub fn verify(&self) -> Result<VerifyReport> {
        self.verify_with(&[])
    }

    /// [`Store::verify`], and also that each checkpoint's entry is in the log with the hash the
    /// checkpoint records. Check the checkpoints' signatures first
    /// ([`Checkpoint::verify_signature`], or use [`Store::verify_checkpoint`]).
    pub fn verify_with(&self, checkpoints: &[Checkpoint]) -> Result<VerifyReport> {
        if let Some(c) = checkpoints.iter().find(|c| c.log != self.log_id) {
            return Err(StoreError::OtherLog {
                checkpoint_log: c.log.clone(),
                log: self.log_id.clone(),
            });
        }
        let backend = self.backend;
        let log_id = self.log_id.clone();
        self.with_conn(async |conn| {
            let mut tx = match backend {
                Backend::Sqlite => conn.begin().await?,
                Backend::Postgres => {
                    conn.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                        .await?
                }
            };
            let head: Option<(i64, String)> =
                sqlx::query_as("SELECT seq, hash FROM provgate_audit_head WHERE id = 1")
                    .fetch_optional(&mut *tx)
                    .await?;
            // Entries are read in chunks, each chunk one text value built by the database (see
            // `chunk_sql`): per-row driver overhead would otherwise dominate. They are checked on
            // a second thread while the next chunk is read.
            let verifier = ChainVerifier::new(Some(log_id), checkpoints);
            let (chunks, inbox) = std::sync::mpsc::sync_channel::<(i64, String)>(2);
            let checker = std::thread::spawn(move || {
                let mut verifier = verifier;
                for (rows, text) in inbox {
                    check_chunk(&mut verifier, rows, &text)?;
                }
                Ok::<_, sqlx::Error>(verifier)
            });
            let read = async {
                let sql = chunk_sql(backend);
                let mut after = i64::MIN;
                loop {
                    let (rows, last, text): (i64, Option<i64>, Option<String>) =
                        sqlx::query_as(AssertSqlSafe(sql.clone()))
                            .bind(after)
                            .fetch_one(&mut *tx)
                            .await?;
                    let Some(last) = last.filter(|_| rows > 0) else {
                        break;
                    };
                    if chunks.send((rows, text.unwrap_or_default())).is_err() {
                        break;
                    }
                    if rows < verify_chunk(backend) {
                        break;
                    }
                    after = last;
                }
                drop(chunks);
                Ok::<_, sqlx::Error>(())
            };
            let read = read.await;
            let checked = checker
                .join()
                .map_err(|_| sqlx::Error::Protocol("the verifying thread panicked".into()))?;
            read?;
            let verifier = checked?;
            tx.rollback().await?;
            Ok(verifier.finish(match &head {
                Some((seq, hash)) => HeadRow::Row(*seq, hash),
                None => HeadRow::Missing,
            }))
        })
    }

    /// Checks the checkpoint's signature with `key`, then verifies the log against it.
    pub fn verify_checkpoint(
        &self,
        checkpoint: &Checkpoint,
        key: &VerifyingKey,
    ) -> Result<VerifyReport> {
        checkpoint.verify_signature(key)?;
        self.verify_with(std::slice::from_ref(checkpoint))
    }

    /// Verifies the log, then signs its head. Refuses an empty log and a log that is not intact
    /// (a checkpoint must never vouch for a tampered log).
    pub fn checkpoint(&self, key: &SigningKey) -> Result<Checkpoint> {
        let report = self.verify()?;
        if let Some(bad) = report.first_bad {
            return Err(StoreError::Inconsistent {
                location: self.location.clone(),
                head_seq: bad.seq,
                detail: format!("verification failed: {bad}; no checkpoint was signed"),
            });
        }
        let Some((seq, hash)) = report.head else {
            return Err(StoreError::Entry {
                seq: 0,
                detail: "the log is empty: there is nothing to checkpoint".to_string(),
            });
        };
        Ok(Checkpoint::sign(&self.log_id, seq, &hash, key))
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        let conn = self
            .conn
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(conn) = conn {
            let _ = self.rt.block_on(conn.close());
        }
    }
}

/// The query reading the chunk of entries after `$1`: the number of rows, the last `seq`, and
/// the rows as one text value, in no particular order (sorting inside the aggregate costs the
/// database a sorter; the rows are sorted by `seq` after parsing). Each row is `seq,hash,columns,body` where `hash` and `body` are
/// `<byte length>:<text>` (`-` for NULL) and `columns` is [`packed_columns`]; rows are
/// separated by `,`. Byte lengths make the framing unambiguous whatever the values hold.
fn chunk_sql(backend: Backend) -> String {
    let row = format!(
        "seq || ',' || {} || ',' || {} || ',' || {}",
        packed(backend, "hash"),
        packed_columns(backend),
        packed(backend, "body")
    );
    let aggregate = match backend {
        Backend::Sqlite => "group_concat(r, ',')",
        Backend::Postgres => "string_agg(r, ',')",
    };
    format!(
        "SELECT count(*), max(seq), {aggregate} FROM (SELECT seq, {row} AS r FROM provgate_audit \
         WHERE seq > $1 ORDER BY seq LIMIT {}) AS c",
        verify_chunk(backend)
    )
}

/// Feeds a chunk read by [`chunk_sql`] to the chain check.
fn check_chunk(verifier: &mut ChainVerifier, rows: i64, text: &str) -> Result<(), sqlx::Error> {
    let malformed = |at: usize| {
        sqlx::Error::Protocol(format!(
            "unreadable chunk of entries from the database (at {at})"
        ))
    };
    let mut rest = text;
    let mut records = Vec::with_capacity(rows.max(0) as usize);
    while (records.len() as i64) < rows {
        if !records.is_empty() {
            rest = rest
                .strip_prefix(',')
                .ok_or_else(|| malformed(text.len() - rest.len()))?;
        }
        let (seq, r) = rest
            .split_once(',')
            .ok_or_else(|| malformed(text.len() - rest.len()))?;
        let seq: i64 = seq
            .parse()
            .map_err(|_| malformed(text.len() - rest.len()))?;
        let (hash, r) = read_field(r).ok_or_else(|| malformed(text.len() - r.len()))?;
        let r = r
            .strip_prefix(',')
            .ok_or_else(|| malformed(text.len() - r.len()))?;
        let (columns, r) = Columns::read(r).ok_or_else(|| malformed(text.len() - r.len()))?;
        let r = r
            .strip_prefix(',')
            .ok_or_else(|| malformed(text.len() - r.len()))?;
        let (body, r) = read_field(r).ok_or_else(|| malformed(text.len() - r.len()))?;
        records.push((seq, hash, columns, body));
        rest = r;
    }
    if !rest.is_empty() {
        return Err(malformed(text.len() - rest.len()));
    }
    records.sort_unstable_by_key(|r| r.0);
    for (seq, hash, columns, body) in &records {
        verifier.push(
            *seq,
            Some(hash.unwrap_or("NULL")),
            body.unwrap_or("").as_bytes(),
            Some(columns),
        );
    }
    Ok(())
}

/// `-` (NULL) or `<byte length>:<text>`, and what follows.
pub(crate) fn read_field(s: &str) -> Option<(Option<&str>, &str)> {
    if let Some(rest) = s.strip_prefix('-') {
        return Some((None, rest));
    }
    let (len, r) = s.split_once(':')?;
    let len: usize = len.parse().ok()?;
    let value = r.get(..len)?;
    Some((Some(value), &r[len..]))
}

fn packed(backend: Backend, c: &str) -> String {
    match backend {
        Backend::Sqlite => format!("coalesce(length(CAST({c} AS BLOB)) || ':' || {c}, '-')"),
        Backend::Postgres => format!("coalesce(octet_length({c}) || ':' || {c}, '-')"),
    }
}

/// The filter columns as one text value (see [`Columns::read`]): lengths in bytes, so the
/// packing is unambiguous whatever the values hold.
fn packed_columns(backend: Backend) -> String {
    FILTER_COLUMNS
        .iter()
        .map(|c| packed(backend, c))
        .collect::<Vec<_>>()
        .join(" || ',' || ")
}

enum Arg {
    Text(String),
    Int(i64),
}

fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '!') {
            out.push('!');
        }
        out.push(c);
    }
    out
}

fn body_has_subject(body: &str, wanted: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Subjects {
        subjects: Vec<Subject>,
    }
    #[derive(serde::Deserialize)]
    struct Subject {
        id: String,
    }
    let Ok(s) = serde_json::from_str::<Subjects>(body) else {
        return false;
    };
    let hexlike = wanted.len() >= 4 && wanted.bytes().all(|b| b.is_ascii_hexdigit());
    s.subjects.iter().any(|s| {
        s.id == wanted
            || (hexlike && s.id.starts_with(&wanted.to_ascii_lowercase()))
            || s.id.trim_start_matches('<').trim_end_matches('>')
                == wanted.trim_start_matches('<').trim_end_matches('>')
    })
}

fn insert_sql(rows: usize) -> String {
    let mut sql = format!("INSERT INTO provgate_audit ({COLUMNS}) VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..NCOLS {
            if c > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("${}", r * NCOLS + c + 1));
        }
        sql.push(')');
    }
    sql
}

/// Where the log is.
enum Target {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Target {
    fn parse(location: &str) -> Result<Target> {
        let lower = location.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            if cfg!(feature = "postgres") {
                return Ok(Target::Postgres(location.to_string()));
            }
            return Err(StoreError::Unreachable {
                location: redact(location),
                detail: "this provgate was built without PostgreSQL support (feature `postgres`)"
                    .to_string(),
            });
        }
        if let Some(rest) = location
            .strip_prefix("sqlite://")
            .or_else(|| location.strip_prefix("sqlite:"))
        {
            let path = rest.split('?').next().unwrap_or(rest);
            return Ok(Target::Sqlite(PathBuf::from(path)));
        }
        if location.contains("://") {
            return Err(StoreError::NotAnAuditLog {
                location: redact(location),
                detail: "unknown URL scheme: use a file path, sqlite:PATH or postgres://…"
                    .to_string(),
            });
        }
        Ok(Target::Sqlite(PathBuf::from(location)))
    }

    fn backend(&self) -> Backend {
        match self {
            Target::Sqlite(_) => Backend::Sqlite,
            Target::Postgres(_) => Backend::Postgres,
        }
    }

    fn shown(&self) -> String {
        match self {
            Target::Sqlite(p) => p.display().to_string(),
            Target::Postgres(u) => redact(u),
        }
    }
}

/// The URL with its password replaced by `***`.
pub(crate) fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let userinfo = &authority[..at];
    match userinfo.find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end + 3],
            &userinfo[..colon],
            &rest[at..]
        ),
        None => url.to_string(),
    }
}

fn sqlite_url(path: &Path, create: bool) -> Result<String> {
    let Some(text) = path.to_str() else {
        return Err(StoreError::NotAnAuditLog {
            location: path.display().to_string(),
            detail: "the path is not valid UTF-8".to_string(),
        });
    };
    let mut encoded = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => encoded.push_str("%25"),
            '?' => encoded.push_str("%3F"),
            '#' => encoded.push_str("%23"),
            ' ' => encoded.push_str("%20"),
            c => encoded.push(c),
        }
    }
    Ok(format!(
        "sqlite://{encoded}?mode={}",
        if create { "rwc" } else { "rw" }
    ))
}

/// Maps a driver error to what it means for the user.
pub(crate) fn classify(e: sqlx::Error, backend: Backend, location: &str) -> StoreError {
    let location = location.to_string();
    let detail = e.to_string();
    match (&e, backend) {
        (sqlx::Error::Database(db), Backend::Sqlite) => {
            let code: i64 = db.code().and_then(|c| c.parse().ok()).unwrap_or(0);
            match code & 0xff {
                11 | 26 => StoreError::Corrupt { location, detail },
                5 | 6 => StoreError::Busy { location, detail },
                _ => StoreError::Database { location, detail },
            }
        }
        (
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Protocol(_),
            Backend::Postgres,
        ) => StoreError::Unreachable { location, detail },
        (sqlx::Error::Database(db), Backend::Postgres) => {
            let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
            // 08: connection exception; 57P: operator intervention (shutdown).
            if code.starts_with("08") || code.starts_with("57P") {
                StoreError::Unreachable { location, detail }
            } else {
                StoreError::Database { location, detail }
            }
        }
        (sqlx::Error::WorkerCrashed, _) => StoreError::Database { location, detail },
        _ => StoreError::Database { location, detail },
    }
}

async fn open_sqlite(
    path: &Path,
    shown: &str,
    options: &OpenOptions,
) -> Result<(AnyConnection, String)> {
    let fail = |e: sqlx::Error| classify(e, Backend::Sqlite, shown);
    let exists = path.exists();
    if !exists {
        if !options.create {
            return Err(StoreError::NotFound {
                location: shown.to_string(),
            });
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
    } else if path.is_dir() {
        return Err(StoreError::NotAnAuditLog {
            location: shown.to_string(),
            detail: "it is a directory".to_string(),
        });
    }
    let url = sqlite_url(path, options.create)?;
    let mut conn = AnyConnection::connect(&url).await.map_err(fail)?;
    let ms = options.busy_timeout.as_millis().min(i32::MAX as u128);
    sqlx::raw_sql(AssertSqlSafe(format!(
        "PRAGMA busy_timeout = {ms}; PRAGMA synchronous = FULL;"
    )))
    .execute(&mut conn)
    .await
    .map_err(fail)?;
    // WAL lets readers (verify, list) run beside a writer; it is a property of the file, set
    // once. Changing it needs a lock the busy timeout does not wait for, so retry.
    let deadline = Instant::now() + options.busy_timeout;
    loop {
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut conn)
            .await
            .map_err(fail)?;
        if mode.eq_ignore_ascii_case("wal") {
            break;
        }
        match sqlx::query_scalar::<_, String>("PRAGMA journal_mode = WAL")
            .fetch_one(&mut conn)
            .await
        {
            Ok(m) if m.eq_ignore_ascii_case("wal") => break,
            Ok(_) => {}
            Err(e) => {
                let err = fail(e);
                if !matches!(err, StoreError::Busy { .. }) || Instant::now() > deadline {
                    return Err(err);
                }
            }
        }
        if Instant::now() > deadline {
            return Err(StoreError::Busy {
                location: shown.to_string(),
                detail: "could not switch the file to WAL mode".to_string(),
            });
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let log_id = migrations::migrate(&mut conn, Backend::Sqlite, shown, options.create).await?;
    Ok((conn, log_id))
}

async fn open_postgres(
    url: &str,
    shown: &str,
    options: &OpenOptions,
) -> Result<(AnyConnection, String)> {
    let connect = AnyConnection::connect(url);
    let mut conn = match tokio::time::timeout(options.connect_timeout, connect).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            let detail = e.to_string();
            return Err(match e {
                sqlx::Error::Configuration(_) => StoreError::NotAnAuditLog {
                    location: shown.to_string(),
                    detail: format!("bad URL: {detail}"),
                },
                _ => StoreError::Unreachable {
                    location: shown.to_string(),
                    detail,
                },
            });
        }
        Err(_) => {
            return Err(StoreError::Unreachable {
                location: shown.to_string(),
                detail: format!(
                    "no answer within {} s",
                    options.connect_timeout.as_secs_f32()
                ),
            });
        }
    };
    let ms = options.busy_timeout.as_millis().min(i32::MAX as u128);
    // The wait for another instance's lock on the head row.
    sqlx::raw_sql(AssertSqlSafe(format!(
        "SET lock_timeout = {ms}; SET synchronous_commit = on;"
    )))
    .execute(&mut conn)
    .await
    .map_err(|e| classify(e, Backend::Postgres, shown))?;
    let log_id = migrations::migrate(&mut conn, Backend::Postgres, shown, options.create).await?;
    Ok((conn, log_id))
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<Store>();
}
