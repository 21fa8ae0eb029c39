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
    stderr: String,
    summary: Vec<u8>,
    outputs: String,
}

/// Runs the script as the action's step does, on a `pull_request` event for base..HEAD.
fn run_action(temp: &TempDir, repo: &Path, env: &[(&str, &str)]) -> ActionRun {
    let base = git_ok(repo, &["rev-parse", "base"]).trim().to_string();
    let head = git_ok(repo, &["rev-parse", "HEAD"]).trim().to_string();
    let mut env = env.to_vec();
    if !env.iter().any(|(k, _)| *k == "PROVGATE_ARGS") {
        env.push(("PROVGATE_ARGS", "--preset qemu"));
    }
    run_event(temp, repo, &pull_request(&base, &head), &env)
}

/// A `pull_request` event's payload, as GitHub sends it (the fields the action reads).
fn pull_request(base: &str, head: &str) -> Value {
    serde_json::json!({
        "action": "synchronize",
        "number": 7,
        "pull_request": {
            "number": 7,
            "base": { "ref": "main", "sha": base },
            "head": { "ref": "feature", "sha": head },
        },
        "repository": { "default_branch": "main" },
    })
}

/// Runs the script in `workspace` as the action's step does, on the event `payload`.
fn run_event(temp: &TempDir, workspace: &Path, payload: &Value, env: &[(&str, &str)]) -> ActionRun {
    let github = temp.path().join("github");
    let _ = std::fs::remove_dir_all(&github);
    std::fs::create_dir(&github).expect("github directory");
    let event = github.join("event.json");
    std::fs::write(&event, payload.to_string()).expect("event");
    let summary = github.join("step_summary.md");
    let outputs = github.join("output");
    std::fs::write(&summary, "").expect("summary");
    std::fs::write(&outputs, "").expect("outputs");
    let runner_temp = github.join("runner-temp");
    std::fs::create_dir(&runner_temp).expect("runner temp");
    let event_name = if payload.get("pull_request").is_some() {
        "pull_request"
    } else {
        "push"
    };
    let mut cmd = Command::new("bash");
    isolated(&mut cmd)
        .arg(action_script())
        .current_dir(workspace)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", event_name)
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_WORKSPACE", workspace)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .env("RUNNER_TEMP", &runner_temp)
        .env("PROVGATE", env!("CARGO_BIN_EXE_provgate"))
        .env_remove("GITHUB_HEAD_REF");
    for (key, value) in env {
        cmd.env(key, value);
    }
    let out = cmd.output().expect("the script runs");
    let outputs = std::fs::read_to_string(&outputs).expect("outputs written");
    // Every SARIF file the action writes is one the upload step would send to code scanning.
    if let Some(sarif) = outputs
        .lines()
        .find_map(|l| l.strip_prefix("sarif="))
        .filter(|path| !path.is_empty())
    {
        let sarif = std::fs::read_to_string(sarif).expect("the SARIF output names a file");
        sarif_github::assert_github_accepts(&sarif, "the action's SARIF");
    }
    ActionRun {
        status: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("UTF-8"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
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
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let notices: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("::notice title=provgate::"))
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
        .position(|l| l.starts_with("::notice title=provgate::"))
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
        summary.contains("this report was cut")
            && summary.contains("the job summary limit of 2000 bytes"),
        "{summary}"
    );
    // The command that prints it all is the action's, with its arguments.
    let base = git_ok(&repo, &["rev-parse", "base"]).trim().to_string();
    let head = git_ok(&repo, &["rev-parse", "HEAD"]).trim().to_string();
    assert!(
        summary.contains(&format!(
            "`provgate check --format markdown --base-policy {base} --preset qemu {base}..{head}`"
        )),
        "{summary}"
    );
    assert!(run.outputs.contains("summary-truncated=true\n"));
}

#[test]
fn action_passes_a_clean_pull_request_quietly() {
    let (temp, repo) = build_repo(0, 2);
    let run = run_action(&temp, &repo, &[]);
    assert_eq!(run.status, Some(0), "{}", run.stdout);
    for command in ["error", "warning"] {
        assert_eq!(annotations(&run.stdout, command), 0, "{}", run.stdout);
    }
    // The one notice is the run's notes: where the policy was read.
    let notices: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("::notice"))
        .collect();
    assert_eq!(notices.len(), 1, "{}", run.stdout);
    assert!(
        notices[0].starts_with("::notice title=provgate notes::")
            && notices[0].contains("the base the change applies to"),
        "{}",
        notices[0]
    );
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
    // Every output the script writes is exposed.
    for output in ["verdict", "exit-code", "sarif", "summary-truncated"] {
        assert!(
            action.contains(&format!("  {output}:\n"))
                && action.contains(&format!("steps.check.outputs.{output} }}}}")),
            "action.yml exposes `{output}`"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The GitHub Action on a shallow checkout, with a local bare repository standing in for GitHub's

/// `n` commits on `main` of `repo`, written with `git fast-import` (a long history in a blink),
/// each changing `history.txt`.
fn long_history(repo: &Path, n: usize) {
    let mut stream = String::new();
    for i in 0..n {
        let content = format!("line {i}\n");
        let message = format!("history {i}\n\nSigned-off-by: Jane Doe <jane@example.org>\n");
        stream.push_str(&format!(
            "commit refs/heads/main\ncommitter Jane Doe <jane@example.org> {} +0000\ndata {}\n{message}",
            1_700_000_000 + i,
            message.len()
        ));
        stream.push_str(&format!(
            "M 100644 inline history.txt\ndata {}\n{content}\n",
            content.len()
        ));
    }
    let mut child = isolated(
        Command::new("git")
            .current_dir(repo)
            .args(["fast-import", "--quiet"]),
    )
    .stdin(std::process::Stdio::piped())
    .spawn()
    .expect("git fast-import runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    git_ok(repo, &["reset", "-q", "--hard", "main"]);
}

/// Commits `path` with `text` and `message` on the current branch.
fn commit_file(repo: &Path, path: &str, text: &str, message: &str) {
    std::fs::write(repo.join(path), text).unwrap();
    git_ok(repo, &["add", path]);
    git_ok(repo, &["commit", "-q", "-m", message]);
}

/// A remote (a bare repository) whose `main` has a long history under QEMU's policy in force and
/// moved on after `feature` branched off; `feature` first relaxes the policy to the default, then
/// adds three commits declaring AI help. Returns the remote and the number of its commits.
fn remote_with_pull_request(temp: &TempDir) -> (PathBuf, usize) {
    let work = temp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    git_ok(&work, &["init", "-q", "-b", "main"]);
    long_history(&work, 400);
    commit_file(
        &work,
        "provgate.toml",
        "extends = \"qemu-2025\"\n",
        "policy\n\nSigned-off-by: Jane Doe <jane@example.org>",
    );
    git_ok(&work, &["checkout", "-q", "-b", "feature"]);
    commit_file(
        &work,
        "provgate.toml",
        "extends = \"default\"\n",
        "policy: relax\n\nSigned-off-by: Jane Doe <jane@example.org>",
    );
    for i in 0..3 {
        commit_file(
            &work,
            &format!("f{i}.c"),
            &format!(
                "// SPDX-License-Identifier: GPL-2.0-or-later\nint f{i}(void) {{ return {i}; }}\n"
            ),
            &format!(
                "f{i}: add\n\nAssisted-by: Claude:claude-opus-4\nSigned-off-by: Jane Doe <jane@example.org>"
            ),
        );
    }
    git_ok(&work, &["checkout", "-q", "main"]);
    for i in 0..5 {
        commit_file(
            &work,
            "later.txt",
            &format!("{i}\n"),
            &format!("later {i}\n\nSigned-off-by: Jane Doe <jane@example.org>"),
        );
    }
    let remote = temp.path().join("origin.git");
    git_ok(
        temp.path(),
        &[
            "clone",
            "-q",
            "--bare",
            work.to_str().unwrap(),
            remote.to_str().unwrap(),
        ],
    );
    let total = git_ok(&remote, &["rev-list", "--count", "--all"])
        .trim()
        .parse()
        .unwrap();
    (remote, total)
}

/// `actions/checkout`'s default: a depth-1 clone of `branch` from the remote.
fn shallow_checkout(temp: &TempDir, remote: &Path, branch: &str) -> PathBuf {
    let checkout = temp.path().join("checkout");
    let _ = std::fs::remove_dir_all(&checkout);
    git_ok(
        temp.path(),
        &[
            "clone",
            "-q",
            "--depth=1",
            "--no-tags",
            "--branch",
            branch,
            &format!("file://{}", remote.display()),
            checkout.to_str().unwrap(),
        ],
    );
    checkout
}

/// A `provgate` that counts its runs in `count` before running the real one: the action's
/// `PROVGATE`, as a wrapper on PATH would be.
fn counting_provgate(temp: &TempDir) -> (PathBuf, PathBuf) {
    let count = temp.path().join("runs");
    let wrapper = temp.path().join("provgate-counting");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho run >>'{}'\nexec '{}' \"$@\"\n",
            count.display(),
            env!("CARGO_BIN_EXE_provgate")
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    (wrapper, count)
}

fn runs(count: &Path) -> usize {
    std::fs::read_to_string(count).map_or(0, |t| t.lines().count())
}

fn output<'a>(run: &'a ActionRun, key: &str) -> Option<&'a str> {
    run.outputs
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
}

#[test]
fn action_on_a_shallow_pull_request_fetches_to_the_merge_base_and_checks_once() {
    let temp = TempDir::new().unwrap();
    let (remote, total) = remote_with_pull_request(&temp);
    let checkout = shallow_checkout(&temp, &remote, "feature");
    let base = git_ok(&remote, &["rev-parse", "main"]).trim().to_string();
    let head = git_ok(&remote, &["rev-parse", "feature"])
        .trim()
        .to_string();
    let (wrapper, count) = counting_provgate(&temp);
    let run = run_event(
        &temp,
        &checkout,
        &pull_request(&base, &head),
        &[
            ("PROVGATE", wrapper.to_str().unwrap()),
            ("PROVGATE_ARGS", ""),
        ],
    );
    assert_eq!(runs(&count), 1, "one check writes every format");
    let here: usize = git_ok(&checkout, &["rev-list", "--count", "--all"])
        .trim()
        .parse()
        .unwrap();
    assert!(
        here < total / 4,
        "{here} of the remote's {total} commits fetched: {}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("provgate: the checkout was shallow: fetched "),
        "{}",
        run.stdout
    );
    // The four commits of the pull request, judged under the base's policy, not its own.
    assert_eq!(run.status, Some(1), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("provgate: fail: 4 patch(es), 3 failed"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("this change edits the policy (provgate.toml, in "),
        "{}",
        run.stdout
    );
    assert_eq!(output(&run, "verdict"), Some("fail"));
    assert_eq!(output(&run, "exit-code"), Some("1"));
    let summary = String::from_utf8(run.summary.clone()).unwrap();
    assert!(
        summary.contains("this change edits the policy"),
        "{summary}"
    );
    let sarif = output(&run, "sarif").expect("a SARIF path");
    let sarif: Value = serde_json::from_slice(&std::fs::read(sarif).unwrap()).unwrap();
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn action_on_a_shallow_push_checks_what_it_added() {
    let temp = TempDir::new().unwrap();
    let (remote, total) = remote_with_pull_request(&temp);
    let checkout = shallow_checkout(&temp, &remote, "main");
    let before = git_ok(&remote, &["rev-parse", "main~3"]).trim().to_string();
    let after = git_ok(&remote, &["rev-parse", "main"]).trim().to_string();
    let (wrapper, count) = counting_provgate(&temp);
    let payload = serde_json::json!({
        "ref": "refs/heads/main",
        "before": before,
        "after": after,
        "created": false,
        "deleted": false,
        "forced": false,
        "repository": { "default_branch": "main" },
    });
    let run = run_event(
        &temp,
        &checkout,
        &payload,
        &[
            ("PROVGATE", wrapper.to_str().unwrap()),
            ("PROVGATE_ARGS", ""),
        ],
    );
    assert_eq!(runs(&count), 1);
    assert_eq!(run.status, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("provgate: pass: 3 patch(es)"),
        "{}",
        run.stdout
    );
    let here: usize = git_ok(&checkout, &["rev-list", "--count", "--all"])
        .trim()
        .parse()
        .unwrap();
    assert!(here < total / 10, "{here} of {total} commits fetched");
    assert_eq!(output(&run, "verdict"), Some("pass"));
}

#[test]
fn action_on_a_branch_deletion_has_nothing_to_check() {
    let temp = TempDir::new().unwrap();
    let (remote, _) = remote_with_pull_request(&temp);
    let checkout = shallow_checkout(&temp, &remote, "main");
    let before = git_ok(&remote, &["rev-parse", "feature"])
        .trim()
        .to_string();
    let (wrapper, count) = counting_provgate(&temp);
    let payload = serde_json::json!({
        "ref": "refs/heads/feature",
        "before": before,
        "after": "0000000000000000000000000000000000000000",
        "created": false,
        "deleted": true,
        "repository": { "default_branch": "main" },
    });
    let run = run_event(
        &temp,
        &checkout,
        &payload,
        &[("PROVGATE", wrapper.to_str().unwrap())],
    );
    assert_eq!(run.status, Some(0), "{}", run.stdout);
    assert_eq!(runs(&count), 0, "nothing to run provgate on");
    assert!(
        run.stdout
            .contains("::notice title=provgate::the push deleted refs/heads/feature; there are no commits to check"),
        "{}",
        run.stdout
    );
    assert_eq!(output(&run, "verdict"), Some("skipped"));
    assert!(!run.stdout.contains("fetch-depth"));
}

#[test]
fn action_gives_verdict_error_when_the_check_cannot_run() {
    // A policy at the base that does not load: provgate exits 2.
    let (temp, repo) = build_repo(1, 1);
    git_ok(&repo, &["checkout", "-q", "base"]);
    commit_file(
        &repo,
        "provgate.toml",
        "extends = \"no-such-preset\"\n",
        "policy\n\nSigned-off-by: Jane Doe <jane@example.org>",
    );
    git_ok(&repo, &["tag", "-f", "base"]);
    git_ok(&repo, &["checkout", "-q", "-"]);
    let run = run_action(&temp, &repo, &[("PROVGATE_ARGS", "")]);
    assert_eq!(run.status, Some(2), "{}", run.stdout);
    assert_eq!(output(&run, "verdict"), Some("error"));
    assert_eq!(output(&run, "exit-code"), Some("2"));
    let summary = String::from_utf8(run.summary).unwrap();
    assert!(
        summary.contains("provgate: error") && summary.contains("no-such-preset"),
        "{summary}"
    );
    assert!(!summary.contains("pass"), "{summary}");

    // Nor does a missing program pass.
    let run = run_action(&temp, &repo, &[("PROVGATE", "/nonexistent/provgate")]);
    assert_eq!(run.status, Some(2));
    assert_eq!(output(&run, "verdict"), Some("error"));
    // Even with `fail: false`, the verdict says what happened, and the step fails: `fail: false`
    // lets a deny finding through (exit status 1), not a check that never ran (this used to exit
    // 0, a green step over nothing checked).
    let run = run_action(
        &temp,
        &repo,
        &[
            ("PROVGATE", "/nonexistent/provgate"),
            ("PROVGATE_FAIL", "false"),
        ],
    );
    assert_eq!(run.status, Some(2));
    assert_eq!(output(&run, "verdict"), Some("error"));
    assert_eq!(output(&run, "exit-code"), Some("2"));
    // The same with a policy that does not load, the error provgate itself reports.
    let run = run_action(
        &temp,
        &repo,
        &[("PROVGATE_ARGS", ""), ("PROVGATE_FAIL", "false")],
    );
    assert_eq!(run.status, Some(2), "{}", run.stdout);
    assert_eq!(output(&run, "verdict"), Some("error"));
}

/// The `range` input reads the policy at the range's left side, as the event's base would be:
/// a range whose change relaxes `provgate.toml` is judged under the left side's (it used to be
/// judged under its own, the `--base-policy` dropped without a word).
#[test]
fn action_range_input_reads_the_policy_at_the_ranges_left_side() {
    let temp = TempDir::new().unwrap();
    let (remote, _) = remote_with_pull_request(&temp);
    let clone = temp.path().join("full");
    git_ok(
        temp.path(),
        &[
            "clone",
            "-q",
            "--branch",
            "feature",
            remote.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    let base = git_ok(&clone, &["merge-base", "origin/main", "HEAD"])
        .trim()
        .to_string();
    // The event run_action writes names `base`; the range input overrides it.
    git_ok(&clone, &["tag", "base", &base]);
    for range in [format!("{base}..HEAD"), format!("{base}...HEAD")] {
        let run = run_action(
            &temp,
            &clone,
            &[("PROVGATE_ARGS", ""), ("PROVGATE_RANGE", &range)],
        );
        assert_eq!(
            run.status,
            Some(1),
            "{range}: {}\n{}",
            run.stdout,
            run.stderr
        );
        assert!(
            run.stdout.contains(&format!(
                "provgate: the policy, MAINTAINERS and .mailmap are read at {base}, the range's left side"
            )) && run.stdout.contains("provgate: fail: 4 patch(es), 3 failed")
                && run
                    .stdout
                    .contains("this change edits the policy (provgate.toml, in "),
            "{range}: {}",
            run.stdout
        );
    }
    // The arguments' own --base-policy wins; a range with no left side says it reads the checkout.
    let run = run_action(
        &temp,
        &clone,
        &[
            ("PROVGATE_ARGS", &format!("--base-policy {base}")),
            ("PROVGATE_RANGE", "HEAD~3..HEAD"),
        ],
    );
    assert_eq!(run.status, Some(1), "{}\n{}", run.stdout, run.stderr);
    assert!(
        !run.stdout.contains("the range's left side"),
        "{}",
        run.stdout
    );
    let run = run_action(
        &temp,
        &clone,
        &[("PROVGATE_ARGS", ""), ("PROVGATE_RANGE", "HEAD")],
    );
    assert!(
        run.stdout.contains("provgate: the range HEAD has no left side, so no base: the policy, MAINTAINERS and .mailmap are read from the checkout"),
        "{}",
        run.stdout
    );
}

/// The deepening never goes past PROVGATE_MAX_DEEPEN: with a cap of 3 the first step (16) is cut
/// to 3, the merge base (5 commits below the base) is not reached, and the check does not run
/// (it used to fetch 16 commits deep and go on).
#[test]
fn action_deepens_no_further_than_the_cap() {
    let temp = TempDir::new().unwrap();
    let (remote, _) = remote_with_pull_request(&temp);
    let checkout = shallow_checkout(&temp, &remote, "feature");
    let base = git_ok(&remote, &["rev-parse", "main"]).trim().to_string();
    let head = git_ok(&remote, &["rev-parse", "feature"])
        .trim()
        .to_string();
    let (wrapper, count) = counting_provgate(&temp);
    let run = run_event(
        &temp,
        &checkout,
        &pull_request(&base, &head),
        &[
            ("PROVGATE", wrapper.to_str().unwrap()),
            ("PROVGATE_ARGS", ""),
            ("PROVGATE_MAX_DEEPEN", "3"),
        ],
    );
    assert_eq!(run.status, Some(2), "{}", run.stdout);
    assert_eq!(runs(&count), 0);
    assert_eq!(output(&run, "verdict"), Some("error"));
    assert!(
        run.stdout.contains(&format!(
            "::error title=provgate::no merge base of {base} and {head} within 3 commits of either"
        )),
        "{}",
        run.stdout
    );
    // Each side is at most 1 + 3 commits deep.
    let here: usize = git_ok(&checkout, &["rev-list", "--count", "--all"])
        .trim()
        .parse()
        .unwrap();
    assert!(here <= 8, "{here} commits fetched");
}

/// Base and head with no common history: once the whole history is fetched the action stops with
/// verdict `error` and says why (it used to log an empty merge base and check on).
#[test]
fn action_stops_when_base_and_head_share_no_history() {
    let temp = TempDir::new().unwrap();
    let work = temp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    git_ok(&work, &["init", "-q", "-b", "main"]);
    for i in 0..3 {
        commit_file(
            &work,
            "main.txt",
            &format!("{i}\n"),
            &format!("main {i}\n\nSigned-off-by: Jane Doe <jane@example.org>"),
        );
    }
    git_ok(&work, &["checkout", "-q", "--orphan", "other"]);
    for i in 0..3 {
        commit_file(
            &work,
            "other.txt",
            &format!("{i}\n"),
            &format!("other {i}\n\nSigned-off-by: Jane Doe <jane@example.org>"),
        );
    }
    let remote = temp.path().join("origin.git");
    git_ok(
        temp.path(),
        &[
            "clone",
            "-q",
            "--bare",
            work.to_str().unwrap(),
            remote.to_str().unwrap(),
        ],
    );
    let checkout = shallow_checkout(&temp, &remote, "other");
    let base = git_ok(&remote, &["rev-parse", "main"]).trim().to_string();
    let head = git_ok(&remote, &["rev-parse", "other"]).trim().to_string();
    let (wrapper, count) = counting_provgate(&temp);
    let run = run_event(
        &temp,
        &checkout,
        &pull_request(&base, &head),
        &[
            ("PROVGATE", wrapper.to_str().unwrap()),
            ("PROVGATE_ARGS", ""),
        ],
    );
    assert_eq!(run.status, Some(2), "{}", run.stdout);
    assert_eq!(runs(&count), 0);
    assert_eq!(output(&run, "verdict"), Some("error"));
    assert!(
        run.stdout.contains(&format!(
            "::error title=provgate::{base} and {head} have no common history"
        )) && !run.stdout.contains("to reach the merge base"),
        "{}",
        run.stdout
    );
}

#[test]
fn action_annotates_findings_anchored_to_lines_first() {
    // 12 bad commits: 12 message findings (no sign-off) and 12 file findings (no SPDX line) at
    // deny; the 10 error slots go to the file findings.
    let (temp, repo) = build_repo(12, 0);
    let run = run_action(&temp, &repo, &[]);
    let errors: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(errors.len(), 10);
    assert!(
        errors
            .iter()
            .all(|l| l.contains("file=bad") && l.contains(",line=")),
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// The GitLab recipe, as docs/gitlab.md gives it

/// The `script:` lines of the merge-request job in docs/gitlab.md, as GitLab runs them: one
/// shell, each line in turn, the job failing at the first that fails.
fn gitlab_script() -> String {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/gitlab.md"))
            .expect("docs/gitlab.md");
    let yaml = doc
        .split("```yaml")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a YAML block");
    let mut lines = Vec::new();
    let mut in_script = false;
    for line in yaml.lines() {
        if line.trim_start() == "script:" {
            in_script = true;
        } else if in_script {
            match line.strip_prefix("    - ") {
                Some(command) => lines.push(command.to_string()),
                None => break,
            }
        }
    }
    assert!(!lines.is_empty(), "the job has a script");
    lines.join("\n")
}

/// Runs the recipe's script in a clone of `remote`'s `feature` branch as a merge-request pipeline
/// targeting `main`, without the target branch's remote-tracking ref (a merge-request pipeline's
/// clone need not have it; the recipe fetches it). Returns the clone, the merge base and the run.
fn run_gitlab_recipe(temp: &TempDir, remote: &Path) -> (PathBuf, String, Output) {
    let clone = temp.path().join("mr");
    git_ok(
        temp.path(),
        &[
            "clone",
            "-q",
            "--branch",
            "feature",
            remote.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    let base = git_ok(&clone, &["merge-base", "origin/main", "HEAD"])
        .trim()
        .to_string();
    let head = git_ok(&clone, &["rev-parse", "HEAD"]).trim().to_string();
    git_ok(&clone, &["update-ref", "-d", "refs/remotes/origin/main"]);
    let bin = Path::new(env!("CARGO_BIN_EXE_provgate")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    let out = isolated(&mut cmd)
        .args(["-e", "-c", &gitlab_script()])
        .current_dir(&clone)
        .env("PATH", path)
        .env("CI_PIPELINE_SOURCE", "merge_request_event")
        .env("CI_MERGE_REQUEST_DIFF_BASE_SHA", &base)
        .env("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main")
        .env("CI_COMMIT_SHA", &head)
        .env_remove("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA")
        .output()
        .unwrap();
    (clone, base, out)
}

#[test]
fn gitlab_recipe_judges_a_merge_request_under_the_bases_policy() {
    let temp = TempDir::new().unwrap();
    let (remote, _) = remote_with_pull_request(&temp);
    let (clone, _base, out) = run_gitlab_recipe(&temp, &remote);
    let log = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "the job fails: {log}");
    // The policy is read at the target branch's tip (it was the merge base, `{base}:`, before
    // the recipe was fixed: an old merge base could pick an older, looser policy).
    assert!(log.contains("(origin/main:provgate.toml)"), "{log}");
    assert!(
        log.contains("note: this change edits the policy (provgate.toml, in "),
        "{log}"
    );
    assert!(!log.contains('\u{1b}'));
    let report: Value = serde_json::from_slice(
        &std::fs::read(clone.join("gl-code-quality-report.json")).expect("the Code Quality file"),
    )
    .unwrap();
    let issues = report.as_array().unwrap();
    assert_eq!(
        issues
            .iter()
            .filter(|i| i["check_name"] == "ai-banned")
            .count(),
        3,
        "{report}"
    );
}

/// A merge request branched off `main` before `main` tightened its policy is judged under the
/// policy in force at the target branch's tip, not under the looser one of its merge base (the
/// recipe read the merge base's, and this merge request passed).
#[test]
fn gitlab_recipe_reads_the_policy_at_the_target_branchs_tip_not_the_merge_base() {
    let temp = TempDir::new().unwrap();
    let work = temp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    git_ok(&work, &["init", "-q", "-b", "main"]);
    commit_file(
        &work,
        "provgate.toml",
        "extends = \"default\"\n",
        "policy: the default\n\nSigned-off-by: Jane Doe <jane@example.org>",
    );
    git_ok(&work, &["checkout", "-q", "-b", "feature"]);
    for i in 0..2 {
        commit_file(
            &work,
            &format!("f{i}.c"),
            &format!(
                "// SPDX-License-Identifier: GPL-2.0-or-later\nint f{i}(void) {{ return {i}; }}\n"
            ),
            &format!(
                "f{i}: add\n\nAssisted-by: Claude:claude-opus-4\nSigned-off-by: Jane Doe <jane@example.org>"
            ),
        );
    }
    git_ok(&work, &["checkout", "-q", "main"]);
    commit_file(
        &work,
        "provgate.toml",
        "extends = \"qemu-2025\"\n",
        "policy: QEMU's, in force\n\nSigned-off-by: Jane Doe <jane@example.org>",
    );
    let remote = temp.path().join("origin.git");
    git_ok(
        temp.path(),
        &[
            "clone",
            "-q",
            "--bare",
            work.to_str().unwrap(),
            remote.to_str().unwrap(),
        ],
    );
    let (_clone, _base, out) = run_gitlab_recipe(&temp, &remote);
    let log = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "the job fails: {log}");
    assert!(
        log.contains("(origin/main:provgate.toml)") && log.contains("ai-banned"),
        "{log}"
    );
}
