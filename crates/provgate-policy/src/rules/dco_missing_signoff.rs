//! `dco-missing-signoff`: a commit without any `Signed-off-by`.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::level::Level;

/// See [`DOC`].
pub struct DcoMissingSignoff;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DcoMissingSignoff,
    summary: "The commit message has no `Signed-off-by:` trailer.",
    what: "Reports a patch whose trailer block (as `git interpret-trailers --parse` reads it) has no `Signed-off-by:` line. Plain diffs without a commit message are not checked.",
    why: "The sign-off certifies the Developer Certificate of Origin 1.1: the human sender takes legal responsibility for the contribution. Using AI does not relieve the author of it.",
    policy: "QEMU `docs/devel/code-provenance.rst`: every commit needs `Signed-off-by: NAME <EMAIL>`; the May 2026 proposal keeps this (\"Signed-off-by means the human takes responsibility\"). Linux `coding-assistants.rst`: only a human certifies the DCO. checkpatch: \"Missing Signed-off-by: line(s)\".",
    failing: "hw/arm: fix off-by-one in virt memory map\n\nThe last region overlapped the next one.\n",
    passing: "hw/arm: fix off-by-one in virt memory map\n\nThe last region overlapped the next one.\n\nSigned-off-by: Jane Doe <jane@example.org>\n",
    setup: super::ExampleSetup::NONE,
    fix: "Add your sign-off as the last trailer: `git commit --amend -s` (or `git rebase --signoff BASE` for a series). Only sign off if you can certify the DCO for the whole patch.",
};

impl Rule for DcoMissingSignoff {
    fn default_level(&self) -> Level {
        Level::Deny
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        if !cx.has_message() || cx.patch().trailers_named("Signed-off-by").next().is_some() {
            return Vec::new();
        }
        // A misspelt key (`Signed-of-by:`, seen in xen) is no sign-off for git either; point at it.
        let misspelt = cx
            .patch()
            .trailers
            .iter()
            .find(|t| looks_like_signoff(&t.key));
        match misspelt {
            Some(t) => vec![
                Finding::new(
                    DOC.id,
                    format!(
                        "the commit message has no Signed-off-by trailer; `{}:` is not one",
                        t.key
                    ),
                )
                .at_message_line(t.line)
                .help(format!(
                    "spell the key `Signed-off-by` (`{}` is read by git, checkpatch and the DCO bot as another trailer)",
                    t.key
                )),
            ],
            None => vec![Finding::new(DOC.id, "the commit message has no Signed-off-by trailer")
                .help("add your sign-off with `git commit --amend -s`; it certifies the Developer Certificate of Origin")],
        }
    }
}

/// Whether a trailer key is a near miss of `Signed-off-by` (one or two letters off, or spaced
/// differently), but not the key itself.
fn looks_like_signoff(key: &str) -> bool {
    let folded: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    folded != "signedoffby" && edit_distance(&folded, "signedoffby") <= 2
        || (folded == "signedoffby" && !key.eq_ignore_ascii_case("Signed-off-by"))
}

/// Levenshtein distance over bytes (keys are short ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous + usize::from(ca != cb);
            previous = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::looks_like_signoff;

    #[test]
    fn near_misses_of_the_key() {
        for key in ["Signed-of-by", "Signed-off-bye", "Signed off by", "Singed-off-by", "Signedoffby"] {
            assert!(looks_like_signoff(key), "{key}");
        }
        for key in ["Signed-off-by", "signed-off-by", "Acked-by", "Reviewed-by", "Tested-by"] {
            assert!(!looks_like_signoff(key), "{key}");
        }
    }
}
