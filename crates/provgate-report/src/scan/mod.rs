//! The history scan report (`provgate/scan/v1`): per-commit records, their aggregates, and the
//! comparison of several policies over the same history.
//!
//! A [`CommitRecord`] is everything the scan needs of one commit after the policies judged it;
//! records are also what the incremental cache stores, so a re-scan only reads new commits.
//! [`ScanReport::aggregate`] turns records into the totals and breakdowns the formats render.

pub mod html;

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::{Finding, RuleId, Verdict};

/// The schema identifier of [`ScanReport`]'s JSON form.
pub const SCAN_SCHEMA: &str = "provgate/scan/v1";

/// How one policy judged one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordOutcome {
    /// `pass`, `warn` or `fail`.
    pub verdict: Verdict,
    /// Whether this policy's evidence says AI output is in the commit (declared in any trailer it
    /// knows, accepted or not, or fingerprinted).
    pub ai: bool,
    /// Its findings.
    pub findings: Vec<Finding>,
}

/// An AI tool named by a commit: declared in a trailer, or left as a fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ToolMark {
    /// The tool (`Claude`, `GitHub Copilot agent`, or the trailer key when no tool is named).
    pub tool: String,
    /// The model, when named.
    pub model: Option<String>,
    /// `declared`, or the fingerprint's confidence (`high`, `medium`, `low`).
    pub how: String,
}

/// What the scan knows of one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitRecord {
    /// The full commit id.
    pub id: String,
    /// The subject.
    pub subject: String,
    /// `Name <email>` of the author.
    pub author: String,
    /// The author date, RFC 3339.
    pub date: Option<String>,
    /// `YYYY-MM` of the author date in the author's offset, or `unknown`.
    pub month: String,
    /// Declares AI use in a trailer (one the first policy accepts or another project's
    /// disclosure trailer), well-formed or not.
    pub declared: bool,
    /// AI output is declared (in any trailer the first policy knows, accepted or not) or
    /// fingerprinted: what the breakdowns count as AI-assisted.
    pub ai_assisted: bool,
    /// Credits a person in a disclosure-like trailer (`Assisted-by: Jane Doe <jane@example.org>`):
    /// human help, not AI use.
    #[serde(default)]
    pub human_help: bool,
    /// The tools it names, declared or fingerprinted.
    pub tools: Vec<ToolMark>,
    /// Carries AI-tool fingerprints.
    pub fingerprinted: bool,
    /// Fingerprints without a disclosure the policy accepts.
    pub undisclosed: bool,
    /// Has no `Signed-off-by` at all.
    pub dco_missing: bool,
    /// Zones its files are in.
    pub zones: Vec<String>,
    /// MAINTAINERS sections its files are in.
    pub sections: Vec<String>,
    /// Kinds of its files (`code`, `tests`, `docs`, `build`, `localization`).
    pub kinds: Vec<String>,
    /// Added lines over text files.
    pub added: u64,
    /// Removed lines over text files.
    pub removed: u64,
    /// Lines of code as the policy counts them (tests and docs excluded).
    pub code_lines: u32,
    /// One outcome per policy, in the order the policies were given.
    pub outcomes: Vec<RecordOutcome>,
}

impl CommitRecord {
    /// Whether AI help is declared or fingerprinted (see [`CommitRecord::ai_assisted`]).
    pub fn ai(&self) -> bool {
        self.ai_assisted
    }
}

/// A policy taking part in the scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanPolicy {
    /// The policy file or `preset NAME`.
    pub origin: String,
    /// The preset it extends.
    pub extends: String,
    /// Its digest.
    pub digest: String,
}

/// The counts over the whole history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Commits read (merges excluded).
    pub commits: usize,
    /// Merge commits skipped.
    pub merges_skipped: usize,
    /// Commits that could not be read (missing objects, …), listed in `skipped`.
    pub unreadable: usize,
    /// Commits declaring AI use in a trailer, accepted by the first policy or not, well-formed or
    /// not.
    pub ai_declared: usize,
    /// AI-assisted commits (AI output declared, or fingerprinted): what the charts count.
    pub ai_assisted: usize,
    /// Commits crediting a person, not an AI, in a disclosure-like trailer.
    pub human_help: usize,
    /// Commits carrying AI-tool fingerprints.
    pub ai_fingerprints: usize,
    /// Commits with fingerprints and no accepted disclosure.
    pub ai_undisclosed: usize,
    /// Commits with no `Signed-off-by`.
    pub dco_missing: usize,
    /// Commits the first policy fails.
    pub failed: usize,
    /// Added lines over all commits.
    pub lines_added: u64,
    /// Added lines of AI-assisted commits.
    pub ai_lines_added: u64,
    /// Commits taken from the cache rather than read.
    pub cached: usize,
}

/// A row of `by_month`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MonthRow {
    /// `YYYY-MM`.
    pub month: String,
    /// Commits.
    pub commits: usize,
    /// AI-assisted commits (declared or fingerprinted).
    pub ai_commits: usize,
    /// Declared.
    pub ai_declared: usize,
    /// Undisclosed.
    pub ai_undisclosed: usize,
    /// Added lines.
    pub lines_added: u64,
    /// Added lines of AI-assisted commits.
    pub ai_lines_added: u64,
    /// Without sign-off.
    pub dco_missing: usize,
    /// Failed under the first policy.
    pub failed: usize,
}

/// A row of `by_zone` and `by_section`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AreaRow {
    /// The zone or section.
    pub name: String,
    /// Commits touching it.
    pub commits: usize,
    /// AI-assisted commits touching it.
    pub ai_commits: usize,
    /// Failed under the first policy.
    pub failed: usize,
}

/// A row of `by_tool`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ToolRow {
    /// The tool.
    pub tool: String,
    /// The models named with it.
    pub models: Vec<String>,
    /// Commits declaring it.
    pub declared: usize,
    /// Commits fingerprinted by it.
    pub fingerprinted: usize,
}

/// A row of `by_rule`: how often a rule fired under each policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleRow {
    /// The rule.
    pub rule: RuleId,
    /// Commits it fired on, per policy (same order as `policies`).
    pub commits: Vec<usize>,
}

/// What one policy would have decided over the history.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Simulation {
    /// The policy (its `extends` name, or file).
    pub policy: String,
    /// Commits it fails.
    pub failed: usize,
    /// Commits with only warnings.
    pub warned: usize,
    /// AI-assisted commits it fails.
    pub failed_ai: usize,
    /// AI-assisted commits in all.
    pub ai_commits: usize,
    /// A sentence: "had `qemu` been in force, 12 of the 51 AI-assisted commits would have failed".
    pub summary: String,
}

/// A finding in the history, for the table of findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanFinding {
    /// The commit.
    pub commit: String,
    /// Its subject.
    pub subject: String,
    /// Its author date.
    pub date: Option<String>,
    /// The policy (its `extends` name).
    pub policy: String,
    /// The finding.
    #[serde(flatten)]
    pub finding: Finding,
}

/// A commit that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The commit, when known.
    pub commit: Option<String>,
    /// Why.
    pub reason: String,
}

/// The scan report.
#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    /// Always [`SCAN_SCHEMA`].
    pub schema: &'static str,
    /// The tool version.
    pub tool: crate::Tool,
    /// The repository scanned.
    pub repository: String,
    /// The range scanned.
    pub range: String,
    /// Whether the scan was interrupted (Ctrl-C): the figures cover what was read by then.
    pub partial: bool,
    /// The policies, the first being the one `totals.failed` and `findings` refer to.
    pub policies: Vec<ScanPolicy>,
    /// Counts over the history.
    pub totals: Totals,
    /// Per month, oldest first.
    pub by_month: Vec<MonthRow>,
    /// Per zone, most AI-assisted first.
    pub by_zone: Vec<AreaRow>,
    /// Per MAINTAINERS section, most AI-assisted first.
    pub by_section: Vec<AreaRow>,
    /// Per kind of file touched (`code`, `tests`, `docs`, …), most AI-assisted first.
    pub by_kind: Vec<AreaRow>,
    /// Per tool, most used first.
    pub by_tool: Vec<ToolRow>,
    /// Per rule, most frequent first.
    pub by_rule: Vec<RuleRow>,
    /// One entry per policy.
    pub simulation: Vec<Simulation>,
    /// Findings of every policy, newest commit first.
    pub findings: Vec<ScanFinding>,
    /// Commits that could not be read.
    pub skipped: Vec<Skipped>,
}

/// Where the scan ran and what it could not read, for [`ScanReport::aggregate`].
#[derive(Debug, Clone, Default)]
pub struct ScanInput {
    /// The repository.
    pub repository: String,
    /// The range.
    pub range: String,
    /// Interrupted.
    pub partial: bool,
    /// Merge commits skipped.
    pub merges_skipped: usize,
    /// Commits served from the cache.
    pub cached: usize,
    /// Unreadable commits.
    pub skipped: Vec<Skipped>,
}

fn most_ai_first(table: BTreeMap<String, AreaRow>) -> Vec<AreaRow> {
    let mut rows: Vec<AreaRow> = table.into_values().collect();
    rows.sort_by(|a, b| {
        b.ai_commits
            .cmp(&a.ai_commits)
            .then(b.commits.cmp(&a.commits))
            .then(a.name.cmp(&b.name))
    });
    rows
}

impl ScanReport {
    /// Aggregates per-commit records (oldest first) judged by `policies`.
    pub fn aggregate(
        version: &str,
        input: ScanInput,
        policies: Vec<ScanPolicy>,
        records: &[CommitRecord],
    ) -> ScanReport {
        let mut totals = Totals {
            merges_skipped: input.merges_skipped,
            unreadable: input.skipped.len(),
            cached: input.cached,
            ..Totals::default()
        };
        let mut months: BTreeMap<String, MonthRow> = BTreeMap::new();
        let mut zones: BTreeMap<String, AreaRow> = BTreeMap::new();
        let mut sections: BTreeMap<String, AreaRow> = BTreeMap::new();
        let mut kinds: BTreeMap<String, AreaRow> = BTreeMap::new();
        let mut tools: BTreeMap<String, (ToolRow, std::collections::BTreeSet<String>)> =
            BTreeMap::new();
        let mut rules: BTreeMap<RuleId, Vec<usize>> = BTreeMap::new();
        let mut simulation: Vec<Simulation> = policies
            .iter()
            .map(|p| Simulation {
                policy: p.extends.clone(),
                ..Simulation::default()
            })
            .collect();
        let mut findings = Vec::new();

        for record in records {
            let ai = record.ai();
            let failed = record
                .outcomes
                .first()
                .is_some_and(|o| o.verdict == Verdict::Fail);
            totals.commits += 1;
            totals.ai_declared += usize::from(record.declared);
            totals.ai_assisted += usize::from(ai);
            totals.human_help += usize::from(record.human_help);
            totals.ai_fingerprints += usize::from(record.fingerprinted);
            totals.ai_undisclosed += usize::from(record.undisclosed);
            totals.dco_missing += usize::from(record.dco_missing);
            totals.failed += usize::from(failed);
            totals.lines_added += record.added;
            if ai {
                totals.ai_lines_added += record.added;
            }

            let month = months.entry(record.month.clone()).or_default();
            month.month = record.month.clone();
            month.commits += 1;
            month.ai_commits += usize::from(ai);
            month.ai_declared += usize::from(record.declared);
            month.ai_undisclosed += usize::from(record.undisclosed);
            month.lines_added += record.added;
            month.ai_lines_added += if ai { record.added } else { 0 };
            month.dco_missing += usize::from(record.dco_missing);
            month.failed += usize::from(failed);

            for (names, table) in [
                (&record.zones, &mut zones),
                (&record.sections, &mut sections),
                (&record.kinds, &mut kinds),
            ] {
                for name in names {
                    let row = table.entry(name.clone()).or_default();
                    row.name = name.clone();
                    row.commits += 1;
                    row.ai_commits += usize::from(ai);
                    row.failed += usize::from(failed);
                }
            }
            let mut seen_declared = std::collections::BTreeSet::new();
            let mut seen_marked = std::collections::BTreeSet::new();
            for mark in &record.tools {
                let (row, models) = tools.entry(mark.tool.clone()).or_default();
                row.tool = mark.tool.clone();
                if let Some(model) = &mark.model {
                    models.insert(model.clone());
                }
                if mark.how == "declared" {
                    if seen_declared.insert(mark.tool.clone()) {
                        row.declared += 1;
                    }
                } else if seen_marked.insert(mark.tool.clone()) {
                    row.fingerprinted += 1;
                }
            }
            for (p, outcome) in record.outcomes.iter().enumerate() {
                let mut fired = std::collections::BTreeSet::new();
                for finding in &outcome.findings {
                    if fired.insert(finding.rule) {
                        rules
                            .entry(finding.rule)
                            .or_insert_with(|| vec![0; policies.len()])[p] += 1;
                    }
                    findings.push(ScanFinding {
                        commit: record.id.clone(),
                        subject: record.subject.clone(),
                        date: record.date.clone(),
                        policy: policies.get(p).map_or(String::new(), |x| x.extends.clone()),
                        finding: finding.clone(),
                    });
                }
                if let Some(sim) = simulation.get_mut(p) {
                    match outcome.verdict {
                        Verdict::Fail => {
                            sim.failed += 1;
                            sim.failed_ai += usize::from(outcome.ai);
                        }
                        Verdict::Warn => sim.warned += 1,
                        Verdict::Pass => {}
                    }
                    sim.ai_commits += usize::from(outcome.ai);
                }
            }
        }
        for sim in &mut simulation {
            sim.summary = format!(
                "had `{}` been in force, {} of the {} AI-assisted commits would have failed ({} commits failed in all, {} with warnings only)",
                sim.policy, sim.failed_ai, sim.ai_commits, sim.failed, sim.warned
            );
        }
        findings.reverse();

        let by_zone = most_ai_first(zones);
        let by_section = most_ai_first(sections);
        let by_kind = most_ai_first(kinds);
        let mut by_tool: Vec<ToolRow> = tools
            .into_values()
            .map(|(mut row, models)| {
                row.models = models.into_iter().collect();
                row
            })
            .collect();
        by_tool.sort_by(|a, b| {
            (b.declared + b.fingerprinted)
                .cmp(&(a.declared + a.fingerprinted))
                .then(a.tool.cmp(&b.tool))
        });
        let mut by_rule: Vec<RuleRow> = rules
            .into_iter()
            .map(|(rule, commits)| RuleRow { rule, commits })
            .collect();
        by_rule.sort_by(|a, b| {
            b.commits
                .iter()
                .sum::<usize>()
                .cmp(&a.commits.iter().sum::<usize>())
                .then(a.rule.cmp(&b.rule))
        });

        ScanReport {
            schema: SCAN_SCHEMA,
            tool: crate::Tool {
                name: "provgate",
                version: version.to_string(),
            },
            repository: input.repository,
            range: input.range,
            partial: input.partial,
            policies,
            totals,
            by_month: months.into_values().collect(),
            by_zone,
            by_section,
            by_kind,
            by_tool,
            by_rule,
            simulation,
            findings,
            skipped: input.skipped,
        }
    }

    /// JSON, pretty-printed.
    pub fn to_json(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).unwrap_or_default();
        out.push('\n');
        out
    }

    /// CSV of the monthly breakdown, the form spreadsheets and plotting tools take.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(
            "month,commits,ai_commits,ai_declared,ai_undisclosed,lines_added,ai_lines_added,dco_missing,failed\n",
        );
        for m in &self.by_month {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{}",
                m.month,
                m.commits,
                m.ai_commits,
                m.ai_declared,
                m.ai_undisclosed,
                m.lines_added,
                m.ai_lines_added,
                m.dco_missing,
                m.failed
            );
        }
        out
    }

    /// A summary for a terminal.
    pub fn to_text(&self) -> String {
        let t = &self.totals;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} {}{}: {} commits ({} merges skipped, {} unreadable, {} from cache)",
            self.repository,
            self.range,
            if self.partial {
                " (interrupted: partial)"
            } else {
                ""
            },
            t.commits,
            t.merges_skipped,
            t.unreadable,
            t.cached
        );
        let share = |n: u64, d: u64| {
            if d == 0 {
                0.0
            } else {
                100.0 * n as f64 / d as f64
            }
        };
        let _ = writeln!(
            out,
            "AI: {} declared, {} fingerprinted, {} undisclosed; {:.1}% of commits, {:.1}% of added lines",
            t.ai_declared,
            t.ai_fingerprints,
            t.ai_undisclosed,
            share(
                self.by_month.iter().map(|m| m.ai_commits as u64).sum(),
                t.commits as u64
            ),
            share(t.ai_lines_added, t.lines_added)
        );
        let _ = writeln!(out, "DCO: {} commits without Signed-off-by", t.dco_missing);
        if !self.by_tool.is_empty() {
            out.push_str("tools:\n");
            for tool in &self.by_tool {
                let models = if tool.models.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", tool.models.join(", "))
                };
                let _ = writeln!(
                    out,
                    "  {}{models}: {} declared, {} fingerprinted",
                    tool.tool, tool.declared, tool.fingerprinted
                );
            }
        }
        for (title, rows) in [("zones", &self.by_zone), ("kinds", &self.by_kind)] {
            if rows.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{title}:");
            for zone in rows.iter().take(15) {
                let _ = writeln!(
                    out,
                    "  {}: {} commits, {} AI-assisted, {} failed",
                    zone.name, zone.commits, zone.ai_commits, zone.failed
                );
            }
        }
        if !self.by_rule.is_empty() {
            out.push_str("rules (commits per policy):\n");
            for rule in &self.by_rule {
                let counts: Vec<String> = rule.commits.iter().map(usize::to_string).collect();
                let _ = writeln!(out, "  {:<32} {}", rule.rule, counts.join(" / "));
            }
        }
        for sim in &self.simulation {
            let _ = writeln!(out, "{}", sim.summary);
        }
        for skipped in self.skipped.iter().take(20) {
            let _ = writeln!(
                out,
                "skipped {}: {}",
                skipped.commit.as_deref().unwrap_or("?"),
                skipped.reason
            );
        }
        out
    }
}
