//! SARIF 2.1.0, for GitHub code scanning and reviewdog: stable rule ids, repository-relative
//! paths and partial fingerprints, so that the same finding is matched across runs instead of
//! duplicated.
//!
//! What GitHub's ingestion asks of a result, and how provgate meets it:
//! - **A physical location on every result.** GitHub rejects the whole file when one result
//!   lacks `physicalLocation.artifactLocation.uri`, and shows a result only at a file and line.
//!   A finding about a file is placed at its file and line. A finding about a commit message or
//!   a whole patch has no file of its own: it is placed at the first line the commit adds to the
//!   first file it changes (a text file it does not delete, else any file it changes), so that
//!   it shows on the pull request's diff; its message and `properties` name the commit, its
//!   subject and the message line. A finding about a series or the policy, or about a patch
//!   that changes no file, is placed at the policy file, line 1 (`provgate.toml` when the
//!   policy is a preset or lies outside the repository), as in the Code Quality report.
//! - **A region**: `startLine` is always given (1 when the finding has no line).
//! - **Fingerprints that follow the finding, not the commit.** A rebase gives every commit a
//!   new id, so the fingerprint never includes one: it hashes the rule, the patch's subject, the
//!   file and the message with commit ids replaced by the subjects of the commits they name.
//!   The line is left out too, so that an edit above a finding does not make it new. Findings
//!   that would share a fingerprint get `-2`, `-3`… in report order, so each has its own.
//! - **Limits**: at most 25,000 results a run (GitHub's cap); a larger report keeps its `deny`
//!   findings first and says in the run's tool notifications how many were left out.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::{FindingReport, Level, PatchReport, Report};

/// The key under which each result's fingerprint is given. Version 2: no commit ids, so that a
/// rebase keeps every alert (version 1 hashed the patch id).
pub const FINGERPRINT_KEY: &str = "provgateFinding/v2";

/// The most results GitHub code scanning accepts in one run.
pub const MAX_RESULTS: usize = 25_000;

/// Renders the report as a SARIF 2.1.0 log with one run.
pub fn render(report: &Report) -> String {
    let rules: Vec<Value> = report.rules.iter().map(rule_descriptor).collect();
    let policy_path = crate::codequality::policy_path(report);
    let findings: Vec<&FindingReport> = report.all_findings().collect();
    let fingerprints = fingerprints(report);
    let mut results: Vec<(Level, Value)> = findings
        .iter()
        .zip(fingerprints)
        .map(|(finding, fingerprint)| {
            (
                finding.level,
                result(report, finding, fingerprint, &policy_path),
            )
        })
        .collect();
    // The run's own remarks (the policy read from the base, a change that edits it, a mode that
    // lowered failures) travel with the results, as they do in every other format.
    let mut notifications: Vec<Value> = report
        .notes
        .iter()
        .map(|note| json!({ "level": "note", "message": { "text": note } }))
        .collect();
    if results.len() > MAX_RESULTS {
        let left_out = results.len() - MAX_RESULTS;
        // Stable: deny findings first, each level in report order.
        results.sort_by_key(|(level, _)| std::cmp::Reverse(*level));
        results.truncate(MAX_RESULTS);
        notifications.push(json!({
            "level": "warning",
            "message": { "text": format!(
                "{left_out} finding(s) left out: GitHub code scanning accepts at most {MAX_RESULTS} results a run (deny findings were kept first); the full report is in `provgate check --format json` or `--format markdown`"
            ) },
        }));
    }
    let results: Vec<Value> = results.into_iter().map(|(_, r)| r).collect();
    let mut run = json!({
        "tool": {
            "driver": {
                "name": "provgate",
                "version": report.tool.version,
                "rules": rules,
            }
        },
        "originalUriBaseIds": {
            "%SRCROOT%": { "description": { "text": "The root of the checked repository." } }
        },
        "results": results,
        "properties": {
            "verdict": report.verdict,
            "policy": report.policy.as_ref().map(|p| json!({
                "origin": p.origin, "extends": p.extends, "digest": p.digest
            })),
        }
    });
    if !notifications.is_empty() {
        run["invocations"] = json!([{
            "executionSuccessful": true,
            "toolExecutionNotifications": notifications,
        }]);
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

/// GitHub requires a full description and help on every rule; both come from the rule's own
/// documentation (`provgate explain NAME`).
fn rule_descriptor(rule: &crate::RuleReport) -> Value {
    let doc = rule.name.rule().doc();
    // No `name`: SARIF wants it to differ from the id, and the id is already the readable name.
    json!({
        "id": rule.name,
        "shortDescription": { "text": rule.summary },
        "fullDescription": { "text": doc.what },
        "help": { "text": format!("{}\n\n{}", doc.fix, rule.help) },
    })
}

/// Where a result is shown, and why there.
struct Anchor {
    path: String,
    line: u32,
    /// `finding` (its own file), `changed-file` (a file its patch changes) or `policy-file`.
    kind: &'static str,
}

fn anchor(report: &Report, finding: &FindingReport, policy_path: &str) -> Anchor {
    let patch = finding.patch_id.as_deref().and_then(|id| report.patch(id));
    if let Some(path) = &finding.path {
        let first_added = || {
            patch
                .and_then(|p| p.files.iter().find(|f| relative(&f.path) == relative(path)))
                .and_then(|f| f.first_added)
        };
        let line = finding
            .line
            .filter(|&l| l > 0)
            .or_else(first_added)
            .unwrap_or(1);
        return Anchor {
            path: relative(path).to_string(),
            line,
            kind: "finding",
        };
    }
    // A line the commit adds to a text file is on the pull request's diff; a deleted or binary
    // file only has a name.
    let changed = patch.and_then(|p| {
        p.files
            .iter()
            .find(|f| f.status != "deleted" && !f.binary)
            .or_else(|| p.files.iter().find(|f| !f.binary))
            .or_else(|| p.files.first())
    });
    match changed {
        Some(file) => Anchor {
            path: relative(&file.path).to_string(),
            line: file.first_added.filter(|&l| l > 0).unwrap_or(1),
            kind: "changed-file",
        },
        None => Anchor {
            path: policy_path.to_string(),
            line: 1,
            kind: "policy-file",
        },
    }
}

fn result(
    report: &Report,
    finding: &FindingReport,
    fingerprint: String,
    policy_path: &str,
) -> Value {
    let level = if finding.level == Level::Deny {
        "error"
    } else {
        "warning"
    };
    let rule_index = report.rules.iter().position(|r| r.name == finding.rule);
    let patch = finding.patch_id.as_deref().and_then(|id| report.patch(id));
    let anchor = anchor(report, finding, policy_path);
    // A finding shown away from what it is about says where that is.
    let message_line = finding.line.filter(|_| finding.path.is_none());
    let mut message = finding.message.clone();
    if finding.path.is_none() {
        match (patch, finding.patch_id.as_deref(), message_line) {
            (Some(p), _, Some(line)) => message.push_str(&format!(
                "\n(commit {} \"{}\", message line {line})",
                p.short_id(),
                p.subject
            )),
            (Some(p), _, None) => {
                message.push_str(&format!("\n(commit {} \"{}\")", p.short_id(), p.subject))
            }
            (None, Some(id), _) => message.push_str(&format!("\n(in {})", crate::short_id(id))),
            (None, None, _) => {}
        }
    }
    if let Some(help) = &finding.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri_path(&anchor.path), "uriBaseId": "%SRCROOT%" },
            "region": { "startLine": anchor.line },
        }
    });
    if let Some(id) = &finding.patch_id {
        let name = patch.map_or(id.as_str(), |p| p.subject.as_str());
        location["logicalLocations"] =
            json!([{ "fullyQualifiedName": id, "name": name, "kind": "resource" }]);
    }
    let mut properties = json!({ "anchor": anchor.kind });
    if let Some(id) = &finding.patch_id {
        properties["patch"] = json!(id);
    }
    if let Some(p) = patch {
        properties["subject"] = json!(p.subject);
    }
    if let Some(line) = message_line {
        properties["messageLine"] = json!(line);
    }
    let mut result = json!({
        "ruleId": finding.rule,
        "level": level,
        "message": { "text": message },
        "locations": [location],
        "partialFingerprints": { FINGERPRINT_KEY: fingerprint },
        "properties": properties,
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    result
}

/// Paths are URIs relative to the repository root: only characters that are not allowed in a
/// URI path are escaped.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Repository paths without a leading `./`.
pub(crate) fn relative(path: &str) -> &str {
    let mut path = path;
    while let Some(rest) = path.strip_prefix("./") {
        path = rest;
    }
    path
}

/// The fingerprint of each of the report's findings, in [`Report::all_findings`] order: what
/// identifies the finding across runs and rebases (see the module documentation), made unique
/// with `-2`, `-3`… for findings that would otherwise share one.
pub(crate) fn fingerprints(report: &Report) -> Vec<String> {
    let subjects = CommitSubjects::of(report);
    let mut seen: HashMap<String, usize> = HashMap::new();
    report
        .all_findings()
        .map(|finding| {
            let base = fingerprint(finding, &subjects);
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { base } else { format!("{base}-{n}") }
        })
        .collect()
}

/// FNV-1a over the finding's content and place. Stable across provgate and Rust versions,
/// unlike `DefaultHasher`.
fn fingerprint<'a>(finding: &'a FindingReport, subjects: &CommitSubjects<'a>) -> String {
    let patch = finding
        .patch_id
        .as_deref()
        .map_or("", |id| subjects.patch_name(id));
    let message = subjects.replace_ids(&finding.message);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [
        finding.rule.as_str(),
        patch,
        finding.path.as_deref().map_or("", relative),
        message.as_str(),
    ] {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// The report's patches by id, and by the commit id their id starts with (a commit, or a
/// format-patch Message-ID), for taking commit ids out of fingerprints.
struct CommitSubjects<'a> {
    by_id: HashMap<&'a str, &'a PatchReport>,
    /// Keyed by the first 12 hex digits of the commit id.
    by_commit: HashMap<&'a str, &'a PatchReport>,
}

/// Commit ids in messages are at least this long (git's shortest abbreviation is 7, provgate
/// writes 12 or 40).
const MIN_ID: usize = 7;

impl<'a> CommitSubjects<'a> {
    fn of(report: &'a Report) -> Self {
        let mut by_id = HashMap::new();
        let mut by_commit = HashMap::new();
        for patch in &report.patches {
            by_id.insert(patch.id.as_str(), patch);
            let short = crate::short_id(&patch.id);
            if short.len() < patch.id.len() || is_commit_id(&patch.id) {
                by_commit.insert(&patch.id[..short.len().min(12)], patch);
            }
        }
        CommitSubjects { by_id, by_commit }
    }

    /// What names the patch `id` across rebases and resends: its subject (a rebase changes the
    /// commit id, a resend the Message-ID), or the id when it has none.
    fn patch_name(&self, id: &'a str) -> &'a str {
        match self.by_id.get(id) {
            Some(patch) if !patch.subject.is_empty() => &patch.subject,
            _ => id,
        }
    }

    /// `text` with each commit id of a patch of the report replaced by the patch's subject.
    fn replace_ids(&self, text: &str) -> String {
        if self.by_commit.is_empty() {
            return text.to_string();
        }
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut i = 0;
        while i < bytes.len() {
            let boundary = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
            let run = bytes[i..]
                .iter()
                .take_while(|b| b.is_ascii_hexdigit())
                .count();
            let ends = bytes
                .get(i + run)
                .is_none_or(|b| !b.is_ascii_alphanumeric());
            if boundary && ends && run >= MIN_ID {
                let key = &text[i..i + run.min(12)];
                let found = if run >= 12 {
                    self.by_commit.get(key).copied()
                } else {
                    let mut candidates = self.by_commit.iter().filter(|(k, _)| k.starts_with(key));
                    match (candidates.next(), candidates.next()) {
                        (Some((_, p)), None) => Some(*p),
                        _ => None,
                    }
                };
                if let Some(patch) = found {
                    out.push_str(&text[copied..i]);
                    out.push_str(&patch.subject);
                    copied = i + run;
                }
            }
            i += run.max(1);
        }
        out.push_str(&text[copied..]);
        out
    }
}

fn is_commit_id(id: &str) -> bool {
    (id.len() == 40 || id.len() == 64) && id.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Finding, RuleId};

    #[test]
    fn uri_paths_escape_only_what_they_must() {
        assert_eq!(uri_path("hw/arm/virt.c"), "hw/arm/virt.c");
        assert_eq!(uri_path("a b/é.c"), "a%20b/%C3%A9.c");
    }

    fn patch(id: &str, subject: &str) -> PatchReport {
        let mut p = PatchReport::from(&provgate_patch::Patch::new(
            id,
            provgate_patch::Origin::Diff { file: "x".into() },
        ));
        p.subject = subject.to_string();
        p
    }

    #[test]
    fn commit_ids_in_messages_become_subjects() {
        let mut report = Report::new("0");
        report
            .patches
            .push(patch(&"ab12".repeat(10), "hw/usb: check the length"));
        report.patches.push(patch(
            &format!("{}.1795315992.git.jane@example.org", "cd34".repeat(10)),
            "net: check the length",
        ));
        let subjects = CommitSubjects::of(&report);
        let text = format!(
            "patches: {}, {} and ab12ab1; not deadbeefcafe nor ab12ab12ab12x",
            "ab12".repeat(10),
            "cd34".repeat(10)
        );
        assert_eq!(
            subjects.replace_ids(&text),
            "patches: hw/usb: check the length, net: check the length and hw/usb: check the length; not deadbeefcafe nor ab12ab12ab12x"
        );
    }

    #[test]
    fn repeated_findings_get_their_own_fingerprint() {
        let mut report = Report::new("0");
        for line in [3, 9] {
            report.findings.push(FindingReport::new(
                Finding::new(RuleId::BidiControl, "same").at("a.c", Some(line)),
            ));
        }
        let prints = fingerprints(&report);
        assert_eq!(prints[1], format!("{}-2", prints[0]));
    }
}
