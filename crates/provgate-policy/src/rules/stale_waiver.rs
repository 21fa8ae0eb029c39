//! `stale-waiver`: an exception that matched nothing, or has expired.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::level::Level;

/// See [`DOC`].
pub struct StaleWaiver;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::StaleWaiver,
    summary: "An `[[exception]]` in the policy matched no finding in this check, or has expired.",
    what: "After all rules ran, reports each `[[exception]]` that waived nothing, and each expired one (its `expires` day is before the check's date) that would have matched a finding. The finding points at the exception's line in the policy file. Checks of a single patch report many exceptions as stale; run it on the range the exceptions were written for, or set the rule to `allow` for such runs.",
    why: "Exceptions outlive the reason they were granted; a waiver nobody needs any more is a hole waiting for a future patch (cargo-deny reports the same).",
    policy: "QEMU lists granted exceptions in the policy document itself; provgate keeps them in the policy file with a reason and an expiry, and reports those that no longer apply.",
    failing: "qemu preset, with this provgate.toml, checking a patch that touches nothing in migration/:\n[[zone]]\nname = \"migration\"\ntier = \"protected\"\npaths = [\"migration/\"]\n[[exception]]\nreason = \"agreed on qemu-devel\"\nrules = [\"protected-zone\"]\npaths = [\"migration/\"]\n\nhw/misc: fix leak\n---\n hw/misc/dev.c | 2 +-\n",
    passing: "qemu preset, the same provgate.toml, checking the patch the exception was granted for:\n\nmigration: rework the dirty page sync\n\nAI-used-for: code\nSigned-off-by: Jane Doe <jane@example.org>\n---\n migration/ram.c | 2 +-\n",
    setup: super::ExampleSetup {
        policy: "[[zone]]\nname = \"migration\"\ntier = \"protected\"\npaths = [\"migration/\"]\n[[exception]]\nreason = \"agreed on qemu-devel\"\nrules = [\"protected-zone\"]\npaths = [\"migration/\"]\n",
        ..super::ExampleSetup::NONE
    },
    fix: "Remove the exception, narrow its scope, or renew its `expires` date if the agreement still holds.",
};

impl Rule for StaleWaiver {
    fn default_level(&self) -> Level {
        Level::Warn
    }
    fn applies(&self, policy: &crate::policy::Policy) -> bool {
        !policy.exceptions.is_empty()
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, _cx: &PatchContext<'_>) -> Vec<Finding> {
        // Computed by the engine after every other rule ran (see `crate::check`).
        Vec::new()
    }
}
