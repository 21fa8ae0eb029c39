//! `provgate prove`: runs each patch's regression test on its base without the fix, then with
//! it, and reports both runs.

use std::path::PathBuf;
use std::time::Duration;

use provgate_engine::{CheckRequest, ProveRequest, Proved};

use crate::cli::ProveArgs;
use crate::options::{self, user_error};
use crate::{EXIT_ERROR, EXIT_FAILED, EXIT_OK, UserError, output};

/// Runs `prove` and returns the exit status.
pub fn run(args: ProveArgs) -> anyhow::Result<u8> {
    let test_cmd = test_command(&args)?;
    if args.timeout == 0 {
        return Err(UserError::new(
            "--timeout 0 would kill every run at once",
            "give the seconds one run of the tests may take",
        )
        .into());
    }
    let repo = repository(&args)?;
    if let Some(base) = &args.base {
        provgate_engine::check_base(&repo, base).map_err(user_error)?;
    }
    let recorder = crate::audit::Recorder::open(&args.record, &repo)?;
    let request = ProveRequest {
        check: CheckRequest {
            inputs: provgate_engine::Input::from_args(&args.inputs, &repo).map_err(user_error)?,
            read: options::read_options(args.mboxrd),
            range: provgate_git::RangeOptions::default(),
            branch: None,
        },
        test_cmd,
        timeout: Duration::from_secs(args.timeout),
        base: args.base.clone(),
    };

    // Ctrl-C ends the test commands and removes the worktrees before the process goes.
    ctrlc::set_handler(|| {
        provgate_prove::on_interrupt();
        std::process::exit(i32::from(crate::EXIT_INTERRUPTED));
    })
    .map_err(|e| anyhow::anyhow!("cannot install the Ctrl-C handler: {e}"))?;

    let proved = match provgate_engine::prove(&repo, &request, &mut |patch| {
        eprintln!(
            "proving {} {} ...",
            provgate_report::short_id(&patch.id),
            patch.subject
        );
    }) {
        Proved::Done(proved) => proved,
        Proved::Interrupted => return Ok(crate::EXIT_INTERRUPTED),
    };
    output::deliver(&proved, &args.report, recorder.as_ref(), "prove")?;
    let report = &proved.report;
    Ok(if report.summary.errors > 0 {
        EXIT_ERROR
    } else if report.summary.failed > 0 {
        EXIT_FAILED
    } else {
        EXIT_OK
    })
}

/// `--test-cmd`, else `provgate.testCmd` from the user's global git configuration: the
/// checked repository's own configuration and files are never asked, since they may come from
/// the very contributor whose patch is proved.
fn test_command(args: &ProveArgs) -> Result<String, UserError> {
    let hint = "give the command that runs the tests, e.g. --test-cmd 'make check', or set it once with `git config --global provgate.testCmd 'make check'`";
    let cmd = match &args.test_cmd {
        Some(cmd) => cmd.clone(),
        None => provgate_git::global_config("provgate.testCmd")
            .ok()
            .flatten()
            .ok_or_else(|| UserError::new("no test command", hint))?,
    };
    if cmd.trim().is_empty() {
        return Err(UserError::new("the test command is empty", hint));
    }
    Ok(cmd)
}

/// The work tree the patches apply to: proofs check out worktrees of its repository.
fn repository(args: &ProveArgs) -> Result<PathBuf, UserError> {
    provgate_engine::project_root(&args.repo)
        .filter(|root| root.join(".git").exists())
        .ok_or_else(|| {
            UserError::new(
                format!("{} is not in a git repository", args.repo.display()),
                "prove checks out each patch's base in a temporary worktree: run it in the repository the patches apply to, or pass --repo DIR",
            )
        })
}
