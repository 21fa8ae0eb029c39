//! Which commits a range names, in the order `git log --reverse` lists them.
//!
//! The walk is a port of git's own (`revision.c`: `limit_list`, `process_parents`,
//! `mark_parents_uninteresting`, `still_interesting`) rather than gitoxide's, for two reasons:
//! gitoxide's date queue breaks ties between equal commit dates arbitrarily, while git takes them
//! first in, first out (and rebased series often share one committer second), and gitoxide does
//! not peel annotated tags in ranges. Agreeing with `git log` on the order of a series matters
//! because rules look at a patch's position in it.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use gix::ObjectId;
use gix::objs::Find;

use crate::commit::RawCommit;
use crate::{GitError, RangeOptions};

/// The commits a range selected, oldest first, and what was left out.
#[derive(Debug, Default)]
pub(crate) struct Selection {
    /// Commits to read, oldest first (the order of `git log --reverse`).
    pub commits: Vec<ObjectId>,
    /// Merge commits that matched but were skipped.
    pub merges_skipped: usize,
}

/// One revision argument of a range.
#[derive(Debug, PartialEq, Eq)]
enum Arg<'a> {
    /// `A`: A and its ancestors (a single one alone means that commit only).
    Include(&'a str),
    /// `^A`: not A nor its ancestors.
    Exclude(&'a str),
    /// `A..B`.
    Range(&'a str, &'a str),
    /// `A...B`: either side, but not their common ancestry.
    Symmetric(&'a str, &'a str),
    /// `A^!`: A without its parents.
    OnlyCommit(&'a str),
}

fn parse_args(range: &str) -> Result<Vec<Arg<'_>>, GitError> {
    let invalid = |reason: &str| GitError::InvalidRange {
        range: range.to_string(),
        reason: reason.to_string(),
    };
    let mut args = Vec::new();
    for word in range.split_whitespace() {
        let arg = if let Some(rest) = word.strip_prefix('^') {
            if rest.is_empty() || rest.contains("..") {
                return Err(invalid("`^` must be followed by a single revision"));
            }
            Arg::Exclude(rest)
        } else if let Some((a, b)) = word.split_once("...") {
            if a.is_empty() && b.is_empty() {
                return Err(invalid("`...` needs a revision on at least one side"));
            }
            Arg::Symmetric(a, b)
        } else if let Some((a, b)) = word.split_once("..") {
            if a.is_empty() && b.is_empty() {
                return Err(invalid("`..` needs a revision on at least one side"));
            }
            Arg::Range(a, b)
        } else if let Some(rev) = word.strip_suffix("^!") {
            Arg::OnlyCommit(rev)
        } else {
            Arg::Include(word)
        };
        args.push(arg);
    }
    if args.is_empty() {
        return Err(invalid("it is empty"));
    }
    if !args.iter().any(|a| !matches!(a, Arg::Exclude(_))) {
        return Err(invalid(
            "it only excludes commits; add the commit to start from",
        ));
    }
    Ok(args)
}

/// Resolves a revision to a commit id, peeling annotated tags as `git log` does.
pub(crate) fn resolve(repo: &gix::Repository, rev: &str) -> Result<ObjectId, GitError> {
    let rev = if rev.is_empty() { "HEAD" } else { rev };
    let id = repo
        .rev_parse_single(rev)
        .map_err(|e| GitError::UnknownRevision {
            rev: rev.to_string(),
            reason: first_line(&e.to_string()),
        })?
        .detach();
    let object = repo
        .find_object(id)
        .map_err(|e| GitError::UnknownRevision {
            rev: rev.to_string(),
            reason: first_line(&e.to_string()),
        })?;
    let kind = object.kind;
    let peeled = object.peel_tags_to_end().map_err(|e| GitError::Read {
        what: format!("tag `{rev}`"),
        reason: first_line(&e.to_string()),
    })?;
    match peeled.kind {
        gix::objs::Kind::Commit => Ok(peeled.id),
        other => Err(GitError::NotACommit {
            rev: rev.to_string(),
            kind: if kind == gix::objs::Kind::Tag {
                format!("tag pointing at a {other}")
            } else {
                other.to_string()
            },
        }),
    }
}

pub(crate) fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}

/// Selects the commits of `range` as `git log --reverse [--no-merges] [--first-parent] [-n N]`.
pub(crate) fn select(
    repo: &gix::Repository,
    range: &str,
    opts: &RangeOptions,
) -> Result<Selection, GitError> {
    let args = parse_args(range)?;
    let mut walk = Walk::new(repo, opts.first_parent)?;

    if let ([Arg::Include(rev)], None) = (args.as_slice(), opts.max_count) {
        // `git show A`: the commit alone, not its history (with a count, `git log -N A`).
        let id = resolve(repo, rev)?;
        let idx = walk.node(id);
        walk.parse(idx);
        let mut out = walk.finish(vec![idx], opts)?;
        out.commits.reverse();
        return Ok(out);
    }

    // Tips in command-line order, as git adds them to its pending list.
    let mut tips: Vec<(ObjectId, bool)> = Vec::new();
    for arg in &args {
        match *arg {
            Arg::Include(rev) => tips.push((resolve(repo, rev)?, false)),
            Arg::Exclude(rev) => tips.push((resolve(repo, rev)?, true)),
            Arg::Range(a, b) => {
                tips.push((resolve(repo, a)?, true));
                tips.push((resolve(repo, b)?, false));
            }
            Arg::Symmetric(a, b) => {
                let (a, b) = (resolve(repo, a)?, resolve(repo, b)?);
                let bases = repo.merge_bases_many(a, &[b]).map_err(|e| GitError::Read {
                    what: format!("the merge bases of {a} and {b}"),
                    reason: first_line(&e.to_string()),
                })?;
                tips.extend(bases.into_iter().map(|id| (id.detach(), true)));
                tips.push((a, false));
                tips.push((b, false));
            }
            Arg::OnlyCommit(rev) => {
                let id = resolve(repo, rev)?;
                let idx = walk.node(id);
                walk.parse(idx);
                for parent in walk.nodes[idx].parents.clone().unwrap_or_default() {
                    tips.push((walk.nodes[parent].id, true));
                }
                tips.push((id, false));
            }
        }
    }
    let shown = walk.run(&tips, opts);
    let mut out = walk.finish(shown, opts)?;
    out.commits.reverse();
    Ok(out)
}

const SEEN: u8 = 1;
const UNINTERESTING: u8 = 2;
const ADDED: u8 = 4;
/// Git's `SLOP`: how many more uninteresting commits to look at once only they are left.
const SLOP: u32 = 5;

struct Node {
    id: ObjectId,
    /// Committer date, as git orders its walk by it.
    date: i64,
    flags: u8,
    /// `None` until the commit was read; empty for roots, shallow and missing commits.
    parents: Option<Vec<usize>>,
    /// The real number of parents, for telling merges apart even across a shallow boundary.
    parent_count: usize,
    missing: bool,
    shallow: bool,
}

struct Walk<'r> {
    repo: &'r gix::Repository,
    first_parent: bool,
    nodes: Vec<Node>,
    index: HashMap<ObjectId, usize>,
    shallow: HashSet<ObjectId>,
    queue: BinaryHeap<(i64, Reverse<u64>, usize)>,
    seq: u64,
    buf: Vec<u8>,
}

impl<'r> Walk<'r> {
    fn new(repo: &'r gix::Repository, first_parent: bool) -> Result<Self, GitError> {
        let shallow = repo
            .shallow_commits()
            .map_err(|e| GitError::Read {
                what: "the shallow file".into(),
                reason: first_line(&e.to_string()),
            })?
            .map(|commits| commits.iter().copied().collect())
            .unwrap_or_default();
        Ok(Walk {
            repo,
            first_parent,
            nodes: Vec::new(),
            index: HashMap::new(),
            shallow,
            queue: BinaryHeap::new(),
            seq: 0,
            buf: Vec::new(),
        })
    }

    fn node(&mut self, id: ObjectId) -> usize {
        if let Some(&idx) = self.index.get(&id) {
            return idx;
        }
        let idx = self.nodes.len();
        self.nodes.push(Node {
            id,
            date: 0,
            flags: 0,
            parents: None,
            parent_count: 0,
            missing: false,
            shallow: false,
        });
        self.index.insert(id, idx);
        idx
    }

    /// Reads a commit's date and parents once (git's `parse_commit`). A commit that cannot be
    /// read is remembered as missing and treated as a root, as `git rev-list --missing=allow-any`
    /// would, so that the caller can count every affected commit before failing.
    fn parse(&mut self, idx: usize) {
        if self.nodes[idx].parents.is_some() {
            return;
        }
        let id = self.nodes[idx].id;
        let found = self.repo.objects.try_find(&id, &mut self.buf);
        let (date, parent_ids, missing) = match found {
            Ok(Some(data)) if data.kind == gix::objs::Kind::Commit => {
                let raw = RawCommit::parse(data.data);
                let date = raw
                    .committer
                    .and_then(|c| crate::commit::parse_ident(c, crate::commit::Encoding::Utf8).date)
                    .map_or(0, |d| d.seconds);
                (date, raw.parents, false)
            }
            _ => (0, Vec::new(), true),
        };
        let shallow = self.shallow.contains(&id);
        let parents = if shallow {
            Vec::new()
        } else {
            parent_ids.iter().map(|&p| self.node(p)).collect()
        };
        let node = &mut self.nodes[idx];
        node.date = date;
        node.parent_count = parent_ids.len();
        node.parents = Some(parents);
        node.missing = missing;
        node.shallow = shallow;
    }

    fn push(&mut self, idx: usize) {
        self.seq += 1;
        self.queue
            .push((self.nodes[idx].date, Reverse(self.seq), idx));
    }

    fn parents(&self, idx: usize) -> Vec<usize> {
        self.nodes[idx].parents.clone().unwrap_or_default()
    }

    /// Git's `mark_parents_uninteresting`: propagates through parents already read.
    fn mark_parents_uninteresting(&mut self, idx: usize) {
        let mut stack: Vec<usize> = Vec::new();
        let mark = |walk: &mut Self, p: usize, stack: &mut Vec<usize>| {
            if walk.nodes[p].flags & UNINTERESTING != 0 {
                return;
            }
            walk.nodes[p].flags |= UNINTERESTING;
            if let Some(parents) = &walk.nodes[p].parents {
                stack.extend(parents.iter().copied());
            }
        };
        for p in self.parents(idx) {
            mark(self, p, &mut stack);
        }
        while let Some(p) = stack.pop() {
            mark(self, p, &mut stack);
        }
    }

    /// Git's `process_parents` for the date-ordered list.
    fn process_parents(&mut self, idx: usize) {
        if self.nodes[idx].flags & ADDED != 0 {
            return;
        }
        self.nodes[idx].flags |= ADDED;
        if self.nodes[idx].flags & UNINTERESTING != 0 {
            for p in self.parents(idx) {
                self.nodes[p].flags |= UNINTERESTING;
                self.parse(p);
                if self.nodes[p]
                    .parents
                    .as_ref()
                    .is_some_and(|v| !v.is_empty())
                {
                    self.mark_parents_uninteresting(p);
                }
                if self.nodes[p].flags & SEEN != 0 {
                    continue;
                }
                self.nodes[p].flags |= SEEN;
                self.push(p);
            }
            return;
        }
        for p in self.parents(idx) {
            self.parse(p);
            if self.nodes[p].flags & SEEN == 0 {
                self.nodes[p].flags |= SEEN;
                self.push(p);
            }
            if self.first_parent {
                break;
            }
        }
    }

    /// Git's `everybody_uninteresting` over the queue.
    fn everybody_uninteresting(&self, cache: &mut Option<usize>) -> bool {
        if let Some(c) = *cache
            && self.nodes[c].flags & UNINTERESTING == 0
        {
            return false;
        }
        for &(_, _, idx) in self.queue.iter() {
            if self.nodes[idx].flags & UNINTERESTING == 0 {
                *cache = Some(idx);
                return false;
            }
        }
        true
    }

    /// The walk of `limit_list` (with uninteresting tips) or of `get_revision` (without), giving
    /// the candidates newest first; an early stop once enough are found when nothing is excluded.
    fn run(&mut self, tips: &[(ObjectId, bool)], opts: &RangeOptions) -> Vec<usize> {
        // Flags first, as git sets them while parsing the arguments.
        let mut pending = Vec::new();
        for &(id, exclude) in tips {
            let idx = self.node(id);
            if exclude {
                self.nodes[idx].flags |= UNINTERESTING;
            }
            pending.push(idx);
        }
        let limited = tips.iter().any(|&(_, exclude)| exclude);
        for &idx in &pending {
            self.parse(idx);
            if self.nodes[idx].flags & UNINTERESTING != 0 {
                self.mark_parents_uninteresting(idx);
            }
        }
        // `commit_list_sort_by_date` is stable, as is the sequence number of the queue.
        let mut unique = Vec::new();
        for idx in pending {
            if self.nodes[idx].flags & SEEN == 0 {
                self.nodes[idx].flags |= SEEN;
                unique.push(idx);
            }
        }
        unique.sort_by_key(|&idx| Reverse(self.nodes[idx].date));
        for idx in unique {
            self.push(idx);
        }

        let wanted = opts.max_count.unwrap_or(usize::MAX);
        let mut shown = Vec::new();
        let mut counted = 0usize;
        let mut slop = SLOP;
        let mut date = i64::MAX;
        let mut interesting_cache = None;
        while let Some((_, _, idx)) = self.queue.pop() {
            if interesting_cache == Some(idx) {
                interesting_cache = None;
            }
            self.process_parents(idx);
            if self.nodes[idx].flags & UNINTERESTING != 0 {
                self.mark_parents_uninteresting(idx);
                slop = match self.queue.peek() {
                    None => 0,
                    Some(&(head_date, _, _)) if date <= head_date => SLOP,
                    Some(_) if !self.everybody_uninteresting(&mut interesting_cache) => SLOP,
                    Some(_) => slop - 1,
                };
                if slop > 0 {
                    continue;
                }
                break;
            }
            date = self.nodes[idx].date;
            shown.push(idx);
            if !limited {
                if opts.include_merges || self.nodes[idx].parent_count <= 1 {
                    counted += 1;
                }
                if counted >= wanted {
                    break;
                }
            }
        }
        shown
    }

    /// Drops what became uninteresting, skips merges, applies `max_count`, and checks that every
    /// selected commit can be diffed against its first parent.
    fn finish(&mut self, shown: Vec<usize>, opts: &RangeOptions) -> Result<Selection, GitError> {
        let wanted = opts.max_count.unwrap_or(usize::MAX);
        let mut out = Selection::default();
        let mut selected = Vec::new();
        for idx in shown {
            if selected.len() >= wanted {
                break;
            }
            let node = &self.nodes[idx];
            // A commit that could not be read is no commit to show; the commits that need it
            // are reported below.
            if node.flags & UNINTERESTING != 0 || node.missing {
                continue;
            }
            if node.parent_count > 1 && !opts.include_merges {
                out.merges_skipped += 1;
                continue;
            }
            selected.push(idx);
        }

        // Oldest first, so that the error names the first commit the user would meet.
        let mut shallow = Vec::new();
        let mut missing = Vec::new();
        for &idx in selected.iter().rev() {
            let node = &self.nodes[idx];
            if node.shallow && node.parent_count > 0 {
                shallow.push(node.id);
            } else if let Some(&first) = node.parents.as_ref().and_then(|p| p.first()) {
                self.parse(first);
                if self.nodes[first].missing {
                    missing.push((self.nodes[idx].id, self.nodes[first].id));
                }
            }
        }
        if let Some(&commit) = shallow.first() {
            return Err(GitError::ShallowHistory {
                commit: commit.to_string(),
                count: shallow.len(),
            });
        }
        if let Some(&(commit, object)) = missing.first() {
            return Err(GitError::MissingObjects {
                commit: commit.to_string(),
                object: object.to_string(),
                count: missing.len(),
            });
        }
        out.commits = selected.into_iter().map(|idx| self.nodes[idx].id).collect();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_forms() {
        assert_eq!(parse_args("a..b").unwrap(), vec![Arg::Range("a", "b")]);
        assert_eq!(parse_args("a...").unwrap(), vec![Arg::Symmetric("a", "")]);
        assert_eq!(
            parse_args("^a b").unwrap(),
            vec![Arg::Exclude("a"), Arg::Include("b")]
        );
        assert_eq!(parse_args("x^!").unwrap(), vec![Arg::OnlyCommit("x")]);
        assert!(parse_args("").is_err());
        assert!(parse_args("..").is_err());
        assert!(parse_args("^a").is_err());
    }
}
