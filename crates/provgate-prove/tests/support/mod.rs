//! Repositories built with the git CLI for the tests, and the test-file rule the proofs use.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use provgate_patch::Patch;

/// A scratch repository.
pub struct TestRepo {
    pub dir: tempfile::TempDir,
}

impl TestRepo {
    pub fn new() -> TestRepo {
        let dir = tempfile::tempdir().expect("temp dir");
        let r = TestRepo { dir };
        r.git(&["init", "-q", "-b", "main"]);
        r.git(&["config", "user.name", "Jane Doe"]);
        r.git(&["config", "user.email", "jane@example.org"]);
        r.git(&["config", "commit.gpgsign", "false"]);
        r
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(self.path())
            .args(args)
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

    pub fn write(&self, path: &str, text: &str) {
        let p = self.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn remove(&self, path: &str) {
        std::fs::remove_file(self.path().join(path)).unwrap();
    }

    /// Commits everything with `message`; returns the commit id.
    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// The patch of one commit.
    pub fn patch(&self, rev: &str) -> Patch {
        let read = provgate_git::read_range(
            self.path(),
            &format!("{rev}^!"),
            &provgate_git::RangeOptions::default(),
        )
        .expect("range reads");
        read.patches.into_iter().next().expect("one patch")
    }
}

/// Test files, for these tests: anything under a `tests/` directory.
pub fn is_test(path: &str) -> bool {
    path.starts_with("tests/") || path.contains("/tests/")
}
