#![no_main]
//! Any bytes through what provgate-analysis parses itself: the index cache decoder (errors, never
//! panics; what it accepts re-encodes to the same bytes), the line tokenizer and substitution
//! finder, the header name scanner, and rebuilding files from diffs of the input.

use libfuzzer_sys::fuzz_target;
use provgate_analysis::{apply, cache, classify, names};

fuzz_target!(|data: &[u8]| {
    if let Ok(file) = cache::decode(data) {
        assert_eq!(cache::decode(&cache::encode(&file)).unwrap(), file);
    }
    let text = String::from_utf8_lossy(data);
    let mut lines = text.lines();
    if let (Some(a), Some(b)) = (lines.next(), lines.next()) {
        let _ = classify::tokens(a);
        if let Some((from, to)) = classify::substitution(a, b) {
            assert_ne!(from, to);
        }
    }
    let mut set = std::collections::HashSet::new();
    names::header_names(data, &mut set);
    if let Ok(files) = provgate_patch::diff::parse_diff(data, 1) {
        for f in &files {
            let _ = apply::apply(&text, f);
            let _ = apply::hunks_only(f);
        }
    }
});
