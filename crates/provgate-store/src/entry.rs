//! What one audit-log entry holds, and the exact bytes that are hashed.

use provgate_report::{Finding, Mode, Stage, Verdict};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::canonical;
use crate::error::{Result, StoreError};

/// The `schema` of every entry body.
pub const ENTRY_SCHEMA: &str = "provgate/audit/v1";

/// The `prev` of the first entry: 64 zeros.
pub const GENESIS_PREV: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A verdict to record: everything an entry holds except what the log assigns (sequence number,
/// time, previous hash, log id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEntry {
    /// The command that judged: `check`, `scan` or `prove`.
    pub command: String,
    /// provgate's version.
    pub tool: ToolRef,
    /// The inputs as the user named them (a range, files, `-`).
    pub inputs: Vec<InputRef>,
    /// Lower-case hex SHA-256 of the raw input: the bytes read from files and standard input,
    /// concatenated in input order, and for a git range the commit ids, one per line, each
    /// followed by `\n` (see [`sha256_lines`]).
    pub input_sha256: String,
    /// What was judged: commit ids or Message-IDs, each with its verdict.
    pub subjects: Vec<SubjectRef>,
    /// The policy that judged; null when none did.
    pub policy: Option<PolicyRef>,
    /// Every finding, on patches, series and the policy.
    pub findings: Vec<Finding>,
    /// `pass`, `warn` or `fail`; null when no policy judged.
    pub verdict: Option<Verdict>,
}

/// The program that judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolRef {
    /// `provgate`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// One input as the user named it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRef {
    /// The argument.
    pub name: String,
    /// `range`, `file`, `directory` or `stdin`.
    pub kind: String,
}

/// One thing judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectRef {
    /// A commit id, a Message-ID (without angle brackets) or `file:line`.
    pub id: String,
    /// Its verdict; null when not judged (cover letters).
    pub verdict: Option<Verdict>,
}

impl From<&provgate_report::PolicyReport> for PolicyRef {
    fn from(p: &provgate_report::PolicyReport) -> Self {
        PolicyRef {
            name: p.origin.clone(),
            digest: p.digest.clone(),
            extends: p.extends.clone(),
            mode: p.mode,
            stage: p.stage,
        }
    }
}

/// The policy a verdict was reached under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRef {
    /// The policy file, or `preset NAME`.
    pub name: String,
    /// SHA-256 of the resolved policy's canonical form.
    pub digest: String,
    /// The preset it extends.
    pub extends: String,
    /// `enforce` or `warn`.
    pub mode: Mode,
    /// `submit` or `merge`.
    pub stage: Stage,
}

/// The content of an entry as stored and hashed: the recorded verdict plus the fields the log
/// assigns. Its canonical JSON (see [`crate::canonical`]) is the entry's body; the entry's hash is
/// the SHA-256 of that body, which holds the previous entry's hash in `prev`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryBody {
    /// Always [`ENTRY_SCHEMA`].
    pub schema: String,
    /// The id of the log it was appended to (a random UUID-like string fixed at creation).
    pub log: String,
    /// 1, 2, 3, … without gaps.
    pub seq: i64,
    /// The previous entry's hash; [`GENESIS_PREV`] for the first.
    pub prev: String,
    /// When it was appended: RFC 3339, UTC, microseconds (`2026-11-01T12:00:00.000000Z`).
    pub time: String,
    /// The recorded verdict.
    #[serde(flatten)]
    pub entry: NewEntry,
}

impl EntryBody {
    /// The canonical JSON text.
    pub fn to_canonical(&self) -> Result<String> {
        canonical::to_string(self).map_err(|e| StoreError::Entry {
            seq: self.seq,
            detail: format!("cannot encode: {e}"),
        })
    }
}

/// An entry read back from the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The sequence number.
    pub seq: i64,
    /// Lower-case hex SHA-256 of [`Entry::json`].
    pub hash: String,
    /// The body exactly as stored and hashed (canonical JSON, one line).
    pub json: String,
    /// The body, parsed.
    pub body: EntryBody,
}

impl Entry {
    pub(crate) fn parse(seq: i64, hash: String, json: String) -> Result<Entry> {
        let body: EntryBody = serde_json::from_str(&json).map_err(|e| StoreError::Entry {
            seq,
            detail: format!("the stored body does not parse: {e}"),
        })?;
        Ok(Entry {
            seq,
            hash,
            json,
            body,
        })
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// SHA-256 of lines, each followed by `\n`: the input digest of a git range (its commit ids).
pub fn sha256_lines<I, S>(lines: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut h = Sha256::new();
    for line in lines {
        h.update(line.as_ref().as_bytes());
        h.update(b"\n");
    }
    hex(&h.finalize())
}

/// An [`std::io::Write`] that hashes what goes through it, to digest raw input as it is read.
#[derive(Default, Clone)]
pub struct Sha256Writer(Sha256);

impl Sha256Writer {
    /// A new hasher.
    pub fn new() -> Self {
        Self::default()
    }
    /// The lower-case hex digest of everything written.
    pub fn finish_hex(self) -> String {
        hex(&self.0.finalize())
    }
}

impl std::io::Write for Sha256Writer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 0xf) as usize] as char);
    }
    s
}

/// Now, as entries record it.
pub(crate) fn now() -> String {
    format_time(jiff::Timestamp::now())
}

pub(crate) fn format_time(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}
