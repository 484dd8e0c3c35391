use clap::Parser;
use rops_api::cli::{self, Cli, Command};
use rops_api::config::Config;
use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: concurrent rollups of a large region left ~1 GB
/// resident with glibc (per-thread arenas that are never given back); mimalloc returns it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[actix_web::main]
async fn main() -> ExitCode {
    let args = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("rops-hub: {e}");
            return ExitCode::from(2);
        }
    };
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    rops_api::telemetry::init(config.log_format, std::io::stderr, ansi);
    let result = match args.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => cli::serve(config, demo).await,
        Command::Migrate => cli::migrate(&config),
        Command::ImportReference { file } => cli::import_reference(&config, &file),
        Command::ImportBoundaries { file } => cli::import_boundaries(&config, &file),
        Command::Token {
            role,
            org,
            ttl,
            sub,
        } => cli::token(&config, &role, org.as_deref(), &ttl, &sub),
        Command::User(command) => cli::user(&config, command),
        Command::Openapi => {
            print!("{}", rops_api::openapi::document_json());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rops-hub: {e}");
            ExitCode::FAILURE
        }
    }
}
