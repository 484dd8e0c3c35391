//! The `rops-hub` command line.

use crate::auth::{load_secret, parse_ttl, Keys};
use crate::config::Config;
use crate::state::AppState;
use clap::{Parser, Subcommand};
use rops_domain::role::Role;
use rops_store::{boundaries, migrations, pool, reference, Health, Pool};
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
    Serve {
        /// When the database holds no report yet, fill it with demo data (reports, LPRES
        /// statuses, events, entity reports, marked [DEMO]) for a first look.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load a region from a reference file (JSON, format rops-hub/reference/v1). Importing
    /// the same file twice changes nothing.
    ImportReference {
        /// Path of the reference file.
        file: PathBuf,
    },
    /// Load the boundaries of a region's gminas from a GeoJSON FeatureCollection (PRG, one
    /// feature per gmina with `properties.teryt`, Polygon or MultiPolygon in WGS84). The region
    /// must be loaded first; importing the same file twice changes nothing.
    ImportBoundaries {
        /// Path of the GeoJSON file.
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
    /// Manage accounts from the server's shell (nothing secret is logged).
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account and print a one-time link (valid 72 h) where the person sets their
    /// password; with --password-stdin, the first line of standard input is an initial
    /// password they must change at first sign-in.
    Add {
        /// E-mail or short name (case does not matter).
        #[arg(long)]
        login: String,
        /// Display name, e.g. "Anna Nowak".
        #[arg(long)]
        name: String,
        /// admin, analyst, owes, gmina or entity.
        #[arg(long)]
        role: String,
        /// The unit of a bound role: OWES code, gmina TERYT, entity code.
        #[arg(long)]
        org: Option<String>,
        /// The region an analyst or admin works in (left out: every region).
        #[arg(long)]
        region: Option<String>,
        /// Read an initial password from standard input instead of printing a link.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List {
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        role: Option<String>,
    },
    /// Deactivate an account: its sessions and keys stop working at once.
    Deactivate { login: String },
    /// Print a one-time link (valid 72 h) where the person sets a new password; with
    /// --password-stdin, set the first line of standard input as a password they must change
    /// at their next sign-in.
    SetPassword {
        login: String,
        #[arg(long)]
        password_stdin: bool,
    },
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

pub fn import_boundaries(config: &Config, file: &PathBuf) -> CliResult {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let parsed = boundaries::parse(&text).map_err(|e| e.to_string())?;
    let pool = open(config)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let done = rops_store::write_transaction(&mut conn, |conn| boundaries::import(conn, &parsed))
        .map_err(|e| e.to_string())?;
    let s = done.summary;
    println!(
        "imported the boundaries of {} gminas of region {}: {} created, {} updated, {} unchanged",
        parsed.len(),
        done.region,
        s.created,
        s.updated,
        s.unchanged
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
///
/// With `demo`, a database that holds no report yet is filled with demo data in the same
/// transaction as the sample (see [`rops_store::demo`]), and one line on stdout says what was
/// added, or that nothing was.
pub async fn start(
    config: Config,
    demo: bool,
) -> Result<(actix_web::dev::Server, Vec<std::net::SocketAddr>), String> {
    let pool = {
        let config = config.clone();
        actix_web::web::block(move || -> Result<Pool, String> {
            let pool = open(&config)?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let today = rops_store::Clock::System.today();
            let (seeded, filled) = rops_store::write_transaction(&mut conn, |conn| {
                let seeded = reference::seed_sample_if_empty(conn)?;
                let filled = demo
                    .then(|| rops_store::demo::fill(conn, today))
                    .transpose()?;
                Ok::<_, rops_store::StoreError>((seeded, filled))
            })
            .map_err(|e| e.to_string())?;
            if seeded {
                tracing::info!("empty database: loaded the sample region opolskie (16)");
            }
            match filled {
                // On stdout, as the first admin's link: what a person starting it reads.
                Some(summary) if summary.filled => {
                    println!("demo data: {summary} (marked [DEMO])");
                }
                Some(_) => println!("demo data: the database holds reports already; nothing added"),
                None => {}
            }
            Ok(pool)
        })
        .await
        .map_err(|e| e.to_string())??
    };
    let secret = load_secret(config.jwt_secret.as_deref(), &config.data_dir)?;
    actix_web::web::block(crate::auth::password::warm_up)
        .await
        .map_err(|e| e.to_string())?;
    let health = {
        let url = config.database_url.clone();
        actix_web::web::block(move || Health::monitored(&url))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?
    };
    let oidc = config
        .oidc
        .clone()
        .map(|c| Arc::new(crate::oidc::Oidc::new(c)));
    let state = AppState::new(
        pool,
        health,
        Arc::new(Keys::new(&secret)),
        config.deadline_days,
    )
    .with_sessions(config.sessions)
    .with_plausibility(config.plausibility)
    .with_rollup_cache(config.rollup_cache_bytes)
    .with_public_url(config.public_url.clone())
    .with_oidc(oidc);
    let setup_state = state.clone();
    let limits = crate::guard::Limits::new(
        std::time::Duration::from_secs(config.body_timeout_secs),
        config.max_requests_per_client,
    );
    let cors = crate::cors::Cors::new(config.cors_origins.clone());
    let server = actix_web::HttpServer::new(move || {
        crate::app::build_with(state.clone(), limits.clone(), cors.clone())
    })
    // Database work, rollups and spreadsheets run on each worker's blocking threads. More of
    // them than connections only wait for one, each keeping its stack and allocator memory:
    // further tasks queue instead of starting threads (the default allows 256 per worker).
    .worker_max_blocking_threads((config.pool_size as usize).max(4))
    .bind(&config.bind)
    .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    let addrs = server.addrs();
    tracing::info!(
        bind = %config.bind,
        database = %config.database_url.redacted(),
        backend = config.database_url.backend(),
        "rops-hub started"
    );
    // No account yet: one link, printed once on stdout (never logged), where the first admin
    // chooses a login and password. There is no default password.
    let base = config.public_url.clone().unwrap_or_else(|| {
        addrs.first().map_or_else(
            || format!("http://{}", config.bind),
            |a| format!("http://{a}"),
        )
    });
    if let Some(link) = crate::routes::signin::setup_link_if_no_user(&setup_state, &base)
        .await
        .map_err(|e| format!("cannot prepare the first admin's link: {e}"))?
    {
        println!("No user exists yet. Create the first admin within 24 hours, once, at:\n{link}");
    }
    Ok((server.run(), addrs))
}

/// `rops-hub serve [--demo]`.
pub async fn serve(config: Config, demo: bool) -> CliResult {
    let (server, addrs) = start(config, demo).await?;
    for addr in addrs {
        // On stdout, so scripts and tests can read the port chosen for ROPS_BIND=…:0.
        println!("rops-hub listening on http://{addr}");
    }
    server.await.map_err(|e| e.to_string())
}

fn password_from_stdin() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn actor(clock: rops_store::Clock) -> rops_store::reports::Actor<'static> {
    rops_store::reports::Actor::new("cli", clock)
}

/// `rops-hub user …`.
pub fn user(config: &Config, command: UserCommand) -> CliResult {
    use crate::auth::{password, secret};
    use rops_store::accounts::{self, LinkPurpose, NewUser, UserPatch};
    let pool = open(config)?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let clock = rops_store::Clock::System;
    let base = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", config.bind));
    let link = |conn: &mut rops_store::DbConnection, login: &str| -> Result<String, String> {
        let token = secret::random_token();
        let now = clock.now();
        let expires = now + chrono::Duration::hours(crate::routes::users::PASSWORD_LINK_HOURS);
        accounts::create_link(
            conn,
            &secret::digest(&token),
            LinkPurpose::Password,
            Some(login),
            &rops_store::clock::stamp(now),
            &rops_store::clock::stamp(expires),
        )
        .map_err(|e| e.to_string())?;
        Ok(format!("{base}/set-password?token={token}"))
    };
    let strong = |pass: &str, login: &str| -> Result<String, String> {
        password::check(pass, login).map_err(|w| w.to_string())?;
        password::hash(pass)
    };
    match command {
        UserCommand::Add {
            login,
            name,
            role,
            org,
            region,
            password_stdin,
        } => {
            let role = Role::parse(&role).map_err(|e| e.to_string())?;
            let region = region
                .as_deref()
                .map(rops_domain::territory::RegionCode::parse)
                .transpose()
                .map_err(|e| e.to_string())?;
            let login = crate::routes::users::check_login(&login)
                .map_err(|e| format!("{}: {}", e.field, e.message))?;
            let hash = if password_stdin {
                Some(strong(&password_from_stdin()?, &login)?)
            } else {
                None
            };
            let new = NewUser {
                login: login.clone(),
                name,
                role,
                org,
                region,
                must_change_password: hash.is_some(),
                password_hash: hash,
            };
            let printed = rops_store::write_transaction(&mut conn, |conn| {
                accounts::create_user(conn, &new, &actor(clock))
            })
            .map_err(|e| e.to_string())?;
            println!("created {} ({})", printed.login, printed.role);
            if new.password_hash.is_none() {
                let url = link(&mut conn, &printed.login)?;
                println!("the person sets their password within 72 hours, once, at:\n{url}");
            }
            Ok(())
        }
        UserCommand::List { region, role } => {
            let role = role
                .as_deref()
                .map(Role::parse)
                .transpose()
                .map_err(|e| e.to_string())?;
            let users = accounts::list_users(&mut conn, region.as_deref(), role)
                .map_err(|e| e.to_string())?;
            println!("login\tname\trole\torg\tregion\tactive");
            for u in users {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    u.login,
                    u.name,
                    u.role,
                    u.org.unwrap_or_default(),
                    u.region.map(|r| r.as_str().to_owned()).unwrap_or_default(),
                    if u.active { "yes" } else { "no" }
                );
            }
            Ok(())
        }
        UserCommand::Deactivate { login } => {
            let patch = UserPatch {
                active: Some(false),
                ..UserPatch::default()
            };
            let user = rops_store::write_transaction(&mut conn, |conn| {
                accounts::update_user(conn, &login, &patch, &actor(clock))
            })
            .map_err(|e| e.to_string())?;
            println!("deactivated {}", user.login);
            Ok(())
        }
        UserCommand::SetPassword {
            login,
            password_stdin,
        } => {
            let user = accounts::get_user(&mut conn, &login).map_err(|e| e.to_string())?;
            if password_stdin {
                let hash = strong(&password_from_stdin()?, &user.login)?;
                rops_store::write_transaction(&mut conn, |conn| {
                    accounts::set_password(conn, &user.login, &hash, true, &actor(clock))?;
                    accounts::end_sessions_of(conn, &user.login)
                })
                .map_err(|e| e.to_string())?;
                println!(
                    "password set for {}; they must change it at their next sign-in",
                    user.login
                );
            } else {
                let url = link(&mut conn, &user.login)?;
                println!(
                    "{} sets a new password within 72 hours, once, at:\n{url}",
                    user.login
                );
            }
            Ok(())
        }
    }
}
