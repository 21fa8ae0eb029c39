//! The shipped name lists: what code may call without defining it, per language (the files in
//! `src/names/`, written for provgate), and names read from the machine's system headers when a
//! policy asks for them.

use std::collections::HashSet;
use std::sync::OnceLock;

/// The names of a list file: whitespace-separated words, `#` to the end of a line is a comment;
/// sorted and de-duplicated.
pub fn parse_list(text: &'static str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .flat_map(str::split_whitespace)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

macro_rules! list {
    ($fn:ident, $file:literal, $doc:literal) => {
        #[doc = $doc]
        pub fn $fn() -> &'static [&'static str] {
            static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
            LIST.get_or_init(|| parse_list(include_str!($file)))
        }
    };
}

list!(
    c_names,
    "names/c.txt",
    "C standard library, POSIX, glibc/BSD extensions, C keywords that parse like calls, GCC/Clang built-ins."
);
list!(glib_names, "names/glib.txt", "GLib and GObject.");
list!(
    win32_names,
    "names/win32.txt",
    "The Windows API and the Microsoft C runtime, as portable C projects' compat layers call them."
);
list!(
    rust_names,
    "names/rust.txt",
    "Rust prelude names and standard macros (macros with a trailing `!`)."
);
list!(
    python_names,
    "names/python.txt",
    "Python builtins, module attributes and standard-library module names."
);

/// C names: the C list, GLib and the Windows API with the Microsoft C runtime, merged and
/// sorted (one list for every C file: compat layers are ordinary C files, and a name is only
/// known here if a platform's documented API has it).
pub fn c_all() -> &'static [&'static str] {
    static LIST: OnceLock<Vec<&'static str>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut v: Vec<&'static str> = c_names()
            .iter()
            .chain(glib_names())
            .chain(win32_names())
            .copied()
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    })
}

/// Names declared by the headers under `/usr/include` and `/usr/local/include` (read once per
/// process): every `#define`d name and every identifier followed by `(` outside comments. Only
/// these fixed directories are read, never a path from a policy.
pub fn system_header_names() -> &'static HashSet<String> {
    static NAMES: OnceLock<HashSet<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = HashSet::new();
        for dir in ["/usr/include", "/usr/local/include"] {
            scan_dir(std::path::Path::new(dir), 0, &mut names);
        }
        names
    })
}

fn scan_dir(dir: &std::path::Path, depth: usize, names: &mut HashSet<String>) {
    if depth > 6 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            scan_dir(&path, depth + 1, names);
        } else if kind.is_file()
            && path.extension().is_some_and(|e| e == "h")
            && let Ok(bytes) = std::fs::read(&path)
        {
            header_names(&bytes, names);
        }
    }
}

/// The names a header declares, read lexically: `#define NAME` and `NAME (` outside comments and
/// string literals. Over-inclusive on purpose: these names only ever make a call known.
pub fn header_names(src: &[u8], names: &mut HashSet<String>) {
    let mut i = 0;
    let n = src.len();
    let mut after_define = false;
    let mut line_start = true;
    while i < n {
        let c = src[i];
        if c == b'/' && src.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < n && !(src[i] == b'*' && src[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
            continue;
        }
        if c == b'/' && src.get(i + 1) == Some(&b'/') || c == b'"' || c == b'\'' {
            if c == b'/' {
                while i < n && src[i] != b'\n' {
                    i += 1;
                }
            } else {
                i += 1;
                while i < n && src[i] != c && src[i] != b'\n' {
                    i += if src[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            continue;
        }
        if c == b'\n' {
            line_start = true;
            after_define = false;
            i += 1;
            continue;
        }
        if c == b'#' && line_start {
            let rest = &src[i + 1..];
            let skip = rest
                .iter()
                .take_while(|b| **b == b' ' || **b == b'\t')
                .count();
            after_define = rest[skip..].starts_with(b"define");
            i += 1 + skip + if after_define { 6 } else { 0 };
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < n && (src[i].is_ascii_alphanumeric() || src[i] == b'_') {
                i += 1;
            }
            let word = &src[start..i];
            let mut j = i;
            while j < n && (src[j] == b' ' || src[j] == b'\t') {
                j += 1;
            }
            if after_define || src.get(j) == Some(&b'(') {
                names.insert(String::from_utf8_lossy(word).into_owned());
            }
            after_define = false;
            line_start = false;
            continue;
        }
        if !c.is_ascii_whitespace() {
            line_start = false;
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_and_hold_the_basics() {
        for name in [
            "strcpy",
            "printf",
            "pthread_create",
            "offsetof",
            "g_malloc",
            "g_assert_cmpint",
            "GetProcessId",
            "IsWow64Process",
            "_chsize_s",
            "_wfopen",
        ] {
            assert!(c_all().binary_search(&name).is_ok(), "{name}");
        }
        assert!(c_names().iter().all(|n| !n.starts_with('#')));
        for name in ["vec!", "Some", "println!", "assert_eq!"] {
            assert!(rust_names().binary_search(&name).is_ok(), "{name}");
        }
        for name in ["len", "print", "ValueError", "subprocess"] {
            assert!(python_names().binary_search(&name).is_ok(), "{name}");
        }
    }

    #[test]
    fn header_names_are_read_lexically() {
        let mut names = HashSet::new();
        header_names(
            b"/* foo(x) */\n#define BAR 1\n# define  BAZ(a) a\nextern int qux (int);\nconst char *s = \"nope(\";\n// zap(\n",
            &mut names,
        );
        let mut v: Vec<_> = names.into_iter().collect();
        v.sort();
        assert_eq!(v, ["BAR", "BAZ", "qux"]);
    }
}
