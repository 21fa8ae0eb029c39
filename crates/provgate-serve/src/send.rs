//! Making each kind of delivery, and polling Patchwork: the service's side of the remote APIs.

use std::path::Path;
use std::sync::Arc;

use crate::config::Project;
use crate::deliveries::{DeliveryKind, Planned, delivery_state};
use crate::error::ServeError;
use crate::records::SeriesRow;
use crate::service::Service;

/// A delivery made.
#[derive(Debug, Clone)]
pub struct Made {
    /// The state recorded ([`delivery_state::SENT`] or [`delivery_state::ALREADY`]).
    pub state: &'static str,
    /// What happened, for the dashboard.
    pub detail: String,
}

/// A delivery that failed.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SendFailure {
    /// Whether trying again later may help.
    pub retryable: bool,
    /// What happened (never a secret).
    pub message: String,
}

impl SendFailure {
    fn permanent(message: impl Into<String>) -> SendFailure {
        SendFailure {
            retryable: false,
            message: message.into(),
        }
    }
    fn retry(message: impl Into<String>) -> SendFailure {
        SendFailure {
            retryable: true,
            message: message.into(),
        }
    }
}

/// The dashboard page of a series.
pub fn series_url(service: &Service, series_id: i64) -> String {
    format!(
        "{}/series/{series_id}",
        service.config.server.public_url.trim_end_matches('/')
    )
}

/// What a delivery of `kind` needs from the typed report, prepared when the check ends (the
/// report is stored as JSON, for readers; deliveries are made from what is prepared here).
pub fn prepare(kind: DeliveryKind, report: &provgate_report::Report) -> String {
    match kind {
        DeliveryKind::Email => {
            let mut body = provgate_report::email::render(report);
            if !report.notes.is_empty() {
                body.push_str("\n\n");
                for note in &report.notes {
                    body.push_str(note);
                    body.push('\n');
                }
            }
            body
        }
        _ => String::new(),
    }
}

/// Makes one planned delivery.
pub async fn deliver(
    service: &Service,
    project: &Project,
    planned: &Planned,
) -> Result<Made, SendFailure> {
    match planned.kind {
        DeliveryKind::Email => email(service, project, planned).await,
        kind => Err(SendFailure::permanent(format!(
            "{} deliveries are not configured in this build",
            kind.as_str()
        ))),
    }
}

/// Announces that the check of a series has started, where that is shown.
pub async fn pending(
    _service: &Service,
    _project: &Project,
    _series: &SeriesRow,
) -> Result<(), SendFailure> {
    Ok(())
}

/// Reads the series Patchwork completed since the last poll.
pub async fn poll_patchwork(_service: &Arc<Service>, _project: &Project) -> Result<(), ServeError> {
    Ok(())
}

/// The headers of a message that a reply needs, unfolded, as written (encoded words kept).
struct Original {
    subject: String,
    message_id: String,
    references: Vec<String>,
}

fn original(raw: &[u8]) -> Option<Original> {
    let text = String::from_utf8_lossy(raw);
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let ids = |value: &str| -> Vec<String> {
        value
            .split('<')
            .skip(1)
            .filter_map(|s| s.split_once('>').map(|(id, _)| id.trim().to_string()))
            .filter(|id| !id.is_empty())
            .collect()
    };
    let message_id = ids(&get("message-id")?).into_iter().next()?;
    Some(Original {
        subject: get("subject").unwrap_or_default(),
        message_id,
        references: get("references").map(|r| ids(&r)).unwrap_or_default(),
    })
}

/// A header value with the line breaks a hostile header could smuggle in removed.
fn one_line(value: &str) -> String {
    value.replace(['\r', '\n'], " ")
}

/// The reply to a series: threaded under its cover letter (else its first patch), with a
/// Message-ID fixed by the series, so that making it again makes the same message.
fn reply(
    service: &Service,
    project: &Project,
    planned: &Planned,
    first: &[u8],
) -> Result<(String, Vec<u8>), SendFailure> {
    let email = project
        .deliver
        .email
        .as_ref()
        .ok_or_else(|| SendFailure::permanent("e-mail replies are no longer configured"))?;
    let original = original(first)
        .ok_or_else(|| SendFailure::permanent("the series' first message has no Message-ID"))?;
    let host = email
        .from
        .rsplit_once('@')
        .map(|(_, h)| h.trim_end_matches('>').trim())
        .filter(|h| !h.is_empty())
        .unwrap_or("provgate.invalid");
    let message_id = format!(
        "provgate.{}.{}.v{}@{host}",
        project.name, planned.series.id, planned.series.version
    );
    let subject = one_line(&original.subject);
    let subject = if subject.to_ascii_lowercase().starts_with("re:") {
        subject
    } else {
        format!("Re: {subject}")
    };
    let mut references = original.references.clone();
    references.push(original.message_id.clone());
    let date = jiff::Zoned::now()
        .strftime("%a, %d %b %Y %H:%M:%S %z")
        .to_string();
    let verdict =
        crate::records::verdict_text(planned.report.verdict).unwrap_or_else(|| "none".into());
    let mut body = planned.payload.clone();
    body.push_str(&format!(
        "\nThe full report: {}\n",
        series_url(service, planned.series.id)
    ));
    let message = format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{message_id}>\r\n\
         In-Reply-To: <{reply_to}>\r\nReferences: {references}\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\
         X-Provgate-Verdict: {verdict}\r\n\r\n{body}",
        from = one_line(&email.from),
        to = one_line(&planned.target),
        reply_to = original.message_id,
        references = references
            .iter()
            .map(|r| format!("<{}>", one_line(r)))
            .collect::<Vec<_>>()
            .join(" "),
        body = body.replace("\r\n", "\n").replace('\n', "\r\n"),
    );
    Ok((message_id, message.into_bytes()))
}

async fn email(
    service: &Service,
    project: &Project,
    planned: &Planned,
) -> Result<Made, SendFailure> {
    let (messages, _) = crate::ingest::series_messages(&service.db, planned.series.id)
        .await
        .map_err(|e| SendFailure::retry(e.to_string()))?;
    let first = messages
        .first()
        .ok_or_else(|| SendFailure::permanent("the series has no messages"))?;
    let (message_id, message) = reply(service, project, planned, first)?;
    let email = project
        .deliver
        .email
        .as_ref()
        .ok_or_else(|| SendFailure::permanent("e-mail replies are no longer configured"))?;
    match &email.outbox {
        Some(outbox) => {
            let written = write_maildir(outbox, &message_id, &message)
                .map_err(|e| SendFailure::retry(format!("writing to {}: {e}", outbox.display())))?;
            Ok(Made {
                state: delivery_state::SENT,
                detail: format!("written to {}", written.display()),
            })
        }
        None => Err(SendFailure::permanent(
            "SMTP is not available in this build",
        )),
    }
}

/// Writes `message` into the Maildir `dir` as `new/NAME`, NAME derived from its Message-ID:
/// written under `tmp/` and renamed, so a reader never sees half a message, and writing the
/// same reply again leaves one file.
fn write_maildir(
    dir: &Path,
    message_id: &str,
    message: &[u8],
) -> std::io::Result<std::path::PathBuf> {
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let name: String = message_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let tmp = dir.join("tmp").join(&name);
    std::fs::write(&tmp, message)?;
    let new = dir.join("new").join(&name);
    std::fs::rename(&tmp, &new)?;
    Ok(new)
}
