//! GitLab's REST API (v4): commit statuses and merge-request notes.
//!
//! A project is named by its numeric id or its full path (`group/project`, sent encoded as one
//! path segment). GitLab refuses to set a status to the state it already has (`pending` to
//! `pending`); [`Client::set_commit_status`] reads the status back and reports that it was
//! already set. A note carries a hidden marker so that a retry finds it instead of posting a
//! second one.

use std::time::Duration;

use reqwest::Method;
use reqwest::header::HeaderName;
use serde::{Deserialize, Serialize};

use crate::error::DeliverError;
use crate::http::{DEFAULT_TIMEOUT, Http};
use crate::secret::Secret;
use crate::state::PipelineState;
use crate::text::cut_chars;

/// The longest status name and description GitLab stores.
pub const MAX_STATUS_TEXT_CHARS: usize = 255;

/// A client of one GitLab instance's API with one token.
#[derive(Clone)]
pub struct Client {
    http: Http,
}

/// A commit status to set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitStatus {
    /// The state.
    pub state: PipelineState,
    /// The status's name (e.g. `provgate`).
    pub name: String,
    /// One line; cut to [`MAX_STATUS_TEXT_CHARS`].
    pub description: Option<String>,
    /// Where the details are.
    pub target_url: Option<String>,
}

/// What [`Client::set_commit_status`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusDelivery {
    /// The status was set.
    Set,
    /// The commit already had this status in this state.
    AlreadySet,
}

/// What [`Client::deliver_mr_note`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteDelivery {
    /// The note was posted; its id.
    Posted(u64),
    /// A note with the same marker was already there.
    AlreadyPosted,
}

/// The hidden marker that identifies a note: `<!-- provgate:KEY -->`. The key may hold
/// letters, digits and `-_.:/@`, so it cannot end the comment.
pub fn note_marker(key: &str) -> Result<String, DeliverError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.:/@".contains(c);
    if key.is_empty() || !key.chars().all(allowed) {
        return Err(DeliverError::Invalid {
            what: "note marker key",
            reason: format!("{key:?}: use letters, digits and -_.:/@ only"),
        });
    }
    Ok(format!("<!-- provgate:{key} -->"))
}

impl Client {
    /// A client of the API at `api_url` (`https://gitlab.example.org/api/v4`).
    pub fn new(api_url: &str, token: Secret) -> Result<Client, DeliverError> {
        Client::with_timeout(api_url, token, DEFAULT_TIMEOUT)
    }

    /// As [`Client::new`], with a per-request timeout.
    pub fn with_timeout(
        api_url: &str,
        token: Secret,
        timeout: Duration,
    ) -> Result<Client, DeliverError> {
        let headers = [(HeaderName::from_static("private-token"), token.expose())];
        Ok(Client {
            http: Http::new(api_url, &headers, timeout)?,
        })
    }

    /// Sets a commit status (`POST /projects/:id/statuses/:sha`). When GitLab refuses because
    /// the status already has that state, the status is read back to confirm it.
    pub async fn set_commit_status(
        &self,
        project: &str,
        sha: &str,
        status: &CommitStatus,
    ) -> Result<StatusDelivery, DeliverError> {
        let body = CommitStatus {
            state: status.state,
            name: cut_chars(&status.name, MAX_STATUS_TEXT_CHARS),
            description: status
                .description
                .as_deref()
                .map(|d| cut_chars(d, MAX_STATUS_TEXT_CHARS)),
            target_url: status.target_url.clone(),
        };
        let url = self.http.url(&["projects", project, "statuses", sha]);
        match self
            .http
            .json::<serde_json::Value>(Method::POST, url, Some(&body))
            .await
        {
            Ok(_) => Ok(StatusDelivery::Set),
            Err(error @ DeliverError::Status { status: 400, .. }) => {
                let current = self.commit_status(project, sha, &body.name).await?;
                if current == Some(body.state) {
                    Ok(StatusDelivery::AlreadySet)
                } else {
                    Err(error)
                }
            }
            Err(error) => Err(error),
        }
    }

    /// The newest state of the status `name` on a commit, if it has one.
    pub async fn commit_status(
        &self,
        project: &str,
        sha: &str,
        name: &str,
    ) -> Result<Option<PipelineState>, DeliverError> {
        let mut url = self.http.url(&[
            "projects",
            project,
            "repository",
            "commits",
            sha,
            "statuses",
        ]);
        url.query_pairs_mut()
            .append_pair("name", name)
            .append_pair("all", "true")
            .append_pair("per_page", "100");
        let statuses: Vec<wire::Status> = self.http.all_pages(url).await?;
        Ok(statuses
            .into_iter()
            .filter(|s| s.name == name)
            .max_by_key(|s| s.id)
            .and_then(|s| serde_json::from_value(serde_json::Value::String(s.status)).ok()))
    }

    /// Posts a note on a merge request and returns its id.
    pub async fn create_mr_note(
        &self,
        project: &str,
        mr_iid: u64,
        body: &str,
    ) -> Result<u64, DeliverError> {
        let url = self.notes_url(project, mr_iid);
        let note: wire::Note = self
            .http
            .json(
                Method::POST,
                url,
                Some(&serde_json::json!({ "body": body })),
            )
            .await?;
        Ok(note.id)
    }

    /// Whether a note of the merge request carries the marker of `key` (see [`note_marker`]).
    pub async fn find_mr_note(
        &self,
        project: &str,
        mr_iid: u64,
        key: &str,
    ) -> Result<bool, DeliverError> {
        let marker = note_marker(key)?;
        let mut url = self.notes_url(project, mr_iid);
        url.query_pairs_mut().append_pair("per_page", "100");
        let notes: Vec<wire::Note> = self.http.all_pages(url).await?;
        Ok(notes.iter().any(|n| n.body.contains(&marker)))
    }

    /// Posts `body` with the marker of `key` appended, unless a note with that marker is
    /// already there.
    pub async fn deliver_mr_note(
        &self,
        project: &str,
        mr_iid: u64,
        key: &str,
        body: &str,
    ) -> Result<NoteDelivery, DeliverError> {
        if self.find_mr_note(project, mr_iid, key).await? {
            return Ok(NoteDelivery::AlreadyPosted);
        }
        let body = format!("{body}\n\n{}\n", note_marker(key)?);
        self.create_mr_note(project, mr_iid, &body)
            .await
            .map(NoteDelivery::Posted)
    }

    fn notes_url(&self, project: &str, mr_iid: u64) -> url::Url {
        self.http.url(&[
            "projects",
            project,
            "merge_requests",
            &mr_iid.to_string(),
            "notes",
        ])
    }
}

/// GitLab's JSON, as far as it is read.
mod wire {
    use serde::Deserialize;

    #[derive(Deserialize)]
    pub struct Status {
        pub id: u64,
        pub name: String,
        pub status: String,
    }

    #[derive(Deserialize)]
    pub struct Note {
        pub id: u64,
        #[serde(default)]
        pub body: String,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_cannot_break_out_of_the_comment() {
        assert_eq!(
            note_marker("series/12/v2").unwrap(),
            "<!-- provgate:series/12/v2 -->"
        );
        for bad in ["", "a -->", "a b", "<x>"] {
            assert!(note_marker(bad).is_err(), "{bad}");
        }
    }
}
