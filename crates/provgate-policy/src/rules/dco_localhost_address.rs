//! `dco-localhost-address`: an author or sign-off address that no one can reach.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::identity::parse_person;
use crate::level::Level;

/// See [`DOC`].
pub struct DcoLocalhostAddress;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DcoLocalhostAddress,
    summary: "The author's or a sign-off's e-mail address is a machine-local one (`localhost`, `.localdomain`, `(none)`).",
    what: "Reports the author and each `Signed-off-by:` whose address has no domain, or whose domain is `localhost`, `localhost.localdomain`, ends in `.localdomain` or `.local`, or is git's unconfigured `(none)`.",
    why: "Such an address comes from an unconfigured `user.email`; it identifies no one, so the DCO certification it carries cannot be traced back to a person.",
    policy: "QEMU's CI runs a DCO check per commit that fails on `localhost` e-mail addresses; QEMU `code-provenance.rst`: the name must not be anonymous or misleading.",
    failing: "From: Jane Doe <jane@laptop.localdomain>\n\nfix leak\n\nSigned-off-by: Jane Doe <jane@laptop.localdomain>\n",
    passing: "From: Jane Doe <jane@example.org>\n\nfix leak\n\nSigned-off-by: Jane Doe <jane@example.org>\n",
    setup: super::ExampleSetup::NONE,
    fix: "Set `git config user.email` to your real address, then `git commit --amend --reset-author -s` (the sign-off line may need editing).",
};

/// Whether `email` is a machine-local address.
fn local(email: &str) -> bool {
    let email = email.trim().to_ascii_lowercase();
    let Some((_, domain)) = email.rsplit_once('@') else {
        return true;
    };
    domain.is_empty()
        || domain == "localhost"
        || domain == "(none)"
        || domain.ends_with(".localdomain")
        || domain == "localdomain"
        || domain.ends_with(".local")
        || domain.ends_with(".(none)")
}

impl Rule for DcoLocalhostAddress {
    fn default_level(&self) -> Level {
        Level::Warn
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        let patch = cx.patch();
        let mut out = Vec::new();
        if let Some(a) = &patch.author
            && !a.email.is_empty()
            && local(&a.email)
        {
            out.push(
                Finding::new(DOC.id, format!("the author's address {} is machine-local", a.email))
                    .help("set `git config user.email` to your real address and `git commit --amend --reset-author`"),
            );
        }
        for t in patch.trailers_named("Signed-off-by") {
            if let Some(p) = parse_person(&t.value)
                && local(&p.email)
            {
                out.push(
                    Finding::new(
                        DOC.id,
                        format!("`Signed-off-by: {}` uses a machine-local address", t.value),
                    )
                    .at_message_line(t.line)
                    .help("sign off with your real address"),
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn local_addresses() {
        for a in [
            "j@localhost",
            "j@laptop.localdomain",
            "j@(none)",
            "j@host.(none)",
            "j@mac.local",
            "nobody",
        ] {
            assert!(super::local(a), "{a}");
        }
        for a in [
            "j@example.org",
            "j@localhost.example.org",
            "1+j@users.noreply.github.com",
        ] {
            assert!(!super::local(a), "{a}");
        }
    }
}
