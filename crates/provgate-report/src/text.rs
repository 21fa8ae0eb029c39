//! The human rendering: what was read, series by series, then the errors and a summary line.

use std::fmt::Write;

use crate::{PatchReport, Report};

/// Renders the report for a terminal or a log.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let mut shown = vec![false; report.patches.len()];
    let position = |id: &str| report.patches.iter().position(|p| p.id == id);

    for series in &report.series {
        let total = series.total.map_or(String::new(), |t| format!(", {t} announced"));
        let _ = writeln!(
            out,
            "series {} v{} ({} patch{}{total})",
            series.id,
            series.version,
            series.patches.len(),
            if series.patches.len() == 1 { "" } else { "es" }
        );
        if !series.missing.is_empty() {
            let missing: Vec<String> = series.missing.iter().map(u32::to_string).collect();
            let _ = writeln!(out, "  missing: {}", missing.join(", "));
        }
        for id in series.cover.iter().chain(&series.patches) {
            if let Some(i) = position(id) {
                shown[i] = true;
                patch_block(&mut out, &report.patches[i]);
            }
        }
    }
    for (i, patch) in report.patches.iter().enumerate() {
        if !shown[i] {
            patch_block(&mut out, patch);
        }
    }
    for error in &report.errors {
        let line = error.line.map_or(String::new(), |l| format!(":{l}"));
        let _ = writeln!(out, "error: {}{line}: {}", error.input, error.message);
        if let Some(hint) = &error.hint {
            let _ = writeln!(out, "  hint: {hint}");
        }
    }
    let s = &report.summary;
    let _ = writeln!(
        out,
        "{} patch{}, {} cover letter{}, {} series, {} file{} (+{} -{}), {} merge{} skipped, {} other message{}, {} error{}",
        s.patches,
        plural_es(s.patches),
        s.cover_letters,
        plural(s.cover_letters),
        s.series,
        s.files,
        plural(s.files),
        s.added,
        s.removed,
        s.merges_skipped,
        plural(s.merges_skipped),
        s.not_patches,
        plural(s.not_patches),
        s.errors,
        plural(s.errors)
    );
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn plural_es(n: usize) -> &'static str {
    if n == 1 { "" } else { "es" }
}

fn patch_block(out: &mut String, patch: &PatchReport) {
    let position = patch
        .series
        .as_ref()
        .and_then(|s| Some(format!("[{}/{}] ", s.index?, s.total?)))
        .unwrap_or_default();
    let _ = writeln!(out, "  {position}{}  {}", short_id(&patch.id), patch.subject);
    let author = patch
        .author
        .as_ref()
        .map_or("unknown author".to_string(), |a| format!("{} <{}>", a.name, a.email));
    let date = patch.date.as_deref().unwrap_or("no date");
    let _ = writeln!(out, "      author: {author}, {date}");
    for trailer in &patch.trailers {
        let _ = writeln!(out, "      {}: {}", trailer.key, trailer.value);
    }
    for file in &patch.files {
        let counts = match (file.added, file.removed) {
            (Some(a), Some(r)) => format!("+{a} -{r}"),
            _ => "binary".to_string(),
        };
        let from = file
            .old_path
            .as_ref()
            .map_or(String::new(), |old| format!(" (from {old})"));
        let _ = writeln!(out, "      {:<12} {}{from}  {counts}", file.status, file.path);
    }
    for note in &patch.notes {
        let _ = writeln!(out, "      note: {}", note.message);
    }
}

/// Commit ids are shortened as git does; Message-IDs are kept whole.
fn short_id(id: &str) -> &str {
    if id.len() >= 40 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        &id[..12]
    } else {
        id
    }
}
