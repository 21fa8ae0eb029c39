//! A minimal SMTP server that accepts every message and keeps it: EHLO/HELO, MAIL FROM,
//! RCPT TO, DATA (dot-unstuffed), RSET, NOOP, QUIT.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

use super::{Controls, Server, controls, lock};

/// The longest message kept; a longer one is refused with 552.
const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// A stand-in SMTP server at `127.0.0.1:`[`SmtpSink::port`].
pub struct SmtpSink {
    server: Server,
    messages: Arc<Mutex<Vec<SmtpMessage>>>,
}

/// A message the sink accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpMessage {
    /// The client's EHLO/HELO name.
    pub helo: String,
    /// The envelope sender.
    pub mail_from: String,
    /// The envelope recipients.
    pub rcpt_to: Vec<String>,
    /// The message as received, dot-unstuffed, CRLF line ends.
    pub data: Vec<u8>,
}

impl SmtpSink {
    /// Starts one.
    pub fn start() -> SmtpSink {
        let messages = Arc::new(Mutex::new(Vec::new()));
        let controls = Arc::new(Controls::default());
        let kept = messages.clone();
        let switches = controls.clone();
        let server = Server::start(controls, move |_addr: SocketAddr| {
            Box::new(move |listener, shutdown| {
                let kept = kept.clone();
                let switches = switches.clone();
                Box::pin(async move {
                    let mut sessions = JoinSet::new();
                    tokio::pin!(shutdown);
                    loop {
                        tokio::select! {
                            _ = &mut shutdown => break,
                            accepted = listener.accept() => {
                                let Ok((stream, _)) = accepted else { continue };
                                let refuse = switches.take_failure();
                                sessions.spawn(session(stream, kept.clone(), refuse));
                            }
                        }
                    }
                    // Unreachable means unreachable: open sessions end with the listener.
                    sessions.shutdown().await;
                })
            })
        });
        SmtpSink { server, messages }
    }

    /// The host to connect to.
    pub fn host(&self) -> String {
        self.server.addr().ip().to_string()
    }

    /// The port to connect to.
    pub fn port(&self) -> u16 {
        self.server.addr().port()
    }

    /// `smtp://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.server.addr())
    }

    /// The messages accepted, in order.
    pub fn messages(&self) -> Vec<SmtpMessage> {
        lock(&self.messages).clone()
    }
}

controls!(SmtpSink);

/// One client's session.
async fn session(stream: TcpStream, kept: Arc<Mutex<Vec<SmtpMessage>>>, refuse: bool) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if refuse {
        let _ = write
            .write_all(b"421 4.3.2 stand-in told to fail, try again later\r\n")
            .await;
        return;
    }
    if write
        .write_all(b"220 standin ESMTP ready\r\n")
        .await
        .is_err()
    {
        return;
    }
    let mut helo = String::new();
    let mut mail_from: Option<String> = None;
    let mut rcpt_to: Vec<String> = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        match lines.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&line).trim_end().to_string();
        let verb = text
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => {
                helo = text[4..].trim().to_string();
                b"250-standin greets you\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
            }
            "HELO" => {
                helo = text[4..].trim().to_string();
                b"250 standin\r\n"
            }
            "MAIL" => match address_after(&text, "FROM:") {
                Some(from) => {
                    mail_from = Some(from);
                    rcpt_to.clear();
                    b"250 2.1.0 OK\r\n"
                }
                None => b"501 5.5.4 syntax: MAIL FROM:<address>\r\n",
            },
            "RCPT" => match (address_after(&text, "TO:"), &mail_from) {
                (Some(to), Some(_)) => {
                    rcpt_to.push(to);
                    b"250 2.1.5 OK\r\n"
                }
                (None, _) => b"501 5.5.4 syntax: RCPT TO:<address>\r\n",
                (Some(_), None) => b"503 5.5.1 MAIL first\r\n",
            },
            "DATA" if mail_from.is_none() || rcpt_to.is_empty() => {
                b"503 5.5.1 MAIL and RCPT first\r\n"
            }
            "DATA" => {
                if write
                    .write_all(b"354 end with <CRLF>.<CRLF>\r\n")
                    .await
                    .is_err()
                {
                    return;
                }
                let Some(data) = read_data(&mut lines).await else {
                    return;
                };
                let reply: &[u8] = if data.len() > MAX_MESSAGE_BYTES {
                    b"552 5.3.4 message too big\r\n"
                } else {
                    lock(&kept).push(SmtpMessage {
                        helo: helo.clone(),
                        mail_from: mail_from.take().unwrap_or_default(),
                        rcpt_to: std::mem::take(&mut rcpt_to),
                        data,
                    });
                    b"250 2.0.0 OK queued\r\n"
                };
                reply
            }
            "RSET" => {
                mail_from = None;
                rcpt_to.clear();
                b"250 2.0.0 OK\r\n"
            }
            "NOOP" => b"250 2.0.0 OK\r\n",
            "QUIT" => {
                let _ = write.write_all(b"221 2.0.0 bye\r\n").await;
                return;
            }
            _ => b"502 5.5.2 command not implemented\r\n",
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

/// `<address>` after `MAIL FROM:` or `RCPT TO:` (parameters after it ignored).
fn address_after(line: &str, keyword: &str) -> Option<String> {
    let upper = line.to_ascii_uppercase();
    let at = upper.find(keyword)? + keyword.len();
    let rest = line[at..].trim_start();
    let rest = rest.strip_prefix('<')?;
    let end = rest.find('>')?;
    Some(rest[..end].to_string())
}

/// The lines up to `.` alone, dot-unstuffed; `None` if the client went away.
async fn read_data(lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if lines.read_until(b'\n', &mut line).await.ok()? == 0 {
            return None;
        }
        if line == b".\r\n" || line == b".\n" {
            return Some(data);
        }
        let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
        // Keep reading past the limit so the client gets its 552 in sequence.
        if data.len() <= MAX_MESSAGE_BYTES {
            data.extend_from_slice(unstuffed);
        }
    }
}
