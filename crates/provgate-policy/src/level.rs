//! Rule levels, and the command line's re-levelling of rules.

use serde::{Deserialize, Serialize};

use crate::error::{Loc, PolicyError, PolicyErrorKind};
use crate::rules::RuleId;

/// How much a rule's finding matters: the ordering is `Allow < Warn < Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The rule does not run; its findings are not reported.
    Allow,
    /// Reported; never fails the check.
    Warn,
    /// Reported; fails the check (unless the policy's mode is `warn`).
    Deny,
}

impl Level {
    /// The lowercase name used in policy files, reports and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so that a width (`{:<32}`) lines names up as it does for strings.
        f.pad(self.as_str())
    }
}

/// Rule levels given on the command line (`-A/-W/-D NAME`), applied over the policy file's.
///
/// When one rule appears in several lists, the strictest wins (deny over warn over allow), so
/// that a CI configuration cannot be weakened by appending a flag in a wrapper script by mistake.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Rules to switch off.
    pub allow: Vec<RuleId>,
    /// Rules to report as warnings.
    pub warn: Vec<RuleId>,
    /// Rules to fail on.
    pub deny: Vec<RuleId>,
}

impl Overrides {
    /// Reads the names given with `-A`, `-W` and `-D`; the error names the first unknown one
    /// (in that order) with the closest rule name as a hint.
    pub fn parse(
        allow: &[String],
        warn: &[String],
        deny: &[String],
    ) -> Result<Overrides, PolicyError> {
        let ids = |names: &[String]| {
            names
                .iter()
                .map(|name| {
                    name.parse::<RuleId>()
                        .map_err(|_| unknown_rule(&Loc::nowhere("command line"), name))
                })
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Overrides {
            allow: ids(allow)?,
            warn: ids(warn)?,
            deny: ids(deny)?,
        })
    }

    /// The level the command line sets for `rule`, if any.
    pub fn level_of(&self, rule: RuleId) -> Option<Level> {
        let has = |list: &[RuleId]| list.contains(&rule);
        if has(&self.deny) {
            Some(Level::Deny)
        } else if has(&self.warn) {
            Some(Level::Warn)
        } else if has(&self.allow) {
            Some(Level::Allow)
        } else {
            None
        }
    }

    /// Whether no rule is re-levelled.
    pub fn is_empty(&self) -> bool {
        self.allow.is_empty() && self.warn.is_empty() && self.deny.is_empty()
    }
}

/// The error for a rule name no rule has, with the closest known name as a hint.
pub(crate) fn unknown_rule(loc: &Loc, name: &str) -> PolicyError {
    let hint = match closest_rule(name) {
        Some(close) => {
            format!("did you mean `{close}`? `provgate explain --list` lists every rule")
        }
        None => "`provgate explain --list` lists every rule".to_string(),
    };
    loc.error(PolicyErrorKind::UnknownRule(name.to_string()), hint)
}

fn closest_rule(name: &str) -> Option<&'static str> {
    RuleId::ALL
        .iter()
        .map(|id| (edit_distance(name, id.as_str()), id.as_str()))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, n)| n)
}

/// Levenshtein distance over characters, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictest_override_wins() {
        let o = Overrides {
            allow: vec![RuleId::BidiControl],
            deny: vec![RuleId::BidiControl],
            ..Overrides::default()
        };
        assert_eq!(o.level_of(RuleId::BidiControl), Some(Level::Deny));
        assert_eq!(o.level_of(RuleId::UndisclosedAi), None);
    }

    #[test]
    fn unknown_names_are_errors_with_a_suggestion() {
        let e = Overrides::parse(&[], &["undisclosed-aj".to_string()], &[]).unwrap_err();
        assert_eq!(
            e.kind,
            PolicyErrorKind::UnknownRule("undisclosed-aj".into())
        );
        assert!(e.hint.contains("undisclosed-ai"), "{}", e.hint);
    }

    #[test]
    fn distance() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "ab"), 2);
    }
}
