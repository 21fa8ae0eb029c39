//! `format=flowed` bodies (RFC 3676) decoded as `git mailinfo` decodes them.
//!
//! Mailers that send flowed text (Thunderbird by default) space-stuff lines that begin with a
//! space and end soft-wrapped lines with a space. Mailinfo undoes both on every line of the part,
//! the patch included, so that context lines get their single leading space back and wrapped
//! lines are joined; a line that is exactly the signature separator `-- ` is left alone. With
//! `DelSp=yes` the space before a soft break was added by the mailer and is dropped when joining.

/// Decodes a flowed part (lines ending in `\n`, CRs already removed).
pub fn decode_flowed(text: &[u8], delsp: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut pending: Vec<u8> = Vec::new();
    for raw in text.split_inclusive(|&b| b == b'\n') {
        let newline = raw.ends_with(b"\n");
        let mut line = raw.strip_suffix(b"\n").unwrap_or(raw);
        line = line.strip_suffix(b"\r").unwrap_or(line);
        if line == b"-- " {
            out.append(&mut pending);
            out.extend_from_slice(raw);
            continue;
        }
        if let Some(unstuffed) = line.strip_prefix(b" ") {
            line = unstuffed;
        }
        if line.ends_with(b" ") {
            let keep = if delsp { line.len() - 1 } else { line.len() };
            pending.extend_from_slice(&line[..keep]);
            continue;
        }
        out.append(&mut pending);
        out.extend_from_slice(line);
        if newline {
            out.push(b'\n');
        }
    }
    out.append(&mut pending);
    out
}

/// Whether a `Content-Type` parameter set asks for flowed decoding, and with `DelSp=yes`.
pub fn flowed_params(params: &std::collections::BTreeMap<String, String>) -> Option<bool> {
    let flowed = params
        .get("format")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("flowed"));
    flowed.then(|| {
        params
            .get("delsp")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("yes"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unstuffs_and_joins() {
        let text = b"a long line \nwrapped\n  context\n-- \nsig\n";
        assert_eq!(
            decode_flowed(text, false),
            b"a long line wrapped\n context\n-- \nsig\n".to_vec()
        );
        assert_eq!(
            decode_flowed(b"split wo \nrd\n", true),
            b"split word\n".to_vec()
        );
    }
}
