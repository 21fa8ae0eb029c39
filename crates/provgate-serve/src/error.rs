//! The service's errors: what stops it from starting, and what a job or request runs into.

use std::path::PathBuf;

/// An error of the service.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The configuration file cannot be read.
    #[error("cannot read the configuration {}: {source}", path.display())]
    ConfigRead {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The configuration is invalid.
    #[error("configuration {}: {message}", path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An environment variable named by the configuration is not set.
    #[error("the environment variable {0} (named in the configuration) is not set")]
    MissingSecret(String),
    /// The database failed.
    #[error("database {location}: {source}")]
    Database {
        /// Where it is (a password replaced by `***`).
        location: String,
        /// Why.
        source: sqlx::Error,
    },
    /// The database holds a newer schema than this version knows.
    #[error("database {location} has schema version {found}; this provgate knows up to {known}")]
    SchemaTooNew {
        /// Where it is.
        location: String,
        /// The version found.
        found: i64,
        /// The newest this version knows.
        known: i64,
    },
    /// The audit log failed.
    #[error(transparent)]
    Store(#[from] provgate_store::StoreError),
    /// The engine could not be set up for a project.
    #[error("project {project}: {source}")]
    Engine {
        /// The project.
        project: String,
        /// Why (boxed: the engine's errors are large, and most errors are not theirs).
        source: Box<provgate_engine::EngineError>,
    },
    /// A setting of a project does not fit what is there (a branch the mirror lacks).
    #[error("project {project}: {message}")]
    Setting {
        /// The project.
        project: String,
        /// What is wrong, naming the setting.
        message: String,
    },
    /// Git failed (fetching the mirror, applying a series to a base).
    #[error("project {project}: {source}")]
    Git {
        /// The project.
        project: String,
        /// Why.
        source: provgate_git::GitError,
    },
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// Another I/O failure.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// Why.
        source: std::io::Error,
    },
    /// A Maildir source cannot be read.
    #[error("Maildir {path}: {source}")]
    Maildir {
        /// The Maildir.
        path: String,
        /// Why.
        source: provgate_patch::maildir::MaildirError,
    },
    /// A delivery failed in a way that may pass (a server down, a timeout, a 5xx).
    #[error("delivery failed: {0}")]
    Delivery(String),
    /// A job refers to something that is gone (a project removed from the configuration).
    #[error("{0}")]
    Gone(String),
}

impl ServeError {
    /// What the operator can do about it.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            ServeError::ConfigRead { .. } => {
                Some("pass the service's TOML file with --config (see docs/serve.md)")
            }
            ServeError::Config { .. } => Some("see docs/serve.md for every setting"),
            ServeError::MissingSecret(_) => Some(
                "export the variable in the service's environment; secrets are never written in the file",
            ),
            ServeError::Database { .. } => Some(
                "check server.database: a SQLite file path, or a postgres:// URL of a running server",
            ),
            ServeError::SchemaTooNew { .. } => {
                Some("run the newer provgate that created it, or point server.database elsewhere")
            }
            ServeError::Store(e) => Some(e.hint()),
            ServeError::Listen { .. } => {
                Some("choose a free address in server.listen, or stop what holds it")
            }
            _ => None,
        }
    }

    /// Whether a job that failed with this error may succeed when tried again later.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ServeError::Database { .. }
                | ServeError::Store(_)
                | ServeError::Io { .. }
                | ServeError::Git { .. }
                | ServeError::Delivery(_)
                | ServeError::Maildir { .. }
        )
    }
}
