#![no_main]
//! Any text: trailer parsing never panics, and every trailer it finds lies in the message.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = text.lines().count().max(1);
    for trailer in provgate_patch::trailers::parse_trailers(&text) {
        assert!(trailer.line >= 1 && trailer.line <= lines + 1);
        assert!(!trailer.key.is_empty());
    }
    let _ = provgate_patch::subject::parse_subject(&text);
});
