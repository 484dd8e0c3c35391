//! Configuration, read once from the environment and passed explicitly.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `ROPS_BIND` | `127.0.0.1:8080` | address and port to listen on (`:0` picks a free port) |
//! | `DATABASE_URL` | `$ROPS_DATA_DIR/rops-hub.db` | `postgres://…` for PostgreSQL, otherwise a SQLite file path |
//! | `ROPS_DATA_DIR` | `./data` | folder for the SQLite file and the generated JWT secret |
//! | `ROPS_JWT_SECRET` | generated into `$ROPS_DATA_DIR/jwt-secret` | HS256 signing secret, at least 32 characters |
//! | `ROPS_DB_POOL_SIZE` | `8` | database connections kept open |
//! | `ROPS_REPORT_DEADLINE_DAYS` | `15` | days after a quarter's end by which an OWES report is on time |
//! | `ROPS_PLAUSIBILITY_FACTOR` | `3` | a submitted value above this many times the median of the unit's last reported periods is a warning the person confirms |
//! | `ROPS_PLAUSIBILITY_HISTORY` | `4` | how many of the unit's last reported periods that median is taken over (and a zero after that many values above zero is a warning) |
//! | `ROPS_ROLLUP_CACHE_MB` | `64` | megabytes of computed rollups kept until a write changes them |
//! | `ROPS_BODY_TIMEOUT_SECS` | `30` | seconds a client may take to send a request body (then 408) |
//! | `ROPS_MAX_REQUESTS_PER_CLIENT` | `64` | requests one client address may have in progress (then 429) |
//! | `ROPS_LOG_FORMAT` | `text` | `text` or `json` (one JSON object per line) |
//! | `ROPS_CORS_ORIGINS` | none | comma-separated origins whose browser pages may call the API (CORS) |
//! | `ROPS_PUBLIC_URL` | the address listened on | the address people reach the service at (`https://rops.example.pl`), for the links it hands out |
//! | `ROPS_INSECURE_COOKIES` | `0` | `1` sends the session cookie without `Secure`, for local use over plain http |
//! | `ROPS_SESSION_IDLE` | `30m` | a session unused this long ends (s, m, h or d) |
//! | `ROPS_SESSION_MAX` | `12h` | a session ends this long after sign-in, whatever its use |
//! | `ROPS_OIDC_ISSUER` | none | single sign-on: the OpenID provider's issuer URL (`http://` only on loopback) |
//! | `ROPS_OIDC_CLIENT_ID` | none | single sign-on: this service's client id at the provider |
//! | `ROPS_OIDC_CLIENT_SECRET` | none | single sign-on: its client secret |
//! | `ROPS_OIDC_REDIRECT_URL` | none | single sign-on: the callback URL registered at the provider, ending in `/auth/oidc/callback` |
//! | `ROPS_OIDC_USER_CLAIM` | `email` | single sign-on: the claim matched to a rops-hub login |
//! | `RUST_LOG` | `info` | log filter, e.g. `rops_api=debug,info` |
//!
//! The README's configuration table repeats this one; a test keeps them equal.

use crate::auth::session::SessionSettings;
use crate::oidc::OidcConfig;
use rops_store::DatabaseUrl;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: String,
    pub database_url: DatabaseUrl,
    pub data_dir: PathBuf,
    pub jwt_secret: Option<String>,
    pub pool_size: u32,
    pub deadline_days: i64,
    pub plausibility: rops_domain::plausibility::Thresholds,
    pub body_timeout_secs: u64,
    pub max_requests_per_client: usize,
    /// Bytes of computed rollups kept.
    pub rollup_cache_bytes: u64,
    pub log_format: LogFormat,
    /// Origins allowed to call the API from a browser (CORS); empty: none.
    pub cors_origins: Vec<String>,
    /// The address people reach the service at, for links; `None`: the one listened on.
    pub public_url: Option<String>,
    pub sessions: SessionSettings,
    /// Single sign-on, when all four of its variables are set.
    pub oidc: Option<OidcConfig>,
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

/// The variables the service reads, for the README check.
pub const VARIABLES: [&str; 23] = [
    "ROPS_BIND",
    "DATABASE_URL",
    "ROPS_DATA_DIR",
    "ROPS_JWT_SECRET",
    "ROPS_DB_POOL_SIZE",
    "ROPS_REPORT_DEADLINE_DAYS",
    "ROPS_PLAUSIBILITY_FACTOR",
    "ROPS_PLAUSIBILITY_HISTORY",
    "ROPS_ROLLUP_CACHE_MB",
    "ROPS_BODY_TIMEOUT_SECS",
    "ROPS_MAX_REQUESTS_PER_CLIENT",
    "ROPS_LOG_FORMAT",
    "ROPS_CORS_ORIGINS",
    "ROPS_PUBLIC_URL",
    "ROPS_INSECURE_COOKIES",
    "ROPS_SESSION_IDLE",
    "ROPS_SESSION_MAX",
    "ROPS_OIDC_ISSUER",
    "ROPS_OIDC_CLIENT_ID",
    "ROPS_OIDC_CLIENT_SECRET",
    "ROPS_OIDC_REDIRECT_URL",
    "ROPS_OIDC_USER_CLAIM",
    "RUST_LOG",
];

impl Config {
    /// Reads the configuration through `var`, which is `std::env::var` outside tests.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let data_dir = PathBuf::from(get("ROPS_DATA_DIR").unwrap_or_else(|| "./data".to_owned()));
        let database_url = match get("DATABASE_URL") {
            Some(url) => DatabaseUrl::parse(&url),
            None => DatabaseUrl::Sqlite(data_dir.join("rops-hub.db")),
        };
        let jwt_secret = get("ROPS_JWT_SECRET");
        if jwt_secret.as_ref().is_some_and(|s| s.len() < 32) {
            return Err(ConfigError(
                "ROPS_JWT_SECRET must be at least 32 characters long".into(),
            ));
        }
        let pool_size = match get("ROPS_DB_POOL_SIZE") {
            None => 8,
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| (1..=256).contains(n))
                .ok_or_else(|| {
                    ConfigError(format!(
                        "ROPS_DB_POOL_SIZE is `{v}`; expected a number from 1 to 256"
                    ))
                })?,
        };
        let deadline_days = match get("ROPS_REPORT_DEADLINE_DAYS") {
            None => 15,
            Some(v) => v.parse().ok().filter(|n| (0..=366).contains(n)).ok_or_else(|| {
                ConfigError(format!("ROPS_REPORT_DEADLINE_DAYS is `{v}`; expected a number of days from 0 to 366"))
            })?,
        };
        let factor = match get("ROPS_PLAUSIBILITY_FACTOR") {
            None => 3.0,
            Some(v) => v
                .parse::<f64>()
                .ok()
                .filter(|f| (1.0..=1000.0).contains(f))
                .ok_or_else(|| {
                    ConfigError(format!(
                        "ROPS_PLAUSIBILITY_FACTOR is `{v}`; expected a number from 1 to 1000, e.g. 3 or 2.5"
                    ))
                })?,
        };
        let history = match get("ROPS_PLAUSIBILITY_HISTORY") {
            None => 4,
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=20).contains(n))
                .ok_or_else(|| {
                    ConfigError(format!(
                    "ROPS_PLAUSIBILITY_HISTORY is `{v}`; expected a number of periods from 1 to 20"
                ))
                })?,
        };
        let plausibility = rops_domain::plausibility::Thresholds { factor, history };
        let number = |name: &str, default: u64, max: u64| -> Result<u64, ConfigError> {
            match get(name) {
                None => Ok(default),
                Some(v) => v
                    .parse()
                    .ok()
                    .filter(|n| (1..=max).contains(n))
                    .ok_or_else(|| {
                        ConfigError(format!(
                            "{name} is `{v}`; expected a number from 1 to {max}"
                        ))
                    }),
            }
        };
        let body_timeout_secs = number("ROPS_BODY_TIMEOUT_SECS", 30, 3600)?;
        let max_requests_per_client = number("ROPS_MAX_REQUESTS_PER_CLIENT", 64, 100_000)? as usize;
        let rollup_cache_bytes = number(
            "ROPS_ROLLUP_CACHE_MB",
            crate::state::DEFAULT_ROLLUP_CACHE_BYTES >> 20,
            65_536,
        )? << 20;
        let log_format = match get("ROPS_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError(format!(
                    "ROPS_LOG_FORMAT is `{other}`; expected text or json"
                )))
            }
        };
        let cors_origins = get("ROPS_CORS_ORIGINS")
            .unwrap_or_default()
            .split(',')
            .filter(|o| !o.trim().is_empty())
            .map(|o| {
                crate::cors::parse_origin(o)
                    .map_err(|e| ConfigError(format!("ROPS_CORS_ORIGINS: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let public_url = match get("ROPS_PUBLIC_URL") {
            None => None,
            Some(u) if u.starts_with("https://") || u.starts_with("http://") => {
                Some(u.trim_end_matches('/').to_owned())
            }
            Some(u) => {
                return Err(ConfigError(format!(
                    "ROPS_PUBLIC_URL is `{u}`; expected an http:// or https:// address"
                )))
            }
        };
        let duration = |name: &str, default: &str| -> Result<chrono::Duration, ConfigError> {
            let text = get(name).unwrap_or_else(|| default.to_owned());
            crate::auth::parse_ttl(&text)
                .map_err(|e| ConfigError(format!("{name}: {e}")))
                .and_then(|d| {
                    chrono::Duration::from_std(d)
                        .map_err(|_| ConfigError(format!("{name} is too long")))
                })
        };
        let insecure = match get("ROPS_INSECURE_COOKIES").as_deref() {
            None | Some("0") | Some("false") => false,
            Some("1") | Some("true") => true,
            Some(other) => {
                return Err(ConfigError(format!(
                    "ROPS_INSECURE_COOKIES is `{other}`; expected 1 or 0"
                )))
            }
        };
        let sessions = SessionSettings {
            idle: duration("ROPS_SESSION_IDLE", "30m")?,
            absolute: duration("ROPS_SESSION_MAX", "12h")?,
            secure: !insecure,
        };
        let oidc = OidcConfig::from_values(
            get("ROPS_OIDC_ISSUER"),
            get("ROPS_OIDC_CLIENT_ID"),
            get("ROPS_OIDC_CLIENT_SECRET"),
            get("ROPS_OIDC_REDIRECT_URL"),
            get("ROPS_OIDC_USER_CLAIM"),
        )
        .map_err(ConfigError)?;
        Ok(Self {
            public_url,
            sessions,
            oidc,
            bind: get("ROPS_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned()),
            database_url,
            data_dir,
            jwt_secret,
            pool_size,
            deadline_days,
            plausibility,
            body_timeout_secs,
            max_requests_per_client,
            rollup_cache_bytes,
            log_format,
            cors_origins,
        })
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_vars(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults() {
        let c = with(&[]).unwrap();
        assert_eq!(c.bind, "127.0.0.1:8080");
        assert_eq!(
            c.database_url,
            DatabaseUrl::Sqlite(PathBuf::from("./data/rops-hub.db"))
        );
        assert_eq!(c.log_format, LogFormat::Text);
    }

    #[test]
    fn postgres_from_the_url_and_clear_refusals() {
        let c = with(&[
            ("DATABASE_URL", "postgres://u@h/db"),
            ("ROPS_LOG_FORMAT", "json"),
        ])
        .unwrap();
        assert_eq!(c.database_url.backend(), "postgres");
        assert_eq!(c.log_format, LogFormat::Json);
        assert!(with(&[("ROPS_LOG_FORMAT", "xml")])
            .unwrap_err()
            .0
            .contains("text or json"));
        assert!(with(&[("ROPS_JWT_SECRET", "short")])
            .unwrap_err()
            .0
            .contains("32"));
        assert!(with(&[("ROPS_DB_POOL_SIZE", "0")]).is_err());
    }

    #[test]
    fn sessions_last_30_minutes_idle_and_12_hours_at_most_with_secure_cookies() {
        let c = with(&[]).unwrap();
        assert_eq!(c.sessions, SessionSettings::default());
        assert_eq!(c.sessions.idle, chrono::Duration::minutes(30));
        assert_eq!(c.sessions.absolute, chrono::Duration::hours(12));
        assert!(c.sessions.secure && c.public_url.is_none() && c.oidc.is_none());
        let c = with(&[
            ("ROPS_SESSION_IDLE", "10m"),
            ("ROPS_SESSION_MAX", "1d"),
            ("ROPS_INSECURE_COOKIES", "1"),
            ("ROPS_PUBLIC_URL", "https://rops.example.pl/"),
        ])
        .unwrap();
        assert_eq!(c.sessions.idle, chrono::Duration::minutes(10));
        assert_eq!(c.sessions.absolute, chrono::Duration::days(1));
        assert!(!c.sessions.secure);
        assert_eq!(c.public_url.as_deref(), Some("https://rops.example.pl"));
        assert!(with(&[("ROPS_SESSION_IDLE", "soon")])
            .unwrap_err()
            .0
            .contains("ROPS_SESSION_IDLE"));
        assert!(with(&[("ROPS_INSECURE_COOKIES", "yes")]).is_err());
        assert!(with(&[("ROPS_PUBLIC_URL", "rops.example.pl")]).is_err());
    }

    #[test]
    fn cors_is_closed_unless_origins_are_listed() {
        assert!(with(&[]).unwrap().cors_origins.is_empty());
        let c = with(&[(
            "ROPS_CORS_ORIGINS",
            "https://dashboard.example.org, http://localhost:3000,",
        )])
        .unwrap();
        assert_eq!(
            c.cors_origins,
            ["https://dashboard.example.org", "http://localhost:3000"]
        );
        let err = with(&[("ROPS_CORS_ORIGINS", "*")]).unwrap_err().0;
        assert!(err.contains("ROPS_CORS_ORIGINS"), "{err}");
    }

    #[test]
    fn readme_lists_every_variable() {
        let readme = include_str!("../../../README.md");
        for v in VARIABLES {
            assert!(
                readme.contains(&format!("| `{v}` |")),
                "README's configuration table lacks {v}"
            );
        }
        // …and lists nothing the service does not read.
        let section = readme
            .split("## Configuration")
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .unwrap_or_default();
        for row in section.lines().filter(|l| l.starts_with("| `")) {
            let name = row
                .trim_start_matches("| `")
                .split('`')
                .next()
                .unwrap_or_default();
            assert!(
                VARIABLES.contains(&name),
                "README lists {name}, which the service does not read"
            );
        }
    }

    /// The README's sentence on dependencies, rebuilt from every crate's `Cargo.toml`.
    #[test]
    fn readme_states_the_dependency_graph_as_it_is() {
        let manifests = [
            ("aggregation", include_str!("../../aggregation/Cargo.toml")),
            ("store", include_str!("../../store/Cargo.toml")),
            ("api", include_str!("../Cargo.toml")),
            ("cli", include_str!("../../cli/Cargo.toml")),
            ("bench", include_str!("../../bench/Cargo.toml")),
        ];
        let order = ["api", "store", "aggregation", "domain"];
        let edges: Vec<String> = manifests
            .iter()
            .map(|(name, manifest)| {
                let deps = manifest
                    .split("[dependencies]")
                    .nth(1)
                    .and_then(|s| s.split("\n[").next())
                    .unwrap_or_default();
                let inner: Vec<&str> = order
                    .iter()
                    .copied()
                    .filter(|o| deps.lines().any(|l| l.starts_with(&format!("rops-{o}"))))
                    .collect();
                if inner.is_empty() {
                    format!("`{name}` → none")
                } else {
                    format!("`{name} → {}`", inner.join(", "))
                }
            })
            .collect();
        let sentence = format!("Dependencies point one way: {}.", edges.join("; "));
        let readme = include_str!("../../../README.md").replace('\n', " ");
        assert!(readme.contains(&sentence), "README should say: {sentence}");
    }
}
