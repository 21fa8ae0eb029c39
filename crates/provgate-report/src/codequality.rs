//! GitLab Code Quality (`artifacts:reports:codequality`): a JSON array of issues in the subset
//! of the Code Climate format GitLab reads, shown in the merge request's widget and, where the
//! path and line are in the diff, next to the changed line.
//!
//! Choices GitLab leaves to the producer:
//! - `severity`: `deny` is `major` (the finding fails the check, so it must be fixed before
//!   merging, which is what `major` means in Code Climate's scale); `warn` is `minor`.
//!   `critical` and `blocker` are left for defects and vulnerabilities, which provgate does not
//!   judge.
//! - `location.path` is required. A finding about a commit message or a whole series has no
//!   file, so it points at the policy file that asked for it (`provgate.toml` when the policy is
//!   a preset or lies outside the repository), line 1; its description names the commit and the
//!   message line instead.
//! - `fingerprint` is the SARIF one (rule, the patch's subject, path and message, no commit id
//!   and not the line, so that neither a rebase nor an edit above a finding makes it new); a
//!   repeated fingerprint gets `-2`, `-3`… so that every issue has its own.

use std::fmt::Write;

use serde_json::{Value, json};

use crate::{FindingReport, Level, Report};

/// The path given to findings that concern no file when the policy is not a file of the
/// repository.
pub const DEFAULT_POLICY_PATH: &str = "provgate.toml";

/// Renders the report's findings as a Code Quality report (without a byte-order mark).
pub fn render(report: &Report) -> String {
    let policy_path = policy_path(report);
    let issues: Vec<Value> = report
        .all_findings()
        .zip(crate::sarif::fingerprints(report))
        .map(|(finding, fingerprint)| issue(finding, fingerprint, &policy_path))
        .collect();
    let mut out = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".into());
    out.push('\n');
    out
}

fn issue(finding: &FindingReport, fingerprint: String, policy_path: &str) -> Value {
    let severity = if finding.level == Level::Deny {
        "major"
    } else {
        "minor"
    };
    let mut description = finding.message.clone();
    let (path, line) = match &finding.path {
        Some(path) => (
            crate::sarif::relative(path).to_string(),
            finding.line.filter(|&l| l > 0).unwrap_or(1),
        ),
        None => {
            match (&finding.patch_id, finding.line) {
                (Some(patch), Some(line)) => {
                    let _ = write!(
                        description,
                        " (commit {}, message line {line})",
                        crate::short_id(patch)
                    );
                }
                (Some(patch), None) => {
                    let _ = write!(description, " (in {})", crate::short_id(patch));
                }
                (None, _) => {}
            }
            (policy_path.to_string(), 1)
        }
    };
    if let Some(help) = &finding.help {
        let _ = write!(description, "; help: {help}");
    }
    json!({
        "description": description,
        "check_name": finding.rule,
        "fingerprint": fingerprint,
        "severity": severity,
        "location": { "path": path, "lines": { "begin": line } },
    })
}

/// The policy file as a repository path when it is one, else [`DEFAULT_POLICY_PATH`].
pub(crate) fn policy_path(report: &Report) -> String {
    match &report.policy {
        Some(policy)
            if !policy.origin.starts_with("preset ")
                && !policy.origin.starts_with('/')
                && !policy.origin.starts_with("../") =>
        {
            crate::sarif::relative(&policy.origin).to_string()
        }
        _ => DEFAULT_POLICY_PATH.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Finding, RuleId};

    #[test]
    fn repeated_findings_get_their_own_fingerprint() {
        let mut report = Report::new("0");
        for _ in 0..3 {
            report.findings.push(FindingReport::new(
                Finding::new(RuleId::DcoMissingSignoff, "same").at("./a.c", Some(0)),
            ));
        }
        let issues: Vec<Value> = serde_json::from_str(&render(&report)).unwrap();
        let prints: Vec<&str> = issues
            .iter()
            .map(|i| i["fingerprint"].as_str().unwrap())
            .collect();
        assert_eq!(prints[1], format!("{}-2", prints[0]));
        assert_eq!(prints[2], format!("{}-3", prints[0]));
        assert_eq!(issues[0]["location"]["path"], "a.c");
        assert_eq!(issues[0]["location"]["lines"]["begin"], 1);
        assert_eq!(issues[0]["severity"], "major");
    }

    #[test]
    fn an_empty_report_is_an_empty_array() {
        assert_eq!(render(&Report::new("0")), "[]\n");
    }
}
