//! A bot a list keeps: it answers nothing of the archive's history when started with
//! `since = "now"`, answers each series once with `since = "all"`, honours `reply_on` and
//! `reply_to`, never answers replies or pull requests, invents no code finding when no base
//! applies (and says so first), and tells the sender of an unreadable patch which line.

mod support;

use std::path::Path;

use support::{Inbox, maildir_files, project_repo, series, settle};

/// A one-patch mail adding a call of `ghost_init()` to `hw/timer/pit.c`, dated `date`;
/// `signed` adds the sign-off the policy requires. `context` is the first context line: the
/// repository's own line (the patch applies) or another (it applies nowhere).
fn patch_mail(id: &str, date: &str, signed: bool, context: &str) -> Vec<u8> {
    let sign_off = if signed {
        "\nSigned-off-by: Jane Doe <jane@example.org>\n"
    } else {
        ""
    };
    format!(
        "From: Jane Doe <jane@example.org>\nTo: devel@lists.example.org\n\
         Subject: [PATCH] hw/timer/pit: start the ghost\nMessage-ID: <{id}>\nDate: {date}\n\n\
         Start it.\n{sign_off}---\n\
         diff --git a/hw/timer/pit.c b/hw/timer/pit.c\n--- a/hw/timer/pit.c\n+++ b/hw/timer/pit.c\n\
         @@ -1,3 +1,4 @@\n {context}\n+int ghost = ghost_init();\n \n int pit_count(int reload)\n"
    )
    .into_bytes()
}

const APPLIES: &str = "#include \"pit.h\"";

fn now_date() -> String {
    jiff::Timestamp::now()
        .strftime("%a, %d %b %Y %H:%M:%S +0000")
        .to_string()
}

fn config(dir: &Path, inbox: &Path, project: &str, email: &str) -> provgate_serve::Config {
    let project = format!(
        "sources.public_inbox = [\"{inbox}\"]\n{project}\n\
         deliver.email = {{ from = \"provgate <bot@example.org>\", to = [\"devel@lists.example.org\"], outbox = \"{outbox}\"{email} }}",
        inbox = inbox.display(),
        outbox = dir.join("outbox").display(),
    );
    support::demo_config(dir, &dir.join("mirror"), "", &project)
}

/// The service on `inbox` with `project` and `email` settings (see [`config`]), having read and
/// answered what the archive holds.
async fn start(
    dir: &Path,
    inbox: &Inbox,
    project: &str,
    email: &str,
) -> std::sync::Arc<provgate_serve::Service> {
    let service = provgate_serve::open(config(dir, &inbox.dir, project, email))
        .await
        .unwrap();
    settle(&service).await;
    service
}

/// A three-patch series whose part `missing` never arrives, checked once its wait is over (no
/// wait) under the e-mail settings `email`: the body of the one reply (asserted the only one,
/// `why`).
async fn incomplete_series_reply(
    missing: usize,
    email: &str,
    why: &str,
) -> (
    tempfile::TempDir,
    std::sync::Arc<provgate_serve::Service>,
    String,
) {
    let dir = tempfile::tempdir().unwrap();
    let repo = project_repo(dir.path());
    let inbox = Inbox::new(&dir.path().join("inbox"));
    let v1 = series(&repo, &dir.path().join("work"), 1, false, None);
    for (i, message) in v1.iter().enumerate() {
        if i != missing {
            inbox.append(message);
        }
    }
    let service = start(
        dir.path(),
        &inbox,
        "since = \"all\"\nwait_seconds = 0",
        email,
    )
    .await;
    // The first pass finds the series incomplete; the second checks it, its wait being over.
    settle(&service).await;
    let replies = maildir_files(&dir.path().join("outbox"));
    assert_eq!(replies.len(), 1, "{why}");
    let reply = text(&replies[0]);
    let body = reply.split("\n\n").skip(1).collect::<Vec<_>>().join("\n\n");
    (dir, service, body)
}

fn text(reply: &[u8]) -> String {
    String::from_utf8_lossy(reply)
        .replace("=\r\n", "")
        .replace("=3D", "=")
        .replace('\r', "")
}

/// No header line of a reply passes RFC 5322's 998 characters.
fn assert_headers_fit(reply: &[u8]) {
    for line in String::from_utf8_lossy(reply)
        .split("\r\n")
        .take_while(|l| !l.is_empty())
    {
        assert!(line.len() <= 998, "a header line of {} bytes", line.len());
    }
}

fn header(message: &str, name: &str) -> Option<String> {
    message
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_string))
}

/// A reviewer's reply and a pull request: never checked, never answered.
fn not_submissions(cover: &str) -> Vec<Vec<u8>> {
    vec![
        format!(
            "From: Rev Iewer <rev@example.org>\nSubject: Re: [PATCH 0/3] hw/timer\nMessage-ID: <reply.1@example.org>\n\
             In-Reply-To: <{cover}>\nReferences: <{cover}>\nDate: {}\n\nLooks good.\n\nReviewed-by: Rev Iewer <rev@example.org>\n",
            now_date()
        )
        .into_bytes(),
        format!(
            "From: Maint Ainer <maint@example.org>\nSubject: [GIT PULL] timer fixes\nMessage-ID: <pull.1@example.org>\nDate: {}\n\n\
             The following changes since commit 0123456789abcdef0123456789abcdef01234567:\n\n  x\n\n\
             are available in the Git repository at:\n\n  https://git.example.org/timer.git fixes\n",
            now_date()
        )
        .into_bytes(),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn since_now_answers_nothing_of_the_history_and_never_answers_replies() {
    let dir = tempfile::tempdir().unwrap();
    let repo = project_repo(dir.path());
    let inbox = Inbox::new(&dir.path().join("inbox"));
    // The history: a failing series mailed days ago.
    let old = series(&repo, &dir.path().join("work"), 1, false, None);
    for message in &old {
        inbox.append(message);
    }
    let service = start(dir.path(), &inbox, "since = \"now\"", "").await;
    assert!(
        maildir_files(&dir.path().join("outbox")).is_empty(),
        "the history is not answered"
    );
    let all = provgate_serve::records::list_series(&service.db, &Default::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].state, "history");

    // From now on (mail dates have whole seconds): a failing patch is answered; a review reply
    // and a pull request are not.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    inbox.append(&patch_mail(
        "new.1@example.org",
        &now_date(),
        false,
        APPLIES,
    ));
    for message in not_submissions(&support::message_id(&old[0])) {
        inbox.append(&message);
    }
    settle(&service).await;
    let replies = maildir_files(&dir.path().join("outbox"));
    assert_eq!(replies.len(), 1, "only the new patch is answered");
    let reply = text(&replies[0]);
    assert_eq!(
        header(&reply, "In-Reply-To").as_deref(),
        Some("<new.1@example.org>")
    );
    assert_eq!(
        header(&reply, "Subject").as_deref(),
        Some("Re: [PATCH] hw/timer/pit: start the ghost")
    );
    assert_headers_fit(&replies[0]);
    let metrics = service.metrics.render(&[]);
    for outcome in ["history", "reply", "pull-request"] {
        assert!(
            metrics.contains(&format!("outcome=\"{outcome}\"")),
            "{outcome} counted:\n{metrics}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn since_all_answers_each_series_once_as_reply_on_and_reply_to_say() {
    let dir = tempfile::tempdir().unwrap();
    let repo = project_repo(dir.path());
    let inbox = Inbox::new(&dir.path().join("inbox"));
    let old = series(&repo, &dir.path().join("work"), 1, false, None);
    for message in &old {
        inbox.append(message);
    }
    // A patch that passes: `reply_on = ["fail"]` leaves it unanswered.
    inbox.append(&patch_mail(
        "clean.1@example.org",
        "Tue, 01 Dec 2026 10:00:00 +0000",
        true,
        APPLIES,
    ));
    let service = start(
        dir.path(),
        &inbox,
        "since = \"all\"",
        ", reply_on = [\"fail\"], reply_to = \"author\"",
    )
    .await;
    settle(&service).await;
    let replies = maildir_files(&dir.path().join("outbox"));
    let verdicts: Vec<_> = provgate_serve::records::list_series(&service.db, &Default::default())
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.subject, s.verdict))
        .collect();
    let failing = verdicts
        .iter()
        .filter(|(_, v)| *v == Some(provgate_report::Verdict::Fail))
        .count();
    assert_eq!(
        replies.len(),
        failing,
        "only failures are answered: {verdicts:?}"
    );
    assert!(failing >= 1, "{verdicts:?}");
    for reply in &replies {
        let reply = text(reply);
        // To the author alone: the list gets no bot mail.
        assert_eq!(
            header(&reply, "To").as_deref(),
            Some("jane@example.org"),
            "{reply}"
        );
        assert!(header(&reply, "Cc").is_none(), "{reply}");
        let body = reply.split("\n\n").skip(1).collect::<Vec<_>>().join("\n\n");
        assert!(
            body.starts_with("This mail was generated by provgate"),
            "the preface leads: {body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_base_means_no_code_finding_and_the_reply_says_so_first() {
    let dir = tempfile::tempdir().unwrap();
    project_repo(dir.path());
    let inbox = Inbox::new(&dir.path().join("inbox"));
    // Its context is nowhere in the history: it applies to no base.
    inbox.append(&patch_mail(
        "ghost.1@example.org",
        &now_date(),
        true,
        "#include \"ghost.h\"",
    ));
    // The same patch where it applies: the code is read, and `ghost_init` is unknown there.
    inbox.append(&patch_mail(
        "real.1@example.org",
        &now_date(),
        true,
        APPLIES,
    ));
    let service = start(
        dir.path(),
        &inbox,
        "since = \"all\"",
        ", reply_on = [\"fail\", \"warn\", \"pass\"]",
    )
    .await;
    let replies: Vec<String> = maildir_files(&dir.path().join("outbox"))
        .iter()
        .map(|r| text(r))
        .collect();
    assert_eq!(replies.len(), 2);
    let ghost = replies
        .iter()
        .find(|r| r.contains("In-Reply-To: <ghost.1@example.org>"))
        .unwrap();
    let body = ghost.split("\n\n").skip(1).collect::<Vec<_>>().join("\n\n");
    let first: Vec<&str> = body.lines().take(6).collect();
    assert!(
        first
            .iter()
            .any(|l| l.starts_with("The code was not checked: no base was found")),
        "the first lines say the code was not checked and why: {body}"
    );
    assert!(!ghost.contains("unknown-symbol"), "{ghost}");
    // The near miss: where a base applies, the same code is read.
    let series = provgate_serve::records::list_series(&service.db, &Default::default())
        .await
        .unwrap();
    for s in &series {
        let report = provgate_serve::records::get_report(&service.db, s.report_id.unwrap())
            .await
            .unwrap()
            .unwrap();
        let typed: provgate_serve::view::StoredReport =
            serde_json::from_value(report.report).unwrap();
        let code_findings = typed
            .all_findings()
            .filter(|f| f.finding.rule.as_str() == "unknown-symbol")
            .count();
        if report.base.is_none() {
            assert_eq!(code_findings, 0, "no code finding without a base");
        } else {
            assert!(
                report.base_note.starts_with("Read against"),
                "{}",
                report.base_note
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_patch_is_shown_and_its_sender_told_which_line() {
    let dir = tempfile::tempdir().unwrap();
    project_repo(dir.path());
    let inbox = Inbox::new(&dir.path().join("inbox"));
    // A mail client wrapped the `diff --git` line and broke the hunk.
    let wrapped = format!(
        "From: Jane Doe <jane@example.org>\nTo: devel@lists.example.org\n\
         Subject: [PATCH] docs: the wrapped one\nMessage-ID: <wrapped.1@example.org>\nDate: {}\n\n\
         Wrapped.\n\nSigned-off-by: Jane Doe <jane@example.org>\n---\n\
         diff --git a/docs/pit.txt\nb/docs/pit.txt\n--- a/docs/pit.txt\n+++ b/docs/pit.txt\n\
         @@ -1 +1,2 @@\n The PIT counts down.\n+A reload of 0 counts\n65536.\n",
        now_date()
    );
    inbox.append(wrapped.as_bytes());
    let service = start(dir.path(), &inbox, "since = \"all\"", "").await;
    let all = provgate_serve::records::list_series(&service.db, &Default::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].state, "unreadable");
    let error = all[0].error.clone().unwrap();
    assert!(error.starts_with("line "), "{error}");
    let replies = maildir_files(&dir.path().join("outbox"));
    assert_eq!(replies.len(), 1);
    let reply = text(&replies[0]);
    assert_eq!(
        header(&reply, "To").as_deref(),
        Some("\"Jane Doe\" <jane@example.org>")
    );
    assert!(header(&reply, "Cc").is_none(), "{reply}");
    assert!(reply.contains(&error), "the notice names the line: {reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reviewers_trailers_reach_the_check_and_the_reviewer_gets_no_reply() {
    let dir = tempfile::tempdir().unwrap();
    let repo = project_repo(dir.path());
    let inbox = Inbox::new(&dir.path().join("inbox"));
    let v1 = series(&repo, &dir.path().join("work"), 1, false, None);
    let cover = support::message_id(&v1[0]);
    for message in &v1 {
        inbox.append(message);
    }
    let reply = format!(
        "From: Rev Iewer <rev@example.org>\nSubject: Re: [PATCH 0/3] x\nMessage-ID: <review.1@example.org>\n\
         In-Reply-To: <{cover}>\nReferences: <{cover}>\nDate: Mon, 30 Nov 2026 12:00:00 +0000\n\n\
         > quoted\n\nReviewed-by: Rev Iewer <rev@example.org>\n"
    );
    inbox.append(reply.as_bytes());
    let service = start(
        dir.path(),
        &inbox,
        "since = \"all\"",
        ", reply_on = [\"fail\", \"warn\", \"pass\"]",
    )
    .await;
    let all = provgate_serve::records::list_series(&service.db, &Default::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 1, "the reply is no series of its own: {all:?}");
    let report = provgate_serve::records::get_report(&service.db, all[0].report_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    let typed: provgate_serve::view::StoredReport = serde_json::from_value(report.report).unwrap();
    // The reply to the cover letter gives its Reviewed-by to each of the 3 patches.
    assert!(
        typed
            .notes
            .iter()
            .any(|n| n.contains("1 reply; 3 trailers from replies counted")),
        "{:?}",
        typed.notes
    );
    let replies = maildir_files(&dir.path().join("outbox"));
    assert_eq!(
        replies.len(),
        1,
        "the series is answered once, the reviewer never"
    );
    assert!(!text(&replies[0]).contains("In-Reply-To: <review.1@example.org>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incomplete_series_is_answered_as_incomplete_never_as_passed() {
    // Patch 2 (the unsigned one) never arrives: what did arrive passes or warns.
    let (_dir, service, body) =
        incomplete_series_reply(2, "", "`incomplete` is answered by default").await;
    let first: Vec<&str> = body.lines().take(4).collect();
    assert!(
        first
            .iter()
            .any(|l| l.starts_with("Incomplete: patch 2 had not arrived")),
        "{body}"
    );
    assert!(!body.contains("This series passed"), "{body}");
    let all = provgate_serve::records::list_series(&service.db, &Default::default())
        .await
        .unwrap();
    assert_eq!(all[0].arrived, 2);
    assert_eq!(all[0].total, Some(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_over_the_daily_cap_are_recorded_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    project_repo(dir.path());
    let inbox = Inbox::new(&dir.path().join("inbox"));
    for id in ["cap.1@example.org", "cap.2@example.org"] {
        inbox.append(&patch_mail(id, &now_date(), false, APPLIES));
    }
    let service = start(dir.path(), &inbox, "since = \"all\"", ", daily_cap = 1").await;
    assert_eq!(maildir_files(&dir.path().join("outbox")).len(), 1);
    let mut states = Vec::new();
    for series in provgate_serve::records::list_series(&service.db, &Default::default())
        .await
        .unwrap()
    {
        for delivery in provgate_serve::records::deliveries_of(&service.db, series.id)
            .await
            .unwrap()
        {
            states.push((delivery.state, delivery.detail.unwrap_or_default()));
        }
    }
    states.sort();
    assert_eq!(states.len(), 2, "{states:?}");
    assert_eq!(states[0].0, "capped", "{states:?}");
    assert!(
        states[0].1.contains("deliver.email.daily_cap"),
        "{states:?}"
    );
    assert_eq!(states[1].0, "sent", "{states:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_from_a_configured_bot_sender_is_never_checked_nor_answered() {
    let dir = tempfile::tempdir().unwrap();
    let _repo = project_repo(dir.path());
    let inbox = Inbox::new(&dir.path().join("inbox"));
    // A CI bot that mails a patch-shaped fix suggestion, and a person's patch: both fail the
    // policy (no sign-off), only the person's is a submission.
    let from_bot = String::from_utf8(patch_mail("bot.1@example.org", &now_date(), false, APPLIES))
        .unwrap()
        .replace(
            "From: Jane Doe <jane@example.org>",
            "From: CI Bot <ci-bot@example.org>",
        );
    inbox.append(from_bot.as_bytes());
    inbox.append(&patch_mail(
        "person.1@example.org",
        &now_date(),
        false,
        APPLIES,
    ));
    let service = start(
        dir.path(),
        &inbox,
        "since = \"all\"\nbot_senders = [\"ci-bot@*\"]",
        "",
    )
    .await;
    let replies = maildir_files(&dir.path().join("outbox"));
    assert_eq!(replies.len(), 1, "only the person's patch is answered");
    assert_eq!(
        header(&text(&replies[0]), "In-Reply-To").as_deref(),
        Some("<person.1@example.org>")
    );
    let metrics = service.metrics.render(&[]);
    assert!(
        metrics.contains("outcome=\"bot-report\""),
        "the bot's mail is counted as a bot report:\n{metrics}"
    );

    // A pattern that is no address is refused when the configuration is read.
    let bad = provgate_serve::Config::parse(
        "[[project]]\nname = \"p\"\nrepository = \"/nonexistent\"\nbot_senders = [\"not an address\"]\n",
    );
    let error = bad.expect_err("refused");
    assert!(error.contains("bot_senders"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_series_announcing_an_old_base_is_judged_by_the_branch_tips_policy() {
    let dir = tempfile::tempdir().unwrap();
    let repo = project_repo(dir.path());
    // An old commit whose provgate.toml lets a missing sign-off pass, then the branch's tip,
    // whose provgate.toml denies it.
    std::fs::write(
        repo.join("provgate.toml"),
        "extends = \"default\"\n\n[rules]\ndco-missing-signoff = \"allow\"\n",
    )
    .unwrap();
    support::git(&repo, &["add", "provgate.toml"]);
    support::git(&repo, &["commit", "-qm", "policy: sign-offs optional"]);
    let old = support::git(&repo, &["rev-parse", "HEAD"]);
    std::fs::write(repo.join("provgate.toml"), "extends = \"default\"\n").unwrap();
    support::git(&repo, &["commit", "-qam", "policy: sign-offs required"]);
    let inbox = Inbox::new(&dir.path().join("inbox"));
    // Unsigned, and announcing the old commit as its base (where it applies, as at the tip).
    let mut mail = patch_mail("old-base.1@example.org", &now_date(), false, APPLIES);
    mail.extend_from_slice(format!("\nbase-commit: {old}\n").as_bytes());
    inbox.append(&mail);
    let text = format!(
        "[server]\ndatabase = \"{db}\"\n\n[[project]]\nname = \"demo\"\nrepository = \"{repo}\"\n\
         policy = \"repository\"\nsince = \"all\"\nsources.public_inbox = [\"{inbox}\"]\n",
        db = dir.path().join("serve.sqlite").display(),
        repo = repo.display(),
        inbox = inbox.dir.display(),
    );
    let config = provgate_serve::Config::parse(&text).unwrap();
    let service = provgate_serve::open(config).await.unwrap();
    settle(&service).await;
    let series = provgate_serve::records::list_series(&service.db, &Default::default())
        .await
        .unwrap();
    assert_eq!(series.len(), 1);
    // The code is read where the series says it applies (the branch reaches it)…
    let report = provgate_serve::records::get_report(&service.db, series[0].report_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.base.as_deref(), Some(old.as_str()));
    // …but the rules are the tip's: the missing sign-off fails.
    assert_eq!(
        series[0].verdict,
        Some(provgate_report::Verdict::Fail),
        "{:?}",
        report.report
    );
    let typed: provgate_serve::view::StoredReport = serde_json::from_value(report.report).unwrap();
    assert!(
        typed
            .all_findings()
            .any(|f| f.finding.rule.as_str() == "dco-missing-signoff"),
        "the tip's policy denies the missing sign-off"
    );
}

/// `patch_mail` under its own subject, with `date` as its whole `Date:` header line (empty:
/// none at all).
fn dated_patch(id: &str, subject: &str, date_line: &str) -> Vec<u8> {
    let mail = String::from_utf8(patch_mail(id, "DATE", false, APPLIES)).unwrap();
    let mail = mail.replace("hw/timer/pit: start the ghost", subject);
    let mail = if date_line.is_empty() {
        mail.replace("Date: DATE\n", "")
    } else {
        mail.replace("Date: DATE", date_line)
    };
    mail.into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn since_now_takes_undated_unreadably_dated_and_far_future_mail_as_history() {
    let dir = tempfile::tempdir().unwrap();
    project_repo(dir.path());
    let inbox = Inbox::new(&dir.path().join("inbox"));
    let future = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 10))
        .strftime("Date: %a, %d %b %Y %H:%M:%S +0000")
        .to_string();
    inbox.append(&dated_patch("undated.1@example.org", "pit: no date", ""));
    inbox.append(&dated_patch(
        "garbled.1@example.org",
        "pit: garbled date",
        "Date: the day after yesterday",
    ));
    inbox.append(&dated_patch(
        "future.1@example.org",
        "pit: from the future",
        &future,
    ));
    let service = start(dir.path(), &inbox, "since = \"now\"", "").await;
    assert!(
        maildir_files(&dir.path().join("outbox")).is_empty(),
        "none of the archive is answered"
    );
    let states: Vec<_> = provgate_serve::records::list_series(&service.db, &Default::default())
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.subject, s.state))
        .collect();
    assert_eq!(states.len(), 3, "{states:?}");
    assert!(states.iter().all(|(_, s)| s == "history"), "{states:?}");

    // The near miss: new mail whose clock is an hour fast is within the slack, and answered.
    let fast = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1))
        .strftime("Date: %a, %d %b %Y %H:%M:%S +0000")
        .to_string();
    inbox.append(&dated_patch(
        "fast.1@example.org",
        "pit: a fast clock",
        &fast,
    ));
    settle(&service).await;
    let replies = maildir_files(&dir.path().join("outbox"));
    assert_eq!(replies.len(), 1, "the new mail is answered");
    assert_eq!(
        header(&text(&replies[0]), "In-Reply-To").as_deref(),
        Some("<fast.1@example.org>")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incomplete_series_that_already_fails_is_answered_under_reply_on_fail() {
    // Patch 3 never arrives; patch 2 (unsigned) did, so what arrived fails.
    let (_dir, _service, body) =
        incomplete_series_reply(3, ", reply_on = [\"fail\"]", "a failure found is answered").await;
    let first: Vec<&str> = body.lines().take(4).collect();
    assert!(
        first
            .iter()
            .any(|l| l.starts_with("Incomplete: patch 3 had not arrived")),
        "it still says it is incomplete: {body}"
    );
    assert!(body.contains("came to fail"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn workers_planning_at_once_on_postgresql_never_send_past_the_daily_cap() {
    let Some(server) = support::pg::server("the concurrent daily-cap test") else {
        return;
    };
    let queue = support::pg::Schema::create(&server, "cap").await;
    let audit = support::pg::Schema::create(&server, "cap_audit").await;
    let dir = tempfile::tempdir().unwrap();
    let repo = project_repo(dir.path());
    let inbox = Inbox::new(&dir.path().join("inbox"));
    for i in 0..8 {
        inbox.append(&dated_patch(
            &format!("race.{i}@example.org"),
            &format!("pit: race {i}"),
            &format!("Date: {}", now_date()),
        ));
    }
    let project = format!(
        "since = \"all\"\nsources.public_inbox = [\"{inbox}\"]\naudit = \"{audit}\"\n\
         deliver.email = {{ from = \"provgate <bot@example.org>\", outbox = \"{outbox}\", daily_cap = 2 }}",
        inbox = inbox.dir.display(),
        audit = audit.url(),
        outbox = dir.path().join("outbox").display(),
    );
    let mut config = support::demo_config(dir.path(), &repo, "", &project);
    config.server.database = queue.url();
    let service = provgate_serve::open(config).await.unwrap();
    let project = service.config.projects[0].clone();
    provgate_serve::sources::poll_project(&service, &project).await;
    // Four workers take the eight checks at once.
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let service = service.clone();
            tokio::spawn(async move {
                while provgate_serve::worker::run_until_idle(&service, &format!("w{w}")).await > 0 {
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    settle(&service).await;
    let planned: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, state FROM serve_deliveries ORDER BY id")
            .fetch_all(&service.db.pool)
            .await
            .unwrap();
    let not_capped = planned.iter().filter(|(_, s)| s != "capped").count();
    assert_eq!(planned.len(), 8, "{planned:?}");
    assert_eq!(
        not_capped, 2,
        "the cap holds under concurrency: {planned:?}"
    );
    assert_eq!(maildir_files(&dir.path().join("outbox")).len(), 2);
}
