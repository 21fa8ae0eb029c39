//! Rebuilding a file's new content from its old content and a patch's hunks, as `git apply`
//! would without fuzz: every context and removed line must match the old file where the hunk says.

use crate::{FileChange, LineKind};

/// Why hunks do not apply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// A context or removed line differs from the old file.
    #[error("hunk line {new_or_old} does not match the file (expected `{expected}`)")]
    Mismatch {
        /// The old-file line number.
        new_or_old: u32,
        /// The line the hunk expects.
        expected: String,
    },
    /// Hunks overlap or go backwards.
    #[error("hunks overlap or are out of order")]
    Order,
    /// A hunk refers to lines past the end of the file.
    #[error("hunk goes past the end of the file")]
    PastEnd,
}

/// The lines of `text` without their terminators (`\n`, or `\r\n` read as one).
pub fn split_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    if text.ends_with('\n') || text.is_empty() {
        lines.pop();
    }
    lines
}

/// Applies `file`'s hunks to `old` (the file's content before the change; empty for an added
/// file). The result ends with a newline unless the patch says the last line has none.
pub fn apply(old: &str, file: &FileChange) -> Result<String, ApplyError> {
    let old_lines = split_lines(old);
    let mut out: Vec<&str> = Vec::with_capacity(old_lines.len() + 16);
    let mut next_old = 1u32; // next old line to copy
    let mut no_newline = !old.is_empty() && !old.ends_with('\n');
    for hunk in &file.hunks {
        // `@@ -a,0 …` inserts after old line a; otherwise the hunk starts at old line a.
        let start = if hunk.old_count == 0 {
            hunk.old_start + 1
        } else {
            hunk.old_start.max(1)
        };
        if start < next_old {
            return Err(ApplyError::Order);
        }
        while next_old < start {
            out.push(
                old_lines
                    .get(next_old as usize - 1)
                    .ok_or(ApplyError::PastEnd)?,
            );
            next_old += 1;
        }
        for line in hunk.lines() {
            match line.kind {
                LineKind::Context | LineKind::Removed => {
                    let have = old_lines
                        .get(next_old as usize - 1)
                        .ok_or(ApplyError::PastEnd)?;
                    if have.trim_end_matches('\r') != line.text.trim_end_matches('\r') {
                        return Err(ApplyError::Mismatch {
                            new_or_old: next_old,
                            expected: line.text.to_string(),
                        });
                    }
                    if line.kind == LineKind::Context {
                        out.push(have);
                        no_newline = line.no_newline;
                    } else if line.no_newline {
                        no_newline = false;
                    }
                    next_old += 1;
                }
                LineKind::Added => {
                    out.push(line.text);
                    no_newline = line.no_newline;
                }
            }
        }
    }
    let rest = old_lines.len() as u32 + 1;
    if next_old < rest {
        no_newline = !old.is_empty() && !old.ends_with('\n');
    }
    while next_old < rest {
        out.push(old_lines[next_old as usize - 1]);
        next_old += 1;
    }
    let mut text = out.join("\n");
    if !out.is_empty() && !no_newline {
        text.push('\n');
    }
    Ok(text)
}

/// A stand-in for a file whose base is not available: every line empty except the context and
/// added lines of the hunks, at their new-file line numbers (so that line numbers hold).
pub fn hunks_only(file: &FileChange) -> String {
    let mut lines: Vec<&str> = Vec::new();
    for hunk in &file.hunks {
        for line in hunk.lines() {
            if line.kind == LineKind::Removed || line.new_line == 0 {
                continue;
            }
            let i = line.new_line as usize - 1;
            if lines.len() <= i {
                lines.resize(i + 1, "");
            }
            lines[i] = line.text;
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::parse_diff;
    use proptest::prelude::*;

    fn file_of(diff: &str) -> FileChange {
        parse_diff(diff.as_bytes(), 1)
            .unwrap()
            .into_iter()
            .next()
            .unwrap()
    }

    #[test]
    fn applies_modification_insertion_and_new_file() {
        let old = "a\nb\nc\nd\n";
        let f = file_of("--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n@@ -4,0 +5,1 @@\n+e\n");
        assert_eq!(apply(old, &f).unwrap(), "a\nB\nc\nd\ne\n");
        let f = file_of("--- /dev/null\n+++ b/x\n@@ -0,0 +1,2 @@\n+x\n+y\n");
        assert_eq!(apply("", &f).unwrap(), "x\ny\n");
        let bad = file_of("--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-z\n+B\n");
        assert!(matches!(apply(old, &bad), Err(ApplyError::Mismatch { .. })));
    }

    #[test]
    fn no_newline_at_end() {
        let f = file_of(
            "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n",
        );
        assert_eq!(apply("a", &f).unwrap(), "b");
    }

    fn diff_of(old: &[String], new: &[String]) -> String {
        // A whole-file replacement hunk, which git could also produce.
        let mut d = format!(
            "--- a/x\n+++ b/x\n@@ -{},{} +{},{} @@\n",
            if old.is_empty() { 0 } else { 1 },
            old.len(),
            if new.is_empty() { 0 } else { 1 },
            new.len()
        );
        for l in old {
            d.push_str(&format!("-{l}\n"));
        }
        for l in new {
            d.push_str(&format!("+{l}\n"));
        }
        d
    }

    proptest! {
        #[test]
        fn whole_file_replacement_gives_the_new_file(
            old in proptest::collection::vec("[a-z ]{0,6}", 1..8),
            new in proptest::collection::vec("[a-z ]{0,6}", 1..8),
        ) {
            let f = file_of(&diff_of(&old, &new));
            let old_text: String = old.iter().map(|l| format!("{l}\n")).collect();
            let new_text: String = new.iter().map(|l| format!("{l}\n")).collect();
            prop_assert_eq!(apply(&old_text, &f).unwrap(), new_text);
        }

        #[test]
        fn never_panics(old in "[a-c\n]{0,40}", diff in "[-+ @,0-9a-c\n]{0,80}") {
            if let Ok(files) = parse_diff(format!("--- a/x\n+++ b/x\n{diff}").as_bytes(), 1) {
                for f in files {
                    let _ = apply(&old, &f);
                    let _ = hunks_only(&f);
                }
            }
        }
    }
}
