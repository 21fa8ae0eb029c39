//! `ai-line-limit`: an AI-assisted code change over the policy's line limit.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::level::Level;

/// See [`DOC`].
pub struct AiLineLimit;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::AiLineLimit,
    summary: "An AI-assisted patch changes more lines of code than the policy allows without prior agreement.",
    what: "With `[limits] ai-code-lines` set, reports a patch whose AI use may have produced code (a fingerprint; a declaration without categories; or categories including `code` or an unknown category) and whose added lines of code exceed the limit (`inclusive = true`: more than N; `false`: N or more). Lines of code are counted as documented in `docs/policy.md`: code and build files only (tests, docs, translations and exempt zones excluded), blank and comment lines excluded, a modified line counted once, deleted lines never counted. Agreement recorded as for `protected-zone` lifts the limit. With `[limits] mechanical-exempt = true`, a patch whose every changed line pair differs by the same identifier substitution (a rename, read from the diff's text with or without code analysis) is not limited, and a patch whose accepted disclosure declares a mechanical change in its explanation (`AI-used-for: code (refactoring)`; the words are `mechanical`, `refactor…`, `rename…`, `coccinelle`, `spatch`) is reported as a warning at most, for the reviewer to judge. A patch whose only sign of AI use is of medium confidence (an agent's branch name, a tool line a person could paste) is reported as a warning to confirm that names the sign, never a deny; a disclosure or a high-confidence mark gives the rule's level.",
    why: "Small fixes are unlikely to be copyrightable and cheap to throw away; larger AI-written code is where provenance risk lies, so it needs a maintainer's agreement first.",
    policy: "QEMU May 2026 proposal: small bug fixes of 20 lines of code or fewer, not counting tests; anything larger needs the maintainer beforehand. QEMU `llm-usage.rst` draft: small LLM-assisted fixes below 10 lines of code. Some ASF projects treat about 20 changed lines as substantial.",
    failing: "qemu preset: `AI-used-for: code` and 25 changed lines in hw/net/e1000.c\n",
    passing: "qemu preset: `AI-used-for: code, tests`, 12 changed lines in hw/net/e1000.c and 80 in tests/qtest/e1000-test.c\n",
    setup: super::ExampleSetup::NONE,
    fix: "Keep AI-assisted code fixes within the limit (tests and docs do not count), or get the maintainer's agreement beforehand and record it (configured agreement trailer, or an `[[exception]]`). Do not split the change to get under the limit.",
};

impl Rule for AiLineLimit {
    fn default_level(&self) -> Level {
        Level::Deny
    }
    fn applies(&self, policy: &crate::policy::Policy) -> bool {
        policy.ai.allowed && policy.limits.ai_code_lines.is_some()
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn ai_premise(&self, _policy: &crate::policy::Policy) -> Option<super::AiPremise> {
        Some(super::AiPremise::Code)
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        let limits = &cx.policy.limits;
        let lines = cx.facts.code_lines;
        if !cx.facts.evidence.ai_code() || !limits.exceeded(lines) {
            return Vec::new();
        }
        // A mechanical change is a category of its own where the policy says so; a rename is
        // read from the diff's text, with or without code analysis.
        if limits.mechanical_exempt && cx.facts.mechanical.is_some() {
            return Vec::new();
        }
        let code_files: Vec<_> = cx
            .facts
            .files
            .iter()
            .filter(|f| f.class.code_lines > 0)
            .collect();
        if cx.has_agreement(&code_files) {
            return Vec::new();
        }
        let per_file: Vec<String> = code_files
            .iter()
            .map(|f| format!("{} {}", f.path, f.class.code_lines))
            .collect();
        let message = format!(
            "AI-assisted patch adds {lines} lines of code ({}); the policy allows {} without prior agreement (tests, docs and deletions not counted)",
            per_file.join(", "),
            limits.describe().unwrap_or_default()
        );
        let declared = cx
            .facts
            .evidence
            .declarations
            .iter()
            .filter(|d| d.accepted)
            .find_map(|d| {
                d.explanation
                    .as_deref()
                    .filter(|e| crate::mechanical::declared_mechanical(e))
            });
        // A declared mechanical change that provgate cannot verify is for the reviewer to judge.
        if limits.mechanical_exempt
            && let Some(explanation) = declared
        {
            return vec![
                Finding::new(
                    DOC.id,
                    format!(
                        "{message}; the disclosure declares a mechanical change ({explanation}), which the policy does not limit, but provgate cannot tell whether it is one"
                    ),
                )
                .at_most(Level::Warn)
                .help("a reviewer judges whether the change is mechanical; if it is not, record the maintainer's agreement (agreement trailer or [[exception]])"),
            ];
        }
        vec![Finding::new(DOC.id, message)
        .help("reduce the AI-assisted code change, or get the maintainer's agreement beforehand and record it (agreement trailer or [[exception]])")]
    }
}
