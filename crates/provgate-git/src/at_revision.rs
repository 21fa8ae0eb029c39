//! Files of one commit's tree, read without checking it out: the copies of a project's policy
//! files that a change under review cannot have edited, when the work tree holds that change.

use std::collections::HashSet;
use std::path::Path;

use gix::ObjectId;

use crate::GitError;
use crate::range::first_line;

/// The tree of one commit, asked for single files.
pub struct TreeAt {
    repo: gix::Repository,
    rev: String,
    commit: ObjectId,
    tree: ObjectId,
}

impl std::fmt::Debug for TreeAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TreeAt")
            .field("rev", &self.rev)
            .field("commit", &self.commit)
            .finish()
    }
}

impl TreeAt {
    /// The tree of the commit `rev` names in the repository at (or above) `repo_dir`.
    pub fn open(repo_dir: &Path, rev: &str) -> Result<TreeAt, GitError> {
        let repo = crate::open(repo_dir)?;
        let commit = crate::range::resolve(&repo, rev)?;
        let read_error = |e: &dyn std::fmt::Display| GitError::Read {
            what: format!("commit {commit} ({rev})"),
            reason: first_line(&e.to_string()),
        };
        let tree = repo
            .find_commit(commit)
            .map_err(|e| read_error(&e))?
            .tree_id()
            .map_err(|e| read_error(&e))?
            .detach();
        Ok(TreeAt {
            repo,
            rev: rev.to_string(),
            commit,
            tree,
        })
    }

    /// The revision as it was given.
    pub fn rev(&self) -> &str {
        &self.rev
    }

    /// The full id of the commit.
    pub fn commit_id(&self) -> String {
        self.commit.to_string()
    }

    /// The content of the file at `path` (relative to the tree's root, `/`-separated); `None`
    /// when nothing is there. Anything other than a regular file (a symbolic link, a directory, a
    /// submodule) is an error: its target would be read from somewhere the commit does not fix.
    pub fn read(&self, path: &str) -> Result<Option<Vec<u8>>, GitError> {
        let what = || format!("{}:{path}", self.rev);
        let read_error = |e: &dyn std::fmt::Display| GitError::Read {
            what: what(),
            reason: first_line(&e.to_string()),
        };
        let tree = self.repo.find_tree(self.tree).map_err(|e| read_error(&e))?;
        let Some(entry) = tree
            .lookup_entry_by_path(path)
            .map_err(|e| read_error(&e))?
        else {
            return Ok(None);
        };
        let mode = entry.mode();
        if !mode.is_blob() {
            let kind = if mode.is_link() {
                "a symbolic link"
            } else if mode.is_tree() {
                "a directory"
            } else {
                "a submodule"
            };
            return Err(GitError::Read {
                what: what(),
                reason: format!("{kind}, not a file; only a regular file is read at a revision"),
            });
        }
        let object = entry.object().map_err(|e| read_error(&e))?;
        Ok(Some(object.data.clone()))
    }

    /// Every directory of the tree, as `a/b` (no trailing `/`): what get_maintainer.pl's `-d`
    /// test answers for MAINTAINERS patterns, here against the commit rather than a checkout.
    pub fn directories(&self) -> Result<HashSet<String>, GitError> {
        let read_error = |e: &dyn std::fmt::Display| GitError::Read {
            what: format!("tree of {}", self.rev),
            reason: first_line(&e.to_string()),
        };
        let tree = self.repo.find_tree(self.tree).map_err(|e| read_error(&e))?;
        let mut recorder = gix::traverse::tree::Recorder::default();
        tree.traverse()
            .breadthfirst(&mut recorder)
            .map_err(|e| read_error(&e))?;
        Ok(recorder
            .records
            .into_iter()
            .filter(|entry| entry.mode.is_tree())
            .map(|entry| entry.filepath.to_string())
            .collect())
    }
}
