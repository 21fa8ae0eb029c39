//! `ai-agent-author`: the patch was authored or committed by an AI agent's own identity.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::fingerprints::ai_identity;
use crate::level::Level;

/// See [`DOC`].
pub struct AiAgentAuthor;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::AiAgentAuthor,
    summary: "The patch's author or committer is an AI agent's own identity or bot account: the agent submitted it.",
    what: "Reports a patch whose author or committer is a known AI tool address or bot account (`Cursor Agent <cursoragent@cursor.com>`, `copilot-swe-agent[bot]`, `claude[bot]`, `devin-ai-integration[bot]`, the other identities of the fingerprint table). A human who commits with a tool's help keeps their own identity, so an agent identity in these places is evidence that the agent made and submitted the change itself. A tool's address in a `Co-authored-by:` trailer, or an author name ending in ` (aider)` (a person committing through Aider), is not reported here.",
    why: "Some policies allow AI help but not autonomous agents: a human must be in the loop and submit the work. An agent's identity as author or committer is the one mark of autonomous submission that a commit carries.",
    policy: "Mesa: autonomous agents are not allowed. LLVM: a human in the loop, no unsupervised agents.",
    failing: "mesa preset:\n\nAuthor: Cursor Agent <cursoragent@cursor.com>\n\nfix null check\n\nAssisted-by: Cursor\n",
    passing: "mesa preset:\n\nAuthor: Jane Doe <jane@example.org>\n\nfix null check\n\nAssisted-by: Cursor\n",
    setup: super::ExampleSetup::NONE,
    fix: "Submit the change yourself, under your own name, after reviewing it; disclose the tool with the policy's trailer.",
};

impl Rule for AiAgentAuthor {
    fn default_level(&self) -> Level {
        Level::Warn
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        let patch = cx.patch();
        [("author", &patch.author), ("committer", &patch.committer)]
            .into_iter()
            .filter_map(|(role, person)| {
                let person = person.as_ref()?;
                let tool = ai_identity(person)?;
                Some(
                    Finding::new(
                        DOC.id,
                        format!("the {role} `{person}` is {tool}'s own identity: the agent submitted the change"),
                    )
                    .help("a person reviews the change and submits it under their own name; the policy does not accept autonomous agents"),
                )
            })
            .collect()
    }
}
