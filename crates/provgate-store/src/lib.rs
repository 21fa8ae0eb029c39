//! provgate's records: the audit log and provenance attestations.
//!
//! # Audit log
//!
//! An append-only, hash-chained log of verdicts, in one SQLite file (the default, see
//! [`default_path`]) or in PostgreSQL for several writers. Open it with [`Store::open`]
//! (recording) or [`Store::open_existing`] (reading), record with [`Store::append`], read with
//! [`Store::list`], [`Store::get`] and [`Store::export_jsonl`], check with [`Store::verify`],
//! sign the head with [`Store::checkpoint`] and check a log against a signed head with
//! [`Store::verify_checkpoint`]. An export can be checked offline with [`verify_jsonl`].
//!
//! Each entry's body is the canonical JSON (see [`canonical`]) of an [`EntryBody`]; its hash is
//! the SHA-256 of those bytes, and the body holds the previous entry's hash in `prev` (64 zeros
//! for the first). So `sha256sum` of an exported line is that entry's hash.
//!
//! Appends are serialised: on SQLite by `BEGIN IMMEDIATE` (one writer at a time across
//! processes; others wait up to the busy timeout), on PostgreSQL by `SELECT … FOR UPDATE` on
//! the single head row. Each append is one transaction, committed before `append` returns; SQLite
//! runs in WAL mode with `synchronous = FULL`, so an acknowledged entry survives a process crash
//! and a power loss.
//!
//! # Attestations
//!
//! [`attest`] builds an in-toto Statement v1 per commit, optionally signs it into a DSSE
//! envelope, and keeps it in git notes (`refs/notes/provenance` by default); see
//! `docs/attestations.md`.
//!
//! # Errors
//!
//! Every failure is a [`StoreError`] whose [`StoreError::hint`] says what to do. Nothing is
//! recorded unless `append` returns `Ok`; a log that cannot be read is an error, never "intact".

pub mod attest;
pub mod canonical;
mod checkpoint;
mod entry;
mod error;
mod location;
mod migrations;
mod store;
mod verify;

pub use checkpoint::{
    CHECKPOINT_TYPE, Checkpoint, generate_key_pair, key_id, key_pair_pem, read_signing_key,
    read_verifying_key,
};
pub use ed25519_dalek::{SigningKey, VerifyingKey};
pub use entry::{
    ENTRY_SCHEMA, Entry, EntryBody, GENESIS_PREV, InputRef, NewEntry, PolicyRef, Sha256Writer,
    SubjectRef, ToolRef, sha256_hex, sha256_lines,
};
pub use error::{Result, StoreError};
pub use location::{FILE_NAME, default_path};
pub use store::{Backend, Filter, OpenOptions, Store};
pub use verify::{BadEntry, Problem, VerifyReport, verify_jsonl};
