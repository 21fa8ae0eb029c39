//! `provgate`: checks contributions against a project's AI-contribution policy.

mod audit;
mod check;
mod cli;
mod completions;
mod explain;
mod hook;
mod init;
mod options;
mod output;
mod policy_cmd;
mod prove;
mod scan;
mod serve;
mod trailer;
mod zones;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::{Cli, Command};

/// Exit status when nothing failed.
const EXIT_OK: u8 = 0;
/// Exit status when a policy failed.
const EXIT_FAILED: u8 = 1;
/// Exit status for usage and input errors.
const EXIT_ERROR: u8 = 2;
/// Exit status when Ctrl-C stopped a scan (its partial result was still written).
const EXIT_INTERRUPTED: u8 = 130;

/// An error for the user: what went wrong and what to do about it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct UserError {
    message: String,
    hint: Option<String>,
}

impl UserError {
    /// An error whose message already says what to do.
    pub fn plain(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
        }
    }

    /// An error with a hint.
    pub fn new(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }
}

/// The colour choice the arguments make (`--color never|always|auto`, as the commands that
/// take it read it), for the messages clap prints before they are parsed.
fn clap_color(args: impl Iterator<Item = std::ffi::OsString>) -> clap::ColorChoice {
    let args: Vec<String> = args.map(|a| a.to_string_lossy().into_owned()).collect();
    let mut choice = clap::ColorChoice::Auto;
    for (i, arg) in args.iter().enumerate() {
        if arg == "--" {
            break;
        }
        let value = match arg.strip_prefix("--color=") {
            Some(value) => Some(value),
            None if arg == "--color" => args.get(i + 1).map(String::as_str),
            None => None,
        };
        match value {
            Some("never") => choice = clap::ColorChoice::Never,
            Some("always") => choice = clap::ColorChoice::Always,
            Some("auto") => choice = clap::ColorChoice::Auto,
            _ => {}
        }
    }
    choice
}

fn main() -> ExitCode {
    // `--color never` reaches clap's own messages too (a log captured through a terminal, as
    // some CI runners do, must not carry escape codes).
    let command = Cli::command().color(clap_color(std::env::args_os()));
    let parsed = command
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Prove(args) => prove::run(args),
        Command::Scan(args) => scan::run(args),
        Command::Audit(args) => audit::run_audit(args),
        Command::Attest(args) => audit::run_attest(args),
        Command::Trailer(cli::TrailerCommand::Add(args)) => trailer::run(args),
        Command::Hook(command) => hook::run(command),
        Command::Explain(args) => explain::run(args),
        Command::Zones(args) => zones::run(args),
        Command::Init(args) => init::run(args),
        Command::Policy(command) => policy_cmd::run(command),
        Command::Serve(args) => serve::run(args),
        Command::Completions(args) => completions::completions(args),
        Command::Man(args) => completions::man(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "error: {error:#}");
            if let Some(hint) = error
                .downcast_ref::<UserError>()
                .and_then(|e| e.hint.as_ref())
            {
                let _ = writeln!(stderr, "  hint: {hint}");
            }
            ExitCode::from(EXIT_ERROR)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(args: &[&str]) -> clap::ColorChoice {
        clap_color(args.iter().map(std::ffi::OsString::from))
    }

    #[test]
    fn the_color_flag_reaches_clap() {
        assert_eq!(choice(&["provgate", "check"]), clap::ColorChoice::Auto);
        assert_eq!(
            choice(&["provgate", "check", "--color", "never", "--bogus"]),
            clap::ColorChoice::Never
        );
        assert_eq!(
            choice(&["provgate", "check", "--color=always"]),
            clap::ColorChoice::Always
        );
        // After `--` it is an input, not a flag.
        assert_eq!(
            choice(&["provgate", "check", "--", "--color=always"]),
            clap::ColorChoice::Auto
        );
    }
}
