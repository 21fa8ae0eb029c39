//! `undisclosed-ai`: tool fingerprints and no disclosure.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::level::Level;
use crate::policy::Confidence;

/// See [`DOC`].
pub struct UndisclosedAi;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::UndisclosedAi,
    summary: "The patch carries an AI tool's fingerprint but no AI disclosure at all.",
    what: "Reports a patch with at least one tool fingerprint (an AI tool's address as author, committer or in a trailer, a bot account, a tool's session trailer, an anchored `Generated with [Claude Code](…)` line, an `aider: ` subject prefix, lines a commit's git-ai note in `refs/notes/ai` attributes to an agent (high confidence), an agent's branch `claude/…`, `codex/…`, `copilot/…` or `cursor/…` when the branch is known (medium), custom `[[fingerprint]]` patterns) and no declaration of AI use in any trailer (an AI co-author line the policy neither accepts nor lists in `not-for-ai` is a tool mark, not a declaration). Only high-confidence marks are reported at the rule's level; medium and low ones are at most warnings. Bare words (\"Claude\", \"cursor\", \"codex\") never count. A declaration in the wrong trailer is reported by `disclosure-wrong-trailer` instead.",
    why: "Disclosure is what every AI policy asks first. A tool's mark without a disclosure means the sender either forgot or stripped it; the maintainer should know before reviewing.",
    policy: "QEMU May 2026 proposal: every AI-assisted patch carries `AI-used-for:`. Linux `coding-assistants.rst`: attribute with `Assisted-by:`. Mesa, Fedora, LLVM, OpenInfra, ASF: disclose. The reference fingerprint table (Claude Code, Copilot, Aider, Codex, Cursor, Devin, Amp, OpenHands, Replit, Jules, Amazon Q, Gemini, Sweep) with chaoss/disclosure's confidence grading.",
    failing: "fix null check\n\n🤖 Generated with [Claude Code](https://claude.ai/code)\n\nSigned-off-by: Jane Doe <jane@example.org>\n",
    passing: "fix null check (Claude Monet reported it)\n\nReported-by: Claude Monet <claude@monet.example>\nSigned-off-by: Jane Doe <jane@example.org>\n",
    setup: super::ExampleSetup::NONE,
    fix: "Add the policy's disclosure trailer (e.g. `AI-used-for: code` before your sign-off), and remove tool-added lines the policy does not use.",
};

fn is_coauthor(key: &str) -> bool {
    crate::evidence::COAUTHOR_KEYS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(key))
}

impl Rule for UndisclosedAi {
    fn default_level(&self) -> Level {
        Level::Warn
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        let ev = &cx.facts.evidence;
        // A disclosure, even in the wrong trailer (reported by `disclosure-wrong-trailer`), is
        // not "undisclosed". An AI co-author line the policy neither accepts nor lists in
        // `not-for-ai` is only a tool mark.
        if ev.disclosed
            || ev.declarations.iter().any(|d| {
                crate::evidence::is_wrong_trailer(cx.policy, d) || !is_coauthor(&d.trailer)
            })
        {
            return Vec::new();
        }
        let Some(strongest) = ev.strongest_fingerprint() else {
            return Vec::new();
        };
        let marks: Vec<String> = ev
            .fingerprints
            .iter()
            .map(|f| {
                format!(
                    "{} ({}, {} confidence)",
                    f.marker,
                    f.tool,
                    f.confidence.as_str()
                )
            })
            .collect();
        let accepted: Vec<String> = cx
            .policy
            .disclosure
            .trailers
            .iter()
            .map(|t| format!("`{}:`", t.key))
            .collect();
        let mut finding = Finding::new(
            DOC.id,
            format!("AI tool marks without any disclosure: {}", marks.join("; ")),
        )
        .help(if accepted.is_empty() {
            "disclose the AI use as the project's policy asks".to_string()
        } else {
            format!("disclose the AI use with {}", accepted.join(" or "))
        });
        if let Some(line) = ev.fingerprints.iter().find_map(|f| f.line) {
            finding = finding.at_message_line(line);
        }
        if strongest.confidence < Confidence::High {
            finding = finding.at_most(Level::Warn);
        }
        vec![finding]
    }
}
