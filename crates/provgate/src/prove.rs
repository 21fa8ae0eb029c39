//! `provgate prove`: runs each patch's regression test on its base without the fix, then with
//! it, and reports both runs.

use std::path::PathBuf;
use std::time::Duration;

use provgate_patch::Patch;
use provgate_prove::{ProveError, ProveOptions};
use provgate_report::{
    ErrorReport, Finding, FindingReport, ProofReport, Report, RuleId, RuleReport, Verdict,
};

use crate::cli::ProveArgs;
use crate::options::{self, user_error};
use crate::{EXIT_ERROR, EXIT_FAILED, EXIT_OK, UserError, output};

/// The rule a failed proof is reported under (the policy engine's rule that reads proofs).
const RULE: RuleId = RuleId::RegressionTestUnproven;

/// How much of each run's output the report keeps.
const OUTPUT_TAIL: usize = 4096;

/// Runs `prove` and returns the exit status.
pub fn run(args: ProveArgs) -> anyhow::Result<u8> {
    let test_cmd = test_command(&args)?;
    if args.timeout == 0 {
        return Err(UserError::new(
            "--timeout 0 would kill every run at once",
            "give the seconds one run of the tests may take",
        )
        .into());
    }
    let repo = repository(&args)?;
    if let Some(base) = &args.base {
        provgate_engine::check_base(&repo, base).map_err(user_error)?;
    }
    let recorder = crate::audit::Recorder::open(&args.record, &repo)?;
    let inputs = provgate_engine::Input::from_args(&args.inputs, &repo).map_err(user_error)?;
    let read_options = options::read_options(args.mboxrd);
    let read = provgate_engine::read_inputs(
        &inputs,
        &repo,
        read_options,
        &provgate_git::RangeOptions::default(),
    );

    // Ctrl-C ends the test commands and removes the worktrees before the process goes.
    ctrlc::set_handler(|| {
        provgate_prove::on_interrupt();
        std::process::exit(i32::from(crate::EXIT_INTERRUPTED));
    })
    .map_err(|e| anyhow::anyhow!("cannot install the Ctrl-C handler: {e}"))?;

    let options = ProveOptions {
        test_cmd,
        timeout: Duration::from_secs(args.timeout),
        base: args.base.clone(),
        output_tail: OUTPUT_TAIL,
        is_test: |path| provgate_policy::classify::path_kind(path) == provgate_policy::Kind::Tests,
    };
    let mut report = provgate_engine::build_report(&read, None);
    let mut tally = Tally::default();
    for series in &read.series {
        let patches: Vec<&Patch> = series
            .patches
            .iter()
            .filter(|p| !p.is_cover_letter())
            .collect();
        for (i, patch) in patches.iter().enumerate() {
            let proof = match prove_one(&repo, &patches[..i], patch, &options) {
                Ok(proof) => proof,
                Err(ProveError::Interrupted) => return Ok(crate::EXIT_INTERRUPTED),
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
            tally.count(&proof.outcome);
            attach(&mut report, patch, proof);
        }
    }
    finish(&mut report, &tally);

    let proved = provgate_engine::Checked {
        report,
        input_sha256: read.input_sha256,
    };
    output::deliver(&proved, &args.report, recorder.as_ref(), "prove")?;
    let report = &proved.report;
    Ok(if report.summary.errors > 0 {
        EXIT_ERROR
    } else if tally.failed() > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    })
}

/// `--test-cmd`, else `provgate.testCmd` from the user's global git configuration: the
/// checked repository's own configuration and files are never asked, since they may come from
/// the very contributor whose patch is proved.
fn test_command(args: &ProveArgs) -> Result<String, UserError> {
    let hint = "give the command that runs the tests, e.g. --test-cmd 'make check', or set it once with `git config --global provgate.testCmd 'make check'`";
    let cmd = match &args.test_cmd {
        Some(cmd) => cmd.clone(),
        None => provgate_git::global_config("provgate.testCmd")
            .ok()
            .flatten()
            .ok_or_else(|| UserError::new("no test command", hint))?,
    };
    if cmd.trim().is_empty() {
        return Err(UserError::new("the test command is empty", hint));
    }
    Ok(cmd)
}

/// The work tree the patches apply to: proofs check out worktrees of its repository.
fn repository(args: &ProveArgs) -> Result<PathBuf, UserError> {
    provgate_engine::project_root(&args.repo)
        .filter(|root| root.join(".git").exists())
        .ok_or_else(|| {
            UserError::new(
                format!("{} is not in a git repository", args.repo.display()),
                "prove checks out each patch's base in a temporary worktree: run it in the repository the patches apply to, or pass --repo DIR",
            )
        })
}

/// Proves one patch, or says why there is nothing to prove without running anything.
fn prove_one(
    repo: &std::path::Path,
    earlier: &[&Patch],
    patch: &Patch,
    options: &ProveOptions,
) -> Result<ProofReport, ProveError> {
    provgate_prove::prove_for_report(repo, earlier, patch, options, || {
        eprintln!(
            "proving {} {} ...",
            provgate_report::short_id(&patch.id),
            patch.subject
        );
    })
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
    match proof.outcome.as_str() {
        "not-applicable" => {}
        "proven" => entry.verdict = Some(Verdict::Pass),
        _ => {
            let mut finding = Finding::new(RULE, proof.summary.clone()).help(match proof.outcome.as_str() {
                "hollow" => "the test must fail on the base with only the test files applied: make it exercise the bug the patch fixes",
                "broken" => "the tests must pass with the whole patch applied: see the end of the run's output",
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
    fn count(&mut self, outcome: &str) {
        match outcome {
            "proven" => self.proven += 1,
            "hollow" => self.hollow += 1,
            "broken" => self.broken += 1,
            "not-applicable" => self.not_applicable += 1,
            _ => self.inconclusive += 1,
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
