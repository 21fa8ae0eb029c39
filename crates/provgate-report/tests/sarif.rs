//! The SARIF rendering as GitHub code scanning ingests it: each kind of finding placed at a file
//! and a line, GitHub's limits kept, and the whole file accepted by the SARIF multitool's GitHub
//! rules (see `support/sarif_github.rs`). A real repository's findings, before and after a
//! rebase, are in the command line's tests (`crates/provgate/tests/sarif.rs`).

#[path = "support/sarif_github.rs"]
mod sarif_github;

use std::collections::HashSet;

use provgate_report::sarif::{FINGERPRINT_KEY, MAX_RESULTS, render};
use provgate_report::{
    FileReport, Finding, FindingReport, PatchReport, PolicyReport, Report, RuleId, RuleReport,
    SeriesReport,
};
use serde_json::Value;

const COMMIT: &str = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";
const DELETING: &str = "2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";
const EMPTY: &str = "3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";

fn file(path: &str, status: &'static str, first_added: Option<u32>) -> FileReport {
    FileReport {
        path: path.to_string(),
        old_path: None,
        status,
        binary: false,
        added: Some(u32::from(first_added.is_some())),
        removed: Some(0),
        zones: None,
        kind: None,
        first_added,
    }
}

fn patch(id: &str, subject: &str, files: Vec<FileReport>) -> PatchReport {
    let mut p = PatchReport::from(&provgate_patch::Patch::new(
        id,
        provgate_patch::Origin::Diff { file: "x".into() },
    ));
    p.subject = subject.to_string();
    p.files = files;
    p
}

fn finding(patch: Option<&str>, rule: RuleId, message: &str) -> Finding {
    let mut f = Finding::new(rule, message);
    f.patch_id = patch.map(str::to_string);
    f
}

fn rule(name: RuleId) -> RuleReport {
    RuleReport {
        name,
        summary: name.rule().doc().summary.to_string(),
        help: format!("provgate explain {name}"),
    }
}

/// A report with a finding of every kind: at a file and line; at a file without a line; about a
/// commit message; about a whole patch; about a patch that only deletes a binary and a text
/// file; about an empty commit; about a series; about the policy.
fn report() -> Report {
    let mut r = Report::new("0.1.0");
    r.policy = Some(PolicyReport {
        origin: "provgate.toml".into(),
        extends: "qemu".into(),
        digest: "sha256:0".into(),
        mode: provgate_report::Mode::Enforce,
        stage: provgate_report::Stage::Submit,
        status: None,
    });
    let mut binary = file("hw/blob.bin", "deleted", None);
    binary.binary = true;
    r.patches = vec![
        patch(
            COMMIT,
            "hw/net: fix the length check",
            vec![
                file("docs/net.txt", "deleted", None),
                file("hw/net/e1000.c", "modified", Some(42)),
            ],
        ),
        patch(
            DELETING,
            "hw: remove the blob",
            vec![binary, file("hw/old.c", "deleted", None)],
        ),
        patch(EMPTY, "release: 1.0", Vec::new()),
    ];
    let at = |f: Finding| FindingReport::new(f);
    r.patches[0].findings = vec![
        at(finding(
            Some(COMMIT),
            RuleId::BidiControl,
            "a bidirectional control character",
        )
        .at("hw/net/e1000.c", Some(44))),
        at(finding(Some(COMMIT), RuleId::SpdxMissing, "no SPDX line").at("./hw/net/e1000.c", None)),
        at(finding(
            Some(COMMIT),
            RuleId::DisclosureWrongTrailer,
            "`Assisted-by:` is not this project's",
        )
        .at_message_line(4)
        .help("disclose with `AI-used-for:` instead")),
        at(finding(
            Some(COMMIT),
            RuleId::AiLineLimit,
            "AI-assisted patch adds 25 lines of code",
        )),
    ];
    r.patches[1].findings = vec![at(finding(
        Some(DELETING),
        RuleId::DcoMissingSignoff,
        "the commit message has no Signed-off-by trailer",
    ))];
    r.patches[2].findings = vec![at(finding(
        Some(EMPTY),
        RuleId::DcoMissingSignoff,
        "the commit message has no Signed-off-by trailer",
    ))];
    r.series = vec![SeriesReport {
        id: "main..topic".into(),
        version: 1,
        total: None,
        cover: None,
        patches: vec![COMMIT.into(), DELETING.into(), EMPTY.into()],
        missing: Vec::new(),
        subject: "hw/net: fix the length check".into(),
        findings: vec![at(finding(
            None,
            RuleId::AiSplitSeries,
            &format!(
                "2 AI-assisted patches change 30 lines in hw/ together (patches: {COMMIT}, {DELETING})"
            ),
        ))],
        verdict: None,
    }];
    r.findings = vec![at(finding(
        None,
        RuleId::StaleWaiver,
        "the exception matched nothing",
    )
    .at("provgate.toml", Some(12)))];
    let mut names: Vec<RuleId> = r.all_findings().map(|f| f.rule).collect();
    names.sort();
    names.dedup();
    r.rules = names.into_iter().map(rule).collect();
    r
}

fn results(sarif: &Value) -> &Vec<Value> {
    sarif["runs"][0]["results"].as_array().expect("results")
}

fn place(result: &Value) -> (&str, u64, &str) {
    let physical = &result["locations"][0]["physicalLocation"];
    (
        physical["artifactLocation"]["uri"].as_str().expect("a URI"),
        physical["region"]["startLine"].as_u64().expect("a line"),
        result["properties"]["anchor"].as_str().expect("an anchor"),
    )
}

#[test]
fn every_finding_is_placed_at_a_file_and_a_line() {
    let text = render(&report());
    sarif_github::assert_github_accepts(&text, "a report with every kind of finding");
    let sarif: Value = serde_json::from_str(&text).unwrap();
    let places: Vec<(&str, u64, &str)> = results(&sarif).iter().map(place).collect();
    assert_eq!(
        places,
        [
            ("hw/net/e1000.c", 44, "finding"),
            ("hw/net/e1000.c", 42, "finding"),
            ("hw/net/e1000.c", 42, "changed-file"),
            ("hw/net/e1000.c", 42, "changed-file"),
            ("hw/old.c", 1, "changed-file"),
            ("provgate.toml", 1, "policy-file"),
            ("provgate.toml", 1, "policy-file"),
            ("provgate.toml", 12, "finding"),
        ]
    );
    // A finding shown away from what it is about names it.
    let message = &results(&sarif)[2];
    assert_eq!(message["properties"]["messageLine"], 4);
    assert_eq!(message["properties"]["patch"], COMMIT);
    assert_eq!(
        message["properties"]["subject"],
        "hw/net: fix the length check"
    );
    assert_eq!(
        message["message"]["text"],
        "`Assisted-by:` is not this project's\n(commit 1a2b3c4d5e6f \"hw/net: fix the length check\", message line 4)\nhelp: disclose with `AI-used-for:` instead"
    );
    // Every rule has the full description and help GitHub requires.
    for rule in sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
    {
        assert!(rule["fullDescription"]["text"].as_str().unwrap().len() > 20);
        assert!(
            rule["help"]["text"]
                .as_str()
                .unwrap()
                .contains("provgate explain")
        );
    }
    // The rules' documentation has tests of its own; here it would only make the snapshot
    // change with every edit to a rule's page.
    let mut shown = sarif.clone();
    for rule in shown["runs"][0]["tool"]["driver"]["rules"]
        .as_array_mut()
        .unwrap()
    {
        rule["fullDescription"]["text"] = "[what the rule checks]".into();
        rule["help"]["text"] = "[how to fix, provgate explain]".into();
    }
    insta::assert_snapshot!(
        "every_kind_of_finding",
        serde_json::to_string_pretty(&shown).unwrap()
    );
}

#[test]
fn fingerprints_name_no_commit_and_are_distinct() {
    let text = render(&report());
    let sarif: Value = serde_json::from_str(&text).unwrap();
    let prints: Vec<&str> = results(&sarif)
        .iter()
        .map(|r| r["partialFingerprints"][FINGERPRINT_KEY].as_str().unwrap())
        .collect();
    assert_eq!(
        prints.iter().collect::<HashSet<_>>().len(),
        prints.len(),
        "{prints:?}"
    );
    // The same findings on rebased commits (new ids, same subjects, lines moved): the same
    // fingerprints.
    let rebased = render(&rebase(report()));
    let again: Value = serde_json::from_str(&rebased).unwrap();
    let moved: Vec<&str> = results(&again)
        .iter()
        .map(|r| r["partialFingerprints"][FINGERPRINT_KEY].as_str().unwrap())
        .collect();
    assert_eq!(prints, moved);
    assert_ne!(text, rebased, "the ids and lines did change");
}

/// `report` as after a rebase: every commit id new, every line five lower.
fn rebase(mut report: Report) -> Report {
    let renamed = |id: &str| id.chars().rev().collect::<String>();
    let ids: Vec<String> = report.patches.iter().map(|p| p.id.clone()).collect();
    let retext = |text: &str| {
        ids.iter().fold(text.to_string(), |t, id| {
            t.replace(id.as_str(), &renamed(id))
        })
    };
    for p in &mut report.patches {
        p.id = renamed(&p.id);
        for f in &mut p.files {
            f.first_added = f.first_added.map(|l| l + 5);
        }
        for f in &mut p.findings {
            f.finding.patch_id = f.finding.patch_id.as_deref().map(renamed);
            if f.finding.path.is_some() {
                f.finding.line = f.finding.line.map(|l| l + 5);
            }
        }
    }
    for s in &mut report.series {
        for f in &mut s.findings {
            f.finding.message = retext(&f.finding.message);
        }
    }
    report
}

#[test]
fn at_most_25000_results_deny_first_and_the_rest_counted() {
    let mut r = Report::new("0.1.0");
    for i in 0..=MAX_RESULTS {
        let mut f = Finding::new(RuleId::BidiControl, "a bidirectional control character")
            .at("a.c", Some(1 + i as u32));
        if i % 2 == 0 {
            f = f.at_most(provgate_report::Level::Warn);
        }
        r.findings.push(FindingReport::new(f));
    }
    r.findings.push(FindingReport::new(
        Finding::new(RuleId::StaleWaiver, "last, but denied").at("provgate.toml", Some(3)),
    ));
    r.rules = vec![rule(RuleId::BidiControl), rule(RuleId::StaleWaiver)];
    let text = render(&r);
    let sarif: Value = serde_json::from_str(&text).unwrap();
    let kept = results(&sarif);
    assert_eq!(kept.len(), MAX_RESULTS);
    let errors = kept.iter().filter(|r| r["level"] == "error").count();
    assert_eq!(errors, MAX_RESULTS / 2 + 1, "every deny finding is kept");
    assert!(kept.iter().any(|r| r["ruleId"] == "stale-waiver"));
    let note = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert!(
        note["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("2 finding(s) left out: GitHub code scanning accepts at most 25000"),
        "{note}"
    );
    sarif_github::assert_github_accepts_beyond_display_limits(
        &text,
        "a report over GitHub's result limit",
    );
}

/// The check itself sees what the schema cannot: a result with only a logical location (as
/// provgate wrote for commit-message findings before) is valid SARIF that GitHub rejects.
#[test]
fn the_check_rejects_a_result_without_a_physical_location() {
    if std::env::var_os("PROVGATE_SARIF_MULTITOOL").is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set PROVGATE_SARIF_MULTITOOL (see .ci/run)"
        );
        eprintln!("PROVGATE_SARIF_MULTITOOL is not set: not run");
        return;
    }
    let mut sarif: Value = serde_json::from_str(&render(&report())).unwrap();
    sarif["runs"][0]["results"][2]["locations"] =
        serde_json::json!([{ "logicalLocations": [{ "name": "hw/net: fix the length check" }] }]);
    let text = serde_json::to_string_pretty(&sarif).unwrap();
    let failure = std::panic::catch_unwind(|| {
        sarif_github::assert_github_accepts(&text, "a result with a logical location only")
    })
    .expect_err("GitHub rejects it");
    let message = failure
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(
        message.contains("GH1001: runs[0].results[2].locations[0]"),
        "{message}"
    );
}
