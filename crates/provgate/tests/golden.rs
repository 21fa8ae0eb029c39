//! Golden outputs: every command in every output format, recorded byte for byte, so that moving the
//! check pipeline into its own crate (issue 10) cannot change a report unnoticed. A snapshot that
//! changes on purpose is a deliberate fix and is accepted with `cargo insta review`; any other
//! change is drift. `cli.rs` already records `check` on the shipped example in each `--format`;
//! this file records the rest: `check` on mail from standard input and on a range of a repository
//! the test builds, `scan`, `zones`, `policy render`/`show` for every preset, and `explain`.
//!
//! Each snapshot holds the exit status, standard output and standard error of one run, so that a
//! change of status or of a note written to standard error is drift too.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use assert_cmd::cargo::CommandCargoExt;
use tempfile::TempDir;

/// Every run sees the same day, so that ages, expiries and "stale" judgements do not move.
const TODAY: &str = "2026-07-02";

/// Every preset `--preset` accepts, as `check --help` lists them.
const PRESETS: [&str; 11] = [
    "default",
    "qemu",
    "qemu-llm-usage",
    "qemu-2025",
    "linux",
    "mesa",
    "fedora",
    "llvm",
    "openinfra",
    "asf",
    "ban",
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `provgate ARGS` in `dir`, with `stdin` on standard input when given, under a fixed day, no
/// colour and no user or system git configuration.
fn run(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::cargo_bin("provgate").expect("binary builds");
    support::isolated(cmd.current_dir(dir).args(args))
        .env("PROVGATE_TODAY", TODAY)
        .env("NO_COLOR", "1");
    match stdin {
        Some(bytes) => {
            use std::io::Write;
            cmd.stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = cmd.spawn().expect("provgate runs");
            child
                .stdin
                .take()
                .expect("piped")
                .write_all(bytes)
                .expect("stdin written");
            child.wait_with_output().expect("provgate ends")
        }
        None => cmd.output().expect("provgate runs"),
    }
}

/// What a snapshot records of a run: its exit status, then its two output streams.
fn recorded(out: &Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status
            .code()
            .map_or("signal".to_string(), |c| c.to_string()),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    )
}

/// A regular expression matching `text` literally (insta's filters are regular expressions).
fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The filters every snapshot goes through. Each hides something that differs between machines
/// or releases and is not part of what the refactor must keep:
fn settings(temp: Option<&Path>) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(true);
    // The program's version changes with every release, not with the pipeline; the JSON and
    // SARIF reports carry it as a `version` field and the text formats as `provgate X.Y.Z`.
    settings.add_filter(
        r#""version": "[0-9]+\.[0-9]+\.[0-9]+[^"]*""#,
        r#""version": "[version]""#,
    );
    settings.add_filter(r"provgate [0-9]+\.[0-9]+\.[0-9]+", "provgate [version]");
    // The repository built by a test lives in a fresh temporary directory whose name is random;
    // reports that name the repository or a file in it would otherwise differ on every run. The
    // canonical form is filtered too, as the temporary directory may sit behind a symbolic link.
    if let Some(temp) = temp {
        let mut paths = vec![temp.to_path_buf()];
        if let Ok(canonical) = temp.canonicalize() {
            paths.push(canonical);
        }
        // Longest first, so that a path is not half-replaced by its own prefix.
        paths.sort_by_key(|p| std::cmp::Reverse(p.as_os_str().len()));
        for path in paths {
            settings.add_filter(&literal(&path.to_string_lossy()), "[tmp]");
        }
        // `scan` names the repository after a directory, and here that is the random temporary
        // directory (`.tmpXXXXXX`, tempfile's default name) rather than `repo` below it.
        settings.add_filter(r"\.tmp[A-Za-z0-9]{6}", "[tmpdir]");
    }
    settings
}

/// Snapshots `provgate ARGS` run in `dir` under the name `name`.
fn golden(name: &str, dir: &Path, temp: Option<&Path>, args: &[&str], stdin: Option<&[u8]>) {
    let out = run(dir, args, stdin);
    settings(temp).bind(|| insta::assert_snapshot!(name, recorded(&out)));
}

// ---------------------------------------------------------------------------------------------
// The repository the checks, the scan and the zones read.

/// `git ARGS` in `dir` as `author`, on `date` (author and committer date alike), which must succeed.
fn git(dir: &Path, author: (&str, &str), date: &str, args: &[&str]) -> String {
    let out = support::isolated(Command::new("git").current_dir(dir).args(args))
        .env("GIT_AUTHOR_NAME", author.0)
        .env("GIT_AUTHOR_EMAIL", author.1)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("git runs");
    support::succeeded(&out)
}

const JANE: (&str, &str) = ("Jane Doe", "jane@example.org");
const ANN: (&str, &str) = ("Ann Other", "ann@example.org");
const SOB: &str = "Signed-off-by: Jane Doe <jane@example.org>";

const MAINTAINERS: &str = "\
Engine core
M: Carla Core <carla@example.org>
S: Supported
F: src/core/
F: include/engine.h

Networking
M: Nina Net <nina@example.org>
R: Rita Review <rita@example.org>
S: Maintained
F: src/net/
F: tests/test-loop.c
K: loopback

Documentation
M: Dora Docs <dora@example.org>
S: Odd Fixes
F: docs/

THE REST
M: Tess Tree <tess@example.org>
S: Buried alive in reports
F: *
F: */
";

/// `lines` lines of C, numbered from `from`, so that each commit adds distinct code.
fn c_lines(name: &str, from: usize, lines: usize) -> String {
    (from..from + lines)
        .map(|i| format!("int {name}_{i}(int x)\n{{\n\treturn x + {i};\n}}\n"))
        .collect()
}

/// Appends `text` to `path` (creating it) and commits everything as `author` on `date`.
fn commit(dir: &Path, author: (&str, &str), date: &str, path: &str, text: &str, message: &str) {
    let file = dir.join(path);
    std::fs::create_dir_all(file.parent().expect("a file in a directory")).unwrap();
    let mut body = std::fs::read_to_string(&file).unwrap_or_default();
    body.push_str(text);
    std::fs::write(&file, body).unwrap();
    git(dir, author, date, &["add", "-A"]);
    git(dir, author, date, &["commit", "-q", "-m", message]);
}

/// Seven commits over three months, tagged `base` after the first:
///
/// | # | date | changes | trailers |
/// |---|---|---|---|
/// | 1 | 03-02 | MAINTAINERS, src/core/engine.c, docs/index.rst (new) | sign-off |
/// | 2 | 03-09 | src/core/engine.c (+6 functions) | Assisted-by: Claude:claude-opus-4.6, sign-off |
/// | 3 | 03-16 | docs/engine.rst (new) | AI-used-for: docs, sign-off |
/// | 4 | 04-06 | src/net/loop.c (new, 30 functions), by Ann Other | none: no sign-off |
/// | 5 | 04-13 | src/core/engine.c (+1 function) | Assisted-by a person, sign-off |
/// | 6 | 04-20 | src/net/loop.c (+2 functions) | Co-authored-by: Copilot, sign-off |
/// | 7 | 05-04 | tests/test-loop.c (new) | sign-off before AI-used-for: tests |
fn build_repo() -> TempDir {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("repo");
    std::fs::create_dir(&dir).unwrap();
    let d = "2026-03-02T09:00:00+01:00";
    git(&dir, JANE, d, &["init", "-q", "-b", "main"]);
    std::fs::write(dir.join("MAINTAINERS"), MAINTAINERS).unwrap();
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    std::fs::write(dir.join("docs/index.rst"), "Engine\n======\n").unwrap();
    commit(
        &dir,
        JANE,
        d,
        "src/core/engine.c",
        &format!(
            "// SPDX-License-Identifier: GPL-2.0-or-later\n{}",
            c_lines("engine", 0, 2)
        ),
        &format!("Initial import\n\n{SOB}"),
    );
    git(&dir, JANE, d, &["tag", "base"]);
    commit(
        &dir,
        JANE,
        "2026-03-09T09:00:00+01:00",
        "src/core/engine.c",
        &c_lines("engine", 2, 6),
        &format!(
            "core: bound the retry loop\n\nThe loop retried forever on a full queue.\n\n\
             Assisted-by: Claude:claude-opus-4.6\n{SOB}"
        ),
    );
    commit(
        &dir,
        JANE,
        "2026-03-16T09:00:00+01:00",
        "docs/engine.rst",
        "The engine\n==========\n\nIt retries a bounded number of times.\n",
        &format!("docs: describe the engine's retries\n\nAI-used-for: docs\n{SOB}"),
    );
    commit(
        &dir,
        ANN,
        "2026-04-06T14:30:00+02:00",
        "src/net/loop.c",
        &format!(
            "// SPDX-License-Identifier: GPL-2.0-or-later\n{}",
            c_lines("loopback", 0, 30)
        ),
        "net: add a loopback driver\n\nA driver that answers its own packets, for tests.\n",
    );
    commit(
        &dir,
        JANE,
        "2026-04-13T09:00:00+02:00",
        "src/core/engine.c",
        &c_lines("engine", 8, 1),
        &format!(
            "core: fix an off-by-one in the retry count\n\n\
             Assisted-by: Bob Builder <bob@example.org>\n{SOB}"
        ),
    );
    commit(
        &dir,
        JANE,
        "2026-04-20T09:00:00+02:00",
        "src/net/loop.c",
        &c_lines("loopback", 30, 2),
        &format!(
            "net: loopback: count dropped packets\n\n\
             Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>\n{SOB}"
        ),
    );
    commit(
        &dir,
        JANE,
        "2026-05-04T09:00:00+02:00",
        "tests/test-loop.c",
        "// SPDX-License-Identifier: GPL-2.0-or-later\n#include <assert.h>\n\n\
         int main(void)\n{\n\tassert(1 + 1 == 2);\n\treturn 0;\n}\n",
        &format!("tests: cover the loopback driver\n\n{SOB}\nAI-used-for: tests\n"),
    );
    temp
}

fn repo_of(temp: &TempDir) -> PathBuf {
    temp.path().join("repo")
}

// ---------------------------------------------------------------------------------------------
// check

/// The shipped example in the variants of the formats `cli.rs` does not record: the quiet text
/// report and GitHub annotations past their cap. (`cli.rs` records every `--format` in full.)
#[test]
fn check_shipped_example_variants() {
    let ws = workspace();
    let qemu = ["--repo", "examples/qemu", "examples/qemu/series.mbox"];
    let mut quiet = vec!["check", "--format", "text", "--quiet"];
    quiet.extend(qemu);
    golden("check_qemu_example_text_quiet", &ws, None, &quiet, None);
    let mut capped = vec!["check", "--format", "github", "--max-annotations", "2"];
    capped.extend(qemu);
    golden("check_qemu_example_github_capped", &ws, None, &capped, None);
}

/// A range of the built repository under its default policy (no provgate.toml), with and without
/// reading the added code as code.
#[test]
fn check_range() {
    let temp = build_repo();
    let repo = repo_of(&temp);
    for format in ["text", "json"] {
        for (variant, extra) in [("code", None), ("no_code", Some("--no-code"))] {
            let mut args = vec!["check", "--format", format];
            args.extend(extra);
            args.push("base..HEAD");
            golden(
                &format!("check_range_{variant}_{format}"),
                &repo,
                Some(temp.path()),
                &args,
                None,
            );
        }
    }
}

/// The same commits as a mail series (`git format-patch --stdout`) on standard input, under the
/// `qemu` preset, read against the tree they apply to (`--base base`).
#[test]
fn check_mail_from_stdin() {
    let temp = build_repo();
    let repo = repo_of(&temp);
    // No signature: its last line is the version of the git that wrote it.
    let mbox = git(
        &repo,
        JANE,
        "2026-05-04T09:00:00+02:00",
        &["format-patch", "--stdout", "--no-signature", "base..HEAD"],
    );
    for format in ["text", "json"] {
        for (variant, extra) in [("code", None), ("no_code", Some("--no-code"))] {
            let mut args = vec!["check", "--preset", "qemu", "--base", "base"];
            args.extend(["--format", format]);
            args.extend(extra);
            args.push("-");
            golden(
                &format!("check_stdin_{variant}_{format}"),
                &repo,
                Some(temp.path()),
                &args,
                Some(mbox.as_bytes()),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// scan, zones

/// The whole history judged by two presets side by side, in every scan format, without the cache
/// (a cached run must not differ, but the cache is not what this records).
#[test]
fn scan_two_presets() {
    let temp = build_repo();
    let repo = repo_of(&temp);
    for format in ["text", "json", "csv", "html"] {
        golden(
            &format!("scan_qemu_linux_{format}"),
            &repo,
            Some(temp.path()),
            &[
                "scan",
                "--no-cache",
                "--preset",
                "qemu",
                "--preset",
                "linux",
                "--format",
                format,
            ],
            None,
        );
    }
}

/// Paths of the built repository against its MAINTAINERS: sections by path, the catch-all, a
/// section only a `K:` keyword finds (docs/net.rst, a file of the work tree that names the
/// loopback driver; get_maintainer.pl -f agrees), MAINTAINERS itself, and a path that does not
/// exist.
#[test]
fn zones_of_paths() {
    let temp = build_repo();
    let repo = repo_of(&temp);
    std::fs::write(repo.join("docs/net.rst"), "The loopback driver\n").unwrap();
    for format in ["text", "json"] {
        golden(
            &format!("zones_{format}"),
            &repo,
            Some(temp.path()),
            &[
                "zones",
                "--format",
                format,
                "src/core/engine.c",
                "src/net/loop.c",
                "tests/test-loop.c",
                "docs/engine.rst",
                "docs/net.rst",
                "MAINTAINERS",
                "no/such/file.c",
            ],
            None,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// policy, explain

/// Every preset rendered in each document format, and shown as a resolved policy file.
#[test]
fn policy_render_and_show_every_preset() {
    let ws = workspace();
    for preset in PRESETS {
        for format in ["md", "rst"] {
            golden(
                &format!("policy_render_{preset}_{format}"),
                &ws,
                None,
                &["policy", "render", "--preset", preset, "--format", format],
                None,
            );
        }
        golden(
            &format!("policy_show_{preset}"),
            &ws,
            None,
            &["policy", "show", "--preset", preset],
            None,
        );
    }
}

/// The rule list under the default policy and under `qemu`, and two rules' documentation.
#[test]
fn explain_list_and_rules() {
    let ws = workspace();
    golden(
        "explain_list_default",
        &ws,
        None,
        &["explain", "--list", "--preset", "default"],
        None,
    );
    golden(
        "explain_list_qemu",
        &ws,
        None,
        &["explain", "--list", "--preset", "qemu"],
        None,
    );
    for rule in ["ai-line-limit", "dco-missing-signoff"] {
        golden(
            &format!("explain_{}", rule.replace('-', "_")),
            &ws,
            None,
            &["explain", rule],
            None,
        );
    }
}
