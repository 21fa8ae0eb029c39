//! What can stop the engine before it has a report: the policy, the repository, the options.
//!
//! An input that cannot be read is not among them: it becomes an error entry of the report and the
//! other inputs are still checked.

use std::path::PathBuf;

use provgate_policy::PolicyError;

/// Why a [`crate::Gate`] could not be built or could not run.
///
/// `Display` says what went wrong; [`EngineError::hint`] says what to do about it. Hints name
/// the command line's flags, the front end most users meet.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The policy file, preset or command-line re-levelling is wrong.
    #[error("{}", policy_message(.0))]
    Policy(Box<PolicyError>),

    /// The repository's `provgate.toml` is a symbolic link to a file outside the repository.
    #[error("{} is a link to {}, outside the repository", file.display(), target.display())]
    EscapingPolicyLink {
        /// The link.
        file: PathBuf,
        /// Where it points.
        target: PathBuf,
    },

    /// git could not resolve or read what was asked (its message says what to do).
    #[error("{0}")]
    Git(#[from] provgate_git::GitError),

    /// The repository could not be opened for code analysis.
    #[error("cannot read the repository for code analysis: {reason}")]
    CodeRepository {
        /// What went wrong.
        reason: String,
        /// Whether a scan asked for the code (its hint differs from a check's).
        in_scan: bool,
    },

    /// The base whose files judge a change (`--base-policy`) cannot be read.
    #[error("--base-policy {rev}: {source}")]
    BaseFiles {
        /// The revision given.
        rev: String,
        /// What git could not do.
        source: provgate_git::GitError,
    },

    /// A `--policy` file inside the repository does not exist at the base it is read from.
    #[error("{file} does not exist: the policy file is read at the base, not from the change")]
    NotAtBase {
        /// `REV:path`.
        file: String,
    },

    /// `--base` names no commit.
    #[error("--base {base}: not a commit of the repository at {}", repo.display())]
    UnknownBase {
        /// The revision given.
        base: String,
        /// The repository it was looked up in.
        repo: PathBuf,
    },

    /// A proof file handed to the check is not a usable `provgate prove` report.
    #[error("{0}")]
    Proof(#[from] ProofFileError),

    /// `PROVGATE_TODAY` is set but not a date.
    #[error("PROVGATE_TODAY=`{0}` is not a date")]
    BadToday(String),
}

impl From<PolicyError> for EngineError {
    fn from(error: PolicyError) -> Self {
        EngineError::Policy(Box::new(error))
    }
}

impl EngineError {
    /// What the user can do about it, when the message does not say so already.
    pub fn hint(&self) -> Option<String> {
        match self {
            EngineError::Policy(error) => Some(error.hint.clone()),
            EngineError::EscapingPolicyLink { .. } => Some(
                "replace the link with the policy file itself, or name the file with --policy"
                    .into(),
            ),
            // git's messages say what to do themselves.
            EngineError::Git(_) => None,
            EngineError::CodeRepository { in_scan: false, .. } => {
                Some("pass --no-code to check without reading the code".into())
            }
            EngineError::CodeRepository { in_scan: true, .. } => {
                Some("scan without --code".into())
            }
            EngineError::BaseFiles { .. } => Some(
                "name the commit the change applies to (a branch, tag or id); in a shallow clone, fetch it first (`git fetch --depth=1 origin BRANCH`)"
                    .into(),
            ),
            EngineError::NotAtBase { .. } => Some(
                "commit the policy file to the base branch first, or name a preset with --preset"
                    .into(),
            ),
            EngineError::UnknownBase { .. } => Some(
                "name the commit the mail or diffs apply to (a branch, tag or id), or leave --base out for HEAD"
                    .into(),
            ),
            EngineError::Proof(_) => Some(ProofFileError::HINT.into()),
            EngineError::BadToday(_) => Some("write it as YYYY-MM-DD, or unset it".into()),
        }
    }
}

/// A policy error as the user sees it: where, what, and the offending text.
fn policy_message(error: &PolicyError) -> String {
    let place = if error.line > 0 {
        format!("{}:{}:{}", error.origin, error.line, error.column)
    } else {
        error.origin.clone()
    };
    let snippet = if error.snippet.is_empty() {
        String::new()
    } else {
        format!("\n  at: {}", error.snippet)
    };
    format!("{place}: {}{snippet}", error.kind)
}

/// Why a proof file (`check --proof FILE`) could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ProofFileError {
    /// The file could not be read.
    #[error("cannot read proof {}: {source}", file.display())]
    Unreadable {
        /// The file.
        file: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not JSON.
    #[error("{}:{line}: not a JSON report: {source}", file.display())]
    NotJson {
        /// The file.
        file: PathBuf,
        /// The line the parser stopped at.
        line: usize,
        /// What the parser said.
        source: serde_json::Error,
    },
    /// The file is JSON but not a provgate report.
    #[error("{} is not a provgate report (no `\"schema\": \"{}\"`)", file.display(), provgate_report::SCHEMA)]
    NotAReport {
        /// The file.
        file: PathBuf,
    },
    /// A patch's proof has an outcome this version does not know.
    #[error("{}: patch {id}: unknown proof outcome {}", file.display(), outcome.as_ref().map_or("(none)".to_string(), |o| format!("`{o}`")))]
    UnknownOutcome {
        /// The file.
        file: PathBuf,
        /// The patch.
        id: String,
        /// The outcome found, if any.
        outcome: Option<String>,
    },
    /// The report holds no proof at all.
    #[error("{} holds no regression-test proof", file.display())]
    Empty {
        /// The file.
        file: PathBuf,
    },
}

impl ProofFileError {
    /// How to make a proof file.
    pub const HINT: &'static str =
        "write it with `provgate prove --test-cmd CMD --format json -o FILE INPUT`";
}
