//! Reading every INPUT into series of patches, one unreadable input not stopping the others.

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use provgate_patch::input::{ReadOptions, directory_files, read_path_with, read_stream_with};
use provgate_patch::{InputError, Origin, Patch, Series};
use provgate_report::{ErrorReport, InputReport};
use sha2::{Digest, Sha256};

use crate::Input;
use crate::submission::{
    Assembled, Classified, Classifier, ClassifyOptions, LeftOut, Unreadable, assemble,
};

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
    /// Messages that were not submissions (`left_out.len()`).
    pub not_patches: usize,
    /// The messages that were not submissions, each with its reason (replies' trailers are
    /// already counted for the patches they answer).
    pub left_out: Vec<LeftOut>,
    /// The messages that looked like patches but whose diff could not be read (each is also an
    /// error of the read).
    pub unreadable: Vec<Unreadable>,
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

/// Reads `inputs`; ranges are resolved in the repository at `repo`. Mail is classified with
/// the default [`ClassifyOptions`].
pub fn read_inputs(
    inputs: &[Input],
    repo: &Path,
    read_options: ReadOptions,
    range_options: &provgate_git::RangeOptions,
) -> ReadResult {
    read_inputs_with(
        inputs,
        repo,
        read_options,
        range_options,
        &ClassifyOptions::default(),
    )
}

/// [`read_inputs`], mail classified with `classify`. All mail of all inputs is assembled
/// together, so that a thread split over several files is still one thread.
pub fn read_inputs_with(
    inputs: &[Input],
    repo: &Path,
    read_options: ReadOptions,
    range_options: &provgate_git::RangeOptions,
    classify: &ClassifyOptions,
) -> ReadResult {
    let classifier = Classifier(classify);
    let mut result = ReadResult::default();
    let mut mail: Vec<Classified> = Vec::new();
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
                read_stream_with(
                    BufReader::new(&mut reader),
                    "-",
                    read_options,
                    &classifier,
                    &mut |item| sort_item(item, &mut result, &mut mail, &mut diffs),
                );
                // Whatever the parser left unread still belongs to the input.
                let _ = std::io::copy(&mut reader, &mut std::io::sink());
            }
            Input::File(_) | Input::Directory(_) => {
                hash_files(input, &mut digest);
                read_path_with(input.name(), read_options, &classifier, &mut |item| {
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
/// report: what a service received in a request, from a list archive or from a forge. Mail is
/// classified with the default [`ClassifyOptions`].
pub fn read_bytes(name: &str, bytes: &[u8], read_options: ReadOptions) -> ReadResult {
    read_bytes_with(name, bytes, read_options, &ClassifyOptions::default())
}

/// [`read_bytes`], mail classified with `classify` (a service's configured bot senders).
pub fn read_bytes_with(
    name: &str,
    bytes: &[u8],
    read_options: ReadOptions,
    classify: &ClassifyOptions,
) -> ReadResult {
    let mut result = ReadResult::default();
    result.inputs.push(InputReport {
        name: name.to_string(),
        kind: "mail",
    });
    let (mut mail, mut diffs) = (Vec::new(), Vec::new());
    read_stream_with(
        bytes,
        name,
        read_options,
        &Classifier(classify),
        &mut |item| sort_item(item, &mut result, &mut mail, &mut diffs),
    );
    result.input_sha256 = hex(&Sha256::digest(bytes));
    group(&mut result, mail, diffs);
    result
}

/// Mail assembled into series (replies' trailers given to the patches they answer), then one
/// series per plain diff; what was left out is counted in a note, what could not be read is an
/// error.
fn group(result: &mut ReadResult, mail: Vec<Classified>, diffs: Vec<Patch>) {
    let assembled: Assembled = assemble(mail);
    result.notes.extend(assembled.left_out_note());
    for bad in &assembled.unreadable {
        result.errors.push(ErrorReport {
            input: match &bad.mail.origin {
                Origin::Mail { file, .. } | Origin::Diff { file } => file.clone(),
                Origin::Commit { commit } => commit.clone(),
            },
            line: (bad.line > 0).then_some(bad.line),
            message: format!(
                "{} (message {}); not checked",
                bad.describe(),
                bad.mail.message_id.as_deref().map_or_else(
                    || "without a Message-ID".to_string(),
                    |id| format!("<{id}>")
                )
            ),
            hint: Some(bad.hint().to_string()),
        });
    }
    result.not_patches += assembled.left_out.len();
    result.series.extend(assembled.series);
    result.left_out.extend(assembled.left_out);
    result.unreadable.extend(assembled.unreadable);
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
    item: Result<Classified, InputError>,
    result: &mut ReadResult,
    mail: &mut Vec<Classified>,
    diffs: &mut Vec<Patch>,
) {
    match item {
        Ok(Classified::Submission(patch)) if matches!(patch.origin, Origin::Diff { .. }) => {
            diffs.push(*patch)
        }
        Ok(classified) => mail.push(classified),
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
