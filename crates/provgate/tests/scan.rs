//! `provgate scan` on a history built for it: every count of the JSON report asserted exactly,
//! the cache, and the HTML report rendered in a real headless browser.

mod support;

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

fn git(dir: &Path, date: &str, args: &[&str]) {
    let out = support::isolated(Command::new("git").current_dir(dir).args(args))
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("git runs");
    support::succeeded(&out);
}

/// Writes `lines` lines to `path` and commits everything with `message` on `date`.
fn commit(dir: &Path, date: &str, path: &str, lines: usize, message: &str) {
    let file = dir.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let mut text = std::fs::read_to_string(&file).unwrap_or_default();
    for i in 0..lines {
        text.push_str(&format!("int {}_{i};\n", path.replace(['/', '.'], "_")));
    }
    std::fs::write(&file, text).unwrap();
    git(dir, date, &["add", "-A"]);
    git(dir, date, &["commit", "-q", "-m", message]);
}

const SOB: &str = "Signed-off-by: Jane Doe <jane@example.org>";

/// Seven non-merge commits and one merge, over three months. Under `qemu`, every new `.c` file
/// without an SPDX line draws `spdx-missing` (deny); `maintainers-update` stays silent, as the
/// history has no MAINTAINERS file:
///
/// | # | month | adds | trailers | default | qemu |
/// |---|---|---|---|---|---|
/// | 1 | 01 | src/a.c | sign-off | pass | fail: spdx |
/// | 2 | 01 | — | AI-used-for: code, sign-off | pass (declared) | pass (declared) |
/// | 3 | 02 | tests/t.c | Assisted-by, sign-off | pass (declared) | fail: wrong trailer, spdx |
/// | 4 | 02 | src/b.c | Co-authored-by Copilot address, sign-off | pass (declared; fingerprint) | fail: wrong trailer, spdx |
/// | 5 | 03 | docs/a.rst | no sign-off | fail: dco | fail: dco |
/// | 6 | 03 | src/c.c | "Generated with [Claude Code]" line, sign-off | warn: undisclosed | fail: undisclosed, spdx |
/// | 7 | 03 | src/d.c | sign-off (on a side branch, merged) | pass | fail: spdx |
fn build_history(dir: &Path) {
    git(
        dir,
        "2026-01-05T10:00:00+00:00",
        &["init", "-q", "-b", "main"],
    );
    commit(
        dir,
        "2026-01-05T10:00:00+00:00",
        "src/a.c",
        3,
        &format!("base\n\n{SOB}"),
    );
    commit(
        dir,
        "2026-01-20T10:00:00+00:00",
        "src/a.c",
        2,
        &format!("fix a\n\nAI-used-for: code\n{SOB}"),
    );
    commit(
        dir,
        "2026-02-03T10:00:00+00:00",
        "tests/t.c",
        4,
        &format!("test a\n\nAssisted-by: Claude:claude-opus-4.6\n{SOB}"),
    );
    commit(
        dir,
        "2026-02-10T10:00:00+00:00",
        "src/b.c",
        5,
        &format!(
            "add b\n\n{SOB}\nCo-authored-by: Copilot <223556219+Copilot@users.noreply.github.com>"
        ),
    );
    commit(
        dir,
        "2026-03-01T10:00:00+00:00",
        "docs/a.rst",
        1,
        "document a",
    );
    commit(
        dir,
        "2026-03-02T10:00:00+00:00",
        "src/c.c",
        6,
        &format!("add c\n\n🤖 Generated with [Claude Code](https://claude.ai/code)\n\n{SOB}"),
    );
    git(
        dir,
        "2026-03-03T10:00:00+00:00",
        &["checkout", "-q", "-b", "side", "HEAD~1"],
    );
    commit(
        dir,
        "2026-03-03T10:00:00+00:00",
        "src/d.c",
        2,
        &format!("add d\n\n{SOB}"),
    );
    git(
        dir,
        "2026-03-04T10:00:00+00:00",
        &["checkout", "-q", "main"],
    );
    git(
        dir,
        "2026-03-04T10:00:00+00:00",
        &["merge", "-q", "--no-ff", "-m", "merge side", "side"],
    );
}

fn scan(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("provgate")
        .unwrap()
        .current_dir(dir)
        .arg("scan")
        .args(args)
        .env("PROVGATE_TODAY", "2026-04-01")
        .output()
        .unwrap();
    assert!(
        out.status.code() == Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (0, String::from_utf8_lossy(&out.stdout).into_owned())
}

fn num(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn every_count_of_the_scan_report() {
    let repo = tempfile::tempdir().unwrap();
    build_history(repo.path());
    let (_, out) = scan(
        repo.path(),
        &[
            "--preset", "default", "--preset", "qemu", "--format", "json",
        ],
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["schema"], "provgate/scan/v1");
    let t = &report["totals"];
    assert_eq!(num(&t["commits"]), 7);
    assert_eq!(num(&t["merges_skipped"]), 1);
    assert_eq!(num(&t["unreadable"]), 0);
    assert_eq!(num(&t["ai_declared"]), 3, "commits 2, 3, 4");
    assert_eq!(num(&t["ai_fingerprints"]), 2, "commits 4 and 6");
    assert_eq!(num(&t["ai_undisclosed"]), 1, "commit 6");
    assert_eq!(num(&t["dco_missing"]), 1, "commit 5");
    assert_eq!(
        num(&t["failed"]),
        1,
        "under default only the missing sign-off fails"
    );
    assert_eq!(num(&t["lines_added"]), 3 + 2 + 4 + 5 + 1 + 6 + 2);
    assert_eq!(num(&t["ai_lines_added"]), 2 + 4 + 5 + 6);

    let months: Vec<(String, u64, u64, u64)> = report["by_month"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["month"].as_str().unwrap().to_string(),
                num(&m["commits"]),
                num(&m["ai_commits"]),
                num(&m["dco_missing"]),
            )
        })
        .collect();
    assert_eq!(
        months,
        vec![
            ("2026-01".to_string(), 2, 1, 0),
            ("2026-02".to_string(), 2, 2, 0),
            ("2026-03".to_string(), 3, 1, 1),
        ]
    );

    let kinds: Vec<(String, u64, u64)> = report["by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["name"].as_str().unwrap().to_string(),
                num(&k["commits"]),
                num(&k["ai_commits"]),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("code".to_string(), 5, 3),
            ("tests".to_string(), 1, 1),
            ("docs".to_string(), 1, 0),
        ]
    );

    let tools: Vec<(String, u64, u64)> = report["by_tool"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["tool"].as_str().unwrap().to_string(),
                num(&k["declared"]),
                num(&k["fingerprinted"]),
            )
        })
        .collect();
    assert_eq!(
        tools,
        vec![
            ("GitHub Copilot".to_string(), 1, 1),
            ("AI-used-for (no tool named)".to_string(), 1, 0),
            ("Claude Code".to_string(), 0, 1),
            ("Claude:claude-opus-4.6".to_string(), 1, 0),
        ]
    );

    let sims: Vec<(String, u64, u64, u64, u64)> = report["simulation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["policy"].as_str().unwrap().to_string(),
                num(&s["failed"]),
                num(&s["failed_ai"]),
                num(&s["ai_commits"]),
                num(&s["warned"]),
            )
        })
        .collect();
    assert_eq!(
        sims,
        vec![
            ("default".to_string(), 1, 0, 4, 1),
            ("qemu".to_string(), 6, 3, 4, 0),
        ]
    );
    let rules: Vec<(String, Vec<u64>)> = report["by_rule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rule"].as_str().unwrap().to_string(),
                r["commits"].as_array().unwrap().iter().map(num).collect(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        vec![
            // No maintainers-update: the history has no MAINTAINERS file to update.
            ("spdx-missing".to_string(), vec![0, 5]),
            ("dco-missing-signoff".to_string(), vec![1, 1]),
            ("disclosure-wrong-trailer".to_string(), vec![0, 2]),
            ("undisclosed-ai".to_string(), vec![1, 1]),
        ]
    );

    // A second scan reads nothing: every commit comes from the cache, with the same figures.
    let (_, again) = scan(
        repo.path(),
        &[
            "--preset", "default", "--preset", "qemu", "--format", "json",
        ],
    );
    let again: Value = serde_json::from_str(&again).unwrap();
    assert_eq!(num(&again["totals"]["cached"]), 7);
    assert_eq!(again["by_month"], report["by_month"]);
    assert_eq!(again["simulation"], report["simulation"]);

    // A new commit: only it is read.
    commit(
        repo.path(),
        "2026-03-20T10:00:00+00:00",
        "src/e.c",
        1,
        &format!("add e\n\n{SOB}"),
    );
    let (_, third) = scan(
        repo.path(),
        &[
            "--preset", "default", "--preset", "qemu", "--format", "json",
        ],
    );
    let third: Value = serde_json::from_str(&third).unwrap();
    assert_eq!(num(&third["totals"]["commits"]), 8);
    assert_eq!(num(&third["totals"]["cached"]), 7);
}

#[test]
fn html_report_renders_in_a_browser() {
    let repo = tempfile::tempdir().unwrap();
    build_history(repo.path());
    let html = repo.path().join("report.html");
    scan(
        repo.path(),
        &[
            "--preset",
            "qemu",
            "--preset",
            "default",
            "--format",
            "html",
            "-o",
            html.to_str().unwrap(),
            "--commit-url",
            "https://example.org/commit/{id}",
        ],
    );
    let text = std::fs::read_to_string(&html).unwrap();
    let (_, json) = scan(
        repo.path(),
        &[
            "--preset", "qemu", "--preset", "default", "--format", "json",
        ],
    );
    let findings = serde_json::from_str::<Value>(&json).unwrap()["findings"]
        .as_array()
        .unwrap()
        .len();
    assert!(
        !text.contains("http://") && !text.contains("<script"),
        "self-contained, no script"
    );

    let Some(browser) = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| Command::new(b).arg("--version").output().is_ok())
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium (see .ci/run)"
        );
        eprintln!("no headless browser found: the browser check did not run");
        return;
    };
    let profile = tempfile::tempdir().unwrap();
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];
    let url = format!("file://{}", html.display());
    let dom = Command::new(browser)
        .args(common)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--dump-dom", &url])
        .output()
        .expect("browser runs");
    let dom = String::from_utf8_lossy(&dom.stdout);
    // What the browser built: both month charts with their bars, the tables with their rows.
    for id in ["timeline", "lines", "kinds", "tools"] {
        assert!(dom.contains(&format!("id=\"{id}\"")), "chart {id} missing");
    }
    assert!(
        dom.matches("class=\"bar ai\"").count() >= 6,
        "AI bars drawn"
    );
    assert!(dom.contains("<table id=\"findings\">"));
    assert_eq!(
        dom.matches("https://example.org/commit/").count(),
        findings,
        "one linked row per finding"
    );
    assert!(
        dom.contains("had `qemu` been in force, 3 of the 4 AI-assisted commits would have failed")
    );

    let shot_dir = std::env::var_os("PROVGATE_SCREENSHOT_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| profile.path().to_path_buf());
    std::fs::create_dir_all(&shot_dir).unwrap();
    let shot = shot_dir.join("scan-report.png");
    let status = Command::new(browser)
        .args(common)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", shot.display()))
        .args(["--window-size=1100,1600", &url])
        .output()
        .expect("browser runs");
    assert!(status.status.success());
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a real picture"
    );
}

/// `--code` reads each commit's added code against the tree it applies to: a call that exists
/// in the history is fine, an unsafe one and one to a name defined nowhere are findings; without
/// `--code` neither is.
#[test]
fn scan_with_code_reads_each_commit_against_its_own_tree() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let date = "2026-02-01T10:00:00+00:00";
    git(root, date, &["init", "-q", "-b", "main"]);
    let write = |text: &str| std::fs::write(root.join("lib.c"), text).unwrap();
    write("int helper(int x)\n{\n    return x + 1;\n}\n");
    git(root, date, &["add", "-A"]);
    git(
        root,
        date,
        &["commit", "-q", "-m", &format!("helper\n\n{SOB}")],
    );
    write(
        "int helper(int x)\n{\n    return x + 1;\n}\n\nint user(void)\n{\n    return helper(1);\n}\n",
    );
    git(
        root,
        date,
        &["commit", "-qam", &format!("use helper\n\n{SOB}")],
    );
    write(
        "int helper(int x)\n{\n    return x + 1;\n}\n\nint user(void)\n{\n    return helper(1);\n}\n\nvoid copy(char *d, const char *s)\n{\n    strcpy(d, s);\n    helpr(2);\n}\n",
    );
    git(root, date, &["commit", "-qam", &format!("copy\n\n{SOB}")]);

    let rules = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["--no-cache", "--preset", "default", "--format", "json"];
        all.extend_from_slice(args);
        let (_, out) = scan(root, &all);
        let report: Value = serde_json::from_str(&out).unwrap();
        let mut rules: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{} {}", f["rule"].as_str().unwrap(), f["line"]))
            .collect();
        rules.sort();
        rules
    };
    assert_eq!(
        rules(&["--code"]),
        ["insecure-call 13", "unknown-symbol 14"],
        "strcpy and the misspelt helper in the third commit, nothing in the second"
    );
    assert_eq!(rules(&[]), Vec::<String>::new());
}
