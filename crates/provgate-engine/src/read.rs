//! Reading every INPUT into series of patches, one unreadable input not stopping the others.

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use provgate_patch::input::{ReadOptions, directory_files, read_path, read_stream};
use provgate_patch::mail::MailItem;
use provgate_patch::series::group_into_series;
use provgate_patch::{InputError, Origin, Patch, Series};
use provgate_report::{ErrorReport, InputReport};
use sha2::{Digest, Sha256};

use crate::Input;

/// Everything read from the inputs.
#[derive(Default)]
pub struct ReadResult {
    /// The inputs as named.
    pub inputs: Vec<InputReport>,
    /// Series: one per git range, then mail grouped by thread and version, then one per plain
    /// diff.
    pub series: Vec<Series>,
    /// What could not be read.
    pub errors: Vec<ErrorReport>,
    /// Merge commits skipped in ranges.
    pub merges_skipped: usize,
    /// Messages that were not patches.
    pub not_patches: usize,
    /// Remarks on the reading that did not stop it (git-ai notes that could not be read).
    pub notes: Vec<String>,
    /// The audit log's digest of the raw input (hex SHA-256): the bytes of the files and of
    /// standard input, concatenated in input order; for a range, its commit ids, one per line.
    pub input_sha256: String,
}

/// Hashes what passes through it, so that standard input, which cannot be read twice, is
/// digested as it is parsed.
struct HashingReader<'h, R> {
    inner: R,
    hash: &'h mut Sha256,
}

impl<R: Read> Read for HashingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// Reads `inputs`; ranges are resolved in the repository at `repo`.
pub fn read_inputs(
    inputs: &[Input],
    repo: &Path,
    read_options: ReadOptions,
    range_options: &provgate_git::RangeOptions,
) -> ReadResult {
    let mut result = ReadResult::default();
    let mut mail: Vec<Patch> = Vec::new();
    let mut diffs: Vec<Patch> = Vec::new();
    let mut digest = Sha256::new();
    for input in inputs {
        result.inputs.push(InputReport {
            name: input.name().to_string(),
            kind: input.kind(),
        });
        match input {
            Input::Range(range) => match provgate_git::read_range(repo, range, range_options) {
                Ok(mut read) => {
                    result.merges_skipped += read.merges_skipped;
                    attach_notes(repo, &mut read.patches, &mut result.notes);
                    // Whether the head names a branch only matters for its name; a failure to
                    // ask leaves the patches without one.
                    if let Ok(Some(branch)) = provgate_git::notes::range_head_branch(repo, range) {
                        for patch in &mut read.patches {
                            patch.branch = Some(branch.clone());
                        }
                    }
                    for patch in &read.patches {
                        digest.update(patch.id.as_bytes());
                        digest.update(b"\n");
                    }
                    result.series.push(Series {
                        id: read.range,
                        version: 1,
                        total: None,
                        cover: None,
                        patches: read.patches,
                    });
                }
                Err(provgate_git::GitError::NotARepository { dir, .. }) => {
                    result.errors.push(ErrorReport {
                        input: range.clone(),
                        line: None,
                        message: format!(
                            "no such file or directory, and {} is not a git repository to read it as a revision range from",
                            dir.display()
                        ),
                        hint: Some(
                            "name an existing mbox, patch or diff file, or run inside a repository (or pass --repo DIR)"
                                .to_string(),
                        ),
                    })
                }
                // The other git errors say what to do themselves.
                Err(e) => result.errors.push(ErrorReport {
                    input: range.clone(),
                    line: None,
                    message: e.to_string(),
                    hint: None,
                }),
            },
            Input::Stdin => {
                let mut reader = HashingReader {
                    inner: std::io::stdin().lock(),
                    hash: &mut digest,
                };
                read_stream(
                    BufReader::new(&mut reader),
                    "-",
                    read_options,
                    &mut |item| sort_item(item, &mut result, &mut mail, &mut diffs),
                );
                // Whatever the parser left unread still belongs to the input.
                let _ = std::io::copy(&mut reader, &mut std::io::sink());
            }
            Input::File(_) | Input::Directory(_) => {
                hash_files(input, &mut digest);
                read_path(input.name(), read_options, &mut |item| {
                    sort_item(item, &mut result, &mut mail, &mut diffs)
                });
            }
        }
    }
    result.input_sha256 = hex(&digest.finalize());
    group(&mut result, mail, diffs);
    result
}

/// Reads mail (one message or an mbox) or a plain diff held in memory, named `name` in the
/// report: what a service received in a request, from a list archive or from a forge.
pub fn read_bytes(name: &str, bytes: &[u8], read_options: ReadOptions) -> ReadResult {
    let mut result = ReadResult::default();
    result.inputs.push(InputReport {
        name: name.to_string(),
        kind: "mail",
    });
    let (mut mail, mut diffs) = (Vec::new(), Vec::new());
    read_stream(bytes, name, read_options, &mut |item| {
        sort_item(item, &mut result, &mut mail, &mut diffs)
    });
    result.input_sha256 = hex(&Sha256::digest(bytes));
    group(&mut result, mail, diffs);
    result
}

/// Mail grouped by thread and version, then one series per plain diff.
fn group(result: &mut ReadResult, mail: Vec<Patch>, diffs: Vec<Patch>) {
    result.series.extend(group_into_series(mail));
    result.series.extend(diffs.into_iter().map(|patch| Series {
        id: patch.id.clone(),
        version: 1,
        total: None,
        cover: None,
        patches: vec![patch],
    }));
}

/// Gives each commit read from a repository its git-ai authorship note (`refs/notes/ai`), when
/// it has one; notes that cannot be read are a remark, not an error of the input.
fn attach_notes(repo: &Path, patches: &mut [Patch], notes: &mut Vec<String>) {
    let ids: Vec<String> = patches.iter().map(|p| p.id.clone()).collect();
    let mut found = ai_notes(repo, &ids, notes);
    for patch in patches {
        patch.ai_note = found.remove(&patch.id);
    }
}

/// The git-ai authorship notes of the commits `ids` that have one, by commit id; when they
/// cannot be read, none, and a remark in `notes`.
pub(crate) fn ai_notes(
    repo: &Path,
    ids: &[String],
    notes: &mut Vec<String>,
) -> std::collections::HashMap<String, String> {
    provgate_git::notes::notes_for(repo, provgate_patch::authorship::NOTES_REF, ids).unwrap_or_else(
        |e| {
            notes.push(format!(
                "git-ai notes ({}) were not read: {e}",
                provgate_patch::authorship::NOTES_REF
            ));
            Default::default()
        },
    )
}

/// Files one item read from mail or a diff where it belongs.
fn sort_item(
    item: Result<MailItem, InputError>,
    result: &mut ReadResult,
    mail: &mut Vec<Patch>,
    diffs: &mut Vec<Patch>,
) {
    match item {
        Ok(MailItem::Patch(patch)) => match patch.origin {
            Origin::Diff { .. } => diffs.push(*patch),
            _ => mail.push(*patch),
        },
        Ok(MailItem::NotAPatch { .. }) => result.not_patches += 1,
        Err(error) => result.errors.push(error_report(&error)),
    }
}

/// Adds the bytes of a file input, or of a directory's files in name order without hidden ones
/// (as [`read_path`] reads them),
/// to `digest`.
fn hash_files(input: &Input, digest: &mut Sha256) {
    let files: Vec<PathBuf> = match input {
        Input::File(path) => vec![PathBuf::from(path)],
        Input::Directory(dir) => directory_files(Path::new(dir)).unwrap_or_default(),
        Input::Stdin | Input::Range(_) => Vec::new(),
    };
    for file in files {
        if let Ok(bytes) = std::fs::read(&file) {
            digest.update(&bytes);
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn error_report(error: &InputError) -> ErrorReport {
    ErrorReport {
        input: error.file.clone(),
        line: (error.line > 0).then_some(error.line),
        message: error.kind.to_string(),
        hint: Some(error.hint().to_string()),
    }
}
