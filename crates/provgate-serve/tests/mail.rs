//! A list archive in, threaded replies out: a public-inbox repository built with git receives a
//! 3-patch series and later its v2; the outbox Maildir gets one reply per version, threaded
//! and with the right verdict; the same messages read again make no new reply; a restarted
//! service reads nothing twice.

mod support;

use std::sync::Arc;

use provgate_serve::{Config, Service};
use support::{Inbox, maildir_files, message_id, project_repo, series};

fn config(dir: &std::path::Path, inbox: &std::path::Path) -> Config {
    let project = format!(
        "sources.public_inbox = [\"{inbox}\"]\n\
         deliver.email = {{ from = \"provgate <bot@example.org>\", to = [\"devel@lists.example.org\"], outbox = \"{outbox}\", reply_on = [\"fail\", \"warn\", \"pass\"] }}",
        inbox = inbox.display(),
        outbox = dir.join("outbox").display(),
    );
    support::demo_config(
        dir,
        &dir.join("mirror"),
        "public_url = \"http://dashboard.example\"",
        &project,
    )
}

/// [`support::settle`], then the verdicts moved into the audit log.
async fn settle(service: &Arc<Service>) {
    support::settle(service).await;
    provgate_serve::audit::drain(service, "demo").await.unwrap();
}

/// The errors the reply counts on patch `position` (`2/3`).
fn errors_on(reply: &str, position: &str) -> usize {
    // The body may be quoted-printable: soft line breaks and `=3D` are all this text needs.
    let reply = reply
        .replace("=\r\n", "")
        .replace("=3D", "=")
        .replace('\r', "");
    let block = reply
        .split(&format!("{position} Checking commit"))
        .nth(1)
        .unwrap_or_else(|| panic!("no {position} in {reply}"));
    let total = block
        .lines()
        .find_map(|l| l.strip_prefix("total: "))
        .unwrap();
    total.split(' ').next().unwrap().parse().unwrap()
}

/// A header's value, its folded lines joined.
fn header(message: &str, name: &str) -> Option<String> {
    let lines: Vec<&str> = message.lines().take_while(|l| !l.is_empty()).collect();
    let start = lines
        .iter()
        .position(|l| l.strip_prefix(name).is_some_and(|r| r.starts_with(": ")))?;
    let mut value = lines[start][name.len() + 2..].to_string();
    for line in &lines[start + 1..] {
        if !line.starts_with([' ', '\t']) {
            break;
        }
        value.push(' ');
        value.push_str(line.trim());
    }
    Some(value)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_version_gets_one_threaded_reply_and_nothing_is_read_twice() {
    let dir = tempfile::tempdir().unwrap();
    let repo = project_repo(dir.path());
    let inbox = Inbox::new(&dir.path().join("inbox"));
    let work = dir.path().join("work");

    // v1: patch 2 has no Signed-off-by.
    let v1 = series(&repo, &work, 1, false, None);
    assert_eq!(v1.len(), 4, "a cover letter and 3 patches");
    for message in &v1 {
        inbox.append(message);
    }
    let service = provgate_serve::open(config(dir.path(), &inbox.dir))
        .await
        .unwrap();
    settle(&service).await;
    let replies = maildir_files(&dir.path().join("outbox"));
    assert_eq!(replies.len(), 1, "one reply for v1");
    let reply = String::from_utf8_lossy(&replies[0]).into_owned();
    let v1_cover = message_id(&v1[0]);
    assert_eq!(header(&reply, "In-Reply-To"), Some(format!("<{v1_cover}>")));
    assert!(
        header(&reply, "Subject")
            .unwrap()
            .starts_with("Re: [PATCH 0/3]"),
        "{reply}"
    );
    // Patch 2 has no Signed-off-by: an error in v1, none in v2.
    assert!(errors_on(&reply, "2/3") > 0, "v1 patch 2 fails: {reply}");
    assert!(
        reply.contains("http://dashboard.example/series/"),
        "{reply}"
    );

    // v2, sent in reply to v1's cover letter, signs every patch.
    let v2 = series(&repo, &work, 2, true, Some(&v1_cover));
    for message in &v2 {
        inbox.append(message);
    }
    settle(&service).await;
    let replies = maildir_files(&dir.path().join("outbox"));
    assert_eq!(replies.len(), 2, "one reply per version");
    let v2_cover = message_id(&v2[0]);
    let v2_reply = replies
        .iter()
        .map(|r| String::from_utf8_lossy(r).into_owned())
        .find(|r| header(r, "In-Reply-To") == Some(format!("<{v2_cover}>")))
        .expect("a reply to v2's cover letter");
    assert!(
        header(&v2_reply, "Subject")
            .unwrap()
            .starts_with("Re: [PATCH v2 0/3]"),
        "{v2_reply}"
    );
    // v2 signs patch 2: the sign-off error of v1 is gone.
    assert!(
        errors_on(&v2_reply, "2/3") < errors_on(&reply, "2/3"),
        "v2 patch 2 is signed: {v2_reply}"
    );
    let references = header(&v2_reply, "References").unwrap();
    assert!(
        references.contains(&v1_cover) && references.contains(&v2_cover),
        "{references}"
    );

    // The same messages delivered again: no new series, no new reply.
    for message in v1.iter().chain(&v2) {
        inbox.append(message);
    }
    settle(&service).await;
    assert_eq!(maildir_files(&dir.path().join("outbox")).len(), 2);
    let all = provgate_serve::records::list_series(&service.db, &Default::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|s| s.state == "checked"));

    // Every verdict is in the project's audit log, once.
    let location = service.audit_location(&service.config.projects[0]);
    let (entries, intact) = tokio::task::spawn_blocking(move || {
        let log = provgate_store::Store::open_existing(&location).unwrap();
        (
            log.list(&Default::default()).unwrap().len(),
            log.verify().unwrap().is_intact(),
        )
    })
    .await
    .unwrap();
    assert_eq!(entries, 2);
    assert!(intact);

    // The sources page's record: the last poll, the position, messages read by outcome.
    let sources = provgate_serve::records::sources(&service.db).await.unwrap();
    assert_eq!(sources.len(), 1, "{sources:?}");
    assert!(sources[0].last_poll.is_some() && sources[0].last_error.is_none());
    assert!(sources[0].cursor.starts_with("epoch 0: "), "{sources:?}");
    assert_eq!(sources[0].counts.get("patch"), Some(&8), "{sources:?}");

    // A restarted service resumes after the last message, even with the archive's path spelt
    // another way: the position is kept under its canonical path. Nothing is read again.
    drop(service);
    let service = provgate_serve::open(config(dir.path(), &inbox.dir.join(".")))
        .await
        .unwrap();
    settle(&service).await;
    let metrics = service.metrics.render(&[]);
    assert!(
        !metrics.contains("outcome=\"duplicate\""),
        "nothing read twice after a restart:\n{metrics}"
    );
    assert_eq!(maildir_files(&dir.path().join("outbox")).len(), 2);
}
