//! Accounts: the admin API (`/users`) and each person's own (`/me`: who am I, my password, my
//! API keys).

use super::reports::actor;
use crate::auth::password;
use crate::auth::secret;
use crate::auth::{Caller, Via};
use crate::error::{ApiError, Problem};
use crate::http::JsonObject;
use crate::state::AppState;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use rops_domain::policy::{Action, Principal, Resource};
use rops_domain::role::Role;
use rops_domain::stream::Stream;
use rops_domain::territory::RegionCode;
use rops_domain::validation::{FieldError, FieldErrors};
use rops_store::accounts::{self, ApiKey, LinkPurpose, NewUser, User, UserPatch};
use rops_store::clock::stamp;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

/// How long the link a new account gets (to set its password) stays valid.
pub const PASSWORD_LINK_HOURS: i64 = 72;

/// An account as the API shows it (never its password).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    #[schema(
        pattern = "^[a-z0-9._@+-]{2,128}$",
        example = "anna.nowak@rops.opole.pl"
    )]
    pub login: String,
    #[schema(example = "Anna Nowak")]
    pub name: String,
    pub role: Role,
    /// The unit a bound role acts for: OWES code, gmina TERYT or entity code.
    #[schema(pattern = "^[A-Z0-9][A-Z0-9-]{1,31}$", example = "OWES-PN")]
    pub org: Option<String>,
    /// The region the person works in (for bound roles, their unit's); null for an analyst
    /// or admin of every region.
    pub region: Option<RegionCode>,
    pub active: bool,
    /// Whether a password is set (an account created without one has a link to set it).
    pub has_password: bool,
    /// The password was set by an administrator and must be changed at the next sign-in.
    pub must_change_password: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    pub updated_by: String,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        Self {
            has_password: u.password_hash.is_some(),
            login: u.login,
            name: u.name,
            role: u.role,
            org: u.org,
            region: u.region,
            active: u.active,
            must_change_password: u.must_change_password,
            created_at: u.created_at,
            updated_at: u.updated_at,
            updated_by: u.updated_by,
        }
    }
}

/// A one-time link, shown once: where a person sets their password.
#[derive(Debug, Serialize, ToSchema)]
pub struct OneTimeLink {
    #[schema(
        format = "uri",
        example = "https://rops.example.pl/set-password?token=q3VtZXhhbXBsZS10b2tlbi1vZi00My1jaGFyYWN0ZXI"
    )]
    pub url: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserCreated {
    pub user: UserView,
    /// When no password was given: the link (valid 72 h, usable once) where the person sets
    /// one. Hand it to them; it is not shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_link: Option<OneTimeLink>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"login": "jan.kowalski@owes-pn.pl", "name": "Jan Kowalski", "role": "owes", "org": "OWES-PN"}))]
pub struct UserCreate {
    /// E-mail or short name: 2–128 of letters, digits and `. _ @ + -`; case does not matter.
    #[schema(
        pattern = "^[A-Za-z0-9._@+-]{2,128}$",
        example = "anna.nowak@rops.opole.pl"
    )]
    pub login: String,
    #[schema(example = "Anna Nowak")]
    pub name: String,
    pub role: Role,
    /// Required for owes, gmina and entity: the unit's code.
    #[schema(pattern = "^[A-Z0-9][A-Z0-9-]{1,31}$", example = "OWES-PN")]
    #[serde(default)]
    pub org: Option<String>,
    /// For an analyst or admin: the region they work in (left out: every region). For bound
    /// roles it is their unit's region.
    #[serde(default)]
    pub region: Option<RegionCode>,
    /// An initial password (at least 12 characters, not a common one) the person must change
    /// at first sign-in. Left out: the answer carries a one-time link to set one.
    #[schema(format = Password)]
    #[serde(default)]
    pub password: Option<String>,
}

/// A change to an account; fields left out stay as they are, `null` clears `org` or
/// `region`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct UserChange {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
    #[schema(pattern = "^[A-Z0-9][A-Z0-9-]{1,31}$", value_type = Option<String>)]
    #[serde(default, deserialize_with = "some")]
    pub org: Option<Option<String>>,
    #[schema(value_type = Option<RegionCode>)]
    #[serde(default, deserialize_with = "some")]
    pub region: Option<Option<RegionCode>>,
    /// false deactivates: the person's sessions and keys stop working at once.
    #[serde(default)]
    pub active: Option<bool>,
}

/// A field present in the body, `null` included (`Some(None)`); absent stays `None`.
fn some<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    /// Only users of this region.
    #[param(value_type = Option<RegionCode>)]
    pub region: Option<String>,
    pub role: Option<Role>,
}

pub(crate) fn check_login(login: &str) -> Result<String, FieldError> {
    let login = accounts::normalise_login(login);
    let ok = (2..=128).contains(&login.len())
        && login
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._@+-".contains(&b));
    if ok {
        Ok(login)
    } else {
        Err(FieldError::new(
            "login",
            "2 to 128 characters: letters a–z, digits and . _ @ + -",
        ))
    }
}

/// A display name (of a person or a key): 1 to 200 characters, none a control character.
pub(crate) fn name_is_valid(name: &str) -> bool {
    let n = name.trim().chars().count();
    (1..=200).contains(&n) && !name.chars().any(char::is_control)
}

fn check_name(name: &str, errors: &mut FieldErrors) {
    if !name_is_valid(name) {
        errors.push("name", "1 to 200 characters without control characters");
    }
}

/// Whether `caller` may manage an account of `region`: admins only; a region-bound admin
/// only accounts of their region (not those of every region, nor of another).
fn may_manage(caller: &Caller, region: Option<&RegionCode>) -> Result<(), ApiError> {
    caller.may(Action::ManageUsers, Resource::Users)?;
    match (caller.region(), region) {
        (None, _) => Ok(()),
        (Some(own), None) => Err(ApiError::Forbidden(format!(
            "this account administers region {own} only; accounts of every region are for an admin without a region"
        ))),
        (Some(_), Some(r)) => caller.in_region(Action::ManageUsers, r.as_str()),
    }
}

/// The region an account of `role` for `org` (or `region`) would have; 422 when the unit
/// does not exist.
async fn region_of(
    state: &AppState,
    role: Role,
    org: Option<String>,
    region: Option<RegionCode>,
) -> Result<Option<RegionCode>, ApiError> {
    match (role.stream(), org) {
        (Some(stream), Some(org)) => state
            .db(move |conn| rops_store::reports::region_of_unit(conn, stream, &org))
            .await?
            .map(Some)
            .ok_or_else(|| {
                ApiError::validation(vec![FieldError::new(
                    "org",
                    format!("no {} with this code", stream.unit_noun()),
                )])
            }),
        _ => Ok(region),
    }
}

/// Where a one-time link points: `ROPS_PUBLIC_URL`, or the address the request came to.
pub fn link_url(state: &AppState, req: &HttpRequest, path: &str, token: &str) -> String {
    let base = state.public_url.clone().unwrap_or_else(|| {
        let info = req.connection_info();
        format!("{}://{}", info.scheme(), info.host())
    });
    format!("{}{path}?token={token}", base.trim_end_matches('/'))
}

/// Creates an account: an initial password to change at first sign-in, or a one-time link
/// (72 h) where the person sets one.
///
/// Admins; an admin bound to a region creates accounts of that region only.
#[utoipa::path(
    operation_id = "create_user",
    tag = "users",
    request_body = UserCreate,
    responses(
        (status = 201, body = UserCreated),
        (status = 403, description = "Not an admin, or another region", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The login is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad field, a weak password, an unknown unit or region", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    JsonObject(body): JsonObject<UserCreate>,
) -> Result<HttpResponse, ApiError> {
    caller.may(Action::ManageUsers, Resource::Users)?;
    let b = body;
    let mut errors = FieldErrors::default();
    let login = check_login(&b.login)
        .map_err(|e| errors.push(e.field, e.message))
        .ok();
    check_name(&b.name, &mut errors);
    if let Err(e) = Principal::new(b.role, b.org.as_deref()) {
        errors.push("org", e.to_string());
    }
    if let (Some(password), Some(login)) = (&b.password, &login) {
        if let Err(weak) = password::check(password, login) {
            errors.push("password", weak.to_string());
        }
    }
    let login = match login {
        Some(l) if errors.is_empty() => l,
        _ => return Err(ApiError::validation(errors.into_vec())),
    };
    let region = region_of(&state, b.role, b.org.clone(), b.region.clone()).await?;
    may_manage(&caller, region.as_ref())?;
    let hash = match b.password {
        Some(p) => Some(
            password::run(move || password::hash(&p))
                .await?
                .map_err(ApiError::internal)?,
        ),
        None => None,
    };
    let new = NewUser {
        login: login.clone(),
        name: b.name.trim().to_owned(),
        role: b.role,
        org: b.org,
        region: b.region,
        must_change_password: hash.is_some(),
        password_hash: hash,
    };
    let token = new.password_hash.is_none().then(secret::random_token);
    let clock = state.clock;
    let expires = stamp(clock.now() + Duration::hours(PASSWORD_LINK_HOURS));
    let (user, expires) = {
        let token = token.clone();
        state
            .write(move |conn| {
                let user = accounts::create_user(conn, &new, &actor(&caller, clock))?;
                if let Some(token) = token {
                    accounts::create_link(
                        conn,
                        &secret::digest(&token),
                        LinkPurpose::Password,
                        Some(&user.login),
                        &clock.stamp(),
                        &expires,
                    )?;
                }
                Ok((user, expires))
            })
            .await?
    };
    let password_link = token.map(|t| OneTimeLink {
        url: link_url(&state, &req, "/set-password", &t),
        expires_at: expires,
    });
    tracing::info!(login = %user.login, role = %user.role, "user created");
    Ok(HttpResponse::Created().json(UserCreated {
        user: user.into(),
        password_link,
    }))
}

/// Accounts, by login.
///
/// Admins, filtered by region and role; an admin bound to a region sees that region's
/// accounts only.
#[utoipa::path(
    operation_id = "list_users",
    tag = "users",
    params(UserFilter),
    responses(
        (status = 200, body = Vec<UserView>),
        (status = 403, description = "Not an admin, or another region", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<UserFilter>,
) -> Result<web::Json<Vec<UserView>>, ApiError> {
    caller.may(Action::ManageUsers, Resource::Users)?;
    let UserFilter { region, role } = filter.into_inner();
    super::region_filter(region.as_deref())?;
    let region = match (region, caller.region()) {
        (Some(r), Some(own)) if r != own => {
            caller.in_region(Action::ManageUsers, &r)?;
            Some(r)
        }
        (None, Some(own)) => Some(own.to_owned()),
        (r, _) => r,
    };
    let users = state
        .db(move |conn| accounts::list_users(conn, region.as_deref(), role))
        .await?;
    Ok(web::Json(users.into_iter().map(UserView::from).collect()))
}

async fn user_for_admin(
    state: &AppState,
    caller: &Caller,
    login: String,
) -> Result<User, ApiError> {
    caller.may(Action::ManageUsers, Resource::Users)?;
    let user = state
        .db(move |conn| accounts::get_user(conn, &login))
        .await?;
    may_manage(caller, user.region.as_ref())?;
    Ok(user)
}

/// One account.
///
/// Admins; an admin bound to a region, that region's accounts only.
#[utoipa::path(
    operation_id = "get_user",
    tag = "users",
    params(("login" = String, Path, description = "The login (any case)", pattern = "^[A-Za-z0-9._@+-]{2,128}$", example = "anna.nowak@rops.opole.pl")),
    responses(
        (status = 200, body = UserView),
        (status = 403, description = "Not an admin, or another region", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/{login}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    login: web::Path<String>,
) -> Result<web::Json<UserView>, ApiError> {
    let user = user_for_admin(&state, &caller, login.into_inner()).await?;
    Ok(web::Json(user.into()))
}

/// Changes an account: name, role, unit, region, active. Deactivating ends the person's
/// sessions and stops their keys at once.
///
/// Admins; an admin bound to a region, within that region.
#[utoipa::path(
    operation_id = "update_user",
    tag = "users",
    params(("login" = String, Path, description = "The login (any case)", pattern = "^[A-Za-z0-9._@+-]{2,128}$", example = "anna.nowak@rops.opole.pl")),
    request_body = UserChange,
    responses(
        (status = 200, body = UserView),
        (status = 403, description = "Not an admin, or another region", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An admin deactivating their own account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad field, an unknown unit or region", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{login}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    login: web::Path<String>,
    JsonObject(body): JsonObject<UserChange>,
) -> Result<web::Json<UserView>, ApiError> {
    let user = user_for_admin(&state, &caller, login.into_inner()).await?;
    let b = body;
    let mut errors = FieldErrors::default();
    if let Some(name) = &b.name {
        check_name(name, &mut errors);
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors.into_vec()));
    }
    if b.active == Some(false) && user.login == caller.sub {
        return Err(ApiError::Conflict(
            "you cannot deactivate your own account; another admin can".into(),
        ));
    }
    // Where the account ends up must be within the caller's reach too.
    let role = b.role.unwrap_or(user.role);
    let org = match &b.org {
        Some(org) => org.clone(),
        None if role.stream().is_some() => user.org.clone(),
        None => None,
    };
    let region = match &b.region {
        Some(r) => r.clone(),
        None => user.region.clone(),
    };
    if let Err(e) = Principal::new(role, org.as_deref()) {
        return Err(ApiError::validation(vec![FieldError::new(
            "org",
            e.to_string(),
        )]));
    }
    let target = region_of(&state, role, org, region).await?;
    may_manage(&caller, target.as_ref())?;
    let patch = UserPatch {
        name: b.name.map(|n| n.trim().to_owned()),
        role: b.role,
        org: b.org,
        region: b.region,
        active: b.active,
    };
    let clock = state.clock;
    let login = user.login;
    let updated = state
        .write(move |conn| accounts::update_user(conn, &login, &patch, &actor(&caller, clock)))
        .await?;
    tracing::info!(login = %updated.login, active = updated.active, "user changed");
    Ok(web::Json(updated.into()))
}

/// Something a caller may do, as `GET /me` lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Ability {
    ReadReference,
    WriteReference,
    ReadReports,
    WriteReports,
    ReviewReports,
    ReadQueue,
    WriteLpres,
    WriteEvents,
    WriteEntities,
    ReadRollups,
    ManageUsers,
}

/// What the caller may do, asked of the policy on the caller's own unit (bound roles) or
/// region (ROPS staff).
fn abilities(principal: &Principal) -> Vec<Ability> {
    use rops_domain::report::Transition;
    let region = principal.region().map_or("*", |r| r.as_str());
    let own = principal.org();
    let unit = |stream: Stream| match own {
        Some(o) if o.stream() == stream => Resource::Unit(stream, o.as_str()),
        // Staff: any unit of the stream (the region check is separate).
        _ => Resource::Unit(stream, ""),
    };
    let own_stream = own.map_or(Stream::Owes, |o| o.stream());
    let checks: [(Ability, Action, Resource<'_>); 11] = [
        (
            Ability::ReadReference,
            Action::ReadReference,
            Resource::Reference,
        ),
        (
            Ability::WriteReference,
            Action::WriteReference,
            Resource::Reference,
        ),
        (Ability::ReadReports, Action::ReadReports, unit(own_stream)),
        (
            Ability::WriteReports,
            Action::WriteReports,
            unit(own_stream),
        ),
        (
            Ability::ReviewReports,
            Action::Review(Transition::Approve),
            unit(own_stream),
        ),
        (Ability::ReadQueue, Action::ReadQueue, Resource::ReportQueue),
        (Ability::WriteLpres, Action::WriteLpres, unit(Stream::Gmina)),
        (
            Ability::WriteEvents,
            Action::WriteEvents,
            Resource::ActivityRegister,
        ),
        (
            Ability::WriteEntities,
            Action::WriteEntities,
            Resource::EntityRegister,
        ),
        (
            Ability::ReadRollups,
            Action::ReadRollup,
            match own {
                Some(o) if o.stream() == Stream::Owes => unit(Stream::Owes),
                Some(_) => Resource::Region(""),
                None => Resource::Region(region),
            },
        ),
        (Ability::ManageUsers, Action::ManageUsers, Resource::Users),
    ];
    checks
        .into_iter()
        .filter(|(_, action, resource)| principal.may(*action, *resource).is_ok())
        .map(|(ability, _, _)| ability)
        .collect()
}

/// How the caller is signed in.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    Session,
    Key,
    Oidc,
    Token,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The login (for a server-signed token, its `sub`).
    #[schema(example = "anna.nowak@rops.opole.pl", pattern = r"^[^\u0000]*$")]
    pub login: String,
    #[schema(example = "Anna Nowak")]
    pub name: String,
    pub role: Role,
    #[schema(pattern = "^[A-Z0-9][A-Z0-9-]{1,31}$", example = "OWES-PN")]
    pub org: Option<String>,
    pub region: Option<RegionCode>,
    pub auth: AuthMethod,
    pub must_change_password: bool,
    /// For a browser session: the token every state-changing request signed in by the
    /// cookie sends in `X-CSRF-Token` (or a form's `csrf_token`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^[A-Za-z0-9_-]{43}$")]
    pub csrf_token: Option<String>,
    /// What the caller may do.
    pub may: Vec<Ability>,
}

pub fn me_of(caller: &Caller) -> Me {
    let (auth, csrf_token) = match &caller.via {
        Via::Session { csrf, .. } => (AuthMethod::Session, Some(csrf.clone())),
        Via::Key(_) => (AuthMethod::Key, None),
        Via::Oidc => (AuthMethod::Oidc, None),
        Via::Token => (AuthMethod::Token, None),
    };
    Me {
        login: caller.sub.clone(),
        name: caller
            .user
            .as_ref()
            .map_or_else(|| caller.sub.clone(), |u| u.name.clone()),
        role: caller.role,
        org: caller.org.clone(),
        region: caller.principal.region().cloned(),
        auth,
        must_change_password: caller.user.as_ref().is_some_and(|u| u.must_change_password),
        csrf_token,
        may: abilities(&caller.principal),
    }
}

/// Who am I: login, role, unit, region, how I am signed in, what I may do.
///
/// Any signed-in caller. For a browser session the answer carries the session's CSRF token,
/// which every state-changing request signed in by the cookie sends as `X-CSRF-Token`.
#[utoipa::path(
    operation_id = "get_me",
    tag = "users",
    responses((status = 200, body = Me))
)]
#[get("/me")]
pub async fn me(caller: Caller) -> web::Json<Me> {
    web::Json(me_of(&caller))
}

/// The account behind the caller; 403 for a server-signed token, which has none.
fn account(caller: &Caller) -> Result<&User, ApiError> {
    caller.user.as_ref().ok_or_else(|| {
        ApiError::Forbidden(
            "a server-signed token has no account; sign in as a user (POST /auth/login)".into(),
        )
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"old_password": "Ekonomia-społeczna-2025", "new_password": "Spółdzielnia-socjalna-2026"}))]
pub struct PasswordChange {
    #[schema(format = Password)]
    pub old_password: String,
    /// At least 12 characters, not one of the 10,000 most common passwords, not the login.
    #[schema(format = Password)]
    pub new_password: String,
}

/// Changes the caller's own password.
///
/// The old password is required; the new one has at least 12 characters and is not one of the
/// 10,000 most common passwords. The caller's other sessions end.
#[utoipa::path(
    operation_id = "change_my_password",
    tag = "users",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 403, description = "A server-signed token, which has no account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The old password is wrong, or the new one is weak", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    JsonObject(body): JsonObject<PasswordChange>,
) -> Result<HttpResponse, ApiError> {
    let user = account(&caller)?.clone();
    let b = body;
    change_own_password(&state, &caller, &user, b.old_password, b.new_password)
        .await
        .map_err(|e| match e {
            PasswordRefused::Weak(weak) => {
                ApiError::validation(vec![FieldError::new("new_password", weak.to_string())])
            }
            PasswordRefused::WrongOld => ApiError::validation(vec![FieldError::new(
                "old_password",
                "the old password is not right",
            )]),
            PasswordRefused::Api(e) => e,
        })?;
    Ok(HttpResponse::NoContent().finish())
}

/// Why a password change was refused.
pub enum PasswordRefused {
    Weak(password::Weak),
    WrongOld,
    Api(ApiError),
}

/// Checks the old password and the new one's strength, then stores it; the caller's other
/// sessions end.
pub async fn change_own_password(
    state: &AppState,
    caller: &Caller,
    user: &User,
    old: String,
    new: String,
) -> Result<(), PasswordRefused> {
    password::check(&new, &user.login).map_err(PasswordRefused::Weak)?;
    let stored = user.password_hash.clone();
    let hash = password::run(move || {
        if password::verify(&old, stored.as_deref()) {
            password::hash(&new).map(Some)
        } else {
            Ok(None)
        }
    })
    .await
    .map_err(PasswordRefused::Api)?
    .map_err(|e| PasswordRefused::Api(ApiError::internal(e)))?
    .ok_or(PasswordRefused::WrongOld)?;
    let keep = match &caller.via {
        Via::Session { id_hash, .. } => id_hash.clone(),
        _ => String::new(),
    };
    let login = user.login.clone();
    let clock = state.clock;
    let name = caller.sub.clone();
    state
        .write(move |conn| {
            let actor = rops_store::reports::Actor::new(&name, clock);
            accounts::set_password(conn, &login, &hash, false, &actor)?;
            accounts::end_other_sessions(conn, &login, &keep)
        })
        .await
        .map_err(PasswordRefused::Api)?;
    tracing::info!(login = %user.login, "password changed");
    Ok(())
}

/// A personal API key as listed (never the key itself).
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyView {
    #[schema(pattern = "^[0-9a-f]{12}$", example = "3f9a0c1b2d4e")]
    pub id: String,
    #[schema(example = "import z systemu OWES")]
    pub name: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub expires_at: Option<String>,
    /// The last use, to the minute.
    #[schema(format = DateTime)]
    pub last_used_at: Option<String>,
    #[schema(format = DateTime)]
    pub revoked_at: Option<String>,
}

impl From<ApiKey> for KeyView {
    fn from(k: ApiKey) -> Self {
        Self {
            id: k.id,
            name: k.name,
            created_at: k.created_at,
            expires_at: k.expires_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyCreated {
    #[schema(pattern = "^[0-9a-f]{12}$", example = "3f9a0c1b2d4e")]
    pub id: String,
    pub name: String,
    /// The key, shown only now: send it as `Authorization: Bearer <key>`.
    #[schema(pattern = "^rops_[A-Za-z0-9_-]{43}$")]
    pub key: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub expires_at: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "import z systemu OWES", "expires_at": "2027-12-31T23:59:59Z"}))]
pub struct KeyCreate {
    #[schema(example = "import z systemu OWES")]
    pub name: String,
    /// When the key stops working (UTC, RFC 3339); left out: until revoked.
    #[serde(default)]
    #[schema(format = DateTime)]
    pub expires_at: Option<String>,
}

/// Creates a personal API key for scripts.
///
/// The answer shows the key once (only its digest is stored). Send it as
/// `Authorization: Bearer rops_…`; it acts with the caller's rights as they are at each use,
/// and stops working when revoked, when it expires or when its owner is deactivated.
#[utoipa::path(
    operation_id = "create_my_key",
    tag = "users",
    request_body = KeyCreate,
    responses(
        (status = 201, body = KeyCreated),
        (status = 403, description = "A server-signed token, which has no account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad name or expiry", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/me/keys")]
pub async fn create_key(
    state: web::Data<AppState>,
    caller: Caller,
    JsonObject(body): JsonObject<KeyCreate>,
) -> Result<HttpResponse, ApiError> {
    let login = account(&caller)?.login.clone();
    let b = body;
    let mut errors = FieldErrors::default();
    check_name(&b.name, &mut errors);
    let now = state.clock.now();
    let expires_at = match b.expires_at.as_deref().map(DateTime::parse_from_rfc3339) {
        None => None,
        Some(Ok(at)) if at.with_timezone(&Utc) > now => Some(stamp(at.with_timezone(&Utc))),
        Some(Ok(_)) => {
            errors.push("expires_at", "must lie in the future");
            None
        }
        Some(Err(e)) => {
            errors.push(
                "expires_at",
                format!("not an RFC 3339 date-time, e.g. 2026-12-31T23:59:59Z: {e}"),
            );
            None
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors.into_vec()));
    }
    let (id, key) = secret::new_key();
    let row = ApiKey {
        id: id.clone(),
        login,
        name: b.name.trim().to_owned(),
        key_hash: secret::digest(&key),
        created_at: stamp(now),
        expires_at: expires_at.clone(),
        last_used_at: None,
        revoked_at: None,
    };
    let created_at = row.created_at.clone();
    let name = row.name.clone();
    state
        .write(move |conn| accounts::create_key(conn, &row))
        .await?;
    tracing::info!(login = %caller.sub, key = %id, "API key created");
    Ok(HttpResponse::Created().json(KeyCreated {
        id,
        name,
        key,
        created_at,
        expires_at,
    }))
}

/// The caller's API keys.
///
/// Newest first, with their last use (to the minute); revoked ones included. Never the keys
/// themselves.
#[utoipa::path(
    operation_id = "list_my_keys",
    tag = "users",
    responses(
        (status = 200, body = Vec<KeyView>),
        (status = 403, description = "A server-signed token, which has no account", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me/keys")]
pub async fn list_keys(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Vec<KeyView>>, ApiError> {
    let login = account(&caller)?.login.clone();
    let keys = state
        .db(move |conn| accounts::keys_of(conn, &login))
        .await?;
    Ok(web::Json(keys.into_iter().map(KeyView::from).collect()))
}

/// Revokes one of the caller's API keys.
///
/// It stops working at once. A key of someone else is as unknown as one that does not exist.
#[utoipa::path(
    operation_id = "revoke_my_key",
    tag = "users",
    params(("id" = String, Path, description = "The key's id", pattern = "^[0-9a-f]{12}$", example = "3f9a0c1b2d4e")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, description = "A server-signed token, which has no account", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/me/keys/{id}")]
pub async fn revoke_key(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let login = account(&caller)?.login.clone();
    let id = id.into_inner();
    let at = state.clock.stamp();
    {
        let id = id.clone();
        state
            .write(move |conn| accounts::revoke_key(conn, &login, &id, &at))
            .await?;
    }
    tracing::info!(login = %caller.sub, key = %id, "API key revoked");
    Ok(HttpResponse::NoContent().finish())
}
