//! `review-missing`: at merge, an AI-assisted patch without the review the policy requires.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId, Stage, names_address};
use crate::level::Level;
use crate::policy::{AppliesTo, ReviewFrom};

/// See [`DOC`].
pub struct ReviewMissing;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::ReviewMissing,
    summary: "At merge, a patch lacks the review the policy requires (`--stage merge` only).",
    what: "Only at `Stage::Merge` (`provgate check --stage merge`). For AI-assisted patches (`[review] applies-to = \"ai-assisted\"`) or every patch (`\"all\"`), requires a trailer in `[review] trailers` (default `Reviewed-by`, `Acked-by`) from a human other than the author (AI identities never count), in the patch or in a reviewer's reply to it or to its cover letter (collected as `b4 am` collects them, and counted only when the trailer's address is the reply sender's, through the repository's `.mailmap`; a finding names the replies' trailers that did not count, `(sender mismatch)` for one in someone else's name). `from = \"anyone\"`: any such person; `\"maintainer\"`: a maintainer (MAINTAINERS `M:` or a zone's `maintainers`) of at least one touched file; `\"each-section\"`: for every touched file, one of its maintainers as get_maintainer.pl lists them, so every touched section is covered (Xen's check-in policy; Xen's script leaves out `THE REST` when a more specific section has maintainers). When no maintainer is known for the touched files, any human reviewer is accepted. Under `applies-to = \"ai-assisted\"`, a patch whose only sign of AI use is of medium confidence (an agent's branch name, a tool line a person could paste) is reported as a warning to confirm that names the sign, never a deny; a disclosure or a high-confidence mark gives the rule's level.",
    why: "The policies allow AI help on the condition that humans stay responsible: a human signs off and a human other than the author reviews.",
    policy: "The tiered policies (QEMU May 2026 proposal, Linux, Mesa, LLVM) keep a human in the loop; Xen's check-in policy requires an Ack from a maintainer of each touched file's section.",
    failing: "qemu preset at --stage merge, with `review-missing = \"warn\"` under [rules] (every preset leaves it off):\n\nhw/misc: test the reset path\n\nAI-used-for: tests\nSigned-off-by: Jane Doe <jane@example.org>\n",
    passing: "qemu preset at --stage merge, the same [rules]:\n\nhw/misc: test the reset path\n\nAI-used-for: tests\nSigned-off-by: Jane Doe <jane@example.org>\nReviewed-by: Bob Roe <bob@example.org>\n",
    setup: super::ExampleSetup {
        policy: "[rules]\nreview-missing = \"warn\"\n",
        stage: super::Stage::Merge,
        ..super::ExampleSetup::NONE
    },
    fix: "Get a review from the people the policy names and collect their trailers (e.g. `b4 trailers -u`) before merging.",
};

impl Rule for ReviewMissing {
    fn default_level(&self) -> Level {
        Level::Warn
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn ai_premise(&self, policy: &crate::policy::Policy) -> Option<super::AiPremise> {
        // Only an AI-assisted patch needs the review then; under `"all"` the finding does not
        // rest on AI evidence at all, so a sign to confirm must not lower it.
        (policy.review.applies_to == AppliesTo::AiAssisted).then_some(super::AiPremise::Assisted)
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        let review = &cx.policy.review;
        if cx.stage != Stage::Merge
            || (review.applies_to == AppliesTo::AiAssisted && !cx.facts.evidence.ai_assisted())
        {
            return Vec::new();
        }
        let reviewers = cx.humans_in(&review.trailers);
        let keys = review.trailers.join("/");
        let reviewed_by = |people: &[String]| {
            reviewers
                .iter()
                .any(|(p, _)| people.iter().any(|m| names_address(m, &p.email)))
        };
        let all_maintainers: Vec<String> = cx
            .facts
            .files
            .iter()
            .flat_map(|f| cx.zones.agreement_people(&f.zone))
            .collect();
        let from = if all_maintainers.is_empty() {
            ReviewFrom::Anyone
        } else {
            review.from
        };
        match from {
            ReviewFrom::Anyone => {
                if reviewers.is_empty() {
                    return vec![
                        Finding::new(
                            DOC.id,
                            format!("no {keys} from a human other than the author"),
                        )
                        .help("get a review and add the reviewer's trailer before merging"),
                    ];
                }
            }
            ReviewFrom::Maintainer => {
                if !reviewed_by(&all_maintainers) {
                    let mut people = all_maintainers.clone();
                    people.dedup();
                    return vec![
                        Finding::new(
                            DOC.id,
                            format!("no {keys} from a maintainer of the touched files"),
                        )
                        .help(format!(
                            "ask one of: {}{}",
                            people.join(", "),
                            not_counted(cx, &review.trailers)
                        )),
                    ];
                }
            }
            ReviewFrom::EachSection => {
                // Per touched file, one of its maintainers as get_maintainer.pl lists them (Xen's
                // script leaves out THE REST's when a more specific section has maintainers);
                // one finding per uncovered section (the file's most specific one).
                let mut out = Vec::new();
                let mut seen: Vec<String> = Vec::new();
                for f in &cx.facts.files {
                    let people = cx.zones.agreement_people(&f.zone);
                    if people.is_empty() || reviewed_by(&people) {
                        continue;
                    }
                    let section = f
                        .zone
                        .sections
                        .iter()
                        .find(|s| !s.maintainers.is_empty())
                        .map_or_else(|| f.zone.zones.join(", "), |s| s.name.clone());
                    if seen.contains(&section) {
                        continue;
                    }
                    out.push(
                        Finding::new(
                            DOC.id,
                            format!(
                                "no {keys} from a maintainer of section \"{section}\" (touched by {})",
                                f.path
                            ),
                        )
                        .at(&f.path, None)
                        .help(format!(
                            "ask one of: {}{}",
                            people.join(", "),
                            not_counted(cx, &review.trailers)
                        )),
                    );
                    seen.push(section);
                }
                return out;
            }
        }
        Vec::new()
    }
}

/// The review trailers given in replies, named so that the author sees why they did not count:
/// `; from replies, not counted here: Reviewed-by: Ann <ann@x> (from a reply by Ann <ann@x>, <id>)`.
fn not_counted(cx: &PatchContext<'_>, keys: &[String]) -> String {
    let from_replies: Vec<String> = cx
        .patch()
        .review
        .iter()
        .filter(|r| keys.iter().any(|k| r.trailer.is(k)))
        .map(|r| {
            let ignore_sub = cx.policy.dco.ignore_subaddress;
            if crate::identity::reply_trailer_is_senders(r, cx.zones.mailmap(), ignore_sub) {
                r.describe()
            } else {
                format!("{} (sender mismatch)", r.describe())
            }
        })
        .collect();
    if from_replies.is_empty() {
        return String::new();
    }
    format!("; from replies, not counted here: {}", from_replies.join("; "))
}
