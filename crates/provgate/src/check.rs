//! `provgate check`: read every input, judge it under the policy, report.

use provgate_engine::{CheckRequest, Gate, Input, ProjectFiles};

use crate::cli::CheckArgs;
use crate::options::{self, user_error};
use crate::{EXIT_ERROR, EXIT_FAILED, EXIT_OK, output};

/// Runs `check` and returns the exit status.
pub fn run(args: CheckArgs) -> anyhow::Result<u8> {
    let mut gate_options = options::gate(&args.policy, &args.repo)?;
    if let Some(rev) = &args.base_policy {
        gate_options.project_files = ProjectFiles::AtRevision(rev.clone());
    }
    gate_options.stage = options::stage(args.stage);
    gate_options.keywords = !args.no_keywords;
    options::code(&mut gate_options, &args.code);
    let gate = Gate::new(gate_options).map_err(user_error)?;
    let recorder = crate::audit::Recorder::open(&args.record, &args.repo)?;
    let request = CheckRequest {
        inputs: Input::from_args(&args.inputs, &args.repo).map_err(user_error)?,
        read: options::read_options(args.mboxrd),
        range: provgate_git::RangeOptions {
            max_count: args.max_count,
            first_parent: args.first_parent,
            include_merges: args.include_merges,
            ..provgate_git::RangeOptions::default()
        },
        branch: args.branch.clone(),
    };
    let checked = gate.check(&request);
    // The other formats first: the one on standard output is the one a CI step shows last.
    for write in &args.write {
        let text = output::render_as(&checked.report, &args.report, write.format, true);
        output::write(Some(&write.file), &text)?;
    }
    output::deliver(&checked, &args.report, recorder.as_ref(), "check")?;
    let report = &checked.report;
    Ok(if report.summary.errors > 0 {
        EXIT_ERROR
    } else if report.verdict == Some(provgate_report::Verdict::Fail) {
        EXIT_FAILED
    } else {
        EXIT_OK
    })
}
