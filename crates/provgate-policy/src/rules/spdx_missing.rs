//! `spdx-missing`: a new source file without `SPDX-License-Identifier`.

use provgate_patch::FileStatus;

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::level::Level;

/// See [`DOC`].
pub struct SpdxMissing;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::SpdxMissing,
    summary: "A new source file has no `SPDX-License-Identifier` tag.",
    what: "For each added, non-binary file outside exempt zones whose extension is in `[files] spdx-extensions` or whose name is in `[files] spdx-names`, reports it when none of its added lines contains `SPDX-License-Identifier:`.",
    why: "An explicit licence on every new file is what makes provenance checkable later; AI-assisted files are no exception.",
    policy: "QEMU checkpatch (2025): new `.c .h .py .pl .sh .json .inc .rs` files and Makefiles must carry `SPDX-License-Identifier` (error); imported trees `linux-headers/` and `include/standard-headers/` are skipped.",
    failing: "qemu preset:\n\n--- /dev/null\n+++ b/hw/misc/foo.c\n+/* Foo device */\n+#include \"qemu/osdep.h\"\n",
    passing: "qemu preset; a new file with the tag, and one in linux-headers/, a tree imported from Linux:\n\n--- /dev/null\n+++ b/hw/misc/foo.c\n+/* SPDX-License-Identifier: GPL-2.0-or-later */\n+/* Foo device */\n--- /dev/null\n+++ b/linux-headers/foo.h\n+#define FOO 1\n",
    setup: super::ExampleSetup::NONE,
    fix: "Add `SPDX-License-Identifier: <licence>` in a comment on the file's first line (second for scripts with `#!`).",
};

/// Whether the policy asks `path` to carry a tag.
pub(crate) fn wants_tag(cx: &PatchContext<'_>, path: &str) -> bool {
    let files = &cx.policy.files;
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name.rfind('.').filter(|&d| d > 0).map(|d| &name[d + 1..]);
    ext.is_some_and(|e| {
        files
            .spdx_extensions
            .iter()
            .any(|x| x.eq_ignore_ascii_case(e))
    }) || files.spdx_names.iter().any(|n| n == name)
}

impl Rule for SpdxMissing {
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
        let mut out = Vec::new();
        for (change, facts) in cx.patch().files.iter().zip(&cx.facts.files) {
            if change.status != FileStatus::Added || change.binary || facts.zone.exempt {
                continue;
            }
            if !wants_tag(cx, &facts.path) {
                continue;
            }
            if change
                .added_lines()
                .any(|l| l.text.contains("SPDX-License-Identifier:"))
            {
                continue;
            }
            out.push(
                Finding::new(
                    DOC.id,
                    format!("new file {} has no SPDX-License-Identifier", facts.path),
                )
                .at(&facts.path, Some(1))
                .help(match cx.policy.files.preferred_licenses.first() {
                    Some(l) => {
                        format!("add `SPDX-License-Identifier: {l}` in a comment on the first line")
                    }
                    None => {
                        "add `SPDX-License-Identifier: <licence>` in a comment on the first line"
                            .to_string()
                    }
                }),
            );
        }
        out
    }
}
