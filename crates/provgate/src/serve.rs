//! `provgate serve`: the configuration read and the service run on a Tokio runtime.

use std::io::Read;

use provgate_serve::{Config, Role, ServeError};

use crate::cli::ServeArgs;
use crate::{EXIT_OK, UserError};

fn user_error(error: ServeError) -> anyhow::Error {
    match error.hint() {
        Some(hint) => UserError::new(error.to_string(), hint).into(),
        None => UserError::plain(error.to_string()).into(),
    }
}

/// Runs `provgate serve`.
pub fn run(args: ServeArgs) -> anyhow::Result<u8> {
    if args.hash_token {
        let mut token = String::new();
        std::io::stdin().read_to_string(&mut token)?;
        if token.trim().is_empty() {
            return Err(UserError::new(
                "no token on standard input",
                "pipe the token in: provgate serve --hash-token < token.txt",
            )
            .into());
        }
        println!("{}", provgate_serve::auth::hash_token(&token));
        return Ok(EXIT_OK);
    }
    if args.new_token {
        let token = provgate_serve::auth::new_token()
            .map_err(|e| UserError::plain(format!("no randomness available: {e}")))?;
        println!("token:  {token}");
        println!("sha256: {}", provgate_serve::auth::hash_token(&token));
        return Ok(EXIT_OK);
    }
    let path = args.config.expect("clap requires --config here");
    let config = Config::load(&path).map_err(user_error)?;
    if args.worker && config.server.workers == 0 {
        return Err(UserError::new(
            format!(
                "configuration {}: server.workers is 0, so a --worker process would take no jobs",
                path.display()
            ),
            "give worker processes a configuration with server.workers = 1 or more",
        )
        .into());
    }
    provgate_serve::init_logging(config.server.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| UserError::plain(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async move {
        let service = provgate_serve::open(config).await.map_err(user_error)?;
        if args.check_config {
            if let Err(problems) = service.config.preflight() {
                return Err(UserError::new(
                    format!(
                        "configuration {}:\n  {}",
                        path.display(),
                        problems.join("\n  ")
                    ),
                    "fix these settings (see docs/serve.md); nothing was started",
                )
                .into());
            }
            println!(
                "configuration {} is valid; database {} is ready ({} project(s))",
                path.display(),
                service.db.location,
                service.config.projects.len()
            );
            return Ok(EXIT_OK);
        }
        let role = if args.worker { Role::Worker } else { Role::All };
        provgate_serve::run(service, role)
            .await
            .map_err(user_error)?;
        Ok(EXIT_OK)
    })
}
