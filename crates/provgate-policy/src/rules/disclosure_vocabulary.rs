//! `disclosure-vocabulary`: a disclosure category outside the policy's vocabulary.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::evidence::ProblemKind;
use crate::level::Level;

/// See [`DOC`].
pub struct DisclosureVocabulary;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DisclosureVocabulary,
    summary: "A disclosure trailer names a category outside the policy's vocabulary.",
    what: "For a `categories` trailer with `enforce-vocabulary = true`, reports each category not in `vocabulary` (compared case-insensitively). When the vocabulary is not enforced, unknown categories are accepted and read as `code` (the strictest reading) for line limits.",
    why: "The category decides which of the policy's tiers applies (tests and docs are open; code is limited; research leaves no output). A free-text value cannot be placed in a tier.",
    policy: "QEMU May 2026 proposal: the value is one or more of `code`, `tests`, `docs`, `research`; the later `llm-usage.rst` draft renames `research` to `analysis`. A free-text value (`AI-used-for: collecting comments and updating patch`) was seen within days; whether to enforce the vocabulary is a policy setting.",
    failing: "qemu preset:\n\nAI-used-for: collecting comments and updating patch\nSigned-off-by: Jane Doe <jane@example.org>\n",
    passing: "qemu preset:\n\nAI-used-for: research (collecting comments)\nSigned-off-by: Jane Doe <jane@example.org>\n",
    setup: super::ExampleSetup::NONE,
    fix: "Use the policy's categories and put free text in the parenthesised explanation: `AI-used-for: docs (collecting review comments)`.",
};

impl Rule for DisclosureVocabulary {
    fn default_level(&self) -> Level {
        Level::Warn
    }
    fn applies(&self, policy: &crate::policy::Policy) -> bool {
        policy
            .disclosure
            .trailers
            .iter()
            .any(|t| t.syntax == crate::policy::Syntax::Categories && t.enforce_vocabulary)
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for d in cx.facts.evidence.declarations.iter().filter(|d| d.accepted) {
            for p in d
                .problems
                .iter()
                .filter(|p| p.kind == ProblemKind::Vocabulary)
            {
                out.push(
                    Finding::new(DOC.id, format!("{}: {}", d.trailer, p.message))
                        .at_message_line(d.line)
                        .help("use the policy's categories; put free text in parentheses after them, e.g. `code (refactoring)`"),
                );
            }
        }
        out
    }
}
