//! Finding the repository root and the policy: `--policy`, `--preset`, the repository's
//! `provgate.toml`, or the built-in default, in that order; then the command line's re-levelling.

use std::path::{Path, PathBuf};

use provgate_policy::{Overrides, Policy, PolicyError};

use crate::UserError;
use crate::cli::PolicyArgs;

/// The policy file name looked for at the repository root.
pub const POLICY_FILE: &str = "provgate.toml";

/// A policy ready to use.
pub struct Loaded {
    /// The resolved policy.
    pub policy: Policy,
    /// The command line's `-A/-W/-D`, validated.
    pub overrides: Overrides,
    /// The repository root, when `--repo` is inside one.
    pub root: Option<PathBuf>,
}

/// The project root: the nearest directory at or above `dir` that holds a `.git` entry or a
/// `provgate.toml` (so that a mailing-list bot can keep a policy and MAINTAINERS in a directory
/// of their own, as Cargo finds `Cargo.toml`).
pub fn repo_root(dir: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(dir).ok()?;
    start
        .ancestors()
        .find(|d| d.join(".git").exists() || d.join(POLICY_FILE).is_file())
        .map(Path::to_path_buf)
}

/// Loads the policy the arguments name, or the repository's, or the default.
pub fn load(args: &PolicyArgs, repo: &Path) -> Result<Loaded, UserError> {
    let root = repo_root(repo);
    let policy = if let Some(path) = &args.policy {
        Policy::from_file(path)
    } else if let Some(name) = &args.preset {
        Policy::preset(name)
    } else {
        let base = root.clone().unwrap_or_else(|| repo.to_path_buf());
        let file = base.join(POLICY_FILE);
        if file.is_file() {
            refuse_escaping_link(&file, &base)?;
            Policy::from_file(&relative_to_cwd(&file))
        } else {
            Ok(Policy::default_policy())
        }
    }
    .map_err(policy_error)?;
    let overrides = Overrides::parse(&args.allow, &args.warn, &args.deny).map_err(policy_error)?;
    Ok(Loaded {
        policy,
        overrides,
        root,
    })
}

/// A checked branch may ship its own `provgate.toml`; a symbolic link from there to a file
/// outside the repository would let it read any file of the machine as policy, so it is refused.
fn refuse_escaping_link(file: &Path, root: &Path) -> Result<(), UserError> {
    let (Ok(target), Ok(root)) = (std::fs::canonicalize(file), std::fs::canonicalize(root)) else {
        return Ok(());
    };
    if target.starts_with(&root) {
        return Ok(());
    }
    Err(UserError::new(
        format!(
            "{} is a link to {}, outside the repository",
            file.display(),
            target.display()
        ),
        "replace the link with the policy file itself, or name the file with --policy",
    ))
}

/// `path` relative to the working directory when it is below it, as the user would write it.
pub fn relative_to_cwd(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

/// A policy error as the user sees it: where, what, the offending text, and what to do.
pub fn policy_error(error: PolicyError) -> UserError {
    let place = if error.line > 0 {
        format!("{}:{}:{}", error.origin, error.line, error.column)
    } else {
        error.origin.clone()
    };
    let snippet = if error.snippet.is_empty() {
        String::new()
    } else {
        format!("\n  at: {}", error.snippet)
    };
    UserError::new(format!("{place}: {}{snippet}", error.kind), error.hint)
}
