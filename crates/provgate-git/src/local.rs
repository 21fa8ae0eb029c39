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

/// The value of `key` in the user's global configuration only (`git config --global --get`),
/// never a repository's own, which may come from someone else; `None` when it is not set.
pub fn global_config(key: &str) -> Result<Option<String>, GitError> {
    let git = Git::anywhere().args(&["config", "--global", "--get", key]);
    // Exit status 1 with nothing said: the key is not set.
    git.run_answer()
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

/// Whether a merge is being concluded (`MERGE_HEAD` exists in the git directory): the commit
/// being written is a merge, whether `git merge` or a `git commit` after conflicts writes it.
pub fn merge_in_progress(repo: &Path) -> Result<bool, GitError> {
    let out = Git::in_dir(repo)
        .args(&[
            "rev-parse",
            "--path-format=absolute",
            "--git-path",
            "MERGE_HEAD",
        ])
        .run_ok()?;
    Ok(Path::new(String::from_utf8_lossy(&out).trim()).exists())
}

/// `key` as the repository at `repo` sees it (its own configuration over the user's and the
/// system's), read as a boolean the way git reads one (`git config --type=bool --get`); `None`
/// when it is not set. A value git cannot read as a boolean is [`GitError::Command`] with git's
/// message, which names the file.
pub fn config_bool(repo: &Path, key: &str) -> Result<Option<bool>, GitError> {
    Ok(config_typed(repo, key, "bool")?.map(|value| value == "true"))
}

/// `key` as the repository at `repo` sees it, read as an integer the way git reads one (`1k` is
/// 1024; `git config --type=int --get`); `None` when it is not set.
pub fn config_int(repo: &Path, key: &str) -> Result<Option<i64>, GitError> {
    match config_typed(repo, key, "int")? {
        None => Ok(None),
        Some(value) => value.parse().map(Some).map_err(|_| GitError::Command {
            command: format!("config --type=int --get {key}"),
            detail: format!("git gave `{value}`, not an integer"),
        }),
    }
}

fn config_typed(repo: &Path, key: &str, ty: &str) -> Result<Option<String>, GitError> {
    let git = Git::in_dir(repo).args(&["config", &format!("--type={ty}"), "--get", key]);
    // Exit status 1 with nothing said: the key is not set.
    git.run_answer()
}
