//! The JSON rendering: the [`Report`] as documented in `docs/report-format.md`.

use crate::Report;

/// Renders the report as pretty-printed JSON with a final newline.
pub fn render(report: &Report) -> String {
    let mut out = serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        // Serialising plain owned data cannot fail; keep the contract even so.
        format!("{{\"schema\":\"{}\",\"error\":\"{e}\"}}", crate::SCHEMA)
    });
    out.push('\n');
    out
}
