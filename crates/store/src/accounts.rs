//! People and how they sign in: accounts, browser sessions, personal API keys, one-time links,
//! sign-in failures and pending single sign-ons. Everything lives in the database, so a
//! restart or a second replica sees the same sessions, keys and throttling.
//!
//! Nothing secret is stored: the caller hashes session ids, keys and link tokens (SHA-256) and
//! passwords (Argon2id) before they reach this module; lookups are by those digests.
//!
//! Logins are kept in lower case: `Anna@ROPS.pl` and `anna@rops.pl` are one account.

use crate::reports::{self, Actor};
use crate::schema::{api_keys, login_failures, oidc_logins, one_time_links, sessions, users};
use crate::{DbConnection, StoreError, StoreResult};
use diesel::prelude::*;
use rops_domain::policy::Principal;
use rops_domain::role::Role;
use rops_domain::territory::RegionCode;
use rops_domain::validation::FieldError;

/// A login as stored and compared: trimmed, lower case.
pub fn normalise_login(login: &str) -> String {
    login.trim().to_lowercase()
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
struct UserRow {
    login: String,
    name: String,
    role: String,
    org: Option<String>,
    region_code: Option<String>,
    active: bool,
    password_hash: Option<String>,
    must_change_password: bool,
    created_at: String,
    updated_at: String,
    updated_by: String,
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub login: String,
    pub name: String,
    pub role: Role,
    /// The unit a bound role acts for (OWES code, gmina TERYT, entity code).
    pub org: Option<String>,
    /// The region the person works in: chosen for analysts and admins (none: every region),
    /// the region of the unit for bound roles.
    pub region: Option<RegionCode>,
    pub active: bool,
    /// The Argon2id PHC string; `None` until a password is set.
    pub password_hash: Option<String>,
    /// The password was set by someone else and must be changed at the next sign-in.
    pub must_change_password: bool,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: String,
}

impl User {
    /// Who this account speaks for, as the domain's policy knows it.
    pub fn principal(&self) -> StoreResult<Principal> {
        Principal::new(self.role, self.org.as_deref())
            .map(|p| p.within(self.region.clone()))
            .map_err(|e| StoreError::corrupt(format!("user {}", self.login), e))
    }
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(row: UserRow) -> StoreResult<Self> {
        let at = || format!("user {}", row.login);
        let role = Role::parse(&row.role).map_err(|e| StoreError::corrupt(at(), e))?;
        let region = row
            .region_code
            .as_deref()
            .map(RegionCode::parse)
            .transpose()
            .map_err(|e| StoreError::corrupt(at(), e))?;
        Ok(Self {
            login: row.login,
            name: row.name,
            role,
            org: row.org,
            region,
            active: row.active,
            password_hash: row.password_hash,
            must_change_password: row.must_change_password,
            created_at: row.created_at,
            updated_at: row.updated_at,
            updated_by: row.updated_by,
        })
    }
}

/// What creating an account needs; the login is normalised here.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub login: String,
    pub name: String,
    pub role: Role,
    pub org: Option<String>,
    pub region: Option<RegionCode>,
    pub password_hash: Option<String>,
    pub must_change_password: bool,
}

/// A change to an account; `None` leaves a field as it is. `org` and `region` are
/// `Some(None)` to clear them.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub org: Option<Option<String>>,
    pub region: Option<Option<RegionCode>>,
    pub active: Option<bool>,
}

pub fn count_users(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(users::table.count().get_result(conn)?)
}

pub fn find_user(conn: &mut DbConnection, login: &str) -> StoreResult<Option<User>> {
    users::table
        .find(normalise_login(login))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .map(User::try_from)
        .transpose()
}

pub fn get_user(conn: &mut DbConnection, login: &str) -> StoreResult<User> {
    find_user(conn, login)?
        .ok_or_else(|| StoreError::NotFound(format!("no user with login {login}")))
}

/// Accounts, by login; only those of `region` and `role` when given.
pub fn list_users(
    conn: &mut DbConnection,
    region: Option<&str>,
    role: Option<Role>,
) -> StoreResult<Vec<User>> {
    let mut query = users::table.select(UserRow::as_select()).into_boxed();
    if let Some(region) = region {
        query = query.filter(users::region_code.eq(region.to_owned()));
    }
    if let Some(role) = role {
        query = query.filter(users::role.eq(role.as_str()));
    }
    query
        .order(users::login)
        .load(conn)?
        .into_iter()
        .map(User::try_from)
        .collect()
}

/// Checks that the role, unit and region fit together and exist; returns the region to
/// store: the unit's for bound roles (a different one given is an error), the one given for
/// ROPS staff.
fn placement(
    conn: &mut DbConnection,
    role: Role,
    org: Option<&str>,
    region: Option<&RegionCode>,
) -> StoreResult<Option<RegionCode>> {
    let invalid =
        |field: &str, message: String| StoreError::Invalid(vec![FieldError::new(field, message)]);
    Principal::new(role, org).map_err(|e| invalid("org", e.to_string()))?;
    match role.stream() {
        Some(stream) => {
            let org = org.unwrap_or_default();
            let unit_region = reports::region_of_unit(conn, stream, org)?.ok_or_else(|| {
                invalid("org", format!("no {} with code {org}", stream.unit_noun()))
            })?;
            match region {
                Some(r) if *r != unit_region => Err(invalid(
                    "region",
                    format!(
                        "{} {org} lies in region {unit_region}, not {r}; leave region out for this role",
                        stream.unit_noun()
                    ),
                )),
                _ => Ok(Some(unit_region)),
            }
        }
        None => {
            if org.is_some() {
                return Err(invalid(
                    "org",
                    format!("role {role} is not bound to a unit; leave org out"),
                ));
            }
            if let Some(r) = region {
                let known: i64 = crate::schema::regions::table
                    .find(r.as_str())
                    .count()
                    .get_result(conn)?;
                if known == 0 {
                    return Err(invalid("region", format!("no region with code {r}")));
                }
            }
            Ok(region.cloned())
        }
    }
}

/// Creates an account; a login already taken (in any case) is a conflict.
pub fn create_user(conn: &mut DbConnection, new: &NewUser, actor: &Actor) -> StoreResult<User> {
    let login = normalise_login(&new.login);
    if find_user(conn, &login)?.is_some() {
        return Err(StoreError::Conflict(format!(
            "a user with login {login} exists already"
        )));
    }
    let region = placement(conn, new.role, new.org.as_deref(), new.region.as_ref())?;
    let now = actor.stamp();
    let row = UserRow {
        login,
        name: new.name.clone(),
        role: new.role.as_str().to_owned(),
        org: new.org.clone(),
        region_code: region.map(|r| r.as_str().to_owned()),
        active: true,
        password_hash: new.password_hash.clone(),
        must_change_password: new.must_change_password,
        created_at: now.clone(),
        updated_at: now,
        updated_by: actor.name.to_owned(),
    };
    diesel::insert_into(users::table)
        .values(&row)
        .execute(conn)?;
    User::try_from(row)
}

/// Changes an account. Deactivating ends its sessions at once (its keys stop working too:
/// every use checks the owner is active).
pub fn update_user(
    conn: &mut DbConnection,
    login: &str,
    patch: &UserPatch,
    actor: &Actor,
) -> StoreResult<User> {
    let user = get_user(conn, login)?;
    let role = patch.role.unwrap_or(user.role);
    let org = match &patch.org {
        Some(org) => org.clone(),
        // A role changed to one not bound to a unit drops the unit.
        None if role.stream().is_none() => None,
        None => user.org.clone(),
    };
    let region = match &patch.region {
        Some(region) => region.clone(),
        None if role.stream().is_some() => None,
        None => user.region.clone(),
    };
    let region = placement(conn, role, org.as_deref(), region.as_ref())?;
    let active = patch.active.unwrap_or(user.active);
    diesel::update(users::table.find(&user.login))
        .set((
            users::name.eq(patch.name.clone().unwrap_or(user.name)),
            users::role.eq(role.as_str()),
            users::org.eq(org),
            users::region_code.eq(region.map(|r| r.as_str().to_owned())),
            users::active.eq(active),
            users::updated_at.eq(actor.stamp()),
            users::updated_by.eq(actor.name),
        ))
        .execute(conn)?;
    if !active {
        end_sessions_of(conn, &user.login)?;
    }
    get_user(conn, &user.login)
}

/// Sets a password (its Argon2id hash); the user's other sessions end.
pub fn set_password(
    conn: &mut DbConnection,
    login: &str,
    hash: &str,
    must_change: bool,
    actor: &Actor,
) -> StoreResult<()> {
    let user = get_user(conn, login)?;
    diesel::update(users::table.find(&user.login))
        .set((
            users::password_hash.eq(Some(hash)),
            users::must_change_password.eq(must_change),
            users::updated_at.eq(actor.stamp()),
            users::updated_by.eq(actor.name),
        ))
        .execute(conn)?;
    Ok(())
}

// --- sessions ---

/// A browser session as stored (its id only as a digest).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id_hash: String,
    pub login: String,
    pub csrf_token: String,
    pub created_at: String,
    pub last_seen_at: String,
    /// The absolute end, whatever the activity.
    pub expires_at: String,
}

pub fn create_session(conn: &mut DbConnection, session: &Session) -> StoreResult<()> {
    diesel::insert_into(sessions::table)
        .values(session)
        .execute(conn)?;
    Ok(())
}

/// The session with this id digest and its user, if both exist.
pub fn session(conn: &mut DbConnection, id_hash: &str) -> StoreResult<Option<(Session, User)>> {
    let found = sessions::table
        .inner_join(users::table)
        .filter(sessions::id_hash.eq(id_hash))
        .select((Session::as_select(), UserRow::as_select()))
        .first::<(Session, UserRow)>(conn)
        .optional()?;
    found.map(|(s, u)| Ok((s, User::try_from(u)?))).transpose()
}

/// Records activity: the idle timeout counts from `at`.
pub fn touch_session(conn: &mut DbConnection, id_hash: &str, at: &str) -> StoreResult<()> {
    diesel::update(sessions::table.find(id_hash))
        .set(sessions::last_seen_at.eq(at))
        .execute(conn)?;
    Ok(())
}

pub fn end_session(conn: &mut DbConnection, id_hash: &str) -> StoreResult<()> {
    diesel::delete(sessions::table.find(id_hash)).execute(conn)?;
    Ok(())
}

pub fn end_sessions_of(conn: &mut DbConnection, login: &str) -> StoreResult<()> {
    diesel::delete(sessions::table.filter(sessions::login.eq(login))).execute(conn)?;
    Ok(())
}

/// Ends a user's sessions but the one with digest `keep`.
pub fn end_other_sessions(conn: &mut DbConnection, login: &str, keep: &str) -> StoreResult<()> {
    diesel::delete(
        sessions::table
            .filter(sessions::login.eq(login))
            .filter(sessions::id_hash.ne(keep)),
    )
    .execute(conn)?;
    Ok(())
}

/// Removes sessions that ended: past their absolute end, or idle since before `idle_since`.
pub fn purge_sessions(conn: &mut DbConnection, now: &str, idle_since: &str) -> StoreResult<usize> {
    Ok(diesel::delete(
        sessions::table.filter(
            sessions::expires_at
                .le(now)
                .or(sessions::last_seen_at.lt(idle_since)),
        ),
    )
    .execute(conn)?)
}

// --- API keys ---

/// A personal API key as stored (the key itself only as a digest).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_keys)]
pub struct ApiKey {
    /// Public id, shown in lists and used to revoke.
    pub id: String,
    pub login: String,
    pub name: String,
    pub key_hash: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

pub fn create_key(conn: &mut DbConnection, key: &ApiKey) -> StoreResult<()> {
    diesel::insert_into(api_keys::table)
        .values(key)
        .execute(conn)?;
    Ok(())
}

/// A user's keys, newest first, revoked ones included.
pub fn keys_of(conn: &mut DbConnection, login: &str) -> StoreResult<Vec<ApiKey>> {
    Ok(api_keys::table
        .filter(api_keys::login.eq(login))
        .select(ApiKey::as_select())
        .order((api_keys::created_at.desc(), api_keys::id))
        .load(conn)?)
}

/// Revokes a user's key; a key of someone else is as unknown as one that does not exist.
pub fn revoke_key(conn: &mut DbConnection, login: &str, id: &str, at: &str) -> StoreResult<()> {
    let changed = diesel::update(
        api_keys::table
            .filter(api_keys::id.eq(id))
            .filter(api_keys::login.eq(login)),
    )
    .set(api_keys::revoked_at.eq(Some(at)))
    .execute(conn)?;
    if changed == 0 {
        return Err(StoreError::NotFound(format!(
            "you have no API key with id {id}"
        )));
    }
    Ok(())
}

/// The key with this digest and its owner, if both exist (revoked or expired included: the
/// caller decides).
pub fn key(conn: &mut DbConnection, key_hash: &str) -> StoreResult<Option<(ApiKey, User)>> {
    let found = api_keys::table
        .inner_join(users::table)
        .filter(api_keys::key_hash.eq(key_hash))
        .select((ApiKey::as_select(), UserRow::as_select()))
        .first::<(ApiKey, UserRow)>(conn)
        .optional()?;
    found.map(|(k, u)| Ok((k, User::try_from(u)?))).transpose()
}

pub fn touch_key(conn: &mut DbConnection, id: &str, at: &str) -> StoreResult<()> {
    diesel::update(api_keys::table.find(id))
        .set(api_keys::last_used_at.eq(Some(at)))
        .execute(conn)?;
    Ok(())
}

// --- one-time links ---

/// What a one-time link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Creating the first admin of an install without users.
    Setup,
    /// Setting a user's password (a new account created without one).
    Password,
}

impl LinkPurpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Setup => "setup",
            Self::Password => "password",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = one_time_links)]
struct LinkRow {
    token_hash: String,
    purpose: String,
    login: Option<String>,
    created_at: String,
    expires_at: String,
    used_at: Option<String>,
}

/// Stores a link (its token's digest) valid until `expires_at`. A new setup link replaces
/// the unused ones before it.
pub fn create_link(
    conn: &mut DbConnection,
    token_hash: &str,
    purpose: LinkPurpose,
    login: Option<&str>,
    now: &str,
    expires_at: &str,
) -> StoreResult<()> {
    if purpose == LinkPurpose::Setup {
        diesel::delete(
            one_time_links::table
                .filter(one_time_links::purpose.eq(purpose.as_str()))
                .filter(one_time_links::used_at.is_null()),
        )
        .execute(conn)?;
    }
    diesel::insert_into(one_time_links::table)
        .values(LinkRow {
            token_hash: token_hash.to_owned(),
            purpose: purpose.as_str().to_owned(),
            login: login.map(str::to_owned),
            created_at: now.to_owned(),
            expires_at: expires_at.to_owned(),
            used_at: None,
        })
        .execute(conn)?;
    Ok(())
}

/// Why a link cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefused {
    Unknown,
    Used,
    Expired,
}

/// Uses a link once: the login it is for (`None` for setup), or why not. Run it in the
/// transaction that does what the link allows, so a failure leaves the link unused.
pub fn use_link(
    conn: &mut DbConnection,
    token_hash: &str,
    purpose: LinkPurpose,
    now: &str,
) -> StoreResult<Result<Option<String>, LinkRefused>> {
    let login = match check_link(conn, token_hash, purpose, now)? {
        Ok(login) => login,
        refused => return Ok(refused),
    };
    // Only the request that flips `used_at` wins a race for the same link.
    let won = diesel::update(
        one_time_links::table
            .find(token_hash)
            .filter(one_time_links::used_at.is_null()),
    )
    .set(one_time_links::used_at.eq(Some(now)))
    .execute(conn)?;
    if won == 0 {
        return Ok(Err(LinkRefused::Used));
    }
    Ok(Ok(login))
}

/// Whether a link could be used now (for showing its form), without using it.
pub fn check_link(
    conn: &mut DbConnection,
    token_hash: &str,
    purpose: LinkPurpose,
    now: &str,
) -> StoreResult<Result<Option<String>, LinkRefused>> {
    let link = one_time_links::table
        .find(token_hash)
        .filter(one_time_links::purpose.eq(purpose.as_str()))
        .select(LinkRow::as_select())
        .first(conn)
        .optional()?;
    Ok(match link {
        None => Err(LinkRefused::Unknown),
        Some(l) if l.used_at.is_some() => Err(LinkRefused::Used),
        Some(l) if l.expires_at.as_str() <= now => Err(LinkRefused::Expired),
        Some(l) => Ok(l.login),
    })
}

// --- sign-in failures ---

/// The times of the failed sign-ins for `login` since `since`, oldest first.
pub fn failures_since(
    conn: &mut DbConnection,
    login: &str,
    since: &str,
) -> StoreResult<Vec<String>> {
    Ok(login_failures::table
        .filter(login_failures::login.eq(normalise_login(login)))
        .filter(login_failures::failed_at.gt(since))
        .select(login_failures::failed_at)
        .order(login_failures::failed_at)
        .load(conn)?)
}

/// Records a failed sign-in for `login` (known or not); records older than `forget_before`,
/// of any login, are dropped, so guessing many logins leaves no lasting trace.
pub fn record_failure(
    conn: &mut DbConnection,
    login: &str,
    at: &str,
    forget_before: &str,
) -> StoreResult<()> {
    let login = normalise_login(login);
    diesel::delete(login_failures::table.filter(login_failures::failed_at.lt(forget_before)))
        .execute(conn)?;
    let done = diesel::insert_into(login_failures::table)
        .values((
            login_failures::login.eq(&login),
            login_failures::failed_at.eq(at),
        ))
        .execute(conn);
    match done {
        // Two failures in the same microsecond count once: still throttled.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(()),
        other => other.map(drop).map_err(StoreError::from),
    }
}

pub fn clear_failures(conn: &mut DbConnection, login: &str) -> StoreResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::login.eq(normalise_login(login))))
        .execute(conn)?;
    Ok(())
}

// --- pending single sign-ons ---

/// Keeps what the callback of a single sign-on needs (by the digest of its `state`); pending
/// ones started before `forget_before` are dropped, so abandoned sign-ons do not pile up.
pub fn put_oidc_login(
    conn: &mut DbConnection,
    state_hash: &str,
    nonce: &str,
    verifier: &str,
    now: &str,
    forget_before: &str,
) -> StoreResult<()> {
    diesel::delete(oidc_logins::table.filter(oidc_logins::created_at.lt(forget_before)))
        .execute(conn)?;
    diesel::insert_into(oidc_logins::table)
        .values((
            oidc_logins::state_hash.eq(state_hash),
            oidc_logins::nonce.eq(nonce),
            oidc_logins::verifier.eq(verifier),
            oidc_logins::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Takes (and removes) a pending sign-on started after `since`: its nonce and PKCE verifier.
/// Older pending ones are dropped on the way.
pub fn take_oidc_login(
    conn: &mut DbConnection,
    state_hash: &str,
    since: &str,
) -> StoreResult<Option<(String, String)>> {
    diesel::delete(oidc_logins::table.filter(oidc_logins::created_at.lt(since))).execute(conn)?;
    let found = oidc_logins::table
        .find(state_hash)
        .select((oidc_logins::nonce, oidc_logins::verifier))
        .first::<(String, String)>(conn)
        .optional()?;
    if found.is_some() {
        diesel::delete(oidc_logins::table.find(state_hash)).execute(conn)?;
    }
    Ok(found)
}
