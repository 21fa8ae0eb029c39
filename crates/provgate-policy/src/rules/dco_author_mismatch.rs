//! `dco-author-mismatch`: sign-offs exist, but none is the author's.

use provgate_patch::Person;

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::identity::{is_github_noreply, parse_person, same_email, same_name};
use crate::level::Level;
use crate::policy::{Dco, IdentityMatch};

/// See [`DOC`].
pub struct DcoAuthorMismatch;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::DcoAuthorMismatch,
    summary: "No `Signed-off-by:` matches the patch author.",
    what: "Reports a patch that has sign-offs, none of which names the author. Tolerance (policy `[dco]`): addresses compare case-insensitively; `identity = \"name-and-email\"` also compares names case-insensitively, without accents (`Monné` is `Monne`) and with whitespace folded, `identity = \"email\"` compares addresses only; `ignore-subaddress = true` compares `jane+tag@x` as `jane@x`; `allow-noreply = true` accepts, for an author with a GitHub noreply address (`ID+login@users.noreply.github.com`), a sign-off with the author's name and any address; `accept-committer = true` also accepts a sign-off matching the committer (the DCO bot's rule). Both sides are first mapped through the repository's `.mailmap`, as `git log` shows them.",
    why: "The author is the person who must certify the DCO. A patch signed off only by someone else (or under another address) leaves the author's certification missing, which is what checkpatch and the DCO bot catch.",
    policy: "QEMU `code-provenance.rst`: one Signed-off-by should match the git author's name and e-mail. checkpatch: \"From:/Signed-off-by: email name mismatch\" and sub-address mismatch. DCO bot: name and e-mail match the author or committer, case-insensitively.",
    failing: "From: Jane Doe <jane@example.org>\n\nfix leak\n\nSigned-off-by: J. Doe <jdoe@corp.example>\n",
    passing: "From: Jane Doe <Jane@Example.org>\n\nfix leak\n\nSigned-off-by: jane doe <jane@example.org>\n",
    setup: super::ExampleSetup::NONE,
    fix: "Sign off with the author identity (`git commit --amend -s` with the author's `user.name`/`user.email`), or fix the author (`git commit --amend --reset-author`). Without rewriting history, the DCO bot accepts a follow-up commit stating `I, NAME <EMAIL>, hereby add my Signed-off-by to this commit: SHA`.",
};

/// Whether the sign-off `sob` certifies for `who` under the policy's tolerance.
pub(crate) fn matches(dco: &Dco, who: &Person, sob: &Person) -> bool {
    if same_email(&who.email, &sob.email, dco.ignore_subaddress) {
        return dco.identity == IdentityMatch::Email
            || who.name.trim().is_empty()
            || same_name(&who.name, &sob.name);
    }
    dco.allow_noreply && is_github_noreply(&who.email) && same_name(&who.name, &sob.name)
}

impl Rule for DcoAuthorMismatch {
    fn default_level(&self) -> Level {
        Level::Warn
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        let patch = cx.patch();
        let Some(author) = &patch.author else {
            return Vec::new();
        };
        let sobs: Vec<_> = patch.trailers_named("Signed-off-by").collect();
        if sobs.is_empty() {
            return Vec::new();
        }
        let dco = &cx.policy.dco;
        // Compared as git shows them: through the repository's .mailmap, one person's several
        // addresses are one identity.
        let mailmap = cx.zones.mailmap();
        let canonical_author = mailmap.map(author);
        let committer = patch.committer.as_ref().map(|c| mailmap.map(c));
        let ok = sobs.iter().filter_map(|t| parse_person(&t.value)).any(|p| {
            let p = mailmap.map(&p);
            matches(dco, &canonical_author, &p)
                || (dco.accept_committer && committer.as_ref().is_some_and(|c| matches(dco, c, &p)))
        });
        if ok {
            return Vec::new();
        }
        let listed: Vec<&str> = sobs.iter().map(|t| t.value.as_str()).collect();
        let mut help = format!(
            "sign off as the author ({author}) with `git commit --amend -s`, or correct the author with `git commit --amend --reset-author`"
        );
        if is_github_noreply(&author.email) && !dco.allow_noreply {
            help.push_str("; the author uses a GitHub noreply address: the policy can accept it with `[dco] allow-noreply = true`");
        }
        vec![
            Finding::new(
                DOC.id,
                format!(
                    "no Signed-off-by matches the author {author} (sign-offs: {})",
                    listed.join("; ")
                ),
            )
            .at_message_line(sobs[0].line)
            .help(help),
        ]
    }
}
