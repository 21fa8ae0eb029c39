//! The command line's arguments turned into the engine's options, and the engine's errors into
//! the user's.

use std::path::Path;

use provgate_engine::{
    CodeMode, EngineError, GateOptions, LoadedPolicy, PolicySource, load_policy,
};
use provgate_policy::{Overrides, PolicyError, Stage};

use crate::UserError;
use crate::cli::{CodeArgs, PolicyArgs, StageArg};

/// The policy `--policy` or `--preset` names, or the repository's.
pub fn policy_source(args: &PolicyArgs) -> PolicySource {
    match (&args.policy, &args.preset) {
        (Some(path), _) => PolicySource::File(path.clone()),
        (None, Some(name)) => PolicySource::Preset(name.clone()),
        (None, None) => PolicySource::Repository,
    }
}

/// The `-A/-W/-D` re-levelling, its rule names checked.
pub fn overrides(args: &PolicyArgs) -> Result<Overrides, UserError> {
    Overrides::parse(&args.allow, &args.warn, &args.deny).map_err(policy_error)
}

/// The policy the arguments name, for the commands that read a policy without judging.
pub fn load(args: &PolicyArgs, repo: &Path) -> Result<LoadedPolicy, UserError> {
    // The policy's own errors first, then the command line's rule names, as before the engine.
    let mut loaded =
        load_policy(&policy_source(args), Overrides::default(), repo).map_err(user_error)?;
    loaded.overrides = overrides(args)?;
    Ok(loaded)
}

/// Gate options for judging in `repo` under the policy the arguments name.
pub fn gate(args: &PolicyArgs, repo: &Path) -> Result<GateOptions, UserError> {
    let mut options = GateOptions::new(repo, provgate_engine::today().map_err(user_error)?);
    options.policies = vec![policy_source(args)];
    options.overrides = overrides(args)?;
    Ok(options)
}

/// `--stage`.
pub fn stage(arg: StageArg) -> Stage {
    match arg {
        StageArg::Submit => Stage::Submit,
        StageArg::Merge => Stage::Merge,
    }
}

/// `--no-code`, `--base` and `--proof` set on gate options.
pub fn code(options: &mut GateOptions, args: &CodeArgs) {
    options.code = if args.no_code {
        CodeMode::Off
    } else {
        CodeMode::Read
    };
    options.base = args.base.clone();
    options.proofs = args.proof.clone();
}

/// An engine error as the user sees it.
pub fn user_error(error: EngineError) -> UserError {
    match error.hint() {
        Some(hint) => UserError::new(error.to_string(), hint),
        None => UserError::plain(error.to_string()),
    }
}

/// A policy error as the user sees it.
pub fn policy_error(error: PolicyError) -> UserError {
    user_error(error.into())
}

/// How mail is read: mboxrd quoting undone only when asked (`--mboxrd`).
pub fn read_options(mboxrd: bool) -> provgate_patch::input::ReadOptions {
    provgate_patch::input::ReadOptions {
        mbox_flavor: if mboxrd {
            provgate_patch::mbox::MboxFlavor::Mboxrd
        } else {
            provgate_patch::mbox::MboxFlavor::Mboxo
        },
    }
}
