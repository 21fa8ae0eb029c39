//! git notes, read and written with the git CLI: gitoxide 0.90 has no notes API, and the fan-out
//! of a notes tree follows git's own rules.
//!
//! Every command here runs without a pager and without `GIT_NOTES_REF`, so that neither the
//! user's display settings nor their environment choose the notes read or written.

use std::path::Path;

use crate::GitError;
use crate::cli::Git;

fn git(repo: &Path) -> Git<'_> {
    Git::at(repo)
        .env("GIT_PAGER", "cat")
        .env_remove("GIT_NOTES_REF")
}

/// For each revision, the full id of the commit it names (annotated tags peeled), or `None` when
/// it names no commit: `git cat-file --batch-check` asked for `<rev>^{commit}`.
pub fn resolve_commits(repo: &Path, revs: &[String]) -> Result<Vec<Option<String>>, GitError> {
    let input: String = revs.iter().map(|r| format!("{r}^{{commit}}\n")).collect();
    let out = git(repo)
        .args(&["cat-file", "--batch-check"])
        .input(input.as_bytes())
        .run_ok()?;
    let text = String::from_utf8_lossy(&out);
    let mut lines = text.lines();
    Ok(revs
        .iter()
        .map(|_| match lines.next().and_then(|l| l.split_once(' ')) {
            Some((id, rest)) if rest.starts_with("commit ") => Some(id.to_string()),
            _ => None,
        })
        .collect())
}

/// Every note under `notes_ref` as (annotated commit, note blob) pairs (`git notes --ref <ref>
/// list`). A ref that does not exist lists nothing ([`ref_commit`] tells the two apart).
pub fn list(repo: &Path, notes_ref: &str) -> Result<Vec<(String, String)>, GitError> {
    let out = git(repo)
        .args(&["notes", "--ref", notes_ref, "list"])
        .run_ok()?;
    Ok(String::from_utf8_lossy(&out)
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(blob, commit)| (commit.to_string(), blob.to_string()))
        .collect())
}

/// The commit a ref points at (`git rev-parse --verify --quiet <ref>^{commit}`); `None` when the
/// ref does not exist.
pub fn ref_commit(repo: &Path, name: &str) -> Result<Option<String>, GitError> {
    let out = git(repo)
        .args(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{name}^{{commit}}"),
        ])
        .run()?;
    Ok(out
        .success
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string()))
}

/// The contents of blobs, in the order given (`git cat-file --batch`), decoded as UTF-8 (lossily).
/// [`GitError::NotABlob`] for the first id that is not a blob of the repository.
pub fn blobs(repo: &Path, ids: &[&str]) -> Result<Vec<String>, GitError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let input: String = ids.iter().map(|id| format!("{id}\n")).collect();
    let out = git(repo)
        .args(&["cat-file", "--batch"])
        .input(input.as_bytes())
        .run_ok()?;
    let mut rest = &out[..];
    let mut texts = Vec::with_capacity(ids.len());
    for id in ids {
        let nl = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let header = String::from_utf8_lossy(&rest[..nl]).to_string();
        let size: usize = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .filter(|_| header.contains(" blob "))
            .ok_or_else(|| GitError::NotABlob {
                id: id.to_string(),
                header: header.clone(),
            })?;
        let start = nl + 1;
        let end = (start + size).min(rest.len());
        texts.push(String::from_utf8_lossy(&rest[start..end]).into_owned());
        rest = &rest[(end + 1).min(rest.len())..];
    }
    Ok(texts)
}

/// Feeds `stream` to `git fast-import --quiet --done --date-format=raw`: one process writes any
/// number of notes in one commit, and git updates the ref only if nobody moved it meanwhile.
///
/// [`GitError::Command`] (command `fast-import`) with git's message when it fails; git says
/// `Not updating` when the ref moved.
pub fn fast_import(repo: &Path, stream: &[u8]) -> Result<(), GitError> {
    let out = git(repo)
        .args(&["fast-import", "--quiet", "--done", "--date-format=raw"])
        .input(stream)
        .run()?;
    if !out.success {
        return Err(GitError::Command {
            command: "fast-import".to_string(),
            detail: out.stderr.trim().to_string(),
        });
    }
    Ok(())
}
