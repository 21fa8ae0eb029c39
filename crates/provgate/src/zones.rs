//! `provgate zones`: the zones, kind, MAINTAINERS sections and people of paths.
//!
//! As `get_maintainer.pl -f FILE` does, a file's content is matched against the MAINTAINERS
//! `K:` keywords (unless `--no-keywords` or the policy turns them off); sections found only that
//! way are marked so.

use std::fmt::Write;
use std::io::BufRead;

use provgate_engine::zones::PathZones;
use provgate_policy::SectionReason;

use crate::cli::{ZonesArgs, ZonesFormat};
use crate::options::user_error;
use crate::{EXIT_OK, options, output};

/// Runs `zones` and returns the exit status.
pub fn run(args: ZonesArgs) -> anyhow::Result<u8> {
    let loaded = options::load(&args.policy, &args.repo)?;
    let root = loaded.root.clone().unwrap_or_else(|| args.repo.clone());
    let mut paths: Vec<String> = Vec::new();
    for path in &args.paths {
        if path == "-" {
            for line in std::io::stdin().lock().lines() {
                let line = line?;
                if !line.trim().is_empty() {
                    paths.push(line.trim().to_string());
                }
            }
        } else {
            paths.push(path.clone());
        }
    }
    let PathZones {
        infos,
        warnings,
        has_maintainers,
    } = provgate_engine::zones::classify_paths(&loaded.policy, &root, &paths, !args.no_keywords)
        .map_err(user_error)?;
    let text = match args.format {
        ZonesFormat::Json => {
            let mut json = serde_json::to_string_pretty(&infos)?;
            json.push('\n');
            json
        }
        ZonesFormat::Text => {
            let mut out = String::new();
            for info in &infos {
                let zones = if info.zones.is_empty() {
                    "no zone".to_string()
                } else {
                    format!("zones {}", info.zones.join(", "))
                };
                let _ = writeln!(
                    out,
                    "{}: {}, {zones}, {}{}",
                    info.path,
                    info.kind.as_str(),
                    serde_json::to_value(info.tier)?.as_str().unwrap_or(""),
                    if info.exempt { ", exempt" } else { "" }
                );
                for section in &info.sections {
                    let status = section.status.as_deref().unwrap_or("no status");
                    let why = match (section.matched_by, &section.keyword) {
                        (SectionReason::Keyword, Some(k)) => {
                            format!(", only by its K: keyword `{k}` in the content")
                        }
                        (SectionReason::Keyword, None) => ", only by a K: keyword".to_string(),
                        (SectionReason::Path, _) => String::new(),
                    };
                    let _ = writeln!(out, "  section: {} ({status}){why}", section.name);
                }
                for m in &info.maintainers {
                    let _ = writeln!(out, "  maintainer: {m}");
                }
                for r in &info.reviewers {
                    let _ = writeln!(out, "  reviewer: {r}");
                }
            }
            if !has_maintainers {
                out.push_str("note: no MAINTAINERS file was read (the policy's zones.maintainers-file, at the repository root)\n");
            }
            out
        }
    };
    // On standard error, so that the JSON stays one document.
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    output::write(None, &text)?;
    Ok(EXIT_OK)
}
