//! `provgate scan`: one pass over a history, every commit judged by one or more policies, then
//! aggregated and compared across the policies (the engine's [`Gate::scan`]); here, the
//! arguments, the progress bar, Ctrl-C, rendering and recording.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use provgate_engine::{CodeMode, Gate, GateOptions, PolicySource, ScanProgress, ScanRequest};
use provgate_report::scan::html::HtmlOptions;

use crate::cli::{ScanArgs, ScanFormat};
use crate::options::user_error;
use crate::{EXIT_INTERRUPTED, EXIT_OK, output};

/// Runs `scan` and returns the exit status.
pub fn run(args: ScanArgs) -> anyhow::Result<u8> {
    let mut options = GateOptions::new(&args.repo, provgate_engine::today().map_err(user_error)?);
    // `--policy` files and `--preset` names in the order given; none: the repository's policy or
    // the default, as for `check`.
    options.policies = args
        .policy
        .iter()
        .map(|p| PolicySource::File(p.clone()))
        .chain(args.preset.iter().map(|n| PolicySource::Preset(n.clone())))
        .collect();
    options.code = if args.code {
        CodeMode::History
    } else {
        CodeMode::Off
    };
    let gate = Gate::new(options).map_err(user_error)?;
    let recorder = crate::audit::Recorder::open(&args.record, &args.repo)?;

    let interrupted = Arc::new(AtomicBool::new(false));
    {
        let flag = interrupted.clone();
        // A second Ctrl-C while the partial report is written ends the process as usual.
        let _ = ctrlc::set_handler(move || {
            if flag.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
        });
    }
    let request = ScanRequest {
        range: args.range.clone(),
        max_count: args.max_count,
        first_parent: args.first_parent,
        cache: !args.no_cache,
    };
    let scanned = gate
        .scan(&request, Some(&interrupted), &mut ProgressBar::default())
        .map_err(user_error)?;
    for warning in &scanned.warnings {
        eprintln!("warning: {warning}");
    }
    let report = &scanned.report;
    let rendered = match args.format {
        ScanFormat::Text => report.to_text(),
        ScanFormat::Json => report.to_json(),
        ScanFormat::Csv => report.to_csv(),
        ScanFormat::Html => provgate_report::scan::html::render(
            report,
            &HtmlOptions {
                commit_url: args.commit_url.clone(),
                max_findings: args.max_findings,
            },
        ),
    };
    output::write(args.output.as_deref(), &rendered)?;
    if let Some(recorder) = &recorder {
        if scanned.partial {
            eprintln!("warning: the scan was interrupted, so its verdicts were not recorded");
        } else {
            for entry in &scanned.audit_entries {
                recorder.record(entry)?;
            }
        }
    }
    if !report.skipped.is_empty() {
        eprintln!(
            "warning: {} commit(s) could not be read and are not in the figures (listed in the report)",
            report.skipped.len()
        );
    }
    Ok(if scanned.partial {
        EXIT_INTERRUPTED
    } else {
        EXIT_OK
    })
}

/// A progress bar on standard error, for scans long enough to want one.
#[derive(Default)]
struct ProgressBar(Option<indicatif::ProgressBar>);

impl ScanProgress for ProgressBar {
    fn start(&mut self, commits: u64) {
        if !std::io::stderr().is_terminal() || commits < 200 {
            return;
        }
        let bar = indicatif::ProgressBar::new(commits);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} reading {pos}/{len} commits [{bar:30}] {per_sec}, {eta} left",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        self.0 = Some(bar);
    }

    fn commit(&mut self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
