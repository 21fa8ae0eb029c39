//! `ai-written-message`: a commit message or cover letter that a tool says it wrote.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId, SeriesContext};
use crate::level::Level;

/// See [`DOC`].
pub struct AiWrittenMessage;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::AiWrittenMessage,
    summary: "A commit message or cover letter carries the line or prefix an AI tool adds to text it wrote.",
    what: "Reports a commit message, or a series' cover letter, with a message fingerprint: a tool's anchored `Generated with [Claude Code](…)` or `Generated with [Devin](…)` line, or the `aider: ` subject prefix Aider gives the commit messages it writes (and custom `[[fingerprint]]` patterns on `message-line` or `subject`). Marks in trailers or identities say a tool helped with the change, not that it wrote the text, and are not reported here.",
    why: "Some policies allow AI help with code but require that people write the text reviewers read: the description of the change is the author's own account of it.",
    policy: "QEMU `llm-usage.rst` draft: cover letters, commit messages, review replies and issues must be human-written. Mesa: AI must not write code comments or commit messages.",
    failing: "qemu-llm-usage preset:\n\nhw/usb: fix descriptor length\n\nThe length was off by one.\n\n🤖 Generated with [Claude Code](https://claude.ai/code)\n\nAI-used-for: code\nSigned-off-by: Jane Doe <jane@example.org>\n",
    passing: "qemu-llm-usage preset:\n\nhw/usb: fix descriptor length\n\nThe length was off by one; Claude Code suggested the fix.\n\nAI-used-for: code\nSigned-off-by: Jane Doe <jane@example.org>\n",
    setup: super::ExampleSetup::NONE,
    fix: "Write the commit message (and cover letter) yourself and remove the tool's line; turn off the tool's message attribution.",
};

fn findings(
    patch: &provgate_patch::Patch,
    fps: &[crate::fingerprints::Fingerprint],
    what: &str,
) -> Vec<Finding> {
    fps.iter()
        .filter(|f| f.location == "message" || f.location == "subject")
        .map(|f| {
            let mut finding = Finding::new(
                DOC.id,
                format!(
                    "the {what} carries {}'s mark of a tool-written text: {}",
                    f.tool, f.marker
                ),
            )
            .help("write the text yourself and remove the tool's line");
            if let Some(line) = f.line {
                finding = finding.at_message_line(line);
            }
            if what == "cover letter" {
                finding.patch_id = Some(patch.id.clone());
            }
            finding
        })
        .collect()
}

impl Rule for AiWrittenMessage {
    fn default_level(&self) -> Level {
        Level::Allow
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        findings(
            cx.patch(),
            &cx.facts.evidence.fingerprints,
            "commit message",
        )
    }
    fn check_series(&self, cx: &SeriesContext<'_>) -> Vec<Finding> {
        let Some(cover) = &cx.series.cover else {
            return Vec::new();
        };
        let custom = crate::fingerprints::compile_custom(&cx.policy.fingerprints);
        let fps = crate::fingerprints::find(cover, &custom);
        findings(cover, &fps, "cover letter")
    }
}
