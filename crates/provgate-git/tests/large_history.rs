//! A generated history of over 2,000 commits (edits, adds, deletes, renames, binaries, mode and
//! type changes, submodules, symlinks, odd paths, trailer blocks of every shape, merges, equal
//! and skewed dates), read twice — from the repository and from `git format-patch` mail — and
//! compared commit by commit with what git itself says.

mod support;

use std::io::BufReader;

use provgate_git::{RangeOptions, read_range};
use provgate_patch::mail::MailItem;
use support::*;

const COMMITS: usize = 2100;

fn report(problems: &[String]) -> String {
    let shown: Vec<&String> = problems.iter().take(15).collect();
    format!(
        "{} disagreement(s) with git; the first ones:\n{}",
        problems.len(),
        shown
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    )
}

#[test]
fn generated_history_agrees_with_git_from_repository_and_from_mail() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = match keep_dir() {
        Some(dir) => {
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            dir
        }
        None => tmp.path().to_path_buf(),
    };
    git(&dir, &["init", "-q", "-b", "main", "."]);
    let stats = generate_history(&dir, COMMITS, 0x5eed_2026);
    assert!(stats.merges >= 10, "{stats:?}");
    assert!(stats.renames_attempted > 200, "{stats:?}");
    assert!(
        stats.binaries > 20 && stats.gitlinks > 5 && stats.type_changes > 20,
        "{stats:?}"
    );

    // (1) From the repository.
    let all = RangeOptions {
        max_count: Some(usize::MAX),
        ..RangeOptions::default()
    };
    let read = read_range(&dir, "main", &all).expect("the history reads");
    let git_log = git_commits(&dir, &["--no-merges", "main"]);
    assert!(git_log.len() >= 2000, "{} commits", git_log.len());
    let ours: Vec<&str> = read.patches.iter().map(|p| p.id.as_str()).collect();
    let theirs: Vec<&str> = git_log.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ours, theirs,
        "same commits in the order of git log --reverse"
    );
    let merges: usize = git_text(&dir, &["rev-list", "--merges", "--count", "main"])
        .trim()
        .parse()
        .unwrap();
    assert_eq!(read.merges_skipped, merges);

    let mut problems = Vec::new();
    for (patch, git) in read.patches.iter().zip(&git_log) {
        problems.extend(compare_patch(patch, git));
    }
    assert!(problems.is_empty(), "repository: {}", report(&problems));

    // (2) From `git format-patch` mail.
    let mbox = git(&dir, &["format-patch", "--stdout", "--root", "main"]);
    let mut mail = Vec::new();
    provgate_patch::input::read_stream(
        BufReader::new(mbox.as_slice()),
        "series.mbox",
        Default::default(),
        &mut |item| match item {
            Ok(MailItem::Patch(patch)) => mail.push(*patch),
            Ok(MailItem::NotAPatch { subject }) => panic!("not a patch: {subject}"),
            Err(e) => panic!("mail reader failed: {e}"),
        },
    );
    assert_eq!(mail.len(), git_log.len(), "one mail per non-merge commit");
    let mut mail_problems = Vec::new();
    let mut excused = 0;
    for (patch, git) in mail.iter().zip(&git_log) {
        let id = &git.id[..12];
        let (problems, known) = mail_differences(id, patch, git);
        mail_problems.extend(problems);
        excused += known;
    }
    eprintln!(
        "format-patch mail: {excused} commit(s) differ only where mail cannot carry the information"
    );
    assert!(
        mail_problems.is_empty(),
        "format-patch mail: {}",
        report(&mail_problems)
    );
}

/// How a patch read from `git format-patch` output differs from git's own view of the commit,
/// apart from what mail cannot carry (see `known_mail_limits`).
fn mail_differences(
    id: &str,
    patch: &provgate_patch::Patch,
    git: &GitCommit,
) -> (Vec<String>, usize) {
    let mut problems = compare_files(id, &patch.files, git, "mail files");
    let before = problems.len();
    problems.retain(|p| !known_mail_limit(patch, git, p));
    let mut known = before - problems.len();
    let ours = trailer_lines(patch);
    // A message that starts with a blank line has no title paragraph, so git finds trailers in
    // its first line; format-patch drops the blank line and with it that reading.
    let untitled = git.message.starts_with('\n');
    if ours != git.trailers {
        if untitled {
            known += 1;
        } else {
            problems.push(format!(
                "{id} mail trailers: ours {ours:?}, git {:?}",
                git.trailers
            ));
        }
    }
    if patch.subject != git.subject {
        problems.push(format!(
            "{id} mail subject: ours {:?}, git {:?}",
            patch.subject, git.subject
        ));
    }
    (problems, known)
}

/// Differences that are not the reader's fault: a patch e-mail does not say that a file renamed
/// or re-moded without content change is binary (git writes no `Binary files` line then).
fn known_mail_limit(patch: &provgate_patch::Patch, git: &GitCommit, problem: &str) -> bool {
    if !problem.contains("numstat differs") {
        return false;
    }
    if patch.files.len() != git.numstat.len() {
        return false;
    }
    patch.files.iter().zip(&git.numstat).all(|(ours, theirs)| {
        let same =
            ours.path() == theirs.path && ours.source_path().map(str::to_string) == theirs.old_path;
        let counts = (!ours.binary).then(|| (ours.added(), ours.removed()));
        let git_counts = theirs.added.zip(theirs.removed);
        same && (counts == git_counts
            || (git_counts.is_none() && ours.hunks.is_empty() && !ours.binary))
    })
}
