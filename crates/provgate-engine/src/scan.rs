//! A scan: one pass over a history, every commit judged by each of the gate's policies, then
//! aggregated (by month, zone, section, tool, rule) and compared across the policies.
//!
//! Per-commit results are cached by commit id under the git directory, keyed by the program's
//! build and the policies' digests, so that a re-scan after new commits reads only those.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use provgate_patch::{Patch, Series};
use provgate_policy::{Finding, PatchResult, Zones};
use provgate_policy::{Stage, Verdict};
use provgate_report::scan::{
    CommitRecord, RecordOutcome, ScanInput, ScanPolicy, ScanReport, Skipped, ToolMark,
};

use crate::EngineError;
use crate::gate::{Gate, Judge};

/// What a scan reads.
#[derive(Debug, Clone, Default)]
pub struct ScanRequest {
    /// The range; a single revision means its whole history, as with `git log`. None: `HEAD`.
    pub range: Option<String>,
    /// At most this many commits (newest first).
    pub max_count: Option<usize>,
    /// Only the first parent of merges.
    pub first_parent: bool,
    /// Whether per-commit results are read from and written to the cache.
    pub cache: bool,
}

/// Told how far a scan has come, for a progress bar.
pub trait ScanProgress {
    /// The scan is about to read `commits` commits (the others come from the cache).
    fn start(&mut self, _commits: u64) {}
    /// One more commit was read and judged.
    fn commit(&mut self) {}
    /// Reading is over.
    fn finish(&mut self) {}
}

/// Progress that nobody watches.
impl ScanProgress for () {}

/// A scan's outcome.
#[derive(Debug, Clone)]
pub struct Scanned {
    /// The aggregated report every scan format renders.
    pub report: ScanReport,
    /// Whether an interrupt stopped the reading (the report covers what was read).
    pub partial: bool,
    /// What went wrong without stopping the scan (an unwritable cache).
    pub warnings: Vec<String>,
    /// The audit-log entries of the scan, one per policy in order (none when partial: an
    /// interrupted scan's verdicts are not recorded).
    pub audit_entries: Vec<provgate_store::NewEntry>,
}

impl Gate {
    /// Scans the history `request` names under every policy of the gate. Setting `interrupt`
    /// (from a Ctrl-C handler) stops the reading; what was read is still aggregated.
    pub fn scan(
        &self,
        request: &ScanRequest,
        interrupt: Option<&AtomicBool>,
        progress: &mut dyn ScanProgress,
    ) -> Result<Scanned, EngineError> {
        let range = request.range.clone().unwrap_or_else(|| "HEAD".to_string());
        let reads_code = self.judges.iter().any(|j| j.analyzer.is_some());
        let options = provgate_git::RangeOptions {
            max_count: Some(request.max_count.unwrap_or(usize::MAX)),
            first_parent: request.first_parent,
            // Scan findings show no code frames, so hunks need no context lines, unless the
            // code is read.
            context_lines: if reads_code { 3 } else { 0 },
            ..provgate_git::RangeOptions::default()
        };
        let selection = provgate_git::select(&self.repo, &range, &options)?;
        let mut warnings = Vec::new();
        // git-ai authorship notes of the selected commits. A note can be added, changed or
        // removed without its commit changing, so commits with one are always read afresh and
        // their records never cached.
        let mut ai_notes = crate::read::ai_notes(&self.repo, &selection.commits, &mut warnings);
        let noted: std::collections::HashSet<String> = ai_notes.keys().cloned().collect();
        let branch = provgate_git::notes::range_head_branch(&self.repo, &range)
            .ok()
            .flatten();

        let cache_path = request
            .cache
            .then(|| cache_file(&self.repo, &self.judges, branch.as_deref()))
            .flatten();
        let mut cache: HashMap<String, CommitRecord> = match &cache_path {
            Some(path) => load_cache(path),
            None => HashMap::new(),
        };
        let to_read: Vec<String> = selection
            .commits
            .iter()
            .filter(|id| !cache.contains_key(*id) || noted.contains(*id))
            .cloned()
            .collect();

        progress.start(to_read.len() as u64);
        let mut skipped: Vec<Skipped> = Vec::new();
        let mut fresh: HashMap<String, CommitRecord> = HashMap::new();
        let read_result =
            provgate_git::read_commits(&self.repo, &to_read, &options, interrupt, |item| {
                progress.commit();
                match item {
                    Ok(mut patch) => {
                        patch.ai_note = ai_notes.remove(&patch.id);
                        patch.branch = branch.clone();
                        let record = judge(&self.judges, patch);
                        fresh.insert(record.id.clone(), record);
                    }
                    Err(e) => skipped.push(Skipped {
                        commit: None,
                        reason: e.to_string(),
                    }),
                }
            });
        progress.finish();
        read_result?;
        let partial = interrupt.is_some_and(|i| i.load(Ordering::SeqCst));

        let cached = selection
            .commits
            .iter()
            .filter(|id| cache.contains_key(*id) && !noted.contains(*id))
            .count();
        cache.extend(fresh);
        let records: Vec<CommitRecord> = selection
            .commits
            .iter()
            .filter_map(|id| cache.get(id).cloned())
            .collect();
        cache.retain(|id, _| !noted.contains(id));
        if let Some(path) = &cache_path
            && let Err(e) = save_cache(path, &cache)
        {
            warnings.push(format!(
                "could not write the scan cache {}: {e}",
                path.display()
            ));
        }

        let report = ScanReport::aggregate(
            env!("CARGO_PKG_VERSION"),
            ScanInput {
                repository: repository_name(self.root.as_deref().unwrap_or(&self.repo)),
                range: range.clone(),
                partial,
                merges_skipped: selection.merges_skipped,
                cached,
                skipped,
            },
            self.judges
                .iter()
                .map(|j| ScanPolicy {
                    origin: j.policy.origin.clone(),
                    extends: j.policy.extends.clone(),
                    digest: j.policy.digest(),
                })
                .collect(),
            &records,
        );
        let audit_entries = if partial {
            Vec::new()
        } else {
            (0..self.judges.len())
                .map(|i| audit_entry(&range, &selection.commits, &records, &self.judges[i], i))
                .collect()
        };
        Ok(Scanned {
            report,
            partial,
            warnings,
            audit_entries,
        })
    }
}

/// The audit-log entry of a scan under the `index`th policy: every commit with that policy's
/// verdict and findings. The input digest is over the commit ids selected (as for a range in
/// `check`), skipped ones included: they were part of what was asked.
fn audit_entry(
    range: &str,
    selected: &[String],
    records: &[CommitRecord],
    judge: &Judge,
    index: usize,
) -> provgate_store::NewEntry {
    use provgate_store::{InputRef, NewEntry, PolicyRef, SubjectRef, ToolRef};
    let outcomes = || {
        records
            .iter()
            .filter_map(move |r| Some((r, r.outcomes.get(index)?)))
    };
    let verdict = Verdict::worst(outcomes().map(|(_, o)| o.verdict));
    NewEntry {
        command: "scan".into(),
        tool: ToolRef {
            name: "provgate".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        inputs: vec![InputRef {
            name: range.to_string(),
            kind: "range".into(),
        }],
        input_sha256: provgate_store::sha256_lines(selected),
        subjects: outcomes()
            .map(|(r, o)| SubjectRef {
                id: r.id.clone(),
                verdict: Some(o.verdict),
            })
            .collect(),
        policy: Some(PolicyRef {
            name: judge.policy.origin.clone(),
            digest: judge.policy.digest(),
            extends: judge.policy.extends.clone(),
            mode: judge.policy.mode,
            stage: Stage::Submit,
        }),
        findings: outcomes()
            .flat_map(|(_, o)| o.findings.iter().cloned())
            .collect(),
        verdict: Some(verdict),
    }
}

/// The repository's directory name (a bare mirror's `owner+name/repo` gives `owner+name`).
fn repository_name(dir: &Path) -> String {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let name = |d: &Path| d.file_name().map(|n| n.to_string_lossy().into_owned());
    match name(&dir).as_deref() {
        Some("repo" | ".git") => dir.parent().and_then(name),
        other => other.map(str::to_string),
    }
    .unwrap_or_else(|| dir.display().to_string())
}

/// Judges one commit under every policy.
fn judge(judges: &[Judge], patch: Patch) -> CommitRecord {
    let series = [Series {
        id: patch.id.clone(),
        version: 1,
        total: None,
        cover: None,
        patches: vec![patch],
    }];
    let results: Vec<PatchResult> = judges
        .iter()
        .filter_map(|j| {
            let result = j.check(&series);
            result.series.into_iter().next()?.patches.into_iter().next()
        })
        .collect();
    let patch = &series[0].patches[0];
    record(patch, &results, &judges[0].zones)
}

fn record(patch: &Patch, results: &[PatchResult], zones: &Zones) -> CommitRecord {
    let first = results.first();
    let mut tools: Vec<ToolMark> = Vec::new();
    let mut declared = false;
    let mut fingerprinted = false;
    let mut disclosed = false;
    if let Some(first) = first {
        disclosed = first.ai.disclosed;
        for d in &first.ai.declarations {
            // Every AI declaration counts, in an accepted trailer or not, as it does in the
            // by-tool chart: a page never says "0 declared" above declared tools.
            declared = true;
            tools.push(ToolMark {
                tool: declared_tool(d),
                model: d.model.clone(),
                how: "declared".to_string(),
            });
        }
        for f in &first.ai.fingerprints {
            fingerprinted = true;
            tools.push(ToolMark {
                tool: f.tool.clone(),
                model: None,
                how: f.confidence.as_str().to_string(),
            });
        }
    }
    tools.sort();
    tools.dedup();
    let mut zone_names: Vec<String> = first
        .map(|r| r.files.iter().flat_map(|f| f.zones.clone()).collect())
        .unwrap_or_default();
    zone_names.sort();
    zone_names.dedup();
    let mut kinds: Vec<String> = first
        .map(|r| {
            r.files
                .iter()
                .map(|f| f.kind.as_str().to_string())
                .collect()
        })
        .unwrap_or_default();
    kinds.sort();
    kinds.dedup();
    let mut sections: Vec<String> = if zones.has_maintainers() {
        patch
            .files
            .iter()
            .flat_map(|f| zones.classify(f.path()).sections)
            .map(|s| s.name)
            .collect()
    } else {
        Vec::new()
    };
    sections.sort();
    sections.dedup();
    CommitRecord {
        id: patch.id.clone(),
        subject: patch.subject.clone(),
        author: patch
            .author
            .as_ref()
            .map_or(String::new(), ToString::to_string),
        date: patch.date.map(|d| d.to_rfc3339()),
        month: patch.date.map_or("unknown".to_string(), |d| d.month()),
        declared,
        ai_assisted: first.is_some_and(|r| r.ai.ai_assisted()),
        human_help: first.is_some_and(|r| !r.ai.human_help.is_empty()),
        tools,
        fingerprinted,
        undisclosed: fingerprinted && !disclosed,
        dco_missing: patch.trailers_named("Signed-off-by").next().is_none(),
        zones: zone_names,
        sections,
        kinds,
        added: u64::from(patch.added()),
        removed: u64::from(patch.removed()),
        code_lines: first.map_or(0, |r| r.code_lines),
        outcomes: results
            .iter()
            .map(|r| RecordOutcome {
                verdict: r.verdict,
                ai: r.ai.ai_assisted(),
                // Every finding names its commit, as the audit log records it.
                findings: r
                    .findings
                    .iter()
                    .map(|f| Finding {
                        patch_id: Some(patch.id.clone()),
                        ..f.clone()
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The tool a declaration names: parsed by the policy's syntax (`AGENT:MODEL`, `TOOL (MODEL)`),
/// the whole value of a free-text trailer (`Assisted-by: Claude Opus 4.6`), or none.
fn declared_tool(declaration: &provgate_policy::Declaration) -> String {
    if let Some(tool) = &declaration.tool {
        return tool.clone();
    }
    let value = declaration.value.trim();
    match declaration.syntax {
        Some(provgate_policy::policy::Syntax::Free) if !value.is_empty() => {
            value.chars().take(60).collect()
        }
        _ => format!("{} (no tool named)", declaration.trailer),
    }
}

/// The git directory of the repository at `repo`: `.git` (a directory, or a file naming the
/// directory, as in worktrees), or `repo` itself when it is bare.
pub fn git_dir(repo: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(repo).ok()?;
    for dir in start.ancestors() {
        let dot_git = dir.join(".git");
        if dot_git.is_dir() {
            return Some(dot_git);
        }
        if dot_git.is_file() {
            let text = std::fs::read_to_string(&dot_git).ok()?;
            let target = text.strip_prefix("gitdir:")?.trim();
            return Some(dir.join(target));
        }
        if dir.join("HEAD").is_file() && dir.join("objects").is_dir() {
            return Some(dir.to_path_buf());
        }
    }
    None
}

/// The cache file for this build of provgate, these policies and the branch the commits are
/// read from (an agent's branch is evidence).
fn cache_file(repo: &Path, judges: &[Judge], branch: Option<&str>) -> Option<PathBuf> {
    use sha2::Digest;
    let mut hash = sha2::Sha256::new();
    hash.update(env!("CARGO_PKG_VERSION").as_bytes());
    // The version alone does not change when the rules do between releases (or in a build from a
    // checkout): the program's own bytes do, so a changed provgate never reads an older one's
    // verdicts. Hashing them costs a few milliseconds per scan.
    if let Some(exe) = std::env::current_exe()
        .ok()
        .and_then(|p| std::fs::read(p).ok())
    {
        hash.update(b"\0exe");
        hash.update(&exe);
    }
    for judge in judges {
        hash.update(b"\0");
        hash.update(judge.policy.digest().as_bytes());
        if judge.analyzer.is_some() {
            hash.update(b"\0code");
        }
    }
    if let Some(branch) = branch {
        hash.update(b"\0branch\0");
        hash.update(branch.as_bytes());
    }
    let key: String = hash
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    Some(
        git_dir(repo)?
            .join("provgate")
            .join("scan")
            .join(format!("{key}.jsonl")),
    )
}

/// Records cached by commit id; an unreadable or damaged cache is only a slower scan.
fn load_cache(path: &Path) -> HashMap<String, CommitRecord> {
    let Ok(file) = std::fs::File::open(path) else {
        return HashMap::new();
    };
    std::io::BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| serde_json::from_str::<CommitRecord>(&line).ok())
        .map(|r| (r.id.clone(), r))
        .collect()
}

/// Writes the cache whole, through a temporary file, so that a crash never leaves half a cache.
fn save_cache(path: &Path, cache: &HashMap<String, CommitRecord>) -> std::io::Result<()> {
    let Some(dir) = path.parent() else {
        return Err(std::io::Error::other("cache path has no directory"));
    };
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    {
        let mut writer = std::io::BufWriter::new(tmp.as_file_mut());
        for record in cache.values() {
            serde_json::to_writer(&mut writer, record)?;
            writer.write_all(b"\n")?;
        }
        writer.flush()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
