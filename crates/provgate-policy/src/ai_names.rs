//! The names by which a trailer's value names an AI tool or model: the one list that tells
//! `Assisted-by: Claude Opus 4.6` (AI) from `Assisted-by: Junio C Hamano <gitster@pobox.com>`
//! (a person who helped).
//!
//! Three kinds of entries, all compared case-insensitively on word boundaries:
//!
//! - **tools**: product and vendor names that are not people's names (`ChatGPT`, `Copilot`,
//!   `LLM`). Any of them in a value makes it name AI.
//! - **ambiguous names**: tools whose name is also a first name or an ordinary word (`Claude`,
//!   `Devin`, `Cursor`, `Amp`). Alone they name AI only where no person is written: in
//!   `Assisted-by: Claude` they do, in `Assisted-by: Claude Durand <claude@durand.fr>` they do
//!   not. Followed by a model word or a version (`Claude Opus`, `Claude 3.5`) they always do,
//!   through the model patterns.
//! - **model patterns**: regular expressions for model names (`gpt-4o`, `Opus 4.7`,
//!   `claude-3-opus`, `Gemini 2.5`, `Llama 3`).
//!
//! A policy adds its own under `[ai]`: `tools = ["Acme Assistant"]` and
//! `models = ['acme-coder-\d+']`. docs/policy.md documents both and lists the built-in entries,
//! which are kept here and nowhere else.

use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};

use crate::identity::parse_person;

/// AI products and vendors whose names are not people's names.
pub const TOOLS: &[&str] = &[
    "LLM",
    "LLMs",
    "ChatGPT",
    "OpenAI",
    "Codex",
    "Copilot",
    "GitHub Copilot",
    "Claude Code",
    "Anthropic",
    "Gemini",
    "Gemini Code Assist",
    "Aider",
    "Windsurf",
    "Codeium",
    "Tabnine",
    "CodeWhisperer",
    "Amazon Q",
    "OpenHands",
    "Cursor Agent",
    "Devin AI",
    "Sourcegraph Cody",
    "Replit Agent",
    "JetBrains AI",
    "Qodo",
    "Llama",
    "Mistral",
    "Codestral",
    "Mixtral",
    "Qwen",
    "DeepSeek",
    "Grok",
    "Perplexity",
    "StarCoder",
    "Code Llama",
    "CodeLlama",
    "Phind",
    "chatbot",
];

/// AI tools whose names are also first names or ordinary words: they name AI only in a value
/// that writes no person (`Name <address>`).
pub const AMBIGUOUS: &[&str] = &[
    "AI", "Claude", "Devin", "Cursor", "Amp", "Cody", "Jules", "Kimi", "Sweep", "Continue", "Zed",
    "Bard", "Junie", "Kiro", "Gemma",
];

/// Model names, as regular expressions (case-insensitive, matched on word boundaries).
pub const MODEL_PATTERNS: &[&str] = &[
    // OpenAI: gpt-4o, GPT 5.1, gpt-5-codex, o1, o3-mini, o4-mini.
    r"gpt[- ]?\d[\w.-]*",
    r"o[134](?:-mini|-pro|-preview)?",
    // Anthropic: claude-3-opus, Claude Opus 4.6, Claude 3.5 Sonnet, Opus 4.7, sonnet-4.5.
    r"claude[- ]?(?:\d[\w.-]*|opus|sonnet|haiku|instant)",
    r"(?:opus|sonnet|haiku)[- ]?\d[\w.-]*",
    // Google, Meta, Mistral, xAI, Moonshot, Zhipu, Microsoft.
    r"gemini[- ]?\d[\w.-]*",
    r"llama[- ]?\d[\w.-]*",
    r"(?:mistral|codestral|devstral|magistral)[- ]?(?:\d[\w.-]*|large|medium|small|nemo|tiny)",
    r"grok[- ]?\d[\w.-]*",
    r"kimi[- ]?k\d[\w.-]*",
    r"glm[- ]?\d[\w.-]*",
    r"phi[- ]?\d[\w.-]*",
    r"qwen\d?[\w.-]*",
    r"deepseek[\w.-]*",
];

fn word_alternation(words: &[String]) -> Option<Regex> {
    if words.is_empty() {
        return None;
    }
    let alternatives: Vec<String> = words.iter().map(|w| regex::escape(w.trim())).collect();
    bounded(&alternatives.join("|")).ok()
}

/// `pattern` matched as a whole word: not inside a longer word, an address or a path.
fn bounded(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&format!(r"(?:^|[^\w@.+-])(?:{pattern})(?:$|[^\w@-])"))
        .case_insensitive(true)
        .size_limit(crate::policy::REGEX_SIZE_LIMIT)
        .build()
}

/// The compiled list: the built-in entries plus a policy's own.
#[derive(Debug)]
pub struct AiNames {
    tools: Option<Regex>,
    ambiguous: Option<Regex>,
    models: Vec<Regex>,
}

static BUILT_IN: LazyLock<AiNames> = LazyLock::new(|| AiNames::with(&[], &[]));

impl AiNames {
    /// The built-in list alone.
    pub fn built_in() -> &'static AiNames {
        &BUILT_IN
    }

    /// The built-in list extended with a policy's `[ai] tools` and `[ai] models`. A model
    /// pattern that does not compile is left out (policies are validated when loaded, so this
    /// only happens to a hand-built [`crate::Policy`]).
    pub fn with(extra_tools: &[String], extra_models: &[String]) -> AiNames {
        let tools: Vec<String> = TOOLS
            .iter()
            .map(|s| s.to_string())
            .chain(extra_tools.iter().cloned())
            .filter(|s| !s.trim().is_empty())
            .collect();
        let ambiguous: Vec<String> = AMBIGUOUS.iter().map(|s| s.to_string()).collect();
        let models = MODEL_PATTERNS
            .iter()
            .map(|p| p.to_string())
            .chain(extra_models.iter().cloned())
            .filter_map(|p| bounded(&p).ok())
            .collect();
        AiNames {
            tools: word_alternation(&tools),
            ambiguous: word_alternation(&ambiguous),
            models,
        }
    }

    /// Whether `model` compiles as a model pattern (for validating a policy's `[ai] models`).
    pub fn check_model_pattern(model: &str) -> Result<(), regex::Error> {
        bounded(model).map(|_| ())
    }

    /// Whether `text` names an AI tool or model. `person_written` says the value writes a
    /// person (`Name <address>`), in which case an ambiguous first name alone does not count.
    fn names_ai_in(&self, text: &str, person_written: bool) -> bool {
        self.tools.as_ref().is_some_and(|r| r.is_match(text))
            || self.models.iter().any(|r| r.is_match(text))
            || (!person_written && self.ambiguous.as_ref().is_some_and(|r| r.is_match(text)))
    }

    /// Whether a trailer's value names an AI tool or model (`Claude Opus 4.6`, `LLM coccinelle`,
    /// `Copilot (GPT-4o)`, `Claude <noreply@anthropic.com>`).
    pub fn names_ai(&self, value: &str) -> bool {
        if crate::fingerprints::ai_identity_in(value).is_some() {
            return true;
        }
        match parse_person(value) {
            Some(person) => self.names_ai_in(&person.name, true),
            None => self.names_ai_in(value, false),
        }
    }

    /// Whether a trailer's value credits a person and no AI: an e-mail address, with or without
    /// a name (`Junio C Hamano <gitster@pobox.com>`), neither naming an AI tool or model. Such a
    /// value in a disclosure-like trailer (`Assisted-by:`) is human help, not AI use.
    pub fn is_person_not_ai(&self, value: &str) -> bool {
        parse_person(value).is_some() && !self.names_ai(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_not_ai() {
        let names = AiNames::built_in();
        for person in [
            "Junio C Hamano <gitster@pobox.com>",
            "Waldek Maleska <weakcamel@users.github.com>",
            "Claude Durand <claude@durand.fr>",
            "Devin Smith <devin@example.org>",
            "Amp Kumar <amp@example.in>",
            "Jane Doe <jane+ai@example.org>",
            "Aisha Ai <aisha@example.org>",
            "Otto Olsen <o3@example.org>",
            "Phil Mistral-Smith <phil@example.org>",
            "jane@example.org",
        ] {
            assert!(names.is_person_not_ai(person), "{person}");
        }
    }

    #[test]
    fn ai_named_with_or_without_an_address() {
        let names = AiNames::built_in();
        for ai in [
            "Claude Opus 4.6",
            "Opus 4.7",
            "Claude Sonnet 4.5",
            "claude-3-opus",
            "Claude:claude-3-opus coccinelle sparse",
            "GitHub Copilot:claude-opus-4.6",
            "Codex:gpt-5-4",
            "LLM",
            "LLM coccinelle sparse",
            "generic LLM chatbot",
            "Copilot (GPT-4o)",
            "ChatGPT [gpt-5]",
            "Gemini 2.5 Pro",
            "o3-mini",
            "Claude",
            "Cursor",
            "Claude <noreply@anthropic.com>",
            "Claude Opus 4.5 <noreply@anthropic.com>",
            "GPT-5 <bot@example.org>",
            "Claude Code <claude@example.org>",
            "aider (gpt-4o) <aider@aider.chat>",
        ] {
            assert!(names.names_ai(ai), "{ai}");
            assert!(!names.is_person_not_ai(ai), "{ai}");
        }
    }

    #[test]
    fn words_inside_other_words_do_not_count() {
        let names = AiNames::built_in();
        for text in [
            "Said Hamano",
            "Paint",
            "Claudette",
            "llamas",
            "Email",
            "Bardo",
        ] {
            assert!(!names.names_ai(text), "{text}");
        }
    }

    #[test]
    fn a_policy_extends_the_list() {
        let names = AiNames::with(&["Acme Assistant".into()], &[r"acme-coder-\d+".into()]);
        assert!(names.names_ai("Acme Assistant"));
        assert!(names.names_ai("Jane via acme-coder-7"));
        assert!(!names.is_person_not_ai("Acme Assistant <bot@acme.example>"));
        assert!(!AiNames::built_in().names_ai("Acme Assistant"));
        assert!(AiNames::check_model_pattern("(unclosed").is_err());
    }
}
