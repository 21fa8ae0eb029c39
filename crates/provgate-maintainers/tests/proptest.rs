//! The parser and the resolver never panic, whatever the input.

use proptest::prelude::*;
use provgate_maintainers::{LookupOptions, Maintainers, Problem};

/// Lines that look like MAINTAINERS lines, with awkward values.
fn line() -> impl Strategy<Value = String> {
    let value = || {
        proptest::string::string_regex(r"[a-zA-Z0-9 /.*?{},+|\[\]()^$\\#<>@\x22é\t-]{0,16}")
            .unwrap()
    };
    let letter = prop::sample::select(vec![
        'M', 'R', 'L', 'S', 'W', 'T', 'F', 'X', 'N', 'K', 'V', 'Z', 'f',
    ]);
    prop_oneof![
        (letter, value()).prop_map(|(c, v)| format!("{c}:{v}")),
        value().prop_map(|v| format!("F:\t{v}")),
        value().prop_map(|v| format!("SECTION {v}")),
        Just(String::new()),
        Just("THE REST".to_string()),
        Just("V: xen-maintainers-1".to_string()),
        value().prop_map(|v| format!("# {v}")),
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>(), path in any::<String>()) {
        let (m, _) = Maintainers::parse_lenient(&text);
        let _ = m.lookup(&path);
        let _ = Maintainers::parse(&text);
    }

    #[test]
    fn maintainers_like_text_never_panics(
        lines in proptest::collection::vec(line(), 0..40),
        paths in proptest::collection::vec("[a-z/.]{0,12}", 0..8),
        content in any::<Vec<u8>>(),
    ) {
        let text = lines.join("\n");
        let (m, warnings) = Maintainers::parse_lenient(&text);
        for p in &paths {
            let l = m.lookup(p);
            prop_assert_eq!(l.sections.len(), l.matches.len());
            let opts = LookupOptions { content: Some(&content), pattern_depth: 1, ..LookupOptions::default() };
            let _ = m.lookup_with(p, &opts);
        }
        match Maintainers::parse(&text) {
            // A strict success is the same file lenient parsing reads, with nothing fatal.
            Ok(strict) => {
                prop_assert_eq!(strict.sections(), m.sections());
                prop_assert!(warnings.iter().all(|w| !w.problem.is_fatal()));
            }
            Err(e) => {
                let line = e.line().expect("a parse error has a line");
                prop_assert!(line >= 1 && line <= text.split('\n').count());
                prop_assert!(warnings.iter().any(|w| w.line == line && w.problem.is_fatal()));
                let trailing = matches!(
                    e,
                    provgate_maintainers::MaintainersError::Malformed {
                        problem: Problem::TrailingWhitespace { .. },
                        ..
                    }
                );
                prop_assert!(!trailing);
            }
        }
    }
}
