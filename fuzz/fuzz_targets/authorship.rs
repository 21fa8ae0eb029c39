#![no_main]
//! Any text: reading a git-ai authorship note never panics, and what it reads is well formed.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(log) = provgate_patch::authorship::parse(&text) {
        for entry in log.files.iter().flat_map(|f| &f.entries) {
            assert!(!entry.lines.is_empty());
            assert!(entry.lines.iter().all(|r| 1 <= r.start && r.start <= r.end));
            assert!(entry.session.bytes().all(|b| b.is_ascii_hexdigit()));
        }
        let _ = log.unknown_sessions();
    }
});
