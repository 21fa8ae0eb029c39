//! What the service's tests share: real git repositories, a public-inbox archive built with
//! git's plumbing, and a series mailed by `git format-patch`.
#![allow(dead_code)]

pub mod pg;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use provgate_serve::{Config, Service};

/// One project, `demo`, on the mirror `repo` under `preset:qemu`, its database in `dir`;
/// `server` is more TOML for the `[server]` table (tables such as `[[tokens]]` may follow it),
/// `project` more keys of the project.
pub fn demo_config(dir: &Path, repo: &Path, server: &str, project: &str) -> Config {
    // The tests' mail is dated before they run: the whole archive is answered unless a test
    // says otherwise.
    let project = if project.contains("since =") {
        project.to_string()
    } else {
        format!("since = \"all\"\n{project}")
    };
    let text = format!(
        "[server]\ndatabase = \"{db}\"\n{server}\n\n[[project]]\nname = \"demo\"\n\
         repository = \"{repo}\"\npolicy = \"preset:qemu\"\n{project}\n",
        db = dir.join("serve.sqlite").display(),
        repo = repo.display(),
    );
    Config::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Serves the service's HTTP front on a free loopback port; its base URL.
pub async fn serve_http(service: &Arc<Service>) -> String {
    provgate_deliver::http::install_crypto_provider();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = provgate_serve::http::router(service.clone())
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// Reads the first project's sources once, then runs jobs until none is ready: checks, then
/// the deliveries they planned.
pub async fn settle(service: &Arc<Service>) {
    let project = service.config.projects[0].clone();
    provgate_serve::sources::poll_project(service, &project).await;
    while provgate_serve::worker::run_until_idle(service, "test-worker").await > 0 {}
}

/// Runs git in `dir` with a fixed identity and dates; its standard output.
pub fn git(dir: &Path, args: &[&str]) -> String {
    git_input(dir, args, None)
}

/// Runs git in `dir` with `input` on standard input.
pub fn git_input(dir: &Path, args: &[&str], input: Option<&[u8]>) -> String {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Jane Doe")
        .env("GIT_AUTHOR_EMAIL", "jane@example.org")
        .env("GIT_COMMITTER_NAME", "Jane Doe")
        .env("GIT_COMMITTER_EMAIL", "jane@example.org")
        .env("GIT_AUTHOR_DATE", "2026-11-30T10:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-11-30T10:00:00Z")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("git runs");
    if let Some(input) = input {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim_end()
        .to_string()
}

/// A project repository with a little C code, on branch `main`.
pub fn project_repo(dir: &Path) -> PathBuf {
    let repo = dir.join("mirror");
    std::fs::create_dir_all(repo.join("hw/timer")).unwrap();
    std::fs::create_dir_all(repo.join("tests")).unwrap();
    std::fs::create_dir_all(repo.join("docs")).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(
        repo.join("hw/timer/pit.c"),
        "#include \"pit.h\"\n\nint pit_count(int reload)\n{\n    return reload;\n}\n\nint pit_tick(int count)\n{\n    return count - 1;\n}\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("hw/timer/pit.h"),
        "int pit_count(int reload);\nint pit_tick(int count);\n",
    )
    .unwrap();
    std::fs::write(repo.join("docs/pit.txt"), "The PIT counts down.\n").unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-qm", "hw/timer: the PIT"]);
    repo
}

/// Writes a 3-patch series (with a cover letter) on top of `repo`'s `main` in a clone, mailed
/// by `git format-patch --thread --cover-letter --base`; the messages in order. `signed`
/// says whether patch 2 carries a Signed-off-by; `version` and `in_reply_to` go to
/// format-patch.
pub fn series(
    repo: &Path,
    work: &Path,
    version: u32,
    signed: bool,
    in_reply_to: Option<&str>,
) -> Vec<Vec<u8>> {
    if !work.exists() {
        git(
            repo.parent().unwrap(),
            &[
                "clone",
                "-q",
                &repo.to_string_lossy(),
                &work.to_string_lossy(),
            ],
        );
    }
    git(
        work,
        &[
            "checkout",
            "-q",
            "-B",
            &format!("v{version}"),
            "origin/main",
        ],
    );
    std::fs::write(
        work.join("hw/timer/pit.c"),
        "#include \"pit.h\"\n\nint pit_count(int reload)\n{\n    return reload ? reload : 65536;\n}\n\nint pit_tick(int count)\n{\n    return count - 1;\n}\n",
    )
    .unwrap();
    git(
        work,
        &[
            "commit",
            "-qam",
            "hw/timer/pit: reload 0 means 65536\n\nAssisted-by: Claude:claude-opus-4.6\nSigned-off-by: Jane Doe <jane@example.org>",
        ],
    );
    std::fs::create_dir_all(work.join("tests")).unwrap();
    std::fs::write(
        work.join("tests/test-pit.c"),
        "int test_zero(void)\n{\n    return pit_count(0) == 65536;\n}\n",
    )
    .unwrap();
    git(work, &["add", "tests/test-pit.c"]);
    let message = if signed {
        "tests: a zero PIT count\n\nSigned-off-by: Jane Doe <jane@example.org>"
    } else {
        "tests: a zero PIT count"
    };
    git(work, &["commit", "-qm", message]);
    std::fs::write(
        work.join("docs/pit.txt"),
        "The PIT counts down; a reload of 0 counts 65536.\n",
    )
    .unwrap();
    git(
        work,
        &[
            "commit",
            "-qam",
            "docs: a zero PIT count\n\nSigned-off-by: Jane Doe <jane@example.org>",
        ],
    );
    let out = work.join(format!("out-v{version}"));
    let mut args = vec![
        "format-patch".to_string(),
        "-q".into(),
        "--thread".into(),
        "--cover-letter".into(),
        "--base=origin/main".into(),
        "-o".into(),
        out.to_string_lossy().into_owned(),
    ];
    if version > 1 {
        args.push(format!("-v{version}"));
    }
    // format-patch's Message-IDs hold the second they were made (and a patch's commit id), so
    // two versions made in the same second would share them; each version gets its own, and
    // the reference to an earlier version goes in after that rewrite.
    const EARLIER: &str = "earlier-version.placeholder@example.org";
    if in_reply_to.is_some() {
        args.push(format!("--in-reply-to={EARLIER}"));
    }
    args.push("origin/main..HEAD".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    git(work, &args);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).unwrap().replace(
                ".git.jane@example.org>",
                &format!(".v{version}.git.jane@example.org>"),
            );
            let text = match in_reply_to {
                Some(id) => text.replace(EARLIER, id),
                None => text,
            };
            let mut bytes = text.into_bytes();
            // A list archive holds the message, not format-patch's mbox separator line.
            if bytes.starts_with(b"From ") {
                let end = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
                bytes.drain(..end);
            }
            bytes
        })
        .collect()
}

/// The Message-ID (without angle brackets) of a message.
pub fn message_id(message: &[u8]) -> String {
    let text = String::from_utf8_lossy(message);
    text.lines()
        .find_map(|l| {
            l.strip_prefix("Message-ID: ")
                .or_else(|| l.strip_prefix("Message-Id: "))
        })
        .unwrap()
        .trim()
        .trim_matches(|c| c == '<' || c == '>')
        .to_string()
}

/// A public-inbox v2 archive with one epoch, `git/0.git`.
pub struct Inbox {
    /// The archive's directory.
    pub dir: PathBuf,
    epoch: PathBuf,
}

impl Inbox {
    /// An empty archive at `dir`.
    pub fn new(dir: &Path) -> Inbox {
        let epoch = dir.join("git/0.git");
        std::fs::create_dir_all(&epoch).unwrap();
        git(&epoch, &["init", "-q", "--bare", "-b", "master"]);
        Inbox {
            dir: dir.to_path_buf(),
            epoch,
        }
    }

    /// Appends a message as public-inbox does: one commit whose tree holds the file `m`.
    pub fn append(&self, message: &[u8]) {
        let blob = git_input(
            &self.epoch,
            &["hash-object", "-w", "--stdin"],
            Some(message),
        );
        let tree = git_input(
            &self.epoch,
            &["mktree"],
            Some(format!("100644 blob {blob}\tm\n").as_bytes()),
        );
        let parent = Command::new("git")
            .arg("-C")
            .arg(&self.epoch)
            .args(["rev-parse", "-q", "--verify", "refs/heads/master"])
            .output()
            .unwrap();
        let parent = String::from_utf8(parent.stdout).unwrap().trim().to_string();
        let mut args = vec!["commit-tree", &tree, "-m", "message"];
        if !parent.is_empty() {
            args.push("-p");
            args.push(&parent);
        }
        let commit = git(&self.epoch, &args);
        git(&self.epoch, &["update-ref", "refs/heads/master", &commit]);
    }
}

/// The files of a Maildir's `new/`, sorted by name.
pub fn maildir_files(dir: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir.join("new")) {
        Ok(entries) => entries.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}
