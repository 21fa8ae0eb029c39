//! Telling what each input names: a path, standard input, or a revision range.

use std::path::Path;

/// One input of a check, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// `-`.
    Stdin,
    /// An existing file.
    File(String),
    /// An existing directory.
    Directory(String),
    /// Anything else: a revision range of the repository.
    Range(String),
}

impl Input {
    /// A path that exists wins over a revision of the same name, as with `git log -- path`
    /// ambiguity there is no way to guess better; the user can write `./name` for a file.
    pub fn classify(arg: &str) -> Self {
        if arg == "-" {
            return Input::Stdin;
        }
        let path = Path::new(arg);
        if path.is_dir() {
            Input::Directory(arg.to_string())
        } else if path.is_file() {
            Input::File(arg.to_string())
        } else {
            Input::Range(arg.to_string())
        }
    }

    /// The name used in reports.
    pub fn name(&self) -> &str {
        match self {
            Input::Stdin => "-",
            Input::File(s) | Input::Directory(s) | Input::Range(s) => s,
        }
    }

    /// The kind used in reports.
    pub fn kind(&self) -> &'static str {
        match self {
            Input::Stdin => "stdin",
            Input::File(_) => "file",
            Input::Directory(_) => "directory",
            Input::Range(_) => "range",
        }
    }

    /// The inputs named by `args`; none: the current branch's commits not yet upstream
    /// (`@{upstream}..HEAD`), resolved in the repository at `repo`.
    pub fn from_args(args: &[String], repo: &Path) -> Result<Vec<Input>, crate::EngineError> {
        if args.is_empty() {
            return Ok(vec![Input::Range(provgate_git::default_range(repo)?)]);
        }
        Ok(args.iter().map(|a| Input::classify(a)).collect())
    }
}
