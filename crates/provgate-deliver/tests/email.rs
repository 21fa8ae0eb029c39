//! The series reply, through the SMTP sink and into the outbox, read back with mailparse.

mod common;

use std::time::Duration;

use mailparse::MailHeaderMap;
use provgate_deliver::email::{Reply, ReplyOptions};
use provgate_deliver::standin::SmtpSink;
use provgate_deliver::transport::{SentOutcome, SmtpTls, Transport, send};
use provgate_deliver::{DeliverError, Secret};
use provgate_report::Level;

fn options() -> ReplyOptions {
    ReplyOptions {
        notes: Vec::new(),
        from: "provgate bot <provgate@lists.example.org>".into(),
        to: "dev@lists.example.org".into(),
        cc: vec!["Dev Eloper <dev@example.org>".into()],
        dashboard_url: Some("https://dash.example.org/series/7".into()),
        signature: Some("provgate, the list's policy bot".into()),
        ..ReplyOptions::default()
    }
}

fn reply() -> Reply {
    let report = common::report(vec![common::finding(
        Level::Deny,
        common::PATCH_IDS[0],
        Some("src/frob.c"),
        Some(12),
        "no sign-off",
    )]);
    Reply::for_series(
        &report,
        common::SERIES_ID,
        &[
            "<root@example.org>".to_string(),
            "parent@example.org".to_string(),
        ],
        &options(),
    )
    .unwrap()
}

fn smtp(sink: &SmtpSink) -> Transport {
    Transport::Smtp {
        host: sink.host(),
        port: sink.port(),
        tls: SmtpTls::None,
        credentials: None,
        timeout: Duration::from_secs(20),
    }
}

#[tokio::test]
async fn the_reply_goes_through_smtp_threaded() {
    let sink = SmtpSink::start();
    let reply = reply();
    let sent = send(&smtp(&sink), &reply).await.unwrap();
    assert!(
        matches!(sent.outcome, SentOutcome::Accepted(_)),
        "{:?}",
        sent.outcome
    );
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert!(!message.helo.is_empty());
    assert_eq!(message.mail_from, "provgate@lists.example.org");
    assert_eq!(
        message.rcpt_to,
        ["dev@lists.example.org", "dev@example.org"]
    );
    let mail = mailparse::parse_mail(&message.data).unwrap();
    let headers = mail.get_headers();
    assert_eq!(
        headers.get_first_value("Subject").unwrap(),
        "Re: [PATCH v2 0/2] Add the frobnicator"
    );
    assert_eq!(
        headers.get_first_value("In-Reply-To").unwrap(),
        format!("<{}>", common::SERIES_ID)
    );
    assert_eq!(
        headers.get_first_value("References").unwrap(),
        format!(
            "<root@example.org> <parent@example.org> <{}>",
            common::SERIES_ID
        )
    );
    let message_id = headers.get_first_value("Message-ID").unwrap();
    assert_eq!(message_id, format!("<{}>", sent.message_id));
    assert!(message_id.starts_with("<provgate.") && message_id.ends_with(".v2@lists.example.org>"));
    let body = mail.get_body().unwrap().replace("\r\n", "\n");
    assert!(
        body.contains("This series seems to have some problems"),
        "{body}"
    );
    assert!(body.contains("ERROR: [dco-missing-signoff] no sign-off"));
    assert!(body.contains("1/2 Checking commit"));
    assert!(body.contains("The full report: https://dash.example.org/series/7"));
    assert!(body.contains("\n-- \nprovgate, the list's policy bot"));
}

#[test]
fn the_message_id_is_the_same_for_a_resend_and_the_subject_gets_one_re() {
    assert_eq!(reply().message_id(), reply().message_id());
    let mut report = common::report(Vec::new());
    report.series[0].subject = "Re: [PATCH v2 0/2] Add the frobnicator".into();
    let again = Reply::for_series(&report, common::SERIES_ID, &[], &options()).unwrap();
    assert_eq!(again.subject(), "Re: [PATCH v2 0/2] Add the frobnicator");
    let mut v3 = common::report(Vec::new());
    v3.series[0].version = 3;
    let v3 = Reply::for_series(&v3, common::SERIES_ID, &[], &options()).unwrap();
    assert_ne!(
        v3.message_id(),
        reply().message_id(),
        "each version has its reply"
    );
    let mut bad = options();
    bad.from = "not an address".into();
    assert!(matches!(
        Reply::for_series(&report, common::SERIES_ID, &[], &bad),
        Err(DeliverError::Message { .. })
    ));
    assert!(matches!(
        Reply::for_series(&report, "unknown@x", &[], &options()),
        Err(DeliverError::Invalid { .. })
    ));
}

#[tokio::test]
async fn the_outbox_keeps_one_file_per_reply() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = Transport::Outbox {
        dir: dir.path().join("outbox"),
    };
    let reply = reply();
    let first = send(&outbox, &reply).await.unwrap();
    let SentOutcome::Written(path) = &first.outcome else {
        panic!("{:?}", first.outcome);
    };
    assert_eq!(path.parent().unwrap(), dir.path().join("outbox/new"));
    let second = send(&outbox, &reply).await.unwrap();
    assert_eq!(second.outcome, SentOutcome::AlreadyInOutbox(path.clone()));
    let files: Vec<_> = std::fs::read_dir(dir.path().join("outbox/new"))
        .unwrap()
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(
        std::fs::read_dir(dir.path().join("outbox/tmp"))
            .unwrap()
            .count(),
        0
    );
    let mail = std::fs::read(path).unwrap();
    let parsed = mailparse::parse_mail(&mail).unwrap();
    assert_eq!(
        parsed.get_headers().get_first_value("In-Reply-To").unwrap(),
        format!("<{}>", common::SERIES_ID)
    );
    // A reader that moved it to cur/ (and flagged it seen) has it too.
    let cur = dir.path().join("outbox/cur").join(format!(
        "{}:2,S",
        path.file_name().unwrap().to_string_lossy()
    ));
    std::fs::rename(path, &cur).unwrap();
    assert_eq!(
        send(&outbox, &reply).await.unwrap().outcome,
        SentOutcome::AlreadyInOutbox(cur)
    );
}

#[tokio::test]
async fn smtp_failures_are_classified() {
    let sink = SmtpSink::start();
    sink.fail_next(1);
    let err = send(&smtp(&sink), &reply()).await.unwrap_err();
    assert!(matches!(err, DeliverError::Smtp { .. }), "{err}");
    assert!(err.is_retryable(), "421 is transient: {err}");
    assert!(sink.messages().is_empty());
    send(&smtp(&sink), &reply()).await.unwrap();
    assert_eq!(sink.messages().len(), 1);

    sink.set_reachable(false);
    let err = send(&smtp(&sink), &reply()).await.unwrap_err();
    assert!(err.is_retryable(), "refused connection: {err}");
    sink.set_reachable(true);
    send(&smtp(&sink), &reply()).await.unwrap();
    assert_eq!(sink.messages().len(), 2);
}

#[tokio::test]
async fn smtp_credentials_are_never_shown() {
    let transport = Transport::Smtp {
        host: "127.0.0.1".into(),
        port: 1,
        tls: SmtpTls::None,
        credentials: Some(("bot".into(), Secret::new("smtp-password"))),
        timeout: Duration::from_secs(5),
    };
    assert!(!format!("{transport:?}").contains("smtp-password"));
    let err = send(&transport, &reply()).await.unwrap_err();
    assert!(!format!("{err} {err:?}").contains("smtp-password"));
}

/// Every header line of `formatted` (CRLF line ends), up to the blank line.
fn header_lines(formatted: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(formatted)
        .split("\r\n")
        .take_while(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn a_huge_subject_is_cut_and_no_header_line_passes_998_characters() {
    let report = common::report(Vec::new());
    let original = format!("[PATCH v2 0/2] {}", "frobnicate ".repeat(20_000).trim_end());
    assert!(original.len() > 200_000);
    let mut options = options();
    options.original_subject = Some(original.clone());
    options.lead = vec!["Generated by provgate.".into(), "Verdict: pass.".into()];
    // A long thread of long ids, as a busy list makes.
    let references: Vec<String> = (0..200)
        .map(|i| format!("<{}.{i}@example.org>", "r".repeat(200)))
        .collect();
    let reply = Reply::for_series(&report, common::SERIES_ID, &references, &options).unwrap();
    let formatted = reply.formatted();
    for line in header_lines(&formatted) {
        assert!(line.len() <= 998, "a header line of {} bytes", line.len());
    }
    let mail = mailparse::parse_mail(&formatted).unwrap();
    let subject = mail.get_headers().get_first_value("Subject").unwrap();
    assert!(subject.ends_with('…'), "{subject}");
    let kept = subject.trim_end_matches('…');
    assert!(
        format!("Re: {original}").starts_with(kept),
        "the subject is Re: and the original's start: {subject}"
    );
    // The lead comes first, the report's greeting is gone.
    let body = mail.get_body().unwrap().replace("\r\n", "\n");
    assert!(
        body.starts_with("Generated by provgate.\n\nVerdict: pass.\n\nSubject: "),
        "{body}"
    );
}

#[test]
fn the_subject_is_re_and_the_original_as_sent() {
    let report = common::report(Vec::new());
    let mut options = options();
    // The report's series subject is rebuilt; the reply keeps the original spelling.
    options.original_subject = Some("[PATCH bpf-next v5 00/13] Add the frobnicator".into());
    let reply = Reply::for_series(&report, common::SERIES_ID, &[], &options).unwrap();
    assert_eq!(
        reply.subject(),
        "Re: [PATCH bpf-next v5 00/13] Add the frobnicator"
    );
}

#[test]
fn a_notice_names_the_unreadable_line_to_its_sender() {
    let mut options = options();
    options.to = "Dev Eloper <dev@example.org>".into();
    options.cc = Vec::new();
    options.original_subject = Some("[PATCH] frob: fix".into());
    let notice = provgate_deliver::email::notice(
        "wrapped@example.org",
        &[],
        "line 14: `diff --git a/frob.c` is cut in two",
        &options,
    )
    .unwrap();
    let formatted = notice.formatted();
    let mail = mailparse::parse_mail(&formatted).unwrap();
    let headers = mail.get_headers();
    assert_eq!(
        headers.get_first_value("Subject").unwrap(),
        "Re: [PATCH] frob: fix"
    );
    assert_eq!(
        headers.get_first_value("In-Reply-To").unwrap(),
        "<wrapped@example.org>"
    );
    assert_eq!(
        headers.get_first_value("To").unwrap(),
        "\"Dev Eloper\" <dev@example.org>"
    );
    assert!(headers.get_first_value("Cc").is_none());
    let body = mail.get_body().unwrap();
    assert!(
        body.contains("line 14: `diff --git a/frob.c` is cut in two"),
        "{body}"
    );
}
