//! GitHub Actions workflow commands: one annotation per finding, capped, then a summary line.
//!
//! GitHub shows a limited number of annotations per step, so past the cap the rest are counted in
//! a notice instead of being silently dropped.

use std::fmt::Write;

use crate::{FindingReport, Level, Report, Verdict};

/// Annotations written before the rest are only counted.
pub const DEFAULT_MAX_ANNOTATIONS: usize = 50;

/// Renders the report as workflow commands, at most `max` annotations.
pub fn render(report: &Report, max: usize) -> String {
    let mut out = String::new();
    let findings: Vec<&FindingReport> = report.all_findings().collect();
    for finding in findings.iter().take(max) {
        let command = if finding.level == Level::Deny {
            "error"
        } else {
            "warning"
        };
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
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&message)
        );
    }
    if findings.len() > max {
        let _ = writeln!(
            out,
            "::notice title=provgate::{} more finding(s) not shown as annotations; see the full report (--format text or json)",
            findings.len() - max
        );
    }
    for error in &report.errors {
        let _ = writeln!(
            out,
            "::error title=provgate input error::{}",
            escape_data(&format!("{}: {}", error.input, error.message))
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

    #[test]
    fn escaping() {
        assert_eq!(escape_data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
