//! The bridge to the `provgate-maintainers` parser (get_maintainer.pl semantics).

use std::path::Path;

use provgate_maintainers::{
    LookupOptions, Maintainers, MaintainersError, MatchKind, Parser, WarningAction,
};

use crate::error::{Loc, PolicyError, PolicyErrorKind};
use crate::zones::{KeywordText, SectionInfo, SectionMatch, SectionReason, SectionSource};

impl SectionSource for Maintainers {
    fn lookup(&self, path: &str) -> SectionMatch {
        self.lookup_with_keywords(path, KeywordText::None)
    }

    fn lookup_with_keywords(&self, path: &str, text: KeywordText<'_>) -> SectionMatch {
        let options = match text {
            KeywordText::None => LookupOptions::default(),
            KeywordText::File(content) => LookupOptions {
                content: Some(content),
                ..LookupOptions::default()
            },
            KeywordText::Diff(diff) => LookupOptions {
                diff: Some(diff),
                ..LookupOptions::default()
            },
        };
        let hit = self.lookup_with(path, &options);
        SectionMatch {
            sections: hit
                .sections
                .iter()
                .zip(&hit.matches)
                .map(|(s, m)| {
                    let by_keyword = m.kind == MatchKind::Keyword;
                    SectionInfo {
                        name: s.name.clone(),
                        status: s.status.clone(),
                        maintainers: s.maintainers.clone(),
                        matched_by: if by_keyword {
                            SectionReason::Keyword
                        } else {
                            SectionReason::Path
                        },
                        keyword: m.keyword.and_then(|k| s.keywords.get(k).cloned()),
                        covers: !by_keyword && (m.rank >= 0 || !is_catch_all(&s.files)),
                        names_path: s.files.iter().any(|f| f == path),
                    }
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

/// The MAINTAINERS source, if any, and what reading it left out.
type Loaded = (Option<Box<dyn SectionSource>>, Vec<String>);

/// Reads and strictly parses a MAINTAINERS file: a malformed line is an error at its line. A
/// `K:` regex that cannot be evaluated is left out with a note, since it only adds sections.
pub(crate) fn load(path: &Path) -> Result<Loaded, PolicyError> {
    match Maintainers::load_with(path, &Parser::new()) {
        Ok((m, warnings)) => Ok((
            Some(Box::new(m)),
            notes(&path.display().to_string(), &warnings),
        )),
        Err(e) => Err(error(path, &e)),
    }
}

/// Strictly parses MAINTAINERS text read from somewhere other than a file on disk (a commit's
/// tree); `origin` names it in notes and errors (`origin/main:MAINTAINERS`), `parser` carries
/// the tree's directories and `.mailmap`.
pub(crate) fn parse(origin: &str, text: &str, parser: &Parser) -> Result<Loaded, PolicyError> {
    match parser.parse(text) {
        Ok((m, warnings)) => Ok((Some(Box::new(m)), notes(origin, &warnings))),
        Err(e) => Err(error(Path::new(origin), &e)),
    }
}

fn notes(origin: &str, warnings: &[provgate_maintainers::MaintainersWarning]) -> Vec<String> {
    warnings
        .iter()
        .map(|w| {
            let action = match w.action {
                WarningAction::Skipped => "line left out",
                WarningAction::Kept => "kept as get_maintainer.pl reads it",
            };
            format!("{origin} line {}: {} ({action})", w.line, w.problem)
        })
        .collect()
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
