//! provgate's deliveries: how a verdict reaches the places maintainers look, and how the
//! service checks that a webhook is genuine.
//!
//! - [`patchwork`]: new series from a Patchwork instance's event stream, and per-patch checks;
//! - [`github`]: check runs with findings as annotations, and commit statuses;
//! - [`gitlab`]: commit statuses and merge-request notes;
//! - [`email`] and [`transport`]: a threaded reply to a series, sent by SMTP or written to an
//!   outbox Maildir;
//! - [`webhook`]: GitHub and GitLab webhook authentication and the events the service acts on;
//! - [`state`]: a verdict as each API spells it; [`Secret`]: credentials that are never printed.
//!
//! Every delivery can be repeated without effect (a check already posted, a check run or
//! note already there, a reply already in the outbox), so a caller retries freely; a
//! [`DeliverError`] says whether a retry can help ([`DeliverError::is_retryable`]).
//!
//! The crate knows nothing of queues or databases: it talks to a server it is given and reports
//! what happened. It only ever contacts the configured servers, never a URL found in content.
//! With the `test-support` feature, `standin` provides real local servers that behave like
//! those APIs and record what they receive.

#![deny(missing_docs)]

pub mod email;
pub mod error;
pub mod github;
pub mod gitlab;
pub mod http;
pub mod patchwork;
pub mod secret;
pub mod state;
pub mod text;
pub mod transport;
pub mod webhook;

pub use error::DeliverError;
pub use secret::Secret;
pub use state::{CheckConclusion, PatchworkState, PipelineState, StatusState};

#[cfg(feature = "test-support")]
pub mod standin;
