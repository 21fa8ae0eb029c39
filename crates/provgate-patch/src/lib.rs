//! The contribution model of provgate and the readers that build it.
//!
//! Everything provgate judges is first read into one model, whatever road the contribution took:
//! [`Series`] of [`Patch`]es with their [`Trailer`]s and [`FileChange`]s. This crate reads
//! git-format diffs ([`diff`]), trailers exactly as `git interpret-trailers --parse` does
//! ([`trailers`]), mbox files ([`mbox`]), single RFC 5322 messages with `git am` semantics
//! ([`mail`]) and groups mail into series ([`series`]); git-ai's authorship notes are read by
//! [`authorship`]. Reading commits from a repository lives in
//! the `provgate-git` crate, so that these parsers build and fuzz without a git library.

pub mod address;
pub mod apply;
pub mod authorship;
pub mod date;
pub mod diff;
pub mod error;
pub mod flowed;
pub mod input;
pub mod mail;
pub mod maildir;
pub mod mbox;
pub mod model;
pub mod series;
pub mod subject;
pub mod trailers;

pub use error::{InputError, InputErrorKind};
pub use model::*;
