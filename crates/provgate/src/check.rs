//! `provgate check`: read every input into the model and report on it.

use std::io::Write;

use anyhow::Context;
use provgate_patch::input::{ReadOptions, read_path};
use provgate_patch::mail::MailItem;
use provgate_patch::mbox::MboxFlavor;
use provgate_patch::series::group_into_series;
use provgate_patch::{InputError, Origin, Patch, Series};
use provgate_report::{ErrorReport, InputReport, Report, SeriesReport};

use crate::cli::{CheckArgs, Format};
use crate::inputs::Input;
use crate::{EXIT_ERROR, EXIT_OK, UserError};

/// Runs `check` and returns the exit status.
pub fn run(args: CheckArgs) -> anyhow::Result<u8> {
    let inputs: Vec<Input> = if args.inputs.is_empty() {
        let range = provgate_git::default_range(&args.repo).map_err(|e| {
            UserError::new(
                e.to_string(),
                "name what to check, e.g. `provgate check origin/main..HEAD` or `provgate check series.mbox`",
            )
        })?;
        vec![Input::Range(range)]
    } else {
        args.inputs.iter().map(|a| Input::classify(a)).collect()
    };

    let mut report = Report::new(env!("CARGO_PKG_VERSION"));
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

    let mut series: Vec<Series> = Vec::new();
    let mut mail: Vec<Patch> = Vec::new();
    let mut diffs: Vec<Patch> = Vec::new();
    for input in &inputs {
        report.inputs.push(InputReport {
            name: input.name().to_string(),
            kind: input.kind(),
        });
        match input {
            Input::Range(range) => match provgate_git::read_range(&args.repo, range, &range_options)
            {
                Ok(read) => {
                    report.summary.merges_skipped += read.merges_skipped;
                    series.push(Series {
                        id: read.range,
                        version: 1,
                        total: None,
                        cover: None,
                        patches: read.patches,
                    });
                }
                Err(e) => report.push_error(ErrorReport {
                    input: range.clone(),
                    line: None,
                    message: e.to_string(),
                    hint: Some(e.hint().to_string()),
                }),
            },
            Input::Stdin | Input::File(_) | Input::Directory(_) => {
                read_path(input.name(), read_options, &mut |item| match item {
                    Ok(MailItem::Patch(patch)) => match patch.origin {
                        Origin::Diff { .. } => diffs.push(*patch),
                        _ => mail.push(*patch),
                    },
                    Ok(MailItem::NotAPatch { .. }) => report.summary.not_patches += 1,
                    Err(error) => report.push_error(error_report(&error)),
                });
            }
        }
    }
    series.extend(group_into_series(mail));

    for s in &series {
        report.push_series(SeriesReport {
            id: s.id.clone(),
            version: s.version,
            total: s.total,
            cover: s.cover.as_ref().map(|c| c.id.clone()),
            patches: s.patches.iter().map(|p| p.id.clone()).collect(),
            missing: s.missing(),
        });
        for patch in s.cover.iter().chain(&s.patches) {
            report.push_patch(patch);
        }
    }
    for patch in &diffs {
        report.push_patch(patch);
    }

    let rendered = match args.format {
        Format::Text => provgate_report::text::render(&report),
        Format::Json => provgate_report::json::render(&report),
    };
    match &args.output {
        Some(path) => std::fs::write(path, rendered)
            .with_context(|| format!("cannot write the report to {}", path.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`provgate check | head`) is not an error worth reporting.
            let _ = stdout.write_all(rendered.as_bytes());
        }
    }
    if args.format != Format::Text || args.output.is_some() {
        // Errors always reach the terminal, even when the report goes elsewhere.
        for error in &report.errors {
            let line = error.line.map_or(String::new(), |l| format!(":{l}"));
            eprintln!("error: {}{line}: {}", error.input, error.message);
        }
    }
    Ok(if report.summary.errors > 0 {
        EXIT_ERROR
    } else {
        EXIT_OK
    })
}

fn error_report(error: &InputError) -> ErrorReport {
    ErrorReport {
        input: error.file.clone(),
        line: (error.line > 0).then_some(error.line),
        message: error.kind.to_string(),
        hint: Some(error.hint().to_string()),
    }
}
