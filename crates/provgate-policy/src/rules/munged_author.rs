//! `munged-author`: a list-munged author that could not be resolved.

use provgate_patch::NoteKind;

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::level::Level;

/// See [`DOC`].
pub struct MungedAuthor;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::MungedAuthor,
    summary: "The mailing list rewrote the sender (DMARC munging) and the real author could not be found.",
    what: "Reports a patch e-mail whose reader noted `MungedAuthorUnresolved`: the `From:` is like `\"Jane Doe via Qemu-devel\" <qemu-devel@nongnu.org>` and neither an in-body `From:` line, `Reply-To`, `X-Original-From` nor a `Signed-off-by` under the same name gave the real address. (Resolved munging is not reported.)",
    why: "Applied as is, the commit's author would be the list's address: the DCO check cannot match the sign-off, and the history loses who wrote the patch.",
    policy: "QEMU: the list munges some senders (DMARC); QEMU's checkpatch treats a mangled author as an error. The fix is an in-body `From:` line (`git format-patch --from`).",
    failing: "From: \"Jane Doe via Qemu-devel\" <qemu-devel@nongnu.org>\n\nhw/misc: fix leak\n",
    passing: "From: \"Jane Doe via Qemu-devel\" <qemu-devel@nongnu.org>\n\nFrom: Jane Doe <jane@example.org>\n",
    setup: super::ExampleSetup::NONE,
    fix: "Resend with `git format-patch --from` (or `git send-email --from`), which puts an in-body `From:` line in the message, or fix the author when applying (`git am` then `git commit --amend --author`).",
};

impl Rule for MungedAuthor {
    fn default_level(&self) -> Level {
        Level::Warn
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        cx.patch()
            .notes
            .iter()
            .filter(|n| n.kind == NoteKind::MungedAuthorUnresolved)
            .map(|n| {
                Finding::new(DOC.id, format!("list-munged author could not be resolved: {}", n.message))
                    .help("resend with `git format-patch --from` so the message carries an in-body From: line")
            })
            .collect()
    }
}
