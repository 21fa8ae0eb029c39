//! Rename detection exactly as `git log` does it by default: `diff.renames=true`, a 50 %
//! similarity threshold, no copies, a rename limit of 1000.
//!
//! This is a port of git's `diffcore-rename.c` (exact renames by object id, then the unique
//! basename pass at 75 %, then the similarity matrix with four candidates per destination) and
//! of its similarity estimate in `diffcore-delta.c` (chunks of up to 64 bytes ending at a newline,
//! hashed and counted). gitoxide's own rename tracker estimates similarity from a line diff and
//! pairs candidates greedily per destination; both give different pairings than git on real
//! histories, and a rename that git shows as a deletion plus an addition (or the reverse) changes
//! every added/removed count a policy looks at.

use std::collections::HashMap;

use gix::ObjectId;

use crate::GitError;

/// Git's `MAX_SCORE` (a double in git, so that score arithmetic is done in floating point).
const MAX_SCORE: f64 = 60000.0;
/// Git's `DEFAULT_RENAME_SCORE`: 50 %.
const DEFAULT_RENAME_SCORE: i32 = 30000;
/// Git's `diff.renameLimit` default for diffs and logs.
const RENAME_LIMIT: u64 = 1000;
/// Git's `NUM_CANDIDATE_PER_DST`.
const NUM_CANDIDATE_PER_DST: usize = 4;
/// Git's `HASHBASE` in `diffcore-delta.c`.
const HASHBASE: u32 = 107_927;

/// One side of a change: a path, its object and its canonical mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Side {
    pub path: Vec<u8>,
    pub id: ObjectId,
    pub mode: u32,
}

/// A change between two trees, before rename detection.
#[derive(Debug, Clone)]
pub(crate) enum Change {
    Added(Side),
    Deleted(Side),
    Modified { old: Side, new: Side },
}

/// A change after rename detection: a rename pairs a deleted source with an added destination.
#[derive(Debug, Clone)]
pub(crate) struct Pair {
    pub old: Option<Side>,
    pub new: Option<Side>,
    /// The similarity score (0..=60000) of a rename.
    pub rename_score: Option<i32>,
}

impl Pair {
    /// Similarity in percent as git prints it (`similarity index N%`).
    pub fn similarity(&self) -> Option<u8> {
        self.rename_score
            .map(|score| (f64::from(score) * 100.0 / MAX_SCORE) as u8)
    }
}

/// Access to blob sizes and contents, cached per commit by the caller.
pub(crate) trait Blobs {
    /// The size of a blob in bytes.
    fn size(&mut self, id: &ObjectId) -> Result<u64, GitError>;
    /// The content of a blob.
    fn data(&mut self, id: &ObjectId) -> Result<&[u8], GitError>;
}

pub(crate) fn is_regular(mode: u32) -> bool {
    mode & 0o170000 == 0o100000
}

/// Whether git's `buffer_is_binary` calls the content binary: a NUL in the first 8000 bytes.
pub(crate) fn is_binary(data: &[u8]) -> bool {
    data[..data.len().min(8000)].contains(&0)
}

#[derive(Clone, Copy, Debug)]
struct Score {
    src: usize,
    dst: isize,
    score: i32,
    name_score: i32,
}

impl Score {
    const UNUSED: Score = Score {
        src: 0,
        dst: -1,
        score: 0,
        name_score: 0,
    };
}

/// Git's `score_compare`: most similar first, same basename first among equals, unused last.
fn score_compare(a: &Score, b: &Score) -> i32 {
    if a.dst < 0 {
        return i32::from(0 <= b.dst);
    } else if b.dst < 0 {
        return -1;
    }
    if a.score == b.score {
        return b.name_score - a.name_score;
    }
    b.score - a.score
}

fn record_if_better(m: &mut [Score; NUM_CANDIDATE_PER_DST], o: Score) {
    let mut worst = 0;
    for i in 1..NUM_CANDIDATE_PER_DST {
        if score_compare(&m[i], &m[worst]) > 0 {
            worst = i;
        }
    }
    if score_compare(&m[worst], &o) > 0 {
        m[worst] = o;
    }
}

fn basename(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|&b| b == b'/') {
        Some(slash) => &path[slash + 1..],
        None => path,
    }
}

/// Git's `basename_same`.
fn basename_same(src: &[u8], dst: &[u8]) -> bool {
    let (mut s, mut d) = (src.len(), dst.len());
    while s > 0 && d > 0 {
        s -= 1;
        d -= 1;
        let (c1, c2) = (src[s], dst[d]);
        if c1 != c2 {
            return false;
        }
        if c1 == b'/' {
            return true;
        }
    }
    (s == 0 || src[s - 1] == b'/') && (d == 0 || dst[d - 1] == b'/')
}

/// The chunk counts of a blob, sorted by hash (git's `hash_chars` and its `spanhash` table,
/// whose only observable content is the count per hash value).
fn hash_chars(data: &[u8]) -> Vec<(u32, u32)> {
    let is_text = !is_binary(data);
    let mut spans: Vec<(u32, u32)> = Vec::new();
    let (mut accum1, mut accum2) = (0u32, 0u32);
    let mut n = 0u32;
    let mut i = 0;
    while i < data.len() {
        let c = data[i];
        i += 1;
        // Ignore CR in a CRLF sequence if text.
        if is_text && c == b'\r' && i < data.len() && data[i] == b'\n' {
            continue;
        }
        let old_1 = accum1;
        accum1 = (accum1 << 7) ^ (accum2 >> 25);
        accum2 = (accum2 << 7) ^ (old_1 >> 25);
        accum1 = accum1.wrapping_add(u32::from(c));
        n += 1;
        if n < 64 && c != b'\n' {
            continue;
        }
        spans.push((accum1.wrapping_add(accum2.wrapping_mul(0x61)) % HASHBASE, n));
        n = 0;
        accum1 = 0;
        accum2 = 0;
    }
    if n > 0 {
        spans.push((accum1.wrapping_add(accum2.wrapping_mul(0x61)) % HASHBASE, n));
    }
    spans.sort_unstable_by_key(|&(hash, _)| hash);
    let mut merged: Vec<(u32, u32)> = Vec::with_capacity(spans.len());
    for (hash, count) in spans {
        match merged.last_mut() {
            Some(last) if last.0 == hash => last.1 += count,
            _ => merged.push((hash, count)),
        }
    }
    merged
}

/// Git's `diffcore_count_changes`: the bytes of the source found again in the destination.
fn count_copied(src: &[(u32, u32)], dst: &[(u32, u32)]) -> u64 {
    let (mut i, mut j) = (0, 0);
    let mut copied = 0u64;
    while i < src.len() && j < dst.len() {
        match src[i].0.cmp(&dst[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                copied += u64::from(src[i].1.min(dst[j].1));
                i += 1;
                j += 1;
            }
        }
    }
    copied
}

struct Estimator<'b, B: Blobs> {
    blobs: &'b mut B,
    spans: HashMap<ObjectId, Vec<(u32, u32)>>,
}

impl<B: Blobs> Estimator<'_, B> {
    /// Git's `estimate_similarity`: 0..=60000, 0 when the sizes alone rule the pair out.
    fn similarity(&mut self, src: &Side, dst: &Side, minimum_score: i32) -> Result<i32, GitError> {
        if !is_regular(src.mode) || !is_regular(dst.mode) {
            return Ok(0);
        }
        let (src_size, dst_size) = (self.blobs.size(&src.id)?, self.blobs.size(&dst.id)?);
        let max_size = src_size.max(dst_size);
        let base_size = src_size.min(dst_size);
        let delta_size = max_size - base_size;
        if (max_size as f64) * (MAX_SCORE - f64::from(minimum_score))
            < (delta_size as f64) * MAX_SCORE
        {
            return Ok(0);
        }
        for id in [&src.id, &dst.id] {
            if !self.spans.contains_key(id) {
                let spans = hash_chars(self.blobs.data(id)?);
                self.spans.insert(*id, spans);
            }
        }
        if dst_size == 0 {
            return Ok(0);
        }
        let copied = count_copied(&self.spans[&src.id], &self.spans[&dst.id]);
        Ok((copied as f64 * MAX_SCORE / max_size as f64) as i32)
    }
}

/// Pairs deletions with additions as git's `diffcore_rename` does for `git log`, keeping the
/// order of `changes` (a rename takes the place of its destination; its source disappears).
pub(crate) fn detect_renames<B: Blobs>(
    changes: Vec<Change>,
    blobs: &mut B,
) -> Result<Vec<Pair>, GitError> {
    let mut dsts: Vec<usize> = Vec::new();
    let mut srcs: Vec<usize> = Vec::new();
    for (i, change) in changes.iter().enumerate() {
        match change {
            Change::Added(_) => dsts.push(i),
            Change::Deleted(_) => srcs.push(i),
            Change::Modified { .. } => {}
        }
    }
    // matched[dst position] = (src change index, score)
    let mut matched: Vec<Option<(usize, i32)>> = vec![None; dsts.len()];
    if !dsts.is_empty() && !srcs.is_empty() {
        find_renames(&changes, &dsts, &srcs, &mut matched, blobs)?;
    }

    let mut used_src = vec![false; changes.len()];
    let mut rename_of: HashMap<usize, (usize, i32)> = HashMap::new();
    for (pos, m) in matched.iter().enumerate() {
        if let Some((src, score)) = *m {
            used_src[src] = true;
            rename_of.insert(dsts[pos], (src, score));
        }
    }
    let side = |i: usize| match &changes[i] {
        Change::Added(s) | Change::Deleted(s) => s.clone(),
        Change::Modified { new, .. } => new.clone(),
    };
    let mut out = Vec::with_capacity(changes.len());
    for (i, change) in changes.iter().enumerate() {
        match change {
            Change::Added(new) => match rename_of.get(&i) {
                Some(&(src, score)) => out.push(Pair {
                    old: Some(side(src)),
                    new: Some(new.clone()),
                    rename_score: Some(score),
                }),
                None => out.push(Pair {
                    old: None,
                    new: Some(new.clone()),
                    rename_score: None,
                }),
            },
            Change::Deleted(old) if !used_src[i] => out.push(Pair {
                old: Some(old.clone()),
                new: None,
                rename_score: None,
            }),
            Change::Deleted(_) => {}
            Change::Modified { old, new } => out.push(Pair {
                old: Some(old.clone()),
                new: Some(new.clone()),
                rename_score: None,
            }),
        }
    }
    Ok(out)
}

fn find_renames<B: Blobs>(
    changes: &[Change],
    dsts: &[usize],
    all_srcs: &[usize],
    matched: &mut [Option<(usize, i32)>],
    blobs: &mut B,
) -> Result<(), GitError> {
    let side = |i: usize| match &changes[i] {
        Change::Added(s) | Change::Deleted(s) => s,
        Change::Modified { new, .. } => new,
    };
    let mut src_used = vec![false; all_srcs.len()];
    let mut rename_count = 0usize;

    // Exact renames: same object id; non-regular files need the same mode too. Prefer a source
    // with the same basename; among equals, the first in tree order.
    let mut by_id: HashMap<ObjectId, Vec<usize>> = HashMap::new();
    for (k, &s) in all_srcs.iter().enumerate() {
        by_id.entry(side(s).id).or_default().push(k);
    }
    for (pos, &d) in dsts.iter().enumerate() {
        let target = side(d);
        let Some(candidates) = by_id.get(&target.id) else {
            continue;
        };
        let mut best: Option<(usize, i32)> = None;
        let mut budget = 100;
        for &k in candidates {
            let source = side(all_srcs[k]);
            if (!is_regular(source.mode) || !is_regular(target.mode)) && source.mode != target.mode
            {
                continue;
            }
            if src_used[k] {
                continue;
            }
            let score = 1 + i32::from(basename_same(&source.path, &target.path));
            if best.is_none_or(|(_, b)| score > b) {
                best = Some((k, score));
                if score == 2 {
                    break;
                }
            }
            budget -= 1;
            if budget == 0 {
                break;
            }
        }
        if let Some((k, _)) = best {
            src_used[k] = true;
            matched[pos] = Some((all_srcs[k], MAX_SCORE as i32));
            rename_count += 1;
        }
    }

    // Sources used by exact renames are culled.
    let mut srcs: Vec<usize> = (0..all_srcs.len()).filter(|&k| !src_used[k]).collect();
    let mut estimator = Estimator {
        blobs,
        spans: HashMap::new(),
    };

    // Files that kept their basename (unique on both sides) need 75 %.
    let min_basename_score =
        DEFAULT_RENAME_SCORE + (0.5 * f64::from(MAX_SCORE as i32 - DEFAULT_RENAME_SCORE)) as i32;
    let mut src_by_base: HashMap<&[u8], Option<usize>> = HashMap::new();
    for &k in &srcs {
        let base = basename(&side(all_srcs[k]).path);
        src_by_base
            .entry(base)
            .and_modify(|v| *v = None)
            .or_insert(Some(k));
    }
    let mut dst_by_base: HashMap<&[u8], Option<usize>> = HashMap::new();
    for (pos, &d) in dsts.iter().enumerate() {
        if matched[pos].is_some() {
            continue;
        }
        let base = basename(&side(d).path);
        dst_by_base
            .entry(base)
            .and_modify(|v| *v = None)
            .or_insert(Some(pos));
    }
    for &k in &srcs {
        let source = side(all_srcs[k]);
        let base = basename(&source.path);
        let Some(&dst) = dst_by_base.get(base) else {
            continue;
        };
        let (Some(Some(_)), Some(pos)) = (src_by_base.get(base), dst) else {
            continue;
        };
        if matched[pos].is_some() {
            continue;
        }
        let score = estimator.similarity(source, side(dsts[pos]), min_basename_score)?;
        if score < min_basename_score {
            continue;
        }
        matched[pos] = Some((all_srcs[k], score));
        src_used[k] = true;
        rename_count += 1;
    }
    srcs.retain(|&k| !src_used[k]);

    let num_destinations = dsts.len() - rename_count;
    let num_sources = srcs.len();
    if num_destinations == 0 || num_sources == 0 {
        return Ok(());
    }
    if (num_destinations as u64) * (num_sources as u64) > RENAME_LIMIT * RENAME_LIMIT {
        return Ok(());
    }

    let mut mx: Vec<Score> = Vec::with_capacity(num_destinations * NUM_CANDIDATE_PER_DST);
    for (pos, &d) in dsts.iter().enumerate() {
        if matched[pos].is_some() {
            continue;
        }
        let target = side(d);
        let mut m = [Score::UNUSED; NUM_CANDIDATE_PER_DST];
        for (j, &k) in srcs.iter().enumerate() {
            let source = side(all_srcs[k]);
            let score = estimator.similarity(source, target, DEFAULT_RENAME_SCORE)?;
            record_if_better(
                &mut m,
                Score {
                    src: j,
                    dst: pos as isize,
                    score,
                    name_score: i32::from(basename_same(&source.path, &target.path)),
                },
            );
        }
        mx.extend(m);
    }
    mx.sort_by(|a, b| score_compare(a, b).cmp(&0));
    for s in &mx {
        if s.dst < 0 || s.score < DEFAULT_RENAME_SCORE {
            break;
        }
        let pos = s.dst as usize;
        if matched[pos].is_some() {
            continue;
        }
        let k = srcs[s.src];
        if src_used[k] {
            continue;
        }
        matched[pos] = Some((all_srcs[k], s.score));
        src_used[k] = true;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basenames() {
        assert!(basename_same(b"a/b/c.txt", b"x/c.txt"));
        assert!(basename_same(b"c.txt", b"x/c.txt"));
        assert!(!basename_same(b"a/bc.txt", b"x/c.txt"));
        assert!(basename_same(b"c.txt", b"c.txt"));
    }

    #[test]
    fn identical_content_is_fully_copied() {
        let a = hash_chars(b"one\ntwo\nthree\n");
        assert_eq!(count_copied(&a, &a), 14);
        let b = hash_chars(b"one\ntwo\nfour\n");
        assert_eq!(count_copied(&a, &b), 8);
    }

    #[test]
    fn crlf_is_ignored_in_text_only() {
        let crlf = hash_chars(b"one\r\ntwo\r\n");
        let lf = hash_chars(b"one\ntwo\n");
        assert_eq!(crlf, lf);
        let binary = hash_chars(b"\0one\r\n");
        assert_eq!(binary.iter().map(|s| s.1).sum::<u32>(), 6);
    }
}
