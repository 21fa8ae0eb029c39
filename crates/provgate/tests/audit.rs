//! `check --record`, `audit` and `attest` end to end on a repository the test builds.

mod support;

use std::path::Path;
use std::process::Output;

use support::{git, provgate_at, succeeded as ok};

fn run(dir: &Path, program: Option<&str>, args: &[&str]) -> Output {
    match program {
        Some(_) => git(dir, args),
        None => provgate_at(dir, args),
    }
}

#[test]
fn record_verify_checkpoint_and_attest() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    ok(&run(dir, Some("git"), &["init", "-q", "-b", "main"]));
    ok(&run(
        dir,
        Some("git"),
        &[
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "one\n\nSigned-off-by: Jane Doe <jane@example.org>",
        ],
    ));
    ok(&run(
        dir,
        Some("git"),
        &["commit", "-q", "--allow-empty", "-m", "two"],
    ));

    // A failing check is recorded too: the log keeps what was decided, whatever it was.
    let failing = run(dir, None, &["check", "--record", "HEAD"]);
    assert_eq!(failing.status.code(), Some(1));
    ok(&run(dir, None, &["check", "--record", "HEAD~1"]));
    let log = ok(&run(dir, None, &["audit", "log"]));
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert!(
        lines[0].contains("check fail") && lines[1].contains("check pass"),
        "{log}"
    );
    assert!(ok(&run(dir, None, &["audit", "verify"])).starts_with("intact: 2 entries"));

    let export = ok(&run(dir, None, &["audit", "export"]));
    assert_eq!(export.lines().count(), 2);

    ok(&run(
        dir,
        None,
        &["audit", "keygen", "--private", "k.pem", "--public", "k.pub"],
    ));
    ok(&run(
        dir,
        None,
        &["audit", "checkpoint", "--key", "k.pem", "-o", "head.json"],
    ));
    let verified = ok(&run(
        dir,
        None,
        &[
            "audit",
            "verify",
            "--checkpoint",
            "head.json",
            "--key",
            "k.pub",
        ],
    ));
    assert!(verified.starts_with("intact"));

    ok(&run(
        dir,
        None,
        &["attest", "HEAD~1..HEAD", "--key", "k.pem"],
    ));
    let checked = ok(&run(
        dir,
        None,
        &[
            "attest",
            "verify",
            "HEAD~1..HEAD",
            "--key",
            "k.pub",
            "--require-signature",
        ],
    ));
    assert!(checked.contains("Verified"), "{checked}");
    // The commit before was never attested.
    let missing = run(
        dir,
        None,
        &["attest", "verify", "HEAD~1", "--require-signature"],
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stdout).contains("Missing"));
}
