//! `spdx-license`: a new file's licence outside the policy's list, or licence boilerplate.

use provgate_patch::FileStatus;

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::level::Level;

/// See [`DOC`].
pub struct SpdxLicense;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::SpdxLicense,
    summary: "A new file's SPDX licence is not accepted (or not preferred), or it carries licence boilerplate text.",
    what: "For added files (outside exempt zones) that the policy asks to carry a tag: every licence identifier in the `SPDX-License-Identifier:` expression (operators `AND`/`OR`/`WITH` and the exception after `WITH` aside) must be in `[files] licenses` when that list is not empty, else the finding is at the rule's level; an accepted licence not in `preferred-licenses` is a warning at most. Added lines with well-known licence boilerplate (\"This program is free software; you can redistribute it\", \"Permission is hereby granted, free of charge\", \"Licensed under the Apache License\") are reported too.",
    why: "A licence outside the project's list is a provenance problem; boilerplate text duplicates (and can contradict) the SPDX tag.",
    policy: "QEMU checkpatch (2025): `GPL-2.0-or-later` preferred; LGPL-2.x-or-later, GPL-2.0-only, BSD-2/3-Clause and MIT accepted with a warning; licence boilerplate text in new files rejected.",
    failing: "qemu preset:\n\n--- /dev/null\n+++ b/hw/misc/foo.c\n+/* SPDX-License-Identifier: Apache-2.0 */\n",
    passing: "qemu preset:\n\n--- /dev/null\n+++ b/hw/misc/foo.c\n+/* SPDX-License-Identifier: GPL-2.0-or-later */\n",
    setup: super::ExampleSetup::NONE,
    fix: "Use a licence from the policy's list (the preferred one when you can) and remove licence boilerplate; the SPDX tag replaces it.",
};

const BOILERPLATE: &[&str] = &[
    "This program is free software; you can redistribute it",
    "Permission is hereby granted, free of charge",
    "Licensed under the Apache License",
    "This library is free software; you can redistribute it",
];

/// The licence identifiers of an SPDX expression (exceptions after `WITH` left out).
pub(crate) fn license_ids(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut skip_next = false;
    for token in expr.split(|c: char| c.is_whitespace() || c == '(' || c == ')') {
        if token.is_empty() {
            continue;
        }
        if skip_next {
            skip_next = false;
            continue;
        }
        match token {
            "AND" | "OR" | "and" | "or" => {}
            "WITH" | "with" => skip_next = true,
            t => out.push(t.to_string()),
        }
    }
    out
}

/// The expression after the tag, without comment closers.
fn expression(line: &str) -> Option<&str> {
    let at = line.find("SPDX-License-Identifier:")?;
    let rest = &line[at + "SPDX-License-Identifier:".len()..];
    let rest = rest.split("*/").next().unwrap_or(rest);
    let rest = rest.split("-->").next().unwrap_or(rest);
    Some(rest.trim())
}

impl Rule for SpdxLicense {
    fn default_level(&self) -> Level {
        Level::Allow
    }
    fn applies(&self, policy: &crate::policy::Policy) -> bool {
        !policy.files.spdx_extensions.is_empty() || !policy.files.spdx_names.is_empty()
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        let files = &cx.policy.files;
        let mut out = Vec::new();
        for (change, facts) in cx.patch().files.iter().zip(&cx.facts.files) {
            if change.status != FileStatus::Added || change.binary || facts.zone.exempt {
                continue;
            }
            if !super::spdx_missing::wants_tag(cx, &facts.path) {
                continue;
            }
            for line in change.added_lines() {
                if let Some(b) = BOILERPLATE.iter().find(|b| line.text.contains(*b)) {
                    out.push(
                        Finding::new(DOC.id, format!("licence boilerplate in new file {}: \"{b}…\"", facts.path))
                            .at(&facts.path, Some(line.new_line))
                            .help("remove the boilerplate; the SPDX-License-Identifier tag states the licence"),
                    );
                }
                let Some(expr) = expression(line.text) else {
                    continue;
                };
                let ids = license_ids(expr);
                if ids.is_empty() {
                    out.push(
                        Finding::new(
                            DOC.id,
                            format!("empty SPDX-License-Identifier in {}", facts.path),
                        )
                        .at(&facts.path, Some(line.new_line))
                        .help("name the licence after the tag"),
                    );
                    continue;
                }
                let accepted =
                    |id: &String| files.licenses.iter().any(|l| l.eq_ignore_ascii_case(id));
                let preferred = |id: &String| {
                    files
                        .preferred_licenses
                        .iter()
                        .any(|l| l.eq_ignore_ascii_case(id))
                };
                let bad: Vec<&String> = ids
                    .iter()
                    .filter(|id| !files.licenses.is_empty() && !accepted(id))
                    .collect();
                if !bad.is_empty() {
                    out.push(
                        Finding::new(
                            DOC.id,
                            format!(
                                "{} is licensed under {expr}, which the policy does not accept",
                                facts.path
                            ),
                        )
                        .at(&facts.path, Some(line.new_line))
                        .help(format!("accepted licences: {}", files.licenses.join(", "))),
                    );
                } else if !files.preferred_licenses.is_empty() && !ids.iter().any(preferred) {
                    out.push(
                        Finding::new(
                            DOC.id,
                            format!("{} is licensed under {expr}; the project prefers {}", facts.path, files.preferred_licenses.join(" or ")),
                        )
                        .at(&facts.path, Some(line.new_line))
                        .at_most(Level::Warn)
                        .help("use the preferred licence unless there is a reason not to (e.g. code derived from a differently licensed source)"),
                    );
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions() {
        assert_eq!(
            expression("/* SPDX-License-Identifier: MIT */"),
            Some("MIT")
        );
        assert_eq!(
            license_ids("(GPL-2.0-only WITH Linux-syscall-note) OR MIT"),
            vec!["GPL-2.0-only", "MIT"]
        );
        assert_eq!(
            expression("# SPDX-License-Identifier: GPL-2.0-or-later"),
            Some("GPL-2.0-or-later")
        );
    }
}
