//! Property tests of the git-ai authorship-log parser: it never panics, and a log written from
//! generated files, ranges and sessions reads back as written.

use proptest::prelude::*;
use provgate_patch::authorship::{LineRange, format_ranges, parse};

fn ranges_strategy() -> impl Strategy<Value = Vec<LineRange>> {
    prop::collection::vec((1u32..5000, 0u32..40), 1..6).prop_map(|pairs| {
        let mut next = 1u32;
        pairs
            .into_iter()
            .map(|(gap, len)| {
                let start = next + gap % 50;
                let end = start + len;
                next = end + 2;
                LineRange { start, end }
            })
            .collect()
    })
}

/// A file of a generated log: its path, and per entry an index into [`SESSIONS`] and ranges.
type GenFile = (String, Vec<(usize, Vec<LineRange>)>);

fn log_strategy() -> impl Strategy<Value = Vec<GenFile>> {
    prop::collection::vec(
        (
            "[a-z]{1,6}(/[a-z0-9_.]{1,8}){0,2}( [a-z]{1,3})?",
            prop::collection::vec((0usize..3, ranges_strategy()), 1..3),
        ),
        0..4,
    )
}

const SESSIONS: [&str; 3] = ["0123456789abcdef", "fedcba9876543210", "00000000deadbeef"];

fn write(files: &[GenFile]) -> String {
    let mut out = String::new();
    for (path, entries) in files {
        if path.contains(' ') {
            out.push_str(&format!("\"{path}\"\n"));
        } else {
            out.push_str(&format!("{path}\n"));
        }
        for (session, ranges) in entries {
            out.push_str(&format!(
                "  {} {}\n",
                SESSIONS[*session],
                format_ranges(ranges)
            ));
        }
    }
    out.push_str(
        "---\n{\"schema_version\":\"authorship/3.0.0\",\"base_commit_sha\":\"abc\",\"prompts\":{",
    );
    let prompts: Vec<String> = SESSIONS
        .iter()
        .map(|s| format!("\"{s}\":{{\"agent_id\":{{\"tool\":\"claude\",\"id\":\"x\",\"model\":\"m\"}},\"messages\":[]}}"))
        .collect();
    out.push_str(&prompts.join(","));
    out.push_str("}}\n");
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_on_any_text(text in "(?s).{0,400}") {
        let _ = parse(&text);
    }

    #[test]
    fn never_panics_on_near_logs(
        head in "([a-z\" ]{0,6}\n|  [0-9a-fx]{0,5} [0-9,\\- ]{0,9}\n){0,5}",
        tail in "[{}\":a-z0-9/.,\\[\\] ]{0,80}",
    ) {
        let _ = parse(&format!("{head}---\n{tail}"));
    }

    #[test]
    fn reads_back_what_was_written(files in log_strategy()) {
        let log = parse(&write(&files)).expect("a written log parses");
        prop_assert_eq!(log.files.len(), files.len());
        for (read, (path, entries)) in log.files.iter().zip(&files) {
            prop_assert_eq!(&read.path, path);
            prop_assert_eq!(read.entries.len(), entries.len());
            for (entry, (session, ranges)) in read.entries.iter().zip(entries) {
                prop_assert_eq!(&entry.session, SESSIONS[*session]);
                prop_assert_eq!(&entry.lines, ranges);
            }
        }
        prop_assert!(log.unknown_sessions().is_empty());
    }
}
