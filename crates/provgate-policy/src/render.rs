//! Documents generated from the same data the checker enforces: the human-readable policy
//! (`provgate policy render`, and the preset pages under `docs/presets/`), a commented policy
//! file (`provgate init`) and the rule pages under `docs/rules/`.

use crate::error::{Loc, PolicyError, PolicyErrorKind};
use crate::level::Level;
use crate::policy::{
    AgreementFrom, AppliesTo, IdentityMatch, Placement, Policy, ReviewFrom, Syntax, Tier,
};
use crate::rules::{Rule, RuleId};

/// A document format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CommonMark.
    Markdown,
    /// reStructuredText (QEMU's and the kernel's documentation format).
    Rst,
}

enum Block {
    Heading(u8, String),
    Para(String),
    List(Vec<String>),
    Table(Vec<String>, Vec<Vec<String>>),
}

fn rst_inline(text: &str) -> String {
    // Single backticks are code in Markdown; reStructuredText wants double ones.
    let mut out = String::with_capacity(text.len() + 8);
    for (i, part) in text.split('`').enumerate() {
        if i > 0 {
            out.push_str("``");
        }
        out.push_str(part);
    }
    out
}

fn write(blocks: &[Block], format: Format) -> String {
    let mut out = String::new();
    for block in blocks {
        match (block, format) {
            (Block::Heading(level, text), Format::Markdown) => {
                out.push_str(&format!("{} {text}\n\n", "#".repeat(*level as usize)));
            }
            (Block::Heading(level, text), Format::Rst) => {
                let text = rst_inline(text);
                let ch = ['=', '=', '-', '~'][(*level as usize).min(3)];
                let line: String = std::iter::repeat_n(ch, text.chars().count()).collect();
                if *level == 1 {
                    out.push_str(&format!("{line}\n{text}\n{line}\n\n"));
                } else {
                    out.push_str(&format!("{text}\n{line}\n\n"));
                }
            }
            (Block::Para(text), Format::Markdown) => out.push_str(&format!("{text}\n\n")),
            (Block::Para(text), Format::Rst) => out.push_str(&format!("{}\n\n", rst_inline(text))),
            (Block::List(items), _) => {
                for item in items {
                    let item = if format == Format::Rst {
                        rst_inline(item)
                    } else {
                        item.clone()
                    };
                    out.push_str(&format!("- {}\n", item.replace('\n', "\n  ")));
                }
                out.push('\n');
            }
            (Block::Table(head, rows), Format::Markdown) => {
                out.push_str(&format!("| {} |\n", head.join(" | ")));
                out.push_str(&format!("|{}\n", "---|".repeat(head.len())));
                for row in rows {
                    out.push_str(&format!("| {} |\n", row.join(" | ")));
                }
                out.push('\n');
            }
            (Block::Table(head, rows), Format::Rst) => {
                out.push_str(".. list-table::\n   :header-rows: 1\n\n");
                for row in std::iter::once(head).chain(rows.iter()) {
                    for (i, cell) in row.iter().enumerate() {
                        let bullet = if i == 0 { "* -" } else { "  -" };
                        out.push_str(&format!("   {bullet} {}\n", rst_inline(cell)));
                    }
                }
                out.push('\n');
            }
        }
    }
    out
}

/// `` `a` or `b` `` for trailers people choose among.
fn or_list(items: &[String]) -> String {
    let coded: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match coded.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

fn code_list(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The policy as a document for people: what is allowed, how to disclose, what is checked.
pub fn render(policy: &Policy, format: Format) -> String {
    let mut b = Vec::new();
    let title = if policy.about.title.is_empty() {
        "AI-assisted contributions".to_string()
    } else {
        policy.about.title.clone()
    };
    b.push(Block::Heading(1, title));
    if !policy.about.summary.is_empty() {
        b.push(Block::Para(policy.about.summary.trim().to_string()));
    }
    if !policy.about.source.is_empty() {
        b.push(Block::Para(format!(
            "Source: {}",
            policy.about.source.trim()
        )));
    }
    if let Some(status) = &policy.about.status {
        b.push(Block::Para(format!("Status: {}.", status.describe())));
    }
    if policy.mode == crate::policy::Mode::Warn {
        b.push(Block::Para("This policy is in a trial (shadow) mode: problems are reported but do not block a contribution.".into()));
    }

    // What AI may be used for.
    b.push(Block::Heading(2, "Use of AI tools".into()));
    if !policy.ai.allowed {
        b.push(Block::Para("Contributions known or suspected to include or derive from AI-generated content are declined. Using AI tools for research, static analysis or debugging, with no output in the patch, is out of scope.".into()));
    } else {
        let mut items = Vec::new();
        if let Some(limit) = policy.limits.describe() {
            items.push(format!("Small AI-assisted code changes are accepted: {limit}, not counting tests and documentation. Larger ones need a maintainer's agreement beforehand."));
            items.push("AI-assisted tests and documentation (including code comments) are not limited in size.".to_string());
        }
        if policy.limits.forbid_splitting {
            items.push("Splitting a change to get under the limit is not allowed: a series of small AI-assisted fixes to one area counts as one contribution.".into());
        }
        let protected: Vec<_> = policy
            .zone_defs
            .iter()
            .filter(|z| z.tier == Tier::Protected)
            .collect();
        if !protected.is_empty() {
            let names: Vec<String> = protected
                .iter()
                .map(|z| {
                    let what = if z.description.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", z.description)
                    };
                    let paths: Vec<String> = z
                        .paths
                        .iter()
                        .cloned()
                        .chain(
                            z.sections
                                .iter()
                                .map(|s| format!("MAINTAINERS section \"{s}\"")),
                        )
                        .collect();
                    format!("`{}`{what}: {}", z.name, paths.join(", "))
                })
                .collect();
            items.push(format!("AI-assisted changes to these protected areas need a maintainer's agreement beforehand: {}.", names.join("; ")));
        }
        if protected.is_empty() && !policy.agreement.trailers.is_empty() {
            items.push("No area is marked as protected core code in this policy yet.".to_string());
        }
        if items.is_empty() {
            items.push("AI tools may be used within the rules below.".into());
        }
        b.push(Block::List(items));
        let agreement = if policy.agreement.trailers.is_empty() {
            "Agreement is recorded by the project as an exception in this policy (with a reason and an expiry).".to_string()
        } else {
            let who = match policy.agreement.from {
                AgreementFrom::ZoneMaintainer => "a maintainer of the affected area",
                AgreementFrom::Anyone => "a person other than the author",
            };
            format!(
                "Agreement is recorded with {} from {who}, or by the project as an exception in this policy.",
                or_list(&policy.agreement.trailers)
            )
        };
        if policy.limits.ai_code_lines.is_some()
            || policy.zone_defs.iter().any(|z| z.tier == Tier::Protected)
        {
            b.push(Block::Para(agreement));
        }
    }
    if let Some(trial) = &policy.trial {
        let mut items = Vec::new();
        if !trial.contributors.is_empty() {
            items.push(format!(
                "Only these contributors may send AI-assisted patches: {}.",
                code_list(&trial.contributors)
            ));
        }
        if let Some(s) = trial.start {
            items.push(format!("The trial starts on {s}."));
        }
        if let Some(e) = trial.end {
            items.push(format!("The trial ends on {e} (inclusive)."));
        }
        b.push(Block::Heading(3, "Trial".into()));
        b.push(Block::List(items));
    }

    // Disclosure.
    b.push(Block::Heading(2, "Disclosure".into()));
    if policy.disclosure.trailers.is_empty() {
        b.push(Block::Para(
            "This policy defines no disclosure trailer.".into(),
        ));
    } else {
        let mut items = Vec::new();
        for t in &policy.disclosure.trailers {
            let syntax = match t.syntax {
                Syntax::Categories => {
                    let mut s = format!(
                        "one or more of {}, comma separated, optionally followed by an explanation in parentheses",
                        code_list(&t.vocabulary)
                    );
                    if !t.no_output.is_empty() {
                        s.push_str(&format!(
                            " ({} alone means the tool left no output in the patch)",
                            code_list(&t.no_output)
                        ));
                    }
                    if !t.enforce_vocabulary {
                        s.push_str("; other values are accepted and read as `code`");
                    }
                    s
                }
                Syntax::AgentModel => {
                    "`AGENT:MODEL`, optionally followed by the specialised analysis tools used"
                        .into()
                }
                Syntax::ToolModel => {
                    "`TOOL`, optionally followed by the model in parentheses".into()
                }
                Syntax::Free => "free text naming the tool".into(),
            };
            items.push(format!("`{}:` {syntax}.", t.key));
        }
        b.push(Block::Para(if policy.ai.allowed {
            "AI-assisted patches carry a disclosure trailer:".to_string()
        } else {
            "AI use that leaves no output in the patch may be stated with:".to_string()
        }));
        b.push(Block::List(items));
        if policy.disclosure.placement == Placement::BeforeSignoff {
            b.push(Block::Para(
                "The disclosure trailer is placed before the author's `Signed-off-by`.".into(),
            ));
        }
        if !policy.disclosure.not_for_ai.is_empty() {
            b.push(Block::Para(format!(
                "{} are not used for AI.",
                code_list(&policy.disclosure.not_for_ai)
            )));
        }
        b.push(Block::Para(if policy.disclosure.accept_ai_coauthor {
            "A `Co-authored-by` line naming an AI tool, as some tools add, is accepted as a disclosure.".to_string()
        } else {
            "A `Co-authored-by` line naming an AI tool does not count as a disclosure.".to_string()
        }));
    }

    // DCO.
    if policy.level(RuleId::DcoMissingSignoff) != Level::Allow {
        b.push(Block::Heading(2, "Developer Certificate of Origin".into()));
        let mut items = vec!["Every commit carries `Signed-off-by: NAME <EMAIL>` from the human who certifies the Developer Certificate of Origin; using AI does not change that.".to_string()];
        items.push(match policy.dco.identity {
            IdentityMatch::NameAndEmail => "One sign-off matches the author's name and e-mail (compared without regard to case or accents, through the repository's `.mailmap`).".to_string(),
            IdentityMatch::Email => "One sign-off matches the author's e-mail (compared without regard to case, through the repository's `.mailmap`).".to_string(),
        });
        if policy.dco.allow_noreply {
            items.push("An author with a GitHub noreply address may sign off under the same name with another address.".into());
        }
        if policy.level(RuleId::AiSignoff) != Level::Allow {
            items.push("An AI tool never adds `Signed-off-by`.".into());
        }
        b.push(Block::List(items));
    }

    if policy.level(RuleId::ReviewMissing) != Level::Allow {
        b.push(Block::Heading(2, "Review".into()));
        let which = match policy.review.applies_to {
            AppliesTo::AiAssisted => "An AI-assisted patch",
            AppliesTo::All => "Every patch",
        };
        let who = match policy.review.from {
            ReviewFrom::Anyone => "a person other than the author",
            ReviewFrom::Maintainer => "a maintainer of the touched files",
            ReviewFrom::EachSection => "a maintainer of each touched MAINTAINERS section",
        };
        b.push(Block::Para(format!(
            "{which} is merged only with {} from {who}.",
            or_list(&policy.review.trailers)
        )));
    }

    let exempt: Vec<_> = policy.zone_defs.iter().filter(|z| z.exempt).collect();
    if !exempt.is_empty() {
        b.push(Block::Heading(2, "Imported code".into()));
        b.push(Block::Para(format!(
            "These paths hold imported code and are not counted or licence-checked: {}.",
            exempt
                .iter()
                .flat_map(|z| z.paths.iter().cloned())
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }

    if !policy.exceptions.is_empty() {
        b.push(Block::Heading(2, "Granted exceptions".into()));
        let rows = policy
            .exceptions
            .iter()
            .map(|e| {
                let scope: Vec<String> = e
                    .paths
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .chain(e.authors.iter().cloned())
                    .chain(e.commits.iter().map(|c| format!("commit {c}")))
                    .chain(e.message_ids.iter().map(|m| format!("<{m}>")))
                    .collect();
                vec![
                    e.reason.clone(),
                    scope.join(", "),
                    if e.rules.is_empty() {
                        "all".into()
                    } else {
                        e.rules
                            .iter()
                            .map(|r| r.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                    e.expires.map_or("—".to_string(), |d| d.to_string()),
                ]
            })
            .collect();
        b.push(Block::Table(
            vec![
                "Reason".into(),
                "Scope".into(),
                "Checks".into(),
                "Expires".into(),
            ],
            rows,
        ));
    }

    b.push(Block::Heading(2, "Automated checks".into()));
    b.push(Block::Para("provgate checks contributions against this policy. `deny` blocks a contribution; `warn` is reported for the reviewer.".into()));
    let rows: Vec<Vec<String>> = crate::rules::all()
        .iter()
        .filter(|r| policy.level(r.id()) != Level::Allow && r.applies(policy))
        .map(|r| {
            vec![
                format!("`{}`", r.name()),
                policy.level(r.id()).to_string(),
                r.doc().summary.to_string(),
            ]
        })
        .collect();
    b.push(Block::Table(
        vec!["Check".into(), "Level".into(), "What it reports".into()],
        rows,
    ));

    if !policy.about.vague.is_empty() {
        b.push(Block::Heading(2, "Where the source is vague".into()));
        b.push(Block::List(policy.about.vague.clone()));
    }
    audit(policy, &mut b);
    b.push(Block::Para(format!(
        "Generated by `provgate policy render` from the policy with digest `{}`.",
        policy.digest()
    )));
    write(&b, format)
}

/// A rule's name with its level under `policy`, or why it does not run.
fn rule_level(policy: &Policy, id: RuleId) -> String {
    if id.rule().applies(policy) {
        format!("`{id}` ({})", policy.level(id))
    } else {
        format!("`{id}` (inactive: needs project settings)")
    }
}

/// The source sentence by sentence with what enforces each, what cannot be checked, and what
/// the policy adds.
fn audit(policy: &Policy, b: &mut Vec<Block>) {
    let about = &policy.about;
    if !about.clauses.is_empty() {
        b.push(Block::Heading(2, "The source, sentence by sentence".into()));
        b.push(Block::Para("Each sentence of the source and the checks that enforce it, at their level in this policy. A check denies only what the source clearly requires (\"must\"); \"should\", recommendations and what needs a maintainer's judgement are warnings. Paraphrased sentences are marked: provgate's reference does not record the source's exact words for them.".into()));
        let rows = about
            .clauses
            .iter()
            .map(|c| {
                let says = if c.quote.is_empty() {
                    format!("(paraphrase) {}", c.paraphrase)
                } else {
                    format!("\"{}\"", c.quote)
                };
                let enforced = if c.rules.is_empty() {
                    format!("not checked: {}", c.unchecked)
                } else {
                    c.rules
                        .iter()
                        .map(|r| rule_level(policy, *r))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                vec![
                    says.replace('|', "\\|"),
                    format!("{}, {}", c.source, c.date),
                    c.strength.as_str().to_string(),
                    enforced,
                ]
            })
            .collect();
        b.push(Block::Table(
            vec![
                "The source says".into(),
                "Where, when".into(),
                "Strength".into(),
                "Enforced by".into(),
            ],
            rows,
        ));
        let unchecked: Vec<String> = about
            .clauses
            .iter()
            .filter(|c| c.rules.is_empty())
            .map(|c| {
                let says = if c.quote.is_empty() {
                    c.paraphrase.clone()
                } else {
                    format!("\"{}\"", c.quote)
                };
                format!("{says} — {}", c.unchecked)
            })
            .collect();
        if !unchecked.is_empty() {
            b.push(Block::Heading(
                3,
                "What the source asks that cannot be checked".into(),
            ));
            b.push(Block::List(unchecked));
        }
    }
    if !about.additions.is_empty() {
        b.push(Block::Heading(
            2,
            "What this policy adds to the source".into(),
        ));
        b.push(Block::List(
            about
                .additions
                .iter()
                .map(|a| {
                    let rules: Vec<String> =
                        a.rules.iter().map(|r| rule_level(policy, *r)).collect();
                    format!("{}: {}", rules.join(", "), a.reason)
                })
                .collect(),
        ));
    }
}

/// The page of preset `name` for `docs/presets/NAME.md`: the rendered policy with its source
/// audit.
pub fn preset_page(name: &str) -> Result<String, PolicyError> {
    let policy = Policy::preset(name)?;
    let mut s = render(&policy, Format::Markdown);
    s.push_str(&format!("<!-- Generated from crates/provgate-policy/presets/{name}.toml; run `cargo run -p provgate-policy --example gen-preset-docs` to update. -->\n"));
    Ok(s)
}

/// Every preset page, `(file name, text)`, plus the index `README.md`.
pub fn preset_pages() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut index = String::from(
        "# provgate presets\n\nEach page is generated from the preset's own file under `crates/provgate-policy/presets/`: what the policy enforces, its source sentence by sentence with the checks that enforce each, and what the preset adds.\n\n| preset | title | status |\n|---|---|---|\n",
    );
    for name in crate::presets::names() {
        let Ok(policy) = Policy::preset(name) else {
            continue;
        };
        if let Ok(page) = preset_page(name) {
            out.push((format!("{name}.md"), page));
        }
        index.push_str(&format!(
            "| [`{name}`]({name}.md) | {} | {} |\n",
            policy.about.title,
            policy
                .about
                .status
                .as_ref()
                .map_or("—".to_string(), |s| s.describe())
        ));
    }
    index.push_str("\n<!-- Generated; run `cargo run -p provgate-policy --example gen-preset-docs` to update. -->\n");
    out.push(("README.md".to_string(), index));
    out
}

/// A commented `provgate.toml` extending `preset`: every table shown, with the preset's values
/// left to the preset and examples commented out. Loading it gives exactly the preset.
pub fn init_template(preset: &str) -> Result<String, PolicyError> {
    let policy = Policy::preset(preset).map_err(|_| {
        Loc::nowhere("command line").error(
            PolicyErrorKind::UnknownPreset(preset.to_string()),
            format!("known presets: {}", crate::presets::names().join(", ")),
        )
    })?;
    let mut t = String::new();
    t.push_str("# provgate policy. Every setting is documented in docs/policy.md;\n");
    t.push_str("# `provgate policy show` prints the resolved policy, `provgate policy render` a document.\n");
    t.push_str("# Nothing here can make provgate run a command.\n\n");
    if !policy.about.title.is_empty() {
        t.push_str(&format!("# Preset: {}\n", policy.about.title));
    }
    if !policy.about.source.is_empty() {
        t.push_str(&format!("# Source: {}\n", policy.about.source));
    }
    if let Some(status) = &policy.about.status {
        t.push_str(&format!("# Status: {}\n", status.describe()));
    }
    t.push_str(&format!("extends = \"{preset}\"\n\n"));
    t.push_str("# \"enforce\" fails the check on deny findings; \"warn\" only reports (a shadow rollout).\n");
    t.push_str(&format!(
        "# mode = \"{}\"\n\n",
        if policy.mode == crate::policy::Mode::Warn {
            "enforce"
        } else {
            "warn"
        }
    ));
    t.push_str(
        "# Zones: named path sets. Protected zones need a maintainer's agreement for AI-assisted\n",
    );
    t.push_str(
        "# changes; exempt zones hold imported code. Paths are globs from the repository root.\n",
    );
    t.push_str("# [[zone]]\n# name = \"core\"\n# description = \"code other things depend on\"\n# tier = \"protected\"\n# paths = [\"include/qemu/\", \"util/\"]\n# sections = [\"Memory API\"]   # MAINTAINERS section names\n\n");
    let list = |items: &[String]| {
        items
            .iter()
            .map(|i| format!("\"{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    t.push_str("# How agreement is recorded in a patch (besides [[exception]] entries).\n");
    t.push_str(&format!(
        "# [agreement]\n# trailers = [{}]   # \"Acked-by\" records it with a trailer\n# from = \"{}\"   # or \"anyone\"\n\n",
        list(&policy.agreement.trailers),
        policy.agreement.who_agrees()
    ));
    t.push_str("# Line limit on AI-assisted code (tests and docs not counted).\n");
    t.push_str(&format!(
        "# [limits]\n# ai-code-lines = {}\n# inclusive = {}\n# forbid-splitting = {}\n\n",
        policy
            .limits
            .ai_code_lines
            .map_or("20   # none in this preset".to_string(), |l| l.to_string()),
        policy.limits.inclusive,
        policy.limits.forbid_splitting
    ));
    let keys: Vec<String> = policy
        .disclosure
        .trailers
        .iter()
        .map(|d| d.key.clone())
        .collect();
    t.push_str(&format!(
        "# Disclosure trailers of this preset: {}; see [[disclosure.trailer]] in docs/policy.md.\n\n",
        if keys.is_empty() { "none".to_string() } else { list(&keys) }
    ));
    t.push_str("# A recorded agreement or waiver; a reason is required, an expiry recommended.\n");
    t.push_str("# [[exception]]\n# reason = \"agreed by the maintainer on the list: <link>\"\n# rules = [\"protected-zone\", \"ai-line-limit\"]\n# paths = [\"migration/\"]\n# authors = [\"jane@example.org\"]\n# expires = \"2026-12-31\"\n\n");
    t.push_str("# A trial: AI-assisted patches only from these people and within these dates.\n");
    t.push_str("# [trial]\n# contributors = [\"jane@example.org\"]\n# start = \"2026-06-01\"\n# end = \"2026-12-31\"\n\n");
    t.push_str("# Rule levels (allow, warn, deny); `provgate explain NAME` documents each rule.\n");
    t.push_str("# Levels of this preset:\n");
    for r in crate::rules::all() {
        t.push_str(&format!(
            "#   {} = \"{}\"\n",
            r.name(),
            policy.level(r.id())
        ));
    }
    t.push_str("[rules]\n");
    Ok(t)
}

impl crate::policy::Agreement {
    fn who_agrees(&self) -> &'static str {
        match self.from {
            AgreementFrom::ZoneMaintainer => "zone-maintainer",
            AgreementFrom::Anyone => "anyone",
        }
    }
}

/// The Markdown page of a rule for `docs/rules/NAME.md`, with its level under each preset.
pub fn rule_page(rule: &dyn Rule) -> String {
    let d = rule.doc();
    let mut s = format!("# `{}`\n\n{}\n\n", d.id, d.summary);
    s.push_str(&format!("Default level: `{}`.\n\n", rule.default_level()));
    s.push_str("## What it checks\n\n");
    s.push_str(&format!(
        "{}\n\n## Why\n\n{}\n\n## Which policy requires it\n\n{}\n\n",
        d.what, d.why, d.policy
    ));
    s.push_str(&format!(
        "## Failing example\n\n```text\n{}\n```\n\n",
        d.failing.trim_end()
    ));
    s.push_str(&format!(
        "## Passing example (a near miss)\n\n```text\n{}\n```\n\n",
        d.passing.trim_end()
    ));
    s.push_str(&format!("## How to fix\n\n{}\n\n", d.fix));
    s.push_str("## Level per preset\n\n| preset | level |\n|---|---|\n");
    for name in crate::presets::names() {
        if let Ok(p) = Policy::preset(name) {
            s.push_str(&format!("| `{name}` | {} |\n", p.level(d.id)));
        }
    }
    s.push_str(&format!(
        "\nRe-level it with `[rules] {} = \"deny\"` in `provgate.toml`, or `-A`/`-W`/`-D {}` on the command line.\n\n",
        d.id, d.id
    ));
    s.push_str("<!-- Generated from the rule's documentation in crates/provgate-policy/src/rules/; run `cargo run -p provgate-policy --example gen-rule-docs` to update. -->\n");
    s
}

/// Every rule page, `(file name, text)`, plus the index `README.md`.
pub fn rule_pages() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = crate::rules::all()
        .iter()
        .map(|r| (format!("{}.md", r.name()), rule_page(*r)))
        .collect();
    let mut index = String::from(
        "# provgate rules\n\nEach page is generated from the rule's own documentation (`provgate explain NAME`).\n\n| rule | default | summary |\n|---|---|---|\n",
    );
    for r in crate::rules::all() {
        index.push_str(&format!(
            "| [`{0}`]({0}.md) | {1} | {2} |\n",
            r.name(),
            r.default_level(),
            r.doc().summary
        ));
    }
    index.push_str("\n<!-- Generated; run `cargo run -p provgate-policy --example gen-rule-docs` to update. -->\n");
    out.push(("README.md".to_string(), index));
    out
}
