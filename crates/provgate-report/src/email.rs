//! A plain-text reply for a mailing-list bot, patchew-style: one message per series, quoting the
//! series subject and Message-ID, the findings between `=== OUTPUT BEGIN ===` and
//! `=== OUTPUT END ===`, checkpatch's vocabulary (ERROR/WARNING, `#N: FILE: path:line:`).

use std::fmt::Write;

use crate::{FindingReport, Level, PatchReport, Report, SeriesReport, Verdict};

/// Renders one reply per series, separated by a line of `=`.
pub fn render(report: &Report) -> String {
    let mut replies: Vec<String> = report
        .series
        .iter()
        .map(|series| series_reply(report, series))
        .collect();
    // Patches outside any series (plain diffs) get one reply together.
    let loose: Vec<&PatchReport> = report
        .patches
        .iter()
        .filter(|p| {
            !report
                .series
                .iter()
                .any(|s| s.patches.contains(&p.id) || s.cover.as_ref() == Some(&p.id))
        })
        .collect();
    if !loose.is_empty() {
        let subject = loose[0].mailed_subject();
        replies.push(reply(report, &subject, None, &loose, &[]));
    }
    replies.join(&format!("\n{}\n\n", "=".repeat(72)))
}

fn series_reply(report: &Report, series: &SeriesReport) -> String {
    let patches: Vec<&PatchReport> = series
        .patches
        .iter()
        .filter_map(|id| report.patch(id))
        .collect();
    let message_id = series
        .cover
        .as_deref()
        .or(series.patches.first().map(String::as_str));
    reply(
        report,
        &series.subject,
        message_id,
        &patches,
        &series.findings,
    )
}

fn reply(
    report: &Report,
    subject: &str,
    message_id: Option<&str>,
    patches: &[&PatchReport],
    series_findings: &[FindingReport],
) -> String {
    let failed = patches.iter().any(|p| p.verdict == Some(Verdict::Fail))
        || series_findings.iter().any(|f| f.level == Level::Deny);
    let warned = patches.iter().any(|p| !p.findings.is_empty()) || !series_findings.is_empty();
    let mut out = String::new();
    out.push_str("Hi,\n\n");
    out.push_str(if failed {
        "This series seems to have some problems with the project's AI-contribution policy.\nSee output below for more information:\n\n"
    } else if warned {
        "This series passed the project's AI-contribution policy check, with warnings.\nSee output below for more information:\n\n"
    } else {
        "This series passed the project's AI-contribution policy check.\n\n"
    });
    let _ = writeln!(out, "Subject: {subject}");
    if let Some(id) = message_id {
        let _ = writeln!(out, "Message-id: <{id}>");
    }
    out.push_str("Type: series\n\n=== OUTPUT BEGIN ===\n");
    let total = patches.len();
    let (mut errors, mut warnings) = (0, 0);
    for (i, patch) in patches.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}/{total} Checking commit {} ({})",
            i + 1,
            patch.short_id(),
            patch.subject
        );
        if let Some(proof) = &patch.proof {
            let _ = writeln!(
                out,
                "Regression-test proof: {}: {}",
                proof.outcome, proof.summary
            );
        }
        for finding in &patch.findings {
            finding_lines(&mut out, finding);
            if finding.level == Level::Deny {
                errors += 1;
            } else {
                warnings += 1;
            }
        }
        let _ = writeln!(
            out,
            "total: {} errors, {} warnings\n",
            patch
                .findings
                .iter()
                .filter(|f| f.level == Level::Deny)
                .count(),
            patch
                .findings
                .iter()
                .filter(|f| f.level != Level::Deny)
                .count()
        );
    }
    if !series_findings.is_empty() {
        out.push_str("Series:\n");
        for finding in series_findings {
            finding_lines(&mut out, finding);
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "total: {errors} errors, {warnings} warnings in {total} patches"
    );
    out.push_str("=== OUTPUT END ===\n\n");
    let _ = writeln!(
        out,
        "Test command exited with code: {}",
        if failed { 1 } else { 0 }
    );
    if let Some(policy) = &report.policy {
        let _ = writeln!(
            out,
            "Policy: {} ({}), digest {}",
            policy.extends, policy.origin, policy.digest
        );
        if let Some(status) = &policy.status {
            let _ = writeln!(out, "Policy status: {status}");
        }
    }
    // Where the policy was read and a series that edits it: a maintainer reading the reply
    // must know which policy judged.
    for note in &report.notes {
        let _ = writeln!(out, "Note: {note}");
    }
    let _ = writeln!(
        out,
        "\n---\nEmail generated automatically by provgate {}.",
        report.tool.version
    );
    out
}

fn finding_lines(out: &mut String, finding: &FindingReport) {
    let label = if finding.level == Level::Deny {
        "ERROR"
    } else {
        "WARNING"
    };
    let _ = writeln!(out, "{label}: [{}] {}", finding.rule, finding.message);
    match (&finding.path, finding.line, &finding.snippet) {
        (Some(path), Some(line), Some(snippet)) => {
            let _ = writeln!(out, "#{line}: FILE: {path}:{line}:");
            let index = (snippet.target - snippet.first_line) as usize;
            if let Some(text) = snippet.lines.get(index) {
                let _ = writeln!(out, "+{text}");
            }
        }
        (Some(path), Some(line), None) => {
            let _ = writeln!(out, "#{line}: FILE: {path}:{line}:");
        }
        (None, Some(_), Some(snippet)) => {
            let index = (snippet.target - snippet.first_line) as usize;
            if let Some(text) = snippet.lines.get(index) {
                let _ = writeln!(out, "> {text}");
            }
        }
        _ => {}
    }
    if let Some(help) = &finding.help {
        let _ = writeln!(out, "  help: {help}");
    }
}
