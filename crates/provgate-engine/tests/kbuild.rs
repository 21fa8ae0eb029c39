//! The submission classifier on real list mail: 159 messages of linux-kbuild
//! (`testdata/lists/linux-kbuild/`), each classified as checked by hand, and `check` of every
//! thread against git's own reading of the same mail (`git mailsplit`, `git mailinfo`).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use provgate_engine::submission::{
    BotKind, Classified, ClassifyOptions, NotSubmission, assemble, classify_bytes,
};
use provgate_engine::{CheckRequest, CodeMode, Gate, GateOptions, Input, PolicySource};
use provgate_patch::input::ReadOptions;
use provgate_patch::mbox::MboxFlavor;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/lists/linux-kbuild/kbuild.mbox")
}

fn mboxrd() -> ReadOptions {
    ReadOptions {
        mbox_flavor: MboxFlavor::Mboxrd,
    }
}

fn classified() -> Vec<Classified> {
    let bytes = std::fs::read(fixture()).unwrap();
    classify_bytes("kbuild.mbox", &bytes, mboxrd(), &ClassifyOptions::default())
        .into_iter()
        .map(|item| item.expect("every fixture message is mail"))
        .collect()
}

/// The class of a mail, as a word, for the table below.
fn class(item: &Classified) -> (String, Option<String>) {
    let word = match item {
        Classified::Submission(p) if p.prefix.as_ref().and_then(|x| x.index) == Some(0) => "cover",
        Classified::Submission(_) => "patch",
        Classified::NotSubmission(l) => l.reason.as_str(),
        Classified::Unreadable(_) => "unreadable",
    };
    (word.to_string(), item.message_id().map(str::to_string))
}

#[test]
fn every_message_is_classified_as_checked_by_hand() {
    let items = classified();
    assert_eq!(items.len(), 159);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_id: HashMap<String, String> = HashMap::new();
    for item in &items {
        let (word, id) = class(item);
        *counts.entry(word.clone()).or_default() += 1;
        by_id.insert(id.unwrap(), word);
    }
    // Counted by hand from the subjects, senders and bodies of the 159 mails.
    let expected: BTreeMap<String, usize> = [
        ("patch", 57),
        ("cover", 6),
        ("reply", 74),
        ("reply-with-diff", 5),
        ("pull-request", 4),
        ("test-robot-report", 7),
        ("syzbot-report", 3),
        ("discussion", 3),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(counts, expected);

    for (id, want) in [
        // `[kbuild:kunit 6/17] kunit/…: sparse: …`: a build report, not part 6 of 17.
        ("201905101508.nymn1QP2%lkp@intel.com", "test-robot-report"),
        // The robot's own `[RFC PATCH kbuild]` fix suggestion, with a diff: still the robot's.
        ("20190510073207.GA2325@lkp-kbuild06", "test-robot-report"),
        // The robot answering a patch (`Re: [PATCH v2 2/6] …`).
        ("202405150623.lmS5sVhM-lkp@intel.com", "test-robot-report"),
        ("202112131409.xtFaq5U1-lkp@intel.com", "test-robot-report"),
        ("0000000000007a85c4059841ca66@google.com", "syzbot-report"),
        (
            "CAK7LNAQNSjKcanh78mEJWeyO81xz9qBJ=_u=Dcqx+YcaT9pZig@mail.gmail.com",
            "pull-request",
        ),
        // pr-tracker-bot's "The pull request you sent … has been merged": a reply.
        (
            "156493921001.5657.3129106652808656430.pr-tracker-bot@kernel.org",
            "reply",
        ),
        // A maintainer answering with a diff of his own: review, not a patch.
        (
            "CAK7LNARkfLY94D=B_h_s7Cz_DAmMUYvoYq4-xB1bt-RRJZP77Q@mail.gmail.com",
            "reply-with-diff",
        ),
        // `Re: FAILED: patch "[PATCH] drm: …" failed to apply to 6.6-stable tree`, with a
        // backport inline.
        (
            "2f79e1ab-5a22-4617-8bec-d2122194964f@app.fastmail.com",
            "reply-with-diff",
        ),
        (
            "20200814075423.5ABB34043DFBF@mail.munisurquillo.gob.pe",
            "discussion",
        ),
        ("20250818140143.61b8c466@canb.auug.org.au", "discussion"),
        // A quilt-style `diff -- a/usr/Kconfig b/usr/Kconfig`: a patch all the same.
        ("20231210053429.23146-1-rdunlap@infradead.org", "patch"),
        (
            "20190821035517.21671-1-yamada.masahiro@socionext.com",
            "cover",
        ),
        (
            "20190821035517.21671-5-yamada.masahiro@socionext.com",
            "patch",
        ),
        ("20250527140606.68526-1-legion@kernel.org", "patch"),
    ] {
        assert_eq!(by_id.get(id).map(String::as_str), Some(want), "{id}");
    }
}

#[test]
fn replies_give_their_trailers_to_the_patch_they_answer() {
    let assembled = assemble(classified());
    let patch = assembled
        .series
        .iter()
        .flat_map(|s| &s.patches)
        .find(|p| p.message_id.as_deref() == Some("20220719023539.2199045-1-masahiroy@kernel.org"))
        .expect("the kconfig cc-option patch");
    let reviews: Vec<String> = patch.review.iter().map(|r| r.describe()).collect();
    assert_eq!(reviews.len(), 1, "{reviews:?}");
    assert!(
        reviews[0].starts_with("Tested-by: Nicolas Schier <nicolas@fjasle.eu> (from a reply by Nicolas Schier <nicolas@fjasle.eu>"),
        "{reviews:?}"
    );
    // Quoted trailers in replies are not collected: every collected one is a line of its reply.
    assert!(
        assembled.review_trailers() > 30,
        "{}",
        assembled.review_trailers()
    );
    for series in &assembled.series {
        for p in &series.patches {
            for r in &p.review {
                assert!(!r.trailer.value.starts_with('>'));
                assert!(r.sender.is_some());
            }
        }
    }
    let note = assembled.left_out_note().unwrap();
    // Of the 48 trailers replies give, 3 name another address than their reply's sender's (the
    // same people writing from another address: a .mailmap's case); b4 ignores them, and so
    // does the count.
    assert_eq!(
        (
            assembled.review_trailers(),
            assembled.mismatched_review_trailers()
        ),
        (45, 3)
    );
    let mut mismatched: Vec<&str> = assembled
        .series
        .iter()
        .flat_map(|s| &s.patches)
        .flat_map(|p| &p.notes)
        .filter(|n| n.message.contains("sender mismatch"))
        .map(|n| n.message.split(" (from a reply by ").next().unwrap())
        .collect();
    mismatched.sort_unstable();
    assert_eq!(
        mismatched,
        [
            "Acked-by: David S. Miller <davem@davemloft.net>",
            "Reviewed-by: Andi Kleen <ak@linux.intel.com>",
            "Tested-by: David Sterba <dsterba@suse.com>"
        ]
    );
    assert!(
        note.starts_with("96 messages left out, not submissions: 74 replies, 5 replies with a diff, 4 pull requests, 7 test-robot reports, 3 syzbot reports, 3 discussion mails;"),
        "{note}"
    );
}

/// One message as git reads it: its subject (untouched, `-k`), sender and whether what
/// `git mailinfo` takes for the patch holds a diff.
struct GitView {
    message_id: String,
    subject: String,
    email: String,
    has_diff: bool,
}

fn git(dir: &Path, args: &[&str], stdin: Option<&Path>) -> String {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir).args(args);
    if let Some(file) = stdin {
        cmd.stdin(std::fs::File::open(file).unwrap());
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn header(text: &str, name: &str) -> Option<String> {
    // Headers end at the first blank line; folded lines continue with white space.
    let head = text.split("\n\n").next().unwrap_or_default();
    let mut value: Option<String> = None;
    for line in head.lines() {
        if let Some(v) = value.as_mut() {
            if line.starts_with([' ', '\t']) {
                v.push_str(line);
                continue;
            }
            break;
        }
        if let Some((key, rest)) = line.split_once(':')
            && key.eq_ignore_ascii_case(name)
        {
            value = Some(rest.to_string());
        }
    }
    value
}

fn ids(value: &str) -> Vec<String> {
    value
        .split('<')
        .skip(1)
        .filter_map(|s| s.split_once('>').map(|(id, _)| id.trim().to_string()))
        .collect()
}

#[test]
fn check_of_each_whole_thread_lists_exactly_its_patches() {
    let split = tempfile::tempdir().unwrap();
    let out = split.path().join("split");
    std::fs::create_dir(&out).unwrap();
    let fixture = fixture();
    let n: usize = git(
        split.path(),
        &[
            "mailsplit",
            "--mboxrd",
            &format!("-o{}", out.display()),
            fixture.to_str().unwrap(),
        ],
        None,
    )
    .trim()
    .parse()
    .unwrap();
    assert_eq!(n, 159);

    // Threads by their root, as b4 mbox saves a thread.
    let mut threads: Vec<(String, Vec<(String, GitView)>)> = Vec::new();
    for i in 1..=n {
        let file = out.join(format!("{i:04}"));
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        let refs = header(&text, "References")
            .map(|v| ids(&v))
            .unwrap_or_default();
        let reply_to = header(&text, "In-Reply-To")
            .map(|v| ids(&v))
            .unwrap_or_default();
        let own = ids(&header(&text, "Message-ID").unwrap());
        let root = refs
            .first()
            .or(reply_to.first())
            .or(own.first())
            .unwrap()
            .clone();
        let info = git(
            split.path(),
            &["mailinfo", "-k", "msg", "patch"],
            Some(&file),
        );
        let field = |name: &str| {
            info.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                .unwrap_or_default()
                .to_string()
        };
        let patch = std::fs::read_to_string(split.path().join("patch")).unwrap_or_default();
        let has_diff = patch
            .lines()
            .any(|l| l.starts_with("diff ") || l.starts_with("+++ "));
        let view = GitView {
            message_id: own[0].clone(),
            subject: field("Subject"),
            email: field("Email").to_ascii_lowercase(),
            has_diff,
        };
        match threads.iter_mut().find(|(r, _)| *r == root) {
            Some((_, mails)) => mails.push((text, view)),
            None => threads.push((root, vec![(text, view)])),
        }
    }
    assert!(threads.len() > 60, "{}", threads.len());

    let gate = Gate::new(GateOptions {
        policies: vec![PolicySource::Preset("linux".into())],
        code: CodeMode::Off,
        ..GateOptions::new(split.path(), jiff::civil::date(2026, 7, 15))
    })
    .unwrap();
    let mut checked_threads = 0;
    let (mut total_patches, mut total_covers) = (0, 0);
    for (root, mails) in &threads {
        // The oracle: non-reply `[PATCH …]`/`[RFC …]` mails that git finds a diff in, from
        // people (not the robots), are the patches; `…0/N]` without one the cover letters.
        let is_reply = |s: &str| {
            let lower = s.to_ascii_lowercase();
            ["re:", "re ", "aw:", "fwd:", "fw:", "sv:"]
                .iter()
                .any(|m| lower.starts_with(m))
        };
        let person = |v: &GitView| {
            !v.email.ends_with("@intel.com") && !v.email.ends_with("@syzkaller.appspotmail.com")
        };
        let announced = |v: &GitView| {
            v.subject.starts_with("[PATCH")
                || v.subject.starts_with("[RFC")
                || v.subject.starts_with("[v")
        };
        let cover = |v: &GitView| {
            v.subject.split(']').next().is_some_and(|p| {
                p.split_whitespace()
                    .any(|w| w.starts_with("0/") || w.starts_with("00/"))
            })
        };
        let mut patch_ids: Vec<&str> = mails
            .iter()
            .filter(|(_, v)| !is_reply(&v.subject) && person(v) && announced(v) && v.has_diff)
            .map(|(_, v)| v.message_id.as_str())
            .collect();
        patch_ids.sort();
        let patches = patch_ids.len();
        let covers = mails
            .iter()
            .filter(|(_, v)| !is_reply(&v.subject) && person(v) && !v.has_diff && cover(v))
            .count();

        let thread_file = split.path().join("thread.mbox");
        let mut mbox = String::new();
        for (text, _) in mails {
            mbox.push_str("From mboxrd@z Thu Jan  1 00:00:00 1970\n");
            for line in text.lines() {
                // mboxrd: a line that reads `From `, after any `>`, gets one more `>`.
                if line.trim_start_matches('>').starts_with("From ") {
                    mbox.push('>');
                }
                mbox.push_str(line);
                mbox.push('\n');
            }
            mbox.push('\n');
        }
        std::fs::write(&thread_file, &mbox).unwrap();
        let checked = gate.check(&CheckRequest {
            inputs: vec![Input::File(thread_file.to_string_lossy().into_owned())],
            read: mboxrd(),
            ..CheckRequest::default()
        });
        let summary = &checked.report.summary;
        assert_eq!(
            (summary.patches, summary.cover_letters, summary.errors),
            (patches, covers, 0),
            "thread {root}: {:#?}",
            checked
                .report
                .patches
                .iter()
                .map(|p| &p.subject)
                .collect::<Vec<_>>()
        );
        assert_eq!(
            summary.patches + summary.cover_letters + summary.not_patches,
            mails.len(),
            "thread {root}"
        );
        // Exactly those mails, not just as many.
        let mut reported: Vec<&str> = checked
            .report
            .patches
            .iter()
            .filter(|p| p.series.as_ref().and_then(|s| s.index) != Some(0))
            .map(|p| p.id.as_str())
            .collect();
        reported.sort();
        assert_eq!(reported, patch_ids, "thread {root}");
        if summary.not_patches > 0 {
            assert!(
                checked
                    .report
                    .notes
                    .iter()
                    .any(|n| n.contains("left out, not submissions")),
                "thread {root}: {:?}",
                checked.report.notes
            );
        }
        total_patches += patches;
        total_covers += covers;
        checked_threads += 1;
    }
    assert_eq!(checked_threads, threads.len());
    assert_eq!((total_patches, total_covers), (57, 6));
}

#[test]
fn configured_bot_senders_are_left_out() {
    let bytes = std::fs::read(fixture()).unwrap();
    let options = ClassifyOptions::with_bot_senders(["masahiroy@kernel.org"]).unwrap();
    let items: Vec<Classified> = classify_bytes("kbuild.mbox", &bytes, mboxrd(), &options)
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let configured = items
        .iter()
        .filter(|i| {
            matches!(i, Classified::NotSubmission(l) if l.reason == NotSubmission::BotReport(BotKind::Configured))
        })
        .count();
    assert!(configured > 20, "{configured}");
}

#[test]
fn one_message_at_a_time_as_a_service_reads_an_archive_classifies_the_same() {
    let bytes = std::fs::read(fixture()).unwrap();
    let options = ClassifyOptions::default();
    let one_by_one: Vec<(String, Option<String>)> =
        provgate_patch::mbox::MboxReader::new(&bytes[..], MboxFlavor::Mboxrd)
            .map(|raw| {
                let raw = raw.unwrap();
                // The service hands over each message's bytes alone, without the mbox.
                let alone = provgate_patch::mbox::RawMessage {
                    bytes: raw.bytes,
                    from_line: None,
                    first_line: 1,
                };
                class(&provgate_engine::submission::classify(&alone, "message", &options).unwrap())
            })
            .collect();
    let streamed: Vec<(String, Option<String>)> = classified().iter().map(class).collect();
    assert_eq!(one_by_one, streamed);
}
