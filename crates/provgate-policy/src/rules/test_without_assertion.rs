//! `test-without-assertion`: an added or changed test asserts nothing.

use super::{RuleDoc, RuleId};

/// See [`DOC`].
pub struct TestWithoutAssertion;

static DOC: RuleDoc = RuleDoc {
    id: RuleId::TestWithoutAssertion,
    summary: "An added or changed test function asserts nothing.",
    what: "Finds the test functions the patch adds or changes: in C, functions of test files registered with `g_test_add_func`/`qtest_add_func`-style calls or named `test_*`; in Python, `test*` functions and methods of test files; in Rust, functions with a `#[test]`-style attribute. Reports one whose body makes no assertion: C `assert`, `g_assert*`, `g_test_fail`, any call whose name contains `assert` (qtest helpers such as `qtest_qmp_assert_success`), `abort`; Python `assert`, `self.assert*`/`self.fail*`, `pytest.raises`/`pytest.fail`, any call whose name contains `assert`; Rust `assert*!`, `panic!`, `#[should_panic]`, a `Result` return type, any macro or method whose name contains `assert`. A call of a function defined in the same file, or elsewhere in the tree, that asserts counts too, as do the names in `[code] assertion-helpers`.",
    why: "A test that asserts nothing passes whatever the code does; generated tests often call the code and stop there, giving coverage without checking behaviour.",
    policy: "QEMU May 2026 proposal: AI may write tests, but each test must exercise the intended behaviour.",
    failing: "A new `static void test_parse(void) { parse(\"x\"); }` registered with `g_test_add_func(\"/parse\", test_parse)`; `def test_parse(): parse(\"x\")`\n",
    passing: "`g_assert_cmpint(parse(\"x\"), ==, 0);` in the test; `assert parse(\"x\") == 0`; `#[test] #[should_panic] fn rejects() { parse(\"\"); }`\n",
    setup: super::ExampleSetup::NONE,
    fix: "Assert the behaviour the test is about (return values, state, output), or remove the test.",
};

code_rule!(TestWithoutAssertion);
