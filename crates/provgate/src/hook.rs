//! `provgate hook`: git hooks that check a commit message as it is written (commit-msg) and the
//! commits about to leave (pre-push). A hook that was there before is kept beside ours and still
//! runs first; `hook uninstall` puts it back.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use provgate_engine::hooks::{
    self, Baseline, CommitKind, KnownTip, LimitSource, NoFork, PushLimit, PushPlan, UpdatePlan,
};
use provgate_engine::{CodeMode, Gate, GateOptions};
use provgate_report::text::TextOptions;
use provgate_report::{Report, short_id};

use crate::cli::{HookCommand, HookInstallArgs, HookOptions, HookRunArgs, HookRunKind};
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
        let add = commit_msg_flags(&args.options);
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
             printf '%s\\n' \"$input\" | \"$PROVGATE\" hook run pre-push{limit} \"$@\"\n",
            limit = pre_push_flags(&args.options),
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

/// The commit-msg hook's flags, as `hook install` writes them into the hook.
fn commit_msg_flags(options: &HookOptions) -> String {
    let mut flags = String::new();
    for (set, flag) in [
        (options.add_signoff, " --add-signoff"),
        (options.check_merges, " --check-merges"),
        (options.check_fixups, " --check-fixups"),
    ] {
        if set {
            flags.push_str(flag);
        }
    }
    flags
}

/// The pre-push hook's flags, as `hook install` writes them into the hook.
fn pre_push_flags(options: &HookOptions) -> String {
    options
        .max_commits
        .map(|n| format!(" --max-commits {n}"))
        .unwrap_or_default()
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
            commit_msg(&repo, &file, &args.options)
        }
        HookRunKind::PrePush => {
            let remote = args
                .args
                .first()
                .cloned()
                .unwrap_or_else(|| "origin".into());
            let mut input = String::new();
            std::io::stdin().read_to_string(&mut input)?;
            pre_push(&repo, &remote, &input, &args.options)
        }
    }
}

/// Whether the commit-msg hook checks commits of this kind: a flag, else the git configuration
/// key, else not.
fn checks(repo: &Path, flag: bool, key: &str) -> anyhow::Result<bool> {
    if flag {
        return Ok(true);
    }
    Ok(provgate_git::config_bool(repo, key)
        .map_err(|e| user_error(e.into()))?
        .unwrap_or(false))
}

/// Checks the message being committed, with the staged changes and the committer's identity.
fn commit_msg(repo: &Path, file: &Path, options: &HookOptions) -> anyhow::Result<u8> {
    let mut message = std::fs::read_to_string(file).map_err(|e| {
        UserError::new(
            format!("cannot read the message file {}: {e}", file.display()),
            "git passes the file it wrote; to try by hand: provgate hook run commit-msg .git/COMMIT_EDITMSG",
        )
    })?;
    match hooks::commit_kind(repo, &message).map_err(user_error)? {
        CommitKind::Ordinary => {}
        CommitKind::Merge => {
            if !checks(repo, options.check_merges, hooks::CHECK_MERGES_KEY)? {
                eprintln!(
                    "provgate commit-msg: a merge commit, not checked (`git config {} true` checks merges)",
                    hooks::CHECK_MERGES_KEY
                );
                return Ok(EXIT_OK);
            }
        }
        CommitKind::Autosquash(kind) => {
            if !checks(repo, options.check_fixups, hooks::CHECK_FIXUPS_KEY)? {
                eprintln!(
                    "provgate commit-msg: a `{}` commit, not checked: the commit it is folded into is (`git config {} true` checks these)",
                    kind.prefix(),
                    hooks::CHECK_FIXUPS_KEY
                );
                return Ok(EXIT_OK);
            }
        }
    }
    if options.add_signoff
        && let Some(author) = provgate_git::author(repo)
        && !provgate_patch::trailers::parse_commit_trailers(&message)
            .iter()
            .any(|t| t.is("Signed-off-by") && t.value == author.to_string())
    {
        // The file git hands the hook is the commit being written; nothing else is touched.
        message = provgate_patch::trailers::insert_trailer(
            &message,
            "Signed-off-by",
            &author.to_string(),
            provgate_patch::trailers::Placement::End,
        );
        std::fs::write(file, &message)?;
    }
    let advice = hooks::SignoffAdvice::for_message(file, &message);
    let patch = hooks::commit_being_written(repo, file, message).map_err(user_error)?;
    let gate = gate(repo, false)?;
    let mut report = gate.judge_patches("commit-msg", vec![patch]).report;
    hooks::advise_commit_being_written(&mut report, &advice);
    Ok(verdict(&gate, &report, "commit-msg", &Quiet))
}

/// Checks the commits a push sends that the remote does not have, at most the limit.
fn pre_push(repo: &Path, remote: &str, input: &str, options: &HookOptions) -> anyhow::Result<u8> {
    let updates = hooks::parse_updates(input).map_err(hook_error)?;
    if updates.is_empty() {
        return Ok(EXIT_OK);
    }
    let limit = PushLimit::resolve(repo, options.max_commits).map_err(user_error)?;
    let progress = Progress::start(
        "pre-push",
        Duration::from_secs(2),
        Box::new(std::io::stderr()),
    );
    progress.phase("listing the commits the push sends", None);
    let plan = hooks::plan_push(repo, remote, &updates, limit).map_err(user_error)?;
    for line in describe(&plan) {
        progress.say(&line);
    }
    let ids = plan.commits();
    if ids.is_empty() {
        progress.finish();
        return Ok(EXIT_OK);
    }
    let total = ids.len();
    progress.phase("reading commits", Some((0, total)));
    let patches = hooks::read_commits(repo, &ids, |read| {
        progress.phase("reading commits", Some((read, total)));
    })
    .map_err(user_error)?;
    progress.phase("loading the policy and the code", None);
    let gate = gate(repo, true)?;
    progress.phase(&format!("checking {}", commits(total)), None);
    let mut report = gate.judge_patches("pre-push", patches).report;
    hooks::advise_pushed_commits(repo, &mut report, &plan).map_err(user_error)?;
    progress.say(&format!(
        "provgate pre-push: checked {} under the policy `{}`{}",
        commits(total),
        gate.policy().extends,
        if plan.limited() {
            " (not all: the limit was reached, see above)"
        } else {
            ""
        }
    ));
    let code = verdict(&gate, &report, "pre-push", &progress);
    progress.finish();
    Ok(code)
}

fn hook_error(error: hooks::HookError) -> UserError {
    match error.hint() {
        Some(hint) => UserError::new(error.to_string(), hint),
        None => UserError::plain(error.to_string()),
    }
}

/// `N commit(s)`.
fn commits(n: usize) -> String {
    match n {
        1 => "1 commit".to_string(),
        n => format!("{n} commits"),
    }
}

/// A ref as people write it: `main` for `refs/heads/main`, `origin/main` for
/// `refs/remotes/origin/main`.
fn short(name: &str) -> &str {
    name.strip_prefix("refs/heads/")
        .or_else(|| name.strip_prefix("refs/remotes/"))
        .unwrap_or(name)
}

/// What the remote or the upstream is known to have, as the pre-push hook names it: the first
/// ref, and how many others.
fn known_refs(remote: &str, known: &[KnownTip]) -> String {
    let first = match known.first() {
        Some(KnownTip::RemoteRef(tip)) => format!("{remote}'s {}", short(&tip.name)),
        Some(KnownTip::Tracking(tip)) => short(&tip.name).to_string(),
        Some(KnownTip::Upstream(tip)) => format!("the upstream {}", short(&tip.name)),
        None => format!("what {remote} has"),
    };
    match known.len() {
        0 | 1 => first,
        k => format!(
            "{first} and {} other ref{} {remote} or the upstream has",
            k - 1,
            if k == 2 { "" } else { "s" }
        ),
    }
}

/// What the pre-push hook tells before it checks: per ref, what it checks and against what,
/// and everything it did not check.
fn describe(plan: &PushPlan) -> Vec<String> {
    let remote = &plan.remote;
    let mut lines = Vec::new();
    let say = |lines: &mut Vec<String>, text: String| {
        lines.push(format!("provgate pre-push: {text}"));
    };
    for update in &plan.updates {
        let (update, remote_unknown, baseline, list) = match update {
            UpdatePlan::Deletion(update) => {
                say(
                    &mut lines,
                    format!(
                        "{} is deleted on {remote}: nothing to check",
                        short(&update.remote_ref)
                    ),
                );
                continue;
            }
            UpdatePlan::Check {
                update,
                remote_unknown,
                baseline,
                commits,
            } => (update, *remote_unknown, baseline, commits),
        };
        let local = short(&update.local_ref);
        if remote_unknown {
            say(
                &mut lines,
                format!(
                    "{remote}'s {} is at {}, which this repository does not have: the remote moved since you last fetched it, and this push replaces it (`git fetch {remote}` shows what it holds); checking against what else is known of {remote}",
                    short(&update.remote_ref),
                    short_id(&update.remote_oid),
                ),
            );
        }
        let read = list.commits.len();
        let n = match (list.more, read) {
            (false, _) => commits(read),
            (true, 0) => "commits".to_string(),
            (true, _) => format!("more than {}", commits(read)),
        };
        let what = match baseline {
            Baseline::Known(known) => format!("{n} new beyond {}", known_refs(remote, known)),
            Baseline::Unrelated(known) => format!(
                "shares no history with {}, so its whole history is new: {n}",
                known_refs(remote, known)
            ),
            Baseline::MergeBase { branch, base } => format!(
                "nothing of {remote} is known here (a new remote, one never fetched, or a URL), so measuring from the merge base {} with {}: {n}",
                short_id(base),
                short(&branch.name),
            ),
            Baseline::History(why) => {
                let why = match why {
                    NoFork::NoDefaultBranch => {
                        "there is no default branch (origin/HEAD, main or master) to start from"
                            .to_string()
                    }
                    NoFork::OnDefaultBranch(branch) => {
                        format!("{local} is on the default branch {}", short(&branch.name))
                    }
                    NoFork::Unrelated(branch) => format!(
                        "{local} shares no history with the default branch {}",
                        short(&branch.name)
                    ),
                };
                format!(
                    "nothing of {remote} is known here (a new remote, one never fetched, or a URL) and {why}, so its whole history is new: {n}"
                )
            }
        };
        say(&mut lines, format!("{local}: {what}"));
        if list.more {
            let raise = match plan.limit.source {
                // The installed hook passes the flag, which wins over the configuration.
                LimitSource::Flag => {
                    "`provgate hook install --pre-push --max-commits N`".to_string()
                }
                LimitSource::Default | LimitSource::Config => {
                    format!("`git config {} N`", PushLimit::CONFIG_KEY)
                }
            };
            let max = plan.limit.max.unwrap_or(0);
            let text = if read == 0 {
                format!(
                    "{local}: none of them are checked: the refs before it used up the limit of {max} commits a push (raise it with {raise}, 0 for none)"
                )
            } else {
                format!(
                    "{local}: only the newest {read} of them are checked (the hook reads at most {max} commits a push; raise the limit with {raise}, 0 for none)"
                )
            };
            say(&mut lines, text);
        }
    }
    lines
}

/// A gate under the repository's policy. With `read_code`, the added code is read as `check`
/// reads it (outgoing commits exist in the repository; a message being written has no code to
/// read).
fn gate(repo: &Path, read_code: bool) -> anyhow::Result<Gate> {
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
    Ok(gate)
}

/// Somewhere to tell the user a line: standard error, or through the progress line.
trait Say {
    fn say(&self, line: &str);
}

/// Standard error, for a hook too quick to need progress.
struct Quiet;

impl Say for Quiet {
    fn say(&self, line: &str) {
        eprintln!("{line}");
    }
}

impl Say for Progress {
    fn say(&self, line: &str) {
        Progress::say(self, line);
    }
}

/// Prints the findings to standard error (where git shows hook output); 1 when the policy fails.
fn verdict(gate: &Gate, report: &Report, what: &str, out: &dyn Say) -> u8 {
    if report.summary.deny + report.summary.warn > 0 {
        let text = provgate_report::text::render(
            report,
            TextOptions {
                color: false,
                quiet: true,
                errors: true,
            },
        );
        out.say(text.trim_end());
    }
    if report.verdict == Some(provgate_report::Verdict::Fail) {
        out.say(&format!(
            "provgate: {what} refused by the policy ({}); fix the findings above (`provgate explain RULE` says how), or bypass with --no-verify",
            gate.policy().extends
        ));
        return EXIT_FAILED;
    }
    EXIT_OK
}

/// What a slow hook is doing, on standard error: nothing for its first moments, then a line
/// refreshed in place on a terminal (a new line every few seconds elsewhere), so that a wait is
/// never silent and a quick hook says nothing.
struct Progress {
    shared: Arc<Shared>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

struct Shared {
    state: Mutex<ProgressState>,
    wake: Condvar,
    /// `provgate pre-push: `.
    prefix: String,
    started: Instant,
    after: Duration,
    terminal: bool,
}

struct ProgressState {
    phase: String,
    count: Option<(usize, usize)>,
    finished: bool,
    /// A progress line is on screen without its end of line (terminal only).
    open_line: bool,
    out: Box<dyn Write + Send>,
}

impl Progress {
    /// Starts the clock; nothing is shown before `after`.
    fn start(what: &str, after: Duration, out: Box<dyn Write + Send>) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        Self::start_on(what, after, out, terminal)
    }

    fn start_on(
        what: &str,
        after: Duration,
        out: Box<dyn Write + Send>,
        terminal: bool,
    ) -> Progress {
        let shared = Arc::new(Shared {
            state: Mutex::new(ProgressState {
                phase: String::new(),
                count: None,
                finished: false,
                open_line: false,
                out,
            }),
            wake: Condvar::new(),
            prefix: format!("provgate {what}: "),
            started: Instant::now(),
            after,
            terminal,
        });
        let worker = Arc::clone(&shared);
        let thread = std::thread::spawn(move || worker.run());
        Progress {
            shared,
            thread: Mutex::new(Some(thread)),
        }
    }

    /// What the hook does now, with a count when it has one.
    fn phase(&self, phase: &str, count: Option<(usize, usize)>) {
        let mut state = self.shared.lock();
        if state.phase != phase {
            state.phase = phase.to_string();
        }
        state.count = count;
    }

    /// A line for the user, printed over the progress line.
    fn say(&self, line: &str) {
        let mut state = self.shared.lock();
        state.close_line();
        let _ = writeln!(state.out, "{line}");
    }

    /// Stops the progress line, leaving the screen as if there had been none.
    fn finish(&self) {
        self.shared.lock().finished = true;
        self.shared.wake.notify_all();
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(thread) = thread {
            let _ = thread.join();
        }
        self.shared.lock().close_line();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, ProgressState> {
        // A panic while printing leaves the state usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn run(&self) {
        let tick = if self.terminal {
            Duration::from_millis(250)
        } else {
            Duration::from_secs(5)
        };
        let mut state = self.lock();
        let mut wait = self.after;
        loop {
            // Finished may have been told before this thread first took the lock.
            if state.finished {
                return;
            }
            state = match self.wake.wait_timeout(state, wait) {
                Ok((state, _)) => state,
                Err(e) => e.into_inner().0,
            };
            if state.finished {
                return;
            }
            let elapsed = self.started.elapsed();
            if elapsed < self.after {
                wait = self.after - elapsed;
                continue;
            }
            wait = tick;
            let mut line = format!("{}{}", self.prefix, state.phase);
            if let Some((done, total)) = state.count {
                line.push_str(&format!(" {done}/{total}"));
            }
            line.push_str(&format!(" ({} s)", elapsed.as_secs()));
            if self.terminal {
                let _ = write!(state.out, "\r\x1b[K{line}");
                state.open_line = true;
            } else {
                let _ = writeln!(state.out, "{line}");
            }
            let _ = state.out.flush();
        }
    }
}

impl ProgressState {
    fn close_line(&mut self) {
        if self.open_line {
            let _ = write!(self.out, "\r\x1b[K");
            self.open_line = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer the test reads back.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Buffer {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[test]
    fn progress_shows_only_after_its_delay() {
        let quick = Buffer::default();
        let progress = Progress::start_on(
            "pre-push",
            Duration::from_secs(60),
            Box::new(quick.clone()),
            false,
        );
        progress.phase("reading commits", Some((1, 3)));
        progress.say("a line for the user");
        progress.finish();
        assert_eq!(quick.text(), "a line for the user\n");

        let slow = Buffer::default();
        let progress = Progress::start_on(
            "pre-push",
            Duration::from_millis(50),
            Box::new(slow.clone()),
            false,
        );
        progress.phase("reading commits", Some((2, 3)));
        std::thread::sleep(Duration::from_millis(300));
        progress.finish();
        assert!(
            slow.text()
                .starts_with("provgate pre-push: reading commits 2/3 (0 s)\n"),
            "{}",
            slow.text()
        );
    }

    #[test]
    fn on_a_terminal_the_line_is_redrawn_and_cleared() {
        let out = Buffer::default();
        let progress = Progress::start_on(
            "pre-push",
            Duration::from_millis(20),
            Box::new(out.clone()),
            true,
        );
        progress.phase("checking 3 commits", None);
        std::thread::sleep(Duration::from_millis(150));
        progress.say("done");
        progress.finish();
        let text = out.text();
        assert!(
            text.starts_with("\r\x1b[Kprovgate pre-push: checking 3 commits (0 s)"),
            "{text:?}"
        );
        assert!(text.contains("\r\x1b[Kdone\n"), "{text:?}");
        // Whatever was drawn after the line, the screen is left clean.
        assert!(
            text.ends_with("\r\x1b[Kdone\n") || text.ends_with("\r\x1b[K"),
            "{text:?}"
        );
    }
}
