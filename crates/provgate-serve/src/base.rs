//! Finding the commit a mailed series applies to.
//!
//! A series read against a base it does not apply to loses most of its code checks, so the
//! base is found rather than assumed: the announced `base-commit:` first, then the branch's
//! recent commits, newest first. Whichever is used — or that none applied — is said in the
//! reply, so a maintainer knows what the code checks read.

use std::path::Path;

/// The base a series is read against, and what to tell the reader about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseChoice {
    /// The commit the code is read at (none: the branch head, though the series does not apply
    /// to it).
    pub commit: Option<String>,
    /// One sentence for the reply and the dashboard.
    pub note: String,
}

/// Finds the base of a series whose messages are `mails` (in order; a cover letter is skipped),
/// in the mirror at `repo`.
pub fn find(
    repo: &Path,
    branch: &str,
    announced: Option<&str>,
    based_on: &[String],
    mails: &[&[u8]],
    search: usize,
) -> BaseChoice {
    let mut tried = Vec::new();
    let depends = if based_on.is_empty() {
        String::new()
    } else {
        format!(
            " It says it is based on {} (not applied here: the check reads this series alone).",
            based_on
                .iter()
                .map(|id| format!("<{id}>"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    if let Some(announced) = announced {
        match provgate_git::mirror::applies_at(repo, announced, mails) {
            Ok(true) => {
                return BaseChoice {
                    commit: Some(announced.to_string()),
                    note: format!("Read against its announced base-commit {announced}.{depends}"),
                };
            }
            Ok(false) => tried.push(format!(
                "its announced base-commit {announced} (does not apply)"
            )),
            Err(_) => tried.push(format!(
                "its announced base-commit {announced} (not in the mirror)"
            )),
        }
    }
    match provgate_git::mirror::recent_commits(repo, branch, search) {
        Ok(commits) => {
            for (age, commit) in commits.iter().enumerate() {
                if let Ok(true) = provgate_git::mirror::applies_at(repo, commit, mails) {
                    let place = if age == 0 {
                        format!("the head of {branch}")
                    } else {
                        format!("{branch}~{age}")
                    };
                    let before = if tried.is_empty() {
                        String::new()
                    } else {
                        format!(" Tried first: {}.", tried.join("; "))
                    };
                    return BaseChoice {
                        commit: Some(commit.clone()),
                        note: format!(
                            "Read against {place} ({commit}), where it applies.{before}{depends}"
                        ),
                    };
                }
            }
            tried.push(format!("the last {} commits of {branch}", commits.len()));
        }
        Err(e) => tried.push(format!("the branch {branch} ({e})")),
    }
    BaseChoice {
        commit: None,
        note: format!(
            "No base found that the series applies to (tried {}): the code was read against the head of {branch}, so code checks may miss or misplace findings.{depends}",
            tried.join("; ")
        ),
    }
}
