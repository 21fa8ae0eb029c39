//! Change classification: what each file and hunk is (tests, docs, build, localization, code),
//! and how many lines of code a patch changes.
//!
//! # Lines of code
//! QEMU's May 2026 text allows "small bug fixes of 20 lines of code or fewer, not counting tests".
//! provgate counts them with one documented rule:
//!
//! 1. Only files whose kind counts as code (`code` and `build`) and that are not in an exempt
//!    zone are counted; tests, documentation and translations are not.
//! 2. Blank lines and comment lines (per the file's language, from its extension) are not counted.
//!    A hunk whose changed lines are all comments or blank is a documentation hunk.
//! 3. Only added lines count: a modified line (a removed/added pair) counts once, as its new
//!    version, and a deleted line never counts. A limit on "lines of code" an AI wrote is about
//!    what the patch brings in; a patch that only deletes code, or removes a vendored library,
//!    brings in nothing an AI could have written.

use provgate_patch::{FileChange, Hunk, LineKind};
use serde::Serialize;

use crate::policy::Kind;

/// The kind a path suggests, when no zone says otherwise. The lists are documented in
/// `docs/policy.md`; they follow common layouts (QEMU, Linux, Mesa, Rust, Python, Go, JS).
pub fn path_kind(path: &str) -> Kind {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let dirs: Vec<&str> = lower.split('/').collect();
    let dirs = &dirs[..dirs.len().saturating_sub(1)];
    let ext = extension(name);

    if matches!(ext, "po" | "pot" | "xlf" | "xliff")
        || dirs.iter().any(|d| {
            matches!(
                *d,
                "po" | "locale" | "locales" | "translations" | "i18n" | "l10n"
            )
        })
    {
        return Kind::Localization;
    }
    if dirs.iter().any(|d| {
        matches!(
            *d,
            "tests"
                | "test"
                | "testing"
                | "testsuite"
                | "selftests"
                | "__tests__"
                | "spec"
                | "qtest"
        )
    }) || dirs.first() == Some(&"t")
        || name.starts_with("test_")
        || name.starts_with("test-")
        || [
            "_test.go",
            "_test.c",
            "_test.cc",
            "_test.cpp",
            "_test.py",
            "_test.rs",
            "_tests.rs",
            "_spec.rb",
            "_test.rb",
            ".test.js",
            ".test.ts",
            ".spec.js",
            ".spec.ts",
            "-test.c",
        ]
        .iter()
        .any(|s| name.ends_with(s))
    {
        return Kind::Tests;
    }
    if dirs
        .iter()
        .any(|d| matches!(*d, "docs" | "doc" | "documentation" | "man"))
        || matches!(
            ext,
            "md" | "rst" | "adoc" | "asciidoc" | "texi" | "texinfo" | "txt"
        )
        || name.starts_with("readme")
        || matches!(
            name,
            "changelog"
                | "news"
                | "authors"
                | "copying"
                | "license"
                | "licence"
                | "contributing"
                // Who maintains and wrote what: project records, not code.
                | "maintainers"
                | "codeowners"
                | "credits"
                | ".mailmap"
        )
    {
        return Kind::Docs;
    }
    if matches!(
        name,
        "makefile"
            | "gnumakefile"
            | "makefile.objs"
            | "kbuild"
            | "meson.build"
            | "meson_options.txt"
            | "meson.options"
            | "cmakelists.txt"
            | "configure"
            | "configure.ac"
            | "cargo.toml"
            | "cargo.lock"
            | "build.rs"
            | "package.json"
            | "pyproject.toml"
            | "setup.py"
            | "setup.cfg"
            | "build"
            | "build.bazel"
            | "workspace"
            | ".gitlab-ci.yml"
            | ".travis.yml"
            | "dockerfile"
            | ".gitignore"
            | ".gitattributes"
            | ".editorconfig"
            | ".clang-format"
    ) || name.starts_with("kconfig")
        || matches!(ext, "mk" | "mak" | "cmake" | "am" | "bazel" | "bzl")
        || lower.starts_with(".github/workflows/")
        || lower.starts_with(".gitlab-ci.d/")
    {
        return Kind::Build;
    }
    Kind::Code
}

fn extension(name: &str) -> &str {
    match name.rfind('.') {
        Some(0) | None => "",
        Some(dot) => &name[dot + 1..],
    }
}

/// How a language writes comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CommentSyntax {
    line: &'static [&'static str],
    block: Option<(&'static str, &'static str)>,
}

const C_LIKE: CommentSyntax = CommentSyntax {
    line: &["//"],
    block: Some(("/*", "*/")),
};
const HASH: CommentSyntax = CommentSyntax {
    line: &["#"],
    block: None,
};

/// The comment syntax for a path, from its extension or name; `None` when unknown (then no line
/// is taken for a comment).
fn comment_syntax(path: &str) -> Option<CommentSyntax> {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    if matches!(
        name,
        "makefile" | "gnumakefile" | "kbuild" | "meson.build" | "cmakelists.txt" | "dockerfile"
    ) || name.starts_with("kconfig")
    {
        return Some(HASH);
    }
    Some(match extension(name) {
        "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx" | "inc" | "rs" | "go" | "java"
        | "js" | "mjs" | "ts" | "tsx" | "jsx" | "swift" | "kt" | "kts" | "scala" | "cs" | "m"
        | "mm" | "dart" | "zig" | "proto" | "dts" | "dtsi" | "css" | "scss" | "groovy" | "php"
        | "json5" | "glsl" | "hlsl" | "cl" | "cu" | "y" | "l" | "ld" | "decode" => C_LIKE,
        "py" | "sh" | "bash" | "zsh" | "pl" | "pm" | "rb" | "mk" | "mak" | "cmake" | "yaml"
        | "yml" | "toml" | "conf" | "cfg" | "ini" | "tcl" | "r" | "awk" | "sed" | "nix" | "ps1"
        | "am" | "ac" | "bzl" | "bazel" | "build" | "gdb" | "spec" => HASH,
        "lua" | "sql" | "hs" | "ada" | "adb" | "ads" | "vhd" | "vhdl" => CommentSyntax {
            line: &["--"],
            block: None,
        },
        "el" | "lisp" | "scm" | "clj" | "s" | "asm" => CommentSyntax {
            line: &[";", "#", "//"],
            block: None,
        },
        "tex" | "erl" | "hrl" | "m4" => CommentSyntax {
            line: &["%", "dnl"],
            block: None,
        },
        "vim" => CommentSyntax {
            line: &["\""],
            block: None,
        },
        "html" | "htm" | "xml" | "svg" | "xsl" | "vue" => CommentSyntax {
            line: &[],
            block: Some(("<!--", "-->")),
        },
        _ => return None,
    })
}

/// One hunk's classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HunkClass {
    /// The hunk's kind: the file's kind, or `docs` for a comment-only hunk in a code file.
    pub kind: Kind,
    /// Lines of code the hunk changes (see the module documentation).
    pub code_lines: u32,
    /// New-file line where the hunk starts.
    pub new_start: u32,
}

/// One file's classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileClass {
    /// The file's kind.
    pub kind: Kind,
    /// Lines of code changed (0 for tests, docs, translations and exempt files).
    pub code_lines: u32,
    /// Per hunk.
    pub hunks: Vec<HunkClass>,
}

/// Classifies a file change whose file kind (from its zones or path) is `kind`; `exempt` files
/// (imported code) count no lines.
pub fn classify_file(file: &FileChange, kind: Kind, exempt: bool) -> FileClass {
    let syntax = comment_syntax(file.path());
    let hunks: Vec<HunkClass> = file
        .hunks
        .iter()
        .map(|h| classify_hunk(h, kind, syntax))
        .collect();
    let code_lines = if exempt || !kind.counts_as_code() {
        0
    } else {
        hunks.iter().map(|h| h.code_lines).sum()
    };
    FileClass {
        kind,
        code_lines,
        hunks,
    }
}

/// Like [`classify_file`], with the hunks classified by code where a parser read them: a hunk
/// that code analysis found comment- or white-space-only is documentation, and its lines of code
/// are the parser's count. `by_code` must have one entry per hunk, else it is ignored.
pub fn classify_file_with_code(
    file: &FileChange,
    kind: Kind,
    exempt: bool,
    by_code: Option<&[crate::code::HunkCode]>,
) -> FileClass {
    let mut class = classify_file(file, kind, exempt);
    let Some(by_code) = by_code.filter(|c| c.len() == class.hunks.len()) else {
        return class;
    };
    if !kind.counts_as_code() {
        return class;
    }
    for (h, c) in class.hunks.iter_mut().zip(by_code) {
        if c.comment_only {
            h.kind = Kind::Docs;
            h.code_lines = 0;
        } else {
            h.kind = kind;
            h.code_lines = c.code_lines;
        }
    }
    class.code_lines = if exempt {
        0
    } else {
        class.hunks.iter().map(|h| h.code_lines).sum()
    };
    class
}

fn classify_hunk(hunk: &Hunk, kind: Kind, syntax: Option<CommentSyntax>) -> HunkClass {
    // Comment state is followed separately on the old side (context + removed) and the new side
    // (context + added), since a block comment may open on one side only.
    let comments_old = comment_flags(hunk, LineKind::Removed, syntax);
    let comments_new = comment_flags(hunk, LineKind::Added, syntax);
    let mut code_lines = 0u32;
    let mut any_code = false;
    for (i, line) in hunk.lines().enumerate() {
        match line.kind {
            LineKind::Context => {}
            LineKind::Added => {
                if !line.text.trim().is_empty() && !comments_new[i] {
                    code_lines += 1;
                    any_code = true;
                }
            }
            // A removed code line makes the hunk a code hunk, but is not counted.
            LineKind::Removed => {
                if !line.text.trim().is_empty() && !comments_old[i] {
                    any_code = true;
                }
            }
        }
    }
    let changed = hunk.lines().any(|l| l.kind != LineKind::Context);
    let kind = if kind.counts_as_code() && changed && !any_code {
        Kind::Docs
    } else {
        kind
    };
    HunkClass {
        kind,
        code_lines: if kind.counts_as_code() { code_lines } else { 0 },
        new_start: hunk.new_start,
    }
}

/// For each line of the hunk, whether it is a comment (or inside one) on the side that holds
/// `changed` lines; lines of the other side are `false`.
fn comment_flags(hunk: &Hunk, changed: LineKind, syntax: Option<CommentSyntax>) -> Vec<bool> {
    let mut flags = vec![false; hunk.len()];
    let Some(syntax) = syntax else {
        return flags;
    };
    let mut in_block = false;
    let mut first = true;
    for (i, line) in hunk.lines().enumerate() {
        if line.kind != LineKind::Context && line.kind != changed {
            continue;
        }
        let text = line.text.trim();
        if let Some((open, close)) = syntax.block {
            // A hunk may start inside a block comment: a first line that closes a comment it did
            // not open, or a ` * ` continuation line, is taken as inside one.
            if first && !in_block {
                let closes_unopened = text.contains(close) && !text.contains(open);
                let star = open == "/*" && (text == "*" || text.starts_with("* "));
                if closes_unopened || star {
                    in_block = true;
                }
            }
            first = false;
            if in_block {
                flags[i] = true;
                if let Some(end) = text.find(close) {
                    in_block = false;
                    // Code after the comment closes makes the line code.
                    let rest = text[end + close.len()..].trim();
                    if !rest.is_empty() && !is_line_comment(rest, &syntax) {
                        flags[i] = false;
                    }
                }
                continue;
            }
            if let Some(rest) = text.strip_prefix(open) {
                flags[i] = true;
                match rest.find(close) {
                    Some(end) => {
                        let after = rest[end + close.len()..].trim();
                        if !after.is_empty() && !is_line_comment(after, &syntax) {
                            flags[i] = false;
                        }
                    }
                    None => in_block = true,
                }
                continue;
            }
        }
        first = false;
        if is_line_comment(text, &syntax) {
            flags[i] = true;
        }
    }
    flags
}

fn is_line_comment(text: &str, syntax: &CommentSyntax) -> bool {
    syntax.line.iter().any(|p| text.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hunk(lines: &[(char, &str)]) -> Hunk {
        let (mut old, mut new) = (10, 10);
        let mut h = Hunk::new(10, 0, 10, 0, "");
        for (m, t) in lines {
            match m {
                '+' => {
                    h.push_line(LineKind::Added, 0, new, t, false);
                    new += 1;
                }
                '-' => {
                    h.push_line(LineKind::Removed, old, 0, t, false);
                    old += 1;
                }
                _ => {
                    h.push_line(LineKind::Context, old, new, t, false);
                    old += 1;
                    new += 1;
                }
            }
        }
        h
    }

    fn file(path: &str, h: Hunk) -> FileChange {
        FileChange {
            old_path: Some(path.into()),
            new_path: Some(path.into()),
            hunks: vec![h],
            ..FileChange::default()
        }
    }

    #[test]
    fn kinds_from_paths() {
        assert_eq!(path_kind("tests/qtest/virtio-test.c"), Kind::Tests);
        // git's and Perl's convention: the test suite lives in a top-level `t/`.
        assert_eq!(path_kind("t/t0410-partial-clone.sh"), Kind::Tests);
        assert_eq!(path_kind("t/helper/test-tool.c"), Kind::Tests);
        assert_eq!(path_kind("src/t/main.c"), Kind::Code);
        assert_eq!(path_kind("src/foo_test.go"), Kind::Tests);
        assert_eq!(path_kind("docs/devel/code-provenance.rst"), Kind::Docs);
        assert_eq!(path_kind("README.md"), Kind::Docs);
        assert_eq!(path_kind("hw/arm/meson.build"), Kind::Build);
        assert_eq!(path_kind("Makefile"), Kind::Build);
        assert_eq!(path_kind(".github/workflows/ci.yml"), Kind::Build);
        assert_eq!(path_kind("po/de.po"), Kind::Localization);
        assert_eq!(path_kind("hw/arm/virt.c"), Kind::Code);
        assert_eq!(path_kind("contest/x.c"), Kind::Code, "no substring matches");
        assert_eq!(path_kind("MAINTAINERS"), Kind::Docs);
        assert_eq!(path_kind(".github/CODEOWNERS"), Kind::Docs);
        assert_eq!(path_kind(".mailmap"), Kind::Docs);
        assert_eq!(path_kind("tools/.gitignore"), Kind::Build);
        assert_eq!(
            path_kind("hw/maintainers.c"),
            Kind::Code,
            "a name, not a stem"
        );
    }

    #[test]
    fn modified_line_counts_once() {
        let h = hunk(&[
            (' ', "int a;"),
            ('-', "x = 1;"),
            ('+', "x = 2;"),
            (' ', "int b;"),
            ('+', "y = 3;"),
            ('+', ""),
            ('+', "z = 4;"),
        ]);
        let c = classify_file(&file("a.c", h), Kind::Code, false);
        assert_eq!(c.code_lines, 3);
        assert_eq!(c.hunks[0].kind, Kind::Code);
    }

    #[test]
    fn comment_only_hunk_is_docs() {
        let h = hunk(&[
            (' ', "int a;"),
            ('+', "/*"),
            ('+', " * Explain the thing."),
            ('+', " */"),
            ('-', "// old note"),
            ('+', "// new note"),
        ]);
        let c = classify_file(&file("a.c", h), Kind::Code, false);
        assert_eq!(c.code_lines, 0);
        assert_eq!(c.hunks[0].kind, Kind::Docs);
    }

    #[test]
    fn code_after_comment_counts() {
        let h = hunk(&[('+', "/* why */ x = 1;"), ('+', "# not a comment in C")]);
        let c = classify_file(&file("a.c", h), Kind::Code, false);
        assert_eq!(c.code_lines, 2);
    }

    #[test]
    fn hunk_starting_inside_block_comment() {
        let h = hunk(&[
            (' ', " * previous text"),
            ('+', " * more text"),
            (' ', " */"),
        ]);
        let c = classify_file(&file("a.c", h), Kind::Code, false);
        assert_eq!(c.code_lines, 0);
    }

    #[test]
    fn hash_comments_in_python_and_exempt_and_tests() {
        let h = hunk(&[('+', "# comment"), ('+', "x = 1")]);
        assert_eq!(
            classify_file(&file("a.py", h.clone()), Kind::Code, false).code_lines,
            1
        );
        assert_eq!(
            classify_file(&file("a.py", h.clone()), Kind::Code, true).code_lines,
            0
        );
        assert_eq!(
            classify_file(&file("a.py", h), Kind::Tests, false).code_lines,
            0
        );
    }

    #[test]
    fn deletions_never_count() {
        let h = hunk(&[('-', "a();"), ('-', "b();"), ('+', "c();")]);
        assert_eq!(
            classify_file(&file("a.c", h), Kind::Code, false).code_lines,
            1
        );
        let only_deleted = hunk(&[(' ', "x();"), ('-', "a();"), ('-', "b();"), (' ', "y();")]);
        let c = classify_file(&file("a.c", only_deleted), Kind::Code, false);
        assert_eq!(c.code_lines, 0);
        assert_eq!(c.hunks[0].kind, Kind::Code, "still a code hunk");
    }
}
