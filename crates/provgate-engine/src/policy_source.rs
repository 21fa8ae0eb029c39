//! Finding the project root and the policy: a named file, a preset, the repository's
//! `provgate.toml`, or the built-in default, in that order.

use std::path::{Path, PathBuf};

use provgate_policy::{Overrides, Policy};

use crate::EngineError;

/// The policy file name looked for at the project root.
pub const POLICY_FILE: &str = "provgate.toml";

/// Where the policy comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PolicySource {
    /// The project root's `provgate.toml`, or the built-in default when there is none.
    #[default]
    Repository,
    /// A policy file.
    File(PathBuf),
    /// A built-in preset by name (`qemu`, `linux`, …).
    Preset(String),
}

/// The project root: the nearest directory at or above `dir` that holds a `.git` entry or a
/// `provgate.toml` (so that a mailing-list bot can keep a policy and MAINTAINERS in a directory
/// of their own, as Cargo finds `Cargo.toml`).
pub fn project_root(dir: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(dir).ok()?;
    start
        .ancestors()
        .find(|d| d.join(".git").exists() || d.join(POLICY_FILE).is_file())
        .map(Path::to_path_buf)
}

impl PolicySource {
    /// Loads the policy; `repo` is where the command runs and `root` its project root.
    pub fn load(&self, repo: &Path, root: Option<&Path>) -> Result<Policy, EngineError> {
        let policy = match self {
            PolicySource::File(path) => Policy::from_file(path)?,
            PolicySource::Preset(name) => Policy::preset(name)?,
            PolicySource::Repository => {
                let base = root.unwrap_or(repo);
                let file = base.join(POLICY_FILE);
                if file.is_file() {
                    refuse_escaping_link(&file, base)?;
                    Policy::from_file(&relative_to_cwd(&file))?
                } else {
                    Policy::default_policy()
                }
            }
        };
        Ok(policy)
    }
}

/// A checked branch may ship its own `provgate.toml`; a symbolic link from there to a file
/// outside the repository would let it read any file of the machine as policy, so it is refused.
fn refuse_escaping_link(file: &Path, root: &Path) -> Result<(), EngineError> {
    let (Ok(target), Ok(root)) = (std::fs::canonicalize(file), std::fs::canonicalize(root)) else {
        return Ok(());
    };
    if target.starts_with(&root) {
        return Ok(());
    }
    Err(EngineError::EscapingPolicyLink {
        file: file.to_path_buf(),
        target,
    })
}

/// `path` relative to the working directory when it is below it, as the user would write it.
fn relative_to_cwd(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

/// A policy loaded for a command, with the command line's re-levelling validated.
#[derive(Debug, Clone)]
pub struct LoadedPolicy {
    /// The resolved policy.
    pub policy: Policy,
    /// The re-levelling of rules (`-A/-W/-D`).
    pub overrides: Overrides,
    /// The project root, when the command runs inside one.
    pub root: Option<PathBuf>,
}

/// Loads the policy `source` names for a command run in `repo`.
pub fn load_policy(
    source: &PolicySource,
    overrides: Overrides,
    repo: &Path,
) -> Result<LoadedPolicy, EngineError> {
    let root = project_root(repo);
    let policy = source.load(repo, root.as_deref())?;
    Ok(LoadedPolicy {
        policy,
        overrides,
        root,
    })
}
