//! Finding the project root and the policy: a named file, a preset, the repository's
//! `provgate.toml`, or the built-in default, in that order; and where the project's own files
//! (the policy file, MAINTAINERS, `.mailmap`) are read: the work tree, or a trusted base commit.

use std::path::{Path, PathBuf};

use provgate_git::at_revision::TreeAt;
use provgate_policy::{Overrides, Policy, RepoFiles, Zones};

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

/// Where the project's own files are read: the policy file (`provgate.toml`, or a `--policy`
/// file inside the repository), the MAINTAINERS file the policy names, and `.mailmap`.
///
/// A gate that judges a change someone else proposes (a pull request, a mailed series) reads
/// them at the base the change applies to: a change must not loosen the policy that judges it,
/// nor name its own zone maintainers (CODEOWNERS and branch rulesets are read from the base for
/// the same reason).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ProjectFiles {
    /// The project root on disk: a checkout, or a bot's directory of its own.
    #[default]
    WorkTree,
    /// The tree of the commit this revision names in the gate's repository (`origin/main`, a
    /// commit id), read without checking it out.
    AtRevision(String),
}

/// One of the project's own files a change may edit, which [`ProjectFiles::AtRevision`] reads
/// from the base instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TrustedFile {
    /// The policy file.
    Policy,
    /// The MAINTAINERS file the policy names (`zones.maintainers-file`).
    Maintainers,
    /// `.mailmap`: who is who for the sign-off rules and for MAINTAINERS addresses.
    Mailmap,
}

impl TrustedFile {
    /// What the file is, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            TrustedFile::Policy => "the policy",
            TrustedFile::Maintainers => "the MAINTAINERS file",
            TrustedFile::Mailmap => "the .mailmap",
        }
    }
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

/// The project's files at a base commit: the tree to read them from, and the paths (relative to
/// the repository's top level) the gate read there, so that a change editing one is reported.
#[derive(Debug)]
pub(crate) struct BaseFiles {
    pub(crate) tree: TreeAt,
    /// The files read (or looked for) at the base, by path.
    pub(crate) paths: Vec<(TrustedFile, String)>,
    /// Where each policy loaded came from, in the order loaded: the report says what was read,
    /// and a preset or a file outside the repository is not read at the base.
    pub(crate) policies: Vec<PolicyRead>,
}

/// Where a gate reading the project's files at a base took a policy from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PolicyRead {
    /// A file of the base's tree (`provgate.toml`, or a `--policy` file inside the repository),
    /// or the built-in default when the base has no `provgate.toml`.
    AtBase,
    /// A built-in preset, by name.
    Preset(String),
    /// A `--policy` file outside the repository: the caller's own, read from disk.
    Outside(PathBuf),
}

impl BaseFiles {
    /// Opens the tree `rev` names in the repository at `repo`.
    pub(crate) fn open(repo: &Path, rev: &str) -> Result<BaseFiles, EngineError> {
        let tree = TreeAt::open(repo, rev).map_err(|source| EngineError::BaseFiles {
            rev: rev.to_string(),
            source: Box::new(source),
        })?;
        Ok(BaseFiles {
            tree,
            paths: vec![(TrustedFile::Mailmap, ".mailmap".to_string())],
            policies: Vec::new(),
        })
    }

    /// `REV:path`, as git names a file of a commit.
    fn name(&self, path: &str) -> String {
        format!("{}:{path}", self.tree.rev())
    }

    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, EngineError> {
        self.tree
            .read(path)
            .map_err(|source| EngineError::BaseFiles {
                rev: self.tree.rev().to_string(),
                source: Box::new(source),
            })
    }

    /// Loads the policy `source` names with the repository's own files read at the base: its
    /// `provgate.toml`, or a `--policy` file that lies inside the repository. A preset, or a
    /// file outside the repository (the caller's own), is read as usual.
    pub(crate) fn load_policy(
        &mut self,
        source: &PolicySource,
        repo: &Path,
        root: Option<&Path>,
    ) -> Result<Policy, EngineError> {
        let path = match source {
            PolicySource::Preset(name) => {
                self.policies.push(PolicyRead::Preset(name.clone()));
                return source.load(repo, root);
            }
            PolicySource::Repository => POLICY_FILE.to_string(),
            PolicySource::File(file) => match root.and_then(|root| inside(file, root)) {
                Some(path) => path,
                None => {
                    self.policies.push(PolicyRead::Outside(file.clone()));
                    return source.load(repo, root);
                }
            },
        };
        self.policies.push(PolicyRead::AtBase);
        self.paths.push((TrustedFile::Policy, path.clone()));
        match (self.read(&path)?, source) {
            (Some(bytes), _) => Ok(Policy::from_toml(
                &String::from_utf8_lossy(&bytes),
                &self.name(&path),
            )?),
            (None, PolicySource::Repository) => Ok(Policy::default_policy()),
            (None, _) => Err(EngineError::NotAtBase {
                file: self.name(&path),
            }),
        }
    }

    /// The policy's zones with MAINTAINERS and `.mailmap` read at the base (MAINTAINERS patterns
    /// tested for directories against the base's tree).
    pub(crate) fn zones(&mut self, policy: &Policy) -> Result<Zones, EngineError> {
        let mut files = RepoFiles::default();
        let maintainers = policy.zones.maintainers_file.trim_start_matches("./");
        if !maintainers.is_empty() {
            self.paths
                .push((TrustedFile::Maintainers, maintainers.to_string()));
            if let Some(bytes) = self.read(maintainers)? {
                let directories =
                    self.tree
                        .directories()
                        .map_err(|source| EngineError::BaseFiles {
                            rev: self.tree.rev().to_string(),
                            source: Box::new(source),
                        })?;
                files.is_dir = Some(Box::new(move |p: &str| {
                    directories.contains(p.trim_end_matches('/'))
                }));
                files.maintainers = Some((self.name(maintainers), bytes));
            }
        }
        if let Some(bytes) = self.read(".mailmap")? {
            files.mailmap = Some((self.name(".mailmap"), bytes));
        }
        Ok(Zones::from_files(policy, files)?)
    }
}

/// `file` as a `/`-separated path relative to `root`, when it lies inside it.
///
/// Decided lexically, without touching the work tree below the root: the work tree is the
/// change's own, so a symbolic link it puts there (`policies/` pointing out of the repository)
/// must not make its policy read from disk, and a directory it deletes must not make the check
/// fail. `.` and `..` are resolved as written; only the directories above the root (which the
/// change cannot edit) are resolved on disk, so a root reached through a link outside it
/// (`/tmp` for `/private/tmp`) still matches.
fn inside(file: &Path, root: &Path) -> Option<String> {
    let absolute = if file.is_absolute() {
        file.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(file)
    };
    let absolute = normalise(&absolute);
    let root = std::fs::canonicalize(root).ok()?;
    // The shallowest ancestor that is the root on disk: ancestors above the root exist and are
    // not the change's; nothing deeper is looked at.
    let mut ancestors: Vec<&Path> = absolute.ancestors().skip(1).collect();
    ancestors.reverse();
    let top = ancestors
        .into_iter()
        .find(|a| std::fs::canonicalize(a).is_ok_and(|a| a == root))?;
    let relative = absolute.strip_prefix(top).ok()?;
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// `path` with `.` dropped and each `..` taking off the component before it, as written (no
/// link followed); `..` at the root stays at the root, as the kernel resolves it.
fn normalise(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_resolves_dots_as_written() {
        assert_eq!(
            normalise(Path::new("/r/policies/../x/./p.toml")),
            PathBuf::from("/r/x/p.toml")
        );
        assert_eq!(normalise(Path::new("/../a")), PathBuf::from("/a"));
    }

    #[test]
    fn inside_is_decided_without_reading_the_work_tree() {
        let temp = tempfile::TempDir::new().unwrap();
        let root = temp.path().join("repo");
        std::fs::create_dir(&root).unwrap();
        // A directory the change deleted, and one it replaced by a link out of the repository.
        std::os::unix::fs::symlink("/etc", root.join("policies")).unwrap();
        assert_eq!(
            inside(&root.join("gone/p.toml"), &root).as_deref(),
            Some("gone/p.toml")
        );
        assert_eq!(
            inside(&root.join("policies/p.toml"), &root).as_deref(),
            Some("policies/p.toml")
        );
        assert_eq!(
            inside(&root.join("policies/../../p.toml"), &root),
            None,
            "above the root"
        );
    }
}
