//! The command line: every command, flag and its help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Checks contributions — commits, patch e-mails, plain diffs — against a project's
/// AI-contribution policy, offline, in one pass.
#[derive(Debug, Parser)]
#[command(name = "provgate", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read commits, patch e-mails or diffs and report what was contributed.
    ///
    /// Each INPUT is a revision range of the repository (`A..B`, `A...B`, or one commit `A`),
    /// a file (an mbox, one `.patch`/`.eml` message, or a plain diff), a directory of such
    /// files (read in name order), or `-` for standard input. With no INPUT, the commits of
    /// the current branch that are not on its upstream (`@{upstream}..HEAD`).
    ///
    /// Exit status: 0 when nothing failed, 1 when a policy check failed, 2 when an input
    /// could not be read (the other inputs are still read and reported).
    #[command(after_help = "Examples:\n  \
        provgate check                          # this branch's commits not yet upstream\n  \
        provgate check origin/master..HEAD      # a range\n  \
        provgate check --format json series.mbox\n  \
        git format-patch -3 --stdout | provgate check -")]
    Check(CheckArgs),
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people: series, patches, files, errors and a summary line.
    Text,
    /// The versioned report contract (docs/report-format.md).
    Json,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Revision ranges, files, directories, or `-` for standard input.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// The repository that revision ranges refer to.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Read at most N commits of each range (the newest N, like `git log -n`).
    #[arg(long, short = 'n', value_name = "N")]
    pub max_count: Option<usize>,

    /// Follow only the first parent of merges in ranges.
    #[arg(long)]
    pub first_parent: bool,

    /// Read merge commits too (they are skipped and counted by default).
    #[arg(long)]
    pub include_merges: bool,

    /// Undo mboxrd `>From ` quoting in mbox files (public-inbox archives are mboxrd).
    #[arg(long)]
    pub mboxrd: bool,
}
