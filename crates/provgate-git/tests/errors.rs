//! Every error says what is wrong, names the thing at fault and what to do; none panics.

mod support;

use provgate_git::{GitError, RangeOptions, default_range, read_range};
use support::*;

fn two_commits() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.write("a.txt", b"one\n");
    repo.commit("first");
    repo.write("a.txt", b"two\n");
    repo.commit("second");
    repo
}

fn err(repo: &std::path::Path, range: &str) -> GitError {
    let opts = RangeOptions {
        max_count: Some(100),
        ..RangeOptions::default()
    };
    match read_range(repo, range, &opts) {
        Ok(read) => panic!("{range} read {} patches", read.patches.len()),
        Err(e) => e,
    }
}

#[test]
fn not_a_repository_names_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let e = err(dir.path(), "HEAD");
    assert!(matches!(e, GitError::NotARepository { .. }), "{e:?}");
    let text = e.to_string();
    assert!(text.contains(&dir.path().display().to_string()), "{text}");
    assert!(text.contains("not a git repository"), "{text}");
    let missing = dir.path().join("does-not-exist");
    assert!(matches!(
        err(&missing, "HEAD"),
        GitError::NotARepository { .. }
    ));
}

#[test]
fn unknown_revisions_are_named_with_a_hint() {
    let repo = two_commits();
    for range in [
        "nope",
        "nope..HEAD",
        "HEAD..nope",
        "HEAD~5",
        "nope...HEAD",
        "^nope HEAD",
    ] {
        let e = err(repo.path(), range);
        let text = e.to_string();
        assert!(
            matches!(e, GitError::UnknownRevision { .. }),
            "{range}: {e:?}"
        );
        assert!(text.contains("git log --oneline -5"), "{text}");
        assert!(
            text.contains("nope") || text.contains("HEAD~5"),
            "{range}: {text}"
        );
    }
}

#[test]
fn trees_and_blobs_are_not_commits() {
    let repo = two_commits();
    let e = err(repo.path(), "HEAD^{tree}");
    assert!(matches!(e, GitError::NotACommit { .. }), "{e:?}");
    assert!(e.to_string().contains("tree"), "{e}");
    let blob = repo.git(&["rev-parse", "HEAD:a.txt"]);
    let e = err(repo.path(), blob.trim());
    assert!(e.to_string().contains("blob"), "{e}");
}

#[test]
fn malformed_ranges_are_refused() {
    let repo = two_commits();
    for range in ["", "   ", "..", "...", "^", "^HEAD", "^HEAD~1 ^HEAD"] {
        let e = err(repo.path(), range);
        assert!(
            matches!(e, GitError::InvalidRange { .. }),
            "{range:?}: {e:?}"
        );
    }
    // Odd but harmless input never panics.
    for range in [
        "a..b..c",
        "HEAD^^^^^^^^",
        "HEAD@{99}",
        "\u{0}",
        "HEAD:..",
        "-n 5",
    ] {
        let _ = read_range(repo.path(), range, &RangeOptions::default());
    }
}

#[test]
fn default_range_uses_the_upstream() {
    let upstream = two_commits();
    let clone = tempfile::tempdir().unwrap();
    git(
        clone.path(),
        &[
            "clone",
            "-q",
            &format!("file://{}", upstream.path().display()),
            ".",
        ],
    );
    assert_eq!(default_range(clone.path()).unwrap(), "origin/main..HEAD");
    // The range it names reads: nothing ahead of upstream yet.
    let read = read_range(clone.path(), "origin/main..HEAD", &RangeOptions::default()).unwrap();
    assert!(read.patches.is_empty());
}

#[test]
fn no_upstream_and_detached_head_suggest_a_range() {
    let repo = two_commits();
    let e = default_range(repo.path()).unwrap_err();
    assert!(matches!(e, GitError::NoUpstream { .. }), "{e:?}");
    let text = e.to_string();
    assert!(text.contains("`main` has no upstream"), "{text}");
    assert!(text.contains("provgate check origin/main..HEAD"), "{text}");

    repo.git(&["checkout", "-q", "--detach", "HEAD~1"]);
    let e = default_range(repo.path()).unwrap_err();
    assert!(matches!(e, GitError::NoBranch { .. }), "{e:?}");
    assert!(e.to_string().contains("detached"), "{e}");
    assert!(
        e.to_string().contains("provgate check origin/main..HEAD"),
        "{e}"
    );

    // An upstream that was configured but never fetched.
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["config", "remote.origin.url", "https://example.org/x.git"]);
    repo.git(&[
        "config",
        "remote.origin.fetch",
        "+refs/heads/*:refs/remotes/origin/*",
    ]);
    repo.git(&["config", "branch.main.remote", "origin"]);
    repo.git(&["config", "branch.main.merge", "refs/heads/main"]);
    let e = default_range(repo.path()).unwrap_err();
    assert!(
        e.to_string()
            .contains("refs/remotes/origin/main does not exist"),
        "{e}"
    );
}

#[test]
fn shallow_clones_name_the_boundary_commit() {
    let mut upstream = TestRepo::new();
    for i in 0..6 {
        upstream.write("f.txt", format!("{i}\n").as_bytes());
        upstream.commit(&format!("c{i}"));
    }
    let clone = tempfile::tempdir().unwrap();
    git(
        clone.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "3",
            &format!("file://{}", upstream.path().display()),
            ".",
        ],
    );
    // Inside the fetched history all is well.
    let read = read_range(clone.path(), "HEAD~2..HEAD", &RangeOptions::default()).unwrap();
    assert_eq!(read.patches.len(), 2);
    // Reaching the boundary is an error naming the commit and the way out.
    let boundary = git_text(clone.path(), &["rev-parse", "HEAD~2"])
        .trim()
        .to_string();
    let e = err(clone.path(), "HEAD");
    match &e {
        GitError::ShallowHistory { commit, count } => {
            assert_eq!(commit, &boundary);
            assert_eq!(*count, 1);
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("git fetch --unshallow"), "{e}");
    assert!(e.to_string().contains(&boundary), "{e}");
}

#[test]
fn missing_objects_name_the_commit_and_object() {
    let repo = two_commits();
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let blob = repo.git(&["rev-parse", "HEAD:a.txt"]).trim().to_string();
    let path = repo
        .path()
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::remove_file(&path).expect("loose object exists");
    let e = err(repo.path(), "HEAD~1..HEAD");
    match &e {
        GitError::MissingObjects { commit, object, .. } => {
            assert_eq!(commit, &head);
            assert_eq!(object, &blob);
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("git fetch"), "{e}");

    // A missing parent commit.
    let repo = two_commits();
    let parent = repo.git(&["rev-parse", "HEAD~1"]).trim().to_string();
    let path = repo
        .path()
        .join(".git/objects")
        .join(&parent[..2])
        .join(&parent[2..]);
    std::fs::remove_file(&path).unwrap();
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let e = err(repo.path(), "HEAD");
    match &e {
        GitError::MissingObjects {
            commit,
            object,
            count,
        } => {
            assert_eq!((commit, object, *count), (&head, &parent, 1));
        }
        other => panic!("{other:?}"),
    }
}
