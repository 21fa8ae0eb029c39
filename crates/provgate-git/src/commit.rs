//! Commit objects read the way git reads them: headers, identities, dates, the message and its
//! subject.
//!
//! The header is parsed here rather than with gitoxide's commit parser because git itself is
//! lenient: old histories hold identities without a date, odd time zones and messages in legacy
//! encodings, and `git log` still shows them. A reader that must agree with `git log` on every
//! commit cannot reject what git accepts.

use gix::ObjectId;
use provgate_patch::{Date, Person};

/// The parts of a commit object provgate uses, borrowed from the object's bytes.
pub(crate) struct RawCommit<'a> {
    /// The tree the commit records.
    pub tree: Option<ObjectId>,
    /// Parent ids in order.
    pub parents: Vec<ObjectId>,
    /// The `author` header value.
    pub author: Option<&'a [u8]>,
    /// The `committer` header value.
    pub committer: Option<&'a [u8]>,
    /// The `encoding` header value, when the message is not UTF-8.
    pub encoding: Option<&'a [u8]>,
    /// Everything after the blank line that ends the headers.
    pub message: &'a [u8],
}

impl<'a> RawCommit<'a> {
    /// Splits a commit object into headers and message. Continuation lines (` …`, as in
    /// `gpgsig` or `mergetag`) and unknown headers are skipped; a header that cannot be read is
    /// left out rather than failing the commit, as git does.
    pub fn parse(data: &'a [u8]) -> Self {
        let mut commit = RawCommit {
            tree: None,
            parents: Vec::new(),
            author: None,
            committer: None,
            encoding: None,
            message: &[],
        };
        let mut rest = data;
        while !rest.is_empty() {
            let end = memchr(b'\n', rest).unwrap_or(rest.len());
            let line = &rest[..end];
            rest = rest.get(end + 1..).unwrap_or_default();
            if line.is_empty() {
                commit.message = rest;
                break;
            }
            let Some(space) = memchr(b' ', line) else {
                continue;
            };
            let (key, value) = (&line[..space], &line[space + 1..]);
            match key {
                b"tree" => commit.tree = ObjectId::from_hex(value).ok(),
                b"parent" => commit.parents.extend(ObjectId::from_hex(value).ok()),
                b"author" if commit.author.is_none() => commit.author = Some(value),
                b"committer" if commit.committer.is_none() => commit.committer = Some(value),
                b"encoding" if commit.encoding.is_none() => commit.encoding = Some(value),
                _ => {}
            }
        }
        commit
    }
}

pub(crate) fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

/// An identity header split as git's `split_ident_line` does.
pub(crate) struct Ident {
    pub person: Person,
    pub date: Option<Date>,
}

/// Parses `Name <email> seconds +hhmm`. The name is what comes before the first `<`, the
/// address what lies between it and the next `>`, the date follows the last `>`; a missing or
/// malformed date gives `None` rather than an error.
pub(crate) fn parse_ident(value: &[u8], encoding: Encoding) -> Ident {
    let Some(lt) = memchr(b'<', value) else {
        return Ident {
            person: Person::new(encoding.decode(trim_end(value)), ""),
            date: None,
        };
    };
    let name = trim_end(&value[..lt]);
    let after = &value[lt + 1..];
    let email = match memchr(b'>', after) {
        Some(gt) => &after[..gt],
        None => after,
    };
    let date = value
        .iter()
        .rposition(|&b| b == b'>')
        .and_then(|gt| parse_date(&value[gt + 1..]));
    Ident {
        person: Person::new(encoding.decode(name), encoding.decode(email)),
        date,
    }
}

fn parse_date(text: &[u8]) -> Option<Date> {
    let text = trim_start(text);
    let digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let seconds: i64 = std::str::from_utf8(&text[..digits]).ok()?.parse().ok()?;
    let zone = trim_start(&text[digits..]);
    let offset_minutes = match zone.first() {
        Some(&sign @ (b'+' | b'-')) => {
            let digits: Vec<u8> = zone[1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .copied()
                .collect();
            let hhmm: i32 = std::str::from_utf8(&digits).ok()?.parse().ok()?;
            let minutes = (hhmm / 100) * 60 + hhmm % 100;
            if sign == b'-' { -minutes } else { minutes }
        }
        _ => 0,
    };
    Some(Date {
        seconds,
        offset_minutes,
    })
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |p| p + 1);
    &bytes[..end]
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// How a commit's text is to be turned into UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// UTF-8, the default; invalid sequences become U+FFFD.
    Utf8,
    /// ISO-8859-1 (and the aliases git writes for it): every byte is its own code point.
    Latin1,
}

impl Encoding {
    /// The encoding named by a commit's `encoding` header. `git log` re-encodes such messages to
    /// UTF-8 with iconv; Latin-1 is decoded exactly here, other encodings lossily as UTF-8 (a
    /// message that is valid UTF-8 despite its header, the common case, comes through intact).
    pub fn from_header(header: Option<&[u8]>) -> Self {
        let Some(name) = header else {
            return Encoding::Utf8;
        };
        let name = String::from_utf8_lossy(name).trim().to_ascii_lowercase();
        match name.as_str() {
            "iso-8859-1" | "iso8859-1" | "iso_8859-1" | "latin1" | "latin-1" | "l1" => {
                Encoding::Latin1
            }
            _ => Encoding::Utf8,
        }
    }

    /// Decodes `bytes`; never fails.
    pub fn decode(self, bytes: &[u8]) -> String {
        match self {
            Encoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            // iconv maps every byte of ISO-8859-1 to the code point of the same value, so a
            // message that is really UTF-8 behind a Latin-1 header turns into mojibake in
            // `git log` too; agreeing with git means doing the same.
            Encoding::Latin1 => bytes.iter().map(|&b| b as char).collect(),
        }
    }
}

/// The subject as git's `%s` shows it: leading blank lines skipped, then the lines of the first
/// paragraph, each stripped of trailing white space, joined by single spaces.
pub(crate) fn subject(message: &str) -> String {
    let mut out = String::new();
    let mut started = false;
    for line in message.split_inclusive('\n') {
        let trimmed = line.trim_end_matches(is_git_space);
        if trimmed.is_empty() {
            if started {
                break;
            }
            continue;
        }
        if started {
            out.push(' ');
        }
        out.push_str(trimmed);
        started = true;
    }
    out
}

/// Git's `isspace`: space, tab, newline, carriage return (not vertical tab or form feed).
fn is_git_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_message() {
        let data = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\
parent 1111111111111111111111111111111111111111\n\
parent 2222222222222222222222222222222222222222\n\
author A U Thor <a@example.org> 1700000000 +0130\n\
committer C O Mitter <c@example.org> 1700000100 -0700\n\
gpgsig -----BEGIN PGP SIGNATURE-----\n \n -----END PGP SIGNATURE-----\n\
\n\
Subject line\n\nBody\n";
        let raw = RawCommit::parse(data);
        assert_eq!(raw.parents.len(), 2);
        assert_eq!(raw.message, b"Subject line\n\nBody\n");
        let author = parse_ident(raw.author.unwrap(), Encoding::Utf8);
        assert_eq!(author.person, Person::new("A U Thor", "a@example.org"));
        assert_eq!(
            author.date,
            Some(Date {
                seconds: 1_700_000_000,
                offset_minutes: 90
            })
        );
        let committer = parse_ident(raw.committer.unwrap(), Encoding::Utf8);
        assert_eq!(committer.date.unwrap().offset_minutes, -420);
    }

    #[test]
    fn odd_identities_do_not_fail() {
        let no_date = parse_ident(b"Someone <s@x>", Encoding::Utf8);
        assert_eq!(no_date.person.email, "s@x");
        assert_eq!(no_date.date, None);
        let no_mail = parse_ident(b"just a name", Encoding::Utf8);
        assert_eq!(no_mail.person.name, "just a name");
        let latin = parse_ident(b"J\xf6rg <j@x> 1 +0000", Encoding::Latin1);
        assert_eq!(latin.person.name, "Jörg");
    }

    #[test]
    fn subject_like_percent_s() {
        assert_eq!(subject("one\ntwo  \n\nbody\n"), "one two");
        assert_eq!(subject("\n\n  lead\n"), "  lead");
        assert_eq!(subject("only"), "only");
        assert_eq!(subject(""), "");
    }
}
