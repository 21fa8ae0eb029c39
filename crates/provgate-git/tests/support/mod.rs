//! Test support: repositories built with the git CLI, a deterministic history generator for
//! `git fast-import`, and git itself as the oracle (`git log --numstat -z`, `git log -p`,
//! `git interpret-trailers --parse`, `git log --format=%(trailers)`).
//!
//! Every git command runs with `GIT_CONFIG_GLOBAL=/dev/null` and `GIT_CONFIG_NOSYSTEM=1`, so
//! that the developer's own configuration (diff.renames, diff.algorithm, …) cannot change what
//! the oracle says.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use provgate_patch::{FileChange, FileStatus, Hunk, LineKind, Patch};

/// Runs git in `dir` with a neutral configuration and fixed identities; panics with git's
/// message if it fails.
pub fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
    git_with_input(dir, args, None)
}

/// Like [`git`], returning text.
pub fn git_text(dir: &Path, args: &[&str]) -> String {
    String::from_utf8_lossy(&git(dir, args)).into_owned()
}

/// Runs git with `input` on standard input.
pub fn git_with_input(dir: &Path, args: &[&str], input: Option<&[u8]>) -> Vec<u8> {
    let mut cmd = command(dir, args);
    cmd.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("git runs");
    if let Some(input) = input {
        let mut stdin = child.stdin.take().expect("stdin");
        let input = input.to_vec();
        // A writer thread, so that a large input cannot deadlock against a full stdout pipe.
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let out = child.wait_with_output().expect("git finishes");
        writer.join().expect("writer");
        check(args, &out);
        return out.stdout;
    }
    let out = child.wait_with_output().expect("git finishes");
    check(args, &out);
    out.stdout
}

fn check(args: &[&str], out: &std::process::Output) {
    assert!(
        out.status.success(),
        "git {:?} failed: {}",
        args,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A git command with the test environment.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Ada Author")
        .env("GIT_AUTHOR_EMAIL", "ada@example.org")
        .env("GIT_AUTHOR_DATE", "1700000000 +0200")
        .env("GIT_COMMITTER_NAME", "Cy Committer")
        .env("GIT_COMMITTER_EMAIL", "cy@example.org")
        .env("GIT_COMMITTER_DATE", "1700000000 +0200")
        .env("LANG", "C")
        .env("LC_ALL", "C")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE");
    cmd
}

/// A repository in a temporary directory, with `main` as its branch.
pub struct TestRepo {
    pub dir: tempfile::TempDir,
    /// Seconds added to the commit dates of the next commit, so that commits are ordered.
    pub clock: i64,
}

impl TestRepo {
    /// `git init` in a fresh temporary directory.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        git(dir.path(), &["init", "-q", "-b", "main", "."]);
        TestRepo { dir, clock: 0 }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs git here.
    pub fn git(&self, args: &[&str]) -> String {
        git_text(self.path(), args)
    }

    /// Writes a file (creating directories).
    pub fn write(&self, path: &str, content: &[u8]) {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
    }

    /// Stages everything and commits with `message`, one minute after the previous commit.
    pub fn commit(&mut self, message: &str) -> String {
        self.clock += 60;
        let date = format!("{} +0200", 1_700_000_000 + self.clock);
        let mut add = command(self.path(), &["add", "-A"]);
        assert!(add.status().unwrap().success());
        let mut cmd = command(
            self.path(),
            &["commit", "-q", "--allow-empty", "--no-verify", "-F", "-"],
        );
        cmd.env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .stdin(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(message.as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success());
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// The oracle.

/// One file of `git log --numstat -z`: counts (`None` for binary `-`) and paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumstatFile {
    pub added: Option<u32>,
    pub removed: Option<u32>,
    /// The source path of a rename, else `None`.
    pub old_path: Option<String>,
    pub path: String,
}

/// What git says about one commit.
#[derive(Debug, Clone, Default)]
pub struct GitCommit {
    pub id: String,
    pub parents: Vec<String>,
    pub author_name: String,
    pub author_email: String,
    pub author_date: String,
    pub committer_name: String,
    pub committer_email: String,
    pub subject: String,
    pub message: String,
    pub numstat: Vec<NumstatFile>,
    /// `git diff --name-status` letters per path, in order.
    pub statuses: Vec<char>,
    /// The `git log -p` diff of the commit, parsed by provgate-patch.
    pub diff: Vec<FileChange>,
    /// `git interpret-trailers --parse` on the message, as `Key: value` lines: the trailers the
    /// message has once mailed (a `---` line ends it).
    pub trailers: Vec<String>,
    /// `git log --format=%(trailers:only,unfold)`: the trailers git reads in the commit (a `---`
    /// line is message text).
    pub commit_trailers: Vec<String>,
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Splits `git log -z` output whose format starts every commit with `\x01<id>`.
/// `git log -z` ends a commit's format with NUL and, when a diff follows, starts the diff with
/// a newline; `strip_newline` removes it (never for formats whose fields may start with one).
fn split_commits(out: &[u8], strip_newline: bool) -> Vec<(String, Vec<&[u8]>)> {
    let mut commits: Vec<(String, Vec<&[u8]>)> = Vec::new();
    for token in out.split(|&b| b == 0) {
        let token = match token.strip_prefix(b"\n") {
            Some(rest) if strip_newline || rest.starts_with(b"\x01") => rest,
            _ => token,
        };
        if let Some(id) = token.strip_prefix(b"\x01") {
            commits.push((lossy(id), Vec::new()));
        } else if let Some(last) = commits.last_mut() {
            last.1.push(token);
        }
    }
    commits
}

/// Everything git says about the commits of `args` (a revision range and options such as
/// `--no-merges`), oldest first.
pub fn git_commits(dir: &Path, range_args: &[&str]) -> Vec<GitCommit> {
    let with = |extra: &[&str]| -> Vec<u8> {
        let mut args: Vec<&str> = vec!["log", "--reverse"];
        args.extend_from_slice(extra);
        args.extend_from_slice(range_args);
        git(dir, &args)
    };

    // Metadata, one NUL-separated field each.
    let meta = with(&[
        "-z",
        "--date=raw",
        "--format=%x01%H%x00%P%x00%an%x00%ae%x00%ad%x00%cn%x00%ce%x00%s%x00%B",
    ]);
    let mut commits: Vec<GitCommit> = split_commits(&meta, false)
        .into_iter()
        .map(|(id, fields)| {
            let f = |i: usize| fields.get(i).map(|b| lossy(b)).unwrap_or_default();
            GitCommit {
                id,
                parents: f(0).split_whitespace().map(str::to_string).collect(),
                author_name: f(1),
                author_email: f(2),
                author_date: f(3),
                committer_name: f(4),
                committer_email: f(5),
                subject: f(6),
                message: f(7),
                ..Default::default()
            }
        })
        .collect();

    // --numstat -z: `added\tremoved\tpath` or, for a rename, `added\tremoved\t` + old + new.
    let numstat = with(&["-z", "--numstat", "--format=%x01%H"]);
    for (index, (id, tokens)) in split_commits(&numstat, true).into_iter().enumerate() {
        let commit = &mut commits[index];
        assert_eq!(commit.id, id, "same commit order in both logs");
        let mut it = tokens.into_iter().filter(|t| !t.is_empty());
        while let Some(token) = it.next() {
            let mut parts = token.splitn(3, |&b| b == b'\t');
            let (a, r, p) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap_or_default(),
            );
            let count = |t: &[u8]| -> Option<u32> { std::str::from_utf8(t).ok()?.parse().ok() };
            let (old_path, path) = if p.is_empty() {
                let old = lossy(it.next().unwrap());
                (Some(old), lossy(it.next().unwrap()))
            } else {
                (None, lossy(p))
            };
            commit.numstat.push(NumstatFile {
                added: count(a),
                removed: count(r),
                old_path,
                path,
            });
        }
    }

    // --name-status -z: `X\0path\0` or `Rnn\0old\0new\0`.
    let names = with(&["-z", "--name-status", "--format=%x01%H"]);
    for (commit, (id, tokens)) in commits.iter_mut().zip(split_commits(&names, true)) {
        assert_eq!(commit.id, id);
        let mut it = tokens.into_iter().filter(|t| !t.is_empty());
        while let Some(status) = it.next() {
            let letter = status[0] as char;
            commit.statuses.push(letter);
            it.next();
            if letter == 'R' || letter == 'C' {
                it.next();
            }
        }
    }

    // -p, parsed by provgate-patch.
    let patches = with(&["-p", "--format=%x01%H"]);
    let mut chunks: Vec<(String, Vec<u8>)> = Vec::new();
    for line in patches.split_inclusive(|&b| b == b'\n') {
        if let Some(id) = line.strip_prefix(b"\x01") {
            chunks.push((lossy(id).trim().to_string(), Vec::new()));
        } else if let Some(last) = chunks.last_mut() {
            last.1.extend_from_slice(line);
        }
    }
    for (commit, (id, diff)) in commits.iter_mut().zip(chunks) {
        assert_eq!(commit.id, id);
        commit.diff = provgate_patch::diff::parse_diff(&diff, 1)
            .unwrap_or_else(|e| panic!("provgate-patch cannot parse git's diff of {id}: {e}"));
    }

    let trailers = with(&["-z", "--format=%x01%H%x00%(trailers:only,unfold)"]);
    for (commit, (id, fields)) in commits.iter_mut().zip(split_commits(&trailers, false)) {
        assert_eq!(commit.id, id);
        let text = fields.first().map(|b| lossy(b)).unwrap_or_default();
        commit.commit_trailers = text.lines().map(str::to_string).collect();
    }

    let messages: Vec<String> = commits.iter().map(|c| c.message.clone()).collect();
    for (commit, trailers) in commits.iter_mut().zip(interpret_trailers(dir, &messages)) {
        commit.trailers = trailers;
    }
    commits
}

/// `git interpret-trailers --parse` on each message, a few processes at a time.
pub fn interpret_trailers(dir: &Path, messages: &[String]) -> Vec<Vec<String>> {
    let threads = 4;
    let chunk = messages.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = messages
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|m| {
                            let out = git_with_input(
                                dir,
                                &["interpret-trailers", "--parse"],
                                Some(m.as_bytes()),
                            );
                            lossy(&out).lines().map(str::to_string).collect()
                        })
                        .collect::<Vec<Vec<String>>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("trailer thread"))
            .collect()
    })
}

/// A patch's trailers in interpret-trailers' output form.
pub fn trailer_lines(patch: &Patch) -> Vec<String> {
    patch
        .trailers
        .iter()
        .map(|t| format!("{}: {}", t.key, t.value))
        .collect()
}

/// Renders hunks the way `git diff` prints them, for comparisons with readable failures.
pub fn render_hunks(hunks: &[Hunk]) -> String {
    let mut out = String::new();
    for h in hunks {
        out.push_str(&format!(
            "@@ -{},{} +{},{} @@{}\n",
            h.old_start,
            h.old_count,
            h.new_start,
            h.new_count,
            if h.section.is_empty() {
                String::new()
            } else {
                format!(" {}", h.section)
            }
        ));
        for l in h.lines() {
            let marker = match l.kind {
                LineKind::Context => ' ',
                LineKind::Added => '+',
                LineKind::Removed => '-',
            };
            out.push_str(&format!("{marker}{}\n", l.text));
            if l.no_newline {
                out.push_str("\\ No newline at end of file\n");
            }
        }
    }
    out
}

fn status_letter(status: FileStatus) -> char {
    status.letter()
}

/// Compares a patch's files with git's numstat (paths, renames, counts, binary) and statuses;
/// returns one line per disagreement.
pub fn compare_files(id: &str, files: &[FileChange], git: &GitCommit, what: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let ours: Vec<NumstatFile> = files
        .iter()
        .map(|f| NumstatFile {
            added: (!f.binary).then(|| f.added()),
            removed: (!f.binary).then(|| f.removed()),
            old_path: f.source_path().map(str::to_string),
            path: f.path().to_string(),
        })
        .collect();
    if ours != git.numstat {
        let render = |v: &[NumstatFile]| {
            v.iter()
                .map(|f| {
                    let n = |c: Option<u32>| c.map_or("-".to_string(), |c| c.to_string());
                    format!(
                        "{}\t{}\t{}{}",
                        n(f.added),
                        n(f.removed),
                        f.old_path
                            .as_ref()
                            .map(|o| format!("{o} => "))
                            .unwrap_or_default(),
                        f.path
                    )
                })
                .collect::<Vec<_>>()
                .join("\n    ")
        };
        problems.push(format!(
            "{id} {what}: numstat differs\n  ours:\n    {}\n  git:\n    {}",
            render(&ours),
            render(&git.numstat)
        ));
    }
    let letters: Vec<char> = files.iter().map(|f| status_letter(f.status)).collect();
    if letters != git.statuses && ours == git.numstat {
        problems.push(format!(
            "{id} {what}: statuses differ: ours {letters:?}, git {:?}",
            git.statuses
        ));
    }
    problems
}

/// Compares everything a git-read patch should share with git: metadata, message, trailers,
/// files, and hunks line by line against `git log -p`.
pub fn compare_patch(patch: &Patch, git: &GitCommit) -> Vec<String> {
    let id = &patch.id[..12.min(patch.id.len())];
    let mut problems = compare_files(id, &patch.files, git, "files");
    let mut check = |what: &str, ours: String, theirs: &str| {
        if ours != theirs {
            problems.push(format!("{id}: {what}: ours {ours:?}, git {theirs:?}"));
        }
    };
    check("id", patch.id.clone(), &git.id);
    check("parents", patch.parents.join(" "), &git.parents.join(" "));
    let author = patch
        .author
        .clone()
        .unwrap_or_else(|| provgate_patch::Person::new("", ""));
    check("author name", author.name, &git.author_name);
    check("author email", author.email, &git.author_email);
    let date = patch
        .date
        .map(|d| {
            let sign = if d.offset_minutes < 0 { '-' } else { '+' };
            let m = d.offset_minutes.unsigned_abs();
            format!("{} {sign}{:02}{:02}", d.seconds, m / 60, m % 60)
        })
        .unwrap_or_default();
    check("author date", date, &git.author_date);
    let committer = patch
        .committer
        .clone()
        .unwrap_or_else(|| provgate_patch::Person::new("", ""));
    check("committer name", committer.name, &git.committer_name);
    check("committer email", committer.email, &git.committer_email);
    check("subject", patch.subject.clone(), &git.subject);
    check("message", patch.message.clone(), &git.message);
    check(
        "trailers",
        trailer_lines(patch).join(" | "),
        &git.commit_trailers.join(" | "),
    );

    // Hunks, for every file git shows with content (binary files have none on either side).
    if patch.files.len() == git.diff.len() {
        for (ours, theirs) in patch.files.iter().zip(&git.diff) {
            let (a, b) = (render_hunks(&ours.hunks), render_hunks(&theirs.hunks));
            if a != b {
                problems.push(format!(
                    "{id}: hunks of {} differ\n--- ours\n{a}--- git\n{b}",
                    ours.path()
                ));
            }
            if ours.status != theirs.status
                && !(ours.status == FileStatus::ModeOnly && theirs.status == FileStatus::Modified)
            {
                problems.push(format!(
                    "{id}: status of {} differs from git log -p: ours {:?}, git {:?}",
                    ours.path(),
                    ours.status,
                    theirs.status
                ));
            }
            if ours.old_mode != theirs.old_mode && theirs.old_mode.is_some() {
                problems.push(format!(
                    "{id}: old mode of {}: ours {:?}, git {:?}",
                    ours.path(),
                    ours.old_mode,
                    theirs.old_mode
                ));
            }
            if ours.new_mode != theirs.new_mode && theirs.new_mode.is_some() {
                problems.push(format!(
                    "{id}: new mode of {}: ours {:?}, git {:?}",
                    ours.path(),
                    ours.new_mode,
                    theirs.new_mode
                ));
            }
            if ours.similarity != theirs.similarity {
                problems.push(format!(
                    "{id}: similarity of {}: ours {:?}, git {:?}",
                    ours.path(),
                    ours.similarity,
                    theirs.similarity
                ));
            }
        }
    } else {
        problems.push(format!(
            "{id}: {} files, git log -p shows {}",
            patch.files.len(),
            git.diff.len()
        ));
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// A deterministic history for `git fast-import`.

/// A small, fast, deterministic generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Content {
    Blob(Vec<u8>),
    Gitlink(String),
}

#[derive(Clone, Debug)]
struct Entry {
    mode: u32,
    content: Content,
}

const DIRS: &[&str] = &[
    "",
    "src/",
    "src/net/",
    "src/util/",
    "docs/",
    "tests/",
    "lib/deep/er/",
    "weird dir/",
    "ünïcödé/",
];
const NAMES: &[&str] = &[
    "main", "util", "parser", "net", "README", "config", "alloc", "list", "hash", "io", "log",
    "trace", "Makefile", "notes",
];
const EXTS: &[&str] = &[".c", ".h", ".txt", ".md", ".rs", ".py", ""];
const SPECIAL: &[&[u8]] = &[
    b"with space.txt",
    b"tab\there.txt",
    b"quote\"d.txt",
    b"back\\slash.txt",
    b"new\nline.txt",
    b"caf\xe9-latin1.txt",
    b"na\xc3\xafve.txt",
    b"-dash.txt",
];
const WORDS: &[&str] = &[
    "alpha", "beta", "gamma", "delta", "value", "count", "buffer", "list", "node", "state",
    "error", "result", "index", "offset", "length", "flags",
];

/// Statistics of a generated history, to check the generator really exercised the cases.
#[derive(Debug, Default)]
pub struct HistoryStats {
    pub commits: usize,
    pub merges: usize,
    pub renames_attempted: usize,
    pub binaries: usize,
    pub symlinks: usize,
    pub gitlinks: usize,
    pub type_changes: usize,
    pub mode_changes: usize,
    pub latin1_messages: usize,
}

/// Builds a history of `commits` commits (merges included) on `main` in `dir` with fast-import.
pub fn generate_history(dir: &Path, commits: usize, seed: u64) -> HistoryStats {
    let mut generator = Generator {
        rng: Rng::new(seed),
        tree: BTreeMap::new(),
        side: None,
        out: Vec::new(),
        mark: 0,
        time: 1_600_000_000,
        stats: HistoryStats::default(),
        main_mark: None,
    };
    while generator.stats.commits < commits {
        generator.commit();
    }
    git_with_input(dir, &["fast-import", "--quiet"], Some(&generator.out));
    git(dir, &["symbolic-ref", "HEAD", "refs/heads/main"]);
    generator.stats
}

struct Generator {
    rng: Rng,
    tree: BTreeMap<Vec<u8>, Entry>,
    /// A side branch being built: its mark and its own tree.
    side: Option<(usize, BTreeMap<Vec<u8>, Entry>, usize)>,
    out: Vec<u8>,
    mark: usize,
    time: i64,
    stats: HistoryStats,
    main_mark: Option<usize>,
}

/// C-quotes a path for fast-import.
fn quote(path: &[u8]) -> Vec<u8> {
    let mut out = vec![b'"'];
    for &b in path {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\{b:03o}").as_bytes()),
        }
    }
    out.push(b'"');
    out
}

fn data(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(format!("data {}\n", bytes.len()).as_bytes());
    out.extend_from_slice(bytes);
    out.push(b'\n');
}

impl Generator {
    fn word(&mut self) -> &'static str {
        self.rng.pick::<&str>(WORDS)
    }

    fn text_line(&mut self) -> Vec<u8> {
        let indent = ["", "\t", "    ", "\t\t", "        "][self.rng.below(5)];
        let line = match self.rng.below(12) {
            0 => String::new(),
            1 => "}".to_string(),
            2 => "{".to_string(),
            3 => format!("int {}_{}(void)", self.word(), self.rng.below(50)),
            4 => format!(
                "static const char *{}_{} = \"{}\"; /* a rather long line that goes past eighty columns for sure */",
                self.word(),
                self.rng.below(9),
                self.word()
            ),
            5 => format!("{indent}return {};", self.word()),
            6 => format!("{indent}// {} {}  ", self.word(), self.word()),
            _ => format!(
                "{indent}{} = {}({}, {});",
                self.word(),
                self.word(),
                self.word(),
                self.rng.below(100)
            ),
        };
        line.into_bytes()
    }

    fn text(&mut self, lines: usize) -> Vec<u8> {
        let crlf = self.rng.chance(5);
        let mut out = Vec::new();
        for _ in 0..lines {
            out.extend(self.text_line());
            out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        }
        if !out.is_empty() && self.rng.chance(10) {
            out.pop();
        }
        out
    }

    fn text_n(&mut self, base: usize, extra: usize) -> Vec<u8> {
        let lines = base + self.rng.below(extra);
        self.text(lines)
    }

    fn binary(&mut self) -> Vec<u8> {
        let len = 20 + self.rng.below(3000);
        let mut out: Vec<u8> = (0..len).map(|_| self.rng.next() as u8).collect();
        if self.rng.chance(30) {
            // Text whose first NUL lies beyond git's 8000-byte window: not binary to git.
            let mut text = self.text(400);
            while text.len() <= 8100 {
                text.extend(self.text(50));
            }
            text.push(0);
            text.extend_from_slice(b"tail\n");
            return text;
        }
        out[self.rng.below(len)] = 0;
        out
    }

    fn new_path(&mut self) -> Vec<u8> {
        loop {
            let mut path = self.rng.pick(DIRS).as_bytes().to_vec();
            if self.rng.chance(6) {
                path.extend_from_slice(self.rng.pick::<&[u8]>(SPECIAL));
            } else {
                path.extend_from_slice(self.rng.pick(NAMES).as_bytes());
                if self.rng.chance(50) {
                    path.extend_from_slice(format!("_{}", self.rng.below(40)).as_bytes());
                }
                path.extend_from_slice(self.rng.pick(EXTS).as_bytes());
            }
            if !self.tree.contains_key(&path) && !self.conflicts(&path) {
                return path;
            }
        }
    }

    /// Whether `path` would need a file to be a directory or the other way round.
    fn conflicts(&self, path: &[u8]) -> bool {
        let mut prefix = path.to_vec();
        prefix.push(b'/');
        self.tree.keys().any(|k| k.starts_with(&prefix))
            || path
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'/')
                .any(|(i, _)| self.tree.contains_key(&path[..i]))
    }

    fn set(&mut self, cmds: &mut Vec<u8>, path: &[u8], entry: Entry) {
        cmds.extend_from_slice(format!("M {:o} ", entry.mode).as_bytes());
        match &entry.content {
            Content::Gitlink(id) => {
                cmds.extend_from_slice(id.as_bytes());
                cmds.push(b' ');
                cmds.extend(quote(path));
                cmds.push(b'\n');
            }
            Content::Blob(bytes) => {
                cmds.extend_from_slice(b"inline ");
                cmds.extend(quote(path));
                cmds.push(b'\n');
                data(cmds, bytes);
            }
        }
        self.tree.insert(path.to_vec(), entry);
    }

    fn delete(&mut self, cmds: &mut Vec<u8>, path: &[u8]) {
        cmds.extend_from_slice(b"D ");
        cmds.extend(quote(path));
        cmds.push(b'\n');
        self.tree.remove(path);
    }

    fn random_file(&mut self) -> Option<Vec<u8>> {
        if self.tree.is_empty() {
            return None;
        }
        let idx = self.rng.below(self.tree.len());
        self.tree.keys().nth(idx).cloned()
    }

    fn edit(&mut self, content: &[u8]) -> Vec<u8> {
        let mut lines: Vec<Vec<u8>> = content
            .split_inclusive(|&b| b == b'\n')
            .map(<[u8]>::to_vec)
            .collect();
        let many = self.rng.chance(10);
        let edits = 1 + self.rng.below(if many { 30 } else { 4 });
        for _ in 0..edits {
            let at = self.rng.below(lines.len() + 1);
            match self.rng.below(4) {
                0 if at < lines.len() => {
                    let n = 1 + self.rng.below(3);
                    lines.drain(at..(at + n).min(lines.len()));
                }
                1 => {
                    let n = 1 + self.rng.below(5);
                    for _ in 0..n {
                        let mut l = self.text_line();
                        l.push(b'\n');
                        lines.insert(at.min(lines.len()), l);
                    }
                }
                _ if at < lines.len() => {
                    let mut l = self.text_line();
                    l.push(b'\n');
                    lines[at] = l;
                }
                _ => {}
            }
        }
        // A missing final newline is sometimes added or removed.
        if let Some(last) = lines.last_mut()
            && self.rng.chance(8)
        {
            if last.ends_with(b"\n") {
                last.pop();
            } else {
                last.push(b'\n');
            }
        }
        // Joining lines may have moved a line without newline into the middle.
        let n = lines.len();
        for (i, l) in lines.iter_mut().enumerate() {
            if i + 1 < n && !l.ends_with(b"\n") {
                l.push(b'\n');
            }
        }
        lines.concat()
    }

    fn random_gitlink(&mut self) -> String {
        format!(
            "{:016x}{:016x}{:08x}",
            self.rng.next(),
            self.rng.next(),
            self.rng.next() as u32
        )
    }

    fn one_change(&mut self, cmds: &mut Vec<u8>) {
        let choice = self.rng.below(100);
        let file = self.random_file();
        let entry = file.as_ref().and_then(|f| self.tree.get(f).cloned());
        match (choice, file, entry) {
            // Add a file.
            (0..=24, _, _) | (_, None, _) => {
                let path = self.new_path();
                let (mode, content) = match self.rng.below(100) {
                    0..=5 => {
                        self.stats.binaries += 1;
                        (0o100644, Content::Blob(self.binary()))
                    }
                    6..=9 => (0o100644, Content::Blob(Vec::new())),
                    10..=13 => {
                        self.stats.symlinks += 1;
                        let target = format!("../{}/{}", self.word(), self.word());
                        (0o120000, Content::Blob(target.into_bytes()))
                    }
                    14..=15 => {
                        self.stats.gitlinks += 1;
                        (0o160000, Content::Gitlink(self.random_gitlink()))
                    }
                    16..=20 => (0o100755, Content::Blob(self.text_n(3, 30))),
                    21..=23 => (0o100644, Content::Blob(self.text_n(300, 900))),
                    _ => (0o100644, Content::Blob(self.text_n(1, 60))),
                };
                self.set(cmds, &path, Entry { mode, content });
            }
            // Edit a file.
            (25..=54, Some(path), Some(entry)) => {
                let content = match (&entry.content, entry.mode) {
                    (Content::Gitlink(_), _) => Content::Gitlink(self.random_gitlink()),
                    (Content::Blob(_), 0o120000) => {
                        Content::Blob(format!("../{}", self.word()).into_bytes())
                    }
                    (Content::Blob(b), _) if b.contains(&0) && b.len() < 8000 => {
                        Content::Blob(self.binary())
                    }
                    (Content::Blob(b), _) => Content::Blob(self.edit(b)),
                };
                self.set(
                    cmds,
                    &path,
                    Entry {
                        mode: entry.mode,
                        content,
                    },
                );
            }
            // Delete.
            (55..=64, Some(path), _) => self.delete(cmds, &path),
            // Rename, possibly with edits, possibly keeping the basename.
            (65..=79, Some(path), Some(entry)) => {
                self.stats.renames_attempted += 1;
                let base = path.rsplit(|&b| b == b'/').next().unwrap().to_vec();
                let mut dest = if self.rng.chance(50) {
                    let mut d = self.rng.pick(DIRS).as_bytes().to_vec();
                    d.extend_from_slice(&base);
                    d
                } else {
                    self.new_path()
                };
                if dest == path || self.tree.contains_key(&dest) || self.conflicts(&dest) {
                    dest = self.new_path();
                }
                self.delete(cmds, &path);
                let content = match &entry.content {
                    Content::Blob(b) if entry.mode != 0o120000 && self.rng.chance(60) => {
                        let mut edited = b.clone();
                        for _ in 0..self.rng.below(4) {
                            edited = self.edit(&edited);
                        }
                        Content::Blob(edited)
                    }
                    other => other.clone(),
                };
                self.set(
                    cmds,
                    &dest,
                    Entry {
                        mode: entry.mode,
                        content,
                    },
                );
            }
            // Mode change, sometimes with an edit.
            (80..=85, Some(path), Some(entry))
                if entry.mode == 0o100644 || entry.mode == 0o100755 =>
            {
                self.stats.mode_changes += 1;
                let mode = if entry.mode == 0o100644 {
                    0o100755
                } else {
                    0o100644
                };
                let content = match &entry.content {
                    Content::Blob(b) if self.rng.chance(30) && !b.contains(&0) => {
                        Content::Blob(self.edit(b))
                    }
                    other => other.clone(),
                };
                self.set(cmds, &path, Entry { mode, content });
            }
            // Type change: file <-> symlink <-> submodule at the same path.
            (86..=90, Some(path), Some(entry)) => {
                self.stats.type_changes += 1;
                let new = match entry.mode {
                    0o120000 => Entry {
                        mode: 0o100644,
                        content: Content::Blob(self.text_n(1, 5)),
                    },
                    0o160000 => Entry {
                        mode: 0o100644,
                        content: Content::Blob(self.text(2)),
                    },
                    _ if self.rng.chance(70) => Entry {
                        mode: 0o120000,
                        content: Content::Blob(format!("{}.target", self.word()).into_bytes()),
                    },
                    _ => Entry {
                        mode: 0o160000,
                        content: Content::Gitlink(self.random_gitlink()),
                    },
                };
                self.set(cmds, &path, new);
            }
            // Several identical copies of one file (exact-rename tie breaking, basenames).
            (91..=94, Some(path), Some(entry)) => {
                if let Content::Blob(_) = entry.content {
                    self.delete(cmds, &path);
                    for _ in 0..2 + self.rng.below(2) {
                        let mut d = self.rng.pick(DIRS).as_bytes().to_vec();
                        d.extend_from_slice(path.rsplit(|&b| b == b'/').next().unwrap());
                        if self.tree.contains_key(&d) || self.conflicts(&d) {
                            d = self.new_path();
                        }
                        self.set(cmds, &d, entry.clone());
                    }
                }
            }
            // A file replaced by a directory of the same name.
            (95..=97, Some(path), Some(_)) => {
                self.delete(cmds, &path);
                let mut inner = path.clone();
                inner.extend_from_slice(b"/inner.txt");
                let content = Content::Blob(self.text(4));
                self.set(
                    cmds,
                    &inner,
                    Entry {
                        mode: 0o100644,
                        content,
                    },
                );
            }
            // A big rewrite: similarity around the 50 % threshold when renamed.
            (_, Some(path), Some(entry)) => {
                if let (Content::Blob(b), 0o100644 | 0o100755) = (&entry.content, entry.mode) {
                    let mut edited = b.clone();
                    for _ in 0..3 + self.rng.below(6) {
                        edited = self.edit(&edited);
                    }
                    self.delete(cmds, &path);
                    let dest = self.new_path();
                    self.set(
                        cmds,
                        &dest,
                        Entry {
                            mode: entry.mode,
                            content: Content::Blob(edited),
                        },
                    );
                }
            }
            (_, Some(_), None) => {}
        }
    }

    fn message(&mut self) -> (Vec<u8>, bool) {
        let mut m = String::new();
        if self.rng.chance(3) {
            m.push('\n');
        }
        m.push_str(&format!(
            "{}: {} the {}",
            self.word(),
            self.word(),
            self.word()
        ));
        if self.rng.chance(5) {
            m.push_str(&format!("\ncontinued {} subject  ", self.word()));
        }
        m.push('\n');
        if self.rng.chance(3) {
            return (b"Fixes: not a trailer in the title\n".to_vec(), false);
        }
        for _ in 0..self.rng.below(3) {
            m.push('\n');
            for _ in 0..1 + self.rng.below(3) {
                m.push_str(&format!(
                    "{} {} {}.\n",
                    self.word(),
                    self.word(),
                    self.word()
                ));
            }
        }
        if self.rng.chance(5) {
            m.push_str("\n---\nNot part of the message proper\nCc: someone@example.org\n");
        }
        let trailer_keys = [
            "Signed-off-by",
            "AI-used-for",
            "Assisted-by",
            "Co-authored-by",
            "Reviewed-by",
            "Acked-by",
            "Link",
            "Fixes",
            "Generated-by",
        ];
        match self.rng.below(10) {
            0..=1 => {}
            2 => {
                // A mixed block: prose with a git-generated trailer.
                m.push_str("\nThis paragraph is prose\nbut ends with a sign-off.\n");
                m.push_str("Signed-off-by: Ada Author <ada@example.org>\n");
            }
            3 => {
                m.push_str("\nSome text\n(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)\n");
                m.push_str("Signed-off-by: Cy <cy@example.org>\n");
            }
            4 => {
                m.push_str("\nAcked-by : spaced key <a@b>\nsigned-off-by: lower <l@x>\n");
            }
            _ => {
                m.push('\n');
                for _ in 0..1 + self.rng.below(4) {
                    let key = *self.rng.pick(&trailer_keys);
                    m.push_str(&format!("{key}: {} {}\n", self.word(), self.word()));
                    if self.rng.chance(15) {
                        m.push_str(&format!("  continued {} line\n", self.word()));
                    }
                }
                if self.rng.chance(10) {
                    m.push_str("# a comment line\n");
                }
            }
        }
        if self.rng.chance(3) {
            // A Latin-1 message, declared as such.
            let mut bytes: Vec<u8> =
                b"Caf\xe9: r\xe9sum\xe9 of changes\n\nNa\xefve text.\n".to_vec();
            bytes.extend_from_slice(b"\nSigned-off-by: J\xf6rg <j@example.org>\n");
            self.stats.latin1_messages += 1;
            return (bytes, true);
        }
        (m.into_bytes(), false)
    }

    fn header(&mut self, branch: &str, parent: Option<usize>) -> usize {
        self.mark += 1;
        let mark = self.mark;
        // Mostly increasing dates, with ties and the odd skewed clock.
        self.time += match self.rng.below(100) {
            0..=9 => 0,
            10..=11 => -(self.rng.below(86_400) as i64),
            _ => self.rng.below(7200) as i64,
        };
        let tz = ["+0000", "+0200", "-0700", "+0530", "-1130", "+1400"];
        let author_tz = *self.rng.pick(&tz);
        let committer_tz = *self.rng.pick(&tz);
        let authors = [
            "Ada Author <ada@example.org>",
            "Bé Ünicode <be@example.org>",
            "  Spacey Name   <spacey@example.org>",
            "Trailing  Spaces  <ts@example.org>",
        ];
        let author = *self.rng.pick(&authors);
        let author_time = self.time - self.rng.below(100_000) as i64;
        let (message, latin1) = self.message();
        let mut h = Vec::new();
        h.extend_from_slice(format!("commit refs/heads/{branch}\nmark :{mark}\n").as_bytes());
        h.extend_from_slice(format!("author {author} {author_time} {author_tz}\n").as_bytes());
        h.extend_from_slice(
            format!(
                "committer Cy Committer <cy@example.org> {} {committer_tz}\n",
                self.time
            )
            .as_bytes(),
        );
        if latin1 {
            h.extend_from_slice(b"encoding iso-8859-1\n");
        }
        data(&mut h, &message);
        if let Some(parent) = parent {
            h.extend_from_slice(format!("from :{parent}\n").as_bytes());
        }
        self.out.extend(h);
        self.stats.commits += 1;
        mark
    }

    fn commit(&mut self) {
        // Start, continue or merge a side branch now and then.
        if let (None, Some(main)) = (&self.side, self.main_mark)
            && self.rng.chance(3)
        {
            self.side = Some((main, self.tree.clone(), 0));
        }
        if let Some((parent, side_tree, n)) = self.side.take() {
            if n > self.rng.below(3) {
                // Merge: the side's files land on main.
                let main = self.main_mark.unwrap();
                let mark = self.header("main", Some(main));
                self.out
                    .extend_from_slice(format!("merge :{parent}\n").as_bytes());
                let mut cmds = Vec::new();
                let side_files: Vec<(Vec<u8>, Entry)> = side_tree
                    .iter()
                    .filter(|(p, _)| p.starts_with(b"side/"))
                    .map(|(p, e)| (p.clone(), e.clone()))
                    .collect();
                for (p, e) in side_files {
                    self.set(&mut cmds, &p, e);
                }
                if cmds.is_empty() {
                    self.one_change(&mut cmds);
                }
                self.out.extend(cmds);
                self.out.push(b'\n');
                self.main_mark = Some(mark);
                self.stats.merges += 1;
                return;
            }
            // A commit on the side branch: files under side/ only.
            let mark = self.header("side", Some(parent));
            let mut tree = side_tree;
            let path = format!("side/file_{}.txt", self.rng.below(6)).into_bytes();
            let lines = 5 + self.rng.below(20);
            let content = self.text(lines);
            let mut cmds = Vec::new();
            cmds.extend_from_slice(b"M 100644 inline ");
            cmds.extend(quote(&path));
            cmds.push(b'\n');
            data(&mut cmds, &content);
            tree.insert(
                path,
                Entry {
                    mode: 0o100644,
                    content: Content::Blob(content),
                },
            );
            self.out.extend(cmds);
            self.out.push(b'\n');
            self.side = Some((mark, tree, n + 1));
            return;
        }

        let parent = self.main_mark;
        let mark = self.header("main", parent);
        let mut cmds = Vec::new();
        let many = self.rng.chance(5);
        let changes = 1 + self.rng.below(if many { 25 } else { 4 });
        let before = self.tree.clone();
        for _ in 0..changes {
            self.one_change(&mut cmds);
        }
        if self.tree.len() == before.len()
            && self
                .tree
                .iter()
                .zip(&before)
                .all(|(a, b)| a.0 == b.0 && a.1.content == b.1.content && a.1.mode == b.1.mode)
        {
            // Never an empty commit: add one more file.
            let path = self.new_path();
            let content = Content::Blob(self.text(3));
            self.set(
                &mut cmds,
                &path,
                Entry {
                    mode: 0o100644,
                    content,
                },
            );
        }
        self.out.extend(cmds);
        self.out.push(b'\n');
        self.main_mark = Some(mark);
    }
}

/// Where the repository used by `large_history` tests lives when it is kept for inspection.
pub fn keep_dir() -> Option<PathBuf> {
    std::env::var_os("PROVGATE_KEEP_TEST_REPO").map(PathBuf::from)
}
