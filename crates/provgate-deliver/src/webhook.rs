//! Forge webhooks: is the delivery genuine, and what does it ask the service to check?
//!
//! GitHub signs the raw body with the shared secret (`X-Hub-Signature-256: sha256=<hex>`);
//! GitLab sends the shared secret itself (`X-Gitlab-Token`). Both are compared in constant
//! time. Only what the service needs is read from a payload: the repository and the commits
//! it names are then fetched from the service's configured remote, never from a URL in the
//! payload, so no clone URL is exposed.

use hmac::{KeyInit, Mac};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::secret::Secret;

/// A webhook delivery that is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// No `X-Hub-Signature-256` header.
    #[error("the X-Hub-Signature-256 header is missing")]
    MissingSignature,
    /// The signature header is not `sha256=` and 64 hex digits.
    #[error("the X-Hub-Signature-256 header is malformed: {0}")]
    MalformedSignature(&'static str),
    /// The signature does not match the body.
    #[error("the X-Hub-Signature-256 signature does not match the body")]
    BadSignature,
    /// No `X-Gitlab-Token` header.
    #[error("the X-Gitlab-Token header is missing")]
    MissingToken,
    /// The token is not the configured secret.
    #[error("the X-Gitlab-Token header does not match the configured secret")]
    BadToken,
    /// The body is not the JSON the event documents.
    #[error("the {event} payload does not parse: {reason}")]
    Payload {
        /// The event named by the delivery's header.
        event: String,
        /// What is wrong.
        reason: String,
    },
}

impl WebhookError {
    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            WebhookError::MissingSignature
            | WebhookError::MalformedSignature(_)
            | WebhookError::BadSignature => {
                "set the webhook's secret in GitHub to the service's configured webhook secret"
            }
            WebhookError::MissingToken | WebhookError::BadToken => {
                "set the webhook's secret token in GitLab to the service's configured webhook secret"
            }
            WebhookError::Payload { .. } => {
                "the webhook must send application/json payloads of the documented event"
            }
        }
    }
}

/// Checks a GitHub delivery's `X-Hub-Signature-256` against the raw body.
pub fn verify_github(
    secret: &Secret,
    raw_body: &[u8],
    signature_header: Option<&str>,
) -> Result<(), WebhookError> {
    let header = signature_header.ok_or(WebhookError::MissingSignature)?;
    let hex_digest =
        header
            .trim()
            .strip_prefix("sha256=")
            .ok_or(WebhookError::MalformedSignature(
                "it does not start with `sha256=`",
            ))?;
    let mut signature = [0u8; 32];
    hex::decode_to_slice(hex_digest, &mut signature)
        .map_err(|_| WebhookError::MalformedSignature("it is not 64 hexadecimal digits"))?;
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .map_err(|_| WebhookError::BadSignature)?;
    mac.update(raw_body);
    mac.verify_slice(&signature)
        .map_err(|_| WebhookError::BadSignature)
}

/// The `X-Hub-Signature-256` value GitHub sends for `body` (for tests and stand-ins).
pub fn sign_github(secret: &Secret, body: &[u8]) -> String {
    // An HMAC key may have any length, so this never fails.
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks a GitLab delivery's `X-Gitlab-Token`. Both sides are hashed first, so the comparison
/// takes the same time whatever the token's length.
pub fn verify_gitlab(secret: &Secret, token_header: Option<&str>) -> Result<(), WebhookError> {
    let token = token_header.ok_or(WebhookError::MissingToken)?;
    let given = Sha256::digest(token.as_bytes());
    let wanted = Sha256::digest(secret.expose().as_bytes());
    if bool::from(given.as_slice().ct_eq(wanted.as_slice())) {
        Ok(())
    } else {
        Err(WebhookError::BadToken)
    }
}

/// Why a genuine delivery asks for no check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ignored {
    /// An event the service does not act on (`ping`, `push`, `Note Hook`, ...).
    Event(String),
    /// An action that changes no code or base (`closed`, `labeled`, an edit of the title).
    Action(String),
}

impl std::fmt::Display for Ignored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ignored::Event(event) => write!(f, "event {event:?} is not acted on"),
            Ignored::Action(action) => write!(f, "action {action:?} changes no code"),
        }
    }
}

/// A GitHub delivery, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitHubEvent {
    /// A pull request to check.
    PullRequest(PullRequestEvent),
    /// Nothing to do.
    Ignored(Ignored),
}

/// What a pull request's action did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullRequestAction {
    /// Opened.
    Opened,
    /// New commits were pushed.
    Synchronize,
    /// Reopened.
    Reopened,
    /// Its base branch was changed.
    BaseChanged,
}

/// A pull request to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequestEvent {
    /// What happened.
    pub action: PullRequestAction,
    /// The base repository, `owner/name`.
    pub repository: String,
    /// The pull request's number.
    pub number: u64,
    /// The head commit.
    pub head_sha: String,
    /// The head branch (a name only: the commits are fetched from the configured remote, as
    /// `refs/pull/NUMBER/head`).
    pub head_ref: String,
    /// The base branch.
    pub base_ref: String,
    /// The base commit.
    pub base_sha: String,
    /// The pull request's title (empty when the payload has none).
    pub title: String,
    /// Who opened it (the GitHub login; empty when the payload has none).
    pub author: String,
}

impl PullRequestEvent {
    /// The repository's owner.
    pub fn owner(&self) -> &str {
        self.repository.split_once('/').map_or("", |(o, _)| o)
    }

    /// The repository's name.
    pub fn repo(&self) -> &str {
        self.repository
            .split_once('/')
            .map_or(&self.repository, |(_, r)| r)
    }
}

/// Reads a GitHub delivery of event `event` (the `X-GitHub-Event` header). Verify it first.
pub fn parse_github(event: &str, body: &[u8]) -> Result<GitHubEvent, WebhookError> {
    if event != "pull_request" {
        return Ok(GitHubEvent::Ignored(Ignored::Event(event.to_string())));
    }
    let payload: wire::PullRequestPayload = payload(event, body)?;
    let action = match payload.action.as_str() {
        "opened" => PullRequestAction::Opened,
        "synchronize" => PullRequestAction::Synchronize,
        "reopened" => PullRequestAction::Reopened,
        "edited" if payload.changes.is_some_and(|c| c.base.is_some()) => {
            PullRequestAction::BaseChanged
        }
        other => return Ok(GitHubEvent::Ignored(Ignored::Action(other.to_string()))),
    };
    let pr = payload.pull_request;
    Ok(GitHubEvent::PullRequest(PullRequestEvent {
        action,
        repository: payload.repository.full_name,
        number: pr.number,
        head_sha: pr.head.sha,
        head_ref: pr.head.r#ref,
        base_ref: pr.base.r#ref,
        base_sha: pr.base.sha,
        title: pr.title,
        author: pr.user.map(|u| u.login).unwrap_or_default(),
    }))
}

/// A GitLab delivery, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitLabEvent {
    /// A merge request to check.
    MergeRequest(MergeRequestEvent),
    /// Nothing to do.
    Ignored(Ignored),
}

/// What a merge request's action did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeRequestAction {
    /// Opened.
    Open,
    /// Reopened.
    Reopen,
    /// New commits were pushed, or the target branch changed.
    Update,
}

/// A merge request to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeRequestEvent {
    /// What happened.
    pub action: MergeRequestAction,
    /// The target project's id.
    pub project_id: u64,
    /// The target project's path (`group/project`).
    pub project_path: String,
    /// The merge request's number in its project.
    pub iid: u64,
    /// The head commit.
    pub last_commit: String,
    /// The source branch (a name only; commits come from the configured remote).
    pub source_branch: String,
    /// The target branch.
    pub target_branch: String,
    /// The merge request's title (empty when the payload has none).
    pub title: String,
    /// Who triggered the event (the GitLab username; empty when the payload has none).
    pub author: String,
}

/// Reads a GitLab delivery of event `event` (the `X-Gitlab-Event` header). Verify it first.
pub fn parse_gitlab(event: &str, body: &[u8]) -> Result<GitLabEvent, WebhookError> {
    if event != "Merge Request Hook" {
        return Ok(GitLabEvent::Ignored(Ignored::Event(event.to_string())));
    }
    let payload: wire::MergeRequestPayload = payload(event, body)?;
    let attributes = payload.object_attributes;
    let action = attributes.action.as_deref().unwrap_or("");
    let action = match action {
        "open" => MergeRequestAction::Open,
        "reopen" => MergeRequestAction::Reopen,
        // An update is also sent for a new title or label; only new commits (`oldrev`) or a new
        // target branch change what is checked.
        "update"
            if attributes.oldrev.is_some()
                || payload.changes.is_some_and(|c| c.target_branch.is_some()) =>
        {
            MergeRequestAction::Update
        }
        other => return Ok(GitLabEvent::Ignored(Ignored::Action(other.to_string()))),
    };
    Ok(GitLabEvent::MergeRequest(MergeRequestEvent {
        action,
        project_id: payload.project.id,
        project_path: payload.project.path_with_namespace,
        iid: attributes.iid,
        last_commit: attributes.last_commit.id,
        source_branch: attributes.source_branch,
        target_branch: attributes.target_branch,
        title: attributes.title,
        author: payload.user.map(|u| u.username).unwrap_or_default(),
    }))
}

fn payload<'a, T: Deserialize<'a>>(event: &str, body: &'a [u8]) -> Result<T, WebhookError> {
    serde_json::from_slice(body).map_err(|e| WebhookError::Payload {
        event: event.to_string(),
        reason: e.to_string(),
    })
}

/// The payloads, as far as they are read.
mod wire {
    use serde::Deserialize;

    #[derive(Deserialize)]
    pub struct PullRequestPayload {
        pub action: String,
        pub pull_request: PullRequest,
        pub repository: Repository,
        pub changes: Option<Changes>,
    }

    #[derive(Deserialize)]
    pub struct PullRequest {
        pub number: u64,
        pub head: Branch,
        pub base: Branch,
        #[serde(default)]
        pub title: String,
        pub user: Option<User>,
    }

    #[derive(Deserialize)]
    pub struct User {
        pub login: String,
    }

    #[derive(Deserialize)]
    pub struct Branch {
        pub sha: String,
        pub r#ref: String,
    }

    #[derive(Deserialize)]
    pub struct Repository {
        pub full_name: String,
    }

    #[derive(Deserialize)]
    pub struct Changes {
        pub base: Option<serde_json::Value>,
    }

    #[derive(Deserialize)]
    pub struct MergeRequestPayload {
        pub project: Project,
        pub object_attributes: Attributes,
        pub changes: Option<MrChanges>,
        pub user: Option<GitLabUser>,
    }

    #[derive(Deserialize)]
    pub struct GitLabUser {
        pub username: String,
    }

    #[derive(Deserialize)]
    pub struct Project {
        pub id: u64,
        pub path_with_namespace: String,
    }

    #[derive(Deserialize)]
    pub struct Attributes {
        pub iid: u64,
        pub action: Option<String>,
        pub source_branch: String,
        pub target_branch: String,
        pub last_commit: Commit,
        pub oldrev: Option<String>,
        #[serde(default)]
        pub title: String,
    }

    #[derive(Deserialize)]
    pub struct Commit {
        pub id: String,
    }

    #[derive(Deserialize)]
    pub struct MrChanges {
        pub target_branch: Option<serde_json::Value>,
    }
}
