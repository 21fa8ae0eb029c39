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
    /// The commit the code is read at (none: no base applies, and the code is not checked).
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
    // The patches are taken out of the mails once, however many commits they are tried at.
    let patches = match provgate_git::mirror::extract_patches(repo, mails) {
        Ok(patches) => patches,
        Err(e) => {
            return BaseChoice {
                commit: None,
                note: format!(
                    "The code was not checked: the patches could not be taken out of the mails ({e}), so no base applies.{depends}"
                ),
            };
        }
    };
    if let Some(announced) = announced {
        // Any commit of the mirror can be announced (an old one, a pull request's head fetched
        // for a forge check): the code is read there only if the branch reaches it, so that a
        // series cannot pick the tree it is judged against from outside the branch.
        match on_branch(repo, branch, announced) {
            Ok(true) => {}
            Ok(false) => tried.push(format!(
                "its announced base-commit {announced} (not on {branch})"
            )),
            Err(_) => tried.push(format!(
                "its announced base-commit {announced} (not in the mirror)"
            )),
        }
    }
    if let Some(announced) = announced.filter(|_| tried.is_empty()) {
        match provgate_git::mirror::patches_apply_at(repo, announced, &patches) {
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
                if let Ok(true) = provgate_git::mirror::patches_apply_at(repo, commit, &patches) {
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
            tried.push(match commits.len() {
                1 => format!("the head of {branch}"),
                n => format!("the last {n} commits of {branch}"),
            });
        }
        Err(e) => tried.push(format!("the branch {branch} ({e})")),
    }
    BaseChoice {
        commit: None,
        note: format!(
            "The code was not checked: no base was found that the series applies to (tried {}), and code read at another commit would give wrong findings.{depends}",
            tried.join("; ")
        ),
    }
}

/// Whether `commit` is `branch`'s head or one of its ancestors in the mirror at `repo`; an
/// error when either is no commit there.
fn on_branch(repo: &Path, branch: &str, commit: &str) -> Result<bool, provgate_git::GitError> {
    let full = provgate_git::mirror::recent_commits(repo, &format!("{commit}^{{commit}}"), 1)?;
    let tip = provgate_git::mirror::recent_commits(repo, branch, 1)?;
    let (Some(full), Some(tip)) = (full.first(), tip.first()) else {
        return Ok(false);
    };
    Ok(provgate_git::push::merge_base(repo, full, tip)?.as_deref() == Some(full.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .current_dir(dir)
            .args(["-c", "user.name=Test", "-c", "user.email=test@example.org"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {:?}", out);
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// A repository whose `main` has two commits, A (`x` = `one`) and B (`x` = `two`), and a
    /// mail whose patch was written against A: it applies at A, not at B.
    fn setup(dir: &Path) -> (String, String, Vec<u8>) {
        git(dir, &["init", "-q", "-b", "main"]);
        std::fs::write(dir.join("x"), "one\n").unwrap();
        git(dir, &["add", "x"]);
        git(dir, &["commit", "-qm", "A"]);
        let a = git(dir, &["rev-parse", "HEAD"]);
        git(dir, &["checkout", "-q", "-b", "topic"]);
        std::fs::write(dir.join("x"), "uno\n").unwrap();
        git(dir, &["commit", "-qam", "x: in Italian"]);
        let mail = git(dir, &["format-patch", "-1", "--stdout"]).into_bytes();
        git(dir, &["checkout", "-q", "main"]);
        std::fs::write(dir.join("x"), "two\n").unwrap();
        git(dir, &["commit", "-qam", "B"]);
        let b = git(dir, &["rev-parse", "HEAD"]);
        (a, b, mail)
    }

    #[test]
    fn the_announced_base_is_used_when_the_series_applies_to_it() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _, mail) = setup(dir.path());
        let choice = find(dir.path(), "main", Some(&a), &[], &[&mail], 10);
        assert_eq!(choice.commit.as_deref(), Some(a.as_str()));
        assert_eq!(
            choice.note,
            format!("Read against its announced base-commit {a}.")
        );
    }

    #[test]
    fn without_a_usable_announced_base_the_branch_history_is_searched() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, mail) = setup(dir.path());
        // None announced: the head (B) does not take it, main~1 (A) does.
        let choice = find(dir.path(), "main", None, &[], &[&mail], 10);
        assert_eq!(choice.commit.as_deref(), Some(a.as_str()));
        assert_eq!(
            choice.note,
            format!("Read against main~1 ({a}), where it applies.")
        );
        // Announced but wrong, and announced but unknown: both said, then the search.
        let choice = find(dir.path(), "main", Some(&b), &[], &[&mail], 10);
        assert_eq!(choice.commit.as_deref(), Some(a.as_str()));
        assert!(
            choice
                .note
                .contains(&format!("its announced base-commit {b} (does not apply)")),
            "{}",
            choice.note
        );
        let unknown = "0123456789abcdef0123456789abcdef01234567";
        let choice = find(dir.path(), "main", Some(unknown), &[], &[&mail], 10);
        assert_eq!(choice.commit.as_deref(), Some(a.as_str()));
        assert!(
            choice.note.contains("(not in the mirror)"),
            "{}",
            choice.note
        );
    }

    #[test]
    fn an_announced_base_off_the_branch_is_reported_and_the_branch_searched() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _, mail) = setup(dir.path());
        // A commit the branch never reached (as a pull request's head fetched into the mirror
        // is), where the patch applies: announcing it must not choose the tree read.
        git(dir.path(), &["checkout", "-q", "-b", "elsewhere", &a]);
        std::fs::write(dir.path().join("y"), "y\n").unwrap();
        git(dir.path(), &["add", "y"]);
        git(dir.path(), &["commit", "-qm", "C"]);
        let c = git(dir.path(), &["rev-parse", "HEAD"]);
        git(dir.path(), &["checkout", "-q", "main"]);
        let choice = find(dir.path(), "main", Some(&c), &[], &[&mail], 10);
        assert_eq!(choice.commit.as_deref(), Some(a.as_str()));
        assert!(
            choice
                .note
                .contains(&format!("its announced base-commit {c} (not on main)")),
            "{}",
            choice.note
        );
    }

    #[test]
    fn a_series_that_applies_nowhere_says_so_and_names_its_dependencies() {
        let dir = tempfile::tempdir().unwrap();
        let (_, _, mail) = setup(dir.path());
        let foreign = String::from_utf8(mail)
            .unwrap()
            .replace("-one", "-zero")
            .into_bytes();
        // A search of one commit reaches only B.
        let based_on = vec!["prereq.1@example.org".to_string()];
        let choice = find(dir.path(), "main", None, &based_on, &[&foreign], 1);
        assert_eq!(choice.commit, None);
        assert!(
            choice
                .note
                .starts_with("The code was not checked: no base was found that the series applies to (tried the head of main)"),
            "{}",
            choice.note
        );
        assert!(
            choice.note.contains("<prereq.1@example.org>"),
            "{}",
            choice.note
        );
    }
}
