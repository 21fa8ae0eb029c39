//! Attribute macros blanked out before C is parsed for the code rules.
//!
//! `static int cf_check f(void)`, `int x __ro_after_init;` or `asm_inline volatile (…)` do not
//! parse as C without the preprocessor: the grammar cannot know that `cf_check` expands to
//! nothing or to an `__attribute__`. Such regions are not analysed. Before a changed file is
//! parsed for the rules, [`mask_c`] replaces the uses of those macros with spaces (and an `asm`
//! alias with `asm`), so that byte offsets, lines and columns are unchanged and the parse of the
//! rest can be read against the original bytes.
//!
//! Which names are blanked ([`Macros`]): a macro the repository defines, in every definition, as
//! nothing, attributes, qualifiers and other such macros ([`AttributeMacro`], recorded by the
//! index), and the shipped list `names/c-attributes.txt`, unless the repository defines the name
//! as something else (a function, a variable, a macro with a real body). Blanking only removes
//! what the compiler would remove too, so it never hides a call or makes one up.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use crate::index::SymbolIndex;
use crate::symbols::AttributeMacro;

/// What a use of an attribute macro is replaced by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// An object-like macro for nothing, attributes or qualifiers: blanked.
    Object,
    /// A function-like macro for attributes: blanked with its arguments.
    Function,
    /// A macro for the `asm` keyword: replaced with `asm`.
    Asm,
}

/// Keywords an attribute macro's body may hold: qualifiers and storage classes, whose removal
/// leaves a declaration a declaration.
const QUALIFIERS: &[&str] = &[
    "__const",
    "__const__",
    "__extension__",
    "__forceinline",
    "__inline",
    "__inline__",
    "__restrict",
    "__restrict__",
    "__thread",
    "__volatile",
    "__volatile__",
    "_Noreturn",
    "_Thread_local",
    "const",
    "extern",
    "inline",
    "noreturn",
    "register",
    "restrict",
    "static",
    "thread_local",
    "volatile",
];

/// Attribute syntax the grammar knows, always followed by a parenthesised group.
const ATTRIBUTE_SYNTAX: &[&str] = &[
    "__attribute",
    "__attribute__",
    "__declspec",
    "_Alignas",
    "alignas",
];

const ASM: &[&str] = &["__asm", "__asm__", "asm"];

/// The shipped attribute macros (`names/c-attributes.txt`), sorted by name.
pub fn shipped() -> &'static [(&'static str, Class)] {
    static LIST: OnceLock<Vec<(&'static str, Class)>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut v: Vec<(&'static str, Class)> =
            crate::names::parse_list(include_str!("../names/c-attributes.txt"))
                .into_iter()
                .map(|w| {
                    if let Some(n) = w.strip_suffix("()") {
                        (n, Class::Function)
                    } else if let Some(n) = w.strip_suffix("=asm") {
                        (n, Class::Asm)
                    } else {
                        (w, Class::Object)
                    }
                })
                .collect();
        v.sort_unstable_by_key(|e| e.0);
        v.dedup_by(|a, b| a.0 == b.0);
        v
    })
}

fn shipped_class(name: &str) -> Option<Class> {
    let list = shipped();
    list.binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(|i| list[i].1)
}

/// The kind of a token of [`lex`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Ident,
    Literal,
    Number,
    Punct(u8),
    /// A whole preprocessor directive, continuation lines included.
    Directive,
}

/// C tokens of `src` as (kind, start, end), comments and white space dropped; with
/// `directives`, a `#` first on a line makes one [`Tok::Directive`] token of its logical line.
fn lex(src: &[u8], directives: bool) -> Vec<(Tok, usize, usize)> {
    let n = src.len();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    // Skips a comment at `i`, if any; returns where it ends.
    let comment = |i: usize| -> Option<usize> {
        match (src.get(i), src.get(i + 1)) {
            (Some(b'/'), Some(b'*')) => {
                let mut j = i + 2;
                while j < n && !(src[j] == b'*' && src.get(j + 1) == Some(&b'/')) {
                    j += 1;
                }
                Some((j + 2).min(n))
            }
            (Some(b'/'), Some(b'/')) => {
                let mut j = i + 2;
                while j < n && src[j] != b'\n' {
                    j += if src[j] == b'\\' { 2 } else { 1 };
                }
                Some(j.min(n))
            }
            _ => None,
        }
    };
    // The end of a quoted literal starting at `i` (an unterminated one ends at the line's end).
    let literal = |i: usize| -> usize {
        let q = src[i];
        let mut j = i + 1;
        while j < n && src[j] != q && src[j] != b'\n' {
            j += if src[j] == b'\\' { 2 } else { 1 };
        }
        (j + 1).min(n)
    };
    while i < n {
        let c = src[i];
        if c == b'\n' {
            line_start = true;
            i += 1;
            continue;
        }
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'\\' && matches!(src.get(i + 1), Some(b'\n' | b'\r')) {
            i += 2;
            continue;
        }
        if let Some(end) = comment(i) {
            i = end;
            continue;
        }
        if directives && line_start && c == b'#' {
            let start = i;
            while i < n && src[i] != b'\n' {
                if let Some(end) = comment(i) {
                    i = end;
                } else if src[i] == b'"' || src[i] == b'\'' {
                    i = literal(i);
                } else if src[i] == b'\\' {
                    i += 2;
                } else {
                    i += 1;
                }
            }
            i = i.min(n);
            out.push((Tok::Directive, start, i));
            continue;
        }
        line_start = false;
        let start = i;
        let kind = if c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80 {
            while i < n
                && (src[i].is_ascii_alphanumeric()
                    || matches!(src[i], b'_' | b'$')
                    || src[i] >= 0x80)
            {
                i += 1;
            }
            Tok::Ident
        } else if c.is_ascii_digit() || c == b'.' && src.get(i + 1).is_some_and(u8::is_ascii_digit)
        {
            i += 1;
            while i < n
                && (src[i].is_ascii_alphanumeric()
                    || matches!(src[i], b'_' | b'.')
                    || matches!(src[i], b'+' | b'-')
                        && matches!(src[i - 1], b'e' | b'E' | b'p' | b'P'))
            {
                i += 1;
            }
            Tok::Number
        } else if c == b'"' || c == b'\'' {
            i = literal(i);
            Tok::Literal
        } else {
            i += 1;
            Tok::Punct(c)
        };
        out.push((kind, start, i));
    }
    out
}

/// The index after the group that opens at token `open` (`(` or `[`) and its matching close,
/// if it closes.
fn skip_group(toks: &[(Tok, usize, usize)], open: usize) -> Option<usize> {
    let (o, c) = match toks.get(open)?.0 {
        Tok::Punct(b'(') => (b'(', b')'),
        Tok::Punct(b'[') => (b'[', b']'),
        _ => return None,
    };
    let mut depth = 0usize;
    for (k, t) in toks.iter().enumerate().skip(open) {
        match t.0 {
            Tok::Punct(x) if x == o => depth += 1,
            Tok::Punct(x) if x == c => {
                depth -= 1;
                if depth == 0 {
                    return Some(k + 1);
                }
            }
            Tok::Directive => return None,
            _ => {}
        }
    }
    None
}

/// Reads the body of a C macro: when it is made only of attribute syntax, qualifiers and names
/// (each maybe with arguments), whether it starts with `asm`, and the names (a name used with
/// arguments is given as `name()`). `params` are the macro's parameters: a body that uses one
/// outside attribute syntax stands for its argument, not for an attribute.
pub fn read_body(body: &str, params: &[&str]) -> Option<(bool, Vec<String>)> {
    let src = body.as_bytes();
    let toks = lex(src, false);
    let word = |k: usize| std::str::from_utf8(&src[toks[k].1..toks[k].2]).unwrap_or("");
    let mut refs: Vec<String> = Vec::new();
    let mut k = 0;
    let asm = toks.first().is_some_and(|t| t.0 == Tok::Ident) && ASM.contains(&word(0));
    if asm {
        k = 1;
    }
    while k < toks.len() {
        match toks[k].0 {
            Tok::Ident => {
                let w = word(k);
                let call = toks.get(k + 1).is_some_and(|t| t.0 == Tok::Punct(b'('));
                if ATTRIBUTE_SYNTAX.contains(&w) {
                    k = if call {
                        skip_group(&toks, k + 1)?
                    } else {
                        return None;
                    };
                } else if QUALIFIERS.contains(&w) {
                    k += 1;
                } else if ASM.contains(&w) || params.contains(&w) {
                    return None;
                } else if call {
                    refs.push(format!("{w}()"));
                    k = skip_group(&toks, k + 1)?;
                } else {
                    refs.push(w.to_string());
                    k += 1;
                }
            }
            // A C23 attribute, `[[nodiscard]]`.
            Tok::Punct(b'[') if toks.get(k + 1).is_some_and(|t| t.0 == Tok::Punct(b'[')) => {
                k = skip_group(&toks, k)?;
            }
            _ => return None,
        }
    }
    refs.sort_unstable();
    refs.dedup();
    Some((asm, refs))
}

/// Which names are attribute macros, for one tree: its index and the shipped list. Answers are
/// memoised.
pub struct Macros<'a> {
    index: Option<&'a SymbolIndex>,
    defs: HashMap<&'a str, Vec<&'a AttributeMacro>>,
    memo: Mutex<HashMap<String, Option<Class>>>,
}

impl<'a> Macros<'a> {
    /// The attribute macros of `index` (`None`: the shipped list alone).
    pub fn new(index: Option<&'a SymbolIndex>) -> Macros<'a> {
        let mut defs: HashMap<&str, Vec<&AttributeMacro>> = HashMap::new();
        if let Some(index) = index {
            for m in index.attribute_macros("c") {
                defs.entry(m.name.as_str()).or_default().push(m);
            }
        }
        Macros {
            index,
            defs,
            memo: Mutex::new(HashMap::new()),
        }
    }

    /// What a use of `name` is replaced by, if it is an attribute macro.
    pub fn class(&self, name: &str) -> Option<Class> {
        if !self.defs.contains_key(name) && shipped_class(name).is_none() {
            return None;
        }
        let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
        self.resolve(name, &mut memo, 0)
    }

    fn resolve(
        &self,
        name: &str,
        memo: &mut HashMap<String, Option<Class>>,
        depth: usize,
    ) -> Option<Class> {
        if let Some(c) = memo.get(name) {
            return *c;
        }
        if depth > 32 {
            return None;
        }
        // Provisional, so that a macro defined through itself is not an attribute macro.
        memo.insert(name.to_string(), None);
        let plain = self
            .index
            .and_then(|i| i.entry("c", name))
            .is_some_and(|e| e.plain > 0);
        let class = if plain {
            None
        } else {
            let shipped = shipped_class(name);
            match self.defs.get(name) {
                Some(defs) => {
                    let mut class = None;
                    let mut ok = true;
                    for d in defs {
                        let c = if d.asm {
                            Class::Asm
                        } else if d.function_like {
                            Class::Function
                        } else {
                            Class::Object
                        };
                        ok &= class.is_none_or(|k| k == c);
                        class = Some(c);
                        for r in &d.refs {
                            let (r, want) = match r.strip_suffix("()") {
                                Some(r) => (r, Class::Function),
                                None => (r.as_str(), Class::Object),
                            };
                            ok = ok && self.resolve(r, memo, depth + 1) == Some(want);
                        }
                    }
                    // The shipped list stands when the tree's definitions cannot be followed
                    // (a name from a file provgate does not read), never against a definition
                    // of another kind.
                    if ok { class } else { shipped }
                }
                None => shipped,
            }
        };
        memo.insert(name.to_string(), class);
        class
    }
}

/// `src` with the uses of attribute macros blanked out, when there are any: an object-like
/// macro not followed by `(` (that could be a call of a function the tree does not show), a
/// function-like one with its arguments, an `asm` alias replaced with `asm`. Preprocessor
/// directives, comments, literals and member names (`p->cf_check`) are left alone; new lines are
/// kept, so lines and byte offsets do not move.
pub fn mask_c(src: &[u8], macros: &Macros<'_>) -> Option<Vec<u8>> {
    let toks = lex(src, true);
    let mut out: Option<Vec<u8>> = None;
    let blank = |out: &mut Option<Vec<u8>>, from: usize, to: usize| {
        let buf = out.get_or_insert_with(|| src.to_vec());
        for b in &mut buf[from..to] {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    };
    for (k, &(kind, start, end)) in toks.iter().enumerate() {
        if kind != Tok::Ident {
            continue;
        }
        let member = k >= 1 && toks[k - 1].0 == Tok::Punct(b'.')
            || k >= 2 && toks[k - 1].0 == Tok::Punct(b'>') && toks[k - 2].0 == Tok::Punct(b'-');
        if member {
            continue;
        }
        let Ok(name) = std::str::from_utf8(&src[start..end]) else {
            continue;
        };
        let call = toks.get(k + 1).is_some_and(|t| t.0 == Tok::Punct(b'('));
        match macros.class(name) {
            Some(Class::Object) if !call => blank(&mut out, start, end),
            Some(Class::Function) if call => {
                if let Some(after) = skip_group(&toks, k + 1) {
                    blank(&mut out, start, toks[after - 1].2);
                }
            }
            Some(Class::Asm) if end - start >= 3 => {
                blank(&mut out, start, end);
                if let Some(buf) = out.as_mut() {
                    buf[start..start + 3].copy_from_slice(b"asm");
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::lang::Languages;

    fn masked(src: &str, macros: &Macros<'_>) -> String {
        let out = mask_c(src.as_bytes(), macros)
            .map_or_else(|| src.to_string(), |b| String::from_utf8(b).unwrap());
        assert_eq!(out.len(), src.len());
        assert_eq!(out.matches('\n').count(), src.matches('\n').count());
        out
    }

    /// An index of one header, read by the C plug-in.
    fn index_of(files: &[(&str, &str)]) -> SymbolIndex {
        let languages = Languages::default();
        let mut parsers = crate::Parsers::new(&languages);
        let mut index = SymbolIndex::new(&languages);
        for (path, text) in files {
            let syms = parsers.symbols("c", text.as_bytes());
            index.insert_file(path, [0; 20], Arc::new(syms));
        }
        index
    }

    #[test]
    fn bodies_of_attribute_macros() {
        let read = |b: &str| read_body(b, &[]);
        assert_eq!(read(""), Some((false, vec![])));
        assert_eq!(read("  /* nothing */ "), Some((false, vec![])));
        assert_eq!(
            read("__attribute__((cold, section(\".t\")))"),
            Some((false, vec![]))
        );
        assert_eq!(
            read("inline __attribute__ ((always_inline)) volatile"),
            Some((false, vec![]))
        );
        assert_eq!(read("[[nodiscard]]"), Some((false, vec![])));
        assert_eq!(
            read("my_section(\".x\") my_used"),
            Some((false, vec!["my_section()".into(), "my_used".into()]))
        );
        assert_eq!(read("asm __inline"), Some((true, vec![])));
        assert_eq!(
            read_body("__attribute__((section(s)))", &["s"]),
            Some((false, vec![]))
        );
        // Near misses: real bodies.
        assert_eq!(read("42"), None);
        assert_eq!(read("(1 << 3)"), None);
        assert_eq!(read("\"text\""), None);
        assert_eq!(read("do { } while (0)"), None);
        assert_eq!(
            read("__attribute__"),
            None,
            "attribute syntax without its group"
        );
        assert_eq!(read("x asm"), None, "asm only first");
        assert_eq!(
            read_body("option", &["option"]),
            None,
            "stands for its argument"
        );
        assert_eq!(
            read("unsigned long"),
            Some((false, vec!["long".into(), "unsigned".into()]))
        );
    }

    #[test]
    fn shipped_names_are_blanked_where_the_tree_says_nothing() {
        let m = Macros::new(None);
        assert_eq!(
            masked("static int cf_check pick(int v)\n", &m),
            "static int          pick(int v)\n"
        );
        assert_eq!(
            masked("int buf[4] __aligned(16) = { 0 };\n", &m),
            "int buf[4]               = { 0 };\n"
        );
        assert_eq!(
            masked("asm_inline volatile (\"nop\");\n", &m),
            "asm        volatile (\"nop\");\n"
        );
        // Not a use: a member, a call, a directive, a comment, a string, a longer name.
        let untouched = "s->cf_check = t.__init;\nnoinline(3);\n#ifdef __init\n/* __init */ \"__init\" __init_hook();\n";
        assert_eq!(masked(untouched, &m), untouched);
        assert_eq!(
            masked("#define X \\\n  __init\n", &m),
            "#define X \\\n  __init\n"
        );
    }

    #[test]
    fn tree_macros_are_followed_through_other_macros() {
        let index = index_of(&[
            (
                "include/attrs.h",
                "#define sect(s) __attribute__((section(s)))\n#define in_boot sect(\".boot\")\n#define keep_hot in_boot inline\n#define blank_word\n#define real_body (1 + 2)\n#define alias_of_type u32\n#define via_param(x) x\n#define uses_param sect(x) via_param(1)\n",
            ),
            ("include/types.h", "typedef unsigned int u32;\n"),
        ]);
        let m = Macros::new(Some(&index));
        assert_eq!(m.class("sect"), Some(Class::Function));
        assert_eq!(m.class("in_boot"), Some(Class::Object));
        assert_eq!(m.class("keep_hot"), Some(Class::Object));
        assert_eq!(m.class("blank_word"), Some(Class::Object));
        assert_eq!(m.class("real_body"), None);
        assert_eq!(m.class("alias_of_type"), None, "u32 is a typedef");
        assert_eq!(m.class("via_param"), None);
        assert_eq!(m.class("uses_param"), None);
        assert_eq!(m.class("u32"), None);
        assert_eq!(
            masked("keep_hot u32 f(void) sect(\"a\");\n", &m),
            format!("{}u32 f(void) {};\n", " ".repeat(9), " ".repeat(9))
        );
    }

    #[test]
    fn a_tree_definition_of_another_kind_wins_over_the_list() {
        let index = index_of(&[
            ("lib/hooks.c", "int noinline(int x)\n{\n    return x;\n}\n"),
            ("include/a.h", "#define __init 7\n"),
            (
                "include/b.h",
                "#ifdef BIG\n#define cf_check\n#else\n#define cf_check __attribute__((cf))\n#endif\n",
            ),
            ("include/c.h", "#define __cold __attribute__((cold))\n"),
            ("src/x.c", "void __cold(void);\n"),
        ]);
        let m = Macros::new(Some(&index));
        assert_eq!(m.class("noinline"), None, "a function of the tree");
        assert_eq!(m.class("__init"), None, "a macro with a value");
        assert_eq!(m.class("__cold"), None, "also declared as a function");
        assert_eq!(m.class("cf_check"), Some(Class::Object));
        assert_eq!(m.class("__read_mostly"), Some(Class::Object), "shipped");
        assert_eq!(
            masked("int noinline keep;\nint __init x;\n", &m),
            "int noinline keep;\nint __init x;\n"
        );
    }

    #[test]
    fn macros_defined_through_themselves_are_not_attributes() {
        let index = index_of(&[("a.h", "#define loop_a loop_b\n#define loop_b loop_a\n")]);
        let m = Macros::new(Some(&index));
        assert_eq!(m.class("loop_a"), None);
        assert_eq!(m.class("loop_b"), None);
    }

    #[test]
    fn guessed_names_do_not_block_blanking() {
        // The declaration does not parse, so the plug-in records `__ro_after_init` as a guess.
        let index = index_of(&[(
            "a.h",
            "extern int (* __ro_after_init hook)(int v);\nunsigned int lim __read_mostly = 3;\nstatic int cf_check f(void) { return 0; }\n",
        )]);
        let m = Macros::new(Some(&index));
        assert_eq!(m.class("__ro_after_init"), Some(Class::Object));
        assert_eq!(m.class("__read_mostly"), Some(Class::Object));
        assert_eq!(m.class("cf_check"), Some(Class::Object));
        assert!(index.defines("c", "hook"));
        assert!(index.defines("c", "f"));
    }

    #[test]
    fn lexing_odd_input_never_panics() {
        let m = Macros::new(None);
        for src in [
            "",
            "#",
            "\\",
            "/*",
            "//",
            "\"",
            "'",
            "cf_check",
            "__aligned(",
            "__aligned(()",
            "a\\\n#define x",
            "__aligned)(",
            "1e+",
            ".5",
            "[[",
            "\u{e9}cf_check __init",
        ] {
            masked(src, &m);
            let _ = read_body(src, &[]);
        }
    }
}
