//! `disclosure-syntax`: a disclosure trailer whose value does not follow its syntax.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::evidence::ProblemKind;
use crate::level::Level;
use crate::policy::Syntax;

/// See [`DOC`].
pub struct DisclosureSyntax;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DisclosureSyntax,
    summary: "A disclosure trailer's value does not follow the policy's syntax for it.",
    what: "Each `[[disclosure.trailer]]` has a syntax. `categories` (QEMU): `CATEGORY[, CATEGORY…]` optionally followed by one `(explanation)` and nothing after it, no empty category. `agent-model` (Linux): `AGENT:MODEL [TOOL…]` with a non-empty agent and model (provgate accepts spaces in the agent name, as in the `GitHub Copilot:claude-opus-4.6` seen in the kernel's history, where checkpatch's `^\\S+:\\S+` would warn). `tool-model` (Mesa, OpenInfra): `TOOL`, `TOOL (MODEL)` or `TOOL [MODEL]`, balanced. `free`: any non-empty value.",
    why: "A disclosure is only useful when tools and people can read it the same way: QEMU's categories decide which limits apply, Linux's agent and model name what was used.",
    policy: "QEMU May 2026 proposal: `AI-used-for:` with one or more of the categories, comma separated, optionally followed by an explanation in parentheses. Linux `coding-assistants.rst`: `Assisted-by: AGENT_NAME:MODEL_VERSION [TOOL1] [TOOL2]`; checkpatch warns when the value does not match `^\\S+:\\S+`. Mesa: `Assisted-by: TOOL (OPTIONAL: MODEL)`.",
    failing: "qemu preset:\n\nAI-used-for: code (refactoring) and tests\nSigned-off-by: Jane Doe <jane@example.org>\n",
    passing: "qemu preset:\n\nAI-used-for: code, tests (refactoring)\nSigned-off-by: Jane Doe <jane@example.org>\n",
    setup: super::ExampleSetup::NONE,
    fix: "Rewrite the value in the trailer's syntax (see the examples); `provgate policy show` prints the policy's disclosure trailers.",
};

impl Rule for DisclosureSyntax {
    fn default_level(&self) -> Level {
        Level::Warn
    }
    fn applies(&self, policy: &crate::policy::Policy) -> bool {
        !policy.disclosure.trailers.is_empty()
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for d in cx.facts.evidence.declarations.iter().filter(|d| d.accepted) {
            for p in d.problems.iter().filter(|p| p.kind == ProblemKind::Syntax) {
                let example = match d.syntax {
                    Some(Syntax::Categories) => "e.g. `AI-used-for: code, tests (explanation)`",
                    Some(Syntax::AgentModel) => {
                        "e.g. `Assisted-by: Claude:claude-3-opus coccinelle`"
                    }
                    Some(Syntax::ToolModel) => "e.g. `Assisted-by: Copilot (GPT-4o)`",
                    _ => "give a non-empty value",
                };
                out.push(
                    Finding::new(DOC.id, p.message.clone())
                        .at_message_line(d.line)
                        .help(format!(
                            "write the value in the trailer's syntax, {example}"
                        )),
                );
            }
        }
        out
    }
}
