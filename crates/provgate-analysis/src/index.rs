//! The symbol index of a repository tree: every name its C, Rust and Python files (and those of
//! added plug-ins) define or call, built in parallel and cached on disk per tree (see
//! [`crate::cache`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gix::ObjectId;
use rayon::prelude::*;

use crate::cache::{self, BlobId, IndexFile, MAX_DEPTH};
use crate::lang::Languages;
use crate::symbols::{AttributeMacro, FLAG_ATTRIBUTE_MACRO, FLAG_GUESSED, FileSymbols, SymbolKind};

/// Files larger than this are not parsed (generated tables, amalgamations); they are counted in
/// [`IndexStats::skipped`].
pub const MAX_FILE_BYTES: usize = 4 << 20;

/// How many commits back the nearest cached ancestor tree is looked for.
const ANCESTOR_SEARCH: usize = 200;

/// What the index knows about one name in one language group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Entry {
    /// Files that define or declare it.
    pub defs: u32,
    /// Files that call it plainly.
    pub calls: u32,
    /// OR of its definitions' flags.
    pub flags: u8,
    /// Files with a definition of it that is certain and not an attribute macro: not a guess
    /// ([`FLAG_GUESSED`]), not an argument of a file-scope macro, not a macro of
    /// [`FileSymbols::attribute_macros`]. A name with such a definition is never blanked out.
    pub plain: u32,
}

/// Names defined and called in a tree, by language group.
#[derive(Clone, Default)]
pub struct SymbolIndex {
    groups: HashMap<String, HashMap<String, Entry>>,
    files: HashMap<String, (BlobId, Arc<FileSymbols>)>,
    group_of: HashMap<String, String>,
    /// The files with attribute macros, so that they are found without reading every file.
    attribute_files: std::collections::BTreeSet<String>,
    /// The files with paste rules or file-scope invocations, for the same reason.
    paste_files: std::collections::BTreeSet<String>,
}

impl std::fmt::Debug for SymbolIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SymbolIndex")
            .field("files", &self.files.len())
            .field("names", &self.names())
            .finish()
    }
}

impl SymbolIndex {
    /// An empty index for these languages.
    pub fn new(languages: &Languages) -> SymbolIndex {
        SymbolIndex {
            group_of: languages
                .all()
                .iter()
                .map(|p| (p.name().to_string(), p.group().to_string()))
                .collect(),
            ..SymbolIndex::default()
        }
    }

    fn group(&self, language: &str) -> String {
        self.group_of
            .get(language)
            .cloned()
            .unwrap_or_else(|| language.to_string())
    }

    fn account(&mut self, syms: &FileSymbols, sign: i64) {
        let group = self.group(&syms.language);
        let names = self.groups.entry(group).or_default();
        let add = |v: &mut u32| {
            *v = if sign > 0 {
                v.saturating_add(1)
            } else {
                v.saturating_sub(1)
            }
        };
        // A name defined twice in one file counts once (definitions grouped by name: a sort,
        // not a scan of the file's definitions per name).
        let mut defs: Vec<&crate::symbols::Symbol> = syms.defs.iter().collect();
        defs.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        for same in defs.chunk_by(|a, b| a.name == b.name) {
            let flags = same.iter().fold(0, |f, d| f | d.flags);
            let plain = same.iter().any(|d| {
                d.kind != SymbolKind::MacroArgument
                    && d.flags & (FLAG_GUESSED | FLAG_ATTRIBUTE_MACRO) == 0
            });
            let e = names.entry(same[0].name.clone()).or_default();
            add(&mut e.defs);
            if plain {
                add(&mut e.plain);
            }
            if sign > 0 {
                e.flags |= flags;
            }
        }
        for name in &syms.calls {
            add(&mut names.entry(name.clone()).or_default().calls);
        }
    }

    /// Adds (or replaces) the file at `path`.
    pub fn insert_file(&mut self, path: &str, blob: BlobId, syms: Arc<FileSymbols>) {
        self.remove_file(path);
        self.account(&syms, 1);
        if !syms.attribute_macros.is_empty() {
            self.attribute_files.insert(path.to_string());
        }
        if !syms.pastes.is_empty() || !syms.invocations.is_empty() {
            self.paste_files.insert(path.to_string());
        }
        self.files.insert(path.to_string(), (blob, syms));
    }

    /// Removes the file at `path`, if indexed.
    pub fn remove_file(&mut self, path: &str) {
        if let Some((_, old)) = self.files.remove(path) {
            self.account(&old, -1);
            self.attribute_files.remove(path);
            self.paste_files.remove(path);
        }
    }

    /// The attribute macros of the files of language group `group`.
    pub fn attribute_macros<'a>(
        &'a self,
        group: &'a str,
    ) -> impl Iterator<Item = &'a AttributeMacro> + 'a {
        self.attribute_files
            .iter()
            .filter_map(|p| self.files.get(p))
            .filter(move |(_, s)| {
                self.group_of
                    .get(&s.language)
                    .map_or(s.language.as_str(), String::as_str)
                    == group
            })
            .flat_map(|(_, s)| s.attribute_macros.iter())
    }

    /// The files of language group `group` with paste rules or file-scope invocations (the
    /// inputs of [`crate::paste::expand`]), with their paths.
    pub fn paste_files<'a>(
        &'a self,
        group: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a FileSymbols)> + 'a {
        self.paste_files.iter().filter_map(move |p| {
            let (_, s) = self.files.get(p)?;
            let g = self
                .group_of
                .get(&s.language)
                .map_or(s.language.as_str(), String::as_str);
            (g == group).then_some((p.as_str(), &**s))
        })
    }

    /// What the index knows about `name` in `group`.
    pub fn entry(&self, group: &str, name: &str) -> Option<Entry> {
        self.groups.get(group)?.get(name).copied()
    }

    /// Whether a file of the tree defines or declares `name`.
    pub fn defines(&self, group: &str, name: &str) -> bool {
        self.entry(group, name).is_some_and(|e| e.defs > 0)
    }

    /// Whether a file of the tree calls `name` plainly.
    pub fn called(&self, group: &str, name: &str) -> bool {
        self.entry(group, name).is_some_and(|e| e.calls > 0)
    }

    /// The symbols of the file at `path`.
    pub fn file(&self, path: &str) -> Option<&Arc<FileSymbols>> {
        self.files.get(path).map(|(_, s)| s)
    }

    /// Number of files indexed.
    pub fn files(&self) -> usize {
        self.files.len()
    }

    /// Number of distinct defined names over all groups.
    pub fn names(&self) -> usize {
        self.groups
            .values()
            .map(|g| g.values().filter(|e| e.defs > 0).count())
            .sum()
    }

    /// Up to `k` defined names of `group` (and of `extra`) nearest to `name` by edit distance,
    /// nearest first: the "did you mean" of `unknown-symbol`.
    pub fn nearest(&self, group: &str, name: &str, extra: &[&str], k: usize) -> Vec<String> {
        let limit = match name.chars().count() {
            0..=3 => 1,
            4..=7 => 2,
            _ => 3,
        };
        let mut best: Vec<(usize, String)> = Vec::new();
        let mut consider = |cand: &str| {
            if cand == name || cand.len().abs_diff(name.len()) > limit {
                return;
            }
            if let Some(d) = bounded_distance(name, cand, limit) {
                best.push((d, cand.to_string()));
            }
        };
        if let Some(g) = self.groups.get(group) {
            for (cand, e) in g {
                if e.defs > 0 {
                    consider(cand);
                }
            }
        }
        for cand in extra {
            consider(cand);
        }
        best.sort();
        best.dedup_by(|a, b| a.1 == b.1);
        best.into_iter().take(k).map(|(_, n)| n).collect()
    }
}

/// Damerau-Levenshtein (optimal string alignment) distance of `a` and `b`, if at most `limit`.
pub fn bounded_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let w = b.len() + 1;
    let mut prev2 = vec![0usize; w];
    let mut prev: Vec<usize> = (0..w).collect();
    let mut cur = vec![0usize; w];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[b.len()];
    (d <= limit).then_some(d)
}

/// How an index is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexOptions {
    /// Read and write the on-disk cache.
    pub cache: bool,
    /// Worker threads for parsing: `None` uses rayon's global pool (one per core).
    pub threads: Option<usize>,
    /// Where the cache lives; `None`: `<git dir>/provgate/index/v1`.
    pub cache_dir: Option<PathBuf>,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            cache: true,
            threads: None,
            cache_dir: None,
        }
    }
}

/// What building an index did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexStats {
    /// The tree indexed.
    pub tree: String,
    /// Files of the tree a plug-in reads.
    pub files: usize,
    /// Blobs parsed now.
    pub parsed: usize,
    /// Blobs whose symbols came from the cache.
    pub reused: usize,
    /// Bytes parsed now.
    pub bytes_parsed: u64,
    /// Files not parsed because they are larger than [`MAX_FILE_BYTES`].
    pub skipped: usize,
    /// The cached tree the index was built from, when not built from scratch (or the tree itself
    /// when its own cache file was complete).
    pub from_cache: Option<String>,
    /// Whether a cache file was written.
    pub written: bool,
}

/// Why an index could not be built.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The repository could not be opened.
    #[error("cannot open the repository at {dir}: {reason}")]
    Open {
        /// The directory.
        dir: PathBuf,
        /// Why.
        reason: String,
    },
    /// A revision or object could not be read.
    #[error("cannot read {what}: {reason}")]
    Read {
        /// What.
        what: String,
        /// Why.
        reason: String,
    },
}

fn read_err(what: impl Into<String>, e: impl std::fmt::Display) -> IndexError {
    IndexError::Read {
        what: what.into(),
        reason: e.to_string().lines().next().unwrap_or("").to_string(),
    }
}

/// A repository opened for indexing and analysis.
pub struct Repo {
    pub(crate) shared: gix::ThreadSafeRepository,
}

impl Repo {
    /// Opens the repository at or above `dir`.
    pub fn open(dir: &Path) -> Result<Repo, IndexError> {
        let repo = gix::discover(dir).map_err(|e| IndexError::Open {
            dir: dir.to_path_buf(),
            reason: e.to_string().lines().next().unwrap_or("").to_string(),
        })?;
        Ok(Repo {
            shared: repo.into_sync(),
        })
    }

    pub(crate) fn local(&self) -> gix::Repository {
        let mut r = self.shared.to_thread_local();
        r.object_cache_size_if_unset(16 << 20);
        r
    }

    /// The git directory.
    pub fn git_dir(&self) -> PathBuf {
        self.shared.git_dir().to_path_buf()
    }

    /// Resolves a revision to a commit id.
    pub fn commit(&self, rev: &str) -> Result<ObjectId, IndexError> {
        let repo = self.local();
        let id = repo
            .rev_parse_single(rev)
            .map_err(|e| read_err(format!("revision `{rev}`"), e))?;
        let commit = id
            .object()
            .map_err(|e| read_err(rev, e))?
            .peel_to_commit()
            .map_err(|e| read_err(format!("`{rev}` as a commit"), e))?;
        Ok(commit.id)
    }

    /// The tree of a commit.
    pub fn tree_of(&self, commit: ObjectId) -> Result<ObjectId, IndexError> {
        let repo = self.local();
        let c = repo
            .find_commit(commit)
            .map_err(|e| read_err(format!("commit {commit}"), e))?;
        c.tree_id()
            .map(|t| t.detach())
            .map_err(|e| read_err(format!("tree of {commit}"), e))
    }

    /// The content of the file at `path` in `tree`, if it is a blob there.
    pub fn file_at(&self, tree: ObjectId, path: &str) -> Option<(BlobId, Vec<u8>)> {
        let repo = self.local();
        let tree = repo.find_tree(tree).ok()?;
        let entry = tree.lookup_entry_by_path(path).ok()??;
        if !entry.mode().is_blob() {
            return None;
        }
        let id = entry.object_id();
        let data = repo.find_object(id).ok()?.detach().data;
        Some((blob_id(id), data))
    }

    /// The files of `tree` that one of `languages` reads: (path, blob id, language name).
    pub fn list(
        &self,
        tree: ObjectId,
        languages: &Languages,
    ) -> Result<Vec<(String, ObjectId, &'static str)>, IndexError> {
        let repo = self.local();
        let t = repo
            .find_tree(tree)
            .map_err(|e| read_err(format!("tree {tree}"), e))?;
        let mut rec = gix::traverse::tree::Recorder::default();
        t.traverse()
            .breadthfirst(&mut rec)
            .map_err(|e| read_err(format!("tree {tree}"), e))?;
        Ok(rec
            .records
            .into_iter()
            .filter(|e| e.mode.is_blob())
            .filter_map(|e| {
                let path = String::from_utf8(e.filepath.into()).ok()?;
                let lang = languages.for_path(&path)?.name();
                Some((path, e.oid, lang))
            })
            .collect())
    }

    fn cache_dir(&self, opts: &IndexOptions) -> PathBuf {
        opts.cache_dir
            .clone()
            .unwrap_or_else(|| self.git_dir().join("provgate").join("index").join("v1"))
    }

    /// The index of the tree of `commit` (a commit id, or a tree id with `commit` = `None`),
    /// built from the cache where possible.
    pub fn index(
        &self,
        tree: ObjectId,
        commit: Option<ObjectId>,
        languages: &Languages,
        opts: &IndexOptions,
    ) -> Result<(SymbolIndex, IndexStats), IndexError> {
        let entries = self.list(tree, languages)?;
        let fingerprint = languages.fingerprint();
        let dir = self.cache_dir(opts);
        let mut stats = IndexStats {
            tree: tree.to_string(),
            files: entries.len(),
            ..IndexStats::default()
        };
        let mut known: HashMap<BlobId, Arc<FileSymbols>> = HashMap::new();
        let mut base: Option<(ObjectId, u8)> = None;
        if opts.cache {
            if let Some((blobs, depth)) = load_chain(&dir, tree, fingerprint) {
                known = blobs;
                base = Some((tree, depth));
            } else if let Some(commit) = commit
                && let Some((ancestor, blobs, depth)) =
                    self.nearest_cached(commit, &dir, fingerprint)
            {
                known = blobs;
                base = Some((ancestor, depth));
            }
        }
        let missing: Vec<(ObjectId, &'static str)> = {
            let mut seen = std::collections::HashSet::new();
            entries
                .iter()
                .filter(|(_, id, _)| !known.contains_key(&blob_id(*id)))
                .filter(|(_, id, _)| seen.insert(*id))
                .map(|(_, id, lang)| (*id, *lang))
                .collect()
        };
        stats.reused = entries.len()
            - entries
                .iter()
                .filter(|(_, id, _)| !known.contains_key(&blob_id(*id)))
                .count();
        let parsed = self.parse_blobs(&missing, languages, opts.threads)?;
        stats.parsed = parsed.len();
        for (_, _, bytes, skipped) in &parsed {
            stats.bytes_parsed += *bytes as u64;
            stats.skipped += usize::from(*skipped);
        }
        if let Some((b, _)) = base {
            stats.from_cache = Some(b.to_string());
        }
        let fresh: Vec<(BlobId, Arc<FileSymbols>)> = parsed
            .into_iter()
            .map(|(id, syms, _, _)| (blob_id(id), syms))
            .collect();
        for (id, syms) in &fresh {
            known.insert(*id, syms.clone());
        }
        if opts.cache && !(base.is_some_and(|(b, _)| b == tree) && fresh.is_empty()) {
            let file = match base {
                Some((b, depth)) if b != tree && depth < MAX_DEPTH => IndexFile {
                    fingerprint,
                    base: Some(blob_id(b)),
                    depth: depth + 1,
                    blobs: fresh,
                },
                _ => {
                    let mut seen = std::collections::HashSet::new();
                    IndexFile {
                        fingerprint,
                        base: None,
                        depth: 0,
                        blobs: entries
                            .iter()
                            .filter(|(_, id, _)| seen.insert(*id))
                            .filter_map(|(_, id, _)| {
                                let b = blob_id(*id);
                                known.get(&b).map(|s| (b, s.clone()))
                            })
                            .collect(),
                    }
                }
            };
            stats.written = write_file(&dir, tree, &file).is_ok();
        }
        let mut index = SymbolIndex::new(languages);
        for (path, id, _) in &entries {
            let b = blob_id(*id);
            if let Some(syms) = known.get(&b) {
                index.insert_file(path, b, syms.clone());
            }
        }
        Ok((index, stats))
    }

    /// The nearest first-parent ancestor of `commit` (itself included) whose tree has a cache
    /// file, with its blobs.
    #[allow(clippy::type_complexity)]
    fn nearest_cached(
        &self,
        commit: ObjectId,
        dir: &Path,
        fingerprint: u64,
    ) -> Option<(ObjectId, HashMap<BlobId, Arc<FileSymbols>>, u8)> {
        let repo = self.local();
        let mut id = commit;
        for _ in 0..ANCESTOR_SEARCH {
            let c = repo.find_commit(id).ok()?;
            let tree = c.tree_id().ok()?.detach();
            if dir.join(format!("{tree}.pgi")).exists()
                && let Some((blobs, depth)) = load_chain(dir, tree, fingerprint)
            {
                return Some((tree, blobs, depth));
            }
            id = c.parent_ids().next()?.detach();
        }
        None
    }

    /// Parses blobs in parallel: (id, symbols, size, skipped as too large).
    #[allow(clippy::type_complexity)]
    fn parse_blobs(
        &self,
        blobs: &[(ObjectId, &'static str)],
        languages: &Languages,
        threads: Option<usize>,
    ) -> Result<Vec<(ObjectId, Arc<FileSymbols>, usize, bool)>, IndexError> {
        let work = || {
            blobs
                .par_iter()
                .map_init(
                    || (self.local(), crate::Parsers::new(languages)),
                    |(repo, parsers), (id, lang)| {
                        let data = repo
                            .find_object(*id)
                            .map_err(|e| read_err(format!("blob {id}"), e))?
                            .detach()
                            .data;
                        let size = data.len();
                        if size > MAX_FILE_BYTES {
                            return Ok((*id, Arc::new(FileSymbols::new(lang)), size, true));
                        }
                        let syms = parsers.symbols(lang, &data);
                        Ok((*id, Arc::new(syms), size, false))
                    },
                )
                .collect::<Result<Vec<_>, IndexError>>()
        };
        match threads {
            None => work(),
            Some(n) => rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .build()
                .map_err(|e| read_err("worker threads", e))?
                .install(work),
        }
    }
}

/// The 20 bytes of an object id.
pub(crate) fn blob_id(id: ObjectId) -> BlobId {
    let mut out = [0u8; 20];
    let bytes = id.as_bytes();
    let n = bytes.len().min(20);
    out[..n].copy_from_slice(&bytes[..n]);
    out
}

fn tree_file(dir: &Path, tree: ObjectId) -> PathBuf {
    dir.join(format!("{tree}.pgi"))
}

/// Loads a tree's cache file and the delta chain below it: every blob's symbols, and the depth.
fn load_chain(
    dir: &Path,
    tree: ObjectId,
    fingerprint: u64,
) -> Option<(HashMap<BlobId, Arc<FileSymbols>>, u8)> {
    let mut blobs = HashMap::new();
    let mut next = Some(tree);
    let mut top_depth = None;
    for _ in 0..=(MAX_DEPTH as usize + 1) {
        let Some(t) = next else {
            return top_depth.map(|d| (blobs, d));
        };
        let bytes = std::fs::read(tree_file(dir, t)).ok()?;
        let file = cache::decode(&bytes).ok()?;
        if file.fingerprint != fingerprint {
            return None;
        }
        top_depth.get_or_insert(file.depth);
        for (id, syms) in file.blobs {
            blobs.entry(id).or_insert(syms);
        }
        next = file.base.map(|b| ObjectId::from_bytes_or_panic(&b));
    }
    None
}

fn write_file(dir: &Path, tree: ObjectId, file: &IndexFile) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let bytes = cache::encode(file);
    let tmp = dir.join(format!(".{tree}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, tree_file(dir, tree))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance() {
        assert_eq!(bounded_distance("g_malloc", "g_malloc0", 2), Some(1));
        assert_eq!(bounded_distance("strcpy", "strpcy", 1), Some(1));
        assert_eq!(bounded_distance("abc", "xyz", 2), None);
        assert_eq!(bounded_distance("", "ab", 2), Some(2));
    }
}
