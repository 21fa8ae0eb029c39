//! Errors in policy files, presets and rule names, each located in the text that caused it.
//!
//! Like cargo-deny, provgate reports a bad setting at its line and column in the policy file's own
//! text, quotes the offending text and says what to do about it. Positions are 1-based; a column
//! counts characters, not bytes, so that it matches what an editor shows.

use std::fmt;
use std::ops::Range;

/// A policy that could not be loaded or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PolicyError {
    /// Where the text came from: a file name as the user gave it, or `preset NAME`.
    pub origin: String,
    /// 1-based line of the offending text; 0 when the error has no place (e.g. an unreadable file).
    pub line: usize,
    /// 1-based column (in characters) of the offending text; 0 when the error has no place.
    pub column: usize,
    /// The offending text itself (a value, a key or a line), possibly shortened.
    pub snippet: String,
    /// What is wrong.
    pub kind: PolicyErrorKind,
    /// What the user can do about it.
    pub hint: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.origin, self.line, self.column, self.kind
            )?;
        } else {
            write!(f, "{}: {}", self.origin, self.kind)?;
        }
        if !self.snippet.is_empty() {
            write!(f, " (at `{}`)", self.snippet)?;
        }
        if !self.hint.is_empty() {
            write!(f, "; hint: {}", self.hint)?;
        }
        Ok(())
    }
}

/// The ways a policy can be wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyErrorKind {
    /// The file could not be read.
    #[error("cannot read policy file: {0}")]
    Io(String),
    /// The text is not valid TOML, or a value has the wrong type or an unknown key.
    #[error("{0}")]
    Syntax(String),
    /// `extends` names a preset that does not exist.
    #[error("unknown preset `{0}`")]
    UnknownPreset(String),
    /// Presets extend each other in a loop, or too deeply.
    #[error("preset chain too deep or circular at `{0}`")]
    PresetCycle(String),
    /// A rule name that no rule has.
    #[error("unknown rule `{0}`")]
    UnknownRule(String),
    /// A glob that does not compile: the glob as written and the compiler's complaint.
    #[error("invalid glob {0}")]
    BadGlob(String),
    /// A regular expression that does not compile.
    #[error("invalid regular expression: {0}")]
    BadRegex(String),
    /// A date that is not `YYYY-MM-DD`.
    #[error("invalid date `{0}`: expected YYYY-MM-DD")]
    BadDate(String),
    /// A value outside what the setting accepts.
    #[error("{0}")]
    BadValue(String),
    /// Two settings that cannot both hold.
    #[error("contradiction: {0}")]
    Contradiction(String),
}

/// A place in a text: the name of the text and a byte range, turned into line and column on demand.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Loc {
    /// Where the text came from (file name or `preset NAME`).
    pub origin: String,
    /// 1-based line; 0 when unknown.
    pub line: usize,
    /// 1-based column in characters; 0 when unknown.
    pub column: usize,
    /// The text at the place, shortened to one line.
    pub snippet: String,
}

impl Loc {
    /// Locates `span` (byte offsets) in `text`.
    pub fn of(origin: &str, text: &str, span: Range<usize>) -> Loc {
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let end = floor_char_boundary(text, span.end.min(text.len()).max(start));
        let before = &text[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |p| p + 1);
        let column = text[line_start..start].chars().count() + 1;
        let snippet = shorten(text[start..end].lines().next().unwrap_or(""));
        Loc {
            origin: origin.to_string(),
            line,
            column,
            snippet,
        }
    }

    /// A place without a position, e.g. a file that could not be read.
    pub fn nowhere(origin: &str) -> Loc {
        Loc {
            origin: origin.to_string(),
            ..Loc::default()
        }
    }

    /// An error of `kind` at this place.
    pub fn error(&self, kind: PolicyErrorKind, hint: impl Into<String>) -> PolicyError {
        PolicyError {
            origin: self.origin.clone(),
            line: self.line,
            column: self.column,
            snippet: self.snippet.clone(),
            kind,
            hint: hint.into(),
        }
    }
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Keeps snippets readable in one line of a terminal.
fn shorten(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        let at = text.find("\"x\"").unwrap();
        let loc = Loc::of("f.toml", text, at..at + 3);
        assert_eq!(
            (loc.line, loc.column, loc.snippet.as_str()),
            (2, 6, "\"x\"")
        );
    }

    #[test]
    fn out_of_range_spans_do_not_panic() {
        let loc = Loc::of("f", "ab", 10..20);
        assert_eq!(loc.line, 1);
        let loc = Loc::of("f", "é", 1..2);
        assert_eq!(loc.column, 1);
    }
}
