//! `dco-missing-signoff`: a commit without any `Signed-off-by`.

use super::{Finding, PatchContext, Rule, RuleDoc};
use crate::level::Level;

/// See [`DOC`].
pub struct DcoMissingSignoff;

static DOC: RuleDoc = RuleDoc {
    name: "dco-missing-signoff",
    summary: "The commit message has no `Signed-off-by:` trailer.",
    what: "Reports a patch whose trailer block (as `git interpret-trailers --parse` reads it) has no `Signed-off-by:` line. Plain diffs without a commit message are not checked.",
    why: "The sign-off certifies the Developer Certificate of Origin 1.1: the human sender takes legal responsibility for the contribution. Using AI does not relieve the author of it.",
    policy: "QEMU `docs/devel/code-provenance.rst`: every commit needs `Signed-off-by: NAME <EMAIL>`; the May 2026 proposal keeps this (\"Signed-off-by means the human takes responsibility\"). Linux `coding-assistants.rst`: only a human certifies the DCO. checkpatch: \"Missing Signed-off-by: line(s)\".",
    failing: "hw/arm: fix off-by-one in virt memory map\n\nThe last region overlapped the next one.\n",
    passing: "hw/arm: fix off-by-one in virt memory map\n\nThe last region overlapped the next one.\n\nSigned-off-by: Jane Doe <jane@example.org>\n",
    fix: "Add your sign-off as the last trailer: `git commit --amend -s` (or `git rebase --signoff BASE` for a series). Only sign off if you can certify the DCO for the whole patch.",
};

impl Rule for DcoMissingSignoff {
    fn name(&self) -> &'static str {
        DOC.name
    }
    fn default_level(&self) -> Level {
        Level::Deny
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        if !cx.has_message() || cx.patch().trailers_named("Signed-off-by").next().is_some() {
            return Vec::new();
        }
        vec![Finding::new(DOC.name, "the commit message has no Signed-off-by trailer")
            .help("add your sign-off with `git commit --amend -s`; it certifies the Developer Certificate of Origin")]
    }
}
