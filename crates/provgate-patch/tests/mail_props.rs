//! Property tests for the readers mail reading is built from: `From:` values (against `git
//! mailinfo` itself), dates written by the tools that write them, `format=flowed` text as a
//! mailer writes it, and traditional diff names.

mod support;

use proptest::prelude::*;
use provgate_patch::address::parse_from;
use provgate_patch::date::parse_mail_date;
use provgate_patch::diff::parse_diff;
use provgate_patch::flowed::decode_flowed;

/// Author and address `git mailinfo` reads from each `From:` value, one git run per value.
fn mailinfo_authors(values: &[String]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|value| {
            let mail = format!("From: {value}\nSubject: s\n\nbody\n---\n");
            let (_, out) = support::git(
                &std::env::temp_dir(),
                &["mailinfo", "-u", "/dev/null", "/dev/null"],
                Some(mail.as_bytes()),
                &[],
            );
            let out = String::from_utf8(out).unwrap();
            let field = |name: &str| {
                out.lines()
                    .find_map(|l| l.strip_prefix(name))
                    .unwrap_or_default()
                    .to_string()
            };
            (field("Author: "), field("Email: "))
        })
        .collect()
}

/// `From:` values made of the pieces that trouble address readers.
fn from_value() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[A-Za-z]{1,8}",
        Just(" ".to_string()),
        Just("  ".to_string()),
        Just("\"".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("<".to_string()),
        Just(">".to_string()),
        Just("\\".to_string()),
        Just(",".to_string()),
        Just("jane@example.org".to_string()),
        Just("<jane@example.org>".to_string()),
        Just("@".to_string()),
        Just("é".to_string()),
    ];
    prop::collection::vec(piece, 1..10).prop_map(|p| p.concat().trim().to_string())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever the `From:` value, the author is the one mailinfo builds, and an author is
    /// found exactly when mailinfo finds an address or a name.
    #[test]
    fn from_values_agree_with_mailinfo(values in prop::collection::vec(from_value(), 8)) {
        let values: Vec<String> = values.into_iter().filter(|v| !v.is_empty()).collect();
        for (value, (name, email)) in values.iter().zip(mailinfo_authors(&values)) {
            let ours = parse_from(value);
            let ours = ours.map(|p| (p.name, p.email)).unwrap_or_default();
            prop_assert_eq!(&ours, &(name, email), "From: {}", value);
        }
    }
}

fn zoned(seconds: i64, offset_minutes: i32) -> jiff::Zoned {
    let offset = jiff::tz::Offset::from_seconds(offset_minutes * 60).unwrap();
    jiff::Timestamp::from_second(seconds)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::fixed(offset))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A date written by a mailer (RFC 2822), by `git log` and as ISO 8601 reads back as the
    /// same instant and offset.
    #[test]
    fn written_dates_read_back(
        seconds in 0i64..4_102_444_800,
        offset in -(14 * 60)..=(14 * 60),
    ) {
        let offset = offset / 15 * 15;
        let z = zoned(seconds, offset);
        for format in [
            "%a, %-d %b %Y %H:%M:%S %z",
            "%a, %d %b %Y %H:%M:%S %z (%Z)",
            "%a %b %-d %H:%M:%S %Y %z",
            "%Y-%m-%d %H:%M:%S %z",
            "%Y-%m-%dT%H:%M:%S%:z",
            "%A, %B %-d, %Y %H:%M:%S %z",
        ] {
            let text = z.strftime(format).to_string();
            let read = parse_mail_date(&text);
            prop_assert!(read.is_some(), "{}", text);
            let read = read.unwrap();
            prop_assert_eq!(
                (read.date.seconds, read.date.offset_minutes, read.zone_given),
                (seconds, offset, true),
                "{}",
                text
            );
        }
    }

    #[test]
    fn date_reader_never_panics(text in "\\PC{0,60}") {
        let _ = parse_mail_date(&text);
    }

    #[test]
    fn from_reader_never_panics(text in "\\PC{0,80}") {
        let _ = parse_from(&text);
    }

    /// Text flowed as a mailer flows it (long lines soft-broken after a space, lines that start
    /// with a space stuffed) unflows to the text that was written.
    #[test]
    fn flowed_text_unflows(
        lines in prop::collection::vec("( ?[a-z]{1,6}){0,12}", 0..8),
        width in 8usize..30,
        delsp: bool,
    ) {
        let mut flowed = String::new();
        for line in &lines {
            let line = line.trim_end();
            if line == "--" {
                continue;
            }
            // Break after a space at most `width` bytes in, never inside the stuffing.
            let mut rest = line;
            let mut first = true;
            loop {
                let cut = rest
                    .char_indices()
                    .filter(|&(i, c)| c == ' ' && i > 0 && i < width)
                    .map(|(i, _)| i)
                    .next_back();
                let stuff = if rest.starts_with(' ') || (first && rest.starts_with("From ")) {
                    " "
                } else {
                    ""
                };
                first = false;
                match cut {
                    Some(at) if at + 1 < rest.len() => {
                        let (head, tail) = rest.split_at(at + 1);
                        if delsp {
                            // DelSp: the mailer adds a space of its own before the break.
                            flowed.push_str(&format!("{stuff}{head} \n"));
                        } else {
                            flowed.push_str(&format!("{stuff}{head}\n"));
                        }
                        rest = tail;
                    }
                    _ => {
                        flowed.push_str(&format!("{stuff}{rest}\n"));
                        break;
                    }
                }
            }
        }
        let want: String = lines
            .iter()
            .map(|l| l.trim_end())
            .filter(|l| *l != "--")
            .map(|l| format!("{l}\n"))
            .collect();
        let got = decode_flowed(flowed.as_bytes(), delsp);
        prop_assert_eq!(String::from_utf8(got).unwrap(), want, "{:?}", flowed);
    }

    #[test]
    fn flowed_decoder_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400), delsp: bool) {
        let _ = decode_flowed(&bytes, delsp);
    }

    /// A traditional diff's name is read up to its timestamp, tabs and spaces in it included,
    /// whether the timestamp follows a tab or (mail damage) spaces.
    #[test]
    fn traditional_names_end_at_the_timestamp(
        dir in "[a-z]{1,6}",
        name in "[a-z]{1,4}([ \t][a-z]{1,4}){0,2}\\.c",
        spaces in 0usize..4,
        fraction: bool,
    ) {
        let sep = if spaces == 0 { "\t".to_string() } else { " ".repeat(spaces) };
        let stamp = if fraction {
            "2026-01-02 10:00:00.123456789 +0100"
        } else {
            "2026-01-02 10:00:00 +0100"
        };
        let diff = format!(
            "--- a/{dir}/{name}{sep}{stamp}\n+++ b/{dir}/{name}{sep}{stamp}\n@@ -1 +1 @@\n-x\n+y\n"
        );
        let files = parse_diff(diff.as_bytes(), 1).unwrap();
        let want = format!("{dir}/{name}");
        prop_assert_eq!(files[0].path(), want.as_str());
    }
}
