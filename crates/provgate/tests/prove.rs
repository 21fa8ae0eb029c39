//! `provgate prove` end to end, on a repository the test builds: a real fix with a real
//! regression test, a hollow test, a broken fix, a mailed series whose second patch needs the
//! first; then `check --proof` handing the proofs to the policy.

mod support;

use std::path::Path;

use serde_json::Value;
use support::{git_ok, provgate_at};

const RUNNER: &str = "#!/bin/sh\nstatus=0\nfor t in tests/test-*.sh; do\n  sh \"$t\" || { echo \"FAIL $t\"; status=1; }\ndone\nexit $status\n";
const BUGGY: &str = "add() { echo $(( $1 - $2 )); }\n";
const FIXED: &str = "add() { echo $(( $1 + $2 )); }\n";
const REAL_TEST: &str =
    ". ./calc.sh\n[ \"$(add 2 3)\" = 5 ] || { echo \"add 2 3 = $(add 2 3)\"; exit 1; }\n";

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn commit(dir: &Path, message: &str) -> String {
    git_ok(dir, &["add", "-A"]);
    git_ok(dir, &["commit", "-q", "-m", message]);
    git_ok(dir, &["rev-parse", "HEAD"]).trim().to_string()
}

/// A shell project with a bug in `add`, on branch `main`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git_ok(root, &["init", "-q", "-b", "main"]);
    write(root, "calc.sh", BUGGY);
    write(root, "tests/run.sh", RUNNER);
    write(
        root,
        "tests/test-zero.sh",
        ". ./calc.sh\n[ \"$(add 0 0)\" = 0 ]\n",
    );
    commit(root, "calc");
    dir
}

fn prove_json(root: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec![
        "prove",
        "--test-cmd",
        "sh tests/run.sh",
        "--timeout",
        "60",
        "--format",
        "json",
    ];
    all.extend_from_slice(args);
    let out = provgate_at(root, &all);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), json)
}

fn worktrees(root: &Path) -> usize {
    git_ok(root, &["worktree", "list", "--porcelain"])
        .matches("worktree ")
        .count()
}

/// The proof of the patch with subject `subject`.
fn proof<'a>(report: &'a Value, subject: &str) -> &'a Value {
    report["patches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["subject"] == subject)
        .map(|p| &p["proof"])
        .unwrap_or_else(|| panic!("no patch {subject} in {report:#}"))
}

#[test]
fn prove_reports_a_real_a_hollow_and_a_broken_regression_test() {
    let dir = project();
    let root = dir.path();

    // Three fixes on branches of their own, each from the buggy base.
    git_ok(root, &["checkout", "-q", "-b", "real"]);
    write(root, "calc.sh", FIXED);
    write(root, "tests/test-add.sh", REAL_TEST);
    let real = commit(root, "fix add with a real test");

    git_ok(root, &["checkout", "-q", "-b", "hollow", "main"]);
    write(root, "calc.sh", FIXED);
    write(
        root,
        "tests/test-add.sh",
        ". ./calc.sh\nadd 2 3 >/dev/null\n",
    );
    let hollow = commit(root, "fix add with a hollow test");

    git_ok(root, &["checkout", "-q", "-b", "broken", "main"]);
    write(root, "calc.sh", "add() { echo $(( $1 * $2 )); }\n");
    write(root, "tests/test-add.sh", REAL_TEST);
    let broken = commit(root, "break add with a real test");

    git_ok(root, &["checkout", "-q", "-b", "docs", "main"]);
    write(root, "README", "calc\n");
    let docs = commit(root, "add a README");

    let ranges: Vec<String> = [&real, &hollow, &broken, &docs]
        .iter()
        .map(|c| format!("{c}^..{c}"))
        .collect();
    let args: Vec<&str> = ranges.iter().map(String::as_str).collect();
    let (code, report) = prove_json(root, &args);
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(report["verdict"], "fail");

    let p = proof(&report, "fix add with a real test");
    assert_eq!(p["outcome"], "proven", "{p:#}");
    assert_eq!(p["test_files"], serde_json::json!(["tests/test-add.sh"]));
    assert_eq!(p["without_fix"]["exit_code"], 1);
    assert!(
        p["without_fix"]["output_tail"]
            .as_str()
            .unwrap()
            .contains("add 2 3 = -1")
    );
    assert_eq!(p["with_fix"]["exit_code"], 0);
    assert_eq!(p["base"], git_ok(root, &["rev-parse", "main"]).trim());

    let p = proof(&report, "fix add with a hollow test");
    assert_eq!(p["outcome"], "hollow", "{p:#}");
    assert_eq!(p["without_fix"]["exit_code"], 0);
    assert_eq!(p["with_fix"]["exit_code"], 0);

    let p = proof(&report, "break add with a real test");
    assert_eq!(p["outcome"], "broken", "{p:#}");
    assert_eq!(p["without_fix"]["exit_code"], 1);
    assert_eq!(p["with_fix"]["exit_code"], 1);

    let p = proof(&report, "add a README");
    assert_eq!(p["outcome"], "not-applicable", "{p:#}");
    assert!(p["without_fix"].is_null());

    // Each failed proof is a finding on its patch, at its test file.
    let findings: Vec<(&str, &str)> = report["patches"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["findings"].as_array().unwrap())
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        findings,
        [
            ("regression-test-unproven", "tests/test-add.sh"),
            ("regression-test-unproven", "tests/test-add.sh")
        ]
    );
    assert_eq!(worktrees(root), 1, "every worktree was removed");

    // Only the real one: exit 0, and the text report shows both runs.
    let out = provgate_at(
        root,
        &["prove", "--test-cmd", "sh tests/run.sh", &ranges[0]],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("proof: proven"), "{text}");
    assert!(text.contains("tests only: exit 1"), "{text}");
    assert!(text.contains("whole patch: exit 0"), "{text}");
    assert!(text.contains("| add 2 3 = -1"), "{text}");
}

#[test]
fn prove_applies_a_mailed_series_patch_on_the_earlier_ones() {
    let dir = project();
    let root = dir.path();
    git_ok(root, &["checkout", "-q", "-b", "series"]);
    // 1/2 adds a helper and its test; 2/2 fixes add using the helper, with a regression test.
    write(root, "lib.sh", "double() { echo $(( $1 * 2 )); }\n");
    write(
        root,
        "tests/test-double.sh",
        ". ./lib.sh\n[ \"$(double 2)\" = 4 ]\n",
    );
    commit(root, "add double");
    write(root, "calc.sh", &format!(". ./lib.sh\n{FIXED}"));
    write(root, "tests/test-add.sh", REAL_TEST);
    commit(root, "fix add");
    let mbox = git_ok(
        root,
        &[
            "format-patch",
            "--stdout",
            "--thread",
            "--cover-letter",
            "main..series",
        ],
    );
    let out_dir = tempfile::tempdir().unwrap();
    let mbox_path = out_dir.path().join("series.mbox");
    std::fs::write(&mbox_path, &mbox).unwrap();
    git_ok(root, &["checkout", "-q", "main"]);

    let (code, report) = prove_json(root, &["--base", "main", mbox_path.to_str().unwrap()]);
    // Without the series' first patch applied, the second's fix would not apply (calc.sh
    // sources lib.sh): both are proven only because 2/2 is tried on top of 1/2.
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(proof(&report, "add double")["outcome"], "proven");
    let p = proof(&report, "fix add");
    assert_eq!(p["outcome"], "proven", "{p:#}");
    assert_eq!(worktrees(root), 1);
}

#[test]
fn check_uses_the_proofs_of_prove_for_ai_assisted_fixes() {
    let dir = project();
    let root = dir.path();
    write(
        root,
        "provgate.toml",
        "extends = \"qemu\"\n[rules]\nregression-test-unproven = \"deny\"\n",
    );
    commit(root, "policy");
    git_ok(root, &["checkout", "-q", "-b", "hollow"]);
    write(root, "calc.sh", FIXED);
    write(
        root,
        "tests/test-add.sh",
        ". ./calc.sh\nadd 2 3 >/dev/null\n",
    );
    git_ok(root, &["add", "-A"]);
    git_ok(
        root,
        &[
            "commit",
            "-q",
            "-m",
            "calc: fix add\n\nAI-used-for: code, tests\nSigned-off-by: Jane Doe <jane@example.org>",
        ],
    );
    let range = "main..hollow";

    // Without a proof, the rule says none was supplied.
    let out = provgate_at(root, &["check", "--format", "json", range]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let messages = rule_messages(&report, "regression-test-unproven");
    assert_eq!(messages.len(), 1, "{report:#}");
    assert!(
        messages[0].contains("no regression-test proof"),
        "{messages:?}"
    );

    // With the proof, it says the test is hollow.
    let (code, proof_report) = prove_json(root, &[range]);
    assert_eq!(code, Some(1));
    let out_dir = tempfile::tempdir().unwrap();
    let proof_file = out_dir.path().join("proof.json");
    std::fs::write(&proof_file, proof_report.to_string()).unwrap();
    let check_with_proof = |code: &[&str]| {
        let proof = proof_file.to_str().unwrap();
        let mut args = vec!["check", "--format", "json", "--proof", proof, range];
        args.extend(code);
        let out = provgate_at(root, &args);
        assert_eq!(out.status.code(), Some(1));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let report = check_with_proof(&[]);
    let messages = rule_messages(&report, "regression-test-unproven");
    assert_eq!(messages.len(), 1, "{report:#}");
    assert!(
        messages[0].contains("passes without the fix"),
        "{messages:?}"
    );

    // The proof reaches the policy without the code being read, too.
    let without_code = check_with_proof(&["--no-code"]);
    assert_eq!(
        rule_messages(&without_code, "regression-test-unproven"),
        messages
    );

    // A file that is not a proof is an error of the run.
    std::fs::write(&proof_file, "{}").unwrap();
    let out = provgate_at(
        root,
        &["check", "--proof", proof_file.to_str().unwrap(), range],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a provgate report"));
}

#[test]
fn prove_refuses_what_it_cannot_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = provgate_at(dir.path(), &["prove", "--test-cmd", "true", "x.patch"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not in a git repository"), "{stderr}");
    assert!(stderr.contains("hint:"), "{stderr}");

    let dir = project();
    let out = provgate_at(dir.path(), &["prove", "--test-cmd", " ", "HEAD"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the test command is empty"));

    // Without --test-cmd, only the user's global git configuration is asked (the tests run
    // with GIT_CONFIG_GLOBAL=/dev/null): the repository's own configuration is not.
    support::git_ok(dir.path(), &["config", "provgate.testCmd", "true"]);
    let out = provgate_at(dir.path(), &["prove", "HEAD"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no test command"));

    // A --base that names no commit is refused before anything runs, by prove and check alike.
    for args in [
        &[
            "prove",
            "--test-cmd",
            "true",
            "--base",
            "no-such-rev",
            "HEAD",
        ][..],
        &["check", "--base", "no-such-rev", "HEAD"][..],
    ] {
        let out = provgate_at(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("--base no-such-rev: not a commit"),
            "{stderr}"
        );
    }
}

fn rule_messages(report: &Value, rule: &str) -> Vec<String> {
    report["patches"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["findings"].as_array().unwrap())
        .filter(|f| f["rule"] == rule)
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn ctrl_c_ends_the_test_command_and_removes_the_worktree() {
    let dir = project();
    let root = dir.path();
    write(root, "calc.sh", FIXED);
    write(root, "tests/test-add.sh", REAL_TEST);
    commit(root, "fix add");
    // A duration no other test uses, to find the process afterwards.
    let sleeper = "sleep 37.25";
    let child = support::isolated(
        std::process::Command::new(assert_cmd::cargo::cargo_bin("provgate"))
            .current_dir(root)
            .args(["prove", "--test-cmd", sleeper, "HEAD~1..HEAD"]),
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    let running = || {
        std::process::Command::new("pgrep")
            .args(["-f", sleeper])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !(worktrees(root) == 2 && running()) {
        assert!(
            std::time::Instant::now() < deadline,
            "the proof never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert_eq!(worktrees(root), 1, "the worktree was removed");
    assert!(!running(), "the test command was killed");
}
