//! Trailer insertion against git itself: `insert_trailer` at the end of the block must give what
//! `git interpret-trailers --trailer` gives, whatever the message looks like.

mod support;

use provgate_patch::trailers::{Placement, insert_trailer};

fn git_insert(message: &str, trailer: &str) -> String {
    let (ok, out) = support::git(
        &std::env::temp_dir(),
        &["interpret-trailers", "--trailer", trailer],
        Some(message.as_bytes()),
        &[],
    );
    assert!(ok);
    String::from_utf8(out).unwrap()
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
