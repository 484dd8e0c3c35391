//! A small OpenID provider for tests: discovery, JWKS, `/authorize` (no UI: it redirects at once
//! with a code) and `/token` (client credentials, single-use codes, PKCE S256), on 127.0.0.1 with
//! an ephemeral port, served by actix-web in its own thread and actix `System`, so it works from
//! `#[actix_web::test]`, `#[tokio::test]` and plain tests alike. It stops when dropped.
//!
//! Used by the unit tests of `oidc.rs` (`#[cfg(test)] pub mod test_provider;`) and by the
//! integration tests (`#[path = "../../crates/api/src/oidc/test_provider.rs"] mod test_provider;`),
//! so it uses only crates that rops-api depends on (or dev-depends on), nothing `crate::`.
//!
//! ```ignore
//! let provider = TestProvider::start(KeyAlg::Rs256);
//! provider.next_user("anna@example.pl");              // who "logs in" at /authorize next
//! let token = provider.access_token_for("anna@example.pl"); // aud = the client id
//! provider.rotate_key();                              // new kid, the old one stays published
//! ```
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The client id the provider knows.
pub const CLIENT_ID: &str = "rops-hub";
/// The client secret the provider knows.
pub const CLIENT_SECRET: &str = "test-secret";
/// The user who logs in at `/authorize` when neither `login_hint` nor `next_user` says otherwise.
pub const DEFAULT_USER: &str = "anna@example.pl";
/// Lifetime of the tokens issued, in seconds.
pub const TOKEN_LIFETIME: u64 = 300;

/// The kind of signing key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlg {
    /// RSA 2048 (two fixed keys embedded below, used in turn: RSA key generation is slow).
    Rs256,
    /// P-256, a fresh key each time.
    Es256,
}

/// A signing key and its public JWK.
struct SigningKey {
    kid: String,
    alg: Algorithm,
    encoding: EncodingKey,
    jwk: Jwk,
}

/// What `/authorize` remembers for `/token`.
struct Grant {
    user: String,
    nonce: Option<String>,
    code_challenge: Option<String>,
    redirect_uri: String,
}

struct State {
    alg: KeyAlg,
    /// Published in the JWKS; the last one is the current signing key.
    published: Vec<SigningKey>,
    keys_made: usize,
    next_user: Option<String>,
    grants: HashMap<String, Grant>,
    jwks_requests: usize,
    token_requests: usize,
    last_auth_method: Option<String>,
    discovery_issuer: Option<String>,
    auth_methods: Vec<String>,
}

struct Shared {
    issuer: String,
    state: Mutex<State>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running test provider; stops when dropped.
pub struct TestProvider {
    shared: Arc<Shared>,
    handle: ServerHandle,
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        // The stop command is sent at once; the future only waits for its completion.
        drop(self.handle.stop(false));
    }
}

impl TestProvider {
    /// Starts a provider on 127.0.0.1 (ephemeral port) signing with a key of `alg`.
    pub fn start(alg: KeyAlg) -> TestProvider {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the test provider");
        let port = listener.local_addr().expect("local address").port();
        let issuer = format!("http://127.0.0.1:{port}");
        let mut state = State {
            alg,
            published: Vec::new(),
            keys_made: 0,
            next_user: None,
            grants: HashMap::new(),
            jwks_requests: 0,
            token_requests: 0,
            last_auth_method: None,
            discovery_issuer: None,
            auth_methods: vec!["client_secret_basic".into(), "client_secret_post".into()],
        };
        let key = make_key(alg, &mut state.keys_made);
        state.published.push(key);
        let shared = Arc::new(Shared {
            issuer,
            state: Mutex::new(state),
        });
        let data = web::Data::from(Arc::clone(&shared));
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(data.clone())
                        .route(
                            "/.well-known/openid-configuration",
                            web::get().to(discovery),
                        )
                        .route("/jwks", web::get().to(jwks))
                        .route("/authorize", web::get().to(authorize))
                        .route("/token", web::post().to(token))
                })
                .workers(1)
                .disable_signals()
                .shutdown_timeout(0)
                .listen(listener)
                .expect("listen")
                .run();
                sender
                    .send(server.handle())
                    .expect("hand over the server handle");
                let _ = server.await;
            });
        });
        let handle = receiver.recv().expect("the test provider started");
        TestProvider { shared, handle }
    }

    /// The issuer, `http://127.0.0.1:{port}` (no trailing slash).
    pub fn issuer(&self) -> &str {
        &self.shared.issuer
    }

    /// The client id the provider knows ([`CLIENT_ID`]).
    pub fn client_id(&self) -> &str {
        CLIENT_ID
    }

    /// The client secret the provider knows ([`CLIENT_SECRET`]).
    pub fn client_secret(&self) -> &str {
        CLIENT_SECRET
    }

    /// The user who logs in at the next `/authorize` without a `login_hint`.
    pub fn next_user(&self, user: &str) {
        self.shared.state().next_user = Some(user.to_owned());
    }

    /// The default claims of a token for `user` (to change before [`TestProvider::sign`]):
    /// iss, sub, aud = client id, azp, iat = now, exp = now + [`TOKEN_LIFETIME`], email,
    /// email_verified, preferred_username.
    pub fn claims_for(&self, user: &str) -> Value {
        default_claims(&self.shared.issuer, user)
    }

    /// `claims` signed with the current key (its kid in the header).
    pub fn sign(&self, claims: &Value) -> String {
        let state = self.shared.state();
        let key = state.published.last().expect("a current key");
        sign_with(key, claims)
    }

    /// A valid access token for `user` (aud = the client id), signed with the current key.
    pub fn access_token_for(&self, user: &str) -> String {
        self.sign(&self.claims_for(user))
    }

    /// A token for `user` with the default claims, signed with a P-256 key that was never
    /// published (its kid is unknown to the JWKS).
    pub fn token_signed_with_unknown_key(&self, user: &str) -> String {
        let mut key = make_key(KeyAlg::Es256, &mut self.shared.state().keys_made);
        key.kid = format!("unpublished-{}", key.kid);
        sign_with(&key, &self.claims_for(user))
    }

    /// A new key (same algorithm, new kid) becomes the current one; the old keys stay in the
    /// JWKS. Returns the new kid.
    pub fn rotate_key(&self) -> String {
        self.rotate(true)
    }

    /// A new key (same algorithm, new kid) becomes the current one and the only one in the
    /// JWKS. Returns the new kid.
    pub fn rotate_key_dropping_old(&self) -> String {
        self.rotate(false)
    }

    fn rotate(&self, keep_old: bool) -> String {
        let mut state = self.shared.state();
        let alg = state.alg;
        let key = make_key(alg, &mut state.keys_made);
        let kid = key.kid.clone();
        if !keep_old {
            state.published.clear();
        }
        state.published.push(key);
        kid
    }

    /// The kid of the current signing key.
    pub fn current_kid(&self) -> String {
        let state = self.shared.state();
        state.published.last().expect("a current key").kid.clone()
    }

    /// How many times the JWKS was fetched.
    pub fn jwks_requests(&self) -> usize {
        self.shared.state().jwks_requests
    }

    /// How many token requests were made.
    pub fn token_requests(&self) -> usize {
        self.shared.state().token_requests
    }

    /// How the client authenticated at the last token request: `client_secret_basic` or
    /// `client_secret_post`.
    pub fn last_token_auth_method(&self) -> Option<String> {
        self.shared.state().last_auth_method.clone()
    }

    /// Makes the discovery document name another issuer (to test the issuer check).
    pub fn set_discovery_issuer(&self, issuer: &str) {
        self.shared.state().discovery_issuer = Some(issuer.to_owned());
    }

    /// The `token_endpoint_auth_methods_supported` of the discovery document (both by default).
    /// The token endpoint accepts only these.
    pub fn set_token_auth_methods(&self, methods: &[&str]) {
        self.shared.state().auth_methods = methods.iter().map(|m| (*m).to_owned()).collect();
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_secs()
}

/// The claims of a token for `user`, as [`TestProvider::claims_for`] describes them.
fn default_claims(issuer: &str, user: &str) -> Value {
    let now = now_secs();
    json!({
        "iss": issuer,
        "sub": format!("sub-{}", URL_SAFE_NO_PAD.encode(Sha256::digest(user.as_bytes()))),
        "aud": CLIENT_ID,
        "azp": CLIENT_ID,
        "iat": now,
        "exp": now + TOKEN_LIFETIME,
        "email": user,
        "email_verified": true,
        "preferred_username": user,
    })
}

fn sign_with(key: &SigningKey, claims: &Value) -> String {
    let mut header = Header::new(key.alg);
    header.kid = Some(key.kid.clone());
    jsonwebtoken::encode(&header, claims, &key.encoding).expect("sign a test token")
}

/// A new key of `alg`; `made` counts the keys made, for distinct kids.
fn make_key(alg: KeyAlg, made: &mut usize) -> SigningKey {
    *made += 1;
    let (kid, alg, encoding) = match alg {
        KeyAlg::Rs256 => {
            let pem = if *made % 2 == 1 { RSA_KEY_1 } else { RSA_KEY_2 };
            let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
            let der = STANDARD.decode(body).expect("the embedded RSA key");
            (
                format!("rsa-{made}"),
                Algorithm::RS256,
                EncodingKey::from_rsa_der(&der),
            )
        }
        KeyAlg::Es256 => {
            use p256::pkcs8::EncodePrivateKey as _;
            let secret = loop {
                // Nearly every 32-byte string is a valid scalar; retry the rare one that is not.
                if let Ok(secret) = p256::SecretKey::from_slice(&rand::random::<[u8; 32]>()) {
                    break secret;
                }
            };
            let der = secret.to_pkcs8_der().expect("PKCS#8 of a P-256 key");
            (
                format!("ec-{made}"),
                Algorithm::ES256,
                EncodingKey::from_ec_der(der.as_bytes()),
            )
        }
    };
    let mut jwk = Jwk::from_encoding_key(&encoding, alg).expect("the JWK of a test key");
    jwk.common.key_id = Some(kid.clone());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    SigningKey {
        kid,
        alg,
        encoding,
        jwk,
    }
}

async fn discovery(shared: web::Data<Shared>) -> HttpResponse {
    let state = shared.state();
    let issuer = &shared.issuer;
    HttpResponse::Ok().json(json!({
        "issuer": state.discovery_issuer.as_deref().unwrap_or(issuer),
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        "token_endpoint_auth_methods_supported": state.auth_methods,
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "email", "profile"],
    }))
}

async fn jwks(shared: web::Data<Shared>) -> HttpResponse {
    let mut state = shared.state();
    state.jwks_requests += 1;
    let set = JwkSet {
        keys: state.published.iter().map(|k| k.jwk.clone()).collect(),
    };
    HttpResponse::Ok().json(set)
}

fn oauth_error(status: u16, error: &str, description: &str) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(status).expect("a status");
    HttpResponse::build(status).json(json!({"error": error, "error_description": description}))
}

async fn authorize(
    shared: web::Data<Shared>,
    query: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    let q = query.into_inner();
    let get = |name: &str| q.get(name).cloned();
    if get("response_type").as_deref() != Some("code") {
        return HttpResponse::BadRequest().body("response_type must be code");
    }
    if get("client_id").as_deref() != Some(CLIENT_ID) {
        return HttpResponse::BadRequest().body("unknown client_id");
    }
    let Some(redirect_uri) = get("redirect_uri") else {
        return HttpResponse::BadRequest().body("redirect_uri missing");
    };
    let Ok(mut location) = reqwest::Url::parse(&redirect_uri) else {
        return HttpResponse::BadRequest().body("redirect_uri is not a URL");
    };
    if !get("scope").is_some_and(|s| s.split(' ').any(|s| s == "openid")) {
        return HttpResponse::BadRequest().body("scope must hold openid");
    }
    let code_challenge = get("code_challenge");
    if code_challenge.is_some() && get("code_challenge_method").as_deref() != Some("S256") {
        return HttpResponse::BadRequest().body("code_challenge_method must be S256");
    }
    let code = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>());
    {
        let mut state = shared.state();
        let user = get("login_hint")
            .or_else(|| state.next_user.take())
            .unwrap_or_else(|| DEFAULT_USER.to_owned());
        state.grants.insert(
            code.clone(),
            Grant {
                user,
                nonce: get("nonce"),
                code_challenge,
                redirect_uri,
            },
        );
    }
    {
        let mut pairs = location.query_pairs_mut();
        pairs.append_pair("code", &code);
        if let Some(state) = get("state") {
            pairs.append_pair("state", &state);
        }
    }
    HttpResponse::Found()
        .insert_header(("Location", location.as_str()))
        .finish()
}

/// Client id and secret from `Authorization: Basic` (form-urlencoded parts) or the form.
fn client_credentials(
    request: &HttpRequest,
    form: &HashMap<String, String>,
) -> Option<(String, String, &'static str)> {
    if let Some(value) = request.headers().get("Authorization") {
        let encoded = value.to_str().ok()?.strip_prefix("Basic ")?;
        let decoded = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        let unescape = |s: &str| -> String {
            form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        return Some((unescape(id), unescape(secret), "client_secret_basic"));
    }
    Some((
        form.get("client_id")?.clone(),
        form.get("client_secret")?.clone(),
        "client_secret_post",
    ))
}

async fn token(
    shared: web::Data<Shared>,
    request: HttpRequest,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    let form = form.into_inner();
    let grant = {
        let mut state = shared.state();
        state.token_requests += 1;
        let Some((id, secret, method)) = client_credentials(&request, &form) else {
            return oauth_error(401, "invalid_client", "no client credentials");
        };
        state.last_auth_method = Some(method.to_owned());
        if !state.auth_methods.iter().any(|m| m == method) {
            return oauth_error(401, "invalid_client", "authentication method not allowed");
        }
        if id != CLIENT_ID || secret != CLIENT_SECRET {
            return oauth_error(401, "invalid_client", "wrong client credentials");
        }
        if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
            return oauth_error(400, "unsupported_grant_type", "only authorization_code");
        }
        // A code is single-use: taken out whatever follows.
        let Some(grant) = form.get("code").and_then(|c| state.grants.remove(c)) else {
            return oauth_error(400, "invalid_grant", "unknown or used code");
        };
        grant
    };
    if form.get("redirect_uri") != Some(&grant.redirect_uri) {
        return oauth_error(
            400,
            "invalid_grant",
            "redirect_uri differs from the authorize one",
        );
    }
    if let Some(challenge) = &grant.code_challenge {
        let verified = form.get("code_verifier").is_some_and(|verifier| {
            &URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge
        });
        if !verified {
            return oauth_error(400, "invalid_grant", "PKCE verification failed");
        }
    }
    let mut id_claims = default_claims(&shared.issuer, &grant.user);
    if let Some(nonce) = &grant.nonce {
        id_claims["nonce"] = json!(nonce);
    }
    let access_claims = default_claims(&shared.issuer, &grant.user);
    let state = shared.state();
    let key = state.published.last().expect("a current key");
    let id_token = sign_with(key, &id_claims);
    let access_token = sign_with(key, &access_claims);
    HttpResponse::Ok().json(json!({
        "access_token": access_token,
        "id_token": id_token,
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME,
    }))
}

// Fixed RSA 2048 test keys (PKCS#1), made with `openssl genrsa -traditional 2048`. Test use only.
const RSA_KEY_1: &str = r"-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEA3lUB2HIjgujO4CkCoe87YdEEwfbo3D3so7eNqh69CYmQBYR2
wEyJJSk+BRcomMHbKWSF0ZWrcgg6ynJiPll1XTvQMsVLDNTYXTFkQ0ZxE4uJykNK
BW0r380od7xSP+ONDH/KOZzC87jCvl4v5ri7OWhJypSiV9oI+7Ojw263yo0bWuL7
nJ/aYRBNi3DdHF7aEMfZWmhyQUB7h6QJpTfmt8wmngqfxVHot2Zpus0FbXcfN0Et
o+PCSderA3eUe/Cpmfqfc9wRcnIMj6u1847jpHnpJ8aCdciSbaHXEbSrbBYPfCK6
3H+QFZ6gbH3sY5QPSHpS900H0dJi+EbIh97jyQIDAQABAoIBADRhocgtiAlRMWBl
uR2O4BY5KR5LvmwZWNXvqnxAtrf3BYwPO+0tewha0aZgYOuwjKKRcOfCk/yPTM6i
qVvYNssLCw/TJM32na1DNESXZY+9ye5x8RAbOwGE8/pVz6kGwxYFS49MTDAgwR0Z
0r5Qmqe5Vt1YLHF3SLOIjNZAESQyrySixR8uq5ocKCi1B+guOXT12vI7KcF09pY5
vGpEjztCdqYmXzww80FxjP+sjf2RpLypHKdKtsHs0cWhIDJw/pTTnFBJt4XTn+by
hs5odD99jOjwMn4WWGN0mYHvQp5ncz7qUIiWc1BUD/1JzN7mN3nWhWTvJA69DCXO
oUYCZ+kCgYEA854e+64oP3B8QVU3GE06jPd6yuVXwh5gXKumL01nY1TR7FMxtMQJ
vCrtowWM7tI+/3vlriTadijPrVuXHn0qWIl2PSAVHtwC4v/LzCVkDuM6Sh3xGjyR
hlgeNyJqoNg3/gqM70dhR5sNEWtaGnWaP0Mfs0djAOVrAB0m2sLwVGUCgYEA6aHs
pik+9sl8uUpTUxn/TzWuLq27qKxgTmxwArb3XBIZG+qVtrpZv9ydAyM2/demeU6t
88vxnMMwPCdxepHzPTrTVauXZmNqcyzNq91Io5BIk3MHz499lhSvdDi5kpQqLNPR
vYIExtp+MCutxxdmIVxBxm9Rm/xkr3+VS7D94ZUCgYADvGADQgdx+ZqeMd1XbQ/B
y6XBaMTwwCCAK02wGgLE3i8d7aSsffkcPphIULR5kRXQOykpg30qJLQSl334xLia
hPkgNNa+E2ej7YJFjik7pTZmnpDs8xLUOZO1Cr0R3F73cVf572FJhNItezT1hOop
oDDjQev9vobmiIvo/OZMlQKBgAvq3ZZwPiz6hCkzeGKhzdstgtAQvqTQ/iyh7WjG
CoIgzjUVV0O158QYrc2uKyzxpiVD9S2ddpqnfjtjS6+T6FN0P7l8AkIPyitL2sXs
iLsHLhyPXpOg3ygbsAN+rUCj3C7jMyy2iCXYmV09rSSdtfD3ssc7gG8zhbNKD8SH
p7utAoGBAN/BzZFAo1/qc2KMI0qM1m3m5mGIu2N8tfawG61dMz4IRwuXNOzE0JMw
WgSfdMvw8WsCoQSo2LNvbi+uUYwZmY/5EpnYlREBjvD39UMWzEWQR8tykI8NBIGd
2vvF7LyAmJLEbileBPoYwEgzvLurpcK/iRv71MIeF1Ofz0ExJtmp
-----END RSA PRIVATE KEY-----";

const RSA_KEY_2: &str = r"-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAghI8tHrqTixETJv4oRpiRmqhyI52n3fDHzBfLy13z776HmP4
ah28Lvo6hHIkUsG3Zp1yBwFa29Y01ewvwJCb6L6+Nkx6qk3fGoHzV7GAJ6Vig3pB
Wb8xcHUbagJw7vjcYKdyEESeJLjvEUtAstJ6tkolajBd0H9ly6YVeIUxWIDPXgm8
I04vBnIDEHW9klfqYUUzG809f3T6AttPzkLKaypSlBpEv/uksVSxgxA6tum5IFkG
CXc2AphF2Lxxu+zJgymO56lgnS4EEVIR9sfJJ0pZWj7d92tP9nPBU0VeN7RoFox5
SSlRBRGDqSKYkNgaZFBP4WFvx7E43Or44X0izwIDAQABAoIBAATWtNdp8ylxUCEh
dEBaAOnpsZcKZbNM+z8/x2qz4E8kJZ3Xzjf0XznIKUEgFeXWOwJgPQuxqzWeZFzI
6oXZW1NvNRhEBBQtzWzpBKpwefn/lwiZFbFHAYnTcW+iI51gOKKH2CBuzQtErfAQ
wplkZxg87eNjZToKYzkONqJDIjDOnFSU5gfoB+RrVf9dYYke6bB+UJn+wC32/796
FvS8FfHn679gHZDmNc/pdhXq/XIjOn+BZLEUgfv2CpnmsO/8YQMP+kIxnVrMt3S4
YJyg7XA4dFy/psB/QaxeSx/okwWwq6pE9FVpEB+8U3tAytDr1kZba/TCl9gut9/L
jf0m5oECgYEAtx0zwqGW5cH5bgQkCTtFrPu0Fq6TOY8YQE9JvV7UsO9ezAusUE57
hVDCJ+7kwUQzKG/YKkaLuj1BM0q5Bj0SFgph151p9LnzeQIm8MDUsAIE5110s+sj
JiZWbtfBA9nq08yhdOLSCyiu9q+qCxLdXI/0Qw5NcAB2BjXt3bNm0SECgYEAtdgf
acbNW7Nvt9X+BtIWxmJqkIdV7ZpYWGrsQAaGzyQ8VhhMrLlYxr2urcPwUaNdPrWO
EXlKgWRQSw2QCY+ESG0gM2MKwbzKKXbuFmUKMS0NhZoVnBEcdrcghosW10shAqeE
QoYdkczMDpf/lKmXs7qPeB6fl1KeGxPVOi/iRe8CgYAW59o/sIL1vqv67R2s4fM3
Tk0awT+9ZX79HG32+FPWxjqvf45QhWDCLnX7FNEcs/FKT6NUtnpoE52CUwiOFTmb
9DSFCjXk3RXtvy0r1JNGaRo/7trYXsOI1CbfurF0T+AmGmTgADeSGca5KQQ2WmfC
WmeNs85QAl7BLCHTJ8vmwQKBgQChWQCWdGUmZpJMBb3+A09d+1keoFaoGnklCspR
DPl0tmwq4Ci4YUTaItfpKqADb/Z+e81wx7RKFt3/mishsIvpT5pwvgJ/YKnoHLSo
fkKK27TRxKRD9BLTay2a87LymKDToBuEg0edZJ/ymv+VwtzuBiziohlsxUuwLurV
VENrVQKBgCpk+Lv1nqx77GBTtjVBCeqypX89BI1ohqYIl8bk2oPRkkhJ3XcRZvvX
7GyMVZ7kN7XLwN1pmtwPsRZ0Cq7lvJF645Iqw4WI6j+RdtB3YBYuA/++OSeLF5rH
Koo+la2O1QjEeiJysXOcMCY/RUU78t8DpKH95m3LKI+7v2zvJwFB
-----END RSA PRIVATE KEY-----";
