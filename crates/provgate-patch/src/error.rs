//! Errors of the readers, each with the place in the input that caused it.

use crate::diff::DiffErrorKind;

/// An input that could not be read, located in its file (or revision).
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {kind}")]
pub struct InputError {
    /// The file as the user named it (`-` for standard input).
    pub file: String,
    /// 1-based line in the file.
    pub line: usize,
    /// What is wrong.
    pub kind: InputErrorKind,
}

impl InputError {
    /// An error at `file:line`.
    pub fn at(file: &str, line: usize, kind: InputErrorKind) -> Self {
        Self {
            file: file.to_string(),
            line,
            kind,
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> &'static str {
        self.kind.hint()
    }
}

/// The ways an input can be unreadable.
#[derive(Debug, thiserror::Error)]
pub enum InputErrorKind {
    /// The file could not be opened or read.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// A diff inside the input is malformed.
    #[error("{0}")]
    Diff(DiffErrorKind),
    /// The message's headers could not be parsed.
    #[error("malformed e-mail message: {0}")]
    Mail(String),
    /// The message has no header lines at all.
    #[error(
        "not an e-mail message: no header lines (for a plain diff, it must contain a `diff --git` or `---`/`+++`/`@@` header)"
    )]
    NoHeaders,
    /// The message is empty.
    #[error("empty message")]
    EmptyMessage,
    /// The message is larger than the reader accepts.
    #[error("message larger than {} MiB; skipped", crate::mbox::MAX_MESSAGE_BYTES >> 20)]
    TooLarge,
}

impl InputErrorKind {
    /// What the user can do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            InputErrorKind::Io(_) => "check that the path exists and is readable",
            InputErrorKind::Diff(DiffErrorKind::ShortHunk { .. }) => {
                "the patch was truncated or edited by hand; regenerate it with `git format-patch`"
            }
            InputErrorKind::Diff(_) => {
                "the diff is not in a form git produces; regenerate it with `git format-patch` or `git diff`"
            }
            InputErrorKind::Mail(_) | InputErrorKind::NoHeaders | InputErrorKind::EmptyMessage => {
                "give an mbox, a single .patch/.eml message, or a plain diff"
            }
            InputErrorKind::TooLarge => "split the mbox or check that it is really a mail archive",
        }
    }
}
