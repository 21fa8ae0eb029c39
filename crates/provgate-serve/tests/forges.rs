//! Deliveries where maintainers look, against stand-ins of the real APIs (real HTTP servers in
//! the test that record what they receive): Patchwork gets `pending` then the final check on
//! each patch of a series it completed; a signed GitHub webhook yields a check run with the
//! findings as annotations.

mod support;

use provgate_deliver::standin::{GitHubStandin, PatchworkStandin, StandinPatch, StandinSeries};
use support::settle;

fn subject(message: &[u8]) -> String {
    String::from_utf8_lossy(message)
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patchwork_gets_pending_then_the_verdict_on_each_patch() {
    let dir = tempfile::tempdir().unwrap();
    let repo = support::project_repo(dir.path());
    let messages = support::series(&repo, &dir.path().join("work"), 1, false, None);
    let ids: Vec<String> = messages.iter().map(|m| support::message_id(m)).collect();
    let mut mbox = Vec::new();
    for m in &messages {
        mbox.extend_from_slice(b"From patchwork Mon Nov 30 10:00:00 2026\n");
        mbox.extend_from_slice(m);
        mbox.push(b'\n');
    }
    let standin = PatchworkStandin::start("pw-token");
    standin.add_series(StandinSeries {
        id: 7,
        project: "demo".into(),
        name: Some(subject(&messages[0])),
        version: 1,
        date: "2026-11-30T10:00:00".into(),
        received_all: true,
        cover_letter: Some(StandinPatch {
            id: 100,
            msgid: ids[0].clone(),
            name: subject(&messages[0]),
        }),
        patches: (1..4)
            .map(|i| StandinPatch {
                id: 100 + i as u64,
                msgid: ids[i].clone(),
                name: subject(&messages[i]),
            })
            .collect(),
        mbox,
    });
    // SAFETY: set before the service reads the environment.
    unsafe { std::env::set_var("PROVGATE_TEST_PW_TOKEN", "pw-token") };
    let project = format!(
        "sources.patchwork = {{ url = \"{url}\", project = \"demo\", token_env = \"PROVGATE_TEST_PW_TOKEN\" }}\n\
         deliver.patchwork = {{ context = \"provgate\" }}",
        url = standin.url(),
    );
    let service = provgate_serve::open(support::demo_config(dir.path(), &repo, "", &project))
        .await
        .unwrap();
    settle(&service).await;
    for patch in 101..104 {
        let states: Vec<String> = standin
            .checks(patch)
            .iter()
            .map(|c| c["state"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(states.len(), 2, "patch {patch}: {states:?}");
        assert_eq!(states[0], "pending");
        assert_ne!(states[1], "pending");
        let check = standin.checks(patch)[1].clone();
        assert_eq!(check["context"], "provgate");
        assert!(check["target_url"].as_str().unwrap().contains("/series/"));
    }
    // Patch 2 has no Signed-off-by: it fails; the others do not.
    assert_eq!(standin.checks(102)[1]["state"], "fail");
    assert_ne!(standin.checks(101)[1]["state"], "fail");
    // Polling again changes nothing.
    settle(&service).await;
    assert_eq!(standin.checks(101).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_github_webhook_yields_a_check_run_with_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let repo = support::project_repo(dir.path());
    let base = support::git(&repo, &["rev-parse", "HEAD"]);
    support::git(&repo, &["checkout", "-q", "-b", "claude/pit"]);
    std::fs::write(
        repo.join("hw/timer/pit.c"),
        "#include \"pit.h\"\n\nint pit_count(int reload)\n{\n    return pit_reload_magic(reload);\n}\n\nint pit_tick(int count)\n{\n    return count - 1;\n}\n",
    )
    .unwrap();
    support::git(
        &repo,
        &[
            "commit",
            "-qam",
            "hw/timer/pit: reload through the helper\n\nSigned-off-by: Jane Doe <jane@example.org>",
        ],
    );
    let head = support::git(&repo, &["rev-parse", "HEAD"]);
    support::git(&repo, &["checkout", "-q", "main"]);

    let github = GitHubStandin::start("gh-token");
    // SAFETY: set before the service reads the environment.
    unsafe {
        std::env::set_var("PROVGATE_TEST_GH_SECRET", "hook-secret");
        std::env::set_var("PROVGATE_TEST_GH_TOKEN", "gh-token");
    }
    let project = format!(
        "sources.github = {{ repository = \"acme/widget\", secret_env = \"PROVGATE_TEST_GH_SECRET\" }}\n\
         deliver.github = {{ api_url = \"{api}\", token_env = \"PROVGATE_TEST_GH_TOKEN\", mode = \"check-run\" }}",
        api = github.url(),
    );
    let service = provgate_serve::open(support::demo_config(dir.path(), &repo, "", &project))
        .await
        .unwrap();
    let url = support::serve_http(&service).await;

    let body = serde_json::json!({
        "action": "opened",
        "number": 7,
        "repository": { "full_name": "acme/widget" },
        "pull_request": {
            "number": 7,
            "title": "hw/timer/pit: reload through the <helper>",
            "user": { "login": "jdoe" },
            "head": { "sha": head, "ref": "claude/pit" },
            "base": { "sha": base, "ref": "main" }
        }
    })
    .to_string();
    let client = reqwest::Client::new();
    let send = |signature: String| {
        client
            .post(format!("{url}/hooks/github/demo"))
            .header("x-github-event", "pull_request")
            .header("x-github-delivery", "delivery-1")
            .header("x-hub-signature-256", signature)
            .body(body.clone())
            .send()
    };
    let forged = send(format!("sha256={}", "0".repeat(64))).await.unwrap();
    assert_eq!(forged.status(), 401);
    let signed = provgate_deliver::webhook::sign_github(
        &provgate_deliver::Secret::new("hook-secret"),
        body.as_bytes(),
    );
    let accepted = send(signed).await.unwrap();
    assert_eq!(accepted.status(), 202, "{:?}", accepted.text().await);
    settle(&service).await;

    let runs = github.check_runs();
    assert_eq!(runs.len(), 1, "one check run");
    let run = &runs[0];
    assert_eq!(run.repository, "acme/widget");
    assert_eq!(run.run["head_sha"], head.as_str());
    assert!(
        run.run["details_url"]
            .as_str()
            .unwrap()
            .contains("/series/")
    );
    assert!(
        !run.annotations.is_empty(),
        "findings as annotations: {:?}",
        run.run
    );
    assert!(
        run.annotations
            .iter()
            .any(|a| a["path"] == "hw/timer/pit.c"),
        "{:?}",
        run.annotations
    );
    // The check ran on the pull request's commits: the agent's branch is evidence of AI use.
    let series = provgate_serve::records::list_series(&service.db, &Default::default())
        .await
        .unwrap();
    assert_eq!(series.len(), 1);
    assert_eq!(series[0].ai_assisted, Some(true));
    // The series is named as the forge names the request, and by who opened it.
    assert_eq!(
        series[0].subject,
        "hw/timer/pit: reload through the <helper> (acme/widget#7)"
    );
    assert_eq!(series[0].sender, "jdoe");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_that_fails_for_good_shows_on_the_forge_the_dashboard_and_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let repo = support::project_repo(dir.path());
    let base = support::git(&repo, &["rev-parse", "HEAD"]);
    let github = GitHubStandin::start("gh-token-2");
    // SAFETY: set before the service reads the environment.
    unsafe {
        std::env::set_var("PROVGATE_TEST_GH_SECRET_2", "hook-secret-2");
        std::env::set_var("PROVGATE_TEST_GH_TOKEN_2", "gh-token-2");
    }
    // No `remote`: a head that is not in the mirror can never be fetched.
    let project = format!(
        "sources.github = {{ repository = \"acme/widget\", secret_env = \"PROVGATE_TEST_GH_SECRET_2\" }}\n\
         deliver.github = {{ api_url = \"{api}\", token_env = \"PROVGATE_TEST_GH_TOKEN_2\", mode = \"status\" }}",
        api = github.url(),
    );
    let service = provgate_serve::open(support::demo_config(dir.path(), &repo, "", &project))
        .await
        .unwrap();
    let url = support::serve_http(&service).await;
    let missing = "0123456789abcdef0123456789abcdef01234567";
    let body = serde_json::json!({
        "action": "opened",
        "number": 9,
        "repository": { "full_name": "acme/widget" },
        "pull_request": {
            "number": 9,
            "title": "a head nobody can fetch",
            "user": { "login": "jdoe" },
            "head": { "sha": missing, "ref": "topic" },
            "base": { "sha": base, "ref": "main" }
        }
    })
    .to_string();
    let signed = provgate_deliver::webhook::sign_github(
        &provgate_deliver::Secret::new("hook-secret-2"),
        body.as_bytes(),
    );
    let client = reqwest::Client::new();
    let accepted = client
        .post(format!("{url}/hooks/github/demo"))
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", "delivery-fail-1")
        .header("x-hub-signature-256", signed)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 202);
    settle(&service).await;

    // The series is failed, with an error naming the setting.
    let series = provgate_serve::records::list_series(&service.db, &Default::default())
        .await
        .unwrap();
    assert_eq!(series.len(), 1);
    assert_eq!(series[0].state, "failed");
    let error = series[0].error.clone().unwrap();
    assert!(error.contains("no `remote` is set"), "{error}");
    assert!(!error.contains("--"), "settings, not flags: {error}");

    // The forge says so: a commit status `error` on the head.
    let statuses = github.statuses();
    assert_eq!(statuses.len(), 1, "{statuses:?}");
    assert!(statuses[0].0.contains(missing), "{statuses:?}");
    assert_eq!(statuses[0].1["state"], "error", "{statuses:?}");
    // What a forge shows anyone names no server path (the setting's `repository = …` is cut
    // to its last component, as on the dashboard).
    let posted = statuses[0].1.to_string();
    assert!(
        posted.contains("repository = …/mirror"),
        "the setting is still named: {posted}"
    );
    assert!(
        !posted.contains(&dir.path().display().to_string()),
        "no server path on the forge: {posted}"
    );

    // The dashboard shows the error, and /metrics counts the failed series.
    let page = client
        .get(format!("{url}/series/{}", series[0].id))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("The check failed"), "{page}");
    assert!(page.contains("no `remote` is set"), "{page}");
    assert!(
        !page.contains(&dir.path().display().to_string()),
        "no server path: {page}"
    );
    let metrics = client
        .get(format!("{url}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("provgate_series{project=\"demo\",state=\"failed\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("provgate_jobs_failed_total{project=\"demo\",kind=\"forge\"} 1"),
        "{metrics}"
    );
}
