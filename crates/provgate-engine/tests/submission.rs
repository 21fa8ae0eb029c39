//! What a submission is, case by case: replies and their trailers, new versions sent into an old
//! thread, pull requests, bots, and a diff a mail client broke; and a zone maintainer's
//! `Acked-by` in a reply recording agreement in a real repository.

use std::path::Path;
use std::process::Command;

use provgate_engine::submission::{
    BotKind, Classified, ClassifyOptions, NotSubmission, assemble, classify_bytes,
};
use provgate_engine::{CheckRequest, CodeMode, Gate, GateOptions, Input, PolicySource};
use provgate_policy::{RuleId, Stage};

const DIFF: &str = "---\n scripts/kconfig/lexer.l | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n\ndiff --git a/scripts/kconfig/lexer.l b/scripts/kconfig/lexer.l\nindex 1111111..2222222 100644\n--- a/scripts/kconfig/lexer.l\n+++ b/scripts/kconfig/lexer.l\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n d\n-- \n2.43.0\n";

/// One message of an mbox.
fn mail(from: &str, id: &str, reply_to: &[&str], subject: &str, body: &str) -> String {
    let threading = match reply_to {
        [] => String::new(),
        ids => format!(
            "In-Reply-To: <{}>\nReferences: {}\n",
            ids[ids.len() - 1],
            ids.iter()
                .map(|i| format!("<{i}>"))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    };
    format!(
        "From mboxrd@z Thu Jan  1 00:00:00 1970\nFrom: {from}\nDate: Mon, 7 Dec 2026 10:00:00 +0000\nSubject: {subject}\nMessage-ID: <{id}>\n{threading}\n{body}\n"
    )
}

const JANE: &str = "Jane Doe <jane@example.org>";
const MAINTAINER: &str = "Masahiro Yamada <masahiroy@kernel.org>";
const REVIEWER: &str = "Nathan Chancellor <nathan@kernel.org>";

fn patch_body(message: &str) -> String {
    format!("{message}\n\nSigned-off-by: {JANE}\n{DIFF}")
}

fn classify(mbox: &str) -> Vec<Classified> {
    classify_bytes(
        "t.mbox",
        mbox.as_bytes(),
        Default::default(),
        &ClassifyOptions::default(),
    )
    .into_iter()
    .map(Result::unwrap)
    .collect()
}

/// A v1 series (cover + 2 patches) with review, and a v2 of patch 2 sent in reply to the
/// reviewer.
fn thread() -> String {
    [
        mail(JANE, "c1", &[], "[PATCH 0/2] kconfig: two fixes", "Two fixes.\n"),
        mail(JANE, "p1", &["c1"], "[PATCH 1/2] kconfig: fix a", &patch_body("kconfig: fix a")),
        mail(JANE, "p2", &["c1"], "[PATCH 2/2] kconfig: fix b", &patch_body("kconfig: fix b")),
        // To the cover letter: every patch.
        mail(
            REVIEWER,
            "r-cover",
            &["c1"],
            "Re: [PATCH 0/2] kconfig: two fixes",
            "> Two fixes.\n> Acked-by: Quoted Person <quoted@example.org>\n\nFor the series:\n\nReviewed-by: Nathan Chancellor <nathan@kernel.org>\n\n-- \nAcked-by: In Signature <sig@example.org>\n",
        ),
        // To patch 2 only, with a suggestion of its own (a diff in a reply).
        mail(
            MAINTAINER,
            "r-p2",
            &["c1", "p2"],
            "Re: [PATCH 2/2] kconfig: fix b",
            &format!("Better like this?\n\n{DIFF}"),
        ),
        // A reply to the reply under patch 1 still speaks for patch 1.
        mail(REVIEWER, "r-p1", &["c1", "p1"], "Re: [PATCH 1/2] kconfig: fix a", "Nice.\n"),
        mail(
            "Tester <t@example.org>",
            "r-r-p1",
            &["c1", "p1", "r-p1"],
            "RE: [PATCH 1/2] kconfig: fix a",
            "Tested-by: Tester <t@example.org>\n",
        ),
        // v2 of patch 2, sent in reply to the maintainer's mail with a non-reply subject.
        mail(
            JANE,
            "v2p2",
            &["c1", "p2", "r-p2"],
            "[PATCH v2 2/2] kconfig: fix b",
            &patch_body("kconfig: fix b"),
        ),
    ]
    .concat()
}

#[test]
fn replies_are_review_and_their_trailers_go_where_b4_puts_them() {
    let assembled = assemble(classify(&thread()));
    assert!(assembled.unreadable.is_empty());
    let reasons: Vec<(&str, NotSubmission)> = assembled
        .left_out
        .iter()
        .map(|l| (l.mail.message_id.as_deref().unwrap(), l.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            ("r-cover", NotSubmission::Reply),
            ("r-p2", NotSubmission::ReplyWithDiff),
            ("r-p1", NotSubmission::Reply),
            ("r-r-p1", NotSubmission::Reply),
        ]
    );
    // v1 (cover and both patches) and v2 (its one patch) are two series.
    assert_eq!(assembled.series.len(), 2);
    let v1 = &assembled.series[0];
    assert_eq!(v1.cover.as_ref().unwrap().id, "c1");
    let trailers = |i: usize| -> Vec<String> {
        v1.patches[i]
            .review
            .iter()
            .map(|r| format!("{}: {}", r.trailer.key, r.trailer.value))
            .collect()
    };
    assert_eq!(
        trailers(0),
        [
            "Reviewed-by: Nathan Chancellor <nathan@kernel.org>",
            "Tested-by: Tester <t@example.org>"
        ]
    );
    assert_eq!(
        trailers(1),
        ["Reviewed-by: Nathan Chancellor <nathan@kernel.org>"]
    );
    assert!(v1.patches[0].review[0].to_cover_letter);
    assert!(!v1.patches[0].review[1].to_cover_letter);
    assert_eq!(
        v1.patches[0].review[0].describe(),
        "Reviewed-by: Nathan Chancellor <nathan@kernel.org> (from a reply by Nathan Chancellor <nathan@kernel.org> to the cover letter, <r-cover>)"
    );
    let v2 = &assembled.series[1];
    assert_eq!((v2.version, v2.patches.len()), (2, 1));
    assert_eq!(v2.patches[0].id, "v2p2");
    // The v1 review does not follow the patch into v2.
    assert!(v2.patches[0].review.is_empty());
    assert_eq!(
        assembled.left_out_note().unwrap(),
        "4 messages left out, not submissions: 3 replies, 1 reply with a diff; 3 trailers from replies counted for the patches they answer"
    );
}

#[test]
fn pull_requests_bots_and_discussion_are_not_submissions() {
    let mbox = [
        mail(
            "Linus Maintainer <lm@example.org>",
            "pull",
            &[],
            "[GIT PULL] Kbuild fixes for v7.1-rc2",
            "Hi Linus,\n\nPlease pull.\n",
        ),
        // A pull request known by its body alone, even with `-p` diff.
        mail(
            "Linus Maintainer <lm@example.org>",
            "pull-body",
            &[],
            "[PATCH 0/3] please pull",
            &format!(
                "The following changes since commit 0123456789abcdef0123456789abcdef01234567:\n\n  Linux 7.0 (2026-04-12 13:48:21 -0700)\n\nare available in the Git repository at:\n\n  git://git.kernel.org/pub/scm/linux/kernel/git/x/y.git tags/fixes\n\n{DIFF}"
            ),
        ),
        mail(
            "Greg Kroah-Hartman <gregkh@linuxfoundation.org>",
            "stable",
            &[],
            "FAILED: patch \"[PATCH] kconfig: fix b\" failed to apply to 6.6-stable tree",
            &format!("The patch below does not apply to the 6.6-stable tree.\n\n{DIFF}"),
        ),
        mail(
            "kernel test robot <lkp@intel.com>",
            "lkp",
            &[],
            "[masahiroy-kbuild:for-next 13/15] scripts/kconfig/lexer.l:3: warning: x",
            "tree: x\n",
        ),
        mail(
            "syzbot <syzbot+0123@syzkaller.appspotmail.com>",
            "syz",
            &[],
            "[syzbot] KASAN: use-after-free in x",
            "Hello,\n",
        ),
        mail(JANE, "hello", &[], "kbuild: a question", "Why?\n"),
        // An announced patch whose diff was lost is still a submission (told it has no diff).
        mail(JANE, "nodiff", &[], "[PATCH] kconfig: fix c", "kconfig: fix c\n\nSigned-off-by: Jane Doe <jane@example.org>\n"),
    ]
    .concat();
    let assembled = assemble(classify(&mbox));
    let reasons: Vec<NotSubmission> = assembled.left_out.iter().map(|l| l.reason).collect();
    assert_eq!(
        reasons,
        [
            NotSubmission::PullRequest,
            NotSubmission::PullRequest,
            NotSubmission::BotReport(BotKind::StableTree),
            NotSubmission::BotReport(BotKind::TestRobot),
            NotSubmission::BotReport(BotKind::Syzbot),
            NotSubmission::Discussion,
        ]
    );
    assert_eq!(assembled.series.len(), 1);
    let lone = &assembled.series[0].patches[0];
    assert_eq!(lone.id, "nodiff");
    assert_eq!(lone.notes[0].kind, provgate_patch::NoteKind::NoDiff);
}

#[test]
fn a_wrapped_diff_line_is_an_unreadable_submission_with_its_line() {
    // A mail client wrapped the `@@` line of the hunk header.
    let wrapped = DIFF.replace("@@ -1,3 +1,3 @@\n", "@@ -1,3 +1,3\n@@\n");
    let mbox = mail(
        JANE,
        "wrapped",
        &[],
        "[PATCH] kconfig: fix b",
        &format!("kconfig: fix b\n\nSigned-off-by: {JANE}\n{wrapped}"),
    );
    let assembled = assemble(classify(&mbox));
    assert!(assembled.series.is_empty() && assembled.left_out.is_empty());
    let bad = &assembled.unreadable[0];
    assert_eq!(bad.mail.message_id.as_deref(), Some("wrapped"));
    assert_eq!(bad.text, "@@ -1,3 +1,3");
    // Line 18 of the file: the From line, 4 headers, a blank line, then the body's 11th line.
    assert_eq!(bad.line, 18);
    assert!(
        bad.describe().contains("`@@ -1,3 +1,3`"),
        "{}",
        bad.describe()
    );

    // `check` reports it as an error with the line, and checks nothing.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wrapped.mbox");
    std::fs::write(&file, &mbox).unwrap();
    let gate = Gate::new(GateOptions {
        policies: vec![PolicySource::Preset("linux".into())],
        code: CodeMode::Off,
        ..GateOptions::new(dir.path(), jiff::civil::date(2026, 12, 7))
    })
    .unwrap();
    let checked = gate.check(&CheckRequest {
        inputs: vec![Input::File(file.to_string_lossy().into_owned())],
        ..CheckRequest::default()
    });
    let report = &checked.report;
    assert_eq!((report.summary.patches, report.summary.errors), (0, 1));
    let error = &report.errors[0];
    assert_eq!(error.line, Some(18));
    assert!(
        error.message.contains("<wrapped>") && error.message.contains("`@@ -1,3 +1,3`"),
        "{}",
        error.message
    );
    assert!(error.hint.as_deref().unwrap().contains("git send-email"));
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Jane Doe",
            "-c",
            "user.email=jane@example.org",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A repository whose MAINTAINERS names Masahiro Yamada for `scripts/kconfig/`, a policy
/// protecting that zone (agreement: `Acked-by` from a zone maintainer), and an AI-assisted patch
/// to it, sent as mail by `git format-patch`.
fn protected_repo() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(root.join("scripts/kconfig")).unwrap();
    std::fs::write(root.join("scripts/kconfig/lexer.l"), "a\nb\nd\n").unwrap();
    std::fs::write(
        root.join("MAINTAINERS"),
        "KCONFIG\nM:\tMasahiro Yamada <masahiroy@kernel.org>\nL:\tlinux-kbuild@vger.kernel.org\nS:\tMaintained\nF:\tscripts/kconfig/\n",
    )
    .unwrap();
    std::fs::write(
        root.join("provgate.toml"),
        "extends = \"linux\"\n\n[[zone]]\nname = \"kconfig\"\ntier = \"protected\"\npaths = [\"scripts/kconfig/\"]\n\n[agreement]\ntrailers = [\"Acked-by\"]\nfrom = \"zone-maintainer\"\n",
    )
    .unwrap();
    git(root, &["add", "-A"]);
    git(
        root,
        &[
            "commit",
            "-q",
            "-m",
            "base\n\nSigned-off-by: Jane Doe <jane@example.org>",
        ],
    );
    std::fs::write(root.join("scripts/kconfig/lexer.l"), "a\nc\nd\n").unwrap();
    git(
        root,
        &[
            "commit",
            "-q",
            "-am",
            "kconfig: fix b\n\nAssisted-by: Claude:claude-opus-4-5\nSigned-off-by: Jane Doe <jane@example.org>",
        ],
    );
    let patch = git(
        root,
        &[
            "format-patch",
            "-1",
            "--stdout",
            "--thread",
            "--no-signature",
        ],
    );
    git(root, &["reset", "-q", "--hard", "HEAD~1"]);
    let id = patch
        .lines()
        .find_map(|l| {
            l.strip_prefix("Message-ID: <")
                .or(l.strip_prefix("Message-Id: <"))
        })
        .and_then(|l| l.strip_suffix('>'))
        .expect("format-patch --thread writes a Message-ID")
        .to_string();
    let thread = format!("{patch}\n{}", reply_to_patch(&id));
    (dir, thread)
}

/// The zone maintainer's reply acking the patch.
fn reply_to_patch(id: &str) -> String {
    mail(
        MAINTAINER,
        "ack",
        &[id],
        "Re: [PATCH] kconfig: fix b",
        "> Assisted-by: Claude:claude-opus-4-5\n\nAcked-by: Masahiro Yamada <masahiroy@kernel.org>\n",
    )
}

fn check_thread(dir: &Path, mbox: &str, stage: Stage) -> provgate_report::Report {
    let file = dir.join("thread.mbox");
    std::fs::write(&file, mbox).unwrap();
    let gate = Gate::new(GateOptions {
        code: CodeMode::Off,
        stage,
        ..GateOptions::new(dir, jiff::civil::date(2026, 12, 7))
    })
    .unwrap();
    gate.check(&CheckRequest {
        inputs: vec![Input::File(file.to_string_lossy().into_owned())],
        ..CheckRequest::default()
    })
    .report
}

fn rules(report: &provgate_report::Report) -> Vec<RuleId> {
    report
        .patches
        .iter()
        .flat_map(|p| &p.findings)
        .map(|f| f.rule)
        .collect()
}

#[test]
fn a_zone_maintainers_acked_by_in_a_reply_records_agreement() {
    let (dir, thread) = protected_repo();
    let patch_only = thread.split("\nFrom mboxrd@z").next().unwrap().to_string();
    assert!(patch_only.contains("Assisted-by"));

    // Without the reply: the protected zone is touched without agreement.
    let report = check_thread(dir.path(), &patch_only, Stage::Submit);
    assert_eq!(report.summary.patches, 1);
    assert!(
        rules(&report).contains(&RuleId::ProtectedZone),
        "{:?}",
        rules(&report)
    );

    // With the maintainer's reply: agreement is recorded, and the report says where from.
    let report = check_thread(dir.path(), &thread, Stage::Submit);
    assert_eq!((report.summary.patches, report.summary.not_patches), (1, 1));
    assert!(
        !rules(&report).contains(&RuleId::ProtectedZone),
        "{:?}",
        rules(&report)
    );
    let notes: Vec<&str> = report.patches[0]
        .notes
        .iter()
        .map(|n| n.message.as_str())
        .collect();
    assert!(
        notes.contains(&"Acked-by: Masahiro Yamada <masahiroy@kernel.org> (from a reply by Masahiro Yamada <masahiroy@kernel.org>, <ack>)"),
        "{notes:?}"
    );
    assert!(
        report.patches[0]
            .notes
            .iter()
            .any(|n| n.kind == "review-from-reply")
    );

    // Near misses: the same Acked-by quoted, or from someone who maintains nothing here.
    for (from, body) in [
        (
            MAINTAINER,
            "> Acked-by: Masahiro Yamada <masahiroy@kernel.org>\n\nThanks.\n",
        ),
        (
            REVIEWER,
            "Acked-by: Nathan Chancellor <nathan@kernel.org>\n",
        ),
    ] {
        let id = patch_only
            .lines()
            .find_map(|l| {
                l.strip_prefix("Message-ID: <")
                    .or(l.strip_prefix("Message-Id: <"))
            })
            .and_then(|l| l.strip_suffix('>'))
            .unwrap();
        let miss = format!(
            "{patch_only}\n{}",
            mail(from, "miss", &[id], "Re: [PATCH] kconfig: fix b", body)
        );
        let report = check_thread(dir.path(), &miss, Stage::Submit);
        assert!(
            rules(&report).contains(&RuleId::ProtectedZone),
            "{from}: {:?}",
            rules(&report)
        );
    }
}

#[test]
fn a_reviewed_by_in_a_reply_counts_for_review_missing_at_merge() {
    let (dir, thread) = protected_repo();
    // Every patch needs review at merge; the repository's policy asks for it.
    std::fs::write(
        dir.path().join("provgate.toml"),
        "extends = \"linux\"\n\n[rules]\nreview-missing = \"deny\"\n\n[review]\napplies-to = \"all\"\n",
    )
    .unwrap();
    let patch_only = thread.split("\nFrom mboxrd@z").next().unwrap().to_string();
    let report = check_thread(dir.path(), &patch_only, Stage::Merge);
    assert!(
        rules(&report).contains(&RuleId::ReviewMissing),
        "{:?}",
        rules(&report)
    );
    let report = check_thread(dir.path(), &thread, Stage::Merge);
    assert!(
        !rules(&report).contains(&RuleId::ReviewMissing),
        "{:?}",
        rules(&report)
    );
}

#[test]
fn a_wrapped_diff_git_line_is_unreadable_not_dropped() {
    // The `diff --git` line broken after its first path, as a mail client wrapping at 72
    // columns would break a long one.
    let wrapped = DIFF.replace(
        "diff --git a/scripts/kconfig/lexer.l b/scripts/kconfig/lexer.l\n",
        "diff --git a/scripts/kconfig/lexer.l\nb/scripts/kconfig/lexer.l\n",
    );
    let mbox = mail(
        JANE,
        "wrapped-git",
        &[],
        "[PATCH] kconfig: fix b",
        &format!("kconfig: fix b\n\nSigned-off-by: {JANE}\n{wrapped}"),
    );
    let assembled = assemble(classify(&mbox));
    assert!(assembled.series.is_empty(), "{:?}", assembled.series);
    let bad = &assembled.unreadable[0];
    assert_eq!(bad.text, "diff --git a/scripts/kconfig/lexer.l");
    assert_eq!(bad.line, 14);
}

#[test]
fn a_reply_review_from_someone_else_is_named_in_the_review_missing_finding() {
    let (dir, thread) = protected_repo();
    std::fs::write(
        dir.path().join("provgate.toml"),
        "extends = \"linux\"\n\n[rules]\nreview-missing = \"deny\"\n\n[review]\napplies-to = \"all\"\nfrom = \"maintainer\"\n",
    )
    .unwrap();
    // The reviewer, who maintains nothing the patch touches, answers instead of the maintainer.
    let patch_only = thread.split("\nFrom mboxrd@z").next().unwrap().to_string();
    let id = patch_only
        .lines()
        .find_map(|l| {
            l.strip_prefix("Message-ID: <")
                .or(l.strip_prefix("Message-Id: <"))
        })
        .and_then(|l| l.strip_suffix('>'))
        .unwrap();
    let mbox = format!(
        "{patch_only}\n{}",
        mail(
            REVIEWER,
            "rev",
            &[id],
            "Re: [PATCH] kconfig: fix b",
            "Reviewed-by: Nathan Chancellor <nathan@kernel.org>\n"
        )
    );
    let report = check_thread(dir.path(), &mbox, Stage::Merge);
    let finding = report.patches[0]
        .findings
        .iter()
        .find(|f| f.rule == RuleId::ReviewMissing)
        .expect("the maintainer has not reviewed");
    let help = finding.help.as_deref().unwrap();
    assert!(
        help.contains("Masahiro Yamada <masahiroy@kernel.org>")
            && help.contains("not counted here: Reviewed-by: Nathan Chancellor <nathan@kernel.org> (from a reply by Nathan Chancellor <nathan@kernel.org>, <rev>)"),
        "{help}"
    );
}

/// The Message-ID `git format-patch --thread` gave the patch.
fn patch_message_id(patch: &str) -> String {
    patch
        .lines()
        .find_map(|l| {
            l.strip_prefix("Message-ID: <")
                .or(l.strip_prefix("Message-Id: <"))
        })
        .and_then(|l| l.strip_suffix('>'))
        .expect("format-patch --thread writes a Message-ID")
        .to_string()
}

#[test]
fn a_trailer_in_someone_elses_name_records_no_agreement_and_says_why() {
    const MALLORY: &str = "Mallory <mallory@example.org>";
    let (dir, thread) = protected_repo();
    let patch_only = thread.split("\nFrom mboxrd@z").next().unwrap().to_string();
    let id = patch_message_id(&patch_only);
    // Anyone on the list can write the maintainer's Acked-by; b4 ignores it (from/email
    // mismatch), and so must the zone's agreement.
    let forged = format!(
        "{patch_only}\n{}",
        mail(
            MALLORY,
            "forged",
            &[&id],
            "Re: [PATCH] kconfig: fix b",
            "Acked-by: Masahiro Yamada <masahiroy@kernel.org>\n"
        )
    );
    let report = check_thread(dir.path(), &forged, Stage::Submit);
    assert!(
        rules(&report).contains(&RuleId::ProtectedZone),
        "a forged ack records no agreement: {:?}",
        rules(&report)
    );
    let notes: Vec<&str> = report.patches[0]
        .notes
        .iter()
        .filter(|n| n.kind == "review-from-reply")
        .map(|n| n.message.as_str())
        .collect();
    assert_eq!(
        notes,
        [
            "Acked-by: Masahiro Yamada <masahiroy@kernel.org> (from a reply by Mallory <mallory@example.org>, <forged>): not counted, sender mismatch (the trailer names another address than the reply's sender's; b4 ignores it too, and the check counts it only when the repository's .mailmap makes both one person's)"
        ]
    );
    let assembled = assemble(classify(&forged));
    assert_eq!(
        (
            assembled.review_trailers(),
            assembled.mismatched_review_trailers()
        ),
        (0, 1)
    );
    assert_eq!(
        assembled.left_out_note().unwrap(),
        "1 message left out, not submissions: 1 reply; 1 not counted (sender mismatch: the trailer names another address than the reply's sender's)"
    );

    // The maintainer's own reply, its address in another case, counts.
    let own = format!(
        "{patch_only}\n{}",
        mail(
            "Masahiro Yamada <MasahiroY@Kernel.org>",
            "own",
            &[&id],
            "Re: [PATCH] kconfig: fix b",
            "Acked-by: Masahiro Yamada <masahiroy@kernel.org>\n"
        )
    );
    let report = check_thread(dir.path(), &own, Stage::Submit);
    assert!(
        !rules(&report).contains(&RuleId::ProtectedZone),
        "{:?}",
        rules(&report)
    );

    // Review in someone else's name does not count at merge either, and the finding says why.
    std::fs::write(
        dir.path().join("provgate.toml"),
        "extends = \"linux\"\n\n[rules]\nreview-missing = \"deny\"\n\n[review]\napplies-to = \"all\"\n",
    )
    .unwrap();
    let forged_review = forged.replace("Acked-by: Masahiro", "Reviewed-by: Masahiro");
    let report = check_thread(dir.path(), &forged_review, Stage::Merge);
    let finding = report.patches[0]
        .findings
        .iter()
        .find(|f| f.rule == RuleId::ReviewMissing)
        .expect("a forged review is no review");
    assert_eq!(finding.level, provgate_policy::Level::Deny);

    // A .mailmap that makes the two addresses one person's lets the check count it.
    std::fs::write(
        dir.path().join(".mailmap"),
        "Masahiro Yamada <masahiroy@kernel.org> <masahiro.yamada@example.com>\n",
    )
    .unwrap();
    git(dir.path(), &["add", ".mailmap"]);
    git(dir.path(), &["commit", "-q", "-m", "mailmap"]);
    let other_address = own.replace(
        "From: Masahiro Yamada <MasahiroY@Kernel.org>",
        "From: Masahiro Yamada <masahiro.yamada@example.com>",
    );
    let report = check_thread(
        dir.path(),
        &other_address.replace("Acked-by", "Reviewed-by"),
        Stage::Merge,
    );
    assert!(
        !rules(&report).contains(&RuleId::ReviewMissing),
        "{:?}",
        rules(&report)
    );
}
