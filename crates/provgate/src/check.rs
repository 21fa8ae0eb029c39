//! `provgate check`: read every input, judge it under the policy, report.

use provgate_policy::{CheckContext, Stage};

use crate::cli::{CheckArgs, StageArg};
use crate::{EXIT_ERROR, EXIT_FAILED, EXIT_OK, UserError, build_report, config, output, read};

/// Runs `check` and returns the exit status.
pub fn run(args: CheckArgs) -> anyhow::Result<u8> {
    let loaded = config::load(&args.policy, &args.repo)?;
    let recorder = crate::audit::Recorder::open(&args.record, &args.repo)?;
    let inputs = crate::inputs::from_args(&args.inputs, &args.repo)?;
    let read_options = crate::inputs::read_options(args.mboxrd);
    let range_options = provgate_git::RangeOptions {
        max_count: args.max_count,
        first_parent: args.first_parent,
        include_merges: args.include_merges,
        ..provgate_git::RangeOptions::default()
    };
    let read = read::read_inputs(&inputs, &args.repo, read_options, &range_options);

    let context = CheckContext::new(
        loaded.root.clone(),
        match args.stage {
            StageArg::Submit => Stage::Submit,
            StageArg::Merge => Stage::Merge,
        },
        today()?,
        loaded.overrides.clone(),
    )
    .map_err(config::policy_error)?;
    // A MAINTAINERS file that cannot be read is an error of the run, not a note.
    let mut zones = provgate_policy::Zones::load(&loaded.policy, loaded.root.as_deref())
        .map_err(config::policy_error)?;
    if args.no_keywords {
        zones.set_keywords(false);
    }
    let analyzer = crate::code::analyzer(&args.repo, loaded.root.as_deref(), &args.code)?;
    let result = crate::code::check(&loaded.policy, &context, &zones, &read.series, &analyzer);
    let report = build_report::build(&read, Some(&result));

    output::deliver(
        &report,
        &args.report,
        recorder.as_ref(),
        "check",
        &read.input_sha256,
    )?;
    Ok(if report.summary.errors > 0 {
        EXIT_ERROR
    } else if report.verdict.as_deref() == Some("fail") {
        EXIT_FAILED
    } else {
        EXIT_OK
    })
}

/// Today's date, for trials and exception expiry; `PROVGATE_TODAY=YYYY-MM-DD` pins it (for
/// reproducible runs and tests).
pub fn today() -> anyhow::Result<jiff::civil::Date> {
    match std::env::var("PROVGATE_TODAY") {
        Ok(text) => text.parse().map_err(|_| {
            UserError::new(
                format!("PROVGATE_TODAY=`{text}` is not a date"),
                "write it as YYYY-MM-DD, or unset it",
            )
            .into()
        }),
        Err(_) => Ok(jiff::Zoned::now().date()),
    }
}
