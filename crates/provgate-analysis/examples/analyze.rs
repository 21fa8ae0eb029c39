//! Drives the analysis library from the command line, for the bench script and real-data checks.
//!
//! ```text
//! cargo run --release -p provgate-analysis --example analyze -- index REPO [REV] [--no-cache] [--threads N]
//! cargo run --release -p provgate-analysis --example analyze -- check REPO RANGE [--preset NAME]
//! cargo run --release -p provgate-analysis --example analyze -- findings REPO RANGE [--rule NAME]
//! ```
//!
//! `index` builds (or loads) the symbol index of REV (default `HEAD`) and prints what it did;
//! `check` checks the range's commits under a preset (default `qemu`) with every code rule and
//! prints the time and the counts; `findings` prints every code finding of the range, one per
//! line: `commit path:line rule message`.

use std::path::Path;
use std::time::Instant;

use provgate_analysis::{Analyzer, AnalyzerOptions, IndexOptions};
use provgate_policy::{
    CheckContext, Level, Overrides, Policy, RuleId, Stage, Zones, check_with_code,
};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let positional: Vec<&String> = {
        let mut out = Vec::new();
        let mut skip = false;
        for a in &args {
            if skip {
                skip = false;
                continue;
            }
            if matches!(a.as_str(), "--threads" | "--preset" | "--rule") {
                skip = true;
                continue;
            }
            if !a.starts_with("--") {
                out.push(a);
            }
        }
        out
    };
    let (Some(cmd), Some(repo)) = (positional.first(), positional.get(1)) else {
        eprintln!("usage: analyze index|check|findings REPO [REV|RANGE] [options]");
        std::process::exit(2);
    };
    let repo = Path::new(repo.as_str());
    let options = AnalyzerOptions {
        index: IndexOptions {
            cache: !flag("--no-cache"),
            threads: value("--threads").and_then(|t| t.parse().ok()),
            cache_dir: None,
        },
        ..AnalyzerOptions::default()
    };
    let analyzer = Analyzer::open(repo, options).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(2)
    });
    match cmd.as_str() {
        "index" => {
            let rev = positional.get(2).map_or("HEAD", |s| s.as_str());
            let start = Instant::now();
            let (index, stats) = analyzer.index(rev).unwrap_or_else(|e| {
                eprintln!("error: {e}");
                std::process::exit(2)
            });
            println!(
                "index {rev}: {:.3} s, {} files, {} parsed ({:.1} MB), {} reused, {} skipped, {} names, cache base {:?}, written {}",
                start.elapsed().as_secs_f64(),
                stats.files,
                stats.parsed,
                stats.bytes_parsed as f64 / 1e6,
                stats.reused,
                stats.skipped,
                index.names(),
                stats.from_cache,
                stats.written
            );
        }
        "check" | "findings" => {
            let range = positional.get(2).map_or("HEAD~30..HEAD", |s| s.as_str());
            let start = Instant::now();
            let read =
                provgate_git::read_range(repo, range, &provgate_git::RangeOptions::default())
                    .unwrap_or_else(|e| {
                        eprintln!("error: {e}");
                        std::process::exit(2)
                    });
            let read_time = start.elapsed();
            let preset = value("--preset").unwrap_or_else(|| "qemu".into());
            let mut policy = Policy::preset(&preset).expect("known preset");
            // Every code rule on, so that the check does all of its work.
            for rule in [
                RuleId::UnknownSymbol,
                RuleId::InsecureCall,
                RuleId::InsecureIdiom,
                RuleId::NewUnsafe,
                RuleId::TestWithoutAssertion,
            ] {
                policy.rules.insert(rule, Level::Warn);
            }
            let ctx = CheckContext::new(
                None,
                Stage::Submit,
                jiff::civil::date(2026, 6, 1),
                Overrides::default(),
            )
            .expect("no overrides");
            let zones = Zones::new(&policy, None).expect("preset zones");
            let commits = read.patches.len();
            let series = provgate_patch::Series {
                id: range.to_string(),
                version: 1,
                total: None,
                cover: None,
                patches: read.patches,
            };
            let check_start = Instant::now();
            let result = check_with_code(&policy, &ctx, &zones, &[series], Some(&analyzer));
            let check_time = check_start.elapsed();
            let rule_filter = value("--rule");
            let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
            let mut notes = 0;
            for s in &result.series {
                for p in &s.patches {
                    notes += p.code_notes.len();
                    if flag("--notes") {
                        for n in &p.code_notes {
                            println!(
                                "{} {}:{} note {}",
                                &p.id[..12.min(p.id.len())],
                                n.path,
                                n.line.unwrap_or(0),
                                n.message
                            );
                        }
                    }
                    for f in &p.findings {
                        if !f.rule.rule().is_code_rule() {
                            continue;
                        }
                        *counts.entry(f.rule.as_str()).or_default() += 1;
                        if cmd.as_str() == "findings"
                            && rule_filter.as_deref().is_none_or(|r| r == f.rule.as_str())
                        {
                            println!(
                                "{} {}:{} {} {}",
                                &p.id[..12.min(p.id.len())],
                                f.path.as_deref().unwrap_or(""),
                                f.line.unwrap_or(0),
                                f.rule,
                                f.message
                            );
                        }
                    }
                }
            }
            let stats = analyzer.index_stats();
            eprintln!(
                "{commits} commits: read {:.3} s, check with code {:.3} s (total {:.3} s); findings {counts:?}; not-analysed notes {notes}; indexes built {} (parsed {} blobs)",
                read_time.as_secs_f64(),
                check_time.as_secs_f64(),
                start.elapsed().as_secs_f64(),
                stats.len(),
                stats.iter().map(|s| s.parsed).sum::<usize>()
            );
        }
        other => {
            eprintln!("unknown command {other}");
            std::process::exit(2);
        }
    }
}
