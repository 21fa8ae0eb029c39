//! MAINTAINERS `K:` keywords in `zones` (matched against a file's content, as
//! `get_maintainer.pl -f FILE`) and `check` (matched against the lines a patch adds and removes,
//! as get_maintainer.pl reads a patch), in a repository built by the test.

mod support;

use std::path::Path;

use serde_json::Value;
use support::{git_ok, provgate_at};

const MAINTAINERS: &str = "\
FROB LIBRARY
M:\tFran Frob <fran@example.org>
S:\tMaintained
F:\tlib/frob/
K:\t\\bfrob_[a-z]+\\(

THE REST
M:\tRex Rest <rex@example.org>
S:\tMaintained
F:\t*
F:\t*/
";

const POLICY: &str = "\
extends = \"qemu\"

[[zone]]
name = \"frob\"
tier = \"protected\"
sections = [\"FROB LIBRARY\"]
";

const MAIN_C: &str = "int main(void)\n{\n    return 0;\n}\n";

/// A repository with the MAINTAINERS file and policy above and two source files, one calling
/// the frob library.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git_ok(root, &["init", "-q", "-b", "main"]);
    std::fs::write(root.join("MAINTAINERS"), MAINTAINERS).unwrap();
    std::fs::write(root.join("provgate.toml"), POLICY).unwrap();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("src/main.c"), MAIN_C).unwrap();
    std::fs::write(
        root.join("src/user.c"),
        "#include \"frob.h\"\nvoid use(void)\n{\n    frob_init(1);\n}\n",
    )
    .unwrap();
    git_ok(root, &["add", "."]);
    git_ok(root, &["commit", "-q", "-m", "start"]);
    dir
}

/// Commits `content` as `src/main.c`, AI-assisted and signed off.
fn commit_main(root: &Path, content: &str) {
    std::fs::write(root.join("src/main.c"), content).unwrap();
    git_ok(root, &["add", "."]);
    git_ok(
        root,
        &[
            "commit",
            "-q",
            "-m",
            "src: change main\n\nAI-used-for: code\nSigned-off-by: Jane Doe <jane@example.org>",
        ],
    );
}

fn json(out: &std::process::Output) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\n{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn zones_json(root: &Path, args: &[&str]) -> Value {
    let mut all = vec!["zones", "--format", "json"];
    all.extend_from_slice(args);
    let out = provgate_at(root, &all);
    assert!(out.status.success(), "{out:?}");
    json(&out)
}

#[test]
fn zones_adds_sections_whose_keywords_match_the_content() {
    let dir = repo();
    let root = dir.path();
    let v = zones_json(root, &["src/user.c"]);
    let info = &v[0];
    assert_eq!(info["zones"], serde_json::json!(["frob"]));
    assert_eq!(info["tier"], "protected");
    assert_eq!(
        info["sections"],
        serde_json::json!([
            {"name": "THE REST", "status": "Maintained"},
            {"name": "FROB LIBRARY", "status": "Maintained", "matched-by": "keyword",
             "keyword": "\\bfrob_[a-z]+\\("},
        ])
    );
    // Keyword sections come after the path's, as get_maintainer.pl prints them.
    assert_eq!(
        info["maintainers"],
        serde_json::json!(["Rex Rest <rex@example.org>", "Fran Frob <fran@example.org>"])
    );

    let out = provgate_at(root, &["zones", "src/user.c"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "  section: FROB LIBRARY (Maintained), only by its K: keyword `\\bfrob_[a-z]+\\(` in the content\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("  maintainer: Fran Frob <fran@example.org>\n"),
        "{text}"
    );

    // A section matched by its path says nothing more.
    let v = zones_json(root, &["lib/frob/frob.c"]);
    assert_eq!(
        v[0]["sections"][0],
        serde_json::json!({"name": "FROB LIBRARY", "status": "Maintained"})
    );
}

#[test]
fn zones_near_misses_and_switching_keywords_off() {
    let dir = repo();
    let root = dir.path();
    // No call of the library: THE REST alone.
    let v = zones_json(root, &["src/main.c"]);
    assert_eq!(v[0]["zones"], serde_json::json!([]));
    assert_eq!(
        v[0]["sections"],
        serde_json::json!([{"name": "THE REST", "status": "Maintained"}])
    );
    // `--no-keywords`: paths alone, as get_maintainer.pl --nokeywords.
    let v = zones_json(root, &["--no-keywords", "src/user.c"]);
    assert_eq!(v[0]["zones"], serde_json::json!([]));
    assert_eq!(
        v[0]["maintainers"],
        serde_json::json!(["Rex Rest <rex@example.org>"])
    );
    // A path that is not a file has no content to match.
    let v = zones_json(root, &["src/none.c"]);
    assert_eq!(v[0]["zones"], serde_json::json!([]));
    // The policy's switch.
    std::fs::write(
        root.join("provgate.toml"),
        format!("{POLICY}\n[zones]\nmaintainers-keywords = false\n"),
    )
    .unwrap();
    let v = zones_json(root, &["src/user.c"]);
    assert_eq!(v[0]["zones"], serde_json::json!([]));
}

#[test]
fn a_keyword_that_cannot_be_evaluated_is_a_warning() {
    let dir = repo();
    let root = dir.path();
    std::fs::write(
        root.join("MAINTAINERS"),
        MAINTAINERS.replace("K:\t\\bfrob", "K:\t(unclosed\nK:\t\\bfrob"),
    )
    .unwrap();
    let out = provgate_at(root, &["zones", "--format", "json", "src/user.c"]);
    assert!(out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("MAINTAINERS line 5: `K:` pattern `(unclosed` does not compile"),
        "{err}"
    );
    // The other keyword still works.
    assert_eq!(json(&out)[0]["zones"], serde_json::json!(["frob"]));
}

fn check(root: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["check", "--no-code", "--format", "json", "HEAD^..HEAD"];
    args.extend_from_slice(extra);
    let out = provgate_at(root, &args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out)
}

fn findings(report: &Value, rule: &str) -> Vec<Value> {
    report["patches"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .cloned()
        .collect()
}

#[test]
fn check_applies_sections_whose_keywords_match_added_or_removed_lines() {
    let dir = repo();
    let root = dir.path();
    commit_main(
        root,
        "int main(void)\n{\n    frob_start(2);\n    return 0;\n}\n",
    );
    let report = check(root, &[]);
    assert_eq!(
        report["patches"][0]["files"][0]["zones"],
        serde_json::json!(["frob"])
    );
    let found = findings(&report, "protected-zone");
    assert_eq!(found.len(), 1, "{report:#}");
    let help = found[0]["help"].as_str().unwrap();
    assert!(help.contains("Fran Frob <fran@example.org>"), "{help}");

    // Removing the call is a change get_maintainer.pl sends to the section too.
    commit_main(root, MAIN_C);
    let report = check(root, &[]);
    assert_eq!(
        report["patches"][0]["files"][0]["zones"],
        serde_json::json!(["frob"])
    );

    // `--no-keywords`: the section is not applied.
    let report = check(root, &["--no-keywords"]);
    assert_eq!(
        report["patches"][0]["files"][0]["zones"],
        serde_json::json!([])
    );
    assert!(findings(&report, "protected-zone").is_empty());
}

#[test]
fn check_near_misses() {
    let dir = repo();
    let root = dir.path();
    // Not a call of the library (`\b` and the parenthesis are part of the keyword).
    commit_main(
        root,
        "int main(void)\n{\n    unfrob_start(2);\n    int frob_count = 1;\n    return 0;\n}\n",
    );
    let report = check(root, &[]);
    assert_eq!(
        report["patches"][0]["files"][0]["zones"],
        serde_json::json!([])
    );
    assert!(findings(&report, "protected-zone").is_empty());

    // The call only in the context of the change: get_maintainer.pl matches `^[+-].*KEYWORD`, so
    // unchanged lines do not count.
    commit_main(
        root,
        "int main(void)\n{\n    frob_start(2);\n    return 0;\n}\n",
    );
    commit_main(
        root,
        "int main(void)\n{\n    frob_start(2);\n    return 1;\n}\n",
    );
    let report = check(root, &[]);
    assert_eq!(
        report["patches"][0]["files"][0]["zones"],
        serde_json::json!([])
    );
}
