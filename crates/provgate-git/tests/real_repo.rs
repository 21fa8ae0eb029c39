//! The same comparison as `large_history`, on a real repository named by the environment (it is
//! skipped otherwise, as no such repository ships with the sources):
//!
//! ```text
//! PROVGATE_REAL_REPO=/path/to/git.git [PROVGATE_REAL_REV=HEAD] [PROVGATE_REAL_COUNT=2500] \
//!     cargo test --release -p provgate-git --test real_repo -- --nocapture
//! ```
//!
//! It reads the newest `COUNT` non-merge commits of `REV` and compares every one with git:
//! metadata, message, trailers (`git interpret-trailers --parse`), numstat, statuses, and hunks
//! line by line against `git log -p`. Every disagreement is printed; the test fails if any.

mod support;

use provgate_git::{RangeOptions, read_range};
use support::*;

#[test]
fn real_repository_agrees_with_git() {
    let Some(repo) = std::env::var_os("PROVGATE_REAL_REPO") else {
        eprintln!("PROVGATE_REAL_REPO is not set; skipped");
        return;
    };
    let repo = std::path::PathBuf::from(repo);
    let rev = std::env::var("PROVGATE_REAL_REV").unwrap_or_else(|_| "HEAD".into());
    let count: usize = std::env::var("PROVGATE_REAL_COUNT")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(2500);

    let started = std::time::Instant::now();
    let opts = RangeOptions {
        max_count: Some(count),
        ..RangeOptions::default()
    };
    let read = read_range(&repo, &rev, &opts).expect("the range reads");
    let ours_time = started.elapsed();
    let count_arg = format!("-{count}");
    let git_log = git_commits(&repo, &["--no-merges", &count_arg, &rev]);
    eprintln!(
        "{}: {} commits read in {:.2?} ({} merges skipped); git oracle gathered in {:.2?}",
        repo.display(),
        read.patches.len(),
        ours_time,
        read.merges_skipped,
        started.elapsed() - ours_time
    );

    let ours: Vec<&str> = read.patches.iter().map(|p| p.id.as_str()).collect();
    let theirs: Vec<&str> = git_log.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ours, theirs, "same commits in the same order as git log");

    let mut problems = Vec::new();
    let mut files = 0;
    let (mut added, mut removed) = (0u64, 0u64);
    for (patch, git) in read.patches.iter().zip(&git_log) {
        files += patch.files.len();
        added += u64::from(patch.added());
        removed += u64::from(patch.removed());
        problems.extend(compare_patch(patch, git));
    }
    eprintln!(
        "{files} files, +{added} -{removed} lines; {} disagreement(s)",
        problems.len()
    );
    for p in &problems {
        eprintln!("{p}");
    }
    assert!(
        problems.is_empty(),
        "{} disagreement(s) with git",
        problems.len()
    );
}
