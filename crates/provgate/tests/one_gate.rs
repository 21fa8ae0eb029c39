//! `check`, `attest`, the pre-push hook and `scan` judge through one engine: on the same commits
//! they must give the same verdicts.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use provgate_report::Verdict;
use support::{git_ok, provgate_at, provgate_with_stdin, succeeded};

/// A repository whose commits pass, warn and fail under the default policy, with code that the
/// code rules read (an unknown function call).
fn history(dir: &Path) -> Vec<String> {
    git_ok(dir, &["init", "-q", "-b", "main"]);
    std::fs::write(dir.join("lib.c"), "int one(void)\n{\n\treturn 1;\n}\n").unwrap();
    git_ok(dir, &["add", "."]);
    git_ok(
        dir,
        &[
            "commit",
            "-q",
            "-m",
            "base\n\nSigned-off-by: Jane Doe <jane@example.org>",
        ],
    );
    let commits: [(&str, &str, &str); 4] = [
        (
            "lib.c",
            "int one(void)\n{\n\treturn 1;\n}\n\nint two(void)\n{\n\treturn one() + one();\n}\n",
            "add two\n\nSigned-off-by: Jane Doe <jane@example.org>",
        ),
        ("README", "Read me.\n", "add a readme"),
        (
            "lib.c",
            "int one(void)\n{\n\treturn 1;\n}\n\nint two(void)\n{\n\treturn one() + not_declared_anywhere();\n}\n",
            "call a helper\n\nAssisted-by: Claude:claude-opus-4\nSigned-off-by: Jane Doe <jane@example.org>",
        ),
        (
            "docs.txt",
            "Docs.\n",
            "docs\n\nSigned-off-by: Jane Doe <jane@localhost>",
        ),
    ];
    let mut ids = Vec::new();
    for (file, content, message) in commits {
        std::fs::write(dir.join(file), content).unwrap();
        git_ok(dir, &["add", "."]);
        git_ok(dir, &["commit", "-q", "-m", message]);
        ids.push(git_ok(dir, &["rev-parse", "HEAD"]).trim().to_string());
    }
    ids
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// A verdict as the JSON outputs write it.
fn verdict(value: &serde_json::Value) -> Verdict {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{e}: {value}"))
}

/// Each commit's verdict in an audit entry's subjects.
fn recorded_verdicts(dir: &Path, store: &str) -> BTreeMap<String, Verdict> {
    let export = succeeded(&provgate_at(dir, &["audit", "--store", store, "export"]));
    let entry = json(export.lines().next().expect("one entry"));
    let subjects = entry["subjects"].as_array().cloned().unwrap_or_default();
    subjects
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                verdict(&s["verdict"]),
            )
        })
        .collect()
}

#[test]
fn check_attest_pre_push_and_scan_agree() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    let ids = history(dir);
    let range = "HEAD~4..HEAD";

    let check = provgate_at(
        dir,
        &[
            "check", "--format", "json", "--record", "--store", "check.db", range,
        ],
    );
    assert_eq!(
        check.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let report = json(&String::from_utf8_lossy(&check.stdout));
    let from_check: BTreeMap<String, Verdict> = report["patches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_string(),
                verdict(&p["verdict"]),
            )
        })
        .collect();
    let verdicts: Vec<Verdict> = ids.iter().map(|id| from_check[id]).collect();
    // The range covers a pass, a fail (no sign-off), a code finding and a warning.
    assert!(
        [Verdict::Pass, Verdict::Fail, Verdict::Warn]
            .iter()
            .all(|v| verdicts.contains(v)),
        "{verdicts:?}"
    );
    assert!(
        report["patches"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["findings"].as_array().unwrap())
            .any(|f| f["rule"] == "unknown-symbol"),
        "the check read the code: {report}"
    );
    assert_eq!(recorded_verdicts(dir, "check.db"), from_check);

    succeeded(&provgate_at(dir, &["attest", range]));
    for id in &ids {
        let note = git_ok(
            dir,
            &["notes", "--ref", "refs/notes/provenance", "show", id],
        );
        let statement = json(&note);
        let attested = [
            &statement["predicate"]["verdict"],
            &statement["statement"]["predicate"]["verdict"],
        ]
        .into_iter()
        .find(|v| !v.is_null())
        .unwrap_or_else(|| panic!("no verdict in {note}"));
        assert_eq!(verdict(attested), from_check[id], "attest of {id}");
    }

    for (i, id) in ids.iter().enumerate() {
        let parent = git_ok(dir, &["rev-parse", &format!("{id}^")]);
        let line = format!("refs/heads/main {id} refs/heads/main {}\n", parent.trim());
        let hook =
            provgate_with_stdin(dir, &["hook", "run", "pre-push", "origin"], line.as_bytes());
        let stderr = String::from_utf8_lossy(&hook.stderr);
        let expected_exit = if from_check[id] == Verdict::Fail {
            1
        } else {
            0
        };
        assert_eq!(
            hook.status.code(),
            Some(expected_exit),
            "pre-push of commit {i}: {stderr}"
        );
        if from_check[id] == Verdict::Warn {
            assert!(
                stderr.contains("warning["),
                "pre-push of commit {i} shows its warnings: {stderr}"
            );
        }
    }

    succeeded(&provgate_at(
        dir,
        &[
            "scan",
            "--no-cache",
            "--code",
            "--record",
            "--store",
            "scan.db",
            "--format",
            "json",
            range,
        ],
    ));
    assert_eq!(recorded_verdicts(dir, "scan.db"), from_check);
}
