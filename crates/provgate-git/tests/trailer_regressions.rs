//! Disagreements with git found by comparing real histories, whose cause lay outside this crate
//! (in provgate-patch), kept with their exact input so that they stay fixed.

mod support;

use support::*;

/// From xen.git, commit 999241f7aa45: a trailer value that starts with a no-break space.
/// `git interpret-trailers --parse` trims ASCII white space only and keeps U+00A0;
/// `provgate_patch::trailers::parse_trailers` used to trim it (Rust's Unicode-aware `str::trim`).
#[test]
fn trailer_value_starting_with_no_break_space() {
    let message = "Fix it\n\nSigned-off-by: \u{a0}Mihir\u{a0}Nanavati <mihirn@cs.ubc.ca>\n";
    let dir = tempfile::tempdir().unwrap();
    let git = interpret_trailers(dir.path(), &[message.to_string()]);
    let ours: Vec<String> = provgate_patch::trailers::parse_trailers(message)
        .into_iter()
        .map(|t| format!("{}: {}", t.key, t.value))
        .collect();
    assert_eq!(ours, git[0]);
}
