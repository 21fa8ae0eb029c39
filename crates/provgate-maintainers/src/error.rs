//! Errors and warnings of the MAINTAINERS parser.

use std::path::PathBuf;

/// Why a MAINTAINERS file could not be read (strict parsing, or an I/O failure).
#[derive(Debug, thiserror::Error)]
pub enum MaintainersError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path that was opened.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A line of the file is malformed (strict mode only; lenient mode turns these into
    /// [`MaintainersWarning`]s).
    #[error("{}: {problem}", location(file.as_deref(), *line))]
    Malformed {
        /// The file, when several MAINTAINERS files were read ([`crate::Maintainers::load_tree`]).
        file: Option<PathBuf>,
        /// 1-based line number in the file.
        line: usize,
        /// What is wrong with it.
        problem: Problem,
    },
}

fn location(file: Option<&std::path::Path>, line: usize) -> String {
    match file {
        Some(f) => format!("{}:{line}", f.display()),
        None => format!("MAINTAINERS line {line}"),
    }
}

impl MaintainersError {
    /// The 1-based line number of a malformed line, `None` for I/O errors.
    pub fn line(&self) -> Option<usize> {
        match self {
            MaintainersError::Io { .. } => None,
            MaintainersError::Malformed { line, .. } => Some(*line),
        }
    }
}

/// One thing wrong with a MAINTAINERS line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// A `X:` line whose letter is not a known field. get_maintainer.pl silently ignores it.
    #[error(
        "unknown field `{letter}:` (known: M R L S W T F X N K Q B C P V); get_maintainer.pl ignores it"
    )]
    UnknownField {
        /// The field letter.
        letter: char,
    },
    /// A field line before any section header line.
    #[error(
        "`{letter}:` field before any section header: add the section's name on the line above"
    )]
    FieldBeforeSection {
        /// The field letter.
        letter: char,
    },
    /// An `F:`/`X:` pattern, or an `N:`/`K:` regex, that does not compile. Fatal in strict mode
    /// except for `K:`: a keyword only adds sections by content, so one that cannot be evaluated
    /// is skipped with a warning rather than losing every path match of the file.
    #[error("`{letter}:` pattern `{pattern}` does not compile: {message}")]
    InvalidPattern {
        /// The field letter (`F`, `X`, `N` or `K`).
        letter: char,
        /// The pattern as written.
        pattern: String,
        /// The regex engine's message.
        message: String,
    },
    /// An empty `F:`/`X:`/`N:`/`K:` value. get_maintainer.pl reads an empty `F:` as "every
    /// top-level file" and an empty `N:`/`K:` as "repeat the last successful regex".
    #[error("empty `{letter}:` pattern")]
    EmptyPattern {
        /// The field letter.
        letter: char,
    },
    /// A line that looks like a field (`f: x`, ` F: x`) but is not one, so get_maintainer.pl reads
    /// it as the header of a new section and splits the section it stands in.
    #[error(
        "`{text}` looks like a field but is not `X:` at the start of the line, so it starts a new section"
    )]
    FieldLikeHeader {
        /// The line as written.
        text: String,
    },
    /// An `F:`/`X:` pattern with trailing whitespace: get_maintainer.pl keeps the whitespace as
    /// part of the pattern, so it (almost) never matches. Never fatal.
    #[error(
        "`{letter}:` pattern `{pattern}` ends in whitespace; get_maintainer.pl keeps it, so the pattern never matches a real path"
    )]
    TrailingWhitespace {
        /// The field letter.
        letter: char,
        /// The pattern as written.
        pattern: String,
    },
}

impl Problem {
    /// Whether strict parsing rejects the file for this problem. Problems that are not fatal are
    /// only reported as warnings (and the line keeps get_maintainer.pl's meaning).
    pub fn is_fatal(&self) -> bool {
        !matches!(
            self,
            Problem::TrailingWhitespace { .. } | Problem::InvalidPattern { letter: 'K', .. }
        )
    }
}

/// What lenient parsing did with a line it warned about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningAction {
    /// The line was dropped (get_maintainer.pl would die on it, or it cannot be represented).
    Skipped,
    /// The line was kept with get_maintainer.pl's meaning.
    Kept,
}

/// A problem found by lenient parsing, with what was done about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {problem} ({})", location(file.as_deref(), *line), match action { WarningAction::Skipped => "line skipped", WarningAction::Kept => "kept as get_maintainer.pl reads it" })]
pub struct MaintainersWarning {
    /// The file, when several MAINTAINERS files were read.
    pub file: Option<PathBuf>,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub problem: Problem,
    /// What the parser did.
    pub action: WarningAction,
}
