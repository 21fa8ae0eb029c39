//! The marks AI tools leave in commits, from the reference table of published tool behaviour.
//!
//! Only full addresses, bot identities, tool-specific trailers and anchored line forms are
//! matched, never bare words: "Claude", "cursor", "amp" and "codex" are ordinary names and words,
//! and `@users.noreply.github.com` alone is every privacy-minded human. Many projects strip these
//! marks, so their absence proves nothing.

use std::sync::LazyLock;

use provgate_patch::{Patch, Person};
use regex::Regex;
use serde::Serialize;

use crate::identity::parse_person;
use crate::policy::{Confidence, CustomFingerprint, FingerprintField};

/// One mark found in a patch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fingerprint {
    /// The tool the mark belongs to (`Claude Code`, `GitHub Copilot agent`, …).
    pub tool: String,
    /// What was matched, as it stands in the patch.
    pub marker: String,
    /// Where: `author`, `committer`, `trailer`, `message` or `subject`.
    pub location: String,
    /// The message line (1-based, the subject being line 1), when the mark is in the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// How sure the mark is.
    pub confidence: Confidence,
}

/// AI tools' own e-mail addresses (compared whole, case-insensitively).
const ADDRESSES: &[(&str, &str)] = &[
    ("noreply@anthropic.com", "Claude Code"),
    (
        "209825114+claude[bot]@users.noreply.github.com",
        "Claude GitHub app",
    ),
    (
        "208546643+claude-code-action[bot]@users.noreply.github.com",
        "Claude GitHub app",
    ),
    (
        "198982749+copilot@users.noreply.github.com",
        "GitHub Copilot",
    ),
    (
        "223556219+copilot@users.noreply.github.com",
        "GitHub Copilot",
    ),
    ("copilot@github.com", "GitHub Copilot"),
    ("aider@aider.chat", "Aider"),
    ("noreply@aider.chat", "Aider"),
    ("noreply@openai.com", "OpenAI Codex"),
    ("codex@openai.com", "OpenAI Codex"),
    ("cursoragent@cursor.com", "Cursor"),
    ("amp@ampcode.com", "Amp"),
    ("openhands@all-hands.dev", "OpenHands"),
];

/// AI tools' GitHub bot identities, matched as a name or as `[ID+]LOGIN@users.noreply.github.com`.
const BOTS: &[(&str, &str)] = &[
    ("claude[bot]", "Claude GitHub app"),
    ("claude-code-action[bot]", "Claude GitHub app"),
    ("copilot-swe-agent[bot]", "GitHub Copilot agent"),
    ("chatgpt-codex-connector[bot]", "OpenAI Codex"),
    ("devin-ai-integration[bot]", "Devin"),
    ("google-labs-jules[bot]", "Jules"),
    ("amazon-q-developer[bot]", "Amazon Q"),
    ("gemini-code-assist[bot]", "Gemini Code Assist"),
    ("sweep-ai[bot]", "Sweep"),
];

/// Trailers only AI tools write; `None` values match any value.
const SESSION_TRAILERS: &[(&str, Option<&[&str]>, &str)] = &[
    ("Claude-Session", None, "Claude Code"),
    ("Amp-Thread-ID", None, "Amp"),
    ("Replit-Commit-Session-Id", None, "Replit Agent"),
    (
        "Replit-Commit-Author",
        Some(&["Agent", "Assistant"]),
        "Replit Agent",
    ),
];

/// Anchored message lines tools add (medium: a human could paste them).
static LINES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    vec![
        (
            Regex::new(r"^(?:🤖\s*)?Generated with \[Claude Code\]\(https://(?:claude\.ai/code|claude\.com/claude-code)/?\)")
                .expect("valid"),
            "Claude Code",
        ),
        (
            Regex::new(r"^(?:🤖\s*)?Generated with \[Devin\]\(https://(?:app\.)?devin\.ai[^)]*\)")
                .expect("valid"),
            "Devin",
        ),
    ]
});

/// The tool behind an AI identity (an AI tool's address or bot account), if `person` is one.
pub fn ai_identity(person: &Person) -> Option<&'static str> {
    let email = person.email.trim().to_lowercase();
    if let Some((_, tool)) = ADDRESSES.iter().find(|(a, _)| *a == email) {
        return Some(tool);
    }
    let name = person.name.trim().to_lowercase();
    BOTS.iter()
        .find(|(login, _)| name == *login || is_bot_address(&email, login))
        .map(|(_, tool)| *tool)
}

/// The tool behind a trailer value naming an AI identity (`Claude <noreply@anthropic.com>`).
pub fn ai_identity_in(value: &str) -> Option<&'static str> {
    parse_person(value).and_then(|p| ai_identity(&p))
}

fn is_bot_address(email: &str, login: &str) -> bool {
    let Some(local) = email.strip_suffix(crate::identity::GITHUB_NOREPLY) else {
        return false;
    };
    let local = match local.split_once('+') {
        Some((id, rest)) if id.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => local,
    };
    local == login
}

/// A custom fingerprint compiled once per check.
pub(crate) struct CompiledCustom {
    def: CustomFingerprint,
    regex: Regex,
}

/// Compiles the policy's custom fingerprints (validated when the policy was loaded).
pub(crate) fn compile_custom(defs: &[CustomFingerprint]) -> Vec<CompiledCustom> {
    defs.iter()
        .filter_map(|d| {
            regex::RegexBuilder::new(&d.pattern)
                .size_limit(crate::policy::REGEX_SIZE_LIMIT)
                .build()
                .ok()
                .map(|regex| CompiledCustom {
                    def: d.clone(),
                    regex,
                })
        })
        .collect()
}

/// Every mark in `patch`, in order of appearance (author, committer, subject, message lines).
pub(crate) fn find(patch: &Patch, custom: &[CompiledCustom]) -> Vec<Fingerprint> {
    let mut out = Vec::new();
    let mut push = |tool: &str, marker: String, location: &str, line, confidence| {
        let fp = Fingerprint {
            tool: tool.to_string(),
            marker,
            location: location.to_string(),
            line,
            confidence,
        };
        if !out.contains(&fp) {
            out.push(fp);
        }
    };
    for (who, person) in [("author", &patch.author), ("committer", &patch.committer)] {
        let Some(person) = person else { continue };
        if let Some(tool) = ai_identity(person) {
            push(tool, person.to_string(), who, None, Confidence::High);
        }
        if who == "author" && person.name.trim_end().ends_with(" (aider)") {
            push("Aider", person.name.clone(), who, None, Confidence::Medium);
        }
    }
    let subject = patch.message.lines().next().unwrap_or(&patch.subject);
    if subject.starts_with("aider: ") || patch.subject.starts_with("aider: ") {
        push(
            "Aider",
            "aider: ".to_string(),
            "subject",
            Some(1),
            Confidence::Medium,
        );
    }
    for trailer in &patch.trailers {
        if let Some(tool) = ai_identity_in(&trailer.value) {
            push(
                tool,
                format!("{}: {}", trailer.key, trailer.value),
                "trailer",
                Some(trailer.line),
                Confidence::High,
            );
        }
        for (key, values, tool) in SESSION_TRAILERS {
            let value_ok = values.is_none_or(|vs| {
                vs.iter()
                    .any(|v| v.eq_ignore_ascii_case(trailer.value.trim()))
            });
            if trailer.is(key) && value_ok {
                push(
                    tool,
                    format!("{}: {}", trailer.key, trailer.value),
                    "trailer",
                    Some(trailer.line),
                    Confidence::High,
                );
            }
        }
    }
    for (i, line) in patch.message.lines().enumerate() {
        let text = line.trim();
        for (regex, tool) in LINES.iter() {
            if regex.is_match(text) {
                push(
                    tool,
                    text.to_string(),
                    "message",
                    Some(i + 1),
                    Confidence::Medium,
                );
            }
        }
    }
    for c in custom {
        let mut hit = |text: &str, location: &str, line: Option<usize>| {
            if c.regex.is_match(text) {
                push(
                    &c.def.tool,
                    text.to_string(),
                    location,
                    line,
                    c.def.confidence,
                );
            }
        };
        match c.def.field {
            FingerprintField::Author => {
                if let Some(p) = &patch.author {
                    hit(&p.to_string(), "author", None);
                }
            }
            FingerprintField::Committer => {
                if let Some(p) = &patch.committer {
                    hit(&p.to_string(), "committer", None);
                }
            }
            FingerprintField::Subject => hit(&patch.subject, "subject", Some(1)),
            FingerprintField::Trailer => {
                for t in &patch.trailers {
                    hit(&format!("{}: {}", t.key, t.value), "trailer", Some(t.line));
                }
            }
            FingerprintField::MessageLine => {
                for (i, line) in patch.message.lines().enumerate() {
                    hit(line, "message", Some(i + 1));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use provgate_patch::Origin;

    fn patch(message: &str) -> Patch {
        let mut p = Patch::new("p1", Origin::Diff { file: "x".into() });
        p.message = message.to_string();
        p.subject = message.lines().next().unwrap_or("").to_string();
        p.trailers = provgate_patch::trailers::parse_trailers(message);
        p
    }

    #[test]
    fn identities() {
        assert_eq!(
            ai_identity_in("Claude <noreply@anthropic.com>"),
            Some("Claude Code")
        );
        assert_eq!(
            ai_identity_in("Claude Opus 4.5 <NoReply@Anthropic.com>"),
            Some("Claude Code")
        );
        assert_eq!(
            ai_identity_in("copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>"),
            Some("GitHub Copilot")
        );
        assert_eq!(
            ai_identity_in("x <41898282+google-labs-jules[bot]@users.noreply.github.com>"),
            Some("Jules")
        );
        assert_eq!(ai_identity_in("Claude Monet <claude@monet.fr>"), None);
        assert_eq!(
            ai_identity_in("Jane <1234+jane@users.noreply.github.com>"),
            None
        );
        assert_eq!(ai_identity_in("Amp Smith <amp@example.org>"), None);
    }

    #[test]
    fn finds_marks_with_confidence() {
        let p = patch(
            "fix the thing\n\nBody.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nCo-Authored-By: Claude <noreply@anthropic.com>\nClaude-Session: abc\nSigned-off-by: J <j@x.org>\n",
        );
        let fps = find(&p, &[]);
        let summary: Vec<_> = fps
            .iter()
            .map(|f| (f.location.as_str(), f.confidence, f.line))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("trailer", Confidence::High, Some(7)),
                ("trailer", Confidence::High, Some(8)),
                ("message", Confidence::Medium, Some(5)),
            ]
        );
    }

    #[test]
    fn bare_words_do_not_match() {
        let p = patch(
            "Use cursor keys in Claude's amp codex\n\nGenerated with care by Claude.\nSee https://claude.ai/code for details.\n\nSigned-off-by: Claude Durand <claude@durand.fr>\n",
        );
        assert!(find(&p, &[]).is_empty());
    }

    #[test]
    fn aider_prefix_and_author_suffix() {
        let mut p = patch("aider: fix\n\nSigned-off-by: J <j@x.org>\n");
        p.author = Some(Person::new("Jane (aider)", "j@x.org"));
        let tools: Vec<_> = find(&p, &[]).into_iter().map(|f| f.location).collect();
        assert_eq!(tools, vec!["author", "subject"]);
    }
}
