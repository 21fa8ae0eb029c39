//! The contributor's side: `trailer add` under different policies, and the git hooks in a
//! repository the test builds, with a hook that was there before and must still run.

mod support;

use std::path::Path;
use std::process::Output;

use support::{git, git_ok, provgate_at};

fn provgate(dir: &Path, args: &[&str]) -> Output {
    provgate_at(dir, args)
}

fn repo_with_policy(policy: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git_ok(dir.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(dir.path().join("provgate.toml"), policy).unwrap();
    std::fs::write(dir.path().join("a.txt"), "a\n").unwrap();
    git_ok(dir.path(), &["add", "."]);
    git_ok(
        dir.path(),
        &[
            "commit",
            "-q",
            "-m",
            "start\n\nSigned-off-by: Jane Doe <jane@example.org>",
        ],
    );
    dir
}

#[test]
fn trailer_add_follows_the_policy() {
    let qemu = repo_with_policy("extends = \"qemu\"\n");
    let out = provgate(
        qemu.path(),
        &[
            "trailer",
            "add",
            "--used-for",
            "tests,docs",
            "--explain",
            "checked by hand",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let message = git_ok(qemu.path(), &["log", "-1", "--format=%B"]);
    assert_eq!(
        message,
        "start\n\nAI-used-for: tests, docs (checked by hand)\nSigned-off-by: Jane Doe <jane@example.org>\n\n",
        "before the sign-off, as QEMU asks"
    );
    // Idempotent, and the vocabulary is enforced.
    provgate(
        qemu.path(),
        &[
            "trailer",
            "add",
            "--used-for",
            "tests,docs",
            "--explain",
            "checked by hand",
        ],
    );
    assert_eq!(git_ok(qemu.path(), &["log", "-1", "--format=%B"]), message);
    let out = provgate(qemu.path(), &["trailer", "add", "--used-for", "vibes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("`vibes` is not one of the policy's uses")
    );

    let linux = repo_with_policy("extends = \"linux\"\n");
    let out = provgate(
        linux.path(),
        &[
            "trailer",
            "add",
            "--agent",
            "Claude",
            "--model",
            "claude-opus-4.6",
            "--tools",
            "coccinelle,sparse",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let message = git_ok(linux.path(), &["log", "-1", "--format=%B"]);
    assert!(
        // The kernel's current form: the agent and model are no longer named.
        message.contains("Assisted-by: LLM coccinelle sparse\n"),
        "{message}"
    );

    // As a filter on a message file.
    let file = qemu.path().join("MSG");
    std::fs::write(&file, "subject\n\nbody\n").unwrap();
    let out = provgate(
        qemu.path(),
        &["trailer", "add", "--used-for", "code", "--file", "MSG"],
    );
    assert!(out.status.success());
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "subject\n\nbody\n\nAI-used-for: code\n"
    );

    let ban = repo_with_policy("extends = \"ban\"\n");
    let out = provgate(ban.path(), &["trailer", "add", "--used-for", "code"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn hooks_check_commits_and_pushes_and_keep_existing_hooks() {
    let repo = repo_with_policy("extends = \"qemu\"\n");
    let dir = repo.path();
    // A hook the project had before: it must still run, first.
    let hooks = dir.join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let marker = dir.join("old-hook-ran");
    std::fs::write(
        hooks.join("commit-msg"),
        format!("#!/bin/sh\necho ran >> '{}'\nexit 0\n", marker.display()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            hooks.join("commit-msg"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }
    let out = provgate(dir, &["hook", "install"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(hooks.join("commit-msg.provgate-chained").exists());

    // No sign-off: refused, and the old hook ran.
    std::fs::write(dir.join("b.txt"), "b\n").unwrap();
    git_ok(dir, &["add", "b.txt"]);
    let refused = git(dir, &["commit", "-q", "-m", "add b"]);
    assert!(
        !refused.status.success(),
        "a commit without sign-off is refused"
    );
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("dco-missing-signoff"), "{stderr}");
    assert!(std::fs::read_to_string(&marker).unwrap().contains("ran"));

    // Signed off: accepted.
    git_ok(
        dir,
        &[
            "commit",
            "-q",
            "-m",
            "add b\n\nSigned-off-by: Jane Doe <jane@example.org>",
        ],
    );

    // pre-push: a commit without sign-off (made with --no-verify) is stopped at the push.
    let remote = tempfile::tempdir().unwrap();
    git_ok(remote.path(), &["init", "-q", "--bare"]);
    git_ok(
        dir,
        &["remote", "add", "origin", remote.path().to_str().unwrap()],
    );
    git_ok(dir, &["push", "-q", "origin", "main"]);
    std::fs::write(dir.join("c.txt"), "c\n").unwrap();
    git_ok(dir, &["add", "c.txt"]);
    git_ok(dir, &["commit", "-q", "--no-verify", "-m", "add c"]);
    let pushed = git(dir, &["push", "-q", "origin", "main"]);
    assert!(!pushed.status.success(), "the push is refused");
    assert!(String::from_utf8_lossy(&pushed.stderr).contains("dco-missing-signoff"));

    // Uninstall: the old hook is back, ours is gone.
    let out = provgate(dir, &["hook", "uninstall"]);
    assert!(out.status.success());
    let restored = std::fs::read_to_string(hooks.join("commit-msg")).unwrap();
    assert!(restored.contains("echo ran"));
    assert!(!hooks.join("pre-push").exists());
    git_ok(dir, &["push", "-q", "origin", "main"]);
}
