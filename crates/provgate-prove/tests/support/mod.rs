//! The scratch repositories of the tests, and the test-file rule the proofs use.
#![allow(dead_code)]

pub use provgate_git::scratch::ScratchRepo as TestRepo;

/// Test files, for these tests: anything under a `tests/` directory.
pub fn is_test(path: &str) -> bool {
    path.starts_with("tests/") || path.contains("/tests/")
}
