//! The one place provgate starts the git CLI, for what gitoxide cannot do (or cannot do the way
//! git does): hooks paths, the index diff, identities, worktrees, amending, notes.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::GitError;

/// What a git command left behind.
pub(crate) struct Output {
    /// Whether it exited with status 0.
    pub success: bool,
    /// Its standard output (empty when it was not captured).
    pub stdout: Vec<u8>,
    /// Its standard error (empty when it was not captured).
    pub stderr: String,
}

/// A git command being built.
pub(crate) struct Git<'a> {
    cmd: Command,
    /// The arguments as written in error messages.
    shown: Vec<String>,
    input: Option<&'a [u8]>,
    show: bool,
}

impl<'a> Git<'a> {
    /// git run with `dir` as its working directory: a missing directory is an error starting
    /// git, not a message from git.
    pub fn in_dir(dir: &Path) -> Git<'a> {
        let mut cmd = Command::new("git");
        cmd.current_dir(dir);
        Git::with(cmd)
    }

    /// `git -C repo`.
    pub fn at(repo: &Path) -> Git<'a> {
        let mut cmd = Command::new("git");
        cmd.arg("-C").arg(repo);
        Git::with(cmd)
    }

    /// git run where the process stands, for what needs no repository (global configuration).
    pub fn anywhere() -> Git<'a> {
        Git::with(Command::new("git"))
    }

    fn with(cmd: Command) -> Git<'a> {
        Git {
            cmd,
            shown: Vec::new(),
            input: None,
            show: false,
        }
    }

    /// Adds arguments.
    pub fn args<S: AsRef<str>>(mut self, args: &[S]) -> Self {
        for a in args {
            self.cmd.arg(a.as_ref());
            self.shown.push(a.as_ref().to_string());
        }
        self
    }

    /// Sets an environment variable of git's.
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.cmd.env(key, value);
        self
    }

    /// Removes an environment variable from git's environment.
    pub fn env_remove(mut self, key: &str) -> Self {
        self.cmd.env_remove(key);
        self
    }

    /// Feeds `bytes` to git's standard input (otherwise it reads nothing).
    pub fn input(mut self, bytes: &'a [u8]) -> Self {
        self.input = Some(bytes);
        self
    }

    /// Lets git write its standard output and error to ours, for commands whose messages (and
    /// hooks') the user reads.
    pub fn show_output(mut self) -> Self {
        self.show = true;
        self
    }

    /// The command line after `git`, for messages.
    pub fn command_line(&self) -> String {
        self.shown.join(" ")
    }

    /// Runs git to the end, whatever its exit status.
    pub fn run(mut self) -> Result<Output, GitError> {
        let command = self.command_line();
        let spawn_error = |source| GitError::Spawn {
            command: command.clone(),
            source,
        };
        self.cmd
            .stdin(if self.input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(if self.show {
                Stdio::inherit()
            } else {
                Stdio::piped()
            })
            .stderr(if self.show {
                Stdio::inherit()
            } else {
                Stdio::piped()
            });
        let mut child = self.cmd.spawn().map_err(spawn_error)?;
        // Input is written from its own thread so that a large output cannot block git while
        // we are still writing.
        let writer = match (self.input, child.stdin.take()) {
            (Some(bytes), Some(mut stdin)) => {
                let bytes = bytes.to_vec();
                Some(std::thread::spawn(move || stdin.write_all(&bytes)))
            }
            _ => None,
        };
        let stderr_reader = child.stderr.take().map(|mut err| {
            std::thread::spawn(move || {
                let mut text = Vec::new();
                let _ = err.read_to_end(&mut text);
                String::from_utf8_lossy(&text).into_owned()
            })
        });
        let mut stdout = Vec::new();
        if let Some(mut out) = child.stdout.take() {
            out.read_to_end(&mut stdout).map_err(spawn_error)?;
        }
        let stderr = stderr_reader
            .and_then(|r| r.join().ok())
            .unwrap_or_default();
        let status = child.wait().map_err(spawn_error)?;
        if let Some(w) = writer {
            let _ = w.join();
        }
        Ok(Output {
            success: status.success(),
            stdout,
            stderr,
        })
    }

    /// Runs git and returns its standard output, or [`GitError::Command`] with its standard
    /// error when it fails.
    pub fn run_ok(self) -> Result<Vec<u8>, GitError> {
        let command = self.command_line();
        let out = self.run()?;
        if !out.success {
            return Err(GitError::Command {
                command,
                detail: out.stderr.trim().to_string(),
            });
        }
        Ok(out.stdout)
    }

    /// Runs a git query that answers "none" by failing without a word (`config --get` of an unset
    /// key, `rev-parse --verify --quiet`, `merge-base` of unrelated histories): its trimmed
    /// standard output, `None` for a silent failure, or [`GitError::Command`] when git says why
    /// it failed.
    pub fn run_answer(self) -> Result<Option<String>, GitError> {
        let command = self.command_line();
        let out = self.run()?;
        if out.success {
            return Ok(Some(
                String::from_utf8_lossy(&out.stdout).trim().to_string(),
            ));
        }
        if out.stderr.trim().is_empty() {
            return Ok(None);
        }
        Err(GitError::Command {
            command,
            detail: out.stderr.trim().to_string(),
        })
    }
}
