//! public-inbox v2 archives built with the git CLI as public-inbox writes them (each epoch a
//! bare repository on `master`, each commit a tree holding the single file `m` or `d`), read
//! with `provgate_git::inbox` and compared with `git log --format=%H` and `git show C:m`.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use provgate_git::{Epoch, GitError, InboxEntry, InboxItem, PublicInbox};

/// `git ARGS` in `dir` with `input` on standard input; its trimmed output, which must succeed.
fn git(dir: &Path, args: &[&str], input: Option<&[u8]>) -> String {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Archiver")
        .env("GIT_AUTHOR_EMAIL", "archiver@example.org")
        .env("GIT_COMMITTER_NAME", "Archiver")
        .env("GIT_COMMITTER_EMAIL", "archiver@example.org")
        .env("GIT_AUTHOR_DATE", "2026-06-01T10:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-06-01T10:00:00Z")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("git runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.unwrap_or_default())
        .expect("write stdin");
    let out = child.wait_with_output().expect("git ends");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The raw bytes `git show REV` prints.
fn show(dir: &Path, rev: &str) -> Vec<u8> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["show", rev])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git show {rev}");
    out.stdout
}

/// An inbox directory in a temporary directory.
struct Inbox {
    dir: tempfile::TempDir,
}

impl Inbox {
    fn new() -> Inbox {
        let inbox = Inbox {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        std::fs::create_dir_all(inbox.path().join("git")).expect("mkdir git");
        // public-inbox's all.git links the epochs; it is not one.
        git(inbox.path(), &["init", "-q", "--bare", "all.git"], None);
        inbox
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn epoch_dir(&self, n: u32) -> PathBuf {
        self.path().join(format!("git/{n}.git"))
    }

    /// Creates epoch `n`, empty.
    fn add_epoch(&self, n: u32) -> PathBuf {
        let dir = self.epoch_dir(n);
        git(
            self.path(),
            &[
                "init",
                "-q",
                "--bare",
                "-b",
                "master",
                dir.to_str().expect("utf-8"),
            ],
            None,
        );
        dir
    }

    /// Commits a tree holding only `file` (`m` or `d`) with `content` on epoch `n`'s master,
    /// as public-inbox does; the commit id.
    fn commit(&self, n: u32, file: &str, content: &[u8]) -> String {
        commit_file(&self.epoch_dir(n), file, content)
    }
}

fn commit_file(epoch: &Path, file: &str, content: &[u8]) -> String {
    let blob = git(epoch, &["hash-object", "-w", "--stdin"], Some(content));
    let tree = git(
        epoch,
        &["mktree"],
        Some(format!("100644 blob {blob}\t{file}\n").as_bytes()),
    );
    commit_tree(epoch, &tree)
}

fn commit_tree(epoch: &Path, tree: &str) -> String {
    let parent = Command::new("git")
        .arg("-C")
        .arg(epoch)
        .args(["rev-parse", "--verify", "-q", "refs/heads/master"])
        .output()
        .expect("git runs");
    let parent = String::from_utf8_lossy(&parent.stdout).trim().to_string();
    let mut args = vec!["commit-tree", tree, "-m", "subject"];
    if !parent.is_empty() {
        args.extend(["-p", parent.as_str()]);
    }
    let commit = git(epoch, &args, None);
    git(epoch, &["update-ref", "refs/heads/master", &commit], None);
    commit
}

fn message(i: usize) -> Vec<u8> {
    format!(
        "From: Jane Doe <jane@example.org>\nSubject: [PATCH] message {i}\nMessage-ID: <m{i}@example.org>\n\nbody {i}\n"
    )
    .into_bytes()
}

/// Every item of `epoch` after `since`, and the cursor returned.
fn read_all(
    inbox: &PublicInbox,
    epoch: &Epoch,
    since: Option<&str>,
) -> (Vec<InboxItem>, Option<String>) {
    let mut items = Vec::new();
    let cursor = inbox
        .read_epoch(epoch, since, &mut |item| {
            items.push(item);
            ControlFlow::Continue(())
        })
        .expect("epoch reads");
    (items, cursor)
}

/// git's answer for an epoch: every commit oldest first, with the file it holds.
fn oracle(epoch: &Path, since: Option<&str>) -> Vec<(String, InboxEntry)> {
    let range = match since {
        Some(c) => format!("{c}..master"),
        None => "master".to_string(),
    };
    git(epoch, &["log", "--reverse", "--format=%H", &range], None)
        .lines()
        .map(|c| {
            let files = git(epoch, &["ls-tree", "--name-only", c], None);
            let entry = if files == "m" {
                InboxEntry::Message(show(epoch, &format!("{c}:m")))
            } else {
                assert_eq!(files, "d");
                InboxEntry::Deleted(show(epoch, &format!("{c}:d")))
            };
            (c.to_string(), entry)
        })
        .collect()
}

fn pairs(items: &[InboxItem]) -> Vec<(String, InboxEntry)> {
    items
        .iter()
        .map(|i| (i.commit.clone(), i.entry.clone()))
        .collect()
}

#[test]
fn two_epochs_read_as_git_shows_them() {
    let inbox = Inbox::new();
    inbox.add_epoch(0);
    inbox.add_epoch(1);
    for i in 0..5 {
        inbox.commit(0, "m", &message(i));
    }
    // A message whose bytes are not UTF-8 (a Latin-1 body) comes back byte for byte.
    inbox.commit(0, "m", b"Subject: caf\xe9\n\nna\xefve\r\n");
    for i in 5..8 {
        inbox.commit(1, "m", &message(i));
    }
    let opened = PublicInbox::open(inbox.path()).expect("inbox opens");
    let numbers: Vec<u32> = opened.epochs().iter().map(|e| e.number).collect();
    assert_eq!(numbers, [0, 1], "all.git is not an epoch");
    for epoch in opened.epochs() {
        let (items, cursor) = read_all(&opened, epoch, None);
        let want = oracle(&epoch.path, None);
        assert_eq!(pairs(&items), want);
        assert!(items.iter().all(|i| i.epoch == epoch.number));
        let head = git(&epoch.path, &["rev-parse", "master"], None);
        assert_eq!(cursor.as_deref(), Some(head.as_str()));
    }
    let (items, _) = read_all(&opened, &opened.epochs()[0], None);
    assert_eq!(items.len(), 6);
    assert_eq!(
        items[5].entry,
        InboxEntry::Message(b"Subject: caf\xe9\n\nna\xefve\r\n".to_vec())
    );
}

#[test]
fn a_new_epoch_is_found_when_the_inbox_is_opened_again() {
    let inbox = Inbox::new();
    inbox.add_epoch(0);
    inbox.commit(0, "m", &message(0));
    let first = PublicInbox::open(inbox.path()).expect("opens");
    assert_eq!(first.epochs().len(), 1);

    inbox.add_epoch(1);
    inbox.commit(1, "m", &message(1));
    assert_eq!(first.epochs().len(), 1, "epochs are found when opened");
    let again = PublicInbox::open(inbox.path()).expect("opens again");
    let numbers: Vec<u32> = again.epochs().iter().map(|e| e.number).collect();
    assert_eq!(numbers, [0, 1]);
    let (items, _) = read_all(&again, &again.epochs()[1], None);
    assert_eq!(pairs(&items), oracle(&inbox.epoch_dir(1), None));

    // Epochs are ordered by number, not by name: 10 comes after 2.
    inbox.add_epoch(10);
    inbox.add_epoch(2);
    let numbers: Vec<u32> = PublicInbox::open(inbox.path())
        .expect("opens")
        .epochs()
        .iter()
        .map(|e| e.number)
        .collect();
    assert_eq!(numbers, [0, 1, 2, 10]);
}

#[test]
fn a_cursor_resumes_with_the_new_commits_only() {
    let inbox = Inbox::new();
    inbox.add_epoch(0);
    for i in 0..3 {
        inbox.commit(0, "m", &message(i));
    }
    let opened = PublicInbox::open(inbox.path()).expect("opens");
    let epoch = &opened.epochs()[0];
    let (first, cursor) = read_all(&opened, epoch, None);
    assert_eq!(first.len(), 3);
    let cursor = cursor.expect("a cursor");

    // Nothing new: nothing read, the same cursor.
    let (none, same) = read_all(&opened, epoch, Some(&cursor));
    assert!(none.is_empty());
    assert_eq!(same.as_deref(), Some(cursor.as_str()));

    for i in 3..5 {
        inbox.commit(0, "m", &message(i));
    }
    let (new, next) = read_all(&opened, epoch, Some(&cursor));
    assert_eq!(pairs(&new), oracle(&epoch.path, Some(&cursor)));
    assert_eq!(new.len(), 2);
    assert_eq!(new[0].entry, InboxEntry::Message(message(3)));
    assert_eq!(
        next.as_deref(),
        Some(git(&epoch.path, &["rev-parse", "master"], None).as_str())
    );
}

#[test]
fn break_stops_after_the_item_and_its_commit_is_the_cursor() {
    let inbox = Inbox::new();
    inbox.add_epoch(0);
    let ids: Vec<String> = (0..4).map(|i| inbox.commit(0, "m", &message(i))).collect();
    let opened = PublicInbox::open(inbox.path()).expect("opens");
    let epoch = &opened.epochs()[0];
    let mut seen = Vec::new();
    let cursor = opened
        .read_epoch(epoch, None, &mut |item| {
            seen.push(item.commit);
            if seen.len() == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .expect("reads");
    assert_eq!(seen, ids[..2]);
    assert_eq!(cursor.as_deref(), Some(ids[1].as_str()));
    let (rest, _) = read_all(&opened, epoch, cursor.as_deref());
    let rest: Vec<String> = rest.into_iter().map(|i| i.commit).collect();
    assert_eq!(rest, ids[2..]);
}

#[test]
fn deletions_carry_the_deleted_message() {
    let inbox = Inbox::new();
    inbox.add_epoch(0);
    inbox.commit(0, "m", &message(0));
    inbox.commit(0, "m", &message(1));
    let deleted = inbox.commit(0, "d", &message(0));
    let opened = PublicInbox::open(inbox.path()).expect("opens");
    let (items, _) = read_all(&opened, &opened.epochs()[0], None);
    assert_eq!(pairs(&items), oracle(&inbox.epoch_dir(0), None));
    assert_eq!(items[2].commit, deleted);
    assert_eq!(items[2].entry, InboxEntry::Deleted(message(0)));
}

#[test]
fn commits_holding_neither_file_are_passed_over() {
    let inbox = Inbox::new();
    let epoch = inbox.add_epoch(0);
    inbox.commit(0, "m", &message(0));
    let empty_tree = git(&epoch, &["mktree"], Some(b""));
    let empty = commit_tree(&epoch, &empty_tree);
    let opened = PublicInbox::open(inbox.path()).expect("opens");
    let (items, cursor) = read_all(&opened, &opened.epochs()[0], None);
    assert_eq!(items.len(), 1);
    assert_eq!(
        cursor,
        Some(empty),
        "the cursor passes the empty commit too"
    );
}

#[test]
fn an_empty_epoch_has_no_cursor() {
    let inbox = Inbox::new();
    inbox.add_epoch(0);
    let opened = PublicInbox::open(inbox.path()).expect("opens");
    let (items, cursor) = read_all(&opened, &opened.epochs()[0], None);
    assert!(items.is_empty());
    assert_eq!(cursor, None);
}

#[test]
fn a_rewritten_history_loses_the_cursor() {
    let inbox = Inbox::new();
    let epoch_dir = inbox.add_epoch(0);
    let first = inbox.commit(0, "m", &message(0));
    inbox.commit(0, "m", &message(1));
    let opened = PublicInbox::open(inbox.path()).expect("opens");
    let epoch = &opened.epochs()[0];
    let (_, cursor) = read_all(&opened, epoch, None);
    let cursor = cursor.expect("cursor");

    // As public-inbox-purge does: the branch is rewritten from before the cursor.
    git(
        &epoch_dir,
        &["update-ref", "refs/heads/master", &first],
        None,
    );
    inbox.commit(0, "m", &message(2));
    let mut visited = 0;
    let err = opened
        .read_epoch(epoch, Some(&cursor), &mut |_| {
            visited += 1;
            ControlFlow::Continue(())
        })
        .expect_err("the cursor is not an ancestor");
    assert_eq!(visited, 0, "nothing is read past a lost cursor");
    match &err {
        GitError::InboxCursorLost {
            epoch, cursor: c, ..
        } => {
            assert_eq!(*epoch, 0);
            assert_eq!(c, &cursor);
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert!(err.to_string().contains("read it again from its start"));

    // A cursor the repository has never held, and one that is no id at all.
    let unknown = "0123456789abcdef0123456789abcdef01234567";
    let err = opened
        .read_epoch(epoch, Some(unknown), &mut |_| ControlFlow::Continue(()))
        .expect_err("unknown cursor");
    assert!(
        matches!(&err, GitError::InboxCursorLost { reason, .. } if reason.contains("not in the epoch")),
        "{err}"
    );
    let err = opened
        .read_epoch(epoch, Some("HEAD~1"), &mut |_| ControlFlow::Continue(()))
        .expect_err("not an id");
    assert!(matches!(err, GitError::InboxCursorLost { .. }), "{err}");
}

#[test]
fn a_single_epoch_repository_is_an_inbox() {
    let inbox = Inbox::new();
    inbox.add_epoch(3);
    inbox.commit(3, "m", &message(0));
    inbox.commit(3, "m", &message(1));

    // The epoch's own directory: its number comes from its name.
    let lone = PublicInbox::open(&inbox.epoch_dir(3)).expect("an epoch opens");
    assert_eq!(lone.epochs().len(), 1);
    assert_eq!(lone.epochs()[0].number, 3);
    let (items, _) = read_all(&lone, &lone.epochs()[0], None);
    assert_eq!(pairs(&items), oracle(&inbox.epoch_dir(3), None));

    // A clone with a work tree (a mirror of one epoch published on its own): epoch 0.
    let clone_parent = tempfile::tempdir().expect("temp");
    let clone = clone_parent.path().join("list-archive");
    git(
        clone_parent.path(),
        &[
            "clone",
            "-q",
            inbox.epoch_dir(3).to_str().expect("utf-8"),
            clone.to_str().expect("utf-8"),
        ],
        None,
    );
    let cloned = PublicInbox::open(&clone).expect("a clone opens");
    assert_eq!(cloned.epochs()[0].number, 0);
    let (items, _) = read_all(&cloned, &cloned.epochs()[0], None);
    assert_eq!(pairs(&items), oracle(&clone, None));
}

#[test]
fn head_naming_no_branch_falls_back_to_the_only_branch() {
    let inbox = Inbox::new();
    let epoch = inbox.add_epoch(0);
    inbox.commit(0, "m", &message(0));
    git(&epoch, &["symbolic-ref", "HEAD", "refs/heads/main"], None);
    let opened = PublicInbox::open(inbox.path()).expect("opens");
    let (items, _) = read_all(&opened, &opened.epochs()[0], None);
    assert_eq!(items.len(), 1);
}

#[test]
fn a_directory_that_is_no_inbox_is_a_typed_error() {
    let dir = tempfile::tempdir().expect("temp");
    let err = PublicInbox::open(dir.path()).expect_err("no inbox");
    assert!(matches!(err, GitError::NotAnInbox { .. }), "{err}");
    assert!(err.to_string().contains("git/0.git"), "{err}");
    let err = PublicInbox::open(&dir.path().join("missing")).expect_err("no directory");
    assert!(matches!(err, GitError::NotAnInbox { .. }), "{err}");

    // A project's repository is no epoch: its head holds source files, not `m`.
    let project = dir.path().join("project");
    git(dir.path(), &["init", "-q", "-b", "main", "project"], None);
    std::fs::write(project.join("README"), "hello\n").expect("write");
    git(&project, &["add", "README"], None);
    git(&project, &["commit", "-q", "-m", "start"], None);
    let err = PublicInbox::open(&project).expect_err("not an epoch");
    assert!(
        matches!(&err, GitError::NotAnInbox { reason, .. } if reason.contains("holds no file `m`")),
        "{err}"
    );
}

/// A real archive named by the environment (skipped otherwise, none ships with the sources):
///
/// ```text
/// PROVGATE_REAL_INBOX=/path/to/inbox-or-epoch \
///     cargo test --release -p provgate-git --test inbox real_archive -- --nocapture
/// ```
///
/// Every commit of every epoch, compared with `git log --reverse --format=%H` and the bytes of
/// `git cat-file --batch` for `C:m` (or `C:d`).
#[test]
fn real_archive_agrees_with_git() {
    let Some(path) = std::env::var_os("PROVGATE_REAL_INBOX") else {
        eprintln!("PROVGATE_REAL_INBOX is not set; skipped");
        return;
    };
    let inbox = PublicInbox::open(Path::new(&path)).expect("the archive opens");
    for epoch in inbox.epochs() {
        let started = std::time::Instant::now();
        let (items, _) = read_all(&inbox, epoch, None);
        let ours = started.elapsed();
        let ids = git(
            &epoch.path,
            &["log", "--reverse", "--format=%H", "HEAD"],
            None,
        );
        let ids: Vec<&str> = ids.lines().collect();
        let input: String = ids.iter().map(|c| format!("{c}:m\n{c}:d\n")).collect();
        let out = Command::new("git")
            .arg("-C")
            .arg(&epoch.path)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                let mut stdin = child.stdin.take().expect("stdin");
                let input = input.clone();
                let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
                let out = child.wait_with_output();
                writer.join().expect("writer").expect("written");
                out
            })
            .expect("cat-file runs");
        let mut rest = &out.stdout[..];
        let mut want = Vec::new();
        for id in &ids {
            let mut entry = None;
            for deleted in [false, true] {
                let nl = rest.iter().position(|&b| b == b'\n').expect("header");
                let header = String::from_utf8_lossy(&rest[..nl]).to_string();
                rest = &rest[nl + 1..];
                if header.ends_with(" missing") {
                    continue;
                }
                let size: usize = header.rsplit(' ').next().unwrap().parse().unwrap();
                let bytes = rest[..size].to_vec();
                rest = &rest[size + 1..];
                if entry.is_none() {
                    entry = Some(if deleted {
                        InboxEntry::Deleted(bytes)
                    } else {
                        InboxEntry::Message(bytes)
                    });
                }
            }
            if let Some(entry) = entry {
                want.push((id.to_string(), entry));
            }
        }
        eprintln!(
            "epoch {}: {} commits, {} items read in {:.2?}",
            epoch.number,
            ids.len(),
            items.len(),
            ours
        );
        assert!(
            pairs(&items) == want,
            "epoch {} disagrees with git",
            epoch.number
        );
    }
}
