//! Reading MAINTAINERS text into sections, the way get_maintainer.pl reads it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::email::{
    Mailmap, normalize_address, parse_email, perl_trim, perl_trim_start, split_address_list,
};
use crate::pattern::{FilePattern, PrefixIndex, RegexGroup, compile_perl, dollar_as_lookahead};
use crate::{
    Dialect, EmailEntry, FileRule, KeywordRule, ListEntry, ListKind, Maintainers, MaintainersError,
    MaintainersWarning, Problem, Role, Section, SectionInfo, WarningAction,
};

type DirFn<'a> = dyn Fn(&str) -> bool + 'a;

/// How get_maintainer.pl's `-d $value` test is answered.
#[derive(Clone, Default)]
enum DirProbe {
    /// No tree: a plain name covers a directory of that name or files at its depth.
    #[default]
    None,
    /// Ask the file system below this root.
    Root(PathBuf),
    /// Ask a function (e.g. a git tree).
    Custom(Arc<dyn Fn(&str) -> bool + Send + Sync>),
}

/// Options for reading a MAINTAINERS file.
///
/// ```
/// use provgate_maintainers::{Dialect, Parser};
/// let (m, warnings) = Parser::new()
///     .lenient(true)
///     .dialect(Dialect::Linux)
///     .parse("FOO\nM: A <a@example.org>\nZ: what is this\nF: foo/\n")
///     .unwrap();
/// assert_eq!(m.sections().len(), 1);
/// assert_eq!(warnings.len(), 1);
/// ```
#[derive(Clone, Default)]
pub struct Parser {
    lenient: bool,
    dialect: Option<Dialect>,
    probe: DirProbe,
    chief_penguins: Option<Vec<String>>,
    mailmap: Option<Mailmap>,
}

impl fmt::Debug for Parser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let probe = match &self.probe {
            DirProbe::None => "none".to_string(),
            DirProbe::Root(p) => p.display().to_string(),
            DirProbe::Custom(_) => "custom".to_string(),
        };
        f.debug_struct("Parser")
            .field("lenient", &self.lenient)
            .field("dialect", &self.dialect)
            .field("directories", &probe)
            .field("chief_penguins", &self.chief_penguins)
            .field("mailmap", &self.mailmap.is_some())
            .finish()
    }
}

impl Parser {
    /// A strict parser that detects the dialect and has no tree to look at.
    pub fn new() -> Self {
        Self::default()
    }

    /// Lenient parsing: problems become warnings instead of errors (see
    /// [`crate::Maintainers::parse_lenient`]).
    pub fn lenient(mut self, lenient: bool) -> Self {
        self.lenient = lenient;
        self
    }

    /// Reads the file as this dialect instead of detecting it.
    pub fn dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = Some(dialect);
        self
    }

    /// The root of the source tree the file belongs to. get_maintainer.pl appends `/` to an
    /// `F:`/`X:` pattern when `-d PATTERN` is true *after* its glob conversion (so `hw/arm`
    /// becomes `hw/arm/`, but `foo.d` is tested as `foo\.d` and never is a directory); with a
    /// root, this parser asks the file system the same question. Without one, a pattern made
    /// only of plain characters covers a directory of that name as well as files at its depth,
    /// which gives the same answers for every path that exists in the tree unless a directory
    /// `foo` and a file `foo…` stand side by side.
    pub fn tree_root(mut self, root: impl AsRef<Path>) -> Self {
        self.probe = DirProbe::Root(root.as_ref().to_path_buf());
        self
    }

    /// Like [`Parser::tree_root`], with a function that says whether a path (relative to the
    /// root, as get_maintainer.pl's converted pattern) is a directory — e.g. backed by a git tree.
    pub fn directories(mut self, is_dir: impl Fn(&str) -> bool + Send + Sync + 'static) -> Self {
        self.probe = DirProbe::Custom(Arc::new(is_dir));
        self
    }

    /// The people get_maintainer.pl never prints (its `@penguin_chief`, `Name <address>` as
    /// `format_email` writes them). Default: `Linus Torvalds <torvalds@linux-foundation.org>`
    /// for [`Dialect::Xen`] (whose script kept Linux's list), none for [`Dialect::Linux`]
    /// (current Linux dropped the filter; U-Boot's script lists `Tom RINI <trini@konsulko.com>`).
    pub fn chief_penguins(mut self, people: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.chief_penguins = Some(people.into_iter().map(Into::into).collect());
        self
    }

    /// The `.mailmap` get_maintainer.pl applies to every address it prints (it reads the tree's
    /// `.mailmap` by default; [`crate::Maintainers::load_with`] does the same when this is not
    /// set). [`crate::Section`] keeps addresses as written; [`crate::Recipient::address`] is
    /// mapped.
    pub fn mailmap(mut self, mailmap: Mailmap) -> Self {
        self.mailmap = Some(mailmap);
        self
    }

    /// Whether a `.mailmap` was given.
    pub fn has_mailmap(&self) -> bool {
        self.mailmap.is_some()
    }

    /// Whether a directory oracle was given with [`Parser::directories`].
    pub fn has_directories(&self) -> bool {
        matches!(self.probe, DirProbe::Custom(_))
    }

    /// The tree root set with [`Parser::tree_root`], if any.
    pub fn root(&self) -> Option<&Path> {
        match &self.probe {
            DirProbe::Root(p) => Some(p),
            _ => None,
        }
    }

    /// Parses `text`. In strict mode the first fatal problem is an error; either way the
    /// non-fatal problems (and, when lenient, the fatal ones) come back as warnings.
    pub fn parse(
        &self,
        text: &str,
    ) -> Result<(Maintainers, Vec<MaintainersWarning>), MaintainersError> {
        self.parse_many(&[(None, text)])
    }

    /// Parses several MAINTAINERS files as get_maintainer.pl's `--find-maintainer-files` does:
    /// one after the other, as if concatenated (a file that starts with fields continues the
    /// previous file's last section). Errors, warnings and sections name their file.
    pub fn parse_many(
        &self,
        files: &[(Option<&Path>, &str)],
    ) -> Result<(Maintainers, Vec<MaintainersWarning>), MaintainersError> {
        let dialect = self.dialect.unwrap_or_else(|| {
            if files.iter().any(|(_, t)| detect_dialect(t) == Dialect::Xen) {
                Dialect::Xen
            } else {
                Dialect::Linux
            }
        });
        let probe_fn: Option<Box<DirFn<'_>>> = match &self.probe {
            DirProbe::None => None,
            DirProbe::Root(root) => Some(Box::new(move |p: &str| root.join(p).is_dir())),
            DirProbe::Custom(f) => Some(Box::new(move |p: &str| f(p))),
        };
        let mut b = Builder {
            lenient: self.lenient,
            dialect,
            probe: probe_fn.as_deref(),
            warnings: Vec::new(),
            sections: Vec::new(),
            raw: Vec::new(),
            files: Vec::new(),
            section_excludes: Vec::new(),
            regexes: Vec::new(),
            keywords: Vec::new(),
            file: None,
            tv_index: 0,
            prev_typed: false,
            pending: None,
        };
        for (file, text) in files {
            b.file = file.map(Path::to_path_buf);
            b.read(text)?;
        }
        let (mut m, warnings) = b.finish(self.mailmap.as_ref());
        m.chief_penguins = match &self.chief_penguins {
            Some(c) => c.clone(),
            None if dialect == Dialect::Xen => {
                vec!["Linus Torvalds <torvalds@linux-foundation.org>".to_string()]
            }
            None => Vec::new(),
        };
        Ok((m, warnings))
    }
}

/// Xen's script only accepts a file whose `THE REST` section has `V: xen-maintainers-N`.
fn detect_dialect(text: &str) -> Dialect {
    let lines: Vec<&str> = text.split('\n').collect();
    for (i, line) in lines.iter().enumerate() {
        if *line != "THE REST" {
            continue;
        }
        for next in &lines[i + 1..] {
            if is_blank(next) {
                continue;
            }
            let Some((letter, value)) = field(next) else {
                break;
            };
            if letter == 'V'
                && let Some(at) = value.find("xen-maintainers-")
            {
                let version = &value[at + "xen-maintainers-".len()..];
                if !version.is_empty() && version != "0" {
                    return Dialect::Xen;
                }
            }
        }
    }
    Dialect::Linux
}

fn is_blank(line: &str) -> bool {
    line.bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
}

/// `^([A-Z]):\s*(.*)`: the letter and the value (trailing whitespace kept).
fn field(line: &str) -> Option<(char, &str)> {
    let b = line.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_uppercase() && b[1] == b':' {
        Some((b[0] as char, perl_trim_start(&line[2..])))
    } else {
        None
    }
}

/// A text line that a human probably meant as a field.
fn looks_like_field(line: &str) -> bool {
    let t = perl_trim_start(line);
    let b = t.as_bytes();
    b.len() >= 2
        && b[0].is_ascii_alphabetic()
        && b[1] == b':'
        && (t.len() != line.len() || b[0].is_ascii_lowercase())
}

struct RawSection<'t> {
    header: &'t str,
    statuses: Vec<&'t str>,
}

struct Builder<'p, 't> {
    lenient: bool,
    dialect: Dialect,
    probe: Option<&'p (dyn Fn(&str) -> bool + 'p)>,
    warnings: Vec<MaintainersWarning>,
    sections: Vec<(Section, SectionInfo)>,
    raw: Vec<RawSection<'t>>,
    files: Vec<FileRule>,
    section_excludes: Vec<(u32, FilePattern)>,
    regexes: Vec<(u32, u32, String)>,
    keywords: Vec<(KeywordRule, String)>,
    /// The file being read, when there are several.
    file: Option<PathBuf>,
    /// get_maintainer.pl's index into `@typevalue` (non-blank lines), across files.
    tv_index: usize,
    /// Whether the last non-blank line was a field.
    prev_typed: bool,
    /// The last text line (a section name if fields follow), with its file.
    pending: Option<(usize, &'t str, Option<PathBuf>)>,
}

impl<'t> Builder<'_, 't> {
    /// Reports a problem. Strict mode fails on fatal ones; otherwise records a warning and
    /// returns `keep`, whether the line is kept.
    fn problem(
        &mut self,
        line: usize,
        problem: Problem,
        keep: bool,
    ) -> Result<bool, MaintainersError> {
        if problem.is_fatal() && !self.lenient {
            return Err(MaintainersError::Malformed {
                file: self.file.clone(),
                line,
                problem,
            });
        }
        self.warnings.push(MaintainersWarning {
            file: self.file.clone(),
            line,
            problem,
            action: if keep {
                WarningAction::Kept
            } else {
                WarningAction::Skipped
            },
        });
        Ok(keep)
    }

    fn read(&mut self, text: &'t str) -> Result<(), MaintainersError> {
        for (i, line) in text.split('\n').enumerate() {
            let lineno = i + 1;
            if is_blank(line) {
                continue;
            }
            if self.dialect == Dialect::Linux && perl_trim_start(line).starts_with('#') {
                continue;
            }
            let Some((letter, value)) = field(line) else {
                self.tv_index += 1;
                self.prev_typed = false;
                self.pending = Some((lineno, line, self.file.clone()));
                continue;
            };
            let this_tv = self.tv_index;
            self.tv_index += 1;
            if !self.prev_typed {
                match self.pending.take() {
                    Some((hline, header, hfile)) => {
                        if looks_like_field(header) {
                            let text = header.trim_end().to_string();
                            self.problem(hline, Problem::FieldLikeHeader { text }, true)?;
                        }
                        self.start_section(hline, header, hfile);
                    }
                    None => {
                        self.problem(lineno, Problem::FieldBeforeSection { letter }, false)?;
                        continue;
                    }
                }
            }
            self.prev_typed = true;
            self.add_field(lineno, this_tv, letter, value)?;
        }
        Ok(())
    }

    fn start_section(&mut self, line: usize, header: &'t str, file: Option<PathBuf>) {
        let section = Section {
            name: perl_trim(header).to_string(),
            file,
            line,
            status: None,
            maintainers: Vec::new(),
            reviewers: Vec::new(),
            lists: Vec::new(),
            web: Vec::new(),
            trees: Vec::new(),
            files: Vec::new(),
            excludes: Vec::new(),
            regexes: Vec::new(),
            keywords: Vec::new(),
            other: Vec::new(),
        };
        let info = SectionInfo {
            role: String::new(),
            subsystem: String::new(),
            list_role: String::new(),
            maintained: false,
            has_maintainer: false,
            emails: Vec::new(),
            lists: Vec::new(),
            excludes: 0..0,
        };
        self.sections.push((section, info));
        self.raw.push(RawSection {
            header,
            statuses: Vec::new(),
        });
    }

    fn add_field(
        &mut self,
        line: usize,
        tv: usize,
        letter: char,
        value: &'t str,
    ) -> Result<(), MaintainersError> {
        let si = (self.sections.len() - 1) as u32;
        let written = perl_trim(value).to_string();
        match letter {
            'M' | 'R' => {
                let role = if letter == 'M' {
                    Role::Maintainer
                } else {
                    Role::Reviewer
                };
                let (section, info) = self.sections.last_mut().expect("a section is open");
                if letter == 'M' {
                    info.has_maintainer = true;
                }
                for part in split_address_list(value) {
                    let list = if letter == 'M' {
                        &mut section.maintainers
                    } else {
                        &mut section.reviewers
                    };
                    let index = list.len() as u32;
                    list.push(perl_trim(part).to_string());
                    if let Some(formatted) = normalize_address(part) {
                        let (name, address) = parse_email(part);
                        info.emails.push(EmailEntry {
                            role,
                            index,
                            formatted,
                            name_lc: name.to_ascii_lowercase(),
                            address_lc: address.to_ascii_lowercase(),
                            output: String::new(),
                            output_name_lc: String::new(),
                            output_address_lc: String::new(),
                        });
                    }
                }
            }
            'L' => {
                let dialect = self.dialect;
                let (section, info) = self.sections.last_mut().expect("a section is open");
                section.lists.push(written);
                // Xen runs the value through parse_email first (which drops any note after the
                // address); Linux splits the value at the first whitespace.
                let value = match dialect {
                    Dialect::Xen => parse_email(value).1,
                    Dialect::Linux => value.to_string(),
                };
                let (address, additional) = match value.find(|c: char| c.is_ascii_whitespace()) {
                    Some(at) => (
                        value[..at].to_string(),
                        perl_trim_start(&value[at..]).to_string(),
                    ),
                    None => (value.clone(), String::new()),
                };
                let kind = if additional.contains("subscribers-only") {
                    ListKind::SubscribersOnly
                } else if additional.contains("moderated") {
                    ListKind::Moderated
                } else {
                    ListKind::Open
                };
                if !address.is_empty() {
                    info.lists.push(ListEntry {
                        address_lc: address.to_ascii_lowercase(),
                        address,
                        kind,
                        output: String::new(),
                        output_address_lc: String::new(),
                    });
                }
            }
            'S' => {
                let (section, info) = self.sections.last_mut().expect("a section is open");
                let lc = value.to_ascii_lowercase();
                if lc.contains("maintain") || lc.contains("support") {
                    info.maintained = true;
                }
                section.status = Some(written);
                self.raw
                    .last_mut()
                    .expect("a section is open")
                    .statuses
                    .push(value);
            }
            'W' => self.section().web.push(written),
            'T' => self.section().trees.push(written),
            'F' | 'X' => {
                if value.is_empty()
                    && !self.problem(line, Problem::EmptyPattern { letter }, true)?
                {
                    return Ok(());
                }
                if value.ends_with(|c: char| c.is_ascii_whitespace()) {
                    let pattern = value.to_string();
                    self.problem(line, Problem::TrailingWhitespace { letter, pattern }, true)?;
                }
                let compiled = FilePattern::compile(value, self.dialect, self.probe);
                let pattern = match compiled {
                    Ok(p) => p,
                    Err(message) => {
                        let problem = Problem::InvalidPattern {
                            letter,
                            pattern: value.to_string(),
                            message,
                        };
                        self.problem(line, problem, false)?;
                        return Ok(());
                    }
                };
                if letter == 'F' {
                    self.section().files.push(written);
                    self.files.push(FileRule {
                        section: si,
                        line: line as u32,
                        pattern,
                    });
                } else {
                    self.section().excludes.push(written);
                    self.section_excludes.push((si, pattern));
                }
            }
            'N' | 'K' => {
                if value.is_empty() {
                    self.problem(line, Problem::EmptyPattern { letter }, false)?;
                    return Ok(());
                }
                if let Err(message) = compile_perl(value, true) {
                    let problem = Problem::InvalidPattern {
                        letter,
                        pattern: value.to_string(),
                        message,
                    };
                    self.problem(line, problem, false)?;
                    return Ok(());
                }
                if letter == 'N' {
                    self.section().regexes.push(written);
                    self.regexes.push((si, line as u32, value.to_string()));
                } else {
                    let rule = KeywordRule {
                        section: si,
                        tv_index: tv,
                        keyword: self.section().keywords.len() as u32,
                    };
                    self.section().keywords.push(written);
                    self.keywords.push((rule, value.to_string()));
                }
            }
            'Q' | 'B' | 'C' | 'P' | 'V' => self.section().other.push((letter, written)),
            _ => {
                if self.problem(line, Problem::UnknownField { letter }, true)? {
                    self.section().other.push((letter, written));
                }
            }
        }
        Ok(())
    }

    fn section(&mut self) -> &mut Section {
        &mut self.sections.last_mut().expect("a section is open").0
    }

    fn finish(mut self, mailmap: Option<&Mailmap>) -> (Maintainers, Vec<MaintainersWarning>) {
        let map = |x: &str| match mailmap {
            Some(m) if !m.is_empty() => m.map(x),
            _ => x.to_string(),
        };
        for (_, info) in &mut self.sections {
            for e in &mut info.emails {
                e.output = map(&e.formatted);
                let (name, address) = parse_email(&e.output);
                e.output_name_lc = name.to_ascii_lowercase();
                e.output_address_lc = address.to_ascii_lowercase();
            }
            for l in &mut info.lists {
                l.output = map(&l.address);
                l.output_address_lc = parse_email(&l.output).1.to_ascii_lowercase();
            }
        }
        let maxlen = match self.dialect {
            Dialect::Xen => 20,
            Dialect::Linux => 50,
        };
        // Exclusions grouped by section (they were pushed in section order).
        let mut excludes = Vec::with_capacity(self.section_excludes.len());
        let mut pending = std::mem::take(&mut self.section_excludes)
            .into_iter()
            .peekable();
        for (si, (_, info)) in self.sections.iter_mut().enumerate() {
            let start = excludes.len() as u32;
            while let Some((_, p)) = pending.next_if(|(s, _)| *s as usize == si) {
                excludes.push(p);
            }
            info.excludes = start..excludes.len() as u32;
        }
        let mut sections = Vec::with_capacity(self.sections.len());
        let mut info = Vec::with_capacity(self.sections.len());
        for ((section, mut i), raw) in self.sections.into_iter().zip(&self.raw) {
            let subsystem = subsystem_name(raw.header, maxlen);
            let status = raw
                .statuses
                .last()
                .map(|s| s.to_ascii_lowercase())
                .unwrap_or_else(|| "unknown".to_string());
            let role = match status.as_str() {
                "supported" => "supporter",
                "maintained" => "maintainer",
                "odd fixes" => "odd fixer",
                "orphan" => "orphan minder",
                "obsolete" => "obsolete minder",
                "buried alive in reporters" => "chief penguin",
                other => other,
            };
            i.role = format!("{role}:{subsystem}");
            i.list_role = if subsystem == "THE REST" {
                String::new()
            } else {
                format!(":{subsystem}")
            };
            i.subsystem = subsystem;
            sections.push(section);
            info.push(i);
        }
        let mut index = PrefixIndex::default();
        for (id, rule) in self.files.iter().enumerate() {
            index.insert(&rule.pattern.prefix, id as u32);
        }
        let regex_set = RegexGroup::build(self.regexes.iter().map(|(_, _, r)| r.as_str()));
        let keyword_patterns: Vec<String> = self.keywords.iter().map(|(_, r)| r.clone()).collect();
        let content_patterns: Vec<String> = keyword_patterns
            .iter()
            .map(|r| dollar_as_lookahead(r))
            .collect();
        let keyword_set = RegexGroup::build(content_patterns.iter().map(String::as_str));
        let m = Maintainers {
            dialect: self.dialect,
            sections,
            info,
            files: self.files,
            index,
            excludes,
            regex_rules: self.regexes.iter().map(|(s, l, _)| (*s, *l)).collect(),
            regex_set,
            keyword_rules: self.keywords.into_iter().map(|(k, _)| k).collect(),
            keyword_set,
            keyword_patterns,
            patch_keyword_set: std::sync::OnceLock::new(),
            chief_penguins: Vec::new(),
        };
        (m, self.warnings)
    }
}

/// get_maintainer.pl's subsystem name: the header line, cut to `maxlen` bytes with `...`.
fn subsystem_name(header: &str, maxlen: usize) -> String {
    if header.len() <= maxlen {
        return header.to_string();
    }
    let cut = &header.as_bytes()[..maxlen - 3];
    let cut = String::from_utf8_lossy(cut);
    format!(
        "{}...",
        cut.trim_end_matches(|c: char| c.is_ascii_whitespace())
    )
}
