//! C and C headers (`tree-sitter-c`).

use std::collections::{HashMap, HashSet};

use provgate_policy::RuleId;
use tree_sitter::{Node, Tree};

use super::{
    Context, FileAnalysis, LanguageSupport, SourceFile, Use, assertion_like, error_notes,
    extension, in_error, in_sorted, line, text, walk, walk_scoped,
};

/// The nodes that open a scope below file scope.
const C_SCOPES: &[&str] = &["function_definition", "compound_statement"];
use crate::symbols::{
    AttributeMacro, FLAG_ASSERTS, FLAG_ATTRIBUTE_MACRO, FLAG_GUESSED, FLAG_STRING_MACRO,
    FileSymbols, SymbolKind,
};

/// Flag: the name is a compile-time constant (object-like macro, enum constant).
pub const FLAG_CONSTANT: u8 = 4;

/// The C plug-in: `.c`, `.h`, and QEMU's `.c.inc`/`.h.inc`.
pub struct C;

/// printf-like functions and the index of their format argument.
const PRINTF_FAMILY: &[(&str, usize)] = &[
    ("asprintf", 1),
    ("dprintf", 1),
    ("err", 1),
    ("error_report", 0),
    ("error_setg", 1),
    ("errx", 1),
    ("fprintf", 1),
    ("g_critical", 0),
    ("g_debug", 0),
    ("g_error", 0),
    ("g_fprintf", 1),
    ("g_info", 0),
    ("g_message", 0),
    ("g_print", 0),
    ("g_printerr", 0),
    ("g_printf", 0),
    ("g_snprintf", 2),
    ("g_sprintf", 1),
    ("g_strdup_printf", 0),
    ("g_string_append_printf", 1),
    ("g_string_printf", 1),
    ("g_warning", 0),
    ("info_report", 0),
    ("printf", 0),
    ("printk", 0),
    ("qemu_log", 0),
    ("snprintf", 2),
    ("sprintf", 1),
    ("syslog", 1),
    ("warn", 0),
    ("warn_report", 0),
    ("warnx", 0),
];

/// Functions that return their (literal) argument as a format (`format_arg` in GCC terms).
const FORMAT_ARG: &[&str] = &[
    "C_",
    "N_",
    "Q_",
    "_",
    "dcgettext",
    "dgettext",
    "g_dgettext",
    "gettext",
    "ngettext",
];

/// Allocation functions and the index of their size argument.
const ALLOCATORS: &[(&str, usize)] = &[
    ("alloca", 0),
    ("g_malloc", 0),
    ("g_malloc0", 0),
    ("g_realloc", 1),
    ("g_try_malloc", 0),
    ("g_try_malloc0", 0),
    ("g_try_realloc", 1),
    ("kmalloc", 0),
    ("kzalloc", 0),
    ("malloc", 0),
    ("realloc", 1),
    ("vmalloc", 0),
    ("xmalloc", 0),
    ("xmalloc_bytes", 0),
    ("xrealloc", 1),
    ("xzalloc", 0),
    ("xzalloc_bytes", 0),
];

/// Names whose presence in a function means multiplications are checked for overflow.
const OVERFLOW_CHECKS: &[&str] = &[
    "G_MAXSIZE",
    "INT_MAX",
    "SIZE_MAX",
    "SSIZE_MAX",
    "UINT_MAX",
    "__builtin_mul_overflow",
    "__builtin_umul_overflow",
    "__builtin_umull_overflow",
    "check_mul_overflow",
    "ckd_mul",
    "g_size_checked_mul",
];

/// Calls that register a test function (the function is one of their arguments).
const TEST_REGISTRATION: &[&str] = &[
    "g_test_add",
    "g_test_add_data_func",
    "g_test_add_data_func_full",
    "g_test_add_func",
    "qtest_add",
    "qtest_add_data_func",
    "qtest_add_data_func_full",
    "qtest_add_func",
];

impl LanguageSupport for C {
    fn name(&self) -> &'static str {
        "c"
    }

    fn handles(&self, path: &str) -> bool {
        matches!(extension(path).as_str(), "c" | "h")
            || path.ends_with(".c.inc")
            || path.ends_with(".h.inc")
    }

    fn grammar(&self) -> tree_sitter::Language {
        tree_sitter_c::LANGUAGE.into()
    }

    fn version(&self) -> u32 {
        7
    }

    fn symbols(&self, tree: &Tree, src: &[u8]) -> FileSymbols {
        let mut out = FileSymbols::new("c");
        walk_scoped(tree.root_node(), C_SCOPES, |n, inside| {
            let file_scope = |_: Node<'_>| inside == 0;
            match n.kind() {
                "function_definition" => {
                    if let Some(name) = n
                        .child_by_field_name("declarator")
                        .and_then(|d| declarator_name(d, src))
                    {
                        let flags = if body_asserts(n, src) {
                            FLAG_ASSERTS
                        } else {
                            0
                        };
                        out.def(name, SymbolKind::Function, line(n), flags | guessed_head(n));
                    }
                }
                "declaration" if file_scope(n) => {
                    // In a declaration that does not parse (`int n __read_mostly;`), the
                    // declared name may be an attribute macro's.
                    let guessed = if n.has_error() || misread_type(n) {
                        FLAG_GUESSED
                    } else {
                        0
                    };
                    let mut c = n.walk();
                    for d in n.children_by_field_name("declarator", &mut c) {
                        let kind = if has_function_declarator(d) {
                            SymbolKind::Declaration
                        } else {
                            SymbolKind::Global
                        };
                        if let Some(name) = declarator_name(d, src) {
                            out.def(name, kind, line(d), guessed);
                        }
                        // A macro in a declarator (`int (* __ro_after_init hook)(void)`) can
                        // leave the declared name in an ERROR node: such names count as declared.
                        if d.has_error() {
                            error_identifiers(d, src, kind, &mut out);
                        }
                    }
                }
                "type_definition" => {
                    let guessed = if n.has_error() { FLAG_GUESSED } else { 0 };
                    let mut c = n.walk();
                    for d in n.children_by_field_name("declarator", &mut c) {
                        if let Some(name) = declarator_name(d, src) {
                            out.def(name, SymbolKind::Typedef, line(d), guessed);
                        }
                    }
                }
                "struct_specifier" | "union_specifier" | "enum_specifier" => {
                    if let Some(name) = n.child_by_field_name("name") {
                        // A tag without a body is a use (`enum __init kind f(void)` reads as one).
                        let guessed = if n.child_by_field_name("body").is_none() {
                            FLAG_GUESSED
                        } else {
                            0
                        };
                        out.def(text(name, src), SymbolKind::Tag, line(name), guessed);
                    }
                }
                "enumerator" => {
                    if let Some(name) = n.child_by_field_name("name") {
                        out.def(
                            text(name, src),
                            SymbolKind::EnumConstant,
                            line(name),
                            FLAG_CONSTANT,
                        );
                    }
                }
                "preproc_def" => {
                    if let Some(name) = n.child_by_field_name("name") {
                        let value = n.child_by_field_name("value").map(|v| text(v, src).trim());
                        let mut flags = FLAG_CONSTANT;
                        if value.is_some_and(|v| v.starts_with('"') && v.ends_with('"')) {
                            flags |= FLAG_STRING_MACRO;
                        }
                        let at = line(name);
                        let name = text(name, src);
                        if !include_guard(n, name, src) {
                            flags |= attribute_macro(name, value.unwrap_or(""), None, &mut out);
                        }
                        out.def(name, SymbolKind::Macro, at, flags);
                    }
                }
                "preproc_function_def" => {
                    if let Some(name) = n.child_by_field_name("name") {
                        let mut params = Vec::new();
                        if let Some(p) = n.child_by_field_name("parameters") {
                            let mut c = p.walk();
                            params.extend(p.named_children(&mut c).map(|x| text(x, src)));
                        }
                        let value = n.child_by_field_name("value").map_or("", |v| text(v, src));
                        let at = line(name);
                        let name = text(name, src);
                        let flags = attribute_macro(name, value, Some(&params), &mut out);
                        out.pastes.extend(crate::paste::rules(name, &params, value));
                        out.def(name, SymbolKind::FunctionMacro, at, flags);
                    }
                }
                "call_expression" => {
                    if let Some(f) = n.child_by_field_name("function")
                        && f.kind() == "identifier"
                    {
                        out.calls.push(text(f, src).to_string());
                        // A macro invoked at file scope declares the names it is given.
                        if inside == 0 {
                            macro_arguments(n, src, &mut out);
                        }
                    }
                }
                "macro_type_specifier" if file_scope(n) => {
                    macro_arguments(n, src, &mut out);
                }
                _ => {}
            }
            true
        });
        out.invocations = crate::paste::invocations(src);
        out.finish();
        out
    }

    fn prepare(&self, src: &[u8], macros: &super::mask::Macros<'_>) -> Option<Vec<u8>> {
        super::mask::mask_c(src, macros)
    }

    fn analyze(&self, file: &SourceFile<'_>, cx: &Context<'_>) -> FileAnalysis {
        let mut out = FileAnalysis {
            notes: error_notes(file),
            ..FileAnalysis::default()
        };
        let root = file.tree.root_node();
        let mut scopes: HashMap<usize, HashSet<String>> = HashMap::new();
        walk(root, |n| {
            if !file.added.intersects(line(n), super::end_line(n)) {
                return false;
            }
            if n.is_error() {
                return false;
            }
            match n.kind() {
                "call_expression" => self.call(n, file, cx, &mut scopes, &mut out),
                "assignment_expression" if file.added.contains(line(n)) => {
                    realloc_to_itself(n, file, &mut out);
                }
                _ => {}
            }
            true
        });
        if file.test_file {
            tests_without_assertion(file, cx, &mut out);
        }
        out
    }

    fn is_external(&self, name: &str) -> bool {
        in_sorted(crate::names::c_all(), name)
            || ["__builtin_", "__atomic_", "__sync_"]
                .iter()
                .any(|p| name.starts_with(p))
    }

    fn external_names(&self) -> &[&'static str] {
        crate::names::c_all()
    }
}

impl C {
    fn call(
        &self,
        n: Node<'_>,
        file: &SourceFile<'_>,
        cx: &Context<'_>,
        scopes: &mut HashMap<usize, HashSet<String>>,
        out: &mut FileAnalysis,
    ) {
        let Some(f) = n.child_by_field_name("function") else {
            return;
        };
        let at = line(f);
        if f.kind() != "identifier" || !file.added.contains(at) || in_error(n) {
            return;
        }
        let src = file.src;
        let name = text(f, src);
        let function = enclosing_function(n);
        let bound = match function {
            Some(func) => scopes
                .entry(func.id())
                .or_insert_with(|| locals(func, src))
                .contains(name),
            None => false,
        };
        if bound {
            return;
        }
        out.uses.push(Use {
            name: name.to_string(),
            line: at,
        });
        let args = arguments(n);
        if cx.settings.insecure_calls.iter().any(|c| c == name) {
            out.issue(
                RuleId::InsecureCall,
                file.path,
                at,
                format!("`{name}()` is unsafe: it does not bound what it writes"),
                match name {
                    "gets" => "use fgets() with the buffer's size",
                    "strcpy" | "strcat" => {
                        "use a bounded copy (snprintf, g_strlcpy/g_strlcat, pstrcpy) with the destination's size"
                    }
                    "sprintf" | "vsprintf" => "use snprintf()/vsnprintf() or g_strdup_printf()",
                    _ => "use a bounded alternative",
                },
            );
        }
        if let Some(p) = cx.settings.prefer.iter().find(|p| p.avoid == name) {
            out.issue(
                RuleId::PreferredApi,
                file.path,
                at,
                format!("the project does not use `{name}()`"),
                format!("use {} instead", p.instead),
            );
        }
        // A non-literal format with nothing after it (GCC's -Wformat-security).
        if let Some(&(_, idx)) = PRINTF_FAMILY.iter().find(|(f, _)| *f == name)
            && args.len() == idx + 1
            && !literal_format(args[idx], src, cx)
        {
            out.issue(
                RuleId::InsecureIdiom,
                file.path,
                at,
                format!(
                    "`{name}()` gets a format string that is not a literal (`{}`) and no arguments",
                    squash(text(args[idx], src))
                ),
                format!(
                    "pass the text as an argument: `{name}({}\"%s\", {})`",
                    args[..idx]
                        .iter()
                        .map(|a| format!("{}, ", text(*a, src)))
                        .collect::<String>(),
                    text(args[idx], src)
                ),
            );
        }
        // `sizeof p` of a pointer as a mem* length.
        if matches!(name, "memset" | "memcpy" | "memmove" | "memcmp")
            && let Some(len) = args.get(2)
            && len.kind() == "sizeof_expression"
            && let Some(v) = len.child_by_field_name("value")
        {
            let v = unparen(v);
            if v.kind() == "identifier" {
                let var = text(v, src);
                let scope = function.unwrap_or_else(|| file.tree.root_node());
                if declared_pointer(scope, var, src)
                    || declared_pointer(file.tree.root_node(), var, src)
                        && !declared_non_pointer(scope, var, src)
                {
                    out.issue(
                        RuleId::InsecureIdiom,
                        file.path,
                        at,
                        format!(
                            "`{name}()` length is `sizeof {var}`, the size of a pointer, not of what it points to"
                        ),
                        format!("use `sizeof(*{var})` or the buffer's real length"),
                    );
                }
            }
        }
        // A multiplied allocation size without an overflow check.
        if let Some(&(_, idx)) = ALLOCATORS.iter().find(|(f, _)| *f == name)
            && let Some(size) = args.get(idx)
        {
            let size = unparen(*size);
            if size.kind() == "binary_expression"
                && size
                    .child_by_field_name("operator")
                    .is_some_and(|o| text(o, src) == "*")
                && !constant(size, src, cx)
                && !function.is_some_and(|f| mentions_any(f, src, OVERFLOW_CHECKS))
            {
                out.issue(
                    RuleId::InsecureIdiom,
                    file.path,
                    at,
                    format!(
                        "`{name}({})` multiplies a size without an overflow check",
                        squash(text(size, src))
                    ),
                    "allocate with calloc()/reallocarray()/g_new()/g_renew(), or check the multiplication (__builtin_mul_overflow, ckd_mul)",
                );
            }
        }
    }
}

/// `p = realloc(p, n)`.
fn realloc_to_itself(n: Node<'_>, file: &SourceFile<'_>, out: &mut FileAnalysis) {
    let src = file.src;
    let (Some(left), Some(right)) = (
        n.child_by_field_name("left"),
        n.child_by_field_name("right"),
    ) else {
        return;
    };
    if n.child_by_field_name("operator")
        .is_none_or(|o| text(o, src) != "=")
    {
        return;
    }
    let right = unparen(right);
    if right.kind() != "call_expression" || in_error(n) {
        return;
    }
    let Some(f) = right.child_by_field_name("function") else {
        return;
    };
    let fname = text(f, src);
    if !matches!(fname, "realloc" | "reallocarray") {
        return;
    }
    let args = arguments(right);
    if args
        .first()
        .is_some_and(|a| squash(text(unparen(*a), src)) == squash(text(left, src)))
    {
        let var = squash(text(left, src));
        out.issue(
            RuleId::InsecureIdiom,
            file.path,
            line(n),
            format!("`{var} = {fname}({var}, …)` loses (leaks) the block when {fname}() fails"),
            format!(
                "assign to a temporary, check it for NULL, then assign `{var}` (or use g_realloc(), which aborts)"
            ),
        );
    }
}

/// Test functions the patch adds or changes that assert nothing.
fn tests_without_assertion(file: &SourceFile<'_>, cx: &Context<'_>, out: &mut FileAnalysis) {
    let src = file.src;
    let mut functions: Vec<(String, Node<'_>)> = Vec::new();
    let mut registered: HashSet<String> = HashSet::new();
    walk(file.tree.root_node(), |n| {
        match n.kind() {
            "function_definition" => {
                if let Some(name) = n
                    .child_by_field_name("declarator")
                    .and_then(|d| declarator_name(d, src))
                {
                    functions.push((name.to_string(), n));
                }
            }
            "call_expression" => {
                if let Some(f) = n.child_by_field_name("function")
                    && in_sorted(TEST_REGISTRATION, text(f, src))
                {
                    for a in arguments(n) {
                        if a.kind() == "identifier" {
                            registered.insert(text(a, src).to_string());
                        }
                    }
                }
            }
            _ => {}
        }
        true
    });
    let calls_of = |f: Node<'_>| {
        let mut calls = Vec::new();
        walk(f, |n| {
            if n.kind() == "call_expression"
                && let Some(c) = n.child_by_field_name("function")
                && c.kind() == "identifier"
            {
                calls.push(text(c, src).to_string());
            }
            true
        });
        calls
    };
    let defined: HashMap<&str, Vec<String>> = functions
        .iter()
        .map(|(name, f)| (name.as_str(), calls_of(*f)))
        .collect();
    let asserts = super::asserting_functions(&defined, |name| {
        assertion_like(name, cx.settings)
            || cx
                .lookup
                .flags("c", name)
                .is_some_and(|f| f & FLAG_ASSERTS != 0)
    });
    for (name, f) in &functions {
        // An unregistered `test_*` function that returns a value reports to its caller (a
        // checker such as `static bool test_addr(…)`), it is not a test case itself.
        let returns_void = f
            .child_by_field_name("type")
            .is_some_and(|t| text(t, src) == "void")
            && f.child_by_field_name("declarator")
                .is_some_and(|d| d.kind() == "function_declarator");
        let is_test = registered.contains(name) || (name.starts_with("test_") && returns_void);
        if is_test
            && file.added.intersects(line(*f), super::end_line(*f))
            && !asserts.contains(name.as_str())
        {
            out.hollow_test(
                file.path,
                *f,
                "declarator",
                name,
                "check the behaviour under test with g_assert*()/assert() (or a qtest helper that asserts)",
            );
        }
    }
}

/// Whether a function's body calls an assertion (built-in names only).
fn body_asserts(f: Node<'_>, src: &[u8]) -> bool {
    let mut found = false;
    walk(f, |n| {
        if found {
            return false;
        }
        if n.kind() == "call_expression"
            && let Some(c) = n.child_by_field_name("function")
            && c.kind() == "identifier"
            && assertion_like(text(c, src), &crate::EMPTY_SETTINGS)
        {
            found = true;
        }
        true
    });
    found
}

/// Identifiers inside the ERROR nodes of `n`, as definitions of `kind`.
fn error_identifiers(n: Node<'_>, src: &[u8], kind: SymbolKind, out: &mut FileSymbols) {
    walk(n, |x| {
        if x.is_error() {
            walk(x, |y| {
                if y.kind() == "identifier" {
                    out.def(text(y, src), kind, line(y), FLAG_GUESSED);
                }
                true
            });
            return false;
        }
        x.has_error()
    });
}

/// Whether a declaration's type reads as `unsigned long NAME`: C has no such type, the grammar's
/// reading of `unsigned long n __read_mostly;` (the declared name taken for a type, the
/// attribute macro for the name).
fn misread_type(decl: Node<'_>) -> bool {
    decl.child_by_field_name("type").is_some_and(|t| {
        t.kind() == "sized_type_specifier"
            && t.child_by_field_name("type")
                .is_some_and(|x| x.kind() == "type_identifier")
    })
}

/// [`FLAG_GUESSED`] when the head of a function definition (before its body) does not parse:
/// the name read may be an attribute macro's (`void __init f(void)` can read as `__init`).
fn guessed_head(f: Node<'_>) -> u8 {
    let mut c = f.walk();
    let bad = f
        .children(&mut c)
        .any(|x| f.child_by_field_name("body") != Some(x) && (x.is_error() || x.has_error()));
    if bad { FLAG_GUESSED } else { 0 }
}

/// Records `name` as an attribute macro when its body reads as one ([`super::mask::read_body`]);
/// the flag for its definition. `params` are a function-like macro's parameters.
fn attribute_macro(name: &str, body: &str, params: Option<&[&str]>, out: &mut FileSymbols) -> u8 {
    match super::mask::read_body(body, params.unwrap_or(&[])) {
        Some((asm, refs)) => {
            out.attribute_macros.push(AttributeMacro {
                name: name.to_string(),
                function_like: params.is_some(),
                asm,
                refs,
            });
            FLAG_ATTRIBUTE_MACRO
        }
        None => 0,
    }
}

/// Whether the `#define` `n` of `name` guards a header (`#ifndef FOO_H` / `#define FOO_H`):
/// such a name is never used in code, and is not recorded as an attribute macro. (A default
/// definition, `#ifndef asmlinkage` / `#define asmlinkage`, is one.)
fn include_guard(n: Node<'_>, name: &str, src: &[u8]) -> bool {
    let guard_like = ["_H", "_H_", "_H__", "_INCLUDED"]
        .iter()
        .any(|s| name.ends_with(s));
    guard_like
        && n.parent().is_some_and(|p| {
            p.kind() == "preproc_ifdef"
                && p.child_by_field_name("name")
                    .is_some_and(|x| text(x, src) == name)
        })
}

/// Names passed to a macro invoked at file scope: identifiers among its arguments.
fn macro_arguments(n: Node<'_>, src: &[u8], out: &mut FileSymbols) {
    let skip = n
        .child_by_field_name("function")
        .or_else(|| n.child_by_field_name("name"))
        .map(|f| f.id());
    walk(n, |x| {
        if Some(x.id()) == skip {
            return false;
        }
        if matches!(x.kind(), "identifier" | "type_identifier") {
            out.def(text(x, src), SymbolKind::MacroArgument, line(x), 0);
        }
        true
    });
}

/// The name a declarator declares.
pub(crate) fn declarator_name<'s>(mut d: Node<'_>, src: &'s [u8]) -> Option<&'s str> {
    for _ in 0..64 {
        match d.kind() {
            "identifier" | "type_identifier" | "field_identifier" | "primitive_type" => {
                return Some(text(d, src));
            }
            "function_declarator"
            | "pointer_declarator"
            | "array_declarator"
            | "init_declarator"
            | "attributed_declarator" => {
                d = d.child_by_field_name("declarator")?;
            }
            "parenthesized_declarator" => d = d.named_child(0)?,
            _ => return None,
        }
    }
    None
}

fn has_function_declarator(mut d: Node<'_>) -> bool {
    for _ in 0..64 {
        match d.kind() {
            "function_declarator" => return true,
            "init_declarator" | "attributed_declarator" => {
                match d.child_by_field_name("declarator") {
                    Some(x) => d = x,
                    None => return false,
                }
            }
            _ => return false,
        }
    }
    false
}

fn enclosing_function(n: Node<'_>) -> Option<Node<'_>> {
    let mut p = n.parent();
    while let Some(x) = p {
        if x.kind() == "function_definition" {
            return Some(x);
        }
        p = x.parent();
    }
    None
}

/// Names bound inside a function: its parameters and every local declaration.
fn locals(func: Node<'_>, src: &[u8]) -> HashSet<String> {
    let mut names = HashSet::new();
    walk(func, |n| {
        match n.kind() {
            "parameter_declaration" | "declaration" => {
                let mut c = n.walk();
                for d in n.children_by_field_name("declarator", &mut c) {
                    if let Some(name) = declarator_name(d, src) {
                        names.insert(name.to_string());
                    }
                }
            }
            // A nested function declarator's parameters.
            "function_declarator"
                if n.parent()
                    .is_some_and(|p| p.kind() != "function_definition") => {}
            _ => {}
        }
        true
    });
    names
}

/// Whether `var` is declared as a pointer (not an array) in `scope` (a function, or the file).
fn declared_pointer(scope: Node<'_>, var: &str, src: &[u8]) -> bool {
    declared_kind(scope, var, src) == Some(true)
}

fn declared_non_pointer(scope: Node<'_>, var: &str, src: &[u8]) -> bool {
    declared_kind(scope, var, src) == Some(false)
}

/// `Some(true)` when `var`'s declaration in `scope` makes it a pointer, `Some(false)` when it is
/// declared otherwise, `None` when not declared there.
fn declared_kind(scope: Node<'_>, var: &str, src: &[u8]) -> Option<bool> {
    let mut found = None;
    walk(scope, |n| {
        if found.is_some() {
            return false;
        }
        if matches!(n.kind(), "parameter_declaration" | "declaration") {
            let mut c = n.walk();
            for d in n.children_by_field_name("declarator", &mut c) {
                if declarator_name(d, src) == Some(var) {
                    let mut x = d;
                    if x.kind() == "init_declarator" {
                        x = x.child_by_field_name("declarator").unwrap_or(x);
                    }
                    found = Some(x.kind() == "pointer_declarator");
                }
            }
            return false;
        }
        true
    });
    found
}

fn arguments(call: Node<'_>) -> Vec<Node<'_>> {
    let Some(list) = call.child_by_field_name("arguments") else {
        return Vec::new();
    };
    let mut c = list.walk();
    list.named_children(&mut c)
        .filter(|a| !a.kind().contains("comment"))
        .collect()
}

fn unparen(mut n: Node<'_>) -> Node<'_> {
    while n.kind() == "parenthesized_expression" {
        match n.named_child(0) {
            Some(x) => n = x,
            None => break,
        }
    }
    n
}

/// Whether an expression is a literal format string (or built from literals).
fn literal_format(n: Node<'_>, src: &[u8], cx: &Context<'_>) -> bool {
    let n = unparen(n);
    match n.kind() {
        "string_literal" | "concatenated_string" => true,
        "identifier" => cx
            .lookup
            .flags("c", text(n, src))
            .is_some_and(|f| f & FLAG_STRING_MACRO != 0),
        "conditional_expression" => {
            let c = |f| n.child_by_field_name(f);
            c("consequence").is_some_and(|x| literal_format(x, src, cx))
                && c("alternative").is_some_and(|x| literal_format(x, src, cx))
        }
        "call_expression" => {
            n.child_by_field_name("function")
                .is_some_and(|f| in_sorted(FORMAT_ARG, text(f, src)))
                && arguments(n).iter().any(|a| literal_format(*a, src, cx))
        }
        _ => false,
    }
}

/// Whether an expression is a compile-time constant.
fn constant(n: Node<'_>, src: &[u8], cx: &Context<'_>) -> bool {
    let n = unparen(n);
    match n.kind() {
        "number_literal"
        | "char_literal"
        | "sizeof_expression"
        | "alignof_expression"
        | "offsetof_expression" => true,
        "identifier" => cx
            .lookup
            .flags("c", text(n, src))
            .is_some_and(|f| f & FLAG_CONSTANT != 0),
        "binary_expression" => {
            let c = |f| n.child_by_field_name(f);
            c("left").is_some_and(|x| constant(x, src, cx))
                && c("right").is_some_and(|x| constant(x, src, cx))
        }
        "cast_expression" => n
            .child_by_field_name("value")
            .is_some_and(|x| constant(x, src, cx)),
        "call_expression" => n
            .child_by_field_name("function")
            .is_some_and(|f| matches!(text(f, src), "sizeof" | "ARRAY_SIZE" | "G_N_ELEMENTS")),
        _ => false,
    }
}

fn mentions_any(scope: Node<'_>, src: &[u8], names: &[&str]) -> bool {
    let mut found = false;
    walk(scope, |n| {
        if found {
            return false;
        }
        if n.kind() == "identifier" && in_sorted(names, text(n, src)) {
            found = true;
        }
        true
    });
    found
}

/// White space removed, for comparing and quoting expressions.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join("")
}
