//! Scratch repositories for tests, built with the git CLI (the reference every reader here is
//! checked against): a fixed identity and dates, no user configuration, commits in one call.
//!
//! Only with the `test-support` feature, for the tests of the crates that read repositories.

use std::path::Path;
use std::process::Command;

use provgate_patch::Patch;

/// A repository in a temporary directory, removed when dropped.
pub struct ScratchRepo {
    dir: tempfile::TempDir,
}

impl ScratchRepo {
    /// An empty repository on branch `main`, committing as Jane Doe.
    ///
    /// # Panics
    /// When no temporary directory can be made or git fails: a test cannot go on without it.
    pub fn new() -> ScratchRepo {
        let dir = tempfile::tempdir().expect("temp dir");
        let r = ScratchRepo { dir };
        r.git(&["init", "-q", "-b", "main"]);
        r.git(&["config", "user.name", "Jane Doe"]);
        r.git(&["config", "user.email", "jane@example.org"]);
        r.git(&["config", "commit.gpgsign", "false"]);
        r
    }

    /// The work tree.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `git ARGS` in the repository, which must succeed; its trimmed standard output.
    ///
    /// # Panics
    /// When git fails.
    pub fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(self.path())
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", "2026-06-01T10:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-06-01T10:00:00Z")
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Writes `text` to `path` in the work tree, making its directories.
    ///
    /// # Panics
    /// When the file cannot be written.
    pub fn write(&self, path: &str, text: &str) {
        let p = self.path().join(path);
        std::fs::create_dir_all(p.parent().expect("a file has a directory")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    /// Removes `path` from the work tree.
    ///
    /// # Panics
    /// When the file cannot be removed.
    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.path().join(path)).expect("remove");
    }

    /// Commits everything with `message`; the commit id.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// The patch of one commit, as provgate reads it.
    ///
    /// # Panics
    /// When the commit cannot be read.
    pub fn patch(&self, rev: &str) -> Patch {
        let read = crate::read_range(
            self.path(),
            &format!("{rev}^!"),
            &crate::RangeOptions::default(),
        )
        .expect("range reads");
        read.patches.into_iter().next().expect("one patch")
    }
}

impl Default for ScratchRepo {
    fn default() -> Self {
        Self::new()
    }
}
