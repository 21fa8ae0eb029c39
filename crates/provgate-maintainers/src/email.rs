//! get_maintainer.pl's `parse_email` and `format_email`, byte for byte.
//!
//! get_maintainer.pl prints every address through `format_email(parse_email(x))`: the name is
//! trimmed, surrounding quotes are dropped, and a name with any character outside ASCII
//! `[A-Za-z0-9_ -]` is quoted again (Perl reads MAINTAINERS as bytes, so `é` counts as such a
//! character: `Roger Pau Monné <r@x>` prints as `"Roger Pau Monné" <r@x>`).

use std::sync::OnceLock;

use regex::bytes::Regex;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| {
        regex::bytes::RegexBuilder::new(pattern)
            .unicode(false)
            .build()
            .unwrap_or_else(|e| unreachable!("built-in regex {pattern}: {e}"))
    })
}

fn is_perl_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Trims Perl `\s` from both ends.
pub(crate) fn perl_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_ascii() && is_perl_space(c as u8))
}

/// Trims Perl `\s` from the start.
pub(crate) fn perl_trim_start(s: &str) -> &str {
    s.trim_start_matches(|c: char| c.is_ascii() && is_perl_space(c as u8))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `$name =~ s/^\"|\"$//g`, then the "must quote" rule with quote escaping.
fn quote_name(name: &str) -> String {
    let mut name = perl_trim(name);
    if let Some(rest) = name.strip_prefix('"') {
        name = rest;
    }
    if let Some(rest) = name.strip_suffix('"') {
        name = rest;
    }
    let must_quote = name
        .bytes()
        .any(|b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b' ' || b == b'-'));
    if !must_quote {
        return name.to_string();
    }
    // s/(?<!\\)"/\\"/g
    let mut out = String::with_capacity(name.len() + 4);
    out.push('"');
    let mut prev = '\0';
    for c in name.chars() {
        if c == '"' && prev != '\\' {
            out.push('\\');
        }
        out.push(c);
        prev = c;
    }
    out.push('"');
    out
}

/// get_maintainer.pl's `parse_email`: splits `Name <address>` (and the bare and bracketed
/// forms) into a (quoted when needed) name and an address. Both may be empty.
pub fn parse_email(formatted: &str) -> (String, String) {
    static NAMED: OnceLock<Regex> = OnceLock::new();
    static BRACKETED: OnceLock<Regex> = OnceLock::new();
    static BARE: OnceLock<Regex> = OnceLock::new();
    let bytes = formatted.as_bytes();
    let (name, address) = if let Some(c) = re(&NAMED, r"^([^<]+)<(.+@.*)>.*$").captures(bytes) {
        (text(&c[1]), text(&c[2]))
    } else if let Some(c) = re(&BRACKETED, r"^\s*<(.+@\S*)>.*$").captures(bytes) {
        (String::new(), text(&c[1]))
    } else if let Some(c) = re(&BARE, r"^(.+@\S*).*$").captures(bytes) {
        (String::new(), text(&c[1]))
    } else {
        (String::new(), String::new())
    };
    let name = if perl_trim(&name).is_empty() {
        String::new()
    } else {
        quote_name(&name)
    };
    (name, perl_trim(&address).to_string())
}

/// get_maintainer.pl's `format_email` with `--n` (names on, the default).
pub fn format_email(name: &str, address: &str) -> String {
    let name = if perl_trim(name).is_empty() {
        String::new()
    } else {
        quote_name(name)
    };
    let address = perl_trim(address);
    if name.is_empty() {
        address.to_string()
    } else {
        format!("{name} <{address}>")
    }
}

/// `format_email(parse_email(entry))`: how get_maintainer.pl prints an `M:`/`R:` entry.
/// `None` when the entry has no address (get_maintainer.pl warns and drops it).
pub fn normalize_address(entry: &str) -> Option<String> {
    let (name, address) = parse_email(entry);
    if address.is_empty() {
        None
    } else {
        Some(format_email(&name, &address))
    }
}

/// Splits an `M:`/`R:` value holding several comma-separated addresses (`A <a@x>, B <b@y>`),
/// as get_maintainer.pl's `rfc822_validlist` does for well-formed lists. Commas inside quotes,
/// angle brackets or parentheses do not split. A value with one address is returned whole.
pub(crate) fn split_address_list(value: &str) -> Vec<&str> {
    if value.bytes().filter(|&b| b == b'@').count() < 2 {
        return vec![value];
    }
    let mut parts = Vec::new();
    let (mut quoted, mut angle, mut paren) = (false, 0usize, 0usize);
    let mut start = 0;
    let mut prev = 0u8;
    for (i, b) in value.bytes().enumerate() {
        match b {
            b'"' if prev != b'\\' => quoted = !quoted,
            b'<' if !quoted => angle += 1,
            b'>' if !quoted => angle = angle.saturating_sub(1),
            b'(' if !quoted => paren += 1,
            b')' if !quoted => paren = paren.saturating_sub(1),
            b',' if !quoted && angle == 0 && paren == 0 => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        prev = b;
    }
    parts.push(&value[start..]);
    let parts: Vec<&str> = parts
        .into_iter()
        .map(perl_trim)
        .filter(|p| !p.is_empty())
        .collect();
    // Only a list when every part is an address of its own.
    if parts.len() > 1 && parts.iter().all(|p| p.contains('@')) {
        parts
    } else {
        vec![value]
    }
}

/// A `.mailmap` as get_maintainer.pl reads it (`read_mailmap`) and applies it
/// (`mailmap_email`): names and addresses keyed by the exact address or `Name <address>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mailmap {
    names: std::collections::HashMap<String, String>,
    addresses: std::collections::HashMap<String, String>,
}

impl Mailmap {
    /// Reads `.mailmap` text: `Name <a>`, `<a> <b>`, `Name <a> <b>`, `Name <a> Other <b>`
    /// lines, `#` comments.
    pub fn parse(text: &str) -> Mailmap {
        static ONE: OnceLock<Regex> = OnceLock::new();
        static ADDR: OnceLock<Regex> = OnceLock::new();
        static NAME_ADDR: OnceLock<Regex> = OnceLock::new();
        static FULL: OnceLock<Regex> = OnceLock::new();
        let mut m = Mailmap::default();
        for line in text.split('\n') {
            let line = line.split('#').next().unwrap_or("");
            let line = perl_trim(line);
            if line.is_empty() {
                continue;
            }
            let b = line.as_bytes();
            let rtrim = |x: &[u8]| text_of(x).trim_end_matches(is_ascii_space).to_string();
            if let Some(c) = re(&ONE, r"^([^<]+)<([^>]+)>$").captures(b) {
                let (name, address) =
                    parse_email(&format!("{} <{}>", rtrim(&c[1]), text_of(&c[2])));
                m.names.insert(address, name);
            } else if let Some(c) = re(&ADDR, r"^<([^>]+)>\s*<([^>]+)>$").captures(b) {
                m.addresses.insert(text_of(&c[2]), text_of(&c[1]));
            } else if let Some(c) = re(&NAME_ADDR, r"^(.+)<([^>]+)>\s*<([^>]+)>$").captures(b) {
                let (name, address) =
                    parse_email(&format!("{} <{}>", rtrim(&c[1]), text_of(&c[2])));
                let wrong = text_of(&c[3]);
                m.names.insert(wrong.clone(), name);
                m.addresses.insert(wrong, address);
            } else if let Some(c) = re(&FULL, r"^(.+)<([^>]+)>\s*(.+)\s*<([^>]+)>$").captures(b) {
                let (name, address) =
                    parse_email(&format!("{} <{}>", rtrim(&c[1]), text_of(&c[2])));
                let (wname, waddress) =
                    parse_email(&format!("{} <{}>", rtrim(&c[3]), text_of(&c[4])));
                let wrong = format_email(&wname, &waddress);
                m.names.insert(wrong.clone(), name);
                m.addresses.insert(wrong, address);
            }
        }
        m
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && self.addresses.is_empty()
    }

    /// get_maintainer.pl's `mailmap_email`: the entry with its canonical name and address.
    pub fn map(&self, entry: &str) -> String {
        let (name, address) = parse_email(entry);
        let email = format_email(&name, &address);
        let (mut real_name, mut real_address) = (name, address.clone());
        let key = if self.names.contains_key(&email) || self.addresses.contains_key(&email) {
            &email
        } else {
            &address
        };
        if let Some(n) = self.names.get(key) {
            real_name = n.clone();
        }
        if let Some(a) = self.addresses.get(key) {
            real_address = a.clone();
        }
        format_email(&real_name, &real_address)
    }
}

fn text_of(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn is_ascii_space(c: char) -> bool {
    c.is_ascii() && is_perl_space(c as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_get_maintainer() {
        assert_eq!(
            normalize_address("Jan Beulich <jbeulich@suse.com>").as_deref(),
            Some("Jan Beulich <jbeulich@suse.com>")
        );
        assert_eq!(
            normalize_address("Daniel P. Smith <dpsmith@example.com>").as_deref(),
            Some("\"Daniel P. Smith\" <dpsmith@example.com>")
        );
        assert_eq!(
            normalize_address("Roger Pau Monné <roger@example.org>").as_deref(),
            Some("\"Roger Pau Monné\" <roger@example.org>")
        );
        assert_eq!(
            normalize_address("  \"Quoted Name\"   <q@example.org>  ").as_deref(),
            Some("Quoted Name <q@example.org>")
        );
        assert_eq!(
            normalize_address("list@example.org (moderated for non-subscribers)").as_deref(),
            Some("list@example.org")
        );
        assert_eq!(
            normalize_address("<bare@example.org>").as_deref(),
            Some("bare@example.org")
        );
        assert_eq!(normalize_address("No Address Here"), None);
        assert_eq!(
            normalize_address("O'Brien Said \"hi\" <ob@example.org>").as_deref(),
            Some("\"O'Brien Said \\\"hi\" <ob@example.org>")
        );
    }

    #[test]
    fn mailmap_like_get_maintainer() {
        let m = Mailmap::parse(
            "# comment\n\
             Jane Doe <jane@new.org>\n\
             <jane@new.org> <jane@old.org>\n\
             Joe Bloggs <joe@new.org> <joe@old.org>\n\
             Sam Smith <sam@new.org> Sammy <sam@old.org>  # trailing\n",
        );
        assert_eq!(m.map("J. Doe <jane@new.org>"), "Jane Doe <jane@new.org>");
        assert_eq!(m.map("Jane <jane@old.org>"), "Jane <jane@new.org>");
        assert_eq!(m.map("Whoever <joe@old.org>"), "Joe Bloggs <joe@new.org>");
        assert_eq!(m.map("Sammy <sam@old.org>"), "Sam Smith <sam@new.org>");
        assert_eq!(m.map("Samuel <sam@old.org>"), "Samuel <sam@old.org>");
        assert_eq!(m.map("list@example.org"), "list@example.org");
    }

    #[test]
    fn splits_address_lists() {
        assert_eq!(
            split_address_list("A <a@x.org>, B <b@y.org>"),
            vec!["A <a@x.org>", "B <b@y.org>"]
        );
        assert_eq!(
            split_address_list("\"Last, First\" <a@x.org>"),
            vec!["\"Last, First\" <a@x.org>"]
        );
        assert_eq!(split_address_list("A <a@x.org>"), vec!["A <a@x.org>"]);
    }
}
