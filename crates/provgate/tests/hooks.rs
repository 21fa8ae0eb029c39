//! The installed hooks run by real `git push` and `git commit`: what a push is measured against
//! (a fetched remote, an empty one, a fork never fetched, a remote that moved), the limit on
//! what is read, deletions, and the commit-msg hook's advice followed to the letter.

mod support;

use std::fmt::Write as _;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use support::{git, git_ok, provgate_at, succeeded};

const SIGNED: &str = "Signed-off-by: Jane Doe <jane@example.org>";

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A repository under the `qemu` policy (every commit needs a sign-off) with one signed commit,
/// and provgate's hooks installed with `install_args`.
fn repo(install_args: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git_ok(dir.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(dir.path().join("provgate.toml"), "extends = \"qemu\"\n").unwrap();
    std::fs::write(dir.path().join("a.txt"), "a\n").unwrap();
    git_ok(dir.path(), &["add", "."]);
    git_ok(
        dir.path(),
        &["commit", "-q", "-m", &format!("start\n\n{SIGNED}")],
    );
    install(dir.path(), install_args);
    dir
}

fn install(dir: &Path, args: &[&str]) {
    let mut all = vec!["hook", "install"];
    all.extend_from_slice(args);
    succeeded(&provgate_at(dir, &all));
}

/// Commits a new file `name` with `message` (hooks skipped: commits are made to be pushed).
fn commit(dir: &Path, name: &str, message: &str) -> String {
    std::fs::write(dir.join(name), format!("{name}\n")).unwrap();
    git_ok(dir, &["add", name]);
    git_ok(dir, &["commit", "-q", "--no-verify", "-m", message]);
    head(dir)
}

fn head(dir: &Path) -> String {
    git_ok(dir, &["rev-parse", "HEAD"]).trim().to_string()
}

fn bare() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git_ok(dir.path(), &["init", "-q", "--bare", "-b", "main"]);
    dir
}

fn path(dir: &tempfile::TempDir) -> &str {
    dir.path().to_str().unwrap()
}

/// `count` signed commits on `main` made by `git fast-import` (seconds for 50,000), the first
/// holding the policy, each changing one of 100 files, and the work tree checked out.
fn long_history(dir: &Path, count: usize) {
    git_ok(dir, &["init", "-q", "-b", "main"]);
    let mut stream = String::new();
    for n in 1..=count {
        let message = format!("change {n}\n\n{SIGNED}\n");
        let _ = write!(
            stream,
            "commit refs/heads/main\nmark :{n}\nauthor Jane Doe <jane@example.org> {t} +0000\ncommitter Jane Doe <jane@example.org> {t} +0000\ndata {}\n{message}",
            message.len(),
            t = 1_700_000_000 + n,
        );
        if n > 1 {
            let _ = writeln!(stream, "from :{}", n - 1);
        } else {
            let policy = "extends = \"qemu\"\n";
            let _ = write!(
                stream,
                "M 100644 inline provgate.toml\ndata {}\n{policy}\n",
                policy.len()
            );
        }
        let content = format!("line {n}\n");
        let _ = write!(
            stream,
            "M 100644 inline f{}.txt\ndata {}\n{content}\n",
            n % 100,
            content.len()
        );
    }
    let mut child = std::process::Command::new("git")
        .current_dir(dir)
        .args(["fast-import", "--quiet"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    git_ok(dir, &["reset", "-q", "--hard", "main"]);
}

#[test]
fn a_first_push_of_a_long_history_to_an_empty_remote_is_limited_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    long_history(dir.path(), 50_000);
    install(dir.path(), &[]);
    let remote = bare();
    git_ok(dir.path(), &["remote", "add", "origin", path(&remote)]);

    let started = Instant::now();
    let out = git(dir.path(), &["push", "-q", "origin", "main"]);
    let took = started.elapsed();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        took < Duration::from_secs(30),
        "the hook took {took:?} for a first push of 50,000 commits: {err}"
    );
    assert!(
        err.contains("main: nothing of origin is known here")
            && err.contains(
                "main is on the default branch main, so its whole history is new: more than 500 commits\n"
            )
            && err.contains("main: only the newest 500 of them are checked")
            && err.contains("`git config provgate.hookMaxCommits N`")
            && err.contains("checked 500 commits under the policy `qemu`"),
        "{err}"
    );

    // The limit from git's configuration, to another remote never fetched.
    git_ok(dir.path(), &["config", "provgate.hookMaxCommits", "20"]);
    let fork = bare();
    git_ok(dir.path(), &["remote", "add", "fork", path(&fork)]);
    let err = stderr(&git(dir.path(), &["push", "-q", "fork", "main"]));
    assert!(
        err.contains(
            "only the newest 20 of them are checked (the hook reads at most 20 commits a push"
        ),
        "{err}"
    );

    // The limit from the installed hook's flag, named as the way to raise it.
    install(dir.path(), &["--pre-push", "--max-commits", "7"]);
    let third = bare();
    let out = git(dir.path(), &["push", "-q", path(&third), "main"]);
    let err = stderr(&out);
    assert!(
        out.status.success()
            && err.contains("only the newest 7 of them are checked")
            && err.contains("`provgate hook install --pre-push --max-commits N`"),
        "{err}"
    );
}

#[test]
fn an_orphan_branch_pushed_beside_a_long_history_is_capped_and_said_unrelated() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    long_history(d, 50_000);
    let remote = bare();
    git_ok(d, &["remote", "add", "origin", path(&remote)]);
    git_ok(d, &["push", "-q", "origin", "main"]);
    git_ok(d, &["fetch", "-q", "origin"]);
    install(d, &[]);
    git_ok(d, &["config", "provgate.hookMaxCommits", "10"]);
    // gh-pages, an orphan: 30 signed commits dated before the whole history, so that a walk
    // excluding origin's main could not stop before reaching its root.
    git_ok(d, &["checkout", "-q", "--orphan", "gh-pages"]);
    git_ok(d, &["rm", "-rq", "--cached", "."]);
    for n in 0..30 {
        let date = format!("@{} +0000", 1_600_000_000 + n);
        let out = std::process::Command::new("git")
            .current_dir(d)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .args([
                "commit",
                "-q",
                "--no-verify",
                "--allow-empty",
                "-m",
                &format!("page {n}\n\n{SIGNED}"),
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }

    let started = Instant::now();
    let out = git(d, &["push", "-q", "origin", "gh-pages"]);
    let took = started.elapsed();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        took < Duration::from_secs(10),
        "the hook took {took:?} for an orphan branch beside 50,000 commits: {err}"
    );
    assert!(
        err.contains(
            "gh-pages: shares no history with origin/main, so its whole history is new: more than 10 commits\n"
        ) && err.contains("gh-pages: only the newest 10 of them are checked (the hook reads at most 10 commits a push")
            && err.contains("checked 10 commits under the policy"),
        "{err}"
    );
}

#[test]
fn a_push_on_a_fetched_remote_checks_exactly_what_it_adds() {
    let upstream = repo(&[]);
    for n in 0..10 {
        commit(
            upstream.path(),
            &format!("u{n}.txt"),
            &format!("upstream {n}\n\n{SIGNED}"),
        );
    }
    let remote = bare();
    git_ok(upstream.path(), &["push", "-q", path(&remote), "main"]);

    let clone = tempfile::tempdir().unwrap();
    git_ok(clone.path(), &["clone", "-q", path(&remote), "."]);
    install(clone.path(), &[]);
    for n in 0..3 {
        commit(
            clone.path(),
            &format!("c{n}.txt"),
            &format!("mine {n}\n\n{SIGNED}"),
        );
    }
    let out = git(clone.path(), &["push", "-q", "origin", "main"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("main: 3 commits new beyond origin's main")
            && err.contains("checked 3 commits under the policy `qemu`"),
        "{err}"
    );

    // Three more, one without a sign-off: the hook reads the three, and refuses.
    commit(clone.path(), "d0.txt", &format!("more 0\n\n{SIGNED}"));
    commit(clone.path(), "d1.txt", "more 1 unsigned");
    commit(clone.path(), "d2.txt", &format!("more 2\n\n{SIGNED}"));
    let out = git(clone.path(), &["push", "-q", "origin", "main"]);
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("checked 3 commits") && err.contains("dco-missing-signoff"),
        "{err}"
    );
    git_ok(clone.path(), &["reset", "-q", "--hard", "HEAD~3"]);

    // A new branch to a fork never fetched: measured from the merge base with origin/HEAD.
    git_ok(clone.path(), &["checkout", "-q", "-b", "topic"]);
    commit(clone.path(), "t0.txt", &format!("topic 0\n\n{SIGNED}"));
    commit(clone.path(), "t1.txt", &format!("topic 1\n\n{SIGNED}"));
    let fork = bare();
    git_ok(clone.path(), &["remote", "add", "fork", path(&fork)]);
    let out = git(clone.path(), &["push", "-q", "fork", "topic"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("topic: nothing of fork is known here")
            && err.contains("so measuring from the merge base")
            && err.contains("with origin/main: 2 commits\n"),
        "{err}"
    );

    // The same branch to origin, where it is new: its upstream-less commits beyond what
    // origin's remote-tracking refs hold.
    let err = stderr(&git(clone.path(), &["push", "-q", "origin", "topic"]));
    assert!(
        err.contains("topic: 2 commits new beyond origin/main"),
        "{err}"
    );
}

#[test]
fn a_force_push_over_a_moved_remote_and_a_deletion_are_explained() {
    let first = repo(&[]);
    let remote = bare();
    git_ok(first.path(), &["remote", "add", "origin", path(&remote)]);
    git_ok(first.path(), &["push", "-q", "origin", "main"]);

    // Someone else moves the remote's main.
    let other = tempfile::tempdir().unwrap();
    git_ok(other.path(), &["clone", "-q", path(&remote), "."]);
    commit(other.path(), "theirs.txt", &format!("theirs\n\n{SIGNED}"));
    git_ok(other.path(), &["push", "-q", "origin", "main"]);
    let theirs = head(other.path());

    // We force over it without fetching: an unsigned commit is still caught, in words.
    commit(first.path(), "ours.txt", "ours unsigned");
    let out = git(first.path(), &["push", "-q", "--force", "origin", "main"]);
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "origin's main is at {}, which this repository does not have",
            &theirs[..12]
        )) && err.contains("main: 1 commit new beyond origin/main")
            && err.contains("dco-missing-signoff"),
        "{err}"
    );
    assert!(
        !err.contains("fatal") && !err.contains("bad revision") && !err.contains("git rev-list"),
        "{err}"
    );

    // Signed, it goes through.
    git_ok(
        first.path(),
        &[
            "commit",
            "-q",
            "--amend",
            "--no-verify",
            "-m",
            &format!("ours\n\n{SIGNED}"),
        ],
    );
    let out = git(first.path(), &["push", "-q", "--force", "origin", "main"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        git_ok(remote.path(), &["rev-parse", "main"]).trim(),
        head(first.path())
    );

    // Deleting a branch sends nothing to check.
    git_ok(first.path(), &["push", "-q", "origin", "main:topic"]);
    let out = git(first.path(), &["push", "-q", "origin", "--delete", "topic"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("provgate pre-push: topic is deleted on origin: nothing to check"),
        "{err}"
    );
}

/// The command between the backquotes that follow `lead` in the hook's output.
fn quoted_after(text: &str, lead: &str) -> String {
    let start = text
        .find(lead)
        .unwrap_or_else(|| panic!("no `{lead}` in {text}"))
        + lead.len();
    let rest = &text[start..];
    let rest = &rest[rest.find('`').unwrap() + 1..];
    rest[..rest.find('`').unwrap()].to_string()
}

/// Runs a command the hook printed, as the user would paste it.
fn follow(dir: &Path, command: &str, editor: &str) -> Output {
    support::isolated(
        std::process::Command::new("sh")
            .current_dir(dir)
            .env("GIT_EDITOR", editor)
            .args(["-c", command]),
    )
    .output()
    .unwrap()
}

#[test]
fn the_signoff_advice_followed_literally_signs_off_the_commit_being_written_only() {
    let r = repo(&[]);
    let dir = r.path();
    // The commit someone else made, which advice to amend would have rewritten.
    let upstream = head(dir);
    let upstream_message = git_ok(dir, &["log", "-1", "--format=%B"]);
    std::fs::write(dir.join("b.txt"), "b\n").unwrap();
    git_ok(dir, &["add", "b.txt"]);
    let out = git(dir, &["commit", "-q", "-m", "add b\n\nA body."]);
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("dco-missing-signoff") && !err.contains("--amend"),
        "{err}"
    );
    let command = quoted_after(&err, "commit again signed off with");
    let file = dir.join(".git/COMMIT_EDITMSG").canonicalize().unwrap();
    assert_eq!(command, format!("git commit -s -F {}", file.display()));
    assert_eq!(head(dir), upstream, "a refused commit changes nothing");

    // From a subdirectory, as the user may well be.
    std::fs::create_dir(dir.join("sub")).unwrap();
    let out = follow(&dir.join("sub"), &command, "false");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(git_ok(dir, &["rev-parse", "HEAD~1"]).trim(), upstream);
    assert_eq!(
        git_ok(dir, &["log", "-1", "--format=%B", &upstream]),
        upstream_message
    );
    assert_eq!(
        git_ok(dir, &["log", "-1", "--format=%B"]),
        format!("add b\n\nA body.\n\n{SIGNED}\n\n")
    );
    assert_eq!(
        git_ok(
            dir,
            &["diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD"]
        ),
        "b.txt\n"
    );

    // A message written in the editor keeps git's comments in the file: the advice edits it,
    // so that git strips them.
    let upstream = head(dir);
    std::fs::write(dir.join("c.txt"), "c\n").unwrap();
    git_ok(dir, &["add", "c.txt"]);
    let editor = "sh -c 'printf \"add c\\n\\nWritten in the editor.\\n\" | cat - \"$1\" > \"$1.new\" && mv \"$1.new\" \"$1\"' editor";
    let out = support::isolated(
        std::process::Command::new("git")
            .current_dir(dir)
            .env("GIT_EDITOR", editor)
            .args(["commit", "-q"]),
    )
    .output()
    .unwrap();
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    let command = quoted_after(&err, "commit again signed off with");
    assert!(command.starts_with("git commit -s -e -F "), "{command}");
    let out = follow(dir, &command, "true");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(git_ok(dir, &["rev-parse", "HEAD~1"]).trim(), upstream);
    assert_eq!(
        git_ok(dir, &["log", "-1", "--format=%B"]),
        format!("add c\n\nWritten in the editor.\n\n{SIGNED}\n\n")
    );

    // The other way the advice names: the hook signs off the commit being written.
    let install_command = quoted_after(&err, "let the hook sign off:");
    assert_eq!(
        install_command,
        "provgate hook install --commit-msg --add-signoff"
    );
    let words: Vec<&str> = install_command.split_whitespace().skip(1).collect();
    succeeded(&provgate_at(dir, &words));
    let upstream = head(dir);
    let upstream_message = git_ok(dir, &["log", "-1", "--format=%B"]);
    std::fs::write(dir.join("d.txt"), "d\n").unwrap();
    git_ok(dir, &["add", "d.txt"]);
    let out = git(dir, &["commit", "-q", "-m", "add d"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(git_ok(dir, &["rev-parse", "HEAD~1"]).trim(), upstream);
    assert_eq!(
        git_ok(dir, &["log", "-1", "--format=%B", &upstream]),
        upstream_message
    );
    assert_eq!(
        git_ok(dir, &["log", "-1", "--format=%B"]),
        format!("add d\n\n{SIGNED}\n\n")
    );
}

#[test]
fn merges_and_fixups_pass_unless_configured() {
    let r = repo(&["--commit-msg"]);
    let dir = r.path();
    git_ok(dir, &["checkout", "-q", "-b", "topic"]);
    commit(dir, "t.txt", &format!("topic\n\n{SIGNED}"));
    git_ok(dir, &["checkout", "-q", "main"]);
    commit(dir, "m.txt", &format!("main\n\n{SIGNED}"));

    // A merge `git merge` writes ("Merge branch 'topic'", no sign-off) passes.
    let out = git(dir, &["merge", "-q", "--no-ff", "--no-edit", "topic"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("a merge commit, not checked"), "{err}");
    assert_eq!(
        git_ok(dir, &["rev-list", "--count", "--merges", "HEAD"]),
        "1\n"
    );

    // So does a merge concluded by `git commit` after a conflict.
    git_ok(dir, &["checkout", "-q", "-b", "left", "main~1"]);
    std::fs::write(dir.join("a.txt"), "left\n").unwrap();
    git_ok(
        dir,
        &[
            "commit",
            "-q",
            "--no-verify",
            "-am",
            &format!("left\n\n{SIGNED}"),
        ],
    );
    git_ok(dir, &["checkout", "-q", "main"]);
    std::fs::write(dir.join("a.txt"), "right\n").unwrap();
    git_ok(
        dir,
        &[
            "commit",
            "-q",
            "--no-verify",
            "-am",
            &format!("right\n\n{SIGNED}"),
        ],
    );
    assert!(!git(dir, &["merge", "-q", "left"]).status.success());
    std::fs::write(dir.join("a.txt"), "both\n").unwrap();
    git_ok(dir, &["add", "a.txt"]);
    let out = git(dir, &["commit", "-q", "--no-edit"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        git_ok(dir, &["rev-list", "--count", "--merges", "HEAD"]),
        "2\n"
    );

    // fixup!, squash! and amend! commits, none signed off.
    for (i, args) in [
        vec!["--fixup=HEAD"],
        vec!["--squash=HEAD", "-m", "more words"],
        vec!["--fixup=amend:HEAD"],
    ]
    .into_iter()
    .enumerate()
    {
        std::fs::write(dir.join("f.txt"), format!("{i}\n")).unwrap();
        git_ok(dir, &["add", "f.txt"]);
        let mut all = vec!["commit", "-q"];
        all.extend(args.iter().copied());
        let out = support::isolated(
            std::process::Command::new("git")
                .current_dir(dir)
                .env("GIT_EDITOR", "true")
                .args(&all),
        )
        .output()
        .unwrap();
        let err = stderr(&out);
        assert!(out.status.success(), "{args:?}: {err}");
        assert!(err.contains("commit, not checked"), "{args:?}: {err}");
    }
    let subjects = git_ok(dir, &["log", "-3", "--format=%s"]);
    assert!(
        subjects.starts_with("amend! ")
            && subjects.contains("\nsquash! ")
            && subjects.contains("\nfixup! "),
        "{subjects}"
    );

    // Configured to check them, the hook refuses both for their missing sign-off.
    git_ok(dir, &["config", "provgate.hookCheckFixups", "true"]);
    std::fs::write(dir.join("f.txt"), "again\n").unwrap();
    git_ok(dir, &["add", "f.txt"]);
    let out = git(dir, &["commit", "-q", "--fixup=HEAD"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("dco-missing-signoff"));
    git_ok(dir, &["reset", "-q", "--hard"]);

    install(dir, &["--commit-msg", "--check-merges"]);
    git_ok(dir, &["checkout", "-q", "-b", "another", "main~3"]);
    commit(dir, "x.txt", &format!("another\n\n{SIGNED}"));
    git_ok(dir, &["checkout", "-q", "main"]);
    let out = git(dir, &["merge", "-q", "--no-ff", "--no-edit", "another"]);
    assert!(!out.status.success(), "a merge is checked when asked");
    assert!(
        stderr(&out).contains("dco-missing-signoff"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_pre_push_signoff_advice_followed_literally_signs_off_exactly_the_flagged_commits() {
    let r = repo(&[]);
    let dir = r.path();
    let remote = bare();
    git_ok(dir, &["remote", "add", "origin", path(&remote)]);
    git_ok(dir, &["push", "-q", "origin", "main"]);
    let message = |rev: &str| git_ok(dir, &["log", "-1", "--format=%B", rev]);

    // Four commits, the second and the fourth (HEAD) unsigned: amending would reach only HEAD.
    let signed_1 = commit(dir, "c1.txt", &format!("one\n\n{SIGNED}"));
    let unsigned_2 = commit(dir, "c2.txt", "two unsigned");
    commit(dir, "c3.txt", &format!("three\n\n{SIGNED}"));
    commit(dir, "c4.txt", "four unsigned");
    let before: Vec<String> = (0..4)
        .rev()
        .map(|n| message(&format!("HEAD~{n}")))
        .collect();
    let out = git(dir, &["push", "-q", "origin", "main"]);
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    let command = quoted_after(
        &err,
        "sign off the 2 commits missing it on the branch checked out with ",
    );
    assert_eq!(
        command,
        format!("git rebase --signoff {}^", &unsigned_2[..12])
    );
    assert!(!err.contains("--amend -s`"), "{err}");
    let done = follow(dir, &command, "false");
    assert!(done.status.success(), "{}", stderr(&done));
    let after: Vec<String> = (0..4)
        .rev()
        .map(|n| message(&format!("HEAD~{n}")))
        .collect();
    // The commit before the oldest flagged one is untouched, the signed ones keep their
    // messages, and the two flagged ones gain exactly the sign-off.
    assert_eq!(
        git_ok(dir, &["rev-parse", "HEAD~4"]),
        git_ok(dir, &["rev-parse", &format!("{signed_1}^")])
    );
    assert_eq!(after[0], before[0]);
    assert_eq!(after[2], before[2]);
    assert_eq!(after[1], format!("two unsigned\n\n{SIGNED}\n\n"));
    assert_eq!(after[3], format!("four unsigned\n\n{SIGNED}\n\n"));
    let out = git(dir, &["push", "-q", "origin", "main"]);
    assert!(out.status.success(), "{}", stderr(&out));

    // Only HEAD unsigned: amending it is right, and changes nothing else.
    let parent = head(dir);
    commit(dir, "c5.txt", "five unsigned");
    let out = git(dir, &["push", "-q", "origin", "main"]);
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    let command = quoted_after(
        &err,
        "sign off the commit missing it on the branch checked out with ",
    );
    assert_eq!(command, "git commit --amend -s --no-edit");
    let done = follow(dir, &command, "false");
    assert!(done.status.success(), "{}", stderr(&done));
    assert_eq!(git_ok(dir, &["rev-parse", "HEAD~1"]).trim(), parent);
    assert_eq!(message("HEAD"), format!("five unsigned\n\n{SIGNED}\n\n"));
    let out = git(dir, &["push", "-q", "origin", "main"]);
    assert!(out.status.success(), "{}", stderr(&out));

    // A branch not checked out is switched to first.
    git_ok(dir, &["checkout", "-q", "-b", "topic"]);
    commit(dir, "t1.txt", "topic unsigned");
    git_ok(dir, &["checkout", "-q", "main"]);
    let out = git(dir, &["push", "-q", "origin", "topic"]);
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    let command = quoted_after(
        &err,
        "sign off the commit missing it on topic (not checked out) with ",
    );
    assert_eq!(
        command,
        "git switch topic && git commit --amend -s --no-edit"
    );
    let done = follow(dir, &command, "false");
    assert!(done.status.success(), "{}", stderr(&done));
    assert_eq!(message("topic"), format!("topic unsigned\n\n{SIGNED}\n\n"));
    assert_eq!(message("main"), format!("five unsigned\n\n{SIGNED}\n\n"));
}
