#![no_main]
//! Any text as a MAINTAINERS file, any path: parsing (strict and lenient) and lookups never
//! panic, and a strict success reads the same sections as lenient parsing.

use libfuzzer_sys::fuzz_target;
use provgate_maintainers::{LookupOptions, Maintainers};

fuzz_target!(|data: &[u8]| {
    // The first line is the path to look up (and its content for keywords); the rest is the file.
    let text = String::from_utf8_lossy(data);
    let (path, body) = text.split_once('\n').unwrap_or(("", &text));
    let (m, warnings) = Maintainers::parse_lenient(body);
    let l = m.lookup(path);
    assert_eq!(l.sections.len(), l.matches.len());
    let opts = LookupOptions {
        content: Some(path.as_bytes()),
        pattern_depth: 2,
    };
    let _ = m.lookup_with(path, &opts);
    match Maintainers::parse(body) {
        Ok(strict) => {
            assert_eq!(strict.sections(), m.sections());
            assert!(warnings.iter().all(|w| !w.problem.is_fatal()));
        }
        Err(e) => assert!(e.line().is_some()),
    }
});
