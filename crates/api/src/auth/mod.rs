//! Who is calling: browser sessions, personal API keys, the single sign-on provider's access
//! tokens and server-signed JWTs (HS256, for development and tests), and the rights of each.

pub mod password;
pub mod secret;
pub mod session;

use crate::error::ApiError;
use crate::oidc::Oidc;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use rops_domain::policy::{Action, Principal, Resource};
use rops_domain::role::Role;
use rops_store::accounts::{self, Session, User};
use serde::{Deserialize, Serialize};
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
            user: None,
            via: Via::Token,
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

/// How a caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A JWT signed with the server's secret (`rops-hub token`: development, tests).
    Token,
    /// A personal API key, by its id.
    Key(String),
    /// A browser session; its CSRF token and the digest of its id.
    Session { csrf: String, id_hash: String },
    /// An access token of the single sign-on provider.
    Oidc,
}

impl Via {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::Key(_) => "key",
            Self::Session { .. } => "session",
            Self::Oidc => "oidc",
        }
    }
}

/// An authenticated caller: extracting it from a request answers 401 without valid
/// credentials (a session cookie, an API key, a provider's access token or a server-signed
/// JWT), and 403 for a cookie-authenticated state-changing request without its CSRF token.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who acts, as recorded in `updated_by`/`by`: the user's login, or a JWT's `sub`.
    pub sub: String,
    pub role: Role,
    pub org: Option<String>,
    /// Who the caller speaks for, as the domain's policy knows it (region included).
    pub principal: Principal,
    /// The account behind the caller; `None` for server-signed JWTs.
    pub user: Option<User>,
    pub via: Via,
}

impl Caller {
    pub(crate) fn of_user(user: User, via: Via) -> Result<Self, ApiError> {
        let principal = user.principal().map_err(ApiError::from)?;
        Ok(Self {
            sub: user.login.clone(),
            role: user.role,
            org: user.org.clone(),
            principal,
            user: Some(user),
            via,
        })
    }

    /// The caller a page's session stands for.
    pub(crate) fn of_session(
        user: User,
        session: &rops_store::accounts::Session,
    ) -> Result<Self, ApiError> {
        Self::of_user(
            user,
            Via::Session {
                csrf: session.csrf_token.clone(),
                id_hash: session.id_hash.clone(),
            },
        )
    }

    /// Asks the domain's one policy (`rops_domain::policy`) whether this caller may perform
    /// `action` on `resource`; 403 with the policy's reason when not.
    pub fn may(&self, action: Action, resource: Resource<'_>) -> Result<(), ApiError> {
        self.principal
            .may(action, resource)
            .map_err(|denied| ApiError::Forbidden(denied.to_string()))
    }

    /// [`Caller::may`], then for a region-bound analyst or admin whether the resource lies in
    /// their region (looked up in the database; units that do not exist are left to the
    /// handler's 404).
    pub async fn may_at(
        &self,
        state: &AppState,
        action: Action,
        resource: Resource<'_>,
    ) -> Result<(), ApiError> {
        self.may(action, resource)?;
        self.within_region_of(state, action, resource).await
    }

    /// For a region-bound analyst or admin: 403 unless `resource` (a unit or subregion) lies in
    /// their region. Units that do not exist are left to the handler's 404.
    pub async fn within_region_of(
        &self,
        state: &AppState,
        action: Action,
        resource: Resource<'_>,
    ) -> Result<(), ApiError> {
        if self.principal.region().is_none() || !action.is_regional() {
            return Ok(());
        }
        let region = match resource {
            Resource::Unit(stream, unit) => {
                let unit = unit.to_owned();
                state
                    .db(move |conn| rops_store::reports::region_of_unit(conn, stream, &unit))
                    .await?
                    .map(|r| r.as_str().to_owned())
            }
            Resource::Subregion(code) => {
                let code = code.to_owned();
                match state
                    .db(move |conn| rops_store::rollups::region_of_subregion(conn, &code))
                    .await
                {
                    Ok(region) => Some(region),
                    // An unknown subregion is the handler's 404.
                    Err(ApiError::NotFound(_)) => None,
                    Err(e) => return Err(e),
                }
            }
            Resource::Region(code) => Some(code.to_owned()),
            // The rest is not of one region.
            _ => None,
        };
        match region {
            Some(region) => self.in_region(action, &region),
            None => Ok(()),
        }
    }

    /// Whether this caller may perform `action` on something of `region`.
    pub fn in_region(&self, action: Action, region: &str) -> Result<(), ApiError> {
        self.principal
            .may_in(action, region)
            .map_err(|denied| ApiError::Forbidden(denied.to_string()))
    }

    /// The region a region-bound analyst or admin works in.
    pub fn region(&self) -> Option<&str> {
        self.principal.region().map(|r| r.as_str())
    }
}

/// A caller who may change reference data (the policy's `WriteReference`). As an extractor
/// placed before the body, it answers 403 before the body is even read.
#[derive(Debug, Clone)]
pub struct Admin(pub Caller);

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let c = authenticate(&req).await?;
            c.may(Action::WriteReference, Resource::Reference)?;
            Ok(Admin(c))
        })
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await })
    }
}

/// Paths a user whose password must be changed may still use.
const WHILE_PASSWORD_MUST_CHANGE: [&str; 3] = ["/api/v1/me", "/api/v1/me/password", "/auth/logout"];

async fn authenticate(req: &HttpRequest) -> Result<Caller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal("application state missing"))?
        .clone();
    let caller = match req.headers().get(actix_web::http::header::AUTHORIZATION) {
        Some(header) => {
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
                    ApiError::Unauthorized(
                        "the Authorization header must be `Bearer <key or token>`".into(),
                    )
                })?;
            by_bearer(&state, token).await?
        }
        None => match req.cookie(session::COOKIE) {
            Some(cookie) => by_session(&state, req, cookie.value()).await?,
            None => {
                return Err(ApiError::Unauthorized(
                    "sign in (POST /auth/login) or send `Authorization: Bearer <API key>`".into(),
                ))
            }
        },
    };
    if caller.user.as_ref().is_some_and(|u| u.must_change_password)
        && !WHILE_PASSWORD_MUST_CHANGE.contains(&req.path())
    {
        return Err(ApiError::Forbidden(
            "your password was set by an administrator: change it first (POST /api/v1/me/password)"
                .into(),
        ));
    }
    Ok(caller)
}

async fn by_bearer(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    if token.starts_with(secret::KEY_PREFIX) {
        return by_key(state, token).await;
    }
    if let Some(oidc) = &state.oidc {
        if crate::oidc::issuer_of(token).as_deref() == Some(oidc.issuer()) {
            return by_oidc(state, oidc, token).await;
        }
    }
    state.keys.verify(token).map_err(ApiError::Unauthorized)
}

async fn by_key(state: &AppState, key: &str) -> Result<Caller, ApiError> {
    let hash = secret::digest(key);
    let now = state.clock.now();
    let stamp = rops_store::clock::stamp(now);
    let found = state
        .db(move |conn| {
            let found = accounts::key(conn, &hash)?;
            if let Some((key, user)) = &found {
                let usable = key.revoked_at.is_none()
                    && key.expires_at.as_deref().is_none_or(|e| e > stamp.as_str())
                    && user.active;
                // Last use, to the minute: a key used constantly costs one write a minute.
                let stale = key.last_used_at.as_deref().is_none_or(|at| {
                    at < rops_store::clock::stamp(now - chrono::Duration::minutes(1)).as_str()
                });
                if usable && stale {
                    // Best effort: a read must not fail because its bookkeeping could not
                    // be written (a read-only database still answers reads).
                    if let Err(e) = accounts::touch_key(conn, &key.id, &stamp) {
                        tracing::warn!(error = %e, "could not record an API key's last use");
                    }
                }
            }
            Ok(found)
        })
        .await?;
    let (key, user) =
        found.ok_or_else(|| ApiError::Unauthorized("the API key is not valid".into()))?;
    let now = rops_store::clock::stamp(now);
    if key.revoked_at.is_some() {
        return Err(ApiError::Unauthorized("the API key was revoked".into()));
    }
    if key.expires_at.as_deref().is_some_and(|e| e <= now.as_str()) {
        return Err(ApiError::Unauthorized("the API key has expired".into()));
    }
    if !user.active {
        return Err(ApiError::Unauthorized(
            "the API key's owner is deactivated".into(),
        ));
    }
    Caller::of_user(user, Via::Key(key.id))
}

async fn by_oidc(state: &AppState, oidc: &Oidc, token: &str) -> Result<Caller, ApiError> {
    let claim = oidc.verify_bearer(token).await.map_err(|e| {
        if e.is_unavailable() {
            ApiError::Unavailable(format!("the sign-on provider cannot be reached: {e}"))
        } else {
            ApiError::Unauthorized(e.to_string())
        }
    })?;
    let user = {
        let claim = claim.clone();
        state
            .db(move |conn| accounts::find_user(conn, &claim))
            .await?
    };
    match user {
        Some(user) if user.active => Caller::of_user(user, Via::Oidc),
        Some(_) => Err(ApiError::Unauthorized(format!(
            "the account {claim} is deactivated"
        ))),
        None => Err(ApiError::Unauthorized(format!(
            "no rops-hub account has the login {claim}; an administrator must create it"
        ))),
    }
}

/// The session a cookie's `id` names, with its account, when it is live: it exists, has not
/// reached its idle or absolute end, and its account is active. Its use is recorded (to the
/// half minute), so the idle end slides for pages and API alike; an ended one is forgotten.
/// `Err` says why there is none.
pub(crate) async fn live_session(
    state: &AppState,
    id: &str,
) -> Result<Result<(Session, User), &'static str>, ApiError> {
    let id_hash = secret::digest(id);
    let now = state.clock.now();
    let settings = state.sessions;
    let found = state
        .db(move |conn| {
            let found = accounts::session(conn, &id_hash)?;
            match &found {
                Some((session, user)) if user.active && settings.check(session, now).is_ok() => {
                    let stale = session.last_seen_at.as_str()
                        < rops_store::clock::stamp(now - chrono::Duration::seconds(30)).as_str();
                    if stale {
                        // Best effort: a read must not fail because its bookkeeping could not
                        // be written (a read-only database still answers reads).
                        if let Err(e) =
                            accounts::touch_session(conn, &id_hash, &rops_store::clock::stamp(now))
                        {
                            tracing::warn!(error = %e, "could not record a session's activity");
                        }
                    }
                }
                // Ended: forget it (best effort).
                Some(_) => {
                    let _ = accounts::end_session(conn, &id_hash);
                }
                None => {}
            }
            Ok(found)
        })
        .await?;
    let Some((session, user)) = found else {
        return Ok(Err("the session has ended or never existed; sign in again"));
    };
    if let Err(why) = settings.check(&session, now) {
        return Ok(Err(why));
    }
    if !user.active {
        return Ok(Err("the account is deactivated"));
    }
    Ok(Ok((session, user)))
}

async fn by_session(state: &AppState, req: &HttpRequest, id: &str) -> Result<Caller, ApiError> {
    let (session, user) = live_session(state, id)
        .await?
        .map_err(|why| ApiError::Unauthorized(why.into()))?;
    if !req.method().is_safe() {
        let sent = req
            .headers()
            .get(session::CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !secret::same(sent, &session.csrf_token) {
            return Err(ApiError::Forbidden(format!(
                "a request signed in by cookie that changes something must carry the CSRF token in the {} header (sign-in and GET /api/v1/me return it as csrf_token)",
                "X-CSRF-Token"
            )));
        }
    }
    Caller::of_session(user, &session)
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
