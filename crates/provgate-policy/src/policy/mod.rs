//! The resolved policy: what provgate enforces, read from a `provgate.toml` and the presets it extends.
//!
//! A policy file is a stack of layers: the built-in base (every setting at its documented default,
//! every rule at its own default level), then the presets named by `extends` (a preset may extend
//! another), then the file itself. Each layer changes only what it names; see `docs/policy.md` for
//! every setting. Values are checked as each layer is applied, so an error points at the line and
//! column of the layer that wrote the bad value.
//!
//! Nothing in a policy can make provgate run a command, send mail or read files outside the
//! repository: the file may come from an untrusted contributor's branch.
//!
//! A setting lives in three places, one per layer, so adding one touches each once: `raw` (the
//! file format as written, with spans), `resolve` (its validation and how a layer applies it),
//! and this module (its resolved value, its default in [`Policy::base`], and how it serializes
//! into the canonical TOML the digest is computed over).

mod raw;
mod resolve;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, Serializer};

use crate::error::{Loc, PolicyError};
use crate::level::{Level, Overrides};
use crate::rules::RuleId;

/// The compiled size a custom fingerprint pattern may take (bytes).
pub(crate) const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Whether failing findings fail the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// `deny` findings fail the check.
    #[default]
    Enforce,
    /// Shadow rollout: `deny` findings are reported as warnings and nothing fails.
    Warn,
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so that a width (`{:<32}`) lines names up as it does for strings.
        f.pad(self.as_str())
    }
}

/// A path's tier: whether AI-assisted changes need a maintainer's recorded agreement there.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// AI-assisted changes are allowed within the policy's other limits.
    #[default]
    Open,
    /// "Core code that other things depend on": AI-assisted changes need prior agreement.
    Protected,
}

impl Tier {
    /// The kebab-case name used in policy files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Open => "open",
            Tier::Protected => "protected",
        }
    }
}

impl Mode {
    /// The kebab-case name used in policy files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Warn => "warn",
        }
    }
}

/// What a file or hunk is, for the policy: QEMU's text treats tests and docs differently from code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Test code and test data.
    Tests,
    /// Documentation, and hunks that change only code comments.
    Docs,
    /// Build system files (Makefiles, meson, Kconfig, CI configuration…).
    Build,
    /// Translations.
    Localization,
    /// Everything else.
    Code,
}

impl Kind {
    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Tests => "tests",
            Kind::Docs => "docs",
            Kind::Build => "build",
            Kind::Localization => "localization",
            Kind::Code => "code",
        }
    }

    /// Whether changes of this kind count as "lines of code" for line limits (code and build
    /// files do; tests, documentation and translations do not, as QEMU's text excludes tests).
    pub fn counts_as_code(self) -> bool {
        matches!(self, Kind::Code | Kind::Build)
    }
}

/// A calendar day as written in a policy (`YYYY-MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub jiff::civil::Date);

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where the policy came from and what it claims to implement, for documents and reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct About {
    /// A title for rendered documents, e.g. "QEMU: AI-assisted contributions (May 2026 proposal)".
    pub title: String,
    /// The published text this policy encodes (document, list post, URL).
    pub source: String,
    /// One paragraph saying what the policy allows and forbids, in the source's own terms.
    pub summary: String,
    /// Where the source is vague and what this policy does about it.
    pub vague: Vec<String>,
    /// Whether the source is in force, proposed or superseded, as of which revision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// The source, sentence by sentence, with the rules that enforce each sentence.
    #[serde(rename = "clause", skip_serializing_if = "Vec::is_empty")]
    pub clauses: Vec<Clause>,
    /// What the policy enforces that the source does not say, each with its reason.
    #[serde(rename = "addition", skip_serializing_if = "Vec::is_empty")]
    pub additions: Vec<Addition>,
}

/// Where a published policy stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceState {
    /// The project enforces it now.
    InForce,
    /// Posted for discussion, not (yet) adopted.
    Proposed,
    /// Replaced by a later text; still the rule for the history written under it.
    Superseded,
}

impl SourceState {
    /// The kebab-case name used in policy files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceState::InForce => "in-force",
            SourceState::Proposed => "proposed",
            SourceState::Superseded => "superseded",
        }
    }

    /// The words people read (`in force`), for documents and reports.
    pub fn label(self) -> &'static str {
        match self {
            SourceState::InForce => "in force",
            other => other.as_str(),
        }
    }
}

/// The status of the source a policy encodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Status {
    /// In force, proposed or superseded.
    pub state: SourceState,
    /// The date of the revision the policy follows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Day>,
    /// The revision (version, commit title, post) the policy follows.
    pub revision: String,
    /// What a reader should know about the status (e.g. "not merged as of late 2026").
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl Status {
    /// One line: "proposed (2026-05-29, v2 on qemu-devel): not merged as of late 2026".
    pub fn describe(&self) -> String {
        let mut s = self.state.label().to_string();
        let when: Vec<String> = self
            .date
            .map(|d| d.to_string())
            .into_iter()
            .chain((!self.revision.is_empty()).then(|| self.revision.clone()))
            .collect();
        if !when.is_empty() {
            s.push_str(&format!(" ({})", when.join(", ")));
        }
        if !self.note.is_empty() {
            s.push_str(&format!(": {}", self.note));
        }
        s
    }
}

/// How firmly a sentence of the source asks for something; it bounds the level of the rules
/// that enforce it (only `must` may deny).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strength {
    /// "must", "must not", "not allowed", "declined": a rule may deny.
    Must,
    /// "should", a recommendation or an example: a warning at most.
    Should,
    /// The source is vague or leaves it to a maintainer's judgement: a warning at most, saying so.
    Vague,
}

impl Strength {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Strength::Must => "must",
            Strength::Should => "should",
            Strength::Vague => "vague",
        }
    }
}

/// One sentence of the source and what enforces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Clause {
    /// The source's exact words (only where they are on record); or empty, with `paraphrase`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub quote: String,
    /// The sentence in other words, when the exact words are not on record.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub paraphrase: String,
    /// The document the sentence comes from.
    pub source: String,
    /// When the document said it (as precise as known: `2025-12`, `2026-05-29`).
    pub date: String,
    /// How firmly it asks.
    pub strength: Strength,
    /// The rules that enforce it; empty with `unchecked`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleId>,
    /// Why it cannot be checked in a patch, when no rule enforces it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub unchecked: String,
}

/// Rules the policy runs that its source does not ask for, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Addition {
    /// The rules.
    pub rules: Vec<RuleId>,
    /// Why the policy runs them anyway.
    pub reason: String,
}

/// Whether AI use is allowed at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct AiSettings {
    /// `false`: any AI-assisted contribution is declined (rule `ai-banned`).
    pub allowed: bool,
    /// AI tool names added to the built-in list ([`crate::ai_names`]), matched as whole words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<String>,
    /// AI model patterns (regular expressions) added to the built-in list.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<String>,
}

/// The syntax of a disclosure trailer's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Syntax {
    /// QEMU: `CATEGORY[, CATEGORY…] [(explanation)]`, e.g. `code (refactoring)`.
    Categories,
    /// Linux: `AGENT:MODEL [TOOL…]`, e.g. `Claude:claude-3-opus coccinelle sparse`.
    AgentModel,
    /// Mesa, OpenInfra: `TOOL [(MODEL)]`, e.g. `Copilot (GPT-4o)`.
    ToolModel,
    /// Any non-empty text (Fedora, LLVM, ASF).
    Free,
}

impl Syntax {
    /// The kebab-case name used in policy files.
    pub fn as_str(self) -> &'static str {
        match self {
            Syntax::Categories => "categories",
            Syntax::AgentModel => "agent-model",
            Syntax::ToolModel => "tool-model",
            Syntax::Free => "free",
        }
    }
}

/// One trailer that counts as an AI disclosure, and how its value is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct DisclosureTrailer {
    /// The trailer key, compared case-insensitively (`AI-used-for`).
    pub key: String,
    /// How the value is written.
    pub syntax: Syntax,
    /// For `categories`: the accepted categories (`code`, `tests`, `docs`, `research`).
    pub vocabulary: Vec<String>,
    /// For `categories`: whether a category outside the vocabulary is reported
    /// (`disclosure-vocabulary`). When not enforced, an unknown category is read as `code`.
    pub enforce_vocabulary: bool,
    /// Categories meaning the AI left no output in the patch (QEMU's `research`): a declaration
    /// with only these does not make the patch AI-assisted for limits, zones or bans.
    pub no_output: Vec<String>,
}

/// Where disclosure trailers go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Placement {
    /// Before the author's `Signed-off-by` (QEMU).
    BeforeSignoff,
    /// Anywhere in the trailer block.
    Anywhere,
}

/// Which trailers disclose AI use, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Disclosure {
    /// Where disclosure trailers must stand.
    pub placement: Placement,
    /// Whether an AI identity in `Co-authored-by` (as Claude Code and Copilot add) counts as a
    /// disclosure.
    pub accept_ai_coauthor: bool,
    /// Trailers the policy does not use for AI (QEMU: `Assisted-by`, `Co-authored-by`,
    /// `Generated-by`); reported by `disclosure-wrong-trailer` when used for AI.
    pub not_for_ai: Vec<String>,
    /// The accepted disclosure trailers.
    #[serde(rename = "trailer")]
    pub trailers: Vec<DisclosureTrailer>,
}

/// Line limits for AI-assisted code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Limits {
    /// The limit on lines of code (tests and docs excluded) in an AI-assisted patch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ai_code_lines: Option<u32>,
    /// `true`: the limit itself is allowed ("20 lines or fewer"); `false`: only fewer ("below 10").
    pub inclusive: bool,
    /// Whether a series of small AI-assisted fixes to one area is judged as a whole
    /// (`ai-split-series`; QEMU's later draft forbids splitting to get under the limit).
    pub forbid_splitting: bool,
    /// How many leading path components name an "area" for `ai-split-series`, when no zone does.
    pub area_depth: u32,
    /// Whether a patch that code analysis finds mechanical (every changed line pair differs by
    /// the same token substitution) is outside the line limit, as a category of its own.
    pub mechanical_exempt: bool,
}

impl Limits {
    /// Whether `lines` lines of code exceed the limit.
    pub fn exceeded(&self, lines: u32) -> bool {
        match self.ai_code_lines {
            None => false,
            Some(limit) if self.inclusive => lines > limit,
            Some(limit) => lines >= limit,
        }
    }

    /// The limit in words: "20 lines of code or fewer", "fewer than 10 lines of code".
    pub fn describe(&self) -> Option<String> {
        let limit = self.ai_code_lines?;
        Some(if self.inclusive {
            format!("{limit} lines of code or fewer")
        } else {
            format!("fewer than {limit} lines of code")
        })
    }
}

/// How a sign-off is matched to the author.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentityMatch {
    /// Name and e-mail must both match (case-insensitively).
    NameAndEmail,
    /// The e-mail must match (case-insensitively); the name may differ.
    Email,
}

/// Developer Certificate of Origin settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Dco {
    /// How a `Signed-off-by` is matched to the author.
    pub identity: IdentityMatch,
    /// Accept a sign-off with the author's name when the author's address is a GitHub noreply
    /// address (`ID+login@users.noreply.github.com`).
    pub allow_noreply: bool,
    /// Compare addresses without their RFC 5233 sub-address (`jane+qemu@x` as `jane@x`).
    pub ignore_subaddress: bool,
    /// Accept a sign-off matching the committer instead of the author (the DCO bot's rule).
    pub accept_committer: bool,
}

/// Who must review before merge (`--stage merge`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewFrom {
    /// Any human other than the author.
    Anyone,
    /// A maintainer of at least one touched section or zone.
    Maintainer,
    /// A maintainer of each touched section (Xen's check-in policy).
    EachSection,
}

/// Which patches need review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppliesTo {
    /// Only AI-assisted patches.
    AiAssisted,
    /// Every patch.
    All,
}

/// Review requirements, checked at `--stage merge`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Review {
    /// The trailers that record a review.
    pub trailers: Vec<String>,
    /// Which patches need one.
    pub applies_to: AppliesTo,
    /// Whose review counts.
    pub from: ReviewFrom,
}

/// Whose trailer records agreement to an AI-assisted change in a protected zone or over the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgreementFrom {
    /// A maintainer (MAINTAINERS `M:` or the zone's `maintainers`) of the touched zone.
    ZoneMaintainer,
    /// Any human other than the author.
    Anyone,
}

/// How prior agreement is recorded in a patch (the other way is an `[[exception]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Agreement {
    /// Trailers that record agreement; empty: only `[[exception]]` entries do.
    pub trailers: Vec<String>,
    /// Whose trailer counts.
    pub from: AgreementFrom,
}

/// A trial: AI-assisted contributions only from some people and within some dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Trial {
    /// E-mail addresses allowed to send AI-assisted patches; empty: everyone.
    pub contributors: Vec<String>,
    /// First day of the trial.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<Day>,
    /// Last day of the trial.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<Day>,
}

/// File checks: licence tags and MAINTAINERS upkeep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Files {
    /// Extensions (without dot) of new files that must carry `SPDX-License-Identifier`.
    pub spdx_extensions: Vec<String>,
    /// Whole file names that must carry it too (`Makefile`, `meson.build`).
    pub spdx_names: Vec<String>,
    /// Accepted licence expressions; empty: any.
    pub licenses: Vec<String>,
    /// Preferred licences; an accepted but not preferred licence is a warning.
    pub preferred_licenses: Vec<String>,
}

/// A project's preference of one API over another (`preferred-api`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Preference {
    /// The function whose calls are reported (`malloc`).
    pub avoid: String,
    /// What to call instead, in words (`g_malloc() or g_new()`).
    pub instead: String,
}

/// Settings of the code rules (provgate-analysis reads the added code against them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct CodeSettings {
    /// C functions whose calls `insecure-call` reports.
    pub insecure_calls: Vec<String>,
    /// Python functions whose calls `insecure-call` reports (`eval`, or `module.function` such
    /// as `pickle.loads`).
    pub python_insecure_calls: Vec<String>,
    /// Calls `preferred-api` reports, with what to use instead.
    pub prefer: Vec<Preference>,
    /// Functions and macros that count as assertions in tests, besides the built-in ones.
    pub assertion_helpers: Vec<String>,
    /// Names defined outside the repository (generated code, a vendor SDK) that
    /// `unknown-symbol` takes as existing.
    pub known_symbols: Vec<String>,
    /// Whether `unknown-symbol` also takes as existing the names declared in this machine's
    /// system headers (`/usr/include`, `/usr/local/include`; fixed directories, never a path
    /// from the policy).
    pub system_headers: bool,
}

/// Zone settings that are not zones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ZoneSettings {
    /// The MAINTAINERS file, relative to the repository root; empty: none is read.
    pub maintainers_file: String,
    /// Whether its `K:` keywords add sections by content (a file's for `zones`, a patch's added
    /// and removed lines for `check`), as get_maintainer.pl does by default.
    pub maintainers_keywords: bool,
}

/// A named set of paths with a tier and a kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ZoneDef {
    /// The zone's name, unique in the policy.
    pub name: String,
    /// What the zone is, for rendered documents.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Protected or open.
    pub tier: Tier,
    /// Forces the kind of every file in the zone (else the kind comes from the path).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    /// Imported or vendored code: excluded from line counts, licence checks and zone tiers.
    pub exempt: bool,
    /// Globs (`/` never matched by `*`; `**` crosses directories; a trailing `/` means everything below).
    pub paths: Vec<String>,
    /// Globs removed from the zone.
    pub exclude: Vec<String>,
    /// MAINTAINERS section names (case-insensitive) whose files belong to the zone.
    pub sections: Vec<String>,
    /// People (`Name <email>` or an address) whose agreement counts for this zone, in addition to
    /// the MAINTAINERS `M:` entries of its files.
    pub maintainers: Vec<String>,
    /// Where it was defined, for messages.
    #[serde(skip)]
    pub loc: Loc,
}

/// A recorded agreement or waiver: findings in its scope are not reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Exception {
    /// Why (e.g. a link to the maintainer's agreement on the list). Required.
    pub reason: String,
    /// Rules waived; empty: every rule.
    pub rules: Vec<RuleId>,
    /// Globs of paths in scope.
    pub paths: Vec<String>,
    /// Authors in scope (e-mail addresses, case-insensitive).
    pub authors: Vec<String>,
    /// Commit ids in scope (a prefix of at least 7 hex digits).
    pub commits: Vec<String>,
    /// Message-IDs in scope (with or without angle brackets).
    pub message_ids: Vec<String>,
    /// The last day the exception applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<Day>,
    /// Where it was defined, for stale-waiver findings.
    #[serde(skip)]
    pub loc: Loc,
}

/// Where a custom fingerprint pattern is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FingerprintField {
    /// The author's `Name <email>`.
    Author,
    /// The committer's `Name <email>`.
    Committer,
    /// Each trailer as `Key: value`.
    Trailer,
    /// Each line of the commit message.
    MessageLine,
    /// The subject.
    Subject,
}

/// How sure a fingerprint is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    /// A tool name in text.
    Low,
    /// A tool's typical line or prefix, which a human could also write.
    Medium,
    /// A tool's own address, bot identity or session trailer.
    High,
}

impl Confidence {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// A project-specific fingerprint: a regular expression over one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct CustomFingerprint {
    /// The tool it reveals.
    pub tool: String,
    /// Where to look.
    pub field: FingerprintField,
    /// The regular expression (Rust `regex` syntax); anchor it, bare words make false alarms.
    pub pattern: String,
    /// How sure a match is.
    pub confidence: Confidence,
}

/// A resolved policy: every setting has a value and every rule a level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Policy {
    /// Where the policy came from (`provgate.toml`, `preset qemu`), for messages.
    #[serde(skip)]
    pub origin: String,
    /// The preset the top layer extends (`none` for the built-in base).
    #[serde(skip)]
    pub extends: String,
    /// Enforce or only warn.
    pub mode: Mode,
    /// Title, source and vagueness notes.
    pub about: About,
    /// Whether AI use is allowed.
    pub ai: AiSettings,
    /// Disclosure trailers.
    pub disclosure: Disclosure,
    /// Line limits.
    pub limits: Limits,
    /// DCO identity matching.
    pub dco: Dco,
    /// Review before merge.
    pub review: Review,
    /// How agreement is recorded.
    pub agreement: Agreement,
    /// An optional trial.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trial: Option<Trial>,
    /// File checks.
    pub files: Files,
    /// Code rule settings.
    pub code: CodeSettings,
    /// Zone settings.
    pub zones: ZoneSettings,
    /// Every rule's level (in name order, as the canonical TOML lists them).
    pub rules: BTreeMap<RuleId, Level>,
    /// Zones in definition order (the first zone with a kind decides a file's kind).
    #[serde(rename = "zone")]
    pub zone_defs: Vec<ZoneDef>,
    /// Exceptions.
    #[serde(rename = "exception")]
    pub exceptions: Vec<Exception>,
    /// Custom fingerprints.
    #[serde(rename = "fingerprint")]
    pub fingerprints: Vec<CustomFingerprint>,
}

impl Policy {
    /// The built-in base: every setting at its documented default and every rule at its own
    /// default level. Presets and files are layered over it.
    pub fn base() -> Policy {
        Policy {
            origin: "built-in base".to_string(),
            extends: "none".to_string(),
            mode: Mode::Enforce,
            about: About::default(),
            ai: AiSettings {
                allowed: true,
                tools: Vec::new(),
                models: Vec::new(),
            },
            disclosure: Disclosure {
                placement: Placement::Anywhere,
                accept_ai_coauthor: false,
                not_for_ai: Vec::new(),
                trailers: Vec::new(),
            },
            limits: Limits {
                ai_code_lines: None,
                inclusive: true,
                forbid_splitting: false,
                area_depth: 2,
                mechanical_exempt: false,
            },
            dco: Dco {
                identity: IdentityMatch::NameAndEmail,
                allow_noreply: false,
                ignore_subaddress: false,
                accept_committer: false,
            },
            review: Review {
                trailers: vec!["Reviewed-by".into(), "Acked-by".into()],
                applies_to: AppliesTo::AiAssisted,
                from: ReviewFrom::Anyone,
            },
            agreement: Agreement {
                trailers: Vec::new(),
                from: AgreementFrom::ZoneMaintainer,
            },
            trial: None,
            files: Files {
                spdx_extensions: Vec::new(),
                spdx_names: Vec::new(),
                licenses: Vec::new(),
                preferred_licenses: Vec::new(),
            },
            code: CodeSettings {
                insecure_calls: ["gets", "strcpy", "strcat", "sprintf", "vsprintf"]
                    .map(String::from)
                    .to_vec(),
                python_insecure_calls: ["eval", "exec", "pickle.loads", "pickle.load"]
                    .map(String::from)
                    .to_vec(),
                prefer: Vec::new(),
                assertion_helpers: Vec::new(),
                known_symbols: Vec::new(),
                system_headers: false,
            },
            zones: ZoneSettings {
                maintainers_file: "MAINTAINERS".to_string(),
                maintainers_keywords: true,
            },
            rules: crate::rules::all()
                .iter()
                .map(|r| (r.id(), r.default_level()))
                .collect(),
            zone_defs: Vec::new(),
            exceptions: Vec::new(),
            fingerprints: Vec::new(),
        }
    }

    /// The level of `rule` under this policy.
    pub fn level(&self, rule: RuleId) -> Level {
        // Every policy layers over the base, which gives every rule a level.
        self.rules.get(&rule).copied().unwrap_or(Level::Allow)
    }

    /// The level of `rule` with the command line's overrides applied.
    pub fn effective_level(&self, rule: RuleId, overrides: &Overrides) -> Level {
        overrides.level_of(rule).unwrap_or_else(|| self.level(rule))
    }

    /// Applies command-line overrides to the policy itself (e.g. before `policy show`).
    ///
    /// Overrides hold rule ids, checked when they were parsed, so this cannot fail any more; the
    /// `Result` stays until the command line's callers are moved to the engine.
    pub fn apply_overrides(&mut self, overrides: &Overrides) -> Result<(), PolicyError> {
        for (id, level) in self.rules.iter_mut() {
            if let Some(o) = overrides.level_of(*id) {
                *level = o;
            }
        }
        Ok(())
    }

    /// The settings in canonical TOML: every setting explicit, every rule's level, in a fixed
    /// order. [`Policy::to_toml`] prints it; the digest is computed over it less the rules at
    /// `allow`.
    pub fn canonical_toml(&self) -> String {
        toml::to_string(self).expect("policy values always serialize")
    }

    /// A stable identity of what is enforced: `sha256:` and the hex SHA-256 of
    /// [`Policy::canonical_toml`] without the rules at `allow` (a rule that does not run enforces
    /// nothing, so a new provgate release adding a rule that a policy leaves off keeps its
    /// digest). Two policies with the same digest enforce the same things, however their files
    /// were written.
    pub fn digest(&self) -> String {
        use sha2::Digest;
        let mut enforced = self.clone();
        enforced.rules.retain(|_, level| *level != Level::Allow);
        let hash = sha2::Sha256::digest(enforced.canonical_toml().as_bytes());
        let mut out = String::from("sha256:");
        for byte in hash.iter() {
            out.push_str(&format!("{byte:02x}"));
        }
        out
    }

    /// The resolved policy as a complete policy file (`provgate policy show`): loading the text
    /// again gives a policy with the same digest.
    pub fn to_toml(&self) -> String {
        format!(
            "# Resolved provgate policy from {} (extends \"{}\").\n# digest: {}\n# Every setting is explicit, so this file starts from the built-in base.\nextends = \"none\"\n{}",
            self.origin,
            self.extends,
            self.digest(),
            self.canonical_toml()
        )
    }

    /// The policy as a document for people (`provgate policy render`); see [`crate::render::render`].
    pub fn render(&self, format: crate::render::Format) -> String {
        crate::render::render(self, format)
    }

    /// The zone definition named `name`.
    pub fn zone(&self, name: &str) -> Option<&ZoneDef> {
        self.zone_defs.iter().find(|z| z.name == name)
    }

    /// The disclosure trailer definition for `key` (case-insensitive).
    pub fn disclosure_trailer(&self, key: &str) -> Option<&DisclosureTrailer> {
        self.disclosure
            .trailers
            .iter()
            .find(|t| t.key.eq_ignore_ascii_case(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_describe_and_compare() {
        let mut l = Policy::base().limits;
        l.ai_code_lines = Some(20);
        assert!(!l.exceeded(20));
        assert!(l.exceeded(21));
        assert_eq!(l.describe().unwrap(), "20 lines of code or fewer");
        l.inclusive = false;
        l.ai_code_lines = Some(10);
        assert!(l.exceeded(10));
        assert!(!l.exceeded(9));
        assert_eq!(l.describe().unwrap(), "fewer than 10 lines of code");
    }
}
