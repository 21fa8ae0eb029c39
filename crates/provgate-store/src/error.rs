//! The one error type of the crate.

use std::path::PathBuf;

/// Everything that can go wrong while recording, reading or verifying.
///
/// Every variant says what happened and, through [`StoreError::hint`], what to do about it. A
/// command that gets any of these must not report success: nothing recorded is dropped silently,
/// and a log that cannot be read is never reported as intact.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// PostgreSQL could not be reached, or refused the connection.
    #[error("cannot connect to PostgreSQL at {location}: {detail}")]
    Unreachable {
        /// The URL, password removed.
        location: String,
        /// What the driver said.
        detail: String,
    },
    /// The store to open does not exist (read-only commands never create one).
    #[error("no audit log at {location}")]
    NotFound {
        /// The path or URL, password removed.
        location: String,
    },
    /// The file or schema holds something that is not a provgate audit log.
    #[error("{location} is not a provgate audit log: {detail}")]
    NotAnAuditLog {
        /// The path or URL, password removed.
        location: String,
        /// Why.
        detail: String,
    },
    /// The database file is damaged or truncated (SQLite reports it malformed or not a database).
    #[error("the audit log at {location} is corrupt or truncated: {detail}")]
    Corrupt {
        /// The path or URL, password removed.
        location: String,
        /// What the database said.
        detail: String,
    },
    /// The log's schema is newer than this provgate knows, or its migrations differ from ours.
    #[error("the audit log at {location} has schema {detail}")]
    Schema {
        /// The path or URL, password removed.
        location: String,
        /// The version found and what is wrong with it.
        detail: String,
    },
    /// Another writer held the log longer than the busy timeout.
    #[error("the audit log at {location} stayed locked by another writer: {detail}")]
    Busy {
        /// The path or URL, password removed.
        location: String,
        /// What the database said.
        detail: String,
    },
    /// The head row does not match the last entry, so a new entry cannot be chained safely.
    #[error("the audit log at {location} is inconsistent: {detail}")]
    Inconsistent {
        /// The path or URL, password removed.
        location: String,
        /// The sequence number the head row records (or the first bad entry's).
        head_seq: i64,
        /// What was found instead.
        detail: String,
    },
    /// Any other database failure (the statement, and the transaction, did not happen).
    #[error("database error on {location}: {detail}")]
    Database {
        /// The path or URL, password removed.
        location: String,
        /// What the database said.
        detail: String,
    },
    /// An entry could not be encoded or a stored entry could not be decoded.
    #[error("entry {seq}: {detail}")]
    Entry {
        /// The entry's sequence number (0 for one not yet appended).
        seq: i64,
        /// What is wrong.
        detail: String,
    },
    /// A key file could not be read or is not an ed25519 key of the expected kind.
    #[error("key file {path}: {detail}")]
    Key {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// A signature was made with another key than the one given.
    #[error("signed by key {signed_by}, but the key given is {given}")]
    WrongKey {
        /// The key id the signature names.
        signed_by: String,
        /// The id of the key given.
        given: String,
    },
    /// A signature does not verify: the signed content was altered.
    #[error("bad signature: {detail}")]
    BadSignature {
        /// What was checked.
        detail: String,
    },
    /// A checkpoint file could not be read or parsed.
    #[error("checkpoint {path}: {detail}")]
    Checkpoint {
        /// The file, or `-`.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// A checkpoint belongs to another log.
    #[error("the checkpoint is of log {checkpoint_log}, but this log is {log}")]
    OtherLog {
        /// The log id the checkpoint names.
        checkpoint_log: String,
        /// This log's id.
        log: String,
    },
    /// The notes ref holds notes that are not provgate attestations.
    #[error("{notes_ref} is not a provgate attestation ref: the note on {commit} is {detail}")]
    ForeignNotes {
        /// The notes ref.
        notes_ref: String,
        /// A commit whose note was read.
        commit: String,
        /// What the note is instead.
        detail: String,
    },
    /// A git command failed.
    #[error("`git {command}` failed: {detail}")]
    Git {
        /// The command line after `git`.
        command: String,
        /// Its standard error, or why it could not run.
        detail: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl StoreError {
    /// What to do about it, in a sentence.
    pub fn hint(&self) -> &'static str {
        match self {
            StoreError::Unreachable { .. } => {
                "check that the server runs and accepts connections at that host and port, that the \
                 database exists and that the user may log in; nothing was recorded"
            }
            StoreError::NotFound { .. } => {
                "check the --store path or URL; a log is created by the first `--record`"
            }
            StoreError::NotAnAuditLog { .. } => {
                "give the path of a provgate audit log (by default <git dir>/provgate/audit.sqlite), \
                 or a new path"
            }
            StoreError::Corrupt { .. } => {
                "do not write to it; restore the file from a backup (or recover what is readable with \
                 `sqlite3 FILE .recover`) and run `provgate audit verify` against your latest \
                 checkpoint"
            }
            StoreError::Schema { .. } => {
                "use the provgate version that wrote this log, or a newer one"
            }
            StoreError::Busy { .. } => {
                "another process kept the log locked; retry, and check for a stuck writer. Nothing \
                 was recorded"
            }
            StoreError::Inconsistent { .. } => {
                "the log was changed outside provgate: run `provgate audit verify` to find the first \
                 bad entry; nothing was recorded"
            }
            StoreError::Database { .. } => {
                "the operation was rolled back and nothing was recorded; retry, and check the \
                 database server's log"
            }
            StoreError::Entry { .. } => {
                "the entry was altered outside provgate: run `provgate audit verify`"
            }
            StoreError::Key { .. } => {
                "give an ed25519 key in PEM: a private key (PKCS#8, `openssl genpkey -algorithm \
                 ed25519`) to sign, its public key (`openssl pkey -pubout`) to verify"
            }
            StoreError::WrongKey { .. } => {
                "verify with the public key of the key that signed (compare the key ids)"
            }
            StoreError::BadSignature { .. } => {
                "the signed content was altered after signing, or the signature is not ours: treat \
                 it as tampered"
            }
            StoreError::Checkpoint { .. } => {
                "give a checkpoint file written by `provgate audit checkpoint`"
            }
            StoreError::OtherLog { .. } => {
                "give the checkpoint of this log, or this checkpoint's log"
            }
            StoreError::ForeignNotes { .. } => {
                "choose another ref with --notes-ref (the default is refs/notes/provenance); provgate \
                 does not write into notes it did not create"
            }
            StoreError::Git { .. } => {
                "check that git is installed and that the path is a repository"
            }
            StoreError::Io { .. } => "check the path and its permissions",
        }
    }
}

/// `Result` with [`StoreError`].
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
