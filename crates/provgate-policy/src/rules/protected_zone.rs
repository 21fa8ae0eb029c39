//! `protected-zone`: an AI-assisted patch in a protected zone without recorded agreement.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::level::Level;
use crate::policy::Kind;

/// See [`DOC`].
pub struct ProtectedZone;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::ProtectedZone,
    summary: "An AI-assisted patch touches a protected zone and no maintainer agreement is recorded.",
    what: "Reports each non-exempt file in a zone with `tier = \"protected\"` changed by an AI-assisted patch, unless agreement is recorded: a trailer listed in `[agreement] trailers` (e.g. `Acked-by`) from a person allowed to agree for that file (`from = \"zone-maintainer\"`: a MAINTAINERS `M:` of its sections or one of the zone's `maintainers`; `from = \"anyone\"`: any human other than the author), in the patch or in a reply to it (counted only when the trailer's address is the reply sender's, through the repository's `.mailmap`, as b4 counts it), or an `[[exception]]` covering the finding. When the declared AI use is only tests or docs, test and documentation files are not reported. A patch whose only sign of AI use is of medium confidence (an agent's branch name, a tool line a person could paste) is reported as a warning to confirm that names the sign, never a deny; a disclosure or a high-confidence mark gives the rule's level.",
    why: "Code that other things depend on is where a copyright problem would spread and be hard to revert; the policy keeps it off-limits unless a maintainer agreed beforehand, and the agreement must be on record to be checkable.",
    policy: "QEMU May 2026 proposal: \"core code that other things depend on\" is off-limits unless a maintainer agrees beforehand; the text does not define core by path and prior agreement leaves no trailer, so the project defines protected zones and records agreement in the policy file or with a configured trailer. QEMU `llm-usage.rst` draft: large LLM-created work must be pre-arranged with a maintainer.",
    failing: "qemu preset, with this provgate.toml:\n[[zone]]\nname = \"core\"\ntier = \"protected\"\npaths = [\"include/qemu/\"]\nmaintainers = [\"Core Maintainer <core@example.org>\"]\n[agreement]\ntrailers = [\"Acked-by\"]\n\ninclude/qemu/atomic: order the fence\n\nAI-used-for: code\nSigned-off-by: Jane Doe <jane@example.org>\n---\n include/qemu/atomic.h | 2 +-\n",
    passing: "qemu preset, the same provgate.toml; the zone's maintainer agreed:\n\ninclude/qemu/atomic: order the fence\n\nAI-used-for: code\nSigned-off-by: Jane Doe <jane@example.org>\nAcked-by: Core Maintainer <core@example.org>\n---\n include/qemu/atomic.h | 2 +-\n",
    setup: super::ExampleSetup {
        policy: "[[zone]]\nname = \"core\"\ntier = \"protected\"\npaths = [\"include/qemu/\"]\nmaintainers = [\"Core Maintainer <core@example.org>\"]\n[agreement]\ntrailers = [\"Acked-by\"]\n",
        ..super::ExampleSetup::NONE
    },
    fix: "Ask the zone's maintainer before sending; record the agreement with the configured trailer from that maintainer, or as an `[[exception]]` with a reason (a link to the agreement) and an expiry.",
};

impl Rule for ProtectedZone {
    fn default_level(&self) -> Level {
        Level::Deny
    }
    fn applies(&self, policy: &crate::policy::Policy) -> bool {
        policy.ai.allowed
            && policy
                .zone_defs
                .iter()
                .any(|z| z.tier == crate::policy::Tier::Protected)
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn ai_premise(&self, _policy: &crate::policy::Policy) -> Option<super::AiPremise> {
        Some(super::AiPremise::Assisted)
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        let ev = &cx.facts.evidence;
        if !ev.ai_assisted() {
            return Vec::new();
        }
        let ai_code = ev.ai_code();
        let files: Vec<_> = cx
            .protected_files()
            .into_iter()
            .filter(|f| ai_code || !matches!(f.class.kind, Kind::Tests | Kind::Docs))
            .collect();
        if files.is_empty() || cx.has_agreement(&files) {
            return Vec::new();
        }
        let trailers = &cx.policy.agreement.trailers;
        let how = if trailers.is_empty() {
            "record the maintainer's prior agreement as an [[exception]] in the policy file"
                .to_string()
        } else {
            format!(
                "get the zone maintainer's prior agreement and record it with `{}:` from them, or as an [[exception]]",
                trailers.join(":`/`")
            )
        };
        files
            .iter()
            .map(|f| {
                let line = cx
                    .facts
                    .patch
                    .files
                    .iter()
                    .find(|c| c.path() == f.path)
                    .and_then(|c| c.added_lines().next().map(|l| l.new_line));
                let people = cx.zones.agreement_people(&f.zone);
                let mut help = how.clone();
                if !people.is_empty() {
                    help.push_str(&format!(" (maintainers: {})", people.join(", ")));
                }
                Finding::new(
                    DOC.id,
                    format!(
                        "AI-assisted change to {} in protected zone {} without recorded agreement",
                        f.path,
                        f.zone.zones.join(", ")
                    ),
                )
                .at(&f.path, line)
                .help(help)
            })
            .collect()
    }
}
