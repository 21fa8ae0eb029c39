//! `preferred-api`: added code calls a function the project asks not to use.

use super::{Finding, PatchContext, Rule, RuleDoc, RuleId};
use crate::level::Level;
use crate::policy::Policy;

/// See [`DOC`].
pub struct PreferredApi;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::PreferredApi,
    summary: "Added code calls a function the project prefers to avoid (QEMU: `malloc` instead of `g_malloc`/`g_new`).",
    what: "For each `[[code.prefer]]` entry (`avoid`, `instead`), reports plain calls of `avoid` in added C code, with the project's alternative. Without entries the rule has nothing to check.",
    why: "Projects standardise on their own allocation and utility APIs (error handling, accounting, portability); generated code tends to use the C library's instead.",
    policy: "QEMU `docs/devel/style.rst` (low-level memory management): malloc/free/realloc/calloc/valloc/memalign/posix_memalign are not to be used; use the GLib routines g_malloc/g_malloc0/g_new/g_new0/g_realloc/g_free or qemu_memalign/qemu_blockalign/qemu_vfree.",
    failing: "qemu preset: `s = malloc(sizeof(*s));` in added code of hw/misc/foo.c\n",
    passing: "qemu preset: `s = g_new0(FooState, 1);`\n",
    setup: super::ExampleSetup::NONE,
    fix: "Call the project's preferred function named in the finding.",
};

impl Rule for PreferredApi {
    fn default_level(&self) -> Level {
        Level::Warn
    }
    fn applies(&self, policy: &Policy) -> bool {
        !policy.code.prefer.is_empty()
    }
    fn doc(&self) -> &'static RuleDoc {
        &DOC
    }
    fn is_code_rule(&self) -> bool {
        true
    }
    fn check(&self, cx: &PatchContext<'_>) -> Vec<Finding> {
        cx.code_findings(DOC.id)
    }
}
