//! provgate's policy engine: what a project allows, and whether a contribution complies.
//!
//! The pipeline is visible in the modules:
//!
//! 1. [`policy`]: a `provgate.toml` (or a [`presets`] preset) resolved into a [`Policy`], with
//!    errors located by line and column ([`PolicyError`]).
//! 2. [`zones`]: paths grouped into named zones with a tier (protected/open) and a kind, from
//!    globs and MAINTAINERS sections.
//! 3. [`evidence`]: per patch, the AI use it declares (disclosure trailers parsed per the policy's
//!    syntax) and the tool [`fingerprints`] it carries.
//! 4. [`classify`]: per file and hunk, tests/docs/build/localization/code, and lines of code.
//! 5. [`rules`]: the rules, each with a stable name, a level and its own documentation.
//! 6. [`check()`]: the rules run over series, exceptions applied, verdicts given.
//!
//! Documents come from the same data: [`render()`](render::render) writes the human-readable policy,
//! [`init_template`] a commented policy file, [`explain`] a rule's documentation.
//!
//! Nothing in a policy can make provgate run a command: the file may come from an untrusted branch.
//!
//! ```
//! use provgate_patch::{Origin, Patch, Person, Series};
//! use provgate_policy::{CheckContext, Overrides, Policy, Stage, Verdict, check};
//!
//! let policy = Policy::from_toml("extends = \"qemu\"\n", "provgate.toml").unwrap();
//! let mut patch = Patch::new("abc1234", Origin::Commit { commit: "abc1234".into() });
//! patch.author = Some(Person::new("Jane Doe", "jane@example.org"));
//! patch.message = "hw/misc: fix leak\n\nAI-used-for: code\nSigned-off-by: Jane Doe <jane@example.org>\n".into();
//! patch.trailers = provgate_patch::trailers::parse_trailers(&patch.message);
//! let series = Series { id: "range".into(), version: 1, total: None, cover: None, patches: vec![patch] };
//!
//! let ctx = CheckContext::new(None, Stage::Submit, jiff::civil::date(2026, 6, 1), Overrides::default()).unwrap();
//! let result = check(&policy, &ctx, &[series]);
//! assert_eq!(result.verdict, Verdict::Pass);
//! assert!(result.series[0].patches[0].ai.disclosed);
//! ```

#![warn(missing_docs)]

pub mod agent_lines;
pub mod ai_names;
pub mod check;
pub mod classify;
pub mod code;
pub mod error;
pub mod evidence;
pub mod fingerprints;
pub mod identity;
pub mod level;
pub mod mailmap;
mod maintainers;
pub mod mechanical;
pub mod policy;
pub mod presets;
pub mod render;
pub mod rules;
pub mod zones;

pub use agent_lines::AgentLines;
pub use check::{
    CheckContext, CheckResult, Compiled, FileResult, PatchResult, PolicyInfo, SeriesResult,
    Summary, Verdict, Waived, check, check_compiled, check_with_code, check_with_zones,
};
pub use code::{
    CodeAnalyzer, CodeFacts, CodeIssue, CodeNote, HunkCode, Mechanical, ProofFacts, ProofOutcome,
};
pub use error::{PolicyError, PolicyErrorKind};
pub use evidence::{AiEvidence, AiWeight, Declaration, Fingerprint, HumanHelp};
pub use level::{Level, Overrides};
pub use policy::{CodeSettings, Kind, Mode, Policy, Preference, SourceState, Status, Tier};
pub use render::{Format, init_template, render};
pub use rules::{AiPremise, ExampleSetup, Finding, Rule, RuleDoc, RuleId, Stage, UnknownRuleId};
pub use zones::{
    KeywordText, RepoFiles, SectionInfo, SectionMatch, SectionReason, SectionSource, ZoneInfo,
    Zones,
};

/// The documentation of the rule `name` (`provgate explain NAME`).
pub fn explain(name: &str) -> Option<&'static RuleDoc> {
    rules::find(name).map(|r| r.doc())
}
