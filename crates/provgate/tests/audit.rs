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

/// The entries of the log, as `audit export` writes them.
fn exported(dir: &Path) -> Vec<serde_json::Value> {
    ok(&provgate_at(dir, &["audit", "export"]))
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON entry a line"))
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn scan_prove_and_standard_input_are_recorded_with_their_input_digest() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    let write = |path: &str, text: &str| {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    ok(&git(dir, &["init", "-q", "-b", "main"]));
    write("calc.sh", "add() { echo $(( $1 - $2 )); }\n");
    ok(&git(dir, &["add", "-A"]));
    ok(&git(
        dir,
        &[
            "commit",
            "-q",
            "-m",
            "calc\n\nSigned-off-by: Jane Doe <jane@example.org>",
        ],
    ));
    write("calc.sh", "add() { echo $(( $1 + $2 )); }\n");
    write("tests/test-add.sh", ". ./calc.sh\n[ \"$(add 2 3)\" = 5 ]\n");
    ok(&git(dir, &["add", "-A"]));
    ok(&git(dir, &["commit", "-q", "-m", "fix add"]));
    let ids = ok(&git(dir, &["rev-list", "--reverse", "HEAD"]));

    // A scan under two policies: one entry each, over every commit scanned.
    let out = provgate_at(
        dir,
        &[
            "scan", "--record", "--preset", "qemu", "--preset", "default",
        ],
    );
    ok(&out);
    let entries = exported(dir);
    assert_eq!(entries.len(), 2);
    for (entry, policy) in entries.iter().zip(["preset qemu", "preset default"]) {
        assert_eq!(entry["command"], "scan");
        assert_eq!(entry["policy"]["name"], policy);
        assert_eq!(entry["subjects"].as_array().unwrap().len(), 2);
        // The unsigned commit fails both policies' DCO rule.
        assert_eq!(entry["verdict"], "fail", "{entry:#}");
        assert_eq!(entry["input_sha256"], sha256_hex(ids.as_bytes()));
    }

    // Standard input is digested as it is read: the digest is the bytes' own.
    let mbox = ok(&git(dir, &["format-patch", "-1", "--stdout", "HEAD"]));
    let out = support::provgate_with_stdin(dir, &["check", "--record", "-"], mbox.as_bytes());
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let entries = exported(dir);
    assert_eq!(entries[2]["command"], "check");
    assert_eq!(entries[2]["inputs"][0]["kind"], "stdin");
    assert_eq!(entries[2]["input_sha256"], sha256_hex(mbox.as_bytes()));

    // A proof is recorded with its verdict.
    let out = provgate_at(
        dir,
        &[
            "prove",
            "--record",
            "--test-cmd",
            "sh tests/test-add.sh",
            "HEAD^..HEAD",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let entries = exported(dir);
    assert_eq!(entries[3]["command"], "prove");
    assert_eq!(entries[3]["verdict"], "pass");
    assert!(ok(&provgate_at(dir, &["audit", "verify"])).starts_with("intact: 4 entries"));

    // A log that cannot be reached is an error before any work, and nothing else is written.
    let out = provgate_at(
        dir,
        &[
            "check",
            "--store",
            "postgres://nobody@127.0.0.1:1/none",
            "HEAD",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no report without its record");
    assert!(String::from_utf8_lossy(&out.stderr).contains("hint:"));
}
