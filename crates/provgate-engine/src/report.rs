//! Turning what was read and what the policy decided into the one report every format renders.

use std::collections::HashMap;

use provgate_patch::{Patch, Series};
use provgate_policy::{CheckResult, CodeNote, Finding, Level, RuleId, Verdict};
use provgate_report::{
    AiReport, FindingReport, NoteReport, PolicyReport, Report, RuleReport, SeriesReport, Snippet,
    WaivedReport,
};

use crate::ReadResult;

/// Lines shown on each side of a finding's line.
const SNIPPET_RADIUS: u32 = 2;

/// Builds the report of a check.
pub fn build(read: &ReadResult, result: Option<&CheckResult>) -> Report {
    let mut report = Report::new(env!("CARGO_PKG_VERSION"));
    report.inputs = read.inputs.clone();
    report.summary.merges_skipped = read.merges_skipped;
    report.summary.not_patches = read.not_patches;
    for error in &read.errors {
        report.push_error(error.clone());
    }
    report.notes.extend(read.notes.iter().cloned());
    let mut patches: HashMap<&str, &Patch> = HashMap::new();
    for series in &read.series {
        report.push_series(series_report(series));
        for patch in series.cover.iter().chain(&series.patches) {
            report.push_patch(patch);
            patches.insert(patch.id.as_str(), patch);
        }
    }
    let Some(result) = result else {
        return report;
    };

    report.policy = Some(PolicyReport {
        origin: result.policy.origin.clone(),
        extends: result.policy.extends.clone(),
        digest: result.policy.digest.clone(),
        mode: result.policy.mode,
        stage: result.stage,
        status: result.policy.status.as_ref().map(|s| s.describe()),
    });
    let finding = |f: &Finding| finding_report(f, &patches);
    // Patches are matched to results in order, so a patch given twice gets both results.
    let mut next_slot: HashMap<String, usize> = HashMap::new();
    for series_result in &result.series {
        if let Some(entry) = report
            .series
            .iter_mut()
            .find(|s| s.id == series_result.id && s.verdict.is_none())
        {
            entry.findings = series_result.findings.iter().map(finding).collect();
            entry.verdict = Some(series_result.verdict);
        }
        for patch_result in &series_result.patches {
            let start = next_slot.get(&patch_result.id).copied().unwrap_or(0);
            let Some(offset) = report.patches[start..]
                .iter()
                .position(|p| p.id == patch_result.id)
            else {
                continue;
            };
            let index = start + offset;
            next_slot.insert(patch_result.id.clone(), index + 1);
            let entry = &mut report.patches[index];
            entry.ai = Some(AiReport {
                disclosed: patch_result.ai.disclosed,
                declarations: to_values(&patch_result.ai.declarations),
                fingerprints: to_values(&patch_result.ai.fingerprints),
                human_help: to_values(&patch_result.ai.human_help),
                authorship: to_values(&patch_result.ai.authorship),
            });
            entry
                .notes
                .extend(
                    patch_result
                        .ai
                        .authorship_problems
                        .iter()
                        .map(|message| NoteReport {
                            kind: "ai-note".to_string(),
                            message: message.clone(),
                        }),
                );
            entry.code_lines = Some(patch_result.code_lines);
            entry.findings = patch_result.findings.iter().map(finding).collect();
            entry.verdict = Some(patch_result.verdict);
            for (file, file_result) in entry.files.iter_mut().zip(&patch_result.files) {
                file.zones = Some(file_result.zones.clone());
                file.kind = Some(file_result.kind.as_str().to_string());
            }
            entry.mechanical =
                patch_result
                    .mechanical
                    .as_ref()
                    .map(|m| provgate_report::MechanicalReport {
                        from: m.from.clone(),
                        to: m.to.clone(),
                        pairs: m.pairs,
                    });
            entry.notes.extend(not_analysed(&patch_result.code_notes));
            if patch_result.ai.ai_assisted() {
                report.summary.ai_assisted += 1;
            }
            match patch_result.verdict {
                Verdict::Fail => report.summary.failed += 1,
                Verdict::Warn => report.summary.warned += 1,
                Verdict::Pass => {}
            }
        }
    }
    report.findings = result.findings.iter().map(finding).collect();
    report.waived = result
        .waived
        .iter()
        .map(|w| WaivedReport {
            finding: finding(&w.finding),
            reason: w.reason.clone(),
            exception_line: w.exception_line,
        })
        .collect();
    report.summary.waived = report.waived.len();
    let (deny, warn) = report.all_findings().fold((0, 0), |(d, w), f| {
        if f.level == Level::Deny {
            (d + 1, w)
        } else {
            (d, w + 1)
        }
    });
    report.summary.deny = deny;
    report.summary.warn = warn;
    let mut rules: Vec<RuleId> = report.all_findings().map(|f| f.rule).collect();
    rules.sort();
    rules.dedup();
    report.rules = rules
        .into_iter()
        .map(|name| RuleReport {
            summary: name.rule().doc().summary.to_string(),
            help: format!("provgate explain {name}"),
            name,
        })
        .collect();
    report.notes.extend(result.mode_note.iter().cloned());
    report.notes.extend(result.notes.iter().cloned());
    report.verdict = Some(result.verdict);
    report
}

/// A region of a file by its first line, and as it is written (`221-224`).
type Region = (u32, String);

/// The code analysis's notes, one per file and reason with the regions listed
/// (`xen/drivers/char/uart.c:49, 70, 221-224: does not parse as C; …`): a file the grammar
/// stumbles on at many places would otherwise fill a report with near-identical lines.
fn not_analysed(notes: &[CodeNote]) -> Vec<NoteReport> {
    let mut grouped: Vec<(&str, &str, Vec<Region>)> = Vec::new();
    for note in notes {
        let region = match (note.line, note.end_line) {
            (Some(start), Some(end)) if end > start => Some((start, format!("{start}-{end}"))),
            (Some(start), _) => Some((start, start.to_string())),
            (None, _) => None,
        };
        match grouped
            .iter_mut()
            .find(|(path, message, _)| *path == note.path && *message == note.message)
        {
            Some((_, _, regions)) => regions.extend(region),
            None => grouped.push((&note.path, &note.message, region.into_iter().collect())),
        }
    }
    grouped
        .into_iter()
        .map(|(path, message, mut regions)| {
            regions.sort();
            let regions: Vec<String> = regions.into_iter().map(|(_, text)| text).collect();
            NoteReport {
                kind: "not-analysed".to_string(),
                message: match (path, regions.is_empty()) {
                    ("", _) => message.to_string(),
                    (path, true) => format!("{path}: {message}"),
                    (path, false) => format!("{path}:{}: {message}", regions.join(", ")),
                },
            }
        })
        .collect()
}

fn series_report(series: &Series) -> SeriesReport {
    let headline = series.cover.as_ref().or(series.patches.first());
    SeriesReport {
        id: series.id.clone(),
        version: series.version,
        total: series.total,
        cover: series.cover.as_ref().map(|c| c.id.clone()),
        patches: series.patches.iter().map(|p| p.id.clone()).collect(),
        missing: series.missing(),
        subject: headline
            .map(|p| provgate_report::PatchReport::from(p).mailed_subject())
            .unwrap_or_default(),
        findings: Vec::new(),
        verdict: None,
    }
}

fn finding_report(finding: &Finding, patches: &HashMap<&str, &Patch>) -> FindingReport {
    let patch = finding.patch_id.as_deref().and_then(|id| patches.get(id));
    let snippet = match (patch, &finding.path, finding.line) {
        (Some(patch), Some(path), Some(line)) => {
            Snippet::from_file_line(patch, path, line, SNIPPET_RADIUS)
        }
        (Some(patch), None, Some(line)) => {
            Snippet::from_message_line(&patch.message, line, SNIPPET_RADIUS)
        }
        _ => None,
    };
    FindingReport {
        finding: finding.clone(),
        snippet,
    }
}

fn to_values<T: serde::Serialize>(items: &[T]) -> Vec<serde_json::Value> {
    items
        .iter()
        .filter_map(|i| serde_json::to_value(i).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(path: &str, line: Option<u32>, end_line: Option<u32>, message: &str) -> CodeNote {
        CodeNote {
            path: path.into(),
            line,
            end_line,
            message: message.into(),
        }
    }

    #[test]
    fn not_analysed_notes_are_one_per_file_and_reason() {
        let parse = "does not parse as C; calls there were not analysed";
        let notes = [
            note("a.c", Some(49), Some(49), parse),
            note("a.c", Some(221), Some(224), parse),
            note("b.c", Some(3), None, parse),
            note("a.c", Some(70), Some(70), parse),
            note(
                "x.zig",
                None,
                None,
                "no grammar for this language; not analysed",
            ),
            note("", None, None, "no index of the base"),
        ];
        let messages: Vec<String> = not_analysed(&notes)
            .into_iter()
            .map(|n| n.message)
            .collect();
        assert_eq!(
            messages,
            [
                format!("a.c:49, 70, 221-224: {parse}"),
                format!("b.c:3: {parse}"),
                "x.zig: no grammar for this language; not analysed".to_string(),
                "no index of the base".to_string(),
            ]
        );
    }
}
