//! A service's mirror of a project's repository: kept current with `git fetch` from the one
//! remote its operator configured, and asked which commit a series applies to.
//!
//! Whether a series applies is git's own answer (`git apply --cached --check` against a
//! temporary index holding the candidate commit's tree), so that "applies" means what it means
//! to the maintainer who will run `git am`.

use std::path::Path;

use crate::GitError;
use crate::cli::Git;

/// Fetches `refspecs` from `remote` (a configured remote name or URL — never one read from
/// content) into the repository at `repo`, pruning refs deleted upstream.
pub fn fetch(repo: &Path, remote: &str, refspecs: &[&str]) -> Result<(), GitError> {
    let mut args = vec!["fetch", "--quiet", "--prune", "--no-tags", "--", remote];
    args.extend_from_slice(refspecs);
    // A fetch must never stop to ask for credentials: a service has nobody to answer.
    Git::at(repo)
        .env("GIT_TERMINAL_PROMPT", "0")
        .args(&args)
        .run_ok()?;
    Ok(())
}

/// Whether every message of `mails` (patch e-mails in order, or `git format-patch` files)
/// applies, one after the other, to the tree of `commit` in the repository at `repo`, as
/// `git am` would apply them: [`extract_patches`], then [`patches_apply_at`].
///
/// A commit that does not exist is an error; a patch that does not apply is `Ok(false)`.
pub fn applies_at(repo: &Path, commit: &str, mails: &[&[u8]]) -> Result<bool, GitError> {
    patches_apply_at(repo, commit, &extract_patches(repo, mails)?)
}

/// The patches of `mails`, in order, as `git am` takes them out: by `git mailinfo`, so that
/// encoded bodies are decoded as `git am` decodes them. Messages without a patch (a cover
/// letter) are left out. Done once per series, however many commits it is tried against.
pub fn extract_patches(repo: &Path, mails: &[&[u8]]) -> Result<Vec<Vec<u8>>, GitError> {
    let scratch = scratch_dir("mailinfo")?;
    let msg = scratch.path().join("msg").to_string_lossy().into_owned();
    let patch = scratch.path().join("patch").to_string_lossy().into_owned();
    let mut patches = Vec::with_capacity(mails.len());
    for mail in mails {
        Git::at(repo)
            .args(&["mailinfo", &msg, &patch])
            .input(mail)
            .run_ok()?;
        let text = std::fs::read(&patch).map_err(|source| GitError::Spawn {
            command: "mailinfo (reading the patch it wrote)".into(),
            source,
        })?;
        if !text.is_empty() {
            patches.push(text);
        }
    }
    Ok(patches)
}

/// Whether `patches` ([`extract_patches`]) apply one after the other to the tree of `commit`:
/// `git apply --cached --check`-like, each applied to a temporary index holding that tree so
/// that each sees the ones before it.
///
/// A commit that does not exist is an error; a patch that does not apply is `Ok(false)`.
pub fn patches_apply_at(repo: &Path, commit: &str, patches: &[Vec<u8>]) -> Result<bool, GitError> {
    let scratch = scratch_dir("apply")?;
    let index = scratch.path().join("index").to_string_lossy().into_owned();
    let tree = format!("{commit}^{{tree}}");
    Git::at(repo)
        .env("GIT_INDEX_FILE", &index)
        .args(&["read-tree", &tree])
        .run_ok()?;
    for patch in patches {
        // Applied to the index only (`--cached`), read from standard input.
        let out = Git::at(repo)
            .env("GIT_INDEX_FILE", &index)
            .args(&["apply", "--cached", "--whitespace=nowarn"])
            .input(patch)
            .run()?;
        if !out.success {
            return Ok(false);
        }
    }
    Ok(true)
}

fn scratch_dir(what: &str) -> Result<tempfile::TempDir, GitError> {
    tempfile::Builder::new()
        .prefix("provgate-apply")
        .tempdir()
        .map_err(|source| GitError::Spawn {
            command: format!("{what} (temporary directory)"),
            source,
        })
}

/// The first-parent commits of `rev`, newest first, at most `limit` of them: the recent
/// history a series without an announced base may have been written against.
pub fn recent_commits(repo: &Path, rev: &str, limit: usize) -> Result<Vec<String>, GitError> {
    let out = Git::at(repo)
        .args(&[
            "rev-list",
            "--first-parent",
            &format!("--max-count={limit}"),
            rev,
            "--",
        ])
        .run_ok()?;
    Ok(String::from_utf8_lossy(&out)
        .lines()
        .map(str::to_string)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "A")
            .env("GIT_AUTHOR_EMAIL", "a@example.org")
            .env("GIT_COMMITTER_NAME", "A")
            .env("GIT_COMMITTER_EMAIL", "a@example.org")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {:?}", out);
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    #[test]
    fn a_series_applies_where_git_apply_says_it_does() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path();
        git(repo, &["init", "-q", "-b", "main"]);
        std::fs::write(repo.join("f.c"), "one\ntwo\n").unwrap();
        git(repo, &["add", "f.c"]);
        git(repo, &["commit", "-qm", "first"]);
        let first = git(repo, &["rev-parse", "HEAD"]);
        std::fs::write(repo.join("f.c"), "one\ntwo\nthree\n").unwrap();
        git(repo, &["commit", "-qam", "second"]);
        let second = git(repo, &["rev-parse", "HEAD"]);
        std::fs::write(repo.join("f.c"), "one\ntwo\nthree\nfour\n").unwrap();
        git(repo, &["commit", "-qam", "third"]);
        let patch = git(repo, &["format-patch", "-1", "--stdout"]);
        git(repo, &["reset", "-q", "--hard", &second]);

        assert!(applies_at(repo, &second, &[patch.as_bytes()]).unwrap());
        assert!(!applies_at(repo, &first, &[patch.as_bytes()]).unwrap());
        // Applied twice in a row, the second copy no longer applies.
        assert!(!applies_at(repo, &second, &[patch.as_bytes(), patch.as_bytes()]).unwrap());
        assert!(applies_at(repo, "no-such-commit", &[patch.as_bytes()]).is_err());
        assert_eq!(recent_commits(repo, "HEAD", 5).unwrap(), [second, first]);
    }

    #[test]
    fn fetch_brings_the_remote_branch() {
        let dir = tempfile::tempdir().unwrap();
        let upstream = dir.path().join("up");
        let mirror = dir.path().join("mirror");
        std::fs::create_dir(&upstream).unwrap();
        git(&upstream, &["init", "-q", "-b", "main"]);
        git(&upstream, &["commit", "-q", "--allow-empty", "-m", "one"]);
        let head = git(&upstream, &["rev-parse", "HEAD"]);
        git(dir.path(), &["init", "-q", "--bare", "mirror"]);
        fetch(
            &mirror,
            &upstream.to_string_lossy(),
            &["+refs/heads/*:refs/heads/*"],
        )
        .unwrap();
        assert_eq!(git(&mirror, &["rev-parse", "main"]), head);
        assert!(fetch(&mirror, "/no/such/remote", &["main"]).is_err());
    }
}
