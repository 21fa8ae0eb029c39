//! Zones: named path sets with a tier and a kind, from globs and from MAINTAINERS sections.
//!
//! A path belongs to every zone whose `paths` globs match it (and no `exclude` glob does), or whose
//! `sections` name a MAINTAINERS section covering it. Globs are matched against the whole path
//! from the repository root with `/` never matched by `*` (`hw/*.c` does not match
//! `hw/arm/virt.c`); `**` crosses directories; a pattern ending in `/`, or naming a directory
//! without wildcards, covers everything below it, as MAINTAINERS `F:` lines do.
//!
//! The file's kind is the kind of the first matching zone that sets one (in policy order), else
//! the kind its path suggests ([`crate::classify::path_kind`]). Its tier is protected when any
//! matching zone is protected; it is exempt when any matching zone is exempt.
//!
//! MAINTAINERS `K:` keywords add the sections whose regexes match a file's content
//! ([`Zones::classify_content`], what `get_maintainer.pl -f FILE` does) or the lines a patch
//! adds and removes in it ([`Zones::classify_change`]); such sections count like the others and
//! say that they matched by keyword. `zones.maintainers-keywords = false` turns them off.

use std::path::Path;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Serialize;

use provgate_patch::{FileChange, LineKind};

use crate::error::{Loc, PolicyError, PolicyErrorKind};
use crate::policy::{Kind, Policy, Tier};

/// How a MAINTAINERS section came to cover a path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SectionReason {
    /// Its `F:` patterns or `N:` regexes match the path.
    #[default]
    Path,
    /// Only one of its `K:` regexes matched the content (or the patch's lines).
    Keyword,
}

impl SectionReason {
    fn is_path(&self) -> bool {
        *self == SectionReason::Path
    }
}

/// A MAINTAINERS section as reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionInfo {
    /// The section's title line.
    pub name: String,
    /// Its `S:` status (`Supported`, `Maintained`, `Odd Fixes`, `Orphan`, `Obsolete`), if any.
    pub status: Option<String>,
    /// Its `M:` people (`Name <email>`).
    #[serde(skip)]
    pub maintainers: Vec<String>,
    /// Whether the path or a keyword brought it in (JSON: `matched-by`, left out for paths).
    #[serde(rename = "matched-by", skip_serializing_if = "SectionReason::is_path")]
    pub matched_by: SectionReason,
    /// For keyword matches: the `K:` regex that matched, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
    /// Whether a pattern of its own covers the path: an `F:` or `N:` pattern, not only a
    /// catch-all (`THE REST`'s `F: *` and `F: */`) and not a `K:` keyword.
    #[serde(skip)]
    pub covers: bool,
    /// Whether one of its `F:` lines names the path itself (not a directory or glob).
    #[serde(skip)]
    pub names_path: bool,
}

/// What a path's MAINTAINERS `K:` keywords are matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeywordText<'a> {
    /// Nothing: sections come from the path alone.
    None,
    /// The file's whole content (get_maintainer.pl's `-f FILE`).
    File(&'a [u8]),
    /// The file's part of a patch, `diff -u` lines with their `+`/`-`/space markers
    /// (get_maintainer.pl reading a patch).
    Diff(&'a [u8]),
}

/// What a MAINTAINERS file says about one path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SectionMatch {
    /// The sections covering the path, in file order.
    pub sections: Vec<SectionInfo>,
    /// The maintainers get_maintainer.pl would list (`Name <email>`), deduplicated.
    pub maintainers: Vec<String>,
    /// The reviewers (`R:`), deduplicated.
    pub reviewers: Vec<String>,
}

/// Something that answers "which MAINTAINERS sections cover this path": the
/// `provgate-maintainers` parser, or a table in tests.
pub trait SectionSource: Send + Sync {
    /// The sections, maintainers and reviewers for `path` (relative to the repository root).
    fn lookup(&self, path: &str) -> SectionMatch;

    /// [`SectionSource::lookup`] with `K:` keywords matched against `text`; sources without
    /// keywords answer from the path alone.
    fn lookup_with_keywords(&self, path: &str, text: KeywordText<'_>) -> SectionMatch {
        let _ = text;
        self.lookup(path)
    }
}

/// Everything provgate knows about one path: the JSON of `provgate zones`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZoneInfo {
    /// The path, relative to the repository root.
    pub path: String,
    /// The names of the zones it belongs to, in policy order.
    pub zones: Vec<String>,
    /// What kind of file it is.
    pub kind: Kind,
    /// Protected when any of its zones is.
    pub tier: Tier,
    /// Exempt (imported or vendored) when any of its zones is.
    pub exempt: bool,
    /// The MAINTAINERS sections covering it.
    pub sections: Vec<SectionInfo>,
    /// Its maintainers (`Name <email>`).
    pub maintainers: Vec<String>,
    /// Its reviewers.
    pub reviewers: Vec<String>,
}

struct CompiledZone {
    paths: GlobSet,
    exclude: GlobSet,
    sections: Vec<String>,
}

/// The policy's zones, compiled, with an optional MAINTAINERS file.
pub struct Zones {
    names: Vec<String>,
    kinds: Vec<Option<Kind>>,
    tiers: Vec<Tier>,
    exempt: Vec<bool>,
    people: Vec<Vec<String>>,
    compiled: Vec<CompiledZone>,
    source: Option<Box<dyn SectionSource>>,
    keywords: bool,
    notes: Vec<String>,
    mailmap: crate::mailmap::Mailmap,
}

impl std::fmt::Debug for Zones {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Zones")
            .field("names", &self.names)
            .field("maintainers", &self.source.is_some())
            .field("keywords", &self.keywords)
            .finish()
    }
}

/// Whether a path of a tree is a directory ([`RepoFiles::is_dir`]).
pub type IsDir = Box<dyn Fn(&str) -> bool + Send + Sync>;

/// A repository's files the zones read, already read from wherever they are trusted
/// ([`Zones::from_files`]).
#[derive(Default)]
pub struct RepoFiles {
    /// The policy's MAINTAINERS file (`zones.maintainers-file`): where it was read and its bytes.
    pub maintainers: Option<(String, Vec<u8>)>,
    /// The `.mailmap`: where it was read and its bytes.
    pub mailmap: Option<(String, Vec<u8>)>,
    /// Whether a path (relative to the root) is a directory of the tree the files come from,
    /// for MAINTAINERS patterns; without it, patterns are read as get_maintainer.pl reads them
    /// in a tree where every plain name may be a directory.
    pub is_dir: Option<IsDir>,
}

/// Whether `path`, links followed, stays inside the repository at `root`. The repository may come
/// from an untrusted branch: a symbolic link must not make provgate read (and quote in errors) a
/// file outside it.
fn resolves_inside(path: &Path, root: &Path) -> bool {
    match (path.canonicalize(), root.canonicalize()) {
        (Ok(file), Ok(root)) => file.starts_with(root),
        _ => false,
    }
}

/// The `.mailmap` at `root`; none when it is missing, unreadable or a link out of the
/// repository (a branch's content must not make provgate read other files).
fn read_mailmap(root: &Path) -> crate::mailmap::Mailmap {
    let path = root.join(".mailmap");
    if !path.is_file() || !resolves_inside(&path, root) {
        return crate::mailmap::Mailmap::default();
    }
    std::fs::read(&path)
        .map(|bytes| crate::mailmap::Mailmap::parse(&String::from_utf8_lossy(&bytes)))
        .unwrap_or_default()
}

/// Compiles one policy glob into the globs it stands for; the error is the compiler's message.
pub(crate) fn compile_glob(pattern: &str) -> Result<Vec<globset::Glob>, String> {
    let pattern = pattern.trim_start_matches("./");
    if pattern.is_empty() {
        return Err("empty pattern".to_string());
    }
    let build = |p: &str| {
        GlobBuilder::new(p)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|e| e.kind().to_string())
    };
    if let Some(dir) = pattern.strip_suffix('/') {
        return Ok(vec![build(&format!("{dir}/**"))?]);
    }
    // A pattern also covers everything below it when it names a directory (MAINTAINERS `F:`).
    Ok(vec![build(pattern)?, build(&format!("{pattern}/**"))?])
}

fn glob_set(patterns: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for p in patterns {
        for g in compile_glob(p)? {
            builder.add(g);
        }
    }
    builder.build().map_err(|e| e.to_string())
}

impl Zones {
    /// Compiles the policy's zones; `source` answers MAINTAINERS questions when there is one.
    pub fn new(
        policy: &Policy,
        source: Option<Box<dyn SectionSource>>,
    ) -> Result<Zones, PolicyError> {
        let mut zones = Zones {
            names: Vec::new(),
            kinds: Vec::new(),
            tiers: Vec::new(),
            exempt: Vec::new(),
            people: Vec::new(),
            compiled: Vec::new(),
            source,
            keywords: policy.zones.maintainers_keywords,
            mailmap: crate::mailmap::Mailmap::default(),
            notes: Vec::new(),
        };
        for def in &policy.zone_defs {
            let bad = |message: String| {
                def.loc.error(
                    PolicyErrorKind::BadGlob(format!("in zone `{}`: {message}", def.name)),
                    "check the zone's globs",
                )
            };
            zones.compiled.push(CompiledZone {
                paths: glob_set(&def.paths).map_err(bad)?,
                exclude: glob_set(&def.exclude).map_err(bad)?,
                sections: def.sections.iter().map(|s| s.to_lowercase()).collect(),
            });
            zones.names.push(def.name.clone());
            zones.kinds.push(def.kind);
            zones.tiers.push(def.tier);
            zones.exempt.push(def.exempt);
            zones.people.push(def.maintainers.clone());
        }
        Ok(zones)
    }

    /// Compiles the zones and reads the policy's MAINTAINERS file from `repo_root`, when there is
    /// a root, the policy names a file and the file exists. A malformed file is an error; a `K:`
    /// regex that cannot be evaluated is left out and reported in [`Zones::notes`].
    pub fn load(policy: &Policy, repo_root: Option<&Path>) -> Result<Zones, PolicyError> {
        let (source, notes) = match repo_root {
            Some(root) if !policy.zones.maintainers_file.is_empty() => {
                let path = root.join(&policy.zones.maintainers_file);
                if path.is_file() {
                    if !resolves_inside(&path, root) {
                        return Err(Loc::nowhere(&path.display().to_string()).error(
                            PolicyErrorKind::BadValue(
                                "the MAINTAINERS file resolves to a path outside the repository"
                                    .to_string(),
                            ),
                            "replace the symbolic link with the file, or set zones.maintainers-file = \"\"",
                        ));
                    }
                    crate::maintainers::load(&path)?
                } else {
                    (None, Vec::new())
                }
            }
            _ => (None, Vec::new()),
        };
        let mut zones = Zones::new(policy, source)?;
        zones.notes = notes;
        if let Some(root) = repo_root {
            zones.mailmap = read_mailmap(root);
        }
        Ok(zones)
    }

    /// Compiles the zones over repository files already read (from a commit's tree, where the
    /// work tree holds a change that may have edited them): the policy's MAINTAINERS file and
    /// the `.mailmap`, each as `(origin, text)` with `origin` naming it in notes and errors.
    pub fn from_files(policy: &Policy, files: RepoFiles) -> Result<Zones, PolicyError> {
        let mailmap_text = files
            .mailmap
            .as_ref()
            .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned());
        let (source, notes) = match files.maintainers {
            Some((origin, bytes)) if !policy.zones.maintainers_file.is_empty() => {
                let mut parser = provgate_maintainers::Parser::new();
                if let Some(is_dir) = files.is_dir {
                    parser = parser.directories(is_dir);
                }
                // get_maintainer.pl maps the addresses it prints through the tree's .mailmap.
                if let Some(text) = &mailmap_text {
                    parser = parser.mailmap(provgate_maintainers::Mailmap::parse(text));
                }
                crate::maintainers::parse(&origin, &String::from_utf8_lossy(&bytes), &parser)?
            }
            _ => (None, Vec::new()),
        };
        let mut zones = Zones::new(policy, source)?;
        zones.notes = notes;
        if let Some(text) = mailmap_text {
            zones.mailmap = crate::mailmap::Mailmap::parse(&text);
        }
        Ok(zones)
    }

    /// What reading the MAINTAINERS file left out, one message each (`K:` regexes that cannot
    /// be evaluated).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The repository's `.mailmap` (empty without one): who is who for the DCO rules.
    pub fn mailmap(&self) -> &crate::mailmap::Mailmap {
        &self.mailmap
    }

    /// Turns `K:` keyword matching on or off (`--no-keywords`); it starts as the policy's
    /// `zones.maintainers-keywords`.
    pub fn set_keywords(&mut self, on: bool) {
        self.keywords = on;
    }

    /// Whether `K:` keywords are matched.
    pub fn keywords(&self) -> bool {
        self.keywords
    }

    /// Whether a MAINTAINERS file is known.
    pub fn has_maintainers(&self) -> bool {
        self.source.is_some()
    }

    /// Everything known about `path`, from the path alone.
    pub fn classify(&self, path: &str) -> ZoneInfo {
        self.classify_with(path, KeywordText::None)
    }

    /// Everything known about the file `path` whose content is `content`: MAINTAINERS sections
    /// whose `K:` regexes match the content are added (unless keywords are off).
    pub fn classify_content(&self, path: &str, content: &[u8]) -> ZoneInfo {
        self.classify_with(path, KeywordText::File(content))
    }

    /// Everything known about the file a patch changes: MAINTAINERS sections whose `K:` regexes
    /// match the lines the patch adds or removes in it are added (unless keywords are off).
    pub fn classify_change(&self, change: &FileChange) -> ZoneInfo {
        if !self.keywords || self.source.is_none() || change.hunks.is_empty() {
            return self.classify(change.path());
        }
        let mut diff = String::new();
        for line in change.hunks.iter().flat_map(|h| h.lines()) {
            diff.push(match line.kind {
                LineKind::Added => '+',
                LineKind::Removed => '-',
                LineKind::Context => ' ',
            });
            diff.push_str(line.text);
            diff.push('\n');
        }
        self.classify_with(change.path(), KeywordText::Diff(diff.as_bytes()))
    }

    /// Everything known about `path`, with `K:` keywords matched against `text` when keywords
    /// are on.
    pub fn classify_with(&self, path: &str, text: KeywordText<'_>) -> ZoneInfo {
        let path = path.trim_start_matches("./");
        let text = if self.keywords {
            text
        } else {
            KeywordText::None
        };
        let found = self
            .source
            .as_ref()
            .map(|s| s.lookup_with_keywords(path, text))
            .unwrap_or_default();
        let mut info = ZoneInfo {
            path: path.to_string(),
            zones: Vec::new(),
            kind: Kind::Code,
            tier: Tier::Open,
            exempt: false,
            sections: found.sections,
            maintainers: found.maintainers,
            reviewers: found.reviewers,
        };
        let mut kind = None;
        for (i, zone) in self.compiled.iter().enumerate() {
            let by_path = zone.paths.is_match(path) && !zone.exclude.is_match(path);
            let by_section = !zone.sections.is_empty()
                && info
                    .sections
                    .iter()
                    .any(|s| zone.sections.contains(&s.name.to_lowercase()))
                && !zone.exclude.is_match(path);
            if !(by_path || by_section) {
                continue;
            }
            info.zones.push(self.names[i].clone());
            if kind.is_none() {
                kind = self.kinds[i];
            }
            info.tier = info.tier.max(self.tiers[i]);
            info.exempt |= self.exempt[i];
        }
        info.kind = kind.unwrap_or_else(|| crate::classify::path_kind(path));
        info
    }

    /// Everyone whose agreement counts for the zones `info` is in: the MAINTAINERS `M:` entries
    /// of its sections and the zones' own `maintainers`.
    pub fn agreement_people(&self, info: &ZoneInfo) -> Vec<String> {
        let mut people = info.maintainers.clone();
        for name in &info.zones {
            if let Some(i) = self.names.iter().position(|n| n == name) {
                people.extend(self.people[i].iter().cloned());
            }
        }
        people
    }
}

/// A table-backed [`SectionSource`] for tests and for callers that build sections themselves:
/// each entry is a section with its glob patterns (policy glob syntax).
#[derive(Debug, Default)]
pub struct StaticSections {
    entries: Vec<(SectionInfo, GlobSet, Vec<String>, Vec<String>)>,
}

impl StaticSections {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a section covering `patterns`, with its maintainers and reviewers.
    pub fn section(
        mut self,
        name: &str,
        status: Option<&str>,
        patterns: &[&str],
        maintainers: &[&str],
        reviewers: &[&str],
    ) -> Self {
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        let set = glob_set(&patterns).expect("test section globs are valid");
        let covers = !patterns
            .iter()
            .all(|p| matches!(p.as_str(), "*" | "*/" | "**"));
        self.entries.push((
            SectionInfo {
                name: name.to_string(),
                status: status.map(str::to_string),
                maintainers: maintainers.iter().map(|m| m.to_string()).collect(),
                matched_by: SectionReason::Path,
                keyword: None,
                covers,
                names_path: false,
            },
            set,
            reviewers.iter().map(|r| r.to_string()).collect(),
            patterns,
        ));
        self
    }
}

impl SectionSource for StaticSections {
    fn lookup(&self, path: &str) -> SectionMatch {
        let mut out = SectionMatch::default();
        for (info, set, reviewers, patterns) in &self.entries {
            if set.is_match(path) {
                for m in &info.maintainers {
                    if !out.maintainers.contains(m) {
                        out.maintainers.push(m.clone());
                    }
                }
                for r in reviewers {
                    if !out.reviewers.contains(r) {
                        out.reviewers.push(r.clone());
                    }
                }
                out.sections.push(SectionInfo {
                    names_path: patterns.iter().any(|p| p == path),
                    ..info.clone()
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, path: &str) -> bool {
        glob_set(&[pattern.to_string()]).unwrap().is_match(path)
    }

    #[test]
    fn glob_semantics() {
        assert!(matches("hw/*.c", "hw/virt.c"));
        assert!(!matches("hw/*.c", "hw/arm/virt.c"));
        assert!(matches("hw/**/*.c", "hw/arm/virt.c"));
        assert!(matches("hw/arm/", "hw/arm/virt.c"));
        assert!(matches("hw/arm", "hw/arm/sub/virt.c"));
        assert!(!matches("hw/arm", "hw/armv7.c"));
        assert!(matches("linux-headers/", "linux-headers/asm/kvm.h"));
    }

    #[test]
    fn bad_glob_is_reported() {
        assert!(compile_glob("hw/[abc").is_err());
        assert!(compile_glob("").is_err());
    }
}
