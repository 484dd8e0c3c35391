//! The national-scale benchmark (issue 15). One command:
//!
//! ```sh
//! cargo build --release -p rops-api -p rops-bench
//! target/release/rops-bench --server target/release/rops-hub
//! ```
//!
//! For each backend (a fresh SQLite file, a fresh PostgreSQL database) it starts the release
//! server, imports 16 regions with Poland's real gmina counts (4 subregions each, 100 OWES),
//! loads 7 years of OWES quarters and gmina years (1–3 revisions each), LPRES histories and 10
//! events per region and quarter through the public API with 8 concurrent clients, and
//! measures: ingest against the same writes as bare SQL, rollups of the largest region cold
//! (first after a write) against the bare SQL that fetches their rows, warm at 1, 8 and 32
//! clients beside `/healthz`, growth of the region's history ×2 and ×4, and the server's
//! memory. It prints one table and writes it to `docs/benchmarks.md` (`--out`). Everything is
//! generated from `--seed`; nothing is asserted: the numbers are for people to compare.

mod data;
mod measure;

use clap::Parser;
use std::path::PathBuf;

#[derive(Parser, Debug, Clone)]
#[command(about = "rops-hub at national scale: load through the API, measure both backends")]
pub struct Args {
    /// The release server binary.
    #[arg(long, default_value = "target/release/rops-hub")]
    server: PathBuf,
    /// A PostgreSQL server URL (its `postgres` database); a database is created and dropped.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres: String,
    /// Which backends, comma-separated.
    #[arg(long, default_value = "sqlite,postgres")]
    backends: String,
    /// The generator's seed.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Seconds each warm measurement runs.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Where the table is written (with the machine and the commit).
    #[arg(long, default_value = "docs/benchmarks.md")]
    out: PathBuf,
    /// Keep the loaded database (its URL is printed) to look at it afterwards.
    #[arg(long)]
    keep: bool,
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    let national = data::National::generate(args.seed);
    eprintln!(
        "national data: {} regions, {} gminas, {} OWES",
        national.regions.len(),
        national.gmina_count(),
        national.owes_count()
    );
    let mut runs = Vec::new();
    for backend in args.backends.split(',').map(str::trim) {
        eprintln!("== {backend}");
        runs.push(measure::run(&args, backend, &national).await?);
    }
    let report = measure::report(&runs, &args);
    println!("{report}");
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    std::fs::write(&args.out, report).map_err(|e| format!("{}: {e}", args.out.display()))?;
    eprintln!("written to {}", args.out.display());
    Ok(())
}
