//! What the pre-push hook decides to check, on repositories built with the git CLI: several refs
//! in one push sharing one limit, an upstream on another remote, a remote that moved, deletions.

use std::path::Path;
use std::process::Command;

use provgate_engine::hooks::{
    self, Baseline, KnownTip, LimitSource, NoFork, PushLimit, RefUpdate, UpdatePlan,
};

const ZEROS: &str = "0000000000000000000000000000000000000000";

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Jane Doe")
        .env("GIT_AUTHOR_EMAIL", "jane@example.org")
        .env("GIT_COMMITTER_NAME", "Jane Doe")
        .env("GIT_COMMITTER_EMAIL", "jane@example.org")
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn commit(dir: &Path, n: &str) -> String {
    git(dir, &["commit", "-q", "--allow-empty", "-m", n]);
    git(dir, &["rev-parse", "HEAD"])
}

fn update(local_ref: &str, local: &str, remote_ref: &str, remote: &str) -> RefUpdate {
    RefUpdate {
        local_ref: local_ref.into(),
        local_oid: local.into(),
        remote_ref: remote_ref.into(),
        remote_oid: remote.into(),
    }
}

fn limit(max: Option<usize>) -> PushLimit {
    PushLimit {
        max,
        source: LimitSource::Flag,
    }
}

/// `main` with five commits and `topic` two commits beyond its third.
fn repo() -> (tempfile::TempDir, Vec<String>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    let main: Vec<String> = (0..5).map(|n| commit(d, &format!("main {n}"))).collect();
    git(d, &["checkout", "-q", "-b", "topic", &main[2]]);
    let topic: Vec<String> = (0..2).map(|n| commit(d, &format!("topic {n}"))).collect();
    git(d, &["checkout", "-q", "main"]);
    (dir, main, topic)
}

fn checked(plan: &UpdatePlan) -> (&Baseline, &[String], bool, bool) {
    match plan {
        UpdatePlan::Check {
            baseline,
            commits,
            remote_unknown,
            ..
        } => (baseline, &commits.commits, commits.more, *remote_unknown),
        UpdatePlan::Deletion(u) => panic!("a deletion of {}", u.remote_ref),
    }
}

#[test]
fn refs_of_one_push_share_the_limit_and_count_each_commit_once() {
    let (dir, main, topic) = repo();
    let updates = [
        update("refs/heads/main", &main[4], "refs/heads/main", ZEROS),
        update("refs/heads/topic", &topic[1], "refs/heads/topic", ZEROS),
    ];
    let plan = hooks::plan_push(dir.path(), "new", &updates, limit(None)).unwrap();
    let (baseline, commits, more, _) = checked(&plan.updates[0]);
    assert_eq!(
        baseline,
        &Baseline::History(NoFork::OnDefaultBranch(provgate_git::push::RefTip {
            name: "refs/heads/main".into(),
            commit: main[4].clone(),
        }))
    );
    assert_eq!(commits, &main[..]);
    assert!(!more);
    // topic forks from main: measured from the merge base, and main's commits not again.
    let (baseline, commits, more, _) = checked(&plan.updates[1]);
    assert!(
        matches!(baseline, Baseline::MergeBase { base, .. } if base == &main[2]),
        "{baseline:?}"
    );
    assert_eq!(commits, &topic[..]);
    assert!(!more);
    assert_eq!(plan.commits().len(), 7);
    assert!(!plan.limited());

    // A limit of 6: main's five, then the newest of topic's, and word of the rest.
    let plan = hooks::plan_push(dir.path(), "new", &updates, limit(Some(6))).unwrap();
    assert_eq!(checked(&plan.updates[0]).1, &main[..]);
    let (_, commits, more, _) = checked(&plan.updates[1]);
    assert_eq!(commits, &topic[1..]);
    assert!(more && plan.limited());
    // A limit spent before the last ref: nothing of it is read, and it says there was more.
    let plan = hooks::plan_push(dir.path(), "new", &updates, limit(Some(5))).unwrap();
    let (_, commits, more, _) = checked(&plan.updates[1]);
    assert!(commits.is_empty() && more);
}

#[test]
fn what_the_remote_has_bounds_the_push() {
    let (dir, main, topic) = repo();
    let d = dir.path();
    // The remote's main is at main[3], as git says: one commit new.
    let updates = [update(
        "refs/heads/main",
        &main[4],
        "refs/heads/main",
        &main[3],
    )];
    let plan = hooks::plan_push(d, "origin", &updates, limit(None)).unwrap();
    let (baseline, commits, _, unknown) = checked(&plan.updates[0]);
    assert_eq!(commits, &main[4..]);
    assert!(!unknown);
    assert!(
        matches!(baseline, Baseline::Known(k) if matches!(&k[0], KnownTip::RemoteRef(t) if t.commit == main[3]))
    );

    // Another ref of the same push tells what the remote has too: topic, new there, is
    // measured against main's old value on the remote.
    let updates = [
        update("refs/heads/main", &main[4], "refs/heads/main", &main[2]),
        update("refs/heads/topic", &topic[1], "refs/heads/topic", ZEROS),
    ];
    let plan = hooks::plan_push(d, "origin", &updates, limit(None)).unwrap();
    assert_eq!(checked(&plan.updates[0]).1, &main[3..]);
    assert_eq!(checked(&plan.updates[1]).1, &topic[..]);

    // The upstream, on another remote than the one pushed to.
    let upstream = tempfile::tempdir().unwrap();
    git(upstream.path(), &["init", "-q", "--bare", "-b", "main"]);
    git(
        d,
        &["remote", "add", "origin", upstream.path().to_str().unwrap()],
    );
    git(
        d,
        &[
            "push",
            "-q",
            "origin",
            &format!("{}:refs/heads/main", main[2]),
        ],
    );
    git(d, &["fetch", "-q", "origin"]);
    git(
        d,
        &["branch", "-q", "--set-upstream-to=origin/main", "topic"],
    );
    let updates = [update(
        "refs/heads/topic",
        &topic[1],
        "refs/heads/topic",
        ZEROS,
    )];
    let plan = hooks::plan_push(d, "fork", &updates, limit(None)).unwrap();
    let (baseline, commits, _, _) = checked(&plan.updates[0]);
    assert!(
        matches!(baseline, Baseline::Known(k) if k.len() == 1 && matches!(&k[0], KnownTip::Upstream(t) if t.name == "refs/remotes/origin/main")),
        "{baseline:?}"
    );
    assert_eq!(commits, &topic[..]);

    // The remote moved to a commit never fetched (a force-push over it): said, and measured
    // against what else is known of the remote, its remote-tracking refs.
    let elsewhere = "1234567890123456789012345678901234567890";
    let updates = [update(
        "refs/heads/main",
        &main[4],
        "refs/heads/main",
        elsewhere,
    )];
    let plan = hooks::plan_push(d, "origin", &updates, limit(None)).unwrap();
    let (baseline, commits, _, unknown) = checked(&plan.updates[0]);
    assert!(unknown);
    assert!(
        matches!(baseline, Baseline::Known(k) if matches!(&k[0], KnownTip::Tracking(t) if t.name == "refs/remotes/origin/main"))
    );
    assert_eq!(commits, &main[3..]);

    // A deletion sends nothing.
    let updates = [update("(delete)", ZEROS, "refs/heads/old", &main[0])];
    let plan = hooks::plan_push(d, "origin", &updates, limit(None)).unwrap();
    assert!(
        matches!(&plan.updates[0], UpdatePlan::Deletion(u) if u.remote_ref == "refs/heads/old")
    );
    assert!(plan.commits().is_empty());
}

#[test]
fn a_ref_sharing_no_history_with_what_the_remote_has_is_listed_from_its_tip() {
    let (dir, main, _) = repo();
    let d = dir.path();
    git(d, &["checkout", "-q", "--orphan", "gh-pages"]);
    let pages: Vec<String> = (0..4).map(|n| commit(d, &format!("page {n}"))).collect();
    // The remote's main is known (git gave it): gh-pages shares nothing with it.
    let updates = [
        update("refs/heads/main", &main[4], "refs/heads/main", &main[4]),
        update(
            "refs/heads/gh-pages",
            &pages[3],
            "refs/heads/gh-pages",
            ZEROS,
        ),
    ];
    let plan = hooks::plan_push(d, "origin", &updates, limit(Some(2))).unwrap();
    let (baseline, commits, more, _) = checked(&plan.updates[1]);
    assert!(
        matches!(baseline, Baseline::Unrelated(k) if matches!(&k[0], KnownTip::RemoteRef(t) if t.commit == main[4])),
        "{baseline:?}"
    );
    assert_eq!(commits, &pages[2..]);
    assert!(more);
    // Without a limit, the whole orphan history, as git lists it.
    let plan = hooks::plan_push(d, "origin", &updates, limit(None)).unwrap();
    let (_, commits, more, _) = checked(&plan.updates[1]);
    assert_eq!(commits, &pages[..]);
    assert!(!more);
}

#[test]
fn the_limit_comes_from_the_flag_then_the_configuration() {
    let (dir, _, _) = repo();
    let d = dir.path();
    let resolved = PushLimit::resolve(d, None).unwrap();
    assert_eq!(
        (resolved.max, resolved.source),
        (Some(hooks::DEFAULT_PUSH_LIMIT), LimitSource::Default)
    );
    git(d, &["config", PushLimit::CONFIG_KEY, "1k"]);
    let resolved = PushLimit::resolve(d, None).unwrap();
    assert_eq!(
        (resolved.max, resolved.source),
        (Some(1024), LimitSource::Config)
    );
    let resolved = PushLimit::resolve(d, Some(3)).unwrap();
    assert_eq!(
        (resolved.max, resolved.source),
        (Some(3), LimitSource::Flag)
    );
    let resolved = PushLimit::resolve(d, Some(0)).unwrap();
    assert_eq!(resolved.max, None, "0 reads everything");
    git(d, &["config", PushLimit::CONFIG_KEY, "0"]);
    assert_eq!(PushLimit::resolve(d, None).unwrap().max, None);
    git(d, &["config", PushLimit::CONFIG_KEY, "lots"]);
    assert!(PushLimit::resolve(d, None).is_err());
}
