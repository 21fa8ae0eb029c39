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

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize, Serializer};
use toml::Spanned;

use crate::error::{Loc, PolicyError, PolicyErrorKind};
use crate::level::{Level, Overrides, unknown_rule};

/// How far `extends` chains may go; deeper chains are reported as cycles.
const MAX_EXTENDS_DEPTH: usize = 8;

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
    pub rules: Vec<String>,
    /// Why it cannot be checked in a patch, when no rule enforces it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub unchecked: String,
}

/// Rules the policy runs that its source does not ask for, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Addition {
    /// The rules.
    pub rules: Vec<String>,
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
    pub rules: Vec<String>,
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
    /// Every rule's level, by name.
    pub rules: BTreeMap<String, Level>,
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
                .map(|r| (r.name().to_string(), r.default_level()))
                .collect(),
            zone_defs: Vec::new(),
            exceptions: Vec::new(),
            fingerprints: Vec::new(),
        }
    }

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

    /// The level of `rule` under this policy (allow for an unknown name).
    pub fn level(&self, rule: &str) -> Level {
        self.rules.get(rule).copied().unwrap_or(Level::Allow)
    }

    /// The level of `rule` with the command line's overrides applied.
    pub fn effective_level(&self, rule: &str, overrides: &Overrides) -> Level {
        overrides.level_of(rule).unwrap_or_else(|| self.level(rule))
    }

    /// Applies command-line overrides to the policy itself (e.g. before `policy show`).
    pub fn apply_overrides(&mut self, overrides: &Overrides) -> Result<(), PolicyError> {
        overrides.validate()?;
        for name in self.rules.keys().cloned().collect::<Vec<_>>() {
            if let Some(level) = overrides.level_of(&name) {
                self.rules.insert(name, level);
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

// ---------------------------------------------------------------------------------------------
// The file format, as read. Every field is optional: a layer changes only what it names.

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawPolicy {
    extends: Option<Spanned<String>>,
    mode: Option<Mode>,
    about: Option<RawAbout>,
    ai: Option<RawAi>,
    disclosure: Option<RawDisclosure>,
    limits: Option<RawLimits>,
    dco: Option<RawDco>,
    review: Option<RawReview>,
    agreement: Option<RawAgreement>,
    trial: Option<RawTrial>,
    files: Option<RawFiles>,
    code: Option<RawCode>,
    zones: Option<RawZones>,
    rules: Option<BTreeMap<Spanned<String>, Level>>,
    zone: Option<Vec<Spanned<RawZone>>>,
    exception: Option<Vec<Spanned<RawException>>>,
    fingerprint: Option<Vec<Spanned<RawFingerprint>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawAbout {
    title: Option<String>,
    source: Option<String>,
    summary: Option<String>,
    vague: Option<Vec<String>>,
    status: Option<RawStatus>,
    clause: Option<Vec<Spanned<RawClause>>>,
    addition: Option<Vec<Spanned<RawAddition>>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawStatus {
    state: SourceState,
    date: Option<Spanned<String>>,
    revision: Option<String>,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawClause {
    quote: Option<String>,
    paraphrase: Option<String>,
    source: String,
    date: String,
    strength: Strength,
    rules: Option<Vec<Spanned<String>>>,
    unchecked: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawAddition {
    rules: Vec<Spanned<String>>,
    reason: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawAi {
    allowed: Option<bool>,
    tools: Option<Vec<String>>,
    models: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawDisclosure {
    placement: Option<Placement>,
    accept_ai_coauthor: Option<bool>,
    not_for_ai: Option<Vec<Spanned<String>>>,
    trailer: Option<Vec<Spanned<RawTrailer>>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawTrailer {
    key: Spanned<String>,
    syntax: Option<Syntax>,
    vocabulary: Option<Vec<String>>,
    enforce_vocabulary: Option<bool>,
    no_output: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawLimits {
    ai_code_lines: Option<Spanned<i64>>,
    inclusive: Option<bool>,
    forbid_splitting: Option<bool>,
    area_depth: Option<Spanned<i64>>,
    mechanical_exempt: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawDco {
    identity: Option<IdentityMatch>,
    allow_noreply: Option<bool>,
    ignore_subaddress: Option<bool>,
    accept_committer: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawReview {
    trailers: Option<Vec<Spanned<String>>>,
    applies_to: Option<AppliesTo>,
    from: Option<ReviewFrom>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawAgreement {
    trailers: Option<Vec<Spanned<String>>>,
    from: Option<AgreementFrom>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawTrial {
    contributors: Option<Vec<String>>,
    start: Option<Spanned<String>>,
    end: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawFiles {
    spdx_extensions: Option<Vec<String>>,
    spdx_names: Option<Vec<String>>,
    licenses: Option<Vec<String>>,
    preferred_licenses: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawCode {
    insecure_calls: Option<Vec<Spanned<String>>>,
    python_insecure_calls: Option<Vec<Spanned<String>>>,
    prefer: Option<Vec<RawPreference>>,
    assertion_helpers: Option<Vec<Spanned<String>>>,
    known_symbols: Option<Vec<Spanned<String>>>,
    system_headers: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawPreference {
    avoid: Spanned<String>,
    instead: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawZones {
    maintainers_file: Option<Spanned<String>>,
    maintainers_keywords: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawZone {
    name: Spanned<String>,
    description: Option<String>,
    tier: Option<Tier>,
    kind: Option<Kind>,
    exempt: Option<Spanned<bool>>,
    paths: Option<Vec<Spanned<String>>>,
    exclude: Option<Vec<Spanned<String>>>,
    sections: Option<Vec<String>>,
    maintainers: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawException {
    reason: Option<Spanned<String>>,
    rules: Option<Vec<Spanned<String>>>,
    paths: Option<Vec<Spanned<String>>>,
    authors: Option<Vec<String>>,
    commits: Option<Vec<Spanned<String>>>,
    message_ids: Option<Vec<String>>,
    expires: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawFingerprint {
    tool: String,
    field: FingerprintField,
    pattern: Spanned<String>,
    confidence: Option<Confidence>,
}

fn parse_raw(text: &str, origin: &str) -> Result<RawPolicy, PolicyError> {
    toml::from_str::<RawPolicy>(text).map_err(|e| {
        let loc = match e.span() {
            Some(span) => Loc::of(origin, text, span),
            None => Loc::nowhere(origin),
        };
        let message = e.message().trim().to_string();
        let hint = if message.contains("unknown field") {
            "see docs/policy.md for every setting, or `provgate init` for a commented example"
        } else if message.contains("unknown variant") {
            "use one of the values listed in the message"
        } else {
            "the file must be valid TOML; see docs/policy.md"
        };
        loc.error(PolicyErrorKind::Syntax(message), hint)
    })
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

    fn rule_name(&self, name: &Spanned<String>) -> Result<String, PolicyError> {
        if crate::rules::find(name.get_ref()).is_none() {
            return Err(unknown_rule(&self.loc(name.span()), name.get_ref()));
        }
        Ok(name.get_ref().clone())
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
