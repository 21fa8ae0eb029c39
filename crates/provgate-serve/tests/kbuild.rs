//! Real list traffic: the 159 linux-kbuild mails of `testdata/lists/linux-kbuild/` put into a
//! public-inbox archive, read by the service with every outcome answered. The engine's
//! classifier, run on the same mbox, is the oracle: every reply answers a patch or a cover
//! letter, each series is answered once, and no reply, pull request or bot report is answered.

mod support;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use provgate_engine::submission::{Classified, ClassifyOptions, classify_bytes};
use provgate_patch::input::ReadOptions;
use provgate_patch::mbox::{MboxFlavor, MboxReader};
use support::{Inbox, maildir_files, project_repo, settle};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_real_list_mail_only_submissions_are_answered_each_series_once() {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/lists/linux-kbuild/kbuild.mbox");
    let bytes = std::fs::read(&fixture).unwrap();
    let messages: Vec<Vec<u8>> = MboxReader::new(&bytes[..], MboxFlavor::Mboxrd)
        .map(|m| m.unwrap().bytes)
        .collect();
    assert_eq!(messages.len(), 159);
    let read = ReadOptions {
        mbox_flavor: MboxFlavor::Mboxrd,
    };
    let mut submissions = HashSet::new();
    let mut others = HashSet::new();
    for item in classify_bytes("kbuild.mbox", &bytes, read, &ClassifyOptions::default()) {
        let item = item.unwrap();
        let id = item.message_id().unwrap_or_default().to_string();
        match item {
            Classified::Submission(_) => submissions.insert(id),
            _ => others.insert(id),
        };
    }

    let dir = tempfile::tempdir().unwrap();
    project_repo(dir.path());
    let inbox = Inbox::new(&dir.path().join("inbox"));
    for message in &messages {
        inbox.append(message);
    }
    // No kernel mirror here: the code is not read; incomplete series are checked at once.
    let project = format!(
        "since = \"all\"\ncode = false\nwait_seconds = 0\n\
         sources.public_inbox = [\"{inbox}\"]\n\
         deliver.email = {{ from = \"provgate <bot@example.org>\", to = [\"linux-kbuild@vger.kernel.org\"], outbox = \"{outbox}\", \
         reply_on = [\"fail\", \"warn\", \"pass\", \"incomplete\", \"unreadable\"], daily_cap = 0 }}",
        inbox = inbox.dir.display(),
        outbox = dir.path().join("outbox").display(),
    );
    let service = provgate_serve::open(support::demo_config(
        dir.path(),
        &dir.path().join("mirror"),
        "",
        &project,
    ))
    .await
    .unwrap();
    settle(&service).await;
    settle(&service).await;

    let replies = maildir_files(&dir.path().join("outbox"));
    assert!(!replies.is_empty());
    let mut answered: BTreeMap<String, usize> = BTreeMap::new();
    for reply in &replies {
        let text = String::from_utf8_lossy(reply).replace("\r\n", "\n");
        for line in text.lines().take_while(|l| !l.is_empty()) {
            assert!(line.len() <= 998, "a header line of {} bytes", line.len());
        }
        let to = text
            .lines()
            .find_map(|l| l.strip_prefix("In-Reply-To: "))
            .expect("every reply is threaded")
            .trim_matches(|c| c == '<' || c == '>')
            .to_string();
        *answered.entry(to).or_default() += 1;
    }
    for (id, n) in &answered {
        assert!(
            submissions.contains(id),
            "a reply answers <{id}>, which is no submission"
        );
        assert!(
            !others.contains(id),
            "<{id}> is a reply, a pull request or a bot's"
        );
        assert_eq!(*n, 1, "<{id}> answered {n} times");
    }
    // Each series checked is answered once; nothing else was made a series.
    let series = provgate_serve::records::list_series(&service.db, &Default::default())
        .await
        .unwrap();
    let checked = series.iter().filter(|s| s.state == "checked").count();
    assert_eq!(answered.len(), checked, "{series:?}");
    assert!(
        checked >= 20,
        "the fixture's series are answered: {checked}"
    );
    let metrics = service.metrics.render(&[]);
    for outcome in [
        "reply",
        "pull-request",
        "test-robot-report",
        "syzbot-report",
    ] {
        assert!(
            metrics.contains(&format!("outcome=\"{outcome}\"")),
            "{outcome} counted:\n{metrics}"
        );
    }
}
