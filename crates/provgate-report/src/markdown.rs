//! Markdown for a pull-request comment or a CI job summary: a verdict line, a table of patches,
//! and the findings, kept under the forges' size limit for one comment.

use std::fmt::Write;

use crate::{FindingReport, Report, Verdict};

/// GitHub rejects check outputs and comments longer than 65,535 characters.
pub const MAX_CHARS: usize = 65_000;

/// Renders the report as Markdown.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let verdict = report.verdict.map_or("read", Verdict::as_str);
    let icon = verdict_icon(report.verdict);
    let _ = writeln!(
        out,
        "## {icon} provgate: {verdict} — {} of {} patch{} failed\n",
        s.failed,
        s.patches,
        if s.patches == 1 { "" } else { "es" }
    );
    if let Some(policy) = &report.policy {
        let _ = writeln!(
            out,
            "Policy `{}` ({}, digest `{}`, mode `{}`) · {} AI-assisted · {} deny · {} warn · {} waived\n",
            policy.extends,
            policy.origin,
            short_digest(&policy.digest),
            policy.mode,
            s.ai_assisted,
            s.deny,
            s.warn,
            s.waived
        );
        if let Some(status) = &policy.status {
            let _ = writeln!(out, "Policy status: {status}\n");
        }
    }
    if !report.patches.is_empty() {
        out.push_str("| | patch | subject | AI | findings |\n|---|---|---|---|---|\n");
        for patch in &report.patches {
            let ai = match &patch.ai {
                Some(ai) if ai.disclosed => "declared",
                Some(ai) if !ai.fingerprints.is_empty() => "undisclosed",
                Some(_) => "—",
                None => "",
            };
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {ai} | {} |",
                verdict_icon(patch.verdict),
                patch.short_id(),
                escape(&patch.mailed_subject()),
                patch.findings.len()
            );
        }
        out.push('\n');
    }
    proofs(&mut out, report);
    let findings: Vec<&FindingReport> = report.all_findings().collect();
    if !findings.is_empty() {
        out.push_str("### Findings\n\n");
        let mut omitted = 0;
        for finding in &findings {
            let entry = finding_entry(finding);
            if out.len() + entry.len() > MAX_CHARS - 200 {
                omitted += 1;
                continue;
            }
            out.push_str(&entry);
        }
        if omitted > 0 {
            let _ = writeln!(
                out,
                "\n_{omitted} more finding(s) omitted to stay within the comment size limit; see the full report._"
            );
        }
    }
    if !report.errors.is_empty() {
        out.push_str("\n### Inputs that could not be read\n\n");
        for error in &report.errors {
            let line = error.line.map_or(String::new(), |l| format!(":{l}"));
            let _ = writeln!(out, "- `{}{line}`: {}", error.input, escape(&error.message));
        }
    }
    for note in &report.notes {
        let _ = writeln!(out, "\n> {}", escape(note));
    }
    out
}

/// The regression-test proofs, each run with the end of its output folded away.
fn proofs(out: &mut String, report: &Report) {
    let proven: Vec<_> = report
        .patches
        .iter()
        .filter_map(|p| Some((p, p.proof.as_ref()?)))
        .collect();
    if proven.is_empty() {
        return;
    }
    out.push_str("### Regression-test proofs\n\n");
    for (patch, proof) in proven {
        let _ = writeln!(
            out,
            "- `{}` {}: **{}** — {}",
            patch.short_id(),
            escape(&patch.subject),
            proof.outcome,
            escape(&proof.summary)
        );
        for (label, run) in [
            ("tests only", &proof.without_fix),
            ("whole patch", &proof.with_fix),
        ] {
            let Some(run) = run else { continue };
            // A fence inside the output would end the code block early.
            let output = run.output_tail.trim_end().replace("```", "'''");
            let _ = writeln!(
                out,
                "  <details><summary>{label}: {} in {} ms</summary>\n\n  ```\n{output}\n  ```\n  </details>",
                run.describe(),
                run.duration_ms,
            );
        }
    }
    out.push('\n');
}

fn finding_entry(finding: &FindingReport) -> String {
    let location = match (&finding.path, finding.line) {
        (Some(path), Some(line)) => format!(" `{path}:{line}`"),
        (Some(path), None) => format!(" `{path}`"),
        (None, Some(line)) => format!(" commit message line {line}"),
        (None, None) => String::new(),
    };
    let patch = finding
        .patch_id
        .as_deref()
        .map_or(String::new(), |p| format!(" in `{}`", crate::short_id(p)));
    let mut entry = format!(
        "- **{}** `{}`{location}{patch}: {}\n",
        finding.level,
        finding.rule,
        escape(&finding.message)
    );
    if let Some(help) = &finding.help {
        let _ = writeln!(entry, "  <br>help: {}", escape(help));
    }
    entry
}

/// The first 12 hex digits of a `sha256:…` digest.
fn short_digest(digest: &str) -> &str {
    let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
    &hex[..hex.len().min(12)]
}

fn verdict_icon(verdict: Option<Verdict>) -> &'static str {
    match verdict {
        Some(Verdict::Fail) => "❌",
        Some(Verdict::Warn) => "⚠️",
        Some(Verdict::Pass) => "✅",
        None => "",
    }
}

/// Keeps text from being read as table syntax or HTML.
fn escape(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', " ")
}
