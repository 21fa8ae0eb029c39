//! The human rendering, in checkpatch's spirit: patch by patch, what was read and every finding
//! with the rule's name, the file and line, the offending lines and what to do; then a summary.

use std::fmt::Write;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet as Frame};

use crate::{FindingReport, PatchReport, Report};

/// How to render text.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// Use terminal colours.
    pub color: bool,
    /// Only findings and the summary: leave out what was read.
    pub quiet: bool,
    /// List the inputs that could not be read (a caller printing them elsewhere says no).
    pub errors: bool,
}

/// Renders the report for a terminal or a log.
pub fn render(report: &Report, options: TextOptions) -> String {
    let renderer = if options.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    let mut shown = vec![false; report.patches.len()];
    let position = |id: &str| report.patches.iter().position(|p| p.id == id);

    for series in &report.series {
        if !options.quiet {
            series_header(&mut out, series);
        }
        for id in series.cover.iter().chain(&series.patches) {
            if let Some(i) = position(id) {
                shown[i] = true;
                patch_block(&mut out, &report.patches[i], options, &renderer);
            }
        }
        for finding in &series.findings {
            finding_block(&mut out, finding, &renderer);
        }
    }
    for (i, patch) in report.patches.iter().enumerate() {
        if !shown[i] {
            patch_block(&mut out, patch, options, &renderer);
        }
    }
    for finding in &report.findings {
        finding_block(&mut out, finding, &renderer);
    }
    for waived in &report.waived {
        let _ = writeln!(
            out,
            "waived[{}]: {} (exception at line {}: {})",
            waived.finding.rule, waived.finding.message, waived.exception_line, waived.reason
        );
    }
    for error in report.errors.iter().filter(|_| options.errors) {
        let line = error.line.map_or(String::new(), |l| format!(":{l}"));
        let _ = writeln!(out, "error: {}{line}: {}", error.input, error.message);
        if let Some(hint) = &error.hint {
            let _ = writeln!(out, "  hint: {hint}");
        }
    }
    for note in &report.notes {
        let _ = writeln!(out, "note: {note}");
    }
    summary(&mut out, report);
    out
}

fn series_header(out: &mut String, series: &crate::SeriesReport) {
    let total = series
        .total
        .map_or(String::new(), |t| format!(", {t} announced"));
    let n = series.patches.len();
    let _ = writeln!(
        out,
        "series {} v{} ({n} patch{}{total})",
        series.id,
        series.version,
        if n == 1 { "" } else { "es" }
    );
    if !series.missing.is_empty() {
        let missing: Vec<String> = series.missing.iter().map(u32::to_string).collect();
        let _ = writeln!(out, "  missing: {}", missing.join(", "));
    }
}

fn patch_block(out: &mut String, patch: &PatchReport, options: TextOptions, renderer: &Renderer) {
    if options.quiet && patch.findings.is_empty() {
        return;
    }
    let verdict = patch.verdict.map_or(String::new(), |v| format!("  [{v}]"));
    let _ = writeln!(
        out,
        "  {}  {}{verdict}",
        patch.short_id(),
        patch.mailed_subject()
    );
    if !options.quiet {
        patch_details(out, patch);
    }
    for finding in &patch.findings {
        finding_block(out, finding, renderer);
    }
}

fn patch_details(out: &mut String, patch: &PatchReport) {
    let author = patch
        .author
        .as_ref()
        .map_or("unknown author".to_string(), |a| {
            format!("{} <{}>", a.name, a.email)
        });
    let date = patch.date.as_deref().unwrap_or("no date");
    let _ = writeln!(out, "      author: {author}, {date}");
    for trailer in &patch.trailers {
        let _ = writeln!(out, "      {}: {}", trailer.key, trailer.value);
    }
    for file in &patch.files {
        let counts = match (file.added, file.removed) {
            (Some(a), Some(r)) => format!("+{a} -{r}"),
            _ => "binary".to_string(),
        };
        let from = file
            .old_path
            .as_ref()
            .map_or(String::new(), |old| format!(" (from {old})"));
        let mut class = Vec::new();
        if let Some(kind) = &file.kind {
            class.push(kind.clone());
        }
        if let Some(zones) = file.zones.as_ref().filter(|z| !z.is_empty()) {
            class.push(format!("zone {}", zones.join(", ")));
        }
        let class = if class.is_empty() {
            String::new()
        } else {
            format!("  [{}]", class.join("; "))
        };
        let _ = writeln!(
            out,
            "      {:<12} {}{from}  {counts}{class}",
            file.status, file.path
        );
    }
    if let Some(ai) = &patch.ai {
        let declared: Vec<String> = ai
            .declarations
            .iter()
            .filter_map(|d| {
                let key = d.get("trailer")?.as_str()?;
                let value = d.get("value")?.as_str()?;
                Some(format!("{key}: {value}"))
            })
            .collect();
        let state = if ai.disclosed {
            format!("disclosed ({})", declared.join("; "))
        } else if !declared.is_empty() {
            format!(
                "declared in a trailer the policy does not accept ({})",
                declared.join("; ")
            )
        } else if !ai.fingerprints.is_empty() {
            format!("undisclosed, {} fingerprint(s)", ai.fingerprints.len())
        } else {
            "none".to_string()
        };
        let code = patch
            .code_lines
            .map_or(String::new(), |n| format!(", {n} line(s) of code"));
        let _ = writeln!(out, "      ai: {state}{code}");
        for help in &ai.human_help {
            let key = help.get("trailer").and_then(|v| v.as_str()).unwrap_or("");
            let value = help.get("value").and_then(|v| v.as_str()).unwrap_or("");
            let _ = writeln!(out, "      human help (not AI): {key}: {value}");
        }
    }
    if let Some(m) = &patch.mechanical {
        let _ = writeln!(
            out,
            "      mechanical: `{}` -> `{}` on {} line pair(s)",
            m.from, m.to, m.pairs
        );
    }
    if let Some(proof) = &patch.proof {
        proof_lines(out, proof);
    }
    for note in &patch.notes {
        let _ = writeln!(out, "      note: {}", note.message);
    }
}

fn proof_lines(out: &mut String, proof: &crate::ProofReport) {
    let _ = writeln!(out, "      proof: {}: {}", proof.outcome, proof.summary);
    if proof.without_fix.is_none() && proof.with_fix.is_none() {
        return;
    }
    let _ = writeln!(
        out,
        "        base {}, command `{}`",
        crate::short_id(&proof.base),
        proof.command
    );
    for (label, run) in [
        ("tests only", &proof.without_fix),
        ("whole patch", &proof.with_fix),
    ] {
        let Some(run) = run else { continue };
        let _ = writeln!(
            out,
            "        {label}: {} in {} ms",
            run.describe(),
            run.duration_ms
        );
        // The last lines are where a test runner says what failed.
        for line in tail_lines(&run.output_tail, 5) {
            let _ = writeln!(out, "          | {line}");
        }
    }
}

/// The last `n` non-empty lines of `text`.
fn tail_lines(text: &str, n: usize) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].to_vec()
}

fn finding_block(out: &mut String, finding: &FindingReport, renderer: &Renderer) {
    let level = if finding.level == provgate_policy::Level::Deny {
        Level::ERROR
    } else {
        Level::WARNING
    };
    let source;
    let mut group = Group::with_title(
        level
            .primary_title(finding.message.as_str())
            .id(finding.rule.as_str()),
    );
    let location = match (&finding.path, finding.line) {
        (Some(path), Some(line)) => Some(format!("{path}:{line}")),
        (Some(path), None) => Some(path.clone()),
        (None, Some(line)) => Some(format!("commit message, line {line}")),
        (None, None) => None,
    };
    match &finding.snippet {
        Some(snippet) => {
            source = snippet.source();
            group = group.element(
                Frame::source(source.as_str())
                    .line_start(snippet.first_line as usize)
                    .path(snippet.origin.as_str())
                    .fold(false)
                    .annotation(AnnotationKind::Primary.span(snippet.target_span())),
            );
        }
        None => {
            if let Some(location) = &location {
                group = group.element(Level::NOTE.message(format!("at {location}")));
            }
        }
    }
    if let Some(patch) = &finding.patch_id {
        group = group.element(Level::NOTE.message(format!("in {}", crate::short_id(patch))));
    }
    if let Some(help) = &finding.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    let _ = writeln!(out, "{}", renderer.render(&[group]));
}

fn summary(out: &mut String, report: &Report) {
    let s = &report.summary;
    let _ = writeln!(
        out,
        "{} patch{}, {} cover letter{}, {} series, {} file{} (+{} -{}), {} merge{} skipped, {} other message{}, {} error{}",
        s.patches,
        plural_es(s.patches),
        s.cover_letters,
        plural(s.cover_letters),
        s.series,
        s.files,
        plural(s.files),
        s.added,
        s.removed,
        s.merges_skipped,
        plural(s.merges_skipped),
        s.not_patches,
        plural(s.not_patches),
        s.errors,
        plural(s.errors)
    );
    if let (Some(verdict), Some(policy)) = (&report.verdict, &report.policy) {
        let _ = writeln!(
            out,
            "policy {} ({}): {verdict}: {} failed, {} with warnings, {} AI-assisted; {} deny, {} warn, {} waived",
            policy.extends,
            policy.origin,
            s.failed,
            s.warned,
            s.ai_assisted,
            s.deny,
            s.warn,
            s.waived
        );
        if let Some(status) = &policy.status {
            let _ = writeln!(out, "policy status: {status}");
        }
    } else if let Some(verdict) = &report.verdict {
        let _ = writeln!(out, "{verdict}: {} failed", s.failed);
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn plural_es(n: usize) -> &'static str {
    if n == 1 { "" } else { "es" }
}
