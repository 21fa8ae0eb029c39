//! git-ai authorship logs: the notes git-ai attaches to commits under `refs/notes/ai` to say
//! which lines of the commit an AI agent wrote (the Git AI Standard, schema `authorship/3.0.0`).
//!
//! A log has an attestation section, a line holding exactly `---`, and a JSON metadata section:
//!
//! ```text
//! src/main.rs
//!   abcd1234abcd1234 1-10,15-20
//! "src/my file.rs"
//!   abcd1234abcd1234 3
//! ---
//! {"schema_version": "authorship/3.0.0", "base_commit_sha": "…",
//!  "prompts": {"abcd1234abcd1234": {"agent_id": {"tool": "cursor", "id": "…", "model": "…"}, …}}}
//! ```
//!
//! Each file line names a file of the commit; each indented entry names a session (a key of
//! `prompts`) and the lines of the file, as committed, that the session wrote. Line numbers are
//! those of the file in the annotated commit.
//!
//! Only what provgate reads is kept: files, line ranges, and each session's agent, model and
//! human. The conversation (`messages`) is never read. Parsing never panics: the note is text
//! someone else wrote, so anything wrong is an [`AuthorshipError`].

use serde::Serialize;

/// The notes ref git-ai writes authorship logs to.
pub const NOTES_REF: &str = "refs/notes/ai";

/// The schema major version read: `authorship/3.…` (3.0.0 is the published one; a later minor
/// version is read the same way, since minor versions only add fields).
const SCHEMA_PREFIX: &str = "authorship/3.";

/// Notes larger than this are not read: a log lists line ranges, not code, and even the
/// conversation transcripts git-ai keeps in it stay far below.
pub const MAX_NOTE_BYTES: usize = 8 << 20;

/// An inclusive range of 1-based line numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineRange {
    /// The first line.
    pub start: u32,
    /// The last line (equal to `start` for a single line).
    pub end: u32,
}

impl LineRange {
    /// How many lines the range holds.
    pub fn len(&self) -> u64 {
        u64::from(self.end) - u64::from(self.start) + 1
    }

    /// Never true: a range holds at least one line. For symmetry with [`LineRange::len`].
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl std::fmt::Display for LineRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}

/// Writes ranges as the log does: `1-4,9,12-13`.
pub fn format_ranges(ranges: &[LineRange]) -> String {
    ranges
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// One attestation entry: the lines of a file one session wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation {
    /// The session hash, a key of the metadata's `prompts`.
    pub session: String,
    /// The lines, as written.
    pub lines: Vec<LineRange>,
}

/// A file of the attestation section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestedFile {
    /// The path in the commit (quotes removed).
    pub path: String,
    /// Its entries, in order.
    pub entries: Vec<Attestation>,
}

/// What the metadata says about one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The session hash.
    pub hash: String,
    /// `agent_id.tool` (`claude`, `cursor`, `copilot`, …), when given.
    pub tool: Option<String>,
    /// `agent_id.model`, when given.
    pub model: Option<String>,
    /// `human_author`, the person who prompted the agent, when given.
    pub human_author: Option<String>,
}

/// A parsed authorship log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorshipLog {
    /// `schema_version`.
    pub schema_version: String,
    /// `base_commit_sha`, when given.
    pub base_commit: Option<String>,
    /// The attested files, in order.
    pub files: Vec<AttestedFile>,
    /// The sessions of `prompts`, ordered by hash.
    pub sessions: Vec<Session>,
}

impl AuthorshipLog {
    /// The session with this hash. An attestation may name a 7-character hash of an older
    /// version, so a prefix of a longer key matches too.
    pub fn session(&self, hash: &str) -> Option<&Session> {
        self.sessions
            .iter()
            .find(|s| s.hash == hash)
            .or_else(|| self.sessions.iter().find(|s| s.hash.starts_with(hash)))
    }

    /// Sessions the attestations name that the metadata does not describe, in order of first
    /// appearance.
    pub fn unknown_sessions(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for entry in self.files.iter().flat_map(|f| &f.entries) {
            if self.session(&entry.session).is_none() && !out.contains(&entry.session.as_str()) {
                out.push(&entry.session);
            }
        }
        out
    }
}

/// Why a note is not a readable authorship log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorshipError {
    /// The note is larger than [`MAX_NOTE_BYTES`].
    #[error("the note is {0} bytes, more than an authorship log can be")]
    TooLarge(usize),
    /// No line holding exactly `---` separates the attestations from the metadata.
    #[error("no `---` line between the attestations and the metadata")]
    NoDivider,
    /// An attestation entry before any file line.
    #[error("line {line}: an attestation entry before any file")]
    EntryWithoutFile {
        /// 1-based line of the note.
        line: usize,
    },
    /// An entry that is not `  HASH RANGES`.
    #[error(
        "line {line}: `{text}` is not `  HASH LINES` (two spaces, a hex session hash, a space, line ranges)"
    )]
    BadEntry {
        /// 1-based line of the note.
        line: usize,
        /// The line, shortened.
        text: String,
    },
    /// Line ranges that are not `N` or `N-M` (1 ≤ N ≤ M), comma separated.
    #[error("line {line}: `{text}` are not line ranges (`1-4,9,12-13`)")]
    BadRanges {
        /// 1-based line of the note.
        line: usize,
        /// The ranges as written, shortened.
        text: String,
    },
    /// The metadata is not JSON, or not an object.
    #[error("the metadata is not a JSON object: {0}")]
    Metadata(String),
    /// `schema_version` is missing or not an `authorship/3.x` version.
    #[error("schema version {0} is not authorship/3.x")]
    Schema(String),
    /// `prompts` is missing or not an object.
    #[error("the metadata has no `prompts` object")]
    NoPrompts,
}

/// At most this many characters of the note are quoted in an error.
const QUOTE: usize = 60;

fn quote(text: &str) -> String {
    let mut out: String = text.chars().take(QUOTE).collect();
    if text.chars().nth(QUOTE).is_some() {
        out.push('…');
    }
    out
}

/// Parses an authorship log. Never panics, whatever the text.
pub fn parse(note: &str) -> Result<AuthorshipLog, AuthorshipError> {
    if note.len() > MAX_NOTE_BYTES {
        return Err(AuthorshipError::TooLarge(note.len()));
    }
    // The divider is the first line that is exactly `---`; `lines` also strips a `\r`, which
    // a note edited on Windows may carry.
    let mut attestation_lines = Vec::new();
    let mut metadata = None;
    let mut offset = 0;
    for (i, raw) in note.split_inclusive('\n').enumerate() {
        offset += raw.len();
        let line = raw.trim_end_matches('\n').trim_end_matches('\r');
        if line == "---" {
            metadata = Some(&note[offset..]);
            break;
        }
        attestation_lines.push((i + 1, line));
    }
    let metadata = metadata.ok_or(AuthorshipError::NoDivider)?;
    let files = parse_attestations(&attestation_lines)?;
    let (schema_version, base_commit, sessions) = parse_metadata(metadata)?;
    Ok(AuthorshipLog {
        schema_version,
        base_commit,
        files,
        sessions,
    })
}

fn parse_attestations(lines: &[(usize, &str)]) -> Result<Vec<AttestedFile>, AuthorshipError> {
    let mut files: Vec<AttestedFile> = Vec::new();
    for &(number, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        if let Some(entry) = line.strip_prefix("  ") {
            let file = files
                .last_mut()
                .ok_or(AuthorshipError::EntryWithoutFile { line: number })?;
            file.entries.push(parse_entry(number, entry)?);
            continue;
        }
        let path = match line.strip_prefix('"').and_then(|l| l.strip_suffix('"')) {
            Some(inner) => inner,
            None => line,
        };
        files.push(AttestedFile {
            path: path.to_string(),
            entries: Vec::new(),
        });
    }
    Ok(files)
}

fn parse_entry(number: usize, entry: &str) -> Result<Attestation, AuthorshipError> {
    let bad = || AuthorshipError::BadEntry {
        line: number,
        text: quote(entry),
    };
    let (hash, ranges) = entry.split_once(' ').ok_or_else(bad)?;
    if hash.is_empty() || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let lines = parse_ranges(ranges).ok_or_else(|| AuthorshipError::BadRanges {
        line: number,
        text: quote(ranges),
    })?;
    Ok(Attestation {
        session: hash.to_ascii_lowercase(),
        lines,
    })
}

/// `1-4,9,12-13` → ranges; `None` for anything else (spaces, zero, a backwards range, an
/// empty item, a number past `u32`).
pub fn parse_ranges(text: &str) -> Option<Vec<LineRange>> {
    let number = |s: &str| -> Option<u32> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok().filter(|&n| n >= 1)
    };
    text.split(',')
        .map(|item| {
            let (start, end) = match item.split_once('-') {
                Some((a, b)) => (number(a)?, number(b)?),
                None => {
                    let n = number(item)?;
                    (n, n)
                }
            };
            (start <= end).then_some(LineRange { start, end })
        })
        .collect()
}

type Metadata = (String, Option<String>, Vec<Session>);

fn parse_metadata(text: &str) -> Result<Metadata, AuthorshipError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| AuthorshipError::Metadata(e.to_string()))?;
    let object = value
        .as_object()
        .ok_or_else(|| AuthorshipError::Metadata("not an object".to_string()))?;
    let schema = match object.get("schema_version") {
        Some(serde_json::Value::String(s)) if s.starts_with(SCHEMA_PREFIX) => s.clone(),
        Some(serde_json::Value::String(s)) => return Err(AuthorshipError::Schema(quote(s))),
        Some(other) => return Err(AuthorshipError::Schema(quote(&other.to_string()))),
        None => return Err(AuthorshipError::Schema("(none)".to_string())),
    };
    let base_commit = object
        .get("base_commit_sha")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    let prompts = object
        .get("prompts")
        .and_then(|v| v.as_object())
        .ok_or(AuthorshipError::NoPrompts)?;
    let text_of = |v: Option<&serde_json::Value>| {
        v.and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut sessions: Vec<Session> = prompts
        .iter()
        .map(|(hash, record)| {
            let agent = record.get("agent_id");
            Session {
                hash: hash.to_ascii_lowercase(),
                tool: text_of(agent.and_then(|a| a.get("tool"))),
                model: text_of(agent.and_then(|a| a.get("model"))),
                human_author: text_of(record.get("human_author")),
            }
        })
        .collect();
    sessions.sort_by(|a, b| a.hash.cmp(&b.hash));
    Ok((schema, base_commit, sessions))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"src/main.rs
  abcd1234abcd1234 1-10,15-20
  ef015678ef015678 25,30-35
"src/my file.rs"
  abcd1234abcd1234 1-50
---
{
  "schema_version": "authorship/3.0.0",
  "git_ai_version": "1.0.23",
  "base_commit_sha": "7734793b756b3921c88db5375a8c156e9532447b",
  "prompts": {
    "abcd1234abcd1234": {
      "agent_id": {"tool": "cursor", "id": "6ef2299e", "model": "claude-4.5-opus"},
      "human_author": "Developer <dev@example.com>",
      "messages": [{"type": "user", "text": "Add error handling"}],
      "total_additions": 25, "total_deletions": 5, "accepted_lines": 20, "overriden_lines": 0
    },
    "ef015678ef015678": {
      "agent_id": {"tool": "claude", "id": "a1b2", "model": "claude-3-sonnet"},
      "messages": [],
      "total_additions": 6, "total_deletions": 0, "accepted_lines": 6, "overriden_lines": 0
    }
  }
}
"#;

    #[test]
    fn reads_the_published_example() {
        let log = parse(EXAMPLE).expect("parses");
        assert_eq!(log.schema_version, "authorship/3.0.0");
        assert_eq!(
            log.base_commit.as_deref(),
            Some("7734793b756b3921c88db5375a8c156e9532447b")
        );
        assert_eq!(log.files.len(), 2);
        assert_eq!(log.files[0].path, "src/main.rs");
        assert_eq!(log.files[1].path, "src/my file.rs");
        assert_eq!(format_ranges(&log.files[0].entries[0].lines), "1-10,15-20");
        assert_eq!(format_ranges(&log.files[0].entries[1].lines), "25,30-35");
        let cursor = log.session("abcd1234abcd1234").expect("session");
        assert_eq!(cursor.tool.as_deref(), Some("cursor"));
        assert_eq!(cursor.model.as_deref(), Some("claude-4.5-opus"));
        assert_eq!(
            cursor.human_author.as_deref(),
            Some("Developer <dev@example.com>")
        );
        assert!(log.unknown_sessions().is_empty());
        assert_eq!(
            log.session("abcd123").map(|s| s.hash.as_str()),
            Some("abcd1234abcd1234")
        );
    }

    #[test]
    fn an_empty_attestation_section_is_a_log_without_ai_lines() {
        let log = parse(
            "---\n{\"schema_version\":\"authorship/3.0.0\",\"base_commit_sha\":\"x\",\"prompts\":{}}",
        )
        .expect("parses");
        assert!(log.files.is_empty());
    }

    #[test]
    fn sessions_the_metadata_does_not_describe() {
        let log = parse("a.rs\n  0123456789abcdef 1\n---\n{\"schema_version\":\"authorship/3.0.0\",\"prompts\":{}}")
            .expect("parses");
        assert_eq!(log.unknown_sessions(), vec!["0123456789abcdef"]);
    }

    #[test]
    fn what_is_not_a_log() {
        let meta = "{\"schema_version\":\"authorship/3.0.0\",\"prompts\":{}}";
        type Expect = fn(&AuthorshipError) -> bool;
        let cases: Vec<(String, Expect)> = vec![
            ("a.rs\n  abc 1\n".into(), |e| {
                *e == AuthorshipError::NoDivider
            }),
            (format!("  abc 1\n---\n{meta}"), |e| {
                matches!(e, AuthorshipError::EntryWithoutFile { line: 1 })
            }),
            (format!("a.rs\n  xyz 1\n---\n{meta}"), |e| {
                matches!(e, AuthorshipError::BadEntry { line: 2, .. })
            }),
            (format!("a.rs\n  abc\n---\n{meta}"), |e| {
                matches!(e, AuthorshipError::BadEntry { .. })
            }),
            (format!("a.rs\n  abc 0-3\n---\n{meta}"), |e| {
                matches!(e, AuthorshipError::BadRanges { .. })
            }),
            (format!("a.rs\n  abc 5-3\n---\n{meta}"), |e| {
                matches!(e, AuthorshipError::BadRanges { .. })
            }),
            (format!("a.rs\n  abc 1, 2\n---\n{meta}"), |e| {
                matches!(e, AuthorshipError::BadRanges { .. })
            }),
            ("---\nnot json".into(), |e| {
                matches!(e, AuthorshipError::Metadata(_))
            }),
            ("---\n[1]".into(), |e| {
                matches!(e, AuthorshipError::Metadata(_))
            }),
            (
                "---\n{\"schema_version\":\"authorship/2.0.0\",\"prompts\":{}}".into(),
                |e| matches!(e, AuthorshipError::Schema(_)),
            ),
            ("---\n{\"prompts\":{}}".into(), |e| {
                matches!(e, AuthorshipError::Schema(_))
            }),
            (
                "---\n{\"schema_version\":\"authorship/3.0.0\"}".into(),
                |e| *e == AuthorshipError::NoPrompts,
            ),
        ];
        for (note, expected) in cases {
            let error = parse(&note).expect_err(&note);
            assert!(expected(&error), "{note:?}: {error:?}");
            assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn ranges() {
        let r = parse_ranges("1-4,9,12-13").expect("ranges");
        assert_eq!(r.iter().map(LineRange::len).sum::<u64>(), 7);
        assert_eq!(format_ranges(&r), "1-4,9,12-13");
        for bad in ["", ",", "1,", "-1", "1-", "a", "4294967296", "1--2", "+1"] {
            assert_eq!(parse_ranges(bad), None, "{bad}");
        }
        assert_eq!(
            parse_ranges("4294967295").map(|r| r[0].len()),
            Some(1),
            "the largest line"
        );
    }

    #[test]
    fn crlf_notes() {
        let note = EXAMPLE.replace('\n', "\r\n");
        let log = parse(&note).expect("parses");
        assert_eq!(log.files[0].path, "src/main.rs");
    }
}
