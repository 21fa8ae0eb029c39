//! Every rule's documented examples, run: the failing one must produce a finding of the rule and
//! the passing one must not. The examples are what `provgate explain` prints and `docs/rules/`
//! shows, so a wrong example is a wrong document.
//!
//! An example is written as a reader sees a patch, and this harness turns it into mails:
//!
//! 1. an optional first paragraph whose first line ends with `:` sets the scene: `NAME preset`
//!    as its first words names the preset (else `default`); TOML on its next lines is the rule's
//!    `setup.policy`, shown; the rest of the scene (a policy, a repository, a proof, the stage)
//!    is the rule's [`ExampleSetup`], which the scene describes for the reader;
//! 2. a series is several mails, each starting with a paragraph `[PATCH n/m] subject`;
//! 3. a mail is an optional paragraph of `From:`, `Author:` and `Date:` lines (else Jane Doe on
//!    the check's day), then one of:
//!    - added lines (`+...`), put into `hw/misc/foo.c` of a signed-off patch;
//!    - a diff without hunk headers: `--- a/PATH` or `--- /dev/null` (a new file), `+++ b/PATH`
//!      and the file's added lines, for one or more files;
//!    - a commit message whose first line is the subject, optionally followed by `---` and a
//!      diffstat naming the files the patch changes, each with as many added lines as its count
//!      (`hw/misc/dev.c` when none), and git's `create mode` lines for new files;
//! 4. or, on one line, `NAME preset: ` then backquoted trailers (`` `AI-used-for: code` ``) and
//!    `N changed lines in PATH` or `N in PATH` for the added lines of code of each file.

use provgate_patch::mail::{MailItem, read_message};
use provgate_patch::mbox::RawMessage;
use provgate_patch::{Patch, Series};
use provgate_policy::code::ProofFacts;
use provgate_policy::{CheckContext, ExampleSetup, Overrides, Policy, RuleId, check};

const DEFAULT_FROM: &str = "Jane Doe <jane@example.org>";
const DEFAULT_DATE: &str = "Thu, 04 Jun 2026 10:00:00 +0000";
const SIGNOFF: &str = "Signed-off-by: Jane Doe <jane@example.org>";

/// An example read as a preset name, the TOML its scene shows, and the text of its mails.
struct Example {
    preset: String,
    toml: String,
    mails: Vec<String>,
}

fn paragraph(text: &str) -> (&str, &str) {
    text.split_once("\n\n").unwrap_or((text, ""))
}

/// The preset named by the first words `NAME preset` of `line`.
fn preset_of(line: &str) -> Option<String> {
    let mut words = line.split_whitespace();
    let name = words.next()?;
    let second = words.next()?;
    (second.trim_end_matches([',', ';', ':']) == "preset").then(|| name.to_string())
}

fn read_example(text: &str) -> Example {
    let mut rest = text;
    let mut preset = "default".to_string();
    let mut toml = String::new();
    let (first, after) = paragraph(rest);
    let first_line = first.lines().next().unwrap_or_default();
    if let Some(line) = (!text.contains('\n') || text.trim_end().lines().count() == 1)
        .then_some(text.trim_end())
        .filter(|l| l.contains('`'))
    {
        return one_line(line);
    }
    if first_line.ends_with(':') && !is_trailer(first_line) {
        preset = preset_of(first_line).unwrap_or(preset);
        for line in first.lines().skip(1) {
            toml.push_str(line);
            toml.push('\n');
        }
        rest = after;
    }
    let mut mails = Vec::new();
    let mut part = String::new();
    for para in rest.split("\n\n") {
        if para.starts_with("[PATCH ") && !part.is_empty() {
            mails.push(mail(&part));
            part.clear();
        }
        if !part.is_empty() {
            part.push_str("\n\n");
        }
        part.push_str(para);
    }
    mails.push(mail(&part));
    // Each mail its own Message-ID, which is its patch's id.
    for (i, m) in mails.iter_mut().enumerate() {
        *m = m.replace("<example@", &format!("<example-{}@", i + 1));
    }
    Example {
        preset,
        toml,
        mails,
    }
}

/// The one-line form: a preset, backquoted trailers and counts of added lines per file.
fn one_line(line: &str) -> Example {
    let (preset, rest) = match line.split_once(" preset: ") {
        Some((name, rest)) if !name.contains(' ') => (name.to_string(), rest),
        _ => ("default".to_string(), line),
    };
    let trailers: Vec<&str> = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|t| is_trailer(t))
        .collect();
    let words: Vec<&str> = rest.split_whitespace().collect();
    let mut diff = String::new();
    for (i, w) in words.iter().enumerate() {
        let Some(path) = words
            .get(i + 1)
            .map(|p| p.trim_end_matches([',', ';', '.']))
        else {
            continue;
        };
        if *w != "in" || !path.contains('/') {
            continue;
        }
        // `N in PATH`, `N lines in PATH`, `N changed lines in PATH`.
        let count = words[i.saturating_sub(3)..i]
            .iter()
            .rev()
            .find_map(|w| w.parse::<usize>().ok())
            .unwrap_or(1);
        diff.push_str(&modify(path, &code_lines(count)));
    }
    if diff.is_empty() {
        diff = modify("hw/misc/dev.c", &code_lines(1));
    }
    let message = format!("fix\n\n{}\n", trailers.join("\n"));
    Example {
        preset,
        toml: String::new(),
        mails: vec![envelope(DEFAULT_FROM, DEFAULT_DATE, &message, &diff)],
    }
}

/// `count` distinct lines of code.
fn code_lines(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("x{i} = {i};")).collect()
}

/// One mail of an example: its author paragraph and its patch.
fn mail(text: &str) -> String {
    let mut rest = text;
    let mut from = DEFAULT_FROM.to_string();
    let mut date = DEFAULT_DATE.to_string();
    let (first, after) = paragraph(rest);
    if first
        .lines()
        .all(|l| l.starts_with("From: ") || l.starts_with("Author: ") || l.starts_with("Date: "))
    {
        for line in first.lines() {
            let (key, value) = line.split_once(": ").unwrap_or((line, ""));
            match key {
                "Date" => date = value.to_string(),
                // A second `From:` is the real author, shown as an in-body line.
                _ if from != DEFAULT_FROM => {}
                _ => from = value.to_string(),
            }
        }
        rest = after;
    }
    let added: Vec<String> = rest
        .lines()
        .filter_map(|l| l.strip_prefix('+'))
        .map(str::to_string)
        .collect();
    let (message, diff) = if !added.is_empty() && added.len() == rest.lines().count() {
        (
            format!("fix\n\n{SIGNOFF}\n"),
            modify("hw/misc/foo.c", &added),
        )
    } else if rest.starts_with("--- ") {
        ("fix\n".to_string(), files_diff(rest))
    } else {
        let (message, stat) = rest.split_once("\n---\n").unwrap_or((rest, ""));
        (format!("{message}\n"), stat_diff(stat))
    };
    envelope(&from, &date, &message, &diff)
}

/// The diff of a diffstat: each file with as many added lines as its count.
fn stat_diff(stat: &str) -> String {
    let created: Vec<&str> = stat
        .lines()
        .filter_map(|l| l.trim().strip_prefix("create mode "))
        .filter_map(|l| l.split_once(' ').map(|(_, path)| path))
        .collect();
    let mut diff = String::new();
    for line in stat.lines() {
        if let Some((path, change)) = line.split_once(" | ") {
            let path = path.trim();
            let count = change
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(1);
            let lines = code_lines(count);
            if created.contains(&path) {
                diff.push_str(&create(path, &lines));
            } else {
                diff.push_str(&modify(path, &lines));
            }
        }
    }
    if diff.is_empty() {
        diff = modify("hw/misc/dev.c", &code_lines(1));
    }
    diff
}

/// The diff of files given as `---`/`+++` headers and added lines.
fn files_diff(text: &str) -> String {
    let mut diff = String::new();
    let mut new = false;
    let mut path = String::new();
    let mut added: Vec<String> = Vec::new();
    let mut flush = |new: bool, path: &str, added: &mut Vec<String>| {
        if !path.is_empty() {
            diff.push_str(&if new {
                create(path, added)
            } else {
                modify(path, added)
            });
        }
        added.clear();
    };
    for line in text.lines() {
        if let Some(old) = line.strip_prefix("--- ") {
            flush(new, &path, &mut added);
            new = old == "/dev/null";
        } else if let Some(p) = line.strip_prefix("+++ b/") {
            path = p.to_string();
        } else if let Some(l) = line.strip_prefix('+') {
            added.push(l.to_string());
        }
    }
    flush(new, &path, &mut added);
    diff
}

/// A mail from `from` with `message` (its first line the subject) and `diff`.
fn envelope(from: &str, date: &str, message: &str, diff: &str) -> String {
    let (subject, body) = match message.split_once('\n') {
        // A message that starts with trailers (or an in-body `From:`) shows only its end.
        _ if is_trailer(message) => ("fix", message),
        Some((subject, body)) => (subject, body.trim_start_matches('\n')),
        None => (message, ""),
    };
    let subject = if subject.starts_with("[PATCH") {
        subject.to_string()
    } else {
        format!("[PATCH] {subject}")
    };
    format!(
        "From: {from}\nSubject: {subject}\nMessage-ID: <example@example.org>\nDate: {date}\nContent-Type: text/plain; charset=utf-8\n\n{body}---\n{diff}-- \n2.50.0\n"
    )
}

/// Whether `line` starts like `Key-Name: value`.
fn is_trailer(line: &str) -> bool {
    line.split_once(": ").is_some_and(|(key, _)| {
        !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    })
}

fn modify(path: &str, added: &[String]) -> String {
    let mut s = format!(
        "diff --git a/{path} b/{path}\nindex 1111111..2222222 100644\n--- a/{path}\n+++ b/{path}\n@@ -10,1 +10,{} @@\n ctx();\n",
        added.len() + 1
    );
    for line in added {
        s.push_str(&format!("+{line}\n"));
    }
    s
}

fn create(path: &str, added: &[String]) -> String {
    let mut s = format!(
        "diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..2222222\n--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{} @@\n",
        added.len()
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

/// Whether the example produces a finding of `id` under `setup`, with the proof the setup hands
/// in for it (`proof`: 0 for the failing example, 1 for the passing one).
fn fires(id: RuleId, text: &str, setup: &ExampleSetup, proof: usize) -> bool {
    let example = read_example(text);
    if !example.toml.is_empty() {
        assert_eq!(
            example.toml, setup.policy,
            "{id}: the TOML an example shows is its setup's policy"
        );
    }
    let policy = Policy::from_toml(
        &format!("extends = \"{}\"\n{}", example.preset, setup.policy),
        "provgate.toml",
    )
    .unwrap_or_else(|e| panic!("{id}: the example's policy loads: {e}"));
    let repo = tempfile::tempdir().expect("a temporary directory");
    for (path, text) in setup.files {
        std::fs::write(repo.path().join(path), text).expect("the example's file is written");
    }
    let mut ctx = CheckContext::new(
        Some(repo.path().to_path_buf()),
        setup.stage,
        jiff::civil::date(2026, 6, 4),
        Overrides::default(),
    )
    .expect("no overrides");
    let patches: Vec<Patch> = example.mails.iter().map(|m| patch(m)).collect();
    if let Some(outcome) = setup.proofs[proof] {
        for p in &patches {
            ctx.proofs.insert(
                p.id.clone(),
                ProofFacts {
                    outcome,
                    summary: format!("the example's proof is {}", outcome.as_str()),
                },
            );
        }
    }
    let series = Series {
        id: "example".into(),
        version: 1,
        total: None,
        cover: None,
        patches,
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
        // Code for the analysis: `provgate-analysis` runs these (`tests/examples.rs` there),
        // since reading code needs its parsers.
        if rule.is_code_rule() {
            continue;
        }
        let doc = rule.doc();
        if !fires(id, doc.failing, &doc.setup, 0) {
            wrong.push(format!("{id}: the failing example reports nothing"));
        }
        if fires(id, doc.passing, &doc.setup, 1) {
            wrong.push(format!("{id}: the passing example is reported"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_series_example_is_read_as_its_mails() {
    let doc = RuleId::AiSplitSeries.rule().doc();
    let example = read_example(doc.failing);
    assert_eq!(example.preset, "qemu-llm-usage");
    assert_eq!(example.mails.len(), 3);
    let p = patch(&example.mails[1]);
    assert_eq!(p.files.len(), 1);
    assert!(p.message.contains("AI-used-for: code"), "{}", p.message);
}
