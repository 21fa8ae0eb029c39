//! `provgate completions SHELL` and the hidden `provgate man OUT_DIR`: both generated from the
//! command line's own definition, so that they cannot drift from it.
//!
//! Man pages are a hidden subcommand rather than an xtask because the CLI definition lives in
//! this binary crate (it has no library target): an xtask would have to copy or `#[path]`-include
//! `cli.rs`, while the binary itself always writes pages that match the installed version, and
//! a packager can run it right after the build.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use clap::CommandFactory;

use crate::EXIT_OK;
use crate::cli::{Cli, CompletionsArgs, ManArgs};

/// Prints the completion script for the shell.
pub fn completions(args: CompletionsArgs) -> anyhow::Result<u8> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "provgate", &mut script);
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`provgate completions bash | head`) is not worth reporting.
    let _ = stdout.write_all(&script);
    let _ = stdout.flush();
    Ok(EXIT_OK)
}

/// Writes `provgate.1` and `provgate-SUB[-SUB…].1` for every visible subcommand into the
/// directory.
pub fn man(args: ManArgs) -> anyhow::Result<u8> {
    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("cannot create {}", args.out_dir.display()))?;
    let mut command = Cli::command();
    // Building fills in what rendering needs (propagated version, help subcommands).
    command.build();
    write_pages(&command, "provgate", &args.out_dir)?;
    Ok(EXIT_OK)
}

fn write_pages(command: &clap::Command, name: &str, dir: &Path) -> anyhow::Result<()> {
    // clap_mangen titles a page by the command's name; a subcommand's page is named after its
    // whole path, as git's are (`git-commit(1)`).
    let page_command = command.clone().display_name(name.to_string());
    let mut page = Vec::new();
    clap_mangen::Man::new(page_command)
        .render(&mut page)
        .with_context(|| format!("cannot render the man page of {name}"))?;
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, page).with_context(|| format!("cannot write {}", path.display()))?;
    for sub in command.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        write_pages(sub, &format!("{name}-{}", sub.get_name()), dir)?;
    }
    Ok(())
}
