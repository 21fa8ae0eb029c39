//! `provgate audit` (the hash-chained log of verdicts) and `provgate attest` (in-toto statements
//! in git notes), and the `--record` of `check`.

use std::fmt::Write as _;
use std::path::Path;

use provgate_store::{Filter, NewEntry, Store, StoreError, attest::Note, attest::Notes};

use crate::cli::{AttestArgs, AttestCommand, AuditArgs, AuditCommand};
use provgate_engine::{CheckRequest, Gate, Input};

use crate::options::{self, user_error};
use crate::{EXIT_FAILED, EXIT_OK, UserError, output};

/// A store error as the user sees it.
pub fn store_error(error: StoreError) -> UserError {
    let hint = error.hint();
    UserError::new(error.to_string(), hint)
}

/// The log to use: `--store` as given, else the default file under the repository's git
/// directory (or the user's data directory outside a repository).
fn location(store: Option<&str>, repo: &Path) -> Result<String, UserError> {
    if let Some(store) = store {
        return Ok(store.to_string());
    }
    let git_dir = provgate_engine::git_dir(repo);
    provgate_store::default_path(git_dir.as_deref())
        .map(|p| p.display().to_string())
        .ok_or_else(|| {
            UserError::new(
                "no place for the audit log",
                "name one with --store FILE or --store postgres://…",
            )
        })
}

/// An audit log opened before the work, so that an unreachable or corrupt log is reported
/// before a long check or scan rather than after it.
pub struct Recorder {
    store: Store,
}

impl Recorder {
    /// The log the arguments name, or `None` when nothing is to be recorded.
    pub fn open(args: &crate::cli::RecordArgs, repo: &Path) -> Result<Option<Recorder>, UserError> {
        if !args.wanted() {
            return Ok(None);
        }
        let location = location(args.store.as_deref(), repo)?;
        let store = Store::open(&location).map_err(store_error)?;
        Ok(Some(Recorder { store }))
    }

    /// Appends `entry` and says so on standard error; its sequence number.
    pub fn record(&self, entry: &NewEntry) -> Result<i64, UserError> {
        let appended = self.store.append(entry).map_err(store_error)?;
        eprintln!(
            "recorded as audit entry {} ({} {})",
            appended.seq,
            entry.command,
            entry.verdict.map_or("read", |v| v.as_str())
        );
        Ok(appended.seq)
    }
}

/// Runs an `audit` subcommand.
pub fn run_audit(args: AuditArgs) -> anyhow::Result<u8> {
    let location = location(args.store.as_deref(), &args.repo)?;
    let open = || Store::open_existing(&location).map_err(store_error);
    match args.command {
        AuditCommand::Log {
            limit,
            verdict,
            policy,
            subject,
        } => {
            let store = open()?;
            let entries = store
                .list(&Filter {
                    verdict,
                    policy,
                    subject,
                    limit: Some(limit),
                    ..Filter::default()
                })
                .map_err(store_error)?;
            let mut out = String::new();
            for entry in entries {
                let body = &entry.body;
                let subjects: Vec<&str> = body
                    .entry
                    .subjects
                    .iter()
                    .map(|s| s.id.as_str())
                    .take(3)
                    .collect();
                let _ = writeln!(
                    out,
                    "{:>6}  {}  {:<5} {:<5} {} finding(s)  {}{}",
                    entry.seq,
                    body.time,
                    body.entry.command,
                    body.entry.verdict.map_or("-", |v| v.as_str()),
                    body.entry.findings.len(),
                    subjects.join(", "),
                    if body.entry.subjects.len() > 3 {
                        ", …"
                    } else {
                        ""
                    }
                );
            }
            output::write(None, &out)?;
        }
        AuditCommand::Show { seq } => {
            let store = open()?;
            let entry = store.get(seq).map_err(store_error)?.ok_or_else(|| {
                UserError::new(
                    format!("no entry {seq} in {location}"),
                    "`provgate audit log` lists the entries",
                )
            })?;
            let value: serde_json::Value = serde_json::from_str(&entry.json)?;
            let mut text = serde_json::to_string_pretty(&value)?;
            text.push_str(&format!("\nhash: {}\n", entry.hash));
            output::write(None, &text)?;
        }
        AuditCommand::Export { output: path } => {
            let store = open()?;
            let mut buffer = Vec::new();
            store.export_jsonl(&mut buffer).map_err(store_error)?;
            output::write(path.as_deref(), &String::from_utf8_lossy(&buffer))?;
        }
        AuditCommand::Verify { checkpoint, key } => {
            let store = open()?;
            let report = match (&checkpoint, &key) {
                (Some(file), Some(key)) => {
                    let key = provgate_store::read_verifying_key(key).map_err(store_error)?;
                    let checkpoint = provgate_store::Checkpoint::read(file).map_err(store_error)?;
                    checkpoint.verify_signature(&key).map_err(store_error)?;
                    store.verify_with(&[checkpoint]).map_err(store_error)?
                }
                (None, None) => store.verify().map_err(store_error)?,
                _ => {
                    return Err(UserError::new(
                        "--checkpoint and --key go together",
                        "pass the signed checkpoint file and the public key that signed it",
                    )
                    .into());
                }
            };
            match &report.first_bad {
                None => {
                    println!(
                        "intact: {} entries{}",
                        report.entries,
                        report
                            .head
                            .as_ref()
                            .map_or(String::new(), |(seq, hash)| format!(", head {seq} {hash}"))
                    );
                }
                Some(bad) => {
                    println!(
                        "TAMPERED: entry {} is not as recorded: {} ({} entries verified before it)",
                        bad.seq,
                        bad.reason(),
                        report.verified
                    );
                    return Ok(EXIT_FAILED);
                }
            }
        }
        AuditCommand::Checkpoint { key, output: path } => {
            let store = open()?;
            let key = provgate_store::read_signing_key(&key).map_err(store_error)?;
            let checkpoint = store.checkpoint(&key).map_err(store_error)?;
            output::write(path.as_deref(), &checkpoint.to_json())?;
        }
        AuditCommand::Keygen { private, public } => {
            provgate_store::generate_key_pair(&private, &public).map_err(store_error)?;
            eprintln!(
                "wrote {} (keep it private) and {}",
                private.display(),
                public.display()
            );
        }
    }
    Ok(EXIT_OK)
}

/// Runs `attest` or `attest verify`.
pub fn run_attest(args: AttestArgs) -> anyhow::Result<u8> {
    match args.command {
        Some(AttestCommand::Verify {
            range,
            key,
            require_signature,
        }) => {
            let notes = Notes::new(&args.repo).with_ref(&args.notes_ref);
            let key = key
                .as_deref()
                .map(provgate_store::read_verifying_key)
                .transpose()
                .map_err(store_error)?;
            let commits = range_commits(&args.repo, &range)?;
            let checks = notes.verify(&commits, key.as_ref()).map_err(store_error)?;
            let mut bad = 0;
            for c in &checks {
                let ok = c.status.is_ok(require_signature);
                bad += usize::from(!ok);
                println!(
                    "{} {}: {:?}",
                    if ok { "ok " } else { "BAD" },
                    &c.commit[..c.commit.len().min(12)],
                    c.status
                );
            }
            Ok(if bad > 0 { EXIT_FAILED } else { EXIT_OK })
        }
        None => {
            let range = args.range.clone().unwrap_or_else(|| "HEAD".to_string());
            // The same gate as `check`'s, code included, so that a statement and a check of the
            // same commit never disagree.
            let gate = Gate::new(options::gate(&args.policy, &args.repo)?).map_err(user_error)?;
            let checked = gate.check(&CheckRequest {
                inputs: vec![Input::Range(range)],
                ..CheckRequest::default()
            });
            let report = checked.report;
            if let Some(error) = report.errors.first() {
                return Err(UserError::plain(format!("{}: {}", error.input, error.message)).into());
            }
            let key = args
                .key
                .as_deref()
                .map(provgate_store::read_signing_key)
                .transpose()
                .map_err(store_error)?;
            let notes: Vec<(String, Note)> = report
                .patches
                .iter()
                .map(|patch| {
                    let statement = provgate_store::attest::Statement::for_patch(&report, patch);
                    let note = match &key {
                        Some(key) => Note::signed(&statement, key),
                        None => Note::unsigned(statement),
                    };
                    (patch.id.clone(), note)
                })
                .collect();
            Notes::new(&args.repo)
                .with_ref(&args.notes_ref)
                .write(&notes)
                .map_err(store_error)?;
            eprintln!(
                "attested {} commit(s) in {}{}",
                notes.len(),
                args.notes_ref,
                if key.is_some() { ", signed" } else { "" }
            );
            Ok(EXIT_OK)
        }
    }
}

fn range_commits(repo: &Path, range: &str) -> Result<Vec<String>, UserError> {
    let options = provgate_git::RangeOptions::default();
    let selection =
        provgate_git::select(repo, range, &options).map_err(|e| UserError::plain(e.to_string()))?;
    Ok(selection.commits)
}
