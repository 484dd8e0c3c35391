//! Starting the server on one backend, loading the data, and timing it.

use crate::data::{Catalogue, Job, National, Region, YEARS};
use crate::Args;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Text};
use rops_api::auth::Keys;
use rops_domain::role::Role;
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRET: &str = "rops-bench-secret-of-at-least-32-characters";
const WRITERS: usize = 8;
/// The analysts' region page, measured beside the JSON rollup it shows.
const PAGE: &str = "region page, year 2024";

/// Latencies of one measurement.
#[derive(Debug, Default, Clone)]
pub struct Timing {
    pub count: usize,
    pub failures: usize,
    pub p50: f64,
    pub p99: f64,
    pub per_second: f64,
}

impl Timing {
    fn of(mut ms: Vec<f64>, failures: usize, elapsed: Duration) -> Self {
        ms.sort_by(f64::total_cmp);
        let at = |p: f64| {
            ms.get(((ms.len() as f64 - 1.0) * p).round() as usize)
                .copied()
                .unwrap_or(f64::NAN)
        };
        Self {
            count: ms.len(),
            failures,
            p50: at(0.5),
            p99: at(0.99),
            per_second: ms.len() as f64 / elapsed.as_secs_f64(),
        }
    }
}

/// One backend's figures, in the order the table prints them.
pub struct Run {
    pub backend: String,
    pub rows: Vec<(String, String)>,
    pub failures: usize,
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts counting the peak resident memory afresh (Linux: `clear_refs` 5).
    fn reset_peak(&self) {
        let _ = std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5");
    }

    /// Resident memory now and at its peak, in MB.
    fn memory(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
                .map_or(f64::NAN, |kb| kb / 1024.0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

fn env(cmd: &mut Command, url: &str, dir: &std::path::Path) {
    cmd.env("DATABASE_URL", url)
        .env("ROPS_DATA_DIR", dir)
        .env("ROPS_JWT_SECRET", SECRET)
        .env("ROPS_MAX_REQUESTS_PER_CLIENT", "100000")
        .env(
            "RUST_LOG",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
        );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(18080)
}

async fn start(args: &Args, url: &str, dir: &std::path::Path) -> Result<Server, String> {
    let port = free_port();
    let mut cmd = Command::new(&args.server);
    env(&mut cmd, url, dir);
    cmd.env("ROPS_BIND", format!("127.0.0.1:{port}"))
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    let child = cmd
        .spawn()
        .map_err(|e| format!("{}: {e}", args.server.display()))?;
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(r) = http.get(format!("{}/healthz", server.base)).send().await {
            if r.status().is_success() {
                return Ok(server);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err("the server did not answer /healthz within 30 s".into())
}

struct Tokens {
    keys: Keys,
    minted: Mutex<HashMap<String, String>>,
}

impl Tokens {
    fn get(&self, who: &str) -> String {
        let mut minted = self.minted.lock().unwrap_or_else(|e| e.into_inner());
        minted
            .entry(who.to_owned())
            .or_insert_with(|| {
                let (role, org) = match who.split_once(':') {
                    Some(("owes", o)) => (Role::Owes, Some(o)),
                    Some(("gmina", g)) => (Role::Gmina, Some(g)),
                    _ => (Role::Analyst, None),
                };
                self.keys
                    .mint("bench", role, org, Duration::from_secs(24 * 3600))
                    .unwrap_or_default()
            })
            .clone()
    }
}

/// How a reader signs its requests: the API with a bearer token, pages with a session cookie.
#[derive(Clone)]
enum Auth {
    Bearer(String),
    Cookie(String),
}

impl Auth {
    fn sign(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Self::Bearer(token) => req.bearer_auth(token),
            Self::Cookie(cookie) => req.header(reqwest::header::COOKIE, cookie),
        }
    }
}

/// A browser session of an analyst as a person gets one: an account made with the CLI
/// (an initial password), signed in, the password changed as the first sign-in asks.
async fn session(
    args: &Args,
    url: &str,
    dir: &std::path::Path,
    base: &str,
) -> Result<Auth, String> {
    use std::io::Write;
    const INITIAL: &str = "Benchmark-initial-2026";
    let mut cmd = Command::new(&args.server);
    env(&mut cmd, url, dir);
    let mut child = cmd
        .args([
            "user",
            "add",
            "--login",
            "bench.analyst",
            "--name",
            "Bench Analyst",
        ])
        .args(["--role", "analyst", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(format!("{INITIAL}\n").as_bytes())
        .map_err(|e| e.to_string())?;
    if !child.wait().map_err(|e| e.to_string())?.success() {
        return Err("user add failed".into());
    }
    let http = reqwest::Client::new();
    let res = http
        .post(format!("{base}/auth/login"))
        .json(&serde_json::json!({"login": "bench.analyst", "password": INITIAL}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let cookie = res
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("rops_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
        .ok_or("no session cookie")?;
    let me: serde_json::Value = res.json().await.map_err(|e| e.to_string())?;
    let csrf = me["csrf_token"].as_str().unwrap_or_default().to_owned();
    let changed = http
        .post(format!("{base}/api/v1/me/password"))
        .header(reqwest::header::COOKIE, &cookie)
        .header("X-CSRF-Token", csrf)
        .json(&serde_json::json!({
            "old_password": INITIAL,
            "new_password": "Benchmark-changed-2026",
        }))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !changed.status().is_success() {
        return Err(format!("password change: {}", changed.status()));
    }
    Ok(Auth::Cookie(cookie))
}

/// Runs `jobs` with [`WRITERS`] concurrent clients: each request's latency, and the failures
/// (the first few printed).
async fn load(base: &str, tokens: &Arc<Tokens>, jobs: Vec<Job>) -> Timing {
    let jobs = Arc::new(jobs);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..WRITERS {
        let (jobs, next, tokens) = (jobs.clone(), next.clone(), tokens.clone());
        let (base, http) = (base.to_owned(), reqwest::Client::new());
        tasks.push(tokio::spawn(async move {
            let (mut ms, mut failures) = (Vec::new(), 0usize);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                for w in job {
                    let url = format!("{base}{}", w.path);
                    let req = match w.method {
                        "PUT" => http.put(url),
                        _ => http.post(url),
                    }
                    .bearer_auth(tokens.get(&w.who));
                    let req = match &w.body {
                        Some(b) => req.json(b),
                        None => req,
                    };
                    let t = Instant::now();
                    let res = req.send().await;
                    ms.push(t.elapsed().as_secs_f64() * 1000.0);
                    match res {
                        Ok(r) if r.status().is_success() => {}
                        Ok(r) => {
                            failures += 1;
                            if failures <= 3 {
                                let status = r.status();
                                let body = r.text().await.unwrap_or_default();
                                eprintln!("{} {}: {status} {body:.300}", w.method, w.path);
                            }
                            break;
                        }
                        Err(e) => {
                            failures += 1;
                            eprintln!("{} {}: {e}", w.method, w.path);
                            break;
                        }
                    }
                }
            }
            (ms, failures)
        }));
    }
    gather(tasks, started).await
}

/// The latencies and failures of concurrent clients, together.
async fn gather(
    tasks: Vec<tokio::task::JoinHandle<(Vec<f64>, usize)>>,
    started: Instant,
) -> Timing {
    let (mut all, mut failures) = (Vec::new(), 0);
    for t in tasks {
        if let Ok((ms, f)) = t.await {
            all.extend(ms);
            failures += f;
        }
    }
    Timing::of(all, failures, started.elapsed())
}

/// `clients` clients reading `path` for `seconds`.
async fn read(base: &str, auth: &Auth, path: &str, clients: usize, seconds: f64) -> Timing {
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (url, auth, http) = (
            format!("{base}{path}"),
            auth.clone(),
            reqwest::Client::new(),
        );
        tasks.push(tokio::spawn(async move {
            let (mut ms, mut failures) = (Vec::new(), 0usize);
            while Instant::now() < until {
                let t = Instant::now();
                let ok = match auth.sign(http.get(&url)).send().await {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    Ok(r) => {
                        if failures == 0 {
                            eprintln!("GET {url}: {}", r.status());
                        }
                        false
                    }
                    Err(_) => false,
                };
                ms.push(t.elapsed().as_secs_f64() * 1000.0);
                failures += usize::from(!ok);
            }
            (ms, failures)
        }));
    }
    gather(tasks, started).await
}

/// A write to the region (a draft report of a quarter outside every window measured), so
/// the next rollup of it is computed afresh.
async fn touch(base: &str, tokens: &Tokens, region: &Region, n: usize) -> bool {
    let owes = &region.owes[0];
    reqwest::Client::new()
        .put(format!("{base}/api/v1/owes/{owes}/reports/2026-Q1"))
        .bearer_auth(tokens.get(&format!("owes:{owes}")))
        .json(&serde_json::json!({"values": {"jobs_created": n % 50}}))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
}

/// The first request after a write, `n` times: p50 in ms.
async fn cold(
    base: &str,
    tokens: &Tokens,
    auth: &Auth,
    region: &Region,
    path: &str,
    n: usize,
) -> Timing {
    let http = reqwest::Client::new();
    let (mut ms, mut failures) = (Vec::new(), 0);
    let started = Instant::now();
    for i in 0..n {
        if !touch(base, tokens, region, i).await {
            failures += 1;
        }
        let t = Instant::now();
        let ok = auth
            .sign(http.get(format!("{base}{path}")))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        failures += usize::from(!ok);
    }
    Timing::of(ms, failures, started.elapsed())
}

#[derive(QueryableByName)]
#[allow(dead_code)] // Read to be timed.
struct ReportRow {
    #[diesel(sql_type = Text)]
    unit_code: String,
    #[diesel(sql_type = Text)]
    period: String,
    #[diesel(sql_type = Integer)]
    revision: i32,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Text)]
    values_json: String,
    #[diesel(sql_type = Nullable<Text>)]
    results_json: Option<String>,
    #[diesel(sql_type = Text)]
    updated_at: String,
    #[diesel(sql_type = Nullable<Text>)]
    first_submitted_at: Option<String>,
}

#[derive(QueryableByName)]
#[allow(dead_code)] // Read to be timed.
struct LpresRow {
    #[diesel(sql_type = Text)]
    teryt: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Text>)]
    adopted_on: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    plan_from: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    plan_to: Option<i32>,
    #[diesel(sql_type = Integer)]
    revision: i32,
    #[diesel(sql_type = Text)]
    updated_at: String,
}

#[derive(QueryableByName)]
#[allow(dead_code)] // Read to be timed.
struct EventRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    event_type: String,
    #[diesel(sql_type = Text)]
    event_date: String,
    #[diesel(sql_type = Nullable<Text>)]
    subregion_code: Option<String>,
    #[diesel(sql_type = Integer)]
    participants: i32,
    #[diesel(sql_type = Nullable<Text>)]
    withdrawn_at: Option<String>,
    #[diesel(sql_type = Integer)]
    revision: i32,
}

/// The bare SQL of the region-year rollup as of now: the rows it needs from the current-state
/// tables, with the region's units written out — the window's reports of the region's OWES
/// and gminas, the LPRES of its gminas, the window's events of the region. Median of `n`
/// runs, in ms, and the rows.
fn bare_sql(url: &str, region: &Region, year: i32, n: usize) -> Result<(f64, usize), String> {
    let pool =
        rops_store::pool(&rops_store::DatabaseUrl::parse(url), 1).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let list = |codes: &[String]| {
        codes
            .iter()
            .map(|c| format!("'{c}'"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let sql = format!(
        "SELECT unit_code, period, revision, status, values_json, results_json, updated_at, first_submitted_at \
         FROM reports WHERE (stream = 'owes' AND unit_code IN ({}) OR stream = 'gmina' AND unit_code IN ({})) \
         AND period BETWEEN '{year}' AND '{year}-Q4'",
        list(&region.owes),
        list(&region.gminas)
    );
    let lpres = format!(
        "SELECT teryt, status, adopted_on, plan_from, plan_to, revision, updated_at \
         FROM lpres WHERE teryt IN ({})",
        list(&region.gminas)
    );
    let events = format!(
        "SELECT id, event_type, event_date, subregion_code, participants, withdrawn_at, revision \
         FROM events WHERE region_code = '{}' AND event_date BETWEEN '{year}-01-01' AND '{year}-12-31'",
        region.code
    );
    let mut ms = Vec::new();
    let mut rows = 0;
    for _ in 0..n {
        let t = Instant::now();
        let reports: Vec<ReportRow> = diesel::sql_query(&sql)
            .load(&mut **conn)
            .map_err(|e| e.to_string())?;
        let lpres: Vec<LpresRow> = diesel::sql_query(&lpres)
            .load(&mut **conn)
            .map_err(|e| e.to_string())?;
        let events: Vec<EventRow> = diesel::sql_query(&events)
            .load(&mut **conn)
            .map_err(|e| e.to_string())?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        rows = reports.len() + lpres.len() + events.len();
    }
    Ok((Timing::of(ms, 0, Duration::from_secs(1)).p50, rows))
}

/// The writes of the ingest done as bare SQL, one transaction each (a report's row and its
/// revision), with [`WRITERS`] threads, on a scratch database of the same schema: per second.
fn sql_writes(url: &str, count: usize) -> Result<f64, String> {
    let pool = rops_store::pool(&rops_store::DatabaseUrl::parse(url), WRITERS as u32)
        .map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    rops_store::migrations::run(&mut conn).map_err(|e| e.to_string())?;
    drop(conn);
    let values = r#"{"jobs_created":12,"animators_employed":3,"enterprises_created":1,"grants_paid":125000.5}"#;
    let started = Instant::now();
    std::thread::scope(|s| {
        for t in 0..WRITERS {
            let pool = pool.clone();
            s.spawn(move || {
                let Ok(mut conn) = pool.get() else { return };
                for i in (t..count).step_by(WRITERS) {
                    let _ = rops_store::write_transaction(&mut conn, |c| {
                        diesel::sql_query(format!(
                            "INSERT INTO reports (stream, unit_code, period, status, revision, values_json, \
                             created_at, updated_at, updated_by) VALUES ('owes', 'OWES-{i}', '2024-Q1', 'draft', 1, \
                             '{values}', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', 'bench')"
                        ))
                        .execute(c)?;
                        diesel::sql_query(format!(
                            "INSERT INTO report_revisions (stream, unit_code, period, revision, action, status, \
                             values_json, recorded_at, recorded_by) VALUES ('owes', 'OWES-{i}', '2024-Q1', 1, \
                             'create', 'draft', '{values}', '2026-01-01T00:00:00.000000Z', 'bench')"
                        ))
                        .execute(c)
                    });
                }
            });
        }
    });
    Ok(count as f64 / started.elapsed().as_secs_f64())
}

fn ms(v: f64) -> String {
    format!("{v:.1} ms")
}

fn timing(t: &Timing) -> String {
    format!(
        "p50 {:.1} ms, p99 {:.1} ms, {:.0} req/s{}",
        t.p50,
        t.p99,
        t.per_second,
        if t.failures > 0 {
            format!(", **{} failed**", t.failures)
        } else {
            String::new()
        }
    )
}

/// Creates the database of `backend`: a SQLite file in `dir`, or a new PostgreSQL database.
fn database(
    args: &Args,
    backend: &str,
    dir: &std::path::Path,
    name: &str,
) -> Result<String, String> {
    match backend {
        "sqlite" => Ok(dir.join(format!("{name}.db")).display().to_string()),
        "postgres" => {
            let db = format!("rops_bench_{name}_{}", std::process::id());
            let mut admin =
                diesel::PgConnection::establish(&args.postgres).map_err(|e| e.to_string())?;
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {db}"))
                .execute(&mut admin)
                .map_err(|e| e.to_string())?;
            diesel::sql_query(format!("CREATE DATABASE {db}"))
                .execute(&mut admin)
                .map_err(|e| e.to_string())?;
            Ok(rops_store::testing::replace_database(&args.postgres, &db))
        }
        other => Err(format!("unknown backend {other}; use sqlite or postgres")),
    }
}

fn drop_database(args: &Args, url: &str) {
    if let (Some(name), Ok(mut admin)) = (
        url.rsplit('/')
            .next()
            .map(|n| n.split('?').next().unwrap_or(n).to_owned()),
        diesel::PgConnection::establish(&args.postgres),
    ) {
        if url.starts_with("postgres") {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin);
        }
    }
}

pub async fn run(args: &Args, backend: &str, national: &National) -> Result<Run, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let url = database(args, backend, dir.path(), "load")?;
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut failures = 0;
    // Reference data through the import command, as an administrator loads it.
    for r in &national.regions {
        let file = dir.path().join(format!("region-{}.json", r.code));
        std::fs::write(&file, r.reference.to_string()).map_err(|e| e.to_string())?;
        let mut cmd = Command::new(&args.server);
        env(&mut cmd, &url, dir.path());
        let out = cmd
            .arg("import-reference")
            .arg(&file)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!(
                "import {}: {}",
                r.code,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    let server = start(args, &url, dir.path()).await?;
    let base = server.base.clone();
    let (start_rss, _) = server.memory();
    let tokens = Arc::new(Tokens {
        keys: Keys::new(SECRET.as_bytes()),
        minted: Mutex::default(),
    });
    let http = reqwest::Client::new();
    let catalogue: serde_json::Value = http
        .get(format!("{base}/api/v1/indicators"))
        .bearer_auth(tokens.get("analyst"))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let event_types: Vec<String> = catalogue["event_types"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["code"].as_str().map(str::to_owned))
        .collect();
    let catalogue = Catalogue::of(&catalogue);

    // The load: the first four years, a moment to read "as of" later, the rest.
    let all: Vec<&Region> = national.regions.iter().collect();
    let years: Vec<i32> = YEARS.collect();
    let (early, late) = years.split_at(4);
    let t = Instant::now();
    let first = load(&base, &tokens, national.reports(&catalogue, &all, early)).await;
    let past = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let second = load(&base, &tokens, national.reports(&catalogue, &all, late)).await;
    let third = load(&base, &tokens, national.lpres_and_events(&event_types)).await;
    let ingest_time = t.elapsed();
    let writes = first.count + second.count + third.count;
    let write_failures = first.failures + second.failures + third.failures;
    failures += write_failures;
    let write_p99 = first.p99.max(second.p99).max(third.p99);
    let api_rate = writes as f64 / ingest_time.as_secs_f64();
    let (after_load, _) = server.memory();
    rows.push((
        "ingest through the API, 8 clients".into(),
        format!(
            "{writes} writes in {:.0} s: {api_rate:.0}/s, p50 {:.1} ms, p99 {write_p99:.1} ms{}",
            ingest_time.as_secs_f64(),
            second.p50,
            if write_failures > 0 {
                format!(", **{write_failures} failed**")
            } else {
                String::new()
            }
        ),
    ));
    let scratch = database(args, backend, dir.path(), "sql")?;
    let sql_rate = tokio::task::spawn_blocking({
        let scratch = scratch.clone();
        move || sql_writes(&scratch, 20_000)
    })
    .await
    .map_err(|e| e.to_string())??;
    drop_database(args, &scratch);
    rows.push((
        "the same writes as bare SQL, one transaction each, 8 threads".into(),
        format!("{sql_rate:.0}/s; API ÷ SQL = {:.2}", api_rate / sql_rate),
    ));

    // Rollups of the largest region.
    let region = national.largest();
    let first_subregion = &region.subregions[0];
    let analyst = Auth::Bearer(tokens.get("analyst"));
    let page = session(args, &url, dir.path(), &base).await?;
    let year = "/api/v1/rollups/regions/14?year=2024".to_owned();
    let reads = [
        ("region, year 2024", year.clone()),
        (PAGE, "/regions/14?year=2024".to_owned()),
        (
            "region, whole history (2019–2025)",
            "/api/v1/rollups/regions/14?from=2019-Q1&to=2025-Q4".to_owned(),
        ),
        (
            "region, year 2024 as of a past moment",
            format!("/api/v1/rollups/regions/14?year=2024&as_of={past}"),
        ),
        (
            "subregion, year 2024",
            format!("/api/v1/rollups/subregions/{first_subregion}?year=2024"),
        ),
        (
            "region, year 2024, XLSX",
            "/api/v1/rollups/regions/14/xlsx?year=2024".to_owned(),
        ),
    ];
    let url_for_sql = url.clone();
    let (bare, bare_rows) = tokio::task::spawn_blocking({
        let region_owes = region.owes.clone();
        let region_gminas = region.gminas.clone();
        move || {
            let r = Region {
                code: "14".into(),
                gminas: region_gminas,
                subregions: Vec::new(),
                owes: region_owes,
                reference: serde_json::Value::Null,
            };
            bare_sql(&url_for_sql, &r, 2024, 21)
        }
    })
    .await
    .map_err(|e| e.to_string())??;
    rows.push((
        "bare SQL of the region-year rollup (its window's reports, LPRES and events)".into(),
        format!("{} ({bare_rows} rows)", ms(bare)),
    ));
    let cold_year = cold(&base, &tokens, &analyst, region, &year, 15).await;
    failures += cold_year.failures;
    rows.push((
        "region-year rollup, cold (first after a write)".into(),
        format!(
            "p50 {} = {:.1}× the bare SQL",
            ms(cold_year.p50),
            cold_year.p50 / bare
        ),
    ));
    let health = read(&base, &analyst, "/healthz", 8, args.seconds).await;
    rows.push(("`/healthz`, 8 clients".into(), timing(&health)));
    // The peak is counted afresh for each phase; the run's is the largest of them.
    let (mut peaks, mut run_peak) = (Vec::new(), server.memory().1);
    // The region page beside the JSON of the same rollup: cold and warm at 1 client.
    let mut page_vs_json: Vec<(f64, f64)> = Vec::new();
    for (name, path) in &reads {
        server.reset_peak();
        let auth = if *name == PAGE { &page } else { &analyst };
        let c = cold(&base, &tokens, auth, region, path, 5).await;
        failures += c.failures;
        rows.push((format!("{name}: cold"), format!("p50 {}", ms(c.p50))));
        let mut firsts = vec![c.p50];
        for clients in [1, 8, 32] {
            let t = read(&base, auth, path, clients, args.seconds).await;
            if clients == 1 {
                firsts.push(t.p50);
            }
            failures += t.failures;
            let mut line = timing(&t);
            if clients == 8 {
                line.push_str(&format!(
                    "; ÷ `/healthz` = {:.2}",
                    t.per_second / health.per_second
                ));
            }
            rows.push((
                format!(
                    "{name}: warm, {clients} client{}",
                    if clients == 1 { "" } else { "s" }
                ),
                line,
            ));
        }
        let phase_peak = server.memory().1;
        run_peak = run_peak.max(phase_peak);
        peaks.push(format!("{name}: {phase_peak:.0} MB"));
        if page_vs_json.len() < 2 {
            page_vs_json.push((firsts[0], firsts[1]));
        }
    }
    if let [json, page] = page_vs_json[..] {
        rows.push((
            "region page ÷ the JSON rollup, year 2024 (p50 cold; p50 warm, 1 client)".into(),
            format!("{:.2}; {:.2}", page.0 / json.0, page.1 / json.1),
        ));
    }
    rows.push((
        "server peak resident memory in each of those phases (cold, 1, 8, 32 clients)".into(),
        peaks.join("; "),
    ));

    // Growth: the region's history ×2 and ×4, the same one-year window.
    let mut growth = vec![cold_year.p50];
    for (factor, extra) in [(2, 2012..=2018), (4, 1991..=2011)] {
        let years: Vec<i32> = extra.collect();
        let t = load(
            &base,
            &tokens,
            national.reports(&catalogue, &[region], &years),
        )
        .await;
        failures += t.failures;
        let c = cold(&base, &tokens, &analyst, region, &year, 15).await;
        failures += c.failures;
        growth.push(c.p50);
        rows.push((
            format!("region-year rollup, cold, history ×{factor}"),
            format!("p50 {} = ×{:.2} of ×1", ms(c.p50), c.p50 / growth[0]),
        ));
    }
    let (end_rss, peak) = server.memory();
    let peak = peak.max(run_peak);
    rows.push((
        "server resident memory: start / after the load / end / peak".into(),
        format!("{start_rss:.0} MB / {after_load:.0} MB / {end_rss:.0} MB / {peak:.0} MB"),
    ));
    drop(server);
    if args.keep {
        let kept = dir.keep();
        eprintln!(
            "kept the loaded database: {url} (files in {})",
            kept.display()
        );
    } else {
        drop_database(args, &url);
    }
    Ok(Run {
        backend: backend.to_owned(),
        rows,
        failures,
    })
}

pub fn report(runs: &[Run], args: &Args) -> String {
    let sh = |cmd: &str, args: &[&str]| {
        Command::new(cmd)
            .args(args)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_default();
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("").to_owned())
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(String::new(), |kb| {
            format!("{:.1} GB", kb / 1024.0 / 1024.0)
        });
    let mut out = String::new();
    out.push_str("# Benchmark: national scale\n\n");
    out.push_str(&format!(
        "Run `{}` at commit `{}` ({}), {} on {} CPU cores ({cpu}), {memory} RAM; seed {}, {} s per warm measurement. \
         16 regions with Poland's gmina counts (2,477 gminas), 4 subregions each, 100 OWES, 2019–2025 loaded through the API; \
         the rollups are those of the largest region (14, mazowieckie: 314 gminas, 7 OWES).\n\n",
        "target/release/rops-bench",
        sh("git", &["rev-parse", "--short", "HEAD"]),
        if sh("git", &["status", "--porcelain"]).is_empty() { "clean" } else { "with uncommitted changes" },
        chrono::Utc::now().format("%Y-%m-%d"),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        args.seed,
        args.seconds,
    ));
    out.push_str(&format!(
        "| measure | {} |\n|---|{}\n",
        runs.iter()
            .map(|r| r.backend.as_str())
            .collect::<Vec<_>>()
            .join(" | "),
        "---|".repeat(runs.len())
    ));
    if let Some(first) = runs.first() {
        for (i, (name, _)) in first.rows.iter().enumerate() {
            let cells: Vec<&str> = runs
                .iter()
                .map(|r| r.rows.get(i).map_or("", |(_, v)| v.as_str()))
                .collect();
            out.push_str(&format!("| {name} | {} |\n", cells.join(" | ")));
        }
    }
    out.push_str(&format!(
        "\nFailed requests: {}.\n",
        runs.iter()
            .map(|r| format!("{} {}", r.backend, r.failures))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    out
}
