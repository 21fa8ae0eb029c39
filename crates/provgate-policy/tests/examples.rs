//! Every rule's documented examples, run: the failing one must produce a finding of the rule and
//! the passing one must not. The examples are what `provgate explain` prints and `docs/rules/`
//! shows, so a wrong example is a wrong document.
//!
//! An example is written as a reader sees a patch, and this harness turns it into a mail:
//!
//! 1. an optional first paragraph `NAME preset:` names the preset it runs under (else `default`);
//! 2. an optional paragraph of `From:` or `Author:` lines gives the author (else Jane Doe);
//! 3. then either added lines (`+...`, put into `hw/misc/foo.c` of a signed-off patch), or a
//!    commit message whose first line is the subject, optionally followed by `---` and a diffstat
//!    naming the files the patch changes (one added line each; `hw/misc/dev.c` when none).
//!
//! Examples written as prose (a whole series, a repository's MAINTAINERS, code for the analysis)
//! are listed in `PROSE` with what they need; they are not run yet.

use provgate_patch::mail::{MailItem, read_message};
use provgate_patch::mbox::RawMessage;
use provgate_patch::{Patch, Series};
use provgate_policy::{CheckContext, Overrides, Policy, RuleId, Stage, check};

/// Rules whose examples describe their input in prose, and what running them would need.
const PROSE: &[(RuleId, &str)] = &[
    (RuleId::AiLineLimit, "a diff of a given size"),
    (RuleId::AiSplitSeries, "a series of three patches"),
    (
        RuleId::TrialScope,
        "a policy with a [trial] table and a dated patch",
    ),
    (RuleId::ReviewMissing, "the merge stage"),
    (RuleId::SpdxMissing, "a new file with given first lines"),
    (RuleId::SpdxLicense, "a new file with given first lines"),
    (RuleId::MaintainersUpdate, "a repository's MAINTAINERS file"),
    (RuleId::ProtectedZone, "a policy with a [[zone]]"),
    (RuleId::StaleWaiver, "a policy with an [[exception]]"),
    (RuleId::UnknownSymbol, "code analysis over a repository"),
    (RuleId::InsecureCall, "code analysis"),
    (RuleId::InsecureIdiom, "code analysis"),
    (RuleId::PreferredApi, "code analysis"),
    (RuleId::NewUnsafe, "code analysis"),
    (RuleId::TestWithoutAssertion, "code analysis"),
    (RuleId::RegressionTestUnproven, "a regression-test proof"),
];

const DEFAULT_FROM: &str = "Jane Doe <jane@example.org>";
const SIGNOFF: &str = "Signed-off-by: Jane Doe <jane@example.org>";

/// An example read as a preset name and the text of a mail.
struct Example {
    preset: String,
    mail: String,
}

fn paragraph(text: &str) -> (&str, &str) {
    text.split_once("\n\n").unwrap_or((text, ""))
}

fn read_example(text: &str) -> Example {
    let mut rest = text;
    let mut preset = "default".to_string();
    let (first, after) = paragraph(rest);
    if let Some(name) = first.strip_suffix(" preset:")
        && !name.contains(' ')
    {
        preset = name.to_string();
        rest = after;
    }
    let mut from = DEFAULT_FROM.to_string();
    let (first, after) = paragraph(rest);
    if first
        .lines()
        .all(|l| l.starts_with("From: ") || l.starts_with("Author: "))
    {
        let line = first.lines().next().unwrap_or_default();
        from = line.split_once(": ").map_or(line, |(_, v)| v).to_string();
        rest = after;
    }
    let added: Vec<&str> = rest.lines().filter_map(|l| l.strip_prefix('+')).collect();
    let (message, diff) = if !added.is_empty() && added.len() == rest.lines().count() {
        (
            format!("fix\n\n{SIGNOFF}\n"),
            modify("hw/misc/foo.c", &added),
        )
    } else {
        let (message, stat) = rest.split_once("\n---\n").unwrap_or((rest, ""));
        let mut diff = String::new();
        for line in stat.lines() {
            if let Some((path, _)) = line.split_once(" | ") {
                diff.push_str(&modify(path.trim(), &["x = 1;"]));
            }
        }
        if diff.is_empty() {
            diff = modify("hw/misc/dev.c", &["x = 1;"]);
        }
        (format!("{message}\n"), diff)
    };
    let (subject, body) = match message.split_once('\n') {
        // A message that starts with trailers (or an in-body `From:`) shows only its end.
        _ if is_trailer(&message) => ("fix", message.as_str()),
        Some((subject, body)) => (subject, body.trim_start_matches('\n')),
        None => (message.as_str(), ""),
    };
    Example {
        preset,
        mail: format!(
            "From: {from}\nSubject: [PATCH] {subject}\nMessage-ID: <example@example.org>\nDate: Thu, 04 Jun 2026 10:00:00 +0000\nContent-Type: text/plain; charset=utf-8\n\n{body}---\n{diff}-- \n2.50.0\n"
        ),
    }
}

/// Whether `line` starts like `Key-Name: value`.
fn is_trailer(line: &str) -> bool {
    line.split_once(": ").is_some_and(|(key, _)| {
        !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    })
}

fn modify(path: &str, added: &[&str]) -> String {
    let mut s = format!(
        "diff --git a/{path} b/{path}\nindex 1111111..2222222 100644\n--- a/{path}\n+++ b/{path}\n@@ -10,1 +10,{} @@\n ctx();\n",
        added.len() + 1
    );
    for line in added {
        s.push_str(&format!("+{line}\n"));
    }
    s
}

fn patch(mail: &str) -> Patch {
    let raw = RawMessage {
        bytes: mail.as_bytes().to_vec(),
        from_line: None,
        first_line: 1,
    };
    match read_message(&raw, "example.mbox").expect("the example reads as a mail") {
        MailItem::Patch(p) => *p,
        MailItem::NotAPatch { .. } => panic!("the example is not a patch:\n{mail}"),
    }
}

/// Whether the example produces a finding of `id`.
fn fires(id: RuleId, text: &str) -> bool {
    let example = read_example(text);
    let policy = Policy::preset(&example.preset).expect("the example names a preset");
    let ctx = CheckContext::new(
        None,
        Stage::Submit,
        jiff::civil::date(2026, 6, 4),
        Overrides::default(),
    )
    .expect("no overrides");
    let series = Series {
        id: "example".into(),
        version: 1,
        total: None,
        cover: None,
        patches: vec![patch(&example.mail)],
    };
    check(&policy, &ctx, &[series])
        .all_findings()
        .any(|f| f.rule == id)
}

#[test]
fn every_rules_examples_fail_and_pass_as_documented() {
    let mut wrong = Vec::new();
    for rule in provgate_policy::rules::all() {
        let id = rule.id();
        if PROSE.iter().any(|(p, _)| *p == id) {
            continue;
        }
        let doc = rule.doc();
        if !fires(id, doc.failing) {
            wrong.push(format!("{id}: the failing example reports nothing"));
        }
        if fires(id, doc.passing) {
            wrong.push(format!("{id}: the passing example is reported"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn prose_examples_name_real_rules_once() {
    for (i, (id, need)) in PROSE.iter().enumerate() {
        assert!(!need.is_empty());
        assert!(!PROSE[..i].iter().any(|(p, _)| p == id), "{id} twice");
    }
}
