//! `prove` end to end on repositories the tests build: a real fix with a real regression test,
//! a hollow test, a broken fix, a timeout, an interrupt; the worktree removed every time.

mod support;

use std::time::Duration;

use provgate_prove::{ProofOutcome, ProveError, ProveOptions, prove};
use support::{TestRepo, is_test};

/// A shell "project": calc.sh with a bug in add, and a test runner running tests/test-*.sh.
fn project() -> TestRepo {
    let r = TestRepo::new();
    r.write(
        "calc.sh",
        "add() { echo $(( $1 - $2 )); }\nmul() { echo $(( $1 * $2 )); }\n",
    );
    r.write(
        "tests/run.sh",
        "#!/bin/sh\nstatus=0\nfor t in tests/test-*.sh; do\n  sh \"$t\" || { echo \"FAIL $t\"; status=1; }\ndone\nexit $status\n",
    );
    r.write("tests/test-mul.sh", ". ./calc.sh\n[ \"$(mul 2 3)\" = 6 ]\n");
    r.commit("calc");
    r
}

fn options(cmd: &str) -> ProveOptions {
    ProveOptions::new(cmd, Duration::from_secs(30), is_test)
}

fn no_worktrees_left(r: &TestRepo) {
    let list = r.git(&["worktree", "list", "--porcelain"]);
    assert_eq!(list.matches("worktree ").count(), 1, "{list}");
}

#[test]
fn a_real_fix_with_a_real_regression_test_is_proven() {
    let r = project();
    r.write(
        "calc.sh",
        "add() { echo $(( $1 + $2 )); }\nmul() { echo $(( $1 * $2 )); }\n",
    );
    r.write(
        "tests/test-add.sh",
        ". ./calc.sh\n[ \"$(add 2 3)\" = 5 ] || { echo \"add 2 3 = $(add 2 3)\"; exit 1; }\n",
    );
    let head = r.commit("fix add");
    let report = prove(r.path(), &r.patch(&head), &options("sh tests/run.sh")).unwrap();
    assert_eq!(report.outcome, ProofOutcome::Proven, "{report:#?}");
    assert_eq!(report.test_files, ["tests/test-add.sh"]);
    let without = report.without_fix.as_ref().unwrap();
    assert_eq!(without.exit_code, Some(1));
    assert!(without.output_tail.contains("add 2 3 = -1"), "{without:?}");
    assert_eq!(without.applied, ["tests/test-add.sh"]);
    assert_eq!(report.with_fix.as_ref().unwrap().exit_code, Some(0));
    assert_eq!(
        report.into_report("sh tests/run.sh").outcome,
        ProofOutcome::Proven
    );
    no_worktrees_left(&r);
}

#[test]
fn a_hollow_test_passes_both_times_and_is_reported() {
    let r = project();
    r.write(
        "calc.sh",
        "add() { echo $(( $1 + $2 )); }\nmul() { echo $(( $1 * $2 )); }\n",
    );
    r.write("tests/test-add.sh", ". ./calc.sh\nadd 2 3 >/dev/null\n");
    let head = r.commit("fix add, hollow test");
    let report = prove(r.path(), &r.patch(&head), &options("sh tests/run.sh")).unwrap();
    assert_eq!(report.outcome, ProofOutcome::Hollow, "{report:#?}");
    assert!(report.summary.contains("pass without the fix"));
    assert_eq!(report.without_fix.unwrap().exit_code, Some(0));
    assert_eq!(report.with_fix.unwrap().exit_code, Some(0));
    no_worktrees_left(&r);
}

#[test]
fn a_broken_fix_fails_both_times() {
    let r = project();
    r.write(
        "calc.sh",
        "add() { echo $(( $1 * $2 )); }\nmul() { echo $(( $1 * $2 )); }\n",
    );
    r.write("tests/test-add.sh", ". ./calc.sh\n[ \"$(add 2 3)\" = 5 ]\n");
    let head = r.commit("broken fix");
    let report = prove(r.path(), &r.patch(&head), &options("sh tests/run.sh")).unwrap();
    assert_eq!(report.outcome, ProofOutcome::Broken, "{report:#?}");
    assert_eq!(report.without_fix.unwrap().exit_code, Some(1));
    assert_eq!(report.with_fix.unwrap().exit_code, Some(1));
    no_worktrees_left(&r);
}

#[test]
fn a_patch_without_tests_has_nothing_to_prove() {
    let r = project();
    r.write(
        "calc.sh",
        "add() { echo $(( $1 + $2 )); }\nmul() { echo $(( $1 * $2 )); }\n",
    );
    let head = r.commit("fix without test");
    let report = prove(r.path(), &r.patch(&head), &options("sh tests/run.sh")).unwrap();
    assert_eq!(report.outcome, ProofOutcome::Inconclusive);
    assert!(report.without_fix.is_none());
}

#[test]
fn a_hanging_command_is_killed_at_the_timeout() {
    let r = project();
    r.write("tests/test-add.sh", "true\n");
    let head = r.commit("test");
    let started = std::time::Instant::now();
    // The command starts a background sleeper too: the whole process group goes.
    let opts = ProveOptions::new("sleep 30 & sleep 30", Duration::from_millis(300), is_test);
    let report = prove(r.path(), &r.patch(&head), &opts).unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(report.outcome, ProofOutcome::Inconclusive, "{report:#?}");
    assert!(report.without_fix.unwrap().timed_out);
    no_worktrees_left(&r);
}

#[test]
fn the_command_is_required_and_paths_cannot_escape() {
    let r = project();
    r.write("tests/test-add.sh", "true\n");
    let head = r.commit("test");
    assert!(matches!(
        prove(r.path(), &r.patch(&head), &options("  ")),
        Err(ProveError::NoCommand)
    ));
    let mut patch = r.patch(&head);
    patch.files[0].new_path = Some("tests/../../outside.sh".into());
    let report = prove(r.path(), &patch, &options("true")).unwrap();
    assert_eq!(report.outcome, ProofOutcome::Inconclusive);
    assert!(
        report.summary.contains("leaves the work tree"),
        "{}",
        report.summary
    );
    assert!(!r.path().parent().unwrap().join("outside.sh").exists());
    no_worktrees_left(&r);
}
