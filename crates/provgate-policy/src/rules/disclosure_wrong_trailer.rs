//! `disclosure-wrong-trailer`: AI use declared in a trailer the policy does not use for AI.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::evidence::is_wrong_trailer;
use crate::level::Level;

/// See [`DOC`].
pub struct DisclosureWrongTrailer;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DisclosureWrongTrailer,
    summary: "AI use is declared in a trailer the policy does not use for AI (e.g. `Assisted-by:` under QEMU's rules).",
    what: "Reports a trailer that declares AI use but is not one of the policy's `[[disclosure.trailer]]` keys: a known disclosure key of another project (`AI-used-for`, `Assisted-by`, `Generated-by`), any key listed in `[disclosure] not-for-ai`, and a co-author trailer (`Co-authored-by`, `Co-developed-by`) naming an AI identity when its key is in `not-for-ai`. A value naming a human (`Assisted-by: Jane <jane@x>`) is human help and is not reported.",
    why: "The project's tools and reviewers look for one trailer. A disclosure in another project's form is honest but does not say what the policy needs (QEMU's categories decide the tier), and a co-author trailer suggests an author who can certify the DCO.",
    policy: "QEMU May 2026 proposal: QEMU explicitly does not use `Assisted-by`, `Co-authored-by` or `Generated-by` for AI; disclose with `AI-used-for:`.",
    failing: "qemu preset:\n\nAssisted-by: Claude:claude-opus-4.5\nSigned-off-by: Jane Doe <jane@example.org>\n",
    passing: "qemu preset:\n\nAI-used-for: code\nCo-authored-by: Bob Roe <bob@example.org>\nSigned-off-by: Jane Doe <jane@example.org>\n",
    setup: super::ExampleSetup::NONE,
    fix: "Replace the trailer with the policy's disclosure trailer (QEMU: `AI-used-for: code|tests|docs|research`); remove AI co-author lines.",
};

impl Rule for DisclosureWrongTrailer {
    fn default_level(&self) -> Level {
        Level::Warn
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        let policy = cx.policy;
        let accepted: Vec<String> = policy
            .disclosure
            .trailers
            .iter()
            .map(|t| format!("`{}:`", t.key))
            .collect();
        let help = if accepted.is_empty() {
            "this policy accepts no disclosure trailer".to_string()
        } else {
            format!("disclose with {} instead", accepted.join(" or "))
        };
        cx.facts
            .evidence
            .declarations
            .iter()
            .filter(|d| !d.accepted)
            .filter(|d| is_wrong_trailer(policy, d))
            .map(|d| {
                Finding::new(
                    DOC.id,
                    format!(
                        "`{}: {}` declares AI use in a trailer this policy does not use for AI",
                        d.trailer, d.value
                    ),
                )
                .at_message_line(d.line)
                .help(help.clone())
            })
            .collect()
    }
}
