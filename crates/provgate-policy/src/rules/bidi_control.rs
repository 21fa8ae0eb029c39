//! `bidi-control`: Unicode bidirectional control characters in added lines (Trojan Source).

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::level::Level;

/// See [`DOC`].
pub struct BidiControl;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::BidiControl,
    summary: "An added line or the commit message contains a Unicode bidirectional control character.",
    what: "Reports every added line (in every file, exempt zones included) and every commit message line containing U+202A–U+202E (LRE, RLE, PDF, LRO, RLO) or U+2066–U+2069 (LRI, RLI, FSI, PDI), naming the code points: the nine characters of CVE-2021-42574 that rustc and GCC also warn about. The marks LRM, RLM and ALM, which appear legitimately in right-to-left names and translations and cannot reorder code on their own, are not reported.",
    why: "These characters make code display differently from how it compiles (CVE-2021-42574, \"Trojan Source\"): a reviewer reading the patch sees something else than what is merged. AI-generated and copy-pasted text makes them easier to slip in.",
    policy: "Trojan Source (CVE-2021-42574); b4 refuses patches containing Unicode control characters unless told otherwise. Not specific to AI policies: enabled in every preset.",
    failing: "+\tif (access_level != \"user\u{202E} \u{2066}// Check if admin\u{2069} \u{2066}\") {\n",
    passing: "+\t/* مرحبا — right-to-left text without control characters is fine */\n",
    setup: super::ExampleSetup::NONE,
    fix: "Remove the control characters; if right-to-left text is needed in a string, write it with escapes.",
};

/// The bidirectional control characters and their names.
pub(crate) const BIDI: &[(char, &str)] = &[
    ('\u{202A}', "LRE"),
    ('\u{202B}', "RLE"),
    ('\u{202C}', "PDF"),
    ('\u{202D}', "LRO"),
    ('\u{202E}', "RLO"),
    ('\u{2066}', "LRI"),
    ('\u{2067}', "RLI"),
    ('\u{2068}', "FSI"),
    ('\u{2069}', "PDI"),
];

fn controls(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in text.chars() {
        if let Some((_, name)) = BIDI.iter().find(|(b, _)| *b == c) {
            let s = format!("U+{:04X} {name}", c as u32);
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

impl Rule for BidiControl {
    fn default_level(&self) -> Level {
        Level::Deny
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        let patch = cx.patch();
        let mut out = Vec::new();
        for (i, line) in patch.message.lines().enumerate() {
            let found = controls(line);
            if !found.is_empty() {
                out.push(
                    Finding::new(
                        DOC.id,
                        format!(
                            "commit message contains bidirectional control characters ({})",
                            found.join(", ")
                        ),
                    )
                    .at_message_line(i + 1)
                    .help("remove the control characters"),
                );
            }
        }
        for file in &patch.files {
            for line in file.added_lines() {
                let found = controls(line.text);
                if !found.is_empty() {
                    out.push(
                        Finding::new(
                            DOC.id,
                            format!("added line contains bidirectional control characters ({})", found.join(", ")),
                        )
                        .at(file.path(), Some(line.new_line))
                        .help("remove the control characters; they make code display differently from how it compiles (Trojan Source)"),
                    );
                }
            }
        }
        out
    }
}
