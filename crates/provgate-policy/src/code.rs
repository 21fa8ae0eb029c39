//! The extension point for language-aware analysis: what reading the added code as code found,
//! handed to the engine before the rules run.
//!
//! The engine itself parses no code. A [`CodeAnalyzer`] (provgate-analysis implements one with
//! tree-sitter parsers and a symbol index of the repository) turns each patch into
//! [`CodeFacts`]: code findings for the code rules (`unknown-symbol`, `insecure-call`, …),
//! per-hunk classification by code (comment- and whitespace-only hunks count as documentation),
//! whether the patch is a mechanical token substitution, notes on what could not be analysed,
//! and the outcome of a regression-test proof when one was run. [`check_with_code`] feeds them to
//! the classification and the rules; [`check_with_zones`] runs without them, and the code rules
//! then report nothing.
//!
//! [`check_with_code`]: crate::check::check_with_code
//! [`check_with_zones`]: crate::check::check_with_zones

use provgate_patch::Series;
use serde::Serialize;

use crate::policy::Policy;

/// One problem found in the added code, for the code rule named `rule`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeIssue {
    /// The code rule it belongs to.
    pub rule: crate::rules::RuleId,
    /// The file, as the patch names it after the change.
    pub path: String,
    /// The new-file line.
    pub line: u32,
    /// A sentence naming the problem.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

/// Something the analysis could not do for part of a patch ("not analysed"), for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeNote {
    /// The file.
    pub path: String,
    /// The new-file line where the part starts, when it is one place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The last new-file line of the part, when it is one region (with [`line`](Self::line)
    /// the region's bounds, so that the message need not repeat them and a report can group a
    /// file's notes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    /// Why it was not analysed (e.g. "no grammar for this language", "does not parse").
    pub message: String,
}

/// One hunk classified by code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HunkCode {
    /// The hunk changes only comments and white space (the tokens outside comments are the same
    /// before and after): it counts as documentation.
    pub comment_only: bool,
    /// Lines of code the hunk changes, counted as `docs/policy.md` says but with comments told
    /// apart by the parser.
    pub code_lines: u32,
}

/// A patch whose every changed line pair differs by the same token substitution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mechanical {
    /// The token replaced.
    pub from: String,
    /// The token it became.
    pub to: String,
    /// How many line pairs changed this way.
    pub pairs: u32,
}

/// The outcome of a regression-test proof (`provgate prove`): one type for the prover, the
/// report and the rule that reads proofs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProofOutcome {
    /// The tests failed without the fix and passed with it.
    Proven,
    /// The tests passed without the fix: they do not test it.
    Hollow,
    /// The tests failed with the fix too.
    Broken,
    /// The proof could not be made (the patch did not apply, the command timed out, …).
    Inconclusive,
    /// Nothing to prove: the patch changes no tests, or only tests.
    NotApplicable,
}

impl ProofOutcome {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProofOutcome::Proven => "proven",
            ProofOutcome::Hollow => "hollow",
            ProofOutcome::Broken => "broken",
            ProofOutcome::Inconclusive => "inconclusive",
            ProofOutcome::NotApplicable => "not-applicable",
        }
    }

    /// Whether the proof shows the patch's tests do not hold (hollow, broken, or no proof could
    /// be made).
    pub fn failed(self) -> bool {
        matches!(
            self,
            ProofOutcome::Hollow | ProofOutcome::Broken | ProofOutcome::Inconclusive
        )
    }
}

impl std::fmt::Display for ProofOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for ProofOutcome {
    type Err = String;

    /// The kebab-case name; the error repeats what was given.
    fn from_str(text: &str) -> Result<ProofOutcome, String> {
        [
            ProofOutcome::Proven,
            ProofOutcome::Hollow,
            ProofOutcome::Broken,
            ProofOutcome::Inconclusive,
            ProofOutcome::NotApplicable,
        ]
        .into_iter()
        .find(|o| o.as_str() == text)
        .ok_or_else(|| text.to_string())
    }
}

/// What a proof found, as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProofFacts {
    /// The outcome.
    pub outcome: ProofOutcome,
    /// One sentence for reports (exit codes of both runs, or why there was no proof).
    pub summary: String,
}

/// What the analysis found in one patch.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CodeFacts {
    /// Findings for the code rules.
    pub issues: Vec<CodeIssue>,
    /// Per file of the patch (same order as `Patch::files`): the hunks classified by code, or
    /// `None` where the file was not read as code (its hunks keep the textual classification).
    pub hunks: Vec<Option<Vec<HunkCode>>>,
    /// Set when the patch is a mechanical token substitution.
    pub mechanical: Option<Mechanical>,
    /// Parts that were not analysed, and why.
    pub notes: Vec<CodeNote>,
    /// The regression-test proof for this patch, when one was run.
    pub proof: Option<ProofFacts>,
}

/// Reads the added code of series: implemented by provgate-analysis.
pub trait CodeAnalyzer: Sync {
    /// The facts for each patch of `series` that is not a cover letter, in order (a shorter
    /// vector leaves the last patches without facts).
    fn analyze(&self, policy: &Policy, series: &Series) -> Vec<CodeFacts>;
}
