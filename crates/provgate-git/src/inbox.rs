//! public-inbox v2 archives (the format of lore-style list archives), read with gitoxide.
//!
//! An inbox is a directory whose `git/0.git`, `git/1.git`, … are its *epochs*: bare
//! repositories with one branch, where every commit holds a single top-level file, `m` (the
//! message, as received) or `d` (a message deleted from the archive). A lone epoch repository
//! (a mirror of one epoch, or `INBOX/git/N.git` itself) is read the same way.
//!
//! Readers keep one cursor per epoch, the last commit they read, and ask for what came after
//! it. Epochs only grow, unless a maintainer purges a message: `public-inbox-purge` and
//! `public-inbox-edit` rewrite the epoch's history, and a cursor that is no longer an ancestor
//! of the head is reported as [`GitError::InboxCursorLost`] instead of silently reading the
//! whole epoch again or skipping what changed.
//!
//! Only commit ids are held in memory while reading; each message is read, handed over and
//! dropped, so an epoch of a million messages costs about 20 MB of ids.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use gix::ObjectId;

use crate::GitError;
use crate::commit::RawCommit;
use crate::range::first_line;

/// A public-inbox v2 archive: its epochs, found when it was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicInbox {
    path: PathBuf,
    epochs: Vec<Epoch>,
}

/// One epoch of an inbox: a git repository holding a slice of the archive's messages.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Epoch {
    /// Its number: `N` of `git/N.git`, or of a lone repository named `N.git` (else 0).
    pub number: u32,
    /// Its git directory.
    pub path: PathBuf,
}

/// What one commit of an epoch holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboxEntry {
    /// The file `m`: a message as the archive received it.
    Message(Vec<u8>),
    /// The file `d`: a message removed from the archive (public-inbox writes the removed
    /// message itself, so that readers can tell which one it was, e.g. by its Message-ID).
    Deleted(Vec<u8>),
}

/// One message (or deletion) of an epoch, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxItem {
    /// The epoch's number.
    pub epoch: u32,
    /// The commit that holds it, as 40 hex digits: a cursor from which reading resumes.
    pub commit: String,
    /// The message or the deletion.
    pub entry: InboxEntry,
}

impl PublicInbox {
    /// Opens the inbox at `path`: a directory holding `git/N.git` epochs, or a single epoch
    /// repository (bare or not). Epochs are found now; open the inbox again to find epochs
    /// added since.
    pub fn open(path: &Path) -> Result<PublicInbox, GitError> {
        let git_dir = path.join("git");
        let mut epochs = Vec::new();
        if git_dir.is_dir() {
            let entries = std::fs::read_dir(&git_dir).map_err(|e| GitError::NotAnInbox {
                dir: path.to_path_buf(),
                reason: format!("cannot list {}: {e}", git_dir.display()),
            })?;
            for entry in entries.flatten() {
                let name = entry.file_name();
                let Some(number) = name.to_str().and_then(epoch_number) else {
                    continue;
                };
                if entry.path().is_dir() {
                    epochs.push(Epoch {
                        number,
                        path: entry.path(),
                    });
                }
            }
            epochs.sort();
        }
        if epochs.is_empty() {
            // Not an inbox directory: perhaps one epoch on its own. Opening it proves it is a
            // repository; whether its commits hold messages shows when they are read.
            let repo = gix::open(path).map_err(|e| GitError::NotAnInbox {
                dir: path.to_path_buf(),
                reason: format!(
                    "no git/N.git epochs, and not a git repository either ({})",
                    first_line(&e.to_string())
                ),
            })?;
            let git_dir = repo.git_dir().to_path_buf();
            let number = git_dir
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(epoch_number)
                .unwrap_or(0);
            let epoch = Epoch {
                number,
                path: git_dir,
            };
            // Any repository opens; an epoch's head holds a message. Without this check a
            // project's own repository, named by mistake, would read as an empty archive.
            if let Some(head) = head(&repo, &epoch)? {
                let mut buf = Vec::new();
                if file_of(&repo, head, &mut buf)?.is_none() {
                    return Err(GitError::NotAnInbox {
                        dir: path.to_path_buf(),
                        reason: format!(
                            "no git/N.git epochs, and its head commit {} holds no file `m` or `d`, as every commit of an epoch does",
                            head.to_hex_with_len(12)
                        ),
                    });
                }
            }
            epochs.push(epoch);
        }
        Ok(PublicInbox {
            path: path.to_path_buf(),
            epochs,
        })
    }

    /// The directory the inbox was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The epochs, by number.
    pub fn epochs(&self) -> &[Epoch] {
        &self.epochs
    }

    /// Reads the items of `epoch` committed after `since` (`None`: from its first commit),
    /// oldest first, handing each to `visit`. Returns the commit read up to, to store as the
    /// epoch's cursor: the head, or the item `visit` answered [`ControlFlow::Break`] for (so
    /// that resuming from it reads the next item); `None` for an epoch without commits.
    ///
    /// The head is the commit `HEAD` names, or the epoch's only branch when `HEAD` names none.
    /// History is followed along first parents, as public-inbox writes it: a straight line.
    /// Commits holding neither `m` nor `d` (left behind by a purge) are passed over.
    ///
    /// [`GitError::InboxCursorLost`] when `since` is not on the head's history (the epoch was
    /// rewritten); nothing is visited then.
    pub fn read_epoch(
        &self,
        epoch: &Epoch,
        since: Option<&str>,
        visit: &mut dyn FnMut(InboxItem) -> ControlFlow<()>,
    ) -> Result<Option<String>, GitError> {
        let mut repo = gix::open(&epoch.path).map_err(|e| GitError::NotAnInbox {
            dir: epoch.path.clone(),
            reason: format!("epoch {} cannot be opened: {}", epoch.number, e),
        })?;
        // Each message is read once: the object cache would only hold blobs nobody asks for
        // again, but delta bases are shared between neighbouring messages.
        repo.object_cache_size(0);
        repo.objects.set_pack_cache(|| {
            Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
                crate::PACK_CACHE_BYTES,
            ))
        });
        let Some(head) = head(&repo, epoch)? else {
            return Ok(None);
        };
        let since = since
            .map(|hex| {
                ObjectId::from_hex(hex.as_bytes()).map_err(|_| GitError::InboxCursorLost {
                    epoch: epoch.number,
                    cursor: hex.to_string(),
                    head: head.to_string(),
                    reason: "it is not a full hex commit id".into(),
                })
            })
            .transpose()?;
        let pending = commits_after(&repo, epoch, head, since)?;
        let mut cursor = since.unwrap_or(head);
        let mut buf = Vec::new();
        for id in pending.into_iter().rev() {
            cursor = id;
            let Some(entry) = entry_of(&repo, id, &mut buf)? else {
                continue;
            };
            let item = InboxItem {
                epoch: epoch.number,
                commit: id.to_string(),
                entry,
            };
            if visit(item).is_break() {
                break;
            }
        }
        Ok(Some(cursor.to_string()))
    }
}

/// `N` of `N.git`, for names of decimal digits only (`all.git` and `0001.git.tmp` are not
/// epochs; leading zeros are, as `N` is read as a number).
fn epoch_number(name: &str) -> Option<u32> {
    let digits = name.strip_suffix(".git")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The epoch's head commit: `HEAD`, or its only branch when `HEAD` is unborn (a mirror whose
/// `HEAD` names a branch the archive does not use); `None` for an empty epoch.
fn head(repo: &gix::Repository, epoch: &Epoch) -> Result<Option<ObjectId>, GitError> {
    let read_error = |what: &str, e: &dyn std::fmt::Display| GitError::Read {
        what: format!(
            "{what} of epoch {} ({})",
            epoch.number,
            epoch.path.display()
        ),
        reason: first_line(&e.to_string()),
    };
    let head = repo.head().map_err(|e| read_error("HEAD", &e))?;
    if let Some(id) = head.id() {
        return Ok(Some(id.detach()));
    }
    let refs = repo.references().map_err(|e| read_error("refs", &e))?;
    let branches = refs
        .local_branches()
        .map_err(|e| read_error("branches", &e))?;
    let mut found = Vec::new();
    for branch in branches {
        let mut branch = branch.map_err(|e| read_error("a branch", &e))?;
        let id = branch
            .peel_to_id()
            .map_err(|e| read_error("a branch", &e))?;
        found.push(id.detach());
    }
    found.dedup();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        _ => Err(GitError::NotAnInbox {
            dir: epoch.path.clone(),
            reason: "HEAD names no commit and the epoch has several branches; point HEAD at the archive's branch".into(),
        }),
    }
}

/// The commits after `since` up to `head` along first parents, newest first: only ids, so
/// that a whole epoch costs 20 bytes a message.
fn commits_after(
    repo: &gix::Repository,
    epoch: &Epoch,
    head: ObjectId,
    since: Option<ObjectId>,
) -> Result<Vec<ObjectId>, GitError> {
    let mut ids = Vec::new();
    let mut next = Some(head);
    let mut buf = Vec::new();
    while let Some(id) = next {
        if Some(id) == since {
            return Ok(ids);
        }
        let data = read_object(repo, id, gix::object::Kind::Commit, &mut buf)?;
        next = RawCommit::parse(data).parents.first().copied();
        ids.push(id);
    }
    match since {
        None => Ok(ids),
        Some(cursor) => Err(GitError::InboxCursorLost {
            epoch: epoch.number,
            cursor: cursor.to_string(),
            head: head.to_string(),
            reason: if repo.has_object(cursor) {
                "it is not on the history of the head".into()
            } else {
                "it is not in the epoch's repository".into()
            },
        }),
    }
}

/// The `m` or `d` file of commit `id`; `None` when its tree holds neither.
fn entry_of(
    repo: &gix::Repository,
    id: ObjectId,
    buf: &mut Vec<u8>,
) -> Result<Option<InboxEntry>, GitError> {
    let Some((blob, deleted)) = file_of(repo, id, buf)? else {
        return Ok(None);
    };
    let bytes = read_object(repo, blob, gix::object::Kind::Blob, buf)?.to_vec();
    Ok(Some(if deleted {
        InboxEntry::Deleted(bytes)
    } else {
        InboxEntry::Message(bytes)
    }))
}

/// The blob of commit `id`'s `m` file, else of its `d` file (`true`); `None` when its tree
/// holds neither.
fn file_of(
    repo: &gix::Repository,
    id: ObjectId,
    buf: &mut Vec<u8>,
) -> Result<Option<(ObjectId, bool)>, GitError> {
    let data = read_object(repo, id, gix::object::Kind::Commit, buf)?;
    let Some(tree) = RawCommit::parse(data).tree else {
        return Err(GitError::Read {
            what: format!("commit {id}"),
            reason: "it names no tree".into(),
        });
    };
    let data = read_object(repo, tree, gix::object::Kind::Tree, buf)?;
    let (mut message, mut deleted) = (None, None);
    for entry in gix::objs::TreeRefIter::from_bytes(data, repo.object_hash()) {
        let entry = entry.map_err(|e| GitError::Read {
            what: format!("tree {tree} of commit {id}"),
            reason: first_line(&e.to_string()),
        })?;
        if !entry.mode.is_blob() {
            continue;
        }
        match entry.filename.as_ref() as &[u8] {
            b"m" => message = Some(entry.oid.to_owned()),
            b"d" => deleted = Some(entry.oid.to_owned()),
            _ => {}
        }
    }
    // A tree never holds both as public-inbox writes it; were it to, the message is what is
    // there to read.
    Ok(match (message, deleted) {
        (Some(m), _) => Some((m, false)),
        (None, Some(d)) => Some((d, true)),
        (None, None) => None,
    })
}

fn read_object<'b>(
    repo: &gix::Repository,
    id: ObjectId,
    kind: gix::object::Kind,
    buf: &'b mut Vec<u8>,
) -> Result<&'b [u8], GitError> {
    use gix::prelude::Find;
    let data = repo
        .objects
        .try_find(&id, buf)
        .map_err(|e| GitError::Read {
            what: format!("{kind} {id}"),
            reason: first_line(&e.to_string()),
        })?
        .ok_or_else(|| GitError::Read {
            what: format!("{kind} {id}"),
            reason: "it is missing from the epoch's repository; fetch the epoch again".into(),
        })?;
    if data.kind != kind {
        return Err(GitError::Read {
            what: format!("object {id}"),
            reason: format!("it is a {}, not a {kind}", data.kind),
        });
    }
    Ok(data.data)
}

#[cfg(test)]
mod tests {
    use super::epoch_number;

    #[test]
    fn epoch_names() {
        assert_eq!(epoch_number("0.git"), Some(0));
        assert_eq!(epoch_number("12.git"), Some(12));
        assert_eq!(epoch_number("007.git"), Some(7));
        assert_eq!(epoch_number("all.git"), None);
        assert_eq!(epoch_number(".git"), None);
        assert_eq!(epoch_number("1.git.lock"), None);
        assert_eq!(epoch_number("-1.git"), None);
        assert_eq!(epoch_number("99999999999.git"), None);
    }
}
