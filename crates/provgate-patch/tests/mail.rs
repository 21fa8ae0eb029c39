//! The e-mail cases provgate must read, each with a message written for it.

use provgate_patch::input::{ReadOptions, read_stream};
use provgate_patch::mail::MailItem;
use provgate_patch::mbox::MboxFlavor;
use provgate_patch::series::group_into_series;
use provgate_patch::{FileStatus, InputError, InputErrorKind, NoteKind, Patch};

const SEP: &str = "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n";

const DIFF: &str = "---
 hw/arm/virt.c | 3 ++-
 1 file changed, 2 insertions(+), 1 deletion(-)

diff --git a/hw/arm/virt.c b/hw/arm/virt.c
index 1111111..2222222 100644
--- a/hw/arm/virt.c
+++ b/hw/arm/virt.c
@@ -10,3 +10,4 @@ static void virt_init(void)
 int a;
-int b;
+int b = 0;
+int c;
 int d;
-- 
2.47.3
";

fn read_all(text: &str, flavor: MboxFlavor) -> Vec<Result<MailItem, InputError>> {
    let mut out = Vec::new();
    read_stream(
        text.as_bytes(),
        "test.mbox",
        ReadOptions {
            mbox_flavor: flavor,
        },
        &mut |item| out.push(item),
    );
    out
}

fn patches(text: &str) -> Vec<Patch> {
    read_all(text, MboxFlavor::Mboxo)
        .into_iter()
        .filter_map(|item| match item.expect("message reads") {
            MailItem::Patch(p) => Some(*p),
            MailItem::NotAPatch { .. } => None,
        })
        .collect()
}

fn one(text: &str) -> Patch {
    let mut all = patches(text);
    assert_eq!(all.len(), 1, "expected one patch");
    all.remove(0)
}

fn message(headers: &str, body: &str) -> String {
    format!("{SEP}{headers}\n{body}")
}

const BASIC_HEADERS: &str = "From: Jane Doe <jane@example.org>
Date: Thu, 28 May 2026 10:11:12 +0200
Subject: [PATCH v3 2/7] hw/arm/virt: initialise b
Message-ID: <20260528.2@example.org>
In-Reply-To: <20260528.0@example.org>
References: <20260528.0@example.org>
";

#[test]
fn format_patch_message() {
    let p = one(&message(
        BASIC_HEADERS,
        &format!(
            "Initialise b before use.\n\nAI-used-for: code\nSigned-off-by: Jane Doe <jane@example.org>\n{DIFF}"
        ),
    ));
    assert_eq!(p.id, "20260528.2@example.org");
    assert_eq!(p.subject, "hw/arm/virt: initialise b");
    let prefix = p.prefix.as_ref().unwrap();
    assert_eq!(
        (prefix.version, prefix.index, prefix.total),
        (3, Some(2), Some(7))
    );
    assert_eq!(p.author.as_ref().unwrap().email, "jane@example.org");
    assert_eq!(p.date.unwrap().to_rfc3339(), "2026-05-28T10:11:12+02:00");
    assert_eq!(
        p.message,
        "hw/arm/virt: initialise b\n\nInitialise b before use.\n\nAI-used-for: code\nSigned-off-by: Jane Doe <jane@example.org>\n"
    );
    let keys: Vec<_> = p.trailers.iter().map(|t| t.key.as_str()).collect();
    assert_eq!(keys, ["AI-used-for", "Signed-off-by"]);
    assert_eq!(p.files.len(), 1);
    assert_eq!((p.files[0].added(), p.files[0].removed()), (2, 1));
    let added: Vec<u32> = p.files[0].added_lines().map(|l| l.new_line).collect();
    assert_eq!(added, [11, 12]);
    assert_eq!(p.in_reply_to.as_deref(), Some("20260528.0@example.org"));
}

#[test]
fn diff_error_points_at_the_file_line() {
    let text = message(
        BASIC_HEADERS,
        "Body.\n\nSigned-off-by: Jane Doe <jane@example.org>\n---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n",
    );
    let items = read_all(&text, MboxFlavor::Mboxo);
    let err = items.into_iter().next().unwrap().unwrap_err();
    // Line 1 is the separator, 2-7 headers, 8 blank, 9 body ... the hunk's missing line is 18.
    assert_eq!(err.line, 18, "{err}");
    assert!(matches!(err.kind, InputErrorKind::Diff(_)));
    assert!(err.to_string().starts_with("test.mbox:18: hunk is shorter"));
}

#[test]
fn one_bad_message_does_not_stop_the_others() {
    let good = format!("Body.\n\nSigned-off-by: J <j@x>\n{DIFF}");
    let bad = "Body.\n---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n-a\n";
    let text = format!(
        "{}{}{}",
        message(BASIC_HEADERS, &good),
        message("From: A <a@x>\nSubject: [PATCH 3/7] broken\n", bad),
        message(
            "From: B <b@x>\nSubject: [PATCH 4/7] fine\nMessage-ID: <m4@x>\n",
            &good
        )
    );
    let items = read_all(&text, MboxFlavor::Mboxo);
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok());
    assert!(items[1].is_err());
    assert!(items[2].is_ok());
}

#[test]
fn rfc2047_headers_and_quoted_printable_body() {
    let headers = "From: =?UTF-8?q?Ren=C3=A9_M=C3=BCller?= <rene@example.org>
Subject: =?UTF-8?q?=5BPATCH=5D_docs=3A_fix_caf=C3=A9?=
 =?UTF-8?q?_typo?=
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable
";
    let body = "Caf=C3=A9 is spelt with an accent.=20\n\nSigned-off-by: Ren=C3=A9 M=C3=BCller <rene@example.org>\n---\ndiff --git a/docs/a.rst b/docs/a.rst\n--- a/docs/a.rst\n+++ b/docs/a.rst\n@@ -1 +1 @@\n-cafe\n+caf=C3=A9\n";
    let p = one(&message(headers, body));
    assert_eq!(p.author.as_ref().unwrap().name, "René Müller");
    assert_eq!(p.subject, "docs: fix café typo");
    assert_eq!(p.trailers[0].value, "René Müller <rene@example.org>");
    assert_eq!(p.files[0].hunks[0].line(1).unwrap().text, "café");
}

#[test]
fn base64_body() {
    use std::fmt::Write;
    let plain = format!("Fix it.\n\nSigned-off-by: J <j@x>\n{DIFF}");
    let encoded = base64_encode(plain.as_bytes());
    let mut body = String::new();
    for chunk in encoded.as_bytes().chunks(76) {
        writeln!(body, "{}", std::str::from_utf8(chunk).unwrap()).unwrap();
    }
    let headers = "From: J <j@x>\nSubject: [PATCH] fix\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n";
    let p = one(&message(headers, &body));
    assert_eq!(p.trailers.len(), 1);
    assert_eq!(p.files[0].added(), 2);
}

#[test]
fn multipart_with_patch_attachment() {
    let headers = "From: J <j@x>
Subject: [PATCH] attached
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"BOUND\"
";
    let body = format!(
        "--BOUND\nContent-Type: text/plain; charset=us-ascii\n\nSee attached.\n\nSigned-off-by: J <j@x>\n\n--BOUND\nContent-Type: text/x-patch; name=\"fix.patch\"\nContent-Disposition: attachment; filename=\"fix.patch\"\n\n{}\n--BOUND--\n",
        &DIFF[DIFF.find("diff --git").unwrap()..]
    );
    let p = one(&message(headers, &body));
    assert_eq!(p.trailers.len(), 1);
    assert_eq!(p.files.len(), 1);
    assert_eq!(p.files[0].path(), "hw/arm/virt.c");

    let diff_type = body.replace("text/x-patch", "text/x-diff");
    assert_eq!(one(&message(headers, &diff_type)).files.len(), 1);
}

#[test]
fn in_body_from_overrides_sender() {
    let body = format!(
        "From: Real Author <real@example.org>\nDate: Mon, 1 Jun 2026 09:00:00 -0400\n\nText.\n\nSigned-off-by: Real Author <real@example.org>\nSigned-off-by: Sender <sender@example.org>\n{DIFF}"
    );
    let p = one(&message(
        "From: Sender <sender@example.org>\nSubject: [PATCH] x\n",
        &body,
    ));
    assert_eq!(p.author.as_ref().unwrap().email, "real@example.org");
    assert_eq!(p.committer.as_ref().unwrap().email, "sender@example.org");
    assert_eq!(p.date.unwrap().to_rfc3339(), "2026-06-01T09:00:00-04:00");
    assert!(p.message.starts_with("x\n\nText.\n"));
    assert!(p.notes.iter().any(|n| n.kind == NoteKind::InBodyAuthor));
}

#[test]
fn list_munged_author_resolved_and_unresolved() {
    let munged = "From: \"Jane Doe via Qemu-devel\" <qemu-devel@nongnu.org>\nSubject: [PATCH] x\n";
    let with_reply_to = format!("{munged}Reply-To: Jane Doe <jane@example.org>\n");
    let body = format!("Text.\n\nSigned-off-by: Jane Doe <jane@example.org>\n{DIFF}");
    let p = one(&message(&with_reply_to, &body));
    assert_eq!(p.author.as_ref().unwrap().email, "jane@example.org");
    assert_eq!(p.author.as_ref().unwrap().name, "Jane Doe");
    assert!(
        p.notes
            .iter()
            .any(|n| n.kind == NoteKind::MungedAuthorResolved)
    );

    // No Reply-To: the matching sign-off gives the address.
    let p = one(&message(munged, &body));
    assert_eq!(p.author.as_ref().unwrap().email, "jane@example.org");

    // Nothing to go on: reported.
    let body = format!("Text.\n\nSigned-off-by: Someone Else <else@example.org>\n{DIFF}");
    let p = one(&message(munged, &body));
    assert_eq!(p.author.as_ref().unwrap().name, "Jane Doe");
    assert!(
        p.notes
            .iter()
            .any(|n| n.kind == NoteKind::MungedAuthorUnresolved)
    );
}

#[test]
fn subject_prefixes() {
    for (subject, tags, version, index, total) in [
        ("[PATCH v3 2/7] a", vec!["PATCH"], 3, Some(2), Some(7)),
        ("[RFC PATCH] a", vec!["RFC", "PATCH"], 1, None, None),
        ("[PULL 05/12] a", vec!["PULL"], 1, Some(5), Some(12)),
        (
            "[PATCH for-10.1 1/2] a",
            vec!["PATCH", "for-10.1"],
            1,
            Some(1),
            Some(2),
        ),
    ] {
        let headers = format!("From: J <j@x>\nSubject: {subject}\n");
        let p = one(&message(&headers, &format!("Text.\n{DIFF}")));
        let prefix = p.prefix.unwrap();
        assert_eq!(prefix.tags, tags, "{subject}");
        assert_eq!(
            (prefix.version, prefix.index, prefix.total),
            (version, index, total)
        );
        assert_eq!(p.subject, "a");
    }
}

#[test]
fn cover_letter_series_and_replies() {
    let cover = message(
        "From: J <j@x>\nSubject: [PATCH v2 0/2] the series\nMessage-ID: <c@x>\n",
        "This series does things.\n\nJ (2):\n  a\n  b\n",
    );
    let p1 = message(
        "From: J <j@x>\nSubject: [PATCH v2 1/2] a\nMessage-ID: <p1@x>\nIn-Reply-To: <c@x>\nReferences: <c@x>\n",
        &format!("A.\n{DIFF}"),
    );
    let p2 = message(
        "From: J <j@x>\nSubject: [PATCH v2 2/2] b\nMessage-ID: <p2@x>\nIn-Reply-To: <c@x>\nReferences: <c@x>\n",
        &format!("B.\n{DIFF}"),
    );
    let reply = message(
        "From: R <r@x>\nSubject: Re: [PATCH v2 1/2] a\nMessage-ID: <r@x>\nIn-Reply-To: <p1@x>\nReferences: <c@x> <p1@x>\n",
        "> quoted\n\nReviewed-by: R <r@x>\n",
    );
    // Out of order on purpose: series are ordered by position.
    let text = format!("{cover}{p2}{reply}{p1}");
    let items = read_all(&text, MboxFlavor::Mboxo);
    assert_eq!(items.len(), 4);
    let not_patches = items
        .iter()
        .filter(|i| matches!(i, Ok(MailItem::NotAPatch { .. })))
        .count();
    assert_eq!(not_patches, 1);
    let series = group_into_series(patches(&text));
    assert_eq!(series.len(), 1);
    let s = &series[0];
    assert_eq!((s.id.as_str(), s.version, s.total), ("c@x", 2, Some(2)));
    assert_eq!(s.cover.as_ref().unwrap().subject, "the series");
    let ids: Vec<_> = s.patches.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["p1@x", "p2@x"]);
    assert_eq!(s.patches[1].series.as_ref().unwrap().index, Some(2));
    assert!(s.missing().is_empty());
}

#[test]
fn mboxrd_and_crlf() {
    let body = "Text.\n>From the top.\n\nSigned-off-by: J <j@x>\n---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n";
    let text = message("From: J <j@x>\nSubject: [PATCH] x\n", body).replace('\n', "\r\n");
    let rd = read_all(&text, MboxFlavor::Mboxrd);
    let MailItem::Patch(p) = rd.into_iter().next().unwrap().unwrap() else {
        panic!("not a patch")
    };
    assert!(p.message.contains("\nFrom the top.\n"), "{}", p.message);
    assert_eq!(p.files[0].added(), 1);
    assert_eq!(
        p.files[0].hunks[0].line(1).unwrap().text,
        "b",
        "CR stripped"
    );
    let o = one(&text);
    assert!(o.message.contains("\n>From the top.\n"));
}

#[test]
fn single_eml_without_separator_and_message_id_fallbacks() {
    let text = format!("From: J <j@x>\nSubject: [PATCH] x\n\nText.\n{DIFF}");
    let mut out = Vec::new();
    read_stream(
        text.as_bytes(),
        "one.eml",
        ReadOptions::default(),
        &mut |i| out.push(i),
    );
    let Ok(MailItem::Patch(p)) = out.remove(0) else {
        panic!("expected a patch")
    };
    assert_eq!(
        p.id, "one.eml:1",
        "no Message-ID and no From line: file and line"
    );
    let p = one(&message(
        "From: J <j@x>\nSubject: [PATCH] x\n",
        &format!("T.\n{DIFF}"),
    ));
    assert_eq!(p.id, "0123456789abcdef0123456789abcdef01234567");
}

#[test]
fn plain_diff_is_one_anonymous_patch() {
    let diff = &DIFF[DIFF.find("diff --git").unwrap()..];
    let mut out = Vec::new();
    read_stream(
        diff.as_bytes(),
        "change.diff",
        ReadOptions::default(),
        &mut |i| out.push(i),
    );
    let Ok(MailItem::Patch(p)) = out.remove(0) else {
        panic!("expected a patch")
    };
    assert_eq!(p.id, "change.diff");
    assert_eq!(p.author, None);
    assert_eq!(p.files[0].status, FileStatus::Modified);
}

#[test]
fn patch_subject_without_diff_is_noted_and_truncated_input_is_an_error() {
    let p = one(&message(
        "From: J <j@x>\nSubject: [PATCH 1/2] x\n",
        "Only words.\n",
    ));
    assert!(p.notes.iter().any(|n| n.kind == NoteKind::NoDiff));

    let truncated =
        &message(BASIC_HEADERS, &format!("T.\n{DIFF}"))[..SEP.len() + BASIC_HEADERS.len() + 120];
    let items = read_all(truncated, MboxFlavor::Mboxo);
    assert!(items[0].is_err() || matches!(&items[0], Ok(MailItem::Patch(p)) if p.files.is_empty()));
}

#[test]
fn garbage_and_invalid_utf8_never_panic() {
    let mut garbage: Vec<u8> = (0..20_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    garbage.extend_from_slice(b"\n\xff\xfe\n");
    let mut out = Vec::new();
    read_stream(
        &garbage[..],
        "garbage.bin",
        ReadOptions::default(),
        &mut |i| out.push(i),
    );
    assert_eq!(out.len(), 1);
    assert!(out[0].is_err());

    let latin1 = b"From: J <j@x>\nSubject: [PATCH] x\n\nCaf\xe9\n---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+\xe9\n";
    let mut out = Vec::new();
    read_stream(
        &latin1[..],
        "latin1.eml",
        ReadOptions::default(),
        &mut |i| out.push(i),
    );
    let Ok(MailItem::Patch(p)) = out.remove(0) else {
        panic!("latin-1 bytes are read lossily")
    };
    assert_eq!(p.files[0].added(), 1);
}

fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `git format-patch --zero-commit` without `--thread` gives every mail the same separator and no
/// Message-ID: the patches must stay apart, each with an id of its own.
#[test]
fn zero_commit_mails_without_message_ids_stay_distinct_patches() {
    let zero = "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n";
    let mail = |n: u32| {
        format!(
            "{zero}From: Jane Doe <jane@example.org>\nDate: Thu, 04 Jun 2026 10:00:0{n} +0000\nSubject: [PATCH {n}/2] change {n}\n\nBody {n}.\n\nSigned-off-by: Jane Doe <jane@example.org>\n{DIFF}\n"
        )
    };
    let read = patches(&format!("{}{}", mail(1), mail(2)));
    assert_eq!(read.len(), 2);
    assert_ne!(read[0].id, read[1].id, "the zero commit is no identity");
    assert!(read[0].id.starts_with("test.mbox:"), "{}", read[0].id);

    // The same commit line twice (a patch sent twice): two patches all the same.
    let twice = format!("{}{}", message_with_sep(1), message_with_sep(2));
    let series = group_into_series(patches(&twice));
    let ids: Vec<&str> = series
        .iter()
        .flat_map(|s| s.patches.iter().map(|p| p.id.as_str()))
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert_ne!(ids[0], ids[1], "{ids:?}");
    assert!(ids[1].ends_with("#2"), "{ids:?}");
}

fn message_with_sep(n: u32) -> String {
    message(
        &format!(
            "From: Jane Doe <jane@example.org>\nDate: Thu, 04 Jun 2026 10:00:0{n} +0000\nSubject: [PATCH] change {n}"
        ),
        &format!("Body {n}.\n\nSigned-off-by: Jane Doe <jane@example.org>\n{DIFF}"),
    )
}

/// The body of `mail` (a separator, headers, a blank line, a body) as `read_mail` reads it.
fn read_one_mail(text: &str) -> provgate_patch::mail::Mail {
    let (separator, rest) = text.split_once('\n').unwrap();
    let raw = provgate_patch::mbox::RawMessage {
        bytes: rest.as_bytes().to_vec(),
        from_line: Some(separator.to_string()),
        first_line: 2,
    };
    provgate_patch::mail::read_mail(&raw, "test.mbox").expect("the message reads")
}

#[test]
fn an_encoded_body_quotes_the_failing_line_of_its_decoded_diff() {
    use provgate_patch::mail::DiffState;
    use std::fmt::Write;
    // The hunk promises 3 lines and carries 1, then a line no hunk can hold: the failing line is
    // the one after ` a`, not the `diff --git` line.
    let plain = "Fix it.\n\nSigned-off-by: J <j@x>\n---\ndiff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n?broken line\n";
    let encoded = base64_encode(plain.as_bytes());
    let mut b64 = String::new();
    for chunk in encoded.as_bytes().chunks(76) {
        writeln!(b64, "{}", std::str::from_utf8(chunk).unwrap()).unwrap();
    }
    let qp = plain.replace("?broken", "=3Fbroken");
    let verbatim = read_one_mail(&message("From: J <j@x>\nSubject: [PATCH] fix\n", plain));
    let DiffState::Unreadable(verbatim) = verbatim.diff else {
        panic!("the verbatim diff is unreadable: {:?}", verbatim.diff)
    };
    assert_eq!(verbatim.text, "?broken line", "{verbatim:?}");
    for (encoding, body) in [("base64", b64), ("quoted-printable", qp)] {
        let headers = format!(
            "From: J <j@x>\nSubject: [PATCH] fix\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: {encoding}\n"
        );
        let mail = read_one_mail(&message(&headers, &body));
        let DiffState::Unreadable(bad) = mail.diff else {
            panic!("{encoding}: the diff is unreadable: {:?}", mail.diff)
        };
        assert_eq!(bad.text, verbatim.text, "{encoding}: {bad:?}");
        assert_eq!(bad.kind, verbatim.kind, "{encoding}");
        // Encoded lines cannot be mapped back to the file: the message's first line.
        assert_eq!(bad.line, 2, "{encoding}: {bad:?}");
    }
}
