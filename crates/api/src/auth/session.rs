//! Browser sessions: a cookie holding a random 256-bit id, kept in the database as its digest
//! with an idle and an absolute end, and a synchronizer CSRF token for state-changing
//! requests.

use actix_web::cookie::{Cookie, SameSite};
use chrono::{DateTime, Duration, Utc};
use rops_store::accounts::Session;

/// The session cookie's name.
pub const COOKIE: &str = "rops_session";
/// The header a cookie-authenticated state-changing request carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field a page's form carries it in.
pub const CSRF_FIELD: &str = "csrf_token";

/// How long sessions last and how their cookie is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionSettings {
    /// A session unused this long ends (sliding).
    pub idle: Duration,
    /// A session ends this long after sign-in, whatever its use.
    pub absolute: Duration,
    /// Mark the cookie `Secure` (sent over HTTPS only); off only for local http use.
    pub secure: bool,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
            secure: true,
        }
    }
}

impl SessionSettings {
    /// The cookie that carries `id`.
    pub fn cookie(&self, id: &str) -> Cookie<'static> {
        Cookie::build(COOKIE, id.to_owned())
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .finish()
    }

    /// A cookie that makes the browser forget the session.
    pub fn removal(&self) -> Cookie<'static> {
        let mut c = self.cookie("");
        c.make_removal();
        c
    }

    /// Whether `session` is still valid at `now`; why not otherwise.
    pub fn check(&self, session: &Session, now: DateTime<Utc>) -> Result<(), &'static str> {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc));
        let (Ok(end), Ok(seen)) = (at(&session.expires_at), at(&session.last_seen_at)) else {
            return Err("the session is damaged; sign in again");
        };
        if now >= end {
            return Err("the session has reached its maximum length; sign in again");
        }
        if now >= seen + self.idle {
            return Err("the session ended after a period without activity; sign in again");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(created: &str, seen: &str, expires: &str) -> Session {
        Session {
            id_hash: "h".into(),
            login: "anna".into(),
            csrf_token: "c".into(),
            created_at: created.into(),
            last_seen_at: seen.into(),
            expires_at: expires.into(),
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn sessions_end_when_idle_and_at_their_absolute_end() {
        let s = SessionSettings::default();
        let one = session(
            "2025-05-14T08:00:00.000000Z",
            "2025-05-14T10:00:00.000000Z",
            "2025-05-14T20:00:00.000000Z",
        );
        assert!(s.check(&one, at("2025-05-14T10:29:59Z")).is_ok());
        assert!(s
            .check(&one, at("2025-05-14T10:30:00Z"))
            .unwrap_err()
            .contains("without activity"));
        let busy = session(
            "2025-05-14T08:00:00.000000Z",
            "2025-05-14T19:59:00.000000Z",
            "2025-05-14T20:00:00.000000Z",
        );
        assert!(s
            .check(&busy, at("2025-05-14T20:00:00Z"))
            .unwrap_err()
            .contains("maximum length"));
    }

    #[test]
    fn the_cookie_is_http_only_lax_secure_and_site_wide() {
        let c = SessionSettings::default().cookie("abc").to_string();
        for part in [
            "rops_session=abc",
            "HttpOnly",
            "SameSite=Lax",
            "Secure",
            "Path=/",
        ] {
            assert!(c.contains(part), "{c} lacks {part}");
        }
        let local = SessionSettings {
            secure: false,
            ..SessionSettings::default()
        };
        assert!(!local.cookie("abc").to_string().contains("Secure"));
    }
}
