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
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

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
        let mut thread: Vec<String> = Vec::new();
        for id in references
            .iter()
            .map(|r| angle(r))
            .chain([in_reply_to.clone()])
        {
            if !thread.contains(&id) {
                thread.push(id);
            }
        }
        let subject = reply_subject(&series.subject);
        let mut body = provgate_report::email::render(&only_series(report, series));
        for note in &options.notes {
            body.push_str(&format!("\n{}\n", note.trim_end()));
        }
        if let Some(url) = &options.dashboard_url {
            body.push_str(&format!("\nThe full report: {url}\n"));
        }
        if let Some(signature) = &options.signature {
            body.push_str(&format!("\n-- \n{}\n", signature.trim_end()));
        }
        let mut builder = Message::builder()
            .from(from)
            .to(parse_mailbox("to", &options.to)?)
            .subject(subject.clone())
            .in_reply_to(in_reply_to.clone())
            .references(thread.join(" "))
            .message_id(Some(format!("<{message_id}>")))
            .user_agent(crate::http::USER_AGENT.to_string())
            .date_now()
            .header(ContentType::TEXT_PLAIN);
        for cc in &options.cc {
            builder = builder.cc(parse_mailbox("cc", cc)?);
        }
        let message = builder.body(body).map_err(|e| DeliverError::Message {
            reason: e.to_string(),
        })?;
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

/// `Re: ` before the subject, unless it is already a reply.
pub fn reply_subject(subject: &str) -> String {
    let subject = subject.trim();
    let is_reply = subject
        .get(..3)
        .is_some_and(|start| start.eq_ignore_ascii_case("re:"));
    if is_reply {
        subject.to_string()
    } else {
        format!("Re: {subject}").trim_end().to_string()
    }
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
    }

    proptest::proptest! {
        #[test]
        fn reply_subject_is_idempotent(subject in "\\PC{0,40}") {
            let once = reply_subject(&subject);
            proptest::prop_assert_eq!(reply_subject(&once), once);
        }
    }
}
