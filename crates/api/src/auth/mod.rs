//! Bearer JWT authentication (HS256) and the rights of each role.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use rops_domain::policy::{Action, Principal, Resource};
use rops_domain::role::Role;
use serde::{Deserialize, Serialize};
use std::future::{ready, Ready};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The claims rops-hub signs and reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    pub exp: u64,
    #[serde(default)]
    pub iat: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
}

/// Signing and checking keys made from one secret.
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl Keys {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    /// Signs a token for `role` (bound to `org` for owes and gmina) valid for `ttl`.
    pub fn mint(
        &self,
        sub: &str,
        role: Role,
        org: Option<&str>,
        ttl: Duration,
    ) -> Result<String, String> {
        Principal::new(role, org).map_err(|e| e.to_string())?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_secs();
        let claims = Claims {
            sub: sub.to_owned(),
            role: role.as_str().to_owned(),
            org: org.map(str::to_owned),
            exp: now + ttl.as_secs(),
            iat: now,
            nbf: None,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| e.to_string())
    }

    /// Checks the header, signature, algorithm, expiry and not-before, then the claims
    /// themselves.
    pub fn verify(&self, token: &str) -> Result<Caller, String> {
        check_header(token)?;
        let data =
            decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
                match e.kind() {
                    jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                        "the token has expired".to_owned()
                    }
                    jsonwebtoken::errors::ErrorKind::InvalidSignature => {
                        "the token's signature is not valid".to_owned()
                    }
                    jsonwebtoken::errors::ErrorKind::InvalidAlgorithm => {
                        "the token must be signed with HS256".to_owned()
                    }
                    jsonwebtoken::errors::ErrorKind::ImmatureSignature => {
                        "the token is not valid yet (nbf)".to_owned()
                    }
                    _ => format!("the token is not valid: {e}"),
                }
            })?;
        let c = data.claims;
        if c.iat > now_secs().saturating_add(LEEWAY_SECS) {
            return Err("the token was issued in the future (iat)".into());
        }
        let role = Role::parse(&c.role).map_err(|e| e.to_string())?;
        let principal = Principal::new(role, c.org.as_deref()).map_err(|e| e.to_string())?;
        Ok(Caller {
            sub: c.sub,
            role,
            org: c.org,
            principal,
        })
    }
}

/// Clock skew allowed on `exp`, `nbf` and `iat`, in seconds.
const LEEWAY_SECS: u64 = 5;

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Header parameters that would make a verifier fetch or trust a key named by the token, or
/// demand extensions (`crit`) this server does not implement: a token carrying any of them is
/// refused (RFC 7515 §4.1.11).
const REFUSED_HEADERS: [&str; 5] = ["crit", "jku", "jwk", "x5u", "x5c"];

fn check_header(token: &str) -> Result<(), String> {
    use base64::Engine;
    let head = token.split('.').next().unwrap_or_default();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(head.trim_end_matches('='))
        .map_err(|_| "the token's header is not base64url".to_owned())?;
    let header: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&bytes)
        .map_err(|_| "the token's header is not a JSON object".to_owned())?;
    match REFUSED_HEADERS.iter().find(|h| header.contains_key(**h)) {
        Some(h) => Err(format!(
            "the token's header has `{h}`, which this server does not accept"
        )),
        None => Ok(()),
    }
}

/// The secret: `ROPS_JWT_SECRET` when set, else the one kept in `<data dir>/jwt-secret`,
/// generated there (mode 0600) on first use.
pub fn load_secret(configured: Option<&str>, data_dir: &Path) -> Result<Vec<u8>, String> {
    if let Some(s) = configured {
        return Ok(s.as_bytes().to_vec());
    }
    let path = secret_path(data_dir);
    match std::fs::read_to_string(&path) {
        Ok(s) if s.trim().len() >= 32 => return Ok(s.trim().as_bytes().to_vec()),
        Ok(_) => {
            return Err(format!(
                "{} holds less than 32 characters; remove it to generate a new one",
                path.display()
            ))
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(format!("cannot read {}: {e}", path.display()))
        }
        Err(_) => {}
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(&path) {
        Ok(mut f) => {
            f.write_all(secret.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok(secret.into_bytes())
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_secret(None, data_dir),
        Err(e) => Err(format!("cannot create {}: {e}", path.display())),
    }
}

pub fn secret_path(data_dir: &Path) -> PathBuf {
    data_dir.join("jwt-secret")
}

/// An authenticated caller: extracting it from a request answers 401 without a valid token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub sub: String,
    pub role: Role,
    pub org: Option<String>,
    /// Who the token speaks for, as the domain's policy knows it.
    pub principal: Principal,
}

impl Caller {
    /// Asks the domain's one policy (`rops_domain::policy`) whether this caller may perform
    /// `action` on `resource`; 403 with the policy's reason when not.
    pub fn may(&self, action: Action, resource: Resource<'_>) -> Result<(), ApiError> {
        self.principal
            .may(action, resource)
            .map_err(|denied| ApiError::Forbidden(denied.to_string()))
    }
}

/// A caller who may change reference data (the policy's `WriteReference`). As an extractor
/// placed before the body, it answers 403 before the body is even read.
#[derive(Debug, Clone)]
pub struct Admin(pub Caller);

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller(req).and_then(|c| {
            c.may(Action::WriteReference, Resource::Reference)?;
            Ok(Admin(c))
        }))
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(caller(req))
    }
}

fn caller(req: &HttpRequest) -> Result<Caller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("application state missing"))?;
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "send `Authorization: Bearer <token>`; `rops-hub token` mints one".into(),
            )
        })?;
    let token = header
        .to_str()
        .ok()
        // The scheme is case-insensitive (RFC 9110 §11.1).
        .and_then(|h| {
            h.get(..7)
                .filter(|scheme| scheme.eq_ignore_ascii_case("bearer "))
                .map(|_| &h[7..])
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthorized("the Authorization header must be `Bearer <token>`".into())
        })?;
    state.keys.verify(token).map_err(ApiError::Unauthorized)
}

/// Parses `8h`, `30m`, `7d`, `90s` or a number of seconds.
pub fn parse_ttl(text: &str) -> Result<Duration, String> {
    let err = || format!("ttl `{text}` is not valid; write a number with s, m, h or d, e.g. 8h");
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = digits.parse().map_err(|_| err())?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86400,
        _ => return Err(err()),
    };
    if secs == 0 {
        return Err(err());
    }
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl() {
        assert_eq!(parse_ttl("8h").unwrap(), Duration::from_secs(8 * 3600));
        assert_eq!(parse_ttl("90").unwrap(), Duration::from_secs(90));
        assert!(parse_ttl("8x").is_err() && parse_ttl("h").is_err() && parse_ttl("0m").is_err());
    }

    #[test]
    fn bound_roles_need_a_valid_org() {
        let keys = Keys::new(&[7; 32]);
        let day = Duration::from_secs(86400);
        assert!(keys.mint("x", Role::Owes, None, day).is_err());
        assert!(keys.mint("x", Role::Gmina, Some("OWES-PN"), day).is_err());
        let t = keys.mint("x", Role::Gmina, Some("1604023"), day).unwrap();
        assert_eq!(keys.verify(&t).unwrap().org.as_deref(), Some("1604023"));
        assert!(
            Keys::new(&[8; 32]).verify(&t).is_err(),
            "another secret does not verify it"
        );
    }

    #[test]
    fn the_secret_is_generated_once_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_secret(None, dir.path()).unwrap();
        assert_eq!(load_secret(None, dir.path()).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(secret_path(dir.path()))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            load_secret(Some("configured"), dir.path()).unwrap(),
            b"configured"
        );
    }

    fn signed(header: serde_json::Value, claims: serde_json::Value) -> String {
        use base64::Engine;
        let enc = |v: &serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        let input = format!("{}.{}", enc(&header), enc(&claims));
        let key = EncodingKey::from_secret(&[7; 32]);
        let signature =
            jsonwebtoken::crypto::sign(input.as_bytes(), &key, Algorithm::HS256).unwrap();
        format!("{input}.{signature}")
    }

    #[test]
    fn not_before_issued_at_and_header_parameters_are_checked() {
        let keys = Keys::new(&[7; 32]);
        let now = now_secs();
        let claims = |extra: serde_json::Value| {
            let mut c =
                serde_json::json!({"sub": "x", "role": "analyst", "exp": now + 3600, "iat": now});
            for (k, v) in extra.as_object().unwrap() {
                c[k] = v.clone();
            }
            c
        };
        let hs = serde_json::json!({"alg": "HS256", "typ": "JWT"});
        assert!(keys
            .verify(&signed(hs.clone(), claims(serde_json::json!({}))))
            .is_ok());
        assert!(keys
            .verify(&signed(
                hs.clone(),
                claims(serde_json::json!({"nbf": now - 10}))
            ))
            .is_ok());
        let early = keys.verify(&signed(
            hs.clone(),
            claims(serde_json::json!({"nbf": now + 3600})),
        ));
        assert!(early.unwrap_err().contains("nbf"));
        let future = keys.verify(&signed(
            hs.clone(),
            claims(serde_json::json!({"iat": now + 3600})),
        ));
        assert!(future.unwrap_err().contains("iat"));
        for extra in ["crit", "jku", "x5u", "jwk", "x5c"] {
            let mut h = hs.clone();
            h[extra] = serde_json::json!(["exp"]);
            assert!(
                keys.verify(&signed(h, claims(serde_json::json!({}))))
                    .is_err(),
                "{extra}"
            );
        }
    }
}
