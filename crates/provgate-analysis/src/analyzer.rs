//! The analyzer: reads each patch of a series as code, against the symbol index of its base, and
//! gives the policy engine its [`CodeFacts`].

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Mutex;

use gix::ObjectId;
use provgate_patch::{FileChange, FileStatus, Patch, Series};
use provgate_policy::classify::path_kind;
use provgate_policy::{
    CodeAnalyzer, CodeFacts, CodeIssue, CodeNote, HunkCode, Kind, Policy, ProofFacts, RuleId,
};
use rayon::prelude::*;

use crate::Parsers;
use crate::classify::{CodeLines, changed_lines, hunk_code, mechanical};
use crate::index::{IndexError, IndexOptions, IndexStats, Repo, SymbolIndex, blob_id};
use crate::lang::mask::Macros;
use crate::lang::{Context, Languages, LineSet, Lookup, SourceFile};
use crate::symbols::FileSymbols;

/// How the analyzer reads patches.
#[derive(Debug, Clone, Default)]
pub struct AnalyzerOptions {
    /// The revision patches without parents (mail, plain diffs) apply to; `None`: `HEAD`.
    pub base: Option<String>,
    /// How indexes are built and cached.
    pub index: IndexOptions,
    /// The language plug-ins.
    pub languages: Languages,
}

/// The state after a patch: its commit (for git input), the index and the files' contents as
/// the series left them.
struct State {
    /// The commit this state is the tree of, when known (git input).
    commit: Option<String>,
    /// The tree the contents are read from, below `overlay`.
    tree: Option<ObjectId>,
    /// Files changed by earlier patches of the series (`None`: deleted).
    overlay: HashMap<String, Option<Vec<u8>>>,
    index: SymbolIndex,
    /// The parses (as they are, not prepared) of the files the last patch rebuilt, with the
    /// content parsed: the next patch that changes one of them starts from it instead of parsing
    /// its old content again (series often change a file in consecutive patches).
    parsed: HashMap<String, (Vec<u8>, tree_sitter::Tree)>,
}

/// A changed file rebuilt and parsed.
struct Read {
    file: usize,
    lang: &'static str,
    new: Vec<u8>,
    tree: Option<tree_sitter::Tree>,
    /// The parse of `new` as it is (`tree` is that of the prepared content).
    plain_tree: Option<tree_sitter::Tree>,
    exact: bool,
    symbols: FileSymbols,
}

/// What the first pass finds about one changed file, in the order the patch's facts take it.
#[derive(Default)]
struct FileRead {
    hunks: Option<Vec<HunkCode>>,
    notes: Vec<CodeNote>,
    new_contents: Vec<(String, Option<Vec<u8>>)>,
    read: Option<Read>,
}

/// Reads the added code of patches; implements [`CodeAnalyzer`] for
/// [`provgate_policy::check_with_code`].
pub struct Analyzer {
    repo: Option<Repo>,
    options: AnalyzerOptions,
    proofs: HashMap<String, ProofFacts>,
    last: Mutex<Option<State>>,
    stats: Mutex<Vec<IndexStats>>,
}

impl Analyzer {
    /// An analyzer for the repository at or above `dir`.
    pub fn open(dir: &Path, options: AnalyzerOptions) -> Result<Analyzer, IndexError> {
        Ok(Analyzer {
            repo: Some(Repo::open(dir)?),
            options,
            proofs: HashMap::new(),
            last: Mutex::new(None),
            stats: Mutex::new(Vec::new()),
        })
    }

    /// An analyzer without a repository: only what the patches themselves show is read (no
    /// index, so `unknown-symbol` only knows the patch's own and the shipped names, and is not
    /// reported), each file from its hunks alone.
    pub fn without_repository(options: AnalyzerOptions) -> Analyzer {
        Analyzer {
            repo: None,
            options,
            proofs: HashMap::new(),
            last: Mutex::new(None),
            stats: Mutex::new(Vec::new()),
        }
    }

    /// Attaches the outcome of a regression-test proof to the patch with id `patch_id`.
    pub fn with_proof(mut self, patch_id: &str, proof: ProofFacts) -> Analyzer {
        self.proofs.insert(patch_id.to_string(), proof);
        self
    }

    /// What index builds have done so far (one entry per index built or loaded).
    pub fn index_stats(&self) -> Vec<IndexStats> {
        self.stats.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The index of the tree at `rev`.
    pub fn index(&self, rev: &str) -> Result<(SymbolIndex, IndexStats), IndexError> {
        let repo = self.repo.as_ref().ok_or_else(|| IndexError::Read {
            what: rev.to_string(),
            reason: "no repository".into(),
        })?;
        let commit = repo.commit(rev)?;
        let tree = repo.tree_of(commit)?;
        repo.index(
            tree,
            Some(commit),
            &self.options.languages,
            &self.options.index,
        )
    }

    /// The facts for each patch of `series` that is not a cover letter.
    pub fn analyze_series(&self, policy: &Policy, series: &Series) -> Vec<CodeFacts> {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::new();
        for patch in series.patches.iter().filter(|p| !p.is_cover_letter()) {
            let mut notes = Vec::new();
            let state = self.state_for(patch, last.take(), &mut notes);
            let (mut facts, state) = self.analyze_patch(policy, patch, state);
            facts.notes.splice(0..0, notes);
            facts.proof = self.proofs.get(&patch.id).cloned();
            *last = state;
            out.push(facts);
        }
        out
    }

    /// The state a patch applies to: the previous state when the patch follows it, else a fresh
    /// index of its base.
    fn state_for(
        &self,
        patch: &Patch,
        prev: Option<State>,
        notes: &mut Vec<CodeNote>,
    ) -> Option<State> {
        let repo = self.repo.as_ref()?;
        let parent = patch.parents.first();
        if let Some(prev) = prev {
            let follows = match (parent, &prev.commit) {
                (Some(p), Some(c)) => p == c,
                (None, _) => true,
                _ => false,
            };
            if follows {
                return Some(prev);
            }
        }
        let rev = match parent {
            Some(p) => p.clone(),
            None => self.options.base.clone().unwrap_or_else(|| "HEAD".into()),
        };
        let built = (|| {
            let commit = repo.commit(&rev)?;
            let tree = repo.tree_of(commit)?;
            let (index, stats) = repo.index(
                tree,
                Some(commit),
                &self.options.languages,
                &self.options.index,
            )?;
            if let Ok(mut s) = self.stats.lock() {
                s.push(stats);
            }
            Ok::<_, IndexError>(State {
                commit: Some(commit.to_string()),
                tree: Some(tree),
                overlay: HashMap::new(),
                parsed: HashMap::new(),
                index,
            })
        })();
        match built {
            Ok(s) => Some(s),
            Err(e) => {
                notes.push(CodeNote {
                    path: String::new(),
                    line: None,
                    end_line: None,
                    message: format!(
                        "no index of the base ({e}); only what the patch shows was read"
                    ),
                });
                None
            }
        }
    }

    fn old_content(&self, state: &State, path: &str) -> Option<Vec<u8>> {
        if let Some(v) = state.overlay.get(path) {
            return v.clone();
        }
        let repo = self.repo.as_ref()?;
        repo.file_at(state.tree?, path).map(|(_, d)| d)
    }

    fn analyze_patch(
        &self,
        policy: &Policy,
        patch: &Patch,
        mut state: Option<State>,
    ) -> (CodeFacts, Option<State>) {
        let languages = &self.options.languages;
        let mut parsers = Parsers::new(languages);
        let mut facts = CodeFacts {
            mechanical: mechanical(patch),
            ..CodeFacts::default()
        };
        // First pass: rebuild and parse every file the patch changes, files in parallel (each
        // worker with its own parsers); what they give is gathered in the patch's file order.
        let macros = patch
            .files
            .iter()
            .any(|f| {
                f.new_path
                    .as_deref()
                    .is_some_and(|p| languages.for_path(p).is_some())
            })
            .then(|| Macros::new(state.as_ref().map(|s| &s.index)));
        let shared = state.as_ref();
        let outcomes: Vec<FileRead> = patch
            .files
            .par_iter()
            .enumerate()
            .map_init(
                || Parsers::new(languages),
                |parsers, (i, file)| self.read_file(i, file, shared, macros.as_ref(), parsers),
            )
            .collect();
        let mut reads: Vec<Read> = Vec::new();
        let mut new_contents: Vec<(String, Option<Vec<u8>>)> = Vec::new();
        for o in outcomes {
            facts.hunks.push(o.hunks);
            facts.notes.extend(o.notes);
            new_contents.extend(o.new_contents);
            reads.extend(o.read);
        }
        // The patch's own definitions count as defined.
        let mut patch_defs: HashMap<String, HashMap<String, u8>> = HashMap::new();
        for r in &reads {
            let group = languages.by_name(r.lang).map_or(r.lang, |p| p.group());
            let names = patch_defs.entry(group.to_string()).or_default();
            for d in &r.symbols.defs {
                *names.entry(d.name.clone()).or_default() |= d.flags;
            }
        }
        let lookup = PatchLookup {
            index: state.as_ref().map(|s| &s.index),
            patch: &patch_defs,
        };
        let cx = Context {
            settings: &policy.code,
            lookup: &lookup,
        };
        let known: HashSet<&str> = policy
            .code
            .known_symbols
            .iter()
            .map(String::as_str)
            .collect();
        // Names made by token pasting, per language group: worked out only when a name is not
        // found otherwise (it needs every invocation of the tree), once per patch.
        let mut pasted: HashMap<&str, HashSet<String>> = HashMap::new();
        // Second pass: the rules.
        for r in &reads {
            let file = &patch.files[r.file];
            let Some(plugin) = languages.by_name(r.lang) else {
                continue;
            };
            let Some(tree) = r.tree.as_ref() else {
                facts.notes.push(CodeNote {
                    path: file.path().to_string(),
                    line: None,
                    end_line: None,
                    message: "does not parse; not analysed".into(),
                });
                continue;
            };
            let added = LineSet::new(file.added_lines().map(|l| l.new_line).collect());
            if added.is_empty() {
                continue;
            }
            let path = file.path();
            let source = SourceFile {
                path,
                src: &r.new,
                tree,
                added: &added,
                test_file: path_kind(path) == Kind::Tests,
            };
            let analysis = plugin.analyze(&source, &cx);
            facts.issues.extend(analysis.issues);
            facts.notes.extend(analysis.notes);
            if !r.exact || state.is_none() {
                continue;
            }
            if let Some(why) = analysis.unresolvable {
                if !analysis.uses.is_empty() {
                    facts.notes.push(CodeNote {
                        path: path.to_string(),
                        line: None,
                        end_line: None,
                        message: why,
                    });
                }
                continue;
            }
            let group = plugin.group();
            let mut reported: HashSet<(String, u32)> = HashSet::new();
            for u in analysis.uses {
                let name = u.name.as_str();
                let found = lookup.flags(group, name).is_some()
                    || state.as_ref().is_some_and(|s| s.index.called(group, name))
                    || plugin.is_external(name)
                    || known.contains(name)
                    || (policy.code.system_headers
                        && group == "c"
                        && crate::names::system_header_names().contains(name))
                    || pasted
                        .entry(group)
                        .or_insert_with(|| {
                            pasted_names(
                                group,
                                state.as_ref().map(|s| &s.index),
                                &reads,
                                patch,
                                languages,
                            )
                        })
                        .contains(name);
                if found || !reported.insert((u.name.clone(), u.line)) {
                    continue;
                }
                let near = state.as_ref().map_or_else(Vec::new, |s| {
                    s.index.nearest(group, name, plugin.external_names(), 3)
                });
                let shown = name.trim_end_matches('!');
                let what = if name.ends_with('!') {
                    "macro"
                } else {
                    "function or macro"
                };
                facts.issues.push(CodeIssue {
                    rule: RuleId::UnknownSymbol,
                    path: path.to_string(),
                    line: u.line,
                    message: if near.is_empty() {
                        format!("`{shown}` is not a {what} defined in the repository, the patch or the known libraries")
                    } else {
                        format!(
                            "`{shown}` is not a {what} defined in the repository, the patch or the known libraries; did you mean {}?",
                            near.iter().map(|n| format!("`{}`", n.trim_end_matches('!'))).collect::<Vec<_>>().join(", ")
                        )
                    },
                    help: Some(
                        "call an existing function, add the definition to the patch, or list names from generated code in [code] known-symbols"
                            .into(),
                    ),
                });
            }
        }
        facts
            .issues
            .sort_by(|a, b| (&a.path, a.line, &a.rule).cmp(&(&b.path, b.line, &b.rule)));
        // Carry the series on: this patch's files replace the old ones in the index.
        if let Some(s) = &mut state {
            let mut read_symbols: HashMap<&str, FileSymbols> = HashMap::new();
            s.parsed.clear();
            for r in reads {
                if r.exact {
                    let path = patch.files[r.file].path();
                    read_symbols.insert(path, r.symbols);
                    if let Some(t) = r.plain_tree {
                        s.parsed.insert(path.to_string(), (r.new, t));
                    }
                }
            }
            for (path, content) in new_contents {
                match &content {
                    None => s.index.remove_file(&path),
                    Some(data) => {
                        if let Some(plugin) = languages.for_path(&path) {
                            let lang = plugin.name();
                            let syms = read_symbols.remove(path.as_str()).unwrap_or_else(|| {
                                parsers
                                    .parse(lang, data)
                                    .map(|t| plugin.symbols(&t, data))
                                    .unwrap_or_else(|| FileSymbols::new(lang))
                            });
                            let id = gix::objs::compute_hash(
                                gix::hash::Kind::Sha1,
                                gix::object::Kind::Blob,
                                data,
                            )
                            .map(blob_id)
                            .unwrap_or([0; 20]);
                            s.index.insert_file(&path, id, std::sync::Arc::new(syms));
                        }
                    }
                }
                s.overlay.insert(path, content);
            }
            s.commit = patch
                .parents
                .first()
                .map(|_| patch.id.clone())
                .or(s.commit.take());
        }
        (facts, state)
    }

    /// Rebuilds and parses one changed file (the `i`th of its patch): what the first pass of
    /// [`Analyzer::analyze_patch`] gathers about it.
    fn read_file(
        &self,
        i: usize,
        file: &FileChange,
        state: Option<&State>,
        macros: Option<&Macros<'_>>,
        parsers: &mut Parsers,
    ) -> FileRead {
        let languages = &self.options.languages;
        let plugin = file.new_path.as_deref().and_then(|p| languages.for_path(p));
        let mut out = FileRead::default();
        let rebuilt = match state {
            Some(s) if !file.binary => self.rebuild(s, file),
            _ => None,
        };
        if let Some(old) = file.old_path.as_deref()
            && file.status == FileStatus::Renamed
        {
            out.new_contents.push((old.to_string(), None));
        }
        if file.status == FileStatus::Deleted {
            if let Some(p) = file.old_path.as_deref() {
                out.new_contents.push((p.to_string(), None));
            }
            return out;
        }
        if let (Some(path), Some((_, new))) = (file.new_path.as_deref(), &rebuilt) {
            out.new_contents.push((path.to_string(), Some(new.clone())));
        }
        let Some(plugin) = plugin else {
            if file.added() > 0 && !file.binary && is_source(file.path()) {
                out.notes.push(CodeNote {
                    path: file.path().to_string(),
                    line: None,
                    end_line: None,
                    message: "no grammar for this language; not analysed".into(),
                });
            }
            return out;
        };
        if file.binary {
            return out;
        }
        let (old, new, exact) = match rebuilt {
            Some((old, new)) => (old, new, true),
            None => (None, crate::apply::hunks_only(file).into_bytes(), false),
        };
        if !exact && state.is_some() && file.added() > 0 {
            out.notes.push(CodeNote {
                path: file.path().to_string(),
                line: None,
                end_line: None,
                message: "the patch does not apply to its base here; read from its hunks alone, without unknown-symbol".into(),
            });
        }
        let lang = plugin.name();
        let prepared = macros.and_then(|m| plugin.prepare(&new, m));
        // The old file is parsed to classify the hunks; the new file is reparsed from it
        // (only the hunks), and the prepared file from the new one (only what was blanked).
        let old_path = file.old_path.as_deref().or(file.new_path.as_deref());
        let old_tree = match &old {
            Some(o) if exact => {
                match state.and_then(|s| s.parsed.get(old_path.unwrap_or_default())) {
                    // The same bytes, so the same parse.
                    Some((bytes, tree)) if bytes == o => Some(tree.clone()),
                    _ => parsers.parse(lang, o),
                }
            }
            _ => None,
        };
        let new_tree = match (&old, &old_tree) {
            (Some(o), Some(t)) => {
                let ranges = file
                    .hunks
                    .iter()
                    .map(|h| (h.old_start, h.old_count, h.new_start, h.new_count));
                match crate::incremental::line_edits(o, &new, ranges) {
                    Some(edits) => parsers.reparse(lang, &new, t, &edits),
                    None => parsers.parse(lang, &new),
                }
            }
            _ => parsers.parse(lang, &new),
        };
        // The rules read the prepared parse against the file's own bytes (same offsets);
        // the classification of hunks compares tokens, so it reads the file as it is.
        let read_tree = match (&prepared, &new_tree) {
            (Some(p), Some(t)) => match crate::incremental::byte_edits(&new, p) {
                Some(edits) => parsers.reparse(lang, p, t, &edits),
                None => parsers.parse(lang, p),
            },
            (Some(p), None) => parsers.parse(lang, p),
            (None, _) => new_tree.clone(),
        };
        let hunks = match (&new_tree, exact) {
            (Some(nt), true) => {
                let (removed, added) = changed_lines(file);
                let new_lines = CodeLines::of_lines(nt, &new, &added);
                let old_lines = match (&old, &old_tree) {
                    (Some(o), Some(t)) => Some(CodeLines::of_lines(t, o, &removed)),
                    _ => None,
                };
                if old.is_some() && old_lines.is_none() {
                    None
                } else {
                    Some(hunk_code(file, old_lines.as_ref(), &new_lines))
                }
            }
            _ => None,
        };
        out.hunks = hunks;
        let symbols = read_tree
            .as_ref()
            .map(|t| plugin.symbols(t, &new))
            .unwrap_or_else(|| FileSymbols::new(lang));
        out.read = Some(Read {
            file: i,
            lang,
            new,
            tree: read_tree,
            plain_tree: new_tree,
            exact,
            symbols,
        });
        out
    }

    /// The old and new content of a changed file, when the patch applies to the state.
    #[allow(clippy::type_complexity)]
    fn rebuild(&self, state: &State, file: &FileChange) -> Option<(Option<Vec<u8>>, Vec<u8>)> {
        let old = match file.status {
            FileStatus::Added => None,
            _ => Some(self.old_content(
                state,
                file.old_path.as_deref().or(file.new_path.as_deref())?,
            )?),
        };
        let old_text = old
            .as_deref()
            .map(String::from_utf8_lossy)
            .unwrap_or_default();
        let new = crate::apply::apply(&old_text, file).ok()?;
        Some((old, new.into_bytes()))
    }
}

impl CodeAnalyzer for Analyzer {
    fn analyze(&self, policy: &Policy, series: &Series) -> Vec<CodeFacts> {
        self.analyze_series(policy, series)
    }
}

/// Whether a path looks like source code of some language (for the "no grammar" note).
fn is_source(path: &str) -> bool {
    let kind = path_kind(path);
    kind == Kind::Code
        && matches!(
            crate::lang::extension(path).as_str(),
            "cc" | "cpp"
                | "cxx"
                | "hpp"
                | "hh"
                | "go"
                | "java"
                | "js"
                | "ts"
                | "rb"
                | "pl"
                | "pm"
                | "sh"
                | "swift"
                | "kt"
                | "scala"
                | "cs"
                | "m"
                | "mm"
                | "lua"
                | "php"
                | "zig"
                | "S"
                | "s"
        )
}

/// The names made by token pasting in group `group` (see [`crate::paste`]): the macros and
/// file-scope invocations of the base tree, each changed file read from the patch instead of
/// from the base.
fn pasted_names(
    group: &str,
    index: Option<&SymbolIndex>,
    reads: &[Read],
    patch: &Patch,
    languages: &Languages,
) -> HashSet<String> {
    let changed: Vec<(&str, &FileSymbols)> = reads
        .iter()
        .filter(|r| languages.by_name(r.lang).map_or(r.lang, |p| p.group()) == group)
        .map(|r| (patch.files[r.file].path(), &r.symbols))
        .collect();
    let replaced: HashSet<&str> = patch
        .files
        .iter()
        .filter_map(|f| f.old_path.as_deref())
        .chain(changed.iter().map(|(p, _)| *p))
        .collect();
    let files: Vec<&FileSymbols> = index
        .into_iter()
        .flat_map(|i| i.paste_files(group))
        .filter(|(p, _)| !replaced.contains(p))
        .chain(changed.iter().copied())
        .map(|(_, s)| s)
        .collect();
    crate::paste::expand(
        files.iter().flat_map(|s| &s.pastes),
        files.iter().flat_map(|s| &s.invocations),
    )
}

/// Names from the base index and the patch.
struct PatchLookup<'a> {
    index: Option<&'a SymbolIndex>,
    patch: &'a HashMap<String, HashMap<String, u8>>,
}

impl Lookup for PatchLookup<'_> {
    fn flags(&self, group: &str, name: &str) -> Option<u8> {
        let from_patch = self.patch.get(group).and_then(|g| g.get(name)).copied();
        let from_index = self
            .index
            .and_then(|i| i.entry(group, name))
            .filter(|e| e.defs > 0)
            .map(|e| e.flags);
        match (from_patch, from_index) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) | b.unwrap_or(0)),
        }
    }
}
