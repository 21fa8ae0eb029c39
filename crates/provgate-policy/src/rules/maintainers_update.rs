//! `maintainers-update`: files added, moved or deleted without a MAINTAINERS change.

use provgate_patch::FileStatus;

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::level::Level;

/// See [`DOC`].
pub struct MaintainersUpdate;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::MaintainersUpdate,
    summary: "Files are added, moved or deleted and the MAINTAINERS file is not updated.",
    what: "Reports a patch that does not touch the policy's MAINTAINERS file (`[zones] maintainers-file`) and, outside exempt zones, adds, copies or renames a file into a place no section covers (only a catch-all such as THE REST's `F: *` reaches it), or deletes or renames away a file that an `F:` line names by its path. Silent, and saying why in the check's notes, when there is no MAINTAINERS file to read.",
    why: "New files without an owner end up unmaintained; the question is cheap to ask at submission time.",
    policy: "checkpatch (Linux, QEMU): \"added, moved or deleted file(s), does MAINTAINERS need updating?\" (a warning), silenced when the patch touches MAINTAINERS.",
    failing: "qemu preset, with a MAINTAINERS file in which no section but THE REST covers hw/misc/:\n\nhw/misc: add the foo device\n---\n hw/misc/foo.c | 40 ++++++++++++++++++++++++++++++++++++++++\n 1 file changed, 40 insertions(+)\n create mode 100644 hw/misc/foo.c\n",
    passing: "qemu preset, the same MAINTAINERS file, to which the patch adds `F: hw/misc/foo.c`:\n\nhw/misc: add the foo device\n---\n MAINTAINERS   |  1 +\n hw/misc/foo.c | 40 ++++++++++++++++++++++++++++++++++++++++\n 2 files changed, 41 insertions(+)\n create mode 100644 hw/misc/foo.c\n",
    setup: super::ExampleSetup {
        files: &[(
            "MAINTAINERS",
            "Network devices\nM: Net Maintainer <net@example.org>\nF: hw/net/\n\nTHE REST\nM: Rest Maintainer <rest@example.org>\nF: *\nF: */\n",
        )],
        ..super::ExampleSetup::NONE
    },
    fix: "Add the new files to the right MAINTAINERS section, or drop the `F:` line of a deleted file.",
};

impl Rule for MaintainersUpdate {
    fn default_level(&self) -> Level {
        Level::Allow
    }
    fn applies(&self, policy: &crate::policy::Policy) -> bool {
        !policy.zones.maintainers_file.is_empty()
    }
    fn missing_premise(
        &self,
        policy: &crate::policy::Policy,
        zones: &crate::zones::Zones,
    ) -> Option<String> {
        (!zones.has_maintainers()).then(|| {
            format!(
                "no MAINTAINERS file was read (`{}` at the repository root), so no file can be said to lack one",
                policy.zones.maintainers_file
            )
        })
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
        let names_path = |path: &str| {
            cx.zones
                .classify(path)
                .sections
                .iter()
                .any(|s| s.names_path)
        };
        let moved: Vec<&str> = patch
            .files
            .iter()
            .zip(&cx.facts.files)
            .filter(|(c, f)| {
                let uncovered = || !f.zone.sections.iter().any(|s| s.covers);
                !f.zone.exempt
                    && match c.status {
                        FileStatus::Added | FileStatus::Copied => uncovered(),
                        FileStatus::Deleted => names_path(&f.path),
                        FileStatus::Renamed => {
                            uncovered() || c.old_path.as_deref().is_some_and(names_path)
                        }
                        _ => false,
                    }
            })
            .map(|(_, f)| f.path.as_str())
            .collect();
        let Some(first) = moved.first() else {
            return Vec::new();
        };
        vec![Finding::new(
            DOC.id,
            format!("added, moved or deleted file(s) ({}); does {file} need updating?", moved.join(", ")),
        )
        .at(first, None)
        .help(format!("add new files to the right section of {file}, and drop the F: lines of deleted ones"))]
    }
}
