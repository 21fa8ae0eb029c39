//! `check --base-policy REV`: the policy file, MAINTAINERS and `.mailmap` are read at the base a
//! change applies to, so that the change cannot loosen the policy that judges it nor name its own
//! zone maintainers; the report says so in every format that carries notes.

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::{git_ok, provgate_at};
use tempfile::TempDir;

/// Commits everything in `repo` with `message`.
fn commit(repo: &Path, message: &str) {
    git_ok(repo, &["add", "-A"]);
    git_ok(repo, &["commit", "-q", "-m", message]);
}

fn write(repo: &Path, path: &str, text: &str) {
    let file = repo.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
}

fn new_repo(temp: &TempDir) -> PathBuf {
    let repo = temp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    git_ok(&repo, &["init", "-q", "-b", "main"]);
    repo
}

/// A base whose policy declines AI-generated content (QEMU's policy in force), then a change
/// that first relaxes it to the default and then adds three commits declaring AI help.
pub fn loosening_repo() -> (TempDir, PathBuf) {
    let temp = TempDir::new().unwrap();
    let repo = new_repo(&temp);
    write(&repo, "provgate.toml", "extends = \"qemu-2025\"\n");
    write(&repo, "README", "a project\n");
    commit(&repo, "init\n\nSigned-off-by: Jane Doe <jane@example.org>");
    git_ok(&repo, &["tag", "base"]);
    write(&repo, "provgate.toml", "extends = \"default\"\n");
    commit(
        &repo,
        "policy: follow the default\n\nSigned-off-by: Jane Doe <jane@example.org>",
    );
    for i in 0..3 {
        write(
            &repo,
            &format!("f{i}.c"),
            &format!(
                "// SPDX-License-Identifier: GPL-2.0-or-later\nint f{i}(void) {{ return {i}; }}\n"
            ),
        );
        commit(
            &repo,
            &format!(
                "f{i}: add\n\nAssisted-by: Claude:claude-opus-4\nSigned-off-by: Jane Doe <jane@example.org>"
            ),
        );
    }
    (temp, repo)
}

/// A base whose policy protects the `core` MAINTAINERS section (agreement by `Acked-by:` from a
/// zone maintainer, Alice), then a change that adds Mallory as a maintainer of the section and
/// acks its own AI-assisted change to a core file as Mallory.
pub fn self_ack_repo() -> (TempDir, PathBuf) {
    let temp = TempDir::new().unwrap();
    let repo = new_repo(&temp);
    write(
        &repo,
        "provgate.toml",
        "extends = \"qemu\"\n\n[[zone]]\nname = \"core\"\ntier = \"protected\"\nsections = [\"Core\"]\n\n[agreement]\ntrailers = [\"Acked-by\"]\nfrom = \"zone-maintainer\"\n",
    );
    write(
        &repo,
        "MAINTAINERS",
        "Core\nM:\tAlice Keeper <alice@example.org>\nS:\tMaintained\nF:\tcore/\n",
    );
    write(
        &repo,
        "core/x.c",
        "// SPDX-License-Identifier: GPL-2.0-or-later\nint x(void) { return 0; }\n",
    );
    commit(&repo, "init\n\nSigned-off-by: Jane Doe <jane@example.org>");
    git_ok(&repo, &["tag", "base"]);
    write(
        &repo,
        "MAINTAINERS",
        "Core\nM:\tAlice Keeper <alice@example.org>\nM:\tMallory Puppet <mallory@example.org>\nS:\tMaintained\nF:\tcore/\n",
    );
    commit(
        &repo,
        "MAINTAINERS: add Mallory to Core\n\nSigned-off-by: Jane Doe <jane@example.org>",
    );
    write(
        &repo,
        "core/x.c",
        "// SPDX-License-Identifier: GPL-2.0-or-later\nint x(void) { return 1; }\n",
    );
    commit(
        &repo,
        "core: return 1\n\nAI-used-for: code\nAcked-by: Mallory Puppet <mallory@example.org>\nSigned-off-by: Jane Doe <jane@example.org>",
    );
    (temp, repo)
}

fn json(repo: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    report_in(repo, "json", extra)
}

fn report_in(repo: &Path, format: &str, extra: &[&str]) -> (Option<i32>, Value) {
    let out = provgate_at(
        repo,
        &[
            &["check", "--no-code", "--format", format][..],
            extra,
            &["base..HEAD"],
        ]
        .concat(),
    );
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{format} report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), report)
}

fn notes(report: &Value) -> Vec<String> {
    report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

fn rules(report: &Value) -> Vec<String> {
    report["patches"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["findings"].as_array().unwrap())
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_change_cannot_loosen_the_policy_that_judges_it() {
    let (_temp, repo) = loosening_repo();
    // From the work tree, the change's own policy judges it: the hole this option closes.
    let (status, own) = json(&repo, &[]);
    assert_eq!(status, Some(0));
    assert_eq!(own["policy"]["extends"], "default");

    let (status, report) = json(&repo, &["--base-policy", "base"]);
    assert_eq!(status, Some(1), "{report}");
    assert_eq!(report["policy"]["extends"], "qemu-2025");
    assert_eq!(report["policy"]["origin"], "base:provgate.toml");
    assert_eq!(report["summary"]["failed"], 3);
    assert_eq!(
        rules(&report).iter().filter(|r| *r == "ai-banned").count(),
        3
    );
    let base = git_ok(&repo, &["rev-parse", "base"]);
    let notes = notes(&report);
    assert!(
        notes
            .iter()
            .any(|n| n.contains(&base[..12]) && n.contains("the base the change applies to")),
        "{notes:?}"
    );
    let edit = git_ok(&repo, &["rev-parse", "HEAD~3"]);
    assert!(
        notes.iter().any(|n| n
            == &format!(
                "this change edits the policy (provgate.toml, in {}); it was judged under the base's",
                &edit[..12]
            )),
        "{notes:?}"
    );

    // Code scanning is told too: the notes travel as the run's notifications.
    let (status, sarif) = report_in(&repo, "sarif", &["--base-policy", "base"]);
    assert_eq!(status, Some(1));
    let told: Vec<&str> = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .map(|n| n["message"]["text"].as_str().unwrap())
        .collect();
    for note in &notes {
        assert!(told.contains(&note.as_str()), "{note} in {told:?}");
    }
}

#[test]
fn a_change_cannot_name_its_own_zone_maintainer() {
    let (_temp, repo) = self_ack_repo();
    let (status, own) = json(&repo, &[]);
    assert_eq!(
        status,
        Some(0),
        "Mallory's ack counts under the change's MAINTAINERS: {own}"
    );

    let (status, report) = json(&repo, &["--base-policy", "base"]);
    assert_eq!(status, Some(1), "{report}");
    assert_eq!(rules(&report), ["protected-zone"], "{report}");
    let notes = notes(&report);
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("this change edits the MAINTAINERS file (MAINTAINERS, in ")),
        "{notes:?}"
    );

    // Alice's ack, a maintainer at the base, is agreement.
    git_ok(
        &repo,
        &[
            "commit",
            "-q",
            "--amend",
            "-m",
            "core: return 1\n\nAI-used-for: code\nAcked-by: Alice Keeper <alice@example.org>\nSigned-off-by: Jane Doe <jane@example.org>",
        ],
    );
    let (status, report) = json(&repo, &["--base-policy", "base"]);
    assert_eq!(status, Some(0), "{report}");
}

#[test]
fn text_markdown_email_and_github_say_where_the_policy_was_read() {
    let (_temp, repo) = loosening_repo();
    let text = provgate_at(
        &repo,
        &[
            "check",
            "--no-code",
            "--base-policy",
            "base",
            "--color",
            "never",
            "base..HEAD",
        ],
    );
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("note: this change edits the policy (provgate.toml, in "),
        "{text}"
    );
    assert!(text.contains("(base:provgate.toml)"), "{text}");
    let markdown = provgate_at(
        &repo,
        &[
            "check",
            "--no-code",
            "--base-policy",
            "base",
            "--format",
            "markdown",
            "base..HEAD",
        ],
    );
    let markdown = String::from_utf8(markdown.stdout).unwrap();
    assert!(
        markdown.contains("this change edits the policy"),
        "{markdown}"
    );
    let email = provgate_at(
        &repo,
        &[
            "check",
            "--no-code",
            "--base-policy",
            "base",
            "--format",
            "email",
            "base..HEAD",
        ],
    );
    let email = String::from_utf8(email.stdout).unwrap();
    assert!(
        email.contains("\nNote: this change edits the policy"),
        "{email}"
    );
    let github = provgate_at(
        &repo,
        &[
            "check",
            "--no-code",
            "--base-policy",
            "base",
            "--format",
            "github",
            "base..HEAD",
        ],
    );
    let github = String::from_utf8(github.stdout).unwrap();
    assert!(
        github.contains("::notice title=provgate notes::")
            && github.contains("%0Athis change edits the policy"),
        "{github}"
    );
}

#[test]
fn a_policy_file_named_inside_the_repository_is_read_at_the_base_too() {
    let (_temp, repo) = loosening_repo();
    let (status, report) = json(
        &repo,
        &["--base-policy", "base", "--policy", "provgate.toml"],
    );
    assert_eq!(status, Some(1), "{report}");
    assert_eq!(report["policy"]["origin"], "base:provgate.toml");
    // A preset is the caller's choice, not the change's.
    let (status, report) = json(&repo, &["--base-policy", "base", "--preset", "default"]);
    assert_eq!(status, Some(0), "{report}");
    assert_eq!(report["policy"]["origin"], "preset default");
}

#[test]
fn a_base_that_is_not_there_is_an_error_with_a_hint() {
    let (_temp, repo) = loosening_repo();
    let out = provgate_at(
        &repo,
        &[
            "check",
            "--no-code",
            "--base-policy",
            "nosuchbranch",
            "base..HEAD",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("--base-policy nosuchbranch: unknown revision `nosuchbranch`")
            && stderr.contains("hint: "),
        "{stderr}"
    );
}

#[test]
fn a_symbolic_link_at_the_base_is_not_followed() {
    let temp = TempDir::new().unwrap();
    let repo = new_repo(&temp);
    std::os::unix::fs::symlink("/etc/hostname", repo.join("provgate.toml")).unwrap();
    commit(&repo, "init\n\nSigned-off-by: Jane Doe <jane@example.org>");
    let out = provgate_at(
        &repo,
        &["check", "--no-code", "--base-policy", "HEAD", "HEAD"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("HEAD:provgate.toml") && stderr.contains("symbolic link"),
        "{stderr}"
    );
}

/// `--color` reaches clap's own messages: `always` colours a usage error even into a pipe, and
/// `never` leaves it plain.
#[test]
fn the_color_flag_reaches_usage_errors() {
    let temp = TempDir::new().unwrap();
    let stderr = |color: &str| {
        let out = provgate_at(temp.path(), &["check", "--color", color, "--no-such-flag"]);
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8(out.stderr).unwrap()
    };
    assert!(stderr("always").contains('\u{1b}'));
    let plain = stderr("never");
    assert!(
        !plain.contains('\u{1b}') && plain.contains("--no-such-flag"),
        "{plain:?}"
    );
}

/// A base whose policy lives in `policies/p.toml` and declines AI-generated content; `change`
/// then edits the work tree (committed), and three commits declaring AI help follow.
fn policies_dir_repo(change: impl Fn(&Path, &Path)) -> (TempDir, PathBuf) {
    let temp = TempDir::new().unwrap();
    let repo = new_repo(&temp);
    write(&repo, "policies/p.toml", "extends = \"qemu-2025\"\n");
    commit(&repo, "init\n\nSigned-off-by: Jane Doe <jane@example.org>");
    git_ok(&repo, &["tag", "base"]);
    change(temp.path(), &repo);
    commit(
        &repo,
        "policies: move\n\nSigned-off-by: Jane Doe <jane@example.org>",
    );
    for i in 0..3 {
        write(
            &repo,
            &format!("f{i}.c"),
            &format!(
                "// SPDX-License-Identifier: GPL-2.0-or-later\nint f{i}(void) {{ return {i}; }}\n"
            ),
        );
        commit(
            &repo,
            &format!(
                "f{i}: add\n\nAssisted-by: Claude:claude-opus-4\nSigned-off-by: Jane Doe <jane@example.org>"
            ),
        );
    }
    (temp, repo)
}

/// Whether a `--policy` file is inside the repository is decided from its path as written: a
/// change that replaces `policies/` by a link out of the repository does not get its policy read
/// from disk (it used to: the link was followed and the file taken as the caller's own), and a
/// change that deletes `policies/` does not make the check fail (it used to: "not inside").
#[test]
fn a_policy_directory_the_change_links_away_or_deletes_is_still_read_at_the_base() {
    let linked = policies_dir_repo(|temp, repo| {
        write(temp, "elsewhere/p.toml", "extends = \"default\"\n");
        std::fs::remove_dir_all(repo.join("policies")).unwrap();
        std::os::unix::fs::symlink(temp.join("elsewhere"), repo.join("policies")).unwrap();
    });
    let deleted = policies_dir_repo(|_, repo| {
        write(repo, "README", "policies moved\n");
        std::fs::remove_dir_all(repo.join("policies")).unwrap();
    });
    for (_temp, repo) in [linked, deleted] {
        let (status, report) = json(
            &repo,
            &["--base-policy", "base", "--policy", "policies/p.toml"],
        );
        assert_eq!(status, Some(1), "{report}");
        assert_eq!(report["policy"]["origin"], "base:policies/p.toml");
        assert!(
            notes(&report)
                .iter()
                .any(|n| n.starts_with("this change edits the policy (policies/p.toml")),
            "{report}"
        );
    }
}

/// The note says what was read: a preset is no file of the base, nor is a policy file outside
/// the repository (it used to say "the policy … were read from base" for both).
#[test]
fn the_note_names_a_preset_or_an_outside_policy_file_as_such() {
    let (temp, repo) = loosening_repo();
    let (_, report) = json(&repo, &["--base-policy", "base", "--preset", "default"]);
    assert!(
        notes(&report).iter().any(|n| n.starts_with(
            "the policy is the built-in preset default; MAINTAINERS and .mailmap were read from base ("
        )),
        "{report}"
    );
    let outside = temp.path().join("mine.toml");
    std::fs::write(&outside, "extends = \"default\"\n").unwrap();
    let (_, report) = json(
        &repo,
        &[
            "--base-policy",
            "base",
            "--policy",
            outside.to_str().unwrap(),
        ],
    );
    let expected = format!(
        "the policy was read from {}, outside the repository; MAINTAINERS and .mailmap were read from base (",
        outside.display()
    );
    assert!(
        notes(&report).iter().any(|n| n.starts_with(&expected)),
        "{report}"
    );
    let (_, report) = json(&repo, &["--base-policy", "base"]);
    assert!(
        notes(&report)
            .iter()
            .any(|n| n.starts_with("the policy, MAINTAINERS and .mailmap were read from base (")),
        "{report}"
    );
}

/// A mailed patch that edits the policy is named by its whole Message-ID, as every report names
/// it (`provgate_report::short_id`), not cut to 12 characters.
#[test]
fn a_mailed_patch_editing_the_policy_is_named_by_its_message_id() {
    let (_temp, repo) = loosening_repo();
    let patch = git_ok(&repo, &["format-patch", "--stdout", "-1", "HEAD~3"]);
    let mail = patch.replacen(
        "Subject:",
        "Message-ID: <policy-edit-1@example.org>\nSubject:",
        1,
    );
    let file = repo.join("edit.mbox");
    std::fs::write(&file, mail).unwrap();
    let out = provgate_at(
        &repo,
        &[
            "check",
            "--no-code",
            "--format",
            "json",
            "--base-policy",
            "base",
            "edit.mbox",
        ],
    );
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert!(
        notes(&report).iter().any(|n| n
            == "this change edits the policy (provgate.toml, in policy-edit-1@example.org); it was judged under the base's"),
        "{report}"
    );
}
