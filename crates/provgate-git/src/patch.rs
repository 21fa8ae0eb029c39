//! One commit turned into a [`Patch`]: metadata, then the tree diff against the first parent,
//! renames, and the hunks of every file.

use std::collections::HashMap;

use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::diff::tree::recorder::Change as TreeChange;
use gix::objs::{Find, FindHeader, TreeRefIter};
use provgate_patch::{FileChange, FileStatus, Hunk, LineKind, Origin, Patch};

use crate::GitError;
use crate::commit::{Encoding, RawCommit, parse_ident, subject};
use crate::hunks::{LineDiffer, whole_file};
use crate::range::first_line;
use crate::rename::{Blobs, Change, Pair, Side, detect_renames, is_binary};

/// Git's `core.bigFileThreshold` default: larger blobs are binary without looking at them.
const BIG_FILE_THRESHOLD: u64 = 512 * 1024 * 1024;

const MODE_TREE: u32 = 0o040000;
const MODE_FILE: u32 = 0o100644;
const MODE_EXEC: u32 = 0o100755;
const MODE_LINK: u32 = 0o120000;
const MODE_GITLINK: u32 = 0o160000;

/// Per-thread state: a repository handle (not `Sync`) and every buffer a commit needs, so that
/// a long history allocates little after its first commits.
pub(crate) struct Worker {
    repo: gix::Repository,
    context: u32,
    commit_buf: Vec<u8>,
    tree_bufs: [Vec<u8>; 2],
    tree_state: gix::diff::tree::State,
    recorder: gix::diff::tree::Recorder,
    store: BlobStore,
    differ: LineDiffer,
}

/// Blob contents and sizes read during one commit. Cleared after every commit: a history's
/// blobs are mostly seen once, and keeping them would grow without bound.
struct BlobStore {
    data: HashMap<ObjectId, Vec<u8>>,
    sizes: HashMap<ObjectId, u64>,
    /// Buffers of earlier commits' blobs, reused rather than allocated again.
    spare: Vec<Vec<u8>>,
    /// The commit being read, for error messages.
    commit: ObjectId,
}

impl BlobStore {
    /// Forgets this commit's blobs, keeping a few modest buffers for the next commit.
    fn clear(&mut self) {
        const KEEP: usize = 64;
        const KEEP_BYTES: usize = 1 << 20;
        for (_, mut buf) in self.data.drain() {
            if self.spare.len() < KEEP && buf.capacity() <= KEEP_BYTES {
                buf.clear();
                self.spare.push(buf);
            }
        }
        self.sizes.clear();
    }
}

struct Objects<'a> {
    repo: &'a gix::Repository,
    store: &'a mut BlobStore,
}

impl Blobs for Objects<'_> {
    fn size(&mut self, id: &ObjectId) -> Result<u64, GitError> {
        if let Some(data) = self.store.data.get(id) {
            return Ok(data.len() as u64);
        }
        if let Some(&size) = self.store.sizes.get(id) {
            return Ok(size);
        }
        let header = self
            .repo
            .objects
            .try_header(id)
            .map_err(|e| read_error(self.store.commit, id, &e))?
            .ok_or_else(|| missing(self.store.commit, id))?;
        self.store.sizes.insert(*id, header.size);
        Ok(header.size)
    }

    fn data(&mut self, id: &ObjectId) -> Result<&[u8], GitError> {
        if !self.store.data.contains_key(id) {
            let mut buf = self.store.spare.pop().unwrap_or_default();
            let found = self
                .repo
                .objects
                .try_find(id, &mut buf)
                .map_err(|e| read_error(self.store.commit, id, &e))?
                .is_some();
            if !found {
                return Err(missing(self.store.commit, id));
            }
            self.store.data.insert(*id, buf);
        }
        Ok(&self.store.data[id])
    }
}

fn missing(commit: ObjectId, object: &ObjectId) -> GitError {
    GitError::MissingObjects {
        commit: commit.to_string(),
        object: object.to_string(),
        count: 1,
    }
}

fn read_error(commit: ObjectId, object: &ObjectId, err: &dyn std::fmt::Display) -> GitError {
    GitError::Read {
        what: format!("object {object} of commit {commit}"),
        reason: first_line(&err.to_string()),
    }
}

/// Git's `canon_mode`: every regular file is 100644 or 100755, whatever the tree says.
fn canonical_mode(mode: gix::objs::tree::EntryMode) -> u32 {
    use gix::objs::tree::EntryKind;
    match mode.kind() {
        EntryKind::Tree => MODE_TREE,
        EntryKind::Blob => MODE_FILE,
        EntryKind::BlobExecutable => MODE_EXEC,
        EntryKind::Link => MODE_LINK,
        EntryKind::Commit => MODE_GITLINK,
    }
}

impl Worker {
    /// A worker on its own thread-local handle of the repository.
    pub fn new(repo: gix::Repository, context: u32) -> Self {
        Worker {
            repo,
            context,
            commit_buf: Vec::new(),
            tree_bufs: [Vec::new(), Vec::new()],
            tree_state: Default::default(),
            recorder: Default::default(),
            store: BlobStore {
                data: HashMap::new(),
                sizes: HashMap::new(),
                commit: ObjectId::null(gix::hash::Kind::Sha1),
                spare: Vec::new(),
            },
            differ: LineDiffer::default(),
        }
    }

    /// Reads commit `id` into a patch against its first parent (the empty tree for a root).
    pub fn patch(&mut self, id: ObjectId) -> Result<Patch, GitError> {
        let result = self.patch_inner(id);
        self.store.clear();
        self.recorder.records.clear();
        result
    }

    fn find<'b>(
        repo: &gix::Repository,
        id: &ObjectId,
        buf: &'b mut Vec<u8>,
        commit: ObjectId,
        kind: gix::objs::Kind,
    ) -> Result<&'b [u8], GitError> {
        let data = repo
            .objects
            .try_find(id, buf)
            .map_err(|e| read_error(commit, id, &e))?
            .ok_or_else(|| missing(commit, id))?;
        if data.kind != kind {
            return Err(GitError::Read {
                what: format!("object {id} of commit {commit}"),
                reason: format!("expected a {kind}, found a {}", data.kind),
            });
        }
        Ok(data.data)
    }

    fn patch_inner(&mut self, id: ObjectId) -> Result<Patch, GitError> {
        self.store.commit = id;
        let data = Self::find(
            &self.repo,
            &id,
            &mut self.commit_buf,
            id,
            gix::objs::Kind::Commit,
        )?;
        let raw = RawCommit::parse(data);
        let encoding = Encoding::from_header(raw.encoding);
        let message = encoding.decode(raw.message);
        let author = raw.author.map(|a| parse_ident(a, encoding));
        let committer = raw.committer.map(|c| parse_ident(c, encoding));
        let parents = raw.parents.clone();
        let tree = raw.tree.ok_or_else(|| GitError::Read {
            what: format!("commit {id}"),
            reason: "it has no tree header".into(),
        })?;

        let mut patch = Patch::new(
            id.to_string(),
            Origin::Commit {
                commit: id.to_string(),
            },
        );
        patch.subject = subject(&message);
        patch.trailers = provgate_patch::trailers::parse_commit_trailers(&message);
        patch.message = message;
        patch.date = author.as_ref().and_then(|a| a.date);
        patch.author = author.map(|a| a.person);
        patch.committer = committer.map(|c| c.person);
        patch.parents = parents.iter().map(ToString::to_string).collect();

        let parent_tree = match parents.first() {
            Some(parent) => {
                let data = Self::find(
                    &self.repo,
                    parent,
                    &mut self.commit_buf,
                    id,
                    gix::objs::Kind::Commit,
                )?;
                Some(RawCommit::parse(data).tree.ok_or_else(|| GitError::Read {
                    what: format!("commit {parent}"),
                    reason: "it has no tree header".into(),
                })?)
            }
            None => None,
        };
        let changes = self.tree_changes(parent_tree, tree)?;
        let mut objects = Objects {
            repo: &self.repo,
            store: &mut self.store,
        };
        let pairs = detect_renames(changes, &mut objects)?;
        patch.files = pairs
            .into_iter()
            .map(|pair| file_change(pair, &mut objects, &mut self.differ, self.context))
            .collect::<Result<_, _>>()?;
        Ok(patch)
    }

    /// The changed non-tree entries between two trees, in git's order (by full path), with
    /// canonical modes.
    fn tree_changes(
        &mut self,
        old: Option<ObjectId>,
        new: ObjectId,
    ) -> Result<Vec<Change>, GitError> {
        let commit = self.store.commit;
        let kind = self.repo.object_hash();
        let [old_buf, new_buf] = &mut self.tree_bufs;
        let old_data: &[u8] = match old {
            Some(old) => Self::find(&self.repo, &old, old_buf, commit, gix::objs::Kind::Tree)?,
            None => &[],
        };
        let new_data = Self::find(&self.repo, &new, new_buf, commit, gix::objs::Kind::Tree)?;
        // A recorder keeps the path of the last change it saw, so each diff needs a fresh one;
        // its record buffer is kept.
        let records = std::mem::take(&mut self.recorder.records);
        self.recorder = gix::diff::tree::Recorder::default();
        self.recorder.records = records;
        self.recorder.records.clear();
        gix::diff::tree(
            TreeRefIter::from_bytes(old_data, kind),
            TreeRefIter::from_bytes(new_data, kind),
            &mut self.tree_state,
            &self.repo.objects,
            &mut self.recorder,
        )
        .map_err(|e| GitError::Read {
            what: format!("the trees of commit {commit}"),
            reason: first_line(&e.to_string()),
        })?;

        let mut changes = Vec::with_capacity(self.recorder.records.len());
        for record in self.recorder.records.drain(..) {
            let side = |path: &gix::bstr::BString, oid: ObjectId, mode| Side {
                path: path.to_vec(),
                id: oid,
                mode: canonical_mode(mode),
            };
            match record {
                TreeChange::Addition {
                    entry_mode,
                    oid,
                    path,
                    ..
                } if !entry_mode.is_tree() => {
                    changes.push(Change::Added(side(&path, oid, entry_mode)))
                }
                TreeChange::Deletion {
                    entry_mode,
                    oid,
                    path,
                    ..
                } if !entry_mode.is_tree() => {
                    changes.push(Change::Deleted(side(&path, oid, entry_mode)))
                }
                TreeChange::Modification {
                    previous_entry_mode,
                    previous_oid,
                    entry_mode,
                    oid,
                    path,
                } if !entry_mode.is_tree() && !previous_entry_mode.is_tree() => {
                    let old = side(&path, previous_oid, previous_entry_mode);
                    let new = side(&path, oid, entry_mode);
                    if old != new {
                        changes.push(Change::Modified { old, new });
                    }
                }
                _ => {}
            }
        }
        // gitoxide walks breadth first; git's order is depth first, which is the byte order of
        // full paths. A path that is both deleted and added (a file replaced by a symlink is a
        // modification, but a file replaced by a directory is not) keeps deletion first.
        changes.sort_by(|a, b| path_of(a).cmp(path_of(b)));
        Ok(changes)
    }
}

fn path_of(change: &Change) -> &[u8] {
    match change {
        Change::Added(s) | Change::Deleted(s) => s.path.as_slice(),
        Change::Modified { new, .. } => new.path.as_slice(),
    }
}

/// The content git diffs for a side: the blob, or for a submodule the line git makes up.
fn content<'a>(
    side: &Side,
    objects: &'a mut Objects<'_>,
    scratch: &'a mut Vec<u8>,
) -> Result<&'a [u8], GitError> {
    if side.mode == MODE_GITLINK {
        scratch.clear();
        scratch.extend_from_slice(format!("Subproject commit {}\n", side.id).as_bytes());
        return Ok(scratch.as_slice());
    }
    objects.data(&side.id)
}

/// Reads a side's blob into the store (nothing to read for a submodule).
fn load(side: &Side, objects: &mut Objects<'_>) -> Result<(), GitError> {
    if side.mode != MODE_GITLINK {
        objects.data(&side.id)?;
    }
    Ok(())
}

/// A side's content once [`load`]ed, borrowed from the store so that both sides of a diff can
/// be held at once.
fn stored<'a>(side: &Side, store: &'a BlobStore, scratch: &'a mut Vec<u8>) -> &'a [u8] {
    if side.mode == MODE_GITLINK {
        scratch.clear();
        scratch.extend_from_slice(format!("Subproject commit {}\n", side.id).as_bytes());
        return scratch.as_slice();
    }
    store.data.get(&side.id).map_or(&[], Vec::as_slice)
}

fn side_is_binary(side: Option<&Side>, objects: &mut Objects<'_>) -> Result<bool, GitError> {
    let Some(side) = side else {
        return Ok(false);
    };
    if side.mode == MODE_GITLINK {
        return Ok(false);
    }
    if objects.size(&side.id)? > BIG_FILE_THRESHOLD {
        return Ok(true);
    }
    Ok(is_binary(objects.data(&side.id)?))
}

fn lossy_path(path: &[u8]) -> String {
    path.to_str_lossy().into_owned()
}

fn file_change(
    pair: Pair,
    objects: &mut Objects<'_>,
    differ: &mut LineDiffer,
    context: u32,
) -> Result<FileChange, GitError> {
    let similarity = pair.similarity();
    let Pair { old, new, .. } = pair;
    let kind = |s: &Side| s.mode & 0o170000;
    let status = match (&old, &new) {
        (None, _) => FileStatus::Added,
        (_, None) => FileStatus::Deleted,
        (Some(o), Some(n)) if o.path != n.path => FileStatus::Renamed,
        (Some(o), Some(n)) if kind(o) != kind(n) => FileStatus::TypeChanged,
        (Some(o), Some(n)) if o.id == n.id => FileStatus::ModeOnly,
        _ => FileStatus::Modified,
    };
    let old_binary = side_is_binary(old.as_ref(), objects)?;
    let new_binary = side_is_binary(new.as_ref(), objects)?;
    let binary = old_binary || new_binary;
    let mut hunks: Vec<Hunk> = Vec::new();
    let mut scratch = (Vec::new(), Vec::new());
    match (&old, &new) {
        _ if status == FileStatus::TypeChanged => {
            // `git diff` shows a type change as the old file deleted and the new one created,
            // each half binary or not on its own.
            if let Some(o) = old.as_ref().filter(|_| !old_binary) {
                hunks = whole_file(content(o, objects, &mut scratch.0)?, LineKind::Removed);
            }
            if let Some(n) = new.as_ref().filter(|_| !new_binary) {
                hunks.extend(whole_file(
                    content(n, objects, &mut scratch.1)?,
                    LineKind::Added,
                ));
            }
        }
        _ if binary => {}
        (Some(o), Some(n)) if o.id == n.id => {}
        (None, Some(n)) => {
            hunks = whole_file(content(n, objects, &mut scratch.1)?, LineKind::Added)
        }
        (Some(o), None) => {
            hunks = whole_file(content(o, objects, &mut scratch.0)?, LineKind::Removed)
        }
        (Some(o), Some(n)) => {
            load(o, objects)?;
            load(n, objects)?;
            let old_data = stored(o, objects.store, &mut scratch.0);
            let new_data = stored(n, objects.store, &mut scratch.1);
            hunks = differ.hunks(old_data, new_data, context);
        }
        (None, None) => {}
    }
    Ok(FileChange {
        old_path: old.as_ref().map(|s| lossy_path(&s.path)),
        new_path: new.as_ref().map(|s| lossy_path(&s.path)),
        status,
        binary,
        old_mode: old.as_ref().map(|s| s.mode),
        new_mode: new.as_ref().map(|s| s.mode),
        similarity: if status == FileStatus::Renamed {
            similarity
        } else {
            None
        },
        hunks,
    })
}
