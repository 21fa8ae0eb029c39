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

/// What each message (or plain diff) of an input is read into: [`GitAm`] reads `git am`'s
/// view ([`MailItem`]); the engine's classifier reads what a list bot needs.
pub trait MessageReader: Sync {
    /// What one message becomes.
    type Item: Send;
    /// Reads one message of the file `file`.
    fn message(&self, raw: &RawMessage, file: &str) -> Result<Self::Item, InputError>;
    /// Reads a whole input that holds a diff without mail headers.
    fn plain_diff(&self, bytes: &[u8], file: &str) -> Result<Self::Item, InputError>;
}

/// Messages read as `git am` reads them ([`read_message`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct GitAm;

impl MessageReader for GitAm {
    type Item = MailItem;
    fn message(&self, raw: &RawMessage, file: &str) -> Result<MailItem, InputError> {
        read_message(raw, file)
    }
    fn plain_diff(&self, bytes: &[u8], file: &str) -> Result<MailItem, InputError> {
        read_plain_diff(bytes, file)
    }
}

/// Reads `path` (a file, a directory of files read in name order, or `-` for standard input) and
/// hands every message or diff to `sink`, one bad message not stopping the others.
pub fn read_path(
    path: &str,
    options: ReadOptions,
    sink: &mut dyn FnMut(Result<MailItem, InputError>),
) {
    read_path_with(path, options, &GitAm, sink);
}

/// [`read_path`], each message read by `reader`.
pub fn read_path_with<R: MessageReader>(
    path: &str,
    options: ReadOptions,
    reader: &R,
    sink: &mut dyn FnMut(Result<R::Item, InputError>),
) {
    if path == "-" {
        let stdin = std::io::stdin();
        read_stream_with(BufReader::new(stdin.lock()), "-", options, reader, sink);
        return;
    }
    let fs_path = Path::new(path);
    if fs_path.is_dir() {
        let files = match directory_files(fs_path) {
            Ok(files) => files,
            Err(e) => return sink(Err(InputError::at(path, 0, InputErrorKind::Io(e)))),
        };
        for file in files {
            read_path_with(&file.to_string_lossy(), options, reader, sink);
        }
        return;
    }
    match File::open(fs_path) {
        Ok(file) => read_stream_with(
            BufReader::with_capacity(1 << 16, file),
            path,
            options,
            reader,
            sink,
        ),
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
    reader: R,
    name: &str,
    options: ReadOptions,
    sink: &mut dyn FnMut(Result<MailItem, InputError>),
) {
    read_stream_with(reader, name, options, &GitAm, sink);
}

/// [`read_stream`], each message read by `messages`.
pub fn read_stream_with<R: BufRead, M: MessageReader>(
    mut reader: R,
    name: &str,
    options: ReadOptions,
    messages: &M,
    sink: &mut dyn FnMut(Result<M::Item, InputError>),
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
        return sink(messages.plain_diff(&bytes, name));
    }
    // Splitting is sequential; reading the messages is not: batches of them are read in
    // parallel and handed on in order, so memory stays bounded by the batch.
    let mut batch: Vec<Result<RawMessage, MboxError>> = Vec::new();
    let mut batch_bytes = 0;
    for message in MboxReader::new(reader, options.mbox_flavor) {
        batch_bytes += message.as_ref().map_or(0, |m| m.bytes.len());
        batch.push(message);
        if batch.len() >= BATCH_MESSAGES || batch_bytes >= BATCH_BYTES {
            read_batch(std::mem::take(&mut batch), name, messages, sink);
            batch_bytes = 0;
        }
    }
    read_batch(batch, name, messages, sink);
}

const BATCH_MESSAGES: usize = 512;
const BATCH_BYTES: usize = 32 << 20;

fn read_batch<M: MessageReader>(
    batch: Vec<Result<RawMessage, MboxError>>,
    name: &str,
    messages: &M,
    sink: &mut dyn FnMut(Result<M::Item, InputError>),
) {
    let items: Vec<Result<M::Item, InputError>> = batch
        .into_par_iter()
        .map(|message| match message {
            Ok(raw) => messages.message(&raw, name),
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
