//! GitHub's REST API: check runs carrying the findings as annotations, and commit statuses.
//!
//! Check runs need a GitHub App installation token; statuses work with any token that can
//! write to the repository. A check run takes at most 50 annotations a request, so a longer
//! list goes out as one `POST` and then `PATCH`es that append. [`Client::deliver_check_run`]
//! finds a run made by an earlier attempt (by its `external_id`) and only sends what it lacks.

use std::time::Duration;

use provgate_report::{Level, Report, Verdict};
use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderName};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::DeliverError;
use crate::http::{DEFAULT_TIMEOUT, Http};
use crate::secret::Secret;
use crate::state::{CheckConclusion, StatusState};
use crate::text::{cut_chars, prefix_bytes};

/// The public GitHub API.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// The REST API version every request asks for.
pub const API_VERSION: &str = "2022-11-28";

/// Annotations GitHub accepts in one request.
pub const MAX_ANNOTATIONS_PER_REQUEST: usize = 50;

/// The longest check-run summary GitHub accepts (in characters; kept in bytes here, which is
/// never more).
pub const MAX_SUMMARY_BYTES: usize = 65_535;

/// The longest annotation title.
pub const MAX_ANNOTATION_TITLE_CHARS: usize = 255;

/// The longest annotation message (64 KB).
pub const MAX_ANNOTATION_MESSAGE_BYTES: usize = 64 * 1024;

/// The longest commit-status description.
pub const MAX_STATUS_DESCRIPTION_CHARS: usize = 140;

/// A client of the GitHub API with one token.
#[derive(Clone)]
pub struct Client {
    http: Http,
}

/// A completed check run to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRun {
    /// The check's name, shown on the pull request (e.g. `provgate`).
    pub name: String,
    /// The commit it is about.
    pub head_sha: String,
    /// The caller's id for this run (e.g. the series and version), used to find it again.
    pub external_id: String,
    /// Where the details are (the dashboard page).
    pub details_url: Option<String>,
    /// The result.
    pub conclusion: CheckConclusion,
    /// The output's title.
    pub title: String,
    /// The output's summary (Markdown); cut to [`MAX_SUMMARY_BYTES`] with a note if longer.
    pub summary: String,
    /// Findings on lines of files.
    pub annotations: Vec<Annotation>,
    /// Findings in all, for the note on a cut summary.
    pub findings: usize,
}

/// A finding on lines of a file, shown in the pull request's diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    /// The file, relative to the repository's root.
    pub path: String,
    /// The first line.
    pub start_line: u32,
    /// The last line.
    pub end_line: u32,
    /// How it is shown.
    pub annotation_level: AnnotationLevel,
    /// What was found.
    pub message: String,
    /// A short title (the rule's name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// How an annotation is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnotationLevel {
    /// Information.
    Notice,
    /// A warning.
    Warning,
    /// An error.
    Failure,
}

/// A check run found on a commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundCheckRun {
    /// Its id.
    pub id: u64,
    /// The annotations it has.
    pub annotations_count: usize,
}

/// What [`Client::deliver_check_run`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckRunDelivery {
    /// The run's id.
    pub id: u64,
    /// Whether this call created it (else an earlier attempt had).
    pub created: bool,
    /// Annotations sent by this call.
    pub annotations_sent: usize,
}

/// A commit status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// The state.
    pub state: StatusState,
    /// The status's name (e.g. `provgate`); a newer status of the same context replaces it.
    pub context: String,
    /// One line; cut to [`MAX_STATUS_DESCRIPTION_CHARS`].
    pub description: Option<String>,
    /// Where the details are.
    pub target_url: Option<String>,
}

impl CheckRun {
    /// The check run for a report: its verdict as the conclusion, the Markdown report as the
    /// summary, and an annotation for each finding on a line of a file.
    pub fn from_report(
        report: &Report,
        name: impl Into<String>,
        head_sha: impl Into<String>,
        external_id: impl Into<String>,
        details_url: Option<String>,
    ) -> CheckRun {
        let s = &report.summary;
        CheckRun {
            name: name.into(),
            head_sha: head_sha.into(),
            external_id: external_id.into(),
            details_url,
            conclusion: CheckConclusion::for_verdict(report.verdict),
            title: format!(
                "provgate: {}: {} deny, {} warn in {} patch(es)",
                report.verdict.map_or("read", Verdict::as_str),
                s.deny,
                s.warn,
                s.patches
            ),
            summary: provgate_report::markdown::render(report),
            annotations: annotations_from_report(report),
            findings: report.all_findings().count(),
        }
    }

    /// The summary within GitHub's limit: a longer one is cut and ends with a note saying how
    /// many findings there are in all.
    pub fn fitted_summary(&self) -> String {
        if self.summary.len() <= MAX_SUMMARY_BYTES {
            return self.summary.clone();
        }
        let note = format!(
            "\n\n… (cut to fit GitHub's limit: {} finding(s) in all, {} shown as annotations{})",
            self.findings,
            self.annotations.len(),
            self.details_url
                .as_deref()
                .map(|u| format!("; the full report: {u}"))
                .unwrap_or_default()
        );
        let room = MAX_SUMMARY_BYTES.saturating_sub(note.len());
        format!("{}{note}", prefix_bytes(&self.summary, room))
    }

    fn output(&self, annotations: &[Annotation]) -> serde_json::Value {
        json!({
            "title": self.title,
            "summary": self.fitted_summary(),
            "annotations": annotations,
        })
    }
}

/// One annotation per finding that names a file and a line (the others are in the summary
/// only): `deny` is a failure, `warn` a warning, anything else a notice; the rule is the title.
pub fn annotations_from_report(report: &Report) -> Vec<Annotation> {
    report
        .all_findings()
        .filter_map(|finding| {
            let path = finding.path.as_ref()?;
            let line = finding.line.filter(|&l| l > 0)?;
            let mut message = finding.message.clone();
            if let Some(help) = &finding.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            Some(Annotation {
                path: path.clone(),
                start_line: line,
                end_line: line,
                annotation_level: match finding.level {
                    Level::Deny => AnnotationLevel::Failure,
                    Level::Warn => AnnotationLevel::Warning,
                    Level::Allow => AnnotationLevel::Notice,
                },
                message: prefix_bytes(&message, MAX_ANNOTATION_MESSAGE_BYTES).to_string(),
                title: Some(cut_chars(finding.rule.as_str(), MAX_ANNOTATION_TITLE_CHARS)),
            })
        })
        .collect()
}

impl Client {
    /// A client of the API at `api_url` ([`DEFAULT_API_URL`], or a GitHub Enterprise server's
    /// `https://HOST/api/v3`).
    pub fn new(api_url: &str, token: Secret) -> Result<Client, DeliverError> {
        Client::with_timeout(api_url, token, DEFAULT_TIMEOUT)
    }

    /// As [`Client::new`], with a per-request timeout.
    pub fn with_timeout(
        api_url: &str,
        token: Secret,
        timeout: Duration,
    ) -> Result<Client, DeliverError> {
        let bearer = format!("Bearer {}", token.expose());
        let headers = [
            (ACCEPT, "application/vnd.github+json"),
            (HeaderName::from_static("x-github-api-version"), API_VERSION),
            (AUTHORIZATION, bearer.as_str()),
        ];
        Ok(Client {
            http: Http::new(api_url, &headers, timeout)?,
        })
    }

    /// Creates a completed check run with all its annotations (a `POST` with the first 50,
    /// then a `PATCH` for each further 50) and returns its id.
    pub async fn create_check_run(
        &self,
        owner: &str,
        repo: &str,
        run: &CheckRun,
    ) -> Result<u64, DeliverError> {
        let first = &run.annotations[..run.annotations.len().min(MAX_ANNOTATIONS_PER_REQUEST)];
        let mut body = json!({
            "name": run.name,
            "head_sha": run.head_sha,
            "external_id": run.external_id,
            "status": "completed",
            "conclusion": run.conclusion,
            "output": run.output(first),
        });
        if let Some(url) = &run.details_url {
            body["details_url"] = json!(url);
        }
        let url = self.http.url(&["repos", owner, repo, "check-runs"]);
        let created: wire::CheckRun = self.http.json(Method::POST, url, Some(&body)).await?;
        self.append_annotations(owner, repo, created.id, run, first.len())
            .await?;
        Ok(created.id)
    }

    /// Appends `run.annotations[from..]` to check run `id`, 50 a request; returns how many
    /// were sent.
    pub async fn append_annotations(
        &self,
        owner: &str,
        repo: &str,
        id: u64,
        run: &CheckRun,
        from: usize,
    ) -> Result<usize, DeliverError> {
        let rest = run.annotations.get(from..).unwrap_or_default();
        let url = self
            .http
            .url(&["repos", owner, repo, "check-runs", &id.to_string()]);
        for chunk in rest.chunks(MAX_ANNOTATIONS_PER_REQUEST) {
            let body = json!({ "output": run.output(chunk) });
            let _: serde_json::Value = self
                .http
                .json(Method::PATCH, url.clone(), Some(&body))
                .await?;
        }
        Ok(rest.len())
    }

    /// The check run named `name` with this `external_id` on commit `sha`, if one exists (the
    /// newest, if several do).
    pub async fn find_check_run(
        &self,
        owner: &str,
        repo: &str,
        sha: &str,
        name: &str,
        external_id: &str,
    ) -> Result<Option<FoundCheckRun>, DeliverError> {
        let mut url = self
            .http
            .url(&["repos", owner, repo, "commits", sha, "check-runs"]);
        url.query_pairs_mut()
            .append_pair("check_name", name)
            .append_pair("filter", "all")
            .append_pair("per_page", "100");
        let runs = self
            .http
            .all_pages_with(url, |answer| {
                Ok(answer.decode::<wire::CheckRunList>()?.check_runs)
            })
            .await?;
        Ok(runs
            .into_iter()
            .filter(|r| r.name == name && r.external_id.as_deref() == Some(external_id))
            .max_by_key(|r| r.id)
            .map(|r| FoundCheckRun {
                id: r.id,
                annotations_count: r.output.map_or(0, |o| o.annotations_count),
            }))
    }

    /// Creates the check run unless an earlier attempt did; a run an interrupted attempt left
    /// with fewer annotations gets the rest appended.
    pub async fn deliver_check_run(
        &self,
        owner: &str,
        repo: &str,
        run: &CheckRun,
    ) -> Result<CheckRunDelivery, DeliverError> {
        let found = self
            .find_check_run(owner, repo, &run.head_sha, &run.name, &run.external_id)
            .await?;
        match found {
            Some(found) => {
                let sent = self
                    .append_annotations(owner, repo, found.id, run, found.annotations_count)
                    .await?;
                Ok(CheckRunDelivery {
                    id: found.id,
                    created: false,
                    annotations_sent: sent,
                })
            }
            None => {
                let id = self.create_check_run(owner, repo, run).await?;
                Ok(CheckRunDelivery {
                    id,
                    created: true,
                    annotations_sent: run.annotations.len(),
                })
            }
        }
    }

    /// Sets a commit status (a newer one of the same context replaces it, so repeating it is
    /// harmless).
    pub async fn create_status(
        &self,
        owner: &str,
        repo: &str,
        sha: &str,
        status: &Status,
    ) -> Result<(), DeliverError> {
        let body = Status {
            description: status
                .description
                .as_deref()
                .map(|d| cut_chars(d, MAX_STATUS_DESCRIPTION_CHARS)),
            ..status.clone()
        };
        let url = self.http.url(&["repos", owner, repo, "statuses", sha]);
        let _: serde_json::Value = self.http.json(Method::POST, url, Some(&body)).await?;
        Ok(())
    }
}

/// GitHub's JSON, as far as it is read.
mod wire {
    use serde::Deserialize;

    #[derive(Deserialize)]
    pub struct CheckRunList {
        pub check_runs: Vec<CheckRun>,
    }

    #[derive(Deserialize)]
    pub struct CheckRun {
        pub id: u64,
        #[serde(default)]
        pub name: String,
        pub external_id: Option<String>,
        pub output: Option<Output>,
    }

    #[derive(Deserialize)]
    pub struct Output {
        #[serde(default)]
        pub annotations_count: usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(summary: String) -> CheckRun {
        CheckRun {
            name: "provgate".into(),
            head_sha: "a".repeat(40),
            external_id: "x".into(),
            details_url: Some("https://d/s/1".into()),
            conclusion: CheckConclusion::Failure,
            title: "t".into(),
            summary,
            annotations: Vec::new(),
            findings: 1234,
        }
    }

    #[test]
    fn a_long_summary_is_cut_with_the_count() {
        let fitted = run("é".repeat(40_000)).fitted_summary();
        assert!(fitted.len() <= MAX_SUMMARY_BYTES);
        assert!(
            fitted.contains("1234 finding(s) in all"),
            "{}",
            &fitted[fitted.len() - 200..]
        );
        assert!(fitted.ends_with("the full report: https://d/s/1)"));
        assert_eq!(run("short".into()).fitted_summary(), "short");
    }
}
