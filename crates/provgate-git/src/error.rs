//! What can go wrong while reading a revision range, each error saying what the user can do.

use std::path::PathBuf;

/// An error of [`read_range`](crate::read_range) and its siblings.
///
/// Every message names the thing at fault (directory, revision, commit) and ends with what to do
/// about it, because these errors are printed as they are by the command line.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The directory is not inside a git repository.
    #[error(
        "{}: not a git repository (nor inside one): {reason}; run provgate inside a repository or name its directory",
        dir.display()
    )]
    NotARepository {
        /// The directory that was given.
        dir: PathBuf,
        /// What gitoxide said, for the rare case where the directory is a repository it cannot open.
        reason: String,
    },

    /// A revision in the range names nothing in the repository.
    #[error(
        "unknown revision `{rev}`: {reason}; see `git log --oneline -5` or `git branch -a` for names that exist"
    )]
    UnknownRevision {
        /// The revision as written in the range.
        rev: String,
        /// Why it could not be resolved.
        reason: String,
    },

    /// A revision resolves to an object that is not a commit (and no tag leads to one).
    #[error("`{rev}` names a {kind}, not a commit; name a commit, branch or tag instead")]
    NotACommit {
        /// The revision as written in the range.
        rev: String,
        /// The kind of object it names (`tree`, `blob`).
        kind: String,
    },

    /// The range is not written in a form this reader understands.
    #[error(
        "invalid range `{range}`: {reason}; write `A..B`, `A...B`, `^A B` or a single commit `A`"
    )]
    InvalidRange {
        /// The range as given.
        range: String,
        /// What is wrong with it.
        reason: String,
    },

    /// HEAD is detached or unborn, so there is no branch whose upstream bounds the default range.
    #[error(
        "HEAD is not on a branch ({state}), so there is no upstream to compare with; name a range, e.g. `provgate check origin/main..HEAD`"
    )]
    NoBranch {
        /// `detached at <id>` or `unborn branch`.
        state: String,
    },

    /// The current branch has no upstream (or its remote-tracking branch was never fetched).
    #[error(
        "branch `{branch}` has no upstream{detail}; name a range, e.g. `provgate check origin/main..HEAD`, or set one with `git branch --set-upstream-to=origin/main`"
    )]
    NoUpstream {
        /// The current branch.
        branch: String,
        /// Extra detail, e.g. ` (refs/remotes/origin/main does not exist)`; may be empty.
        detail: String,
    },

    /// Commits of the range sit on the boundary of a shallow clone: their parents were never
    /// fetched, so their changes cannot be computed.
    #[error(
        "the clone is shallow: commit {commit}{} has no parent in this repository, so its changes cannot be computed; run `git fetch --unshallow` (or `git fetch --deepen=N`) or name a shorter range",
        others(*count)
    )]
    ShallowHistory {
        /// The oldest such commit of the range.
        commit: String,
        /// How many commits of the range are affected.
        count: usize,
    },

    /// Objects that commits of the range need are missing from the repository.
    #[error(
        "object {object} needed by commit {commit}{} is missing from the repository; run `git fetch --unshallow` (or `git fetch --refetch` for a damaged or partial clone)",
        others(*count)
    )]
    MissingObjects {
        /// The oldest commit of the range that needs a missing object.
        commit: String,
        /// The first missing object found (a commit, tree or blob id).
        object: String,
        /// How many commits of the range are affected.
        count: usize,
    },

    /// An object exists but could not be read or decoded.
    #[error("cannot read {what}: {reason}")]
    Read {
        /// What was being read, e.g. `commit 1234…` or `blob 5678… (src/x.c)`.
        what: String,
        /// What gitoxide or the parser said.
        reason: String,
    },

    /// A git command exited with a failure.
    #[error("git {command} failed: {detail}")]
    Command {
        /// The command line after `git`, as the user would type it.
        command: String,
        /// git's standard error, trimmed (empty when git said nothing).
        detail: String,
    },

    /// git could not be started (not installed, or the directory does not exist).
    #[error("cannot run git {command}: {source}")]
    Spawn {
        /// The command line after `git`.
        command: String,
        /// Why it could not be started or read.
        #[source]
        source: std::io::Error,
    },

    /// An object listed as a note or blob is something else.
    #[error("{id}: {header}")]
    NotABlob {
        /// The object id asked for.
        id: String,
        /// The line `git cat-file --batch` answered with (e.g. `<id> missing`).
        header: String,
    },

    /// A directory given as a public-inbox archive is neither an inbox (`git/N.git` epochs) nor
    /// an epoch repository.
    #[error(
        "{}: not a public-inbox archive: {reason}; name the inbox directory (holding git/0.git, git/1.git, …) or one epoch repository",
        dir.display()
    )]
    NotAnInbox {
        /// The directory that was given (or the epoch that could not be opened).
        dir: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// The cursor stored for an epoch is no longer on its history: the archive was rewritten
    /// (`public-inbox-purge`, `public-inbox-edit`) or replaced by another one.
    #[error(
        "epoch {epoch}: the last commit read, {cursor}, is not an ancestor of the head {head} ({reason}); the epoch's history was rewritten, so read it again from its start (and drop what was counted from it before)"
    )]
    InboxCursorLost {
        /// The epoch's number.
        epoch: u32,
        /// The cursor as stored.
        cursor: String,
        /// The epoch's head now.
        head: String,
        /// Why the cursor cannot be used.
        reason: String,
    },

    /// The worker thread pool could not be built.
    #[error("cannot start {threads} worker threads: {reason}")]
    Threads {
        /// The number of threads asked for.
        threads: usize,
        /// What rayon said.
        reason: String,
    },
}

fn others(count: usize) -> String {
    match count {
        0 | 1 => String::new(),
        2 => " (and 1 other commit of the range)".to_string(),
        n => format!(" (and {} other commits of the range)", n - 1),
    }
}
