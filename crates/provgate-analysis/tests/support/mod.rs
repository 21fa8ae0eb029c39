//! Repositories built with the git CLI for the tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use provgate_analysis::{Analyzer, AnalyzerOptions, IndexOptions};
use provgate_patch::{Patch, Series};
use provgate_policy::{
    CheckContext, CheckResult, Finding, Level, Overrides, Policy, Stage, Zones, check_with_code,
};

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

    pub fn cache_dir(&self) -> PathBuf {
        self.path().join(".git/provgate-test-cache")
    }

    pub fn analyzer(&self) -> Analyzer {
        Analyzer::open(
            self.path(),
            AnalyzerOptions {
                index: IndexOptions {
                    cache: true,
                    threads: Some(2),
                    cache_dir: Some(self.cache_dir()),
                },
                ..AnalyzerOptions::default()
            },
        )
        .expect("repository opens")
    }
}

pub fn series(patches: Vec<Patch>) -> Series {
    Series {
        id: "test".into(),
        version: 1,
        total: None,
        cover: None,
        patches,
    }
}

/// A policy extending `preset` with every code rule at warn.
pub fn policy(preset: &str, extra: &str) -> Policy {
    let mut text = format!("extends = \"{preset}\"\n{extra}\n");
    if !extra.contains("[rules]") {
        text.push_str("[rules]\n");
    }
    for r in [
        "unknown-symbol",
        "insecure-call",
        "insecure-idiom",
        "preferred-api",
        "new-unsafe",
        "test-without-assertion",
    ] {
        if !extra.contains(r) {
            text.push_str(&format!("{r} = \"warn\"\n"));
        }
    }
    Policy::from_toml(&text, "provgate.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// Checks the commits `revs` (in order) as one series.
pub fn check(repo: &TestRepo, policy: &Policy, revs: &[&str]) -> CheckResult {
    let patches = revs.iter().map(|r| repo.patch(r)).collect();
    let ctx = CheckContext::new(
        None,
        Stage::Submit,
        jiff::civil::date(2026, 6, 10),
        Overrides::default(),
    )
    .unwrap();
    let zones = Zones::new(policy, None).unwrap();
    check_with_code(
        policy,
        &ctx,
        &zones,
        &[series(patches)],
        Some(&repo.analyzer()),
    )
}

/// The findings of `rule`, as `path:line message`.
pub fn of(result: &CheckResult, rule: &str) -> Vec<String> {
    let rule: provgate_policy::RuleId = rule.parse().expect("a rule name");
    result
        .all_findings()
        .filter(|f| f.rule == rule)
        .map(|f: &Finding| {
            assert!(f.level >= Level::Warn);
            format!(
                "{}:{} {}",
                f.path.as_deref().unwrap_or(""),
                f.line.unwrap_or(0),
                f.message
            )
        })
        .collect()
}
