//! What a push sends, found without walking more history than needed: the commits a remote or
//! an upstream is known to have, merge bases, and the commits a tip adds over them, listed only
//! as far as a cap.
//!
//! A pre-push hook runs while the user waits, on histories of any size (git/git has over 70,000
//! commits), so every walk here stops early: known commits are excluded by git itself and
//! [`commits_between`] asks for one commit more than it may return.

use std::path::Path;

use crate::GitError;
use crate::cli::Git;

/// A ref and the commit it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefTip {
    /// The full ref name (`refs/remotes/origin/main`).
    pub name: String,
    /// The commit's full id.
    pub commit: String,
}

/// The commit `rev` names (`git rev-parse --verify --quiet REV^{commit}`), or `None` when the
/// repository has no such commit: a ref that does not exist, or a commit never fetched. An
/// object that exists but is no commit (a tree) is [`GitError::Command`] with git's words.
pub fn find_commit(repo: &Path, rev: &str) -> Result<Option<String>, GitError> {
    let git = Git::in_dir(repo).args(&[
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        &format!("{rev}^{{commit}}"),
    ]);
    // `--quiet` makes a missing commit exit 1 without a word; anything said is another failure.
    git.run_answer()
}

/// The remote-tracking refs of `remote` (`refs/remotes/REMOTE/*`) and their commits: what this
/// repository last saw of the remote. Empty for a remote never fetched, or when `remote` is a
/// URL rather than a configured remote's name.
pub fn remote_tracking_refs(repo: &Path, remote: &str) -> Result<Vec<RefTip>, GitError> {
    // A URL or anything with glob characters names no remote-tracking refs, and must not be
    // read as a pattern.
    if remote.is_empty() || remote.contains(['*', '?', '[', ':', '\\']) {
        return Ok(Vec::new());
    }
    let out = Git::in_dir(repo)
        .args(&[
            "for-each-ref",
            "--format=%(objectname) %(refname)",
            &format!("refs/remotes/{remote}/"),
        ])
        .run_ok()?;
    Ok(String::from_utf8_lossy(&out)
        .lines()
        .filter_map(|line| {
            let (commit, name) = line.split_once(' ')?;
            Some(RefTip {
                name: name.to_string(),
                commit: commit.to_string(),
            })
        })
        // Tags and other objects cannot be reached by a commit walk's exclusion anyway; a
        // symbolic HEAD repeats a branch.
        .filter(|tip| !tip.name.ends_with("/HEAD"))
        .collect())
}

/// The upstream of the local branch `local_ref` (`refs/heads/NAME`, its
/// `branch.NAME.merge` as a remote-tracking ref) when it is set and that ref exists; `None`
/// for other refs, branches without an upstream, and upstreams never fetched.
pub fn upstream(repo: &Path, local_ref: &str) -> Result<Option<RefTip>, GitError> {
    if !local_ref.starts_with("refs/heads/") {
        return Ok(None);
    }
    // `for-each-ref` rather than `REF@{upstream}`: the latter does not accept a full ref name.
    let out = Git::in_dir(repo)
        .args(&["for-each-ref", "--format=%(refname) %(upstream)", local_ref])
        .run_ok()?;
    let text = String::from_utf8_lossy(&out);
    let Some(name) = text.lines().find_map(|line| {
        let (name, upstream) = line.split_once(' ')?;
        (name == local_ref && !upstream.is_empty()).then(|| upstream.to_string())
    }) else {
        return Ok(None);
    };
    Ok(find_commit(repo, &name)?.map(|commit| RefTip { name, commit }))
}

/// The branch work is usually based on: `origin/HEAD` (the default branch of the remote the
/// repository was cloned from, as its symbolic ref names it), else a local `main`, else a local
/// `master`; `None` when there is none of them.
pub fn default_branch(repo: &Path) -> Result<Option<RefTip>, GitError> {
    if let Some(commit) = find_commit(repo, "refs/remotes/origin/HEAD")? {
        let out = Git::in_dir(repo)
            .args(&["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"])
            .run()?;
        let target = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let name = if out.success && !target.is_empty() {
            target
        } else {
            "refs/remotes/origin/HEAD".to_string()
        };
        return Ok(Some(RefTip { name, commit }));
    }
    for name in ["refs/heads/main", "refs/heads/master"] {
        if let Some(commit) = find_commit(repo, name)? {
            return Ok(Some(RefTip {
                name: name.to_string(),
                commit,
            }));
        }
    }
    Ok(None)
}

/// The best common ancestor of `a` and `b` (`git merge-base A B`); `None` when their histories
/// share no commit.
pub fn merge_base(repo: &Path, a: &str, b: &str) -> Result<Option<String>, GitError> {
    let git = Git::in_dir(repo).args(&["merge-base", "--end-of-options", a, b]);
    // Exit 1 without a word: unrelated histories.
    git.run_answer()
}

/// Whether `commit` has no parent (`git rev-parse --verify --quiet COMMIT^` names nothing).
pub fn is_root(repo: &Path, commit: &str) -> Result<bool, GitError> {
    Ok(find_commit(repo, &format!("{commit}^"))?.is_none())
}

/// The best common ancestor of all of `commits` (`git merge-base --octopus`); `None` when they
/// share none, or `commits` is empty.
pub fn merge_base_of_all(repo: &Path, commits: &[String]) -> Result<Option<String>, GitError> {
    if commits.is_empty() {
        return Ok(None);
    }
    let mut args = vec!["merge-base", "--octopus", "--end-of-options"];
    args.extend(commits.iter().map(String::as_str));
    // One line a base when there are several equally good ones: the first will do.
    Ok(Git::in_dir(repo)
        .args(&args)
        .run_answer()?
        .and_then(|out| out.lines().next().map(str::to_string)))
}

/// The ref `HEAD` names (`refs/heads/main`), or `None` on a detached HEAD.
pub fn head_ref(repo: &Path) -> Result<Option<String>, GitError> {
    Git::in_dir(repo)
        .args(&["symbolic-ref", "--quiet", "HEAD"])
        .run_answer()
}

/// Whether `tip` shares a commit with any of `others` (`git merge-base TIP OTHERS…` finds a
/// base; exit 1 without a word when there is none).
///
/// Asked before [`commits_between`] excludes `others`: excluded commits make git walk every
/// commit it must list before it can apply `--max-count`, so a pushed ref with no history in
/// common with them (an orphan `gh-pages`, an unrelated project) would be walked to its root,
/// whatever the cap. Without common history nothing is worth excluding, and the capped walk
/// of the tip alone stops after the cap.
pub fn shares_history(repo: &Path, tip: &str, others: &[String]) -> Result<bool, GitError> {
    if others.is_empty() {
        return Ok(false);
    }
    let mut args = vec!["merge-base", "--end-of-options", tip];
    args.extend(others.iter().map(String::as_str));
    Ok(Git::in_dir(repo).args(&args).run_answer()?.is_some())
}

/// The commits [`commits_between`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitList {
    /// Full ids, oldest first; when [`CommitList::more`] is set, only the newest `cap`.
    pub commits: Vec<String>,
    /// Whether there were more than the cap (how many more was not counted).
    pub more: bool,
}

/// The commits of `tip` that none of `known` reaches, merges left out, oldest first
/// (`git rev-list --reverse --no-merges TIP --not KNOWN…`), and at most the newest `cap` of them:
/// git stops walking after `cap + 1` when nothing is excluded; with `known` commits it walks
/// what it lists before applying the cap, which is bounded only when the tip shares history
/// with them, so callers with a cap ask [`shares_history`] first.
pub fn commits_between(
    repo: &Path,
    tip: &str,
    known: &[String],
    cap: Option<usize>,
) -> Result<CommitList, GitError> {
    let mut args = vec![
        "rev-list".to_string(),
        "--reverse".to_string(),
        "--no-merges".to_string(),
    ];
    if let Some(cap) = cap {
        args.push(format!("--max-count={}", cap.saturating_add(1)));
    }
    // Revisions go on standard input: a remote can have thousands of refs.
    args.push("--stdin".to_string());
    let mut input = format!("{tip}\n");
    if !known.is_empty() {
        input.push_str("--not\n");
        for commit in known {
            input.push_str(commit);
            input.push('\n');
        }
    }
    // git's own message names a revision it cannot find.
    let out = Git::in_dir(repo)
        .args(&args)
        .input(input.as_bytes())
        .run_ok()?;
    let mut commits: Vec<String> = String::from_utf8_lossy(&out)
        .lines()
        .map(str::to_string)
        .collect();
    // `--max-count` applies before `--reverse`: the extra commit is the oldest, listed first.
    let more = cap.is_some_and(|cap| commits.len() > cap);
    if more {
        commits.remove(0);
    }
    Ok(CommitList { commits, more })
}
