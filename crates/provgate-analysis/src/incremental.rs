//! Reparsing a changed file from the parse of a close version (tree-sitter's incremental
//! parsing): the new file of a patch from its old file, the C file with attribute macros blanked
//! out from the file as it is. Only the edited regions are parsed again; the tree is the one a
//! parse from scratch gives.

use tree_sitter::{InputEdit, Point};

/// Where each line of `src` starts (byte offsets; line 1 at index 0).
fn line_starts(src: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        src.iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1),
    );
    starts
}

/// The byte offset where 1-based `line` starts, or the end of `src` past its last line.
fn offset_of(starts: &[usize], len: usize, line: u32) -> usize {
    starts
        .get((line as usize).saturating_sub(1))
        .copied()
        .unwrap_or(len)
        .min(len)
}

/// The row and column (in bytes) of `offset`.
fn point_at(starts: &[usize], offset: usize) -> Point {
    let row = starts.partition_point(|&s| s <= offset).saturating_sub(1);
    Point {
        row,
        column: offset - starts.get(row).copied().unwrap_or(0),
    }
}

/// The edits that turn `old` into `new`, given the changed line ranges (first old line, old line
/// count, first new line, new line count, as in `@@` headers), in the order they are to be
/// applied to the old tree (last first, so that each is in the old file's coordinates). `None`
/// when the bytes outside the ranges differ (the new file was normalised, e.g. from CRLF): the
/// new file is then parsed from scratch.
pub(crate) fn line_edits(
    old: &[u8],
    new: &[u8],
    ranges: impl IntoIterator<Item = (u32, u32, u32, u32)>,
) -> Option<Vec<InputEdit>> {
    let (os, ns) = (line_starts(old), line_starts(new));
    let mut edits = Vec::new();
    let (mut old_at, mut new_at) = (0usize, 0usize);
    for (old_start, old_count, new_start, new_count) in ranges {
        // `@@ -a,0` inserts after line a: the range starts at line a + 1.
        let first = |start: u32, count: u32| if count == 0 { start + 1 } else { start.max(1) };
        let o0 = offset_of(&os, old.len(), first(old_start, old_count));
        let o1 = offset_of(&os, old.len(), first(old_start, old_count) + old_count);
        let n0 = offset_of(&ns, new.len(), first(new_start, new_count));
        let n1 = offset_of(&ns, new.len(), first(new_start, new_count) + new_count);
        if o0 < old_at || n0 < new_at || old.get(old_at..o0)? != new.get(new_at..n0)? {
            return None;
        }
        edits.push(edit(&os, &ns, o0, o1, n0, n1));
        (old_at, new_at) = (o1, n1);
    }
    if old.get(old_at..)? != new.get(new_at..)? {
        return None;
    }
    edits.reverse();
    Some(edits)
}

/// The edits that turn `old` into `new`, two texts of the same length that differ only in some
/// bytes (never in line ends): one per run of differing bytes.
pub(crate) fn byte_edits(old: &[u8], new: &[u8]) -> Option<Vec<InputEdit>> {
    if old.len() != new.len() {
        return None;
    }
    let starts = line_starts(old);
    let mut edits = Vec::new();
    let mut i = 0;
    while i < old.len() {
        if old[i] == new[i] {
            i += 1;
            continue;
        }
        let s = i;
        while i < old.len() && old[i] != new[i] {
            if old[i] == b'\n' || new[i] == b'\n' {
                return None;
            }
            i += 1;
        }
        let (a, b) = (point_at(&starts, s), point_at(&starts, i));
        edits.push(InputEdit {
            start_byte: s,
            old_end_byte: i,
            new_end_byte: i,
            start_position: a,
            old_end_position: b,
            new_end_position: b,
        });
    }
    Some(edits)
}

/// One edit replacing old bytes `o0..o1` with new bytes `n0..n1`, in old coordinates (the text
/// before `o0` is the same in both).
fn edit(os: &[usize], ns: &[usize], o0: usize, o1: usize, n0: usize, n1: usize) -> InputEdit {
    let start = point_at(os, o0);
    let (a, b) = (point_at(ns, n0), point_at(ns, n1));
    let new_end = if b.row == a.row {
        Point {
            row: start.row,
            column: start.column + (b.column - a.column),
        }
    } else {
        Point {
            row: start.row + (b.row - a.row),
            column: b.column,
        }
    };
    InputEdit {
        start_byte: o0,
        old_end_byte: o1,
        new_end_byte: o0 + (n1 - n0),
        start_position: start,
        old_end_position: point_at(os, o1),
        new_end_position: new_end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Languages, Parsers};

    fn same_as_fresh(old: &str, new: &str, edits: &[InputEdit]) {
        let mut p = Parsers::new(&Languages::default());
        let old_tree = p.parse("c", old.as_bytes()).unwrap();
        let inc = p.reparse("c", new.as_bytes(), &old_tree, edits).unwrap();
        let fresh = p.parse("c", new.as_bytes()).unwrap();
        assert_eq!(inc.root_node().to_sexp(), fresh.root_node().to_sexp());
        assert_eq!(
            (inc.root_node().end_byte(), inc.root_node().end_position()),
            (
                fresh.root_node().end_byte(),
                fresh.root_node().end_position()
            )
        );
    }

    #[test]
    fn a_new_file_from_its_hunks() {
        let old = "int a(void)\n{\n    return 1;\n}\n\nint b(void)\n{\n    return 2;\n}\n";
        let new = "int a(void)\n{\n    return f(1,\n             2);\n}\n\nint b(void)\n{\n    return 3;\n}\nint c;";
        let edits =
            line_edits(old.as_bytes(), new.as_bytes(), [(3, 1, 3, 2), (8, 2, 9, 3)]).unwrap();
        same_as_fresh(old, new, &edits);
        // Bytes outside the ranges differ: no edits.
        assert!(line_edits(old.as_bytes(), new.as_bytes(), [(3, 1, 3, 2)]).is_none());
        // An insertion (`-a,0`) and a deletion (`+b,0`).
        let new2 = "int z;\nint a(void)\n{\n    return 1;\n}\n\n";
        let edits = line_edits(
            old.as_bytes(),
            new2.as_bytes(),
            [(0, 0, 1, 1), (6, 4, 6, 0)],
        )
        .unwrap();
        same_as_fresh(old, new2, &edits);
    }

    proptest::proptest! {
        #[test]
        fn any_replaced_lines_reparse_as_from_scratch(
            old in proptest::collection::vec("[a-z(){};=,* ]{0,10}", 0..10),
            at in 0usize..10,
            removed in 0usize..4,
            added in proptest::collection::vec("[a-z(){};=,* ]{0,10}", 0..4),
        ) {
            let at = at.min(old.len());
            let removed = removed.min(old.len() - at);
            let mut new = old[..at].to_vec();
            new.extend(added.iter().cloned());
            new.extend(old[at + removed..].iter().cloned());
            let text = |l: &[String]| l.iter().map(|x| format!("{x}\n")).collect::<String>();
            let (o, n) = (text(&old), text(&new));
            // `@@` numbering: an empty side starts at the line before.
            let start = |count: usize| if count == 0 { at as u32 } else { at as u32 + 1 };
            let range = (start(removed), removed as u32, start(added.len()), added.len() as u32);
            let edits = line_edits(o.as_bytes(), n.as_bytes(), [range]).unwrap();
            same_where_it_parses(&o, &n, &edits);
        }
    }

    /// Tree-sitter promises the same tree from an incremental reparse only where the text
    /// parses: its error recovery may take another path from an old tree (found by the property
    /// below on garbage such as `a=b;(` lines). Where the fresh parse has errors, the reparse must
    /// have errors too, so that the file is reported as not parsing either way.
    fn same_where_it_parses(old: &str, new: &str, edits: &[InputEdit]) {
        let mut p = Parsers::new(&Languages::default());
        let fresh = p.parse("c", new.as_bytes()).unwrap();
        if fresh.root_node().has_error() {
            let old_tree = p.parse("c", old.as_bytes()).unwrap();
            let inc = p.reparse("c", new.as_bytes(), &old_tree, edits).unwrap();
            assert!(inc.root_node().has_error(), "{}", inc.root_node().to_sexp());
        } else {
            same_as_fresh(old, new, edits);
        }
    }

    #[test]
    fn blanked_bytes() {
        let old = "static int cf_check f(void)\n{\n    return g(x __attr(1,\n 2));\n}\n";
        let new = "static int          f(void)\n{\n    return g(x       (1,\n 2));\n}\n";
        let edits = byte_edits(old.as_bytes(), new.as_bytes()).unwrap();
        assert_eq!(edits.len(), 2);
        same_as_fresh(old, new, &edits);
        assert!(byte_edits(b"a\nb", b"a b").is_none());
        assert!(byte_edits(b"ab", b"a").is_none());
    }
}
