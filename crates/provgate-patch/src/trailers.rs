//! Trailer parsing with the rules of `git interpret-trailers --parse` (git's `trailer.c`).
//!
//! The trailer block is the last paragraph of the message, after the title paragraph, when it
//! consists only of trailers (`Key: value` lines and their indented continuation lines), or when
//! it holds a git-generated trailer (`Signed-off-by: `, `(cherry picked from commit `) and at
//! least a quarter of its lines are trailers. Everything from a `---` line on (a patch) and
//! trailing comment lines are ignored first, as git does with its default settings.

use crate::model::Trailer;

/// Lines git itself writes into trailer blocks; one of them makes a mixed block count.
const GIT_GENERATED_PREFIXES: [&str; 2] = ["Signed-off-by: ", "(cherry picked from commit "];
const COMMENT: u8 = b'#';
const CUT_LINE: &str = "# ------------------------ >8 ------------------------\n";

/// The trailers of a message, in order, as `git interpret-trailers --parse` prints them: a
/// `---` line ends the message, as it does in mail (`git am` cuts the patch off there).
pub fn parse_trailers(message: &str) -> Vec<Trailer> {
    trailers_in(message, block_range(message, Divider::Cut))
}

/// The trailers of a commit's message as git reads a commit (`git log --format=%(trailers)`,
/// `git commit --signoff`, the sequencer): a `---` line is message text and does not end the
/// trailer search, so a sign-off after such a line is a sign-off.
///
/// Like `git log`, the search starts at the subject: blank lines before it are skipped, so that
/// a message that starts with one still has its first line as the title.
pub fn parse_commit_trailers(message: &str) -> Vec<Trailer> {
    let mut start = 0;
    while start < message.len() && is_blank_line(message.as_bytes(), start) {
        start = next_line(message.as_bytes(), start);
    }
    let skipped_lines = message[..start].matches('\n').count();
    let from_subject = &message[start..];
    let mut trailers = trailers_in(from_subject, block_range(from_subject, Divider::Text));
    for t in &mut trailers {
        t.line += skipped_lines;
    }
    trailers
}

/// What a `---` line means to the trailer reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Divider {
    /// It starts a patch: the message ends before it.
    Cut,
    /// It is an ordinary line of the message.
    Text,
}

fn trailers_in(message: &str, block: std::ops::Range<usize>) -> Vec<Trailer> {
    let text = &message[block.clone()];
    let first_line = message[..block.start].matches('\n').count() + 1;

    // Join continuation lines (starting with whitespace) to the trailer they continue.
    let mut items: Vec<(usize, String, bool)> = Vec::new();
    for (offset, line) in text.split_inclusive('\n').enumerate() {
        let starts_with_space = line.starts_with(is_git_space);
        if starts_with_space && let Some((_, last, true)) = items.last_mut() {
            last.push_str(line);
            continue;
        }
        let is_trailer = find_separator(line).is_some_and(|p| p >= 1);
        items.push((first_line + offset, line.to_string(), is_trailer));
    }

    items
        .into_iter()
        .filter(|(_, text, _)| !text.starts_with(COMMENT as char))
        .filter_map(|(line, text, _)| {
            let sep = find_separator(&text).filter(|&p| p >= 1)?;
            // Git's `strbuf_trim` trims ASCII white space only: a no-break space stays.
            let key = text[..sep].trim_matches(is_git_space);
            let value = unfold(text[sep + 1..].trim_matches(is_git_space));
            Some(Trailer {
                key: key.to_string(),
                value,
                line,
            })
        })
        .collect()
}

/// Where [`insert_trailer`] puts a new trailer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Just before the first `Signed-off-by` of the trailer block (QEMU's rule for
    /// `AI-used-for:`), or at its end when it has none.
    BeforeSignoff,
    /// At the end of the trailer block.
    End,
}

/// Inserts `key: value` into the trailer block of `message` as git would see it, creating the
/// block when there is none exactly as `git interpret-trailers --trailer` does (after a blank
/// line, before any comment lines or `---` patch part). A trailer with the same key and value
/// already present (keys compared case-insensitively) is not added again.
pub fn insert_trailer(message: &str, key: &str, value: &str, placement: Placement) -> String {
    let line = format!("{key}: {value}\n");
    if parse_trailers(message)
        .iter()
        .any(|t| t.is(key) && t.value == value)
    {
        return message.to_string();
    }
    let block = trailer_block(message);
    if block.is_empty() {
        let (body, rest) = message.split_at(block.end);
        let separator = if body.is_empty() || body.ends_with("\n\n") {
            ""
        } else if body.ends_with('\n') {
            "\n"
        } else {
            "\n\n"
        };
        return format!("{body}{separator}{line}{rest}");
    }
    let mut at = block.end;
    if placement == Placement::BeforeSignoff {
        let mut offset = block.start;
        for l in message[block.clone()].split_inclusive('\n') {
            if l.to_ascii_lowercase().starts_with("signed-off-by:") {
                at = offset;
                break;
            }
            offset += l.len();
        }
    }
    let (before, after) = message.split_at(at);
    let newline = if before.is_empty() || before.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    format!("{before}{newline}{line}{after}")
}

/// The byte range of `message` that holds its trailer block (empty when there is none).
pub fn trailer_block(message: &str) -> std::ops::Range<usize> {
    block_range(message, Divider::Cut)
}

fn block_range(message: &str, divider: Divider) -> std::ops::Range<usize> {
    let end = end_of_log_message(message, divider);
    let start = find_trailer_block_start(&message.as_bytes()[..end]);
    start.min(end)..end
}

/// Git's `find_separator` with `:` as the only separator: the position of the `:` when the text
/// before it is a token (alphanumerics and `-`, then optional whitespace).
fn find_separator(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut whitespace_found = false;
    for (i, &c) in bytes.iter().enumerate() {
        if c == b':' {
            return Some(i);
        }
        if !whitespace_found && (c.is_ascii_alphanumeric() || c == b'-') {
            continue;
        }
        if i != 0 && (c == b' ' || c == b'\t') {
            whitespace_found = true;
            continue;
        }
        break;
    }
    None
}

/// Collapses each newline and the whitespace after it into one space, as `--unfold` does.
fn unfold(value: &str) -> String {
    if !value.contains('\n') {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' {
            while chars.peek().is_some_and(|c| is_git_space(*c)) {
                chars.next();
            }
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out.trim_matches(is_git_space).to_string()
}

/// Git's `isspace` (its own table, not C's): space, tab, newline, carriage return. A vertical
/// tab or form feed is kept, as `git interpret-trailers` keeps it.
fn is_git_space(c: char) -> bool {
    c.is_ascii() && crate::address::is_git_space(c as u8)
}

/// Where the log message ends: before a `---` patch divider, minus trailing comments and blanks.
fn end_of_log_message(message: &str, divider: Divider) -> usize {
    let bytes = message.as_bytes();
    let mut end = message.len();
    let mut pos = 0;
    while divider == Divider::Cut && pos < bytes.len() {
        if bytes[pos..].starts_with(b"---")
            && bytes.get(pos + 3).is_some_and(|&c| is_git_space(c as char))
        {
            end = pos;
            break;
        }
        pos = next_line(bytes, pos);
    }
    end - ignored_log_message_bytes(&bytes[..end])
}

fn next_line(bytes: &[u8], pos: usize) -> usize {
    match memchr::memchr(b'\n', &bytes[pos..]) {
        Some(nl) => pos + nl + 1,
        None => bytes.len(),
    }
}

/// Git's `ignored_log_message_bytes`: a trailing run of comment and blank lines (and an old
/// `Conflicts:` block), plus everything after a scissors cut line.
fn ignored_log_message_bytes(bytes: &[u8]) -> usize {
    let len = bytes.len();
    let cutoff = locate_cut_line(bytes).unwrap_or(len);
    let mut boc: Option<usize> = None;
    let mut in_conflicts = false;
    let mut bol = 0;
    while bol < cutoff {
        let next = memchr::memchr(b'\n', &bytes[bol..cutoff]).map_or(cutoff, |nl| bol + nl + 1);
        let line = &bytes[bol..];
        if line[0] == COMMENT || line[0] == b'\n' {
            boc.get_or_insert(bol);
        } else if line.starts_with(b"Conflicts:\n") {
            in_conflicts = true;
            boc.get_or_insert(bol);
        } else if in_conflicts && line[0] == b'\t' {
            // A path in an old-style conflicts block.
        } else if boc.is_some() {
            boc = None;
            in_conflicts = false;
        }
        bol = next;
    }
    match boc {
        Some(boc) => len - boc,
        None => len - cutoff,
    }
}

fn locate_cut_line(bytes: &[u8]) -> Option<usize> {
    let cut = CUT_LINE.as_bytes();
    if bytes.starts_with(cut) {
        return Some(0);
    }
    memchr::memmem::find_iter(bytes, cut).find(|&at| at > 0 && bytes[at - 1] == b'\n')
}

fn is_blank_line(bytes: &[u8], pos: usize) -> bool {
    bytes[pos..]
        .iter()
        .take_while(|&&c| c != b'\n')
        .all(|&c| is_git_space(c as char))
}

/// Start of the last line in `bytes[..len]`, a final newline belonging to that line.
fn last_line(bytes: &[u8], len: usize) -> Option<usize> {
    match len {
        0 => None,
        1 => Some(0),
        _ => Some(
            bytes[..len - 1]
                .iter()
                .rposition(|&c| c == b'\n')
                .map_or(0, |nl| nl + 1),
        ),
    }
}

/// Git's `find_trailer_block_start`.
fn find_trailer_block_start(bytes: &[u8]) -> usize {
    let len = bytes.len();
    // The first paragraph is the title and cannot hold trailers.
    let mut end_of_title = 0;
    while end_of_title < len {
        if bytes[end_of_title] == COMMENT {
            end_of_title = next_line(bytes, end_of_title);
            continue;
        }
        if is_blank_line(bytes, end_of_title) {
            break;
        }
        end_of_title = next_line(bytes, end_of_title);
    }

    let mut only_spaces = true;
    let mut recognized_prefix = false;
    let (mut trailer_lines, mut non_trailer_lines) = (0usize, 0usize);
    let mut possible_continuation_lines = 0usize;

    let mut cursor = last_line(bytes, len);
    while let Some(bol) = cursor {
        if bol < end_of_title {
            break;
        }
        cursor = last_line(bytes, bol);
        let line = &bytes[bol..];
        if line.first() == Some(&COMMENT) {
            non_trailer_lines += possible_continuation_lines;
            possible_continuation_lines = 0;
            continue;
        }
        if is_blank_line(bytes, bol) {
            if only_spaces {
                continue;
            }
            non_trailer_lines += possible_continuation_lines;
            let start = next_line(bytes, bol);
            if recognized_prefix && trailer_lines * 3 >= non_trailer_lines {
                return start;
            }
            if trailer_lines > 0 && non_trailer_lines == 0 {
                return start;
            }
            return len;
        }
        only_spaces = false;

        if GIT_GENERATED_PREFIXES
            .iter()
            .any(|p| line.starts_with(p.as_bytes()))
        {
            trailer_lines += 1;
            possible_continuation_lines = 0;
            recognized_prefix = true;
            continue;
        }

        let line_end = memchr::memchr(b'\n', line).unwrap_or(line.len());
        let text = String::from_utf8_lossy(&line[..line_end]);
        let starts_with_space = line.first().is_some_and(|&c| is_git_space(c as char));
        if find_separator(&text).is_some_and(|p| p >= 1) && !starts_with_space {
            trailer_lines += 1;
            possible_continuation_lines = 0;
        } else if starts_with_space {
            possible_continuation_lines += 1;
        } else {
            non_trailer_lines += 1 + possible_continuation_lines;
            possible_continuation_lines = 0;
        }
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(message: &str) -> Vec<(String, String)> {
        parse_trailers(message)
            .into_iter()
            .map(|t| (t.key, t.value))
            .collect()
    }

    fn kv(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn plain_block() {
        let msg = "subject\n\nbody text\n\nAI-used-for: tests, docs\nSigned-off-by: A <a@x>\n";
        assert_eq!(
            pairs(msg),
            kv(&[("AI-used-for", "tests, docs"), ("Signed-off-by", "A <a@x>")])
        );
        assert_eq!(parse_trailers(msg)[1].line, 6);
    }

    #[test]
    fn title_paragraph_is_never_trailers() {
        assert!(pairs("Fixes: something\n").is_empty());
        assert!(pairs("subject\nSigned-off-by: A <a@x>\n").is_empty());
    }

    #[test]
    fn mixed_block_needs_git_prefix_and_a_quarter() {
        let mixed = "s\n\nsome text here\nSigned-off-by: A <a@x>\n";
        assert_eq!(pairs(mixed), kv(&[("Signed-off-by", "A <a@x>")]));
        let no_prefix = "s\n\nsome text here\nReviewed-by: A <a@x>\n";
        assert!(pairs(no_prefix).is_empty());
        let too_much_text = "s\n\none\ntwo\nthree\nfour\nSigned-off-by: A <a@x>\n";
        assert!(pairs(too_much_text).is_empty());
    }

    #[test]
    fn continuation_lines_are_unfolded() {
        let msg = "s\n\nLink: https://example.org/a\n  /b\nSigned-off-by: A <a@x>\n";
        assert_eq!(
            pairs(msg),
            kv(&[
                ("Link", "https://example.org/a /b"),
                ("Signed-off-by", "A <a@x>")
            ])
        );
    }

    #[test]
    fn divider_and_comments_end_the_message() {
        let msg = "s\n\nSigned-off-by: A <a@x>\n---\n v2: changed\nCc: nobody\n";
        assert_eq!(pairs(msg), kv(&[("Signed-off-by", "A <a@x>")]));
        let commented = "s\n\nAcked-by: B <b@x>\n# Please enter\n#\n";
        assert_eq!(pairs(commented), kv(&[("Acked-by", "B <b@x>")]));
    }

    #[test]
    fn commits_read_past_the_divider() {
        let msg = "s\n\nbody\n---\nmore\n\nSigned-off-by: A <a@x>\n";
        assert!(pairs(msg).is_empty());
        let commit: Vec<_> = parse_commit_trailers(msg)
            .into_iter()
            .map(|t| (t.key, t.value))
            .collect();
        assert_eq!(commit, kv(&[("Signed-off-by", "A <a@x>")]));
        assert_eq!(parse_commit_trailers(msg)[0].line, 7);
        // Blank lines before the subject are skipped: the first line is the title.
        assert!(parse_commit_trailers("\nKey: value\n").is_empty());
        assert_eq!(parse_commit_trailers("\n\ns\n\nKey: v\n")[0].line, 5);
    }

    #[test]
    fn cherry_pick_line_counts_but_is_not_a_pair() {
        let msg = "s\n\ntext\n(cherry picked from commit abc)\nSigned-off-by: A <a@x>\n";
        assert_eq!(pairs(msg), kv(&[("Signed-off-by", "A <a@x>")]));
    }

    #[test]
    fn only_ascii_white_space_is_trimmed() {
        let msg = "s\n\nSigned-off-by: \u{a0}Name\u{a0}X <x@y>\n";
        assert_eq!(
            pairs(msg),
            kv(&[("Signed-off-by", "\u{a0}Name\u{a0}X <x@y>")])
        );
    }

    #[test]
    fn inserting_trailers() {
        let msg = "s\n\nbody\n\nSigned-off-by: A <a@x>\n";
        let out = insert_trailer(msg, "AI-used-for", "tests", Placement::BeforeSignoff);
        assert_eq!(
            out,
            "s\n\nbody\n\nAI-used-for: tests\nSigned-off-by: A <a@x>\n"
        );
        assert_eq!(
            insert_trailer(&out, "AI-used-for", "tests", Placement::BeforeSignoff),
            out,
            "not added twice"
        );
        let end = insert_trailer(msg, "Assisted-by", "Claude:opus", Placement::End);
        assert_eq!(
            end,
            "s\n\nbody\n\nSigned-off-by: A <a@x>\nAssisted-by: Claude:opus\n"
        );
    }

    #[test]
    fn vertical_tab_is_not_white_space_to_git() {
        assert_eq!(
            pairs("s\n\nKey:\x0bvalue\x0b\n"),
            kv(&[("Key", "\x0bvalue\x0b")])
        );
    }

    #[test]
    fn key_spelling_kept_and_spaces_before_colon() {
        let msg = "s\n\nsigned-off-by : A <a@x>\n";
        assert_eq!(pairs(msg), kv(&[("signed-off-by", "A <a@x>")]));
    }
}
