//! Reading the added code as code for `check`: the analyzer over the project's repository, with
//! the regression-test proofs that `provgate prove` wrote and `--proof` hands in.

use std::path::Path;

use provgate_analysis::{Analyzer, AnalyzerOptions};
use provgate_policy::{ProofFacts, ProofOutcome};

use crate::UserError;
use crate::cli::CodeArgs;

/// The analyzer `check` uses, or `None` with `--no-code`.
///
/// The repository is the project root's own (`root/.git`), or the bare repository `--repo`
/// names. A root that is only a directory with a `provgate.toml` (a mailing-list bot's) is not
/// the tree the patches apply to, even inside another repository, so its patches are read from
/// their hunks alone.
pub fn analyzer(
    repo: &Path,
    root: Option<&Path>,
    args: &CodeArgs,
) -> Result<Option<Analyzer>, UserError> {
    if args.no_code {
        return Ok(None);
    }
    if let Some(base) = &args.base {
        check_base(repo, base)?;
    }
    let options = AnalyzerOptions {
        base: args.base.clone(),
        ..AnalyzerOptions::default()
    };
    let mut analyzer = match root {
        Some(root) if root.join(".git").exists() => Analyzer::open(root, options).map_err(|e| {
            UserError::new(
                format!("cannot read the repository for code analysis: {e}"),
                "pass --no-code to check without reading the code",
            )
        })?,
        Some(_) => Analyzer::without_repository(options),
        // No work tree above: a bare repository, or no repository at all.
        None => match Analyzer::open(repo, options.clone()) {
            Ok(analyzer) => analyzer,
            Err(_) => Analyzer::without_repository(options),
        },
    };
    for file in &args.proof {
        for (id, facts) in read_proofs(file)? {
            analyzer = analyzer.with_proof(&id, facts);
        }
    }
    Ok(Some(analyzer))
}

/// The proofs in a JSON report of `provgate prove`, by patch id.
fn read_proofs(file: &Path) -> Result<Vec<(String, ProofFacts)>, UserError> {
    let hint = "write it with `provgate prove --test-cmd CMD --format json -o FILE INPUT`";
    let text = std::fs::read_to_string(file)
        .map_err(|e| UserError::new(format!("cannot read proof {}: {e}", file.display()), hint))?;
    let report: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        UserError::new(
            format!("{}:{}: not a JSON report: {e}", file.display(), e.line()),
            hint,
        )
    })?;
    if report.get("schema").and_then(|s| s.as_str()) != Some(provgate_report::SCHEMA) {
        return Err(UserError::new(
            format!(
                "{} is not a provgate report (no `\"schema\": \"{}\"`)",
                file.display(),
                provgate_report::SCHEMA
            ),
            hint,
        ));
    }
    let mut proofs = Vec::new();
    for patch in report["patches"].as_array().into_iter().flatten() {
        let (Some(id), Some(proof)) = (patch["id"].as_str(), patch.get("proof")) else {
            continue;
        };
        let outcome = match proof["outcome"].as_str() {
            Some("proven") => ProofOutcome::Proven,
            Some("hollow") => ProofOutcome::Hollow,
            Some("broken") => ProofOutcome::Broken,
            Some("inconclusive") => ProofOutcome::Inconclusive,
            // Nothing to prove: the rule does not apply to the patch either.
            Some("not-applicable") => continue,
            other => {
                return Err(UserError::new(
                    format!(
                        "{}: patch {id}: unknown proof outcome {}",
                        file.display(),
                        other.map_or("(none)".to_string(), |o| format!("`{o}`"))
                    ),
                    hint,
                ));
            }
        };
        let summary = proof["summary"].as_str().unwrap_or_default().to_string();
        proofs.push((id.to_string(), ProofFacts { outcome, summary }));
    }
    if proofs.is_empty() {
        return Err(UserError::new(
            format!("{} holds no regression-test proof", file.display()),
            hint,
        ));
    }
    Ok(proofs)
}

/// The policy engine's check, with the code read when there is an analyzer.
pub fn check(
    policy: &provgate_policy::Policy,
    context: &provgate_policy::CheckContext,
    zones: &provgate_policy::Zones,
    series: &[provgate_patch::Series],
    analyzer: &Option<Analyzer>,
) -> provgate_policy::CheckResult {
    let code = analyzer
        .as_ref()
        .map(|a| a as &dyn provgate_policy::CodeAnalyzer);
    provgate_policy::check_with_code(policy, context, zones, series, code)
}

/// A `--base` that names no commit is a mistake of the command line, not a note on each patch.
pub fn check_base(repo: &Path, base: &str) -> Result<(), UserError> {
    let resolved = !base.is_empty() && provgate_git::resolve_commit(repo, base).is_ok();
    if resolved {
        Ok(())
    } else {
        Err(UserError::new(
            format!(
                "--base {base}: not a commit of the repository at {}",
                repo.display()
            ),
            "name the commit the mail or diffs apply to (a branch, tag or id), or leave --base out for HEAD",
        ))
    }
}
