//! b4's two check protocols (`b4 prep --check`, `b4 am --check` and `b4 review`).
//!
//! [`render_check`] speaks the plain-text protocol of `prep-perpatch-check-cmd` and
//! `am-perpatch-check-cmd`: b4 reads every standard-output line containing `ERROR:` as a failure
//! and any other line as a warning, and a silent command that exits 0 as a pass. So a passing
//! report renders as nothing at all, and each finding as exactly one line.
//!
//! [`render_review`] speaks the JSON protocol of `review-perpatch-check-cmd` and
//! `review-series-check-cmd`: an array of `{tool, status, summary, url, details}`, where
//! `details` is itself a JSON array of `{status, description}`, the form b4's review screen lists
//! finding by finding (as it does for checkpatch).

use std::fmt::Write;

use serde::Serialize;

use crate::{FindingReport, Level, Report, Verdict};

/// The name b4 shows for provgate's results in `b4 review`.
pub const TOOL: &str = "provgate";

/// One finding per line, `ERROR: RULE: message (FILE:LINE)` for `deny` and `WARNING: …` for
/// `warn`; nothing when there are no findings. Inputs that could not be read are not rendered
/// here: the binary prints them to standard error, which b4 counts as failures.
pub fn render_check(report: &Report) -> String {
    let mut out = String::new();
    for finding in report.all_findings() {
        if let Some(tag) = tag(finding.level) {
            let _ = writeln!(out, "{tag}: {}", describe(finding));
        }
    }
    out
}

/// One result of a `b4 review` check command, as b4 reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewResult {
    /// Always [`TOOL`].
    pub tool: &'static str,
    /// `pass`, `warn` or `fail`.
    pub status: &'static str,
    /// One line: `passed all checks`, or the counts (`1 error, 2 warnings`).
    pub summary: String,
    /// Where to read more; provgate has no page per check, so it is empty.
    pub url: String,
    /// A JSON array of [`ReviewDetail`], or empty when there is nothing to list.
    pub details: String,
}

/// One line of [`ReviewResult::details`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewDetail {
    /// `fail` for a `deny` finding or an unreadable input, `warn` for a warning.
    pub status: &'static str,
    /// `RULE: message (FILE:LINE)`, as in [`render_check`] without the `ERROR:` tag.
    pub description: String,
}

/// The results of [`render_review`], before serialising: none when nothing was judged (a cover
/// letter alone), else one.
pub fn review_results(report: &Report) -> Vec<ReviewResult> {
    let mut details: Vec<ReviewDetail> = report
        .errors
        .iter()
        .map(|error| {
            let line = error.line.map_or(String::new(), |l| format!(":{l}"));
            ReviewDetail {
                status: "fail",
                description: one_line(&format!(
                    "cannot read {}{line}: {}",
                    error.input, error.message
                )),
            }
        })
        .collect();
    let mut errors = report.errors.len();
    let mut warnings = 0;
    for finding in report.all_findings() {
        let status = match finding.level {
            Level::Deny => {
                errors += 1;
                "fail"
            }
            Level::Warn => {
                warnings += 1;
                "warn"
            }
            Level::Allow => continue,
        };
        details.push(ReviewDetail {
            status,
            description: describe(finding),
        });
    }
    let status = if errors > 0 || report.verdict == Some(Verdict::Fail) {
        "fail"
    } else if warnings > 0 || report.verdict == Some(Verdict::Warn) {
        "warn"
    } else if report.verdict == Some(Verdict::Pass) {
        "pass"
    } else {
        // Nothing judged (a cover letter): "[]" is b4's "nothing to report".
        return Vec::new();
    };
    let summary = if details.is_empty() {
        "passed all checks".to_string()
    } else {
        counts(errors, warnings)
    };
    let details = if details.is_empty() {
        String::new()
    } else {
        serde_json::to_string(&details).unwrap_or_default()
    };
    vec![ReviewResult {
        tool: TOOL,
        status,
        summary,
        url: String::new(),
        details,
    }]
}

/// The JSON array `b4 review` reads from a check command, with a final newline.
pub fn render_review(report: &Report) -> String {
    let mut out =
        serde_json::to_string_pretty(&review_results(report)).unwrap_or_else(|_| "[]".to_string());
    out.push('\n');
    out
}

fn tag(level: Level) -> Option<&'static str> {
    match level {
        Level::Deny => Some("ERROR"),
        Level::Warn => Some("WARNING"),
        Level::Allow => None,
    }
}

/// `RULE: message (FILE:LINE)`; a finding on the commit message names its line there, and one
/// about the whole patch or series has no place.
fn describe(finding: &FindingReport) -> String {
    let place = match (&finding.path, finding.line) {
        (Some(path), Some(line)) if line > 0 => format!(" ({path}:{line})"),
        (Some(path), _) => format!(" ({path})"),
        (None, Some(line)) if line > 0 => format!(" (commit message line {line})"),
        (None, _) => String::new(),
    };
    one_line(&format!("{}: {}{place}", finding.rule, finding.message))
}

/// b4 reads a line at a time, so a message's own line breaks would split one finding in two.
fn one_line(text: &str) -> String {
    text.split(['\r', '\n'])
        .filter(|part| !part.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn counts(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, w) => plural(w, "warning"),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorReport, Finding, RuleId};

    fn report(verdict: Option<Verdict>, findings: Vec<Finding>) -> Report {
        let mut report = Report::new("0.0.0");
        report.verdict = verdict;
        report.findings = findings.into_iter().map(FindingReport::new).collect();
        report
    }

    fn finding(rule: &str, level: Level) -> Finding {
        let mut finding = Finding::new(rule.parse::<RuleId>().unwrap(), "it is wrong");
        finding.level = level;
        finding
    }

    #[test]
    fn a_pass_prints_nothing() {
        assert_eq!(render_check(&report(Some(Verdict::Pass), vec![])), "");
    }

    #[test]
    fn one_line_per_finding_with_its_place() {
        let findings = vec![
            finding("dco-missing-signoff", Level::Deny),
            finding("insecure-call", Level::Warn).at("src/a.c", Some(3)),
            finding("spdx-missing", Level::Warn).at("src/b.c", None),
            finding("disclosure-syntax", Level::Warn).at_message_line(4),
        ];
        assert_eq!(
            render_check(&report(Some(Verdict::Fail), findings)),
            "ERROR: dco-missing-signoff: it is wrong\n\
             WARNING: insecure-call: it is wrong (src/a.c:3)\n\
             WARNING: spdx-missing: it is wrong (src/b.c)\n\
             WARNING: disclosure-syntax: it is wrong (commit message line 4)\n"
        );
    }

    #[test]
    fn a_message_stays_on_one_line() {
        let mut f = finding("dco-missing-signoff", Level::Deny);
        f.message = "first\nsecond\r\n".to_string();
        assert_eq!(
            render_check(&report(Some(Verdict::Fail), vec![f])),
            "ERROR: dco-missing-signoff: first second\n"
        );
    }

    #[test]
    fn review_pass_warn_fail_and_nothing() {
        let pass = review_results(&report(Some(Verdict::Pass), vec![]));
        assert_eq!(pass.len(), 1);
        assert_eq!(pass[0].status, "pass");
        assert_eq!(pass[0].summary, "passed all checks");
        assert_eq!(pass[0].details, "");

        let warn = review_results(&report(
            Some(Verdict::Warn),
            vec![finding("insecure-call", Level::Warn).at("a.c", Some(1))],
        ));
        assert_eq!(warn[0].status, "warn");
        assert_eq!(warn[0].summary, "1 warning");
        let details: serde_json::Value = serde_json::from_str(&warn[0].details).unwrap();
        assert_eq!(
            details,
            serde_json::json!([{"status": "warn", "description": "insecure-call: it is wrong (a.c:1)"}])
        );

        let fail = review_results(&report(
            Some(Verdict::Fail),
            vec![
                finding("dco-missing-signoff", Level::Deny),
                finding("insecure-call", Level::Warn),
                finding("spdx-missing", Level::Warn),
            ],
        ));
        assert_eq!(fail[0].status, "fail");
        assert_eq!(fail[0].summary, "1 error, 2 warnings");

        assert!(review_results(&report(None, vec![])).is_empty());
        assert_eq!(render_review(&report(None, vec![])), "[]\n");
    }

    #[test]
    fn review_unreadable_input_fails() {
        let mut r = report(None, vec![]);
        r.push_error(ErrorReport {
            input: "-".to_string(),
            line: Some(2),
            message: "not a patch".to_string(),
            hint: None,
        });
        let results = review_results(&r);
        assert_eq!(results[0].status, "fail");
        assert_eq!(results[0].summary, "1 error");
        assert!(results[0].details.contains("cannot read -:2: not a patch"));
    }

    #[test]
    fn review_json_has_every_field() {
        let json: serde_json::Value =
            serde_json::from_str(&render_review(&report(Some(Verdict::Pass), vec![]))).unwrap();
        let object = json[0].as_object().unwrap();
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["details", "status", "summary", "tool", "url"]);
        assert_eq!(object["tool"], "provgate");
    }
}
