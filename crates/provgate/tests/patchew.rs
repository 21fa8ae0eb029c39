//! contrib/patchew/provgate-tester.sh run the way a patchew tester runs its script: a fresh
//! clone of the project, a `base` branch at the series' base, the series applied with `git am`,
//! the script run in the clone with its output captured as the log, and the exit code deciding.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

const PROVGATE: &str = env!("CARGO_BIN_EXE_provgate");

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../contrib/patchew/provgate-tester.sh")
}

/// `git ARGS` in `dir`, isolated from the machine's configuration, which must succeed.
fn git(dir: &Path, args: &[&str]) -> String {
    support::git_ok(dir, args)
}

fn commit(dir: &Path, path: &str, text: &str, message: &str) {
    std::fs::write(dir.join(path), text).unwrap();
    git(dir, &["add", path]);
    git(dir, &["commit", "-q", "-m", message]);
}

/// The project: a base commit with `policy` as provgate.toml (if any).
fn project(root: &Path, policy: Option<&str>) -> PathBuf {
    let upstream = root.join("upstream");
    std::fs::create_dir_all(&upstream).unwrap();
    git(&upstream, &["init", "-q", "-b", "main"]);
    if let Some(policy) = policy {
        std::fs::write(upstream.join("provgate.toml"), policy).unwrap();
        git(&upstream, &["add", "provgate.toml"]);
    }
    commit(
        &upstream,
        "main.c",
        "int main(void) { return 0; }\n",
        "initial",
    );
    upstream
}

/// The series as mailed: `commits` made on a contributor's clone, then format-patch.
fn series(root: &Path, upstream: &Path, commits: &[(&str, &str, &str)]) -> PathBuf {
    let work = root.join("contributor");
    git(
        root,
        &[
            "clone",
            "-q",
            upstream.to_str().unwrap(),
            work.to_str().unwrap(),
        ],
    );
    for (path, text, message) in commits {
        commit(&work, path, text, message);
    }
    let mbox = root.join("series.mbox");
    std::fs::write(
        &mbox,
        git(&work, &["format-patch", "--stdout", "origin/main"]),
    )
    .unwrap();
    mbox
}

/// The tester's job: clone, `base` branch, `git am`, run the script in the clone; the exit code
/// and the log.
fn run_tester(root: &Path, upstream: &Path, mbox: &Path) -> (i32, String) {
    run_tester_with(root, upstream, mbox, None)
}

/// [`run_tester`] with `PROVGATE_ARGS` set to `args`.
fn run_tester_with(root: &Path, upstream: &Path, mbox: &Path, args: Option<&str>) -> (i32, String) {
    let clone = root.join("tester/src");
    git(
        root,
        &[
            "clone",
            "-q",
            upstream.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    git(&clone, &["checkout", "-q", "-b", "test"]);
    git(&clone, &["branch", "base", "HEAD"]);
    git(&clone, &["am", "-q", mbox.to_str().unwrap()]);
    let log = std::fs::File::create(root.join("tester/log")).unwrap();
    let mut command = Command::new(script());
    if let Some(args) = args {
        command.env("PROVGATE_ARGS", args);
    } else {
        command.env_remove("PROVGATE_ARGS");
    }
    let status = command
        .current_dir(&clone)
        .env("PROVGATE", PROVGATE)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("PROVGATE_BASE")
        .stdin(std::process::Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .status()
        .unwrap();
    let log = std::fs::read_to_string(root.join("tester/log")).unwrap();
    (status.code().expect("the script exits"), log)
}

const SIGNED: &str = "Signed-off-by: Jane Doe <jane@example.org>";

#[test]
fn a_passing_series_exits_zero() {
    let root = tempfile::tempdir().unwrap();
    let upstream = project(root.path(), None);
    let mbox = series(
        root.path(),
        &upstream,
        &[
            (
                "a.c",
                "int a(void) { return 1; }\n",
                &format!("add a\n\n{SIGNED}\n"),
            ),
            (
                "b.c",
                "int b(void) { return 2; }\n",
                &format!("add b\n\n{SIGNED}\n"),
            ),
        ],
    );
    let (code, log) = run_tester(root.path(), &upstream, &mbox);
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("checking 2 commit(s)"), "{log}");
    assert!(log.contains("provgate-tester: PASS"), "{log}");
    assert!(log.contains("policy: provgate's default"), "{log}");
}

#[test]
fn a_failing_series_exits_nonzero_with_the_findings_in_the_log() {
    let root = tempfile::tempdir().unwrap();
    let upstream = project(root.path(), None);
    let mbox = series(
        root.path(),
        &upstream,
        &[
            (
                "a.c",
                "int a(void) { return 1; }\n",
                &format!("add a\n\n{SIGNED}\n"),
            ),
            ("b.c", "int b(void) { return 2; }\n", "add b\n"),
        ],
    );
    let (code, log) = run_tester(root.path(), &upstream, &mbox);
    assert_eq!(code, 1, "{log}");
    assert!(log.contains("error[dco-missing-signoff]"), "{log}");
    assert!(log.contains("add b"), "{log}");
    assert!(log.contains("provgate-tester: FAIL"), "{log}");
}

#[test]
fn the_policy_is_the_bases_not_the_series() {
    let root = tempfile::tempdir().unwrap();
    let upstream = project(
        root.path(),
        Some("extends = \"default\"\n\n[rules]\ninsecure-call = \"deny\"\n"),
    );
    let copier = "#include <string.h>\nvoid copy(char *d, const char *s) { strcpy(d, s); }\n";
    let mbox = series(
        root.path(),
        &upstream,
        &[
            (
                "provgate.toml",
                "extends = \"default\"\n\n[rules]\ninsecure-call = \"allow\"\n",
                &format!("loosen the policy\n\n{SIGNED}\n"),
            ),
            ("copy.c", copier, &format!("add copy\n\n{SIGNED}\n")),
        ],
    );
    let (code, log) = run_tester(root.path(), &upstream, &mbox);
    assert_eq!(code, 1, "{log}");
    assert!(log.contains("policy: provgate.toml as of"), "{log}");
    assert!(log.contains("error[insecure-call]"), "{log}");
    assert!(
        log.contains("note: this change edits the policy (provgate.toml, in "),
        "{log}"
    );
    assert_clean(&log);
}

/// A log as patchew uploads it: no temporary paths, no terminal escape codes.
fn assert_clean(log: &str) {
    assert!(!log.contains('\u{1b}'), "escape codes in the log: {log:?}");
    let temp = std::env::temp_dir();
    assert!(
        !log.contains(temp.to_str().unwrap()) && !log.contains("provgate-base-policy"),
        "a temporary path in the log: {log}"
    );
}

#[test]
fn a_series_cannot_name_its_own_zone_maintainer() {
    let root = tempfile::tempdir().unwrap();
    let upstream = project(
        root.path(),
        Some(
            "extends = \"qemu\"\n\n[[zone]]\nname = \"core\"\ntier = \"protected\"\nsections = [\"Core\"]\n\n[agreement]\ntrailers = [\"Acked-by\"]\nfrom = \"zone-maintainer\"\n",
        ),
    );
    std::fs::create_dir(upstream.join("core")).unwrap();
    commit(
        &upstream,
        "MAINTAINERS",
        "Core\nM:\tAlice Keeper <alice@example.org>\nS:\tMaintained\nF:\tcore/\n",
        "MAINTAINERS",
    );
    commit(
        &upstream,
        "core/x.c",
        "// SPDX-License-Identifier: GPL-2.0-or-later\nint x(void) { return 0; }\n",
        "core",
    );
    let mbox = series(
        root.path(),
        &upstream,
        &[
            (
                "MAINTAINERS",
                "Core\nM:\tAlice Keeper <alice@example.org>\nM:\tMallory Puppet <mallory@example.org>\nS:\tMaintained\nF:\tcore/\n",
                &format!("MAINTAINERS: add Mallory to Core\n\n{SIGNED}\n"),
            ),
            (
                "core/x.c",
                "// SPDX-License-Identifier: GPL-2.0-or-later\nint x(void) { return 1; }\n",
                &format!(
                    "core: return 1\n\nAI-used-for: code\nAcked-by: Mallory Puppet <mallory@example.org>\n{SIGNED}\n"
                ),
            ),
        ],
    );
    let (code, log) = run_tester(root.path(), &upstream, &mbox);
    assert_eq!(code, 1, "{log}");
    assert!(log.contains("error[protected-zone]"), "{log}");
    assert!(
        log.contains("note: this change edits the MAINTAINERS file (MAINTAINERS, in "),
        "{log}"
    );
    assert!(log.contains("MAINTAINERS and .mailmap as of"), "{log}");
    assert_clean(&log);
}

#[test]
fn the_header_names_the_preset_the_arguments_pick() {
    let root = tempfile::tempdir().unwrap();
    // The base has a policy file, but the tester's arguments name a preset: the preset judges.
    let upstream = project(root.path(), Some("extends = \"default\"\n"));
    let mbox = series(
        root.path(),
        &upstream,
        &[(
            "a.c",
            "int a(void) { return 1; }\n",
            &format!("add a\n\n{SIGNED}\n"),
        )],
    );
    let (code, log) = run_tester_with(root.path(), &upstream, &mbox, Some("--preset qemu"));
    assert!(
        log.contains("provgate-tester: policy: the preset qemu;"),
        "{log}"
    );
    assert!(log.contains("policy qemu (preset qemu)"), "{log}");
    assert_eq!(code, 1, "QEMU's policy wants an SPDX line: {log}");
    assert_clean(&log);
}

#[test]
fn without_a_base_it_cannot_check() {
    let root = tempfile::tempdir().unwrap();
    let upstream = project(root.path(), None);
    let status = Command::new(script())
        .current_dir(&upstream)
        .env("PROVGATE", PROVGATE)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("PROVGATE_BASE")
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&status.stdout).contains("no base commit 'base'"));
}

/// Patchew's base is the branch tip when its applier applied the series, which the branch may
/// have left behind: with `PROVGATE_POLICY_REV` naming the tip (as the tester's clone has it),
/// a series applied on a base from before the project tightened its policy is judged under the
/// policy in force (it passed under the base's looser one, and still does without the setting).
#[test]
fn the_policy_can_be_read_at_the_branch_tip_rather_than_an_old_base() {
    let root = tempfile::tempdir().unwrap();
    let upstream = project(root.path(), Some("extends = \"default\"\n"));
    let old_base = git(&upstream, &["rev-parse", "HEAD"]).trim().to_string();
    let mbox = series(
        root.path(),
        &upstream,
        &[(
            "a.c",
            "// SPDX-License-Identifier: GPL-2.0-or-later\nint a(void) { return 1; }\n",
            &format!("add a\n\nAssisted-by: Claude:claude-opus-4\n{SIGNED}\n"),
        )],
    );
    // The project tightens its policy after patchew applied the series.
    commit(
        &upstream,
        "provgate.toml",
        "extends = \"qemu-2025\"\n",
        &format!("policy: QEMU's\n\n{SIGNED}\n"),
    );
    let run = |policy_rev: Option<&str>| {
        let tester = root.path().join("tester");
        let _ = std::fs::remove_dir_all(&tester);
        let clone = tester.join("src");
        git(
            root.path(),
            &[
                "clone",
                "-q",
                upstream.to_str().unwrap(),
                clone.to_str().unwrap(),
            ],
        );
        git(&clone, &["checkout", "-q", "-b", "test", &old_base]);
        git(&clone, &["branch", "base", &old_base]);
        git(&clone, &["am", "-q", mbox.to_str().unwrap()]);
        let mut command = Command::new(script());
        match policy_rev {
            Some(rev) => command.env("PROVGATE_POLICY_REV", rev),
            None => command.env_remove("PROVGATE_POLICY_REV"),
        };
        let out = command
            .current_dir(&clone)
            .env("PROVGATE", PROVGATE)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("PROVGATE_BASE")
            .env_remove("PROVGATE_ARGS")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        (
            out.status.code().expect("the script exits"),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, log) = run(None);
    assert_eq!(code, 0, "under the old base's policy: {log}");
    let (code, log) = run(Some("origin/main"));
    assert_eq!(code, 1, "{log}");
    let tip = git(&upstream, &["rev-parse", "--short", "HEAD"])
        .trim()
        .to_string();
    assert!(
        log.contains(&format!(
            "provgate-tester: policy: provgate.toml as of {tip};"
        )),
        "{log}"
    );
    assert!(log.contains("error[ai-banned]"), "{log}");
    assert_clean(&log);
    let (code, log) = run(Some("origin/nosuchbranch"));
    assert_eq!(code, 2, "{log}");
    assert!(
        log.contains("no commit 'origin/nosuchbranch' to read the policy at"),
        "{log}"
    );
}
