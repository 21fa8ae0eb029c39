//! `ai-banned`: any AI use where the policy bans it.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::level::Level;

/// See [`DOC`].
pub struct AiBanned;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::AiBanned,
    summary: "The patch is AI-assisted and the policy declines all AI-generated content.",
    what: "With `[ai] allowed = false`, reports a patch that declares AI output (a disclosure whose categories are not all no-output ones such as QEMU's `research`) or carries a tool fingerprint. A patch whose only sign of AI use is of medium confidence (an agent's branch name, a tool line a person could paste) is reported as a warning to confirm that names the sign, never a deny; a disclosure or a high-confidence mark gives the rule's level.",
    why: "Some projects decline AI-generated content for copyright and provenance reasons; the check makes the ban visible before a maintainer spends time reviewing.",
    policy: "QEMU `code-provenance.rst` (in force until 2026): contributions known or suspected to include or derive from AI-generated content are declined; research, static analysis or debugging with no output in the patch is out of scope. Gentoo, Zig, Servo ban AI contributions; NetBSD presumes them tainted without prior written approval by core.",
    failing: "qemu-2025 preset:\n\nfix leak\n\nCo-authored-by: Cursor <cursoragent@cursor.com>\nSigned-off-by: Jane Doe <jane@example.org>\n",
    passing: "qemu-2025 preset:\n\nfix leak (found with Coccinelle)\n\nSigned-off-by: Jane Doe <jane@example.org>\n",
    setup: super::ExampleSetup::NONE,
    fix: "Rewrite the change without AI-generated content, or ask the project for an exception (QEMU: on qemu-devel; granted exceptions are listed in the policy itself, in provgate as an `[[exception]]`).",
};

impl Rule for AiBanned {
    fn default_level(&self) -> Level {
        Level::Deny
    }
    fn applies(&self, policy: &crate::policy::Policy) -> bool {
        !policy.ai.allowed
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn ai_premise(&self, _policy: &crate::policy::Policy) -> Option<super::AiPremise> {
        Some(super::AiPremise::Assisted)
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        let ev = &cx.facts.evidence;
        if cx.policy.ai.allowed || !ev.ai_assisted() {
            return Vec::new();
        }
        let declared = ev.declarations.iter().find(|d| d.output);
        let mut finding = match declared {
            Some(d) => Finding::new(
                DOC.id,
                format!(
                    "the policy declines AI-generated content and the patch declares it (`{}: {}`)",
                    d.trailer, d.value
                ),
            )
            .at_message_line(d.line),
            None => {
                let f = ev
                    .strongest_fingerprint()
                    .expect("ai_assisted without declaration has a fingerprint");
                let mut finding = Finding::new(
                    DOC.id,
                    format!(
                        "the policy declines AI-generated content and the patch carries {}'s mark ({})",
                        f.tool, f.marker
                    ),
                );
                if let Some(line) = f.line {
                    finding = finding.at_message_line(line);
                }
                finding
            }
        };
        finding = finding.help("rewrite the change without AI-generated content, or ask the project for a recorded exception");
        vec![finding]
    }
}
