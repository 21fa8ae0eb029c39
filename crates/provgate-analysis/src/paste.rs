//! Names made by token pasting in C function-like macros.
//!
//! A macro such as `#define DEFINE_LIST(name) void name ## _init(void) { … }` defines
//! `foo_init` where it is invoked as `DEFINE_LIST(foo)`: the name appears nowhere in the source as
//! written, so the index cannot see it as a definition. Each file records what its macros paste
//! their parameters into ([`MacroPaste`], read from the body by [`rules`]) and the invocations
//! it makes at file scope ([`MacroInvocation`], read by [`invocations`]); [`expand`] joins the
//! two over a whole tree, following a parameter through the macros the body passes it to (the
//! layering of `define_x` over `declare_x`/`implement_x`), and gives the names made.
//!
//! Both readings are lexical: macro bodies are not C that the grammar can read, and invocations
//! of macros at file scope are often not either (`define_slab(name, char *);`).

use std::collections::{HashMap, HashSet};

use crate::symbols::{MacroInvocation, MacroPaste, PasteTarget};

/// How many macros deep a parameter is followed: enough for layered definitions, and an end to
/// macros that pass a parameter round in a cycle (the preprocessor would stop them anyway).
const MAX_FORWARD: usize = 8;

/// A token of C as the preprocessor sees it, as far as pasting needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'s> {
    /// An identifier or a number (both can be pasted).
    Word(&'s str),
    /// `##`.
    Paste,
    /// A punctuator (only the first byte of longer ones: `(`, `)`, `,` are all that matter).
    Punct(u8),
    /// A string or character literal.
    Literal,
    /// The end of a preprocessor directive's line (only when directives are skipped).
    Directive,
}

/// The tokens of `src`, comments left out. With `skip_directives`, each preprocessor directive
/// (with its continuation lines) becomes one [`Token::Directive`].
fn lex(src: &[u8], skip_directives: bool) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let n = src.len();
    let mut i = 0;
    let mut line_start = true;
    while i < n {
        let c = src[i];
        if c == b'\n' {
            line_start = true;
            i += 1;
            continue;
        }
        if c.is_ascii_whitespace() || c == b'\\' && src.get(i + 1) == Some(&b'\n') {
            i += if c == b'\\' { 2 } else { 1 };
            continue;
        }
        if c == b'/' && src.get(i + 1) == Some(&b'*') {
            i += 2;
            while i < n && !(src[i] == b'*' && src.get(i + 1) == Some(&b'/')) {
                i += 1;
            }
            i = (i + 2).min(n);
            continue;
        }
        if c == b'/' && src.get(i + 1) == Some(&b'/') {
            while i < n && src[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'#' && line_start && skip_directives {
            // To the end of the line, past escaped newlines; comments in a directive are rare
            // enough to read as part of it.
            while i < n && src[i] != b'\n' {
                i += if src[i] == b'\\' { 2 } else { 1 };
            }
            out.push(Token::Directive);
            continue;
        }
        line_start = false;
        if c == b'"' || c == b'\'' {
            i += 1;
            while i < n && src[i] != c && src[i] != b'\n' {
                i += if src[i] == b'\\' { 2 } else { 1 };
            }
            i = (i + 1).min(n);
            out.push(Token::Literal);
            continue;
        }
        if c.is_ascii_alphanumeric() || c == b'_' {
            let start = i;
            while i < n && (src[i].is_ascii_alphanumeric() || src[i] == b'_') {
                i += 1;
            }
            // Only ASCII bytes were taken, so the slice is valid UTF-8.
            out.push(Token::Word(
                std::str::from_utf8(&src[start..i]).unwrap_or(""),
            ));
            continue;
        }
        if c == b'#' && src.get(i + 1) == Some(&b'#') {
            out.push(Token::Paste);
            i += 2;
            continue;
        }
        out.push(Token::Punct(c));
        i += 1;
    }
    out
}

/// The arguments of the parenthesised list opening at `tokens[open]` (a `(`), each as its
/// tokens, and the index after the closing `)`; `None` when it is not closed.
fn arguments<'t, 's>(
    tokens: &'t [Token<'s>],
    open: usize,
) -> Option<(Vec<&'t [Token<'s>]>, usize)> {
    let mut depth = 0usize;
    let mut args = Vec::new();
    let mut start = open + 1;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t {
            Token::Punct(b'(') => depth += 1,
            Token::Punct(b')') => {
                // The list opens at `open`, so depth is at least 1 here; saturating all the same.
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    args.push(&tokens[start..i]);
                    return Some((args, i + 1));
                }
            }
            Token::Punct(b',') if depth == 1 => {
                args.push(&tokens[start..i]);
                start = i + 1;
            }
            Token::Directive => return None,
            _ => {}
        }
    }
    None
}

/// What the function-like macro `name` with parameters `params` does with them in `body`: the
/// identifiers it pastes a parameter into (`prefix ## p ## suffix`, one parameter in the chain,
/// every other operand a word), and the macros it passes a parameter to unchanged
/// (`other(p, …)`). Pastes of parameters with each other, or of none, make no rule.
pub fn rules(name: &str, params: &[&str], body: &str) -> Vec<MacroPaste> {
    let tokens = lex(body.as_bytes(), false);
    let param = |w: &str| params.iter().position(|p| *p == w);
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let Token::Word(_) = tokens[i] else {
            i += 1;
            continue;
        };
        // The chain `w (## w)*` starting here.
        let mut words = vec![i];
        let mut j = i + 1;
        while j + 1 < tokens.len() && tokens[j] == Token::Paste {
            if let Token::Word(_) = tokens[j + 1] {
                words.push(j + 1);
                j += 2;
            } else {
                break;
            }
        }
        let word = |k: usize| match tokens[k] {
            Token::Word(w) => w,
            _ => "",
        };
        if words.len() > 1 {
            let at: Vec<(usize, usize)> = words
                .iter()
                .enumerate()
                .filter_map(|(pos, &k)| param(word(k)).map(|p| (pos, p)))
                .collect();
            if let [(pos, p)] = at[..] {
                let join = |ks: &[usize]| ks.iter().map(|&k| word(k)).collect::<String>();
                out.push(MacroPaste {
                    name: name.to_string(),
                    param: p as u32,
                    to: PasteTarget::Name {
                        prefix: join(&words[..pos]),
                        suffix: join(&words[pos + 1..]),
                    },
                });
            }
        } else if tokens.get(j) == Some(&Token::Punct(b'('))
            && param(word(i)).is_none()
            && word(i) != name
            && let Some((args, _)) = arguments(&tokens, j)
        {
            for (a, arg) in args.iter().enumerate() {
                if let [Token::Word(w)] = arg
                    && let Some(p) = param(w)
                {
                    out.push(MacroPaste {
                        name: name.to_string(),
                        param: p as u32,
                        to: PasteTarget::Forward {
                            name: word(i).to_string(),
                            arg: a as u32,
                        },
                    });
                }
            }
        }
        i = j;
    }
    out.sort_by(|a, b| (a.param, &a.to).cmp(&(b.param, &b.to)));
    out.dedup();
    out
}

/// Words that take parentheses at file scope without being invocations.
const NOT_INVOKED: &[&str] = &[
    "__asm__",
    "asm",
    "__attribute__",
    "__attribute",
    "__declspec",
    "_Alignas",
    "_Static_assert",
    "alignas",
    "sizeof",
    "static_assert",
    "typeof",
    "__typeof__",
];

/// Keywords that stand alone in a prototype's parameter list (`int f(void)`): not identifiers
/// an invocation could paste.
const TYPE_KEYWORDS: &[&str] = &[
    "_Bool", "bool", "char", "const", "double", "float", "int", "long", "short", "signed",
    "unsigned", "void", "volatile",
];

/// The invocations at file scope of `src` (outside every brace and every preprocessor
/// directive) that pass at least one argument that is a single identifier.
pub fn invocations(src: &[u8]) -> Vec<MacroInvocation> {
    let tokens = lex(src, true);
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i] {
            Token::Punct(b'{') => depth += 1,
            Token::Punct(b'}') => depth = depth.saturating_sub(1),
            Token::Word(w)
                if depth == 0
                    && tokens.get(i + 1) == Some(&Token::Punct(b'('))
                    && !w.starts_with(|c: char| c.is_ascii_digit())
                    && !NOT_INVOKED.contains(&w) =>
            {
                if let Some((args, next)) = arguments(&tokens, i + 1) {
                    let args: Vec<String> = args
                        .iter()
                        .map(|a| match a {
                            [Token::Word(x)]
                                if !x.starts_with(|c: char| c.is_ascii_digit())
                                    && !TYPE_KEYWORDS.contains(x) =>
                            {
                                (*x).to_string()
                            }
                            _ => String::new(),
                        })
                        .collect();
                    if args.iter().any(|a| !a.is_empty()) {
                        out.push(MacroInvocation {
                            name: w.to_string(),
                            args,
                        });
                    }
                    i = next;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The names that `invocations` make through the macros of `pastes` (both gathered from every
/// file of a tree, or of a tree and a patch).
pub fn expand<'a>(
    pastes: impl IntoIterator<Item = &'a MacroPaste>,
    invocations: impl IntoIterator<Item = &'a MacroInvocation>,
) -> HashSet<String> {
    let mut by_macro: HashMap<(&str, u32), Vec<&PasteTarget>> = HashMap::new();
    for p in pastes {
        by_macro
            .entry((p.name.as_str(), p.param))
            .or_default()
            .push(&p.to);
    }
    let mut out = HashSet::new();
    if by_macro.is_empty() {
        return out;
    }
    for inv in invocations {
        for (a, arg) in inv.args.iter().enumerate() {
            if !arg.is_empty() {
                follow(&by_macro, &inv.name, a as u32, arg, 0, &mut out);
            }
        }
    }
    out
}

/// Adds the names that `arg`, passed as the `param`th argument of `name`, becomes.
fn follow(
    by_macro: &HashMap<(&str, u32), Vec<&PasteTarget>>,
    name: &str,
    param: u32,
    arg: &str,
    depth: usize,
    out: &mut HashSet<String>,
) {
    let Some(targets) = by_macro.get(&(name, param)) else {
        return;
    };
    for t in targets {
        match t {
            PasteTarget::Name { prefix, suffix } => {
                out.insert(format!("{prefix}{arg}{suffix}"));
            }
            PasteTarget::Forward { name, arg: a } if depth < MAX_FORWARD => {
                follow(by_macro, name, *a, arg, depth + 1, out);
            }
            PasteTarget::Forward { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(prefix: &str, suffix: &str) -> PasteTarget {
        PasteTarget::Name {
            prefix: prefix.into(),
            suffix: suffix.into(),
        }
    }

    #[test]
    fn rules_read_pastes_and_forwards() {
        let r = rules(
            "make_box",
            &["tag", "kind"],
            "kind *tag ## _get(void); \\\n int open_ ##tag## _box (kind x) { return helper(tag, x) + other ## _ ## thing; } \\\n static int tag##kind;",
        );
        let got: Vec<(u32, PasteTarget)> = r.into_iter().map(|p| (p.param, p.to)).collect();
        assert_eq!(
            got,
            [
                (0, name("", "_get")),
                (0, name("open_", "_box")),
                (
                    0,
                    PasteTarget::Forward {
                        name: "helper".into(),
                        arg: 0
                    }
                ),
            ]
        );
    }

    #[test]
    fn invocations_are_read_at_file_scope_only() {
        let src = b"#define X(a) f(a)\nmake_box(apple, char *);\nint f(int n) { make_box(pear, int); return n; }\nmake_box(\"s\", 1);\n/* make_box(plum, x) */\n";
        let inv = invocations(src);
        assert_eq!(
            inv,
            [MacroInvocation {
                name: "make_box".into(),
                args: vec!["apple".into(), String::new()],
            }]
        );
    }

    #[test]
    fn expansion_follows_forwards_and_stops_at_cycles() {
        let mut pastes = rules("outer", &["n", "t"], "middle(n, t)");
        pastes.extend(rules("middle", &["a", "b"], "inner(b, a)"));
        pastes.extend(rules("inner", &["x", "y"], "void y ## _init(void);"));
        pastes.extend(rules("loop_a", &["n"], "loop_b(n)"));
        pastes.extend(rules("loop_b", &["n"], "loop_a(n)"));
        let inv = invocations(b"outer(fruit, int);\nloop_a(fruit);\n");
        let names = expand(&pastes, &inv);
        assert_eq!(names, HashSet::from(["fruit_init".to_string()]));
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_are_read_without_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256)) {
            let _ = invocations(&bytes);
            let body = String::from_utf8_lossy(&bytes);
            let _ = rules("m", &["a", "b"], &body);
        }
    }

    #[test]
    fn unbalanced_input_does_not_panic() {
        for src in [
            "m(a", "m(a))", ")(", "a ## ", "## a", "\\", "\"", "#define", "/*",
        ] {
            let _ = invocations(src.as_bytes());
            let _ = rules("m", &["a"], src);
        }
    }
}
