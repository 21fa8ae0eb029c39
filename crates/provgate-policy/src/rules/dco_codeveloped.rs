//! `dco-codeveloped-without-signoff`: `Co-developed-by` not directly followed by its sign-off.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::identity::{parse_person, same_email};
use crate::level::Level;

/// See [`DOC`].
pub struct DcoCodevelopedWithoutSignoff;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DcoCodevelopedWithoutSignoff,
    summary: "A `Co-developed-by:` is not immediately followed by the same person's `Signed-off-by:`, or names the author.",
    what: "For every `Co-developed-by:` trailer, the next trailer must be a `Signed-off-by:` with the same address; and the co-developer must not be the patch author (the author's own sign-off already covers them).",
    why: "Every co-developer must certify the DCO for their part. An AI tool cannot certify anything, so an AI named as co-developer can never satisfy this rule, which is the point.",
    policy: "Linux `submitting-patches.rst` and checkpatch: \"Co-developed-by: must be immediately followed by Signed-off-by:\" and \"should not be used to attribute the author\".",
    failing: "fix race\n\nCo-developed-by: Bob Roe <bob@example.org>\nSigned-off-by: Jane Doe <jane@example.org>\n",
    passing: "fix race\n\nCo-developed-by: Bob Roe <bob@example.org>\nSigned-off-by: Bob Roe <bob@example.org>\nSigned-off-by: Jane Doe <jane@example.org>\n",
    setup: super::ExampleSetup::NONE,
    fix: "Put the co-developer's own `Signed-off-by:` directly after their `Co-developed-by:`; drop a `Co-developed-by:` naming the author. For AI help use the policy's disclosure trailer instead.",
};

impl Rule for DcoCodevelopedWithoutSignoff {
    fn default_level(&self) -> Level {
        Level::Warn
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        let patch = cx.patch();
        let mut out = Vec::new();
        for (i, t) in patch.trailers.iter().enumerate() {
            if !t.is("Co-developed-by") {
                continue;
            }
            let who = parse_person(&t.value);
            if let (Some(who), Some(author)) = (&who, &patch.author)
                && same_email(&who.email, &author.email, false)
            {
                out.push(
                    Finding::new(
                        DOC.id,
                        format!("Co-developed-by names the author ({})", t.value),
                    )
                    .at_message_line(t.line)
                    .help("remove it: the author's own Signed-off-by covers their work"),
                );
                continue;
            }
            let next = patch.trailers.get(i + 1);
            let followed = next.is_some_and(|n| {
                n.is("Signed-off-by")
                    && match (&who, parse_person(&n.value)) {
                        (Some(a), Some(b)) => same_email(&a.email, &b.email, false),
                        _ => false,
                    }
            });
            if !followed {
                out.push(
                    Finding::new(
                        DOC.id,
                        format!("`Co-developed-by: {}` is not immediately followed by the same person's Signed-off-by", t.value),
                    )
                    .at_message_line(t.line)
                    .help("add the co-developer's `Signed-off-by:` on the next line; an AI tool cannot sign off, so disclose AI help with the policy's disclosure trailer instead"),
                );
            }
        }
        out
    }
}
