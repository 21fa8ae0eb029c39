//! The rule engine's parts: the [`Rule`] trait, rule documentation, the context a rule sees, and
//! the registry.
//!
//! A rule is a small type in its own file with a stable kebab-case name, a default level, its
//! documentation and a check over one patch (and optionally over a whole series). Adding a rule is
//! one file here and one line in the registry.

use provgate_patch::{FileStatus, Patch, Series};
use serde::Serialize;

use crate::classify::FileClass;
use crate::evidence::{AiEvidence, AiWeight};
use crate::identity::{parse_person, reply_trailer_is_senders, same_email};
use crate::level::Level;
use crate::policy::{Policy, Tier};
use crate::zones::{ZoneInfo, Zones};

/// Implements [`Rule`] for a code rule: its findings are the code analysis's issues under its
/// id ([`PatchContext::code_findings`]), at `warn` unless a preset says otherwise. The rule's
/// file keeps its type and its `DOC`.
macro_rules! code_rule {
    ($rule:ident) => {
        impl super::Rule for $rule {
            fn default_level(&self) -> crate::level::Level {
                crate::level::Level::Warn
            }
            fn doc(&self) -> &'static super::RuleDoc {
                &DOC
            }
            fn is_code_rule(&self) -> bool {
                true
            }
            fn check(&self, cx: &super::PatchContext<'_>) -> Vec<super::Finding> {
                cx.code_findings(DOC.id)
            }
        }
    };
}

/// Declares each rule's module, its [`RuleId`] variant with the kebab-case name (the only place
/// the name is written) and its entry in `RULES`: adding a rule is one file in this folder and
/// one line here.
macro_rules! registry {
    ($($module:ident :: $rule:ident => $id:ident = $name:literal),* $(,)?) => {
        $(mod $module;)*

        /// A rule's identity: one variant per registered rule. Its text form is the stable
        /// kebab-case name used in policy files, on the command line and in reports.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum RuleId {
            $(
                #[doc = concat!("`", $name, "`")]
                $id,
            )*
        }

        impl RuleId {
            /// Every rule id, in the order reports list the rules.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$id),*];

            /// The kebab-case name (`undisclosed-ai`).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(RuleId::$id => $name,)*
                }
            }
        }

        /// Every rule, in the order of [`RuleId::ALL`].
        static RULES: &[&dyn Rule] = &[$(&$module::$rule),*];
    };
}

registry! {
    dco_missing_signoff::DcoMissingSignoff => DcoMissingSignoff = "dco-missing-signoff",
    dco_author_mismatch::DcoAuthorMismatch => DcoAuthorMismatch = "dco-author-mismatch",
    dco_codeveloped::DcoCodevelopedWithoutSignoff => DcoCodevelopedWithoutSignoff = "dco-codeveloped-without-signoff",
    dco_localhost_address::DcoLocalhostAddress => DcoLocalhostAddress = "dco-localhost-address",
    ai_signoff::AiSignoff => AiSignoff = "ai-signoff",
    disclosure_syntax::DisclosureSyntax => DisclosureSyntax = "disclosure-syntax",
    disclosure_vocabulary::DisclosureVocabulary => DisclosureVocabulary = "disclosure-vocabulary",
    disclosure_placement::DisclosurePlacement => DisclosurePlacement = "disclosure-placement",
    disclosure_wrong_trailer::DisclosureWrongTrailer => DisclosureWrongTrailer = "disclosure-wrong-trailer",
    ai_coauthor_forbidden::AiCoauthorForbidden => AiCoauthorForbidden = "ai-coauthor-forbidden",
    ai_agent_author::AiAgentAuthor => AiAgentAuthor = "ai-agent-author",
    undisclosed_ai::UndisclosedAi => UndisclosedAi = "undisclosed-ai",
    ai_banned::AiBanned => AiBanned = "ai-banned",
    protected_zone::ProtectedZone => ProtectedZone = "protected-zone",
    ai_line_limit::AiLineLimit => AiLineLimit = "ai-line-limit",
    ai_split_series::AiSplitSeries => AiSplitSeries = "ai-split-series",
    ai_written_message::AiWrittenMessage => AiWrittenMessage = "ai-written-message",
    trial_scope::TrialScope => TrialScope = "trial-scope",
    review_missing::ReviewMissing => ReviewMissing = "review-missing",
    spdx_missing::SpdxMissing => SpdxMissing = "spdx-missing",
    spdx_license::SpdxLicense => SpdxLicense = "spdx-license",
    maintainers_update::MaintainersUpdate => MaintainersUpdate = "maintainers-update",
    bidi_control::BidiControl => BidiControl = "bidi-control",
    confusable_trailer::ConfusableTrailer => ConfusableTrailer = "confusable-trailer",
    munged_author::MungedAuthor => MungedAuthor = "munged-author",
    stale_waiver::StaleWaiver => StaleWaiver = "stale-waiver",
    unknown_symbol::UnknownSymbol => UnknownSymbol = "unknown-symbol",
    insecure_call::InsecureCall => InsecureCall = "insecure-call",
    insecure_idiom::InsecureIdiom => InsecureIdiom = "insecure-idiom",
    preferred_api::PreferredApi => PreferredApi = "preferred-api",
    new_unsafe::NewUnsafe => NewUnsafe = "new-unsafe",
    test_without_assertion::TestWithoutAssertion => TestWithoutAssertion = "test-without-assertion",
    regression_test_unproven::RegressionTestUnproven => RegressionTestUnproven = "regression-test-unproven",
}

impl RuleId {
    /// The rule with this id.
    pub fn rule(self) -> &'static dyn Rule {
        // RULES and ALL are generated from the same list, in the same order.
        RULES[self as usize]
    }
}

/// A name that is no rule's, from [`RuleId`]'s `FromStr`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule `{0}`")]
pub struct UnknownRuleId(pub String);

impl std::str::FromStr for RuleId {
    type Err = UnknownRuleId;

    fn from_str(s: &str) -> Result<RuleId, UnknownRuleId> {
        RuleId::ALL
            .iter()
            .copied()
            .find(|id| id.as_str() == s)
            .ok_or_else(|| UnknownRuleId(s.to_string()))
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so that a width (`{:<32}`) lines names up as it does for strings.
        f.pad(self.as_str())
    }
}

// Ordered by name, not by declaration, so that maps keyed by id (a policy's `[rules]`) and sorted
// findings keep the alphabetical order they had as strings.
impl Ord for RuleId {
    fn cmp(&self, other: &RuleId) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for RuleId {
    fn partial_cmp(&self, other: &RuleId) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for RuleId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<RuleId, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// Every registered rule.
pub fn all() -> &'static [&'static dyn Rule] {
    RULES
}

/// The rule named `name`, for the edges that read names (policy files, the command line,
/// `provgate explain`).
pub fn find(name: &str) -> Option<&'static dyn Rule> {
    name.parse::<RuleId>().ok().map(RuleId::rule)
}

/// A rule's documentation: `provgate explain NAME` and `docs/rules/NAME.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleDoc {
    /// The rule it documents (serialised as its name).
    #[serde(rename = "name")]
    pub id: RuleId,
    /// One line.
    pub summary: &'static str,
    /// What it checks, precisely.
    pub what: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// Which published policy text requires it.
    pub policy: &'static str,
    /// A commit message or patch that triggers it.
    pub failing: &'static str,
    /// A near miss that does not.
    pub passing: &'static str,
    /// What the examples need besides what their text shows as a patch.
    #[serde(skip)]
    pub setup: ExampleSetup,
    /// How to fix a finding.
    pub fix: &'static str,
}

/// What a rule's examples need besides the patch or series their text shows: the text says it
/// for the reader (`qemu preset, with a protected zone …`), this says it for the test that runs
/// every example (`tests/examples.rs`), so that an example needing a policy, a repository or a
/// proof is run as documented instead of being taken on trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExampleSetup {
    /// Policy TOML layered over the preset the example names (the test adds `extends`). When
    /// the example shows TOML under its first line, it is this text.
    pub policy: &'static str,
    /// The stage both examples are checked at.
    pub stage: Stage,
    /// Files at the root of the repository the check runs in, as `(path, text)`: a MAINTAINERS
    /// file.
    pub files: &'static [(&'static str, &'static str)],
    /// The outcome of the regression-test proof handed in with the failing example and with the
    /// passing one (`provgate check --proof`).
    pub proofs: [Option<crate::code::ProofOutcome>; 2],
}

impl ExampleSetup {
    /// Nothing besides the example's text: the preset it names, at submission, no repository.
    pub const NONE: ExampleSetup = ExampleSetup {
        policy: "",
        stage: Stage::Submit,
        files: &[],
        proofs: [None, None],
    };
}

/// The stage of the contribution: on submission, or when a maintainer merges it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// A patch as sent or pushed for review.
    #[default]
    Submit,
    /// A patch about to be merged: review trailers are expected.
    Merge,
}

impl Stage {
    /// The kebab-case name used on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Submit => "submit",
            Stage::Merge => "merge",
        }
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so that a width (`{:<32}`) lines names up as it does for strings.
        f.pad(self.as_str())
    }
}

/// One problem found by a rule: the one finding type of reports, scans, attestations and the
/// audit log, which serialise it with the same field names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Finding {
    /// The rule (serialised as its name).
    pub rule: RuleId,
    /// The level it is reported at.
    pub level: Level,
    /// A sentence naming the problem.
    pub message: String,
    /// The patch it concerns (none for series-level and policy-level findings).
    #[serde(rename = "patch")]
    pub patch_id: Option<String>,
    /// The file it concerns: a path of the patch, or the policy file for `stale-waiver`.
    pub path: Option<String>,
    /// A new-file line of `path`, or the message line of a trailer when `path` is `None`.
    pub line: Option<u32>,
    /// What to do about it.
    #[serde(default)]
    pub help: Option<String>,
}

impl Finding {
    /// A finding of `rule`. Its level is the most this finding may be reported at; the engine
    /// lowers it to the rule's configured level.
    pub fn new(rule: RuleId, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            level: Level::Deny,
            message: message.into(),
            patch_id: None,
            path: None,
            line: None,
            help: None,
        }
    }

    /// Points the finding at a file and new-file line.
    pub fn at(mut self, path: &str, line: Option<u32>) -> Finding {
        self.path = Some(path.to_string());
        self.line = line;
        self
    }

    /// Points the finding at a line of the commit message (a trailer's line).
    pub fn at_message_line(mut self, line: usize) -> Finding {
        self.line = u32::try_from(line).ok();
        self
    }

    /// Adds advice.
    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    /// Caps the level (e.g. a medium-confidence fingerprint is never more than a warning).
    pub fn at_most(mut self, level: Level) -> Finding {
        self.level = self.level.min(level);
        self
    }
}

/// What is known about one file of a patch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileFacts {
    /// The file's path (after the change; before it for a deletion).
    pub path: String,
    /// What happened to it.
    pub status: FileStatus,
    /// Its zones, kind, sections and people.
    pub zone: ZoneInfo,
    /// Its classification and lines of code.
    pub class: FileClass,
}

/// What is known about one patch before the rules run.
#[derive(Debug, Clone)]
pub struct PatchFacts<'a> {
    /// The patch.
    pub patch: &'a Patch,
    /// Its AI evidence.
    pub evidence: AiEvidence,
    /// Its files.
    pub files: Vec<FileFacts>,
    /// Lines of code over all files (see [`crate::classify`]).
    pub code_lines: u32,
    /// Set when the patch is a mechanical token substitution (a rename), read from the diff's
    /// text with or without code analysis.
    pub mechanical: Option<crate::code::Mechanical>,
    /// What code analysis found, when the check ran with a [`crate::code::CodeAnalyzer`].
    pub code: Option<crate::code::CodeFacts>,
}

/// What a rule sees when checking one patch.
pub struct PatchContext<'a> {
    /// The policy.
    pub policy: &'a Policy,
    /// The patch and what is known about it.
    pub facts: &'a PatchFacts<'a>,
    /// The series it belongs to.
    pub series: &'a Series,
    /// The zones.
    pub zones: &'a Zones,
    /// Submit or merge.
    pub stage: Stage,
    /// Today's date, for trials.
    pub today: jiff::civil::Date,
    /// The regression-test proof handed in for this patch, when one was (with or without code
    /// analysis).
    pub proof: Option<&'a crate::code::ProofFacts>,
}

impl PatchContext<'_> {
    /// The patch.
    pub fn patch(&self) -> &Patch {
        self.facts.patch
    }

    /// Whether the message is available (plain diffs have none, so message rules skip them).
    pub fn has_message(&self) -> bool {
        !matches!(self.facts.patch.origin, provgate_patch::Origin::Diff { .. })
            || !self.facts.patch.message.is_empty()
    }

    /// People named by trailers with one of `keys`, other than the author and AI identities,
    /// with the trailer's line (0 for a trailer given in a reviewer's reply: `b4 am` would add
    /// those to the patch, so they count as the patch's own). A reply's trailer counts only when
    /// it names the reply's sender ([`reply_trailer_is_senders`]): otherwise anyone on the list
    /// could agree or review in a maintainer's name.
    pub fn humans_in(&self, keys: &[String]) -> Vec<(provgate_patch::Person, usize)> {
        let author = self.facts.patch.author.as_ref();
        let ignore_sub = self.policy.dco.ignore_subaddress;
        let mailmap = self.zones.mailmap();
        let from_replies = self
            .facts
            .patch
            .review
            .iter()
            .filter(|r| reply_trailer_is_senders(r, mailmap, ignore_sub))
            .map(|r| provgate_patch::Trailer {
                line: 0,
                ..r.trailer.clone()
            });
        self.facts
            .patch
            .trailers
            .iter()
            .cloned()
            .chain(from_replies)
            .filter(|t| keys.iter().any(|k| t.is(k)))
            .filter_map(|t| parse_person(&t.value).map(|p| (p, t.line)))
            .filter(|(p, _)| crate::fingerprints::ai_identity(p).is_none())
            .filter(|(p, _)| !author.is_some_and(|a| same_email(&a.email, &p.email, ignore_sub)))
            .collect()
    }

    /// Whether a trailer in `policy.agreement` records agreement for `files` (every file in the
    /// list must be covered by someone allowed to agree for it).
    pub fn has_agreement(&self, files: &[&FileFacts]) -> bool {
        let agreeing = self.humans_in(&self.policy.agreement.trailers);
        if agreeing.is_empty() {
            return false;
        }
        match self.policy.agreement.from {
            crate::policy::AgreementFrom::Anyone => true,
            crate::policy::AgreementFrom::ZoneMaintainer => files.iter().all(|f| {
                let people = self.zones.agreement_people(&f.zone);
                agreeing
                    .iter()
                    .any(|(p, _)| people.iter().any(|m| names_address(m, &p.email)))
            }),
        }
    }

    /// The findings code analysis made for `rule`, pointed at their file and line (none when the
    /// check ran without code analysis).
    pub fn code_findings(&self, rule: RuleId) -> Vec<Finding> {
        let Some(code) = &self.facts.code else {
            return Vec::new();
        };
        code.issues
            .iter()
            .filter(|i| i.rule == rule)
            .map(|i| {
                let f = Finding::new(rule, i.message.clone()).at(&i.path, Some(i.line));
                match &i.help {
                    Some(h) => f.help(h.clone()),
                    None => f,
                }
            })
            .collect()
    }

    /// The files in protected zones that are not exempt.
    pub fn protected_files(&self) -> Vec<&FileFacts> {
        self.facts
            .files
            .iter()
            .filter(|f| f.zone.tier == Tier::Protected && !f.zone.exempt)
            .collect()
    }
}

/// Whether `entry` (`Name <email>` or a bare address) names the address `email`.
pub(crate) fn names_address(entry: &str, email: &str) -> bool {
    parse_person(entry).is_some_and(|p| same_email(&p.email, email, false))
}

/// What a rule sees when checking a whole series.
pub struct SeriesContext<'a> {
    /// The policy.
    pub policy: &'a Policy,
    /// The series.
    pub series: &'a Series,
    /// Its patches (cover letter excluded) and what is known about them, in order.
    pub patches: &'a [PatchFacts<'a>],
    /// The zones.
    pub zones: &'a Zones,
    /// Submit or merge.
    pub stage: Stage,
}

/// What a rule's findings take for granted about a patch's AI use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AiPremise {
    /// That AI output is in the patch ([`AiEvidence::ai_assisted`]).
    Assisted,
    /// That AI may have written its code ([`AiEvidence::ai_code`]).
    Code,
}

impl AiPremise {
    /// How firmly `evidence` bears the premise out; `None` when it does not.
    pub fn weight(self, evidence: &AiEvidence) -> Option<AiWeight> {
        match self {
            AiPremise::Assisted => evidence.assisted_weight(),
            AiPremise::Code => evidence.code_weight(),
        }
    }
}

/// A provenance rule.
pub trait Rule: Sync {
    /// The rule's id, from its documentation.
    fn id(&self) -> RuleId {
        self.doc().id
    }
    /// The stable kebab-case name (`undisclosed-ai`).
    fn name(&self) -> &'static str {
        self.id().as_str()
    }
    /// The level when neither preset nor policy says otherwise.
    fn default_level(&self) -> Level;
    /// The documentation.
    fn doc(&self) -> &'static RuleDoc;
    /// Whether the policy's settings give the rule anything to check (e.g. `ai-line-limit` needs
    /// a limit). An inactive rule reports nothing whatever its level; documents leave it out.
    fn applies(&self, _policy: &Policy) -> bool {
        true
    }
    /// Why the rule cannot judge this repository, when a fact it rests on is missing (no
    /// MAINTAINERS file for `maintainers-update`): the rule then stays silent and the check says
    /// why in its notes, instead of reporting what it cannot know.
    fn missing_premise(&self, _policy: &Policy, _zones: &Zones) -> Option<String> {
        None
    }
    /// Whether the rule's findings are the code analysis's issues
    /// ([`PatchContext::code_findings`]): it says nothing unless provgate-analysis reads the code.
    fn is_code_rule(&self) -> bool {
        false
    }
    /// The AI evidence the rule's patch findings rest on, if any. The check weighs it once for
    /// every such rule: when the evidence is only a sign to confirm ([`AiWeight::ToConfirm`]),
    /// each finding is lowered to a warning that names the sign.
    ///
    /// The policy is given because a rule may rest on AI evidence only under some settings
    /// (`review-missing` with `[review] applies-to = "ai-assisted"`, not `"all"`).
    fn ai_premise(&self, _policy: &Policy) -> Option<AiPremise> {
        None
    }
    /// Findings for one patch.
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding>;
    /// Findings for a whole series (most rules have none).
    fn check_series(&self, _cx: &SeriesContext<'_>) -> Vec<Finding> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_resting_on_ai_evidence_say_how_a_sign_to_confirm_weighs() {
        for rule in RULES
            .iter()
            .filter(|r| r.ai_premise(&Policy::base()).is_some())
        {
            assert!(
                rule.doc().what.contains("warning to confirm"),
                "{}: its documentation must say that a medium-confidence sign alone is a warning to confirm",
                rule.id()
            );
        }
    }

    #[test]
    fn each_registry_line_names_its_own_rule() {
        assert_eq!(RULES.len(), RuleId::ALL.len());
        for (i, id) in RuleId::ALL.iter().enumerate() {
            assert_eq!(*id as usize, i);
            assert_eq!(RULES[i].id(), *id, "the DOC of {id} names another rule");
            assert_eq!(id.as_str().parse::<RuleId>(), Ok(*id));
        }
        assert_eq!(
            "undisclosed-aj".parse::<RuleId>(),
            Err(UnknownRuleId("undisclosed-aj".into()))
        );
    }

    #[test]
    fn ids_serialise_as_their_names_and_order_by_them() {
        let json = serde_json::to_string(&RuleId::DcoMissingSignoff).unwrap();
        assert_eq!(json, "\"dco-missing-signoff\"");
        let mut ids = RuleId::ALL.to_vec();
        ids.sort();
        let names: Vec<&str> = ids.iter().map(|id| id.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
    }
}
