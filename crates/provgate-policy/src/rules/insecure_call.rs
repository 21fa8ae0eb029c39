//! `insecure-call`: added code calls a function the policy lists as insecure.

use super::{RuleDoc, RuleId};

/// See [`DOC`].
pub struct InsecureCall;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::InsecureCall,
    summary: "Added code calls a function known to be unsafe (`gets`, `strcpy`, `sprintf`, Python `eval`, `pickle.loads`, `shell=True`).",
    what: "In added C code, reports each plain call of a function in `[code] insecure-calls` (default `gets`, `strcpy`, `strcat`, `sprintf`, `vsprintf`). In added Python code, reports calls of the names in `[code] python-insecure-calls` (default `eval`, `exec`, `pickle.loads`, `pickle.load`; a `module.function` entry matches `module.function(…)` and, after `from module import function`, `function(…)`), and any call passing `shell=True`. Method calls that only share the name (`model.eval()`) are not reported.",
    why: "These calls are the classic sources of buffer overflows, code injection and command injection; AI assistants reproduce them from old code they learnt from.",
    policy: "QEMU May 2026 proposal thread: AI changes should be verified by deterministic tools. CERT C (STR31-C, FIO30-C), CWE-120, CWE-78, CWE-95, CWE-502.",
    failing: "`strcpy(name, arg);` in added C code; `subprocess.run(cmd, shell=True)`; `data = pickle.loads(blob)`\n",
    passing: "`g_strlcpy(name, arg, sizeof(name));`; `subprocess.run([\"ls\", path])`; `model.eval()`\n",
    setup: super::ExampleSetup::NONE,
    fix: "Use a bounded or safe alternative (`snprintf`, `g_strlcpy`, `ast.literal_eval`, `json.loads`, an argument list without a shell), or, if the call is safe here, record an `[[exception]]` for the file with the reason.",
};

code_rule!(InsecureCall);
