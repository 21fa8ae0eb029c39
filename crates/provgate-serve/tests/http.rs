//! The HTTP front over a real listener: the check API with its tokens and limits, the read API,
//! forge webhooks (signed, forged, replayed), the dashboard's escaping, `/healthz` and
//! `/metrics`.

mod support;

use std::sync::Arc;

use provgate_serve::Service;
use serde_json::Value;

const TOKEN: &str = "test-token-0123456789";
const SECRET_ENV: &str = "PROVGATE_TEST_GITHUB_SECRET";

async fn start(dir: &std::path::Path) -> (Arc<Service>, String) {
    let repo = support::project_repo(dir);
    // SAFETY: set before any thread of this test reads the environment.
    unsafe { std::env::set_var(SECRET_ENV, "webhook-secret") };
    let server = format!(
        "max_body_bytes = 200000\n\n\
         [[tokens]]\nname = \"ci\"\nsha256 = \"{hash}\"\nscopes = [\"check\"]",
        hash = provgate_serve::auth::hash_token(TOKEN),
    );
    let project = format!(
        "sources.github = {{ repository = \"acme/widget\", secret_env = \"{SECRET_ENV}\" }}"
    );
    let service = provgate_serve::open(support::demo_config(dir, &repo, &server, &project))
        .await
        .unwrap();
    let url = support::serve_http(&service).await;
    (service, url)
}

fn patch_mail(subject: &str) -> String {
    format!(
        "From: Jane Doe <jane@example.org>\nSubject: [PATCH] {subject}\nMessage-ID: <one@example.org>\n\
         Date: Mon, 30 Nov 2026 10:00:00 +0000\n\nFix the reload.\n\nSigned-off-by: Jane Doe <jane@example.org>\n---\n\
         diff --git a/docs/pit.txt b/docs/pit.txt\n--- a/docs/pit.txt\n+++ b/docs/pit.txt\n@@ -1 +1,2 @@\n The PIT counts down.\n+A reload of 0 counts 65536.\n"
    )
}

fn sign(body: &[u8]) -> String {
    provgate_deliver::webhook::sign_github(&provgate_deliver::Secret::new("webhook-secret"), body)
}

async fn series_count(service: &Service) -> usize {
    provgate_serve::records::list_series(&service.db, &Default::default())
        .await
        .unwrap()
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_checks_with_a_token_and_refuses_what_it_must() {
    let dir = tempfile::tempdir().unwrap();
    let (service, base) = start(dir.path()).await;
    let client = reqwest::Client::new();
    let url = format!("{base}/api/v1/check?project=demo");

    let no_token = client
        .post(&url)
        .body(patch_mail("docs: zero"))
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), 401);
    let bad_token = client
        .post(&url)
        .bearer_auth("nope")
        .body(patch_mail("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_token.status(), 401);
    assert_eq!(
        series_count(&service).await,
        0,
        "nothing stored for a refused request"
    );

    let ok = client
        .post(&url)
        .bearer_auth(TOKEN)
        .body(patch_mail("docs: <script>alert(1)</script>"))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let location = ok.headers()["location"].to_str().unwrap().to_string();
    let report: Value = ok.json().await.unwrap();
    assert_eq!(report["patches"].as_array().unwrap().len(), 1);
    assert!(report["verdict"].is_string());

    let stored: Value = client
        .get(format!("{base}{location}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        stored["report"]["patches"][0]["subject"],
        report["patches"][0]["subject"]
    );

    let empty = client
        .post(&url)
        .bearer_auth(TOKEN)
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 422);
    let chatter = client
        .post(&url)
        .bearer_auth(TOKEN)
        .body("From: a@b\nSubject: Re: hello\n\njust talk\n")
        .send()
        .await
        .unwrap();
    assert_eq!(chatter.status(), 422);
    let huge = client
        .post(&url)
        .bearer_auth(TOKEN)
        .body(vec![b'x'; 300_000])
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);
    // axum's own refusals are JSON like the API's.
    assert!(
        huge.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let refusal: Value = huge.json().await.unwrap();
    assert!(
        refusal["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{refusal}"
    );
    let bad_query = client
        .get(format!("{base}/api/v1/series?limit=many"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_query.status(), 400);
    let refusal: Value = bad_query.json().await.unwrap();
    assert!(refusal["error"].as_str().is_some(), "{refusal}");
    let unknown = client
        .post(format!("{base}/api/v1/check?project=nope"))
        .bearer_auth(TOKEN)
        .body(patch_mail("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);

    let list: Value = client
        .get(format!("{base}/api/v1/series?project=demo"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["series"].as_array().unwrap().len(), 1);
    let openapi: Value = client
        .get(format!("{base}/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(openapi["openapi"], "3.1.0");

    // Strings from mail are escaped on the dashboard.
    let page = client
        .get(format!("{base}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(!page.contains("<script>alert"));
    let id = list["series"][0]["id"].as_i64().unwrap();
    let series_page = client
        .get(format!("{base}/series/{id}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(series_page.contains("&lt;script&gt;"));
    let project_page = client
        .get(format!("{base}/projects/demo"))
        .send()
        .await
        .unwrap();
    assert_eq!(project_page.status(), 200);

    assert_eq!(
        client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let metrics = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("provgate_checks_total{project=\"demo\""),
        "{metrics}"
    );
    assert!(
        metrics.contains("provgate_queue_jobs{state=\"queued\"}"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_verified_and_deduplicated() {
    let dir = tempfile::tempdir().unwrap();
    let (service, base) = start(dir.path()).await;
    let client = reqwest::Client::new();
    let head = support::git(&dir.path().join("mirror"), &["rev-parse", "HEAD"]);
    let body = serde_json::json!({
        "action": "opened",
        "number": 7,
        "repository": { "full_name": "acme/widget" },
        "pull_request": {
            "number": 7,
            "title": "Fix the PIT",
            "user": { "login": "jane" },
            "head": { "sha": head, "ref": "claude/fix-pit" },
            "base": { "sha": head, "ref": "main" }
        }
    })
    .to_string();
    let post = |signature: String, delivery: &'static str| {
        client
            .post(format!("{base}/hooks/github/demo"))
            .header("x-github-event", "pull_request")
            .header("x-github-delivery", delivery)
            .header("x-hub-signature-256", signature)
            .body(body.clone())
            .send()
    };
    let forged = post(format!("sha256={}", "0".repeat(64)), "d-1")
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    assert_eq!(
        series_count(&service).await,
        0,
        "a forged webhook stores nothing"
    );

    let signed = post(sign(body.as_bytes()), "d-1").await.unwrap();
    assert_eq!(signed.status(), 202);
    let replayed = post(sign(body.as_bytes()), "d-1").await.unwrap();
    assert_eq!(replayed.status(), 200);
    assert!(replayed.text().await.unwrap().contains("duplicate"));
    assert_eq!(series_count(&service).await, 1);
    let depth = provgate_serve::queue::depth(&service.db).await.unwrap();
    assert_eq!(depth, vec![("queued".to_string(), 1)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreadable_stored_counts_of_a_source_are_reported_not_shown_as_nothing_read() {
    let dir = tempfile::tempdir().unwrap();
    let (service, url) = start(dir.path()).await;
    sqlx::query(
        "INSERT INTO serve_sources (project, source, last_poll, last_error, counts) \
         VALUES ('demo', 'maildir:broken', 1, NULL, 'not json')",
    )
    .execute(&service.db.pool)
    .await
    .unwrap();
    let sources = provgate_serve::records::sources(&service.db).await.unwrap();
    assert_eq!(sources.len(), 1);
    assert!(sources[0].counts.is_empty());
    assert!(sources[0].counts_error.is_some(), "{sources:?}");
    let page = reqwest::get(format!("{url}/sources"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("counts unreadable"), "{page}");
}
