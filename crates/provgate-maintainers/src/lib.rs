//! MAINTAINERS files (Linux, QEMU, Xen) read and resolved exactly as `scripts/get_maintainer.pl
//! -f FILE --nogit --nogit-fallback` does.
//!
//! ```
//! use provgate_maintainers::Maintainers;
//!
//! let text = "\
//! NETWORKING
//! M:\tAda Lovelace <ada@example.org>
//! S:\tMaintained
//! F:\tnet/
//! X:\tnet/legacy/
//!
//! THE REST
//! M:\tCharles Babbage <cb@example.org>
//! S:\tSupported
//! F:\t*
//! F:\t*/
//! ";
//! let m = Maintainers::parse(text).unwrap();
//! let hit = m.lookup("net/core/sock.c");
//! assert_eq!(hit.sections[0].name, "NETWORKING");
//! assert_eq!(hit.maintainers, vec!["Ada Lovelace <ada@example.org>", "Charles Babbage <cb@example.org>"]);
//! assert_eq!(m.lookup("net/legacy/old.c").sections[0].name, "THE REST");
//! ```
//!
//! # What get_maintainer.pl does, and so what this crate does
//!
//! * **Lines.** A line `^[A-Z]:` is a field (`F:` followed by optional whitespace and the value;
//!   the value keeps trailing whitespace). A line of only whitespace is ignored everywhere (it
//!   does not end a section). Any other line is text; a section is a run of field lines and its
//!   name is the text line just before the run. Text not followed by fields (the preamble,
//!   separators) belongs to no section. Linux's script also skips `#` comment lines; Xen's does
//!   not (there a `#` line before fields is a section name).
//! * **Fields.** `M:` maintainer, `R:` reviewer, `L:` list, `S:` status, `W:` web, `T:` tree,
//!   `F:` files, `X:` excluded files, `N:` path regex, `K:` content regex; Linux also has `Q:`
//!   `B:` `C:` `P:` and Xen `V:`. Unknown letters are ignored by get_maintainer.pl (an error in
//!   strict mode here).
//! * **`F:`/`X:`** — see [`Section::files`]: `*` → `.*`, `?` → `.`, `.` literal, other regex
//!   characters kept, Xen's `{a,b}` → `(a|b)`; `/` appended when the pattern names a directory;
//!   then `^PATTERN` with no end anchor; a pattern ending in `/` covers everything below, any
//!   other one only paths with the same number of `/`.
//! * **Selection.** For each section, if any `X:` matches the path the section is skipped; else
//!   every `F:` and `N:` line is tried and the section matches with the rank of the *last*
//!   matching line (`F:`: its number of `/`, +1 unless it ends in `/`, -1 if it starts with `*`;
//!   `N:`: 0). All matching sections are reported (`--pattern-depth=0`), highest rank first.
//!   get_maintainer.pl orders equal ranks by Perl hash order (random per run); this crate uses
//!   file order.
//! * **Addresses.** Each matched section, in that order, adds its `M:` and `R:` entries (in line
//!   order) and then, after all maintainers, its `L:` lists. Xen's script then drops `THE REST`'s
//!   maintainers when another section supplies a maintainer, unless the file is covered only by
//!   `THE REST` (and never prints `Linus Torvalds <torvalds@linux-foundation.org>`). Output is
//!   de-duplicated.
//! * **Printing.** Addresses print as `format_email(parse_email(x))` (names with characters
//!   outside ASCII `[A-Za-z0-9_ -]` quoted), rewritten by the tree's `.mailmap`.
//! * **Regexes** (`N:`, `K:`, and whatever regex syntax `F:` patterns carry) are Perl's: the
//!   `regex` crate with Perl's byte semantics where the syntax allows, `fancy-regex` for
//!   look-around and back-references.
//! * **`K:`** is matched against file content only when content is given
//!   ([`LookupOptions::content`]); Xen's script does so by default for `-f FILE`, Linux's only
//!   with `--keywords-in-file`.

mod email;
mod error;
mod lookup;
mod parse;
mod pattern;

use std::path::Path;

pub use email::{Mailmap, format_email, normalize_address, parse_email};
pub use error::{MaintainersError, MaintainersWarning, Problem, WarningAction};
pub use lookup::{Lookup, LookupOptions, MatchKind, Recipient, Role, SectionMatch};
pub use parse::Parser;

use pattern::{FilePattern, PrefixIndex};

/// Which get_maintainer.pl a MAINTAINERS file is read for. The two differ in small ways that
/// change answers; [`Parser`] picks one from the file itself unless told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Linux's (and QEMU's) script: `#` lines are comments, `L:` lists marked
    /// `subscribers-only` are left out, duplicates are removed by name or address
    /// (`--remove-duplicates`), `{` in a pattern is a regex character.
    Linux,
    /// Xen's `0.26-xen` script, chosen when `THE REST` has a `V: xen-maintainers-N` line (the
    /// script refuses any other file): `{a,b}` brace expansion in patterns, `THE REST`'s
    /// maintainers dropped when a more specific section has one, no comment lines.
    Xen,
}

/// One section of a MAINTAINERS file. Values are as written, with surrounding whitespace
/// trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The section's name: the text line before its fields.
    pub name: String,
    /// The file the section's name line is in, when several MAINTAINERS files were read
    /// ([`Maintainers::load_tree`]); `None` for a single file.
    pub file: Option<std::path::PathBuf>,
    /// 1-based line number of the name line (in `file`).
    pub line: usize,
    /// The last `S:` value (`Supported`, `Maintained`, `Odd Fixes`, `Orphan`, `Obsolete`, or
    /// anything else, kept verbatim). get_maintainer.pl's role for the section's maintainers
    /// comes from the last `S:`.
    pub status: Option<String>,
    /// `M:` entries, `Name <address>` as written (a line naming several addresses is split).
    pub maintainers: Vec<String>,
    /// `R:` entries, as written.
    pub reviewers: Vec<String>,
    /// `L:` values as written (may carry a note such as `(moderated for non-subscribers)`).
    pub lists: Vec<String>,
    /// `W:` values.
    pub web: Vec<String>,
    /// `T:` values.
    pub trees: Vec<String>,
    /// `F:` patterns as written: a trailing `/` covers everything in and below; `dir/*` only the
    /// files directly in `dir`; `*/net/*` `net` under any top-level directory; a name without
    /// slash that is a directory in the tree covers it whole (see [`Parser::tree_root`]).
    pub files: Vec<String>,
    /// `X:` patterns as written; a path matching one is never in this section.
    pub excludes: Vec<String>,
    /// `N:` regexes (Perl extended syntax), matched anywhere in the path.
    pub regexes: Vec<String>,
    /// `K:` regexes (Perl extended syntax), matched against content, not paths.
    pub keywords: Vec<String>,
    /// Any other field (`Q:`, `B:`, `C:`, `P:`, `V:` or an unknown letter kept by lenient
    /// parsing), in file order.
    pub other: Vec<(char, String)>,
}

impl Section {
    /// Whether the status says nobody looks after this code (`Orphan` or `Obsolete`,
    /// case-insensitive).
    pub fn is_unmaintained(&self) -> bool {
        self.status.as_deref().is_some_and(|s| {
            let s = s.to_ascii_lowercase();
            s.starts_with("orphan") || s.starts_with("obsolete")
        })
    }
}

/// What get_maintainer.pl derives from a section, computed once.
#[derive(Debug, Clone)]
pub(crate) struct SectionInfo {
    /// get_maintainer.pl's maintainer role, e.g. `supporter:THE REST`.
    pub(crate) role: String,
    /// get_maintainer.pl's (possibly shortened) section name.
    pub(crate) subsystem: String,
    /// The list role suffix (`:NAME`, or empty for `THE REST`).
    pub(crate) list_role: String,
    /// Any `S:` containing `maintain` or `support` (case-insensitive).
    pub(crate) maintained: bool,
    /// The section has an `M:` line.
    pub(crate) has_maintainer: bool,
    /// `M:`/`R:` entries in line order.
    pub(crate) emails: Vec<EmailEntry>,
    /// `L:` entries in line order.
    pub(crate) lists: Vec<ListEntry>,
    /// Ids into [`Maintainers::excludes`].
    pub(crate) excludes: std::ops::Range<u32>,
}

#[derive(Debug, Clone)]
pub(crate) struct EmailEntry {
    pub(crate) role: Role,
    /// Index into the section's `maintainers` or `reviewers`.
    pub(crate) index: u32,
    /// `format_email(parse_email(x))`.
    pub(crate) formatted: String,
    pub(crate) name_lc: String,
    pub(crate) address_lc: String,
    /// After `.mailmap`: what get_maintainer.pl prints, and its name and address lowercased.
    pub(crate) output: String,
    pub(crate) output_name_lc: String,
    pub(crate) output_address_lc: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListKind {
    Open,
    Moderated,
    SubscribersOnly,
}

#[derive(Debug, Clone)]
pub(crate) struct ListEntry {
    pub(crate) address: String,
    pub(crate) address_lc: String,
    pub(crate) kind: ListKind,
    /// After `.mailmap`.
    pub(crate) output: String,
    pub(crate) output_address_lc: String,
}

/// A compiled `F:` pattern with its place.
#[derive(Debug, Clone)]
pub(crate) struct FileRule {
    pub(crate) section: u32,
    /// Line number: the last matching line of a section sets its rank.
    pub(crate) line: u32,
    pub(crate) pattern: FilePattern,
}

/// A `K:` regex with get_maintainer.pl's index for it (keyword sections are added in the
/// string order of that index).
#[derive(Debug, Clone)]
pub(crate) struct KeywordRule {
    pub(crate) section: u32,
    pub(crate) tv_index: usize,
    /// Index into the section's [`Section::keywords`].
    pub(crate) keyword: u32,
}

/// A parsed MAINTAINERS file with its patterns compiled for fast lookups.
#[derive(Debug, Clone)]
pub struct Maintainers {
    pub(crate) dialect: Dialect,
    pub(crate) sections: Vec<Section>,
    pub(crate) info: Vec<SectionInfo>,
    pub(crate) files: Vec<FileRule>,
    /// `F:` ids by literal prefix.
    pub(crate) index: PrefixIndex,
    pub(crate) excludes: Vec<FilePattern>,
    /// `N:` regexes: section and line of each, and one set to match them all at once.
    pub(crate) regex_rules: Vec<(u32, u32)>,
    pub(crate) regex_set: pattern::RegexGroup,
    pub(crate) keyword_rules: Vec<KeywordRule>,
    pub(crate) keyword_set: pattern::RegexGroup,
    /// The `K:` regexes as written, in `keyword_rules` order.
    pub(crate) keyword_patterns: Vec<String>,
    /// The `K:` regexes as get_maintainer.pl applies them to a patch's lines (`^[+-].*` before
    /// each), built on the first patch lookup: reading paths alone never needs them.
    pub(crate) patch_keyword_set: std::sync::OnceLock<pattern::RegexGroup>,
    /// Addresses never printed (get_maintainer.pl's `@penguin_chief`).
    pub(crate) chief_penguins: Vec<String>,
}

impl Maintainers {
    /// Parses a MAINTAINERS file strictly: any malformed line is an error. The dialect is
    /// detected from the text; a pattern naming a directory without a trailing slash is
    /// recognised without a tree to look at (see [`Parser::tree_root`] for the exact rule).
    pub fn parse(text: &str) -> Result<Self, MaintainersError> {
        Parser::new().parse(text).map(|(m, _)| m)
    }

    /// Parses leniently, as get_maintainer.pl does: malformed lines are kept with
    /// get_maintainer.pl's meaning where it has one, skipped where it would die, and each is
    /// reported as a warning.
    pub fn parse_lenient(text: &str) -> (Self, Vec<MaintainersWarning>) {
        match Parser::new().lenient(true).parse(text) {
            Ok(r) => r,
            Err(e) => unreachable!("lenient parsing never fails: {e}"),
        }
    }

    /// Reads and strictly parses a MAINTAINERS file, with its directory as the tree's root for
    /// get_maintainer.pl's "is this pattern a directory" test and its `.mailmap`.
    pub fn load(path: &Path) -> Result<Self, MaintainersError> {
        Self::load_with(path, &Parser::new()).map(|(m, _)| m)
    }

    /// Reads a MAINTAINERS file with the given parser; the tree root defaults to the file's
    /// directory, and the `.mailmap` to the one at the tree root, if any (as get_maintainer.pl).
    pub fn load_with(
        path: &Path,
        parser: &Parser,
    ) -> Result<(Self, Vec<MaintainersWarning>), MaintainersError> {
        let bytes = std::fs::read(path).map_err(|source| MaintainersError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let text = String::from_utf8_lossy(&bytes);
        let mut parser = parser.clone();
        if parser.root().is_none() && !parser.has_directories() {
            let root = path.parent().unwrap_or(Path::new("."));
            let root = if root.as_os_str().is_empty() {
                Path::new(".")
            } else {
                root
            };
            parser = parser.tree_root(root);
        }
        if !parser.has_mailmap() {
            // get_maintainer.pl reads the tree's .mailmap by default.
            let root = parser
                .root()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| path.parent().unwrap_or(Path::new(".")).to_path_buf());
            if let Ok(bytes) = std::fs::read(root.join(".mailmap")) {
                parser = parser.mailmap(Mailmap::parse(&String::from_utf8_lossy(&bytes)));
            }
        }
        parser.parse(&text)
    }

    /// Reads every file named `MAINTAINERS` below `root` (skipping `.git`; `root/MAINTAINERS`
    /// first, then the others in path order), as get_maintainer.pl's `--find-maintainer-files`
    /// (which U-Boot's `.get_maintainer.conf` turns on), with `root` as the tree root and
    /// `root/.mailmap`. get_maintainer.pl takes them in directory-listing order, which only
    /// matters for the order of equally ranked sections.
    pub fn load_tree(
        root: &Path,
        parser: &Parser,
    ) -> Result<(Self, Vec<MaintainersWarning>), MaintainersError> {
        let mut paths = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|source| MaintainersError::Io {
                path: dir.clone(),
                source,
            })?;
            for e in entries.flatten() {
                let path = e.path();
                let Ok(kind) = e.file_type() else { continue };
                if kind.is_dir() {
                    if e.file_name() != ".git" {
                        stack.push(path);
                    }
                } else if e.file_name() == "MAINTAINERS" && path.is_file() {
                    paths.push(path);
                }
            }
        }
        let top = root.join("MAINTAINERS");
        paths.sort_by_key(|p| (*p != top, p.clone()));
        let mut texts = Vec::with_capacity(paths.len());
        for p in &paths {
            let bytes = std::fs::read(p).map_err(|source| MaintainersError::Io {
                path: p.clone(),
                source,
            })?;
            texts.push(String::from_utf8_lossy(&bytes).into_owned());
        }
        let rel: Vec<std::path::PathBuf> = paths
            .iter()
            .map(|p| p.strip_prefix(root).unwrap_or(p).to_path_buf())
            .collect();
        let mut parser = parser.clone();
        if parser.root().is_none() && !parser.has_directories() {
            parser = parser.tree_root(root);
        }
        if !parser.has_mailmap()
            && let Ok(bytes) = std::fs::read(root.join(".mailmap"))
        {
            parser = parser.mailmap(Mailmap::parse(&String::from_utf8_lossy(&bytes)));
        }
        let files: Vec<(Option<&Path>, &str)> = rel
            .iter()
            .zip(&texts)
            .map(|(p, t)| (Some(p.as_path()), t.as_str()))
            .collect();
        parser.parse_many(&files)
    }

    /// All sections in file order.
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// The dialect the file was read as.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Who looks after `path` (relative to the tree's root, `/`-separated, no leading `./`):
    /// get_maintainer.pl's answer for `-f PATH --nogit --nogit-fallback --nokeywords`.
    pub fn lookup(&self, path: &str) -> Lookup<'_> {
        self.lookup_with(path, &LookupOptions::default())
    }

    /// Sections whose `K:` regexes match `text` (file content or patch text), in the order
    /// get_maintainer.pl adds them. Each section appears once.
    pub fn keyword_sections(&self, text: &[u8]) -> Vec<&Section> {
        let mut seen = vec![false; self.sections.len()];
        self.keyword_hits(text)
            .into_iter()
            .filter_map(|s| {
                let s = s as usize;
                (!std::mem::replace(&mut seen[s], true)).then(|| &self.sections[s])
            })
            .collect()
    }
}
