//! `maintainers-update`: files added, moved or deleted without a MAINTAINERS change.

use provgate_patch::FileStatus;

use super::{Finding, PatchContext, Rule, RuleDoc};
use crate::level::Level;

/// See [`DOC`].
pub struct MaintainersUpdate;

static DOC: RuleDoc = RuleDoc {
    name: "maintainers-update",
    summary: "Files are added, moved or deleted and the MAINTAINERS file is not updated.",
    what: "Reports a patch that adds, renames, copies or deletes a file outside exempt zones and does not touch the policy's MAINTAINERS file (`[zones] maintainers-file`). Silenced when the patch changes that file.",
    why: "New files without an owner end up unmaintained; the question is cheap to ask at submission time.",
    policy: "checkpatch (Linux, QEMU): \"added, moved or deleted file(s), does MAINTAINERS need updating?\" (a warning), silenced when the patch touches MAINTAINERS.",
    failing: "qemu preset: a patch adding hw/misc/foo.c and touching nothing else\n",
    passing: "qemu preset: the same patch also adding `F: hw/misc/foo.c` to MAINTAINERS\n",
    fix: "Add the new files to the right MAINTAINERS section (or confirm an existing pattern covers them).",
};

impl Rule for MaintainersUpdate {
    fn name(&self) -> &'static str {
        DOC.name
    }
    fn default_level(&self) -> Level {
        Level::Allow
    }
    fn applies(&self, policy: &crate::policy::Policy) -> bool {
        !policy.zones.maintainers_file.is_empty()
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        let file = &cx.policy.zones.maintainers_file;
        if file.is_empty() {
            return Vec::new();
        }
        let patch = cx.patch();
        if patch
            .files
            .iter()
            .any(|f| f.path() == file || f.old_path.as_deref() == Some(file.as_str()))
        {
            return Vec::new();
        }
        let moved: Vec<&str> = patch
            .files
            .iter()
            .zip(&cx.facts.files)
            .filter(|(c, f)| {
                !f.zone.exempt
                    && matches!(
                        c.status,
                        FileStatus::Added
                            | FileStatus::Deleted
                            | FileStatus::Renamed
                            | FileStatus::Copied
                    )
            })
            .map(|(_, f)| f.path.as_str())
            .collect();
        let Some(first) = moved.first() else {
            return Vec::new();
        };
        vec![Finding::new(
            DOC.name,
            format!("added, moved or deleted file(s) ({}); does {file} need updating?", moved.join(", ")),
        )
        .at(first, None)
        .help(format!("add the files to the right section of {file}, or confirm an existing pattern covers them"))]
    }
}
