//! `ai-coauthor-forbidden`: an AI named as co-author.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::evidence::COAUTHOR_KEYS;
use crate::level::Level;

/// See [`DOC`].
pub struct AiCoauthorForbidden;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::AiCoauthorForbidden,
    summary: "An AI tool is named in `Co-authored-by:` or `Co-developed-by:`.",
    what: "Reports a co-author trailer whose person is an AI tool's identity (its own address or bot account, from the reference table), such as the `Co-Authored-By: Claude <noreply@anthropic.com>` Claude Code adds or Copilot's `Co-authored-by: Copilot <…@users.noreply.github.com>`.",
    why: "A co-author is a person who shares authorship and can certify the DCO; an AI tool is neither. Projects that allow AI want it disclosed as a tool.",
    policy: "Mesa: disclose with `Assisted-by:`/`Generated-by:`; never `Co-authored-by` for AI. (QEMU reports the same through `disclosure-wrong-trailer`.)",
    failing: "mesa preset:\n\nCo-authored-by: Copilot <223556219+Copilot@users.noreply.github.com>\nSigned-off-by: Jane Doe <jane@example.org>\n",
    passing: "mesa preset:\n\nAssisted-by: Copilot (GPT-4o)\nCo-authored-by: Bob Roe <bob@example.org>\nSigned-off-by: Jane Doe <jane@example.org>\n",
    setup: super::ExampleSetup::NONE,
    fix: "Remove the AI co-author line (turn off the tool's co-author setting) and disclose the tool with the policy's disclosure trailer.",
};

impl Rule for AiCoauthorForbidden {
    fn default_level(&self) -> Level {
        Level::Allow
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        cx.facts
            .evidence
            .declarations
            .iter()
            .filter(|d| COAUTHOR_KEYS.iter().any(|k| k.eq_ignore_ascii_case(&d.trailer)))
            .map(|d| {
                Finding::new(
                    DOC.id,
                    format!("`{}: {}` names an AI tool ({}) as co-author", d.trailer, d.value, d.tool.as_deref().unwrap_or("AI")),
                )
                .at_message_line(d.line)
                .help("remove the co-author line and disclose the tool with the policy's disclosure trailer")
            })
            .collect()
    }
}
