//! The [`Gate`]: a policy with everything it needs to judge, built once from plain options.

use std::path::{Path, PathBuf};

use provgate_analysis::Analyzer;
use provgate_patch::Series;
use provgate_patch::input::ReadOptions;
use provgate_policy::{CheckContext, CheckResult, Compiled, Overrides, Policy, Stage, Zones};
use provgate_report::Report;

use crate::code::{self, CodeMode};
use crate::policy_source::{
    BaseFiles, LoadedPolicy, PolicyRead, PolicySource, ProjectFiles, TrustedFile, load_policy,
    project_root,
};
use crate::read::{ReadResult, read_inputs};
use crate::{EngineError, Input};

/// What a [`Gate`] is built from: the plain options of a front end (never its argument types).
#[derive(Debug, Clone)]
pub struct GateOptions {
    /// The directory the gate works in (`--repo`): the project root is found at or above it, and
    /// revision ranges are read from its repository.
    pub repo: PathBuf,
    /// The policies to judge under. `check` judges under the first; `scan` under each, side by
    /// side. None: the repository's own policy, or the default.
    pub policies: Vec<PolicySource>,
    /// Rules re-levelled over the policy's levels (`-A/-W/-D`).
    pub overrides: Overrides,
    /// Submission or merge.
    pub stage: Stage,
    /// Today's date, for trials and exception expiry ([`today`] reads it as the command line
    /// does).
    pub today: jiff::civil::Date,
    /// Whether MAINTAINERS `K:` keywords are matched against file contents.
    pub keywords: bool,
    /// Whether and how the added code is read.
    pub code: CodeMode,
    /// The commit the patches apply to when the code is read (default: `HEAD`).
    pub base: Option<String>,
    /// `provgate prove` JSON reports whose proofs the check uses.
    pub proofs: Vec<PathBuf>,
    /// Where the policy file, MAINTAINERS and `.mailmap` are read: the work tree, or the base
    /// commit of a change someone else proposes (`--base-policy`).
    pub project_files: ProjectFiles,
}

impl GateOptions {
    /// Options for judging in `repo` under its own policy, at submission, reading the code.
    pub fn new(repo: impl Into<PathBuf>, today: jiff::civil::Date) -> GateOptions {
        GateOptions {
            repo: repo.into(),
            policies: Vec::new(),
            overrides: Overrides::default(),
            stage: Stage::Submit,
            today,
            keywords: true,
            code: CodeMode::Read,
            base: None,
            proofs: Vec::new(),
            project_files: ProjectFiles::WorkTree,
        }
    }
}

/// One policy with what it needs to judge: its zones, context and code analyzer.
pub(crate) struct Judge {
    pub(crate) policy: Policy,
    /// The policy's patterns and names, compiled once for every check under it.
    pub(crate) compiled: Compiled,
    pub(crate) zones: Zones,
    pub(crate) context: CheckContext,
    pub(crate) analyzer: Option<Analyzer>,
}

impl Judge {
    /// The policy's judgement of `series`, with the code read when there is an analyzer.
    pub(crate) fn check(&self, series: &[Series]) -> CheckResult {
        let code = self
            .analyzer
            .as_ref()
            .map(|a| a as &dyn provgate_policy::CodeAnalyzer);
        provgate_policy::check_compiled(
            &self.policy,
            &self.compiled,
            &self.context,
            &self.zones,
            series,
            code,
        )
    }
}

/// A policy (or several, for a scan) loaded with its zones, context and code analyzer: built
/// once, then asked to judge as often as needed.
pub struct Gate {
    pub(crate) repo: PathBuf,
    pub(crate) root: Option<PathBuf>,
    pub(crate) judges: Vec<Judge>,
    pub(crate) code_error: Option<EngineError>,
    /// The base the project's files were read at, when they were not read from the work tree.
    pub(crate) base_files: Option<BaseRecord>,
}

/// What a gate read at a base commit, kept to tell when a change edits it.
#[derive(Debug, Clone)]
pub(crate) struct BaseRecord {
    rev: String,
    commit: String,
    paths: Vec<(TrustedFile, String)>,
    /// Where the first policy (the one `check` judges under) came from.
    policy: Option<PolicyRead>,
}

/// A change's edit of a file the gate read at the base instead ([`Gate::trusted_edits`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedEdit {
    /// Which file.
    pub file: TrustedFile,
    /// Its path, relative to the repository's top level.
    pub path: String,
    /// The patches (commit ids, Message-IDs) that edit it, in order.
    pub patches: Vec<String>,
}

/// What reading the inputs asks for: the inputs, how mail is read and which commits of a range.
#[derive(Debug, Clone, Default)]
pub struct CheckRequest {
    /// The inputs, in order.
    pub inputs: Vec<Input>,
    /// How mail is read.
    pub read: ReadOptions,
    /// Which commits of a range are read.
    pub range: provgate_git::RangeOptions,
    /// The branch the inputs come from, when the caller knows it (a pull request's head in CI):
    /// every patch read gets it, over the branch a range's head names. An agent's branch name
    /// is evidence of AI use.
    pub branch: Option<String>,
}

/// A check's outcome: the report, and the digest of what was read for the audit log.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The typed report every format renders.
    pub report: Report,
    /// The hex SHA-256 of the raw input (see [`ReadResult::input_sha256`]).
    pub input_sha256: String,
}

impl Checked {
    /// The audit-log entry of this check, recorded under `command` (`check`, `prove`, …).
    pub fn audit_entry(&self, command: &str) -> provgate_store::NewEntry {
        crate::audit::entry_for_report(command, &self.report, &self.input_sha256)
    }
}

impl Gate {
    /// Loads the policies, their zones and context, and the code analyzer the options ask for.
    pub fn new(options: GateOptions) -> Result<Gate, EngineError> {
        let sources = if options.policies.is_empty() {
            vec![PolicySource::Repository]
        } else {
            options.policies.clone()
        };
        let mut root = None;
        let mut loaded: Vec<LoadedPolicy> = Vec::new();
        let mut base = match &options.project_files {
            ProjectFiles::WorkTree => None,
            ProjectFiles::AtRevision(rev) => Some(BaseFiles::open(&options.repo, rev)?),
        };
        for source in &sources {
            let policy = match base.as_mut() {
                None => load_policy(source, options.overrides.clone(), &options.repo)?,
                Some(base) => {
                    let root = project_root(&options.repo);
                    LoadedPolicy {
                        policy: base.load_policy(source, &options.repo, root.as_deref())?,
                        overrides: options.overrides.clone(),
                        root,
                    }
                }
            };
            root = policy.root.clone();
            loaded.push(policy);
        }
        // Proofs reach the rules through the context, so they count with or without the code.
        let mut proofs = std::collections::HashMap::new();
        for file in &options.proofs {
            proofs.extend(code::read_proofs(file)?);
        }
        let mut judges = Vec::new();
        for LoadedPolicy {
            policy,
            overrides,
            root,
        } in loaded
        {
            let mut context =
                CheckContext::new(root.clone(), options.stage, options.today, overrides)?;
            context.proofs = proofs.clone();
            // A MAINTAINERS file that cannot be read is an error of the run, not a note.
            let mut zones = match base.as_mut() {
                None => Zones::load(&policy, root.as_deref())?,
                Some(base) => base.zones(&policy)?,
            };
            if !options.keywords {
                zones.set_keywords(false);
            }
            judges.push(Judge {
                compiled: Compiled::new(&policy),
                policy,
                zones,
                context,
                analyzer: None,
            });
        }
        let code_error = if options.code == CodeMode::Off {
            None
        } else {
            Self::read_code(&options, root.as_deref(), &mut judges)?
        };
        let base_files = base.map(|base| {
            let mut paths = base.paths;
            paths.sort();
            paths.dedup();
            BaseRecord {
                rev: base.tree.rev().to_string(),
                commit: base.tree.commit_id(),
                paths,
                policy: base.policies.into_iter().next(),
            }
        });
        Ok(Gate {
            repo: options.repo,
            root,
            judges,
            code_error,
            base_files,
        })
    }

    /// Gives each judge its analyzer; under [`CodeMode::BestEffort`], why the code cannot be
    /// read instead of an error.
    fn read_code(
        options: &GateOptions,
        root: Option<&Path>,
        judges: &mut [Judge],
    ) -> Result<Option<EngineError>, EngineError> {
        if let Some(base) = &options.base {
            code::check_base(&options.repo, base)?;
        }
        for judge in judges {
            judge.analyzer =
                match code::analyzer(options.code, &options.repo, root, options.base.as_deref()) {
                    Ok(analyzer) => analyzer,
                    Err(e) if options.code == CodeMode::BestEffort => return Ok(Some(e)),
                    Err(e) => return Err(e),
                };
        }
        Ok(None)
    }

    /// The (first) policy.
    pub fn policy(&self) -> &Policy {
        &self.judges[0].policy
    }

    /// The project root, when the gate works inside one.
    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// The directory the gate works in.
    pub fn repo(&self) -> &Path {
        &self.repo
    }

    /// Why the code is not read, when [`CodeMode::BestEffort`] could not open the repository.
    pub fn code_error(&self) -> Option<&EngineError> {
        self.code_error.as_ref()
    }

    /// Reads the inputs and judges them under the (first) policy.
    pub fn check(&self, request: &CheckRequest) -> Checked {
        let mut read = read_inputs(&request.inputs, &self.repo, request.read, &request.range);
        if let Some(branch) = &request.branch {
            for patch in read.series.iter_mut().flat_map(|s| &mut s.patches) {
                patch.branch = Some(branch.clone());
            }
        }
        self.judge(read)
    }

    /// Judges what was read elsewhere (a commit being written, the commits of a push) under the
    /// (first) policy.
    pub fn judge(&self, read: ReadResult) -> Checked {
        let result = self.judges[0].check(&read.series);
        let mut report = crate::report::build(&read, Some(&result));
        report.notes.extend(self.base_notes(&read.series));
        Checked {
            report,
            input_sha256: read.input_sha256,
        }
    }

    /// The base commit the policy file, MAINTAINERS and `.mailmap` were read at (its full id),
    /// when they were not read from the work tree.
    pub fn base_commit(&self) -> Option<&str> {
        self.base_files.as_ref().map(|b| b.commit.as_str())
    }

    /// The files read at the base that `series` edit, each with the patches that edit it (none
    /// when the files were read from the work tree). A new file counts as well as a changed,
    /// renamed or deleted one: a change must not add the policy that judges it either.
    pub fn trusted_edits(&self, series: &[Series]) -> Vec<TrustedEdit> {
        let Some(base) = &self.base_files else {
            return Vec::new();
        };
        let mut edits: Vec<TrustedEdit> = Vec::new();
        for patch in series.iter().flat_map(|s| &s.patches) {
            for change in &patch.files {
                for (file, path) in &base.paths {
                    let touched = [change.old_path.as_deref(), change.new_path.as_deref()]
                        .into_iter()
                        .flatten()
                        .any(|p| p == path);
                    if !touched {
                        continue;
                    }
                    match edits.iter_mut().find(|e| &e.path == path) {
                        Some(edit) if edit.patches.last() != Some(&patch.id) => {
                            edit.patches.push(patch.id.clone())
                        }
                        Some(_) => {}
                        None => edits.push(TrustedEdit {
                            file: *file,
                            path: path.clone(),
                            patches: vec![patch.id.clone()],
                        }),
                    }
                }
            }
        }
        edits
    }

    /// The report's notes on the base: where the project's files were read, and each of them
    /// the change edits.
    fn base_notes(&self, series: &[Series]) -> Vec<String> {
        let Some(base) = &self.base_files else {
            return Vec::new();
        };
        use provgate_report::short_id;
        let at = format!(
            "{} ({}), the base the change applies to, not from the change",
            base.rev,
            short_id(&base.commit)
        );
        // Say what was read: a preset or a file outside the repository is not read at the base.
        let first = match &base.policy {
            Some(PolicyRead::Preset(name)) => format!(
                "the policy is the built-in preset {name}; MAINTAINERS and .mailmap were read from {at}"
            ),
            Some(PolicyRead::Outside(file)) => format!(
                "the policy was read from {}, outside the repository; MAINTAINERS and .mailmap were read from {at}",
                file.display()
            ),
            Some(PolicyRead::AtBase) | None => {
                format!("the policy, MAINTAINERS and .mailmap were read from {at}")
            }
        };
        let mut notes = vec![first];
        for edit in self.trusted_edits(series) {
            let ids: Vec<&str> = edit.patches.iter().map(|p| short_id(p)).collect();
            notes.push(format!(
                "this change edits {} ({}, in {}); it was judged under the base's",
                edit.file.describe(),
                edit.path,
                ids.join(", ")
            ));
        }
        notes
    }
}

/// Today's date, for trials and exception expiry; `PROVGATE_TODAY=YYYY-MM-DD` pins it (for
/// reproducible runs and tests).
pub fn today() -> Result<jiff::civil::Date, EngineError> {
    match std::env::var("PROVGATE_TODAY") {
        Ok(text) => text.parse().map_err(|_| EngineError::BadToday(text)),
        Err(_) => Ok(jiff::Zoned::now().date()),
    }
}
