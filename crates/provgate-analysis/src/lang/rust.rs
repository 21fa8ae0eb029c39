//! Rust (`tree-sitter-rust`).

use std::collections::{HashMap, HashSet};

use provgate_policy::RuleId;
use tree_sitter::{Node, Tree};

use super::{
    Context, FileAnalysis, LanguageSupport, SourceFile, Use, assertion_like, end_line, error_notes,
    extension, in_error, in_sorted, line, text, walk,
};
use crate::lang::c::FLAG_CONSTANT;
use crate::symbols::{FLAG_ASSERTS, FileSymbols, SymbolKind};

/// The Rust plug-in: `.rs`.
pub struct Rust;

/// Path roots whose names provgate knows (the crate itself, std, core, alloc).
const KNOWN_ROOTS: &[&str] = &["alloc", "core", "crate", "self", "std", "super"];

impl LanguageSupport for Rust {
    fn name(&self) -> &'static str {
        "rust"
    }

    fn handles(&self, path: &str) -> bool {
        extension(path) == "rs"
    }

    fn grammar(&self) -> tree_sitter::Language {
        tree_sitter_rust::LANGUAGE.into()
    }

    fn version(&self) -> u32 {
        1
    }

    fn symbols(&self, tree: &Tree, src: &[u8]) -> FileSymbols {
        let mut out = FileSymbols::new("rust");
        walk(tree.root_node(), |n| {
            let name = n.child_by_field_name("name");
            let named = |kind, flags, out: &mut FileSymbols| {
                if let Some(x) = name {
                    out.def(text(x, src), kind, line(x), flags);
                }
            };
            match n.kind() {
                "function_item" => {
                    let flags = if test_asserts(n, src, &crate::EMPTY_SETTINGS, &|_| false) {
                        FLAG_ASSERTS
                    } else {
                        0
                    };
                    named(SymbolKind::Function, flags, &mut out);
                }
                "function_signature_item" => named(SymbolKind::Declaration, 0, &mut out),
                "macro_definition" => {
                    if let Some(x) = name {
                        out.def(
                            &format!("{}!", text(x, src)),
                            SymbolKind::FunctionMacro,
                            line(x),
                            0,
                        );
                    }
                }
                "struct_item" | "enum_item" | "union_item" | "type_item" | "trait_item" => {
                    named(SymbolKind::Type, 0, &mut out)
                }
                "enum_variant" => named(SymbolKind::EnumConstant, FLAG_CONSTANT, &mut out),
                "const_item" => named(SymbolKind::Constant, FLAG_CONSTANT, &mut out),
                "static_item" => named(SymbolKind::Global, 0, &mut out),
                "mod_item" => named(SymbolKind::Module, 0, &mut out),
                "extern_crate_declaration" => {
                    let x = n.child_by_field_name("alias").or(name);
                    if let Some(x) = x {
                        out.def(text(x, src), SymbolKind::Module, line(x), 0);
                    }
                }
                "use_declaration" => {
                    if let Some(arg) = n.child_by_field_name("argument") {
                        let mut names = Vec::new();
                        use_names(arg, src, &mut names);
                        for (name, at) in names {
                            out.def(&name, SymbolKind::Import, at, 0);
                            out.def(&format!("{name}!"), SymbolKind::Import, at, 0);
                        }
                    }
                }
                "call_expression" => {
                    if let Some(f) = n.child_by_field_name("function")
                        && f.kind() == "identifier"
                    {
                        out.calls.push(text(f, src).to_string());
                    }
                }
                "macro_invocation" => {
                    if let Some(m) = n.child_by_field_name("macro")
                        && m.kind() == "identifier"
                    {
                        out.calls.push(format!("{}!", text(m, src)));
                    }
                }
                _ => {}
            }
            true
        });
        out.finish();
        out
    }

    fn analyze(&self, file: &SourceFile<'_>, cx: &Context<'_>) -> FileAnalysis {
        let mut out = FileAnalysis {
            notes: error_notes(file),
            ..FileAnalysis::default()
        };
        let src = file.src;
        let root = file.tree.root_node();
        // Names a wildcard import from outside the tree or `#[macro_use]` may bring in.
        let mut macros_unresolvable = false;
        walk(root, |n| match n.kind() {
            "use_declaration" => {
                if let Some(arg) = n.child_by_field_name("argument")
                    && let Some(root_name) = wildcard_root(arg, src)
                    && !in_sorted(KNOWN_ROOTS, &root_name)
                    && cx.lookup.flags("rust", &root_name).is_none()
                {
                    out.unresolvable.get_or_insert(format!(
                            "`{}` imports every name of `{root_name}`, which is outside the repository; calls in this file were not checked",
                            text(n, src).trim()
                        ));
                }
                false
            }
            "attribute_item" => {
                if text(n, src).contains("macro_use") {
                    macros_unresolvable = true;
                }
                false
            }
            _ => true,
        });
        let mut scopes: HashMap<usize, HashSet<String>> = HashMap::new();
        walk(root, |n| {
            if !file.added.intersects(line(n), end_line(n)) || n.is_error() {
                return false;
            }
            match n.kind() {
                "call_expression" => {
                    if let Some(f) = n.child_by_field_name("function")
                        && f.kind() == "identifier"
                        && file.added.contains(line(f))
                        && !in_error(n)
                    {
                        let name = text(f, src);
                        let bound = enclosing_function(n).is_some_and(|func| {
                            scopes
                                .entry(func.id())
                                .or_insert_with(|| locals(func, src))
                                .contains(name)
                        });
                        if !bound {
                            out.uses.push(Use {
                                name: name.to_string(),
                                line: line(f),
                            });
                        }
                    }
                }
                "macro_invocation" => {
                    if let Some(m) = n.child_by_field_name("macro")
                        && m.kind() == "identifier"
                        && file.added.contains(line(m))
                        && !macros_unresolvable
                        && !in_error(n)
                    {
                        out.uses.push(Use {
                            name: format!("{}!", text(m, src)),
                            line: line(m),
                        });
                    }
                }
                _ => {}
            }
            unsafe_here(n, file, &mut out);
            true
        });
        if file.test_file
            || text(root, src).contains("#[test]")
            || text(root, src).contains("::test]")
        {
            tests_without_assertion(file, cx, &mut out);
        }
        out
    }

    fn is_external(&self, name: &str) -> bool {
        in_sorted(crate::names::rust_names(), name)
    }

    fn external_names(&self) -> &[&'static str] {
        crate::names::rust_names()
    }
}

/// Reports `unsafe` introduced on an added line by `n`.
fn unsafe_here(n: Node<'_>, file: &SourceFile<'_>, out: &mut FileAnalysis) {
    let what = match n.kind() {
        "unsafe_block" => "block",
        "function_item" | "function_signature_item" => "function",
        "impl_item" => "impl",
        "trait_item" => "trait",
        "foreign_mod_item" => "extern block",
        _ => return,
    };
    let Some(keyword) = unsafe_keyword(n) else {
        return;
    };
    let at = line(keyword);
    if !file.added.contains(at) {
        return;
    }
    let text_lines: Vec<&[u8]> = file.src.split(|b| *b == b'\n').collect();
    let first = (at as usize).saturating_sub(4);
    let documented = text_lines
        .get(first..at as usize)
        .is_some_and(|ls| ls.iter().any(|l| l.windows(7).any(|w| w == b"SAFETY:")));
    out.issue(
        RuleId::NewUnsafe,
        file.path,
        at,
        format!(
            "new `unsafe` {what}{}",
            if documented {
                " (with a SAFETY comment)"
            } else {
                " without a `// SAFETY:` comment"
            }
        ),
        "use a safe API if there is one; otherwise keep the unsafe code minimal, state its invariants in a `// SAFETY:` comment and have it reviewed",
    );
}

/// The `unsafe` keyword of an item or block, if it has one.
fn unsafe_keyword(n: Node<'_>) -> Option<Node<'_>> {
    let mut c = n.walk();
    for child in n.children(&mut c) {
        if child.kind() == "unsafe" {
            return Some(child);
        }
        if child.kind() == "function_modifiers" {
            let mut c2 = child.walk();
            for m in child.children(&mut c2) {
                if m.kind() == "unsafe" {
                    return Some(m);
                }
            }
        }
        if matches!(
            child.kind(),
            "block" | "declaration_list" | "field_declaration_list"
        ) {
            break;
        }
    }
    None
}

/// Names a `use` argument brings into scope, with their lines.
fn use_names(n: Node<'_>, src: &[u8], out: &mut Vec<(String, u32)>) {
    match n.kind() {
        "identifier" | "type_identifier" => out.push((text(n, src).to_string(), line(n))),
        "scoped_identifier" => {
            if let Some(x) = n.child_by_field_name("name") {
                let name = text(x, src);
                if name == "self" {
                    if let Some(p) = n.child_by_field_name("path") {
                        use_names(p, src, out);
                    }
                } else {
                    out.push((name.to_string(), line(x)));
                }
            }
        }
        "use_as_clause" => {
            if let Some(x) = n.child_by_field_name("alias") {
                out.push((text(x, src).to_string(), line(x)));
            }
        }
        "use_list" => {
            let mut c = n.walk();
            for child in n.named_children(&mut c) {
                use_names(child, src, out);
            }
        }
        "scoped_use_list" => {
            if let Some(list) = n.child_by_field_name("list") {
                let mut c = list.walk();
                for child in list.named_children(&mut c) {
                    if child.kind() == "self" {
                        if let Some(p) = n.child_by_field_name("path") {
                            use_names(p, src, out);
                        }
                    } else {
                        use_names(child, src, out);
                    }
                }
            }
        }
        _ => {}
    }
}

/// For `use a::b::*` (also inside lists), the first segment `a`.
fn wildcard_root(arg: Node<'_>, src: &[u8]) -> Option<String> {
    let mut found = None;
    walk(arg, |n| {
        if found.is_some() {
            return false;
        }
        if n.kind() == "use_wildcard" {
            let t = text(arg, src).trim_start_matches("::");
            found = t
                .split("::")
                .next()
                .map(|s| s.trim().trim_start_matches('{').trim().to_string());
        }
        true
    });
    found
}

fn enclosing_function(n: Node<'_>) -> Option<Node<'_>> {
    let mut p = n.parent();
    let mut best = None;
    while let Some(x) = p {
        if matches!(x.kind(), "function_item" | "closure_expression") {
            best = Some(x);
            if x.kind() == "function_item" {
                return best;
            }
        }
        p = x.parent();
    }
    best
}

/// Names bound in a function: parameters, `let` and `for` patterns, match arms, closure
/// parameters, `if let`/`while let` patterns.
fn locals(func: Node<'_>, src: &[u8]) -> HashSet<String> {
    let mut names = HashSet::new();
    let mut collect = |p: Node<'_>| {
        walk(p, |x| {
            if x.kind() == "identifier" {
                names.insert(text(x, src).to_string());
            }
            true
        });
    };
    walk(func, |n| {
        match n.kind() {
            "let_declaration" | "parameter" | "for_expression" | "let_condition" => {
                if let Some(p) = n.child_by_field_name("pattern") {
                    collect(p);
                }
            }
            "match_pattern" | "closure_parameters" => collect(n),
            _ => {}
        }
        true
    });
    names
}

/// Test functions the patch adds or changes that assert nothing.
fn tests_without_assertion(file: &SourceFile<'_>, cx: &Context<'_>, out: &mut FileAnalysis) {
    let src = file.src;
    let functions = super::named_nodes(file.tree.root_node(), src, "function_item");
    let tree_asserts = |name: &str| {
        cx.lookup
            .flags("rust", name)
            .is_some_and(|f| f & FLAG_ASSERTS != 0)
    };
    let calls: HashMap<&str, Vec<String>> = functions
        .iter()
        .map(|(name, f)| (name.as_str(), body_calls(*f, src)))
        .collect();
    let asserts = super::asserting_functions(&calls, |c| {
        assertion_like(c, cx.settings) || tree_asserts(c)
    });
    for (name, f) in &functions {
        if !is_test(*f, src) || !file.added.intersects(line(*f), end_line(*f)) {
            continue;
        }
        let direct = test_asserts(*f, src, cx.settings, &|c| {
            asserts.contains(c) || tree_asserts(c)
        });
        if !direct {
            out.hollow_test(file.path, *f, "name", name, "check the behaviour under test with assert!/assert_eq!, or mark a test that must panic with #[should_panic]");
        }
    }
}

/// The attributes written before an item.
fn attributes<'s>(f: Node<'_>, src: &'s [u8]) -> Vec<&'s str> {
    let mut out = Vec::new();
    let mut p = f.prev_named_sibling();
    while let Some(x) = p {
        match x.kind() {
            "attribute_item" => out.push(text(x, src)),
            "line_comment" | "block_comment" => {}
            _ => break,
        }
        p = x.prev_named_sibling();
    }
    out
}

fn is_test(f: Node<'_>, src: &[u8]) -> bool {
    attributes(f, src).iter().any(|a| {
        let path = a
            .trim_start_matches("#[")
            .split(['(', ']'])
            .next()
            .unwrap_or("")
            .trim();
        path == "test"
            || path.ends_with("::test")
            || matches!(
                path,
                "rstest" | "test_case" | "quickcheck" | "test_log::test"
            )
    })
}

/// Names a function calls: plain calls, macros (`name!`) and methods (`.name`).
fn body_calls(f: Node<'_>, src: &[u8]) -> Vec<String> {
    let mut calls = Vec::new();
    walk(f, |n| {
        match n.kind() {
            "call_expression" => {
                if let Some(c) = n.child_by_field_name("function") {
                    match c.kind() {
                        "identifier" => calls.push(text(c, src).to_string()),
                        "field_expression" => {
                            if let Some(x) = c.child_by_field_name("field") {
                                calls.push(text(x, src).to_string());
                            }
                        }
                        "scoped_identifier" => {
                            if let Some(x) = c.child_by_field_name("name") {
                                calls.push(text(x, src).to_string());
                            }
                        }
                        _ => {}
                    }
                }
            }
            "macro_invocation" => {
                if let Some(m) = n.child_by_field_name("macro") {
                    let t = text(m, src);
                    calls.push(format!("{}!", t.rsplit("::").next().unwrap_or(t)));
                }
            }
            _ => {}
        }
        true
    });
    calls
}

/// Whether a test function asserts: `#[should_panic]`, a `Result` return type, or a call in its
/// body that asserts (by name, or as `other` says).
fn test_asserts(
    f: Node<'_>,
    src: &[u8],
    settings: &provgate_policy::CodeSettings,
    other: &dyn Fn(&str) -> bool,
) -> bool {
    if attributes(f, src)
        .iter()
        .any(|a| a.contains("should_panic"))
    {
        return true;
    }
    if f.child_by_field_name("return_type")
        .is_some_and(|r| text(r, src).contains("Result"))
    {
        return true;
    }
    body_calls(f, src)
        .iter()
        .any(|c| assertion_like(c.trim_start_matches('.'), settings) || other(c))
}
