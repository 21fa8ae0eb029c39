//! Property tests: the policy parser, the disclosure-syntax parsers and the whole check never
//! panic, whatever text they are given.

use proptest::prelude::*;
use provgate_patch::{FileChange, Hunk, LineKind, Origin, Patch, Person, Series, Trailer};
use provgate_policy::evidence::parse_declaration;
use provgate_policy::policy::{DisclosureTrailer, Syntax};
use provgate_policy::{CheckContext, Overrides, Policy, Stage, check};

/// Fragments policy files are made of, so that generated texts get past the TOML parser often.
fn policy_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("extends = \"qemu\"".to_string()),
        Just("extends = \"nope\"".to_string()),
        Just("mode = \"warn\"".to_string()),
        Just("[limits]".to_string()),
        Just("[trial]".to_string()),
        Just("[rules]".to_string()),
        Just("[[zone]]".to_string()),
        Just("[[exception]]".to_string()),
        Just("[[disclosure.trailer]]".to_string()),
        Just("[[fingerprint]]".to_string()),
        (-50i64..50).prop_map(|n| format!("ai-code-lines = {n}")),
        "[a-z-]{1,12}".prop_map(|k| format!("{k} = \"deny\"")),
        "[ -~]{0,16}".prop_map(|v| format!("name = \"{}\"", v.replace(['"', '\\'], ""))),
        "[ -~]{0,16}".prop_map(|v| format!("paths = [\"{}\"]", v.replace(['"', '\\'], ""))),
        "[ -~]{0,16}".prop_map(|v| format!("pattern = \"{}\"", v.replace(['"', '\\'], ""))),
        "[0-9-]{0,12}".prop_map(|v| format!("start = \"{v}\"")),
        "[0-9-]{0,12}".prop_map(|v| format!("end = \"{v}\"")),
        Just("reason = \"r\"".to_string()),
        Just("tier = \"protected\"".to_string()),
        Just("exempt = true".to_string()),
        Just("key = \"AI-used-for\"".to_string()),
        Just("syntax = \"categories\"".to_string()),
        Just("field = \"message-line\"".to_string()),
        Just("tool = \"t\"".to_string()),
        any::<String>(),
    ];
    prop::collection::vec(line, 0..12).prop_map(|lines| lines.join("\n"))
}

fn syntax() -> impl Strategy<Value = Syntax> {
    prop_oneof![
        Just(Syntax::Categories),
        Just(Syntax::AgentModel),
        Just(Syntax::ToolModel),
        Just(Syntax::Free),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn policy_parser_never_panics(text in policy_text()) {
        match Policy::from_toml(&text, "p.toml") {
            Ok(p) => {
                // A policy that loads can be shown and loaded again to the same digest.
                let again = Policy::from_toml(&p.to_toml(), "shown.toml").unwrap();
                prop_assert_eq!(again.digest(), p.digest());
            }
            Err(e) => {
                prop_assert!(e.line <= text.lines().count().max(1) + 1);
                let _ = e.to_string();
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = Policy::from_toml(&text, "p.toml");
    }

    #[test]
    fn trailer_syntax_parsers_never_panic(value in any::<String>(), syntax in syntax(), enforce in any::<bool>()) {
        let def = DisclosureTrailer {
            key: "AI-used-for".into(),
            syntax,
            vocabulary: vec!["code".into(), "tests".into()],
            enforce_vocabulary: enforce,
            no_output: vec!["research".into()],
        };
        let t = Trailer { key: "AI-used-for".into(), value: value.clone(), line: 3 };
        let d = parse_declaration(&t, &def, true);
        prop_assert_eq!(d.value, value);
    }

    #[test]
    fn trailer_syntax_parsers_on_near_valid_values(value in "[a-z ,()\\[\\]:]{0,30}", syntax in syntax()) {
        let def = DisclosureTrailer {
            key: "K".into(), syntax, vocabulary: vec!["code".into()], enforce_vocabulary: true, no_output: vec![],
        };
        let t = Trailer { key: "K".into(), value, line: 1 };
        let _ = parse_declaration(&t, &def, true);
    }

    #[test]
    fn check_never_panics(
        message in any::<String>(),
        lines in prop::collection::vec((0u8..3, any::<String>()), 0..20),
        path in "[a-z/._-]{1,20}",
        author in "[ -~]{0,20}",
        preset in prop::sample::select(provgate_policy::presets::names()),
    ) {
        let mut patch = Patch::new("p", Origin::Diff { file: "x".into() });
        patch.trailers = provgate_patch::trailers::parse_trailers(&message);
        patch.message = message;
        patch.author = Some(Person::new(author.clone(), author));
        let mut hunk = Hunk::new(1, 0, 1, 0, "");
        let (mut old, mut new) = (1, 1);
        for (k, text) in &lines {
            let text = text.replace(['\n', '\r'], " ");
            match k {
                0 => { hunk.push_line(LineKind::Context, old, new, &text, false); old += 1; new += 1; }
                1 => { hunk.push_line(LineKind::Added, 0, new, &text, false); new += 1; }
                _ => { hunk.push_line(LineKind::Removed, old, 0, &text, false); old += 1; }
            }
        }
        patch.files.push(FileChange {
            old_path: Some(path.clone()),
            new_path: Some(path),
            hunks: vec![hunk],
            ..FileChange::default()
        });
        let series = Series { id: "s".into(), version: 1, total: None, cover: None, patches: vec![patch] };
        let policy = Policy::preset(preset).unwrap();
        for stage in [Stage::Submit, Stage::Merge] {
            let ctx = CheckContext::new(None, stage, jiff::civil::date(2026, 6, 1), Overrides::default()).unwrap();
            let _ = check(&policy, &ctx, std::slice::from_ref(&series));
        }
    }
}
