//! What a submission is: which mails of a list are patches to check, which are review, and which
//! are neither — one classifier for `provgate check`, `provgate scan` and the service.
//!
//! It follows the tools maintainers already trust:
//!
//! - **Patchwork**: a mail whose subject starts with a reply marker (`Re` followed by `:` or white
//!   space; also `Aw:`, `Fwd:`, `Sv:`, …) is a reply, whatever its body holds; a non-reply mail
//!   with a diff is a patch; a `git request-pull` body makes a pull request; part 0 of a numbered
//!   series is its cover letter.
//! - **b4 am**: replies are left out of the series and their trailers (`Reviewed-by`, `Acked-by`,
//!   `Tested-by`, …; quoted `> …` lines do not count) are collected with who sent them: a
//!   trailer in a reply to the cover letter applies to every patch of the series, one in a reply
//!   to a patch (or to a reply under it) to that patch. A v2 sent in reply to a reviewer's mail
//!   with a non-reply subject is a submission.
//!
//! Bot reports (kernel test robot, syzbot, stable-tree `FAILED:` mails, senders named in
//! [`ClassifyOptions::bot_senders`]) and pull requests are never submissions. A mail that looks
//! like a patch but whose diff cannot be read is [`Classified::Unreadable`], with the line, so
//! that its author can be told; it is never dropped silently.
//!
//! Two steps, usable apart (a service classifies each message as it arrives, and assembles the
//! series later):
//!
//! ```
//! use provgate_engine::submission::{ClassifyOptions, NotSubmission, assemble, classify_bytes};
//!
//! let options = ClassifyOptions::default();
//! let mbox = b"From: Jane <jane@example.org>\nSubject: [GIT PULL] fixes\nMessage-ID: <a@x>\n\nThe following changes since commit 0123:\n\nare available in the Git repository at:\n";
//! let items = classify_bytes("thread.mbox", mbox, Default::default(), &options);
//! let assembled = assemble(items.into_iter().map(Result::unwrap).collect());
//! assert!(assembled.series.is_empty());
//! assert_eq!(assembled.left_out[0].reason, NotSubmission::PullRequest);
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use provgate_patch::diff::DiffErrorKind;
use provgate_patch::input::{MessageReader, ReadOptions, read_plain_diff, read_stream_with};
use provgate_patch::mail::{DiffState, Mail, MailItem, read_mail};
use provgate_patch::mbox::RawMessage;
use provgate_patch::series::group_into_series;
use provgate_patch::{
    InputError, NoteKind, Origin, Patch, Person, ReaderNote, ReviewTrailer, Series, Trailer,
};

/// Why a mail is not a submission. Every left-out mail is counted under one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NotSubmission {
    /// A reply (`Re:` …): review; its trailers are collected for the series.
    Reply,
    /// A reply that carries a diff of its own (an inline suggestion): review, not a patch.
    ReplyWithDiff,
    /// A pull request: a `[GIT PULL]` subject or a `git request-pull` body.
    PullRequest,
    /// A report of a bot (see [`BotKind`]).
    BotReport(BotKind),
    /// A mail with neither a diff nor a place in a numbered series (an announcement, a
    /// question).
    Discussion,
}

/// Which bot wrote a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BotKind {
    /// The kernel test robot (`lkp@intel.com`, subjects `[tree:branch N/M] path: warning: …`).
    TestRobot,
    /// syzbot (`…@syzkaller.appspotmail.com`).
    Syzbot,
    /// The stable-tree scripts: `FAILED: patch "…" failed to apply to X-stable tree`.
    StableTree,
    /// A sender named in [`ClassifyOptions::bot_senders`].
    Configured,
}

impl NotSubmission {
    /// The kebab-case name used in reports, metrics and the service's records.
    pub fn as_str(self) -> &'static str {
        match self {
            NotSubmission::Reply => "reply",
            NotSubmission::ReplyWithDiff => "reply-with-diff",
            NotSubmission::PullRequest => "pull-request",
            NotSubmission::BotReport(BotKind::TestRobot) => "test-robot-report",
            NotSubmission::BotReport(BotKind::Syzbot) => "syzbot-report",
            NotSubmission::BotReport(BotKind::StableTree) => "stable-tree-report",
            NotSubmission::BotReport(BotKind::Configured) => "bot-report",
            NotSubmission::Discussion => "discussion",
        }
    }

    /// `n` of them in words: `3 replies`, `1 pull request`.
    pub fn count(self, n: usize) -> String {
        let (one, many) = match self {
            NotSubmission::Reply => ("reply", "replies"),
            NotSubmission::ReplyWithDiff => ("reply with a diff", "replies with a diff"),
            NotSubmission::PullRequest => ("pull request", "pull requests"),
            NotSubmission::BotReport(BotKind::TestRobot) => {
                ("test-robot report", "test-robot reports")
            }
            NotSubmission::BotReport(BotKind::Syzbot) => ("syzbot report", "syzbot reports"),
            NotSubmission::BotReport(BotKind::StableTree) => {
                ("stable-tree report", "stable-tree reports")
            }
            NotSubmission::BotReport(BotKind::Configured) => (
                "report of a configured bot sender",
                "reports of configured bot senders",
            ),
            NotSubmission::Discussion => ("discussion mail", "discussion mails"),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    }
}

impl fmt::Display for NotSubmission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sender pattern: an address (`lkp@intel.com`), or one with `*` standing for any run of
/// characters (`*@syzkaller.appspotmail.com`, `bot+*@example.org`). Compared without regard to
/// case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderPattern(String);

/// A sender pattern that cannot match an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a sender pattern: give an address, with `*` for any characters (e.g. `*@syzkaller.appspotmail.com`)"
)]
pub struct SenderPatternError(pub String);

impl std::str::FromStr for SenderPattern {
    type Err = SenderPatternError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        let Some((local, domain)) = trimmed.rsplit_once('@') else {
            return Err(SenderPatternError(text.to_string()));
        };
        if local.is_empty() || domain.is_empty() || trimmed.contains(char::is_whitespace) {
            return Err(SenderPatternError(text.to_string()));
        }
        Ok(Self(trimmed.to_ascii_lowercase()))
    }
}

impl SenderPattern {
    /// Whether `address` matches.
    pub fn matches(&self, address: &str) -> bool {
        glob(
            self.0.as_bytes(),
            address.trim().to_ascii_lowercase().as_bytes(),
        )
    }

    /// The pattern as written (lower case).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `*` matches any run of bytes; everything else itself.
///
/// Iterative, with one backtrack point (the last `*` seen): a later `*` makes every earlier one
/// irrelevant, so retrying only from the last star is complete and the work is O(n·m). The
/// sender address comes from mail anyone can send, so a recursive matcher that tries every
/// split per `*` (exponential on `*a*a*a…` against a long From) is not acceptable here.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was, and the text position it currently swallows up to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                // Let the last `*` swallow one more byte and retry after it.
                Some((star_p, star_t)) => {
                    star = Some((star_p, star_t + 1));
                    p = star_p + 1;
                    t = star_t + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// How mails are classified. The service fills [`ClassifyOptions::bot_senders`] from its
/// configuration; `check` and `scan` use the defaults.
#[derive(Debug, Clone)]
pub struct ClassifyOptions {
    /// Senders whose mail is a bot report, never a submission, with the bot each names. The
    /// default names the kernel test robot (`lkp@intel.com`) and syzbot
    /// (`*@syzkaller.appspotmail.com`).
    pub bot_senders: Vec<(SenderPattern, BotKind)>,
}

impl Default for ClassifyOptions {
    fn default() -> Self {
        let pattern = |p: &str| SenderPattern(p.to_string());
        Self {
            bot_senders: vec![
                (pattern("lkp@intel.com"), BotKind::TestRobot),
                (pattern("*@syzkaller.appspotmail.com"), BotKind::Syzbot),
            ],
        }
    }
}

impl ClassifyOptions {
    /// The defaults plus `patterns` (an operator's list), each a [`BotKind::Configured`] sender.
    pub fn with_bot_senders<I, S>(patterns: I) -> Result<Self, SenderPatternError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut options = Self::default();
        for p in patterns {
            options
                .bot_senders
                .push((p.as_ref().parse()?, BotKind::Configured));
        }
        Ok(options)
    }

    fn bot(&self, sender: Option<&Person>) -> Option<BotKind> {
        let email = &sender?.email;
        self.bot_senders
            .iter()
            .find(|(p, _)| p.matches(email))
            .map(|(_, kind)| *kind)
    }
}

/// What one mail is.
#[derive(Debug, Clone)]
pub enum Classified {
    /// A patch, or a cover letter (part 0 of a numbered series, not a reply): to be checked.
    Submission(Box<Patch>),
    /// Not a submission, never checked; a reply's trailers are kept for the series.
    NotSubmission(Box<LeftOut>),
    /// It looks like a patch but its diff cannot be read.
    Unreadable(Box<Unreadable>),
}

impl Classified {
    /// The mail's Message-ID, whatever it is.
    pub fn message_id(&self) -> Option<&str> {
        match self {
            Classified::Submission(patch) => patch.message_id.as_deref(),
            Classified::NotSubmission(left) => left.mail.message_id.as_deref(),
            Classified::Unreadable(bad) => bad.mail.message_id.as_deref(),
        }
    }

    /// Whether it is checked: a patch or a cover letter.
    pub fn is_submission(&self) -> bool {
        matches!(self, Classified::Submission(_))
    }
}

/// The facts of a mail that identify it in reports and threads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSummary {
    /// The Message-ID, without angle brackets.
    pub message_id: Option<String>,
    /// The subject as sent (decoded, `Re:` and prefixes included).
    pub subject: String,
    /// Who sent it (`From:`).
    pub sender: Option<Person>,
    /// The message it answers.
    pub in_reply_to: Option<String>,
    /// The thread it is in, root first.
    pub references: Vec<String>,
    /// Where it was read.
    pub origin: Origin,
}

impl MailSummary {
    fn of(mail: &Mail) -> Self {
        Self {
            message_id: mail.patch.message_id.clone(),
            subject: mail.raw_subject.clone(),
            sender: mail.sender.clone(),
            in_reply_to: mail.patch.in_reply_to.clone(),
            references: mail.patch.references.clone(),
            origin: mail.patch.origin.clone(),
        }
    }
}

/// A mail that is not a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// Why.
    pub reason: NotSubmission,
    /// Which mail.
    pub mail: MailSummary,
    /// For a reply: the trailers it gives (`Reviewed-by: …` lines outside quotes), in order.
    pub trailers: Vec<Trailer>,
}

/// A mail that looks like a patch but whose diff cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// Which mail.
    pub mail: MailSummary,
    /// 1-based line in the file (the message's first line when its body was encoded).
    pub line: usize,
    /// The line that could not be read, as the body holds it.
    pub text: String,
    /// What is wrong with it.
    pub kind: DiffErrorKind,
}

impl Unreadable {
    /// A sentence for the author or the user: which mail, which line, why.
    pub fn describe(&self) -> String {
        // A diff cut short fails where the text ends: there is no line to quote.
        if self.text.trim().is_empty() {
            format!(
                "the diff of \"{}\" cannot be read where it ends: {}",
                self.mail.subject, self.kind
            )
        } else {
            format!(
                "the diff of \"{}\" cannot be read at line `{}`: {}",
                self.mail.subject, self.text, self.kind
            )
        }
    }

    /// What the author can do.
    pub fn hint(&self) -> &'static str {
        "a mail client may have wrapped or re-encoded the diff; send the patch again with `git send-email` (or `b4 send`)"
    }
}

/// Classifies one message. Only a message that is not mail at all is an error.
pub fn classify(
    raw: &RawMessage,
    file: &str,
    options: &ClassifyOptions,
) -> Result<Classified, InputError> {
    Ok(classify_mail(read_mail(raw, file)?, options))
}

/// Classifies every message of `bytes` (one message or an mbox), named `name` in origins and
/// errors.
pub fn classify_bytes(
    name: &str,
    bytes: &[u8],
    read: ReadOptions,
    options: &ClassifyOptions,
) -> Vec<Result<Classified, InputError>> {
    let mut out = Vec::new();
    read_stream_with(bytes, name, read, &Classifier(options), &mut |item| {
        out.push(item)
    });
    out
}

/// Reads inputs through the classifier (see [`provgate_patch::input::read_path_with`]); a plain
/// diff is a submission.
#[derive(Debug, Clone, Copy)]
pub struct Classifier<'a>(pub &'a ClassifyOptions);

impl MessageReader for Classifier<'_> {
    type Item = Classified;
    fn message(&self, raw: &RawMessage, file: &str) -> Result<Classified, InputError> {
        classify(raw, file, self.0)
    }
    fn plain_diff(&self, bytes: &[u8], file: &str) -> Result<Classified, InputError> {
        match read_plain_diff(bytes, file)? {
            MailItem::Patch(patch) => Ok(Classified::Submission(patch)),
            MailItem::NotAPatch { .. } => unreachable_plain_diff(file),
        }
    }
}

/// A plain diff is always read into a patch; should that ever change, the input is reported
/// rather than the program stopping.
fn unreachable_plain_diff(file: &str) -> Result<Classified, InputError> {
    Err(InputError::at(
        file,
        1,
        provgate_patch::InputErrorKind::NoHeaders,
    ))
}

/// Classifies a message already read.
pub fn classify_mail(mail: Mail, options: &ClassifyOptions) -> Classified {
    let summary = MailSummary::of(&mail);
    let left = |reason, trailers| {
        Classified::NotSubmission(Box::new(LeftOut {
            reason,
            mail: summary.clone(),
            trailers,
        }))
    };
    if let Some(bot) = options.bot(mail.sender.as_ref()) {
        return left(NotSubmission::BotReport(bot), Vec::new());
    }
    let prefix = mail.patch.prefix.clone().unwrap_or_default();
    if prefix.reply {
        let reason = if mail.diff == DiffState::None {
            NotSubmission::Reply
        } else {
            NotSubmission::ReplyWithDiff
        };
        return left(reason, reply_trailers(&mail.body));
    }
    if is_stable_failure(&mail.raw_subject) {
        return left(NotSubmission::BotReport(BotKind::StableTree), Vec::new());
    }
    if is_robot_subject(&mail.raw_subject) {
        return left(NotSubmission::BotReport(BotKind::TestRobot), Vec::new());
    }
    if (prefix.has_tag("GIT") && prefix.has_tag("PULL")) || is_request_pull(&mail.body) {
        return left(NotSubmission::PullRequest, Vec::new());
    }
    let is_cover = prefix.index == Some(0);
    match mail.diff {
        DiffState::Unreadable(bad) => Classified::Unreadable(Box::new(Unreadable {
            mail: summary,
            line: bad.line,
            text: bad.text,
            kind: bad.kind,
        })),
        DiffState::Read => Classified::Submission(Box::new(mail.patch)),
        DiffState::None if is_cover => Classified::Submission(Box::new(mail.patch)),
        DiffState::None => {
            // A numbered part or a `[PATCH]` without a diff is still a submission, told as
            // such (truncated, or the patch in an attachment that is not text): the author
            // hears that the diff is missing rather than nothing at all.
            let announces_patch = prefix.index.is_some_and(|i| i > 0)
                || ["PATCH", "RFC"].iter().any(|t| prefix.has_tag(t));
            if !announces_patch {
                return left(NotSubmission::Discussion, Vec::new());
            }
            let mut patch = mail.patch;
            patch.notes.insert(
                0,
                ReaderNote {
                    kind: NoteKind::NoDiff,
                    message: "the subject announces a patch but the message carries no diff \
                              (truncated, or the patch is in an attachment type that is not text)"
                        .to_string(),
                },
            );
            Classified::Submission(Box::new(patch))
        }
    }
}

/// `FAILED: patch "[PATCH] …" failed to apply to 6.1-stable tree`, as the stable scripts write
/// it.
fn is_stable_failure(subject: &str) -> bool {
    subject
        .trim_start()
        .strip_prefix("FAILED: patch ")
        .is_some_and(|rest| rest.contains("failed to apply"))
}

/// `[tree:branch 13/15] path: warning: …`: the kernel test robot names a tree and branch, and
/// the commit's place in it, which is not a patch's place in a series.
fn is_robot_subject(subject: &str) -> bool {
    let Some(inner) = subject
        .trim_start()
        .strip_prefix('[')
        .and_then(|r| r.split_once(']'))
        .map(|(inner, _)| inner)
    else {
        return false;
    };
    let mut words = inner.split_whitespace();
    let (Some(tree), Some(position), None) = (words.next(), words.next(), words.next()) else {
        return false;
    };
    let numbered = position.split_once('/').is_some_and(|(i, n)| {
        !i.is_empty()
            && !n.is_empty()
            && i.bytes().all(|b| b.is_ascii_digit())
            && n.bytes().all(|b| b.is_ascii_digit())
    });
    tree.contains(':') && !tree.starts_with(':') && !tree.ends_with(':') && numbered
}

/// The text `git request-pull` writes: "The following changes since commit …" and "are
/// available in the Git repository at".
fn is_request_pull(body: &str) -> bool {
    let unquoted = |l: &&str| !l.trim_start().starts_with('>');
    let mut since = false;
    for line in body.lines().filter(unquoted) {
        if line.starts_with("The following changes since commit ") {
            since = true;
        } else if since && line.contains("are available in the Git repository at") {
            return true;
        }
    }
    false
}

/// The trailers a reply gives, as b4 collects them: `Key-by: Name <address>` lines outside
/// quotes (`> …`) and above the signature (`-- `), each key made of letters, digits and `-`.
pub fn reply_trailers(body: &str) -> Vec<Trailer> {
    let mut out = Vec::new();
    for (i, line) in body.lines().enumerate() {
        if line == "-- " || line == "--" {
            break;
        }
        if line.trim_start().starts_with('>') {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key_ok = key.len() > 3
            && key.ends_with("-by")
            && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && key.as_bytes()[0].is_ascii_alphabetic();
        let value = value.trim();
        if !key_ok || !value.contains('@') {
            continue;
        }
        out.push(Trailer {
            key: key.to_string(),
            value: value.to_string(),
            line: i + 1,
        });
    }
    out
}

/// Series assembled from classified mail, with what was left out and what could not be read.
#[derive(Debug, Default)]
pub struct Assembled {
    /// The submissions grouped into series (see [`provgate_patch::series`]), each patch holding
    /// the trailers of the replies that answer it or its cover letter ([`Patch::review`]).
    pub series: Vec<Series>,
    /// The mails that are not submissions, in the order read.
    pub left_out: Vec<LeftOut>,
    /// The mails that look like patches but cannot be read, in the order read.
    pub unreadable: Vec<Unreadable>,
}

impl Assembled {
    /// How many mails were left out, by reason.
    pub fn counts(&self) -> BTreeMap<NotSubmission, usize> {
        let mut counts = BTreeMap::new();
        for l in &self.left_out {
            *counts.entry(l.reason).or_insert(0) += 1;
        }
        counts
    }

    /// The number of review trailers attached to patches that count: each names its reply's
    /// sender (a cover-letter trailer counts once per patch).
    pub fn review_trailers(&self) -> usize {
        self.reply_trailers()
            .filter(|r| counts_as_senders(r))
            .count()
    }

    /// The number of review trailers attached to patches that do not count: each names another
    /// address than its reply's sender's.
    pub fn mismatched_review_trailers(&self) -> usize {
        self.reply_trailers()
            .filter(|r| !counts_as_senders(r))
            .count()
    }

    fn reply_trailers(&self) -> impl Iterator<Item = &ReviewTrailer> {
        self.series
            .iter()
            .flat_map(|s| &s.patches)
            .flat_map(|p| &p.review)
    }

    /// A sentence counting what was left out and why, for reports; none when nothing was.
    pub fn left_out_note(&self) -> Option<String> {
        if self.left_out.is_empty() {
            return None;
        }
        let parts: Vec<String> = self
            .counts()
            .into_iter()
            .map(|(reason, n)| reason.count(n))
            .collect();
        let n = self.left_out.len();
        let mut collected = match self.review_trailers() {
            0 => String::new(),
            t => format!(
                "; {t} trailer{} from replies counted for the patches they answer",
                if t == 1 { "" } else { "s" }
            ),
        };
        match self.mismatched_review_trailers() {
            0 => {}
            m => collected.push_str(&format!(
                "; {m} not counted (sender mismatch: the trailer names another address than the reply's sender's)"
            )),
        }
        Some(format!(
            "{n} message{} left out, not submissions: {}{collected}",
            if n == 1 { "" } else { "s" },
            parts.join(", ")
        ))
    }
}

/// Whether a reply's trailer names the reply's sender, compared as b4 compares (addresses, no
/// .mailmap): the one test for the notes and counts made here.
fn counts_as_senders(review: &ReviewTrailer) -> bool {
    provgate_policy::identity::reply_trailer_is_senders(
        review,
        &provgate_policy::mailmap::Mailmap::default(),
        false,
    )
}

/// Where a Message-ID leads: a patch, a cover letter, or a reply (which answers another).
enum Target {
    Patch(usize, usize),
    Cover(usize),
    Reply(usize),
}

/// Groups the submissions into series and gives each patch the trailers of the replies that
/// answer it (directly, through other replies, or through its cover letter).
pub fn assemble(items: Vec<Classified>) -> Assembled {
    let mut submissions = Vec::new();
    let mut assembled = Assembled::default();
    for item in items {
        match item {
            Classified::Submission(patch) => submissions.push(*patch),
            Classified::NotSubmission(left) => assembled.left_out.push(*left),
            Classified::Unreadable(bad) => assembled.unreadable.push(*bad),
        }
    }
    assembled.series = group_into_series(submissions);

    let mut targets: HashMap<&str, Target> = HashMap::new();
    for (si, series) in assembled.series.iter().enumerate() {
        if let Some(id) = series.cover.as_ref().and_then(|c| c.message_id.as_deref()) {
            targets.insert(id, Target::Cover(si));
        }
        for (pi, patch) in series.patches.iter().enumerate() {
            if let Some(id) = patch.message_id.as_deref() {
                targets.entry(id).or_insert(Target::Patch(si, pi));
            }
        }
    }
    for (ri, reply) in assembled.left_out.iter().enumerate() {
        if matches!(
            reply.reason,
            NotSubmission::Reply | NotSubmission::ReplyWithDiff
        ) && let Some(id) = reply.mail.message_id.as_deref()
        {
            targets.entry(id).or_insert(Target::Reply(ri));
        }
    }

    let mut additions: Vec<(usize, Option<usize>, ReviewTrailer)> = Vec::new();
    for reply in &assembled.left_out {
        if reply.trailers.is_empty() {
            continue;
        }
        let Some((series, patch)) = answered(&reply.mail, &targets, &assembled.left_out) else {
            continue;
        };
        for trailer in &reply.trailers {
            additions.push((
                series,
                patch,
                ReviewTrailer {
                    trailer: trailer.clone(),
                    sender: reply.mail.sender.clone(),
                    message_id: reply.mail.message_id.clone(),
                    to_cover_letter: patch.is_none(),
                },
            ));
        }
    }
    for (si, pi, review) in additions {
        let series = &mut assembled.series[si];
        let patches: Vec<&mut Patch> = match pi {
            Some(pi) => vec![&mut series.patches[pi]],
            None => series.patches.iter_mut().collect(),
        };
        // Without the repository here, compared as b4 compares: the addresses alone, no
        // .mailmap; the check weighs the trailer again through the repository's .mailmap.
        let message = if counts_as_senders(&review) {
            review.describe()
        } else {
            format!(
                "{}: not counted, sender mismatch (the trailer names another address than the reply's sender's; b4 ignores it too, and the check counts it only when the repository's .mailmap makes both one person's)",
                review.describe()
            )
        };
        for patch in patches {
            patch.notes.push(ReaderNote {
                kind: NoteKind::ReviewFromReply,
                message: message.clone(),
            });
            patch.review.push(review.clone());
        }
    }
    assembled
}

/// The series (and patch, or none for the cover letter) a reply answers: up its `In-Reply-To`
/// chain through other replies, else the nearest of its `References` that is known.
fn answered(
    mail: &MailSummary,
    targets: &HashMap<&str, Target>,
    replies: &[LeftOut],
) -> Option<(usize, Option<usize>)> {
    let mut current = mail;
    // A chain longer than the replies can only be a loop of bad headers.
    for _ in 0..=replies.len() {
        let parent = current.in_reply_to.as_deref()?;
        match targets.get(parent) {
            Some(Target::Patch(s, p)) => return Some((*s, Some(*p))),
            Some(Target::Cover(s)) => return Some((*s, None)),
            Some(Target::Reply(r)) => current = &replies[*r].mail,
            None => break,
        }
    }
    mail.references
        .iter()
        .rev()
        .find_map(|id| match targets.get(id.as_str())? {
            Target::Patch(s, p) => Some((*s, Some(*p))),
            Target::Cover(s) => Some((*s, None)),
            Target::Reply(_) => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_patterns() {
        let p: SenderPattern = "*@syzkaller.appspotmail.com".parse().unwrap();
        assert!(p.matches("syzbot+7810ed2e0cb359580c17@syzkaller.appspotmail.com"));
        assert!(p.matches("SYZBOT@Syzkaller.Appspotmail.com"));
        assert!(!p.matches("syzbot@syzkaller.appspotmail.com.evil.org"));
        let p: SenderPattern = "lkp@intel.com".parse().unwrap();
        assert!(p.matches("lkp@intel.com") && !p.matches("xlkp@intel.com"));
        for bad in ["", "lkp", "@intel.com", "lkp@", "a b@c"] {
            assert!(bad.parse::<SenderPattern>().is_err(), "{bad}");
        }
    }

    /// The recursive matcher this module used before: the specification the iterative one is
    /// checked against.
    fn glob_recursive(pattern: &[u8], text: &[u8]) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some((b'*', rest)) => (0..=text.len()).any(|skip| glob_recursive(rest, &text[skip..])),
            Some((c, rest)) => text.first() == Some(c) && glob_recursive(rest, &text[1..]),
        }
    }

    /// Every string of length `0..=max` over `alphabet`.
    fn all_strings(alphabet: &[u8], max: usize) -> Vec<Vec<u8>> {
        let mut out = vec![Vec::new()];
        let mut layer = vec![Vec::new()];
        for _ in 0..max {
            layer = layer
                .iter()
                .flat_map(|s: &Vec<u8>| {
                    alphabet.iter().map(move |&c| {
                        let mut next = s.clone();
                        next.push(c);
                        next
                    })
                })
                .collect();
            out.extend(layer.iter().cloned());
        }
        out
    }

    #[test]
    fn glob_agrees_with_the_recursive_matcher_on_every_short_input() {
        // Exhaustive rather than sampled: every pattern up to 6 bytes over {a, b, @, *} against
        // every text up to 6 bytes over {a, b, @}.
        let patterns = all_strings(b"ab@*", 6);
        let texts = all_strings(b"ab@", 6);
        for pattern in &patterns {
            for text in &texts {
                assert_eq!(
                    glob(pattern, text),
                    glob_recursive(pattern, text),
                    "pattern {:?} text {:?}",
                    String::from_utf8_lossy(pattern),
                    String::from_utf8_lossy(text)
                );
            }
        }
    }

    #[test]
    fn glob_on_a_long_address_finishes_fast() {
        // Exponential for the recursive matcher: 20 stars, a 4 KiB From that almost matches.
        let pattern: SenderPattern = format!("{}@x.org", "*a".repeat(20)).parse().unwrap();
        let address = format!("{}b@x.org", "a".repeat(4096));
        let started = std::time::Instant::now();
        assert!(!pattern.matches(&address));
        assert!(pattern.matches(&format!("{}@x.org", "a".repeat(4096))));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "took {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn robot_and_stable_subjects() {
        assert!(is_robot_subject(
            "[kbuild:kunit 6/17] kunit/kunit-stream.c:14:12: sparse: warning"
        ));
        assert!(is_robot_subject(
            "[masahiroy-kbuild:testing6 12/14] Makefile:1752: x"
        ));
        assert!(!is_robot_subject("[PATCH 13/15] kbuild: x"));
        assert!(!is_robot_subject("[PATCH v2 net:main 1/2] x"));
        assert!(!is_robot_subject("[net-next:main] no position"));
        assert!(is_stable_failure(
            "FAILED: patch \"[PATCH] drm: Select DRM_KMS_HELPER\" failed to apply to 5.4-stable tree"
        ));
        assert!(!is_stable_failure("[PATCH] FAILED: patch handling"));
    }

    #[test]
    fn reply_trailers_skip_quotes_and_signatures() {
        let body = "> Reviewed-by: Quoted <q@x>\nLooks good.\n\nReviewed-by: Ann <ann@x>\nTested-by:Bob <bob@x>\n  Acked-by: Indented <i@x>\nSigned-off-by: no address\nLink: https://x@y\n-- \nAcked-by: After Signature <s@x>\n";
        let t = reply_trailers(body);
        let got: Vec<(&str, &str)> = t
            .iter()
            .map(|t| (t.key.as_str(), t.value.as_str()))
            .collect();
        assert_eq!(
            got,
            [("Reviewed-by", "Ann <ann@x>"), ("Tested-by", "Bob <bob@x>")]
        );
    }

    #[test]
    fn request_pull_bodies() {
        assert!(is_request_pull(
            "Hi Linus,\n\nThe following changes since commit abc:\n\n  x (2020)\n\nare available in the Git repository at:\n"
        ));
        assert!(!is_request_pull(
            "> The following changes since commit abc:\n> are available in the Git repository at:\n"
        ));
    }
}
