//! Mail read as `git am` reads it, with git itself as the oracle: every mail here is written for
//! one case, split by `git mailsplit -b` and read by `git mailinfo -u` (the flags `git am` passes
//! by default), and provgate's reading must agree on author, address, date, subject, commit
//! message and patch.

mod support;

use provgate_patch::input::{ReadOptions, read_stream};
use provgate_patch::mail::{MailItem, stripspace};
use provgate_patch::{NoteKind, Patch};

use support::git;

const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

fn sep() -> String {
    format!("From {SHA} Mon Sep 17 00:00:00 2001\n")
}

/// What `git am` would take from one message.
#[derive(Debug)]
struct GitMail {
    author: String,
    email: String,
    subject: String,
    date: Option<String>,
    /// The commit message `git am` builds: `stripspace(subject + "\n\n" + body)`.
    message: String,
    patch: String,
}

/// Splits `mbox` with mailsplit and reads each message with mailinfo.
fn git_am_reading(mbox: &str) -> Vec<GitMail> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.mbox"), mbox).unwrap();
    std::fs::create_dir(dir.path().join("split")).unwrap();
    let (ok, out) = git(
        dir.path(),
        &["mailsplit", "-b", "-osplit", "in.mbox"],
        None,
        &[],
    );
    assert!(ok, "mailsplit failed");
    let count: usize = String::from_utf8_lossy(&out).trim().parse().unwrap();
    (1..=count)
        .map(|i| {
            let file = std::fs::read(dir.path().join(format!("split/{i:04}"))).unwrap();
            let (_, info) = git(
                dir.path(),
                &["mailinfo", "-u", "msg", "patch"],
                Some(&file),
                &[],
            );
            let info = String::from_utf8(info).unwrap();
            let field = |name: &str| {
                info.lines()
                    .find_map(|l| l.strip_prefix(&format!("{name}: ")[..]))
                    .map(str::to_string)
            };
            let body = std::fs::read_to_string(dir.path().join("msg")).unwrap();
            let subject = field("Subject").unwrap_or_default();
            GitMail {
                author: field("Author").unwrap_or_default(),
                email: field("Email").unwrap_or_default(),
                message: stripspace(&format!("{subject}\n\n{body}")),
                subject,
                date: field("Date"),
                patch: std::fs::read_to_string(dir.path().join("patch")).unwrap(),
            }
        })
        .collect()
}

/// Seconds and `±hhmm` zone as git reads a date for a commit (`git am` uses the same reader).
fn git_date(text: &str) -> Option<(i64, String)> {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = git(
        dir.path(),
        &["var", "GIT_AUTHOR_IDENT"],
        None,
        &[
            ("GIT_AUTHOR_NAME", "A"),
            ("GIT_AUTHOR_EMAIL", "a@example.org"),
            ("GIT_AUTHOR_DATE", text),
        ],
    );
    if !ok {
        return None;
    }
    let out = String::from_utf8(out).unwrap();
    let mut words = out.split_whitespace().rev();
    let zone = words.next()?.to_string();
    let seconds = words.next()?.parse().ok()?;
    Some((seconds, zone))
}

fn zone_text(offset_minutes: i32) -> String {
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let m = offset_minutes.abs();
    format!("{sign}{:02}{:02}", m / 60, m % 60)
}

fn provgate_reading(mbox: &str) -> Vec<Patch> {
    let mut out = Vec::new();
    read_stream(
        mbox.as_bytes(),
        "test.mbox",
        ReadOptions::default(),
        &mut |item| match item.expect("message reads") {
            MailItem::Patch(p) => out.push(*p),
            MailItem::NotAPatch { subject } => panic!("{subject:?} read as not a patch"),
        },
    );
    out
}

/// `+` lines of a patch as mailinfo wrote it, without the `+++` header.
fn added_lines(patch: &str) -> Vec<String> {
    patch
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .map(|l| l[1..].to_string())
        .collect()
}

/// `git apply --numstat -z` of a diff: (added, removed, path) per file.
fn git_numstat(diff: &str) -> Vec<(u32, u32, String)> {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out) = git(
        dir.path(),
        &["apply", "--numstat", "-z"],
        Some(diff.as_bytes()),
        &[],
    );
    assert!(ok, "git apply --numstat refused:\n{diff}");
    String::from_utf8(out)
        .unwrap()
        .split_terminator('\0')
        .map(|record| {
            let mut parts = record.splitn(3, '\t');
            let added = parts.next().unwrap().parse().unwrap();
            let removed = parts.next().unwrap().parse().unwrap();
            (added, removed, parts.next().unwrap().to_string())
        })
        .collect()
}

fn numstat(patch: &Patch) -> Vec<(u32, u32, String)> {
    patch
        .files
        .iter()
        .map(|f| (f.added(), f.removed(), f.path().to_string()))
        .collect()
}

/// Provgate and git agree on every message of `mbox`; returns provgate's patches.
fn agree(mbox: &str) -> Vec<Patch> {
    let git = git_am_reading(mbox);
    let ours = provgate_reading(mbox);
    assert_eq!(ours.len(), git.len(), "message count for\n{mbox}");
    for (p, g) in ours.iter().zip(&git) {
        let author = p.author.as_ref();
        assert_eq!(
            author.map_or("", |a| a.name.as_str()),
            g.author,
            "author name\n{mbox}"
        );
        assert_eq!(
            author.map_or("", |a| a.email.as_str()),
            g.email,
            "address\n{mbox}"
        );
        assert_eq!(p.subject, g.subject, "subject\n{mbox}");
        assert_eq!(p.message, g.message, "commit message\n{mbox}");
        match g.date.as_deref().and_then(git_date) {
            Some((seconds, zone)) => {
                let d = p.date.expect("a date");
                assert_eq!(
                    (d.seconds, zone_text(d.offset_minutes)),
                    (seconds, zone),
                    "date {:?}",
                    g.date
                );
            }
            None => assert!(p.date.is_none(), "date {:?}", g.date),
        }
        if !g.patch.is_empty() {
            assert_eq!(numstat(p), git_numstat(&g.patch), "patch\n{}", g.patch);
            let ours: Vec<String> = p
                .files
                .iter()
                .flat_map(|f| f.added_lines().map(|l| l.text.to_string()))
                .collect();
            assert_eq!(ours, added_lines(&g.patch), "added lines");
        }
    }
    ours
}

const DIFF: &str = "---
 src/lib.c | 3 ++-
 1 file changed, 2 insertions(+), 1 deletion(-)

diff --git a/src/lib.c b/src/lib.c
index 1111111..2222222 100644
--- a/src/lib.c
+++ b/src/lib.c
@@ -1,3 +1,4 @@
 int a;
-int b;
+int b = 0;
+int c;
 int d;
-- 
2.47.3
";

fn mail(from: &str, subject: &str, extra_headers: &str, body: &str) -> String {
    format!(
        "{}From: {from}\nDate: Thu, 4 Dec 2008 16:00:00 -0800\nSubject: {subject}\n{extra_headers}\n{body}",
        sep()
    )
}

fn plain(body: &str) -> String {
    mail(
        "Jane Doe <jane@example.org>",
        "[PATCH] lib: init b",
        "",
        body,
    )
}

#[test]
fn mbox_starting_with_blank_lines() {
    let body = format!("Init b.\n\nSigned-off-by: Jane Doe <jane@example.org>\n{DIFF}");
    let two = format!(
        "{}{}",
        plain(&body),
        mail(
            "Joe Bloggs <joe@example.org>",
            "[PATCH 2/2] lib: second",
            "",
            &body
        )
    );
    for lead in ["\n", "\n\n", "  \n\t\n", "\r\n"] {
        let mbox = format!("{lead}{two}");
        let patches = agree(&mbox);
        assert_eq!(patches.len(), 2);
        assert_eq!(patches[1].author.as_ref().unwrap().name, "Joe Bloggs");
    }
    // A message that itself starts with a blank line after its separator.
    let mbox = format!("{}\n{}", sep(), &plain(&body)[sep().len()..]);
    assert_eq!(agree(&mbox)[0].subject, "lib: init b");
}

/// A patch as Thunderbird sends it with `format=flowed`: context lines space-stuffed, long
/// message lines soft-wrapped with a trailing space, the signature separator kept.
#[test]
fn format_flowed_bodies() {
    let flowed = "This message line is long enough that the mailer wrapped it \nat a space.\n\n\
Signed-off-by: Jane Doe <jane@example.org>\n---\n  src/lib.c | 3 ++-\n\n\
diff --git a/src/lib.c b/src/lib.c\nindex 1111111..2222222 100644\n--- a/src/lib.c\n+++ b/src/lib.c\n\
@@ -1,3 +1,4 @@\n  int a;\n-int b;\n+int b = 0;\n+int c;\n  int d;\n-- \n2.47.3\n";
    let headers = "Content-Type: text/plain; charset=UTF-8; format=flowed\n";
    let p = &agree(&mail(
        "Jane Doe <jane@example.org>",
        "[PATCH] lib: init b",
        headers,
        flowed,
    ))[0];
    assert!(p.message.contains("wrapped it at a space."));
    assert_eq!((p.files[0].added(), p.files[0].removed()), (2, 1));

    // DelSp=yes: the space before a soft break was the mailer's and goes.
    let delsp = flowed
        .replace("wrapped it \nat", "wrapped it at a spa \nce")
        .replace("+int c;\n", "+int c = comp \nute();\n");
    let headers = "Content-Type: text/plain; charset=UTF-8; format=flowed; DelSp=yes\n";
    let p = &agree(&mail(
        "Jane Doe <jane@example.org>",
        "[PATCH] lib: init b",
        headers,
        &delsp,
    ))[0];
    assert!(p.message.contains("space."));
    let added: Vec<_> = p.files[0]
        .added_lines()
        .map(|l| l.text.to_string())
        .collect();
    assert_eq!(added, ["int b = 0;", "int c = compute();"]);

    // Quoted-printable and flowed together.
    let qp =
        "Content-Type: text/plain; format=flowed\nContent-Transfer-Encoding: quoted-printable\n";
    agree(&mail(
        "Jane Doe <jane@example.org>",
        "[PATCH] lib: init b",
        qp,
        &flowed.replace("int b = 0;", "int b =3D 0;"),
    ));
}

#[test]
fn in_body_headers() {
    // A forwarded format-patch separator, then folded in-body headers.
    let body = format!(
        ">From {SHA} Mon Sep 17 00:00:00 2001\nFrom: Real Author\n <real@example.org>\n\
Subject: [PATCH] lib: a subject folded\n\tover two lines\nDate: Mon, 1 Jun 2026 09:00:00 -0400\n\n\
Body.\n\nSigned-off-by: Real Author <real@example.org>\n{DIFF}"
    );
    let p = &agree(&plain(&body))[0];
    assert_eq!(p.author.as_ref().unwrap().email, "real@example.org");
    assert_eq!(p.subject, "lib: a subject folded over two lines");
    assert!(p.notes.iter().any(|n| n.kind == NoteKind::InBodyAuthor));

    // `[PATCH] subject` as the first body line is the subject; headers may follow a blank.
    agree(&plain(&format!(
        "[PATCH] lib: subject from the body\n\nFrom: Other <other@example.org>\n\nBody.\n{DIFF}"
    )));
    // Blank lines before in-body headers are skipped.
    agree(&plain(&format!(
        "\n\nFrom: Other <other@example.org>\n\nBody.\n{DIFF}"
    )));
    // Not at the top: message text.
    agree(&plain(&format!(
        "Body first.\nFrom: Other <other@example.org>\n\nMore.\n{DIFF}"
    )));
    // The same header twice: the second is message text.
    agree(&plain(&format!(
        "From: Other <other@example.org>\nFrom: Third <third@example.org>\n\nBody.\n{DIFF}"
    )));
    // An indented line that continues no header is message text.
    agree(&plain(&format!("  indented start\n\nBody.\n{DIFF}")));
    // A `>From` line that is not a format-patch separator ends the headers.
    agree(&plain(&format!(
        ">From the archive\nFrom: Other <other@example.org>\n\nBody.\n{DIFF}"
    )));
    // Header names are case-insensitive; a header ends at the first line that is not one.
    agree(&plain(&format!(
        "from: Other <other@example.org>\nsubject: lib: lower case\nBody right after.\n{DIFF}"
    )));
}

#[test]
fn in_body_headers_need_a_patch() {
    let mbox = plain("From: Other <other@example.org>\n\nNo patch here.\n");
    let git = git_am_reading(&mbox);
    assert_eq!(git[0].email, "jane@example.org");
    let p = &provgate_reading(&mbox)[0];
    assert_eq!(p.author.as_ref().unwrap().email, git[0].email);
    assert!(p.notes.iter().any(|n| n.kind == NoteKind::NoDiff));
}

#[test]
fn author_names_as_mailinfo_builds_them() {
    let body = format!("Body.\n{DIFF}");
    let long = "A Name Much Longer Than Sixty Bytes Which Git Replaces By The Address";
    for from in [
        "Jane Doe <jane@example.org>",
        "Jane (ACME Corp) Doe <jane@example.org> (work)",
        "jane@example.org (Jane Doe)",
        "jane@example.org ((nested) Jane)",
        "(Jane) <jane@example.org>",
        "<jane@example.org>",
        "jane@example.org",
        "\"\" <jane@example.org>",
        &format!("{long} <jane@example.org>"),
        "\"jane@home\" <jane@example.org>",
        "\"Jane <at> Doe\" <jane@example.org>",
        "\"Doe, Jane\" <jane@example.org>",
        "\"Jane \\\"JD\\\" Doe\" <jane@example.org>",
        "\"Jane Doe <jane@example.org>",
        "(Jane Doe <jane@example.org>",
        "Jane Doe <jane@example.org",
        "Jane Doe <jane>",
        "=?UTF-8?q?Ren=C3=A9_M=C3=BCller?= <rene@example.org>",
        "Jane Doe <jane@example.org>, Joe <joe@example.org>",
        "Jane\tDoe   <jane@example.org>",
    ] {
        let p = &agree(&mail(from, "[PATCH] lib: x", "", &body))[0];
        assert!(p.author.is_some(), "author lost for {from:?}");
    }
}

#[test]
fn from_without_any_address_is_reported() {
    let mbox = mail("Jane Doe", "[PATCH] lib: x", "", &format!("Body.\n{DIFF}"));
    let git = git_am_reading(&mbox);
    assert_eq!((git[0].author.as_str(), git[0].email.as_str()), ("", ""));
    let p = &agree(&mbox)[0];
    assert!(p.author.is_none());
    assert!(p.notes.iter().any(|n| n.kind == NoteKind::NoAuthor));
}

#[test]
fn dates_in_every_form_git_am_accepts() {
    let body = format!("Body.\n{DIFF}");
    for date in [
        "Thu, 4 Dec 2008 16:00:00 -0800",
        "Thu Dec 4 16:00:00 2008 -0800",
        "Thu, 04 Dec 2008 16:00:00 -0800 (PST)",
        "4 Dec 2008 16:00 +0100",
        "Thu, 4 Dec 2008 16:00:00 GMT",
        "Thu, 4 Dec 08 16:00:00 EST",
        "Thu, 4 Dec 2008 16:00:00 UT",
        "2008-12-04 16:00:00 -0800",
        "2008-12-04T16:00:00Z",
        "2008-12-04T16:00:00+05:30",
        "@1228435200 -0800",
        "1228435200 -0800",
        "Thursday, December 4, 2008 4:00:00 PM -0800",
        "04.12.2008 16:00:00 +0100",
        "12/04/2008 16:00:00 +0000",
        "Sat, 29 Feb 2020 23:59:59 +1400",
    ] {
        let text = format!(
            "{}From: Jane Doe <jane@example.org>\nDate: {date}\nSubject: [PATCH] x\n\n{body}",
            sep()
        );
        let p = &agree(&text)[0];
        assert!(p.date.is_some(), "{date}");
        assert!(
            !p.notes.iter().any(|n| n.kind == NoteKind::UnreadableDate),
            "{date}"
        );
    }
}

#[test]
fn unreadable_date_is_no_date_and_a_note() {
    let body = format!("Body.\n{DIFF}");
    for date in ["not a date at all", "sometime soon"] {
        assert!(git_date(date).is_none(), "git reads {date:?}");
        let text = format!(
            "{}From: Jane Doe <jane@example.org>\nDate: {date}\nSubject: [PATCH] x\n\n{body}",
            sep()
        );
        let p = &provgate_reading(&text)[0];
        assert!(p.date.is_none(), "{date}");
        assert!(p.notes.iter().any(|n| n.kind == NoteKind::UnreadableDate));
    }
}

#[test]
fn traditional_diff_names_as_git_apply_reads_them() {
    let hunk = "@@ -1,2 +1,2 @@\n a\n-b\n+c\n";
    for (old, new) in [
        // A tab in the name: the timestamp after the last tab is what ends it.
        (
            "--- a/dir/my\tfile.c\t2026-01-02 10:00:00.000000000 +0100",
            "+++ b/dir/my\tfile.c\t2026-01-02 11:00:00.000000000 +0100",
        ),
        // The tab before the timestamp became spaces in a mailer.
        (
            "--- a/dir/file.c   2026-01-02 10:00:00 +0100",
            "+++ b/dir/file.c   2026-01-02 11:00:00 +0100",
        ),
        (
            "--- a/dir/file name.c 2026-01-02 10:00:00",
            "+++ b/dir/file name.c 2026-01-02 11:00:00",
        ),
        // No timestamp: the name ends at the first tab.
        ("--- a/dir/x.c\tjunk", "+++ b/dir/x.c\tjunk"),
        // No slash: nothing to strip.
        ("--- x.c\t2026-01-02", "+++ x.c\t2026-01-02"),
        // A backup suffix on the old name: git prefers the shorter one.
        ("--- a/y.c.orig", "+++ b/y.c"),
        ("--- a//deep///z.c", "+++ b//deep///z.c"),
    ] {
        let diff = format!("{old}\n{new}\n{hunk}");
        let files = provgate_patch::diff::parse_diff(diff.as_bytes(), 1).expect("diff reads");
        let ours: Vec<_> = files
            .iter()
            .map(|f| (f.added(), f.removed(), f.path().to_string()))
            .collect();
        assert_eq!(ours, git_numstat(&diff), "{diff}");
    }
    // diff -N: an epoch timestamp marks a created file.
    let created = "--- a/new.c\t1970-01-01 00:00:00.000000000 +0000\n+++ b/new.c\t2026-01-02 10:00:00 +0000\n@@ -0,0 +1 @@\n+x\n";
    let files = provgate_patch::diff::parse_diff(created.as_bytes(), 1).unwrap();
    assert_eq!(files[0].status, provgate_patch::FileStatus::Added);
    assert_eq!(files[0].path(), git_numstat(created)[0].2);
}
