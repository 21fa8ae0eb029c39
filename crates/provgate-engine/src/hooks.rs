//! What git hooks judge: the commit message being written, with the staged changes, and the
//! commits a push would send.
//!
//! A hook runs while someone waits for `git commit` or `git push`, so it judges only what is
//! new: a push is measured against everything the remote is known to have, and never reads
//! more than a cap of commits without the plan saying so ([`PushPlan`]); a commit being written
//! is not HEAD, so advice to amend HEAD is replaced by advice that reaches this commit
//! ([`advise_commit_being_written`]).

use std::collections::HashSet;
use std::path::Path;

use provgate_git::GitError;
use provgate_git::push::{CommitList, RefTip};
use provgate_patch::{Origin, Patch, Series};
use provgate_policy::RuleId;
use provgate_report::{FindingReport, Report, short_id};

use crate::{EngineError, Gate, ReadResult};

/// How many commits a pre-push hook reads when nothing else is configured: enough for any
/// series, few enough to judge in seconds.
pub const DEFAULT_PUSH_LIMIT: usize = 500;

/// Why a hook could not run.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// A line of what git writes to the pre-push hook's standard input is not four fields.
    #[error(
        "line {line} of the pre-push hook's input is not `LOCAL_REF LOCAL_OID REMOTE_REF REMOTE_OID`: `{text}`"
    )]
    BadUpdate {
        /// Its number, from 1.
        line: usize,
        /// The line as given.
        text: String,
    },

    /// The policy, the repository or git failed.
    #[error("{0}")]
    Engine(#[from] EngineError),
}

impl From<GitError> for HookError {
    fn from(error: GitError) -> Self {
        HookError::Engine(error.into())
    }
}

impl HookError {
    /// What the user can do about it, when the message does not say so already.
    pub fn hint(&self) -> Option<String> {
        match self {
            HookError::BadUpdate { .. } => Some(
                "git writes these lines itself; run the hook through `git push`, or give it lines such as `refs/heads/main <commit> refs/heads/main <commit or 40 zeros>`"
                    .into(),
            ),
            HookError::Engine(e) => e.hint(),
        }
    }
}

/// The commit being written as a patch: `message` (the commit-msg hook's file `file`), the
/// staged changes, and the author git would record.
pub fn commit_being_written(
    repo: &Path,
    file: &Path,
    message: String,
) -> Result<Patch, EngineError> {
    let mut patch = Patch::new(
        "commit being written",
        Origin::Diff {
            file: file.display().to_string(),
        },
    );
    patch.subject = message.lines().next().unwrap_or_default().to_string();
    // The message becomes a commit: read its trailers as git reads a commit's (past a `---`).
    patch.trailers = provgate_patch::trailers::parse_commit_trailers(&message);
    patch.message = message;
    patch.author = provgate_git::author(repo);
    let staged = match provgate_git::staged_diff(repo) {
        Ok(diff) => diff,
        Err(e @ GitError::Spawn { .. }) => return Err(e.into()),
        // What git printed before failing, as before: nothing.
        Err(_) => Vec::new(),
    };
    patch.files = provgate_patch::diff::parse_diff(&staged, 1).unwrap_or_default();
    Ok(patch)
}

/// What kind of commit is being written, as far as its message checks go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitKind {
    /// A commit of its own, checked like any other.
    Ordinary,
    /// A merge being concluded (`MERGE_HEAD` exists): it carries no authored change of its own,
    /// and `check` skips merges too.
    Merge,
    /// A commit `git rebase --autosquash` folds into an earlier one, which is the one that
    /// lands and gets checked.
    Autosquash(Autosquash),
}

/// The subject prefixes `git commit --fixup`/`--squash` write and `git rebase --autosquash`
/// acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Autosquash {
    /// `fixup! `: its change is folded in, its message dropped.
    Fixup,
    /// `squash! `: its change and message are folded in.
    Squash,
    /// `amend! `: its message replaces the target's (`git commit --fixup=amend:`).
    Amend,
}

impl Autosquash {
    /// The prefix, as git writes it.
    pub fn prefix(self) -> &'static str {
        match self {
            Autosquash::Fixup => "fixup!",
            Autosquash::Squash => "squash!",
            Autosquash::Amend => "amend!",
        }
    }
}

/// The git configuration key that makes the commit-msg hook check merge commits.
pub const CHECK_MERGES_KEY: &str = "provgate.hookCheckMerges";

/// The git configuration key that makes the commit-msg hook check `fixup!`, `squash!` and
/// `amend!` commits.
pub const CHECK_FIXUPS_KEY: &str = "provgate.hookCheckFixups";

/// What kind of commit `message` is about to become in the repository at `repo`.
pub fn commit_kind(repo: &Path, message: &str) -> Result<CommitKind, EngineError> {
    if provgate_git::merge_in_progress(repo)? {
        return Ok(CommitKind::Merge);
    }
    // The subject as git will keep it: comment lines and leading blank lines are cleaned away.
    let subject = message
        .lines()
        .map(str::trim_end)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .unwrap_or_default();
    let kind = [Autosquash::Fixup, Autosquash::Squash, Autosquash::Amend]
        .into_iter()
        .find(|kind| {
            subject
                .strip_prefix(kind.prefix())
                .is_some_and(|rest| rest.starts_with(' '))
        });
    Ok(kind.map_or(CommitKind::Ordinary, CommitKind::Autosquash))
}

/// How the commit being written can get its sign-off, for the advice that replaces
/// `git commit --amend -s`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignoffAdvice {
    /// The message file git handed the hook, absolute, so the command works from any directory.
    pub message_file: std::path::PathBuf,
    /// Whether the file holds comment lines (an editor's template), which only an edited
    /// message has cleaned away.
    pub has_comments: bool,
    /// Whether the file holds a `git commit -v` diff below the scissors line, which only a
    /// verbose commit cuts off.
    pub has_scissors: bool,
}

impl SignoffAdvice {
    /// The advice for the message file `file` holding `message`.
    pub fn for_message(file: &Path, message: &str) -> SignoffAdvice {
        let message_file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
        SignoffAdvice {
            message_file,
            has_comments: message.lines().any(|line| line.starts_with('#')),
            has_scissors: message
                .lines()
                .any(|line| line.starts_with("# ") && line.contains(" >8 ")),
        }
    }

    /// The command that makes this commit again from the same message, signed off.
    pub fn command(&self) -> String {
        let mut command = String::from("git commit -s");
        // Comments are stripped only from a message that is edited; `-v` also cuts the diff
        // under the scissors line.
        if self.has_scissors {
            command.push_str(" -v");
        }
        if self.has_comments {
            command.push_str(" -e");
        }
        command.push_str(" -F ");
        command.push_str(&shell_word(&self.message_file.display().to_string()));
        command
    }
}

/// `text` as one shell word.
fn shell_word(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Replaces advice that would amend HEAD in the findings on the commit being written: that
/// commit does not exist yet, so `git commit --amend` would change the one before it (someone
/// else's, perhaps) and fold the staged changes into it.
///
/// Only findings whose advice names `--amend` are touched; other advice (a misspelt trailer
/// key) already fits a commit being written.
pub fn advise_commit_being_written(report: &mut Report, advice: &SignoffAdvice) {
    let command = advice.command();
    let findings = report
        .patches
        .iter_mut()
        .flat_map(|p| &mut p.findings)
        .chain(report.series.iter_mut().flat_map(|s| &mut s.findings))
        .chain(&mut report.findings);
    for FindingReport { finding, .. } in findings {
        let amends = finding
            .help
            .as_deref()
            .is_some_and(|help| help.contains("--amend"));
        if !amends {
            continue;
        }
        let help = match finding.rule {
            RuleId::DcoMissingSignoff => format!(
                "this commit is not made yet, so do not amend: commit again signed off with `{command}` (your message; the staged changes are still staged), or let the hook sign off: `provgate hook install --commit-msg --add-signoff`"
            ),
            RuleId::DcoAuthorMismatch => format!(
                "sign off as the author: check `git config user.name` and `user.email`, then commit again with `{command}` (this commit is not made yet; do not amend)"
            ),
            RuleId::DcoLocalhostAddress => format!(
                "set `git config user.email` to your real address, then commit again with `{command}` (this commit is not made yet; do not amend)"
            ),
            // A rule whose advice amends but has no wording for a commit being written yet:
            // at least say what not to do.
            _ => format!(
                "this commit is not made yet, so `--amend` would change the previous one: edit the message and commit again (`{command}`)"
            ),
        };
        finding.help = Some(help);
    }
}

/// Replaces the advice `git commit --amend -s` on the pushed commits missing a sign-off: it
/// signs off HEAD, which is the flagged commit only when that is the tip of the branch checked
/// out. Each pushed ref's flagged commits get one command that reaches them: for the tip
/// alone, `git commit --amend -s --no-edit`; otherwise `git rebase --signoff` from the parent
/// of the oldest of them (`--root` when that has none), which adds the sign-off to every
/// commit from there that lacks it, and so to exactly the flagged ones (the others passed,
/// so they are signed off already). A ref other than the branch checked out is switched to
/// first.
pub fn advise_pushed_commits(
    repo: &Path,
    report: &mut Report,
    plan: &PushPlan,
) -> Result<(), EngineError> {
    let unsigned: HashSet<&str> = report
        .patches
        .iter()
        .filter(|p| {
            p.findings
                .iter()
                .any(|f| f.finding.rule == RuleId::DcoMissingSignoff)
        })
        .map(|p| p.id.as_str())
        .collect();
    if unsigned.is_empty() {
        return Ok(());
    }
    let head_ref = provgate_git::push::head_ref(repo)?;
    let head = provgate_git::push::find_commit(repo, "HEAD")?;
    let mut helps: Vec<(String, String)> = Vec::new();
    for plan in &plan.updates {
        let UpdatePlan::Check {
            update, commits, ..
        } = plan
        else {
            continue;
        };
        let flagged: Vec<String> = commits
            .commits
            .iter()
            .filter(|id| unsigned.contains(id.as_str()))
            .cloned()
            .collect();
        if flagged.is_empty() {
            continue;
        }
        let branch = update.local_ref.strip_prefix("refs/heads/");
        let checked_out = head.as_deref() == Some(update.local_oid.as_str())
            && (update.local_ref == "HEAD" || head_ref.as_deref() == Some(&update.local_ref));
        let sign = if flagged.len() == 1 && flagged[0] == update.local_oid {
            "git commit --amend -s --no-edit".to_string()
        } else {
            match provgate_git::push::merge_base_of_all(repo, &flagged)? {
                Some(base) if flagged.contains(&base) => {
                    if provgate_git::push::is_root(repo, &base)? {
                        "git rebase --signoff --root".to_string()
                    } else {
                        format!("git rebase --signoff {}^", short_id(&base))
                    }
                }
                Some(base) => format!("git rebase --signoff {}", short_id(&base)),
                // Flagged commits of one ref always share its tip's history; should git say
                // otherwise, the rule's own advice stays.
                None => continue,
            }
        };
        let (command, whose) = match (checked_out, branch) {
            (true, _) => (sign, "the branch checked out".to_string()),
            (false, Some(branch)) => (
                format!("git switch {} && {sign}", shell_word(branch)),
                format!("{branch} (not checked out)"),
            ),
            // A commit pushed by its id or a tag: no branch to switch to.
            (false, None) => (
                sign,
                format!(
                    "{} (check it out first; it is not HEAD)",
                    short_id(&update.local_oid)
                ),
            ),
        };
        let count = match flagged.len() {
            1 => "the commit".to_string(),
            n => format!("the {n} commits"),
        };
        let help = format!(
            "sign off {count} missing it on {whose} with `{command}` (it adds your sign-off only where it is missing; `--amend` alone would sign off HEAD); it certifies the Developer Certificate of Origin"
        );
        helps.extend(flagged.into_iter().map(|id| (id, help.clone())));
    }
    for patch in &mut report.patches {
        let Some((_, help)) = helps.iter().find(|(id, _)| *id == patch.id) else {
            continue;
        };
        for FindingReport { finding, .. } in &mut patch.findings {
            if finding.rule == RuleId::DcoMissingSignoff {
                finding.help = Some(help.clone());
            }
        }
    }
    Ok(())
}

/// One line of what git writes to a pre-push hook: a ref it is about to update on the remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUpdate {
    /// The local ref pushed (`refs/heads/main`, `HEAD`, or `(delete)`).
    pub local_ref: String,
    /// The commit (or tag) pushed; all zeros for a deletion.
    pub local_oid: String,
    /// The ref updated on the remote.
    pub remote_ref: String,
    /// What the remote's ref points at now, as git was told; all zeros for a new ref.
    pub remote_oid: String,
}

impl RefUpdate {
    /// Whether the push deletes the remote ref (nothing is sent).
    pub fn is_deletion(&self) -> bool {
        is_zero(&self.local_oid)
    }

    /// Whether the remote has no such ref yet.
    pub fn creates(&self) -> bool {
        is_zero(&self.remote_oid)
    }
}

fn is_zero(oid: &str) -> bool {
    oid.bytes().all(|b| b == b'0')
}

/// Reads what git writes to the pre-push hook's standard input, one [`RefUpdate`] a line;
/// blank lines are ignored.
pub fn parse_updates(input: &str) -> Result<Vec<RefUpdate>, HookError> {
    let mut updates = Vec::new();
    for (n, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let bad = || HookError::BadUpdate {
            line: n + 1,
            text: line.to_string(),
        };
        let [local_ref, local_oid, remote_ref, remote_oid] = fields[..] else {
            return Err(bad());
        };
        let hex = |oid: &str| !oid.is_empty() && oid.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex(local_oid) || !hex(remote_oid) {
            return Err(bad());
        }
        updates.push(RefUpdate {
            local_ref: local_ref.to_string(),
            local_oid: local_oid.to_string(),
            remote_ref: remote_ref.to_string(),
            remote_oid: remote_oid.to_string(),
        });
    }
    Ok(updates)
}

/// Where a push's commit limit came from, so that the message saying it was reached names the
/// right way to raise it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitSource {
    /// [`DEFAULT_PUSH_LIMIT`].
    Default,
    /// The git configuration key `provgate.hookMaxCommits`.
    Config,
    /// `--max-commits` on the hook's command line (written there by `hook install`).
    Flag,
}

/// The most commits a pre-push hook reads; `None` reads them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushLimit {
    /// The limit.
    pub max: Option<usize>,
    /// Where it came from.
    pub source: LimitSource,
}

impl PushLimit {
    /// The git configuration key that sets the limit.
    pub const CONFIG_KEY: &'static str = "provgate.hookMaxCommits";

    /// The limit given on the command line, else the repository's `provgate.hookMaxCommits`,
    /// else [`DEFAULT_PUSH_LIMIT`]; 0 (either way) means no limit.
    pub fn resolve(repo: &Path, flag: Option<usize>) -> Result<PushLimit, EngineError> {
        let (max, source) = match flag {
            Some(max) => (max, LimitSource::Flag),
            None => match provgate_git::config_int(repo, Self::CONFIG_KEY)? {
                // A negative limit means no limit, as 0 does.
                Some(max) => (usize::try_from(max).unwrap_or(0), LimitSource::Config),
                None => (DEFAULT_PUSH_LIMIT, LimitSource::Default),
            },
        };
        Ok(PushLimit {
            max: (max > 0).then_some(max),
            source,
        })
    }
}

/// Something the remote is known to have, a pushed ref's commits are measured against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KnownTip {
    /// A remote ref as git gave it to the hook (`refs/heads/main` at the remote): this update's
    /// own, or another ref of the same push.
    RemoteRef(RefTip),
    /// A remote-tracking ref of the remote pushed to (`refs/remotes/origin/main`).
    Tracking(RefTip),
    /// The pushed branch's upstream, which may be on another remote.
    Upstream(RefTip),
}

impl KnownTip {
    /// The ref and its commit.
    pub fn tip(&self) -> &RefTip {
        match self {
            KnownTip::RemoteRef(tip) | KnownTip::Tracking(tip) | KnownTip::Upstream(tip) => tip,
        }
    }
}

/// What a pushed ref's commits were measured against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Baseline {
    /// What the remote or the upstream is known to have (never empty).
    Known(Vec<KnownTip>),
    /// Nothing of the remote is known (a new remote, one never fetched, a URL): the commits
    /// since the merge base with the default branch.
    MergeBase {
        /// The default branch (`refs/remotes/origin/main`, `refs/heads/main`).
        branch: RefTip,
        /// The merge base.
        base: String,
    },
    /// Nothing of the remote is known, and no default branch marks where the pushed work
    /// starts: its whole history is new to the remote.
    History(NoFork),
    /// What the remote or the upstream is known to have shares no commit with the pushed one
    /// (an orphan branch such as `gh-pages`, an unrelated history): its whole history is new to
    /// the remote, listed from the tip as far as the limit.
    Unrelated(Vec<KnownTip>),
}

/// Why the default branch gives no merge base to measure a push from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoFork {
    /// There is no `origin/HEAD`, `main` or `master`.
    NoDefaultBranch,
    /// The pushed commit is on the default branch (the first push of `main` to a new remote).
    OnDefaultBranch(RefTip),
    /// The pushed commit shares no history with the default branch.
    Unrelated(RefTip),
}

/// What the hook does about one ref of a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdatePlan {
    /// The push deletes the remote ref: it sends nothing to check.
    Deletion(RefUpdate),
    /// The push sends the commits listed.
    Check {
        /// The update.
        update: RefUpdate,
        /// The remote's ref points at a commit this repository does not have (the remote
        /// moved since it was last fetched, and this push forces over it), so the remote's
        /// own ref could not be used as the baseline.
        remote_unknown: bool,
        /// What the commits were measured against.
        baseline: Baseline,
        /// The commits to check, oldest first.
        commits: CommitList,
    },
}

/// What a push will be checked for: one plan per ref, and the limit that bounded them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushPlan {
    /// The remote's name as git gave it (or its URL, for a push to a URL).
    pub remote: String,
    /// The limit on the number of commits read.
    pub limit: PushLimit,
    /// One plan per ref, in git's order.
    pub updates: Vec<UpdatePlan>,
}

impl PushPlan {
    /// Every commit to check, oldest first within each ref, each once.
    pub fn commits(&self) -> Vec<String> {
        self.updates
            .iter()
            .filter_map(|u| match u {
                UpdatePlan::Check { commits, .. } => Some(&commits.commits),
                UpdatePlan::Deletion(_) => None,
            })
            .flatten()
            .cloned()
            .collect()
    }

    /// Whether the limit left commits unchecked.
    pub fn limited(&self) -> bool {
        self.updates
            .iter()
            .any(|u| matches!(u, UpdatePlan::Check { commits, .. } if commits.more))
    }
}

/// Decides what a push of `updates` to `remote` sends that needs checking: each ref's commits
/// that neither the remote (its refs as git gave them, its remote-tracking refs) nor the
/// branch's upstream already has, else those since the merge base with the default branch; at
/// most `limit` commits in all, the newest of each ref.
pub fn plan_push(
    repo: &Path,
    remote: &str,
    updates: &[RefUpdate],
    limit: PushLimit,
) -> Result<PushPlan, EngineError> {
    let tracking = provgate_git::push::remote_tracking_refs(repo, remote)?;
    // The remote's refs as git gave them, where this repository has their commits.
    let mut remote_refs = Vec::new();
    for update in updates.iter().filter(|u| !u.creates()) {
        if provgate_git::push::find_commit(repo, &update.remote_oid)?.is_some() {
            remote_refs.push(RefTip {
                name: update.remote_ref.clone(),
                commit: update.remote_oid.clone(),
            });
        }
    }
    let mut remaining = limit.max;
    let mut pushed: Vec<RefTip> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut plans = Vec::new();
    for update in updates {
        if update.is_deletion() {
            plans.push(UpdatePlan::Deletion(update.clone()));
            continue;
        }
        let remote_unknown = !update.creates()
            && !remote_refs
                .iter()
                .any(|tip| tip.commit == update.remote_oid);
        // This update's own remote ref first: it names what the messages compare with.
        let mut known: Vec<KnownTip> = remote_refs
            .iter()
            .filter(|tip| tip.commit == update.remote_oid)
            .chain(
                remote_refs
                    .iter()
                    .filter(|tip| tip.commit != update.remote_oid),
            )
            .cloned()
            .map(KnownTip::RemoteRef)
            .collect();
        if let Some(upstream) = provgate_git::push::upstream(repo, &update.local_ref)? {
            known.push(KnownTip::Upstream(upstream));
        }
        known.extend(tracking.iter().cloned().map(KnownTip::Tracking));
        let baseline = if known.is_empty() {
            fallback(repo, &update.local_oid)?
        } else {
            Baseline::Known(known)
        };
        let mut exclude: Vec<String> = match &baseline {
            Baseline::Known(known) => known.iter().map(|k| k.tip().commit.clone()).collect(),
            Baseline::MergeBase { base, .. } => vec![base.clone()],
            Baseline::History(_) | Baseline::Unrelated(_) => Vec::new(),
        };
        exclude.extend(pushed.iter().map(|tip| tip.commit.clone()));
        exclude.sort();
        exclude.dedup();
        // Excluding commits the tip shares no history with would make git walk the tip's whole
        // history before the cap applies (see `shares_history`); they exclude nothing anyway.
        let mut baseline = baseline;
        if !exclude.is_empty()
            && !provgate_git::push::shares_history(repo, &update.local_oid, &exclude)?
        {
            exclude.clear();
            if let Baseline::Known(known) = baseline {
                baseline = Baseline::Unrelated(known);
            }
        }
        let mut commits =
            provgate_git::push::commits_between(repo, &update.local_oid, &exclude, remaining)?;
        commits.commits.retain(|id| seen.insert(id.clone()));
        if let Some(left) = &mut remaining {
            *left -= commits.commits.len().min(*left);
        }
        pushed.push(RefTip {
            name: update.local_ref.clone(),
            commit: update.local_oid.clone(),
        });
        plans.push(UpdatePlan::Check {
            update: update.clone(),
            remote_unknown,
            baseline,
            commits,
        });
    }
    Ok(PushPlan {
        remote: remote.to_string(),
        limit,
        updates: plans,
    })
}

/// The baseline when nothing of the remote is known: the merge base with the default branch,
/// unless the pushed commit is on it (pushing the default branch itself to a new remote).
fn fallback(repo: &Path, local: &str) -> Result<Baseline, EngineError> {
    let Some(branch) = provgate_git::push::default_branch(repo)? else {
        return Ok(Baseline::History(NoFork::NoDefaultBranch));
    };
    let base = provgate_git::push::merge_base(repo, local, &branch.commit)?;
    let local = provgate_git::push::find_commit(repo, local)?;
    Ok(match base {
        None => Baseline::History(NoFork::Unrelated(branch)),
        Some(base) if Some(&base) == local.as_ref() => {
            Baseline::History(NoFork::OnDefaultBranch(branch))
        }
        Some(base) => Baseline::MergeBase { branch, base },
    })
}

/// Reads the commits `ids` (full ids) of the repository at `repo` in the order given, telling
/// `on_read` how many were read so far.
pub fn read_commits(
    repo: &Path,
    ids: &[String],
    mut on_read: impl FnMut(usize),
) -> Result<Vec<Patch>, EngineError> {
    let mut patches = Vec::new();
    let mut first_error = None;
    if ids.is_empty() {
        return Ok(patches);
    }
    let mut read = 0;
    provgate_git::read_commits(repo, ids, &Default::default(), None, |item| {
        read += 1;
        on_read(read);
        match item {
            Ok(patch) => patches.push(patch),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    })?;
    match first_error {
        Some(e) => Err(e.into()),
        None => Ok(patches),
    }
}

impl Gate {
    /// Judges `patches` as one series named `what` (`commit-msg`, `pre-push`), as a hook does.
    pub fn judge_patches(&self, what: &str, patches: Vec<Patch>) -> crate::Checked {
        self.judge(ReadResult {
            series: vec![Series {
                id: what.to_string(),
                version: 1,
                total: None,
                cover: None,
                patches,
            }],
            ..ReadResult::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_are_four_fields_of_hex_ids() {
        let zeros = "0".repeat(40);
        let a = "a".repeat(40);
        let input = format!(
            "refs/heads/main {a} refs/heads/main {zeros}\n\n(delete) {zeros} refs/heads/old {a}\n"
        );
        let updates = parse_updates(&input).unwrap();
        assert_eq!(updates.len(), 2);
        assert!(updates[0].creates() && !updates[0].is_deletion());
        assert!(updates[1].is_deletion() && !updates[1].creates());
        for bad in [
            "refs/heads/main",
            &format!("refs/heads/main {a} refs/heads/main"),
            &format!("refs/heads/main nothex refs/heads/main {a}"),
            &format!("a {a} b {a} extra"),
        ] {
            let err = parse_updates(&format!("\n{bad}\n")).unwrap_err();
            assert!(
                matches!(err, HookError::BadUpdate { line: 2, .. }),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn advice_is_one_shell_command_for_the_message_file() {
        let plain = SignoffAdvice::for_message(Path::new("/r/.git/COMMIT_EDITMSG"), "subject\n");
        assert_eq!(plain.command(), "git commit -s -F /r/.git/COMMIT_EDITMSG");
        let edited = SignoffAdvice::for_message(
            Path::new("/my repo/.git/COMMIT_EDITMSG"),
            "subject\n# Please enter the commit message\n# ------------------------ >8 ------------------------\ndiff\n",
        );
        assert_eq!(
            edited.command(),
            "git commit -s -v -e -F '/my repo/.git/COMMIT_EDITMSG'"
        );
    }
}
