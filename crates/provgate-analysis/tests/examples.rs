//! The code rules' documented examples (`provgate explain`, `docs/rules/`), run through the
//! analysis: each case puts one example's code into a file of a small repository built with git
//! and checks that the rule reports it (failing example) or not (passing example).
//!
//! An example shows code without its surroundings; a case gives them (the function around the
//! line, the declarations it needs, the repository's other files). `shows` is the part of the
//! example's text the case runs, and every backquoted fragment of an example is run by a case or
//! named in `PROSE` as a name the text mentions, so that an example cannot change without its
//! case.

mod support;

use provgate_policy::RuleId;
use support::{TestRepo, check, of, policy};

/// One example, run.
struct Case {
    rule: RuleId,
    /// Whether it is (part of) the failing example; else the passing one.
    failing: bool,
    /// The text of the example it runs.
    shows: &'static str,
    /// The preset the example names (else `default`).
    preset: &'static str,
    /// The repository before the patch.
    base: &'static [(&'static str, &'static str)],
    /// The file the patch changes, and its text after the patch.
    after: (&'static str, &'static str),
    /// What the finding must say, for a failing case.
    says: &'static str,
}

/// Backquoted fragments of the examples that are names the text mentions, not code to run.
const PROSE: &[&str] = &[
    "virtio_net_flush_txq",
    "virtio_net_flush_tx",
    "#define",
    "char *p",
];

const VIRTIO_NET: &str = "typedef struct VirtIONetQueue {\n    int n;\n    int (*flush)(struct VirtIONetQueue *q);\n} VirtIONetQueue;\n\nstatic int virtio_net_flush_tx(VirtIONetQueue *q)\n{\n    return q->n;\n}\n\nint virtio_net_tx_bh(VirtIONetQueue *q)\n{\n    int ret = 0;\n    return ret;\n}\n";

const C_FN: &str = "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\ntypedef struct Item {\n    int v;\n} Item;\n\nvoid f(char *name, const char *arg, const char *msg, char *buf, size_t len, size_t n, Item *items)\n{\n    char *p = buf;\n    void *tmp = NULL;\n}\n";

const PY: &str =
    "import pickle\nimport subprocess\n\n\ndef run(cmd, path, blob, model):\n    return None\n";

const FOO: &str = "typedef struct FooState {\n    int n;\n} FooState;\n\nvoid foo_init(void)\n{\n    FooState *s;\n}\n";

const PL011: &str = "pub fn read(ptr: *const u8, slice: &[u8], i: usize) -> u8 {\n    // SAFETY: callers pass a pointer to at least i + 1 bytes.\n    let w = unsafe { *ptr.add(i) };\n    w\n}\n";

const C_TEST: &str = "#include <glib.h>\n\nint main(int argc, char **argv)\n{\n    g_test_init(&argc, &argv, NULL);\n    return g_test_run();\n}\n";

const CASES: &[Case] = &[
    Case {
        rule: RuleId::UnknownSymbol,
        failing: true,
        shows: "ret = virtio_net_flush_txq(q);",
        preset: "default",
        base: &[("hw/net/virtio-net.c", VIRTIO_NET)],
        after: (
            "hw/net/virtio-net.c",
            "typedef struct VirtIONetQueue {\n    int n;\n    int (*flush)(struct VirtIONetQueue *q);\n} VirtIONetQueue;\n\nstatic int virtio_net_flush_tx(VirtIONetQueue *q)\n{\n    return q->n;\n}\n\nint virtio_net_tx_bh(VirtIONetQueue *q)\n{\n    int ret = 0;\n    ret = virtio_net_flush_txq(q);\n    return ret;\n}\n",
        ),
        says: "did you mean `virtio_net_flush_tx`",
    },
    Case {
        rule: RuleId::UnknownSymbol,
        failing: false,
        shows: "static int virtio_net_flush_txq(VirtIONetQueue *q)",
        preset: "default",
        base: &[("hw/net/virtio-net.c", VIRTIO_NET)],
        after: (
            "hw/net/virtio-net.c",
            "typedef struct VirtIONetQueue {\n    int n;\n    int (*flush)(struct VirtIONetQueue *q);\n} VirtIONetQueue;\n\nstatic int virtio_net_flush_tx(VirtIONetQueue *q)\n{\n    return q->n;\n}\n\nstatic int virtio_net_flush_txq(VirtIONetQueue *q)\n{\n    return q ? virtio_net_flush_tx(q) : 0;\n}\n\nint virtio_net_tx_bh(VirtIONetQueue *q)\n{\n    int ret = 0;\n    ret = virtio_net_flush_txq(q);\n    return ret;\n}\n",
        ),
        says: "",
    },
    Case {
        rule: RuleId::UnknownSymbol,
        failing: false,
        shows: "a call of a macro `#define`d in a header of the tree",
        preset: "default",
        base: &[
            (
                "include/net/queue.h",
                "#define QUEUE_RESET(q) ((q)->n = 0)\n",
            ),
            ("hw/net/virtio-net.c", VIRTIO_NET),
        ],
        after: (
            "hw/net/virtio-net.c",
            "typedef struct VirtIONetQueue {\n    int n;\n    int (*flush)(struct VirtIONetQueue *q);\n} VirtIONetQueue;\n\nstatic int virtio_net_flush_tx(VirtIONetQueue *q)\n{\n    return q->n;\n}\n\nint virtio_net_tx_bh(VirtIONetQueue *q)\n{\n    int ret = 0;\n    QUEUE_RESET(q);\n    return ret;\n}\n",
        ),
        says: "",
    },
    Case {
        rule: RuleId::UnknownSymbol,
        failing: false,
        shows: "q->flush(q)",
        preset: "default",
        base: &[("hw/net/virtio-net.c", VIRTIO_NET)],
        after: (
            "hw/net/virtio-net.c",
            "typedef struct VirtIONetQueue {\n    int n;\n    int (*flush)(struct VirtIONetQueue *q);\n} VirtIONetQueue;\n\nstatic int virtio_net_flush_tx(VirtIONetQueue *q)\n{\n    return q->n;\n}\n\nint virtio_net_tx_bh(VirtIONetQueue *q)\n{\n    int ret = 0;\n    ret = q->flush(q);\n    return ret;\n}\n",
        ),
        says: "",
    },
    Case {
        rule: RuleId::UnknownSymbol,
        failing: false,
        shows: "self.helper()",
        preset: "default",
        base: &[(
            "scripts/app.py",
            "class App:\n    def run(self):\n        return 0\n",
        )],
        after: (
            "scripts/app.py",
            "class App:\n    def run(self):\n        self.helper()\n        return 0\n",
        ),
        says: "",
    },
    Case {
        rule: RuleId::UnknownSymbol,
        failing: false,
        shows: "vec![]",
        preset: "default",
        base: &[("src/lib.rs", "pub fn f() -> usize {\n    0\n}\n")],
        after: (
            "src/lib.rs",
            "pub fn f() -> usize {\n    let v: Vec<u8> = vec![];\n    v.len()\n}\n",
        ),
        says: "",
    },
    Case {
        rule: RuleId::InsecureCall,
        failing: true,
        shows: "strcpy(name, arg);",
        preset: "default",
        base: &[("hw/misc/foo.c", C_FN)],
        after: (
            "hw/misc/foo.c",
            "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\ntypedef struct Item {\n    int v;\n} Item;\n\nvoid f(char *name, const char *arg, const char *msg, char *buf, size_t len, size_t n, Item *items)\n{\n    char *p = buf;\n    void *tmp = NULL;\n    strcpy(name, arg);\n}\n",
        ),
        says: "strcpy",
    },
    Case {
        rule: RuleId::InsecureCall,
        failing: true,
        shows: "subprocess.run(cmd, shell=True)",
        preset: "default",
        base: &[("scripts/tool.py", PY)],
        after: (
            "scripts/tool.py",
            "import pickle\nimport subprocess\n\n\ndef run(cmd, path, blob, model):\n    subprocess.run(cmd, shell=True)\n    return None\n",
        ),
        says: "shell=True",
    },
    Case {
        rule: RuleId::InsecureCall,
        failing: true,
        shows: "data = pickle.loads(blob)",
        preset: "default",
        base: &[("scripts/tool.py", PY)],
        after: (
            "scripts/tool.py",
            "import pickle\nimport subprocess\n\n\ndef run(cmd, path, blob, model):\n    data = pickle.loads(blob)\n    return data\n",
        ),
        says: "pickle.loads",
    },
    Case {
        rule: RuleId::InsecureCall,
        failing: false,
        shows: "g_strlcpy(name, arg, sizeof(name));",
        preset: "default",
        base: &[("hw/misc/foo.c", C_FN)],
        after: (
            "hw/misc/foo.c",
            "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\ntypedef struct Item {\n    int v;\n} Item;\n\nvoid f(char *name, const char *arg, const char *msg, char *buf, size_t len, size_t n, Item *items)\n{\n    char *p = buf;\n    void *tmp = NULL;\n    g_strlcpy(name, arg, sizeof(name));\n}\n",
        ),
        says: "",
    },
    Case {
        rule: RuleId::InsecureCall,
        failing: false,
        shows: "subprocess.run([\"ls\", path])",
        preset: "default",
        base: &[("scripts/tool.py", PY)],
        after: (
            "scripts/tool.py",
            "import pickle\nimport subprocess\n\n\ndef run(cmd, path, blob, model):\n    subprocess.run([\"ls\", path])\n    return None\n",
        ),
        says: "",
    },
    Case {
        rule: RuleId::InsecureCall,
        failing: false,
        shows: "model.eval()",
        preset: "default",
        base: &[("scripts/tool.py", PY)],
        after: (
            "scripts/tool.py",
            "import pickle\nimport subprocess\n\n\ndef run(cmd, path, blob, model):\n    model.eval()\n    return None\n",
        ),
        says: "",
    },
    Case {
        rule: RuleId::InsecureIdiom,
        failing: true,
        shows: "printf(msg);",
        preset: "default",
        base: &[("hw/misc/foo.c", C_FN)],
        after: (
            "hw/misc/foo.c",
            "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\ntypedef struct Item {\n    int v;\n} Item;\n\nvoid f(char *name, const char *arg, const char *msg, char *buf, size_t len, size_t n, Item *items)\n{\n    char *p = buf;\n    void *tmp = NULL;\n    printf(msg);\n}\n",
        ),
        says: "format",
    },
    Case {
        rule: RuleId::InsecureIdiom,
        failing: true,
        shows: "buf = realloc(buf, len);",
        preset: "default",
        base: &[("hw/misc/foo.c", C_FN)],
        after: (
            "hw/misc/foo.c",
            "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\ntypedef struct Item {\n    int v;\n} Item;\n\nvoid f(char *name, const char *arg, const char *msg, char *buf, size_t len, size_t n, Item *items)\n{\n    char *p = buf;\n    void *tmp = NULL;\n    buf = realloc(buf, len);\n}\n",
        ),
        says: "realloc",
    },
    Case {
        rule: RuleId::InsecureIdiom,
        failing: true,
        shows: "memset(p, 0, sizeof(p));",
        preset: "default",
        base: &[("hw/misc/foo.c", C_FN)],
        after: (
            "hw/misc/foo.c",
            "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\ntypedef struct Item {\n    int v;\n} Item;\n\nvoid f(char *name, const char *arg, const char *msg, char *buf, size_t len, size_t n, Item *items)\n{\n    char *p = buf;\n    void *tmp = NULL;\n    memset(p, 0, sizeof(p));\n}\n",
        ),
        says: "sizeof",
    },
    Case {
        rule: RuleId::InsecureIdiom,
        failing: true,
        shows: "malloc(n * sizeof(*items))",
        preset: "default",
        base: &[("hw/misc/foo.c", C_FN)],
        after: (
            "hw/misc/foo.c",
            "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\ntypedef struct Item {\n    int v;\n} Item;\n\nvoid f(char *name, const char *arg, const char *msg, char *buf, size_t len, size_t n, Item *items)\n{\n    char *p = buf;\n    void *tmp = NULL;\n    items = malloc(n * sizeof(*items));\n}\n",
        ),
        says: "malloc",
    },
    Case {
        rule: RuleId::InsecureIdiom,
        failing: false,
        shows: "printf(\"%s\", msg);",
        preset: "default",
        base: &[("hw/misc/foo.c", C_FN)],
        after: (
            "hw/misc/foo.c",
            "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\ntypedef struct Item {\n    int v;\n} Item;\n\nvoid f(char *name, const char *arg, const char *msg, char *buf, size_t len, size_t n, Item *items)\n{\n    char *p = buf;\n    void *tmp = NULL;\n    printf(\"%s\", msg);\n}\n",
        ),
        says: "",
    },
    Case {
        rule: RuleId::InsecureIdiom,
        failing: false,
        shows: "tmp = realloc(buf, len);",
        preset: "default",
        base: &[("hw/misc/foo.c", C_FN)],
        after: (
            "hw/misc/foo.c",
            "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\ntypedef struct Item {\n    int v;\n} Item;\n\nvoid f(char *name, const char *arg, const char *msg, char *buf, size_t len, size_t n, Item *items)\n{\n    char *p = buf;\n    void *tmp = NULL;\n    tmp = realloc(buf, len);\n}\n",
        ),
        says: "",
    },
    Case {
        rule: RuleId::InsecureIdiom,
        failing: false,
        shows: "memset(p, 0, sizeof(*p));",
        preset: "default",
        base: &[("hw/misc/foo.c", C_FN)],
        after: (
            "hw/misc/foo.c",
            "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\ntypedef struct Item {\n    int v;\n} Item;\n\nvoid f(char *name, const char *arg, const char *msg, char *buf, size_t len, size_t n, Item *items)\n{\n    char *p = buf;\n    void *tmp = NULL;\n    memset(p, 0, sizeof(*p));\n}\n",
        ),
        says: "",
    },
    Case {
        rule: RuleId::InsecureIdiom,
        failing: false,
        shows: "calloc(n, sizeof(*items))",
        preset: "default",
        base: &[("hw/misc/foo.c", C_FN)],
        after: (
            "hw/misc/foo.c",
            "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\ntypedef struct Item {\n    int v;\n} Item;\n\nvoid f(char *name, const char *arg, const char *msg, char *buf, size_t len, size_t n, Item *items)\n{\n    char *p = buf;\n    void *tmp = NULL;\n    items = calloc(n, sizeof(*items));\n}\n",
        ),
        says: "",
    },
    Case {
        rule: RuleId::InsecureIdiom,
        failing: false,
        shows: "g_new(Item, n)",
        preset: "default",
        base: &[("hw/misc/foo.c", C_FN)],
        after: (
            "hw/misc/foo.c",
            "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\ntypedef struct Item {\n    int v;\n} Item;\n\nvoid f(char *name, const char *arg, const char *msg, char *buf, size_t len, size_t n, Item *items)\n{\n    char *p = buf;\n    void *tmp = NULL;\n    items = g_new(Item, n);\n}\n",
        ),
        says: "",
    },
    Case {
        rule: RuleId::PreferredApi,
        failing: true,
        shows: "s = malloc(sizeof(*s));",
        preset: "qemu",
        base: &[("hw/misc/foo.c", FOO)],
        after: (
            "hw/misc/foo.c",
            "typedef struct FooState {\n    int n;\n} FooState;\n\nvoid foo_init(void)\n{\n    FooState *s;\n    s = malloc(sizeof(*s));\n}\n",
        ),
        says: "the project does not use `malloc()`",
    },
    Case {
        rule: RuleId::PreferredApi,
        failing: false,
        shows: "s = g_new0(FooState, 1);",
        preset: "qemu",
        base: &[("hw/misc/foo.c", FOO)],
        after: (
            "hw/misc/foo.c",
            "typedef struct FooState {\n    int n;\n} FooState;\n\nvoid foo_init(void)\n{\n    FooState *s;\n    s = g_new0(FooState, 1);\n}\n",
        ),
        says: "",
    },
    Case {
        rule: RuleId::NewUnsafe,
        failing: true,
        shows: "let v = unsafe { *ptr.add(i) };",
        preset: "default",
        base: &[("rust/hw/char/pl011/src/device.rs", PL011)],
        after: (
            "rust/hw/char/pl011/src/device.rs",
            "pub fn read(ptr: *const u8, slice: &[u8], i: usize) -> u8 {\n    // SAFETY: callers pass a pointer to at least i + 1 bytes.\n    let w = unsafe { *ptr.add(i) };\n    let v = unsafe { *ptr.add(i) };\n    w + v\n}\n",
        ),
        says: "unsafe",
    },
    Case {
        rule: RuleId::NewUnsafe,
        failing: false,
        shows: "let v = slice.get(i).copied();",
        preset: "default",
        base: &[("rust/hw/char/pl011/src/device.rs", PL011)],
        after: (
            "rust/hw/char/pl011/src/device.rs",
            "pub fn read(ptr: *const u8, slice: &[u8], i: usize) -> u8 {\n    // SAFETY: callers pass a pointer to at least i + 1 bytes.\n    let w = unsafe { *ptr.add(i) };\n    let v = slice.get(i).copied();\n    w + v.unwrap_or(0)\n}\n",
        ),
        says: "",
    },
    Case {
        rule: RuleId::NewUnsafe,
        failing: false,
        shows: "unsafe code that is only moved as context",
        preset: "default",
        base: &[("rust/hw/char/pl011/src/device.rs", PL011)],
        after: (
            "rust/hw/char/pl011/src/device.rs",
            "pub fn read(ptr: *const u8, slice: &[u8], i: usize) -> u8 {\n    // SAFETY: callers pass a pointer to at least i + 1 bytes.\n    let w = unsafe { *ptr.add(i) };\n    w.wrapping_add(slice.len() as u8)\n}\n",
        ),
        says: "",
    },
    Case {
        rule: RuleId::TestWithoutAssertion,
        failing: true,
        shows: "static void test_parse(void) { parse(\"x\"); }",
        preset: "default",
        base: &[("tests/unit/test-parse.c", C_TEST)],
        after: (
            "tests/unit/test-parse.c",
            "#include <glib.h>\n\nstatic void test_parse(void) { parse(\"x\"); }\n\nint main(int argc, char **argv)\n{\n    g_test_init(&argc, &argv, NULL);\n    g_test_add_func(\"/parse\", test_parse);\n    return g_test_run();\n}\n",
        ),
        says: "test_parse",
    },
    Case {
        rule: RuleId::TestWithoutAssertion,
        failing: true,
        shows: "g_test_add_func(\"/parse\", test_parse)",
        preset: "default",
        base: &[("tests/unit/test-parse.c", C_TEST)],
        after: (
            "tests/unit/test-parse.c",
            "#include <glib.h>\n\nstatic void test_parse(void) { parse(\"x\"); }\n\nint main(int argc, char **argv)\n{\n    g_test_init(&argc, &argv, NULL);\n    g_test_add_func(\"/parse\", test_parse);\n    return g_test_run();\n}\n",
        ),
        says: "test_parse",
    },
    Case {
        rule: RuleId::TestWithoutAssertion,
        failing: true,
        shows: "def test_parse(): parse(\"x\")",
        preset: "default",
        base: &[("tests/test_parse.py", "from parse import parse\n")],
        after: (
            "tests/test_parse.py",
            "from parse import parse\n\n\ndef test_parse(): parse(\"x\")\n",
        ),
        says: "test_parse",
    },
    Case {
        rule: RuleId::TestWithoutAssertion,
        failing: false,
        shows: "g_assert_cmpint(parse(\"x\"), ==, 0);",
        preset: "default",
        base: &[("tests/unit/test-parse.c", C_TEST)],
        after: (
            "tests/unit/test-parse.c",
            "#include <glib.h>\n\nstatic void test_parse(void)\n{\n    g_assert_cmpint(parse(\"x\"), ==, 0);\n}\n\nint main(int argc, char **argv)\n{\n    g_test_init(&argc, &argv, NULL);\n    g_test_add_func(\"/parse\", test_parse);\n    return g_test_run();\n}\n",
        ),
        says: "",
    },
    Case {
        rule: RuleId::TestWithoutAssertion,
        failing: false,
        shows: "assert parse(\"x\") == 0",
        preset: "default",
        base: &[("tests/test_parse.py", "from parse import parse\n")],
        after: (
            "tests/test_parse.py",
            "from parse import parse\n\n\ndef test_parse():\n    assert parse(\"x\") == 0\n",
        ),
        says: "",
    },
    Case {
        rule: RuleId::TestWithoutAssertion,
        failing: false,
        shows: "#[test] #[should_panic] fn rejects() { parse(\"\"); }",
        preset: "default",
        base: &[(
            "src/parse.rs",
            "pub fn parse(s: &str) -> u32 {\n    s.len() as u32\n}\n",
        )],
        after: (
            "src/parse.rs",
            "pub fn parse(s: &str) -> u32 {\n    s.len() as u32\n}\n\n#[cfg(test)]\nmod tests {\n    use super::parse;\n\n    #[test] #[should_panic] fn rejects() { parse(\"\"); }\n}\n",
        ),
        says: "",
    },
];

/// The code rules, whose examples this file runs (provgate-policy's `tests/examples.rs` runs the
/// others).
fn code_rules() -> impl Iterator<Item = RuleId> {
    RuleId::ALL
        .iter()
        .copied()
        .filter(|id| id.rule().is_code_rule())
}

/// The backquoted fragments of `text`.
fn fragments(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

fn example(case: &Case) -> &'static str {
    let doc = case.rule.rule().doc();
    if case.failing {
        doc.failing
    } else {
        doc.passing
    }
}

#[test]
fn every_code_rules_examples_fail_and_pass_as_documented() {
    let mut wrong = Vec::new();
    for case in CASES {
        let id = case.rule;
        let which = if case.failing { "failing" } else { "passing" };
        assert!(
            example(case).contains(case.shows),
            "{id}: the {which} example does not show {:?}",
            case.shows
        );
        let r = TestRepo::new();
        for (path, text) in case.base {
            r.write(path, text);
        }
        r.commit("base");
        r.write(case.after.0, case.after.1);
        let head = r.commit("the example");
        let found = of(&check(&r, &policy(case.preset, ""), &[&head]), id.as_str());
        if case.failing && !found.iter().any(|f| f.contains(case.says)) {
            wrong.push(format!(
                "{id}: the failing example {:?} is not reported as documented ({found:?})",
                case.shows
            ));
        }
        if !case.failing && !found.is_empty() {
            wrong.push(format!(
                "{id}: the passing example {:?} is reported: {found:?}",
                case.shows
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_fragment_of_a_code_example_is_run() {
    assert!(
        code_rules().next().is_some(),
        "the registry marks its code rules"
    );
    for id in code_rules() {
        let doc = id.rule().doc();
        for (failing, text) in [(true, doc.failing), (false, doc.passing)] {
            let shown: Vec<&str> = CASES
                .iter()
                .filter(|c| c.rule == id && c.failing == failing)
                .map(|c| c.shows)
                .collect();
            assert!(!shown.is_empty(), "{id}: an example without a case");
            for fragment in fragments(text) {
                assert!(
                    shown.iter().any(|s| s.contains(fragment)) || PROSE.contains(&fragment),
                    "{id}: `{fragment}` is run by no case"
                );
            }
        }
    }
}
