//! Range syntax and walk order, checked against `git log --reverse` on histories with branches,
//! merges, annotated tags, equal commit dates and skewed clocks.

mod support;

use provgate_git::{RangeOptions, for_each_commit, read_range};
use support::*;

/// main: c1 - c2 - c3 ------- m(c3, s2) - c6
///                 \- s1 - s2 -/
/// with `v1` an annotated tag on c2 and `side` at s2.
fn branchy() -> TestRepo {
    let mut repo = TestRepo::new();
    for (i, name) in ["c1", "c2", "c3"].iter().enumerate() {
        repo.write(&format!("{name}.txt"), format!("{i}\n").as_bytes());
        repo.commit(name);
        if *name == "c2" {
            repo.git(&["tag", "-a", "-m", "version one", "v1"]);
        }
    }
    repo.git(&["checkout", "-q", "-b", "side", "HEAD~1"]);
    repo.write("s1.txt", b"s1\n");
    repo.commit("s1");
    repo.write("s2.txt", b"s2\n");
    repo.commit("s2");
    repo.git(&["checkout", "-q", "main"]);
    repo.clock += 60;
    let date = format!("{} +0200", 1_700_000_000 + repo.clock);
    let mut merge = command(
        repo.path(),
        &["merge", "-q", "--no-ff", "-m", "merge side", "side"],
    );
    merge
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date);
    assert!(merge.status().unwrap().success());
    repo.write("c6.txt", b"6\n");
    repo.commit("c6");
    repo
}

fn ids(repo: &TestRepo, range: &str, opts: &RangeOptions) -> Vec<String> {
    read_range(repo.path(), range, opts)
        .unwrap_or_else(|e| panic!("{range}: {e}"))
        .patches
        .into_iter()
        .map(|p| p.id)
        .collect()
}

fn git_ids(repo: &TestRepo, args: &[&str]) -> Vec<String> {
    let mut all = vec!["log", "--reverse", "--format=%H"];
    all.extend_from_slice(args);
    repo.git(&all).lines().map(str::to_string).collect()
}

fn subjects(repo: &TestRepo, range: &str, opts: &RangeOptions) -> Vec<String> {
    read_range(repo.path(), range, opts)
        .unwrap()
        .patches
        .into_iter()
        .map(|p| p.subject)
        .collect()
}

#[test]
fn range_forms_match_git_log() {
    let repo = branchy();
    let d = RangeOptions::default();
    for (range, git_args) in [
        ("v1..main", vec!["--no-merges", "v1..main"]),
        ("v1..", vec!["--no-merges", "v1..HEAD"]),
        ("^v1 main", vec!["--no-merges", "^v1", "main"]),
        ("main ^side", vec!["--no-merges", "main", "^side"]),
        ("side...main~1", vec!["--no-merges", "side...main~1"]),
        ("main~1...side", vec!["--no-merges", "main~1...side"]),
        ("main~1^2^!", vec!["--no-merges", "main~1^2^!"]),
        ("c1.txt..main", vec![]), // not a revision: checked below
    ] {
        if git_args.is_empty() {
            continue;
        }
        assert_eq!(ids(&repo, range, &d), git_ids(&repo, &git_args), "{range}");
    }
    assert_eq!(subjects(&repo, "v1..main", &d), ["c3", "s1", "s2", "c6"]);
    assert_eq!(subjects(&repo, "side...main~1", &d), ["c3"]);
    assert_eq!(subjects(&repo, "side...main~2", &d), ["c3", "s1", "s2"]);
    let read = read_range(repo.path(), "v1..main", &d).unwrap();
    assert_eq!(read.merges_skipped, 1);
    assert_eq!(read.range, "v1..main");
}

#[test]
fn a_single_revision_is_that_commit_only() {
    let repo = branchy();
    let d = RangeOptions::default();
    assert_eq!(subjects(&repo, "main~1^2", &d), ["s2"]);
    // An annotated tag is peeled to its commit.
    assert_eq!(subjects(&repo, "v1", &d), ["c2"]);
    // A merge alone is skipped and counted...
    let merge = read_range(repo.path(), "main~1", &d).unwrap();
    assert!(merge.patches.is_empty());
    assert_eq!(merge.merges_skipped, 1);
    // ...or read against its first parent when asked.
    let with_merges = RangeOptions {
        include_merges: true,
        ..RangeOptions::default()
    };
    let merge = read_range(repo.path(), "main~1", &with_merges).unwrap();
    let paths: Vec<&str> = merge.patches[0].files.iter().map(|f| f.path()).collect();
    assert_eq!(paths, ["s1.txt", "s2.txt"]);
    assert_eq!(merge.patches[0].parents.len(), 2);
}

#[test]
fn max_count_first_parent_and_merges() {
    let repo = branchy();
    let n = |count| RangeOptions {
        max_count: Some(count),
        ..RangeOptions::default()
    };
    assert_eq!(
        ids(&repo, "main", &n(3)),
        git_ids(&repo, &["--no-merges", "-3", "main"])
    );
    assert_eq!(
        ids(&repo, "main", &n(usize::MAX)),
        git_ids(&repo, &["--no-merges", "main"])
    );
    let fp = RangeOptions {
        first_parent: true,
        max_count: Some(usize::MAX),
        ..RangeOptions::default()
    };
    assert_eq!(
        ids(&repo, "main", &fp),
        git_ids(&repo, &["--no-merges", "--first-parent", "main"])
    );
    assert_eq!(subjects(&repo, "main", &fp), ["c1", "c2", "c3", "c6"]);
    let merges = RangeOptions {
        include_merges: true,
        max_count: Some(usize::MAX),
        ..RangeOptions::default()
    };
    assert_eq!(ids(&repo, "main", &merges), git_ids(&repo, &["main"]));
    // The merge, against its first parent, agrees with git's first-parent diff of it.
    let read = read_range(repo.path(), "main", &merges).unwrap();
    let merge = read.patches.iter().find(|p| p.parents.len() == 2).unwrap();
    let git_numstat = repo.git(&["diff", "--numstat", &format!("{}^1", merge.id), &merge.id]);
    assert_eq!(git_numstat.lines().count(), merge.files.len());
}

#[test]
fn equal_dates_and_skewed_clocks_keep_git_order() {
    // Several branches whose commits share one committer date, and a commit older than its
    // parent: git takes equal dates first in, first out, and trusts dates over topology.
    let repo = TestRepo::new();
    let dir = repo.path();
    let commit_at = |msg: &str, date: i64| {
        let mut cmd = command(dir, &["commit", "-q", "--allow-empty", "-m", msg]);
        let date = format!("{} +0000", 1_700_000_000 + date);
        cmd.env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date);
        assert!(cmd.status().unwrap().success());
    };
    std::fs::write(dir.join("f"), "0\n").unwrap();
    git(dir, &["add", "f"]);
    commit_at("root", 1000);
    for b in ["a", "b", "c"] {
        git(dir, &["checkout", "-q", "-b", b, "main"]);
        for i in 0..3 {
            std::fs::write(dir.join(format!("{b}{i}")), format!("{i}\n")).unwrap();
            git(dir, &["add", "."]);
            commit_at(&format!("{b}{i}"), if i == 1 { 500 } else { 2000 });
        }
    }
    git(dir, &["checkout", "-q", "main"]);
    for b in ["a", "b", "c"] {
        let mut cmd = command(
            dir,
            &["merge", "-q", "--no-ff", "-m", &format!("merge {b}"), b],
        );
        cmd.env("GIT_AUTHOR_DATE", "1700002000 +0000")
            .env("GIT_COMMITTER_DATE", "1700002000 +0000");
        assert!(cmd.status().unwrap().success());
    }
    let all = RangeOptions {
        max_count: Some(usize::MAX),
        ..RangeOptions::default()
    };
    assert_eq!(
        ids(&repo, "main", &all),
        git_ids(&repo, &["--no-merges", "main"])
    );
    assert_eq!(
        ids(&repo, "a..main", &all),
        git_ids(&repo, &["--no-merges", "a..main"])
    );
    assert_eq!(
        ids(&repo, "b...c", &all),
        git_ids(&repo, &["--no-merges", "b...c"])
    );
    let two = RangeOptions {
        max_count: Some(2),
        ..RangeOptions::default()
    };
    assert_eq!(
        ids(&repo, "a..main", &two),
        git_ids(&repo, &["--no-merges", "-2", "a..main"])
    );
}

#[test]
fn threads_do_not_change_the_result() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main", "."]);
    generate_history(dir.path(), 300, 7);
    let opts = |threads| RangeOptions {
        max_count: Some(usize::MAX),
        threads,
        ..RangeOptions::default()
    };
    let one = read_range(dir.path(), "main", &opts(Some(1))).unwrap();
    let two = read_range(dir.path(), "main", &opts(Some(2))).unwrap();
    let four = read_range(dir.path(), "main", &opts(Some(4))).unwrap();
    let default = read_range(dir.path(), "main", &opts(None)).unwrap();
    assert!(one.patches.len() > 250);
    assert_eq!(one, two);
    assert_eq!(one, four);
    assert_eq!(one, default);

    let mut streamed = Vec::new();
    let summary = for_each_commit(dir.path(), "main", &opts(Some(2)), |r| {
        streamed.push(r.expect("reads"));
    })
    .unwrap();
    assert_eq!(streamed, one.patches);
    assert_eq!(summary.commits, one.patches.len());
    assert_eq!(summary.merges_skipped, one.merges_skipped);
}
