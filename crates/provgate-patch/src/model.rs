//! The contribution model: what a contributor sent, independent of how it travelled.
//!
//! A [`Series`] groups the [`Patch`]es sent together (a mailing-list series, or the commits of a
//! range). A patch carries its people, message and [`Trailer`]s, and its [`FileChange`]s, each with
//! the [`Hunk`]s and lines that were added or removed.

use serde::Serialize;

/// A person as git and e-mail name them: a display name and an address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Person {
    /// The display name, decoded (RFC 2047 words resolved), possibly empty.
    pub name: String,
    /// The address without angle brackets, possibly empty.
    pub email: String,
}

impl Person {
    /// Creates a person from a name and an address.
    pub fn new(name: impl Into<String>, email: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            email: email.into(),
        }
    }
}

impl std::fmt::Display for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} <{}>", self.name, self.email)
    }
}

/// A point in time with the author's own UTC offset, as git records dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Date {
    /// Seconds since the Unix epoch.
    pub seconds: i64,
    /// The offset from UTC in minutes that the author's clock showed.
    pub offset_minutes: i32,
}

impl Date {
    /// RFC 3339 rendering in the author's own offset, e.g. `2026-05-28T10:11:12+02:00`.
    pub fn to_rfc3339(&self) -> String {
        let Ok(ts) = jiff::Timestamp::from_second(self.seconds) else {
            return self.seconds.to_string();
        };
        let Ok(offset) = jiff::tz::Offset::from_seconds(self.offset_minutes.saturating_mul(60))
        else {
            return ts.to_string();
        };
        let dt = offset.to_datetime(ts);
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let abs = self.offset_minutes.unsigned_abs();
        format!(
            "{}{}{:02}:{:02}",
            dt.strftime("%Y-%m-%dT%H:%M:%S"),
            sign,
            abs / 60,
            abs % 60
        )
    }

    /// The calendar month (`YYYY-MM`) in the author's own offset.
    pub fn month(&self) -> String {
        self.to_rfc3339().chars().take(7).collect()
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

/// One `Key: value` line of a message's trailer block, as `git interpret-trailers --parse` sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trailer {
    /// The key in its original spelling (compare with [`Trailer::is`], which ignores case).
    pub key: String,
    /// The value with continuation lines folded into single spaces.
    pub value: String,
    /// 1-based line of the message on which the trailer starts.
    #[serde(skip)]
    pub line: usize,
}

impl Trailer {
    /// Whether this trailer's key is `key`, compared case-insensitively as git does.
    pub fn is(&self, key: &str) -> bool {
        self.key.eq_ignore_ascii_case(key)
    }
}

/// What happened to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileStatus {
    /// The file is new.
    Added,
    /// The file's content changed (its mode may have changed too).
    #[default]
    Modified,
    /// The file was removed.
    Deleted,
    /// The file moved, possibly with changes; see [`FileChange::similarity`].
    Renamed,
    /// The file was copied from another, possibly with changes.
    Copied,
    /// Only the file's mode changed (e.g. it became executable).
    ModeOnly,
    /// The file changed kind (regular file, symbolic link, submodule).
    TypeChanged,
}

impl FileStatus {
    /// The one-letter code `git diff --name-status` uses.
    pub fn letter(self) -> char {
        match self {
            FileStatus::Added => 'A',
            FileStatus::Modified | FileStatus::ModeOnly => 'M',
            FileStatus::Deleted => 'D',
            FileStatus::Renamed => 'R',
            FileStatus::Copied => 'C',
            FileStatus::TypeChanged => 'T',
        }
    }

    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Added => "added",
            FileStatus::Modified => "modified",
            FileStatus::Deleted => "deleted",
            FileStatus::Renamed => "renamed",
            FileStatus::Copied => "copied",
            FileStatus::ModeOnly => "mode-only",
            FileStatus::TypeChanged => "type-changed",
        }
    }
}

/// The change to one file in a patch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileChange {
    /// The path before the change; `None` for an added file.
    pub old_path: Option<String>,
    /// The path after the change; `None` for a deleted file.
    pub new_path: Option<String>,
    /// What happened to the file.
    pub status: FileStatus,
    /// Whether git treats the content as binary (no line counts then).
    pub binary: bool,
    /// The mode before the change (e.g. `0o100644`), when known.
    pub old_mode: Option<u32>,
    /// The mode after the change, when known.
    pub new_mode: Option<u32>,
    /// Similarity in percent for renames and copies.
    pub similarity: Option<u8>,
    /// The line hunks; empty for binary, mode-only and empty files.
    pub hunks: Vec<Hunk>,
}

impl FileChange {
    /// The path that names this change in reports: after the change, or before it for a deletion.
    pub fn path(&self) -> &str {
        self.new_path
            .as_deref()
            .or(self.old_path.as_deref())
            .unwrap_or("")
    }

    /// The path it came from, for renames and copies only.
    pub fn source_path(&self) -> Option<&str> {
        match self.status {
            FileStatus::Renamed | FileStatus::Copied => self.old_path.as_deref(),
            _ => None,
        }
    }

    /// Number of added lines (0 for binary files).
    pub fn added(&self) -> u32 {
        self.hunks.iter().map(|h| h.added()).sum()
    }

    /// Number of removed lines (0 for binary files).
    pub fn removed(&self) -> u32 {
        self.hunks.iter().map(|h| h.removed()).sum()
    }

    /// The added lines with their new-file line numbers.
    pub fn added_lines(&self) -> impl Iterator<Item = DiffLine<'_>> {
        self.hunks
            .iter()
            .flat_map(Hunk::lines)
            .filter(|l| l.kind == LineKind::Added)
    }
}

/// Whether a diff line was kept, added or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineKind {
    /// Unchanged context (` `).
    Context,
    /// Added (`+`).
    Added,
    /// Removed (`-`).
    Removed,
}

/// One line of a hunk, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiffLine<'a> {
    /// Kept, added or removed.
    pub kind: LineKind,
    /// Line number in the old file (0 for added lines).
    pub old_line: u32,
    /// Line number in the new file (0 for removed lines).
    pub new_line: u32,
    /// The text without its leading marker and line terminator; invalid UTF-8 is replaced.
    pub text: &'a str,
    /// The line had no newline at the end of the file (`\ No newline at end of file`).
    pub no_newline: bool,
}

/// Where a line's text lies in its hunk's buffer, and what the line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LineSlot {
    kind: LineKind,
    old_line: u32,
    new_line: u32,
    start: u32,
    end: u32,
    no_newline: bool,
}

/// A `@@ -a,b +c,d @@` hunk and its lines.
///
/// The lines' texts share one buffer per hunk: reading a history allocates per hunk, not per line,
/// which is most of the cost of building the model (see `bench/`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hunk {
    /// First old line covered.
    pub old_start: u32,
    /// Number of old lines covered.
    pub old_count: u32,
    /// First new line covered.
    pub new_start: u32,
    /// Number of new lines covered.
    pub new_count: u32,
    /// The function context git prints after the second `@@`, if any.
    pub section: String,
    text: String,
    lines: Vec<LineSlot>,
}

impl Hunk {
    /// An empty hunk with the ranges of its `@@` header.
    pub fn new(
        old_start: u32,
        old_count: u32,
        new_start: u32,
        new_count: u32,
        section: impl Into<String>,
    ) -> Self {
        Self {
            old_start,
            old_count,
            new_start,
            new_count,
            section: section.into(),
            text: String::new(),
            lines: Vec::with_capacity((old_count + new_count) as usize),
        }
    }

    /// Appends a line; `old_line`/`new_line` are 0 on the side the line is not on.
    pub fn push_line(
        &mut self,
        kind: LineKind,
        old_line: u32,
        new_line: u32,
        text: &str,
        no_newline: bool,
    ) {
        let start = self.text.len() as u32;
        self.text.push_str(text);
        self.lines.push(LineSlot {
            kind,
            old_line,
            new_line,
            start,
            end: self.text.len() as u32,
            no_newline,
        });
    }

    /// Marks the last line as lacking a final newline (`\ No newline at end of file`).
    pub fn mark_last_no_newline(&mut self) {
        if let Some(last) = self.lines.last_mut() {
            last.no_newline = true;
        }
    }

    /// Reserves room for `bytes` more bytes of line text.
    pub fn reserve_text(&mut self, bytes: usize) {
        self.text.reserve(bytes);
    }

    /// The lines in order.
    pub fn lines(
        &self,
    ) -> impl ExactSizeIterator<Item = DiffLine<'_>> + DoubleEndedIterator + Clone {
        self.lines.iter().map(|slot| self.view(slot))
    }

    /// The line at `index`, if there is one.
    pub fn line(&self, index: usize) -> Option<DiffLine<'_>> {
        self.lines.get(index).map(|slot| self.view(slot))
    }

    /// The number of lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether the hunk has no lines.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    fn view(&self, slot: &LineSlot) -> DiffLine<'_> {
        DiffLine {
            kind: slot.kind,
            old_line: slot.old_line,
            new_line: slot.new_line,
            text: self
                .text
                .get(slot.start as usize..slot.end as usize)
                .unwrap_or_default(),
            no_newline: slot.no_newline,
        }
    }

    /// Number of added lines.
    pub fn added(&self) -> u32 {
        self.lines
            .iter()
            .filter(|l| l.kind == LineKind::Added)
            .count() as u32
    }

    /// Number of removed lines.
    pub fn removed(&self) -> u32 {
        self.lines
            .iter()
            .filter(|l| l.kind == LineKind::Removed)
            .count() as u32
    }
}

/// Where a patch was read from, for messages that point the user back at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Origin {
    /// A commit of a repository.
    Commit {
        /// The full commit id.
        commit: String,
    },
    /// An e-mail message in a file (a single message or one of an mbox).
    Mail {
        /// The file, as given by the user (`-` for standard input).
        file: String,
        /// The 1-based line in the file where the message starts.
        line: usize,
    },
    /// A plain diff without mail headers.
    Diff {
        /// The file, as given by the user (`-` for standard input).
        file: String,
    },
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Commit { commit } => write!(f, "commit {commit}"),
            Origin::Mail { file, line } => write!(f, "{file}:{line}"),
            Origin::Diff { file } => write!(f, "{file}"),
        }
    }
}

/// The bracketed prefix of a patch e-mail's subject, e.g. `[PATCH v3 2/7]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SubjectPrefix {
    /// The words of the prefix other than the version and position (`PATCH`, `RFC`, `PULL`,
    /// `RESEND`, `for-10.1`, …), in order.
    pub tags: Vec<String>,
    /// The `vN` version; 1 when absent.
    pub version: u32,
    /// `2` in `2/7`.
    pub index: Option<u32>,
    /// `7` in `2/7`.
    pub total: Option<u32>,
    /// Whether the subject started with `Re:` (a reply, not a submission).
    pub reply: bool,
}

impl SubjectPrefix {
    /// Whether a tag (case-insensitive) is present, e.g. `RFC`.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t.eq_ignore_ascii_case(tag))
    }
}

/// A patch's place in its series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeriesPosition {
    /// The series' identity (see [`Series::id`]).
    pub id: String,
    /// The version of the series (`v3` → 3).
    pub version: u32,
    /// The patch's position (`2/7` → 2); 0 is the cover letter.
    pub index: Option<u32>,
    /// The number of patches announced (`2/7` → 7).
    pub total: Option<u32>,
}

/// One contribution: a commit, or a patch e-mail, or a plain diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patch {
    /// The commit id for git input; the Message-ID (without angle brackets) for mail, or the
    /// commit id of a format-patch `From <sha>` line when there is no Message-ID; for a plain
    /// diff, the file name.
    pub id: String,
    /// Where it was read from.
    pub origin: Origin,
    /// The subject, without mail prefixes such as `[PATCH v2 1/3]`.
    pub subject: String,
    /// The parsed mail prefix, for e-mail input.
    pub prefix: Option<SubjectPrefix>,
    /// The series it belongs to, when known.
    pub series: Option<SeriesPosition>,
    /// The author (for mail, after in-body `From:` and list munging are resolved).
    pub author: Option<Person>,
    /// The committer (git) or the sender of the mail when it differs from the author.
    pub committer: Option<Person>,
    /// The author date.
    pub date: Option<Date>,
    /// The commit message as git would record it: subject, blank line, body (trailers included).
    pub message: String,
    /// The trailers of [`Patch::message`].
    pub trailers: Vec<Trailer>,
    /// The file changes, in the order of the diff.
    pub files: Vec<FileChange>,
    /// The parent commits (git input only).
    pub parents: Vec<String>,
    /// The Message-ID, for mail input.
    pub message_id: Option<String>,
    /// The `In-Reply-To` Message-ID, for mail input.
    pub in_reply_to: Option<String>,
    /// The `References` Message-IDs in order, for mail input.
    pub references: Vec<String>,
    /// Things the reader noticed and resolved, worth telling (e.g. a list-munged author).
    pub notes: Vec<ReaderNote>,
    /// The git-ai authorship log attached to the commit (its note under `refs/notes/ai`, see
    /// [`crate::authorship`]), as read: parsed where it is judged, so that a note that does not
    /// parse is reported there.
    pub ai_note: Option<String>,
    /// The branch the patch was taken from, when known (the head of a range named as a branch,
    /// or given by the caller): agents push to branches named after themselves.
    pub branch: Option<String>,
    /// Trailers given in reviewers' replies to this patch or to its cover letter, collected as
    /// `b4 am` collects them (mail input only; see `provgate_engine::submission`).
    pub review: Vec<ReviewTrailer>,
}

/// A trailer (`Reviewed-by`, `Acked-by`, `Tested-by`, …) given in a reply rather than in the
/// patch itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewTrailer {
    /// The trailer as written in the reply.
    pub trailer: Trailer,
    /// Who sent the reply (the reply's `From:`).
    pub sender: Option<Person>,
    /// The reply's Message-ID.
    pub message_id: Option<String>,
    /// Whether the reply answered the cover letter, so that the trailer applies to every patch
    /// of the series.
    pub to_cover_letter: bool,
}

impl ReviewTrailer {
    /// `Acked-by: Jane <jane@example.org> (from a reply by Jane <jane@example.org>)`, for reports.
    pub fn describe(&self) -> String {
        let by = match &self.sender {
            Some(sender) => format!("from a reply by {sender}"),
            None => "from a reply".to_string(),
        };
        let to = if self.to_cover_letter {
            " to the cover letter"
        } else {
            ""
        };
        let id = self
            .message_id
            .as_ref()
            .map(|id| format!(", <{id}>"))
            .unwrap_or_default();
        format!(
            "{}: {} ({by}{to}{id})",
            self.trailer.key, self.trailer.value
        )
    }
}

/// Something a reader noticed while reading a patch, for reports and rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReaderNote {
    /// What kind of thing it is.
    pub kind: NoteKind,
    /// A sentence for people.
    pub message: String,
}

/// The kinds of [`ReaderNote`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteKind {
    /// The author came from an in-body `From:` line (git am semantics).
    InBodyAuthor,
    /// The list rewrote the sender (`"Jane via List" <list@…>`) and the real author was found.
    MungedAuthorResolved,
    /// The list rewrote the sender and the real address could not be found.
    MungedAuthorUnresolved,
    /// The message says it is a patch but carries no diff.
    NoDiff,
    /// No author could be read: no `From:` line, or one without an address.
    NoAuthor,
    /// The `Date:` value holds no date `git am` would read; the patch has no date.
    UnreadableDate,
    /// The `Date:` value names no time zone; it was read as UTC.
    DateWithoutZone,
    /// A trailer was taken from a reviewer's reply (see [`Patch::review`]).
    ReviewFromReply,
}

impl Patch {
    /// A patch with an id and origin and nothing else yet.
    pub fn new(id: impl Into<String>, origin: Origin) -> Self {
        Self {
            id: id.into(),
            origin,
            subject: String::new(),
            prefix: None,
            series: None,
            author: None,
            committer: None,
            date: None,
            message: String::new(),
            trailers: Vec::new(),
            files: Vec::new(),
            parents: Vec::new(),
            message_id: None,
            in_reply_to: None,
            references: Vec::new(),
            notes: Vec::new(),
            ai_note: None,
            branch: None,
            review: Vec::new(),
        }
    }

    /// The trailers whose key is `key` (case-insensitive).
    pub fn trailers_named<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Trailer> + 'a {
        self.trailers.iter().filter(move |t| t.is(key))
    }

    /// Whether this is a cover letter (`0/N`) rather than a change.
    pub fn is_cover_letter(&self) -> bool {
        self.series.as_ref().and_then(|s| s.index) == Some(0)
    }

    /// Sum of added lines over all text files.
    pub fn added(&self) -> u32 {
        self.files.iter().map(FileChange::added).sum()
    }

    /// Sum of removed lines over all text files.
    pub fn removed(&self) -> u32 {
        self.files.iter().map(FileChange::removed).sum()
    }
}

/// Patches sent or committed together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// A stable identity: the thread root's Message-ID for mail, the range for git input.
    pub id: String,
    /// The version (`v3` → 3; 1 when unversioned).
    pub version: u32,
    /// The number of patches announced, when the subjects say it.
    pub total: Option<u32>,
    /// The cover letter (`0/N`), if one was sent.
    pub cover: Option<Patch>,
    /// The patches in order.
    pub patches: Vec<Patch>,
}

impl Series {
    /// Positions announced by `total` that no patch of the series fills.
    pub fn missing(&self) -> Vec<u32> {
        let Some(total) = self.total else {
            return Vec::new();
        };
        (1..=total)
            .filter(|i| {
                !self
                    .patches
                    .iter()
                    .any(|p| p.series.as_ref().and_then(|s| s.index) == Some(*i))
            })
            .collect()
    }
}
