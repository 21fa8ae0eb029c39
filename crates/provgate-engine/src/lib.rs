//! provgate's engine: the one pipeline every front end drives.
//!
//! A front end turns its own input (command-line arguments, a webhook, a queued job) into
//! [`GateOptions`], builds a [`Gate`] once, and asks it to [`Gate::check`] inputs or
//! [`Gate::scan`] a history. The gate loads the policy (a file, a preset, or the repository's
//! own), its zones and MAINTAINERS, and the code analyzer; it reads the inputs (revision ranges,
//! mbox and patch files, directories, standard input), judges every series under the policy and
//! builds the typed [`provgate_report::Report`] every output format renders, and the audit-log
//! entries of the judgement ([`Checked::audit_entry`], [`Scanned::audit_entries`]).
//!
//! ```no_run
//! use provgate_engine::{CheckRequest, Gate, GateOptions, Input, PolicySource};
//!
//! let mut options = GateOptions::new(".", provgate_engine::today()?);
//! options.policies = vec![PolicySource::Preset("qemu".into())];
//! let gate = Gate::new(options)?;
//! let checked = gate.check(&CheckRequest {
//!     inputs: vec![Input::classify("series.mbox")],
//!     ..CheckRequest::default()
//! });
//! println!("{}", provgate_report::json::render(&checked.report));
//! # Ok::<(), provgate_engine::EngineError>(())
//! ```
#![deny(missing_docs)]

mod audit;
mod code;
mod error;
mod gate;
pub mod hooks;
mod inputs;
mod policy_source;
mod prove;
mod read;
mod report;
mod scan;
pub mod submission;
pub mod zones;

pub use audit::entry_for_report;
pub use code::{CodeMode, check_base, read_proofs};
pub use error::{EngineError, ProofFileError};
pub use gate::{CheckRequest, Checked, Gate, GateOptions, TrustedEdit, today};
pub use inputs::Input;
pub use policy_source::{
    LoadedPolicy, POLICY_FILE, PolicySource, ProjectFiles, TrustedFile, load_policy, project_root,
};
pub use prove::{ProveRequest, Proved, prove};
pub use read::{ReadResult, read_bytes, read_bytes_with, read_inputs, read_inputs_with};
pub use report::build as build_report;
pub use scan::{ScanProgress, ScanRequest, Scanned, git_dir};
