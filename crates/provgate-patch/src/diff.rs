//! A unified-diff reader that agrees with `git apply` on git's extended headers.
//!
//! No crate parses what git produces: renames and copies with similarity, mode-only changes,
//! `Binary files … differ`, `GIT binary patch`, C-quoted paths and `\ No newline at end of file`.
//! This one follows `apply.c`: a `diff --git` header is followed by extended header lines until
//! the first line that is not one; hunks are read by the counts in their `@@` headers (so a mail
//! signature `-- ` after the last hunk is never taken for a removed line); text that belongs to no
//! file (a diffstat, a signature) is skipped. Plain `---`/`+++` diffs without a git header are
//! read too, with the first path component stripped as `git apply -p1` does.

use crate::model::{FileChange, FileStatus, Hunk, LineKind};

/// Why a diff could not be read, with the line of the input where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct DiffError {
    /// 1-based line number in the input (offset by the caller's first line).
    pub line: usize,
    /// What is wrong.
    pub kind: DiffErrorKind,
}

/// The ways a diff can be malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffErrorKind {
    /// A `@@` line that is not `@@ -a[,b] +c[,d] @@`.
    #[error("malformed hunk header `{0}`")]
    BadHunkHeader(String),
    /// The input ended, or another line started, before the hunk had the lines its header counts.
    #[error(
        "hunk is shorter than its header says: {old} old and {new} new line(s) missing \
         (the hunk counts disagree with its lines, or the patch was truncated)"
    )]
    ShortHunk {
        /// Old-side lines still expected.
        old: u32,
        /// New-side lines still expected.
        new: u32,
    },
    /// A line that cannot be part of a hunk at this point.
    #[error("unexpected line inside a hunk: `{0}`")]
    BadHunkLine(String),
    /// A `diff --git` header whose file name cannot be worked out.
    #[error("cannot tell the file name from `{0}`")]
    BadGitHeader(String),
    /// A `GIT binary patch` block that is truncated or not base85.
    #[error("malformed or truncated `GIT binary patch` data")]
    BadBinaryPatch,
    /// A mode that is not an octal number.
    #[error("malformed file mode `{0}`")]
    BadMode(String),
    /// A C-quoted path that does not end or has a bad escape.
    #[error("malformed quoted path `{0}`")]
    BadQuotedPath(String),
}

/// Reads every file change of a diff. `first_line` is the line number of the input's first line
/// in the file it came from, so that errors point into that file.
pub fn parse_diff(input: &[u8], first_line: usize) -> Result<Vec<FileChange>, DiffError> {
    let lines: Vec<&[u8]> = split_lines(input).collect();
    parse_diff_lines(input, &lines, first_line)
}

/// [`parse_diff`] over `lines`, which are sub-slices (without their `\n`) of `input`.
pub(crate) fn parse_diff_lines(
    input: &[u8],
    lines: &[&[u8]],
    first_line: usize,
) -> Result<Vec<FileChange>, DiffError> {
    let mut parser = Parser {
        lines,
        pos: 0,
        first_line,
        input,
        // Validating the whole input once is far cheaper than validating each line.
        text: std::str::from_utf8(input).ok(),
        p_value: None,
    };
    let mut files = Vec::new();
    while parser.pos < lines.len() {
        let line = lines[parser.pos];
        if line.starts_with(b"diff --git ") {
            files.push(parser.git_file()?);
        } else if parser.at_traditional_diff() {
            files.push(parser.traditional_file()?);
        } else {
            parser.pos += 1;
        }
    }
    Ok(merge_type_changes(files))
}

/// Whether the input holds at least one file diff (a `diff --git` header, or a `---`/`+++`/`@@`
/// triple), i.e. whether [`parse_diff`] would find anything.
pub fn contains_diff(input: &[u8]) -> bool {
    let lines: Vec<&[u8]> = split_lines(input).collect();
    contains_diff_lines(&lines)
}

/// [`contains_diff`] over lines already split.
pub(crate) fn contains_diff_lines(lines: &[&[u8]]) -> bool {
    lines.iter().enumerate().any(|(i, line)| {
        line.starts_with(b"diff --git ")
            || (line.starts_with(b"--- ")
                && lines.get(i + 1).is_some_and(|l| l.starts_with(b"+++ "))
                && lines.get(i + 2).is_some_and(|l| l.starts_with(b"@@ -")))
    })
}

/// Splits on `\n`, without the terminator; a final line without one is still a line.
pub(crate) fn split_lines(input: &[u8]) -> Lines<'_> {
    Lines { rest: input }
}

/// The lines of a byte string; see [`split_lines`].
#[derive(Clone)]
pub(crate) struct Lines<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        let (line, rest) = match memchr::memchr(b'\n', self.rest) {
            Some(nl) => (&self.rest[..nl], &self.rest[nl + 1..]),
            None => (self.rest, &[][..]),
        };
        self.rest = rest;
        Some(line)
    }
}

struct Parser<'a, 'b> {
    lines: &'b [&'a [u8]],
    pos: usize,
    first_line: usize,
    input: &'a [u8],
    /// The input as text, when it is valid UTF-8.
    text: Option<&'a str>,
    /// The number of leading path components to strip from traditional diff names, once known.
    p_value: Option<usize>,
}

#[derive(Default)]
struct Header {
    old_name: Option<Option<String>>,
    new_name: Option<Option<String>>,
    rename_from: Option<String>,
    rename_to: Option<String>,
    copy_from: Option<String>,
    copy_to: Option<String>,
    old_mode: Option<u32>,
    new_mode: Option<u32>,
    deleted: bool,
    created: bool,
    similarity: Option<u8>,
}

impl<'a> Parser<'a, '_> {
    fn error(&self, at: usize, kind: DiffErrorKind) -> DiffError {
        DiffError {
            line: self.first_line + at,
            kind,
        }
    }

    fn at_traditional_diff(&self) -> bool {
        let i = self.pos;
        self.lines[i].starts_with(b"--- ")
            && self
                .lines
                .get(i + 1)
                .is_some_and(|l| l.starts_with(b"+++ "))
            && self
                .lines
                .get(i + 2)
                .is_some_and(|l| l.starts_with(b"@@ -"))
    }

    fn git_file(&mut self) -> Result<FileChange, DiffError> {
        let header_at = self.pos;
        let header_text = trim_cr(&self.lines[header_at][b"diff --git ".len()..]);
        let default_names = git_header_names(header_text);
        self.pos += 1;

        let mut h = Header::default();
        while let Some(&raw) = self.lines.get(self.pos) {
            let line = trim_cr(raw);
            let at = self.pos;
            if let Some(rest) = line.strip_prefix(b"--- ") {
                h.old_name = Some(self.patch_name(rest, at)?);
            } else if let Some(rest) = line.strip_prefix(b"+++ ") {
                h.new_name = Some(self.patch_name(rest, at)?);
            } else if let Some(rest) = line.strip_prefix(b"old mode ") {
                h.old_mode = Some(self.mode(rest, at)?);
            } else if let Some(rest) = line.strip_prefix(b"new mode ") {
                h.new_mode = Some(self.mode(rest, at)?);
            } else if let Some(rest) = line.strip_prefix(b"deleted file mode ") {
                h.deleted = true;
                h.old_mode = Some(self.mode(rest, at)?);
            } else if let Some(rest) = line.strip_prefix(b"new file mode ") {
                h.created = true;
                h.new_mode = Some(self.mode(rest, at)?);
            } else if let Some(rest) = line.strip_prefix(b"copy from ") {
                h.copy_from = Some(self.plain_name(rest, at)?);
            } else if let Some(rest) = line.strip_prefix(b"copy to ") {
                h.copy_to = Some(self.plain_name(rest, at)?);
            } else if let Some(rest) = line
                .strip_prefix(b"rename from ")
                .or_else(|| line.strip_prefix(b"rename old "))
            {
                h.rename_from = Some(self.plain_name(rest, at)?);
            } else if let Some(rest) = line
                .strip_prefix(b"rename to ")
                .or_else(|| line.strip_prefix(b"rename new "))
            {
                h.rename_to = Some(self.plain_name(rest, at)?);
            } else if let Some(rest) = line.strip_prefix(b"similarity index ") {
                h.similarity = parse_percent(rest);
            } else if line.starts_with(b"dissimilarity index ") {
                // A rewrite (`-B`): the content is a full replacement, the status stays modified.
            } else if let Some(rest) = line.strip_prefix(b"index ") {
                // `index abc..def 100644`: the mode is shared by both sides.
                if let Some(mode) = rest.splitn(2, |&b| b == b' ').nth(1) {
                    let mode = self.mode(mode, at)?;
                    h.old_mode.get_or_insert(mode);
                    h.new_mode.get_or_insert(mode);
                }
            } else {
                break;
            }
            self.pos += 1;
        }

        let mut change = FileChange {
            old_mode: h.old_mode,
            new_mode: h.new_mode,
            similarity: h.similarity,
            ..FileChange::default()
        };
        self.body(&mut change)?;

        let (default_old, default_new) = match default_names {
            Some((old, new)) => (Some(old), Some(new)),
            None => (None, None),
        };
        let old_path = h
            .rename_from
            .clone()
            .or_else(|| h.copy_from.clone())
            .or_else(|| h.old_name.clone().flatten())
            .or(default_old);
        let new_path = h
            .rename_to
            .clone()
            .or_else(|| h.copy_to.clone())
            .or_else(|| h.new_name.clone().flatten())
            .or(default_new);
        let created = h.created || matches!(h.old_name, Some(None));
        let deleted = h.deleted || matches!(h.new_name, Some(None));

        change.status = if created {
            FileStatus::Added
        } else if deleted {
            FileStatus::Deleted
        } else if h.rename_from.is_some() || h.rename_to.is_some() {
            FileStatus::Renamed
        } else if h.copy_from.is_some() || h.copy_to.is_some() {
            FileStatus::Copied
        } else if change.hunks.is_empty()
            && !change.binary
            && h.old_mode.is_some()
            && h.old_mode != h.new_mode
        {
            FileStatus::ModeOnly
        } else {
            FileStatus::Modified
        };
        match change.status {
            FileStatus::Added => change.new_path = new_path.or(old_path),
            FileStatus::Deleted => change.old_path = old_path.or(new_path),
            _ => {
                change.new_path = new_path.clone().or_else(|| old_path.clone());
                change.old_path = old_path.or(new_path);
            }
        }
        if change.new_path.is_none() && change.old_path.is_none() {
            return Err(self.error(
                header_at,
                DiffErrorKind::BadGitHeader(String::from_utf8_lossy(header_text).into_owned()),
            ));
        }
        Ok(change)
    }

    fn traditional_file(&mut self) -> Result<FileChange, DiffError> {
        let at = self.pos;
        let first = trim_cr(&self.lines[at][4..]);
        let second = trim_cr(&self.lines[at + 1][4..]);
        if self.p_value.is_none() {
            // As `git apply` without `-p`: a name without a slash means nothing to strip, and
            // the first traditional file settles it for the rest of the input.
            let p = guess_p_value(first);
            let q = guess_p_value(second);
            let p = p.or(q);
            if p.is_some() && p == q {
                self.p_value = p;
            }
        }
        let p = self.p_value.unwrap_or(1);
        let (old, new) = if is_dev_null(first) {
            (None, traditional_name(second, None, p))
        } else if is_dev_null(second) {
            (traditional_name(first, None, p), None)
        } else {
            let first_name = traditional_name(first, None, p);
            let name = traditional_name(second, first_name.as_deref(), p);
            // diff -N marks a created or deleted file with an epoch timestamp.
            if has_epoch_timestamp(first) {
                (None, name)
            } else if has_epoch_timestamp(second) {
                (name, None)
            } else {
                (name.clone(), name)
            }
        };
        if old.is_none() && new.is_none() {
            return Err(self.error(
                at,
                DiffErrorKind::BadGitHeader(String::from_utf8_lossy(first).into_owned()),
            ));
        }
        self.pos += 2;
        let mut change = FileChange::default();
        self.body(&mut change)?;
        change.status = match (&old, &new) {
            (None, _) => FileStatus::Added,
            (_, None) => FileStatus::Deleted,
            _ => FileStatus::Modified,
        };
        change.old_path = old.map(|n| lossy(&n));
        change.new_path = new.map(|n| lossy(&n));
        Ok(change)
    }

    /// Hunks, or a binary marker, after a file's header.
    fn body(&mut self, change: &mut FileChange) -> Result<(), DiffError> {
        let Some(&line) = self.lines.get(self.pos) else {
            return Ok(());
        };
        let line = trim_cr(line);
        if line.starts_with(b"@@ -") {
            while self
                .lines
                .get(self.pos)
                .is_some_and(|l| l.starts_with(b"@@ -"))
            {
                let hunk = self.hunk()?;
                change.hunks.push(hunk);
            }
        } else if line == b"GIT binary patch" {
            change.binary = true;
            self.pos += 1;
            self.binary_block()?;
            if self
                .lines
                .get(self.pos)
                .is_some_and(|l| l.starts_with(b"literal ") || l.starts_with(b"delta "))
            {
                self.binary_block()?;
            }
        } else if (line.starts_with(b"Binary files ") || line.starts_with(b"Files "))
            && line.ends_with(b" differ")
        {
            change.binary = true;
            self.pos += 1;
        }
        Ok(())
    }

    fn binary_block(&mut self) -> Result<(), DiffError> {
        let at = self.pos;
        let header = self.lines.get(at).map(|l| trim_cr(l));
        let valid_header = header.is_some_and(|l| {
            let rest = l
                .strip_prefix(b"literal ")
                .or_else(|| l.strip_prefix(b"delta "));
            rest.is_some_and(|n| !n.is_empty() && n.iter().all(u8::is_ascii_digit))
        });
        if !valid_header {
            return Err(self.error(at, DiffErrorKind::BadBinaryPatch));
        }
        self.pos += 1;
        loop {
            let Some(&line) = self.lines.get(self.pos) else {
                return Err(self.error(self.pos, DiffErrorKind::BadBinaryPatch));
            };
            let line = trim_cr(line);
            self.pos += 1;
            if line.is_empty() {
                return Ok(());
            }
            if !is_base85_line(line) {
                return Err(self.error(self.pos - 1, DiffErrorKind::BadBinaryPatch));
            }
        }
    }

    fn hunk(&mut self) -> Result<Hunk, DiffError> {
        let at = self.pos;
        let header = trim_cr(self.lines[at]);
        let mut hunk = parse_hunk_header(header).ok_or_else(|| {
            self.error(
                at,
                DiffErrorKind::BadHunkHeader(String::from_utf8_lossy(header).into_owned()),
            )
        })?;
        self.pos += 1;
        let (mut old_left, mut new_left) = (hunk.old_count, hunk.new_count);
        let (mut old_no, mut new_no) = (hunk.old_start, hunk.new_start);
        // A zero count means the start names the line *before* the (empty) range.
        if hunk.old_count == 0 {
            old_no += 1;
        }
        if hunk.new_count == 0 {
            new_no += 1;
        }
        let body_start = self.pos;
        while old_left > 0 || new_left > 0 {
            let short = DiffErrorKind::ShortHunk {
                old: old_left,
                new: new_left,
            };
            let Some(&line) = self.lines.get(self.pos) else {
                return Err(self.error(self.pos, short));
            };
            let (kind, text) = match line.first() {
                // An empty line is a context line whose single space was eaten, as by some
                // mailers; `git apply` accepts it.
                None | Some(b' ') if old_left > 0 && new_left > 0 => {
                    (LineKind::Context, line.get(1..).unwrap_or_default())
                }
                Some(b'-') if old_left > 0 => (LineKind::Removed, &line[1..]),
                Some(b'+') if new_left > 0 => (LineKind::Added, &line[1..]),
                Some(b'\\') => {
                    hunk.mark_last_no_newline();
                    self.pos += 1;
                    continue;
                }
                Some(b' ' | b'-' | b'+') | None => {
                    return Err(self.error(
                        self.pos,
                        DiffErrorKind::BadHunkLine(String::from_utf8_lossy(line).into_owned()),
                    ));
                }
                _ => return Err(self.error(self.pos, short)),
            };
            if self.pos == body_start {
                // The hunk's lines are contiguous in the input: reserve their text at once.
                let end = self.pos + (old_left + new_left) as usize;
                let bytes = self.lines[self.pos..end.min(self.lines.len())]
                    .iter()
                    .map(|l| l.len())
                    .sum();
                hunk.reserve_text(bytes);
            }
            let (old_line, new_line) = match kind {
                LineKind::Context => {
                    old_left -= 1;
                    new_left -= 1;
                    old_no += 1;
                    new_no += 1;
                    (old_no - 1, new_no - 1)
                }
                LineKind::Removed => {
                    old_left -= 1;
                    old_no += 1;
                    (old_no - 1, 0)
                }
                LineKind::Added => {
                    new_left -= 1;
                    new_no += 1;
                    (0, new_no - 1)
                }
            };
            hunk.push_line(kind, old_line, new_line, &self.line_text(text), false);
            self.pos += 1;
        }
        if self
            .lines
            .get(self.pos)
            .is_some_and(|l| l.starts_with(b"\\"))
        {
            hunk.mark_last_no_newline();
            self.pos += 1;
        }
        Ok(hunk)
    }

    /// A `---`/`+++` name: `/dev/null` is no file; otherwise the first component is stripped.
    fn patch_name(&self, raw: &[u8], at: usize) -> Result<Option<String>, DiffError> {
        let name = if raw.first() == Some(&b'"') {
            let (bytes, _) = unquote_c(raw).ok_or_else(|| self.bad_quote(raw, at))?;
            bytes
        } else {
            // Git ends a name at a TAB (it adds one after names with spaces, and other diff
            // programs put a timestamp there).
            let end = memchr::memchr(b'\t', raw).unwrap_or(raw.len());
            raw[..end].to_vec()
        };
        if name == b"/dev/null" {
            return Ok(None);
        }
        Ok(Some(lossy(strip_component(&name))))
    }

    /// A name from `rename from`/`copy to`-style lines: full path, possibly quoted.
    fn plain_name(&self, raw: &[u8], at: usize) -> Result<String, DiffError> {
        if raw.first() == Some(&b'"') {
            let (bytes, _) = unquote_c(raw).ok_or_else(|| self.bad_quote(raw, at))?;
            Ok(lossy(&bytes))
        } else {
            Ok(lossy(raw))
        }
    }

    /// The text of a line's bytes: a slice of the validated input when it is valid UTF-8, else
    /// decoded lossily.
    fn line_text(&self, bytes: &'a [u8]) -> std::borrow::Cow<'a, str> {
        let offset = (bytes.as_ptr() as usize).wrapping_sub(self.input.as_ptr() as usize);
        match self.text.and_then(|t| t.get(offset..offset + bytes.len())) {
            Some(text) => std::borrow::Cow::Borrowed(text),
            None => String::from_utf8_lossy(bytes),
        }
    }

    fn bad_quote(&self, raw: &[u8], at: usize) -> DiffError {
        self.error(at, DiffErrorKind::BadQuotedPath(lossy(raw)))
    }

    fn mode(&self, raw: &[u8], at: usize) -> Result<u32, DiffError> {
        let text = std::str::from_utf8(raw).unwrap_or("").trim();
        u32::from_str_radix(text, 8)
            .ok()
            .filter(|_| !text.is_empty())
            .ok_or_else(|| self.error(at, DiffErrorKind::BadMode(lossy(raw))))
    }
}

/// `/dev/null` as a traditional diff name, with or without a timestamp after it.
fn is_dev_null(name: &[u8]) -> bool {
    name.strip_prefix(b"/dev/null")
        .is_some_and(|rest| rest.first().is_none_or(|c| c.is_ascii_whitespace()))
}

/// How many components `git apply` strips from the names of a traditional diff, judged from one
/// name: none when it has no slash; `None` for `/dev/null`.
fn guess_p_value(raw: &[u8]) -> Option<usize> {
    if is_dev_null(raw) {
        return None;
    }
    let name = traditional_name(raw, None, 0)?;
    Some(usize::from(name.contains(&b'/')))
}

/// The name on a `---`/`+++` line of a traditional diff, as `git apply` reads it: when the line
/// ends in a timestamp (`2010-07-05 19:41:17[.fraction] [±zone]`) after a tab or, damaged by a
/// mailer, after spaces, the name is everything before it, tabs included; otherwise it ends at
/// the first tab. Then `p` leading components are stripped, repeated slashes are squashed, and
/// the old name `def` is preferred when this one only adds to its end (`file.orig`). A quoted
/// name that does not close is read as unquoted text, as git does; `None` when no name is left.
fn traditional_name(raw: &[u8], def: Option<&[u8]>, p: usize) -> Option<Vec<u8>> {
    if raw.first() == Some(&b'"')
        && let Some((bytes, _)) = unquote_c(raw)
    {
        return strip_components(&bytes, p)
            .map(squash_slashes)
            .or(def.map(<[u8]>::to_vec));
    }
    let stamp = timestamp_len(raw);
    let name = if stamp > 0 {
        &raw[..raw.len() - stamp]
    } else {
        let end = raw
            .iter()
            .position(|&c| c == b'\t' || c == b'\n' || c == b'\r')
            .unwrap_or(raw.len());
        &raw[..end]
    };
    let Some(stripped) = strip_components(name, p).filter(|n| !n.is_empty()) else {
        return def.map(<[u8]>::to_vec);
    };
    if let Some(def) = def
        && def.len() < stripped.len()
        && stripped.starts_with(def)
    {
        return Some(squash_slashes(def));
    }
    Some(squash_slashes(stripped))
}

/// `name` without its first `p` slash-separated components; `None` when it has fewer.
fn strip_components(name: &[u8], p: usize) -> Option<&[u8]> {
    let mut rest = name;
    for _ in 0..p {
        let slash = memchr::memchr(b'/', rest)?;
        rest = &rest[slash + 1..];
    }
    Some(rest)
}

fn squash_slashes(name: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len());
    for &c in name {
        if !(c == b'/' && out.last() == Some(&b'/')) {
            out.push(c);
        }
    }
    out
}

/// The length of the timestamp (and the white space before it) that ends a traditional diff
/// name line, 0 when there is none.
fn timestamp_len(line: &[u8]) -> usize {
    if !line.last().is_some_and(u8::is_ascii_digit) {
        return 0;
    }
    let mut end = line.len();
    end -= zone_len(&line[..end]);
    let time = time_len(&line[..end]);
    end -= time;
    let date = date_len(&line[..end]);
    if date == 0 {
        return 0;
    }
    end -= date;
    match end.checked_sub(1).map(|i| line[i]) {
        Some(b'\t') => line.len() - (end - 1),
        Some(b' ') => {
            let spaces = line[..end].iter().rev().take_while(|&&c| c == b' ').count();
            line.len() - (end - spaces)
        }
        _ => 0,
    }
}

/// ` +0500` or ` +05:00` at the end of `s`.
fn zone_len(s: &[u8]) -> usize {
    let n = s.len();
    if n >= 6
        && s[n - 6] == b' '
        && matches!(s[n - 5], b'+' | b'-')
        && s[n - 4..].iter().all(u8::is_ascii_digit)
    {
        return 6;
    }
    if n >= 7
        && s[n - 7] == b' '
        && matches!(s[n - 6], b'+' | b'-')
        && is_digits(&s[n - 5..n - 3])
        && s[n - 3] == b':'
        && is_digits(&s[n - 2..])
    {
        return 7;
    }
    0
}

/// ` 19:41:17` or ` 19:41:17.620000023` at the end of `s`.
fn time_len(s: &[u8]) -> usize {
    let short = |s: &[u8]| {
        let n = s.len();
        (n >= 9
            && s[n - 9] == b' '
            && is_digits(&s[n - 8..n - 6])
            && s[n - 6] == b':'
            && is_digits(&s[n - 5..n - 3])
            && s[n - 3] == b':'
            && is_digits(&s[n - 2..]))
        .then_some(9)
    };
    if let Some(n) = short(s) {
        return n;
    }
    let fraction = s.iter().rev().take_while(|c| c.is_ascii_digit()).count();
    if fraction == 0 || fraction == s.len() || s[s.len() - fraction - 1] != b'.' {
        return 0;
    }
    let whole = &s[..s.len() - fraction - 1];
    short(whole).map_or(0, |n| n + fraction + 1)
}

/// `72-02-05` or `1972-02-05` at the end of `s`.
fn date_len(s: &[u8]) -> usize {
    let n = s.len();
    if n < 8
        || !is_digits(&s[n - 8..n - 6])
        || s[n - 6] != b'-'
        || !is_digits(&s[n - 5..n - 3])
        || s[n - 3] != b'-'
        || !is_digits(&s[n - 2..])
    {
        return 0;
    }
    if n >= 10 && is_digits(&s[n - 10..n - 8]) {
        10
    } else {
        8
    }
}

fn is_digits(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(u8::is_ascii_digit)
}

/// Whether the timestamp on a traditional name line is the epoch, `diff -N`'s mark for a file
/// that does not exist on that side.
fn has_epoch_timestamp(raw: &[u8]) -> bool {
    let stamp = timestamp_len(raw);
    if stamp == 0 {
        return false;
    }
    let text = String::from_utf8_lossy(&raw[raw.len() - stamp..]);
    crate::date::parse_mail_date(text.trim()).is_some_and(|d| d.date.seconds == 0)
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn parse_percent(raw: &[u8]) -> Option<u8> {
    let digits = raw.strip_suffix(b"%").unwrap_or(raw);
    std::str::from_utf8(digits).ok()?.trim().parse().ok()
}

/// Strips the first path component, as `git apply -p1` does (`a/dir/f` → `dir/f`).
fn strip_component(name: &[u8]) -> &[u8] {
    match memchr::memchr(b'/', name) {
        Some(slash) => &name[slash + 1..],
        None => name,
    }
}

/// Parses `@@ -a[,b] +c[,d] @@[ section]`.
fn parse_hunk_header(line: &[u8]) -> Option<Hunk> {
    let rest = line.strip_prefix(b"@@ -")?;
    let (old_start, old_count, rest) = parse_range(rest)?;
    let rest = rest.strip_prefix(b" +")?;
    let (new_start, new_count, rest) = parse_range(rest)?;
    let rest = rest.strip_prefix(b" @@")?;
    let section = rest.strip_prefix(b" ").unwrap_or(rest);
    Some(Hunk::new(
        old_start,
        old_count,
        new_start,
        new_count,
        lossy(section),
    ))
}

fn parse_range(input: &[u8]) -> Option<(u32, u32, &[u8])> {
    let (start, rest) = parse_number(input)?;
    match rest.strip_prefix(b",") {
        Some(rest) => {
            let (count, rest) = parse_number(rest)?;
            Some((start, count, rest))
        }
        None => Some((start, 1, rest)),
    }
}

fn parse_number(input: &[u8]) -> Option<(u32, &[u8])> {
    let len = input.iter().take_while(|b| b.is_ascii_digit()).count();
    if len == 0 {
        return None;
    }
    let value = std::str::from_utf8(&input[..len]).ok()?.parse().ok()?;
    Some((value, &input[len..]))
}

/// A base85 data line of a `GIT binary patch`: a length letter and 5 characters per 4 bytes.
fn is_base85_line(line: &[u8]) -> bool {
    let len = match line.first() {
        Some(c @ b'A'..=b'Z') => (c - b'A' + 1) as usize,
        Some(c @ b'a'..=b'z') => (c - b'a' + 27) as usize,
        _ => return false,
    };
    line.len() - 1 == len.div_ceil(4) * 5
        && line[1..]
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || b"!#$%&()*+-;<=>?@^_`{|}~".contains(&c))
}

/// Undoes git's C-style quoting of a path (`"a/t\303\251st\tx"`). `input` starts at the opening
/// quote; returns the bytes and the number of input bytes consumed, closing quote included.
pub fn unquote_c(input: &[u8]) -> Option<(Vec<u8>, usize)> {
    if input.first() != Some(&b'"') {
        return None;
    }
    let mut out = Vec::with_capacity(input.len());
    let mut i = 1;
    while i < input.len() {
        match input[i] {
            b'"' => return Some((out, i + 1)),
            b'\\' => {
                let escaped = *input.get(i + 1)?;
                i += 2;
                out.push(match escaped {
                    b'a' => 0x07,
                    b'b' => 0x08,
                    b't' => b'\t',
                    b'n' => b'\n',
                    b'v' => 0x0b,
                    b'f' => 0x0c,
                    b'r' => b'\r',
                    b'"' => b'"',
                    b'\\' => b'\\',
                    b'0'..=b'3' => {
                        let digits = input.get(i..i + 2)?;
                        if !digits.iter().all(|d| (b'0'..=b'7').contains(d)) {
                            return None;
                        }
                        i += 2;
                        ((escaped - b'0') << 6) | ((digits[0] - b'0') << 3) | (digits[1] - b'0')
                    }
                    _ => return None,
                });
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    None
}

/// The two names of a `diff --git A B` header, prefixes stripped, when they can be told apart.
///
/// Quoted names are unambiguous. Two unquoted names are split as `git apply` does: only where
/// both halves name the same path (the header of a rename is ambiguous, but a rename also has
/// `rename from`/`rename to` lines, which win).
fn git_header_names(header: &[u8]) -> Option<(String, String)> {
    if header.first() == Some(&b'"') {
        let (first, used) = unquote_c(header)?;
        let rest = header.get(used..)?.strip_prefix(b" ")?;
        let second = if rest.first() == Some(&b'"') {
            unquote_c(rest)?.0
        } else {
            rest.to_vec()
        };
        return Some((
            lossy(strip_component(&first)),
            lossy(strip_component(&second)),
        ));
    }
    if let Some(quote) = memchr::memmem::find(header, b" \"") {
        let (second, _) = unquote_c(&header[quote + 1..])?;
        return Some((
            lossy(strip_component(&header[..quote])),
            lossy(strip_component(&second)),
        ));
    }
    let name = strip_component(header);
    for (len, &byte) in name.iter().enumerate() {
        if byte == b' ' || byte == b'\t' {
            let second = strip_component(&name[len + 1..]);
            if second == &name[..len] {
                let path = lossy(second);
                return Some((path.clone(), path));
            }
        }
    }
    None
}

/// A symlink that became a file (or the reverse) is shown by git as a deletion followed by a
/// creation of the same path; `git log --numstat` counts it as one change, and so do we.
fn merge_type_changes(files: Vec<FileChange>) -> Vec<FileChange> {
    let mut out: Vec<FileChange> = Vec::with_capacity(files.len());
    for file in files {
        if let Some(prev) = out.last_mut()
            && prev.status == FileStatus::Deleted
            && file.status == FileStatus::Added
            && prev.old_path == file.new_path
            && mode_kind(prev.old_mode) != mode_kind(file.new_mode)
        {
            prev.status = FileStatus::TypeChanged;
            prev.new_path = file.new_path;
            prev.new_mode = file.new_mode;
            prev.binary |= file.binary;
            prev.hunks.extend(file.hunks);
            continue;
        }
        out.push(file);
    }
    out
}

fn mode_kind(mode: Option<u32>) -> Option<u32> {
    mode.map(|m| m & 0o170000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<FileChange> {
        parse_diff(text.as_bytes(), 1).expect("diff parses")
    }

    #[test]
    fn modified_file_with_line_numbers() {
        let files = parse(
            "diff --git a/src/x.c b/src/x.c\nindex 111..222 100644\n--- a/src/x.c\n+++ b/src/x.c\n\
             @@ -1,3 +1,4 @@ int main(void)\n a\n-b\n+B\n+C\n c\n",
        );
        assert_eq!(files.len(), 1);
        let f = &files[0];
        assert_eq!(f.path(), "src/x.c");
        assert_eq!(f.status, FileStatus::Modified);
        assert_eq!((f.added(), f.removed()), (2, 1));
        assert_eq!(f.hunks[0].section, "int main(void)");
        let added: Vec<u32> = f.added_lines().map(|l| l.new_line).collect();
        assert_eq!(added, vec![2, 3]);
        assert_eq!(f.old_mode, Some(0o100644));
    }

    #[test]
    fn rename_copy_mode_and_binary() {
        let files = parse(concat!(
            "diff --git a/old name.c b/new name.c\nsimilarity index 90%\n",
            "rename from old name.c\nrename to new name.c\nindex 1..2 100644\n",
            "--- a/old name.c\t\n+++ b/new name.c\t\n@@ -1 +1 @@\n-x\n+y\n",
            "diff --git a/s.sh b/s.sh\nold mode 100644\nnew mode 100755\n",
            "diff --git a/a.c b/b.c\nsimilarity index 100%\ncopy from a.c\ncopy to b.c\n",
            "diff --git a/img.png b/img.png\nindex 1..2 100644\nBinary files a/img.png and b/img.png differ\n",
        ));
        assert_eq!(files.len(), 4);
        assert_eq!(files[0].status, FileStatus::Renamed);
        assert_eq!(files[0].source_path(), Some("old name.c"));
        assert_eq!(files[0].path(), "new name.c");
        assert_eq!(files[0].similarity, Some(90));
        assert_eq!(files[1].status, FileStatus::ModeOnly);
        assert_eq!(files[1].new_mode, Some(0o100755));
        assert_eq!(files[2].status, FileStatus::Copied);
        assert_eq!(files[2].source_path(), Some("a.c"));
        assert!(files[3].binary);
        assert_eq!(files[3].path(), "img.png");
    }

    #[test]
    fn git_binary_patch_with_two_blocks() {
        let files = parse(concat!(
            "diff --git a/bin b/bin\nnew file mode 100644\nindex 0000000..1111111\n",
            "GIT binary patch\nliteral 10\nRcmc~u&(BLK%1z730000%3IG5A\n\nliteral 0\nHcmV?d00001\n\n",
            "diff --git a/t b/t\n--- a/t\n+++ b/t\n@@ -1 +1 @@\n-a\n+b\n",
        ));
        assert_eq!(files.len(), 2);
        assert!(files[0].binary);
        assert_eq!(files[0].status, FileStatus::Added);
        assert_eq!(files[1].added(), 1);
    }

    #[test]
    fn quoted_paths_and_dev_null() {
        let files = parse(concat!(
            "diff --git \"a/t\\303\\251st\\tx\" \"b/t\\303\\251st\\tx\"\nnew file mode 100644\n",
            "index 0000000..1111111\n--- /dev/null\n+++ \"b/t\\303\\251st\\tx\"\n@@ -0,0 +1 @@\n+hi\n",
            "diff --git a/gone b/gone\ndeleted file mode 100644\nindex 1..0\n--- a/gone\n+++ /dev/null\n",
            "@@ -1,2 +0,0 @@\n-a\n-b\n",
        ));
        assert_eq!(files[0].path(), "tést\tx");
        assert_eq!(files[0].status, FileStatus::Added);
        assert_eq!(files[0].old_path, None);
        assert_eq!(files[0].hunks[0].line(0).unwrap().new_line, 1);
        assert_eq!(files[1].status, FileStatus::Deleted);
        assert_eq!(files[1].path(), "gone");
        assert_eq!(files[1].new_path, None);
        assert_eq!(files[1].removed(), 2);
    }

    #[test]
    fn no_newline_marker_and_signature() {
        let files = parse(concat!(
            "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n",
            "+a\n\\ No newline at end of file\n-- \n2.47.3\n",
        ));
        assert_eq!((files[0].added(), files[0].removed()), (1, 1));
        assert!(files[0].hunks[0].lines().all(|l| l.no_newline));
    }

    #[test]
    fn short_hunk_is_an_error_with_its_line() {
        let err = parse_diff(
            b"diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n",
            10,
        )
        .unwrap_err();
        assert_eq!(err.line, 16);
        assert_eq!(err.kind, DiffErrorKind::ShortHunk { old: 1, new: 2 });
    }

    #[test]
    fn traditional_diff_strips_one_component() {
        let files =
            parse("--- a/x/y.c\t2026-01-01\n+++ b/x/y.c\t2026-01-02\n@@ -1 +1,2 @@\n x\n+y\n");
        assert_eq!(files[0].path(), "x/y.c");
        assert_eq!(files[0].added(), 1);
    }

    #[test]
    fn type_change_is_one_change() {
        let files = parse(concat!(
            "diff --git a/l b/l\ndeleted file mode 120000\nindex 1..0\n--- a/l\n+++ /dev/null\n",
            "@@ -1 +0,0 @@\n-target\n\\ No newline at end of file\n",
            "diff --git a/l b/l\nnew file mode 100644\nindex 0..2\n--- /dev/null\n+++ b/l\n",
            "@@ -0,0 +1 @@\n+text\n",
        ));
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].status, FileStatus::TypeChanged);
        assert_eq!((files[0].added(), files[0].removed()), (1, 1));
    }

    #[test]
    fn unquote_rejects_bad_escapes() {
        assert!(unquote_c(b"\"abc").is_none());
        assert!(unquote_c(b"\"a\\q\"").is_none());
        assert_eq!(unquote_c(b"\"a\\\"b\" rest"), Some((b"a\"b".to_vec(), 6)));
    }
}
