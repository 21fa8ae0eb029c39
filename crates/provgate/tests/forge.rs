//! The forges' formats as their consumers read them: GitLab's Code Quality report against its
//! field rules, and the GitHub Action's script run with the environment GitHub sets, against
//! repositories the tests build.

#[path = "../../provgate-report/tests/support/sarif_github.rs"]
mod sarif_github;
mod support;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use support::{git_ok, isolated, provgate_at};
use tempfile::TempDir;

/// A repository with a `base` tag and, on top, `bad` commits that break QEMU's policy (no
/// sign-off, no SPDX line: two deny findings each; an AI co-author trailer: one warning each)
/// and `good` commits that pass it.
fn build_repo(bad: usize, good: usize) -> (TempDir, PathBuf) {
    let temp = TempDir::new().expect("temporary directory");
    let repo = temp.path().join("repo");
    std::fs::create_dir(&repo).expect("repo directory");
    git_ok(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("README"), "a project\n").expect("write");
    git_ok(&repo, &["add", "."]);
    git_ok(&repo, &["commit", "-q", "-m", "init"]);
    git_ok(&repo, &["tag", "base"]);
    for i in 0..bad {
        let file = format!("bad{i}.c");
        std::fs::write(
            repo.join(&file),
            format!("int bad{i}(void) {{ return {i}; }}\n"),
        )
        .expect("write");
        git_ok(&repo, &["add", &file]);
        let message = format!("bad{i}: add\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n");
        git_ok(&repo, &["commit", "-q", "-m", &message]);
    }
    for i in 0..good {
        let file = format!("good{i}.c");
        std::fs::write(
            repo.join(&file),
            format!("// SPDX-License-Identifier: GPL-2.0-or-later\nint good{i}(void) {{ return {i}; }}\n"),
        )
        .expect("write");
        git_ok(&repo, &["add", &file]);
        let message = format!("good{i}: add\n\nSigned-off-by: Jane Doe <jane@example.org>\n");
        git_ok(&repo, &["commit", "-q", "-m", &message]);
    }
    (temp, repo)
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("JSON on standard output")
}

// ---------------------------------------------------------------------------------------------
// GitLab Code Quality

#[test]
fn codequality_report_follows_gitlabs_field_rules() {
    let (_temp, repo) = build_repo(4, 1);
    let args = ["check", "--preset", "qemu", "base..HEAD"];
    let out = provgate_at(&repo, &[&args[..], &["--format", "codequality"]].concat());
    assert_eq!(out.status.code(), Some(1), "deny findings fail the check");
    assert!(
        !out.stdout.starts_with(b"\xEF\xBB\xBF"),
        "no byte-order mark"
    );
    let issues = json(&out);
    let issues = issues.as_array().expect("a JSON array");
    let report = json(&provgate_at(
        &repo,
        &[&args[..], &["--format", "json"]].concat(),
    ));
    let summary = &report["summary"];
    assert_eq!(
        issues.len() as u64,
        summary["deny"].as_u64().unwrap() + summary["warn"].as_u64().unwrap(),
        "one issue per finding"
    );
    assert!(
        issues.len() >= 12,
        "the repository yields findings of both levels"
    );

    let mut fingerprints = HashSet::new();
    let mut severities = (0, 0);
    for issue in issues {
        let text = |key: &str| {
            issue[key]
                .as_str()
                .unwrap_or_else(|| panic!("{key} is a string in {issue}"))
        };
        assert!(!text("description").is_empty());
        assert!(!text("check_name").is_empty());
        assert!(
            fingerprints.insert(text("fingerprint").to_string()),
            "fingerprint repeated: {issue}"
        );
        match text("severity") {
            "major" => severities.0 += 1,
            "minor" => severities.1 += 1,
            other => {
                assert!(
                    ["info", "critical", "blocker"].contains(&other),
                    "severity {other} is not one GitLab knows"
                );
                panic!("provgate uses only major (deny) and minor (warn), not {other}");
            }
        }
        let path = issue["location"]["path"]
            .as_str()
            .expect("location.path is a string");
        assert!(
            !path.is_empty() && !path.starts_with('/') && !path.starts_with("./"),
            "a repository-relative path: {path}"
        );
        let begin = issue["location"]["lines"]["begin"]
            .as_u64()
            .expect("location.lines.begin is an integer");
        assert!(begin >= 1);
        if text("check_name") == "spdx-missing" {
            assert!(
                repo.join(path).is_file(),
                "{path} is the file the finding is about"
            );
        } else if text("check_name") == "dco-missing-signoff" {
            assert_eq!(
                path, "provgate.toml",
                "a commit-message finding points at the policy"
            );
        }
    }
    assert_eq!(severities.0 as u64, summary["deny"].as_u64().unwrap());
    assert_eq!(severities.1 as u64, summary["warn"].as_u64().unwrap());

    // Stable across runs, so that GitLab matches a finding with the same one on the target
    // branch instead of showing it as new.
    let again = provgate_at(&repo, &[&args[..], &["--format", "codequality"]].concat());
    assert_eq!(out.stdout, again.stdout);

    // A clean range is an empty array, not nothing.
    let clean = provgate_at(
        &repo,
        &[
            "check",
            "--preset",
            "qemu",
            "--format",
            "codequality",
            "HEAD~1..HEAD",
        ],
    );
    assert_eq!(clean.status.code(), Some(0));
    assert_eq!(json(&clean), serde_json::json!([]));
}

// ---------------------------------------------------------------------------------------------
// The GitHub Action's script

fn action_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../contrib/github/provgate-action.sh")
}

/// What one run of the action's script left.
struct ActionRun {
    status: Option<i32>,
    stdout: String,
    summary: Vec<u8>,
    outputs: String,
}

/// Runs the script as the action's step does, on a `pull_request` event for base..HEAD.
fn run_action(temp: &TempDir, repo: &Path, env: &[(&str, &str)]) -> ActionRun {
    let base = git_ok(repo, &["rev-parse", "base"]).trim().to_string();
    let head = git_ok(repo, &["rev-parse", "HEAD"]).trim().to_string();
    let github = temp.path().join("github");
    let _ = std::fs::remove_dir_all(&github);
    std::fs::create_dir(&github).expect("github directory");
    let event = github.join("event.json");
    let payload = serde_json::json!({
        "action": "synchronize",
        "number": 7,
        "pull_request": {
            "number": 7,
            "base": { "ref": "main", "sha": base },
            "head": { "ref": "feature", "sha": head },
        },
    });
    std::fs::write(&event, payload.to_string()).expect("event");
    let summary = github.join("step_summary.md");
    let outputs = github.join("output");
    std::fs::write(&summary, "").expect("summary");
    std::fs::write(&outputs, "").expect("outputs");
    let runner_temp = github.join("runner-temp");
    std::fs::create_dir(&runner_temp).expect("runner temp");
    let mut cmd = Command::new("bash");
    isolated(&mut cmd)
        .arg(action_script())
        .current_dir(repo)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_WORKSPACE", repo)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .env("RUNNER_TEMP", &runner_temp)
        .env("PROVGATE", env!("CARGO_BIN_EXE_provgate"))
        .env("PROVGATE_ARGS", "--preset qemu");
    for (key, value) in env {
        cmd.env(key, value);
    }
    let out = cmd.output().expect("the script runs");
    assert!(
        out.stderr.is_empty(),
        "nothing on standard error: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let outputs = std::fs::read_to_string(&outputs).expect("outputs written");
    // Every SARIF file the action writes is one the upload step would send to code scanning.
    if let Some(sarif) = outputs.lines().find_map(|l| l.strip_prefix("sarif=")) {
        let sarif = std::fs::read_to_string(sarif).expect("the SARIF output names a file");
        sarif_github::assert_github_accepts(&sarif, "the action's SARIF");
    }
    ActionRun {
        status: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        summary: std::fs::read(&summary).expect("summary written"),
        outputs,
    }
}

fn annotations(stdout: &str, command: &str) -> usize {
    stdout
        .lines()
        .filter(|l| l.starts_with(&format!("::{command} ")))
        .count()
}

#[test]
fn action_caps_annotations_per_level_and_says_how_many_more() {
    // 12 bad commits: 24 deny findings and 12 warnings, over both per-step caps.
    let (temp, repo) = build_repo(12, 0);
    let run = run_action(&temp, &repo, &[]);
    assert_eq!(run.status, Some(1), "{}", run.stdout);
    assert_eq!(annotations(&run.stdout, "error"), 10, "{}", run.stdout);
    assert_eq!(annotations(&run.stdout, "warning"), 10, "{}", run.stdout);
    let notices: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("::notice "))
        .collect();
    assert_eq!(notices.len(), 1, "{}", run.stdout);
    assert!(
        notices[0].contains("16 more finding(s) not shown as annotations")
            && notices[0].contains("job summary")
            && notices[0].contains("code scanning"),
        "{}",
        notices[0]
    );
    // The closing note comes after every annotation it counts.
    let lines: Vec<&str> = run.stdout.lines().collect();
    let last_annotation = lines
        .iter()
        .rposition(|l| l.starts_with("::error ") || l.starts_with("::warning "))
        .unwrap();
    let note = run
        .stdout
        .lines()
        .position(|l| l.starts_with("::notice "))
        .unwrap();
    assert!(note > last_annotation);

    let summary = String::from_utf8(run.summary).expect("UTF-8 summary");
    assert!(summary.len() <= 1024 * 1024);
    assert!(summary.contains("provgate: fail"), "{summary}");
    assert!(!summary.contains("was cut"));
    assert!(run.outputs.contains("verdict=fail\n"), "{}", run.outputs);
    assert!(run.outputs.contains("summary-truncated=false\n"));
    let sarif = run
        .outputs
        .lines()
        .find_map(|l| l.strip_prefix("sarif="))
        .expect("the SARIF path is an output");
    let sarif = std::fs::read_to_string(sarif).expect("SARIF written");
    let sarif: Value = serde_json::from_str(&sarif).expect("JSON");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 36);
    // 36 findings, 36 alerts: none merged into another.
    let fingerprints: HashSet<&str> = results
        .iter()
        .map(|r| {
            r["partialFingerprints"]["provgateFinding/v2"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(fingerprints.len(), 36);
}

#[test]
fn action_cuts_the_summary_under_the_limit_with_a_note() {
    let (temp, repo) = build_repo(12, 0);
    let limit = 2000;
    let run = run_action(&temp, &repo, &[("PROVGATE_SUMMARY_LIMIT", "2000")]);
    assert_eq!(run.status, Some(1));
    assert!(
        run.summary.len() <= limit,
        "{} bytes over the {limit}-byte limit",
        run.summary.len()
    );
    let summary = String::from_utf8(run.summary).expect("cut at a line, so still UTF-8");
    assert!(summary.starts_with("## "), "{summary}");
    assert!(
        summary.contains("this report was cut") && summary.contains("1 MiB"),
        "{summary}"
    );
    assert!(run.outputs.contains("summary-truncated=true\n"));
}

#[test]
fn action_passes_a_clean_pull_request_quietly() {
    let (temp, repo) = build_repo(0, 2);
    let run = run_action(&temp, &repo, &[]);
    assert_eq!(run.status, Some(0), "{}", run.stdout);
    for command in ["error", "warning", "notice"] {
        assert_eq!(annotations(&run.stdout, command), 0, "{}", run.stdout);
    }
    assert!(run.stdout.contains("provgate: pass: 2 patch(es)"));
    assert!(run.outputs.contains("verdict=pass\n"));
    assert!(
        String::from_utf8(run.summary)
            .unwrap()
            .contains("provgate: pass")
    );
}

#[test]
fn action_can_report_without_failing_the_step() {
    let (temp, repo) = build_repo(1, 0);
    let run = run_action(&temp, &repo, &[("PROVGATE_FAIL", "false")]);
    assert_eq!(run.status, Some(0));
    assert!(run.outputs.contains("verdict=fail\n"));
    assert!(run.outputs.contains("exit-code=1\n"));
}

/// The action runs the script the tests run, and uploads the SARIF file it names.
#[test]
fn action_yml_runs_the_tested_script() {
    let action =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../action.yml"))
            .expect("action.yml at the repository root");
    assert!(action.contains("using: composite"));
    assert!(action.contains("$GITHUB_ACTION_PATH/contrib/github/provgate-action.sh"));
    assert!(action.contains("github/codeql-action/upload-sarif@"));
    assert!(action.contains("steps.check.outputs.sarif"));
}
