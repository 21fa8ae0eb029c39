//! What a push sends, against git: remote-tracking refs, upstreams, default branches, merge
//! bases and capped commit lists, each compared with what git itself answers.

mod support;

use provgate_git::push::{self, RefTip};
use support::TestRepo;

/// `main` with `count` commits, a merge of a side branch among them.
fn history(count: usize) -> (TestRepo, Vec<String>) {
    let mut r = TestRepo::new();
    let mut ids = Vec::new();
    for n in 0..count {
        r.write("a.txt", format!("{n}\n").as_bytes());
        ids.push(r.commit(&format!("commit {n}")));
    }
    (r, ids)
}

#[test]
fn find_commit_tells_missing_commits_from_failures() {
    let (r, ids) = history(2);
    assert_eq!(
        push::find_commit(r.path(), "main").unwrap().as_deref(),
        Some(ids[1].as_str())
    );
    assert_eq!(push::find_commit(r.path(), &"1".repeat(40)).unwrap(), None);
    assert_eq!(
        push::find_commit(r.path(), "refs/heads/nothing").unwrap(),
        None
    );
    // A tree is there but no commit: git's words, not a missing commit.
    let err = push::find_commit(r.path(), "main^{tree}")
        .unwrap_err()
        .to_string();
    assert!(err.contains("expected commit type"), "{err}");
    let outside = tempfile::tempdir().unwrap();
    assert!(push::find_commit(outside.path(), "main").is_err());
}

#[test]
fn shares_history_is_whether_git_finds_a_merge_base() {
    let (mut r, ids) = history(3);
    r.git(&["checkout", "-q", "--orphan", "pages"]);
    r.write("p.txt", b"page\n");
    let page = r.commit("page");
    assert!(push::shares_history(r.path(), &ids[2], std::slice::from_ref(&ids[0])).unwrap());
    assert!(!push::shares_history(r.path(), &page, std::slice::from_ref(&ids[2])).unwrap());
    // Any one of several is enough, as `git merge-base A B C` answers.
    assert!(push::shares_history(r.path(), &page, &[ids[2].clone(), page.clone()]).unwrap());
    assert!(!push::shares_history(r.path(), &page, &[]).unwrap());
    assert!(push::shares_history(r.path(), &page, &["1".repeat(40)]).is_err());
}

#[test]
fn roots_octopus_bases_and_the_checked_out_branch_are_as_git_says() {
    let (mut r, ids) = history(4);
    assert!(push::is_root(r.path(), &ids[0]).unwrap());
    assert!(!push::is_root(r.path(), &ids[1]).unwrap());
    r.git(&["checkout", "-q", "-b", "side", &ids[1]]);
    r.write("s.txt", b"side\n");
    let side = r.commit("side");
    let all = [ids[3].clone(), ids[2].clone(), side];
    assert_eq!(
        push::merge_base_of_all(r.path(), &all).unwrap().as_deref(),
        Some(
            r.git(&["merge-base", "--octopus", &all[0], &all[1], &all[2]])
                .trim()
        )
    );
    assert_eq!(
        push::merge_base_of_all(r.path(), &all[..2])
            .unwrap()
            .as_deref(),
        Some(ids[2].as_str())
    );
    assert_eq!(push::merge_base_of_all(r.path(), &[]).unwrap(), None);
    assert_eq!(
        push::head_ref(r.path()).unwrap().as_deref(),
        Some("refs/heads/side")
    );
    r.git(&["checkout", "-q", "--detach", "HEAD"]);
    assert_eq!(push::head_ref(r.path()).unwrap(), None);
}

#[test]
fn commits_between_is_rev_list_and_stops_at_the_cap() {
    let (mut r, ids) = history(12);
    // A merge in the middle is left out, as `check` leaves merges out.
    r.git(&["checkout", "-q", "-b", "side", &ids[5]]);
    r.write("b.txt", b"side\n");
    let side = r.commit("side");
    r.git(&["checkout", "-q", "main"]);
    r.git(&["merge", "-q", "--no-ff", "-m", "merge side", "side"]);
    let tip = r.git(&["rev-parse", "HEAD"]).trim().to_string();

    let git_list = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["rev-list", "--reverse", "--no-merges"];
        all.extend_from_slice(args);
        r.git(&all).lines().map(str::to_string).collect()
    };
    let all = push::commits_between(r.path(), &tip, &[], None).unwrap();
    assert_eq!(all.commits, git_list(&[&tip]));
    assert!(!all.more);
    assert!(all.commits.contains(&side));

    let known = vec![ids[3].clone(), ids[9].clone()];
    let some = push::commits_between(r.path(), &tip, &known, None).unwrap();
    assert_eq!(some.commits, git_list(&[&tip, "--not", &ids[3], &ids[9]]));

    // Capped: the newest N, oldest first, and word that there were more.
    let capped = push::commits_between(r.path(), &tip, &[], Some(4)).unwrap();
    assert_eq!(capped.commits, git_list(&["--max-count=4", &tip]));
    assert!(capped.more);
    // Exactly at the cap: no more.
    let n = all.commits.len();
    let exact = push::commits_between(r.path(), &tip, &[], Some(n)).unwrap();
    assert_eq!(exact.commits, all.commits);
    assert!(!exact.more);
    // A cap of nothing still says whether there is anything.
    let none = push::commits_between(r.path(), &tip, &[], Some(0)).unwrap();
    assert!(none.commits.is_empty() && none.more);
    let up_to_date =
        push::commits_between(r.path(), &tip, std::slice::from_ref(&tip), Some(0)).unwrap();
    assert!(up_to_date.commits.is_empty() && !up_to_date.more);

    // An unknown commit is git's own error, naming it.
    let missing = "2".repeat(40);
    let err = push::commits_between(r.path(), &tip, std::slice::from_ref(&missing), None)
        .unwrap_err()
        .to_string();
    assert!(err.contains(&missing), "{err}");
}

#[test]
fn remote_tracking_refs_upstreams_and_the_default_branch_are_gits() {
    let (upstream, ids) = history(3);
    let clone = tempfile::tempdir().unwrap();
    support::git(
        clone.path(),
        &["clone", "-q", upstream.path().to_str().unwrap(), "."],
    );
    let c = clone.path();
    support::git(c, &["checkout", "-q", "-b", "topic", "origin/main"]);
    support::git(c, &["checkout", "-q", "-b", "loose", &ids[0]]);

    let tracking = push::remote_tracking_refs(c, "origin").unwrap();
    assert_eq!(
        tracking,
        vec![RefTip {
            name: "refs/remotes/origin/main".into(),
            commit: ids[2].clone(),
        }]
    );
    assert!(push::remote_tracking_refs(c, "fork").unwrap().is_empty());
    assert!(
        push::remote_tracking_refs(c, "https://example.org/x.git")
            .unwrap()
            .is_empty()
    );
    assert!(push::remote_tracking_refs(c, "*").unwrap().is_empty());

    assert_eq!(
        push::upstream(c, "refs/heads/topic").unwrap(),
        Some(RefTip {
            name: "refs/remotes/origin/main".into(),
            commit: ids[2].clone(),
        })
    );
    assert_eq!(push::upstream(c, "refs/heads/loose").unwrap(), None);
    assert_eq!(push::upstream(c, "refs/tags/v1").unwrap(), None);
    // An upstream configured but never fetched is no upstream.
    support::git(c, &["config", "branch.loose.remote", "origin"]);
    support::git(c, &["config", "branch.loose.merge", "refs/heads/gone"]);
    assert_eq!(push::upstream(c, "refs/heads/loose").unwrap(), None);

    // origin/HEAD, named by what it points at.
    assert_eq!(
        push::default_branch(c).unwrap(),
        Some(RefTip {
            name: "refs/remotes/origin/main".into(),
            commit: ids[2].clone(),
        })
    );
    // Without a remote: main, else master.
    assert_eq!(
        push::default_branch(upstream.path()).unwrap(),
        Some(RefTip {
            name: "refs/heads/main".into(),
            commit: ids[2].clone(),
        })
    );
    upstream.git(&["branch", "-q", "-m", "main", "master"]);
    assert_eq!(
        push::default_branch(upstream.path()).unwrap().unwrap().name,
        "refs/heads/master"
    );
    upstream.git(&["branch", "-q", "-m", "master", "trunk"]);
    assert_eq!(push::default_branch(upstream.path()).unwrap(), None);
}

#[test]
fn merge_base_is_gits_and_none_for_unrelated_histories() {
    let (mut r, ids) = history(4);
    r.git(&["checkout", "-q", "-b", "side", &ids[1]]);
    r.write("b.txt", b"b\n");
    let side = r.commit("side");
    assert_eq!(
        push::merge_base(r.path(), &side, &ids[3])
            .unwrap()
            .as_deref(),
        Some(ids[1].as_str())
    );
    r.git(&["checkout", "-q", "--orphan", "alone"]);
    let alone = r.commit("alone");
    assert_eq!(push::merge_base(r.path(), &alone, &ids[3]).unwrap(), None);
    assert!(push::merge_base(r.path(), &alone, &"3".repeat(40)).is_err());
}

#[test]
fn configuration_is_read_as_git_reads_it() {
    let (r, _) = history(1);
    assert_eq!(
        provgate_git::config_int(r.path(), "provgate.hookMaxCommits").unwrap(),
        None
    );
    r.git(&["config", "provgate.hookMaxCommits", "2k"]);
    assert_eq!(
        provgate_git::config_int(r.path(), "provgate.hookMaxCommits").unwrap(),
        Some(2048)
    );
    r.git(&["config", "provgate.hookMaxCommits", "many"]);
    let err = provgate_git::config_int(r.path(), "provgate.hookMaxCommits")
        .unwrap_err()
        .to_string();
    assert!(err.contains("many"), "{err}");
    for (value, expected) in [("yes", true), ("on", true), ("1", true), ("false", false)] {
        r.git(&["config", "provgate.hookCheckFixups", value]);
        assert_eq!(
            provgate_git::config_bool(r.path(), "provgate.hookCheckFixups").unwrap(),
            Some(expected),
            "{value}"
        );
    }
}

#[test]
fn a_merge_in_progress_is_seen() {
    let (mut r, ids) = history(2);
    assert!(!provgate_git::merge_in_progress(r.path()).unwrap());
    r.git(&["checkout", "-q", "-b", "side", &ids[0]]);
    r.write("a.txt", b"side\n");
    r.commit("side");
    r.git(&["checkout", "-q", "main"]);
    let conflict = support::command(r.path(), &["merge", "-q", "side"])
        .output()
        .unwrap();
    assert!(!conflict.status.success());
    assert!(provgate_git::merge_in_progress(r.path()).unwrap());
    // In a subdirectory too.
    std::fs::create_dir_all(r.path().join("sub")).unwrap();
    assert!(provgate_git::merge_in_progress(&r.path().join("sub")).unwrap());
}
