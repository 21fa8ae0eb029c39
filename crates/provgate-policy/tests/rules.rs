//! Fixture tests for every rule: patches written for the rule that must trigger it, and near
//! misses that must not, under each preset where the rule differs.

// `&[m.clone()]` reads better in fixtures than `std::slice::from_ref(&m)`.
#![allow(clippy::cloned_ref_to_slice_refs)]

use std::borrow::Cow;

use provgate_patch::mail::{MailItem, read_message};
use provgate_patch::mbox::RawMessage;
use provgate_patch::{NoteKind, Patch, ReaderNote, Series};
use provgate_policy::zones::StaticSections;
use provgate_policy::{
    CheckContext, CheckResult, Finding, Level, Overrides, Policy, Stage, Verdict, Zones, check,
    check_with_zones,
};

// ---- building patches ---------------------------------------------------------------------------

/// A patch e-mail under construction.
#[derive(Clone)]
struct Mail {
    from: String,
    subject: String,
    id: String,
    date: String,
    body: String,
    trailers: Vec<String>,
    diff: String,
}

fn mail(subject: &str) -> Mail {
    Mail {
        from: "Jane Doe <jane@example.org>".into(),
        subject: subject.into(),
        id: "p1@example.org".into(),
        date: "Thu, 04 Jun 2026 10:00:00 +0000".into(),
        body: "Explain the change.".into(),
        trailers: Vec::new(),
        diff: String::new(),
    }
}

/// A patch with `trailers` above the author's sign-off, where the policies want them.
fn signed(trailers: &str) -> Mail {
    mail("fix").t(trailers).sob()
}

impl Mail {
    fn from(mut self, from: &str) -> Self {
        self.from = from.into();
        self
    }
    fn id(mut self, id: &str) -> Self {
        self.id = id.into();
        self
    }
    fn date(mut self, date: &str) -> Self {
        self.date = date.into();
        self
    }
    fn body(mut self, body: &str) -> Self {
        self.body = body.into();
        self
    }
    /// Adds trailer lines (one per line of `lines`).
    fn t(mut self, lines: &str) -> Self {
        self.trailers.extend(lines.lines().map(str::to_string));
        self
    }
    fn sob(self) -> Self {
        self.t("Signed-off-by: Jane Doe <jane@example.org>")
    }
    /// A modification of `path`: `removed` lines replaced by `added` lines.
    fn modify(mut self, path: &str, removed: &[&str], added: &[&str]) -> Self {
        self.diff.push_str(&format!(
            "diff --git a/{path} b/{path}\nindex 1111111..2222222 100644\n--- a/{path}\n+++ b/{path}\n@@ -10,{} +10,{} @@ fn f()\n ctx();\n",
            removed.len() + 1,
            added.len() + 1
        ));
        for r in removed {
            self.diff.push_str(&format!("-{r}\n"));
        }
        for a in added {
            self.diff.push_str(&format!("+{a}\n"));
        }
        self
    }
    /// `n` added lines of code in `path`.
    fn code(self, path: &str, n: usize) -> Self {
        let lines: Vec<String> = (0..n).map(|i| format!("x{i} = {i};")).collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        self.modify(path, &[], &refs)
    }
    fn add_file(mut self, path: &str, lines: &[&str]) -> Self {
        self.diff.push_str(&format!(
            "diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..3333333\n--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{} @@\n",
            lines.len()
        ));
        for l in lines {
            self.diff.push_str(&format!("+{l}\n"));
        }
        self
    }
    fn rename(mut self, from: &str, to: &str) -> Self {
        self.diff.push_str(&format!(
            "diff --git a/{from} b/{to}\nsimilarity index 100%\nrename from {from}\nrename to {to}\n"
        ));
        self
    }
    fn delete_file(mut self, path: &str) -> Self {
        self.diff.push_str(&format!(
            "diff --git a/{path} b/{path}\ndeleted file mode 100644\nindex 3333333..0000000\n--- a/{path}\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n"
        ));
        self
    }
    /// The patch as a failure message names it.
    fn name(&self) -> String {
        format!(
            "the patch {:?} from {} with trailers {:?}",
            self.subject, self.from, self.trailers
        )
    }
    fn text(&self) -> String {
        let mut s = format!(
            "From: {}\nSubject: [PATCH] {}\nMessage-ID: <{}>\nDate: {}\nContent-Type: text/plain; charset=utf-8\n\n{}\n",
            self.from, self.subject, self.id, self.date, self.body
        );
        if !self.trailers.is_empty() {
            s.push('\n');
            for t in &self.trailers {
                s.push_str(t);
                s.push('\n');
            }
        }
        s.push_str("---\n");
        if self.diff.is_empty() {
            s.push_str(&self.clone().code("hw/misc/dev.c", 1).diff);
        } else {
            s.push_str(&self.diff);
        }
        s.push_str("-- \n2.50.0\n");
        s
    }
    fn patch(&self) -> Patch {
        let raw = RawMessage {
            bytes: self.text().into_bytes(),
            from_line: None,
            first_line: 1,
        };
        match read_message(&raw, "test.mbox").expect("fixture parses") {
            MailItem::Patch(p) => *p,
            MailItem::NotAPatch { .. } => panic!("fixture is not a patch"),
        }
    }
}

fn series_of(patches: Vec<Patch>) -> Series {
    Series {
        id: "s1".into(),
        version: 1,
        total: Some(patches.len() as u32),
        cover: None,
        patches,
    }
}

/// The day every check runs on.
const TODAY: jiff::civil::Date = jiff::civil::date(2026, 6, 10);

fn ctx(stage: Stage) -> CheckContext {
    CheckContext::new(None, stage, TODAY, Overrides::default()).unwrap()
}

/// A submission check in the repository at `root`, which may hold a MAINTAINERS file.
fn ctx_in(root: &std::path::Path) -> CheckContext {
    CheckContext::new(
        Some(root.to_path_buf()),
        Stage::Submit,
        TODAY,
        Overrides::default(),
    )
    .unwrap()
}

fn preset(name: &str) -> Policy {
    Policy::preset(name).unwrap()
}

fn policy(text: &str) -> Policy {
    Policy::from_toml(text, "provgate.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn run(policy: &Policy, mails: &[Mail]) -> CheckResult {
    run_at(policy, mails, Stage::Submit)
}

fn run_at(policy: &Policy, mails: &[Mail], stage: Stage) -> CheckResult {
    let patches = mails.iter().map(Mail::patch).collect();
    check(policy, &ctx(stage), &[series_of(patches)])
}

/// A check of patches the test altered after reading them.
fn run_patches(policy: &Policy, patches: Vec<Patch>) -> CheckResult {
    check(policy, &ctx(Stage::Submit), &[series_of(patches)])
}

fn run_zones(policy: &Policy, zones: &Zones, mails: &[Mail], stage: Stage) -> CheckResult {
    let patches = mails.iter().map(Mail::patch).collect();
    check_with_zones(policy, &ctx(stage), zones, &[series_of(patches)])
}

/// The id of the rule named `name`; a misspelt name fails the test instead of matching nothing.
#[track_caller]
fn id(name: &str) -> provgate_policy::RuleId {
    name.parse().expect("a rule name")
}

/// The levels at which `rule` was reported.
fn fired(result: &CheckResult, rule: &str) -> Vec<Level> {
    let rule = id(rule);
    result
        .all_findings()
        .filter(|f| f.rule == rule)
        .map(|f| f.level)
        .collect()
}

/// What a case runs under: a preset by name (`"qemu"`) or a policy written for the test.
trait Under {
    fn policy(&self) -> Cow<'_, Policy>;
}

impl Under for &str {
    fn policy(&self) -> Cow<'_, Policy> {
        Cow::Owned(preset(self))
    }
}

impl Under for &Policy {
    fn policy(&self) -> Cow<'_, Policy> {
        Cow::Borrowed(self)
    }
}

/// Asserts that `rule` fires on `m` under `policy` at the levels `want` (none: a near miss). A
/// failure names the policy, the rule and the patch, and points at the caller's line.
#[track_caller]
fn expect(policy: impl Under, m: &Mail, rule: &str, want: &[Level]) {
    expect_case(Stage::Submit, policy, m, rule, want, "");
}

/// [`expect`], with the reason the case comes out as it does, for the failure message.
#[track_caller]
fn expect_because(policy: impl Under, m: &Mail, rule: &str, want: &[Level], why: &str) {
    expect_case(Stage::Submit, policy, m, rule, want, why);
}

/// [`expect`] at `stage`.
#[track_caller]
fn expect_at(stage: Stage, policy: impl Under, m: &Mail, rule: &str, want: &[Level]) {
    expect_case(stage, policy, m, rule, want, "");
}

/// Runs one case for [`expect`] and its variants.
#[track_caller]
fn expect_case(stage: Stage, policy: impl Under, m: &Mail, rule: &str, want: &[Level], why: &str) {
    let policy = policy.policy();
    let r = run_at(&policy, std::slice::from_ref(m), stage);
    let mut case = format!("under {} on {} at {stage:?}", under(&policy), m.name());
    if !why.is_empty() {
        case = format!("{case} ({why})");
    }
    expect_in(&r, rule, want, &case);
}

/// Asserts that `rule` was reported in `result` at the levels `want`; `case` names the policy and
/// the patches for a failure, which points at the caller's line.
#[track_caller]
fn expect_in(result: &CheckResult, rule: &str, want: &[Level], case: &str) {
    assert_eq!(fired(result, rule), want, "{rule}: {case}");
}

/// The first finding of `rule` in `result`; the test fails without one.
#[track_caller]
fn finding<'r>(result: &'r CheckResult, rule: &str) -> &'r Finding {
    match result.all_findings().find(|f| f.rule == id(rule)) {
        Some(f) => f,
        None => panic!("no {rule} finding"),
    }
}

/// Names a policy in a failure message: a preset, or a file written for the test.
fn under(policy: &Policy) -> String {
    if policy.origin.starts_with("preset ") {
        policy.origin.clone()
    } else {
        format!("{} extending {}", policy.origin, policy.extends)
    }
}

const DENY: &[Level] = &[Level::Deny];
const WARN: &[Level] = &[Level::Warn];
const NONE: &[Level] = &[];

// ---- DCO ------------------------------------------------------------------------------------

#[test]
fn dco_missing_signoff() {
    let m = mail("hw/misc: fix leak");
    expect("qemu", &m, "dco-missing-signoff", DENY);
    expect("default", &m, "dco-missing-signoff", DENY);
    expect_because(
        "mesa",
        &m,
        "dco-missing-signoff",
        NONE,
        "Mesa's preset does not require sign-offs",
    );
    // Near misses: a sign-off (any case of the key), and a sign-off buried in the body (not a
    // trailer) does not count.
    expect("qemu", &m.clone().sob(), "dco-missing-signoff", NONE);
    expect(
        "qemu",
        &m.clone().t("signed-off-by: Jane Doe <jane@example.org>"),
        "dco-missing-signoff",
        NONE,
    );
    let buried = m
        .clone()
        .body("Signed-off-by: Jane Doe <jane@example.org>\n\nA paragraph after it.");
    expect("qemu", &buried, "dco-missing-signoff", DENY);
    // A misspelt key is no sign-off, and the finding points at it.
    let misspelt = m
        .clone()
        .t("Signed-of-by: Jane Doe <jane@example.org>\nAcked-by: Bob Roe <bob@example.org>");
    let r = run(&preset("qemu"), std::slice::from_ref(&misspelt));
    let f = finding(&r, "dco-missing-signoff");
    assert!(
        f.message.contains("`Signed-of-by:` is not one"),
        "{}",
        f.message
    );
    assert!(f.line.is_some());
}

#[test]
fn dco_author_mismatch_and_its_tolerance() {
    let other = mail("fix").t("Signed-off-by: J. Doe <jdoe@corp.example>");
    // QEMU's text: one sign-off "should" match the author: a warning.
    expect("qemu", &other, "dco-author-mismatch", WARN);
    expect("default", &other, "dco-author-mismatch", WARN);
    let r = run(&preset("qemu"), &[other]);
    let f = finding(&r, "dco-author-mismatch");
    assert_eq!(f.line, Some(5), "points at the sign-off's message line");
    // Case differences in name and address are tolerated.
    let case = mail("fix")
        .from("Jane Doe <Jane@Example.ORG>")
        .t("Signed-off-by: jane  doe <jane@example.org>");
    expect("qemu", &case, "dco-author-mismatch", NONE);
    // Same address, other name: name-and-email fails, email passes.
    let renamed = mail("fix").t("Signed-off-by: Jane Q. Public <jane@example.org>");
    expect("qemu", &renamed, "dco-author-mismatch", WARN);
    let by_email = policy("extends = \"qemu\"\n[dco]\nidentity = \"email\"\n");
    expect(&by_email, &renamed, "dco-author-mismatch", NONE);
    // Sub-address: a mismatch unless the policy ignores sub-addresses.
    let sub = mail("fix").from("Jane Doe <jane+qemu@example.org>").sob();
    expect("qemu", &sub, "dco-author-mismatch", WARN);
    let ignore = policy("extends = \"qemu\"\n[dco]\nignore-subaddress = true\n");
    expect(&ignore, &sub, "dco-author-mismatch", NONE);
    // GitHub noreply authors: accepted by name where the policy allows it (default preset).
    let noreply = mail("fix")
        .from("Jane Doe <12345+jane@users.noreply.github.com>")
        .sob();
    expect("default", &noreply, "dco-author-mismatch", NONE);
    expect("qemu", &noreply, "dco-author-mismatch", WARN);
    let r = run(&preset("qemu"), &[noreply]);
    assert!(
        r.all_findings()
            .any(|f| f.help.as_deref().unwrap_or("").contains("allow-noreply"))
    );
    // No sign-off at all is the other rule's business.
    expect("qemu", &mail("fix"), "dco-author-mismatch", NONE);
    // A forwarded patch: the author's sign-off plus the sender's.
    let chain = mail("fix")
        .sob()
        .t("Signed-off-by: Max Maintainer <max@example.org>");
    expect("qemu", &chain, "dco-author-mismatch", NONE);
}

#[test]
fn dco_codeveloped_without_signoff() {
    let bad = signed("Co-developed-by: Bob Roe <bob@example.org>");
    expect("linux", &bad, "dco-codeveloped-without-signoff", WARN);
    let good = signed(
        "Co-developed-by: Bob Roe <bob@example.org>\nSigned-off-by: Bob Roe <bob@example.org>",
    );
    expect("linux", &good, "dco-codeveloped-without-signoff", NONE);
    let not_next = signed(
        "Co-developed-by: Bob Roe <bob@example.org>\nReviewed-by: X <x@example.org>\nSigned-off-by: Bob Roe <bob@example.org>",
    );
    expect("linux", &not_next, "dco-codeveloped-without-signoff", WARN);
    let author = signed("Co-developed-by: Jane Doe <jane@example.org>");
    expect("linux", &author, "dco-codeveloped-without-signoff", WARN);
    expect("mesa", &bad, "dco-codeveloped-without-signoff", NONE);
}

#[test]
fn dco_localhost_address() {
    let local = mail("fix")
        .from("Jane Doe <jane@laptop.localdomain>")
        .t("Signed-off-by: Jane Doe <jane@laptop.localdomain>");
    // Once for the author, once for the sign-off.
    expect("qemu", &local, "dco-localhost-address", &[Level::Deny; 2]);
    expect(
        "default",
        &local,
        "dco-localhost-address",
        &[Level::Warn; 2],
    );
    expect("mesa", &local, "dco-localhost-address", NONE);
    let near = mail("fix")
        .from("Jane Doe <jane@localhost.example.org>")
        .t("Signed-off-by: Jane Doe <jane@localhost.example.org>");
    expect("qemu", &near, "dco-localhost-address", NONE);
}

#[test]
fn ai_signoff() {
    let bad = signed("Signed-off-by: Claude <noreply@anthropic.com>");
    for p in ["linux", "qemu", "default", "mesa", "ban"] {
        expect(p, &bad, "ai-signoff", DENY);
    }
    let bot = mail("fix")
        .t("Signed-off-by: copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>");
    expect("linux", &bot, "ai-signoff", DENY);
    // Near misses: a human called Claude, a human with a noreply address.
    let human = mail("fix")
        .from("Claude Durand <claude@durand.example>")
        .t("Signed-off-by: Claude Durand <claude@durand.example>");
    expect("linux", &human, "ai-signoff", NONE);
    let noreply = mail("fix")
        .from("Jane <1+jane@users.noreply.github.com>")
        .t("Signed-off-by: Jane <1+jane@users.noreply.github.com>");
    expect("linux", &noreply, "ai-signoff", NONE);
}

// ---- disclosure -------------------------------------------------------------------------------

#[test]
fn disclosure_syntax_per_preset() {
    let qemu_bad = signed("AI-used-for: code (refactoring) and tests");
    // An honest disclosure in a broken form never costs more than silence: a warning.
    expect("qemu", &qemu_bad, "disclosure-syntax", WARN);
    let linux_bad = signed("Assisted-by: Claude Opus 4.6");
    expect("linux", &linux_bad, "disclosure-syntax", WARN);
    let mesa_bad = signed("Assisted-by: Copilot (GPT-4o");
    expect("mesa", &mesa_bad, "disclosure-syntax", WARN);
    // Well-formed values, each under the preset whose syntax it follows.
    for (p, ok) in [
        ("qemu", "AI-used-for: code"),
        ("qemu", "AI-used-for: tests, docs"),
        ("qemu", "AI-used-for: code (refactoring)"),
        ("qemu", "AI-used-for: code (prototype)"),
        ("qemu", "AI-used-for: research"),
        ("qemu", "AI-used-for: Code, Tests"),
        (
            "linux",
            "Assisted-by: Claude:claude-3-opus coccinelle sparse",
        ),
        ("linux", "Assisted-by: GitHub Copilot:claude-opus-4.6"),
        ("linux", "Assisted-by: Codex:gpt-5-4"),
        ("mesa", "Assisted-by: Copilot (GPT-4o)"),
    ] {
        expect(p, &signed(ok), "disclosure-syntax", NONE);
    }
    // The default preset accepts the Linux value written Mesa's way (free syntax).
    expect("default", &linux_bad, "disclosure-syntax", NONE);
    // Points at the trailer's line.
    let r = run(&preset("qemu"), &[qemu_bad]);
    assert_eq!(finding(&r, "disclosure-syntax").line, Some(5));
}

#[test]
fn disclosure_vocabulary() {
    let free = signed("AI-used-for: collecting comments and updating patch");
    expect("qemu", &free, "disclosure-vocabulary", WARN);
    expect_because(
        "qemu",
        &free,
        "disclosure-syntax",
        NONE,
        "free text is a vocabulary matter",
    );
    expect_because(
        "default",
        &free,
        "disclosure-vocabulary",
        NONE,
        "not enforced by default",
    );
    let research = signed("AI-used-for: research");
    expect("qemu", &research, "disclosure-vocabulary", NONE);
    // `research` was renamed `analysis` in the later draft.
    expect("qemu-llm-usage", &research, "disclosure-vocabulary", WARN);
    let analysis = signed("AI-used-for: analysis");
    expect("qemu-llm-usage", &analysis, "disclosure-vocabulary", NONE);
    expect("qemu", &analysis, "disclosure-vocabulary", WARN);
}

#[test]
fn disclosure_placement() {
    let after = mail("fix").sob().t("AI-used-for: tests");
    expect("qemu", &after, "disclosure-placement", WARN);
    expect(
        "linux",
        &mail("fix").sob().t("Assisted-by: Claude:opus"),
        "disclosure-placement",
        NONE,
    );
    let before = signed("AI-used-for: tests").t("Signed-off-by: Max Maintainer <max@example.org>");
    expect_because(
        "qemu",
        &before,
        "disclosure-placement",
        NONE,
        "later maintainer sign-offs do not matter",
    );
    // Before the author's sign-off even when a forwarder signed off first.
    let fwd = signed("Signed-off-by: Max Maintainer <max@example.org>\nAI-used-for: tests");
    expect("qemu", &fwd, "disclosure-placement", NONE);
    // A disclosure in the body is not a trailer: reported under every policy, still evidence.
    let in_body = mail("fix")
        .body("Fix it.\n\nAI-used-for: code\n\nMore text after it.")
        .sob()
        .code("hw/a.c", 30);
    expect("qemu", &in_body, "disclosure-placement", WARN);
    expect_because(
        "qemu",
        &in_body,
        "ai-line-limit",
        DENY,
        "still a declaration of AI code",
    );
    expect("qemu", &in_body, "undisclosed-ai", NONE);
    let linux_body = mail("fix")
        .body("Assisted-by: Claude:opus\n\nMore text.")
        .sob();
    expect("linux", &linux_body, "disclosure-placement", WARN);
    // Near miss: prose that mentions the trailer is no declaration.
    let prose = mail("fix")
        .body("We do not use the AI-used-for: trailer here.")
        .sob();
    expect("qemu", &prose, "disclosure-placement", NONE);
}

#[test]
fn disclosure_wrong_trailer() {
    for t in [
        "Assisted-by: Claude:claude-opus-4.5",
        "Generated-by: ChatGPT",
        "Co-authored-by: Claude <noreply@anthropic.com>",
    ] {
        let m = signed(t);
        expect("qemu", &m, "disclosure-wrong-trailer", WARN);
        expect_because("qemu", &m, "undisclosed-ai", NONE, "one finding, not two");
    }
    // Near misses: a human co-author, a human assistant, the right trailer.
    let human = signed("AI-used-for: code\nCo-authored-by: Bob Roe <bob@example.org>");
    expect("qemu", &human, "disclosure-wrong-trailer", NONE);
    let helper = signed("Assisted-by: Bob Roe <bob@example.org>");
    expect("qemu", &helper, "disclosure-wrong-trailer", NONE);
    // Under Linux, QEMU's trailer is the wrong one.
    let qemu_style = signed("AI-used-for: code");
    expect("linux", &qemu_style, "disclosure-wrong-trailer", WARN);
    expect("default", &qemu_style, "disclosure-wrong-trailer", NONE);
}

#[test]
fn ai_coauthor_forbidden() {
    let m = signed("Co-authored-by: Copilot <223556219+Copilot@users.noreply.github.com>");
    expect("mesa", &m, "ai-coauthor-forbidden", DENY);
    expect("default", &m, "ai-coauthor-forbidden", NONE);
    let human = signed("Assisted-by: Copilot (GPT-4o)\nCo-authored-by: Bob Roe <bob@example.org>");
    expect("mesa", &human, "ai-coauthor-forbidden", NONE);
    // In the default preset the AI co-author line counts as a disclosure.
    let r = run(&preset("default"), &[m]);
    assert!(r.series[0].patches[0].ai.disclosed);
}

#[test]
fn undisclosed_ai() {
    let claude = mail("fix")
        .body("Fix the null check.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)")
        .sob();
    // A "Generated with" line alone is medium confidence: a warning at most.
    expect("qemu", &claude, "undisclosed-ai", WARN);
    let session = signed("Claude-Session: 0f3a");
    expect("qemu", &session, "undisclosed-ai", DENY);
    expect("mesa", &session, "undisclosed-ai", DENY);
    expect("linux", &session, "undisclosed-ai", WARN);
    expect("default", &session, "undisclosed-ai", WARN);
    let bot_author = mail("fix")
        .from("Cursor Agent <cursoragent@cursor.com>")
        .t("Signed-off-by: Cursor Agent <cursoragent@cursor.com>");
    expect("default", &bot_author, "undisclosed-ai", WARN);
    let aider = mail("aider: fix the thing").sob();
    expect("qemu", &aider, "undisclosed-ai", WARN);
    // An AI co-author line the policy neither accepts nor forbids is only a tool mark.
    let codev = signed("Co-developed-by: Claude <noreply@anthropic.com>");
    expect("qemu", &codev, "undisclosed-ai", DENY);
    let coauthor = signed("Co-authored-by: Claude <noreply@anthropic.com>");
    expect("linux", &coauthor, "undisclosed-ai", WARN);
    expect_because(
        "default",
        &coauthor,
        "undisclosed-ai",
        NONE,
        "accepted there",
    );
    // Disclosed: nothing.
    let disclosed = signed("Claude-Session: 0f3a\nAI-used-for: code");
    expect("qemu", &disclosed, "undisclosed-ai", NONE);
    // Near misses: bare words and look-alike text are never fingerprints.
    let words = mail("Use cursor keys; amp up codex handling")
        .body("Claude reported this. Generated with care.\nSee https://claude.ai/code for context.")
        .t("Reported-by: Claude Monet <claude@monet.example>")
        .sob();
    expect("qemu", &words, "undisclosed-ai", NONE);
    let r = run(&preset("qemu"), &[words]);
    assert!(r.series[0].patches[0].ai.fingerprints.is_empty());
    // Custom fingerprints from the policy.
    let custom = policy(
        "extends = \"qemu\"\n[[fingerprint]]\ntool = \"InternalBot\"\nfield = \"message-line\"\npattern = \"^Generated by InternalBot v[0-9]+$\"\n",
    );
    let m = mail("fix").body("Generated by InternalBot v3").sob();
    expect(&custom, &m, "undisclosed-ai", DENY);
    expect("qemu", &m, "undisclosed-ai", NONE);
}

#[test]
fn ai_banned() {
    let declared = signed("AI-used-for: code");
    expect("qemu-2025", &declared, "ai-banned", DENY);
    expect("ban", &declared, "ai-banned", DENY);
    expect("qemu", &declared, "ai-banned", NONE);
    let coauthor = signed("Co-authored-by: Cursor <cursoragent@cursor.com>");
    expect("qemu-2025", &coauthor, "ai-banned", DENY);
    let suspected = mail("fix")
        .body("🤖 Generated with [Claude Code](https://claude.ai/code)")
        .sob();
    expect_because(
        "qemu-2025",
        &suspected,
        "ai-banned",
        WARN,
        "suspected, medium confidence",
    );
    // Research with no output in the patch is out of scope of the ban.
    let research = signed("AI-used-for: research");
    expect("ban", &research, "ai-banned", NONE);
    let clean = mail("fix (found with Coccinelle)").sob();
    expect("qemu-2025", &clean, "ai-banned", NONE);
}

// ---- scope ---------------------------------------------------------------------------------------

const CORE: &str = "extends = \"qemu\"\n[[zone]]\nname = \"core\"\ntier = \"protected\"\npaths = [\"include/qemu/\"]\nmaintainers = [\"Core Maintainer <core@example.org>\"]\n";

#[test]
fn protected_zone() {
    let p = policy(CORE);
    let touch = mail("atomic: fix")
        .t("AI-used-for: code")
        .sob()
        .code("include/qemu/atomic.h", 2);
    expect(&p, &touch, "protected-zone", DENY);
    let r = run(&p, &[touch.clone()]);
    let f = finding(&r, "protected-zone");
    assert_eq!(
        (f.path.as_deref(), f.line),
        (Some("include/qemu/atomic.h"), Some(11))
    );
    assert!(f.help.as_deref().unwrap().contains("core@example.org"));
    // Agreement by the zone's maintainer lifts it; an ack by someone else does not.
    let acked = touch
        .clone()
        .t("Acked-by: Core Maintainer <core@example.org>");
    expect(&p, &acked, "protected-zone", NONE);
    let other_ack = touch
        .clone()
        .t("Acked-by: Random Person <random@example.org>");
    expect(&p, &other_ack, "protected-zone", DENY);
    let self_ack = touch.clone().t("Acked-by: Jane Doe <jane@example.org>");
    expect(&p, &self_ack, "protected-zone", DENY);
    // An exception records the agreement too.
    let waived = policy(&format!(
        "{CORE}[[exception]]\nreason = \"agreed on qemu-devel\"\nrules = [\"protected-zone\"]\npaths = [\"include/qemu/\"]\n"
    ));
    let r = run(&waived, &[touch.clone()]);
    assert_eq!(fired(&r, "protected-zone"), NONE);
    assert_eq!(r.waived.len(), 1);
    assert_eq!(r.waived[0].reason, "agreed on qemu-devel");
    // Near misses: no AI; AI outside the zone; AI declared for tests touching the zone's tests.
    let human = mail("atomic: fix").sob().code("include/qemu/atomic.h", 2);
    expect(&p, &human, "protected-zone", NONE);
    let outside = signed("AI-used-for: code").code("hw/misc/dev.c", 2);
    expect(&p, &outside, "protected-zone", NONE);
    let tests_zone = policy(
        "extends = \"qemu\"\n[[zone]]\nname = \"core\"\ntier = \"protected\"\npaths = [\"util/\"]\n",
    );
    let tests_only = mail("test")
        .t("AI-used-for: tests")
        .sob()
        .code("util/tests/atomic-test.c", 30);
    expect(&tests_zone, &tests_only, "protected-zone", NONE);
    // Moving a file out of the zone changes the zone.
    let moved = mail("move")
        .t("AI-used-for: code")
        .sob()
        .rename("include/qemu/atomic.h", "include/atomic.h");
    expect(&p, &moved, "protected-zone", DENY);
    let into_open = mail("move")
        .t("AI-used-for: code")
        .sob()
        .rename("hw/a.c", "hw/b.c");
    expect(&p, &into_open, "protected-zone", NONE);
    // Agreement from anyone when the policy says so.
    let anyone = policy(&format!("{CORE}[agreement]\nfrom = \"anyone\"\n"));
    expect(&anyone, &other_ack, "protected-zone", NONE);
}

#[test]
fn protected_zone_from_maintainers_sections() {
    let p = policy(
        "extends = \"qemu\"\n[[zone]]\nname = \"memory\"\ntier = \"protected\"\nsections = [\"Memory API\"]\n",
    );
    let sections = StaticSections::new()
        .section(
            "Memory API",
            Some("Supported"),
            &["system/memory.c", "include/system/memory.h"],
            &["Mem Maint <mem@example.org>"],
            &["Rev <rev@example.org>"],
        )
        .section(
            "THE REST",
            Some("Maintained"),
            &["*", "*/"],
            &["Rest <rest@example.org>"],
            &[],
        );
    let zones = Zones::new(&p, Some(Box::new(sections))).unwrap();
    let info = zones.classify("system/memory.c");
    assert_eq!(info.zones, ["memory"]);
    assert_eq!(
        info.maintainers,
        ["Mem Maint <mem@example.org>", "Rest <rest@example.org>"]
    );
    assert_eq!(info.sections.len(), 2);
    let m = mail("memory: fix")
        .t("AI-used-for: code")
        .sob()
        .code("system/memory.c", 3);
    let r = run_zones(&p, &zones, &[m.clone()], Stage::Submit);
    assert_eq!(fired(&r, "protected-zone"), DENY);
    let acked = m.t("Acked-by: Mem Maint <mem@example.org>");
    let r = run_zones(&p, &zones, &[acked], Stage::Submit);
    assert_eq!(fired(&r, "protected-zone"), NONE);
}

#[test]
fn ai_line_limit_qemu_counts_code_not_tests() {
    let qemu = preset("qemu");
    let over = signed("AI-used-for: code").code("hw/net/e1000.c", 21);
    expect(&qemu, &over, "ai-line-limit", DENY);
    let at = signed("AI-used-for: code").code("hw/net/e1000.c", 20);
    expect_because(&qemu, &at, "ai-line-limit", NONE, "20 lines or fewer");
    // Tests and comments do not count; a modified line counts once.
    let mixed = signed("AI-used-for: code, tests")
        .code("hw/net/e1000.c", 12)
        .code("tests/qtest/e1000-test.c", 80)
        .modify(
            "hw/net/e1000.c",
            &["/* old */"],
            &["/* new", " * comment", " */", "", "// more"],
        );
    expect(&qemu, &mixed, "ai-line-limit", NONE);
    let modified: Vec<String> = (0..20).map(|i| format!("a{i}();")).collect();
    let modified_new: Vec<String> = (0..20).map(|i| format!("b{i}();")).collect();
    let m = signed("AI-used-for: code").modify(
        "hw/a.c",
        &modified.iter().map(String::as_str).collect::<Vec<_>>(),
        &modified_new.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    expect_because(
        &qemu,
        &m,
        "ai-line-limit",
        NONE,
        "20 modified lines count 20",
    );
    // AI declared for tests/docs/research only: the code limit does not apply.
    let tests_only = signed("AI-used-for: tests").code("hw/net/e1000.c", 50);
    expect(&qemu, &tests_only, "ai-line-limit", NONE);
    // A declaration is preferred over tool marks: declared tests only, marks or not.
    let declared_tests =
        signed("Amp-Thread-ID: T-1\nAI-used-for: tests").code("hw/net/e1000.c", 50);
    expect(&qemu, &declared_tests, "ai-line-limit", NONE);
    // Undisclosed but fingerprinted: the limit applies.
    let fp = signed("Amp-Thread-ID: T-1").code("hw/net/e1000.c", 25);
    expect(&qemu, &fp, "ai-line-limit", DENY);
    // Exempt zones are not counted.
    let imported = mail("headers")
        .t("AI-used-for: code")
        .sob()
        .code("linux-headers/linux/kvm.h", 200);
    expect(&qemu, &imported, "ai-line-limit", NONE);
    // Agreement from a maintainer (MAINTAINERS or zone) lifts the limit.
    let p = policy(
        "extends = \"qemu\"\n[[zone]]\nname = \"net\"\npaths = [\"hw/net/\"]\nmaintainers = [\"Net <net@example.org>\"]\n",
    );
    let agreed = over.clone().t("Acked-by: Net <net@example.org>");
    expect(&p, &agreed, "ai-line-limit", NONE);
    expect(&p, &over, "ai-line-limit", DENY);
    // No limit in presets that set none.
    expect("linux", &over, "ai-line-limit", NONE);
}

#[test]
fn ai_line_limit_llm_usage_is_below_ten() {
    let p = preset("qemu-llm-usage");
    let ten = signed("AI-used-for: code").code("hw/a.c", 10);
    // Help for parts of a larger patch is allowed: the maintainer judges, so a warning.
    expect(&p, &ten, "ai-line-limit", WARN);
    let nine = signed("AI-used-for: code").code("hw/a.c", 9);
    expect(&p, &nine, "ai-line-limit", NONE);
    expect("qemu", &ten, "ai-line-limit", NONE);
}

#[test]
fn ai_split_series() {
    let small = |i: usize, path: &str| {
        mail(&format!("usb: fix {i}"))
            .id(&format!("p{i}@example.org"))
            .t("AI-used-for: code")
            .sob()
            .code(path, 6)
    };
    let same_area = [
        small(1, "hw/usb/a.c"),
        small(2, "hw/usb/b.c"),
        small(3, "hw/usb/a.c"),
    ];
    let r = run(&preset("qemu-llm-usage"), &same_area);
    assert_eq!(fired(&r, "ai-split-series"), WARN);
    assert_eq!(r.series[0].findings.len(), 1, "a series-level finding");
    assert_eq!(r.series[0].verdict, Verdict::Warn);
    assert!(r.series[0].findings[0].message.contains("hw/usb/"));
    // The May proposal is silent on splitting.
    let r = run(&preset("qemu"), &same_area);
    assert_eq!(fired(&r, "ai-split-series"), NONE);
    // Near misses: different areas; human patches.
    let spread = [small(1, "hw/usb/a.c"), small(2, "net/b.c")];
    let r = run(&preset("qemu-llm-usage"), &spread);
    assert_eq!(fired(&r, "ai-split-series"), NONE);
    let human = |i: usize| {
        mail(&format!("usb {i}"))
            .id(&format!("h{i}@x"))
            .sob()
            .code("hw/usb/a.c", 6)
    };
    let r = run(&preset("qemu-llm-usage"), &[human(1), human(2)]);
    assert_eq!(fired(&r, "ai-split-series"), NONE);
}

#[test]
fn trial_scope() {
    let p = policy(
        "extends = \"qemu\"\n[trial]\ncontributors = [\"Jane Doe <Jane@Example.org>\"]\nstart = \"2026-06-01\"\nend = \"2026-09-30\"\n",
    );
    let jane = signed("AI-used-for: code");
    expect(&p, &jane, "trial-scope", NONE);
    let bob = mail("fix")
        .from("Bob Roe <bob@example.org>")
        .t("AI-used-for: code")
        .t("Signed-off-by: Bob Roe <bob@example.org>");
    expect(&p, &bob, "trial-scope", DENY);
    let late = jane.clone().date("Thu, 01 Oct 2026 10:00:00 +0000");
    expect(&p, &late, "trial-scope", DENY);
    let early = jane.clone().date("Sun, 31 May 2026 23:30:00 -0100");
    expect_because(
        &p,
        &early,
        "trial-scope",
        DENY,
        "the author's own day counts",
    );
    let human = mail("fix")
        .from("Bob Roe <bob@example.org>")
        .t("Signed-off-by: Bob Roe <bob@example.org>");
    expect_because(&p, &human, "trial-scope", NONE, "only AI-assisted patches");
    expect_because("qemu", &bob, "trial-scope", NONE, "no trial, no rule");
}

// ---- evidence weight ----------------------------------------------------------------------------

/// `m` as read from a branch (`check main..claude/fix-x`, or `--branch` in CI).
fn on_branch(m: &Mail, branch: &str) -> Patch {
    let mut p = m.patch();
    p.branch = Some(branch.to_string());
    p
}

/// The levels `rule` fired at on `m` read from `branch`, and the finding when there is one.
fn on_branch_fired(
    policy: &Policy,
    m: &Mail,
    branch: &str,
    rule: &str,
) -> (Vec<Level>, CheckResult) {
    let r = run_patches(policy, vec![on_branch(m, branch)]);
    (fired(&r, rule), r)
}

#[test]
fn a_branch_name_alone_is_a_warning_to_confirm_never_a_deny() {
    let qemu = preset("qemu");
    // An agent's branch, 25 lines of code, nothing disclosed: the line limit asks to confirm.
    let plain = mail("hw/net: fix").sob().code("hw/net/e1000.c", 25);
    let (levels, r) = on_branch_fired(&qemu, &plain, "claude/fix-x", "ai-line-limit");
    assert_eq!(levels, WARN, "a medium-confidence sign alone");
    let f = finding(&r, "ai-line-limit");
    assert!(
        f.message.contains("to confirm: the only sign of AI use is the branch name `claude/fix-x` (Claude Code, medium confidence)"),
        "{}",
        f.message
    );
    assert!(
        f.help
            .as_deref()
            .unwrap()
            .starts_with("if AI helped, disclose it"),
        "{:?}",
        f.help
    );
    assert_eq!(r.verdict, Verdict::Warn, "nothing fails");
    // The same patch with a disclosure trailer: the limit denies, branch or not.
    let disclosed = signed("AI-used-for: code").code("hw/net/e1000.c", 25);
    let (levels, r) = on_branch_fired(&qemu, &disclosed, "claude/fix-x", "ai-line-limit");
    assert_eq!(levels, DENY);
    assert!(!finding(&r, "ai-line-limit").message.contains("to confirm"));
    // A high-confidence mark on the branch: denied too.
    let session = signed("Amp-Thread-ID: T-1").code("hw/net/e1000.c", 25);
    let (levels, _) = on_branch_fired(&qemu, &session, "claude/fix-x", "ai-line-limit");
    assert_eq!(levels, DENY);
    // Near misses: a branch that is not an agent's; a branch within the limit.
    let (levels, _) = on_branch_fired(&qemu, &plain, "feature/fix-x", "ai-line-limit");
    assert_eq!(levels, NONE);
    let small = mail("hw/net: fix").sob().code("hw/net/e1000.c", 5);
    let (levels, _) = on_branch_fired(&qemu, &small, "claude/fix-x", "ai-line-limit");
    assert_eq!(levels, NONE);
    // A tool line a person could paste weighs the same as a branch.
    let pasted = mail("hw/net: fix")
        .body("🤖 Generated with [Claude Code](https://claude.ai/code)")
        .sob()
        .code("hw/net/e1000.c", 25);
    expect_because(&qemu, &pasted, "ai-line-limit", WARN, "medium confidence");
}

#[test]
fn a_branch_name_alone_does_not_deny_a_protected_zone() {
    let p = policy(CORE);
    let plain = mail("atomic: fix").sob().code("include/qemu/atomic.h", 2);
    let (levels, r) = on_branch_fired(&p, &plain, "codex/atomic", "protected-zone");
    assert_eq!(levels, WARN);
    let f = finding(&r, "protected-zone");
    assert!(
        f.message
            .contains("the branch name `codex/atomic` (OpenAI Codex"),
        "{}",
        f.message
    );
    assert_eq!(
        f.path.as_deref(),
        Some("include/qemu/atomic.h"),
        "still at its file"
    );
    let disclosed = mail("atomic: fix")
        .t("AI-used-for: code")
        .sob()
        .code("include/qemu/atomic.h", 2);
    let (levels, _) = on_branch_fired(&p, &disclosed, "codex/atomic", "protected-zone");
    assert_eq!(levels, DENY);
    // A disclosure that puts no AI output in the patch decides over the branch.
    let research = mail("atomic: fix")
        .t("AI-used-for: research")
        .sob()
        .code("include/qemu/atomic.h", 2);
    let (levels, _) = on_branch_fired(&p, &research, "codex/atomic", "protected-zone");
    assert_eq!(levels, NONE);
}

#[test]
fn a_branch_name_alone_never_denies_through_the_other_ai_rules() {
    // The series rule: patches whose only sign is the branch never make a deny on their own.
    let strict = policy("extends = \"qemu-llm-usage\"\n[rules]\nai-split-series = \"deny\"\n");
    let small = |i: usize, trailer: &str| {
        let m = mail(&format!("usb: fix {i}")).id(&format!("p{i}@example.org"));
        let m = if trailer.is_empty() { m } else { m.t(trailer) };
        on_branch(&m.sob().code("hw/usb/a.c", 6), "claude/usb")
    };
    let r = run_patches(&strict, (1..=3).map(|i| small(i, "")).collect());
    assert_eq!(fired(&r, "ai-split-series"), WARN);
    assert!(
        finding(&r, "ai-split-series")
            .message
            .contains("to confirm")
    );
    let r = run_patches(
        &strict,
        (1..=3).map(|i| small(i, "AI-used-for: code")).collect(),
    );
    assert_eq!(fired(&r, "ai-split-series"), DENY);
    // Two disclosed patches over the limit together deny, whatever a third on the branch says.
    let r = run_patches(
        &strict,
        vec![
            small(1, "AI-used-for: code"),
            small(2, "AI-used-for: code"),
            small(3, ""),
        ],
    );
    assert_eq!(fired(&r, "ai-split-series"), DENY);
    // A trial and a ban.
    let trial =
        policy("extends = \"qemu\"\n[trial]\ncontributors = [\"Jane Doe <jane@example.org>\"]\n");
    let bob = mail("fix")
        .from("Bob Roe <bob@example.org>")
        .t("Signed-off-by: Bob Roe <bob@example.org>");
    let (levels, _) = on_branch_fired(&trial, &bob, "cursor/fix", "trial-scope");
    assert_eq!(levels, WARN);
    let (levels, _) = on_branch_fired(
        &trial,
        &bob.clone().t("AI-used-for: code"),
        "cursor/fix",
        "trial-scope",
    );
    assert_eq!(levels, DENY);
    let (levels, r) = on_branch_fired(
        &preset("qemu-2025"),
        &signed(""),
        "copilot/fix",
        "ai-banned",
    );
    assert_eq!(levels, WARN);
    assert!(finding(&r, "ai-banned").message.contains("to confirm"));
}

// ---- review --------------------------------------------------------------------------------------

#[test]
fn review_missing_only_at_merge() {
    // No preset's source asks for a second reviewer; a project opts in.
    expect_at(
        Stage::Merge,
        "qemu",
        &signed("AI-used-for: tests"),
        "review-missing",
        NONE,
    );
    let qemu = policy("extends = \"qemu\"\n[rules]\nreview-missing = \"warn\"\n");
    let ai = signed("AI-used-for: tests");
    expect_at(Stage::Submit, &qemu, &ai, "review-missing", NONE);
    expect_at(Stage::Merge, &qemu, &ai, "review-missing", WARN);
    let reviewed = ai.clone().t("Reviewed-by: Bob Roe <bob@example.org>");
    expect_at(Stage::Merge, &qemu, &reviewed, "review-missing", NONE);
    // Self-review and AI review do not count.
    let self_review = ai.clone().t("Reviewed-by: Jane Doe <jane@example.org>");
    expect_at(Stage::Merge, &qemu, &self_review, "review-missing", WARN);
    let ai_review = ai.clone().t("Reviewed-by: Copilot <copilot@github.com>");
    expect_at(Stage::Merge, &qemu, &ai_review, "review-missing", WARN);
    // Human patches need none unless the policy says all.
    let human = mail("fix").sob();
    expect_at(Stage::Merge, &qemu, &human, "review-missing", NONE);
    let all = policy(
        "extends = \"qemu\"\n[review]\napplies-to = \"all\"\n[rules]\nreview-missing = \"warn\"\n",
    );
    expect_at(Stage::Merge, &all, &human, "review-missing", WARN);
}

#[test]
fn review_missing_a_branch_name_alone_is_a_warning_to_confirm_never_a_deny() {
    // Issue 26 item 5: a medium-confidence sign alone never denies, whatever level the policy
    // sets for review-missing.
    let deny = policy("extends = \"qemu\"\n[rules]\nreview-missing = \"deny\"\n");
    let merge = |p: &Policy, m: &Mail, branch: &str| {
        check(
            p,
            &ctx(Stage::Merge),
            &[series_of(vec![on_branch(m, branch)])],
        )
    };
    let plain = mail("hw/misc: fix").sob();
    let r = merge(&deny, &plain, "claude/fix-x");
    assert_eq!(fired(&r, "review-missing"), WARN, "the branch name alone");
    let f = finding(&r, "review-missing");
    assert!(
        f.message
            .contains("to confirm: the only sign of AI use is the branch name `claude/fix-x`"),
        "{}",
        f.message
    );
    // A disclosure gives the policy's level, branch or not.
    let disclosed = signed("AI-used-for: tests");
    let r = merge(&deny, &disclosed, "claude/fix-x");
    assert_eq!(fired(&r, "review-missing"), DENY);
    assert!(!finding(&r, "review-missing").message.contains("to confirm"));
    // Near misses: a branch that is not an agent's; a reviewed patch on the agent's branch.
    assert_eq!(
        fired(&merge(&deny, &plain, "feature/fix-x"), "review-missing"),
        NONE
    );
    let reviewed = plain.clone().t("Reviewed-by: Bob Roe <bob@example.org>");
    assert_eq!(
        fired(&merge(&deny, &reviewed, "claude/fix-x"), "review-missing"),
        NONE
    );
    // Under `applies-to = "all"` the finding does not rest on AI evidence: the branch does not
    // lower it.
    let all = policy(
        "extends = \"qemu\"\n[review]\napplies-to = \"all\"\n[rules]\nreview-missing = \"deny\"\n",
    );
    let r = merge(&all, &plain, "claude/fix-x");
    assert_eq!(fired(&r, "review-missing"), DENY);
    assert!(!finding(&r, "review-missing").message.contains("to confirm"));
}

#[test]
fn review_missing_xen_each_section() {
    let p = policy(
        "extends = \"default\"\n[review]\nfrom = \"each-section\"\napplies-to = \"all\"\n[rules]\nreview-missing = \"deny\"\n",
    );
    // Xen's two architectures, each with its maintainer; the first policy has THE REST as well.
    let arches = || {
        StaticSections::new()
            .section(
                "ARM",
                Some("Supported"),
                &["xen/arch/arm/"],
                &["Arm M <arm@example.org>"],
                &[],
            )
            .section(
                "X86",
                Some("Supported"),
                &["xen/arch/x86/"],
                &["X86 M <x86@example.org>"],
                &[],
            )
    };
    let sections = arches().section(
        "THE REST",
        Some("Supported"),
        &["*", "*/"],
        &["Rest <rest@example.org>"],
        &[],
    );
    let zones = Zones::new(&p, Some(Box::new(sections))).unwrap();
    let both = mail("fix")
        .sob()
        .code("xen/arch/arm/a.c", 1)
        .code("xen/arch/x86/b.c", 1);
    let one_ack = both.clone().t("Acked-by: Arm M <arm@example.org>");
    let r = run_zones(&p, &zones, &[one_ack.clone()], Stage::Merge);
    assert_eq!(fired(&r, "review-missing"), DENY);
    assert!(r.all_findings().any(|f| f.message.contains("X86")));
    let two_acks = one_ack.clone().t("Acked-by: X86 M <x86@example.org>");
    let r = run_zones(&p, &zones, &[two_acks], Stage::Merge);
    assert_eq!(
        fired(&r, "review-missing"),
        NONE,
        "THE REST's ack is not needed as well"
    );
    // A file only THE REST covers needs THE REST's maintainer.
    let top = mail("fix")
        .sob()
        .code("xen/common/c.c", 1)
        .t("Acked-by: Arm M <arm@example.org>");
    let r = run_zones(&p, &zones, &[top], Stage::Merge);
    assert!(r.all_findings().any(|f| f.message.contains("THE REST")));
    // `maintainer`: one maintainer of any touched section is enough.
    let p2 = policy(
        "extends = \"default\"\n[review]\nfrom = \"maintainer\"\napplies-to = \"all\"\n[rules]\nreview-missing = \"warn\"\n",
    );
    let zones2 = Zones::new(&p2, Some(Box::new(arches()))).unwrap();
    let acked = both.clone().t("Acked-by: Arm M <arm@example.org>");
    let r = run_zones(&p2, &zones2, &[acked], Stage::Merge);
    assert_eq!(fired(&r, "review-missing"), NONE);
    let stranger = both.t("Reviewed-by: Someone <someone@example.org>");
    let r = run_zones(&p2, &zones2, &[stranger], Stage::Merge);
    assert_eq!(fired(&r, "review-missing"), WARN);
}

// ---- files ----------------------------------------------------------------------------------------

#[test]
fn spdx_missing_and_license() {
    let qemu = preset("qemu");
    let none = mail("new device")
        .sob()
        .add_file("hw/misc/foo.c", &["/* Foo device */", "int x;"]);
    expect(&qemu, &none, "spdx-missing", DENY);
    let r = run(&qemu, &[none.clone()]);
    let f = finding(&r, "spdx-missing");
    assert_eq!(
        (f.path.as_deref(), f.line),
        (Some("hw/misc/foo.c"), Some(1))
    );
    // The kernel requires SPDX identifiers too.
    expect("linux", &none, "spdx-missing", DENY);
    let preferred = mail("new").sob().add_file(
        "hw/misc/foo.c",
        &["/* SPDX-License-Identifier: GPL-2.0-or-later */"],
    );
    expect(&qemu, &preferred, "spdx-missing", NONE);
    expect(&qemu, &preferred, "spdx-license", NONE);
    let mit = mail("new")
        .sob()
        .add_file("hw/misc/foo.c", &["// SPDX-License-Identifier: MIT"]);
    expect_because(&qemu, &mit, "spdx-license", WARN, "accepted, not preferred");
    let apache = mail("new").sob().add_file(
        "scripts/x.py",
        &[
            "#!/usr/bin/env python3",
            "# SPDX-License-Identifier: Apache-2.0",
        ],
    );
    expect(&qemu, &apache, "spdx-license", DENY);
    let boiler = mail("new").sob().add_file(
        "hw/misc/foo.c",
        &[
            "/* SPDX-License-Identifier: GPL-2.0-or-later */",
            " * This program is free software; you can redistribute it and/or modify",
        ],
    );
    expect(&qemu, &boiler, "spdx-license", DENY);
    // Near misses: imported headers, files of other types, modified (not new) files.
    let imported = mail("update headers")
        .sob()
        .add_file("linux-headers/linux/new.h", &["#define X 1"]);
    expect(&qemu, &imported, "spdx-missing", NONE);
    let doc = mail("doc").sob().add_file("docs/foo.rst", &["Foo"]);
    expect(&qemu, &doc, "spdx-missing", NONE);
    let modified = mail("fix").sob().code("hw/misc/old.c", 2);
    expect(&qemu, &modified, "spdx-missing", NONE);
    let makefile = mail("build").sob().add_file("tests/Makefile", &["all:"]);
    expect(&qemu, &makefile, "spdx-missing", DENY);
}

#[test]
fn maintainers_update() {
    let qemu = preset("qemu");
    let sections = StaticSections::new()
        .section(
            "Misc",
            Some("Maintained"),
            &["hw/misc/old.c", "hw/core/"],
            &["Misc Maint <misc@example.org>"],
            &[],
        )
        .section(
            "THE REST",
            Some("Maintained"),
            &["*", "*/"],
            &["Rest <rest@example.org>"],
            &[],
        );
    let zones = Zones::new(&qemu, Some(Box::new(sections))).unwrap();
    let under = |m: &Mail| run_zones(&qemu, &zones, std::slice::from_ref(m), Stage::Submit);
    let spdx = ["/* SPDX-License-Identifier: GPL-2.0-or-later */"];
    // Added where only THE REST's catch-all reaches, or deleted while an F: line names it.
    let added = mail("new").sob().add_file("hw/misc/foo.c", &spdx);
    expect_in(
        &under(&added),
        "maintainers-update",
        WARN,
        "added, uncovered",
    );
    let deleted = mail("remove").sob().delete_file("hw/misc/old.c");
    expect_in(
        &under(&deleted),
        "maintainers-update",
        WARN,
        "deleted, named",
    );
    let renamed_away = mail("move").sob().rename("hw/misc/old.c", "hw/core/old.c");
    expect_in(
        &under(&renamed_away),
        "maintainers-update",
        WARN,
        "renamed, named",
    );
    // Near misses: the patch updates MAINTAINERS; a section's directory covers the new file; the
    // deleted file was covered by a directory, not named; a modified file.
    let with_maint = added
        .clone()
        .modify("MAINTAINERS", &[], &["F: hw/misc/foo.c"]);
    expect_in(&under(&with_maint), "maintainers-update", NONE, "updated");
    let covered = mail("new").sob().add_file("hw/core/foo.c", &spdx);
    expect_in(&under(&covered), "maintainers-update", NONE, "covered");
    let deleted_covered = mail("remove").sob().delete_file("hw/core/gone.c");
    expect_in(
        &under(&deleted_covered),
        "maintainers-update",
        NONE,
        "deleted, covered",
    );
    let modified = mail("fix").sob().code("hw/misc/old.c", 2);
    expect_in(&under(&modified), "maintainers-update", NONE, "modified");
    expect("default", &added, "maintainers-update", NONE);
    // Without a MAINTAINERS file the rule has nothing to stand on: silent, and the check says why.
    let r = run(&qemu, std::slice::from_ref(&added));
    expect_in(&r, "maintainers-update", NONE, "no MAINTAINERS file");
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("maintainers-update") && n.contains("no MAINTAINERS file")),
        "{:?}",
        r.notes
    );
}

// ---- text safety ----------------------------------------------------------------------------------

#[test]
fn bidi_control() {
    let evil = mail("fix").sob().modify(
        "a.c",
        &[],
        &["if (access_level != \"user\u{202E} \u{2066}// Check if admin\u{2069} \u{2066}\") {"],
    );
    for p in ["qemu", "default", "ban", "linux"] {
        expect(p, &evil, "bidi-control", DENY);
    }
    let r = run(&preset("qemu"), &[evil]);
    let f = finding(&r, "bidi-control");
    assert_eq!((f.path.as_deref(), f.line), (Some("a.c"), Some(11)));
    assert!(f.message.contains("U+202E RLO"));
    // Right-to-left text without control characters is fine, as are removed lines.
    let arabic = mail("fix")
        .sob()
        .modify("a.c", &["x\u{202E}"], &["/* مرحبا */"]);
    expect("qemu", &arabic, "bidi-control", NONE);
    let in_message = mail("fix").body("Harmless \u{2067}text").sob();
    expect("qemu", &in_message, "bidi-control", DENY);
    // Directional marks in a right-to-left name are not Trojan Source.
    let marks = mail("fix")
        .sob()
        .t("Reported-by: \u{200F}Dana Levi\u{200E} <dana@example.org>");
    expect("qemu", &marks, "bidi-control", NONE);
}

#[test]
fn confusable_trailer() {
    let fake = mail("fix").t("Signed\u{2010}off\u{2010}by: Jane Doe <jane@example.org>");
    expect("qemu", &fake, "confusable-trailer", DENY);
    expect_because(
        "qemu",
        &fake,
        "dco-missing-signoff",
        DENY,
        "and it is no sign-off",
    );
    let cyrillic = mail("fix")
        .sob()
        .t("Reviеwed-by: Bob Roe <bob@example.org>");
    expect("qemu", &cyrillic, "confusable-trailer", DENY);
    let colon = mail("fix").t("Signed-off-by\u{FF1A} Jane Doe <jane@example.org>");
    expect("qemu", &colon, "confusable-trailer", DENY);
    let disclosure = signed("AI\u{2011}used\u{2011}for: code");
    expect("qemu", &disclosure, "confusable-trailer", DENY);
    // Near misses: ASCII trailers, non-ASCII names in values, unknown non-ASCII keys.
    let ok = signed("Reported-by: Jörg Müller <joerg@example.org>");
    expect("qemu", &ok, "confusable-trailer", NONE);
    let other = mail("fix").body("Grüße: a greeting").sob();
    expect("qemu", &other, "confusable-trailer", NONE);
}

#[test]
fn munged_author() {
    let m = mail("fix").sob();
    let mut patch = m.patch();
    patch.notes.push(ReaderNote {
        kind: NoteKind::MungedAuthorUnresolved,
        message: "\"Jane Doe via Qemu-devel\" <qemu-devel@nongnu.org>".into(),
    });
    let r = run_patches(&preset("qemu"), vec![patch.clone()]);
    assert_eq!(fired(&r, "munged-author"), DENY);
    let r = run_patches(&preset("default"), vec![patch.clone()]);
    assert_eq!(fired(&r, "munged-author"), WARN);
    // Resolved munging is fine.
    patch.notes[0].kind = NoteKind::MungedAuthorResolved;
    let r = run_patches(&preset("qemu"), vec![patch]);
    assert_eq!(fired(&r, "munged-author"), NONE);
    // Read from a munged message: resolved through the sign-off's name, unresolved without one.
    let munged = mail("fix").from("\"Jane Doe via Qemu-devel\" <qemu-devel@nongnu.org>");
    expect("qemu", &munged, "munged-author", DENY);
    expect("qemu", &munged.clone().sob(), "munged-author", NONE);
}

// ---- exceptions, stale waivers, verdicts, mode -------------------------------------------------

#[test]
fn stale_and_expired_waivers() {
    let text = "extends = \"qemu\"\n\n[[exception]]\nreason = \"migration rework agreed\"\nrules = [\"ai-line-limit\"]\npaths = [\"migration/\"]\n\n[[exception]]\nreason = \"old agreement\"\nrules = [\"ai-line-limit\"]\npaths = [\"hw/net/\"]\nexpires = \"2026-05-31\"\n";
    let p = policy(text);
    let over = signed("AI-used-for: code").code("hw/net/e1000.c", 25);
    let r = run(&p, &[over]);
    assert_eq!(
        fired(&r, "ai-line-limit"),
        DENY,
        "the expired exception no longer waives"
    );
    let stale: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule == id("stale-waiver"))
        .collect();
    assert_eq!(stale.len(), 2);
    assert_eq!(
        (stale[0].path.as_deref(), stale[0].line),
        (Some("provgate.toml"), Some(3))
    );
    assert!(stale[0].message.contains("matched no finding"));
    assert_eq!(stale[1].line, Some(8));
    assert!(stale[1].message.contains("expired on 2026-05-31"));
    // A used exception is not stale.
    let mig = signed("AI-used-for: code").code("migration/ram.c", 25);
    let r = run(&p, &[mig]);
    assert_eq!(
        r.findings
            .iter()
            .filter(|f| f.rule == id("stale-waiver"))
            .count(),
        1
    );
    assert_eq!(r.summary.waived, 1);
}

#[test]
fn exception_scopes() {
    let over = |author: &str, id: &str| {
        mail("fix")
            .from(&format!("X <{author}>"))
            .id(id)
            .t("AI-used-for: code")
            .t(&format!("Signed-off-by: X <{author}>"))
            .code("hw/net/e1000.c", 25)
    };
    let jane = over("jane@example.org", "a@x");
    let bob = over("bob@example.org", "a@x");
    let by_author = policy(
        "extends = \"qemu\"\n[[exception]]\nreason = \"r\"\nauthors = [\"Jane <Jane@Example.org>\"]\n",
    );
    expect(&by_author, &jane, "ai-line-limit", NONE);
    expect(&by_author, &bob, "ai-line-limit", DENY);
    let by_id = policy(
        "extends = \"qemu\"\n[[exception]]\nreason = \"r\"\nmessage-ids = [\"<agreed@x>\"]\nrules = [\"ai-line-limit\"]\n",
    );
    let agreed = over("bob@example.org", "agreed@x");
    expect(&by_id, &agreed, "ai-line-limit", NONE);
    let other = over("bob@example.org", "other@x");
    expect(&by_id, &other, "ai-line-limit", DENY);
    // Scope dimensions combine: both must match.
    let both = policy(
        "extends = \"qemu\"\n[[exception]]\nreason = \"r\"\nauthors = [\"jane@example.org\"]\npaths = [\"net/\"]\n",
    );
    expect(&both, &jane, "ai-line-limit", DENY);
    // A commit-scoped exception matches commit ids by prefix.
    let mut patch = bob.patch();
    patch.id = "0123456789abcdef0123456789abcdef01234567".into();
    let by_commit =
        policy("extends = \"qemu\"\n[[exception]]\nreason = \"r\"\ncommits = [\"0123456789\"]\n");
    let r = run_patches(&by_commit, vec![patch]);
    assert_eq!(fired(&r, "ai-line-limit"), NONE);
}

#[test]
fn warn_mode_never_fails() {
    let p = policy("extends = \"qemu\"\nmode = \"warn\"\n");
    let bad = mail("fix").t("Claude-Session: x").code("hw/a.c", 40);
    let r = run(&p, &[bad]);
    assert_eq!(r.verdict, Verdict::Warn);
    assert!(r.all_findings().all(|f| f.level == Level::Warn));
    assert!(
        r.mode_note
            .as_deref()
            .unwrap()
            .contains("reported as warnings")
    );
    assert_eq!(r.summary.deny, 0);
}

#[test]
fn verdicts_and_cli_overrides() {
    let qemu = preset("qemu");
    let good = signed("AI-used-for: tests").code("tests/unit/test-x.c", 30);
    let r = run(&qemu, &[good.clone()]);
    assert_eq!(
        r.verdict,
        Verdict::Pass,
        "{:?}",
        r.all_findings().collect::<Vec<_>>()
    );
    let p = &r.series[0].patches[0];
    assert!(p.ai.disclosed);
    assert_eq!(p.files[0].kind, provgate_policy::Kind::Tests);
    assert_eq!(p.code_lines, 0);
    let warn_only = mail("fix").sob().t("AI-used-for: tests");
    assert_eq!(run(&qemu, &[warn_only.clone()]).verdict, Verdict::Warn);
    let fail = mail("fix");
    assert_eq!(
        run(&qemu, &[good.clone(), fail.clone()]).series[0].verdict,
        Verdict::Fail
    );
    // CLI overrides re-level rules.
    let o = Overrides {
        allow: vec![id("dco-missing-signoff")],
        deny: vec![id("disclosure-placement")],
        ..Overrides::default()
    };
    let c = CheckContext::new(None, Stage::Submit, TODAY, o).unwrap();
    let r = check(
        &qemu,
        &c,
        &[series_of(vec![fail.patch(), warn_only.patch()])],
    );
    assert_eq!(fired(&r, "dco-missing-signoff"), NONE);
    assert_eq!(fired(&r, "disclosure-placement"), DENY);
    assert!(Overrides::parse(&[], &["nope".into()], &[]).is_err());
}

#[test]
fn json_shape_of_results() {
    let r = run(
        &preset("qemu"),
        &[signed("AI-used-for: code (prototype)").code("hw/a.c", 2)],
    );
    let v = serde_json::to_value(&r).unwrap();
    let patch = &v["series"][0]["patches"][0];
    assert_eq!(patch["ai"]["disclosed"], true);
    assert_eq!(patch["ai"]["declarations"][0]["categories"][0], "code");
    assert_eq!(patch["ai"]["declarations"][0]["explanation"], "prototype");
    assert_eq!(patch["files"][0]["kind"], "code");
    assert_eq!(patch["verdict"], "pass");
    assert!(
        v["policy"]["digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    let zones = Zones::new(&preset("qemu"), None).unwrap();
    let info = serde_json::to_value(zones.classify("linux-headers/asm-x86/kvm.h")).unwrap();
    assert_eq!(info["zones"][0], "imported-headers");
    assert_eq!(info["exempt"], true);
    assert!(info["sections"].as_array().unwrap().is_empty());
}

// ---- zones from a real MAINTAINERS file ------------------------------------------------------------

const MAINTAINERS: &str = "\
Memory API
M:\tMem Maint <mem@example.org>
R:\tMem Rev <memrev@example.org>
S:\tSupported
F:\tsystem/memory.c
F:\tinclude/system/memory.h

ARM TCG CPUs
M:\tArm Maint <arm@example.org>
S:\tMaintained
F:\ttarget/arm/

Obsolete thing
S:\tObsolete
F:\thw/old/

THE REST
M:\tRest <rest@example.org>
S:\tMaintained
F:\t*
F:\t*/
";

#[test]
fn zones_load_maintainers_from_the_repository_root() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("MAINTAINERS"), MAINTAINERS).unwrap();
    let p = policy(
        "extends = \"qemu\"\n[[zone]]\nname = \"memory\"\ntier = \"protected\"\nsections = [\"memory api\"]\n[[zone]]\nname = \"arm-tests\"\nkind = \"tests\"\npaths = [\"target/arm/tests/\"]\n",
    );
    let zones = Zones::load(&p, Some(dir.path())).unwrap();
    assert!(zones.has_maintainers());
    let info = zones.classify("system/memory.c");
    assert_eq!(info.zones, ["memory"]);
    assert_eq!(info.tier, provgate_policy::Tier::Protected);
    assert_eq!(
        info.sections
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["Memory API", "THE REST"]
    );
    assert_eq!(info.sections[0].status.as_deref(), Some("Supported"));
    assert_eq!(
        info.maintainers,
        ["Mem Maint <mem@example.org>", "Rest <rest@example.org>"]
    );
    assert_eq!(info.reviewers, ["Mem Rev <memrev@example.org>"]);
    let arm = zones.classify("target/arm/tests/t.c");
    assert_eq!(
        (arm.kind, arm.zones.len()),
        (provgate_policy::Kind::Tests, 1)
    );
    assert_eq!(arm.maintainers[0], "Arm Maint <arm@example.org>");
    let json = serde_json::to_value(zones.classify("hw/old/x.c")).unwrap();
    assert_eq!(
        json["sections"][0],
        serde_json::json!({"name": "Obsolete thing", "status": "Obsolete"})
    );
    // The whole check reads it through the context's repository root.
    let m = mail("memory: fix")
        .t("AI-used-for: code")
        .sob()
        .code("system/memory.c", 3);
    let c = ctx_in(dir.path());
    let r = check(&p, &c, &[series_of(vec![m.patch()])]);
    assert_eq!(fired(&r, "protected-zone"), DENY);
    let acked = m.t("Acked-by: Mem Maint <mem@example.org>");
    let r = check(&p, &c, &[series_of(vec![acked.patch()])]);
    assert_eq!(fired(&r, "protected-zone"), NONE);
    // No MAINTAINERS read when the policy says so.
    let none = policy("extends = \"qemu\"\n[zones]\nmaintainers-file = \"\"\n");
    assert!(
        !Zones::load(&none, Some(dir.path()))
            .unwrap()
            .has_maintainers()
    );
}

#[test]
fn malformed_maintainers_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("MAINTAINERS"),
        "M:\tNobody <n@example.org>\n",
    )
    .unwrap();
    let e = Zones::load(&preset("qemu"), Some(dir.path())).unwrap_err();
    assert_eq!(e.line, 1, "{e}");
    assert!(e.origin.ends_with("MAINTAINERS"));
    // `check` goes on without it and says why.
    let c = ctx_in(dir.path());
    let r = check(
        &preset("qemu"),
        &c,
        &[series_of(vec![mail("fix").sob().patch()])],
    );
    assert_eq!(r.notes.len(), 2, "{:?}", r.notes);
    assert!(
        r.notes.iter().any(|n| n.contains("line 1")),
        "{:?}",
        r.notes
    );
    assert!(
        r.notes.iter().any(|n| n.contains("maintainers-update")),
        "{:?}",
        r.notes
    );
}

#[test]
fn xen_each_section_with_a_real_xen_maintainers_file() {
    let text = "\
ARM (W/ VIRTUALISATION EXTENSIONS) ARCHITECTURE
M:\tArm M <arm@example.org>
S:\tSupported
F:\txen/arch/arm/

X86 ARCHITECTURE
M:\tX86 M <x86@example.org>
S:\tSupported
F:\txen/arch/x86/

THE REST
M:\tRest <rest@example.org>
S:\tSupported
V:\txen-maintainers-1
F:\t*
F:\t*/
";
    let m = provgate_maintainers::Maintainers::parse(text).unwrap();
    let p = policy(
        "extends = \"default\"\n[review]\nfrom = \"each-section\"\napplies-to = \"all\"\n[rules]\nreview-missing = \"warn\"\n",
    );
    let zones = Zones::new(&p, Some(Box::new(m))).unwrap();
    // Xen's script drops THE REST's maintainers when a specific section has one.
    assert_eq!(
        zones.classify("xen/arch/arm/a.c").maintainers,
        ["Arm M <arm@example.org>"]
    );
    let both = mail("fix")
        .sob()
        .code("xen/arch/arm/a.c", 1)
        .code("xen/arch/x86/b.c", 1);
    let rest_only = both.clone().t("Acked-by: Rest <rest@example.org>");
    let r = run_zones(&p, &zones, &[rest_only], Stage::Merge);
    assert_eq!(
        fired(&r, "review-missing").len(),
        2,
        "THE REST cannot ack for ARM and X86"
    );
    let acked = both
        .t("Acked-by: Arm M <arm@example.org>")
        .t("Acked-by: X86 M <x86@example.org>");
    let r = run_zones(&p, &zones, &[acked], Stage::Merge);
    assert_eq!(fired(&r, "review-missing"), NONE);
}

#[test]
fn ai_written_message() {
    let written = mail("hw/usb: fix descriptor length")
        .body(
            "The length was off by one.\n\n🤖 Generated with [Claude Code](https://claude.ai/code)",
        )
        .t("AI-used-for: code")
        .sob();
    expect("qemu-llm-usage", &written, "ai-written-message", WARN);
    expect("mesa", &written, "ai-written-message", WARN);
    expect_because(
        "qemu",
        &written,
        "ai-written-message",
        NONE,
        "the May proposal is silent",
    );
    let r = run(&preset("qemu-llm-usage"), &[written]);
    assert_eq!(finding(&r, "ai-written-message").line, Some(5));
    let aider = mail("aider: fix descriptor length")
        .t("AI-used-for: code")
        .sob();
    expect("qemu-llm-usage", &aider, "ai-written-message", WARN);
    // Near misses: a tool named in prose, a tool's co-author trailer (help, not the text).
    let prose = mail("hw/usb: fix descriptor length")
        .body("Claude Code suggested the fix; see https://claude.ai/code.")
        .t("AI-used-for: code")
        .sob();
    expect("qemu-llm-usage", &prose, "ai-written-message", NONE);
    let coauthor = signed("Co-authored-by: Claude <noreply@anthropic.com>");
    expect("mesa", &coauthor, "ai-written-message", NONE);
    // A cover letter: a series-level finding.
    let mut cover =
        provgate_patch::Patch::new("cover@x", provgate_patch::Origin::Diff { file: "x".into() });
    cover.message =
        "hw/usb: fixes\n\nThis series fixes things.\n\nGenerated with [Devin](https://devin.ai)\n"
            .into();
    let mut series = series_of(vec![signed("AI-used-for: code").patch()]);
    series.cover = Some(cover);
    let r = check(&preset("qemu-llm-usage"), &ctx(Stage::Submit), &[series]);
    assert_eq!(
        r.series[0]
            .findings
            .iter()
            .filter(|f| f.rule == id("ai-written-message"))
            .count(),
        1
    );
    assert_eq!(r.series[0].findings[0].patch_id.as_deref(), Some("cover@x"));
    assert_eq!(r.series[0].verdict, Verdict::Warn);
}

#[cfg(unix)]
#[test]
fn maintainers_symlink_out_of_the_repository_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), "top secret line\n").unwrap();
    let repo = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret"),
        repo.path().join("MAINTAINERS"),
    )
    .unwrap();
    let e = Zones::load(&preset("qemu"), Some(repo.path())).unwrap_err();
    assert!(e.to_string().contains("outside the repository"), "{e}");
    assert!(!e.to_string().contains("top secret"));
    // A link inside the repository is fine.
    let inside = tempfile::tempdir().unwrap();
    std::fs::write(inside.path().join("MAINTAINERS.real"), MAINTAINERS).unwrap();
    std::os::unix::fs::symlink(
        inside.path().join("MAINTAINERS.real"),
        inside.path().join("MAINTAINERS"),
    )
    .unwrap();
    assert!(
        Zones::load(&preset("qemu"), Some(inside.path()))
            .unwrap()
            .has_maintainers()
    );
}

// ---- the code-analysis extension point --------------------------------------------------------

/// An analyzer returning fixed facts for every patch.
struct Fixed(provgate_policy::CodeFacts);

impl provgate_policy::CodeAnalyzer for Fixed {
    fn analyze(&self, _policy: &Policy, series: &Series) -> Vec<provgate_policy::CodeFacts> {
        series
            .patches
            .iter()
            .filter(|p| !p.is_cover_letter())
            .map(|_| self.0.clone())
            .collect()
    }
}

fn run_code(policy: &Policy, mails: &[Mail], facts: provgate_policy::CodeFacts) -> CheckResult {
    let patches = mails.iter().map(Mail::patch).collect();
    let zones = Zones::new(policy, None).unwrap();
    provgate_policy::check_with_code(
        policy,
        &ctx(Stage::Submit),
        &zones,
        &[series_of(patches)],
        Some(&Fixed(facts)),
    )
}

fn issue(rule: &str, path: &str, line: u32) -> provgate_policy::CodeIssue {
    provgate_policy::CodeIssue {
        rule: id(rule),
        path: path.into(),
        line,
        message: format!("{rule} here"),
        help: Some("fix it".into()),
    }
}

#[test]
fn code_issues_become_findings_at_their_line_and_level() {
    let m = mail("hw/misc: call").sob().code("hw/misc/dev.c", 2);
    let facts = provgate_policy::CodeFacts {
        issues: vec![
            issue("unknown-symbol", "hw/misc/dev.c", 11),
            issue("insecure-call", "hw/misc/dev.c", 12),
        ],
        ..Default::default()
    };
    let r = run_code(&preset("qemu"), &[m.clone()], facts.clone());
    let unknown = finding(&r, "unknown-symbol");
    assert_eq!(unknown.level, Level::Warn);
    assert_eq!(unknown.path.as_deref(), Some("hw/misc/dev.c"));
    assert_eq!(unknown.line, Some(11));
    assert_eq!(unknown.help.as_deref(), Some("fix it"));
    assert_eq!(fired(&r, "insecure-call"), WARN);
    // Re-levelled by the policy; without an analyzer the code rules say nothing.
    let strict = policy("extends = \"qemu\"\n[rules]\nunknown-symbol = \"deny\"\n");
    assert_eq!(
        fired(&run_code(&strict, &[m.clone()], facts), "unknown-symbol"),
        DENY
    );
    assert!(fired(&run(&strict, &[m]), "unknown-symbol").is_empty());
}

#[test]
fn comment_only_hunks_by_code_are_docs_and_mechanical_patches_are_exempt() {
    let m = mail("hw/misc: rename")
        .t("AI-used-for: code")
        .sob()
        .code("hw/misc/dev.c", 25);
    let qemu = preset("qemu");
    expect(&qemu, &m, "ai-line-limit", DENY);
    // The parser says the hunk only changed comments: no lines of code.
    let docs = provgate_policy::CodeFacts {
        hunks: vec![Some(vec![provgate_policy::HunkCode {
            comment_only: true,
            code_lines: 0,
        }])],
        ..Default::default()
    };
    let r = run_code(&qemu, &[m.clone()], docs);
    assert!(fired(&r, "ai-line-limit").is_empty());
    let file = &r.series[0].patches[0].files[0];
    assert_eq!(file.hunk_kinds, [provgate_policy::Kind::Docs]);
    assert_eq!(file.code_lines, 0);
    // A mechanical patch: exempt under qemu, not under qemu-llm-usage.
    let mech = provgate_policy::CodeFacts {
        mechanical: Some(provgate_policy::Mechanical {
            from: "old_name".into(),
            to: "new_name".into(),
            pairs: 25,
        }),
        ..Default::default()
    };
    let r = run_code(&qemu, &[m.clone()], mech.clone());
    assert!(fired(&r, "ai-line-limit").is_empty());
    assert_eq!(
        r.series[0].patches[0].mechanical.as_ref().unwrap().to,
        "new_name"
    );
    let llm = preset("qemu-llm-usage");
    assert_eq!(fired(&run_code(&llm, &[m], mech), "ai-line-limit"), WARN);
}

#[test]
fn regression_test_unproven_needs_a_proof_for_ai_fixes_with_tests() {
    use provgate_policy::{CodeFacts, ProofFacts, ProofOutcome};
    let qemu = preset("qemu");
    let fix = mail("hw/misc: fix")
        .t("AI-used-for: code, tests")
        .sob()
        .code("hw/misc/dev.c", 2)
        .code("tests/qtest/dev-test.c", 5);
    let proof = |outcome| CodeFacts {
        proof: Some(ProofFacts {
            outcome,
            summary: "without the fix: exit 0; with it: exit 0".into(),
        }),
        ..Default::default()
    };
    let human = mail("hw/misc: fix")
        .sob()
        .code("hw/misc/dev.c", 2)
        .code("tests/qtest/dev-test.c", 5);
    let tests_only = mail("tests: more")
        .t("AI-used-for: tests")
        .sob()
        .code("tests/qtest/dev-test.c", 5);
    let linux = preset("linux");
    let none = CodeFacts::default;
    // Each case: what it is, the policy, the patch, the analyzer's facts (none: no analysis).
    let cases = [
        ("no proof", &qemu, &fix, Some(none()), WARN),
        (
            "a hollow proof",
            &qemu,
            &fix,
            Some(proof(ProofOutcome::Hollow)),
            WARN,
        ),
        (
            "a proof",
            &qemu,
            &fix,
            Some(proof(ProofOutcome::Proven)),
            NONE,
        ),
        // Near misses: no analysis; a human patch; tests only.
        ("no analysis", &qemu, &fix, None, NONE),
        ("a human patch", &qemu, &human, Some(none()), NONE),
        ("tests only", &qemu, &tests_only, Some(none()), NONE),
        // Off in presets whose text does not ask for it.
        ("not asked for", &linux, &fix, Some(none()), NONE),
    ];
    for (case, policy, m, facts, want) in cases {
        let r = match facts {
            Some(facts) => run_code(policy, &[m.clone()], facts),
            None => run(policy, &[m.clone()]),
        };
        expect_in(&r, "regression-test-unproven", want, case);
    }
}

// ---- what the published policies say (issue 15) --------------------------------------------

/// The accepted disclosure `policy` asks for first, declaring `categories` where its syntax has
/// them.
fn disclosure_line(policy: &Policy, categories: &str) -> String {
    let t = &policy.disclosure.trailers[0];
    let value = match t.syntax {
        provgate_policy::policy::Syntax::Categories => categories.to_string(),
        provgate_policy::policy::Syntax::AgentModel => "LLM coccinelle".to_string(),
        provgate_policy::policy::Syntax::ToolModel => "Copilot (GPT-4o)".to_string(),
        provgate_policy::policy::Syntax::Free => "GitHub Copilot".to_string(),
    };
    format!("{}: {value}", t.key)
}

/// 30 changed line pairs that rename one identifier.
fn renamed(m: Mail, n: usize) -> Mail {
    let old: Vec<String> = (0..n).map(|i| format!("    old_name(s, {i});")).collect();
    let new: Vec<String> = (0..n).map(|i| format!("    new_name(s, {i});")).collect();
    let old: Vec<&str> = old.iter().map(String::as_str).collect();
    let new: Vec<&str> = new.iter().map(String::as_str).collect();
    m.modify("hw/misc/dev.c", &old, &new)
}

/// `n` deleted lines of code.
fn deleted(m: Mail, n: usize) -> Mail {
    let old: Vec<String> = (0..n).map(|i| format!("    gone({i});")).collect();
    let old: Vec<&str> = old.iter().map(String::as_str).collect();
    m.modify("hw/misc/dev.c", &old, &[])
}

/// For every preset: a patch with an honest, accepted disclosure of a use the source permits
/// never fails where the same patch without it passes; and it never gets a worse verdict than
/// the same patch carrying only the tool's marks.
#[test]
fn disclosure_never_costs_more_than_silence() {
    let marks = "Co-authored-by: Claude <noreply@anthropic.com>";
    for name in provgate_policy::presets::names() {
        let p = preset(name);
        if p.disclosure.trailers.is_empty() {
            continue;
        }
        let no_output = p.disclosure.trailers[0]
            .no_output
            .first()
            .cloned()
            .unwrap_or_else(|| "research".into());
        // (what, the patch, its categories, whether the source permits it without agreement)
        let shapes: Vec<(&str, Mail, String, bool)> = vec![
            (
                "a small fix",
                mail("fix").code("hw/misc/dev.c", 5),
                "code".into(),
                p.ai.allowed,
            ),
            (
                "tests",
                mail("test").code("tests/qtest/dev-test.c", 80),
                "tests".into(),
                p.ai.allowed,
            ),
            (
                "docs",
                mail("doc").code("docs/devel/dev.rst", 80),
                "docs".into(),
                p.ai.allowed,
            ),
            (
                "research",
                mail("fix").code("hw/misc/dev.c", 40),
                no_output,
                true,
            ),
            (
                "a deletion",
                deleted(mail("rm"), 125),
                "code".into(),
                p.ai.allowed,
            ),
            (
                "a rename",
                renamed(mail("mv"), 30),
                "code".into(),
                p.ai.allowed,
            ),
            (
                "a large change",
                mail("big").code("hw/misc/dev.c", 40),
                "code".into(),
                // QEMU's proposal: larger changes need the maintainer's agreement beforehand.
                p.ai.allowed && !name.starts_with("qemu"),
            ),
            (
                "a declared refactoring",
                mail("big").code("hw/misc/dev.c", 40),
                "code (refactoring)".into(),
                p.ai.allowed && p.limits.mechanical_exempt,
            ),
        ];
        for (what, m, categories, permitted) in shapes {
            let disclosed = m.clone().t(&disclosure_line(&p, &categories)).sob();
            let silent = m.clone().sob();
            let marked = m.clone().t(marks).sob();
            let verdict = |x: &Mail| run(&p, std::slice::from_ref(x)).verdict;
            let (d, s, k) = (verdict(&disclosed), verdict(&silent), verdict(&marked));
            if permitted {
                assert!(
                    d != Verdict::Fail || s == Verdict::Fail,
                    "{name}: disclosing {what} fails where silence gives {s:?}: {:?}",
                    run(&p, &[disclosed.clone()])
                        .all_findings()
                        .collect::<Vec<_>>()
                );
            }
            assert!(
                d <= k,
                "{name}: disclosing {what} gives {d:?}, the tool's marks alone {k:?}"
            );
        }
    }
}

#[test]
fn qemu_2025_research_and_analysis_are_out_of_scope() {
    for value in ["research", "analysis", "research, analysis"] {
        let m = signed(&format!("AI-used-for: {value}"));
        expect("qemu-2025", &m, "ai-banned", NONE);
    }
    // Near misses: output in the patch is declined.
    expect("qemu-2025", &signed("AI-used-for: code"), "ai-banned", DENY);
    expect(
        "qemu-2025",
        &signed("AI-used-for: research, docs"),
        "ai-banned",
        DENY,
    );
}

#[test]
fn line_limits_count_added_lines_never_deletions() {
    let q = "qemu";
    let d = "AI-used-for: code";
    expect(
        q,
        &deleted(mail("rm"), 125).t(d).sob(),
        "ai-line-limit",
        NONE,
    );
    let vendored = mail("rm").t(d).sob().modify(
        "subprojects/lib/a.c",
        &[
            "a();", "b();", "c();", "d();", "e();", "f();", "g();", "h();", "i();", "j();", "k();",
            "l();", "m();", "n();", "o();", "p();", "q();", "r();", "s();", "t();", "u();", "v();",
        ],
        &[],
    );
    expect(q, &vendored, "ai-line-limit", NONE);
    // A changed line counts once: 20 replaced lines are 20 lines.
    let old: Vec<String> = (0..20).map(|i| format!("a{i}();")).collect();
    let new: Vec<String> = (0..20).map(|i| format!("b{i}(x);")).collect();
    let old: Vec<&str> = old.iter().map(String::as_str).collect();
    let new: Vec<&str> = new.iter().map(String::as_str).collect();
    let changed = mail("fix").t(d).sob().modify("hw/misc/dev.c", &old, &new);
    expect(q, &changed, "ai-line-limit", NONE);
    // Near miss: 21 added lines are over the limit.
    expect(
        q,
        &mail("fix").t(d).sob().code("hw/misc/dev.c", 21),
        "ai-line-limit",
        DENY,
    );
}

#[test]
fn qemu_mechanical_changes_as_the_proposal_says() {
    // A rename is read from the diff: exempt without code analysis too.
    let rename = renamed(mail("mv").t("AI-used-for: code").sob(), 30);
    expect("qemu", &rename, "ai-line-limit", NONE);
    let r = run(&preset("qemu"), &[rename.clone()]);
    assert!(r.series[0].patches[0].mechanical.is_some());
    // A declared refactoring provgate cannot verify is for the reviewer.
    let declared = mail("big")
        .t("AI-used-for: code (refactoring), tests")
        .sob()
        .code("hw/misc/dev.c", 40);
    expect("qemu", &declared, "ai-line-limit", WARN);
    expect("qemu", &declared, "disclosure-syntax", NONE);
    // Near misses: the same size with another explanation, and the llm-usage draft, which has no
    // mechanical category (and whose limit is a warning for the maintainer to judge).
    let prototype = mail("big")
        .t("AI-used-for: code (prototype)")
        .sob()
        .code("hw/misc/dev.c", 40);
    expect("qemu", &prototype, "ai-line-limit", DENY);
    expect("qemu-llm-usage", &declared, "ai-line-limit", WARN);
    // The rename is exempt under qemu only; the draft counts it.
    expect("qemu-llm-usage", &rename, "ai-line-limit", WARN);
}

#[test]
fn qemu_llm_usage_reads_its_own_values() {
    let research = mail("fix")
        .t("AI-used-for: research")
        .sob()
        .code("hw/misc/dev.c", 40);
    expect("qemu-llm-usage", &research, "ai-line-limit", NONE);
    expect("qemu-llm-usage", &research, "disclosure-vocabulary", WARN);
    let analysis = mail("fix")
        .t("AI-used-for: analysis")
        .sob()
        .code("hw/misc/dev.c", 40);
    expect("qemu-llm-usage", &analysis, "ai-line-limit", NONE);
    expect("qemu-llm-usage", &analysis, "disclosure-vocabulary", NONE);
    // Near miss: code over the limit is reported, as a warning.
    let code = mail("fix")
        .t("AI-used-for: code")
        .sob()
        .code("hw/misc/dev.c", 40);
    expect("qemu-llm-usage", &code, "ai-line-limit", WARN);
}

#[test]
fn linux_accepts_both_attribution_forms_and_requires_spdx() {
    for value in [
        "LLM coccinelle sparse",
        "LLM",
        "Claude:claude-3-opus coccinelle sparse",
        "GitHub Copilot:claude-opus-4.6",
    ] {
        let m = signed(&format!("Assisted-by: {value}"));
        expect("linux", &m, "disclosure-syntax", NONE);
        assert!(
            run(&preset("linux"), &[m]).series[0].patches[0]
                .ai
                .disclosed
        );
    }
    expect(
        "linux",
        &signed("Assisted-by: Claude Opus 4.6"),
        "disclosure-syntax",
        WARN,
    );
    let new_file = signed("").add_file("drivers/misc/new.c", &["int x;"]);
    expect("linux", &new_file, "spdx-missing", DENY);
    let tagged = signed("").add_file(
        "drivers/misc/new.c",
        &["// SPDX-License-Identifier: GPL-2.0", "int x;"],
    );
    expect("linux", &tagged, "spdx-missing", NONE);
}

#[test]
fn openinfra_requires_signoff_and_the_label() {
    expect("openinfra", &mail("fix"), "dco-missing-signoff", DENY);
    expect("openinfra", &mail("fix").sob(), "dco-missing-signoff", NONE);
    let marked = signed("Co-authored-by: Claude <noreply@anthropic.com>");
    expect("openinfra", &marked, "undisclosed-ai", DENY);
    let labelled = signed(
        "Co-authored-by: Claude <noreply@anthropic.com>\nAssisted-By: Claude (claude-opus-4.5)",
    );
    expect("openinfra", &labelled, "undisclosed-ai", NONE);
}

#[test]
fn ai_agent_author() {
    let agent = signed("Assisted-by: Cursor").from("Cursor Agent <cursoragent@cursor.com>");
    expect("mesa", &agent, "ai-agent-author", DENY);
    expect("llvm", &agent, "ai-agent-author", DENY);
    expect("openinfra", &agent, "ai-agent-author", WARN);
    expect("default", &agent, "ai-agent-author", WARN);
    expect("qemu", &agent, "ai-agent-author", NONE);
    let bot = signed("Assisted-by: Copilot")
        .from("copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>");
    expect("mesa", &bot, "ai-agent-author", DENY);
    // Near misses: a human using the tool, a tool co-author line, a person committing through
    // Aider.
    expect(
        "mesa",
        &signed("Assisted-by: Cursor"),
        "ai-agent-author",
        NONE,
    );
    expect(
        "mesa",
        &signed("Co-authored-by: Cursor <cursoragent@cursor.com>"),
        "ai-agent-author",
        NONE,
    );
    expect(
        "mesa",
        &signed("Assisted-by: aider").from("Jane Doe (aider) <jane@example.org>"),
        "ai-agent-author",
        NONE,
    );
}

#[test]
fn authorship_style_disclosures_are_disclosures_where_the_text_says_so() {
    let coauthor = signed("Co-authored-by: Claude <noreply@anthropic.com>");
    for name in ["fedora", "llvm", "asf"] {
        expect(name, &coauthor, "undisclosed-ai", NONE);
        assert!(
            run(&preset(name), &[coauthor.clone()]).series[0].patches[0]
                .ai
                .disclosed,
            "{name}"
        );
        for other in [
            "Generated-by: ChatGPT",
            "Assisted-by: Claude",
            "AI-used-for: code",
        ] {
            expect(name, &signed(other), "disclosure-wrong-trailer", NONE);
        }
    }
    // Near miss: Mesa says never `Co-authored-by` for AI.
    expect("mesa", &coauthor, "ai-coauthor-forbidden", DENY);
}
