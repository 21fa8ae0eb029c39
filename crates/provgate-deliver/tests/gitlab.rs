//! The GitLab client against the stand-in GitLab API.

use provgate_deliver::gitlab::{Client, CommitStatus, NoteDelivery, StatusDelivery, note_marker};
use provgate_deliver::standin::GitLabStandin;
use provgate_deliver::{PipelineState, Secret};

const SHA: &str = "89abcdef0123456789abcdef0123456789abcdef";

fn client(standin: &GitLabStandin) -> Client {
    Client::new(&standin.url(), Secret::new("gl-token")).unwrap()
}

fn status(state: PipelineState) -> CommitStatus {
    CommitStatus {
        state,
        name: "provgate".into(),
        description: Some("checking".into()),
        target_url: Some("https://dash.example.org/series/9".into()),
    }
}

#[tokio::test]
async fn statuses_go_to_the_encoded_project_path_and_repeat_harmlessly() {
    let standin = GitLabStandin::start("gl-token");
    let client = client(&standin);
    let set = client
        .set_commit_status("group/project", SHA, &status(PipelineState::Pending))
        .await
        .unwrap();
    assert_eq!(set, StatusDelivery::Set);
    let request = standin.requests().pop().unwrap();
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.path,
        format!("/api/v4/projects/group%2Fproject/statuses/{SHA}")
    );
    assert_eq!(request.header("private-token"), Some("gl-token"));
    assert_eq!(
        request.json().unwrap(),
        serde_json::json!({"state": "pending", "name": "provgate", "description": "checking", "target_url": "https://dash.example.org/series/9"})
    );
    // GitLab answers 400 to pending over pending; that is the status already set.
    let again = client
        .set_commit_status("group/project", SHA, &status(PipelineState::Pending))
        .await
        .unwrap();
    assert_eq!(again, StatusDelivery::AlreadySet);
    let set = client
        .set_commit_status("group/project", SHA, &status(PipelineState::Failed))
        .await
        .unwrap();
    assert_eq!(set, StatusDelivery::Set);
    let states: Vec<_> = standin
        .statuses()
        .iter()
        .map(|s| s["status"].clone())
        .collect();
    assert_eq!(states, ["pending", "failed"]);
    assert_eq!(
        client
            .commit_status("group/project", SHA, "provgate")
            .await
            .unwrap(),
        Some(PipelineState::Failed)
    );
    assert_eq!(
        client.commit_status("42", SHA, "provgate").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn a_note_is_posted_once_with_its_marker() {
    let standin = GitLabStandin::start("gl-token");
    let client = client(&standin);
    // Other notes, enough for two pages, come first.
    for i in 0..25 {
        client
            .create_mr_note("7", 3, &format!("comment {i}"))
            .await
            .unwrap();
    }
    assert!(!client.find_mr_note("7", 3, "series/9/v1").await.unwrap());
    let posted = client
        .deliver_mr_note("7", 3, "series/9/v1", "provgate: **fail**")
        .await
        .unwrap();
    assert!(matches!(posted, NoteDelivery::Posted(_)));
    let again = client
        .deliver_mr_note("7", 3, "series/9/v1", "provgate: **fail**")
        .await
        .unwrap();
    assert_eq!(again, NoteDelivery::AlreadyPosted);
    let notes = standin.notes("7", 3);
    assert_eq!(notes.len(), 26);
    let body = notes[25]["body"].as_str().unwrap();
    assert!(body.starts_with("provgate: **fail**"));
    assert!(body.contains(&note_marker("series/9/v1").unwrap()));
    let post = standin
        .requests()
        .into_iter()
        .rfind(|r| r.method == "POST")
        .unwrap();
    assert_eq!(post.path, "/api/v4/projects/7/merge_requests/3/notes");
    assert_eq!(post.header("private-token"), Some("gl-token"));
    // The note of another version is not this one's.
    assert!(!client.find_mr_note("7", 3, "series/9/v2").await.unwrap());
}

#[tokio::test]
async fn refusals_and_outages_are_classified() {
    let standin = GitLabStandin::start("gl-token");
    let wrong = Client::new(&standin.url(), Secret::new("nope")).unwrap();
    let err = wrong.create_mr_note("7", 3, "x").await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(!err.is_retryable());
    standin.fail_next(1);
    let err = client(&standin)
        .create_mr_note("7", 3, "x")
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err}");
    assert!(standin.notes("7", 3).is_empty());
}
