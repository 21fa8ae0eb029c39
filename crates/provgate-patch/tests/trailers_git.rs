//! Trailer insertion against git itself: `insert_trailer` at the end of the block must give what
//! `git interpret-trailers --trailer` gives, whatever the message looks like.

use std::io::Write;
use std::process::{Command, Stdio};

use provgate_patch::trailers::{Placement, insert_trailer};

fn git_insert(message: &str, trailer: &str) -> String {
    let mut child = Command::new("git")
        .args(["interpret-trailers", "--trailer", trailer])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("git runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(message.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn insertion_agrees_with_git() {
    let messages = [
        "subject\n",
        "subject",
        "subject\n\nbody text\n",
        "subject\n\nbody text\n\n",
        "subject\n\nbody\n\nSigned-off-by: A <a@example.org>\n",
        "subject\n\nbody\n\nLink: https://example.org/x\n  continued\nSigned-off-by: A <a@example.org>\n",
        "subject\n\n# Please enter the commit message\n# with '#' lines\n",
        "subject\n\nbody\n---\n foo.c | 1 +\n",
        "subject\n\nbody\n\nSigned-off-by: A <a@example.org>\n\n# comment\n",
        "subject\n\nsome text\nSigned-off-by: A <a@example.org>\n",
        "subject\n\nbody\n\nAI-used-for: code\n",
    ];
    for message in messages {
        let ours = insert_trailer(message, "AI-used-for", "code", Placement::End);
        let git = git_insert(message, "AI-used-for: code");
        assert_eq!(ours, git, "message {message:?}");
    }
}
