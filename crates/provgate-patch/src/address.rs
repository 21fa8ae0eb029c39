//! The author of a mail as `git mailinfo` makes it from a `From:` value.
//!
//! Mailinfo does not parse RFC 5322 addresses: it takes the first word that holds an `@` as the
//! address and what is left as the name. So comments stay in the name (`Jane (ACME) Doe`), only
//! one pair of parentheses around the whole rest is dropped (`jane@x (Jane Doe)`), quotes are
//! taken off, unterminated quotes and comments run to the end of the line, and a name that is
//! empty, longer than 60 bytes or holds `@`, `<` or `>` is replaced by the address. A value
//! without any `@` still gives an author when it has a `<…>` part. This module reproduces those
//! rules so that the author provgate reports is the author `git am` would record.

use crate::model::Person;

/// Git's `isspace` (its own table, not C's): space, tab, newline, carriage return.
pub(crate) fn is_git_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Each run of ASCII white space becomes one space, as mailinfo does to header values.
pub(crate) fn collapse_space(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if c.is_ascii() && is_git_space(c as u8) {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

/// Trims ASCII white space only (a no-break space is part of a name).
fn trim_git_space(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_ascii() && is_git_space(c as u8))
}

/// Quotes removed and backslash escapes resolved; comments kept with their parentheses. An
/// unterminated quote or comment takes the rest of the value.
fn unquote(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => out.extend(chars.next()),
                        '"' => break,
                        c => out.push(c),
                    }
                }
            }
            '(' => {
                out.push('(');
                let mut depth = 1usize;
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => out.extend(chars.next()),
                        '(' => {
                            depth += 1;
                            out.push('(');
                        }
                        ')' => {
                            out.push(')');
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        c => out.push(c),
                    }
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// The name git keeps: the address itself when the name is empty, too long or looks like an
/// address.
fn sane_name(name: &str, email: &str) -> String {
    if name.is_empty() || name.len() > 60 || name.contains(['@', '<', '>']) {
        email.to_string()
    } else {
        name.to_string()
    }
}

/// The author `git mailinfo` reads from a decoded, unfolded `From:` value; `None` when it finds
/// no address at all (then `git am` refuses the patch).
pub fn parse_from(value: &str) -> Option<Person> {
    let line = collapse_space(value);
    let text = unquote(&line);
    let Some(at) = text.find('@') else {
        return bogus_from(&line);
    };
    let bytes = text.as_bytes();
    // The address is the word around the `@`, opened by white space or `<`.
    let mut start = at;
    let mut opened_by_angle = false;
    while start > 0 {
        let c = bytes[start - 1];
        if is_git_space(c) {
            break;
        }
        if c == b'<' {
            opened_by_angle = true;
            break;
        }
        start -= 1;
    }
    let len = bytes[start..]
        .iter()
        .position(|&c| is_git_space(c) || c == b'>')
        .unwrap_or(bytes.len() - start);
    let email = text[start..start + len].to_string();
    // The address and the one character that ended it are taken out; an opening `<` becomes a
    // space.
    let end = (start + len + 1).min(bytes.len());
    let before = if opened_by_angle {
        format!("{} ", &text[..start - 1])
    } else {
        text[..start].to_string()
    };
    let rest = format!("{before}{}", &text[end..]);
    let rest = collapse_space(&rest);
    let mut name = trim_git_space(&rest);
    if name.len() >= 2 && name.starts_with('(') && name.ends_with(')') {
        name = &name[1..name.len() - 1];
    }
    Some(Person::new(sane_name(name, &email), email))
}

/// `Jane Doe <jane>`: no `@` anywhere, but an angle-bracketed part is taken as the address.
fn bogus_from(line: &str) -> Option<Person> {
    let open = line.find('<')?;
    let close = open + line[open..].find('>')?;
    let email = line[open + 1..close].to_string();
    let name = trim_git_space(&line[..open]);
    Some(Person::new(sane_name(name, &email), email))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(value: &str) -> Option<(String, String)> {
        parse_from(value).map(|p| (p.name, p.email))
    }

    fn pair(name: &str, email: &str) -> Option<(String, String)> {
        Some((name.to_string(), email.to_string()))
    }

    #[test]
    fn common_forms() {
        assert_eq!(
            read("Jane Doe <jane@x.org>"),
            pair("Jane Doe", "jane@x.org")
        );
        assert_eq!(
            read("\"Doe, Jane\" <jane@x.org>"),
            pair("Doe, Jane", "jane@x.org")
        );
        assert_eq!(
            read("jane@x.org (Jane Doe)"),
            pair("Jane Doe", "jane@x.org")
        );
        assert_eq!(read("jane@x.org"), pair("jane@x.org", "jane@x.org"));
        assert_eq!(read("<jane@x.org>"), pair("jane@x.org", "jane@x.org"));
    }

    #[test]
    fn comments_stay_in_the_name() {
        assert_eq!(
            read("Jane (ACME) Doe <jane@x.org> (work)"),
            pair("Jane (ACME) Doe (work)", "jane@x.org")
        );
    }

    #[test]
    fn unterminated_quotes_and_comments_run_to_the_end() {
        assert_eq!(
            read("\"Jane Doe <jane@x.org>"),
            pair("Jane Doe", "jane@x.org")
        );
        assert_eq!(
            read("(Jane Doe <jane@x.org>"),
            pair("(Jane Doe", "jane@x.org")
        );
    }

    #[test]
    fn no_at_sign() {
        assert_eq!(read("Jane Doe <jane>"), pair("Jane Doe", "jane"));
        assert_eq!(read("Jane Doe"), None);
    }
}
