//! Checking a hash chain, row by row, and naming the first bad entry.

use std::borrow::Cow;
use std::fmt;
use std::io::BufRead;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::checkpoint::Checkpoint;
use crate::entry::{ENTRY_SCHEMA, GENESIS_PREV, hex};
use crate::error::{Result, StoreError};

/// The outcome of [`crate::Store::verify`] or [`verify_jsonl`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Entries read.
    pub entries: u64,
    /// Entries checked good before the first bad one (all of them when the log is intact).
    pub verified: u64,
    /// The last entry (sequence number and hash) when the log is intact and not empty.
    pub head: Option<(i64, String)>,
    /// Checkpoints the log was checked against.
    pub checkpoints: usize,
    /// The first entry that is not as recorded; `None` when the log is intact.
    pub first_bad: Option<BadEntry>,
}

impl VerifyReport {
    /// Whether every entry is as it was recorded.
    pub fn is_intact(&self) -> bool {
        self.first_bad.is_none()
    }
}

/// The first bad entry and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadEntry {
    /// Its sequence number (for a missing entry, the number it should have had).
    pub seq: i64,
    /// What is wrong.
    pub problem: Problem,
}

impl BadEntry {
    /// A sentence naming the entry and the problem.
    pub fn reason(&self) -> String {
        self.problem.to_string()
    }
}

impl fmt::Display for BadEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "entry {}: {}", self.seq, self.problem)
    }
}

/// How an entry differs from what was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// Its body does not hash to its stored hash: edited.
    Edited {
        /// The stored hash.
        stored: String,
        /// The hash of the body as it is now.
        computed: String,
    },
    /// Its body is not an entry (does not parse, or lacks a field).
    Unreadable(String),
    /// A column kept for filtering differs from the hashed body.
    ColumnEdited {
        /// The column.
        column: &'static str,
    },
    /// The entry is missing: the log goes from the entry before to a later one.
    Missing {
        /// The next sequence number present.
        next: i64,
    },
    /// The entry stored here was recorded under another number: entries were deleted and
    /// renumbered, inserted, or reordered.
    Moved {
        /// The number its body records.
        recorded: i64,
    },
    /// The entry stored here was not in the log when the next entry was appended: inserted.
    Inserted,
    /// The next entry was chained to a different entry with this number: rewritten or replaced.
    Replaced {
        /// The hash the next entry records for it.
        expected: String,
    },
    /// The entry's `prev` does not match the entry before it (the first entry's must be zeros).
    BrokenLink,
    /// The entry belongs to another log.
    OtherLog {
        /// The log id its body records.
        log: String,
    },
    /// Entries from here on were removed from the end of the log.
    Truncated {
        /// The last sequence number the head row or a checkpoint vouches for.
        vouched: i64,
        /// Who vouches for it: `head` or `checkpoint`.
        by: &'static str,
    },
    /// The entry is past the head row's: appended outside provgate.
    PastHead {
        /// The head row's sequence number.
        head: i64,
    },
    /// The head row, which names the last entry, is gone.
    HeadMissing,
    /// The head row or a checkpoint records another hash for this entry.
    Diverged {
        /// `head` or `checkpoint`.
        by: &'static str,
        /// The hash it records.
        expected: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Edited { stored, computed } => write!(
                f,
                "edited: its content hashes to {computed}, not to the recorded {stored}"
            ),
            Problem::Unreadable(detail) => {
                write!(f, "edited: its content is not an entry ({detail})")
            }
            Problem::ColumnEdited { column } => write!(
                f,
                "edited: the `{column}` column differs from the hashed content"
            ),
            Problem::Missing { next } => {
                write!(f, "deleted: the log goes on with entry {next}")
            }
            Problem::Moved { recorded } => write!(
                f,
                "out of place: it was recorded as entry {recorded} (entries were deleted, inserted \
                 or reordered)"
            ),
            Problem::Inserted => write!(
                f,
                "inserted: the entry after it was chained directly to the entry before it"
            ),
            Problem::Replaced { expected } => write!(
                f,
                "rewritten or replaced: the entry after it was chained to an entry hashing to \
                 {expected}"
            ),
            Problem::BrokenLink => write!(
                f,
                "does not follow the entry before it (its recorded previous hash differs)"
            ),
            Problem::OtherLog { log } => write!(f, "belongs to another log ({log})"),
            Problem::Truncated { vouched, by } => write!(
                f,
                "deleted: the log ends before it, but the {by} vouches for entries up to {vouched} \
                 (truncated)"
            ),
            Problem::PastHead { head } => write!(
                f,
                "inserted: it follows the last entry provgate appended ({head})"
            ),
            Problem::HeadMissing => write!(
                f,
                "the head row, which names the last entry appended, was deleted"
            ),
            Problem::Diverged { by, expected } => {
                write!(f, "rewritten: the {by} records it with hash {expected}")
            }
        }
    }
}

/// The fields of a body the chain check needs; the rest is skipped, not built.
#[derive(Deserialize)]
pub(crate) struct BodyHead<'a> {
    #[serde(borrow)]
    pub schema: Cow<'a, str>,
    #[serde(borrow)]
    pub log: Cow<'a, str>,
    pub seq: i64,
    #[serde(borrow)]
    pub prev: Cow<'a, str>,
    #[serde(borrow)]
    pub time: Cow<'a, str>,
    #[serde(borrow)]
    pub command: Cow<'a, str>,
    #[serde(borrow, default)]
    pub verdict: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub policy: Option<PolicyHead<'a>>,
    #[serde(borrow)]
    pub tool: ToolHead<'a>,
    #[serde(borrow)]
    pub input_sha256: Cow<'a, str>,
}

#[derive(Deserialize)]
pub(crate) struct PolicyHead<'a> {
    #[serde(borrow)]
    pub name: Cow<'a, str>,
    #[serde(borrow)]
    pub digest: Cow<'a, str>,
}

#[derive(Deserialize)]
pub(crate) struct ToolHead<'a> {
    #[serde(borrow)]
    pub version: Cow<'a, str>,
}

/// The filter columns of a row, to compare with its body.
pub(crate) struct Columns<'a> {
    pub prev_hash: Option<&'a str>,
    pub recorded_at: Option<&'a str>,
    pub command: Option<&'a str>,
    pub verdict: Option<&'a str>,
    pub policy_name: Option<&'a str>,
    pub policy_digest: Option<&'a str>,
    pub tool_version: Option<&'a str>,
    pub input_sha256: Option<&'a str>,
}

/// The filter columns, in the order [`Columns::unpack`] reads them.
pub(crate) const FILTER_COLUMNS: [&str; 8] = [
    "prev_hash",
    "recorded_at",
    "command",
    "verdict",
    "policy_name",
    "policy_digest",
    "tool_version",
    "input_sha256",
];

impl<'a> Columns<'a> {
    /// Reads the columns packed by the database into one string: for each, `-` for NULL or
    /// `<byte length>:<text>`, separated by `,`.
    #[cfg(test)]
    pub fn unpack(packed: &'a str) -> Option<Columns<'a>> {
        match Columns::read(packed)? {
            (columns, "") => Some(columns),
            _ => None,
        }
    }

    /// Reads the packed columns (for each, `-` for NULL or `<byte length>:<text>`, separated by
    /// `,`) at the start of `s`; returns what follows.
    pub fn read(s: &'a str) -> Option<(Columns<'a>, &'a str)> {
        let mut fields = [None; 8];
        let mut rest = s;
        for (i, field) in fields.iter_mut().enumerate() {
            if i > 0 {
                rest = rest.strip_prefix(',')?;
            }
            let (value, r) = crate::store::read_field(rest)?;
            *field = value;
            rest = r;
        }
        let [
            prev_hash,
            recorded_at,
            command,
            verdict,
            policy_name,
            policy_digest,
            tool_version,
            input_sha256,
        ] = fields;
        Some((
            Columns {
                prev_hash,
                recorded_at,
                command,
                verdict,
                policy_name,
                policy_digest,
                tool_version,
                input_sha256,
            },
            rest,
        ))
    }
}

/// What the log's head row says, for [`ChainVerifier::finish`].
pub(crate) enum HeadRow<'a> {
    /// An export: there is no head row.
    NotStored,
    /// The head row was deleted.
    Missing,
    /// The head row: sequence number and hash.
    Row(i64, &'a str),
}

/// Streams rows through the chain check. Feed rows in order; stops checking at the first bad
/// entry but keeps counting.
pub(crate) struct ChainVerifier {
    log_id: Option<String>,
    expected: i64,
    prev: String,
    prev_prev: Option<String>,
    last_seq: i64,
    entries: u64,
    verified: u64,
    first_bad: Option<BadEntry>,
    checkpoints: Vec<Checkpoint>,
    checkpoints_given: usize,
}

impl ChainVerifier {
    /// A verifier for the log `log_id` (any log when `None`: the first entry fixes it).
    pub fn new(log_id: Option<String>, checkpoints: &[Checkpoint]) -> Self {
        let mut checkpoints: Vec<Checkpoint> = checkpoints.to_vec();
        checkpoints.sort_by_key(|c| c.seq);
        let checkpoints_given = checkpoints.len();
        Self {
            log_id,
            expected: 1,
            prev: GENESIS_PREV.to_string(),
            prev_prev: None,
            last_seq: 0,
            entries: 0,
            verified: 0,
            first_bad: None,
            checkpoints,
            checkpoints_given,
        }
    }

    fn bad(&mut self, seq: i64, problem: Problem) {
        if self.first_bad.is_none() {
            self.first_bad = Some(BadEntry { seq, problem });
        }
    }

    /// Checks one row: its sequence number, its stored hash (`None` when the hash is the body's
    /// own, as in an export), its body, and its filter columns (when stored).
    pub fn push(
        &mut self,
        row_seq: i64,
        stored_hash: Option<&str>,
        body: &[u8],
        columns: Option<&Columns<'_>>,
    ) {
        self.entries += 1;
        if self.first_bad.is_some() {
            return;
        }
        if let Err(bad) = self.check(row_seq, stored_hash, body, columns) {
            self.first_bad = Some(bad);
        } else {
            self.verified += 1;
        }
    }

    fn check(
        &mut self,
        row_seq: i64,
        stored_hash: Option<&str>,
        body: &[u8],
        columns: Option<&Columns<'_>>,
    ) -> Result<(), BadEntry> {
        let bad = |seq, problem| Err(BadEntry { seq, problem });
        if row_seq > self.expected {
            return bad(self.expected, Problem::Missing { next: row_seq });
        }
        if row_seq < self.expected {
            return bad(row_seq, Problem::Moved { recorded: row_seq });
        }
        let computed = hex(&Sha256::digest(body));
        if let Some(stored) = stored_hash
            && stored != computed
        {
            return bad(
                row_seq,
                Problem::Edited {
                    stored: stored.to_string(),
                    computed,
                },
            );
        }
        let head: BodyHead<'_> = match serde_json::from_slice(body) {
            Ok(h) => h,
            Err(e) => return bad(row_seq, Problem::Unreadable(e.to_string())),
        };
        if head.schema != ENTRY_SCHEMA {
            return bad(
                row_seq,
                Problem::Unreadable(format!("unknown schema {:?}", head.schema)),
            );
        }
        match &self.log_id {
            Some(id) if *id != head.log => {
                return bad(
                    row_seq,
                    Problem::OtherLog {
                        log: head.log.into_owned(),
                    },
                );
            }
            Some(_) => {}
            None => self.log_id = Some(head.log.to_string()),
        }
        if head.seq != row_seq {
            // An entry recorded as N-1 at row N, chained to row N-2: row N-1 was inserted.
            if head.seq == row_seq - 1 && Some(head.prev.as_ref()) == self.prev_prev.as_deref() {
                return bad(row_seq - 1, Problem::Inserted);
            }
            return bad(row_seq, Problem::Moved { recorded: head.seq });
        }
        if head.prev != self.prev {
            if row_seq == 1 {
                return bad(1, Problem::BrokenLink);
            }
            return bad(
                row_seq - 1,
                Problem::Replaced {
                    expected: head.prev.into_owned(),
                },
            );
        }
        if let Some(c) = columns {
            let policy = head.policy.as_ref();
            let column = if c.prev_hash != Some(&*head.prev) {
                Some("prev_hash")
            } else if c.recorded_at != Some(&*head.time) {
                Some("recorded_at")
            } else if c.command != Some(&*head.command) {
                Some("command")
            } else if c.verdict != head.verdict.as_deref() {
                Some("verdict")
            } else if c.policy_name != policy.map(|p| p.name.as_ref()) {
                Some("policy_name")
            } else if c.policy_digest != policy.map(|p| p.digest.as_ref()) {
                Some("policy_digest")
            } else if c.tool_version != Some(&*head.tool.version) {
                Some("tool_version")
            } else if c.input_sha256 != Some(&*head.input_sha256) {
                Some("input_sha256")
            } else {
                None
            };
            if let Some(column) = column {
                return bad(row_seq, Problem::ColumnEdited { column });
            }
        }
        while let Some(cp) = self.checkpoints.first() {
            if cp.seq != row_seq {
                break;
            }
            if cp.hash != computed {
                return bad(
                    row_seq,
                    Problem::Diverged {
                        by: "checkpoint",
                        expected: cp.hash.clone(),
                    },
                );
            }
            self.checkpoints.remove(0);
        }
        self.prev_prev = Some(std::mem::replace(&mut self.prev, computed));
        self.last_seq = row_seq;
        self.expected = row_seq + 1;
        Ok(())
    }

    /// Ends the check; `head` is what the head row records, when there is one.
    pub fn finish(mut self, head: HeadRow<'_>) -> VerifyReport {
        if self.first_bad.is_none()
            && let Some(cp) = self.checkpoints.first()
        {
            // A checkpoint past the last entry: the log lost entries at its end.
            let (seq, vouched) = (self.last_seq + 1, cp.seq);
            self.bad(
                seq,
                Problem::Truncated {
                    vouched,
                    by: "checkpoint",
                },
            );
        }
        if self.first_bad.is_none() && matches!(head, HeadRow::Missing) {
            let seq = self.last_seq.max(1);
            self.bad(seq, Problem::HeadMissing);
        }
        if self.first_bad.is_none()
            && let HeadRow::Row(head_seq, head_hash) = head
        {
            if head_seq > self.last_seq {
                let seq = self.last_seq + 1;
                self.bad(
                    seq,
                    Problem::Truncated {
                        vouched: head_seq,
                        by: "head",
                    },
                );
            } else if head_seq < self.last_seq {
                self.bad(head_seq + 1, Problem::PastHead { head: head_seq });
            } else if head_hash != self.prev && head_seq > 0 {
                let seq = self.last_seq;
                self.bad(
                    seq,
                    Problem::Diverged {
                        by: "head",
                        expected: head_hash.to_string(),
                    },
                );
            }
        }
        let head = (self.first_bad.is_none() && self.last_seq > 0)
            .then(|| (self.last_seq, self.prev.clone()));
        VerifyReport {
            entries: self.entries,
            verified: self.verified,
            head,
            checkpoints: self.checkpoints_given,
            first_bad: self.first_bad,
        }
    }
}

/// Verifies an export (`audit export --format jsonl`): one entry body per line, in order, each
/// line exactly the hashed bytes. With checkpoints (their signatures checked first by the caller,
/// see [`Checkpoint::verify_signature`]), an export cut short before a checkpoint's entry is
/// reported as truncated.
pub fn verify_jsonl<R: BufRead>(mut reader: R, checkpoints: &[Checkpoint]) -> Result<VerifyReport> {
    let log = checkpoints.first().map(|c| c.log.clone());
    if let Some(c) = checkpoints.iter().find(|c| Some(&c.log) != log.as_ref()) {
        return Err(StoreError::OtherLog {
            checkpoint_log: c.log.clone(),
            log: log.unwrap_or_default(),
        });
    }
    let mut verifier = ChainVerifier::new(log, checkpoints);
    let mut line = Vec::with_capacity(1024);
    let mut position = 0i64;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|source| StoreError::Io {
                path: "-".into(),
                source,
            })?;
        if n == 0 {
            break;
        }
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        position += 1;
        verifier.push(position, None, &line, None);
    }
    Ok(verifier.finish(HeadRow::NotStored))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_columns_read_back_whatever_they_hold() {
        // Byte lengths, so separators and multi-byte text inside values cannot shift fields.
        let c = Columns::unpack("3:a,b,-,2:é,-,0:,5:x:1,y,1:z,-").unwrap();
        assert_eq!(c.prev_hash, Some("a,b"));
        assert_eq!(c.recorded_at, None);
        assert_eq!(c.command, Some("é"));
        assert_eq!(c.verdict, None);
        assert_eq!(c.policy_name, Some(""));
        assert_eq!(c.policy_digest, Some("x:1,y"));
        assert_eq!(c.tool_version, Some("z"));
        assert_eq!(c.input_sha256, None);
        assert!(Columns::unpack("3:a,b").is_none());
        assert!(Columns::unpack("-,-,-,-,-,-,-,-,").is_none());
        assert!(Columns::unpack("9:a,-,-,-,-,-,-,-").is_none());
    }
}
