//! The GitHub client against the stand-in GitHub API.

mod common;

use provgate_deliver::github::{
    Annotation, AnnotationLevel, CheckRun, Client, MAX_SUMMARY_BYTES, Status,
    annotations_from_report,
};
use provgate_deliver::standin::GitHubStandin;
use provgate_deliver::{CheckConclusion, DeliverError, Secret, StatusState};
use provgate_report::Level;

const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

fn client(standin: &GitHubStandin) -> Client {
    Client::new(&standin.url(), Secret::new("gh-token")).unwrap()
}

fn run_with(annotations: usize) -> CheckRun {
    CheckRun {
        name: "provgate".into(),
        head_sha: SHA.into(),
        external_id: "series-7-v2".into(),
        details_url: Some("https://dash.example.org/series/7".into()),
        conclusion: CheckConclusion::Failure,
        title: "provgate: fail".into(),
        summary: "## provgate: fail".into(),
        annotations: (0..annotations)
            .map(|i| Annotation {
                path: format!("src/f{i}.c"),
                start_line: i as u32 + 1,
                end_line: i as u32 + 1,
                annotation_level: AnnotationLevel::Failure,
                message: format!("finding {i}"),
                title: Some("dco-missing-signoff".into()),
            })
            .collect(),
        findings: annotations,
    }
}

#[tokio::test]
async fn a_hundred_and_twenty_annotations_go_in_three_requests() {
    let standin = GitHubStandin::start("gh-token");
    let id = client(&standin)
        .create_check_run("octo", "widgets", &run_with(120))
        .await
        .unwrap();
    let requests = standin.requests();
    let shape: Vec<(String, String, usize)> = requests
        .iter()
        .map(|r| {
            let n = r.json().unwrap()["output"]["annotations"]
                .as_array()
                .unwrap()
                .len();
            (r.method.clone(), r.path.clone(), n)
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("POST".into(), "/repos/octo/widgets/check-runs".into(), 50),
            (
                "PATCH".into(),
                format!("/repos/octo/widgets/check-runs/{id}"),
                50
            ),
            (
                "PATCH".into(),
                format!("/repos/octo/widgets/check-runs/{id}"),
                20
            ),
        ]
    );
    for r in &requests {
        assert_eq!(r.header("authorization"), Some("Bearer gh-token"));
        assert_eq!(r.header("accept"), Some("application/vnd.github+json"));
        assert_eq!(r.header("x-github-api-version"), Some("2022-11-28"));
        assert!(r.header("user-agent").unwrap().starts_with("provgate/"));
    }
    let post = requests[0].json().unwrap();
    assert_eq!(post["name"], "provgate");
    assert_eq!(post["head_sha"], SHA);
    assert_eq!(post["external_id"], "series-7-v2");
    assert_eq!(post["status"], "completed");
    assert_eq!(post["conclusion"], "failure");
    assert_eq!(post["details_url"], "https://dash.example.org/series/7");
    assert_eq!(
        post["output"]["annotations"][0]["annotation_level"],
        "failure"
    );
    let runs = standin.check_runs();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].annotations.len(), 120);
    assert_eq!(runs[0].annotations[119]["message"], "finding 119");
}

#[tokio::test]
async fn the_stand_in_refuses_more_than_fifty_like_github() {
    let standin = GitHubStandin::start("gh-token");
    provgate_deliver::http::install_crypto_provider();
    let http = reqwest::Client::new();
    let body = serde_json::json!({
        "name": "x", "head_sha": SHA,
        "output": {"title": "t", "summary": "s", "annotations": run_with(51).annotations},
    });
    let answer = http
        .post(format!("{}/repos/o/r/check-runs", standin.url()))
        .header("authorization", "Bearer gh-token")
        .header("user-agent", "test")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 422);
    assert!(standin.check_runs().is_empty());
}

#[tokio::test]
async fn a_retry_finds_the_run_and_only_completes_it() {
    let standin = GitHubStandin::start("gh-token");
    let client = client(&standin);
    let run = run_with(120);
    assert_eq!(
        client
            .find_check_run("octo", "widgets", SHA, "provgate", "series-7-v2")
            .await
            .unwrap(),
        None
    );
    let first = client
        .deliver_check_run("octo", "widgets", &run)
        .await
        .unwrap();
    assert!(first.created);
    // Another run with the same name but another external id is not taken for it.
    let mut other = run_with(1);
    other.external_id = "series-8-v1".into();
    client
        .create_check_run("octo", "widgets", &other)
        .await
        .unwrap();
    let found = client
        .find_check_run("octo", "widgets", SHA, "provgate", "series-7-v2")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((found.id, found.annotations_count), (first.id, 120));
    let list = standin.requests().pop().unwrap();
    assert_eq!(
        list.path,
        format!("/repos/octo/widgets/commits/{SHA}/check-runs")
    );
    assert_eq!(list.query_param("check_name").as_deref(), Some("provgate"));

    let again = client
        .deliver_check_run("octo", "widgets", &run)
        .await
        .unwrap();
    assert_eq!(
        (again.id, again.created, again.annotations_sent),
        (first.id, false, 0)
    );
    assert_eq!(standin.check_runs().len(), 2, "no second run for series 7");
}

#[tokio::test]
async fn an_interrupted_run_gets_the_rest_of_its_annotations() {
    let standin = GitHubStandin::start("gh-token");
    let client = client(&standin);
    let run = run_with(120);
    // The POST and the first PATCH go through, the second PATCH fails.
    standin.fail_after(2, 1);
    let err = client
        .create_check_run("octo", "widgets", &run)
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err}");
    let partial = standin.check_runs()[0].annotations.len();
    assert_eq!(partial, 100);
    let delivered = client
        .deliver_check_run("octo", "widgets", &run)
        .await
        .unwrap();
    assert!(!delivered.created);
    assert_eq!(delivered.annotations_sent, 120 - partial);
    assert_eq!(standin.check_runs().len(), 1);
    assert_eq!(
        standin.check_runs()[0].annotations.len(),
        120,
        "nothing missing, nothing twice"
    );
}

#[tokio::test]
async fn statuses_are_cut_to_github_limits() {
    let standin = GitHubStandin::start("gh-token");
    let status = Status {
        state: StatusState::Failure,
        context: "provgate".into(),
        description: Some("x".repeat(300)),
        target_url: Some("https://dash.example.org/series/7".into()),
    };
    client(&standin)
        .create_status("octo", "widgets", SHA, &status)
        .await
        .unwrap();
    let request = standin.requests().pop().unwrap();
    assert_eq!(request.path, format!("/repos/octo/widgets/statuses/{SHA}"));
    let body = request.json().unwrap();
    assert_eq!(body["state"], "failure");
    assert_eq!(body["context"], "provgate");
    assert_eq!(body["description"].as_str().unwrap().chars().count(), 140);
    assert_eq!(standin.statuses().len(), 1);
}

#[tokio::test]
async fn a_bad_token_is_permanent_and_never_shown() {
    let standin = GitHubStandin::start("gh-token");
    let client = Client::new(&standin.url(), Secret::new("wrong-token")).unwrap();
    let err = client
        .create_check_run("octo", "widgets", &run_with(1))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(!err.is_retryable());
    assert!(!format!("{err} {err:?}").contains("wrong-token"));
}

#[tokio::test]
async fn a_report_becomes_a_check_run() {
    let report = common::report(vec![
        common::finding(
            Level::Deny,
            common::PATCH_IDS[0],
            Some("src/frob.c"),
            Some(12),
            "first",
        ),
        common::finding(
            Level::Warn,
            common::PATCH_IDS[0],
            Some("src/frob.h"),
            Some(3),
            "second",
        ),
        common::finding(
            Level::Deny,
            common::PATCH_IDS[0],
            None,
            Some(4),
            "in the message",
        ),
        common::finding(
            Level::Allow,
            common::PATCH_IDS[0],
            Some("README"),
            Some(1),
            "noted",
        ),
    ]);
    let annotations = annotations_from_report(&report);
    let shape: Vec<(&str, u32, AnnotationLevel)> = annotations
        .iter()
        .map(|a| (a.path.as_str(), a.start_line, a.annotation_level))
        .collect();
    assert_eq!(
        shape,
        [
            ("src/frob.c", 12, AnnotationLevel::Failure),
            ("src/frob.h", 3, AnnotationLevel::Warning),
            ("README", 1, AnnotationLevel::Notice),
        ],
        "the finding without a file is left to the summary"
    );
    assert_eq!(annotations[0].title.as_deref(), Some("dco-missing-signoff"));
    assert_eq!(
        annotations[0].message,
        "first\nhelp: add a Signed-off-by line"
    );
    let run = CheckRun::from_report(&report, "provgate", SHA, "s7v2", None);
    assert_eq!(run.conclusion, CheckConclusion::Failure);
    assert_eq!(run.findings, 4);
    assert!(run.summary.contains("in the message"), "{}", run.summary);

    let standin = GitHubStandin::start("gh-token");
    let mut long = run.clone();
    long.summary = "x".repeat(70_000);
    client(&standin)
        .create_check_run("octo", "widgets", &long)
        .await
        .unwrap();
    let summary = standin.requests()[0].json().unwrap()["output"]["summary"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(summary.len() <= MAX_SUMMARY_BYTES);
    assert!(
        summary.ends_with("4 finding(s) in all, 3 shown as annotations)"),
        "{}",
        &summary[summary.len() - 120..]
    );
}

#[tokio::test]
async fn an_unreachable_api_is_retryable() {
    let standin = GitHubStandin::start("gh-token");
    standin.set_reachable(false);
    let err = client(&standin)
        .create_status(
            "o",
            "r",
            SHA,
            &Status {
                state: StatusState::Pending,
                context: "provgate".into(),
                description: None,
                target_url: None,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, DeliverError::Unreachable { .. }), "{err}");
    assert!(err.is_retryable());
}
