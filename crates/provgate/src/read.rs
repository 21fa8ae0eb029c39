//! Reading every INPUT into series of patches, one unreadable input not stopping the others.

use std::path::Path;

use provgate_patch::input::{ReadOptions, read_path};
use provgate_patch::mail::MailItem;
use provgate_patch::series::group_into_series;
use provgate_patch::{InputError, Origin, Patch, Series};
use provgate_report::{ErrorReport, InputReport};

use crate::inputs::Input;

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
    for input in inputs {
        result.inputs.push(InputReport {
            name: input.name().to_string(),
            kind: input.kind(),
        });
        match input {
            Input::Range(range) => match provgate_git::read_range(repo, range, range_options) {
                Ok(read) => {
                    result.merges_skipped += read.merges_skipped;
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
            Input::Stdin | Input::File(_) | Input::Directory(_) => {
                read_path(input.name(), read_options, &mut |item| match item {
                    Ok(MailItem::Patch(patch)) => match patch.origin {
                        Origin::Diff { .. } => diffs.push(*patch),
                        _ => mail.push(*patch),
                    },
                    Ok(MailItem::NotAPatch { .. }) => result.not_patches += 1,
                    Err(error) => result.errors.push(error_report(&error)),
                });
            }
        }
    }
    result.series.extend(group_into_series(mail));
    result.series.extend(diffs.into_iter().map(|patch| Series {
        id: patch.id.clone(),
        version: 1,
        total: None,
        cover: None,
        patches: vec![patch],
    }));
    result
}

fn error_report(error: &InputError) -> ErrorReport {
    ErrorReport {
        input: error.file.clone(),
        line: (error.line > 0).then_some(error.line),
        message: error.kind.to_string(),
        hint: Some(error.hint().to_string()),
    }
}
