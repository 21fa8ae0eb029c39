//! Validation and layering: each layer's raw settings checked, with errors located at the line
//! and column that wrote them, and applied over the policy below it (the built-in base, then the
//! `extends` chain of presets, then the file itself).

use std::path::Path;

use toml::Spanned;

use super::raw::{RawClause, RawPolicy, parse_raw};
use super::*;
use crate::error::{Loc, PolicyError, PolicyErrorKind};
use crate::level::unknown_rule;

/// How far `extends` chains may go; deeper chains are reported as cycles.
const MAX_EXTENDS_DEPTH: usize = 8;

impl Policy {
    /// Reads and resolves a policy file.
    pub fn from_file(path: &Path) -> Result<Policy, PolicyError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            Loc::nowhere(&origin).error(
                PolicyErrorKind::Io(e.to_string()),
                "check the path given to --policy, or run `provgate init` to write one",
            )
        })?;
        Policy::from_toml(&text, &origin)
    }

    /// Resolves a policy from its text; `origin` names it in errors (usually the file name).
    pub fn from_toml(text: &str, origin: &str) -> Result<Policy, PolicyError> {
        let raw = parse_raw(text, origin)?;
        let extends = match &raw.extends {
            Some(name) => {
                let value = name.get_ref().clone();
                if value != "none" && crate::presets::get(&value).is_none() {
                    return Err(unknown_preset(&Loc::of(origin, text, name.span()), &value));
                }
                value
            }
            None => "default".to_string(),
        };
        let mut policy = resolve_chain(&extends, 0, &Loc::nowhere(origin))?;
        apply_layer(&mut policy, raw, origin, text)?;
        check_whole(&policy)?;
        policy.origin = origin.to_string();
        policy.extends = extends;
        Ok(policy)
    }

    /// A preset by name (`qemu`, `linux`, …; `default` is the documented default).
    pub fn preset(name: &str) -> Result<Policy, PolicyError> {
        let mut policy = resolve_chain(name, 0, &Loc::nowhere("command line"))?;
        check_whole(&policy)?;
        policy.extends = name.to_string();
        Ok(policy)
    }

    /// The `default` preset: DCO sign-off required, every known disclosure trailer accepted, AI
    /// fingerprints without disclosure reported. Used when there is no policy file and no preset.
    pub fn default_policy() -> Policy {
        Policy::preset("default").expect("the embedded default preset is valid (tested)")
    }
}

fn unknown_preset(loc: &Loc, name: &str) -> PolicyError {
    loc.error(
        PolicyErrorKind::UnknownPreset(name.to_string()),
        format!(
            "known presets: {}, or \"none\" for the built-in base",
            crate::presets::names().join(", ")
        ),
    )
}

/// Resolves a preset and the presets it extends, base first.
fn resolve_chain(name: &str, depth: usize, from: &Loc) -> Result<Policy, PolicyError> {
    if name == "none" {
        return Ok(Policy::base());
    }
    if depth >= MAX_EXTENDS_DEPTH {
        return Err(from.error(
            PolicyErrorKind::PresetCycle(name.to_string()),
            "a preset may extend another, but not in a loop",
        ));
    }
    let Some(text) = crate::presets::get(name) else {
        return Err(unknown_preset(from, name));
    };
    let origin = format!("preset {name}");
    let raw = parse_raw(text, &origin)?;
    let (parent, parent_loc) = match &raw.extends {
        Some(p) => (p.get_ref().clone(), Loc::of(&origin, text, p.span())),
        None => ("none".to_string(), Loc::nowhere(&origin)),
    };
    let mut policy = resolve_chain(&parent, depth + 1, &parent_loc)?;
    apply_layer(&mut policy, raw, &origin, text)?;
    policy.origin = origin;
    Ok(policy)
}

/// Helpers that turn spans of one layer's text into errors.
struct Layer<'a> {
    origin: &'a str,
    text: &'a str,
}

impl Layer<'_> {
    fn loc(&self, span: std::ops::Range<usize>) -> Loc {
        Loc::of(self.origin, self.text, span)
    }

    fn err(
        &self,
        span: std::ops::Range<usize>,
        kind: PolicyErrorKind,
        hint: impl Into<String>,
    ) -> PolicyError {
        self.loc(span).error(kind, hint)
    }

    fn glob(&self, glob: &Spanned<String>) -> Result<String, PolicyError> {
        crate::zones::compile_glob(glob.get_ref()).map_err(|message| {
            self.err(
                glob.span(),
                PolicyErrorKind::BadGlob(format!("`{}`: {message}", glob.get_ref())),
                "globs use `*` (no `/`), `**` (any directories), `?`, `[abc]`, `{a,b}`; a trailing `/` means everything below",
            )
        })?;
        Ok(glob.get_ref().clone())
    }

    fn globs(&self, globs: Vec<Spanned<String>>) -> Result<Vec<String>, PolicyError> {
        globs.iter().map(|g| self.glob(g)).collect()
    }

    fn day(&self, value: &Spanned<String>) -> Result<Day, PolicyError> {
        value
            .get_ref()
            .trim()
            .parse::<jiff::civil::Date>()
            .map(Day)
            .map_err(|_| {
                self.err(
                    value.span(),
                    PolicyErrorKind::BadDate(value.get_ref().clone()),
                    "write dates as \"2026-12-31\"",
                )
            })
    }

    fn trailer_key(&self, key: &Spanned<String>) -> Result<String, PolicyError> {
        let k = key.get_ref();
        if k.is_empty() || !k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(self.err(
                key.span(),
                PolicyErrorKind::BadValue(format!("`{k}` is not a trailer key")),
                "trailer keys are letters, digits and `-`, without the colon: \"Acked-by\"",
            ));
        }
        Ok(k.clone())
    }

    fn trailer_keys(&self, keys: Vec<Spanned<String>>) -> Result<Vec<String>, PolicyError> {
        keys.iter().map(|k| self.trailer_key(k)).collect()
    }

    /// A clause of `[about]`: exact words or a paraphrase (one of them), and the rules that
    /// enforce it (each must exist) or why it cannot be checked.
    fn clause(&self, c: Spanned<RawClause>) -> Result<Clause, PolicyError> {
        let span = c.span();
        let c = c.into_inner();
        let quote = c.quote.unwrap_or_default().trim().to_string();
        let paraphrase = c.paraphrase.unwrap_or_default().trim().to_string();
        if quote.is_empty() == paraphrase.is_empty() {
            return Err(self.err(
                span,
                PolicyErrorKind::BadValue(
                    "a clause has either `quote` (the source's exact words) or `paraphrase`".into(),
                ),
                "never write a quotation the source does not contain: use `paraphrase` then",
            ));
        }
        let rules = c
            .rules
            .unwrap_or_default()
            .iter()
            .map(|r| self.rule_name(r))
            .collect::<Result<Vec<_>, _>>()?;
        let unchecked = c.unchecked.unwrap_or_default().trim().to_string();
        if rules.is_empty() == unchecked.is_empty() {
            return Err(self.err(
                span,
                PolicyErrorKind::BadValue(
                    "a clause names the rules that enforce it, or says why it cannot be checked (`unchecked`)"
                        .into(),
                ),
                "rules = [\"ai-signoff\"], or unchecked = \"not visible in a patch\"",
            ));
        }
        Ok(Clause {
            quote,
            paraphrase,
            source: c.source.trim().to_string(),
            date: c.date.trim().to_string(),
            strength: c.strength,
            rules,
            unchecked,
        })
    }

    fn rule_name(&self, name: &Spanned<String>) -> Result<RuleId, PolicyError> {
        name.get_ref()
            .parse()
            .map_err(|_| unknown_rule(&self.loc(name.span()), name.get_ref()))
    }

    /// A function name (`strcpy`), or with `dotted` a `module.function` too (`pickle.loads`).
    fn symbol(&self, name: &Spanned<String>, dotted: bool) -> Result<String, PolicyError> {
        let n = name.get_ref().trim();
        let word = |w: &str| {
            !w.is_empty()
                && !w.starts_with(|c: char| c.is_ascii_digit())
                && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        let ok = if dotted {
            n.split('.').all(word)
        } else {
            word(n)
        };
        if !ok {
            return Err(self.err(
                name.span(),
                PolicyErrorKind::BadValue(format!("`{n}` is not a function name")),
                if dotted {
                    "write a name (`eval`) or module.name (`pickle.loads`), without parentheses"
                } else {
                    "write the bare name (`strcpy`), without parentheses"
                },
            ));
        }
        Ok(n.to_string())
    }

    fn symbols(
        &self,
        names: Vec<Spanned<String>>,
        dotted: bool,
    ) -> Result<Vec<String>, PolicyError> {
        names.iter().map(|n| self.symbol(n, dotted)).collect()
    }

    fn count(&self, value: &Spanned<i64>, what: &str) -> Result<u32, PolicyError> {
        u32::try_from(*value.get_ref()).map_err(|_| {
            self.err(
                value.span(),
                PolicyErrorKind::BadValue(format!("{what} must be between 0 and {}", u32::MAX)),
                "a limit counts lines and cannot be negative; to lift it, set the rule to \"allow\" in [rules]",
            )
        })
    }
}

/// Applies one layer over `policy`, checking each value it sets.
fn apply_layer(
    policy: &mut Policy,
    raw: RawPolicy,
    origin: &str,
    text: &str,
) -> Result<(), PolicyError> {
    let layer = Layer { origin, text };
    macro_rules! set {
        ($target:expr, $value:expr) => {
            if let Some(v) = $value {
                $target = v;
            }
        };
    }
    set!(policy.mode, raw.mode);
    if let Some(about) = raw.about {
        set!(policy.about.title, about.title);
        set!(policy.about.source, about.source);
        set!(policy.about.summary, about.summary);
        set!(policy.about.vague, about.vague);
        if let Some(st) = about.status {
            policy.about.status = Some(Status {
                state: st.state,
                date: match &st.date {
                    Some(d) => Some(layer.day(d)?),
                    None => None,
                },
                revision: st.revision.unwrap_or_default().trim().to_string(),
                note: st.note.unwrap_or_default().trim().to_string(),
            });
        }
        if let Some(clauses) = about.clause {
            // A layer's clauses replace the inherited ones: they describe one source.
            policy.about.clauses = clauses
                .into_iter()
                .map(|c| layer.clause(c))
                .collect::<Result<_, _>>()?;
        }
        if let Some(additions) = about.addition {
            policy.about.additions = additions
                .into_iter()
                .map(|a| {
                    let span = a.span();
                    let a = a.into_inner();
                    if a.reason.trim().is_empty() || a.rules.is_empty() {
                        return Err(layer.err(
                            span,
                            PolicyErrorKind::BadValue(
                                "an addition names its rules and gives a reason".into(),
                            ),
                            "rules = [\"bidi-control\"]\nreason = \"why the policy runs it though the source does not ask\"",
                        ));
                    }
                    Ok(Addition {
                        rules: a
                            .rules
                            .iter()
                            .map(|r| layer.rule_name(r))
                            .collect::<Result<_, _>>()?,
                        reason: a.reason.trim().to_string(),
                    })
                })
                .collect::<Result<_, _>>()?;
        }
    }
    if let Some(ai) = raw.ai {
        set!(policy.ai.allowed, ai.allowed);
        // The names extend what the layers below named: a project adds its in-house tool to the
        // preset's list, it does not replace the list.
        for tool in ai.tools.unwrap_or_default() {
            if !tool.trim().is_empty() && !policy.ai.tools.contains(&tool) {
                policy.ai.tools.push(tool);
            }
        }
        for model in ai.models.unwrap_or_default() {
            if let Err(e) = crate::ai_names::AiNames::check_model_pattern(model.get_ref()) {
                return Err(layer.err(
                    model.span(),
                    PolicyErrorKind::BadRegex(e.to_string().lines().last().unwrap_or("").trim().to_string()),
                    "model patterns use Rust regex syntax and are matched as whole words, case-insensitively",
                ));
            }
            let model = model.into_inner();
            if !policy.ai.models.contains(&model) {
                policy.ai.models.push(model);
            }
        }
    }
    if let Some(d) = raw.disclosure {
        set!(policy.disclosure.placement, d.placement);
        set!(policy.disclosure.accept_ai_coauthor, d.accept_ai_coauthor);
        if let Some(keys) = d.not_for_ai {
            policy.disclosure.not_for_ai = layer.trailer_keys(keys)?;
        }
        if let Some(trailers) = d.trailer {
            // A layer's trailer list replaces the inherited one: disclosure syntax is a whole.
            let mut out: Vec<DisclosureTrailer> = Vec::new();
            for t in trailers {
                let span = t.span();
                let t = t.into_inner();
                let key = layer.trailer_key(&t.key)?;
                if out.iter().any(|o| o.key.eq_ignore_ascii_case(&key)) {
                    return Err(layer.err(
                        t.key.span(),
                        PolicyErrorKind::Contradiction(format!(
                            "disclosure trailer `{key}` is defined twice"
                        )),
                        "keep one [[disclosure.trailer]] per key",
                    ));
                }
                let syntax = t.syntax.unwrap_or(Syntax::Free);
                let vocabulary: Vec<String> = t
                    .vocabulary
                    .unwrap_or_default()
                    .into_iter()
                    .map(|v| v.trim().to_ascii_lowercase())
                    .collect();
                let enforce = t.enforce_vocabulary.unwrap_or(!vocabulary.is_empty());
                if syntax == Syntax::Categories && enforce && vocabulary.is_empty() {
                    return Err(layer.err(
                        span,
                        PolicyErrorKind::Contradiction(format!(
                            "`{key}` enforces a vocabulary but lists none"
                        )),
                        "add `vocabulary = [\"code\", \"tests\", \"docs\", \"research\"]` or set `enforce-vocabulary = false`",
                    ));
                }
                out.push(DisclosureTrailer {
                    key,
                    syntax,
                    vocabulary,
                    enforce_vocabulary: enforce,
                    no_output: t
                        .no_output
                        .unwrap_or_default()
                        .into_iter()
                        .map(|v| v.trim().to_ascii_lowercase())
                        .collect(),
                });
            }
            policy.disclosure.trailers = out;
        }
    }
    if let Some(l) = raw.limits {
        if let Some(v) = l.ai_code_lines {
            policy.limits.ai_code_lines = Some(layer.count(&v, "limits.ai-code-lines")?);
        }
        set!(policy.limits.inclusive, l.inclusive);
        set!(policy.limits.forbid_splitting, l.forbid_splitting);
        if let Some(v) = l.area_depth {
            let depth = layer.count(&v, "limits.area-depth")?;
            if depth == 0 {
                return Err(layer.err(
                    v.span(),
                    PolicyErrorKind::BadValue("limits.area-depth must be at least 1".into()),
                    "1 groups by top-level directory, 2 by the directory below it",
                ));
            }
            policy.limits.area_depth = depth;
        }
        set!(policy.limits.mechanical_exempt, l.mechanical_exempt);
    }
    if let Some(d) = raw.dco {
        set!(policy.dco.identity, d.identity);
        set!(policy.dco.allow_noreply, d.allow_noreply);
        set!(policy.dco.ignore_subaddress, d.ignore_subaddress);
        set!(policy.dco.accept_committer, d.accept_committer);
    }
    if let Some(r) = raw.review {
        if let Some(keys) = r.trailers {
            policy.review.trailers = layer.trailer_keys(keys)?;
        }
        set!(policy.review.applies_to, r.applies_to);
        set!(policy.review.from, r.from);
    }
    if let Some(a) = raw.agreement {
        if let Some(keys) = a.trailers {
            policy.agreement.trailers = layer.trailer_keys(keys)?;
        }
        set!(policy.agreement.from, a.from);
    }
    if let Some(t) = raw.trial {
        let mut trial = policy.trial.clone().unwrap_or(Trial {
            contributors: Vec::new(),
            start: None,
            end: None,
        });
        if let Some(c) = t.contributors {
            trial.contributors = c.into_iter().map(|c| c.trim().to_string()).collect();
        }
        if let Some(s) = &t.start {
            trial.start = Some(layer.day(s)?);
        }
        if let Some(e) = &t.end {
            trial.end = Some(layer.day(e)?);
        }
        if let (Some(start), Some(end)) = (trial.start, trial.end)
            && end < start
        {
            let span = t.end.as_ref().or(t.start.as_ref()).map(|s| s.span());
            let loc = span.map_or_else(|| Loc::nowhere(origin), |s| layer.loc(s));
            return Err(loc.error(
                PolicyErrorKind::Contradiction(format!(
                    "the trial ends ({end}) before it starts ({start})"
                )),
                "trial.end is the last day of the trial and must not be before trial.start",
            ));
        }
        policy.trial = Some(trial);
    }
    if let Some(f) = raw.files {
        let exts = |v: Vec<String>| {
            v.into_iter()
                .map(|e| e.trim_start_matches('.').to_string())
                .collect()
        };
        if let Some(v) = f.spdx_extensions {
            policy.files.spdx_extensions = exts(v);
        }
        set!(policy.files.spdx_names, f.spdx_names);
        set!(policy.files.licenses, f.licenses);
        set!(policy.files.preferred_licenses, f.preferred_licenses);
    }
    if let Some(c) = raw.code {
        if let Some(v) = c.insecure_calls {
            policy.code.insecure_calls = layer.symbols(v, false)?;
        }
        if let Some(v) = c.python_insecure_calls {
            policy.code.python_insecure_calls = layer.symbols(v, true)?;
        }
        if let Some(v) = c.prefer {
            policy.code.prefer = v
                .into_iter()
                .map(|p| {
                    let avoid = layer.symbol(&p.avoid, false)?;
                    Ok(Preference {
                        avoid,
                        instead: p.instead.trim().to_string(),
                    })
                })
                .collect::<Result<_, PolicyError>>()?;
        }
        if let Some(v) = c.assertion_helpers {
            policy.code.assertion_helpers = layer.symbols(v, false)?;
        }
        if let Some(v) = c.known_symbols {
            policy.code.known_symbols = layer.symbols(v, false)?;
        }
        set!(policy.code.system_headers, c.system_headers);
    }
    if let Some(on) = raw.zones.as_ref().and_then(|z| z.maintainers_keywords) {
        policy.zones.maintainers_keywords = on;
    }
    if let Some(z) = raw.zones
        && let Some(file) = z.maintainers_file
    {
        let path = file.get_ref();
        // The file may come from an untrusted branch: never let it point outside the repository.
        let escapes = Path::new(path).is_absolute()
            || path.starts_with('/')
            || path.starts_with('\\')
            || path.contains(':')
            || Path::new(path)
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir));
        if escapes {
            return Err(layer.err(
                file.span(),
                PolicyErrorKind::BadValue(format!(
                    "zones.maintainers-file `{path}` is outside the repository"
                )),
                "give a path relative to the repository root, without `..`, or \"\" to read none",
            ));
        }
        policy.zones.maintainers_file = path.clone();
    }
    if let Some(rules) = raw.rules {
        for (name, level) in rules {
            let name = layer.rule_name(&name)?;
            policy.rules.insert(name, level);
        }
    }
    if let Some(zones) = raw.zone {
        let mut seen: Vec<String> = Vec::new();
        for z in zones {
            let z = z.into_inner();
            let name = z.name.get_ref().trim().to_string();
            let loc = layer.loc(z.name.span());
            if name.is_empty() {
                return Err(loc.error(
                    PolicyErrorKind::BadValue("a zone needs a name".into()),
                    "name = \"core\"",
                ));
            }
            if seen.contains(&name) {
                return Err(loc.error(
                    PolicyErrorKind::Contradiction(format!("zone `{name}` is defined twice")),
                    "each [[zone]] needs its own name; a zone with a preset's name replaces it",
                ));
            }
            seen.push(name.clone());
            let tier = z.tier.unwrap_or_default();
            let exempt = z.exempt.as_ref().is_some_and(|e| *e.get_ref());
            if exempt && tier == Tier::Protected {
                let span = z.exempt.as_ref().map_or(z.name.span(), |e| e.span());
                return Err(layer.err(
                    span,
                    PolicyErrorKind::Contradiction(format!(
                        "zone `{name}` is both protected and exempt"
                    )),
                    "exempt zones hold imported code that provgate skips; protected zones hold code that needs agreement. Pick one",
                ));
            }
            let paths = layer.globs(z.paths.unwrap_or_default())?;
            let exclude = layer.globs(z.exclude.unwrap_or_default())?;
            let sections = z.sections.unwrap_or_default();
            if paths.is_empty() && sections.is_empty() {
                return Err(loc.error(
                    PolicyErrorKind::BadValue(format!(
                        "zone `{name}` has no paths and no sections"
                    )),
                    "add `paths = [\"dir/\"]` or `sections = [\"MAINTAINERS section name\"]`",
                ));
            }
            let def = ZoneDef {
                name: name.clone(),
                description: z.description.unwrap_or_default(),
                tier,
                kind: z.kind,
                exempt,
                paths,
                exclude,
                sections,
                maintainers: z.maintainers.unwrap_or_default(),
                loc,
            };
            // A zone with an inherited zone's name replaces it in place.
            match policy.zone_defs.iter_mut().find(|d| d.name == name) {
                Some(existing) => *existing = def,
                None => policy.zone_defs.push(def),
            }
        }
    }
    if let Some(exceptions) = raw.exception {
        for e in exceptions {
            let span = e.span();
            let e = e.into_inner();
            let loc = layer.loc(span.start..span.start);
            let reason = e.reason.as_ref().map(|r| r.get_ref().trim().to_string());
            let Some(reason) = reason.filter(|r| !r.is_empty()) else {
                let at = e.reason.as_ref().map_or(span.clone(), |r| r.span());
                return Err(layer.err(
                    at,
                    PolicyErrorKind::BadValue("an exception needs a reason".into()),
                    "reason = \"agreed by the maintainer on the list: <link>\"",
                ));
            };
            let rules = e
                .rules
                .unwrap_or_default()
                .iter()
                .map(|r| layer.rule_name(r))
                .collect::<Result<Vec<_>, _>>()?;
            let paths = layer.globs(e.paths.unwrap_or_default())?;
            let mut commits = Vec::new();
            for c in e.commits.unwrap_or_default() {
                let v = c.get_ref().trim().to_ascii_lowercase();
                if v.len() < 7 || !v.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(layer.err(
                        c.span(),
                        PolicyErrorKind::BadValue(format!("`{}` is not a commit id", c.get_ref())),
                        "give at least 7 hex digits of the commit id",
                    ));
                }
                commits.push(v);
            }
            let authors: Vec<String> = e
                .authors
                .unwrap_or_default()
                .into_iter()
                .map(|a| a.trim().to_string())
                .collect();
            let message_ids: Vec<String> = e
                .message_ids
                .unwrap_or_default()
                .into_iter()
                .map(|m| {
                    m.trim()
                        .trim_start_matches('<')
                        .trim_end_matches('>')
                        .to_string()
                })
                .collect();
            if paths.is_empty()
                && authors.is_empty()
                && commits.is_empty()
                && message_ids.is_empty()
            {
                return Err(loc.error(
                    PolicyErrorKind::BadValue("an exception needs a scope".into()),
                    "name the paths, authors, commits or message-ids it covers; to switch a rule off everywhere, set it to \"allow\" in [rules]",
                ));
            }
            let expires = match &e.expires {
                Some(d) => Some(layer.day(d)?),
                None => None,
            };
            policy.exceptions.push(Exception {
                reason,
                rules,
                paths,
                authors,
                commits,
                message_ids,
                expires,
                loc,
            });
        }
    }
    if let Some(fps) = raw.fingerprint {
        for f in fps {
            let f = f.into_inner();
            // The file may come from an untrusted branch: bound the compiled size so a pattern
            // cannot make the check slow (matching is linear-time in Rust's regex).
            if let Err(e) = regex::RegexBuilder::new(f.pattern.get_ref())
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
            {
                return Err(layer.err(
                    f.pattern.span(),
                    PolicyErrorKind::BadRegex(e.to_string().lines().last().unwrap_or("").trim().to_string()),
                    "patterns use Rust regex syntax; anchor them with ^ and $ and escape `.` `[` `(`",
                ));
            }
            policy.fingerprints.push(CustomFingerprint {
                tool: f.tool,
                field: f.field,
                pattern: f.pattern.into_inner(),
                confidence: f.confidence.unwrap_or(Confidence::High),
            });
        }
    }
    Ok(())
}

/// Checks that need the whole resolved policy (contradictions across layers).
fn check_whole(policy: &Policy) -> Result<(), PolicyError> {
    for zone in &policy.zone_defs {
        if zone.exempt && zone.tier == Tier::Protected {
            return Err(zone.loc.error(
                PolicyErrorKind::Contradiction(format!(
                    "zone `{}` is both protected and exempt",
                    zone.name
                )),
                "pick one",
            ));
        }
    }
    Ok(())
}
