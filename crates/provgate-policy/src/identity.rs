//! People in trailers and how two identities are compared for the DCO.
//!
//! Tolerance, documented in `docs/policy.md` and `provgate explain dco-author-mismatch`:
//! addresses compare case-insensitively (the DCO bot's rule) and, with
//! `dco.ignore-subaddress`, without their `+tag`; names compare case-insensitively and without accents, with runs of
//! whitespace folded and surrounding quotes removed. With `dco.allow-noreply`, an author whose
//! address is a GitHub noreply address (`ID+login@users.noreply.github.com`) is matched by a
//! sign-off carrying the same name, whatever its address.

use provgate_patch::Person;

/// The domain of GitHub's privacy addresses.
pub const GITHUB_NOREPLY: &str = "@users.noreply.github.com";

/// Parses a trailer value such as `Jane Doe <jane@example.org>` (or a bare address).
pub fn parse_person(value: &str) -> Option<Person> {
    let value = value.trim();
    if let Some(open) = value.rfind('<') {
        let rest = &value[open + 1..];
        let close = rest.find('>')?;
        let email = rest[..close].trim();
        if !email.contains('@') {
            return None;
        }
        let name = value[..open].trim().trim_matches('"').trim();
        return Some(Person::new(name, email));
    }
    let word = value.split_whitespace().next()?;
    (word.contains('@') && !word.starts_with('@') && value.split_whitespace().count() == 1)
        .then(|| Person::new("", word))
}

/// The address in a policy entry written as `Name <email>` or as a bare address.
pub fn address_of(entry: &str) -> &str {
    let entry = entry.trim();
    match (entry.rfind('<'), entry.rfind('>')) {
        (Some(open), Some(close)) if open < close => entry[open + 1..close].trim(),
        _ => entry,
    }
}

/// An address prepared for comparison: lower case, optionally without its sub-address.
pub fn normalize_email(email: &str, ignore_subaddress: bool) -> String {
    let email = email.trim().to_lowercase();
    if !ignore_subaddress {
        return email;
    }
    match email.split_once('@') {
        Some((local, domain)) if !domain.ends_with(&GITHUB_NOREPLY[1..]) => {
            let local = local.split('+').next().unwrap_or(local);
            format!("{local}@{domain}")
        }
        _ => email,
    }
}

/// A name prepared for comparison: quotes removed, whitespace folded, lower case, and accents
/// dropped (`Roger Pau Monné` is `Roger Pau Monne`: mail clients and ASCII-only configurations
/// lose them, and a maintainer reads both as one person).
pub fn normalize_name(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    name.trim()
        .trim_matches('"')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase()
}

/// Whether `email` is a GitHub noreply address.
pub fn is_github_noreply(email: &str) -> bool {
    email.trim().to_lowercase().ends_with(GITHUB_NOREPLY)
}

/// Whether two addresses are the same person's (see the module documentation).
pub fn same_email(a: &str, b: &str, ignore_subaddress: bool) -> bool {
    !a.trim().is_empty()
        && normalize_email(a, ignore_subaddress) == normalize_email(b, ignore_subaddress)
}

/// Whether a trailer given in a reply names the reply's own sender, so that it may count as the
/// patch's. Anyone on a list can reply `Acked-by: Core Maintainer <core@…>`; as `b4` does ("some
/// trailers ignored due to from/email mismatches"), only a trailer whose address is the
/// sender's counts. Both sides go through `mailmap` first (one person's several addresses, as
/// `git log` shows them); a reply without a sender or a trailer without an address never counts.
pub fn reply_trailer_is_senders(
    review: &provgate_patch::ReviewTrailer,
    mailmap: &crate::mailmap::Mailmap,
    ignore_subaddress: bool,
) -> bool {
    let (Some(sender), Some(named)) = (&review.sender, parse_person(&review.trailer.value)) else {
        return false;
    };
    same_email(
        &mailmap.map(sender).email,
        &mailmap.map(&named).email,
        ignore_subaddress,
    )
}

/// Whether two names are the same (see the module documentation).
pub fn same_name(a: &str, b: &str) -> bool {
    !a.trim().is_empty() && normalize_name(a) == normalize_name(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_people() {
        let p = parse_person("Jane Doe <Jane@Example.org>").unwrap();
        assert_eq!(
            (p.name.as_str(), p.email.as_str()),
            ("Jane Doe", "Jane@Example.org")
        );
        let p = parse_person("\"Doe, Jane\" <j@x.org>").unwrap();
        assert_eq!(p.name, "Doe, Jane");
        assert_eq!(parse_person("j@x.org").unwrap().email, "j@x.org");
        assert!(parse_person("code, tests").is_none());
        assert!(parse_person("Claude:claude-3-opus").is_none());
        assert!(parse_person("Jane <no-at>").is_none());
        assert!(parse_person("<").is_none());
    }

    #[test]
    fn comparisons() {
        assert!(same_email("Jane@X.org", "jane@x.org", false));
        assert!(!same_email("jane+qemu@x.org", "jane@x.org", false));
        assert!(same_email("jane+qemu@x.org", "jane@x.org", true));
        assert!(!same_email("", "", false));
        assert!(same_name(" Jane   Doe", "jane doe"));
        assert!(same_name("Roger Pau Monne", "Roger Pau Monné"));
        assert!(same_name("Roger Pau Monne", "Roger Pau Monne\u{301}"));
        assert!(!same_name("Roger Pau Monne", "Roger Pau Monnet"));
        assert!(same_name("Ævar Arnfjörð", "ævar arnfjorð"));
        assert!(is_github_noreply("1+jane@users.noreply.github.com"));
        assert_eq!(address_of("Jane Doe <jane@x.org>"), "jane@x.org");
        assert_eq!(address_of(" jane@x.org "), "jane@x.org");
    }
}
