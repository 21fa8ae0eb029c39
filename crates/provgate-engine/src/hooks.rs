//! What git hooks judge: the commit message being written, with the staged changes, and the
//! commits a push would send.

use std::path::Path;

use provgate_git::{GitError, Known};
use provgate_patch::{Origin, Patch, Series};

use crate::{EngineError, Gate, ReadResult};

/// The commit being written as a patch: `message` (the commit-msg hook's file `file`), the
/// staged changes, and the author git would record.
pub fn commit_being_written(
    repo: &Path,
    file: &Path,
    message: String,
) -> Result<Patch, EngineError> {
    let mut patch = Patch::new(
        "commit being written",
        Origin::Diff {
            file: file.display().to_string(),
        },
    );
    patch.subject = message.lines().next().unwrap_or_default().to_string();
    // The message becomes a commit: read its trailers as git reads a commit's (past a `---`).
    patch.trailers = provgate_patch::trailers::parse_commit_trailers(&message);
    patch.message = message;
    patch.author = provgate_git::author(repo);
    let staged = match provgate_git::staged_diff(repo) {
        Ok(diff) => diff,
        Err(e @ GitError::Spawn { .. }) => return Err(e.into()),
        // What git printed before failing, as before: nothing.
        Err(_) => Vec::new(),
    };
    patch.files = provgate_patch::diff::parse_diff(&staged, 1).unwrap_or_default();
    Ok(patch)
}

/// The commits a push would send that the remote does not have, oldest first: `updates` is what
/// git writes to the pre-push hook's standard input (`LOCAL_REF LOCAL_OID REMOTE_REF
/// REMOTE_OID` per line), `remote` the remote's name.
pub fn outgoing_commits(
    repo: &Path,
    remote: &str,
    updates: &str,
) -> Result<Vec<Patch>, EngineError> {
    let mut ids: Vec<String> = Vec::new();
    for line in updates.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_, local, _, remote_oid] = fields[..] else {
            continue;
        };
        if local.trim_start_matches('0').is_empty() {
            continue; // a deletion sends no commits
        }
        let known = if remote_oid.trim_start_matches('0').is_empty() {
            Known::Remote(remote)
        } else {
            Known::Commit(remote_oid)
        };
        ids.extend(provgate_git::rev_list(repo, local, known)?);
    }
    ids.dedup();
    let mut patches = Vec::new();
    let mut first_error = None;
    if ids.is_empty() {
        return Ok(patches);
    }
    provgate_git::read_commits(repo, &ids, &Default::default(), None, |item| match item {
        Ok(patch) => patches.push(patch),
        Err(e) => {
            first_error.get_or_insert(e);
        }
    })?;
    match first_error {
        Some(e) => Err(e.into()),
        None => Ok(patches),
    }
}

impl Gate {
    /// Judges `patches` as one series named `what` (`commit-msg`, `pre-push`), as a hook does.
    pub fn judge_patches(&self, what: &str, patches: Vec<Patch>) -> crate::Checked {
        self.judge(ReadResult {
            series: vec![Series {
                id: what.to_string(),
                version: 1,
                total: None,
                cover: None,
                patches,
            }],
            ..ReadResult::default()
        })
    }
}
