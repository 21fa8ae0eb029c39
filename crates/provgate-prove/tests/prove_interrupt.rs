//! Ctrl-C during `prove`: the test command is killed and the worktree removed. In its own test
//! binary, as `on_interrupt` ends every proof of the process.

mod support;

use std::time::Duration;

use provgate_prove::{ProveError, ProveOptions, active_worktrees, on_interrupt, prove};
use support::{TestRepo, is_test};

#[test]
fn an_interrupt_removes_the_worktree() {
    let r = TestRepo::new();
    r.write("calc.sh", "add() { echo 0; }\n");
    r.commit("calc");
    r.write("tests/test-add.sh", "true\n");
    let head = r.commit("test");
    let patch = r.patch(&head);
    let path = r.path().to_path_buf();
    let handle = std::thread::spawn(move || {
        prove(
            &path,
            &patch,
            &ProveOptions::new("sleep 30", Duration::from_secs(60), is_test),
        )
    });
    // Wait until this proof's worktree exists, then interrupt.
    let mut mine = None;
    for _ in 0..500 {
        mine = active_worktrees().into_iter().find(|w| {
            w.exists() && w.join("calc.sh").exists() && w.join("tests/test-add.sh").exists()
        });
        if mine.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mine = mine.expect("the proof started");
    on_interrupt();
    let result = handle.join().unwrap();
    assert!(matches!(result, Err(ProveError::Interrupted)), "{result:?}");
    assert!(!mine.exists());
    let list = r.git(&["worktree", "list", "--porcelain"]);
    assert_eq!(list.matches("worktree ").count(), 1, "{list}");
}
