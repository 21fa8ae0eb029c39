//! What the tests that ask git itself share: git run with no user or system configuration.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// `git ARGS` in `dir` with `stdin` on its standard input and `env` added, in UTC and without
/// the user's or the system's configuration: whether it succeeded, and its standard output.
pub fn git(
    dir: &Path,
    args: &[&str],
    stdin: Option<&[u8]>,
    env: &[(&str, &str)],
) -> (bool, Vec<u8>) {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("git runs");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    (out.status.success(), out.stdout)
}
