//! The command line end to end: real inputs, real repositories built with git, exit statuses,
//! and snapshots of every report format on the shipped example.

#[path = "../../provgate-report/tests/support/sarif_github.rs"]
mod sarif_github;
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn provgate(args: &[&str]) -> (i32, String, String) {
    provgate_in(&workspace(), args, None)
}

fn provgate_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    let mut cmd = Command::cargo_bin("provgate").expect("binary builds");
    cmd.current_dir(dir)
        .args(args)
        .env("PROVGATE_TODAY", "2026-07-02")
        .env("NO_COLOR", "1");
    let output = match stdin {
        Some(bytes) => {
            use std::io::Write;
            cmd.stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = cmd.spawn().expect("runs");
            child.stdin.take().unwrap().write_all(bytes).unwrap();
            child.wait_with_output().expect("runs")
        }
        None => cmd.output().expect("runs"),
    };
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

const QEMU: [&str; 3] = ["--repo", "examples/qemu", "examples/qemu/series.mbox"];

#[test]
fn qemu_example_fails_with_the_expected_findings() {
    let (code, out, _) = provgate(&["check", "--format", "json", QEMU[0], QEMU[1], QEMU[2]]);
    assert_eq!(code, 1, "a deny finding fails the check");
    let report = json(&out);
    assert_eq!(report["schema"], "provgate/report/v1");
    assert_eq!(report["verdict"], "fail");
    assert_eq!(report["policy"]["extends"], "qemu");
    let rules: Vec<(String, String)> = report["patches"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["findings"].as_array().unwrap().clone())
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["level"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        ("ai-line-limit", "deny"),
        ("disclosure-wrong-trailer", "warn"),
        ("disclosure-wrong-trailer", "warn"),
        ("disclosure-placement", "warn"),
        ("dco-missing-signoff", "deny"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(r, l)| (r.to_string(), l.to_string()))
        .collect();
    assert_eq!(rules, expected);
    assert_eq!(report["waived"][0]["finding"]["rule"], "protected-zone");
    let first = &report["patches"][1];
    assert_eq!(first["files"][0]["zones"][0], "core");
    assert_eq!(first["files"][0]["kind"], "code");
    assert_eq!(first["ai"]["disclosed"], true);
    assert_eq!(first["code_lines"], 24);
    // The two honest disclosures in the wrong trailer are warnings, not denies (issue 15).
    assert_eq!(report["summary"]["failed"], 2);
    assert_eq!(report["summary"]["deny"], 2);
}

#[test]
fn clean_series_passes() {
    let (code, out, err) = provgate(&["check", "--format", "json", "examples/pit-series.mbox"]);
    assert_eq!(code, 0, "{err}");
    let report = json(&out);
    assert_eq!(report["verdict"], "pass");
    assert_eq!(report["series"][0]["version"], 2);
    assert_eq!(report["summary"]["patches"], 3);
    assert_eq!(report["summary"]["cover_letters"], 1);
    let ids: Vec<&str> = report["patches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(ids[0].starts_with("cover."));
    assert_eq!(report["patches"][1]["series"]["index"], 1);
    assert_eq!(report["patches"][1]["files"][0]["added"], 1);
}

fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r#""version": "[0-9.]+""#, r#""version": "[version]""#);
    settings.add_filter(r"provgate [0-9]+\.[0-9]+\.[0-9]+", "provgate [version]");
    // The digest changes with every change to a preset; tests of the digest live with the policy.
    settings.add_filter(r"sha256:[0-9a-f]{64}", "sha256:[digest]");
    settings.add_filter(r"digest `[0-9a-f]{12}`", "digest `[digest]`");
    settings
}

#[test]
fn report_formats_snapshots() {
    let settings = snapshot_settings();
    for format in ["text", "json", "sarif", "github", "markdown", "email"] {
        let (code, out, _) = provgate(&["check", "--format", format, QEMU[0], QEMU[1], QEMU[2]]);
        assert_eq!(code, 1, "{format}");
        if format == "sarif" {
            sarif_github::assert_github_accepts(&out, "the qemu example's SARIF");
        }
        settings.bind(|| insta::assert_snapshot!(format!("qemu_example_{format}"), out));
    }
}

#[test]
fn sarif_is_valid_and_github_accepts_it() {
    let (_, out, _) = provgate(&["check", "--format", "sarif", QEMU[0], QEMU[1], QEMU[2]]);
    let sarif = json(&out);
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 5, "the waived finding is not a result");
    for result in results {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(sarif["runs"][0]["tool"]["driver"]["rules"][index]["id"], id);
        assert!(result["partialFingerprints"]["provgateFinding/v2"].is_string());
        let physical = &result["locations"][0]["physicalLocation"];
        assert!(physical["artifactLocation"]["uri"].is_string(), "{result}");
        assert!(physical["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    // The published schema and GitHub's ingestion rules (the SARIF multitool), which .ci/run
    // installs.
    sarif_github::assert_github_accepts(&out, "the qemu example's SARIF");
}

#[test]
fn stdin_and_plain_diffs() {
    let mbox = std::fs::read(workspace().join("examples/pit-series.mbox")).unwrap();
    let (code, out, err) = provgate_in(
        &workspace(),
        &["check", "--format", "json", "-"],
        Some(&mbox),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["summary"]["patches"], 3);

    let diff = b"diff --git a/docs/a.rst b/docs/a.rst\n--- a/docs/a.rst\n+++ b/docs/a.rst\n@@ -1 +1 @@\n-a\n+b\n";
    let (code, out, _) = provgate_in(
        &workspace(),
        &["check", "--format", "json", "-"],
        Some(diff),
    );
    let report = json(&out);
    assert_eq!(report["patches"][0]["id"], "-");
    assert_eq!(report["patches"][0]["files"][0]["path"], "docs/a.rst");
    assert_eq!(report["patches"][0]["files"][0]["kind"], "docs");
    // A plain diff has no message, so no trailer rule applies to it.
    assert_eq!(code, 0);
}

#[test]
fn bad_input_is_reported_with_its_line_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(workspace().join("examples/pit-series.mbox")).unwrap();
    let broken = "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n\
        From: A <a@example.org>\nSubject: [PATCH] broken\n\nText.\n\nSigned-off-by: A <a@example.org>\n---\n\
        diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n";
    let path = dir.path().join("mixed.mbox");
    std::fs::write(&path, format!("{broken}{good}")).unwrap();
    let (code, out, err) = provgate_in(
        dir.path(),
        &["check", "--format", "json", "mixed.mbox"],
        None,
    );
    assert_eq!(code, 2, "an unreadable message makes the run an error");
    let report = json(&out);
    assert_eq!(
        report["summary"]["patches"], 3,
        "the good messages are still read"
    );
    assert_eq!(report["errors"][0]["input"], "mixed.mbox");
    assert_eq!(report["errors"][0]["line"], 14);
    assert!(
        err.contains("mixed.mbox:14: hunk is shorter than its header says"),
        "{err}"
    );

    let (code, _, err) = provgate_in(dir.path(), &["check", "no-such-file-or-rev"], None);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-file-or-rev"), "{err}");

    std::fs::write(
        dir.path().join("garbage.bin"),
        [0u8, 159, 146, 150, 255, 0, 1],
    )
    .unwrap();
    let (code, _, err) = provgate_in(
        dir.path(),
        &["check", "--format", "json", "garbage.bin"],
        None,
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("garbage.bin:1: not an e-mail message"),
        "{err}"
    );
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = support::isolated(Command::new("git").current_dir(dir).args(args))
        .env("GIT_AUTHOR_DATE", "2026-06-01T10:00:00+02:00")
        .env("GIT_COMMITTER_DATE", "2026-06-01T10:00:00+02:00")
        .output()
        .expect("git runs");
    support::succeeded(&out)
}

#[test]
fn git_ranges_and_the_default_upstream_range() {
    let dir = tempfile::tempdir().unwrap();
    let origin = dir.path().join("origin");
    std::fs::create_dir(&origin).unwrap();
    git(&origin, &["init", "-q", "-b", "main"]);
    std::fs::write(origin.join("a.c"), "int a;\n").unwrap();
    git(&origin, &["add", "a.c"]);
    git(
        &origin,
        &[
            "commit",
            "-q",
            "-m",
            "base\n\nSigned-off-by: Jane Doe <jane@example.org>",
        ],
    );
    git(dir.path(), &["clone", "-q", "origin", "work"]);
    let work = dir.path().join("work");
    std::fs::write(work.join("a.c"), "int a;\nint b;\n").unwrap();
    std::fs::write(work.join("b.c"), "int c;\n").unwrap();
    git(&work, &["add", "a.c", "b.c"]);
    git(
        &work,
        &[
            "commit",
            "-q",
            "-m",
            "add b\n\nAI-used-for: code\nSigned-off-by: Jane Doe <jane@example.org>",
        ],
    );

    // No input: the commits not on the upstream.
    let (code, out, err) = provgate_in(&work, &["check", "--format", "json"], None);
    assert_eq!(code, 0, "{err}");
    let report = json(&out);
    assert_eq!(report["summary"]["patches"], 1);
    let head = git(&work, &["rev-parse", "HEAD"]);
    assert_eq!(report["patches"][0]["id"], head.trim());
    let numstat = git(&work, &["log", "-1", "--numstat", "--format="]);
    let files: Vec<String> = report["patches"][0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}\t{}\t{}",
                f["added"],
                f["removed"],
                f["path"].as_str().unwrap()
            )
        })
        .collect();
    let git_files: Vec<&str> = numstat.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(files, git_files);

    // An explicit range from another directory.
    let (code, out, _) = provgate_in(
        dir.path(),
        &[
            "check",
            "--repo",
            "work",
            "--format",
            "json",
            "HEAD~1..HEAD",
        ],
        None,
    );
    assert_eq!(code, 0);
    assert_eq!(json(&out)["series"][0]["id"], "HEAD~1..HEAD");

    // No upstream: a clear error, exit 2.
    git(&work, &["checkout", "-q", "-b", "topic"]);
    let (code, _, err) = provgate_in(&work, &["check"], None);
    assert_eq!(code, 2);
    assert!(err.contains("has no upstream"), "{err}");

    let (code, _, err) = provgate_in(&work, &["check", "nonexistent..HEAD"], None);
    assert_eq!(code, 2);
    assert!(err.contains("nonexistent"), "{err}");
}

#[test]
fn explain_init_policy_and_zones() {
    let (code, out, _) = provgate(&["explain", "ai-line-limit"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("ai-line-limit: "));
    assert!(out.contains("How to fix:"));
    let (code, _, err) = provgate(&["explain", "no-such-rule"]);
    assert_eq!(code, 2);
    assert!(err.contains("no rule is named `no-such-rule`"));
    let (code, out, _) = provgate(&["explain", "--list", "--preset", "qemu"]);
    assert_eq!(code, 0);
    assert!(
        out.lines()
            .any(|l| l.contains("ai-line-limit") && l.contains("deny"))
    );

    let dir = tempfile::tempdir().unwrap();
    let (code, _, _) = provgate_in(dir.path(), &["init", "--preset", "qemu"], None);
    assert_eq!(code, 0);
    let written = std::fs::read_to_string(dir.path().join("provgate.toml")).unwrap();
    assert!(written.contains("extends = \"qemu\""));
    let (code, _, err) = provgate_in(dir.path(), &["init", "--preset", "qemu"], None);
    assert_eq!(code, 2, "never overwrites without --force");
    assert!(err.contains("--force"));
    // The written policy is the project's policy from then on.
    let (code, out, _) = provgate_in(dir.path(), &["policy", "show"], None);
    assert_eq!(code, 0);
    assert!(out.contains("digest: sha256:"));

    let (code, out, _) = provgate(&["policy", "render", "--preset", "qemu"]);
    assert_eq!(code, 0);
    assert!(out.contains("AI-used-for"));
    assert!(out.contains("20 lines of code"));

    std::fs::write(
        dir.path().join("provgate.toml"),
        "extends = \"qemu\"\nmode = \"sometimes\"\n",
    )
    .unwrap();
    let (code, _, err) = provgate_in(dir.path(), &["policy", "show"], None);
    assert_eq!(code, 2);
    assert!(err.contains("provgate.toml:2:"), "{err}");

    let (code, out, _) = provgate(&[
        "zones",
        "--repo",
        "examples/qemu",
        "--format",
        "json",
        "hw/core/qdev.c",
        "docs/timer.rst",
    ]);
    assert_eq!(code, 0);
    let zones = json(&out);
    assert_eq!(zones[0]["zones"][0], "core");
    assert_eq!(zones[0]["maintainers"][0], "Carla Core <carla@example.org>");
    assert_eq!(zones[0]["sections"][0]["name"], "Device core");
    assert_eq!(zones[1]["kind"], "docs");
}

#[test]
fn rule_levels_from_the_command_line() {
    let (code, out, _) = provgate(&[
        "check",
        "--format",
        "json",
        "-A",
        "dco-missing-signoff",
        "-A",
        "ai-line-limit",
        "-A",
        "disclosure-wrong-trailer",
        QEMU[0],
        QEMU[1],
        QEMU[2],
    ]);
    assert_eq!(code, 0, "only warnings are left");
    assert_eq!(json(&out)["verdict"], "warn");
    let (code, _, err) = provgate(&["check", "-D", "no-such-rule", "examples/pit-series.mbox"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown rule `no-such-rule`"), "{err}");
}
