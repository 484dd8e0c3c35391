//! Signing in and out, the first admin, setting a password from a one-time link, single
//! sign-on. Each `POST` takes JSON (answered with JSON, documented in the OpenAPI document) or
//! a form of the sign-in pages (answered with a page or a redirect).

use super::users::{change_own_password, me_of, Me, PasswordRefused, UserView};
use crate::auth::session::{CSRF_FIELD, CSRF_HEADER};
use crate::auth::{password, secret, Caller, Via};
use crate::error::{ApiError, Problem};
use crate::pages::{self, Banner, Home};
use crate::state::AppState;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use rops_domain::role::Role;
use rops_domain::validation::FieldError;
use rops_store::accounts::{self, LinkPurpose, LinkRefused, NewUser, Session, User};
use rops_store::clock::stamp;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use utoipa::ToSchema;

/// Failed sign-ins for one login within [`THROTTLE_WINDOW_MINUTES`] after which it is refused.
pub const THROTTLE_FAILURES: usize = 5;
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;
/// How long a setup link (the first admin) stays valid.
pub const SETUP_LINK_HOURS: i64 = 24;
/// How long a started single sign-on may take.
const OIDC_PENDING_MINUTES: i64 = 10;

/// A body as JSON or as a form of the pages.
enum Body<T> {
    Json(T),
    Form(T),
}

impl<T> Body<T> {
    fn is_form(&self) -> bool {
        matches!(self, Self::Form(_))
    }
    fn into_inner(self) -> T {
        match self {
            Self::Json(t) | Self::Form(t) => t,
        }
    }
}

fn parse_body<T: DeserializeOwned>(req: &HttpRequest, bytes: &[u8]) -> Result<Body<T>, ApiError> {
    let media = crate::http::MediaType::of(req);
    match media.essence().unwrap_or_default() {
        "application/json" => crate::http::json_object(bytes).map(Body::Json),
        "application/x-www-form-urlencoded" => serde_urlencoded::from_bytes(bytes)
            .map(Body::Form)
            .map_err(|e| ApiError::validation(vec![FieldError::new("body", e.to_string())])),
        _ => Err(ApiError::UnsupportedMediaType(
            "send application/json (or the sign-in page's form)".into(),
        )),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"login": "anna.nowak@rops.opole.pl", "password": "Ekonomia-społeczna-2025"}))]
pub struct SignIn {
    /// The login or e-mail (any case).
    #[schema(example = "anna.nowak@rops.opole.pl", pattern = "^.{1,256}$")]
    pub login: String,
    #[schema(format = Password)]
    pub password: String,
}

/// Why a sign-in was refused.
enum Refused {
    /// Too many failures for this login: seconds to wait.
    Throttled(i64),
    /// Wrong login or password: one answer for both.
    Wrong,
    Deactivated,
    Api(ApiError),
}

impl From<ApiError> for Refused {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

/// Checks a login and password against the accounts and the throttle; records a failure.
async fn check_sign_in(state: &AppState, login: &str, pass: String) -> Result<User, Refused> {
    let login = accounts::normalise_login(login);
    let now = state.clock.now();
    let window = Duration::minutes(THROTTLE_WINDOW_MINUTES);
    let since = stamp(now - window);
    let (failures, user) = {
        let login = login.clone();
        state
            .db(move |conn| {
                Ok((
                    accounts::failures_since(conn, &login, &since)?,
                    accounts::find_user(conn, &login)?,
                ))
            })
            .await?
    };
    if failures.len() >= THROTTLE_FAILURES {
        let oldest = &failures[failures.len() - THROTTLE_FAILURES];
        let until = DateTime::parse_from_rfc3339(oldest)
            .map(|t| t.with_timezone(&Utc) + window)
            .unwrap_or(now + window);
        return Err(Refused::Throttled((until - now).num_seconds().max(1)));
    }
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    // The same work whether the login exists or not: one Argon2id run.
    let ok = password::run(move || password::verify(&pass, stored.as_deref())).await?;
    match user {
        Some(user) if ok => {
            let login = login.clone();
            state
                .write(move |conn| accounts::clear_failures(conn, &login))
                .await?;
            if user.active {
                Ok(user)
            } else {
                Err(Refused::Deactivated)
            }
        }
        _ => {
            let at = stamp(now);
            let forget = stamp(now - window);
            state
                .write(move |conn| accounts::record_failure(conn, &login, &at, &forget))
                .await?;
            Err(Refused::Wrong)
        }
    }
}

/// Starts a session for `user`: its cookie and the caller it makes.
async fn start_session(state: &AppState, user: User) -> Result<(HttpResponse, Caller), ApiError> {
    let id = secret::random_token();
    let csrf = secret::random_token();
    let now = state.clock.now();
    let settings = state.sessions;
    let session = Session {
        id_hash: secret::digest(&id),
        login: user.login.clone(),
        csrf_token: csrf.clone(),
        created_at: stamp(now),
        last_seen_at: stamp(now),
        expires_at: stamp(now + settings.absolute),
    };
    let id_hash = session.id_hash.clone();
    let idle_since = stamp(now - settings.idle);
    let now_stamp = stamp(now);
    state
        .write(move |conn| {
            accounts::purge_sessions(conn, &now_stamp, &idle_since)?;
            accounts::create_session(conn, &session)
        })
        .await?;
    tracing::info!(login = %user.login, "signed in");
    let caller = Caller::of_user(user, Via::Session { csrf, id_hash })?;
    let mut res = HttpResponse::Ok();
    res.cookie(settings.cookie(&id))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    Ok((res.finish(), caller))
}

fn sso_name(state: &AppState) -> Option<String> {
    state.oidc.as_ref().map(|o| o.display_name())
}

/// The sign-in page.
#[get("/login")]
pub async fn sign_in_page(state: web::Data<AppState>) -> HttpResponse {
    pages::respond(
        StatusCode::OK,
        pages::sign_in("", None, sso_name(&state).as_deref()),
    )
}

/// Signs in with a login and password.
///
/// Sets a session cookie (`rops_session`: HttpOnly, SameSite=Lax, Secure unless
/// ROPS_INSECURE_COOKIES=1) and answers who signed in, with the session's CSRF token. The
/// sign-in page (`/login`) posts its form here too, and gets a page back.
///
/// After 5 failures for one login within 15 minutes, attempts for it get 429 with
/// `Retry-After` until 15 minutes after the first of them; unknown logins and wrong passwords
/// get the same answer.
#[utoipa::path(
    operation_id = "sign_in",
    tag = "auth",
    request_body = SignIn,
    responses(
        (status = 200, description = "Signed in; the cookie is set", body = Me, headers(("Set-Cookie" = String, description = "rops_session=…; HttpOnly; SameSite=Lax; Secure; Path=/"))),
        (status = 401, description = "Wrong login or password", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The account is deactivated", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failures for this login", body = Problem, content_type = "application/problem+json", headers(("Retry-After" = i64, description = "Seconds to wait"))),
    )
)]
#[post("/auth/login")]
pub async fn sign_in(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: Body<SignIn> = parse_body(&req, &bytes)?;
    let form = body.is_form();
    let SignIn { login, password } = body.into_inner();
    let page_error = |status: StatusCode, message: &str| {
        pages::respond(
            status,
            pages::sign_in(&login, Some(message), sso_name(&state).as_deref()),
        )
    };
    let user = match check_sign_in(&state, &login, password).await {
        Ok(user) => user,
        Err(Refused::Api(e)) => return Err(e),
        Err(Refused::Throttled(secs)) => {
            let minutes = (secs + 59) / 60;
            let mut res = if form {
                page_error(
                    StatusCode::TOO_MANY_REQUESTS,
                    &format!(
                        "Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za {minutes} min."
                    ),
                )
            } else {
                actix_web::ResponseError::error_response(&ApiError::TooManyRequests(format!(
                    "too many failed sign-ins for this login; try again in {secs} s"
                )))
            };
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return Ok(res);
        }
        Err(Refused::Wrong) if form => {
            return Ok(page_error(
                StatusCode::UNAUTHORIZED,
                "Nieprawidłowy login lub hasło.",
            ))
        }
        Err(Refused::Wrong) => {
            return Err(ApiError::Unauthorized("wrong login or password".into()))
        }
        Err(Refused::Deactivated) if form => {
            return Ok(page_error(
                StatusCode::FORBIDDEN,
                "To konto jest wyłączone. Skontaktuj się z administratorem ROPS.",
            ))
        }
        Err(Refused::Deactivated) => {
            return Err(ApiError::Forbidden(
                "this account is deactivated; ask a ROPS administrator".into(),
            ))
        }
    };
    let landing = pages::landing(&user);
    let (res, caller) = start_session(&state, user).await?;
    if form {
        return Ok(redirect_with_cookies(&res, &landing));
    }
    let mut ok = HttpResponse::Ok();
    ok.insert_header((header::CACHE_CONTROL, "no-store"));
    for cookie in res.cookies() {
        ok.cookie(cookie);
    }
    Ok(ok.json(me_of(&caller)))
}

/// The sign-out form of the pages; a script sends no body and the `X-CSRF-Token` header.
#[derive(Debug, Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

/// The session of a cookie and its CSRF token checked against a form field or the header;
/// `None` when there is no valid session.
pub(crate) async fn session_of(
    state: &AppState,
    req: &HttpRequest,
) -> Result<Option<(Session, User)>, ApiError> {
    let Some(cookie) = req.cookie(crate::auth::session::COOKIE) else {
        return Ok(None);
    };
    Ok(crate::auth::live_session(state, cookie.value()).await?.ok())
}

pub(crate) fn csrf_matches(req: &HttpRequest, form_token: &str, session: &Session) -> bool {
    let sent = req
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or(form_token);
    secret::same(sent, &session.csrf_token)
}

/// Signs out.
///
/// The session ends on the server and the cookie is removed. A form sends the session's
/// `csrf_token` field, a script the `X-CSRF-Token` header.
#[utoipa::path(
    operation_id = "sign_out",
    tag = "auth",
    responses(
        (status = 204, description = "Signed out (also when no session was open)"),
        (status = 403, description = "The CSRF token is missing or wrong", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
pub async fn sign_out(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let form =
        crate::http::MediaType::of(&req).essence() == Some("application/x-www-form-urlencoded");
    // The pages' form carries the token; a script sends no body and the header.
    let bytes = payload
        .to_bytes_limited(crate::app::BODY_LIMIT)
        .await
        .map_err(|_| ApiError::PayloadTooLarge("the body is larger than 64 KiB".into()))?
        .map_err(|e| ApiError::BadRequest(format!("the body could not be read: {e}")))?;
    let token = if form {
        serde_urlencoded::from_bytes::<CsrfForm>(&bytes)
            .map(|f| f.csrf_token)
            .unwrap_or_default()
    } else {
        String::new()
    };
    if let Some((session, user)) = session_of(&state, &req).await? {
        if !csrf_matches(&req, &token, &session) {
            return Err(ApiError::Forbidden(format!(
                "signing out needs the session's CSRF token ({CSRF_FIELD} field or X-CSRF-Token header)"
            )));
        }
        let hash = session.id_hash;
        state
            .write(move |conn| accounts::end_session(conn, &hash))
            .await?;
        tracing::info!(login = %user.login, "signed out");
    }
    let mut res = if form {
        pages::see_other("/login")
    } else {
        HttpResponse::NoContent().finish()
    };
    let _ = res.add_cookie(&state.sessions.removal());
    Ok(res)
}

/// The page a signed-in person lands on; the sign-in page for everyone else.
#[get("/")]
pub async fn home(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    match session_of(&state, &req).await? {
        None => Ok(pages::see_other("/login")),
        Some((session, user)) => {
            let regions = regions_for(&state, &user).await?;
            Ok(home_page(
                &session,
                &user,
                &[],
                None,
                StatusCode::OK,
                regions,
            ))
        }
    }
}

/// The regions whose page `user` may open.
async fn regions_for(state: &AppState, user: &User) -> Result<Vec<(String, String)>, ApiError> {
    let principal = user.principal()?;
    let all = state.db(rops_store::queries::regions).await?;
    Ok(all
        .into_iter()
        .filter(|r| {
            principal
                .may(
                    rops_domain::policy::Action::ReadRollup,
                    rops_domain::policy::Resource::Region(&r.code),
                )
                .is_ok()
        })
        .map(|r| (r.code, r.name))
        .collect())
}

fn home_page(
    session: &Session,
    user: &User,
    errors: pages::FormErrors<'_>,
    notice: Option<&str>,
    status: StatusCode,
    regions: Vec<(String, String)>,
) -> HttpResponse {
    pages::respond(
        status,
        pages::home(&Home {
            banner: Banner::of(user, session),
            login: &user.login,
            org: user.org.as_deref(),
            region: user.region.as_ref().map(|r| r.as_str()),
            must_change_password: user.must_change_password,
            errors,
            notice,
            regions,
        }),
    )
}

#[derive(Debug, Deserialize)]
struct PasswordChangeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    old_password: String,
    #[serde(default)]
    new_password: String,
}

/// The password form of the home page.
#[post("/auth/password/change")]
pub async fn change_password_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<PasswordChangeForm>,
) -> Result<HttpResponse, ApiError> {
    let Some((session, user)) = session_of(&state, &req).await? else {
        return Ok(pages::see_other("/login"));
    };
    let f = form.into_inner();
    if !csrf_matches(&req, &f.csrf_token, &session) {
        return Ok(pages::respond(
            StatusCode::FORBIDDEN,
            pages::message(
                "Formularz wygasł",
                "Formularz nie pochodzi z tej sesji. Otwórz stronę ponownie i spróbuj jeszcze raz.",
                Some(("/", "Wróć")),
                true,
            ),
        ));
    }
    let caller = Caller::of_session(user.clone(), &session)?;
    match change_own_password(&state, &caller, &user, f.old_password, f.new_password).await {
        Ok(()) => {
            let user = User {
                must_change_password: false,
                ..user
            };
            Ok(home_page(
                &session,
                &user,
                &[],
                Some("Hasło zostało zmienione."),
                StatusCode::OK,
                regions_for(&state, &user).await?,
            ))
        }
        Err(refused) => {
            let (field, message) = match refused {
                PasswordRefused::WrongOld => (
                    "old_password",
                    "Obecne hasło jest nieprawidłowe.".to_owned(),
                ),
                PasswordRefused::Weak(weak) => ("new_password", weak.polish()),
                PasswordRefused::Api(e) => return Err(e),
            };
            Ok(home_page(
                &session,
                &user,
                &[(field, message)],
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                Vec::new(),
            ))
        }
    }
}

/// Why a link cannot be used, in Polish for its page and in English for the API.
fn link_refused(why: LinkRefused) -> (&'static str, ApiError) {
    match why {
        LinkRefused::Unknown => (
            "Ten link jest nieprawidłowy. Sprawdź, czy został skopiowany w całości.",
            ApiError::NotFound("no such link; check it was copied whole".into()),
        ),
        LinkRefused::Used => (
            "Ten link został już użyty. Poproś administratora o nowy.",
            ApiError::Conflict(
                "the link was used already; ask an administrator for a new one".into(),
            ),
        ),
        LinkRefused::Expired => (
            "Ten link wygasł. Poproś administratora o nowy.",
            ApiError::Conflict("the link has expired; ask an administrator for a new one".into()),
        ),
    }
}

/// A refused link: its page for a form, its problem for JSON.
fn refuse_link(form: bool, title: &str, why: LinkRefused) -> Result<HttpResponse, ApiError> {
    let (pl, api) = link_refused(why);
    if form {
        let status = actix_web::ResponseError::status_code(&api);
        return Ok(pages::respond(
            status,
            pages::message(title, pl, None, true),
        ));
    }
    Err(api)
}

/// A 303 to `to` carrying the cookies `res` sets (a new session).
fn redirect_with_cookies(res: &HttpResponse, to: &str) -> HttpResponse {
    let mut redirect = pages::see_other(to);
    for cookie in res.cookies() {
        let _ = redirect.add_cookie(&cookie);
    }
    redirect
}

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// The first admin's page (the link `serve` prints when no user exists).
#[get("/setup")]
pub async fn setup_page(
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, ApiError> {
    let token = query.into_inner().token;
    let hash = secret::digest(&token);
    let now = state.clock.stamp();
    let (link, users) = state
        .db(move |conn| {
            Ok((
                accounts::check_link(conn, &hash, LinkPurpose::Setup, &now)?,
                accounts::count_users(conn)?,
            ))
        })
        .await?;
    if users > 0 {
        return Ok(already_set_up());
    }
    Ok(match link {
        Ok(_) => pages::respond(StatusCode::OK, pages::setup(&token, "", "", &[])),
        Err(why) => pages::respond(
            StatusCode::NOT_FOUND,
            pages::message("Pierwszy administrator", link_refused(why).0, None, true),
        ),
    })
}

fn already_set_up() -> HttpResponse {
    pages::respond(
        StatusCode::CONFLICT,
        pages::message(
            "Pierwszy administrator",
            "Konto administratora już istnieje. Zaloguj się albo poproś administratora o konto.",
            Some(("/login", "Przejdź do logowania")),
            true,
        ),
    )
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"token": "q3VtZXhhbXBsZS10b2tlbi1vZi00My1jaGFyYWN0ZXI", "login": "admin@rops.opole.pl", "name": "Anna Nowak", "password": "Ekonomia-społeczna-2025"}))]
pub struct Setup {
    /// The token of the link `serve` printed.
    #[schema(pattern = "^[A-Za-z0-9_-]{43}$")]
    pub token: String,
    #[schema(pattern = "^[A-Za-z0-9._@+-]{2,128}$", example = "admin@rops.opole.pl")]
    pub login: String,
    #[schema(example = "Anna Nowak")]
    pub name: String,
    #[schema(format = Password)]
    pub password: String,
}

/// Creates the first admin.
///
/// With the one-time link `serve` printed when no user existed: an admin of every region.
/// Works once, within 24 hours, and only while there is no user.
#[utoipa::path(
    operation_id = "set_up_first_admin",
    tag = "auth",
    request_body = Setup,
    responses(
        (status = 201, body = UserView),
        (status = 404, description = "No such link", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The link was used or has expired, or a user exists already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad login or name, a weak password", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/setup")]
pub async fn setup(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: Body<Setup> = parse_body(&req, &bytes)?;
    let form = body.is_form();
    let Setup {
        token,
        login,
        name,
        password: pass,
    } = body.into_inner();
    let mut errors: Vec<(&str, String, String)> = Vec::new();
    let login_ok = super::users::check_login(&login);
    if let Err(e) = &login_ok {
        errors.push((
            "login",
            e.message.clone(),
            "Login: 2–128 znaków: litery a–z, cyfry i . _ @ + -".into(),
        ));
    }
    if !super::users::name_is_valid(&name) {
        errors.push((
            "name",
            "1 to 200 characters without control characters".into(),
            "Podaj imię i nazwisko (do 200 znaków).".into(),
        ));
    }
    if let Err(weak) = password::check(&pass, &login) {
        errors.push(("password", weak.to_string(), weak.polish()));
    }
    if !errors.is_empty() {
        if form {
            let fields: Vec<(&str, String)> =
                errors.into_iter().map(|(f, _, pl)| (f, pl)).collect();
            return Ok(pages::respond(
                StatusCode::UNPROCESSABLE_ENTITY,
                pages::setup(&token, &login, &name, &fields),
            ));
        }
        return Err(ApiError::validation(
            errors
                .into_iter()
                .map(|(f, en, _)| FieldError::new(f, en))
                .collect(),
        ));
    }
    let hash = password::run(move || password::hash(&pass))
        .await?
        .map_err(ApiError::internal)?;
    let login = login_ok.map_err(|e| ApiError::validation(vec![e]))?;
    let clock = state.clock;
    let token_hash = secret::digest(&token);
    let new = NewUser {
        login: login.clone(),
        name: name.trim().to_owned(),
        role: Role::Admin,
        org: None,
        region: None,
        password_hash: Some(hash),
        must_change_password: false,
    };
    let outcome = state
        .write(move |conn| {
            if accounts::count_users(conn)? > 0 {
                return Ok(Err(None));
            }
            match accounts::use_link(conn, &token_hash, LinkPurpose::Setup, &clock.stamp())? {
                Ok(_) => {
                    let actor = rops_store::reports::Actor::new("setup", clock);
                    Ok(Ok(accounts::create_user(conn, &new, &actor)?))
                }
                Err(why) => Ok(Err(Some(why))),
            }
        })
        .await?;
    match outcome {
        Ok(user) => {
            tracing::info!(login = %user.login, "first admin created");
            if form {
                return Ok(pages::respond(
                    StatusCode::CREATED,
                    pages::message(
                        "Konto utworzone",
                        "Konto administratora zostało utworzone. Możesz się zalogować.",
                        Some(("/login", "Przejdź do logowania")),
                        false,
                    ),
                ));
            }
            Ok(HttpResponse::Created().json(UserView::from(user)))
        }
        Err(None) if form => Ok(already_set_up()),
        Err(None) => Err(ApiError::Conflict(
            "a user exists already; the first admin is set up once".into(),
        )),
        Err(Some(why)) => refuse_link(form, "Pierwszy administrator", why),
    }
}

/// The page of a password link (a new account created without a password).
#[get("/set-password")]
pub async fn password_page(
    state: web::Data<AppState>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, ApiError> {
    let token = query.into_inner().token;
    let hash = secret::digest(&token);
    let now = state.clock.stamp();
    let link = state
        .db(move |conn| accounts::check_link(conn, &hash, LinkPurpose::Password, &now))
        .await?;
    Ok(match link {
        Ok(login) => pages::respond(
            StatusCode::OK,
            pages::set_password(&token, login.as_deref().unwrap_or_default(), &[]),
        ),
        Err(why) => pages::respond(
            StatusCode::NOT_FOUND,
            pages::message("Ustaw hasło", link_refused(why).0, None, true),
        ),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"token": "q3VtZXhhbXBsZS10b2tlbi1vZi00My1jaGFyYWN0ZXI", "password": "Ekonomia-społeczna-2025"}))]
pub struct SetPassword {
    /// The token of the link an administrator handed out.
    #[schema(pattern = "^[A-Za-z0-9_-]{43}$")]
    pub token: String,
    #[schema(format = Password)]
    pub password: String,
}

/// Sets a password with a one-time link.
///
/// The link (valid 72 h, usable once) is what an administrator was given when creating the
/// account without a password.
#[utoipa::path(
    operation_id = "set_password_with_link",
    tag = "auth",
    request_body = SetPassword,
    responses(
        (status = 204, description = "The password is set"),
        (status = 404, description = "No such link", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The link was used or has expired", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A weak password", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/password")]
pub async fn set_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    bytes: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: Body<SetPassword> = parse_body(&req, &bytes)?;
    let form = body.is_form();
    let SetPassword {
        token,
        password: pass,
    } = body.into_inner();
    let token_hash = secret::digest(&token);
    let now = state.clock.stamp();
    let link = {
        let token_hash = token_hash.clone();
        state
            .db(move |conn| accounts::check_link(conn, &token_hash, LinkPurpose::Password, &now))
            .await?
    };
    let login = match link {
        Ok(login) => login.unwrap_or_default(),
        Err(why) => return refuse_link(form, "Ustaw hasło", why),
    };
    if let Err(weak) = password::check(&pass, &login) {
        if form {
            return Ok(pages::respond(
                StatusCode::UNPROCESSABLE_ENTITY,
                pages::set_password(&token, &login, &[("password", weak.polish())]),
            ));
        }
        return Err(ApiError::validation(vec![FieldError::new(
            "password",
            weak.to_string(),
        )]));
    }
    let hash = password::run(move || password::hash(&pass))
        .await?
        .map_err(ApiError::internal)?;
    let clock = state.clock;
    let outcome = state
        .write(move |conn| {
            match accounts::use_link(conn, &token_hash, LinkPurpose::Password, &clock.stamp())? {
                Ok(login) => {
                    let login = login.unwrap_or_default();
                    let actor = rops_store::reports::Actor::new(&login, clock);
                    accounts::set_password(conn, &login, &hash, false, &actor)?;
                    accounts::end_sessions_of(conn, &login)?;
                    Ok(Ok(login))
                }
                Err(why) => Ok(Err(why)),
            }
        })
        .await?;
    match outcome {
        Ok(login) => {
            tracing::info!(login = %login, "password set with a link");
            if form {
                return Ok(pages::respond(
                    StatusCode::OK,
                    pages::message(
                        "Hasło ustawione",
                        "Hasło zostało ustawione. Możesz się zalogować.",
                        Some(("/login", "Przejdź do logowania")),
                        false,
                    ),
                ));
            }
            Ok(HttpResponse::NoContent().finish())
        }
        Err(why) => refuse_link(form, "Ustaw hasło", why),
    }
}

/// Starts a single sign-on: to the provider, with PKCE, state and nonce.
#[get("/auth/oidc/start")]
pub async fn oidc_start(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let Some(oidc) = state.oidc.clone() else {
        return Err(ApiError::NotFound(
            "single sign-on is not configured (ROPS_OIDC_ISSUER…)".into(),
        ));
    };
    let (url, pending) = match oidc.begin().await {
        Ok(started) => started,
        Err(e) => {
            tracing::warn!(error = %e, "single sign-on could not start");
            return Ok(pages::respond(
                StatusCode::BAD_GATEWAY,
                pages::message(
                    "Logowanie",
                    "Nie udało się połączyć z dostawcą logowania. Spróbuj ponownie za chwilę albo zaloguj się hasłem.",
                    Some(("/login", "Wróć do logowania")),
                    true,
                ),
            ));
        }
    };
    let now = state.clock.now();
    let forget = stamp(now - Duration::minutes(OIDC_PENDING_MINUTES));
    let now = stamp(now);
    state
        .write(move |conn| {
            accounts::put_oidc_login(
                conn,
                &secret::digest(&pending.state),
                &pending.nonce,
                &pending.verifier,
                &now,
                &forget,
            )
        })
        .await?;
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, url))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

#[derive(Debug, Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

fn sso_refused(status: StatusCode, text: &str) -> HttpResponse {
    pages::respond(
        status,
        pages::message(
            "Logowanie",
            text,
            Some(("/login", "Wróć do logowania")),
            true,
        ),
    )
}

/// The provider's answer: the code exchanged, the ID token checked, the person matched to an
/// account by login; a session starts. Unknown people are refused, not created.
#[get("/auth/oidc/callback")]
pub async fn oidc_callback(
    state: web::Data<AppState>,
    query: web::Query<Callback>,
) -> Result<HttpResponse, ApiError> {
    let Some(oidc) = state.oidc.clone() else {
        return Err(ApiError::NotFound(
            "single sign-on is not configured (ROPS_OIDC_ISSUER…)".into(),
        ));
    };
    let q = query.into_inner();
    let (Some(code), Some(sent_state)) = (q.code, q.state) else {
        let why = q.error.unwrap_or_else(|| "no code".into());
        tracing::info!(error = %why, "single sign-on refused by the provider");
        return Ok(sso_refused(
            StatusCode::UNAUTHORIZED,
            "Dostawca logowania nie potwierdził tożsamości. Spróbuj ponownie.",
        ));
    };
    let since = stamp(state.clock.now() - Duration::minutes(OIDC_PENDING_MINUTES));
    let hash = secret::digest(&sent_state);
    let pending = state
        .write(move |conn| accounts::take_oidc_login(conn, &hash, &since))
        .await?;
    let Some((nonce, verifier)) = pending else {
        return Ok(sso_refused(
            StatusCode::BAD_REQUEST,
            "To logowanie wygasło albo zostało już użyte. Zacznij od nowa.",
        ));
    };
    let pending = crate::oidc::PendingLogin {
        state: sent_state.clone(),
        nonce,
        verifier,
    };
    let claim = match oidc.finish(&code, &sent_state, &pending).await {
        Ok(claim) => claim,
        Err(e) => {
            tracing::warn!(error = %e, "single sign-on failed");
            return Ok(sso_refused(
                if e.is_unavailable() {
                    StatusCode::BAD_GATEWAY
                } else {
                    StatusCode::UNAUTHORIZED
                },
                "Nie udało się potwierdzić tożsamości u dostawcy logowania. Spróbuj ponownie.",
            ));
        }
    };
    let user = {
        let claim = claim.clone();
        state
            .db(move |conn| accounts::find_user(conn, &claim))
            .await?
    };
    let user = match user {
        Some(u) if u.active => u,
        Some(_) => {
            return Ok(sso_refused(
                StatusCode::FORBIDDEN,
                "To konto jest wyłączone. Skontaktuj się z administratorem ROPS.",
            ))
        }
        None => {
            tracing::info!(claim = %claim, "single sign-on of a person without an account");
            return Ok(sso_refused(
                StatusCode::FORBIDDEN,
                &format!("Nie ma konta rops-hub dla {claim}. Poproś administratora ROPS o założenie konta."),
            ));
        }
    };
    let landing = pages::landing(&user);
    let (res, _) = start_session(&state, user).await?;
    Ok(redirect_with_cookies(&res, &landing))
}

/// Creates a setup link when no user exists: its URL, for `serve` to print once.
pub async fn setup_link_if_no_user(
    state: &AppState,
    base: &str,
) -> Result<Option<String>, ApiError> {
    let token = secret::random_token();
    let hash = secret::digest(&token);
    let now = state.clock.now();
    let created = state
        .write(move |conn| {
            if accounts::count_users(conn)? > 0 {
                return Ok(false);
            }
            accounts::create_link(
                conn,
                &hash,
                LinkPurpose::Setup,
                None,
                &stamp(now),
                &stamp(now + Duration::hours(SETUP_LINK_HOURS)),
            )?;
            Ok(true)
        })
        .await?;
    Ok(created.then(|| format!("{}/setup?token={token}", base.trim_end_matches('/'))))
}
