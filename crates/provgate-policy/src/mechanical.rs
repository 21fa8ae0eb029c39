//! Mechanical changes read from the diff's text: a patch whose every changed line pair differs
//! by the same identifier substitution (a rename).
//!
//! This reading needs no parser, so the check makes it with and without code analysis (and
//! `scan` makes it too): a rename is the same rename whether or not the code was read.

use provgate_patch::{FileStatus, LineKind, Patch};

use crate::code::Mechanical;

/// One token of [`tokens`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// `[A-Za-z_][A-Za-z0-9_]*` (and any non-ASCII letter run).
    Identifier,
    /// A number (`0x1f`, `1.5e3`, `10u32`).
    Number,
    /// A string or character literal, quotes and escapes included.
    Literal,
    /// Any other character.
    Punct,
}

/// The tokens of a line, language-independently: identifiers, numbers, quoted literals and
/// single punctuation characters; white space separates and is dropped.
pub fn tokens(line: &str) -> Vec<(TokenKind, &str)> {
    let mut out = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let kind = if c.is_alphabetic() || c == '_' {
            while chars
                .peek()
                .is_some_and(|(_, d)| d.is_alphanumeric() || *d == '_')
            {
                chars.next();
            }
            TokenKind::Identifier
        } else if c.is_ascii_digit() {
            while chars
                .peek()
                .is_some_and(|(_, d)| d.is_ascii_alphanumeric() || *d == '_' || *d == '.')
            {
                chars.next();
            }
            TokenKind::Number
        } else if c == '"' || c == '\'' {
            while let Some((_, d)) = chars.next() {
                if d == '\\' {
                    chars.next();
                } else if d == c {
                    break;
                }
            }
            TokenKind::Literal
        } else {
            TokenKind::Punct
        };
        let end = chars.peek().map_or(line.len(), |(i, _)| *i);
        out.push((kind, &line[start..end]));
    }
    out
}

/// The substitution that turns `old` into `new`, if they differ only by replacing one
/// identifier by another (every differing token position the same pair).
pub fn substitution<'a>(old: &'a str, new: &'a str) -> Option<(&'a str, &'a str)> {
    let (a, b) = (tokens(old), tokens(new));
    if a.len() != b.len() {
        return None;
    }
    let mut sub: Option<(&str, &str)> = None;
    for ((ka, ta), (kb, tb)) in a.iter().zip(&b) {
        if ta == tb {
            continue;
        }
        if *ka != TokenKind::Identifier || *kb != TokenKind::Identifier {
            return None;
        }
        match sub {
            None => sub = Some((ta, tb)),
            Some(s) if s == (*ta, *tb) => {}
            Some(_) => return None,
        }
    }
    sub
}

/// Whether `patch` is mechanical: every run of changed lines pairs removed and added lines one
/// for one, every pair differs by the same identifier substitution, at least two pairs in all, and
/// no file is added, deleted or binary.
pub fn mechanical(patch: &Patch) -> Option<Mechanical> {
    let mut sub: Option<(String, String)> = None;
    let mut pairs = 0u32;
    for file in &patch.files {
        match file.status {
            FileStatus::Added | FileStatus::Deleted | FileStatus::TypeChanged => return None,
            _ => {}
        }
        if file.binary {
            return None;
        }
        for hunk in &file.hunks {
            let (mut removed, mut added): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
            let lines: Vec<_> = hunk.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                match line.kind {
                    LineKind::Removed => removed.push(line.text),
                    LineKind::Added => added.push(line.text),
                    LineKind::Context => {}
                }
                let run_ends = lines.get(i + 1).is_none_or(|n| n.kind == LineKind::Context);
                if run_ends && !(removed.is_empty() && added.is_empty()) {
                    if removed.len() != added.len() {
                        return None;
                    }
                    for (o, n) in removed.iter().zip(&added) {
                        let (from, to) = substitution(o, n)?;
                        match &sub {
                            None => sub = Some((from.to_string(), to.to_string())),
                            Some((f, t)) if f == from && t == to => {}
                            Some(_) => return None,
                        }
                        pairs += 1;
                    }
                    removed.clear();
                    added.clear();
                }
            }
        }
    }
    let (from, to) = sub?;
    (pairs >= 2).then_some(Mechanical { from, to, pairs })
}

/// Words in a disclosure's explanation that declare a mechanical change
/// (`AI-used-for: code (refactoring)`), matched as whole words or word starts, case-insensitively.
pub const MECHANICAL_WORDS: &[&str] = &["mechanical", "refactor", "rename", "coccinelle", "spatch"];

/// Whether the explanation of a disclosure declares a mechanical change (see
/// [`MECHANICAL_WORDS`]). provgate cannot verify such a declaration unless the change is a rename
/// it reads itself, so it is a matter for the reviewer, not a verdict.
pub fn declared_mechanical(explanation: &str) -> bool {
    explanation
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .any(|w| {
            let w = w.to_lowercase();
            MECHANICAL_WORDS.iter().any(|m| w.starts_with(m))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_mechanical_words() {
        for yes in [
            "refactoring",
            "Rename foo to bar",
            "coccinelle script",
            "mechanical",
        ] {
            assert!(declared_mechanical(yes), "{yes}");
        }
        for no in ["prototype", "bug fix", "unrenamed", ""] {
            assert!(!declared_mechanical(no), "{no}");
        }
    }
}
