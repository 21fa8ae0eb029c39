//! Where the embedded log lives by default.

use std::path::{Path, PathBuf};

/// The file name of the embedded log.
pub const FILE_NAME: &str = "audit.sqlite";

/// The default SQLite log.
///
/// In a repository: `<git common dir>/provgate/audit.sqlite` (the common dir, so that every
/// worktree of a repository records into one log; it is never committed or pushed). Outside one:
/// the user data directory's `provgate/audit.sqlite` — `$XDG_DATA_HOME` or `~/.local/share` on
/// Linux and other Unix, `~/Library/Application Support` on macOS, `%APPDATA%` on Windows.
/// `None` when there is no repository and no home directory.
pub fn default_path(git_common_dir: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = git_common_dir {
        return Some(dir.join("provgate").join(FILE_NAME));
    }
    user_data_dir().map(|d| d.join("provgate").join(FILE_NAME))
}

fn user_data_dir() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(windows) {
        return env("APPDATA");
    }
    if cfg!(target_os = "macos") {
        return env("HOME").map(|h| h.join("Library").join("Application Support"));
    }
    env("XDG_DATA_HOME")
        .filter(|p| p.is_absolute())
        .or_else(|| env("HOME").map(|h| h.join(".local").join("share")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_a_repository() {
        assert_eq!(
            default_path(Some(Path::new("/r/.git"))).unwrap(),
            PathBuf::from("/r/.git/provgate/audit.sqlite")
        );
    }
}
