//! Splitting an mbox into messages, streaming and with bounded memory, as `git mailsplit` does.
//!
//! A message starts at a `From ` line that carries a time and a year (`From <sha> Mon Sep 17
//! 00:00:00 2001`), whatever precedes it: format-patch output does not quote `From ` at the start
//! of body lines, and git's own test for a separator is this date check, not a blank line. CRLF
//! line ends become LF (git's default without `--keep-cr`). In mboxrd files `>From ` quoting is
//! undone; mboxo files are left as they are, like `git am` does by default.
//! A file that does not start with such a line is one message. White space before the first
//! line is skipped, as mailsplit skips it.

use std::io::BufRead;

/// The largest message read whole; anything larger is reported and skipped.
pub const MAX_MESSAGE_BYTES: usize = 256 << 20;
/// The longest line kept; binary garbage without newlines is cut into such pieces.
const MAX_LINE_BYTES: usize = 1 << 20;

/// How `>From ` lines in message bodies are to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MboxFlavor {
    /// Quoting is left as it is (`git am` default).
    #[default]
    Mboxo,
    /// One `>` is removed from every `>+From ` line (`git am --patch-format=mboxrd`).
    Mboxrd,
}

/// One message cut out of an mbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMessage {
    /// The message bytes (headers and body), without the `From ` separator line.
    pub bytes: Vec<u8>,
    /// The separator line (`From <sha> Mon Sep 17 00:00:00 2001`), if there was one.
    pub from_line: Option<String>,
    /// 1-based line of the file on which the message's first header line stands.
    pub first_line: usize,
}

impl RawMessage {
    /// The commit id on a format-patch separator line (`From <40 or 64 hex digits> …`). The
    /// zeros `git format-patch --zero-commit` writes name no commit: every patch carries them.
    pub fn format_patch_commit(&self) -> Option<&str> {
        let word = self.from_line.as_deref()?.split_whitespace().nth(1)?;
        ((word.len() == 40 || word.len() == 64)
            && word.bytes().all(|b| b.is_ascii_hexdigit())
            && !word.bytes().all(|b| b == b'0'))
        .then_some(word)
    }
}

/// Why a message could not be cut out.
#[derive(Debug, thiserror::Error)]
pub enum MboxError {
    /// Reading the file failed.
    #[error("read error at line {line}: {source}")]
    Io {
        /// The line being read.
        line: usize,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The message is larger than [`MAX_MESSAGE_BYTES`]; it was skipped.
    #[error("message starting at line {line} is larger than {} MiB; skipped", MAX_MESSAGE_BYTES >> 20)]
    TooLarge {
        /// The line where the message starts.
        line: usize,
    },
}

/// An iterator over the messages of an mbox (or the one message of a plain file).
pub struct MboxReader<R> {
    reader: R,
    flavor: MboxFlavor,
    line_no: usize,
    line: Vec<u8>,
    /// The separator line that started the next message, already read.
    pending_from: Option<(String, usize)>,
    started: bool,
    done: bool,
}

impl<R: BufRead> MboxReader<R> {
    /// Reads messages from `reader`.
    pub fn new(reader: R, flavor: MboxFlavor) -> Self {
        Self {
            reader,
            flavor,
            line_no: 0,
            line: Vec::new(),
            pending_from: None,
            started: false,
            done: false,
        }
    }

    /// Reads one line (at most [`MAX_LINE_BYTES`]) into `self.line`; false at end of input.
    fn read_line(&mut self) -> Result<bool, MboxError> {
        self.line.clear();
        loop {
            let available = fill(&mut self.reader, self.line_no + 1)?;
            if available.is_empty() {
                break;
            }
            let room = MAX_LINE_BYTES - self.line.len();
            let (take, end) = match memchr::memchr(b'\n', &available[..available.len().min(room)]) {
                Some(nl) => (nl + 1, true),
                None => (
                    available.len().min(room),
                    self.line.len() + available.len() >= MAX_LINE_BYTES,
                ),
            };
            self.line.extend_from_slice(&available[..take]);
            self.reader.consume(take);
            if end {
                break;
            }
        }
        if self.line.is_empty() {
            return Ok(false);
        }
        self.line_no += 1;
        if self.line.ends_with(b"\r\n") {
            self.line.truncate(self.line.len() - 2);
            self.line.push(b'\n');
        }
        Ok(true)
    }
}

impl<R: BufRead> Iterator for MboxReader<R> {
    type Item = Result<RawMessage, MboxError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut bytes = Vec::new();
        let mut from_line = self.pending_from.take();
        let mut first_line = self.line_no + 1;
        let mut too_large = false;

        if !self.started {
            self.started = true;
            if let Err(e) = self.skip_leading_space() {
                self.done = true;
                return Some(Err(e));
            }
            match self.read_line() {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
            if is_from_line(&self.line) {
                from_line = Some((lossy_line(&self.line), self.line_no));
                first_line = self.line_no + 1;
            } else {
                // Not an mbox: the whole input is one message.
                first_line = self.line_no;
                bytes.extend_from_slice(&self.line);
                return Some(self.rest_as_one_message(bytes, first_line));
            }
        }

        loop {
            match self.read_line() {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    break;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
            if is_from_line(&self.line) {
                self.pending_from = Some((lossy_line(&self.line), self.line_no));
                break;
            }
            if too_large {
                continue;
            }
            let unquoted = if self.flavor == MboxFlavor::Mboxrd && is_quoted_from(&self.line) {
                &self.line[1..]
            } else {
                &self.line[..]
            };
            if bytes.len() + unquoted.len() > MAX_MESSAGE_BYTES {
                too_large = true;
                bytes = Vec::new();
                continue;
            }
            bytes.extend_from_slice(unquoted);
        }
        if too_large {
            let line = from_line.map_or(first_line, |(_, l)| l);
            return Some(Err(MboxError::TooLarge { line }));
        }
        if from_line.is_none() && bytes.is_empty() {
            return None;
        }
        Some(Ok(RawMessage {
            bytes,
            first_line: from_line.as_ref().map_or(first_line, |(_, l)| l + 1),
            from_line: from_line.map(|(text, _)| text),
        }))
    }
}

/// The reader's buffered bytes (empty at the end of input), retrying an interrupted read;
/// `line` names the line being read in an error.
fn fill<R: BufRead>(reader: &mut R, line: usize) -> Result<&[u8], MboxError> {
    loop {
        match reader.fill_buf() {
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(source) => return Err(MboxError::Io { line, source }),
        }
    }
    // Filled: this call hands back the same buffer without reading. (Returning the buffer from
    // inside the loop is what today's borrow checker refuses.)
    reader
        .fill_buf()
        .map_err(|source| MboxError::Io { line, source })
}

impl<R: BufRead> MboxReader<R> {
    /// Skips white space before the first message, as mailsplit does: otherwise a blank first
    /// line would hide the first separator and make the whole mbox one message.
    fn skip_leading_space(&mut self) -> Result<(), MboxError> {
        loop {
            let available = fill(&mut self.reader, self.line_no + 1)?;
            if available.is_empty() {
                return Ok(());
            }
            let spaces = available
                .iter()
                .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                .count();
            self.line_no += available[..spaces].iter().filter(|&&b| b == b'\n').count();
            let all = spaces == available.len();
            self.reader.consume(spaces);
            if !all {
                return Ok(());
            }
        }
    }

    fn rest_as_one_message(
        &mut self,
        mut bytes: Vec<u8>,
        first_line: usize,
    ) -> Result<RawMessage, MboxError> {
        self.done = true;
        while self.read_line()? {
            if bytes.len() + self.line.len() > MAX_MESSAGE_BYTES {
                // Drain the rest so that the line count in the error is right.
                while self.read_line()? {}
                return Err(MboxError::TooLarge { line: first_line });
            }
            bytes.extend_from_slice(&self.line);
        }
        Ok(RawMessage {
            bytes,
            from_line: None,
            first_line,
        })
    }
}

fn lossy_line(line: &[u8]) -> String {
    String::from_utf8_lossy(line.strip_suffix(b"\n").unwrap_or(line)).into_owned()
}

/// `>From `, `>>From `, …: a body line quoted by an mboxrd writer.
fn is_quoted_from(line: &[u8]) -> bool {
    let gts = line.iter().take_while(|&&b| b == b'>').count();
    gts > 0 && line[gts..].starts_with(b"From ")
}

/// Git's `is_from_line`: `From ` and, before the end, `…d hh:mm:ss yyyy` with a year after 1990.
pub fn is_from_line(line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    // Git measures the length with the newline and looks back from before it.
    if line.len() + 1 < 20 || !line.starts_with(b"From ") {
        return false;
    }
    // Like git, the character just before the newline is not looked at.
    let Some(colon) = line[5..line.len() - 1]
        .iter()
        .rposition(|&b| b == b':')
        .map(|p| p + 5)
    else {
        return false;
    };
    let digit = |i: isize| {
        let at = colon as isize + i;
        at >= 0 && line.get(at as usize).is_some_and(u8::is_ascii_digit)
    };
    if !(digit(-4) && digit(-2) && digit(-1) && digit(1) && digit(2)) {
        return false;
    }
    let year: String = line
        .get(colon + 3..)
        .unwrap_or_default()
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| b as char)
        .collect();
    year.parse::<u64>().is_ok_and(|y| y > 90)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str, flavor: MboxFlavor) -> Vec<RawMessage> {
        MboxReader::new(text.as_bytes(), flavor)
            .map(|m| m.expect("message"))
            .collect()
    }

    const SEP: &str = "From 1234567890123456789012345678901234567890 Mon Sep 17 00:00:00 2001\n";

    #[test]
    fn from_lines_need_a_date() {
        assert!(is_from_line(SEP.as_bytes()));
        assert!(is_from_line(
            b"From jane@example.org Thu Jan  1 10:00:00 2026\n"
        ));
        assert!(!is_from_line(b"From the beginning, this was wrong.\n"));
        assert!(!is_from_line(b"From: Jane <j@x>\n"));
    }

    #[test]
    fn splits_and_keeps_body_from_lines() {
        let text =
            format!("{SEP}Subject: one\n\nFrom the start\nbody\n{SEP}Subject: two\r\n\r\nbody\r\n");
        let messages = split(&text, MboxFlavor::Mboxo);
        assert_eq!(messages.len(), 2);
        assert_eq!(
            messages[0].bytes,
            b"Subject: one\n\nFrom the start\nbody\n".to_vec()
        );
        assert_eq!(messages[0].first_line, 2);
        assert_eq!(messages[1].bytes, b"Subject: two\n\nbody\n".to_vec());
        assert_eq!(messages[1].first_line, 7);
        assert_eq!(
            messages[1].format_patch_commit(),
            Some("1234567890123456789012345678901234567890")
        );
    }

    #[test]
    fn mboxrd_unquotes_one_level() {
        let text = format!("{SEP}Subject: q\n\n>From here\n>>From there\n");
        let rd = split(&text, MboxFlavor::Mboxrd);
        assert_eq!(
            rd[0].bytes,
            b"Subject: q\n\nFrom here\n>From there\n".to_vec()
        );
        let o = split(&text, MboxFlavor::Mboxo);
        assert_eq!(
            o[0].bytes,
            b"Subject: q\n\n>From here\n>>From there\n".to_vec()
        );
    }

    #[test]
    fn plain_file_is_one_message() {
        let messages = split(
            "Subject: x\n\nFrom a to b 10:00:00 2026\n",
            MboxFlavor::Mboxo,
        );
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].first_line, 1);
        assert!(split("", MboxFlavor::Mboxo).is_empty());
    }

    #[test]
    fn long_lines_are_bounded() {
        let garbage = vec![b'x'; 3 * MAX_LINE_BYTES + 5];
        let messages: Vec<_> = MboxReader::new(&garbage[..], MboxFlavor::Mboxo).collect();
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].as_ref().unwrap().bytes.len(), garbage.len());
    }
}
