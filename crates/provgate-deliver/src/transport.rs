//! Sending a [`Reply`]: by SMTP, or into an outbox Maildir that a mail system (or a person)
//! picks up.
//!
//! The outbox file is named after the reply's Message-ID, written to `tmp/` and renamed into
//! `new/`, so a reply delivered twice leaves one file and a reader never sees half a message.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls as LettreTls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use lettre::Address;
use lettre::address::Envelope;

use crate::email::{Reply, StoredReply};
use crate::error::DeliverError;
use crate::secret::Secret;

/// How an SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain text (a relay on the same machine).
    None,
    /// Plain, then `STARTTLS` (required), usually port 587.
    StartTls,
    /// TLS from the start, usually port 465.
    Tls,
}

/// Where replies go.
#[derive(Debug, Clone)]
pub enum Transport {
    /// An SMTP server.
    Smtp {
        /// Its host name.
        host: String,
        /// Its port.
        port: u16,
        /// How the connection is protected.
        tls: SmtpTls,
        /// User name and password, when the server wants them.
        credentials: Option<(String, Secret)>,
        /// How long the exchange may take.
        timeout: Duration,
    },
    /// A Maildir (created if missing).
    Outbox {
        /// Its directory (holding `tmp/`, `new/`, `cur/`).
        dir: PathBuf,
    },
}

/// A reply that was delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The reply's Message-ID, without angle brackets.
    pub message_id: String,
    /// What happened.
    pub outcome: SentOutcome,
}

/// How a reply was delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SentOutcome {
    /// The SMTP server accepted it; its reply.
    Accepted(String),
    /// Written to the outbox, at this path.
    Written(PathBuf),
    /// The outbox already held it (in `new/` or `cur/`); nothing was written.
    AlreadyInOutbox(PathBuf),
}

/// Delivers a reply. SMTP clients greet with this machine's host name (EHLO), and a refused
/// connection, a timeout or a 4xx reply is a retryable error.
pub async fn send(transport: &Transport, reply: &Reply) -> Result<Sent, DeliverError> {
    send_stored(transport, &reply.stored()).await
}

/// Delivers a stored reply (see [`Reply::stored`]), as [`send`] does.
pub async fn send_stored(transport: &Transport, reply: &StoredReply) -> Result<Sent, DeliverError> {
    let outcome = match transport {
        Transport::Smtp {
            host,
            port,
            tls,
            credentials,
            timeout,
        } => {
            let server = format!("{host}:{port}");
            let smtp_error = |source| DeliverError::Smtp {
                server: server.clone(),
                source,
            };
            let tls = match tls {
                SmtpTls::None => LettreTls::None,
                SmtpTls::StartTls => {
                    LettreTls::Required(TlsParameters::new(host.clone()).map_err(smtp_error)?)
                }
                SmtpTls::Tls => {
                    LettreTls::Wrapper(TlsParameters::new(host.clone()).map_err(smtp_error)?)
                }
            };
            let mut builder =
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.as_str())
                    .port(*port)
                    .tls(tls)
                    .timeout(Some(*timeout));
            if let Some((user, password)) = credentials {
                builder = builder.credentials(Credentials::new(
                    user.clone(),
                    password.expose().to_string(),
                ));
            }
            let address = |text: &str| {
                text.parse::<Address>().map_err(|e| DeliverError::Message {
                    reason: format!("address {text}: {e}"),
                })
            };
            let from = reply.from.as_deref().map(address).transpose()?;
            let to = reply
                .to
                .iter()
                .map(|t| address(t))
                .collect::<Result<Vec<_>, _>>()?;
            let envelope = Envelope::new(from, to).map_err(|e| DeliverError::Message {
                reason: e.to_string(),
            })?;
            let response = builder
                .build()
                .send_raw(&envelope, reply.formatted.as_bytes())
                .await
                .map_err(smtp_error)?;
            SentOutcome::Accepted(response.message().collect::<Vec<_>>().join(" "))
        }
        Transport::Outbox { dir } => {
            let dir = dir.clone();
            let name = maildir_name(&reply.message_id);
            let bytes = reply.formatted.clone().into_bytes();
            tokio::task::spawn_blocking(move || write_outbox(&dir, &name, &bytes))
                .await
                .map_err(|e| DeliverError::Outbox {
                    path: PathBuf::new(),
                    source: std::io::Error::other(e),
                })??
        }
    };
    Ok(Sent {
        message_id: reply.message_id.clone(),
        outcome,
    })
}

/// The Maildir file name for a Message-ID: its characters that are safe in a file name and
/// carry no Maildir meaning (`/` and `:` do), the others as `_`.
fn maildir_name(message_id: &str) -> String {
    message_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-@+=".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn write_outbox(dir: &Path, name: &str, bytes: &[u8]) -> Result<SentOutcome, DeliverError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DeliverError::Outbox { path, source }
    };
    for sub in ["tmp", "new", "cur"] {
        let path = dir.join(sub);
        std::fs::create_dir_all(&path).map_err(io(&path))?;
    }
    let new = dir.join("new").join(name);
    if new.exists() {
        return Ok(SentOutcome::AlreadyInOutbox(new));
    }
    // A reader moves a message to cur/, adding `:2,FLAGS` to its name.
    let cur_dir = dir.join("cur");
    for entry in std::fs::read_dir(&cur_dir).map_err(io(&cur_dir))? {
        let entry = entry.map_err(io(&cur_dir))?;
        let file = entry.file_name();
        let file = file.to_string_lossy();
        if file == name
            || file
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(':'))
        {
            return Ok(SentOutcome::AlreadyInOutbox(entry.path()));
        }
    }
    let tmp = dir
        .join("tmp")
        .join(format!("{name}.{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()
    };
    write().map_err(io(&tmp))?;
    std::fs::rename(&tmp, &new).map_err(io(&new))?;
    Ok(SentOutcome::Written(new))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maildir_names_are_plain() {
        assert_eq!(
            maildir_name("provgate.0123abcd.v2@lists.example.org"),
            "provgate.0123abcd.v2@lists.example.org"
        );
        assert_eq!(maildir_name("a/b:c d"), "a_b_c_d");
    }
}
