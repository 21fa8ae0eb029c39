//! AI evidence for one patch: what it declares (disclosure trailers, parsed per the policy's
//! syntax) and what it does not (tool fingerprints).
//!
//! Tool fingerprints include what the patch's git-ai note and branch say (see
//! [`crate::agent_lines`]).
//!
//! A patch is *AI-assisted* when it carries a declaration whose categories put AI output in the
//! patch (QEMU's `research` does not), or a fingerprint of medium or high confidence. It is
//! AI-assisted *code* when, in addition, the AI may have written code: a fingerprint, a
//! declaration without categories (Linux, Mesa syntax), or categories including `code` or a
//! category outside an unenforced vocabulary.
//!
//! How much that weighs is decided here, once ([`AiWeight`]): a declaration or a high-confidence
//! mark is [`AiWeight::Confirmed`]; medium-confidence marks alone (an agent's branch name, a
//! tool line a person could paste) are [`AiWeight::ToConfirm`]. A rule that rests on the patch
//! being AI-assisted ([`crate::rules::AiPremise`]) reports at most a warning to confirm when
//! the evidence only needs confirming, never a deny.

use provgate_patch::{Patch, Trailer};
use serde::Serialize;

use crate::ai_names::AiNames;
pub use crate::fingerprints::Fingerprint;
use crate::fingerprints::{CompiledCustom, ai_identity_in};
use crate::policy::{Confidence, DisclosureTrailer, Policy, Syntax};

/// Trailers that disclose AI use in some published policy; used to recognise a disclosure the
/// current policy does not accept (so that it still counts as evidence).
pub const KNOWN_DISCLOSURE_KEYS: &[&str] = &["AI-used-for", "Assisted-by", "Generated-by"];

/// Trailers that name a co-author.
pub const COAUTHOR_KEYS: &[&str] = &["Co-authored-by", "Co-developed-by"];

/// What is wrong with a declaration's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// The value does not follow the trailer's syntax.
    Syntax,
    /// A category outside the vocabulary.
    Vocabulary,
}

/// One problem with a declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Syntax or vocabulary.
    pub kind: ProblemKind,
    /// A sentence for people.
    pub message: String,
}

/// One AI declaration in a patch's trailers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Declaration {
    /// The trailer key as written.
    pub trailer: String,
    /// The value as written.
    pub value: String,
    /// The message line of the trailer.
    pub line: usize,
    /// Whether the policy accepts this trailer as a disclosure.
    pub accepted: bool,
    /// The syntax the value was read with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub syntax: Option<Syntax>,
    /// For `categories`: the categories, lower case.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// For `categories`: the parenthesised explanation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// For `agent-model` and `tool-model`: the agent or tool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// For `agent-model` and `tool-model`: the model, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// For `agent-model`: the analysis tools named after the model.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<String>,
    /// Whether the declared use puts AI output in the patch (false for `research` alone).
    pub output: bool,
    /// Whether the declared use may have produced code.
    pub code: bool,
    /// Syntax and vocabulary problems.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
    /// Whether the line is in the message's trailer block. A disclosure line in the body is
    /// still the author's declaration, but git and other tools do not read it as a trailer
    /// (reported by `disclosure-placement`). Serialized only when false.
    #[serde(skip_serializing_if = "is_true")]
    pub in_trailer_block: bool,
}

/// A disclosure-like trailer that credits a person, not an AI (`Assisted-by: Junio C Hamano
/// <gitster@pobox.com>`): human help, which no AI rule reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HumanHelp {
    /// The trailer key as written.
    pub trailer: String,
    /// The value as written.
    pub value: String,
    /// The message line of the trailer.
    pub line: usize,
}

/// The AI evidence of one patch: the `ai` object of reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AiEvidence {
    /// Whether the patch carries a disclosure the policy accepts.
    pub disclosed: bool,
    /// Every AI declaration, accepted or not.
    pub declarations: Vec<Declaration>,
    /// Every tool mark.
    pub fingerprints: Vec<Fingerprint>,
    /// Disclosure-like trailers that credit people, not AI; serialized only when present.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub human_help: Vec<HumanHelp>,
    /// The lines agents wrote, per the commit's git-ai note (each session with lines is also a
    /// high-confidence fingerprint); serialized only when present.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authorship: Vec<crate::agent_lines::AgentLines>,
    /// Why the commit's git-ai note was not read, wholly or in part (reports show them as
    /// notes); serialized only when present.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authorship_problems: Vec<String>,
}

/// How firmly the evidence puts AI output (or AI code) in a patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AiWeight {
    /// Only medium-confidence marks: a sign for a person to confirm, never enough for a rule to
    /// deny on.
    ToConfirm,
    /// Declared by the author (in any trailer), or a high-confidence mark (a tool's own
    /// address, a session trailer, a git-ai note).
    Confirmed,
}

impl AiEvidence {
    /// Whether AI output is (declared or likely) in the patch, however firmly.
    pub fn ai_assisted(&self) -> bool {
        self.assisted_weight().is_some()
    }

    /// Whether AI may have written code in the patch, however firmly.
    pub fn ai_code(&self) -> bool {
        self.code_weight().is_some()
    }

    /// How firmly AI output is in the patch; `None` when it is not. Declared signals are
    /// preferred over heuristics: when the patch carries an accepted disclosure, the disclosure
    /// decides.
    pub fn assisted_weight(&self) -> Option<AiWeight> {
        self.weight(|d| d.output)
    }

    /// How firmly AI code is in the patch; as for [`AiEvidence::assisted_weight`], an accepted
    /// disclosure decides (`AI-used-for: tests` is not code, whatever tool marks say).
    pub fn code_weight(&self) -> Option<AiWeight> {
        self.weight(|d| d.code)
    }

    fn weight(&self, declares: impl Fn(&Declaration) -> bool) -> Option<AiWeight> {
        if self.disclosed {
            return self
                .declarations
                .iter()
                .any(|d| d.accepted && declares(d))
                .then_some(AiWeight::Confirmed);
        }
        if self.declarations.iter().any(declares) {
            return Some(AiWeight::Confirmed);
        }
        match self.strongest_fingerprint()?.confidence {
            Confidence::High => Some(AiWeight::Confirmed),
            Confidence::Medium => Some(AiWeight::ToConfirm),
            Confidence::Low => None,
        }
    }

    /// The strongest fingerprint, if any.
    pub fn strongest_fingerprint(&self) -> Option<&Fingerprint> {
        self.fingerprints.iter().max_by_key(|f| f.confidence)
    }

    /// Lowers a finding that rests on AI evidence of weight [`AiWeight::ToConfirm`] to a warning
    /// that names the sign and asks for confirmation.
    pub fn to_confirm(&self, finding: crate::rules::Finding) -> crate::rules::Finding {
        let sign = match self.strongest_fingerprint() {
            Some(f) => format!(
                "{} `{}` ({}, {} confidence)",
                sign_kind(&f.location),
                f.marker,
                f.tool,
                f.confidence.as_str()
            ),
            None => "a sign of medium confidence".to_string(),
        };
        let message = format!(
            "{}; to confirm: the only sign of AI use is {sign}",
            finding.message
        );
        let help = match &finding.help {
            Some(help) => {
                format!("if AI helped, disclose it, and then {help}; if it did not, nothing to do")
            }
            None => "if AI helped, disclose it; if it did not, nothing to do".to_string(),
        };
        crate::rules::Finding {
            message,
            help: Some(help),
            ..finding
        }
        .at_most(crate::level::Level::Warn)
    }
}

/// How a sign's place reads in a sentence (`the branch name `claude/x``).
fn sign_kind(location: &str) -> &'static str {
    match location {
        "branch" => "the branch name",
        "author" => "the author",
        "committer" => "the committer",
        "subject" => "the subject",
        "trailer" => "the trailer",
        "git-ai-note" => "the git-ai note",
        _ => "the message line",
    }
}

/// Whether `d` declares AI use in a trailer the policy does not use for AI (reported by
/// `disclosure-wrong-trailer`): not accepted, and either listed in `not-for-ai` or another
/// project's disclosure key. A co-author trailer counts only when listed in `not-for-ai`.
pub fn is_wrong_trailer(policy: &Policy, d: &Declaration) -> bool {
    if d.accepted {
        return false;
    }
    let listed = policy
        .disclosure
        .not_for_ai
        .iter()
        .any(|k| k.eq_ignore_ascii_case(&d.trailer));
    let coauthor = COAUTHOR_KEYS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(&d.trailer));
    let known = KNOWN_DISCLOSURE_KEYS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(&d.trailer));
    listed || (known && !coauthor)
}

/// Gathers the evidence of `patch` under `policy`; `names` tells people from AI tools.
pub(crate) fn gather(
    policy: &Policy,
    patch: &Patch,
    custom: &[CompiledCustom],
    names: &AiNames,
) -> AiEvidence {
    let mut declarations = Vec::new();
    let mut human_help = Vec::new();
    let mut credit = |trailer: &Trailer| {
        human_help.push(HumanHelp {
            trailer: trailer.key.clone(),
            value: trailer.value.clone(),
            line: trailer.line,
        })
    };
    for trailer in &patch.trailers {
        let is_coauthor = COAUTHOR_KEYS.iter().any(|k| trailer.is(k));
        if let Some(def) = policy.disclosure_trailer(&trailer.key) {
            // `Assisted-by: Jane Doe <jane@example.org>` credits a person even where the policy
            // uses `Assisted-by:` for AI (git.git did so in 2013 and 2016).
            if !is_coauthor && names.is_person_not_ai(&trailer.value) {
                credit(trailer);
            } else {
                declarations.push(parse_declaration(trailer, def, true));
            }
            continue;
        }
        if is_coauthor {
            if ai_identity_in(&trailer.value).is_some() {
                let mut d = bare(trailer, policy.disclosure.accept_ai_coauthor);
                d.tool = ai_identity_in(&trailer.value).map(str::to_string);
                declarations.push(d);
            }
            continue;
        }
        let known = KNOWN_DISCLOSURE_KEYS.iter().any(|k| trailer.is(k))
            || policy.disclosure.not_for_ai.iter().any(|k| trailer.is(k));
        if !known || trailer.value.trim().is_empty() {
            continue;
        }
        if names.is_person_not_ai(&trailer.value) {
            credit(trailer);
        } else {
            declarations.push(bare(trailer, false));
        }
    }
    // Disclosure lines written in the body instead of the trailer block still declare AI use.
    for (i, line) in patch.message.lines().enumerate().skip(1) {
        let number = i + 1;
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let Some(def) = policy.disclosure_trailer(key) else {
            continue;
        };
        if key.is_empty() || patch.trailers.iter().any(|t| t.line == number) {
            continue;
        }
        let trailer = Trailer {
            key: key.to_string(),
            value: value.trim().to_string(),
            line: number,
        };
        if names.is_person_not_ai(&trailer.value) {
            credit(&trailer);
            continue;
        }
        let mut d = parse_declaration(&trailer, def, true);
        d.in_trailer_block = false;
        declarations.push(d);
    }
    let mut fingerprints = crate::fingerprints::find(patch, custom);
    let external = crate::agent_lines::read(patch);
    fingerprints.extend(external.fingerprints);
    AiEvidence {
        disclosed: declarations.iter().any(|d| d.accepted),
        declarations,
        fingerprints,
        human_help,
        authorship: external.lines,
        authorship_problems: external.problems,
    }
}

fn bare(trailer: &Trailer, accepted: bool) -> Declaration {
    Declaration {
        trailer: trailer.key.clone(),
        value: trailer.value.clone(),
        line: trailer.line,
        accepted,
        syntax: None,
        categories: Vec::new(),
        explanation: None,
        tool: None,
        model: None,
        tools: Vec::new(),
        output: true,
        code: true,
        problems: Vec::new(),
        in_trailer_block: true,
    }
}

fn is_true(b: &bool) -> bool {
    *b
}

fn problem(kind: ProblemKind, message: String) -> Problem {
    Problem { kind, message }
}

/// Parses a disclosure trailer's value with its definition's syntax. Never panics, whatever
/// the value.
pub fn parse_declaration(
    trailer: &Trailer,
    def: &DisclosureTrailer,
    accepted: bool,
) -> Declaration {
    let mut d = bare(trailer, accepted);
    d.syntax = Some(def.syntax);
    let value = trailer.value.trim();
    let key = &trailer.key;
    if value.is_empty() {
        d.problems.push(problem(
            ProblemKind::Syntax,
            format!("`{key}:` has no value"),
        ));
        return d;
    }
    match def.syntax {
        Syntax::Categories => parse_categories(&mut d, value, def),
        // The kernel's current form (2026) is `LLM [TOOL…]`; the older `AGENT:MODEL [TOOL…]`
        // stays valid in its history.
        Syntax::AgentModel
            if value
                .split_whitespace()
                .next()
                .is_some_and(|w| w.eq_ignore_ascii_case("LLM")) =>
        {
            d.tool = Some("LLM".to_string());
            d.tools = value
                .split_whitespace()
                .skip(1)
                .map(str::to_string)
                .collect();
        }
        Syntax::AgentModel => match value.split_once(':') {
            Some((agent, rest)) if !agent.trim().is_empty() && !rest.trim().is_empty() => {
                let mut words = rest.split_whitespace();
                d.tool = Some(agent.trim().to_string());
                d.model = words.next().map(str::to_string);
                d.tools = words.map(str::to_string).collect();
            }
            _ => d.problems.push(problem(
                ProblemKind::Syntax,
                format!("`{key}: {value}` is neither `LLM [TOOL…]` nor `AGENT:MODEL [TOOL…]`"),
            )),
        },
        Syntax::ToolModel => {
            let (open, close) = if value.ends_with(']') {
                ('[', ']')
            } else {
                ('(', ')')
            };
            match value.find(open) {
                Some(at) => {
                    let tool = value[..at].trim();
                    let inner = &value[at + 1..];
                    let model = inner.strip_suffix(close).map(str::trim);
                    match model {
                        Some(model)
                            if !tool.is_empty()
                                && !model.is_empty()
                                && !model.contains(open)
                                && !model.contains(close) =>
                        {
                            d.tool = Some(tool.to_string());
                            d.model = Some(model.to_string());
                        }
                        _ => d.problems.push(problem(
                            ProblemKind::Syntax,
                            format!("`{key}: {value}` is not `TOOL (MODEL)`"),
                        )),
                    }
                }
                None if value.contains(close) => d.problems.push(problem(
                    ProblemKind::Syntax,
                    format!("`{key}: {value}` has an unbalanced `{close}`"),
                )),
                None => d.tool = Some(value.to_string()),
            }
        }
        Syntax::Free => {}
    }
    d
}

fn parse_categories(d: &mut Declaration, value: &str, def: &DisclosureTrailer) {
    let key = d.trailer.clone();
    // Categories are separated by commas outside parentheses; each may carry its own
    // explanation (`code (refactoring), tests`), as QEMU's examples give one after a category.
    let mut items: Vec<(String, Option<String>)> = Vec::new();
    let (mut depth, mut name, mut expl, mut after_close) =
        (0usize, String::new(), String::new(), false);
    let mut broken = false;
    let mut finish = |name: &mut String, expl: &mut String, after_close: &mut bool| {
        let e = expl.trim().to_string();
        items.push((name.trim().to_string(), (!e.is_empty()).then_some(e)));
        name.clear();
        expl.clear();
        *after_close = false;
    };
    for c in value.chars() {
        match c {
            '(' if depth == 0 => {
                if after_close {
                    broken = true;
                }
                depth = 1;
            }
            '(' => {
                depth += 1;
                expl.push(c);
            }
            ')' if depth == 0 => broken = true,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    after_close = true;
                } else {
                    expl.push(c);
                }
            }
            ',' if depth == 0 => finish(&mut name, &mut expl, &mut after_close),
            _ if depth > 0 => expl.push(c),
            _ if after_close && !c.is_whitespace() => {
                broken = true;
                name.push(c);
            }
            _ => name.push(c),
        }
    }
    if depth > 0 {
        broken = true;
    }
    finish(&mut name, &mut expl, &mut after_close);
    if broken {
        d.problems.push(problem(
            ProblemKind::Syntax,
            format!(
                "`{key}: {value}` has unbalanced parentheses or text after a closing parenthesis"
            ),
        ));
    }
    let explanations: Vec<String> = items.iter().filter_map(|(_, e)| e.clone()).collect();
    d.explanation = (!explanations.is_empty()).then(|| explanations.join("; "));
    if items.iter().any(|(i, _)| i.is_empty()) {
        d.problems.push(problem(
            ProblemKind::Syntax,
            format!("`{key}: {value}` has an empty category; write `code, tests` with one comma between categories"),
        ));
    }
    let mut unknown = false;
    for (item, _) in items.iter().filter(|(i, _)| !i.is_empty()) {
        let category = item.to_lowercase();
        // A no-output category outside the vocabulary (the former name `research` under a
        // draft that renamed it `analysis`) is reported, but still read as no output.
        let no_output = def.no_output.contains(&category);
        if !def.vocabulary.contains(&category) {
            unknown |= !no_output;
            if def.enforce_vocabulary {
                d.problems.push(problem(
                    ProblemKind::Vocabulary,
                    format!(
                        "`{item}` is not one of {}",
                        def.vocabulary
                            .iter()
                            .map(|v| format!("`{v}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        if !d.categories.contains(&category) {
            d.categories.push(category);
        }
    }
    d.output = d.categories.is_empty() || d.categories.iter().any(|c| !def.no_output.contains(c));
    d.code = d.categories.is_empty() || unknown || d.categories.iter().any(|c| c == "code");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(syntax: Syntax) -> DisclosureTrailer {
        DisclosureTrailer {
            key: "AI-used-for".into(),
            syntax,
            vocabulary: ["code", "tests", "docs", "research"]
                .map(String::from)
                .to_vec(),
            enforce_vocabulary: true,
            no_output: vec!["research".into()],
        }
    }

    fn parse(value: &str, syntax: Syntax) -> Declaration {
        let t = Trailer {
            key: "AI-used-for".into(),
            value: value.into(),
            line: 5,
        };
        parse_declaration(&t, &def(syntax), true)
    }

    #[test]
    fn qemu_examples_from_the_text() {
        for (v, cats, code) in [
            ("tests, docs", vec!["tests", "docs"], false),
            ("code", vec!["code"], true),
            ("code (refactoring)", vec!["code"], true),
            ("code (prototype)", vec!["code"], true),
            ("research", vec!["research"], false),
        ] {
            let d = parse(v, Syntax::Categories);
            assert!(d.problems.is_empty(), "{v}: {:?}", d.problems);
            assert_eq!(d.categories, cats, "{v}");
            assert_eq!(d.code, code, "{v}");
        }
        assert_eq!(
            parse("code (refactoring)", Syntax::Categories)
                .explanation
                .as_deref(),
            Some("refactoring")
        );
        assert!(!parse("research", Syntax::Categories).output);
    }

    #[test]
    fn an_explanation_after_any_category() {
        let d = parse("code (refactoring), tests", Syntax::Categories);
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(d.categories, vec!["code", "tests"]);
        assert_eq!(d.explanation.as_deref(), Some("refactoring"));
        let d = parse(
            "code (rename foo (old) to bar), docs (man page)",
            Syntax::Categories,
        );
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(
            d.explanation.as_deref(),
            Some("rename foo (old) to bar; man page")
        );
    }

    #[test]
    fn a_renamed_no_output_category_is_not_code() {
        let mut def = def(Syntax::Categories);
        def.vocabulary = ["code", "tests", "docs", "analysis"]
            .map(String::from)
            .to_vec();
        def.no_output = vec!["analysis".into(), "research".into()];
        let t = Trailer {
            key: "AI-used-for".into(),
            value: "research".into(),
            line: 5,
        };
        let d = parse_declaration(&t, &def, true);
        assert_eq!(d.problems.len(), 1, "reported as outside the vocabulary");
        assert!(!d.code && !d.output, "but read as no output");
    }

    #[test]
    fn qemu_bad_values() {
        let d = parse("collecting comments and updating patch", Syntax::Categories);
        assert_eq!(d.problems.len(), 1);
        assert_eq!(d.problems[0].kind, ProblemKind::Vocabulary);
        assert!(d.code, "unknown categories are read as code");
        for bad in [
            "code,,tests",
            "code (x",
            "code (x) y",
            "code)",
            "code (a) (b)",
            "",
        ] {
            let d = parse(bad, Syntax::Categories);
            assert!(
                d.problems.iter().any(|p| p.kind == ProblemKind::Syntax),
                "{bad}: {:?}",
                d.problems
            );
        }
    }

    #[test]
    fn linux_and_mesa() {
        let d = parse("Claude:claude-3-opus coccinelle sparse", Syntax::AgentModel);
        assert!(d.problems.is_empty());
        assert_eq!(d.tool.as_deref(), Some("Claude"));
        assert_eq!(d.model.as_deref(), Some("claude-3-opus"));
        assert_eq!(d.tools, vec!["coccinelle", "sparse"]);
        let d = parse("LLM coccinelle sparse", Syntax::AgentModel);
        assert!(d.problems.is_empty(), "the kernel's 2026 form");
        assert_eq!(d.tools, vec!["coccinelle", "sparse"]);
        assert!(parse("LLM", Syntax::AgentModel).problems.is_empty());
        let d = parse("GitHub Copilot:claude-opus-4.6", Syntax::AgentModel);
        assert!(d.problems.is_empty());
        assert!(
            !parse("Claude Opus 4.6", Syntax::AgentModel)
                .problems
                .is_empty()
        );
        let d = parse("Copilot (GPT-4o)", Syntax::ToolModel);
        assert_eq!(
            (d.tool.as_deref(), d.model.as_deref()),
            (Some("Copilot"), Some("GPT-4o"))
        );
        assert!(parse("Copilot", Syntax::ToolModel).problems.is_empty());
        assert!(
            parse("ChatGPT [gpt-5]", Syntax::ToolModel)
                .problems
                .is_empty()
        );
        assert!(
            !parse("Copilot (GPT-4o", Syntax::ToolModel)
                .problems
                .is_empty()
        );
        assert!(!parse("(GPT-4o)", Syntax::ToolModel).problems.is_empty());
    }
}
