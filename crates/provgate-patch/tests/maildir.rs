//! Maildirs laid out as delivery agents and mail readers leave them, listed and read.

use std::fs;
use std::path::Path;

use provgate_patch::maildir::{Folder, Maildir, MaildirError};

fn maildir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for sub in ["tmp", "new", "cur"] {
        fs::create_dir(dir.path().join(sub)).expect("mkdir");
    }
    dir
}

fn put(dir: &Path, sub: &str, name: &str, body: &str) {
    fs::write(dir.join(sub).join(name), body).expect("write");
}

#[test]
fn lists_new_and_cur_by_delivery_time_once_each() {
    let dir = maildir();
    let d = dir.path();
    put(d, "new", "1717236002.M3P9.host", "third");
    put(d, "cur", "1717236000.M1P9.host:2,S", "first");
    put(
        d,
        "cur",
        "999999999.M9P9.host:2,RS",
        "oldest (fewer digits)",
    );
    put(d, "new", "1717236001.M2P9.host", "second");
    // Caught being moved: the same message in new/ and cur/.
    put(d, "new", "1717236003.M4P9.host", "fourth");
    put(d, "cur", "1717236003.M4P9.host:2,", "fourth");
    // Never messages: being written, hidden, a directory.
    put(d, "tmp", "1717236004.M5P9.host", "not delivered yet");
    put(d, "new", ".1717236005.lock", "hidden");
    fs::create_dir(d.join("cur").join("subdir")).expect("mkdir");

    let md = Maildir::open(d).expect("a maildir");
    let listed = md.list().expect("lists");
    let keys: Vec<&str> = listed.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "999999999.M9P9.host",
            "1717236000.M1P9.host",
            "1717236001.M2P9.host",
            "1717236002.M3P9.host",
            "1717236003.M4P9.host",
        ]
    );
    assert_eq!(listed[4].folder, Folder::Cur, "the cur/ copy is kept");
    let bodies: Vec<Vec<u8>> = listed.iter().map(|e| md.read(e).expect("reads")).collect();
    assert_eq!(bodies[1], b"first");
    assert_eq!(bodies[3], b"third");
    // Listing twice gives the same order.
    assert_eq!(md.list().expect("lists"), listed);
}

#[test]
fn a_message_moved_or_reflagged_since_listing_is_found_by_its_key() {
    let dir = maildir();
    let d = dir.path();
    put(d, "new", "1717236000.M1P9.host", "moved");
    put(d, "cur", "1717236001.M2P9.host:2,S", "reflagged");
    let md = Maildir::open(d).expect("a maildir");
    let listed = md.list().expect("lists");
    fs::rename(
        d.join("new/1717236000.M1P9.host"),
        d.join("cur/1717236000.M1P9.host:2,S"),
    )
    .expect("move");
    fs::rename(
        d.join("cur/1717236001.M2P9.host:2,S"),
        d.join("cur/1717236001.M2P9.host:2,RS"),
    )
    .expect("reflag");
    assert_eq!(md.read(&listed[0]).expect("found again"), b"moved");
    assert_eq!(md.read(&listed[1]).expect("found again"), b"reflagged");

    fs::remove_file(d.join("cur/1717236000.M1P9.host:2,S")).expect("delete");
    let err = md.read(&listed[0]).expect_err("gone");
    assert!(matches!(err, MaildirError::Gone { ref key, .. } if key == "1717236000.M1P9.host"));
}

#[test]
fn only_new_or_only_cur_is_a_maildir_and_neither_is_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir(dir.path().join("new")).expect("mkdir");
    put(dir.path(), "new", "1.a.host", "x");
    let listed = Maildir::open(dir.path())
        .expect("new/ only")
        .list()
        .expect("lists");
    assert_eq!(listed.len(), 1);

    let empty = tempfile::tempdir().expect("temp dir");
    let err = Maildir::open(empty.path()).expect_err("not a maildir");
    assert!(err.to_string().contains("neither cur/ nor new/"), "{err}");
}
