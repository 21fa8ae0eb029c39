//! What can go wrong talking to the outside world, and whether trying again may help.

use std::path::PathBuf;

/// Longest excerpt of an error body kept in a [`DeliverError::Status`].
pub const BODY_EXCERPT_CHARS: usize = 300;

/// A delivery that did not happen.
///
/// Errors name the URL they concern (without any user information it may carry) and, for HTTP
/// errors, the status and the start of the body; they never carry a token, which travels in
/// headers only.
#[derive(Debug, thiserror::Error)]
pub enum DeliverError {
    /// No connection could be made or kept (refused, reset, name not resolved).
    #[error("cannot reach {url}: {reason}")]
    Unreachable {
        /// The URL requested.
        url: String,
        /// What the connection attempt said.
        reason: String,
    },
    /// The server did not answer in time.
    #[error("{url} did not answer in time")]
    Timeout {
        /// The URL requested.
        url: String,
    },
    /// The server answered with an error status.
    #[error("{url} answered HTTP {status}{}", excerpt_suffix(body))]
    Status {
        /// The URL requested.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The start of the answer's body (at most [`BODY_EXCERPT_CHARS`] characters).
        body: String,
    },
    /// The server answered with something its API does not document.
    #[error("{url} answered with an unexpected body: {reason}")]
    Decode {
        /// The URL requested.
        url: String,
        /// What did not fit.
        reason: String,
    },
    /// A URL to fetch is not on the configured server.
    #[error("refusing to fetch {url}: only URLs on {base} are fetched")]
    ForeignUrl {
        /// The URL refused.
        url: String,
        /// The configured server (scheme, host and port).
        base: String,
    },
    /// A value given to a client is not one the remote API accepts.
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// What was given (`context`, `base URL`, ...).
        what: &'static str,
        /// Why it is refused.
        reason: String,
    },
    /// The SMTP exchange failed.
    #[error("mail through {server}: {source}")]
    Smtp {
        /// `host:port`.
        server: String,
        /// What the SMTP client said.
        #[source]
        source: lettre::transport::smtp::Error,
    },
    /// The reply could not be built (an address that does not parse, ...).
    #[error("building the reply: {reason}")]
    Message {
        /// What is wrong.
        reason: String,
    },
    /// The outbox Maildir could not be written.
    #[error("outbox {}: {source}", path.display())]
    Outbox {
        /// The file or directory concerned.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

fn excerpt_suffix(body: &str) -> String {
    if body.is_empty() {
        String::new()
    } else {
        format!(": {body}")
    }
}

impl DeliverError {
    /// Whether the same delivery may succeed later: connection failures, timeouts, HTTP 5xx,
    /// 408 and 429, transient SMTP replies and local I/O errors. Everything else (other 4xx,
    /// bad input, permanent SMTP replies) fails again the same way.
    pub fn is_retryable(&self) -> bool {
        match self {
            DeliverError::Unreachable { .. } | DeliverError::Timeout { .. } => true,
            DeliverError::Status { status, .. } => {
                *status >= 500 || *status == 408 || *status == 429
            }
            DeliverError::Smtp { source, .. } => {
                source.is_transient()
                    || source.is_timeout()
                    || !(source.is_permanent()
                        || source.is_client()
                        || source.is_response()
                        || source.is_tls())
            }
            DeliverError::Outbox { .. } => true,
            DeliverError::Decode { .. }
            | DeliverError::ForeignUrl { .. }
            | DeliverError::Invalid { .. }
            | DeliverError::Message { .. } => false,
        }
    }

    /// The HTTP status, for an HTTP error.
    pub fn status(&self) -> Option<u16> {
        match self {
            DeliverError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// What to do about it, where something can be said.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            DeliverError::Status { status: 401, .. } => Some(
                "the token was refused: check the configured token (and that it has not expired)",
            ),
            DeliverError::Status { status: 403, .. } => Some(
                "the token lacks the rights needed: Patchwork checks need a project maintainer's token, GitHub check runs a GitHub App installation token",
            ),
            DeliverError::Status { status: 404, .. } => {
                Some("check the API URL and the project, repository, patch or commit named")
            }
            DeliverError::Unreachable { .. } | DeliverError::Timeout { .. } => {
                Some("check the configured URL and that the server is up; the delivery is retried")
            }
            DeliverError::ForeignUrl { .. } => Some(
                "the service fetches only from the server it is configured for, never a URL found in content",
            ),
            DeliverError::Smtp { .. } => {
                Some("check the SMTP host, port, TLS mode and credentials in the configuration")
            }
            _ => None,
        }
    }
}

/// The URL as errors show it: without user name or password.
pub(crate) fn redacted(url: &url::Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return url.to_string();
    }
    let mut url = url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
}

/// The start of an error body, on one line.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text
        .chars()
        .take(BODY_EXCERPT_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > BODY_EXCERPT_CHARS {
        out.push('…');
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16) -> DeliverError {
        DeliverError::Status {
            url: "http://x/".into(),
            status,
            body: String::new(),
        }
    }

    #[test]
    fn retryable_statuses() {
        for code in [500, 502, 503, 504, 408, 429] {
            assert!(status(code).is_retryable(), "{code}");
        }
        for code in [400, 401, 403, 404, 409, 422] {
            assert!(!status(code).is_retryable(), "{code}");
        }
    }

    #[test]
    fn user_information_is_not_shown() {
        let url = url::Url::parse("https://bot:pw@example.org/api/1.2/").unwrap();
        assert_eq!(redacted(&url), "https://example.org/api/1.2/");
        assert_eq!(excerpt(b"a\nb"), "a b");
        assert_eq!(
            excerpt(&[b'x'; 400]).chars().count(),
            BODY_EXCERPT_CHARS + 1
        );
    }
}
