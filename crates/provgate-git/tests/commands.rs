//! The git calls outside range reading, each against what git itself says.

mod support;

use provgate_git::GitError;
use support::TestRepo;

fn repo_with_history() -> (TestRepo, Vec<String>) {
    let mut r = TestRepo::new();
    let mut ids = Vec::new();
    r.write("a.txt", b"one\n");
    ids.push(r.commit("first\n\nbody\n"));
    r.write("a.txt", b"two\n");
    ids.push(r.commit("second\n\nSigned-off-by: Ada Author <ada@example.org>\n"));
    r.write("b.txt", b"three\n");
    ids.push(r.commit("third"));
    (r, ids)
}

#[test]
fn hooks_dir_is_gits() {
    let (r, _) = repo_with_history();
    let ours = provgate_git::hooks_dir(r.path()).unwrap();
    let git = r.git(&["rev-parse", "--path-format=absolute", "--git-path", "hooks"]);
    assert_eq!(ours, std::path::PathBuf::from(git.trim()));

    let outside = tempfile::tempdir().unwrap();
    assert!(matches!(
        provgate_git::hooks_dir(outside.path()),
        Err(GitError::Command { .. })
    ));
}

#[test]
fn head_message_is_percent_b_without_the_added_newline() {
    let (r, _) = repo_with_history();
    let git = r.git(&["log", "-1", "--format=%B", "HEAD"]);
    let ours = provgate_git::head_message(r.path()).unwrap();
    assert_eq!(ours, git.strip_suffix('\n').unwrap());
}

#[test]
fn resolve_commit_peels_tags_and_refuses_what_is_not_a_commit() {
    let (r, ids) = repo_with_history();
    r.git(&["tag", "-a", "-m", "v1", "v1", &ids[0]]);
    assert_eq!(
        provgate_git::resolve_commit(r.path(), "v1").unwrap(),
        ids[0]
    );
    assert_eq!(
        provgate_git::resolve_commit(r.path(), "HEAD~1").unwrap(),
        ids[1]
    );
    assert!(provgate_git::resolve_commit(r.path(), "no-such-rev").is_err());
    assert!(provgate_git::resolve_commit(r.path(), "HEAD^{tree}").is_err());
}

#[test]
fn staged_diff_is_git_diff_cached() {
    let (r, _) = repo_with_history();
    r.write("a.txt", b"changed\n");
    r.git(&["add", "a.txt"]);
    let git = support::git(
        r.path(),
        &["diff", "--cached", "--no-color", "--no-ext-diff", "-M"],
    );
    assert_eq!(provgate_git::staged_diff(r.path()).unwrap(), git);
    assert!(!git.is_empty());
}

#[test]
fn notes_written_by_fast_import_are_listed_and_read() {
    let (r, ids) = repo_with_history();
    let notes_ref = "refs/notes/test";
    assert_eq!(
        provgate_git::notes::ref_commit(r.path(), notes_ref).unwrap(),
        None
    );
    assert_eq!(provgate_git::notes::list(r.path(), notes_ref).unwrap(), []);

    let resolved = provgate_git::notes::resolve_commits(
        r.path(),
        &["HEAD".to_string(), "HEAD^{tree}".to_string()],
    )
    .unwrap();
    assert_eq!(resolved, [Some(ids[2].clone()), None]);

    let text = "hello\n";
    let stream = format!(
        "commit {notes_ref}\ncommitter T <t@x> 1700000000 +0000\ndata 2\nn\nN inline {}\ndata {}\n{text}\ndone\n",
        ids[1],
        text.len()
    );
    provgate_git::notes::fast_import(r.path(), stream.as_bytes()).unwrap();
    assert!(
        provgate_git::notes::ref_commit(r.path(), notes_ref)
            .unwrap()
            .is_some()
    );
    let list = provgate_git::notes::list(r.path(), notes_ref).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].0, ids[1]);
    let blobs = provgate_git::notes::blobs(r.path(), &[list[0].1.as_str()]).unwrap();
    assert_eq!(blobs, [text]);
    assert!(matches!(
        provgate_git::notes::blobs(r.path(), &[ids[1].as_str()]),
        Err(GitError::NotABlob { .. })
    ));
}

#[test]
fn a_worktree_is_added_detached_and_removed() {
    let (r, ids) = repo_with_history();
    let dir = tempfile::tempdir().unwrap();
    let wt = dir.path().join("wt");
    provgate_git::worktree::add_detached(r.path(), &wt, &ids[0]).unwrap();
    assert_eq!(std::fs::read(wt.join("a.txt")).unwrap(), b"one\n");
    assert!(!wt.join("b.txt").exists());
    provgate_git::worktree::remove(r.path(), &wt).unwrap();
    provgate_git::worktree::prune(r.path()).unwrap();
    assert!(!wt.exists());
    let list = r.git(&["worktree", "list", "--porcelain"]);
    assert_eq!(list.matches("worktree ").count(), 1, "{list}");
}

#[test]
fn ai_notes_of_given_commits_only() {
    let (r, ids) = repo_with_history();
    let none = provgate_git::notes::notes_for(r.path(), "refs/notes/ai", &ids).unwrap();
    assert!(none.is_empty(), "no notes ref: no notes");
    r.git(&["notes", "--ref", "ai", "add", "-m", "note one", &ids[0]]);
    r.git(&["notes", "--ref", "ai", "add", "-m", "note three", &ids[2]]);
    let notes = provgate_git::notes::notes_for(r.path(), "refs/notes/ai", &ids[..2]).unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[&ids[0]], "note one\n");
    let all = provgate_git::notes::notes_for(r.path(), "refs/notes/ai", &ids).unwrap();
    assert_eq!(all[&ids[2]], "note three\n");
    assert!(
        provgate_git::notes::notes_for(r.path(), "refs/notes/ai", &[])
            .unwrap()
            .is_empty()
    );
}

#[test]
fn branch_names_at_the_head_of_a_range() {
    let (r, _) = repo_with_history();
    r.git(&["branch", "claude/fix-x"]);
    r.git(&["update-ref", "refs/remotes/origin/codex/y", "HEAD"]);
    r.git(&["tag", "v1"]);
    let branch = |rev: &str| provgate_git::notes::branch_name(r.path(), rev).unwrap();
    assert_eq!(branch("claude/fix-x").as_deref(), Some("claude/fix-x"));
    assert_eq!(
        branch("refs/heads/claude/fix-x").as_deref(),
        Some("claude/fix-x")
    );
    assert_eq!(branch("origin/codex/y").as_deref(), Some("codex/y"));
    assert_eq!(
        branch("refs/remotes/origin/codex/y").as_deref(),
        Some("codex/y")
    );
    for not_a_branch in ["HEAD", "v1", "claude/fix-x~1", "claude/none", ""] {
        assert_eq!(branch(not_a_branch), None, "{not_a_branch}");
    }
    let head = |range: &str| provgate_git::notes::range_head_branch(r.path(), range).unwrap();
    assert_eq!(head("main..claude/fix-x").as_deref(), Some("claude/fix-x"));
    assert_eq!(head("main...claude/fix-x").as_deref(), Some("claude/fix-x"));
    assert_eq!(
        head("claude/fix-x"),
        None,
        "a whole history is not the branch's own"
    );
    assert_eq!(head("claude/fix-x.."), None);
    assert_eq!(head("main..HEAD"), None);
}
