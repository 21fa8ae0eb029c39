//! SARIF 2.1.0, for code scanning and reviewdog: stable rule ids, repository-relative paths and
//! partial fingerprints, so that the same finding is matched across runs instead of duplicated.

use serde_json::{Value, json};

use crate::{FindingReport, Level, Report};

/// The key under which each result's fingerprint is given.
pub const FINGERPRINT_KEY: &str = "provgateFinding/v1";

/// Renders the report as a SARIF 2.1.0 log with one run.
pub fn render(report: &Report) -> String {
    let rules: Vec<Value> = report
        .rules
        .iter()
        .map(|rule| {
            json!({
                "id": rule.name,
                "name": rule.name,
                "shortDescription": { "text": rule.summary },
                "help": { "text": rule.help },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .all_findings()
        .map(|finding| result(report, finding))
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
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
        }]
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

fn result(report: &Report, finding: &FindingReport) -> Value {
    let level = if finding.level == Level::Deny {
        "error"
    } else {
        "warning"
    };
    let rule_index = report.rules.iter().position(|r| r.name == finding.rule);
    let mut message = finding.message.clone();
    if let Some(help) = &finding.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let mut location = serde_json::Map::new();
    if let Some(path) = &finding.path {
        let mut physical = json!({
            "artifactLocation": { "uri": uri_path(path), "uriBaseId": "%SRCROOT%" }
        });
        if let Some(line) = finding.line.filter(|&l| l > 0) {
            physical["region"] = json!({ "startLine": line });
        }
        location.insert("physicalLocation".into(), physical);
    }
    if let Some(patch) = &finding.patch_id {
        let subject = report.patch(patch).map(|p| p.subject.clone());
        location.insert(
            "logicalLocations".into(),
            json!([{ "fullyQualifiedName": patch, "name": subject.unwrap_or_else(|| patch.clone()), "kind": "resource" }]),
        );
    }
    let mut result = json!({
        "ruleId": finding.rule,
        "level": level,
        "message": { "text": message },
        "partialFingerprints": { FINGERPRINT_KEY: fingerprint(finding) },
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    if !location.is_empty() {
        result["locations"] = json!([Value::Object(location)]);
    }
    if let Some(patch) = &finding.patch_id {
        result["properties"] = json!({ "patch": patch });
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

/// FNV-1a over what identifies a finding across runs (not the line, which moves with edits
/// elsewhere in the file). Stable across provgate and Rust versions, unlike `DefaultHasher`.
pub(crate) fn fingerprint(finding: &FindingReport) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [
        finding.rule.as_str(),
        finding.patch_id.as_deref().unwrap_or(""),
        finding.path.as_deref().unwrap_or(""),
        finding.message.as_str(),
    ] {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_paths_escape_only_what_they_must() {
        assert_eq!(uri_path("hw/arm/virt.c"), "hw/arm/virt.c");
        assert_eq!(uri_path("a b/é.c"), "a%20b/%C3%A9.c");
    }
}
