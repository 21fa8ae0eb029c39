//! Webhook authentication and the events read from real-shaped payloads.

use proptest::prelude::*;
use provgate_deliver::Secret;
use provgate_deliver::webhook::{
    GitHubEvent, GitLabEvent, Ignored, MergeRequestAction, PullRequestAction, WebhookError,
    parse_github, parse_gitlab, sign_github, verify_github, verify_gitlab,
};
use serde_json::json;

fn secret() -> Secret {
    Secret::new("It's a Secret to Everybody")
}

#[test]
fn github_signatures() {
    // The example from GitHub's documentation on validating deliveries.
    let body = b"Hello, World!";
    let header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    assert_eq!(sign_github(&secret(), body), header);
    assert_eq!(verify_github(&secret(), body, Some(header)), Ok(()));
    assert_eq!(
        verify_github(&secret(), b"Hello, World?", Some(header)),
        Err(WebhookError::BadSignature)
    );
    assert_eq!(
        verify_github(&Secret::new("other"), body, Some(header)),
        Err(WebhookError::BadSignature)
    );
    assert_eq!(
        verify_github(&secret(), body, None),
        Err(WebhookError::MissingSignature)
    );
    for malformed in [
        "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        "sha1=757107ea0eb2509fc211221cce984b8a37570b6d",
        "sha256=zz",
        "sha256=757107ea",
        "sha256=",
    ] {
        assert!(
            matches!(
                verify_github(&secret(), body, Some(malformed)),
                Err(WebhookError::MalformedSignature(_))
            ),
            "{malformed}"
        );
    }
}

#[test]
fn gitlab_tokens() {
    assert_eq!(
        verify_gitlab(&secret(), Some("It's a Secret to Everybody")),
        Ok(())
    );
    assert_eq!(
        verify_gitlab(&secret(), Some("It's a Secret")),
        Err(WebhookError::BadToken)
    );
    assert_eq!(
        verify_gitlab(&secret(), Some("")),
        Err(WebhookError::BadToken)
    );
    assert_eq!(
        verify_gitlab(&secret(), None),
        Err(WebhookError::MissingToken)
    );
}

proptest! {
    #[test]
    fn a_tampered_body_never_verifies(body in proptest::collection::vec(any::<u8>(), 1..200), at in any::<usize>(), flip in 1u8..=255) {
        let header = sign_github(&secret(), &body);
        prop_assert_eq!(verify_github(&secret(), &body, Some(&header)), Ok(()));
        let mut tampered = body.clone();
        let i = at % tampered.len();
        tampered[i] ^= flip;
        prop_assert_eq!(verify_github(&secret(), &tampered, Some(&header)), Err(WebhookError::BadSignature));
        let mut longer = body.clone();
        longer.push(b'\n');
        prop_assert_eq!(verify_github(&secret(), &longer, Some(&header)), Err(WebhookError::BadSignature));
    }

    #[test]
    fn any_header_or_payload_is_an_answer_not_a_panic(header in "\\PC{0,80}", body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = verify_github(&secret(), &body, Some(&header));
        let _ = verify_gitlab(&secret(), Some(&header));
        let _ = parse_github("pull_request", &body);
        let _ = parse_gitlab("Merge Request Hook", &body);
    }
}

fn pull_request(action: &str, changes: serde_json::Value) -> Vec<u8> {
    json!({
        "action": action,
        "number": 42,
        "changes": changes,
        "pull_request": {
            "number": 42,
            "head": {"sha": "a".repeat(40), "ref": "feature", "repo": {"full_name": "fork/widgets", "clone_url": "https://evil.example/widgets.git"}},
            "base": {"sha": "b".repeat(40), "ref": "main", "repo": {"full_name": "octo/widgets"}},
        },
        "repository": {"full_name": "octo/widgets"},
        "sender": {"login": "someone"},
    })
    .to_string()
    .into_bytes()
}

#[test]
fn github_pull_requests() {
    let GitHubEvent::PullRequest(pr) =
        parse_github("pull_request", &pull_request("synchronize", json!(null))).unwrap()
    else {
        panic!("a pull request");
    };
    assert_eq!(pr.action, PullRequestAction::Synchronize);
    assert_eq!((pr.owner(), pr.repo(), pr.number), ("octo", "widgets", 42));
    assert_eq!(
        (pr.head_ref.as_str(), pr.base_ref.as_str()),
        ("feature", "main")
    );
    assert_eq!(pr.head_sha, "a".repeat(40));
    assert_eq!(pr.base_sha, "b".repeat(40));
    for (action, expected) in [
        ("opened", PullRequestAction::Opened),
        ("reopened", PullRequestAction::Reopened),
    ] {
        assert!(
            matches!(parse_github("pull_request", &pull_request(action, json!(null))).unwrap(),
            GitHubEvent::PullRequest(p) if p.action == expected)
        );
    }
    let base = pull_request("edited", json!({"base": {"ref": {"from": "old"}}}));
    assert!(matches!(parse_github("pull_request", &base).unwrap(),
        GitHubEvent::PullRequest(p) if p.action == PullRequestAction::BaseChanged));
    let title = pull_request("edited", json!({"title": {"from": "old"}}));
    assert_eq!(
        parse_github("pull_request", &title).unwrap(),
        GitHubEvent::Ignored(Ignored::Action("edited".into()))
    );
    assert_eq!(
        parse_github("pull_request", &pull_request("closed", json!(null))).unwrap(),
        GitHubEvent::Ignored(Ignored::Action("closed".into()))
    );
    assert_eq!(
        parse_github("ping", b"{}").unwrap(),
        GitHubEvent::Ignored(Ignored::Event("ping".into()))
    );
    assert!(matches!(
        parse_github("pull_request", b"{"),
        Err(WebhookError::Payload { .. })
    ));
}

fn merge_request(action: &str, oldrev: Option<&str>) -> Vec<u8> {
    let mut attributes = json!({
        "iid": 3, "action": action, "source_branch": "feature", "target_branch": "main",
        "last_commit": {"id": "c".repeat(40), "message": "x"},
        "source": {"git_http_url": "https://evil.example/x.git"},
    });
    if let Some(oldrev) = oldrev {
        attributes["oldrev"] = json!(oldrev);
    }
    json!({
        "object_kind": "merge_request",
        "event_type": "merge_request",
        "project": {"id": 7, "path_with_namespace": "group/project"},
        "object_attributes": attributes,
    })
    .to_string()
    .into_bytes()
}

#[test]
fn gitlab_merge_requests() {
    let GitLabEvent::MergeRequest(mr) =
        parse_gitlab("Merge Request Hook", &merge_request("open", None)).unwrap()
    else {
        panic!("a merge request");
    };
    assert_eq!(mr.action, MergeRequestAction::Open);
    assert_eq!(
        (mr.project_id, mr.project_path.as_str(), mr.iid),
        (7, "group/project", 3)
    );
    assert_eq!(mr.last_commit, "c".repeat(40));
    assert_eq!(
        (mr.source_branch.as_str(), mr.target_branch.as_str()),
        ("feature", "main")
    );
    assert!(
        matches!(parse_gitlab("Merge Request Hook", &merge_request("update", Some("d"))).unwrap(),
        GitLabEvent::MergeRequest(m) if m.action == MergeRequestAction::Update)
    );
    assert_eq!(
        parse_gitlab("Merge Request Hook", &merge_request("update", None)).unwrap(),
        GitLabEvent::Ignored(Ignored::Action("update".into())),
        "a new title changes no code"
    );
    assert_eq!(
        parse_gitlab("Merge Request Hook", &merge_request("merge", None)).unwrap(),
        GitLabEvent::Ignored(Ignored::Action("merge".into()))
    );
    assert_eq!(
        parse_gitlab("Push Hook", b"{}").unwrap(),
        GitLabEvent::Ignored(Ignored::Event("Push Hook".into()))
    );
}
