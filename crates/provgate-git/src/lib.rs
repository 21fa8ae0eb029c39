//! Reads the commits of a git revision range into provgate's contribution model.
//!
//! A commit becomes a [`Patch`] with the same files, statuses, renames, hunks and line counts
//! that `git log -p` / `git log --numstat` show for it, and the trailers
//! `git interpret-trailers --parse` finds in its message. Agreeing with git matters more than
//! anything else here: a policy verdict that counts added lines differently from `git` is a
//! verdict nobody can check. So the parts where git's behaviour is subtle are ports of git's own
//! code rather than gitoxide's approximations: the revision walk and its order ([`range`]),
//! rename detection ([`rename`]), and hunk layout ([`hunks`]). gitoxide supplies object access,
//! tree diffs and the Myers line diff (which follows xdiff's heuristics).
//!
//! Commits are walked serially and diffed in parallel (one thread-local repository handle per
//! worker, as `gix::Repository` is not `Sync`); results are always delivered in walk order.
//!
//! ```no_run
//! use provgate_git::{RangeOptions, read_range};
//! let read = read_range("path/to/repo".as_ref(), "origin/main..HEAD", &RangeOptions::default())?;
//! for patch in &read.patches {
//!     println!("{} +{} -{}", patch.subject, patch.added(), patch.removed());
//! }
//! # Ok::<(), provgate_git::GitError>(())
//! ```

mod commit;
mod error;
mod hunks;
mod patch;
mod range;
mod rename;

use std::path::Path;
use std::sync::Mutex;

pub use error::GitError;
use provgate_patch::Patch;

use crate::patch::Worker;

/// How to read a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeOptions {
    /// Read at most this many commits: the newest ones, like `git log -n N` (merges that are
    /// skipped do not count).
    pub max_count: Option<usize>,
    /// Follow only first parents (`git log --first-parent`): the history of a mainline, without
    /// the commits that merges brought in.
    pub first_parent: bool,
    /// Read merge commits too, diffed against their first parent. By default they are skipped
    /// (and counted in [`RangeRead::merges_skipped`]), as a merge carries no authored change of
    /// its own unless it resolved conflicts.
    pub include_merges: bool,
    /// Lines of context around changes in hunks (git's default is 3). Context changes which
    /// lines hunks show, never which lines are added or removed.
    pub context_lines: u32,
    /// Worker threads for diffing: `None` uses rayon's global pool (one per core), `Some(1)`
    /// reads on the calling thread.
    pub threads: Option<usize>,
}

impl Default for RangeOptions {
    fn default() -> Self {
        RangeOptions {
            max_count: None,
            first_parent: false,
            include_merges: false,
            context_lines: 3,
            threads: None,
        }
    }
}

/// The patches of a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeRead {
    /// One patch per commit, oldest first (the order of `git log --reverse`, and of
    /// `git format-patch`).
    pub patches: Vec<Patch>,
    /// How many merge commits the range held that were not read (see
    /// [`RangeOptions::include_merges`]); reports mention them so that nobody thinks they were
    /// checked.
    pub merges_skipped: usize,
    /// The range as given, for reports.
    pub range: String,
}

/// What [`for_each_commit`] walked, apart from the patches it delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RangeSummary {
    /// How many commits were delivered to the callback (successfully read or not).
    pub commits: usize,
    /// Merge commits skipped, as in [`RangeRead::merges_skipped`].
    pub merges_skipped: usize,
}

/// Reads every commit of `range` in the repository at (or above) `repo_dir`.
///
/// Ranges are written as for `git log`: `A..B`, `A...B` (commits on either side but not their
/// common ancestry), `^A B`, `A^!`, or a single revision `A`, which means that one commit only,
/// as `git show A` does — unless [`RangeOptions::max_count`] is set, in which case it means the
/// newest commits of A's history, as `git log -n N A` does (`Some(usize::MAX)` for all of it).
/// Annotated tags are peeled to their commits; an empty side of `..` or `...` is `HEAD`. The first commit that cannot be read ends the read with its error; use
/// [`for_each_commit`] to carry on past such commits.
pub fn read_range(
    repo_dir: &Path,
    range: &str,
    opts: &RangeOptions,
) -> Result<RangeRead, GitError> {
    let mut patches = Vec::new();
    let mut first_error = None;
    let summary = for_each_commit(repo_dir, range, opts, |result| match result {
        Ok(patch) if first_error.is_none() => patches.push(patch),
        Ok(_) => {}
        Err(e) => {
            first_error.get_or_insert(e);
        }
    })?;
    if let Some(e) = first_error {
        return Err(e);
    }
    Ok(RangeRead {
        patches,
        merges_skipped: summary.merges_skipped,
        range: range.to_string(),
    })
}

/// Reads the commits of `range` one by one, oldest first, handing each to `f` as soon as it
/// and all older ones are ready, so that whole histories (tens of thousands of commits) are read
/// in parallel without holding them all in memory.
///
/// Errors about the range itself (no repository, unknown revision, shallow history) are
/// returned before any commit is delivered; an error reading one commit is delivered in its
/// place and the walk goes on.
pub fn for_each_commit(
    repo_dir: &Path,
    range: &str,
    opts: &RangeOptions,
    mut f: impl FnMut(Result<Patch, GitError>),
) -> Result<RangeSummary, GitError> {
    let repo = open(repo_dir)?;
    let selection = range::select(&repo, range, opts)?;
    let summary = RangeSummary {
        commits: selection.commits.len(),
        merges_skipped: selection.merges_skipped,
    };
    let threads = opts.threads.unwrap_or_else(rayon::current_num_threads);
    if threads <= 1 || selection.commits.len() < 2 {
        let mut worker = Worker::new(repo, opts.context_lines);
        for id in selection.commits {
            f(worker.patch(id));
        }
        return Ok(summary);
    }

    let pool = match opts.threads {
        None => None,
        Some(n) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| GitError::Threads {
                    threads: n,
                    reason: e.to_string(),
                })?,
        ),
    };
    let shared = repo.into_sync();
    let idle: Mutex<Vec<Worker>> = Mutex::new(Vec::new());
    // Chunks bound the memory held by finished patches waiting for older ones; a few dozen
    // commits per thread keep every thread busy between two deliveries.
    let chunk = (threads * 32).max(64);
    for ids in selection.commits.chunks(chunk) {
        let compute = || {
            use rayon::prelude::*;
            ids.par_iter()
                .map_init(
                    || PooledWorker::take(&idle, &shared, opts.context_lines),
                    |worker, &id| worker.get().patch(id),
                )
                .collect::<Vec<_>>()
        };
        let results = match &pool {
            Some(pool) => pool.install(compute),
            None => compute(),
        };
        results.into_iter().for_each(&mut f);
    }
    Ok(summary)
}

/// A worker borrowed from the idle list for one rayon job and given back when the job ends, so
/// that caches and buffers survive from chunk to chunk.
struct PooledWorker<'a> {
    worker: Option<Worker>,
    idle: &'a Mutex<Vec<Worker>>,
}

impl<'a> PooledWorker<'a> {
    fn take(
        idle: &'a Mutex<Vec<Worker>>,
        shared: &gix::ThreadSafeRepository,
        context: u32,
    ) -> Self {
        let reused = idle.lock().ok().and_then(|mut v| v.pop());
        let worker = reused.unwrap_or_else(|| Worker::new(thread_local(shared), context));
        PooledWorker {
            worker: Some(worker),
            idle,
        }
    }

    fn get(&mut self) -> &mut Worker {
        self.worker.as_mut().expect("present until dropped")
    }
}

impl Drop for PooledWorker<'_> {
    fn drop(&mut self) {
        if let (Some(worker), Ok(mut idle)) = (self.worker.take(), self.idle.lock()) {
            idle.push(worker);
        }
    }
}

/// Object cache per handle: trees and commits of neighbouring commits are read again and again.
const OBJECT_CACHE_BYTES: usize = 64 * 1024 * 1024;

fn thread_local(shared: &gix::ThreadSafeRepository) -> gix::Repository {
    let mut repo = shared.to_thread_local();
    repo.object_cache_size_if_unset(OBJECT_CACHE_BYTES);
    repo
}

fn open(repo_dir: &Path) -> Result<gix::Repository, GitError> {
    let mut repo = gix::discover(repo_dir).map_err(|e| GitError::NotARepository {
        dir: repo_dir.to_path_buf(),
        reason: range::first_line(&e.to_string()),
    })?;
    repo.object_cache_size_if_unset(OBJECT_CACHE_BYTES);
    Ok(repo)
}

/// The range a check of "my branch" means: `<upstream>..HEAD` for the current branch, with the
/// upstream written as its short name (e.g. `origin/main..HEAD`) when that name is unambiguous.
pub fn default_range(repo_dir: &Path) -> Result<String, GitError> {
    let repo = open(repo_dir)?;
    let head = repo.head().map_err(|e| GitError::Read {
        what: "HEAD".into(),
        reason: range::first_line(&e.to_string()),
    })?;
    let name = match head.kind {
        gix::head::Kind::Symbolic(reference) => reference.name,
        gix::head::Kind::Unborn(_) => {
            return Err(GitError::NoBranch {
                state: "unborn branch without commits".into(),
            });
        }
        gix::head::Kind::Detached { target, .. } => {
            return Err(GitError::NoBranch {
                state: format!("detached at {}", target.to_hex_with_len(12)),
            });
        }
    };
    let branch = name.shorten().to_string();
    let upstream =
        match repo.branch_remote_tracking_ref_name(name.as_ref(), gix::remote::Direction::Fetch) {
            None => {
                return Err(GitError::NoUpstream {
                    branch,
                    detail: String::new(),
                });
            }
            Some(Err(e)) => {
                return Err(GitError::NoUpstream {
                    branch,
                    detail: format!(" ({})", range::first_line(&e.to_string())),
                });
            }
            Some(Ok(upstream)) => upstream,
        };
    let full = upstream.as_bstr().to_string();
    let target = match repo.try_find_reference(upstream.as_ref()) {
        Ok(Some(mut reference)) => reference.peel_to_id().ok().map(|id| id.detach()),
        _ => None,
    };
    let Some(target) = target else {
        return Err(GitError::NoUpstream {
            branch,
            detail: format!(" ({full} does not exist; fetch it first)"),
        });
    };
    let short = upstream.shorten().to_string();
    let unambiguous = repo
        .rev_parse_single(short.as_str())
        .is_ok_and(|id| id.detach() == target);
    Ok(format!("{}..HEAD", if unambiguous { short } else { full }))
}
