//! `regression-test-unproven`: an AI-assisted fix with a regression test whose proof is missing
//! or failed.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::code::ProofOutcome;
use crate::level::Level;
use crate::policy::Kind;

/// See [`DOC`].
pub struct RegressionTestUnproven;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::RegressionTestUnproven,
    summary: "An AI-assisted fix changes tests, but no proof shows the tests fail without the fix and pass with it.",
    what: "Applies to AI-assisted patches (declared or fingerprinted) that change both test files and code files. With a proof from `provgate prove` (the patch's test files applied alone on its base, the test command run and expected to fail; then the whole patch, expected to pass), reports a hollow test (passed without the fix), a broken fix (failed with it) or an inconclusive proof (did not apply, timed out). Without a proof, reports that none was supplied when the check reads code (a check with `--no-code` and no proof says nothing). The test command is given by the person running provgate, never read from the checked repository. A patch whose only sign of AI use is of medium confidence (an agent's branch name, a tool line a person could paste) is reported as a warning to confirm that names the sign, never a deny; a disclosure or a high-confidence mark gives the rule's level.",
    why: "A regression test that passes without the fix does not test the fix; it is the cheapest way for generated tests to look useful.",
    policy: "QEMU May 2026 proposal: tests are an allowed use of AI, and a regression test must fail without the fix and pass with it.",
    failing: "qemu preset, and `provgate prove` reports the new test passing on the base, without the fix:\n\nhw/net/e1000: fix the receive descriptor check\n\nAI-used-for: code, tests\nSigned-off-by: Jane Doe <jane@example.org>\n---\n hw/net/e1000.c           |  4 +++-\n tests/qtest/e1000-test.c | 20 ++++++++++++++++++++\n",
    passing: "qemu preset, the same patch, where `provgate prove --test-cmd 'make check-qtest-e1000'` reports exit 1 without the fix and exit 0 with it:\n\nhw/net/e1000: fix the receive descriptor check\n\nAI-used-for: code, tests\nSigned-off-by: Jane Doe <jane@example.org>\n---\n hw/net/e1000.c           |  4 +++-\n tests/qtest/e1000-test.c | 20 ++++++++++++++++++++\n",
    setup: super::ExampleSetup {
        proofs: [
            Some(crate::code::ProofOutcome::Hollow),
            Some(crate::code::ProofOutcome::Proven),
        ],
        ..super::ExampleSetup::NONE
    },
    fix: "Run `provgate prove --test-cmd CMD --format json -o proof.json` on the patch and hand the report to the check with `provgate check --proof proof.json`; if the test passes without the fix, make it exercise the bug.",
};

impl Rule for RegressionTestUnproven {
    fn default_level(&self) -> Level {
        Level::Allow
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn ai_premise(&self, _policy: &crate::policy::Policy) -> Option<super::AiPremise> {
        Some(super::AiPremise::Assisted)
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        // A proof handed in judges the patch; without one, only a check that reads the code (and
        // so knows which lines are code) says that none was supplied.
        let proof = cx
            .proof
            .or_else(|| cx.facts.code.as_ref().and_then(|c| c.proof.as_ref()));
        if proof.is_none() && cx.facts.code.is_none() {
            return Vec::new();
        }
        if !cx.facts.evidence.ai_assisted() {
            return Vec::new();
        }
        let tests = cx.facts.files.iter().any(|f| f.class.kind == Kind::Tests);
        let fix = cx.facts.files.iter().any(|f| f.class.code_lines > 0);
        if !(tests && fix) {
            return Vec::new();
        }
        let message = match proof {
            None => "AI-assisted fix with test changes, but no regression-test proof was supplied".to_string(),
            Some(p) => match p.outcome {
                ProofOutcome::Proven | ProofOutcome::NotApplicable => return Vec::new(),
                ProofOutcome::Hollow => format!("the regression test passes without the fix: {}", p.summary),
                ProofOutcome::Broken => format!("the tests fail with the fix applied: {}", p.summary),
                ProofOutcome::Inconclusive => format!("the regression-test proof was inconclusive: {}", p.summary),
            },
        };
        vec![Finding::new(DOC.id, message).help(
            "run `provgate prove --test-cmd CMD --format json -o proof.json` on the patch and check with `--proof proof.json`; the test must fail on the base with only the test files applied and pass with the whole patch",
        )]
    }
}
