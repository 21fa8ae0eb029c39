//! The lines around a finding, taken from the patch itself, for renderings that show them.

use provgate_patch::{LineKind, Patch};

/// A few consecutive lines of a file's new side, or of a commit message, with one line marked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Snippet {
    /// The path, or `commit message`.
    pub origin: String,
    /// The number of the first line shown.
    pub first_line: u32,
    /// The lines shown, in order, without terminators.
    pub lines: Vec<String>,
    /// The number of the line the finding is about.
    pub target: u32,
}

impl Snippet {
    /// The new-side lines around `line` of `path` that the patch's hunks show (context and
    /// added lines), at most `radius` on each side.
    pub fn from_file_line(patch: &Patch, path: &str, line: u32, radius: u32) -> Option<Snippet> {
        let file = patch.files.iter().find(|f| f.path() == path)?;
        let hunk = file.hunks.iter().find(|h| {
            h.lines()
                .any(|l| l.kind != LineKind::Removed && l.new_line == line)
        })?;
        let shown: Vec<(u32, &str)> = hunk
            .lines()
            .filter(|l| l.kind != LineKind::Removed)
            .filter(|l| l.new_line + radius >= line && l.new_line <= line + radius)
            .map(|l| (l.new_line, l.text))
            .collect();
        Some(Snippet {
            origin: path.to_string(),
            first_line: shown.first()?.0,
            lines: shown.iter().map(|(_, t)| t.to_string()).collect(),
            target: line,
        })
    }

    /// The commit-message lines around `line` (1-based).
    pub fn from_message_line(message: &str, line: u32, radius: u32) -> Option<Snippet> {
        let all: Vec<&str> = message.lines().collect();
        if line == 0 || line as usize > all.len() {
            return None;
        }
        let first = line.saturating_sub(radius).max(1);
        let last = (line + radius).min(all.len() as u32);
        Some(Snippet {
            origin: "commit message".to_string(),
            first_line: first,
            lines: all[first as usize - 1..last as usize]
                .iter()
                .map(|l| l.to_string())
                .collect(),
            target: line,
        })
    }

    /// The lines joined with newlines.
    pub fn source(&self) -> String {
        self.lines.join("\n")
    }

    /// The byte range of the target line within [`Snippet::source`].
    pub fn target_span(&self) -> std::ops::Range<usize> {
        let index = (self.target - self.first_line) as usize;
        let start: usize = self.lines[..index.min(self.lines.len())]
            .iter()
            .map(|l| l.len() + 1)
            .sum();
        let len = self.lines.get(index).map_or(0, String::len);
        start..start + len
    }
}
