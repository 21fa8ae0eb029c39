//! The bridge to the `provgate-maintainers` parser (get_maintainer.pl semantics).

use std::path::Path;

use provgate_maintainers::{Maintainers, MaintainersError, MatchKind};

use crate::error::{Loc, PolicyError, PolicyErrorKind};
use crate::zones::{SectionInfo, SectionMatch, SectionSource};

impl SectionSource for Maintainers {
    fn lookup(&self, path: &str) -> SectionMatch {
        let hit = Maintainers::lookup(self, path);
        SectionMatch {
            sections: hit
                .sections
                .iter()
                .zip(&hit.matches)
                .map(|(s, how)| SectionInfo {
                    name: s.name.clone(),
                    status: s.status.clone(),
                    maintainers: s.maintainers.clone(),
                    covers: how.kind != MatchKind::Keyword
                        && (how.rank >= 0 || !is_catch_all(&s.files)),
                    names_path: s.files.iter().any(|f| f == path),
                })
                .collect(),
            maintainers: hit.maintainers.iter().map(|m| m.to_string()).collect(),
            reviewers: hit.reviewers.iter().map(|r| r.to_string()).collect(),
        }
    }
}

/// Whether a section's `F:` patterns cover everything and nothing in particular (`THE REST`:
/// `F: *` and `F: */`).
fn is_catch_all(files: &[String]) -> bool {
    files.iter().all(|f| matches!(f.as_str(), "*" | "*/"))
}

/// Reads and strictly parses a MAINTAINERS file: a malformed line is an error at its line.
pub(crate) fn load(path: &Path) -> Result<Option<Box<dyn SectionSource>>, PolicyError> {
    match Maintainers::load(path) {
        Ok(m) => Ok(Some(Box::new(m))),
        Err(e) => Err(error(path, &e)),
    }
}

fn error(path: &Path, e: &MaintainersError) -> PolicyError {
    let mut loc = Loc::nowhere(&path.display().to_string());
    let hint = match e {
        MaintainersError::Io { .. } => {
            "check that the file is readable, or set zones.maintainers-file = \"\" to read none"
        }
        MaintainersError::Malformed { line, .. } => {
            loc.line = *line;
            loc.column = 1;
            "fix the line (get_maintainer.pl would ignore or misread it), or set zones.maintainers-file = \"\""
        }
    };
    let kind = match e {
        MaintainersError::Io { .. } => PolicyErrorKind::Io(e.to_string()),
        _ => PolicyErrorKind::BadValue(e.to_string()),
    };
    loc.error(kind, hint)
}
