//! GitHub Actions workflow commands: one annotation per finding, capped, then a summary line.
//!
//! GitHub shows a limited number of annotations: 10 errors and 10 warnings per step, 50 per
//! job, and drops the rest without a word. So past a cap the rest are counted in a notice
//! instead of being silently dropped.

use std::fmt::Write;

use crate::{FindingReport, Level, Report, Verdict};

/// Annotations written before the rest are only counted.
pub const DEFAULT_MAX_ANNOTATIONS: usize = 50;

/// Error annotations GitHub shows per step.
pub const STEP_MAX_ERRORS: usize = 10;

/// Warning annotations GitHub shows per step.
pub const STEP_MAX_WARNINGS: usize = 10;

/// How many annotations to write, in all and per level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// Annotations in all (findings only).
    pub total: usize,
    /// `error` annotations: findings at `deny` and inputs that could not be read, which keep
    /// their place first, since they say why the report is incomplete.
    pub errors: usize,
    /// `warning` annotations: findings at `warn`.
    pub warnings: usize,
}

impl Default for Caps {
    fn default() -> Caps {
        Caps {
            total: DEFAULT_MAX_ANNOTATIONS,
            errors: STEP_MAX_ERRORS,
            warnings: STEP_MAX_WARNINGS,
        }
    }
}

/// Renders the report as workflow commands within `caps`.
pub fn render(report: &Report, caps: Caps) -> String {
    let mut out = String::new();
    let mut findings: Vec<&FindingReport> = report.all_findings().collect();
    // GitHub shows an annotation on the diff only with a file (and best with a line): within the
    // per-step caps those come first, the rest keep their order.
    findings.sort_by_key(|f| match (&f.path, f.line.filter(|&l| l > 0)) {
        (Some(_), Some(_)) => 0,
        (Some(_), None) => 1,
        (None, _) => 2,
    });
    let shown_input_errors = report.errors.len().min(caps.errors);
    let error_budget = caps.errors - shown_input_errors;
    let (mut shown, mut errors, mut warnings) = (0, 0, 0);
    // Findings dropped by a per-level cap rather than the total one: the note then names the
    // per-step caps, which are what a user of the action runs into.
    let mut level_capped = 0;
    for finding in &findings {
        if shown >= caps.total {
            continue;
        }
        let deny = finding.level == Level::Deny;
        let (count, budget) = if deny {
            (&mut errors, error_budget)
        } else {
            (&mut warnings, caps.warnings)
        };
        if *count >= budget {
            level_capped += 1;
            continue;
        }
        *count += 1;
        shown += 1;
        let _ = writeln!(out, "{}", annotation(finding, deny));
    }
    let hidden = findings.len() - shown;
    let hidden_input_errors = report.errors.len() - shown_input_errors;
    if level_capped > 0 || hidden_input_errors > 0 {
        let mut what = format!("{hidden} more finding(s)");
        if hidden_input_errors > 0 {
            let _ = write!(what, " and {hidden_input_errors} input error(s)");
        }
        let _ = writeln!(
            out,
            "::notice title=provgate::{what} not shown as annotations (GitHub shows at most {} errors and {} warnings per step); see the full report (the job summary, code scanning, or --format text or json)",
            caps.errors, caps.warnings
        );
    } else if hidden > 0 {
        let _ = writeln!(
            out,
            "::notice title=provgate::{hidden} more finding(s) not shown as annotations; see the full report (--format text or json)",
        );
    }
    for error in report.errors.iter().take(shown_input_errors) {
        let _ = writeln!(
            out,
            "::error title=provgate input error::{}",
            escape_data(&format!("{}: {}", error.input, error.message))
        );
    }
    // Remarks on the run (where the policy was read, a change that edits it) are not findings,
    // but a reviewer of the pull request must see them.
    // One notice for all of them: notices share GitHub's per-step caps with nothing else here.
    if !report.notes.is_empty() {
        let _ = writeln!(
            out,
            "::notice title=provgate notes::{}",
            escape_data(&report.notes.join("\n"))
        );
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "provgate: {}: {} patch(es), {} failed, {} with warnings, {} deny, {} warn, {} error(s)",
        report.verdict.map_or("read", Verdict::as_str),
        s.patches,
        s.failed,
        s.warned,
        s.deny,
        s.warn,
        s.errors
    );
    out
}

/// One finding as an `::error` or `::warning` command.
fn annotation(finding: &FindingReport, deny: bool) -> String {
    let command = if deny { "error" } else { "warning" };
    let mut properties = Vec::new();
    if let Some(path) = &finding.path {
        properties.push(format!("file={}", escape_property(path)));
        if let Some(line) = finding.line.filter(|&l| l > 0) {
            properties.push(format!("line={line}"));
        }
    }
    properties.push(format!("title={}", escape_property(finding.rule.as_str())));
    let mut message = finding.message.clone();
    if finding.path.is_none()
        && let Some(patch) = &finding.patch_id
    {
        let _ = write!(message, " (in {})", crate::short_id(patch));
    }
    if let Some(help) = &finding.help {
        let _ = write!(message, "\nhelp: {help}");
    }
    format!(
        "::{command} {}::{}",
        properties.join(","),
        escape_data(&message)
    )
}

/// Escapes a message as the runner expects (`%`, CR and LF).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value (also `:` and `,`, which separate properties).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ErrorReport, Finding, RuleId};

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }

    fn report(deny: usize, warn: usize, input_errors: usize) -> Report {
        let mut report = Report::new("0");
        for (level, n) in [(Level::Deny, deny), (Level::Warn, warn)] {
            for i in 0..n {
                let mut finding = Finding::new(RuleId::DcoMissingSignoff, format!("f{i}"));
                finding.level = level;
                report.findings.push(FindingReport::new(finding));
            }
        }
        for i in 0..input_errors {
            report.push_error(ErrorReport {
                input: format!("in{i}"),
                line: None,
                message: "unreadable".into(),
                hint: None,
            });
        }
        report
    }

    fn count(out: &str, prefix: &str) -> usize {
        out.lines().filter(|l| l.starts_with(prefix)).count()
    }

    #[test]
    fn findings_anchored_to_lines_take_the_slots_first() {
        let mut report = report(12, 0, 0);
        let mut anchored = Finding::new(RuleId::SpdxMissing, "anchored");
        anchored.level = Level::Deny;
        anchored.path = Some("a.c".into());
        anchored.line = Some(3);
        report.findings.push(FindingReport::new(anchored));
        let out = render(&report, Caps::default());
        let first = out.lines().next().unwrap();
        assert!(first.starts_with("::error file=a.c,line=3,"), "{out}");
        assert_eq!(count(&out, "::error "), 10);
    }

    #[test]
    fn run_notes_are_notices() {
        let mut report = report(0, 0, 0);
        report.notes.push("read at the base".into());
        report.notes.push("this change edits the policy".into());
        let out = render(&report, Caps::default());
        assert!(out.contains(
            "::notice title=provgate notes::read at the base%0Athis change edits the policy\n"
        ));
    }

    #[test]
    fn per_level_caps_hold_and_the_rest_is_counted() {
        let out = render(&report(15, 12, 0), Caps::default());
        assert_eq!(count(&out, "::error "), 10);
        assert_eq!(count(&out, "::warning "), 10);
        assert_eq!(count(&out, "::notice "), 1);
        assert!(out.contains("::notice title=provgate::7 more finding(s) not shown"));
        assert!(out.contains("at most 10 errors and 10 warnings per step"));
    }

    #[test]
    fn input_errors_come_out_of_the_error_cap() {
        let caps = Caps {
            total: 50,
            errors: 3,
            warnings: 3,
        };
        let out = render(&report(3, 0, 2), caps);
        assert_eq!(count(&out, "::error "), 3);
        assert_eq!(count(&out, "::error title=provgate input error::"), 2);
        assert!(out.contains("2 more finding(s) not shown"));
        let out = render(&report(0, 0, 5), caps);
        assert_eq!(count(&out, "::error "), 3);
        assert!(out.contains("0 more finding(s) and 2 input error(s) not shown"));
    }

    #[test]
    fn under_the_caps_nothing_is_noted() {
        let out = render(&report(10, 10, 0), Caps::default());
        assert_eq!(count(&out, "::notice "), 0);
        assert_eq!(count(&out, "::error ") + count(&out, "::warning "), 20);
    }
}
