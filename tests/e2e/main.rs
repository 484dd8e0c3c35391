//! Black-box tests: start the real `rops-hub` binary on a free port and talk HTTP to it, on
//! SQLite and on PostgreSQL.

use base64::Engine;
use rops_store::backend_tests;
use rops_store::testing::TestDb;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command as AsyncCommand};

mod accounts;
mod demo;
mod gminas;
mod reports;
mod rollups;

const BIN: &str = env!("CARGO_BIN_EXE_rops-hub");

/// The environment one service instance runs with.
struct Env {
    vars: Vec<(&'static str, String)>,
    data_dir: PathBuf,
}

impl Env {
    fn new(db: &TestDb, data_dir: &Path) -> Self {
        Self {
            vars: vec![
                ("DATABASE_URL", db.url_string()),
                ("ROPS_DATA_DIR", data_dir.display().to_string()),
                ("ROPS_BIND", "127.0.0.1:0".into()),
                ("ROPS_LOG_FORMAT", "json".into()),
            ],
            data_dir: data_dir.to_owned(),
        }
    }

    /// Runs a `rops-hub` command to completion and returns its stdout.
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new(BIN)
            .args(args)
            .envs(self.vars.iter().map(|(k, v)| (*k, v.as_str())))
            .env_remove("ROPS_JWT_SECRET")
            .output()
            .expect("rops-hub runs");
        assert!(
            out.status.success(),
            "rops-hub {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    fn token(&self, role: &str, org: Option<&str>) -> String {
        let mut args = vec!["token", "--role", role, "--ttl", "10m"];
        if let Some(org) = org {
            args.extend(["--org", org]);
        }
        self.run(&args).trim().to_owned()
    }
}

struct Server {
    child: Child,
    base: String,
    http: reqwest::Client,
    /// What the service printed on stdout before it listened (the first admin's link).
    printed: Vec<String>,
}

impl Server {
    /// Starts the service and waits for the address it prints.
    async fn start(env: &Env) -> Self {
        Self::start_with(env, &["serve"]).await
    }

    /// Starts the service with these arguments (`serve …`) and waits for the address it
    /// prints.
    async fn start_with(env: &Env, args: &[&str]) -> Self {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(env.data_dir.join("server.log"))
            .unwrap();
        let mut child = AsyncCommand::new(BIN)
            .args(args)
            .envs(env.vars.iter().map(|(k, v)| (*k, v.as_str())))
            .env_remove("ROPS_JWT_SECRET")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .expect("rops-hub starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut printed = Vec::new();
        let base = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(addr) = line.strip_prefix("rops-hub listening on ") {
                    return addr.to_owned();
                }
                printed.push(line);
            }
            let log = std::fs::read_to_string(env.data_dir.join("server.log")).unwrap_or_default();
            panic!("rops-hub exited before listening:\n{log}");
        })
        .await
        .expect("rops-hub listens within a minute");
        Self {
            child,
            base,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            printed,
        }
    }

    async fn get(&self, path: &str, token: Option<&str>) -> (u16, String, Value) {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        read(req.send().await.expect("the server answers")).await
    }

    async fn put(&self, path: &str, token: &str, body: &Value) -> (u16, String, Value) {
        let req = self
            .http
            .put(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(body);
        read(req.send().await.expect("the server answers")).await
    }

    /// Sends any request and returns status, ETag and JSON body.
    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Option<String>, Value) {
        let res = req.send().await.expect("the server answers");
        let etag = res
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let (status, ct, body) = read(res).await;
        if status >= 400 {
            assert_eq!(ct, "application/problem+json", "{body}");
        }
        (status, etag, body)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn req(&self, method: reqwest::Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.http.request(method, self.url(path)).bearer_auth(token)
    }

    async fn stop(mut self) {
        self.child.kill().await.expect("rops-hub stops");
    }
}

async fn read(res: reqwest::Response) -> (u16, String, Value) {
    let status = res.status().as_u16();
    assert!(res.headers().contains_key("x-request-id"));
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = res.json().await.unwrap_or(Value::Null);
    (status, ct, body)
}

fn with_etag(req: reqwest::RequestBuilder, etag: &str) -> reqwest::RequestBuilder {
    req.header("If-Match", etag)
}

fn gmina_total(region: &Value) -> u64 {
    region["subregions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["gmina_count"].as_u64().unwrap())
        .sum()
}

backend_tests! {
    async fn serves_the_region_and_keeps_writes_across_restarts(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::new(&db, dir.path());
        let server = Server::start(&env).await;
        let analyst = env.token("analyst", None);

        let (status, _, region) = server.get("/api/v1/regions/16", Some(&analyst)).await;
        assert_eq!(status, 200, "{region}");
        assert_eq!(region["subregions"].as_array().unwrap().len(), 3);
        assert_eq!(gmina_total(&region), 71);
        let (status, _, g) = server.get("/api/v1/gminas/1604023", Some(&analyst)).await;
        assert_eq!(status, 200);
        assert_eq!(g["name"], "Kluczbork");
        assert_eq!(g["kind"], "urban-rural");
        assert_eq!(g["powiat"], "1604");

        let admin = env.token("admin", None);
        let owes = json!({"name": "OWES E2E", "subregion": "OPL-OP", "active_from": "2024-Q1", "active_to": null});
        let (status, _, _) = server.put("/api/v1/owes/OWES-E2E", &admin, &owes).await;
        assert_eq!(status, 201);
        let sub = json!({"region": "16", "name": "Subregion północny (bez oleskiego)", "powiats": ["1601", "1604", "1606"]});
        let (status, _, _) = server.put("/api/v1/subregions/OPL-PN", &admin, &sub).await;
        assert_eq!(status, 200);
        server.stop().await;

        let server = Server::start(&env).await;
        let (status, _, o) = server.get("/api/v1/owes/OWES-E2E", Some(&analyst)).await;
        assert_eq!(status, 200, "the token minted before the restart still verifies: {o}");
        assert_eq!(o["subregion"], "OPL-OP");
        let (_, _, region) = server.get("/api/v1/regions/16", Some(&analyst)).await;
        assert_eq!(gmina_total(&region), 64, "oleski (7 gminas) left OPL-PN and stayed out");
        assert_eq!(region["unassigned_powiats"][0]["code"], "1608");
        let (_, _, all) = server.get("/api/v1/owes", Some(&analyst)).await;
        assert_eq!(all.as_array().unwrap().len(), 4, "the sample was not loaded a second time");
        server.stop().await;
    }

    async fn the_real_server_refuses_bad_tokens(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::new(&db, dir.path());
        let server = Server::start(&env).await;
        let (status, _, health) = server.get("/healthz", None).await;
        assert_eq!((status, health["status"].as_str()), (200, Some("ok")));
        let (status, _, _) = server.get("/readyz", None).await;
        assert_eq!(status, 200);

        let valid = env.token("analyst", None);
        let (header, rest) = valid.split_once('.').unwrap();
        let (payload, signature) = rest.split_once('.').unwrap();
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut claims: Value = serde_json::from_slice(&b64.decode(payload).unwrap()).unwrap();
        claims["role"] = json!("admin");
        let tampered = format!("{header}.{}.{signature}", b64.encode(claims.to_string()));
        let unsigned = format!("{}.{}.", b64.encode(r#"{"alg":"none","typ":"JWT"}"#), b64.encode(claims.to_string()));
        claims["exp"] = json!(1_600_000_000u64);
        let secret = std::fs::read_to_string(dir.path().join("jwt-secret")).unwrap();
        let expired = jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(secret.trim().as_bytes()),
        )
        .unwrap();
        for (name, token) in [("none", None), ("tampered", Some(&tampered)), ("alg none", Some(&unsigned)), ("expired", Some(&expired))] {
            let (status, ct, body) = server.get("/api/v1/regions/16", token.map(String::as_str)).await;
            assert_eq!(status, 401, "{name}: {body}");
            assert_eq!(ct, "application/problem+json", "{name}");
            assert_eq!(body["status"], 401);
        }
        let (status, ct, _) = server.put("/api/v1/owes/OWES-X", &valid, &json!({})).await;
        assert_eq!((status, ct.as_str()), (403, "application/problem+json"), "an analyst may not write reference data");
        server.stop().await;

        // One JSON log line per request, with the id the response carried.
        let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
        let lines: Vec<Value> = log.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
        let health = lines
            .iter()
            .find(|l| l["message"] == "request" && l["path"] == "/healthz")
            .unwrap_or_else(|| panic!("no request line for /healthz in:\n{log}"));
        assert_eq!((health["method"].as_str(), health["status"].as_u64()), (Some("GET"), Some(200)));
        assert!(health["latency_ms"].is_number() && health["request_id"].as_str().is_some_and(|id| id.len() == 16), "{health}");
    }

    async fn import_reference_twice_changes_nothing(db) {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::new(&db, dir.path());
        // `migrate` on the test database (already migrated) applies nothing and succeeds; on a
        // new SQLite file it creates the schema.
        assert!(env.run(&["migrate"]).is_empty());
        let fresh = Env { vars: vec![("DATABASE_URL", dir.path().join("fresh.db").display().to_string())], data_dir: dir.path().to_owned() };
        fresh.run(&["migrate"]);
        assert!(fresh.run(&["import-reference", concat!(env!("CARGO_MANIFEST_DIR"), "/../store/reference/opolskie.json")]).contains("imported region 16"));
        let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../store/reference/opolskie.json");
        let first = env.run(&["import-reference", file]);
        assert!(first.contains("imported region 16"), "{first}");
        assert!(!first.contains(" 0 created"), "{first}");
        let second = env.run(&["import-reference", file]);
        assert!(second.contains("0 created, 0 updated"), "{second}");
        assert!(second.contains("0 removed"), "{second}");
    }
}
