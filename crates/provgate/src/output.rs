//! Writing a command's result to standard output or to a file.

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::Context;
use provgate_report::Report;
use provgate_report::text::TextOptions;

use crate::cli::{Color, Format, ReportArgs};

/// Renders `report` as the arguments ask.
pub fn render(report: &Report, args: &ReportArgs) -> String {
    render_as(report, args, args.format, args.output.is_some())
}

/// Renders `report` as `format` with the other arguments' settings; `to_file`: it is not
/// written to standard output (so never in colour unless `--color always`).
pub fn render_as(report: &Report, args: &ReportArgs, format: Format, to_file: bool) -> String {
    match format {
        Format::Text => {
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => {
                    !to_file
                        && std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none()
                }
            };
            provgate_report::text::render(
                report,
                TextOptions {
                    color,
                    quiet: args.quiet,
                    // On a terminal the errors are on standard error already.
                    errors: to_file,
                },
            )
        }
        Format::Json => provgate_report::json::render(report),
        Format::Sarif => provgate_report::sarif::render(report),
        Format::Github => provgate_report::github::render(
            report,
            provgate_report::github::Caps {
                total: args.max_annotations,
                errors: args.max_errors,
                warnings: args.max_warnings,
            },
        ),
        Format::Markdown => provgate_report::markdown::render(report),
        Format::Email => provgate_report::email::render(report),
        Format::B4 => provgate_report::b4::render_check(report),
        Format::B4Review => provgate_report::b4::render_review(report),
        Format::Codequality => provgate_report::codequality::render(report),
    }
}

/// Prints the inputs that could not be read to standard error, whatever the report's format
/// and destination.
pub fn print_errors(report: &Report) {
    for error in &report.errors {
        let line = error.line.map_or(String::new(), |l| format!(":{l}"));
        eprintln!("error: {}{line}: {}", error.input, error.message);
        if let Some(hint) = &error.hint {
            eprintln!("  hint: {hint}");
        }
    }
}

/// Writes `text` to `path`, or to standard output when there is none or it is `-`. A closed pipe
/// (`provgate check | head`) is not an error worth reporting.
pub fn write(path: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match path {
        Some(path) if path != Path::new("-") => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
        }
        _ => {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(text.as_bytes());
            let _ = stdout.flush();
            Ok(())
        }
    }
}

/// Writes the report where the arguments say, records it when a log is open, and prints the
/// inputs that could not be read: the end every judging command shares.
pub fn deliver(
    checked: &provgate_engine::Checked,
    args: &ReportArgs,
    recorder: Option<&crate::audit::Recorder>,
    command: &str,
) -> anyhow::Result<()> {
    write(args.output.as_deref(), &render(&checked.report, args))?;
    if let Some(recorder) = recorder {
        recorder.record(&checked.audit_entry(command))?;
    }
    print_errors(&checked.report);
    Ok(())
}
