//! The Patchwork client against the stand-in Patchwork.

use provgate_deliver::patchwork::{Check, CheckDelivery, Client};
use provgate_deliver::standin::{PatchworkStandin, StandinPatch, StandinSeries};
use provgate_deliver::{DeliverError, PatchworkState, Secret};

fn series(id: u64, date: &str, received_all: bool) -> StandinSeries {
    StandinSeries {
        id,
        project: "netdev".into(),
        name: Some(format!("series {id}")),
        version: 2,
        date: date.into(),
        received_all,
        cover_letter: Some(StandinPatch {
            id: id * 100,
            msgid: format!("cover{id}@example.org"),
            name: "[PATCH v2 0/2] cover".into(),
        }),
        patches: (1..=2)
            .map(|i| StandinPatch {
                id: id * 100 + i,
                msgid: format!("p{i}.s{id}@example.org"),
                name: format!("[PATCH v2 {i}/2] p{i}"),
            })
            .collect(),
        mbox: format!("From x Mon Sep 17 00:00:00 2001\nSubject: series {id}\n\nbody\n")
            .into_bytes(),
    }
}

fn client(standin: &PatchworkStandin) -> Client {
    Client::new(&standin.url(), Some(Secret::new("pw-token"))).unwrap()
}

#[tokio::test]
async fn events_are_paged_and_read_oldest_first() {
    let standin = PatchworkStandin::start("pw-token");
    for id in 1..=70 {
        standin.add_series(series(
            id,
            &format!("2026-06-01T10:{:02}:00", id % 60),
            true,
        ));
    }
    standin.add_series(series(99, "2026-06-01T09:00:00", false));
    let all = client(&standin)
        .events_series_completed("netdev", None)
        .await
        .unwrap();
    assert_eq!(
        all.len(),
        70,
        "every page read, the incomplete series left out"
    );
    assert!(
        all.windows(2)
            .all(|w| (&w[0].date, w[0].id) <= (&w[1].date, w[1].id))
    );
    let pages: Vec<_> = standin
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/1.2/events/")
        .collect();
    assert_eq!(pages.len(), 3, "30 a page");
    assert_eq!(
        pages[0].query_param("category").as_deref(),
        Some("series-completed")
    );
    assert_eq!(pages[0].query_param("project").as_deref(), Some("netdev"));
    assert_eq!(pages[2].query_param("page").as_deref(), Some("3"));

    let since = client(&standin)
        .events_series_completed("netdev", Some("2026-06-01T10:58:00"))
        .await
        .unwrap();
    let ids: Vec<u64> = since.iter().map(|e| e.series_id).collect();
    assert_eq!(ids, [58, 59], "since is inclusive, as in Patchwork");
    assert_eq!(
        standin
            .requests()
            .last()
            .unwrap()
            .query_param("since")
            .as_deref(),
        Some("2026-06-01T10:58:00")
    );
}

#[tokio::test]
async fn series_patches_and_mbox() {
    let standin = PatchworkStandin::start("pw-token");
    standin.add_series(series(7, "2026-06-01T10:00:00", true));
    let client = client(&standin);
    let info = client.series(7).await.unwrap();
    assert_eq!(info.version, 2);
    assert!(info.received_all);
    assert_eq!(
        info.cover_letter.as_ref().unwrap().msgid,
        "cover7@example.org"
    );
    assert_eq!(
        info.patches
            .iter()
            .map(|p| (p.id, p.msgid.as_str()))
            .collect::<Vec<_>>(),
        [(701, "p1.s7@example.org"), (702, "p2.s7@example.org")]
    );
    let mbox = client.fetch_mbox(&info.mbox).await.unwrap();
    assert!(
        String::from_utf8(mbox)
            .unwrap()
            .contains("Subject: series 7")
    );
    let found = client
        .patch_by_msgid("netdev", "<p2.s7@example.org>")
        .await
        .unwrap();
    assert_eq!(found.map(|p| p.id), Some(702));
    assert_eq!(
        standin
            .requests()
            .last()
            .unwrap()
            .query_param("msgid")
            .as_deref(),
        Some("p2.s7@example.org"),
        "looked up without angle brackets"
    );
    assert_eq!(
        client.patch_by_msgid("netdev", "nope@x").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn fetch_mbox_refuses_another_host() {
    let standin = PatchworkStandin::start("pw-token");
    let client = client(&standin);
    let other_port = format!(
        "http://{}:{}/series/1/mbox/",
        standin.addr().ip(),
        standin.addr().port() + 1
    );
    for url in [
        "http://evil.example/series/1/mbox/".to_string(),
        "https://127.0.0.1/series/1/mbox/".to_string(),
        other_port,
    ] {
        let err = client.fetch_mbox(&url).await.unwrap_err();
        assert!(
            matches!(err, DeliverError::ForeignUrl { .. }),
            "{url}: {err}"
        );
        assert!(!err.is_retryable());
    }
    assert!(standin.requests().is_empty(), "nothing was fetched");
}

#[tokio::test]
async fn checks_are_posted_with_the_token_and_once() {
    let standin = PatchworkStandin::start("pw-token");
    standin.add_series(series(7, "2026-06-01T10:00:00", true));
    let client = client(&standin);
    let mut check = Check::new(PatchworkState::Pending, "provgate");
    check.description = Some("checking".into());
    check.target_url = Some("https://dash.example.org/series/7".into());
    let posted = client.post_check(701, &check).await.unwrap();
    assert_eq!(posted.check, check);
    let request = standin.requests().pop().unwrap();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/api/1.2/patches/701/checks/");
    assert_eq!(request.header("authorization"), Some("Token pw-token"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.json().unwrap(),
        serde_json::json!({"state": "pending", "context": "provgate", "description": "checking", "target_url": "https://dash.example.org/series/7"})
    );

    check.state = PatchworkState::Fail;
    check.description = Some("2 errors".into());
    assert!(matches!(
        client.post_check_once(701, &check).await.unwrap(),
        CheckDelivery::Posted(_)
    ));
    assert!(matches!(
        client.post_check_once(701, &check).await.unwrap(),
        CheckDelivery::AlreadyPosted(_)
    ));
    let states: Vec<_> = standin
        .checks(701)
        .iter()
        .map(|c| c["state"].clone())
        .collect();
    assert_eq!(
        states,
        ["pending", "fail"],
        "the second post_check_once posted nothing"
    );
    let posts = standin
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 2);
}

#[tokio::test]
async fn a_missing_or_wrong_token_is_refused_for_good() {
    let standin = PatchworkStandin::start("pw-token");
    standin.add_series(series(7, "2026-06-01T10:00:00", true));
    let check = Check::new(PatchworkState::Success, "provgate");
    let anonymous = Client::new(&standin.url(), None).unwrap();
    let err = anonymous.post_check(701, &check).await.unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert!(!err.is_retryable());
    assert!(standin.requests()[0].header("authorization").is_none());
    let wrong = Client::new(&standin.url(), Some(Secret::new("stolen"))).unwrap();
    let err = wrong.post_check(701, &check).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(err.hint().unwrap().contains("token"));
    assert!(!err.to_string().contains("stolen"), "{err}");
    assert!(standin.checks(701).is_empty());
}

#[tokio::test]
async fn failures_and_refused_connections_are_retryable() {
    let standin = PatchworkStandin::start("pw-token");
    standin.add_series(series(7, "2026-06-01T10:00:00", true));
    let client = client(&standin);
    standin.fail_next(1);
    let err = client.series(7).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(err.is_retryable(), "{err}");
    assert_eq!(
        client.series(7).await.unwrap().id,
        7,
        "the next request succeeds"
    );

    standin.set_reachable(false);
    let err = client.series(7).await.unwrap_err();
    assert!(matches!(err, DeliverError::Unreachable { .. }), "{err}");
    assert!(err.is_retryable());
    standin.set_reachable(true);
    assert_eq!(
        client.series(7).await.unwrap().id,
        7,
        "back on the same port"
    );
}
