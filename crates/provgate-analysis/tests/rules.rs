//! Fixture tests for each code rule: code written to trigger it, and the near misses it must not
//! flag, checked through the policy engine against repositories built with git.

mod support;

use support::{TestRepo, check, of, policy};

fn c_repo() -> TestRepo {
    let r = TestRepo::new();
    r.write(
        "include/lib.h",
        "#ifndef LIB_H\n#define LIB_H\n#define LIB_MAX(a, b) ((a) > (b) ? (a) : (b))\n#define LIB_GREETING \"hello %s\\n\"\nint lib_init(void);\ntypedef struct lib_ctx { int n; } lib_ctx;\nenum lib_mode { LIB_FAST, LIB_SLOW };\n#endif\n",
    );
    r.write(
        "src/util.c",
        "#include \"lib.h\"\n\nint util_sum(int a, int b)\n{\n    return a + b;\n}\n",
    );
    r.write(
        "src/main.c",
        "#include \"lib.h\"\n\nint main(void)\n{\n    return 0;\n}\n",
    );
    r.commit("base");
    r
}

#[test]
fn unknown_symbol_in_c_with_near_misses() {
    let r = c_repo();
    r.write(
        "src/main.c",
        "#include <stdio.h>\n#include \"lib.h\"\n\nstatic int helper_new(int x)\n{\n    return x * 2;\n}\n\nstatic int apply(int (*cb)(int), struct lib_ctx *obj)\n{\n    int v = cb(1);\n    obj->n = helper_new(v);\n    return LIB_MAX(v, lib_init());\n}\n\nint main(void)\n{\n    printf(\"%d\\n\", util_summ(1, 2));\n    return apply(0, 0) + util_sum(1, 2) + undefined_thing();\n}\n",
    );
    let head = r.commit("use things");
    let result = check(&r, &policy("default", ""), &[&head]);
    let found = of(&result, "unknown-symbol");
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].starts_with("src/main.c:18 `util_summ`"),
        "{found:#?}"
    );
    assert!(found[0].contains("did you mean `util_sum`"), "{found:#?}");
    assert!(
        found[1].starts_with("src/main.c:19 `undefined_thing`"),
        "{found:#?}"
    );
    // Nothing else: no finding on the parameter `cb`, the header macro, the prototype, the
    // function the patch defines, printf.
    assert!(
        result.series[0].patches[0].code_notes.is_empty(),
        "{:?}",
        result.series[0].patches[0].code_notes
    );
}

#[test]
fn unknown_symbol_knows_policy_names_and_calls_elsewhere_in_the_tree() {
    let r = c_repo();
    r.write("src/gen.c", "void f(void)\n{\n    generated_hook();\n}\n");
    r.commit("a call of a generated function");
    r.write(
        "src/main.c",
        "int main(void)\n{\n    generated_hook();\n    vendor_sdk_call();\n    return 0;\n}\n",
    );
    let head = r.commit("more");
    assert_eq!(
        of(
            &check(&r, &policy("default", ""), &[&head]),
            "unknown-symbol"
        )
        .len(),
        1
    );
    let known = policy("default", "[code]\nknown-symbols = [\"vendor_sdk_call\"]\n");
    assert!(of(&check(&r, &known, &[&head]), "unknown-symbol").is_empty());
}

#[test]
fn unknown_symbol_in_python_with_near_misses() {
    let r = TestRepo::new();
    r.write(
        "pkg/util.py",
        "def shared_helper(x):\n    return x\n\nclass Thing:\n    pass\n",
    );
    r.write("pkg/app.py", "import os\n");
    r.commit("base");
    r.write(
        "pkg/app.py",
        "import os\nfrom pkg.util import shared_helper as sh\n\n\ndef local_fn(v):\n    return v\n\n\nclass App:\n    def run(self, cb):\n        self.helper()\n        os.path.join('a', 'b')\n        cb(1)\n        sh(2)\n        Thing()\n        shared_helper(3)\n        local_fn(len([1]))\n        return undefined_fn(4)\n",
    );
    let head = r.commit("app");
    let found = of(
        &check(&r, &policy("default", ""), &[&head]),
        "unknown-symbol",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("pkg/app.py:18 `undefined_fn`"),
        "{found:#?}"
    );
}

#[test]
fn python_wildcard_import_is_not_analysed() {
    let r = TestRepo::new();
    r.write("a.py", "x = 1\n");
    r.commit("base");
    r.write("a.py", "from somewhere import *\n\nx = mystery()\n");
    let head = r.commit("star");
    let result = check(&r, &policy("default", ""), &[&head]);
    assert!(of(&result, "unknown-symbol").is_empty());
    let notes = &result.series[0].patches[0].code_notes;
    assert!(
        notes
            .iter()
            .any(|n| n.message.contains("imports every name")),
        "{notes:?}"
    );
}

#[test]
fn unknown_symbol_in_rust_with_near_misses() {
    let r = TestRepo::new();
    r.write(
        "src/lib.rs",
        "macro_rules! my_macro {\n    () => {};\n}\n\npub fn existing() -> u32 {\n    1\n}\n",
    );
    r.commit("base");
    r.write(
        "src/lib.rs",
        "use std::collections::HashMap;\n\nmacro_rules! my_macro {\n    () => {};\n}\n\npub fn existing() -> u32 {\n    1\n}\n\nfn helper(f: impl Fn() -> u32) -> u32 {\n    let g = |x: u32| x + 1;\n    my_macro!();\n    let v = vec![Some(existing())];\n    println!(\"{:?}\", v);\n    let _m: HashMap<u32, u32> = HashMap::new();\n    g(f()) + missing_fn() + existng()\n}\n\nfn other() {\n    nope!();\n}\n",
    );
    let head = r.commit("rust");
    let found = of(
        &check(&r, &policy("default", ""), &[&head]),
        "unknown-symbol",
    );
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found[0].starts_with("src/lib.rs:17 `missing_fn`"),
        "{found:#?}"
    );
    assert!(
        found[1].starts_with("src/lib.rs:17 `existng`") && found[1].contains("`existing`"),
        "{found:#?}"
    );
    assert!(
        found[2].starts_with("src/lib.rs:21 `nope`") && found[2].contains("macro"),
        "{found:#?}"
    );
}

#[test]
fn insecure_calls_in_c_and_python() {
    let r = c_repo();
    r.write("tool.py", "import subprocess\n");
    r.commit("py");
    r.write(
        "src/main.c",
        "#include <string.h>\n\nint main(int argc, char **argv)\n{\n    char buf[16];\n    strcpy(buf, argv[0]);\n    g_strlcpy(buf, argv[0], sizeof(buf));\n    return 0;\n}\n",
    );
    r.write(
        "tool.py",
        "import subprocess\nimport pickle\nfrom pickle import loads as unpickle\n\n\ndef run(cmd, blob, model, text):\n    subprocess.run(cmd, shell=True)\n    subprocess.run([cmd, 'x'])\n    model.eval()\n    pickle.loads(blob)\n    unpickle(blob)\n    return eval(text)\n",
    );
    let head = r.commit("unsafe things");
    let found = of(
        &check(&r, &policy("default", ""), &[&head]),
        "insecure-call",
    );
    let at: Vec<&str> = found.iter().map(|f| f.split(' ').next().unwrap()).collect();
    assert_eq!(
        at,
        [
            "src/main.c:6",
            "tool.py:7",
            "tool.py:10",
            "tool.py:11",
            "tool.py:12"
        ],
        "{found:#?}"
    );
}

#[test]
fn insecure_idioms_in_c() {
    let r = c_repo();
    r.write(
        "src/main.c",
        "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include \"lib.h\"\n\nvoid f(const char *msg, size_t n, int *items)\n{\n    char *p = malloc(16);\n    char buf[10];\n    char *q;\n    printf(msg);\n    printf(\"%s\", msg);\n    printf(LIB_GREETING, msg);\n    printf(LIB_GREETING);\n    p = realloc(p, n);\n    q = realloc(p, n);\n    memset(p, 0, sizeof(p));\n    memset(p, 0, sizeof(*p));\n    memset(buf, 0, sizeof(buf));\n    items = malloc(n * sizeof(*items));\n    items = malloc(4 * sizeof(int));\n    free(q);\n}\n\nvoid g(size_t n)\n{\n    size_t bytes;\n    if (__builtin_mul_overflow(n, sizeof(int), &bytes))\n        return;\n    free(malloc(n * sizeof(int)));\n}\n",
    );
    let head = r.commit("idioms");
    let found = of(
        &check(&r, &policy("default", ""), &[&head]),
        "insecure-idiom",
    );
    let at: Vec<&str> = found.iter().map(|f| f.split(' ').next().unwrap()).collect();
    assert_eq!(
        at,
        [
            "src/main.c:11",
            "src/main.c:15",
            "src/main.c:17",
            "src/main.c:20"
        ],
        "{found:#?}"
    );
    assert!(found[1].contains("`p = realloc(p, …)`"), "{found:#?}");
}

#[test]
fn preferred_api_under_qemu_only() {
    let r = c_repo();
    r.write(
        "src/main.c",
        "#include <stdlib.h>\n\nint main(void)\n{\n    void *a = malloc(4);\n    void *b = g_malloc(4);\n    g_free(b);\n    free(a);\n    return 0;\n}\n",
    );
    let head = r.commit("alloc");
    let found = of(&check(&r, &policy("qemu", ""), &[&head]), "preferred-api");
    let at: Vec<&str> = found.iter().map(|f| f.split(' ').next().unwrap()).collect();
    assert_eq!(at, ["src/main.c:5", "src/main.c:8"], "{found:#?}");
    assert!(
        of(
            &check(&r, &policy("default", ""), &[&head]),
            "preferred-api"
        )
        .is_empty()
    );
}

#[test]
fn new_unsafe_in_rust() {
    let r = TestRepo::new();
    r.write("src/lib.rs", "pub fn old(p: *const u8) -> u8 {\n    // SAFETY: callers pass a valid pointer.\n    unsafe { *p }\n}\n");
    r.commit("base");
    r.write(
        "src/lib.rs",
        "pub fn old(p: *const u8) -> u8 {\n    // SAFETY: callers pass a valid pointer.\n    unsafe { *p }\n}\n\npub fn new(p: *const u8) -> u8 {\n    unsafe { *p.add(1) }\n}\n\npub unsafe fn raw() {}\n\nstruct S;\nunsafe impl Send for S {}\n",
    );
    let head = r.commit("unsafe");
    let found = of(&check(&r, &policy("default", ""), &[&head]), "new-unsafe");
    let at: Vec<&str> = found.iter().map(|f| f.split(' ').next().unwrap()).collect();
    assert_eq!(
        at,
        ["src/lib.rs:7", "src/lib.rs:10", "src/lib.rs:13"],
        "{found:#?}"
    );
}

#[test]
fn tests_without_assertion_in_c_python_and_rust() {
    let r = TestRepo::new();
    r.write(
        "tests/helpers.c",
        "void check_state(int x)\n{\n    g_assert_cmpint(x, ==, 1);\n}\n",
    );
    r.write("tests/test-dev.c", "#include <glib.h>\n");
    r.write("tests/test_mod.py", "import unittest\n");
    r.write("src/lib.rs", "pub fn f() -> u32 {\n    1\n}\n");
    r.commit("base");
    r.write(
        "tests/test-dev.c",
        "#include <glib.h>\n\nstatic void verify(int v)\n{\n    g_assert_true(v);\n}\n\nstatic void test_hollow(void)\n{\n    dev_reset();\n}\n\nstatic void test_direct(void)\n{\n    g_assert_cmpint(dev_reset(), ==, 0);\n}\n\nstatic void test_helper(void)\n{\n    verify(dev_reset());\n}\n\nstatic void test_tree_helper(void)\n{\n    check_state(dev_reset());\n}\n\nstatic void registered(void)\n{\n    dev_reset();\n}\n\nstatic bool test_value(int v)\n{\n    return v == 1;\n}\n\nint main(int argc, char **argv)\n{\n    g_test_init(&argc, &argv, NULL);\n    g_test_add_func(\"/dev/hollow\", test_hollow);\n    g_test_add_func(\"/dev/registered\", registered);\n    return g_test_run();\n}\n",
    );
    r.write(
        "tests/test_mod.py",
        "import unittest\n\nimport pytest\n\n\ndef test_hollow():\n    run()\n\n\ndef test_assert():\n    assert run() == 1\n\n\ndef test_raises():\n    with pytest.raises(ValueError):\n        run()\n\n\nclass T(unittest.TestCase):\n    def test_method(self):\n        self.assertEqual(run(), 1)\n\n    def test_nothing(self):\n        self.run_it()\n",
    );
    r.write(
        "src/lib.rs",
        "pub fn f() -> u32 {\n    1\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn hollow() {\n        super::f();\n    }\n\n    #[test]\n    fn checks() {\n        assert_eq!(super::f(), 1);\n    }\n\n    #[test]\n    #[should_panic]\n    fn panics() {\n        super::f();\n    }\n\n    #[test]\n    fn result() -> Result<(), String> {\n        super::f();\n        Ok(())\n    }\n}\n",
    );
    let head = r.commit("tests");
    let found = of(
        &check(&r, &policy("default", ""), &[&head]),
        "test-without-assertion",
    );
    let at: Vec<&str> = found.iter().map(|f| f.split(' ').next().unwrap()).collect();
    assert_eq!(
        at,
        [
            "src/lib.rs:8",
            "tests/test-dev.c:8",
            "tests/test-dev.c:28",
            "tests/test_mod.py:6",
            "tests/test_mod.py:23"
        ],
        "{found:#?}"
    );
}

#[test]
fn code_that_does_not_parse_is_noted_not_flagged() {
    let r = c_repo();
    r.write(
        "src/main.c",
        "int main(void)\n{\n    int x = ((;\n    bogus_call(x;\n    return 0;\n}\n",
    );
    r.write(
        "tool.go",
        "package main\n\nfunc main() { undefinedThing() }\n",
    );
    let head = r.commit("broken");
    let result = check(&r, &policy("default", ""), &[&head]);
    assert!(
        of(&result, "unknown-symbol").is_empty(),
        "{:?}",
        of(&result, "unknown-symbol")
    );
    let notes = &result.series[0].patches[0].code_notes;
    assert!(
        notes.iter().any(|n| n.path == "src/main.c"
            && n.message == "does not parse as C; calls there were not analysed"
            && n.line.is_some_and(|l| n.end_line.is_some_and(|e| e > l))),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.path == "tool.go" && n.message.contains("no grammar") && n.line.is_none()),
        "{notes:?}"
    );
}

#[test]
fn comment_only_hunks_are_docs_and_renames_are_mechanical() {
    let r = c_repo();
    r.write(
        "src/util.c",
        "#include \"lib.h\"\n\n/* Adds two numbers. */\nint util_sum(int a, int b)\n{\n        return a + b;\n}\n",
    );
    let docs = r.commit("comment and reindent");
    let result = check(&r, &policy("default", ""), &[&docs]);
    let file = &result.series[0].patches[0].files[0];
    assert!(
        file.hunk_kinds
            .iter()
            .all(|k| *k == provgate_policy::Kind::Docs),
        "{file:?}"
    );
    assert_eq!(file.code_lines, 0);
    assert!(result.series[0].patches[0].mechanical.is_none());

    r.write(
        "src/util.c",
        "#include \"lib.h\"\n\n/* Adds two numbers. */\nint util_add(int a, int b)\n{\n        return a + b;\n}\n",
    );
    r.write(
        "src/main.c",
        "#include \"lib.h\"\n\nint main(void)\n{\n    return util_add(0, 0);\n}\n",
    );
    let rename = r.commit("rename util_sum");
    // util_sum was not called before; make the rename touch two pairs.
    let result = check(&r, &policy("default", ""), &[&rename]);
    let p = &result.series[0].patches[0];
    assert!(
        p.mechanical.is_none(),
        "a new call is not a substitution: {:?}",
        p.mechanical
    );

    r.write("src/util.c", "#include \"lib.h\"\n\n/* Adds two numbers. */\nint util_plus(int a, int b)\n{\n        return a + b;\n}\n");
    r.write(
        "src/main.c",
        "#include \"lib.h\"\n\nint main(void)\n{\n    return util_plus(0, 0);\n}\n",
    );
    let mech = r.commit("rename util_add to util_plus");
    let result = check(&r, &policy("default", ""), &[&mech]);
    let m = result.series[0].patches[0]
        .mechanical
        .clone()
        .expect("mechanical");
    assert_eq!(
        (m.from.as_str(), m.to.as_str(), m.pairs),
        ("util_add", "util_plus", 2)
    );
}

#[test]
fn a_series_sees_what_earlier_patches_defined() {
    let r = c_repo();
    r.write("src/new.c", "int brand_new(void)\n{\n    return 1;\n}\n");
    let first = r.commit("add brand_new");
    r.write(
        "src/main.c",
        "#include \"lib.h\"\n\nint main(void)\n{\n    return brand_new();\n}\n",
    );
    let second = r.commit("use it");
    let result = check(&r, &policy("default", ""), &[&first, &second]);
    assert!(
        of(&result, "unknown-symbol").is_empty(),
        "{:?}",
        of(&result, "unknown-symbol")
    );
    // And a removed function is unknown to the patch after its removal.
    r.remove("src/new.c");
    let third = r.commit("remove brand_new");
    r.write(
        "src/main.c",
        "#include \"lib.h\"\n\nint main(void)\n{\n    return brand_new() + 1;\n}\n",
    );
    let fourth = r.commit("use it again");
    let result = check(
        &r,
        &policy("default", ""),
        &[&first, &second, &third, &fourth],
    );
    // brand_new is still called in the tree by patch 2's main.c, so it counts as existing.
    assert!(of(&result, "unknown-symbol").is_empty());
}

#[test]
fn attribute_macros_are_read_through_and_near_misses_kept() {
    let r = TestRepo::new();
    r.write(
        "include/attrs.h",
        "#ifndef ATTRS_H\n#define ATTRS_H\n#define put_in(s) __attribute__((section(s)))\n#define boot_only put_in(\".boot\")\n#define hot_path boot_only inline\n#define no_cfi\n#define SCALE (4 * 2)\n#endif\n",
    );
    r.write(
        "src/hooks.c",
        "int noinline(int x)\n{\n    return x;\n}\n\nint (* boot_only late_hook)(int v);\n",
    );
    r.write("src/main.c", "int main(void)\n{\n    return 0;\n}\n");
    r.commit("base");
    r.write(
        "src/main.c",
        "#include \"attrs.h\"\n\nstatic int no_cfi twice(int x)\n{\n    return missing_helper(x) * SCALE;\n}\n\nstatic unsigned int limit boot_only = 3;\n\nint hot_path main(void)\n{\n    asm_inline volatile (\"nop\");\n    return twice(noinline(1)) + late_hook(2) + other_missing();\n}\n",
    );
    let head = r.commit("attributes");
    let result = check(&r, &policy("default", ""), &[&head]);
    let notes = &result.series[0].patches[0].code_notes;
    assert!(notes.is_empty(), "{notes:?}");
    let found = of(&result, "unknown-symbol");
    // The calls inside functions whose heads hold attribute macros are read (and the function
    // named like a shipped attribute macro, defined by the tree, is known).
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].starts_with("src/main.c:5 `missing_helper`"),
        "{found:#?}"
    );
    assert!(
        found[1].starts_with("src/main.c:13 `other_missing`"),
        "{found:#?}"
    );
}

#[test]
fn a_file_changed_by_consecutive_patches_of_a_series_is_read_from_the_last_one() {
    let r = c_repo();
    r.write(
        "src/util.c",
        "#include \"lib.h\"\n\nint util_sum(int a, int b)\n{\n    return a + b;\n}\n\nint util_twice(int a)\n{\n    return util_sum(a, a);\n}\n",
    );
    let first = r.commit("add util_twice");
    r.write(
        "src/util.c",
        "#include \"lib.h\"\n\n/* Sums. */\nint util_sum(int a, int b)\n{\n    return a + b;\n}\n\nint util_twice(int a)\n{\n    return util_sum(a, a);\n}\n",
    );
    let second = r.commit("comment");
    r.write(
        "src/util.c",
        "#include \"lib.h\"\n\n/* Sums. */\nint util_sum(int a, int b)\n{\n    return a + b;\n}\n\nint util_twice(int a)\n{\n    return util_sum(a, a) + util_thrice(a);\n}\n",
    );
    let third = r.commit("call a missing function");
    let result = check(&r, &policy("default", ""), &[&first, &second, &third]);
    let patches = &result.series[0].patches;
    assert_eq!(patches.len(), 3);
    // The second patch only adds a comment.
    assert!(
        patches[1].files[0]
            .hunk_kinds
            .iter()
            .all(|k| *k == provgate_policy::Kind::Docs),
        "{:?}",
        patches[1].files[0]
    );
    // The third patch's call of a function defined by none of them, on its own line.
    let found = of(&result, "unknown-symbol");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("src/util.c:11 `util_thrice`"),
        "{found:#?}"
    );
}

#[test]
fn names_made_by_token_pasting_count_as_defined() {
    let r = c_repo();
    // A layered family of macros: `define_box` forwards its name to two macros whose bodies
    // paste it; `define_flag` pastes a token that is not one of its parameters.
    r.write(
        "include/box.h",
        concat!(
            "#define declare_box(name, type) \\\n",
            "    struct name { type *items; }; \\\n",
            "    void init_ ## name(struct name *b)\n",
            "#define implement_box(name, type, scope) \\\n",
            "    scope type *name##_at(struct name *b, int i) { return &b->items[i]; } \\\n",
            "    scope void init_ ##name## (struct name *b) { b->items = 0; }\n",
            "#define define_box(name, type) \\\n",
            "    declare_box(name, type); \\\n",
            "    implement_box(name, type, static)\n",
            "#define define_flag(x) int flag_ ## y(void)\n",
        ),
    );
    r.write(
        "src/pear.c",
        "#include \"box.h\"\n\ndefine_box(pear_box, long);\n",
    );
    r.commit("boxes");
    r.write(
        "include/list.h",
        "#define DEFINE_LIST(n) int n ## _length(void)\n",
    );
    r.write(
        "src/main.c",
        concat!(
            "#include \"box.h\"\n",
            "#include \"list.h\"\n",
            "\n",
            "define_box(apple_box, char *);\n",
            "define_flag(apple);\n",
            "DEFINE_LIST(names);\n",
            "\n",
            "int main(void)\n",
            "{\n",
            "    struct apple_box a;\n",
            "    struct pear_box p;\n",
            "    init_apple_box(&a);\n",
            "    init_pear_box(&p);\n",
            "    apple_box_at(&a, 0);\n",
            "    init_aple_box(&a);\n",
            "    flag_apple();\n",
            "    return names_length();\n",
            "}\n",
        ),
    );
    let head = r.commit("use boxes");
    let result = check(&r, &policy("default", ""), &[&head]);
    let found = of(&result, "unknown-symbol");
    // Made by the patch's invocations (through one and two levels of macros, and by a macro the
    // patch itself defines) and by the tree's: all defined. A misspelt one, and a name the
    // invocation could only make if the body pasted its parameter, are not.
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].starts_with("src/main.c:15 `init_aple_box`"),
        "{found:#?}"
    );
    assert!(
        found[1].starts_with("src/main.c:16 `flag_apple`"),
        "{found:#?}"
    );
}

#[test]
fn windows_api_names_are_known_and_near_misses_flagged() {
    let r = c_repo();
    r.write(
        "compat/win32/proc.c",
        concat!(
            "#include <windows.h>\n",
            "\n",
            "int pid_of(HANDLE h)\n",
            "{\n",
            "    BOOL wow;\n",
            "    IsWow64Process(h, &wow);\n",
            "    _chsize_s(0, 0);\n",
            "    return GetProcessId(h) + GetProcessIdd(h);\n",
            "}\n",
        ),
    );
    let head = r.commit("win32 compat");
    let result = check(&r, &policy("default", ""), &[&head]);
    let found = of(&result, "unknown-symbol");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("compat/win32/proc.c:8 `GetProcessIdd`")
            && found[0].contains("did you mean `GetProcessId`"),
        "{found:#?}"
    );
}
