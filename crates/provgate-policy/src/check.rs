//! The check: evidence, classification and rules over series of patches, exceptions applied,
//! verdicts given.

use std::path::PathBuf;

use globset::GlobSet;
use provgate_patch::{Patch, Series};
use serde::Serialize;

use crate::ai_names::AiNames;
use crate::classify::classify_file_with_code;
use crate::code::{CodeAnalyzer, CodeFacts, CodeNote, Mechanical};
use crate::error::PolicyError;
use crate::evidence::{AiEvidence, gather};
use crate::fingerprints::compile_custom;
use crate::identity::{address_of, same_email};
use crate::level::{Level, Overrides};
use crate::policy::{Exception, Kind, Mode, Policy, Tier};
use crate::rules::{FileFacts, Finding, PatchContext, PatchFacts, RuleId, SeriesContext, Stage};
use crate::zones::Zones;

/// How and when a check runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckContext {
    /// The repository root, where the MAINTAINERS file is looked for.
    pub repo_root: Option<PathBuf>,
    /// Submit (default) or merge (review rules apply).
    pub stage: Stage,
    /// Today's date: trials, exception expiry.
    pub today: jiff::civil::Date,
    /// Rule levels from the command line ([`Overrides::parse`] reads their names).
    pub overrides: Overrides,
    /// Regression-test proofs (`provgate prove`) by patch id: the `regression-test-unproven`
    /// rule reads them whether or not the code is read.
    pub proofs: std::collections::HashMap<String, crate::code::ProofFacts>,
}

impl CheckContext {
    /// A context.
    ///
    /// Overrides hold rule ids, checked when they were parsed, so this cannot fail any more; the
    /// `Result` stays until the command line's callers are moved to the engine.
    pub fn new(
        repo_root: Option<PathBuf>,
        stage: Stage,
        today: jiff::civil::Date,
        overrides: Overrides,
    ) -> Result<CheckContext, PolicyError> {
        Ok(CheckContext {
            repo_root,
            stage,
            today,
            overrides,
            proofs: std::collections::HashMap::new(),
        })
    }
}

/// A verdict: the worst level among a patch's, series' or check's findings.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Nothing reported.
    Pass,
    /// Warnings only.
    Warn,
    /// At least one `deny` finding.
    Fail,
}

impl Verdict {
    fn of(findings: &[Finding]) -> Verdict {
        findings
            .iter()
            .map(|f| match f.level {
                Level::Deny => Verdict::Fail,
                Level::Warn => Verdict::Warn,
                Level::Allow => Verdict::Pass,
            })
            .max()
            .unwrap_or(Verdict::Pass)
    }

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
        }
    }

    /// The worst of several verdicts; `pass` when there are none.
    pub fn worst(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
        verdicts.into_iter().max().unwrap_or(Verdict::Pass)
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so that a width (`{:<32}`) lines names up as it does for strings.
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for Verdict {
    type Err = String;

    /// `pass`, `warn` or `fail`; the error repeats what was given.
    fn from_str(text: &str) -> Result<Verdict, String> {
        match text {
            "pass" => Ok(Verdict::Pass),
            "warn" => Ok(Verdict::Warn),
            "fail" => Ok(Verdict::Fail),
            other => Err(other.to_string()),
        }
    }
}

/// One file of a patch in the result: the per-file `zone` and `kind` of reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileResult {
    /// The path.
    pub path: String,
    /// `added`, `modified`, `deleted`, `renamed`, …
    pub status: &'static str,
    /// The zones it is in.
    pub zones: Vec<String>,
    /// Its kind.
    pub kind: Kind,
    /// Its tier.
    pub tier: Tier,
    /// Whether it is exempt (imported code).
    pub exempt: bool,
    /// Lines of code it changes.
    pub code_lines: u32,
    /// Kinds of its hunks, in order (a code file's comment-only hunks are `docs`).
    pub hunk_kinds: Vec<Kind>,
}

/// One patch in the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatchResult {
    /// The patch id (commit id or Message-ID).
    pub id: String,
    /// Its subject.
    pub subject: String,
    /// Its author, `Name <email>`.
    pub author: Option<String>,
    /// AI evidence.
    pub ai: AiEvidence,
    /// Lines of code changed (see [`crate::classify`]).
    pub code_lines: u32,
    /// Its files.
    pub files: Vec<FileResult>,
    /// Findings, in rule order.
    pub findings: Vec<Finding>,
    /// Its verdict.
    pub verdict: Verdict,
    /// Set when code analysis found the patch to be a mechanical token substitution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mechanical: Option<Mechanical>,
    /// Parts of the patch that code analysis could not read ("not analysed"), and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub code_notes: Vec<CodeNote>,
}

/// One series in the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeriesResult {
    /// The series id.
    pub id: String,
    /// Its version.
    pub version: u32,
    /// Series-level findings (e.g. `ai-split-series`).
    pub findings: Vec<Finding>,
    /// Its patches (the cover letter is not checked).
    pub patches: Vec<PatchResult>,
    /// The worst verdict of its patches and its own findings.
    pub verdict: Verdict,
}

/// A finding an exception waived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waived {
    /// The finding, as it would have been reported.
    pub finding: Finding,
    /// The exception's reason.
    pub reason: String,
    /// The exception's line in the policy file.
    pub exception_line: usize,
}

/// Which policy judged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyInfo {
    /// Where it came from.
    pub origin: String,
    /// The preset it extends.
    pub extends: String,
    /// Its digest.
    pub digest: String,
    /// Its mode.
    pub mode: Mode,
    /// Whether the source it encodes is in force, proposed or superseded (when it says).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<crate::policy::Status>,
}

/// Counts for summaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Patches checked.
    pub patches: usize,
    /// Patches with AI evidence (declared or fingerprint).
    pub ai_assisted: usize,
    /// Findings at `deny`.
    pub deny: usize,
    /// Findings at `warn`.
    pub warn: usize,
    /// Findings waived by exceptions.
    pub waived: usize,
}

/// Everything a check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// The policy.
    pub policy: PolicyInfo,
    /// The stage.
    pub stage: Stage,
    /// Per series.
    pub series: Vec<SeriesResult>,
    /// Findings about the policy itself (`stale-waiver`).
    pub findings: Vec<Finding>,
    /// Findings exceptions waived.
    pub waived: Vec<Waived>,
    /// Counts.
    pub summary: Summary,
    /// Set in `mode = "warn"` when deny findings were reported as warnings.
    pub mode_note: Option<String>,
    /// Problems that did not stop the check (e.g. an unreadable MAINTAINERS file).
    pub notes: Vec<String>,
    /// The overall verdict: `fail` means exit status 1.
    pub verdict: Verdict,
}

impl CheckResult {
    /// Every finding: per patch, per series and about the policy.
    pub fn all_findings(&self) -> impl Iterator<Item = &Finding> {
        self.series
            .iter()
            .flat_map(|s| {
                s.patches
                    .iter()
                    .flat_map(|p| p.findings.iter())
                    .chain(s.findings.iter())
            })
            .chain(self.findings.iter())
    }
}

/// Checks `series` against `policy`, reading the MAINTAINERS file from `ctx.repo_root`. A
/// MAINTAINERS file that cannot be read is noted in [`CheckResult::notes`] and the check goes on
/// without it; call [`Zones::load`] first and [`check_with_zones`] to treat it as an error.
pub fn check(policy: &Policy, ctx: &CheckContext, series: &[Series]) -> CheckResult {
    let mut notes = Vec::new();
    let zones = match Zones::load(policy, ctx.repo_root.as_deref()) {
        Ok(z) => z,
        Err(e) => {
            notes.push(e.to_string());
            Zones::new(policy, None).expect("zones were validated when the policy was loaded")
        }
    };
    let mut result = check_with_zones(policy, ctx, &zones, series);
    result.notes.extend(notes);
    result
}

struct CompiledException<'a> {
    def: &'a Exception,
    paths: Option<GlobSet>,
    used: bool,
    expired_match: bool,
}

impl CompiledException<'_> {
    fn expired(&self, today: jiff::civil::Date) -> bool {
        self.def.expires.is_some_and(|d| d.0 < today)
    }

    /// Whether the exception covers `finding` of `patches` (one patch, or a series' patches).
    fn covers(&self, finding: &Finding, patches: &[&Patch], policy: &Policy) -> bool {
        let def = self.def;
        if !def.rules.is_empty() && !def.rules.contains(&finding.rule) {
            return false;
        }
        if finding.rule == RuleId::StaleWaiver {
            return false;
        }
        if let Some(paths) = &self.paths {
            let hit = match &finding.path {
                Some(p) => paths.is_match(p),
                None => patches
                    .iter()
                    .flat_map(|p| p.files.iter())
                    .any(|f| paths.is_match(f.path())),
            };
            if !hit {
                return false;
            }
        }
        let all =
            |pred: &dyn Fn(&Patch) -> bool| !patches.is_empty() && patches.iter().all(|p| pred(p));
        if !def.authors.is_empty()
            && !all(&|p| {
                p.author.as_ref().is_some_and(|a| {
                    def.authors
                        .iter()
                        .any(|x| same_email(address_of(x), &a.email, policy.dco.ignore_subaddress))
                })
            })
        {
            return false;
        }
        if !def.commits.is_empty()
            && !all(&|p| {
                let id = p.id.to_ascii_lowercase();
                def.commits.iter().any(|c| id.starts_with(c.as_str()))
            })
        {
            return false;
        }
        if !def.message_ids.is_empty()
            && !all(&|p| {
                p.message_id
                    .as_ref()
                    .is_some_and(|m| def.message_ids.iter().any(|x| x == m))
            })
        {
            return false;
        }
        true
    }
}

fn facts_of<'a>(
    patch: &'a Patch,
    policy: &Policy,
    zones: &Zones,
    custom: &[crate::fingerprints::CompiledCustom],
    names: &AiNames,
    code: Option<CodeFacts>,
) -> PatchFacts<'a> {
    let files: Vec<FileFacts> = patch
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut zone = zones.classify_change(f);
            // A file moved out of a zone was changed in that zone too.
            if f.status == provgate_patch::FileStatus::Renamed
                && let Some(source) = f.old_path.as_deref()
            {
                let before = zones.classify(source);
                zone.tier = zone.tier.max(before.tier);
                for z in before.zones {
                    if !zone.zones.contains(&z) {
                        zone.zones.push(z);
                    }
                }
                for s in before.sections {
                    if !zone.sections.iter().any(|x| x.name == s.name) {
                        zone.sections.push(s);
                    }
                }
                for m in before.maintainers {
                    if !zone.maintainers.contains(&m) {
                        zone.maintainers.push(m);
                    }
                }
            }
            let by_code = code
                .as_ref()
                .and_then(|c| c.hunks.get(i))
                .and_then(|h| h.as_deref());
            let class = classify_file_with_code(f, zone.kind, zone.exempt, by_code);
            FileFacts {
                path: f.path().to_string(),
                status: f.status,
                zone,
                class,
            }
        })
        .collect();
    let code_lines = files.iter().map(|f| f.class.code_lines).sum();
    // A rename is read from the diff's text, so it is the same with or without code analysis.
    let mechanical = code
        .as_ref()
        .and_then(|c| c.mechanical.clone())
        .or_else(|| crate::mechanical::mechanical(patch));
    PatchFacts {
        patch,
        evidence: gather(policy, patch, custom, names),
        files,
        code_lines,
        mechanical,
        code,
    }
}

/// Checks `series` against `policy` with zones already built, without code analysis (the code
/// rules report nothing; see [`check_with_code`]).
pub fn check_with_zones(
    policy: &Policy,
    ctx: &CheckContext,
    zones: &Zones,
    series: &[Series],
) -> CheckResult {
    check_with_code(policy, ctx, zones, series, None)
}

/// Checks `series` against `policy` with zones already built and, when `code` is given, the
/// added code read by it: its facts feed the classification (comment-only hunks, mechanical
/// patches) and the code rules (see [`crate::code`]).
pub fn check_with_code(
    policy: &Policy,
    ctx: &CheckContext,
    zones: &Zones,
    series: &[Series],
    code: Option<&dyn CodeAnalyzer>,
) -> CheckResult {
    check_compiled(policy, &Compiled::new(policy), ctx, zones, series, code)
}

/// What a policy compiles before it can judge (its own fingerprint patterns, its AI tool and
/// model names): built once and handed to [`check_compiled`] for every check under the policy,
/// so that a scan does not compile them again for each commit.
pub struct Compiled {
    custom: Vec<crate::fingerprints::CompiledCustom>,
    names: Option<AiNames>,
}

impl Compiled {
    /// Compiles `policy`'s patterns and names.
    pub fn new(policy: &Policy) -> Compiled {
        Compiled {
            custom: compile_custom(&policy.fingerprints),
            names: (!policy.ai.tools.is_empty() || !policy.ai.models.is_empty())
                .then(|| AiNames::with(&policy.ai.tools, &policy.ai.models)),
        }
    }
}

/// [`check_with_code`] with `policy`'s compiled parts (see [`Compiled`]), which must be
/// `policy`'s own.
pub fn check_compiled(
    policy: &Policy,
    compiled: &Compiled,
    ctx: &CheckContext,
    zones: &Zones,
    series: &[Series],
    code: Option<&dyn CodeAnalyzer>,
) -> CheckResult {
    let custom = &compiled.custom;
    let names = compiled
        .names
        .as_ref()
        .unwrap_or_else(|| AiNames::built_in());
    let mut premise_notes = Vec::new();
    let rules: Vec<(&dyn crate::rules::Rule, Level)> = crate::rules::all()
        .iter()
        .filter(|r| r.applies(policy))
        .map(|r| (*r, policy.effective_level(r.id(), &ctx.overrides)))
        .filter(|(_, l)| *l != Level::Allow)
        .filter(|(r, _)| match r.missing_premise(policy, zones) {
            Some(why) => {
                premise_notes.push(format!("rule `{}` is silent: {why}", r.name()));
                false
            }
            None => true,
        })
        .collect();
    let mut exceptions: Vec<CompiledException> = policy
        .exceptions
        .iter()
        .map(|def| CompiledException {
            def,
            paths: (!def.paths.is_empty()).then(|| {
                let mut b = globset::GlobSetBuilder::new();
                for p in &def.paths {
                    for g in crate::zones::compile_glob(p).unwrap_or_default() {
                        b.add(g);
                    }
                }
                b.build().unwrap_or_else(|_| GlobSet::empty())
            }),
            used: false,
            expired_match: false,
        })
        .collect();
    let mut waived = Vec::new();
    let mut waive = |finding: Finding,
                     patches: &[&Patch],
                     exceptions: &mut [CompiledException]|
     -> Option<Finding> {
        for e in exceptions.iter_mut() {
            if !e.covers(&finding, patches, policy) {
                continue;
            }
            if e.expired(ctx.today) {
                e.expired_match = true;
                continue;
            }
            e.used = true;
            waived.push(Waived {
                finding,
                reason: e.def.reason.clone(),
                exception_line: e.def.loc.line,
            });
            return None;
        }
        Some(finding)
    };

    let mut series_results = Vec::new();
    for s in series {
        let mut code_facts = code
            .map(|c| c.analyze(policy, s))
            .unwrap_or_default()
            .into_iter();
        let facts: Vec<PatchFacts> = s
            .patches
            .iter()
            .filter(|p| !p.is_cover_letter())
            .map(|p| facts_of(p, policy, zones, custom, names, code_facts.next()))
            .collect();
        let mut patches = Vec::new();
        for f in &facts {
            let cx = PatchContext {
                policy,
                facts: f,
                series: s,
                zones,
                stage: ctx.stage,
                today: ctx.today,
                proof: ctx.proofs.get(&f.patch.id),
            };
            let mut findings = Vec::new();
            for (rule, level) in &rules {
                // A sign to confirm never carries a deny through another rule (a `claude/…`
                // branch alone does not make every commit of a pull request break the line
                // limit): it is weighed here, once for every rule that rests on AI evidence.
                let to_confirm = rule.ai_premise(policy).and_then(|p| p.weight(&f.evidence))
                    == Some(crate::evidence::AiWeight::ToConfirm);
                for mut finding in rule.check(&cx) {
                    if to_confirm {
                        finding = f.evidence.to_confirm(finding);
                    }
                    finding.level = finding.level.min(*level);
                    finding.patch_id = Some(f.patch.id.clone());
                    if let Some(kept) = waive(finding, &[f.patch], &mut exceptions) {
                        findings.push(kept);
                    }
                }
            }
            patches.push(PatchResult {
                id: f.patch.id.clone(),
                subject: f.patch.subject.clone(),
                author: f.patch.author.as_ref().map(|a| a.to_string()),
                ai: f.evidence.clone(),
                code_lines: f.code_lines,
                files: f
                    .files
                    .iter()
                    .map(|x| FileResult {
                        path: x.path.clone(),
                        status: x.status.as_str(),
                        zones: x.zone.zones.clone(),
                        kind: x.class.kind,
                        tier: x.zone.tier,
                        exempt: x.zone.exempt,
                        code_lines: x.class.code_lines,
                        hunk_kinds: x.class.hunks.iter().map(|h| h.kind).collect(),
                    })
                    .collect(),
                verdict: Verdict::of(&findings),
                findings,
                mechanical: f.mechanical.clone(),
                code_notes: f.code.as_ref().map(|c| c.notes.clone()).unwrap_or_default(),
            });
        }
        let scx = SeriesContext {
            policy,
            series: s,
            patches: &facts,
            zones,
            stage: ctx.stage,
        };
        let all: Vec<&Patch> = facts.iter().map(|f| f.patch).collect();
        let mut findings = Vec::new();
        for (rule, level) in &rules {
            for mut finding in rule.check_series(&scx) {
                finding.level = finding.level.min(*level);
                if let Some(kept) = waive(finding, &all, &mut exceptions) {
                    findings.push(kept);
                }
            }
        }
        let verdict = patches
            .iter()
            .map(|p: &PatchResult| p.verdict)
            .chain(std::iter::once(Verdict::of(&findings)))
            .max()
            .unwrap_or(Verdict::Pass);
        series_results.push(SeriesResult {
            id: s.id.clone(),
            version: s.version,
            findings,
            patches,
            verdict,
        });
    }

    let mut policy_findings = Vec::new();
    let stale_level = policy.effective_level(RuleId::StaleWaiver, &ctx.overrides);
    if stale_level != Level::Allow {
        for e in &exceptions {
            if e.used {
                continue;
            }
            let def = e.def;
            let message = match def.expires {
                Some(d) if e.expired_match => format!(
                    "exception \"{}\" expired on {d} and no longer waives the findings it matches",
                    def.reason
                ),
                _ => format!("exception \"{}\" matched no finding", def.reason),
            };
            let mut f = Finding::new(RuleId::StaleWaiver, message)
                .at(&def.loc.origin, u32::try_from(def.loc.line).ok())
                .help("remove the exception, narrow it, or renew its expiry if the agreement still holds");
            f.level = stale_level;
            policy_findings.push(f);
        }
    }

    let mut result = CheckResult {
        policy: PolicyInfo {
            origin: policy.origin.clone(),
            extends: policy.extends.clone(),
            digest: policy.digest(),
            mode: policy.mode,
            status: policy.about.status.clone(),
        },
        stage: ctx.stage,
        series: series_results,
        findings: policy_findings,
        summary: Summary {
            waived: waived.len(),
            ..Summary::default()
        },
        waived,
        mode_note: None,
        notes: zones.notes().iter().cloned().chain(premise_notes).collect(),
        verdict: Verdict::Pass,
    };
    if policy.mode == Mode::Warn {
        let mut demoted = 0;
        let mut demote = |fs: &mut Vec<Finding>| {
            for f in fs.iter_mut().filter(|f| f.level == Level::Deny) {
                f.level = Level::Warn;
                demoted += 1;
            }
        };
        for s in &mut result.series {
            for p in &mut s.patches {
                demote(&mut p.findings);
                p.verdict = Verdict::of(&p.findings);
            }
            demote(&mut s.findings);
            s.verdict = s
                .patches
                .iter()
                .map(|p| p.verdict)
                .chain(std::iter::once(Verdict::of(&s.findings)))
                .max()
                .unwrap_or(Verdict::Pass);
        }
        demote(&mut result.findings);
        if demoted > 0 {
            result.mode_note = Some(format!(
                "mode = \"warn\": {demoted} finding(s) at deny level reported as warnings; nothing fails"
            ));
        }
    }
    let mut summary = result.summary;
    for s in &result.series {
        summary.patches += s.patches.len();
        summary.ai_assisted += s
            .patches
            .iter()
            .filter(|p| !p.ai.declarations.is_empty() || !p.ai.fingerprints.is_empty())
            .count();
    }
    for f in result.all_findings() {
        match f.level {
            Level::Deny => summary.deny += 1,
            Level::Warn => summary.warn += 1,
            Level::Allow => {}
        }
    }
    result.summary = summary;
    result.verdict = result
        .series
        .iter()
        .map(|s| s.verdict)
        .chain(std::iter::once(Verdict::of(&result.findings)))
        .max()
        .unwrap_or(Verdict::Pass);
    result
}
