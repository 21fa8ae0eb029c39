//! The service's configuration: one TOML file written by the operator.
//!
//! Nothing in a checked repository or a received mail configures the service: every project,
//! source, delivery target and secret comes from this file or from the environment variables it
//! names. Secrets are never written in the file itself (`*_env` names the variable holding one)
//! and never appear in logs or error messages.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use provgate_engine::submission::ClassifyOptions;
use serde::Deserialize;

use crate::error::ServeError;

/// The whole configuration, validated.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// How the service listens and keeps its state.
    #[serde(default)]
    pub server: Server,
    /// API tokens, stored as SHA-256 digests.
    #[serde(default)]
    pub tokens: Vec<Token>,
    /// The projects the service checks.
    #[serde(rename = "project", default)]
    pub projects: Vec<Project>,
}

/// How the service listens and keeps its state.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Server {
    /// The address the HTTP server binds.
    pub listen: SocketAddr,
    /// The database: a SQLite file (the default, one process) or a `postgres://` URL (several
    /// `provgate serve --worker` processes sharing the queue). A relative path is relative to
    /// the configuration file.
    pub database: String,
    /// The address the dashboard is reached at, for links in replies and checks.
    pub public_url: String,
    /// Jobs run at once by this process. 0 makes a front end that only serves HTTP, reads the
    /// sources and keeps the audit log, leaving the jobs to `provgate serve --worker` processes
    /// sharing a PostgreSQL database.
    pub workers: usize,
    /// The largest request body accepted, in bytes (larger: 413).
    pub max_body_bytes: usize,
    /// Requests a client may make each minute (more: 429).
    pub rate_limit_per_minute: u32,
    /// Whether the dashboard and the read API are open without a token.
    pub public_read: bool,
    /// How long a worker holds a job before another may take it up, in seconds; a live worker
    /// renews its lease every third of it.
    pub lease_seconds: u64,
    /// How often sources are polled, in seconds.
    pub poll_seconds: u64,
    /// `text` or `json` log lines.
    pub log_format: LogFormat,
}

impl Default for Server {
    fn default() -> Self {
        Server {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: "provgate-serve.sqlite".into(),
            public_url: "http://127.0.0.1:8080".into(),
            workers: 2,
            max_body_bytes: 10 << 20,
            rate_limit_per_minute: 6000,
            public_read: true,
            lease_seconds: 60,
            poll_seconds: 30,
            log_format: LogFormat::Text,
        }
    }
}

/// The shape of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object a line.
    Json,
}

/// An API token: its digest and what it may do.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Token {
    /// A name for logs and metrics.
    pub name: String,
    /// Lower-case hex SHA-256 of the token (`provgate serve --hash-token` prints it).
    pub sha256: String,
    /// What the token may do.
    pub scopes: BTreeSet<Scope>,
}

/// What a token allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// `POST /api/v1/check`.
    Check,
    /// The read API and the dashboard when they are not public.
    Read,
}

/// One project: its repository mirror, policy, sources and deliveries.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// A short name (`[A-Za-z0-9_.-]+`), used in URLs.
    pub name: String,
    /// The repository mirror the code is read from (a local path).
    pub repository: PathBuf,
    /// The remote the mirror is updated from with `git fetch` (none: the mirror is kept
    /// current by somebody else). Forge commits are fetched from this remote only.
    pub remote: Option<String>,
    /// The branch series are based on when they announce no base.
    #[serde(default = "default_branch")]
    pub branch: String,
    /// `preset:NAME`, `file:PATH` or `repository` (the mirror's own `.provgate.toml`).
    #[serde(default = "default_policy")]
    pub policy: String,
    /// Whether the added code is read (the code rules).
    #[serde(default = "yes")]
    pub code: bool,
    /// How long an incomplete series is waited for before it is checked with what arrived, in
    /// seconds.
    #[serde(default = "default_wait")]
    pub wait_seconds: u64,
    /// How many recent commits of the branch are tried when a series does not apply to its
    /// announced base (or announces none).
    #[serde(default = "default_base_search")]
    pub base_search: usize,
    /// Which mail is checked and answered: `"now"` (the default: mail dated from the moment
    /// this database first saw the project), `"all"` (the whole archive) or `"YYYY-MM-DD"`.
    /// Older mail is still read, so that threads and versions are whole, but it is neither
    /// checked nor answered.
    #[serde(default)]
    pub since: Since,
    /// Where the list's messages can be read on the web, for the dashboard's links: a message
    /// is at this URL with its Message-ID appended (lore: `https://lore.kernel.org/LIST/`).
    pub archive_url: Option<String>,
    /// More senders whose mail is a bot's report, never a submission (never checked nor
    /// answered), beside the kernel test robot and syzbot that are always known: addresses
    /// where `*` stands for any run of characters (`"ci-bot@example.org"`, `"*@bots.example.org"`).
    #[serde(default)]
    pub bot_senders: Vec<String>,
    /// The project's audit log (a SQLite file or a PostgreSQL URL); default: beside the
    /// service's database (a file `audit-NAME.sqlite`, or the schema `provgate_audit_NAME`).
    pub audit: Option<String>,
    /// Where series come from.
    #[serde(default)]
    pub sources: Sources,
    /// Where verdicts go.
    #[serde(default)]
    pub deliver: Deliver,
}

fn default_branch() -> String {
    "main".into()
}
fn default_policy() -> String {
    "repository".into()
}
fn yes() -> bool {
    true
}
fn default_wait() -> u64 {
    3600
}
fn default_base_search() -> usize {
    50
}

/// Which mail a project checks and answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Since {
    /// Mail dated from the moment this database first saw the project on.
    #[default]
    Now,
    /// Every message of the archive.
    All,
    /// Mail dated from this day (UTC) on.
    Day(jiff::civil::Date),
}

impl<'de> Deserialize<'de> for Since {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Since, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.as_str() {
            "now" => Ok(Since::Now),
            "all" => Ok(Since::All),
            day => day.parse().map(Since::Day).map_err(|_| {
                serde::de::Error::custom(format!(
                    "since = `{text}`: write \"now\", \"all\" or a day as \"YYYY-MM-DD\""
                ))
            }),
        }
    }
}

/// A list archive or Maildir: its path, and the name its position is kept under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePath {
    /// Where it is.
    pub path: PathBuf,
    /// The name the operator gave it (`{ path = "…", name = "kbuild" }`); without one the
    /// source is known by its canonical path, so that spelling the path another way does not
    /// make it a new source read from its start.
    pub name: Option<String>,
}

impl<'de> Deserialize<'de> for SourcePath {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<SourcePath, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Path(PathBuf),
            Named { path: PathBuf, name: String },
        }
        Ok(match Raw::deserialize(deserializer)? {
            Raw::Path(path) => SourcePath { path, name: None },
            Raw::Named { path, name } => SourcePath {
                path,
                name: Some(name),
            },
        })
    }
}

impl SourcePath {
    /// The key its position is stored under: `KIND:NAME` when named, else `KIND:` and the
    /// canonical path (as written when it cannot be resolved, e.g. not created yet).
    pub fn key(&self, kind: &str) -> String {
        match &self.name {
            Some(name) => format!("{kind}:{name}"),
            None => format!(
                "{kind}:{}",
                std::fs::canonicalize(&self.path)
                    .unwrap_or_else(|_| self.path.clone())
                    .display()
            ),
        }
    }
}

/// Where a project's series come from.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sources {
    /// public-inbox v2 archives (a directory with `git/N.git` epochs, or one epoch repository).
    #[serde(default)]
    pub public_inbox: Vec<SourcePath>,
    /// Maildirs a list subscription delivers to.
    #[serde(default)]
    pub maildir: Vec<SourcePath>,
    /// A Patchwork project polled for completed series.
    pub patchwork: Option<PatchworkSource>,
    /// GitHub pull requests, by webhook.
    pub github: Option<GitHubSource>,
    /// GitLab merge requests, by webhook.
    pub gitlab: Option<GitLabSource>,
}

/// A Patchwork project.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchworkSource {
    /// The API root, e.g. `https://patchwork.kernel.org/api/1.2`.
    pub url: String,
    /// The Patchwork project's link name.
    pub project: String,
    /// The environment variable holding the API token (needed to post checks).
    pub token_env: Option<String>,
}

/// A GitHub repository sending `pull_request` webhooks.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitHubSource {
    /// `owner/name`: webhooks for other repositories are refused.
    pub repository: String,
    /// The environment variable holding the webhook secret.
    pub secret_env: String,
}

/// A GitLab project sending merge-request webhooks.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitLabSource {
    /// The project's path (`group/name`): webhooks for other projects are refused.
    pub project: String,
    /// The environment variable holding the webhook token.
    pub secret_env: String,
}

/// Where a project's verdicts go.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deliver {
    /// A threaded e-mail reply to each mailed series.
    pub email: Option<EmailDelivery>,
    /// Patchwork checks on each patch of a Patchwork series.
    pub patchwork: Option<PatchworkDelivery>,
    /// A check run (or commit status) on each pull request.
    pub github: Option<GitHubDelivery>,
    /// A commit status and a note on each merge request.
    pub gitlab: Option<GitLabDelivery>,
}

/// E-mail replies.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailDelivery {
    /// The sender, `Name <address>`.
    pub from: String,
    /// Extra recipients (the list); the series' sender is always one.
    #[serde(default)]
    pub to: Vec<String>,
    /// Write replies to this Maildir instead of sending them (for review, or a local MTA).
    pub outbox: Option<PathBuf>,
    /// Send replies through this SMTP server.
    pub smtp: Option<Smtp>,
    /// Which outcomes are answered (default: `fail`, `warn`, `incomplete`, `unreadable`; a
    /// clean series gets no mail unless `pass` is added).
    #[serde(default = "default_email_reply_on")]
    pub reply_on: BTreeSet<ReplyOn>,
    /// `list` (the default: to the series' sender, copied to `to`) or `author` (to the sender
    /// only, for a list that wants no bot mail).
    #[serde(default)]
    pub reply_to: ReplyTo,
    /// The first line of every reply; default: it says provgate wrote the mail and names the
    /// policy. `""` leaves it out.
    pub preface: Option<String>,
    /// The most replies sent for this project in 24 hours (0: no limit); replies over it are
    /// recorded as `capped` on the dashboard and not sent.
    #[serde(default = "default_daily_cap")]
    pub daily_cap: u32,
}

/// An outcome a delivery may be made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplyOn {
    /// A `deny` finding (in a complete series, or in the parts of an incomplete one that
    /// arrived).
    Fail,
    /// Warnings only.
    Warn,
    /// Nothing found.
    Pass,
    /// Parts of the series had not arrived after the wait, and those that did do not fail.
    Incomplete,
    /// A patch mail that could not be read (answered to its sender only).
    Unreadable,
}

/// Who a reply is addressed to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplyTo {
    /// The sender, with the configured `to` addresses (the list) copied.
    #[default]
    List,
    /// The sender only.
    Author,
}

fn default_email_reply_on() -> BTreeSet<ReplyOn> {
    [
        ReplyOn::Fail,
        ReplyOn::Warn,
        ReplyOn::Incomplete,
        ReplyOn::Unreadable,
    ]
    .into()
}

fn default_forge_reply_on() -> BTreeSet<ReplyOn> {
    [
        ReplyOn::Fail,
        ReplyOn::Warn,
        ReplyOn::Pass,
        ReplyOn::Incomplete,
    ]
    .into()
}

fn default_daily_cap() -> u32 {
    100
}

/// An SMTP relay.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Smtp {
    /// Its host name.
    pub host: String,
    /// Its port (default 25).
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// `none`, `starttls` or `tls`.
    #[serde(default)]
    pub tls: SmtpTls,
    /// The user to log in as.
    pub user: Option<String>,
    /// The environment variable holding the password.
    pub password_env: Option<String>,
}

fn default_smtp_port() -> u16 {
    25
}

/// How an SMTP connection is secured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text (a local relay).
    #[default]
    None,
    /// STARTTLS after connecting.
    Starttls,
    /// TLS from the start.
    Tls,
}

/// Patchwork checks.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchworkDelivery {
    /// The check's context slug.
    #[serde(default = "default_context")]
    pub context: String,
    /// Which outcomes are posted (default: all; a check that failed for good is always
    /// posted).
    #[serde(default = "default_forge_reply_on")]
    pub reply_on: BTreeSet<ReplyOn>,
}

/// GitHub deliveries.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitHubDelivery {
    /// The REST API root.
    #[serde(default = "default_github_api")]
    pub api_url: String,
    /// The environment variable holding the token (a GitHub App installation token for check
    /// runs, or any token for commit statuses).
    pub token_env: String,
    /// `check-run` (findings as annotations; GitHub Apps only) or `status`.
    #[serde(default)]
    pub mode: GitHubMode,
    /// The check's name or the status's context.
    #[serde(default = "default_context")]
    pub context: String,
    /// Which outcomes are posted (default: all; a check that failed for good is always
    /// posted).
    #[serde(default = "default_forge_reply_on")]
    pub reply_on: BTreeSet<ReplyOn>,
}

/// How a verdict is shown on a pull request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GitHubMode {
    /// A check run with the findings as annotations.
    #[default]
    CheckRun,
    /// A commit status.
    Status,
}

/// GitLab deliveries.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitLabDelivery {
    /// The REST API root, e.g. `https://gitlab.com/api/v4`.
    pub api_url: String,
    /// The environment variable holding the token.
    pub token_env: String,
    /// The status's name.
    #[serde(default = "default_context")]
    pub context: String,
    /// Which outcomes are posted (default: all; a check that failed for good is always
    /// posted).
    #[serde(default = "default_forge_reply_on")]
    pub reply_on: BTreeSet<ReplyOn>,
}

fn default_context() -> String {
    "provgate".into()
}
fn default_github_api() -> String {
    "https://api.github.com".into()
}

impl Project {
    /// How this project's mail is classified: the engine's known bots and `bot_senders`.
    pub fn classify_options(&self) -> ClassifyOptions {
        // `Config::validate` refused every pattern that does not parse, so none is lost here.
        ClassifyOptions::with_bot_senders(&self.bot_senders).unwrap_or_default()
    }
}

impl Config {
    /// Reads and validates the file at `path`; relative paths in it are made relative to its
    /// directory.
    pub fn load(path: &Path) -> Result<Config, ServeError> {
        let text = std::fs::read_to_string(path).map_err(|source| ServeError::ConfigRead {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = Config::parse(&text).map_err(|message| ServeError::Config {
            path: path.to_path_buf(),
            message,
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        config.resolve_paths(dir);
        Ok(config)
    }

    /// Parses and validates configuration text (paths left as written).
    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        let mut names = BTreeSet::new();
        for project in &self.projects {
            let name = &project.name;
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
            {
                return Err(format!(
                    "project name `{name}`: use letters, digits, `_`, `.` and `-` only (it appears in URLs)"
                ));
            }
            if !names.insert(name.clone()) {
                return Err(format!("project `{name}` is configured twice"));
            }
            parse_policy(&project.policy).map_err(|e| format!("project `{name}`: {e}"))?;
            ClassifyOptions::with_bot_senders(&project.bot_senders).map_err(|e| {
                format!(
                    "project `{name}`: bot_senders: `{}` is not an address pattern (write `name@host`, `*` for any run of characters)",
                    e.0
                )
            })?;
            if let Some(email) = &project.deliver.email
                && email.outbox.is_none() == email.smtp.is_none()
            {
                return Err(format!(
                    "project `{name}`: [project.deliver.email] needs exactly one of `outbox` or `smtp`"
                ));
            }
            if project.deliver.patchwork.is_some() && project.sources.patchwork.is_none() {
                return Err(format!(
                    "project `{name}`: Patchwork checks need [project.sources.patchwork] (the server they go to)"
                ));
            }
            for context in [
                project.deliver.patchwork.as_ref().map(|p| &p.context),
                project.deliver.github.as_ref().map(|g| &g.context),
                project.deliver.gitlab.as_ref().map(|g| &g.context),
            ]
            .into_iter()
            .flatten()
            {
                if context.is_empty()
                    || !context
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
                {
                    return Err(format!(
                        "project `{name}`: context `{context}` must match [-a-zA-Z0-9_]+"
                    ));
                }
            }
        }
        for token in &self.tokens {
            if token.sha256.len() != 64 || !token.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!(
                    "token `{}`: sha256 must be 64 hex digits (the digest, never the token itself)",
                    token.name
                ));
            }
        }
        if self.server.workers == 0 && !is_url(&self.server.database) {
            return Err(
                "server.workers = 0 leaves the jobs to `provgate serve --worker` processes, \
                 which share a PostgreSQL database only: set server.database to a postgres:// URL, \
                 or workers to 1 or more"
                    .into(),
            );
        }
        if self.server.lease_seconds < 3 {
            return Err("server.lease_seconds must be at least 3".into());
        }
        Ok(())
    }

    fn resolve_paths(&mut self, dir: &Path) {
        let join = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = dir.join(&*p);
            }
        };
        if !is_url(&self.server.database) {
            let mut path = PathBuf::from(
                self.server
                    .database
                    .strip_prefix("sqlite:")
                    .unwrap_or(&self.server.database),
            );
            join(&mut path);
            // sqlx reads a relative path after `sqlite://` as a host name.
            if let Ok(absolute) = std::path::absolute(&path) {
                path = absolute;
            }
            self.server.database = path.to_string_lossy().into_owned();
        }
        for project in &mut self.projects {
            join(&mut project.repository);
            for source in project
                .sources
                .public_inbox
                .iter_mut()
                .chain(&mut project.sources.maildir)
            {
                join(&mut source.path);
            }
            if let Some(email) = &mut project.deliver.email
                && let Some(outbox) = &mut email.outbox
            {
                join(outbox);
            }
            if let Some(file) = project.policy.strip_prefix("file:")
                && Path::new(file).is_relative()
            {
                project.policy = format!("file:{}", dir.join(file).display());
            }
        }
    }

    /// What `--check-config` verifies beyond the file itself, every problem named by its
    /// setting: each secret a `*_env` names is set, each repository mirror opens, and each forge
    /// source has a `remote` to fetch its requests' commits from.
    pub fn preflight(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        for project in &self.projects {
            let name = &project.name;
            let mut secrets: Vec<(&str, &str)> = Vec::new();
            if let Some(github) = &project.sources.github {
                secrets.push(("sources.github.secret_env", &github.secret_env));
            }
            if let Some(gitlab) = &project.sources.gitlab {
                secrets.push(("sources.gitlab.secret_env", &gitlab.secret_env));
            }
            if let Some(env) = project
                .sources
                .patchwork
                .as_ref()
                .and_then(|p| p.token_env.as_deref())
            {
                secrets.push(("sources.patchwork.token_env", env));
            }
            if let Some(github) = &project.deliver.github {
                secrets.push(("deliver.github.token_env", &github.token_env));
            }
            if let Some(gitlab) = &project.deliver.gitlab {
                secrets.push(("deliver.gitlab.token_env", &gitlab.token_env));
            }
            if let Some(env) = project
                .deliver
                .email
                .as_ref()
                .and_then(|e| e.smtp.as_ref())
                .and_then(|s| s.password_env.as_deref())
            {
                secrets.push(("deliver.email.smtp.password_env", env));
            }
            for (setting, env) in secrets {
                if std::env::var_os(env).is_none() {
                    problems.push(format!(
                        "project `{name}`: {setting} names the environment variable {env}, which is not set"
                    ));
                }
            }
            if (project.sources.github.is_some() || project.sources.gitlab.is_some())
                && project.remote.is_none()
            {
                problems.push(format!(
                    "project `{name}`: a GitHub or GitLab source needs `remote` (the repository the \
                     requests' commits are fetched from)"
                ));
            }
            if !project.repository.is_dir() {
                problems.push(format!(
                    "project `{name}`: repository = {} does not exist (clone the mirror there first)",
                    project.repository.display()
                ));
            } else if provgate_git::mirror::recent_commits(&project.repository, &project.branch, 1)
                .is_err()
            {
                problems.push(format!(
                    "project `{name}`: branch = \"{}\" is not a branch of repository = {} (or it is no git repository)",
                    project.branch,
                    project.repository.display()
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// The project named `name`.
    pub fn project(&self, name: &str) -> Option<&Project> {
        self.projects.iter().find(|p| p.name == name)
    }

    /// The lease as a duration.
    pub fn lease(&self) -> Duration {
        Duration::from_secs(self.server.lease_seconds)
    }
}

/// Whether a database location is a PostgreSQL URL.
pub fn is_url(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

/// The engine's policy source for a project's `policy` setting.
pub fn parse_policy(text: &str) -> Result<provgate_engine::PolicySource, String> {
    use provgate_engine::PolicySource;
    if text == "repository" {
        Ok(PolicySource::Repository)
    } else if let Some(name) = text.strip_prefix("preset:") {
        Ok(PolicySource::Preset(name.to_string()))
    } else if let Some(path) = text.strip_prefix("file:") {
        Ok(PolicySource::File(PathBuf::from(path)))
    } else {
        Err(format!(
            "policy `{text}`: write `preset:NAME`, `file:PATH` or `repository`"
        ))
    }
}

/// The value of the environment variable `name`, for a secret.
pub fn secret(name: &str) -> Result<String, ServeError> {
    std::env::var(name).map_err(|_| ServeError::MissingSecret(name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimal_project_gets_the_defaults() {
        let config = Config::parse(
            r#"
            [[project]]
            name = "qemu"
            repository = "mirror"
            policy = "preset:qemu"
            sources.public_inbox = ["lore/qemu-devel"]
            deliver.email = { from = "bot <bot@example.org>", outbox = "outbox" }
            "#,
        )
        .unwrap();
        let project = config.project("qemu").unwrap();
        assert_eq!(project.branch, "main");
        assert_eq!(project.wait_seconds, 3600);
        assert!(project.code);
        assert_eq!(config.server.workers, 2);
        // A new bot starts from now, and answers problems only.
        assert_eq!(project.since, Since::Now);
        let email = project.deliver.email.as_ref().unwrap();
        assert!(!email.reply_on.contains(&ReplyOn::Pass));
        assert!(email.reply_on.contains(&ReplyOn::Fail));
        assert_eq!(email.reply_to, ReplyTo::List);
        assert_eq!(email.daily_cap, 100);
    }

    #[test]
    fn etiquette_and_named_sources_are_read() {
        let config = Config::parse(
            r#"
            [[project]]
            name = "kbuild"
            repository = "mirror"
            since = "2026-11-01"
            sources.public_inbox = [{ path = "lore/kbuild", name = "kbuild" }, "lore/other"]
            deliver.email = { from = "bot <bot@example.org>", outbox = "outbox", reply_on = ["fail"], reply_to = "author", preface = "", daily_cap = 5 }
            "#,
        )
        .unwrap();
        let project = config.project("kbuild").unwrap();
        assert_eq!(project.since, Since::Day("2026-11-01".parse().unwrap()));
        assert_eq!(
            project.sources.public_inbox[0].key("public-inbox"),
            "public-inbox:kbuild"
        );
        assert_eq!(project.sources.public_inbox[1].name, None);
        let email = project.deliver.email.as_ref().unwrap();
        assert_eq!(email.reply_on, [ReplyOn::Fail].into());
        assert_eq!(email.reply_to, ReplyTo::Author);
        assert_eq!(email.preface.as_deref(), Some(""));
    }

    #[test]
    fn preflight_names_the_settings_at_fault() {
        let config = Config::parse(
            r#"
            [[project]]
            name = "w"
            repository = "/nonexistent/provgate-mirror"
            sources.github = { repository = "acme/w", secret_env = "PROVGATE_TEST_SURELY_UNSET_1" }
            "#,
        )
        .unwrap();
        let problems = config.preflight().unwrap_err().join("\n");
        assert!(problems.contains("sources.github.secret_env names the environment variable PROVGATE_TEST_SURELY_UNSET_1"), "{problems}");
        assert!(problems.contains("needs `remote`"), "{problems}");
        assert!(
            problems.contains("repository = /nonexistent/provgate-mirror does not exist"),
            "{problems}"
        );
        assert!(!problems.contains("--"), "settings, not flags: {problems}");
    }

    #[test]
    fn mistakes_are_named() {
        let cases = [
            ("[[project]]\nname = \"a b\"\nrepository = \"r\"", "letters"),
            (
                "[[project]]\nname = \"a\"\nrepository = \"r\"\npolicy = \"qemu\"",
                "preset:NAME",
            ),
            (
                "[[project]]\nname = \"a\"\nrepository = \"r\"\ndeliver.email = { from = \"x\" }",
                "exactly one",
            ),
            (
                "[[tokens]]\nname = \"ci\"\nsha256 = \"secret\"\nscopes = [\"check\"]",
                "64 hex",
            ),
            ("[server]\nlisten = \"nowhere\"", "invalid socket address"),
            ("[server]\nbogus = 1", "unknown field"),
            (
                "[[project]]\nname = \"a\"\nrepository = \"r\"\nsince = \"yesterday\"",
                "YYYY-MM-DD",
            ),
        ];
        for (text, expected) in cases {
            let error = Config::parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
