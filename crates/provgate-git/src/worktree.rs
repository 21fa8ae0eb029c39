//! Temporary worktrees, for running a project's tests on another commit without touching the
//! user's work tree. gitoxide 0.90 cannot add or remove worktrees, so the git CLI does.

use std::path::Path;

use crate::GitError;
use crate::cli::Git;

/// Checks out `commit` in a new worktree at `path`, detached from any branch
/// (`git worktree add --detach --quiet <path> <commit>`).
pub fn add_detached(repo: &Path, path: &Path, commit: &str) -> Result<(), GitError> {
    Git::at(repo)
        .args(&[
            "worktree",
            "add",
            "--detach",
            "--quiet",
            &path.to_string_lossy(),
            commit,
        ])
        .run_ok()?;
    Ok(())
}

/// Removes the worktree at `path` even with changes in it (`git worktree remove --force`).
pub fn remove(repo: &Path, path: &Path) -> Result<(), GitError> {
    Git::at(repo)
        .args(&["worktree", "remove", "--force", &path.to_string_lossy()])
        .run_ok()?;
    Ok(())
}

/// Forgets worktrees whose directories are gone (`git worktree prune`).
pub fn prune(repo: &Path) -> Result<(), GitError> {
    Git::at(repo).args(&["worktree", "prune"]).run_ok()?;
    Ok(())
}
