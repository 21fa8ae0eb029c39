//! The regression-test proof: does the patch's test fail without its fix and pass with it?
//!
//! [`prove`] checks out the patch's base in a temporary worktree (`git worktree add --detach`),
//! applies only the patch's test files (by the caller's rule, [`ProveOptions::is_test`]) and runs
//! the test command, expecting it to fail; then applies the rest of the patch and runs the command
//! again, expecting it to pass. Both runs are reported (exit status, duration, the tail of the
//! output). A run is killed with its whole process group at the timeout. The worktree is removed
//! on every path: when [`prove`] returns, when it unwinds (a drop guard), and on Ctrl-C through
//! [`on_interrupt`] (call it from the program's own Ctrl-C handler, or let
//! [`install_ctrlc_handler`] install one).
//!
//! The command comes only from the caller (the command line, the user's own configuration): it
//! is never read from the checked repository or from a policy file, which may come from an
//! untrusted branch.
//!
//! git is run through `provgate-git` (worktrees, resolving the base); this crate starts only the
//! test command, with `sh -c`. It knows nothing of policies: which files are tests is the
//! caller's rule (provgate passes the policy engine's path rules).

#![deny(missing_docs)]

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use provgate_git::GitError;
use provgate_patch::{FileChange, FileStatus, Patch};
use provgate_report::ProofReport;
use serde::Serialize;

/// How to prove.
#[derive(Debug, Clone)]
pub struct ProveOptions {
    /// The test command, run with `sh -c` in the worktree's root. It must come from the person
    /// running provgate, never from the checked repository.
    pub test_cmd: String,
    /// How long one run may take before its process group is killed.
    pub timeout: Duration,
    /// The revision a patch without parents (mail, plain diff) applies to; `None`: `HEAD`.
    pub base: Option<String>,
    /// How many bytes of each run's output (standard output and error, interleaved) to keep.
    pub output_tail: usize,
    /// Whether a path of the patch is a test file (applied alone for the first run).
    pub is_test: fn(&str) -> bool,
}

impl ProveOptions {
    /// Options with a command, a timeout and the rule for test files, the rest at defaults.
    pub fn new(
        test_cmd: impl Into<String>,
        timeout: Duration,
        is_test: fn(&str) -> bool,
    ) -> ProveOptions {
        ProveOptions {
            test_cmd: test_cmd.into(),
            timeout,
            is_test,
            base: None,
            output_tail: 4096,
        }
    }
}

/// One run of the test command: the report's own type, so that a proof goes into a report as it
/// is (its `describe()` gives the status in the proof's summary).
pub use provgate_report::RunReport as Run;

/// Whether the command succeeded (exit 0, within the time).
fn passed(run: &Run) -> bool {
    run.exit_code == Some(0) && !run.timed_out
}

/// The outcome of a regression-test proof: the one type the report and the policy's rule use.
pub use provgate_report::ProofOutcome;

/// What a proof found.
#[derive(Debug, Clone, Serialize)]
pub struct ProveReport {
    /// The patch's id.
    pub patch_id: String,
    /// The base commit the patch was applied to.
    pub base: String,
    /// The patch's test files (applied alone for the first run).
    pub test_files: Vec<String>,
    /// The run with only the test files applied (expected to fail).
    pub without_fix: Option<Run>,
    /// The run with the whole patch applied (expected to pass).
    pub with_fix: Option<Run>,
    /// The verdict.
    pub outcome: ProofOutcome,
    /// One sentence.
    pub summary: String,
}

/// Why a proof could not be attempted.
#[derive(Debug, thiserror::Error)]
pub enum ProveError {
    /// A git command failed.
    #[error("git {args}: {message}")]
    Git {
        /// The arguments.
        args: String,
        /// Its error output.
        message: String,
    },
    /// A file could not be written or read.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The proof was interrupted (Ctrl-C); the worktree was removed.
    #[error("interrupted; the temporary worktree was removed")]
    Interrupted,
    /// The test command is empty.
    #[error("no test command given")]
    NoCommand,
}

impl From<GitError> for ProveError {
    fn from(e: GitError) -> ProveError {
        match e {
            GitError::Command { command, detail } => ProveError::Git {
                args: command,
                message: detail,
            },
            GitError::Spawn { source, .. } => ProveError::Io(source),
            other => ProveError::Git {
                args: String::new(),
                message: other.to_string(),
            },
        }
    }
}

/// A proof under way, for [`on_interrupt`].
struct Active {
    id: u64,
    repo: PathBuf,
    worktree: PathBuf,
    group: Option<i32>,
    interrupted: Arc<AtomicBool>,
}

static ACTIVE: Mutex<Vec<Active>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn active() -> std::sync::MutexGuard<'static, Vec<Active>> {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Ends every proof under way: kills their test commands' process groups and removes their
/// worktrees; the [`prove`] calls return [`ProveError::Interrupted`]. Call it from a Ctrl-C
/// handler (it runs git, so call it from the handler's thread, not a signal context).
pub fn on_interrupt() {
    let taken: Vec<(PathBuf, PathBuf)> = {
        let mut list = active();
        for a in list.iter_mut() {
            a.interrupted.store(true, Ordering::SeqCst);
            if let Some(g) = a.group.take() {
                kill_group(g);
            }
        }
        list.iter()
            .map(|a| (a.repo.clone(), a.worktree.clone()))
            .collect()
    };
    for (repo, wt) in taken {
        remove_worktree(&repo, &wt);
    }
}

/// Installs a Ctrl-C handler that calls [`on_interrupt`] and exits with status 130. A program
/// with its own handler (the `ctrlc` crate allows one per process) calls [`on_interrupt`] from it
/// instead.
pub fn install_ctrlc_handler() -> Result<(), ctrlc::Error> {
    ctrlc::set_handler(|| {
        on_interrupt();
        std::process::exit(130);
    })
}

/// The worktrees of the proofs under way.
pub fn active_worktrees() -> Vec<PathBuf> {
    active().iter().map(|a| a.worktree.clone()).collect()
}

/// Removes the worktree when dropped.
struct Guard {
    id: u64,
    repo: PathBuf,
    worktree: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let group = {
            let mut list = active();
            let pos = list.iter().position(|a| a.id == self.id);
            pos.map(|i| list.remove(i)).and_then(|a| a.group)
        };
        if let Some(g) = group {
            kill_group(g);
        }
        remove_worktree(&self.repo, &self.worktree);
    }
}

fn kill_group(group: i32) {
    if group > 0 {
        // SAFETY: kill(2) with a negative pid signals a process group; no memory is involved.
        unsafe {
            libc::kill(-group, libc::SIGKILL);
        }
    }
}

fn remove_worktree(repo: &Path, wt: &Path) {
    if wt.exists() {
        let _ = provgate_git::worktree::remove(repo, wt);
        if wt.exists() {
            let _ = std::fs::remove_dir_all(wt);
        }
    }
    let _ = provgate_git::worktree::prune(repo);
}

/// Whether a file of a patch is a test file by `is_test`, under its old or new name.
fn is_test_file(f: &FileChange, is_test: fn(&str) -> bool) -> bool {
    f.new_path
        .iter()
        .chain(f.old_path.iter())
        .any(|p| is_test(p))
}

/// A patch's test files and the rest (the fix), in patch order. A proof needs both.
pub fn split_tests(
    patch: &Patch,
    is_test: fn(&str) -> bool,
) -> (Vec<&FileChange>, Vec<&FileChange>) {
    patch.files.iter().partition(|f| is_test_file(f, is_test))
}

/// Proves `patch`'s regression test in the repository at `repo` (see the module documentation).
pub fn prove(repo: &Path, patch: &Patch, opts: &ProveOptions) -> Result<ProveReport, ProveError> {
    prove_after(repo, &[], patch, opts)
}

/// Proves `patch` of a mailed series on top of the series' `earlier` patches: without commits
/// to check out, patch 3 of a series only applies to its base with patches 1 and 2. The
/// earlier patches are applied first, whole, in both runs. A patch with a parent commit (git
/// input) is checked out at its parent and `earlier` is not used.
pub fn prove_after(
    repo: &Path,
    earlier: &[&Patch],
    patch: &Patch,
    opts: &ProveOptions,
) -> Result<ProveReport, ProveError> {
    if opts.test_cmd.trim().is_empty() {
        return Err(ProveError::NoCommand);
    }
    let rev = patch
        .parents
        .first()
        .cloned()
        .or_else(|| opts.base.clone())
        .unwrap_or_else(|| "HEAD".into());
    // Said as the `git rev-parse --verify --quiet` this once was, which printed nothing.
    let base = provgate_git::resolve_commit(repo, &rev).map_err(|_| ProveError::Git {
        args: format!("rev-parse --verify --quiet {rev}^{{commit}}"),
        message: String::new(),
    })?;
    let test_files: Vec<String> = patch
        .files
        .iter()
        .filter(|f| is_test_file(f, opts.is_test))
        .map(|f| f.path().to_string())
        .collect();
    let mut report = ProveReport {
        patch_id: patch.id.clone(),
        base: base.clone(),
        test_files: test_files.clone(),
        without_fix: None,
        with_fix: None,
        outcome: ProofOutcome::Inconclusive,
        summary: String::new(),
    };
    if test_files.is_empty() {
        report.summary = "the patch changes no test files, so there is nothing to prove".into();
        return Ok(report);
    }

    let dir = tempfile::Builder::new()
        .prefix("provgate-prove-")
        .tempdir()?;
    let worktree = dir.path().join("worktree");
    let id = NEXT_ID.fetch_add(1, Ordering::SeqCst);
    let interrupted = Arc::new(AtomicBool::new(false));
    active().push(Active {
        id,
        repo: repo.to_path_buf(),
        worktree: worktree.clone(),
        group: None,
        interrupted: interrupted.clone(),
    });
    let _guard = Guard {
        id,
        repo: repo.to_path_buf(),
        worktree: worktree.clone(),
        _dir: dir,
    };
    provgate_git::worktree::add_detached(repo, &worktree, &base)?;

    if patch.parents.is_empty() {
        for prior in earlier {
            let files: Vec<&FileChange> = prior.files.iter().collect();
            if let Err(e) = apply_all(&worktree, &files) {
                report.summary = format!(
                    "the series' earlier patch \"{}\" does not apply to {}: {e}",
                    prior.subject,
                    short(&base)
                );
                return Ok(report);
            }
        }
    }
    let (tests, rest) = split_tests(patch, opts.is_test);
    if let Err(e) = apply_all(&worktree, &tests) {
        report.summary = format!(
            "the patch's test files do not apply to {}: {e}",
            short(&base)
        );
        return Ok(report);
    }
    let without = run(&worktree, opts, &test_files, id, &interrupted)?;
    report.without_fix = Some(without);
    if let Err(e) = apply_all(&worktree, &rest) {
        report.summary = format!("the patch does not apply to {}: {e}", short(&base));
        return Ok(report);
    }
    let all: Vec<String> = patch.files.iter().map(|f| f.path().to_string()).collect();
    let with = run(&worktree, opts, &all, id, &interrupted)?;
    report.with_fix = Some(with);

    let (w, f) = (
        report.without_fix.as_ref().expect("set above"),
        report.with_fix.as_ref().expect("set above"),
    );
    let runs = format!(
        "without the fix: {}; with it: {}",
        w.describe(),
        f.describe()
    );
    (report.outcome, report.summary) = if w.timed_out || f.timed_out {
        (
            ProofOutcome::Inconclusive,
            format!("a run timed out ({runs})"),
        )
    } else if passed(w) {
        (
            ProofOutcome::Hollow,
            format!("the tests pass without the fix, so they do not test it ({runs})"),
        )
    } else if !passed(f) {
        (
            ProofOutcome::Broken,
            format!("the tests fail with the fix applied ({runs})"),
        )
    } else {
        (
            ProofOutcome::Proven,
            format!("the tests fail without the fix and pass with it ({runs})"),
        )
    };
    Ok(report)
}

/// Proves one patch of a series for a report: [`prove_after`], unless the patch has no test
/// files or nothing but test files, in which case nothing runs and the proof is
/// `not-applicable`. `starting` is called just before the runs start (for progress).
pub fn prove_for_report(
    repo: &Path,
    earlier: &[&Patch],
    patch: &Patch,
    opts: &ProveOptions,
    starting: impl FnOnce(),
) -> Result<ProofReport, ProveError> {
    let (tests, fix) = split_tests(patch, opts.is_test);
    let test_files: Vec<String> = tests.iter().map(|f| f.path().to_string()).collect();
    let nothing = |summary: &str| ProofReport {
        outcome: ProofOutcome::NotApplicable,
        summary: summary.into(),
        base: String::new(),
        command: opts.test_cmd.clone(),
        test_files: test_files.clone(),
        without_fix: None,
        with_fix: None,
    };
    if tests.is_empty() {
        return Ok(nothing(
            "the patch changes no test files, so there is no regression test to prove",
        ));
    }
    if fix.is_empty() {
        return Ok(nothing(
            "the patch changes only test files, so there is no fix to prove them against",
        ));
    }
    starting();
    let proved = prove_after(repo, earlier, patch, opts)?;
    Ok(proved.into_report(&opts.test_cmd))
}

impl ProveReport {
    /// The proof as a report shows it, with the command that ran.
    pub fn into_report(self, command: &str) -> ProofReport {
        ProofReport {
            outcome: self.outcome,
            summary: self.summary,
            base: self.base,
            command: command.to_string(),
            test_files: self.test_files,
            without_fix: self.without_fix,
            with_fix: self.with_fix,
        }
    }
}

fn short(id: &str) -> &str {
    &id[..id.len().min(12)]
}

fn apply_all(root: &Path, files: &[&FileChange]) -> Result<(), String> {
    for f in files {
        apply_file(root, f).map_err(|e| format!("{}: {e}", f.path()))?;
    }
    Ok(())
}

/// A patch path under `root`, refused when it could leave it.
fn inside(root: &Path, path: &str) -> Result<PathBuf, String> {
    let p = Path::new(path);
    if path.is_empty() || !p.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err("the path leaves the work tree".into());
    }
    Ok(root.join(p))
}

/// Applies one file change to the work tree at `root`.
pub fn apply_file(root: &Path, file: &FileChange) -> Result<(), String> {
    if file.binary {
        return Err("binary changes cannot be applied".into());
    }
    let read = |path: &str| -> Result<String, String> {
        let full = inside(root, path)?;
        let bytes = std::fs::read(&full).map_err(|e| e.to_string())?;
        String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
    };
    match file.status {
        FileStatus::Deleted => {
            let p = inside(root, file.old_path.as_deref().unwrap_or(""))?;
            std::fs::remove_file(p).map_err(|e| e.to_string())
        }
        _ => {
            let new_path = file.new_path.as_deref().ok_or("no new path")?;
            let old = match file.status {
                FileStatus::Added => String::new(),
                _ => read(file.old_path.as_deref().unwrap_or(new_path))?,
            };
            let new = provgate_patch::apply::apply(&old, file).map_err(|e| e.to_string())?;
            let target = inside(root, new_path)?;
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            if file.status == FileStatus::Renamed
                && let Some(old_path) = file.old_path.as_deref()
            {
                std::fs::remove_file(inside(root, old_path)?).map_err(|e| e.to_string())?;
            }
            std::fs::write(&target, new).map_err(|e| e.to_string())?;
            if let Some(mode) = file.new_mode {
                use std::os::unix::fs::PermissionsExt;
                let perm = if mode & 0o111 != 0 { 0o755 } else { 0o644 };
                std::fs::set_permissions(&target, std::fs::Permissions::from_mode(perm))
                    .map_err(|e| e.to_string())?;
            }
            Ok(())
        }
    }
}

/// Runs the test command in `dir`, killing its process group at the timeout or on interrupt.
fn run(
    dir: &Path,
    opts: &ProveOptions,
    applied: &[String],
    id: u64,
    interrupted: &AtomicBool,
) -> Result<Run, ProveError> {
    if interrupted.load(Ordering::SeqCst) {
        return Err(ProveError::Interrupted);
    }
    let start = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(&opts.test_cmd)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()?;
    let group = child.id() as i32;
    if let Some(a) = active().iter_mut().find(|a| a.id == id) {
        a.group = Some(group);
    }
    let output = Arc::new(Mutex::new(Vec::<u8>::new()));
    let done = Arc::new(AtomicUsize::new(0));
    let keep = opts.output_tail.max(1);
    let readers: Vec<Box<dyn Read + Send>> = vec![
        Box::new(child.stdout.take().expect("piped")),
        Box::new(child.stderr.take().expect("piped")),
    ];
    for mut r in readers {
        let (output, done) = (output.clone(), done.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = r.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let mut o = output.lock().unwrap_or_else(|e| e.into_inner());
                o.extend_from_slice(&buf[..n]);
                if o.len() > 2 * keep {
                    let cut = o.len() - keep;
                    o.drain(..cut);
                }
            }
            done.fetch_add(1, Ordering::SeqCst);
        });
    }
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if interrupted.load(Ordering::SeqCst) {
            kill_group(group);
            let _ = child.wait();
            return Err(ProveError::Interrupted);
        }
        if start.elapsed() >= opts.timeout {
            timed_out = true;
            kill_group(group);
            break child.wait()?;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    // Whatever the command left running in its group goes too.
    kill_group(group);
    // An interrupt that killed the command before this loop saw the flag is still an
    // interrupt, not a run that ended by a signal.
    if interrupted.load(Ordering::SeqCst) {
        return Err(ProveError::Interrupted);
    }
    if let Some(a) = active().iter_mut().find(|a| a.id == id) {
        a.group = None;
    }
    let wait_until = Instant::now() + Duration::from_millis(500);
    while done.load(Ordering::SeqCst) < 2 && Instant::now() < wait_until {
        std::thread::sleep(Duration::from_millis(5));
    }
    let bytes = output.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let tail = &bytes[bytes.len().saturating_sub(keep)..];
    use std::os::unix::process::ExitStatusExt;
    Ok(Run {
        applied: applied.to_vec(),
        exit_code: status.code(),
        signal: status.signal(),
        timed_out,
        duration_ms: start.elapsed().as_millis() as u64,
        output_tail: String::from_utf8_lossy(tail).into_owned(),
    })
}
