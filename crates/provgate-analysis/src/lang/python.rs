//! Python (`tree-sitter-python`).

use std::collections::{HashMap, HashSet};

use provgate_policy::RuleId;
use tree_sitter::{Node, Tree};

use super::{
    Context, FileAnalysis, LanguageSupport, SourceFile, Use, assertion_like, end_line, error_notes,
    extension, in_error, in_sorted, line, text, walk, walk_scoped,
};

/// The nodes that open a scope below module level.
const PY_SCOPES: &[&str] = &["function_definition", "class_definition", "lambda"];
use crate::symbols::{FLAG_ASSERTS, FileSymbols, SymbolKind};

/// The Python plug-in: `.py`, `.pyi`.
pub struct Python;

impl LanguageSupport for Python {
    fn name(&self) -> &'static str {
        "python"
    }

    fn handles(&self, path: &str) -> bool {
        matches!(extension(path).as_str(), "py" | "pyi")
    }

    fn grammar(&self) -> tree_sitter::Language {
        tree_sitter_python::LANGUAGE.into()
    }

    fn version(&self) -> u32 {
        1
    }

    fn symbols(&self, tree: &Tree, src: &[u8]) -> FileSymbols {
        let mut out = FileSymbols::new("python");
        walk_scoped(tree.root_node(), PY_SCOPES, |n, inside| {
            let module_level = |_: Node<'_>| inside == 0;
            match n.kind() {
                "function_definition" => {
                    if let Some(x) = n.child_by_field_name("name") {
                        let flags = if body_asserts(n, src, &crate::EMPTY_SETTINGS, &|_| false) {
                            FLAG_ASSERTS
                        } else {
                            0
                        };
                        out.def(text(x, src), SymbolKind::Function, line(x), flags);
                    }
                }
                "class_definition" => {
                    if let Some(x) = n.child_by_field_name("name") {
                        out.def(text(x, src), SymbolKind::Type, line(x), 0);
                    }
                }
                "assignment" | "augmented_assignment" if module_level(n) => {
                    if let Some(left) = n.child_by_field_name("left") {
                        identifiers(left, src, |name, at| {
                            out.def(name, SymbolKind::Global, at, 0)
                        });
                    }
                }
                "import_statement" | "import_from_statement" => {
                    for (alias, _) in imports(n, src) {
                        out.def(&alias, SymbolKind::Import, line(n), 0);
                    }
                }
                "global_statement" => {
                    identifiers(n, src, |name, at| out.def(name, SymbolKind::Global, at, 0))
                }
                "call" => {
                    if let Some(f) = n.child_by_field_name("function")
                        && f.kind() == "identifier"
                    {
                        out.calls.push(text(f, src).to_string());
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
        let (bound, imported, wildcard) = bindings(root, src);
        if let Some(w) = wildcard {
            out.unresolvable = Some(format!(
                "`{w}` imports every name of a module provgate cannot read; calls in this file were not checked"
            ));
        }
        walk(root, |n| {
            if !file.added.intersects(line(n), end_line(n)) || n.is_error() {
                return false;
            }
            if n.kind() != "call" || in_error(n) {
                return true;
            }
            let Some(f) = n.child_by_field_name("function") else {
                return true;
            };
            let at = line(f);
            if !file.added.contains(at) {
                return true;
            }
            // What the call names: `f`, or `module.f` for an imported module or name.
            let qualified = match f.kind() {
                "identifier" => {
                    let name = text(f, src);
                    if !bound.contains(name) {
                        out.uses.push(Use {
                            name: name.to_string(),
                            line: at,
                        });
                    }
                    imported
                        .get(name)
                        .cloned()
                        .or_else(|| (!bound.contains(name)).then(|| name.to_string()))
                }
                "attribute" => {
                    let object = f.child_by_field_name("object");
                    let attr = f.child_by_field_name("attribute").map(|a| text(a, src));
                    match (object, attr) {
                        (Some(o), Some(a)) if o.kind() == "identifier" => {
                            imported.get(text(o, src)).map(|m| format!("{m}.{a}"))
                        }
                        _ => None,
                    }
                }
                _ => None,
            };
            if let Some(q) = qualified
                && cx.settings.python_insecure_calls.contains(&q)
            {
                out.issue(
                    RuleId::InsecureCall,
                    file.path,
                    at,
                    format!("`{q}()` runs or deserialises arbitrary code from its input"),
                    match q.as_str() {
                        "eval" | "exec" => "parse the input (ast.literal_eval, json.loads) instead of executing it",
                        _ => "deserialise untrusted data with a data-only format (json), or prove the data is trusted",
                    },
                );
            }
            if let Some(args) = n.child_by_field_name("arguments") {
                let mut c = args.walk();
                for a in args.named_children(&mut c) {
                    if a.kind() == "keyword_argument"
                        && a.child_by_field_name("name")
                            .is_some_and(|k| text(k, src) == "shell")
                        && a.child_by_field_name("value")
                            .is_some_and(|v| text(v, src) == "True")
                    {
                        out.issue(
                            RuleId::InsecureCall,
                            file.path,
                            line(a),
                            format!("`{}(…, shell=True)` runs its command through a shell", text(f, src)),
                            "pass the command as a list of arguments without shell=True (use shlex.quote() if a shell is unavoidable)",
                        );
                    }
                }
            }
            true
        });
        if file.test_file {
            tests_without_assertion(file, cx, &mut out);
        }
        out
    }

    fn is_external(&self, name: &str) -> bool {
        in_sorted(crate::names::python_names(), name)
    }

    fn external_names(&self) -> &[&'static str] {
        crate::names::python_names()
    }
}

/// Calls `f` with every identifier in `n` (a pattern or a statement of names).
fn identifiers(n: Node<'_>, src: &[u8], mut f: impl FnMut(&str, u32)) {
    walk(n, |x| {
        match x.kind() {
            "identifier" => {
                f(text(x, src), line(x));
                false
            }
            // `a.b = …` and `a[i] = …` bind nothing new.
            "attribute" | "subscript" => false,
            _ => true,
        }
    });
}

/// The names an import binds and what they stand for (`import os.path` binds `os` → `os`;
/// `import pickle as pk` binds `pk` → `pickle`; `from pickle import loads as l` binds `l` →
/// `pickle.loads`).
fn imports(n: Node<'_>, src: &[u8]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let module = n
        .child_by_field_name("module_name")
        .map(|m| text(m, src).to_string());
    let mut c = n.walk();
    for x in n.children_by_field_name("name", &mut c) {
        let (full, alias) = match x.kind() {
            "aliased_import" => (
                x.child_by_field_name("name")
                    .map(|y| text(y, src).to_string())
                    .unwrap_or_default(),
                x.child_by_field_name("alias")
                    .map(|y| text(y, src).to_string()),
            ),
            _ => (text(x, src).to_string(), None),
        };
        let (bound, stands_for) = match (&module, alias) {
            (Some(m), Some(a)) => (a, format!("{m}.{full}")),
            (Some(m), None) => (full.clone(), format!("{m}.{full}")),
            (None, Some(a)) => (a, full),
            (None, None) => {
                let first = full.split('.').next().unwrap_or("").to_string();
                (first.clone(), first)
            }
        };
        if !bound.is_empty() {
            out.push((bound, stands_for));
        }
    }
    out
}

/// Every name bound anywhere in the file, the imports (name → what it stands for), and the
/// text of a wildcard import from an absolute module, if any.
fn bindings(
    root: Node<'_>,
    src: &[u8],
) -> (HashSet<String>, HashMap<String, String>, Option<String>) {
    let mut bound = HashSet::new();
    let mut imported = HashMap::new();
    let mut wildcard = None;
    walk(root, |n| {
        let mut add = |x: Node<'_>| {
            identifiers(x, src, |name, _| {
                bound.insert(name.to_string());
            })
        };
        match n.kind() {
            "function_definition" | "class_definition" => {
                if let Some(x) = n.child_by_field_name("name") {
                    add(x);
                }
            }
            "parameters" | "lambda_parameters" | "global_statement" | "nonlocal_statement"
            | "case_pattern" => add(n),
            "assignment" | "augmented_assignment" | "for_statement" | "for_in_clause" => {
                if let Some(x) = n.child_by_field_name("left") {
                    add(x);
                }
            }
            "named_expression" => {
                if let Some(x) = n.child_by_field_name("name") {
                    add(x);
                }
            }
            "as_pattern" => {
                if let Some(x) = n.child_by_field_name("alias") {
                    add(x);
                }
            }
            "except_clause" => {
                // `except E as name`: the identifier after `as`.
                let mut c = n.walk();
                let mut after_as = false;
                for child in n.children(&mut c) {
                    if after_as && child.kind() == "identifier" {
                        add(child);
                    }
                    after_as = child.kind() == "as";
                }
            }
            "import_statement" | "import_from_statement" => {
                for (name, stands_for) in imports(n, src) {
                    bound.insert(name.clone());
                    imported.insert(name, stands_for);
                }
                let mut c = n.walk();
                let has_wildcard = n.children(&mut c).any(|x| x.kind() == "wildcard_import");
                let relative = n
                    .child_by_field_name("module_name")
                    .is_some_and(|m| m.kind() == "relative_import");
                if has_wildcard && !relative {
                    wildcard.get_or_insert_with(|| text(n, src).to_string());
                }
                return false;
            }
            _ => {}
        }
        true
    });
    (bound, imported, wildcard)
}

/// The names a function body calls (identifiers and attribute names) and whether it has an
/// `assert` or `raise` statement.
fn body_calls(f: Node<'_>, src: &[u8]) -> (Vec<String>, bool) {
    let mut calls = Vec::new();
    let mut statement = false;
    walk(f, |n| {
        match n.kind() {
            "assert_statement" | "raise_statement" => statement = true,
            "call" => {
                if let Some(c) = n.child_by_field_name("function") {
                    match c.kind() {
                        "identifier" => calls.push(text(c, src).to_string()),
                        "attribute" => {
                            if let Some(a) = c.child_by_field_name("attribute") {
                                calls.push(text(a, src).to_string());
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
        true
    });
    (calls, statement)
}

fn body_asserts(
    f: Node<'_>,
    src: &[u8],
    settings: &provgate_policy::CodeSettings,
    other: &dyn Fn(&str) -> bool,
) -> bool {
    let (calls, statement) = body_calls(f, src);
    statement
        || calls
            .iter()
            .any(|c| assertion_like(c.trim_start_matches('.'), settings) || other(c))
}

/// Test functions the patch adds or changes that assert nothing.
fn tests_without_assertion(file: &SourceFile<'_>, cx: &Context<'_>, out: &mut FileAnalysis) {
    let src = file.src;
    let functions = super::named_nodes(file.tree.root_node(), src, "function_definition");
    let tree_asserts = |name: &str| {
        cx.lookup
            .flags("python", name)
            .is_some_and(|f| f & FLAG_ASSERTS != 0)
    };
    let calls: HashMap<&str, Vec<String>> = functions
        .iter()
        .map(|(name, f)| {
            let (mut calls, statement) = body_calls(*f, src);
            if statement {
                calls.push("assert".into());
            }
            (name.as_str(), calls)
        })
        .collect();
    let asserts = super::asserting_functions(&calls, |c| {
        assertion_like(c.trim_start_matches('.'), cx.settings) || tree_asserts(c)
    });
    for (name, f) in &functions {
        if !name.starts_with("test") || !file.added.intersects(line(*f), end_line(*f)) {
            continue;
        }
        let ok = asserts.contains(name.as_str())
            || body_asserts(*f, src, cx.settings, &|c| {
                asserts.contains(c.trim_start_matches('.'))
                    || tree_asserts(c.trim_start_matches('.'))
            });
        if !ok {
            out.hollow_test(file.path, *f, "name", name, "check the behaviour under test with assert or self.assert*(); use pytest.raises() for expected errors");
        }
    }
}
