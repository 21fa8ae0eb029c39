//! The command line: every command, flag and its help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Checks contributions — commits, patch e-mails, plain diffs — against a project's
/// AI-contribution policy, offline, in one pass.
///
/// The policy is `provgate.toml` at the repository root, else `--policy FILE`, else
/// `--preset NAME`, else the built-in `default` preset. `provgate init --preset qemu` writes a
/// commented policy file to start from.
#[derive(Debug, Parser)]
#[command(name = "provgate", version, about, max_term_width = 100)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check commits, patch e-mails or diffs against the policy.
    ///
    /// Each INPUT is a revision range of the repository (`A..B`, `A...B`, or one commit `A`),
    /// a file (an mbox, one `.patch`/`.eml` message, or a plain diff), a directory of such
    /// files (read in name order), or `-` for standard input. With no INPUT, the commits of
    /// the current branch that are not on its upstream (`@{upstream}..HEAD`).
    ///
    /// Exit status: 0 when nothing failed, 1 when a rule at `deny` fired (never in
    /// `mode = "warn"`), 2 when an input or the policy could not be read (the other inputs are
    /// still read and reported).
    #[command(after_help = "Examples:\n  \
        provgate check                              # this branch's commits not yet upstream\n  \
        provgate check origin/master..HEAD          # a range\n  \
        provgate check --preset qemu series.mbox    # a mailing-list series under QEMU's policy\n  \
        provgate check --format sarif -o provgate.sarif origin/main..HEAD\n  \
        provgate check -D undisclosed-ai -A spdx-missing HEAD~5..\n  \
        git format-patch -3 --stdout | provgate check -")]
    Check(CheckArgs),

    /// Prove regression tests: each patch's tests must fail on its base without the fix and
    /// pass with the whole patch.
    ///
    /// For each patch that changes both test files and other files, a temporary worktree of
    /// its base gets only the test files, and CMD runs (`sh -c`, in the worktree's root),
    /// expecting failure; then the rest of the patch, and CMD again, expecting success. A patch
    /// of a mailed series is applied on top of the series' earlier patches. Both runs are
    /// reported (exit status, time, the end of the output); the worktree is removed on every
    /// path, Ctrl-C included. Hand the JSON report to `check --proof` to let the policy's
    /// `regression-test-unproven` rule see it.
    ///
    /// CMD is taken only from this command line or your own global git configuration
    /// (`provgate.testCmd`): never from a file of the checked repository.
    ///
    /// Exit status: 0 when every proof holds (or there was nothing to prove), 1 when a test
    /// passes without the fix (hollow), fails with it (broken) or could not be run to the end
    /// (inconclusive), 2 when an input could not be read or a worktree could not be made.
    #[command(after_help = "Examples:\n  \
        provgate prove --test-cmd 'make check-unit' HEAD~1..HEAD\n  \
        provgate prove --test-cmd 'cargo test -q' --timeout 300 --base origin/main fix.mbox\n  \
        provgate prove --test-cmd 'make check' --format json -o proof.json origin/main..HEAD\n  \
        provgate check --proof proof.json origin/main..HEAD")]
    Prove(ProveArgs),

    /// Scan a history: AI use, DCO and verdicts per commit, by month, zone, tool and rule; and
    /// what each of several policies would have decided.
    ///
    /// Results per commit are cached under the git directory (per provgate version and
    /// policies), so a re-scan after new commits reads only those. Ctrl-C stops the scan and
    /// prints what was read so far (exit status 130).
    #[command(after_help = "Examples:\n  \
        provgate scan                                   # all of HEAD under the project's policy\n  \
        provgate scan --preset qemu --preset qemu-2025 v9.0.0..HEAD   # compare two policies\n  \
        provgate scan --format html -o ai-report.html --commit-url 'https://example.org/commit/{id}'")]
    Scan(ScanArgs),

    /// The audit log: every recorded verdict, hash-chained so that no entry can be edited,
    /// removed, inserted or reordered unnoticed.
    #[command(
        after_help = "Examples:\n  provgate check --record origin/main..HEAD   # record a verdict\n  \
        provgate audit log\n  provgate audit verify\n  \
        provgate audit keygen --private audit.key --public audit.pub\n  \
        provgate audit checkpoint --key audit.key -o head.json\n  \
        provgate audit verify --checkpoint head.json --key audit.pub"
    )]
    Audit(AuditArgs),

    /// Write in-toto provenance statements for commits into git notes, or verify them.
    #[command(
        after_help = "Examples:\n  provgate attest origin/main..HEAD --key attest.key\n  \
        provgate attest verify origin/main..HEAD --key attest.pub --require-signature\n  \
        git push origin refs/notes/provenance   # notes travel only when pushed"
    )]
    Attest(AttestArgs),

    /// Write the disclosure trailer the policy uses, in its syntax and place.
    #[command(subcommand)]
    Trailer(TrailerCommand),

    /// Install git hooks that check commits as they are written and before they are pushed.
    #[command(subcommand)]
    Hook(HookCommand),

    /// Show a rule's documentation: what it checks, why, which policy says so, how to fix.
    #[command(
        after_help = "Examples:\n  provgate explain ai-line-limit\n  provgate explain --list"
    )]
    Explain(ExplainArgs),

    /// Show the zones, kind, MAINTAINERS sections and maintainers of paths.
    #[command(
        after_help = "Examples:\n  provgate zones hw/arm/virt.c docs/index.rst\n  \
        git ls-files | provgate zones --format json -"
    )]
    Zones(ZonesArgs),

    /// Write a commented provgate.toml to start from.
    #[command(
        after_help = "Examples:\n  provgate init --preset qemu\n  provgate init --preset linux --output -"
    )]
    Init(InitArgs),

    /// Show the resolved policy, or render it as a document for the project's docs.
    #[command(subcommand)]
    Policy(PolicyCommand),

    /// Run the service: check every series where it arrives (list archives, Maildirs,
    /// Patchwork, pull and merge requests, `POST /api/v1/check`), deliver the verdicts where
    /// maintainers look (threaded replies, Patchwork checks, forge checks), and show them on a
    /// dashboard.
    ///
    /// Everything is set in the operator's TOML file (see docs/serve.md); nothing in a checked
    /// repository or a received mail configures the service. With the default SQLite database
    /// one process does everything; with a PostgreSQL database, extra `--worker` processes on
    /// any machine share the queue. SIGTERM or Ctrl-C stops taking work, finishes the jobs in
    /// hand, and exits.
    ///
    /// Exit status: 0 after a clean stop, 2 when the configuration, the database or the
    /// listening address cannot be used.
    #[command(after_help = "Examples:\n  \
        provgate serve --config examples/serve/serve.toml\n  \
        provgate serve --config /etc/provgate/serve.toml --worker   # an extra worker (PostgreSQL)\n  \
        provgate serve --config serve.toml --check-config\n  \
        provgate serve --hash-token < token.txt                    # the sha256 for [[tokens]]")]
    Serve(ServeArgs),

    /// Print a shell completion script.
    #[command(after_help = "Examples:\n  \
        provgate completions bash > /usr/share/bash-completion/completions/provgate\n  \
        provgate completions zsh > /usr/share/zsh/site-functions/_provgate\n  \
        provgate completions fish > ~/.config/fish/completions/provgate.fish")]
    Completions(CompletionsArgs),

    /// Write man pages: provgate.1 and one page per subcommand (for packagers).
    #[command(hide = true)]
    Man(ManArgs),
}

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of the hidden `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The directory to write the pages into (created when missing).
    #[arg(value_name = "OUT_DIR")]
    pub out_dir: PathBuf,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people: findings with the offending lines, then a summary.
    Text,
    /// The versioned report contract (docs/report-format.md).
    Json,
    /// SARIF 2.1.0 for code scanning and reviewdog.
    Sarif,
    /// GitHub Actions annotations (capped, see --max-annotations).
    Github,
    /// A pull-request comment or job summary.
    Markdown,
    /// A plain-text reply for a mailing-list bot (patchew style).
    Email,
    /// b4's per-patch check (`prep-`/`am-perpatch-check-cmd`): nothing when the patch passes,
    /// else one `ERROR:`/`WARNING:` line per finding (docs/b4.md).
    B4,
    /// b4's review check (`review-perpatch-check-cmd`): a JSON array of
    /// `{tool, status, summary, url, details}` (docs/b4.md).
    B4Review,
    /// GitLab Code Quality (artifacts:reports:codequality), shown on merge requests.
    Codequality,
}

/// When to colour text output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// When writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// When in a contribution's life the check runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StageArg {
    /// As sent or pushed for review.
    Submit,
    /// About to be merged: review trailers are required too.
    Merge,
}

/// Choosing the policy and re-levelling its rules.
#[derive(Debug, Args, Clone, Default)]
pub struct PolicyArgs {
    /// The policy file (default: provgate.toml at the repository root, if there is one).
    #[arg(long, value_name = "FILE", conflicts_with = "preset")]
    pub policy: Option<PathBuf>,

    /// A built-in policy instead of a file: default, qemu, qemu-llm-usage, qemu-2025, linux,
    /// mesa, fedora, llvm, openinfra, asf, ban.
    #[arg(long, value_name = "NAME", long_help = preset_long_help())]
    pub preset: Option<String>,

    /// Switch a rule off (repeatable).
    #[arg(short = 'A', long = "allow", value_name = "RULE")]
    pub allow: Vec<String>,

    /// Report a rule's findings as warnings (repeatable).
    #[arg(short = 'W', long = "warn", value_name = "RULE")]
    pub warn: Vec<String>,

    /// Fail on a rule's findings (repeatable).
    #[arg(short = 'D', long = "deny", value_name = "RULE")]
    pub deny: Vec<String>,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Revision ranges, files, directories, or `-` for standard input.
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// The repository that revision ranges refer to; its root holds provgate.toml and MAINTAINERS.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,

    #[command(flatten)]
    pub policy: PolicyArgs,

    /// `merge` also requires review trailers (Reviewed-by/Acked-by) where the policy asks.
    #[arg(long, value_enum, default_value_t = StageArg::Submit)]
    pub stage: StageArg,

    #[command(flatten)]
    pub report: ReportArgs,

    #[command(flatten)]
    pub code: CodeArgs,

    /// Read at most N commits of each range (the newest N, like `git log -n`).
    #[arg(long, short = 'n', value_name = "N")]
    pub max_count: Option<usize>,

    /// Follow only the first parent of merges in ranges.
    #[arg(long)]
    pub first_parent: bool,

    /// Read merge commits too (they are skipped and counted by default).
    #[arg(long)]
    pub include_merges: bool,

    /// The branch the inputs come from (in CI, the pull request's head ref). An agent's branch
    /// (`claude/…`, `codex/…`, `copilot/…`, `cursor/…`) is evidence of AI use. Without it, the
    /// head of a range `A..B` counts when B names a branch.
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,

    /// Undo mboxrd `>From ` quoting in mbox files (public-inbox archives are mboxrd).
    #[arg(long)]
    pub mboxrd: bool,

    /// Do not match MAINTAINERS `K:` keywords against the lines a patch adds and removes:
    /// sections come from paths alone (get_maintainer.pl's `--nokeywords`; the policy's
    /// `zones.maintainers-keywords = false`).
    #[arg(long)]
    pub no_keywords: bool,

    /// Read the policy file, MAINTAINERS and .mailmap at the commit REV (the base a change
    /// applies to: `origin/main`, a commit id) instead of the work tree, so that a change cannot
    /// loosen the policy that judges it nor name its own zone maintainers. The report says so,
    /// and names each of these files the change edits. A `--policy` file inside the repository
    /// is read at REV too; a preset or a file outside it is used as given.
    #[arg(long, value_name = "REV")]
    pub base_policy: Option<String>,

    /// Also write the report as FORMAT to FILE, from the same run (repeatable; e.g.
    /// `--write sarif=provgate.sarif --write markdown=summary.md`): a CI job gets every format
    /// it needs from one check. Text written this way has no colours.
    #[arg(long, value_name = "FORMAT=FILE", value_parser = parse_write)]
    pub write: Vec<WriteTo>,

    #[command(flatten)]
    pub record: RecordArgs,
}

/// One `--write FORMAT=FILE`.
#[derive(Debug, Clone)]
pub struct WriteTo {
    /// The format.
    pub format: Format,
    /// Where.
    pub file: PathBuf,
}

fn parse_write(value: &str) -> Result<WriteTo, String> {
    let Some((format, file)) = value.split_once('=') else {
        return Err(format!(
            "`{value}` is not FORMAT=FILE (e.g. sarif=provgate.sarif)"
        ));
    };
    let format = Format::from_str(format, true).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        format!("unknown format `{format}`; one of {}", names.join(", "))
    })?;
    if file.is_empty() {
        return Err(format!("`{value}` names no file"));
    }
    Ok(WriteTo {
        format,
        file: PathBuf::from(file),
    })
}

/// How a report is written.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Text: show only findings and the summary.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Text: when to use colours.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,

    /// GitHub format: annotations written before the rest are only counted.
    #[arg(long, value_name = "N", default_value_t = provgate_report::github::DEFAULT_MAX_ANNOTATIONS)]
    pub max_annotations: usize,

    /// GitHub format: error annotations (deny findings and unreadable inputs) written before the
    /// rest are only counted; GitHub shows 10 per step.
    #[arg(long, value_name = "N", default_value_t = provgate_report::github::STEP_MAX_ERRORS)]
    pub max_errors: usize,

    /// GitHub format: warning annotations written before the rest are only counted; GitHub
    /// shows 10 per step.
    #[arg(long, value_name = "N", default_value_t = provgate_report::github::STEP_MAX_WARNINGS)]
    pub max_warnings: usize,
}

/// Recording the verdict in the audit log.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Record the verdict in the audit log (see `provgate audit`).
    #[arg(long)]
    pub record: bool,

    /// The audit log to record in (implies --record): a SQLite file or `postgres://…`.
    #[arg(long, value_name = "LOCATION")]
    pub store: Option<String>,
}

impl RecordArgs {
    /// Whether to record.
    pub fn wanted(&self) -> bool {
        self.record || self.store.is_some()
    }
}

/// Reading the added code as code (the code rules: `provgate explain unknown-symbol`, …).
#[derive(Debug, Args, Default)]
pub struct CodeArgs {
    /// Do not read the added code as code: the code rules report nothing, and lines are
    /// classified by text alone. Saves building the symbol index on a first run in a large
    /// tree (it is cached under the git directory afterwards).
    #[arg(long)]
    pub no_code: bool,

    /// The revision that mail and plain diffs apply to, for the symbol index (default: HEAD).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,

    /// A JSON report of `provgate prove` whose proofs the `regression-test-unproven` rule
    /// uses (repeatable).
    #[arg(long, value_name = "FILE")]
    pub proof: Vec<PathBuf>,
}

/// Arguments of `prove`.
#[derive(Debug, Args)]
pub struct ProveArgs {
    /// Revision ranges, files, directories, or `-` for standard input, as for `check`
    /// (default: `@{upstream}..HEAD`).
    #[arg(value_name = "INPUT")]
    pub inputs: Vec<String>,

    /// The repository the patches apply to.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,

    /// The test command, run with `sh -c` in the worktree's root (default: `provgate.testCmd`
    /// from your global git configuration, `git config --global provgate.testCmd 'make check'`).
    #[arg(long, value_name = "CMD")]
    pub test_cmd: Option<String>,

    /// Seconds one run may take before its process group is killed.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub timeout: u64,

    /// The revision that mail and plain diffs apply to (default: HEAD).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,

    /// Undo mboxrd `>From ` quoting in mbox files.
    #[arg(long)]
    pub mboxrd: bool,

    #[command(flatten)]
    pub report: ReportArgs,

    #[command(flatten)]
    pub record: RecordArgs,
}

/// Arguments of `audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// What to do with the log.
    #[command(subcommand)]
    pub command: AuditCommand,

    /// The log: a SQLite file, or `postgres://user@host/db` (default: `provgate/audit.sqlite`
    /// in the repository's git directory).
    #[arg(long, global = true, value_name = "LOCATION")]
    pub store: Option<String>,

    /// The repository whose log is meant.
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,
}

/// `audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// List entries, newest last.
    Log {
        /// At most N entries.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Only this verdict (pass, warn, fail).
        #[arg(long, value_parser = parse_verdict)]
        verdict: Option<provgate_report::Verdict>,
        /// Only this policy (name or digest prefix).
        #[arg(long)]
        policy: Option<String>,
        /// Only entries about this commit (or prefix) or Message-ID.
        #[arg(long)]
        subject: Option<String>,
    },
    /// Print one entry as recorded, with its hash.
    Show {
        /// Its sequence number.
        seq: i64,
    },
    /// Write every entry as JSON lines (each line's SHA-256 is the entry's hash).
    Export {
        /// Write to FILE instead of standard output.
        #[arg(long, short = 'o')]
        output: Option<PathBuf>,
    },
    /// Check the whole chain; name the first entry that is not as recorded (exit 1).
    Verify {
        /// Also check the log against a signed checkpoint.
        #[arg(long, requires = "key")]
        checkpoint: Option<PathBuf>,
        /// The public key (PEM) that signed the checkpoint.
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// Sign the log's head with an ed25519 key, for third parties to check later.
    Checkpoint {
        /// The private key (PEM, PKCS#8).
        #[arg(long)]
        key: PathBuf,
        /// Write the checkpoint to FILE instead of standard output.
        #[arg(long, short = 'o')]
        output: Option<PathBuf>,
    },
    /// Make an ed25519 key pair for checkpoints and attestations.
    Keygen {
        /// Where to write the private key.
        #[arg(long)]
        private: PathBuf,
        /// Where to write the public key.
        #[arg(long)]
        public: PathBuf,
    },
}

/// Arguments of `attest`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AttestArgs {
    /// `verify`, or nothing to write statements.
    #[command(subcommand)]
    pub command: Option<AttestCommand>,

    /// The commits to attest (default: HEAD alone).
    #[arg(value_name = "RANGE")]
    pub range: Option<String>,

    /// Sign the statements (DSSE envelope) with this ed25519 private key (PEM).
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,

    /// The notes ref.
    #[arg(long = "ref", global = true, value_name = "REF", default_value = provgate_store::attest::DEFAULT_NOTES_REF)]
    pub notes_ref: String,

    /// The repository.
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,

    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// `attest` subcommands.
#[derive(Debug, Subcommand)]
pub enum AttestCommand {
    /// Check that each commit has a provgate statement about it, signed by the key if given.
    Verify {
        /// The commits to check.
        #[arg(value_name = "RANGE", default_value = "HEAD")]
        range: String,
        /// The public key (PEM) the statements must be signed with.
        #[arg(long)]
        key: Option<PathBuf>,
        /// Fail on unsigned statements.
        #[arg(long)]
        require_signature: bool,
    },
}

/// `trailer` subcommands.
#[derive(Debug, Subcommand)]
pub enum TrailerCommand {
    /// Add the policy's AI-disclosure trailer to HEAD (amending it) or to a message file.
    ///
    /// The trailer is the first disclosure trailer of the policy, written in its syntax: QEMU's
    /// `AI-used-for: tests, docs (explanation)`, Linux's `Assisted-by: AGENT:MODEL [TOOLS]`,
    /// Mesa's `Assisted-by: TOOL (MODEL)`; it goes before `Signed-off-by` where the policy says
    /// so. Adding the same trailer twice does nothing.
    #[command(after_help = "Examples:\n  \
        provgate trailer add --used-for tests,docs                  # QEMU: AI-used-for: tests, docs\n  \
        provgate trailer add --used-for code --explain refactoring   # AI-used-for: code (refactoring)\n  \
        provgate trailer add --agent Claude --model claude-opus-4.6 --tools coccinelle   # Linux\n  \
        provgate trailer add --used-for tests --file .git/COMMIT_EDITMSG")]
    Add(TrailerAddArgs),
}

/// Arguments of `trailer add`.
#[derive(Debug, Args)]
pub struct TrailerAddArgs {
    /// What AI was used for, comma separated (QEMU-style policies: code, tests, docs, research).
    #[arg(long, value_name = "USES")]
    pub used_for: Vec<String>,

    /// An explanation, written in parentheses after the uses.
    #[arg(long, value_name = "TEXT")]
    pub explain: Option<String>,

    /// The agent or tool (policies that name it: Linux, Mesa, Fedora, …).
    #[arg(long, value_name = "NAME")]
    pub agent: Option<String>,

    /// The model and its version.
    #[arg(long, value_name = "VERSION")]
    pub model: Option<String>,

    /// Analysis tools used alongside (Linux: coccinelle, sparse, smatch, …), comma separated.
    #[arg(long, value_name = "TOOLS")]
    pub tools: Vec<String>,

    /// Edit this commit message file instead of amending HEAD (as a commit-msg filter).
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// The repository whose policy applies (and whose HEAD is amended).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,

    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// `hook` subcommands.
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Install the commit-msg and pre-push hooks (both unless one is named). A hook already
    /// there is kept and still runs first.
    Install(HookInstallArgs),
    /// Remove provgate's hooks and restore the ones they replaced.
    Uninstall(HookUninstallArgs),
    /// What the installed hooks run (git calls it; you rarely need to).
    #[command(hide = true)]
    Run(HookRunArgs),
}

/// Arguments of `hook install`.
#[derive(Debug, Args)]
pub struct HookInstallArgs {
    /// Install the commit-msg hook.
    #[arg(long)]
    pub commit_msg: bool,

    /// Install the pre-push hook.
    #[arg(long)]
    pub pre_push: bool,

    #[command(flatten)]
    pub options: HookOptions,

    /// The repository.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,
}

/// What the hooks check, given to `hook install` (which writes it into the hooks) and to
/// `hook run`.
#[derive(Debug, Clone, Default, Args)]
pub struct HookOptions {
    /// commit-msg: add the author's Signed-off-by to the commit being written when it is
    /// missing (that commit only; nothing is amended).
    #[arg(long)]
    pub add_signoff: bool,

    /// commit-msg: check merge commits too (skipped by default, as `check` skips them; also
    /// `git config provgate.hookCheckMerges true`).
    #[arg(long)]
    pub check_merges: bool,

    /// commit-msg: check `fixup!`, `squash!` and `amend!` commits too (skipped by default:
    /// `git rebase --autosquash` folds them into the commit that lands; also
    /// `git config provgate.hookCheckFixups true`).
    #[arg(long)]
    pub check_fixups: bool,

    /// pre-push: read at most N commits a push sends, the newest of each ref, and say so when
    /// there were more; 0 reads them all [default: `git config provgate.hookMaxCommits`, else
    /// 500].
    #[arg(long, value_name = "N")]
    pub max_commits: Option<usize>,
}

/// Arguments of `hook uninstall`.
#[derive(Debug, Args)]
pub struct HookUninstallArgs {
    /// The repository.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,
}

/// Which hook is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HookRunKind {
    /// Checks the message file git passes.
    CommitMsg,
    /// Checks the commits named on standard input.
    PrePush,
}

/// Arguments of `hook run`.
#[derive(Debug, Args)]
pub struct HookRunArgs {
    /// The hook.
    #[arg(value_enum)]
    pub kind: HookRunKind,

    #[command(flatten)]
    pub options: HookOptions,

    /// What git passes to the hook.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

/// Output formats of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// A summary for people.
    Text,
    /// The versioned scan contract (docs/scan-format.md).
    Json,
    /// The monthly breakdown, one row per month.
    Csv,
    /// One self-contained page with charts, the policy comparison and the findings.
    Html,
}

/// Arguments of `scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The history to scan, as for `git log` (default: all of HEAD).
    #[arg(value_name = "RANGE")]
    pub range: Option<String>,

    /// The repository.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,

    /// A policy file to judge by (repeatable; judged in the order given, files first).
    #[arg(long, value_name = "FILE")]
    pub policy: Vec<PathBuf>,

    /// A built-in policy to judge by (repeatable, to compare policies side by side).
    #[arg(long, value_name = "NAME")]
    pub preset: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
    pub format: ScanFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// HTML: link commits to this URL, `{id}` standing for the commit id.
    #[arg(long, value_name = "TEMPLATE")]
    pub commit_url: Option<String>,

    /// HTML: list at most N findings (0: all).
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub max_findings: usize,

    /// Scan at most the newest N commits.
    #[arg(long, short = 'n', value_name = "N")]
    pub max_count: Option<usize>,

    /// Follow only the first parent of merges.
    #[arg(long)]
    pub first_parent: bool,

    /// Neither read nor write the per-commit cache.
    #[arg(long)]
    pub no_cache: bool,

    /// Also read each commit's added code as code (the code rules, as `check` does): every
    /// changed C, Rust and Python file is parsed, so a long history takes many times longer.
    #[arg(long)]
    pub code: bool,

    #[command(flatten)]
    pub record: RecordArgs,
}

/// Arguments of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule's name.
    #[arg(value_name = "RULE", required_unless_present = "list")]
    pub rule: Option<String>,

    /// List every rule with its level under the policy.
    #[arg(long)]
    pub list: bool,

    /// The repository whose provgate.toml gives the levels shown by --list.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,

    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// Output formats of `zones`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ZonesFormat {
    /// One block per path.
    Text,
    /// An array of `{path, zones, kind, sections, maintainers, reviewers}`.
    Json,
}

/// Arguments of `zones`.
#[derive(Debug, Args)]
pub struct ZonesArgs {
    /// Paths relative to the repository root; `-` reads them from standard input, one a line.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<String>,

    /// The repository whose provgate.toml and MAINTAINERS apply.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,

    #[command(flatten)]
    pub policy: PolicyArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ZonesFormat::Text)]
    pub format: ZonesFormat,

    /// Do not match MAINTAINERS `K:` keywords against the files' content: sections come from
    /// paths alone (get_maintainer.pl's `--nokeywords`; the policy's
    /// `zones.maintainers-keywords = false`).
    #[arg(long)]
    pub no_keywords: bool,
}

/// Arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The preset the new policy extends.
    #[arg(long, value_name = "NAME", default_value = "default")]
    pub preset: String,

    /// Where to write it (`-` for standard output).
    #[arg(
        long,
        short = 'o',
        value_name = "FILE",
        default_value = "provgate.toml"
    )]
    pub output: PathBuf,

    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// `policy` subcommands.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Print the resolved policy as a complete policy file, with its digest.
    Show(PolicyShowArgs),
    /// Write the policy as a document for people (Markdown or reStructuredText).
    #[command(after_help = "Examples:\n  provgate policy render --preset qemu\n  \
        provgate policy render --format rst -o docs/devel/ai-policy.rst")]
    Render(PolicyRenderArgs),
}

/// Arguments of `policy show`.
#[derive(Debug, Args)]
pub struct PolicyShowArgs {
    /// The repository whose provgate.toml applies.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,

    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// Document formats of `policy render`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    /// Markdown.
    Md,
    /// reStructuredText (QEMU's and the kernel's documentation).
    Rst,
}

/// Arguments of `policy render`.
#[derive(Debug, Args)]
pub struct PolicyRenderArgs {
    /// The repository whose provgate.toml applies.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub repo: PathBuf,

    #[command(flatten)]
    pub policy: PolicyArgs,

    /// Document format.
    #[arg(long, value_enum, default_value_t = DocFormat::Md)]
    pub format: DocFormat,

    /// Write the document to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `--preset`'s long help: every preset with the status of its source (in force, proposed,
/// superseded), read from the presets themselves so that it cannot go stale.
fn preset_long_help() -> String {
    let mut s = String::from("A built-in policy instead of a file:\n");
    for name in provgate_policy::presets::names() {
        let Ok(p) = provgate_policy::Policy::preset(name) else {
            continue;
        };
        let status = p
            .about
            .status
            .as_ref()
            .map_or(String::new(), |st| format!(" [{}]", st.describe()));
        s.push_str(&format!("  {name}: {}{status}\n", p.about.title));
    }
    s
}

/// `--verdict`: `pass`, `warn` or `fail`.
fn parse_verdict(text: &str) -> Result<provgate_report::Verdict, String> {
    text.parse()
        .map_err(|other| format!("`{other}` is not a verdict: write pass, warn or fail"))
}

/// `provgate serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The service's configuration file (TOML).
    #[arg(long, value_name = "FILE", required_unless_present_any = ["hash_token", "new_token"])]
    pub config: Option<std::path::PathBuf>,
    /// Run workers only (no HTTP, no sources): an extra process sharing a PostgreSQL queue.
    #[arg(long)]
    pub worker: bool,
    /// Check the configuration and the database, then exit.
    #[arg(long)]
    pub check_config: bool,
    /// Read a token on standard input and print the SHA-256 that `[[tokens]]` stores.
    #[arg(long, conflicts_with_all = ["config", "worker", "check_config"])]
    pub hash_token: bool,
    /// Print a new random token and its SHA-256.
    #[arg(long, conflicts_with_all = ["config", "worker", "check_config", "hash_token"])]
    pub new_token: bool,
}
