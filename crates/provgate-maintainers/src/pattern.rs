//! `F:`/`X:` file patterns and `N:`/`K:` regexes, compiled to mean what get_maintainer.pl
//! makes of them.
//!
//! get_maintainer.pl turns a file pattern into a Perl regex (`.` → `\.`, `*` → `.*`, `?` → `.`,
//! every other regex character left as it is; Xen's script first rewrites `{a,b}` to `(a|b)`),
//! appends `/` when the result names an existing directory, and then matches `^PATTERN` against
//! the path with no end anchor. A pattern ending in `/` matches everything in and below; any other
//! pattern matches only paths with as many `/` as the pattern itself. That is why `hw/*` matches
//! `hw/foo.c` but not `hw/arm/virt.c`, why `*/net/*` means "`net` under any top-level
//! directory", and why `F: hw/arm` with no slash still covers `hw/arm/virt.c` (it names a
//! directory).

use std::sync::OnceLock;

use regex::Regex;

use crate::Dialect;

/// How a file pattern treats paths deeper than itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DirMode {
    /// The pattern ends in `/` (as written, or appended because it names a directory): a prefix
    /// match covers everything in and below.
    Prefix,
    /// Not a directory: the path must have exactly as many `/` as the pattern.
    SameDepth,
    /// A plain name parsed without a tree to look at: a directory of that name is covered in
    /// and below, a file of that name (or a longer name at the same depth) as `SameDepth`.
    /// For every path that exists in a tree this equals get_maintainer.pl's answer unless the
    /// tree has both a directory `foo` and a file `foo…` beside it.
    MaybeDir,
}

#[derive(Debug, Clone)]
enum Matcher {
    /// The converted pattern holds no regex syntax: a byte-prefix test.
    Literal(Box<[u8]>),
    /// `^PATTERN` as a Perl regex.
    Regex(PerlRegex),
}

/// A compiled `F:` or `X:` pattern.
#[derive(Debug, Clone)]
pub(crate) struct FilePattern {
    matcher: Matcher,
    mode: DirMode,
    /// `/` in the converted pattern (get_maintainer.pl's `$s2`).
    slashes: u32,
    /// get_maintainer.pl's `$value_pd`: the rank of a match (more `/` = more specific; a
    /// pattern starting with `*` ranks -1).
    pub(crate) depth: i32,
    /// Bytes every matching path starts with (used for the prefix index).
    pub(crate) prefix: Box<[u8]>,
}

const GLOB_META: &[char] = &[
    '*', '?', '[', ']', '(', ')', '{', '}', '|', '+', '^', '$', '\\',
];

fn brace_regexes() -> &'static (Regex, Regex) {
    static CELL: OnceLock<(Regex, Regex)> = OnceLock::new();
    CELL.get_or_init(|| {
        let many = Regex::new(r"([^\\])\{(|[^},]*[^,\\]),((|[^},]*[^,\\]),(|[^}]*[^\\]))\}");
        let two = Regex::new(r"([^\\])\{(|[^},]*[^,\\]),(|[^}]*[^\\])\}");
        match (many, two) {
            (Ok(a), Ok(b)) => (a, b),
            _ => unreachable!("built-in brace regexes compile"),
        }
    })
}

/// Xen's bash-style brace expansion: `{a,b,c}` → `(a|b|c)`, exactly as its two substitutions.
fn expand_braces(value: &str) -> String {
    let (many, two) = brace_regexes();
    let mut v = value.to_string();
    // While there is more than one ',', convert one to '|' (bounded: each round removes a comma).
    for _ in 0..=value.len() {
        let next = many.replace_all(&v, "${1}{${2}|${3}}").into_owned();
        if next == v {
            break;
        }
        v = next;
    }
    two.replace_all(&v, "${1}(${2}|${3})").into_owned()
}

/// get_maintainer.pl's glob-to-regex conversion, before the directory test.
pub(crate) fn convert_glob(raw: &str, dialect: Dialect) -> String {
    let value = if dialect == Dialect::Xen && raw.contains('{') {
        expand_braces(raw)
    } else {
        raw.to_string()
    };
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        match c {
            '.' => out.push_str("\\."),
            '*' => out.push_str(".*"),
            '?' => out.push('.'),
            c => out.push(c),
        }
    }
    out
}

/// Rewrites a Perl regex into the `regex` crate's syntax where the two differ on input that Perl
/// accepts: a `{` that is not a quantifier is literal in Perl; `[` inside a class is literal in
/// Perl (nested class in Rust) and `&&`/`~~` are set operators in Rust only.
pub(crate) fn perl_to_rust(perl: &str) -> String {
    let chars: Vec<char> = perl.chars().collect();
    let mut out = String::with_capacity(perl.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                out.push('\\');
                if let Some(&n) = chars.get(i + 1) {
                    out.push(n);
                }
                i += 2;
            }
            '[' => {
                // A character class: copy it, escaping what Rust would read differently.
                out.push('[');
                i += 1;
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
                while i < chars.len() && chars[i] != ']' {
                    let d = chars[i];
                    match d {
                        '\\' => {
                            out.push('\\');
                            if let Some(&n) = chars.get(i + 1) {
                                out.push(n);
                            }
                            i += 2;
                            continue;
                        }
                        '[' if chars.get(i + 1) == Some(&':') => {
                            // POSIX class `[:alpha:]`: copy through `:]`.
                            let rest: String = chars[i..].iter().collect();
                            if let Some(end) = rest.find(":]") {
                                out.push_str(&rest[..end + 2]);
                                i += rest[..end + 2].chars().count();
                                continue;
                            }
                            out.push_str("\\[");
                        }
                        '[' | '&' | '~' => {
                            out.push('\\');
                            out.push(d);
                        }
                        d => out.push(d),
                    }
                    i += 1;
                }
                if i < chars.len() {
                    out.push(']');
                    i += 1;
                }
            }
            '{' => {
                // A quantifier is `{n}`, `{n,}` or `{n,m}`; anything else is a literal brace.
                let mut j = i + 1;
                let digits = |j: &mut usize| {
                    let s = *j;
                    while *j < chars.len() && chars[*j].is_ascii_digit() {
                        *j += 1;
                    }
                    *j > s
                };
                let mut quant = digits(&mut j);
                if quant && chars.get(j) == Some(&',') {
                    j += 1;
                    digits(&mut j);
                }
                quant = quant && chars.get(j) == Some(&'}');
                if quant {
                    out.extend(&chars[i..=j]);
                    i = j + 1;
                } else {
                    out.push_str("\\{");
                    i += 1;
                }
            }
            '}' => {
                out.push_str("\\}");
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// A compiled Perl regex: the `regex` crate's byte regex when the pattern is in its syntax (the
/// usual case, with Perl's byte semantics), else `fancy-regex` for look-around and
/// back-references (matched on the text as UTF-8).
#[derive(Debug, Clone)]
pub(crate) enum PerlRegex {
    Bytes(regex::bytes::Regex),
    Fancy(Box<fancy_regex::Regex>),
}

impl PerlRegex {
    pub(crate) fn is_match(&self, haystack: &[u8]) -> bool {
        match self {
            PerlRegex::Bytes(r) => r.is_match(haystack),
            PerlRegex::Fancy(r) => {
                let text = String::from_utf8_lossy(haystack);
                // A backtracking limit hit counts as no match (Perl would keep going).
                r.is_match(&*text).unwrap_or(false)
            }
        }
    }
}

/// Compiles a Perl regex for byte input with Perl's byte semantics (ASCII `\w`, `.` = any byte
/// but newline). `extended` is Perl's `/x`.
pub(crate) fn compile_perl(perl: &str, extended: bool) -> Result<PerlRegex, String> {
    let translated = perl_to_rust(perl);
    let build = |unicode: bool| {
        regex::bytes::RegexBuilder::new(&translated)
            .unicode(unicode)
            .ignore_whitespace(extended)
            .size_limit(1 << 22)
            .build()
    };
    let first = match build(false) {
        Ok(r) => return Ok(PerlRegex::Bytes(r)),
        Err(e) => e,
    };
    // A non-ASCII literal needs Unicode mode; its matching of ASCII input is the same.
    if let Ok(r) = build(true) {
        return Ok(PerlRegex::Bytes(r));
    }
    let fancy = if extended {
        format!("(?x){translated}")
    } else {
        translated.clone()
    };
    match fancy_regex::Regex::new(&fancy) {
        Ok(r) => Ok(PerlRegex::Fancy(Box::new(r))),
        Err(_) => Err(first.to_string()),
    }
}

fn count_slashes(s: &[u8]) -> u32 {
    s.iter().filter(|&&b| b == b'/').count() as u32
}

impl FilePattern {
    /// Compiles an `F:`/`X:` value. `is_dir` answers get_maintainer.pl's `-d $value` (asked with
    /// the converted pattern, relative to the tree's root); `None` when there is no tree.
    pub(crate) fn compile(
        raw: &str,
        dialect: Dialect,
        is_dir: Option<&dyn Fn(&str) -> bool>,
    ) -> Result<FilePattern, String> {
        let mut converted = convert_glob(raw, dialect);
        let literal = !raw.contains(GLOB_META) && converted == raw.replace('.', "\\.");
        let mode = if converted.ends_with('/') {
            DirMode::Prefix
        } else if converted.is_empty() {
            DirMode::SameDepth
        } else {
            match is_dir {
                Some(probe) => {
                    if probe(&converted) {
                        converted.push('/');
                        DirMode::Prefix
                    } else {
                        DirMode::SameDepth
                    }
                }
                None if literal => DirMode::MaybeDir,
                None => DirMode::SameDepth,
            }
        };
        let slashes = count_slashes(converted.as_bytes());
        let mut depth = slashes as i32;
        if !converted.ends_with('/') {
            depth += 1;
        }
        if converted.starts_with(".*") {
            depth = -1;
        }
        let (matcher, prefix) = if literal {
            let mut lit = raw.as_bytes().to_vec();
            if mode == DirMode::Prefix && !lit.ends_with(b"/") {
                lit.push(b'/');
            }
            let lit: Box<[u8]> = lit.into();
            (Matcher::Literal(lit.clone()), lit)
        } else {
            let re = compile_perl(&format!("^{converted}"), false)?;
            (Matcher::Regex(re), literal_prefix(raw).into())
        };
        Ok(FilePattern {
            matcher,
            mode,
            slashes,
            depth,
            prefix,
        })
    }

    /// get_maintainer.pl's `file_match_pattern`. `path_slashes` is the number of `/` in `path`.
    #[inline]
    pub(crate) fn matches(&self, path: &[u8], path_slashes: u32) -> bool {
        match &self.matcher {
            Matcher::Literal(lit) => {
                path.starts_with(lit)
                    && match self.mode {
                        DirMode::Prefix => true,
                        DirMode::SameDepth => path_slashes == self.slashes,
                        DirMode::MaybeDir => {
                            path_slashes == self.slashes || path.get(lit.len()) == Some(&b'/')
                        }
                    }
            }
            Matcher::Regex(re) => {
                (self.mode == DirMode::Prefix || path_slashes == self.slashes) && re.is_match(path)
            }
        }
    }
}

/// The bytes every path matching `^convert_glob(raw)` must start with. Conservative: stops at
/// the first character with any regex meaning, drops the character before a possible quantifier,
/// and gives up on top-level alternation.
fn literal_prefix(raw: &str) -> Vec<u8> {
    if raw.contains('|') {
        return Vec::new();
    }
    let bytes = raw.as_bytes();
    let stop = bytes
        .iter()
        .position(|&b| GLOB_META.contains(&(b as char)))
        .unwrap_or(bytes.len());
    let mut end = stop;
    if matches!(bytes.get(stop), Some(b'+') | Some(b'{')) {
        end = end.saturating_sub(1);
        // Never split a UTF-8 sequence.
        while end > 0 && (bytes[end] & 0xC0) == 0x80 {
            end -= 1;
        }
    }
    bytes[..end].to_vec()
}

/// A byte trie from literal prefixes to pattern ids: every id whose prefix is a prefix of a path,
/// found in one walk over the path.
#[derive(Debug, Default, Clone)]
pub(crate) struct PrefixIndex {
    nodes: Vec<Node>,
}

#[derive(Debug, Default, Clone)]
struct Node {
    children: Vec<(u8, u32)>,
    ids: Vec<u32>,
}

impl PrefixIndex {
    pub(crate) fn insert(&mut self, key: &[u8], id: u32) {
        if self.nodes.is_empty() {
            self.nodes.push(Node::default());
        }
        let mut at = 0usize;
        for &b in key {
            let next = match self.nodes[at]
                .children
                .binary_search_by_key(&b, |&(k, _)| k)
            {
                Ok(i) => self.nodes[at].children[i].1 as usize,
                Err(i) => {
                    let n = self.nodes.len();
                    self.nodes.push(Node::default());
                    self.nodes[at].children.insert(i, (b, n as u32));
                    n
                }
            };
            at = next;
        }
        self.nodes[at].ids.push(id);
    }

    /// Calls `f` with every id whose key is a prefix of `path`.
    #[inline]
    pub(crate) fn for_each_prefix_of(&self, path: &[u8], mut f: impl FnMut(u32)) {
        let Some(root) = self.nodes.first() else {
            return;
        };
        let mut node = root;
        node.ids.iter().for_each(|&id| f(id));
        for &b in path {
            match node.children.binary_search_by_key(&b, |&(k, _)| k) {
                Ok(i) => node = &self.nodes[node.children[i].1 as usize],
                Err(_) => return,
            }
            node.ids.iter().for_each(|&id| f(id));
        }
    }
}

/// Rewrites Perl's `$` (end of text, or before a newline that ends it) into a look-ahead with
/// that meaning, for regexes matched against text with newlines (`K:` on file content and patch
/// lines): the `regex` crate's `$` only matches at the very end. Escaped `\$` and `$` in a
/// character class are literal and kept.
pub(crate) fn dollar_as_lookahead(perl: &str) -> String {
    let b = perl.as_bytes();
    let mut out = String::with_capacity(perl.len());
    let mut i = 0;
    let mut start = 0;
    let mut class = false;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' {
            i += 2;
            continue;
        }
        if class {
            class = c != b']';
            i += 1;
            continue;
        }
        match c {
            b'[' => {
                class = true;
                // A `]` right after `[` or `[^` is literal.
                if b.get(i + 1) == Some(&b'^') {
                    i += 1;
                }
                if b.get(i + 1) == Some(&b']') {
                    i += 1;
                }
            }
            b'$' => {
                out.push_str(&perl[start..i]);
                out.push_str("(?=\\n?\\z)");
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push_str(&perl[start.min(perl.len())..]);
    out
}

/// Drops look-around groups (`(?=…)`, `(?!…)`, `(?<=…)`, `(?<!…)`) from a regex. The result
/// matches whenever the original does (assertions only restrict), so it can screen input for a
/// slow backtracking regex. `None` when the regex has back-references or nothing is left.
pub(crate) fn relax_lookarounds(perl: &str) -> Option<String> {
    let b = perl.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let mut class = false;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' {
            if b.get(i + 1)
                .is_some_and(|d| d.is_ascii_digit() || *d == b'g' || *d == b'k')
            {
                return None;
            }
            out.extend_from_slice(&b[i..(i + 2).min(b.len())]);
            i += 2;
            continue;
        }
        if class {
            class = c != b']';
            out.push(c);
            i += 1;
            continue;
        }
        if c == b'[' {
            class = true;
            out.push(c);
            // A `]` right after `[` or `[^` is literal.
            if b.get(i + 1) == Some(&b'^') {
                out.push(b'^');
                i += 1;
            }
            if b.get(i + 1) == Some(&b']') {
                out.push(b']');
                i += 1;
            }
            i += 1;
            continue;
        }
        let look = [&b"(?="[..], b"(?!", b"(?<=", b"(?<!"]
            .iter()
            .any(|p| b[i..].starts_with(p));
        if look {
            // Skip to the matching `)`.
            let mut depth = 0usize;
            let mut in_class = false;
            while i < b.len() {
                match b[i] {
                    b'\\' => i += 1,
                    b'[' if !in_class => in_class = true,
                    b']' if in_class => in_class = false,
                    b'(' if !in_class => depth += 1,
                    b')' if !in_class => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        out.push(c);
        i += 1;
    }
    let out = String::from_utf8(out).ok()?;
    (!out.trim().is_empty()).then_some(out)
}

/// Where a regex set hit leads.
#[derive(Debug, Clone, Copy)]
enum SetEntry {
    /// The regex with this group index matched.
    Final(usize),
    /// A screen matched: the slow regex `checked[i]` decides.
    Check(usize),
}

/// Several Perl `/x` regexes (`N:` or `K:`) matched together: one [`regex::bytes::RegexSet`]
/// for those in the `regex` crate's syntax (and screens for the others), the rest one by one.
#[derive(Debug, Clone, Default)]
pub(crate) struct RegexGroup {
    set: Option<regex::bytes::RegexSet>,
    set_ids: Vec<SetEntry>,
    /// Slow regexes behind a screen in the set.
    checked: Vec<(usize, PerlRegex)>,
    /// Regexes tried on every input.
    singles: Vec<(usize, PerlRegex)>,
}

/// `(?x-u:…)` (or `(?x:…)` when the regex needs Unicode mode) for a regex set.
fn set_member(perl: &str) -> Option<String> {
    let t = perl_to_rust(perl);
    let try_build = |unicode: bool| {
        regex::bytes::RegexBuilder::new(&t)
            .unicode(unicode)
            .ignore_whitespace(true)
            .build()
            .is_ok()
    };
    // A newline before `)` so that a trailing `# comment` cannot swallow it.
    if try_build(false) {
        Some(format!("(?x-u:{t}\n)"))
    } else if try_build(true) {
        Some(format!("(?x:{t}\n)"))
    } else {
        None
    }
}

impl RegexGroup {
    /// Builds the group; patterns that do not compile with [`compile_perl`] are left out.
    pub(crate) fn build<'a>(patterns: impl Iterator<Item = &'a str>) -> RegexGroup {
        let mut group = RegexGroup::default();
        let mut members = Vec::new();
        let mut all = Vec::new();
        for (i, p) in patterns.enumerate() {
            let Ok(regex) = compile_perl(p, true) else {
                continue;
            };
            match &regex {
                PerlRegex::Bytes(_) => match set_member(p) {
                    Some(m) => {
                        members.push(m);
                        group.set_ids.push(SetEntry::Final(i));
                    }
                    None => group.singles.push((i, regex.clone())),
                },
                PerlRegex::Fancy(_) => match relax_lookarounds(p).as_deref().and_then(set_member) {
                    Some(m) => {
                        members.push(m);
                        group.set_ids.push(SetEntry::Check(group.checked.len()));
                        group.checked.push((i, regex.clone()));
                    }
                    None => group.singles.push((i, regex.clone())),
                },
            }
            all.push((i, regex));
        }
        if members.is_empty() {
            return group;
        }
        match regex::bytes::RegexSetBuilder::new(&members)
            .size_limit(1 << 26)
            .build()
        {
            Ok(set) => group.set = Some(set),
            // Too big for one set: match them one by one.
            Err(_) => {
                group.set_ids.clear();
                group.checked.clear();
                group.singles = all;
            }
        }
        group
    }

    /// Calls `f` with the index of every regex that matches `haystack` (in no set order).
    pub(crate) fn for_each_match(&self, haystack: &[u8], mut f: impl FnMut(usize)) {
        if let Some(set) = &self.set {
            for i in set.matches(haystack).iter() {
                match self.set_ids[i] {
                    SetEntry::Final(id) => f(id),
                    SetEntry::Check(c) => {
                        let (id, regex) = &self.checked[c];
                        if regex.is_match(haystack) {
                            f(*id);
                        }
                    }
                }
            }
        }
        for (i, r) in &self.singles {
            if r.is_match(haystack) {
                f(*i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(raw: &str, path: &str) -> bool {
        let p = FilePattern::compile(raw, Dialect::Linux, None).unwrap();
        p.matches(path.as_bytes(), count_slashes(path.as_bytes()))
    }

    #[test]
    fn conversion_matches_get_maintainer() {
        assert_eq!(
            convert_glob("drivers/net/*.c", Dialect::Linux),
            "drivers/net/.*\\.c"
        );
        assert_eq!(convert_glob("a?b", Dialect::Linux), "a.b");
        assert_eq!(
            convert_glob("xen/common/{kexec,kimage}.c", Dialect::Xen),
            "xen/common/(kexec|kimage)\\.c"
        );
        assert_eq!(convert_glob("x/{a,b,c}.h", Dialect::Xen), "x/(a|b|c)\\.h");
        assert_eq!(convert_glob("x/{a,b}.h", Dialect::Linux), "x/{a,b}\\.h");
    }

    #[test]
    fn matching() {
        assert!(m("hw/*", "hw/foo.c"));
        assert!(!m("hw/*", "hw/arm/virt.c"));
        assert!(m("hw/arm/", "hw/arm/sub/x.c"));
        assert!(m("*/net/*", "drivers/net/x.c"));
        assert!(!m("*/net/*", "a/b/net/x.c"));
        assert!(m("hw/arm", "hw/arm/virt.c"));
        assert!(m("hw/arm", "hw/arm.c"));
        assert!(!m("hw/arm", "hw/armv7/x.c"));
        assert!(m("foo.c", "foo.c"));
        assert!(m("foo.c", "foo.cc"));
        assert!(!m("foo.c", "fooxc"));
        assert!(m("a+b", "aab"));
        assert!(m("x/{a,b}.h", "x/{a,b}.h"));
        assert!(m("", "README"));
        assert!(!m("", "a/README"));
    }

    #[test]
    fn perl_translation() {
        assert_eq!(perl_to_rust("a{2}"), "a{2}");
        assert_eq!(perl_to_rust("a{x}"), "a\\{x\\}");
        assert_eq!(perl_to_rust("[[a]"), "[\\[a]");
        assert_eq!(perl_to_rust("[[:alpha:]]"), "[[:alpha:]]");
        assert!(compile_perl("^x/\\/y", false).is_ok());
        assert!(compile_perl("é", false).is_ok());
        assert!(compile_perl("(a", false).is_err());
        // Look-behind (U-Boot's `N: (?<!uni)versal`) needs fancy-regex.
        let r = compile_perl("(?<!uni)versal", true).unwrap();
        assert!(matches!(r, PerlRegex::Fancy(_)));
        assert!(r.is_match(b"drivers/versal/x.c"));
        assert!(!r.is_match(b"drivers/universal/x.c"));
        assert!(
            compile_perl(r"(a)\1 # back-reference", true)
                .unwrap()
                .is_match(b"aa")
        );
    }

    #[test]
    fn prefixes() {
        assert_eq!(literal_prefix("drivers/net/*.c"), b"drivers/net/");
        assert_eq!(literal_prefix("ab+c"), b"a");
        assert_eq!(literal_prefix("a|b"), b"");
        let mut ix = PrefixIndex::default();
        ix.insert(b"", 0);
        ix.insert(b"ab", 1);
        ix.insert(b"abc", 2);
        ix.insert(b"b", 3);
        let mut got = vec![];
        ix.for_each_prefix_of(b"abd", |i| got.push(i));
        assert_eq!(got, vec![0, 1]);
    }

    #[test]
    fn perl_dollar_before_a_final_newline() {
        assert_eq!(dollar_as_lookahead("foo$"), "foo(?=\\n?\\z)");
        assert_eq!(dollar_as_lookahead(r"a\$[$]b"), r"a\$[$]b");
        let r = compile_perl(&dollar_as_lookahead("foo$"), true).unwrap();
        assert!(r.is_match(b"x foo\n"));
        assert!(r.is_match(b"x foo"));
        assert!(!r.is_match(b"foo\nbar\n"));
    }

    #[test]
    fn look_around_screens() {
        assert_eq!(
            relax_lookarounds("(?<!uni)versal").as_deref(),
            Some("versal")
        );
        assert_eq!(
            relax_lookarounds("a(?=b(c))d[(?=]").as_deref(),
            Some("ad[(?=]")
        );
        assert_eq!(relax_lookarounds(r"(a)\1"), None);
        assert_eq!(relax_lookarounds("(?=x)"), None);
        let g = RegexGroup::build(["(?<!uni)versal", "x{2}", r"(a)\1"].into_iter());
        let hits = |s: &[u8]| {
            let mut v = vec![];
            g.for_each_match(s, |i| v.push(i));
            v.sort();
            v
        };
        assert_eq!(hits(b"versal"), [0]);
        assert_eq!(hits(b"universal xx"), [1]);
        assert_eq!(hits(b"aa versal"), [0, 2]);
    }
}
