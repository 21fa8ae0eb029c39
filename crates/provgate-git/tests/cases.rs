//! One small repository per kind of change, built with the git CLI; every commit is compared
//! with git (numstat, statuses, `git log -p` hunks, metadata, trailers) and the interesting
//! fields are also checked by hand.

mod support;

use std::os::unix::fs::PermissionsExt;

use provgate_git::{RangeOptions, read_range};
use provgate_patch::{FileChange, FileStatus, Origin, Patch};
use support::*;

/// Reads the whole history of HEAD and asserts that every commit agrees with git.
fn read_and_compare(repo: &TestRepo) -> Vec<Patch> {
    let opts = RangeOptions {
        max_count: Some(usize::MAX),
        ..RangeOptions::default()
    };
    let read = read_range(repo.path(), "HEAD", &opts).expect("history reads");
    let git_log = git_commits(repo.path(), &["--no-merges", "HEAD"]);
    let ids: Vec<&str> = read.patches.iter().map(|p| p.id.as_str()).collect();
    let git_ids: Vec<&str> = git_log.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, git_ids);
    let problems: Vec<String> = read
        .patches
        .iter()
        .zip(&git_log)
        .flat_map(|(p, g)| compare_patch(p, g))
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    read.patches
}

fn file<'a>(patch: &'a Patch, path: &str) -> &'a FileChange {
    patch
        .files
        .iter()
        .find(|f| f.path() == path)
        .unwrap_or_else(|| {
            panic!(
                "{path} not in {:?}",
                patch.files.iter().map(|f| f.path()).collect::<Vec<_>>()
            )
        })
}

fn lines(n: usize, tag: &str) -> String {
    (1..=n).map(|i| format!("{tag} line {i}\n")).collect()
}

#[test]
fn metadata_message_and_trailers() {
    let mut repo = TestRepo::new();
    repo.write("a.txt", b"one\n");
    let message = "Add a file\nwith a two-line subject\n\nBody text.\n\nAI-used-for: tests\n  and docs\nAssisted-by: Some Model\nCo-authored-by: Bo <bo@example.org>\nSigned-off-by: Ada Author <ada@example.org>\n";
    let id = repo.commit(message);
    let patches = read_and_compare(&repo);
    let p = &patches[0];
    assert_eq!(p.id, id);
    assert_eq!(p.origin, Origin::Commit { commit: id.clone() });
    assert_eq!(p.subject, "Add a file with a two-line subject");
    assert_eq!(p.message, message);
    assert_eq!(
        trailer_lines(p),
        vec![
            "AI-used-for: tests and docs",
            "Assisted-by: Some Model",
            "Co-authored-by: Bo <bo@example.org>",
            "Signed-off-by: Ada Author <ada@example.org>",
        ]
    );
    let author = p.author.as_ref().unwrap();
    assert_eq!(
        (author.name.as_str(), author.email.as_str()),
        ("Ada Author", "ada@example.org")
    );
    assert_eq!(p.committer.as_ref().unwrap().name, "Cy Committer");
    let date = p.date.unwrap();
    assert_eq!((date.seconds, date.offset_minutes), (1_700_000_060, 120));
    assert!(p.parents.is_empty());
    assert_eq!(file(p, "a.txt").status, FileStatus::Added);
}

#[test]
fn edits_adds_deletes_and_missing_newlines() {
    let mut repo = TestRepo::new();
    repo.write("keep.txt", lines(40, "keep").as_bytes());
    repo.write("gone.txt", b"bye\n");
    repo.write("nonl.txt", b"a\nb");
    repo.write("empty.txt", b"");
    repo.commit("base");
    let mut keep = lines(40, "keep");
    keep = keep
        .replace("keep line 5\n", "changed five\n")
        .replace("keep line 30\n", "");
    repo.write("keep.txt", keep.as_bytes());
    std::fs::remove_file(repo.path().join("gone.txt")).unwrap();
    repo.write("nonl.txt", b"a\nb\n");
    repo.write("empty.txt", b"now text\n");
    repo.write("new-empty.txt", b"");
    repo.commit("edit");
    repo.write("empty.txt", b"");
    repo.write("nonl.txt", b"a\nB");
    repo.commit("more");
    let patches = read_and_compare(&repo);
    let edit = &patches[1];
    assert_eq!(file(edit, "keep.txt").status, FileStatus::Modified);
    assert_eq!(
        (
            file(edit, "keep.txt").added(),
            file(edit, "keep.txt").removed()
        ),
        (1, 2)
    );
    assert_eq!(file(edit, "keep.txt").hunks.len(), 2);
    assert_eq!(file(edit, "gone.txt").status, FileStatus::Deleted);
    assert_eq!(file(edit, "gone.txt").new_path, None);
    assert_eq!(file(edit, "new-empty.txt").status, FileStatus::Added);
    assert_eq!(file(edit, "new-empty.txt").old_path, None);
    assert!(file(edit, "new-empty.txt").hunks.is_empty());
    let nonl = file(edit, "nonl.txt");
    let removed: Vec<_> = nonl.hunks[0].lines().filter(|l| l.no_newline).collect();
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].text, "b");
}

#[test]
fn renames_like_git() {
    let mut repo = TestRepo::new();
    repo.write("src/pure.c", lines(30, "pure").as_bytes());
    repo.write("src/edited.c", lines(30, "edited").as_bytes());
    repo.write("src/rewritten.c", lines(10, "rewritten").as_bytes());
    repo.write("a/same.txt", b"identical content\n");
    repo.write("b/same.txt", b"identical content\n");
    repo.write("moved/keepname.h", lines(20, "keepname").as_bytes());
    repo.write("empty-src", b"");
    repo.commit("base");
    std::fs::create_dir_all(repo.path().join("lib")).unwrap();
    std::fs::rename(
        repo.path().join("src/pure.c"),
        repo.path().join("lib/pure.c"),
    )
    .unwrap();
    std::fs::remove_file(repo.path().join("src/edited.c")).unwrap();
    repo.write(
        "lib/edited2.c",
        lines(30, "edited")
            .replace("edited line 7\n", "seven\n")
            .as_bytes(),
    );
    std::fs::remove_file(repo.path().join("src/rewritten.c")).unwrap();
    repo.write("lib/rewritten.c", lines(10, "other").as_bytes());
    std::fs::remove_file(repo.path().join("a/same.txt")).unwrap();
    std::fs::remove_file(repo.path().join("b/same.txt")).unwrap();
    repo.write("c/same.txt", b"identical content\n");
    repo.write("c/other.txt", b"identical content\n");
    std::fs::remove_file(repo.path().join("moved/keepname.h")).unwrap();
    repo.write(
        "elsewhere/keepname.h",
        lines(20, "keepname")
            .replace("keepname line 3\n", "three\n")
            .as_bytes(),
    );
    std::fs::remove_file(repo.path().join("empty-src")).unwrap();
    repo.write("empty-dst", b"");
    repo.commit("move things");
    let patches = read_and_compare(&repo);
    let p = &patches[1];
    let pure = file(p, "lib/pure.c");
    assert_eq!(pure.status, FileStatus::Renamed);
    assert_eq!(pure.old_path.as_deref(), Some("src/pure.c"));
    assert_eq!(pure.similarity, Some(100));
    assert!(pure.hunks.is_empty());
    let edited = file(p, "lib/edited2.c");
    assert_eq!(edited.status, FileStatus::Renamed);
    assert!(edited.similarity.unwrap() < 100);
    assert_eq!((edited.added(), edited.removed()), (1, 1));
    assert_eq!(file(p, "lib/rewritten.c").status, FileStatus::Added);
    assert_eq!(file(p, "src/rewritten.c").status, FileStatus::Deleted);
    assert_eq!(file(p, "elsewhere/keepname.h").status, FileStatus::Renamed);
}

#[test]
fn binary_files() {
    let mut repo = TestRepo::new();
    repo.write("image.bin", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    let mut late_nul = lines(600, "text").into_bytes();
    assert!(late_nul.len() > 8000);
    late_nul.push(0);
    repo.write("late-nul.txt", &late_nul);
    repo.commit("binaries");
    repo.write("image.bin", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR changed");
    late_nul.extend_from_slice(b"\nmore\n");
    repo.write("late-nul.txt", &late_nul);
    std::fs::rename(
        repo.path().join("image.bin"),
        repo.path().join("renamed.bin"),
    )
    .unwrap();
    repo.commit("change binaries");
    let patches = read_and_compare(&repo);
    assert!(file(&patches[0], "image.bin").binary);
    assert!(file(&patches[0], "image.bin").hunks.is_empty());
    assert!(
        !file(&patches[0], "late-nul.txt").binary,
        "a NUL after 8000 bytes is text to git"
    );
    assert!(file(&patches[1], "renamed.bin").binary);
}

#[test]
fn modes_symlinks_submodules_and_type_changes() {
    let mut repo = TestRepo::new();
    repo.write("run.sh", b"#!/bin/sh\necho hi\n");
    repo.write("plain.txt", b"plain\n");
    repo.write("becomes-link", b"file content\n");
    std::os::unix::fs::symlink("plain.txt", repo.path().join("link")).unwrap();
    // An empty directory stands for a submodule that is not checked out, which `git add -A`
    // leaves alone.
    std::fs::create_dir_all(repo.path().join("vendor/lib")).unwrap();
    let sub = "1111111111111111111111111111111111111111";
    git(
        repo.path(),
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{sub},vendor/lib"),
        ],
    );
    repo.commit("base");

    let run = repo.path().join("run.sh");
    std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::remove_file(repo.path().join("link")).unwrap();
    std::os::unix::fs::symlink("run.sh", repo.path().join("link")).unwrap();
    std::fs::remove_file(repo.path().join("becomes-link")).unwrap();
    std::os::unix::fs::symlink("plain.txt", repo.path().join("becomes-link")).unwrap();
    let sub2 = "2222222222222222222222222222222222222222";
    git(
        repo.path(),
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{sub2},vendor/lib"),
        ],
    );
    repo.commit("modes, links, submodule");
    git(repo.path(), &["rm", "-q", "--cached", "vendor/lib"]);
    repo.commit("drop submodule");

    let patches = read_and_compare(&repo);
    let base = &patches[0];
    assert_eq!(file(base, "link").new_mode, Some(0o120000));
    assert_eq!(file(base, "vendor/lib").new_mode, Some(0o160000));
    assert_eq!(file(base, "vendor/lib").added(), 1);
    let p = &patches[1];
    let run = file(p, "run.sh");
    assert_eq!(run.status, FileStatus::ModeOnly);
    assert_eq!(
        (run.old_mode, run.new_mode),
        (Some(0o100644), Some(0o100755))
    );
    assert!(run.hunks.is_empty());
    assert_eq!(file(p, "link").status, FileStatus::Modified);
    let changed = file(p, "becomes-link");
    assert_eq!(changed.status, FileStatus::TypeChanged);
    assert_eq!(
        (changed.old_mode, changed.new_mode),
        (Some(0o100644), Some(0o120000))
    );
    let sub_change = file(p, "vendor/lib");
    assert_eq!((sub_change.added(), sub_change.removed()), (1, 1));
    assert_eq!(file(&patches[2], "vendor/lib").status, FileStatus::Deleted);
}

#[test]
fn odd_paths_and_line_endings() {
    let mut repo = TestRepo::new();
    repo.write("with space.txt", b"x\n");
    repo.write("tab\there.txt", b"x\n");
    repo.write("quote\"d.txt", b"x\n");
    repo.write("na\u{ef}ve.txt", b"x\n");
    repo.write("crlf.txt", b"one\r\ntwo\r\n");
    // A file name that is not UTF-8 (Latin-1 é).
    let latin1 = <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(b"caf\xe9.txt");
    std::fs::write(repo.path().join(latin1), b"x\n").unwrap();
    repo.commit("odd names");
    repo.write("crlf.txt", b"one\r\nTWO\r\n");
    std::fs::remove_file(repo.path().join("with space.txt")).unwrap();
    repo.write("dir/with space.txt", b"x\n");
    repo.commit("edit crlf, move a spaced name");
    let patches = read_and_compare(&repo);
    assert!(
        patches[0]
            .files
            .iter()
            .any(|f| f.path() == "caf\u{fffd}.txt")
    );
    let crlf = file(&patches[1], "crlf.txt");
    assert!(crlf.added_lines().all(|l| l.text.ends_with('\r')));
    assert_eq!(
        file(&patches[1], "dir/with space.txt").status,
        FileStatus::Renamed
    );
}

#[test]
fn file_replaced_by_directory_and_back() {
    let mut repo = TestRepo::new();
    repo.write("thing", b"a file\n");
    repo.write("thing-sibling.txt", b"s\n");
    repo.commit("file");
    std::fs::remove_file(repo.path().join("thing")).unwrap();
    repo.write("thing/inside.txt", b"now a directory\n");
    repo.commit("directory");
    std::fs::remove_dir_all(repo.path().join("thing")).unwrap();
    repo.write("thing", b"a file again\n");
    repo.commit("file again");
    let patches = read_and_compare(&repo);
    let statuses: Vec<(&str, FileStatus)> = patches[1]
        .files
        .iter()
        .map(|f| (f.path(), f.status))
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("thing", FileStatus::Deleted),
            ("thing/inside.txt", FileStatus::Added)
        ]
    );
}

#[test]
fn latin1_message_is_decoded() {
    let mut repo = TestRepo::new();
    repo.write("f", b"x\n");
    repo.commit("first");
    repo.write("f", b"y\n");
    let mut cmd = command(
        repo.path(),
        &[
            "-c",
            "i18n.commitEncoding=ISO-8859-1",
            "commit",
            "-q",
            "-a",
            "-F",
            "-",
        ],
    );
    cmd.stdin(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Caf\xe9 au lait\n\nSigned-off-by: J\xf6rg <j@example.org>\n")
        .unwrap();
    assert!(child.wait().unwrap().success());
    let patches = read_and_compare(&repo);
    assert_eq!(patches[1].subject, "Café au lait");
    assert_eq!(
        trailer_lines(&patches[1]),
        vec!["Signed-off-by: Jörg <j@example.org>"]
    );
}

#[test]
fn context_lines_option() {
    let mut repo = TestRepo::new();
    repo.write("f.txt", lines(30, "l").as_bytes());
    repo.commit("base");
    repo.write(
        "f.txt",
        lines(30, "l")
            .replace("l line 15\n", "fifteen\n")
            .as_bytes(),
    );
    repo.commit("change");
    for context in [0u32, 1, 3, 10] {
        let opts = RangeOptions {
            context_lines: context,
            ..RangeOptions::default()
        };
        let read = read_range(repo.path(), "HEAD", &opts).unwrap();
        let hunk = &read.patches[0].files[0].hunks[0];
        assert_eq!(hunk.old_count, 1 + 2 * context);
        let git_hunk = git_text(
            repo.path(),
            &["log", "-1", "-p", &format!("-U{context}"), "--format="],
        );
        let header = git_hunk
            .lines()
            .find(|l| l.starts_with("@@"))
            .unwrap()
            .to_string();
        let range = |start: u32, count: u32| {
            if count == 1 {
                start.to_string()
            } else {
                format!("{start},{count}")
            }
        };
        let expected = format!(
            "@@ -{} +{} @@",
            range(hunk.old_start, hunk.old_count),
            range(hunk.new_start, hunk.new_count)
        );
        assert!(header.starts_with(&expected), "{header} vs {expected}");
    }
}

/// The one place where `git log -p` and `git log --numstat` disagree with each other: a type
/// change whose old and new contents share a line. `-p` shows the old file deleted and the new
/// one created; `--numstat` diffs the two contents. This crate follows `-p`, as the mail reader
/// must (a patch e-mail only carries `-p`), so that a commit counts the same from either road.
#[test]
fn type_change_counts_follow_git_log_p() {
    let mut repo = TestRepo::new();
    repo.write("f", b"target");
    repo.commit("file");
    std::fs::remove_file(repo.path().join("f")).unwrap();
    std::os::unix::fs::symlink("target", repo.path().join("f")).unwrap();
    repo.commit("symlink");
    let read = read_range(repo.path(), "HEAD", &RangeOptions::default()).unwrap();
    let f = &read.patches[0].files[0];
    assert_eq!(f.status, FileStatus::TypeChanged);
    assert_eq!((f.added(), f.removed()), (1, 1));
    assert_eq!(
        repo.git(&["log", "-1", "--numstat", "--format="]).trim(),
        "0\t0\tf"
    );
    let git = &git_commits(repo.path(), &["-1", "HEAD"])[0];
    assert_eq!(render_hunks(&f.hunks), render_hunks(&git.diff[0].hunks));
}

/// A `---` line in a commit message does not end the trailer block for git (`%(trailers)`,
/// `git commit --signoff`): the sign-off after it is the commit's. Mail keeps `git am`'s cut.
#[test]
fn sign_off_after_a_divider_line_in_a_commit() {
    let mut repo = TestRepo::new();
    repo.write("a.txt", b"one\n");
    let message = "Explain the change\n\nSome text.\n---\nMore text after a divider line.\n\nSigned-off-by: Cy Committer <cy@example.org>\n";
    repo.commit(message);
    // git commit --signoff (as the committer) sees that sign-off too and adds none.
    repo.write("a.txt", b"two\n");
    let mut cmd = command(
        repo.path(),
        &["commit", "-q", "-a", "--signoff", "--no-verify", "-F", "-"],
    );
    cmd.stdin(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), message.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(
        repo.git(&["log", "-1", "--format=%B"]).trim_end(),
        message.trim_end()
    );

    let patches = read_and_compare(&repo);
    let git = git_commits(repo.path(), &["HEAD"]);
    for (p, g) in patches.iter().zip(&git) {
        assert_eq!(
            g.commit_trailers,
            ["Signed-off-by: Cy Committer <cy@example.org>"]
        );
        assert_eq!(trailer_lines(p), g.commit_trailers);
        // Mail of the same message: `git am` ends the message at `---`, no sign-off.
        assert!(g.trailers.is_empty());
        assert!(provgate_patch::trailers::parse_trailers(&p.message).is_empty());
    }
}
