//! Bad input and failing servers on the mail path: a message that is no mail, a patch that
//! applies to no base, an SMTP server that refuses connections, and a PostgreSQL server that
//! ends every connection. The bad message is reported and the rest are checked; the reply says
//! that no base was found; the replies wait with backoff while the server is down and are sent
//! once, each, when it is back; the service connects again and loses nothing.

mod support;

use std::time::Duration;

use provgate_deliver::standin::SmtpSink;
use support::{Inbox, project_repo, series, settle};

fn config(
    dir: &std::path::Path,
    inbox: &std::path::Path,
    smtp: &SmtpSink,
) -> provgate_serve::Config {
    let project = format!(
        "sources.public_inbox = [\"{inbox}\"]\n\
         deliver.email = {{ from = \"provgate <bot@example.org>\", smtp = {{ host = \"{host}\", port = {port} }}, reply_on = [\"fail\", \"warn\", \"pass\"] }}",
        inbox = inbox.display(),
        host = smtp.host(),
        port = smtp.port(),
    );
    support::demo_config(dir, &dir.join("mirror"), "", &project)
}

/// A patch whose context is nowhere in the project's history.
const GHOST: &str = "From: Jane Doe <jane@example.org>
To: devel@lists.example.org
Subject: [PATCH] hw/timer/pit: count the ghost ticks
Date: Wed, 02 Dec 2026 10:00:00 +0000
Message-ID: <ghost.1@example.org>

Count them.

Signed-off-by: Jane Doe <jane@example.org>
---
diff --git a/hw/timer/pit.c b/hw/timer/pit.c
--- a/hw/timer/pit.c
+++ b/hw/timer/pit.c
@@ -1,3 +1,3 @@
 #include \"ghost.h\"
-int ghost_ticks;
+int ghost_ticks = 1;
 int ghost_count;
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_mail_is_reported_and_replies_wait_for_a_server_that_is_down() {
    let dir = tempfile::tempdir().unwrap();
    let repo = project_repo(dir.path());
    let inbox = Inbox::new(&dir.path().join("inbox"));
    inbox.append(b"\xff\xfe\x00 this is not a mail at all\n");
    for message in series(&repo, &dir.path().join("work"), 1, true, None) {
        inbox.append(&message);
    }
    inbox.append(GHOST.as_bytes());
    let smtp = SmtpSink::start();
    smtp.set_reachable(false);
    let service = provgate_serve::open(config(dir.path(), &inbox.dir, &smtp))
        .await
        .unwrap();
    settle(&service).await;

    // Both series checked; the message that is no mail counted and skipped.
    let all = provgate_serve::records::list_series(&service.db, &Default::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(all.iter().all(|s| s.state == "checked"), "{all:?}");
    let metrics = service.metrics.render(&[]);
    assert!(
        metrics
            .lines()
            .any(|l| l.contains("outcome=\"unreadable\"") || l.contains("outcome=\"not-a-patch\"")),
        "{metrics}"
    );

    // The SMTP server is down: nothing sent, each reply waits for its retry.
    assert!(smtp.messages().is_empty());
    for series in &all {
        let deliveries = provgate_serve::records::deliveries_of(&service.db, series.id)
            .await
            .unwrap();
        assert_eq!(deliveries.len(), 1, "{deliveries:?}");
        let delivery = serde_json::to_value(&deliveries[0]).unwrap();
        assert_eq!(delivery["state"], "pending", "{delivery}");
        assert_eq!(delivery["attempts"], 1, "{delivery}");
    }

    // Back up: after the backoff (5 s for a first failure) each reply is sent once.
    smtp.set_reachable(true);
    settle(&service).await;
    assert!(smtp.messages().is_empty(), "sent before its backoff ended");
    tokio::time::sleep(Duration::from_millis(5_500)).await;
    settle(&service).await;
    settle(&service).await;
    let sent = smtp.messages();
    assert_eq!(sent.len(), 2, "one reply per series");
    let ghost = sent
        .iter()
        .map(|m| {
            String::from_utf8_lossy(&m.data)
                .replace("=\r\n", "")
                .replace("\r\n", "\n")
        })
        .find(|m| m.contains("In-Reply-To: <ghost.1@example.org>"))
        .expect("a reply to the ghost patch");
    assert!(
        ghost.contains("The code was not checked: no base was found that the series applies to"),
        "{ghost}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_ends_every_connection_is_connected_to_again() {
    let Some(server) = support::pg::server("the dropped-connection test") else {
        return;
    };
    let queue = support::pg::Schema::create(&server, "faults").await;
    let audit = support::pg::Schema::create(&server, "faults_audit").await;
    let dir = tempfile::tempdir().unwrap();
    let repo = project_repo(dir.path());
    let inbox = Inbox::new(&dir.path().join("inbox"));
    let work = dir.path().join("work");
    let outbox = dir.path().join("outbox");
    let project = format!(
        "sources.public_inbox = [\"{inbox}\"]\naudit = \"{audit}\"\n\
         deliver.email = {{ from = \"provgate <bot@example.org>\", outbox = \"{outbox}\", reply_on = [\"fail\", \"warn\", \"pass\"] }}",
        inbox = inbox.dir.display(),
        audit = audit.url(),
        outbox = outbox.display(),
    );
    let mut config = support::demo_config(dir.path(), &repo, "", &project);
    config.server.database = queue.url();
    let service = provgate_serve::open(config).await.unwrap();

    let v1 = series(&repo, &work, 1, false, None);
    for message in &v1 {
        inbox.append(message);
    }
    settle(&service).await;
    assert_eq!(support::maildir_files(&outbox).len(), 1);

    // The server ends every connection the service holds, as a restart or a failover would.
    assert!(queue.drop_connections().await > 0);
    let v2 = series(&repo, &work, 2, true, Some(&support::message_id(&v1[0])));
    for message in &v2 {
        inbox.append(message);
    }
    settle(&service).await;
    settle(&service).await;

    // The second version is read, checked and answered once, as if nothing had happened.
    assert_eq!(support::maildir_files(&outbox).len(), 2);
    let all = provgate_serve::records::list_series(&service.db, &Default::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(all.iter().all(|s| s.state == "checked"), "{all:?}");
    let unfinished: i64 =
        sqlx::query_scalar("SELECT count(*) FROM serve_jobs WHERE state <> 'done'")
            .fetch_one(&service.db.pool)
            .await
            .unwrap();
    assert_eq!(unfinished, 0, "every job done, none failed or waiting");
}
