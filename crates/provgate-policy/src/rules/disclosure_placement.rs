//! `disclosure-placement`: a disclosure trailer after the author's sign-off.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::identity::{parse_person, same_email};
use crate::level::Level;
use crate::policy::Placement;

/// See [`DOC`].
pub struct DisclosurePlacement;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DisclosurePlacement,
    summary: "A disclosure trailer stands after the author's `Signed-off-by:` where the policy requires it before.",
    what: "A line of the body written like one of the policy's disclosure trailers but outside the trailer block (git's `interpret-trailers` reading) is reported under every policy: it still counts as the author's declaration, but tools do not see it. With `[disclosure] placement = \"before-signoff\"`, each accepted disclosure trailer must come before the author's `Signed-off-by:` (the first sign-off with the author's address, else the first sign-off). Sign-offs added later by maintainers who queue the patch do not matter.",
    why: "Trailers read as a chain of custody: what stands before a sign-off is certified by it. A disclosure after the author's sign-off reads as added by someone else.",
    policy: "QEMU May 2026 proposal: `AI-used-for:` is placed before `Signed-off-by`.",
    failing: "qemu preset:\n\nSigned-off-by: Jane Doe <jane@example.org>\nAI-used-for: tests\n",
    passing: "qemu preset:\n\nAI-used-for: tests\nSigned-off-by: Jane Doe <jane@example.org>\nSigned-off-by: Maintainer <m@example.org>\n",
    setup: super::ExampleSetup::NONE,
    fix: "Move the disclosure trailer above your `Signed-off-by:` (`git commit --amend`).",
};

impl Rule for DisclosurePlacement {
    fn default_level(&self) -> Level {
        Level::Warn
    }
    fn applies(&self, policy: &crate::policy::Policy) -> bool {
        !policy.disclosure.trailers.is_empty()
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        let declarations = &cx.facts.evidence.declarations;
        let mut out: Vec<Finding> = declarations
            .iter()
            .filter(|d| d.accepted && !d.in_trailer_block)
            .map(|d| {
                Finding::new(
                    DOC.id,
                    format!(
                        "`{}:` is in the body of the message, not in its trailer block; git and other tools do not read it as a trailer",
                        d.trailer
                    ),
                )
                .at_message_line(d.line)
                .help(format!(
                    "move `{}: {}` into the last paragraph, with the other trailers",
                    d.trailer, d.value
                ))
            })
            .collect();
        if cx.policy.disclosure.placement != Placement::BeforeSignoff {
            return out;
        }
        let patch = cx.patch();
        let sobs: Vec<_> = patch.trailers_named("Signed-off-by").collect();
        let author_sob = patch
            .author
            .as_ref()
            .and_then(|a| {
                sobs.iter().find(|t| {
                    parse_person(&t.value).is_some_and(|p| same_email(&p.email, &a.email, true))
                })
            })
            .or(sobs.first());
        let Some(sob) = author_sob else {
            return out;
        };
        out.extend(
            declarations
                .iter()
                .filter(|d| {
                    d.accepted && d.in_trailer_block && d.syntax.is_some() && d.line > sob.line
                })
                .map(|d| {
                    Finding::new(
                        DOC.id,
                        format!(
                            "`{}:` stands after the author's Signed-off-by (line {})",
                            d.trailer, sob.line
                        ),
                    )
                    .at_message_line(d.line)
                    .help(format!(
                        "move `{}: {}` above `Signed-off-by: {}`",
                        d.trailer, d.value, sob.value
                    ))
                }),
        );
        out
    }
}
