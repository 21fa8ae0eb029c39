//! People are not AI, and rules whose premise is missing stay silent: repositories built with
//! git, checked and scanned as a maintainer would.

mod support;

use std::path::Path;

use serde_json::Value;
use support::{git_ok, provgate_at};

fn commit(dir: &Path, path: &str, message: &str) {
    let file = dir.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let mut text = std::fs::read_to_string(&file).unwrap_or_default();
    text.push_str("int x;\n");
    std::fs::write(&file, text).unwrap();
    git_ok(dir, &["add", "-A"]);
    git_ok(dir, &["commit", "-q", "-m", message]);
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git_ok(dir.path(), &["init", "-q", "-b", "main"]);
    for path in ["README", "src/a.c", "src/b.c"] {
        commit(
            dir.path(),
            path,
            "base\n\nSigned-off-by: Jane Doe <jane@example.org>",
        );
    }
    dir
}

fn check_json(dir: &Path, preset: &str, range: &str) -> (i32, Value) {
    let out = provgate_at(
        dir,
        &[
            "check",
            "--preset",
            preset,
            "--no-code",
            "--format",
            "json",
            range,
        ],
    );
    let code = out.status.code().unwrap_or(-1);
    let text = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, json)
}

fn rules_of(report: &Value) -> Vec<String> {
    report["patches"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["findings"].as_array().cloned().unwrap_or_default())
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

const PERSON: &str = "Assisted-by: Junio C Hamano <gitster@pobox.com>";

#[test]
fn a_person_credited_in_assisted_by_is_human_help_under_every_preset() {
    let dir = repo();
    commit(
        dir.path(),
        "src/a.c",
        &format!("fix a\n\n{PERSON}\nSigned-off-by: Jane Doe <jane@example.org>"),
    );
    for preset in [
        "default",
        "linux",
        "mesa",
        "fedora",
        "llvm",
        "openinfra",
        "asf",
        "qemu",
        "qemu-llm-usage",
        "qemu-2025",
        "ban",
    ] {
        let (code, report) = check_json(dir.path(), preset, "HEAD~1..HEAD");
        let patch = &report["patches"][0];
        let ai = &patch["ai"];
        assert_eq!(
            ai["declarations"].as_array().map(Vec::len),
            Some(0),
            "{preset}: {ai}"
        );
        assert_eq!(ai["disclosed"], false, "{preset}");
        assert_eq!(
            ai["human_help"][0]["value"], "Junio C Hamano <gitster@pobox.com>",
            "{preset}: {ai}"
        );
        let rules = rules_of(&report);
        for ai_rule in [
            "disclosure-syntax",
            "disclosure-vocabulary",
            "disclosure-wrong-trailer",
            "disclosure-placement",
            "ai-banned",
            "ai-line-limit",
            "undisclosed-ai",
        ] {
            assert!(
                !rules.iter().any(|r| r == ai_rule),
                "{preset}: {ai_rule} fired on a person: {rules:?}"
            );
        }
        assert_eq!(report["summary"]["ai_assisted"], 0, "{preset}");
        assert_eq!(code, 0, "{preset}: {rules:?}");
    }
    let out = provgate_at(
        dir.path(),
        &["check", "--preset", "linux", "--no-code", "HEAD~1..HEAD"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("human help (not AI): Assisted-by: Junio C Hamano <gitster@pobox.com>"),
        "{text}"
    );
}

#[test]
fn an_ai_model_in_assisted_by_is_still_ai_with_or_without_an_address() {
    let dir = repo();
    commit(
        dir.path(),
        "src/a.c",
        "fix a\n\nAssisted-by: Claude Opus 4.6\nSigned-off-by: Jane Doe <jane@example.org>",
    );
    commit(
        dir.path(),
        "src/b.c",
        "fix b\n\nAssisted-by: Opus 4.7 <noreply@example.org>\nSigned-off-by: Jane Doe <jane@example.org>",
    );
    let (_, report) = check_json(dir.path(), "default", "HEAD~2..HEAD");
    for patch in report["patches"].as_array().unwrap() {
        assert_eq!(patch["ai"]["disclosed"], true, "{patch}");
        assert!(patch["ai"].get("human_help").is_none(), "{patch}");
    }
    assert_eq!(report["summary"]["ai_assisted"], 2);
}

#[test]
fn a_policy_adds_its_own_ai_names() {
    let dir = repo();
    commit(
        dir.path(),
        "src/a.c",
        "fix a\n\nAssisted-by: Acme Helper <helper@acme.example>\nSigned-off-by: Jane Doe <jane@example.org>",
    );
    std::fs::write(
        dir.path().join("provgate.toml"),
        "extends = \"default\"\n[ai]\ntools = [\"Acme Helper\"]\n",
    )
    .unwrap();
    let out = provgate_at(
        dir.path(),
        &["check", "--no-code", "--format", "json", "HEAD~1..HEAD"],
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["patches"][0]["ai"]["disclosed"], true, "{report}");

    std::fs::write(
        dir.path().join("provgate.toml"),
        "extends = \"default\"\n[ai]\nmodels = [\"acme-(\"]\n",
    )
    .unwrap();
    let out = provgate_at(dir.path(), &["check", "--no-code", "HEAD~1..HEAD"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("provgate.toml"), "{err}");
}

#[test]
fn the_scan_counts_ai_use_one_way_on_its_cards_and_charts() {
    let dir = repo();
    commit(
        dir.path(),
        "src/a.c",
        &format!("credit a person\n\n{PERSON}\nSigned-off-by: Jane Doe <jane@example.org>"),
    );
    // Under qemu, `Assisted-by:` is not the disclosure trailer: declared all the same.
    for (i, value) in ["Claude Opus 4.6", "Opus 4.7", "Claude Sonnet 4.5"]
        .iter()
        .enumerate()
    {
        commit(
            dir.path(),
            &format!("src/ai{i}.c"),
            &format!("ai {i}\n\nAssisted-by: {value}\nSigned-off-by: Jane Doe <jane@example.org>"),
        );
    }
    let out = provgate_at(
        dir.path(),
        &["scan", "--preset", "qemu", "--no-cache", "--format", "json"],
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = &report["totals"];
    assert_eq!(t["ai_declared"], 3, "{t}");
    assert_eq!(t["ai_assisted"], 3, "{t}");
    assert_eq!(t["human_help"], 1, "{t}");
    let declared_in_chart: u64 = report["by_tool"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["declared"].as_u64().unwrap())
        .sum();
    assert_eq!(declared_in_chart, 3, "{}", report["by_tool"]);

    let out = provgate_at(
        dir.path(),
        &["scan", "--preset", "qemu", "--no-cache", "--format", "html"],
    );
    let html = String::from_utf8_lossy(&out.stdout);
    for card in [
        "<b>3</b>AI-assisted",
        "<b>3</b>AI declared",
        "<b>1</b>human help credited",
    ] {
        assert!(html.contains(card), "{card} missing");
    }
}

#[test]
fn maintainers_update_is_silent_without_a_maintainers_file_and_says_why() {
    let dir = repo();
    commit(
        dir.path(),
        "src/new.c",
        "add a file\n\nSigned-off-by: Jane Doe <jane@example.org>",
    );
    let (_, report) = check_json(dir.path(), "qemu", "HEAD~1..HEAD");
    assert!(
        !rules_of(&report).iter().any(|r| r == "maintainers-update"),
        "{report}"
    );
    let notes: Vec<String> = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().map_or_else(|| n.to_string(), str::to_string))
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("maintainers-update") && n.contains("no MAINTAINERS file")),
        "{notes:?}"
    );
}

#[test]
fn maintainers_update_fires_only_for_files_no_section_covers() {
    let dir = repo();
    std::fs::write(
        dir.path().join("MAINTAINERS"),
        "Core\nM: Carla Core <carla@example.org>\nS: Maintained\nF: src/core/\nF: src/listed.c\n\nTHE REST\nM: Rest Person <rest@example.org>\nS: Maintained\nF: *\nF: */\n",
    )
    .unwrap();
    commit(
        dir.path(),
        "src/listed.c",
        "listed\n\nSigned-off-by: Jane Doe <jane@example.org>",
    );
    commit(
        dir.path(),
        "src/core/old.c",
        "old\n\nSigned-off-by: Jane Doe <jane@example.org>",
    );

    // Added under a directory an F: pattern covers: nothing to update.
    commit(
        dir.path(),
        "src/core/new.c",
        "add in core\n\nSigned-off-by: Jane Doe <jane@example.org>",
    );
    let (_, report) = check_json(dir.path(), "qemu", "HEAD~1..HEAD");
    assert!(
        !rules_of(&report).iter().any(|r| r == "maintainers-update"),
        "{report}"
    );

    // Added where only THE REST's catch-all reaches: the question is due.
    commit(
        dir.path(),
        "src/other/new.c",
        "add elsewhere\n\nSigned-off-by: Jane Doe <jane@example.org>",
    );
    let (_, report) = check_json(dir.path(), "qemu", "HEAD~1..HEAD");
    assert!(
        rules_of(&report).iter().any(|r| r == "maintainers-update"),
        "{report}"
    );

    // Deleting a file an F: line names by its path leaves a stale line: the question is due.
    git_ok(dir.path(), &["rm", "-q", "src/listed.c"]);
    git_ok(
        dir.path(),
        &[
            "commit",
            "-q",
            "-m",
            "drop listed\n\nSigned-off-by: Jane Doe <jane@example.org>",
        ],
    );
    let (_, report) = check_json(dir.path(), "qemu", "HEAD~1..HEAD");
    assert!(
        rules_of(&report).iter().any(|r| r == "maintainers-update"),
        "{report}"
    );

    // Deleting a file its directory's pattern covers changes nothing in MAINTAINERS.
    git_ok(dir.path(), &["rm", "-q", "src/core/old.c"]);
    git_ok(
        dir.path(),
        &[
            "commit",
            "-q",
            "-m",
            "drop old\n\nSigned-off-by: Jane Doe <jane@example.org>",
        ],
    );
    let (_, report) = check_json(dir.path(), "qemu", "HEAD~1..HEAD");
    assert!(
        !rules_of(&report).iter().any(|r| r == "maintainers-update"),
        "{report}"
    );
}

const MAILMAP: &str = "# who is who\nChristian Couder <christian.couder@gmail.com> <chriscool@tuxfamily.org>\nJane Doe <jane@example.org>\n<new@example.org> <old@example.org>\nProper Name <proper@example.org> Commit Name <shared@example.org>\nProper Name <proper@example.org> <PROPER@Example.org>\n";

#[test]
fn the_mailmap_is_read_as_git_check_mailmap_reads_it() {
    let dir = repo();
    std::fs::write(dir.path().join(".mailmap"), MAILMAP).unwrap();
    let map = provgate_policy::mailmap::Mailmap::parse(MAILMAP);
    for identity in [
        "Christian Couder <chriscool@tuxfamily.org>",
        "C. Couder <ChrisCool@Tuxfamily.ORG>",
        "jane <jane@example.org>",
        "Old Name <old@example.org>",
        "Commit Name <shared@example.org>",
        "commit name <Shared@Example.org>",
        "Someone Else <shared@example.org>",
        "Pro <proper@example.org>",
        "Nobody <nobody@example.org>",
    ] {
        let git = git_ok(dir.path(), &["check-mailmap", identity]);
        let person = provgate_policy::identity::parse_person(identity).unwrap();
        assert_eq!(map.map(&person).to_string(), git.trim(), "{identity}");
    }
}

#[test]
fn a_sign_off_under_another_address_of_the_author_matches_through_the_mailmap() {
    let dir = repo();
    let file = dir.path().join("src/a.c");
    std::fs::write(&file, "int y;\n").unwrap();
    git_ok(dir.path(), &["add", "-A"]);
    git_ok(
        dir.path(),
        &[
            "-c",
            "user.name=Christian Couder",
            "-c",
            "user.email=chriscool@tuxfamily.org",
            "commit",
            "-q",
            "--author=Christian Couder <chriscool@tuxfamily.org>",
            "-m",
            "fix a\n\nSigned-off-by: Christian Couder <christian.couder@gmail.com>",
        ],
    );
    let mismatch = |dir: &Path| {
        let (_, report) = check_json(dir, "default", "HEAD~1..HEAD");
        rules_of(&report).iter().any(|r| r == "dco-author-mismatch")
    };
    assert!(mismatch(dir.path()), "without a .mailmap: two identities");
    std::fs::write(dir.path().join(".mailmap"), MAILMAP).unwrap();
    assert!(!mismatch(dir.path()), "the .mailmap makes them one person");
}
