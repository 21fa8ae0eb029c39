//! The reply to a series on its mailing list: patchew-style text, threaded under the cover
//! letter (or the first patch), with a Message-ID derived from the series so that sending it
//! again is recognisably the same message.

use lettre::Message;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Mailboxes};
use provgate_report::{Report, SeriesReport};
use sha2::{Digest, Sha256};

use crate::error::DeliverError;

/// Who the reply is from and to, and what it adds to the report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplyOptions {
    /// The sender, `Name <address>` or an address; its domain ends the Message-ID.
    pub from: String,
    /// The list address.
    pub to: String,
    /// Further recipients (the series' author, maintainers).
    pub cc: Vec<String>,
    /// The series' page on the dashboard, linked under the report.
    pub dashboard_url: Option<String>,
    /// Remarks on how the series was read (the base the code was read at, parts missing),
    /// one paragraph each after the report.
    pub notes: Vec<String>,
    /// Lines after the `-- ` separator.
    pub signature: Option<String>,
    /// The `Subject:` of the message replied to, as it was sent (prefix and all): the reply's
    /// subject is `Re: ` and this, so that clients threading by subject keep it in the thread.
    /// None: the series subject the report holds.
    pub original_subject: Option<String>,
    /// Paragraphs that open the reply, before any detail: a preface saying what sent it, the
    /// verdict, and what the code was read against. When there are any they replace the
    /// report's own greeting, so that the first lines a reader sees say what matters.
    pub lead: Vec<String>,
}

/// The longest subject a reply carries, in characters: longer ones end with `…`, so that the
/// header stays well within RFC 5322's 998 characters a line whatever the original was.
pub const MAX_SUBJECT_CHARS: usize = 300;

/// The longest Message-ID a reply refers to, in characters; longer ones (no real client makes
/// them) are left out of `References`, and a reply to one is not threaded, as no header line
/// may pass 998 characters.
const MAX_ID_CHARS: usize = 250;

/// How many ids of the original `References` a reply keeps: the thread's root and the newest
/// ones, as a client does when a thread grows long.
const MAX_REFERENCES: usize = 12;

/// A reply ready to send.
#[derive(Debug, Clone)]
pub struct Reply {
    message: Message,
    message_id: String,
    subject: String,
    in_reply_to: String,
}

impl Reply {
    /// The reply to the series `series_id` (a [`SeriesReport::id`]) of `report`.
    ///
    /// `references` is the `References` header of the message replied to (the cover letter,
    /// else the first patch), whose ids the report does not keep; ids may have their angle
    /// brackets or not.
    pub fn for_series(
        report: &Report,
        series_id: &str,
        references: &[String],
        options: &ReplyOptions,
    ) -> Result<Reply, DeliverError> {
        let series = report
            .series
            .iter()
            .find(|s| s.id == series_id)
            .ok_or_else(|| DeliverError::Invalid {
                what: "series",
                reason: format!("{series_id}: not a series of the report"),
            })?;
        let original = series
            .cover
            .as_deref()
            .or(series.patches.first().map(String::as_str))
            .ok_or_else(|| DeliverError::Invalid {
                what: "series",
                reason: format!("{series_id}: no message to reply to"),
            })?;
        let from: Mailbox = parse_mailbox("from", &options.from)?;
        let host = from.email.domain().to_string();
        let message_id = reply_message_id(series, &host);
        let in_reply_to = angle(original);
        let thread = thread(references, &in_reply_to);
        let subject = reply_subject(
            options
                .original_subject
                .as_deref()
                .unwrap_or(&series.subject),
        );
        let rendered = provgate_report::email::render(&only_series(report, series));
        let mut body = String::new();
        if options.lead.is_empty() {
            body.push_str(&rendered);
        } else {
            for paragraph in &options.lead {
                body.push_str(paragraph.trim_end());
                body.push_str("\n\n");
            }
            // The report's greeting and its own verdict sentence end where the quoted subject
            // begins; the lead says all of it first.
            body.push_str(match rendered.find("\nSubject: ") {
                Some(at) => &rendered[at + 1..],
                None => &rendered,
            });
        }
        for note in &options.notes {
            body.push_str(&format!("\n{}\n", note.trim_end()));
        }
        if let Some(url) = &options.dashboard_url {
            body.push_str(&format!("\nThe full report: {url}\n"));
        }
        if let Some(signature) = &options.signature {
            body.push_str(&format!("\n-- \n{}\n", signature.trim_end()));
        }
        let message = threaded_message(
            from,
            options,
            &message_id,
            &subject,
            &in_reply_to,
            &thread,
            body,
        )?;
        Ok(Reply {
            message,
            message_id,
            subject,
            in_reply_to,
        })
    }

    /// The reply's Message-ID, without angle brackets.
    pub fn message_id(&self) -> &str {
        &self.message_id
    }

    /// The subject (`Re: [PATCH v2 0/3] …`).
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The id of the message replied to, with angle brackets.
    pub fn in_reply_to(&self) -> &str {
        &self.in_reply_to
    }

    /// The whole message as sent (RFC 5322, CRLF line ends).
    pub fn formatted(&self) -> Vec<u8> {
        self.message.formatted()
    }

    /// The reply as it is kept until it is sent (by a queued job, perhaps in another
    /// process): what [`crate::transport::send_stored`] sends.
    pub fn stored(&self) -> StoredReply {
        let envelope = self.message.envelope();
        StoredReply {
            message_id: self.message_id.clone(),
            from: envelope.from().map(|a| a.to_string()),
            to: envelope.to().iter().map(|a| a.to_string()).collect(),
            formatted: String::from_utf8_lossy(&self.message.formatted()).into_owned(),
        }
    }
}

/// A reply kept as text until it is sent: the same bytes whenever it is sent.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredReply {
    /// The Message-ID, without angle brackets.
    pub message_id: String,
    /// The envelope sender's address.
    pub from: Option<String>,
    /// The envelope recipients' addresses (To and Cc).
    pub to: Vec<String>,
    /// The whole message (RFC 5322, CRLF line ends).
    pub formatted: String,
}

/// `provgate.<16 hex digits of the series id's SHA-256>.v<version>@<host>`: the same for every
/// sending of the reply to one version of one series.
fn reply_message_id(series: &SeriesReport, host: &str) -> String {
    let digest = Sha256::digest(series.id.as_bytes());
    format!(
        "provgate.{}.v{}@{host}",
        &hex::encode(digest)[..16],
        series.version
    )
}

/// A short notice to the sender of a message that could not be read as a patch: which line
/// stopped the reader, so that they can resend it intact. Threaded under the message, from
/// `options.from` to `options.to` (the sender), with `options.lead` as its opening paragraphs.
pub fn notice(
    message_id: &str,
    references: &[String],
    reason: &str,
    options: &ReplyOptions,
) -> Result<Reply, DeliverError> {
    let from: Mailbox = parse_mailbox("from", &options.from)?;
    let host = from.email.domain().to_string();
    let digest = Sha256::digest(message_id.as_bytes());
    let own_id = format!("provgate.{}.unreadable@{host}", &hex::encode(digest)[..16]);
    let in_reply_to = angle(message_id);
    let thread = thread(references, &in_reply_to);
    let subject = reply_subject(options.original_subject.as_deref().unwrap_or(""));
    let mut body = String::new();
    for paragraph in &options.lead {
        body.push_str(paragraph.trim_end());
        body.push_str("\n\n");
    }
    body.push_str(&format!(
        "Your message could not be read as a patch, so it was not checked:\n\n  {}\n\n\
         A mail client that wraps long lines or re-encodes whitespace breaks a diff; \
         `git send-email` sends it intact.\n",
        reason.trim()
    ));
    if let Some(signature) = &options.signature {
        body.push_str(&format!("\n-- \n{}\n", signature.trim_end()));
    }
    let message = threaded_message(
        from,
        options,
        &own_id,
        &subject,
        &in_reply_to,
        &thread,
        body,
    )?;
    Ok(Reply {
        message,
        message_id: own_id,
        subject,
        in_reply_to,
    })
}

/// A plain-text message from `from` to `options.to` (and `options.cc`) under `subject`,
/// threaded under `in_reply_to` with `thread` as its `References`: every reply and notice is
/// sent in this one form.
fn threaded_message(
    from: Mailbox,
    options: &ReplyOptions,
    own_id: &str,
    subject: &str,
    in_reply_to: &str,
    thread: &[String],
    body: String,
) -> Result<Message, DeliverError> {
    let mut builder = Message::builder()
        .from(from)
        .to(parse_mailbox("to", &options.to)?)
        .subject(subject.to_string())
        .message_id(Some(format!("<{own_id}>")));
    if in_reply_to.chars().count() <= MAX_ID_CHARS {
        builder = builder.in_reply_to(in_reply_to.to_string());
    }
    if !thread.is_empty() {
        builder = builder.references(thread.join(" "));
    }
    for cc in &options.cc {
        builder = builder.cc(parse_mailbox("cc", cc)?);
    }
    builder
        .user_agent(crate::http::USER_AGENT.to_string())
        .date_now()
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| DeliverError::Message {
            reason: e.to_string(),
        })
}

/// The `References` of a reply: the original's, then the message replied to, each once;
/// ids too long for a header line left out, and a long thread cut to its root and newest ids.
fn thread(references: &[String], in_reply_to: &str) -> Vec<String> {
    let mut thread: Vec<String> = Vec::new();
    for id in references
        .iter()
        .map(|r| angle(r))
        .chain([in_reply_to.to_string()])
    {
        if id.chars().count() <= MAX_ID_CHARS && !thread.contains(&id) {
            thread.push(id);
        }
    }
    if thread.len() > MAX_REFERENCES {
        thread.drain(1..thread.len() - (MAX_REFERENCES - 1));
    }
    thread
}

/// `Re: ` before the subject, unless it is already a reply; a subject longer than
/// [`MAX_SUBJECT_CHARS`] is cut and ends with `…`. Line breaks of a folded original become
/// spaces.
pub fn reply_subject(subject: &str) -> String {
    let subject: String = subject
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let subject = subject.trim();
    let is_reply = subject
        .get(..3)
        .is_some_and(|start| start.eq_ignore_ascii_case("re:"));
    let whole = if is_reply {
        subject.to_string()
    } else {
        format!("Re: {subject}").trim_end().to_string()
    };
    crate::text::cut_chars(&whole, MAX_SUBJECT_CHARS)
}

/// A Message-ID with its angle brackets.
fn angle(id: &str) -> String {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    format!("<{id}>")
}

/// The report with only this series and its messages, so the email rendering writes one reply.
fn only_series(report: &Report, series: &SeriesReport) -> Report {
    let mut one = report.clone();
    one.series = vec![series.clone()];
    one.patches
        .retain(|p| series.patches.contains(&p.id) || series.cover.as_ref() == Some(&p.id));
    one
}

fn parse_mailbox(what: &str, text: &str) -> Result<Mailbox, DeliverError> {
    // A list of one, so that `Name <a@b>` and bare addresses both parse.
    let boxes: Mailboxes = text.parse().map_err(|e| DeliverError::Message {
        reason: format!("{what} address {text:?}: {e}"),
    })?;
    boxes.into_single().ok_or_else(|| DeliverError::Message {
        reason: format!("{what} address {text:?}: one address expected"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_get_one_re() {
        assert_eq!(reply_subject("[PATCH 0/3] x"), "Re: [PATCH 0/3] x");
        assert_eq!(reply_subject("Re: [PATCH 0/3] x"), "Re: [PATCH 0/3] x");
        assert_eq!(reply_subject("RE: x"), "RE: x");
        assert_eq!(reply_subject("é"), "Re: é");
        assert_eq!(angle("<a@b>"), "<a@b>");
        assert_eq!(angle("a@b"), "<a@b>");
        let long = "x".repeat(200_000);
        let cut = reply_subject(&format!("[PATCH] {long}"));
        assert_eq!(cut.chars().count(), MAX_SUBJECT_CHARS);
        assert!(cut.starts_with("Re: [PATCH] xxx") && cut.ends_with('…'));
        assert_eq!(
            reply_subject("[PATCH 00/13]\r\n foo"),
            "Re: [PATCH 00/13] foo"
        );
    }

    #[test]
    fn long_threads_keep_their_root_and_newest_ids() {
        let references: Vec<String> = (0..30).map(|i| format!("<{i}@x>")).collect();
        let kept = thread(&references, "<reply@x>");
        assert_eq!(kept.len(), MAX_REFERENCES);
        assert_eq!(kept[0], "<0@x>");
        assert_eq!(kept.last().unwrap(), "<reply@x>");
        let huge = format!("<{}@x>", "y".repeat(2000));
        assert_eq!(thread(&[huge], "<a@b>"), vec!["<a@b>".to_string()]);
    }

    proptest::proptest! {
        #[test]
        fn reply_subject_is_idempotent(subject in "\\PC{0,40}") {
            let once = reply_subject(&subject);
            proptest::prop_assert_eq!(reply_subject(&once), once);
        }
    }
}
