#![no_main]
//! Any bytes as an mbox (or a single message, or a plain diff): splitting and reading every
//! message never panics. The same bytes also go, as text, through the readers mail reading is
//! built from, each on its own so that the fuzzer reaches them without a well-formed message
//! around them: `From:` values, dates, subjects and `format=flowed` decoding (both `DelSp`).

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
    let text = String::from_utf8_lossy(data);
    let _ = provgate_patch::address::parse_from(&text);
    let _ = provgate_patch::date::parse_mail_date(&text);
    let _ = provgate_patch::subject::git_subject(&text);
    for delsp in [false, true] {
        let _ = provgate_patch::flowed::decode_flowed(data, delsp);
    }
});
