//! `confusable-trailer`: a trailer key spelled with look-alike characters.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::level::Level;

/// See [`DOC`].
pub struct ConfusableTrailer;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::ConfusableTrailer,
    summary: "A message line looks like a known trailer but is spelled with look-alike Unicode characters.",
    what: "Scans the commit message (after the subject) for lines of the form `KEY: value` or `KEY： value` whose key contains non-ASCII characters (or whose colon is a look-alike) and whose skeleton — look-alike hyphens, Cyrillic and Greek letters and full-width forms mapped to ASCII, invisible characters removed — is a known trailer (`Signed-off-by`, `Reviewed-by`, `Acked-by`, `Tested-by`, `Reported-by`, `Suggested-by`, `Co-developed-by`, `Co-authored-by`, `AI-used-for`, `Assisted-by`, `Generated-by`, `Fixes`, `Link`, `Cc`) or one of the policy's disclosure, review or agreement trailers.",
    why: "git and every trailer parser see `Signed‐off‐by` (with U+2010 hyphens) as text, not as a sign-off, while a human reader sees a sign-off. The same trick can fake a review or hide a disclosure.",
    policy: "DCO and review trailers are only meaningful when machines and people read them alike (QEMU, Linux). Unicode TR #39 confusables.",
    failing: "fix leak\n\nSigned\u{2010}off\u{2010}by: Jane Doe <jane@example.org>\n",
    passing: "fix leak\n\nSigned-off-by: Jane Doe <jane@example.org>\n",
    setup: super::ExampleSetup::NONE,
    fix: "Retype the trailer key in plain ASCII (`git commit --amend -s` writes a correct sign-off).",
};

const KNOWN: &[&str] = &[
    "signed-off-by",
    "reviewed-by",
    "acked-by",
    "tested-by",
    "reported-by",
    "suggested-by",
    "co-developed-by",
    "co-authored-by",
    "ai-used-for",
    "assisted-by",
    "generated-by",
    "fixes",
    "link",
    "cc",
];

/// Maps a look-alike character to its ASCII skeleton; `None` drops it (invisible characters).
fn skeleton_char(c: char) -> Option<char> {
    Some(match c {
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' | '\u{2043}' | '\u{02D7}' => '-',
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => return None,
        '\u{FF1A}' | '\u{A789}' | '\u{2236}' | '\u{02D0}' | '\u{FE55}' => ':',
        // Full-width ASCII.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0)?,
        // Cyrillic look-alikes.
        'а' => 'a',
        'е' => 'e',
        'о' => 'o',
        'р' => 'p',
        'с' => 'c',
        'у' => 'y',
        'х' => 'x',
        'і' => 'i',
        'ј' => 'j',
        'ѕ' => 's',
        'ԁ' => 'd',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'һ' => 'h',
        'А' => 'A',
        'В' => 'B',
        'Е' => 'E',
        'К' => 'K',
        'М' => 'M',
        'Н' => 'H',
        'О' => 'O',
        'Р' => 'P',
        'С' => 'C',
        'Т' => 'T',
        'Х' => 'X',
        'І' => 'I',
        'Ѕ' => 'S',
        'Ј' => 'J',
        // Greek look-alikes.
        'ο' => 'o',
        'ν' => 'v',
        'α' => 'a',
        'ι' => 'i',
        'Α' => 'A',
        'Β' => 'B',
        'Ε' => 'E',
        'Ζ' => 'Z',
        'Η' => 'H',
        'Ι' => 'I',
        'Κ' => 'K',
        'Μ' => 'M',
        'Ν' => 'N',
        'Ο' => 'O',
        'Ρ' => 'P',
        'Τ' => 'T',
        'Υ' => 'Y',
        'Χ' => 'X',
        // Latin letters that look like others.
        'ı' => 'i',
        'ɡ' => 'g',
        'ℓ' => 'l',
        'Ɩ' => 'l',
        c => c,
    })
}

/// The ASCII skeleton of `text` (lower case).
pub(crate) fn skeleton(text: &str) -> String {
    text.chars()
        .filter_map(skeleton_char)
        .collect::<String>()
        .to_lowercase()
}

/// The key and separator of a trailer-like line, if it has one: up to the first ASCII or
/// look-alike colon, at most 40 characters, no spaces inside the key.
fn key_of(line: &str) -> Option<(&str, char)> {
    let (at, sep) = line
        .char_indices()
        .find(|(_, c)| matches!(c, ':' | '\u{FF1A}' | '\u{A789}' | '\u{2236}' | '\u{FE55}'))?;
    let key = line[..at].trim_end();
    if key.is_empty() || key.chars().count() > 40 || key.contains(char::is_whitespace) {
        return None;
    }
    Some((key, sep))
}

impl Rule for ConfusableTrailer {
    fn default_level(&self) -> Level {
        Level::Deny
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        let policy = cx.policy;
        let extra: Vec<String> = policy
            .disclosure
            .trailers
            .iter()
            .map(|t| t.key.to_lowercase())
            .chain(policy.review.trailers.iter().map(|t| t.to_lowercase()))
            .chain(policy.agreement.trailers.iter().map(|t| t.to_lowercase()))
            .collect();
        let mut out = Vec::new();
        for (i, line) in cx.patch().message.lines().enumerate().skip(1) {
            let Some((key, sep)) = key_of(line) else {
                continue;
            };
            if key.is_ascii() && sep == ':' {
                continue;
            }
            let skel = skeleton(key);
            if KNOWN.contains(&skel.as_str()) || extra.contains(&skel) {
                let odd: Vec<String> = key
                    .chars()
                    .chain(std::iter::once(sep))
                    .filter(|c| !c.is_ascii())
                    .map(|c| format!("U+{:04X}", c as u32))
                    .collect();
                out.push(
                    Finding::new(
                        DOC.id,
                        format!("`{key}` looks like the trailer `{skel}` but uses look-alike characters ({}); tools do not read it as a trailer", odd.join(", ")),
                    )
                    .at_message_line(i + 1)
                    .help("retype the key in plain ASCII"),
                );
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skeletons() {
        assert_eq!(skeleton("Signed\u{2010}off\u{2010}by"), "signed-off-by");
        assert_eq!(skeleton("Reviеwed-by"), "reviewed-by");
        assert_eq!(skeleton("Ａｃｋｅｄ-by"), "acked-by");
        assert_eq!(skeleton("Signed-off\u{200B}-by"), "signed-off-by");
        assert_eq!(key_of("Signed-off-by： x").map(|k| k.1), Some('\u{FF1A}'));
        assert_eq!(key_of("no trailer here: x"), None);
    }
}
