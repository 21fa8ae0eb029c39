//! What the command-line tests share: git and provgate run with a fixed identity and no user or
//! system git configuration, so that results do not depend on the machine.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use assert_cmd::cargo::CommandCargoExt;

/// Sets the environment every test command runs with.
pub fn isolated(cmd: &mut Command) -> &mut Command {
    cmd.env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Jane Doe")
        .env("GIT_AUTHOR_EMAIL", "jane@example.org")
        .env("GIT_COMMITTER_NAME", "Jane Doe")
        .env("GIT_COMMITTER_EMAIL", "jane@example.org")
}

/// `git ARGS` in `dir`.
pub fn git(dir: &Path, args: &[&str]) -> Output {
    isolated(Command::new("git").current_dir(dir).args(args))
        .output()
        .expect("git runs")
}

/// `git ARGS` in `dir`, which must succeed; its standard output.
pub fn git_ok(dir: &Path, args: &[&str]) -> String {
    succeeded(&git(dir, args))
}

/// `provgate ARGS` in `dir`.
pub fn provgate_at(dir: &Path, args: &[&str]) -> Output {
    isolated(
        Command::cargo_bin("provgate")
            .expect("binary builds")
            .current_dir(dir)
            .args(args),
    )
    .output()
    .expect("provgate runs")
}

/// `provgate ARGS` in `dir` with `input` on standard input.
pub fn provgate_with_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = isolated(
        Command::cargo_bin("provgate")
            .expect("binary builds")
            .current_dir(dir)
            .args(args),
    )
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .expect("provgate runs");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(input)
        .expect("stdin written");
    child.wait_with_output().expect("provgate ends")
}

/// The standard output of a command that must have succeeded.
pub fn succeeded(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
