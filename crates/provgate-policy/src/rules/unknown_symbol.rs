//! `unknown-symbol`: added code calls a function or macro that is defined nowhere.

use super::{RuleDoc, RuleId};

/// See [`DOC`].
pub struct UnknownSymbol;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::UnknownSymbol,
    summary: "Added code calls a function or macro that exists nowhere: not in the repository, the patch, or the known libraries.",
    what: "Reads the added C, Rust and Python code with real parsers (whole files rebuilt from the patch's base, so local variables and parameters are in scope) and looks up every plain call `f(…)` and macro use `m!(…)`/`M(…)` in added lines. A name is known when it is bound in the enclosing scope or file (parameters, locals, imports), defined or declared anywhere in the repository's tree at the patch's base (functions, prototypes, `#define`s, types, enum constants, globals, Rust items and `use` names, Python defs, classes, module-level names and imports), defined by the patch itself or an earlier patch of its series, already called elsewhere in the tree (the project builds with it, so it is declared somewhere), in provgate's shipped name lists (C standard library and POSIX, GLib, Rust's std/core/alloc prelude and macros, Python builtins and standard-library modules), in `[code] known-symbols`, or, with `[code] system-headers = true`, declared in the machine's system headers. Method calls (`obj.f()`, `x->f()`, `s.f()`), path calls (`Type::f()`) and attribute calls are never reported. Code that does not parse, files with a wildcard import from outside the repository, and languages without a grammar are noted as not analysed instead. The finding names the nearest existing names (\"did you mean\").",
    why: "Calls to functions that do not exist (\"hallucinated\" APIs) are among the commonest defects of AI-generated code; in C a missing declaration may even compile with an implicit declaration on old compilers. Reviewers asked that AI changes be verified by deterministic tools.",
    policy: "QEMU May 2026 proposal thread: reviewers ask that AI changes be verified by deterministic checkers. Linux `coding-assistants.rst` names analysis tools in `Assisted-by`. Every policy that admits AI help leaves correctness with the human submitter.",
    failing: "A patch adding `ret = virtio_net_flush_txq(q);` to hw/net/virtio-net.c when no `virtio_net_flush_txq` exists anywhere (did you mean `virtio_net_flush_tx`?)\n",
    passing: "The same call when the patch also adds `static int virtio_net_flush_txq(VirtIONetQueue *q)`; a call of a macro `#define`d in a header of the tree; `q->flush(q)`; `self.helper()` in Python; `vec![]` in Rust\n",
    setup: super::ExampleSetup::NONE,
    fix: "Call a function that exists (see the suggestions), add the missing definition to the patch, or, for names from generated code or an SDK outside the tree, list them in `[code] known-symbols`.",
};

code_rule!(UnknownSymbol);
