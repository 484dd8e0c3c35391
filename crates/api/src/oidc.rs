//! OpenID Connect relying party: sign-in through an external OpenID provider (Keycloak and
//! the like) with the authorization-code flow (PKCE S256, state, nonce), and verification of the
//! provider's access tokens presented as `Authorization: Bearer`.
//!
//! No database and no routes here: the caller keeps [`PendingLogin`] between [`Oidc::begin`] and
//! [`Oidc::finish`] (e.g. in a signed cookie) and maps the returned user-claim value to a rops-hub
//! user. The provider's discovery document and JWKS are fetched lazily and cached; nothing here
//! logs tokens, codes or secrets.

use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::Url;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

#[cfg(test)]
pub mod test_provider;

/// The path that [`OidcConfig::redirect_url`] must end with: the route of the callback.
pub const CALLBACK_PATH: &str = "/auth/oidc/callback";
/// The claim matched to a rops-hub user login when `ROPS_OIDC_USER_CLAIM` is not set.
pub const DEFAULT_USER_CLAIM: &str = "email";
/// The scopes asked for at the authorize endpoint.
pub const SCOPES: &str = "openid email profile";

/// Timeout of every request to the provider (connect and whole request alike).
const HTTP_TIMEOUT: Duration = Duration::from_secs(5);
/// Default of [`Oidc::with_min_refresh`].
const DEFAULT_MIN_REFRESH: Duration = Duration::from_secs(60);
/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
const LEEWAY_SECS: u64 = 30;

/// The environment variables of the configuration, in the order they are reported.
const VARIABLES: [&str; 4] = [
    "ROPS_OIDC_ISSUER",
    "ROPS_OIDC_CLIENT_ID",
    "ROPS_OIDC_CLIENT_SECRET",
    "ROPS_OIDC_REDIRECT_URL",
];

/// Settings of the OpenID Connect sign-in (from the `ROPS_OIDC_*` environment variables).
#[derive(Clone)]
pub struct OidcConfig {
    /// The provider's issuer identifier, e.g. `https://sso.example.pl/realms/rops`: the discovery
    /// document is `{issuer}/.well-known/openid-configuration`, and tokens must carry exactly this
    /// `iss`. `http://` is accepted only for a loopback host.
    pub issuer: String,
    /// The client id registered at the provider; ID tokens' and access tokens' `aud` must hold it.
    pub client_id: String,
    /// The client secret (sent to the token endpoint only; never logged).
    pub client_secret: String,
    /// Where the provider sends the browser back; its path ends with [`CALLBACK_PATH`].
    pub redirect_url: String,
    /// The claim whose value is a rops-hub user login (default `email`).
    pub user_claim: String,
}

impl fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("redirect_url", &self.redirect_url)
            .field("user_claim", &self.user_claim)
            .finish()
    }
}

impl OidcConfig {
    /// Builds the configuration from the values of `ROPS_OIDC_ISSUER`, `ROPS_OIDC_CLIENT_ID`,
    /// `ROPS_OIDC_CLIENT_SECRET`, `ROPS_OIDC_REDIRECT_URL` and `ROPS_OIDC_USER_CLAIM` (blank values
    /// count as unset). All four of the first set → `Some(config)`; none → `None` (OIDC off);
    /// some but not all → an error naming the missing variables. The values are checked too: the
    /// issuer must be `https://` (`http://` only on a loopback host) and the redirect URL must end
    /// with [`CALLBACK_PATH`].
    pub fn from_values(
        issuer: Option<String>,
        client_id: Option<String>,
        client_secret: Option<String>,
        redirect_url: Option<String>,
        user_claim: Option<String>,
    ) -> Result<Option<Self>, String> {
        fn clean(value: Option<String>) -> Option<String> {
            value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
        }
        let values = [
            clean(issuer),
            clean(client_id),
            clean(client_secret),
            clean(redirect_url),
        ];
        let missing: Vec<&str> = VARIABLES
            .iter()
            .zip(&values)
            .filter(|(_, value)| value.is_none())
            .map(|(name, _)| *name)
            .collect();
        if missing.len() == VARIABLES.len() {
            return Ok(None);
        }
        let [Some(issuer), Some(client_id), Some(client_secret), Some(redirect_url)] = values
        else {
            return Err(format!(
                "OpenID Connect is only partly configured: {} {} not set (set all of {}, or none \
                 to turn OpenID Connect off)",
                missing.join(", "),
                if missing.len() == 1 { "is" } else { "are" },
                VARIABLES.join(", "),
            ));
        };
        let config = OidcConfig {
            issuer,
            client_id,
            client_secret,
            redirect_url,
            user_claim: clean(user_claim).unwrap_or_else(|| DEFAULT_USER_CLAIM.to_owned()),
        };
        config.validate()?;
        Ok(Some(config))
    }

    /// [`OidcConfig::from_values`] over the process environment.
    pub fn from_env() -> Result<Option<Self>, String> {
        let var = |name: &str| std::env::var(name).ok();
        Self::from_values(
            var("ROPS_OIDC_ISSUER"),
            var("ROPS_OIDC_CLIENT_ID"),
            var("ROPS_OIDC_CLIENT_SECRET"),
            var("ROPS_OIDC_REDIRECT_URL"),
            var("ROPS_OIDC_USER_CLAIM"),
        )
    }

    /// Checks the values (see [`OidcConfig::from_values`]); the error says which one is wrong.
    pub fn validate(&self) -> Result<(), String> {
        let issuer = Url::parse(&self.issuer)
            .map_err(|e| format!("ROPS_OIDC_ISSUER `{}` is not a URL: {e}", self.issuer))?;
        check_secure(&issuer).map_err(|why| format!("ROPS_OIDC_ISSUER `{}` {why}", self.issuer))?;
        if issuer.query().is_some() || issuer.fragment().is_some() {
            return Err(format!(
                "ROPS_OIDC_ISSUER `{}` must have no query and no fragment",
                self.issuer
            ));
        }
        let redirect = Url::parse(&self.redirect_url).map_err(|e| {
            format!(
                "ROPS_OIDC_REDIRECT_URL `{}` is not a URL: {e}",
                self.redirect_url
            )
        })?;
        if !matches!(redirect.scheme(), "http" | "https") {
            return Err(format!(
                "ROPS_OIDC_REDIRECT_URL `{}` must be an http:// or https:// URL",
                self.redirect_url
            ));
        }
        if !redirect.path().ends_with(CALLBACK_PATH) {
            return Err(format!(
                "ROPS_OIDC_REDIRECT_URL `{}` must end with the path {CALLBACK_PATH}",
                self.redirect_url
            ));
        }
        if self.client_id.is_empty() || self.client_secret.is_empty() {
            return Err("ROPS_OIDC_CLIENT_ID and ROPS_OIDC_CLIENT_SECRET must not be empty".into());
        }
        if self.user_claim.is_empty() {
            return Err("ROPS_OIDC_USER_CLAIM must not be empty".into());
        }
        Ok(())
    }
}

/// `Ok` for an `https://` URL, or an `http://` one whose host is a loopback address; otherwise
/// why not (a phrase to follow the URL in a message).
fn check_secure(url: &Url) -> Result<(), String> {
    match url.scheme() {
        "https" if url.host_str().is_some() => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(
            "uses http://, which is accepted only when the host is a loopback address \
                       (127.0.0.0/8, ::1, localhost); use https://"
                .into(),
        ),
        _ => Err("must be an https:// URL".into()),
    }
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// What must be kept (e.g. in a signed, HttpOnly cookie) from [`Oidc::begin`] until the
/// callback's [`Oidc::finish`]. All three are random, URL-safe strings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingLogin {
    /// Sent to the provider, which hands it back with the code: ties the callback to this browser.
    pub state: String,
    /// Sent to the provider, which puts it in the ID token: ties the ID token to this login.
    pub nonce: String,
    /// The PKCE code verifier; its SHA-256 went to the provider as the code challenge.
    pub verifier: String,
}

/// Why a sign-in or a bearer token failed. [`OidcError::is_unavailable`] separates "the provider
/// cannot be used now" (answer 502/503) from "the token or answer is not valid" (answer 401).
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The HTTP client could not be built (TLS initialisation failed).
    #[error("the HTTP client for OpenID Connect could not be set up: {0}")]
    Client(String),
    /// A request to the provider failed: connection refused, DNS, TLS, timeout.
    #[error("the OpenID provider could not be reached for its {what} ({url}): {reason}")]
    Unreachable {
        /// `discovery document`, `JWKS` or `token endpoint`.
        what: &'static str,
        /// The URL asked.
        url: String,
        /// The client's error.
        reason: String,
    },
    /// The provider answered with an HTTP error status.
    #[error("the OpenID provider answered the request for its {what} ({url}) with HTTP {status}")]
    ProviderStatus {
        /// `discovery document`, `JWKS` or `token endpoint`.
        what: &'static str,
        /// The URL asked.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// The provider's answer could not be used (not JSON, fields missing, insecure endpoint …).
    #[error("the OpenID provider's {what} ({url}) is not usable: {reason}")]
    BadAnswer {
        /// `discovery document`, `JWKS` or `token endpoint`.
        what: &'static str,
        /// The URL asked.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The discovery document names another issuer than the configured one.
    #[error(
        "the provider's discovery document names the issuer `{found}`, but ROPS_OIDC_ISSUER is \
         `{expected}`"
    )]
    IssuerMismatch {
        /// The configured issuer.
        expected: String,
        /// The discovery document's `issuer`.
        found: String,
    },
    /// The token endpoint refused this client's credentials (a configuration error).
    #[error(
        "the token endpoint refused the client credentials ({error}); check ROPS_OIDC_CLIENT_ID \
         and ROPS_OIDC_CLIENT_SECRET"
    )]
    ClientRejected {
        /// The OAuth error code, e.g. `invalid_client`.
        error: String,
    },
    /// The callback's `state` is not the one of the pending login.
    #[error("the callback's state does not match the login that was started in this browser")]
    StateMismatch,
    /// The token endpoint refused the code (expired, used twice, wrong PKCE verifier …).
    #[error("the token endpoint refused the authorization code: {error}{}", .description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    CodeRefused {
        /// The OAuth error code, e.g. `invalid_grant`.
        error: String,
        /// The provider's `error_description`, if any.
        description: Option<String>,
    },
    /// The token names a key that the provider's JWKS does not hold (even after a refetch).
    #[error("the {kind} is signed with key `{kid}`, which the provider's JWKS does not hold")]
    UnknownKey {
        /// `ID token` or `access token`.
        kind: &'static str,
        /// The token header's `kid`.
        kid: String,
    },
    /// The token is not valid: not a JWT, wrong algorithm, signature, issuer, audience, expired,
    /// nonce …; the message says which.
    #[error("{0}")]
    InvalidToken(String),
    /// The token is valid but lacks the user claim (or it is not a non-empty string).
    #[error("the {kind} has no `{claim}` claim (a non-empty string) to name the user")]
    MissingClaim {
        /// `ID token` or `access token`.
        kind: &'static str,
        /// The configured user claim.
        claim: String,
    },
    /// The user claim is `email`, and the provider says the address is not verified.
    #[error("the {kind} says the e-mail address is not verified (email_verified is false)")]
    EmailNotVerified {
        /// `ID token` or `access token`.
        kind: &'static str,
    },
}

impl OidcError {
    /// True when the provider cannot be used now (unreachable, HTTP error, unusable answer,
    /// misconfiguration): answer 502/503. False when the token, code or callback is not valid:
    /// answer 401.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            OidcError::Client(_)
                | OidcError::Unreachable { .. }
                | OidcError::ProviderStatus { .. }
                | OidcError::BadAnswer { .. }
                | OidcError::IssuerMismatch { .. }
                | OidcError::ClientRejected { .. }
        )
    }
}

/// The fields of the discovery document that are used.
#[derive(Debug, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    #[serde(default)]
    token_endpoint_auth_methods_supported: Option<Vec<String>>,
}

/// A usable signing key of the provider's JWKS.
struct PublicKey {
    kid: Option<String>,
    /// The JWK's `alg`, when it names one.
    alg: Option<Algorithm>,
    /// RS256 for RSA keys, ES256 for P-256 keys: the only algorithm the key may verify.
    family: Algorithm,
    key: DecodingKey,
}

/// The cached JWKS.
struct KeySet {
    keys: Vec<PublicKey>,
}

impl KeySet {
    /// Keeps the RSA and P-256 keys meant for signatures; skips the others (encryption keys,
    /// other curves, malformed entries).
    fn from_jwks(jwks: &Value) -> Option<KeySet> {
        let entries = jwks.get("keys")?.as_array()?;
        let keys = entries
            .iter()
            .filter_map(|entry| serde_json::from_value::<Jwk>(entry.clone()).ok())
            .filter(|jwk| !matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)))
            .filter_map(|jwk| {
                let family = match &jwk.algorithm {
                    AlgorithmParameters::RSA(_) => Algorithm::RS256,
                    AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => {
                        Algorithm::ES256
                    }
                    _ => return None,
                };
                let alg = match jwk.common.key_algorithm {
                    None => None,
                    Some(KeyAlgorithm::RS256) => Some(Algorithm::RS256),
                    Some(KeyAlgorithm::ES256) => Some(Algorithm::ES256),
                    // A key for another algorithm (RS512, RSA-OAEP …): never used here.
                    Some(_) => return None,
                };
                let key = DecodingKey::from_jwk(&jwk).ok()?;
                Some(PublicKey {
                    kid: jwk.common.key_id.clone(),
                    alg,
                    family,
                    key,
                })
            })
            .collect();
        Some(KeySet { keys })
    }

    /// The key for a token's `kid` and `alg`: `Ok(None)` when the set does not hold it.
    fn find(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
        kind: &'static str,
    ) -> Result<Option<DecodingKey>, OidcError> {
        let fits = |k: &PublicKey| k.family == alg && k.alg.is_none_or(|a| a == alg);
        match kid {
            Some(kid) => match self.keys.iter().find(|k| k.kid.as_deref() == Some(kid)) {
                Some(k) if fits(k) => Ok(Some(k.key.clone())),
                Some(_) => Err(OidcError::InvalidToken(format!(
                    "the {kind} says {alg:?}, but the provider's key `{kid}` is not an {alg:?} key"
                ))),
                None => Ok(None),
            },
            None => {
                let mut fitting = self.keys.iter().filter(|k| fits(k));
                match (fitting.next(), fitting.next()) {
                    (Some(k), None) => Ok(Some(k.key.clone())),
                    (None, _) => Err(OidcError::InvalidToken(format!(
                        "the {kind} names no key (kid) and the provider's JWKS holds no {alg:?} key"
                    ))),
                    (Some(_), Some(_)) => Err(OidcError::InvalidToken(format!(
                        "the {kind} names no key (kid) and the provider's JWKS holds several \
                         {alg:?} keys"
                    ))),
                }
            }
        }
    }
}

/// When the JWKS was last refetched because of an unknown `kid`.
#[derive(Default)]
struct RefreshState {
    last_unknown_kid_refresh: Option<Instant>,
}

/// Which token is being verified (for messages).
#[derive(Clone, Copy)]
enum TokenKind {
    IdToken,
    AccessToken,
}

impl TokenKind {
    fn name(self) -> &'static str {
        match self {
            TokenKind::IdToken => "ID token",
            TokenKind::AccessToken => "access token",
        }
    }
}

/// The OpenID Connect relying party. Cheap to share as `Arc<Oidc>` across workers: the
/// discovery document and the JWKS are fetched on first need and cached inside.
pub struct Oidc {
    config: OidcConfig,
    http: Result<reqwest::Client, String>,
    min_refresh: Duration,
    discovery: tokio::sync::OnceCell<Discovery>,
    keys: RwLock<Option<Arc<KeySet>>>,
    /// Held while the JWKS is fetched, so that concurrent requests fetch it once.
    refresh: tokio::sync::Mutex<RefreshState>,
}

impl fmt::Debug for Oidc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Oidc")
            .field("config", &self.config)
            .field("min_refresh", &self.min_refresh)
            .finish_non_exhaustive()
    }
}

impl Oidc {
    /// A relying party for `config` (see [`OidcConfig::validate`]). No network here: the
    /// discovery document and the JWKS are fetched on first need.
    pub fn new(config: OidcConfig) -> Self {
        let http = reqwest::Client::builder()
            .timeout(HTTP_TIMEOUT)
            .connect_timeout(HTTP_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("rops-hub/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| error_chain(&e));
        Oidc {
            config,
            http,
            min_refresh: DEFAULT_MIN_REFRESH,
            discovery: tokio::sync::OnceCell::new(),
            keys: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(RefreshState::default()),
        }
    }

    /// The least time between two JWKS refetches caused by tokens naming an unknown `kid`
    /// (default 60 s), so that a flood of bogus kids cannot make the server hammer the provider.
    pub fn with_min_refresh(mut self, d: Duration) -> Self {
        self.min_refresh = d;
        self
    }

    /// The configured issuer.
    pub fn issuer(&self) -> &str {
        &self.config.issuer
    }

    /// The configuration.
    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// A name for the provider on the "Zaloguj przez …" button: the issuer's host.
    pub fn display_name(&self) -> String {
        Url::parse(&self.config.issuer)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| self.config.issuer.clone())
    }

    /// Starts the authorization-code flow with PKCE (S256), state and nonce: returns the
    /// provider's authorize URL to redirect the browser to, and what must be kept until the
    /// callback (see [`Oidc::finish`]).
    pub async fn begin(&self) -> Result<(String, PendingLogin), OidcError> {
        let discovery = self.discovery().await?;
        let pending = PendingLogin {
            state: random_token(),
            nonce: random_token(),
            verifier: random_token(),
        };
        let mut url =
            Url::parse(&discovery.authorization_endpoint).map_err(|e| OidcError::BadAnswer {
                what: "discovery document",
                url: self.discovery_url(),
                reason: format!("authorization_endpoint is not a URL: {e}"),
            })?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.config.client_id)
            .append_pair("redirect_uri", &self.config.redirect_url)
            .append_pair("scope", SCOPES)
            .append_pair("state", &pending.state)
            .append_pair("nonce", &pending.nonce)
            .append_pair("code_challenge", &pkce_challenge(&pending.verifier))
            .append_pair("code_challenge_method", "S256");
        Ok((url.into(), pending))
    }

    /// The callback: checks `state` against `pending` (constant-time), exchanges `code` at the
    /// token endpoint (client_secret_basic, or client_secret_post when the provider supports only
    /// that, with the PKCE verifier), verifies the ID token (signature via the JWKS, RS256 or
    /// ES256 only, `iss`, `aud` holding the client id, `exp`/`iat` with a small leeway, `nonce`)
    /// and returns the value of the user claim.
    pub async fn finish(
        &self,
        code: &str,
        state: &str,
        pending: &PendingLogin,
    ) -> Result<String, OidcError> {
        if !constant_time_eq(state.as_bytes(), pending.state.as_bytes()) {
            return Err(OidcError::StateMismatch);
        }
        let id_token = self.exchange_code(code, &pending.verifier).await?;
        let kind = TokenKind::IdToken;
        let claims = self.verify_jwt(&id_token, kind).await?;
        // An ID token must carry iat; more than one audience needs azp naming this client.
        if !claims.contains_key("iat") {
            return Err(OidcError::InvalidToken(
                "the ID token has no `iat` claim".into(),
            ));
        }
        if let Some(Value::Array(aud)) = claims.get("aud") {
            if aud.len() > 1 {
                let azp = claims.get("azp").and_then(Value::as_str);
                if azp != Some(self.config.client_id.as_str()) {
                    return Err(OidcError::InvalidToken(format!(
                        "the ID token has several audiences and its azp is not `{}`",
                        self.config.client_id
                    )));
                }
            }
        }
        let nonce = claims.get("nonce").and_then(Value::as_str).unwrap_or("");
        if !constant_time_eq(nonce.as_bytes(), pending.nonce.as_bytes()) {
            return Err(OidcError::InvalidToken(
                "the ID token's nonce is not the one of the login that was started".into(),
            ));
        }
        self.user_claim(&claims, kind)
    }

    /// Verifies a provider's access token presented as `Authorization: Bearer`: a JWT signed
    /// RS256 or ES256 with a key of the provider's JWKS, `iss` equal to the issuer, `aud`
    /// holding the client id, `exp` (and `nbf`, `iat`) checked. Returns the user claim's value.
    pub async fn verify_bearer(&self, token: &str) -> Result<String, OidcError> {
        let kind = TokenKind::AccessToken;
        let claims = self.verify_jwt(token, kind).await?;
        self.user_claim(&claims, kind)
    }

    fn client(&self) -> Result<&reqwest::Client, OidcError> {
        self.http.as_ref().map_err(|e| OidcError::Client(e.clone()))
    }

    fn discovery_url(&self) -> String {
        format!(
            "{}/.well-known/openid-configuration",
            self.config.issuer.trim_end_matches('/')
        )
    }

    /// The discovery document, fetched once and checked (issuer, endpoints' schemes).
    async fn discovery(&self) -> Result<&Discovery, OidcError> {
        self.discovery
            .get_or_try_init(|| async {
                let url = self.discovery_url();
                let what = "discovery document";
                let discovery: Discovery = self.get_json(&url, what).await?;
                if discovery.issuer != self.config.issuer {
                    return Err(OidcError::IssuerMismatch {
                        expected: self.config.issuer.clone(),
                        found: discovery.issuer,
                    });
                }
                for (name, endpoint) in [
                    ("authorization_endpoint", &discovery.authorization_endpoint),
                    ("token_endpoint", &discovery.token_endpoint),
                    ("jwks_uri", &discovery.jwks_uri),
                ] {
                    let checked = Url::parse(endpoint)
                        .map_err(|e| format!("is not a URL: {e}"))
                        .and_then(|u| check_secure(&u));
                    if let Err(why) = checked {
                        return Err(OidcError::BadAnswer {
                            what,
                            url,
                            reason: format!("its {name} `{endpoint}` {why}"),
                        });
                    }
                }
                Ok(discovery)
            })
            .await
    }

    /// GET `url` and parse its JSON.
    async fn get_json<T: DeserializeOwned>(
        &self,
        url: &str,
        what: &'static str,
    ) -> Result<T, OidcError> {
        let response = self
            .client()?
            .get(url)
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| unreached(what, url, &e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(OidcError::ProviderStatus {
                what,
                url: url.to_owned(),
                status: status.as_u16(),
            });
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| unreached(what, url, &e))?;
        serde_json::from_slice(&body).map_err(|e| OidcError::BadAnswer {
            what,
            url: url.to_owned(),
            reason: format!("not the expected JSON: {e}"),
        })
    }

    /// The token request of the authorization-code grant; returns the ID token.
    async fn exchange_code(&self, code: &str, verifier: &str) -> Result<String, OidcError> {
        let discovery = self.discovery().await?;
        let url = discovery.token_endpoint.as_str();
        let what = "token endpoint";
        // client_secret_basic is the default of the specification; post when only it is offered.
        let basic = match &discovery.token_endpoint_auth_methods_supported {
            None => true,
            Some(methods) => {
                methods.iter().any(|m| m == "client_secret_basic")
                    || !methods.iter().any(|m| m == "client_secret_post")
            }
        };
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", "authorization_code")
            .append_pair("code", code)
            .append_pair("redirect_uri", &self.config.redirect_url)
            .append_pair("code_verifier", verifier);
        let mut request = self
            .client()?
            .post(url)
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        if basic {
            // RFC 6749 §2.3.1: both parts form-urlencoded before Base64.
            let encode =
                |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            let credentials = format!(
                "{}:{}",
                encode(&self.config.client_id),
                encode(&self.config.client_secret)
            );
            request = request.header(
                AUTHORIZATION,
                format!("Basic {}", STANDARD.encode(credentials)),
            );
        } else {
            form.append_pair("client_id", &self.config.client_id)
                .append_pair("client_secret", &self.config.client_secret);
        }
        let response = request
            .body(form.finish())
            .send()
            .await
            .map_err(|e| unreached(what, url, &e))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| unreached(what, url, &e))?;
        if status.is_server_error() || status.is_redirection() || status.is_informational() {
            return Err(OidcError::ProviderStatus {
                what,
                url: url.to_owned(),
                status: status.as_u16(),
            });
        }
        if status.is_client_error() {
            #[derive(Deserialize)]
            struct ErrorAnswer {
                error: String,
                error_description: Option<String>,
            }
            let answer: ErrorAnswer =
                serde_json::from_slice(&body).map_err(|_| OidcError::ProviderStatus {
                    what,
                    url: url.to_owned(),
                    status: status.as_u16(),
                })?;
            return Err(match answer.error.as_str() {
                "invalid_client" | "unauthorized_client" => OidcError::ClientRejected {
                    error: answer.error,
                },
                _ => OidcError::CodeRefused {
                    error: answer.error,
                    description: answer.error_description,
                },
            });
        }
        #[derive(Deserialize)]
        struct TokenAnswer {
            id_token: Option<String>,
        }
        let answer: TokenAnswer =
            serde_json::from_slice(&body).map_err(|e| OidcError::BadAnswer {
                what,
                url: url.to_owned(),
                reason: format!("not the expected JSON: {e}"),
            })?;
        answer.id_token.ok_or_else(|| OidcError::BadAnswer {
            what,
            url: url.to_owned(),
            reason: "the answer has no id_token (is the `openid` scope allowed for this client?)"
                .into(),
        })
    }

    /// Verifies a JWT of the provider and returns its claims.
    async fn verify_jwt(
        &self,
        token: &str,
        kind: TokenKind,
    ) -> Result<Map<String, Value>, OidcError> {
        let name = kind.name();
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| OidcError::InvalidToken(format!("the {name} is not a valid JWT: {e}")))?;
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(OidcError::InvalidToken(format!(
                "the {name} is signed with {:?}; only RS256 and ES256 are accepted",
                header.alg
            )));
        }
        // The unverified issuer first: a token of another issuer must cause no JWKS fetch.
        match issuer_of(token) {
            Some(iss) if iss == self.config.issuer => {}
            Some(iss) => {
                return Err(OidcError::InvalidToken(format!(
                    "the {name} was issued by `{iss}`, not by `{}`",
                    self.config.issuer
                )))
            }
            None => {
                return Err(OidcError::InvalidToken(format!(
                    "the {name} has no `iss` claim"
                )))
            }
        }
        let key = self
            .decoding_key(header.kid.as_deref(), header.alg, kind)
            .await?;
        let mut validation = Validation::new(header.alg);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[&self.config.client_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
            .map_err(|e| self.describe_jwt_error(&e, kind, header.kid.as_deref()))?;
        let claims = data.claims;
        if let Some(iat) = claims.get("iat") {
            let Some(iat) = iat.as_f64() else {
                return Err(OidcError::InvalidToken(format!(
                    "the {name}'s `iat` is not a number"
                )));
            };
            if iat > (now_secs() + LEEWAY_SECS) as f64 {
                return Err(OidcError::InvalidToken(format!(
                    "the {name} was issued in the future (iat); check the clocks"
                )));
            }
        }
        Ok(claims)
    }

    fn describe_jwt_error(
        &self,
        e: &jsonwebtoken::errors::Error,
        kind: TokenKind,
        kid: Option<&str>,
    ) -> OidcError {
        use jsonwebtoken::errors::ErrorKind as K;
        let name = kind.name();
        OidcError::InvalidToken(match e.kind() {
            K::ExpiredSignature => format!("the {name} has expired"),
            K::ImmatureSignature => format!("the {name} is not valid yet (nbf)"),
            K::InvalidAudience => format!(
                "the {name} is not meant for this client: its aud does not hold `{}`",
                self.config.client_id
            ),
            K::InvalidIssuer => format!("the {name} was not issued by `{}`", self.config.issuer),
            K::InvalidSignature => format!(
                "the {name}'s signature does not verify with the provider's key `{}`",
                kid.unwrap_or("(no kid)")
            ),
            K::MissingRequiredClaim(claim) => format!("the {name} has no `{claim}` claim"),
            K::InvalidAlgorithm => {
                format!("the {name}'s algorithm does not match the provider's key")
            }
            _ => format!("the {name} is not valid: {e}"),
        })
    }

    /// The provider's key for a token: from the cache; else the JWKS is fetched (first need) or
    /// refetched (unknown kid, at most once per `min_refresh`).
    async fn decoding_key(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
        kind: TokenKind,
    ) -> Result<DecodingKey, OidcError> {
        let name = kind.name();
        let unknown = || match kid {
            Some(kid) => OidcError::UnknownKey {
                kind: name,
                kid: kid.to_owned(),
            },
            None => OidcError::InvalidToken(format!(
                "the {name} names no key (kid) and the provider's JWKS holds no {alg:?} key"
            )),
        };
        if let Some(set) = self.cached_keys() {
            if let Some(key) = set.find(kid, alg, name)? {
                return Ok(key);
            }
        }
        let mut refresh = self.refresh.lock().await;
        // Another request may have fetched the JWKS while this one waited.
        let cached = self.cached_keys();
        if let Some(set) = &cached {
            if let Some(key) = set.find(kid, alg, name)? {
                return Ok(key);
            }
            let now = Instant::now();
            if refresh
                .last_unknown_kid_refresh
                .is_some_and(|at| now.duration_since(at) < self.min_refresh)
            {
                return Err(unknown());
            }
            refresh.last_unknown_kid_refresh = Some(now);
        }
        let set = Arc::new(self.fetch_jwks().await?);
        *self.keys.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::clone(&set));
        drop(refresh);
        set.find(kid, alg, name)?.ok_or_else(unknown)
    }

    fn cached_keys(&self) -> Option<Arc<KeySet>> {
        self.keys.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    async fn fetch_jwks(&self) -> Result<KeySet, OidcError> {
        let discovery = self.discovery().await?;
        let url = discovery.jwks_uri.as_str();
        let jwks: Value = self.get_json(url, "JWKS").await?;
        KeySet::from_jwks(&jwks).ok_or_else(|| OidcError::BadAnswer {
            what: "JWKS",
            url: url.to_owned(),
            reason: "it has no `keys` array".into(),
        })
    }

    fn user_claim(
        &self,
        claims: &Map<String, Value>,
        kind: TokenKind,
    ) -> Result<String, OidcError> {
        let claim = &self.config.user_claim;
        match claims.get(claim) {
            Some(Value::String(value)) if !value.is_empty() => {
                if claim == "email" && claims.get("email_verified") == Some(&Value::Bool(false)) {
                    return Err(OidcError::EmailNotVerified { kind: kind.name() });
                }
                Ok(value.clone())
            }
            _ => Err(OidcError::MissingClaim {
                kind: kind.name(),
                claim: claim.clone(),
            }),
        }
    }
}

/// The unverified `iss` claim of a JWT (three dot-separated parts), for routing a bearer token
/// to OpenID Connect verification or to rops-hub's own tokens. Nothing is verified here.
pub fn issuer_of(token: &str) -> Option<String> {
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("iss")?.as_str().map(str::to_owned)
}

/// 32 random bytes, base64url without padding (43 characters; also a valid PKCE verifier).
fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// The PKCE S256 challenge of `verifier`: base64url(SHA-256(verifier)).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Equality whose time does not depend on where the inputs differ (only on their length).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn unreached(what: &'static str, url: &str, e: &reqwest::Error) -> OidcError {
    OidcError::Unreachable {
        what,
        url: url.to_owned(),
        reason: error_chain(e),
    }
}

/// An error with its sources ("a: b: c"), since reqwest's own message is terse.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::test_provider::{KeyAlg, TestProvider, CLIENT_ID, CLIENT_SECRET};
    use super::*;

    const REDIRECT: &str = "http://127.0.0.1:8080/auth/oidc/callback";

    fn config_for(provider: &TestProvider, user_claim: Option<&str>) -> OidcConfig {
        OidcConfig::from_values(
            Some(provider.issuer().into()),
            Some(CLIENT_ID.into()),
            Some(CLIENT_SECRET.into()),
            Some(REDIRECT.into()),
            user_claim.map(Into::into),
        )
        .unwrap()
        .unwrap()
    }

    fn oidc_for(provider: &TestProvider) -> Oidc {
        Oidc::new(config_for(provider, None))
    }

    fn query_value(url: &Url, name: &str) -> Option<String> {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// GETs the authorize URL without following the redirect: the callback's code and state.
    async fn authorize(url: &str) -> (String, String) {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let response = client.get(url).send().await.unwrap();
        assert_eq!(response.status(), 302);
        let location = response.headers()["location"].to_str().unwrap();
        let location = Url::parse(location).unwrap();
        assert!(location.as_str().starts_with(REDIRECT), "{location}");
        (
            query_value(&location, "code").unwrap(),
            query_value(&location, "state").unwrap(),
        )
    }

    fn assert_invalid(result: Result<String, OidcError>, fragment: &str) {
        let error = result.unwrap_err();
        assert!(!error.is_unavailable(), "{error}");
        assert!(
            error.to_string().contains(fragment),
            "`{error}` should contain `{fragment}`"
        );
    }

    #[test]
    fn oidc_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Oidc>();
        assert_send_sync::<Arc<Oidc>>();
    }

    #[actix_web::test]
    async fn login_returns_the_user_claim() {
        let provider = TestProvider::start(KeyAlg::Rs256);
        let oidc = oidc_for(&provider);
        let (url, pending) = oidc.begin().await.unwrap();
        let parsed = Url::parse(&url).unwrap();
        assert!(url.starts_with(&format!("{}/authorize?", provider.issuer())));
        assert_eq!(
            query_value(&parsed, "client_id").as_deref(),
            Some(CLIENT_ID)
        );
        assert_eq!(
            query_value(&parsed, "redirect_uri").as_deref(),
            Some(REDIRECT)
        );
        assert_eq!(
            query_value(&parsed, "code_challenge_method").as_deref(),
            Some("S256")
        );
        assert_eq!(
            query_value(&parsed, "code_challenge"),
            Some(pkce_challenge(&pending.verifier))
        );
        assert_eq!(query_value(&parsed, "nonce"), Some(pending.nonce.clone()));
        assert_eq!(query_value(&parsed, "state"), Some(pending.state.clone()));
        assert_eq!(query_value(&parsed, "scope").as_deref(), Some(SCOPES));

        provider.next_user("jan@example.pl");
        let (code, state) = authorize(&url).await;
        assert_eq!(state, pending.state);
        let user = oidc.finish(&code, &state, &pending).await.unwrap();
        assert_eq!(user, "jan@example.pl");
        assert_eq!(
            provider.last_token_auth_method().as_deref(),
            Some("client_secret_basic")
        );

        // A code is single-use: the provider refuses it again, which is the user's 401.
        let again = oidc.finish(&code, &state, &pending).await.unwrap_err();
        assert!(matches!(again, OidcError::CodeRefused { .. }), "{again}");
        assert!(!again.is_unavailable());
    }

    #[tokio::test]
    async fn login_with_es256_and_client_secret_post() {
        let provider = TestProvider::start(KeyAlg::Es256);
        provider.set_token_auth_methods(&["client_secret_post"]);
        let oidc = Oidc::new(config_for(&provider, Some("preferred_username")));
        let (url, pending) = oidc.begin().await.unwrap();
        let url = format!("{url}&login_hint=ewa");
        let (code, state) = authorize(&url).await;
        assert_eq!(oidc.finish(&code, &state, &pending).await.unwrap(), "ewa");
        assert_eq!(
            provider.last_token_auth_method().as_deref(),
            Some("client_secret_post")
        );
    }

    #[tokio::test]
    async fn wrong_state_is_refused_before_the_token_request() {
        let provider = TestProvider::start(KeyAlg::Rs256);
        let oidc = oidc_for(&provider);
        let (url, pending) = oidc.begin().await.unwrap();
        let (code, _) = authorize(&url).await;
        let (_, other) = oidc.begin().await.unwrap();
        let error = oidc
            .finish(&code, &other.state, &pending)
            .await
            .unwrap_err();
        assert!(matches!(error, OidcError::StateMismatch), "{error}");
        assert!(!error.is_unavailable());
        assert_eq!(provider.token_requests(), 0);
    }

    #[tokio::test]
    async fn wrong_nonce_is_refused() {
        let provider = TestProvider::start(KeyAlg::Rs256);
        let oidc = oidc_for(&provider);
        let (url, pending) = oidc.begin().await.unwrap();
        let (code, state) = authorize(&url).await;
        let tampered = PendingLogin {
            nonce: random_token(),
            ..pending
        };
        assert_invalid(oidc.finish(&code, &state, &tampered).await, "nonce");
    }

    #[tokio::test]
    async fn wrong_pkce_verifier_is_refused() {
        let provider = TestProvider::start(KeyAlg::Rs256);
        let oidc = oidc_for(&provider);
        let (url, pending) = oidc.begin().await.unwrap();
        let (code, state) = authorize(&url).await;
        let tampered = PendingLogin {
            verifier: random_token(),
            ..pending
        };
        let error = oidc.finish(&code, &state, &tampered).await.unwrap_err();
        assert!(
            matches!(&error, OidcError::CodeRefused { error, .. } if error == "invalid_grant"),
            "{error}"
        );
        assert!(error.to_string().contains("PKCE"), "{error}");
    }

    #[tokio::test]
    async fn wrong_client_secret_is_a_configuration_error() {
        let provider = TestProvider::start(KeyAlg::Rs256);
        let mut config = config_for(&provider, None);
        config.client_secret = "wrong".into();
        let oidc = Oidc::new(config);
        let (url, pending) = oidc.begin().await.unwrap();
        let (code, state) = authorize(&url).await;
        let error = oidc.finish(&code, &state, &pending).await.unwrap_err();
        assert!(matches!(error, OidcError::ClientRejected { .. }), "{error}");
        assert!(error.is_unavailable());
    }

    #[tokio::test]
    async fn bearer_access_token_is_accepted() {
        let provider = TestProvider::start(KeyAlg::Rs256);
        let oidc = oidc_for(&provider);
        let token = provider.access_token_for("anna@example.pl");
        assert_eq!(issuer_of(&token).as_deref(), Some(provider.issuer()));
        assert_eq!(oidc.verify_bearer(&token).await.unwrap(), "anna@example.pl");
        // aud may be a list holding the client id.
        let mut claims = provider.claims_for("ola@example.pl");
        claims["aud"] = serde_json::json!(["account", CLIENT_ID]);
        let token = provider.sign(&claims);
        assert_eq!(oidc.verify_bearer(&token).await.unwrap(), "ola@example.pl");
        assert_eq!(provider.jwks_requests(), 1);
    }

    #[tokio::test]
    async fn bad_bearer_tokens_are_refused() {
        let provider = TestProvider::start(KeyAlg::Es256);
        let oidc = oidc_for(&provider);
        let user = "anna@example.pl";

        // Another issuer: refused before any JWKS fetch.
        let mut claims = provider.claims_for(user);
        claims["iss"] = serde_json::json!("https://evil.example.com");
        assert_invalid(
            oidc.verify_bearer(&provider.sign(&claims)).await,
            "was issued by `https://evil.example.com`",
        );
        assert_eq!(provider.jwks_requests(), 0);

        let mut claims = provider.claims_for(user);
        claims["aud"] = serde_json::json!("another-client");
        assert_invalid(
            oidc.verify_bearer(&provider.sign(&claims)).await,
            "not meant for this client",
        );

        let mut claims = provider.claims_for(user);
        let now = now_secs();
        claims["iat"] = serde_json::json!(now - 7200);
        claims["exp"] = serde_json::json!(now - 3600);
        assert_invalid(oidc.verify_bearer(&provider.sign(&claims)).await, "expired");

        let mut claims = provider.claims_for(user);
        claims["iat"] = serde_json::json!(now + 3600);
        assert_invalid(oidc.verify_bearer(&provider.sign(&claims)).await, "future");

        let mut claims = provider.claims_for(user);
        claims.as_object_mut().unwrap().remove("exp");
        assert_invalid(oidc.verify_bearer(&provider.sign(&claims)).await, "`exp`");

        let mut claims = provider.claims_for(user);
        claims["email_verified"] = serde_json::json!(false);
        assert_invalid(
            oidc.verify_bearer(&provider.sign(&claims)).await,
            "not verified",
        );

        let mut claims = provider.claims_for(user);
        claims.as_object_mut().unwrap().remove("email");
        assert_invalid(oidc.verify_bearer(&provider.sign(&claims)).await, "`email`");

        // HS256 with the client secret as the key (a classic confusion): refused.
        let claims = provider.claims_for(user);
        let hs256 = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(CLIENT_SECRET.as_bytes()),
        )
        .unwrap();
        assert_invalid(oidc.verify_bearer(&hs256).await, "HS256");

        // alg none, no signature.
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        assert_eq!(issuer_of(&none).as_deref(), Some(provider.issuer()));
        assert_invalid(oidc.verify_bearer(&none).await, "not a valid JWT");

        // A valid token with its signature from another token.
        let good = provider.access_token_for(user);
        let other = provider.access_token_for("ola@example.pl");
        let forged = format!(
            "{}.{}",
            other.rsplit_once('.').unwrap().0,
            good.rsplit_once('.').unwrap().1
        );
        assert_invalid(oidc.verify_bearer(&forged).await, "signature");

        assert_invalid(oidc.verify_bearer("not-a-token").await, "not a valid JWT");
        assert_eq!(oidc.verify_bearer(&good).await.unwrap(), user);
    }

    #[tokio::test]
    async fn rotated_key_is_fetched_and_the_old_one_kept() {
        let provider = TestProvider::start(KeyAlg::Rs256);
        let oidc = oidc_for(&provider);
        let old = provider.access_token_for("anna@example.pl");
        assert!(oidc.verify_bearer(&old).await.is_ok());
        assert_eq!(provider.jwks_requests(), 1);

        let kid = provider.rotate_key();
        let new = provider.access_token_for("anna@example.pl");
        assert_eq!(
            jsonwebtoken::decode_header(&new).unwrap().kid.as_deref(),
            Some(kid.as_str())
        );
        assert!(oidc.verify_bearer(&new).await.is_ok());
        assert_eq!(provider.jwks_requests(), 2);
        // The old key is still published, so still in the refetched JWKS.
        assert!(oidc.verify_bearer(&old).await.is_ok());
        assert!(oidc.verify_bearer(&new).await.is_ok());
        assert_eq!(provider.jwks_requests(), 2);
    }

    #[tokio::test]
    async fn dropped_key_is_refused_after_the_refetch() {
        let provider = TestProvider::start(KeyAlg::Es256);
        let oidc = oidc_for(&provider).with_min_refresh(Duration::ZERO);
        let old = provider.access_token_for("anna@example.pl");
        let old_kid = provider.current_kid();
        assert!(oidc.verify_bearer(&old).await.is_ok());

        provider.rotate_key_dropping_old();
        let new = provider.access_token_for("anna@example.pl");
        assert!(oidc.verify_bearer(&new).await.is_ok());
        assert_eq!(provider.jwks_requests(), 2);
        let error = oidc.verify_bearer(&old).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "the access token is signed with key `{old_kid}`, which the provider's JWKS \
                 does not hold"
            )
        );
        assert!(!error.is_unavailable());
        assert_eq!(provider.jwks_requests(), 3);
    }

    #[tokio::test]
    async fn unknown_kids_refetch_the_jwks_at_most_once_per_min_refresh() {
        let provider = TestProvider::start(KeyAlg::Rs256);
        let oidc = Arc::new(oidc_for(&provider));
        assert!(oidc
            .verify_bearer(&provider.access_token_for("anna@example.pl"))
            .await
            .is_ok());
        assert_eq!(provider.jwks_requests(), 1);

        let bogus = provider.token_signed_with_unknown_key("anna@example.pl");
        let error = oidc.verify_bearer(&bogus).await.unwrap_err();
        assert!(matches!(error, OidcError::UnknownKey { .. }), "{error}");
        assert!(!error.is_unavailable());
        assert_eq!(provider.jwks_requests(), 2);

        // A flood of bogus kids, some concurrent: no further fetch within min_refresh.
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let oidc = Arc::clone(&oidc);
                let token = provider.token_signed_with_unknown_key("anna@example.pl");
                tokio::spawn(async move { oidc.verify_bearer(&token).await })
            })
            .collect();
        for task in tasks {
            assert!(matches!(
                task.await.unwrap(),
                Err(OidcError::UnknownKey { .. })
            ));
        }
        assert_eq!(provider.jwks_requests(), 2);
        // Known keys still work from the cache.
        assert!(oidc
            .verify_bearer(&provider.access_token_for("anna@example.pl"))
            .await
            .is_ok());
        assert_eq!(provider.jwks_requests(), 2);
    }

    #[tokio::test]
    async fn unknown_kid_refetches_again_after_min_refresh() {
        let provider = TestProvider::start(KeyAlg::Es256);
        let oidc = oidc_for(&provider).with_min_refresh(Duration::from_millis(300));
        let bogus = provider.token_signed_with_unknown_key("anna@example.pl");
        assert!(oidc.verify_bearer(&bogus).await.is_err());
        assert_eq!(provider.jwks_requests(), 1); // the first need
        assert!(oidc.verify_bearer(&bogus).await.is_err());
        assert_eq!(provider.jwks_requests(), 2); // the first unknown-kid refresh
        assert!(oidc.verify_bearer(&bogus).await.is_err());
        assert_eq!(provider.jwks_requests(), 2);
        tokio::time::sleep(Duration::from_millis(350)).await;
        assert!(oidc.verify_bearer(&bogus).await.is_err());
        assert_eq!(provider.jwks_requests(), 3);
    }

    #[tokio::test]
    async fn discovery_naming_another_issuer_is_refused() {
        let provider = TestProvider::start(KeyAlg::Rs256);
        provider.set_discovery_issuer("https://sso.example.pl/realms/rops");
        let oidc = oidc_for(&provider);
        let error = oidc.begin().await.unwrap_err();
        assert!(matches!(error, OidcError::IssuerMismatch { .. }), "{error}");
        assert!(error.is_unavailable());
    }

    #[tokio::test]
    async fn unreachable_provider_is_unavailable() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let config = OidcConfig::from_values(
            Some(format!("http://127.0.0.1:{port}")),
            Some(CLIENT_ID.into()),
            Some(CLIENT_SECRET.into()),
            Some(REDIRECT.into()),
            None,
        )
        .unwrap()
        .unwrap();
        let oidc = Oidc::new(config);
        let error = oidc.begin().await.unwrap_err();
        assert!(error.is_unavailable(), "{error}");
        assert!(
            error.to_string().contains("could not be reached"),
            "{error}"
        );
        // A bearer token for that issuer: the JWKS cannot be fetched, which is no 401.
        let unsigned = format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","kid":"k1"}"#),
            URL_SAFE_NO_PAD.encode(format!(r#"{{"iss":"http://127.0.0.1:{port}"}}"#))
        );
        let error = oidc.verify_bearer(&unsigned).await.unwrap_err();
        assert!(error.is_unavailable(), "{error}");
    }

    #[test]
    fn config_from_values() {
        let some = |s: &str| Some(s.to_owned());
        let full = |issuer: &str, redirect: &str| {
            OidcConfig::from_values(some(issuer), some("c"), some("s"), some(redirect), None)
        };
        let redirect = "https://hub.example.pl/auth/oidc/callback";

        assert!(OidcConfig::from_values(None, None, None, None, some("sub"))
            .unwrap()
            .is_none());
        assert!(
            OidcConfig::from_values(some(" "), None, some(""), None, None)
                .unwrap()
                .is_none()
        );

        let config = full("https://sso.example.pl/realms/rops", redirect)
            .unwrap()
            .unwrap();
        assert_eq!(config.user_claim, "email");
        assert!(!format!("{config:?}").contains("\"s\""));
        let oidc = Oidc::new(config);
        assert_eq!(oidc.display_name(), "sso.example.pl");
        assert_eq!(oidc.issuer(), "https://sso.example.pl/realms/rops");

        for ok in [
            "http://127.0.0.1:8081/realms/rops",
            "http://127.9.9.9",
            "http://localhost:8081",
            "http://[::1]:8081",
        ] {
            assert!(full(ok, redirect).unwrap().is_some(), "{ok}");
        }
        for (bad, fragment) in [
            ("http://sso.example.pl/realms/rops", "loopback"),
            ("http://10.0.0.1/realms/rops", "loopback"),
            ("ftp://sso.example.pl", "https://"),
            ("sso.example.pl", "not a URL"),
            ("https://sso.example.pl/?x=1", "no query"),
        ] {
            let error = full(bad, redirect).unwrap_err();
            assert!(error.contains("ROPS_OIDC_ISSUER"), "{error}");
            assert!(error.contains(fragment), "{bad}: {error}");
        }
        let error = full("https://sso.example.pl", "https://hub.example.pl/callback").unwrap_err();
        assert!(error.contains("ROPS_OIDC_REDIRECT_URL"), "{error}");
        assert!(error.contains("/auth/oidc/callback"), "{error}");

        let error =
            OidcConfig::from_values(some("https://sso.example.pl"), None, some("s"), None, None)
                .unwrap_err();
        assert!(
            error.contains("ROPS_OIDC_CLIENT_ID, ROPS_OIDC_REDIRECT_URL are not set"),
            "{error}"
        );
        let (missing, _) = error.split_once("(set all").unwrap();
        assert!(!missing.contains("ROPS_OIDC_ISSUER"), "{error}");
        assert!(!missing.contains("ROPS_OIDC_CLIENT_SECRET"), "{error}");
        let error =
            OidcConfig::from_values(None, some("c"), some("s"), some(redirect), None).unwrap_err();
        assert!(error.contains("ROPS_OIDC_ISSUER is not set"), "{error}");
    }

    #[test]
    fn issuer_of_reads_the_unverified_iss() {
        let token = format!(
            "{}.{}.sig",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#),
            URL_SAFE_NO_PAD.encode(br#"{"iss":"https://sso.example.pl/realms/rops"}"#)
        );
        assert_eq!(
            issuer_of(&token).as_deref(),
            Some("https://sso.example.pl/realms/rops")
        );
        assert_eq!(issuer_of("a.b"), None);
        assert_eq!(issuer_of("a.%%%.c"), None);
        assert_eq!(issuer_of(&format!("{token}.x.y")), None);
        let no_iss = format!("x.{}.y", URL_SAFE_NO_PAD.encode(b"{}"));
        assert_eq!(issuer_of(&no_iss), None);
    }

    #[test]
    fn pkce_challenge_matches_rfc_7636() {
        // RFC 7636, appendix B.
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
