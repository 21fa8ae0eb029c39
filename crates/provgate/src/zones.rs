//! `provgate zones`: the zones, kind, MAINTAINERS sections and people of paths.

use std::fmt::Write;
use std::io::BufRead;

use provgate_policy::Zones;

use crate::cli::{ZonesArgs, ZonesFormat};
use crate::{EXIT_OK, config, output};

/// Runs `zones` and returns the exit status.
pub fn run(args: ZonesArgs) -> anyhow::Result<u8> {
    let loaded = config::load(&args.policy, &args.repo)?;
    let zones = Zones::load(&loaded.policy, loaded.root.as_deref().or(Some(&args.repo)))
        .map_err(config::policy_error)?;
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
    let infos: Vec<_> = paths.iter().map(|p| zones.classify(p)).collect();
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
                    let _ = writeln!(out, "  section: {} ({status})", section.name);
                }
                for m in &info.maintainers {
                    let _ = writeln!(out, "  maintainer: {m}");
                }
                for r in &info.reviewers {
                    let _ = writeln!(out, "  reviewer: {r}");
                }
            }
            if !zones.has_maintainers() {
                out.push_str("note: no MAINTAINERS file was read (the policy's zones.maintainers_file, at the repository root)\n");
            }
            out
        }
    };
    output::write(None, &text)?;
    Ok(EXIT_OK)
}
