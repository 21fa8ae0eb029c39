//! `provgate explain`: a rule's own documentation, or the list of rules with their levels.

use std::fmt::Write;

use crate::cli::ExplainArgs;
use crate::{EXIT_ERROR, EXIT_OK, options, output};

/// Runs `explain` and returns the exit status.
pub fn run(args: ExplainArgs) -> anyhow::Result<u8> {
    if args.list {
        let loaded = options::load(&args.policy, &args.repo)?;
        let mut out = format!(
            "Rules under {} (extends {}):\n",
            loaded.policy.origin, loaded.policy.extends
        );
        for rule in provgate_policy::rules::all() {
            let level = loaded.policy.effective_level(rule.id(), &loaded.overrides);
            let _ = writeln!(
                out,
                "  {:<32} {:<5}  {}",
                rule.name(),
                level.as_str(),
                rule.doc().summary
            );
        }
        output::write(None, &out)?;
        return Ok(EXIT_OK);
    }
    let name = args.rule.unwrap_or_default();
    let Some(doc) = provgate_policy::explain(&name) else {
        let names: Vec<&str> = provgate_policy::rules::all()
            .iter()
            .map(|r| r.name())
            .collect();
        let near = names
            .iter()
            .filter(|n| n.contains(&name) || name.contains(**n))
            .copied()
            .collect::<Vec<_>>();
        eprintln!("error: no rule is named `{name}`");
        if near.is_empty() {
            eprintln!("  hint: `provgate explain --list` lists every rule");
        } else {
            eprintln!("  hint: did you mean {}?", near.join(", "));
        }
        return Ok(EXIT_ERROR);
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}\n", doc.id, doc.summary);
    for (title, text) in [
        ("What it checks", doc.what),
        ("Why", doc.why),
        ("Which policy says so", doc.policy),
        ("Fails", doc.failing),
        ("Passes", doc.passing),
        ("How to fix", doc.fix),
    ] {
        let _ = writeln!(out, "{title}:");
        for line in text.trim().lines() {
            let _ = writeln!(out, "    {line}");
        }
        out.push('\n');
    }
    output::write(None, &out)?;
    Ok(EXIT_OK)
}
