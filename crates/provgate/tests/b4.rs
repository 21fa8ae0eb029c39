//! provgate under real b4 (kernel.org's patch workflow tool): `b4 prep --check` and
//! `b4 am --check` run `provgate check --format b4 -` once per patch, and `b4 review` reads
//! `--format b4-review`'s JSON through its own parser.
//!
//! b4 is found through `PROVGATE_B4` (which .ci/run sets to the b4 it installs with pip), else
//! on PATH. Without it the tests are skipped with a note, except under CI, where they fail.
//! b4 runs with `--offline-mode`, a proxy that refuses every connection and a private home, so it
//! never reaches lore and no user configuration leaks in.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PROVGATE: &str = env!("CARGO_BIN_EXE_provgate");

/// The b4 to run, or `None` (after a note) when the tests should be skipped.
fn b4() -> Option<PathBuf> {
    let found = std::env::var_os("PROVGATE_B4")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("PATH").and_then(|path| {
                std::env::split_paths(&path)
                    .map(|dir| dir.join("b4"))
                    .find(|b4| b4.is_file())
            })
        })
        .filter(|b4| {
            Command::new(b4)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install b4 and set PROVGATE_B4 (see .ci/run)"
        );
        eprintln!("b4 is not installed (pip install b4, or set PROVGATE_B4): b4 tests skipped");
    }
    found
}

/// A scratch repository with a private home for git and b4.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        let scratch = Scratch {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        std::fs::create_dir_all(scratch.home()).unwrap();
        std::fs::create_dir_all(scratch.repo()).unwrap();
        scratch.git(&["init", "-q", "-b", "main"]);
        scratch.git(&["config", "user.name", "Jane Doe"]);
        scratch.git(&["config", "user.email", "jane@example.org"]);
        scratch
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn repo(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// The environment git, b4 and provgate run with: nothing of the user's or the machine's
    /// configuration, provgate on PATH (as the documented `.b4-config` line expects), and a
    /// proxy that refuses connections should b4 try the network despite `--offline-mode`.
    fn env<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        let home = self.home();
        let bin = Path::new(PROVGATE).parent().unwrap();
        let path = std::env::join_paths(
            std::iter::once(bin.to_path_buf()).chain(
                std::env::var_os("PATH")
                    .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
                    .unwrap_or_default(),
            ),
        )
        .unwrap();
        cmd.current_dir(self.repo())
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("GIT_CONFIG_GLOBAL", home.join(".gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("PATH", path)
            .env("http_proxy", "http://127.0.0.1:9")
            .env("https_proxy", "http://127.0.0.1:9")
            .env("HTTP_PROXY", "http://127.0.0.1:9")
            .env("HTTPS_PROXY", "http://127.0.0.1:9")
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .env("NO_COLOR", "1")
            .env("GIT_EDITOR", "true")
    }

    fn git(&self, args: &[&str]) -> String {
        let out = self
            .env(&mut Command::new("git"))
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn write(&self, path: &str, text: &str) {
        std::fs::write(self.repo().join(path), text).unwrap();
    }

    fn commit(&self, path: &str, text: &str, message: &str) {
        self.write(path, text);
        self.git(&["add", path]);
        self.git(&["commit", "-q", "-m", message]);
    }

    /// `b4 --offline-mode ARGS`, which must succeed; its standard output and error together,
    /// without colours.
    fn b4(&self, b4: &Path, args: &[&str]) -> String {
        let out: Output = self
            .env(&mut Command::new(b4))
            .arg("--offline-mode")
            .args(args)
            .output()
            .unwrap();
        let text = strip_ansi(&format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
        assert!(out.status.success(), "b4 {args:?} failed:\n{text}");
        text
    }
}

/// b4 colours its status marks even when not writing to a terminal.
fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

const CLEAN: &str =
    "add helper\n\nA helper that returns one.\n\nSigned-off-by: Jane Doe <jane@example.org>\n";
/// No sign-off (deny), a Claude Code mark without a disclosure and a `strcpy` (warnings).
const BROKEN: &str =
    "add copier\n\nCopies a string.\n\n🤖 Generated with [Claude Code](https://claude.ai/code)\n";
const COPIER: &str = "#include <string.h>\nvoid copy(char *d, const char *s) { strcpy(d, s); }\n";

/// The lines b4 printed under the patch whose subject line contains `subject`, up to the next
/// patch or the closing `---`.
fn lines_under<'t>(output: &'t str, subject: &str) -> Vec<&'t str> {
    let mut lines = output.lines().skip_while(|l| !l.contains(subject));
    assert!(
        lines.next().is_some(),
        "no patch {subject:?} in b4's output:\n{output}"
    );
    lines
        .take_while(|l| l.starts_with(' ') && !l.contains("[PATCH"))
        .filter(|l| l.contains("provgate:"))
        .map(str::trim)
        .collect()
}

#[test]
fn prep_check_reports_findings_per_patch_and_passes_a_clean_series() {
    let Some(b4) = b4() else { return };
    let s = Scratch::new();
    // The contributor's line exactly as docs/b4.md gives it, committed in the project.
    s.write(
        ".b4-config",
        "[b4]\n\tprep-perpatch-check-cmd = provgate check --format b4 -\n",
    );
    s.write("main.c", "int main(void) { return 0; }\n");
    s.git(&["add", "."]);
    s.git(&["commit", "-q", "-m", "initial"]);
    s.b4(&b4, &["prep", "-n", "feature"]);
    s.commit("helper.c", "int helper(void) { return 1; }\n", CLEAN);
    s.commit("copy.c", COPIER, BROKEN);

    let out = s.b4(&b4, &["prep", "--check"]);
    assert!(
        out.contains("provgate check --format b4 -"),
        "b4 did not take the command from .b4-config:\n{out}"
    );
    assert_eq!(
        lines_under(&out, ": add helper"),
        Vec::<&str>::new(),
        "the clean patch passes silently:\n{out}"
    );
    let broken = lines_under(&out, ": add copier");
    assert_eq!(broken.len(), 3, "{out}");
    assert!(
        broken[0].ends_with(
            "provgate: ERROR: dco-missing-signoff: the commit message has no Signed-off-by trailer"
        ),
        "{out}"
    );
    assert!(
        broken[1].contains("provgate: WARNING: undisclosed-ai: ")
            && broken[1].ends_with("(commit message line 5)"),
        "{out}"
    );
    assert!(
        broken[2].contains("provgate: WARNING: insecure-call: ")
            && broken[2].ends_with("(copy.c:2)"),
        "{out}"
    );
    assert!(
        out.contains("Success: 1, Warning: 2, Error: 1"),
        "b4 counts each WARNING line as a warning and the ERROR line as a failure:\n{out}"
    );

    // Without the broken patch the series passes.
    s.git(&["reset", "-q", "--hard", "HEAD~1"]);
    let out = s.b4(&b4, &["prep", "--check"]);
    assert!(
        out.contains("Success: 1, Warning: 0, Error: 0"),
        "a clean series passes:\n{out}"
    );
}

#[test]
fn am_check_runs_the_maintainers_command() {
    let Some(b4) = b4() else { return };
    let s = Scratch::new();
    s.commit("main.c", "int main(void) { return 0; }\n", "initial");
    s.commit("helper.c", "int helper(void) { return 1; }\n", CLEAN);
    s.commit("copy.c", COPIER, BROKEN);
    let mbox = s.dir.path().join("series.mbox");
    let patches = s.git(&[
        "format-patch",
        "--stdout",
        "--thread",
        "--cover-letter",
        "HEAD~2",
    ]);
    std::fs::write(&mbox, patches).unwrap();
    // The maintainer's line from docs/b4.md: am-* commands are read from git config only.
    s.git(&[
        "config",
        "--global",
        "b4.am-perpatch-check-cmd",
        "provgate check --format b4 -",
    ]);
    let outdir = s.dir.path().join("am");
    let out = s.b4(
        &b4,
        &[
            "am",
            "--check",
            "-m",
            mbox.to_str().unwrap(),
            "-o",
            outdir.to_str().unwrap(),
        ],
    );
    let clean = lines_under(&out, "] add helper");
    assert_eq!(clean, ["● provgate: passed all checks"], "{out}");
    let broken = lines_under(&out, "] add copier");
    assert!(
        broken[0].ends_with(
            "provgate: ERROR: dco-missing-signoff: the commit message has no Signed-off-by trailer"
        ),
        "{out}"
    );
    assert_eq!(broken.len(), 3, "{out}");
}

/// b4's own parser of review check commands, run by the Python b4 was installed with (the
/// interpreter its launcher script names).
fn b4_review_parse(b4: &Path, s: &Scratch, message: &Path) -> Option<serde_json::Value> {
    let launcher = std::fs::read_to_string(b4).ok()?;
    let python = launcher
        .lines()
        .next()?
        .strip_prefix("#!")?
        .trim()
        .to_string();
    const SCRIPT: &str = "import email, json, sys\n\
        import b4\n\
        from b4.review import checks\n\
        with open(sys.argv[1], 'rb') as f:\n    msg = email.message_from_binary_file(f, policy=b4.emlpolicy)\n\
        print(json.dumps(checks.run_perpatch_checks([('p', msg)], [sys.argv[2]], sys.argv[3])['p']))\n";
    let out = s
        .env(&mut Command::new(python))
        .args(["-c", SCRIPT])
        .arg(message)
        .arg("provgate check --format b4-review -")
        .arg(s.repo())
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!(
            "b4's review checks could not be loaded: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    serde_json::from_slice(&out.stdout).ok()
}

#[test]
fn review_check_json_as_b4_reads_it() {
    let s = Scratch::new();
    s.commit("main.c", "int main(void) { return 0; }\n", "initial");
    s.commit("helper.c", "int helper(void) { return 1; }\n", CLEAN);
    s.commit("copy.c", COPIER, BROKEN);
    let dir = s.dir.path().join("patches");
    s.git(&["format-patch", "-q", "-o", dir.to_str().unwrap(), "HEAD~2"]);
    let clean = dir.join("0001-add-helper.patch");
    let broken = dir.join("0002-add-copier.patch");

    // The documented schema, as provgate writes it.
    let run = |path: &Path| {
        let out = s
            .env(&mut Command::new(PROVGATE))
            .args(["check", "--format", "b4-review", "-"])
            .stdin(std::fs::File::open(path).unwrap())
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let pass = run(&clean);
    assert_eq!(
        pass,
        serde_json::json!([{"tool": "provgate", "status": "pass", "summary": "passed all checks", "url": "", "details": ""}])
    );
    let fail = run(&broken);
    assert_eq!(fail[0]["status"], "fail");
    assert_eq!(fail[0]["summary"], "1 error, 2 warnings");
    let details: serde_json::Value =
        serde_json::from_str(fail[0]["details"].as_str().unwrap()).unwrap();
    let statuses: Vec<&str> = details
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["fail", "warn", "warn"]);
    assert!(
        details[0]["description"]
            .as_str()
            .unwrap()
            .starts_with("dco-missing-signoff: ")
    );

    // And through b4's own parser, when b4 is there.
    let Some(b4) = b4() else { return };
    let Some(parsed) = b4_review_parse(&b4, &s, &broken) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI's b4 must have b4.review (0.15 or later)"
        );
        return;
    };
    assert_eq!(parsed.as_array().unwrap().len(), 1, "{parsed}");
    assert_eq!(parsed[0]["tool"], "provgate");
    assert_eq!(parsed[0]["status"], "fail");
    assert_eq!(parsed[0]["summary"], "1 error, 2 warnings");
    assert_eq!(parsed[0]["details"], fail[0]["details"]);
    let parsed = b4_review_parse(&b4, &s, &clean).unwrap();
    assert_eq!(parsed[0]["status"], "pass", "{parsed}");
}
