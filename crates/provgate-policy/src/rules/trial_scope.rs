//! `trial-scope`: AI use outside a trial's contributors or dates.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::identity::{address_of, same_email};
use crate::level::Level;

/// See [`DOC`].
pub struct TrialScope;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::TrialScope,
    summary: "An AI-assisted patch comes from a contributor outside the trial's allow-list, or outside the trial's dates.",
    what: "With a `[trial]` table, reports an AI-assisted patch whose author's address is not in `contributors` (when the list is not empty; compared case-insensitively), or whose date is before `start` or after `end`. The date is the patch's author date in the author's own time zone, or the check's date when the patch has none. A patch whose only sign of AI use is of medium confidence (an agent's branch name, a tool line a person could paste) is reported as a warning to confirm that names the sign, never a deny; a disclosure or a high-confidence mark gives the rule's level.",
    why: "Projects moving from a ban to a tiered policy often try it first with a few contributors for a limited time; outside the trial the old rules still hold.",
    policy: "A project setting, not a published rule: QEMU's May 2026 proposal had early adopters within days, and projects adopt such policies in stages. The trial itself is the project's own decision.",
    failing: "qemu preset, with `[trial] contributors = [\"jane@example.org\"]` and `end = \"2026-09-30\"`:\n\nFrom: Bob Roe <bob@example.org>\n\nhw/misc: fix leak\n\nAI-used-for: code\n",
    passing: "qemu preset, the same [trial]:\n\nFrom: Jane Doe <jane@example.org>\nDate: Wed, 01 Jul 2026 10:00:00 +0000\n\nhw/misc: fix leak\n\nAI-used-for: code\n",
    setup: super::ExampleSetup {
        policy: "[trial]\ncontributors = [\"jane@example.org\"]\nend = \"2026-09-30\"\n",
        ..super::ExampleSetup::NONE
    },
    fix: "Ask to join the trial (the project adds you to `[trial] contributors`), or send the change without AI assistance.",
};

impl Rule for TrialScope {
    fn default_level(&self) -> Level {
        Level::Deny
    }
    fn applies(&self, policy: &crate::policy::Policy) -> bool {
        policy.trial.is_some()
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn ai_premise(&self, _policy: &crate::policy::Policy) -> Option<super::AiPremise> {
        Some(super::AiPremise::Assisted)
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        let Some(trial) = &cx.policy.trial else {
            return Vec::new();
        };
        if !cx.facts.evidence.ai_assisted() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let patch = cx.patch();
        if !trial.contributors.is_empty() {
            let email = patch
                .author
                .as_ref()
                .map(|a| a.email.as_str())
                .unwrap_or("");
            if !trial
                .contributors
                .iter()
                .any(|c| same_email(address_of(c), email, false))
            {
                out.push(
                    Finding::new(
                        DOC.id,
                        format!(
                            "AI-assisted patch by {} who is not in the trial's contributors",
                            patch.author.as_ref().map_or("an unknown author".to_string(), |a| a.to_string())
                        ),
                    )
                    .help("only the trial's contributors may send AI-assisted patches; ask the project to add you, or send the change without AI assistance"),
                );
            }
        }
        let day = patch
            .date
            .and_then(|d| {
                let ts = jiff::Timestamp::from_second(d.seconds).ok()?;
                let offset =
                    jiff::tz::Offset::from_seconds(d.offset_minutes.saturating_mul(60)).ok()?;
                Some(offset.to_datetime(ts).date())
            })
            .unwrap_or(cx.today);
        let before = trial.start.is_some_and(|s| day < s.0);
        let after = trial.end.is_some_and(|e| day > e.0);
        if before || after {
            let window = match (trial.start, trial.end) {
                (Some(s), Some(e)) => format!("{s} to {e}"),
                (Some(s), None) => format!("from {s}"),
                (None, Some(e)) => format!("until {e}"),
                (None, None) => String::new(),
            };
            out.push(
                Finding::new(
                    DOC.id,
                    format!("AI-assisted patch dated {day}, outside the trial ({window})"),
                )
                .help("AI-assisted contributions are accepted only during the trial"),
            );
        }
        out
    }
}
