//! Checks an mbox of patches through the engine, as an embedder would: build a gate once, check,
//! render, decide.
//!
//!     cargo run -p provgate-engine --example check_mbox -- examples/qemu/series.mbox examples/qemu
//!
//! The second argument is the project directory whose `provgate.toml` and MAINTAINERS apply
//! (default: the current directory).

use provgate_engine::{CheckRequest, CodeMode, Gate, GateOptions, Input};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mbox = args.next().ok_or("usage: check_mbox MBOX [PROJECT_DIR]")?;
    let project = args.next().unwrap_or_else(|| ".".into());

    let mut options = GateOptions::new(project, provgate_engine::today()?);
    options.code = CodeMode::Off; // judge the mail alone, without reading the tree's code
    let gate = Gate::new(options)?;

    let checked = gate.check(&CheckRequest {
        inputs: vec![Input::classify(&mbox)],
        ..CheckRequest::default()
    });
    let report = &checked.report;
    print!("{}", provgate_report::markdown::render(report));
    println!(
        "{} patch(es), verdict {}, audit digest {}",
        report.patches.len(),
        report.verdict.map_or("none", |v| v.as_str()),
        checked.input_sha256
    );
    Ok(())
}
