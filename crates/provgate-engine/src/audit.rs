//! What the audit log records of a judgement: the engine decides, the store persists.

use provgate_report::Report;
use provgate_store::{InputRef, NewEntry, PolicyRef, SubjectRef, ToolRef};

/// The entry for a finished report.
///
/// `command` is `check`, `scan` or `prove`; `input_sha256` is the digest of the raw input (see
/// [`NewEntry::input_sha256`]). Subjects are the report's patches (cover letters included, with a
/// null verdict); findings are [`Report::all_findings`].
pub fn entry_for_report(command: &str, report: &Report, input_sha256: &str) -> NewEntry {
    NewEntry {
        command: command.to_string(),
        tool: ToolRef {
            name: report.tool.name.to_string(),
            version: report.tool.version.clone(),
        },
        inputs: report
            .inputs
            .iter()
            .map(|i| InputRef {
                name: i.name.clone(),
                kind: i.kind.to_string(),
            })
            .collect(),
        input_sha256: input_sha256.to_string(),
        subjects: report
            .patches
            .iter()
            .map(|p| SubjectRef {
                id: p.id.clone(),
                verdict: p.verdict,
            })
            .collect(),
        policy: report.policy.as_ref().map(PolicyRef::from),
        findings: report.all_findings().map(|f| f.finding.clone()).collect(),
        verdict: report.verdict,
    }
}
