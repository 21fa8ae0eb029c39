//! git notes, read and written with the git CLI: gitoxide 0.90 has no notes API, and the fan-out
//! of a notes tree follows git's own rules.
//!
//! Every command here runs without a pager and without `GIT_NOTES_REF`, so that neither the
//! user's display settings nor their environment choose the notes read or written.

use std::collections::HashMap;
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

/// The notes of `commits` (full ids) under `notes_ref`, by commit id; commits without a note are
/// left out, and a ref that does not exist gives none. Two processes whatever the number of
/// commits: one lists the notes, one reads the blobs of those wanted.
pub fn notes_for(
    repo: &Path,
    notes_ref: &str,
    commits: &[String],
) -> Result<HashMap<String, String>, GitError> {
    if commits.is_empty() {
        return Ok(HashMap::new());
    }
    let wanted: std::collections::HashSet<&str> = commits.iter().map(String::as_str).collect();
    let found: Vec<(String, String)> = list(repo, notes_ref)?
        .into_iter()
        .filter(|(commit, _)| wanted.contains(commit.as_str()))
        .collect();
    let ids: Vec<&str> = found.iter().map(|(_, blob)| blob.as_str()).collect();
    let texts = blobs(repo, &ids)?;
    Ok(found
        .into_iter()
        .map(|(commit, _)| commit)
        .zip(texts)
        .collect())
}

/// The branch `rev` names, without `refs/heads/` (or `refs/remotes/<remote>/`), when it names
/// one: a local branch (`claude/fix-x`, `refs/heads/claude/fix-x`) or a remote-tracking one
/// (`origin/claude/fix-x`). `None` for anything else (`HEAD`, a tag, an id, `main~2`).
pub fn branch_name(repo: &Path, rev: &str) -> Result<Option<String>, GitError> {
    let rev = rev.trim();
    if rev.is_empty() || rev == "HEAD" || rev.contains(['~', '^', '@', ':']) {
        return Ok(None);
    }
    if let Some(name) = rev.strip_prefix("refs/heads/") {
        return Ok(ref_commit(repo, rev)?.map(|_| name.to_string()));
    }
    if let Some(rest) = rev.strip_prefix("refs/remotes/") {
        return Ok(ref_commit(repo, rev)?.and_then(|_| remote_branch(rest)));
    }
    if ref_commit(repo, &format!("refs/heads/{rev}"))?.is_some() {
        return Ok(Some(rev.to_string()));
    }
    if ref_commit(repo, &format!("refs/remotes/{rev}"))?.is_some() {
        return Ok(remote_branch(rev));
    }
    Ok(None)
}

/// `origin/claude/fix-x` → `claude/fix-x`.
fn remote_branch(name: &str) -> Option<String> {
    name.split_once('/')
        .map(|(_, branch)| branch.to_string())
        .filter(|b| !b.is_empty() && b != "HEAD")
}

/// The branch at the head of `range` when the range is `A..B` or `A...B` and `B` names a
/// branch (see [`branch_name`]): the commits of such a range are that branch's own. A single
/// revision, whose history reaches past the branch, gives `None`.
pub fn range_head_branch(repo: &Path, range: &str) -> Result<Option<String>, GitError> {
    let head = match range.split_once("...").or_else(|| range.split_once("..")) {
        Some((_, head)) if !head.trim().is_empty() => head,
        _ => return Ok(None),
    };
    branch_name(repo, head)
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
