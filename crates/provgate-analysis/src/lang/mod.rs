//! Language plug-ins: a tree-sitter grammar and what provgate reads with it.
//!
//! A plug-in ([`LanguageSupport`]) names the files it handles, extracts a file's definitions and
//! plain calls for the index ([`LanguageSupport::symbols`]), and reads a changed file's added
//! lines for the code rules ([`LanguageSupport::analyze`]): the calls whose names it cannot bind
//! in their scope (for `unknown-symbol`, which the caller resolves against the index), and the
//! findings of the language's other rules. C (with headers), Rust and Python are built in; a
//! program can add others with [`Languages::with`].

pub mod c;
pub mod mask;
pub mod python;
pub mod rust;

use std::sync::Arc;

use provgate_policy::{CodeIssue, CodeNote, CodeSettings, RuleId};
use tree_sitter::{Node, Tree};

use crate::symbols::FileSymbols;

/// The added lines of a file (1-based new-file line numbers), sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineSet(Vec<u32>);

impl LineSet {
    /// A set of the given lines.
    pub fn new(mut lines: Vec<u32>) -> LineSet {
        lines.sort_unstable();
        lines.dedup();
        LineSet(lines)
    }

    /// Every line from 1 to `n`.
    pub fn all(n: u32) -> LineSet {
        LineSet((1..=n).collect())
    }

    /// Whether `line` is in the set.
    pub fn contains(&self, line: u32) -> bool {
        self.0.binary_search(&line).is_ok()
    }

    /// Whether any line of `first..=last` is in the set.
    pub fn intersects(&self, first: u32, last: u32) -> bool {
        let i = self.0.partition_point(|&l| l < first);
        self.0.get(i).is_some_and(|&l| l <= last)
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The lines in order.
    pub fn lines(&self) -> &[u32] {
        &self.0
    }
}

/// What the code rules can ask about names defined elsewhere.
pub trait Lookup {
    /// When `name` is defined (or declared) in the tree or the patch for the language group
    /// `group`, the OR of its definitions' flags ([`crate::symbols::FLAG_ASSERTS`], …).
    fn flags(&self, group: &str, name: &str) -> Option<u8>;
}

/// A file being analysed: its new content, parsed, and which lines the patch added.
pub struct SourceFile<'a> {
    /// The path after the change.
    pub path: &'a str,
    /// The new content.
    pub src: &'a [u8],
    /// The parse of `src`.
    pub tree: &'a Tree,
    /// The lines the patch added.
    pub added: &'a LineSet,
    /// Whether the file is a test file (by the policy's path rules).
    pub test_file: bool,
}

/// What the analysis of a file may consult.
pub struct Context<'a> {
    /// The policy's code settings.
    pub settings: &'a CodeSettings,
    /// Names defined in the tree and the patch.
    pub lookup: &'a dyn Lookup,
}

/// A plain call (or macro use) on an added line whose name is not bound in its scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// The name as the index stores it (Rust macros with a trailing `!`).
    pub name: String,
    /// The new-file line.
    pub line: u32,
}

/// What the analysis of one file found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileAnalysis {
    /// Calls to resolve against the index (`unknown-symbol`).
    pub uses: Vec<Use>,
    /// Findings of the other code rules.
    pub issues: Vec<CodeIssue>,
    /// Parts not analysed.
    pub notes: Vec<CodeNote>,
    /// Set when the file's names cannot be resolved at all (e.g. a wildcard import from outside
    /// the repository): its uses are not reported, and this says why.
    pub unresolvable: Option<String>,
}

impl FileAnalysis {
    /// Reports `test-without-assertion` for the test function `function`, at the line of its
    /// `name_field` child (where a reader looks for a function), else of the function itself.
    pub(crate) fn hollow_test(
        &mut self,
        path: &str,
        function: Node<'_>,
        name_field: &str,
        name: &str,
        help: &str,
    ) {
        let at = function
            .child_by_field_name(name_field)
            .map(line)
            .unwrap_or_else(|| line(function));
        self.issue(
            RuleId::TestWithoutAssertion,
            path,
            at,
            format!("test `{name}` asserts nothing"),
            help,
        );
    }

    pub(crate) fn issue(
        &mut self,
        rule: RuleId,
        path: &str,
        line: u32,
        message: String,
        help: impl Into<String>,
    ) {
        self.issues.push(CodeIssue {
            rule,
            path: path.to_string(),
            line,
            message,
            help: Some(help.into()),
        });
    }
}

/// A language provgate can read.
pub trait LanguageSupport: Send + Sync {
    /// A short lower-case name (`c`), stored in the cache.
    fn name(&self) -> &'static str;
    /// Languages whose definitions are visible to each other share a group (C and headers; a
    /// C++ plug-in could join `c`). Defaults to the name.
    fn group(&self) -> &'static str {
        self.name()
    }
    /// Whether the plug-in reads the file at `path`.
    fn handles(&self, path: &str) -> bool;
    /// The tree-sitter grammar.
    fn grammar(&self) -> tree_sitter::Language;
    /// A version of the extraction: bump it when [`LanguageSupport::symbols`] changes, so that
    /// cached indexes made by the old code are not used.
    fn version(&self) -> u32;
    /// The definitions and plain calls of a whole file.
    fn symbols(&self, tree: &Tree, src: &[u8]) -> FileSymbols;
    /// The bytes to parse instead of `src` for the code rules, when they differ: what the
    /// grammar cannot read without a preprocessor blanked out (the C plug-in's attribute macros,
    /// see [`mask`]), with the same length, lines and byte offsets, so that the tree can be read
    /// against `src`.
    fn prepare(&self, src: &[u8], macros: &mask::Macros<'_>) -> Option<Vec<u8>> {
        let _ = (src, macros);
        None
    }
    /// The added lines of a changed file, read for the code rules.
    fn analyze(&self, file: &SourceFile<'_>, cx: &Context<'_>) -> FileAnalysis;
    /// Whether `name` is defined outside any repository: the language's keywords and built-ins
    /// and provgate's shipped name lists for it.
    fn is_external(&self, name: &str) -> bool;
    /// The shipped external names, for "did you mean" suggestions.
    fn external_names(&self) -> &[&'static str];
}

/// The set of language plug-ins in use.
#[derive(Clone)]
pub struct Languages {
    plugins: Vec<Arc<dyn LanguageSupport>>,
}

impl Default for Languages {
    fn default() -> Self {
        Languages {
            plugins: vec![
                Arc::new(c::C),
                Arc::new(rust::Rust),
                Arc::new(python::Python),
            ],
        }
    }
}

impl std::fmt::Debug for Languages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.plugins.iter().map(|p| p.name()))
            .finish()
    }
}

impl Languages {
    /// Adds a plug-in; it is consulted before the ones already there.
    pub fn with(mut self, plugin: Arc<dyn LanguageSupport>) -> Languages {
        self.plugins.insert(0, plugin);
        self
    }

    /// The plug-in for `path`, if any.
    pub fn for_path(&self, path: &str) -> Option<&Arc<dyn LanguageSupport>> {
        self.plugins.iter().find(|p| p.handles(path))
    }

    /// The plug-in named `name`.
    pub fn by_name(&self, name: &str) -> Option<&Arc<dyn LanguageSupport>> {
        self.plugins.iter().find(|p| p.name() == name)
    }

    /// Every plug-in.
    pub fn all(&self) -> &[Arc<dyn LanguageSupport>] {
        &self.plugins
    }

    /// A fingerprint of the extraction code of every plug-in, stored in cached indexes.
    pub fn fingerprint(&self) -> u64 {
        let mut h = crate::cache::Fnv::new();
        let mut names: Vec<(&str, u32)> = self
            .plugins
            .iter()
            .map(|p| (p.name(), p.version()))
            .collect();
        names.sort_unstable();
        for (n, v) in names {
            h.write(n.as_bytes());
            h.write(&v.to_le_bytes());
        }
        h.finish()
    }
}

/// The extension of `path` (after the last dot of the file name), lower case.
pub(crate) fn extension(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rfind('.') {
        Some(0) | None => String::new(),
        Some(d) => name[d + 1..].to_ascii_lowercase(),
    }
}

/// The text of a node (empty when it is not UTF-8).
pub(crate) fn text<'s>(node: Node<'_>, src: &'s [u8]) -> &'s str {
    std::str::from_utf8(src.get(node.byte_range()).unwrap_or_default()).unwrap_or("")
}

/// The 1-based line where a node starts.
pub(crate) fn line(node: Node<'_>) -> u32 {
    node.start_position().row as u32 + 1
}

/// The 1-based line where a node ends.
pub(crate) fn end_line(node: Node<'_>) -> u32 {
    node.end_position().row as u32 + 1
}

/// Visits `root` and its descendants in document order without recursion; `f` returns whether
/// to descend into the node.
/// The nodes of kind `kind` below `root` that have a `name` field, with that name: a
/// language's function definitions.
pub(crate) fn named_nodes<'t>(root: Node<'t>, src: &[u8], kind: &str) -> Vec<(String, Node<'t>)> {
    let mut out = Vec::new();
    walk(root, |n| {
        if n.kind() == kind
            && let Some(name) = n.child_by_field_name("name")
        {
            out.push((text(name, src).to_string(), n));
        }
        true
    });
    out
}

pub(crate) fn walk<'t>(root: Node<'t>, mut f: impl FnMut(Node<'t>) -> bool) {
    let mut cursor = root.walk();
    let mut descend = f(cursor.node());
    loop {
        if descend && cursor.goto_first_child() {
            descend = f(cursor.node());
            continue;
        }
        loop {
            if cursor.node() == root {
                return;
            }
            if cursor.goto_next_sibling() {
                descend = f(cursor.node());
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// Like [`walk`], and tells `f` how many ancestors of each node have a kind in `scopes` (parents
/// are tracked on the way down: tree-sitter's `Node::parent` searches from the root each time).
pub(crate) fn walk_scoped<'t>(
    root: Node<'t>,
    scopes: &[&str],
    mut f: impl FnMut(Node<'t>, usize) -> bool,
) {
    let mut cursor = root.walk();
    let mut path: Vec<bool> = Vec::new();
    let mut inside = 0usize;
    let mut descend = f(cursor.node(), inside);
    loop {
        if descend {
            let is_scope = scopes.contains(&cursor.node().kind());
            if cursor.goto_first_child() {
                path.push(is_scope);
                inside += usize::from(is_scope);
                descend = f(cursor.node(), inside);
                continue;
            }
        }
        loop {
            if path.is_empty() {
                return;
            }
            if cursor.goto_next_sibling() {
                descend = f(cursor.node(), inside);
                break;
            }
            cursor.goto_parent();
            if path.pop() == Some(true) {
                inside -= 1;
            }
        }
    }
}

/// Whether `node` or an ancestor is an `ERROR` node (its reading is not to be trusted).
pub(crate) fn in_error(node: Node<'_>) -> bool {
    let mut n = Some(node);
    while let Some(x) = n {
        if x.is_error() {
            return true;
        }
        n = x.parent();
    }
    false
}

/// Notes for the regions of `tree` that do not parse and touch added lines.
pub(crate) fn error_notes(file: &SourceFile<'_>) -> Vec<CodeNote> {
    let mut notes = Vec::new();
    if !file.tree.root_node().has_error() {
        return notes;
    }
    walk(file.tree.root_node(), |n| {
        if n.is_error() || n.is_missing() {
            let (first, last) = (line(n), end_line(n));
            if file.added.intersects(first, last) {
                notes.push(CodeNote {
                    path: file.path.to_string(),
                    line: Some(
                        first.max(
                            file.added
                                .lines()
                                .iter()
                                .copied()
                                .find(|&l| l >= first)
                                .unwrap_or(first),
                        ),
                    ),
                    end_line: Some(last),
                    // The bounds are in `line`/`end_line`: a report lists a file's regions
                    // together instead of repeating this sentence per line.
                    message: format!(
                        "does not parse as {}; calls there were not analysed",
                        match extension(file.path).as_str() {
                            "rs" => "Rust",
                            "py" | "pyi" => "Python",
                            _ => "C",
                        }
                    ),
                });
            }
            return false;
        }
        n.has_error()
    });
    notes
}

/// Whether a callee name reads as an assertion or a check (`g_assert_cmpint`, `assertEqual`,
/// `KUNIT_EXPECT_EQ`, `check_output`, `fail`, `verify_state`).
pub(crate) fn assertion_like(name: &str, settings: &CodeSettings) -> bool {
    let lower = name.trim_end_matches('!').to_ascii_lowercase();
    let last = lower.rsplit(['.', ':']).next().unwrap_or(&lower);
    ["assert", "expect", "check", "verify", "fail"]
        .iter()
        .any(|w| last.contains(w))
        || matches!(
            last,
            "abort" | "g_error" | "panic" | "unreachable" | "raises" | "warns"
        )
        || settings
            .assertion_helpers
            .iter()
            .any(|h| h.eq_ignore_ascii_case(name.trim_end_matches('!')))
}

/// Whether `haystack` is a sorted slice containing `needle`.
pub(crate) fn in_sorted(haystack: &[&str], needle: &str) -> bool {
    haystack.binary_search(&needle).is_ok()
}

/// The functions of `defined` (name → names it calls) that assert: directly (a call that
/// `direct` accepts) or through another function of `defined` that asserts.
pub(crate) fn asserting_functions<'a>(
    defined: &'a std::collections::HashMap<&'a str, Vec<String>>,
    direct: impl Fn(&str) -> bool,
) -> std::collections::HashSet<&'a str> {
    let mut asserts: std::collections::HashSet<&str> = defined
        .iter()
        .filter(|(_, calls)| calls.iter().any(|c| direct(c)))
        .map(|(name, _)| *name)
        .collect();
    loop {
        let before = asserts.len();
        for (name, calls) in defined {
            if !asserts.contains(name) && calls.iter().any(|c| asserts.contains(c.as_str())) {
                asserts.insert(name);
            }
        }
        if asserts.len() == before {
            return asserts;
        }
    }
}
