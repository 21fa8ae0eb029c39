//! The one report every provgate command produces, and its renderings.
//!
//! [`Report`] is the versioned contract documented in `docs/report-format.md`
//! (`"schema": "provgate/report/v1"`); every output format is rendered from it, so a format never
//! knows where patches came from. Fields are only ever added to v1, never renamed or removed.

pub mod b4;
pub mod codequality;
pub mod email;
pub mod github;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod scan;
pub mod snippet;
pub mod text;

pub use snippet::Snippet;

use provgate_patch::{FileChange, Patch};
pub use provgate_policy::policy::Mode;
pub use provgate_policy::{Finding, Level, ProofOutcome, RuleId, Stage, Verdict};
use serde::{Deserialize, Serialize};

/// The schema identifier of [`Report`]'s JSON form.
pub const SCHEMA: &str = "provgate/report/v1";

/// Everything a check found, ready to render.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// The tool and its version.
    pub tool: Tool,
    /// What was read, in order.
    pub inputs: Vec<InputReport>,
    /// The series the patches form (a git range is one series).
    pub series: Vec<SeriesReport>,
    /// Every patch read, cover letters included, in input order.
    pub patches: Vec<PatchReport>,
    /// Inputs or messages that could not be read; the rest were still read.
    pub errors: Vec<ErrorReport>,
    /// The policy that judged, when one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyReport>,
    /// Findings about the policy itself (e.g. a waiver that matched nothing).
    pub findings: Vec<FindingReport>,
    /// Findings that the policy's exceptions waived, with the reason.
    pub waived: Vec<WaivedReport>,
    /// The rules that produced findings, with their documentation summary.
    pub rules: Vec<RuleReport>,
    /// Remarks on the run itself (e.g. `mode = "warn"` lowered failures to warnings).
    pub notes: Vec<String>,
    /// `pass`, `warn` or `fail`; null when no policy judged.
    pub verdict: Option<Verdict>,
    /// Counts over the whole report.
    pub summary: Summary,
}

/// The policy a report was judged under.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyReport {
    /// The policy file, or `preset NAME`.
    pub origin: String,
    /// The preset it extends.
    pub extends: String,
    /// SHA-256 of the resolved policy's canonical form.
    pub digest: String,
    /// `enforce` or `warn`.
    pub mode: Mode,
    /// `submit` or `merge`.
    pub stage: Stage,
    /// Whether the published policy it encodes is in force, proposed or superseded, with the
    /// date and revision followed (`proposed (2026-05-29, v2 …): not merged as of late 2026`);
    /// written when the policy says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// One finding of a rule, with the lines around it for the renderings that show them.
///
/// The finding is the engine's own [`Finding`], serialised as it is everywhere (reports, scans,
/// attestations and the audit log); only the snippet is the report's.
#[derive(Debug, Clone, Serialize)]
pub struct FindingReport {
    /// The finding.
    #[serde(flatten)]
    pub finding: Finding,
    /// The lines around the finding's line, for renderings that show them (the `snippet` of
    /// docs/report-format.md; absent when the finding has no line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<Snippet>,
}

impl FindingReport {
    /// A finding without a snippet.
    pub fn new(finding: Finding) -> FindingReport {
        FindingReport {
            finding,
            snippet: None,
        }
    }
}

impl std::ops::Deref for FindingReport {
    type Target = Finding;

    fn deref(&self) -> &Finding {
        &self.finding
    }
}

/// A finding an exception waived.
#[derive(Debug, Clone, Serialize)]
pub struct WaivedReport {
    /// The finding as it would have been reported.
    pub finding: FindingReport,
    /// The exception's reason.
    pub reason: String,
    /// The exception's line in the policy file.
    pub exception_line: usize,
}

/// A rule named by findings.
#[derive(Debug, Clone, Serialize)]
pub struct RuleReport {
    /// The rule.
    pub name: RuleId,
    /// One line: what it checks.
    pub summary: String,
    /// Where the rule's documentation says more (`provgate explain NAME`).
    pub help: String,
}

/// AI evidence of a patch.
#[derive(Debug, Clone, Serialize)]
pub struct AiReport {
    /// Whether the patch discloses AI help in a trailer the policy recognises.
    pub disclosed: bool,
    /// The disclosure trailers, parsed (see docs/report-format.md).
    pub declarations: Vec<serde_json::Value>,
    /// Undisclosed-use signals found (tool fingerprints), with their confidence.
    pub fingerprints: Vec<serde_json::Value>,
    /// Disclosure-like trailers crediting a person, not an AI (`{trailer, value, line}`);
    /// written only when there are some.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub human_help: Vec<serde_json::Value>,
    /// The lines agents wrote per the commit's git-ai note (`[{path, lines, count, added, tool,
    /// agent, model, session}]`); written only when there are some.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub authorship: Vec<serde_json::Value>,
}

/// The program that wrote a report.
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    /// `provgate`.
    pub name: &'static str,
    /// The program's version.
    pub version: String,
}

/// One input as the user named it.
#[derive(Debug, Clone, Serialize)]
pub struct InputReport {
    /// The argument (a range, a path, or `-`).
    pub name: String,
    /// `range`, `file`, `directory` or `stdin`.
    pub kind: &'static str,
}

/// A series: patches sent or committed together.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesReport {
    /// Cover letter's Message-ID, first patch's id, or the range.
    pub id: String,
    /// `v3` → 3.
    pub version: u32,
    /// Patches announced (`N` of `i/N`), when known.
    pub total: Option<u32>,
    /// The cover letter's id, when there is one.
    pub cover: Option<String>,
    /// The ids of its patches in order (cover letter excluded).
    pub patches: Vec<String>,
    /// Announced positions no patch filled.
    pub missing: Vec<u32>,
    /// The subject of the cover letter, else of the first patch, with its mail prefix.
    pub subject: String,
    /// Findings about the series as a whole (e.g. small AI fixes split to pass a limit).
    pub findings: Vec<FindingReport>,
    /// The worst of its patches' verdicts and its own findings; null when no policy judged.
    pub verdict: Option<Verdict>,
}

/// A patch's place in its series.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesRef {
    /// See [`SeriesReport::id`].
    pub id: String,
    /// The series version.
    pub version: u32,
    /// The position (`0` for a cover letter), when the subject gives one.
    pub index: Option<u32>,
    /// The announced total, when the subject gives one.
    pub total: Option<u32>,
}

/// A name and an address.
#[derive(Debug, Clone, Serialize)]
pub struct PersonReport {
    /// Display name.
    pub name: String,
    /// Address.
    pub email: String,
}

/// A trailer of a patch's message.
#[derive(Debug, Clone, Serialize)]
pub struct TrailerReport {
    /// Key as spelt.
    pub key: String,
    /// Value, continuation lines folded.
    pub value: String,
}

/// One changed file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The path after the change, or before it for a deletion.
    pub path: String,
    /// The source path of a rename or copy.
    pub old_path: Option<String>,
    /// `added`, `modified`, `deleted`, `renamed`, `copied`, `mode-only` or `type-changed`.
    pub status: &'static str,
    /// Whether git treats the file as binary.
    pub binary: bool,
    /// Added lines; `null` for binary files (git shows `-`).
    pub added: Option<u32>,
    /// Removed lines; `null` for binary files.
    pub removed: Option<u32>,
    /// The policy zones the path is in (absent when no policy judged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zones: Option<Vec<String>>,
    /// `tests`, `docs`, `build`, `localization` or `code` (absent when no policy judged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The new-file line of the first line the patch adds to the file, where renderings that
    /// need a line for a finding about the whole patch anchor it (SARIF); not serialised.
    #[serde(skip)]
    pub first_added: Option<u32>,
}

/// Something the reader noticed and resolved.
#[derive(Debug, Clone, Serialize)]
pub struct NoteReport {
    /// A stable kebab-case kind.
    pub kind: String,
    /// A sentence.
    pub message: String,
}

/// One patch as read.
#[derive(Debug, Clone, Serialize)]
pub struct PatchReport {
    /// Commit id; Message-ID without angle brackets; format-patch commit id; or `file:line`.
    pub id: String,
    /// Where it was read: `commit <id>`, `file:line`, or `file`.
    pub origin: String,
    /// The mail subject's prefix in canonical form (`PATCH v2 1/3`), for mail input.
    pub prefix: Option<String>,
    /// Its series, when it came by mail with a position or threading.
    pub series: Option<SeriesRef>,
    /// The subject without mail prefixes.
    pub subject: String,
    /// The author, when known.
    pub author: Option<PersonReport>,
    /// The author date, RFC 3339 with the author's offset.
    pub date: Option<String>,
    /// The trailers in order.
    pub trailers: Vec<TrailerReport>,
    /// The changed files in diff order.
    pub files: Vec<FileReport>,
    /// Reader notes.
    pub notes: Vec<NoteReport>,
    /// AI evidence (absent when no policy judged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ai: Option<AiReport>,
    /// Lines of code the patch changes as the policy counts them (absent when no policy judged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_lines: Option<u32>,
    /// The rules' findings on this patch.
    pub findings: Vec<FindingReport>,
    /// `pass`, `warn` or `fail`; null when no policy judged (cover letters are not judged).
    pub verdict: Option<Verdict>,
    /// Set when code analysis found every changed line pair to differ by one token
    /// substitution (a mechanical change, in QEMU's categories).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mechanical: Option<MechanicalReport>,
    /// The regression-test proof of this patch (`provgate prove`), when one was made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proof: Option<ProofReport>,
}

/// A mechanical change: the same token replaced on every changed line pair.
#[derive(Debug, Clone, Serialize)]
pub struct MechanicalReport {
    /// The token replaced.
    pub from: String,
    /// The token it became.
    pub to: String,
    /// How many line pairs changed this way.
    pub pairs: u32,
}

/// A regression-test proof: the patch's tests run on its base without the fix, then with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProofReport {
    /// `proven`, `hollow`, `broken`, `inconclusive` or `not-applicable` (no test files).
    pub outcome: ProofOutcome,
    /// One sentence.
    pub summary: String,
    /// The base commit the patch was applied to.
    pub base: String,
    /// The test command.
    pub command: String,
    /// The patch's test files, applied alone for the first run.
    pub test_files: Vec<String>,
    /// The run with only the test files applied (expected to fail).
    pub without_fix: Option<RunReport>,
    /// The run with the whole patch applied (expected to pass).
    pub with_fix: Option<RunReport>,
}

/// One run of a test command.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunReport {
    /// The patch's files applied before the run.
    pub applied: Vec<String>,
    /// The exit code, when the command exited.
    pub exit_code: Option<i32>,
    /// The signal that ended it, when one did.
    pub signal: Option<i32>,
    /// Whether it was killed at the timeout.
    pub timed_out: bool,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// The end of its output (standard output and error interleaved).
    pub output_tail: String,
}

impl RunReport {
    /// `exit 1`, `killed by signal 9` or `timed out after 10000 ms`.
    pub fn describe(&self) -> String {
        if self.timed_out {
            format!("timed out after {} ms", self.duration_ms)
        } else if let Some(code) = self.exit_code {
            format!("exit {code}")
        } else {
            format!("killed by signal {}", self.signal.unwrap_or(0))
        }
    }
}

/// An input or message that could not be read.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorReport {
    /// The file (or range) concerned.
    pub input: String,
    /// The 1-based line, when one can be named.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

/// Counts over a report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Patches read (cover letters excluded).
    pub patches: usize,
    /// Cover letters read.
    pub cover_letters: usize,
    /// Series formed.
    pub series: usize,
    /// File changes over all patches.
    pub files: usize,
    /// Added lines over all text files.
    pub added: u64,
    /// Removed lines over all text files.
    pub removed: u64,
    /// Merge commits skipped in git ranges.
    pub merges_skipped: usize,
    /// Messages that were not patches (replies, discussion).
    pub not_patches: usize,
    /// Inputs or messages that could not be read.
    pub errors: usize,
    /// Patches with AI evidence (declared or fingerprint).
    pub ai_assisted: usize,
    /// Patches whose verdict is `fail`.
    pub failed: usize,
    /// Patches whose verdict is `warn`.
    pub warned: usize,
    /// Findings at `deny`, over patches, series and the policy.
    pub deny: usize,
    /// Findings at `warn`.
    pub warn: usize,
    /// Findings waived by exceptions.
    pub waived: usize,
}

impl Report {
    /// An empty report of this tool version.
    pub fn new(version: impl Into<String>) -> Self {
        Self {
            schema: SCHEMA,
            tool: Tool {
                name: "provgate",
                version: version.into(),
            },
            inputs: Vec::new(),
            series: Vec::new(),
            patches: Vec::new(),
            errors: Vec::new(),
            policy: None,
            findings: Vec::new(),
            waived: Vec::new(),
            rules: Vec::new(),
            notes: Vec::new(),
            verdict: None,
            summary: Summary::default(),
        }
    }

    /// Every finding: per patch, per series, then about the policy.
    pub fn all_findings(&self) -> impl Iterator<Item = &FindingReport> {
        self.patches
            .iter()
            .flat_map(|p| &p.findings)
            .chain(self.series.iter().flat_map(|s| &s.findings))
            .chain(&self.findings)
    }

    /// The patch with this id.
    pub fn patch(&self, id: &str) -> Option<&PatchReport> {
        self.patches.iter().find(|p| p.id == id)
    }

    /// Adds a patch and counts it.
    pub fn push_patch(&mut self, patch: &Patch) {
        let entry = PatchReport::from(patch);
        if patch.is_cover_letter() {
            self.summary.cover_letters += 1;
        } else {
            self.summary.patches += 1;
        }
        self.summary.files += entry.files.len();
        self.summary.added += entry
            .files
            .iter()
            .filter_map(|f| f.added)
            .map(u64::from)
            .sum::<u64>();
        self.summary.removed += entry
            .files
            .iter()
            .filter_map(|f| f.removed)
            .map(u64::from)
            .sum::<u64>();
        self.patches.push(entry);
    }

    /// Adds an error and counts it.
    pub fn push_error(&mut self, error: ErrorReport) {
        self.summary.errors += 1;
        self.errors.push(error);
    }

    /// Adds a series and counts it.
    pub fn push_series(&mut self, series: SeriesReport) {
        self.summary.series += 1;
        self.series.push(series);
    }
}

impl From<&FileChange> for FileReport {
    fn from(file: &FileChange) -> Self {
        let counts = |n: u32| (!file.binary).then_some(n);
        Self {
            path: file.path().to_string(),
            old_path: file.source_path().map(str::to_string),
            status: file.status.as_str(),
            binary: file.binary,
            added: counts(file.added()),
            removed: counts(file.removed()),
            zones: None,
            kind: None,
            first_added: file.added_lines().next().map(|l| l.new_line),
        }
    }
}

impl From<&Patch> for PatchReport {
    fn from(patch: &Patch) -> Self {
        Self {
            id: patch.id.clone(),
            origin: patch.origin.to_string(),
            prefix: patch.prefix.as_ref().map(prefix_text),
            series: patch.series.as_ref().map(|s| SeriesRef {
                id: s.id.clone(),
                version: s.version,
                index: s.index,
                total: s.total,
            }),
            subject: patch.subject.clone(),
            author: patch.author.as_ref().map(|a| PersonReport {
                name: a.name.clone(),
                email: a.email.clone(),
            }),
            date: patch.date.map(|d| d.to_rfc3339()),
            trailers: patch
                .trailers
                .iter()
                .map(|t| TrailerReport {
                    key: t.key.clone(),
                    value: t.value.clone(),
                })
                .collect(),
            files: patch.files.iter().map(FileReport::from).collect(),
            notes: patch
                .notes
                .iter()
                .map(|n| NoteReport {
                    kind: serde_json::to_value(n.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    message: n.message.clone(),
                })
                .collect(),
            ai: None,
            code_lines: None,
            findings: Vec::new(),
            verdict: None,
            mechanical: None,
            proof: None,
        }
    }
}

/// `PATCH v2 1/3`: the tags, the version when not 1, and the position.
fn prefix_text(prefix: &provgate_patch::SubjectPrefix) -> String {
    let mut words: Vec<String> = prefix.tags.clone();
    if prefix.version > 1 {
        words.push(format!("v{}", prefix.version));
    }
    if let (Some(index), Some(total)) = (prefix.index, prefix.total) {
        words.push(format!("{index}/{total}"));
    }
    words.join(" ")
}

impl PatchReport {
    /// The subject as it was mailed: `[PATCH v2 1/3] subject`, or the plain subject.
    pub fn mailed_subject(&self) -> String {
        match self.prefix.as_deref() {
            Some(prefix) if !prefix.is_empty() => format!("[{prefix}] {}", self.subject),
            _ => self.subject.clone(),
        }
    }

    /// A short name for messages: the abbreviated commit id, or the Message-ID.
    pub fn short_id(&self) -> &str {
        short_id(&self.id)
    }
}

/// Commit ids are shortened as git does, and so are format-patch Message-IDs, which start with
/// the commit id (`<sha>.<time>.git.<sender>`); other Message-IDs are kept whole.
pub fn short_id(id: &str) -> &str {
    let hex = id.bytes().take_while(u8::is_ascii_hexdigit).count();
    let commit_like = hex >= 40 && (hex == id.len() || id.as_bytes()[hex] == b'.');
    if commit_like { &id[..12] } else { id }
}
