//! `provgate hook`: git hooks that check a commit message as it is written (commit-msg) and the
//! commits about to leave (pre-push). A hook that was there before is kept beside ours and still
//! runs first; `hook uninstall` puts it back.

use std::io::Read;
use std::path::{Path, PathBuf};

use provgate_engine::{CodeMode, Gate, GateOptions, hooks};
use provgate_patch::Patch;
use provgate_report::text::TextOptions;

use crate::cli::{HookCommand, HookInstallArgs, HookRunArgs, HookRunKind};
use crate::options::user_error;
use crate::{EXIT_FAILED, EXIT_OK, UserError};

/// The line that marks a hook as ours.
const MARKER: &str = "# provgate-hook";
/// Suffix of a hook that was there before ours, kept and run first.
const CHAINED: &str = ".provgate-chained";

/// Runs a `hook` subcommand and returns the exit status.
pub fn run(command: HookCommand) -> anyhow::Result<u8> {
    match command {
        HookCommand::Install(args) => install(&args),
        HookCommand::Uninstall(args) => uninstall(&args.repo),
        HookCommand::Run(args) => run_hook(args),
    }
}

fn hooks_dir(repo: &Path) -> anyhow::Result<PathBuf> {
    match provgate_git::hooks_dir(repo) {
        Ok(dir) => Ok(dir),
        Err(provgate_git::GitError::Spawn { source, .. }) => Err(source.into()),
        Err(_) => Err(UserError::new(
            format!("{} is not in a git repository", repo.display()),
            "run `provgate hook install` inside the repository, or pass --repo DIR",
        )
        .into()),
    }
}

fn install(args: &HookInstallArgs) -> anyhow::Result<u8> {
    let dir = hooks_dir(&args.repo)?;
    std::fs::create_dir_all(&dir)?;
    let both = !args.commit_msg && !args.pre_push;
    let exe = std::env::current_exe()?;
    let exe = shell_quote(&exe.display().to_string());
    let mut installed = Vec::new();
    if args.commit_msg || both {
        let add = if args.add_signoff {
            " --add-signoff"
        } else {
            ""
        };
        let script = format!(
            "#!/bin/sh\n{MARKER}: installed by `provgate hook install`; `provgate hook uninstall` removes it\n\
             # and restores the hook it replaced, which is kept as commit-msg{CHAINED} and runs first.\n\
             PROVGATE=\"${{PROVGATE:-{exe}}}\"\n\
             if [ -x \"$0{CHAINED}\" ]; then\n  \"$0{CHAINED}\" \"$@\" || exit $?\nfi\n\
             exec \"$PROVGATE\" hook run commit-msg{add} \"$@\"\n"
        );
        write_hook(&dir.join("commit-msg"), &script)?;
        installed.push("commit-msg");
    }
    if args.pre_push || both {
        let script = format!(
            "#!/bin/sh\n{MARKER}: installed by `provgate hook install`; `provgate hook uninstall` removes it\n\
             # and restores the hook it replaced, which is kept as pre-push{CHAINED} and runs first.\n\
             PROVGATE=\"${{PROVGATE:-{exe}}}\"\n\
             input=$(cat)\n\
             if [ -x \"$0{CHAINED}\" ]; then\n  printf '%s\\n' \"$input\" | \"$0{CHAINED}\" \"$@\" || exit $?\nfi\n\
             printf '%s\\n' \"$input\" | \"$PROVGATE\" hook run pre-push \"$@\"\n"
        );
        write_hook(&dir.join("pre-push"), &script)?;
        installed.push("pre-push");
    }
    eprintln!("installed {} in {}", installed.join(" and "), dir.display());
    Ok(EXIT_OK)
}

/// Writes our hook; a foreign hook already there is moved aside to be chained, never lost.
fn write_hook(path: &Path, script: &str) -> anyhow::Result<()> {
    let chained = chained_path(path);
    if path.exists() && !is_ours(path) {
        if chained.exists() {
            return Err(UserError::new(
                format!(
                    "{} exists and so does {}",
                    path.display(),
                    chained.display()
                ),
                "move one of them away by hand; provgate never overwrites a hook",
            )
            .into());
        }
        std::fs::rename(path, &chained)?;
        eprintln!(
            "kept the existing {} as {}; it still runs first",
            path.display(),
            chained.display()
        );
    }
    std::fs::write(path, script)?;
    make_executable(path)?;
    Ok(())
}

fn uninstall(repo: &Path) -> anyhow::Result<u8> {
    let dir = hooks_dir(repo)?;
    for name in ["commit-msg", "pre-push"] {
        let path = dir.join(name);
        if !path.exists() || !is_ours(&path) {
            continue;
        }
        std::fs::remove_file(&path)?;
        let chained = chained_path(&path);
        if chained.exists() {
            std::fs::rename(&chained, &path)?;
            eprintln!("restored the previous {name} hook");
        } else {
            eprintln!("removed the {name} hook");
        }
    }
    Ok(EXIT_OK)
}

fn chained_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(CHAINED);
    path.with_file_name(name)
}

fn is_ours(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|text| text.contains(MARKER))
}

#[cfg(unix)]
fn make_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}

#[cfg(not(unix))]
fn make_executable(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

fn shell_quote(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('$', "\\$")
        .replace('`', "\\`")
}

fn run_hook(args: HookRunArgs) -> anyhow::Result<u8> {
    let repo = PathBuf::from(".");
    match args.kind {
        HookRunKind::CommitMsg => {
            let file = args.args.first().map(PathBuf::from).ok_or_else(|| {
                UserError::new(
                    "commit-msg needs the message file",
                    "git passes it; to try by hand: provgate hook run commit-msg .git/COMMIT_EDITMSG",
                )
            })?;
            commit_msg(&repo, &file, args.add_signoff)
        }
        HookRunKind::PrePush => {
            let remote = args
                .args
                .first()
                .cloned()
                .unwrap_or_else(|| "origin".into());
            let mut input = String::new();
            std::io::stdin().read_to_string(&mut input)?;
            pre_push(&repo, &remote, &input)
        }
    }
}

/// Checks the message being committed, with the staged changes and the committer's identity.
fn commit_msg(repo: &Path, file: &Path, add_signoff: bool) -> anyhow::Result<u8> {
    let mut message = std::fs::read_to_string(file)?;
    if add_signoff
        && let Some(author) = provgate_git::author(repo)
        && !provgate_patch::trailers::parse_commit_trailers(&message)
            .iter()
            .any(|t| t.is("Signed-off-by") && t.value == author.to_string())
    {
        message = provgate_patch::trailers::insert_trailer(
            &message,
            "Signed-off-by",
            &author.to_string(),
            provgate_patch::trailers::Placement::End,
        );
        std::fs::write(file, &message)?;
    }
    let patch = hooks::commit_being_written(repo, file, message).map_err(user_error)?;
    judge(repo, vec![patch], "commit-msg", false)
}

/// Checks every commit a push would send that the remote does not have.
fn pre_push(repo: &Path, remote: &str, input: &str) -> anyhow::Result<u8> {
    let patches = hooks::outgoing_commits(repo, remote, input).map_err(user_error)?;
    if patches.is_empty() {
        return Ok(EXIT_OK);
    }
    judge(repo, patches, "pre-push", true)
}

/// Judges patches under the repository's policy, printing findings to standard error (where git
/// shows hook output); 1 when the policy fails.
///
/// With `read_code`, the added code is read as `check` reads it (outgoing commits exist in the
/// repository; a message being written has no code to read).
fn judge(repo: &Path, patches: Vec<Patch>, what: &str, read_code: bool) -> anyhow::Result<u8> {
    let mut options = GateOptions::new(repo, provgate_engine::today().map_err(user_error)?);
    // A hook that cannot read the code still checks the rest rather than block the push.
    options.code = if read_code {
        CodeMode::BestEffort
    } else {
        CodeMode::Off
    };
    let gate = Gate::new(options).map_err(user_error)?;
    if let Some(e) = gate.code_error() {
        eprintln!("provgate: the added code was not read: {e}");
    }
    let report = gate.judge_patches(what, patches).report;
    if report.summary.deny + report.summary.warn > 0 {
        let text = provgate_report::text::render(
            &report,
            TextOptions {
                color: false,
                quiet: true,
                errors: true,
            },
        );
        eprint!("{text}");
    }
    if report.verdict == Some(provgate_report::Verdict::Fail) {
        eprintln!(
            "provgate: {what} refused by the policy ({}); fix the findings above (`provgate explain RULE` says how), or bypass with --no-verify",
            gate.policy().extends
        );
        return Ok(EXIT_FAILED);
    }
    Ok(EXIT_OK)
}
