//! `rops`: the command-line client of rops-hub.

mod client;
mod format;

mod sheet;

use clap::{Args, Parser, Subcommand, ValueEnum};
use client::{Client, Error};
use indicatif::{ProgressBar, ProgressStyle};
use reqwest::Method;
use rops_domain::problems_pl as polish;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "rops", version, about = "Command-line client of rops-hub")]
struct Cli {
    /// The service, e.g. http://127.0.0.1:8080.
    #[arg(
        long,
        env = "ROPS_URL",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    url: String,
    /// A bearer token (`rops-hub token` mints one).
    #[arg(long, env = "ROPS_TOKEN", hide_env_values = true, global = true)]
    token: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// OWES quarterly reports.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Gmina LPRES status.
    #[command(subcommand)]
    Lpres(LpresCommand),
    /// The ROPS activity register.
    #[command(subcommand)]
    Event(EventCommand),
    /// Rollups against the programme targets.
    Rollup(RollupArgs),
}

#[derive(Debug, Subcommand)]
enum ReportCommand {
    /// Create or replace a report from a JSON file (`{"jobs_created": 4, …}`) or a CSV file
    /// with the columns `indicator,value` (a header row is optional; `period` and
    /// `nazwa wskaźnika` columns, as in the template, are allowed). CSV may be UTF-8 or
    /// Windows-1250, with `,` or `;`, numbers as `1 250` or `4,00`.
    Put {
        owes: String,
        period: String,
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        note: Option<String>,
        /// Validate only; store nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Submit a report (that OWES, analyst, admin).
    Submit(Transition),
    /// Approve a submitted report (analyst, admin).
    Approve(Transition),
    /// Return a submitted report for correction (analyst, admin); needs --reason.
    Return(Transition),
    /// Reopen an approved report (analyst, admin).
    Reopen(Transition),
    /// Import one or more CSV or XLSX files (long `period,indicator,value` or wide) for an
    /// OWES; the server reads UTF-8 and Windows-1250, `,` and `;`, Polish number formats.
    Import {
        owes: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Validate only; store nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Download the file to fill in: one row per indicator (`period;indicator;value;nazwa
    /// wskaźnika`), ready for `rops report import`.
    Template {
        owes: String,
        #[arg(long, value_enum, default_value = "csv")]
        format: TemplateFormat,
        /// Fill this quarter in (e.g. 2025-Q1); left out, the period column stays empty.
        #[arg(long)]
        period: Option<String>,
        /// Write to this file instead of the terminal (required for xlsx).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TemplateFormat {
    Csv,
    Xlsx,
}

#[derive(Debug, Args)]
struct Transition {
    owes: String,
    period: String,
    #[arg(long)]
    reason: Option<String>,
}

#[derive(Debug, Subcommand)]
enum LpresCommand {
    /// Set a gmina's LPRES status.
    Set {
        teryt: String,
        /// none, in_preparation, draft, adopted or repealed.
        #[arg(long)]
        status: String,
        #[arg(long)]
        resolution_number: Option<String>,
        /// YYYY-MM-DD.
        #[arg(long)]
        adopted_on: Option<String>,
        #[arg(long)]
        plan_from: Option<i64>,
        #[arg(long)]
        plan_to: Option<i64>,
        #[arg(long)]
        document_url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum EventCommand {
    /// Record an event in a region's register.
    Add {
        region: String,
        #[arg(long = "type")]
        event_type: String,
        /// YYYY-MM-DD.
        #[arg(long)]
        date: String,
        /// A subregion code; leave out for a region-wide event.
        #[arg(long)]
        subregion: Option<String>,
        #[arg(long)]
        title: String,
        #[arg(long)]
        participants: i64,
        #[arg(long)]
        evidence_url: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Level {
    Region,
    Subregion,
    Owes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Json,
    Csv,
    Xlsx,
}

#[derive(Debug, Args)]
struct RollupArgs {
    level: Level,
    code: String,
    #[arg(long, conflicts_with_all = ["from", "to"])]
    year: Option<i32>,
    #[arg(long, requires = "to")]
    from: Option<String>,
    #[arg(long, requires = "from")]
    to: Option<String>,
    /// RFC 3339, e.g. 2025-01-31T12:00:00Z.
    #[arg(long)]
    as_of: Option<String>,
    #[arg(long)]
    approved_only: bool,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Write to this file instead of the terminal (required for xlsx).
    #[arg(short, long)]
    output: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let client = Client::new(&cli.url, cli.token.clone());
    match run(&client, cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path)
        .map_err(|e| Error::Other(format!("nie można odczytać {}: {e}", path.display())))
}

fn has_extension(path: &Path, wanted: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(wanted))
}

/// The OWES indicator codes of the catalogue.
fn owes_codes(client: &Client) -> Result<Vec<String>, Error> {
    let catalogue = client.json(client.request(Method::GET, "/indicators"))?;
    Ok(catalogue["indicators"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["stream"] == "owes")
        .filter_map(|i| i["code"].as_str().map(str::to_owned))
        .collect())
}

/// Values from a JSON object (optionally under "values") or a CSV `indicator,value` file.
fn values_from(client: &Client, path: &Path, period: &str) -> Result<Map<String, Value>, Error> {
    let bytes = read(path)?;
    if has_extension(path, "csv") || has_extension(path, "txt") {
        let codes = owes_codes(client)?;
        return sheet::values(&bytes, period, &codes)
            .map_err(|e| Error::Other(format!("{}: {e}", path.display())));
    }
    if ["xlsx", "xls", "ods"]
        .iter()
        .any(|x| has_extension(path, x))
    {
        return Err(Error::Other(format!(
            "{}: `report put` czyta JSON i CSV; arkusz wyślij przez `rops report import` (XLSX) albo zapisz go jako CSV",
            path.display()
        )));
    }
    let parsed: Value = serde_json::from_slice(&bytes).map_err(|e| {
        Error::Other(format!(
            "{}: to nie jest poprawny JSON: {e}",
            path.display()
        ))
    })?;
    match parsed.get("values").cloned().unwrap_or(parsed) {
        Value::Object(map) => Ok(map),
        _ => Err(Error::Other(format!(
            "{}: oczekiwano obiektu JSON {{\"kod\": wartość}}",
            path.display()
        ))),
    }
}

fn run(client: &Client, command: Command) -> Result<(), Error> {
    match command {
        Command::Report(c) => report(client, c),
        Command::Lpres(LpresCommand::Set {
            teryt,
            status,
            resolution_number,
            adopted_on,
            plan_from,
            plan_to,
            document_url,
        }) => {
            let body = json!({
                "status": status, "resolution_number": resolution_number, "adopted_on": adopted_on,
                "plan_from": plan_from, "plan_to": plan_to, "document_url": document_url,
            });
            let l = client.json(
                client
                    .request(Method::PUT, &format!("/gminas/{teryt}/lpres"))
                    .json(&body),
            )?;
            println!(
                "LPRES gminy {teryt}: {} (wersja {})",
                l["status"].as_str().unwrap_or("?"),
                l["revision"]
            );
            Ok(())
        }
        Command::Event(EventCommand::Add {
            region,
            event_type,
            date,
            subregion,
            title,
            participants,
            evidence_url,
        }) => {
            let body = json!({
                "type": event_type, "date": date, "subregion": subregion, "title": title,
                "participants": participants, "evidence_url": evidence_url,
            });
            let e = client.json(
                client
                    .request(Method::POST, &format!("/regions/{region}/events"))
                    .json(&body),
            )?;
            println!(
                "Zapisano wydarzenie {} ({}, {})",
                e["id"].as_str().unwrap_or("?"),
                e["type"].as_str().unwrap_or("?"),
                e["date"].as_str().unwrap_or("?")
            );
            Ok(())
        }
        Command::Rollup(args) => rollup(client, args),
    }
}

fn report(client: &Client, command: ReportCommand) -> Result<(), Error> {
    let path = |owes: &str, period: &str| format!("/owes/{owes}/reports/{period}");
    let show = |r: &Value| {
        println!(
            "Sprawozdanie {} za {}: {} (wersja {})",
            r["owes"].as_str().unwrap_or("?"),
            r["period"].as_str().unwrap_or("?"),
            r["status"].as_str().unwrap_or("?"),
            r["revision"]
        )
    };
    let transition = |t: Transition, action: &str| -> Result<(), Error> {
        let req = client.request(
            Method::POST,
            &format!("{}/{action}", path(&t.owes, &t.period)),
        );
        let req = match t.reason {
            Some(reason) => req.json(&json!({ "reason": reason })),
            None => req,
        };
        show(&client.json(req)?);
        Ok(())
    };
    match command {
        ReportCommand::Put {
            owes,
            period,
            file,
            note,
            dry_run,
        } => {
            let body = json!({ "values": values_from(client, &file, &period)?, "note": note });
            let req = client
                .request(Method::PUT, &path(&owes, &period))
                .query(&[("dry_run", dry_run)])
                .json(&body);
            let r = client.json(req)?;
            show(&r);
            if dry_run {
                println!("(próba: nic nie zapisano)");
            }
            Ok(())
        }
        ReportCommand::Submit(t) => transition(t, "submit"),
        ReportCommand::Approve(t) => transition(t, "approve"),
        ReportCommand::Return(t) => transition(t, "return"),
        ReportCommand::Reopen(t) => transition(t, "reopen"),
        ReportCommand::Import {
            owes,
            files,
            dry_run,
        } => {
            let bar = ProgressBar::new(files.len() as u64);
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let mut failed = 0;
            for file in &files {
                bar.set_message(file.display().to_string());
                // The file goes as it is: the server reads its encoding and format.
                let outcome = upload_type(file).and_then(|content_type| {
                    let bytes = read(file)?;
                    let req = client
                        .request(Method::POST, &format!("/owes/{owes}/reports/import"))
                        .query(&[("dry_run", dry_run)])
                        .header("content-type", content_type)
                        .body(bytes);
                    client.json(req)
                });
                match outcome {
                    Ok(result) => {
                        for r in result["reports"].as_array().into_iter().flatten() {
                            let line = format!(
                                "{}: {} {} ({}, wersja {})",
                                file.display(),
                                r["period"].as_str().unwrap_or("?"),
                                r["outcome"].as_str().unwrap_or("?"),
                                r["status"].as_str().unwrap_or("?"),
                                r["revision"]
                            );
                            // Printed around the bar, also when the output is not a terminal.
                            bar.suspend(|| println!("{line}"));
                        }
                        for w in result["warnings"].as_array().into_iter().flatten() {
                            let line = format!(
                                "{}: uwaga: {}: {}",
                                file.display(),
                                polish::field(w["field"].as_str().unwrap_or("")),
                                polish::message(w["message"].as_str().unwrap_or(""))
                            );
                            bar.suspend(|| eprintln!("{line}"));
                        }
                    }
                    Err(e) => {
                        failed += 1;
                        bar.suspend(|| eprintln!("{}: {e}", file.display()));
                    }
                }
                bar.inc(1);
            }
            bar.finish_and_clear();
            let done = files.len() - failed;
            println!(
                "Pliki: {done} przyjęte, {failed} odrzucone{}",
                if dry_run {
                    " (próba: nic nie zapisano)"
                } else {
                    ""
                }
            );
            if failed > 0 {
                return Err(Error::Other(format!(
                    "{failed} plik(i) odrzucone; nic z nich nie zapisano"
                )));
            }
            Ok(())
        }
        ReportCommand::Template {
            owes,
            format,
            period,
            output,
        } => {
            let wire = match format {
                TemplateFormat::Csv => "csv",
                TemplateFormat::Xlsx => "xlsx",
            };
            if format == TemplateFormat::Xlsx && output.is_none() {
                return Err(Error::Other(
                    "format xlsx zapisuje plik: podaj -o PLIK.xlsx".into(),
                ));
            }
            let mut query = vec![("format", wire.to_owned())];
            if let Some(p) = period {
                query.push(("period", p));
            }
            let res = client.send(
                client
                    .request(Method::GET, &format!("/owes/{owes}/reports/template"))
                    .query(&query),
            )?;
            let bytes = res.bytes().map_err(|e| Error::Other(e.to_string()))?;
            match output {
                Some(path) => {
                    std::fs::write(&path, &bytes).map_err(|e| {
                        Error::Other(format!("nie można zapisać {}: {e}", path.display()))
                    })?;
                    println!("Zapisano {}", path.display());
                }
                None => {
                    let text = String::from_utf8_lossy(&bytes);
                    print!("{}", text.trim_start_matches('\u{feff}'));
                }
            }
            Ok(())
        }
    }
}

/// The media type a file is sent with: XLSX by its extension, CSV otherwise; the formats the
/// server does not read are refused here, with what to do instead.
fn upload_type(path: &Path) -> Result<&'static str, Error> {
    if has_extension(path, "xlsx") {
        return Ok("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    }
    if ["xls", "ods", "xlsm", "xlsb"]
        .iter()
        .any(|x| has_extension(path, x))
    {
        return Err(Error::Other(
            "ten rodzaj arkusza nie jest obsługiwany; zapisz go jako .xlsx (Excel 2007–365) albo jako CSV".into(),
        ));
    }
    Ok("text/csv")
}

fn rollup(client: &Client, a: RollupArgs) -> Result<(), Error> {
    let level = match a.level {
        Level::Region => "regions",
        Level::Subregion => "subregions",
        Level::Owes => "owes",
    };
    let mut query: Vec<(&str, String)> = Vec::new();
    if let Some(y) = a.year {
        query.push(("year", y.to_string()));
    }
    for (k, v) in [("from", &a.from), ("to", &a.to), ("as_of", &a.as_of)] {
        if let Some(v) = v {
            query.push((k, v.clone()));
        }
    }
    if a.approved_only {
        query.push(("approved_only", "true".into()));
    }
    let wire = match a.format {
        Format::Table | Format::Json => "json",
        Format::Csv => "csv",
        Format::Xlsx => "xlsx",
    };
    query.push(("format", wire.into()));
    if a.format == Format::Xlsx && a.output.is_none() {
        return Err(Error::Other(
            "format xlsx zapisuje plik: podaj -o PLIK.xlsx".into(),
        ));
    }
    let res = client.send(
        client
            .request(Method::GET, &format!("/rollups/{level}/{}", a.code))
            .query(&query),
    )?;
    let bytes = res
        .bytes()
        .map_err(|e| Error::Other(e.to_string()))?
        .to_vec();
    let output = match a.format {
        Format::Table => {
            let r: Value =
                serde_json::from_slice(&bytes).map_err(|e| Error::Other(e.to_string()))?;
            rollup_tables(&r).into_bytes()
        }
        Format::Json => {
            let r: Value =
                serde_json::from_slice(&bytes).map_err(|e| Error::Other(e.to_string()))?;
            let mut text = serde_json::to_string_pretty(&r).unwrap_or_default();
            text.push('\n');
            text.into_bytes()
        }
        Format::Csv | Format::Xlsx => bytes,
    };
    match a.output {
        Some(path) => {
            std::fs::write(&path, output)
                .map_err(|e| Error::Other(format!("nie można zapisać {}: {e}", path.display())))?;
            println!("Zapisano {}", path.display());
        }
        None => print!("{}", String::from_utf8_lossy(&output)),
    }
    Ok(())
}

fn rollup_tables(r: &Value) -> String {
    let empty = Vec::new();
    let indicators = r["indicators"].as_array().unwrap_or(&empty);
    let subregions: Vec<String> = indicators
        .first()
        .and_then(|i| i["by_subregion"].as_array())
        .map(|s| {
            s.iter()
                .map(|x| x["subregion"].as_str().unwrap_or("?").to_owned())
                .collect()
        })
        .unwrap_or_default();
    let mut headers = vec!["wskaźnik", "rodzaj", "wartość"];
    headers.extend(subregions.iter().map(String::as_str));
    let rows = indicators
        .iter()
        .map(|i| {
            let unit = i["unit"].as_str().unwrap_or("count");
            let mut row = vec![
                i["code"].as_str().unwrap_or("?").to_owned(),
                i["kind"].as_str().unwrap_or("?").to_owned(),
                format::number(&i["value"], unit),
            ];
            row.extend(
                i["by_subregion"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|s| format::number(&s["value"], unit)),
            );
            row
        })
        .collect();
    let c = &r["completeness"];
    let l = &r["lpres"];
    let targets = r["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            vec![
                t["indicator"].as_str().unwrap_or("?").to_owned(),
                t["unit"].as_str().unwrap_or("region").to_owned(),
                t["window"].as_str().unwrap_or("?").to_owned(),
                format::number(&t["target"], "count"),
                format::number(&t["actual"], "count"),
                format::number(&t["expected_to_date"], "count"),
                t["status"].as_str().unwrap_or("?").to_owned(),
            ]
        })
        .collect();
    format!(
        "{} {} — {}..{} (stan na {})\n{}\nKompletność: oczekiwane {}, otrzymane {}, zatwierdzone {}, w terminie {}, odsetek {}\nLPRES: {} z {} gmin przyjęło plan ({})\n{}\n",
        r["scope"]["kind"].as_str().unwrap_or("?"),
        r["scope"]["code"].as_str().unwrap_or("?"),
        r["from"].as_str().unwrap_or("?"),
        r["to"].as_str().unwrap_or("?"),
        r["as_of"].as_str().unwrap_or("?"),
        format::table(&headers, rows, 2),
        c["expected"],
        c["received"],
        c["approved"],
        c["on_time"],
        format::number(&c["rate"], "share"),
        l["adopted"],
        l["gminas"],
        format::number(&l["share"], "share"),
        format::table(&["cel", "jednostka", "okno", "wartość docelowa", "wykonanie", "oczekiwane", "status"], targets, 3),
    )
}
