//! Resolving a path to its sections and people, as get_maintainer.pl's `get_maintainers` does.

use crate::{Dialect, EmailEntry, ListEntry, ListKind, Maintainers, Section};

/// Options of a lookup beyond the path.
#[derive(Debug, Clone, Copy, Default)]
pub struct LookupOptions<'c> {
    /// get_maintainer.pl's `--pattern-depth`: when not 0, an `F:` match counts only if the path
    /// is fewer than this many directories below the pattern. 0 (the default) keeps all.
    pub pattern_depth: usize,
    /// The file's content: its `K:` keyword matches add sections after the path's own (what
    /// Xen's `get_maintainer.pl -f FILE` does by default, and Linux's with
    /// `--keywords-in-file`). Ignored for the path `MAINTAINERS`, as get_maintainer.pl does.
    pub content: Option<&'c [u8]>,
    /// The lines of a patch, as `diff -u` writes them (a `+`, `-` or space marker, the text, a
    /// newline): their `K:` keyword matches add sections after the path's own, as
    /// get_maintainer.pl reads a patch: each line that is not a file header is matched against
    /// `^[+-].*` followed by the keyword (so, in effect, added and removed lines). Unlike
    /// `content`, also applied to the path `MAINTAINERS`.
    pub diff: Option<&'c [u8]>,
}

/// How a section came to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchKind {
    /// An `F:` pattern (the section's last matching pattern line decided the rank).
    File,
    /// An `N:` regex was the section's last matching line.
    Regex,
    /// A `K:` regex matched the content.
    Keyword,
}

/// A matched section with get_maintainer.pl's rank for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionMatch {
    /// Index into [`Maintainers::sections`].
    pub section: usize,
    /// get_maintainer.pl's rank: the number of `/` in the deciding `F:` pattern (+1 unless it
    /// ends in `/`), -1 for patterns starting with `*`, 0 for `N:`. Keyword matches have
    /// `i32::MIN`.
    pub rank: i32,
    /// What matched.
    pub kind: MatchKind,
    /// For [`MatchKind::Keyword`]: the index in the section's [`Section::keywords`] of the
    /// first `K:` regex (in get_maintainer.pl's order) that matched.
    pub keyword: Option<usize>,
}

/// The part a person or list plays for a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// From an `M:` line.
    Maintainer,
    /// From an `R:` line.
    Reviewer,
    /// From an `L:` line.
    List,
}

/// One line of get_maintainer.pl's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recipient<'a> {
    /// The address exactly as get_maintainer.pl prints it (`Name <address>`, the name quoted
    /// when it has characters other than ASCII letters, digits, `_`, space and `-`; a list's
    /// bare address).
    pub address: &'a str,
    /// The entry as written in the file (trimmed).
    pub written: &'a str,
    /// The part the address plays (the first one, when it appears several times).
    pub role: Role,
    /// Index of the section it comes from.
    pub section: usize,
    list_kind: Option<ListKind>,
}

impl Recipient<'_> {
    /// The role as get_maintainer.pl's `--roles` prints it: `supporter:THE REST`, `reviewer`
    /// (Xen; Linux's script names the section: `reviewer:NAME`), `open list:XSM/FLASK`,
    /// `moderated list:…`.
    pub fn role_label(&self, maintainers: &Maintainers) -> String {
        let info = &maintainers.info[self.section];
        match self.role {
            Role::Maintainer => info.role.clone(),
            Role::Reviewer => match maintainers.dialect {
                Dialect::Xen => "reviewer".to_string(),
                Dialect::Linux => format!("reviewer:{}", info.subsystem),
            },
            Role::List => {
                let kind = match self.list_kind {
                    Some(ListKind::Moderated) => "moderated list",
                    Some(ListKind::SubscribersOnly) => "subscriber list",
                    _ => "open list",
                };
                format!("{kind}{}", info.list_role)
            }
        }
    }
}

/// Who looks after a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup<'a> {
    /// Matched sections in get_maintainer.pl's order: path matches by rank, most specific
    /// first (file order among equals), then keyword matches. Includes `THE REST` even when
    /// Xen's rule drops its maintainers.
    pub sections: Vec<&'a Section>,
    /// How each of `sections` matched (same order).
    pub matches: Vec<SectionMatch>,
    /// `M:` entries as written, in output order, each once (after Xen's `THE REST` rule).
    pub maintainers: Vec<&'a str>,
    /// `R:` entries as written, in output order, each once. A person can be both a maintainer
    /// (of one matched section) and a reviewer (of another).
    pub reviewers: Vec<&'a str>,
    /// List addresses as get_maintainer.pl prints them, each once.
    pub lists: Vec<&'a str>,
    /// get_maintainer.pl's output lines in order (maintainers and reviewers, then lists), each
    /// address once with its first role.
    pub recipients: Vec<Recipient<'a>>,
    /// Whether a section with a maintainer and a `Supported`/`Maintained` status matched the
    /// path at its own depth — get_maintainer.pl's test for *not* falling back to git history.
    pub exact: bool,
}

impl Lookup<'_> {
    /// Whether no section matched.
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }
}

/// A candidate line: section, line number, rank, is it an `F:`.
type Hit = (u32, u32, i32, bool);

impl Maintainers {
    /// [`Maintainers::lookup`] with options: `--pattern-depth` and content for `K:` keywords.
    pub fn lookup_with<'a>(&'a self, path: &str, options: &LookupOptions<'_>) -> Lookup<'a> {
        let p = path.as_bytes();
        let file_pd = p.iter().filter(|&&b| b == b'/').count() as u32;
        let hits = self.hits(p, file_pd, true);

        let mut matched: Vec<SectionMatch> = Vec::new();
        let mut exact = false;
        let mut i = 0;
        while i < hits.len() {
            let section = hits[i].0;
            let end = i + hits[i..].iter().take_while(|h| h.0 == section).count();
            let group = &hits[i..end];
            i = end;
            let info = &self.info[section as usize];
            let excluded = self.excludes[info.excludes.start as usize..info.excludes.end as usize]
                .iter()
                .any(|x| x.matches(p, file_pd));
            if excluded {
                continue;
            }
            let mut rank = None;
            for &(_, _, depth, is_file) in group {
                if is_file {
                    if depth >= file_pd as i32 && info.maintained && info.has_maintainer {
                        exact = true;
                    }
                    if options.pattern_depth == 0
                        || (file_pd as i64 - depth as i64) < options.pattern_depth as i64
                    {
                        rank = Some((depth, MatchKind::File));
                    }
                } else {
                    rank = Some((0, MatchKind::Regex));
                }
            }
            if let Some((rank, kind)) = rank {
                matched.push(SectionMatch {
                    section: section as usize,
                    rank,
                    kind,
                    keyword: None,
                });
            }
        }
        matched.sort_by_key(|m| std::cmp::Reverse(m.rank));

        let mut out = Collector::new(self);
        for m in &matched {
            out.add_categories(m.section);
        }
        if self.dialect == Dialect::Xen {
            // A file covered only by THE REST keeps THE REST; otherwise THE REST's maintainers
            // go when some other section supplies a maintainer (reviewers never count).
            let rest_only = matched
                .iter()
                .all(|m| self.info[m.section].role == REST_ROLE);
            if !rest_only && out.email_to.len() > 1 {
                let replace = out
                    .email_to
                    .iter()
                    .any(|&(e, s)| e.role == Role::Maintainer && self.info[s].role != REST_ROLE);
                if replace {
                    out.email_to.retain(|&(e, s)| {
                        !(e.role == Role::Maintainer && self.info[s].role == REST_ROLE)
                    });
                }
            }
        }
        let content = options.content.filter(|_| path != "MAINTAINERS");
        if content.is_some() || options.diff.is_some() {
            for (section, keyword) in self.keyword_matches(content, options.diff) {
                let section = section as usize;
                out.add_categories(section);
                if !matched.iter().any(|m| m.section == section) {
                    matched.push(SectionMatch {
                        section,
                        rank: i32::MIN,
                        kind: MatchKind::Keyword,
                        keyword: Some(keyword as usize),
                    });
                }
            }
        }
        // Xen's (and U-Boot's, and older Linux) scripts never print their "chief penguins"
        // unless asked to; current Linux ones dropped that filter.
        if !self.chief_penguins.is_empty() {
            out.email_to.retain(|(e, _)| {
                !self
                    .chief_penguins
                    .iter()
                    .any(|c| e.output.contains(c.as_str()))
            });
        }
        out.finish(matched, exact)
    }

    /// Every `F:` and `N:` line matching the path, sorted by section and line. `indexed` picks
    /// the prefix index (false: try every `F:`, as get_maintainer.pl does; for tests).
    fn hits(&self, p: &[u8], file_pd: u32, indexed: bool) -> Vec<Hit> {
        let mut hits: Vec<Hit> = Vec::new();
        let mut try_rule = |id: u32| {
            let rule = &self.files[id as usize];
            if rule.pattern.matches(p, file_pd) {
                hits.push((rule.section, rule.line, rule.pattern.depth, true));
            }
        };
        if indexed {
            self.index.for_each_prefix_of(p, &mut try_rule);
        } else {
            (0..self.files.len() as u32).for_each(&mut try_rule);
        }
        self.regex_set.for_each_match(p, |i| {
            let (section, line) = self.regex_rules[i];
            hits.push((section, line, 0, false));
        });
        hits.sort_unstable_by_key(|&(s, l, _, _)| (s, l));
        hits
    }

    /// Sections (with repeats) whose `K:` regexes match `text`, in get_maintainer.pl's order.
    pub(crate) fn keyword_hits(&self, text: &[u8]) -> Vec<u32> {
        self.keyword_matches(Some(text), None)
            .into_iter()
            .map(|(s, _)| s)
            .collect()
    }

    /// `(section, keyword index in the section)` of every `K:` regex matching the file content
    /// or a patch's lines, in get_maintainer.pl's order: by the string order of the `K:` line's
    /// index among the file's non-blank lines (its `sort_and_uniq(@keyword_tvi)`).
    fn keyword_matches(&self, content: Option<&[u8]>, diff: Option<&[u8]>) -> Vec<(u32, u32)> {
        let mut found: Vec<usize> = Vec::new();
        if let Some(text) = content {
            self.keyword_set.for_each_match(text, |i| found.push(i));
        }
        if let Some(diff) = diff {
            let set = self.patch_keyword_set.get_or_init(|| {
                let patterns: Vec<String> = self
                    .keyword_patterns
                    .iter()
                    .map(|k| format!("^[+-].*{}", crate::pattern::dollar_as_lookahead(k)))
                    .collect();
                crate::pattern::RegexGroup::build(patterns.iter().map(String::as_str))
            });
            for line in diff.split_inclusive(|&b| b == b'\n') {
                if !is_patch_header(line) {
                    set.for_each_match(line, |i| found.push(i));
                }
            }
        }
        let mut found: Vec<(String, u32, u32)> = found
            .into_iter()
            .map(|i| {
                let rule = &self.keyword_rules[i];
                (rule.tv_index.to_string(), rule.section, rule.keyword)
            })
            .collect();
        found.sort();
        found.dedup_by(|a, b| a.0 == b.0);
        found.into_iter().map(|(_, s, k)| (s, k)).collect()
    }
}

/// Whether get_maintainer.pl takes a patch line for a file header (`--- a/f`, `+++ b/f`,
/// ` mode change …`) and so never matches keywords against it: a removed line `-- x` or an added
/// line `++ x` is one of these.
fn is_patch_header(line: &[u8]) -> bool {
    // Perl's \s.
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c');
    let names_a_file = |rest: &[u8]| {
        let blank = rest.iter().take_while(|b| space(b)).count();
        blank > 0 && rest[blank..].iter().any(|b| !space(b))
    };
    if let Some(rest) = line
        .strip_prefix(b"+++")
        .or_else(|| line.strip_prefix(b"---"))
    {
        return names_a_file(rest);
    }
    line.starts_with(b" mode change ")
}

const REST_ROLE: &str = "supporter:THE REST";

/// get_maintainer.pl's `@email_to` and `@list_to`.
struct Collector<'a> {
    m: &'a Maintainers,
    email_to: Vec<(&'a EmailEntry, usize)>,
    list_to: Vec<(&'a ListEntry, usize)>,
    used_names: Vec<&'a str>,
    used_addresses: Vec<&'a str>,
}

impl<'a> Collector<'a> {
    fn new(m: &'a Maintainers) -> Self {
        Collector {
            m,
            email_to: Vec::new(),
            list_to: Vec::new(),
            used_names: Vec::new(),
            used_addresses: Vec::new(),
        }
    }

    fn add_categories(&mut self, section: usize) {
        let info = &self.m.info[section];
        for e in &info.emails {
            if self.m.dialect == Dialect::Linux {
                // --remove-duplicates: the first entry with a name or an address wins.
                let name_used = !e.name_lc.is_empty() && self.used_names.contains(&&*e.name_lc);
                if name_used || self.used_addresses.contains(&&*e.address_lc) {
                    continue;
                }
                if !e.name_lc.is_empty() {
                    self.used_names.push(&e.name_lc);
                }
                self.used_addresses.push(&e.address_lc);
            }
            self.email_to.push((e, section));
        }
        for l in &info.lists {
            if self.m.dialect == Dialect::Linux && l.kind == ListKind::SubscribersOnly {
                continue;
            }
            if !self
                .list_to
                .iter()
                .any(|(x, _)| x.address_lc == l.address_lc)
            {
                self.list_to.push((l, section));
            }
        }
    }

    fn finish(self, matched: Vec<SectionMatch>, exact: bool) -> Lookup<'a> {
        let m = self.m;
        let written = |e: &EmailEntry, s: usize| -> &'a str {
            let sec = &m.sections[s];
            let list = match e.role {
                Role::Maintainer => &sec.maintainers,
                _ => &sec.reviewers,
            };
            &list[e.index as usize]
        };
        // get_maintainer.pl's deduplicate_email: with --remove-duplicates (Linux) an address whose
        // (mapped) name or address was printed before prints as that first one.
        let mut first_names: Vec<(&'a str, &'a str)> = Vec::new();
        let mut first_addresses: Vec<(&'a str, &'a str)> = Vec::new();
        let dedup = self.m.dialect == Dialect::Linux;
        let mut output = |out: &'a str, name_lc: &'a str, address_lc: &'a str| -> &'a str {
            if !dedup {
                return out;
            }
            let found = (!name_lc.is_empty())
                .then(|| first_names.iter().find(|(n, _)| *n == name_lc))
                .flatten()
                .or_else(|| first_addresses.iter().find(|(a, _)| *a == address_lc));
            match found {
                Some(&(_, first)) => first,
                None => {
                    first_names.push((name_lc, out));
                    first_addresses.push((address_lc, out));
                    out
                }
            }
        };
        let mut maintainers: Vec<&'a str> = Vec::new();
        let mut reviewers: Vec<&'a str> = Vec::new();
        let mut seen_m: Vec<&'a str> = Vec::new();
        let mut seen_r: Vec<&'a str> = Vec::new();
        let mut recipients: Vec<Recipient<'a>> = Vec::new();
        for &(e, s) in &self.email_to {
            let address = output(&e.output, &e.output_name_lc, &e.output_address_lc);
            let (out, seen) = match e.role {
                Role::Maintainer => (&mut maintainers, &mut seen_m),
                _ => (&mut reviewers, &mut seen_r),
            };
            if !seen.contains(&address) {
                seen.push(address);
                out.push(written(e, s));
            }
            if !recipients.iter().any(|r| r.address == address) {
                recipients.push(Recipient {
                    address,
                    written: written(e, s),
                    role: e.role,
                    section: s,
                    list_kind: None,
                });
            }
        }
        let mut lists = Vec::with_capacity(self.list_to.len());
        for &(l, s) in &self.list_to {
            let address = output(&l.output, "", &l.output_address_lc);
            lists.push(address);
            if !recipients.iter().any(|r| r.address == address) {
                recipients.push(Recipient {
                    address,
                    written: &l.address,
                    role: Role::List,
                    section: s,
                    list_kind: Some(l.kind),
                });
            }
        }
        Lookup {
            sections: matched.iter().map(|x| &m.sections[x.section]).collect(),
            matches: matched,
            maintainers,
            reviewers,
            lists,
            recipients,
            exact,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::{Dialect, Parser};

    fn pattern() -> impl Strategy<Value = String> {
        proptest::string::string_regex(r"[ab/.*?{},+|\[\]()^$\\]{0,8}").unwrap()
    }

    fn path() -> impl Strategy<Value = String> {
        proptest::string::string_regex(r"[ab/.{},+|\[\]()^$*?]{0,10}").unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// The prefix index finds exactly what trying every pattern finds.
        #[test]
        fn index_finds_what_a_full_scan_finds(
            patterns in proptest::collection::vec((pattern(), any::<bool>()), 1..12),
            paths in proptest::collection::vec(path(), 1..12),
            xen in any::<bool>(),
        ) {
            let mut text = String::new();
            for (i, (p, new_section)) in patterns.iter().enumerate() {
                if i == 0 || *new_section {
                    text.push_str(&format!("\nSECTION {i}\nM: P{i} <p{i}@example.org>\n"));
                }
                text.push_str(&format!("F: {p}\n"));
            }
            let dialect = if xen { Dialect::Xen } else { Dialect::Linux };
            let (m, _) = Parser::new().lenient(true).dialect(dialect).parse(&text).unwrap();
            for p in &paths {
                let pd = p.bytes().filter(|&b| b == b'/').count() as u32;
                prop_assert_eq!(
                    m.hits(p.as_bytes(), pd, true),
                    m.hits(p.as_bytes(), pd, false),
                    "path {:?} in\n{}", p, text
                );
            }
        }
    }
}
