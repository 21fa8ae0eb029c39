//! Evidence of AI use outside the message: git-ai authorship notes (`refs/notes/ai`, written
//! here with `git notes --ref ai add` in the `authorship/3.0.0` format) and agent branch names,
//! read by `check` and `scan` from a repository the test builds.

mod support;

use std::path::Path;

use serde_json::Value;
use support::{git_ok, provgate_at, succeeded};

const SOB: &str = "Signed-off-by: Jane Doe <jane@example.org>";

/// Writes `lines` lines to `path` and commits everything; the commit id.
fn commit(dir: &Path, path: &str, lines: usize, subject: &str) -> String {
    let file = dir.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    let text: String = (0..lines)
        .map(|i| format!("int {subject}_{i};\n"))
        .collect();
    std::fs::write(&file, text).unwrap();
    git_ok(dir, &["add", "-A"]);
    git_ok(dir, &["commit", "-q", "-m", &format!("{subject}\n\n{SOB}")]);
    git_ok(dir, &["rev-parse", "HEAD"]).trim().to_string()
}

/// The note git-ai writes for a commit whose `src/b.c` lines 2-3 an agent wrote.
fn note(base: &str) -> String {
    format!(
        r#"src/b.c
  0123456789abcdef 2-3
---
{{
  "schema_version": "authorship/3.0.0",
  "git_ai_version": "1.0.23",
  "base_commit_sha": "{base}",
  "prompts": {{
    "0123456789abcdef": {{
      "agent_id": {{"tool": "claude", "id": "6ef2299e-a67f-432b-aa80-3d2fb4d28999", "model": "claude-opus-4-5"}},
      "human_author": "Jane Doe <jane@example.org>",
      "messages": [{{"type": "user", "text": "add b", "timestamp": "2026-06-01T10:00:00Z"}}],
      "total_additions": 2,
      "total_deletions": 0,
      "accepted_lines": 2,
      "overriden_lines": 0
    }}
  }}
}}
"#
    )
}

/// `main` with one commit; `claude/fix-x` with three more: the first with a git-ai note, the
/// second without, the third with a note that does not parse. Returns the four ids.
fn build(dir: &Path) -> [String; 4] {
    git_ok(dir, &["init", "-q", "-b", "main"]);
    let base = commit(dir, "src/a.c", 3, "base");
    git_ok(dir, &["checkout", "-q", "-b", "claude/fix-x"]);
    let noted = commit(dir, "src/b.c", 4, "noted");
    git_ok(
        dir,
        &["notes", "--ref", "ai", "add", "-m", &note(&base), &noted],
    );
    let plain = commit(dir, "src/c.c", 2, "plain");
    let broken = commit(dir, "src/d.c", 1, "broken");
    git_ok(
        dir,
        &[
            "notes",
            "--ref",
            "ai",
            "add",
            "-m",
            "src/d.c\n  zz 1\n",
            &broken,
        ],
    );
    git_ok(dir, &["checkout", "-q", "main"]);
    [base, noted, plain, broken]
}

fn check(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec![
        "check",
        "--preset",
        "default",
        "--no-code",
        "--format",
        "json",
    ];
    all.extend_from_slice(args);
    let out = provgate_at(dir, &all);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json report")
}

fn patch<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["patches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in the report"))
}

/// (location, tool, confidence) of each fingerprint.
fn marks(patch: &Value) -> Vec<(String, String, String)> {
    patch["ai"]["fingerprints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["location"].as_str().unwrap().to_string(),
                f["tool"].as_str().unwrap().to_string(),
                f["confidence"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn rules(patch: &Value) -> Vec<String> {
    patch["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

fn strings(values: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    values
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

#[test]
fn notes_give_evidence_for_exactly_the_lines_and_commits_they_cover() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let [base, noted, plain, broken] = build(dir);

    // By ids: no branch is known, so only the notes speak.
    let report = check(dir, &[&format!("{base}..{broken}")]);
    let p = patch(&report, &noted);
    assert_eq!(
        p["ai"]["authorship"],
        serde_json::json!([{
            "path": "src/b.c", "lines": "2-3", "count": 2, "added": 2, "tool": "Claude Code",
            "agent": "claude", "model": "claude-opus-4-5", "session": "0123456789abcdef"
        }])
    );
    assert_eq!(marks(p), strings(&[("git-ai-note", "Claude Code", "high")]));
    assert_eq!(rules(p), ["undisclosed-ai"]);
    assert_eq!(p["findings"][0]["level"], "warn");

    let p = patch(&report, &plain);
    assert!(p["ai"].get("authorship").is_none(), "{p}");
    assert!(marks(p).is_empty());
    assert!(rules(p).is_empty());

    let p = patch(&report, &broken);
    assert!(
        marks(p).is_empty(),
        "a note that does not parse is no evidence"
    );
    let notes = p["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["kind"], "ai-note");
    assert!(
        notes[0]["message"]
            .as_str()
            .unwrap()
            .contains("does not parse"),
        "{notes:?}"
    );
    assert_eq!(report["summary"]["ai_assisted"], 1);

    // The text report names the note's problem too.
    let out = provgate_at(
        dir,
        &[
            "check",
            "--preset",
            "default",
            "--no-code",
            &format!("{plain}..{broken}"),
        ],
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("note: the git-ai note"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn an_agent_branch_is_a_fingerprint_when_known() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let [_, noted, plain, broken] = build(dir);

    let report = check(dir, &["main..claude/fix-x"]);
    let branch = ("branch", "Claude Code", "medium");
    assert_eq!(
        marks(patch(&report, &noted)),
        strings(&[branch, ("git-ai-note", "Claude Code", "high")])
    );
    for id in [&plain, &broken] {
        let p = patch(&report, id);
        assert_eq!(marks(p), strings(&[branch]));
        assert_eq!(p["ai"]["fingerprints"][0]["marker"], "claude/fix-x");
        // A branch alone is medium confidence: at most a warning.
        assert_eq!(rules(p), ["undisclosed-ai"]);
        assert_eq!(p["findings"][0]["level"], "warn");
    }
    assert_eq!(report["summary"]["ai_assisted"], 3);

    // --branch, as CI knows a pull request's head, over whatever the range says.
    let report = check(
        dir,
        &["--branch", "codex/task", &format!("{noted}..{plain}")],
    );
    assert_eq!(
        marks(patch(&report, &plain)),
        strings(&[("branch", "OpenAI Codex", "medium")])
    );
    let report = check(
        dir,
        &["--branch", "feature/x", &format!("{noted}..{plain}")],
    );
    assert!(marks(patch(&report, &plain)).is_empty());
}

#[test]
fn scan_counts_noted_commits_per_tool() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let [base, _, _, broken] = build(dir);
    let scan = |range: &str| -> Value {
        let out = provgate_at(
            dir,
            &["scan", "--preset", "default", "--format", "json", range],
        );
        serde_json::from_str(&succeeded(&out)).expect("json scan")
    };
    let tools = |report: &Value| -> Vec<(String, u64)> {
        report["by_tool"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["tool"].as_str().unwrap().to_string(),
                    t["fingerprinted"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let report = scan(&format!("{base}..{broken}"));
    assert_eq!(tools(&report), [("Claude Code".to_string(), 1)]);
    assert_eq!(
        report["totals"]["ai_fingerprints"], 1,
        "{}",
        report["totals"]
    );
    // Again, with the cache: the two commits with notes (one of them broken) are read afresh,
    // the third comes from it.
    let again = scan(&format!("{base}..{broken}"));
    assert_eq!(tools(&again), tools(&report));
    assert_eq!(again["totals"]["cached"], 1, "{}", again["totals"]);

    let report = scan("main..claude/fix-x");
    assert_eq!(tools(&report), [("Claude Code".to_string(), 3)]);
}
