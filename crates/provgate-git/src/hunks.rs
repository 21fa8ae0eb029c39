//! Line diffs and their hunks, laid out as `git diff` lays them out.
//!
//! The edit script comes from gitoxide's copy of imara-diff with the Myers algorithm and git's
//! pre-processing (lines without a match, frequent lines) and cost heuristics, then the
//! indent heuristic slides changes as `diff.indentHeuristic=true` does. Hunks are cut and merged
//! like xdiff's `xdl_get_hunk`/`xdl_emit_diff`: changes at most `2 × context` lines apart share a
//! hunk, and the section after `@@` is the nearest preceding old line that starts with a letter,
//! `_` or `$` (git's default `funcname`, cut at 80 bytes).

use gix::diff::blob::{Algorithm, Diff, InternedInput};
use provgate_patch::{Hunk, LineKind};

/// Reusable state of the line differ, one per worker.
#[derive(Default)]
pub(crate) struct LineDiffer {
    diff: Diff,
}

/// A change atom: `old` lines replaced by `new` lines (0-based, half open).
#[derive(Debug, Clone)]
struct Atom {
    old: std::ops::Range<u32>,
    new: std::ops::Range<u32>,
}

impl LineDiffer {
    /// The hunks turning `old` into `new` with `context` lines of context.
    pub fn hunks(&mut self, old: &[u8], new: &[u8], context: u32) -> Vec<Hunk> {
        if old == new {
            return Vec::new();
        }
        let input = InternedInput::new(old, new);
        self.diff.compute_with(
            Algorithm::Myers,
            &input.before,
            &input.after,
            input.interner.num_tokens(),
        );
        self.diff.postprocess_lines(&input);
        let atoms: Vec<Atom> = self
            .diff
            .hunks()
            .map(|h| Atom {
                old: h.before,
                new: h.after,
            })
            .collect();
        let old_lines: Vec<&[u8]> = input.before.iter().map(|&t| input.interner[t]).collect();
        let new_lines: Vec<&[u8]> = input.after.iter().map(|&t| input.interner[t]).collect();
        emit(&atoms, &old_lines, &new_lines, context)
    }
}

/// Every line of `content` as one hunk of removed (or added) lines, as git shows a file that is
/// deleted (or created).
pub(crate) fn whole_file(content: &[u8], kind: LineKind) -> Vec<Hunk> {
    let lines: Vec<&[u8]> = split_lines(content).collect();
    if lines.is_empty() {
        return Vec::new();
    }
    let count = lines.len() as u32;
    let atom = match kind {
        LineKind::Removed => Atom {
            old: 0..count,
            new: 0..0,
        },
        _ => Atom {
            old: 0..0,
            new: 0..count,
        },
    };
    match kind {
        LineKind::Removed => emit(&[atom], &lines, &[], 0),
        _ => emit(&[atom], &[], &lines, 0),
    }
}

/// Lines with their terminators, as xdiff's records are.
fn split_lines(content: &[u8]) -> impl Iterator<Item = &[u8]> {
    content.split_inclusive(|&b| b == b'\n')
}

fn emit(atoms: &[Atom], old: &[&[u8]], new: &[&[u8]], context: u32) -> Vec<Hunk> {
    let max_common = 2 * context;
    let (nrec1, nrec2) = (old.len() as u32, new.len() as u32);
    let mut hunks = Vec::new();
    let mut i = 0;
    while i < atoms.len() {
        // xdl_get_hunk: extend while the gap to the next change is at most 2 × context.
        let mut last = i;
        while last + 1 < atoms.len() {
            let gap = atoms[last + 1].old.start - atoms[last].old.end;
            if gap > max_common {
                break;
            }
            last += 1;
        }
        let (first, end) = (&atoms[i], &atoms[last]);
        let s1 = first.old.start.saturating_sub(context);
        let s2 = first.new.start.saturating_sub(context);
        let lctx = context.min(nrec1 - end.old.end).min(nrec2 - end.new.end);
        let e1 = end.old.end + lctx;
        let e2 = end.new.end + lctx;

        let mut hunk = Hunk::new(
            if e1 > s1 { s1 + 1 } else { s1 },
            e1 - s1,
            if e2 > s2 { s2 + 1 } else { s2 },
            e2 - s2,
            section(old, s1),
        );
        let bytes: usize = old[s1 as usize..e1 as usize]
            .iter()
            .chain(&new[s2 as usize..e2 as usize])
            .map(|l| l.len())
            .sum();
        hunk.reserve_text(bytes);
        let (mut o, mut n) = (s1, s2);
        for atom in &atoms[i..=last] {
            while o < atom.old.start && n < atom.new.start {
                push(&mut hunk, LineKind::Context, o + 1, n + 1, new[n as usize]);
                o += 1;
                n += 1;
            }
            for r in atom.old.clone() {
                push(&mut hunk, LineKind::Removed, r + 1, 0, old[r as usize]);
            }
            for a in atom.new.clone() {
                push(&mut hunk, LineKind::Added, 0, a + 1, new[a as usize]);
            }
            o = atom.old.end;
            n = atom.new.end;
        }
        while n < e2 {
            push(&mut hunk, LineKind::Context, o + 1, n + 1, new[n as usize]);
            o += 1;
            n += 1;
        }
        hunks.push(hunk);
        i = last + 1;
    }
    hunks
}

fn push(hunk: &mut Hunk, kind: LineKind, old_line: u32, new_line: u32, record: &[u8]) {
    let (text, no_newline) = match record.strip_suffix(b"\n") {
        Some(text) => (text, false),
        None => (record, true),
    };
    hunk.push_line(
        kind,
        old_line,
        new_line,
        &String::from_utf8_lossy(text),
        no_newline,
    );
}

/// Git's default `funcname`: the nearest old line before `start` beginning with a letter, `_` or
/// `$`, cut to 80 bytes and stripped of trailing white space.
fn section(old: &[&[u8]], start: u32) -> String {
    for rec in old[..start as usize].iter().rev() {
        if let Some(&c) = rec.first()
            && (c.is_ascii_alphabetic() || c == b'_' || c == b'$')
        {
            let mut text = &rec[..rec.len().min(80)];
            while let Some((&last, rest)) = text.split_last() {
                if matches!(last, b' ' | b'\t' | b'\n' | b'\r') {
                    text = rest;
                } else {
                    break;
                }
            }
            return printable_prefix(text).to_string();
        }
    }
    String::new()
}

/// The part of a section git prints: its header line is cut at the first byte that is not
/// valid UTF-8 (`sane_truncate_line` in `diff.c`), which the 80-byte cut often makes; git's
/// UTF-8 reader also refuses the noncharacters U+xFFFE and U+xFFFF.
fn printable_prefix(text: &[u8]) -> &str {
    let valid = match std::str::from_utf8(text) {
        Ok(all) => all,
        Err(e) => std::str::from_utf8(&text[..e.valid_up_to()]).unwrap_or_default(),
    };
    match valid
        .char_indices()
        .find(|&(_, c)| (c as u32) & 0xfffe == 0xfffe)
    {
        Some((at, _)) => &valid[..at],
        None => valid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(hunks: &[Hunk]) -> String {
        let mut out = String::new();
        for h in hunks {
            out.push_str(&format!(
                "@@ -{},{} +{},{} @@{}\n",
                h.old_start,
                h.old_count,
                h.new_start,
                h.new_count,
                if h.section.is_empty() {
                    String::new()
                } else {
                    format!(" {}", h.section)
                }
            ));
            for l in h.lines() {
                let marker = match l.kind {
                    LineKind::Context => ' ',
                    LineKind::Added => '+',
                    LineKind::Removed => '-',
                };
                out.push_str(&format!("{marker}{}\n", l.text));
                if l.no_newline {
                    out.push_str("\\ No newline at end of file\n");
                }
            }
        }
        out
    }

    #[test]
    fn context_and_section() {
        let old = b"int main(void)\n{\n\ta();\n\tb();\n\tc();\n\td();\n\te();\n}\n";
        let new = b"int main(void)\n{\n\ta();\n\tb();\n\tC();\n\td();\n\te();\n}\n";
        let hunks = LineDiffer::default().hunks(old, new, 3);
        assert_eq!(
            render(&hunks),
            "@@ -2,7 +2,7 @@ int main(void)\n {\n \ta();\n \tb();\n-\tc();\n+\tC();\n \td();\n \te();\n }\n"
        );
        assert_eq!(hunks[0].line(3).unwrap().old_line, 5);
        assert_eq!(hunks[0].line(4).unwrap().new_line, 5);
    }

    #[test]
    fn missing_newline_and_empty_sides() {
        let hunks = LineDiffer::default().hunks(b"a\nb", b"a\nb\n", 3);
        assert_eq!(
            render(&hunks),
            "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"
        );
        let added = whole_file(b"x\ny", LineKind::Added);
        assert_eq!(
            render(&added),
            "@@ -0,0 +1,2 @@\n+x\n+y\n\\ No newline at end of file\n"
        );
        assert!(whole_file(b"", LineKind::Removed).is_empty());
    }

    #[test]
    fn section_is_cut_before_a_broken_character() {
        // 79 ASCII bytes, then a two-byte character that the 80-byte cut splits.
        let mut long = b"x".repeat(79);
        long.extend_from_slice("é and more\n".as_bytes());
        let mut old = long.clone();
        old.extend_from_slice(b"1\n2\n3\n4\n");
        let new = [long.as_slice(), b"1\n2\n3\nfour\n"].concat();
        let hunks = LineDiffer::default().hunks(&old, &new, 1);
        assert_eq!(hunks[0].section, "x".repeat(79));
        assert_eq!(printable_prefix(b"ok \xff rest"), "ok ");
    }

    #[test]
    fn distant_changes_make_two_hunks() {
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let near = old.replace("3\n", "three\n").replace("10\n", "ten\n");
        assert_eq!(
            LineDiffer::default()
                .hunks(old.as_bytes(), near.as_bytes(), 3)
                .len(),
            1
        );
        let far = old.replace("3\n", "three\n").replace("11\n", "eleven\n");
        assert_eq!(
            LineDiffer::default()
                .hunks(old.as_bytes(), far.as_bytes(), 3)
                .len(),
            2
        );
    }
}
