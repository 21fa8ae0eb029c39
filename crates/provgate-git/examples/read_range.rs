//! Reads a range and prints what it found, for benchmarks and quick looks at real histories.
//!
//! ```text
//! cargo run --release -p provgate-git --example read_range -- REPO RANGE [-n N] [--threads N]
//!     [--first-parent] [--merges] [--numstat]
//! ```
//!
//! `--numstat` prints every commit as `git log --numstat --format=%H` would (paths unquoted), so
//! that the two can be compared with `diff`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use provgate_git::{RangeOptions, for_each_commit};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut positional = Vec::new();
    let mut opts = RangeOptions::default();
    let mut numstat = false;
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Option<usize> {
            let value = args.next().and_then(|v| v.parse().ok());
            if value.is_none() {
                eprintln!("{name} needs a number");
            }
            value
        };
        match arg.as_str() {
            "-n" => match number("-n") {
                Some(n) => opts.max_count = Some(n),
                None => return ExitCode::from(2),
            },
            "--threads" => match number("--threads") {
                Some(n) => opts.threads = Some(n),
                None => return ExitCode::from(2),
            },
            "--first-parent" => opts.first_parent = true,
            "--merges" => opts.include_merges = true,
            "--numstat" => numstat = true,
            _ => positional.push(arg),
        }
    }
    let [repo, range] = positional.as_slice() else {
        eprintln!(
            "usage: read_range REPO RANGE [-n N] [--threads N] [--first-parent] [--merges] [--numstat]"
        );
        return ExitCode::from(2);
    };

    let started = Instant::now();
    let (mut commits, mut errors, mut files, mut hunks) = (0usize, 0usize, 0usize, 0usize);
    let (mut added, mut removed) = (0u64, 0u64);
    let result = for_each_commit(&PathBuf::from(repo), range, &opts, |result| match result {
        Ok(patch) => {
            commits += 1;
            files += patch.files.len();
            hunks += patch.files.iter().map(|f| f.hunks.len()).sum::<usize>();
            added += u64::from(patch.added());
            removed += u64::from(patch.removed());
            if numstat {
                println!("{}", patch.id);
                for f in &patch.files {
                    let count = |n: u32| {
                        if f.binary {
                            "-".to_string()
                        } else {
                            n.to_string()
                        }
                    };
                    let path = match f.source_path() {
                        Some(old) => format!("{old} => {}", f.path()),
                        None => f.path().to_string(),
                    };
                    println!("{}\t{}\t{path}", count(f.added()), count(f.removed()));
                }
            }
        }
        Err(e) => {
            errors += 1;
            eprintln!("error: {e}");
        }
    });
    let summary = match result {
        Ok(summary) => summary,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "{commits} commits ({} merges skipped, {errors} errors), {files} files, {hunks} hunks, \
         +{added} -{removed} lines in {:.3} s",
        summary.merges_skipped,
        started.elapsed().as_secs_f64()
    );
    if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
