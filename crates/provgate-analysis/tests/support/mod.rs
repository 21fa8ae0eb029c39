//! Repositories built with the git CLI for the tests.
#![allow(dead_code)]

use std::path::PathBuf;

use provgate_analysis::{Analyzer, AnalyzerOptions, IndexOptions};
use provgate_git::scratch::ScratchRepo;
use provgate_patch::{Patch, Series};
use provgate_policy::{
    CheckContext, CheckResult, Finding, Level, Overrides, Policy, Stage, Zones, check_with_code,
};

/// A scratch repository, with what the analysis tests add to it.
pub struct TestRepo(ScratchRepo);

impl std::ops::Deref for TestRepo {
    type Target = ScratchRepo;

    fn deref(&self) -> &ScratchRepo {
        &self.0
    }
}

impl TestRepo {
    pub fn new() -> TestRepo {
        TestRepo(ScratchRepo::new())
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
