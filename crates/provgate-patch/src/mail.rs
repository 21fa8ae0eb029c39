//! One RFC 5322 message → one [`Patch`], with the semantics of `git mailinfo` and `git am`.
//!
//! Headers are decoded by `mailparse` (RFC 2047 words, folding); bodies are decoded from
//! quoted-printable or base64, and the text parts of a multipart message (the patch inline, or
//! attached as `text/x-patch`/`text/x-diff`) are read in order as one body, as mailinfo does;
//! `format=flowed` parts are unflowed ([`crate::flowed`]). Of repeated `From:`, `Subject:` and
//! `Date:` headers the last counts, as in mailinfo. In the body, an in-body header block (read
//! with mailinfo's rules, see `read_in_body_headers`) overrides the headers when the message
//! carries a patch, the message ends at the first patch break (`---`, `diff -`, `Index: `), and
//! the commit message is `stripspace(subject + "\n\n" + body)`, exactly what `git am` would
//! commit. The author is built from `From:` as mailinfo builds it ([`crate::address`]), the date
//! read as git reads it ([`crate::date`]); an author or a date that cannot be read is reported
//! as a reader note, never guessed.

use mailparse::{MailAddr, MailHeaderMap, ParsedMail};

use crate::address::{collapse_space, is_git_space, parse_from};
use crate::date::parse_mail_date;
use crate::diff::{contains_diff_lines, parse_diff_lines};
use crate::error::{InputError, InputErrorKind};
use crate::flowed::{decode_flowed, flowed_params};
use crate::mbox::RawMessage;
use crate::model::{NoteKind, Origin, Patch, Person, ReaderNote};

use crate::subject::{git_subject, parse_subject};
use crate::trailers::parse_trailers;

/// What a message turned out to be.
#[derive(Debug)]
pub enum MailItem {
    /// A patch or a cover letter (`0/N`).
    Patch(Box<Patch>),
    /// A message that is not a submission: a reply without a diff, or a discussion message.
    NotAPatch {
        /// The subject, for counting and listing.
        subject: String,
    },
}

/// A message read as `git am` would read it, before anything is decided about what it is (a
/// patch, a reply, a pull request): the engine's classifier (`provgate_engine::submission`)
/// decides that from these facts.
#[derive(Debug)]
pub struct Mail {
    /// The patch the message would make: subject, prefix, threading ids, author, date, commit
    /// message and trailers; its files when the diff was read (none when it could not be).
    pub patch: Patch,
    /// The decoded `Subject:` as sent, `Re:` and `[…]` groups included.
    pub raw_subject: String,
    /// The sender of the message (its `From:` header), whoever the patch's author is.
    pub sender: Option<Person>,
    /// The whole decoded body: a reply's trailers and a `git request-pull` text are read from
    /// it.
    pub body: String,
    /// What the body holds of a diff.
    pub diff: DiffState,
}

/// Whether a message carries a diff, and whether it could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffState {
    /// No diff header at all.
    None,
    /// A diff, read into [`Patch::files`].
    Read,
    /// A diff that cannot be read (e.g. a `diff --git` line a mail client wrapped).
    Unreadable(UnreadableDiff),
}

/// Where and why a message's diff could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableDiff {
    /// 1-based line in the file (the message's first line when its body was encoded).
    pub line: usize,
    /// The line of the decoded body that could not be read.
    pub text: String,
    /// What is wrong with it.
    pub kind: crate::diff::DiffErrorKind,
}

/// Reads one message. `file` names where it came from, for the patch's origin and for errors.
///
/// This is `git am`'s view: a reply without a diff, or a discussion message, is
/// [`MailItem::NotAPatch`]; a diff that cannot be read is an error. What a list bot should
/// check is decided by the engine's classifier on top of [`read_mail`].
pub fn read_message(raw: &RawMessage, file: &str) -> Result<MailItem, InputError> {
    let mut mail = read_mail(raw, file)?;
    let prefix = mail.patch.prefix.clone().unwrap_or_default();
    match &mail.diff {
        DiffState::Unreadable(bad) => {
            return Err(InputError::at(
                file,
                bad.line,
                InputErrorKind::Diff(bad.kind.clone()),
            ));
        }
        DiffState::Read => {}
        DiffState::None => {
            let announces_patch = prefix.index.is_some_and(|i| i > 0)
                || ["PATCH", "PULL", "RFC"].iter().any(|t| prefix.has_tag(t));
            if prefix.index != Some(0) {
                if prefix.reply || !announces_patch {
                    return Ok(MailItem::NotAPatch {
                        subject: mail.patch.subject,
                    });
                }
                mail.patch.notes.insert(
                    0,
                    ReaderNote {
                        kind: NoteKind::NoDiff,
                        message: "the subject announces a patch but the message carries no diff \
                                  (truncated, or the patch is in an attachment type that is not text)"
                            .to_string(),
                    },
                );
            }
        }
    }
    Ok(MailItem::Patch(Box::new(mail.patch)))
}

/// Reads one message into the facts of a [`Mail`], whatever it turns out to be; only a message
/// that is not mail at all is an error.
pub fn read_mail(raw: &RawMessage, file: &str) -> Result<Mail, InputError> {
    let error = |line: usize, kind: InputErrorKind| InputError::at(file, line, kind);
    if raw.bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(error(raw.first_line, InputErrorKind::EmptyMessage));
    }
    // Mailinfo skips white space before the headers; a blank line there would otherwise end
    // the (empty) header block and make the headers body text.
    let skipped = raw.bytes.iter().take_while(|&&b| is_git_space(b)).count();
    let trimmed;
    let raw = if skipped > 0 {
        let lines = raw.bytes[..skipped].iter().filter(|&&b| b == b'\n').count();
        trimmed = RawMessage {
            bytes: raw.bytes[skipped..].to_vec(),
            from_line: raw.from_line.clone(),
            first_line: raw.first_line + lines,
        };
        &trimmed
    } else {
        raw
    };
    let parsed = mailparse::parse_mail(&raw.bytes)
        .map_err(|e| error(raw.first_line, InputErrorKind::Mail(e.to_string())))?;
    if parsed.headers.is_empty() {
        return Err(error(raw.first_line, InputErrorKind::NoHeaders));
    }

    // Mailinfo lets a later header of the same name replace an earlier one.
    let header_subject = last_value(&parsed, "Subject").unwrap_or_default();
    let body = MessageBody::collect(&parsed, raw);
    let lines: Vec<&[u8]> = crate::diff::split_lines(&body.bytes).collect();

    let (in_body, pos) = read_in_body_headers(&lines);
    let message_end = (pos..lines.len())
        .find(|&i| is_patch_break(lines[i]))
        .unwrap_or(lines.len());
    // Mailinfo only lets in-body headers speak for a message that carries a patch.
    let in_body = if message_end < lines.len() {
        in_body
    } else {
        InBody::default()
    };

    let (prefix, _) = parse_subject(&header_subject);
    let subject = git_subject(in_body.subject.as_deref().unwrap_or(&header_subject));
    let message_id = parsed
        .headers
        .get_first_value("Message-ID")
        .and_then(|v| first_angle_id(&v));
    let id = message_id
        .clone()
        .or_else(|| raw.format_patch_commit().map(str::to_string))
        .unwrap_or_else(|| format!("{file}:{}", raw.first_line));

    let mut patch = Patch::new(
        id,
        Origin::Mail {
            file: file.to_string(),
            line: raw.first_line,
        },
    );
    let diff_lines = &lines[message_end..];
    let diff = if !contains_diff_lines(diff_lines) {
        DiffState::None
    } else {
        // Read with line numbers counted from 0 in the decoded diff, so the failing line is
        // found in the decoded body whatever the encoding, and only then mapped to the file
        // (which an encoded body cannot be: offsetting by the message's first line would name a
        // line somewhere inside its base64 or quoted-printable text).
        match parse_diff_lines(&body.bytes, diff_lines, 0) {
            Ok(files) => {
                patch.files = files;
                DiffState::Read
            }
            Err(e) => {
                let at = e.line;
                DiffState::Unreadable(UnreadableDiff {
                    line: body.file_line(message_end + at),
                    text: diff_lines
                        .get(at)
                        .map(|l| String::from_utf8_lossy(l).into_owned())
                        .unwrap_or_default(),
                    kind: e.kind,
                })
            }
        }
    };

    let body_text = String::from_utf8_lossy(
        &body.bytes
            [line_offset(&body.bytes, &lines, pos)..line_offset(&body.bytes, &lines, message_end)],
    );
    patch.message = stripspace(&format!("{subject}\n\n{body_text}"));
    patch.trailers = parse_trailers(&patch.message);
    patch.subject = subject;
    patch.prefix = Some(prefix);
    patch.message_id = message_id;
    patch.in_reply_to = parsed
        .headers
        .get_first_value("In-Reply-To")
        .and_then(|v| first_angle_id(&v));
    patch.references = parsed
        .headers
        .get_first_value("References")
        .map(|v| angle_ids(&v))
        .unwrap_or_default();
    let date_text = in_body.date.clone().or_else(|| last_value(&parsed, "Date"));
    read_date(&mut patch, date_text.as_deref());

    let header_from = last_value(&parsed, "From");
    let sender = header_from.as_deref().and_then(parse_from);
    if sender.is_none() && in_body.from.is_none() {
        patch.notes.push(ReaderNote {
            kind: NoteKind::NoAuthor,
            message: match &header_from {
                Some(from) => format!(
                    "no author: the From: line `{from}` holds no address (`git am` would refuse the patch)"
                ),
                None => "no author: the message has no From: line (`git am` would refuse the patch)"
                    .to_string(),
            },
        });
    }
    resolve_author(&mut patch, &parsed, sender.clone(), in_body.from.as_deref());
    Ok(Mail {
        patch,
        raw_subject: header_subject,
        sender,
        body: String::from_utf8_lossy(&body.bytes).into_owned(),
        diff,
    })
}

/// The decoded text of a message's body parts, and how its lines map back to the file.
struct MessageBody {
    bytes: Vec<u8>,
    /// File line of the body's first line when the body is stored verbatim (not encoded).
    verbatim_first_line: Option<usize>,
    message_first_line: usize,
}

impl MessageBody {
    fn collect(parsed: &ParsedMail<'_>, raw: &RawMessage) -> Self {
        let mut bytes = Vec::new();
        collect_parts(parsed, &mut bytes);
        let encoding = parsed
            .headers
            .get_first_value("Content-Transfer-Encoding")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let verbatim =
            parsed.subparts.is_empty() && !matches!(encoding.trim(), "quoted-printable" | "base64");
        let header_lines = crate::diff::split_lines(&raw.bytes)
            .position(|l| l.is_empty() || l == b"\r")
            .map_or(0, |blank| blank + 1);
        Self {
            bytes,
            verbatim_first_line: verbatim.then_some(raw.first_line + header_lines),
            message_first_line: raw.first_line,
        }
    }

    /// The file line of body line `index` (0-based); the message's first line when the body was
    /// encoded and lines cannot be mapped back.
    fn file_line(&self, index: usize) -> usize {
        self.verbatim_first_line
            .map_or(self.message_first_line, |first| first + index)
    }
}

fn collect_parts(part: &ParsedMail<'_>, out: &mut Vec<u8>) {
    if !part.subparts.is_empty() {
        let alternative = part
            .ctype
            .mimetype
            .eq_ignore_ascii_case("multipart/alternative");
        for sub in &part.subparts {
            let before = out.len();
            collect_parts(sub, out);
            // Of alternatives, the first readable one is the message.
            if alternative && out.len() > before {
                break;
            }
        }
        return;
    }
    let mimetype = part.ctype.mimetype.to_ascii_lowercase();
    let filename = part
        .get_content_disposition()
        .params
        .get("filename")
        .cloned()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let is_patch_attachment = filename.ends_with(".patch") || filename.ends_with(".diff");
    let readable = match mimetype.as_str() {
        "text/html" | "text/enriched" => false,
        m if m.starts_with("text/") => true,
        "application/x-patch" | "application/x-diff" | "application/octet-stream" => {
            is_patch_attachment
        }
        _ => false,
    };
    if !readable {
        return;
    }
    let charset = part.ctype.charset.to_ascii_lowercase();
    let decoded = if matches!(
        charset.as_str(),
        "utf-8" | "utf8" | "us-ascii" | "ascii" | ""
    ) {
        match part.get_body_encoded() {
            // Mailinfo's decoder keeps white space before a line end, which RFC 2045 decoders
            // drop; in a flowed body that space is a soft line break.
            mailparse::body::Body::QuotedPrintable(body) => {
                Some(decode_quoted_printable(body.get_raw()))
            }
            _ => part.get_body_raw().ok(),
        }
    } else {
        part.get_body().ok().map(String::into_bytes)
    };
    if let Some(mut decoded) = decoded {
        // Strip CR of CRLF bodies, as mailsplit does for the whole message.
        if memchr::memchr(b'\r', &decoded).is_some() {
            decoded = String::from_utf8_lossy(&decoded)
                .replace("\r\n", "\n")
                .into_bytes();
        }
        if let Some(delsp) = flowed_params(&part.ctype.params) {
            decoded = decode_flowed(&decoded, delsp);
        }
        if !out.is_empty() && !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        out.extend_from_slice(&decoded);
    }
}

/// Quoted-printable as mailinfo decodes it: `=XX` is a byte, `=` at a line end joins the lines,
/// anything else (including white space before a line end) is kept as it is.
fn decode_quoted_printable(raw: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i];
        if c == b'=' {
            let next = &raw[i + 1..];
            if next.is_empty() {
                break;
            }
            if next[0] == b'\n' {
                i += 2;
                continue;
            }
            if let [h, l, ..] = *next
                && let (Some(h), Some(l)) = (hex(h), hex(l))
            {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The in-body `From:`, `Subject:` and `Date:` values, decoded and unfolded.
#[derive(Default)]
struct InBody {
    from: Option<String>,
    subject: Option<String>,
    date: Option<String>,
}

/// Which in-body header a line starts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum InBodyField {
    From,
    Subject,
    Date,
}

impl InBody {
    fn slot(&mut self, field: InBodyField) -> &mut Option<String> {
        match field {
            InBodyField::From => &mut self.from,
            InBodyField::Subject => &mut self.subject,
            InBodyField::Date => &mut self.date,
        }
    }

    /// A field not yet given: the same header a second time is message text, not a header.
    fn open(&mut self, line: &str) -> Option<(InBodyField, String)> {
        let (name, value) = line.split_once(':')?;
        let field = [
            ("from", InBodyField::From),
            ("subject", InBodyField::Subject),
            ("date", InBodyField::Date),
        ]
        .into_iter()
        .find(|(n, _)| name.eq_ignore_ascii_case(n))?
        .1;
        if self.slot(field).is_some() {
            return None;
        }
        let value = value.trim_start_matches(|c: char| c.is_ascii() && is_git_space(c as u8));
        Some((field, value.to_string()))
    }

    fn close(&mut self, field: InBodyField, value: &str) {
        // RFC 2047 words are decoded as in the message's own headers.
        let decoded = mailparse::parse_header(format!("X: {value}").as_bytes())
            .map(|(h, _)| h.get_value())
            .unwrap_or_else(|_| value.to_string());
        *self.slot(field) = Some(collapse_space(&decoded));
    }
}

/// The in-body headers at the top of a body, read with mailinfo's rules, and the index of the
/// first line of the message proper.
///
/// Blank lines before the headers are skipped; a header may be folded over indented lines; each
/// of `From:`, `Subject:`, `Date:` counts once; a `>From <sha> Mon Sep 17 00:00:00 2001` line (a
/// forwarded format-patch separator) is skipped; a `[PATCH] …` line is the subject. The headers
/// end at the first other line, or at a blank line (which is dropped) once a header has been
/// read. An indented line only continues a header; anywhere else it is message text.
fn read_in_body_headers(lines: &[&[u8]]) -> (InBody, usize) {
    let mut in_body = InBody::default();
    let mut open: Option<(InBodyField, String)> = None;
    for (i, raw) in lines.iter().enumerate() {
        let line = String::from_utf8_lossy(raw);
        if line.is_empty() {
            if let Some((field, value)) = open.take() {
                in_body.close(field, &value);
                return (in_body, i + 1);
            }
            continue;
        }
        if let Some((_, value)) = open.as_mut()
            && line.starts_with([' ', '\t'])
        {
            value.push_str(&line);
            continue;
        }
        if let Some((field, value)) = open.take() {
            in_body.close(field, &value);
        }
        // Mailinfo looks at the character after the marker, which may be the line's newline.
        let space_at = |at: usize| raw.get(at).is_none_or(|&b| is_git_space(b));
        if line.starts_with(">From") && space_at(5) {
            if is_format_patch_separator(&raw[1..]) {
                continue;
            }
            return (in_body, i);
        }
        if line.starts_with("[PATCH]") && space_at(7) {
            in_body.subject = Some(collapse_space(&line));
            continue;
        }
        match in_body.open(&line) {
            Some(header) => open = Some(header),
            None => return (in_body, i),
        }
    }
    if let Some((field, value)) = open.take() {
        in_body.close(field, &value);
    }
    (in_body, lines.len())
}

/// `From <40 hex digits> Mon Sep 17 00:00:00 2001`, exactly as `git format-patch` writes it.
fn is_format_patch_separator(line: &[u8]) -> bool {
    const DATE: &[u8] = b" Mon Sep 17 00:00:00 2001";
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    rest.len() == 40 + DATE.len()
        && rest[..40]
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        && &rest[40..] == DATE
}

/// The value of the last header named `name`, decoded.
fn last_value(parsed: &ParsedMail<'_>, name: &str) -> Option<String> {
    parsed.headers.get_all_values(name).pop()
}

/// The author date, with a note when it cannot be read or names no zone.
fn read_date(patch: &mut Patch, text: Option<&str>) {
    let Some(text) = text else {
        return;
    };
    match parse_mail_date(text) {
        Some(date) => {
            if !date.zone_given {
                patch.notes.push(ReaderNote {
                    kind: NoteKind::DateWithoutZone,
                    message: format!(
                        "the date `{text}` names no time zone; read as UTC (`git am` would use the local zone)"
                    ),
                });
            }
            patch.date = Some(date.date);
        }
        None => patch.notes.push(ReaderNote {
            kind: NoteKind::UnreadableDate,
            message: format!("the date `{text}` cannot be read; the patch has no date"),
        }),
    }
}

/// Mailinfo's `patchbreak`: where the message ends and the patch begins.
fn is_patch_break(line: &[u8]) -> bool {
    if line.starts_with(b"diff -") || line.starts_with(b"Index: ") {
        return true;
    }
    // Mailinfo's check sees the newline, which our lines no longer carry.
    if line.len() + 1 < 4 || !line.starts_with(b"---") {
        return false;
    }
    if line.get(3) == Some(&b' ') && line.get(4).is_some_and(|c| !c.is_ascii_whitespace()) {
        return true;
    }
    line[3..].iter().all(u8::is_ascii_whitespace)
}

/// The byte offset in `body` where line `index` starts (the end of `body` past the last line).
fn line_offset(body: &[u8], lines: &[&[u8]], index: usize) -> usize {
    match lines.get(index) {
        // Lines are sub-slices of `body`, so their distance from its start is their offset.
        Some(line) => line.as_ptr() as usize - body.as_ptr() as usize,
        None => body.len(),
    }
}

/// Git's `strbuf_stripspace` without comment stripping: trailing whitespace removed, runs of
/// blank lines collapsed to one, no blank lines at either end, a final newline.
pub fn stripspace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_blank = false;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            pending_blank = !out.is_empty();
            continue;
        }
        if pending_blank {
            out.push('\n');
            pending_blank = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn first_angle_id(value: &str) -> Option<String> {
    angle_ids(value).into_iter().next().or_else(|| {
        let trimmed = value.trim();
        (!trimmed.is_empty() && !trimmed.contains(char::is_whitespace)).then(|| trimmed.to_string())
    })
}

fn angle_ids(value: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let id = rest[open + 1..open + close].trim();
        if !id.is_empty() {
            ids.push(id.to_string());
        }
        rest = &rest[open + close + 1..];
    }
    ids
}

fn first_person(list: &mailparse::MailAddrList) -> Option<Person> {
    list.iter().find_map(|addr| match addr {
        MailAddr::Single(info) => Some(Person::new(
            info.display_name.clone().unwrap_or_default(),
            info.addr.clone(),
        )),
        MailAddr::Group(group) => group.addrs.first().map(|info| {
            Person::new(
                info.display_name.clone().unwrap_or_default(),
                info.addr.clone(),
            )
        }),
    })
}

/// A `Name <address>` string (an in-body `From:` line) as a person.
fn parse_person(text: &str) -> Option<Person> {
    let list = mailparse::addrparse(text).ok()?;
    first_person(&list)
}

/// `"Jane Doe via Qemu-devel" <qemu-devel@nongnu.org>` → `Jane Doe`.
fn munged_name(sender: &Person) -> Option<&str> {
    let at = sender.name.to_ascii_lowercase().rfind(" via ")?;
    let list = &sender.name[at + 5..];
    (!list.trim().is_empty() && !list.contains('@')).then(|| sender.name[..at].trim())
}

fn resolve_author(
    patch: &mut Patch,
    parsed: &ParsedMail<'_>,
    sender: Option<Person>,
    in_body_from: Option<&str>,
) {
    if let Some(text) = in_body_from {
        let Some(author) = parse_from(text) else {
            patch.notes.push(ReaderNote {
                kind: NoteKind::NoAuthor,
                message: format!(
                    "no author: the in-body From: line `{text}` holds no address \
                     (`git am` would refuse the patch)"
                ),
            });
            return;
        };
        patch.notes.push(ReaderNote {
            kind: NoteKind::InBodyAuthor,
            message: format!("author {author} taken from the in-body From: line"),
        });
        if sender.as_ref() != Some(&author) {
            patch.committer = sender;
        }
        patch.author = Some(author);
        return;
    }
    let Some(sender) = sender else {
        return;
    };
    let Some(real_name) = munged_name(&sender) else {
        patch.author = Some(sender);
        return;
    };
    let real_name = real_name.to_string();
    let candidates = ["X-Original-From", "Reply-To"].into_iter().filter_map(|h| {
        let header = parsed.headers.get_first_header(h)?;
        let person = first_person(&mailparse::addrparse_header(header).ok()?)?;
        Some((h, person))
    });
    let sign_offs: Vec<Person> = patch
        .trailers_named("Signed-off-by")
        .filter_map(|t| parse_person(&t.value))
        .collect();
    let found = candidates
        .filter(|(_, p)| p.email != sender.email)
        .map(|(h, p)| (h.to_string(), p))
        .chain(
            sign_offs
                .into_iter()
                .filter(|p| p.name.eq_ignore_ascii_case(&real_name))
                .map(|p| ("Signed-off-by".to_string(), p)),
        )
        .next();
    match found {
        Some((source, person)) => {
            let author = Person::new(
                if person.name.is_empty() {
                    real_name
                } else {
                    person.name
                },
                person.email,
            );
            patch.notes.push(ReaderNote {
                kind: NoteKind::MungedAuthorResolved,
                message: format!(
                    "the list rewrote the sender to \"{}\" <{}>; author {author} taken from {source}",
                    sender.name, sender.email
                ),
            });
            patch.committer = Some(sender);
            patch.author = Some(author);
        }
        None => {
            patch.notes.push(ReaderNote {
                kind: NoteKind::MungedAuthorUnresolved,
                message: format!(
                    "the list rewrote the sender to \"{}\" <{}> and no in-body From:, \
                     Reply-To, X-Original-From or matching Signed-off-by gives the real address",
                    sender.name, sender.email
                ),
            });
            patch.author = Some(Person::new(real_name, sender.email.clone()));
            patch.committer = Some(sender);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripspace_matches_git() {
        assert_eq!(stripspace("\n\na  \n\n\n\nb\n\n"), "a\n\nb\n");
        assert_eq!(stripspace(""), "");
    }

    #[test]
    fn patch_breaks() {
        assert!(is_patch_break(b"---"));
        assert!(is_patch_break(b"--- "));
        assert!(is_patch_break(b"--- a/file"));
        assert!(is_patch_break(b"diff --git a/x b/x"));
        assert!(!is_patch_break(b"--"));
        assert!(!is_patch_break(b"----"));
        assert!(!is_patch_break(b"---x"));
    }

    #[test]
    fn munged_names() {
        let p = Person::new("Jane Doe via Qemu-devel", "qemu-devel@nongnu.org");
        assert_eq!(munged_name(&p), Some("Jane Doe"));
        assert_eq!(munged_name(&Person::new("Via Dolorosa", "v@x")), None);
    }
}
