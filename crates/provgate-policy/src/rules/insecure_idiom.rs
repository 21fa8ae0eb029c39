//! `insecure-idiom`: added C code uses an idiom that is a known source of memory bugs.

use super::{RuleDoc, RuleId};

/// See [`DOC`].
pub struct InsecureIdiom;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::InsecureIdiom,
    summary: "Added C code uses an unsafe idiom: a non-literal format string, `p = realloc(p, …)`, `sizeof` of a pointer as a `mem*` length, or an unchecked multiplied allocation size.",
    what: "In added C code, reports: (1) a call of the printf family (`printf`, `fprintf`, `sprintf`, `snprintf`, `syslog`, `printk`, `g_strdup_printf`, `error_report`, …) whose format argument is not a string literal (nor a macro defined as one) and which has no arguments after it, as GCC's `-Wformat-security` does; (2) `p = realloc(p, n)`, which loses the block when `realloc` fails; (3) `memset`/`memcpy`/`memmove`/`memcmp` whose length is `sizeof p` for a pointer `p` declared in the function; (4) a `malloc`, `realloc`, `alloca` or `g_malloc`-style size that multiplies a variable, in a function that checks no multiplication for overflow (`__builtin_mul_overflow`, `ckd_mul`, a comparison with `SIZE_MAX`).",
    why: "Each is a classic, easily missed source of memory-safety bugs (format-string attacks, leaks, short copies, integer overflows leading to heap overflows), and each is common in generated code.",
    policy: "QEMU May 2026 proposal thread: AI changes should be verified by deterministic tools. CERT C FIO30-C, WIN30-C/MEM04-C, ARR01-C, INT30-C/MEM07-C; CWE-134, CWE-401, CWE-467, CWE-190.",
    failing: "`printf(msg);` · `buf = realloc(buf, len);` · `memset(p, 0, sizeof(p));` for `char *p` · `malloc(n * sizeof(*items))`\n",
    passing: "`printf(\"%s\", msg);` · `tmp = realloc(buf, len);` · `memset(p, 0, sizeof(*p));` · `calloc(n, sizeof(*items))` or `g_new(Item, n)`\n",
    setup: super::ExampleSetup::NONE,
    fix: "Pass the string as an argument to a literal format; assign `realloc` to a temporary and check it; take `sizeof *p` or the real length; allocate with `calloc`, `reallocarray`, `g_new` or check the multiplication.",
};

code_rule!(InsecureIdiom);
