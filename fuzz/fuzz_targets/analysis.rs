#![no_main]
//! Any bytes through what provgate-analysis parses itself: the index cache decoder (errors, never
//! panics; what it accepts re-encodes to the same bytes), the line tokenizer and substitution
//! finder, the header name scanner, rebuilding files from diffs of the input, blanking attribute
//! macros (same length, new lines kept), and reading token-pasting macros and their invocations.

use libfuzzer_sys::fuzz_target;
use provgate_analysis::lang::mask;
use provgate_analysis::{apply, cache, classify, names, paste};

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
    if let Some(masked) = mask::mask_c(data, &mask::Macros::new(None)) {
        assert_eq!(masked.len(), data.len());
        let lines = |b: &[u8]| b.iter().filter(|&&c| c == b'\n').count();
        assert_eq!(lines(&masked), lines(data));
    }
    let _ = paste::invocations(data);
    let _ = mask::read_body(&text, &["a", "b"]);
    let _ = paste::rules("m", &["a", "b"], &text);
    let mut set = std::collections::HashSet::new();
    names::header_names(data, &mut set);
    if let Ok(files) = provgate_patch::diff::parse_diff(data, 1) {
        for f in &files {
            let _ = apply::apply(&text, f);
            let _ = apply::hunks_only(f);
        }
    }
});
