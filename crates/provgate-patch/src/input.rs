//! Reading the inputs a user names: a file (mbox, one message, or a plain diff), a directory of
//! them, or standard input; mail is streamed message by message.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::diff::{contains_diff, parse_diff};
use crate::error::{InputError, InputErrorKind};
use crate::mail::{MailItem, read_message};
use rayon::prelude::*;

use crate::mbox::{MboxError, MboxFlavor, MboxReader, RawMessage, is_from_line};
use crate::model::{Origin, Patch};

/// How to read mail inputs.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// How `>From ` lines are quoted in mbox files.
    pub mbox_flavor: MboxFlavor,
}

/// Reads `path` (a file, a directory of files read in name order, or `-` for standard input) and
/// hands every message or diff to `sink`, one bad message not stopping the others.
pub fn read_path(
    path: &str,
    options: ReadOptions,
    sink: &mut dyn FnMut(Result<MailItem, InputError>),
) {
    if path == "-" {
        let stdin = std::io::stdin();
        read_stream(BufReader::new(stdin.lock()), "-", options, sink);
        return;
    }
    let fs_path = Path::new(path);
    if fs_path.is_dir() {
        let files = match directory_files(fs_path) {
            Ok(files) => files,
            Err(e) => return sink(Err(InputError::at(path, 0, InputErrorKind::Io(e)))),
        };
        for file in files {
            read_path(&file.to_string_lossy(), options, sink);
        }
        return;
    }
    match File::open(fs_path) {
        Ok(file) => read_stream(BufReader::with_capacity(1 << 16, file), path, options, sink),
        Err(e) => sink(Err(InputError::at(path, 0, InputErrorKind::Io(e)))),
    }
}

/// The files of a directory input, in the order they are read: name order, hidden files (a
/// leading `.`) and subdirectories left out.
pub fn directory_files(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// What a stream holds, judged from its first line.
#[derive(Debug, PartialEq, Eq)]
enum StreamKind {
    Mail,
    PlainDiff,
}

fn sniff(first: &[u8]) -> StreamKind {
    // Mailsplit and mailinfo skip white space before the first line; so does the sniffing.
    let start = first
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .unwrap_or(first.len());
    let line = first[start..]
        .split(|&b| b == b'\n')
        .next()
        .unwrap_or_default();
    let is_header = line
        .iter()
        .position(|&b| b == b':')
        .is_some_and(|colon| colon > 0 && line[..colon].iter().all(|b| b.is_ascii_graphic()));
    if is_from_line(line) || (is_header && !line.starts_with(b"diff ")) {
        StreamKind::Mail
    } else {
        StreamKind::PlainDiff
    }
}

/// Reads one stream; see [`read_path`].
pub fn read_stream<R: BufRead>(
    mut reader: R,
    name: &str,
    options: ReadOptions,
    sink: &mut dyn FnMut(Result<MailItem, InputError>),
) {
    let kind = match reader.fill_buf() {
        Ok(buf) => sniff(buf),
        Err(e) => return sink(Err(InputError::at(name, 0, InputErrorKind::Io(e)))),
    };
    if kind == StreamKind::PlainDiff {
        let mut bytes = Vec::new();
        if let Err(e) = reader.read_to_end(&mut bytes) {
            return sink(Err(InputError::at(name, 0, InputErrorKind::Io(e))));
        }
        return sink(read_plain_diff(&bytes, name));
    }
    // Splitting is sequential; reading the messages is not: batches of them are read in
    // parallel and handed on in order, so memory stays bounded by the batch.
    let mut batch: Vec<Result<RawMessage, MboxError>> = Vec::new();
    let mut batch_bytes = 0;
    for message in MboxReader::new(reader, options.mbox_flavor) {
        batch_bytes += message.as_ref().map_or(0, |m| m.bytes.len());
        batch.push(message);
        if batch.len() >= BATCH_MESSAGES || batch_bytes >= BATCH_BYTES {
            read_batch(std::mem::take(&mut batch), name, sink);
            batch_bytes = 0;
        }
    }
    read_batch(batch, name, sink);
}

const BATCH_MESSAGES: usize = 512;
const BATCH_BYTES: usize = 32 << 20;

fn read_batch(
    batch: Vec<Result<RawMessage, MboxError>>,
    name: &str,
    sink: &mut dyn FnMut(Result<MailItem, InputError>),
) {
    let items: Vec<Result<MailItem, InputError>> = batch
        .into_par_iter()
        .map(|message| match message {
            Ok(raw) => read_message(&raw, name),
            Err(MboxError::Io { line, source }) => {
                Err(InputError::at(name, line, InputErrorKind::Io(source)))
            }
            Err(MboxError::TooLarge { line }) => {
                Err(InputError::at(name, line, InputErrorKind::TooLarge))
            }
        })
        .collect();
    for item in items {
        sink(item);
    }
}

/// A diff without mail headers, read as one anonymous patch named after its file.
pub fn read_plain_diff(bytes: &[u8], name: &str) -> Result<MailItem, InputError> {
    if !contains_diff(bytes) {
        return Err(InputError::at(name, 1, InputErrorKind::NoHeaders));
    }
    let files = parse_diff(bytes, 1)
        .map_err(|e| InputError::at(name, e.line, InputErrorKind::Diff(e.kind)))?;
    let mut patch = Patch::new(
        name,
        Origin::Diff {
            file: name.to_string(),
        },
    );
    patch.files = files;
    Ok(MailItem::Patch(Box::new(patch)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing() {
        assert_eq!(
            sniff(b"From abc Mon Sep 17 00:00:00 2001\n"),
            StreamKind::Mail
        );
        assert_eq!(sniff(b"Subject: x\n"), StreamKind::Mail);
        assert_eq!(sniff(b"diff --git a/x b/x\n"), StreamKind::PlainDiff);
        assert_eq!(sniff(b"--- a/x\n"), StreamKind::PlainDiff);
    }
}
