//! The `rops-hub` command line.

use crate::auth::{load_secret, parse_ttl, Keys};
use crate::config::Config;
use crate::state::AppState;
use clap::{Parser, Subcommand};
use rops_domain::role::Role;
use rops_store::{migrations, pool, reference, Health, Pool};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Parser)]
#[command(
    name = "rops-hub",
    version,
    about = "Regional social-economy monitoring service"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service (the default): migrates, loads the sample region into an empty
    /// database, then listens on ROPS_BIND.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load a region from a reference file (JSON, format rops-hub/reference/v1). Importing
    /// the same file twice changes nothing.
    ImportReference {
        /// Path of the reference file.
        file: PathBuf,
    },
    /// Print a bearer token signed with the server's secret.
    Token {
        /// admin, analyst, owes, gmina or entity.
        #[arg(long)]
        role: String,
        /// The unit a bound role acts for: OWES code (owes), gmina TERYT (gmina), entity code
        /// (entity).
        #[arg(long)]
        org: Option<String>,
        /// Lifetime: a number with s, m, h or d.
        #[arg(long, default_value = "8h")]
        ttl: String,
        /// Who the token is for (the `sub` claim).
        #[arg(long, default_value = "cli")]
        sub: String,
    },
    /// Print the OpenAPI document.
    Openapi,
}

pub type CliResult = Result<(), String>;

fn open(config: &Config) -> Result<Pool, String> {
    let pool = pool(&config.database_url, config.pool_size).map_err(|e| e.to_string())?;
    let mut conn = pool
        .get()
        .map_err(|e| format!("cannot connect to {}: {e}", config.database_url.redacted()))?;
    let applied = migrations::run(&mut conn).map_err(|e| e.to_string())?;
    if !applied.is_empty() {
        tracing::info!(?applied, "migrations applied");
    }
    Ok(pool)
}

pub fn migrate(config: &Config) -> CliResult {
    open(config).map(drop)
}

pub fn import_reference(config: &Config, file: &PathBuf) -> CliResult {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let parsed = reference::parse(&text).map_err(|e| e.to_string())?;
    let pool = open(config)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let summary = rops_store::write_transaction(&mut conn, |conn| reference::import(conn, &parsed))
        .map_err(|e| e.to_string())?;
    println!(
        "imported region {}: {} created, {} updated, {} unchanged, {} removed",
        parsed.region.code, summary.created, summary.updated, summary.unchanged, summary.removed
    );
    Ok(())
}

pub fn token(config: &Config, role: &str, org: Option<&str>, ttl: &str, sub: &str) -> CliResult {
    let role = Role::parse(role).map_err(|e| e.to_string())?;
    let ttl = parse_ttl(ttl)?;
    let secret = load_secret(config.jwt_secret.as_deref(), &config.data_dir)?;
    let token = Keys::new(&secret).mint(sub, role, org, ttl)?;
    println!("{token}");
    Ok(())
}

/// Opens the database (migrating it and loading the sample region when empty), starts the
/// database health check and binds the server; returns it with the addresses it listens on,
/// not yet awaited. A SQLite file that is missing where its marker says one was created is
/// refused (see [`rops_store::conn::marker_path`]).
pub async fn start(
    config: Config,
) -> Result<(actix_web::dev::Server, Vec<std::net::SocketAddr>), String> {
    let pool = {
        let config = config.clone();
        actix_web::web::block(move || -> Result<Pool, String> {
            let pool = open(&config)?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let seeded = rops_store::write_transaction(&mut conn, reference::seed_sample_if_empty)
                .map_err(|e| e.to_string())?;
            if seeded {
                tracing::info!("empty database: loaded the sample region opolskie (16)");
            }
            Ok(pool)
        })
        .await
        .map_err(|e| e.to_string())??
    };
    let secret = load_secret(config.jwt_secret.as_deref(), &config.data_dir)?;
    let health = {
        let url = config.database_url.clone();
        actix_web::web::block(move || Health::monitored(&url))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?
    };
    let state = AppState::new(
        pool,
        health,
        Arc::new(Keys::new(&secret)),
        config.deadline_days,
    );
    let limits = crate::guard::Limits::new(
        std::time::Duration::from_secs(config.body_timeout_secs),
        config.max_requests_per_client,
    );
    let cors = crate::cors::Cors::new(config.cors_origins.clone());
    let server = actix_web::HttpServer::new(move || {
        crate::app::build_with(state.clone(), limits.clone(), cors.clone())
    })
    .bind(&config.bind)
    .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    let addrs = server.addrs();
    tracing::info!(
        bind = %config.bind,
        database = %config.database_url.redacted(),
        backend = config.database_url.backend(),
        "rops-hub started"
    );
    Ok((server.run(), addrs))
}

pub async fn serve(config: Config) -> CliResult {
    let (server, addrs) = start(config).await?;
    for addr in addrs {
        // On stdout, so scripts and tests can read the port chosen for ROPS_BIND=…:0.
        println!("rops-hub listening on http://{addr}");
    }
    server.await.map_err(|e| e.to_string())
}
