#![no_main]
//! Any bytes: the diff parser returns files or an error, never panics, and what it returns is
//! consistent (line counts match the hunks' own headers).

use libfuzzer_sys::fuzz_target;
use provgate_patch::LineKind;

fuzz_target!(|data: &[u8]| {
    if let Ok(files) = provgate_patch::diff::parse_diff(data, 1) {
        for file in &files {
            for hunk in &file.hunks {
                let old = hunk.lines().filter(|l| l.kind != LineKind::Added).count();
                let new = hunk.lines().filter(|l| l.kind != LineKind::Removed).count();
                assert_eq!(old as u32, hunk.old_count);
                assert_eq!(new as u32, hunk.new_count);
            }
        }
    }
});
