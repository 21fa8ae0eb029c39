//! A repository's `.mailmap` as git applies it (`git check-mailmap`, `git log`'s `%aN <%aE>`):
//! who is who when one person commits and signs off under several names or addresses.
//!
//! Each line maps an identity found in commits to the person's canonical one:
//!
//! ```text
//! Proper Name <commit@email>                        the name for an address
//! <proper@email> <commit@email>                     the address for an address
//! Proper Name <proper@email> <commit@email>         both, for an address
//! Proper Name <proper@email> Commit Name <commit@email>   both, for that name and address
//! ```
//!
//! As in git, addresses and names are compared case-insensitively, a line naming the commit
//! name wins over one that does not, later lines replace earlier ones for the same key, and `#`
//! starts a comment line. (get_maintainer.pl's reading, which compares exactly, lives in
//! `provgate-maintainers`.)

use std::collections::HashMap;

use provgate_patch::Person;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Replacement {
    name: Option<String>,
    email: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Entry {
    any_name: Option<Replacement>,
    by_name: HashMap<String, Replacement>,
}

/// The parsed `.mailmap`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mailmap {
    by_email: HashMap<String, Entry>,
}

/// `Name <address>` at the start of `text`: the trimmed name (maybe empty), the address, and
/// what follows the `>`.
fn name_and_email(text: &str) -> Option<(&str, &str, &str)> {
    let open = text.find('<')?;
    let close = open + text[open..].find('>')?;
    Some((
        text[..open].trim(),
        text[open + 1..close].trim(),
        &text[close + 1..],
    ))
}

fn some_if_nonempty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

impl Mailmap {
    /// Reads `.mailmap` text. Lines that follow none of the forms are ignored, as git ignores
    /// them.
    pub fn parse(text: &str) -> Mailmap {
        let mut map = Mailmap::default();
        for line in text.lines() {
            if line.trim_start().starts_with('#') {
                continue;
            }
            let Some((name1, email1, rest)) = name_and_email(line) else {
                continue;
            };
            let (key_name, key_email, replacement) = match name_and_email(rest) {
                Some((name2, email2, _)) => (
                    some_if_nonempty(name2),
                    email2,
                    Replacement {
                        name: some_if_nonempty(name1),
                        email: some_if_nonempty(email1),
                    },
                ),
                None => (
                    None,
                    email1,
                    Replacement {
                        name: some_if_nonempty(name1),
                        email: None,
                    },
                ),
            };
            if key_email.is_empty() || (replacement.name.is_none() && replacement.email.is_none()) {
                continue;
            }
            let entry = map.by_email.entry(key_email.to_lowercase()).or_default();
            let slot = match key_name {
                Some(name) => entry.by_name.entry(name.to_lowercase()).or_default(),
                None => entry.any_name.get_or_insert_with(Replacement::default),
            };
            // A later line fills in or replaces what an earlier one said for the same key.
            if replacement.name.is_some() {
                slot.name = replacement.name;
            }
            if replacement.email.is_some() {
                slot.email = replacement.email;
            }
        }
        map
    }

    /// The canonical identity of `person`: `person` itself when no line maps it.
    pub fn map(&self, person: &Person) -> Person {
        let Some(entry) = self.by_email.get(&person.email.trim().to_lowercase()) else {
            return person.clone();
        };
        let replacement = entry
            .by_name
            .get(&person.name.trim().to_lowercase())
            .or(entry.any_name.as_ref());
        match replacement {
            Some(r) => Person::new(
                r.name.as_deref().unwrap_or(&person.name),
                r.email.as_deref().unwrap_or(&person.email),
            ),
            None => person.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(map: &Mailmap, name: &str, email: &str) -> String {
        map.map(&Person::new(name, email)).to_string()
    }

    #[test]
    fn every_form() {
        let map = Mailmap::parse(
            "# comment\nChristian Couder <christian.couder@gmail.com> <chriscool@tuxfamily.org>\nJane Doe <jane@example.org>\n<new@example.org> <old@example.org>\nProper <proper@example.org> Commit Name <shared@example.org>\nnot a line\n",
        );
        assert_eq!(
            mapped(&map, "Christian Couder", "ChrisCool@Tuxfamily.org"),
            "Christian Couder <christian.couder@gmail.com>"
        );
        assert_eq!(
            mapped(&map, "jane", "JANE@example.org"),
            "Jane Doe <JANE@example.org>"
        );
        assert_eq!(
            mapped(&map, "Old", "old@example.org"),
            "Old <new@example.org>"
        );
        assert_eq!(
            mapped(&map, "commit name", "shared@example.org"),
            "Proper <proper@example.org>"
        );
        assert_eq!(
            mapped(&map, "Someone Else", "shared@example.org"),
            "Someone Else <shared@example.org>"
        );
        assert_eq!(
            mapped(&map, "Nobody", "nobody@example.org"),
            "Nobody <nobody@example.org>"
        );
    }
}
