//! Provenance attestations: an in-toto Statement v1 per commit, optionally signed in a DSSE
//! envelope, kept in git notes.
//!
//! A note holds one JSON document and a newline: either the Statement itself (unsigned) or a DSSE
//! envelope whose payload is the Statement. See `docs/attestations.md` for the format, for how
//! notes travel between repositories, and for how to check them without provgate.
//!
//! Notes are written with `git fast-import` (one process and one notes commit for any number of
//! commits, the fan-out of the notes tree handled by git, the ref updated only if no one else
//! moved it meanwhile) and read with `git notes list` and `git cat-file --batch`, through
//! [`provgate_git::notes`]: the git CLI rather than gix, because gix 0.90 has no notes API and
//! the notes tree's fan-out rules are git's own; git is already what users inspect notes with.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use provgate_report::{PatchReport, Report};
use serde::{Deserialize, Serialize};

use crate::canonical;
use crate::checkpoint::key_id;
use crate::entry::{PolicyRef, ToolRef};
use crate::error::{Result, StoreError};
use provgate_report::{Finding, Verdict};

/// The in-toto Statement type.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// provgate's predicate type: an identifier, not a page to fetch.
pub const PREDICATE_TYPE: &str = "https://provgate.dev/attestation/ai-provenance/v1";
/// The DSSE payload type of an in-toto Statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// Where attestations are kept unless configured otherwise.
pub const DEFAULT_NOTES_REF: &str = "refs/notes/provenance";

/// An in-toto Statement v1 about one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    /// Always [`STATEMENT_TYPE`].
    #[serde(rename = "_type")]
    pub statement_type: String,
    /// The commit: `name` is the commit id, `digest` is `{"gitCommit": id}`.
    pub subject: Vec<ResourceDescriptor>,
    /// Always [`PREDICATE_TYPE`] for provgate's statements.
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
    /// What provgate found and decided.
    pub predicate: Provenance,
}

/// An in-toto resource descriptor (the subset provgate uses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceDescriptor {
    /// The commit id.
    pub name: String,
    /// `gitCommit` → the commit id.
    pub digest: BTreeMap<String, String>,
}

/// provgate's predicate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    /// Whether the commit discloses AI help in a trailer the policy recognises.
    pub disclosed: bool,
    /// The disclosure trailers as parsed (see docs/report-format.md).
    pub declared_ai_use: Vec<serde_json::Value>,
    /// Undisclosed-use signals (tool fingerprints), with their confidence.
    pub fingerprints: Vec<serde_json::Value>,
    /// The policy zones the commit's files are in, sorted.
    pub zones: Vec<String>,
    /// `pass`, `warn` or `fail`; null when no policy judged.
    pub verdict: Option<Verdict>,
    /// The findings on the commit.
    pub findings: Vec<Finding>,
    /// The policy: name and digest.
    pub policy: Option<PolicyRef>,
    /// provgate and its version.
    pub tool: ToolRef,
    /// When the statement was made (RFC 3339 UTC).
    pub attested_at: String,
}

impl Statement {
    /// The statement for one commit of a report (the patch's id is the commit id).
    pub fn for_patch(report: &Report, patch: &PatchReport) -> Statement {
        let mut zones: Vec<String> = patch
            .files
            .iter()
            .flat_map(|f| f.zones.iter().flatten().cloned())
            .collect();
        zones.sort();
        zones.dedup();
        let ai = patch.ai.as_ref();
        Statement {
            statement_type: STATEMENT_TYPE.to_string(),
            subject: vec![ResourceDescriptor {
                name: patch.id.clone(),
                digest: BTreeMap::from([("gitCommit".to_string(), patch.id.clone())]),
            }],
            predicate_type: PREDICATE_TYPE.to_string(),
            predicate: Provenance {
                disclosed: ai.is_some_and(|a| a.disclosed),
                declared_ai_use: ai.map(|a| a.declarations.clone()).unwrap_or_default(),
                fingerprints: ai.map(|a| a.fingerprints.clone()).unwrap_or_default(),
                zones,
                verdict: patch.verdict,
                findings: patch.findings.iter().map(|f| f.finding.clone()).collect(),
                policy: report.policy.as_ref().map(PolicyRef::from),
                tool: ToolRef {
                    name: report.tool.name.to_string(),
                    version: report.tool.version.clone(),
                },
                attested_at: crate::entry::now(),
            },
        }
    }

    /// The commit ids the statement is about (`gitCommit` digests).
    pub fn commits(&self) -> Vec<&str> {
        self.subject
            .iter()
            .filter_map(|s| s.digest.get("gitCommit").map(String::as_str))
            .collect()
    }

    /// The canonical JSON bytes (the DSSE payload).
    pub fn to_canonical(&self) -> String {
        canonical::to_string(self).expect("a statement encodes")
    }

    /// Signs the statement into a DSSE envelope.
    pub fn sign(&self, key: &SigningKey) -> Envelope {
        let payload = self.to_canonical();
        let sig = key.sign(&pae(PAYLOAD_TYPE, payload.as_bytes()));
        Envelope {
            payload_type: PAYLOAD_TYPE.to_string(),
            payload: B64.encode(payload.as_bytes()),
            signatures: vec![EnvelopeSignature {
                keyid: key_id(&key.verifying_key()),
                sig: B64.encode(sig.to_bytes()),
            }],
        }
    }
}

/// A DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Always [`PAYLOAD_TYPE`].
    #[serde(rename = "payloadType")]
    pub payload_type: String,
    /// The statement's canonical JSON, base64.
    pub payload: String,
    /// The signatures.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One DSSE signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// The key id ([`key_id`]).
    pub keyid: String,
    /// Base64 ed25519 signature over the pre-authentication encoding.
    pub sig: String,
}

/// DSSE's pre-authentication encoding: `DSSEv1 LEN(type) type LEN(body) body`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

impl Envelope {
    /// The statement inside, not checked.
    pub fn statement(&self) -> std::result::Result<Statement, String> {
        if self.payload_type != PAYLOAD_TYPE {
            return Err(format!("payload type {:?}", self.payload_type));
        }
        let bytes = B64
            .decode(self.payload.trim())
            .map_err(|e| format!("payload is not base64: {e}"))?;
        parse_statement(&bytes)
    }

    /// Checks a signature by `key`: [`StoreError::WrongKey`] when no signature names it,
    /// [`StoreError::BadSignature`] when it does not verify.
    pub fn verify(&self, key: &VerifyingKey) -> Result<()> {
        let id = key_id(key);
        let Some(s) = self.signatures.iter().find(|s| s.keyid == id) else {
            return Err(StoreError::WrongKey {
                signed_by: self
                    .signatures
                    .iter()
                    .map(|s| s.keyid.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                given: id,
            });
        };
        let payload = B64
            .decode(self.payload.trim())
            .map_err(|e| StoreError::BadSignature {
                detail: format!("payload is not base64: {e}"),
            })?;
        let sig = B64
            .decode(s.sig.trim())
            .ok()
            .and_then(|b| Signature::from_slice(&b).ok())
            .ok_or_else(|| StoreError::BadSignature {
                detail: "the signature is malformed".to_string(),
            })?;
        key.verify(&pae(&self.payload_type, &payload), &sig)
            .map_err(|_| StoreError::BadSignature {
                detail: "the statement does not match its signature (altered after signing)"
                    .to_string(),
            })
    }
}

/// What a note holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// An unsigned statement.
    Statement(Box<Statement>),
    /// A signed statement.
    Envelope(Envelope),
}

impl Note {
    /// The note's text: one JSON document and a newline.
    pub fn to_text(&self) -> String {
        let mut s = match self {
            Note::Statement(st) => st.to_canonical(),
            Note::Envelope(e) => canonical::to_string(e).expect("an envelope encodes"),
        };
        s.push('\n');
        s
    }

    /// Parses a note; the error says what it is instead.
    pub fn parse(text: &str) -> std::result::Result<Note, String> {
        let value: serde_json::Value = serde_json::from_str(text.trim())
            .map_err(|_| format!("not JSON: {:?}", preview(text)))?;
        if value.get("payloadType").is_some() {
            let env: Envelope =
                serde_json::from_value(value).map_err(|e| format!("not a DSSE envelope: {e}"))?;
            env.statement()?;
            Ok(Note::Envelope(env))
        } else if value.get("_type").is_some() {
            parse_statement(text.trim().as_bytes()).map(|s| Note::Statement(Box::new(s)))
        } else {
            Err(format!(
                "JSON but not an in-toto statement: {:?}",
                preview(text)
            ))
        }
    }

    /// An unsigned note.
    pub fn unsigned(statement: Statement) -> Note {
        Note::Statement(Box::new(statement))
    }

    /// A note signed with `key`.
    pub fn signed(statement: &Statement, key: &SigningKey) -> Note {
        Note::Envelope(statement.sign(key))
    }

    /// The statement, signed or not.
    pub fn statement(&self) -> Statement {
        match self {
            Note::Statement(s) => (**s).clone(),
            Note::Envelope(e) => e.statement().expect("checked when parsed"),
        }
    }
}

fn parse_statement(bytes: &[u8]) -> std::result::Result<Statement, String> {
    let st: Statement =
        serde_json::from_slice(bytes).map_err(|e| format!("not a provgate statement: {e}"))?;
    if st.statement_type != STATEMENT_TYPE {
        return Err(format!("statement type {:?}", st.statement_type));
    }
    if st.predicate_type != PREDICATE_TYPE {
        return Err(format!("predicate type {:?}", st.predicate_type));
    }
    Ok(st)
}

fn preview(text: &str) -> String {
    let t = text.trim();
    match t.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t.to_string(),
    }
}

/// The outcome of checking one commit's attestation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttestationStatus {
    /// Signed, and the signature by the given key verifies.
    Verified,
    /// Signed, but no key was given to check it with.
    SignedUnchecked,
    /// Not signed.
    Unsigned,
    /// No note on the commit.
    Missing,
    /// The statement is about other commits (a note copied or moved).
    WrongSubject {
        /// The commits it names.
        found: Vec<String>,
    },
    /// The signature does not verify with the given key, or was made by another key.
    BadSignature {
        /// Why.
        reason: String,
    },
    /// The note is not a readable provgate statement (altered).
    Malformed {
        /// Why.
        reason: String,
    },
}

impl AttestationStatus {
    /// Whether it passes: with `require_signature`, only [`AttestationStatus::Verified`];
    /// otherwise also an unsigned or unchecked statement about the right commit.
    pub fn is_ok(&self, require_signature: bool) -> bool {
        match self {
            AttestationStatus::Verified => true,
            AttestationStatus::SignedUnchecked | AttestationStatus::Unsigned => !require_signature,
            _ => false,
        }
    }
}

/// One commit's check.
#[derive(Debug, Clone)]
pub struct AttestationCheck {
    /// The full commit id.
    pub commit: String,
    /// The outcome.
    pub status: AttestationStatus,
    /// The statement, when the note held one.
    pub statement: Option<Statement>,
}

/// Attestations in a repository's notes.
#[derive(Debug, Clone)]
pub struct Notes {
    repo: PathBuf,
    notes_ref: String,
}

impl Notes {
    /// The notes of the repository at `repo` (a work tree or a git dir), under
    /// [`DEFAULT_NOTES_REF`].
    pub fn new(repo: impl Into<PathBuf>) -> Notes {
        Notes {
            repo: repo.into(),
            notes_ref: DEFAULT_NOTES_REF.to_string(),
        }
    }

    /// Another notes ref: a full ref (`refs/notes/x`) or a short name (`x`).
    pub fn with_ref(mut self, notes_ref: &str) -> Notes {
        self.notes_ref = if notes_ref.starts_with("refs/") {
            notes_ref.to_string()
        } else {
            format!("refs/notes/{notes_ref}")
        };
        self
    }

    /// The notes ref.
    pub fn notes_ref(&self) -> &str {
        &self.notes_ref
    }

    /// A git error as the store reports it: the command and what git (or the system) said.
    fn git_error(e: provgate_git::GitError) -> StoreError {
        match e {
            provgate_git::GitError::Command { command, detail } => {
                StoreError::Git { command, detail }
            }
            provgate_git::GitError::Spawn { command, source } => StoreError::Git {
                command,
                detail: source.to_string(),
            },
            provgate_git::GitError::NotABlob { id, header } => StoreError::Git {
                command: "cat-file --batch".to_string(),
                detail: format!("note {id}: {header}"),
            },
            other => StoreError::Git {
                command: String::new(),
                detail: other.to_string(),
            },
        }
    }

    /// Full commit ids for the given ids or revisions, in order.
    pub fn resolve(&self, revs: &[String]) -> Result<Vec<String>> {
        let ids =
            provgate_git::notes::resolve_commits(&self.repo, revs).map_err(Self::git_error)?;
        revs.iter()
            .zip(ids)
            .map(|(rev, id)| {
                id.ok_or_else(|| StoreError::Git {
                    command: format!("cat-file --batch-check ({rev})"),
                    detail: format!("{rev} is not a commit of {}", self.repo.display()),
                })
            })
            .collect()
    }

    /// Every note under the ref: commit id → note blob id.
    fn list(&self) -> Result<HashMap<String, String>> {
        match provgate_git::notes::list(&self.repo, &self.notes_ref) {
            Ok(notes) => Ok(notes.into_iter().collect()),
            // No notes ref yet is an empty list.
            Err(provgate_git::GitError::Command { .. }) if self.tip()?.is_none() => {
                Ok(HashMap::new())
            }
            Err(e) => Err(Self::git_error(e)),
        }
    }

    fn tip(&self) -> Result<Option<String>> {
        provgate_git::notes::ref_commit(&self.repo, &self.notes_ref).map_err(Self::git_error)
    }

    /// The contents of blobs, in order.
    fn blobs(&self, ids: &[&str]) -> Result<Vec<String>> {
        provgate_git::notes::blobs(&self.repo, ids).map_err(Self::git_error)
    }

    /// The note on a commit, raw.
    pub fn read(&self, commit: &str) -> Result<Option<String>> {
        let commit = self.resolve(&[commit.to_string()])?.remove(0);
        let notes = self.list()?;
        match notes.get(&commit) {
            Some(blob) => Ok(self.blobs(&[blob])?.pop()),
            None => Ok(None),
        }
    }

    /// Refuses a ref whose notes are not provgate's: looks at up to 20 of its notes and errs
    /// when none is a provgate statement.
    fn check_ours(&self, notes: &HashMap<String, String>) -> Result<()> {
        if notes.is_empty() {
            return Ok(());
        }
        let mut sample: Vec<(&String, &String)> = notes.iter().collect();
        sample.sort();
        sample.truncate(20);
        let blobs: Vec<&str> = sample.iter().map(|(_, b)| b.as_str()).collect();
        let texts = self.blobs(&blobs)?;
        let mut first_error = None;
        for ((commit, _), text) in sample.iter().zip(&texts) {
            match Note::parse(text) {
                Ok(_) => return Ok(()),
                Err(e) => {
                    if first_error.is_none() {
                        first_error = Some(((*commit).clone(), e));
                    }
                }
            }
        }
        let (commit, detail) = first_error.expect("a sample was read");
        Err(StoreError::ForeignNotes {
            notes_ref: self.notes_ref.clone(),
            commit,
            detail,
        })
    }

    /// Writes (or replaces) the notes of the given commits in one notes commit. Refuses a ref
    /// that holds notes other than provgate's. If another writer moves the ref meanwhile, it
    /// starts again from the new tip (three tries).
    pub fn write(&self, notes: &[(String, Note)]) -> Result<()> {
        if notes.is_empty() {
            return Ok(());
        }
        let revs: Vec<String> = notes.iter().map(|(c, _)| c.clone()).collect();
        let commits = self.resolve(&revs)?;
        let mut last_error = None;
        for _ in 0..3 {
            let tip = self.tip()?;
            if tip.is_some() {
                self.check_ours(&self.list()?)?;
            }
            let ident = self.committer()?;
            let message = format!("provgate attest: {} commit(s)\n", notes.len());
            let mut stream = Vec::new();
            let _ = write!(
                stream,
                "commit {}\ncommitter {ident}\ndata {}\n{message}",
                self.notes_ref,
                message.len()
            );
            if let Some(t) = &tip {
                let _ = writeln!(stream, "from {t}");
            }
            for (commit, (_, note)) in commits.iter().zip(notes) {
                let text = note.to_text();
                let _ = write!(stream, "N inline {commit}\ndata {}\n{text}\n", text.len());
            }
            stream.extend_from_slice(b"done\n");
            let err = match provgate_git::notes::fast_import(&self.repo, &stream) {
                Ok(()) => return Ok(()),
                Err(e) => Self::git_error(e),
            };
            let moved =
                matches!(&err, StoreError::Git { detail, .. } if detail.contains("Not updating"));
            last_error = Some(err);
            if !moved {
                break;
            }
        }
        Err(last_error.expect("a try was made"))
    }

    fn committer(&self) -> Result<String> {
        if let Some(ident) = provgate_git::committer_ident(&self.repo).map_err(Self::git_error)? {
            return Ok(ident);
        }
        // No identity configured (a CI machine): the notes commit is provgate's own.
        Ok(format!(
            "provgate <provgate@localhost> {} +0000",
            jiff::Timestamp::now().as_second()
        ))
    }

    /// Checks the attestations of the given commits (ids or revisions): a note is present, it is
    /// a provgate statement about that commit, and, with `key`, it is signed by that key.
    ///
    /// [`StoreError::ForeignNotes`] when the ref holds notes that are not provgate's (then
    /// nothing about the commits can be said); a single unreadable note among provgate's is
    /// [`AttestationStatus::Malformed`].
    pub fn verify(
        &self,
        commits: &[String],
        key: Option<&VerifyingKey>,
    ) -> Result<Vec<AttestationCheck>> {
        let commits = self.resolve(commits)?;
        let notes = self.list()?;
        let present: Vec<&str> = commits
            .iter()
            .filter_map(|c| notes.get(c).map(String::as_str))
            .collect();
        let texts = self.blobs(&present)?;
        let mut texts = texts.into_iter();
        let mut checks = Vec::with_capacity(commits.len());
        let mut any_ours = false;
        for commit in commits {
            if !notes.contains_key(&commit) {
                checks.push(AttestationCheck {
                    commit,
                    status: AttestationStatus::Missing,
                    statement: None,
                });
                continue;
            }
            let text = texts.next().unwrap_or_default();
            let note = match Note::parse(&text) {
                Ok(n) => n,
                Err(reason) => {
                    checks.push(AttestationCheck {
                        commit,
                        status: AttestationStatus::Malformed { reason },
                        statement: None,
                    });
                    continue;
                }
            };
            any_ours = true;
            let statement = note.statement();
            let found: Vec<String> = statement.commits().iter().map(|c| c.to_string()).collect();
            let status = if found.len() != 1 || found[0] != commit {
                AttestationStatus::WrongSubject { found }
            } else {
                match (&note, key) {
                    (Note::Statement(_), _) => AttestationStatus::Unsigned,
                    (Note::Envelope(_), None) => AttestationStatus::SignedUnchecked,
                    (Note::Envelope(env), Some(key)) => match env.verify(key) {
                        Ok(()) => AttestationStatus::Verified,
                        Err(e) => AttestationStatus::BadSignature {
                            reason: e.to_string(),
                        },
                    },
                }
            };
            checks.push(AttestationCheck {
                commit,
                status,
                statement: Some(statement),
            });
        }
        let malformed = checks
            .iter()
            .any(|c| matches!(c.status, AttestationStatus::Malformed { .. }));
        if malformed && !any_ours {
            self.check_ours(&notes)?;
        }
        Ok(checks)
    }

    /// The repository path given.
    pub fn repo(&self) -> &Path {
        &self.repo
    }
}
