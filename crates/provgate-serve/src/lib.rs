//! `provgate serve`: checks every series where it arrives, and tells the verdict where
//! maintainers look.
//!
//! - **Sources** ([`sources`]): public-inbox v2 archives, Maildirs and Patchwork projects,
//!   polled; GitHub and GitLab webhooks ([`webhooks`]); `POST /api/v1/check` ([`http`]).
//! - **Series assembly** ([`ingest`]): each message stored once; patches grouped by thread and
//!   version; a series checked when complete or after the project's wait; newer versions
//!   supersede older ones.
//! - **Queue** ([`queue`]): durable jobs in the database (SQLite by default; PostgreSQL for
//!   several `provgate serve --worker` processes), taken under leases that expire.
//! - **Checks** ([`worker`]): the engine's [`provgate_engine::Gate`] per project and base, the
//!   base found by [`base`]; each verdict stored with its report and appended to the project's
//!   hash-chained audit log ([`audit`]).
//! - **Deliveries** ([`deliveries`], [`send`]): threaded e-mail replies, Patchwork checks,
//!   GitHub check runs or statuses, GitLab statuses and notes, each made once per series
//!   version.
//! - **Dashboard** ([`dashboard`]), `/healthz` and `/metrics` ([`metrics`]).
//!
//! The service is configured by its operator only ([`config`]): nothing in a checked
//! repository or a received mail changes what it does, no command from a patch or a repository
//! is run, and no URL found in content is fetched.
#![deny(missing_docs)]

pub mod audit;
pub mod auth;
pub mod base;
pub mod config;
pub mod dashboard;
pub mod db;
pub mod deliveries;
pub mod error;
pub mod http;
pub mod ingest;
pub mod metrics;
pub mod queue;
pub mod records;
pub mod send;
pub mod service;
pub mod sources;
pub mod view;
pub mod webhooks;
pub mod worker;

use std::net::SocketAddr;
use std::sync::Arc;

pub use config::Config;
pub use error::ServeError;
pub use service::Service;
use tokio::sync::watch;

/// What this process does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything: HTTP, sources, workers and the audit log (the one-process default).
    All,
    /// Workers only: for extra processes sharing a PostgreSQL queue.
    Worker,
}

/// Opens the database and builds the service.
pub async fn open(config: Config) -> Result<Arc<Service>, ServeError> {
    let connections = (config.server.workers as u32 + 4).max(5);
    let db = db::Db::open(&config.server.database, connections).await?;
    if config.tokens.is_empty() {
        tracing::warn!(
            "no [[tokens]] configured: POST /api/v1/check is open to anyone who can reach the service"
        );
    }
    let service = Service::new(config, db);
    service.prepare_audit_schemas().await?;
    Ok(service)
}

/// Runs the service until SIGTERM or Ctrl-C: then it stops taking work, lets the jobs in hand
/// finish, moves the last verdicts into the audit logs, and returns.
pub async fn run(service: Arc<Service>, role: Role) -> Result<(), ServeError> {
    if role == Role::All && service.config.server.workers == 0 {
        tracing::info!(
            "server.workers is 0: this process takes no jobs; `provgate serve --worker` processes do"
        );
    }
    let (stop, stopping) = watch::channel(false);
    let mut tasks = tokio::task::JoinSet::new();
    let worker_name = format!(
        "{}-{}",
        std::env::var("HOSTNAME").unwrap_or_else(|_| "provgate".into()),
        std::process::id()
    );
    for i in 0..service.config.server.workers {
        tasks.spawn(worker::run(
            service.clone(),
            format!("{worker_name}-{i}"),
            stopping.clone(),
        ));
    }
    let mut server = None;
    if role == Role::All {
        tasks.spawn(sources::run(service.clone(), stopping.clone()));
        tasks.spawn(audit::run(service.clone(), stopping.clone()));
        let addr = service.config.server.listen;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Listen { addr, source })?;
        tracing::info!(%addr, database = %service.db.location, "provgate serve listening");
        let app = http::router(service.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let mut stopping = stopping.clone();
        server = Some(tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopping.wait_for(|s| *s).await;
                })
                .await
        }));
    } else {
        tracing::info!(database = %service.db.location, workers = service.config.server.workers, "provgate serve worker started");
    }
    shutdown_signal().await;
    tracing::info!("stopping: finishing the jobs in hand");
    let _ = stop.send(true);
    while tasks.join_next().await.is_some() {}
    if let Some(server) = server {
        let _ = server.await;
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

/// Sets up logging: `text` or `json` lines on standard error, filtered by `RUST_LOG` (default
/// `info`); colours only when standard error is a terminal, so that a journal or a log file
/// gets plain lines.
pub fn init_logging(format: config::LogFormat) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = match format {
        config::LogFormat::Json => builder.json().try_init(),
        config::LogFormat::Text => builder.try_init(),
    };
}
