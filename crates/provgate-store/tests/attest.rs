//! Attestations in git notes of a repository built with the git CLI.

use std::path::Path;
use std::process::Command;

use provgate_report::{
    AiReport, FileReport, FindingReport, PatchReport, PolicyReport, Report, Verdict,
};
use provgate_store::SigningKey;
use provgate_store::StoreError;
use provgate_store::attest::{AttestationStatus, DEFAULT_NOTES_REF, Note, Notes, Statement};

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "A U Thor")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "C O Mitter")
        .env("GIT_COMMITTER_EMAIL", "committer@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A repository with three commits; returns their ids, oldest first.
fn repo() -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    let mut ids = Vec::new();
    for (i, msg) in ["hw/arm: add board", "tests: cover board", "docs: board"]
        .iter()
        .enumerate()
    {
        std::fs::write(dir.path().join(format!("f{i}.c")), format!("int f{i};\n")).unwrap();
        git(dir.path(), &["add", "."]);
        git(
            dir.path(),
            &[
                "commit",
                "-q",
                "-m",
                &format!(
                    "{msg}\n\nAI-used-for: tests\nSigned-off-by: A U Thor <author@example.com>"
                ),
            ],
        );
        ids.push(git(dir.path(), &["rev-parse", "HEAD"]));
    }
    (dir, ids)
}

fn report(ids: &[String]) -> Report {
    let mut r = Report::new("0.1.0");
    r.policy = Some(PolicyReport {
        origin: "preset qemu".into(),
        extends: "qemu".into(),
        digest: "ab".repeat(32),
        mode: provgate_report::Mode::Enforce,
        stage: provgate_report::Stage::Submit,
        status: None,
    });
    for (i, id) in ids.iter().enumerate() {
        r.patches.push(PatchReport {
            id: id.clone(),
            origin: format!("commit {id}"),
            prefix: None,
            series: None,
            subject: format!("commit {i}"),
            author: None,
            date: None,
            trailers: Vec::new(),
            files: vec![FileReport {
                path: format!("hw/arm/f{i}.c"),
                old_path: None,
                status: "added",
                binary: false,
                added: Some(1),
                removed: Some(0),
                zones: Some(vec!["arm".into(), "hw".into()]),
                kind: Some("code".into()),
                first_added: Some(1),
            }],
            notes: Vec::new(),
            ai: Some(AiReport {
                disclosed: true,
                declarations: vec![
                    serde_json::json!({"trailer": "AI-used-for", "uses": ["tests"]}),
                ],
                fingerprints: vec![serde_json::json!({"tool": "claude", "confidence": 0.9})],
                human_help: Vec::new(),
                authorship: Vec::new(),
            }),
            code_lines: Some(1),
            findings: if i == 1 {
                let mut finding = provgate_report::Finding::new(
                    provgate_report::RuleId::TrialScope,
                    "AI use outside the declared scope",
                );
                finding.patch_id = Some(id.clone());
                vec![FindingReport::new(finding)]
            } else {
                Vec::new()
            },
            verdict: Some(if i == 1 { Verdict::Fail } else { Verdict::Pass }),
            mechanical: None,
            proof: None,
        });
    }
    r
}

#[test]
fn signed_attestations_round_trip_and_tampering_is_caught() {
    let (dir, ids) = repo();
    let r = report(&ids);
    let key = SigningKey::from_bytes(&[3u8; 32]);
    let notes = Notes::new(dir.path());
    assert_eq!(notes.notes_ref(), DEFAULT_NOTES_REF);
    let batch: Vec<(String, Note)> = r
        .patches
        .iter()
        .map(|p| {
            (
                p.id.clone(),
                Note::Envelope(Statement::for_patch(&r, p).sign(&key)),
            )
        })
        .collect();
    notes.write(&batch).unwrap();

    // git itself sees the notes.
    let shown = git(
        dir.path(),
        &["notes", "--ref", "provenance", "show", &ids[1]],
    );
    let note = Note::parse(&shown).unwrap();
    let st = note.statement();
    assert_eq!(st.commits(), [ids[1].as_str()]);
    assert_eq!(st.subject[0].name, ids[1]);
    assert_eq!(st.predicate.verdict, Some(Verdict::Fail));
    assert_eq!(st.predicate.zones, ["arm", "hw"]);
    assert_eq!(
        st.predicate.findings[0].rule,
        provgate_report::RuleId::TrialScope
    );
    assert_eq!(
        st.predicate.policy.as_ref().unwrap().digest,
        "ab".repeat(32)
    );
    assert!(st.predicate.disclosed);
    let json: serde_json::Value = serde_json::from_str(&st.to_canonical()).unwrap();
    assert_eq!(json["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(json["subject"][0]["digest"]["gitCommit"], ids[1].as_str());
    assert!(json["predicate"]["declaredAiUse"].is_array());

    // All verify with the right key; by revision as well as by id.
    let checks = notes
        .verify(
            &["HEAD~2".into(), "HEAD~1".into(), "HEAD".into()],
            Some(&key.verifying_key()),
        )
        .unwrap();
    assert_eq!(checks.len(), 3);
    for (c, id) in checks.iter().zip(&ids) {
        assert_eq!(&c.commit, id);
        assert_eq!(c.status, AttestationStatus::Verified, "{c:?}");
    }
    // Without a key: signed but unchecked.
    let checks = notes.verify(&ids, None).unwrap();
    assert!(
        checks
            .iter()
            .all(|c| c.status == AttestationStatus::SignedUnchecked)
    );
    assert!(
        checks
            .iter()
            .all(|c| c.status.is_ok(false) && !c.status.is_ok(true))
    );

    // The wrong key.
    let other = SigningKey::from_bytes(&[4u8; 32]).verifying_key();
    let checks = notes.verify(&ids[..1], Some(&other)).unwrap();
    assert!(
        matches!(checks[0].status, AttestationStatus::BadSignature { .. }),
        "{checks:?}"
    );

    // A verdict changed inside the payload, signature kept.
    let Note::Envelope(mut env) = Note::parse(&shown).unwrap() else {
        panic!("signed")
    };
    let mut forged = env.statement().unwrap();
    forged.predicate.verdict = Some(Verdict::Pass);
    use base64::Engine;
    env.payload = base64::engine::general_purpose::STANDARD.encode(forged.to_canonical());
    let forged_note = Note::Envelope(env).to_text();
    git_with_input(
        dir.path(),
        &[
            "notes",
            "--ref",
            "provenance",
            "add",
            "-f",
            "-F",
            "-",
            &ids[1],
        ],
        &forged_note,
    );
    let checks = notes.verify(&ids, Some(&key.verifying_key())).unwrap();
    assert_eq!(checks[0].status, AttestationStatus::Verified);
    assert!(
        matches!(checks[1].status, AttestationStatus::BadSignature { .. }),
        "{:?}",
        checks[1]
    );
    assert_eq!(checks[2].status, AttestationStatus::Verified);

    // A note copied to another commit: signature fine, subject wrong.
    git(
        dir.path(),
        &[
            "notes",
            "--ref",
            "provenance",
            "copy",
            "-f",
            &ids[0],
            &ids[2],
        ],
    );
    let checks = notes.verify(&ids[2..], Some(&key.verifying_key())).unwrap();
    assert_eq!(
        checks[0].status,
        AttestationStatus::WrongSubject {
            found: vec![ids[0].clone()]
        }
    );

    // A note edited into garbage among provgate's notes: malformed, not foreign.
    git(
        dir.path(),
        &[
            "notes",
            "--ref",
            "provenance",
            "add",
            "-f",
            "-m",
            "garbage",
            &ids[0],
        ],
    );
    let checks = notes.verify(&ids, Some(&key.verifying_key())).unwrap();
    assert!(matches!(
        checks[0].status,
        AttestationStatus::Malformed { .. }
    ));

    // Commits without notes are reported missing.
    std::fs::write(dir.path().join("new.c"), "int n;\n").unwrap();
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "new"]);
    let checks = notes
        .verify(&["HEAD".into()], Some(&key.verifying_key()))
        .unwrap();
    assert_eq!(checks[0].status, AttestationStatus::Missing);
}

fn git_with_input(dir: &Path, args: &[&str], input: &str) {
    use std::io::Write;
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_COMMITTER_NAME", "x")
        .env("GIT_COMMITTER_EMAIL", "x@example.com")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
}

#[test]
fn unsigned_attestations_and_rewriting() {
    let (dir, ids) = repo();
    let r = report(&ids);
    let notes = Notes::new(dir.path()).with_ref("ai");
    assert_eq!(notes.notes_ref(), "refs/notes/ai");
    let first: Vec<(String, Note)> = r.patches[..2]
        .iter()
        .map(|p| (p.id.clone(), Note::unsigned(Statement::for_patch(&r, p))))
        .collect();
    notes.write(&first).unwrap();
    // A second run adds to the same ref, and re-attesting a commit replaces its note.
    let second: Vec<(String, Note)> = r.patches[1..]
        .iter()
        .map(|p| (p.id.clone(), Note::unsigned(Statement::for_patch(&r, p))))
        .collect();
    notes.write(&second).unwrap();
    let log = git(dir.path(), &["log", "--format=%s", "refs/notes/ai"]);
    assert_eq!(log.lines().count(), 2);
    let checks = notes.verify(&ids, None).unwrap();
    assert!(
        checks
            .iter()
            .all(|c| c.status == AttestationStatus::Unsigned),
        "{checks:?}"
    );
    // A key demands a signature.
    let key = SigningKey::from_bytes(&[3u8; 32]).verifying_key();
    let checks = notes.verify(&ids, Some(&key)).unwrap();
    assert!(checks.iter().all(|c| !c.status.is_ok(true)));
    assert!(notes.read(&ids[0]).unwrap().unwrap().contains("in-toto"));
}

#[test]
fn a_foreign_notes_ref_is_refused() {
    let (dir, ids) = repo();
    // The default notes ref, holding people's review notes.
    git(
        dir.path(),
        &[
            "notes",
            "add",
            "-m",
            "Reviewed in the call on Tuesday",
            &ids[0],
        ],
    );
    git(
        dir.path(),
        &[
            "notes",
            "add",
            "-m",
            "{\"json\": \"but not ours\"}",
            &ids[1],
        ],
    );
    let notes = Notes::new(dir.path()).with_ref("refs/notes/commits");
    match notes.verify(&ids, None) {
        Err(StoreError::ForeignNotes { notes_ref, .. }) => {
            assert_eq!(notes_ref, "refs/notes/commits")
        }
        other => panic!("a foreign ref must be an error: {other:?}"),
    }
    let r = report(&ids);
    let batch = vec![(
        ids[2].clone(),
        Note::unsigned(Statement::for_patch(&r, &r.patches[2])),
    )];
    let err = notes.write(&batch).unwrap_err();
    assert!(matches!(err, StoreError::ForeignNotes { .. }), "{err}");
    assert!(err.hint().contains("--notes-ref"));
    // Nothing was written into it.
    assert!(
        Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args(["notes", "show", &ids[2]])
            .output()
            .unwrap()
            .status
            .code()
            != Some(0)
    );
}

#[test]
fn not_a_repository_or_not_a_commit() {
    let dir = tempfile::tempdir().unwrap();
    let notes = Notes::new(dir.path());
    assert!(matches!(
        notes.verify(&["HEAD".into()], None),
        Err(StoreError::Git { .. })
    ));
    let (repo_dir, _) = repo();
    let notes = Notes::new(repo_dir.path());
    let err = notes.verify(&["no-such-rev".into()], None).unwrap_err();
    assert!(err.to_string().contains("not a commit"), "{err}");
}

#[test]
fn many_commits_in_one_notes_commit() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    // 300 commits through fast-import, quickly.
    let mut stream = String::new();
    for i in 0..300 {
        stream.push_str(&format!(
            "commit refs/heads/main\ncommitter C <c@example.com> {} +0000\ndata 4\nc{:03}\n",
            1_700_000_000 + i,
            i
        ));
    }
    git_with_input(dir.path(), &["fast-import", "--quiet"], &stream);
    let ids: Vec<String> = git(dir.path(), &["rev-list", "--reverse", "main"])
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(ids.len(), 300);
    let r = report(&ids);
    let key = SigningKey::from_bytes(&[5u8; 32]);
    let batch: Vec<(String, Note)> = r
        .patches
        .iter()
        .map(|p| {
            (
                p.id.clone(),
                Note::Envelope(Statement::for_patch(&r, p).sign(&key)),
            )
        })
        .collect();
    let t = std::time::Instant::now();
    Notes::new(dir.path()).write(&batch).unwrap();
    eprintln!("300 signed notes written in {:.1?}", t.elapsed());
    // git's fan-out: 300 notes are still one commit and all readable by git.
    assert_eq!(
        git(dir.path(), &["rev-list", "--count", DEFAULT_NOTES_REF]),
        "1"
    );
    assert_eq!(
        git(dir.path(), &["notes", "--ref", "provenance", "list"])
            .lines()
            .count(),
        300
    );
    let checks = Notes::new(dir.path())
        .verify(&ids, Some(&key.verifying_key()))
        .unwrap();
    assert!(
        checks
            .iter()
            .all(|c| c.status == AttestationStatus::Verified)
    );
}

/// The shell recipe of docs/attestations.md ("Checking without provgate") accepts a signed note
/// and rejects an altered one.
#[test]
fn the_documented_openssl_recipe_checks_a_note() {
    for tool in ["openssl", "jq", "base64", "bash"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            eprintln!("notice: {tool} is not installed; the documented recipe is not checked");
            return;
        }
    }
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/attestations.md"
    ))
    .unwrap();
    let start = doc.find("```sh\nnote=$(git notes").expect("the recipe") + "```sh\n".len();
    let recipe = &doc[start..start + doc[start..].find("```").unwrap()];

    let (dir, ids) = repo();
    let r = report(&ids);
    let key = SigningKey::from_bytes(&[6u8; 32]);
    let (_, public) = provgate_store::key_pair_pem(&key);
    std::fs::write(dir.path().join("attest.pub"), public).unwrap();
    let notes = Notes::new(dir.path());
    notes
        .write(&[(
            ids[0].clone(),
            Note::signed(&Statement::for_patch(&r, &r.patches[0]), &key),
        )])
        .unwrap();
    let run = |commit: &str| {
        Command::new("bash")
            .args(["-euo", "pipefail", "-c", recipe])
            .current_dir(dir.path())
            .env("commit", commit)
            .output()
            .unwrap()
    };
    let ok = run(&ids[0]);
    assert!(
        ok.status.success(),
        "{}{}",
        String::from_utf8_lossy(&ok.stdout),
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("Signature Verified Successfully"));

    // Altered after signing.
    let Note::Envelope(mut env) = Note::parse(&notes.read(&ids[0]).unwrap().unwrap()).unwrap()
    else {
        panic!("signed")
    };
    let mut forged = env.statement().unwrap();
    assert_eq!(forged.predicate.verdict, Some(Verdict::Pass));
    forged.predicate.verdict = Some(Verdict::Fail);
    use base64::Engine;
    env.payload = base64::engine::general_purpose::STANDARD.encode(forged.to_canonical());
    git_with_input(
        dir.path(),
        &[
            "notes",
            "--ref",
            "provenance",
            "add",
            "-f",
            "-F",
            "-",
            &ids[0],
        ],
        &Note::Envelope(env).to_text(),
    );
    let bad = run(&ids[0]);
    assert!(
        !bad.status.success(),
        "{}{}",
        String::from_utf8_lossy(&bad.stdout),
        String::from_utf8_lossy(&bad.stderr)
    );
}
