//! `ai-split-series`: small AI-assisted fixes to one area that together exceed the limit.

use std::collections::BTreeMap;

use super::{Finding, PatchContext, PatchFacts, Rule, RuleDoc, RuleId, SeriesContext};
use crate::evidence::AiWeight;
use crate::level::Level;

/// See [`DOC`].
pub struct AiSplitSeries;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::AiSplitSeries,
    summary: "A series splits an AI-assisted change into small fixes to one area that together exceed the line limit.",
    what: "With `[limits] forbid-splitting = true` and a limit set, groups the lines of code of a series' AI-assisted code patches by area (the file's first zone, else its first `area-depth` path components) and reports an area where two or more patches, each within the limit, together exceed it. A git range is one series, so repeated small fixes in a range are judged together. Patches whose only sign of AI use is of medium confidence (an agent's branch name, a tool line a person could paste) never make a deny: an area over the limit only with them is reported as a warning to confirm that names the sign.",
    why: "A limit on patch size is meaningless if a large AI-written change can be sent as many small patches; the later QEMU draft says so explicitly.",
    policy: "QEMU `llm-usage.rst` draft: splitting a change to get under the limit is not allowed; frequent repeated small fixes count as a full contribution. (The May 2026 proposal is silent on splitting; the `qemu` preset leaves this off.)",
    failing: "qemu-llm-usage preset, a series of three patches:\n\n[PATCH 1/3] hw/usb: check the setup packet length\n\nAI-used-for: code\n---\n hw/usb/core.c | 6 ++++++\n\n[PATCH 2/3] hw/usb: check the descriptor length\n\nAI-used-for: code\n---\n hw/usb/desc.c | 6 ++++++\n\n[PATCH 3/3] hw/usb: check the endpoint number\n\nAI-used-for: code\n---\n hw/usb/core.c | 6 ++++++\n",
    passing: "qemu-llm-usage preset, a series of two patches to different areas:\n\n[PATCH 1/2] hw/usb: check the setup packet length\n\nAI-used-for: code\n---\n hw/usb/core.c | 6 ++++++\n\n[PATCH 2/2] net: check the packet length\n\nAI-used-for: code\n---\n net/net.c | 6 ++++++\n",
    setup: super::ExampleSetup::NONE,
    fix: "Send the change as one contribution and get the maintainer's agreement beforehand, recorded as for `ai-line-limit`.",
};

/// The area of `path` when no zone names one.
fn area(path: &str, depth: u32) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    let dirs = &parts[..parts.len().saturating_sub(1)];
    if dirs.is_empty() {
        return "(top level)".to_string();
    }
    dirs.iter()
        .take(depth as usize)
        .copied()
        .collect::<Vec<_>>()
        .join("/")
        + "/"
}

impl Rule for AiSplitSeries {
    fn default_level(&self) -> Level {
        Level::Deny
    }
    fn applies(&self, policy: &crate::policy::Policy) -> bool {
        policy.ai.allowed && policy.limits.forbid_splitting && policy.limits.ai_code_lines.is_some()
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, _cx: &PatchContext<'_>) -> Vec<Finding> {
        Vec::new()
    }
    fn check_series(&self, cx: &SeriesContext<'_>) -> Vec<Finding> {
        let limits = &cx.policy.limits;
        if !limits.forbid_splitting || limits.ai_code_lines.is_none() {
            return Vec::new();
        }
        // Per area, the patches contributing and their lines; a patch whose AI evidence is only
        // a sign to confirm is kept apart, so that it never carries a deny on its own.
        let mut areas: BTreeMap<String, Area<'_>> = BTreeMap::new();
        for facts in cx.patches {
            let Some(weight) = facts.evidence.code_weight() else {
                continue;
            };
            if limits.exceeded(facts.code_lines) {
                continue;
            }
            for f in facts.files.iter().filter(|f| f.class.code_lines > 0) {
                let key = f
                    .zone
                    .zones
                    .first()
                    .map(|z| format!("zone {z}"))
                    .unwrap_or_else(|| area(&f.path, limits.area_depth));
                let entry = areas.entry(key).or_default();
                let part = match weight {
                    AiWeight::Confirmed => &mut entry.confirmed,
                    AiWeight::ToConfirm => &mut entry.to_confirm,
                };
                part.lines += f.class.code_lines;
                if !part.patches.iter().any(|p| p.patch.id == facts.patch.id) {
                    part.patches.push(facts);
                }
            }
        }
        let mut out = Vec::new();
        for (area, Area { confirmed, to_confirm }) in areas {
            let finding = |lines: u32, patches: &[&str]| {
                Finding::new(
                    DOC.id,
                    format!(
                        "{} AI-assisted patches change {lines} lines of code in {area} together; the policy allows {} and forbids splitting a change to get under the limit (patches: {})",
                        patches.len(),
                        limits.describe().unwrap_or_default(),
                        patches.join(", ")
                    ),
                )
                .help("treat the series as one contribution: get the maintainer's agreement beforehand and record it")
            };
            let (lines, patches) = together(&[&confirmed]);
            if patches.len() >= 2 && limits.exceeded(lines) {
                out.push(finding(lines, &patches));
                continue;
            }
            let (lines, patches) = together(&[&confirmed, &to_confirm]);
            if patches.len() >= 2
                && limits.exceeded(lines)
                && let Some(sign) = to_confirm.patches.first()
            {
                out.push(sign.evidence.to_confirm(finding(lines, &patches)));
            }
        }
        out
    }
}

/// The lines and the ids of the patches of `parts` together.
fn together<'a>(parts: &[&Part<'a>]) -> (u32, Vec<&'a str>) {
    let lines = parts.iter().map(|p| p.lines).sum();
    let patches = parts
        .iter()
        .flat_map(|p| p.patches.iter().map(|f| f.patch.id.as_str()))
        .collect();
    (lines, patches)
}

/// The patches of one area, split by how firmly they are AI-assisted code.
#[derive(Default)]
struct Area<'a> {
    confirmed: Part<'a>,
    to_confirm: Part<'a>,
}

#[derive(Default)]
struct Part<'a> {
    lines: u32,
    patches: Vec<&'a PatchFacts<'a>>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn areas() {
        assert_eq!(super::area("hw/usb/dev.c", 2), "hw/usb/");
        assert_eq!(super::area("hw/usb/x/dev.c", 1), "hw/");
        assert_eq!(super::area("vl.c", 2), "(top level)");
    }
}
