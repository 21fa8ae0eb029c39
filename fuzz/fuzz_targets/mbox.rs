#![no_main]
//! Any bytes as an mbox (or a single message, or a plain diff): splitting and reading every
//! message never panics.

use libfuzzer_sys::fuzz_target;
use provgate_patch::input::{ReadOptions, read_stream};
use provgate_patch::mbox::MboxFlavor;

fuzz_target!(|data: &[u8]| {
    for flavor in [MboxFlavor::Mboxo, MboxFlavor::Mboxrd] {
        let options = ReadOptions { mbox_flavor: flavor };
        read_stream(data, "fuzz.mbox", options, &mut |item| {
            let _ = item;
        });
    }
});
