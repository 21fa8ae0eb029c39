//! Property tests: the parsers never panic, and what we write they read back.

use proptest::prelude::*;
use provgate_patch::diff::parse_diff;
use provgate_patch::mbox::{MboxFlavor, MboxReader};
use provgate_patch::subject::parse_subject;
use provgate_patch::trailers::parse_trailers;
use provgate_patch::{FileStatus, LineKind};

/// A file's change as the generator describes it.
#[derive(Debug, Clone)]
struct GenFile {
    path: String,
    status: FileStatus,
    /// (kind, text) per line; `Context` lines appear on both sides.
    lines: Vec<(LineKind, String)>,
}

fn path_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec("[a-z0-9_]{1,8}( [a-z]{1,3})?|é[a-z]{0,3}|t\tab", 1..4)
        .prop_map(|parts| parts.join("/"))
}

fn line_strategy() -> impl Strategy<Value = (LineKind, String)> {
    (
        prop_oneof![
            Just(LineKind::Context),
            Just(LineKind::Added),
            Just(LineKind::Removed)
        ],
        "[ -~]{0,20}",
    )
}

fn file_strategy() -> impl Strategy<Value = GenFile> {
    (
        path_strategy(),
        prop_oneof![
            Just(FileStatus::Modified),
            Just(FileStatus::Added),
            Just(FileStatus::Deleted)
        ],
        prop::collection::vec(line_strategy(), 1..30),
    )
        .prop_map(|(path, status, mut lines)| {
            // New files only add; deleted files only remove.
            for (kind, _) in &mut lines {
                match status {
                    FileStatus::Added => *kind = LineKind::Added,
                    FileStatus::Deleted => *kind = LineKind::Removed,
                    _ => {}
                }
            }
            GenFile {
                path,
                status,
                lines,
            }
        })
}

/// Git's quoting of a path in diff headers.
fn quote(prefix: &str, path: &str) -> String {
    let full = format!("{prefix}{path}");
    if !full
        .bytes()
        .any(|b| b == b'\t' || b == b'"' || b == b'\\' || b >= 0x80)
    {
        return full;
    }
    let mut out = String::from("\"");
    for b in full.bytes() {
        match b {
            b'\t' => out.push_str("\\t"),
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x80.. => out.push_str(&format!("\\{b:03o}")),
            _ => out.push(b as char),
        }
    }
    out.push('"');
    out
}

fn render(files: &[GenFile]) -> String {
    let mut out = String::from("Some preamble\n---\n stat | 1 +\n\n");
    for f in files {
        let (a, b) = (quote("a/", &f.path), quote("b/", &f.path));
        out.push_str(&format!("diff --git {a} {b}\n"));
        let tab = if f.path.contains(' ') { "\t" } else { "" };
        match f.status {
            FileStatus::Added => {
                out.push_str("new file mode 100644\nindex 0000000..1111111\n");
                out.push_str(&format!("--- /dev/null\n+++ {b}{tab}\n"));
            }
            FileStatus::Deleted => {
                out.push_str("deleted file mode 100644\nindex 1111111..0000000\n");
                out.push_str(&format!("--- {a}{tab}\n+++ /dev/null\n"));
            }
            _ => {
                out.push_str("index 1111111..2222222 100644\n");
                out.push_str(&format!("--- {a}{tab}\n+++ {b}{tab}\n"));
            }
        }
        let old = f
            .lines
            .iter()
            .filter(|(k, _)| *k != LineKind::Added)
            .count();
        let new = f
            .lines
            .iter()
            .filter(|(k, _)| *k != LineKind::Removed)
            .count();
        let old_start = if old == 0 { 0 } else { 1 };
        let new_start = if new == 0 { 0 } else { 1 };
        out.push_str(&format!("@@ -{old_start},{old} +{new_start},{new} @@\n"));
        for (kind, text) in &f.lines {
            let marker = match kind {
                LineKind::Context => ' ',
                LineKind::Added => '+',
                LineKind::Removed => '-',
            };
            out.push_str(&format!("{marker}{text}\n"));
        }
    }
    out.push_str("-- \n2.47.3\n");
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn diff_round_trip(files in prop::collection::vec(file_strategy(), 1..5)) {
        let text = render(&files);
        let parsed = parse_diff(text.as_bytes(), 1).expect("generated diff parses");
        prop_assert_eq!(parsed.len(), files.len());
        for (got, want) in parsed.iter().zip(&files) {
            prop_assert_eq!(got.path(), want.path.as_str());
            prop_assert_eq!(got.status, want.status);
            let added = want.lines.iter().filter(|(k, _)| *k == LineKind::Added).count() as u32;
            let removed = want.lines.iter().filter(|(k, _)| *k == LineKind::Removed).count() as u32;
            prop_assert_eq!((got.added(), got.removed()), (added, removed));
            // New-side line numbers run 1, 2, 3, … over context and added lines.
            let numbers: Vec<u32> = got.hunks[0].lines()
                .filter(|l| l.kind != LineKind::Removed).map(|l| l.new_line).collect();
            let expected: Vec<u32> = (1..=numbers.len() as u32).collect();
            prop_assert_eq!(numbers, expected);
            let texts: Vec<&str> = got.hunks[0].lines().map(|l| l.text).collect();
            let want_texts: Vec<&str> = want.lines.iter().map(|(_, t)| t.as_str()).collect();
            prop_assert_eq!(texts, want_texts);
        }
    }

    #[test]
    fn diff_parser_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        let _ = parse_diff(&bytes, 1);
    }

    #[test]
    fn diff_parser_never_panics_on_diffish_text(
        lines in prop::collection::vec(prop_oneof![
            Just("diff --git a/x b/x".to_string()),
            Just("--- a/x".to_string()),
            Just("+++ b/x".to_string()),
            Just("GIT binary patch".to_string()),
            Just("literal 3".to_string()),
            "@@ -[0-9]{1,2}(,[0-9])? \\+[0-9]{1,2}(,[0-9])? @@".prop_map(|s| s),
            "[ +\\-\\\\][a-z]{0,5}".prop_map(|s| s),
            Just("rename from \"a\\".to_string()),
            Just("old mode 10x644".to_string()),
            Just(String::new()),
        ], 0..40)
    ) {
        let _ = parse_diff(lines.join("\n").as_bytes(), 1);
    }

    #[test]
    fn trailers_round_trip(
        body in "[a-z ]{1,40}",
        trailers in prop::collection::vec(("[A-Z][a-z]{1,8}(-[a-z]{1,6}){0,2}", "[a-zA-Z0-9 <>@.]{1,30}"), 1..6)
    ) {
        let mut message = format!("subject\n\n{body}\n\n");
        for (k, v) in &trailers {
            message.push_str(&format!("{k}: {v}\n"));
        }
        let parsed = parse_trailers(&message);
        let got: Vec<(String, String)> = parsed.into_iter().map(|t| (t.key, t.value)).collect();
        let want: Vec<(String, String)> =
            trailers.iter().map(|(k, v)| (k.clone(), v.trim().to_string())).collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn trailer_parser_never_panics(text in "\\PC{0,300}") {
        let _ = parse_trailers(&text);
        let _ = parse_subject(&text);
    }

    #[test]
    fn mbox_split_round_trip(
        bodies in prop::collection::vec(prop::collection::vec(prop_oneof![
            "[a-zA-Z :]{0,30}".prop_map(|s| s),
            Just("From the start of a line".to_string()),
            Just(">From quoted".to_string()),
        ], 0..8), 1..6)
    ) {
        let sep = "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n";
        let messages: Vec<String> = bodies.iter().enumerate().map(|(i, lines)| {
            let mut m = format!("Subject: message {i}\n\n");
            for l in lines { m.push_str(l); m.push('\n'); }
            m
        }).collect();
        // mboxrd writers quote every `>*From ` line with one more `>`.
        let quoted: String = messages.iter().map(|m| {
            let body: String = m.lines().map(|l| {
                let gts = l.bytes().take_while(|&b| b == b'>').count();
                if l[gts..].starts_with("From ") { format!(">{l}\n") } else { format!("{l}\n") }
            }).collect();
            format!("{sep}{body}")
        }).collect();
        let split: Vec<Vec<u8>> = MboxReader::new(quoted.as_bytes(), MboxFlavor::Mboxrd)
            .map(|m| m.expect("message").bytes).collect();
        let want: Vec<Vec<u8>> = messages.iter().map(|m| m.as_bytes().to_vec()).collect();
        prop_assert_eq!(split, want);
    }

    #[test]
    fn mbox_reader_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..3000)) {
        for message in MboxReader::new(&bytes[..], MboxFlavor::Mboxrd) {
            let _ = message;
        }
    }
}
