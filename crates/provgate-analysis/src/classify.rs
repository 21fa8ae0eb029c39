//! Change classification by code: comment- and white-space-only hunks, and mechanical patches.

use std::collections::HashMap;

use provgate_patch::{FileChange, LineKind};
use provgate_policy::HunkCode;
use tree_sitter::Tree;

use crate::lang::{LineSet, walk};

pub use provgate_policy::mechanical::{TokenKind, mechanical, substitution, tokens};

/// Per line of a parsed file (index 0 = line 1): whether a token outside comments lies on it,
/// and the tokens that start on it.
pub struct CodeLines<'s> {
    code: Vec<bool>,
    tokens: HashMap<u32, Vec<&'s str>>,
}

impl<'s> CodeLines<'s> {
    /// Reads a parsed file.
    pub fn new(tree: &Tree, src: &'s [u8]) -> CodeLines<'s> {
        Self::read(tree, src, None)
    }

    /// Reads the lines `only` of a parsed file (what [`hunk_code`] asks about: the removed lines
    /// of the old file, the added lines of the new one); the other lines read as empty. Only the
    /// nodes on those lines are visited.
    pub fn of_lines(tree: &Tree, src: &'s [u8], only: &LineSet) -> CodeLines<'s> {
        Self::read(tree, src, Some(only))
    }

    fn read(tree: &Tree, src: &'s [u8], only: Option<&LineSet>) -> CodeLines<'s> {
        let lines = src.iter().filter(|b| **b == b'\n').count() + 2;
        let mut code = vec![false; lines];
        let mut tokens: HashMap<u32, Vec<&'s str>> = HashMap::new();
        walk(tree.root_node(), |n| {
            if n.kind().contains("comment") {
                return false;
            }
            if only.is_some_and(|o| {
                !o.intersects(
                    n.start_position().row as u32 + 1,
                    n.end_position().row as u32 + 1,
                )
            }) {
                return false;
            }
            if n.child_count() == 0 && !n.is_missing() && !n.byte_range().is_empty() {
                let (first, last) = (n.start_position().row, n.end_position().row);
                for flag in code.iter_mut().take(last + 1).skip(first) {
                    *flag = true;
                }
                let text = std::str::from_utf8(&src[n.byte_range()]).unwrap_or("");
                tokens.entry(first as u32 + 1).or_default().push(text);
            }
            true
        });
        CodeLines { code, tokens }
    }

    /// Whether 1-based `line` has code.
    pub fn is_code(&self, line: u32) -> bool {
        line >= 1 && self.code.get(line as usize - 1).copied().unwrap_or(false)
    }

    fn tokens_of(&self, line: u32) -> &[&'s str] {
        self.tokens.get(&line).map_or(&[], Vec::as_slice)
    }
}

/// The lines [`hunk_code`] reads: the removed lines (old-file numbers) and the added lines
/// (new-file numbers) of `file`.
pub fn changed_lines(file: &FileChange) -> (LineSet, LineSet) {
    let (mut removed, mut added) = (Vec::new(), Vec::new());
    for hunk in &file.hunks {
        for line in hunk.lines() {
            match line.kind {
                LineKind::Removed => removed.push(line.old_line),
                LineKind::Added => added.push(line.new_line),
                LineKind::Context => {}
            }
        }
    }
    (LineSet::new(removed), LineSet::new(added))
}

/// The hunks of `file` classified by code, given the parsed old file (`None` for an added file)
/// and the parsed new file.
pub fn hunk_code(
    file: &FileChange,
    old: Option<&CodeLines<'_>>,
    new: &CodeLines<'_>,
) -> Vec<HunkCode> {
    file.hunks
        .iter()
        .map(|hunk| {
            let (mut old_tokens, mut new_tokens): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
            // Lines of code are added lines (a changed line once, deletions never), as
            // `docs/policy.md` counts them.
            let mut code_lines = 0u32;
            let mut changed = false;
            for line in hunk.lines() {
                match line.kind {
                    LineKind::Context => {}
                    LineKind::Removed => {
                        changed = true;
                        if let Some(o) = old {
                            old_tokens.extend_from_slice(o.tokens_of(line.old_line));
                        }
                    }
                    LineKind::Added => {
                        changed = true;
                        new_tokens.extend_from_slice(new.tokens_of(line.new_line));
                        code_lines += u32::from(new.is_code(line.new_line));
                    }
                }
            }
            let comment_only = changed && old_tokens == new_tokens;
            HunkCode {
                comment_only,
                code_lines: if comment_only { 0 } else { code_lines },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tokens_and_substitutions() {
        let t: Vec<&str> = tokens("x = foo(\"a b\", 0x1f) + 'c';")
            .iter()
            .map(|t| t.1)
            .collect();
        assert_eq!(
            t,
            [
                "x", "=", "foo", "(", "\"a b\"", ",", "0x1f", ")", "+", "'c'", ";"
            ]
        );
        assert_eq!(
            substitution("a = old(x, old);", "a = new(x, new);"),
            Some(("old", "new"))
        );
        assert_eq!(substitution("a < n", "a <= n"), None);
        assert_eq!(substitution("f(a, b)", "f(c, d)"), None);
        assert_eq!(substitution("x = 1;", "x  =  1;"), None);
        assert_eq!(
            substitution("x = 1;", "x = 2;"),
            None,
            "numbers are not renames"
        );
    }

    proptest! {
        #[test]
        fn reading_some_lines_agrees_with_reading_all(
            lines in proptest::collection::vec("[a-z(){};=/* \"]{0,12}", 1..12),
            only in proptest::collection::vec(1u32..14, 0..6),
        ) {
            let src = lines.join("\n");
            let mut p = crate::Parsers::new(&crate::Languages::default());
            let tree = p.parse("c", src.as_bytes()).unwrap();
            let all = CodeLines::new(&tree, src.as_bytes());
            let only = LineSet::new(only);
            let some = CodeLines::of_lines(&tree, src.as_bytes(), &only);
            for &l in only.lines() {
                prop_assert_eq!(all.is_code(l), some.is_code(l));
                prop_assert_eq!(all.tokens_of(l), some.tokens_of(l));
            }
        }

        #[test]
        fn tokens_cover_every_non_space_character(line in "\\PC{0,60}") {
            let joined: String = tokens(&line).iter().map(|t| t.1).collect();
            let expected: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            // Literals keep their inner white space.
            let joined_ns: String = joined.chars().filter(|c| !c.is_whitespace()).collect();
            prop_assert_eq!(joined_ns, expected);
        }

        #[test]
        fn a_renamed_identifier_is_a_substitution(
            pre in "[a-z ]{0,10}", post in "[(), ]{0,10}",
            from in "[a-z]{1,8}", to in "[A-Z]{1,8}",
        ) {
            let old = format!("{pre} {from}{post}");
            let new = format!("{pre} {to}{post}");
            prop_assert_eq!(substitution(&old, &new), Some((from.as_str(), to.as_str())));
        }
    }
}
