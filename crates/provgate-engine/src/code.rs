//! Reading the added code as code: the analyzer over the project's repository, with the
//! regression-test proofs that `provgate prove` wrote.

use std::path::{Path, PathBuf};

use provgate_analysis::{Analyzer, AnalyzerOptions};
use provgate_policy::{ProofFacts, ProofOutcome};
use serde::Deserialize;

use crate::{EngineError, ProofFileError};

/// Whether and how the added code is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CodeMode {
    /// The code is read, and a repository that cannot be opened is an error.
    #[default]
    Read,
    /// The code is read when the repository can be opened; when it cannot, the patches are
    /// still judged without it and [`crate::Gate::code_error`] says why (hooks: a hook that
    /// cannot read the code should not block a push).
    BestEffort,
    /// The code is read along a history, one analyzer per policy following it commit by commit
    /// (`scan --code`); the repository is the one the scan reads.
    History,
    /// The code is not read (`--no-code`).
    Off,
}

/// The analyzer for `mode`, or `None` when the code is not read.
///
/// The repository is the project root's own (`root/.git`), or the bare repository `repo`
/// names. A root that is only a directory with a `provgate.toml` (a mailing-list bot's) is not
/// the tree the patches apply to, even inside another repository, so its patches are read from
/// their hunks alone.
pub(crate) fn analyzer(
    mode: CodeMode,
    repo: &Path,
    root: Option<&Path>,
    base: Option<&str>,
) -> Result<Option<Analyzer>, EngineError> {
    let options = AnalyzerOptions {
        base: base.map(str::to_string),
        ..AnalyzerOptions::default()
    };
    let unreadable = |e: &dyn std::fmt::Display, in_scan| EngineError::CodeRepository {
        reason: e.to_string(),
        in_scan,
    };
    Ok(Some(match mode {
        CodeMode::Off => return Ok(None),
        CodeMode::History => Analyzer::open(repo, options).map_err(|e| unreadable(&e, true))?,
        CodeMode::Read | CodeMode::BestEffort => match root {
            Some(root) if root.join(".git").exists() => {
                Analyzer::open(root, options).map_err(|e| unreadable(&e, false))?
            }
            Some(_) => Analyzer::without_repository(options),
            // No work tree above: a bare repository, or no repository at all.
            None => match Analyzer::open(repo, options.clone()) {
                Ok(analyzer) => analyzer,
                Err(_) => Analyzer::without_repository(options),
            },
        },
    }))
}

/// The parts of a `provgate prove` JSON report that carry proofs.
#[derive(Deserialize)]
struct ProofFile {
    schema: Option<String>,
    #[serde(default)]
    patches: Vec<ProvedPatch>,
}

#[derive(Deserialize)]
struct ProvedPatch {
    id: Option<String>,
    proof: Option<Proof>,
}

#[derive(Deserialize)]
struct Proof {
    outcome: Option<String>,
    #[serde(default)]
    summary: String,
}

/// The proofs in a JSON report of `provgate prove`, by patch id.
pub fn read_proofs(file: &Path) -> Result<Vec<(String, ProofFacts)>, ProofFileError> {
    let path = || PathBuf::from(file);
    let text = std::fs::read_to_string(file).map_err(|source| ProofFileError::Unreadable {
        file: path(),
        source,
    })?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|source| ProofFileError::NotJson {
            file: path(),
            line: source.line(),
            source,
        })?;
    let report: ProofFile = serde_json::from_value(value).unwrap_or(ProofFile {
        schema: None,
        patches: Vec::new(),
    });
    if report.schema.as_deref() != Some(provgate_report::SCHEMA) {
        return Err(ProofFileError::NotAReport { file: path() });
    }
    let mut proofs = Vec::new();
    for patch in report.patches {
        let (Some(id), Some(proof)) = (patch.id, patch.proof) else {
            continue;
        };
        let outcome = match proof.outcome.as_deref().map(str::parse::<ProofOutcome>) {
            // Nothing to prove: the rule does not apply to the patch either.
            Some(Ok(ProofOutcome::NotApplicable)) => continue,
            Some(Ok(outcome)) => outcome,
            Some(Err(unknown)) => {
                return Err(ProofFileError::UnknownOutcome {
                    file: path(),
                    id,
                    outcome: Some(unknown),
                });
            }
            None => {
                return Err(ProofFileError::UnknownOutcome {
                    file: path(),
                    id,
                    outcome: None,
                });
            }
        };
        proofs.push((
            id,
            ProofFacts {
                outcome,
                summary: proof.summary,
            },
        ));
    }
    if proofs.is_empty() {
        return Err(ProofFileError::Empty { file: path() });
    }
    Ok(proofs)
}

/// A `--base` that names no commit is a mistake of the options, not a note on each patch.
pub fn check_base(repo: &Path, base: &str) -> Result<(), EngineError> {
    let resolved = !base.is_empty() && provgate_git::resolve_commit(repo, base).is_ok();
    if resolved {
        Ok(())
    } else {
        Err(EngineError::UnknownBase {
            base: base.to_string(),
            repo: repo.to_path_buf(),
        })
    }
}
