//! A list archive in, threaded replies out: a public-inbox repository built with git receives a
//! 3-patch series and later its v2; the outbox Maildir gets one reply per version, threaded
//! and with the right verdict; the same messages read again make no new reply; a restarted
//! service reads nothing twice.

mod support;

use std::sync::Arc;

use provgate_serve::{Config, Service};
use support::{Inbox, maildir_files, message_id, project_repo, series};

fn config(dir: &std::path::Path, inbox: &std::path::Path) -> Config {
    let text = format!(
        r#"
        [server]
        database = "{db}"
        public_url = "http://dashboard.example"

        [[project]]
        name = "demo"
        repository = "{repo}"
        policy = "preset:qemu"
        sources.public_inbox = ["{inbox}"]
        deliver.email = {{ from = "provgate <bot@example.org>", to = ["devel@lists.example.org"], outbox = "{outbox}" }}
        "#,
        db = dir.join("serve.sqlite").display(),
        repo = dir.join("mirror").display(),
        inbox = inbox.display(),
        outbox = dir.join("outbox").display(),
    );
    Config::parse(&text).unwrap()
}

async fn settle(service: &Arc<Service>) {
    let project = service.config.projects[0].clone();
    provgate_serve::sources::poll_project(service, &project).await;
    // Checks, then the deliveries they planned.
    while provgate_serve::worker::run_until_idle(service, "test-worker").await > 0 {}
    provgate_serve::audit::drain(service, "demo").await.unwrap();
}

fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
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
    assert_eq!(
        header(&reply, "In-Reply-To"),
        Some(format!("<{v1_cover}>").as_str())
    );
    assert!(
        header(&reply, "Subject")
            .unwrap()
            .starts_with("Re: [PATCH 0/3]"),
        "{reply}"
    );
    assert!(
        reply.contains("seems to have some problems"),
        "v1 fails: {reply}"
    );
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
        .find(|r| header(r, "In-Reply-To") == Some(format!("<{v2_cover}>").as_str()))
        .expect("a reply to v2's cover letter");
    assert!(
        header(&v2_reply, "Subject")
            .unwrap()
            .starts_with("Re: [PATCH v2 0/3]")
    );
    assert!(
        !v2_reply.contains("seems to have some problems"),
        "v2 passes: {v2_reply}"
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
    let log =
        provgate_store::Store::open_existing(&service.audit_location(&service.config.projects[0]))
            .unwrap();
    assert_eq!(log.list(&Default::default()).unwrap().len(), 2);
    assert!(log.verify().unwrap().is_intact());

    // A restarted service resumes after the last message: nothing is read again.
    drop(service);
    let service = provgate_serve::open(config(dir.path(), &inbox.dir))
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
