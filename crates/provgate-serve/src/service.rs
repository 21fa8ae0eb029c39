//! What every part of a running service shares: the configuration, the database, the gates
//! built per project and base, the projects' audit logs, and the metrics.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use provgate_engine::{CodeMode, Gate, GateOptions};

use crate::config::{Config, Project, is_url, parse_policy};
use crate::db::{Backend, Db};
use crate::error::ServeError;
use crate::metrics::Metrics;

/// Gates kept per project: a gate holds its code index, so one is built per base and reused;
/// a few bases per project cover a list where most series apply to the branch head.
const GATES_PER_PROJECT: usize = 4;

/// Per project, the gates built for recent bases, newest first.
type GateCache = HashMap<String, Vec<(String, Arc<Gate>)>>;

/// The shared state of a running service.
pub struct Service {
    /// The configuration.
    pub config: Config,
    /// The database.
    pub db: Db,
    /// Counters and histograms for `/metrics`.
    pub metrics: Metrics,
    gates: Mutex<GateCache>,
    audit: Mutex<HashMap<String, Arc<provgate_store::Store>>>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service").field("db", &self.db).finish()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        // A store closes its connection on its own runtime, which cannot start on a thread
        // that drives an async runtime (where the service is usually dropped).
        let stores = std::mem::take(self.audit.get_mut().unwrap_or_else(|e| e.into_inner()));
        let _ = std::thread::spawn(move || drop(stores)).join();
    }
}

impl Service {
    /// The service over `config` and its open database.
    pub fn new(config: Config, db: Db) -> Arc<Service> {
        Arc::new(Service {
            config,
            db,
            metrics: Metrics::new(),
            gates: Mutex::new(HashMap::new()),
            audit: Mutex::new(HashMap::new()),
        })
    }

    /// The project named `name`, or [`ServeError::Gone`].
    pub fn project(&self, name: &str) -> Result<&Project, ServeError> {
        self.config.project(name).ok_or_else(|| {
            ServeError::Gone(format!("project {name} is no longer in the configuration"))
        })
    }

    /// The gate of `project` reading code at `base` (its branch when none) and its own files —
    /// the policy, MAINTAINERS, `.mailmap` — at the tip of `trusted` (its branch when none),
    /// built on first use. The two differ on purpose: a series may name (announce) where its
    /// code applies, but the rules it is judged by come from the branch it is proposed for,
    /// which the submitter does not choose. With `read_code` false (the project reads no code,
    /// or the series applies to no base found), the code rules do not run: a rule reading the
    /// tree at a commit the series does not apply to would invent findings. Blocking: call it
    /// from a blocking thread.
    pub fn gate(
        &self,
        project: &Project,
        trusted: Option<&str>,
        base: Option<&str>,
        read_code: bool,
    ) -> Result<Arc<Gate>, ServeError> {
        let read_code = read_code && project.code;
        let base = base.unwrap_or(&project.branch).to_string();
        // The tip as a commit id: the cache must not serve a gate that read an older tip.
        let trusted = trusted.unwrap_or(&project.branch);
        let trusted = provgate_git::mirror::recent_commits(&project.repository, trusted, 1)
            .ok()
            .and_then(|tip| tip.into_iter().next())
            .ok_or_else(|| ServeError::Setting {
                project: project.name.clone(),
                message: format!(
                    "`{trusted}` (branch = \"{}\", or a request's target branch) is not a branch of repository = {}, so there is no policy to judge by",
                    project.branch,
                    project.repository.display()
                ),
            })?;
        // The cache keeps a gate per base, per trusted tip and per whether it reads code.
        let key = if read_code {
            format!("{base} (policy at {trusted})")
        } else {
            format!("{base} (policy at {trusted}, no code)")
        };
        {
            let gates = self.gates.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((_, gate)) = gates
                .get(&project.name)
                .and_then(|list| list.iter().find(|(b, _)| *b == key))
            {
                return Ok(gate.clone());
            }
        }
        let today = provgate_engine::today().map_err(|source| ServeError::Engine {
            project: project.name.clone(),
            source: Box::new(source),
        })?;
        let mut options = GateOptions::new(&project.repository, today);
        options.policies = vec![parse_policy(&project.policy).map_err(ServeError::Gone)?];
        options.code = if read_code {
            CodeMode::BestEffort
        } else {
            CodeMode::Off
        };
        options.base = read_code.then(|| base.clone());
        // The policy, MAINTAINERS and .mailmap are read at the branch's tip, never from the
        // series nor at a base it announces: a change cannot loosen the rules it is judged by.
        options.project_files = provgate_engine::ProjectFiles::AtRevision(trusted);
        let gate = Arc::new(Gate::new(options).map_err(|source| engine_error(project, source))?);
        let mut gates = self.gates.lock().unwrap_or_else(|e| e.into_inner());
        let list = gates.entry(project.name.clone()).or_default();
        list.retain(|(b, _)| *b != key);
        list.insert(0, (key, gate.clone()));
        list.truncate(GATES_PER_PROJECT);
        Ok(gate)
    }

    /// Forgets the gates of `project` (its mirror moved: the branch head a gate read is old).
    pub fn forget_gates(&self, project: &str) {
        self.gates
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(project);
    }

    /// Where the audit log of `project` is: its configured location, or beside the service's
    /// database.
    pub fn audit_location(&self, project: &Project) -> String {
        if let Some(location) = &project.audit {
            return location.clone();
        }
        let database = &self.config.server.database;
        if is_url(database) {
            let separator = if database.contains('?') { '&' } else { '?' };
            format!(
                "{database}{separator}options[search_path]={}",
                audit_schema(&project.name)
            )
        } else {
            let dir = std::path::Path::new(database)
                .parent()
                .unwrap_or(std::path::Path::new("."));
            dir.join(format!("audit-{}.sqlite", project.name))
                .to_string_lossy()
                .into_owned()
        }
    }

    /// The open audit log of `project`. Blocking: call it from a blocking thread.
    pub fn audit_log(&self, project: &Project) -> Result<Arc<provgate_store::Store>, ServeError> {
        if let Some(store) = self
            .audit
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&project.name)
        {
            return Ok(store.clone());
        }
        let store = Arc::new(provgate_store::Store::open(&self.audit_location(project))?);
        self.audit
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(project.name.clone(), store.clone());
        Ok(store)
    }

    /// Creates the PostgreSQL schemas of the projects' default audit logs (a `search_path`
    /// must name an existing schema).
    pub async fn prepare_audit_schemas(&self) -> Result<(), ServeError> {
        if self.db.backend != Backend::Postgres {
            return Ok(());
        }
        for project in self.config.projects.iter().filter(|p| p.audit.is_none()) {
            let sql = format!(
                "CREATE SCHEMA IF NOT EXISTS {}",
                audit_schema(&project.name)
            );
            if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&self.db.pool)
                .await
            {
                // Two processes creating it at once: the loser's error is harmless if it exists.
                let exists: Option<i64> = sqlx::query_scalar(
                    "SELECT 1 FROM information_schema.schemata WHERE schema_name = $1",
                )
                .bind(audit_schema(&project.name))
                .fetch_optional(&self.db.pool)
                .await
                .map_err(|e| self.db.error(e))?;
                if exists.is_none() {
                    return Err(self.db.error(e));
                }
            }
        }
        Ok(())
    }
}

/// An engine error in the service's terms: the engine speaks of its command-line options
/// (`--base`), the operator wrote settings (`branch`, `repository`).
fn engine_error(project: &Project, source: provgate_engine::EngineError) -> ServeError {
    match source {
        provgate_engine::EngineError::UnknownBase { base, .. } => ServeError::Setting {
            project: project.name.clone(),
            message: format!(
                "`{base}` (branch = \"{}\", or the base a series announced) is not a commit of repository = {}",
                project.branch,
                project.repository.display()
            ),
        },
        source => ServeError::Engine {
            project: project.name.clone(),
            source: Box::new(source),
        },
    }
}

/// The PostgreSQL schema of a project's default audit log. Project names are restricted to
/// `[A-Za-z0-9_.-]`; the others become `_`, so the name needs no quoting.
fn audit_schema(project: &str) -> String {
    let name: String = project
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("provgate_audit_{name}")
}
