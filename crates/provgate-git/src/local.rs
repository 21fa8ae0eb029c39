//! The repository a contributor works in: its hooks, index, identities, configuration and HEAD.

use std::path::{Path, PathBuf};

use crate::GitError;
use crate::cli::Git;
use crate::commit::{Encoding, RawCommit};

/// The directory git runs hooks from (`git rev-parse --path-format=absolute --git-path hooks`):
/// `.git/hooks`, the common directory's for a linked worktree, or `core.hooksPath`. The git CLI
/// answers because `core.hooksPath`'s relative and `~` forms are resolved as git resolves them.
///
/// [`GitError::Command`] when `repo` is not in a repository.
pub fn hooks_dir(repo: &Path) -> Result<PathBuf, GitError> {
    let out = Git::in_dir(repo)
        .args(&["rev-parse", "--path-format=absolute", "--git-path", "hooks"])
        .run_ok()?;
    Ok(PathBuf::from(String::from_utf8_lossy(&out).trim()))
}

/// The staged changes as `git diff --cached --no-color --no-ext-diff -M` prints them: what the
/// commit being written will hold, renames detected.
pub fn staged_diff(repo: &Path) -> Result<Vec<u8>, GitError> {
    Git::in_dir(repo)
        .args(&["diff", "--cached", "--no-color", "--no-ext-diff", "-M"])
        .run_ok()
}

/// The author of a commit made now (`git var GIT_AUTHOR_IDENT`): `Name <email> seconds +zone`,
/// from the environment and the configuration as `git commit` would take it.
pub fn author_ident(repo: &Path) -> Result<String, GitError> {
    let out = Git::in_dir(repo)
        .args(&["var", "GIT_AUTHOR_IDENT"])
        .run_ok()?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// The author of a commit made now, read from [`author_ident`] as git reads an identity; `None`
/// when git has no identity to give.
pub fn author(repo: &Path) -> Option<provgate_patch::Person> {
    let ident = author_ident(repo).ok()?;
    let ident = ident.trim_end();
    ident
        .contains('<')
        .then(|| crate::commit::parse_ident(ident.as_bytes(), Encoding::Utf8).person)
}

/// The committer of a commit made now (`git var GIT_COMMITTER_IDENT`), trimmed; `None` when
/// git has no identity (a CI machine without `user.email`).
pub fn committer_ident(repo: &Path) -> Result<Option<String>, GitError> {
    let out = Git::at(repo)
        .args(&["var", "GIT_COMMITTER_IDENT"])
        .env("GIT_PAGER", "cat")
        .env_remove("GIT_NOTES_REF")
        .run()?;
    let ident = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Ok((out.success && !ident.is_empty()).then_some(ident))
}

/// What a pushed commit is compared with, for [`rev_list`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Known<'a> {
    /// The remote's tip of the branch: the remote already has this commit and its history.
    Commit(&'a str),
    /// A new branch on the remote: every remote-tracking branch of this remote counts as known
    /// (`--not --remotes=<remote>`).
    Remote(&'a str),
}

/// The commits of `tip` the remote does not have, oldest first and without merges, as
/// `git rev-list --reverse --no-merges` lists them: what a push of `tip` sends.
pub fn rev_list(repo: &Path, tip: &str, known: Known<'_>) -> Result<Vec<String>, GitError> {
    let git = Git::in_dir(repo).args(&["rev-list", "--reverse", "--no-merges"]);
    let git = match known {
        Known::Remote(remote) => git.args(&[tip, "--not", &format!("--remotes={remote}")]),
        Known::Commit(commit) => git.args(&[format!("{commit}..{tip}")]),
    };
    let out = git.run_ok()?;
    Ok(String::from_utf8_lossy(&out)
        .lines()
        .map(str::to_string)
        .collect())
}

/// The value of `key` in the user's global configuration only (`git config --global --get`),
/// never a repository's own, which may come from someone else; `None` when it is not set.
pub fn global_config(key: &str) -> Result<Option<String>, GitError> {
    let git = Git::anywhere().args(&["config", "--global", "--get", key]);
    let command = git.command_line();
    let out = git.run()?;
    if out.success {
        return Ok(Some(
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
        ));
    }
    // Exit status 1 with nothing said: the key is not set.
    if out.stderr.trim().is_empty() {
        return Ok(None);
    }
    Err(GitError::Command {
        command,
        detail: out.stderr.trim().to_string(),
    })
}

/// The full id of the commit `rev` names in the repository at (or above) `repo`, annotated tags
/// peeled, as `git rev-parse --verify <rev>^{commit}` gives it.
pub fn resolve_commit(repo: &Path, rev: &str) -> Result<String, GitError> {
    let repo = crate::open(repo)?;
    Ok(crate::range::resolve(&repo, rev)?.to_string())
}

/// HEAD's message as `git log -1 --format=%B HEAD` shows it, without the newline `--format`
/// adds: the message as committed, re-encoded to UTF-8 when its `encoding` header names Latin-1.
pub fn head_message(repo: &Path) -> Result<String, GitError> {
    let repo = crate::open(repo)?;
    let read_error = |e: &dyn std::fmt::Display| GitError::Read {
        what: "HEAD".into(),
        reason: crate::range::first_line(&e.to_string()),
    };
    let commit = repo.head_commit().map_err(|e| read_error(&e))?;
    let raw = RawCommit::parse(&commit.data);
    Ok(Encoding::from_header(raw.encoding).decode(raw.message))
}

/// Replaces HEAD's message with `message`, keeping its author, date and tree
/// (`git commit --amend --no-verify --cleanup=verbatim -F -`): the message is written as given,
/// hooks that check do not run again. git's own output goes to ours, where the user sees it.
///
/// [`GitError::Command`] with an empty detail when git refuses (git has said why).
pub fn amend_head_message(repo: &Path, message: &str) -> Result<(), GitError> {
    Git::in_dir(repo)
        .args(&[
            "commit",
            "--amend",
            "--no-verify",
            "--cleanup=verbatim",
            "-q",
            "-F",
            "-",
        ])
        .input(message.as_bytes())
        .show_output()
        .run_ok()?;
    Ok(())
}
