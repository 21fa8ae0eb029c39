//! Evidence from outside the message: git-ai authorship notes (which lines an agent wrote) and
//! the branch an agent pushed to.
//!
//! A git-ai note is the agent's own record, written by a hook as the lines are accepted, so each
//! session that wrote lines of the commit is a fingerprint of **high** confidence (chaoss
//! `disclosure` grades git-ai notes high). An agent's branch prefix (`claude/`, `codex/`,
//! `copilot/`, `cursor/`) is one the agent chooses when it pushes, but a person can name a
//! branch anything, so it is **medium**. Both feed the same evidence as message marks:
//! `undisclosed-ai`, `ai-banned`, the line limit and every rule that asks whether a patch is
//! AI-assisted read them, and a scan counts them per tool. A branch alone weighs as a sign to
//! confirm ([`crate::evidence::AiWeight::ToConfirm`]): those rules warn, never deny, on it.

use provgate_patch::Patch;
use provgate_patch::authorship::{self, AuthorshipLog, LineRange, format_ranges};
use serde::Serialize;

use crate::fingerprints::Fingerprint;
use crate::policy::Confidence;

/// Branch prefixes agents push to, with the tool.
pub const AGENT_BRANCH_PREFIXES: &[(&str, &str)] = &[
    ("claude/", "Claude Code"),
    ("codex/", "OpenAI Codex"),
    ("copilot/", "GitHub Copilot agent"),
    ("cursor/", "Cursor"),
];

/// The lines of one file that one agent session wrote, per the commit's git-ai note: the `ai`
/// object's `authorship` entries in reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentLines {
    /// The file.
    pub path: String,
    /// The lines as the note gives them (`1-4,9`), numbered in the file as committed.
    pub lines: String,
    /// How many lines the note attributes.
    pub count: u64,
    /// How many of them this patch adds (a note may also name lines the commit did not touch).
    pub added: u64,
    /// The tool, named as fingerprints name it (`Claude Code`, `Cursor`, …).
    pub tool: String,
    /// The agent as git-ai names it (`claude`, `cursor`, …), when the note says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// The model, when the note says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The session hash.
    pub session: String,
}

/// What the note and branch of a patch say.
#[derive(Debug, Default)]
pub(crate) struct External {
    pub(crate) lines: Vec<AgentLines>,
    pub(crate) fingerprints: Vec<Fingerprint>,
    pub(crate) problems: Vec<String>,
}

/// The tool behind git-ai's `agent_id.tool`.
fn tool_name(agent: Option<&str>) -> String {
    let Some(agent) = agent else {
        return "unnamed agent (git-ai)".to_string();
    };
    let known = [
        ("claude", "Claude Code"),
        ("claude-code", "Claude Code"),
        ("cursor", "Cursor"),
        ("copilot", "GitHub Copilot"),
        ("github-copilot", "GitHub Copilot"),
        ("codex", "OpenAI Codex"),
        ("gemini", "Gemini"),
        ("amp", "Amp"),
        ("windsurf", "Windsurf"),
        ("opencode", "OpenCode"),
        ("continue", "Continue"),
    ];
    known
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(agent))
        .map_or_else(|| agent.to_string(), |(_, t)| (*t).to_string())
}

/// The tool behind an agent's branch name, if it is one.
pub fn agent_branch(branch: &str) -> Option<&'static str> {
    AGENT_BRANCH_PREFIXES
        .iter()
        .find(|(prefix, _)| branch.len() > prefix.len() && branch.starts_with(prefix))
        .map(|(_, tool)| *tool)
}

/// Reads the note and branch of `patch`.
pub(crate) fn read(patch: &Patch) -> External {
    let mut out = External::default();
    if let Some(branch) = &patch.branch
        && let Some(tool) = agent_branch(branch)
    {
        out.fingerprints.push(Fingerprint {
            tool: tool.to_string(),
            marker: branch.clone(),
            location: "branch".to_string(),
            line: None,
            confidence: Confidence::Medium,
        });
    }
    let Some(note) = &patch.ai_note else {
        return out;
    };
    match authorship::parse(note) {
        Ok(log) => from_log(patch, &log, &mut out),
        Err(e) => out.problems.push(format!(
            "the git-ai note ({}) does not parse and was not read: {e}",
            authorship::NOTES_REF
        )),
    }
    out
}

fn from_log(patch: &Patch, log: &AuthorshipLog, out: &mut External) {
    for file in &log.files {
        let change = patch.files.iter().find(|f| f.path() == file.path);
        for entry in &file.entries {
            // Lines of a session the metadata does not describe are not counted: in the
            // standard every attested session has its record, so such a note is damaged.
            let Some(session) = log.session(&entry.session) else {
                continue;
            };
            let added = change.map_or(0, |c| {
                c.added_lines()
                    .filter(|l| covers(&entry.lines, l.new_line))
                    .count() as u64
            });
            out.lines.push(AgentLines {
                path: file.path.clone(),
                lines: format_ranges(&entry.lines),
                count: entry.lines.iter().map(LineRange::len).sum(),
                added,
                tool: tool_name(session.tool.as_deref()),
                agent: session.tool.clone(),
                model: session.model.clone(),
                session: session.hash.clone(),
            });
        }
    }
    let unknown = log.unknown_sessions();
    if !unknown.is_empty() {
        out.problems.push(format!(
            "the git-ai note ({}) attributes lines to session(s) its metadata does not describe ({}); those lines were not counted",
            authorship::NOTES_REF,
            unknown.join(", ")
        ));
    }
    // One fingerprint per session, in the order the note first names it.
    let mut sessions: Vec<&str> = Vec::new();
    for l in &out.lines {
        if !sessions.contains(&l.session.as_str()) {
            sessions.push(&l.session);
        }
    }
    for hash in sessions {
        let of_session: Vec<&AgentLines> = out.lines.iter().filter(|l| l.session == hash).collect();
        let first = of_session[0];
        let count: u64 = of_session.iter().map(|l| l.count).sum();
        let files = of_session.len();
        let who = match (&first.agent, &first.model) {
            (Some(a), Some(m)) => format!("{a}, {m}"),
            (Some(a), None) => a.clone(),
            (None, Some(m)) => m.clone(),
            (None, None) => "agent not named".to_string(),
        };
        let fp = Fingerprint {
            tool: first.tool.clone(),
            marker: format!(
                "{}: session {hash} ({who}) wrote {count} line(s) in {files} file(s)",
                authorship::NOTES_REF
            ),
            location: "git-ai-note".to_string(),
            line: None,
            confidence: Confidence::High,
        };
        out.fingerprints.push(fp);
    }
}

fn covers(ranges: &[LineRange], line: u32) -> bool {
    ranges.iter().any(|r| r.start <= line && line <= r.end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use provgate_patch::{FileChange, Hunk, LineKind, Origin};

    fn patch_with(note: Option<&str>, branch: Option<&str>) -> Patch {
        let mut p = Patch::new("c1", Origin::Diff { file: "x".into() });
        let mut file = FileChange {
            new_path: Some("src/a.rs".into()),
            ..FileChange::default()
        };
        let mut hunk = Hunk::new(0, 0, 1, 5, "");
        for i in 1..=5 {
            hunk.push_line(LineKind::Added, 0, i, &format!("line {i}"), false);
        }
        file.hunks.push(hunk);
        p.files.push(file);
        p.ai_note = note.map(str::to_string);
        p.branch = branch.map(str::to_string);
        p
    }

    const META: &str = r#"{"schema_version":"authorship/3.0.0","base_commit_sha":"x","prompts":{"0123456789abcdef":{"agent_id":{"tool":"claude","id":"s1","model":"claude-opus-4-5"},"messages":[]}}}"#;

    #[test]
    fn a_note_names_the_agent_and_its_lines() {
        let note = format!(
            "src/a.rs\n  0123456789abcdef 2-3,7\nsrc/b.rs\n  0123456789abcdef 1\n---\n{META}"
        );
        let ext = read(&patch_with(Some(&note), None));
        assert!(ext.problems.is_empty(), "{:?}", ext.problems);
        assert_eq!(ext.lines.len(), 2);
        assert_eq!(ext.lines[0].lines, "2-3,7");
        assert_eq!((ext.lines[0].count, ext.lines[0].added), (3, 2));
        assert_eq!((ext.lines[1].count, ext.lines[1].added), (1, 0));
        assert_eq!(ext.lines[0].tool, "Claude Code");
        assert_eq!(ext.lines[0].model.as_deref(), Some("claude-opus-4-5"));
        assert_eq!(ext.fingerprints.len(), 1);
        assert_eq!(ext.fingerprints[0].confidence, Confidence::High);
        assert_eq!(ext.fingerprints[0].location, "git-ai-note");
    }

    #[test]
    fn a_note_without_ai_lines_is_no_evidence() {
        let ext = read(&patch_with(Some(&format!("---\n{META}")), None));
        assert!(ext.fingerprints.is_empty() && ext.lines.is_empty() && ext.problems.is_empty());
    }

    #[test]
    fn a_broken_note_is_a_problem_not_evidence() {
        let ext = read(&patch_with(Some("src/a.rs\n  zz 1\n"), None));
        assert!(ext.fingerprints.is_empty());
        assert_eq!(ext.problems.len(), 1);
        let unknown = format!("src/a.rs\n  fedcba9876543210 1\n---\n{META}");
        let ext = read(&patch_with(Some(&unknown), None));
        assert!(ext.fingerprints.is_empty());
        assert!(
            ext.problems[0].contains("fedcba9876543210"),
            "{:?}",
            ext.problems
        );
    }

    #[test]
    fn agent_branches() {
        for (branch, tool) in [
            ("claude/fix-x", Some("Claude Code")),
            ("codex/task", Some("OpenAI Codex")),
            ("copilot/fix-12", Some("GitHub Copilot agent")),
            ("cursor/add-y", Some("Cursor")),
            ("claude/", None),
            ("claudette/x", None),
            ("feature/claude/x", None),
            ("main", None),
        ] {
            assert_eq!(agent_branch(branch), tool, "{branch}");
        }
        let ext = read(&patch_with(None, Some("claude/fix-x")));
        assert_eq!(ext.fingerprints.len(), 1);
        assert_eq!(ext.fingerprints[0].confidence, Confidence::Medium);
        assert!(
            read(&patch_with(None, Some("main")))
                .fingerprints
                .is_empty()
        );
    }
}
