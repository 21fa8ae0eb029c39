//! `provgate init`: a commented provgate.toml extending a preset.

use crate::cli::InitArgs;
use crate::{EXIT_OK, UserError, options, output};

/// Runs `init` and returns the exit status.
pub fn run(args: InitArgs) -> anyhow::Result<u8> {
    let text = provgate_policy::init_template(&args.preset).map_err(options::policy_error)?;
    let to_stdout = args.output.as_os_str() == "-";
    if !to_stdout && args.output.exists() && !args.force {
        return Err(UserError::new(
            format!("{} exists already", args.output.display()),
            "pass --force to overwrite it, or --output - to print the template",
        )
        .into());
    }
    output::write(Some(&args.output), &text)?;
    if !to_stdout {
        eprintln!(
            "wrote {} (extends \"{}\"); `provgate policy show` prints what it resolves to",
            args.output.display(),
            args.preset
        );
    }
    Ok(EXIT_OK)
}
