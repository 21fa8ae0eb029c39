//! `provgate policy show` and `provgate policy render`.

use provgate_policy::Format;

use crate::cli::{DocFormat, PolicyCommand};
use crate::{EXIT_OK, options, output};

/// Runs a `policy` subcommand and returns the exit status.
pub fn run(command: PolicyCommand) -> anyhow::Result<u8> {
    match command {
        PolicyCommand::Show(args) => {
            let mut loaded = options::load(&args.policy, &args.repo)?;
            loaded
                .policy
                .apply_overrides(&loaded.overrides)
                .map_err(options::policy_error)?;
            output::write(None, &loaded.policy.to_toml())?;
        }
        PolicyCommand::Render(args) => {
            let loaded = options::load(&args.policy, &args.repo)?;
            let format = match args.format {
                DocFormat::Md => Format::Markdown,
                DocFormat::Rst => Format::Rst,
            };
            let text = provgate_policy::render(&loaded.policy, format);
            output::write(args.output.as_deref(), &text)?;
        }
    }
    Ok(EXIT_OK)
}
