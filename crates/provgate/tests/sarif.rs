//! SARIF as GitHub code scanning ingests it, on a pull request's commits in a real repository:
//! every kind of finding is placed at a file and a line, GitHub's ingestion rules accept the file
//! (the SARIF multitool, see `sarif_github`), and each finding keeps its own fingerprint when
//! the commits are rebased onto a new base.

#[path = "../../provgate-report/tests/support/sarif_github.rs"]
mod sarif_github;
mod support;

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value;
use support::{git_ok, provgate_at};

const POLICY: &str = "extends = \"qemu\"\n";

/// 40 lines of C with an SPDX line, so that a commit's change to its end sits far from its top.
fn core_c(extra_top: &str, fixed: bool) -> String {
    let mut text = String::from("// SPDX-License-Identifier: GPL-2.0-or-later\n");
    text.push_str(extra_top);
    for i in 0..38 {
        text.push_str(&format!("int core{i}(void) {{ return {i}; }}\n"));
    }
    text.push_str(if fixed {
        "int reset(void) { return core1() + core0(); }\n"
    } else {
        "int reset(void) { return core0() + core1(); }\n"
    });
    text
}

fn commit(repo: &Path, message: &str) {
    git_ok(repo, &["add", "-A"]);
    git_ok(repo, &["commit", "-q", "--allow-empty", "-m", message]);
}

/// `main` with the policy and two files; `topic` on top with commits that give findings of every
/// kind: about a commit message (no sign-off, a wrong disclosure trailer), about a whole patch
/// (the line limit), about a file (no SPDX line), about a commit that only deletes a file, an
/// empty commit, a commit with three findings, and two commits with the same subject and the
/// same problem.
fn build(repo: &Path) {
    git_ok(repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("provgate.toml"), POLICY).unwrap();
    std::fs::create_dir_all(repo.join("hw")).unwrap();
    std::fs::write(repo.join("hw/core.c"), core_c("", false)).unwrap();
    std::fs::write(
        repo.join("hw/old.c"),
        "// SPDX-License-Identifier: GPL-2.0-or-later\nint old(void) { return 0; }\n",
    )
    .unwrap();
    commit(repo, "init\n\nSigned-off-by: Jane Doe <jane@example.org>\n");
    git_ok(repo, &["checkout", "-q", "-b", "topic"]);

    std::fs::write(repo.join("hw/core.c"), core_c("", true)).unwrap();
    commit(repo, "hw/core: reset in order\n\nThe second first.\n");

    let mut helper = String::new();
    for i in 0..25 {
        helper.push_str(&format!("int helper{i}(int x) {{ return x + {i}; }}\n"));
    }
    std::fs::write(repo.join("hw/helper.c"), helper).unwrap();
    commit(
        repo,
        "hw/helper: add helpers\n\nAI-used-for: code\nSigned-off-by: Jane Doe <jane@example.org>\n",
    );

    std::fs::write(repo.join("README"), "A project.\n").unwrap();
    commit(
        repo,
        "docs: add a README\n\nAssisted-by: Claude:claude-opus-4.6\nSigned-off-by: Jane Doe <jane@example.org>\n",
    );

    std::fs::remove_file(repo.join("hw/old.c")).unwrap();
    commit(repo, "hw: remove old.c\n");

    commit(repo, "release: 1.0\n");

    std::fs::write(repo.join("hw/timer.c"), "int timer(void) { return 1; }\n").unwrap();
    commit(
        repo,
        "hw/timer: add a timer\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n",
    );

    for n in 1..=2 {
        std::fs::write(repo.join("README"), format!("A project, take {n}.\n")).unwrap();
        commit(repo, "docs: reword the README\n");
    }
}

fn sarif(repo: &Path) -> Value {
    let out = provgate_at(repo, &["check", "--format", "sarif", "main..topic"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "deny findings: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    sarif_github::assert_github_accepts(&text, "provgate check --format sarif main..topic");
    serde_json::from_str(&text).expect("JSON")
}

fn results(sarif: &Value) -> &Vec<Value> {
    sarif["runs"][0]["results"].as_array().expect("results")
}

fn fingerprint(result: &Value) -> &str {
    result["partialFingerprints"]["provgateFinding/v2"]
        .as_str()
        .expect("a fingerprint")
}

fn location(result: &Value) -> (&str, u64) {
    let physical = &result["locations"][0]["physicalLocation"];
    (
        physical["artifactLocation"]["uri"].as_str().expect("uri"),
        physical["region"]["startLine"].as_u64().expect("startLine"),
    )
}

/// The result of `rule` on the commit with `subject` (the `n`th such, from 0).
fn find<'a>(sarif: &'a Value, rule: &str, subject: &str, n: usize) -> &'a Value {
    results(sarif)
        .iter()
        .filter(|r| r["ruleId"] == rule && r["properties"]["subject"] == subject)
        .nth(n)
        .unwrap_or_else(|| panic!("no {rule} result {n} on {subject:?}: {sarif:#}"))
}

#[test]
fn every_finding_has_a_place_and_its_own_fingerprint_across_a_rebase() {
    let temp = tempfile::tempdir().unwrap();
    let repo = temp.path();
    build(repo);
    let before = sarif(repo);
    let ids_before = git_ok(repo, &["rev-list", "main..topic"]);

    // Where each kind of finding is shown.
    let signoff = find(&before, "dco-missing-signoff", "hw/core: reset in order", 0);
    assert_eq!(
        location(signoff),
        ("hw/core.c", 40),
        "the line the commit adds"
    );
    assert_eq!(signoff["properties"]["anchor"], "changed-file");
    assert!(
        signoff["message"]["text"]
            .as_str()
            .unwrap()
            .contains("\"hw/core: reset in order\""),
        "{signoff}"
    );
    let limit = find(&before, "ai-line-limit", "hw/helper: add helpers", 0);
    assert_eq!(location(limit), ("hw/helper.c", 1));
    let spdx = find(&before, "spdx-missing", "hw/helper: add helpers", 0);
    assert_eq!(location(spdx), ("hw/helper.c", 1));
    assert_eq!(spdx["properties"]["anchor"], "finding");
    let wrong = find(&before, "disclosure-wrong-trailer", "docs: add a README", 0);
    assert_eq!(location(wrong), ("README", 1));
    assert_eq!(wrong["properties"]["messageLine"], 3);
    assert!(
        wrong["message"]["text"]
            .as_str()
            .unwrap()
            .contains(", message line 3)"),
        "{wrong}"
    );
    let deleted = find(&before, "dco-missing-signoff", "hw: remove old.c", 0);
    assert_eq!(
        location(deleted),
        ("hw/old.c", 1),
        "the only file it changes"
    );
    let empty = find(&before, "dco-missing-signoff", "release: 1.0", 0);
    assert_eq!(
        location(empty),
        ("provgate.toml", 1),
        "no file: the policy's"
    );
    assert_eq!(empty["properties"]["anchor"], "policy-file");

    // Distinct findings, distinct fingerprints: even two commits with the same subject and the
    // same problem.
    let prints: Vec<&str> = results(&before).iter().map(fingerprint).collect();
    let unique: HashSet<&str> = prints.iter().copied().collect();
    assert_eq!(unique.len(), prints.len(), "{prints:?}");
    let twins = [
        fingerprint(find(
            &before,
            "dco-missing-signoff",
            "docs: reword the README",
            0,
        )),
        fingerprint(find(
            &before,
            "dco-missing-signoff",
            "docs: reword the README",
            1,
        )),
    ];
    assert_eq!(twins[1], format!("{}-2", twins[0]));
    for print in &prints {
        for id in ids_before.lines() {
            assert!(!print.contains(&id[..7]));
        }
    }

    // The base moves (five lines above the fix in hw/core.c) and the topic is rebased onto it:
    // every commit id changes, the findings' lines move, their fingerprints do not.
    git_ok(repo, &["checkout", "-q", "main"]);
    std::fs::write(
        repo.join("hw/core.c"),
        core_c("/*\n * The core.\n *\n * Resets and helpers.\n */\n", false),
    )
    .unwrap();
    commit(
        repo,
        "hw/core: describe the file\n\nSigned-off-by: Jane Doe <jane@example.org>\n",
    );
    git_ok(repo, &["rebase", "-q", "main", "topic"]);
    let ids_after = git_ok(repo, &["rev-list", "main..topic"]);
    assert_eq!(ids_after.lines().count(), ids_before.lines().count());
    assert!(
        ids_after.lines().all(|id| !ids_before.contains(id)),
        "every commit is new"
    );
    let after = sarif(repo);
    let signoff = find(&after, "dco-missing-signoff", "hw/core: reset in order", 0);
    assert_eq!(location(signoff), ("hw/core.c", 45), "moved with the base");

    let keyed = |sarif: &Value| -> Vec<(String, String)> {
        results(sarif)
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    fingerprint(r).to_string(),
                )
            })
            .collect()
    };
    assert_eq!(keyed(&before), keyed(&after));
    assert!(keyed(&before).len() >= 10, "{:?}", keyed(&before));
}
