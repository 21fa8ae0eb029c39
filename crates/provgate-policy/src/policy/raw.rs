//! The policy file format, as written: every field is optional, because a layer changes only
//! what it names. Values keep their spans so that validation can point at the line and column
//! that wrote a bad value; `resolve` checks them and layers them onto the model.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::{
    AgreementFrom, AppliesTo, Confidence, FingerprintField, IdentityMatch, Kind, Mode, Placement,
    ReviewFrom, SourceState, Strength, Syntax, Tier,
};
use crate::error::{Loc, PolicyError, PolicyErrorKind};
use crate::level::Level;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawPolicy {
    pub(super) extends: Option<Spanned<String>>,
    pub(super) mode: Option<Mode>,
    pub(super) about: Option<RawAbout>,
    pub(super) ai: Option<RawAi>,
    pub(super) disclosure: Option<RawDisclosure>,
    pub(super) limits: Option<RawLimits>,
    pub(super) dco: Option<RawDco>,
    pub(super) review: Option<RawReview>,
    pub(super) agreement: Option<RawAgreement>,
    pub(super) trial: Option<RawTrial>,
    pub(super) files: Option<RawFiles>,
    pub(super) code: Option<RawCode>,
    pub(super) zones: Option<RawZones>,
    pub(super) rules: Option<BTreeMap<Spanned<String>, Level>>,
    pub(super) zone: Option<Vec<Spanned<RawZone>>>,
    pub(super) exception: Option<Vec<Spanned<RawException>>>,
    pub(super) fingerprint: Option<Vec<Spanned<RawFingerprint>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawAbout {
    pub(super) title: Option<String>,
    pub(super) source: Option<String>,
    pub(super) summary: Option<String>,
    pub(super) vague: Option<Vec<String>>,
    pub(super) status: Option<RawStatus>,
    pub(super) clause: Option<Vec<Spanned<RawClause>>>,
    pub(super) addition: Option<Vec<Spanned<RawAddition>>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawStatus {
    pub(super) state: SourceState,
    pub(super) date: Option<Spanned<String>>,
    pub(super) revision: Option<String>,
    pub(super) note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawClause {
    pub(super) quote: Option<String>,
    pub(super) paraphrase: Option<String>,
    pub(super) source: String,
    pub(super) date: String,
    pub(super) strength: Strength,
    pub(super) rules: Option<Vec<Spanned<String>>>,
    pub(super) unchecked: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawAddition {
    pub(super) rules: Vec<Spanned<String>>,
    pub(super) reason: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawAi {
    pub(super) allowed: Option<bool>,
    pub(super) tools: Option<Vec<String>>,
    pub(super) models: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawDisclosure {
    pub(super) placement: Option<Placement>,
    pub(super) accept_ai_coauthor: Option<bool>,
    pub(super) not_for_ai: Option<Vec<Spanned<String>>>,
    pub(super) trailer: Option<Vec<Spanned<RawTrailer>>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawTrailer {
    pub(super) key: Spanned<String>,
    pub(super) syntax: Option<Syntax>,
    pub(super) vocabulary: Option<Vec<String>>,
    pub(super) enforce_vocabulary: Option<bool>,
    pub(super) no_output: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawLimits {
    pub(super) ai_code_lines: Option<Spanned<i64>>,
    pub(super) inclusive: Option<bool>,
    pub(super) forbid_splitting: Option<bool>,
    pub(super) area_depth: Option<Spanned<i64>>,
    pub(super) mechanical_exempt: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawDco {
    pub(super) identity: Option<IdentityMatch>,
    pub(super) allow_noreply: Option<bool>,
    pub(super) ignore_subaddress: Option<bool>,
    pub(super) accept_committer: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawReview {
    pub(super) trailers: Option<Vec<Spanned<String>>>,
    pub(super) applies_to: Option<AppliesTo>,
    pub(super) from: Option<ReviewFrom>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawAgreement {
    pub(super) trailers: Option<Vec<Spanned<String>>>,
    pub(super) from: Option<AgreementFrom>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawTrial {
    pub(super) contributors: Option<Vec<String>>,
    pub(super) start: Option<Spanned<String>>,
    pub(super) end: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawFiles {
    pub(super) spdx_extensions: Option<Vec<String>>,
    pub(super) spdx_names: Option<Vec<String>>,
    pub(super) licenses: Option<Vec<String>>,
    pub(super) preferred_licenses: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawCode {
    pub(super) insecure_calls: Option<Vec<Spanned<String>>>,
    pub(super) python_insecure_calls: Option<Vec<Spanned<String>>>,
    pub(super) prefer: Option<Vec<RawPreference>>,
    pub(super) assertion_helpers: Option<Vec<Spanned<String>>>,
    pub(super) known_symbols: Option<Vec<Spanned<String>>>,
    pub(super) system_headers: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawPreference {
    pub(super) avoid: Spanned<String>,
    pub(super) instead: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawZones {
    pub(super) maintainers_file: Option<Spanned<String>>,
    pub(super) maintainers_keywords: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawZone {
    pub(super) name: Spanned<String>,
    pub(super) description: Option<String>,
    pub(super) tier: Option<Tier>,
    pub(super) kind: Option<Kind>,
    pub(super) exempt: Option<Spanned<bool>>,
    pub(super) paths: Option<Vec<Spanned<String>>>,
    pub(super) exclude: Option<Vec<Spanned<String>>>,
    pub(super) sections: Option<Vec<String>>,
    pub(super) maintainers: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawException {
    pub(super) reason: Option<Spanned<String>>,
    pub(super) rules: Option<Vec<Spanned<String>>>,
    pub(super) paths: Option<Vec<Spanned<String>>>,
    pub(super) authors: Option<Vec<String>>,
    pub(super) commits: Option<Vec<Spanned<String>>>,
    pub(super) message_ids: Option<Vec<String>>,
    pub(super) expires: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawFingerprint {
    pub(super) tool: String,
    pub(super) field: FingerprintField,
    pub(super) pattern: Spanned<String>,
    pub(super) confidence: Option<Confidence>,
}

pub(super) fn parse_raw(text: &str, origin: &str) -> Result<RawPolicy, PolicyError> {
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
