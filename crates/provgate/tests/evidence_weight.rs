//! An agent's branch name on a pull request's commits, end to end: alone it asks to confirm and
//! fails nothing; a commit that discloses AI help is judged in full (issue 26: a `claude/…`
//! branch made `ai-line-limit` deny every commit over the limit).

mod support;

use std::path::Path;

use provgate_report::{Level, RuleId};
use serde_json::Value;
use support::{git_ok, provgate_at};

/// 25 lines of code with an SPDX line, over QEMU's 20-line limit for AI-assisted code.
fn code(name: &str) -> String {
    let mut text = String::from("// SPDX-License-Identifier: GPL-2.0-or-later\n");
    for i in 0..25 {
        text.push_str(&format!("int {name}{i}(int x) {{ return x + {i}; }}\n"));
    }
    text
}

/// `main` with the policy; `claude/fix` on top with a commit that says nothing of AI and one
/// that discloses it.
fn build(repo: &Path) {
    git_ok(repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("provgate.toml"), "extends = \"qemu\"\n").unwrap();
    git_ok(repo, &["add", "."]);
    git_ok(
        repo,
        &[
            "commit",
            "-q",
            "-m",
            "init\n\nSigned-off-by: Jane Doe <jane@example.org>\n",
        ],
    );
    git_ok(repo, &["checkout", "-q", "-b", "claude/fix"]);
    for (file, trailers) in [
        ("quiet.c", "Signed-off-by: Jane Doe <jane@example.org>\n"),
        (
            "disclosed.c",
            "AI-used-for: code\nSigned-off-by: Jane Doe <jane@example.org>\n",
        ),
    ] {
        std::fs::write(repo.join(file), code(&file.replace(".c", ""))).unwrap();
        git_ok(repo, &["add", file]);
        git_ok(
            repo,
            &["commit", "-q", "-m", &format!("add {file}\n\n{trailers}")],
        );
    }
}

fn check(repo: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let out = provgate_at(
        repo,
        &[&["check", "--no-code", "--format", "json"], args].concat(),
    );
    let report = serde_json::from_slice(&out.stdout).expect("a JSON report");
    (out.status.code(), report)
}

/// The `(rule, level, message)` of the patch with `subject`, read back into the report's types.
fn findings(report: &Value, subject: &str) -> Vec<(RuleId, Level, String)> {
    let patch = report["patches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["subject"] == subject)
        .unwrap_or_else(|| panic!("no patch {subject:?}"));
    patch["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let typed = |k: &str| f[k].as_str().unwrap().to_string();
            (
                serde_json::from_value(f["rule"].clone()).expect("a rule id"),
                serde_json::from_value(f["level"].clone()).expect("a level"),
                typed("message"),
            )
        })
        .collect()
}

#[test]
fn a_branch_name_alone_asks_to_confirm_and_a_disclosure_is_judged_in_full() {
    let temp = tempfile::tempdir().unwrap();
    let repo = temp.path();
    build(repo);

    let (status, report) = check(repo, &["main..claude/fix"]);
    assert_eq!(status, Some(1), "the disclosed commit fails: {report:#}");
    let quiet = findings(&report, "add quiet.c");
    let limit = quiet
        .iter()
        .find(|(rule, ..)| *rule == RuleId::AiLineLimit)
        .unwrap_or_else(|| panic!("{quiet:?}"));
    assert_eq!(limit.1, Level::Warn, "{quiet:?}");
    assert!(
        limit.2.ends_with(
            "to confirm: the only sign of AI use is the branch name `claude/fix` (Claude Code, medium confidence)"
        ),
        "{}",
        limit.2
    );
    assert!(
        quiet.iter().all(|(_, level, _)| *level == Level::Warn),
        "{quiet:?}"
    );
    let disclosed = findings(&report, "add disclosed.c");
    assert!(
        disclosed
            .iter()
            .any(|(rule, level, _)| *rule == RuleId::AiLineLimit && *level == Level::Deny),
        "{disclosed:?}"
    );
    assert_eq!(report["summary"]["failed"], 1);
    assert_eq!(report["summary"]["warned"], 1);

    // The branch's first commit alone (the branch as CI names a pull request's head): a
    // warning, and the check passes.
    let (status, report) = check(repo, &["--branch", "claude/fix", "main..claude/fix~1"]);
    assert_eq!(status, Some(0), "{report:#}");
    assert_eq!(report["verdict"], "warn");
}
