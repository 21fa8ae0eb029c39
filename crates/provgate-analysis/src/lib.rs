//! provgate's language-aware reading of added code.
//!
//! The pipeline, as the modules show it:
//!
//! 1. [`lang`]: language plug-ins (C and headers, Rust, Python built in) that read a file with
//!    its tree-sitter grammar: definitions and calls for the index, and the added lines for the
//!    code rules; [`lang::mask`]: C attribute macros (`cf_check`, `__init`) blanked out before a
//!    changed file is parsed for the rules, so that the grammar reads what they qualify.
//! 2. [`index`]: the symbol index of a repository tree at a revision, built in parallel from git
//!    blobs and cached on disk per tree ([`cache`]), incrementally from the nearest cached
//!    ancestor; [`names`]: the shipped lists of names defined outside any repository;
//!    [`paste`]: the names C macros make by token pasting where they are invoked.
//! 3. [`apply`] (from `provgate-patch`): each changed file rebuilt from its base and the patch,
//!    so that whole files are parsed (locals and parameters are in scope, line numbers are the
//!    patch's).
//! 4. [`classify`]: comment- and white-space-only hunks, and mechanical patches.
//! 5. [`analyzer`]: the [`Analyzer`], which gives the policy engine its
//!    [`CodeFacts`](provgate_policy::CodeFacts) through
//!    [`check_with_code`](provgate_policy::check_with_code).
//!
//! The regression-test proof (`provgate prove`) is the `provgate-prove` crate's.
//!
//! ```no_run
//! use provgate_analysis::{Analyzer, AnalyzerOptions};
//! use provgate_policy::{CheckContext, Overrides, Policy, Stage, Zones, check_with_code};
//!
//! let repo = std::path::Path::new(".");
//! let read = provgate_git::read_range(repo, "origin/main..HEAD", &Default::default())?;
//! let series = provgate_patch::Series { id: read.range.clone(), version: 1, total: None, cover: None, patches: read.patches };
//! let policy = Policy::preset("qemu")?;
//! let ctx = CheckContext::new(Some(repo.into()), Stage::Submit, jiff::civil::date(2026, 6, 1), Overrides::default())?;
//! let zones = Zones::load(&policy, Some(repo))?;
//! let analyzer = Analyzer::open(repo, AnalyzerOptions::default())?;
//! let result = check_with_code(&policy, &ctx, &zones, &[series], Some(&analyzer));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod analyzer;
/// Rebuilding a changed file from its base and the patch; it lives with the model, where the
/// proof runner finds it too.
pub use provgate_patch::apply;
pub mod cache;
pub mod classify;
mod incremental;
pub mod index;
pub mod lang;
pub mod names;
pub mod paste;
pub mod symbols;

use std::collections::HashMap;

pub use analyzer::{Analyzer, AnalyzerOptions};
pub use index::{IndexError, IndexOptions, IndexStats, Repo, SymbolIndex};
pub use lang::{LanguageSupport, Languages};
pub use symbols::{FileSymbols, Symbol, SymbolKind};

/// Code settings with nothing added, for reading the index.
pub(crate) static EMPTY_SETTINGS: provgate_policy::CodeSettings = provgate_policy::CodeSettings {
    insecure_calls: Vec::new(),
    python_insecure_calls: Vec::new(),
    prefer: Vec::new(),
    assertion_helpers: Vec::new(),
    known_symbols: Vec::new(),
    system_headers: false,
};

/// One tree-sitter parser per language, made on first use (a parser is not shared between
/// threads: each worker has its own).
pub struct Parsers {
    languages: Languages,
    parsers: HashMap<&'static str, tree_sitter::Parser>,
}

impl Parsers {
    /// Parsers for `languages`.
    pub fn new(languages: &Languages) -> Parsers {
        Parsers {
            languages: languages.clone(),
            parsers: HashMap::new(),
        }
    }

    /// Parses `src` as the language named `lang`; `None` when there is no such plug-in or the
    /// grammar cannot be loaded.
    pub fn parse(&mut self, lang: &str, src: &[u8]) -> Option<tree_sitter::Tree> {
        self.parser(lang)?.parse(src, None)
    }

    /// The parser for `lang`, made on first use.
    fn parser(&mut self, lang: &str) -> Option<&mut tree_sitter::Parser> {
        let plugin = self.languages.by_name(lang)?.clone();
        let name = plugin.name();
        if !self.parsers.contains_key(name) {
            let mut p = tree_sitter::Parser::new();
            p.set_language(&plugin.grammar()).ok()?;
            self.parsers.insert(name, p);
        }
        self.parsers.get_mut(name)
    }

    /// Parses `src` as `lang` from `old`, the parse of a version of it that `edits` (in the
    /// order they are applied, each in the coordinates the previous ones leave) turn into `src`:
    /// only the edited regions are parsed again.
    pub fn reparse(
        &mut self,
        lang: &str,
        src: &[u8],
        old: &tree_sitter::Tree,
        edits: &[tree_sitter::InputEdit],
    ) -> Option<tree_sitter::Tree> {
        let mut base = old.clone();
        for e in edits {
            base.edit(e);
        }
        self.parser(lang)?.parse(src, Some(&base))
    }

    /// The symbols of `src` read as `lang` (empty when it cannot be parsed).
    pub fn symbols(&mut self, lang: &str, src: &[u8]) -> FileSymbols {
        let Some(plugin) = self.languages.by_name(lang).cloned() else {
            return FileSymbols::new(lang);
        };
        match self.parse(lang, src) {
            Some(tree) => plugin.symbols(&tree, src),
            None => FileSymbols::new(lang),
        }
    }
}
