//! Patch e-mail subjects: `Re: [RFC PATCH v3 2/7] hw/arm: fix` → prefix and clean subject.
//!
//! Like `git mailinfo`, every leading `[…]` group and `Re:` is taken off the subject; unlike it,
//! what they said is kept: tags (`PATCH`, `RFC`, `PULL`, `RESEND`, `for-10.1`), the version and
//! the `index/total` position.

use crate::model::SubjectPrefix;

/// Splits a decoded subject into its prefix and the subject git would commit.
pub fn parse_subject(raw: &str) -> (SubjectPrefix, String) {
    let mut prefix = SubjectPrefix {
        version: 1,
        ..SubjectPrefix::default()
    };
    let mut rest = raw.trim();
    loop {
        if let Some(after) = strip_reply_marker(rest) {
            prefix.reply = true;
            rest = after.trim_start();
            continue;
        }
        if let Some(inner_end) = rest.strip_prefix('[').and_then(|r| r.find(']')) {
            let inner = &rest[1..=inner_end];
            for token in inner.split(|c: char| c.is_whitespace() || c == ',') {
                add_token(&mut prefix, token);
            }
            rest = rest[inner_end + 2..].trim_start();
            continue;
        }
        break;
    }
    let subject = rest.split_whitespace().collect::<Vec<_>>().join(" ");
    (prefix, subject)
}

/// The subject `git am` commits: mailinfo's cleanup, which takes off leading `Re:` (not `Fwd:`
/// or `Aw:`), white space, colons and every leading `[…]` group, then turns each run of ASCII
/// white space into one space.
pub fn git_subject(raw: &str) -> String {
    let mut rest = raw;
    loop {
        let bytes = rest.as_bytes();
        match bytes.first() {
            Some(b'r' | b'R')
                if bytes.len() > 3 && matches!(bytes[1], b'e' | b'E') && bytes[2] == b':' =>
            {
                rest = &rest[3..];
            }
            Some(b' ' | b'\t' | b':') => rest = &rest[1..],
            Some(b'[') => match rest.find(']') {
                Some(close) => rest = &rest[close + 1..],
                None => break,
            },
            _ => break,
        }
    }
    let collapsed = crate::address::collapse_space(rest);
    collapsed
        .trim_matches(|c: char| c.is_ascii() && crate::address::is_git_space(c as u8))
        .to_string()
}

/// A reply or forward marker at the start of a subject: `Re:`, `RE:`, `Aw:` (German clients),
/// `Sv:` and `Vs:` (Nordic), `Antw:` (Dutch), `Odp:` (Polish), `Rif:` (Italian), `Tr:` and `Wg:`
/// (forwards), `Fwd:`, `Fw:`, optionally counted (`Re[2]:`, `Re^2:`); and, as Patchwork reads a
/// reply, `Re` followed by white space.
fn strip_reply_marker(subject: &str) -> Option<&str> {
    let word_end = subject
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(subject.len());
    let word = &subject[..word_end];
    let is_re = word.eq_ignore_ascii_case("re");
    let known = is_re
        || [
            "aw", "sv", "vs", "antw", "odp", "rif", "tr", "wg", "fwd", "fw",
        ]
        .iter()
        .any(|m| word.eq_ignore_ascii_case(m));
    if !known {
        return None;
    }
    let mut rest = &subject[word_end..];
    // A counted marker: `Re[2]:`, `Re^2:`.
    if let Some(after) = rest.strip_prefix('[').and_then(|r| {
        let close = r.find(']')?;
        r[..close]
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| &r[close + 1..])
    }) {
        rest = after;
    } else if let Some(after) = rest.strip_prefix('^') {
        rest = after.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let spaced = rest.trim_start();
    if let Some(after) = spaced.strip_prefix(':') {
        return Some(after);
    }
    (is_re && rest.starts_with(char::is_whitespace) && rest.len() > 1).then_some(rest)
}

fn add_token(prefix: &mut SubjectPrefix, token: &str) {
    if token.is_empty() {
        return;
    }
    if let Some(version) = version_number(token) {
        prefix.version = version;
        return;
    }
    if let Some((index, total)) = token.split_once('/')
        && let (Ok(index), Ok(total)) = (index.parse::<u32>(), total.parse::<u32>())
    {
        prefix.index = Some(index);
        prefix.total = Some(total);
        return;
    }
    // `PATCHv2`, `RFCv3`: a tag glued to its version.
    if let Some(at) = token.rfind(['v', 'V'])
        && at > 0
        && let Some(version) = version_number(&token[at..])
    {
        prefix.tags.push(token[..at].to_string());
        prefix.version = version;
        return;
    }
    prefix.tags.push(token.to_string());
}

fn version_number(token: &str) -> Option<u32> {
    let digits = token.strip_prefix(['v', 'V'])?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_prefixes() {
        let (p, s) = parse_subject("[PATCH v3 2/7] hw/arm: fix it");
        assert_eq!((p.version, p.index, p.total), (3, Some(2), Some(7)));
        assert_eq!(p.tags, vec!["PATCH"]);
        assert_eq!(s, "hw/arm: fix it");

        let (p, _) = parse_subject("[RFC PATCH] x");
        assert!(p.has_tag("rfc") && p.has_tag("PATCH"));
        assert_eq!((p.version, p.index), (1, None));

        let (p, _) = parse_subject("[PULL 05/12] x");
        assert_eq!((p.index, p.total), (Some(5), Some(12)));

        let (p, s) = parse_subject("[PATCH for-10.1 1/2] target/i386:  a   b");
        assert_eq!(p.tags, vec!["PATCH", "for-10.1"]);
        assert_eq!(s, "target/i386: a b");
    }

    #[test]
    fn replies_groups_and_glued_versions() {
        let (p, s) = parse_subject("Re: [RFC][PATCHv2 0/3] cover");
        assert!(p.reply);
        assert_eq!(p.tags, vec!["RFC", "PATCH"]);
        assert_eq!((p.version, p.index, p.total), (2, Some(0), Some(3)));
        assert_eq!(s, "cover");
        let (p, s) = parse_subject("plain subject: no prefix");
        assert_eq!(
            p,
            SubjectPrefix {
                version: 1,
                ..SubjectPrefix::default()
            }
        );
        assert_eq!(s, "plain subject: no prefix");
    }

    #[test]
    fn reply_markers_as_patchwork_and_mail_clients_write_them() {
        for subject in [
            "Re: [PATCH] x",
            "RE: [PATCH] x",
            "re:[PATCH] x",
            "Re : [PATCH] x",
            "Re [PATCH] x",
            "Aw: [PATCH] x",
            "AW: [PATCH] x",
            "Fwd: [PATCH] x",
            "Fw: [PATCH] x",
            "Sv: [PATCH] x",
            "Re[2]: [PATCH] x",
            "Re: Re: [PATCH] x",
        ] {
            assert!(parse_subject(subject).0.reply, "{subject}");
        }
        for subject in [
            "[PATCH] Revert \"x\"",
            "Rework the parser",
            "Re",
            "[PATCH] x",
            "Reply: no",
            "Fwdx: no",
        ] {
            assert!(!parse_subject(subject).0.reply, "{subject}");
        }
    }

    #[test]
    fn git_cleanup() {
        assert_eq!(git_subject("Re: [PATCH v2 1/3] a:  b"), "a: b");
        assert_eq!(git_subject("Fwd: [PATCH] a"), "Fwd: [PATCH] a");
        assert_eq!(git_subject("Re:"), "Re:");
        assert_eq!(git_subject("[PATCH] [x] : re:y"), "y");
        assert_eq!(git_subject("[PATCH broken"), "[PATCH broken");
    }

    #[test]
    fn unclosed_bracket_stays_in_subject() {
        let (_, s) = parse_subject("[PATCH broken subject");
        assert_eq!(s, "[PATCH broken subject");
    }
}
