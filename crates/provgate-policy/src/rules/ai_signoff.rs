//! `ai-signoff`: an AI identity signs off.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::fingerprints::ai_identity_in;
use crate::level::Level;

/// See [`DOC`].
pub struct AiSignoff;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::AiSignoff,
    summary: "A `Signed-off-by:` names an AI tool's identity.",
    what: "Reports a `Signed-off-by:` whose address is an AI tool's own (e.g. `noreply@anthropic.com`, `cursoragent@cursor.com`, `copilot@github.com`) or a bot account of an AI tool (`copilot-swe-agent[bot]`, `claude[bot]`, …), from the reference table of tool fingerprints.",
    why: "Only a human can certify the Developer Certificate of Origin. A sign-off by an AI agent certifies nothing and hides who is responsible.",
    policy: "Linux `coding-assistants.rst`: AI agents must not add `Signed-off-by`; only a human certifies the DCO. QEMU's May 2026 thread: AI must never add Signed-off-by.",
    failing: "fix typo in error path\n\nSigned-off-by: Claude <noreply@anthropic.com>\nSigned-off-by: Jane Doe <jane@example.org>\n",
    passing: "fix typo in error path\n\nAssisted-by: Claude:claude-opus-4.5\nSigned-off-by: Jane Doe <jane@example.org>\n",
    setup: super::ExampleSetup::NONE,
    fix: "Remove the AI's sign-off; disclose the tool with the policy's disclosure trailer and sign off yourself.",
};

impl Rule for AiSignoff {
    fn default_level(&self) -> Level {
        Level::Deny
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        cx.patch()
            .trailers_named("Signed-off-by")
            .filter_map(|t| {
                let tool = ai_identity_in(&t.value)?;
                Some(
                    Finding::new(DOC.id, format!("`Signed-off-by: {}` is an AI identity ({tool})", t.value))
                        .at_message_line(t.line)
                        .help("remove it: only a human can certify the DCO; disclose the tool with the policy's disclosure trailer"),
                )
            })
            .collect()
    }
}
