//! `new-unsafe`: added Rust code introduces `unsafe`.

use super::{RuleDoc, RuleId};

/// See [`DOC`].
pub struct NewUnsafe;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::NewUnsafe,
    summary: "Added Rust code introduces an `unsafe` block, function, impl or trait.",
    what: "Reports each `unsafe` block, `unsafe fn`, `unsafe impl`, `unsafe trait` and `unsafe extern` block whose `unsafe` keyword is on an added line of a Rust file, saying whether a `// SAFETY:` comment precedes it.",
    why: "`unsafe` is where Rust's guarantees stop and a reviewer must prove them by hand; generated code adds it to silence the compiler.",
    policy: "QEMU May 2026 proposal thread: AI changes should be verified by deterministic tools; QEMU's Rust code asks for `// SAFETY:` comments on unsafe code, as the Linux kernel and the Rust standard library do.",
    failing: "`let v = unsafe { *ptr.add(i) };` added to rust/hw/char/pl011/src/device.rs\n",
    passing: "`let v = slice.get(i).copied();`, or unsafe code that is only moved as context\n",
    setup: super::ExampleSetup::NONE,
    fix: "Use a safe API; if `unsafe` is needed, keep the block minimal, document the invariants in a `// SAFETY:` comment and have a maintainer review it.",
};

code_rule!(NewUnsafe);
