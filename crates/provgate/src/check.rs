//! `provgate check`: read every input, judge it under the policy, report.

use std::io::IsTerminal;

use provgate_patch::input::ReadOptions;
use provgate_patch::mbox::MboxFlavor;
use provgate_policy::{CheckContext, Stage};

use crate::cli::{CheckArgs, Color, Format, StageArg};
use crate::inputs::Input;
use crate::{EXIT_ERROR, EXIT_FAILED, EXIT_OK, UserError, build_report, config, output, read};

/// Runs `check` and returns the exit status.
pub fn run(args: CheckArgs) -> anyhow::Result<u8> {
    let loaded = config::load(&args.policy, &args.repo)?;
    let inputs: Vec<Input> = if args.inputs.is_empty() {
        // The git errors say what to do themselves.
        let range =
            provgate_git::default_range(&args.repo).map_err(|e| UserError::plain(e.to_string()))?;
        vec![Input::Range(range)]
    } else {
        args.inputs.iter().map(|a| Input::classify(a)).collect()
    };

    let read_options = ReadOptions {
        mbox_flavor: if args.mboxrd {
            MboxFlavor::Mboxrd
        } else {
            MboxFlavor::Mboxo
        },
    };
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
    let zones = provgate_policy::Zones::load(&loaded.policy, loaded.root.as_deref())
        .map_err(config::policy_error)?;
    let result = provgate_policy::check_with_zones(&loaded.policy, &context, &zones, &read.series);
    let report = build_report::build(&read, Some(&result));

    let rendered = match args.format {
        Format::Text => {
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => {
                    args.output.is_none()
                        && std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none()
                }
            };
            provgate_report::text::render(
                &report,
                provgate_report::text::TextOptions {
                    color,
                    quiet: args.quiet,
                    // On a terminal the errors are on standard error already.
                    errors: args.output.is_some(),
                },
            )
        }
        Format::Json => provgate_report::json::render(&report),
        Format::Sarif => provgate_report::sarif::render(&report),
        Format::Github => provgate_report::github::render(&report, args.max_annotations),
        Format::Markdown => provgate_report::markdown::render(&report),
        Format::Email => provgate_report::email::render(&report),
    };
    output::write(args.output.as_deref(), &rendered)?;
    if args.record || args.store.is_some() {
        let digest = crate::audit::input_digest(&inputs, &report);
        let seq =
            crate::audit::record(args.store.as_deref(), &args.repo, "check", &report, digest)?;
        eprintln!("recorded as audit entry {seq}");
    }
    // Input errors go to standard error, whatever the report's format and destination.
    for error in &report.errors {
        let line = error.line.map_or(String::new(), |l| format!(":{l}"));
        eprintln!("error: {}{line}: {}", error.input, error.message);
        if let Some(hint) = &error.hint {
            eprintln!("  hint: {hint}");
        }
    }
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
