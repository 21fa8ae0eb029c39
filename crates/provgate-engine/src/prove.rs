//! Regression-test proofs over what was read: each patch's tests run on its base without the
//! fix, then with it (by provgate-prove), and the outcomes put on the report.

use std::path::Path;
use std::time::Duration;

use provgate_patch::Patch;
use provgate_prove::{ProveError, ProveOptions};
use provgate_report::{
    ErrorReport, Finding, FindingReport, ProofOutcome, ProofReport, Report, RuleId, RuleReport,
    Verdict,
};

use crate::{CheckRequest, Checked, read_inputs};

/// The rule a failed proof is reported under (the policy engine's rule that reads proofs).
const RULE: RuleId = RuleId::RegressionTestUnproven;

/// How much of each run's output the report keeps.
const OUTPUT_TAIL: usize = 4096;

/// What to prove and how.
#[derive(Debug, Clone)]
pub struct ProveRequest {
    /// The inputs, as for a check (ranges are read with the default range options).
    pub check: CheckRequest,
    /// The shell command that runs the tests.
    pub test_cmd: String,
    /// How long one run may take.
    pub timeout: Duration,
    /// The commit mail and diffs apply to (default: HEAD).
    pub base: Option<String>,
}

/// How proving ended.
#[derive(Debug)]
pub enum Proved {
    /// Every patch was proved (or said why not); the report has the proofs, the digest is the
    /// input's.
    Done(Box<Checked>),
    /// An interrupt stopped the runs; nothing is reported.
    Interrupted,
}

/// Proves every patch the request's inputs hold, in the work tree `repo`; `on_start` is told of
/// each patch whose tests are about to run (for a progress line).
pub fn prove(repo: &Path, request: &ProveRequest, on_start: &mut dyn FnMut(&Patch)) -> Proved {
    let read = read_inputs(
        &request.check.inputs,
        repo,
        request.check.read,
        &request.check.range,
    );
    let options = ProveOptions {
        test_cmd: request.test_cmd.clone(),
        timeout: request.timeout,
        base: request.base.clone(),
        output_tail: OUTPUT_TAIL,
        is_test: |path| provgate_policy::classify::path_kind(path) == provgate_policy::Kind::Tests,
    };
    let mut report = crate::build_report(&read, None);
    let mut tally = Tally::default();
    for series in &read.series {
        let patches: Vec<&Patch> = series
            .patches
            .iter()
            .filter(|p| !p.is_cover_letter())
            .collect();
        for (i, patch) in patches.iter().enumerate() {
            let proved =
                provgate_prove::prove_for_report(repo, &patches[..i], patch, &options, || {
                    on_start(patch)
                });
            let proof = match proved {
                Ok(proof) => proof,
                Err(ProveError::Interrupted) => return Proved::Interrupted,
                Err(e) => {
                    report.push_error(ErrorReport {
                        input: patch.id.clone(),
                        line: None,
                        message: format!("cannot prove \"{}\": {e}", patch.subject),
                        hint: Some(
                            "the other patches were still proved; see `git worktree list` if a worktree was left".into(),
                        ),
                    });
                    continue;
                }
            };
            tally.count(proof.outcome);
            attach(&mut report, patch, proof);
        }
    }
    finish(&mut report, &tally);
    Proved::Done(Box::new(Checked {
        report,
        input_sha256: read.input_sha256,
    }))
}

/// Puts a proof on its patch in the report, with a finding when it does not hold.
fn attach(report: &mut Report, patch: &Patch, proof: ProofReport) {
    let Some(entry) = report
        .patches
        .iter_mut()
        .find(|p| p.id == patch.id && p.proof.is_none())
    else {
        return;
    };
    match proof.outcome {
        ProofOutcome::NotApplicable => {}
        ProofOutcome::Proven => entry.verdict = Some(Verdict::Pass),
        ProofOutcome::Hollow | ProofOutcome::Broken | ProofOutcome::Inconclusive => {
            let mut finding = Finding::new(RULE, proof.summary.clone()).help(match proof.outcome {
                ProofOutcome::Hollow => "the test must fail on the base with only the test files applied: make it exercise the bug the patch fixes",
                ProofOutcome::Broken => "the tests must pass with the whole patch applied: see the end of the run's output",
                _ => "see the summary: the patch must apply to its base and each run finish within --timeout",
            });
            finding.patch_id = Some(patch.id.clone());
            finding.path = proof.test_files.first().cloned();
            entry.findings.push(FindingReport::new(finding));
            entry.verdict = Some(Verdict::Fail);
        }
    }
    entry.proof = Some(proof);
}

/// How the proofs came out.
#[derive(Default)]
struct Tally {
    proven: usize,
    hollow: usize,
    broken: usize,
    inconclusive: usize,
    not_applicable: usize,
}

impl Tally {
    fn count(&mut self, outcome: ProofOutcome) {
        match outcome {
            ProofOutcome::Proven => self.proven += 1,
            ProofOutcome::Hollow => self.hollow += 1,
            ProofOutcome::Broken => self.broken += 1,
            ProofOutcome::NotApplicable => self.not_applicable += 1,
            ProofOutcome::Inconclusive => self.inconclusive += 1,
        }
    }

    fn failed(&self) -> usize {
        self.hollow + self.broken + self.inconclusive
    }
}

/// The verdict, counts and notes of the whole run.
fn finish(report: &mut Report, tally: &Tally) {
    report.summary.failed = tally.failed();
    report.summary.deny = tally.failed();
    report.verdict = Some(if tally.failed() > 0 {
        Verdict::Fail
    } else {
        Verdict::Pass
    });
    if tally.failed() > 0 {
        report.rules.push(RuleReport {
            name: RULE,
            summary: RULE.rule().doc().summary.into(),
            help: format!("provgate explain {RULE}"),
        });
    }
    report.notes.push(format!(
        "regression-test proofs: {} proven, {} hollow, {} broken, {} inconclusive, {} with nothing to prove",
        tally.proven, tally.hollow, tally.broken, tally.inconclusive, tally.not_applicable
    ));
}
